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
    /// `ceil(earning shares · acc / SCALE)` at the last settlement.
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
    /// `ceil(activating_shares · (acc − base) / SCALE)` at the last
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

    /// Adds `shares` just deposited in epoch `epoch` (the current one) as
    /// activating; shares still activating from the previous epoch are
    /// re-dated to it. Call after [`Self::settle`] and the pool deposit.
    pub fn add_bonded(&mut self, node: &mut Node, shares: u64, epoch: u64) -> Result<()> {
        let carried = if self.activating_epoch == epoch {
            0
        } else {
            node.remove_activating(self.activating_epoch, epoch, self.activating_shares)?;
            self.activating_shares
        };
        let moved = shares
            .checked_add(carried)
            .ok_or(EdgeFuelError::MathOverflow)?;
        node.add_activating(epoch, moved)?;
        self.activating_shares.add_checked(shares)?;
        self.activating_epoch = epoch;
        self.bonded_shares.add_checked(shares)?;
        // Shares activating in the current epoch have earned nothing yet.
        self.rebase(node, 0)
    }

    /// Removes `shares` bonded shares (activating ones first) in epoch
    /// `epoch`; `young_acc` is what [`Self::settle`] returned. Call after
    /// the pool's `begin_unbond`.
    pub fn remove_bonded(
        &mut self,
        node: &mut Node,
        shares: u64,
        epoch: u64,
        young_acc: u128,
    ) -> Result<()> {
        let from_activating = shares.min(self.activating_shares);
        node.remove_activating(self.activating_epoch, epoch, from_activating)?;
        self.activating_shares -= from_activating;
        self.bonded_shares = self
            .bonded_shares
            .checked_sub(shares)
            .ok_or(EdgeFuelError::InsufficientShares)?;
        self.rebase(node, young_acc)
    }

    /// Sets both debts to the current accumulated values of the shares
    /// (`young_acc`: what [`Self::settle`] returned, or 0 for shares
    /// delegated in the current epoch).
    pub fn rebase(&mut self, node: &Node, young_acc: u128) -> Result<()> {
        self.reward_debt =
            math::accumulated_ceil(self.earning_shares()?, node.acc_reward_per_share)?;
        self.activating_debt = math::accumulated_ceil(self.activating_shares, young_acc)?;
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

#[cfg(test)]
mod tests {
    //! The activation rule on the program's own state types, against an
    //! independent per-batch split: every holder is paid its share of each
    //! accepted batch by the shares that earn for the batch's epoch, within
    //! rounding, and never more than was distributed.
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn zeroed<T: AnchorDeserialize + Space>() -> T {
        T::deserialize(&mut &vec![0u8; T::INIT_SPACE][..]).unwrap()
    }

    #[derive(Clone, Debug)]
    enum Op {
        Deposit(usize, u64),
        Undelegate(usize, u16),
        /// Accept a batch of `reward` committed `lag` epochs ago.
        Accept(u64, u64),
        NextEpoch,
        Claim(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..3usize, 1u64..1 << 40).prop_map(|(i, a)| Op::Deposit(i, a)),
            (0..3usize, 1u16..=10_000).prop_map(|(i, b)| Op::Undelegate(i, b)),
            (0u64..1 << 40, 0u64..3).prop_map(|(r, l)| Op::Accept(r, l)),
            Just(Op::NextEpoch),
            (0..3usize).prop_map(Op::Claim),
        ]
    }

    struct Sim {
        node: Node,
        ds: Vec<Delegation>,
        /// Per epoch: (acc_end, acc_late), as the NodeEpochStats accounts.
        stats: BTreeMap<u64, (u128, u128)>,
        epoch: u64,
        paid: Vec<u128>,
        /// Σ floor(pool part · earning shares / earning total) per holder.
        fair: Vec<u128>,
        distributed: u128,
        steps: u128,
    }

    impl Sim {
        fn settle(&mut self, i: usize) -> u128 {
            let d = &self.ds[i];
            let base = d
                .needs_activation_base(self.epoch)
                .then(|| self.stats[&d.activating_epoch])
                .map(|(end, late)| end + late);
            self.ds[i].settle(&self.node, base, self.epoch).unwrap()
        }

        fn step(&mut self, op: &Op) {
            self.steps += 1;
            let acc = self.node.acc_reward_per_share;
            match *op {
                Op::Deposit(i, amount) => {
                    self.stats.entry(self.epoch).or_insert((acc, 0));
                    self.settle(i);
                    let Ok(shares) = self.node.deposit(amount, false) else {
                        return;
                    };
                    self.ds[i]
                        .add_bonded(&mut self.node, shares, self.epoch)
                        .unwrap();
                }
                Op::Undelegate(i, bps) => {
                    let shares = (self.ds[i].bonded_shares as u128 * bps as u128 / 10_000) as u64;
                    if shares == 0 {
                        return;
                    }
                    let young = self.settle(i);
                    self.node.begin_unbond(shares, false).unwrap();
                    self.ds[i]
                        .remove_bonded(&mut self.node, shares, self.epoch, young)
                        .unwrap();
                }
                Op::Accept(reward, lag) => {
                    let Some(batch_epoch) = self.epoch.checked_sub(lag) else {
                        return;
                    };
                    // The independent split, from the delegations alone.
                    let earning: Vec<u128> = self
                        .ds
                        .iter()
                        .map(|d| {
                            let young = if d.activating_epoch >= batch_epoch {
                                d.activating_shares
                            } else {
                                0
                            };
                            (d.bonded_shares - young) as u128
                        })
                        .collect();
                    let total: u128 = if lag >= 2 { 0 } else { earning.iter().sum() };
                    let e = self.node.earning_shares(batch_epoch, self.epoch).unwrap();
                    assert_eq!(e as u128, total, "earning shares");
                    let (_, to_pool, inc) = self.node.accrue_reward(reward, e).unwrap();
                    if to_pool > 0 {
                        for (f, s) in self.fair.iter_mut().zip(&earning) {
                            *f += to_pool as u128 * s / total;
                        }
                    }
                    self.distributed += to_pool as u128;
                    let acc = self.node.acc_reward_per_share;
                    if inc > 0 {
                        if batch_epoch == self.epoch {
                            self.stats.entry(self.epoch).or_insert((acc, 0)).0 = acc;
                        } else {
                            self.stats.entry(batch_epoch).or_insert((0, 0)).1 += inc;
                            if let Some(s) = self.stats.get_mut(&self.epoch) {
                                s.0 = acc;
                            }
                        }
                    }
                }
                Op::NextEpoch => self.epoch += 1,
                Op::Claim(i) => {
                    self.settle(i);
                    self.paid[i] += self.ds[i].pending_rewards as u128;
                    self.ds[i].pending_rewards = 0;
                }
            }
            let bonded: u64 = self.ds.iter().map(|d| d.bonded_shares).sum();
            assert_eq!(bonded, self.node.bonded_shares, "Σ bonded");
        }
    }

    proptest! {
        #[test]
        fn rewards_follow_the_stake_that_backed_each_batch(
            ops in proptest::collection::vec(op(), 1..60),
        ) {
            let mut node: Node = zeroed();
            node.commission_bps = 0;
            let mut sim = Sim {
                node,
                ds: (0..3).map(|_| zeroed()).collect(),
                stats: BTreeMap::new(),
                epoch: 100,
                paid: vec![0; 3],
                fair: vec![0; 3],
                distributed: 0,
                steps: 0,
            };
            for op in &ops {
                sim.step(op);
            }
            for i in 0..3 {
                sim.step(&Op::Claim(i));
            }
            let paid: u128 = sim.paid.iter().sum();
            prop_assert!(paid <= sim.distributed, "paid {paid} > distributed {}", sim.distributed);
            for i in 0..3 {
                // Each rounding step loses under one unit: at most one per
                // batch and two per settlement.
                let slack = 3 * sim.steps;
                prop_assert!(sim.paid[i] <= sim.fair[i] + slack, "holder {i} overpaid");
                prop_assert!(sim.paid[i] + slack >= sim.fair[i], "holder {i} underpaid");
            }
        }
    }
}
