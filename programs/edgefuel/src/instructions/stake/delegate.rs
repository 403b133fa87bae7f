use super::common::settle_delegation;
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::Delegated;
use crate::math::AddChecked;
use crate::state::{Delegation, Network, Node, NodeEpochStats, NodeStatus};
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

#[event_cpi]
#[derive(Accounts)]
#[instruction(amount: u64, epoch: u64)]
pub struct Delegate<'info> {
    #[account(mut)]
    pub staker: Signer<'info>,
    #[account(mut, seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, seeds = [SEED_NODE, node.operator.as_ref()], bump = node.bump)]
    pub node: Box<Account<'info, Node>>,
    #[account(
        init_if_needed,
        payer = staker,
        space = 8 + Delegation::INIT_SPACE,
        seeds = [SEED_DELEGATION, node.key().as_ref(), staker.key().as_ref()],
        bump
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
    /// The node's stats of the current epoch (created on first use): its
    /// `acc_end` is where the new stake's activation starts.
    #[account(
        init_if_needed,
        payer = staker,
        space = 8 + NodeEpochStats::INIT_SPACE,
        seeds = [SEED_NODE_EPOCH, node.key().as_ref(), &epoch.to_le_bytes()],
        bump
    )]
    pub epoch_stats: Box<Account<'info, NodeEpochStats>>,
    /// The node's stats of the delegation's `activating_epoch`, when it has
    /// activating stake from an earlier epoch.
    pub activating_stats: Option<Box<Account<'info, NodeEpochStats>>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl Delegate<'_> {
    pub fn validate(&self, amount: u64, epoch: u64) -> Result<()> {
        require!(amount > 0, EdgeFuelError::ZeroAmount);
        let now = Clock::get()?.unix_timestamp;
        require!(
            epoch == self.network.epoch_at(now),
            EdgeFuelError::WrongEpoch
        );
        require!(
            self.node.status != NodeStatus::Exiting,
            EdgeFuelError::NodeExiting
        );
        Ok(())
    }
}

/// Specification:
/// - before: amount > 0; node not exiting; the staker's EFUEL account holds
///   `amount`; the pool is not wiped out; the deposit mints ≥ 1 share.
/// - after: `amount` moved staker → vault; the delegation (created on first
///   use) holds `floor(amount · shares / tokens)` more bonded shares (1:1 for
///   the first deposit); pool tokens/shares and bonded shares grow; the
///   operator's own stake grows when the staker is the operator; rewards
///   accrued so far are settled; `network.total_bonded` tracks the change.
/// - activation: the new shares (and any of the delegation's shares still
///   activating from the previous epoch) activate from `epoch`: they earn
///   only from batches committed in later epochs. `epoch` must be the
///   current epoch; its stats account records the accumulator they start
///   from.
#[access_control(ctx.accounts.validate(amount, epoch))]
pub fn handle_delegate(ctx: Context<Delegate>, amount: u64, epoch: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let staker = ctx.accounts.staker.key();
    let node_key = ctx.accounts.node.key();
    let node = &mut ctx.accounts.node;
    let delegation = &mut ctx.accounts.delegation;
    if delegation.node == Pubkey::default() {
        delegation.bump = ctx.bumps.delegation;
        delegation.node = node_key;
        delegation.staker = staker;
        node.delegation_count.add_checked(1)?;
    }
    let stats = &mut ctx.accounts.epoch_stats;
    if stats.node == Pubkey::default() {
        stats.bump = ctx.bumps.epoch_stats;
        stats.node = node_key;
        stats.epoch = epoch;
        stats.acc_end = node.acc_reward_per_share;
    }
    let pool_tokens_before = node.pool_tokens;
    let pool_shares_before = node.pool_shares;

    settle_delegation(
        delegation,
        node,
        &node_key,
        &ctx.accounts.activating_stats,
        epoch,
    )?;
    let is_operator = staker == node.operator;
    let shares = ctx
        .accounts
        .network
        .track_pool(node, |node| node.deposit(amount, is_operator))?;
    delegation.add_bonded(node, shares, epoch)?;
    delegation.last_stake_added_at = now;

    token::transfer(
        CpiContext::new(
            ctx.accounts.token_program.key(),
            Transfer {
                from: ctx.accounts.staker_token.to_account_info(),
                to: ctx.accounts.vault.to_account_info(),
                authority: ctx.accounts.staker.to_account_info(),
            },
        ),
        amount,
    )?;
    emit_cpi!(Delegated {
        node: node_key,
        staker,
        amount,
        shares,
        pool_tokens_before,
        pool_tokens_after: node.pool_tokens,
        pool_shares_before,
        pool_shares_after: node.pool_shares,
    });
    Ok(())
}
