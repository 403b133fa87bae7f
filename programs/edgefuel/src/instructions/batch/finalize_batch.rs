use super::common::release_pending;
use super::settle::SettleBatch;
use crate::error::EdgeFuelError;
use crate::events::{BatchAccepted, BatchExpired, BatchRejected};
use crate::math::AddChecked;
use crate::state::{BatchStatus, Quorum, PAUSE_MINTING};
use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;

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
pub fn handle_finalize_batch<'info>(ctx: Context<'info, SettleBatch<'info>>) -> Result<()> {
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
            stats.batches_expired.add_checked(1)?;
            emit!(BatchExpired {
                node: node_key,
                batch: batch_key
            });
        }
    }
    ctx.accounts.batch.finalized_slot = clock.slot;
    release_pending(&mut ctx.accounts.node, &ctx.accounts.batch)
}

fn accept(accounts: &mut SettleBatch, batch_key: Pubkey, node_key: Pubkey, now: i64) -> Result<()> {
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

    let node = &mut accounts.node;
    node.apply_due_commission(now);
    let (commission, to_pool) = node.accrue_reward(reward)?;
    // What the node accrued (a pool part with no bonded shares is not).
    let accrued = commission
        .checked_add(to_pool)
        .ok_or(EdgeFuelError::MathOverflow)?;
    network.total_rewards_accrued.add_checked(accrued)?;
    node.verified_work.add_checked(batch.total_work)?;
    node.batches_accepted.add_checked(1)?;
    let stats = &mut accounts.epoch_stats;
    stats.batches_accepted.add_checked(1)?;
    stats.work_credited.add_checked(batch.total_work)?;
    stats.rewards.add_checked(reward)?;
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
    accounts: &mut SettleBatch<'info>,
    remaining: &'info [AccountInfo<'info>],
    batch_key: Pubkey,
    node_key: Pubkey,
    now: i64,
) -> Result<()> {
    let params = accounts.network.params;
    let mint = accounts.network.mint;
    let winners: Vec<Pubkey> = accounts.batch.invalid_voters();
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

    let p = accounts.penalize(
        params.slash_fraud_bps,
        params.verifier_bounty_bps,
        remaining,
        now,
    )?;
    let node = &mut accounts.node;
    node.batches_rejected.add_checked(1)?;
    accounts.epoch_stats.batches_rejected.add_checked(1)?;
    accounts.batch.status = BatchStatus::Rejected;
    emit!(BatchRejected {
        node: node_key,
        batch: batch_key,
        slashed: p.slashed,
        bounty_per_verifier: p.bounty_per_verifier,
        to_treasury: p.to_treasury,
        pool_tokens_before: p.pool_tokens_before,
        pool_tokens_after: node.pool_tokens,
        jailed_until: p.jailed_until,
    });
    Ok(())
}
