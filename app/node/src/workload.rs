//! Which jobs a batch runs. Each job's seed is bound to its place:
//! `seed = SHA-256("edgefuel-job-seed" ‖ program id ‖ node ‖ seq LE u64 ‖
//! leaf LE u32)`, so no job can appear twice in a batch or in two batches,
//! and a verifier rebuilds the spec of any revealed leaf from the chain
//! alone (the node account, the batch seq and the leaf index). The shape
//! cycles through gemm_i8, mlp_i8 and conv2d_i8 by leaf index.
use edgefuel_client::edgefuel::proof;
use edgefuel_client::Pubkey;
use edgefuel_jobs::{Conv2dShape, JobError, JobSpec};
use serde::{Deserialize, Serialize};

/// How big each job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum JobSize {
    /// 0.25–0.8 M multiply-accumulates a job.
    #[default]
    Small,
    /// 67–168 M a job.
    Medium,
    /// 0.9–1.5 G a job.
    Large,
}

impl JobSize {
    pub const ALL: [JobSize; 3] = [JobSize::Small, JobSize::Medium, JobSize::Large];
}

/// The seed of leaf `leaf` of batch `seq` of `node`.
pub fn job_seed(node: &Pubkey, seq: u64, leaf: u32) -> [u8; 32] {
    proof::hashv(&[
        b"edgefuel-job-seed",
        edgefuel_client::edgefuel::ID.as_ref(),
        node.as_ref(),
        &seq.to_le_bytes(),
        &leaf.to_le_bytes(),
    ])
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

/// Job `leaf` of batch `seq` of `node`.
pub fn job_spec(size: JobSize, node: &Pubkey, seq: u64, leaf: u32) -> Result<JobSpec, JobError> {
    let seed = job_seed(node, seq, leaf);
    let step = leaf / 3 % 4;
    match (size, leaf % 3) {
        (JobSize::Small, 0) => JobSpec::gemm(64 + 8 * step, 96, 128, seed),
        (JobSize::Small, 1) => JobSpec::mlp(16, vec![128, 96, 32], seed),
        (JobSize::Small, _) => JobSpec::conv2d(conv(16, 16, 16), seed),
        (JobSize::Medium, 0) => JobSpec::gemm(256 + 64 * step, 512, 512, seed),
        (JobSize::Medium, 1) => JobSpec::mlp(256, vec![1024, 512, 256], seed),
        (JobSize::Medium, _) => JobSpec::conv2d(conv(56, 64, 64), seed),
        (JobSize::Large, 0) => JobSpec::gemm(1024 + 128 * step, 1024, 1024, seed),
        (JobSize::Large, 1) => JobSpec::mlp(512, vec![1024, 1024, 1024, 256], seed),
        (JobSize::Large, _) => JobSpec::conv2d(conv(112, 64, 128), seed),
    }
}

/// The spec of a revealed leaf, when `job_id` is one of the specs its
/// position allows (any size); `None` means the leaf's job is not bound to
/// its place.
pub fn find_spec(node: &Pubkey, seq: u64, leaf: u32, job_id: &[u8; 32]) -> Option<JobSpec> {
    JobSize::ALL
        .iter()
        .filter_map(|s| job_spec(*s, node, seq, leaf).ok())
        .find(|spec| spec.job_id() == *job_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_bound_to_node_seq_and_leaf() {
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        let s = job_seed(&a, 1, 0);
        assert_ne!(s, job_seed(&b, 1, 0));
        assert_ne!(s, job_seed(&a, 2, 0));
        assert_ne!(s, job_seed(&a, 1, 1));
        assert_eq!(s, job_seed(&a, 1, 0));
    }

    #[test]
    fn a_revealed_job_is_found_only_at_its_place() {
        let node = Pubkey::new_unique();
        let spec = job_spec(JobSize::Medium, &node, 3, 7).unwrap();
        assert_eq!(find_spec(&node, 3, 7, &spec.job_id()), Some(spec.clone()));
        assert_eq!(find_spec(&node, 3, 8, &spec.job_id()), None);
        assert_eq!(find_spec(&node, 4, 7, &spec.job_id()), None);
    }
}
