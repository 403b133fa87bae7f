//! `edgefuel balance|transfer|airdrop|address|keygen`: wallet helpers, so the CLI
//! alone can fund and inspect accounts on a local chain or devnet.
use super::{amount_arg, efuel, pubkey_arg};
use crate::context::{nonzero, Ctx};
use anyhow::{bail, Context, Result};
use clap::Args;
use edgefuel_client::amount::format_sol;
use edgefuel_client::ix;
use edgefuel_client::Pubkey;
use serde_json::json;
use solana_signer::Signer;

#[derive(Debug, Args)]
pub struct BalanceArgs {
    #[arg(value_parser = pubkey_arg)]
    pub address: Option<Pubkey>,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    /// Recipient wallet (its EFUEL token account is created if missing).
    #[arg(value_parser = pubkey_arg)]
    pub recipient: Pubkey,
    /// EFUEL to send, e.g. 12.5
    #[arg(value_parser = amount_arg, allow_hyphen_values = true)]
    pub amount: u64,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the keypair (Solana's JSON format)
    /// [default: ~/.config/solana/id.json].
    #[arg(short = 'o', long)]
    pub outfile: Option<std::path::PathBuf>,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct AirdropArgs {
    /// SOL to request, e.g. 2
    #[arg(value_parser = amount_arg, allow_hyphen_values = true)]
    pub sol: u64,
    /// Recipient [default: the keypair].
    #[arg(value_parser = pubkey_arg)]
    pub address: Option<Pubkey>,
}

pub async fn balance(ctx: &Ctx, a: BalanceArgs) -> Result<()> {
    let address = ctx.address_or_self(a.address)?;
    let sol = ctx.client.sol_balance(&address).await?;
    let efuel_units = ctx.client.efuel_balance(&address).await?;
    ctx.emit(
        &json!({ "address": address.to_string(), "lamports": sol, "efuel": efuel_units }),
        || format!("{address}: {} SOL, {}", format_sol(sol), efuel(efuel_units)),
    )
}

pub async fn transfer(ctx: &Ctx, a: TransferArgs) -> Result<()> {
    let from = ctx.keypair()?;
    nonzero(a.amount, "the amount to transfer")?;
    let balance = ctx.client.efuel_balance(&from.pubkey()).await?;
    if balance < a.amount {
        bail!(
            "{} holds {} but the transfer needs {}",
            from.pubkey(),
            efuel(balance),
            efuel(a.amount)
        );
    }
    let ixs = [
        ix::create_efuel_ata(&from.pubkey(), &a.recipient),
        ix::transfer_efuel(&from.pubkey(), &a.recipient, a.amount)
            .map_err(|e| anyhow::anyhow!("building the transfer: {e}"))?,
    ];
    let mut out = ctx.send("transfer", &ixs, &[&from]).await?;
    out["amount"] = json!(a.amount);
    out["recipient"] = json!(a.recipient.to_string());
    ctx.emit(&out, || {
        format!("Sent {} to {}", efuel(a.amount), a.recipient)
    })
}

pub async fn airdrop(ctx: &Ctx, a: AirdropArgs) -> Result<()> {
    let address = ctx.address_or_self(a.address)?;
    let lamports = nonzero(a.sol, "the airdrop")?;
    let sig = ctx
        .client
        .airdrop(&address, lamports)
        .await
        .with_context(|| format!("airdrop request to {} failed", ctx.url))?;
    let sol = ctx.client.sol_balance(&address).await?;
    let explorer = edgefuel_client::cluster::explorer_tx_url(&sig.to_string(), &ctx.url);
    ctx.emit(
        &json!({ "signature": sig.to_string(), "explorer": explorer, "lamports": sol }),
        || {
            format!(
                "Signature: {sig}\nExplorer: {explorer}\n{address}: {} SOL",
                format_sol(sol)
            )
        },
    )
}

pub fn address(ctx: &Ctx) -> Result<()> {
    let kp = ctx.keypair()?;
    ctx.emit(&json!({ "address": kp.pubkey().to_string() }), || {
        kp.pubkey().to_string()
    })
}

/// Writes a new keypair file (for machines without the Solana tool suite).
pub fn keygen(ctx: &Ctx, a: KeygenArgs) -> Result<()> {
    let path = match a.outfile {
        Some(p) => crate::solana_config::expand_tilde(&p),
        None => crate::solana_config::default_keypair_path()
            .context("HOME is not set: pass --outfile PATH")?,
    };
    if path.exists() && !a.force {
        bail!(
            "{} already exists: pass --force to overwrite it (its key would be lost)",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    let kp = solana_keypair::Keypair::new();
    solana_keypair::write_keypair_file(&kp, &path)
        .map_err(|e| anyhow::anyhow!("cannot write keypair file {}: {e}", path.display()))?;
    ctx.emit(
        &json!({ "address": kp.pubkey().to_string(), "path": path.display().to_string() }),
        || format!("Wrote {} ({})", path.display(), kp.pubkey()),
    )
}
