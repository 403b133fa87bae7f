//! The backend trait: the two GEMM primitives every job kind is lowered to.

use crate::error::{JobError, Result};
use crate::inputs::DenseLayer;
use crate::quant::Epilogue;
use crate::spec::Conv2dShape;

/// Dimensions of `C[m×n] = A[m×k] · B[k×n]` (row-major, int8 inputs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GemmDims {
    /// Rows of A and C.
    pub m: usize,
    /// Columns of B and C.
    pub n: usize,
    /// Columns of A, rows of B.
    pub k: usize,
}

/// A device that runs the kernels. Implementations must be bit-exact with
/// [`crate::reference`] for every input: integer arithmetic, wrapping int32
/// accumulation, the requantization of [`crate::quant`].
pub trait Backend: Send + Sync {
    /// Short name for logs and reports (`cpu`, `gpu (llvmpipe …)`).
    fn name(&self) -> String;

    /// `C = A · B` with int32 (wrapping) accumulation.
    fn gemm_i8(&self, dims: GemmDims, a: &[i8], b: &[i8]) -> Result<Vec<i32>>;

    /// `Y[i][j] = epilogue.apply(j, (A · B)[i][j])`: a quantized dense layer.
    fn gemm_requant_i8(
        &self,
        dims: GemmDims,
        a: &[i8],
        b: &[i8],
        epilogue: &Epilogue,
    ) -> Result<Vec<i8>>;

    /// Quantized dense layers in sequence (an MLP) over `batch` rows of `x`.
    /// The default runs [`Backend::gemm_requant_i8`] layer by layer; a
    /// backend may keep activations on its device instead.
    fn mlp_i8(&self, batch: usize, x: &[i8], layers: &[DenseLayer]) -> Result<Vec<i8>> {
        mlp_by_layers(self, batch, x, layers)
    }

    /// One quantized convolution layer (NHWC, ReLU per the epilogue). The
    /// default lowers it on the host (im2col) to [`Backend::gemm_requant_i8`];
    /// a backend may build the im2col rows on its device instead.
    fn conv2d_i8(
        &self,
        shape: &Conv2dShape,
        input: &[i8],
        weights: &[i8],
        epilogue: &Epilogue,
    ) -> Result<Vec<i8>> {
        crate::conv::conv2d_by_gemm(self, shape, input, weights, epilogue)
    }
}

/// Runs dense layers one [`Backend::gemm_requant_i8`] at a time.
pub fn mlp_by_layers<B: Backend + ?Sized>(
    backend: &B,
    batch: usize,
    x: &[i8],
    layers: &[DenseLayer],
) -> Result<Vec<i8>> {
    check_mlp_inputs(batch, x, layers)?;
    let mut act = x.to_vec();
    for layer in layers {
        let dims = GemmDims {
            m: batch,
            n: layer.outputs,
            k: layer.inputs,
        };
        act = backend.gemm_requant_i8(dims, &act, &layer.weights, &layer.epilogue)?;
    }
    Ok(act)
}

/// Checks that each layer's input width is the previous layer's output width
/// (the first: `x`'s) and that every layer's tensors match its dimensions.
pub fn check_mlp_inputs(batch: usize, x: &[i8], layers: &[DenseLayer]) -> Result<()> {
    let Some(first) = layers.first() else {
        return Err(JobError::InputMismatch(
            "an mlp needs at least one layer".to_owned(),
        ));
    };
    if Some(x.len()) != batch.checked_mul(first.inputs) {
        return Err(JobError::InputMismatch(format!(
            "mlp input has {} values, expected batch {batch} × {} features",
            x.len(),
            first.inputs
        )));
    }
    let mut width = first.inputs;
    for (l, layer) in layers.iter().enumerate() {
        if layer.inputs != width {
            return Err(JobError::InputMismatch(format!(
                "mlp layer {l} expects {} inputs, the previous layer gives {width}",
                layer.inputs
            )));
        }
        let dims = GemmDims {
            m: batch,
            n: layer.outputs,
            k: layer.inputs,
        };
        if layer.weights.len() != layer.inputs * layer.outputs
            || layer.epilogue.bias.len() != layer.outputs
        {
            return Err(JobError::InputMismatch(format!(
                "mlp layer {l}: {} weights and {} biases for {dims:?}",
                layer.weights.len(),
                layer.epilogue.bias.len()
            )));
        }
        width = layer.outputs;
    }
    Ok(())
}

/// Checks that explicit inputs match their dimensions (shared by every backend).
pub fn check_gemm_inputs(
    dims: GemmDims,
    a: &[i8],
    b: &[i8],
    epilogue: Option<&Epilogue>,
) -> Result<()> {
    let GemmDims { m, n, k } = dims;
    if m == 0 || n == 0 || k == 0 {
        return Err(JobError::InputMismatch(format!(
            "gemm dimensions must be positive, got m={m} n={n} k={k}"
        )));
    }
    let mismatch = |what: &str, got: usize, want: Option<usize>| {
        JobError::InputMismatch(format!(
            "{what} has {got} elements, expected {}",
            want.map_or_else(
                || "a size that fits in memory".to_owned(),
                |w| w.to_string()
            )
        ))
    };
    let want_a = m.checked_mul(k);
    if want_a != Some(a.len()) {
        return Err(mismatch("A (m·k)", a.len(), want_a));
    }
    let want_b = k.checked_mul(n);
    if want_b != Some(b.len()) {
        return Err(mismatch("B (k·n)", b.len(), want_b));
    }
    if let Some(e) = epilogue {
        if e.bias.len() != n {
            return Err(mismatch("bias", e.bias.len(), Some(n)));
        }
    }
    Ok(())
}

impl<T: Backend + ?Sized> Backend for &T {
    fn name(&self) -> String {
        (**self).name()
    }
    fn gemm_i8(&self, dims: GemmDims, a: &[i8], b: &[i8]) -> Result<Vec<i32>> {
        (**self).gemm_i8(dims, a, b)
    }
    fn gemm_requant_i8(
        &self,
        dims: GemmDims,
        a: &[i8],
        b: &[i8],
        epilogue: &Epilogue,
    ) -> Result<Vec<i8>> {
        (**self).gemm_requant_i8(dims, a, b, epilogue)
    }
    fn mlp_i8(&self, batch: usize, x: &[i8], layers: &[DenseLayer]) -> Result<Vec<i8>> {
        (**self).mlp_i8(batch, x, layers)
    }
    fn conv2d_i8(
        &self,
        shape: &Conv2dShape,
        input: &[i8],
        weights: &[i8],
        epilogue: &Epilogue,
    ) -> Result<Vec<i8>> {
        (**self).conv2d_i8(shape, input, weights, epilogue)
    }
}
