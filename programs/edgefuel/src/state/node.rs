//! The `Node` account: an operator's GPU node and its stake pool.
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::math;
use crate::math::AddChecked;
use anchor_lang::prelude::*;

/// Lifecycle of a node.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum NodeStatus {
    /// Accepts stake; may submit work while eligible.
    Active,
    /// Faulted: no submissions until `jailed_until` has passed and it is unjailed.
    Jailed,
    /// Operator called `exit_node`: no new stake or work; stake may unbond.
    Exiting,
}

/// Operator-supplied description of a node, bounded in size.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct NodeMetadata {
    /// Public endpoint of the node agent (URL, 1..=96 printable ASCII bytes).
    pub endpoint: String,
    /// GPU model name (1..=48 printable ASCII bytes).
    pub gpu_model: String,
    /// GPU memory (MiB, > 0).
    pub vram_mib: u32,
    /// Region code, e.g. `eu-west` (1..=16 printable ASCII bytes).
    pub region: String,
    /// Commission on rewards (bps, ≤ params.max_commission_bps).
    pub commission_bps: u16,
}

fn printable(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

impl NodeMetadata {
    /// Checks lengths, character set and the commission bound.
    pub fn validate(&self, max_commission_bps: u16) -> Result<()> {
        require!(
            printable(&self.endpoint, MAX_ENDPOINT_LEN),
            EdgeFuelError::InvalidEndpoint
        );
        require!(
            printable(&self.gpu_model, MAX_GPU_MODEL_LEN),
            EdgeFuelError::InvalidGpuModel
        );
        require!(
            printable(&self.region, MAX_REGION_LEN),
            EdgeFuelError::InvalidRegion
        );
        require!(self.vram_mib > 0, EdgeFuelError::InvalidVram);
        require!(
            self.commission_bps <= max_commission_bps,
            EdgeFuelError::CommissionTooHigh
        );
        Ok(())
    }
}

/// An operator's node. PDA `[SEED_NODE, operator]`. Fixed size:
/// `8 + Node::INIT_SPACE` bytes.
///
/// Stake pool rule: `pool_tokens` back `pool_shares`; `bonded_shares` (earning
/// rewards, voting) plus all delegations' unbonding shares make up
/// `pool_shares`. Slashing lowers `pool_tokens` only, so bonded and unbonding
/// shares lose the same fraction.
#[account]
#[derive(InitSpace, Debug)]
pub struct Node {
    /// PDA bump.
    pub bump: u8,
    /// Owner key: manages the node and its commission; may stay cold.
    pub operator: Pubkey,
    /// Hot key that signs batch submissions (defaults to the operator).
    pub agent: Pubkey,
    /// Lifecycle status.
    pub status: NodeStatus,
    /// End of the current jail term (unix seconds; 0 when never jailed).
    pub jailed_until: i64,
    /// Commission on rewards now in force (bps).
    pub commission_bps: u16,
    /// Agent endpoint URL.
    #[max_len(96)]
    pub endpoint: String,
    /// GPU model.
    #[max_len(48)]
    pub gpu_model: String,
    /// GPU memory (MiB).
    pub vram_mib: u32,
    /// Region code.
    #[max_len(16)]
    pub region: String,
    /// Registration time (unix seconds).
    pub registered_at: i64,
    /// Tokens backing all shares of this pool (base units).
    pub pool_tokens: u64,
    /// All shares: bonded plus unbonding.
    pub pool_shares: u64,
    /// Shares that are bonded (earn rewards, count for eligibility and votes).
    pub bonded_shares: u64,
    /// Bonded shares held by the operator's own delegation.
    pub operator_bonded_shares: u64,
    /// Reward per bonded share since genesis, scaled by `REWARD_SCALE`.
    pub acc_reward_per_share: u128,
    /// Commission accrued to the operator and not yet claimed (base units).
    pub commission_owed: u64,
    /// Open delegation accounts.
    pub delegation_count: u32,
    /// Sequence number of the last batch submitted (0 before the first);
    /// the next batch must be this + 1.
    pub last_batch_seq: u64,
    /// Work units committed and not yet finalized.
    pub pending_work: u64,
    /// Batches committed and not yet finalized.
    pub pending_batches: u32,
    /// Batches submitted since registration.
    pub batches_submitted: u64,
    /// Batches accepted by the verifier quorum.
    pub batches_accepted: u64,
    /// Batches rejected as fraudulent.
    pub batches_rejected: u64,
    /// Batches reported missed (not sealed or not revealed in time).
    pub batches_missed: u64,
    /// Work units verified since registration.
    pub verified_work: u64,
    /// Rewards accrued to this node (commission + pool), base units.
    pub total_rewards: u64,
    /// Stake slashed from this pool (base units).
    pub total_slashed: u64,
    /// A commission raise waiting for `commission_effective_at` (bps).
    pub pending_commission_bps: u16,
    /// When the pending raise applies (unix seconds; 0 when none pending).
    pub commission_effective_at: i64,
    /// EFUEL minted by claims on this node (delegations' rewards and the
    /// operator's commission), base units.
    pub total_claimed: u64,
    /// Bonded shares still activating, by the epoch they were delegated in
    /// (the last two epochs that had deposits; older entries are void).
    pub activating: [StakeCohort; 2],
    /// Reserved for future fields.
    pub reserved: [u8; 14],
}

/// Bonded shares delegated in one epoch that do not yet earn rewards:
/// stake delegated in epoch `d` earns from batches committed in epochs
/// `≥ d + 1` only.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct StakeCohort {
    /// Epoch the shares were delegated in.
    pub epoch: u64,
    /// Those shares still bonded.
    pub shares: u64,
}

impl Node {
    /// Tokens the bonded shares redeem for.
    pub fn bonded_tokens(&self) -> Result<u64> {
        math::shares_to_tokens(self.bonded_shares, self.pool_tokens, self.pool_shares)
    }

    /// The operator's own bonded stake (base units).
    pub fn operator_stake(&self) -> Result<u64> {
        math::shares_to_tokens(
            self.operator_bonded_shares,
            self.pool_tokens,
            self.pool_shares,
        )
    }

    /// Whether the operator's own bonded stake meets `min_node_stake`.
    pub fn is_eligible(&self, min_node_stake: u64) -> Result<bool> {
        Ok(self.operator_stake()? >= min_node_stake)
    }

    /// Adds `amount` tokens and mints bonded shares at the current rate.
    pub fn deposit(&mut self, amount: u64, is_operator: bool) -> Result<u64> {
        require!(amount > 0, EdgeFuelError::ZeroAmount);
        let shares = math::tokens_to_shares(amount, self.pool_tokens, self.pool_shares)?;
        require!(shares > 0, EdgeFuelError::AmountTooSmall);
        self.pool_tokens.add_checked(amount)?;
        self.pool_shares.add_checked(shares)?;
        self.bonded_shares.add_checked(shares)?;
        if is_operator {
            self.operator_bonded_shares.add_checked(shares)?;
        }
        self.invariant()?;
        Ok(shares)
    }

    /// Moves `shares` from bonded to unbonding (still in the pool, still slashable).
    pub fn begin_unbond(&mut self, shares: u64, is_operator: bool) -> Result<()> {
        self.bonded_shares = self
            .bonded_shares
            .checked_sub(shares)
            .ok_or(EdgeFuelError::InsufficientShares)?;
        if is_operator {
            self.operator_bonded_shares = self
                .operator_bonded_shares
                .checked_sub(shares)
                .ok_or(EdgeFuelError::InsufficientShares)?;
        }
        self.invariant()
    }

    /// Burns unbonding `shares` and returns the tokens they redeem for now.
    pub fn redeem(&mut self, shares: u64) -> Result<u64> {
        let tokens = math::shares_to_tokens(shares, self.pool_tokens, self.pool_shares)?;
        self.pool_tokens = self
            .pool_tokens
            .checked_sub(tokens)
            .ok_or(EdgeFuelError::MathOverflow)?;
        self.pool_shares = self
            .pool_shares
            .checked_sub(shares)
            .ok_or(EdgeFuelError::MathOverflow)?;
        require!(
            self.bonded_shares <= self.pool_shares,
            EdgeFuelError::PoolInvariant
        );
        self.invariant()?;
        Ok(tokens)
    }

    /// Takes `ceil(pool_tokens · bps / 10⁴)` from the pool; returns the amount.
    pub fn slash(&mut self, bps: u16) -> Result<u64> {
        let amount = math::slash_amount(self.pool_tokens, bps)?;
        self.pool_tokens = self
            .pool_tokens
            .checked_sub(amount)
            .ok_or(EdgeFuelError::MathOverflow)?;
        self.total_slashed.add_checked(amount)?;
        self.invariant()?;
        Ok(amount)
    }

    /// Changes the commission. A cut applies at once (and drops any pending
    /// raise); a raise applies only after `delay` seconds, so delegators have
    /// a full unbonding period to leave before it bites.
    pub fn schedule_commission(&mut self, bps: u16, now: i64, delay: i64) -> Result<()> {
        if bps <= self.commission_bps {
            self.commission_bps = bps;
            self.pending_commission_bps = 0;
            self.commission_effective_at = 0;
        } else {
            self.pending_commission_bps = bps;
            self.commission_effective_at =
                now.checked_add(delay).ok_or(EdgeFuelError::MathOverflow)?;
        }
        Ok(())
    }

    /// Applies a scheduled raise once its time has come.
    pub fn apply_due_commission(&mut self, now: i64) {
        if self.commission_effective_at != 0 && now >= self.commission_effective_at {
            self.commission_bps = self.pending_commission_bps;
            self.pending_commission_bps = 0;
            self.commission_effective_at = 0;
        }
    }

    /// Shares that earn the pool part of a batch committed in epoch
    /// `batch_epoch` and accepted in epoch `now_epoch`: the bonded shares
    /// minus those delegated in `batch_epoch` or later. A batch accepted two
    /// or more epochs after its own has no earning shares (its pool part is
    /// not minted): by then the stake delegated after it can no longer be
    /// told apart.
    pub fn earning_shares(&self, batch_epoch: u64, now_epoch: u64) -> Result<u64> {
        if batch_epoch.saturating_add(1) < now_epoch {
            return Ok(0);
        }
        let young: u64 = self
            .activating
            .iter()
            .filter(|c| c.epoch >= batch_epoch)
            .map(|c| c.shares)
            .sum();
        self.bonded_shares
            .checked_sub(young)
            .ok_or_else(|| error!(EdgeFuelError::PoolInvariant))
    }

    /// Records `shares` delegated in `epoch` (the current epoch) as
    /// activating. Reuses the entry of that epoch or the older of the two
    /// (an entry from two or more epochs ago no longer matters).
    pub fn add_activating(&mut self, epoch: u64, shares: u64) -> Result<()> {
        let slot = match self.activating.iter().position(|c| c.epoch == epoch) {
            Some(i) => i,
            None => {
                let i = if self.activating[0].epoch <= self.activating[1].epoch {
                    0
                } else {
                    1
                };
                self.activating[i] = StakeCohort { epoch, shares: 0 };
                i
            }
        };
        self.activating[slot].shares.add_checked(shares)
    }

    /// Removes `shares` delegated in `epoch` from the activating entries
    /// (they were undelegated, or re-dated by a new deposit). Entries of
    /// two or more epochs ago are void and ignored.
    pub fn remove_activating(&mut self, epoch: u64, now_epoch: u64, shares: u64) -> Result<()> {
        if epoch.saturating_add(2) <= now_epoch || shares == 0 {
            return Ok(());
        }
        let c = self
            .activating
            .iter_mut()
            .find(|c| c.epoch == epoch)
            .ok_or(EdgeFuelError::PoolInvariant)?;
        c.shares = c
            .shares
            .checked_sub(shares)
            .ok_or(EdgeFuelError::PoolInvariant)?;
        Ok(())
    }

    /// Accrues a reward: commission to the operator, the rest to the
    /// `earning` shares through the accumulator. Returns `(commission,
    /// to_pool, increment)`. With no earning shares the pool part is not
    /// distributed (never minted) and `to_pool` is zero.
    pub fn accrue_reward(&mut self, reward: u64, earning: u64) -> Result<(u64, u64, u128)> {
        let (commission, rest) = math::split_commission(reward, self.commission_bps)?;
        let inc = math::accumulator_increment(rest, earning)?;
        let to_pool = if inc == 0 { 0 } else { rest };
        self.acc_reward_per_share.add_checked(inc)?;
        self.commission_owed.add_checked(commission)?;
        let total = commission
            .checked_add(to_pool)
            .ok_or(EdgeFuelError::MathOverflow)?;
        self.total_rewards.add_checked(total)?;
        Ok((commission, to_pool, inc))
    }

    /// Pool invariants that hold after every mutation.
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.bonded_shares <= self.pool_shares
                && self.operator_bonded_shares <= self.bonded_shares
                && (self.pool_shares > 0 || self.pool_tokens == 0),
            EdgeFuelError::PoolInvariant
        );
        Ok(())
    }
}
