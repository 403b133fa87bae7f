use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::SamplesRevealed;
use crate::proof::{self, Receipt};
use crate::state::{Batch, BatchStatus, Node, RevealedLeaf};
use anchor_lang::prelude::*;

/// One sampled leaf with its Merkle proof.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RevealItem {
    /// Index of the leaf in the batch.
    pub index: u32,
    /// The leaf's fields.
    pub leaf: RevealedLeaf,
    /// Sibling hashes, bottom-up (see `proof::verify_proof`).
    pub proof: Vec<[u8; 32]>,
}

impl RevealItem {
    /// The reveal of leaf `index` holding `receipt`, with its sibling path.
    pub fn new(index: u32, receipt: Receipt, proof: Vec<[u8; 32]>) -> Self {
        RevealItem {
            index,
            leaf: receipt.into(),
            proof,
        }
    }
}

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

/// Specification:
/// - before: signer is the node's agent or operator; batch Sealed; slot ≤
///   reveal deadline; every item's index is in the sample and its proof
///   verifies against the root for the batch's leaf count.
/// - after: each item's fields are stored on-chain beside its sample slot;
///   items already revealed are skipped (idempotent per index); when every
///   sampled leaf is revealed the batch becomes Revealed.
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
        let pos = batch
            .sample_position(item.index)
            .ok_or(EdgeFuelError::IndexNotSampled)?;
        require!(
            proof::verify_proof(
                &batch.root,
                &item.leaf.leaf_hash(),
                item.index as u64,
                batch.leaf_count as u64,
                &item.proof
            ),
            EdgeFuelError::InvalidProof
        );
        if batch.revealed_mask & (1u64 << pos) == 0 {
            batch.revealed_mask |= 1u64 << pos;
            batch.revealed[pos] = item.leaf;
            newly = newly.saturating_add(1);
        }
    }
    let all = batch.all_revealed();
    if all {
        batch.status = BatchStatus::Revealed;
    }
    emit!(SamplesRevealed {
        batch: batch_key,
        newly_revealed: newly,
        all_revealed: all
    });
    Ok(())
}
