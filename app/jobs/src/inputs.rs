//! Inputs generated from a job's seed, identical on every platform.
//!
//! Every tensor has its own ChaCha20 stream: key = the 32-byte job seed,
//! stream id (the 64-bit nonce of `rand_chacha::ChaCha20Rng::set_stream`) =
//! the tensor's number below, starting at keystream position 0.
//! - int8 tensors are the keystream bytes, in row-major order, read as `i8`;
//! - int32 biases take one keystream word `u` (little-endian u32) each:
//!   `(u >> 11) − 2²⁰`, uniform in `[−2²⁰, 2²⁰)`;
//! - a layer's requantization multiplier is `2¹⁴ + (u >> 18)` for the first
//!   word `u` of its stream (uniform in `[2¹⁴, 2¹⁵)`), and its shift is
//!   `21 + ⌈⌈log₂ K⌉ / 2⌉` for reduction length `K` (keeps outputs spread over
//!   the int8 range instead of saturating).
//!
//! Stream numbers: `gemm_i8`: A = 0, B = 1. `mlp_i8`: input = 0; layer `l`
//! (from 0): weights `1 + 3l`, bias `2 + 3l`, requantization `3 + 3l`.
//! `conv2d_i8`: input = 0, weights = 1, bias = 2, requantization = 3.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;

use crate::error::Result;
use crate::limits::MAX_BIAS_MAGNITUDE;
use crate::quant::{Epilogue, Requant};
use crate::spec::{Conv2dShape, JobShape, JobSpec};

/// Bytes generated per parallel task (a multiple of the 64-byte ChaCha block).
const CHUNK: usize = 1 << 20;

fn rng(seed: &[u8; 32], stream: u64) -> ChaCha20Rng {
    let mut rng = ChaCha20Rng::from_seed(*seed);
    rng.set_stream(stream);
    rng
}

/// `len` keystream bytes of `stream` as int8 values.
pub fn seeded_i8(seed: &[u8; 32], stream: u64, len: usize) -> Vec<i8> {
    let mut out = vec![0u8; len];
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(i, chunk)| {
            let mut r = rng(seed, stream);
            // Word position of this chunk's first byte (CHUNK is a multiple of 4).
            r.set_word_pos((i * CHUNK / 4) as u128);
            r.fill_bytes(chunk);
        });
    out.into_iter().map(|b| b as i8).collect()
}

/// `len` biases from `stream`.
pub fn seeded_bias(seed: &[u8; 32], stream: u64, len: usize) -> Vec<i32> {
    let mut r = rng(seed, stream);
    (0..len)
        .map(|_| (r.next_u32() >> 11) as i32 - MAX_BIAS_MAGNITUDE)
        .collect()
}

/// The requantization of a layer with reduction length `k`.
pub fn seeded_requant(seed: &[u8; 32], stream: u64, k: u32, relu: bool) -> Result<Requant> {
    let mut r = rng(seed, stream);
    let multiplier = (1 << 14) + (r.next_u32() >> 18) as i32;
    let log2_k = k.max(1).next_power_of_two().trailing_zeros();
    Requant::new(multiplier, 21 + log2_k.div_ceil(2), relu)
}

/// A dense quantized layer: `y = requant(bias + x · W)`, `W` is `inputs × outputs`
/// row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DenseLayer {
    /// Input features.
    pub inputs: usize,
    /// Output features.
    pub outputs: usize,
    /// `inputs × outputs` weights, row-major.
    pub weights: Vec<i8>,
    /// Bias and requantization.
    pub epilogue: Epilogue,
}

/// Fully materialized inputs of a job. Build them from a spec with
/// [`JobInputs::generate`], or by hand (tests feed edge values this way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobInputs {
    /// `C = A · B`.
    GemmI8 {
        /// Rows of A.
        m: usize,
        /// Columns of B.
        n: usize,
        /// Reduction length.
        k: usize,
        /// `m × k`, row-major.
        a: Vec<i8>,
        /// `k × n`, row-major.
        b: Vec<i8>,
    },
    /// A batch through dense layers (ReLU on all but the last).
    MlpI8 {
        /// Rows of `x`.
        batch: usize,
        /// `batch × layers[0].inputs`, row-major.
        x: Vec<i8>,
        /// The layers, in order.
        layers: Vec<DenseLayer>,
    },
    /// One convolution layer (NHWC), ReLU on.
    Conv2dI8 {
        /// The shape.
        shape: Conv2dShape,
        /// `batch × height × width × in_channels`.
        input: Vec<i8>,
        /// `kernel_h × kernel_w × in_channels × out_channels`.
        weights: Vec<i8>,
        /// Bias (one per output channel) and requantization.
        epilogue: Epilogue,
    },
}

impl JobInputs {
    /// Generates the inputs of `spec` from its seed.
    pub fn generate(spec: &JobSpec) -> Result<Self> {
        let seed = spec.seed();
        let us = |x: u32| x as usize;
        Ok(match spec.shape() {
            JobShape::GemmI8 { m, n, k } => JobInputs::GemmI8 {
                m: us(*m),
                n: us(*n),
                k: us(*k),
                a: seeded_i8(seed, 0, us(*m) * us(*k)),
                b: seeded_i8(seed, 1, us(*k) * us(*n)),
            },
            JobShape::MlpI8 { batch, widths } => {
                let layer_count = widths.len().saturating_sub(1);
                let mut layers = Vec::with_capacity(layer_count);
                for (l, pair) in widths.windows(2).enumerate() {
                    let (inputs, outputs) = (us(pair[0]), us(pair[1]));
                    let base = 1 + 3 * l as u64;
                    let relu = l + 1 < layer_count;
                    layers.push(DenseLayer {
                        inputs,
                        outputs,
                        weights: seeded_i8(seed, base, inputs * outputs),
                        epilogue: Epilogue {
                            bias: seeded_bias(seed, base + 1, outputs),
                            requant: seeded_requant(seed, base + 2, pair[0], relu)?,
                        },
                    });
                }
                let width = widths.first().copied().unwrap_or(0);
                JobInputs::MlpI8 {
                    batch: us(*batch),
                    x: seeded_i8(seed, 0, us(*batch) * us(width)),
                    layers,
                }
            }
            JobShape::Conv2dI8(c) => {
                let k = c.reduction_len() as usize;
                let image = us(c.height) * us(c.width) * us(c.in_channels);
                JobInputs::Conv2dI8 {
                    shape: *c,
                    input: seeded_i8(seed, 0, us(c.batch) * image),
                    weights: seeded_i8(seed, 1, k * us(c.out_channels)),
                    epilogue: Epilogue {
                        bias: seeded_bias(seed, 2, us(c.out_channels)),
                        requant: seeded_requant(seed, 3, k as u32, true)?,
                    },
                }
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parallel_generation_is_the_plain_keystream() {
        let seed = [7u8; 32];
        let len = 2 * CHUNK + 12_345;
        let mut plain = vec![0u8; len];
        rng(&seed, 5).fill_bytes(&mut plain);
        let got: Vec<u8> = seeded_i8(&seed, 5, len)
            .into_iter()
            .map(|b| b as u8)
            .collect();
        assert_eq!(got, plain);
        // Streams differ.
        assert_ne!(seeded_i8(&seed, 0, 64), seeded_i8(&seed, 1, 64));
    }

    #[test]
    fn keystream_is_pinned() {
        // Fixed vector: guards against a silent change in rand_chacha.
        let got: Vec<u8> = seeded_i8(&[0u8; 32], 0, 8)
            .into_iter()
            .map(|b| b as u8)
            .collect();
        // ChaCha20 (RFC 7539 block function, 20 rounds) with zero key and nonce.
        assert_eq!(got, [0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90]);
    }

    #[test]
    fn biases_and_requant_in_range() {
        let b = seeded_bias(&[1u8; 32], 2, 10_000);
        assert!(b
            .iter()
            .all(|&x| (-MAX_BIAS_MAGNITUDE..MAX_BIAS_MAGNITUDE).contains(&x)));
        let r = seeded_requant(&[1u8; 32], 3, 512, true).unwrap();
        assert!((1 << 14..1 << 15).contains(&r.multiplier()));
        assert_eq!(r.shift(), 26);
        assert_eq!(seeded_requant(&[1u8; 32], 3, 1, true).unwrap().shift(), 21);
    }
}
