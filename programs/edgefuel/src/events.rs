//! Events for indexers and dashboards: every stake, reward, slash and
//! governance change, with before/after amounts.
//!
//! Each is recorded as Anchor's event-cpi does (`emit_cpi!`): a self-CPI to
//! the program whose data is `EVENT_IX_TAG_LE ‖ discriminator ‖ borsh`,
//! signed by the event authority PDA (`__event_authority`). The event then
//! sits in the transaction's inner instructions, where clients read it on a
//! cluster and on the local chain alike (natively `sol_log_data` reaches no
//! log), and no log truncation can drop it. `edgefuel-client`'s `events`
//! module decodes it.
use crate::state::{
    NodeStatus, Params, PauseScope, ProposalAction, ProposalStatus, Verdict, VoteChoice,
};
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed;

/// Seed of the event authority PDA (Anchor's event-cpi convention).
pub const EVENT_AUTHORITY_SEED: &[u8] = b"__event_authority";

/// Records `event` exactly as `emit_cpi!` does, for helpers that hold the
/// instruction's event authority account but not its `Context` (the macro
/// reads `ctx.accounts.event_authority`).
pub fn emit_cpi_with(event_authority: &AccountInfo, event: &impl anchor_lang::Event) -> Result<()> {
    let data = [anchor_lang::event::EVENT_IX_TAG_LE, &event.data()].concat();
    let ix = Instruction::new_with_bytes(
        crate::ID,
        &data,
        vec![AccountMeta::new_readonly(*event_authority.key, true)],
    );
    invoke_signed(
        &ix,
        std::slice::from_ref(event_authority),
        &[&[EVENT_AUTHORITY_SEED, &[crate::EVENT_AUTHORITY_AND_BUMP.1]]],
    )
    .map_err(Into::into)
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkInitialized {
    pub network: Pubkey,
    pub mint: Pubkey,
    pub guardian: Pubkey,
    pub params: Params,
    pub verifier_count: u8,
    pub verifier_threshold: u8,
    pub genesis_owner: Pubkey,
    pub genesis_supply: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paused {
    pub scope: PauseScope,
    pub flags_before: u8,
    pub flags_after: u8,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unpaused {
    pub scope: PauseScope,
    pub flags_before: u8,
    pub flags_after: u8,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRegistered {
    pub node: Pubkey,
    pub operator: Pubkey,
    pub commission_bps: u16,
    pub endpoint: String,
    pub gpu_model: String,
    pub vram_mib: u32,
    pub region: String,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeUpdated {
    pub node: Pubkey,
    pub commission_bps_before: u16,
    pub commission_bps_after: u16,
    pub pending_commission_bps: u16,
    pub commission_effective_at: i64,
    pub endpoint: String,
    pub gpu_model: String,
    pub vram_mib: u32,
    pub region: String,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentKeySet {
    pub node: Pubkey,
    pub agent_before: Pubkey,
    pub agent_after: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeExited {
    pub node: Pubkey,
    pub status_before: NodeStatus,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delegated {
    pub node: Pubkey,
    pub staker: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub pool_tokens_before: u64,
    pub pool_tokens_after: u64,
    pub pool_shares_before: u64,
    pub pool_shares_after: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undelegated {
    pub node: Pubkey,
    pub staker: Pubkey,
    pub shares: u64,
    pub bonded_shares_before: u64,
    pub bonded_shares_after: u64,
    pub unbonding_shares_after: u64,
    pub unlock_at: i64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawn {
    pub node: Pubkey,
    pub staker: Pubkey,
    pub shares: u64,
    pub amount: u64,
    pub pool_tokens_before: u64,
    pub pool_tokens_after: u64,
    pub closed: bool,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RewardsClaimed {
    pub node: Pubkey,
    pub staker: Pubkey,
    pub delegation_rewards: u64,
    pub commission: u64,
    pub total_claimed_after: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchSubmitted {
    pub node: Pubkey,
    pub batch: Pubkey,
    pub seq: u64,
    pub root: [u8; 32],
    pub leaf_count: u32,
    pub total_work: u64,
    pub epoch: u64,
    pub pending_work_after: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchSealed {
    pub batch: Pubkey,
    pub seed: [u8; 32],
    /// Sample points in work units (`proof::sample_points`).
    pub sample: Vec<u64>,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SamplesRevealed {
    pub batch: Pubkey,
    pub newly_revealed: u8,
    pub all_revealed: bool,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteCast {
    pub batch: Pubkey,
    pub verifier: Pubkey,
    pub verdict: Verdict,
    pub valid_votes: u8,
    pub invalid_votes: u8,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchAccepted {
    pub node: Pubkey,
    pub batch: Pubkey,
    pub work: u64,
    pub reward: u64,
    pub commission: u64,
    pub to_pool: u64,
    pub epoch_emitted_after: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchRejected {
    pub node: Pubkey,
    pub batch: Pubkey,
    pub slashed: u64,
    pub bounty_per_verifier: u64,
    pub to_treasury: u64,
    pub pool_tokens_before: u64,
    pub pool_tokens_after: u64,
    pub jailed_until: i64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchExpired {
    pub node: Pubkey,
    pub batch: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchMissed {
    pub node: Pubkey,
    pub batch: Pubkey,
    pub slashed: u64,
    pub pool_tokens_before: u64,
    pub pool_tokens_after: u64,
    pub jailed_until: i64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchClosed {
    pub batch: Pubkey,
    pub rent_to: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeUnjailed {
    pub node: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalCreated {
    pub proposal: Pubkey,
    pub id: u64,
    pub proposer: Pubkey,
    pub action: ProposalAction,
    pub description_uri: String,
    pub voting_ends_at: i64,
    pub total_bonded_snapshot: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalVoted {
    pub proposal: Pubkey,
    pub delegation: Pubkey,
    pub voter: Pubkey,
    pub choice: VoteChoice,
    pub weight: u64,
    pub yes_after: u64,
    pub no_after: u64,
    pub abstain_after: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalFinalized {
    pub proposal: Pubkey,
    pub status: ProposalStatus,
    pub yes: u64,
    pub no: u64,
    pub abstain: u64,
    pub executable_at: i64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalExecuted {
    pub proposal: Pubkey,
    /// Executed, or Failed when the action no longer validated.
    pub status: ProposalStatus,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalCancelled {
    pub proposal: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamsUpdated {
    pub before: Params,
    pub after: Params,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierSetChanged {
    pub count_before: u8,
    pub count_after: u8,
    pub threshold_before: u8,
    pub threshold_after: u8,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardianChanged {
    pub before: Pubkey,
    pub after: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreasuryTransferred {
    pub to: Pubkey,
    pub amount: u64,
    pub treasury_after: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeUnjailedByGovernance {
    pub node: Pubkey,
}
