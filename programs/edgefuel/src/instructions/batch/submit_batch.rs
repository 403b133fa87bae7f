use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::BatchSubmitted;
use crate::math;
use crate::math::AddChecked;
use crate::state::{
    Batch, BatchStatus, Network, Node, NodeEpochStats, NodeStatus, Quorum, PAUSE_SUBMISSIONS,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmitBatchArgs {
    /// Per-node sequence number: the node's `last_batch_seq` + 1.
    pub seq: u64,
    /// Hash of the root of the Merkle sum tree over the receipt leaves (see
    /// `proof.rs`).
    pub root: [u8; 32],
    /// Number of leaves (1 ..= 2^16).
    pub leaf_count: u32,
    /// Work units of all leaves together: the root's sum (1 ..= leaf_count
    /// · 2^36). Every reveal path must add up to it.
    pub total_work: u64,
    /// The current epoch (`unix_timestamp / epoch_seconds`).
    pub epoch: u64,
}

/// Write-locks only this node's accounts and the new batch: nodes submit in
/// parallel. The network is read-only here.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: SubmitBatchArgs)]
pub struct SubmitBatch<'info> {
    /// The node's agent key, or its operator.
    pub authority: Signer<'info>,
    /// Pays rent for the batch (returned to the operator at close).
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        seeds = [SEED_NODE, node.operator.as_ref()],
        bump = node.bump,
        constraint = authority.key() == node.agent || authority.key() == node.operator @ EdgeFuelError::NotAgent,
    )]
    pub node: Box<Account<'info, Node>>,
    #[account(
        init,
        payer = payer,
        space = 8 + Batch::INIT_SPACE,
        seeds = [SEED_BATCH, node.key().as_ref(), &args.seq.to_le_bytes()],
        bump
    )]
    pub batch: Box<Account<'info, Batch>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + NodeEpochStats::INIT_SPACE,
        seeds = [SEED_NODE_EPOCH, node.key().as_ref(), &args.epoch.to_le_bytes()],
        bump
    )]
    pub epoch_stats: Box<Account<'info, NodeEpochStats>>,
    pub system_program: Program<'info, System>,
}

impl SubmitBatch<'_> {
    pub fn validate(&self, args: &SubmitBatchArgs) -> Result<()> {
        let network = &self.network;
        let params = &network.params;
        let node = &self.node;
        require!(
            !network.is_paused(PAUSE_SUBMISSIONS),
            EdgeFuelError::SubmissionsPaused
        );
        match node.status {
            NodeStatus::Active => {}
            NodeStatus::Jailed => return err!(EdgeFuelError::NodeJailed),
            NodeStatus::Exiting => return err!(EdgeFuelError::NodeExiting),
        }
        require!(
            node.is_eligible(params.min_node_stake)?,
            EdgeFuelError::BelowMinStake
        );
        // seq = last + 1: no gaps, so a (compromised) agent key cannot jump
        // to u64::MAX and leave the node unable to ever submit again.
        require!(
            Some(args.seq) == node.last_batch_seq.checked_add(1),
            EdgeFuelError::SeqNotNext
        );
        let max_work = (args.leaf_count as u128) * (MAX_WORK_PER_LEAF as u128);
        require!(
            (1..=MAX_BATCH_LEAVES).contains(&args.leaf_count)
                && args.total_work > 0
                && (args.total_work as u128) <= max_work,
            EdgeFuelError::InvalidBatch
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            args.epoch == network.epoch_at(now),
            EdgeFuelError::WrongEpoch
        );
        // One batch can never earn more than an epoch may mint.
        let reward = (args.total_work as u128) * (params.reward_per_work_unit as u128);
        require!(
            reward <= params.epoch_emission_cap as u128,
            EdgeFuelError::BatchRewardAboveCap
        );
        // Exposure rule: the reward value of all unfinalized work, this batch
        // included, may not exceed max_exposure_bps of the node's *bonded*
        // stake. Unbonding stake does not count: it may be withdrawn before
        // this batch is settled. Bonded stake cannot: leaving takes
        // `unbonding_seconds`, which outlasts a batch's life.
        let in_flight = (node.pending_work as u128)
            .checked_add(args.total_work as u128)
            .and_then(|w| w.checked_mul(params.reward_per_work_unit as u128))
            .ok_or(EdgeFuelError::MathOverflow)?;
        let covered = math::bps_floor(node.bonded_tokens()?, params.max_exposure_bps)?;
        require!(
            in_flight <= covered as u128,
            EdgeFuelError::ExposureExceeded
        );
        Ok(())
    }
}

/// Specification:
/// - before: signer is the node's agent or operator; submissions not paused;
///   node active (not jailed, not exiting) and eligible (operator's own bonded
///   stake ≥ min_node_stake); `seq` = last seq + 1; 1 ≤ leaf_count ≤ 2^16;
///   1 ≤ total_work ≤ leaf_count · 2^36; `epoch` is the current epoch; the
///   batch's reward ≤ epoch cap; (pending_work + total_work) ·
///   reward_per_work_unit ≤ bonded tokens · max_exposure_bps / 10⁴
///   (unbonding stake does not back new work).
/// - after: a `Batch` in status Committed with its seal slot, deadlines and
///   the reward rate in force (it is paid at that rate);
///   node last seq = seq, pending work/batches and counters grow; the node's
///   epoch stats (created on first use) count the batch.
#[access_control(ctx.accounts.validate(&args))]
pub fn handle_submit_batch(ctx: Context<SubmitBatch>, args: SubmitBatchArgs) -> Result<()> {
    let params = ctx.accounts.network.params;
    let slot = Clock::get()?.slot;
    let node_key = ctx.accounts.node.key();
    let batch_key = ctx.accounts.batch.key();

    let seal_slot = slot
        .checked_add(params.seal_delay_slots)
        .ok_or(EdgeFuelError::MathOverflow)?;
    let batch = &mut ctx.accounts.batch;
    batch.bump = ctx.bumps.batch;
    batch.node = node_key;
    batch.seq = args.seq;
    batch.root = args.root;
    batch.leaf_count = args.leaf_count;
    batch.total_work = args.total_work;
    batch.epoch = args.epoch;
    batch.submitted_slot = slot;
    batch.seal_slot = seal_slot;
    batch.reveal_deadline = seal_slot
        .checked_add(params.reveal_window_slots)
        .ok_or(EdgeFuelError::MathOverflow)?;
    batch.verify_deadline = seal_slot
        .checked_add(params.verify_window_slots)
        .ok_or(EdgeFuelError::MathOverflow)?;
    batch.status = BatchStatus::Committed;
    batch.quorum = Quorum::Pending;
    batch.reward_rate = params.reward_per_work_unit;

    let node = &mut ctx.accounts.node;
    node.last_batch_seq = args.seq;
    node.pending_work.add_checked(args.total_work)?;
    node.pending_batches.add_checked(1)?;
    node.batches_submitted.add_checked(1)?;

    let stats = &mut ctx.accounts.epoch_stats;
    if stats.node == Pubkey::default() {
        stats.bump = ctx.bumps.epoch_stats;
        stats.node = node_key;
        stats.epoch = args.epoch;
        stats.acc_end = node.acc_reward_per_share;
    }
    stats.batches_submitted.add_checked(1)?;
    stats.work_submitted.add_checked(args.total_work)?;

    emit_cpi!(BatchSubmitted {
        node: node_key,
        batch: batch_key,
        seq: args.seq,
        root: args.root,
        leaf_count: args.leaf_count,
        total_work: args.total_work,
        epoch: args.epoch,
        pending_work_after: node.pending_work,
    });
    Ok(())
}
