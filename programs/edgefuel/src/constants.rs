//! PDA seeds and protocol-wide bounds.
//!
//! Every bound that `Params::validate` enforces lives here so that clients,
//! tests and docs read one number.

/// `Network` PDA: `[SEED_NETWORK]`.
pub const SEED_NETWORK: &[u8] = b"network";
/// EFUEL mint PDA: `[SEED_MINT]`. Mint authority: the `Network` PDA.
pub const SEED_MINT: &[u8] = b"mint";
/// Stake vault token account PDA: `[SEED_VAULT]`. Holds every node pool's tokens.
pub const SEED_VAULT: &[u8] = b"vault";
/// Treasury token account PDA: `[SEED_TREASURY]`. Receives slashed stake.
pub const SEED_TREASURY: &[u8] = b"treasury";
/// `Node` PDA: `[SEED_NODE, operator]`.
pub const SEED_NODE: &[u8] = b"node";
/// `Delegation` PDA: `[SEED_DELEGATION, node, staker]`.
pub const SEED_DELEGATION: &[u8] = b"delegation";

/// EFUEL decimals (base units per token = 10^9).
pub const EFUEL_DECIMALS: u8 = 9;
/// Basis points in one whole.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// Fixed-point scale of a node's reward-per-share accumulator.
pub const REWARD_SCALE: u128 = 1_000_000_000_000_000_000;

/// Largest verifier set the `Network` account stores.
pub const MAX_VERIFIERS: usize = 16;

/// Node metadata bounds (bytes).
pub const MAX_ENDPOINT_LEN: usize = 96;
pub const MAX_GPU_MODEL_LEN: usize = 48;
pub const MAX_REGION_LEN: usize = 16;

/// Parameter bounds.
pub const MIN_EPOCH_SECONDS: i64 = 60;
pub const MAX_EPOCH_SECONDS: i64 = 30 * 24 * 3600;
pub const MAX_UNBONDING_SECONDS: i64 = 90 * 24 * 3600;
pub const MAX_JAIL_SECONDS: i64 = 365 * 24 * 3600;
pub const MAX_SEAL_DELAY_SLOTS: u64 = 256;
/// SlotHashes keeps 512 entries: a batch must be sealable inside that window.
pub const SLOT_HASHES_WINDOW: u64 = 512;
pub const MAX_WINDOW_SLOTS: u64 = 1_000_000;
/// Fewest slots verifiers get after the reveal deadline
/// (`verify_window_slots − reveal_window_slots`): a node that reveals at the
/// last moment cannot leave them too little time and let its batch expire.
pub const MIN_VOTING_SLOTS: u64 = 32;
/// Largest sample a batch may require (bounded by reveal account size).
pub const MAX_SAMPLES: u16 = 64;
pub const MAX_GOVERNANCE_SECONDS: i64 = 60 * 24 * 3600;
/// `Batch` PDA: `[SEED_BATCH, node, seq u64 LE]`.
pub const SEED_BATCH: &[u8] = b"batch";
/// `NodeEpochStats` PDA: `[SEED_NODE_EPOCH, node, epoch u64 LE]`.
pub const SEED_NODE_EPOCH: &[u8] = b"node_epoch";
/// Most leaves one batch may commit: 2¹⁶. The deepest reveal item (16 path
/// nodes and the longest job shape, 802 bytes) fits one 1 232-byte
/// transaction signed by a separate fee payer and the agent, with room left
/// for the two compute-budget instructions of a priority fee.
pub const MAX_BATCH_LEAVES: u32 = 1 << 16;
/// Most work units one leaf may claim: the job spec limit (2³⁶), so
/// `total_work ≤ leaf_count · MAX_WORK_PER_LEAF`.
pub const MAX_WORK_PER_LEAF: u64 = edgefuel_spec::limits::MAX_WORK_UNITS;
/// Longest job shape a reveal may carry and a `RevealedLeaf` stores (bytes).
pub const MAX_SHAPE_LEN: usize = edgefuel_spec::MAX_SHAPE_LEN;
/// Epochs after its commit epoch during which an accepted batch whose reward
/// does not fit the epoch's emission budget waits for a fresh budget; from
/// epoch `batch.epoch + MAX_DEFERRAL_EPOCHS` on it is paid what the budget
/// has left, so a lowered cap can never hold a batch (its rent and the
/// node's in-flight work) forever. One epoch: a batch's pool part is paid
/// only while it is accepted in its own epoch or the next (stake
/// activation), so waiting longer would forfeit it.
pub const MAX_DEFERRAL_EPOCHS: u64 = 1;
/// Highest `approval_threshold_bps`: yes must beat at most 80 % of yes + no,
/// so one large holder voting no cannot veto everything forever.
pub const MAX_APPROVAL_THRESHOLD_BPS: u16 = 8_000;
/// Highest `quorum_bps`: a proposal never needs more than half of all
/// bonded stake to turn out.
pub const MAX_QUORUM_BPS: u16 = 5_000;
/// A passed proposal may be executed during this long after `executable_at`
/// (seconds); after that it expires unexecuted.
pub const EXECUTION_WINDOW_SECONDS: i64 = 14 * 24 * 3600;
/// `Proposal` PDA: `[SEED_PROPOSAL, id u64 LE]`.
pub const SEED_PROPOSAL: &[u8] = b"proposal";
/// `ProposalVote` PDA: `[SEED_PROPOSAL_VOTE, proposal, delegation]`.
pub const SEED_PROPOSAL_VOTE: &[u8] = b"proposal_vote";
/// Longest proposal description URI (bytes).
pub const MAX_DESCRIPTION_URI_LEN: usize = 200;
/// Smallest fraction of a batch's *work* (bps) faked or inflated that the
/// incentive rule must make unprofitable: 10 %. Sampling is by work, so
/// the fraction is of work units, however they are spread over leaves.
pub const MIN_FAKE_FRACTION_BPS: u16 = 1_000;
/// Fixed-point scale of probabilities in the incentive rule.
pub const PROB_SCALE: u128 = 1_000_000_000_000_000_000;
/// Nominal slot time (ms) used to compare slot windows with second-based
/// durations.
pub const NOMINAL_SLOT_MS: u64 = 400;
