//! The agent's run loop.
//!
//! Every tick (½ s) it reads the node, the network and the slot, then
//! follows each batch the journal has not seen final, from wherever it is:
//!
//! | journal | chain | action |
//! |---|---|---|
//! | built | no account, seq > node's last seq | submit (signature journaled first) |
//! | built | no account, seq ≤ node's last seq | the batch lived and was closed while we were down: final `Closed` |
//! | any | account with another root | stop: another agent is using this node's seqs |
//! | ≤ submitted | Committed, slot > seal slot | seal it (anyone may; nobody has) |
//! | ≤ sealed | Sealed, before the reveal deadline | reveal the unrevealed sampled leaves |
//! | ≤ revealed | Revealed, quorum reached | finalize (anyone may) |
//! | any | Accepted / Rejected / Expired / Missed | final, with reward or slash |
//! | submitted+ | no account | final `Closed` |
//!
//! A new batch is built only when no batch is waiting to be submitted,
//! sealed or revealed, the node is active and eligible, the exposure cap
//! leaves room and `batch.interval_secs` has passed: its seq is one above
//! both the node's last seq and the journal's highest, so no seq is skipped
//! or used twice. Receipts are journaled before the submission is sent.
use crate::batch::{receipt_batch, run_job, JobRecord};
use crate::energy::EnergyMeter;
use crate::journal::{BatchState, Journal, JournalBatch, SigKind, Totals};
use crate::metrics::Metrics;
use crate::settings::{BackendChoice, NodeConfig};
use crate::workload;
use anyhow::{bail, Context};
use edgefuel_client::edgefuel::error::EdgeFuelError;
use edgefuel_client::edgefuel::{
    Batch, BatchStatus, Network, Node, NodeEpochStats, NodeStatus, Quorum,
};
use edgefuel_client::{
    ix, pda, ClientError, CommitmentConfig, EdgeFuelClient, Pubkey, ReceiptBatch,
};
use edgefuel_daemon::phases;
use edgefuel_daemon::Shutdown;
use edgefuel_jobs::{Backend, CpuBackend, GpuBackend};
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// One base unit of EFUEL in EFUEL.
const EFUEL: f64 = 1e9;

/// Rewards of one epoch (from the node's on-chain epoch stats).
#[derive(Debug, Clone, Serialize)]
pub struct EpochEarning {
    pub epoch: u64,
    pub rewards: u64,
    pub slashed: u64,
    pub work_credited: u64,
    pub accepted: u32,
    pub rejected: u32,
    pub missed: u32,
    pub expired: u32,
}

/// A delegator of the node.
#[derive(Debug, Clone, Serialize)]
pub struct Delegator {
    pub staker: String,
    pub tokens: u64,
}

/// What the dashboard and `/status.json` show.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    pub node: String,
    pub operator: String,
    pub agent: String,
    pub rpc_url: String,
    pub device: String,
    pub device_note: Option<String>,
    pub energy_method: String,
    pub energy_source: String,
    pub node_status: String,
    pub jailed_until: i64,
    pub chain_time: i64,
    pub eligible: bool,
    pub operator_stake: u64,
    pub min_node_stake: u64,
    pub pool_tokens: u64,
    pub delegators: Vec<Delegator>,
    /// The last step reached the chain (false: RPC unreachable).
    pub rpc_ok: bool,
    /// The last step succeeded.
    pub healthy: bool,
    pub last_error: Option<String>,
    /// The agent's SOL (lamports): it pays each batch account's rent.
    pub agent_lamports: u64,
    /// Something the operator should act on (low SOL, …).
    pub warning: Option<String>,
    pub jobs_per_second: f64,
    pub totals: Totals,
    /// Rewards of accepted batches (base units), from the journal.
    pub earned: u64,
    pub slashed: u64,
    pub joules_per_job: f64,
    pub work_units_per_joule: f64,
    pub efuel_per_kwh: f64,
    pub epochs: Vec<EpochEarning>,
    pub recent: Vec<JournalBatch>,
    pub started_at: f64,
}

/// The device the agent runs jobs on.
pub fn open_backend(choice: BackendChoice) -> anyhow::Result<(Box<dyn Backend>, Option<String>)> {
    match choice {
        BackendChoice::Cpu => Ok((Box::new(CpuBackend::new()), None)),
        BackendChoice::Gpu => Ok((
            Box::new(GpuBackend::new().context("opening the GPU backend (backend = \"gpu\")")?),
            None,
        )),
        BackendChoice::Auto => match GpuBackend::new() {
            Ok(g) => Ok((Box::new(g), None)),
            Err(e) => Ok((
                Box::new(CpuBackend::new()),
                Some(format!("no GPU adapter ({e}): running jobs on the CPU")),
            )),
        },
    }
}

pub struct Agent {
    pub config: NodeConfig,
    pub client: EdgeFuelClient,
    pub key: Keypair,
    pub operator_key: Option<Keypair>,
    pub node: Pubkey,
    pub journal: Arc<Journal>,
    pub backend: Box<dyn Backend>,
    pub meter: EnergyMeter,
    pub metrics: Arc<Metrics>,
    pub status: Arc<RwLock<Status>>,
    pub shutdown: Shutdown,
    last_build: Option<Instant>,
    last_claim: Option<Instant>,
    last_slow_refresh: Option<Instant>,
    said_jailed: bool,
    /// Batches whose reveal the program refused (said once).
    refused: std::collections::HashSet<u64>,
    /// Jobs run by this process and when it started (jobs/s).
    run_jobs: u64,
    run_started: Instant,
    /// Seconds of the current step spent on jobs, hashing and the journal
    /// (the rest of the step is the chain phase).
    step_local: f64,
}

fn is_benign(e: &ClientError, errors: &[EdgeFuelError]) -> bool {
    errors.iter().any(|x| e.is(*x))
}

impl Agent {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: NodeConfig,
        key: Keypair,
        operator_key: Option<Keypair>,
        journal: Arc<Journal>,
        backend: Box<dyn Backend>,
        device_note: Option<String>,
        metrics: Arc<Metrics>,
        shutdown: Shutdown,
    ) -> Agent {
        let client = EdgeFuelClient::new(
            config.settings.rpc_url.clone(),
            CommitmentConfig::confirmed(),
        );
        let node = pda::node(&config.operator);
        let meter = EnergyMeter::open(
            config.settings.energy.device_watts,
            backend.name().starts_with("gpu"),
        );
        let status = Status {
            node: node.to_string(),
            operator: config.operator.to_string(),
            agent: key.pubkey().to_string(),
            rpc_url: config.settings.rpc_url.clone(),
            device: backend.name(),
            device_note,
            energy_method: meter.describe(),
            energy_source: meter.source().as_str().to_string(),
            started_at: crate::journal::now(),
            ..Status::default()
        };
        // A restart keeps the configured pace: the next batch is due one
        // interval after the newest journaled one, not at once.
        let last_build = journal
            .recent(1)
            .ok()
            .and_then(|b| b.first().map(|b| b.built_at))
            .and_then(|at| {
                let age = (crate::journal::now() - at).max(0.0);
                Instant::now().checked_sub(Duration::from_secs_f64(age))
            });
        Agent {
            config,
            client,
            key,
            operator_key,
            node,
            journal,
            backend,
            meter,
            metrics,
            status: Arc::new(RwLock::new(status)),
            shutdown,
            last_build,
            last_claim: None,
            last_slow_refresh: None,
            said_jailed: false,
            refused: Default::default(),
            run_jobs: 0,
            run_started: Instant::now(),
            step_local: 0.0,
        }
    }

    fn set_status(&self, f: impl FnOnce(&mut Status)) {
        let mut s = self.status.write().unwrap_or_else(|p| p.into_inner());
        f(&mut s);
    }

    /// Runs until shutdown. Errors of a step (RPC down, a refused
    /// transaction) are logged and retried with backoff; only a conflict
    /// that retrying cannot fix stops the agent.
    pub async fn run(&mut self) -> anyhow::Result<()> {
        tracing::info!(
            node = %self.node,
            agent = %self.key.pubkey(),
            device = %self.backend.name(),
            energy = %self.meter.describe(),
            "agent running"
        );
        let mut failures: u32 = 0;
        while !self.shutdown.is_set() {
            let step = Instant::now();
            self.step_local = 0.0;
            let result = self.tick().await;
            self.metrics.phases.end_step(step, self.step_local);
            let pause = match result {
                Ok(()) => {
                    if failures > 0 {
                        tracing::info!("chain reachable again; resuming");
                    }
                    failures = 0;
                    self.set_status(|s| {
                        s.rpc_ok = true;
                        s.healthy = true;
                        s.last_error = None;
                    });
                    Duration::from_millis(500)
                }
                Err(e) if e.downcast_ref::<Conflict>().is_some() => return Err(e),
                Err(e) => {
                    failures = failures.saturating_add(1);
                    self.metrics.rpc_errors.inc();
                    let text = format!("{e:#}");
                    let rpc = e.chain().any(|c| {
                        c.downcast_ref::<ClientError>()
                            .is_some_and(ClientError::is_rpc)
                    });
                    self.set_status(|s| {
                        s.rpc_ok = !rpc;
                        s.healthy = false;
                        s.last_error = Some(text.clone());
                    });
                    let backoff = Duration::from_millis(500)
                        .saturating_mul(1 << failures.min(5))
                        .min(Duration::from_secs(10));
                    tracing::warn!("{text}; retrying in {:.1} s", backoff.as_secs_f64());
                    backoff
                }
            };
            let idle = Instant::now();
            let go_on = self.shutdown.sleep(pause).await;
            self.metrics.phases.lap(phases::IDLE, idle);
            if !go_on {
                break;
            }
        }
        tracing::info!("agent stopped; the journal holds every batch in flight");
        Ok(())
    }

    /// One pass over the chain and the journal.
    pub async fn tick(&mut self) -> anyhow::Result<()> {
        let network = self
            .client
            .network()
            .await
            .context("reading the Network account")?;
        let node: Node = self
            .client
            .node(&self.config.operator)
            .await
            .with_context(|| format!("reading node {}", self.node))?;
        let slot = self.client.slot().await?;
        let clock = self.client.clock().await?;
        self.observe_node(&network, &node, clock.unix_timestamp);

        for jb in self.journal.active()? {
            if self.shutdown.is_set() {
                return Ok(());
            }
            self.follow(&jb, &network, &node, slot).await?;
        }

        let pipeline_busy = self
            .journal
            .active()?
            .iter()
            .any(|b| b.state < BatchState::Revealed);
        let due = self
            .last_build
            .is_none_or(|t| t.elapsed().as_secs_f64() >= self.config.settings.batch.interval_secs);
        if !pipeline_busy && due && self.may_submit(&network, &node, clock.unix_timestamp) {
            let node = self.client.node(&self.config.operator).await?;
            if let Some(seq) = self.build(&network, &node).await? {
                if let Some(jb) = self.journal.get(seq)? {
                    let slot = self.client.slot().await?;
                    self.follow(&jb, &network, &node, slot).await?;
                }
            }
        }
        self.maybe_claim().await;
        self.refresh_slow(&network).await;
        Ok(())
    }

    fn observe_node(&mut self, network: &Network, node: &Node, now: i64) {
        let eligible = node
            .is_eligible(network.params.min_node_stake)
            .unwrap_or(false);
        let op_stake = node.operator_stake().unwrap_or(0);
        self.metrics
            .stake_efuel
            .set(node.pool_tokens as f64 / EFUEL);
        self.metrics.eligible.set(eligible as i64);
        self.metrics
            .jailed
            .set((node.status == NodeStatus::Jailed) as i64);
        if let Some(t) = self.last_build {
            self.metrics
                .last_batch_age_seconds
                .set(t.elapsed().as_secs_f64());
        }
        self.set_status(|s| {
            s.node_status = format!("{:?}", node.status);
            s.jailed_until = node.jailed_until;
            s.chain_time = now;
            s.eligible = eligible;
            s.operator_stake = op_stake;
            s.min_node_stake = network.params.min_node_stake;
            s.pool_tokens = node.pool_tokens;
        });
    }

    /// Whether the node may submit now; says why not once per episode.
    fn may_submit(&mut self, network: &Network, node: &Node, now: i64) -> bool {
        match node.status {
            NodeStatus::Active => {
                self.said_jailed = false;
            }
            NodeStatus::Jailed => {
                if !self.said_jailed {
                    let wait = (node.jailed_until - now).max(0);
                    tracing::warn!(
                        "node {} is jailed until unix time {} (in {wait} s): not submitting; \
                         the operator can then run `edgefuel node unjail`",
                        self.node,
                        node.jailed_until
                    );
                    self.said_jailed = true;
                }
                return false;
            }
            NodeStatus::Exiting => return false,
        }
        if !node
            .is_eligible(network.params.min_node_stake)
            .unwrap_or(false)
        {
            tracing::warn!(
                "the operator's own stake is below min_node_stake ({} base units): not submitting",
                network.params.min_node_stake
            );
            return false;
        }
        true
    }

    /// Runs a new batch's jobs and journals them. Returns its seq, or None
    /// when the exposure cap leaves no room.
    async fn build(&mut self, network: &Network, node: &Node) -> anyhow::Result<Option<u64>> {
        let seq = node
            .last_batch_seq
            .max(self.journal.max_seq()?.unwrap_or(0))
            + 1;
        let b = &self.config.settings.batch;
        let specs = (0..b.jobs)
            .map(|leaf| {
                workload::job_spec_of(b.job_size, b.job_kind, &self.config.operator, seq, leaf)
            })
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("building the job specs of batch {seq}"))?;
        // The exposure rule, checked before any job runs.
        let p = network.params;
        let work: u128 = specs.iter().map(|s| s.work_units() as u128).sum::<u128>()
            * (10_000 + self.config.settings.faults.inflate_work_bps as u128)
            / 10_000;
        let in_flight = (node.pending_work as u128 + work) * p.reward_per_work_unit as u128;
        // Only bonded stake backs new work (unbonding stake may leave first).
        let covered = node.bonded_tokens()? as u128 * p.max_exposure_bps as u128 / 10_000;
        if in_flight > covered {
            tracing::info!(
                seq,
                "waiting: {} units of unverified work in flight plus this batch exceed the exposure cap",
                node.pending_work
            );
            self.last_build = Some(Instant::now());
            return Ok(None);
        }
        let started = Instant::now();
        let mut jobs: Vec<JobRecord> = Vec::with_capacity(specs.len());
        for (leaf, spec) in specs.into_iter().enumerate() {
            let rec = tokio::task::block_in_place(|| {
                run_job(
                    seq,
                    leaf as u32,
                    spec,
                    self.backend.as_ref(),
                    &self.meter,
                    &self.config.settings.faults,
                )
            })?;
            jobs.push(rec);
        }
        let ph = &self.metrics.phases;
        for j in &jobs {
            ph.add(phases::INPUTS, j.times.inputs);
            ph.add(phases::KERNEL, j.times.kernel);
            ph.add(phases::HASHING, j.times.hashing);
        }
        let hashing = Instant::now();
        let set = receipt_batch(
            &self.config.operator,
            seq,
            jobs.iter().map(|j| (j.spec.shape().clone(), j.receipt)),
        )?;
        let journal = ph.lap(phases::HASHING, hashing);
        self.journal.record_built(seq, &set.root(), &jobs)?;
        ph.lap(phases::JOURNAL, journal);
        self.step_local += started.elapsed().as_secs_f64();
        self.last_build = Some(Instant::now());
        self.run_jobs += jobs.len() as u64;
        let joules: f64 = jobs.iter().map(|j| j.joules).sum();
        let secs: f64 = jobs.iter().map(|j| j.seconds).sum();
        self.metrics.jobs.inc_by(jobs.len() as u64);
        self.metrics.receipts.inc_by(jobs.len() as u64);
        self.metrics.work_units.inc_by(set.total_work());
        self.metrics.job_seconds.inc_by(secs);
        self.metrics
            .energy_joules
            .get_or_create(&vec![(
                "source".to_string(),
                self.meter.source().as_str().to_string(),
            )])
            .inc_by(joules);
        tracing::info!(
            seq,
            jobs = jobs.len(),
            faked = jobs.iter().filter(|j| j.faked).count(),
            work = set.total_work(),
            seconds = format!("{:.2}", started.elapsed().as_secs_f64()),
            joules = format!("{joules:.1}"),
            "batch built and journaled"
        );
        Ok(Some(seq))
    }

    fn receipt_set(&self, jb: &JournalBatch) -> anyhow::Result<ReceiptBatch> {
        let set = receipt_batch(&self.config.operator, jb.seq, self.journal.jobs(jb.seq)?)?;
        if set.root() != jb.root || set.leaf_count() != jb.leaf_count {
            bail!(
                "journal: the receipts of batch {} no longer hash to its root",
                jb.seq
            );
        }
        Ok(set)
    }

    /// Takes one journaled batch as far as the chain allows now.
    async fn follow(
        &mut self,
        jb: &JournalBatch,
        network: &Network,
        node: &Node,
        slot: u64,
    ) -> anyhow::Result<()> {
        let addr = pda::batch(&self.node, jb.seq);
        let Some(batch) = self.client.fetch_opt::<Batch>(&addr).await? else {
            if jb.state == BatchState::Built && jb.seq > node.last_batch_seq {
                return self.submit(jb, network, node).await;
            }
            // It lived and its account was closed while we were not looking.
            if self.journal.finish(jb.seq, "Closed", 0, 0)? {
                tracing::warn!(
                    seq = jb.seq,
                    "batch account closed before its verdict was seen"
                );
                self.metrics.count_batch("closed");
            }
            return Ok(());
        };
        if batch.root != jb.root {
            return Err(anyhow::Error::new(Conflict(format!(
                "batch {addr} (seq {}) on chain has root {} but the journal built {}: is another \
                 agent submitting for this node?",
                jb.seq,
                hex(&batch.root),
                hex(&jb.root)
            ))));
        }
        self.journal
            .advance(jb.seq, BatchState::Submitted, Some(batch.epoch))?;
        match batch.status {
            BatchStatus::Committed => {
                if slot > batch.seal_slot {
                    self.seal(jb.seq, &addr).await?;
                }
            }
            BatchStatus::Sealed => {
                self.journal.advance(jb.seq, BatchState::Sealed, None)?;
                if slot <= batch.reveal_deadline && !self.refused.contains(&jb.seq) {
                    self.reveal(jb, &addr, &batch).await?;
                } else {
                    tracing::warn!(
                        seq = jb.seq,
                        "reveal deadline passed: the batch will be reported missed"
                    );
                }
            }
            BatchStatus::Revealed => {
                if self.journal.advance(jb.seq, BatchState::Sealed, None)? {
                    // Sealed and revealed between two looks.
                }
                if self.journal.advance(jb.seq, BatchState::Revealed, None)? {
                    self.observe_reveal_latency(jb.seq)?;
                }
                if batch.quorum != Quorum::Pending || slot > batch.verify_deadline {
                    let voters = batch.invalid_voters();
                    let current = self.client.current_epoch().await?;
                    let ix = ix::finalize_batch(
                        &self.config.operator,
                        &addr,
                        batch.epoch,
                        current,
                        &voters,
                    );
                    match self.client.send(&[ix], &[&self.key]).await {
                        Ok(_) => {}
                        Err(e)
                            if is_benign(
                                &e,
                                &[
                                    EdgeFuelError::WrongBatchStatus,
                                    EdgeFuelError::NotFinalizable,
                                    EdgeFuelError::EmissionCapExceeded,
                                    EdgeFuelError::WrongEpochStats,
                                ],
                            ) => {}
                        Err(e) => return Err(e).context("finalizing"),
                    }
                }
            }
            status => {
                let outcome = format!("{status:?}");
                if self
                    .journal
                    .finish(jb.seq, &outcome, batch.reward, batch.slashed)?
                {
                    self.metrics.count_batch(&outcome);
                    tracing::info!(
                        seq = jb.seq,
                        outcome,
                        reward = batch.reward,
                        slashed = batch.slashed,
                        "batch final"
                    );
                }
            }
        }
        Ok(())
    }

    fn observe_reveal_latency(&self, seq: u64) -> anyhow::Result<()> {
        if let Some(b) = self.journal.get(seq)? {
            if let (Some(s), Some(r)) = (b.sealed_at, b.revealed_at) {
                self.metrics
                    .reveal_latency_seconds
                    .observe((r - s).max(0.0));
            }
        }
        Ok(())
    }

    async fn submit(
        &mut self,
        jb: &JournalBatch,
        network: &Network,
        node: &Node,
    ) -> anyhow::Result<()> {
        let clock = self.client.clock().await?;
        if !self.may_submit(network, node, clock.unix_timestamp) {
            return Ok(());
        }
        let set = self.receipt_set(jb)?;
        let args = set.submit_args(network.epoch_at(clock.unix_timestamp));
        let epoch = args.epoch;
        let ix = ix::submit_batch(
            &self.key.pubkey(),
            &self.key.pubkey(),
            &self.config.operator,
            args,
        );
        let journal = self.journal.clone();
        let seq = jb.seq;
        let sent = self
            .client
            .send_observed(&[ix], &[&self.key], |sig| {
                if let Err(e) = journal.note_signature(seq, SigKind::Submit, sig) {
                    tracing::error!(%e, "journaling the submit signature");
                }
            })
            .await;
        match sent {
            Ok(sig) => {
                self.journal
                    .advance(seq, BatchState::Submitted, Some(epoch))?;
                tracing::info!(seq, %sig, epoch, "batch submitted");
                Ok(())
            }
            Err(e) if e.is(EdgeFuelError::WrongEpoch) => {
                tracing::info!(seq, "the epoch turned while submitting; retrying");
                Ok(())
            }
            Err(e) if e.is(EdgeFuelError::ExposureExceeded) => {
                tracing::info!(
                    seq,
                    "exposure cap reached: waiting for verdicts before submitting"
                );
                Ok(())
            }
            Err(e) if e.is(EdgeFuelError::NodeJailed) => Ok(()),
            Err(e) if e.logs().iter().any(|l| l.contains("insufficient lamports")) => Err(e)
                .with_context(|| {
                    format!(
                        "submitting batch {seq}: the agent {} cannot pay the batch account's rent \
                         (returned to the operator at close): send it SOL",
                        self.key.pubkey()
                    )
                }),
            Err(e) => Err(e).with_context(|| format!("submitting batch {seq}")),
        }
    }

    async fn seal(&mut self, seq: u64, addr: &Pubkey) -> anyhow::Result<()> {
        let journal = self.journal.clone();
        match self
            .client
            .send_observed(&[ix::seal_batch(addr)], &[&self.key], |sig| {
                if let Err(e) = journal.note_signature(seq, SigKind::Seal, sig) {
                    tracing::error!(%e, "journaling the seal signature");
                }
            })
            .await
        {
            Ok(sig) => {
                self.journal.advance(seq, BatchState::Sealed, None)?;
                tracing::info!(seq, %sig, "batch sealed (nobody else had)");
                Ok(())
            }
            Err(e)
                if is_benign(
                    &e,
                    &[EdgeFuelError::SealTooEarly, EdgeFuelError::WrongBatchStatus],
                ) =>
            {
                Ok(())
            }
            Err(e) if e.is(EdgeFuelError::SealTooLate) => {
                tracing::warn!(
                    seq,
                    "the seal window passed: the batch will be reported missed"
                );
                Ok(())
            }
            Err(e) => Err(e).with_context(|| format!("sealing batch {seq}")),
        }
    }

    async fn reveal(
        &mut self,
        jb: &JournalBatch,
        addr: &Pubkey,
        batch: &Batch,
    ) -> anyhow::Result<()> {
        let set = self.receipt_set(jb)?;
        let items = set.reveal_items(batch)?;
        let count = items.len();
        for chunk in ReceiptBatch::pack_reveals(items) {
            let ix = ix::reveal_samples(&self.key.pubkey(), &self.config.operator, addr, chunk);
            let journal = self.journal.clone();
            let seq = jb.seq;
            match self
                .client
                .send_observed(&[ix], &[&self.key], |sig| {
                    if let Err(e) = journal.note_signature(seq, SigKind::Reveal, sig) {
                        tracing::error!(%e, "journaling a reveal signature");
                    }
                })
                .await
            {
                Ok(_) => {}
                Err(e) if e.is(EdgeFuelError::WrongBatchStatus) => return Ok(()),
                Err(e) if e.is(EdgeFuelError::RevealTooLate) => {
                    tracing::warn!(
                        seq,
                        "reveal deadline passed: the batch will be reported missed"
                    );
                    return Ok(());
                }
                Err(e @ ClientError::Transaction(_)) => {
                    // The program refuses these receipts (e.g. work units
                    // that are not the spec's): retrying cannot help.
                    if self.refused.insert(seq) {
                        tracing::error!(
                            seq,
                            "the program refuses this batch's reveal ({e}); it will be reported missed"
                        );
                    }
                    return Ok(());
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("revealing batch {seq}"));
                }
            }
        }
        let after: Batch = self.client.fetch(addr).await?;
        if after.status == BatchStatus::Revealed {
            self.journal.advance(jb.seq, BatchState::Revealed, None)?;
            self.observe_reveal_latency(jb.seq)?;
            tracing::info!(seq = jb.seq, leaves = count, "sample revealed");
        }
        Ok(())
    }

    /// Claims the operator's rewards on schedule (needs its keypair).
    async fn maybe_claim(&mut self) {
        let Some(op) = &self.operator_key else {
            return;
        };
        let every = Duration::from_secs(self.config.settings.rewards.claim_interval_secs.max(1));
        if self.last_claim.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        self.last_claim = Some(Instant::now());
        let who = op.pubkey();
        let before = match self.client.efuel_balance(&who).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(%e, "reading the operator's EFUEL balance");
                return;
            }
        };
        let epochs = match self.client.stake_epochs(&self.node, &who).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(%e, "reading the operator's delegation");
                return;
            }
        };
        match self
            .client
            .send(&[ix::claim_rewards(&who, &self.node, epochs)], &[op])
            .await
        {
            Ok(sig) => {
                let after = self.client.efuel_balance(&who).await.unwrap_or(before);
                let amount = after.saturating_sub(before);
                if let Err(e) = self.journal.record_claim(amount, &sig) {
                    tracing::error!(%e, "journaling a claim");
                }
                tracing::info!(amount, %sig, "rewards claimed");
            }
            Err(e) if e.is(EdgeFuelError::NothingToClaim) => {}
            Err(e) => tracing::warn!(%e, "claiming rewards"),
        }
    }

    /// Dashboard figures that need more reads: epochs, delegators, totals.
    async fn refresh_slow(&mut self, network: &Network) {
        if self
            .last_slow_refresh
            .is_some_and(|t| t.elapsed() < Duration::from_secs(3))
        {
            return;
        }
        self.last_slow_refresh = Some(Instant::now());
        let mut epochs = Vec::new();
        if let Ok(clock) = self.client.clock().await {
            let current = network.epoch_at(clock.unix_timestamp);
            for epoch in current.saturating_sub(7)..=current {
                if let Ok(Some(s)) = self
                    .client
                    .fetch_opt::<NodeEpochStats>(&pda::node_epoch(&self.node, epoch))
                    .await
                {
                    epochs.push(EpochEarning {
                        epoch,
                        rewards: s.rewards,
                        slashed: s.slashed,
                        work_credited: s.work_credited,
                        accepted: s.batches_accepted,
                        rejected: s.batches_rejected,
                        missed: s.batches_missed,
                        expired: s.batches_expired,
                    });
                }
            }
        }
        let delegators = match self.client.delegations_of_node(&self.node).await {
            Ok(list) => match self.client.node(&self.config.operator).await {
                Ok(node) => list
                    .iter()
                    .map(|(_, d)| Delegator {
                        staker: d.staker.to_string(),
                        tokens: d.bonded_tokens(&node).unwrap_or(0),
                    })
                    .collect(),
                Err(_) => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        let lamports = self.client.sol_balance(&self.key.pubkey()).await.ok();
        let warning = lamports
            .filter(|l| *l < crate::doctor::MIN_AGENT_LAMPORTS)
            .map(|l| {
                format!(
                    "the agent {} holds {} lamports: send it SOL for batch rent (returned to the operator at close)",
                    self.key.pubkey(),
                    l
                )
            });
        if let Some(w) = &warning {
            tracing::warn!("{w}");
        }
        let totals = self.journal.totals().unwrap_or_default();
        let all = self.journal.all().unwrap_or_default();
        let earned: u64 = all.iter().map(|b| b.reward).sum();
        let slashed: u64 = all.iter().map(|b| b.slashed).sum();
        let recent = self.journal.recent(20).unwrap_or_default();
        let jps = self.run_jobs as f64 / self.run_started.elapsed().as_secs_f64().max(1e-9);
        let per_job = if totals.jobs > 0 {
            totals.joules / totals.jobs as f64
        } else {
            0.0
        };
        let per_joule = if totals.joules > 0.0 {
            totals.work_units as f64 / totals.joules
        } else {
            0.0
        };
        let kwh = totals.joules / 3.6e6;
        let per_kwh = if kwh > 0.0 {
            earned as f64 / EFUEL / kwh
        } else {
            0.0
        };
        self.metrics.efuel_earned.set(earned as f64 / EFUEL);
        self.metrics
            .efuel_claimed
            .set(totals.claimed as f64 / EFUEL);
        self.metrics.joules_per_job.set(per_job);
        self.metrics.work_units_per_joule.set(per_joule);
        self.metrics.efuel_per_kwh.set(per_kwh);
        self.set_status(|s| {
            s.epochs = epochs;
            s.delegators = delegators;
            s.totals = totals;
            s.earned = earned;
            s.slashed = slashed;
            s.recent = recent;
            s.jobs_per_second = jps;
            if let Some(l) = lamports {
                s.agent_lamports = l;
            }
            s.warning = warning;
            s.joules_per_job = per_job;
            s.work_units_per_joule = per_joule;
            s.efuel_per_kwh = per_kwh;
        });
    }
}

/// A state that retrying cannot fix (the journal and the chain disagree).
#[derive(Debug)]
pub struct Conflict(pub String);

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Conflict {}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
