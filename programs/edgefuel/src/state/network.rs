//! The `Network` account: one per deployment.
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::math::AddChecked;
use crate::state::{Node, Params};
use anchor_lang::prelude::*;

/// Pause flag: no new batches may be submitted.
pub const PAUSE_SUBMISSIONS: u8 = 1 << 0;
/// Pause flag: no EFUEL may be minted (claims fail).
pub const PAUSE_MINTING: u8 = 1 << 1;

/// What the guardian pauses or unpauses.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PauseScope {
    /// New batch submissions.
    Submissions,
    /// Reward minting.
    Minting,
    /// Both.
    All,
}

impl PauseScope {
    /// The pause flags this scope covers.
    pub fn flags(self) -> u8 {
        match self {
            PauseScope::Submissions => PAUSE_SUBMISSIONS,
            PauseScope::Minting => PAUSE_MINTING,
            PauseScope::All => PAUSE_SUBMISSIONS | PAUSE_MINTING,
        }
    }
}

/// Network-wide configuration and totals. PDA `[SEED_NETWORK]`.
/// Fixed size: `8 + Network::INIT_SPACE` bytes.
#[account]
#[derive(InitSpace, Debug)]
pub struct Network {
    /// PDA bump of this account.
    pub bump: u8,
    /// PDA bump of the EFUEL mint.
    pub mint_bump: u8,
    /// PDA bump of the stake vault.
    pub vault_bump: u8,
    /// PDA bump of the treasury.
    pub treasury_bump: u8,
    /// EFUEL mint (9 decimals; mint authority = this account).
    pub mint: Pubkey,
    /// Token account holding every node pool's stake (authority = this account).
    pub vault: Pubkey,
    /// Token account receiving slashed stake (authority = this account).
    pub treasury: Pubkey,
    /// Key that may only pause and unpause submissions and minting.
    pub guardian: Pubkey,
    /// Protocol parameters.
    pub params: Params,
    /// Verifier set; entries `[..verifier_count]` are valid, the rest default.
    pub verifiers: [Pubkey; MAX_VERIFIERS],
    /// Number of verifiers in the set.
    pub verifier_count: u8,
    /// Agreeing votes needed to finalize a batch.
    pub verifier_threshold: u8,
    /// Pause flags (`PAUSE_SUBMISSIONS | PAUSE_MINTING`).
    pub paused: u8,
    /// Nodes ever registered.
    pub node_count: u64,
    /// Proposals ever created (next proposal id).
    pub proposal_count: u64,
    /// Bonded stake over all node pools (base units), for governance quorum:
    /// always exactly Σ over nodes of [`Node::bonded_tokens`] (every pool
    /// change goes through [`Network::track_pool`]).
    pub total_bonded: u64,
    /// Epoch index that `epoch_emitted` refers to.
    pub emission_epoch: u64,
    /// Rewards accrued in `emission_epoch` (base units), ≤ `epoch_emission_cap`.
    pub epoch_emitted: u64,
    /// Rewards accrued since genesis (base units): Σ nodes' `total_rewards`.
    pub total_rewards_accrued: u64,
    /// Stake slashed since genesis (base units).
    pub total_slashed: u64,
    /// EFUEL minted at genesis (base units): the mint's supply is always
    /// `genesis_supply` + Σ nodes' `total_claimed`.
    pub genesis_supply: u64,
    /// Bumped by every params change (1 after initialization): a proposal
    /// to update params executes only on the version it was created on.
    pub params_version: u64,
    /// Reserved for future fields.
    pub reserved: [u8; 112],
}

impl Network {
    /// The valid part of the verifier set.
    pub fn verifier_set(&self) -> &[Pubkey] {
        let n = (self.verifier_count as usize).min(MAX_VERIFIERS);
        &self.verifiers[..n]
    }

    pub fn is_verifier(&self, key: &Pubkey) -> bool {
        self.verifier_set().contains(key)
    }

    pub fn is_paused(&self, flags: u8) -> bool {
        self.paused & flags != 0
    }

    /// Current epoch index from a unix timestamp.
    pub fn epoch_at(&self, unix_timestamp: i64) -> u64 {
        let secs = self.params.epoch_seconds.max(1);
        (unix_timestamp.max(0) / secs) as u64
    }

    /// Runs one change of `node`'s pool (deposit, unbond, redemption,
    /// slash) and moves `total_bonded` by exactly the change of the node's
    /// bonded value, rounding included. Every pool change goes through here,
    /// so `total_bonded` stays the sum over nodes.
    pub fn track_pool<T>(
        &mut self,
        node: &mut Node,
        change: impl FnOnce(&mut Node) -> Result<T>,
    ) -> Result<T> {
        let before = node.bonded_tokens()?;
        let out = change(node)?;
        let after = node.bonded_tokens()?;
        self.total_bonded = self
            .total_bonded
            .checked_sub(before)
            .and_then(|t| t.checked_add(after))
            .ok_or(EdgeFuelError::MathOverflow)?;
        Ok(out)
    }

    /// The single path that writes params: initialization and governance.
    pub fn apply_params(&mut self, params: Params) -> Result<()> {
        params.validate()?;
        self.params = params;
        self.params_version.add_checked(1)
    }

    /// Replaces the verifier set and threshold after checking them.
    pub fn apply_verifier_set(&mut self, verifiers: &[Pubkey], threshold: u8) -> Result<()> {
        validate_verifier_set(verifiers, threshold)?;
        self.verifiers = [Pubkey::default(); MAX_VERIFIERS];
        self.verifiers[..verifiers.len()].copy_from_slice(verifiers);
        self.verifier_count = verifiers.len() as u8;
        self.verifier_threshold = threshold;
        Ok(())
    }
}

/// A verifier set is 1..=16 distinct non-default keys; the threshold is a
/// strict majority of the set and at most its size.
pub fn validate_verifier_set(verifiers: &[Pubkey], threshold: u8) -> Result<()> {
    require!(
        !verifiers.is_empty() && verifiers.len() <= MAX_VERIFIERS,
        EdgeFuelError::InvalidVerifierSet
    );
    for (i, v) in verifiers.iter().enumerate() {
        require!(
            *v != Pubkey::default() && !verifiers[..i].contains(v),
            EdgeFuelError::InvalidVerifierSet
        );
    }
    let n = verifiers.len();
    let t = threshold as usize;
    require!(t * 2 > n && t <= n, EdgeFuelError::InvalidThreshold);
    Ok(())
}
