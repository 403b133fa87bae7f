use super::common::release_pending;
use super::settle::SettleBatch;
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::BatchMissed;
use crate::math::AddChecked;
use crate::state::{Batch, BatchStatus};
use anchor_lang::prelude::*;

/// Whether a batch may be reported missed at `slot`.
pub fn is_missed(batch: &Batch, slot: u64) -> Result<bool> {
    Ok(match batch.status {
        // Nobody sealed it while the seal slot was in SlotHashes.
        BatchStatus::Committed => slot > batch.seal_slot.saturating_add(SLOT_HASHES_WINDOW),
        // Sealed but not fully revealed by the reveal deadline.
        BatchStatus::Sealed => slot > batch.reveal_deadline,
        _ => return err!(EdgeFuelError::WrongBatchStatus),
    })
}

/// Specification:
/// - before: batch Committed and the slot is past seal slot + 512 (it can no
///   longer be sealed), or Sealed and past the reveal deadline. Anyone may
///   call; no bounty accounts are taken.
/// - after: `ceil(pool · slash_unavailable_bps / 10⁴)` moves from the pool
///   (bonded and unbonding alike) to the treasury; node jailed until now +
///   jail_seconds; batch Missed; its work leaves the in-flight total.
pub fn handle_report_missed(ctx: Context<SettleBatch>) -> Result<()> {
    let clock = Clock::get()?;
    require!(
        is_missed(&ctx.accounts.batch, clock.slot)?,
        EdgeFuelError::NotMissed
    );
    let bps = ctx.accounts.network.params.slash_unavailable_bps;
    let batch_key = ctx.accounts.batch.key();
    let node_key = ctx.accounts.node.key();
    let accounts = &mut *ctx.accounts;
    let p = accounts.penalize(bps, 0, &[], clock.unix_timestamp)?;
    accounts.node.batches_missed.add_checked(1)?;
    release_pending(&mut accounts.node, &accounts.batch)?;
    accounts.epoch_stats.batches_missed.add_checked(1)?;
    accounts.batch.status = BatchStatus::Missed;
    accounts.batch.finalized_slot = clock.slot;
    emit!(BatchMissed {
        node: node_key,
        batch: batch_key,
        slashed: p.slashed,
        pool_tokens_before: p.pool_tokens_before,
        pool_tokens_after: accounts.node.pool_tokens,
        jailed_until: p.jailed_until,
    });
    Ok(())
}
