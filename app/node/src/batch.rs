//! A batch on the data path: jobs → receipts → Merkle tree → submit
//! arguments → reveal items for the drawn sample.
use crate::energy::{EnergyMeter, EnergySource};
use crate::settings::Faults;
use edgefuel_client::edgefuel::proof::{self, MerkleTree, Receipt};
use edgefuel_client::edgefuel::{Batch, RevealItem, SubmitBatchArgs};
use edgefuel_jobs::{execute, output_commitment, Backend, JobError, JobSpec};
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("running job {leaf} ({kind}) of batch {seq}: {source}")]
    Job {
        seq: u64,
        leaf: u32,
        kind: &'static str,
        source: JobError,
    },
    #[error("sampled leaf {leaf} is outside batch {seq} ({count} leaves)")]
    OutsideBatch { seq: u64, leaf: u32, count: usize },
}

/// One job as run (or, for a faulty node, not run).
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub spec: JobSpec,
    pub receipt: Receipt,
    /// Wall time of the job (seconds).
    pub seconds: f64,
    /// Energy of the job (joules) and where the figure comes from.
    pub joules: f64,
    pub energy_source: EnergySource,
    /// Whether the receipt commits a made-up output (deliberate fault).
    pub faked: bool,
}

/// Whether a deliberately faulty node fakes this job (a fixed share of
/// jobs, chosen by the job's seed so reruns fake the same ones).
fn fakes(spec: &JobSpec, fraction: f64) -> bool {
    if fraction <= 0.0 {
        return false;
    }
    let h = proof::hashv(&[b"edgefuel-fault", spec.seed()]);
    let mut word = [0u8; 8];
    word.copy_from_slice(&h[..8]);
    (u64::from_le_bytes(word) as f64 / u64::MAX as f64) < fraction
}

/// Runs `spec` on `backend` (or fakes it, as `faults` say) into a receipt.
pub fn run_job(
    seq: u64,
    leaf: u32,
    spec: JobSpec,
    backend: &dyn Backend,
    meter: &EnergyMeter,
    faults: &Faults,
) -> Result<JobRecord, BatchError> {
    let started = Instant::now();
    let mark = meter.mark();
    let faked = fakes(&spec, faults.fake_fraction);
    let commitment = if faked {
        output_commitment(&vec![0u8; spec.output_len()])
    } else {
        execute(&spec, backend)
            .map_err(|source| BatchError::Job {
                seq,
                leaf,
                kind: spec.kind().name(),
                source,
            })?
            .output_commitment()
    };
    let seconds = started.elapsed().as_secs_f64();
    let (joules, energy_source) = meter.since(&mark, seconds);
    let work = spec.work_units();
    let claimed = work.saturating_add(
        (work as u128 * faults.inflate_work_bps as u128 / 10_000).min(u64::MAX as u128) as u64,
    );
    Ok(JobRecord {
        receipt: Receipt {
            job_id: spec.job_id(),
            kind: spec.kind() as u8,
            work_units: claimed,
            output_commitment: commitment,
        },
        spec,
        seconds,
        joules,
        energy_source,
        faked,
    })
}

/// The receipts of one batch and their Merkle tree.
pub struct ReceiptSet {
    pub seq: u64,
    pub receipts: Vec<Receipt>,
    pub tree: MerkleTree,
}

impl ReceiptSet {
    pub fn new(seq: u64, receipts: Vec<Receipt>) -> Self {
        ReceiptSet {
            seq,
            tree: MerkleTree::from_receipts(&receipts),
            receipts,
        }
    }

    pub fn root(&self) -> [u8; 32] {
        self.tree.root()
    }

    pub fn leaf_count(&self) -> u32 {
        self.receipts.len() as u32
    }

    pub fn total_work(&self) -> u64 {
        self.receipts
            .iter()
            .fold(0u64, |a, r| a.saturating_add(r.work_units))
    }

    /// `submit_batch` arguments for `epoch`.
    pub fn submit_args(&self, epoch: u64) -> SubmitBatchArgs {
        SubmitBatchArgs {
            seq: self.seq,
            root: self.root(),
            leaf_count: self.leaf_count(),
            total_work: self.total_work(),
            epoch,
        }
    }

    /// The sampled leaves of `batch` not revealed yet, with their proofs.
    pub fn reveal_items(&self, batch: &Batch) -> Result<Vec<RevealItem>, BatchError> {
        let mut items = Vec::new();
        for (pos, &i) in batch.sample().iter().enumerate() {
            if pos < 64 && batch.revealed_mask & (1u64 << pos) != 0 {
                continue;
            }
            let outside = || BatchError::OutsideBatch {
                seq: self.seq,
                leaf: i,
                count: self.receipts.len(),
            };
            let r = self.receipts.get(i as usize).ok_or_else(outside)?;
            let path = self.tree.proof(i as usize).ok_or_else(outside)?;
            items.push(RevealItem::new(i, *r, path));
        }
        Ok(items)
    }

    /// Reveal items per transaction (1 232-byte limit).
    pub fn reveals_per_tx(&self) -> usize {
        proof::reveals_per_tx(self.leaf_count() as u64).max(1)
    }
}
