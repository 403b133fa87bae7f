//! `edgefuel balance|transfer|airdrop|address`: wallet helpers, so the CLI
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
use std::time::Duration;

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
        .rpc()
        .request_airdrop(&address, lamports)
        .await
        .with_context(|| format!("airdrop request to {} failed", ctx.url))?;
    // Wait for the airdrop to land (faucets confirm in a few slots).
    let mut confirmed = false;
    for _ in 0..150 {
        if ctx.rpc().confirm_transaction(&sig).await.unwrap_or(false) {
            confirmed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if !confirmed {
        bail!("airdrop {sig} did not confirm within 30 s");
    }
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
