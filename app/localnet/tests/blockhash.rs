//! A wallet user takes seconds to sign: a blockhash must stay valid about as
//! long as on a cluster (~60 s at 400 ms slots) while slots keep advancing.
//! This test takes ~30 s of wall time on purpose: it checks a protocol
//! property of the chain (blockhash lifetime), not a timing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use anchor_lang::solana_program::system_instruction;
use common::{Localnet, LAMPORTS_PER_SOL};
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use solana_transaction::Transaction;
use std::time::Duration;

#[tokio::test]
async fn a_transaction_signed_30s_after_its_blockhash_lands() {
    let net = Localnet::start().await;
    let rpc = net.rpc();
    let payer = net.keypair("staker.json");
    let to = Pubkey::new_unique();

    let (blockhash, last_valid) = rpc
        .get_latest_blockhash_with_commitment(CommitmentConfig::confirmed())
        .await
        .unwrap();
    let slot_before = rpc.get_slot().await.unwrap();

    tokio::time::sleep(Duration::from_secs(30)).await;

    let slot_after = rpc.get_slot().await.unwrap();
    assert!(
        slot_after >= slot_before + 50,
        "slots keep advancing: {slot_before} -> {slot_after}"
    );
    assert!(rpc.get_block_height().await.unwrap() <= last_valid);
    assert!(rpc
        .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
        .await
        .unwrap());

    // Sign only now, with the 30-second-old hash.
    let tx = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &to,
            LAMPORTS_PER_SOL,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    rpc.send_and_confirm_transaction(&tx).await.unwrap();
    assert_eq!(rpc.get_balance(&to).await.unwrap(), LAMPORTS_PER_SOL);

    // And a second payer's transaction on the same old hash lands too.
    let other = Keypair::new();
    let tx = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &other.pubkey(),
            LAMPORTS_PER_SOL,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    rpc.send_and_confirm_transaction(&tx).await.unwrap();
}

/// The other side of the window: 150 slots later a hash is gone, and a
/// transaction on it is refused with the standard preflight error.
#[tokio::test]
async fn an_expired_blockhash_is_refused_with_blockhash_not_found() {
    let net = Localnet::start_with(&["--slot-ms", "10"]).await;
    let rpc = net.rpc();
    let payer = net.keypair("staker.json");
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let start = rpc.get_slot().await.unwrap();
    while rpc.get_slot().await.unwrap() < start + 160 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!rpc
        .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
        .await
        .unwrap());
    let tx = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &Pubkey::new_unique(),
            LAMPORTS_PER_SOL,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    let err = rpc.send_transaction(&tx).await.unwrap_err();
    assert_eq!(
        err.get_transaction_error(),
        Some(solana_transaction_error::TransactionError::BlockhashNotFound)
    );
    assert_eq!(
        net.call("getHealth", serde_json::json!([])).await["result"],
        "ok"
    );
}
