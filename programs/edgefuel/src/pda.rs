//! PDA derivation for every EdgeFuel account, shared by tests and clients.
use crate::constants::*;
use anchor_lang::prelude::Pubkey;

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &crate::ID).0
}

/// The `Network` account.
pub fn network() -> Pubkey {
    find(&[SEED_NETWORK])
}
/// The EFUEL mint.
pub fn mint() -> Pubkey {
    find(&[SEED_MINT])
}
/// The stake vault.
pub fn vault() -> Pubkey {
    find(&[SEED_VAULT])
}
/// The treasury token account.
pub fn treasury() -> Pubkey {
    find(&[SEED_TREASURY])
}
/// An operator's `Node`.
pub fn node(operator: &Pubkey) -> Pubkey {
    find(&[SEED_NODE, operator.as_ref()])
}
/// A staker's `Delegation` in a node.
pub fn delegation(node: &Pubkey, staker: &Pubkey) -> Pubkey {
    find(&[SEED_DELEGATION, node.as_ref(), staker.as_ref()])
}
/// A node's batch `seq`.
pub fn batch(node: &Pubkey, seq: u64) -> Pubkey {
    find(&[SEED_BATCH, node.as_ref(), &seq.to_le_bytes()])
}
/// A node's stats for `epoch`.
pub fn node_epoch(node: &Pubkey, epoch: u64) -> Pubkey {
    find(&[SEED_NODE_EPOCH, node.as_ref(), &epoch.to_le_bytes()])
}
/// Governance proposal `id`.
pub fn proposal(id: u64) -> Pubkey {
    find(&[SEED_PROPOSAL, &id.to_le_bytes()])
}
/// A delegation's vote on a proposal.
pub fn proposal_vote(proposal: &Pubkey, delegation: &Pubkey) -> Pubkey {
    find(&[SEED_PROPOSAL_VOTE, proposal.as_ref(), delegation.as_ref()])
}
/// The event authority: the PDA that signs the program's event self-CPIs
/// (`crate::events`); every instruction that emits takes it, followed by
/// the program account.
pub fn event_authority() -> Pubkey {
    crate::EVENT_AUTHORITY_AND_BUMP.0
}
/// The program's ProgramData account (upgradeable loader): holds its
/// upgrade authority, which alone may initialize the network.
pub fn program_data() -> Pubkey {
    Pubkey::find_program_address(
        &[crate::ID.as_ref()],
        &anchor_lang::solana_program::bpf_loader_upgradeable::ID,
    )
    .0
}
