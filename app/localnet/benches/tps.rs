//! Simple transactions per second from the standard nonblocking RPC client
//! against the optimized local chain (`cargo bench -p edgefuel-localnet`
//! builds both in release). Each transaction is a SOL transfer sent with
//! preflight and confirmed (`send_and_confirm_transaction`: sendTransaction
//! + getSignatureStatuses), fresh blockhash every 200 transactions.
//!
//! `EDGEFUEL_BENCH_TXS` sets the transactions per row (default 4000).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use anchor_lang::solana_program::system_instruction;
use common::{Localnet, LAMPORTS_PER_SOL};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_signer::Signer;
use solana_transaction::Transaction;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sends `count` confirmed transfers from `payer`, one after the other.
async fn run_sequential(rpc: &RpcClient, payer: &Keypair, to: &Pubkey, count: usize, salt: u64) {
    let mut blockhash = rpc.get_latest_blockhash().await.unwrap();
    for i in 0..count {
        if i % 200 == 199 {
            blockhash = rpc.get_latest_blockhash().await.unwrap();
        }
        // A distinct amount per transaction keeps every message unique.
        let lamports = 1_000 + salt * 1_000_000 + i as u64;
        let tx = Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), to, lamports)],
            Some(&payer.pubkey()),
            &[payer],
            blockhash,
        );
        rpc.send_and_confirm_transaction(&tx).await.unwrap();
    }
}

async fn funded(rpc: &RpcClient, n: usize) -> Vec<Arc<Keypair>> {
    let mut out = Vec::new();
    for _ in 0..n {
        let kp = Keypair::new();
        let sig = rpc
            .request_airdrop(&kp.pubkey(), 1_000 * LAMPORTS_PER_SOL)
            .await
            .unwrap();
        while !rpc.confirm_transaction(&sig).await.unwrap() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        out.push(Arc::new(kp));
    }
    out
}

/// `in_flight` clients (one payer each) share `total` transactions.
async fn row(net: &Localnet, in_flight: usize, total: usize) -> (usize, Duration) {
    let payers = funded(&net.rpc(), in_flight).await;
    let to = Keypair::new().pubkey();
    let rpc = net.rpc();
    let sig = rpc.request_airdrop(&to, LAMPORTS_PER_SOL).await.unwrap();
    while !rpc.confirm_transaction(&sig).await.unwrap() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let per = total / in_flight;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (n, payer) in payers.into_iter().enumerate() {
        let url = net.url();
        tasks.push(tokio::spawn(async move {
            let rpc = RpcClient::new(url);
            run_sequential(&rpc, &payer, &to, per, n as u64).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (per * in_flight, start.elapsed())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let total: usize = std::env::var("EDGEFUEL_BENCH_TXS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(4_000);
        let started = Instant::now();
        let net = Localnet::start().await;
        let ready = started.elapsed();
        println!(
            "edgefuel-localnet (release) healthy {:.2} s after spawn",
            ready.as_secs_f64()
        );
        println!();
        println!("| clients in flight | transactions | seconds | tx/s |");
        println!("|---:|---:|---:|---:|");
        for in_flight in [1usize, 4, 16] {
            let (n, elapsed) = row(&net, in_flight, total).await;
            println!(
                "| {in_flight} | {n} | {:.2} | {:.0} |",
                elapsed.as_secs_f64(),
                n as f64 / elapsed.as_secs_f64()
            );
        }
    });
}
