use super::common::{jail, pay_from_vault, release_pending, slash_pool};
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::BatchMissed;
use crate::state::{Batch, BatchStatus, Network, Node, NodeEpochStats};
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

#[derive(Accounts)]
pub struct ReportMissed<'info> {
    #[account(mut, seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, seeds = [SEED_NODE, node.operator.as_ref()], bump = node.bump)]
    pub node: Box<Account<'info, Node>>,
    #[account(mut, has_one = node @ EdgeFuelError::WrongNode)]
    pub batch: Box<Account<'info, Batch>>,
    #[account(
        mut,
        seeds = [SEED_NODE_EPOCH, node.key().as_ref(), &batch.epoch.to_le_bytes()],
        bump = epoch_stats.bump,
    )]
    pub epoch_stats: Box<Account<'info, NodeEpochStats>>,
    #[account(mut, address = network.vault)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = network.treasury)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl ReportMissed<'_> {
    pub fn validate(&self) -> Result<()> {
        let slot = Clock::get()?.slot;
        let b = &self.batch;
        let missed = match b.status {
            // Nobody sealed it while the seal slot was in SlotHashes.
            BatchStatus::Committed => slot > b.seal_slot.saturating_add(SLOT_HASHES_WINDOW),
            // Sealed but not fully revealed by the reveal deadline.
            BatchStatus::Sealed => slot > b.reveal_deadline,
            _ => return err!(EdgeFuelError::WrongBatchStatus),
        };
        require!(missed, EdgeFuelError::NotMissed);
        Ok(())
    }
}

/// Specification:
/// - before: batch Committed and the slot is past seal slot + 512 (it can no
///   longer be sealed), or Sealed and past the reveal deadline. Anyone may call.
/// - after: `ceil(pool · slash_unavailable_bps / 10⁴)` moves from the pool
///   (bonded and unbonding alike) to the treasury; node jailed until now +
///   jail_seconds; batch Missed; its work leaves the in-flight total.
#[access_control(ctx.accounts.validate())]
pub fn handle_report_missed(ctx: Context<ReportMissed>) -> Result<()> {
    let now = Clock::get()?;
    let params = ctx.accounts.network.params;
    let batch_key = ctx.accounts.batch.key();
    let node_key = ctx.accounts.node.key();
    let accounts = &mut *ctx.accounts;
    let (slashed, pool_before) = slash_pool(
        &mut accounts.network,
        &mut accounts.node,
        params.slash_unavailable_bps,
    )?;
    let token_program = accounts.token_program.to_account_info();
    pay_from_vault(
        &accounts.network,
        accounts.vault.to_account_info(),
        accounts.treasury.to_account_info(),
        &token_program,
        slashed,
    )?;
    let node = &mut accounts.node;
    let jailed_until = jail(node, now.unix_timestamp, params.jail_seconds)?;
    node.batches_missed = node
        .batches_missed
        .checked_add(1)
        .ok_or(EdgeFuelError::MathOverflow)?;
    release_pending(node, &accounts.batch)?;
    let stats = &mut accounts.epoch_stats;
    stats.batches_missed = stats
        .batches_missed
        .checked_add(1)
        .ok_or(EdgeFuelError::MathOverflow)?;
    stats.slashed = stats
        .slashed
        .checked_add(slashed)
        .ok_or(EdgeFuelError::MathOverflow)?;
    let batch = &mut accounts.batch;
    batch.status = BatchStatus::Missed;
    batch.slashed = slashed;
    batch.finalized_slot = now.slot;
    emit!(BatchMissed {
        node: node_key,
        batch: batch_key,
        slashed,
        pool_tokens_before: pool_before,
        pool_tokens_after: node.pool_tokens,
        jailed_until,
    });
    Ok(())
}
