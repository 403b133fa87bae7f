//! Pieces shared by the stake instructions: settling a delegation's rewards
//! under the activation rule.
use crate::error::EdgeFuelError;
use crate::state::{Delegation, Node, NodeEpochStats};
use anchor_lang::prelude::*;

/// The `activating_stats` account every delegation instruction takes:
/// the node's `NodeEpochStats` of the delegation's `activating_epoch`,
/// needed once that epoch is over (and ignored before).
pub type ActivatingStats<'info> = Option<Box<Account<'info, NodeEpochStats>>>;

/// Settles `delegation` at `epoch` (see [`Delegation::settle`]). When the
/// delegation has activating stake from an earlier epoch, `stats` must be
/// the node's account of its `activating_epoch` (otherwise it is not read).
/// Returns the activating shares' per-share value for
/// [`Delegation::rebase`].
pub fn settle_delegation(
    delegation: &mut Delegation,
    node: &Node,
    node_key: &Pubkey,
    stats: &ActivatingStats,
    epoch: u64,
) -> Result<u128> {
    let base = if delegation.needs_activation_base(epoch) {
        let s = stats.as_ref().ok_or(EdgeFuelError::MissingEpochStats)?;
        require!(
            s.node == *node_key && s.epoch == delegation.activating_epoch,
            EdgeFuelError::WrongEpochStats
        );
        Some(s.activation_base()?)
    } else {
        None
    };
    delegation.settle(node, base, epoch)
}
