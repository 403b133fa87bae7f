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
    #[msg("Signer is neither the node's agent key nor its operator")]
    NotAgent,
    #[msg("Node is jailed: wait for jailed_until, then unjail_node")]
    NodeJailed,
    #[msg("Batch sequence number must be the node's last one + 1 (see node.last_batch_seq)")]
    SeqNotNext,
    #[msg("Batch must have 1..=2^16 leaves and 1..=leaf_count*2^36 work units")]
    InvalidBatch,
    #[msg("Batch epoch is not the current epoch")]
    WrongEpoch,
    #[msg(
        "Unverified work in flight would exceed what the node's stake covers (max_exposure_bps)"
    )]
    ExposureExceeded,
    #[msg("One batch's reward may not exceed the epoch emission cap")]
    BatchRewardAboveCap,
    #[msg("Too early to seal: the seal slot's hash is not in SlotHashes yet")]
    SealTooEarly,
    #[msg("Too late to seal: the seal slot left the SlotHashes window; report_missed applies")]
    SealTooLate,
    #[msg("Batch is not in the status this instruction needs")]
    WrongBatchStatus,
    #[msg("The reveal window of this batch has closed")]
    RevealTooLate,
    #[msg("No sample point falls in this leaf's work range")]
    IndexNotSampled,
    #[msg("Merkle sum-tree path does not verify against the batch root")]
    InvalidProof,
    #[msg("Signer is not in the verifier set")]
    NotVerifier,
    #[msg("This verifier already voted on this batch")]
    AlreadyVoted,
    #[msg("Samples are not all revealed yet: vote after reveal")]
    SamplesNotRevealed,
    #[msg("The verify window of this batch has closed")]
    VotingClosed,
    #[msg("Invalid verdict must name a revealed leaf index")]
    InvalidEvidence,
    #[msg("No quorum yet and the verify window is still open")]
    NotFinalizable,
    #[msg("Epoch emission cap reached: finalize again in the next epoch")]
    EmissionCapExceeded,
    #[msg("Batch is not missed: it may still be sealed or revealed")]
    NotMissed,
    #[msg("Batch is not finalized yet")]
    BatchNotFinal,
    #[msg("Bounty accounts must be the EFUEL accounts of the winning verifiers, in vote order")]
    WrongBountyAccounts,
    #[msg("Jail term has not ended yet")]
    StillJailed,
    #[msg("Node is not jailed")]
    NotJailed,
    #[msg("SlotHashes sysvar data is malformed")]
    BadSlotHashes,
    #[msg("Delegation's bonded stake is below min_proposal_stake")]
    BelowProposalStake,
    #[msg("Description URI must be 1..=200 printable ASCII bytes")]
    InvalidDescription,
    #[msg("Proposal is not open for voting")]
    ProposalNotVoting,
    #[msg("The proposal's voting window has ended")]
    VotingEnded,
    #[msg("The proposal's voting window has not ended yet")]
    VotingNotEnded,
    #[msg("Stake added after the proposal opened cannot vote on it")]
    FreshStake,
    #[msg("Delegation has no bonded stake to vote with")]
    NoVotingPower,
    #[msg("Delegation voted on a running proposal: undelegate after vote_locked_until")]
    StakeLockedByVote,
    #[msg("Timelock has not elapsed: execute after executable_at")]
    TimelockNotElapsed,
    #[msg("Proposal has not passed (or was already executed)")]
    ProposalNotPassed,
    #[msg("Signer is not the proposer")]
    NotProposer,
    #[msg("Params make cheating pay: p(catch)·slash_fraud_bps must exceed (1−p)·max_exposure_bps")]
    IncentiveRuleViolated,
    #[msg("Accounts for this proposal's action are missing or wrong")]
    WrongProposalAccounts,
    #[msg("Proposal action is malformed")]
    InvalidAction,
    #[msg("The reveal path leads to the root but its work sums do not add up to the batch's total_work")]
    WorkSumMismatch,
    #[msg("Revealed job shape bytes are not a valid job shape (see edgefuel-spec limits)")]
    InvalidJobSpec,
    #[msg("The leaf's job_id is not that of the revealed shape with the seed bound to the leaf's position")]
    JobSpecMismatch,
    #[msg("The leaf's work_units differ from the revealed spec's work formula")]
    WorkUnitsMismatch,
    #[msg("Only the program's upgrade authority (from its ProgramData account) may initialize the network")]
    NotUpgradeAuthority,
    #[msg("The delegation has activating stake from an earlier epoch: pass the node's epoch stats account of its activating_epoch")]
    MissingEpochStats,
    #[msg("Epoch stats account is not the node's account for the required epoch")]
    WrongEpochStats,
}
