//! `edgefuel-node init | doctor | run`.
use crate::agent::{open_backend, Agent};
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::settings::{template, BackendChoice, NodeConfig};
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use edgefuel_client::{pda, CommitmentConfig, EdgeFuelClient, Pubkey, RetryPolicy};
use edgefuel_daemon::Shutdown;
use solana_signer::Signer;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "edgefuel-node",
    version,
    about = "EdgeFuel node agent: run jobs, commit receipts, earn EFUEL"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Write a commented node.toml and a new agent keypair into DIR.
    Init {
        /// Folder for node.toml, agent.json and the journal.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Your operator public key.
        #[arg(long)]
        operator: String,
        /// Solana JSON-RPC URL.
        #[arg(long, default_value = "http://127.0.0.1:8899")]
        rpc: String,
        #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
        backend: BackendChoice,
        /// Dashboard, /healthz and /metrics address.
        #[arg(long, default_value = "127.0.0.1:9464")]
        listen: SocketAddr,
    },
    /// Check everything `run` needs; print ok or what to do for each.
    Doctor {
        #[arg(short, long, default_value = "node.toml")]
        config: PathBuf,
    },
    /// Run the agent until Ctrl-C / SIGTERM.
    Run {
        #[arg(short, long, default_value = "node.toml")]
        config: PathBuf,
    },
}

/// Entry point of the binary (and of the demo's node processes); returns
/// the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    edgefuel_daemon::logging::init("info");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("edgefuel-node: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let result = runtime.block_on(async {
        match cli.cmd {
            Cmd::Init {
                dir,
                operator,
                rpc,
                backend,
                listen,
            } => init(dir, &operator, &rpc, backend, listen),
            Cmd::Doctor { config } => doctor(config).await,
            Cmd::Run { config } => run(config).await,
        }
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("edgefuel-node: {e:#}");
            1
        }
    }
}

fn init(
    dir: PathBuf,
    operator: &str,
    rpc: &str,
    backend: BackendChoice,
    listen: SocketAddr,
) -> anyhow::Result<()> {
    let operator = Pubkey::from_str(operator)
        .with_context(|| format!("--operator {operator:?} is not a public key"))?;
    let file = dir.join("node.toml");
    let key = dir.join("agent.json");
    for p in [&file, &key] {
        if p.exists() {
            bail!("{} already exists; not overwriting it", p.display());
        }
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let agent = edgefuel_daemon::keys::create(&key)?;
    std::fs::write(&file, template(rpc, &operator, backend, listen))
        .with_context(|| format!("writing {}", file.display()))?;
    println!(
        "Wrote {} and a new agent key {} ({}).",
        file.display(),
        agent.pubkey(),
        key.display()
    );
    println!();
    println!("Next, with your operator wallet (the Solana CLI keypair of {operator}):");
    println!("  edgefuel -u {rpc} node register --endpoint https://<your-host>:7443 --gpu-model \"<GPU>\" --vram-mib <MiB> --region <region> --stake 1000");
    println!("  edgefuel -u {rpc} node set-agent {}", agent.pubkey());
    println!(
        "  send the agent 0.2 SOL for batch rent and fees (e.g. solana transfer {} 0.2)",
        agent.pubkey()
    );
    println!("Then:");
    println!("  edgefuel-node doctor --config {}", file.display());
    println!("  edgefuel-node run --config {}", file.display());
    println!("  open http://{listen}/ for the dashboard");
    Ok(())
}

async fn doctor(config: PathBuf) -> anyhow::Result<()> {
    let config = NodeConfig::load(&config)?;
    println!("edgefuel-node doctor ({})", config.file.display());
    let checks = crate::doctor::run(&config).await;
    let failed = checks.iter().filter(|c| !c.ok).count();
    for c in &checks {
        println!(
            "  {:<5} {:<20} {}",
            if c.ok { "ok" } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    if failed > 0 {
        bail!("{failed} check(s) failed");
    }
    println!(
        "all checks passed: `edgefuel-node run --config {}`",
        config.file.display()
    );
    Ok(())
}

async fn run(config: PathBuf) -> anyhow::Result<()> {
    // Everything that can be refused is checked before anything is written.
    let config = NodeConfig::load(&config)?;
    let key = edgefuel_daemon::keys::read(&config.agent_keypair)?;
    let operator_key = match &config.operator_keypair {
        Some(p) => {
            let k = edgefuel_daemon::keys::read(p)?;
            if k.pubkey() != config.operator {
                bail!(
                    "operator_keypair {} is {}, not the operator {}",
                    p.display(),
                    k.pubkey(),
                    config.operator
                );
            }
            Some(k)
        }
        None => None,
    };
    let url = config.settings.rpc_url.clone();
    let probe =
        EdgeFuelClient::new(url.clone(), CommitmentConfig::confirmed()).with_retry(RetryPolicy {
            transport_attempts: 3,
            initial_backoff: Duration::from_millis(300),
            ..RetryPolicy::default()
        });
    probe
        .network()
        .await
        .with_context(|| format!("no EdgeFuel network reachable at {url}"))?;
    let node = probe.node(&config.operator).await.with_context(|| {
        format!(
            "node {} of operator {} is not registered at {url}: run `edgefuel node register` first",
            pda::node(&config.operator),
            config.operator
        )
    })?;
    if node.agent != key.pubkey() && node.operator != key.pubkey() {
        bail!(
            "node {} names {} as its agent, not this key {}: run `edgefuel node set-agent {}` with the operator wallet",
            pda::node(&config.operator),
            node.agent,
            key.pubkey(),
            key.pubkey()
        );
    }
    let (backend, note) = open_backend(config.settings.backend)?;
    if let Some(n) = &note {
        tracing::warn!("{n}");
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data dir {}", config.data_dir.display()))?;
    let journal = Arc::new(Journal::open(&config.journal_path())?);
    let shutdown = Shutdown::on_signals();
    let metrics = Arc::new(Metrics::new());
    let listen = config.settings.http.listen;
    let mut agent = Agent::new(
        config,
        key,
        operator_key,
        journal,
        backend,
        note,
        metrics.clone(),
        shutdown.clone(),
    );
    let addr = edgefuel_daemon::http::serve(
        listen,
        crate::dashboard::router(agent.status.clone(), metrics),
        shutdown.clone(),
    )
    .await?;
    tracing::info!("dashboard on http://{addr}/ (/healthz, /metrics, /status.json)");
    println!("edgefuel-node: dashboard http://{addr}/");
    agent.run().await
}
