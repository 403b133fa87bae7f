//! EdgeFuel: a decentralized GPU compute network. Nodes commit receipts of
//! verified GPU work, earn EFUEL for it, and are slashed for fraud, pro rata
//! with everyone who delegated to them.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
#[cfg(not(target_os = "solana"))]
pub mod fuzz;
pub mod instructions;
pub mod math;
#[cfg(not(target_os = "solana"))]
pub mod native;
#[cfg(not(target_os = "solana"))]
pub mod pda;
pub mod proof;
pub mod state;

/// The job spec format, limits, work formula and bound seed rule (shared
/// with the job engine).
pub use edgefuel_spec as spec;
pub use instructions::*;
pub use state::*;

declare_id!("EF91Jbcyxdxv3aFXYuQwiwN1sVjMYxLzdKfox71yYUcf");

#[program]
pub mod edgefuel {
    use super::*;

    /// Creates the network, the EFUEL mint, the stake vault and the treasury. Upgrade authority, once.
    pub fn initialize_network(
        ctx: Context<InitializeNetwork>,
        args: InitializeNetworkArgs,
    ) -> Result<()> {
        instructions::handle_initialize_network(ctx, args)
    }

    /// Pauses submissions and/or minting. Guardian only.
    pub fn pause(ctx: Context<SetPause>, scope: PauseScope) -> Result<()> {
        instructions::handle_pause(ctx, scope)
    }

    /// Lifts a pause of submissions and/or minting. Guardian only.
    pub fn unpause(ctx: Context<SetPause>, scope: PauseScope) -> Result<()> {
        instructions::handle_unpause(ctx, scope)
    }

    /// Registers the signer's GPU node with its metadata and commission. Operator.
    pub fn register_node(ctx: Context<RegisterNode>, metadata: NodeMetadata) -> Result<()> {
        instructions::handle_register_node(ctx, metadata)
    }

    /// Replaces a node's metadata and commission. Operator.
    pub fn update_node(ctx: Context<UpdateNode>, metadata: NodeMetadata) -> Result<()> {
        instructions::handle_update_node(ctx, metadata)
    }

    /// Names the hot key that signs the node's submissions. Operator.
    pub fn set_agent_key(ctx: Context<SetAgentKey>, agent: Pubkey) -> Result<()> {
        instructions::handle_set_agent_key(ctx, agent)
    }

    /// Stops new stake and work for a node; its stake can then unbond. Operator.
    pub fn exit_node(ctx: Context<ExitNode>) -> Result<()> {
        instructions::handle_exit_node(ctx)
    }

    /// Stakes EFUEL into a node pool for pool shares (also the operator's self-stake). Any staker.
    pub fn delegate(ctx: Context<Delegate>, amount: u64, epoch: u64) -> Result<()> {
        instructions::handle_delegate(ctx, amount, epoch)
    }

    /// Starts the cooldown of bonded shares; they stay slashable until withdrawn. Staker.
    pub fn undelegate(ctx: Context<Undelegate>, shares: u64) -> Result<()> {
        instructions::handle_undelegate(ctx, shares)
    }

    /// Pays out unbonded stake after the cooldown at the pool's current rate. Staker.
    pub fn withdraw(ctx: Context<Withdraw>) -> Result<()> {
        instructions::handle_withdraw(ctx)
    }

    /// Mints a delegation's accrued rewards (plus commission for the operator). Staker.
    pub fn claim_rewards(ctx: Context<ClaimRewards>) -> Result<()> {
        instructions::handle_claim_rewards(ctx)
    }

    /// Commits a batch of receipts (Merkle root, leaf count, work, epoch). Node agent or operator.
    pub fn submit_batch(ctx: Context<SubmitBatch>, args: SubmitBatchArgs) -> Result<()> {
        instructions::handle_submit_batch(ctx, args)
    }

    /// Draws a committed batch's sample from SlotHashes after the seal delay. Anyone.
    pub fn seal_batch(ctx: Context<SealBatch>) -> Result<()> {
        instructions::handle_seal_batch(ctx)
    }

    /// Posts the sampled leaves with their job shapes and sum-tree paths; checked and stored on-chain. Node agent or operator.
    pub fn reveal_samples(ctx: Context<RevealSamples>, items: Vec<RevealItem>) -> Result<()> {
        instructions::handle_reveal_samples(ctx, items)
    }

    /// Records a verifier's verdict on a revealed batch. Verifier set members, once each.
    pub fn vote(ctx: Context<Vote>, verdict: Verdict) -> Result<()> {
        instructions::handle_vote(ctx, verdict)
    }

    /// Applies a batch's quorum (reward or fraud slash) or expires it. Anyone.
    pub fn finalize_batch<'info>(ctx: Context<'info, SettleBatch<'info>>) -> Result<()> {
        instructions::handle_finalize_batch(ctx)
    }

    /// Slashes and jails a node whose batch was not sealed or not revealed in time. Anyone.
    pub fn report_missed(ctx: Context<SettleBatch>) -> Result<()> {
        instructions::handle_report_missed(ctx)
    }

    /// Closes a finalized batch and returns its rent to the node operator. Anyone.
    pub fn close_batch(ctx: Context<CloseBatch>) -> Result<()> {
        instructions::handle_close_batch(ctx)
    }

    /// Returns a jailed node to active after its jail term. Operator.
    pub fn unjail_node(ctx: Context<UnjailNode>) -> Result<()> {
        instructions::handle_unjail_node(ctx)
    }

    /// Opens a governance proposal; needs min_proposal_stake bonded in the delegation. Staker.
    pub fn create_proposal(ctx: Context<CreateProposal>, args: CreateProposalArgs) -> Result<()> {
        instructions::handle_create_proposal(ctx, args)
    }

    /// Votes yes/no/abstain with a delegation's bonded stake; locks it until voting ends. Staker.
    pub fn cast_vote(ctx: Context<CastVote>, choice: VoteChoice) -> Result<()> {
        instructions::handle_cast_vote(ctx, choice)
    }

    /// Tallies a proposal after its voting window (quorum, threshold, timelock). Anyone.
    pub fn finalize_proposal(ctx: Context<FinalizeProposal>) -> Result<()> {
        instructions::handle_finalize_proposal(ctx)
    }

    /// Applies a passed proposal after its timelock, or marks it failed if no longer valid. Anyone.
    pub fn execute_proposal<'info>(ctx: Context<'info, ExecuteProposal<'info>>) -> Result<()> {
        instructions::handle_execute_proposal(ctx)
    }

    /// Withdraws a proposal while it is being voted on. Proposer.
    pub fn cancel_proposal(ctx: Context<CancelProposal>) -> Result<()> {
        instructions::handle_cancel_proposal(ctx)
    }
}
