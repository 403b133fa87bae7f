use super::actions::check_action;
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::ProposalCreated;
use crate::math::AddChecked;
use crate::state::{Delegation, Network, Node, Proposal, ProposalAction, ProposalStatus};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateProposalArgs {
    /// What the proposal does.
    pub action: ProposalAction,
    /// Where the rationale lives (1..=200 printable ASCII bytes).
    pub description_uri: String,
}

#[event_cpi]
#[derive(Accounts)]
pub struct CreateProposal<'info> {
    #[account(mut)]
    pub proposer: Signer<'info>,
    #[account(mut, seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(seeds = [SEED_NODE, node.operator.as_ref()], bump = node.bump)]
    pub node: Box<Account<'info, Node>>,
    #[account(
        seeds = [SEED_DELEGATION, node.key().as_ref(), proposer.key().as_ref()],
        bump = delegation.bump,
        has_one = node @ EdgeFuelError::WrongNode,
    )]
    pub delegation: Box<Account<'info, Delegation>>,
    #[account(
        init,
        payer = proposer,
        space = 8 + Proposal::INIT_SPACE,
        seeds = [SEED_PROPOSAL, &network.proposal_count.to_le_bytes()],
        bump
    )]
    pub proposal: Box<Account<'info, Proposal>>,
    pub system_program: Program<'info, System>,
}

impl CreateProposal<'_> {
    pub fn validate(&self, args: &CreateProposalArgs) -> Result<()> {
        let uri = &args.description_uri;
        require!(
            !uri.is_empty()
                && uri.len() <= MAX_DESCRIPTION_URI_LEN
                && uri.bytes().all(|b| (0x20..0x7f).contains(&b)),
            EdgeFuelError::InvalidDescription
        );
        let stake = self.delegation.bonded_tokens(&self.node)?;
        require!(
            stake >= self.network.params.min_proposal_stake,
            EdgeFuelError::BelowProposalStake
        );
        check_action(&self.network, &args.action, None)
    }
}

/// Specification:
/// - before: the proposer's delegation (in the given node) holds ≥
///   `min_proposal_stake` bonded tokens; the description URI is 1..=200
///   printable bytes; the action is valid against today's state (params pass
///   every bound and the incentive rule; verifier-set changes keep a valid
///   threshold; amounts > 0).
/// - after: `Proposal` #`network.proposal_count` is open for
///   `voting_seconds` with the current bonded total as quorum base;
///   `proposal_count` + 1.
#[access_control(ctx.accounts.validate(&args))]
pub fn handle_create_proposal(
    ctx: Context<CreateProposal>,
    args: CreateProposalArgs,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let network = &mut ctx.accounts.network;
    let proposal = &mut ctx.accounts.proposal;
    proposal.bump = ctx.bumps.proposal;
    proposal.id = network.proposal_count;
    proposal.proposer = ctx.accounts.proposer.key();
    proposal.proposer_delegation = ctx.accounts.delegation.key();
    proposal.action = args.action.clone();
    proposal.description_uri = args.description_uri.clone();
    proposal.created_at = now;
    proposal.voting_ends_at = now
        .checked_add(network.params.voting_seconds)
        .ok_or(EdgeFuelError::MathOverflow)?;
    proposal.total_bonded_snapshot = network.total_bonded;
    proposal.quorum_bps = network.params.quorum_bps;
    proposal.approval_threshold_bps = network.params.approval_threshold_bps;
    proposal.status = ProposalStatus::Voting;
    proposal.params_version = network.params_version;
    network.proposal_count.add_checked(1)?;
    emit_cpi!(ProposalCreated {
        proposal: proposal.key(),
        id: proposal.id,
        proposer: proposal.proposer,
        action: args.action,
        description_uri: args.description_uri,
        voting_ends_at: proposal.voting_ends_at,
        total_bonded_snapshot: proposal.total_bonded_snapshot,
    });
    Ok(())
}
