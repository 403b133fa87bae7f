//! The node agent's side: pick jobs, run them on the CPU, turn their outputs
//! into receipts and a Merkle tree (`edgefuel::proof`), and build the reveal
//! items for a drawn sample.
use anyhow::Context;
use edgefuel_client::edgefuel::proof::{self, MerkleTree, Receipt};
use edgefuel_client::edgefuel::{Batch, RevealItem};
use edgefuel_jobs::{execute, output_commitment, Backend, Conv2dShape, JobKind, JobSpec};
use indicatif::ProgressBar;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// How big each job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum JobSize {
    /// 0.25–0.8 M multiply-accumulates a job (tests).
    Small,
    /// 67–168 M a job: 64 jobs are ~7 G, a fraction of a second on a CPU.
    #[default]
    Medium,
    /// 0.9–1.5 G a job: 64 jobs are ~75 G, seconds on a CPU.
    Large,
}

/// A 3×3 convolution (padding 1) over a square `side`² input.
fn conv(side: u32, in_channels: u32, out_channels: u32) -> Conv2dShape {
    Conv2dShape {
        batch: 1,
        height: side,
        width: side,
        in_channels,
        out_channels,
        kernel_h: 3,
        kernel_w: 3,
        stride: 1,
        padding: 1,
    }
}

/// The demo's workload: job `index` of batch `seq`, cycling through
/// gemm_i8, mlp_i8 and conv2d_i8 (the GEMM's row count varies too). Seeds
/// are derived from `(seq, index)`, so the demo's numbers are the same on
/// every run.
pub fn job_spec(size: JobSize, seq: u64, index: u32) -> anyhow::Result<JobSpec> {
    let seed = proof::hashv(&[b"edgefuel-demo", &seq.to_le_bytes(), &index.to_le_bytes()]);
    let step = index / 3 % 4;
    let spec = match (size, index % 3) {
        (JobSize::Small, 0) => JobSpec::gemm(64 + 8 * step, 96, 128, seed),
        (JobSize::Small, 1) => JobSpec::mlp(16, vec![128, 96, 32], seed),
        (JobSize::Small, _) => JobSpec::conv2d(conv(16, 16, 16), seed),
        (JobSize::Medium, 0) => JobSpec::gemm(256 + 64 * step, 512, 512, seed),
        (JobSize::Medium, 1) => JobSpec::mlp(256, vec![1024, 512, 256], seed),
        (JobSize::Medium, _) => JobSpec::conv2d(conv(56, 64, 64), seed),
        (JobSize::Large, 0) => JobSpec::gemm(1024 + 128 * step, 1024, 1024, seed),
        (JobSize::Large, 1) => JobSpec::mlp(512, vec![1024, 1024, 1024, 256], seed),
        (JobSize::Large, _) => JobSpec::conv2d(conv(112, 64, 128), seed),
    };
    spec.with_context(|| format!("building job {index} of batch {seq}"))
}

/// The `count` jobs of batch `seq`.
pub fn job_specs(size: JobSize, seq: u64, count: u32) -> anyhow::Result<Vec<JobSpec>> {
    (0..count).map(|i| job_spec(size, seq, i)).collect()
}

/// What the agent commits for one batch.
pub struct AgentBatch {
    pub seq: u64,
    pub specs: Vec<JobSpec>,
    pub receipts: Vec<Receipt>,
    pub tree: MerkleTree,
    /// The job the agent did not run (its receipt commits garbage).
    pub skipped: Option<usize>,
    pub elapsed: Duration,
    /// Backend that ran the jobs.
    pub device: String,
}

impl AgentBatch {
    pub fn total_work(&self) -> u64 {
        self.receipts.iter().map(|r| r.work_units).sum()
    }

    /// Jobs per kind name.
    pub fn mix(&self) -> BTreeMap<&'static str, usize> {
        let mut mix = BTreeMap::new();
        for s in &self.specs {
            *mix.entry(s.kind().name()).or_default() += 1;
        }
        mix
    }

    /// The specs the node publishes next to its batch (what a verifier needs
    /// to re-execute a revealed job), by job id.
    pub fn published_specs(&self) -> HashMap<[u8; 32], JobSpec> {
        self.specs.iter().map(|s| (s.job_id(), s.clone())).collect()
    }

    /// The sampled leaves of `batch` (as drawn on-chain) with their proofs.
    pub fn reveal_items(&self, batch: &Batch) -> anyhow::Result<Vec<RevealItem>> {
        batch
            .sample()
            .iter()
            .map(|&i| {
                let r = self
                    .receipts
                    .get(i as usize)
                    .with_context(|| format!("sampled leaf {i} is outside the batch"))?;
                let proof = self
                    .tree
                    .proof(i as usize)
                    .with_context(|| format!("no Merkle proof for leaf {i}"))?;
                Ok(RevealItem::new(i, *r, proof))
            })
            .collect()
    }
}

/// Runs the jobs of batch `seq` on `backend`, except `skip`, whose
/// receipt commits the hash of an all-zero output instead (a lazy node).
pub fn run_batch(
    seq: u64,
    specs: Vec<JobSpec>,
    skip: Option<usize>,
    backend: &dyn Backend,
    progress: &ProgressBar,
) -> anyhow::Result<AgentBatch> {
    let started = Instant::now();
    let mut receipts = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let commitment = if skip == Some(i) {
            output_commitment(&vec![0u8; spec.output_len()])
        } else {
            execute(spec, backend)
                .with_context(|| format!("running job {i} ({})", spec.kind().name()))?
                .output_commitment()
        };
        receipts.push(Receipt {
            job_id: spec.job_id(),
            kind: spec.kind() as u8,
            work_units: spec.work_units(),
            output_commitment: commitment,
        });
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(AgentBatch {
        seq,
        tree: MerkleTree::from_receipts(&receipts),
        specs,
        receipts,
        skipped: skip,
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
