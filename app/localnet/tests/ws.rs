//! The standard PubSub client on the websocket port (RPC port + 1).
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use anchor_lang::solana_program::system_instruction;
use common::{Localnet, LAMPORTS_PER_SOL};
use futures_util::StreamExt;
use solana_keypair::Keypair;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcTransactionLogsConfig,
    RpcTransactionLogsFilter,
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

    // Program accounts: a node registration notifies its new Node account.
    let operator = net.keypair("operator.json");
    let (mut nodes, _unsub_nodes) = pubsub
        .program_subscribe(
            &edgefuel::ID,
            Some(RpcProgramAccountsConfig {
                filters: Some(vec![
                    edgefuel_client::accounts::kind_filter::<edgefuel::Node>(),
                ]),
                account_config: RpcAccountInfoConfig {
                    encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64),
                    ..Default::default()
                },
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    let register = edgefuel_client::ix::register_node(
        &operator.pubkey(),
        edgefuel::NodeMetadata {
            endpoint: "https://node.local:7443".into(),
            gpu_model: "RTX 4090".into(),
            vram_mib: 24_576,
            region: "eu-west".into(),
            commission_bps: 500,
        },
    );
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[register],
        Some(&operator.pubkey()),
        &[&operator],
        blockhash,
    );
    rpc.send_and_confirm_transaction(&tx).await.unwrap();
    let node = timeout(WAIT, nodes.next()).await.unwrap().unwrap();
    assert_eq!(
        node.value.pubkey,
        edgefuel::pda::node(&operator.pubkey()).to_string()
    );

    // Subscribing to a signature that already landed answers at once.
    let (mut again, _unsub_again) = pubsub.signature_subscribe(&sig, None).await.unwrap();
    let done = timeout(WAIT, again.next()).await.unwrap().unwrap();
    assert!(matches!(
        done.value,
        RpcSignatureResult::ProcessedSignature(_)
    ));
}
