//! Reward accrual in the model, all in one place (README "Rewards" and
//! "Stake activation"):
//! - commission `floor(reward · bps / 10⁴)` goes to the operator; the rest
//!   goes over the shares that *earn* for the batch's epoch E through a
//!   reward-per-share accumulator that grows by `floor(rest · SCALE /
//!   earning)`; with no earning shares the pool part is not minted;
//! - stake delegated in epoch d activates: it earns only from batches
//!   committed in epochs ≥ d + 1. A batch of epoch E accepted in epoch
//!   C ≤ E + 1 is earned by the bonded shares minus those delegated in
//!   epochs ≥ E; accepted in C ≥ E + 2 only the commission is paid;
//! - a delegation has one activating bucket: a new deposit re-dates shares
//!   still activating from an earlier epoch, `undelegate` takes activating
//!   shares first;
//! - a holder is owed `floor(earning shares · acc / SCALE) − debt`, and its
//!   activating shares `floor(shares · (acc − base(d)) / SCALE) − debt`,
//!   each debt being the value at its last settlement rounded up,
//!   where `base(d)` is the accumulator grown by batches of epochs ≤ d:
//!   the node's accumulator at the end of epoch d plus what batches of
//!   epoch d added when accepted in epoch d + 1.
use super::state::{MDel, MNode, Model};

/// The accumulator's fixed-point scale (the program's documented constant).
const SCALE: u128 = edgefuel::constants::REWARD_SCALE;

fn accumulated(shares: u64, acc: u128) -> u128 {
    shares as u128 * acc / SCALE
}

/// Shares that earn the pool part of a batch of epoch `batch_epoch`
/// accepted in epoch `now`.
pub fn earning_shares(n: &MNode, batch_epoch: u64, now: u64) -> u64 {
    if batch_epoch + 1 < now {
        return 0;
    }
    let young: u64 = n
        .activating
        .iter()
        .filter(|(e, _)| **e >= batch_epoch)
        .map(|(_, s)| *s)
        .sum();
    n.bonded_shares - young
}

/// Records `shares` delegated in epoch `epoch` as activating.
pub fn add_activating(n: &mut MNode, epoch: u64, shares: u64) {
    *n.activating.entry(epoch).or_default() += shares;
}

/// Removes `shares` delegated in `epoch` from the node's activating stake
/// (undelegated or re-dated); stake from two or more epochs ago no longer
/// activates.
pub fn remove_activating(n: &mut MNode, epoch: u64, now: u64, shares: u64) {
    if epoch + 2 <= now || shares == 0 {
        return;
    }
    let e = n
        .activating
        .get_mut(&epoch)
        .expect("activating stake of that epoch");
    *e -= shares;
}

/// Accrues `reward` to node `n` over `earning` shares; returns
/// `(commission, to_pool, accumulator increment)`.
pub fn accrue(n: &mut MNode, reward: u64, earning: u64) -> (u64, u64, u128) {
    let commission = (reward as u128 * n.commission_bps as u128 / 10_000) as u64;
    let rest = reward - commission;
    let inc = if earning == 0 {
        0
    } else {
        rest as u128 * SCALE / earning as u128
    };
    let to_pool = if inc == 0 { 0 } else { rest };
    n.acc += inc;
    n.commission_owed += commission;
    n.total_rewards += commission + to_pool;
    (commission, to_pool, inc)
}

impl Model {
    /// `base(d)` of node `node`.
    fn activation_base(&self, node: u8, epoch: u64) -> u128 {
        let s = &self.stats[&(node, epoch)];
        s.acc_end + s.acc_late
    }

    /// What `d`'s activating shares have earned per share: nothing in
    /// their own epoch, then `acc − base(d)`.
    fn young_acc(&self, node: u8, d: &MDel) -> u128 {
        if d.activating_shares > 0 && d.activating_epoch < self.epoch() {
            self.nodes[node as usize].acc - self.activation_base(node, d.activating_epoch)
        } else {
            0
        }
    }

    /// Rewards delegation `d` in `node` is owed and has not settled.
    pub fn owed(&self, node: u8, d: &MDel) -> u64 {
        let n = &self.nodes[node as usize];
        let earning = d.bonded_shares - d.activating_shares;
        let old = accumulated(earning, n.acc).saturating_sub(d.reward_debt);
        let young = accumulated(d.activating_shares, self.young_acc(node, d))
            .saturating_sub(d.activating_debt);
        (old + young) as u64
    }

    /// Settles `d` (before any change of its shares): what it is owed moves
    /// to `pending_rewards`; activating shares from two or more epochs ago
    /// become earning. Returns the activating shares' per-share value for
    /// [`rebase`].
    pub fn settle(&self, node: u8, d: &mut MDel) -> u128 {
        d.pending_rewards += self.owed(node, d);
        let young = self.young_acc(node, d);
        if d.activating_shares > 0 && d.activating_epoch + 2 <= self.epoch() {
            d.activating_shares = 0;
            d.activating_epoch = 0;
        }
        rebase(d, &self.nodes[node as usize], young);
        young
    }

    /// The rule itself, without the accumulator: each holder of `node` is
    /// entitled to `to_pool × its earning shares / earning`, its earning
    /// shares being its bonded shares minus those delegated in the batch's
    /// epoch or later.
    pub fn entitle(&mut self, node: u8, batch_epoch: u64, to_pool: u64, earning: u64) {
        self.pool_payouts[node as usize] += 1;
        for ((n, a), d) in &self.delegations {
            if *n != node {
                continue;
            }
            let young = if d.activating_epoch >= batch_epoch {
                d.activating_shares
            } else {
                0
            };
            let mine = (d.bonded_shares - young) as u128;
            *self.entitled.entry((*n, *a)).or_default() +=
                to_pool as u128 * mine * super::state::EXACT / earning as u128;
        }
    }

    /// Records the accumulator's growth by `inc` from a batch of epoch
    /// `batch_epoch` accepted now: in its own epoch the stats' `acc_end`
    /// follows the accumulator; a batch of the previous epoch adds to that
    /// epoch's `acc_late` and the current epoch's stats (if any) follow.
    pub fn record_accumulator(&mut self, node: u8, batch_epoch: u64, inc: u128) {
        let acc = self.nodes[node as usize].acc;
        let now = self.epoch();
        let s = self.stats.entry((node, batch_epoch)).or_default();
        if batch_epoch == now {
            s.acc_end = acc;
            return;
        }
        s.acc_late += inc;
        if let Some(current) = self.stats.get_mut(&(node, now)) {
            current.acc_end = acc;
        }
    }
}

/// Sets both debts to the current accumulated values of the shares,
/// rounded up: `floor(accrued) − ceil(debt)` never pays more than the
/// exact share, however often the shares change.
pub fn rebase(d: &mut MDel, n: &MNode, young_acc: u128) {
    let ceil = |shares: u64, acc: u128| (shares as u128 * acc).div_ceil(SCALE);
    d.reward_debt = ceil(d.bonded_shares - d.activating_shares, n.acc);
    d.activating_debt = ceil(d.activating_shares, young_acc);
}
