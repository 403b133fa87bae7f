//! `conv2d_i8` lowered to GEMM: im2col rows (one per output pixel, `K =
//! kh·kw·c` wide) times the `K × out_channels` weights, then the epilogue.

use rayon::prelude::*;

use crate::backend::{Backend, GemmDims};
use crate::error::{JobError, Result};
use crate::quant::Epilogue;
use crate::spec::Conv2dShape;

/// im2col rows are materialized in pieces of about this many bytes.
const IM2COL_CHUNK_BYTES: usize = 32 << 20;

/// Checks explicit conv inputs against their shape.
pub fn check_conv_inputs(
    s: &Conv2dShape,
    input: &[i8],
    weights: &[i8],
    epilogue: &Epilogue,
) -> Result<()> {
    let want = |what: &str, got: usize, want: u64| {
        if got as u64 == want {
            Ok(())
        } else {
            Err(JobError::InputMismatch(format!(
                "conv {what} has {got} values, the shape needs {want}"
            )))
        }
    };
    if s.out_height() == 0 || s.out_width() == 0 {
        return Err(JobError::InputMismatch(format!(
            "conv shape has no output: {s:?}"
        )));
    }
    let image = u64::from(s.height) * u64::from(s.width) * u64::from(s.in_channels);
    want("input", input.len(), u64::from(s.batch) * image)?;
    want(
        "weights",
        weights.len(),
        s.reduction_len() * u64::from(s.out_channels),
    )?;
    want("bias", epilogue.bias.len(), s.out_channels.into())
}

/// Host im2col in bounded pieces, each through [`Backend::gemm_requant_i8`].
pub fn conv2d_by_gemm<B: Backend + ?Sized>(
    backend: &B,
    s: &Conv2dShape,
    input: &[i8],
    weights: &[i8],
    epilogue: &Epilogue,
) -> Result<Vec<i8>> {
    check_conv_inputs(s, input, weights, epilogue)?;
    let k = s.reduction_len() as usize;
    let pixels = s.out_pixels() as usize;
    let o = s.out_channels as usize;
    let rows_per_chunk = (IM2COL_CHUNK_BYTES / k).clamp(1, pixels);
    let mut out = Vec::with_capacity(pixels * o);
    for p0 in (0..pixels).step_by(rows_per_chunk) {
        let rows = rows_per_chunk.min(pixels - p0);
        let cols = im2col(s, input, p0, rows);
        let dims = GemmDims { m: rows, n: o, k };
        out.extend(backend.gemm_requant_i8(dims, &cols, weights, epilogue)?);
    }
    Ok(out)
}

/// im2col rows for output pixels `p0 .. p0 + rows` (pixel = `(n·oh + y)·ow + x`),
/// column `(ky·kw + kx)·c + ch`; zero outside the image (padding).
fn im2col(s: &Conv2dShape, input: &[i8], p0: usize, rows: usize) -> Vec<i8> {
    let (h, w, c) = (s.height as usize, s.width as usize, s.in_channels as usize);
    let (kh, kw) = (s.kernel_h as usize, s.kernel_w as usize);
    let (oh, ow) = (s.out_height() as usize, s.out_width() as usize);
    let (stride, pad) = (s.stride as usize, s.padding as usize);
    let k = kh * kw * c;
    let mut cols = vec![0i8; rows * k];
    cols.par_chunks_mut(k).enumerate().for_each(|(r, row)| {
        let p = p0 + r;
        let (img, y, x) = (p / (oh * ow), (p / ow) % oh, p % ow);
        for ky in 0..kh {
            // Input row, skipped when it falls in the padding.
            let Some(iy) = (y * stride + ky).checked_sub(pad).filter(|&iy| iy < h) else {
                continue;
            };
            for kx in 0..kw {
                let Some(ix) = (x * stride + kx).checked_sub(pad).filter(|&ix| ix < w) else {
                    continue;
                };
                let src = ((img * h + iy) * w + ix) * c;
                let dst = (ky * kw + kx) * c;
                row[dst..dst + c].copy_from_slice(&input[src..src + c]);
            }
        }
    });
    cols
}
