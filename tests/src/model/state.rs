//! The reference model's state: plain structs with the protocol's numbers,
//! written from the README's rules (not from the program's types or maths).
//! Pool maths lives here; reward accrual in `rewards.rs`.
use super::actions::{ACTORS, NODES, VERIFIER_KEYS};
use edgefuel::Params;
use std::collections::BTreeMap;

/// Why the program must refuse a call, for the bad-input table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Failure {
    WrongSigner,
    WrongAccount,
    MissingAccount,
    OutOfRange,
    Insufficient,
    Replay,
    TooEarly,
    TooLate,
    Paused,
    WrongState,
}

impl Failure {
    pub fn label(self) -> &'static str {
        match self {
            Failure::WrongSigner => "wrong signer",
            Failure::WrongAccount => "wrong account",
            Failure::MissingAccount => "missing account",
            Failure::OutOfRange => "out of range",
            Failure::Insufficient => "insufficient",
            Failure::Replay => "replay",
            Failure::TooEarly => "too early",
            Failure::TooLate => "too late",
            Failure::Paused => "paused",
            Failure::WrongState => "wrong state",
        }
    }
}

/// A refusal the model expects: the error the transaction fails with (a
/// custom code as its number, else the instruction error's name), its name
/// and the failure class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub class: Failure,
    pub code: String,
    pub name: String,
}

/// An EdgeFuel error.
pub fn ef(class: Failure, e: edgefuel::error::EdgeFuelError) -> Refusal {
    Refusal {
        class,
        code: crate::code(e).to_string(),
        name: format!("{e:?}"),
    }
}

/// An Anchor framework error raised by the program's account checks.
pub fn anchor(class: Failure, e: anchor_lang::error::ErrorCode) -> Refusal {
    Refusal {
        class,
        code: u32::from(e).to_string(),
        name: e.name(),
    }
}

/// The SPL Token program's `InsufficientFunds`.
pub fn token_insufficient() -> Refusal {
    Refusal {
        class: Failure::Insufficient,
        code: (anchor_spl::token::spl_token::error::TokenError::InsufficientFunds as u32)
            .to_string(),
        name: "InsufficientFunds (SPL Token)".into(),
    }
}

/// An `init` of an account that exists: the runtime refuses the account
/// creation with `InvalidInstructionData` (not a custom error).
pub fn already_in_use(class: Failure) -> Refusal {
    Refusal {
        class,
        code: "InvalidInstructionData".into(),
        name: "InvalidInstructionData (account exists)".into(),
    }
}

pub type Outcome = Result<(), Refusal>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    Jailed,
    Exiting,
}

/// A node and its stake pool.
#[derive(Clone, Debug, Default)]
pub struct MNode {
    pub status: Option<Status>,
    pub jailed_until: i64,
    pub commission_bps: u16,
    pub pool_tokens: u64,
    pub pool_shares: u64,
    pub bonded_shares: u64,
    pub operator_bonded_shares: u64,
    pub acc: u128,
    pub commission_owed: u64,
    pub delegation_count: u32,
    pub last_batch_seq: u64,
    pub pending_work: u64,
    pub pending_batches: u32,
    pub batches_submitted: u64,
    pub batches_accepted: u64,
    pub batches_rejected: u64,
    pub batches_missed: u64,
    pub verified_work: u64,
    pub total_rewards: u64,
    pub total_slashed: u64,
    pub total_claimed: u64,
    /// Bonded shares still activating, by the epoch they were delegated in.
    pub activating: BTreeMap<u64, u64>,
}

/// Tokens `shares` redeem for: `floor(shares · tokens / all shares)` (0 for an empty pool).
pub fn redeem_value(shares: u64, tokens: u64, all: u64) -> u64 {
    if all == 0 {
        0
    } else {
        (shares as u128 * tokens as u128 / all as u128) as u64
    }
}

impl MNode {
    pub fn status(&self) -> Status {
        self.status.unwrap_or(Status::Active)
    }
    pub fn value(&self, shares: u64) -> u64 {
        redeem_value(shares, self.pool_tokens, self.pool_shares)
    }
    pub fn bonded_value(&self) -> u64 {
        self.value(self.bonded_shares)
    }
    pub fn operator_stake(&self) -> u64 {
        self.value(self.operator_bonded_shares)
    }
}

/// A staker's position in a node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MDel {
    pub bonded_shares: u64,
    pub unbonding_shares: u64,
    pub unlock_at: i64,
    pub reward_debt: u128,
    pub pending_rewards: u64,
    pub total_claimed: u64,
    pub last_stake_added_at: i64,
    pub vote_locked_until: i64,
    pub activating_shares: u64,
    pub activating_epoch: u64,
    pub activating_debt: u128,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BStatus {
    Committed,
    Sealed,
    Revealed,
    Accepted,
    Rejected,
    Expired,
    Missed,
}

impl BStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            BStatus::Accepted | BStatus::Rejected | BStatus::Expired | BStatus::Missed
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MQuorum {
    Pending,
    Valid,
    Invalid,
}

/// One committed leaf: the work it claims, whether its output is forged,
/// whether it claims more work than its job has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MLeaf {
    pub work: u64,
    pub fake: bool,
    pub inflated: bool,
}

#[derive(Clone, Debug)]
pub struct MBatch {
    pub leaves: Vec<MLeaf>,
    pub total_work: u64,
    pub epoch: u64,
    pub submitted_slot: u64,
    pub seal_slot: u64,
    pub reveal_deadline: u64,
    pub verify_deadline: u64,
    pub status: BStatus,
    /// Sample points (read from the chain at the seal: the SlotHashes seed
    /// is the environment's randomness).
    pub samples: Vec<u64>,
    /// Per sample point, the leaf revealed for it.
    pub revealed: Vec<Option<u32>>,
    /// Votes in order: verifier key, `None` for Valid or the named leaf.
    pub votes: Vec<(u8, Option<u32>)>,
    pub valid_votes: u8,
    pub invalid_votes: u8,
    pub quorum: MQuorum,
    pub reward: u64,
    pub slashed: u64,
    pub finalized_slot: u64,
    pub reward_rate: u64,
}

impl MBatch {
    /// Work range `[start, end)` of leaf `i`: the work of the leaves before it.
    pub fn range(&self, i: usize) -> (u64, u64) {
        let start: u64 = self.leaves[..i].iter().map(|l| l.work).sum();
        (start, start + self.leaves[i].work)
    }
    /// The leaf whose range covers `point`.
    pub fn leaf_at(&self, point: u64) -> u32 {
        (0..self.leaves.len())
            .find(|&i| {
                let (s, e) = self.range(i);
                (s..e).contains(&point)
            })
            .expect("sample point within total work") as u32
    }
    pub fn sampled_leaves(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self.samples.iter().map(|p| self.leaf_at(*p)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    pub fn is_revealed(&self, leaf: u32) -> bool {
        self.revealed.contains(&Some(leaf))
    }
    pub fn all_revealed(&self) -> bool {
        !self.revealed.is_empty() && self.revealed.iter().all(|r| r.is_some())
    }
    /// A revealed leaf with a forged output, if any.
    pub fn revealed_fake(&self) -> Option<u32> {
        self.revealed
            .iter()
            .flatten()
            .copied()
            .find(|l| self.leaves[*l as usize].fake)
    }
    pub fn revealed_honest(&self) -> Option<u32> {
        self.revealed
            .iter()
            .flatten()
            .copied()
            .find(|l| !self.leaves[*l as usize].fake)
    }
    pub fn invalid_voters(&self) -> Vec<u8> {
        self.votes
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| *k)
            .collect()
    }
}

/// A node's counters for one epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MStats {
    pub batches_submitted: u32,
    pub batches_accepted: u32,
    pub batches_rejected: u32,
    pub batches_missed: u32,
    pub batches_expired: u32,
    pub work_submitted: u64,
    pub work_credited: u64,
    pub rewards: u64,
    pub slashed: u64,
    pub acc_end: u128,
    pub acc_late: u128,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PStatus {
    Voting,
    Passed,
    Defeated,
    Executed,
    Failed,
    Cancelled,
    Expired,
}

/// What a proposal does, resolved to model identities.
#[derive(Clone, Debug, PartialEq)]
pub enum MAction {
    Params(Box<Params>),
    AddVerifier(u8),
    RemoveVerifier(u8),
    Threshold(u8),
    Guardian(u8),
    Transfer { actor: u8, amount: u64 },
    Unjail(u8),
}

#[derive(Clone, Debug)]
pub struct MProposal {
    pub proposer: u8,
    pub node: u8,
    pub action: MAction,
    pub created_at: i64,
    pub voting_ends_at: i64,
    pub executable_at: i64,
    pub total_bonded_snapshot: u64,
    pub quorum_bps: u16,
    pub approval_threshold_bps: u16,
    pub yes: u64,
    pub no: u64,
    pub abstain: u64,
    pub voter_count: u32,
    pub status: PStatus,
    pub executed_at: i64,
    pub params_version: u64,
}

/// The whole protocol state the suite compares with the chain.
#[derive(Clone, Debug)]
pub struct Model {
    pub now: i64,
    pub slot: u64,
    /// Slots with a SlotHashes entry, newest first (at most 512).
    pub hash_slots: Vec<u64>,
    pub params: Params,
    pub params_version: u64,
    /// Verifier keys in the set, in order.
    pub verifiers: Vec<u8>,
    pub threshold: u8,
    /// Guardian key (0 or 1).
    pub guardian: u8,
    pub paused: u8,
    pub node_count: u64,
    pub proposal_count: u64,
    pub total_bonded: u64,
    pub emission_epoch: u64,
    pub epoch_emitted: u64,
    pub total_rewards_accrued: u64,
    pub total_slashed: u64,
    pub genesis_supply: u64,
    pub nodes: Vec<MNode>,
    pub delegations: BTreeMap<(u8, u8), MDel>,
    pub batches: BTreeMap<(u8, u64), MBatch>,
    pub stats: BTreeMap<(u8, u64), MStats>,
    pub proposals: Vec<MProposal>,
    /// Proposal votes cast: (proposal id, node, actor).
    pub ballots: BTreeMap<(u64, u8, u8), u64>,
    /// EFUEL wallets of actors and verifier keys.
    pub wallets: [u64; ACTORS],
    pub verifier_wallets: [u64; VERIFIER_KEYS],
    pub vault: u64,
    pub treasury: u64,
    pub supply: u64,
    /// Rewards minted per epoch, for the emission-cap invariant: Σ epochs'
    /// caps in force ≥ Σ accrued.
    pub emitted_by_epoch: BTreeMap<u64, (u64, u64)>,
    /// Per (node, holder): what the rules entitle it to, in exact fractions
    /// (units of 10⁻¹² base units), computed batch by batch from the shares
    /// that earn for the batch's epoch; and the delegation rewards it has
    /// claimed. The accumulator's payouts must stay within rounding of it.
    pub entitled: BTreeMap<(u8, u8), u128>,
    pub claimed: BTreeMap<(u8, u8), u64>,
    /// Accepted batches per node that paid the pool (rounding events).
    pub pool_payouts: [u64; NODES],
}

/// Scale of [`Model::entitled`].
pub const EXACT: u128 = 1_000_000_000_000;

pub const PAUSE_SUBMISSIONS: u8 = 1;
pub const PAUSE_MINTING: u8 = 2;

impl Model {
    pub fn new(params: Params, now: i64, slot: u64, hash_slots: Vec<u64>, genesis: u64) -> Self {
        Model {
            now,
            slot,
            hash_slots,
            params,
            params_version: 1,
            verifiers: (0..super::actions::INITIAL_VERIFIERS as u8).collect(),
            threshold: 2,
            guardian: 0,
            paused: 0,
            node_count: 0,
            proposal_count: 0,
            total_bonded: 0,
            emission_epoch: 0,
            epoch_emitted: 0,
            total_rewards_accrued: 0,
            total_slashed: 0,
            genesis_supply: genesis,
            nodes: vec![MNode::default(); NODES],
            delegations: BTreeMap::new(),
            batches: BTreeMap::new(),
            stats: BTreeMap::new(),
            proposals: Vec::new(),
            ballots: BTreeMap::new(),
            wallets: [0; ACTORS],
            verifier_wallets: [0; VERIFIER_KEYS],
            vault: 0,
            treasury: 0,
            supply: genesis,
            emitted_by_epoch: BTreeMap::new(),
            entitled: BTreeMap::new(),
            claimed: BTreeMap::new(),
            pool_payouts: [0; NODES],
        }
    }

    pub fn epoch(&self) -> u64 {
        (self.now.max(0) / self.params.epoch_seconds.max(1)) as u64
    }

    /// Runs one pool change of node `n` and moves `total_bonded` by exactly
    /// the change of the node's bonded value (README: "Exact totals").
    pub fn track<T>(&mut self, n: usize, f: impl FnOnce(&mut MNode) -> T) -> T {
        let before = self.nodes[n].bonded_value();
        let out = f(&mut self.nodes[n]);
        let after = self.nodes[n].bonded_value();
        self.total_bonded = self.total_bonded - before + after;
        out
    }

    /// Moves to slot `to`: the slot left and the slot before `to` get
    /// their SlotHashes entries (program-test freezes a bank at `to − 1` on
    /// the way).
    pub fn move_to_slot(&mut self, to: u64) {
        for entry in [self.slot, to - 1] {
            if let Err(i) = self.hash_slots.binary_search_by(|s| entry.cmp(s)) {
                self.hash_slots.insert(i, entry);
            }
        }
        self.hash_slots
            .truncate(edgefuel::constants::SLOT_HASHES_WINDOW as usize);
        self.slot = to;
    }
}
