//! What the program must pay and slash, computed here from the protocol's
//! stated rules (README, "Protocol rules") with plain integer arithmetic, so
//! the demo can check the chain's numbers against something it did not
//! compute itself.
//!
//! - commission = ⌊reward · commission_bps / 10⁴⌋ to the operator; the rest
//!   is split over bonded shares through an accumulator: each holder gets
//!   ⌊shares · ⌊rest · SCALE / bonded⌋ / SCALE⌋, the remainder (dust) is
//!   never minted;
//! - a fraud slash takes ⌈pool · slash_bps / 10⁴⌉; the Invalid voters share
//!   ⌊slashed · bounty_bps / 10⁴⌋ equally (the division's remainder and the
//!   rest go to the treasury); a holder's stake redeems for
//!   ⌊shares · pool_tokens / pool_shares⌋.
use edgefuel_client::edgefuel::constants::REWARD_SCALE;

const BPS: u128 = 10_000;

/// How one accepted batch's reward is shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardSplit {
    pub commission: u64,
    /// Reward after commission, distributed to bonded shares.
    pub to_pool: u64,
    /// Each holder's part of `to_pool`, in the order of the shares given.
    pub pool_share: Vec<u64>,
    /// Part of `to_pool` no holder receives (rounding; never minted).
    pub dust: u64,
}

/// Splits `reward` for a pool whose holders have `bonded_shares` (the
/// operator's own delegation is one of them).
pub fn reward_split(reward: u64, commission_bps: u16, bonded_shares: &[u64]) -> RewardSplit {
    let commission = (reward as u128 * commission_bps as u128 / BPS) as u64;
    let to_pool = reward - commission;
    let bonded: u128 = bonded_shares.iter().map(|&s| s as u128).sum();
    let per_share = (to_pool as u128 * REWARD_SCALE)
        .checked_div(bonded)
        .unwrap_or(0);
    let pool_share: Vec<u64> = bonded_shares
        .iter()
        .map(|&s| (s as u128 * per_share / REWARD_SCALE) as u64)
        .collect();
    let paid: u64 = pool_share.iter().sum();
    RewardSplit {
        commission,
        to_pool,
        dust: to_pool - paid,
        pool_share,
    }
}

/// What a fraud rejection does to a pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudSlash {
    pub slashed: u64,
    pub pool_tokens_after: u64,
    pub bounty_per_verifier: u64,
    pub to_treasury: u64,
    /// Each holder's stake after the slash, in the order of the shares given.
    pub stakes_after: Vec<u64>,
}

/// Slashes a pool of `pool_tokens` backing `pool_shares`; `holder_shares`
/// are the holders' (bonded + unbonding) shares; `voters` Invalid voters
/// share the bounty.
pub fn fraud_slash(
    pool_tokens: u64,
    pool_shares: u64,
    holder_shares: &[u64],
    slash_bps: u16,
    bounty_bps: u16,
    voters: u64,
) -> FraudSlash {
    let slashed = (pool_tokens as u128 * slash_bps as u128).div_ceil(BPS) as u64;
    let slashed = slashed.min(pool_tokens);
    let after = pool_tokens - slashed;
    let bounty = (slashed as u128 * bounty_bps as u128 / BPS) as u64;
    let per = bounty.checked_div(voters).unwrap_or(0);
    let stakes_after = holder_shares
        .iter()
        .map(|&s| {
            (s as u128 * after as u128)
                .checked_div(pool_shares as u128)
                .unwrap_or(0) as u64
        })
        .collect();
    FraudSlash {
        slashed,
        pool_tokens_after: after,
        bounty_per_verifier: per,
        to_treasury: slashed - per * voters,
        stakes_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EFUEL: u64 = 1_000_000_000;

    #[test]
    fn commission_then_pro_rata() {
        // 5 % of 1 000 000 = 50 000; 950 000 over 15:3:2.
        let s = reward_split(1_000_000, 500, &[1_500, 300, 200]);
        assert_eq!(s.commission, 50_000);
        assert_eq!(s.to_pool, 950_000);
        assert_eq!(s.pool_share, vec![712_500, 142_500, 95_000]);
        assert_eq!(s.dust, 0);
    }

    #[test]
    fn rounding_never_creates_tokens() {
        // 951 over 9 shares: ⌊951·10¹⁸/9⌋ per 10¹⁸ shares is a hair under
        // 105⅔, so 3 shares get 316 (not 317): the pool keeps the 3 units.
        let s = reward_split(1_001, 500, &[3, 3, 3]);
        assert_eq!(s.commission, 50);
        assert_eq!(s.pool_share, vec![316, 316, 316]);
        assert_eq!(s.dust, 3);
        assert_eq!(reward_split(7, 0, &[]).dust, 7);
    }

    #[test]
    fn slash_is_pro_rata_and_bounty_split() {
        let sh = [1_500 * EFUEL, 300 * EFUEL, 200 * EFUEL];
        let s = fraud_slash(2_000 * EFUEL, 2_000 * EFUEL, &sh, 1_000, 1_000, 2);
        assert_eq!(s.slashed, 200 * EFUEL);
        assert_eq!(s.bounty_per_verifier, 10 * EFUEL);
        assert_eq!(s.to_treasury, 180 * EFUEL);
        assert_eq!(
            s.stakes_after,
            vec![1_350 * EFUEL, 270 * EFUEL, 180 * EFUEL]
        );
        // Rounding up on the slash, the treasury keeps the bounty's remainder.
        let s = fraud_slash(10_001, 10_001, &[10_001], 1_000, 1_000, 3);
        assert_eq!(
            (s.slashed, s.bounty_per_verifier, s.to_treasury),
            (1_001, 33, 902)
        );
    }
}
