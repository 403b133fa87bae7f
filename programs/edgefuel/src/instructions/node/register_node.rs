use crate::constants::*;
use crate::events::NodeRegistered;
use crate::math::AddChecked;
use crate::state::{Network, Node, NodeMetadata, NodeStatus};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct RegisterNode<'info> {
    #[account(mut)]
    pub operator: Signer<'info>,
    #[account(mut, seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(
        init,
        payer = operator,
        space = 8 + Node::INIT_SPACE,
        seeds = [SEED_NODE, operator.key().as_ref()],
        bump
    )]
    pub node: Box<Account<'info, Node>>,
    pub system_program: Program<'info, System>,
}

impl RegisterNode<'_> {
    pub fn validate(&self, metadata: &NodeMetadata) -> Result<()> {
        metadata.validate(self.network.params.max_commission_bps)
    }
}

/// Specification:
/// - before: the operator has no node (PDA init fails otherwise); metadata
///   is within bounds and commission ≤ `max_commission_bps`.
/// - after: `Node` is active with the metadata, agent key = operator, an
///   empty stake pool; `network.node_count` + 1.
#[access_control(ctx.accounts.validate(&metadata))]
pub fn handle_register_node(ctx: Context<RegisterNode>, metadata: NodeMetadata) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let operator = ctx.accounts.operator.key();
    let node = &mut ctx.accounts.node;
    node.bump = ctx.bumps.node;
    node.operator = operator;
    node.agent = operator;
    node.status = NodeStatus::Active;
    node.commission_bps = metadata.commission_bps;
    node.endpoint = metadata.endpoint.clone();
    node.gpu_model = metadata.gpu_model.clone();
    node.vram_mib = metadata.vram_mib;
    node.region = metadata.region.clone();
    node.registered_at = now;
    let network = &mut ctx.accounts.network;
    network.node_count.add_checked(1)?;
    emit_cpi!(NodeRegistered {
        node: node.key(),
        operator,
        commission_bps: metadata.commission_bps,
        endpoint: metadata.endpoint,
        gpu_model: metadata.gpu_model,
        vram_mib: metadata.vram_mib,
        region: metadata.region,
    });
    Ok(())
}
