use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::BatchClosed;
use crate::state::{Batch, Node};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct CloseBatch<'info> {
    #[account(seeds = [SEED_NODE, node.operator.as_ref()], bump = node.bump)]
    pub node: Box<Account<'info, Node>>,
    /// CHECK: receives the rent; must be the node operator.
    #[account(mut, address = node.operator @ EdgeFuelError::NotOperator)]
    pub operator: UncheckedAccount<'info>,
    #[account(
        mut,
        has_one = node @ EdgeFuelError::WrongNode,
        constraint = batch.status.is_final() @ EdgeFuelError::BatchNotFinal,
        close = operator,
    )]
    pub batch: Box<Account<'info, Batch>>,
}

/// Specification:
/// - before: batch final (Accepted, Rejected, Expired or Missed). Anyone may call.
/// - after: the batch account is closed and its rent paid to the node operator.
pub fn handle_close_batch(ctx: Context<CloseBatch>) -> Result<()> {
    emit_cpi!(BatchClosed {
        batch: ctx.accounts.batch.key(),
        rent_to: ctx.accounts.operator.key()
    });
    Ok(())
}
