//! The `Delegation` account: one staker's position in one node pool.
use crate::error::EdgeFuelError;
use crate::math;
use crate::math::AddChecked;
use crate::state::Node;
use anchor_lang::prelude::*;

/// A staker's stake in a node. PDA `[SEED_DELEGATION, node, staker]`.
/// The operator's self-stake is a delegation like any other.
///
/// Unbonding rule: one unbonding entry per delegation. `undelegate` moves
/// bonded shares into `unbonding_shares` and (re)starts the cooldown:
/// `unlock_at = now + unbonding_seconds`, also for shares already unbonding.
/// Unbonding shares stay in the pool until `withdraw`, so a slash during the
/// cooldown lowers what they redeem for exactly as it does for bonded shares.
/// Unbonding shares earn no rewards.
///
/// Activation rule: shares delegated in epoch `d` are bonded at once (they
/// vote, back exposure and can be slashed) but earn only from batches
/// committed in epochs `≥ d + 1`; they earn like all others from epoch
/// `d + 2` on. A delegation has one activating entry: a new deposit while
/// shares from an earlier epoch still activate re-dates them to the new
/// epoch, and `undelegate` takes activating shares first. Rewards of the
/// activating shares accrue on `acc − base(d)`, where `base(d)` is the
/// accumulator grown by batches of epoch `d` and earlier
/// ([`crate::state::NodeEpochStats::activation_base`]).
#[account]
#[derive(InitSpace, Debug)]
pub struct Delegation {
    /// PDA bump.
    pub bump: u8,
    /// The node pool.
    pub node: Pubkey,
    /// The staker (wallet) that owns this position.
    pub staker: Pubkey,
    /// Bonded pool shares.
    pub bonded_shares: u64,
    /// Shares in cooldown (slashable, earn nothing).
    pub unbonding_shares: u64,
    /// When unbonding shares may be withdrawn (unix seconds).
    pub unlock_at: i64,
    /// `floor(bonded_shares · acc / SCALE)` at the last settlement.
    pub reward_debt: u128,
    /// Rewards settled and not yet claimed (base units).
    pub pending_rewards: u64,
    /// Rewards claimed since creation (base units).
    pub total_claimed: u64,
    /// Last time bonded stake was added (unix seconds); stake added after a
    /// proposal opened cannot vote on it.
    pub last_stake_added_at: i64,
    /// The delegation may not undelegate before this time (unix seconds):
    /// set by governance votes until the vote ends.
    pub vote_locked_until: i64,
    /// Of `bonded_shares`, those still activating (delegated in
    /// `activating_epoch`).
    pub activating_shares: u64,
    /// Epoch the activating shares were delegated in.
    pub activating_epoch: u64,
    /// `floor(activating_shares · (acc − base) / SCALE)` at the last
    /// settlement.
    pub activating_debt: u128,
    /// Reserved for future fields.
    pub reserved: [u8; 32],
}

impl Delegation {
    /// Bonded shares that earn every accepted batch (not activating).
    pub fn earning_shares(&self) -> Result<u64> {
        self.bonded_shares
            .checked_sub(self.activating_shares)
            .ok_or_else(|| error!(EdgeFuelError::PoolInvariant))
    }

    /// Whether settling needs the activation base of `activating_epoch`
    /// (its `NodeEpochStats`): activating shares from an earlier epoch.
    pub fn needs_activation_base(&self, epoch: u64) -> bool {
        self.activating_shares > 0 && self.activating_epoch < epoch
    }

    /// What the activating shares have earned per share (scaled): zero in
    /// their own epoch, then `acc − base`.
    fn activating_acc(&self, node: &Node, base: Option<u128>, epoch: u64) -> Result<u128> {
        if !self.needs_activation_base(epoch) {
            return Ok(0);
        }
        let base = base.ok_or(EdgeFuelError::MissingEpochStats)?;
        node.acc_reward_per_share
            .checked_sub(base)
            .ok_or_else(|| error!(EdgeFuelError::MathOverflow))
    }

    /// Moves rewards accrued since the last settlement into
    /// `pending_rewards`; activating shares delegated two or more epochs ago
    /// become earning shares. `base` is the activation base of
    /// `activating_epoch` when [`Self::needs_activation_base`]. Call before
    /// any change of the shares, then [`Self::rebase`] with the returned
    /// per-share value.
    pub fn settle(&mut self, node: &Node, base: Option<u128>, epoch: u64) -> Result<u128> {
        let owed = math::pending_reward(
            self.earning_shares()?,
            node.acc_reward_per_share,
            self.reward_debt,
        )?;
        self.pending_rewards.add_checked(owed)?;
        let young_acc = self.activating_acc(node, base, epoch)?;
        let owed = math::pending_reward(self.activating_shares, young_acc, self.activating_debt)?;
        self.pending_rewards.add_checked(owed)?;
        if self.activating_shares > 0 && self.activating_epoch.saturating_add(2) <= epoch {
            self.activating_shares = 0;
            self.activating_epoch = 0;
        }
        self.rebase(node, young_acc)?;
        Ok(young_acc)
    }

    /// Sets both debts to the current accumulated values of the shares
    /// (`young_acc`: what [`Self::settle`] returned, or 0 for shares
    /// delegated in the current epoch).
    pub fn rebase(&mut self, node: &Node, young_acc: u128) -> Result<()> {
        self.reward_debt = math::accumulated(self.earning_shares()?, node.acc_reward_per_share)?;
        self.activating_debt = math::accumulated(self.activating_shares, young_acc)?;
        Ok(())
    }

    /// Tokens the bonded shares redeem for now (vote weight).
    pub fn bonded_tokens(&self, node: &Node) -> Result<u64> {
        math::shares_to_tokens(self.bonded_shares, node.pool_tokens, node.pool_shares)
    }

    /// Tokens the unbonding shares redeem for now.
    pub fn unbonding_tokens(&self, node: &Node) -> Result<u64> {
        math::shares_to_tokens(self.unbonding_shares, node.pool_tokens, node.pool_shares)
    }

    pub fn is_empty(&self) -> bool {
        self.bonded_shares == 0 && self.unbonding_shares == 0 && self.pending_rewards == 0
    }
}
