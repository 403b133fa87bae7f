//! # EdgeFuel job specs: the one definition shared by the program and the job engine
//!
//! A job is a [`JobSpec`]: a kind, a shape and a 32-byte seed from which
//! every input is generated. This crate holds what both sides of the
//! protocol must agree on byte for byte:
//!
//! - **Canonical bytes** ([`JobSpec::to_bytes`], borsh):
//!   `kind u8 ‖ shape fields (u32 LE; MLP widths as u32 LE count + u32 LE
//!   each) ‖ seed [u8; 32]`. The shape alone ([`JobShape::to_bytes`]) is the
//!   same bytes without the seed, at most [`MAX_SHAPE_LEN`] bytes.
//! - **Job id** ([`JobSpec::job_id`]): `SHA-256(canonical bytes)`.
//! - **Work formula** ([`JobSpec::work_units`]): int8 multiply-accumulates,
//!   integers only — `m·n·k` (gemm_i8), `batch·Σ widths[l]·widths[l+1]`
//!   (mlp_i8), `batch·T_h·T_w·in_c·out_c` (conv2d_i8; `T` counts the filter
//!   taps that land inside the image, not in the zero padding).
//! - **Limits** ([`limits`]): every constructor and decoder refuses shapes
//!   outside them, so a spec that decodes can always be executed.
//! - **The bound seed rule** ([`job_seed`]): the seed of the job at leaf
//!   `index` of batch `seq` of node `node` is
//!   `SHA-256("edgefuel:job-seed:v1" ‖ program id ‖ node ‖ seq u64 LE ‖ index u32 LE)`.
//!   A job therefore belongs to exactly one position of one batch: the same
//!   job cannot fill two leaves or two batches, and a leaf whose spec does
//!   not derive from its position is refused on-chain like a wrong output.
//!
//! The on-chain program decodes revealed shapes and checks the job id, kind
//! and work units with this crate; the job engine (`edgefuel-jobs`)
//! re-exports it and executes the specs.

pub mod limits;
mod spec;

pub use spec::{Conv2dShape, JobKind, JobShape, JobSpec};

/// Domain tag of the job-seed hash.
pub const JOB_SEED_TAG: &[u8] = b"edgefuel:job-seed:v1";

/// Longest shape encoding ([`JobShape::to_bytes`]) within the limits: an
/// `mlp_i8` with [`limits::MAX_MLP_LAYERS`] layers (kind, batch, widths
/// count, `MAX_MLP_LAYERS + 1` widths).
pub const MAX_SHAPE_LEN: usize = 1 + 4 + 4 + 4 * (limits::MAX_MLP_LAYERS as usize + 1);

/// The seed of the job at leaf `index` of batch `seq` committed by `node`
/// (the node's account address) under program `program` (see crate docs).
pub fn job_seed(program: &[u8; 32], node: &[u8; 32], seq: u64, index: u32) -> [u8; 32] {
    solana_sha256_hasher::hashv(&[
        JOB_SEED_TAG,
        program,
        node,
        &seq.to_le_bytes(),
        &index.to_le_bytes(),
    ])
    .to_bytes()
}

/// Why a spec or shape was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SpecError {
    /// The bytes are not the borsh encoding of a spec or shape.
    #[error("job spec bytes are not a canonical borsh JobSpec: {0}")]
    Decode(String),
    /// The job kind byte is not one this engine knows.
    #[error("unknown job kind {0}: known kinds are 0 (gemm_i8), 1 (mlp_i8), 2 (conv2d_i8)")]
    UnknownKind(u8),
    /// A shape field is outside its documented range.
    #[error("invalid job shape: {field} = {value} is outside {min}..={max}")]
    ShapeOutOfRange {
        /// Name of the offending field.
        field: &'static str,
        /// Its value.
        value: u64,
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// The shape is well formed but the job is bigger than the limits.
    #[error("job too large: {what} is {value}, limit {limit} (see `limits`)")]
    TooLarge {
        /// What was measured (tensor bytes, work units...).
        what: &'static str,
        /// The measured value.
        value: u64,
        /// The limit it exceeds.
        limit: u64,
    },
}

/// Result alias of the crate.
pub type Result<T, E = SpecError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seed_rule_is_exact() {
        let mut bytes = JOB_SEED_TAG.to_vec();
        bytes.extend_from_slice(&[1; 32]);
        bytes.extend_from_slice(&[2; 32]);
        bytes.extend_from_slice(&7u64.to_le_bytes());
        bytes.extend_from_slice(&9u32.to_le_bytes());
        let want = solana_sha256_hasher::hashv(&[&bytes]).to_bytes();
        assert_eq!(job_seed(&[1; 32], &[2; 32], 7, 9), want);
        assert_ne!(job_seed(&[1; 32], &[2; 32], 7, 10), want);
        assert_ne!(job_seed(&[1; 32], &[2; 32], 8, 9), want);
    }

    #[test]
    fn largest_shape_fits_max_shape_len() {
        let widths = vec![1; limits::MAX_MLP_LAYERS as usize + 1];
        let shape = JobShape::MlpI8 { batch: 1, widths };
        assert_eq!(shape.to_bytes().len(), MAX_SHAPE_LEN);
        let conv = JobShape::Conv2dI8(Conv2dShape {
            batch: 1,
            height: 8,
            width: 8,
            in_channels: 1,
            out_channels: 1,
            kernel_h: 3,
            kernel_w: 3,
            stride: 1,
            padding: 1,
        });
        assert!(conv.to_bytes().len() <= MAX_SHAPE_LEN);
    }

    #[test]
    fn padding_taps_are_not_work() {
        // A 1×1 image under a 16×16 kernel padded by 15: 256 output pixels,
        // each with exactly one tap on the image.
        let c = Conv2dShape {
            batch: 16,
            height: 1,
            width: 1,
            in_channels: 256,
            out_channels: 256,
            kernel_h: 16,
            kernel_w: 16,
            stride: 1,
            padding: 15,
        };
        assert_eq!((c.out_height(), c.out_width()), (16, 16));
        assert_eq!((c.taps_inside_h(), c.taps_inside_w()), (16, 16));
        let spec = JobSpec::conv2d(c, [0; 32]).unwrap();
        assert_eq!(spec.work_units(), 16 * 16 * 16 * 256 * 256);
    }

    #[test]
    fn mlp_weights_are_bounded_together() {
        let widths = vec![16_384; limits::MAX_MLP_LAYERS as usize + 1];
        assert!(matches!(
            JobSpec::mlp(1, widths, [0; 32]),
            Err(SpecError::TooLarge { .. })
        ));
    }

    proptest! {
        #[test]
        fn conv_work_counts_taps_inside_the_image(
            h in 1u32..12, w in 1u32..12, k in 1u32..6, s in 1u32..4, pad in 0u32..6,
        ) {
            let c = Conv2dShape {
                batch: 2, height: h, width: w, in_channels: 3, out_channels: 5,
                kernel_h: k, kernel_w: k, stride: s, padding: pad,
            };
            prop_assume!(JobSpec::conv2d(c, [0; 32]).is_ok());
            let inside = |side: u32, out: u32| -> u64 {
                let mut n = 0;
                for o in 0..out {
                    for t in 0..k {
                        let x = i64::from(o * s + t) - i64::from(pad);
                        if (0..i64::from(side)).contains(&x) {
                            n += 1;
                        }
                    }
                }
                n
            };
            prop_assert_eq!(c.taps_inside_h(), inside(h, c.out_height()));
            prop_assert_eq!(c.taps_inside_w(), inside(w, c.out_width()));
            let spec = JobSpec::conv2d(c, [0; 32]).unwrap();
            prop_assert_eq!(spec.work_units(), 2 * inside(h, c.out_height()) * inside(w, c.out_width()) * 15);
        }

        #[test]
        fn spec_bytes_are_shape_then_seed(m in 1u32..64, n in 1u32..64, k in 1u32..64, seed in any::<[u8; 32]>()) {
            let spec = JobSpec::gemm(m, n, k, seed).unwrap();
            let shape = spec.shape().to_bytes();
            let mut joined = shape.clone();
            joined.extend_from_slice(&seed);
            prop_assert_eq!(spec.to_bytes(), joined);
            prop_assert_eq!(JobSpec::from_shape_bytes(&shape, seed).unwrap(), spec.clone());
            prop_assert_eq!(spec.shape().work_units(), u64::from(m) * u64::from(n) * u64::from(k));
            // Trailing bytes are refused.
            let mut padded = shape;
            padded.push(0);
            prop_assert!(JobShape::from_bytes(&padded).is_err());
        }
    }
}
