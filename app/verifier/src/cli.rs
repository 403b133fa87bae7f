//! `edgefuel-verifier run`.
use crate::daemon::Verifier;
use crate::metrics::{Metrics, Status};
use crate::settings::{template, VerifierConfig};
use anyhow::{bail, Context};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use clap::{Parser, Subcommand};
use edgefuel_client::{CommitmentConfig, EdgeFuelClient, RetryPolicy};
use edgefuel_daemon::Shutdown;
use edgefuel_node::agent::open_backend;
use edgefuel_node::settings::BackendChoice;
use solana_signer::Signer;
use std::ffi::OsString;
use std::fmt::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "edgefuel-verifier",
    version,
    about = "EdgeFuel verifier: re-execute revealed jobs, vote, crank batches"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Write a commented verifier.toml and a new verifier keypair into DIR.
    Init {
        /// Folder for verifier.toml and verifier.json.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Solana JSON-RPC URL.
        #[arg(long, default_value = "http://127.0.0.1:8899")]
        rpc: String,
        #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
        backend: BackendChoice,
        /// /status.json, /healthz and /metrics address.
        #[arg(long, default_value = "127.0.0.1:9465")]
        listen: SocketAddr,
    },
    /// Watch batches, vote, crank, until Ctrl-C / SIGTERM.
    Run {
        #[arg(short, long, default_value = "verifier.toml")]
        config: PathBuf,
    },
}

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
            eprintln!("edgefuel-verifier: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let result = runtime.block_on(async {
        match cli.cmd {
            Cmd::Init {
                dir,
                rpc,
                backend,
                listen,
            } => init(&dir, &rpc, backend, listen).map(|text| print!("{text}")),
            Cmd::Run { config } => run(config).await,
        }
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("edgefuel-verifier: {e:#}");
            1
        }
    }
}

/// `edgefuel-verifier init`: writes `verifier.toml` and a new `verifier.json`
/// in `dir` (never over existing files) and returns what to print: the key
/// and the exact next commands.
pub fn init(
    dir: &Path,
    rpc: &str,
    backend: BackendChoice,
    listen: SocketAddr,
) -> anyhow::Result<String> {
    if !(rpc.starts_with("http://") || rpc.starts_with("https://")) {
        bail!("--rpc {rpc:?} is not an http(s) URL");
    }
    let file = dir.join("verifier.toml");
    let key = dir.join("verifier.json");
    for p in [&file, &key] {
        if p.exists() {
            bail!("{} already exists; not overwriting it", p.display());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let verifier = edgefuel_daemon::keys::create(&key)?.pubkey();
    std::fs::write(&file, template(rpc, backend, listen))
        .with_context(|| format!("writing {}", file.display()))?;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Wrote {} and a new verifier key {verifier} ({}).\n",
        file.display(),
        key.display()
    );
    let _ = writeln!(t, "Next:");
    let _ = writeln!(
        t,
        "  send the key SOL for vote and crank fees (e.g. solana transfer {verifier} 0.1 --url {rpc})"
    );
    let _ = writeln!(
        t,
        "  have the network add it to its verifier set: a delegator with min_proposal_stake proposes,"
    );
    let _ = writeln!(
        t,
        "  token holders vote, anyone executes after the timelock (`edgefuel gov vote/finalize/execute ID`):"
    );
    let _ = writeln!(
        t,
        "    edgefuel -u {rpc} gov propose --operator <OPERATOR> --description <URL> add-verifier {verifier}"
    );
    let _ = writeln!(t, "Then:");
    let _ = writeln!(t, "  edgefuel-verifier run --config {}", file.display());
    let _ = writeln!(
        t,
        "  open http://{listen}/status.json (also /healthz and /metrics)"
    );
    Ok(t)
}

#[derive(Clone)]
struct AppState {
    status: Arc<RwLock<Status>>,
    metrics: Arc<Metrics>,
}

fn snapshot(s: &AppState) -> Status {
    s.status.read().unwrap_or_else(|p| p.into_inner()).clone()
}

async fn status_json(State(s): State<AppState>) -> Json<Status> {
    Json(snapshot(&s))
}

async fn healthz(State(s): State<AppState>) -> Response {
    let st = snapshot(&s);
    let problem = if !st.rpc_ok {
        Some(format!(
            "chain unreachable: {}",
            st.last_error.unwrap_or_else(|| "starting".into())
        ))
    } else if !st.in_verifier_set {
        Some("this key is not in the network's verifier set".to_string())
    } else {
        None
    };
    edgefuel_daemon::http::health(problem)
}

async fn metrics_text(State(s): State<AppState>) -> impl IntoResponse {
    edgefuel_daemon::http::metrics(&s.metrics.registry)
}

async fn run(config: PathBuf) -> anyhow::Result<()> {
    let config = VerifierConfig::load(&config)?;
    let key = edgefuel_daemon::keys::read(&config.keypair)?;
    let url = config.settings.rpc_url.clone();
    let probe =
        EdgeFuelClient::new(url.clone(), CommitmentConfig::confirmed()).with_retry(RetryPolicy {
            transport_attempts: 3,
            initial_backoff: Duration::from_millis(300),
            ..RetryPolicy::default()
        });
    let network = probe
        .network()
        .await
        .with_context(|| format!("no EdgeFuel network reachable at {url}"))?;
    if !network.is_verifier(&key.pubkey()) {
        bail!(
            "{} ({}) is not in the network's verifier set: a governance proposal adds verifiers",
            key.pubkey(),
            config.keypair.display()
        );
    }
    let (backend, note) = open_backend(config.settings.backend)?;
    if let Some(n) = &note {
        tracing::warn!("{n}");
    }
    let shutdown = Shutdown::on_signals();
    let metrics = Arc::new(Metrics::new());
    let listen = config.settings.http.listen;
    let mut verifier = Verifier::new(
        config,
        key,
        backend,
        note,
        metrics.clone(),
        shutdown.clone(),
    );
    let router = Router::new()
        .route("/status.json", get(status_json))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(AppState {
            status: verifier.status.clone(),
            metrics,
        });
    let addr = edgefuel_daemon::http::serve(listen, router, shutdown.clone()).await?;
    println!("edgefuel-verifier: http://{addr}/status.json");
    verifier.run().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::VerifierConfig;

    #[test]
    fn init_writes_a_loadable_config_and_a_key_and_never_overwrites() {
        let dir =
            std::env::temp_dir().join(format!("edgefuel-verifier-init-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let listen = SocketAddr::from(([127, 0, 0, 1], 9777));
        let rpc = "http://127.0.0.1:8899";
        let text = init(&dir, rpc, BackendChoice::Cpu, listen).unwrap();
        let key = edgefuel_daemon::keys::read(&dir.join("verifier.json")).unwrap();
        let config = VerifierConfig::load(&dir.join("verifier.toml")).unwrap();
        assert_eq!(config.keypair, dir.join("verifier.json"));
        assert_eq!(config.settings.rpc_url, rpc);
        assert_eq!(config.settings.backend, BackendChoice::Cpu);
        assert_eq!(config.settings.http.listen, listen);
        let who = key.pubkey().to_string();
        for line in [
            format!("solana transfer {who} 0.1 --url {rpc}"),
            format!(
                "edgefuel -u {rpc} gov propose --operator <OPERATOR> --description <URL> add-verifier {who}"
            ),
            format!(
                "edgefuel-verifier run --config {}",
                dir.join("verifier.toml").display()
            ),
            "open http://127.0.0.1:9777/status.json".to_string(),
        ] {
            assert!(text.contains(&line), "{line:?} missing from:\n{text}");
        }
        let again = init(&dir, rpc, BackendChoice::Cpu, listen).unwrap_err();
        assert!(again.to_string().contains("already exists"), "{again}");
        assert_eq!(
            edgefuel_daemon::keys::read(&dir.join("verifier.json"))
                .unwrap()
                .pubkey(),
            key.pubkey(),
            "the key is kept"
        );
        let bad = init(&dir.join("x"), "localhost", BackendChoice::Cpu, listen).unwrap_err();
        assert!(bad.to_string().contains("--rpc"), "{bad}");
        assert!(!dir.join("x").exists(), "a refused init writes nothing");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
