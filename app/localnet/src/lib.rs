//! EdgeFuel local chain: the EdgeFuel program hosted natively in a bank
//! built from solana-runtime (the same runtime solana-program-test uses),
//! advanced on a wall-clock slot timer, behind the standard Solana JSON-RPC
//! (HTTP) and PubSub (websocket) APIs.
//!
//! ```text
//!  RpcClient / CLI / web app ──HTTP :8899──▶ rpc.rs ─┐
//!  PubsubClient / wallet  ────WS  :8900──▶ ws.rs  ─┤   ┌──────────────────────┐
//!                                                   ├──▶│ chain.rs             │
//!  slot timer (400 ms) ─────────────────────────────┘   │ BankForks + history  │
//!                                                       │ EdgeFuel (native),   │
//!                                                       │ SPL Token, ATA (SBF) │
//!                                                       └──────────────────────┘
//! ```
// The agave crates are pinned at 3.1.12, whose API is marked "unstable"
// (deprecated) without the `agave-unstable-api` feature.
#![allow(deprecated)]

pub mod bootstrap;
pub mod chain;
pub mod encoding;
pub mod native_logs;
pub mod rpc;
pub mod rpc_error;
pub mod server;
pub mod ws;

pub use chain::{Chain, ChainConfig};
pub use server::{run, Options};
