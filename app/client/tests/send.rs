//! `EdgeFuelClient::send` against a scripted RPC transport: transport errors
//! are retried with backoff, preflight failures come back named with their
//! logs, an expired blockhash is replaced by a fresh one and the transaction
//! re-signed, an on-chain failure carries the transaction's logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_trait::async_trait;
use base64::Engine;
use edgefuel_client::edgefuel::error::EdgeFuelError;
use edgefuel_client::error::ErrorSource;
use edgefuel_client::solana_rpc_client::nonblocking::rpc_client::RpcClient;
use edgefuel_client::solana_rpc_client::rpc_client::RpcClientConfig;
use edgefuel_client::solana_rpc_client::rpc_sender::{RpcSender, RpcTransportStats};
use edgefuel_client::solana_rpc_client_api::client_error::{ErrorKind, Result as RpcResult};
use edgefuel_client::solana_rpc_client_api::request::{RpcError, RpcRequest, RpcResponseErrorData};
use edgefuel_client::{ix, pda, ClientError, CommitmentConfig, EdgeFuelClient, RetryPolicy};
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the scripted node does for each call.
#[derive(Default)]
struct Script {
    /// Transport failures before `getLatestBlockhash` answers.
    blockhash_failures: u32,
    /// Refuse `sendTransaction` in preflight with this custom code and logs.
    preflight_error: Option<u32>,
    /// Report the transaction failed on chain with this custom code.
    onchain_error: Option<u32>,
    /// Statuses stay unknown and the block height jumps past the first blockhash.
    expire_first_blockhash: bool,
    /// The first send is refused as already processed (an identical
    /// transaction landed before); the first blockhash is served twice.
    duplicate_first: bool,
}

#[derive(Default)]
struct State {
    calls: Vec<String>,
    blockhash_calls: u32,
    sent: Vec<String>,
}

struct Scripted {
    script: Script,
    state: Arc<Mutex<State>>,
}

fn signature_of(params: &Value) -> String {
    let tx = base64::engine::general_purpose::STANDARD
        .decode(params[0].as_str().unwrap())
        .unwrap();
    // shortvec signature count (1 byte for < 128), then the first signature.
    bs58::encode(&tx[1..65]).into_string()
}

fn context(value: Value) -> Value {
    json!({ "context": { "slot": 10 }, "value": value })
}

#[async_trait]
impl RpcSender for Scripted {
    async fn send(&self, request: RpcRequest, params: Value) -> RpcResult<Value> {
        let mut st = self.state.lock().unwrap();
        st.calls.push(request.to_string());
        match request {
            RpcRequest::GetLatestBlockhash => {
                st.blockhash_calls += 1;
                if st.blockhash_calls <= self.script.blockhash_failures {
                    return Err(ErrorKind::Io(std::io::Error::other("connection reset")).into());
                }
                // A different hash each call (the first twice when the script
                // repeats it), valid up to height 100.
                let n = if self.script.duplicate_first && st.blockhash_calls == 2 {
                    1
                } else {
                    st.blockhash_calls
                };
                let hash = bs58::encode([n as u8; 32]).into_string();
                Ok(context(
                    json!({ "blockhash": hash, "lastValidBlockHeight": 100 }),
                ))
            }
            RpcRequest::SendTransaction => {
                let sig = signature_of(&params);
                st.sent.push(sig.clone());
                if self.script.duplicate_first && st.sent.len() == 1 {
                    let sim =
                        serde_json::from_value(json!({ "err": "AlreadyProcessed", "logs": [] }))
                            .unwrap();
                    return Err(RpcError::RpcResponseError {
                        code: -32002,
                        message: "Transaction simulation failed".into(),
                        data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
                    }
                    .into());
                }
                if let Some(code) = self.script.preflight_error {
                    let sim = serde_json::from_value(json!({
                        "err": { "InstructionError": [0, { "Custom": code }] },
                        "logs": ["Program EF91 invoke [1]", "Program EF91 failed: custom program error"],
                    }))
                    .unwrap();
                    return Err(RpcError::RpcResponseError {
                        code: -32002,
                        message: "Transaction simulation failed".into(),
                        data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
                    }
                    .into());
                }
                Ok(Value::String(sig))
            }
            RpcRequest::GetSignatureStatuses => {
                let first_hash_sig = st.sent.first().cloned();
                let asked = params[0][0].as_str().unwrap().to_string();
                if self.script.expire_first_blockhash && Some(asked) == first_hash_sig {
                    return Ok(context(json!([null])));
                }
                let err = self
                    .script
                    .onchain_error
                    .map(|c| json!({ "InstructionError": [0, { "Custom": c }] }));
                let status = match &err {
                    Some(e) => json!({ "Err": e }),
                    None => json!({ "Ok": null }),
                };
                Ok(context(json!([{
                    "slot": 10,
                    "confirmations": null,
                    "status": status,
                    "err": err,
                    "confirmationStatus": "finalized",
                }])))
            }
            RpcRequest::GetBlockHeight => Ok(json!(if self.script.expire_first_blockhash {
                101
            } else {
                5
            })),
            RpcRequest::GetTransaction => Ok(json!({
                "slot": 10,
                "blockTime": null,
                "transaction": {
                    "signatures": [params[0]],
                    "message": {
                        "accountKeys": [],
                        "header": { "numRequiredSignatures": 1, "numReadonlySignedAccounts": 0, "numReadonlyUnsignedAccounts": 0 },
                        "recentBlockhash": "11111111111111111111111111111111",
                        "instructions": [],
                    },
                },
                "meta": {
                    "err": null,
                    "status": { "Ok": null },
                    "fee": 5000,
                    "preBalances": [],
                    "postBalances": [],
                    "logMessages": ["Program EF91 invoke [1]", "Program log: on-chain failure"],
                },
            })),
            other => panic!("unexpected request {other}"),
        }
    }

    fn get_transport_stats(&self) -> RpcTransportStats {
        RpcTransportStats::default()
    }

    fn url(&self) -> String {
        "scripted://node".into()
    }
}

fn client(script: Script) -> (EdgeFuelClient, Arc<Mutex<State>>) {
    let state = Arc::new(Mutex::new(State::default()));
    let rpc = RpcClient::new_sender(
        Scripted {
            script,
            state: state.clone(),
        },
        RpcClientConfig::with_commitment(CommitmentConfig::confirmed()),
    );
    let retry = RetryPolicy {
        transport_attempts: 4,
        initial_backoff: Duration::from_millis(1),
        blockhash_attempts: 3,
        poll_interval: Duration::from_millis(1),
        resend_interval: Duration::from_secs(60),
    };
    (
        EdgeFuelClient::from_rpc_client(rpc).with_retry(retry),
        state,
    )
}

fn claim(staker: &Keypair) -> Vec<edgefuel_client::Instruction> {
    vec![ix::claim_rewards(
        &staker.pubkey(),
        &pda::node(&Keypair::new().pubkey()),
        ix::StakeEpochs::default(),
    )]
}

#[tokio::test]
async fn transport_errors_are_retried_then_the_transaction_confirms() {
    let (client, state) = client(Script {
        blockhash_failures: 2,
        ..Script::default()
    });
    let staker = Keypair::new();
    let sig = client.send(&claim(&staker), &[&staker]).await.unwrap();
    let st = state.lock().unwrap();
    assert_eq!(st.blockhash_calls, 3, "two failures, then success");
    assert_eq!(st.sent, vec![sig]);
}

#[tokio::test]
async fn too_many_transport_errors_name_the_url() {
    let (client, _) = client(Script {
        blockhash_failures: 10,
        ..Script::default()
    });
    let staker = Keypair::new();
    let err = client.send(&claim(&staker), &[&staker]).await.unwrap_err();
    assert!(matches!(err, ClientError::Rpc { .. }));
    assert!(err.to_string().contains("scripted://node"), "{err}");
}

#[tokio::test]
async fn preflight_failure_is_named_with_logs_and_not_resent() {
    let code = u32::from(EdgeFuelError::NothingToClaim);
    let (client, state) = client(Script {
        preflight_error: Some(code),
        ..Script::default()
    });
    let staker = Keypair::new();
    let err = client.send(&claim(&staker), &[&staker]).await.unwrap_err();
    let ClientError::Transaction(f) = &err else {
        panic!("expected a transaction failure, got {err}")
    };
    let p = f.program_error.as_ref().unwrap();
    assert_eq!(p.source, ErrorSource::EdgeFuel);
    assert_eq!(p.name, "NothingToClaim");
    assert_eq!(f.logs.len(), 2);
    assert!(!f.landed);
    assert!(err
        .to_string()
        .contains("NothingToClaim: No rewards to claim"));
    assert_eq!(state.lock().unwrap().sent.len(), 1);
}

/// Sends once under `script`; asserts two signatures went out, the second
/// on a new blockhash and returned; gives the blockhash requests made.
async fn resigned_once(script: Script) -> u32 {
    let (client, state) = client(script);
    let staker = Keypair::new();
    let sig = client.send(&claim(&staker), &[&staker]).await.unwrap();
    let st = state.lock().unwrap();
    assert_eq!(st.sent.len(), 2);
    assert_ne!(st.sent[0], st.sent[1], "re-signed on a new blockhash");
    assert_eq!(sig, st.sent[1]);
    st.blockhash_calls
}

#[tokio::test]
async fn an_expired_blockhash_is_replaced_and_the_transaction_re_signed() {
    let calls = resigned_once(Script {
        expire_first_blockhash: true,
        ..Script::default()
    })
    .await;
    assert_eq!(calls, 2);
}

#[tokio::test]
async fn an_on_chain_failure_carries_the_transaction_logs() {
    let (client, _) = client(Script {
        onchain_error: Some(u32::from(EdgeFuelError::StillUnbonding)),
        ..Script::default()
    });
    let staker = Keypair::new();
    let err = client.send(&claim(&staker), &[&staker]).await.unwrap_err();
    let ClientError::Transaction(f) = &err else {
        panic!("expected a transaction failure, got {err}")
    };
    assert_eq!(f.program_error.as_ref().unwrap().name, "StillUnbonding");
    assert!(f.logs.iter().any(|l| l.contains("on-chain failure")));
    assert!(f.signature.is_some());
    assert!(f.landed);
}

#[tokio::test]
async fn a_duplicate_of_a_processed_transaction_is_re_signed_on_a_new_blockhash() {
    let calls = resigned_once(Script {
        duplicate_first: true,
        ..Script::default()
    })
    .await;
    // Blockhash 1 (refused as a duplicate), 1 again (skipped), then 3.
    assert_eq!(calls, 3);
}
