//! `edgefuel-verifier run`.
use crate::daemon::Verifier;
use crate::metrics::{Metrics, Status};
use crate::settings::VerifierConfig;
use anyhow::{bail, Context};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use clap::{Parser, Subcommand};
use edgefuel_client::{CommitmentConfig, EdgeFuelClient, RetryPolicy};
use edgefuel_daemon::Shutdown;
use edgefuel_node::agent::open_backend;
use solana_signer::Signer;
use std::ffi::OsString;
use std::path::PathBuf;
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
