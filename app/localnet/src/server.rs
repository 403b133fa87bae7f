//! Command line, startup (chain, bootstrap, listeners, banner) and shutdown.
use crate::bootstrap::{self, BootstrapFile, Summary};
use crate::chain::{Chain, ChainConfig};
use crate::{rpc, ws};
use anyhow::{bail, Context};
use axum::body::Bytes;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use clap::Parser;
use solana_native_token::LAMPORTS_PER_SOL;
use solana_signer::Signer;
use std::future::IntoFuture;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::cors::CorsLayer;

/// EdgeFuel local chain: the EdgeFuel program hosted natively, served over
/// the standard Solana JSON-RPC (HTTP) and PubSub (websocket) APIs.
#[derive(Parser, Debug, Clone)]
#[command(name = "edgefuel-localnet", version)]
pub struct Options {
    /// Address to listen on. Only loopback addresses unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// JSON-RPC (HTTP) port.
    #[arg(long, default_value_t = 8899)]
    pub port: u16,
    /// Websocket (PubSub) port [default: --port + 1].
    #[arg(long)]
    pub ws_port: Option<u16>,
    /// Allow a non-loopback --bind address (the chain has no access control).
    #[arg(long)]
    pub allow_remote: bool,
    /// Bootstrap file (TOML) merged over the built-in default.
    #[arg(long, value_name = "FILE.toml", conflicts_with = "no_bootstrap")]
    pub bootstrap: Option<PathBuf>,
    /// Start a bare chain: no network, no funded wallets.
    #[arg(long)]
    pub no_bootstrap: bool,
    /// The program's upgrade authority on a bare chain (a base58 address or
    /// a keypair file): only it may `edgefuel network init`. [default: the
    /// faucet, whose keypair is written to the keys directory as faucet.json]
    #[arg(long, value_name = "KEY", requires = "no_bootstrap")]
    pub upgrade_authority: Option<String>,
    /// Directory of keypair files [default: keys_dir of the bootstrap file,
    /// else ~/.config/edgefuel/localnet].
    #[arg(long, value_name = "DIR")]
    pub keys_dir: Option<PathBuf>,
    /// Wall-clock length of a slot, in milliseconds.
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u64).range(10..=10_000))]
    pub slot_ms: u64,
    /// Slots per epoch (no warmup).
    #[arg(long, default_value_t = 432_000, value_parser = clap::value_parser!(u64).range(32..))]
    pub slots_per_epoch: u64,
    /// SOL the faucet starts with (airdrops and bootstrap fees).
    #[arg(long, default_value_t = 500_000_000)]
    pub faucet_sol: u64,
    /// Transactions remembered for getTransaction/getSignatureStatuses.
    #[arg(long, default_value_t = 100_000)]
    pub max_tx_history: usize,
}

fn default_keys_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".config/edgefuel/localnet")
}

async fn rpc_handler(State(chain): State<Arc<Chain>>, body: Bytes) -> Response {
    match rpc::handle_body(&chain, &body).await {
        Some(v) => ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

/// Prometheus text format: slot, block height, transactions, history size.
async fn metrics_handler(State(chain): State<Arc<Chain>>) -> Response {
    let (slot, height, count) = chain
        .with_bank(|b| (b.slot(), b.block_height(), b.transaction_count()))
        .await;
    let body = format!(
        "# TYPE edgefuel_localnet_slot gauge\nedgefuel_localnet_slot {slot}\n\
         # TYPE edgefuel_localnet_block_height gauge\nedgefuel_localnet_block_height {height}\n\
         # TYPE edgefuel_localnet_transactions_total counter\nedgefuel_localnet_transactions_total {count}\n\
         # TYPE edgefuel_localnet_history_transactions gauge\nedgefuel_localnet_history_transactions {}\n\
         # TYPE edgefuel_localnet_execute_seconds_total counter\nedgefuel_localnet_execute_seconds_total {}\n",
        chain.history_len(),
        chain.execute_seconds()
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

async fn ws_handler(State(chain): State<Arc<Chain>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| ws::serve_socket(socket, chain))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Boots the chain, bootstraps the network, serves until Ctrl-C/SIGTERM.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    let started = Instant::now();
    if !opts.bind.is_loopback() && !opts.allow_remote {
        bail!(
            "refusing to listen on {}: the local chain has no access control; pass --allow-remote to do it anyway",
            opts.bind
        );
    }
    let ws_port = match opts.ws_port {
        Some(p) => p,
        None => opts
            .port
            .checked_add(1)
            .context("--port 65535 leaves no port for the websocket; pass --ws-port")?,
    };
    let rpc_addr = SocketAddr::new(opts.bind, opts.port);
    let ws_addr = SocketAddr::new(opts.bind, ws_port);
    // Bind first: a port in use is the most common startup failure.
    let rpc_listener = tokio::net::TcpListener::bind(rpc_addr)
        .await
        .with_context(|| format!("binding JSON-RPC on {rpc_addr}"))?;
    let ws_listener = tokio::net::TcpListener::bind(ws_addr)
        .await
        .with_context(|| format!("binding websocket on {ws_addr}"))?;

    let file = match (&opts.bootstrap, opts.no_bootstrap) {
        (_, true) => None,
        (Some(path), false) => Some(BootstrapFile::load(path)?),
        (None, false) => Some(BootstrapFile::parse(None, Path::new("."))?),
    };
    let keys_dir = opts
        .keys_dir
        .clone()
        .or_else(|| file.as_ref().and_then(|f| f.network.keys_dir.clone()))
        .unwrap_or_else(default_keys_dir);

    let upgrade_authority = match &opts.upgrade_authority {
        Some(key) => Some(bootstrap::resolve_key(Path::new("."), key)?.pubkey),
        None => None,
    };
    let scratch = scratch_dir()?;
    let chain = Chain::boot(ChainConfig {
        slot_duration: Duration::from_millis(opts.slot_ms),
        slots_per_epoch: opts.slots_per_epoch,
        faucet_lamports: opts.faucet_sol.saturating_mul(LAMPORTS_PER_SOL),
        max_tx_history: opts.max_tx_history,
        accounts_dir: Some(scratch.join("accounts")),
        capture_native_logs: cfg!(unix),
        upgrade_authority,
    })
    .await?;
    let faucet_path = keys_dir.join("faucet.json");
    bootstrap::write_key(&faucet_path, chain.faucet())?;
    let timer = chain.spawn_slot_timer();

    let summary = match &file {
        Some(f) => Some(bootstrap::run(&chain, f, &keys_dir).await?),
        None => None,
    };

    let rpc_app = Router::new()
        .route("/", post(rpc_handler))
        .route("/health", get(|| async { "ok" }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics_handler))
        .layer(CorsLayer::permissive())
        .with_state(chain.clone());
    let ws_app = Router::new()
        .route("/", get(ws_handler))
        .with_state(chain.clone());

    print_banner(
        &opts,
        rpc_addr,
        ws_addr,
        &keys_dir,
        &faucet_path,
        &chain,
        summary.as_ref(),
        started,
    );

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut stop_rpc = stop_rx.clone();
    let mut stop_ws = stop_rx;
    let rpc_server = axum::serve(rpc_listener, rpc_app).with_graceful_shutdown(async move {
        let _ = stop_rpc.changed().await;
    });
    let ws_server = axum::serve(ws_listener, ws_app).with_graceful_shutdown(async move {
        let _ = stop_ws.changed().await;
    });
    let servers =
        tokio::spawn(
            async move { tokio::try_join!(rpc_server.into_future(), ws_server.into_future()) },
        );
    shutdown_signal().await;
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    timer.abort();
    // Open websockets do not end by themselves: give servers a moment.
    let _ = tokio::time::timeout(Duration::from_secs(2), servers).await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// This process's scratch directory (accounts storage files), under
/// `$TMPDIR/edgefuel-localnet/<pid>`. Directories of processes that are gone
/// (killed without cleaning up) are removed first.
fn scratch_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir().join("edgefuel-localnet");
    let can_tell_alive = Path::new("/proc/self").exists();
    if let Some(entries) = std::fs::read_dir(&base).ok().filter(|_| can_tell_alive) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let alive = name
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
            if !alive {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = base.join(std::process::id().to_string());
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating scratch directory {}", dir.display()))?;
    Ok(dir)
}

#[allow(clippy::too_many_arguments)]
fn print_banner(
    opts: &Options,
    rpc_addr: SocketAddr,
    ws_addr: SocketAddr,
    keys_dir: &std::path::Path,
    faucet_path: &std::path::Path,
    chain: &Chain,
    summary: Option<&Summary>,
    started: Instant,
) {
    let sol = |l: u64| l as f64 / LAMPORTS_PER_SOL as f64;
    let validity = opts.slot_ms * solana_clock::MAX_PROCESSING_AGE as u64 / 1000;
    let file_name = |p: &Option<PathBuf>| {
        p.as_ref()
            .and_then(|p| p.file_name())
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "-".into())
    };
    let mut out = String::new();
    out.push_str(&format!(
        "EdgeFuel localnet {}\n",
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str(&format!("  JSON-RPC    http://{rpc_addr}\n"));
    out.push_str(&format!("  WebSocket   ws://{ws_addr}\n"));
    out.push_str(&format!(
        "  slots       {} ms (a blockhash stays valid ~{validity} s)\n",
        opts.slot_ms
    ));
    out.push_str(&format!("  program     {}\n", edgefuel::ID));
    out.push_str(&format!("  keypairs    {}\n", keys_dir.display()));
    out.push_str(&format!(
        "  faucet      {} ({})\n",
        chain.faucet().pubkey(),
        faucet_path.display()
    ));
    match summary {
        None => out.push_str("  network     not initialized (--no-bootstrap)\n"),
        Some(s) => {
            out.push_str(&format!("  network     {}\n", edgefuel::pda::network()));
            out.push_str(&format!(
                "  mint        {} (EFUEL, 9 decimals)\n",
                edgefuel::pda::mint()
            ));
            out.push_str(&format!("  vault       {}\n", edgefuel::pda::vault()));
            out.push_str(&format!("  treasury    {}\n", edgefuel::pda::treasury()));
            out.push_str(&format!(
                "  guardian    {} ({})\n",
                s.guardian.pubkey,
                file_name(&s.guardian.path)
            ));
            out.push_str(&format!(
                "  verifiers   {} of {}\n",
                s.verifier_threshold,
                s.verifiers.len()
            ));
            for v in &s.verifiers {
                out.push_str(&format!(
                    "              {} ({})\n",
                    v.pubkey,
                    file_name(&v.path)
                ));
            }
            out.push_str(&format!(
                "  genesis     {} EFUEL to {} ({})\n",
                s.genesis_supply / 1_000_000_000,
                s.genesis_owner.pubkey,
                file_name(&s.genesis_owner.path)
            ));
            out.push_str(&format!(
                "  governance  voting {} s, timelock {} s; unbonding {} s\n",
                s.params.voting_seconds, s.params.timelock_seconds, s.params.unbonding_seconds
            ));
            for f in &s.funded {
                out.push_str(&format!(
                    "  funded      {} {:>10} SOL {:>12} EFUEL ({})\n",
                    f.pubkey,
                    sol(f.lamports),
                    f.efuel / 1_000_000_000,
                    file_name(&f.path)
                ));
            }
        }
    }
    out.push_str(&format!(
        "Ready in {:.1} s. Ctrl-C stops (state is in memory).\n",
        started.elapsed().as_secs_f64()
    ));
    print!("{out}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
}
