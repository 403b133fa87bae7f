//! End to end on the program: a node runs real jobs (edgefuel-jobs on the
//! CPU), commits their receipts, reveals its sample; verifiers re-execute the
//! revealed jobs from their specs on another device (the GPU backend) and the
//! program pays for verified work or slashes a node that skipped a job.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// solana-program-test 3.x marks its API "unstable" (deprecated); it is the pinned harness.
#![allow(deprecated)]
use anchor_lang::prelude::Pubkey;
use edgefuel::proof::{MerkleTree, Receipt};
use edgefuel::{BatchStatus, NodeStatus, Verdict};
use edgefuel_jobs::{
    execute, output_commitment, Backend, Conv2dShape, CpuBackend, GpuBackend, JobSpec,
};
use edgefuel_tests::solana_signer::Signer;
use edgefuel_tests::*;
use std::collections::HashMap;

/// Eight small jobs of every kind, seeded per index.
fn specs() -> Vec<JobSpec> {
    (0u8..8)
        .map(|i| {
            let seed = [i; 32];
            match i % 3 {
                0 => JobSpec::gemm(24 + i as u32, 40, 72, seed),
                1 => JobSpec::mlp(4, vec![64, 48, 16], seed),
                _ => JobSpec::conv2d(
                    Conv2dShape {
                        batch: 1,
                        height: 12,
                        width: 12,
                        in_channels: 8,
                        out_channels: 8,
                        kernel_h: 3,
                        kernel_w: 3,
                        stride: 1,
                        padding: 1,
                    },
                    seed,
                ),
            }
            .unwrap()
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

/// What a node agent commits: receipts of jobs it ran; `skip` lists jobs it
/// did not run and committed garbage for.
fn node_batch(operator: &Pubkey, seq: u64, specs: &[JobSpec], skip: &[usize]) -> TestBatch {
    let cpu = CpuBackend::new();
    let receipts: Vec<Receipt> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let commitment = if skip.contains(&i) {
                output_commitment(&vec![0u8; spec.output_len()])
            } else {
                execute(spec, &cpu).unwrap().output_commitment()
            };
            Receipt {
                job_id: spec.job_id(),
                kind: spec.kind() as u8,
                work_units: spec.work_units(),
                output_commitment: commitment,
            }
        })
        .collect();
    TestBatch {
        seq,
        epoch: (START_TIME / default_params().epoch_seconds) as u64,
        tree: MerkleTree::from_receipts(&receipts),
        truth: Vec::new(),
        receipts,
        operator: *operator,
    }
}

/// What a verifier decides from the revealed leaves alone plus the specs the
/// node published (looked up by job id): re-execute and compare.
fn verdict(
    t_batch: &edgefuel::Batch,
    registry: &HashMap<[u8; 32], JobSpec>,
    device: &dyn Backend,
) -> Verdict {
    for (pos, index) in t_batch.sample().iter().enumerate() {
        let leaf = &t_batch.revealed[pos];
        let spec = registry.get(&leaf.job_id).expect("node published the spec");
        let out = execute(spec, device).unwrap();
        let honest = leaf.kind == spec.kind() as u8
            && leaf.work_units == spec.work_units()
            && leaf.output_commitment == out.output_commitment();
        if !honest {
            return Verdict::Invalid {
                leaf_index: *index,
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
    let specs = specs();
    let registry: HashMap<[u8; 32], JobSpec> =
        specs.iter().map(|s| (s.job_id(), s.clone())).collect();
    let device = verifier_backend();
    let verifiers: Vec<_> = t.verifiers.iter().map(|k| k.insecure_clone()).collect();

    // Honest batch: every sampled job re-executes to the committed output.
    let honest = node_batch(&op.pubkey(), 1, &specs, &[]);
    t.commit_and_reveal(&op, &honest).await;
    let b = t.batch(&honest.key()).await.unwrap();
    assert_eq!(b.sample().len(), 8, "8 leaves ≤ min_samples: all sampled");
    for v in &verifiers[..2] {
        let verdict = verdict(&b, &registry, device.as_ref());
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

    // A batch where the node skipped job 4: caught by re-execution, slashed.
    let lazy = node_batch(&op.pubkey(), 2, &specs, &[4]);
    t.commit_and_reveal(&op, &lazy).await;
    let b = t.batch(&lazy.key()).await.unwrap();
    let found = verdict(&b, &registry, device.as_ref());
    let expected = execute(&specs[4], &CpuBackend::new())
        .unwrap()
        .output_commitment();
    assert_eq!(
        found,
        Verdict::Invalid {
            leaf_index: 4,
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
