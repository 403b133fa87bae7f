//! The receipt batch: jobs → receipts → sum tree → submit args → reveal
//! items. The one type every off-chain party uses for a batch (the node
//! agent, the verifier, the CLI, the demo and the test fixture); the formats
//! themselves are the program's (`edgefuel::proof`, `edgefuel::spec`).
use crate::pda;
use anchor_lang::prelude::Pubkey;
use edgefuel::constants::MAX_BATCH_LEAVES;
use edgefuel::proof::{Receipt, SumTree, TreeError, REVEAL_TX_BUDGET};
use edgefuel::spec::{JobShape, JobSpec, SpecError};
use edgefuel::{Batch, RevealItem, SubmitBatchArgs};

/// Why a receipt batch could not be built or revealed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ReceiptError {
    /// A batch commits at least one receipt.
    #[error("a batch needs at least one receipt")]
    Empty,
    /// More leaves than a batch may commit.
    #[error("{0} receipts: a batch holds at most {MAX_BATCH_LEAVES}")]
    TooManyLeaves(usize),
    /// Jobs and receipts (or commitments) do not pair up.
    #[error("{jobs} job shapes for {receipts} receipts: give one shape per receipt")]
    Mismatched { jobs: usize, receipts: usize },
    /// The receipts' work units overflow u64.
    #[error("the receipts' work units add up to more than u64::MAX")]
    WorkOverflow,
    /// A sample point lies outside the batch's work (a batch account of
    /// another batch, or a batch that claims more work than its receipts).
    #[error("sample point {point} is outside this batch's {total_work} work units")]
    PointOutside { point: u64, total_work: u64 },
    /// A spec could not be built for a position.
    #[error("job {index}: {source}")]
    Spec { index: u32, source: SpecError },
}

/// A committed (or about to be committed) batch of receipts of one node.
#[derive(Clone, Debug)]
pub struct ReceiptBatch {
    operator: Pubkey,
    seq: u64,
    shapes: Vec<JobShape>,
    receipts: Vec<Receipt>,
    tree: SumTree,
}

impl ReceiptBatch {
    /// The spec of the job at leaf `index` of batch `seq` of `operator`'s
    /// node: `shape` with the seed bound to that position
    /// (`edgefuel::spec::job_seed`).
    pub fn job_spec(
        operator: &Pubkey,
        seq: u64,
        index: u32,
        shape: JobShape,
    ) -> Result<JobSpec, SpecError> {
        let node = pda::node(operator);
        let seed = edgefuel::spec::job_seed(&edgefuel::ID.to_bytes(), &node.to_bytes(), seq, index);
        JobSpec::new(shape, seed)
    }

    /// The specs of a batch whose leaves run `shapes`, in leaf order.
    pub fn job_specs(
        operator: &Pubkey,
        seq: u64,
        shapes: impl IntoIterator<Item = JobShape>,
    ) -> Result<Vec<JobSpec>, ReceiptError> {
        shapes
            .into_iter()
            .enumerate()
            .map(|(i, shape)| {
                let index = u32::try_from(i).map_err(|_| ReceiptError::TooManyLeaves(i))?;
                Self::job_spec(operator, seq, index, shape)
                    .map_err(|source| ReceiptError::Spec { index, source })
            })
            .collect()
    }

    /// An honest batch: each job's receipt with the commitment of the output
    /// it produced (`commitments[i]` for `specs[i]`).
    pub fn new(
        operator: &Pubkey,
        seq: u64,
        specs: &[JobSpec],
        commitments: &[[u8; 32]],
    ) -> Result<Self, ReceiptError> {
        if specs.len() != commitments.len() {
            return Err(ReceiptError::Mismatched {
                jobs: specs.len(),
                receipts: commitments.len(),
            });
        }
        let receipts = specs
            .iter()
            .zip(commitments)
            .map(|(spec, c)| Receipt {
                job_id: spec.job_id(),
                kind: spec.kind() as u8,
                work_units: spec.work_units(),
                output_commitment: *c,
            })
            .collect();
        let shapes = specs.iter().map(|s| s.shape().clone()).collect();
        Self::from_receipts(operator, seq, shapes, receipts)
    }

    /// A batch of arbitrary `receipts`, revealed with `shapes` (one per
    /// receipt). Honest agents use [`ReceiptBatch::new`]; this is how a
    /// cheating node (in the demo and the tests) commits what it likes.
    pub fn from_receipts(
        operator: &Pubkey,
        seq: u64,
        shapes: Vec<JobShape>,
        receipts: Vec<Receipt>,
    ) -> Result<Self, ReceiptError> {
        if shapes.len() != receipts.len() {
            return Err(ReceiptError::Mismatched {
                jobs: shapes.len(),
                receipts: receipts.len(),
            });
        }
        if receipts.len() > MAX_BATCH_LEAVES as usize {
            return Err(ReceiptError::TooManyLeaves(receipts.len()));
        }
        let tree = SumTree::from_receipts(&receipts).map_err(|e| match e {
            TreeError::Empty => ReceiptError::Empty,
            TreeError::SumOverflow => ReceiptError::WorkOverflow,
        })?;
        Ok(ReceiptBatch {
            operator: *operator,
            seq,
            shapes,
            receipts,
            tree,
        })
    }

    /// The node operator.
    pub fn operator(&self) -> &Pubkey {
        &self.operator
    }

    /// The node account.
    pub fn node(&self) -> Pubkey {
        pda::node(&self.operator)
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The batch account this batch is committed to.
    pub fn key(&self) -> Pubkey {
        pda::batch(&self.node(), self.seq)
    }

    pub fn receipts(&self) -> &[Receipt] {
        &self.receipts
    }

    pub fn shapes(&self) -> &[JobShape] {
        &self.shapes
    }

    pub fn tree(&self) -> &SumTree {
        &self.tree
    }

    /// Hash of the tree's root.
    pub fn root(&self) -> [u8; 32] {
        self.tree.root().hash
    }

    /// Work units of all receipts: the root's sum.
    pub fn total_work(&self) -> u64 {
        self.tree.root().sum
    }

    pub fn leaf_count(&self) -> u32 {
        self.receipts.len() as u32
    }

    /// `submit_batch` arguments for epoch `epoch`.
    pub fn submit_args(&self, epoch: u64) -> SubmitBatchArgs {
        SubmitBatchArgs {
            seq: self.seq,
            root: self.root(),
            leaf_count: self.leaf_count(),
            total_work: self.total_work(),
            epoch,
        }
    }

    /// The reveal of leaf `index` (its receipt, shape and path).
    pub fn reveal_item(&self, index: u32) -> Option<RevealItem> {
        let i = index as usize;
        Some(RevealItem::new(
            index,
            self.receipts.get(i)?,
            self.shapes.get(i)?,
            self.tree.proof(i)?,
        ))
    }

    /// The leaves covering `points`, each once, in point order.
    pub fn sampled_leaves(&self, points: &[u64]) -> Result<Vec<u32>, ReceiptError> {
        let mut out: Vec<u32> = Vec::new();
        for &point in points {
            let leaf = self.tree.leaf_at(point).ok_or(ReceiptError::PointOutside {
                point,
                total_work: self.total_work(),
            })? as u32;
            if !out.contains(&leaf) {
                out.push(leaf);
            }
        }
        Ok(out)
    }

    /// The items that reveal every sample point of `batch` not revealed
    /// yet, each leaf once, in sample order.
    pub fn reveal_items(&self, batch: &Batch) -> Result<Vec<RevealItem>, ReceiptError> {
        let pending: Vec<u64> = batch
            .sample()
            .iter()
            .enumerate()
            .filter(|(pos, _)| batch.revealed_mask & (1u64 << pos) == 0)
            .map(|(_, p)| *p)
            .collect();
        Ok(self
            .sampled_leaves(&pending)?
            .into_iter()
            .filter_map(|i| self.reveal_item(i))
            .collect())
    }

    /// `items` packed in order into transactions whose items take at most
    /// `proof::REVEAL_TX_BUDGET` bytes (one item always goes alone).
    pub fn pack_reveals(items: Vec<RevealItem>) -> Vec<Vec<RevealItem>> {
        let mut chunks: Vec<Vec<RevealItem>> = Vec::new();
        let mut used = 0usize;
        for item in items {
            let len = item.len();
            match chunks.last_mut() {
                Some(chunk) if used + len <= REVEAL_TX_BUDGET => {
                    used += len;
                    chunk.push(item);
                }
                _ => {
                    used = len;
                    chunks.push(vec![item]);
                }
            }
        }
        chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(n: usize) -> Vec<JobShape> {
        (0..n)
            .map(|i| JobShape::GemmI8 {
                m: 1 + i as u32 % 4,
                n: 8,
                k: 16,
            })
            .collect()
    }

    #[test]
    fn honest_batch_opens_every_sample() {
        let op = Pubkey::new_unique();
        let specs = ReceiptBatch::job_specs(&op, 3, shapes(40)).unwrap();
        let outs: Vec<[u8; 32]> = (0..40u8).map(|i| [i; 32]).collect();
        let rb = ReceiptBatch::new(&op, 3, &specs, &outs).unwrap();
        assert_eq!(
            rb.total_work(),
            specs.iter().map(JobSpec::work_units).sum::<u64>()
        );
        let args = rb.submit_args(9);
        assert_eq!((args.seq, args.leaf_count, args.epoch), (3, 40, 9));
        // Seeds are bound: every position has its own job.
        let mut ids: Vec<_> = rb.receipts().iter().map(|r| r.job_id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 40);
        let points = edgefuel::proof::sample_points(&[5; 32], rb.total_work(), 11);
        let leaves = rb.sampled_leaves(&points).unwrap();
        for leaf in &leaves {
            let item = rb.reveal_item(*leaf).unwrap();
            let start = rb.tree().range_start(*leaf as usize).unwrap();
            assert!(points
                .iter()
                .any(|p| (start..start + item.work_units).contains(p)));
        }
        let chunks = ReceiptBatch::pack_reveals(
            leaves.iter().map(|i| rb.reveal_item(*i).unwrap()).collect(),
        );
        assert_eq!(chunks.iter().map(Vec::len).sum::<usize>(), leaves.len());
        for c in &chunks {
            assert!(
                c.len() == 1 || c.iter().map(RevealItem::len).sum::<usize>() <= REVEAL_TX_BUDGET
            );
        }
        assert_eq!(
            rb.sampled_leaves(&[rb.total_work()]),
            Err(ReceiptError::PointOutside {
                point: rb.total_work(),
                total_work: rb.total_work()
            })
        );
    }

    #[test]
    fn refuses_bad_input() {
        let op = Pubkey::new_unique();
        assert_eq!(
            ReceiptBatch::from_receipts(&op, 1, vec![], vec![]).err(),
            Some(ReceiptError::Empty)
        );
        assert_eq!(
            ReceiptBatch::from_receipts(&op, 1, shapes(2), vec![Receipt::default()]).err(),
            Some(ReceiptError::Mismatched {
                jobs: 2,
                receipts: 1
            })
        );
        let huge = Receipt {
            work_units: u64::MAX,
            ..Receipt::default()
        };
        assert_eq!(
            ReceiptBatch::from_receipts(&op, 1, shapes(2), vec![huge, huge]).err(),
            Some(ReceiptError::WorkOverflow)
        );
    }
}
