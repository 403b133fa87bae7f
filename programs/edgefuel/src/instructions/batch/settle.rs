//! The accounts that settle a batch (finalize it or report it missed), and
//! the penalty both apply.
use super::common::{jail, slash_pool};
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::instructions::network_token::transfer_from_network;
use crate::math::{self, AddChecked};
use crate::state::{Batch, Network, Node, NodeEpochStats};
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `finalize_batch` and `report_missed`. Permissionless. For a
/// fraud rejection, `remaining_accounts` are the EFUEL token accounts of the
/// verifiers that voted Invalid, in vote order (they share the bounty).
#[event_cpi]
#[derive(Accounts)]
pub struct SettleBatch<'info> {
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
    /// CHECK: the node's `NodeEpochStats` address of the current epoch
    /// (checked in the handler; it may not exist yet). When a batch of the
    /// previous epoch is accepted, its `acc_end` follows the accumulator.
    #[account(mut)]
    pub current_stats: UncheckedAccount<'info>,
    #[account(mut, address = network.vault)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = network.treasury)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// What a penalty did.
pub struct Penalty {
    pub slashed: u64,
    pub bounty_per_verifier: u64,
    pub to_treasury: u64,
    pub pool_tokens_before: u64,
    pub jailed_until: i64,
}

impl<'info> SettleBatch<'info> {
    /// Checks that `current_stats` is the node's stats address of `epoch`.
    pub fn check_current_stats(&self, epoch: u64) -> Result<()> {
        let (expected, _) = Pubkey::find_program_address(
            &[
                SEED_NODE_EPOCH,
                self.node.key().as_ref(),
                &epoch.to_le_bytes(),
            ],
            &crate::ID,
        );
        require_keys_eq!(
            self.current_stats.key(),
            expected,
            EdgeFuelError::WrongEpochStats
        );
        Ok(())
    }

    /// Records the accumulator's growth by `inc` (a batch accepted in
    /// `epoch`): in its own epoch's stats `acc_end` follows the
    /// accumulator; a batch of the previous epoch adds to that epoch's
    /// `acc_late` and the current epoch's stats (if any) follow the
    /// accumulator.
    pub fn record_accumulator(&mut self, epoch: u64, inc: u128) -> Result<()> {
        let acc = self.node.acc_reward_per_share;
        if self.batch.epoch == epoch {
            self.epoch_stats.acc_end = acc;
            return Ok(());
        }
        self.epoch_stats.acc_late.add_checked(inc)?;
        let info = self.current_stats.to_account_info();
        if info.owner == &crate::ID && !info.data_is_empty() {
            let mut data = info.try_borrow_mut_data()?;
            let mut current = NodeEpochStats::try_deserialize(&mut &data[..])?;
            current.acc_end = acc;
            current.try_serialize(&mut &mut data[..])?;
        }
        Ok(())
    }

    /// Slashes `bps` of the node pool (bonded and unbonding alike), pays
    /// `bounty_bps` of it in equal parts to `bounty_to` (the remainder of the
    /// division and the rest to the treasury), jails the node and records the
    /// slash in the batch and the epoch stats.
    pub fn penalize(
        &mut self,
        bps: u16,
        bounty_bps: u16,
        bounty_to: &[AccountInfo<'info>],
        now: i64,
    ) -> Result<Penalty> {
        let (slashed, pool_tokens_before) = slash_pool(&mut self.network, &mut self.node, bps)?;
        let bounty = if bounty_to.is_empty() {
            0
        } else {
            math::bps_floor(slashed, bounty_bps)?
        };
        let per = bounty / (bounty_to.len().max(1) as u64);
        let paid = per
            .checked_mul(bounty_to.len() as u64)
            .ok_or(EdgeFuelError::MathOverflow)?;
        let to_treasury = slashed
            .checked_sub(paid)
            .ok_or(EdgeFuelError::MathOverflow)?;
        let token_program = self.token_program.to_account_info();
        for to in bounty_to {
            transfer_from_network(
                &self.network,
                self.vault.to_account_info(),
                to.clone(),
                &token_program,
                per,
            )?;
        }
        let treasury = self.treasury.to_account_info();
        transfer_from_network(
            &self.network,
            self.vault.to_account_info(),
            treasury,
            &token_program,
            to_treasury,
        )?;
        let jailed_until = jail(&mut self.node, now, self.network.params.jail_seconds)?;
        self.epoch_stats.slashed.add_checked(slashed)?;
        self.batch.slashed = slashed;
        Ok(Penalty {
            slashed,
            bounty_per_verifier: per,
            to_treasury,
            pool_tokens_before,
            jailed_until,
        })
    }
}
