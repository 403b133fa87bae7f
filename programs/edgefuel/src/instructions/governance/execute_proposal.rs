use super::actions::{apply_to_network, check_action};
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::{
    emit_cpi_with, NodeUnjailedByGovernance, ProposalExecuted, TreasuryTransferred,
};
use crate::instructions::network_token::transfer_from_network;
use crate::state::{Network, Node, NodeStatus, Proposal, ProposalAction, ProposalStatus};
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Permissionless. `remaining_accounts[0]` is the destination EFUEL account
/// of a `TreasuryTransfer`, or the `Node` of an `UnjailNode` (writable).
#[event_cpi]
#[derive(Accounts)]
pub struct ExecuteProposal<'info> {
    #[account(mut, seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, seeds = [SEED_PROPOSAL, &proposal.id.to_le_bytes()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    #[account(mut, address = network.treasury)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Specification:
/// - before: proposal Passed; now ≥ executable_at; the action's account (if
///   any) is passed as the first remaining account.
/// - after `executable_at + EXECUTION_WINDOW_SECONDS`: the proposal is
///   Expired and nothing is applied.
/// - after: the action is re-validated exactly as at creation (and as
///   `initialize_network` validates): if it still holds it is applied
///   (params, verifier set, threshold, guardian, treasury transfer of exactly
///   `amount`, node unjailed) and the proposal is Executed; if not, nothing
///   is applied and it is Failed. A params update also fails when another
///   params change landed after it was created (`params_version`). Either
///   way it never executes again.
pub fn handle_execute_proposal<'info>(ctx: Context<'info, ExecuteProposal<'info>>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    {
        let proposal = &ctx.accounts.proposal;
        require!(
            proposal.status == ProposalStatus::Passed,
            EdgeFuelError::ProposalNotPassed
        );
        require!(
            now >= proposal.executable_at,
            EdgeFuelError::TimelockNotElapsed
        );
    }
    // Too late: the proposal expires, nothing is applied.
    let expires_at = ctx
        .accounts
        .proposal
        .executable_at
        .checked_add(EXECUTION_WINDOW_SECONDS)
        .ok_or(EdgeFuelError::MathOverflow)?;
    if now > expires_at {
        msg!("proposal expired unexecuted at {}", expires_at);
        return finish(ctx.accounts, ProposalStatus::Expired, now);
    }
    let action = ctx.accounts.proposal.action.clone();
    let target = match &action {
        ProposalAction::TreasuryTransfer { to, .. } | ProposalAction::UnjailNode(to) => {
            let info = ctx
                .remaining_accounts
                .first()
                .ok_or(EdgeFuelError::WrongProposalAccounts)?;
            require!(
                info.key() == *to && info.is_writable,
                EdgeFuelError::WrongProposalAccounts
            );
            Some(info)
        }
        _ => None,
    };
    let balance = ctx.accounts.treasury.amount;
    // An action that no longer validates fails the proposal (below) instead
    // of the transaction; the reason goes to the logs.
    let mut valid = match check_action(&ctx.accounts.network, &action, Some(balance)) {
        Ok(()) => true,
        Err(e) => {
            msg!("proposal action no longer valid: {}", e);
            false
        }
    };
    // A params update written against older params must not undo a newer
    // change: it applies only to the params version it was created on.
    let (created_on, current) = (
        ctx.accounts.proposal.params_version,
        ctx.accounts.network.params_version,
    );
    if matches!(action, ProposalAction::UpdateParams(_)) && created_on != current {
        msg!(
            "params changed since this proposal was created (version {} -> {})",
            created_on,
            current
        );
        valid = false;
    }

    match (&action, target) {
        (ProposalAction::TreasuryTransfer { amount, .. }, Some(info)) => {
            let dest = Account::<TokenAccount>::try_from(info).ok();
            valid &= dest.is_some_and(|d| d.mint == ctx.accounts.network.mint);
            if valid {
                transfer_from_network(
                    &ctx.accounts.network,
                    ctx.accounts.treasury.to_account_info(),
                    info.clone(),
                    &ctx.accounts.token_program.to_account_info(),
                    *amount,
                )?;
                emit_cpi!(TreasuryTransferred {
                    to: info.key(),
                    amount: *amount,
                    treasury_after: balance.saturating_sub(*amount),
                });
            }
        }
        (ProposalAction::UnjailNode(_), Some(info)) => match Account::<Node>::try_from(info) {
            Ok(mut node) if valid && node.status == NodeStatus::Jailed => {
                node.status = NodeStatus::Active;
                node.jailed_until = now;
                node.exit(&crate::ID)?;
                emit_cpi!(NodeUnjailedByGovernance { node: info.key() });
            }
            _ => valid = false,
        },
        _ => {
            if valid {
                apply_to_network(
                    &mut ctx.accounts.network,
                    &action,
                    &ctx.accounts.event_authority,
                )?;
            }
        }
    }

    let status = if valid {
        ProposalStatus::Executed
    } else {
        ProposalStatus::Failed
    };
    finish(ctx.accounts, status, now)
}

/// Records the proposal's final status (it never executes again).
fn finish(accounts: &mut ExecuteProposal, status: ProposalStatus, now: i64) -> Result<()> {
    let proposal = &mut accounts.proposal;
    proposal.status = status;
    proposal.executed_at = now;
    let event = ProposalExecuted {
        proposal: proposal.key(),
        status,
    };
    emit_cpi_with(&accounts.event_authority, &event)
}
