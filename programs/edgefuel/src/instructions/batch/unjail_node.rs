use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::NodeUnjailed;
use crate::state::{Node, NodeStatus};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct UnjailNode<'info> {
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
/// - before: signer is the operator; node Jailed; now ≥ jailed_until.
/// - after: node Active (it still needs min stake to submit).
pub fn handle_unjail_node(ctx: Context<UnjailNode>) -> Result<()> {
    let node = &mut ctx.accounts.node;
    require!(node.status == NodeStatus::Jailed, EdgeFuelError::NotJailed);
    require!(
        Clock::get()?.unix_timestamp >= node.jailed_until,
        EdgeFuelError::StillJailed
    );
    node.status = NodeStatus::Active;
    emit_cpi!(NodeUnjailed { node: node.key() });
    Ok(())
}
