//! Size limits every [`crate::JobSpec`] obeys (checked by its constructors).
//!
//! They keep three promises:
//! - **exact int32 accumulation**: a reduction has at most
//!   [`MAX_REDUCTION`] = 2¹⁶ terms, each of magnitude at most 128·128 = 2¹⁴,
//!   so a dot product stays within ±2³⁰ and a bias of at most
//!   [`MAX_BIAS_MAGNITUDE`] cannot overflow int32 either;
//! - **bounded memory**: every input, weight and output tensor (and all of an
//!   MLP's layer weights together) fits in
//!   [`MAX_TENSOR_BYTES`] (256 MiB), and one conv image in
//!   [`MAX_IMAGE_BYTES`] so a GPU can always hold one per binding;
//! - **bounded verification time**: at most [`MAX_WORK_UNITS`] = 2³⁶
//!   multiply-accumulates (about a second on a 2-core AVX-512 CPU).

/// Largest `m`, `n`, batch and MLP width.
pub const MAX_DIM: u32 = 16_384;
/// Largest reduction length (`k`, an MLP layer's input width, `kh·kw·c`).
pub const MAX_REDUCTION: u32 = 65_536;
/// Largest input, weight or output tensor, in bytes (int32 outputs count 4 bytes each).
pub const MAX_TENSOR_BYTES: u64 = 1 << 28;
/// Largest number of MLP layers.
pub const MAX_MLP_LAYERS: u32 = 16;
/// Largest conv input height or width.
pub const MAX_IMAGE_SIDE: u32 = 8_192;
/// Largest conv input or output channel count.
pub const MAX_CHANNELS: u32 = 4_096;
/// Largest conv filter side.
pub const MAX_KERNEL: u32 = 16;
/// Largest conv stride.
pub const MAX_STRIDE: u32 = 8;
/// Largest single conv image (input or output, `h·w·c` bytes) and conv weight tensor.
pub const MAX_IMAGE_BYTES: u64 = 1 << 24;
/// Largest work (multiply-accumulates) of one job.
pub const MAX_WORK_UNITS: u64 = 1 << 36;
/// Generated biases lie in `[-MAX_BIAS_MAGNITUDE, MAX_BIAS_MAGNITUDE)`.
pub const MAX_BIAS_MAGNITUDE: i32 = 1 << 20;
