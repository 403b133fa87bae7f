//! `edgefuel batch show|list|seal|finalize|report-missed|close`: inspect
//! receipt batches, and the permissionless cranks anyone may send.
use super::{efuel, pubkey_arg};
use crate::context::Ctx;
use anyhow::{bail, Context, Result};
use clap::{ArgGroup, Args, Subcommand};
use edgefuel_client::edgefuel::{Batch, Node};
use edgefuel_client::{accounts, idl, ix, pda, Pubkey};
use serde_json::{json, Value};
use solana_signer::Signer;

#[derive(Debug, Subcommand)]
pub enum BatchCmd {
    /// One batch, by address or by operator and sequence number.
    Show(BatchRef),
    /// Open batch accounts (finalized batches are closed and disappear).
    List {
        /// Only this operator's node.
        #[arg(long, value_parser = pubkey_arg)]
        operator: Option<Pubkey>,
    },
    /// Draw a committed batch's sample once its seal slot has passed (anyone).
    Seal(BatchRef),
    /// Settle a batch: accept, reject or expire it (anyone).
    Finalize(BatchRef),
    /// Report a batch that was not sealed or revealed in time (anyone).
    ReportMissed(BatchRef),
    /// Close a final batch; its rent returns to the operator (anyone).
    Close(BatchRef),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["address", "operator"])))]
pub struct BatchRef {
    /// Batch account address.
    #[arg(value_parser = pubkey_arg)]
    pub address: Option<Pubkey>,
    /// Operator of the node (with --seq).
    #[arg(long, value_parser = pubkey_arg, requires = "seq")]
    pub operator: Option<Pubkey>,
    /// Batch sequence number (with --operator).
    #[arg(long)]
    pub seq: Option<u64>,
}

impl BatchRef {
    fn address(&self) -> Result<Pubkey> {
        match (self.address, self.operator, self.seq) {
            (Some(a), _, _) => Ok(a),
            (None, Some(op), Some(seq)) => Ok(pda::batch(&pda::node(&op), seq)),
            _ => bail!("give a batch address, or --operator and --seq"),
        }
    }
}

pub async fn run(ctx: &Ctx, cmd: BatchCmd) -> Result<()> {
    match cmd {
        BatchCmd::Show(r) => show(ctx, r.address()?).await,
        BatchCmd::List { operator } => list(ctx, operator).await,
        BatchCmd::Seal(r) => crank(ctx, r.address()?, Crank::Seal).await,
        BatchCmd::Finalize(r) => crank(ctx, r.address()?, Crank::Finalize).await,
        BatchCmd::ReportMissed(r) => crank(ctx, r.address()?, Crank::ReportMissed).await,
        BatchCmd::Close(r) => crank(ctx, r.address()?, Crank::Close).await,
    }
}

/// A batch as JSON: IDL fields with the fixed-size arrays cut to their used part.
pub fn batch_json(address: &Pubkey, b: &Batch, raw: &[u8]) -> Result<Value> {
    let mut v = idl::account_to_json("Batch", raw)?;
    v["address"] = json!(address.to_string());
    let cut = |v: &mut Value, key: &str, n: usize| {
        if let Some(Value::Array(items)) = v.get_mut(key) {
            items.truncate(n);
        }
    };
    let n = b.sample().len();
    cut(&mut v, "samples", n);
    cut(&mut v, "revealed", n);
    cut(&mut v, "votes", b.recorded_votes().len());
    Ok(v)
}

fn batch_text(address: &Pubkey, b: &Batch) -> String {
    let mut s = String::new();
    s += &format!("Batch:        {address}\n");
    s += &format!("Node:         {}  seq {}\n", b.node, b.seq);
    s += &format!("Status:       {:?}\n", b.status);
    s += &format!("Epoch:        {}\n", b.epoch);
    s += &format!(
        "Leaves:       {} ({} work units, paid {} base units each)\n",
        b.leaf_count, b.total_work, b.reward_rate
    );
    s += &format!(
        "Slots:        submitted {}, seal {}, reveal by {}, verify by {}\n",
        b.submitted_slot, b.seal_slot, b.reveal_deadline, b.verify_deadline
    );
    s += &format!(
        "Sample:       {} points {:?} (work units)\n",
        b.sample().len(),
        b.sample()
    );
    let revealed: Vec<u32> = b.revealed_leaves().iter().map(|l| l.index).collect();
    s += &format!("Revealed:     leaves {revealed:?}\n");
    s += &format!(
        "Votes:        {} valid, {} invalid of {} cast (quorum {:?})\n",
        b.valid_votes, b.invalid_votes, b.vote_count, b.quorum
    );
    s += &format!("Reward:       {}\n", efuel(b.reward));
    s += &format!("Slashed:      {}", efuel(b.slashed));
    s
}

async fn show(ctx: &Ctx, address: Pubkey) -> Result<()> {
    let raw = ctx
        .client
        .fetch_raw::<Batch>(&address)
        .await
        .with_context(|| format!("batch {address}"))?;
    let b: Batch = accounts::decode(&address, &raw)?;
    ctx.emit(&batch_json(&address, &b, &raw)?, || {
        batch_text(&address, &b)
    })
}

async fn list(ctx: &Ctx, operator: Option<Pubkey>) -> Result<()> {
    let filters = match operator {
        Some(op) => accounts::batches_of_node(&pda::node(&op))?,
        None => accounts::all_batches(),
    };
    let mut rows = Vec::new();
    let mut text = format!(
        "{:<44}  {:<44}  {:>6}  {:<9}  {:>8}  {:>12}\n",
        "BATCH", "NODE", "SEQ", "STATUS", "LEAVES", "WORK"
    );
    for (address, raw) in ctx.client.list_raw(filters).await? {
        let b: Batch = accounts::decode(&address, &raw)?;
        text += &format!(
            "{:<44}  {:<44}  {:>6}  {:<9}  {:>8}  {:>12}\n",
            address.to_string(),
            b.node.to_string(),
            b.seq,
            format!("{:?}", b.status),
            b.leaf_count,
            b.total_work
        );
        rows.push(batch_json(&address, &b, &raw)?);
    }
    text += &format!("{} open batch(es)", rows.len());
    ctx.emit(&json!({ "batches": rows }), || text)
}

#[derive(Debug, Clone, Copy)]
enum Crank {
    Seal,
    Finalize,
    ReportMissed,
    Close,
}

async fn crank(ctx: &Ctx, address: Pubkey, what: Crank) -> Result<()> {
    let payer = ctx.keypair()?;
    let b: Batch = ctx
        .client
        .fetch(&address)
        .await
        .with_context(|| format!("batch {address}"))?;
    let node: Node = ctx
        .client
        .fetch(&b.node)
        .await
        .with_context(|| format!("node {} of batch {address}", b.node))?;
    let op = node.operator;
    let current = ctx.client.current_epoch().await?;
    let (name, instr) = match what {
        Crank::Seal => ("batch seal", ix::seal_batch(&address)),
        Crank::Finalize => {
            let invalid: Vec<Pubkey> = b.invalid_voters();
            let mut ixs = Vec::new();
            // Bounty accounts must exist to receive the verifiers' share.
            for v in &invalid {
                ixs.push(ix::create_efuel_ata(&payer.pubkey(), v));
            }
            ixs.push(ix::finalize_batch(
                &op, &address, b.epoch, current, &invalid,
            ));
            let out = ctx.send("batch finalize", &ixs, &[&payer]).await?;
            return ctx.emit(&out, || format!("Finalized batch {address}"));
        }
        Crank::ReportMissed => (
            "batch report-missed",
            ix::report_missed(&op, &address, b.epoch, current),
        ),
        Crank::Close => ("batch close", ix::close_batch(&op, &address)),
    };
    let out = ctx.send(name, &[instr], &[&payer]).await?;
    ctx.emit(&out, || format!("{name}: done for {address}"))
}
