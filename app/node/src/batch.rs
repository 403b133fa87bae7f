//! Running a batch's jobs into receipts; the rest of the data path
//! (sum tree, submit arguments, reveal items) is `edgefuel_client::ReceiptBatch`.
use crate::energy::{EnergyMeter, EnergySource};
use crate::settings::Faults;
use edgefuel_client::edgefuel::proof::{self, Receipt};
use edgefuel_client::{Pubkey, ReceiptBatch, ReceiptError};
use edgefuel_jobs::{
    execute_timed, output_commitment, Backend, ExecTimes, JobError, JobShape, JobSpec,
};
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
}

/// One job as run (or, for a faulty node, not run).
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub spec: JobSpec,
    pub receipt: Receipt,
    /// Wall time of the job (seconds).
    pub seconds: f64,
    /// Where that time went (inputs, kernel, hashing).
    pub times: ExecTimes,
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
    let (commitment, times) = if faked {
        let fake = output_commitment(&vec![0u8; spec.output_len()]);
        let hashing = started.elapsed().as_secs_f64();
        (
            fake,
            ExecTimes {
                hashing,
                ..ExecTimes::default()
            },
        )
    } else {
        let (out, times) = execute_timed(&spec, backend).map_err(|source| BatchError::Job {
            seq,
            leaf,
            kind: spec.kind().name(),
            source,
        })?;
        (out.output_commitment(), times)
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
        times,
        joules,
        energy_source,
        faked,
    })
}

/// The [`ReceiptBatch`] of journaled jobs: their receipts (as committed,
/// faults included) and shapes.
pub fn receipt_batch(
    operator: &Pubkey,
    seq: u64,
    jobs: impl IntoIterator<Item = (JobShape, Receipt)>,
) -> Result<ReceiptBatch, ReceiptError> {
    let (shapes, receipts): (Vec<JobShape>, Vec<Receipt>) = jobs.into_iter().unzip();
    ReceiptBatch::from_receipts(operator, seq, shapes, receipts)
}
