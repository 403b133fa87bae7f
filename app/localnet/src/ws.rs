//! Solana PubSub over websocket (port + 1): signature, account, program,
//! slot and logs subscriptions, with agave's notification shapes.
use crate::chain::{Chain, ChainEvent};
use crate::encoding::encode_account_lossy;
use crate::rpc::{error_response, filters_match, parse_pubkey, parse_signature, Params};
use crate::rpc_error::RpcError;
use axum::extract::ws::{Message, WebSocket};
use serde::Serialize;
use serde_json::{json, Value};
use solana_account::{AccountSharedData, ReadableAccount};
use solana_account_decoder::UiAccountEncoding;
use solana_clock::Slot;
use solana_pubkey::Pubkey;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig,
    RpcTransactionLogsConfig, RpcTransactionLogsFilter,
};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::response::{
    ProcessedSignatureResult, Response, RpcKeyedAccount, RpcLogsResponse, RpcResponseContext,
    RpcSignatureResult, SlotInfo,
};
use solana_signature::Signature;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

static NEXT_SUBSCRIPTION: AtomicU64 = AtomicU64::new(1);

enum Sub {
    Signature(Signature),
    Account {
        key: Pubkey,
        encoding: UiAccountEncoding,
    },
    Program {
        program: Pubkey,
        encoding: UiAccountEncoding,
        filters: Vec<RpcFilterType>,
    },
    Slot,
    Logs {
        mentions: Option<Pubkey>,
    },
}

impl Sub {
    fn kind(&self) -> &'static str {
        match self {
            Sub::Signature(_) => "signature",
            Sub::Account { .. } => "account",
            Sub::Program { .. } => "program",
            Sub::Slot => "slot",
            Sub::Logs { .. } => "logs",
        }
    }
}

fn notification<T: Serialize>(kind: &str, subscription: u64, result: T) -> String {
    json!({
        "jsonrpc": "2.0",
        "method": format!("{kind}Notification"),
        "params": {"result": result, "subscription": subscription},
    })
    .to_string()
}

fn in_context<T: Serialize>(slot: Slot, value: T) -> Response<T> {
    Response {
        context: RpcResponseContext::new(slot),
        value,
    }
}

fn signature_notification(
    id: u64,
    slot: Slot,
    err: Option<solana_transaction_error::TransactionError>,
) -> String {
    notification(
        "signature",
        id,
        in_context(
            slot,
            RpcSignatureResult::ProcessedSignature(ProcessedSignatureResult {
                err: err.map(Into::into),
            }),
        ),
    )
}

struct Connection {
    chain: Arc<Chain>,
    subs: HashMap<u64, Sub>,
}

/// Serves one websocket until it closes.
pub async fn serve_socket(mut socket: WebSocket, chain: Arc<Chain>) {
    let mut events = chain.subscribe();
    let mut conn = Connection {
        chain,
        subs: HashMap::new(),
    };
    loop {
        let outgoing = tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(t))) => conn.request(t.as_bytes()).await,
                Some(Ok(Message::Binary(b))) => conn.request(&b).await,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => Vec::new(),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            },
            ev = events.recv() => match ev {
                Ok(ev) => conn.event(&ev).await,
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!("websocket subscriber lagged by {n} events");
                    conn.recheck_signatures()
                }
                Err(RecvError::Closed) => break,
            },
        };
        for text in outgoing {
            if socket.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
    }
}

impl Connection {
    async fn request(&mut self, body: &[u8]) -> Vec<String> {
        let req: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(_) => {
                return vec![error_response(Value::Null, &RpcError::parse_error()).to_string()]
            }
        };
        let id = req.get("id").cloned().unwrap_or(Value::Null);
        let method = req.get("method").and_then(Value::as_str).map(str::to_owned);
        let (Some(method), Some("2.0")) = (method, req.get("jsonrpc").and_then(Value::as_str))
        else {
            return vec![
                error_response(id, &RpcError::invalid_request("Invalid request")).to_string(),
            ];
        };
        let params = match req.get("params") {
            None | Some(Value::Null) => Params(Vec::new()),
            Some(Value::Array(v)) => Params(v.clone()),
            Some(_) => {
                return vec![error_response(
                    id,
                    &RpcError::invalid_params("Invalid params: expected an array of parameters"),
                )
                .to_string()]
            }
        };
        let mut extra = Vec::new();
        let result = self.method(&method, params, &mut extra).await;
        let mut out = vec![match result {
            Ok(v) => json!({"jsonrpc": "2.0", "result": v, "id": id}).to_string(),
            Err(e) => error_response(id, &e).to_string(),
        }];
        out.extend(extra);
        out
    }

    async fn method(
        &mut self,
        method: &str,
        p: Params,
        extra: &mut Vec<String>,
    ) -> Result<Value, RpcError> {
        if let Some(kind) = method.strip_suffix("Unsubscribe") {
            let id: u64 = p.required(0)?;
            return match self.subs.get(&id) {
                Some(sub) if sub.kind() == kind => {
                    self.subs.remove(&id);
                    Ok(json!(true))
                }
                _ => Err(RpcError::invalid_params("Invalid subscription id.")),
            };
        }
        let id = NEXT_SUBSCRIPTION.fetch_add(1, Ordering::Relaxed);
        let sub = match method {
            "signatureSubscribe" => {
                let sig = parse_signature(&p.required::<String>(0)?)?;
                let _cfg: Option<RpcSignatureSubscribeConfig> = p.optional(1)?;
                if let Some(record) = self.chain.transaction(&sig) {
                    // Already processed: answer at once, the subscription ends.
                    extra.push(signature_notification(
                        id,
                        record.slot,
                        record.meta.status.clone().err(),
                    ));
                    return Ok(json!(id));
                }
                Sub::Signature(sig)
            }
            "accountSubscribe" => {
                let key = parse_pubkey(&p.required::<String>(0)?)?;
                let cfg: RpcAccountInfoConfig = p.optional(1)?.unwrap_or_default();
                Sub::Account {
                    key,
                    encoding: cfg.encoding.unwrap_or(UiAccountEncoding::Binary),
                }
            }
            "programSubscribe" => {
                let program = parse_pubkey(&p.required::<String>(0)?)?;
                let cfg: RpcProgramAccountsConfig = p.optional(1)?.unwrap_or_default();
                let filters = cfg.filters.unwrap_or_default();
                for f in &filters {
                    f.verify()
                        .map_err(|e| RpcError::invalid_params(format!("Invalid param: {e:?}")))?;
                }
                Sub::Program {
                    program,
                    encoding: cfg
                        .account_config
                        .encoding
                        .unwrap_or(UiAccountEncoding::Binary),
                    filters,
                }
            }
            "slotSubscribe" => Sub::Slot,
            "logsSubscribe" => {
                let filter: RpcTransactionLogsFilter = p.required(0)?;
                let _cfg: Option<RpcTransactionLogsConfig> = p.optional(1)?;
                let mentions = match filter {
                    RpcTransactionLogsFilter::All | RpcTransactionLogsFilter::AllWithVotes => None,
                    RpcTransactionLogsFilter::Mentions(keys) => match keys.as_slice() {
                        [one] => Some(parse_pubkey(one)?),
                        _ => {
                            return Err(RpcError::invalid_params(
                                "Invalid Request: Only 1 address supported",
                            ))
                        }
                    },
                };
                Sub::Logs { mentions }
            }
            _ => return Err(RpcError::method_not_found()),
        };
        self.subs.insert(id, sub);
        Ok(json!(id))
    }

    /// Signature subscriptions whose transaction landed while events were lost.
    fn recheck_signatures(&mut self) -> Vec<String> {
        let done: Vec<(
            u64,
            Slot,
            Option<solana_transaction_error::TransactionError>,
        )> = self
            .subs
            .iter()
            .filter_map(|(id, s)| match s {
                Sub::Signature(sig) => self
                    .chain
                    .transaction(sig)
                    .map(|r| (*id, r.slot, r.meta.status.clone().err())),
                _ => None,
            })
            .collect();
        done.into_iter()
            .map(|(id, slot, err)| {
                self.subs.remove(&id);
                signature_notification(id, slot, err)
            })
            .collect()
    }

    async fn event(&mut self, ev: &ChainEvent) -> Vec<String> {
        let mut out = Vec::new();
        match ev {
            ChainEvent::Slot { slot, parent, root } => {
                for (id, sub) in &self.subs {
                    if matches!(sub, Sub::Slot) {
                        out.push(notification(
                            "slot",
                            *id,
                            SlotInfo {
                                slot: *slot,
                                parent: *parent,
                                root: *root,
                            },
                        ));
                    }
                }
            }
            ChainEvent::Transaction {
                signature,
                slot,
                err,
                logs,
                keys,
                writable,
            } => {
                let mut finished = Vec::new();
                let mut wanted: Vec<Pubkey> = Vec::new();
                let any_program = self.subs.values().any(|s| matches!(s, Sub::Program { .. }));
                for (id, sub) in &self.subs {
                    match sub {
                        Sub::Signature(sig) if sig == signature => {
                            out.push(signature_notification(*id, *slot, err.clone()));
                            finished.push(*id);
                        }
                        Sub::Account { key, .. } if writable.contains(key) => wanted.push(*key),
                        Sub::Logs { mentions } if mentions.is_none_or(|k| keys.contains(&k)) => {
                            out.push(notification(
                                "logs",
                                *id,
                                in_context(
                                    *slot,
                                    RpcLogsResponse {
                                        signature: signature.to_string(),
                                        err: err.clone().map(Into::into),
                                        logs: logs.clone(),
                                    },
                                ),
                            ));
                        }
                        _ => {}
                    }
                }
                for id in finished {
                    self.subs.remove(&id);
                }
                if any_program {
                    wanted.extend(writable.iter().copied());
                }
                wanted.sort();
                wanted.dedup();
                if !wanted.is_empty() {
                    out.extend(self.account_notifications(&wanted).await);
                }
            }
        }
        out
    }

    async fn account_notifications(&self, keys: &[Pubkey]) -> Vec<String> {
        let keys = keys.to_vec();
        let subs: Vec<(u64, Sub)> = self
            .subs
            .iter()
            .filter_map(|(id, s)| match s {
                Sub::Account { key, encoding } => Some((
                    *id,
                    Sub::Account {
                        key: *key,
                        encoding: *encoding,
                    },
                )),
                Sub::Program {
                    program,
                    encoding,
                    filters,
                } => Some((
                    *id,
                    Sub::Program {
                        program: *program,
                        encoding: *encoding,
                        filters: filters.clone(),
                    },
                )),
                _ => None,
            })
            .collect();
        self.chain
            .with_bank(move |bank| {
                let slot = bank.slot();
                let accounts: HashMap<Pubkey, AccountSharedData> = keys
                    .iter()
                    .map(|k| (*k, bank.get_account(k).unwrap_or_default()))
                    .collect();
                let mut out = Vec::new();
                for (id, sub) in &subs {
                    match sub {
                        Sub::Account { key, encoding } => {
                            if let Some(account) = accounts.get(key) {
                                out.push(notification(
                                    "account",
                                    *id,
                                    in_context(
                                        slot,
                                        encode_account_lossy(bank, key, account, *encoding),
                                    ),
                                ));
                            }
                        }
                        Sub::Program {
                            program,
                            encoding,
                            filters,
                        } => {
                            for (key, account) in &accounts {
                                let matches =
                                    account.owner() == program && filters_match(filters, account);
                                if matches {
                                    out.push(notification(
                                        "program",
                                        *id,
                                        in_context(
                                            slot,
                                            RpcKeyedAccount {
                                                pubkey: key.to_string(),
                                                account: encode_account_lossy(
                                                    bank, key, account, *encoding,
                                                ),
                                            },
                                        ),
                                    ));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                out
            })
            .await
    }
}
