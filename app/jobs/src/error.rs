//! The one error type of the job engine.

use thiserror::Error;

/// Everything that can go wrong while validating or executing a job.
///
/// Messages say what was wrong and, where it helps, what to do instead.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum JobError {
    /// The serialized spec is not the borsh encoding of a [`crate::JobSpec`].
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
    /// The shape is well formed but the job is bigger than the documented limits.
    #[error("job too large: {what} is {value}, limit {limit} (see crate docs, `limits`)")]
    TooLarge {
        /// What was measured (tensor bytes, work units...).
        what: &'static str,
        /// The measured value.
        value: u64,
        /// The limit it exceeds.
        limit: u64,
    },
    /// Explicit kernel inputs whose lengths do not match the stated dimensions.
    #[error("kernel input mismatch: {0}")]
    InputMismatch(String),
    /// No GPU adapter could be found or opened.
    #[error("no GPU adapter available: {0} (install a Vulkan driver, e.g. `apt-get install mesa-vulkan-drivers libvulkan1`)")]
    NoAdapter(String),
    /// The GPU reported an error (validation, out of memory, device lost, mapping).
    #[error("GPU error during {stage}: {message}")]
    Gpu {
        /// Which step failed.
        stage: &'static str,
        /// The driver's or wgpu's message.
        message: String,
    },
    /// A device limit is too small to run the job, even split into pieces.
    #[error("GPU limit exceeded: {0}")]
    GpuLimit(String),
}

/// Result alias of the crate.
pub type Result<T, E = JobError> = std::result::Result<T, E>;
