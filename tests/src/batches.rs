//! Batches and receipts: `TestBatch` (a node agent's `ReceiptBatch` with
//! the honest outputs) and the commit, seal, reveal, vote, finalize,
//! report and close helpers.
use super::*;
use edgefuel::proof::Receipt;
use edgefuel::spec::{limits, JobShape, JobSpec};
use edgefuel::{Batch, NodeEpochStats, RevealItem, SubmitBatchArgs, Verdict};
pub use edgefuel_client::ReceiptBatch;

/// A `gemm_i8` shape of exactly `work` multiply-accumulates within the job
/// limits (the fixture's jobs; panics for a `work` no GEMM shape reaches,
/// e.g. a prime above 65 536).
pub fn gemm_with_work(work: u64) -> JobShape {
    let max_k = work.min(u64::from(limits::MAX_REDUCTION));
    for k in (1..=max_k).rev().filter(|k| work.is_multiple_of(*k)) {
        let rest = work / k;
        for m in (1..=rest.min(u64::from(limits::MAX_DIM))).filter(|m| rest.is_multiple_of(*m)) {
            let shape = JobShape::GemmI8 {
                m: m as u32,
                n: (rest / m).min(u64::from(u32::MAX)) as u32,
                k: k as u32,
            };
            if JobSpec::new(shape.clone(), [0; 32]).is_ok() {
                return shape;
            }
        }
    }
    panic!("no gemm_i8 shape has exactly {work} work units")
}

/// A batch of receipts built the way a node agent builds one (a
/// [`ReceiptBatch`]), with the honest output of every leaf for the tests'
/// verifiers.
pub struct TestBatch {
    pub rb: ReceiptBatch,
    pub seq: u64,
    pub epoch: u64,
    /// The output commitment an honest execution gives for each leaf.
    pub truth: Vec<[u8; 32]>,
    pub operator: Pubkey,
}

impl TestBatch {
    /// `n` jobs of `work_per_leaf` units each (specs bound to their
    /// positions); leaves in `fake` commit to an output that honest
    /// re-execution does not produce.
    pub fn new(operator: &Pubkey, seq: u64, n: usize, work_per_leaf: u64, fake: &[usize]) -> Self {
        Self::with_shapes(operator, seq, vec![gemm_with_work(work_per_leaf); n], fake)
    }

    /// One job per shape, in leaf order; leaves in `fake` commit a forged output.
    pub fn with_shapes(operator: &Pubkey, seq: u64, shapes: Vec<JobShape>, fake: &[usize]) -> Self {
        let specs = ReceiptBatch::job_specs(operator, seq, shapes).unwrap();
        let truth: Vec<[u8; 32]> = specs
            .iter()
            .map(|s| edgefuel::proof::hashv(&[b"output", &s.job_id()]))
            .collect();
        let committed: Vec<[u8; 32]> = truth
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if fake.contains(&i) {
                    edgefuel::proof::hashv(&[b"forged", t])
                } else {
                    *t
                }
            })
            .collect();
        Self::from_batch(
            ReceiptBatch::new(operator, seq, &specs, &committed).unwrap(),
            truth,
        )
    }

    /// Wraps any receipt batch (e.g. a cheater's); `truth` is what honest
    /// execution commits for each leaf.
    pub fn from_batch(rb: ReceiptBatch, truth: Vec<[u8; 32]>) -> Self {
        TestBatch {
            seq: rb.seq(),
            epoch: (START_TIME / default_params().epoch_seconds) as u64,
            operator: *rb.operator(),
            rb,
            truth,
        }
    }

    /// The same batch with `edit` applied to its receipts (shapes kept):
    /// how the attack tests build a node that lies in its leaves.
    pub fn tampered(&self, edit: impl FnOnce(&mut Vec<Receipt>)) -> Self {
        let mut receipts = self.rb.receipts().to_vec();
        edit(&mut receipts);
        let rb = ReceiptBatch::from_receipts(
            &self.operator,
            self.seq,
            self.rb.shapes().to_vec(),
            receipts,
        )
        .unwrap();
        TestBatch {
            rb,
            truth: self.truth.clone(),
            ..*self
        }
    }

    pub fn key(&self) -> Pubkey {
        self.rb.key()
    }

    pub fn total_work(&self) -> u64 {
        self.rb.total_work()
    }

    pub fn receipts(&self) -> &[Receipt] {
        self.rb.receipts()
    }

    pub fn args(&self) -> SubmitBatchArgs {
        self.rb.submit_args(self.epoch)
    }

    /// The reveal item for leaf `index`.
    pub fn item(&self, index: u32) -> RevealItem {
        self.rb.reveal_item(index).unwrap()
    }
}

impl TestContext {
    pub fn submit_ix(
        &self,
        authority: &Pubkey,
        tb: &TestBatch,
        args: SubmitBatchArgs,
    ) -> Instruction {
        ix::submit_batch(authority, &self.payer(), &tb.operator, args)
    }

    pub async fn submit(&mut self, authority: &Keypair, tb: &TestBatch) -> TxResult {
        let ix = self.submit_ix(&authority.pubkey(), tb, tb.args());
        self.send(&[ix], &[authority]).await
    }

    pub fn seal_ix(&self, batch: &Pubkey) -> Instruction {
        ix::seal_batch(batch)
    }

    pub async fn seal(&mut self, batch: &Pubkey) -> TxResult {
        let ix = self.seal_ix(batch);
        self.send(&[ix], &[]).await
    }

    pub fn reveal_ix(
        &self,
        authority: &Pubkey,
        tb: &TestBatch,
        items: Vec<RevealItem>,
    ) -> Instruction {
        ix::reveal_samples(authority, &tb.operator, &tb.key(), items)
    }

    pub async fn reveal(
        &mut self,
        authority: &Keypair,
        tb: &TestBatch,
        indices: &[u32],
    ) -> TxResult {
        let items = indices.iter().map(|i| tb.item(*i)).collect();
        let ix = self.reveal_ix(&authority.pubkey(), tb, items);
        self.send(&[ix], &[authority]).await
    }

    /// The leaves the batch's sample points fall in, each once.
    pub async fn sampled_leaves(&mut self, tb: &TestBatch) -> Vec<u32> {
        let batch = self.batch(&tb.key()).await.unwrap();
        tb.rb.sampled_leaves(batch.sample()).unwrap()
    }

    /// Reveals the whole sample, as many leaves per transaction as fit.
    pub async fn reveal_all(&mut self, authority: &Keypair, tb: &TestBatch) {
        let batch = self.batch(&tb.key()).await.unwrap();
        let items = tb.rb.reveal_items(&batch).unwrap();
        for chunk in ReceiptBatch::pack_reveals(items) {
            let ix = self.reveal_ix(&authority.pubkey(), tb, chunk);
            self.send(&[ix], &[authority]).await.unwrap();
        }
    }

    pub fn vote_ix(&self, verifier: &Pubkey, batch: &Pubkey, verdict: Verdict) -> Instruction {
        ix::vote(verifier, batch, verdict)
    }

    pub async fn vote(&mut self, verifier: &Keypair, batch: &Pubkey, verdict: Verdict) -> TxResult {
        let ix = self.vote_ix(&verifier.pubkey(), batch, verdict);
        self.send(&[ix], &[verifier]).await
    }

    /// `finalize_batch`; `bounty_to` are the Invalid voters' EFUEL accounts.
    pub async fn finalize_ix(&mut self, tb: &TestBatch, bounty_to: &[Pubkey]) -> Instruction {
        let current = self.current_epoch().await;
        let mut ix = ix::finalize_batch(&tb.operator, &tb.key(), tb.epoch, current, &[]);
        ix.accounts
            .extend(bounty_to.iter().map(|k| AccountMeta::new(*k, false)));
        ix
    }

    pub async fn finalize(&mut self, tb: &TestBatch, bounty_to: &[Pubkey]) -> TxResult {
        let ix = self.finalize_ix(tb, bounty_to).await;
        self.send(&[ix], &[]).await
    }

    pub async fn report_missed_ix(&mut self, tb: &TestBatch) -> Instruction {
        let current = self.current_epoch().await;
        ix::report_missed(&tb.operator, &tb.key(), tb.epoch, current)
    }

    pub async fn report_missed(&mut self, tb: &TestBatch) -> TxResult {
        let ix = self.report_missed_ix(tb).await;
        self.send(&[ix], &[]).await
    }

    pub fn close_batch_ix(&self, tb: &TestBatch) -> Instruction {
        ix::close_batch(&tb.operator, &tb.key())
    }

    pub async fn close_batch(&mut self, tb: &TestBatch) -> TxResult {
        let ix = self.close_batch_ix(tb);
        self.send(&[ix], &[]).await
    }

    pub async fn unjail(&mut self, operator: &Keypair) -> TxResult {
        let ix = ix::unjail_node(&operator.pubkey());
        self.send(&[ix], &[operator]).await
    }

    pub async fn batch(&mut self, key: &Pubkey) -> Option<Batch> {
        self.decode(key).await
    }

    pub async fn epoch_stats(&mut self, operator: &Pubkey, epoch: u64) -> Option<NodeEpochStats> {
        self.decode(&pda::node_epoch(&pda::node(operator), epoch))
            .await
    }

    /// Submit → seal → reveal: the batch ends Revealed, ready for votes.
    pub async fn commit_and_reveal(&mut self, agent: &Keypair, tb: &TestBatch) {
        self.submit(agent, tb).await.unwrap();
        self.warp_slots(default_params().seal_delay_slots + 1).await;
        self.seal(&tb.key()).await.unwrap();
        self.reveal_all(agent, tb).await;
    }

    /// The verifiers' EFUEL accounts (created empty on first use).
    pub async fn verifier_accounts(&mut self) -> Vec<Pubkey> {
        let keys: Vec<Pubkey> = self.verifiers.iter().map(|k| k.pubkey()).collect();
        for k in &keys {
            self.fund_efuel(k, 0).await;
        }
        keys.iter().map(|k| self.ata(k)).collect()
    }
}

impl TestContext {
    /// A `TestBatch` stamped with the current epoch.
    pub async fn batch_now(
        &mut self,
        operator: &Pubkey,
        seq: u64,
        n: usize,
        work_per_leaf: u64,
        fake: &[usize],
    ) -> TestBatch {
        let mut tb = TestBatch::new(operator, seq, n, work_per_leaf, fake);
        tb.epoch = (self.now().await / default_params().epoch_seconds) as u64;
        tb
    }

    /// A fraud caught: batch `seq` of one leaf (so it is sampled) with a
    /// fake output is committed and revealed by `operator`, verifiers 0 and 1
    /// vote Invalid and it is finalized (Rejected: fraud slash, bounty, jail).
    pub async fn caught_fraud(&mut self, operator: &Keypair, seq: u64) -> TestBatch {
        let tb = self
            .batch_now(&operator.pubkey(), seq, 1, 1_000, &[0])
            .await;
        self.commit_and_reveal(operator, &tb).await;
        let evidence = Verdict::Invalid {
            leaf_index: 0,
            expected_commitment: tb.truth[0],
        };
        for i in 0..2 {
            let v = self.verifiers[i].insecure_clone();
            self.vote(&v, &tb.key(), evidence).await.unwrap();
        }
        let bounty_to = self.verifier_accounts().await;
        self.finalize(&tb, &bounty_to[..2]).await.unwrap();
        tb
    }

    /// Verifiers 0 and 1 vote Valid on a revealed batch; then it is finalized.
    pub async fn accept(&mut self, tb: &TestBatch) {
        for i in 0..2 {
            let v = self.verifiers[i].insecure_clone();
            self.vote(&v, &tb.key(), Verdict::Valid).await.unwrap();
        }
        self.finalize(tb, &[]).await.unwrap();
    }
}
