//! Shared fixture for EdgeFuel's native program tests.
//!
//! `TestContext` boots the program natively inside solana-program-test (the
//! SPL Token and Associated Token programs run from their bundled binaries),
//! initializes a network, funds actors and offers one helper per instruction
//! so each test reads like a story. The fixture is split by concern:
//! `chain` (program-test, sending, reading, clock and slots), `network`
//! (bootstrap and pause), `stake` (nodes and stake), `batches` (receipts
//! and the batch pipeline) and `governance`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// solana-program-test 3.x marks its API "unstable" (deprecated); it is the pinned harness.
#![allow(deprecated)]

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::AccountMeta;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AccountDeserialize;
use anchor_spl::associated_token::{get_associated_token_address, spl_associated_token_account};
use anchor_spl::token::spl_token;
use edgefuel::error::EdgeFuelError;
use edgefuel::{pda, Delegation, Network, Node, NodeMetadata, Params, PauseScope};
use edgefuel_client::{ix, EdgeFuelEvent};
use solana_banks_client::BanksClientError;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_program_test::{processor, ProgramTest};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub use solana_keypair;
pub use solana_signer;

mod batches;
mod chain;
mod governance;
pub mod invariants;
pub mod model;
mod network;
mod stake;

pub use batches::*;
pub use chain::*;
pub use stake::*;

/// One EFUEL in base units.
pub use edgefuel_client::amount::EFUEL;
/// Genesis supply minted to the fixture's treasury-of-funds wallet.
pub const GENESIS_SUPPLY: u64 = 1_000_000_000 * EFUEL;
/// Wall-clock time the fixture starts at (unix seconds).
pub const START_TIME: i64 = 1_800_000_000;

/// Parameters the fixture initializes the network with: the network
/// defaults that `edgefuel network init` and the local chain also start from.
pub use edgefuel_client::config::default_params;

/// A result whose error is the transaction error, for exact assertions.
pub type TxResult = Result<(), TransactionError>;

/// The anchor code of an EdgeFuel error (`6000 + variant index`).
pub fn code(err: EdgeFuelError) -> u32 {
    err as u32 + anchor_lang::error::ERROR_CODE_OFFSET
}

/// Asserts that a transaction failed with exactly this custom error code.
#[track_caller]
pub fn assert_code<T: std::fmt::Debug>(res: Result<T, TransactionError>, expected: u32) {
    match res {
        Err(TransactionError::InstructionError(_, InstructionError::Custom(c))) => {
            assert_eq!(c, expected, "expected error code {expected}, got {c}")
        }
        other => panic!("expected custom error {expected}, got {other:?}"),
    }
}

/// Asserts that a transaction failed with exactly this EdgeFuel error.
#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(res: Result<T, TransactionError>, expected: EdgeFuelError) {
    assert_code(res, code(expected))
}

/// Anchor framework error codes the tests assert on.
pub mod anchor_codes {
    use anchor_lang::error::ErrorCode;
    pub const CONSTRAINT_HAS_ONE: u32 = ErrorCode::ConstraintHasOne as u32;
    pub const CONSTRAINT_SEEDS: u32 = ErrorCode::ConstraintSeeds as u32;
    pub const CONSTRAINT_ADDRESS: u32 = ErrorCode::ConstraintAddress as u32;
    pub const ACCOUNT_NOT_INITIALIZED: u32 = ErrorCode::AccountNotInitialized as u32;
    pub const ACCOUNT_DISCRIMINATOR_MISMATCH: u32 = ErrorCode::AccountDiscriminatorMismatch as u32;
    pub const ACCOUNT_OWNED_BY_WRONG_PROGRAM: u32 = ErrorCode::AccountOwnedByWrongProgram as u32;
    pub const CONSTRAINT_TOKEN_MINT: u32 = ErrorCode::ConstraintTokenMint as u32;
}

/// Convenience re-export for tests.
pub use edgefuel::error::EdgeFuelError as E;
