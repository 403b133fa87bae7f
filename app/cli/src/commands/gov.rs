//! `edgefuel gov propose|vote|finalize|execute|cancel|list|show`: on-chain
//! governance by stake-weighted vote.
use super::stake::positions;
use super::{amount_arg, efuel, pubkey_arg, unix_time};
use crate::context::{nonzero, Ctx};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use edgefuel_client::config::apply_param_overrides;
use edgefuel_client::edgefuel::{
    CreateProposalArgs, Proposal, ProposalAction, ProposalStatus, VoteChoice,
};
use edgefuel_client::{accounts, idl, ix, pda, Instruction, Pubkey};
use serde_json::{json, Map, Value};
use solana_signer::Signer;

#[derive(Debug, Subcommand)]
pub enum GovCmd {
    /// Open a proposal, backed by the keypair's delegation in a node.
    Propose(ProposeArgs),
    /// Vote on a proposal with the keypair's delegations (each votes with its bonded stake).
    Vote {
        /// Proposal id.
        id: u64,
        #[arg(value_enum)]
        choice: Choice,
        /// Vote only with the delegation in this operator's node [default: every delegation].
        #[arg(long, value_parser = pubkey_arg)]
        operator: Option<Pubkey>,
    },
    /// Tally a proposal whose vote has ended (anyone).
    Finalize { id: u64 },
    /// Execute a passed proposal after its timelock (anyone).
    Execute { id: u64 },
    /// Withdraw your proposal while it is being voted on.
    Cancel { id: u64 },
    /// Every proposal.
    List,
    /// One proposal and its votes.
    Show { id: u64 },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

impl From<Choice> for VoteChoice {
    fn from(c: Choice) -> Self {
        match c {
            Choice::Yes => VoteChoice::Yes,
            Choice::No => VoteChoice::No,
            Choice::Abstain => VoteChoice::Abstain,
        }
    }
}

#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// Operator of the node whose delegation backs the proposal (needs
    /// min_proposal_stake bonded).
    #[arg(long, value_parser = pubkey_arg)]
    pub operator: Pubkey,
    /// Where the proposal is explained: a URL, 1..=200 printable ASCII bytes.
    #[arg(long)]
    pub description: String,
    #[command(subcommand)]
    pub action: ActionCmd,
}

#[derive(Debug, Subcommand)]
pub enum ActionCmd {
    /// Change parameters: the current params with these overrides.
    UpdateParams {
        /// NAME=VALUE (repeatable; token amounts in base units).
        #[arg(long = "param", value_name = "NAME=VALUE", required = true)]
        params: Vec<String>,
    },
    /// Add a verifier to the set.
    AddVerifier {
        #[arg(value_parser = pubkey_arg)]
        verifier: Pubkey,
    },
    /// Remove a verifier from the set.
    RemoveVerifier {
        #[arg(value_parser = pubkey_arg)]
        verifier: Pubkey,
    },
    /// Set the agreeing votes that finalize a batch.
    SetThreshold { threshold: u8 },
    /// Name a new guardian.
    SetGuardian {
        #[arg(value_parser = pubkey_arg)]
        guardian: Pubkey,
    },
    /// Pay EFUEL from the treasury to a wallet (its EFUEL account).
    TreasuryTransfer {
        #[arg(value_parser = pubkey_arg)]
        recipient: Pubkey,
        #[arg(value_parser = amount_arg, allow_hyphen_values = true)]
        amount: u64,
    },
    /// Lift the jail of an operator's node.
    UnjailNode {
        #[arg(value_parser = pubkey_arg)]
        operator: Pubkey,
    },
}

pub async fn run(ctx: &Ctx, cmd: GovCmd) -> Result<()> {
    match cmd {
        GovCmd::Propose(a) => propose(ctx, a).await,
        GovCmd::Vote {
            id,
            choice,
            operator,
        } => vote(ctx, id, choice.into(), operator).await,
        GovCmd::Finalize { id } => {
            let payer = ctx.keypair()?;
            let out = ctx
                .send("gov finalize", &[ix::finalize_proposal(id)], &[&payer])
                .await?;
            let p = fetch(ctx, id).await?.1;
            let mut out = out;
            out["status"] = json!(format!("{:?}", p.status));
            ctx.emit(&out, || format!("Proposal {id} is now {:?}", p.status))
        }
        GovCmd::Execute { id } => {
            let payer = ctx.keypair()?;
            let (_, p) = fetch(ctx, id).await?;
            let mut out = ctx
                .send(
                    "gov execute",
                    &[ix::execute_proposal(id, &p.action)],
                    &[&payer],
                )
                .await?;
            let (_, p) = fetch(ctx, id).await?;
            out["status"] = json!(format!("{:?}", p.status));
            ctx.emit(&out, || format!("Proposal {id} is now {:?}", p.status))
        }
        GovCmd::Cancel { id } => {
            let proposer = ctx.keypair()?;
            let out = ctx
                .send(
                    "gov cancel",
                    &[ix::cancel_proposal(&proposer.pubkey(), id)],
                    &[&proposer],
                )
                .await?;
            ctx.emit(&out, || format!("Proposal {id} cancelled"))
        }
        GovCmd::List => list(ctx).await,
        GovCmd::Show { id } => show(ctx, id).await,
    }
}

async fn fetch(ctx: &Ctx, id: u64) -> Result<(Vec<u8>, Proposal)> {
    let address = pda::proposal(id);
    let raw = ctx
        .client
        .fetch_raw::<Proposal>(&address)
        .await
        .with_context(|| format!("proposal {id}"))?;
    let p = accounts::decode(&address, &raw)?;
    Ok((raw, p))
}

async fn action(
    ctx: &Ctx,
    payer: &Pubkey,
    a: ActionCmd,
) -> Result<(ProposalAction, Vec<Instruction>)> {
    let mut pre = Vec::new();
    let action = match a {
        ActionCmd::UpdateParams { params } => {
            let current = ctx.network().await?.params;
            let mut overrides = Map::new();
            for p in &params {
                let Some((k, v)) = p.split_once('=') else {
                    bail!("--param `{p}`: expected NAME=VALUE, e.g. voting_seconds=60");
                };
                let v = v.trim();
                let value = match v.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => Value::String(v.to_string()),
                };
                overrides.insert(k.trim().to_string(), value);
            }
            ProposalAction::UpdateParams(
                apply_param_overrides(&current, &overrides).context("--param")?,
            )
        }
        ActionCmd::AddVerifier { verifier } => ProposalAction::AddVerifier(verifier),
        ActionCmd::RemoveVerifier { verifier } => ProposalAction::RemoveVerifier(verifier),
        ActionCmd::SetThreshold { threshold } => ProposalAction::SetVerifierThreshold(threshold),
        ActionCmd::SetGuardian { guardian } => ProposalAction::SetGuardian(guardian),
        ActionCmd::TreasuryTransfer { recipient, amount } => {
            nonzero(amount, "the transfer")?;
            // The destination token account must exist when the proposal executes.
            pre.push(ix::create_efuel_ata(payer, &recipient));
            ProposalAction::TreasuryTransfer {
                to: ix::efuel_ata(&recipient),
                amount,
            }
        }
        ActionCmd::UnjailNode { operator } => ProposalAction::UnjailNode(pda::node(&operator)),
    };
    Ok((action, pre))
}

async fn propose(ctx: &Ctx, a: ProposeArgs) -> Result<()> {
    let proposer = ctx.keypair()?;
    let (action, mut ixs) = action(ctx, &proposer.pubkey(), a.action).await?;
    let id = ctx.network().await?.proposal_count;
    ixs.push(ix::create_proposal(
        &proposer.pubkey(),
        &a.operator,
        id,
        CreateProposalArgs {
            action,
            description_uri: a.description,
        },
    ));
    let mut out = ctx.send("gov propose", &ixs, &[&proposer]).await?;
    let (_, p) = fetch(ctx, id).await?;
    out["id"] = json!(id);
    out["proposal"] = json!(pda::proposal(id).to_string());
    out["voting_ends_at"] = json!(p.voting_ends_at);
    ctx.emit(&out, || {
        format!(
            "Proposal {id} ({}) open; voting ends {}",
            pda::proposal(id),
            unix_time(p.voting_ends_at)
        )
    })
}

async fn vote(ctx: &Ctx, id: u64, choice: VoteChoice, operator: Option<Pubkey>) -> Result<()> {
    let voter = ctx.keypair()?;
    let operators: Vec<Pubkey> = match operator {
        Some(op) => vec![op],
        None => positions(ctx, &voter.pubkey())
            .await?
            .into_iter()
            .filter(|p| p.delegation.bonded_shares > 0)
            .map(|p| p.node.operator)
            .collect(),
    };
    if operators.is_empty() {
        bail!("{} has no bonded stake to vote with", voter.pubkey());
    }
    let mut txs = Vec::new();
    for op in &operators {
        txs.push(
            ctx.send(
                &format!("gov vote with the delegation in node {}", pda::node(op)),
                &[ix::cast_vote(&voter.pubkey(), op, id, choice)],
                &[&voter],
            )
            .await?,
        );
    }
    let (_, p) = fetch(ctx, id).await?;
    ctx.emit(
        &json!({ "transactions": txs, "yes": p.yes, "no": p.no, "abstain": p.abstain }),
        || {
            format!(
                "Voted {choice:?} on proposal {id} with {} delegation(s); tally yes {} / no {} / abstain {}",
                operators.len(),
                efuel(p.yes),
                efuel(p.no),
                efuel(p.abstain)
            )
        },
    )
}

fn proposal_json(id: u64, raw: &[u8]) -> Result<Value> {
    let mut v = idl::account_to_json("Proposal", raw)?;
    v["address"] = json!(pda::proposal(id).to_string());
    Ok(v)
}

fn proposal_line(p: &Proposal) -> String {
    let status = match p.status {
        ProposalStatus::Voting => format!("Voting until {}", unix_time(p.voting_ends_at)),
        ProposalStatus::Passed => format!("Passed, executable {}", unix_time(p.executable_at)),
        other => format!("{other:?}"),
    };
    format!("#{} {:?}: {status}", p.id, p.action)
}

async fn list(ctx: &Ctx) -> Result<()> {
    let mut rows = Vec::new();
    let mut text = String::new();
    let mut all = Vec::new();
    for (address, raw) in ctx.client.list_raw(accounts::all_proposals()).await? {
        let p: Proposal = accounts::decode(&address, &raw)?;
        all.push((p.id, raw, p));
    }
    all.sort_by_key(|(id, _, _)| *id);
    for (id, raw, p) in &all {
        rows.push(proposal_json(*id, raw)?);
        text += &proposal_line(p);
        text += "\n";
    }
    text += &format!("{} proposal(s)", all.len());
    ctx.emit(&json!({ "proposals": rows }), || text)
}

async fn show(ctx: &Ctx, id: u64) -> Result<()> {
    let (raw, p) = fetch(ctx, id).await?;
    let mut v = proposal_json(id, &raw)?;
    let mut votes = Vec::new();
    for (address, vraw) in ctx
        .client
        .list_raw(accounts::votes_on(&pda::proposal(id))?)
        .await?
    {
        let mut vote = idl::account_to_json("ProposalVote", &vraw)?;
        vote["address"] = json!(address.to_string());
        votes.push(vote);
    }
    v["votes"] = Value::Array(votes.clone());
    ctx.emit(&v, || {
        let mut s = proposal_line(&p);
        s += &format!("\nProposer:   {}", p.proposer);
        s += &format!("\nDescription: {}", p.description_uri);
        s += &format!(
            "\nTally:      yes {} / no {} / abstain {} from {} voter(s)",
            efuel(p.yes),
            efuel(p.no),
            efuel(p.abstain),
            p.voter_count
        );
        s += &format!(
            "\nNeeds:      quorum {} bps of {} bonded, > {} bps yes",
            p.quorum_bps,
            efuel(p.total_bonded_snapshot),
            p.approval_threshold_bps
        );
        for vote in &votes {
            s += &format!(
                "\n  {} voted {} with {}",
                vote["voter"].as_str().unwrap_or("?"),
                vote["choice"],
                vote["weight"]
                    .as_u64()
                    .map(efuel)
                    .unwrap_or_else(|| "?".to_string())
            );
        }
        s
    })
}
