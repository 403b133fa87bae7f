//! `edgefuel node register|update|set-agent|show|list|exit|unjail`.
use super::{amount_arg, efuel, pubkey_arg, unix_time};
use crate::context::{nonzero, program_err, Ctx};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use edgefuel_client::edgefuel::{Node, NodeMetadata};
use edgefuel_client::Pubkey;
use edgefuel_client::{idl, ix, pda};
use serde_json::{json, Value};
use solana_signer::Signer;

#[derive(Debug, Subcommand)]
pub enum NodeCmd {
    /// Register the keypair's node (optionally self-staking in the same transaction).
    Register(RegisterArgs),
    /// Change metadata or commission of the keypair's node (unset fields keep their value).
    Update(UpdateArgs),
    /// Name the hot agent key that signs the node's batches.
    SetAgent {
        /// Agent public key.
        #[arg(value_parser = pubkey_arg)]
        agent: Pubkey,
    },
    /// Show a node by its operator [default: the keypair's node].
    Show {
        #[arg(value_parser = pubkey_arg)]
        operator: Option<Pubkey>,
    },
    /// List every registered node.
    List,
    /// Exit the keypair's node: no new stake or work; stake can then unbond.
    Exit,
    /// Lift the jail of the keypair's node once its term has passed.
    Unjail,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Public endpoint of the node agent, e.g. https://node.example:7443
    #[arg(long)]
    pub endpoint: String,
    /// GPU model, e.g. "RTX 4090".
    #[arg(long)]
    pub gpu_model: String,
    /// GPU memory in MiB.
    #[arg(long)]
    pub vram_mib: u32,
    /// Region code, e.g. eu-west.
    #[arg(long)]
    pub region: String,
    /// Commission on rewards, in basis points (500 = 5 %).
    #[arg(long, default_value_t = 0)]
    pub commission_bps: u16,
    /// Self-stake to bond right away (EFUEL), e.g. 1000.
    #[arg(long, value_name = "EFUEL", value_parser = amount_arg)]
    pub stake: Option<u64>,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[arg(long)]
    pub endpoint: Option<String>,
    #[arg(long)]
    pub gpu_model: Option<String>,
    #[arg(long)]
    pub vram_mib: Option<u32>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub commission_bps: Option<u16>,
}

/// The keypair's node, or an error saying how to get one.
async fn own_node(ctx: &Ctx, operator: &Pubkey) -> Result<Node> {
    ctx.client.node(operator).await.with_context(|| {
        format!("{operator} has no node: register it first (edgefuel node register)")
    })
}

pub async fn run(ctx: &Ctx, cmd: NodeCmd) -> Result<()> {
    match cmd {
        NodeCmd::Register(a) => register(ctx, a).await,
        NodeCmd::Update(a) => update(ctx, a).await,
        NodeCmd::SetAgent { agent } => {
            let op = ctx.keypair()?;
            own_node(ctx, &op.pubkey()).await?;
            let mut out = ctx
                .send(
                    "node set-agent",
                    &[ix::set_agent_key(&op.pubkey(), agent)],
                    &[&op],
                )
                .await?;
            out["agent"] = json!(agent.to_string());
            ctx.emit(&out, || {
                format!(
                    "Agent key of node {} is now {agent}",
                    pda::node(&op.pubkey())
                )
            })
        }
        NodeCmd::Show { operator } => show(ctx, operator).await,
        NodeCmd::List => list(ctx).await,
        NodeCmd::Unjail => {
            let op = ctx.keypair()?;
            own_node(ctx, &op.pubkey()).await?;
            let out = ctx
                .send("node unjail", &[ix::unjail_node(&op.pubkey())], &[&op])
                .await?;
            ctx.emit(&out, || {
                format!("Node {} is active again", pda::node(&op.pubkey()))
            })
        }
        NodeCmd::Exit => {
            let op = ctx.keypair()?;
            own_node(ctx, &op.pubkey()).await?;
            let out = ctx
                .send("node exit", &[ix::exit_node(&op.pubkey())], &[&op])
                .await?;
            ctx.emit(&out, || {
                format!(
                    "Node {} is exiting: undelegate and withdraw its stake after the cooldown",
                    pda::node(&op.pubkey())
                )
            })
        }
    }
}

async fn register(ctx: &Ctx, a: RegisterArgs) -> Result<()> {
    let op = ctx.keypair()?;
    let operator = op.pubkey();
    let metadata = NodeMetadata {
        endpoint: a.endpoint,
        gpu_model: a.gpu_model,
        vram_mib: a.vram_mib,
        region: a.region,
        commission_bps: a.commission_bps,
    };
    let mut ixs = vec![ix::register_node(&operator, metadata)];
    if let Some(stake) = a.stake {
        let epochs = ix::StakeEpochs {
            current: ctx.client.current_epoch().await?,
            activating: None,
        };
        ixs.push(ix::delegate(
            &operator,
            &pda::node(&operator),
            nonzero(stake, "--stake")?,
            epochs,
        ));
    }
    let mut out = ctx.send("node register", &ixs, &[&op]).await?;
    out["node"] = json!(pda::node(&operator).to_string());
    out["self_stake"] = json!(a.stake.unwrap_or(0));
    ctx.emit(&out, || {
        let mut s = format!("Registered node {}", pda::node(&operator));
        if let Some(stake) = a.stake {
            s += &format!(" with {} self-stake", efuel(stake));
        }
        s
    })
}

async fn update(ctx: &Ctx, a: UpdateArgs) -> Result<()> {
    let op = ctx.keypair()?;
    let node = own_node(ctx, &op.pubkey()).await?;
    let metadata = NodeMetadata {
        endpoint: a.endpoint.unwrap_or(node.endpoint),
        gpu_model: a.gpu_model.unwrap_or(node.gpu_model),
        vram_mib: a.vram_mib.unwrap_or(node.vram_mib),
        region: a.region.unwrap_or(node.region),
        commission_bps: a.commission_bps.unwrap_or(node.commission_bps),
    };
    let out = ctx
        .send(
            "node update",
            &[ix::update_node(&op.pubkey(), metadata)],
            &[&op],
        )
        .await?;
    ctx.emit(&out, || format!("Updated node {}", pda::node(&op.pubkey())))
}

/// A node as JSON: its IDL fields plus derived stake figures (base units).
pub fn node_json(address: &Pubkey, node: &Node, raw: &[u8], min_node_stake: u64) -> Result<Value> {
    let mut v = idl::account_to_json("Node", raw)?;
    let bonded = node.bonded_tokens().map_err(program_err)?;
    let own = node.operator_stake().map_err(program_err)?;
    v["address"] = json!(address.to_string());
    v["bonded_tokens"] = json!(bonded);
    v["operator_stake"] = json!(own);
    v["eligible"] = json!(own >= min_node_stake);
    Ok(v)
}

fn node_text(address: &Pubkey, n: &Node, min_node_stake: u64) -> String {
    let bonded = n.bonded_tokens().unwrap_or(0);
    let own = n.operator_stake().unwrap_or(0);
    let mut s = String::new();
    s += &format!("Node:        {address}\n");
    s += &format!("Operator:    {}\n", n.operator);
    s += &format!("Agent:       {}\n", n.agent);
    s += &format!("Status:      {:?}", n.status);
    if n.jailed_until != 0 {
        s += &format!(" (jailed until {})", unix_time(n.jailed_until));
    }
    s += "\n";
    s += &format!("Endpoint:    {}\n", n.endpoint);
    s += &format!("GPU:         {} ({} MiB)\n", n.gpu_model, n.vram_mib);
    s += &format!("Region:      {}\n", n.region);
    s += &format!(
        "Commission:  {}.{:02} %\n",
        n.commission_bps / 100,
        n.commission_bps % 100
    );
    s += &format!("Registered:  {}\n", unix_time(n.registered_at));
    s += &format!(
        "Pool:        {} for {} shares ({} bonded)\n",
        efuel(n.pool_tokens),
        n.pool_shares,
        n.bonded_shares
    );
    s += &format!("Bonded:      {}\n", efuel(bonded));
    s += &format!(
        "Self-stake:  {} ({} minimum: {})\n",
        efuel(own),
        efuel(min_node_stake),
        if own >= min_node_stake {
            "eligible"
        } else {
            "not eligible to submit"
        }
    );
    s += &format!("Delegations: {}\n", n.delegation_count);
    s += &format!(
        "Batches:     {} submitted, {} accepted, {} rejected, {} missed, {} pending\n",
        n.batches_submitted,
        n.batches_accepted,
        n.batches_rejected,
        n.batches_missed,
        n.pending_batches
    );
    s += &format!("Verified work: {} units\n", n.verified_work);
    s += &format!(
        "Rewards:     {} earned, {} claimed, {} commission owed\n",
        efuel(n.total_rewards),
        efuel(n.total_claimed),
        efuel(n.commission_owed)
    );
    s += &format!("Slashed:     {}", efuel(n.total_slashed));
    s
}

async fn show(ctx: &Ctx, operator: Option<Pubkey>) -> Result<()> {
    let operator = ctx.address_or_self(operator)?;
    let address = pda::node(&operator);
    let min = ctx.network().await?.params.min_node_stake;
    let raw = ctx
        .client
        .fetch_raw::<Node>(&address)
        .await
        .with_context(|| format!("operator {operator} has no node"))?;
    let node: Node = edgefuel_client::accounts::decode(&address, &raw)?;
    let v = node_json(&address, &node, &raw, min)?;
    ctx.emit(&v, || node_text(&address, &node, min))
}

async fn list(ctx: &Ctx) -> Result<()> {
    let min = ctx.network().await?.params.min_node_stake;
    let raw = ctx
        .client
        .list_raw(edgefuel_client::accounts::all_nodes())
        .await?;
    let mut rows = Vec::new();
    let mut text = format!(
        "{:<44}  {:<10}  {:>22}  {:>6}  {:<16}  {}\n",
        "OPERATOR", "STATUS", "BONDED (EFUEL)", "COMM%", "REGION", "GPU"
    );
    for (address, data) in &raw {
        let node: Node = edgefuel_client::accounts::decode(address, data)?;
        rows.push(node_json(address, &node, data, min)?);
        text += &format!(
            "{:<44}  {:<10}  {:>22}  {:>6}  {:<16}  {}\n",
            node.operator.to_string(),
            format!("{:?}", node.status),
            edgefuel_client::amount::format_efuel(node.bonded_tokens().unwrap_or(0)),
            format!(
                "{}.{:02}",
                node.commission_bps / 100,
                node.commission_bps % 100
            ),
            node.region,
            node.gpu_model
        );
    }
    text += &format!("{} node(s)", raw.len());
    ctx.emit(&json!({ "nodes": rows }), || text)
}
