//! The story, step by step, over JSON-RPC through `edgefuel-client`:
//!
//! - step 1: a chain (started here, or `--url`);
//! - step 2: an operator and two stakers are funded from a wallet of the
//!   chain's keys directory;
//! - steps 3–4: the operator registers a GPU node and self-stakes; the
//!   stakers delegate;
//! - steps 5–10: the node agent runs real jobs on the CPU and takes a batch
//!   through commit, seal and reveal; two verifiers re-execute the sample on
//!   the GPU and vote Valid; the batch is finalized and everyone claims
//!   exactly the expected EFUEL;
//! - steps 11–16: a second batch from a lazy agent (no job run) is caught, rejected
//!   and slashed; the node is jailed.
use crate::agent::{self, AgentBatch, JobSize};
use crate::expected;
use crate::summary::*;
use crate::verifier::{self, Device};
use crate::{Options, Out};
use anyhow::{anyhow, bail, ensure, Context};
use edgefuel_client::amount::EFUEL;
use edgefuel_client::anchor_lang::prelude::Clock;
use edgefuel_client::anchor_lang::solana_program::system_instruction;
use edgefuel_client::anchor_lang::solana_program::sysvar::SysvarId;
use edgefuel_client::edgefuel::proof;
use edgefuel_client::edgefuel::{
    Batch, BatchStatus, Delegation, Network, Node, NodeMetadata, SubmitBatchArgs, Verdict,
};
use edgefuel_client::{
    cluster, ix, pda, ClientError, CommitmentConfig, EdgeFuelClient, ReceiptBatch,
};
use edgefuel_client::{Instruction, Pubkey};
use edgefuel_jobs::CpuBackend;
use edgefuel_launch::LocalChain;
use indicatif::{ProgressBar, ProgressStyle};
use solana_keypair::{read_keypair_file, Keypair};
use solana_signer::Signer;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The operator's own stake (raised to `min_node_stake` if that is higher).
pub const OPERATOR_STAKE: u64 = 1_500 * EFUEL;
/// Alice's delegation.
pub const ALICE_STAKE: u64 = 300 * EFUEL;
/// Bob's delegation.
pub const BOB_STAKE: u64 = 200 * EFUEL;
/// The node's commission (capped at `max_commission_bps`).
pub const COMMISSION_BPS: u16 = 500;
/// SOL (lamports) each new party gets for fees and rent.
const SOL_EACH: u64 = 1_000_000_000;
/// A verifier with less SOL than this is topped up to it.
const VERIFIER_MIN_SOL: u64 = 100_000_000;

/// A person in the story.
struct Party {
    name: &'static str,
    key: Keypair,
    stake: u64,
}

/// Everything the rounds share.
struct Ctx {
    out: Out,
    client: EdgeFuelClient,
    network: Network,
    operator: Party,
    alice: Party,
    bob: Party,
    verifiers: Vec<Keypair>,
    device: Device,
    /// Whether the CPU fallback note was printed already.
    device_noted: std::cell::Cell<bool>,
    progress: bool,
    size: JobSize,
}

impl Ctx {
    fn op(&self) -> Pubkey {
        self.operator.key.pubkey()
    }

    fn node(&self) -> Pubkey {
        pda::node(&self.op())
    }

    fn parties(&self) -> [&Party; 3] {
        [&self.operator, &self.alice, &self.bob]
    }

    async fn send(
        &self,
        what: &str,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> anyhow::Result<String> {
        self.client
            .send(instructions, signers)
            .await
            .map_err(|e| failed(what, self.client.url(), e))
    }
}

/// A refused transaction as an error that names the step and shows the
/// program's logs.
pub(crate) use edgefuel_launch::operator::refused as failed;

/// The name of the program error in a refused transaction, if any.
fn program_error(e: &ClientError) -> Option<&str> {
    match e {
        ClientError::Transaction(f) => f.program_error.as_ref().map(|p| p.name.as_str()),
        _ => None,
    }
}

pub async fn run(opts: Options) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let out = Out { json: opts.json };
    let chain: LocalChain;
    let (url, keys_dir, mode) = match &opts.url {
        Some(given) => {
            let url = cluster::resolve_url(given)?;
            let keys = match &opts.keys {
                Some(k) => k.clone(),
                None => default_keys_dir(),
            };
            out.step(1, format!("Using the running chain at {url}"));
            out.line(format!("  keypairs from {}", keys.display()));
            (url, keys, "external")
        }
        None => {
            out.step(
                1,
                "Starting a local EdgeFuel chain (JSON-RPC on a free loopback port)",
            );
            chain = LocalChain::start()?;
            out.line(format!(
                "  {} is up in {:.2} s: the EdgeFuel program (native), SPL Token, slots every 400 ms",
                chain.url,
                chain.boot.as_secs_f64()
            ));
            out.line(format!(
                "  default bootstrap: network initialized, 3 verifiers, funded keypairs in {}",
                chain.keys_dir.display()
            ));
            (chain.url.clone(), chain.keys_dir.clone(), "started")
        }
    };

    let client = EdgeFuelClient::new(url.clone(), CommitmentConfig::confirmed());
    let network = client.network().await.with_context(|| {
        format!("reading the EdgeFuel network at {url}: is the chain up and bootstrapped?")
    })?;
    let p = network.params;
    out.line(format!(
        "  network {}: {} of {} verifiers decide, reward {} base unit(s) per work unit, \
         sample {} bps (min {}, max {}), fraud slash {} bps, bounty {} bps",
        short(&pda::network().to_string()),
        network.verifier_threshold,
        network.verifier_set().len(),
        p.reward_per_work_unit,
        p.sample_bps,
        p.min_samples,
        p.max_samples,
        p.slash_fraud_bps,
        p.verifier_bounty_bps
    ));

    let ctx = setup(out, client, network, &keys_dir, &opts).await?;
    let honest = honest_round(&ctx, opts.jobs).await?;
    let fraud = fraud_round(&ctx, opts.jobs).await?;

    let summary = Summary {
        url,
        chain: mode.to_string(),
        program: edgefuel_client::edgefuel::ID.to_string(),
        job_size: format!("{:?}", ctx.size).to_lowercase(),
        verifier_device: ctx.device.name(),
        verifier_device_note: ctx.device.note.clone(),
        params: ParamsSummary {
            reward_per_work_unit: p.reward_per_work_unit,
            commission_bps: ctx.client.node(&ctx.op()).await?.commission_bps,
            sample_bps: p.sample_bps,
            min_samples: p.min_samples,
            max_samples: p.max_samples,
            seal_delay_slots: p.seal_delay_slots,
            slash_fraud_bps: p.slash_fraud_bps,
            verifier_bounty_bps: p.verifier_bounty_bps,
            verifier_threshold: ctx.network.verifier_threshold,
        },
        parties: Parties {
            operator: ctx.op().to_string(),
            node: ctx.node().to_string(),
            alice: ctx.alice.key.pubkey().to_string(),
            bob: ctx.bob.key.pubkey().to_string(),
            verifiers: ctx
                .verifiers
                .iter()
                .map(|v| v.pubkey().to_string())
                .collect(),
        },
        honest,
        fraud,
        checks_passed: true,
        elapsed_seconds: started.elapsed().as_secs_f64(),
    };
    out.line(format!(
        "\nDone in {:.1} s: verified work paid exactly, fake work caught and slashed exactly.",
        summary.elapsed_seconds
    ));
    Ok(summary)
}

/// `~/.config/edgefuel/localnet`: where `edgefuel-localnet` keeps its keys.
fn default_keys_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".config/edgefuel/localnet")
}

/// Every keypair file (`*.json`) in `dir`; other files are ignored.
pub(crate) fn load_keypairs(dir: &Path) -> anyhow::Result<Vec<(PathBuf, Keypair)>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading the keys directory {}", dir.display()))?;
    let mut keys = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json") {
            if let Ok(k) = read_keypair_file(&path) {
                keys.push((path, k));
            }
        }
    }
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(keys)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Steps 2–4: fund the parties, register the node, delegate.
async fn setup(
    out: Out,
    client: EdgeFuelClient,
    network: Network,
    keys_dir: &Path,
    opts: &Options,
) -> anyhow::Result<Ctx> {
    let p = network.params;
    let threshold = network.verifier_threshold as usize;
    let wallets = load_keypairs(keys_dir)?;
    let verifiers: Vec<Keypair> = network
        .verifier_set()
        .iter()
        .filter_map(|v| wallets.iter().find(|(_, k)| k.pubkey() == *v))
        .map(|(_, k)| k.insecure_clone())
        .take(threshold)
        .collect();
    ensure!(
        verifiers.len() == threshold,
        "{} holds {} of the network's verifier keypairs; {threshold} are needed to reach a quorum",
        keys_dir.display(),
        verifiers.len()
    );

    let op_stake = OPERATOR_STAKE.max(p.min_node_stake);
    let operator = Party {
        name: "operator",
        key: Keypair::new(),
        stake: op_stake,
    };
    let alice = Party {
        name: "alice",
        key: Keypair::new(),
        stake: ALICE_STAKE,
    };
    let bob = Party {
        name: "bob",
        key: Keypair::new(),
        stake: BOB_STAKE,
    };
    let efuel_needed = op_stake + ALICE_STAKE + BOB_STAKE;
    // The wallet with the most EFUEL pays (the genesis owner on a local chain).
    let mut funder: Option<(u64, &PathBuf, &Keypair)> = None;
    for (path, k) in &wallets {
        let efuel = client.efuel_balance(&k.pubkey()).await?;
        if funder.is_none_or(|(best, _, _)| efuel > best) {
            funder = Some((efuel, path, k));
        }
    }
    let Some((funder_efuel, funder_path, funder)) = funder else {
        bail!("{} holds no keypair files", keys_dir.display());
    };
    ensure!(
        funder_efuel >= efuel_needed,
        "no wallet in {} holds the {} EFUEL the demo stakes (the richest, {}, has {})",
        keys_dir.display(),
        efuel9(efuel_needed),
        file_name(funder_path),
        efuel9(funder_efuel)
    );

    out.step(
        2,
        format!(
            "Funding an operator and two stakers from {} ({} EFUEL)",
            file_name(funder_path),
            efuel9(funder_efuel)
        ),
    );
    let f = funder.pubkey();
    let mut sol = Vec::new();
    let mut efuel = Vec::new();
    for party in [&operator, &alice, &bob] {
        let who = party.key.pubkey();
        sol.push(system_instruction::transfer(&f, &who, SOL_EACH));
        sol.push(ix::create_efuel_ata(&f, &who));
        efuel.push(
            ix::transfer_efuel(&f, &who, party.stake)
                .map_err(|e| anyhow!("building the EFUEL transfer to {who}: {e}"))?,
        );
    }
    // Verifiers receive the fraud bounty in their EFUEL accounts.
    for v in &verifiers {
        efuel.push(ix::create_efuel_ata(&f, &v.pubkey()));
        if client.sol_balance(&v.pubkey()).await? < VERIFIER_MIN_SOL {
            efuel.push(system_instruction::transfer(
                &f,
                &v.pubkey(),
                VERIFIER_MIN_SOL,
            ));
        }
    }
    let ctx = Ctx {
        out,
        client,
        network,
        operator,
        alice,
        bob,
        verifiers,
        device: Device::open(),
        device_noted: Default::default(),
        progress: opts.progress,
        size: opts.size,
    };
    ctx.send("funding SOL and EFUEL accounts", &sol, &[funder])
        .await?;
    ctx.send("funding EFUEL stakes", &efuel, &[funder]).await?;
    for party in ctx.parties() {
        out.line(format!(
            "  {:<8} {}  1 SOL, {} EFUEL",
            party.name,
            party.key.pubkey(),
            efuel9(party.stake)
        ));
    }

    // 3. Register and self-stake in one transaction.
    let commission_bps = COMMISSION_BPS.min(p.max_commission_bps);
    out.step(
        3,
        format!(
            "The operator registers a GPU node (RTX 4090, eu-west, {}% commission) and self-stakes {} EFUEL",
            commission_bps as f64 / 100.0,
            efuel9(op_stake)
        ),
    );
    let op = ctx.op();
    let metadata = NodeMetadata {
        endpoint: "https://gpu-node-1.edgefuel.example:7443".into(),
        gpu_model: "RTX 4090".into(),
        vram_mib: 24_576,
        region: "eu-west".into(),
        commission_bps,
    };
    let epochs = ctx.client.stake_epochs(&ctx.node(), &op).await?;
    ctx.send(
        "registering the node",
        &[
            ix::register_node(&op, metadata),
            ix::delegate(&op, &ctx.node(), op_stake, epochs),
        ],
        &[&ctx.operator.key],
    )
    .await?;
    out.line(format!(
        "  node {} registered; operator stake {} EFUEL (minimum {})",
        ctx.node(),
        efuel9(op_stake),
        efuel9(p.min_node_stake)
    ));

    // 4. Delegations.
    out.step(4, "Two stakers delegate to the node");
    for staker in [&ctx.alice, &ctx.bob] {
        ctx.send(
            &format!("{} delegating", staker.name),
            &[ix::delegate(
                &staker.key.pubkey(),
                &ctx.node(),
                staker.stake,
                ctx.client
                    .stake_epochs(&ctx.node(), &staker.key.pubkey())
                    .await?,
            )],
            &[&staker.key],
        )
        .await?;
        out.line(format!(
            "  {:<8} delegates {} EFUEL",
            staker.name,
            efuel9(staker.stake)
        ));
    }
    let node = ctx.client.node(&op).await?;
    out.line(format!(
        "  pool: {} EFUEL backing {} shares, {} of them bonded",
        efuel9(node.pool_tokens),
        node.pool_shares,
        node.bonded_shares
    ));
    // Stake earns from batches of the epoch after it was delegated: the
    // local chain moves its clock there instead of waiting.
    let epoch = ctx.client.advance_local_to_next_epoch().await?;
    out.line(format!(
        "  the stake activates in reward epoch {epoch} (the local chain's clock moved to its start)"
    ));
    Ok(ctx)
}

/// The chain's unix time (Clock sysvar).
async fn chain_time(client: &EdgeFuelClient) -> anyhow::Result<i64> {
    let acc = client
        .account(&Clock::id())
        .await?
        .context("the Clock sysvar is missing")?;
    let clock: Clock = solana_account::from_account(&acc).context("decoding the Clock sysvar")?;
    Ok(clock.unix_timestamp)
}

/// A progress bar for `n` jobs (hidden when not wanted or not on a terminal).
fn job_progress(ctx: &Ctx, n: u32) -> ProgressBar {
    if !ctx.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n as u64);
    if let Ok(style) =
        ProgressStyle::with_template("  running jobs {bar:40.cyan/blue} {pos}/{len} {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

/// The agent runs a batch's jobs on the CPU and prints what it committed to.
async fn run_agent(ctx: &Ctx, seq: u64, count: u32, lazy: bool) -> anyhow::Result<AgentBatch> {
    // The program caps the reward a node may have in flight by its stake:
    // say so before running anything.
    let specs = agent::job_specs(ctx.size, &ctx.op(), seq, count)?;
    let work: u64 = specs.iter().map(|s| s.work_units()).sum();
    let node = ctx.client.node(&ctx.op()).await?;
    let cap = (node.bonded_tokens()? as u128 * ctx.network.params.max_exposure_bps as u128 / 10_000)
        as u64;
    let reward = work.saturating_mul(ctx.network.params.reward_per_work_unit);
    ensure!(
        reward <= cap,
        "{count} {:?} jobs would put {} EFUEL of unverified reward in flight, above the node's \
         exposure cap of {} EFUEL (max_exposure_bps of its bonded stake): use fewer --jobs or a smaller --size",
        ctx.size,
        efuel9(reward),
        efuel9(cap)
    );
    let cpu = CpuBackend::new();
    let bar = job_progress(ctx, count);
    let batch = agent::run_batch(&ctx.op(), seq, specs, lazy, &cpu, &bar)?;
    let mix: Vec<String> = batch
        .mix()
        .iter()
        .map(|(k, n)| format!("{n} × {k}"))
        .collect();
    let ran = if lazy { 0 } else { batch.specs.len() };
    ctx.out.line(format!(
        "  ran {ran} of {} jobs ({}) on the CPU [{}] in {:.2} s",
        batch.specs.len(),
        mix.join(", "),
        batch.device,
        batch.elapsed.as_secs_f64(),
    ));
    ctx.out.line(format!(
        "  {} receipts, {} work units (multiply-accumulates), sum-tree root {}",
        batch.batch.leaf_count(),
        batch.total_work(),
        short(&hex(&batch.batch.root()))
    ));
    Ok(batch)
}

/// Commit, seal, reveal. Returns the batch address, its account after the
/// reveal, and the number of reveal transactions.
async fn commit_seal_reveal(
    ctx: &Ctx,
    agent: &AgentBatch,
    step: u32,
) -> anyhow::Result<(Pubkey, Batch, usize)> {
    let out = ctx.out;
    let op = ctx.op();
    let leaf_count = agent.batch.leaf_count();
    let total_work = agent.total_work();
    out.step(step, format!("The agent commits batch #{}", agent.seq()));
    let addr = agent.batch.key();
    let mut tries = 0;
    loop {
        let epoch = ctx.network.epoch_at(chain_time(&ctx.client).await?);
        let args = agent.batch.submit_args(epoch);
        match ctx
            .client
            .send(
                &[ix::submit_batch(&op, &op, &op, args)],
                &[&ctx.operator.key],
            )
            .await
        {
            Ok(_) => break,
            // The epoch turned between reading the clock and landing.
            Err(e) if program_error(&e) == Some("WrongEpoch") && tries < 2 => tries += 1,
            Err(e) => return Err(failed("submitting the batch", ctx.client.url(), e)),
        }
    }
    let batch: Batch = ctx.client.fetch(&addr).await?;
    out.line(format!(
        "  batch {} committed in slot {}: root, {leaf_count} leaves, {total_work} work units \
         (one transaction, whatever the size)",
        short(&addr.to_string()),
        batch.submitted_slot
    ));

    // Seal: the sample comes from a slot hash the node could not know.
    out.step(step + 1, "Anyone seals it once the seal slot has passed");
    let rpc = ctx.client.rpc();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let slot = rpc.get_slot().await.context("getSlot")?;
        if slot > batch.seal_slot {
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "the chain is stuck at slot {slot} (waiting for slot {})",
            batch.seal_slot + 1
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut tries = 0;
    loop {
        match ctx
            .client
            .send(&[ix::seal_batch(&addr)], &[&ctx.operator.key])
            .await
        {
            Ok(_) => break,
            Err(e) if program_error(&e) == Some("SealTooEarly") && tries < 20 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            Err(e) => return Err(failed("sealing the batch", ctx.client.url(), e)),
        }
    }
    let batch: Batch = ctx.client.fetch(&addr).await?;
    let p = ctx.network.params;
    let k = proof::sample_count(
        leaf_count as u64,
        p.sample_bps,
        p.min_samples,
        p.max_samples,
    );
    let drawn = batch.sample().to_vec();
    ensure!(
        drawn == proof::sample_points(&batch.seed, batch.total_work, k),
        "the on-chain sample of {addr} is not the one its seed gives"
    );
    let leaves = agent.batch.sampled_leaves(&drawn)?;
    out.line(format!(
        "  seal slot {} → seed {} → {} points in {} work units → leaves {:?} of {leaf_count}",
        batch.seal_slot,
        short(&hex(&batch.seed)),
        drawn.len(),
        batch.total_work,
        leaves
    ));

    // Reveal, as many items per transaction as fit in 1 232 bytes.
    out.step(
        step + 2,
        "The agent reveals the sampled receipts with their job shapes and sum-tree paths",
    );
    let items = agent.reveal_items(&batch)?;
    let revealed = items.len();
    let mut txs = 0;
    for chunk in ReceiptBatch::pack_reveals(items) {
        ctx.send(
            "revealing sampled leaves",
            &[ix::reveal_samples(&op, &op, &addr, chunk)],
            &[&ctx.operator.key],
        )
        .await?;
        txs += 1;
    }
    let batch: Batch = ctx.client.fetch(&addr).await?;
    ensure!(
        batch.status == BatchStatus::Revealed,
        "batch {addr} is {:?} after the reveal, not Revealed",
        batch.status
    );
    out.line(format!(
        "  {revealed} leaves revealed in {txs} transaction(s) at depth {}; every path checked \
         on-chain against the root and total work, every spec against its position",
        proof::tree_depth(leaf_count as u64)
    ));
    Ok((addr, batch, txs))
}

/// Every verifier re-executes the revealed jobs and votes.
async fn verify_and_vote(ctx: &Ctx, addr: &Pubkey, step: u32) -> anyhow::Result<Vec<VoteSummary>> {
    let out = ctx.out;
    out.step(
        step,
        format!(
            "{} verifiers re-execute every revealed job from the batch account on {}",
            ctx.verifiers.len(),
            ctx.device.name()
        ),
    );
    if let Some(note) = ctx.device.note.as_ref().filter(|_| !ctx.device_noted.get()) {
        out.line(format!("  note: {note}"));
        ctx.device_noted.set(true);
    }
    let mut votes = Vec::new();
    for (i, v) in ctx.verifiers.iter().enumerate() {
        let batch: Batch = ctx.client.fetch(addr).await?;
        let review = verifier::review(&batch, ctx.device.backend.as_ref())?;
        ctx.send(
            "voting",
            &[ix::vote(&v.pubkey(), addr, review.verdict)],
            &[v],
        )
        .await?;
        let (verdict, leaf_index, expected) = match review.verdict {
            Verdict::Valid => ("Valid".to_string(), None, None),
            Verdict::Invalid {
                leaf_index,
                expected_commitment,
            } => (
                "Invalid".to_string(),
                Some(leaf_index),
                Some(hex(&expected_commitment)),
            ),
        };
        let finding = match (&leaf_index, &expected) {
            (Some(l), Some(c)) => format!(
                "leaf {l} does not match (re-executed output {}) → Invalid",
                short(c)
            ),
            _ => "all match → Valid".to_string(),
        };
        out.line(format!(
            "  verifier {} ({}): {}/{} outputs match in {:.2} s, {finding}",
            i + 1,
            short(&v.pubkey().to_string()),
            review.matched,
            review.checked,
            review.elapsed.as_secs_f64()
        ));
        votes.push(VoteSummary {
            verifier: v.pubkey().to_string(),
            checked: review.checked,
            matched: review.matched,
            seconds: review.elapsed.as_secs_f64(),
            verdict,
            leaf_index,
            expected_commitment: expected,
        });
    }
    Ok(votes)
}

fn batch_summary(
    addr: &Pubkey,
    agent: &AgentBatch,
    batch: &Batch,
    reveal_txs: usize,
    votes: Vec<VoteSummary>,
) -> BatchSummary {
    BatchSummary {
        address: addr.to_string(),
        seq: agent.seq(),
        leaf_count: batch.leaf_count,
        jobs: agent
            .mix()
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect(),
        total_work: agent.total_work(),
        root: hex(&agent.batch.root()),
        agent_seconds: agent.elapsed.as_secs_f64(),
        sample: batch.sample().to_vec(),
        reveal_transactions: reveal_txs,
        revealed_leaves: batch.revealed_leaves().iter().map(|l| l.index).collect(),
        votes,
        status: format!("{:?}", batch.status),
    }
}

/// Each party's delegation (the operator's self-stake is one), in party order.
async fn delegations(ctx: &Ctx) -> anyhow::Result<Vec<Delegation>> {
    let mut all = Vec::new();
    for party in ctx.parties() {
        let d = ctx
            .client
            .delegation(&ctx.node(), &party.key.pubkey())
            .await?
            .with_context(|| format!("{}'s delegation is missing", party.name))?;
        all.push(d);
    }
    Ok(all)
}

/// Steps 5–10: an honest batch, verified and paid.
async fn honest_round(ctx: &Ctx, jobs: u32) -> anyhow::Result<HonestBatch> {
    let out = ctx.out;
    let op = ctx.op();
    let seq = ctx.client.node(&op).await?.last_batch_seq + 1;
    out.step(
        5,
        format!("The node agent runs {jobs} real jobs with edgefuel-jobs"),
    );
    let agent = run_agent(ctx, seq, jobs, false).await?;
    let (addr, _, reveal_txs) = commit_seal_reveal(ctx, &agent, 6).await?;
    let votes = verify_and_vote(ctx, &addr, 9).await?;

    out.step(10, "The batch is finalized and everyone claims");
    let batch: Batch = ctx.client.fetch(&addr).await?;
    ctx.send(
        "finalizing the batch",
        &[ix::finalize_batch(
            &op,
            &addr,
            batch.epoch,
            ctx.client.current_epoch().await?,
            &[],
        )],
        &[&ctx.operator.key],
    )
    .await?;
    let batch: Batch = ctx.client.fetch(&addr).await?;
    ensure!(
        batch.status == BatchStatus::Accepted,
        "batch {addr} is {:?}, not Accepted",
        batch.status
    );
    let reward = agent.total_work() * ctx.network.params.reward_per_work_unit;
    ensure!(
        batch.reward == reward,
        "batch {addr} paid {} but total work × reward per unit is {reward}",
        batch.reward
    );
    out.line(format!(
        "  Accepted: {} work units verified, reward {} EFUEL accrued (minted on claim)",
        batch.total_work,
        efuel9(batch.reward)
    ));

    let node: Node = ctx.client.node(&op).await?;
    let shares: Vec<u64> = delegations(ctx)
        .await?
        .iter()
        .map(|d| d.bonded_shares)
        .collect();
    let split = expected::reward_split(reward, node.commission_bps, &shares);
    let mut earnings = Vec::new();
    for (i, party) in ctx.parties().into_iter().enumerate() {
        let who = party.key.pubkey();
        let before = ctx.client.efuel_balance(&who).await?;
        ctx.send(
            &format!("{} claiming rewards", party.name),
            &[ix::claim_rewards(
                &who,
                &ctx.node(),
                ctx.client.stake_epochs(&ctx.node(), &who).await?,
            )],
            &[&party.key],
        )
        .await?;
        let after = ctx.client.efuel_balance(&who).await?;
        let commission = if i == 0 { split.commission } else { 0 };
        earnings.push(Earning {
            party: party.name.to_string(),
            stake: party.stake,
            shares: shares[i],
            commission,
            pool_share: split.pool_share[i],
            expected: commission + split.pool_share[i],
            claimed: after - before,
        });
    }
    let honest = HonestBatch {
        batch: batch_summary(&addr, &agent, &batch, reveal_txs, votes),
        reward,
        commission: split.commission,
        to_pool: split.to_pool,
        dust: split.dust,
        earnings,
    };
    out.line(format!(
        "  EFUEL earned (commission {} bps to the operator, the rest pro rata by shares):",
        node.commission_bps
    ));
    for row in honest.table() {
        out.line(row);
    }
    for e in &honest.earnings {
        ensure!(
            e.claimed == e.expected,
            "{} claimed {} but commission + pro-rata share is {}",
            e.party,
            e.claimed,
            e.expected
        );
    }
    out.line("  every claim equals the independently computed commission + pro-rata split");
    ctx.send(
        "closing the batch",
        &[ix::close_batch(&op, &addr)],
        &[&ctx.operator.key],
    )
    .await?;
    out.line("  the final batch account is closed; its rent goes back to the operator");
    Ok(honest)
}

/// Stake of each party (bonded + unbonding shares at the pool's rate) and
/// their shares, plus the pool.
async fn stakes(ctx: &Ctx) -> anyhow::Result<(Node, Vec<(u64, u64)>)> {
    let node = ctx.client.node(&ctx.op()).await?;
    let mut out = Vec::new();
    for (party, d) in ctx.parties().iter().zip(delegations(ctx).await?) {
        let tokens = d
            .bonded_tokens(&node)
            .and_then(|b| d.unbonding_tokens(&node).map(|u| b + u))
            .map_err(|e| anyhow!("valuing {}'s stake: {e:?}", party.name))?;
        out.push((tokens, d.bonded_shares + d.unbonding_shares));
    }
    Ok((node, out))
}

/// EFUEL in a token account.
async fn token_balance(ctx: &Ctx, account: &Pubkey) -> anyhow::Result<u64> {
    let rpc = ctx.client.rpc();
    let amount = rpc
        .get_token_account_balance(account)
        .await
        .with_context(|| format!("reading token account {account}"))?;
    amount
        .amount
        .parse()
        .with_context(|| format!("token account {account}: amount {}", amount.amount))
}

/// Steps 11–15: a lazy batch (no job run), caught and slashed.
async fn fraud_round(ctx: &Ctx, jobs: u32) -> anyhow::Result<FraudBatch> {
    let out = ctx.out;
    let op = ctx.op();
    let p = ctx.network.params;
    let seq = ctx.client.node(&op).await?.last_batch_seq + 1;
    let count = u32::from(p.min_samples).min(jobs).max(1);
    out.step(
        11,
        format!(
            "A lazy node: batch #{seq} of {count} jobs, none run (every receipt commits garbage)"
        ),
    );
    out.line("  every unit of its work is fake, so every sample point lands on a fake leaf");
    let agent = run_agent(ctx, seq, count, true).await?;
    let (addr, _, reveal_txs) = commit_seal_reveal(ctx, &agent, 12).await?;

    let (node_before, before) = stakes(ctx).await?;
    let treasury_before = token_balance(ctx, &ctx.network.treasury).await?;
    let mut verifier_before = Vec::new();
    for v in &ctx.verifiers {
        verifier_before.push(ctx.client.efuel_balance(&v.pubkey()).await?);
    }

    let votes = verify_and_vote(ctx, &addr, 15).await?;
    let revealed = ctx.client.fetch::<Batch>(&addr).await?.revealed_leaves();
    let caught = revealed
        .first()
        .map(|l| l.index)
        .context("no revealed leaf")?;
    for v in &votes {
        ensure!(
            v.leaf_index == Some(caught),
            "verifier {} voted {} on leaf {:?}, expected Invalid on leaf {caught}",
            v.verifier,
            v.verdict,
            v.leaf_index
        );
    }

    out.step(
        16,
        "A verifier finalizes (anyone may): fraud slash, bounty, jail",
    );
    let batch: Batch = ctx.client.fetch(&addr).await?;
    let invalid_voters: Vec<Pubkey> = batch.invalid_voters();
    let cranker = &ctx.verifiers[0];
    ctx.send(
        "finalizing the rejected batch",
        &[ix::finalize_batch(
            &op,
            &addr,
            batch.epoch,
            ctx.client.current_epoch().await?,
            &invalid_voters,
        )],
        &[cranker],
    )
    .await?;
    let batch: Batch = ctx.client.fetch(&addr).await?;
    ensure!(
        batch.status == BatchStatus::Rejected,
        "batch {addr} is {:?}, not Rejected",
        batch.status
    );

    let (node_after, after) = stakes(ctx).await?;
    let treasury_after = token_balance(ctx, &ctx.network.treasury).await?;
    let mut verifier_received = Vec::new();
    for (v, b) in ctx.verifiers.iter().zip(&verifier_before) {
        verifier_received.push(ctx.client.efuel_balance(&v.pubkey()).await? - b);
    }
    // A voter that is not one of ours would take a bounty share too.
    let voters = invalid_voters.len() as u64;
    let holder_shares: Vec<u64> = before.iter().map(|(_, s)| *s).collect();
    let want = expected::fraud_slash(
        node_before.pool_tokens,
        node_before.pool_shares,
        &holder_shares,
        p.slash_fraud_bps,
        p.verifier_bounty_bps,
        voters,
    );
    let stake_changes: Vec<StakeChange> = ctx
        .parties()
        .iter()
        .zip(before.iter().zip(&after))
        .map(|(party, ((b, _), (a, _)))| StakeChange {
            party: party.name.to_string(),
            before: *b,
            after: *a,
            lost: b - a,
            lost_bps: (b - a) as f64 * 10_000.0 / (*b).max(1) as f64,
        })
        .collect();
    let resubmit = refused_submission(ctx, seq + 1).await?;
    let fraud = FraudBatch {
        batch: batch_summary(&addr, &agent, &batch, reveal_txs, votes),
        caught_leaf: caught,
        pool_before: node_before.pool_tokens,
        pool_after: node_after.pool_tokens,
        slashed: batch.slashed,
        stakes: stake_changes,
        bounty_per_verifier: want.bounty_per_verifier,
        verifier_received,
        treasury_received: treasury_after - treasury_before,
        node_status: format!("{:?}", node_after.status),
        jailed_until: node_after.jailed_until,
        resubmit_refused_with: resubmit,
    };

    out.line(format!(
        "  Rejected: {} EFUEL ({} bps of the pool) slashed from every holder alike:",
        efuel9(fraud.slashed),
        p.slash_fraud_bps
    ));
    for row in fraud.table() {
        out.line(row);
    }
    out.line(format!(
        "  bounty: {} EFUEL to each of the {} Invalid voters ({} bps of the slash); treasury: {} EFUEL",
        efuel9(fraud.bounty_per_verifier),
        voters,
        p.verifier_bounty_bps,
        efuel9(fraud.treasury_received)
    ));
    out.line(format!(
        "  node {}: {} for {} s (until unix time {}); a new batch is refused with {}",
        short(&ctx.node().to_string()),
        fraud.node_status,
        p.jail_seconds,
        fraud.jailed_until,
        fraud.resubmit_refused_with
    ));

    // Checks against the independent computation.
    ensure!(
        fraud.slashed == want.slashed && fraud.pool_after == want.pool_tokens_after,
        "slashed {} (pool {} → {}), expected {} (pool → {})",
        fraud.slashed,
        fraud.pool_before,
        fraud.pool_after,
        want.slashed,
        want.pool_tokens_after
    );
    for (s, want_after) in fraud.stakes.iter().zip(&want.stakes_after) {
        ensure!(
            s.after == *want_after,
            "{}'s stake is {} after the slash, expected {want_after}",
            s.party,
            s.after
        );
        ensure!(
            s.lost as u128 * 10_000 == s.before as u128 * p.slash_fraud_bps as u128,
            "{} lost {} of {}: not exactly {} bps",
            s.party,
            s.lost,
            s.before,
            p.slash_fraud_bps
        );
    }
    for (v, got) in ctx.verifiers.iter().zip(&fraud.verifier_received) {
        let share = if invalid_voters.contains(&v.pubkey()) {
            want.bounty_per_verifier
        } else {
            0
        };
        ensure!(
            *got == share,
            "verifier {} received {got}, expected a bounty of {share}",
            v.pubkey()
        );
    }
    ensure!(
        fraud.treasury_received == want.to_treasury,
        "the treasury received {}, expected {}",
        fraud.treasury_received,
        want.to_treasury
    );
    ensure!(
        fraud.node_status == "Jailed",
        "the node is {} after a fraud rejection, not Jailed",
        fraud.node_status
    );
    out.line(format!(
        "  every holder lost exactly {} bps; slash, bounty and treasury share match the independent computation",
        p.slash_fraud_bps
    ));
    ctx.send(
        "closing the rejected batch",
        &[ix::close_batch(&op, &addr)],
        &[cranker],
    )
    .await?;
    Ok(fraud)
}

/// Simulates one more submission from the jailed node: the program error's
/// name (`NodeJailed`).
async fn refused_submission(ctx: &Ctx, seq: u64) -> anyhow::Result<String> {
    let op = ctx.op();
    let args = SubmitBatchArgs {
        seq,
        root: [7; 32],
        leaf_count: 1,
        total_work: 1,
        epoch: ctx.network.epoch_at(chain_time(&ctx.client).await?),
    };
    let (failure, _) = ctx
        .client
        .simulate(
            &[ix::submit_batch(&op, &op, &op, args)],
            &[&ctx.operator.key],
        )
        .await?;
    let failure = failure.context("the jailed node could still submit a batch")?;
    Ok(failure
        .program_error
        .map(|p| p.name)
        .unwrap_or_else(|| failure.error.to_string()))
}
