//! The node agent's side: pick jobs (seeds bound to their positions), run
//! them on the CPU, and turn their outputs into a [`ReceiptBatch`] (receipts,
//! sum tree, submit args, reveal items).
use anyhow::Context;
use edgefuel_client::edgefuel::{Batch, RevealItem};
use edgefuel_client::{Pubkey, ReceiptBatch};
use edgefuel_jobs::{execute, output_commitment, Backend, JobKind, JobSpec};
use indicatif::ProgressBar;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How big each job is, and job `index` of a batch: the node agent's own
/// workload (`edgefuel_node::workload`), so the story runs what a node runs.
pub use edgefuel_node::workload::JobSize;

/// Job `index` of batch `seq` of `operator`'s node (seed bound to its place).
pub fn job_spec(size: JobSize, operator: &Pubkey, seq: u64, index: u32) -> anyhow::Result<JobSpec> {
    edgefuel_node::workload::job_spec(size, operator, seq, index)
        .with_context(|| format!("building job {index} of batch {seq}"))
}

/// The `count` jobs of batch `seq`.
pub fn job_specs(
    size: JobSize,
    operator: &Pubkey,
    seq: u64,
    count: u32,
) -> anyhow::Result<Vec<JobSpec>> {
    (0..count)
        .map(|i| job_spec(size, operator, seq, i))
        .collect()
}

/// What the agent commits for one batch.
pub struct AgentBatch {
    pub specs: Vec<JobSpec>,
    /// Receipts, sum tree, submit args and reveal items.
    pub batch: ReceiptBatch,
    /// Whether the agent ran nothing (every receipt commits garbage).
    pub lazy: bool,
    pub elapsed: Duration,
    /// Backend that ran the jobs.
    pub device: String,
}

impl AgentBatch {
    pub fn seq(&self) -> u64 {
        self.batch.seq()
    }

    pub fn total_work(&self) -> u64 {
        self.batch.total_work()
    }

    /// Jobs per kind name.
    pub fn mix(&self) -> BTreeMap<&'static str, usize> {
        let mut mix = BTreeMap::new();
        for s in &self.specs {
            *mix.entry(s.kind().name()).or_default() += 1;
        }
        mix
    }

    /// The leaves covering the sample points of `batch` (as drawn on-chain)
    /// with their shapes and paths.
    pub fn reveal_items(&self, batch: &Batch) -> anyhow::Result<Vec<RevealItem>> {
        self.batch
            .reveal_items(batch)
            .context("building the reveal items")
    }
}

/// Runs the jobs of batch `seq` of `operator`'s node on `backend`; a `lazy`
/// agent runs none and commits the hash of an all-zero output for each.
pub fn run_batch(
    operator: &Pubkey,
    seq: u64,
    specs: Vec<JobSpec>,
    lazy: bool,
    backend: &dyn Backend,
    progress: &ProgressBar,
) -> anyhow::Result<AgentBatch> {
    let started = Instant::now();
    let mut commitments = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let commitment = if lazy {
            output_commitment(&vec![0u8; spec.output_len()])
        } else {
            execute(spec, backend)
                .with_context(|| format!("running job {i} ({})", spec.kind().name()))?
                .output_commitment()
        };
        commitments.push(commitment);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let batch = ReceiptBatch::new(operator, seq, &specs, &commitments)
        .context("building the receipt batch")?;
    Ok(AgentBatch {
        batch,
        specs,
        lazy,
        elapsed: started.elapsed(),
        device: backend.name(),
    })
}

/// A short description of a job's shape (`gemm_i8 64×96×128`).
pub fn describe(spec: &JobSpec) -> String {
    use edgefuel_jobs::JobShape;
    let shape = match spec.shape() {
        JobShape::GemmI8 { m, n, k } => format!("{m}×{n}×{k}"),
        JobShape::MlpI8 { batch, widths } => format!(
            "batch {batch}, widths {}",
            widths
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("→")
        ),
        JobShape::Conv2dI8(c) => format!(
            "{}×{}×{}→{} {}×{}",
            c.height, c.width, c.in_channels, c.out_channels, c.kernel_h, c.kernel_w
        ),
    };
    let kind: JobKind = spec.kind();
    format!("{} {shape}", kind.name())
}
