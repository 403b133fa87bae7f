//! Random action sequences from a seed: mostly the calls a working network
//! makes (delegations, honest and cheating batches through their whole
//! lifecycle, votes, claims, governance), with edge amounts, wrong signers,
//! replays, early and late calls mixed in, and time and slot jumps that
//! cross epochs, deadlines, cooldowns and jail terms.
use super::actions::*;
use super::state::{BStatus, MBatch, MQuorum, Model, PStatus};

/// SplitMix64: small, seedable, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn draw(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.draw() % n.max(1)
    }
    /// True with probability `pct` %.
    pub fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    fn small(&mut self, n: u64) -> u8 {
        self.below(n) as u8
    }
}

/// The operators' self-stake that every sequence starts with (EFUEL).
pub const SELF_STAKE: u16 = 1_500;

/// What every sequence starts with: each operator bonds its self-stake,
/// each staker delegates to one node, and the next epoch begins (so that
/// stake earns from the first batches on).
pub fn prelude() -> Vec<Action> {
    let mut v: Vec<Action> = (0..NODES as u8)
        .map(|i| Action::Delegate {
            actor: i,
            node: i,
            amount: Amount::Efuel(SELF_STAKE),
        })
        .collect();
    v.extend((NODES as u8..ACTORS as u8).map(|a| Action::Delegate {
        actor: a,
        node: a % NODES as u8,
        amount: Amount::Efuel(500),
    }));
    v.push(Action::Wait { secs: 3_600 });
    v
}

fn back(r: &mut Rng) -> u8 {
    match r.below(10) {
        0..=6 => 0,
        7 | 8 => 1,
        _ => 2,
    }
}

/// The node's operator, or (rarely) someone else: a wrong signer.
fn signer(r: &mut Rng, node: u8) -> u8 {
    if r.pct(6) {
        r.small(ACTORS as u64)
    } else {
        node
    }
}

fn one(r: &mut Rng, m: &Model) -> Action {
    let (mut node, mut actor) = (r.small(NODES as u64), r.small(ACTORS as u64));
    // Mostly someone who holds a delegation, so stake and governance calls
    // get past the missing-account refusals.
    let holders: Vec<&(u8, u8)> = m.delegations.keys().collect();
    if !holders.is_empty() && r.pct(70) {
        (node, actor) = *holders[r.below(holders.len() as u64) as usize];
    }
    match r.below(136) {
        0..=9 => Action::Delegate {
            actor,
            node,
            amount: match r.below(20) {
                0 => Amount::NoTokens,
                1 => Amount::OneBaseUnit,
                2 => Amount::Wallet,
                3 => Amount::MoreThanWallet,
                _ => Amount::Efuel(r.pick(&[1, 10, 50, 100, 250, 500])),
            },
        },
        10..=15 => Action::Undelegate {
            actor,
            node,
            shares: match r.below(10) {
                0 => Shares::NoShares,
                1 => Shares::OneMoreThanBonded,
                2..=4 => Shares::AllBonded,
                _ => Shares::Half,
            },
        },
        16..=20 => Action::Withdraw { actor, node },
        21..=28 => Action::Claim { actor, node },
        29..=43 => Action::Submit {
            signer: signer(r, node),
            node,
            seq: match r.below(25) {
                0 => SeqPick::Last,
                1 => SeqPick::Gap,
                _ => SeqPick::Next,
            },
            epoch: match r.below(25) {
                0 => EpochPick::Previous,
                1 => EpochPick::Following,
                _ => EpochPick::Current,
            },
            leaves: 1 + r.small(8),
            work: if r.pct(8) { 3 } else { r.small(3) },
            fake: if r.pct(30) { r.small(256) } else { 0 },
            inflate: if r.pct(12) { r.small(256) } else { 0 },
        },
        44..=53 => Action::Seal {
            node,
            back: back(r),
        },
        54..=66 => Action::Reveal {
            signer: signer(r, node),
            node,
            back: back(r),
            pick: match r.below(10) {
                0 => RevealPick::Unsampled,
                1 => RevealPick::OneSampled,
                _ => RevealPick::Sampled,
            },
        },
        67..=81 => Action::Vote {
            verifier: r.small(VERIFIER_KEYS as u64),
            node,
            back: back(r),
            evidence: match r.below(10) {
                0 => Evidence::Unrevealed,
                1 | 2 => Evidence::Dishonest,
                _ => Evidence::Honest,
            },
        },
        82..=91 => Action::Finalize {
            node,
            back: back(r),
            bounty: match r.below(10) {
                0 => Bounty::NoAccounts,
                1 => Bounty::WrongAccount,
                _ => Bounty::Voters,
            },
        },
        92..=94 => Action::ReportMissed {
            node,
            back: back(r),
        },
        95..=98 => Action::CloseBatch {
            node,
            back: back(r),
        },
        99..=101 => Action::Unjail {
            signer: signer(r, node),
            node,
        },
        102 if r.pct(30) => Action::Exit {
            signer: signer(r, node),
            node,
        },
        102 => Action::Claim { actor, node },
        103 | 104 => Action::Pause {
            guardian: r.pct(85),
            scope: r.small(3),
            on: r.pct(50),
        },
        105..=107 => Action::Propose {
            actor,
            node,
            what: match r.below(14) {
                0 | 1 => Proposal::Rates {
                    rate_pct: r.pick(&[50, 100, 200]),
                    cap_pct: r.pick(&[0, 50, 100, 300]),
                },
                2 => Proposal::CheatingPays,
                3 => Proposal::ZeroEpoch,
                4 => Proposal::AddVerifier {
                    key: r.small(VERIFIER_KEYS as u64),
                },
                5 => Proposal::RemoveVerifier {
                    key: r.small(VERIFIER_KEYS as u64),
                },
                6 => Proposal::Threshold { t: r.small(5) },
                7 => Proposal::SwapGuardian,
                8..=10 => Proposal::TreasuryTransfer {
                    actor: r.small(ACTORS as u64),
                    amount: r.pick(&[0, 1, 10, 1_000]),
                },
                _ => Proposal::UnjailNode {
                    node: r.small(NODES as u64),
                },
            },
        },
        108..=113 => Action::CastVote {
            actor,
            node,
            back: back(r),
            choice: if r.pct(70) { 0 } else { r.small(3) },
        },
        114 | 115 => Action::FinalizeProposal { back: back(r) },
        116 | 117 => Action::Execute {
            back: back(r),
            target: r.pct(90),
        },
        118 => Action::Cancel {
            actor,
            back: back(r),
        },
        119..=126 => Action::Wait {
            secs: match r.below(20) {
                0..=4 => 60,
                5..=8 => 600,
                9..=12 => 1_800,
                13..=16 => 3_700,
                17 | 18 => 7_300,
                _ => 15 * 86_400,
            },
        },
        _ => Action::Slots {
            n: match r.below(20) {
                0..=7 => 5,
                8..=11 => 40,
                12..=15 => 160,
                16..=18 => 320,
                _ => 520,
            },
        },
    }
}

/// The next step of some batch in flight, as an honest network would take
/// it (mostly): seal once the seal slot passed, reveal the sample, verifiers
/// vote, finalize, close; or a new batch when none is in flight.
fn progress(r: &mut Rng, m: &Model) -> Action {
    if r.pct(25) {
        if let Some(a) = governance(r, m) {
            return a;
        }
    }
    let open: Vec<(&(u8, u64), &MBatch)> = m.batches.iter().collect();
    if open.is_empty() || r.pct(15) {
        let node = r.small(NODES as u64);
        return Action::Submit {
            signer: node,
            node,
            seq: SeqPick::Next,
            epoch: EpochPick::Current,
            leaves: 1 + r.small(8),
            work: r.small(3),
            fake: if r.pct(25) { r.small(256) } else { 0 },
            inflate: if r.pct(8) { r.small(256) } else { 0 },
        };
    }
    let (&(node, seq), b) = open[r.below(open.len() as u64) as usize];
    let back = (m.nodes[node as usize].last_batch_seq - seq).min(u8::MAX as u64) as u8;
    match b.status {
        BStatus::Committed if m.slot > b.seal_slot => Action::Seal { node, back },
        BStatus::Committed => Action::Slots { n: 5 },
        BStatus::Sealed => Action::Reveal {
            signer: node,
            node,
            back,
            pick: RevealPick::Sampled,
        },
        BStatus::Revealed if b.quorum == MQuorum::Pending => {
            let voter = m
                .verifiers
                .iter()
                .copied()
                .find(|v| !b.votes.iter().any(|(k, _)| k == v))
                .unwrap_or(0);
            Action::Vote {
                verifier: voter,
                node,
                back,
                evidence: if r.pct(85) {
                    Evidence::Honest
                } else {
                    Evidence::Dishonest
                },
            }
        }
        BStatus::Revealed => Action::Finalize {
            node,
            back,
            bounty: Bounty::Voters,
        },
        _ => Action::CloseBatch { node, back },
    }
}

/// The next step of the newest proposal still open: votes by holders,
/// the window's end, finalization, the timelock, execution.
fn governance(r: &mut Rng, m: &Model) -> Option<Action> {
    let (i, p) = m
        .proposals
        .iter()
        .enumerate()
        .rev()
        .find(|(_, p)| matches!(p.status, PStatus::Voting | PStatus::Passed))?;
    let back = (m.proposal_count - 1 - i as u64).min(u8::MAX as u64) as u8;
    Some(match p.status {
        PStatus::Voting if m.now < p.voting_ends_at && r.pct(70) => {
            let holders: Vec<&(u8, u8)> = m.delegations.keys().collect();
            let &(node, actor) = *holders.get(r.below(holders.len() as u64) as usize)?;
            Action::CastVote {
                actor,
                node,
                back,
                choice: if r.pct(80) { 0 } else { r.small(3) },
            }
        }
        PStatus::Voting if m.now < p.voting_ends_at => Action::Wait { secs: 1_800 },
        PStatus::Voting => Action::FinalizeProposal { back },
        _ if m.now < p.executable_at => Action::Wait { secs: 1_800 },
        _ => Action::Execute { back, target: true },
    })
}

/// The next action of sequence `r` in state `m`: half the time the next
/// step of a batch in flight, else any action.
pub fn next(r: &mut Rng, m: &Model) -> Action {
    if r.pct(45) {
        progress(r, m)
    } else {
        one(r, m)
    }
}
