use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::Withdrawn;
use crate::instructions::network_token::transfer_from_network;
use crate::state::{Delegation, Network, Node};
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct Withdraw<'info> {
    #[account(mut)]
    pub staker: Signer<'info>,
    #[account(mut, seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, seeds = [SEED_NODE, node.operator.as_ref()], bump = node.bump)]
    pub node: Box<Account<'info, Node>>,
    #[account(
        mut,
        seeds = [SEED_DELEGATION, node.key().as_ref(), staker.key().as_ref()],
        bump = delegation.bump,
        has_one = staker,
        has_one = node @ EdgeFuelError::WrongNode,
    )]
    pub delegation: Box<Account<'info, Delegation>>,
    #[account(
        mut,
        constraint = staker_token.mint == network.mint @ EdgeFuelError::WrongMint,
        constraint = staker_token.owner == staker.key() @ EdgeFuelError::WrongTokenOwner,
    )]
    pub staker_token: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = network.vault)]
    pub vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Withdraw<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.delegation.unbonding_shares > 0,
            EdgeFuelError::NothingToWithdraw
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now >= self.delegation.unlock_at,
            EdgeFuelError::StillUnbonding
        );
        Ok(())
    }
}

/// Specification:
/// - before: the delegation has unbonding shares and `now ≥ unlock_at`.
/// - after: the unbonding shares are burnt for `floor(shares · pool_tokens /
///   pool_shares)` tokens at today's rate (a slash during the cooldown is
///   felt), moved vault → staker; the rounding dust stays in the pool and
///   `network.total_bonded` follows the bonded shares' new value; when the
///   delegation is left with no shares and no unclaimed rewards it is closed
///   and its rent returned.
#[access_control(ctx.accounts.validate())]
pub fn handle_withdraw(ctx: Context<Withdraw>) -> Result<()> {
    let node = &mut ctx.accounts.node;
    let delegation = &mut ctx.accounts.delegation;
    let shares = delegation.unbonding_shares;
    let pool_tokens_before = node.pool_tokens;
    let amount = ctx
        .accounts
        .network
        .track_pool(node, |node| node.redeem(shares))?;
    delegation.unbonding_shares = 0;
    delegation.unlock_at = 0;

    transfer_from_network(
        &ctx.accounts.network,
        ctx.accounts.vault.to_account_info(),
        ctx.accounts.staker_token.to_account_info(),
        &ctx.accounts.token_program.to_account_info(),
        amount,
    )?;
    let closed = delegation.is_empty();
    if closed {
        node.delegation_count = node.delegation_count.saturating_sub(1);
    }
    emit_cpi!(Withdrawn {
        node: node.key(),
        staker: delegation.staker,
        shares,
        amount,
        pool_tokens_before,
        pool_tokens_after: node.pool_tokens,
        closed,
    });
    if closed {
        ctx.accounts
            .delegation
            .close(ctx.accounts.staker.to_account_info())?;
    }
    Ok(())
}
