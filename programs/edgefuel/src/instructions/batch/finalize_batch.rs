use super::common::release_pending;
use super::settle::SettleBatch;
use crate::constants::MAX_DEFERRAL_EPOCHS;
use crate::error::EdgeFuelError;
use crate::events::{emit_cpi_with, BatchAccepted, BatchExpired, BatchRejected};
use crate::math::AddChecked;
use crate::state::{BatchStatus, Quorum, PAUSE_MINTING};
use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;

/// Specification:
/// - before: batch not final, and either a quorum is fixed or (batch
///   Revealed and) the verify deadline has passed.
/// - Valid quorum → Accepted: minting not paused; reward = total_work ·
///   the batch's `reward_rate` (fixed at submit) when it fits in this
///   epoch's remaining emission budget; if it does not: before epoch
///   `batch.epoch + MAX_DEFERRAL_EPOCHS` EmissionCapExceeded (finalize again
///   in a later epoch, the verdict stays), from then on the reward is what
///   the budget has left (perhaps 0) and the batch is final all the same;
///   commission to the operator, the rest to the pool accumulator over the
///   shares that earn for the batch's epoch (`Node::earning_shares`: none
///   when accepted two or more epochs after it, the pool part is then not
///   minted); work credited to the node and its epoch stats.
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
    let epoch = ctx.accounts.network.epoch_at(clock.unix_timestamp);
    ctx.accounts.check_current_stats(epoch)?;
    let quorum = ctx.accounts.batch.quorum;
    match quorum {
        Quorum::Valid => accept(
            ctx.accounts,
            batch_key,
            node_key,
            clock.unix_timestamp,
            epoch,
        )?,
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
            emit_cpi!(BatchExpired {
                node: node_key,
                batch: batch_key
            });
        }
    }
    ctx.accounts.batch.finalized_slot = clock.slot;
    release_pending(&mut ctx.accounts.node, &ctx.accounts.batch)
}

fn accept(
    accounts: &mut SettleBatch,
    batch_key: Pubkey,
    node_key: Pubkey,
    now: i64,
    epoch: u64,
) -> Result<()> {
    let network = &mut accounts.network;
    require!(
        !network.is_paused(PAUSE_MINTING),
        EdgeFuelError::MintingPaused
    );
    let batch = &mut accounts.batch;
    // Paid at the rate fixed when the batch was committed.
    let earned = u64::try_from((batch.total_work as u128) * (batch.reward_rate as u128))
        .map_err(|_| EdgeFuelError::MathOverflow)?;
    if epoch != network.emission_epoch {
        network.emission_epoch = epoch;
        network.epoch_emitted = 0;
    }
    let budget_left = network
        .params
        .epoch_emission_cap
        .saturating_sub(network.epoch_emitted);
    let reward = if earned <= budget_left {
        earned
    } else {
        // Wait for a fresh budget for a while; after that the cap (perhaps
        // lowered for good) pays what it has left and the batch is final.
        let settle_epoch = batch
            .epoch
            .checked_add(MAX_DEFERRAL_EPOCHS)
            .ok_or(EdgeFuelError::MathOverflow)?;
        require!(epoch >= settle_epoch, EdgeFuelError::EmissionCapExceeded);
        budget_left
    };
    let emitted = network
        .epoch_emitted
        .checked_add(reward)
        .ok_or(EdgeFuelError::MathOverflow)?;
    network.epoch_emitted = emitted;

    let node = &mut accounts.node;
    node.apply_due_commission(now);
    // The pool part goes to the stake that backed the batch: not to stake
    // delegated in its epoch or later (nor, two epochs on, to anyone).
    let earning = node.earning_shares(batch.epoch, epoch)?;
    let (commission, to_pool, inc) = node.accrue_reward(reward, earning)?;
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
    let event = BatchAccepted {
        node: node_key,
        batch: batch_key,
        work: batch.total_work,
        reward,
        commission,
        to_pool,
        epoch_emitted_after: emitted,
    };
    if inc > 0 {
        accounts.record_accumulator(epoch, inc)?;
    }
    emit_cpi_with(&accounts.event_authority, &event)
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
    let event = BatchRejected {
        node: node_key,
        batch: batch_key,
        slashed: p.slashed,
        bounty_per_verifier: p.bounty_per_verifier,
        to_treasury: p.to_treasury,
        pool_tokens_before: p.pool_tokens_before,
        pool_tokens_after: node.pool_tokens,
        jailed_until: p.jailed_until,
    };
    emit_cpi_with(&accounts.event_authority, &event)
}
