//! Re-executing a revealed batch from the chain alone and deciding the
//! verdict.
//!
//! Each revealed leaf's spec is its stored shape with the seed bound to its
//! position (`Batch::job_spec`; the program already checked at reveal that
//! the job id, kind and work units are that spec's). The job runs on this
//! verifier's device; the leaf is honest when its output commitment equals
//! the re-execution's. The first dishonest leaf is the evidence of an
//! `Invalid` vote (with the verifier's own output commitment). A job that
//! could not be re-executed gives no verdict at all: the verifier never
//! votes Valid on work it did not check.
use edgefuel_client::edgefuel::{Batch, Verdict};
use edgefuel_jobs::{execute_timed, Backend, ExecTimes};
use std::time::Instant;

/// A verifier's findings on one batch.
#[derive(Debug, Clone)]
pub struct Review {
    /// None when some job could not be re-executed (`problem` says why).
    pub verdict: Option<Verdict>,
    pub checked: usize,
    pub matched: usize,
    pub seconds: f64,
    /// Where the re-executions' time went (inputs, kernel, hashing).
    pub times: ExecTimes,
    /// Work units re-executed.
    pub work_units: u64,
    /// Why a leaf was judged dishonest, or why no verdict was reached.
    pub problem: Option<String>,
}

pub fn review(batch: &Batch, backend: &dyn Backend) -> Review {
    let started = Instant::now();
    let mut out = Review {
        verdict: None,
        checked: 0,
        matched: 0,
        seconds: 0.0,
        times: ExecTimes::default(),
        work_units: 0,
        problem: None,
    };
    let mut first_bad: Option<(Verdict, String)> = None;
    for leaf in batch.revealed_leaves() {
        let index = leaf.index;
        let spec = match batch.job_spec(&leaf) {
            Ok(s) => s,
            Err(e) => {
                out.problem = Some(format!("leaf {index}: no valid spec on-chain ({e})"));
                out.seconds = started.elapsed().as_secs_f64();
                return out;
            }
        };
        let run = match execute_timed(&spec, backend) {
            Ok((r, t)) => {
                out.times.inputs += t.inputs;
                out.times.kernel += t.kernel;
                out.times.hashing += t.hashing;
                r
            }
            Err(e) => {
                out.problem = Some(format!(
                    "could not re-execute leaf {index} ({}) on {}: {e}",
                    spec.kind().name(),
                    backend.name()
                ));
                out.seconds = started.elapsed().as_secs_f64();
                return out;
            }
        };
        out.checked += 1;
        out.work_units = out.work_units.saturating_add(spec.work_units());
        let commitment = run.output_commitment();
        if leaf.output_commitment == commitment {
            out.matched += 1;
        } else {
            first_bad.get_or_insert((
                Verdict::Invalid {
                    leaf_index: index,
                    expected_commitment: commitment,
                },
                format!("leaf {index}: output does not match the re-execution"),
            ));
        }
    }
    out.seconds = started.elapsed().as_secs_f64();
    match first_bad {
        Some((v, why)) => {
            out.verdict = Some(v);
            out.problem = Some(why);
        }
        None if out.checked == 0 => {
            out.problem = Some("no revealed leaf to check".into());
        }
        None => out.verdict = Some(Verdict::Valid),
    }
    out
}
