//! A batch runs the whole receipt pipeline on the local chain: the node runs
//! real jobs (specs bound to their positions) and commits their sum-tree
//! root (client builders over RPC), anyone seals it (CLI), the node reveals
//! the sample with shapes and paths, two verifiers that only have RPC access
//! rebuild every revealed job from the batch account, re-execute it and vote
//! Valid, anyone finalizes (CLI); rewards accrue and are claimed with exact
//! balances, and the final batch is closed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use edgefuel_client::edgefuel::proof;
use edgefuel_client::edgefuel::{Batch, BatchStatus, Verdict};
use edgefuel_client::{ix, pda, CommitmentConfig, EdgeFuelClient, Pubkey, ReceiptBatch};
use edgefuel_jobs::{execute, CpuBackend, JobShape};
use solana_keypair::{read_keypair_file, Keypair};
use solana_signer::Signer;
use std::path::Path;
use std::time::{Duration, Instant};

fn keypair(path: &Path) -> Keypair {
    read_keypair_file(path).unwrap()
}

/// The chain's unix time, from the Clock sysvar (`unix_timestamp` is its last field).
async fn chain_time(client: &EdgeFuelClient) -> i64 {
    let clock = anchor_clock_id();
    let acc = client.account(&clock).await.unwrap().unwrap();
    i64::from_le_bytes(acc.data[32..40].try_into().unwrap())
}

fn anchor_clock_id() -> Pubkey {
    use edgefuel_client::anchor_lang::solana_program::sysvar::SysvarId;
    edgefuel_client::anchor_lang::prelude::Clock::id()
}

/// Retries a CLI command until it succeeds (the chain needs a few slots).
fn until_ok(net: &Localnet, key: &Path, args: &[&str]) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = net.cli_as(key, &[&["--output", "json"], args].concat());
        if out.status.success() {
            return serde_json::from_slice(&out.stdout).unwrap();
        }
        assert!(Instant::now() < deadline, "{args:?}: {}", stderr(&out));
        std::thread::sleep(Duration::from_millis(400));
    }
}

#[tokio::test]
async fn a_batch_is_committed_sealed_revealed_verified_and_pays_rewards() {
    let net = Localnet::start("pipeline", &[]);
    let op_key = net.key("operator.json");
    let staker_key = net.key("staker.json");
    let operator = keypair(&op_key);
    let op = operator.pubkey().to_string();
    net.register_node(&op_key, "1500");
    net.json(&staker_key, &["stake", "delegate", &op, "500"]);

    let client = EdgeFuelClient::new(net.url.clone(), CommitmentConfig::confirmed());
    let network = client.network().await.unwrap();

    // 16 jobs of 1 000 000 work units each (the exposure cap is 5 % of the
    // 2 000 EFUEL pool = 100 000 000 000 base units at 1 per work unit),
    // really run on the CPU.
    let shape = JobShape::GemmI8 {
        m: 100,
        n: 100,
        k: 100,
    };
    let specs = ReceiptBatch::job_specs(&operator.pubkey(), 1, vec![shape; 16]).unwrap();
    let cpu = CpuBackend::new();
    let outputs: Vec<[u8; 32]> = specs
        .iter()
        .map(|s| execute(s, &cpu).unwrap().output_commitment())
        .collect();
    let rb = ReceiptBatch::new(&operator.pubkey(), 1, &specs, &outputs).unwrap();
    let total_work = rb.total_work();
    assert_eq!(total_work, 16_000_000);
    // The stake earns from the epoch after it was delegated: the local
    // chain moves its clock there.
    let epoch = client.advance_local_to_next_epoch().await.unwrap();
    assert_eq!(
        epoch,
        (chain_time(&client).await / network.params.epoch_seconds) as u64
    );
    let args = rb.submit_args(epoch);
    let submit = ix::submit_batch(
        &operator.pubkey(),
        &operator.pubkey(),
        &operator.pubkey(),
        args,
    );
    client.send(&[submit], &[&operator]).await.unwrap();
    let batch_addr = pda::batch(&pda::node(&operator.pubkey()), 1);
    let shown = net.json(&staker_key, &["batch", "show", &batch_addr.to_string()]);
    assert_eq!(shown["status"], "Committed");
    assert_eq!(shown["total_work"], total_work);

    // Anyone seals once the seal slot has passed.
    until_ok(
        &net,
        &staker_key,
        &["batch", "seal", "--operator", &op, "--seq", "1"],
    );
    let batch: Batch = client.fetch(&batch_addr).await.unwrap();
    assert_eq!(batch.status, BatchStatus::Sealed);
    let expected_k = proof::sample_count(
        16,
        network.params.sample_bps,
        network.params.min_samples,
        network.params.max_samples,
    );
    assert_eq!(batch.sample().len() as u64, expected_k);

    // The node reveals the leaves covering the sample points.
    for chunk in ReceiptBatch::pack_reveals(rb.reveal_items(&batch).unwrap()) {
        let reveal = ix::reveal_samples(&operator.pubkey(), &operator.pubkey(), &batch_addr, chunk);
        client.send(&[reveal], &[&operator]).await.unwrap();
    }
    let batch: Batch = client.fetch(&batch_addr).await.unwrap();
    assert_eq!(batch.status, BatchStatus::Revealed);

    // Two of the three verifiers, with nothing but RPC, rebuild every
    // revealed job from the batch account and re-execute it.
    let revealed = batch.revealed_leaves();
    assert!(!revealed.is_empty());
    for leaf in &revealed {
        let spec = batch.job_spec(leaf).unwrap();
        assert_eq!(spec, specs[leaf.index as usize]);
        let out = execute(&spec, &cpu).unwrap();
        assert_eq!(out.output_commitment(), leaf.output_commitment);
        assert_eq!(out.work_units(), leaf.work_units);
    }
    for v in ["verifier-1.json", "verifier-2.json"] {
        let verifier = keypair(&net.key(v));
        let vote = ix::vote(&verifier.pubkey(), &batch_addr, Verdict::Valid);
        client.send(&[vote], &[&verifier]).await.unwrap();
    }
    let fin = until_ok(
        &net,
        &staker_key,
        &["batch", "finalize", &batch_addr.to_string()],
    );
    assert!(fin["signature"].is_string());
    let shown = net.json(&staker_key, &["batch", "show", &batch_addr.to_string()]);
    assert_eq!(shown["status"], "Accepted");
    assert_eq!(
        shown["reward"],
        total_work * network.params.reward_per_work_unit
    );
    let node = net.json(&staker_key, &["node", "show", &op]);
    assert_eq!(node["batches_accepted"], 1);
    assert_eq!(node["verified_work"], total_work);

    // Rewards: the staker's and the operator's claims add up to the reward
    // (commission 5 %; rounding dust never minted), and a claim pays exactly
    // what `rewards show` said.
    let reward = total_work * network.params.reward_per_work_unit;
    let s = net.json(&staker_key, &["rewards", "show"])["total_claimable"]
        .as_u64()
        .unwrap();
    let o = net.json(&op_key, &["rewards", "show"])["total_claimable"]
        .as_u64()
        .unwrap();
    assert!(s > 0 && o > s, "staker {s}, operator {o}");
    assert!(
        s + o <= reward && s + o + 2 >= reward,
        "{s} + {o} vs {reward}"
    );
    let before = net.json(&staker_key, &["balance"])["efuel"]
        .as_u64()
        .unwrap();
    let claim = net.json(&staker_key, &["rewards", "claim", "--all"]);
    assert_eq!(claim["claimed"], s);
    let after = net.json(&staker_key, &["balance"])["efuel"]
        .as_u64()
        .unwrap();
    assert_eq!(after - before, s);
    let claim = net.json(&op_key, &["rewards", "claim", &op]);
    assert_eq!(claim["claimed"], o);

    // The final batch closes; its rent goes back to the operator.
    net.json(&staker_key, &["batch", "close", &batch_addr.to_string()]);
    let list = net.json(&staker_key, &["batch", "list", "--operator", &op]);
    assert_eq!(list["batches"].as_array().unwrap().len(), 0);
}
