//! What every command shares: the resolved cluster, keypair, client and output.
use crate::solana_config::{default_config_path, default_keypair_path, expand_tilde, SolanaConfig};
use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Args, ValueEnum};
use edgefuel_client::cluster::{explorer_tx_url, resolve_url};
use edgefuel_client::rpc::RetryPolicy;
use edgefuel_client::{ClientError, CommitmentConfig, EdgeFuelClient};
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use edgefuel_client::Instruction;
use edgefuel_client::Pubkey;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable text.
    Display,
    /// Pretty JSON on stdout (amounts in base units, exact).
    Json,
    /// One-line JSON on stdout.
    JsonCompact,
}

/// Options every command takes (Solana CLI conventions).
#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// RPC URL or moniker: mainnet-beta, devnet, testnet, localhost
    /// [default: json_rpc_url from the Solana CLI config]
    #[arg(
        short = 'u',
        long = "url",
        global = true,
        value_name = "URL_OR_MONIKER"
    )]
    pub url: Option<String>,
    /// Keypair file that signs and pays [default: keypair_path from the Solana CLI config,
    /// else ~/.config/solana/id.json]
    #[arg(short = 'k', long = "keypair", global = true, value_name = "PATH")]
    pub keypair: Option<PathBuf>,
    /// Solana CLI config file [default: ~/.config/solana/cli/config.yml]
    #[arg(short = 'C', long = "config", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Display)]
    pub output: OutputFormat,
    /// Commitment for reads and confirmation: processed, confirmed or finalized
    /// [default: commitment from the config, else confirmed]
    #[arg(long, global = true, value_name = "LEVEL")]
    pub commitment: Option<String>,
}

/// The resolved environment of one invocation.
pub struct Ctx {
    pub url: String,
    pub client: EdgeFuelClient,
    pub output: OutputFormat,
    keypair_path: Option<PathBuf>,
}

impl Ctx {
    pub fn new(opts: &GlobalOpts) -> Result<Self> {
        let config = match &opts.config {
            Some(p) => SolanaConfig::load(&expand_tilde(p), true)?,
            None => match default_config_path() {
                Some(p) => SolanaConfig::load(&p, false)?,
                None => SolanaConfig::default(),
            },
        };
        let url_input = opts
            .url
            .clone()
            .or(config.json_rpc_url.clone())
            .unwrap_or_else(|| "mainnet-beta".to_string());
        let url = resolve_url(&url_input)?;
        let commitment_text = opts
            .commitment
            .clone()
            .or(config.commitment.clone())
            .unwrap_or_else(|| "confirmed".into());
        let commitment = CommitmentConfig::from_str(&commitment_text).map_err(|_| {
            anyhow!("invalid commitment `{commitment_text}`: use processed, confirmed or finalized")
        })?;
        let keypair_path = opts
            .keypair
            .clone()
            .or(config.keypair_path.as_ref().map(PathBuf::from))
            .or_else(default_keypair_path)
            .map(|p| expand_tilde(&p));
        let retry = RetryPolicy {
            transport_attempts: 3,
            ..RetryPolicy::default()
        };
        Ok(Ctx {
            client: EdgeFuelClient::new(url.clone(), commitment).with_retry(retry),
            url,
            output: opts.output,
            keypair_path,
        })
    }

    /// The signing keypair; the error names the file and how to choose another.
    pub fn keypair(&self) -> Result<Keypair> {
        let path = self.keypair_path.as_ref().ok_or_else(|| {
            anyhow!("no keypair: pass -k/--keypair PATH (HOME is not set, so there is no default)")
        })?;
        solana_keypair::read_keypair_file(path).map_err(|e| {
            anyhow!(
                "cannot read keypair file {}: {e} (pass -k/--keypair PATH or set keypair_path \
                 in the Solana CLI config)",
                path.display()
            )
        })
    }

    /// `address` when given, else the keypair's public key.
    pub fn address_or_self(&self, address: Option<Pubkey>) -> Result<Pubkey> {
        match address {
            Some(a) => Ok(a),
            None => Ok(self
                .keypair()
                .context("no address given, so the keypair's address is used")?
                .pubkey()),
        }
    }

    pub fn is_json(&self) -> bool {
        !matches!(self.output, OutputFormat::Display)
    }

    /// Prints a result: JSON in json modes, `text` otherwise.
    pub fn emit(&self, value: &Value, text: impl FnOnce() -> String) -> Result<()> {
        let out = match self.output {
            OutputFormat::Json => serde_json::to_string_pretty(value)?,
            OutputFormat::JsonCompact => serde_json::to_string(value)?,
            OutputFormat::Display => text(),
        };
        let mut stdout = std::io::stdout().lock();
        match writeln!(stdout, "{out}") {
            // A closed pipe (`edgefuel … | head`) is not an error of ours.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("writing to stdout"),
        }
    }

    /// Signs (payer = first signer) and sends, waits for confirmation, and
    /// returns `{signature, explorer}`. On failure the simulation or
    /// transaction logs go to stderr and the error names what failed.
    pub async fn send(
        &self,
        what: &str,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Value> {
        match self.client.send(instructions, signers).await {
            Ok(signature) => {
                let explorer = explorer_tx_url(&signature, &self.url);
                if !self.is_json() {
                    // Best effort: a closed stdout must not fail a landed transaction.
                    let _ = writeln!(
                        std::io::stdout(),
                        "Signature: {signature}\nExplorer: {explorer}"
                    );
                }
                Ok(json!({ "signature": signature, "explorer": explorer }))
            }
            Err(e) => {
                print_logs(&e);
                // Only a transaction that landed has an explorer page.
                if let ClientError::Transaction(f) = &e {
                    if let (true, Some(sig)) = (f.landed, &f.signature) {
                        eprintln!("Explorer: {}", explorer_tx_url(sig, &self.url));
                    }
                }
                Err(anyhow::Error::new(e).context(format!("{what} failed")))
            }
        }
    }

    /// Fails early with a clear message when the network is not initialized.
    pub async fn network(&self) -> Result<edgefuel_client::edgefuel::Network> {
        self.client.network().await.with_context(|| {
            format!(
                "cannot read the EdgeFuel network at {} (program {})",
                self.url,
                edgefuel_client::edgefuel::ID
            )
        })
    }
}

/// Prints the logs a refused transaction carries to stderr.
pub fn print_logs(e: &ClientError) {
    let logs = e.logs();
    if !logs.is_empty() {
        eprintln!("Transaction logs:");
        for line in logs {
            eprintln!("  {line}");
        }
    }
}

/// Refuses zero amounts with a clear message.
pub fn nonzero(amount: u64, what: &str) -> Result<u64> {
    if amount == 0 {
        bail!("{what} must be greater than zero");
    }
    Ok(amount)
}

/// An on-chain maths error (e.g. from share conversions) as a readable error.
pub fn program_err(e: edgefuel_client::anchor_lang::error::Error) -> anyhow::Error {
    anyhow!(edgefuel_client::error::anchor_error_text(&e))
}
