//! The `Delegation` account: one staker's position in one node pool.
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
    /// Reserved for future fields.
    pub reserved: [u8; 32],
}

impl Delegation {
    /// Moves rewards accrued since the last settlement into `pending_rewards`.
    /// Call before any change of `bonded_shares`, then [`Self::reset_debt`].
    pub fn settle(&mut self, node: &Node) -> Result<()> {
        let owed = math::pending_reward(
            self.bonded_shares,
            node.acc_reward_per_share,
            self.reward_debt,
        )?;
        self.pending_rewards.add_checked(owed)?;
        self.reset_debt(node)
    }

    /// Sets the debt to the current accumulated value of the bonded shares.
    pub fn reset_debt(&mut self, node: &Node) -> Result<()> {
        self.reward_debt = math::accumulated(self.bonded_shares, node.acc_reward_per_share)?;
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
