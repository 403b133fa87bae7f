//! End to end on the program: a node runs real jobs (edgefuel-jobs on the
//! CPU), commits their receipts, reveals its sample; verifiers re-execute the
//! revealed jobs from their specs on another device (the GPU backend) and the
//! program pays for verified work or slashes a node that skipped a job.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// solana-program-test 3.x marks its API "unstable" (deprecated); it is the pinned harness.
#![allow(deprecated)]
use anchor_lang::prelude::Pubkey;
use edgefuel::{BatchStatus, NodeStatus, Verdict};
use edgefuel_jobs::{
    execute, output_commitment, Backend, Conv2dShape, CpuBackend, GpuBackend, JobShape, JobSpec,
};
use edgefuel_tests::solana_signer::Signer;
use edgefuel_tests::*;

/// Eight small jobs of every kind.
fn shapes() -> Vec<JobShape> {
    (0u32..8)
        .map(|i| match i % 3 {
            0 => JobShape::GemmI8 {
                m: 24 + i,
                n: 40,
                k: 72,
            },
            1 => JobShape::MlpI8 {
                batch: 4,
                widths: vec![64, 48, 16],
            },
            _ => JobShape::Conv2dI8(Conv2dShape {
                batch: 1,
                height: 12,
                width: 12,
                in_channels: 8,
                out_channels: 8,
                kernel_h: 3,
                kernel_w: 3,
                stride: 1,
                padding: 1,
            }),
        })
        .collect()
}

/// The verifier's device: the GPU (lavapipe in CI); CI fails without one.
fn verifier_backend() -> Box<dyn Backend> {
    match GpuBackend::new() {
        Ok(gpu) => Box::new(gpu),
        Err(e) => {
            let ci = std::env::var("CI")
                .map(|v| !v.is_empty() && v != "0" && v != "false")
                .unwrap_or(false);
            assert!(!ci, "no GPU adapter in CI: {e}");
            eprintln!("no GPU adapter ({e}); verifying on the CPU");
            Box::new(CpuBackend::new())
        }
    }
}

/// What a node agent commits: the jobs of its position-bound specs, run on
/// the CPU; `lazy` commits an all-zero output instead of running them.
fn node_batch(operator: &Pubkey, seq: u64, lazy: bool) -> (TestBatch, Vec<JobSpec>) {
    let cpu = CpuBackend::new();
    let specs = ReceiptBatch::job_specs(operator, seq, shapes()).unwrap();
    let commitments: Vec<[u8; 32]> = specs
        .iter()
        .map(|spec| {
            if lazy {
                output_commitment(&vec![0u8; spec.output_len()])
            } else {
                execute(spec, &cpu).unwrap().output_commitment()
            }
        })
        .collect();
    let rb = ReceiptBatch::new(operator, seq, &specs, &commitments).unwrap();
    (TestBatch::from_batch(rb, Vec::new()), specs)
}

/// What a verifier decides from the batch account alone: rebuild each
/// revealed job's spec from its stored shape and position-bound seed,
/// re-execute it, compare.
fn verdict(batch: &edgefuel::Batch, device: &dyn Backend) -> Verdict {
    for leaf in batch.revealed_leaves() {
        let spec = batch.job_spec(&leaf).expect("revealed specs decode");
        let out = execute(&spec, device).unwrap();
        if leaf.output_commitment != out.output_commitment() {
            return Verdict::Invalid {
                leaf_index: leaf.index,
                expected_commitment: out.output_commitment(),
            };
        }
    }
    Verdict::Valid
}

#[tokio::test]
async fn verified_gpu_work_is_paid_and_skipped_work_is_slashed() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(500, 2_000 * EFUEL).await;
    let device = verifier_backend();
    let verifiers: Vec<_> = t.verifiers.iter().map(|k| k.insecure_clone()).collect();

    // Honest batch: every sampled job re-executes to the committed output.
    // The stake earns from the epoch after it was delegated.
    t.next_epoch().await;
    let epoch = t.current_epoch().await;
    let (mut honest, specs) = node_batch(&op.pubkey(), 1, false);
    honest.epoch = epoch;
    t.commit_and_reveal(&op, &honest).await;
    let b = t.batch(&honest.key()).await.unwrap();
    assert_eq!(b.sample().len(), 8, "min_samples work-weighted points");
    assert!(!b.revealed_leaves().is_empty());
    for v in &verifiers[..2] {
        let verdict = verdict(&b, device.as_ref());
        assert_eq!(verdict, Verdict::Valid);
        t.vote(v, &honest.key(), verdict).await.unwrap();
    }
    t.finalize(&honest, &[]).await.unwrap();
    let work: u64 = specs.iter().map(JobSpec::work_units).sum();
    let b = t.batch(&honest.key()).await.unwrap();
    assert_eq!(
        (b.status, b.reward),
        (
            BatchStatus::Accepted,
            work * default_params().reward_per_work_unit
        )
    );
    assert_eq!(t.node(&op.pubkey()).await.verified_work, work);
    let before = t.efuel(&op.pubkey()).await;
    t.claim(&op, &op.pubkey()).await.unwrap();
    assert_eq!(
        t.efuel(&op.pubkey()).await - before,
        work,
        "sole staker: commission + pool = all"
    );

    // A lazy node that ran nothing: caught by re-execution of the first
    // revealed job, slashed.
    let (mut lazy, lazy_specs) = node_batch(&op.pubkey(), 2, true);
    lazy.epoch = epoch;
    t.commit_and_reveal(&op, &lazy).await;
    let b = t.batch(&lazy.key()).await.unwrap();
    let found = verdict(&b, device.as_ref());
    let first = b.revealed_leaves()[0].index;
    let expected = execute(&lazy_specs[first as usize], &CpuBackend::new())
        .unwrap()
        .output_commitment();
    assert_eq!(
        found,
        Verdict::Invalid {
            leaf_index: first,
            expected_commitment: expected
        }
    );
    for v in &verifiers[..2] {
        t.vote(v, &lazy.key(), found).await.unwrap();
    }
    let accounts = t.verifier_accounts().await;
    t.finalize(&lazy, &accounts[..2]).await.unwrap();
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        t.batch(&lazy.key()).await.unwrap().status,
        BatchStatus::Rejected
    );
    assert_eq!(n.status, NodeStatus::Jailed);
    assert_eq!(n.pool_tokens, 2_000 * EFUEL - 200 * EFUEL);
    assert_eq!(t.balance(&accounts[0]).await, 10 * EFUEL);
}
