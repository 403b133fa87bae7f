use super::common::settle_delegation;
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::Undelegated;
use crate::math::AddChecked;
use crate::state::{Delegation, Network, Node, NodeEpochStats};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct Undelegate<'info> {
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
    /// The node's stats of the delegation's `activating_epoch`, when it has
    /// activating stake from an earlier epoch.
    pub activating_stats: Option<Box<Account<'info, NodeEpochStats>>>,
}

impl Undelegate<'_> {
    pub fn validate(&self, shares: u64) -> Result<()> {
        require!(shares > 0, EdgeFuelError::ZeroAmount);
        let now = Clock::get()?.unix_timestamp;
        if now < self.delegation.vote_locked_until {
            msg!(
                "delegation is locked by a governance vote until {}",
                self.delegation.vote_locked_until
            );
            return err!(EdgeFuelError::StakeLockedByVote);
        }
        require!(
            shares <= self.delegation.bonded_shares,
            EdgeFuelError::InsufficientShares
        );
        Ok(())
    }
}

/// Specification:
/// - before: 0 < shares ≤ the delegation's bonded shares; the delegation
///   is not locked by a running governance vote (`vote_locked_until`).
/// - after: rewards settled; `shares` move from bonded to unbonding (still in
///   the pool, still slashable, earning nothing); `unlock_at = now +
///   unbonding_seconds` for the whole unbonding entry; node bonded shares
///   (and operator stake if the staker is the operator) and
///   `network.total_bonded` drop accordingly; activating shares are
///   undelegated first.
#[access_control(ctx.accounts.validate(shares))]
pub fn handle_undelegate(ctx: Context<Undelegate>, shares: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let network = &mut ctx.accounts.network;
    let epoch = network.epoch_at(now);
    let node_key = ctx.accounts.node.key();
    let node = &mut ctx.accounts.node;
    let delegation = &mut ctx.accounts.delegation;
    let bonded_shares_before = delegation.bonded_shares;

    let young_acc = settle_delegation(
        delegation,
        node,
        &node_key,
        &ctx.accounts.activating_stats,
        epoch,
    )?;
    let is_operator = delegation.staker == node.operator;
    network.track_pool(node, |node| node.begin_unbond(shares, is_operator))?;
    delegation.remove_bonded(node, shares, epoch, young_acc)?;
    delegation.unbonding_shares.add_checked(shares)?;
    delegation.unlock_at = now
        .checked_add(network.params.unbonding_seconds)
        .ok_or(EdgeFuelError::MathOverflow)?;
    emit_cpi!(Undelegated {
        node: node.key(),
        staker: delegation.staker,
        shares,
        bonded_shares_before,
        bonded_shares_after: delegation.bonded_shares,
        unbonding_shares_after: delegation.unbonding_shares,
        unlock_at: delegation.unlock_at,
    });
    Ok(())
}
