//! EdgeFuel client library: everything an off-chain program needs to talk to
//! the EdgeFuel program over standard Solana JSON-RPC.
//!
//! | module | what |
//! |---|---|
//! | [`pda`] | PDA derivation (the program crate's own `edgefuel::pda`) |
//! | [`ix`] | one builder per instruction, returning `Instruction` |
//! | [`accounts`] | account decoding (discriminator checked) and `getProgramAccounts` filters |
//! | [`idl`] | the committed IDL as data: account → JSON, error names, field offsets |
//! | [`rpc`] | [`EdgeFuelClient`]: fetch/list accounts, send with retries and confirmation |
//! | [`events`] | [`EdgeFuelEvent`]: the program's events decoded from a landed transaction |
//! | [`error`] | [`ClientError`], custom error codes → names and messages |
//! | [`amount`] | exact EFUEL decimal ⇄ base units |
//! | [`cluster`] | `--url` monikers and Solana Explorer links |
//! | [`config`] | network bootstrap file (`network.toml`) and default params |
//! | [`receipts`] | [`ReceiptBatch`]: jobs → receipts → sum tree → submit args → reveal items |
//!
//! Layouts, instruction data and seeds all come from the program crate
//! (`edgefuel`, feature `no-entrypoint`); nothing is declared twice.
pub mod accounts;
pub mod amount;
pub mod cluster;
pub mod config;
pub mod error;
pub mod events;
pub mod idl;
pub mod ix;
pub mod receipts;
pub mod rpc;

pub use anchor_lang;
pub use anchor_lang::prelude::Pubkey;
pub use anchor_lang::solana_program::instruction::Instruction;
pub use edgefuel;
pub use edgefuel::pda;
pub use error::{ClientError, ProgramErrorInfo, TxFailure};
pub use events::{EdgeFuelEvent, EventError};
pub use receipts::{ReceiptBatch, ReceiptError};
pub use rpc::{EdgeFuelClient, RetryPolicy};
pub use solana_commitment_config::CommitmentConfig;
pub use solana_rpc_client;
pub use solana_rpc_client_api;
pub use solana_signature;
