//! Job specs: what a job is, how it is named ([`JobSpec::job_id`]) and how much
//! work it is ([`JobSpec::work_units`]).

use borsh::{BorshDeserialize, BorshSerialize};

use crate::limits;
use crate::{Result, SpecError};

/// The kind of a job, as stored on chain in the receipt leaf (`kind: u8`).
///
/// The discriminant is the wire value and equals the borsh variant index of
/// [`JobShape`]: never renumber, only append.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// int8 × int8 → int32 matrix product.
    GemmI8 = 0,
    /// Quantized int8 multi-layer perceptron.
    MlpI8 = 1,
    /// Quantized int8 2-D convolution layer (NHWC).
    Conv2dI8 = 2,
}

impl JobKind {
    /// Every kind, in wire order.
    pub const ALL: [JobKind; 3] = [JobKind::GemmI8, JobKind::MlpI8, JobKind::Conv2dI8];

    /// Short lowercase name (`gemm_i8`, `mlp_i8`, `conv2d_i8`).
    pub fn name(self) -> &'static str {
        match self {
            JobKind::GemmI8 => "gemm_i8",
            JobKind::MlpI8 => "mlp_i8",
            JobKind::Conv2dI8 => "conv2d_i8",
        }
    }
}

impl TryFrom<u8> for JobKind {
    type Error = SpecError;
    fn try_from(value: u8) -> Result<Self> {
        JobKind::ALL
            .get(usize::from(value))
            .copied()
            .ok_or(SpecError::UnknownKind(value))
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Shape of a 2-D convolution job. Layout is NHWC for activations and
/// `[kernel_h][kernel_w][in_channels][out_channels]` for weights.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv2dShape {
    /// Images in the batch.
    pub batch: u32,
    /// Input height in pixels.
    pub height: u32,
    /// Input width in pixels.
    pub width: u32,
    /// Input channels.
    pub in_channels: u32,
    /// Output channels (filters).
    pub out_channels: u32,
    /// Filter height.
    pub kernel_h: u32,
    /// Filter width.
    pub kernel_w: u32,
    /// Step between output pixels, both axes.
    pub stride: u32,
    /// Zero padding on every side.
    pub padding: u32,
}

impl Conv2dShape {
    /// Output height: `(height + 2·padding − kernel_h) / stride + 1` (0 for a
    /// shape the limits refuse, e.g. a kernel taller than the padded image).
    pub fn out_height(&self) -> u32 {
        out_side(self.height, self.padding, self.kernel_h, self.stride)
    }
    /// Output width: `(width + 2·padding − kernel_w) / stride + 1` (0 for a
    /// shape the limits refuse).
    pub fn out_width(&self) -> u32 {
        out_side(self.width, self.padding, self.kernel_w, self.stride)
    }
    /// Reduction length of one output value: `kernel_h · kernel_w · in_channels`.
    pub fn reduction_len(&self) -> u64 {
        u64::from(self.kernel_h) * u64::from(self.kernel_w) * u64::from(self.in_channels)
    }
    /// Σ over output rows `oy` and filter rows `ky` of [the input row
    /// `oy·stride + ky − padding` lies in `0..height`].
    pub fn taps_inside_h(&self) -> u64 {
        taps_inside(
            self.height,
            self.padding,
            self.kernel_h,
            self.stride,
            self.out_height(),
        )
    }
    /// The same count for columns.
    pub fn taps_inside_w(&self) -> u64 {
        taps_inside(
            self.width,
            self.padding,
            self.kernel_w,
            self.stride,
            self.out_width(),
        )
    }
    /// Output pixels over the whole batch: `batch · out_height · out_width`.
    pub fn out_pixels(&self) -> u64 {
        u64::from(self.batch) * u64::from(self.out_height()) * u64::from(self.out_width())
    }
}

/// Σ over `o < out` and `k < kernel` of [0 ≤ o·stride + k − padding < side],
/// in closed form per filter tap (at most `MAX_KERNEL` steps).
fn taps_inside(side: u32, padding: u32, kernel: u32, stride: u32, out: u32) -> u64 {
    let (side, p, s, out) = (
        i64::from(side),
        i64::from(padding),
        i64::from(stride).max(1),
        i64::from(out),
    );
    (0..i64::from(kernel))
        .map(|k| {
            // o·s ≥ p − k  and  o·s ≤ side − 1 + p − k, with 0 ≤ o < out.
            let lo = ((p - k).max(0) + s - 1) / s;
            let top = side - 1 + p - k;
            if top < 0 {
                return 0;
            }
            let hi = (top / s).min(out - 1);
            u64::try_from(hi - lo + 1).unwrap_or(0)
        })
        .sum()
}

fn out_side(side: u32, padding: u32, kernel: u32, stride: u32) -> u32 {
    let padded = u64::from(side) + 2 * u64::from(padding);
    match padded.checked_sub(u64::from(kernel)) {
        Some(span) if kernel > 0 && stride > 0 => {
            u32::try_from(span / u64::from(stride) + 1).unwrap_or(u32::MAX)
        }
        _ => 0,
    }
}

/// Kind-specific shape of a job. The borsh variant index is the [`JobKind`].
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub enum JobShape {
    /// `C[m×n] = A[m×k] · B[k×n]`, int8 inputs, int32 output.
    GemmI8 {
        /// Rows of A and C.
        m: u32,
        /// Columns of B and C.
        n: u32,
        /// Columns of A, rows of B (reduction length).
        k: u32,
    },
    /// A batch of int8 vectors through `widths.len() − 1` dense layers.
    /// Layer `l` maps `widths[l]` features to `widths[l+1]`.
    MlpI8 {
        /// Input vectors.
        batch: u32,
        /// Feature counts: input width, then each layer's output width.
        widths: Vec<u32>,
    },
    /// One quantized convolution layer with ReLU.
    Conv2dI8(Conv2dShape),
}

impl JobShape {
    /// The kind of this shape.
    pub fn kind(&self) -> JobKind {
        match self {
            JobShape::GemmI8 { .. } => JobKind::GemmI8,
            JobShape::MlpI8 { .. } => JobKind::MlpI8,
            JobShape::Conv2dI8(_) => JobKind::Conv2dI8,
        }
    }

    /// Canonical bytes of the shape alone (borsh): `kind u8 ‖ fields`, at
    /// most [`crate::MAX_SHAPE_LEN`] bytes for a shape within the limits.
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }

    /// Decodes shape bytes; refuses unknown kinds, trailing bytes and shapes
    /// outside the limits.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if let Some(&kind) = bytes.first() {
            JobKind::try_from(kind)?;
        }
        let shape: JobShape =
            borsh::from_slice(bytes).map_err(|e| SpecError::Decode(e.to_string()))?;
        validate(&shape)?;
        Ok(shape)
    }

    /// Work units of this shape (see [`JobSpec::work_units`]).
    pub fn work_units(&self) -> u64 {
        work_units_of(self)
    }
}

/// A job: kind and shape plus the 32-byte seed every input is generated from.
///
/// Always valid: every constructor checks the [`crate::limits`].
/// Canonical bytes ([`JobSpec::to_bytes`]) are its borsh encoding:
/// `kind u8 ‖ shape fields (u32 LE; MLP widths as u32 LE count + u32 LE each) ‖ seed [u8;32]`.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub struct JobSpec {
    shape: JobShape,
    seed: [u8; 32],
}

impl JobSpec {
    /// A validated spec.
    pub fn new(shape: JobShape, seed: [u8; 32]) -> Result<Self> {
        validate(&shape)?;
        Ok(Self { shape, seed })
    }

    /// A `gemm_i8` spec.
    pub fn gemm(m: u32, n: u32, k: u32, seed: [u8; 32]) -> Result<Self> {
        Self::new(JobShape::GemmI8 { m, n, k }, seed)
    }

    /// An `mlp_i8` spec.
    pub fn mlp(batch: u32, widths: Vec<u32>, seed: [u8; 32]) -> Result<Self> {
        Self::new(JobShape::MlpI8 { batch, widths }, seed)
    }

    /// A `conv2d_i8` spec.
    pub fn conv2d(shape: Conv2dShape, seed: [u8; 32]) -> Result<Self> {
        Self::new(JobShape::Conv2dI8(shape), seed)
    }

    /// Decodes canonical bytes; refuses trailing bytes and invalid shapes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if let Some(&kind) = bytes.first() {
            JobKind::try_from(kind)?;
        }
        let spec: JobSpec =
            borsh::from_slice(bytes).map_err(|e| SpecError::Decode(e.to_string()))?;
        Self::new(spec.shape, spec.seed)
    }

    /// Canonical bytes (borsh).
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }

    /// The spec whose shape is encoded by `shape` (as [`JobShape::to_bytes`])
    /// and whose seed is `seed`. Its canonical bytes are `shape ‖ seed`, so
    /// a reveal can carry the shape alone when the seed follows from the
    /// leaf's position ([`crate::job_seed`]).
    pub fn from_shape_bytes(shape: &[u8], seed: [u8; 32]) -> Result<Self> {
        Self::new(JobShape::from_bytes(shape)?, seed)
    }

    /// `SHA-256(to_bytes())`: the job's name, stored on chain in the receipt leaf.
    pub fn job_id(&self) -> [u8; 32] {
        solana_sha256_hasher::hashv(&[&self.to_bytes()]).to_bytes()
    }

    /// The job kind (`kind() as u8` is the on-chain value).
    pub fn kind(&self) -> JobKind {
        self.shape.kind()
    }

    /// The shape.
    pub fn shape(&self) -> &JobShape {
        &self.shape
    }

    /// The input seed.
    pub fn seed(&self) -> &[u8; 32] {
        &self.seed
    }

    /// Work units = int8 multiply-accumulates the job performs (1 unit = 1 MAC;
    /// bias adds, requantization and ReLU are not counted):
    /// - `gemm_i8`: `m · n · k`
    /// - `mlp_i8`: `batch · Σ_l widths[l] · widths[l+1]`
    /// - `conv2d_i8`: `batch · T_h · T_w · in_channels · out_channels`, where
    ///   `T_h` counts the (output row, filter row) pairs whose input row lies
    ///   inside the image (not in the zero padding), and `T_w` likewise for
    ///   columns ([`Conv2dShape::taps_inside_h`]): multiplies by padding
    ///   zeros are not work, so a node cannot be paid for skipping them.
    ///
    /// Exact: the limits keep it at most [`limits::MAX_WORK_UNITS`].
    pub fn work_units(&self) -> u64 {
        work_units_of(&self.shape)
    }

    /// Length of the canonical output in bytes: `4 · m · n` for `gemm_i8`
    /// (int32), `batch · widths.last()` for `mlp_i8`, `out_pixels · out_channels`
    /// for `conv2d_i8` (int8).
    pub fn output_len(&self) -> usize {
        let len: u64 = match &self.shape {
            JobShape::GemmI8 { m, n, .. } => 4 * u64::from(*m) * u64::from(*n),
            JobShape::MlpI8 { batch, widths } => {
                u64::from(*batch) * u64::from(widths.last().copied().unwrap_or(0))
            }
            JobShape::Conv2dI8(c) => c.out_pixels() * u64::from(c.out_channels),
        };
        usize::try_from(len).unwrap_or(usize::MAX)
    }
}

fn work_units_of(shape: &JobShape) -> u64 {
    let w = |x: u32| u128::from(x);
    let units: u128 = match shape {
        JobShape::GemmI8 { m, n, k } => w(*m) * w(*n) * w(*k),
        JobShape::MlpI8 { batch, widths } => {
            w(*batch) * widths.windows(2).map(|p| w(p[0]) * w(p[1])).sum::<u128>()
        }
        JobShape::Conv2dI8(c) => {
            w(c.batch)
                * u128::from(c.taps_inside_h())
                * u128::from(c.taps_inside_w())
                * w(c.in_channels)
                * w(c.out_channels)
        }
    };
    u64::try_from(units).unwrap_or(u64::MAX)
}

fn in_range(field: &'static str, value: u32, min: u32, max: u32) -> Result<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(SpecError::ShapeOutOfRange {
            field,
            value: value.into(),
            min: min.into(),
            max: max.into(),
        })
    }
}

fn at_most(what: &'static str, value: u64, limit: u64) -> Result<()> {
    if value <= limit {
        Ok(())
    } else {
        Err(SpecError::TooLarge { what, value, limit })
    }
}

/// Checks a shape against [`crate::limits`].
fn validate(shape: &JobShape) -> Result<()> {
    use limits::*;
    let p = |a: u32, b: u32| u64::from(a) * u64::from(b);
    match shape {
        JobShape::GemmI8 { m, n, k } => {
            in_range("m", *m, 1, MAX_DIM)?;
            in_range("n", *n, 1, MAX_DIM)?;
            in_range("k", *k, 1, MAX_REDUCTION)?;
            at_most("A bytes (m·k)", p(*m, *k), MAX_TENSOR_BYTES)?;
            at_most("B bytes (k·n)", p(*k, *n), MAX_TENSOR_BYTES)?;
            at_most("C bytes (4·m·n)", 4 * p(*m, *n), MAX_TENSOR_BYTES)?;
        }
        JobShape::MlpI8 { batch, widths } => {
            in_range("batch", *batch, 1, MAX_DIM)?;
            let layers = u32::try_from(widths.len().saturating_sub(1)).unwrap_or(u32::MAX);
            in_range("layers (widths.len() - 1)", layers, 1, MAX_MLP_LAYERS)?;
            for &w in widths {
                in_range("widths[i]", w, 1, MAX_DIM)?;
                at_most(
                    "activation bytes (batch·width)",
                    p(*batch, w),
                    MAX_TENSOR_BYTES,
                )?;
            }
            for pair in widths.windows(2) {
                at_most(
                    "weight bytes (in·out)",
                    p(pair[0], pair[1]),
                    MAX_TENSOR_BYTES,
                )?;
            }
            // Every layer's weights are generated before the job runs: bound
            // them together, so one job never needs more than one tensor's worth.
            let all: u64 = widths.windows(2).map(|pair| p(pair[0], pair[1])).sum();
            at_most(
                "weight bytes of all layers (Σ in·out)",
                all,
                MAX_TENSOR_BYTES,
            )?;
        }
        JobShape::Conv2dI8(c) => {
            in_range("batch", c.batch, 1, MAX_DIM)?;
            in_range("height", c.height, 1, MAX_IMAGE_SIDE)?;
            in_range("width", c.width, 1, MAX_IMAGE_SIDE)?;
            in_range("in_channels", c.in_channels, 1, MAX_CHANNELS)?;
            in_range("out_channels", c.out_channels, 1, MAX_CHANNELS)?;
            in_range("stride", c.stride, 1, MAX_STRIDE)?;
            in_range("padding", c.padding, 0, MAX_KERNEL - 1)?;
            in_range(
                "kernel_h",
                c.kernel_h,
                1,
                (c.height + 2 * c.padding).min(MAX_KERNEL),
            )?;
            in_range(
                "kernel_w",
                c.kernel_w,
                1,
                (c.width + 2 * c.padding).min(MAX_KERNEL),
            )?;
            in_range("padding", c.padding, 0, c.kernel_h.min(c.kernel_w) - 1)?;
            at_most(
                "reduction (kernel_h·kernel_w·in_channels)",
                c.reduction_len(),
                MAX_REDUCTION.into(),
            )?;
            let image = p(c.height, c.width) * u64::from(c.in_channels);
            at_most("input image bytes (h·w·c)", image, MAX_IMAGE_BYTES)?;
            at_most("input bytes", image * u64::from(c.batch), MAX_TENSOR_BYTES)?;
            let out_image = p(c.out_height(), c.out_width()) * u64::from(c.out_channels);
            at_most("output image bytes", out_image, MAX_IMAGE_BYTES)?;
            at_most(
                "output bytes",
                out_image * u64::from(c.batch),
                MAX_TENSOR_BYTES,
            )?;
            at_most(
                "weight bytes",
                c.reduction_len() * u64::from(c.out_channels),
                MAX_IMAGE_BYTES,
            )?;
        }
    }
    at_most("work units", work_units_of(shape), MAX_WORK_UNITS)
}
