//! The standard Solana RPC client against the local chain: SOL, tokens,
//! history, clock and the error shapes clients rely on.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use anchor_lang::solana_program::system_instruction;
use common::{Localnet, EFUEL, LAMPORTS_PER_SOL};
use serde_json::json;
use solana_commitment_config::CommitmentConfig;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::ErrorKind;
use solana_rpc_client_api::config::{RpcSendTransactionConfig, RpcSimulateTransactionConfig};
use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData, TokenAccountsFilter};
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{
    TransactionConfirmationStatus, UiTransactionEncoding,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

async fn airdrop(rpc: &RpcClient, to: &Pubkey, lamports: u64) -> Signature {
    let sig = rpc.request_airdrop(to, lamports).await.unwrap();
    for _ in 0..100 {
        if rpc.confirm_transaction(&sig).await.unwrap() {
            return sig;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("airdrop {sig} not confirmed");
}

fn transfer(from: &Keypair, to: &Pubkey, lamports: u64, blockhash: Hash) -> Transaction {
    Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&from.pubkey(), to, lamports)],
        Some(&from.pubkey()),
        &[from],
        blockhash,
    )
}

/// The RPC error code and, for preflight failures, the transaction error.
fn rpc_error(err: &solana_rpc_client_api::client_error::Error) -> (i64, Option<TransactionError>) {
    match err.kind() {
        ErrorKind::RpcError(RpcError::RpcResponseError { code, data, .. }) => {
            let tx_err = match data {
                RpcResponseErrorData::SendTransactionPreflightFailure(r) => {
                    r.err.clone().map(Into::into)
                }
                _ => None,
            };
            (*code, tx_err)
        }
        other => panic!("expected an RPC response error, got {other:?}"),
    }
}

#[tokio::test]
async fn airdrop_and_transfer_read_back_exactly() {
    let net = Localnet::start().await;
    let rpc = net.rpc();
    let alice = Keypair::new();
    let bob = Keypair::new();

    airdrop(&rpc, &alice.pubkey(), 2 * LAMPORTS_PER_SOL).await;
    assert_eq!(
        rpc.get_balance(&alice.pubkey()).await.unwrap(),
        2 * LAMPORTS_PER_SOL
    );

    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = transfer(&alice, &bob.pubkey(), LAMPORTS_PER_SOL / 2, blockhash);
    let fee = rpc.get_fee_for_message(&tx.message).await.unwrap();
    assert_eq!(fee, 5_000);
    let sig = rpc.send_and_confirm_transaction(&tx).await.unwrap();

    assert_eq!(
        rpc.get_balance(&alice.pubkey()).await.unwrap(),
        2 * LAMPORTS_PER_SOL - LAMPORTS_PER_SOL / 2 - fee
    );
    assert_eq!(
        rpc.get_balance(&bob.pubkey()).await.unwrap(),
        LAMPORTS_PER_SOL / 2
    );

    // Status and history.
    let statuses = rpc
        .get_signature_statuses(&[sig, Signature::default()])
        .await
        .unwrap();
    let status = statuses.value[0]
        .clone()
        .expect("status of a landed transaction");
    assert_eq!(status.err, None);
    assert_eq!(
        status.confirmation_status,
        Some(TransactionConfirmationStatus::Finalized)
    );
    assert!(statuses.value[1].is_none());
    let tx_info = rpc
        .get_transaction(&sig, UiTransactionEncoding::Json)
        .await
        .unwrap();
    let meta = tx_info.transaction.meta.expect("meta");
    assert_eq!(meta.err, None);
    assert_eq!(meta.fee, fee);
    assert_eq!(
        meta.pre_balances[0] - meta.post_balances[0],
        LAMPORTS_PER_SOL / 2 + fee
    );
    let logs: Option<Vec<String>> = meta.log_messages.into();
    let logs = logs.expect("logs");
    assert!(
        logs.iter()
            .any(|l| l == "Program 11111111111111111111111111111111 success"),
        "{logs:?}"
    );
    assert!(tx_info.block_time.is_some());
    let b64 = rpc
        .get_transaction(&sig, UiTransactionEncoding::Base64)
        .await
        .unwrap();
    assert_eq!(
        b64.transaction
            .transaction
            .decode()
            .expect("decodes")
            .signatures[0],
        sig
    );

    // History by address, newest first.
    let history = rpc.get_signatures_for_address(&bob.pubkey()).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].signature, sig.to_string());
    let history = rpc
        .get_signatures_for_address(&alice.pubkey())
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "airdrop and transfer");
    assert_eq!(history[0].signature, sig.to_string());

    // Several accounts at once, one of them missing.
    let missing = Pubkey::new_unique();
    let accounts = rpc
        .get_multiple_accounts(&[alice.pubkey(), bob.pubkey(), missing])
        .await
        .unwrap();
    assert_eq!(
        accounts[1].as_ref().map(|a| a.lamports),
        Some(LAMPORTS_PER_SOL / 2)
    );
    assert!(accounts[2].is_none());
    assert!(rpc.get_account(&missing).await.is_err());
}

#[tokio::test]
async fn tokens_and_chain_info() {
    let net = Localnet::start().await;
    let rpc = net.rpc();
    let staker = net.keypair("staker.json");
    let mint = edgefuel::pda::mint();
    let ata = edgefuel_client::ix::efuel_ata(&staker.pubkey());

    let balance = rpc.get_token_account_balance(&ata).await.unwrap();
    assert_eq!(balance.amount, (100_000 * EFUEL).to_string());
    assert_eq!(balance.decimals, 9);
    let owned = rpc
        .get_token_accounts_by_owner(&staker.pubkey(), TokenAccountsFilter::Mint(mint))
        .await
        .unwrap();
    assert_eq!(owned.len(), 1);
    assert_eq!(owned[0].pubkey, ata.to_string());
    let by_program = rpc
        .get_token_accounts_by_owner(
            &staker.pubkey(),
            TokenAccountsFilter::ProgramId(anchor_spl::token::ID),
        )
        .await
        .unwrap();
    assert_eq!(by_program.len(), 1);
    let parsed = net
        .call(
            "getAccountInfo",
            json!([ata.to_string(), {"encoding": "jsonParsed"}]),
        )
        .await;
    let info = &parsed["result"]["value"]["data"]["parsed"]["info"];
    assert_eq!(info["tokenAmount"]["amount"], (100_000 * EFUEL).to_string());
    assert_eq!(info["owner"], staker.pubkey().to_string());
    assert_eq!(parsed["result"]["value"]["data"]["program"], "spl-token");
    let supply = rpc.get_token_supply(&mint).await.unwrap();
    assert_eq!(supply.amount, (1_000_000_000 * EFUEL).to_string());

    // Chain info moves with the slot timer.
    let info = rpc.get_epoch_info().await.unwrap();
    assert_eq!(info.slots_in_epoch, 432_000);
    let slot = rpc.get_slot().await.unwrap();
    let height = rpc.get_block_height().await.unwrap();
    assert!(
        rpc.get_minimum_balance_for_rent_exemption(165)
            .await
            .unwrap()
            > 0
    );
    let (hash, last_valid) = rpc
        .get_latest_blockhash_with_commitment(CommitmentConfig::confirmed())
        .await
        .unwrap();
    assert!(last_valid >= height + 149, "{last_valid} vs {height}");
    assert!(rpc
        .is_blockhash_valid(&hash, CommitmentConfig::processed())
        .await
        .unwrap());
    assert!(!rpc
        .is_blockhash_valid(&Hash::new_unique(), CommitmentConfig::processed())
        .await
        .unwrap());
    let version = rpc.get_version().await.unwrap();
    assert_eq!(version.solana_core, "3.1.12");

    // The clock follows wall time and SlotHashes gains an entry per slot.
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let later = rpc.get_slot().await.unwrap();
    assert!(
        later >= slot + 2,
        "slots advance on the timer: {slot} -> {later}"
    );
    let clock_account = rpc
        .get_account(&Pubkey::from_str_const(
            "SysvarC1ock11111111111111111111111111111111",
        ))
        .await
        .unwrap();
    let clock: anchor_lang::prelude::Clock = bincode::deserialize(&clock_account.data).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (clock.unix_timestamp - now).abs() <= 2,
        "clock {} vs now {now}",
        clock.unix_timestamp
    );
    let slot_hashes = rpc
        .get_account(&Pubkey::from_str_const(
            "SysvarS1otHashes111111111111111111111111111",
        ))
        .await
        .unwrap();
    let entries: Vec<(u64, Hash)> = bincode::deserialize(&slot_hashes.data).unwrap();
    assert!(
        entries.len() as u64 >= later - 1,
        "{} entries at slot {later}",
        entries.len()
    );
    assert!(
        entries[0].0 + 2 >= clock.slot,
        "newest entry {} at slot {}",
        entries[0].0,
        clock.slot
    );
}

#[tokio::test]
async fn errors_have_the_standard_shapes() {
    let net = Localnet::start().await;
    let rpc = net.rpc();
    let alice = Keypair::new();
    airdrop(&rpc, &alice.pubkey(), LAMPORTS_PER_SOL).await;

    // Framing errors.
    let v = net.raw("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":").await;
    assert_eq!(v["error"]["code"], -32700);
    assert_eq!(v["id"], serde_json::Value::Null);
    let v = net.call("getNothing", json!([])).await;
    assert_eq!(v["error"]["code"], -32601);
    assert_eq!(v["error"]["message"], "Method not found");
    assert_eq!(v["id"], 1);
    let v = net
        .raw("{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"getSlot\"}")
        .await;
    assert_eq!(v["error"]["code"], -32600);
    assert_eq!(v["id"], 7);
    let v = net.call("getBalance", json!(["not-a-key"])).await;
    assert_eq!(v["error"]["code"], -32602);
    let v = net.call("getBalance", json!([])).await;
    assert_eq!(v["error"]["code"], -32602);
    // Explicit nulls are absent values.
    let v = net
        .call("getAccountInfo", json!([alice.pubkey().to_string(), {"encoding": null, "dataSlice": null, "commitment": null}]))
        .await;
    assert_eq!(v["result"]["value"]["lamports"], LAMPORTS_PER_SOL);
    // Batches answer each request.
    let v = net
        .raw("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}]")
        .await;
    assert_eq!(v[0]["result"], "ok");
    assert_eq!(v[1]["error"]["code"], -32601);

    // A bad signature.
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let mut tx = transfer(&alice, &Pubkey::new_unique(), 1_000_000, blockhash);
    let mut sig = tx.signatures[0].as_ref().to_vec();
    sig[0] ^= 1;
    tx.signatures[0] = Signature::try_from(sig.as_slice()).unwrap();
    let err = rpc.send_transaction(&tx).await.unwrap_err();
    assert_eq!(rpc_error(&err).0, -32003);
    let err = rpc
        .simulate_transaction_with_config(
            &tx,
            RpcSimulateTransactionConfig {
                sig_verify: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(rpc_error(&err).0, -32003);

    // An unknown (or expired) blockhash: preflight says BlockhashNotFound.
    let stale = transfer(&alice, &Pubkey::new_unique(), 1_000_000, Hash::new_unique());
    let err = rpc.send_transaction(&stale).await.unwrap_err();
    assert_eq!(
        rpc_error(&err),
        (-32002, Some(TransactionError::BlockhashNotFound))
    );
    assert_eq!(
        err.get_transaction_error(),
        Some(TransactionError::BlockhashNotFound)
    );
    // Without preflight it is accepted and dropped, as a cluster does.
    let sig = rpc
        .send_transaction_with_config(
            &stale,
            RpcSendTransactionConfig {
                skip_preflight: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(rpc.get_signature_status(&sig).await.unwrap().is_none());

    // Simulation: the error and logs of a failing transfer, nothing changed.
    let too_much = transfer(
        &alice,
        &Pubkey::new_unique(),
        10 * LAMPORTS_PER_SOL,
        blockhash,
    );
    let sim = rpc.simulate_transaction(&too_much).await.unwrap().value;
    assert!(
        matches!(sim.err, Some(ref e) if TransactionError::from(e.clone()).to_string().contains("custom program error: 0x1")),
        "{:?}",
        sim.err
    );
    assert!(sim
        .logs
        .unwrap()
        .iter()
        .any(|l| l.contains("insufficient lamports")));
    let err = rpc
        .send_and_confirm_transaction(&too_much)
        .await
        .unwrap_err();
    assert_eq!(rpc_error(&err).0, -32002);
    assert_eq!(
        rpc.get_balance(&alice.pubkey()).await.unwrap(),
        LAMPORTS_PER_SOL
    );

    // replaceRecentBlockhash runs an unsigned transaction on the latest hash.
    let unsigned = Transaction::new_with_payer(
        &[system_instruction::transfer(
            &alice.pubkey(),
            &Pubkey::new_unique(),
            LAMPORTS_PER_SOL / 100,
        )],
        Some(&alice.pubkey()),
    );
    let sim = rpc
        .simulate_transaction_with_config(
            &unsigned,
            RpcSimulateTransactionConfig {
                replace_recent_blockhash: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .value;
    assert_eq!(sim.err, None);
    assert!(sim.replacement_blockhash.is_some());
    let v = net
        .call(
            "simulateTransaction",
            json!(["AQ", {"sigVerify": true, "replaceRecentBlockhash": true}]),
        )
        .await;
    assert_eq!(v["error"]["code"], -32602);

    // The server survived all of it.
    assert_eq!(net.call("getHealth", json!([])).await["result"], "ok");
    let metrics = reqwest::get(format!("{}/metrics", net.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("edgefuel_localnet_slot "), "{metrics}");
    airdrop(&rpc, &alice.pubkey(), 1).await;
}

/// `edgefuel_advanceClock` (the local chain's own method) moves the Clock
/// sysvar forward by exactly the seconds asked, in a new slot; bad values are
/// refused as invalid params and move nothing.
#[tokio::test]
async fn the_local_clock_moves_forward_on_request() {
    let net = Localnet::start().await;
    let client = edgefuel_client::EdgeFuelClient::from_rpc_client(net.rpc());
    let before = client.clock().await.unwrap();
    let v = net
        .call(edgefuel_client::rpc::ADVANCE_CLOCK, json!([86_400]))
        .await;
    let now = v["result"].as_i64().unwrap();
    let after = client.clock().await.unwrap();
    assert_eq!(after.unix_timestamp, now);
    assert!(
        now >= before.unix_timestamp + 86_400,
        "{now} vs {}",
        before.unix_timestamp
    );
    assert!(after.slot > before.slot);
    for bad in [
        json!([-1]),
        json!([edgefuel_client::rpc::MAX_CLOCK_ADVANCE + 1]),
        json!(["x"]),
        json!([]),
    ] {
        let v = net.call(edgefuel_client::rpc::ADVANCE_CLOCK, bad).await;
        assert_eq!(v["error"]["code"], -32602);
    }
    // Later slots keep the offset: the clock never goes back.
    let later = client.clock().await.unwrap();
    assert!(later.unix_timestamp >= now);
}
