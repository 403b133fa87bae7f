//! On-chain cost per verified job: EdgeFuel batches of several sizes through
//! their whole life (submit → seal → reveal → vote → vote + finalize →
//! close) and the per-job-account baseline ([`crate::baseline`]) on the same
//! program-test bank, with the real program, the real SPL Token program and
//! the bank's own fee schedule. Every job is executed by the node and every
//! revealed job re-executed by the verifiers (edgefuel-jobs, CPU).
//!
//! What is counted, per run: transactions, signatures, fees (the bank's fee
//! for each message, checked against the signers' balances end to end), bytes
//! of signed transactions (what the ledger stores), rent locked in accounts
//! the run created (peak) and rent returned, and account bytes allocated.
#![allow(deprecated)] // solana-program-test 3.x marks its API unstable; it is the pinned harness.

use std::time::Instant;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anyhow::{anyhow, bail, Context};
use edgefuel::spec::{Conv2dShape, JobShape};
use edgefuel::{BatchStatus, Verdict};
use edgefuel_client::{ix, ReceiptBatch};
use edgefuel_jobs::{execute, CpuBackend};
use edgefuel_tests::{default_params, program_test, TestContext, EFUEL};
use rayon::prelude::*;
use solana_keypair::Keypair;
use solana_program_test::processor;
use solana_signer::Signer;
use solana_transaction::Transaction;

use crate::baseline;

#[cfg(test)]
mod tests {
    use super::multiproof_nodes;

    #[test]
    fn a_multiproof_sends_each_needed_sibling_once() {
        // One leaf of 8: its whole path, 3 siblings.
        assert_eq!(multiproof_nodes(8, &[5]), 3);
        // Leaves 0 and 1 of 8 are each other's sibling: 2 nodes above them.
        assert_eq!(multiproof_nodes(8, &[0, 1]), 2);
        // 0 and 7: 2 siblings each below the root's children, which are
        // both on a path.
        assert_eq!(multiproof_nodes(8, &[0, 7]), 4);
        // Every leaf: nothing to send.
        assert_eq!(multiproof_nodes(4, &[0, 1, 2, 3]), 0);
        // 5 leaves: leaf 4 is promoted twice (no sibling), then meets 0..3.
        assert_eq!(multiproof_nodes(5, &[4]), 1);
        assert_eq!(multiproof_nodes(1, &[0]), 0);
    }
}

/// Lamports of a transaction fee per signature on this bank (checked).
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;

/// Transactions, signatures, fees and ledger bytes of some transactions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    pub txs: u64,
    pub sigs: u64,
    /// Lamports, as the bank computes them for each message.
    pub fees: u64,
    /// Bytes of the signed transactions.
    pub ledger_bytes: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.txs += o.txs;
        self.sigs += o.sigs;
        self.fees += o.fees;
        self.ledger_bytes += o.ledger_bytes;
    }
}

/// One design run over `jobs` verified jobs.
#[derive(Clone, Debug)]
pub struct Run {
    pub jobs: u64,
    pub total: Tally,
    /// Per step, in order (e.g. "submit", "reveal").
    pub steps: Vec<(&'static str, Tally)>,
    /// Peak lamports held by the accounts this run created.
    pub rent_locked: u64,
    /// Lamports those accounts returned by the end of the run.
    pub rent_returned: u64,
    /// Peak account data bytes this run allocated.
    pub account_bytes: u64,
    /// Lamports every signer of the run lost, measured from balances.
    pub lamports_spent: u64,
    /// EdgeFuel only: sample points and revealed leaves.
    pub sample: Option<(u64, u64)>,
    /// EdgeFuel only: the reveal as this run sent it and as a multiproof
    /// would carry it ([`RevealBytes`]).
    pub reveal: Option<RevealBytes>,
    pub secs: f64,
}

/// The bytes of one batch's reveal: per leaf with its own path (what the
/// program takes today), and as one multiproof over the same leaves (every
/// sibling node sent once, none that the proof can compute itself).
#[derive(Clone, Copy, Debug, Default)]
pub struct RevealBytes {
    /// Leaves revealed.
    pub leaves: u64,
    /// Bytes of the items as sent (leaf fields, shape, own path).
    pub items: u64,
    /// The largest item.
    pub largest_item: u64,
    /// Sibling nodes in all the paths, and distinct ones a multiproof needs.
    pub path_nodes: u64,
    pub multiproof_nodes: u64,
    /// Bytes of the same reveal as a multiproof: items without paths, plus
    /// 40 bytes (hash + work sum) per multiproof node.
    pub multiproof_bytes: u64,
}

/// Distinct sibling nodes a multiproof of `leaves` (indices) needs in a sum
/// tree of `leaf_count` leaves (an odd last node is promoted, so it has no
/// sibling at that level): the siblings of every path that are not on
/// another path themselves.
pub fn multiproof_nodes(leaf_count: u64, leaves: &[u32]) -> u64 {
    use std::collections::BTreeSet;
    let mut level: BTreeSet<u64> = leaves.iter().map(|i| *i as u64).collect();
    let (mut width, mut nodes) = (leaf_count, 0u64);
    while width > 1 {
        for &i in &level {
            let sibling = i ^ 1;
            if sibling < width && !level.contains(&sibling) {
                nodes += 1;
            }
        }
        level = level.iter().map(|i| i / 2).collect();
        width = width.div_ceil(2);
    }
    nodes
}

impl Run {
    pub fn fee_per_job(&self) -> f64 {
        self.total.fees as f64 / self.jobs as f64
    }

    fn step(&mut self, name: &'static str, t: Tally) {
        self.total += t;
        match self.steps.iter_mut().find(|(n, _)| *n == name) {
            Some((_, s)) => *s += t,
            None => self.steps.push((name, t)),
        }
    }

    fn new(jobs: u64) -> Self {
        Run {
            jobs,
            total: Tally::default(),
            steps: Vec::new(),
            rent_locked: 0,
            rent_returned: 0,
            account_bytes: 0,
            lamports_spent: 0,
            sample: None,
            reveal: None,
            secs: 0.0,
        }
    }
}

/// Both designs at one batch size.
#[derive(Clone, Debug)]
pub struct SizeResult {
    pub size: u64,
    pub edgefuel: Run,
    pub baseline: Run,
}

/// The section's results.
#[derive(Clone, Debug)]
pub struct CostReport {
    pub sizes: Vec<SizeResult>,
    /// Rent of the node's per-epoch stats account (created by the first
    /// batch of each epoch, not per batch), lamports and bytes.
    pub epoch_stats_rent: (u64, u64),
    pub params: edgefuel::Params,
}

/// The job mix of every batch: small jobs of all three kinds (the cost does
/// not depend on a job's size, only on its shape's length), cycled.
pub fn job_mix(n: usize) -> Vec<JobShape> {
    let shapes = [
        JobShape::GemmI8 {
            m: 16,
            n: 16,
            k: 32,
        },
        JobShape::MlpI8 {
            batch: 4,
            widths: vec![32, 32, 10],
        },
        JobShape::Conv2dI8(Conv2dShape {
            batch: 1,
            height: 8,
            width: 8,
            in_channels: 4,
            out_channels: 8,
            kernel_h: 3,
            kernel_w: 3,
            stride: 1,
            padding: 1,
        }),
    ];
    (0..n).map(|i| shapes[i % shapes.len()].clone()).collect()
}

struct Bench {
    t: TestContext,
    op: Keypair,
    verifiers: [Keypair; 2],
    cpu: CpuBackend,
    seq: u64,
}

impl Bench {
    async fn new() -> anyhow::Result<Self> {
        let mut pt = program_test();
        pt.add_program(
            "per_job_baseline",
            baseline::ID,
            processor!(baseline::process_instruction),
        );
        let mut t = TestContext::with_params_on(pt, default_params()).await;
        // A node well above the minimum stake, so the exposure rule never binds.
        let op = t.staked_node(1_000, 100_000 * EFUEL).await;
        let verifiers = [
            t.verifiers[0].insecure_clone(),
            t.verifiers[1].insecure_clone(),
        ];
        for v in &verifiers {
            let ix = anchor_lang::solana_program::system_instruction::transfer(
                &t.payer(),
                &v.pubkey(),
                100_000_000_000,
            );
            t.send(&[ix], &[])
                .await
                .map_err(|e| anyhow!("funding a verifier: {e}"))?;
        }
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &t.payer(),
            &op.pubkey(),
            1_000_000_000_000,
        );
        t.send(&[ix], &[])
            .await
            .map_err(|e| anyhow!("funding the operator: {e}"))?;
        Ok(Bench {
            t,
            op,
            verifiers,
            cpu: CpuBackend::new(),
            seq: 0,
        })
    }

    async fn lamports(&mut self, key: &Pubkey) -> u64 {
        self.t.lamports(key).await
    }

    async fn balances(&mut self, keys: &[Pubkey]) -> u64 {
        let mut sum = 0;
        for k in keys {
            sum += self.lamports(k).await;
        }
        sum
    }

    /// Signs `ixs` with `payer` (the fee payer) and `others`, sends, and
    /// returns what the transaction cost.
    async fn send(
        &mut self,
        what: &str,
        payer: &Keypair,
        ixs: &[Instruction],
        others: &[&Keypair],
    ) -> anyhow::Result<Tally> {
        let banks = &mut self.t.ctx.banks_client;
        let blockhash = banks.get_latest_blockhash().await?;
        let mut signers: Vec<&Keypair> = vec![payer];
        signers.extend_from_slice(others);
        let tx =
            Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &signers, blockhash);
        let fees = banks
            .get_fee_for_message(tx.message.clone())
            .await?
            .ok_or_else(|| anyhow!("{what}: the bank quotes no fee"))?;
        let tally = Tally {
            txs: 1,
            sigs: tx.signatures.len() as u64,
            fees,
            ledger_bytes: bincode::serialize(&tx)?.len() as u64,
        };
        if tally.ledger_bytes > 1_232 {
            bail!(
                "{what}: {} bytes, above the 1 232-byte limit",
                tally.ledger_bytes
            );
        }
        banks
            .process_transaction(tx)
            .await
            .with_context(|| format!("{what} failed"))?;
        Ok(tally)
    }

    /// Sends one single-instruction transaction per `ixs` item, all paid
    /// and signed by `payer`, in concurrent chunks (the bank processes a
    /// chunk as one entry). The fee of each is the bank's quote for the
    /// first (same signatures, same fee); the run's balance check confirms it.
    async fn send_many(
        &mut self,
        what: &str,
        payer: &Keypair,
        ixs: Vec<Instruction>,
    ) -> anyhow::Result<Tally> {
        let mut total = Tally::default();
        let mut fee = None;
        for chunk in ixs.chunks(64) {
            let banks = &mut self.t.ctx.banks_client;
            let blockhash = banks.get_latest_blockhash().await?;
            let txs: Vec<Transaction> = chunk
                .iter()
                .map(|ix| {
                    Transaction::new_signed_with_payer(
                        std::slice::from_ref(ix),
                        Some(&payer.pubkey()),
                        &[payer],
                        blockhash,
                    )
                })
                .collect();
            let fee = match fee {
                Some(f) => f,
                None => {
                    let f = banks
                        .get_fee_for_message(txs[0].message.clone())
                        .await?
                        .ok_or_else(|| anyhow!("{what}: the bank quotes no fee"))?;
                    fee = Some(f);
                    f
                }
            };
            for tx in &txs {
                total += Tally {
                    txs: 1,
                    sigs: tx.signatures.len() as u64,
                    fees: fee,
                    ledger_bytes: bincode::serialize(tx)?.len() as u64,
                };
            }
            banks
                .process_transactions_with_commitment(
                    txs,
                    solana_commitment_config::CommitmentLevel::Processed,
                )
                .await
                .with_context(|| format!("{what} failed"))?;
        }
        Ok(total)
    }

    fn epoch(&self, now: i64) -> u64 {
        (now / default_params().epoch_seconds) as u64
    }

    /// One EdgeFuel batch of `shapes` through its whole life.
    async fn edgefuel(&mut self, shapes: Vec<JobShape>) -> anyhow::Result<Run> {
        self.seq += 1;
        let (op, seq) = (self.op.insecure_clone(), self.seq);
        let [v0, v1] = [
            self.verifiers[0].insecure_clone(),
            self.verifiers[1].insecure_clone(),
        ];
        let specs = ReceiptBatch::job_specs(&op.pubkey(), seq, shapes)?;
        let cpu = self.cpu;
        // The node runs every job.
        let commitments = specs
            .par_iter()
            .map(|s| execute(s, &cpu).map(|o| o.output_commitment()))
            .collect::<Result<Vec<_>, _>>()?;
        let rb = ReceiptBatch::new(&op.pubkey(), seq, &specs, &commitments)?;
        let mut run = Run::new(rb.leaf_count() as u64);
        let start = Instant::now();
        let now = self.t.now().await;
        let epoch = self.epoch(now);
        let signers = [op.pubkey(), v0.pubkey(), v1.pubkey()];
        let before = self.balances(&signers).await;

        let submit = ix::submit_batch(
            &op.pubkey(),
            &op.pubkey(),
            &op.pubkey(),
            rb.submit_args(epoch),
        );
        run.step(
            "submit",
            self.send("submit_batch", &op, &[submit], &[]).await?,
        );
        let key = rb.key();
        run.rent_locked = self.lamports(&key).await;
        run.account_bytes = self.t.raw(&key).await.map(|d| d.len() as u64).unwrap_or(0);

        self.t
            .warp_slots(default_params().seal_delay_slots + 1)
            .await;
        run.step(
            "seal",
            self.send("seal_batch", &op, &[ix::seal_batch(&key)], &[])
                .await?,
        );
        let batch = self.t.batch(&key).await.context("sealed batch")?;
        let items = rb.reveal_items(&batch)?;
        run.sample = Some((batch.sample().len() as u64, items.len() as u64));
        let indices: Vec<u32> = items.iter().map(|i| i.index).collect();
        let multiproof = multiproof_nodes(rb.leaf_count() as u64, &indices);
        let path_nodes: u64 = items.iter().map(|i| i.path.len() as u64).sum();
        let item_bytes: u64 = items.iter().map(|i| i.len() as u64).sum();
        run.reveal = Some(RevealBytes {
            leaves: items.len() as u64,
            items: item_bytes,
            largest_item: items.iter().map(|i| i.len() as u64).max().unwrap_or(0),
            path_nodes,
            multiproof_nodes: multiproof,
            multiproof_bytes: item_bytes - path_nodes * 40 + multiproof * 40,
        });
        for chunk in ReceiptBatch::pack_reveals(items) {
            let reveal = ix::reveal_samples(&op.pubkey(), &op.pubkey(), &key, chunk);
            run.step(
                "reveal",
                self.send("reveal_samples", &op, &[reveal], &[]).await?,
            );
        }

        // The verifiers rebuild every revealed job from the chain and re-run it.
        let batch = self.t.batch(&key).await.context("revealed batch")?;
        if batch.status != BatchStatus::Revealed {
            bail!("batch {seq} is {:?} after its reveals", batch.status);
        }
        let mut verdict = Verdict::Valid;
        for leaf in batch.revealed_leaves() {
            let spec = batch.job_spec(&leaf)?;
            let out = execute(&spec, &cpu)?;
            if out.output_commitment() != leaf.output_commitment {
                verdict = Verdict::Invalid {
                    leaf_index: leaf.index,
                    expected_commitment: out.output_commitment(),
                };
            }
        }
        if verdict != Verdict::Valid {
            bail!("a verifier's re-execution disagrees with the node: {verdict:?}");
        }
        let vote0 = ix::vote(&v0.pubkey(), &key, verdict);
        run.step("vote", self.send("vote", &v0, &[vote0], &[]).await?);
        let vote1 = ix::vote(&v1.pubkey(), &key, verdict);
        // Accepted in the epoch it was committed in (the bench is quick).
        let finalize = ix::finalize_batch(&op.pubkey(), &key, epoch, epoch, &[]);
        run.step(
            "vote + finalize",
            self.send("vote + finalize_batch", &v1, &[vote1, finalize], &[])
                .await?,
        );
        let batch = self.t.batch(&key).await.context("finalized batch")?;
        if batch.status != BatchStatus::Accepted {
            bail!("batch {seq} ended {:?}, not Accepted", batch.status);
        }
        let held = self.lamports(&key).await;
        run.step(
            "close",
            self.send(
                "close_batch",
                &op,
                &[ix::close_batch(&op.pubkey(), &key)],
                &[],
            )
            .await?,
        );
        run.rent_returned = held - self.lamports(&key).await;
        run.lamports_spent = before - self.balances(&signers).await;
        run.secs = start.elapsed().as_secs_f64();
        Ok(run)
    }

    /// The same jobs as one account plus `submit` and `finish` each.
    async fn baseline(&mut self, rb: &ReceiptBatch) -> anyhow::Result<Run> {
        let node = self.op.insecure_clone();
        let verifier = self.verifiers[0].insecure_clone();
        let mut run = Run::new(rb.leaf_count() as u64);
        let start = Instant::now();
        let signers = [node.pubkey(), verifier.pubkey()];
        let before = self.balances(&signers).await;
        let node_before = self.lamports(&node.pubkey()).await;
        let submits = rb
            .receipts()
            .iter()
            .map(|r| baseline::submit_ix(&node.pubkey(), r))
            .collect();
        run.step(
            "submit",
            self.send_many("baseline submit", &node, submits).await?,
        );
        let submit_fees = run.total.fees;
        run.rent_locked = node_before - submit_fees - self.lamports(&node.pubkey()).await;
        let first = baseline::job_address(&node.pubkey(), &rb.receipts()[0].job_id).0;
        let one = self.t.raw(&first).await.context("a baseline job account")?;
        run.account_bytes = one.len() as u64 * run.jobs;
        let node_mid = self.lamports(&node.pubkey()).await;
        let finishes = rb
            .receipts()
            .iter()
            .map(|r| baseline::finish_ix(&verifier.pubkey(), &node.pubkey(), &r.job_id, true))
            .collect();
        run.step(
            "finish",
            self.send_many("baseline finish", &verifier, finishes)
                .await?,
        );
        if self.t.raw(&first).await.is_some() {
            bail!("a finished baseline job account still exists");
        }
        run.rent_returned = self.lamports(&node.pubkey()).await - node_mid;
        run.lamports_spent = before - self.balances(&signers).await;
        run.secs = start.elapsed().as_secs_f64();
        Ok(run)
    }
}

/// Runs both designs at every size in `sizes`.
/// The baseline records at most `baseline_max` jobs per size (its cost per
/// job does not depend on how many it records).
pub fn run(
    sizes: &[u64],
    baseline_max: u64,
    progress: &dyn Fn(&str),
) -> anyhow::Result<CostReport> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut b = Bench::new().await?;
        // Warm-up: the epoch's first batch also creates the node's epoch stats.
        let stats_key = {
            let now = b.t.now().await;
            edgefuel::pda::node_epoch(&edgefuel::pda::node(&b.op.pubkey()), b.epoch(now))
        };
        b.edgefuel(job_mix(1)).await.context("warm-up batch")?;
        let epoch_stats_rent = (
            b.lamports(&stats_key).await,
            b.t.raw(&stats_key)
                .await
                .map(|d| d.len() as u64)
                .unwrap_or(0),
        );
        let mut out = Vec::new();
        for &size in sizes {
            progress(&format!("cost: EdgeFuel batch of {size}"));
            let shapes = job_mix(size as usize);
            let ef = b.edgefuel(shapes.clone()).await?;
            // The baseline records the same jobs (a fresh seq: new job ids).
            let base_jobs = size.min(baseline_max) as usize;
            let specs = ReceiptBatch::job_specs(
                &b.op.pubkey(),
                1_000_000 + b.seq,
                shapes.into_iter().take(base_jobs),
            )?;
            let cpu = b.cpu;
            let commitments = specs
                .par_iter()
                .map(|s| execute(s, &cpu).map(|o| o.output_commitment()))
                .collect::<Result<Vec<_>, _>>()?;
            let rb = ReceiptBatch::new(&b.op.pubkey(), 1_000_000 + b.seq, &specs, &commitments)?;
            progress(&format!("cost: per-job baseline, {base_jobs} jobs"));
            let base = b.baseline(&rb).await?;
            for (name, r) in [("EdgeFuel", &ef), ("baseline", &base)] {
                // Fees are the bank's; every signer's balance must agree.
                if r.lamports_spent != r.total.fees + r.rent_locked - r.rent_returned {
                    bail!(
                        "{name} at {size}: signers lost {} lamports, fees {} + rent {} − {}",
                        r.lamports_spent,
                        r.total.fees,
                        r.rent_locked,
                        r.rent_returned
                    );
                }
                if r.total.fees != r.total.sigs * LAMPORTS_PER_SIGNATURE {
                    bail!("{name} at {size}: fees are not 5 000 lamports a signature");
                }
            }
            out.push(SizeResult {
                size,
                edgefuel: ef,
                baseline: base,
            });
        }
        Ok(CostReport {
            sizes: out,
            epoch_stats_rent,
            params: default_params(),
        })
    })
}
