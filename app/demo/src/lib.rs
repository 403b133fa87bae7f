//! EdgeFuel's one-command local network demo.
//!
//! ```text
//!  edgefuel-demo ──spawns──▶ edgefuel-demo __localnet-child   (edgefuel-launch: edgefuel_localnet::run,
//!       │                     on free 127.0.0.1 ports,          default bootstrap, keys
//!       │                     stops when the demo ends)         in a scratch directory)
//!       │                                 ▲
//!       └── edgefuel-client ── JSON-RPC ──┘   (or --url: any running EdgeFuel chain)
//!            operator, stakers, node agent (edgefuel-jobs on the CPU, edgefuel::proof),
//!            verifiers (edgefuel-jobs on the GPU), cranks
//! ```
//!
//! [`run`] tells the story step by step ([`story`]) and returns the exact
//! numbers as a [`Summary`] (`--output json`), after checking every one of
//! them against an independent computation ([`expected`]).
pub mod agent;
pub mod chart;
pub mod expected;
pub mod network;
pub mod story;
pub mod summary;
pub mod verifier;

pub use summary::Summary;

use std::path::PathBuf;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// An already running chain (JSON-RPC URL); `None` starts a local one.
    pub url: Option<String>,
    /// Keypairs of the running chain (`--url`): its verifiers and a wallet
    /// with EFUEL and SOL to fund the demo's operator and stakers.
    pub keys: Option<PathBuf>,
    /// Jobs in the honest batch.
    pub jobs: u32,
    /// Size of every job.
    pub size: agent::JobSize,
    /// Print the human story to stderr (stdout is kept for the JSON summary).
    pub json: bool,
    /// Show a progress bar while jobs run (only drawn on a terminal).
    pub progress: bool,
}

/// Where the story's lines go: stdout, or stderr when stdout carries JSON.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// One line of the story.
    pub fn line(&self, text: impl AsRef<str>) {
        if self.json {
            eprintln!("{}", text.as_ref());
        } else {
            println!("{}", text.as_ref());
        }
    }

    /// A numbered step heading.
    pub fn step(&self, n: u32, text: impl AsRef<str>) {
        self.line(format!("\n[{n:>2}] {}", text.as_ref()));
    }
}

/// Runs the whole demo: starts the local chain (unless `--url`), tells the
/// story, checks it and returns the summary.
pub async fn run(opts: Options) -> anyhow::Result<Summary> {
    story::run(opts).await
}
