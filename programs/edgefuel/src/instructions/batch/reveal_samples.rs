use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::SamplesRevealed;
use crate::proof::{self, PathError, Receipt, SumNode};
use crate::state::{Batch, BatchStatus, Node, RevealedLeaf};
use anchor_lang::prelude::*;
use edgefuel_spec::JobShape;

/// One sampled leaf: its committed fields, its job's shape and its
/// sum-tree path.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct RevealItem {
    /// Index of the leaf in the batch.
    pub index: u32,
    /// SHA-256 of the job's spec bytes (as committed in the leaf).
    pub job_id: [u8; 32],
    /// Work units (as committed; the leaf's sum in the tree).
    pub work_units: u64,
    /// SHA-256 of the job's output bytes (as committed).
    pub output_commitment: [u8; 32],
    /// The job's canonical shape bytes (`edgefuel_spec::JobShape::to_bytes`,
    /// ≤ `MAX_SHAPE_LEN`); the seed is not sent, it follows from the leaf's
    /// position. Its first byte is the job kind, so the leaf's kind is not
    /// sent either (the byte keeps the largest reveal within a transaction).
    pub shape: Vec<u8>,
    /// Sibling nodes (hash and work sum), bottom-up (see `proof::verify_path`).
    pub path: Vec<SumNode>,
}

impl RevealItem {
    /// The reveal of leaf `index` holding `receipt` for a job of `shape`,
    /// with its sibling path.
    pub fn new(index: u32, receipt: &Receipt, shape: &JobShape, path: Vec<SumNode>) -> Self {
        RevealItem {
            index,
            job_id: receipt.job_id,
            work_units: receipt.work_units,
            output_commitment: receipt.output_commitment,
            shape: shape.to_bytes(),
            path,
        }
    }

    /// The committed receipt this item opens, its kind read from the
    /// shape's first byte (`None` for an empty shape).
    pub fn receipt(&self) -> Option<Receipt> {
        Some(Receipt {
            job_id: self.job_id,
            kind: *self.shape.first()?,
            work_units: self.work_units,
            output_commitment: self.output_commitment,
        })
    }

    /// Serialized size (see `proof::reveal_item_len`).
    pub fn len(&self) -> usize {
        proof::reveal_item_len(self.shape.len(), self.path.len())
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Checks this item against `batch` (its root, total work, leaf count,
    /// node and seq) and returns the leaf's work range `[start, end)` and
    /// the record stored for verifiers. In order:
    /// 1. the shape decodes within the job limits (else `InvalidJobSpec`);
    ///    its kind is the leaf's;
    /// 2. the path proves the leaf at `index` (else `InvalidProof`) and its
    ///    sums add up to `total_work` (else `WorkSumMismatch`);
    /// 3. SHA-256(shape ‖ seed bound to (program, node, seq, index)) is the
    ///    leaf's `job_id` (else `JobSpecMismatch`);
    /// 4. `work_units` is the shape's work formula (else `WorkUnitsMismatch`).
    pub fn check(&self, batch: &Batch) -> Result<(u64, u64, RevealedLeaf)> {
        require!(
            self.shape.len() <= MAX_SHAPE_LEN,
            EdgeFuelError::InvalidJobSpec
        );
        let shape = JobShape::from_bytes(&self.shape).map_err(|_| EdgeFuelError::InvalidJobSpec)?;
        let receipt = self.receipt().ok_or(EdgeFuelError::InvalidJobSpec)?;
        let start = proof::verify_path(
            &batch.root,
            batch.total_work,
            &receipt.node(),
            self.index as u64,
            batch.leaf_count as u64,
            &self.path,
        )
        .map_err(|e| match e {
            PathError::Invalid => EdgeFuelError::InvalidProof,
            PathError::WorkSum => EdgeFuelError::WorkSumMismatch,
        })?;
        let spec = edgefuel_spec::JobSpec::new(shape, batch.job_seed(self.index))
            .map_err(|_| EdgeFuelError::InvalidJobSpec)?;
        require!(spec.job_id() == self.job_id, EdgeFuelError::JobSpecMismatch);
        require!(
            spec.work_units() == self.work_units,
            EdgeFuelError::WorkUnitsMismatch
        );
        let end = start
            .checked_add(self.work_units)
            .ok_or(EdgeFuelError::MathOverflow)?;
        let mut stored = RevealedLeaf {
            index: self.index,
            kind: receipt.kind,
            work_units: self.work_units,
            output_commitment: self.output_commitment,
            shape_len: self.shape.len() as u8,
            ..RevealedLeaf::default()
        };
        stored.shape[..self.shape.len()].copy_from_slice(&self.shape);
        Ok((start, end, stored))
    }
}

#[event_cpi]
#[derive(Accounts)]
pub struct RevealSamples<'info> {
    /// The node's agent key, or its operator.
    pub authority: Signer<'info>,
    #[account(
        seeds = [SEED_NODE, node.operator.as_ref()],
        bump = node.bump,
        constraint = authority.key() == node.agent || authority.key() == node.operator @ EdgeFuelError::NotAgent,
    )]
    pub node: Box<Account<'info, Node>>,
    #[account(mut, has_one = node @ EdgeFuelError::WrongNode)]
    pub batch: Box<Account<'info, Batch>>,
}

/// Marks every sample point in `[start, end)` revealed with `leaf`; returns
/// how many points it covered (already revealed or not) and how many are new.
pub fn record_reveal(batch: &mut Batch, start: u64, end: u64, leaf: &RevealedLeaf) -> (u8, u8) {
    let (mut covered, mut newly) = (0u8, 0u8);
    for pos in 0..batch.sample().len() {
        let point = batch.samples[pos];
        if (start..end).contains(&point) {
            covered = covered.saturating_add(1);
            if batch.revealed_mask & (1u64 << pos) == 0 {
                batch.revealed_mask |= 1u64 << pos;
                batch.revealed[pos] = *leaf;
                newly = newly.saturating_add(1);
            }
        }
    }
    (covered, newly)
}

/// Specification:
/// - before: signer is the node's agent or operator; batch Sealed; slot ≤
///   reveal deadline; every item passes `RevealItem::check` (path to the
///   root and total work, valid shape, job id and kind bound to the leaf's
///   position, work units = the spec's formula) and its work range covers
///   at least one sample point (else IndexNotSampled).
/// - after: each item's leaf and shape are stored at every sample point it
///   covers; points already revealed are kept (idempotent); when every
///   point is revealed the batch becomes Revealed.
pub fn handle_reveal_samples(ctx: Context<RevealSamples>, items: Vec<RevealItem>) -> Result<()> {
    let slot = Clock::get()?.slot;
    let batch_key = ctx.accounts.batch.key();
    let batch = &mut ctx.accounts.batch;
    require!(
        batch.status == BatchStatus::Sealed,
        EdgeFuelError::WrongBatchStatus
    );
    require!(slot <= batch.reveal_deadline, EdgeFuelError::RevealTooLate);
    let mut newly = 0u8;
    for item in &items {
        let (start, end, leaf) = item.check(batch)?;
        let (covered, new) = record_reveal(batch, start, end, &leaf);
        require!(covered > 0, EdgeFuelError::IndexNotSampled);
        newly = newly.saturating_add(new);
    }
    let all = batch.all_revealed();
    if all {
        batch.status = BatchStatus::Revealed;
    }
    emit_cpi!(SamplesRevealed {
        batch: batch_key,
        newly_revealed: newly,
        all_revealed: all
    });
    Ok(())
}
