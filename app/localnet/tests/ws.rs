//! The standard PubSub client on the websocket port (RPC port + 1).
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use anchor_lang::solana_program::system_instruction;
use common::{Localnet, LAMPORTS_PER_SOL};
use futures_util::StreamExt;
use solana_keypair::Keypair;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcTransactionLogsConfig, RpcTransactionLogsFilter,
};
use solana_rpc_client_api::response::RpcSignatureResult;
use solana_signer::Signer;
use solana_transaction::Transaction;
use std::time::Duration;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn signature_account_slot_and_logs_notifications() {
    let net = Localnet::start().await;
    let rpc = net.rpc();
    let pubsub = PubsubClient::new(net.ws_url().as_str()).await.unwrap();
    let payer = net.keypair("staker.json");
    let to = Keypair::new();

    let (mut slots, _unsub_slots) = pubsub.slot_subscribe().await.unwrap();
    let first = timeout(WAIT, slots.next()).await.unwrap().unwrap();
    let second = timeout(WAIT, slots.next()).await.unwrap().unwrap();
    assert_eq!(second.slot, first.slot + 1);
    assert_eq!(second.parent, first.slot);

    let (mut account, _unsub_account) = pubsub
        .account_subscribe(
            &to.pubkey(),
            Some(RpcAccountInfoConfig {
                encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    let (mut logs, _unsub_logs) = pubsub
        .logs_subscribe(
            RpcTransactionLogsFilter::Mentions(vec![to.pubkey().to_string()]),
            RpcTransactionLogsConfig { commitment: None },
        )
        .await
        .unwrap();

    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &to.pubkey(),
            LAMPORTS_PER_SOL,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    let sig = tx.signatures[0];
    let (mut sig_stream, _unsub_sig) = pubsub.signature_subscribe(&sig, None).await.unwrap();
    rpc.send_transaction(&tx).await.unwrap();

    let done = timeout(WAIT, sig_stream.next()).await.unwrap().unwrap();
    assert!(matches!(
        done.value,
        RpcSignatureResult::ProcessedSignature(ref r) if r.err.is_none()
    ));
    let changed = timeout(WAIT, account.next()).await.unwrap().unwrap();
    assert_eq!(changed.value.lamports, LAMPORTS_PER_SOL);
    let logged = timeout(WAIT, logs.next()).await.unwrap().unwrap();
    assert_eq!(logged.value.signature, sig.to_string());
    assert!(logged.value.err.is_none());

    // Subscribing to a signature that already landed answers at once.
    let (mut again, _unsub_again) = pubsub.signature_subscribe(&sig, None).await.unwrap();
    let done = timeout(WAIT, again.next()).await.unwrap().unwrap();
    assert!(matches!(
        done.value,
        RpcSignatureResult::ProcessedSignature(_)
    ));
}
