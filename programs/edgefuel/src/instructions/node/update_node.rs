use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::NodeUpdated;
use crate::state::{Network, Node, NodeMetadata, NodeStatus};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateNode<'info> {
    pub operator: Signer<'info>,
    #[account(seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        seeds = [SEED_NODE, operator.key().as_ref()],
        bump = node.bump,
        has_one = operator @ EdgeFuelError::NotOperator,
    )]
    pub node: Box<Account<'info, Node>>,
}

impl UpdateNode<'_> {
    pub fn validate(&self, metadata: &NodeMetadata) -> Result<()> {
        require!(
            self.node.status != NodeStatus::Exiting,
            EdgeFuelError::NodeExiting
        );
        metadata.validate(self.network.params.max_commission_bps)
    }
}

/// Specification:
/// - before: signer is the node's operator; the node is not exiting;
///   metadata within bounds, commission ≤ `max_commission_bps`.
/// - after: metadata replaced; a commission cut applies at once, a raise is
///   scheduled for now + `unbonding_seconds` (delegators can leave first);
///   pool and counters unchanged.
#[access_control(ctx.accounts.validate(&metadata))]
pub fn handle_update_node(ctx: Context<UpdateNode>, metadata: NodeMetadata) -> Result<()> {
    let node = &mut ctx.accounts.node;
    let now = Clock::get()?.unix_timestamp;
    let delay = ctx.accounts.network.params.unbonding_seconds;
    let commission_bps_before = node.commission_bps;
    node.apply_due_commission(now);
    node.schedule_commission(metadata.commission_bps, now, delay)?;
    node.endpoint = metadata.endpoint.clone();
    node.gpu_model = metadata.gpu_model.clone();
    node.vram_mib = metadata.vram_mib;
    node.region = metadata.region.clone();
    emit_cpi!(NodeUpdated {
        node: node.key(),
        commission_bps_before,
        commission_bps_after: node.commission_bps,
        pending_commission_bps: node.pending_commission_bps,
        commission_effective_at: node.commission_effective_at,
        endpoint: metadata.endpoint,
        gpu_model: metadata.gpu_model,
        vram_mib: metadata.vram_mib,
        region: metadata.region,
    });
    Ok(())
}
