use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::VoteCast;
use crate::state::{Batch, BatchStatus, Network, Quorum, Verdict, VoteRecord};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct Vote<'info> {
    pub verifier: Signer<'info>,
    #[account(seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut)]
    pub batch: Box<Account<'info, Batch>>,
}

impl Vote<'_> {
    pub fn validate(&self, verdict: &Verdict) -> Result<()> {
        let batch = &self.batch;
        require!(
            self.network.is_verifier(&self.verifier.key()),
            EdgeFuelError::NotVerifier
        );
        match batch.status {
            BatchStatus::Revealed => {}
            BatchStatus::Committed | BatchStatus::Sealed => {
                return err!(EdgeFuelError::SamplesNotRevealed)
            }
            _ => return err!(EdgeFuelError::WrongBatchStatus),
        }
        require!(
            Clock::get()?.slot <= batch.verify_deadline,
            EdgeFuelError::VotingClosed
        );
        require!(
            !batch.has_voted(&self.verifier.key()),
            EdgeFuelError::AlreadyVoted
        );
        if let Verdict::Invalid { leaf_index, .. } = verdict {
            require!(
                batch.is_revealed(*leaf_index),
                EdgeFuelError::InvalidEvidence
            );
        }
        Ok(())
    }
}

/// Specification:
/// - before: signer is in the verifier set; batch Revealed (all samples
///   on-chain); slot ≤ verify deadline; the verifier has not voted on this
///   batch; an Invalid verdict names a revealed leaf.
/// - after: the vote is recorded and tallied; when `verifier_threshold`
///   agreeing votes are in, the quorum is fixed (Valid or Invalid) and
///   `finalize_batch` applies it. Votes after the quorum, before
///   finalization, are still recorded (they share a fraud bounty if they
///   agree).
#[access_control(ctx.accounts.validate(&verdict))]
pub fn handle_vote(ctx: Context<Vote>, verdict: Verdict) -> Result<()> {
    let threshold = ctx.accounts.network.verifier_threshold;
    let verifier = ctx.accounts.verifier.key();
    let batch_key = ctx.accounts.batch.key();
    let batch = &mut ctx.accounts.batch;
    let n = batch.vote_count as usize;
    require!(n < MAX_VERIFIERS, EdgeFuelError::AlreadyVoted);
    batch.votes[n] = VoteRecord { verifier, verdict };
    batch.vote_count += 1;
    match verdict {
        Verdict::Valid => batch.valid_votes += 1,
        Verdict::Invalid { .. } => batch.invalid_votes += 1,
    }
    if batch.quorum == Quorum::Pending {
        if batch.valid_votes >= threshold {
            batch.quorum = Quorum::Valid;
        } else if batch.invalid_votes >= threshold {
            batch.quorum = Quorum::Invalid;
        }
    }
    emit_cpi!(VoteCast {
        batch: batch_key,
        verifier,
        verdict,
        valid_votes: batch.valid_votes,
        invalid_votes: batch.invalid_votes,
    });
    Ok(())
}
