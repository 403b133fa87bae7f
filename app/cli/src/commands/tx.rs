//! `edgefuel tx events SIGNATURE`: the EdgeFuel events a landed transaction
//! recorded (read from `getTransaction`: its inner instructions and logs).
use crate::context::Ctx;
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde_json::json;
use std::str::FromStr;

#[derive(Debug, Subcommand)]
pub enum TxCmd {
    /// The EdgeFuel events of a landed transaction, decoded.
    Events {
        /// Transaction signature (base58).
        signature: String,
    },
}

pub async fn run(ctx: &Ctx, cmd: TxCmd) -> Result<()> {
    match cmd {
        TxCmd::Events { signature } => {
            let sig = edgefuel_client::solana_signature::Signature::from_str(signature.trim())
                .map_err(|_| anyhow::anyhow!("`{signature}` is not a base58 signature"))?;
            let Some(events) = ctx
                .client
                .transaction_events(&sig)
                .await
                .with_context(|| format!("reading transaction {sig}"))?
            else {
                bail!("transaction {sig} is not known to {}", ctx.url);
            };
            let list: Vec<_> = events.iter().map(|e| e.to_json()).collect();
            ctx.emit(
                &json!({ "signature": sig.to_string(), "events": list }),
                || {
                    if list.is_empty() {
                        return "No EdgeFuel events.".into();
                    }
                    list.iter()
                        .map(|e| format!("{}: {}", e["name"].as_str().unwrap_or("?"), e["data"]))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            )
        }
    }
}
