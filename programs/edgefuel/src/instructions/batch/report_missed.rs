use super::common::release_pending;
use super::settle::SettleBatch;
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::BatchMissed;
use crate::math::AddChecked;
use crate::state::{Batch, BatchStatus, Params};
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

/// The slash (bps) a batch costs if reported missed at `slot`: `None` while
/// it may still be sealed or revealed.
///
/// A sealed batch whose sample was not fully revealed costs the fraud slash:
/// the node knew its sample and chose not to show it, so hiding a drawn fake
/// leaf is never cheaper than being caught with it. An unsealed batch costs
/// `slash_unavailable_bps` (nobody sealed it; the node could have); the
/// incentive rule in `Params::validate` is computed with this cheaper exit.
pub fn missed_slash_bps(batch: &Batch, params: &Params, slot: u64) -> Result<Option<u16>> {
    if !is_missed(batch, slot)? {
        return Ok(None);
    }
    Ok(Some(if batch.status == BatchStatus::Committed {
        params.slash_unavailable_bps
    } else {
        params.slash_fraud_bps
    }))
}

/// Specification:
/// - before: batch Committed and the slot is past seal slot + 512 (it can no
///   longer be sealed), or Sealed and past the reveal deadline. Anyone may
///   call; no bounty accounts are taken.
/// - after: `ceil(pool · bps / 10⁴)` moves from the pool (bonded and
///   unbonding alike) to the treasury, with bps = `slash_fraud_bps` for a
///   sealed batch left unrevealed and `slash_unavailable_bps` for an
///   unsealed one; node jailed until now + jail_seconds; batch Missed; its
///   work leaves the in-flight total.
pub fn handle_report_missed(ctx: Context<SettleBatch>) -> Result<()> {
    let clock = Clock::get()?;
    let bps = missed_slash_bps(
        &ctx.accounts.batch,
        &ctx.accounts.network.params,
        clock.slot,
    )?
    .ok_or(EdgeFuelError::NotMissed)?;
    let epoch = ctx.accounts.network.epoch_at(clock.unix_timestamp);
    ctx.accounts.check_current_stats(epoch)?;
    let batch_key = ctx.accounts.batch.key();
    let node_key = ctx.accounts.node.key();
    let accounts = &mut *ctx.accounts;
    let p = accounts.penalize(bps, 0, &[], clock.unix_timestamp)?;
    accounts.node.batches_missed.add_checked(1)?;
    release_pending(&mut accounts.node, &accounts.batch)?;
    accounts.epoch_stats.batches_missed.add_checked(1)?;
    accounts.batch.status = BatchStatus::Missed;
    accounts.batch.finalized_slot = clock.slot;
    let event = BatchMissed {
        node: node_key,
        batch: batch_key,
        slashed: p.slashed,
        pool_tokens_before: p.pool_tokens_before,
        pool_tokens_after: accounts.node.pool_tokens,
        jailed_until: p.jailed_until,
    };
    emit_cpi!(event);
    Ok(())
}
