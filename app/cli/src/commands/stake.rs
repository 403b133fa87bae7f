//! `edgefuel stake delegate|undelegate|withdraw|show`.
use super::{amount_arg, efuel, pubkey_arg, unix_time};
use crate::context::{nonzero, program_err, Ctx};
use anyhow::{anyhow, bail, Context, Result};
use clap::{ArgGroup, Args, Subcommand};
use edgefuel_client::edgefuel::{math, Delegation, Node};
use edgefuel_client::Pubkey;
use edgefuel_client::{idl, ix, pda};
use serde_json::{json, Value};
use solana_signer::Signer;

#[derive(Debug, Subcommand)]
pub enum StakeCmd {
    /// Stake EFUEL into a node's pool (an operator staking its own node bonds self-stake).
    Delegate {
        /// The node's operator address.
        #[arg(value_parser = pubkey_arg)]
        operator: Pubkey,
        /// EFUEL to stake, e.g. 12.5
        #[arg(value_parser = amount_arg, allow_hyphen_values = true)]
        amount: u64,
    },
    /// Start the cooldown of bonded stake (it stays slashable until withdrawn).
    Undelegate(UndelegateArgs),
    /// Withdraw stake whose cooldown has ended.
    Withdraw {
        #[arg(value_parser = pubkey_arg)]
        operator: Pubkey,
    },
    /// Delegations of a staker [default: the keypair].
    Show {
        #[arg(value_parser = pubkey_arg)]
        staker: Option<Pubkey>,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("how_much").required(true).args(["amount", "shares", "all"])))]
pub struct UndelegateArgs {
    /// The node's operator address.
    #[arg(value_parser = pubkey_arg)]
    pub operator: Pubkey,
    /// EFUEL worth of bonded stake to unbond (converted to pool shares at the current rate).
    #[arg(value_parser = amount_arg, allow_hyphen_values = true)]
    pub amount: Option<u64>,
    /// Exact number of pool shares to unbond.
    #[arg(long)]
    pub shares: Option<u64>,
    /// Unbond every bonded share.
    #[arg(long)]
    pub all: bool,
}

pub async fn run(ctx: &Ctx, cmd: StakeCmd) -> Result<()> {
    match cmd {
        StakeCmd::Delegate { operator, amount } => delegate(ctx, operator, amount).await,
        StakeCmd::Undelegate(a) => undelegate(ctx, a).await,
        StakeCmd::Withdraw { operator } => withdraw(ctx, operator).await,
        StakeCmd::Show { staker } => show(ctx, staker).await,
    }
}

async fn delegate(ctx: &Ctx, operator: Pubkey, amount: u64) -> Result<()> {
    let staker = ctx.keypair()?;
    nonzero(amount, "the amount to delegate")?;
    let node = pda::node(&operator);
    ctx.client
        .node(&operator)
        .await
        .with_context(|| format!("operator {operator} has no node"))?;
    let balance = ctx.client.efuel_balance(&staker.pubkey()).await?;
    if balance < amount {
        bail!(
            "{} holds {} but the delegation needs {}",
            staker.pubkey(),
            efuel(balance),
            efuel(amount)
        );
    }
    let epochs = ctx.client.stake_epochs(&node, &staker.pubkey()).await?;
    let mut out = ctx
        .send(
            "stake delegate",
            &[ix::delegate(&staker.pubkey(), &node, amount, epochs)],
            &[&staker],
        )
        .await?;
    out["node"] = json!(node.to_string());
    out["delegation"] = json!(pda::delegation(&node, &staker.pubkey()).to_string());
    out["amount"] = json!(amount);
    ctx.emit(&out, || {
        format!(
            "Delegated {} to node {node} (operator {operator})",
            efuel(amount)
        )
    })
}

async fn undelegate(ctx: &Ctx, a: UndelegateArgs) -> Result<()> {
    let staker = ctx.keypair()?;
    let node_addr = pda::node(&a.operator);
    let node = ctx
        .client
        .node(&a.operator)
        .await
        .with_context(|| format!("operator {} has no node", a.operator))?;
    let d = ctx
        .client
        .delegation(&node_addr, &staker.pubkey())
        .await?
        .ok_or_else(|| anyhow!("{} has no stake in node {node_addr}", staker.pubkey()))?;
    let shares = if a.all {
        d.bonded_shares
    } else if let Some(s) = a.shares {
        s
    } else {
        let amount = a.amount.unwrap_or(0);
        let bonded = d.bonded_tokens(&node).map_err(program_err)?;
        if amount > bonded {
            bail!(
                "only {} is bonded in this delegation; asked to undelegate {}",
                efuel(bonded),
                efuel(amount)
            );
        }
        math::tokens_to_shares(amount, node.pool_tokens, node.pool_shares)
            .map_err(program_err)?
            .min(d.bonded_shares)
    };
    nonzero(shares, "the shares to undelegate")?;
    let epochs = ctx
        .client
        .stake_epochs(&node_addr, &staker.pubkey())
        .await?;
    let mut out = ctx
        .send(
            "stake undelegate",
            &[ix::undelegate(&staker.pubkey(), &node_addr, shares, epochs)],
            &[&staker],
        )
        .await?;
    let d = ctx
        .client
        .delegation(&node_addr, &staker.pubkey())
        .await?
        .context("delegation vanished after undelegate")?;
    out["shares"] = json!(shares);
    out["unlock_at"] = json!(d.unlock_at);
    ctx.emit(&out, || {
        format!(
            "Unbonding {shares} shares of node {node_addr}; withdraw after {}",
            unix_time(d.unlock_at)
        )
    })
}

async fn withdraw(ctx: &Ctx, operator: Pubkey) -> Result<()> {
    let staker = ctx.keypair()?;
    let node = pda::node(&operator);
    let before = ctx.client.efuel_balance(&staker.pubkey()).await?;
    let mut out = ctx
        .send(
            "stake withdraw",
            &[ix::withdraw(&staker.pubkey(), &node)],
            &[&staker],
        )
        .await?;
    let after = ctx.client.efuel_balance(&staker.pubkey()).await?;
    let received = after.saturating_sub(before);
    out["received"] = json!(received);
    ctx.emit(&out, || {
        format!("Withdrew {} from node {node}", efuel(received))
    })
}

/// One delegation as JSON: IDL fields plus redeemable tokens and
/// `claimable` rewards.
pub fn delegation_json(
    address: &Pubkey,
    d: &Delegation,
    raw: &[u8],
    node: &Node,
    claimable: u64,
) -> Result<Value> {
    let mut v = idl::account_to_json("Delegation", raw)?;
    v["address"] = json!(address.to_string());
    v["operator"] = json!(node.operator.to_string());
    v["bonded_tokens"] = json!(d.bonded_tokens(node).map_err(program_err)?);
    v["unbonding_tokens"] = json!(d.unbonding_tokens(node).map_err(program_err)?);
    v["claimable_rewards"] = json!(claimable);
    Ok(v)
}

/// A staker's delegation in one node.
pub struct Position {
    pub address: Pubkey,
    pub raw: Vec<u8>,
    pub delegation: Delegation,
    pub node: Node,
    /// Rewards it could claim now.
    pub claimable: u64,
}

/// Every delegation of `staker` with its node and what it could claim now.
pub async fn positions(ctx: &Ctx, staker: &Pubkey) -> Result<Vec<Position>> {
    let filters = edgefuel_client::accounts::delegations_of_staker(staker)?;
    let mut out = Vec::new();
    for (address, raw) in ctx.client.list_raw(filters).await? {
        let d: Delegation = edgefuel_client::accounts::decode(&address, &raw)?;
        let node: Node = ctx
            .client
            .fetch(&d.node)
            .await
            .with_context(|| format!("node {} of delegation {address}", d.node))?;
        let claimable = ctx.client.claimable(&d.node, &d, &node).await?;
        out.push(Position {
            address,
            raw,
            delegation: d,
            node,
            claimable,
        });
    }
    Ok(out)
}

async fn show(ctx: &Ctx, staker: Option<Pubkey>) -> Result<()> {
    let staker = ctx.address_or_self(staker)?;
    let wallet = ctx.client.efuel_balance(&staker).await?;
    let mut rows = Vec::new();
    let mut text = format!("Staker {staker}: {} in wallet\n", efuel(wallet));
    let mut total_bonded = 0u64;
    for Position {
        address,
        raw,
        delegation: d,
        node,
        claimable,
    } in positions(ctx, &staker).await?
    {
        let v = delegation_json(&address, &d, &raw, &node, claimable)?;
        let bonded = v["bonded_tokens"].as_u64().unwrap_or(0);
        total_bonded = total_bonded.saturating_add(bonded);
        text += &format!(
            "Node {} (operator {}):\n  bonded {} ({} shares), unbonding {} ({} shares){}\n  claimable rewards {}\n",
            d.node,
            node.operator,
            efuel(bonded),
            d.bonded_shares,
            efuel(v["unbonding_tokens"].as_u64().unwrap_or(0)),
            d.unbonding_shares,
            if d.unbonding_shares > 0 {
                format!(", unlocks {}", unix_time(d.unlock_at))
            } else {
                String::new()
            },
            efuel(v["claimable_rewards"].as_u64().unwrap_or(0)),
        );
        rows.push(v);
    }
    text += &format!(
        "{} delegation(s), {} bonded",
        rows.len(),
        efuel(total_bonded)
    );
    let value = json!({
        "staker": staker.to_string(),
        "wallet_balance": wallet,
        "total_bonded": total_bonded,
        "delegations": rows,
    });
    ctx.emit(&value, || text)
}
