//! The one error type of the job engine.

use thiserror::Error;

/// Everything that can go wrong while validating or executing a job.
///
/// Messages say what was wrong and, where it helps, what to do instead.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum JobError {
    /// The spec or shape was refused (decoding, unknown kind, limits).
    #[error(transparent)]
    Spec(#[from] edgefuel_spec::SpecError),
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
