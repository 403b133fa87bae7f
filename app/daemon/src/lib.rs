//! What EdgeFuel's daemons (`edgefuel-node`, `edgefuel-verifier`) share:
//!
//! | module | what |
//! |---|---|
//! | [`settings`] | a TOML file with `PREFIX_KEY` / `PREFIX_SECTION__KEY` environment overrides |
//! | [`keys`] | keypair files, with errors that name the file |
//! | [`http`] | the 127.0.0.1 HTTP server (`/healthz`, `/metrics`, pages) |
//! | [`shutdown`] | Ctrl-C / SIGTERM as a value every loop can wait on |
//! | [`logging`] | `tracing` to stderr, `RUST_LOG` filter |
//! | [`phases`] | `phase_seconds_total{phase}`: where the daemon's time goes |
pub mod http;
pub mod keys;
pub mod logging;
pub mod phases;
pub mod settings;
pub mod shutdown;

pub use shutdown::Shutdown;

/// Why a daemon could not start. Every variant names the file, variable or
/// address involved.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot read the settings file {path}: {source}")]
    ReadSettings {
        path: String,
        source: std::io::Error,
    },
    #[error("settings file {path}: {message}")]
    Settings { path: String, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("keypair file {path}: {message}")]
    Keypair { path: String, message: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}
