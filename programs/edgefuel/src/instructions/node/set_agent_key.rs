use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::AgentKeySet;
use crate::state::Node;
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct SetAgentKey<'info> {
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
/// - before: signer is the node's operator; `agent` is not the default key.
/// - after: `node.agent = agent` (the hot key that signs submissions).
pub fn handle_set_agent_key(ctx: Context<SetAgentKey>, agent: Pubkey) -> Result<()> {
    require!(agent != Pubkey::default(), EdgeFuelError::InvalidAgentKey);
    let node = &mut ctx.accounts.node;
    let agent_before = node.agent;
    node.agent = agent;
    emit_cpi!(AgentKeySet {
        node: node.key(),
        agent_before,
        agent_after: agent
    });
    Ok(())
}
