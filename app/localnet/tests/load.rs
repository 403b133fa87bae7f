//! Slot steps (freeze, root, new bank) must never overlap or deadlock with
//! transactions, simulations and scans. With 10 ms slots every request races
//! several slot steps; the whole run has a generous deadline.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use anchor_lang::solana_program::system_instruction;
use common::{Localnet, LAMPORTS_PER_SOL};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_signer::Signer;
use solana_transaction::Transaction;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fast_slots_under_concurrent_load_do_not_deadlock() {
    let net = Localnet::start_with(&["--slot-ms", "10"]).await;
    let staker = Arc::new(net.keypair("staker.json"));
    let url = net.url();
    let work = async {
        let mut tasks = Vec::new();
        for t in 0..4u64 {
            let url = url.clone();
            let staker = staker.clone();
            tasks.push(tokio::spawn(async move {
                let rpc = RpcClient::new(url);
                let payer = Keypair::new();
                let sig = rpc
                    .request_airdrop(&payer.pubkey(), LAMPORTS_PER_SOL)
                    .await
                    .unwrap();
                while !rpc.confirm_transaction(&sig).await.unwrap() {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                let to = Pubkey::new_unique();
                for i in 0..40u64 {
                    let blockhash = rpc.get_latest_blockhash().await.unwrap();
                    let tx = Transaction::new_signed_with_payer(
                        &[system_instruction::transfer(
                            &payer.pubkey(),
                            &to,
                            1_000_000 + t * 1_000 + i,
                        )],
                        Some(&payer.pubkey()),
                        &[&payer],
                        blockhash,
                    );
                    rpc.simulate_transaction(&tx).await.unwrap();
                    rpc.send_and_confirm_transaction(&tx).await.unwrap();
                    if i % 10 == 0 {
                        rpc.get_program_ui_accounts_with_config(
                            &anchor_spl::token::ID,
                            Default::default(),
                        )
                        .await
                        .ok();
                        rpc.get_token_accounts_by_owner(
                            &staker.pubkey(),
                            solana_rpc_client_api::request::TokenAccountsFilter::Mint(
                                edgefuel::pda::mint(),
                            ),
                        )
                        .await
                        .unwrap();
                    }
                }
                let expected: u64 = (0..40u64).map(|i| 1_000_000 + t * 1_000 + i).sum();
                assert_eq!(rpc.get_balance(&to).await.unwrap(), expected);
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(120), work)
        .await
        .expect("no deadlock: the load finished in time");
    let rpc = net.rpc();
    assert!(
        rpc.get_slot().await.unwrap() > 100,
        "slots advanced meanwhile"
    );
}
