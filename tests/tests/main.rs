//! EdgeFuel's program integration tests on solana-program-test with the real
//! SPL Token program: one test binary, one module per area, on the shared
//! fixture (`edgefuel_tests::TestContext`).
//!
//! `cargo test --workspace --test program -- batch::` runs one area.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// solana-program-test 3.x marks its API "unstable" (deprecated); it is the pinned harness.
#![allow(deprecated)]

mod activation;
mod batch;
mod governance;
mod model;
mod network;
mod node;
mod stake;
mod verified_work;
