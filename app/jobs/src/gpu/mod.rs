//! GPU backend (placeholder while being written).
use crate::backend::{Backend, GemmDims};
use crate::error::{JobError, Result};
use crate::quant::Epilogue;

/// GPU backend.
pub struct GpuBackend;
impl Backend for GpuBackend {
    fn name(&self) -> String {
        "gpu".into()
    }
    fn gemm_i8(&self, _: GemmDims, _: &[i8], _: &[i8]) -> Result<Vec<i32>> {
        Err(JobError::NoAdapter("todo".into()))
    }
    fn gemm_requant_i8(&self, _: GemmDims, _: &[i8], _: &[i8], _: &Epilogue) -> Result<Vec<i8>> {
        Err(JobError::NoAdapter("todo".into()))
    }
}
impl GpuBackend {
    /// x
    pub fn new() -> Result<Self> {
        Err(JobError::NoAdapter("todo".into()))
    }
}
