use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::ProposalCancelled;
use crate::state::{Proposal, ProposalStatus};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct CancelProposal<'info> {
    pub proposer: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_PROPOSAL, &proposal.id.to_le_bytes()],
        bump = proposal.bump,
        has_one = proposer @ EdgeFuelError::NotProposer,
    )]
    pub proposal: Box<Account<'info, Proposal>>,
}

/// Specification:
/// - before: signer is the proposer; proposal Voting; now < voting end.
/// - after: Cancelled; it can never pass or execute. Votes already cast
///   keep their delegations locked until the original voting end.
pub fn handle_cancel_proposal(ctx: Context<CancelProposal>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let proposal = &mut ctx.accounts.proposal;
    require!(
        proposal.status == ProposalStatus::Voting,
        EdgeFuelError::ProposalNotVoting
    );
    require!(now < proposal.voting_ends_at, EdgeFuelError::VotingEnded);
    proposal.status = ProposalStatus::Cancelled;
    emit_cpi!(ProposalCancelled {
        proposal: proposal.key()
    });
    Ok(())
}
