//! `edgefuel-bootstrap`: brings up an EdgeFuel network on a cluster where the
//! program is deployed, from a bootstrap file (the same TOML as
//! `edgefuel network init --bootstrap` and the local chain's `--bootstrap`).
//!
//! It is idempotent: on a cluster where the network already exists it checks
//! that the on-chain guardian, verifier set, threshold and params match the
//! file, and reports every difference (exit 1) instead of sending anything.
//!
//! ```text
//! edgefuel-bootstrap --url devnet --keypair ~/.config/solana/id.json \
//!     --bootstrap migrations/devnet.toml [--dry-run]
//! ```
use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;
use edgefuel_client::cluster::{explorer_tx_url, resolve_url};
use edgefuel_client::config::{params_to_json, NetworkConfig, NetworkInit};
use edgefuel_client::edgefuel::Network;
use edgefuel_client::{ix, pda, CommitmentConfig, EdgeFuelClient};
use serde_json::json;
use solana_signer::Signer;
use std::path::PathBuf;

/// Bootstrap an EdgeFuel network on a cluster.
#[derive(Debug, Parser)]
#[command(name = "edgefuel-bootstrap", version, about)]
struct Args {
    /// RPC URL or moniker: mainnet-beta, devnet, testnet, localhost.
    #[arg(short = 'u', long = "url")]
    url: String,
    /// Keypair that pays for the network's accounts.
    #[arg(short = 'k', long = "keypair")]
    keypair: PathBuf,
    /// Bootstrap file (TOML): [network] and [params].
    #[arg(long, value_name = "FILE.toml")]
    bootstrap: PathBuf,
    /// Simulate the initialization and print its logs; send nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Differences between the network on chain and the wanted one.
fn differences(net: &Network, want: &NetworkInit) -> Result<Vec<String>> {
    let mut diffs = Vec::new();
    if net.guardian != want.args.guardian {
        diffs.push(format!(
            "guardian: on chain {}, file {}",
            net.guardian, want.args.guardian
        ));
    }
    if net.verifier_set() != want.args.verifiers.as_slice() {
        diffs.push(format!(
            "verifiers: on chain {:?}, file {:?}",
            net.verifier_set(),
            want.args.verifiers
        ));
    }
    if net.verifier_threshold != want.args.verifier_threshold {
        diffs.push(format!(
            "verifier_threshold: on chain {}, file {}",
            net.verifier_threshold, want.args.verifier_threshold
        ));
    }
    let (have, wanted) = (
        params_to_json(&net.params)?,
        params_to_json(&want.args.params)?,
    );
    if let (Some(have), Some(wanted)) = (have.as_object(), wanted.as_object()) {
        for (k, w) in wanted {
            if have.get(k) != Some(w) {
                diffs.push(format!(
                    "params.{k}: on chain {}, file {w}",
                    have.get(k).cloned().unwrap_or_default()
                ));
            }
        }
    }
    Ok(diffs)
}

async fn run(args: Args) -> Result<()> {
    let url = resolve_url(&args.url)?;
    let payer = solana_keypair::read_keypair_file(&args.keypair)
        .map_err(|e| anyhow!("cannot read keypair file {}: {e}", args.keypair.display()))?;
    let (cfg, base) = NetworkConfig::load(&args.bootstrap)
        .with_context(|| format!("bootstrap file {}", args.bootstrap.display()))?;
    let want = cfg
        .resolve(&payer.pubkey(), &base)
        .with_context(|| format!("bootstrap file {}", args.bootstrap.display()))?;
    want.args.params.validate().map_err(|e| {
        anyhow!(
            "the program would refuse these params: {}",
            edgefuel_client::error::anchor_error_text(&e)
        )
    })?;
    let client = EdgeFuelClient::new(url.clone(), CommitmentConfig::confirmed());

    // 1. The program must be deployed (executable) at the crate's id.
    let program = client
        .account(&edgefuel_client::edgefuel::ID)
        .await
        .with_context(|| format!("reading the program account at {url}"))?;
    match program {
        Some(acc) if acc.executable => {}
        _ => bail!(
            "the EdgeFuel program {} is not deployed on {url}: deploy it first \
             (see migrations/README.md)",
            edgefuel_client::edgefuel::ID
        ),
    }

    // 2. Already bootstrapped? Then only verify.
    if let Some(net) = client.fetch_opt::<Network>(&pda::network()).await? {
        let diffs = differences(&net, &want)?;
        if diffs.is_empty() {
            println!(
                "{}",
                json!({ "status": "already-initialized", "network": pda::network().to_string(), "matches": true })
            );
            return Ok(());
        }
        for d in &diffs {
            eprintln!("  {d}");
        }
        bail!(
            "the network at {} differs from {} in {} place(s) (listed above); after \
             initialization only governance changes it",
            pda::network(),
            args.bootstrap.display(),
            diffs.len()
        );
    }

    // 3. Initialize (or simulate).
    // Only the program's upgrade authority may initialize: the payer keypair
    // must be it.
    client.require_upgrade_authority(&payer.pubkey()).await?;
    let instr = ix::initialize_network(
        &payer.pubkey(),
        &payer.pubkey(),
        &want.genesis_owner,
        want.args.clone(),
    );
    if args.dry_run {
        let (failure, logs) = client.simulate(&[instr], &[&payer]).await?;
        for l in &logs {
            eprintln!("  {l}");
        }
        if let Some(f) = failure {
            bail!("simulation failed: {f}");
        }
        println!(
            "{}",
            json!({ "status": "simulated", "network": pda::network().to_string() })
        );
        return Ok(());
    }
    let signature = match client.send(&[instr], &[&payer]).await {
        Ok(s) => s,
        Err(e) => {
            for l in e.logs() {
                eprintln!("  {l}");
            }
            return Err(anyhow::Error::new(e).context("initialize_network failed"));
        }
    };

    // 4. Read back and verify.
    let net: Network = client.network().await?;
    let diffs = differences(&net, &want)?;
    if !diffs.is_empty() {
        bail!("initialized, but the network reads back different: {diffs:?}");
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "status": "initialized",
            "signature": signature,
            "explorer": explorer_tx_url(&signature, &url),
            "network": pda::network().to_string(),
            "mint": pda::mint().to_string(),
            "vault": pda::vault().to_string(),
            "treasury": pda::treasury().to_string(),
            "genesis_owner": want.genesis_owner.to_string(),
            "genesis_supply": want.args.genesis_supply,
        }))?
    );
    Ok(())
}

fn main() {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(args)) {
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}
