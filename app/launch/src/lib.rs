//! Starting EdgeFuel's processes: the local chain ([`chain::LocalChain`]),
//! the `edgefuel-node` / `edgefuel-verifier` daemons ([`daemon::Daemon`]) and
//! the operators who run nodes ([`operator::register_node`]).
//! The demo (`edgefuel-demo`) and the benchmarks (`edgefuel-bench`) both run
//! the network through this crate.
//!
//! Every process is a real process. A daemon is the built `edgefuel-node` /
//! `edgefuel-verifier` binary next to the running executable when there is
//! one, else the running executable re-run with a hidden first argument
//! that calls the same library entry point; the chain is always the running
//! executable re-run with [`chain::CHILD_ARG`]. An executable that uses this
//! crate calls [`dispatch`] first thing in `main`.
pub mod chain;
pub mod daemon;
pub mod operator;

pub use chain::LocalChain;
pub use daemon::Daemon;

use std::ffi::OsString;

/// Runs the hidden child process named by `args[1]` (the local chain, a node
/// agent or a verifier) and returns its exit code; `None` when `args` are
/// not a child's, and the executable goes on with its own work.
pub fn dispatch(args: &[OsString]) -> Option<i32> {
    // `<exe> __kind args…` → `edgefuel-kind args…`.
    let daemon_args = |kind: &str| -> Vec<OsString> {
        std::iter::once(OsString::from(format!("edgefuel-{kind}")))
            .chain(args.iter().skip(2).cloned())
            .collect()
    };
    match args.get(1).and_then(|a| a.to_str()) {
        Some(chain::CHILD_ARG) => Some(chain::child_main(args.to_vec())),
        Some(daemon::NODE_ARG) => Some(edgefuel_node::cli::main(daemon_args("node"))),
        Some(daemon::VERIFIER_ARG) => Some(edgefuel_verifier::cli::main(daemon_args("verifier"))),
        _ => None,
    }
}
