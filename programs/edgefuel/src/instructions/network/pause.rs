use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::{Paused, Unpaused};
use crate::state::{Network, PauseScope};
use anchor_lang::prelude::*;

/// Accounts of both `pause` and `unpause`: the guardian and the network.
#[event_cpi]
#[derive(Accounts)]
pub struct SetPause<'info> {
    pub guardian: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_NETWORK],
        bump = network.bump,
        has_one = guardian @ EdgeFuelError::NotGuardian,
    )]
    pub network: Box<Account<'info, Network>>,
}

/// Specification:
/// - before: signer is the guardian; at least one flag of `scope` is clear.
/// - after: every flag of `scope` is set; nothing else changes.
pub fn handle_pause(ctx: Context<SetPause>, scope: PauseScope) -> Result<()> {
    let network = &mut ctx.accounts.network;
    let before = network.paused;
    let after = before | scope.flags();
    require!(after != before, EdgeFuelError::PauseUnchanged);
    network.paused = after;
    emit_cpi!(Paused {
        scope,
        flags_before: before,
        flags_after: after
    });
    Ok(())
}

/// Specification:
/// - before: signer is the guardian; at least one flag of `scope` is set.
/// - after: every flag of `scope` is clear; nothing else changes.
pub fn handle_unpause(ctx: Context<SetPause>, scope: PauseScope) -> Result<()> {
    let network = &mut ctx.accounts.network;
    let before = network.paused;
    let after = before & !scope.flags();
    require!(after != before, EdgeFuelError::PauseUnchanged);
    network.paused = after;
    emit_cpi!(Unpaused {
        scope,
        flags_before: before,
        flags_after: after
    });
    Ok(())
}
