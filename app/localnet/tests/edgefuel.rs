//! EdgeFuel on the local chain through the standard client: an operator
//! registers and bonds, a staker delegates, balances read back exactly,
//! `getProgramAccounts` filters find exactly the expected accounts, and a
//! transaction's events come back from `getTransaction`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use anchor_lang::{Discriminator, Space};
use common::{Localnet, EFUEL};
use edgefuel::{pda, Delegation, Node, NodeMetadata};
use edgefuel_client::accounts::{decode, delegations_of_node, delegations_of_staker, kind_filter};
use edgefuel_client::ix;
use solana_account_decoder_client_types::{UiAccountEncoding, UiDataSliceConfig};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::ErrorKind;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_status_client_types::UiTransactionEncoding;
use std::collections::BTreeSet;

async fn send(
    rpc: &RpcClient,
    ixs: &[anchor_lang::solana_program::instruction::Instruction],
    signer: &Keypair,
) -> solana_signature::Signature {
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(ixs, Some(&signer.pubkey()), &[signer], blockhash);
    rpc.send_and_confirm_transaction(&tx).await.unwrap()
}

async fn efuel(rpc: &RpcClient, owner: &Pubkey) -> u64 {
    rpc.get_token_account_balance(&ix::efuel_ata(owner))
        .await
        .unwrap()
        .amount
        .parse()
        .unwrap()
}

async fn program_accounts(rpc: &RpcClient, filters: Vec<RpcFilterType>) -> BTreeSet<Pubkey> {
    rpc.get_program_ui_accounts_with_config(
        &edgefuel::ID,
        RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|(k, _)| k)
    .collect()
}

fn metadata() -> NodeMetadata {
    NodeMetadata {
        endpoint: "https://node.local:7443".into(),
        gpu_model: "RTX 4090".into(),
        vram_mib: 24_576,
        region: "eu-west".into(),
        commission_bps: 500,
    }
}

#[tokio::test]
async fn register_delegate_and_find_accounts() {
    let net = Localnet::start().await;
    let rpc = net.rpc();
    let operator = net.keypair("operator.json");
    let staker = net.keypair("staker.json");
    let node = pda::node(&operator.pubkey());

    let sig = send(
        &rpc,
        &[ix::register_node(&operator.pubkey(), metadata())],
        &operator,
    )
    .await;
    let logs: Option<Vec<String>> = rpc
        .get_transaction(&sig, UiTransactionEncoding::Json)
        .await
        .unwrap()
        .transaction
        .meta
        .unwrap()
        .log_messages
        .into();
    assert!(
        logs.unwrap()
            .contains(&"Program log: Instruction: RegisterNode".to_string()),
        "native msg! lines reach the transaction logs"
    );
    let epochs = ix::StakeEpochs {
        current: edgefuel_client::EdgeFuelClient::from_rpc_client(net.rpc())
            .current_epoch()
            .await
            .unwrap(),
        activating: None,
    };
    send(
        &rpc,
        &[ix::delegate(
            &operator.pubkey(),
            &node,
            1_000 * EFUEL,
            epochs,
        )],
        &operator,
    )
    .await;
    send(
        &rpc,
        &[ix::delegate(&staker.pubkey(), &node, 250 * EFUEL, epochs)],
        &staker,
    )
    .await;

    // Balances read back exactly.
    assert_eq!(efuel(&rpc, &operator.pubkey()).await, 99_000 * EFUEL);
    assert_eq!(efuel(&rpc, &staker.pubkey()).await, 99_750 * EFUEL);
    let vault = rpc.get_token_account_balance(&pda::vault()).await.unwrap();
    assert_eq!(vault.amount, (1_250 * EFUEL).to_string());
    let node_account = rpc.get_account(&node).await.unwrap();
    let decoded: Node = decode(&node, &node_account.data).unwrap();
    assert_eq!(decoded.operator, operator.pubkey());
    assert_eq!(decoded.pool_tokens, 1_250 * EFUEL);
    assert_eq!(decoded.delegation_count, 2);
    let staker_delegation = pda::delegation(&node, &staker.pubkey());
    let d: Delegation = decode(
        &staker_delegation,
        &rpc.get_account(&staker_delegation).await.unwrap().data,
    )
    .unwrap();
    assert_eq!(d.bonded_shares, decoded.pool_shares * 250 / 1_250);

    // getProgramAccounts: exactly the expected accounts per filter.
    let operator_delegation = pda::delegation(&node, &operator.pubkey());
    assert_eq!(
        program_accounts(&rpc, vec![kind_filter::<Node>()]).await,
        BTreeSet::from([node])
    );
    assert_eq!(
        program_accounts(&rpc, delegations_of_node(&node).unwrap()).await,
        BTreeSet::from([operator_delegation, staker_delegation])
    );
    assert_eq!(
        program_accounts(&rpc, delegations_of_staker(&staker.pubkey()).unwrap()).await,
        BTreeSet::from([staker_delegation])
    );
    assert_eq!(
        program_accounts(&rpc, delegations_of_staker(&Pubkey::new_unique()).unwrap()).await,
        BTreeSet::new()
    );
    assert_eq!(
        program_accounts(
            &rpc,
            vec![
                RpcFilterType::DataSize((8 + Delegation::INIT_SPACE) as u64),
                kind_filter::<Delegation>()
            ]
        )
        .await,
        BTreeSet::from([operator_delegation, staker_delegation])
    );
    assert_eq!(
        program_accounts(&rpc, vec![RpcFilterType::DataSize(7)]).await,
        BTreeSet::new()
    );

    // base58 with a data slice: the discriminators.
    let sliced = rpc
        .get_program_ui_accounts_with_config(
            &edgefuel::ID,
            RpcProgramAccountsConfig {
                filters: Some(vec![kind_filter::<Node>()]),
                account_config: RpcAccountInfoConfig {
                    encoding: Some(UiAccountEncoding::Base58),
                    data_slice: Some(UiDataSliceConfig {
                        offset: 0,
                        length: 8,
                    }),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(sliced.len(), 1);
    assert_eq!(sliced[0].1.data.decode().unwrap(), Node::DISCRIMINATOR);
    // Unsliced, a Node does not fit base58: agave's error.
    let v = net
        .call(
            "getProgramAccounts",
            serde_json::json!([edgefuel::ID.to_string(), {"encoding": "base58"}]),
        )
        .await;
    assert_eq!(v["error"]["code"], -32600, "{v}");

    // A refused EdgeFuel transaction: preflight error with the program's code.
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[ix::delegate(
            &staker.pubkey(),
            &node,
            1_000_000 * EFUEL,
            epochs,
        )],
        Some(&staker.pubkey()),
        &[&staker],
        blockhash,
    );
    let err = rpc.send_and_confirm_transaction(&tx).await.unwrap_err();
    match err.kind() {
        ErrorKind::RpcError(RpcError::RpcResponseError {
            code: -32002,
            data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
            ..
        }) => {
            assert!(sim.err.is_some());
            // The native program's own lines are in the logs, in place.
            let logs = sim.logs.clone().unwrap_or_default();
            let invoke = format!("Program {} invoke [1]", edgefuel::ID);
            let at = logs.iter().rposition(|l| *l == invoke).unwrap();
            assert_eq!(
                logs[at + 1],
                "Program log: Instruction: Delegate",
                "{logs:#?}"
            );
        }
        other => panic!("expected a preflight failure, got {other:?}"),
    }
    assert_eq!(efuel(&rpc, &staker.pubkey()).await, 99_750 * EFUEL);
}

/// A delegation's `Delegated` event is in `getTransaction`'s
/// `meta.innerInstructions` (the event self-CPI, standard shape) and decodes
/// to the exact values, from json and base64 answers alike.
#[tokio::test]
async fn delegate_event_comes_back_from_get_transaction() {
    use edgefuel_client::events::from_transaction;
    use edgefuel_client::{EdgeFuelClient, EdgeFuelEvent};
    use solana_rpc_client_api::config::RpcTransactionConfig;

    let net = Localnet::start().await;
    let rpc = net.rpc();
    let operator = net.keypair("operator.json");
    let staker = net.keypair("staker.json");
    let node = pda::node(&operator.pubkey());
    let client = EdgeFuelClient::from_rpc_client(net.rpc());
    let epochs = ix::StakeEpochs {
        current: client.current_epoch().await.unwrap(),
        activating: None,
    };
    send(
        &rpc,
        &[
            ix::register_node(&operator.pubkey(), metadata()),
            ix::delegate(&operator.pubkey(), &node, 1_000 * EFUEL, epochs),
        ],
        &operator,
    )
    .await;
    let sig = send(
        &rpc,
        &[ix::delegate(&staker.pubkey(), &node, 250 * EFUEL, epochs)],
        &staker,
    )
    .await;
    let expected = EdgeFuelEvent::Delegated(edgefuel::events::Delegated {
        node,
        staker: staker.pubkey(),
        amount: 250 * EFUEL,
        shares: 250 * EFUEL,
        pool_tokens_before: 1_000 * EFUEL,
        pool_tokens_after: 1_250 * EFUEL,
        pool_shares_before: 1_000 * EFUEL,
        pool_shares_after: 1_250 * EFUEL,
    });

    // The raw answer: one inner instruction of top-level instruction 0, a
    // call of EdgeFuel by EdgeFuel (stack height 2) signed by the event
    // authority, as a cluster reports an event-cpi.
    let v = net
        .call(
            "getTransaction",
            serde_json::json!([sig.to_string(), {"encoding": "json"}]),
        )
        .await;
    let keys: Vec<String> =
        serde_json::from_value(v["result"]["transaction"]["message"]["accountKeys"].clone())
            .unwrap();
    let inner = &v["result"]["meta"]["innerInstructions"];
    let events: Vec<&serde_json::Value> = inner[0]["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            keys[i["programIdIndex"].as_u64().unwrap() as usize] == edgefuel::ID.to_string()
        })
        .collect();
    assert_eq!(inner[0]["index"], 0, "{v}");
    assert_eq!(events.len(), 1, "{v}");
    assert_eq!(events[0]["stackHeight"], 2);
    let authority = events[0]["accounts"][0].as_u64().unwrap() as usize;
    assert_eq!(keys[authority], pda::event_authority().to_string());

    // Decoded by the client, from json and from base64.
    assert_eq!(
        client.transaction_events(&sig).await.unwrap(),
        Some(vec![expected.clone()])
    );
    let base64 = rpc
        .get_transaction_with_config(
            &sig,
            RpcTransactionConfig {
                encoding: Some(UiTransactionEncoding::Base64),
                commitment: None,
                max_supported_transaction_version: Some(0),
            },
        )
        .await
        .unwrap();
    assert_eq!(from_transaction(&base64).unwrap(), vec![expected]);
    // An unknown signature: no transaction, no events.
    let unknown = solana_signature::Signature::from([7u8; 64]);
    assert_eq!(client.transaction_events(&unknown).await.unwrap(), None);
}
