//! The protocol's rules as the README states them, applied to the model:
//! for every action, either the exact refusal (error and failure class) the
//! program must give, checked in the order the program checks accounts and
//! arguments, or the exact new state.
//!
//! `Model::plan` resolves an action's indices against the state (which seq,
//! which leaves, which verdict, which accounts); `Model::apply` runs it. A
//! refused action leaves the model untouched (the caller applies to a clone).
use super::actions::*;
use super::rewards;
use super::state::*;
use anchor_lang::error::ErrorCode as A;
use edgefuel::constants::{
    EXECUTION_WINDOW_SECONDS, MAX_DEFERRAL_EPOCHS, MAX_SAMPLES, SLOT_HASHES_WINDOW,
};
use edgefuel::error::EdgeFuelError as E;
use edgefuel::Params;
use Failure::*;

/// Who receives a fraud bounty in a `finalize_batch` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payee {
    Verifier(u8),
    Actor(u8),
}

/// An action resolved against the state: the concrete values the
/// instruction carries.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub seq: u64,
    pub epoch: u64,
    pub amount: u64,
    pub leaves: Vec<u32>,
    /// `None`: Valid; `Some(leaf)`: Invalid naming `leaf`.
    pub verdict: Option<Option<u32>>,
    pub bounty: Vec<Payee>,
    pub proposal: u64,
    pub action: Option<MAction>,
}

fn require(ok: bool, r: impl FnOnce() -> Refusal) -> Outcome {
    if ok {
        Ok(())
    } else {
        Err(r())
    }
}

fn missing() -> Refusal {
    anchor(MissingAccount, A::AccountNotInitialized)
}

/// Samples per batch: `clamp(ceil(n · sample_bps / 10⁴), min, max)`.
pub fn sample_count(p: &Params, leaves: u64) -> usize {
    let k = (leaves * p.sample_bps as u64).div_ceil(10_000);
    k.clamp(p.min_samples as u64, p.max_samples as u64)
        .min(MAX_SAMPLES as u64) as usize
}

/// `(1 − q) · cheapest exit > q · exposure` with q = (1 − 10 %)^min_samples
/// rounded up (README "The incentive rule").
fn cheating_does_not_pay(p: &Params) -> bool {
    const ONE: u128 = 1_000_000_000_000_000_000;
    let mut q = ONE;
    for _ in 0..p.min_samples {
        q = (q * 9_000).div_ceil(10_000);
    }
    let exit = p.slash_fraud_bps.min(p.slash_unavailable_bps) as u128;
    (ONE - q) * exit > q * p.max_exposure_bps as u128
}

/// The parameter bounds the generator can break (README and `Params` docs).
fn params_ok(p: &Params) -> Outcome {
    require(
        (60..=30 * 86_400).contains(&p.epoch_seconds) && p.epoch_emission_cap > 0,
        || ef(OutOfRange, E::InvalidParams),
    )?;
    require(cheating_does_not_pay(p), || {
        ef(OutOfRange, E::IncentiveRuleViolated)
    })
}

impl Model {
    fn batch_seq(&self, node: u8, back: u8) -> u64 {
        self.nodes[node as usize]
            .last_batch_seq
            .saturating_sub(back as u64)
    }

    /// A copy of `actor`'s delegation in `node`, or the refusal for a
    /// missing account.
    fn delegation(&self, node: u8, actor: u8) -> Result<MDel, Refusal> {
        self.delegations
            .get(&(node, actor))
            .cloned()
            .ok_or_else(missing)
    }

    fn proposal_id(&self, back: u8) -> u64 {
        self.proposal_count.saturating_sub(1 + back as u64)
    }

    fn next_verifier_set(&self, a: &MAction) -> Result<Option<(Vec<u8>, u8)>, Refusal> {
        let mut set = self.verifiers.clone();
        let mut t = self.threshold;
        match a {
            MAction::AddVerifier(k) => set.push(*k),
            MAction::RemoveVerifier(k) => {
                let before = set.len();
                set.retain(|v| v != k);
                require(set.len() < before, || ef(OutOfRange, E::InvalidAction))?;
            }
            MAction::Threshold(x) => t = *x,
            _ => return Ok(None),
        }
        let distinct = set.iter().enumerate().all(|(i, v)| !set[..i].contains(v));
        require(!set.is_empty() && distinct, || {
            ef(OutOfRange, E::InvalidVerifierSet)
        })?;
        require(
            (t as usize) * 2 > set.len() && t as usize <= set.len(),
            || ef(OutOfRange, E::InvalidThreshold),
        )?;
        Ok(Some((set, t)))
    }

    fn check_action(&self, a: &MAction, treasury: Option<u64>) -> Outcome {
        match a {
            MAction::Params(p) => params_ok(p),
            MAction::AddVerifier(_) | MAction::RemoveVerifier(_) | MAction::Threshold(_) => {
                self.next_verifier_set(a).map(|_| ())
            }
            MAction::Guardian(_) | MAction::Unjail(_) => Ok(()),
            MAction::Transfer { amount, .. } => {
                require(*amount > 0, || ef(OutOfRange, E::InvalidAction))?;
                require(treasury.is_none_or(|b| *amount <= b), || {
                    ef(Insufficient, E::InvalidAction)
                })
            }
        }
    }

    /// Resolves `a` against the current state.
    pub fn plan(&self, a: &Action) -> Plan {
        let mut plan = Plan::default();
        match *a {
            Action::Delegate { actor, amount, .. } => {
                let wallet = self.wallets[actor as usize];
                plan.amount = match amount {
                    Amount::NoTokens => 0,
                    Amount::OneBaseUnit => 1,
                    Amount::Efuel(e) => e as u64 * crate::EFUEL,
                    Amount::Wallet => wallet,
                    Amount::MoreThanWallet => wallet + 1,
                };
            }
            Action::Undelegate {
                actor,
                node,
                shares,
            } => {
                let bonded = self
                    .delegations
                    .get(&(node, actor))
                    .map_or(0, |d| d.bonded_shares);
                plan.amount = match shares {
                    Shares::NoShares => 0,
                    Shares::Half => bonded / 2,
                    Shares::AllBonded => bonded,
                    Shares::OneMoreThanBonded => bonded + 1,
                };
            }
            Action::Submit {
                node, seq, epoch, ..
            } => {
                let last = self.nodes[node as usize].last_batch_seq;
                plan.seq = match seq {
                    SeqPick::Next => last + 1,
                    SeqPick::Last => last,
                    SeqPick::Gap => last + 2,
                };
                let now = self.epoch();
                plan.epoch = match epoch {
                    EpochPick::Current => now,
                    EpochPick::Previous => now.saturating_sub(1),
                    EpochPick::Following => now + 1,
                };
            }
            Action::Seal { node, back }
            | Action::ReportMissed { node, back }
            | Action::CloseBatch { node, back } => plan.seq = self.batch_seq(node, back),
            Action::Reveal {
                node, back, pick, ..
            } => {
                plan.seq = self.batch_seq(node, back);
                if let Some(b) = self.batches.get(&(node, plan.seq)) {
                    let sampled = b.sampled_leaves();
                    plan.leaves = match pick {
                        RevealPick::Sampled => sampled
                            .iter()
                            .copied()
                            .filter(|l| !b.is_revealed(*l))
                            .take(REVEAL_CHUNK)
                            .collect(),
                        RevealPick::OneSampled => sampled.first().copied().into_iter().collect(),
                        RevealPick::Unsampled => vec![(0..b.leaves.len() as u32)
                            .find(|l| !sampled.contains(l))
                            .unwrap_or(0)],
                    };
                }
            }
            Action::Vote {
                node,
                back,
                evidence,
                ..
            } => {
                plan.seq = self.batch_seq(node, back);
                let b = self.batches.get(&(node, plan.seq));
                let fake = b.and_then(|b| b.revealed_fake());
                plan.verdict = Some(match evidence {
                    Evidence::Honest => fake,
                    Evidence::Dishonest => match fake {
                        Some(_) => None,
                        None => Some(b.and_then(|b| b.revealed_honest()).unwrap_or(0)),
                    },
                    Evidence::Unrevealed => Some(
                        b.and_then(|b| (0..b.leaves.len() as u32).find(|l| !b.is_revealed(*l)))
                            .unwrap_or(u16::MAX as u32),
                    ),
                });
            }
            Action::Finalize { node, back, bounty } => {
                plan.seq = self.batch_seq(node, back);
                let voters = self
                    .batches
                    .get(&(node, plan.seq))
                    .map(|b| b.invalid_voters())
                    .unwrap_or_default();
                let mut to: Vec<Payee> = voters.into_iter().map(Payee::Verifier).collect();
                match bounty {
                    Bounty::Voters => {}
                    Bounty::NoAccounts => to.clear(),
                    Bounty::WrongAccount => match to.first_mut() {
                        Some(first) => *first = Payee::Actor(NODES as u8),
                        None => to.push(Payee::Actor(NODES as u8)),
                    },
                }
                plan.bounty = to;
            }
            Action::Propose { what, .. } => {
                plan.proposal = self.proposal_count;
                plan.action = Some(self.proposal_action(what));
            }
            Action::CastVote { back, .. }
            | Action::FinalizeProposal { back }
            | Action::Cancel { back, .. } => plan.proposal = self.proposal_id(back),
            Action::Execute { back, .. } => {
                plan.proposal = self.proposal_id(back);
                plan.action = self
                    .proposals
                    .get(plan.proposal as usize)
                    .map(|p| p.action.clone());
            }
            _ => {}
        }
        plan
    }

    fn proposal_action(&self, what: Proposal) -> MAction {
        let mut p = self.params;
        match what {
            Proposal::Rates { rate_pct, cap_pct } => {
                p.reward_per_work_unit = p.reward_per_work_unit * rate_pct as u64 / 100;
                p.epoch_emission_cap = p.epoch_emission_cap / 100 * cap_pct as u64;
                MAction::Params(Box::new(p))
            }
            Proposal::CheatingPays => {
                p.min_samples = 1;
                MAction::Params(Box::new(p))
            }
            Proposal::ZeroEpoch => {
                p.epoch_seconds = 0;
                MAction::Params(Box::new(p))
            }
            Proposal::AddVerifier { key } => MAction::AddVerifier(key % VERIFIER_KEYS as u8),
            Proposal::RemoveVerifier { key } => MAction::RemoveVerifier(key % VERIFIER_KEYS as u8),
            Proposal::Threshold { t } => MAction::Threshold(t),
            Proposal::SwapGuardian => MAction::Guardian(1 - self.guardian),
            Proposal::TreasuryTransfer { actor, amount } => MAction::Transfer {
                actor: actor % ACTORS as u8,
                amount: amount as u64 * crate::EFUEL,
            },
            Proposal::UnjailNode { node } => MAction::Unjail(node % NODES as u8),
        }
    }

    /// Applies `a` (resolved as `plan`) or returns the refusal. On a
    /// refusal the model may be half-changed: apply to a clone.
    pub fn apply(&mut self, a: &Action, plan: &Plan) -> Outcome {
        let now = self.now;
        match *a {
            Action::Delegate { actor, node, .. } => {
                let amount = plan.amount;
                let n = node as usize;
                require(amount > 0, || ef(OutOfRange, E::ZeroAmount))?;
                require(self.nodes[n].status() != Status::Exiting, || {
                    ef(WrongState, E::NodeExiting)
                })?;
                if let std::collections::btree_map::Entry::Vacant(e) =
                    self.delegations.entry((node, actor))
                {
                    e.insert(MDel::default());
                    self.nodes[n].delegation_count += 1;
                }
                let (t, s) = (self.nodes[n].pool_tokens, self.nodes[n].pool_shares);
                let shares = if s == 0 {
                    amount
                } else {
                    require(t > 0, || ef(Insufficient, E::PoolWipedOut))?;
                    (amount as u128 * s as u128 / t as u128) as u64
                };
                require(shares > 0, || ef(OutOfRange, E::AmountTooSmall))?;
                let epoch = self.epoch();
                let acc = self.nodes[n].acc;
                self.stats.entry((node, epoch)).or_insert_with(|| MStats {
                    acc_end: acc,
                    ..MStats::default()
                });
                let mut d = self.delegations[&(node, actor)].clone();
                self.settle(node, &mut d);
                self.track(n, |p| {
                    p.pool_tokens += amount;
                    p.pool_shares += shares;
                    p.bonded_shares += shares;
                    if actor == node {
                        p.operator_bonded_shares += shares;
                    }
                });
                // Shares still activating from the previous epoch start again now.
                let carried = if d.activating_epoch == epoch {
                    0
                } else {
                    rewards::remove_activating(
                        &mut self.nodes[n],
                        d.activating_epoch,
                        epoch,
                        d.activating_shares,
                    );
                    d.activating_shares
                };
                rewards::add_activating(&mut self.nodes[n], epoch, shares + carried);
                d.activating_shares += shares;
                d.activating_epoch = epoch;
                d.bonded_shares += shares;
                rewards::rebase(&mut d, &self.nodes[n], 0);
                d.last_stake_added_at = now;
                self.delegations.insert((node, actor), d);
                require(amount <= self.wallets[actor as usize], token_insufficient)?;
                self.wallets[actor as usize] -= amount;
                self.vault += amount;
            }
            Action::Undelegate { actor, node, .. } => {
                let shares = plan.amount;
                let n = node as usize;
                let mut d = self.delegation(node, actor)?;
                require(shares > 0, || ef(OutOfRange, E::ZeroAmount))?;
                require(now >= d.vote_locked_until, || {
                    ef(TooEarly, E::StakeLockedByVote)
                })?;
                require(shares <= d.bonded_shares, || {
                    ef(Insufficient, E::InsufficientShares)
                })?;
                let young = self.settle(node, &mut d);
                let from_activating = shares.min(d.activating_shares);
                let epoch = self.epoch();
                rewards::remove_activating(
                    &mut self.nodes[n],
                    d.activating_epoch,
                    epoch,
                    from_activating,
                );
                d.activating_shares -= from_activating;
                self.track(n, |p| {
                    p.bonded_shares -= shares;
                    if actor == node {
                        p.operator_bonded_shares -= shares;
                    }
                });
                d.bonded_shares -= shares;
                d.unbonding_shares += shares;
                d.unlock_at = now + self.params.unbonding_seconds;
                rewards::rebase(&mut d, &self.nodes[n], young);
                self.delegations.insert((node, actor), d);
            }
            Action::Withdraw { actor, node } => {
                let n = node as usize;
                let mut d = self.delegation(node, actor)?;
                require(d.unbonding_shares > 0, || {
                    ef(WrongState, E::NothingToWithdraw)
                })?;
                require(now >= d.unlock_at, || ef(TooEarly, E::StillUnbonding))?;
                let shares = d.unbonding_shares;
                let tokens = self.track(n, |p| {
                    let tokens = p.value(shares);
                    p.pool_tokens -= tokens;
                    p.pool_shares -= shares;
                    tokens
                });
                d.unbonding_shares = 0;
                d.unlock_at = 0;
                self.vault -= tokens;
                self.wallets[actor as usize] += tokens;
                if d.bonded_shares == 0 && d.pending_rewards == 0 {
                    self.delegations.remove(&(node, actor));
                    self.nodes[n].delegation_count =
                        self.nodes[n].delegation_count.saturating_sub(1);
                } else {
                    self.delegations.insert((node, actor), d);
                }
            }
            Action::Claim { actor, node } => {
                let n = node as usize;
                let mut d = self.delegation(node, actor)?;
                require(self.paused & PAUSE_MINTING == 0, || {
                    ef(Paused, E::MintingPaused)
                })?;
                self.settle(node, &mut d);
                let commission = if actor == node {
                    self.nodes[n].commission_owed
                } else {
                    0
                };
                let amount = d.pending_rewards + commission;
                require(amount > 0, || ef(WrongState, E::NothingToClaim))?;
                *self.claimed.entry((node, actor)).or_default() += d.pending_rewards;
                d.pending_rewards = 0;
                d.total_claimed += amount;
                self.nodes[n].commission_owed -= commission;
                self.nodes[n].total_claimed += amount;
                self.delegations.insert((node, actor), d);
                self.wallets[actor as usize] += amount;
                self.supply += amount;
            }
            Action::Submit {
                signer,
                node,
                leaves,
                work,
                fake,
                inflate,
                seq,
                epoch,
            } => {
                let n = node as usize;
                // Anchor creates `init` accounts while it loads the accounts,
                // before it checks the node's signer constraint.
                require(!self.batches.contains_key(&(node, plan.seq)), || {
                    already_in_use(Replay)
                })?;
                require(signer == node, || ef(WrongSigner, E::NotAgent))?;
                require(self.paused & PAUSE_SUBMISSIONS == 0, || {
                    ef(Paused, E::SubmissionsPaused)
                })?;
                match self.nodes[n].status() {
                    Status::Active => {}
                    Status::Jailed => return Err(ef(WrongState, E::NodeJailed)),
                    Status::Exiting => return Err(ef(WrongState, E::NodeExiting)),
                }
                require(
                    self.nodes[n].operator_stake() >= self.params.min_node_stake,
                    || ef(Insufficient, E::BelowMinStake),
                )?;
                require(plan.seq == self.nodes[n].last_batch_seq + 1, || {
                    let class = if seq == SeqPick::Last {
                        Replay
                    } else {
                        OutOfRange
                    };
                    ef(class, E::SeqNotNext)
                })?;
                require(plan.epoch == self.epoch(), || {
                    let class = if epoch == EpochPick::Previous {
                        TooLate
                    } else {
                        TooEarly
                    };
                    ef(class, E::WrongEpoch)
                })?;
                let leaves = batch_leaves(leaves, work, fake, inflate);
                let total: u64 = leaves.iter().map(|l| l.work).sum();
                let rate = self.params.reward_per_work_unit;
                require(
                    total as u128 * rate as u128 <= self.params.epoch_emission_cap as u128,
                    || ef(OutOfRange, E::BatchRewardAboveCap),
                )?;
                let in_flight = (self.nodes[n].pending_work + total) as u128 * rate as u128;
                let covered = self.nodes[n].bonded_value() as u128
                    * self.params.max_exposure_bps as u128
                    / 10_000;
                require(in_flight <= covered, || {
                    ef(Insufficient, E::ExposureExceeded)
                })?;
                let seal_slot = self.slot + self.params.seal_delay_slots;
                self.batches.insert(
                    (node, plan.seq),
                    MBatch {
                        leaves,
                        total_work: total,
                        epoch: plan.epoch,
                        submitted_slot: self.slot,
                        seal_slot,
                        reveal_deadline: seal_slot + self.params.reveal_window_slots,
                        verify_deadline: seal_slot + self.params.verify_window_slots,
                        status: BStatus::Committed,
                        samples: vec![],
                        revealed: vec![],
                        votes: vec![],
                        valid_votes: 0,
                        invalid_votes: 0,
                        quorum: MQuorum::Pending,
                        reward: 0,
                        slashed: 0,
                        finalized_slot: 0,
                        reward_rate: rate,
                    },
                );
                let p = &mut self.nodes[n];
                p.last_batch_seq = plan.seq;
                p.pending_work += total;
                p.pending_batches += 1;
                p.batches_submitted += 1;
                let acc = self.nodes[n].acc;
                let st = self
                    .stats
                    .entry((node, plan.epoch))
                    .or_insert_with(|| MStats {
                        acc_end: acc,
                        ..MStats::default()
                    });
                st.batches_submitted += 1;
                st.work_submitted += total;
            }
            Action::Seal { node, .. } => {
                let hashes = self.hash_slots.clone();
                let k = {
                    let b = self.batches.get(&(node, plan.seq)).ok_or_else(missing)?;
                    sample_count(&self.params, b.leaves.len() as u64)
                };
                let b = self.batches.get_mut(&(node, plan.seq)).expect("batch");
                require(b.status == BStatus::Committed, || {
                    ef(WrongState, E::WrongBatchStatus)
                })?;
                // The first entry at or after the seal slot, provably the
                // first: it is the seal slot itself or an older one is kept.
                let at_or_after = hashes.iter().filter(|s| **s >= b.seal_slot).count();
                require(at_or_after > 0, || ef(TooEarly, E::SealTooEarly))?;
                require(
                    hashes[at_or_after - 1] == b.seal_slot || at_or_after < hashes.len(),
                    || ef(TooLate, E::SealTooLate),
                )?;
                b.status = BStatus::Sealed;
                b.revealed = vec![None; k];
            }
            Action::Reveal { signer, node, .. } => {
                // Anchor loads every account before it checks constraints.
                let slot = self.slot;
                let b = self
                    .batches
                    .get_mut(&(node, plan.seq))
                    .ok_or_else(missing)?;
                require(signer == node, || ef(WrongSigner, E::NotAgent))?;
                require(b.status == BStatus::Sealed, || {
                    ef(WrongState, E::WrongBatchStatus)
                })?;
                require(slot <= b.reveal_deadline, || ef(TooLate, E::RevealTooLate))?;
                for &leaf in &plan.leaves {
                    require(!b.leaves[leaf as usize].inflated, || {
                        ef(OutOfRange, E::WorkUnitsMismatch)
                    })?;
                    let (s, e) = b.range(leaf as usize);
                    let mut covered = false;
                    for pos in 0..b.samples.len() {
                        if (s..e).contains(&b.samples[pos]) {
                            covered = true;
                            if b.revealed[pos].is_none() {
                                b.revealed[pos] = Some(leaf);
                            }
                        }
                    }
                    require(covered, || ef(OutOfRange, E::IndexNotSampled))?;
                }
                if b.all_revealed() {
                    b.status = BStatus::Revealed;
                }
            }
            Action::Vote { verifier, node, .. } => {
                let slot = self.slot;
                let threshold = self.threshold;
                let is_verifier = self.verifiers.contains(&verifier);
                let b = self
                    .batches
                    .get_mut(&(node, plan.seq))
                    .ok_or_else(missing)?;
                require(is_verifier, || ef(WrongSigner, E::NotVerifier))?;
                match b.status {
                    BStatus::Revealed => {}
                    BStatus::Committed | BStatus::Sealed => {
                        return Err(ef(TooEarly, E::SamplesNotRevealed))
                    }
                    _ => return Err(ef(TooLate, E::WrongBatchStatus)),
                }
                require(slot <= b.verify_deadline, || ef(TooLate, E::VotingClosed))?;
                require(!b.votes.iter().any(|(k, _)| *k == verifier), || {
                    ef(Replay, E::AlreadyVoted)
                })?;
                let verdict = plan.verdict.expect("planned verdict");
                if let Some(leaf) = verdict {
                    require(b.is_revealed(leaf), || ef(OutOfRange, E::InvalidEvidence))?;
                }
                b.votes.push((verifier, verdict));
                match verdict {
                    None => b.valid_votes += 1,
                    Some(_) => b.invalid_votes += 1,
                }
                if b.quorum == MQuorum::Pending {
                    if b.valid_votes >= threshold {
                        b.quorum = MQuorum::Valid;
                    } else if b.invalid_votes >= threshold {
                        b.quorum = MQuorum::Invalid;
                    }
                }
            }
            Action::Finalize { node, .. } => {
                let key = (node, plan.seq);
                let b = self.batches.get(&key).ok_or_else(missing)?.clone();
                require(!b.status.is_final(), || ef(Replay, E::WrongBatchStatus))?;
                match b.quorum {
                    MQuorum::Valid => self.accept(key)?,
                    MQuorum::Invalid => {
                        let voters = b.invalid_voters();
                        let right: Vec<Payee> =
                            voters.iter().map(|v| Payee::Verifier(*v)).collect();
                        require(plan.bounty == right, || {
                            ef(WrongAccount, E::WrongBountyAccounts)
                        })?;
                        self.penalize(key, self.params.slash_fraud_bps, &voters);
                        self.nodes[node as usize].batches_rejected += 1;
                        self.stats
                            .entry((node, b.epoch))
                            .or_default()
                            .batches_rejected += 1;
                        self.batches.get_mut(&key).expect("batch").status = BStatus::Rejected;
                    }
                    MQuorum::Pending => {
                        require(
                            b.status == BStatus::Revealed && self.slot > b.verify_deadline,
                            || ef(TooEarly, E::NotFinalizable),
                        )?;
                        self.batches.get_mut(&key).expect("batch").status = BStatus::Expired;
                        self.stats
                            .entry((node, b.epoch))
                            .or_default()
                            .batches_expired += 1;
                    }
                }
                self.batches.get_mut(&key).expect("batch").finalized_slot = self.slot;
                let p = &mut self.nodes[node as usize];
                p.pending_work -= b.total_work;
                p.pending_batches -= 1;
            }
            Action::ReportMissed { node, .. } => {
                let key = (node, plan.seq);
                let b = self.batches.get(&key).ok_or_else(missing)?.clone();
                let missed = match b.status {
                    BStatus::Committed => self.slot > b.seal_slot + SLOT_HASHES_WINDOW,
                    BStatus::Sealed => self.slot > b.reveal_deadline,
                    _ => return Err(ef(WrongState, E::WrongBatchStatus)),
                };
                require(missed, || ef(TooEarly, E::NotMissed))?;
                let bps = if b.status == BStatus::Committed {
                    self.params.slash_unavailable_bps
                } else {
                    self.params.slash_fraud_bps
                };
                self.penalize(key, bps, &[]);
                let p = &mut self.nodes[node as usize];
                p.batches_missed += 1;
                p.pending_work -= b.total_work;
                p.pending_batches -= 1;
                self.stats
                    .entry((node, b.epoch))
                    .or_default()
                    .batches_missed += 1;
                let bm = self.batches.get_mut(&key).expect("batch");
                bm.status = BStatus::Missed;
                bm.finalized_slot = self.slot;
            }
            Action::CloseBatch { node, .. } => {
                let b = self.batches.get(&(node, plan.seq)).ok_or_else(missing)?;
                require(b.status.is_final(), || ef(TooEarly, E::BatchNotFinal))?;
                self.batches.remove(&(node, plan.seq));
            }
            Action::Unjail { signer, node } => {
                require(signer == node, || anchor(WrongSigner, A::ConstraintSeeds))?;
                let p = &mut self.nodes[node as usize];
                require(p.status() == Status::Jailed, || {
                    ef(WrongState, E::NotJailed)
                })?;
                require(now >= p.jailed_until, || ef(TooEarly, E::StillJailed))?;
                p.status = Some(Status::Active);
            }
            Action::Exit { signer, node } => {
                require(signer == node, || anchor(WrongSigner, A::ConstraintSeeds))?;
                let p = &mut self.nodes[node as usize];
                require(p.status() != Status::Exiting, || ef(Replay, E::NodeExiting))?;
                p.status = Some(Status::Exiting);
            }
            Action::Pause {
                guardian,
                scope,
                on,
            } => {
                require(guardian, || ef(WrongSigner, E::NotGuardian))?;
                let flags = match scope % 3 {
                    0 => PAUSE_SUBMISSIONS,
                    1 => PAUSE_MINTING,
                    _ => PAUSE_SUBMISSIONS | PAUSE_MINTING,
                };
                let after = if on {
                    self.paused | flags
                } else {
                    self.paused & !flags
                };
                require(after != self.paused, || ef(Replay, E::PauseUnchanged))?;
                self.paused = after;
            }
            Action::Propose { actor, node, .. } => {
                let d = self.delegations.get(&(node, actor)).ok_or_else(missing)?;
                let stake = self.nodes[node as usize].value(d.bonded_shares);
                require(stake >= self.params.min_proposal_stake, || {
                    ef(Insufficient, E::BelowProposalStake)
                })?;
                let action = plan.action.clone().expect("planned action");
                self.check_action(&action, None)?;
                self.proposals.push(MProposal {
                    proposer: actor,
                    node,
                    action,
                    created_at: now,
                    voting_ends_at: now + self.params.voting_seconds,
                    executable_at: 0,
                    total_bonded_snapshot: self.total_bonded,
                    quorum_bps: self.params.quorum_bps,
                    approval_threshold_bps: self.params.approval_threshold_bps,
                    yes: 0,
                    no: 0,
                    abstain: 0,
                    voter_count: 0,
                    status: PStatus::Voting,
                    executed_at: 0,
                    params_version: self.params_version,
                });
                self.proposal_count += 1;
            }
            Action::CastVote {
                actor,
                node,
                choice,
                ..
            } => {
                let id = plan.proposal;
                let d = self.delegations.get(&(node, actor)).ok_or_else(missing)?;
                let weight = self.nodes[node as usize].value(d.bonded_shares);
                let added = d.last_stake_added_at;
                let p = self.proposals.get(id as usize).ok_or_else(missing)?;
                require(p.status == PStatus::Voting, || {
                    ef(WrongState, E::ProposalNotVoting)
                })?;
                require(now < p.voting_ends_at, || ef(TooLate, E::VotingEnded))?;
                require(!self.ballots.contains_key(&(id, node, actor)), || {
                    ef(Replay, E::AlreadyVoted)
                })?;
                require(added < p.created_at, || ef(TooEarly, E::FreshStake))?;
                require(weight > 0, || ef(Insufficient, E::NoVotingPower))?;
                let ends = p.voting_ends_at;
                let p = &mut self.proposals[id as usize];
                match choice % 3 {
                    0 => p.yes += weight,
                    1 => p.no += weight,
                    _ => p.abstain += weight,
                }
                p.voter_count += 1;
                let d = self
                    .delegations
                    .get_mut(&(node, actor))
                    .expect("delegation");
                d.vote_locked_until = d.vote_locked_until.max(ends);
                self.ballots.insert((id, node, actor), weight);
            }
            Action::FinalizeProposal { .. } => {
                let timelock = self.params.timelock_seconds;
                let p = self
                    .proposals
                    .get_mut(plan.proposal as usize)
                    .ok_or_else(missing)?;
                require(p.status == PStatus::Voting, || {
                    ef(Replay, E::ProposalNotVoting)
                })?;
                require(now >= p.voting_ends_at, || ef(TooEarly, E::VotingNotEnded))?;
                if passes(p) {
                    p.status = PStatus::Passed;
                    p.executable_at = p.voting_ends_at + timelock;
                } else {
                    p.status = PStatus::Defeated;
                }
            }
            Action::Execute { target, .. } => self.execute(plan.proposal, target)?,
            Action::Cancel { actor, .. } => {
                let p = self
                    .proposals
                    .get_mut(plan.proposal as usize)
                    .ok_or_else(missing)?;
                require(p.proposer == actor, || ef(WrongSigner, E::NotProposer))?;
                require(p.status == PStatus::Voting, || {
                    ef(WrongState, E::ProposalNotVoting)
                })?;
                require(now < p.voting_ends_at, || ef(TooLate, E::VotingEnded))?;
                p.status = PStatus::Cancelled;
            }
            Action::Wait { secs } => {
                self.now += secs as i64;
                self.move_to_slot(self.slot + 1);
            }
            Action::Slots { n } if n <= STEPPED_SLOTS => {
                for _ in 0..n {
                    self.move_to_slot(self.slot + 1);
                }
            }
            Action::Slots { n } => self.move_to_slot(self.slot + n as u64),
        }
        Ok(())
    }

    /// Accepts batch `key` (README step 4, "Nothing is stranded").
    fn accept(&mut self, key: (u8, u64)) -> Outcome {
        require(self.paused & PAUSE_MINTING == 0, || {
            ef(Paused, E::MintingPaused)
        })?;
        let b = self.batches[&key].clone();
        let earned = b.total_work * b.reward_rate;
        let epoch = self.epoch();
        if epoch != self.emission_epoch {
            self.emission_epoch = epoch;
            self.epoch_emitted = 0;
        }
        let budget = self
            .params
            .epoch_emission_cap
            .saturating_sub(self.epoch_emitted);
        let reward = if earned <= budget {
            earned
        } else {
            require(epoch >= b.epoch + MAX_DEFERRAL_EPOCHS, || {
                ef(TooEarly, E::EmissionCapExceeded)
            })?;
            budget
        };
        self.epoch_emitted += reward;
        let e = self.emitted_by_epoch.entry(epoch).or_default();
        e.0 += reward;
        e.1 = e.1.max(self.params.epoch_emission_cap);
        // The pool part goes to the stake that backed the batch.
        let n = &mut self.nodes[key.0 as usize];
        let earning = rewards::earning_shares(n, b.epoch, epoch);
        let (commission, to_pool, inc) = rewards::accrue(n, reward, earning);
        n.verified_work += b.total_work;
        n.batches_accepted += 1;
        self.total_rewards_accrued += commission + to_pool;
        if inc > 0 {
            self.record_accumulator(key.0, b.epoch, inc);
            self.entitle(key.0, b.epoch, to_pool, earning);
        }
        let st = self.stats.entry((key.0, b.epoch)).or_default();
        st.batches_accepted += 1;
        st.work_credited += b.total_work;
        st.rewards += reward;
        let bm = self.batches.get_mut(&key).expect("batch");
        bm.status = BStatus::Accepted;
        bm.reward = reward;
        Ok(())
    }

    /// Slashes `bps` of the node's pool (README: `ceil(tokens · bps / 10⁴)`,
    /// bonded and unbonding alike), pays `verifier_bounty_bps` of it in equal
    /// parts to `voters` (the rest and the remainder to the treasury) and
    /// jails the node.
    fn penalize(&mut self, key: (u8, u64), bps: u16, voters: &[u8]) {
        let n = key.0 as usize;
        let slashed = self.track(n, |p| {
            let amount = (p.pool_tokens as u128 * bps as u128).div_ceil(10_000) as u64;
            let amount = amount.min(p.pool_tokens);
            p.pool_tokens -= amount;
            p.total_slashed += amount;
            amount
        });
        self.total_slashed += slashed;
        let bounty = if voters.is_empty() {
            0
        } else {
            (slashed as u128 * self.params.verifier_bounty_bps as u128 / 10_000) as u64
        };
        let per = bounty / voters.len().max(1) as u64;
        for v in voters {
            self.verifier_wallets[*v as usize] += per;
        }
        self.vault -= slashed;
        self.treasury += slashed - per * voters.len() as u64;
        let until = self.now + self.params.jail_seconds;
        let p = &mut self.nodes[n];
        p.jailed_until = p.jailed_until.max(until);
        if p.status() == Status::Active {
            p.status = Some(Status::Jailed);
        }
        let epoch = self.batches[&key].epoch;
        self.stats.entry((key.0, epoch)).or_default().slashed += slashed;
        self.batches.get_mut(&key).expect("batch").slashed = slashed;
    }

    fn execute(&mut self, id: u64, target: bool) -> Outcome {
        let now = self.now;
        let p = self.proposals.get(id as usize).ok_or_else(missing)?.clone();
        require(p.status == PStatus::Passed, || {
            ef(WrongState, E::ProposalNotPassed)
        })?;
        require(now >= p.executable_at, || {
            ef(TooEarly, E::TimelockNotElapsed)
        })?;
        let status = if now > p.executable_at + EXECUTION_WINDOW_SECONDS {
            PStatus::Expired
        } else {
            let names_account = matches!(p.action, MAction::Transfer { .. } | MAction::Unjail(_));
            require(!names_account || target, || {
                ef(MissingAccount, E::WrongProposalAccounts)
            })?;
            let mut valid = self.check_action(&p.action, Some(self.treasury)).is_ok();
            if matches!(p.action, MAction::Params(_)) && p.params_version != self.params_version {
                valid = false;
            }
            match &p.action {
                MAction::Transfer { actor, amount } if valid => {
                    self.treasury -= amount;
                    self.wallets[*actor as usize] += amount;
                }
                MAction::Unjail(node) => {
                    let n = &mut self.nodes[*node as usize];
                    if valid && n.status() == Status::Jailed {
                        n.status = Some(Status::Active);
                        n.jailed_until = now;
                    } else {
                        valid = false;
                    }
                }
                MAction::Params(params) if valid => {
                    self.params = **params;
                    self.params_version += 1;
                }
                MAction::Guardian(g) if valid => self.guardian = *g,
                a @ (MAction::AddVerifier(_)
                | MAction::RemoveVerifier(_)
                | MAction::Threshold(_))
                    if valid =>
                {
                    let (set, t) = self.next_verifier_set(a)?.expect("verifier action");
                    self.verifiers = set;
                    self.threshold = t;
                }
                _ => {}
            }
            if valid {
                PStatus::Executed
            } else {
                PStatus::Failed
            }
        };
        let p = &mut self.proposals[id as usize];
        p.status = status;
        p.executed_at = now;
        Ok(())
    }
}

/// README "Pass": turnout ≥ quorum of the bonded stake when the proposal
/// opened, and yes > approval threshold of yes + no.
fn passes(p: &MProposal) -> bool {
    let turnout = p.yes as u128 + p.no as u128 + p.abstain as u128;
    let decided = p.yes as u128 + p.no as u128;
    turnout * 10_000 >= p.total_bonded_snapshot as u128 * p.quorum_bps as u128
        && decided > 0
        && p.yes as u128 * 10_000 > decided * p.approval_threshold_bps as u128
        && p.total_bonded_snapshot > 0
}

/// The leaves a `Submit` commits.
pub fn batch_leaves(leaves: u8, work: u8, fake: u8, inflate: u8) -> Vec<MLeaf> {
    let n = leaves.clamp(1, 8) as usize;
    let w = WORKS[work as usize % WORKS.len()];
    (0..n)
        .map(|i| {
            let inflated = inflate & (1 << i) != 0;
            MLeaf {
                work: if inflated { 2 * w } else { w },
                fake: fake & (1 << i) != 0,
                inflated,
            }
        })
        .collect()
}
