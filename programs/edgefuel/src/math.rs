//! Checked money maths for node stake pools.
//!
//! Stake in a node is held as *shares* of the node's pool. The pool holds
//! `pool_tokens` base units of EFUEL for `pool_shares` shares. All products
//! are taken in `u128` and every rounding favours the pool (and so every
//! other holder), never the caller:
//! - deposits mint `floor(amount · shares / tokens)` shares;
//! - redemptions pay `floor(shares · tokens / total_shares)` tokens;
//! - slashes take `ceil(tokens · bps / 10⁴)` tokens (the punished pool pays
//!   the rounding);
//! - the reward accumulator grows by `floor(reward · SCALE / bonded_shares)`
//!   and a holder's reward is `floor(shares · acc / SCALE) − debt` with the
//!   debt rounded up (`ceil(shares · acc / SCALE)` when its shares change),
//!   so the sum paid never exceeds the reward distributed;
//! - commission is `floor(reward · commission_bps / 10⁴)`, the rest goes to
//!   the pool's accumulator.
use crate::constants::{BPS_DENOMINATOR, REWARD_SCALE};
use crate::error::EdgeFuelError;
use anchor_lang::prelude::*;

fn to_u64(v: u128) -> Result<u64> {
    u64::try_from(v).map_err(|_| error!(EdgeFuelError::MathOverflow))
}

/// Shares minted for a deposit of `amount` into a pool of `pool_tokens`
/// backing `pool_shares`. The first deposit (no shares) is 1:1.
pub fn tokens_to_shares(amount: u64, pool_tokens: u64, pool_shares: u64) -> Result<u64> {
    if pool_shares == 0 {
        return Ok(amount);
    }
    require!(pool_tokens > 0, EdgeFuelError::PoolWipedOut);
    let shares = (amount as u128)
        .checked_mul(pool_shares as u128)
        .ok_or(EdgeFuelError::MathOverflow)?
        / pool_tokens as u128;
    to_u64(shares)
}

/// Tokens that `shares` redeem for (rounded down).
pub fn shares_to_tokens(shares: u64, pool_tokens: u64, pool_shares: u64) -> Result<u64> {
    if pool_shares == 0 {
        return Ok(0);
    }
    require!(shares <= pool_shares, EdgeFuelError::InsufficientShares);
    let tokens = (shares as u128)
        .checked_mul(pool_tokens as u128)
        .ok_or(EdgeFuelError::MathOverflow)?
        / pool_shares as u128;
    to_u64(tokens)
}

/// `floor(amount · bps / 10⁴)`.
pub fn bps_floor(amount: u64, bps: u16) -> Result<u64> {
    let v = (amount as u128)
        .checked_mul(bps as u128)
        .ok_or(EdgeFuelError::MathOverflow)?
        / BPS_DENOMINATOR as u128;
    to_u64(v)
}

/// Tokens a slash of `bps` takes from a pool: `ceil(pool_tokens · bps / 10⁴)`,
/// never more than the pool holds.
pub fn slash_amount(pool_tokens: u64, bps: u16) -> Result<u64> {
    let num = (pool_tokens as u128)
        .checked_mul(bps as u128)
        .ok_or(EdgeFuelError::MathOverflow)?;
    let v = num.div_ceil(BPS_DENOMINATOR as u128);
    Ok(to_u64(v)?.min(pool_tokens))
}

/// Splits a reward into `(commission, pool_part)`.
pub fn split_commission(reward: u64, commission_bps: u16) -> Result<(u64, u64)> {
    let commission = bps_floor(reward, commission_bps)?;
    let rest = reward
        .checked_sub(commission)
        .ok_or(EdgeFuelError::MathOverflow)?;
    Ok((commission, rest))
}

/// Accumulator increment for distributing `reward` over `bonded_shares`:
/// `floor(reward · SCALE / bonded_shares)`. Holders are later paid
/// `floor(shares · acc / SCALE)`, so the sum paid never exceeds the rewards
/// distributed (the dust stays unminted). Zero when nobody is bonded.
pub fn accumulator_increment(reward: u64, bonded_shares: u64) -> Result<u128> {
    if bonded_shares == 0 || reward == 0 {
        return Ok(0);
    }
    Ok((reward as u128)
        .checked_mul(REWARD_SCALE)
        .ok_or(EdgeFuelError::MathOverflow)?
        / bonded_shares as u128)
}

/// `floor(shares · acc / SCALE)`: the accumulated reward of `shares` since
/// the pool began; a holder owes back its `reward_debt`.
pub fn accumulated(shares: u64, acc: u128) -> Result<u128> {
    Ok((shares as u128)
        .checked_mul(acc)
        .ok_or(EdgeFuelError::MathOverflow)?
        / REWARD_SCALE)
}

/// `ceil(shares · acc / SCALE)`: a holder's debt when its shares change.
/// Rounding the debt up and the accrual down keeps every payout at or
/// below its exact value (`floor(x) − ceil(y) ≤ x − y`), so the sum paid
/// never exceeds what was distributed however often shares change.
pub fn accumulated_ceil(shares: u64, acc: u128) -> Result<u128> {
    Ok((shares as u128)
        .checked_mul(acc)
        .ok_or(EdgeFuelError::MathOverflow)?
        .div_ceil(REWARD_SCALE))
}

/// Reward owed to `shares` given the accumulator and the holder's debt.
pub fn pending_reward(shares: u64, acc: u128, reward_debt: u128) -> Result<u64> {
    let total = accumulated(shares, acc)?;
    to_u64(total.saturating_sub(reward_debt))
}

/// Checked in-place addition for counters and totals: `x.add_checked(y)?`.
pub trait AddChecked: Sized {
    fn add_checked(&mut self, by: Self) -> Result<()>;
}

macro_rules! impl_add_checked {
    ($($t:ty),*) => {$(
        impl AddChecked for $t {
            fn add_checked(&mut self, by: Self) -> Result<()> {
                *self = self.checked_add(by).ok_or(EdgeFuelError::MathOverflow)?;
                Ok(())
            }
        }
    )*};
}
impl_add_checked!(u8, u32, u64, u128, i64);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_deposit_is_one_to_one() {
        assert_eq!(tokens_to_shares(500, 0, 0).unwrap(), 500);
    }

    #[test]
    fn wiped_pool_refuses_deposit() {
        assert!(tokens_to_shares(1, 0, 10).is_err());
    }

    #[test]
    fn u64_edges_overflow_is_an_error() {
        // A pool that lost almost everything makes shares very cheap.
        assert!(tokens_to_shares(u64::MAX, 1, u64::MAX).is_err());
        assert_eq!(
            shares_to_tokens(u64::MAX, u64::MAX, u64::MAX).unwrap(),
            u64::MAX
        );
        assert_eq!(bps_floor(u64::MAX, 10_000).unwrap(), u64::MAX);
        assert!(accumulated(u64::MAX, u128::MAX).is_err());
    }

    #[test]
    fn slash_rounds_up_and_is_capped() {
        assert_eq!(slash_amount(1, 1).unwrap(), 1);
        assert_eq!(slash_amount(10_000, 1_000).unwrap(), 1_000);
        assert_eq!(slash_amount(10_001, 1_000).unwrap(), 1_001);
        assert_eq!(slash_amount(7, 10_000).unwrap(), 7);
    }

    #[test]
    fn commission_split_exact() {
        assert_eq!(split_commission(1_000, 500).unwrap(), (50, 950));
        assert_eq!(split_commission(19, 500).unwrap(), (0, 19));
    }

    #[test]
    fn accumulator_pays_exactly_on_even_split() {
        let inc = accumulator_increment(900, 300).unwrap();
        assert_eq!(pending_reward(100, inc, 0).unwrap(), 300);
    }

    proptest! {
        /// Deposit then redeem never returns more than deposited.
        #[test]
        fn deposit_withdraw_never_gains(
            pool_tokens in 1u64..=u64::MAX / 4,
            pool_shares in 1u64..=u64::MAX / 4,
            amount in 1u64..=1u64 << 40,
        ) {
            if let Ok(shares) = tokens_to_shares(amount, pool_tokens, pool_shares) {
                let tokens = pool_tokens + amount;
                if let Some(total) = pool_shares.checked_add(shares) {
                    let back = shares_to_tokens(shares, tokens, total).unwrap();
                    prop_assert!(back <= amount);
                }
            }
        }

        /// Rounding never raises the value of existing shares above what the
        /// new tokens bring: value per share never drops for old holders.
        #[test]
        fn shares_never_gain_from_rounding(
            pool_tokens in 1u64..=1u64 << 50,
            pool_shares in 1u64..=1u64 << 50,
            amount in 1u64..=1u64 << 40,
            held in 1u64..=1u64 << 50,
        ) {
            let held = held.min(pool_shares);
            let before = shares_to_tokens(held, pool_tokens, pool_shares).unwrap();
            let minted = tokens_to_shares(amount, pool_tokens, pool_shares).unwrap();
            let after = shares_to_tokens(held, pool_tokens + amount, pool_shares + minted).unwrap();
            prop_assert!(after >= before);
        }

        /// A slash of x bps lowers every holder's redeemable value by the same
        /// fraction, within one base unit.
        #[test]
        fn slash_is_pro_rata(
            pool_tokens in 1u64..=1u64 << 60,
            holdings in proptest::collection::vec(1u64..=1u64 << 40, 1..8),
            bps in 0u16..=10_000,
        ) {
            let pool_shares: u64 = holdings.iter().sum();
            let cut = slash_amount(pool_tokens, bps).unwrap();
            let after_tokens = pool_tokens - cut;
            for h in &holdings {
                let before = shares_to_tokens(*h, pool_tokens, pool_shares).unwrap();
                let after = shares_to_tokens(*h, after_tokens, pool_shares).unwrap();
                // Target: the holder keeps exactly (1 − bps/10⁴) of its value.
                let expected = before as u128 * (10_000 - bps as u128) / 10_000;
                prop_assert!((after as i128 - expected as i128).abs() <= 1);
            }
        }

        /// The sum of all holders' redeemable tokens never exceeds the pool.
        #[test]
        fn sum_redeemable_within_pool(
            pool_tokens in 0u64..=1u64 << 62,
            holdings in proptest::collection::vec(1u64..=1u64 << 40, 1..16),
        ) {
            let pool_shares: u64 = holdings.iter().sum();
            let sum: u128 = holdings
                .iter()
                .map(|h| shares_to_tokens(*h, pool_tokens, pool_shares).unwrap() as u128)
                .sum();
            prop_assert!(sum <= pool_tokens as u128);
        }

        /// Rewards paid through the accumulator never exceed what was
        /// distributed, and lose less than one unit per holder and per step.
        #[test]
        fn rewards_never_created(
            rewards in proptest::collection::vec(0u64..=1u64 << 40, 1..6),
            holdings in proptest::collection::vec(1u64..=1u64 << 40, 1..8),
        ) {
            let bonded: u64 = holdings.iter().sum();
            let mut acc = 0u128;
            let mut total_reward = 0u128;
            for r in &rewards {
                acc += accumulator_increment(*r, bonded).unwrap();
                total_reward += *r as u128;
            }
            let paid: u128 = holdings
                .iter()
                .map(|h| pending_reward(*h, acc, 0).unwrap() as u128)
                .sum();
            prop_assert!(paid <= total_reward);
            prop_assert!(total_reward - paid < (holdings.len() + rewards.len()) as u128);
        }
    }
}
