//! The one error enum of the program. Codes are `6000 + variant index`;
//! append new variants at the end so existing codes never move.
use anchor_lang::prelude::*;

#[error_code]
pub enum EdgeFuelError {
    #[msg("Arithmetic overflow: reduce the amount")]
    MathOverflow,
    #[msg("A parameter is out of its allowed bounds: see Params docs")]
    InvalidParams,
    #[msg("Verifier set is empty, too large or has duplicates or the default key")]
    InvalidVerifierSet,
    #[msg("Verifier threshold must be a majority of the set and at most its size")]
    InvalidThreshold,
    #[msg("Guardian must not be the default key")]
    InvalidGuardian,
    #[msg("Signer is not the network guardian")]
    NotGuardian,
    #[msg("Already in the requested pause state")]
    PauseUnchanged,
    #[msg("Node endpoint must be 1..=96 printable ASCII bytes")]
    InvalidEndpoint,
    #[msg("GPU model must be 1..=48 printable ASCII bytes")]
    InvalidGpuModel,
    #[msg("Region must be 1..=16 printable ASCII bytes")]
    InvalidRegion,
    #[msg("VRAM must be greater than zero (MiB)")]
    InvalidVram,
    #[msg("Commission is above the network's max_commission_bps")]
    CommissionTooHigh,
    #[msg("Signer is not the node operator")]
    NotOperator,
    #[msg("Agent key must not be the default key")]
    InvalidAgentKey,
    #[msg("Node is exiting: it accepts no new stake or work")]
    NodeExiting,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Amount is too small to mint a single pool share")]
    AmountTooSmall,
    #[msg("Node pool lost all its tokens to slashing: it accepts no new stake")]
    PoolWipedOut,
    #[msg("Not enough bonded shares in this delegation")]
    InsufficientShares,
    #[msg("Unbonding stake is still locked: retry after unlock_at")]
    StillUnbonding,
    #[msg("Nothing to withdraw: undelegate first")]
    NothingToWithdraw,
    #[msg("No rewards to claim")]
    NothingToClaim,
    #[msg("Minting is paused by the guardian")]
    MintingPaused,
    #[msg("Submissions are paused by the guardian")]
    SubmissionsPaused,
    #[msg("Token account mint is not the EFUEL mint")]
    WrongMint,
    #[msg("Token account is not owned by the signer")]
    WrongTokenOwner,
    #[msg("Account does not belong to this node")]
    WrongNode,
    #[msg("Node operator's own bonded stake is below min_node_stake")]
    BelowMinStake,
    #[msg("Pool state violates an invariant")]
    PoolInvariant,
}
