//! EdgeFuel's verifier daemon, as a library with a thin binary
//! (`edgefuel-verifier`).
//!
//! ```text
//!  programSubscribe (websocket) ──wakes──┐
//!  polling every poll_interval_secs ─────┼─▶ scan every Batch account
//!                                        │     Revealed, not voted by us → re-execute the sample
//!                                        │        from the chain (review) → vote Valid/Invalid
//!                                        └─ crank: seal, report missed, finalize, close
//! ```
//!
//! Restart-safe: whether this verifier voted is read from each batch
//! account (`Batch::has_voted`), never from local state, so a restart
//! never votes twice.
//!
//! | module | what |
//! |---|---|
//! | [`settings`] | `verifier.toml` + `EDGEFUEL_VERIFIER_*` overrides |
//! | [`review`] | re-execute a batch's revealed jobs, the verdict with its evidence |
//! | [`daemon`] | the watch loop, votes and cranks |
//! | [`metrics`] | Prometheus metrics and `/status.json` |
//! | [`cli`] | `run` |
pub mod cli;
pub mod daemon;
pub mod metrics;
pub mod review;
pub mod settings;
