//! Reading EdgeFuel accounts and sending transactions over Solana JSON-RPC.
//!
//! [`EdgeFuelClient`] wraps the standard nonblocking `RpcClient`:
//! - reads retry transport errors with exponential backoff;
//! - lists use `getProgramAccounts` with a discriminator memcmp plus field
//!   memcmp filters (see [`crate::accounts`]);
//! - [`EdgeFuelClient::send`] signs on a fresh blockhash, sends with preflight
//!   (a refused transaction comes back with its simulation logs and a named
//!   program error), polls for confirmation, resends while the blockhash is
//!   valid, and re-signs on a new blockhash when it expires.
use crate::accounts::{self, decode, EdgeFuelAccount};
use crate::error::{program_error_of, ClientError, TxFailure};
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AccountDeserialize;
use edgefuel::{Batch, Delegation, Network, Node, Proposal};
use solana_account::Account;
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding};
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::{Error as RpcClientError, ErrorKind};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig, RpcTransactionConfig,
};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::request::{RpcError, RpcRequest, RpcResponseErrorData};
use solana_rpc_client_api::response::Response;
use solana_signer::signers::Signers;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, UiTransactionEncoding,
};
use std::future::Future;
use std::time::Duration;

/// How hard to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts for one RPC call that fails in transport (≥ 1).
    pub transport_attempts: u32,
    /// First backoff delay; doubles each attempt.
    pub initial_backoff: Duration,
    /// Times a transaction is re-signed on a fresh blockhash.
    pub blockhash_attempts: u32,
    /// Pause between signature-status polls.
    pub poll_interval: Duration,
    /// Resend a pending transaction this often while its blockhash is valid.
    pub resend_interval: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            transport_attempts: 5,
            initial_backoff: Duration::from_millis(250),
            blockhash_attempts: 3,
            poll_interval: Duration::from_millis(200),
            resend_interval: Duration::from_secs(2),
        }
    }
}

/// Whether an RPC error is worth retrying (the node was unreachable or
/// overloaded), as opposed to an answer that will not change.
pub fn is_transient(err: &RpcClientError) -> bool {
    match err.kind() {
        ErrorKind::Io(_) | ErrorKind::Reqwest(_) | ErrorKind::Middleware(_) => true,
        ErrorKind::RpcError(RpcError::RpcResponseError { code, data, .. }) => {
            // -32005 node unhealthy / behind; -32603 internal error; 429 rate limit.
            matches!(data, RpcResponseErrorData::NodeUnhealthy { .. })
                || *code == -32005
                || *code == -32603
                || *code == 429
        }
        ErrorKind::RpcError(RpcError::RpcRequestError(msg)) => msg.contains("429"),
        _ => false,
    }
}

/// Preflight (simulation) failure inside an RPC error: the error and logs.
fn preflight_failure(err: &RpcClientError) -> Option<(TransactionError, Vec<String>)> {
    if let ErrorKind::RpcError(RpcError::RpcResponseError {
        data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
        ..
    }) = err.kind()
    {
        let tx_err: TransactionError = sim.err.clone().map(Into::into)?;
        return Some((tx_err, sim.logs.clone().unwrap_or_default()));
    }
    err.kind().get_transaction_error().map(|e| (e, Vec::new()))
}

fn instruction_programs(instructions: &[Instruction]) -> Vec<Pubkey> {
    instructions.iter().map(|ix| ix.program_id).collect()
}

/// A transaction of `instructions` signed by `signers` (the first pays fees).
pub fn sign<S: Signers + ?Sized>(
    instructions: &[Instruction],
    signers: &S,
    blockhash: solana_transaction::Hash,
) -> Result<Transaction, ClientError> {
    let payer = signers
        .pubkeys()
        .first()
        .copied()
        .ok_or_else(|| ClientError::Signing("no signer given".into()))?;
    let mut tx = Transaction::new_with_payer(instructions, Some(&payer));
    tx.try_sign(signers, blockhash)
        .map_err(|e| ClientError::Signing(e.to_string()))?;
    Ok(tx)
}

/// The local chain's own JSON-RPC method (not a Solana method) that moves
/// its clock forward: params `[seconds]`, result the new unix time.
pub const ADVANCE_CLOCK: &str = "edgefuel_advanceClock";
/// Most seconds one `edgefuel_advanceClock` call moves the clock.
pub const MAX_CLOCK_ADVANCE: i64 = 365 * 24 * 3600;

/// The `Clock` sysvar's fixed layout: slot, epoch start timestamp, epoch,
/// leader schedule epoch, unix timestamp (all 8-byte little-endian).
fn bincode_clock(data: &[u8]) -> Option<anchor_lang::prelude::Clock> {
    let word = |i: usize| -> Option<[u8; 8]> { data.get(i * 8..i * 8 + 8)?.try_into().ok() };
    Some(anchor_lang::prelude::Clock {
        slot: u64::from_le_bytes(word(0)?),
        epoch_start_timestamp: i64::from_le_bytes(word(1)?),
        epoch: u64::from_le_bytes(word(2)?),
        leader_schedule_epoch: u64::from_le_bytes(word(3)?),
        unix_timestamp: i64::from_le_bytes(word(4)?),
    })
}

/// An EdgeFuel client over one RPC endpoint.
pub struct EdgeFuelClient {
    rpc: RpcClient,
    url: String,
    retry: RetryPolicy,
}

impl EdgeFuelClient {
    /// A client for `url` reading and confirming at `commitment`.
    pub fn new(url: impl Into<String>, commitment: CommitmentConfig) -> Self {
        let url = url.into();
        EdgeFuelClient {
            rpc: RpcClient::new_with_timeout_and_commitment(
                url.clone(),
                Duration::from_secs(30),
                commitment,
            ),
            url,
            retry: RetryPolicy::default(),
        }
    }

    /// A client over an existing standard `RpcClient` (e.g. one with a custom
    /// `RpcSender`, as the tests use).
    pub fn from_rpc_client(rpc: RpcClient) -> Self {
        let url = rpc.url();
        EdgeFuelClient {
            rpc,
            url,
            retry: RetryPolicy::default(),
        }
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The underlying standard RPC client.
    pub fn rpc(&self) -> &RpcClient {
        &self.rpc
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn commitment(&self) -> CommitmentConfig {
        self.rpc.commitment()
    }

    fn rpc_error(&self, source: RpcClientError) -> ClientError {
        ClientError::Rpc {
            url: self.url.clone(),
            error: Box::new(source),
        }
    }

    /// Runs an RPC call, retrying transport errors with exponential backoff.
    pub async fn retrying<T, F, Fut>(&self, what: &str, mut call: F) -> Result<T, ClientError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, RpcClientError>>,
    {
        let mut delay = self.retry.initial_backoff;
        let attempts = self.retry.transport_attempts.max(1);
        for attempt in 1..=attempts {
            match call().await {
                Ok(v) => return Ok(v),
                Err(e) if attempt < attempts && is_transient(&e) => {
                    tracing::warn!(%e, attempt, url = %self.url, "{what}: transient RPC error, retrying in {delay:?}");
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                }
                Err(e) => return Err(self.rpc_error(e)),
            }
        }
        Err(ClientError::Other(format!("{what}: no attempt made")))
    }

    /// Fails unless `signer` is the program's upgrade authority (read from
    /// its ProgramData account): only it may `initialize_network`.
    pub async fn require_upgrade_authority(&self, signer: &Pubkey) -> Result<(), ClientError> {
        let address = pda::program_data();
        let authority = match self.account(&address).await? {
            Some(acc) => {
                anchor_lang::prelude::ProgramData::try_deserialize(&mut acc.data.as_slice())
                    .map_err(|e| ClientError::Other(format!("ProgramData account {address}: {e}")))?
                    .upgrade_authority_address
            }
            None => None,
        };
        match authority {
            Some(a) if a == *signer => Ok(()),
            Some(a) => Err(ClientError::Other(format!(
                "only the program's upgrade authority {a} may initialize the network; the signer is {signer}"
            ))),
            None => Err(ClientError::Other(format!(
                "the program has no upgrade authority (ProgramData {address}): it cannot be initialized"
            ))),
        }
    }

    /// Raw account (None when it does not exist).
    pub async fn account(&self, address: &Pubkey) -> Result<Option<Account>, ClientError> {
        // `RpcClient::get_account*` folds transport errors into a "ForUser"
        // text (and panics on undecodable data); the raw request keeps the
        // error kind, so transient failures are retried.
        let config = RpcAccountInfoConfig {
            encoding: Some(UiAccountEncoding::Base64),
            commitment: Some(self.commitment()),
            data_slice: None,
            min_context_slot: None,
        };
        let params = serde_json::json!([address.to_string(), config]);
        let res: Response<Option<UiAccount>> = self
            .retrying("getAccountInfo", || {
                self.rpc.send(RpcRequest::GetAccountInfo, params.clone())
            })
            .await?;
        match res.value {
            None => Ok(None),
            Some(ui) => ui.decode::<Account>().map(Some).ok_or_else(|| {
                ClientError::Other(format!(
                    "getAccountInfo at {}: account {address} came back in an undecodable encoding",
                    self.url
                ))
            }),
        }
    }

    /// An EdgeFuel account of type `T`, None when it does not exist. Refuses
    /// accounts the program does not own.
    pub async fn fetch_opt<T: EdgeFuelAccount>(
        &self,
        address: &Pubkey,
    ) -> Result<Option<T>, ClientError> {
        match self.account(address).await? {
            None => Ok(None),
            Some(acc) if acc.owner != edgefuel::ID => Err(ClientError::Other(format!(
                "account {address} is owned by {}, not the EdgeFuel program {}",
                acc.owner,
                edgefuel::ID
            ))),
            Some(acc) => Ok(Some(decode::<T>(address, &acc.data)?)),
        }
    }

    /// An EdgeFuel account of type `T`; an error names it when it is missing.
    pub async fn fetch<T: EdgeFuelAccount>(&self, address: &Pubkey) -> Result<T, ClientError> {
        self.fetch_opt(address)
            .await?
            .ok_or(ClientError::AccountNotFound {
                kind: T::NAME,
                address: *address,
            })
    }

    /// Raw data of an EdgeFuel account, with its type checked (for JSON views).
    pub async fn fetch_raw<T: EdgeFuelAccount>(
        &self,
        address: &Pubkey,
    ) -> Result<Vec<u8>, ClientError> {
        let acc = self
            .account(address)
            .await?
            .ok_or(ClientError::AccountNotFound {
                kind: T::NAME,
                address: *address,
            })?;
        decode::<T>(address, &acc.data)?;
        Ok(acc.data)
    }

    /// The `Network` account.
    pub async fn network(&self) -> Result<Network, ClientError> {
        self.fetch(&pda::network()).await
    }

    /// An operator's `Node`.
    pub async fn node(&self, operator: &Pubkey) -> Result<Node, ClientError> {
        self.fetch(&pda::node(operator)).await
    }

    /// A staker's `Delegation` in a node, None when there is none.
    pub async fn delegation(
        &self,
        node: &Pubkey,
        staker: &Pubkey,
    ) -> Result<Option<Delegation>, ClientError> {
        self.fetch_opt(&pda::delegation(node, staker)).await
    }

    /// On the local chain (`edgefuel-localnet`) only: moves the chain's clock
    /// `seconds` forward and returns its unix time. A cluster answers
    /// "method not found".
    pub async fn advance_local_clock(&self, seconds: i64) -> Result<i64, ClientError> {
        let method = RpcRequest::Custom {
            method: ADVANCE_CLOCK,
        };
        self.rpc
            .send(method, serde_json::json!([seconds]))
            .await
            .map_err(|e| ClientError::Other(format!("{ADVANCE_CLOCK} at {}: {e}", self.url)))
    }

    /// On the local chain only: moves the clock to the start of the next
    /// reward epoch (stake delegated before it then earns). Returns that
    /// epoch.
    pub async fn advance_local_to_next_epoch(&self) -> Result<u64, ClientError> {
        let network = self.network().await?;
        let now = self.clock().await?.unix_timestamp;
        let secs = network.params.epoch_seconds.max(1);
        self.advance_local_clock(secs - now.rem_euclid(secs))
            .await?;
        self.current_epoch().await
    }

    /// The network's current reward epoch (from the chain's clock).
    pub async fn current_epoch(&self) -> Result<u64, ClientError> {
        let network = self.network().await?;
        let clock = self.clock().await?;
        Ok(network.epoch_at(clock.unix_timestamp))
    }

    /// The epochs a stake instruction of `staker` in `node` names now.
    pub async fn stake_epochs(
        &self,
        node: &Pubkey,
        staker: &Pubkey,
    ) -> Result<crate::ix::StakeEpochs, ClientError> {
        let current = self.current_epoch().await?;
        let delegation = self.delegation(node, staker).await?;
        Ok(crate::ix::StakeEpochs::of(delegation.as_ref(), current))
    }

    /// The activation base a settlement of `delegation` in `node` needs in
    /// `epoch` (None when it has no stake activating from an earlier epoch).
    pub async fn activation_base(
        &self,
        node: &Pubkey,
        delegation: &Delegation,
        epoch: u64,
    ) -> Result<Option<u128>, ClientError> {
        if !delegation.needs_activation_base(epoch) {
            return Ok(None);
        }
        let stats: edgefuel::NodeEpochStats = self
            .fetch(&pda::node_epoch(node, delegation.activating_epoch))
            .await?;
        Ok(Some(stats.activation_base().map_err(|e| {
            ClientError::Other(format!("activation base of {node}: {e}"))
        })?))
    }

    /// What `delegation` in node `node` (address `node_addr`) could claim
    /// now ([`crate::accounts::claimable_rewards`] at the chain's epoch).
    pub async fn claimable(
        &self,
        node_addr: &Pubkey,
        delegation: &Delegation,
        node: &Node,
    ) -> Result<u64, ClientError> {
        let epoch = self.current_epoch().await?;
        let base = self.activation_base(node_addr, delegation, epoch).await?;
        accounts::claimable_rewards(delegation, node, base, epoch)
            .map_err(|e| ClientError::Other(format!("claimable rewards: {e}")))
    }

    /// Raw `(address, data)` of every program account matching `filters`.
    pub async fn list_raw(
        &self,
        filters: Vec<RpcFilterType>,
    ) -> Result<Vec<(Pubkey, Vec<u8>)>, ClientError> {
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.commitment()),
                ..RpcAccountInfoConfig::default()
            },
            with_context: None,
            sort_results: Some(true),
        };
        let accounts = self
            .retrying("getProgramAccounts", || {
                self.rpc
                    .get_program_ui_accounts_with_config(&edgefuel::ID, config.clone())
            })
            .await?;
        accounts
            .into_iter()
            .map(|(k, a)| match a.data.decode() {
                Some(data) => Ok((k, data)),
                None => Err(ClientError::Other(format!(
                    "getProgramAccounts at {}: account {k} data is not base64",
                    self.url
                ))),
            })
            .collect()
    }

    /// Every account of type `T` matching `filters` (include
    /// [`accounts::kind_filter`] so other account types are not returned).
    pub async fn list<T: EdgeFuelAccount>(
        &self,
        filters: Vec<RpcFilterType>,
    ) -> Result<Vec<(Pubkey, T)>, ClientError> {
        let mut out = Vec::new();
        for (key, data) in self.list_raw(filters).await? {
            out.push((key, decode::<T>(&key, &data)?));
        }
        Ok(out)
    }

    /// Every registered node.
    pub async fn nodes(&self) -> Result<Vec<(Pubkey, Node)>, ClientError> {
        self.list(accounts::all_nodes()).await
    }

    /// Every delegation of `staker`.
    pub async fn delegations_of_staker(
        &self,
        staker: &Pubkey,
    ) -> Result<Vec<(Pubkey, Delegation)>, ClientError> {
        self.list(accounts::delegations_of_staker(staker)?).await
    }

    /// Every delegation into `node`.
    pub async fn delegations_of_node(
        &self,
        node: &Pubkey,
    ) -> Result<Vec<(Pubkey, Delegation)>, ClientError> {
        self.list(accounts::delegations_of_node(node)?).await
    }

    /// Every open batch of `operator`'s node.
    pub async fn batches_of(&self, operator: &Pubkey) -> Result<Vec<(Pubkey, Batch)>, ClientError> {
        self.list(accounts::batches_of_node(&pda::node(operator))?)
            .await
    }

    /// Every proposal, by id.
    pub async fn proposals(&self) -> Result<Vec<(Pubkey, Proposal)>, ClientError> {
        let mut all = self.list::<Proposal>(accounts::all_proposals()).await?;
        all.sort_by_key(|(_, p)| p.id);
        Ok(all)
    }

    /// EFUEL (base units) in `owner`'s associated account; 0 when it has none.
    pub async fn efuel_balance(&self, owner: &Pubkey) -> Result<u64, ClientError> {
        let ata = crate::ix::efuel_ata(owner);
        match self.account(&ata).await? {
            None => Ok(0),
            Some(acc) => anchor_spl::token::TokenAccount::try_deserialize(&mut acc.data.as_slice())
                .map(|t| t.amount)
                .map_err(|e| {
                    ClientError::Other(format!("token account {ata} does not decode: {e}"))
                }),
        }
    }

    /// The chain's `Clock` sysvar (slot, unix time).
    pub async fn clock(&self) -> Result<anchor_lang::prelude::Clock, ClientError> {
        use anchor_lang::solana_program::sysvar::SysvarId;
        let id = anchor_lang::prelude::Clock::id();
        let acc = self
            .account(&id)
            .await?
            .ok_or(ClientError::AccountNotFound {
                kind: "Clock sysvar",
                address: id,
            })?;
        bincode_clock(&acc.data).ok_or_else(|| {
            ClientError::Other(format!("the Clock sysvar at {} is undecodable", self.url))
        })
    }

    /// Requests `lamports` from the cluster's faucet (local chains, devnet)
    /// and waits up to 30 s for the airdrop to confirm. Returns its signature.
    pub async fn airdrop(&self, address: &Pubkey, lamports: u64) -> Result<String, ClientError> {
        let sig = self
            .retrying("requestAirdrop", || {
                self.rpc.request_airdrop(address, lamports)
            })
            .await?;
        for _ in 0..150 {
            if self.rpc.confirm_transaction(&sig).await.unwrap_or(false) {
                return Ok(sig.to_string());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(ClientError::Other(format!(
            "airdrop {sig} from {} did not confirm within 30 s",
            self.url
        )))
    }

    /// The current slot at the client's commitment.
    pub async fn slot(&self) -> Result<u64, ClientError> {
        self.retrying("getSlot", || self.rpc.get_slot()).await
    }

    /// Lamports held by `address`.
    pub async fn sol_balance(&self, address: &Pubkey) -> Result<u64, ClientError> {
        self.retrying("getBalance", || self.rpc.get_balance(address))
            .await
    }

    /// Signs `instructions` (fee payer = first signer) and sends them until
    /// confirmed at the client's commitment. Returns the signature.
    pub async fn send<S: Signers + ?Sized>(
        &self,
        instructions: &[Instruction],
        signers: &S,
    ) -> Result<String, ClientError> {
        self.send_observed(instructions, signers, |_| {}).await
    }

    /// [`Self::send`], calling `on_signed` with each signature before that
    /// transaction is first sent (a daemon journals it, so that after a crash
    /// it can look the transaction up instead of guessing).
    pub async fn send_observed<S: Signers + ?Sized>(
        &self,
        instructions: &[Instruction],
        signers: &S,
        mut on_signed: impl FnMut(&str),
    ) -> Result<String, ClientError> {
        let programs = instruction_programs(instructions);
        let commitment = self.commitment();
        let mut last_sig = String::new();
        // A blockhash this call must not reuse: an identical transaction
        // (same signer, instructions and blockhash) was already processed, so
        // only a new blockhash makes this one distinct.
        let mut avoid: Option<solana_transaction::Hash> = None;
        for attempt in 1..=self.retry.blockhash_attempts.max(1) {
            let (blockhash, last_valid) = self.fresh_blockhash(avoid).await?;
            let tx = sign(instructions, signers, blockhash)?;
            let signature = tx.signatures[0];
            last_sig = signature.to_string();
            on_signed(&last_sig);
            tracing::debug!(%signature, attempt, "sending transaction");
            let config = RpcSendTransactionConfig {
                skip_preflight: false,
                preflight_commitment: Some(commitment.commitment),
                encoding: Some(UiTransactionEncoding::Base64),
                max_retries: None,
                min_context_slot: None,
            };
            let sent = self
                .retrying("sendTransaction", || {
                    self.rpc.send_transaction_with_config(&tx, config)
                })
                .await;
            if let Err(ClientError::Rpc { error: source, .. }) = &sent {
                if let Some((error, logs)) = preflight_failure(source) {
                    if matches!(error, TransactionError::BlockhashNotFound) {
                        tracing::warn!(%signature, "blockhash not found by the node, re-signing");
                        continue;
                    }
                    if matches!(error, TransactionError::AlreadyProcessed) {
                        tracing::warn!(%signature, "an identical transaction was already processed, re-signing on a new blockhash");
                        avoid = Some(blockhash);
                        continue;
                    }
                    return Err(ClientError::Transaction(Box::new(TxFailure {
                        signature: Some(last_sig),
                        landed: false,
                        program_error: program_error_of(&error, &programs),
                        error,
                        logs,
                    })));
                }
            }
            sent?;
            // Poll until confirmed, resending while the blockhash is valid.
            let mut since_send = Duration::ZERO;
            loop {
                let sigs = [signature];
                let statuses = self
                    .retrying("getSignatureStatuses", || {
                        self.rpc.get_signature_statuses(&sigs)
                    })
                    .await?;
                if let Some(Some(status)) = statuses.value.first() {
                    if let Some(error) = status.err.clone() {
                        let logs = self.transaction_logs(&signature).await;
                        return Err(ClientError::Transaction(Box::new(TxFailure {
                            signature: Some(last_sig),
                            landed: true,
                            program_error: program_error_of(&error, &programs),
                            error,
                            logs,
                        })));
                    }
                    if status.satisfies_commitment(commitment) {
                        return Ok(last_sig);
                    }
                }
                let height = self
                    .retrying("getBlockHeight", || {
                        self.rpc.get_block_height_with_commitment(commitment)
                    })
                    .await?;
                if height > last_valid {
                    tracing::warn!(%signature, "blockhash expired before confirmation, re-signing");
                    break;
                }
                tokio::time::sleep(self.retry.poll_interval).await;
                since_send += self.retry.poll_interval;
                if since_send >= self.retry.resend_interval {
                    since_send = Duration::ZERO;
                    // Best effort: the status poll is what decides.
                    let _ = self
                        .rpc
                        .send_transaction_with_config(
                            &tx,
                            RpcSendTransactionConfig {
                                skip_preflight: true,
                                ..config
                            },
                        )
                        .await;
                }
            }
        }
        Err(ClientError::NotConfirmed {
            signature: last_sig,
            attempts: self.retry.blockhash_attempts.max(1),
        })
    }

    /// The latest blockhash (and its last valid block height), waiting for
    /// one different from `avoid` when given (a new one comes every slot).
    async fn fresh_blockhash(
        &self,
        avoid: Option<solana_transaction::Hash>,
    ) -> Result<(solana_transaction::Hash, u64), ClientError> {
        let commitment = self.commitment();
        // ~100 polls: far more than the slots a cluster needs to move on.
        for _ in 0..100 {
            let (hash, last_valid) = self
                .retrying("getLatestBlockhash", || {
                    self.rpc.get_latest_blockhash_with_commitment(commitment)
                })
                .await?;
            if Some(hash) != avoid {
                return Ok((hash, last_valid));
            }
            tokio::time::sleep(self.retry.poll_interval.max(Duration::from_millis(100))).await;
        }
        Err(ClientError::Other(format!(
            "{} kept returning the same blockhash: is the cluster producing blocks?",
            self.url
        )))
    }

    /// Logs of a landed transaction (empty when the node does not keep them).
    pub async fn transaction_logs(&self, signature: &solana_transaction::Signature) -> Vec<String> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(self.commitment()),
            max_supported_transaction_version: Some(0),
        };
        match self
            .rpc
            .get_transaction_with_config(signature, config)
            .await
        {
            Ok(tx) => tx
                .transaction
                .meta
                .and_then(|m| Option::<Vec<String>>::from(m.log_messages))
                .unwrap_or_default(),
            Err(e) => {
                tracing::debug!(%e, "getTransaction failed: no logs");
                Vec::new()
            }
        }
    }

    /// The EdgeFuel events of a landed transaction
    /// ([`crate::events::from_transaction`]); `None` when the node does not
    /// know the signature.
    pub async fn transaction_events(
        &self,
        signature: &solana_transaction::Signature,
    ) -> Result<Option<Vec<crate::EdgeFuelEvent>>, ClientError> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(self.commitment()),
            max_supported_transaction_version: Some(0),
        };
        // `null` for an unknown signature.
        let tx: Option<EncodedConfirmedTransactionWithStatusMeta> = self
            .retrying("getTransaction", || {
                self.rpc.send(
                    RpcRequest::GetTransaction,
                    serde_json::json!([signature.to_string(), config]),
                )
            })
            .await?;
        tx.map(|tx| crate::events::from_transaction(&tx))
            .transpose()
            .map_err(|error| ClientError::Events {
                signature: signature.to_string(),
                error,
            })
    }

    /// Simulates `instructions` signed by `signers` and returns the logs and
    /// the error, without sending (useful for dry runs).
    pub async fn simulate<S: Signers + ?Sized>(
        &self,
        instructions: &[Instruction],
        signers: &S,
    ) -> Result<(Option<TxFailure>, Vec<String>), ClientError> {
        let programs = instruction_programs(instructions);
        let blockhash = self
            .retrying("getLatestBlockhash", || self.rpc.get_latest_blockhash())
            .await?;
        let tx = sign(instructions, signers, blockhash)?;
        let res = self
            .retrying("simulateTransaction", || self.rpc.simulate_transaction(&tx))
            .await?;
        let logs = res.value.logs.clone().unwrap_or_default();
        let failure = res.value.err.map(|e| {
            let error: TransactionError = e.into();
            TxFailure {
                signature: None,
                landed: false,
                program_error: program_error_of(&error, &programs),
                error,
                logs: logs.clone(),
            }
        });
        Ok((failure, logs))
    }
}
