//! Solana JSON-RPC 2.0 over HTTP: request framing and the methods.
//!
//! Parameters and results use the types of `solana-rpc-client-api` and
//! `solana-transaction-status-client-types`, so every shape is the one the
//! standard clients deserialize. Limits and error messages follow agave.
use crate::chain::{Chain, SendError, SimulateOptions, Simulation};
use crate::encoding::{
    self, binary_encoding, check_slice_and_encoding, decode_transaction, encode_account,
    is_token_program, ui_token_amount,
};
use crate::rpc_error::RpcError;
use base64::prelude::{Engine, BASE64_STANDARD};
use edgefuel_client::rpc::{ADVANCE_CLOCK, MAX_CLOCK_ADVANCE};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use solana_account::{AccountSharedData, ReadableAccount};
use solana_account_decoder::parse_token::{get_token_account_mint, parse_token_v3};
use solana_account_decoder::{UiAccountEncoding, UiDataSliceConfig};
use solana_account_decoder_client_types::token::TokenAccountType;
use solana_accounts_db::accounts_index::{ScanConfig, ScanOrder};
use solana_clock::{Slot, MAX_PROCESSING_AGE};
use solana_hash::Hash;
use solana_pubkey::Pubkey;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcContextConfig, RpcEncodingConfigWrapper, RpcProgramAccountsConfig,
    RpcRequestAirdropConfig, RpcSendTransactionConfig, RpcSignatureStatusConfig,
    RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig, RpcTokenAccountsFilter,
    RpcTransactionConfig,
};
use solana_rpc_client_api::custom_error::RpcCustomError;
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::response::{
    Response, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcKeyedAccount,
    RpcResponseContext, RpcSimulateTransactionResult, RpcVersionInfo,
};
use solana_runtime::bank::Bank;
use solana_signature::Signature;
use solana_transaction::versioned::{TransactionVersion, VersionedTransaction};
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransactionWithStatusMeta,
    TransactionConfirmationStatus, TransactionStatus, UiInnerInstructions, UiLoadedAddresses,
    UiTransactionEncoding,
};
use std::str::FromStr;
use std::sync::Arc;

/// Most keys `getMultipleAccounts` takes.
const MAX_MULTIPLE_ACCOUNTS: usize = 100;
/// Most signatures `getSignatureStatuses` takes.
const MAX_SIGNATURE_STATUSES: usize = 256;
/// Most signatures `getSignaturesForAddress` returns.
const MAX_SIGNATURES_FOR_ADDRESS: usize = 1_000;
/// Most filters `getProgramAccounts` takes.
const MAX_FILTERS: usize = 4;

/// Handles one HTTP body: a request, a batch, or garbage. `None` when
/// nothing must be answered (only notifications).
pub async fn handle_body(chain: &Arc<Chain>, body: &[u8]) -> Option<Value> {
    let request: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return Some(error_response(Value::Null, &RpcError::parse_error())),
    };
    match request {
        Value::Array(items) if items.is_empty() => Some(error_response(
            Value::Null,
            &RpcError::invalid_request("Invalid request"),
        )),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(resp) = handle_request(chain, item).await {
                    out.push(resp);
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        other => handle_request(chain, other).await,
    }
}

pub fn error_response(id: Value, err: &RpcError) -> Value {
    json!({"jsonrpc": "2.0", "error": err.to_json(), "id": id})
}

fn valid_id(id: &Value) -> bool {
    matches!(id, Value::Null | Value::Number(_) | Value::String(_))
}

/// Handles one request object (of a batch or alone).
pub async fn handle_request(chain: &Arc<Chain>, request: Value) -> Option<Value> {
    let Value::Object(mut obj) = request else {
        return Some(error_response(
            Value::Null,
            &RpcError::invalid_request("Invalid request"),
        ));
    };
    let id = obj.remove("id");
    let id_out = id.clone().filter(valid_id).unwrap_or(Value::Null);
    let version_ok = obj.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
    let method = obj.get("method").and_then(Value::as_str).map(str::to_owned);
    let (true, Some(method), true) = (version_ok, method, id.as_ref().is_none_or(valid_id)) else {
        return Some(error_response(
            id_out,
            &RpcError::invalid_request("Invalid request"),
        ));
    };
    let params = match obj.remove("params") {
        None | Some(Value::Null) => Params(Vec::new()),
        Some(Value::Array(v)) => Params(v),
        Some(_) => {
            return Some(error_response(
                id_out,
                &RpcError::invalid_params("Invalid params: expected an array of parameters"),
            ))
        }
    };
    let result = dispatch(chain, &method, params).await;
    // A request without an id is a notification: run it, answer nothing.
    id.as_ref()?;
    Some(match result {
        Ok(value) => json!({"jsonrpc": "2.0", "result": value, "id": id_out}),
        Err(err) => {
            tracing::debug!(method, code = err.code(), "rpc error: {}", err.0.message);
            error_response(id_out, &err)
        }
    })
}

/// Positional parameters; `null` means absent, also inside config objects.
pub struct Params(pub Vec<Value>);

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

impl Params {
    fn get(&self, i: usize) -> Option<Value> {
        self.0
            .get(i)
            .filter(|v| !v.is_null())
            .cloned()
            .map(strip_nulls)
    }

    pub fn required<T: DeserializeOwned>(&self, i: usize) -> Result<T, RpcError> {
        let v = self.get(i).ok_or_else(|| {
            RpcError::invalid_params(format!(
                "Invalid params: missing parameter {} (expected at least {} parameters)",
                i + 1,
                i + 1
            ))
        })?;
        serde_json::from_value(v)
            .map_err(|e| RpcError::invalid_params(format!("Invalid params: {e}.")))
    }

    pub fn optional<T: DeserializeOwned>(&self, i: usize) -> Result<Option<T>, RpcError> {
        match self.get(i) {
            None => Ok(None),
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| RpcError::invalid_params(format!("Invalid params: {e}."))),
        }
    }
}

pub fn parse_pubkey(s: &str) -> Result<Pubkey, RpcError> {
    Pubkey::from_str(s).map_err(|e| RpcError::invalid_params(format!("Invalid param: {e:?}")))
}

pub fn parse_signature(s: &str) -> Result<Signature, RpcError> {
    Signature::from_str(s).map_err(|e| RpcError::invalid_params(format!("Invalid param: {e:?}")))
}

fn parse_hash(s: &str) -> Result<Hash, RpcError> {
    Hash::from_str(s).map_err(|e| RpcError::invalid_params(format!("Invalid param: {e:?}")))
}

fn with_context<T: Serialize>(slot: Slot, value: T) -> Result<Value, RpcError> {
    to_value(Response {
        context: RpcResponseContext::new(slot),
        value,
    })
}

fn to_value<T: Serialize>(v: T) -> Result<Value, RpcError> {
    serde_json::to_value(v).map_err(RpcError::internal)
}

fn check_min_context_slot(slot: Slot, min_context_slot: Option<Slot>) -> Result<(), RpcError> {
    match min_context_slot {
        Some(min) if slot < min => {
            Err(RpcCustomError::MinContextSlotNotReached { context_slot: slot }.into())
        }
        _ => Ok(()),
    }
}

async fn dispatch(chain: &Arc<Chain>, method: &str, p: Params) -> Result<Value, RpcError> {
    match method {
        "getHealth" => Ok(json!("ok")),
        "getVersion" => {
            let v = solana_version::Version::default();
            to_value(RpcVersionInfo {
                solana_core: v.to_string(),
                feature_set: Some(v.feature_set),
            })
        }
        "getGenesisHash" => Ok(json!(chain.genesis_hash().to_string())),
        "getIdentity" => {
            let id = chain.with_bank(|b| *b.collector_id()).await;
            Ok(json!({"identity": id.to_string()}))
        }
        "getSlot" => {
            let cfg: RpcContextConfig = p.optional(0)?.unwrap_or_default();
            let slot = chain.with_bank(|b| b.slot()).await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            Ok(json!(slot))
        }
        "getBlockHeight" => {
            let cfg: RpcContextConfig = p.optional(0)?.unwrap_or_default();
            let (slot, height) = chain.with_bank(|b| (b.slot(), b.block_height())).await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            Ok(json!(height))
        }
        "getTransactionCount" => Ok(json!(chain.with_bank(|b| b.transaction_count()).await)),
        "getEpochInfo" => {
            let cfg: RpcContextConfig = p.optional(0)?.unwrap_or_default();
            let (slot, info) = chain.with_bank(|b| (b.slot(), b.get_epoch_info())).await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            Ok(json!({
                "absoluteSlot": info.absolute_slot,
                "blockHeight": info.block_height,
                "epoch": info.epoch,
                "slotIndex": info.slot_index,
                "slotsInEpoch": info.slots_in_epoch,
                "transactionCount": info.transaction_count,
            }))
        }
        "getEpochSchedule" => {
            let s = chain.with_bank(|b| b.epoch_schedule().clone()).await;
            Ok(json!({
                "slotsPerEpoch": s.slots_per_epoch,
                "leaderScheduleSlotOffset": s.leader_schedule_slot_offset,
                "warmup": s.warmup,
                "firstNormalEpoch": s.first_normal_epoch,
                "firstNormalSlot": s.first_normal_slot,
            }))
        }
        "getLatestBlockhash" => {
            let cfg: RpcContextConfig = p.optional(0)?.unwrap_or_default();
            let (slot, hash, last_valid) = chain
                .with_bank(|b| {
                    let hash = b.last_blockhash();
                    let last_valid = b
                        .get_blockhash_last_valid_block_height(&hash)
                        .unwrap_or(b.block_height() + MAX_PROCESSING_AGE as u64);
                    (b.slot(), hash, last_valid)
                })
                .await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            with_context(
                slot,
                RpcBlockhash {
                    blockhash: hash.to_string(),
                    last_valid_block_height: last_valid,
                },
            )
        }
        "isBlockhashValid" => {
            let hash = parse_hash(&p.required::<String>(0)?)?;
            let cfg: RpcContextConfig = p.optional(1)?.unwrap_or_default();
            let (slot, valid) = chain
                .with_bank(|b| (b.slot(), b.is_hash_valid_for_age(&hash, MAX_PROCESSING_AGE)))
                .await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            with_context(slot, valid)
        }
        "getFeeForMessage" => {
            let data: String = p.required(0)?;
            let bytes = BASE64_STANDARD
                .decode(&data)
                .map_err(|e| RpcError::invalid_params(format!("invalid base64 encoding: {e:?}")))?;
            let message: solana_message::VersionedMessage = bincode::deserialize(&bytes)
                .map_err(|e| RpcError::invalid_params(format!("invalid message: {e}")))?;
            let fee = chain
                .fee_for_message(message)
                .await
                .map_err(RpcError::invalid_params)?;
            let slot = chain.with_bank(|b| b.slot()).await;
            with_context(slot, fee)
        }
        "getMinimumBalanceForRentExemption" => {
            let len: usize = p.required(0)?;
            Ok(json!(
                chain
                    .with_bank(|b| b.get_minimum_balance_for_rent_exemption(len))
                    .await
            ))
        }
        "getBalance" => {
            let key = parse_pubkey(&p.required::<String>(0)?)?;
            let cfg: RpcContextConfig = p.optional(1)?.unwrap_or_default();
            let (slot, balance) = chain.with_bank(|b| (b.slot(), b.get_balance(&key))).await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            with_context(slot, balance)
        }
        "getAccountInfo" => {
            let key = parse_pubkey(&p.required::<String>(0)?)?;
            let cfg: RpcAccountInfoConfig = p.optional(1)?.unwrap_or_default();
            let encoding = cfg.encoding.unwrap_or(UiAccountEncoding::Binary);
            check_slice_and_encoding(encoding, cfg.data_slice)?;
            let (slot, account) = chain
                .with_bank(|b| {
                    let account = b
                        .get_account(&key)
                        .filter(|a| a.lamports() > 0)
                        .map(|a| encode_account(b, &key, &a, encoding, cfg.data_slice))
                        .transpose();
                    (b.slot(), account)
                })
                .await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            with_context(slot, account?)
        }
        "getMultipleAccounts" => {
            let keys: Vec<String> = p.required(0)?;
            if keys.len() > MAX_MULTIPLE_ACCOUNTS {
                return Err(RpcError::invalid_params(format!(
                    "Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}"
                )));
            }
            let keys = keys
                .iter()
                .map(|k| parse_pubkey(k))
                .collect::<Result<Vec<_>, _>>()?;
            let cfg: RpcAccountInfoConfig = p.optional(1)?.unwrap_or_default();
            let encoding = cfg.encoding.unwrap_or(UiAccountEncoding::Base64);
            check_slice_and_encoding(encoding, cfg.data_slice)?;
            let (slot, accounts) = chain
                .with_bank(|b| {
                    let accounts = keys
                        .iter()
                        .map(|k| {
                            b.get_account(k)
                                .filter(|a| a.lamports() > 0)
                                .map(|a| encode_account(b, k, &a, encoding, cfg.data_slice))
                                .transpose()
                        })
                        .collect::<Result<Vec<_>, _>>();
                    (b.slot(), accounts)
                })
                .await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            with_context(slot, accounts?)
        }
        "getProgramAccounts" => get_program_accounts(chain, p).await,
        "getTokenAccountBalance" => {
            let key = parse_pubkey(&p.required::<String>(0)?)?;
            let cfg: RpcContextConfig = p.optional(1)?.unwrap_or_default();
            let (slot, amount) = chain
                .with_bank(|b| (b.slot(), token_account_amount(b, &key)))
                .await;
            check_min_context_slot(slot, cfg.min_context_slot)?;
            with_context(slot, amount?)
        }
        "getTokenSupply" => {
            let key = parse_pubkey(&p.required::<String>(0)?)?;
            let (slot, supply) = chain.with_bank(|b| (b.slot(), token_supply(b, &key))).await;
            with_context(slot, supply?)
        }
        "getTokenAccountsByOwner" => get_token_accounts_by_owner(chain, p).await,
        "getSignatureStatuses" => {
            let sigs: Vec<String> = p.required(0)?;
            if sigs.len() > MAX_SIGNATURE_STATUSES {
                return Err(RpcError::invalid_params(format!(
                    "Too many inputs provided; max {MAX_SIGNATURE_STATUSES}"
                )));
            }
            let _cfg: Option<RpcSignatureStatusConfig> = p.optional(1)?;
            let sigs = sigs
                .iter()
                .map(|s| parse_signature(s))
                .collect::<Result<Vec<_>, _>>()?;
            let statuses: Vec<Option<TransactionStatus>> = sigs
                .iter()
                .map(|s| {
                    chain.transaction(s).map(|r| TransactionStatus {
                        slot: r.slot,
                        confirmations: None,
                        status: r.meta.status.clone(),
                        err: r.meta.status.clone().err(),
                        confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                    })
                })
                .collect();
            let slot = chain.with_bank(|b| b.slot()).await;
            with_context(slot, statuses)
        }
        "getTransaction" => {
            let sig = parse_signature(&p.required::<String>(0)?)?;
            let cfg = p
                .optional::<RpcEncodingConfigWrapper<RpcTransactionConfig>>(1)?
                .map(|w| w.convert_to_current())
                .unwrap_or_default();
            let Some(record) = chain.transaction(&sig) else {
                return Ok(Value::Null);
            };
            let encoding = cfg.encoding.unwrap_or(UiTransactionEncoding::Json);
            let version = match (
                record.transaction.version(),
                cfg.max_supported_transaction_version,
            ) {
                (TransactionVersion::Legacy(_), max) => max.map(|_| TransactionVersion::LEGACY),
                (TransactionVersion::Number(v), Some(max)) if v <= max => {
                    Some(TransactionVersion::Number(v))
                }
                (TransactionVersion::Number(v), _) => {
                    return Err(RpcCustomError::UnsupportedTransactionVersion(v).into())
                }
            };
            to_value(EncodedConfirmedTransactionWithStatusMeta {
                slot: record.slot,
                transaction: EncodedTransactionWithStatusMeta {
                    transaction: encoding::encode_transaction(&record.transaction, encoding),
                    meta: Some(record.meta.clone().into()),
                    version,
                },
                block_time: Some(record.block_time),
            })
        }
        "getSignaturesForAddress" => {
            let address = parse_pubkey(&p.required::<String>(0)?)?;
            let cfg: RpcSignaturesForAddressConfig = p.optional(1)?.unwrap_or_default();
            let limit = cfg.limit.unwrap_or(MAX_SIGNATURES_FOR_ADDRESS);
            if !(1..=MAX_SIGNATURES_FOR_ADDRESS).contains(&limit) {
                return Err(RpcError::invalid_params(format!(
                    "Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}"
                )));
            }
            let before = cfg.before.as_deref().map(parse_signature).transpose()?;
            let until = cfg.until.as_deref().map(parse_signature).transpose()?;
            let found = chain.signatures_for_address(&address, before, until, limit);
            to_value(
                found
                    .into_iter()
                    .map(|(sig, r)| RpcConfirmedTransactionStatusWithSignature {
                        signature: sig.to_string(),
                        slot: r.slot,
                        err: r.meta.status.clone().err().map(Into::into),
                        memo: None,
                        block_time: Some(r.block_time),
                        confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                    })
                    .collect::<Vec<_>>(),
            )
        }
        "sendTransaction" => send_transaction(chain, p).await,
        "simulateTransaction" => simulate_transaction(chain, p).await,
        "requestAirdrop" => {
            let key = parse_pubkey(&p.required::<String>(0)?)?;
            let lamports: u64 = p.required(1)?;
            let _cfg: Option<RpcRequestAirdropConfig> = p.optional(2)?;
            match chain.airdrop(&key, lamports).await {
                Ok(sig) => Ok(json!(sig.to_string())),
                Err(SendError::Preflight(sim)) => Err(RpcError::invalid_request(format!(
                    "airdrop request failed: {}",
                    sim.err.map(|e| e.to_string()).unwrap_or_default()
                ))),
                Err(e) => Err(RpcError::internal(format!("airdrop failed: {e:?}"))),
            }
        }
        "getRecentPrioritizationFees" => Ok(json!([])),
        // Local chain only (not a Solana method): move the clock forward.
        ADVANCE_CLOCK => {
            let seconds: i64 = p.required(0)?;
            if !(0..=MAX_CLOCK_ADVANCE).contains(&seconds) {
                return Err(RpcError::invalid_params(format!(
                    "seconds must be 0..={MAX_CLOCK_ADVANCE}, got {seconds}"
                )));
            }
            match chain.advance_clock(seconds).await {
                Ok(now) => Ok(json!(now)),
                Err(e) => Err(RpcError::internal(format!("advancing the clock: {e}"))),
            }
        }
        _ => Err(RpcError::method_not_found()),
    }
}

async fn send_transaction(chain: &Arc<Chain>, p: Params) -> Result<Value, RpcError> {
    let data: String = p.required(0)?;
    let cfg: RpcSendTransactionConfig = p.optional(1)?.unwrap_or_default();
    let tx = decode_transaction(&data, binary_encoding(cfg.encoding)?)?;
    if let Some(min) = cfg.min_context_slot {
        let slot = chain.with_bank(|b| b.slot()).await;
        check_min_context_slot(slot, Some(min))?;
    }
    match chain.send(tx, !cfg.skip_preflight).await {
        Ok(sig) => Ok(json!(sig.to_string())),
        Err(e) => Err(send_error(e)),
    }
}

fn send_error(e: SendError) -> RpcError {
    match e {
        SendError::Invalid(msg) => RpcError::invalid_params(msg),
        SendError::Internal(msg) => RpcError::internal(msg),
        SendError::SignatureVerification => {
            RpcCustomError::TransactionSignatureVerificationFailure.into()
        }
        SendError::Preflight(sim) => {
            let message = format!(
                "Transaction simulation failed: {}",
                sim.err.as_ref().map(|e| e.to_string()).unwrap_or_default()
            );
            RpcCustomError::SendTransactionPreflightFailure {
                message,
                result: RpcSimulateTransactionResult {
                    err: sim.err.clone().map(Into::into),
                    logs: Some(sim.logs.clone()),
                    accounts: None,
                    units_consumed: Some(sim.units_consumed),
                    loaded_accounts_data_size: Some(sim.loaded_accounts_data_size),
                    return_data: sim.return_data.clone().map(Into::into),
                    inner_instructions: None,
                    replacement_blockhash: None,
                    fee: sim.fee,
                    pre_balances: None,
                    post_balances: None,
                    pre_token_balances: None,
                    post_token_balances: None,
                    loaded_addresses: None,
                },
            }
            .into()
        }
    }
}

async fn simulate_transaction(chain: &Arc<Chain>, p: Params) -> Result<Value, RpcError> {
    let data: String = p.required(0)?;
    let cfg: RpcSimulateTransactionConfig = p.optional(1)?.unwrap_or_default();
    if cfg.sig_verify && cfg.replace_recent_blockhash {
        return Err(RpcError::invalid_params(
            "sigVerify may not be used with replaceRecentBlockhash",
        ));
    }
    let tx: VersionedTransaction = decode_transaction(&data, binary_encoding(cfg.encoding)?)?;
    let keys = tx.message.static_account_keys().to_vec();
    let accounts_request = match &cfg.accounts {
        None => None,
        Some(acc) => {
            let enc = acc.encoding.unwrap_or(UiAccountEncoding::Base64);
            if matches!(enc, UiAccountEncoding::Binary | UiAccountEncoding::Base58) {
                return Err(RpcError::invalid_params("base58 encoding not supported"));
            }
            if acc.addresses.len() > keys.len() {
                return Err(RpcError::invalid_params(format!(
                    "Too many accounts provided; max {}",
                    keys.len()
                )));
            }
            let addrs = acc
                .addresses
                .iter()
                .map(|a| parse_pubkey(a))
                .collect::<Result<Vec<_>, _>>()?;
            Some((enc, addrs))
        }
    };
    let options = SimulateOptions {
        sig_verify: cfg.sig_verify,
        replace_recent_blockhash: cfg.replace_recent_blockhash,
        inner_instructions: cfg.inner_instructions,
    };
    let sim: Simulation = chain.simulate(tx, options).await.map_err(send_error)?;
    check_min_context_slot(sim.slot, cfg.min_context_slot)?;
    let accounts = match accounts_request {
        None => None,
        Some((enc, addrs)) => {
            let post = sim.post_accounts.clone();
            let out = chain
                .with_bank(move |b| {
                    addrs
                        .iter()
                        .map(|addr| {
                            let account = post
                                .iter()
                                .find(|(k, _)| k == addr)
                                .map(|(_, a)| a.clone())
                                .or_else(|| b.get_account(addr));
                            account
                                .filter(|a| a.lamports() > 0)
                                .map(|a| encode_account(b, addr, &a, enc, None))
                                .transpose()
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .await?;
            Some(out)
        }
    };
    let result = RpcSimulateTransactionResult {
        err: sim.err.clone().map(Into::into),
        logs: Some(sim.logs.clone()),
        accounts,
        units_consumed: Some(sim.units_consumed),
        loaded_accounts_data_size: Some(sim.loaded_accounts_data_size),
        return_data: sim.return_data.clone().map(Into::into),
        inner_instructions: sim
            .inner_instructions
            .clone()
            .filter(|_| cfg.inner_instructions)
            .map(|v| v.into_iter().map(UiInnerInstructions::from).collect()),
        replacement_blockhash: sim.replaced_blockhash.map(|(h, last)| RpcBlockhash {
            blockhash: h.to_string(),
            last_valid_block_height: last,
        }),
        fee: sim.fee,
        pre_balances: sim.pre_balances.clone(),
        post_balances: sim.post_balances.clone(),
        pre_token_balances: None,
        post_token_balances: None,
        loaded_addresses: Some(UiLoadedAddresses::default()),
    };
    with_context(sim.slot, result)
}

/// Whether an account passes every `getProgramAccounts` filter.
pub fn filters_match(filters: &[RpcFilterType], account: &AccountSharedData) -> bool {
    filters.iter().all(|f| match f {
        RpcFilterType::DataSize(n) => account.data().len() as u64 == *n,
        RpcFilterType::Memcmp(m) => m.bytes_match(account.data()),
        RpcFilterType::TokenAccountState => get_token_account_mint(account.data()).is_some(),
    })
}

fn verify_filters(filters: &[RpcFilterType]) -> Result<(), RpcError> {
    if filters.len() > MAX_FILTERS {
        return Err(RpcError::invalid_params(format!(
            "Too many filters provided; max {MAX_FILTERS}"
        )));
    }
    for f in filters {
        f.verify()
            .map_err(|e| RpcError::invalid_params(format!("Invalid param: {e:?}")))?;
    }
    Ok(())
}

/// Scans a program's accounts (skipping closed ones) through `filters`.
fn scan(
    bank: &Bank,
    program: &Pubkey,
    filters: Vec<RpcFilterType>,
    sorted: bool,
) -> Result<Vec<(Pubkey, AccountSharedData)>, RpcError> {
    let order = if sorted {
        ScanOrder::Sorted
    } else {
        ScanOrder::Unsorted
    };
    bank.get_filtered_program_accounts(
        program,
        |a| a.lamports() > 0 && filters_match(&filters, a),
        &ScanConfig::new(order),
    )
    .map_err(|e| {
        RpcCustomError::ScanError {
            message: e.to_string(),
        }
        .into()
    })
}

fn keyed(
    bank: &Bank,
    accounts: Vec<(Pubkey, AccountSharedData)>,
    encoding: UiAccountEncoding,
    slice: Option<UiDataSliceConfig>,
) -> Result<Vec<RpcKeyedAccount>, RpcError> {
    accounts
        .into_iter()
        .map(|(k, a)| {
            Ok(RpcKeyedAccount {
                pubkey: k.to_string(),
                account: encode_account(bank, &k, &a, encoding, slice)?,
            })
        })
        .collect()
}

async fn get_program_accounts(chain: &Arc<Chain>, p: Params) -> Result<Value, RpcError> {
    let program = parse_pubkey(&p.required::<String>(0)?)?;
    let cfg: RpcProgramAccountsConfig = p.optional(1)?.unwrap_or_default();
    let filters = cfg.filters.clone().unwrap_or_default();
    verify_filters(&filters)?;
    let encoding = cfg
        .account_config
        .encoding
        .unwrap_or(UiAccountEncoding::Binary);
    let slice = cfg.account_config.data_slice;
    check_slice_and_encoding(encoding, slice)?;
    let sorted = cfg.sort_results.unwrap_or(true);
    let (slot, accounts) = chain
        .with_bank_blocking(move |b| {
            let accounts =
                scan(b, &program, filters, sorted).and_then(|a| keyed(b, a, encoding, slice));
            (b.slot(), accounts)
        })
        .await
        .map_err(RpcError::internal)?;
    check_min_context_slot(slot, cfg.account_config.min_context_slot)?;
    let accounts = accounts?;
    if cfg.with_context.unwrap_or(false) {
        with_context(slot, accounts)
    } else {
        to_value(accounts)
    }
}

/// Decimals of a mint account (`None` if it is not a token mint).
fn mint_decimals(account: &AccountSharedData) -> Option<u8> {
    if !is_token_program(account.owner()) {
        return None;
    }
    match parse_token_v3(account.data(), None) {
        Ok(TokenAccountType::Mint(m)) => Some(m.decimals),
        _ => None,
    }
}

fn token_account_amount(
    bank: &Bank,
    key: &Pubkey,
) -> Result<solana_account_decoder_client_types::token::UiTokenAmount, RpcError> {
    let account = bank
        .get_account(key)
        .filter(|a| a.lamports() > 0)
        .ok_or_else(|| RpcError::invalid_params("Invalid param: could not find account"))?;
    let not_token = || RpcError::invalid_params("Invalid param: not a Token account");
    if !is_token_program(account.owner()) {
        return Err(not_token());
    }
    let mint = get_token_account_mint(account.data()).ok_or_else(not_token)?;
    let decimals = bank
        .get_account(&mint)
        .as_ref()
        .and_then(mint_decimals)
        .ok_or_else(|| RpcError::invalid_params("Invalid param: could not find mint"))?;
    let additional =
        solana_account_decoder::parse_account_data::SplTokenAdditionalDataV2::with_decimals(
            decimals,
        );
    match parse_token_v3(account.data(), Some(&additional)) {
        Ok(TokenAccountType::Account(a)) => Ok(a.token_amount),
        _ => Err(not_token()),
    }
}

fn token_supply(
    bank: &Bank,
    mint: &Pubkey,
) -> Result<solana_account_decoder_client_types::token::UiTokenAmount, RpcError> {
    let account = bank
        .get_account(mint)
        .filter(|a| a.lamports() > 0)
        .ok_or_else(|| RpcError::invalid_params("Invalid param: could not find account"))?;
    if !is_token_program(account.owner()) {
        return Err(RpcError::invalid_params("Invalid param: not a Token mint"));
    }
    match parse_token_v3(account.data(), None) {
        Ok(TokenAccountType::Mint(m)) => Ok(ui_token_amount(
            m.supply.parse().unwrap_or_default(),
            m.decimals,
        )),
        _ => Err(RpcError::invalid_params("Invalid param: not a Token mint")),
    }
}

async fn get_token_accounts_by_owner(chain: &Arc<Chain>, p: Params) -> Result<Value, RpcError> {
    let owner = parse_pubkey(&p.required::<String>(0)?)?;
    let filter: RpcTokenAccountsFilter = p.required(1)?;
    let cfg: RpcAccountInfoConfig = p.optional(2)?.unwrap_or_default();
    let encoding = cfg.encoding.unwrap_or(UiAccountEncoding::Binary);
    check_slice_and_encoding(encoding, cfg.data_slice)?;
    let slice = cfg.data_slice;
    let (slot, accounts) = chain
        .with_bank_blocking(move |b| {
            let run = || -> Result<Vec<RpcKeyedAccount>, RpcError> {
                let (program, mint) = match &filter {
                    RpcTokenAccountsFilter::Mint(m) => {
                        let mint = parse_pubkey(m)?;
                        let account = b.get_account(&mint).ok_or_else(|| {
                            RpcError::invalid_params("Invalid param: could not find mint")
                        })?;
                        if mint_decimals(&account).is_none() {
                            return Err(RpcError::invalid_params(
                                "Invalid param: not a Token mint",
                            ));
                        }
                        (*account.owner(), Some(mint))
                    }
                    RpcTokenAccountsFilter::ProgramId(id) => {
                        let id = parse_pubkey(id)?;
                        if !is_token_program(&id) {
                            return Err(RpcError::invalid_params(
                                "Invalid param: unrecognized Token program id",
                            ));
                        }
                        (id, None)
                    }
                };
                let mut filters = vec![
                    RpcFilterType::TokenAccountState,
                    RpcFilterType::Memcmp(solana_rpc_client_api::filter::Memcmp::new_raw_bytes(
                        32,
                        owner.to_bytes().to_vec(),
                    )),
                ];
                if let Some(mint) = mint {
                    filters.push(RpcFilterType::Memcmp(
                        solana_rpc_client_api::filter::Memcmp::new_raw_bytes(
                            0,
                            mint.to_bytes().to_vec(),
                        ),
                    ));
                }
                let accounts = scan(b, &program, filters, true)?;
                keyed(b, accounts, encoding, slice)
            };
            (b.slot(), run())
        })
        .await
        .map_err(RpcError::internal)?;
    check_min_context_slot(slot, cfg.min_context_slot)?;
    with_context(slot, accounts?)
}
