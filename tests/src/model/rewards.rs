//! Reward accrual in the model, all in one place (README "Rewards"):
//! commission `floor(reward · bps / 10⁴)` to the operator, the rest over
//! the pool's bonded shares through a reward-per-share accumulator that
//! grows by `floor(rest · SCALE / bonded)`; a holder is owed
//! `floor(shares · acc / SCALE) − debt`; with no bonded shares the pool part
//! is not distributed (never minted).
use super::state::{MDel, MNode};

/// The accumulator's fixed-point scale (the program's documented constant).
const SCALE: u128 = edgefuel::constants::REWARD_SCALE;

/// Accrues `reward` to node `n`; returns `(commission, to_pool)`.
pub fn accrue(n: &mut MNode, reward: u64) -> (u64, u64) {
    let commission = (reward as u128 * n.commission_bps as u128 / 10_000) as u64;
    let rest = reward - commission;
    let inc = if n.bonded_shares == 0 {
        0
    } else {
        rest as u128 * SCALE / n.bonded_shares as u128
    };
    let to_pool = if inc == 0 { 0 } else { rest };
    n.acc += inc;
    n.commission_owed += commission;
    n.total_rewards += commission + to_pool;
    (commission, to_pool)
}

fn accumulated(shares: u64, n: &MNode) -> u128 {
    shares as u128 * n.acc / SCALE
}

/// Rewards owed to `d` since its last settlement.
pub fn owed(d: &MDel, n: &MNode) -> u64 {
    accumulated(d.bonded_shares, n).saturating_sub(d.reward_debt) as u64
}

/// Moves what is owed into `pending_rewards` and resets the debt: done
/// before every change of the delegation's bonded shares and at claims.
pub fn settle(d: &mut MDel, n: &MNode) {
    d.pending_rewards += owed(d, n);
    reset_debt(d, n);
}

pub fn reset_debt(d: &mut MDel, n: &MNode) {
    d.reward_debt = accumulated(d.bonded_shares, n);
}
