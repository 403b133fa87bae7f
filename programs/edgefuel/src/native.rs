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

/// Owner, address and data of the ProgramData account that the upgradeable
/// loader keeps for a deployed program, naming `authority` as its upgrade
/// authority (no program bytes: a natively hosted program has none).
/// `initialize_network` reads its upgrade authority from this account;
/// natively the program is a builtin without one, so the test fixture and
/// the local chain store it as the loader would on a cluster.
pub fn program_data_account(authority: &Pubkey) -> (Pubkey, Pubkey, Vec<u8>) {
    use anchor_lang::solana_program::bpf_loader_upgradeable::{self, UpgradeableLoaderState};
    // bincode of `UpgradeableLoaderState::ProgramData { slot: 0,
    // upgrade_authority_address: Some(authority) }`: variant 3 (u32 LE),
    // slot (u64 LE), Option tag 1 and the key.
    let mut data = Vec::with_capacity(UpgradeableLoaderState::size_of_programdata_metadata());
    data.extend_from_slice(&3u32.to_le_bytes());
    data.extend_from_slice(&0u64.to_le_bytes());
    data.push(1);
    data.extend_from_slice(authority.as_ref());
    (crate::pda::program_data(), bpf_loader_upgradeable::ID, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountDeserialize;

    #[test]
    fn program_data_account_decodes_as_the_loader_state() {
        let authority = Pubkey::new_unique();
        let (_, _, data) = program_data_account(&authority);
        let pd = ProgramData::try_deserialize(&mut data.as_slice()).unwrap();
        assert_eq!(
            (pd.slot, pd.upgrade_authority_address),
            (0, Some(authority))
        );
    }
}
