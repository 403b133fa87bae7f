//! The verifier's side: re-execute every revealed job from its spec on the
//! verifier's own device and vote.
use anyhow::Context;
use edgefuel_client::edgefuel::{Batch, Verdict};
use edgefuel_jobs::{execute, Backend, CpuBackend, GpuBackend};
use std::time::{Duration, Instant};

/// The verifiers' device: the GPU backend, or the CPU when the machine has
/// no GPU adapter (`note` says why).
pub struct Device {
    pub backend: Box<dyn Backend>,
    /// Set when falling back to the CPU.
    pub note: Option<String>,
}

impl Device {
    pub fn open() -> Device {
        match GpuBackend::new() {
            Ok(gpu) => Device {
                backend: Box::new(gpu),
                note: None,
            },
            Err(e) => Device {
                backend: Box::new(CpuBackend::new()),
                note: Some(format!("{e}; the verifiers use the CPU backend")),
            },
        }
    }

    pub fn name(&self) -> String {
        self.backend.name()
    }
}

/// A verifier's findings on one batch.
pub struct Review {
    pub verdict: Verdict,
    /// Revealed jobs re-executed.
    pub checked: usize,
    /// Of those, the ones whose revealed leaf matched the re-execution.
    pub matched: usize,
    pub elapsed: Duration,
}

/// Re-executes every revealed leaf of `batch` from the batch account alone
/// (its stored shape and the seed bound to its position), on `device`. The
/// first leaf whose output commitment differs from the re-execution is the
/// evidence of an `Invalid` verdict (with the verifier's own commitment).
pub fn review(batch: &Batch, device: &dyn Backend) -> anyhow::Result<Review> {
    let started = Instant::now();
    let mut first_bad: Option<Verdict> = None;
    let mut matched = 0;
    let leaves = batch.revealed_leaves();
    for leaf in &leaves {
        let spec = batch
            .job_spec(leaf)
            .with_context(|| format!("revealed leaf {} has no valid spec", leaf.index))?;
        let out = execute(&spec, device)
            .with_context(|| format!("re-executing leaf {} on {}", leaf.index, device.name()))?;
        if leaf.output_commitment == out.output_commitment() {
            matched += 1;
        } else if first_bad.is_none() {
            first_bad = Some(Verdict::Invalid {
                leaf_index: leaf.index,
                expected_commitment: out.output_commitment(),
            });
        }
    }
    Ok(Review {
        verdict: first_bad.unwrap_or(Verdict::Valid),
        checked: leaves.len(),
        matched,
        elapsed: started.elapsed(),
    })
}
