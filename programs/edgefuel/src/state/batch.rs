//! The `Batch` account: one committed batch of receipts and its verification.
use crate::constants::*;
use crate::error::EdgeFuelError;
use anchor_lang::prelude::*;
use edgefuel_spec::{JobSpec, SpecError};

/// Where a batch is in its life.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum BatchStatus {
    /// Root committed; waiting for its seal slot.
    Committed,
    /// Sample drawn; waiting for the node to reveal it.
    Sealed,
    /// Every sampled leaf revealed; verifiers vote.
    Revealed,
    /// Final: a quorum found it valid; work credited, rewards accrued.
    Accepted,
    /// Final: a quorum found fraud; node slashed and jailed.
    Rejected,
    /// Final: no quorum within the verify window; no reward, no slash.
    Expired,
    /// Final: not sealed within the SlotHashes window (slashed
    /// `slash_unavailable_bps`) or sealed and not revealed in time (slashed
    /// `slash_fraud_bps`: the node knew its sample); node jailed.
    Missed,
}

impl BatchStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Accepted | Self::Rejected | Self::Expired | Self::Missed
        )
    }
}

/// A verifier's verdict on a revealed batch.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum Verdict {
    /// Every revealed job re-executed to the committed output.
    Valid,
    /// The job at `leaf_index` did not: the verifier's own output commitment
    /// (or the recomputed leaf) differs.
    Invalid {
        /// Leaf index of the offending sampled receipt.
        leaf_index: u32,
        /// The output commitment the verifier computed for that job.
        expected_commitment: [u8; 32],
    },
}

/// One revealed receipt leaf, as stored for verifiers: everything needed
/// to re-execute the job from the chain alone. The job's seed is not stored:
/// it follows from the leaf's position ([`Batch::job_spec`]).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct RevealedLeaf {
    /// Leaf index in the batch.
    pub index: u32,
    /// Job kind byte.
    pub kind: u8,
    /// Work units of the leaf (equal to the spec's work formula).
    pub work_units: u64,
    /// SHA-256 of the job's output bytes, as committed by the node.
    pub output_commitment: [u8; 32],
    /// Length of the shape bytes in `shape`.
    pub shape_len: u8,
    /// The job's canonical shape bytes (`edgefuel_spec::JobShape::to_bytes`),
    /// zero-padded.
    pub shape: [u8; MAX_SHAPE_LEN],
}

impl Default for RevealedLeaf {
    fn default() -> Self {
        RevealedLeaf {
            index: 0,
            kind: 0,
            work_units: 0,
            output_commitment: [0; 32],
            shape_len: 0,
            shape: [0; MAX_SHAPE_LEN],
        }
    }
}

impl RevealedLeaf {
    /// The stored shape bytes.
    pub fn shape_bytes(&self) -> &[u8] {
        &self.shape[..(self.shape_len as usize).min(MAX_SHAPE_LEN)]
    }
}

/// One recorded vote.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct VoteRecord {
    /// The verifier.
    pub verifier: Pubkey,
    /// What it found.
    pub verdict: Verdict,
}

/// What the verifier quorum decided, before finalization applies it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum Quorum {
    /// Not reached yet.
    Pending,
    /// `threshold` verifiers voted Valid.
    Valid,
    /// `threshold` verifiers voted Invalid.
    Invalid,
}

/// A committed batch. PDA `[SEED_BATCH, node, seq LE]`. Fixed size
/// `8 + Batch::INIT_SPACE` = 9 755 bytes (a program may create at most
/// 10 240 in one instruction; checked at compile time below); closed after
/// finalization and its rent returned to the node operator.
///
/// Deadlines are counted from the *seal slot* `submitted_slot +
/// seal_delay_slots`, not from when someone sent `seal_batch`, so delaying
/// the seal buys the node nothing:
/// - sealable while the SlotHashes sysvar still holds that slot's successor
///   (≤ 512 slots);
/// - reveal by `seal slot + reveal_window_slots`;
/// - verify by `seal slot + verify_window_slots`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Batch {
    /// PDA bump.
    pub bump: u8,
    /// The node that committed it.
    pub node: Pubkey,
    /// Per-node sequence number (1, 2, 3, … without gaps).
    pub seq: u64,
    /// Hash of the root of the Merkle sum tree over the receipt leaves.
    pub root: [u8; 32],
    /// Number of leaves.
    pub leaf_count: u32,
    /// Work units of the whole batch: the sum committed at the tree's root
    /// (every reveal path must add up to it).
    pub total_work: u64,
    /// Reward epoch the batch was committed in.
    pub epoch: u64,
    /// Slot of `submit_batch`.
    pub submitted_slot: u64,
    /// Slot whose SlotHashes successor seeds the sample (submit + seal delay).
    pub seal_slot: u64,
    /// Reveal deadline (slot, inclusive).
    pub reveal_deadline: u64,
    /// Verify deadline (slot, inclusive).
    pub verify_deadline: u64,
    /// Lifecycle status.
    pub status: BatchStatus,
    /// Sample seed: H(batch key ‖ slot hash); zero until sealed.
    pub seed: [u8; 32],
    /// Slot hash used for the seed.
    pub seal_slot_hash: [u8; 32],
    /// Number of sample points.
    pub sample_count: u8,
    /// Sample points in `[0, total_work)` (`[..sample_count]`), work units:
    /// each samples the leaf whose work range covers it.
    pub samples: [u64; MAX_SAMPLES as usize],
    /// Bit i set when the leaf covering `samples[i]` has been revealed.
    pub revealed_mask: u64,
    /// Revealed leaves, aligned with `samples` (a leaf covering several
    /// points is stored at each of them).
    pub revealed: [RevealedLeaf; MAX_SAMPLES as usize],
    /// Number of votes recorded.
    pub vote_count: u8,
    /// Votes (`[..vote_count]`).
    pub votes: [VoteRecord; MAX_VERIFIERS],
    /// Valid votes.
    pub valid_votes: u8,
    /// Invalid votes.
    pub invalid_votes: u8,
    /// Outcome once `verifier_threshold` agreeing votes are in.
    pub quorum: Quorum,
    /// Reward accrued on acceptance (base units).
    pub reward: u64,
    /// Stake slashed on rejection or miss (base units).
    pub slashed: u64,
    /// Slot of finalization (0 until final).
    pub finalized_slot: u64,
    /// Reward per work unit fixed at submit (base units): an accepted batch
    /// is paid at this rate, whatever governance sets later.
    pub reward_rate: u64,
    /// Reserved for future fields.
    pub reserved: [u8; 24],
}

/// The batch account must stay creatable by `submit_batch` in one instruction.
const _: () = assert!(8 + Batch::INIT_SPACE <= 10_240);

impl Batch {
    /// The sample points.
    pub fn sample(&self) -> &[u64] {
        &self.samples[..(self.sample_count as usize).min(MAX_SAMPLES as usize)]
    }

    /// The distinct revealed leaves, in sample order.
    pub fn revealed_leaves(&self) -> Vec<RevealedLeaf> {
        let mut out: Vec<RevealedLeaf> = Vec::new();
        for (pos, leaf) in self.revealed.iter().enumerate().take(self.sample().len()) {
            let shown = self.revealed_mask & (1u64 << pos) != 0;
            if shown && !out.iter().any(|l| l.index == leaf.index) {
                out.push(*leaf);
            }
        }
        out
    }

    /// Whether leaf `leaf_index` has been revealed.
    pub fn is_revealed(&self, leaf_index: u32) -> bool {
        self.revealed_leaves().iter().any(|l| l.index == leaf_index)
    }

    /// The seed of the job at leaf `index` of this batch (the bound seed
    /// rule, `edgefuel_spec::job_seed`).
    pub fn job_seed(&self, index: u32) -> [u8; 32] {
        edgefuel_spec::job_seed(
            &crate::ID.to_bytes(),
            &self.node.to_bytes(),
            self.seq,
            index,
        )
    }

    /// The full spec of a revealed leaf: its stored shape with the seed bound
    /// to its position. A verifier re-executes it with nothing but this
    /// account.
    pub fn job_spec(&self, leaf: &RevealedLeaf) -> std::result::Result<JobSpec, SpecError> {
        JobSpec::from_shape_bytes(leaf.shape_bytes(), self.job_seed(leaf.index))
    }

    pub fn all_revealed(&self) -> bool {
        let n = self.sample_count as u32;
        let full = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        self.revealed_mask & full == full
    }

    /// The recorded votes.
    pub fn recorded_votes(&self) -> &[VoteRecord] {
        &self.votes[..(self.vote_count as usize).min(MAX_VERIFIERS)]
    }

    /// The verifiers that voted Invalid, in vote order: on a rejected batch
    /// they share the fraud bounty, and `finalize_batch` takes their EFUEL
    /// accounts in this order.
    pub fn invalid_voters(&self) -> Vec<Pubkey> {
        self.recorded_votes()
            .iter()
            .filter(|v| matches!(v.verdict, Verdict::Invalid { .. }))
            .map(|v| v.verifier)
            .collect()
    }

    pub fn has_voted(&self, verifier: &Pubkey) -> bool {
        self.recorded_votes()
            .iter()
            .any(|v| v.verifier == *verifier)
    }
}

/// Per-node, per-epoch counters for dashboards. PDA `[SEED_NODE_EPOCH, node, epoch LE]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct NodeEpochStats {
    /// PDA bump.
    pub bump: u8,
    /// The node.
    pub node: Pubkey,
    /// Epoch index (`unix_timestamp / epoch_seconds`).
    pub epoch: u64,
    /// Batches committed in this epoch.
    pub batches_submitted: u32,
    /// Of those, accepted.
    pub batches_accepted: u32,
    /// Of those, rejected as fraud.
    pub batches_rejected: u32,
    /// Of those, missed (unsealed or unrevealed).
    pub batches_missed: u32,
    /// Of those, expired without a quorum.
    pub batches_expired: u32,
    /// Work units committed.
    pub work_submitted: u64,
    /// Work units credited after verification.
    pub work_credited: u64,
    /// Rewards accrued for this epoch's batches (base units).
    pub rewards: u64,
    /// Stake slashed for this epoch's batches (base units).
    pub slashed: u64,
    /// The node's reward accumulator at the end of this epoch (kept equal
    /// to it while the epoch runs): what stake delegated in this epoch
    /// starts from.
    pub acc_end: u128,
    /// Accumulator growth from this epoch's batches accepted in the next
    /// epoch: stake delegated in this epoch does not earn it either.
    pub acc_late: u128,
    /// Reserved for future fields.
    pub reserved: [u8; 16],
}

impl NodeEpochStats {
    /// Accumulator value that stake delegated in this epoch earns from:
    /// everything grown by batches committed in this epoch or earlier.
    pub fn activation_base(&self) -> Result<u128> {
        self.acc_end
            .checked_add(self.acc_late)
            .ok_or_else(|| error!(EdgeFuelError::MathOverflow))
    }
}
