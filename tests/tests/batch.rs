//! Receipts and verification: submit, seal, reveal, vote, finalize, report
//! missed, close, unjail — with exact rewards and slashes.
#![allow(clippy::unwrap_used)]
// solana-program-test 3.x marks its API "unstable" (deprecated); it is the pinned harness.
#![allow(deprecated)]
use anchor_lang::prelude::Pubkey;
use edgefuel::proof::{sample_count, sample_indices, sample_seed};
use edgefuel::{pda, BatchStatus, NodeStatus, PauseScope, Quorum, Verdict};
use edgefuel_tests::anchor_codes::*;
use edgefuel_tests::solana_keypair::Keypair;
use edgefuel_tests::solana_signer::Signer;
use edgefuel_tests::*;

const MIN: u64 = 1_000 * EFUEL;
const WORK_PER_LEAF: u64 = 100_000_000;

/// Operator (10 % commission, 1 000 self-stake), Alice 1 000, Bob 2 000.
async fn pool() -> (TestContext, Keypair, Keypair, Keypair) {
    let mut t = TestContext::new().await;
    let (op, alice, bob) = t.node_with_stakers(1_000).await;
    (t, op, alice, bob)
}

fn v(t: &TestContext, i: usize) -> Keypair {
    t.verifiers[i].insecure_clone()
}

#[tokio::test]
async fn honest_batch_of_1024_is_accepted_and_rewards_split_exactly() {
    let (mut t, op, alice, bob) = pool().await;
    let agent = t.actor().await;
    t.set_agent_key(&op, &op.pubkey(), agent.pubkey())
        .await
        .unwrap();
    let tb = TestBatch::new(&op.pubkey(), 1, 1_024, WORK_PER_LEAF, &[]);

    t.submit(&agent, &tb).await.unwrap();
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!(b.status, BatchStatus::Committed);
    assert_eq!(
        (b.leaf_count, b.total_work, b.seq),
        (1_024, 1_024 * WORK_PER_LEAF, 1)
    );
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (n.pending_work, n.pending_batches, n.last_batch_seq),
        (1_024 * WORK_PER_LEAF, 1, 1)
    );

    t.warp_slots(default_params().seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!(b.status, BatchStatus::Sealed);
    // 1 % of 1 024 = 10.24 → 11 samples.
    assert_eq!(b.sample().len(), 11);

    t.reveal_all(&agent, &tb).await;
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!(b.status, BatchStatus::Revealed);
    for (pos, idx) in b.sample().iter().enumerate() {
        assert_eq!(
            b.revealed[pos].output_commitment,
            tb.receipts[*idx as usize].output_commitment
        );
    }

    // Verifiers re-execute every revealed job and compare.
    for idx in b.sample() {
        assert_eq!(
            tb.receipts[*idx as usize].output_commitment,
            tb.truth[*idx as usize]
        );
    }
    t.vote(&v(&t, 0), &tb.key(), Verdict::Valid).await.unwrap();
    assert_eq!(t.batch(&tb.key()).await.unwrap().quorum, Quorum::Pending);
    t.vote(&v(&t, 1), &tb.key(), Verdict::Valid).await.unwrap();
    assert_eq!(t.batch(&tb.key()).await.unwrap().quorum, Quorum::Valid);
    t.finalize(&tb, &[]).await.unwrap();

    let reward = 1_024 * WORK_PER_LEAF * default_params().reward_per_work_unit;
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!((b.status, b.reward), (BatchStatus::Accepted, reward));
    let n = t.node(&op.pubkey()).await;
    assert_eq!((n.pending_work, n.pending_batches), (0, 0));
    assert_eq!(
        (n.verified_work, n.batches_accepted),
        (1_024 * WORK_PER_LEAF, 1)
    );
    let stats = t.epoch_stats(&op.pubkey(), tb.epoch).await.unwrap();
    assert_eq!((stats.batches_submitted, stats.batches_accepted), (1, 1));
    assert_eq!(
        (stats.work_submitted, stats.work_credited, stats.rewards),
        (1_024 * WORK_PER_LEAF, 1_024 * WORK_PER_LEAF, reward)
    );
    let net = t.network().await;
    assert_eq!(
        (net.epoch_emitted, net.total_rewards_accrued),
        (reward, reward)
    );

    // Independent split: commission 10 %, the rest by bonded shares 1:1:2.
    let commission = reward * 1_000 / 10_000;
    let pool_part = reward - commission;
    let total_shares = 4_000 * EFUEL as u128;
    let share = |s: u64| (pool_part as u128 * s as u128 / total_shares) as u64;
    let op_before = t.efuel(&op.pubkey()).await;
    t.claim(&op, &op.pubkey()).await.unwrap();
    t.claim(&alice, &op.pubkey()).await.unwrap();
    t.claim(&bob, &op.pubkey()).await.unwrap();
    assert_eq!(
        t.efuel(&op.pubkey()).await - op_before,
        commission + share(MIN)
    );
    assert_eq!(t.efuel(&alice.pubkey()).await, share(1_000 * EFUEL));
    assert_eq!(t.efuel(&bob.pubkey()).await, share(2_000 * EFUEL));
    assert_eq!(commission, 10_240_000_000);
    assert_eq!(share(1_000 * EFUEL), 23_040_000_000);
    assert_eq!(t.mint_supply().await, GENESIS_SUPPLY + reward);

    // Close returns the rent to the operator.
    let rent = t.lamports(&tb.key()).await;
    let before = t.lamports(&op.pubkey()).await;
    t.close_batch(&tb).await.unwrap();
    assert!(t.batch(&tb.key()).await.is_none());
    assert_eq!(t.lamports(&op.pubkey()).await, before + rent);
}

#[tokio::test]
async fn sampled_fake_leaf_is_rejected_and_slashes_every_share_equally() {
    let (mut t, op, alice, bob) = pool().await;
    // Bob is unbonding: still slashable.
    t.undelegate(&bob, &op.pubkey(), 2_000 * EFUEL)
        .await
        .unwrap();
    // 8 leaves ≤ min_samples: every leaf is sampled, so the fake one is.
    let tb = TestBatch::new(&op.pubkey(), 1, 8, WORK_PER_LEAF, &[5]);
    t.commit_and_reveal(&op, &tb).await;
    let n = t.node(&op.pubkey()).await;
    let value =
        |shares: u64| (shares as u128 * n.pool_tokens as u128 / n.pool_shares as u128) as u64;
    let alice_before = value(
        t.delegation(&op.pubkey(), &alice.pubkey())
            .await
            .unwrap()
            .bonded_shares,
    );
    let bob_before = value(
        t.delegation(&op.pubkey(), &bob.pubkey())
            .await
            .unwrap()
            .unbonding_shares,
    );
    let op_before = value(n.operator_bonded_shares);
    assert_eq!(
        (alice_before, bob_before, op_before),
        (1_000 * EFUEL, 2_000 * EFUEL, MIN)
    );
    let accounts = t.verifier_accounts().await;

    let evidence = Verdict::Invalid {
        leaf_index: 5,
        expected_commitment: tb.truth[5],
    };
    // Verifier 2 got it wrong and votes Valid; 0 and 1 find the fraud.
    t.vote(&v(&t, 2), &tb.key(), Verdict::Valid).await.unwrap();
    t.vote(&v(&t, 0), &tb.key(), evidence).await.unwrap();
    t.vote(&v(&t, 1), &tb.key(), evidence).await.unwrap();
    assert_eq!(t.batch(&tb.key()).await.unwrap().quorum, Quorum::Invalid);

    // Bounty accounts must be the Invalid voters', in vote order.
    let keys = [
        pda::network(),
        pda::node(&op.pubkey()),
        tb.key(),
        pda::vault(),
        pda::treasury(),
    ];
    let snap = t.snapshot(&keys).await;
    assert_err(
        t.finalize(&tb, &[accounts[0]]).await,
        E::WrongBountyAccounts,
    );
    assert_err(
        t.finalize(&tb, &[accounts[2], accounts[1]]).await,
        E::WrongBountyAccounts,
    );
    assert_eq!(t.snapshot(&keys).await, snap);
    t.finalize(&tb, &[accounts[0], accounts[1]]).await.unwrap();

    let pool_tokens = 4_000 * EFUEL;
    let slashed = pool_tokens * 1_000 / 10_000; // 10 %, exact here
    let bounty = slashed * 1_000 / 10_000 / 2;
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!((b.status, b.slashed), (BatchStatus::Rejected, slashed));
    let n = t.node(&op.pubkey()).await;
    assert_eq!(n.pool_tokens, pool_tokens - slashed);
    assert_eq!(n.status, NodeStatus::Jailed);
    assert_eq!(n.jailed_until, START_TIME + default_params().jail_seconds);
    assert_eq!((n.batches_rejected, n.pending_work), (1, 0));
    let value =
        |shares: u64| (shares as u128 * n.pool_tokens as u128 / n.pool_shares as u128) as u64;
    // Every holder, bonded or unbonding, lost exactly 10 %.
    assert_eq!(
        value(
            t.delegation(&op.pubkey(), &alice.pubkey())
                .await
                .unwrap()
                .bonded_shares
        ),
        alice_before * 9 / 10
    );
    assert_eq!(
        value(
            t.delegation(&op.pubkey(), &bob.pubkey())
                .await
                .unwrap()
                .unbonding_shares
        ),
        bob_before * 9 / 10
    );
    assert_eq!(value(n.operator_bonded_shares), op_before * 9 / 10);
    assert_eq!(t.balance(&accounts[0]).await, bounty);
    assert_eq!(t.balance(&accounts[1]).await, bounty);
    assert_eq!(t.balance(&accounts[2]).await, 0);
    assert_eq!(t.balance(&pda::treasury()).await, slashed - 2 * bounty);
    assert_eq!(t.balance(&pda::vault()).await, pool_tokens - slashed);
    let net = t.network().await;
    assert_eq!(net.total_slashed, slashed);
    // Bob is unbonding, so bonded = (operator + Alice) · 0.9.
    assert_eq!(net.total_bonded, 2_000 * EFUEL * 9 / 10);
    assert_eq!(
        t.epoch_stats(&op.pubkey(), tb.epoch).await.unwrap().slashed,
        slashed
    );

    // Bob withdraws after his cooldown and feels the slash.
    t.advance_time(default_params().unbonding_seconds).await;
    t.withdraw(&bob, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&bob.pubkey()).await, 1_800 * EFUEL);

    // Unjailed after the term, the operator's own stake (900) is now below
    // min_node_stake: no work until it tops up.
    let tb2 = t.batch_now(&op.pubkey(), 2, 8, WORK_PER_LEAF, &[]).await;
    t.unjail(&op).await.unwrap();
    assert_eq!(t.node(&op.pubkey()).await.status, NodeStatus::Active);
    assert_err(t.submit(&op, &tb2).await, E::BelowMinStake);
    t.fund_efuel(&op.pubkey(), 101 * EFUEL).await;
    t.delegate(&op, &op.pubkey(), 101 * EFUEL).await.unwrap();
    t.submit(&op, &tb2).await.unwrap();
}

#[tokio::test]
async fn jailed_node_cannot_submit_or_unjail_early() {
    let (mut t, op, _, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 1, 8, WORK_PER_LEAF, &[0]);
    t.commit_and_reveal(&op, &tb).await;
    let ev = Verdict::Invalid {
        leaf_index: 0,
        expected_commitment: tb.truth[0],
    };
    t.vote(&v(&t, 0), &tb.key(), ev).await.unwrap();
    t.vote(&v(&t, 1), &tb.key(), ev).await.unwrap();
    let accounts = t.verifier_accounts().await;
    t.finalize(&tb, &accounts[..2]).await.unwrap();

    let tb2 = TestBatch::new(&op.pubkey(), 2, 8, WORK_PER_LEAF, &[]);
    let keys = [pda::node(&op.pubkey()), tb2.key()];
    let snap = t.snapshot(&keys).await;
    assert_err(t.submit(&op, &tb2).await, E::NodeJailed);
    assert_err(t.unjail(&op).await, E::StillJailed);
    assert_eq!(t.snapshot(&keys).await, snap);
    t.advance_time(default_params().jail_seconds).await;
    t.unjail(&op).await.unwrap();
    assert_err(t.unjail(&op).await, E::NotJailed);
    // The slash left the operator below min stake; topping up restores work.
    t.fund_efuel(&op.pubkey(), 101 * EFUEL).await;
    t.delegate(&op, &op.pubkey(), 101 * EFUEL).await.unwrap();
    let tb2 = t.batch_now(&op.pubkey(), 2, 8, WORK_PER_LEAF, &[]).await;
    t.submit(&op, &tb2).await.unwrap();
}

#[tokio::test]
async fn missed_reveal_is_slashed_and_jailed() {
    let (mut t, op, _, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 1, 64, WORK_PER_LEAF, &[]);
    t.submit(&op, &tb).await.unwrap();
    t.warp_slots(default_params().seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    // Half revealed only.
    let sample = t.batch(&tb.key()).await.unwrap().sample().to_vec();
    t.reveal(&op, &tb, &sample[..2]).await.unwrap();
    // Too early to report.
    let keys = [
        pda::network(),
        pda::node(&op.pubkey()),
        tb.key(),
        pda::vault(),
        pda::treasury(),
    ];
    let snap = t.snapshot(&keys).await;
    assert_err(t.report_missed(&tb).await, E::NotMissed);
    assert_eq!(t.snapshot(&keys).await, snap);
    let deadline = t.batch(&tb.key()).await.unwrap().reveal_deadline;
    let now = t.slot().await;
    t.jump_slots(deadline - now + 1).await;
    // The node cannot reveal any more.
    let snap = t.snapshot(&keys).await;
    assert_err(t.reveal(&op, &tb, &sample[2..4]).await, E::RevealTooLate);
    assert_eq!(t.snapshot(&keys).await, snap);
    t.report_missed(&tb).await.unwrap();
    let slashed = 4_000 * EFUEL * 200 / 10_000;
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!((b.status, b.slashed), (BatchStatus::Missed, slashed));
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (n.pool_tokens, n.status, n.batches_missed, n.pending_work),
        (4_000 * EFUEL - slashed, NodeStatus::Jailed, 1, 0)
    );
    assert_eq!(t.balance(&pda::treasury()).await, slashed);
    assert_eq!(
        t.epoch_stats(&op.pubkey(), tb.epoch)
            .await
            .unwrap()
            .batches_missed,
        1
    );
    // Replay refused; the batch can now be closed.
    assert_err(t.report_missed(&tb).await, E::WrongBatchStatus);
    t.close_batch(&tb).await.unwrap();
}

#[tokio::test]
async fn unsealed_batch_is_missed_after_the_slot_hashes_window() {
    let (mut t, op, _, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 1, 16, WORK_PER_LEAF, &[]);
    t.submit(&op, &tb).await.unwrap();
    let seal_slot = t.batch(&tb.key()).await.unwrap().seal_slot;
    t.warp_slots(600).await;
    assert!(t.slot().await > seal_slot + 512);
    assert_err(t.seal(&tb.key()).await, E::SealTooLate);
    t.report_missed(&tb).await.unwrap();
    assert_eq!(
        t.batch(&tb.key()).await.unwrap().status,
        BatchStatus::Missed
    );
}

#[tokio::test]
async fn sample_does_not_depend_on_when_seal_is_sent() {
    let (mut t, op, _, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 1, 4_096, 1_000, &[]);
    t.submit(&op, &tb).await.unwrap();
    let seal_slot = t.batch(&tb.key()).await.unwrap().seal_slot;
    let params = default_params();
    // Too early: the seal slot's hash does not exist yet.
    let snap = t.snapshot(&[tb.key()]).await;
    assert_err(t.seal(&tb.key()).await, E::SealTooEarly);
    assert_eq!(t.snapshot(&[tb.key()]).await, snap);
    t.warp_slots(params.seal_delay_slots + 1).await;
    // What a seal sent now would draw, computed off-chain from SlotHashes.
    let hashes: anchor_lang::prelude::SlotHashes = t.ctx.banks_client.get_sysvar().await.unwrap();
    let (_, hash) = hashes
        .iter()
        .filter(|(s, _)| *s >= seal_slot)
        .min_by_key(|(s, _)| *s)
        .unwrap();
    let seed = sample_seed(&tb.key().to_bytes(), &hash.to_bytes());
    let k = sample_count(
        4_096,
        params.sample_bps,
        params.min_samples,
        params.max_samples,
    );
    let expected: Vec<u32> = sample_indices(&seed, 4_096, k)
        .into_iter()
        .map(|i| i as u32)
        .collect();
    // The seal is sent much later.
    t.warp_slots(200).await;
    t.seal(&tb.key()).await.unwrap();
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!(b.seed, seed);
    assert_eq!(b.sample(), expected.as_slice());
    assert_eq!(
        b.sample().len(),
        32,
        "ceil(4096 · 1 %) = 41, capped at max_samples"
    );
    // Replay refused.
    assert_err(t.seal(&tb.key()).await, E::WrongBatchStatus);
}

#[tokio::test]
async fn reveal_refusals() {
    let (mut t, op, alice, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 1, 256, WORK_PER_LEAF, &[]);
    t.submit(&op, &tb).await.unwrap();
    // Before sealing.
    assert_err(t.reveal(&op, &tb, &[0]).await, E::WrongBatchStatus);
    t.warp_slots(default_params().seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    let sample = t.batch(&tb.key()).await.unwrap().sample().to_vec();
    let unsampled = (0..256u32).find(|i| !sample.contains(i)).unwrap();
    let snap = t.snapshot(&[tb.key()]).await;
    assert_err(t.reveal(&op, &tb, &[unsampled]).await, E::IndexNotSampled);
    // Bad proof: a flipped sibling.
    let mut item = tb.item(sample[0]);
    item.proof[3][7] ^= 1;
    let ix = t.reveal_ix(&op.pubkey(), &tb, vec![item]);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidProof);
    // Wrong root: leaves of another tree at sampled indices.
    let other = TestBatch::new(&op.pubkey(), 9, 256, WORK_PER_LEAF, &[]);
    let ix = t.reveal_ix(&op.pubkey(), &tb, vec![other.item(sample[0])]);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidProof);
    // A leaf with a changed field.
    let mut item = tb.item(sample[0]);
    item.leaf.work_units += 1;
    let ix = t.reveal_ix(&op.pubkey(), &tb, vec![item]);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidProof);
    // Not the agent nor the operator.
    assert_err(t.reveal(&alice, &tb, &sample[..1]).await, E::NotAgent);
    assert_eq!(t.snapshot(&[tb.key()]).await, snap);
    // Idempotent per index.
    t.reveal(&op, &tb, &sample[..2]).await.unwrap();
    let once = t.snapshot(&[tb.key()]).await;
    t.reveal(&op, &tb, &sample[..2]).await.unwrap();
    assert_eq!(t.snapshot(&[tb.key()]).await, once);
}

#[tokio::test]
async fn vote_refusals() {
    let (mut t, op, alice, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 1, 64, WORK_PER_LEAF, &[]);
    t.submit(&op, &tb).await.unwrap();
    t.warp_slots(default_params().seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    let snap = t.snapshot(&[tb.key()]).await;
    // Before reveal.
    assert_err(
        t.vote(&v(&t, 0), &tb.key(), Verdict::Valid).await,
        E::SamplesNotRevealed,
    );
    t.reveal_all(&op, &tb).await;
    let snap2 = t.snapshot(&[tb.key()]).await;
    assert_ne!(snap, snap2);
    // Not a verifier.
    assert_err(
        t.vote(&alice, &tb.key(), Verdict::Valid).await,
        E::NotVerifier,
    );
    // Evidence must name a sampled leaf.
    let sample = t.batch(&tb.key()).await.unwrap().sample().to_vec();
    let unsampled = (0..64u32).find(|i| !sample.contains(i)).unwrap();
    let bad = Verdict::Invalid {
        leaf_index: unsampled,
        expected_commitment: [0; 32],
    };
    assert_err(t.vote(&v(&t, 0), &tb.key(), bad).await, E::InvalidEvidence);
    assert_eq!(t.snapshot(&[tb.key()]).await, snap2);
    // Double vote.
    t.vote(&v(&t, 0), &tb.key(), Verdict::Valid).await.unwrap();
    let snap3 = t.snapshot(&[tb.key()]).await;
    assert_err(
        t.vote(&v(&t, 0), &tb.key(), Verdict::Valid).await,
        E::AlreadyVoted,
    );
    // Finalize before quorum or deadline.
    assert_err(t.finalize(&tb, &[]).await, E::NotFinalizable);
    assert_eq!(t.snapshot(&[tb.key()]).await, snap3);
    // Late vote.
    let deadline = t.batch(&tb.key()).await.unwrap().verify_deadline;
    let now = t.slot().await;
    t.jump_slots(deadline - now + 1).await;
    assert_err(
        t.vote(&v(&t, 1), &tb.key(), Verdict::Valid).await,
        E::VotingClosed,
    );
    assert_eq!(t.snapshot(&[tb.key()]).await, snap3);
    // No quorum by the deadline: expired, nothing paid or slashed.
    let pool_before = t.node(&op.pubkey()).await.pool_tokens;
    t.finalize(&tb, &[]).await.unwrap();
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!(
        (b.status, b.reward, b.slashed),
        (BatchStatus::Expired, 0, 0)
    );
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (
            n.pool_tokens,
            n.status,
            n.pending_work,
            n.acc_reward_per_share
        ),
        (pool_before, NodeStatus::Active, 0, 0)
    );
    assert_eq!(
        t.epoch_stats(&op.pubkey(), tb.epoch)
            .await
            .unwrap()
            .batches_expired,
        1
    );
    // Finalize twice.
    assert_err(t.finalize(&tb, &[]).await, E::WrongBatchStatus);
    // A non-final batch cannot be closed.
    let tb2 = TestBatch::new(&op.pubkey(), 2, 8, WORK_PER_LEAF, &[]);
    t.submit(&op, &tb2).await.unwrap();
    assert_err(t.close_batch(&tb2).await, E::BatchNotFinal);
}

#[tokio::test]
async fn submit_refusals() {
    let (mut t, op, alice, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 5, 16, WORK_PER_LEAF, &[]);
    t.submit(&op, &tb).await.unwrap();
    let node_key = pda::node(&op.pubkey());
    let keys = [pda::network(), node_key];
    let snap = t.snapshot(&keys).await;
    // Replayed and lower sequence numbers.
    let replay = TestBatch::new(&op.pubkey(), 5, 16, WORK_PER_LEAF, &[]);
    assert!(
        t.submit(&op, &replay).await.is_err(),
        "same PDA cannot be created twice"
    );
    let lower = TestBatch::new(&op.pubkey(), 4, 16, WORK_PER_LEAF, &[]);
    assert_err(t.submit(&op, &lower).await, E::SeqNotIncreasing);
    // Not the agent or operator.
    let tb6 = TestBatch::new(&op.pubkey(), 6, 16, WORK_PER_LEAF, &[]);
    assert_err(t.submit(&alice, &tb6).await, E::NotAgent);
    // Bad shapes.
    let mut args = tb6.args();
    args.leaf_count = 0;
    let ix = t.submit_ix(&op.pubkey(), &tb6, args);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidBatch);
    let mut args = tb6.args();
    args.total_work = 0;
    let ix = t.submit_ix(&op.pubkey(), &tb6, args);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidBatch);
    let mut args = tb6.args();
    args.leaf_count = (1 << 20) + 1;
    let ix = t.submit_ix(&op.pubkey(), &tb6, args);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidBatch);
    // Wrong epoch.
    let mut args = tb6.args();
    args.epoch += 1;
    let ix = t.submit_ix(&op.pubkey(), &tb6, args);
    assert_err(t.send(&[ix], &[&op]).await, E::WrongEpoch);
    // Over exposure: pool 4 000 EFUEL · 5 % = 200 EFUEL of unverified reward;
    // 1.6 EFUEL is in flight.
    let mut args = tb6.args();
    args.total_work = 200 * EFUEL - 16 * WORK_PER_LEAF + 1;
    let ix = t.submit_ix(&op.pubkey(), &tb6, args);
    assert_err(t.send(&[ix], &[&op]).await, E::ExposureExceeded);
    // Exactly at the exposure bound is allowed (checked below after the refusals).
    assert_eq!(t.snapshot(&keys).await, snap);
    let mut args = tb6.args();
    args.total_work = 200 * EFUEL - 16 * WORK_PER_LEAF;
    let ix = t.submit_ix(&op.pubkey(), &tb6, args);
    t.send(&[ix], &[&op]).await.unwrap();

    // Paused.
    let g = t.guardian.insecure_clone();
    t.pause(&g, PauseScope::Submissions, true).await.unwrap();
    let op2 = t.staked_node(0, MIN).await;
    let tb7 = TestBatch::new(&op2.pubkey(), 1, 8, 1, &[]);
    assert_err(t.submit(&op2, &tb7).await, E::SubmissionsPaused);
    t.pause(&g, PauseScope::Submissions, false).await.unwrap();
    // Below min stake.
    t.undelegate(&op2, &op2.pubkey(), 1).await.unwrap();
    assert_err(t.submit(&op2, &tb7).await, E::BelowMinStake);
    // Exiting.
    let op3 = t.staked_node(0, MIN).await;
    t.exit_node(&op3, &op3.pubkey()).await.unwrap();
    let tb8 = TestBatch::new(&op3.pubkey(), 1, 8, 1, &[]);
    assert_err(t.submit(&op3, &tb8).await, E::NodeExiting);
}

#[tokio::test]
async fn emission_cap_defers_finalization_to_the_next_epoch() {
    let mut params = default_params();
    params.epoch_emission_cap = 150 * EFUEL;
    let mut t = TestContext::with_params(params).await;
    let op = t.staked_node(0, 10_000 * EFUEL).await;
    // Each batch earns 100 EFUEL: the second exceeds the 150 EFUEL cap.
    let a = TestBatch::new(&op.pubkey(), 1, 10, 10 * EFUEL, &[]);
    let b = TestBatch::new(&op.pubkey(), 2, 10, 10 * EFUEL, &[]);
    t.commit_and_reveal(&op, &a).await;
    t.commit_and_reveal(&op, &b).await;
    for tb in [&a, &b] {
        t.vote(&v(&t, 0), &tb.key(), Verdict::Valid).await.unwrap();
        t.vote(&v(&t, 1), &tb.key(), Verdict::Valid).await.unwrap();
    }
    t.finalize(&a, &[]).await.unwrap();
    let keys = [pda::network(), pda::node(&op.pubkey()), b.key()];
    let snap = t.snapshot(&keys).await;
    assert_err(t.finalize(&b, &[]).await, E::EmissionCapExceeded);
    assert_eq!(t.snapshot(&keys).await, snap);
    // Minting paused also blocks new reward accrual.
    t.advance_time(params.epoch_seconds).await;
    let g = t.guardian.insecure_clone();
    t.pause(&g, PauseScope::Minting, true).await.unwrap();
    assert_err(t.finalize(&b, &[]).await, E::MintingPaused);
    t.pause(&g, PauseScope::Minting, false).await.unwrap();
    // Next epoch: the budget is fresh; the verdict stood.
    t.finalize(&b, &[]).await.unwrap();
    let net = t.network().await;
    assert_eq!(net.epoch_emitted, 100 * EFUEL);
    assert_eq!(net.total_rewards_accrued, 200 * EFUEL);
    assert_eq!(
        t.batch(&b.key()).await.unwrap().status,
        BatchStatus::Accepted
    );
}

#[tokio::test]
async fn batch_reward_above_the_epoch_cap_is_refused_at_submit() {
    let mut params = default_params();
    params.epoch_emission_cap = 10 * EFUEL;
    let mut t = TestContext::with_params(params).await;
    let op = t.staked_node(0, 10_000 * EFUEL).await;
    let tb = TestBatch::new(&op.pubkey(), 1, 10, EFUEL + 1, &[]);
    assert_err(t.submit(&op, &tb).await, E::BatchRewardAboveCap);
}

#[tokio::test]
async fn removed_verifier_cannot_vote_and_close_needs_operator() {
    let (mut t, op, alice, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 1, 8, WORK_PER_LEAF, &[]);
    t.commit_and_reveal(&op, &tb).await;
    t.vote(&v(&t, 0), &tb.key(), Verdict::Valid).await.unwrap();
    t.vote(&v(&t, 1), &tb.key(), Verdict::Valid).await.unwrap();
    t.finalize(&tb, &[]).await.unwrap();
    // Rent must go to the operator, not to whoever asks.
    let mut ix = t.close_batch_ix(&tb);
    ix.accounts[1].pubkey = alice.pubkey();
    assert_err(t.send(&[ix], &[]).await, E::NotOperator);
    // A batch of another node presented with this node.
    let op2 = t.staked_node(0, MIN).await;
    let mut ix = t.close_batch_ix(&tb);
    ix.accounts[0].pubkey = pda::node(&op2.pubkey());
    ix.accounts[1].pubkey = op2.pubkey();
    assert_err(t.send(&[ix], &[]).await, E::WrongNode);
    t.close_batch(&tb).await.unwrap();
}

/// Sizes the protocol's transactions and proves submissions lock nothing shared.
#[tokio::test]
async fn transaction_sizes_and_write_locks() {
    let (mut t, op, _, _) = pool().await;
    let agent = t.actor().await;
    t.set_agent_key(&op, &op.pubkey(), agent.pubkey())
        .await
        .unwrap();
    let tb = TestBatch::new(&op.pubkey(), 1, 1_024, WORK_PER_LEAF, &[]);
    t.submit(&agent, &tb).await.unwrap();
    t.warp_slots(default_params().seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    let sample = t.batch(&tb.key()).await.unwrap().sample().to_vec();

    let blockhash = t.ctx.last_blockhash;
    let size = |ixs: &[anchor_lang::solana_program::instruction::Instruction],
                signers: &[&Keypair]| {
        let tx = solana_transaction::Transaction::new_signed_with_payer(
            ixs,
            Some(&signers[0].pubkey()),
            signers,
            blockhash,
        );
        bincode::serialize(&tx).unwrap().len()
    };
    let submit = t.submit_ix(&agent.pubkey(), &tb, tb.args());
    let reveal_chunks: Vec<_> = sample
        .chunks(edgefuel::proof::reveals_per_tx(1_024))
        .map(|c| {
            t.reveal_ix(
                &agent.pubkey(),
                &tb,
                c.iter().map(|i| tb.item(*i)).collect(),
            )
        })
        .collect();
    let vote = t.vote_ix(
        &t.verifiers[0].pubkey(),
        &tb.key(),
        Verdict::Invalid {
            leaf_index: 0,
            expected_commitment: [1; 32],
        },
    );
    let finalize = t.finalize_ix(&tb, &[Pubkey::new_unique(), Pubkey::new_unique()]);
    let payer = t.ctx.payer.insecure_clone();
    let v0 = v(&t, 0);
    println!(
        "{:<16} {:>8} {:>9} {:>10} {:>8}",
        "instruction", "accounts", "writable", "data bytes", "tx bytes"
    );
    let rows = [
        (
            "submit_batch",
            &submit,
            size(std::slice::from_ref(&submit), &[&payer, &agent]),
        ),
        (
            "seal_batch",
            &t.seal_ix(&tb.key()),
            size(&[t.seal_ix(&tb.key())], &[&payer]),
        ),
        (
            "reveal_samples",
            &reveal_chunks[0],
            size(std::slice::from_ref(&reveal_chunks[0]), &[&agent]),
        ),
        (
            "vote+finalize",
            &vote,
            size(&[vote.clone(), finalize.clone()], &[&v0]),
        ),
        (
            "report_missed",
            &t.report_missed_ix(&tb),
            size(&[t.report_missed_ix(&tb)], &[&payer]),
        ),
        (
            "close_batch",
            &t.close_batch_ix(&tb),
            size(&[t.close_batch_ix(&tb)], &[&payer]),
        ),
    ];
    for (name, ix, bytes) in &rows {
        let writable = ix.accounts.iter().filter(|a| a.is_writable).count();
        println!(
            "{:<16} {:>8} {:>9} {:>10} {:>8}",
            name,
            ix.accounts.len(),
            writable,
            ix.data.len(),
            bytes
        );
        assert!(*bytes <= 1_232, "{name} transaction is {bytes} bytes");
    }
    // A 1 024-leaf batch at 1 %: 11 samples in 6 reveal transactions, each within 1 232 bytes.
    assert_eq!(sample.len(), 11);
    assert_eq!(reveal_chunks.len(), 6);
    for ix in &reveal_chunks {
        assert!(size(std::slice::from_ref(ix), &[&agent]) <= 1_232);
    }
    // Worst case: the largest batch (2^20 leaves, 20-level proofs) packs
    // one reveal per transaction, with payer and agent both signing.
    assert_eq!(edgefuel::proof::reveals_per_tx(1 << 20), 1);
    let deep: Vec<_> = (0..1)
        .map(|i| edgefuel::RevealItem {
            index: i,
            leaf: tb.item(0).leaf,
            proof: vec![[7u8; 32]; 20],
        })
        .collect();
    let deep_ix = t.reveal_ix(&agent.pubkey(), &tb, deep);
    assert!(size(&[deep_ix], &[&payer, &agent]) <= 1_232);

    // submit_batch write-locks only this node's accounts and the new ones.
    let shared = [pda::network(), pda::vault(), pda::treasury(), pda::mint()];
    for meta in submit.accounts.iter().filter(|m| m.is_writable) {
        assert!(
            !shared.contains(&meta.pubkey),
            "submit_batch write-locks shared account {}",
            meta.pubkey
        );
    }
    let writable: Vec<Pubkey> = submit
        .accounts
        .iter()
        .filter(|m| m.is_writable)
        .map(|m| m.pubkey)
        .collect();
    assert_eq!(
        writable,
        vec![
            t.payer(),
            pda::node(&op.pubkey()),
            tb.key(),
            pda::node_epoch(&pda::node(&op.pubkey()), tb.epoch)
        ]
    );
    let _ = CONSTRAINT_SEEDS;
}
