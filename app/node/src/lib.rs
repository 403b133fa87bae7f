//! EdgeFuel's node agent, as a library with a thin binary (`edgefuel-node`).
//!
//! ```text
//!  settings (TOML + env) ─▶ Agent::run ─┬─ workload: job specs under the bound-seed rule
//!                                       ├─ edgefuel-jobs backend (GPU or CPU): outputs
//!                                       ├─ journal (SQLite): receipts and batch states,
//!                                       │    written before acting on the chain
//!                                       ├─ edgefuel-client: submit, seal, reveal, finalize, claim
//!                                       └─ HTTP on 127.0.0.1: /healthz, /metrics, / (dashboard)
//! ```
//!
//! | module | what |
//! |---|---|
//! | [`settings`] | `node.toml`: RPC, keys, backend, batch size and interval, ports, data dir |
//! | [`journal`] | the SQLite journal: every receipt and batch state with its signatures |
//! | [`workload`] | which jobs a batch runs (seeds bound to program, node, seq and leaf) |
//! | [`batch`] | receipts → Merkle tree → submit arguments → reveal items |
//! | [`agent`] | the run loop: build, submit, seal, reveal, follow to the verdict, claim |
//! | [`energy`] | joules per job: NVML for NVIDIA GPUs, RAPL for the CPU, else an estimate, labelled |
//! | [`metrics`] | Prometheus metrics |
//! | [`dashboard`] | the local page and `/status.json` |
//! | [`doctor`] | `edgefuel-node doctor`: every precondition, ok or what to do |
//! | [`cli`] | `init`, `doctor`, `run` |
pub mod agent;
pub mod batch;
pub mod cli;
pub mod dashboard;
pub mod doctor;
pub mod energy;
pub mod journal;
pub mod metrics;
pub mod settings;
pub mod workload;
