//! Which jobs a batch runs. Each job's seed is bound to its place by the
//! program's rule (`edgefuel::spec::job_seed` over program, node, seq and
//! leaf index, through [`ReceiptBatch::job_spec`]), so no job can appear
//! twice in a batch or in two batches, and a verifier rebuilds the spec of
//! any revealed leaf from the batch account alone (its stored shape and its
//! position). The shape cycles through gemm_i8, mlp_i8 and conv2d_i8 by
//! leaf index (the GEMM's row count varies too), or is one kind only
//! ([`JobMix`], `batch.job_kind`).
use edgefuel_client::{Pubkey, ReceiptBatch};
use edgefuel_jobs::{Conv2dShape, JobShape, JobSpec, SpecError};
use serde::{Deserialize, Serialize};

/// How big each job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum JobSize {
    /// 0.25–0.8 M multiply-accumulates a job.
    #[default]
    Small,
    /// 67–168 M a job: 64 jobs are ~7 G, a fraction of a second on a CPU.
    Medium,
    /// 0.9–1.5 G a job: 64 jobs are ~75 G, seconds on a CPU.
    Large,
}

/// Which job kinds a batch runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum JobMix {
    /// gemm_i8, mlp_i8 and conv2d_i8 in turn.
    #[default]
    Mixed,
    /// Only gemm_i8.
    Gemm,
    /// Only mlp_i8.
    Mlp,
    /// Only conv2d_i8.
    Conv,
}

impl JobMix {
    pub fn name(self) -> &'static str {
        match self {
            JobMix::Mixed => "mixed",
            JobMix::Gemm => "gemm_i8",
            JobMix::Mlp => "mlp_i8",
            JobMix::Conv => "conv2d_i8",
        }
    }
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

/// The shape of job `index` of a mixed batch.
pub fn job_shape(size: JobSize, index: u32) -> JobShape {
    job_shape_of(size, JobMix::Mixed, index)
}

/// The shape of job `index` of a batch of `mix`.
pub fn job_shape_of(size: JobSize, mix: JobMix, index: u32) -> JobShape {
    let step = index / 3 % 4;
    let kind = match mix {
        JobMix::Mixed => index % 3,
        JobMix::Gemm => 0,
        JobMix::Mlp => 1,
        JobMix::Conv => 2,
    };
    match (size, kind) {
        (JobSize::Small, 0) => JobShape::GemmI8 {
            m: 64 + 8 * step,
            n: 96,
            k: 128,
        },
        (JobSize::Small, 1) => JobShape::MlpI8 {
            batch: 16,
            widths: vec![128, 96, 32],
        },
        (JobSize::Small, _) => JobShape::Conv2dI8(conv(16, 16, 16)),
        (JobSize::Medium, 0) => JobShape::GemmI8 {
            m: 256 + 64 * step,
            n: 512,
            k: 512,
        },
        (JobSize::Medium, 1) => JobShape::MlpI8 {
            batch: 256,
            widths: vec![1024, 512, 256],
        },
        (JobSize::Medium, _) => JobShape::Conv2dI8(conv(56, 64, 64)),
        (JobSize::Large, 0) => JobShape::GemmI8 {
            m: 1024 + 128 * step,
            n: 1024,
            k: 1024,
        },
        (JobSize::Large, 1) => JobShape::MlpI8 {
            batch: 512,
            widths: vec![1024, 1024, 1024, 256],
        },
        (JobSize::Large, _) => JobShape::Conv2dI8(conv(112, 64, 128)),
    }
}

/// Job `index` of mixed batch `seq` of `operator`'s node.
pub fn job_spec(
    size: JobSize,
    operator: &Pubkey,
    seq: u64,
    index: u32,
) -> Result<JobSpec, SpecError> {
    job_spec_of(size, JobMix::Mixed, operator, seq, index)
}

/// Job `index` of batch `seq` of `mix` of `operator`'s node.
pub fn job_spec_of(
    size: JobSize,
    mix: JobMix,
    operator: &Pubkey,
    seq: u64,
    index: u32,
) -> Result<JobSpec, SpecError> {
    ReceiptBatch::job_spec(operator, seq, index, job_shape_of(size, mix, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_position_has_its_own_job() {
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        let id = |op: &Pubkey, seq, i| job_spec(JobSize::Small, op, seq, i).unwrap().job_id();
        let first = id(&a, 1, 0);
        assert_eq!(first, id(&a, 1, 0));
        assert_ne!(first, id(&b, 1, 0));
        assert_ne!(first, id(&a, 2, 0));
        assert_ne!(id(&a, 1, 3), id(&a, 1, 6), "same shape, other leaf");
    }

    #[test]
    fn one_kind_batches_run_only_that_kind() {
        let kinds = |mix| {
            (0..6)
                .map(|i| job_shape_of(JobSize::Small, mix, i).kind())
                .collect::<Vec<_>>()
        };
        use edgefuel_jobs::JobKind::*;
        assert_eq!(kinds(JobMix::Gemm), vec![GemmI8; 6]);
        assert_eq!(kinds(JobMix::Mlp), vec![MlpI8; 6]);
        assert_eq!(kinds(JobMix::Conv), vec![Conv2dI8; 6]);
        assert_eq!(
            kinds(JobMix::Mixed),
            vec![GemmI8, MlpI8, Conv2dI8, GemmI8, MlpI8, Conv2dI8]
        );
        assert_eq!(
            job_shape(JobSize::Small, 4),
            job_shape_of(JobSize::Small, JobMix::Mixed, 4)
        );
    }
}
