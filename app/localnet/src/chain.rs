//! The chain: one bank fork hosting EdgeFuel natively, advanced one slot per
//! tick of a wall-clock timer, plus the index of every transaction it ran.
//!
//! Why not `ProgramTest::start_with_context`: program-test hard-codes a
//! 100 µs PoH tick and registers a new blockhash every 6.4 ms, so a hash
//! leaves the 150-entry window after about a second. Here the bank is built
//! the way program-test's `setup_bank` builds it, with a PoH tick of
//! `slot / 64`, and exactly one blockhash is registered per slot (when the
//! slot's ticks are filled). A blockhash therefore stays valid for
//! `MAX_PROCESSING_AGE` (150) slots: 60 s at the default 400 ms slot, as on a
//! cluster.
//!
//! Concurrency: slot steps freeze and root the working bank, which must never
//! overlap a transaction that executes on it (program-test deadlocks there).
//! A `tokio` RwLock (the *gate*) is taken exclusively by slot steps and shared
//! by every bank access; commits are additionally serialized by a mutex (one
//! transaction at a time, so two transactions from one payer never collide
//! on account locks).
use crate::encoding::token_balances;
use crate::native_logs::NativeLogs;
use agave_feature_set::FeatureSet;
use anyhow::Context;
use solana_account::AccountSharedData;
use solana_accounts_db::accounts_db::ACCOUNTS_DB_CONFIG_FOR_TESTING;
use solana_clock::{Slot, MAX_PROCESSING_AGE};
use solana_cluster_type::ClusterType;
use solana_epoch_schedule::EpochSchedule;
use solana_fee_calculator::FeeRateGovernor;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_message::{SanitizedMessage, VersionedMessage};
use solana_native_token::LAMPORTS_PER_SOL;
use solana_poh_config::PohConfig;
use solana_program_runtime::invoke_context::BuiltinFunctionWithContext;
use solana_program_runtime::loaded_programs::ProgramCacheEntry;
use solana_program_test::processor;
use solana_pubkey::Pubkey;
use solana_rent::Rent;
use solana_runtime::bank::{Bank, TransactionSimulationResult};
use solana_runtime::bank_forks::BankForks;
use solana_runtime::genesis_utils::create_genesis_config_with_leader_ex;
use solana_runtime::runtime_config::RuntimeConfig;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_svm::transaction_processing_result::ProcessedTransaction;
use solana_svm::transaction_processor::ExecutionRecordingConfig;
use solana_svm_timings::ExecuteTimings;
use solana_transaction::sanitized::SanitizedTransaction;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction::{Transaction, TransactionVerificationMode};
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{
    InnerInstruction, InnerInstructions, TransactionStatusMeta,
};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock as StdRwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, Mutex, RwLock};

/// PoH ticks per slot (the cluster default).
pub const TICKS_PER_SLOT: u64 = 64;
/// Slots between two flushes of the accounts write cache: without them every
/// slot's copy of the large sysvars (SlotHistory is 128 KiB) stays in memory.
const FLUSH_EVERY_SLOTS: u64 = 128;
/// Lamports of the bootstrap validator's vote stake (not spendable).
const VALIDATOR_STAKE_LAMPORTS: u64 = 1_000_000 * LAMPORTS_PER_SOL;

/// How the chain runs.
#[derive(Clone, Debug)]
pub struct ChainConfig {
    /// Wall-clock length of a slot.
    pub slot_duration: Duration,
    /// Slots per epoch (no warmup).
    pub slots_per_epoch: u64,
    /// Lamports the faucet (airdrops, bootstrap payer) starts with.
    pub faucet_lamports: u64,
    /// Transactions kept for `getTransaction` / `getSignatureStatuses`
    /// (oldest forgotten first).
    pub max_tx_history: usize,
    /// Where the accounts database keeps its (memory-mapped) storage files;
    /// `None`: a temporary directory removed when the chain is dropped.
    pub accounts_dir: Option<PathBuf>,
    /// Redirect this process's stdout to put the native program's `msg!`
    /// lines into transaction logs (see `native_logs`).
    pub capture_native_logs: bool,
    /// The program's upgrade authority, recorded in its ProgramData account
    /// as the upgradeable loader would after a deploy by that key: only it
    /// may `initialize_network`. `None`: the faucet (which bootstraps).
    pub upgrade_authority: Option<Pubkey>,
}

impl Default for ChainConfig {
    fn default() -> Self {
        ChainConfig {
            slot_duration: Duration::from_millis(400),
            slots_per_epoch: 432_000,
            faucet_lamports: 500_000_000 * LAMPORTS_PER_SOL,
            max_tx_history: 100_000,
            accounts_dir: None,
            capture_native_logs: false,
            upgrade_authority: None,
        }
    }
}

/// A transaction the chain committed, as `getTransaction` reports it.
#[derive(Debug)]
pub struct TxRecord {
    pub slot: Slot,
    /// Unix seconds of the slot's clock.
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    pub meta: TransactionStatusMeta,
}

/// What happened on the chain, for websocket subscribers.
#[derive(Debug)]
pub enum ChainEvent {
    /// A transaction was committed (successfully or not).
    Transaction {
        signature: Signature,
        slot: Slot,
        err: Option<TransactionError>,
        logs: Vec<String>,
        /// Every account key of the message.
        keys: Vec<Pubkey>,
        /// The keys the transaction could write.
        writable: Vec<Pubkey>,
    },
    /// A new working slot started.
    Slot {
        slot: Slot,
        parent: Slot,
        root: Slot,
    },
}

/// Why a transaction was refused before it was committed.
#[derive(Debug)]
pub enum SendError {
    /// Undecodable or unsanitizable (`-32602`).
    Invalid(String),
    /// A signature does not verify (`-32003`).
    SignatureVerification,
    /// Preflight simulation failed (`-32002`); nothing was committed.
    Preflight(Box<Simulation>),
    /// The execution task failed (`-32603`).
    Internal(String),
}

/// Result of running a transaction without committing it.
#[derive(Debug)]
pub struct Simulation {
    pub slot: Slot,
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub loaded_accounts_data_size: u32,
    pub fee: Option<u64>,
    pub return_data: Option<solana_transaction_context::TransactionReturnData>,
    pub inner_instructions: Option<Vec<InnerInstructions>>,
    pub pre_balances: Option<Vec<u64>>,
    pub post_balances: Option<Vec<u64>>,
    /// Accounts after the simulation (only for `simulateTransaction`).
    pub post_accounts: Vec<(Pubkey, AccountSharedData)>,
    /// The blockhash the transaction was simulated with, when replaced.
    pub replaced_blockhash: Option<(Hash, u64)>,
}

/// Options of `simulateTransaction`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimulateOptions {
    pub sig_verify: bool,
    pub replace_recent_blockhash: bool,
    pub inner_instructions: bool,
}

/// Transactions the chain committed, bounded (oldest forgotten first).
struct History {
    records: HashMap<Signature, Arc<TxRecord>>,
    order: VecDeque<Signature>,
    capacity: usize,
}

impl History {
    fn insert(&mut self, signature: Signature, record: TxRecord) {
        if self.records.insert(signature, Arc::new(record)).is_none() {
            self.order.push_back(signature);
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.records.remove(&old);
            }
        }
    }
}

pub struct Chain {
    forks: Arc<StdRwLock<BankForks>>,
    /// Exclusive for slot steps, shared for every bank access.
    gate: Arc<RwLock<()>>,
    /// Serializes commits.
    commit: Arc<Mutex<()>>,
    faucet: Keypair,
    /// Makes otherwise identical airdrops distinct messages.
    airdrop_nonce: AtomicU32,
    /// Seconds the chain's clock runs ahead of wall time
    /// ([`Chain::advance_clock`]).
    clock_offset: Arc<AtomicI64>,
    history: StdRwLock<History>,
    events: broadcast::Sender<Arc<ChainEvent>>,
    genesis_hash: Hash,
    native_logs: Option<NativeLogs>,
    config: ChainConfig,
    /// Nanoseconds spent executing sent transactions (checks, the programs,
    /// commit), for `/metrics`.
    execute_nanos: AtomicU64,
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Sets the bank's clock to wall time plus `offset` seconds (never
/// backwards).
fn set_wall_clock(bank: &Bank, offset: i64) {
    let mut clock = bank.clock();
    clock.unix_timestamp = clock.unix_timestamp.max(now_unix().saturating_add(offset));
    bank.set_sysvar_for_tests(&clock);
}

/// Native CPIs (EdgeFuel → SPL Token) go through syscall stubs that
/// solana-program-test installs once per process while it sets up a bank.
/// They are private to program-test, so boot one throwaway `ProgramTest`.
async fn install_program_test_syscall_stubs() {
    let ctx = solana_program_test::ProgramTest::default()
        .start_with_context()
        .await;
    drop(ctx);
}

impl Chain {
    /// Builds genesis and the first bank, and hosts EdgeFuel natively.
    pub async fn boot(config: ChainConfig) -> anyhow::Result<Arc<Chain>> {
        install_program_test_syscall_stubs().await;
        // program-test configured `log` for its own debug output; the
        // runtime's `log` records follow RUST_LOG, quiet by default.
        agave_logger::setup_with_default("error");

        let rent = Rent::default();
        let faucet = Keypair::new();
        let fee_rate_governor = FeeRateGovernor {
            lamports_per_signature: 5_000,
            ..FeeRateGovernor::default()
        };
        // Random keys: `Pubkey::new_unique()` counts from the same start in
        // every process, so clients' test keys would collide with these.
        let validator = Keypair::new().pubkey();
        let vote = Keypair::new().pubkey();
        let stake = Keypair::new().pubkey();
        let feature_set = FeatureSet::all_enabled();
        let mut genesis = create_genesis_config_with_leader_ex(
            config.faucet_lamports,
            &faucet.pubkey(),
            &validator,
            &vote,
            &stake,
            None,
            VALIDATOR_STAKE_LAMPORTS,
            42,
            fee_rate_governor,
            rent.clone(),
            ClusterType::Development,
            &feature_set,
            Vec::new(),
        );
        let tick = config.slot_duration / TICKS_PER_SLOT as u32;
        genesis.poh_config = PohConfig::new_sleep(tick.max(Duration::from_micros(1)));
        genesis.ticks_per_slot = TICKS_PER_SLOT;
        genesis.epoch_schedule =
            EpochSchedule::custom(config.slots_per_epoch, config.slots_per_epoch, false);
        genesis.creation_time = now_unix();

        let accounts_paths = match &config.accounts_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating accounts directory {}", dir.display()))?;
                vec![dir.clone()]
            }
            None => Vec::new(),
        };
        let bank = Bank::new_from_genesis(
            &genesis,
            Arc::new(RuntimeConfig::default()),
            accounts_paths,
            None,
            ACCOUNTS_DB_CONFIG_FOR_TESTING,
            None,
            None,
            Arc::default(),
            None,
            None,
        );
        for (program_id, account) in solana_program_binaries::spl_programs(&rent).iter() {
            bank.store_account(program_id, account);
        }
        for (program_id, account) in
            solana_program_binaries::core_bpf_programs(&rent, |f| genesis.accounts.contains_key(f))
                .iter()
        {
            bank.store_account(program_id, account);
        }
        let entry: Option<BuiltinFunctionWithContext> =
            processor!(edgefuel::native::process_instruction);
        let Some(entry) = entry else {
            anyhow::bail!("processor! gave no entrypoint");
        };
        bank.add_builtin(
            edgefuel::ID,
            "edgefuel",
            ProgramCacheEntry::new_builtin(0, "edgefuel".len(), entry),
        );
        // The program is a builtin here, with no ProgramData of its own:
        // store the one the upgradeable loader would keep after a deploy.
        let authority = config.upgrade_authority.unwrap_or_else(|| faucet.pubkey());
        let (address, owner, data) = edgefuel::native::program_data_account(&authority);
        let mut program_data = AccountSharedData::new(rent.minimum_balance(data.len()), 0, &owner);
        program_data.set_data_from_slice(&data);
        bank.store_account(&address, &program_data);
        bank.set_capitalization_for_tests(bank.calculate_capitalization_for_tests());
        let genesis_hash = bank.last_blockhash();
        let bank = Arc::new(bank);
        bank.fill_bank_with_ticks_for_tests();
        let collector = *bank.collector_id();
        let bank = Bank::new_from_parent(bank, &collector, 1);
        set_wall_clock(&bank, 0);
        let forks = BankForks::new_rw_arc(bank);

        let native_logs = if config.capture_native_logs {
            Some(NativeLogs::install().context("capturing the native program's stdout")?)
        } else {
            None
        };
        let (events, _) = broadcast::channel(4096);
        Ok(Arc::new(Chain {
            forks,
            gate: Arc::new(RwLock::new(())),
            commit: Arc::new(Mutex::new(())),
            faucet,
            airdrop_nonce: AtomicU32::new(0),
            clock_offset: Arc::new(AtomicI64::new(0)),
            history: StdRwLock::new(History {
                records: HashMap::new(),
                order: VecDeque::new(),
                capacity: config.max_tx_history.max(1),
            }),
            events,
            genesis_hash,
            native_logs,
            config,
            execute_nanos: AtomicU64::new(0),
        }))
    }

    /// Seconds spent executing sent transactions so far (signature and
    /// fee checks, the programs, commit; preflight included).
    pub fn execute_seconds(&self) -> f64 {
        self.execute_nanos.load(Ordering::Relaxed) as f64 / 1e9
    }

    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    /// The faucet: pays airdrops and the bootstrap.
    pub fn faucet(&self) -> &Keypair {
        &self.faucet
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChainEvent>> {
        self.events.subscribe()
    }

    fn working_bank(&self) -> Arc<Bank> {
        // A poisoned lock means a slot step panicked: nothing sane is left.
        #[allow(clippy::expect_used)]
        self.forks
            .read()
            .expect("bank forks lock poisoned")
            .working_bank()
    }

    /// Runs `f` on the working bank, never during a slot step. For quick reads.
    pub async fn with_bank<R>(&self, f: impl FnOnce(&Bank) -> R) -> R {
        let _gate = self.gate.read().await;
        let bank = self.working_bank();
        f(&bank)
    }

    /// Runs `f` on the working bank on a blocking thread (scans, execution).
    pub async fn with_bank_blocking<R: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Bank) -> R + Send + 'static,
    ) -> anyhow::Result<R> {
        let gate = self.gate.clone().read_owned().await;
        let this = self.clone();
        let out = tokio::task::spawn_blocking(move || {
            let bank = this.working_bank();
            let out = f(&bank);
            drop(gate);
            out
        })
        .await?;
        Ok(out)
    }

    // ---- slots --------------------------------------------------------

    /// Advances one slot every `slot_duration` until the task is dropped.
    pub fn spawn_slot_timer(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut timer = tokio::time::interval(this.config.slot_duration);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            timer.tick().await;
            loop {
                timer.tick().await;
                if let Err(e) = this.advance_slot().await {
                    tracing::error!("slot step failed: {e:#}");
                }
            }
        })
    }

    /// Moves the chain's clock `seconds` ahead (a local chain's stand-in
    /// for waiting: reward epochs, cooldowns and timelocks pass at once) and
    /// opens a new slot at that time. Returns the clock's unix time.
    pub async fn advance_clock(self: &Arc<Self>, seconds: i64) -> anyhow::Result<i64> {
        anyhow::ensure!(seconds >= 0, "the clock only moves forward");
        self.clock_offset.fetch_add(seconds, Ordering::SeqCst);
        self.advance_slot().await?;
        Ok(self.with_bank(|b| b.clock().unix_timestamp).await)
    }

    /// Fills the working slot's ticks (registering its blockhash), freezes
    /// and roots it, and opens the next slot with the clock at wall time.
    pub async fn advance_slot(self: &Arc<Self>) -> anyhow::Result<Slot> {
        let gate = self.gate.clone().write_owned().await;
        let this = self.clone();
        let (slot, parent) = tokio::task::spawn_blocking(move || {
            #[allow(clippy::expect_used)]
            let mut forks = this.forks.write().expect("bank forks lock poisoned");
            let bank = forks.working_bank();
            bank.fill_bank_with_ticks_for_tests();
            bank.freeze();
            let parent = bank.slot();
            forks.set_root(parent, None, Some(parent));
            let collector = *bank.collector_id();
            let child = Bank::new_from_parent(bank.clone(), &collector, parent + 1);
            set_wall_clock(&child, this.clock_offset.load(Ordering::SeqCst));
            forks.insert(child);
            if parent.is_multiple_of(FLUSH_EVERY_SLOTS) {
                bank.force_flush_accounts_cache();
            }
            drop(gate);
            (parent + 1, parent)
        })
        .await?;
        let _ = self.events.send(Arc::new(ChainEvent::Slot {
            slot,
            parent,
            root: parent,
        }));
        Ok(slot)
    }

    // ---- transactions ---------------------------------------------------

    /// Verifies, (optionally) preflights and commits a transaction.
    ///
    /// With preflight, a transaction that would fail is not committed and
    /// its simulation is returned, as an RPC node does. Without preflight a
    /// transaction that fails while executing is committed with its error
    /// (fees charged); one that cannot even be loaded (unknown blockhash,
    /// already processed, unpayable fee) is dropped, and its signature is
    /// still returned — the cluster behaviour clients already handle.
    pub async fn send(
        self: &Arc<Self>,
        tx: VersionedTransaction,
        preflight: bool,
    ) -> Result<Signature, SendError> {
        let gate = self.gate.clone().read_owned().await;
        let commit = self.commit.clone().lock_owned().await;
        let this = self.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let out = this.execute(tx, preflight);
            let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            this.execute_nanos.fetch_add(nanos, Ordering::Relaxed);
            drop(commit);
            drop(gate);
            out
        })
        .await
        .map_err(|e| SendError::Internal(e.to_string()))?;
        let (signature, event) = outcome?;
        if let Some(event) = event {
            let _ = self.events.send(Arc::new(event));
        }
        Ok(signature)
    }

    fn execute(
        &self,
        tx: VersionedTransaction,
        preflight: bool,
    ) -> Result<(Signature, Option<ChainEvent>), SendError> {
        let bank = self.working_bank();
        let signature = tx.signatures.first().copied().unwrap_or_default();
        let sanitized = verify(&bank, tx.clone(), true)?;
        let native = self.native_logs.as_ref().filter(|_| invokes_native(&tx));
        if let Some(n) = native {
            n.take(); // stray lines printed outside any execution
        }
        let batch = bank.prepare_sanitized_batch(std::slice::from_ref(&sanitized));
        let mut timings = ExecuteTimings::default();
        let mut refused: Option<Simulation> = None;
        let slot = bank.slot();
        let result = bank.load_execute_and_commit_transactions_with_pre_commit_callback(
            &batch,
            MAX_PROCESSING_AGE,
            ExecutionRecordingConfig {
                enable_cpi_recording: true,
                enable_log_recording: true,
                enable_return_data_recording: true,
                enable_transaction_balance_recording: true,
            },
            &mut timings,
            None,
            |_, results| {
                if !preflight {
                    return Ok(None);
                }
                let failure = match results.first() {
                    Some(Ok(ProcessedTransaction::Executed(tx))) => {
                        let d = &tx.execution_details;
                        d.status.clone().err().map(|err| Simulation {
                            slot,
                            err: Some(err),
                            logs: d.log_messages.clone().unwrap_or_default(),
                            units_consumed: d.executed_units,
                            loaded_accounts_data_size: tx
                                .loaded_transaction
                                .loaded_accounts_data_size,
                            fee: Some(tx.loaded_transaction.fee_details.total_fee()),
                            return_data: d.return_data.clone(),
                            ..Simulation::empty(slot)
                        })
                    }
                    Some(Ok(ProcessedTransaction::FeesOnly(f))) => Some(Simulation {
                        err: Some(f.load_error.clone()),
                        fee: Some(f.fee_details.total_fee()),
                        ..Simulation::empty(slot)
                    }),
                    Some(Err(e)) => Some(Simulation {
                        err: Some(e.clone()),
                        ..Simulation::empty(slot)
                    }),
                    None => None,
                };
                match failure {
                    None => Ok(None),
                    Some(sim) => {
                        let err = sim.err.clone().unwrap_or(TransactionError::AccountInUse);
                        refused = Some(sim);
                        Err(err)
                    }
                }
            },
        );
        drop(batch);
        let printed = native.map(NativeLogs::take).unwrap_or_default();
        let (mut commits, balances) = match result {
            Ok(r) => r,
            Err(err) => {
                let mut sim = refused.unwrap_or_else(|| Simulation {
                    err: Some(err),
                    ..Simulation::empty(slot)
                });
                merge_native_logs(&mut sim.logs, printed);
                return Err(SendError::Preflight(Box::new(sim)));
            }
        };
        let committed = match commits.pop() {
            Some(Ok(mut c)) => {
                if let Some(logs) = c.log_messages.as_mut() {
                    merge_native_logs(logs, printed);
                }
                c
            }
            Some(Err(e)) => {
                tracing::warn!(%signature, "transaction dropped: {e}");
                return Ok((signature, None));
            }
            None => return Ok((signature, None)),
        };
        let (pre, post, token_pre, token_post) = match balances {
            Some(b) => {
                let (mut a, mut b, mut c, mut d) = b.into_vecs();
                (a.pop(), b.pop(), c.pop(), d.pop())
            }
            None => (None, None, None, None),
        };
        // Websocket subscribers get an event; without any, skip building it.
        let event = (self.events.receiver_count() > 0).then(|| {
            let message = sanitized.message();
            let keys: Vec<Pubkey> = message.account_keys().iter().copied().collect();
            let writable: Vec<Pubkey> = keys
                .iter()
                .enumerate()
                .filter(|(i, _)| message.is_writable(*i))
                .map(|(_, k)| *k)
                .collect();
            ChainEvent::Transaction {
                signature,
                slot,
                err: committed.status.clone().err(),
                logs: committed.log_messages.clone().unwrap_or_default(),
                keys,
                writable,
            }
        });
        let meta = TransactionStatusMeta {
            status: committed.status.clone(),
            fee: committed.fee_details.total_fee(),
            pre_balances: pre.unwrap_or_default(),
            post_balances: post.unwrap_or_default(),
            inner_instructions: committed.inner_instructions.map(map_inner_instructions),
            log_messages: committed.log_messages,
            pre_token_balances: token_pre.map(token_balances),
            post_token_balances: token_post.map(token_balances),
            rewards: Some(Vec::new()),
            loaded_addresses: sanitized.get_loaded_addresses(),
            return_data: committed.return_data,
            compute_units_consumed: Some(committed.executed_units),
            cost_units: None,
        };
        let record = TxRecord {
            slot,
            block_time: bank.clock().unix_timestamp,
            transaction: tx,
            meta,
        };
        #[allow(clippy::expect_used)]
        self.history
            .write()
            .expect("history lock poisoned")
            .insert(signature, record);
        Ok((signature, event))
    }

    /// Runs a transaction without committing it.
    pub async fn simulate(
        self: &Arc<Self>,
        mut tx: VersionedTransaction,
        options: SimulateOptions,
    ) -> Result<Simulation, SendError> {
        let gate = self.gate.clone().read_owned().await;
        // A native program's printed lines are told apart by serializing.
        let native = self.native_logs.is_some() && invokes_native(&tx);
        let commit = match native {
            true => Some(self.commit.clone().lock_owned().await),
            false => None,
        };
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let bank = this.working_bank();
            let mut replaced = None;
            if options.replace_recent_blockhash {
                let hash = bank.last_blockhash();
                tx.message.set_recent_blockhash(hash);
                let last_valid = bank
                    .get_blockhash_last_valid_block_height(&hash)
                    .unwrap_or_default();
                replaced = Some((hash, last_valid));
            }
            let sanitized = verify(&bank, tx, options.sig_verify)?;
            let logs = this.native_logs.as_ref().filter(|_| native);
            if let Some(n) = logs {
                n.take();
            }
            let sim = bank.simulate_transaction_unchecked(&sanitized, options.inner_instructions);
            let printed = logs.map(NativeLogs::take).unwrap_or_default();
            drop(commit);
            drop(gate);
            let mut sim = Simulation::from_runtime(bank.slot(), sim, replaced);
            merge_native_logs(&mut sim.logs, printed);
            Ok(sim)
        })
        .await
        .map_err(|e| SendError::Internal(e.to_string()))?
    }

    /// Sends `lamports` from the faucet to `to`.
    pub async fn airdrop(
        self: &Arc<Self>,
        to: &Pubkey,
        lamports: u64,
    ) -> Result<Signature, SendError> {
        let blockhash = self.with_bank(|b| b.last_blockhash()).await;
        // A compute-unit limit that differs per airdrop keeps two equal
        // airdrops in one slot from being the same message.
        let nonce = self.airdrop_nonce.fetch_add(1, Ordering::Relaxed) % 100_000;
        let ixs = [
            solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(
                200_000 + nonce,
            ),
            anchor_lang::solana_program::system_instruction::transfer(
                &self.faucet.pubkey(),
                to,
                lamports,
            ),
        ];
        let tx = Transaction::new_signed_with_payer(
            &ixs,
            Some(&self.faucet.pubkey()),
            &[&self.faucet],
            blockhash,
        );
        self.send(tx.into(), true).await
    }

    // ---- history ----------------------------------------------------------

    /// Transactions currently remembered.
    pub fn history_len(&self) -> usize {
        #[allow(clippy::expect_used)]
        self.history
            .read()
            .expect("history lock poisoned")
            .order
            .len()
    }

    pub fn transaction(&self, signature: &Signature) -> Option<Arc<TxRecord>> {
        #[allow(clippy::expect_used)]
        self.history
            .read()
            .expect("history lock poisoned")
            .records
            .get(signature)
            .cloned()
    }

    /// Transactions that mention `address`, newest first: those strictly
    /// older than `before` and newer than `until`, at most `limit`.
    pub fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Vec<(Signature, Arc<TxRecord>)> {
        #[allow(clippy::expect_used)]
        let history = self.history.read().expect("history lock poisoned");
        let mut newest_first = history.order.iter().rev();
        if let Some(before) = before {
            // Skip up to and including `before` (nothing if it is unknown).
            if !history.records.contains_key(&before) {
                return Vec::new();
            }
            for sig in newest_first.by_ref() {
                if *sig == before {
                    break;
                }
            }
        }
        let mut out = Vec::new();
        for sig in newest_first {
            if Some(*sig) == until || out.len() >= limit {
                break;
            }
            let Some(record) = history.records.get(sig) else {
                continue;
            };
            let mentions = record
                .transaction
                .message
                .static_account_keys()
                .contains(address)
                || record.meta.loaded_addresses.writable.contains(address)
                || record.meta.loaded_addresses.readonly.contains(address);
            if mentions {
                out.push((*sig, record.clone()));
            }
        }
        out
    }

    // ---- messages -----------------------------------------------------------

    /// The fee of a message at the working bank (`None` if its blockhash is unknown).
    pub async fn fee_for_message(&self, message: VersionedMessage) -> Result<Option<u64>, String> {
        self.with_bank(|bank| {
            let sanitized = solana_message::SanitizedVersionedMessage::try_from(message)
                .map_err(|e| format!("invalid message: {e}"))?;
            let message =
                SanitizedMessage::try_new(sanitized, bank, bank.get_reserved_account_keys())
                    .map_err(|e| format!("invalid message: {e}"))?;
            Ok(bank.get_fee_for_message(&message))
        })
        .await
    }
}

/// Whether a top-level instruction runs the natively hosted program.
fn invokes_native(tx: &VersionedTransaction) -> bool {
    let keys = tx.message.static_account_keys();
    tx.message
        .instructions()
        .iter()
        .any(|ix| keys.get(ix.program_id_index as usize) == Some(&edgefuel::ID))
}

fn merge_native_logs(logs: &mut Vec<String>, printed: Vec<String>) {
    crate::native_logs::merge(logs, &edgefuel::ID.to_string(), printed);
}

/// Sanitizes (and optionally checks the signatures of) a transaction.
fn verify(
    bank: &Bank,
    tx: VersionedTransaction,
    sig_verify: bool,
) -> Result<
    solana_runtime_transaction::runtime_transaction::RuntimeTransaction<SanitizedTransaction>,
    SendError,
> {
    let mode = if sig_verify {
        TransactionVerificationMode::FullVerification
    } else {
        TransactionVerificationMode::HashOnly
    };
    bank.verify_transaction(tx, mode).map_err(|e| match e {
        TransactionError::SignatureFailure => SendError::SignatureVerification,
        e => SendError::Invalid(format!("invalid transaction: {e}")),
    })
}

fn map_inner_instructions(
    list: solana_message::inner_instruction::InnerInstructionsList,
) -> Vec<InnerInstructions> {
    list.into_iter()
        .enumerate()
        .filter(|(_, ixs)| !ixs.is_empty())
        .map(|(index, ixs)| InnerInstructions {
            index: index as u8,
            instructions: ixs
                .into_iter()
                .map(|ix| InnerInstruction {
                    instruction: ix.instruction,
                    stack_height: Some(u32::from(ix.stack_height)),
                })
                .collect(),
        })
        .collect()
}

impl Simulation {
    fn empty(slot: Slot) -> Self {
        Simulation {
            slot,
            err: None,
            logs: Vec::new(),
            units_consumed: 0,
            loaded_accounts_data_size: 0,
            fee: None,
            return_data: None,
            inner_instructions: None,
            pre_balances: None,
            post_balances: None,
            post_accounts: Vec::new(),
            replaced_blockhash: None,
        }
    }

    fn from_runtime(
        slot: Slot,
        sim: TransactionSimulationResult,
        replaced_blockhash: Option<(Hash, u64)>,
    ) -> Self {
        let inner_instructions = sim.inner_instructions.map(map_inner_instructions);
        Simulation {
            slot,
            err: sim.result.err(),
            logs: sim.logs,
            units_consumed: sim.units_consumed,
            loaded_accounts_data_size: sim.loaded_accounts_data_size,
            fee: sim.fee,
            return_data: sim.return_data,
            inner_instructions,
            pre_balances: sim.pre_balances,
            post_balances: sim.post_balances,
            post_accounts: sim.post_simulation_accounts,
            replaced_blockhash,
        }
    }
}
