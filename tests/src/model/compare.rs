//! After every step: every field of every account the model knows, every
//! token balance, and the invariants.
use super::actions::*;
use super::chain::Chain;
use super::state::*;
use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use edgefuel::{
    pda, Batch, BatchStatus, Delegation, Network, Node, NodeEpochStats, NodeStatus,
    Proposal as ChainProposal, ProposalStatus, ProposalVote, Quorum, Verdict,
};
use solana_signer::Signer;
use std::fmt::Debug;

/// Collects the fields that differ.
#[derive(Default)]
pub struct Diff(pub Vec<String>);

impl Diff {
    pub fn eq<T: PartialEq + Debug>(&mut self, what: impl FnOnce() -> String, chain: T, model: T) {
        if chain != model {
            self.0
                .push(format!("{}: chain {chain:?}, model {model:?}", what()));
        }
    }
    pub fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }
    pub fn into_result(self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0.join("\n"))
        }
    }
}

async fn load<T: AccountDeserialize>(c: &mut Chain, key: &Pubkey) -> Option<T> {
    let data = c.t.raw(key).await?;
    Some(T::try_deserialize(&mut data.as_slice()).expect("account decodes"))
}

fn node_status(s: Status) -> NodeStatus {
    match s {
        Status::Active => NodeStatus::Active,
        Status::Jailed => NodeStatus::Jailed,
        Status::Exiting => NodeStatus::Exiting,
    }
}

fn batch_status(s: BStatus) -> BatchStatus {
    match s {
        BStatus::Committed => BatchStatus::Committed,
        BStatus::Sealed => BatchStatus::Sealed,
        BStatus::Revealed => BatchStatus::Revealed,
        BStatus::Accepted => BatchStatus::Accepted,
        BStatus::Rejected => BatchStatus::Rejected,
        BStatus::Expired => BatchStatus::Expired,
        BStatus::Missed => BatchStatus::Missed,
    }
}

fn quorum(q: MQuorum) -> Quorum {
    match q {
        MQuorum::Pending => Quorum::Pending,
        MQuorum::Valid => Quorum::Valid,
        MQuorum::Invalid => Quorum::Invalid,
    }
}

fn proposal_status(s: PStatus) -> ProposalStatus {
    match s {
        PStatus::Voting => ProposalStatus::Voting,
        PStatus::Passed => ProposalStatus::Passed,
        PStatus::Defeated => ProposalStatus::Defeated,
        PStatus::Executed => ProposalStatus::Executed,
        PStatus::Failed => ProposalStatus::Failed,
        PStatus::Cancelled => ProposalStatus::Cancelled,
        PStatus::Expired => ProposalStatus::Expired,
    }
}

/// Compares every account and balance the model describes with the chain.
pub async fn compare(c: &mut Chain, m: &Model) -> Result<(), String> {
    let mut d = Diff::default();
    let clock: anchor_lang::prelude::Clock = c.t.ctx.banks_client.get_sysvar().await.unwrap();
    d.eq(
        || "clock.unix_timestamp".into(),
        clock.unix_timestamp,
        m.now,
    );
    d.eq(|| "clock.slot".into(), clock.slot, m.slot);
    let hashes: anchor_lang::prelude::SlotHashes = c.t.ctx.banks_client.get_sysvar().await.unwrap();
    let hashes: Vec<u64> = hashes.iter().map(|(s, _)| *s).collect();
    d.eq(|| "SlotHashes slots".into(), hashes, m.hash_slots.clone());

    let net: Network = load(c, &pda::network()).await.expect("network");
    d.eq(|| "network.paused".into(), net.paused, m.paused);
    d.eq(|| "network.node_count".into(), net.node_count, m.node_count);
    d.eq(
        || "network.proposal_count".into(),
        net.proposal_count,
        m.proposal_count,
    );
    d.eq(
        || "network.total_bonded".into(),
        net.total_bonded,
        m.total_bonded,
    );
    d.eq(
        || "network.emission_epoch".into(),
        net.emission_epoch,
        m.emission_epoch,
    );
    d.eq(
        || "network.epoch_emitted".into(),
        net.epoch_emitted,
        m.epoch_emitted,
    );
    d.eq(
        || "network.total_rewards_accrued".into(),
        net.total_rewards_accrued,
        m.total_rewards_accrued,
    );
    d.eq(
        || "network.total_slashed".into(),
        net.total_slashed,
        m.total_slashed,
    );
    d.eq(
        || "network.genesis_supply".into(),
        net.genesis_supply,
        m.genesis_supply,
    );
    d.eq(
        || "network.params_version".into(),
        net.params_version,
        m.params_version,
    );
    d.eq(|| "network.params".into(), net.params, m.params);
    let set: Vec<Pubkey> = m
        .verifiers
        .iter()
        .map(|k| c.verifiers[*k as usize].pubkey())
        .collect();
    d.eq(
        || "network.verifiers".into(),
        net.verifier_set().to_vec(),
        set,
    );
    d.eq(
        || "network.verifier_threshold".into(),
        net.verifier_threshold,
        m.threshold,
    );
    d.eq(
        || "network.guardian".into(),
        net.guardian,
        c.guardians[m.guardian as usize].pubkey(),
    );

    for (i, mn) in m.nodes.iter().enumerate() {
        let key = c.node_key(i as u8);
        let n: Node = load(c, &key).await.expect("node");
        let f = |name: &str| format!("node {i}.{name}");
        d.eq(|| f("status"), n.status, node_status(mn.status()));
        d.eq(|| f("jailed_until"), n.jailed_until, mn.jailed_until);
        d.eq(|| f("commission_bps"), n.commission_bps, mn.commission_bps);
        d.eq(|| f("pending_commission_bps"), n.pending_commission_bps, 0);
        d.eq(
            || f("commission_effective_at"),
            n.commission_effective_at,
            0,
        );
        d.eq(|| f("pool_tokens"), n.pool_tokens, mn.pool_tokens);
        d.eq(|| f("pool_shares"), n.pool_shares, mn.pool_shares);
        d.eq(|| f("bonded_shares"), n.bonded_shares, mn.bonded_shares);
        d.eq(
            || f("operator_bonded_shares"),
            n.operator_bonded_shares,
            mn.operator_bonded_shares,
        );
        d.eq(|| f("acc_reward_per_share"), n.acc_reward_per_share, mn.acc);
        d.eq(
            || f("commission_owed"),
            n.commission_owed,
            mn.commission_owed,
        );
        d.eq(
            || f("delegation_count"),
            n.delegation_count,
            mn.delegation_count,
        );
        d.eq(|| f("last_batch_seq"), n.last_batch_seq, mn.last_batch_seq);
        d.eq(|| f("pending_work"), n.pending_work, mn.pending_work);
        d.eq(
            || f("pending_batches"),
            n.pending_batches,
            mn.pending_batches,
        );
        d.eq(
            || f("batches_submitted"),
            n.batches_submitted,
            mn.batches_submitted,
        );
        d.eq(
            || f("batches_accepted"),
            n.batches_accepted,
            mn.batches_accepted,
        );
        d.eq(
            || f("batches_rejected"),
            n.batches_rejected,
            mn.batches_rejected,
        );
        d.eq(|| f("batches_missed"), n.batches_missed, mn.batches_missed);
        d.eq(|| f("verified_work"), n.verified_work, mn.verified_work);
        d.eq(|| f("total_rewards"), n.total_rewards, mn.total_rewards);
        d.eq(|| f("total_slashed"), n.total_slashed, mn.total_slashed);
        d.eq(|| f("total_claimed"), n.total_claimed, mn.total_claimed);
        // Activating stake of the current and the previous epoch (older
        // entries no longer count).
        let now = m.epoch();
        let live = |e: u64, s: u64| s > 0 && e + 1 >= now;
        let got: Vec<(u64, u64)> = n
            .activating
            .iter()
            .filter(|c| live(c.epoch, c.shares))
            .map(|c| (c.epoch, c.shares))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_iter()
            .collect();
        let want: Vec<(u64, u64)> = mn
            .activating
            .iter()
            .filter(|(e, s)| live(**e, **s))
            .map(|(e, s)| (*e, *s))
            .collect();
        d.eq(|| f("activating"), got, want);

        for a in 0..ACTORS as u8 {
            let staker = c.actors[a as usize].pubkey();
            let got: Option<Delegation> = load(c, &pda::delegation(&key, &staker)).await;
            let want = m.delegations.get(&(i as u8, a));
            let f = |name: &str| format!("delegation ({i}, {a}).{name}");
            match (got, want) {
                (None, None) => {}
                (Some(g), Some(w)) => {
                    d.eq(|| f("bonded_shares"), g.bonded_shares, w.bonded_shares);
                    d.eq(
                        || f("unbonding_shares"),
                        g.unbonding_shares,
                        w.unbonding_shares,
                    );
                    d.eq(|| f("unlock_at"), g.unlock_at, w.unlock_at);
                    d.eq(|| f("reward_debt"), g.reward_debt, w.reward_debt);
                    d.eq(
                        || f("pending_rewards"),
                        g.pending_rewards,
                        w.pending_rewards,
                    );
                    d.eq(|| f("total_claimed"), g.total_claimed, w.total_claimed);
                    d.eq(
                        || f("last_stake_added_at"),
                        g.last_stake_added_at,
                        w.last_stake_added_at,
                    );
                    d.eq(
                        || f("vote_locked_until"),
                        g.vote_locked_until,
                        w.vote_locked_until,
                    );
                    d.eq(
                        || f("activating_shares"),
                        g.activating_shares,
                        w.activating_shares,
                    );
                    d.eq(
                        || f("activating_epoch"),
                        g.activating_epoch,
                        w.activating_epoch,
                    );
                    d.eq(
                        || f("activating_debt"),
                        g.activating_debt,
                        w.activating_debt,
                    );
                }
                (g, w) => d.check(false, || {
                    format!(
                        "delegation ({i}, {a}): on chain {}, in the model {}",
                        g.is_some(),
                        w.is_some()
                    )
                }),
            }
        }

        for seq in 1..=mn.last_batch_seq {
            let got: Option<Batch> = load(c, &c.batch_key(i as u8, seq)).await;
            let want = m.batches.get(&(i as u8, seq));
            match (got, want) {
                (None, None) => {}
                (Some(g), Some(w)) => compare_batch(&mut d, c, i, seq, &g, w),
                (g, w) => d.check(false, || {
                    format!(
                        "batch ({i}, {seq}): on chain {}, in the model {}",
                        g.is_some(),
                        w.is_some()
                    )
                }),
            }
        }
    }

    for ((node, epoch), w) in &m.stats {
        let key = pda::node_epoch(&c.node_key(*node), *epoch);
        let g: NodeEpochStats = match load(c, &key).await {
            Some(g) => g,
            None => {
                d.check(false, || format!("epoch stats ({node}, {epoch}) missing"));
                continue;
            }
        };
        let got = MStats {
            batches_submitted: g.batches_submitted,
            batches_accepted: g.batches_accepted,
            batches_rejected: g.batches_rejected,
            batches_missed: g.batches_missed,
            batches_expired: g.batches_expired,
            work_submitted: g.work_submitted,
            work_credited: g.work_credited,
            rewards: g.rewards,
            slashed: g.slashed,
            acc_end: g.acc_end,
            acc_late: g.acc_late,
        };
        d.eq(|| format!("epoch stats ({node}, {epoch})"), got, w.clone());
    }

    for (id, w) in m.proposals.iter().enumerate() {
        let g: ChainProposal = load(c, &pda::proposal(id as u64)).await.expect("proposal");
        let f = |name: &str| format!("proposal {id}.{name}");
        d.eq(
            || f("proposer"),
            g.proposer,
            c.actors[w.proposer as usize].pubkey(),
        );
        d.eq(|| f("created_at"), g.created_at, w.created_at);
        d.eq(|| f("voting_ends_at"), g.voting_ends_at, w.voting_ends_at);
        d.eq(|| f("executable_at"), g.executable_at, w.executable_at);
        d.eq(
            || f("total_bonded_snapshot"),
            g.total_bonded_snapshot,
            w.total_bonded_snapshot,
        );
        d.eq(|| f("quorum_bps"), g.quorum_bps, w.quorum_bps);
        d.eq(
            || f("approval_threshold_bps"),
            g.approval_threshold_bps,
            w.approval_threshold_bps,
        );
        d.eq(|| f("yes"), g.yes, w.yes);
        d.eq(|| f("no"), g.no, w.no);
        d.eq(|| f("abstain"), g.abstain, w.abstain);
        d.eq(|| f("voter_count"), g.voter_count, w.voter_count);
        d.eq(|| f("status"), g.status, proposal_status(w.status));
        d.eq(|| f("executed_at"), g.executed_at, w.executed_at);
        d.eq(|| f("params_version"), g.params_version, w.params_version);
    }
    for ((id, node, actor), weight) in &m.ballots {
        let delegation = pda::delegation(&c.node_key(*node), &c.actors[*actor as usize].pubkey());
        let key = pda::proposal_vote(&pda::proposal(*id), &delegation);
        let g: Option<ProposalVote> = load(c, &key).await;
        d.eq(
            || format!("vote weight of ({node}, {actor}) on proposal {id}"),
            g.map(|g| g.weight),
            Some(*weight),
        );
    }

    for a in 0..ACTORS {
        let owner = c.actors[a].pubkey();
        let got = c.t.efuel(&owner).await;
        d.eq(|| format!("wallet of actor {a}"), got, m.wallets[a]);
    }
    for v in 0..VERIFIER_KEYS {
        let owner = c.verifiers[v].pubkey();
        let got = c.t.efuel(&owner).await;
        d.eq(
            || format!("wallet of verifier {v}"),
            got,
            m.verifier_wallets[v],
        );
    }
    let vault = c.t.balance(&pda::vault()).await;
    d.eq(|| "vault".into(), vault, m.vault);
    let treasury = c.t.balance(&pda::treasury()).await;
    d.eq(|| "treasury".into(), treasury, m.treasury);
    let supply = c.t.mint_supply().await;
    d.eq(|| "mint supply".into(), supply, m.supply);
    d.into_result()
}

fn compare_batch(d: &mut Diff, c: &Chain, i: usize, seq: u64, g: &Batch, w: &MBatch) {
    let f = |name: &str| format!("batch ({i}, {seq}).{name}");
    d.eq(|| f("seq"), g.seq, seq);
    d.eq(|| f("leaf_count"), g.leaf_count as usize, w.leaves.len());
    d.eq(|| f("total_work"), g.total_work, w.total_work);
    d.eq(|| f("epoch"), g.epoch, w.epoch);
    d.eq(|| f("submitted_slot"), g.submitted_slot, w.submitted_slot);
    d.eq(|| f("seal_slot"), g.seal_slot, w.seal_slot);
    d.eq(
        || f("reveal_deadline"),
        g.reveal_deadline,
        w.reveal_deadline,
    );
    d.eq(
        || f("verify_deadline"),
        g.verify_deadline,
        w.verify_deadline,
    );
    d.eq(|| f("status"), g.status, batch_status(w.status));
    d.eq(|| f("sample"), g.sample().to_vec(), w.samples.clone());
    let revealed: Vec<Option<u32>> = (0..g.sample().len())
        .map(|pos| (g.revealed_mask & (1u64 << pos) != 0).then_some(g.revealed[pos].index))
        .collect();
    d.eq(|| f("revealed"), revealed, w.revealed.clone());
    let votes: Vec<(Pubkey, Option<u32>)> = g
        .recorded_votes()
        .iter()
        .map(|v| {
            let leaf = match v.verdict {
                Verdict::Valid => None,
                Verdict::Invalid { leaf_index, .. } => Some(leaf_index),
            };
            (v.verifier, leaf)
        })
        .collect();
    let want: Vec<(Pubkey, Option<u32>)> = w
        .votes
        .iter()
        .map(|(k, l)| (c.verifiers[*k as usize].pubkey(), *l))
        .collect();
    d.eq(|| f("votes"), votes, want);
    d.eq(|| f("valid_votes"), g.valid_votes, w.valid_votes);
    d.eq(|| f("invalid_votes"), g.invalid_votes, w.invalid_votes);
    d.eq(|| f("quorum"), g.quorum, quorum(w.quorum));
    d.eq(|| f("reward"), g.reward, w.reward);
    d.eq(|| f("slashed"), g.slashed, w.slashed);
    d.eq(|| f("finalized_slot"), g.finalized_slot, w.finalized_slot);
    d.eq(|| f("reward_rate"), g.reward_rate, w.reward_rate);
}

/// What a holder's position is worth: its shares at the pool's rate plus
/// its rewards (settled and owed).
fn holder_value(m: &Model, node: u8, d: &MDel) -> u64 {
    let n = &m.nodes[node as usize];
    n.value(d.bonded_shares + d.unbonding_shares) + d.pending_rewards + m.owed(node, d)
}

/// The invariants over one step from `before` to `after` (the model, now
/// equal to the chain), with `actor` the holder that acted, if any.
pub fn invariants(before: &Model, after: &Model, actor: Option<u8>) -> Result<(), String> {
    let mut d = Diff::default();
    let pool: u64 = after.nodes.iter().map(|n| n.pool_tokens).sum();
    d.eq(|| "vault == Σ pool tokens".into(), after.vault, pool);
    let bonded: u64 = after.nodes.iter().map(|n| n.bonded_value()).sum();
    d.eq(
        || "total_bonded == Σ bonded".into(),
        after.total_bonded,
        bonded,
    );
    let claimed: u64 = after.nodes.iter().map(|n| n.total_claimed).sum();
    d.eq(
        || "supply == genesis + Σ minted".into(),
        after.supply,
        after.genesis_supply + claimed,
    );
    let caps: u64 = after.emitted_by_epoch.values().map(|(_, cap)| *cap).sum();
    d.check(claimed <= after.total_rewards_accrued, || {
        format!("minted {claimed} > accrued {}", after.total_rewards_accrued)
    });
    d.check(after.total_rewards_accrued <= caps, || {
        format!(
            "accrued {} > Σ epoch caps {caps}",
            after.total_rewards_accrued
        )
    });
    for (epoch, (emitted, cap)) in &after.emitted_by_epoch {
        d.check(emitted <= cap, || {
            format!("epoch {epoch}: emitted {emitted} > cap {cap}")
        });
    }
    for (i, n) in after.nodes.iter().enumerate() {
        let mine = |f: &dyn Fn(&MDel) -> u64| -> u64 {
            after
                .delegations
                .iter()
                .filter(|((node, _), _)| *node as usize == i)
                .map(|(_, d)| f(d))
                .sum()
        };
        d.eq(
            || format!("node {i}: Σ bonded shares"),
            mine(&|d| d.bonded_shares),
            n.bonded_shares,
        );
        d.eq(
            || format!("node {i}: Σ shares"),
            mine(&|d| d.bonded_shares + d.unbonding_shares),
            n.pool_shares,
        );
    }
    // The accumulator pays every holder what the rules entitle it to, less
    // at most one base unit per payout and settlement (rounding favours the
    // pool), never more.
    for (&(node, who), &exact) in &after.entitled {
        let del = after.delegations.get(&(node, who));
        let paid = after.claimed.get(&(node, who)).copied().unwrap_or(0) as u128
            + del.map_or(0, |x| (x.pending_rewards + after.owed(node, x)) as u128);
        let payouts = after.pool_payouts[node as usize] as u128;
        let paid = paid * EXACT;
        let slack = 2 * (payouts + 1) * EXACT;
        d.check(paid <= exact + payouts && exact <= paid + slack, || {
            format!(
                "holder ({node}, {who}): paid {} base units, the rules give {:.3}",
                paid / EXACT,
                exact as f64 / EXACT as f64
            )
        });
    }
    // No holder's value grows without a reward or shrinks without a slash.
    for ((node, who), was) in &before.delegations {
        if Some(*who) == actor {
            continue;
        }
        let Some(now) = after.delegations.get(&(*node, *who)) else {
            continue;
        };
        let (b, a) = (
            holder_value(before, *node, was),
            holder_value(after, *node, now),
        );
        let nb = &before.nodes[*node as usize];
        let na = &after.nodes[*node as usize];
        let slashed = na.total_slashed > nb.total_slashed;
        let rewarded = na.acc > nb.acc;
        d.check(slashed || a >= b, || {
            format!("holder ({node}, {who}) lost {} without a slash", b - a)
        });
        // Others' deposits and withdrawals round in the pool's favour: at
        // most one base unit of value per step.
        d.check(rewarded || a <= b + 1, || {
            format!("holder ({node}, {who}) gained {} without a reward", a - b)
        });
    }
    d.into_result()
}
