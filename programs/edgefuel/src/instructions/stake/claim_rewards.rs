use super::common::settle_delegation;
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::RewardsClaimed;
use crate::instructions::network_token::mint_efuel;
use crate::math::AddChecked;
use crate::state::{Delegation, Network, Node, NodeEpochStats, PAUSE_MINTING};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct ClaimRewards<'info> {
    pub staker: Signer<'info>,
    #[account(seeds = [SEED_NETWORK], bump = network.bump)]
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
    #[account(mut, address = network.mint @ EdgeFuelError::WrongMint)]
    pub mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        constraint = staker_token.mint == network.mint @ EdgeFuelError::WrongMint,
        constraint = staker_token.owner == staker.key() @ EdgeFuelError::WrongTokenOwner,
    )]
    pub staker_token: Box<Account<'info, TokenAccount>>,
    /// The node's stats of the delegation's `activating_epoch`, when it has
    /// activating stake from an earlier epoch.
    pub activating_stats: Option<Box<Account<'info, NodeEpochStats>>>,
    pub token_program: Program<'info, Token>,
}

impl ClaimRewards<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            !self.network.is_paused(PAUSE_MINTING),
            EdgeFuelError::MintingPaused
        );
        Ok(())
    }
}

/// Specification:
/// - before: minting is not paused; the delegation has settled or accrued
///   rewards, or the staker is the operator and commission is owed.
/// - after: EFUEL equal to the delegation's rewards (plus the node's owed
///   commission when the staker is the operator) is minted to the staker;
///   `pending_rewards` (and `commission_owed`) are zero; the node's
///   `total_claimed` grows by the amount minted.
#[access_control(ctx.accounts.validate())]
pub fn handle_claim_rewards(ctx: Context<ClaimRewards>) -> Result<()> {
    let epoch = ctx.accounts.network.epoch_at(Clock::get()?.unix_timestamp);
    let node_key = ctx.accounts.node.key();
    let node = &mut ctx.accounts.node;
    let delegation = &mut ctx.accounts.delegation;
    settle_delegation(
        delegation,
        node,
        &node_key,
        &ctx.accounts.activating_stats,
        epoch,
    )?;
    let delegation_rewards = delegation.pending_rewards;
    let commission = if delegation.staker == node.operator {
        node.commission_owed
    } else {
        0
    };
    let amount = delegation_rewards
        .checked_add(commission)
        .ok_or(EdgeFuelError::MathOverflow)?;
    require!(amount > 0, EdgeFuelError::NothingToClaim);
    delegation.pending_rewards = 0;
    node.commission_owed = node
        .commission_owed
        .checked_sub(commission)
        .ok_or(EdgeFuelError::MathOverflow)?;
    delegation.total_claimed.add_checked(amount)?;
    node.total_claimed.add_checked(amount)?;

    mint_efuel(
        &ctx.accounts.network,
        ctx.accounts.mint.to_account_info(),
        ctx.accounts.staker_token.to_account_info(),
        &ctx.accounts.token_program.to_account_info(),
        amount,
    )?;
    emit_cpi!(RewardsClaimed {
        node: node.key(),
        staker: delegation.staker,
        delegation_rewards,
        commission,
        total_claimed_after: delegation.total_claimed,
    });
    Ok(())
}
