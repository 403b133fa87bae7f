//! The verifier's watch loop: scan batches, vote, crank.
use crate::metrics::{Metrics, Status};
use crate::review::{review, Review};
use crate::settings::VerifierConfig;
use anyhow::Context;
use edgefuel_client::accounts;
use edgefuel_client::edgefuel::error::EdgeFuelError;
use edgefuel_client::edgefuel::instructions::batch::report_missed::is_missed;
use edgefuel_client::edgefuel::{Batch, BatchStatus, Node, Quorum, Verdict};
use edgefuel_client::solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig,
};
use edgefuel_client::{ix, ClientError, CommitmentConfig, EdgeFuelClient, Instruction, Pubkey};
use edgefuel_daemon::phases;
use edgefuel_daemon::Shutdown;
use edgefuel_jobs::Backend;
use futures_util::StreamExt;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_keypair::Keypair;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_signer::Signer;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub struct Verifier {
    pub config: VerifierConfig,
    pub client: EdgeFuelClient,
    pub key: Keypair,
    pub backend: Box<dyn Backend>,
    pub metrics: Arc<Metrics>,
    pub status: Arc<RwLock<Status>>,
    pub shutdown: Shutdown,
    wake: Arc<Notify>,
    /// Reviews whose vote has not landed yet (a failed send is retried
    /// without re-executing).
    reviews: HashMap<Pubkey, Review>,
    first_seen_revealed: HashMap<Pubkey, Instant>,
    operators: HashMap<Pubkey, Pubkey>,
    /// Batches we said we cannot review (said once).
    stuck: HashSet<Pubkey>,
    /// Seconds of the current scan spent re-executing (the rest of the scan
    /// is the chain phase).
    scan_local: f64,
}

fn benign(e: &ClientError, errors: &[EdgeFuelError]) -> bool {
    errors.iter().any(|x| e.is(*x))
}

impl Verifier {
    pub fn new(
        config: VerifierConfig,
        key: Keypair,
        backend: Box<dyn Backend>,
        device_note: Option<String>,
        metrics: Arc<Metrics>,
        shutdown: Shutdown,
    ) -> Self {
        let client = EdgeFuelClient::new(
            config.settings.rpc_url.clone(),
            CommitmentConfig::confirmed(),
        );
        let status = Status {
            verifier: key.pubkey().to_string(),
            device: backend.name(),
            device_note,
            crank: config.settings.crank,
            ..Status::default()
        };
        Verifier {
            config,
            client,
            key,
            backend,
            metrics,
            status: Arc::new(RwLock::new(status)),
            shutdown,
            wake: Arc::new(Notify::new()),
            reviews: HashMap::new(),
            first_seen_revealed: HashMap::new(),
            operators: HashMap::new(),
            stuck: HashSet::new(),
            scan_local: 0.0,
        }
    }

    fn set_status(&self, f: impl FnOnce(&mut Status)) {
        let mut s = self.status.write().unwrap_or_else(|p| p.into_inner());
        f(&mut s);
    }

    pub async fn run(&mut self) -> anyhow::Result<()> {
        tokio::spawn(watch(
            self.config.ws_url.clone(),
            self.wake.clone(),
            self.metrics.clone(),
            self.status.clone(),
            self.shutdown.clone(),
        ));
        tracing::info!(
            verifier = %self.key.pubkey(),
            device = %self.backend.name(),
            crank = self.config.settings.crank,
            "verifier running"
        );
        let poll = Duration::from_secs_f64(self.config.settings.poll_interval_secs);
        let mut failures: u32 = 0;
        while !self.shutdown.is_set() {
            let step = Instant::now();
            self.scan_local = 0.0;
            let result = self.scan().await;
            self.metrics.phases.end_step(step, self.scan_local);
            let pause = match result {
                Ok(()) => {
                    if failures > 0 {
                        tracing::info!("chain reachable again; resuming");
                    }
                    failures = 0;
                    self.set_status(|s| {
                        s.rpc_ok = true;
                        s.last_error = None;
                    });
                    poll
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    self.metrics.rpc_errors.inc();
                    let text = format!("{e:#}");
                    self.set_status(|s| {
                        s.rpc_ok = false;
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
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(pause) => {}
                _ = self.shutdown.wait() => break,
            }
            self.metrics.phases.lap(phases::IDLE, idle);
        }
        tracing::info!("verifier stopped");
        Ok(())
    }

    /// One pass over every batch account.
    pub async fn scan(&mut self) -> anyhow::Result<()> {
        let me = self.key.pubkey();
        let network = self
            .client
            .network()
            .await
            .context("reading the Network account")?;
        let in_set = network.is_verifier(&me);
        self.set_status(|s| s.in_verifier_set = in_set);
        let slot = self.client.slot().await?;
        let batches: Vec<(Pubkey, Batch)> = self
            .client
            .list(accounts::all_batches())
            .await
            .context("listing batches")?;
        let live: HashSet<Pubkey> = batches.iter().map(|(a, _)| *a).collect();
        self.reviews.retain(|a, _| live.contains(a));
        self.first_seen_revealed.retain(|a, _| live.contains(a));
        let crank = self.config.settings.crank;
        for (addr, b) in batches {
            if self.shutdown.is_set() {
                break;
            }
            match b.status {
                BatchStatus::Committed if crank && slot > b.seal_slot => {
                    if is_missed(&b, slot).unwrap_or(false) {
                        self.report_missed(&addr, &b).await?;
                    } else {
                        self.crank(
                            "seal",
                            &addr,
                            ix::seal_batch(&addr),
                            &[
                                EdgeFuelError::SealTooEarly,
                                EdgeFuelError::SealTooLate,
                                EdgeFuelError::WrongBatchStatus,
                            ],
                        )
                        .await?;
                    }
                }
                BatchStatus::Sealed if crank && slot > b.reveal_deadline => {
                    self.report_missed(&addr, &b).await?;
                }
                BatchStatus::Revealed => {
                    self.first_seen_revealed
                        .entry(addr)
                        .or_insert_with(Instant::now);
                    let mut b = b;
                    if in_set
                        && !b.has_voted(&me)
                        && slot <= b.verify_deadline
                        && self.vote(&addr, &b).await?
                    {
                        b = self.client.fetch(&addr).await?;
                    }
                    if crank && (b.quorum != Quorum::Pending || slot > b.verify_deadline) {
                        let op = self.operator_of(&b.node).await?;
                        let current = self.client.current_epoch().await?;
                        let ix =
                            ix::finalize_batch(&op, &addr, b.epoch, current, &b.invalid_voters());
                        self.crank(
                            "finalize",
                            &addr,
                            ix,
                            &[
                                EdgeFuelError::NotFinalizable,
                                EdgeFuelError::WrongBatchStatus,
                                EdgeFuelError::EmissionCapExceeded,
                                EdgeFuelError::WrongBountyAccounts,
                                // The epoch turned between reading the clock and landing.
                                EdgeFuelError::WrongEpochStats,
                            ],
                        )
                        .await?;
                    }
                }
                s if s.is_final()
                    && crank
                    && slot
                        >= b.finalized_slot
                            .saturating_add(self.config.settings.close_delay_slots) =>
                {
                    let op = self.operator_of(&b.node).await?;
                    self.crank(
                        "close",
                        &addr,
                        ix::close_batch(&op, &addr),
                        &[EdgeFuelError::BatchNotFinal],
                    )
                    .await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn operator_of(&mut self, node: &Pubkey) -> anyhow::Result<Pubkey> {
        if let Some(op) = self.operators.get(node) {
            return Ok(*op);
        }
        let n: Node = self.client.fetch(node).await?;
        self.operators.insert(*node, n.operator);
        Ok(n.operator)
    }

    async fn report_missed(&mut self, addr: &Pubkey, b: &Batch) -> anyhow::Result<()> {
        let op = self.operator_of(&b.node).await?;
        let current = self.client.current_epoch().await?;
        self.crank(
            "report_missed",
            addr,
            ix::report_missed(&op, addr, b.epoch, current),
            &[
                EdgeFuelError::NotMissed,
                EdgeFuelError::WrongBatchStatus,
                EdgeFuelError::WrongEpochStats,
            ],
        )
        .await
    }

    /// Sends a permissionless instruction; refusals in `expected` (someone
    /// else was first, or it is not time yet) are not errors. A batch
    /// account closed meanwhile is not either.
    async fn crank(
        &mut self,
        what: &'static str,
        addr: &Pubkey,
        ix: Instruction,
        expected: &[EdgeFuelError],
    ) -> anyhow::Result<()> {
        match self.client.send(&[ix], &[&self.key]).await {
            Ok(sig) => {
                Metrics::count(&self.metrics.cranks, "kind", what);
                self.set_status(|s| s.cranks += 1);
                tracing::info!(batch = %addr, %sig, "{what}");
                Ok(())
            }
            Err(e) if benign(&e, expected) => Ok(()),
            Err(e @ ClientError::Transaction(_)) => {
                // Another cranker changed the account between our read and
                // our send; the next scan sees the new state.
                tracing::debug!(batch = %addr, "{what} refused: {e}");
                Ok(())
            }
            Err(e) => Err(e).with_context(|| format!("{what} of batch {addr}")),
        }
    }

    /// Reviews (or reuses the review of) a revealed batch and votes.
    /// Returns whether a vote landed.
    async fn vote(&mut self, addr: &Pubkey, b: &Batch) -> anyhow::Result<bool> {
        let review = match self.reviews.get(addr) {
            Some(r) => r.clone(),
            None => {
                let r = tokio::task::block_in_place(|| review(b, self.backend.as_ref()));
                self.metrics.samples_checked.inc_by(r.checked as u64);
                self.metrics.reexec_seconds.inc_by(r.seconds);
                self.metrics.reexec_work_units.inc_by(r.work_units);
                let ph = &self.metrics.phases;
                ph.add(phases::INPUTS, r.times.inputs);
                ph.add(phases::KERNEL, r.times.kernel);
                ph.add(phases::HASHING, r.times.hashing);
                self.scan_local += r.times.inputs + r.times.kernel + r.times.hashing;
                self.set_status(|s| {
                    s.samples_checked += r.checked as u64;
                    s.reexec_seconds += r.seconds;
                    s.reexec_work_units += r.work_units;
                });
                self.reviews.insert(*addr, r.clone());
                r
            }
        };
        let Some(verdict) = review.verdict else {
            if self.stuck.insert(*addr) {
                tracing::warn!(
                    batch = %addr,
                    "no vote: {}",
                    review.problem.as_deref().unwrap_or("could not re-execute")
                );
            }
            return Ok(false);
        };
        let ix = ix::vote(&self.key.pubkey(), addr, verdict);
        match self.client.send(&[ix], &[&self.key]).await {
            Ok(sig) => {
                let (name, detail) = match verdict {
                    Verdict::Valid => (
                        "valid",
                        format!("{}/{} match", review.matched, review.checked),
                    ),
                    Verdict::Invalid { leaf_index, .. } => (
                        "invalid",
                        review
                            .problem
                            .clone()
                            .unwrap_or_else(|| format!("leaf {leaf_index}")),
                    ),
                };
                Metrics::count(&self.metrics.verdicts, "verdict", name);
                if let Some(t) = self.first_seen_revealed.get(addr) {
                    self.metrics
                        .vote_latency_seconds
                        .observe(t.elapsed().as_secs_f64());
                }
                tracing::info!(batch = %addr, seq = b.seq, %sig, verdict = name, "{detail}");
                self.set_status(|s| {
                    match verdict {
                        Verdict::Valid => s.votes_valid += 1,
                        Verdict::Invalid { .. } => s.votes_invalid += 1,
                    }
                    s.recent_votes
                        .insert(0, (addr.to_string(), name.to_string(), detail));
                    s.recent_votes.truncate(20);
                });
                self.reviews.remove(addr);
                Ok(true)
            }
            Err(e) if e.is(EdgeFuelError::AlreadyVoted) => {
                // Our earlier vote landed (e.g. just before a restart).
                self.reviews.remove(addr);
                Ok(false)
            }
            Err(e)
                if benign(
                    &e,
                    &[EdgeFuelError::VotingClosed, EdgeFuelError::WrongBatchStatus],
                ) =>
            {
                self.reviews.remove(addr);
                Ok(false)
            }
            Err(e) => Err(e).with_context(|| format!("voting on batch {addr}")),
        }
    }
}

/// Keeps a `programSubscribe` open and wakes the scan on every change;
/// reconnects every 5 s while the websocket is down (polling goes on).
async fn watch(
    ws_url: String,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
    status: Arc<RwLock<Status>>,
    shutdown: Shutdown,
) {
    let set_ws = |up: bool| {
        status.write().unwrap_or_else(|p| p.into_inner()).websocket = up;
    };
    let mut said = false;
    loop {
        match PubsubClient::new(&ws_url).await {
            Ok(client) => {
                let config = RpcProgramAccountsConfig {
                    filters: Some(accounts::all_batches()),
                    account_config: RpcAccountInfoConfig {
                        encoding: Some(UiAccountEncoding::Base64),
                        ..RpcAccountInfoConfig::default()
                    },
                    ..RpcProgramAccountsConfig::default()
                };
                match client
                    .program_subscribe(&edgefuel_client::edgefuel::ID, Some(config))
                    .await
                {
                    Ok((mut stream, _unsubscribe)) => {
                        set_ws(true);
                        said = false;
                        tracing::info!("watching batches over {ws_url} (programSubscribe)");
                        loop {
                            tokio::select! {
                                n = stream.next() => match n {
                                    Some(_) => {
                                        metrics.notifications.inc();
                                        wake.notify_one();
                                    }
                                    None => break,
                                },
                                _ = shutdown.wait() => return,
                            }
                        }
                    }
                    Err(e) => tracing::warn!(%e, "programSubscribe on {ws_url} refused; polling"),
                }
            }
            Err(e) => {
                if !said {
                    tracing::warn!(%e, "no websocket at {ws_url}; polling until it answers");
                    said = true;
                }
            }
        }
        set_ws(false);
        if !shutdown.sleep(Duration::from_secs(5)).await {
            return;
        }
    }
}
