//! Protocol parameters: set at `initialize_network`, changed only by governance.
use crate::constants::*;
use crate::error::EdgeFuelError;
use anchor_lang::prelude::*;

/// Every tunable number of the protocol. Validated by [`Params::validate`]
/// on every path that writes it (initialization and governance).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct Params {
    /// Length of a reward epoch (seconds, wall clock). 60 ..= 30 days.
    pub epoch_seconds: i64,
    /// EFUEL minted per verified work unit (base units per work unit).
    pub reward_per_work_unit: u64,
    /// Most EFUEL that verified work may earn per epoch (base units); the
    /// circuit breaker on emission. > 0.
    pub epoch_emission_cap: u64,
    /// Operator's own bonded stake a node needs to submit work (base units). > 0.
    pub min_node_stake: u64,
    /// Highest commission a node may charge (bps, ≤ 10 000).
    pub max_commission_bps: u16,
    /// Cooldown between undelegate and withdraw (seconds). 1 ..= 90 days, and
    /// at least a batch's whole life (seal delay + SlotHashes window + verify
    /// window, at 400 ms per slot) so unbonding stake cannot leave before a
    /// batch it backed can be slashed.
    pub unbonding_seconds: i64,
    /// Slots between a batch's commit and the slot whose hash seeds its sample.
    /// 1 ..= 256.
    pub seal_delay_slots: u64,
    /// Slots after sealing within which the node must reveal its sample. > 0.
    pub reveal_window_slots: u64,
    /// Slots after sealing within which verifiers must reach a quorum;
    /// ≥ reveal window + `MIN_VOTING_SLOTS`.
    pub verify_window_slots: u64,
    /// Sample points per leaf of a batch (bps, 1 ..= 10 000): k = ceil(n ·
    /// sample_bps / 10⁴) work-weighted points, clamped to min/max_samples.
    pub sample_bps: u16,
    /// Fewest sample points per batch (1 ..= max_samples).
    pub min_samples: u16,
    /// Most sample points per batch (≤ 64).
    pub max_samples: u16,
    /// Share of a node pool slashed for fraud (bps, 1 ..= 10 000).
    pub slash_fraud_bps: u16,
    /// Share of a node pool slashed for a batch nobody sealed within the
    /// SlotHashes window (bps, ≤ slash_fraud_bps). A sealed batch left
    /// unrevealed costs `slash_fraud_bps`. The incentive rule holds for the
    /// cheaper of the two.
    pub slash_unavailable_bps: u16,
    /// Share of a fraud slash paid to the verifiers who voted with the outcome (bps, ≤ 10 000).
    pub verifier_bounty_bps: u16,
    /// How long a faulty node stays jailed (seconds). 0 ..= 365 days.
    pub jail_seconds: i64,
    /// Cap on unverified exposure: the reward value of a node's unfinalized
    /// work may not exceed this share of its pool's tokens (bps, 1 ..= 10 000).
    pub max_exposure_bps: u16,
    /// Bonded stake a delegation needs to create a proposal (base units);
    /// ≤ `min_node_stake`, so every node operator can propose.
    pub min_proposal_stake: u64,
    /// Length of a proposal's voting window (seconds). 1 ..= 60 days.
    pub voting_seconds: i64,
    /// Delay between a proposal passing and its execution (seconds). 0 ..= 60 days.
    pub timelock_seconds: i64,
    /// Turnout needed, as a share of all bonded stake (bps, 1 ..= 5 000).
    pub quorum_bps: u16,
    /// Share of yes among yes + no that a proposal must exceed (bps, 5 000 ..= 8 000).
    pub approval_threshold_bps: u16,
}

impl Params {
    /// Checks every bound. The same check runs at initialization and when
    /// governance applies new params.
    pub fn validate(&self) -> Result<()> {
        let bps = BPS_DENOMINATOR as u16;
        let ok = (MIN_EPOCH_SECONDS..=MAX_EPOCH_SECONDS).contains(&self.epoch_seconds)
            && self.epoch_emission_cap > 0
            && self.min_node_stake > 0
            && self.max_commission_bps <= bps
            && (1..=MAX_UNBONDING_SECONDS).contains(&self.unbonding_seconds)
            && (1..=MAX_SEAL_DELAY_SLOTS).contains(&self.seal_delay_slots)
            && (1..=MAX_WINDOW_SLOTS).contains(&self.reveal_window_slots)
            && self.verify_window_slots
                >= self.reveal_window_slots.saturating_add(MIN_VOTING_SLOTS)
            && self.verify_window_slots <= MAX_WINDOW_SLOTS
            && (1..=bps).contains(&self.sample_bps)
            && self.min_samples >= 1
            && self.min_samples <= self.max_samples
            && self.max_samples <= MAX_SAMPLES
            && (1..=bps).contains(&self.slash_fraud_bps)
            && self.slash_unavailable_bps <= self.slash_fraud_bps
            && self.verifier_bounty_bps <= bps
            && (0..=MAX_JAIL_SECONDS).contains(&self.jail_seconds)
            && (1..=bps).contains(&self.max_exposure_bps)
            && (1..=MAX_GOVERNANCE_SECONDS).contains(&self.voting_seconds)
            && (0..=MAX_GOVERNANCE_SECONDS).contains(&self.timelock_seconds)
            && self.governance_stays_live();
        require!(
            ok && self.unbonding_outlasts_batches(),
            EdgeFuelError::InvalidParams
        );
        require!(
            self.cheating_does_not_pay(),
            EdgeFuelError::IncentiveRuleViolated
        );
        Ok(())
    }

    /// Governance can always pass a proposal: the quorum is at most half of
    /// the bonded stake, the approval threshold at most 80 % of yes + no, and
    /// any node operator holds enough stake to propose.
    pub fn governance_stays_live(&self) -> bool {
        (1..=MAX_QUORUM_BPS).contains(&self.quorum_bps)
            && (5_000..=MAX_APPROVAL_THRESHOLD_BPS).contains(&self.approval_threshold_bps)
            && self.min_proposal_stake <= self.min_node_stake
    }

    /// Unbonding stake stays slashable for at least a batch's whole life.
    pub fn unbonding_outlasts_batches(&self) -> bool {
        let slots = self.seal_delay_slots as u128
            + SLOT_HASHES_WINDOW as u128
            + self.verify_window_slots as u128;
        (self.unbonding_seconds.max(0) as u128) * 1_000 >= slots * NOMINAL_SLOT_MS as u128
    }

    /// The smallest penalty a node can choose once its sample is known
    /// (bps of its pool). The sample's seed is public from the seal slot on,
    /// so a node that sees a fake leaf drawn picks its cheapest way out:
    /// not revealing a sealed batch costs the fraud slash (the node knew
    /// what it hid), letting the batch go unsealed costs
    /// `slash_unavailable_bps`, being caught costs `slash_fraud_bps`.
    pub fn cheapest_exit_bps(&self) -> u16 {
        self.slash_fraud_bps.min(self.slash_unavailable_bps)
    }

    /// The proof-of-sampling incentive rule, with the cheapest exit.
    ///
    /// A node with pool stake P can have at most E = P · max_exposure_bps /
    /// 10⁴ of unverified reward in flight, so faking a batch gains it at most
    /// E. Samples are drawn by work (`proof::sample_points`): each of the
    /// k ≥ min_samples points lands in a faked or inflated leaf with
    /// probability f, the faked or inflated fraction of the batch's *work*
    /// units, however the node spreads it over leaves (an inflated leaf is
    /// refused at reveal, a faked one is voted Invalid). A batch with f ≥
    /// f_min (`MIN_FAKE_FRACTION_BPS`) escapes with probability
    /// q = (1 − f)^k ≤ (1 − f_min)^min_samples; once a faked leaf is drawn
    /// the node loses at least S = P · [`Self::cheapest_exit_bps`] / 10⁴
    /// however it reacts. Honesty dominates when
    ///
    /// ```text
    /// (1 − q) · S  >  q · E   ⇔   (1 − q) · cheapest_exit_bps  >  q · max_exposure_bps
    /// ```
    ///
    /// q is computed in fixed point (10¹⁸) rounding up at every step, so the
    /// check errs on the side of refusing params.
    pub fn cheating_does_not_pay(&self) -> bool {
        let escape = escape_probability(MIN_FAKE_FRACTION_BPS, self.min_samples);
        let caught = PROB_SCALE - escape;
        caught * self.cheapest_exit_bps() as u128 > escape * self.max_exposure_bps as u128
    }
}

/// `ceil((1 − f)^k)` in units of `PROB_SCALE`, with f in bps.
pub fn escape_probability(fake_fraction_bps: u16, samples: u16) -> u128 {
    let keep = (BPS_DENOMINATOR as u128).saturating_sub(fake_fraction_bps as u128);
    let mut q = PROB_SCALE;
    for _ in 0..samples {
        q = (q * keep).div_ceil(BPS_DENOMINATOR as u128);
    }
    q
}
