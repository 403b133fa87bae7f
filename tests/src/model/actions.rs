//! The actions of a model sequence: every instruction a user, an agent, a
//! verifier, the guardian or a token holder can send, plus time and slot
//! moves. Actions name actors, nodes, batches and proposals by small
//! indices resolved against the state when they run, so any sequence (and
//! any part of one, as the shrinker cuts them) can be replayed.
//!
//! The `Debug` output of an action is Rust source: a shrunk sequence prints
//! as a ready-to-paste regression test (see `shrink.rs`).

/// Actors: 0..NODES are the node operators (operator `i` runs node `i`),
/// NODES..ACTORS are stakers.
pub const NODES: usize = 3;
pub const ACTORS: usize = 7;
/// Verifier keys: the first `INITIAL_VERIFIERS` form the initial set
/// (threshold 2); the others can be added by governance.
pub const VERIFIER_KEYS: usize = 4;
pub const INITIAL_VERIFIERS: usize = 3;

/// One step of a sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `actor` delegates to `node`.
    Delegate { actor: u8, node: u8, amount: Amount },
    /// `actor` starts unbonding shares of its delegation in `node`.
    Undelegate { actor: u8, node: u8, shares: Shares },
    /// `actor` withdraws its unbonded stake from `node`.
    Withdraw { actor: u8, node: u8 },
    /// `actor` claims its rewards (and commission, as operator) from `node`.
    Claim { actor: u8, node: u8 },
    /// `signer` submits the next batch of `node` (`signer` ≠ the operator
    /// is a wrong signer). `leaves` × `WORKS[work]` work units; leaves in
    /// `fake` commit forged outputs, leaves in `inflate` claim twice their
    /// job's work.
    Submit {
        signer: u8,
        node: u8,
        seq: SeqPick,
        epoch: EpochPick,
        leaves: u8,
        work: u8,
        fake: u8,
        inflate: u8,
    },
    /// Anyone seals batch `back` of `node` (0 = the newest).
    Seal { node: u8, back: u8 },
    /// `signer` reveals leaves of batch `back` of `node`.
    Reveal {
        signer: u8,
        node: u8,
        back: u8,
        pick: RevealPick,
    },
    /// Verifier key `verifier` votes on batch `back` of `node`.
    Vote {
        verifier: u8,
        node: u8,
        back: u8,
        evidence: Evidence,
    },
    /// Anyone finalizes batch `back` of `node`.
    Finalize { node: u8, back: u8, bounty: Bounty },
    /// Anyone reports batch `back` of `node` missed.
    ReportMissed { node: u8, back: u8 },
    /// Anyone closes batch `back` of `node`.
    CloseBatch { node: u8, back: u8 },
    /// `signer` unjails `node`.
    Unjail { signer: u8, node: u8 },
    /// `signer` makes `node` exit.
    Exit { signer: u8, node: u8 },
    /// Pause (or unpause) `scope` (0 submissions, 1 minting, 2 all);
    /// `guardian` false signs with a key that is not the guardian.
    Pause { guardian: bool, scope: u8, on: bool },
    /// `actor` proposes with its delegation in `node`.
    Propose { actor: u8, node: u8, what: Proposal },
    /// `actor` votes with its delegation in `node` on proposal `back`
    /// (0 = the newest).
    CastVote {
        actor: u8,
        node: u8,
        back: u8,
        choice: u8,
    },
    /// Anyone finalizes proposal `back`.
    FinalizeProposal { back: u8 },
    /// Anyone executes proposal `back`; `target` false leaves out the
    /// action's account.
    Execute { back: u8, target: bool },
    /// `actor` cancels proposal `back`.
    Cancel { actor: u8, back: u8 },
    /// The wall clock moves `secs` forward (one slot passes).
    Wait { secs: u32 },
    /// `n` slots pass (the wall clock stays): one at a time up to
    /// `STEPPED_SLOTS`, else in one jump (one SlotHashes entry).
    Slots { n: u16 },
}

/// How much to delegate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    NoTokens,
    OneBaseUnit,
    /// This many EFUEL.
    Efuel(u16),
    /// The whole wallet.
    Wallet,
    /// One base unit more than the wallet holds.
    MoreThanWallet,
}

/// How many shares to undelegate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shares {
    NoShares,
    Half,
    AllBonded,
    OneMoreThanBonded,
}

/// Which seq a submission names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqPick {
    /// `last_batch_seq + 1`.
    Next,
    /// `last_batch_seq` (a replay).
    Last,
    /// `last_batch_seq + 2` (a gap).
    Gap,
}

/// Which epoch a submission names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EpochPick {
    Current,
    Previous,
    Following,
}

/// Which leaves a reveal posts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevealPick {
    /// Up to `REVEAL_CHUNK` sampled leaves not revealed yet (the honest path).
    Sampled,
    /// One sampled leaf.
    OneSampled,
    /// A leaf no sample point falls in (if there is one; else leaf 0).
    Unsampled,
}

/// What a verifier votes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// The truth: Invalid with a revealed forged leaf if there is one, else Valid.
    Honest,
    /// The opposite of the truth (Invalid names a revealed honest leaf).
    Dishonest,
    /// Invalid naming a leaf that was not revealed.
    Unrevealed,
}

/// Which bounty accounts a finalization passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bounty {
    /// The Invalid voters' EFUEL accounts in vote order.
    Voters,
    /// None.
    NoAccounts,
    /// A staker's account instead of the first voter's.
    WrongAccount,
}

/// A proposal's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proposal {
    /// Params with `reward_per_work_unit` × `rate_pct` / 100 and the
    /// emission cap × `cap_pct` / 100.
    Rates {
        rate_pct: u16,
        cap_pct: u16,
    },
    /// Params with one sample per batch minimum: cheating would pay.
    CheatingPays,
    /// Params with a zero epoch length (out of range).
    ZeroEpoch,
    AddVerifier {
        key: u8,
    },
    RemoveVerifier {
        key: u8,
    },
    Threshold {
        t: u8,
    },
    /// The guardian becomes the other guardian key.
    SwapGuardian,
    /// `amount` EFUEL from the treasury to `actor`.
    TreasuryTransfer {
        actor: u8,
        amount: u16,
    },
    UnjailNode {
        node: u8,
    },
}

/// Slot moves up to this many go one slot at a time.
pub const STEPPED_SLOTS: u16 = 8;
/// Leaves revealed per transaction (fits 1 232 bytes at this batch size).
pub const REVEAL_CHUNK: usize = 4;
/// Work per leaf, by index.
pub const WORKS: [u64; 4] = [1_000, 4_096, 10_000, 65_536];

/// Everything a printed regression test names.
pub mod prelude {
    pub use super::Action;
    pub use super::Amount::*;
    pub use super::Bounty::*;
    pub use super::EpochPick::*;
    pub use super::Evidence::*;
    pub use super::Proposal::*;
    pub use super::RevealPick::*;
    pub use super::SeqPick::*;
    pub use super::Shares::*;
    pub use crate::model::replay;
}
