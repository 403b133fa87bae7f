use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::ProposalVoted;
use crate::math::AddChecked;
use crate::state::{Delegation, Node, Proposal, ProposalStatus, ProposalVote, VoteChoice};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct CastVote<'info> {
    #[account(mut)]
    pub voter: Signer<'info>,
    #[account(seeds = [SEED_NODE, node.operator.as_ref()], bump = node.bump)]
    pub node: Box<Account<'info, Node>>,
    #[account(
        mut,
        seeds = [SEED_DELEGATION, node.key().as_ref(), voter.key().as_ref()],
        bump = delegation.bump,
        has_one = node @ EdgeFuelError::WrongNode,
    )]
    pub delegation: Box<Account<'info, Delegation>>,
    #[account(mut, seeds = [SEED_PROPOSAL, &proposal.id.to_le_bytes()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    #[account(
        init_if_needed,
        payer = voter,
        space = 8 + ProposalVote::INIT_SPACE,
        seeds = [SEED_PROPOSAL_VOTE, proposal.key().as_ref(), delegation.key().as_ref()],
        bump
    )]
    pub vote_record: Box<Account<'info, ProposalVote>>,
    pub system_program: Program<'info, System>,
}

impl CastVote<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let proposal = &self.proposal;
        require!(
            proposal.status == ProposalStatus::Voting,
            EdgeFuelError::ProposalNotVoting
        );
        require!(now < proposal.voting_ends_at, EdgeFuelError::VotingEnded);
        require!(
            self.vote_record.proposal == Pubkey::default(),
            EdgeFuelError::AlreadyVoted
        );
        require!(
            self.delegation.last_stake_added_at < proposal.created_at,
            EdgeFuelError::FreshStake
        );
        Ok(())
    }
}

/// Specification:
/// - before: proposal Voting and now < voting end; this delegation has not
///   voted on it; its last stake was added before the proposal opened (no
///   flash staking); it has bonded stake.
/// - after: weight = the delegation's bonded tokens now, added to the
///   choice's tally; a `ProposalVote` records it; the delegation cannot
///   undelegate before the voting end (`vote_locked_until`).
#[access_control(ctx.accounts.validate())]
pub fn handle_cast_vote(ctx: Context<CastVote>, choice: VoteChoice) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let weight = ctx.accounts.delegation.bonded_tokens(&ctx.accounts.node)?;
    require!(weight > 0, EdgeFuelError::NoVotingPower);
    let proposal_key = ctx.accounts.proposal.key();
    let delegation_key = ctx.accounts.delegation.key();
    let proposal = &mut ctx.accounts.proposal;
    match choice {
        VoteChoice::Yes => proposal.yes.add_checked(weight)?,
        VoteChoice::No => proposal.no.add_checked(weight)?,
        VoteChoice::Abstain => proposal.abstain.add_checked(weight)?,
    }
    proposal.voter_count.add_checked(1)?;
    let delegation = &mut ctx.accounts.delegation;
    delegation.vote_locked_until = delegation.vote_locked_until.max(proposal.voting_ends_at);
    let record = &mut ctx.accounts.vote_record;
    record.bump = ctx.bumps.vote_record;
    record.proposal = proposal_key;
    record.delegation = delegation_key;
    record.voter = ctx.accounts.voter.key();
    record.choice = choice;
    record.weight = weight;
    record.cast_at = now;
    emit_cpi!(ProposalVoted {
        proposal: proposal_key,
        delegation: delegation_key,
        voter: record.voter,
        choice,
        weight,
        yes_after: proposal.yes,
        no_after: proposal.no,
        abstain_after: proposal.abstain,
    });
    Ok(())
}
