use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::NodeExited;
use crate::state::{Node, NodeStatus};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct ExitNode<'info> {
    pub operator: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_NODE, operator.key().as_ref()],
        bump = node.bump,
        has_one = operator @ EdgeFuelError::NotOperator,
    )]
    pub node: Box<Account<'info, Node>>,
}

/// Specification:
/// - before: signer is the node's operator; the node is not already exiting.
/// - after: status = Exiting: no new stake, no new batches; existing stake
///   may undelegate and withdraw as usual; batches in flight still finalize
///   (and can still be slashed).
pub fn handle_exit_node(ctx: Context<ExitNode>) -> Result<()> {
    let node = &mut ctx.accounts.node;
    require!(
        node.status != NodeStatus::Exiting,
        EdgeFuelError::NodeExiting
    );
    let status_before = node.status;
    node.status = NodeStatus::Exiting;
    emit_cpi!(NodeExited {
        node: node.key(),
        status_before
    });
    Ok(())
}
