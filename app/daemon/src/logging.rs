//! `tracing` to stderr; `RUST_LOG` overrides the default filter.
use tracing_subscriber::EnvFilter;

/// Installs the subscriber (`default` is the filter without `RUST_LOG`).
pub fn init(default: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default)),
        )
        .with_writer(std::io::stderr)
        .try_init();
}
