//! `edgefuel network init|show|pause|unpause`.
use super::{efuel, pubkey_arg};
use crate::context::Ctx;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use edgefuel_client::config::NetworkConfig;
use edgefuel_client::edgefuel::{Network, PauseScope, PAUSE_MINTING, PAUSE_SUBMISSIONS};
use edgefuel_client::Pubkey;
use edgefuel_client::{idl, ix, pda};
use serde_json::{json, Map, Value};
use solana_signer::Signer;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum NetworkCmd {
    /// Create the network, the EFUEL mint, the stake vault and the treasury (once).
    Init(InitArgs),
    /// Params, verifier set, guardian, pause flags and totals.
    Show,
    /// Pause submissions and/or minting (guardian).
    Pause(PauseArgs),
    /// Lift a pause (guardian).
    Unpause(PauseArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Bootstrap file (TOML, the local chain's format): a [network] table
    /// (guardian, verifiers, verifier_threshold, genesis_owner, genesis_supply)
    /// and a [params] table. Flags override it.
    #[arg(long = "bootstrap", visible_alias = "params", value_name = "FILE.toml")]
    pub file: Option<PathBuf>,
    /// Guardian (pause/unpause key) [default: the payer].
    #[arg(long, value_parser = pubkey_arg)]
    pub guardian: Option<Pubkey>,
    /// A verifier address; repeat for each member of the set.
    #[arg(long = "verifier", value_parser = pubkey_arg)]
    pub verifiers: Vec<Pubkey>,
    /// Agreeing verifier votes needed [default: a majority].
    #[arg(long)]
    pub threshold: Option<u8>,
    /// EFUEL minted once to the genesis owner, e.g. 1000000000.
    #[arg(long, value_name = "EFUEL")]
    pub genesis_supply: Option<String>,
    /// Wallet receiving the genesis supply [default: the payer].
    #[arg(long, value_parser = pubkey_arg)]
    pub genesis_owner: Option<Pubkey>,
    /// Override one parameter, e.g. `--param unbonding_seconds=60` (repeatable;
    /// token amounts in base units).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Scope {
    Submissions,
    Minting,
    All,
}

impl From<Scope> for PauseScope {
    fn from(s: Scope) -> Self {
        match s {
            Scope::Submissions => PauseScope::Submissions,
            Scope::Minting => PauseScope::Minting,
            Scope::All => PauseScope::All,
        }
    }
}

#[derive(Debug, Args)]
pub struct PauseArgs {
    /// What to pause or unpause.
    #[arg(long, value_enum, default_value_t = Scope::All)]
    pub scope: Scope,
}

pub async fn run(ctx: &Ctx, cmd: NetworkCmd) -> Result<()> {
    match cmd {
        NetworkCmd::Init(a) => init(ctx, a).await,
        NetworkCmd::Show => show(ctx).await,
        NetworkCmd::Pause(a) => set_pause(ctx, a.scope.into(), true).await,
        NetworkCmd::Unpause(a) => set_pause(ctx, a.scope.into(), false).await,
    }
}

/// Merges the file and the flags into one config; returns it with the
/// folder keypair files in it resolve against.
fn merged_config(a: &InitArgs) -> Result<(NetworkConfig, PathBuf)> {
    let (mut cfg, base) = match &a.file {
        Some(path) => NetworkConfig::load(path)
            .with_context(|| format!("network bootstrap file {}", path.display()))?,
        None => (NetworkConfig::default(), PathBuf::from(".")),
    };
    let n = &mut cfg.network;
    if let Some(g) = a.guardian {
        n.guardian = Some(g.to_string());
    }
    if !a.verifiers.is_empty() {
        n.verifiers = a.verifiers.iter().map(|v| v.to_string()).collect();
    }
    if a.threshold.is_some() {
        n.verifier_threshold = a.threshold;
    }
    if let Some(s) = &a.genesis_supply {
        n.genesis_supply = Some(Value::String(s.clone()));
    }
    if let Some(o) = a.genesis_owner {
        n.genesis_owner = Some(o.to_string());
    }
    for p in &a.params {
        let Some((k, v)) = p.split_once('=') else {
            bail!("--param `{p}`: expected NAME=VALUE, e.g. unbonding_seconds=60");
        };
        let v = v.trim();
        let value = match v.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(v.to_string()),
        };
        cfg.params.insert(k.trim().to_string(), value);
    }
    Ok((cfg, base))
}

async fn init(ctx: &Ctx, a: InitArgs) -> Result<()> {
    let payer = ctx.keypair()?;
    // The keypair must be the program's upgrade authority (it also pays).
    ctx.client
        .require_upgrade_authority(&payer.pubkey())
        .await?;
    let (cfg, base) = merged_config(&a)?;
    let init = cfg
        .resolve(&payer.pubkey(), &base)
        .context("invalid network configuration")?;
    init.args.params.validate().map_err(|e| {
        anyhow::anyhow!(
            "the program would refuse these params: {} (see the bounds in `Params`)",
            edgefuel_client::error::anchor_error_text(&e)
        )
    })?;
    if ctx.client.account(&pda::network()).await?.is_some() {
        bail!(
            "the network is already initialized at {} on {}",
            pda::network(),
            ctx.url
        );
    }
    let instr = ix::initialize_network(
        &payer.pubkey(),
        &payer.pubkey(),
        &init.genesis_owner,
        init.args.clone(),
    );
    let mut out = ctx.send("network init", &[instr], &[&payer]).await?;
    out["network"] = json!(pda::network().to_string());
    out["mint"] = json!(pda::mint().to_string());
    out["genesis_owner"] = json!(init.genesis_owner.to_string());
    out["genesis_supply"] = json!(init.args.genesis_supply);
    ctx.emit(&out, || {
        format!(
            "Network {} initialized; EFUEL mint {}; {} to {}",
            pda::network(),
            pda::mint(),
            efuel(init.args.genesis_supply),
            init.genesis_owner
        )
    })
}

/// The network as JSON: every field from the IDL, with the verifier set cut
/// to its valid entries and the pause flags spelt out.
pub fn network_json(network: &Network, raw: &[u8]) -> Result<Value> {
    let mut v = idl::account_to_json("Network", raw)?;
    if let Value::Object(m) = &mut v {
        m.insert("address".into(), json!(pda::network().to_string()));
        m.insert(
            "verifiers".into(),
            json!(network
                .verifier_set()
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()),
        );
        let mut paused = Map::new();
        paused.insert("flags".into(), json!(network.paused));
        paused.insert(
            "submissions".into(),
            json!(network.is_paused(PAUSE_SUBMISSIONS)),
        );
        paused.insert("minting".into(), json!(network.is_paused(PAUSE_MINTING)));
        m.insert("paused".into(), Value::Object(paused));
    }
    Ok(v)
}

async fn show(ctx: &Ctx) -> Result<()> {
    let network = ctx.network().await?;
    let raw = ctx
        .client
        .fetch_raw::<Network>(&pda::network())
        .await
        .context("reading the network account")?;
    let value = network_json(&network, &raw)?;
    ctx.emit(&value, || display(&network, &value))
}

fn display(n: &Network, v: &Value) -> String {
    let mut s = String::new();
    s += &format!("Network:   {}\n", pda::network());
    s += &format!("Program:   {}\n", edgefuel_client::edgefuel::ID);
    s += &format!("EFUEL mint: {}\n", n.mint);
    s += &format!("Vault:     {}\n", n.vault);
    s += &format!("Treasury:  {}\n", n.treasury);
    s += &format!("Guardian:  {}\n", n.guardian);
    s += &format!(
        "Paused:    submissions={} minting={}\n",
        n.is_paused(PAUSE_SUBMISSIONS),
        n.is_paused(PAUSE_MINTING)
    );
    s += &format!(
        "Verifiers: {} of {} must agree\n",
        n.verifier_threshold, n.verifier_count
    );
    for k in n.verifier_set() {
        s += &format!("  {k}\n");
    }
    s += "Totals:\n";
    s += &format!("  genesis supply:        {}\n", efuel(n.genesis_supply));
    s += &format!("  nodes registered:      {}\n", n.node_count);
    s += &format!("  proposals:             {}\n", n.proposal_count);
    s += &format!("  bonded stake:          {}\n", efuel(n.total_bonded));
    s += &format!(
        "  rewards accrued:       {}\n",
        efuel(n.total_rewards_accrued)
    );
    s += &format!("  slashed:               {}\n", efuel(n.total_slashed));
    s += &format!(
        "  emitted in epoch {}:   {}\n",
        n.emission_epoch,
        efuel(n.epoch_emitted)
    );
    s += "Params:\n";
    if let Some(Value::Object(p)) = v.get("params") {
        let width = p.keys().map(String::len).max().unwrap_or(0);
        for (k, val) in p {
            s += &format!("  {k:width$}  {val}\n");
        }
    }
    s.trim_end().to_string()
}

async fn set_pause(ctx: &Ctx, scope: PauseScope, pause: bool) -> Result<()> {
    let guardian = ctx.keypair()?;
    let (what, instr) = if pause {
        ("network pause", ix::pause(&guardian.pubkey(), scope))
    } else {
        ("network unpause", ix::unpause(&guardian.pubkey(), scope))
    };
    let out = ctx.send(what, &[instr], &[&guardian]).await?;
    ctx.emit(&out, || format!("{what} ({scope:?}) done"))
}
