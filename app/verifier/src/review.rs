//! Re-executing a revealed batch from the chain alone and deciding the
//! verdict.
//!
//! For each sampled leaf the spec is rebuilt from the leaf's place (node,
//! seq, leaf index: the bound-seed rule of `edgefuel_node::workload`) and
//! must hash to the revealed `job_id`; the job runs on this verifier's
//! device; the leaf is honest when its kind, its work units and its output
//! commitment all equal the re-execution's. The first dishonest leaf is the
//! evidence of an `Invalid` vote (with the verifier's own output
//! commitment). A job that could not be re-executed gives no verdict at all:
//! the verifier never votes Valid on work it did not check.
use edgefuel_client::edgefuel::{Batch, Verdict};
use edgefuel_jobs::{execute, Backend, JobSpec};
use edgefuel_node::workload;
use std::time::Instant;

/// A verifier's findings on one batch.
#[derive(Debug, Clone)]
pub struct Review {
    /// None when some job could not be re-executed (`problem` says why).
    pub verdict: Option<Verdict>,
    pub checked: usize,
    pub matched: usize,
    pub seconds: f64,
    /// Work units re-executed.
    pub work_units: u64,
    /// Why a leaf was judged dishonest, or why no verdict was reached.
    pub problem: Option<String>,
}

/// The spec a revealed leaf must have run, from the chain alone.
pub fn spec_of(batch: &Batch, leaf_index: u32, job_id: &[u8; 32]) -> Option<JobSpec> {
    workload::find_spec(&batch.node, batch.seq, leaf_index, job_id)
}

pub fn review(batch: &Batch, backend: &dyn Backend) -> Review {
    let started = Instant::now();
    let mut out = Review {
        verdict: None,
        checked: 0,
        matched: 0,
        seconds: 0.0,
        work_units: 0,
        problem: None,
    };
    let mut first_bad: Option<(Verdict, String)> = None;
    for (pos, &index) in batch.sample().iter().enumerate() {
        let Some(leaf) = batch.revealed.get(pos) else {
            out.problem = Some(format!(
                "revealed leaf {index} missing from the batch account"
            ));
            return out;
        };
        out.checked += 1;
        let Some(spec) = spec_of(batch, index, &leaf.job_id) else {
            first_bad.get_or_insert((
                Verdict::Invalid {
                    leaf_index: index,
                    expected_commitment: [0; 32],
                },
                format!("leaf {index}: its job is not the one bound to its place"),
            ));
            continue;
        };
        let run = match execute(&spec, backend) {
            Ok(r) => r,
            Err(e) => {
                out.problem = Some(format!(
                    "could not re-execute leaf {index} ({}) on {}: {e}",
                    spec.kind().name(),
                    backend.name()
                ));
                out.verdict = None;
                out.seconds = started.elapsed().as_secs_f64();
                return out;
            }
        };
        out.work_units = out.work_units.saturating_add(spec.work_units());
        let commitment = run.output_commitment();
        let why = if leaf.kind != spec.kind() as u8 {
            Some(format!(
                "leaf {index}: kind {} but the spec is {}",
                leaf.kind,
                spec.kind().name()
            ))
        } else if leaf.work_units != spec.work_units() {
            Some(format!(
                "leaf {index}: claims {} work units, the job is {}",
                leaf.work_units,
                spec.work_units()
            ))
        } else if leaf.output_commitment != commitment {
            Some(format!(
                "leaf {index}: output does not match the re-execution"
            ))
        } else {
            None
        };
        match why {
            None => out.matched += 1,
            Some(why) => {
                first_bad.get_or_insert((
                    Verdict::Invalid {
                        leaf_index: index,
                        expected_commitment: commitment,
                    },
                    why,
                ));
            }
        }
    }
    out.seconds = started.elapsed().as_secs_f64();
    match first_bad {
        Some((v, why)) => {
            out.verdict = Some(v);
            out.problem = Some(why);
        }
        None => out.verdict = Some(Verdict::Valid),
    }
    out
}
