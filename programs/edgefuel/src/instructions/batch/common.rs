//! Pieces shared by the batch instructions: slashing, jailing, in-flight work.
use crate::error::EdgeFuelError;
use crate::math::AddChecked;
use crate::state::{Batch, Network, Node, NodeStatus};
use anchor_lang::prelude::*;

/// Takes `bps` of the node's pool (bonded and unbonding alike), keeps the
/// network totals exact, and returns `(amount, pool_tokens_before)`.
pub fn slash_pool(network: &mut Network, node: &mut Node, bps: u16) -> Result<(u64, u64)> {
    let pool_before = node.pool_tokens;
    let amount = network.track_pool(node, |node| node.slash(bps))?;
    network.total_slashed.add_checked(amount)?;
    Ok((amount, pool_before))
}

/// Jails the node until `now + jail_seconds` (an exiting node stays exiting).
pub fn jail(node: &mut Node, now: i64, jail_seconds: i64) -> Result<i64> {
    let until = now
        .checked_add(jail_seconds)
        .ok_or(EdgeFuelError::MathOverflow)?;
    node.jailed_until = node.jailed_until.max(until);
    if node.status == NodeStatus::Active {
        node.status = NodeStatus::Jailed;
    }
    Ok(node.jailed_until)
}

/// The batch's work no longer counts as in flight.
pub fn release_pending(node: &mut Node, batch: &Batch) -> Result<()> {
    node.pending_work = node
        .pending_work
        .checked_sub(batch.total_work)
        .ok_or(EdgeFuelError::MathOverflow)?;
    node.pending_batches = node
        .pending_batches
        .checked_sub(1)
        .ok_or(EdgeFuelError::MathOverflow)?;
    Ok(())
}
