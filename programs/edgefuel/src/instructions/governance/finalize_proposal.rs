use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::ProposalFinalized;
use crate::state::{Network, Proposal, ProposalStatus};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct FinalizeProposal<'info> {
    #[account(seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, seeds = [SEED_PROPOSAL, &proposal.id.to_le_bytes()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
}

/// Specification:
/// - before: proposal Voting; now ≥ voting end. Anyone may call.
/// - after: Passed when turnout (yes + no + abstain) ≥ quorum_bps of the
///   bonded snapshot and yes > approval_threshold_bps of yes + no, with
///   `executable_at = voting end + timelock_seconds`; Defeated otherwise.
pub fn handle_finalize_proposal(ctx: Context<FinalizeProposal>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let timelock = ctx.accounts.network.params.timelock_seconds;
    let proposal = &mut ctx.accounts.proposal;
    require!(
        proposal.status == ProposalStatus::Voting,
        EdgeFuelError::ProposalNotVoting
    );
    require!(
        now >= proposal.voting_ends_at,
        EdgeFuelError::VotingNotEnded
    );
    if proposal.passes() {
        proposal.status = ProposalStatus::Passed;
        proposal.executable_at = proposal
            .voting_ends_at
            .checked_add(timelock)
            .ok_or(EdgeFuelError::MathOverflow)?;
    } else {
        proposal.status = ProposalStatus::Defeated;
    }
    emit_cpi!(ProposalFinalized {
        proposal: proposal.key(),
        status: proposal.status,
        yes: proposal.yes,
        no: proposal.no,
        abstain: proposal.abstain,
        executable_at: proposal.executable_at,
    });
    Ok(())
}
