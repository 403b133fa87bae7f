//! Governance: proposals and the votes cast on them.
use crate::constants::*;
use crate::state::Params;
use anchor_lang::prelude::*;

/// What a proposal does when executed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub enum ProposalAction {
    /// Replace every protocol parameter (validated like `initialize_network`).
    UpdateParams(Params),
    /// Add a verifier to the set (the threshold must stay a majority).
    AddVerifier(Pubkey),
    /// Remove a verifier from the set (the threshold must stay ≤ the set size).
    RemoveVerifier(Pubkey),
    /// Set the number of agreeing votes that finalize a batch.
    SetVerifierThreshold(u8),
    /// Name a new guardian (pause/unpause only).
    SetGuardian(Pubkey),
    /// Move EFUEL from the treasury to a token account.
    TreasuryTransfer {
        /// Destination EFUEL token account.
        to: Pubkey,
        /// Amount (base units).
        amount: u64,
    },
    /// Lift a node's jail before its term ends.
    UnjailNode(Pubkey),
}

/// Where a proposal is in its life.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum ProposalStatus {
    /// Open for votes until `voting_ends_at`.
    Voting,
    /// Passed quorum and threshold; executable from `executable_at`.
    Passed,
    /// Did not pass.
    Defeated,
    /// Executed: its action was applied.
    Executed,
    /// Execution found the action no longer valid; nothing was applied.
    Failed,
    /// Withdrawn by the proposer during voting.
    Cancelled,
    /// Passed but not executed within `EXECUTION_WINDOW_SECONDS` after
    /// `executable_at`; nothing was applied.
    Expired,
}

/// A voter's choice.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum VoteChoice {
    Yes,
    No,
    Abstain,
}

/// A governance proposal. PDA `[SEED_PROPOSAL, id LE]`, ids sequential from 0.
/// Fixed size `8 + Proposal::INIT_SPACE` bytes.
#[account]
#[derive(InitSpace, Debug)]
pub struct Proposal {
    /// PDA bump.
    pub bump: u8,
    /// Sequential id (`network.proposal_count` at creation).
    pub id: u64,
    /// Wallet that proposed it.
    pub proposer: Pubkey,
    /// The proposer's delegation that met `min_proposal_stake`.
    pub proposer_delegation: Pubkey,
    /// What it does.
    pub action: ProposalAction,
    /// Where the rationale lives (URL, ≤ 200 printable ASCII bytes).
    #[max_len(200)]
    pub description_uri: String,
    /// Creation time (unix seconds); stake added at or after it cannot vote.
    pub created_at: i64,
    /// End of voting (unix seconds, exclusive).
    pub voting_ends_at: i64,
    /// Earliest execution (unix seconds): voting end + timelock; 0 until passed.
    pub executable_at: i64,
    /// `network.total_bonded` when the proposal opened: the quorum base
    /// (base units).
    pub total_bonded_snapshot: u64,
    /// `quorum_bps` at creation.
    pub quorum_bps: u16,
    /// `approval_threshold_bps` at creation.
    pub approval_threshold_bps: u16,
    /// Yes weight (base units of bonded stake).
    pub yes: u64,
    /// No weight (base units).
    pub no: u64,
    /// Abstain weight (base units); counts for turnout only.
    pub abstain: u64,
    /// Votes cast.
    pub voter_count: u32,
    /// Lifecycle status.
    pub status: ProposalStatus,
    /// When it was executed, failed or expired (unix seconds; 0 before).
    pub executed_at: i64,
    /// `network.params_version` when it was created: an `UpdateParams`
    /// proposal fails if another params change landed since.
    pub params_version: u64,
    /// Reserved for future fields.
    pub reserved: [u8; 56],
}

impl Proposal {
    /// Turnout ≥ quorum_bps of the bonded snapshot, and yes > threshold_bps of
    /// yes + no. Both compared in u128 without rounding.
    pub fn passes(&self) -> bool {
        let turnout = self.yes as u128 + self.no as u128 + self.abstain as u128;
        let quorum_ok = turnout * BPS_DENOMINATOR as u128
            >= self.total_bonded_snapshot as u128 * self.quorum_bps as u128;
        let decided = self.yes as u128 + self.no as u128;
        let approval_ok = decided > 0
            && self.yes as u128 * BPS_DENOMINATOR as u128
                > decided * self.approval_threshold_bps as u128;
        quorum_ok && approval_ok && self.total_bonded_snapshot > 0
    }
}

/// One delegation's vote on one proposal. PDA `[SEED_PROPOSAL_VOTE, proposal, delegation]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct ProposalVote {
    /// PDA bump.
    pub bump: u8,
    /// The proposal.
    pub proposal: Pubkey,
    /// The delegation whose bonded stake voted.
    pub delegation: Pubkey,
    /// The staker who signed.
    pub voter: Pubkey,
    /// The choice.
    pub choice: VoteChoice,
    /// Bonded tokens at vote time (base units).
    pub weight: u64,
    /// When (unix seconds).
    pub cast_at: i64,
}
