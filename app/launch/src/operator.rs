//! Setting up a node as an operator does: fund the operator, `edgefuel-node
//! init`, register + bond + name the agent in one transaction, give the
//! agent SOL.
use crate::daemon::run_to_end;
use anyhow::Context;
use edgefuel_client::anchor_lang::solana_program::system_instruction;
use edgefuel_client::edgefuel::NodeMetadata;
use edgefuel_client::{ix, pda, ClientError, EdgeFuelClient, Instruction, Pubkey};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;

/// `e` with the program's logs, when the chain refused a transaction.
pub fn refused(what: &str, url: &str, e: ClientError) -> anyhow::Error {
    let logs = e.logs();
    if logs.is_empty() {
        anyhow::anyhow!("{what} (at {url}): {e}")
    } else {
        anyhow::anyhow!(
            "{what} (at {url}): {e}\nprogram logs:\n  {}",
            logs.join("\n  ")
        )
    }
}

/// Instructions that give `who` `lamports` and `efuel` (base units) from
/// `funder`, creating its EFUEL account.
pub fn fund(
    funder: &Pubkey,
    who: &Pubkey,
    lamports: u64,
    efuel: u64,
) -> anyhow::Result<Vec<Instruction>> {
    Ok(vec![
        system_instruction::transfer(funder, who, lamports),
        ix::create_efuel_ata(funder, who),
        ix::transfer_efuel(funder, who, efuel).map_err(|e| anyhow::anyhow!("{e}"))?,
    ])
}

/// What [`register_node`] needs besides the chain.
pub struct NodePlan<'a> {
    /// Name in logs and errors.
    pub name: &'a str,
    /// Folder for node.toml, agent.json and the journal.
    pub dir: &'a Path,
    /// The agent's dashboard / metrics address.
    pub http: SocketAddr,
    /// The operator's own stake (base units), bonded at registration.
    pub stake: u64,
    pub metadata: NodeMetadata,
    /// `edgefuel-node init`'s output goes here.
    pub init_log: &'a Path,
}

/// `edgefuel-node init` in `plan.dir` (CPU backend), then one transaction by
/// the funded `operator`: register, bond `plan.stake`, name the new agent
/// key; then an airdrop of 100 SOL to the agent (batch rent, returned to the
/// operator at close). Returns the agent's public key.
pub async fn register_node(
    client: &EdgeFuelClient,
    operator: &Keypair,
    plan: &NodePlan<'_>,
) -> anyhow::Result<Pubkey> {
    let url = client.url().to_string();
    let args: Vec<OsString> = vec![
        "init".into(),
        "--dir".into(),
        plan.dir.into(),
        "--operator".into(),
        operator.pubkey().to_string().into(),
        "--rpc".into(),
        url.clone().into(),
        "--backend".into(),
        "cpu".into(),
        "--listen".into(),
        plan.http.to_string().into(),
    ];
    run_to_end("node", &args, plan.init_log)?;
    let key_file = plan.dir.join("agent.json");
    let agent = solana_keypair::read_keypair_file(&key_file)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", key_file.display()))?
        .pubkey();
    let op = operator.pubkey();
    let epochs = client.stake_epochs(&pda::node(&op), &op).await?;
    client
        .send(
            &[
                ix::register_node(&op, plan.metadata.clone()),
                ix::delegate(&op, &pda::node(&op), plan.stake, epochs),
                ix::set_agent_key(&op, agent),
            ],
            &[operator],
        )
        .await
        .map_err(|e| refused(&format!("registering {}", plan.name), &url, e))?;
    client
        .airdrop(&agent, 100_000_000_000)
        .await
        .with_context(|| format!("airdropping SOL to {}'s agent", plan.name))?;
    Ok(agent)
}
