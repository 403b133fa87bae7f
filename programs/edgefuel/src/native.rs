//! Hosts the program natively (no SBF): the one adapter that tests, the
//! local chain and benchmarks share.
//!
//! Anchor's generated `entry` takes one lifetime for all its arguments while
//! the native builtin interface passes independent ones. The adapter copies
//! the program id, the `AccountInfo` list and the data into leaked boxes that
//! live for the account lifetime. Clones of an `AccountInfo` share their
//! `Rc<RefCell<…>>` lamports and data, so every write and CPI lands in the
//! runtime's accounts. The leak is a few hundred bytes per instruction, on
//! test and local-chain hosts only.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::entrypoint::ProgramResult;

/// Native entrypoint with independent lifetimes, for `processor!`.
pub fn process_instruction<'a, 'b>(
    program_id: &'a Pubkey,
    accounts: &'a [AccountInfo<'b>],
    data: &'a [u8],
) -> ProgramResult {
    let accounts: &'b [AccountInfo<'b>] = Box::leak(accounts.to_vec().into_boxed_slice());
    let program_id: &'b Pubkey = Box::leak(Box::new(*program_id));
    let data: &'b [u8] = Box::leak(data.to_vec().into_boxed_slice());
    crate::entry(program_id, accounts, data)
}
