use super::common::{jail, pay_from_vault, release_pending, slash_pool};
use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::{BatchAccepted, BatchExpired, BatchRejected};
use crate::math;
use crate::state::{
    Batch, BatchStatus, Network, Node, NodeEpochStats, Quorum, Verdict, PAUSE_MINTING,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Permissionless. For a rejected batch, `remaining_accounts` are the EFUEL
/// token accounts of the verifiers that voted Invalid, in vote order (they
/// share the bounty).
#[derive(Accounts)]
pub struct FinalizeBatch<'info> {
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

/// Specification:
/// - before: batch not final, and either a quorum is fixed or (batch
///   Revealed and) the verify deadline has passed.
/// - Valid quorum → Accepted: minting not paused; reward = total_work ·
///   reward_per_work_unit fits in this epoch's remaining emission budget
///   (else EmissionCapExceeded: finalize again next epoch, the verdict
///   stays); commission to the operator, the rest to the pool accumulator;
///   work credited to the node and its epoch stats.
/// - Invalid quorum → Rejected: `ceil(pool · slash_fraud_bps / 10⁴)` leaves
///   the pool (bonded and unbonding shares alike); `verifier_bounty_bps` of
///   it is split equally among the Invalid voters (remainder to treasury),
///   the rest goes to the treasury; node jailed until now + jail_seconds.
/// - No quorum after the verify deadline → Expired: nothing paid or slashed.
/// - In every case the batch's work leaves the node's in-flight total.
pub fn handle_finalize_batch<'info>(ctx: Context<'info, FinalizeBatch<'info>>) -> Result<()> {
    let clock = Clock::get()?;
    let batch_key = ctx.accounts.batch.key();
    let node_key = ctx.accounts.node.key();
    let batch_status = ctx.accounts.batch.status;
    require!(!batch_status.is_final(), EdgeFuelError::WrongBatchStatus);
    let quorum = ctx.accounts.batch.quorum;
    match quorum {
        Quorum::Valid => accept(ctx.accounts, batch_key, node_key, clock.unix_timestamp)?,
        Quorum::Invalid => reject(
            ctx.accounts,
            ctx.remaining_accounts,
            batch_key,
            node_key,
            clock.unix_timestamp,
        )?,
        Quorum::Pending => {
            require!(
                batch_status == BatchStatus::Revealed
                    && clock.slot > ctx.accounts.batch.verify_deadline,
                EdgeFuelError::NotFinalizable
            );
            ctx.accounts.batch.status = BatchStatus::Expired;
            let stats = &mut ctx.accounts.epoch_stats;
            stats.batches_expired = stats
                .batches_expired
                .checked_add(1)
                .ok_or(EdgeFuelError::MathOverflow)?;
            emit!(BatchExpired {
                node: node_key,
                batch: batch_key
            });
        }
    }
    ctx.accounts.batch.finalized_slot = clock.slot;
    release_pending(&mut ctx.accounts.node, &ctx.accounts.batch)
}

fn accept(
    accounts: &mut FinalizeBatch,
    batch_key: Pubkey,
    node_key: Pubkey,
    now: i64,
) -> Result<()> {
    let network = &mut accounts.network;
    require!(
        !network.is_paused(PAUSE_MINTING),
        EdgeFuelError::MintingPaused
    );
    let batch = &mut accounts.batch;
    let reward =
        u64::try_from((batch.total_work as u128) * (network.params.reward_per_work_unit as u128))
            .map_err(|_| EdgeFuelError::MathOverflow)?;
    let epoch = network.epoch_at(now);
    if epoch != network.emission_epoch {
        network.emission_epoch = epoch;
        network.epoch_emitted = 0;
    }
    let emitted = network
        .epoch_emitted
        .checked_add(reward)
        .ok_or(EdgeFuelError::MathOverflow)?;
    require!(
        emitted <= network.params.epoch_emission_cap,
        EdgeFuelError::EmissionCapExceeded
    );
    network.epoch_emitted = emitted;
    network.total_rewards_accrued = network
        .total_rewards_accrued
        .checked_add(reward)
        .ok_or(EdgeFuelError::MathOverflow)?;

    let node = &mut accounts.node;
    let (commission, to_pool) = node.accrue_reward(reward)?;
    node.verified_work = node
        .verified_work
        .checked_add(batch.total_work)
        .ok_or(EdgeFuelError::MathOverflow)?;
    node.batches_accepted = node
        .batches_accepted
        .checked_add(1)
        .ok_or(EdgeFuelError::MathOverflow)?;
    let stats = &mut accounts.epoch_stats;
    stats.batches_accepted = stats
        .batches_accepted
        .checked_add(1)
        .ok_or(EdgeFuelError::MathOverflow)?;
    stats.work_credited = stats
        .work_credited
        .checked_add(batch.total_work)
        .ok_or(EdgeFuelError::MathOverflow)?;
    stats.rewards = stats
        .rewards
        .checked_add(reward)
        .ok_or(EdgeFuelError::MathOverflow)?;
    batch.status = BatchStatus::Accepted;
    batch.reward = reward;
    emit!(BatchAccepted {
        node: node_key,
        batch: batch_key,
        work: batch.total_work,
        reward,
        commission,
        to_pool,
        epoch_emitted_after: emitted,
    });
    Ok(())
}

fn reject<'info>(
    accounts: &mut FinalizeBatch<'info>,
    remaining: &'info [AccountInfo<'info>],
    batch_key: Pubkey,
    node_key: Pubkey,
    now: i64,
) -> Result<()> {
    let params = accounts.network.params;
    let mint = accounts.network.mint;
    let winners: Vec<Pubkey> = accounts
        .batch
        .recorded_votes()
        .iter()
        .filter(|v| matches!(v.verdict, Verdict::Invalid { .. }))
        .map(|v| v.verifier)
        .collect();
    require!(
        remaining.len() == winners.len(),
        EdgeFuelError::WrongBountyAccounts
    );
    for (info, voter) in remaining.iter().zip(&winners) {
        let acct: Account<TokenAccount> =
            Account::try_from(info).map_err(|_| EdgeFuelError::WrongBountyAccounts)?;
        require!(
            acct.mint == mint && acct.owner == *voter,
            EdgeFuelError::WrongBountyAccounts
        );
    }

    let (slashed, pool_before) = slash_pool(
        &mut accounts.network,
        &mut accounts.node,
        params.slash_fraud_bps,
    )?;
    let bounty = math::bps_floor(slashed, params.verifier_bounty_bps)?;
    let per_verifier = bounty / (winners.len().max(1) as u64);
    let paid_bounty = per_verifier * winners.len() as u64;
    let to_treasury = slashed
        .checked_sub(paid_bounty)
        .ok_or(EdgeFuelError::MathOverflow)?;

    let token_program = accounts.token_program.to_account_info();
    for info in remaining.iter() {
        pay_from_vault(
            &accounts.network,
            accounts.vault.to_account_info(),
            info.clone(),
            &token_program,
            per_verifier,
        )?;
    }
    pay_from_vault(
        &accounts.network,
        accounts.vault.to_account_info(),
        accounts.treasury.to_account_info(),
        &token_program,
        to_treasury,
    )?;

    let node = &mut accounts.node;
    let jailed_until = jail(node, now, params.jail_seconds)?;
    node.batches_rejected = node
        .batches_rejected
        .checked_add(1)
        .ok_or(EdgeFuelError::MathOverflow)?;
    let stats = &mut accounts.epoch_stats;
    stats.batches_rejected = stats
        .batches_rejected
        .checked_add(1)
        .ok_or(EdgeFuelError::MathOverflow)?;
    stats.slashed = stats
        .slashed
        .checked_add(slashed)
        .ok_or(EdgeFuelError::MathOverflow)?;
    let batch = &mut accounts.batch;
    batch.status = BatchStatus::Rejected;
    batch.slashed = slashed;
    emit!(BatchRejected {
        node: node_key,
        batch: batch_key,
        slashed,
        bounty_per_verifier: per_verifier,
        to_treasury,
        pool_tokens_before: pool_before,
        pool_tokens_after: node.pool_tokens,
        jailed_until,
    });
    Ok(())
}
