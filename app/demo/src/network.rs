//! The network demo: a local chain and EdgeFuel's daemons as separate
//! processes, for a bounded time, then a report.
//!
//! ```text
//!  edgefuel-demo ─┬─ local chain (child process, free loopback ports, epochs of 60 s)
//!                 ├─ edgefuel-node init / doctor / run   × 4   honest, honest, faker, inflater
//!                 ├─ edgefuel-verifier run               × 3   threshold 2, crank on
//!                 ├─ 10 stakers delegate across the nodes; a governance proposal
//!                 │  (reward per work unit 1 → 2) is proposed, voted, passed and executed mid-run
//!                 └─ every second: each node's record → timeline; at the end: SIGTERM every
//!                    daemon, every staker and operator claims, report.json + chart.svg
//! ```
//!
//! The processes are started by `edgefuel-launch`: the daemons are the
//! `edgefuel-node` / `edgefuel-verifier` binaries next to this one when they
//! were built, else this executable re-run with a hidden first argument
//! that calls the same library entry point: either way each is its own
//! process.
use crate::story::{failed, load_keypairs};
use crate::summary::efuel9;
use anyhow::{bail, Context};
use edgefuel_client::amount::EFUEL;
use edgefuel_client::edgefuel::{
    CreateProposalArgs, Node, NodeMetadata, ProposalAction, ProposalStatus, VoteChoice,
};
use edgefuel_client::{ix, pda, CommitmentConfig, EdgeFuelClient, Instruction};
use edgefuel_launch::daemon::{free_addr, get_json, run_to_end, spawn, spawn_verifier, terminate};
use edgefuel_launch::operator;
use edgefuel_launch::LocalChain;
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What the network demo runs.
#[derive(Debug, Clone)]
pub struct NetworkOptions {
    /// How long the daemons run.
    pub duration: Duration,
    /// Jobs per batch.
    pub jobs: u32,
    /// Seconds between batches.
    pub interval: f64,
    /// Share of outputs the faking node makes up.
    pub fake_fraction: f64,
    /// Work the inflating node claims above the real work (bps).
    pub inflate_bps: u32,
    /// Backend of the verifiers (`auto`, `gpu`, `cpu`).
    pub verifier_backend: String,
    /// Where report.json, chart.svg and the daemons' logs go.
    pub out: PathBuf,
    /// The web app's folder, to serve it (`npm run preview`) against the chain.
    pub web: Option<PathBuf>,
}

/// A node's part in the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Honest,
    Faker,
    Inflater,
}

impl Role {
    fn is_cheater(self) -> bool {
        self != Role::Honest
    }
}

/// One node in the report.
#[derive(Debug, Clone, Serialize)]
pub struct NodeReport {
    pub name: String,
    pub role: Role,
    pub node: String,
    pub operator: String,
    pub status: String,
    pub jobs: u64,
    pub work_units: u64,
    pub job_seconds: f64,
    pub joules: f64,
    pub energy_source: String,
    pub batches_submitted: u64,
    pub batches_accepted: u64,
    pub batches_rejected: u64,
    pub batches_missed: u64,
    pub rewards: u64,
    pub slashed: u64,
    /// Seconds into the run when it was first slashed.
    pub first_caught_seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StakerReport {
    pub name: String,
    pub staker: String,
    pub node: String,
    pub stake: u64,
    /// What the on-chain accounting said was claimable.
    pub expected: u64,
    pub claimed: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifierReport {
    pub verifier: String,
    pub device: String,
    pub votes_valid: u64,
    pub votes_invalid: u64,
    pub samples_checked: u64,
    pub reexec_seconds: f64,
    pub reexec_work_units: u64,
    pub cranks: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GovernanceReport {
    pub proposal: u64,
    pub change: String,
    pub proposed_at_seconds: f64,
    pub status: String,
    pub executed_at_seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Checks {
    pub cheaters_slashed: bool,
    pub honest_never_slashed: bool,
    pub claims_match_chain: bool,
}

/// `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub rpc_url: String,
    pub run_seconds: f64,
    pub jobs_per_batch: u32,
    pub nodes: Vec<NodeReport>,
    pub stakers: Vec<StakerReport>,
    pub verifiers: Vec<VerifierReport>,
    /// Work units the verifiers re-executed over the work units the nodes ran.
    pub verifier_compute_fraction: f64,
    pub governance: Option<GovernanceReport>,
    pub checks: Checks,
    pub ok: bool,
    /// Seconds; cumulative rewards and slashes per node (base units).
    pub timeline: Vec<(f64, Vec<(u64, u64)>)>,
}

struct NodeSetup {
    name: String,
    role: Role,
    operator: Keypair,
    dir: PathBuf,
    http: SocketAddr,
}

struct Staker {
    name: String,
    key: Keypair,
    node: usize,
    stake: u64,
}

/// The whole demo. `say` prints a line of the story.
pub async fn run(opts: NetworkOptions, say: &dyn Fn(String)) -> anyhow::Result<Report> {
    let started = Instant::now();
    let logs = opts.out.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let bootstrap = logs.join("bootstrap.toml");
    std::fs::write(
        &bootstrap,
        "# edgefuel-demo: one-minute reward epochs, so the chart has several.\n[params]\nepoch_seconds = 60\n",
    )?;
    say("Starting a local EdgeFuel chain (3 verifiers, threshold 2; 60 s epochs)".into());
    let chain = LocalChain::start_with(&["--bootstrap".into(), bootstrap.into_os_string()])?;
    let url = chain.url.clone();
    say(format!(
        "  {url} up in {:.1} s; keys in {}",
        chain.boot.as_secs_f64(),
        chain.keys_dir.display()
    ));
    let client = EdgeFuelClient::new(url.clone(), CommitmentConfig::confirmed());
    let network = client.network().await.context("reading the network")?;
    let wallets = load_keypairs(&chain.keys_dir)?;
    let find = |name: &str| -> anyhow::Result<&Keypair> {
        wallets
            .iter()
            .find(|(p, _)| p.file_name().is_some_and(|f| f == name))
            .map(|(_, k)| k)
            .with_context(|| format!("{name} missing from {}", chain.keys_dir.display()))
    };
    let funder = find("genesis-owner.json")?;

    // Nodes: operators, their configs (edgefuel-node init), registration.
    let roles = [
        ("honest-1", Role::Honest),
        ("honest-2", Role::Honest),
        ("faker", Role::Faker),
        ("inflater", Role::Inflater),
    ];
    let op_stake = (1_500 * EFUEL).max(network.params.min_node_stake);
    let mut nodes = Vec::new();
    for (name, role) in roles {
        let dir = opts.out.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        nodes.push(NodeSetup {
            name: name.to_string(),
            role,
            operator: Keypair::new(),
            dir,
            http: free_addr()?,
        });
    }
    let stakers: Vec<Staker> = (0..10)
        .map(|i| Staker {
            name: format!("staker-{}", i + 1),
            key: Keypair::new(),
            node: i % 4,
            stake: (100 + 50 * i as u64) * EFUEL,
        })
        .collect();

    say("Funding 4 operators and 10 stakers from genesis-owner.json".into());
    let f = funder.pubkey();
    let mut fund: Vec<Instruction> = Vec::new();
    for n in &nodes {
        fund.extend(operator::fund(
            &f,
            &n.operator.pubkey(),
            2_000_000_000,
            op_stake,
        )?);
    }
    for chunk in fund.chunks(6) {
        send_tx(
            &client,
            "funding operators".into(),
            chunk.to_vec(),
            vec![funder],
        )
        .await?;
    }
    let mut fund = Vec::new();
    for s in &stakers {
        fund.extend(operator::fund(&f, &s.key.pubkey(), 100_000_000, s.stake)?);
    }
    for chunk in fund.chunks(6) {
        send_tx(
            &client,
            "funding stakers".into(),
            chunk.to_vec(),
            vec![funder],
        )
        .await?;
    }
    for v in network.verifier_set() {
        send_tx(
            &client,
            "verifier EFUEL account".into(),
            vec![ix::create_efuel_ata(&f, v)],
            vec![funder],
        )
        .await?;
    }

    say(
        "Each operator: `edgefuel-node init`, register + self-stake, `set-agent`, fund the agent"
            .into(),
    );
    for n in &nodes {
        let op = n.operator.pubkey();
        let plan = operator::NodePlan {
            name: &n.name,
            dir: &n.dir,
            http: n.http,
            stake: op_stake,
            metadata: NodeMetadata {
                endpoint: format!("http://{}", n.http),
                gpu_model: "lavapipe".into(),
                vram_mib: 1_024,
                region: "local".into(),
                commission_bps: 500.min(network.params.max_commission_bps),
            },
            init_log: &logs.join(format!("{}-init.log", n.name)),
        };
        let agent = operator::register_node(&client, &n.operator, &plan).await?;
        say(format!(
            "  {:<9} node {} ({:?}), operator stake {} EFUEL, agent {}",
            n.name,
            pda::node(&op),
            n.role,
            efuel9(op_stake),
            agent
        ));
    }
    let doctor = run_to_end(
        "node",
        &[
            "doctor".into(),
            "--config".into(),
            nodes[0].dir.join("node.toml").into(),
        ],
        &logs.join("honest-1-doctor.log"),
    )?;
    say(format!(
        "  `edgefuel-node doctor` for honest-1:\n{}",
        indent(&doctor)
    ));

    say("10 stakers delegate across the nodes".into());
    for s in &stakers {
        let node = pda::node(&nodes[s.node].operator.pubkey());
        send_tx(
            &client,
            format!("{} delegating", s.name),
            vec![ix::delegate(
                &s.key.pubkey(),
                &node,
                s.stake,
                client.stake_epochs(&node, &s.key.pubkey()).await?,
            )],
            vec![&s.key],
        )
        .await?;
    }
    // Stake earns from batches of the epoch after it was delegated: move
    // the local chain's clock there rather than wait for it.
    let epoch = client.advance_local_to_next_epoch().await?;
    say(format!("The stake is active from reward epoch {epoch} on"));

    // Daemons.
    say(format!(
        "Starting 3 verifiers and 4 node agents as processes (batches of {} jobs every {} s) for {} s",
        opts.jobs,
        opts.interval,
        opts.duration.as_secs()
    ));
    let log_level = std::env::var("EDGEFUEL_DEMO_DAEMON_LOG").unwrap_or_else(|_| "info".into());
    let mut verifiers = Vec::new();
    for i in 1..=3 {
        let key = chain.keys_dir.join(format!("verifier-{i}.json"));
        verifiers.push(spawn_verifier(
            &format!("verifier-{i}"),
            &key,
            &url,
            &opts.verifier_backend,
            &logs,
            &log_level,
        )?);
    }
    let mut agents = Vec::new();
    for n in &nodes {
        let mut env = vec![
            (
                "EDGEFUEL_NODE_BATCH__JOBS".to_string(),
                opts.jobs.to_string(),
            ),
            (
                "EDGEFUEL_NODE_BATCH__INTERVAL_SECS".to_string(),
                format!("{:?}", opts.interval),
            ),
        ];
        match n.role {
            Role::Honest => {}
            Role::Faker => env.push((
                "EDGEFUEL_NODE_FAULTS__FAKE_FRACTION".into(),
                format!("{:?}", opts.fake_fraction),
            )),
            Role::Inflater => env.push((
                "EDGEFUEL_NODE_FAULTS__INFLATE_WORK_BPS".into(),
                opts.inflate_bps.to_string(),
            )),
        }
        agents.push(spawn(
            "node",
            &n.name,
            &[
                "run".into(),
                "--config".into(),
                n.dir.join("node.toml").into(),
            ],
            &env,
            n.http,
            &logs,
            &log_level,
        )?);
    }
    say(format!(
        "  dashboards: {}",
        nodes
            .iter()
            .map(|n| format!("{} http://{}/", n.name, n.http))
            .collect::<Vec<_>>()
            .join(", ")
    ));

    let _web = match &opts.web {
        Some(dir) => web_app(dir, &url, &logs, say),
        None => None,
    };

    // Watch; governance mid-run.
    let run_started = Instant::now();
    let mut timeline: Vec<(f64, Vec<(u64, u64)>)> = Vec::new();
    let mut first_caught: Vec<Option<f64>> = vec![None; nodes.len()];
    let mut gov = Governance::new(opts.duration.as_secs_f64() / 6.0);
    let mut last_line = Instant::now();
    while run_started.elapsed() < opts.duration {
        let t = run_started.elapsed().as_secs_f64();
        for d in agents.iter_mut().chain(verifiers.iter_mut()) {
            if let Ok(Some(status)) = d.child.try_wait() {
                bail!(
                    "{} exited early ({status}); its log {}:\n{}",
                    d.name,
                    d.log.display(),
                    edgefuel_launch::chain::tail(&d.log, 20)
                );
            }
        }
        let mut row = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            match client.node(&n.operator.pubkey()).await {
                Ok(node) => {
                    if node.total_slashed > 0 && first_caught[i].is_none() {
                        first_caught[i] = Some(t);
                        say(format!(
                            "  t={t:>5.1} s  {} caught: slashed {} EFUEL, {:?}",
                            n.name,
                            efuel9(node.total_slashed),
                            node.status
                        ));
                    }
                    row.push((node.total_rewards, node.total_slashed));
                }
                Err(_) => row.push(timeline.last().map(|(_, r)| r[i]).unwrap_or((0, 0))),
            }
        }
        timeline.push((t, row.clone()));
        if let Err(e) = gov.step(&client, t, &nodes, &stakers, say).await {
            say(format!("  governance step failed (will retry): {e:#}"));
        }
        if last_line.elapsed() >= Duration::from_secs(15) {
            last_line = Instant::now();
            say(format!(
                "  t={t:>5.1} s  rewards EFUEL: {}",
                nodes
                    .iter()
                    .zip(&row)
                    .map(|(n, (r, _))| format!("{} {}", n.name, efuel9(*r)))
                    .collect::<Vec<_>>()
                    .join(" · ")
            ));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let run_seconds = run_started.elapsed().as_secs_f64();

    // Collect the daemons' own figures, then stop them gracefully.
    let mut node_status = Vec::new();
    for n in &nodes {
        node_status.push(get_json(&format!("http://{}/status.json", n.http)).await);
    }
    let mut verifier_reports = Vec::new();
    for v in &verifiers {
        let s = get_json(&format!("http://{}/status.json", v.http))
            .await
            .unwrap_or_default();
        verifier_reports.push(VerifierReport {
            verifier: s["verifier"].as_str().unwrap_or_default().to_string(),
            device: s["device"].as_str().unwrap_or_default().to_string(),
            votes_valid: s["votes_valid"].as_u64().unwrap_or(0),
            votes_invalid: s["votes_invalid"].as_u64().unwrap_or(0),
            samples_checked: s["samples_checked"].as_u64().unwrap_or(0),
            reexec_seconds: s["reexec_seconds"].as_f64().unwrap_or(0.0),
            reexec_work_units: s["reexec_work_units"].as_u64().unwrap_or(0),
            cranks: s["cranks"].as_u64().unwrap_or(0),
        });
    }
    say("Stopping every daemon (SIGTERM: each finishes its step and exits)".into());
    for d in agents.iter_mut().chain(verifiers.iter_mut()) {
        match d.stop(Duration::from_secs(10)) {
            Some(s) if s.success() => {}
            other => say(format!(
                "  {} stopped with {other:?} (log {})",
                d.name,
                d.log.display()
            )),
        }
    }

    // Claims: each equals the on-chain accounting.
    say(
        "Every staker and operator claims; each claim is checked against the chain's accounting"
            .into(),
    );
    let mut staker_reports = Vec::new();
    let mut claims_ok = true;
    let mut claimers: Vec<(String, &Keypair, usize, u64)> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("{}-operator", n.name), &n.operator, i, op_stake))
        .collect();
    claimers.extend(
        stakers
            .iter()
            .map(|s| (s.name.clone(), &s.key, s.node, s.stake)),
    );
    for (name, key, node_i, stake) in claimers {
        let op = nodes[node_i].operator.pubkey();
        let node_addr = pda::node(&op);
        let node: Node = client.node(&op).await?;
        let who = key.pubkey();
        let d = client
            .delegation(&node_addr, &who)
            .await?
            .with_context(|| format!("{name}'s delegation is missing"))?;
        let expected = client.claimable(&node_addr, &d, &node).await?;
        let before = client.efuel_balance(&who).await?;
        if expected > 0 {
            send_tx(
                &client,
                format!("{name} claiming"),
                vec![ix::claim_rewards(
                    &who,
                    &node_addr,
                    client.stake_epochs(&node_addr, &who).await?,
                )],
                vec![key],
            )
            .await?;
        }
        let claimed = client.efuel_balance(&who).await?.saturating_sub(before);
        claims_ok &= claimed == expected;
        staker_reports.push(StakerReport {
            name,
            staker: who.to_string(),
            node: nodes[node_i].name.clone(),
            stake,
            expected,
            claimed,
        });
    }

    let mut node_reports = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let node: Node = client.node(&n.operator.pubkey()).await?;
        let s = node_status[i].clone().unwrap_or_default();
        let totals = &s["totals"];
        node_reports.push(NodeReport {
            name: n.name.clone(),
            role: n.role,
            node: pda::node(&n.operator.pubkey()).to_string(),
            operator: n.operator.pubkey().to_string(),
            status: format!("{:?}", node.status),
            jobs: totals["jobs"].as_u64().unwrap_or(0),
            work_units: totals["work_units"].as_u64().unwrap_or(0),
            job_seconds: totals["job_seconds"].as_f64().unwrap_or(0.0),
            joules: totals["joules"].as_f64().unwrap_or(0.0),
            energy_source: s["energy_source"]
                .as_str()
                .unwrap_or("estimated")
                .to_string(),
            batches_submitted: node.batches_submitted,
            batches_accepted: node.batches_accepted,
            batches_rejected: node.batches_rejected,
            batches_missed: node.batches_missed,
            rewards: node.total_rewards,
            slashed: node.total_slashed,
            first_caught_seconds: first_caught[i],
        });
    }
    let node_work: u64 = node_reports.iter().map(|n| n.work_units).sum();
    let verifier_work: u64 = verifier_reports.iter().map(|v| v.reexec_work_units).sum();
    let checks = Checks {
        cheaters_slashed: node_reports
            .iter()
            .filter(|n| n.role.is_cheater())
            .all(|n| n.slashed > 0),
        honest_never_slashed: node_reports
            .iter()
            .filter(|n| !n.role.is_cheater())
            .all(|n| n.slashed == 0),
        claims_match_chain: claims_ok,
    };
    let ok = checks.cheaters_slashed && checks.honest_never_slashed && checks.claims_match_chain;
    let report = Report {
        rpc_url: url,
        run_seconds,
        jobs_per_batch: opts.jobs,
        nodes: node_reports,
        stakers: staker_reports,
        verifiers: verifier_reports,
        verifier_compute_fraction: if node_work > 0 {
            verifier_work as f64 / node_work as f64
        } else {
            0.0
        },
        governance: gov.report(),
        checks,
        ok,
        timeline,
    };
    std::fs::write(
        opts.out.join("report.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    std::fs::write(opts.out.join("chart.svg"), crate::chart::svg(&report))?;
    say(format!(
        "Done in {:.0} s (run {:.0} s).",
        started.elapsed().as_secs_f64(),
        run_seconds
    ));
    drop(chain);
    Ok(report)
}

/// The web app (`npm run preview` in `dir`) pointed at the demo's chain
/// through `EDGEFUEL_RPC_URL` / `VITE_EDGEFUEL_RPC_URL`; None (and a line
/// saying why) when it is not there or does not start.
fn web_app(dir: &Path, url: &str, logs: &Path, say: &dyn Fn(String)) -> Option<WebApp> {
    if !dir.join("package.json").exists() {
        say(format!(
            "  no web app in {} (no package.json): skipping --web",
            dir.display()
        ));
        return None;
    }
    let log = logs.join("web.log");
    let file = std::fs::File::create(&log).ok()?;
    let err = file.try_clone().ok()?;
    match Command::new("npm")
        .args(["run", "preview"])
        .current_dir(dir)
        .env("EDGEFUEL_RPC_URL", url)
        .env("VITE_EDGEFUEL_RPC_URL", url)
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err))
        .spawn()
    {
        Ok(child) => {
            say(format!(
                "  web app: `npm run preview` in {} (log {})",
                dir.display(),
                log.display()
            ));
            Some(WebApp(child))
        }
        Err(e) => {
            say(format!("  web app not started (npm: {e})"));
            None
        }
    }
}

/// The web app's process; stopped with the demo.
struct WebApp(Child);

impl Drop for WebApp {
    fn drop(&mut self) {
        terminate(&self.0);
        let _ = self.0.wait();
    }
}

async fn send_tx(
    client: &EdgeFuelClient,
    what: String,
    ixs: Vec<Instruction>,
    signers: Vec<&Keypair>,
) -> anyhow::Result<String> {
    client
        .send(&ixs, &signers)
        .await
        .map_err(|e| operator::refused(&what, client.url(), e))
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The mid-run proposal: double the reward per work unit.
struct Governance {
    start_at: f64,
    id: Option<u64>,
    action: Option<ProposalAction>,
    proposed_at: f64,
    voted: bool,
    status: String,
    executed_at: Option<f64>,
}

impl Governance {
    fn new(start_at: f64) -> Self {
        Governance {
            start_at,
            id: None,
            action: None,
            proposed_at: 0.0,
            voted: false,
            status: "not proposed".into(),
            executed_at: None,
        }
    }

    async fn step(
        &mut self,
        client: &EdgeFuelClient,
        t: f64,
        nodes: &[NodeSetup],
        stakers: &[Staker],
        say: &dyn Fn(String),
    ) -> anyhow::Result<()> {
        if t < self.start_at || self.executed_at.is_some() || self.status == "Defeated" {
            return Ok(());
        }
        let network = client.network().await?;
        let Some(id) = self.id else {
            let mut params = network.params;
            params.reward_per_work_unit = params.reward_per_work_unit.saturating_mul(2);
            let action = ProposalAction::UpdateParams(params);
            let id = network.proposal_count;
            let s = &stakers[stakers.len() - 1];
            let op = nodes[s.node].operator.pubkey();
            let args = CreateProposalArgs {
                action: action.clone(),
                description_uri: "edgefuel-demo: double the reward per work unit".into(),
            };
            client
                .send(
                    &[ix::create_proposal(&s.key.pubkey(), &op, id, args)],
                    &[&s.key],
                )
                .await
                .map_err(|e| failed("creating the proposal", client.url(), e))?;
            self.id = Some(id);
            self.action = Some(action);
            self.proposed_at = t;
            self.status = "Voting".into();
            say(format!(
                "  t={t:>5.1} s  governance: {} proposes #{id}, reward per work unit {} → {}",
                s.name,
                network.params.reward_per_work_unit,
                network.params.reward_per_work_unit * 2
            ));
            return Ok(());
        };
        if !self.voted {
            let mut weight_voters = 0;
            for n in nodes {
                let op = n.operator.pubkey();
                if client
                    .send(
                        &[ix::cast_vote(&op, &op, id, VoteChoice::Yes)],
                        &[&n.operator],
                    )
                    .await
                    .is_ok()
                {
                    weight_voters += 1;
                }
            }
            for s in stakers {
                let op = nodes[s.node].operator.pubkey();
                if client
                    .send(
                        &[ix::cast_vote(&s.key.pubkey(), &op, id, VoteChoice::Yes)],
                        &[&s.key],
                    )
                    .await
                    .is_ok()
                {
                    weight_voters += 1;
                }
            }
            self.voted = true;
            say(format!(
                "  t={t:>5.1} s  governance: {weight_voters} delegations vote yes"
            ));
            return Ok(());
        }
        let proposal: edgefuel_client::edgefuel::Proposal =
            client.fetch(&pda::proposal(id)).await?;
        let now = client.clock().await?.unix_timestamp;
        match proposal.status {
            ProposalStatus::Voting if now > proposal.voting_ends_at => {
                client
                    .send(&[ix::finalize_proposal(id)], &[&nodes[0].operator])
                    .await
                    .map_err(|e| failed("finalizing the proposal", client.url(), e))?;
                let p: edgefuel_client::edgefuel::Proposal =
                    client.fetch(&pda::proposal(id)).await?;
                self.status = format!("{:?}", p.status);
                say(format!(
                    "  t={t:>5.1} s  governance: proposal #{id} {:?}",
                    p.status
                ));
            }
            ProposalStatus::Passed if now >= proposal.executable_at => {
                let action = self.action.clone().context("the proposal's action")?;
                client
                    .send(&[ix::execute_proposal(id, &action)], &[&nodes[0].operator])
                    .await
                    .map_err(|e| failed("executing the proposal", client.url(), e))?;
                let p: edgefuel_client::edgefuel::Proposal =
                    client.fetch(&pda::proposal(id)).await?;
                self.status = format!("{:?}", p.status);
                self.executed_at = Some(t);
                let after = client.network().await?;
                say(format!(
                    "  t={t:>5.1} s  governance: #{id} {:?}; reward per work unit is now {}",
                    p.status, after.params.reward_per_work_unit
                ));
            }
            _ => {}
        }
        Ok(())
    }

    fn report(&self) -> Option<GovernanceReport> {
        self.id.map(|id| GovernanceReport {
            proposal: id,
            change: "reward_per_work_unit × 2".into(),
            proposed_at_seconds: self.proposed_at,
            status: self.status.clone(),
            executed_at_seconds: self.executed_at,
        })
    }
}

/// Prints the report's tables.
pub fn print_report(r: &Report, say: &dyn Fn(String)) {
    say(String::new());
    say(format!(
        "{:<9} {:<8} {:>6} {:>14} {:>4} {:>4} {:>4} {:>4} {:>16} {:>14} {:>8} {:>10}",
        "node",
        "role",
        "jobs",
        "work units",
        "sub",
        "acc",
        "rej",
        "miss",
        "earned EFUEL",
        "slashed EFUEL",
        "caught",
        "J/job"
    ));
    for n in &r.nodes {
        say(format!(
            "{:<9} {:<8} {:>6} {:>14} {:>4} {:>4} {:>4} {:>4} {:>16} {:>14} {:>8} {:>10.2}",
            n.name,
            format!("{:?}", n.role).to_lowercase(),
            n.jobs,
            n.work_units,
            n.batches_submitted,
            n.batches_accepted,
            n.batches_rejected,
            n.batches_missed,
            efuel9(n.rewards),
            efuel9(n.slashed),
            n.first_caught_seconds
                .map(|t| format!("{t:.0} s"))
                .unwrap_or_else(|| "-".into()),
            if n.jobs > 0 {
                n.joules / n.jobs as f64
            } else {
                0.0
            },
        ));
    }
    say(String::new());
    say(format!(
        "{:<18} {:<9} {:>16} {:>14} {:>14}",
        "claimer", "node", "stake EFUEL", "claimed", "on-chain"
    ));
    for s in &r.stakers {
        say(format!(
            "{:<18} {:<9} {:>16} {:>14} {:>14}",
            s.name,
            s.node,
            efuel9(s.stake),
            efuel9(s.claimed),
            efuel9(s.expected)
        ));
    }
    say(String::new());
    for v in &r.verifiers {
        say(format!(
            "verifier {}…: {} valid, {} invalid votes, {} jobs re-executed in {:.2} s on {}, {} cranks",
            &v.verifier.get(..8).unwrap_or_default(),
            v.votes_valid,
            v.votes_invalid,
            v.samples_checked,
            v.reexec_seconds,
            v.device,
            v.cranks
        ));
    }
    say(format!(
        "verifier compute: {:.1} % of the nodes' work units",
        r.verifier_compute_fraction * 100.0
    ));
    if let Some(g) = &r.governance {
        say(format!(
            "governance: proposal #{} ({}) {} (proposed at {:.0} s{})",
            g.proposal,
            g.change,
            g.status,
            g.proposed_at_seconds,
            g.executed_at_seconds
                .map(|t| format!(", executed at {t:.0} s"))
                .unwrap_or_default()
        ));
    }
    say(format!(
        "checks: cheaters slashed {}, honest never slashed {}, every claim equals the chain's accounting {}",
        r.checks.cheaters_slashed, r.checks.honest_never_slashed, r.checks.claims_match_chain
    ));
}
