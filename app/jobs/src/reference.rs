//! Naive reference kernels: the definition every backend is tested against,
//! and the "naive loop" of the benchmark. Slow on purpose (plain loops).

use crate::backend::GemmDims;
use crate::quant::Epilogue;

/// `C = A · B`, int32 wrapping accumulation, in `i, j, k` order.
/// Panics if the slices are shorter than the dimensions say.
pub fn gemm_i8(dims: GemmDims, a: &[i8], b: &[i8]) -> Vec<i32> {
    let GemmDims { m, n, k } = dims;
    let mut c = vec![0i32; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0i32;
            for p in 0..k {
                acc = acc.wrapping_add(i32::from(a[i * k + p]) * i32::from(b[p * n + j]));
            }
            c[i * n + j] = acc;
        }
    }
    c
}

/// A quantized dense layer: `Y[i][j] = epilogue.apply(j, (A · B)[i][j])`.
pub fn gemm_requant_i8(dims: GemmDims, a: &[i8], b: &[i8], epilogue: &Epilogue) -> Vec<i8> {
    let acc = gemm_i8(dims, a, b);
    let mut out = vec![0i8; acc.len()];
    epilogue.apply_rows(&acc, &mut out, dims.n);
    out
}

/// The naive kernels as a [`crate::Backend`] (slow; for tests and tiny jobs).
#[derive(Clone, Copy, Debug, Default)]
pub struct ReferenceBackend;

impl crate::Backend for ReferenceBackend {
    fn name(&self) -> String {
        "reference".to_owned()
    }

    fn gemm_i8(&self, dims: GemmDims, a: &[i8], b: &[i8]) -> crate::Result<Vec<i32>> {
        crate::backend::check_gemm_inputs(dims, a, b, None)?;
        Ok(gemm_i8(dims, a, b))
    }

    fn gemm_requant_i8(
        &self,
        dims: GemmDims,
        a: &[i8],
        b: &[i8],
        epilogue: &Epilogue,
    ) -> crate::Result<Vec<i8>> {
        crate::backend::check_gemm_inputs(dims, a, b, Some(epilogue))?;
        Ok(gemm_requant_i8(dims, a, b, epilogue))
    }
}
