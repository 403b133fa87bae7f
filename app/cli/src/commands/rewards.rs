//! `edgefuel rewards claim|show`.
use super::stake::{positions, Position};
use super::{efuel, pubkey_arg};
use crate::context::Ctx;
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use edgefuel_client::Pubkey;
use edgefuel_client::{ix, pda};
use serde_json::json;
use solana_signer::Signer;

#[derive(Debug, Subcommand)]
pub enum RewardsCmd {
    /// Mint the keypair's rewards from one node (or every node with --all).
    Claim {
        /// The node's operator address.
        #[arg(value_parser = pubkey_arg, required_unless_present = "all")]
        operator: Option<Pubkey>,
        /// Claim from every delegation that has rewards.
        #[arg(long, conflicts_with = "operator")]
        all: bool,
    },
    /// Claimable rewards of a staker per node [default: the keypair].
    Show {
        #[arg(value_parser = pubkey_arg)]
        staker: Option<Pubkey>,
    },
}

pub async fn run(ctx: &Ctx, cmd: RewardsCmd) -> Result<()> {
    match cmd {
        RewardsCmd::Claim { operator, all } => claim(ctx, operator, all).await,
        RewardsCmd::Show { staker } => show(ctx, staker).await,
    }
}

async fn claim(ctx: &Ctx, operator: Option<Pubkey>, all: bool) -> Result<()> {
    let staker = ctx.keypair()?;
    let nodes: Vec<Pubkey> = if all {
        positions(ctx, &staker.pubkey())
            .await?
            .into_iter()
            .filter(|p| p.claimable > 0)
            .map(|p| p.delegation.node)
            .collect()
    } else {
        operator.map(|o| vec![pda::node(&o)]).unwrap_or_default()
    };
    if nodes.is_empty() {
        bail!("{} has no rewards to claim", staker.pubkey());
    }
    let before = ctx.client.efuel_balance(&staker.pubkey()).await?;
    let mut sigs = Vec::new();
    // One transaction per node keeps each claim independent of the others.
    for node in &nodes {
        let epochs = ctx.client.stake_epochs(node, &staker.pubkey()).await?;
        let out = ctx
            .send(
                &format!("rewards claim from node {node}"),
                &[ix::claim_rewards(&staker.pubkey(), node, epochs)],
                &[&staker],
            )
            .await?;
        sigs.push(out);
    }
    let after = ctx
        .client
        .efuel_balance(&staker.pubkey())
        .await
        .context("reading the balance after claiming")?;
    let claimed = after.saturating_sub(before);
    ctx.emit(&json!({ "transactions": sigs, "claimed": claimed }), || {
        format!("Claimed {} from {} node(s)", efuel(claimed), nodes.len())
    })
}

async fn show(ctx: &Ctx, staker: Option<Pubkey>) -> Result<()> {
    let staker = ctx.address_or_self(staker)?;
    let mut rows = Vec::new();
    let mut total = 0u64;
    let mut text = format!("Rewards of {staker}:\n");
    for Position {
        address,
        delegation: d,
        node,
        claimable,
        ..
    } in positions(ctx, &staker).await?
    {
        total = total.saturating_add(claimable);
        text += &format!(
            "  node {} (operator {}): {} claimable, {} claimed so far\n",
            d.node,
            node.operator,
            efuel(claimable),
            efuel(d.total_claimed)
        );
        rows.push(json!({
            "delegation": address.to_string(),
            "node": d.node.to_string(),
            "operator": node.operator.to_string(),
            "claimable": claimable,
            "total_claimed": d.total_claimed,
        }));
    }
    text += &format!("Total claimable: {}", efuel(total));
    ctx.emit(
        &json!({ "staker": staker.to_string(), "total_claimable": total, "rewards": rows }),
        || text,
    )
}
