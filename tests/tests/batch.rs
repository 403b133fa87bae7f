//! Receipts and verification: submit, seal, reveal, vote, finalize, report
//! missed, close, unjail — with exact rewards and slashes.
#![allow(clippy::unwrap_used)]
// solana-program-test 3.x marks its API "unstable" (deprecated); it is the pinned harness.
#![allow(deprecated)]
use anchor_lang::prelude::Pubkey;
use edgefuel::proof::{sample_count, sample_points, sample_seed};
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
    // The stake earns from the epoch after it was delegated.
    t.next_epoch().await;
    let tb = t
        .batch_now(&op.pubkey(), 1, 1_024, WORK_PER_LEAF, &[])
        .await;

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
    // Every point is revealed by the leaf whose work range covers it; the
    // stored leaf carries the spec a verifier re-executes from the chain.
    let leaves = b.revealed_leaves();
    assert_eq!(
        leaves.iter().map(|l| l.index).collect::<Vec<_>>(),
        t.sampled_leaves(&tb).await
    );
    for leaf in &leaves {
        let i = leaf.index as usize;
        assert_eq!(leaf.output_commitment, tb.receipts()[i].output_commitment);
        let spec = b.job_spec(leaf).unwrap();
        assert_eq!(spec.job_id(), tb.receipts()[i].job_id);
        assert_eq!(spec.work_units(), WORK_PER_LEAF);
        // Verifiers re-execute every revealed job and compare.
        assert_eq!(leaf.output_commitment, tb.truth[i]);
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
    // Every leaf is fake, so whichever the sample draws is.
    let tb = TestBatch::new(&op.pubkey(), 1, 8, WORK_PER_LEAF, &[0, 1, 2, 3, 4, 5, 6, 7]);
    t.commit_and_reveal(&op, &tb).await;
    let bad = t.sampled_leaves(&tb).await[0];
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
        leaf_index: bad,
        expected_commitment: tb.truth[bad as usize],
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
    let tb = TestBatch::new(&op.pubkey(), 1, 8, WORK_PER_LEAF, &[0, 1, 2, 3, 4, 5, 6, 7]);
    t.commit_and_reveal(&op, &tb).await;
    let bad = t.sampled_leaves(&tb).await[0];
    let ev = Verdict::Invalid {
        leaf_index: bad,
        expected_commitment: tb.truth[bad as usize],
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
    let sample = t.sampled_leaves(&tb).await;
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
    // The node knew its sample: hiding it costs the fraud slash (10 %).
    let slashed = 4_000 * EFUEL * 1_000 / 10_000;
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
    // Unsealed: the cheaper slash_unavailable_bps (5 %).
    let slashed = 4_000 * EFUEL * 500 / 10_000;
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!((b.status, b.slashed), (BatchStatus::Missed, slashed));
    assert_eq!(
        t.node(&op.pubkey()).await.pool_tokens,
        4_000 * EFUEL - slashed
    );
    assert_eq!(t.balance(&pda::treasury()).await, slashed);
}

/// No exit cheaper than being caught: a node that sees a fake leaf in its
/// sample and withholds the reveal loses exactly what fraud costs (it used
/// to lose the 2 % unavailability slash instead of 10 %, so cheating paid).
#[tokio::test]
async fn withholding_a_sampled_fake_leaf_costs_the_fraud_slash() {
    let (mut t, op, _, _) = pool().await;
    // Leaf 6 holds nearly all the work, so the work-weighted sample lands
    // in it (each point misses it with probability 7·10³ / 10⁸).
    let mut shapes = vec![gemm_with_work(1_000); 8];
    shapes[6] = gemm_with_work(WORK_PER_LEAF);
    let mut tb = TestBatch::with_shapes(&op.pubkey(), 1, shapes, &[6]);
    tb.epoch = (t.now().await / default_params().epoch_seconds) as u64;
    t.submit(&op, &tb).await.unwrap();
    t.warp_slots(default_params().seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    let sampled = t.sampled_leaves(&tb).await;
    assert!(sampled.contains(&6));
    // The node reveals every honest sampled leaf and withholds the fake one.
    for leaf in sampled.iter().filter(|i| **i != 6) {
        t.reveal(&op, &tb, &[*leaf]).await.unwrap();
    }
    assert_eq!(
        t.batch(&tb.key()).await.unwrap().status,
        BatchStatus::Sealed
    );
    let deadline = t.batch(&tb.key()).await.unwrap().reveal_deadline;
    let now = t.slot().await;
    t.jump_slots(deadline - now + 1).await;
    t.report_missed(&tb).await.unwrap();
    let slashed = 4_000 * EFUEL * 1_000 / 10_000;
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!((b.status, b.slashed), (BatchStatus::Missed, slashed));
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (n.pool_tokens, n.status, n.batches_missed),
        (4_000 * EFUEL - slashed, NodeStatus::Jailed, 1)
    );
    // No verifier voted: the whole slash goes to the treasury.
    assert_eq!(t.balance(&pda::treasury()).await, slashed);
    assert_eq!(t.balance(&pda::vault()).await, 4_000 * EFUEL - slashed);
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
    let expected = sample_points(&seed, tb.total_work(), k);
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
    let sample = t.sampled_leaves(&tb).await;
    let unsampled = (0..256u32).find(|i| !sample.contains(i)).unwrap();
    let snap = t.snapshot(&[tb.key()]).await;
    assert_err(t.reveal(&op, &tb, &[unsampled]).await, E::IndexNotSampled);
    // Bad proof: a flipped sibling.
    let mut item = tb.item(sample[0]);
    item.path[3].hash[7] ^= 1;
    let ix = t.reveal_ix(&op.pubkey(), &tb, vec![item]);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidProof);
    // Wrong root: leaves of another tree at sampled indices.
    let other = TestBatch::new(&op.pubkey(), 9, 256, WORK_PER_LEAF, &[]);
    let ix = t.reveal_ix(&op.pubkey(), &tb, vec![other.item(sample[0])]);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidProof);
    // A leaf with a changed field.
    let mut item = tb.item(sample[0]);
    item.work_units += 1;
    let ix = t.reveal_ix(&op.pubkey(), &tb, vec![item]);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidProof);
    // A flipped sibling sum.
    let mut item = tb.item(sample[0]);
    item.path[0].sum += 1;
    let ix = t.reveal_ix(&op.pubkey(), &tb, vec![item]);
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidProof);
    // The committed leaf with a shape that is not its job's.
    let mut item = tb.item(sample[0]);
    item.shape = gemm_with_work(WORK_PER_LEAF / 2).to_bytes();
    let ix = t.reveal_ix(&op.pubkey(), &tb, vec![item]);
    assert_err(t.send(&[ix], &[&op]).await, E::JobSpecMismatch);
    // Shape bytes that are no shape (unknown kind, trailing byte, too long).
    for bytes in [
        vec![9u8, 1, 0, 0, 0],
        {
            let mut b = tb.rb.shapes()[0].to_bytes();
            b.push(0);
            b
        },
        vec![1u8; 200],
    ] {
        let mut item = tb.item(sample[0]);
        item.shape = bytes;
        let ix = t.reveal_ix(&op.pubkey(), &tb, vec![item]);
        assert_err(t.send(&[ix], &[&op]).await, E::InvalidJobSpec);
    }
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
    let sample = t.sampled_leaves(&tb).await;
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
    let tb = TestBatch::new(&op.pubkey(), 1, 16, WORK_PER_LEAF, &[]);
    t.submit(&op, &tb).await.unwrap();
    let node_key = pda::node(&op.pubkey());
    let keys = [pda::network(), node_key];
    let snap = t.snapshot(&keys).await;
    // Replayed, lower and skipping sequence numbers: only last + 1 = 2 goes.
    let replay = TestBatch::new(&op.pubkey(), 1, 16, WORK_PER_LEAF, &[]);
    assert!(
        t.submit(&op, &replay).await.is_err(),
        "same PDA cannot be created twice"
    );
    for seq in [0, 3, u64::MAX] {
        let wrong = TestBatch::new(&op.pubkey(), seq, 16, WORK_PER_LEAF, &[]);
        assert_err(t.submit(&op, &wrong).await, E::SeqNotNext);
    }
    // Not the agent or operator.
    let tb6 = TestBatch::new(&op.pubkey(), 2, 16, WORK_PER_LEAF, &[]);
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
    args.leaf_count = edgefuel::constants::MAX_BATCH_LEAVES + 1;
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
    t.next_epoch().await;
    // Each batch earns 100 EFUEL: the second exceeds the 150 EFUEL cap.
    let a = t.batch_now(&op.pubkey(), 1, 10, 10 * EFUEL, &[]).await;
    let b = t.batch_now(&op.pubkey(), 2, 10, 10 * EFUEL, &[]).await;
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
    let sample = t.sampled_leaves(&tb).await;

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
    let reveal_chunks: Vec<_> =
        ReceiptBatch::pack_reveals(sample.iter().map(|i| tb.item(*i)).collect())
            .into_iter()
            .map(|c| t.reveal_ix(&agent.pubkey(), &tb, c))
            .collect();
    let vote = t.vote_ix(
        &t.verifiers[0].pubkey(),
        &tb.key(),
        Verdict::Invalid {
            leaf_index: 0,
            expected_commitment: [1; 32],
        },
    );
    let finalize = t
        .finalize_ix(&tb, &[Pubkey::new_unique(), Pubkey::new_unique()])
        .await;
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
            &t.report_missed_ix(&tb).await,
            size(&[t.report_missed_ix(&tb).await], &[&payer]),
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
    // A 1 024-leaf batch at 1 %: 11 sample points; each reveal item (a
    // 10-node sum path, 497 bytes) takes its own transaction within 1 232 bytes.
    assert_eq!(t.batch(&tb.key()).await.unwrap().sample().len(), 11);
    assert_eq!(tb.item(sample[0]).len(), 497);
    assert_eq!(reveal_chunks.len(), sample.len());
    for ix in &reveal_chunks {
        assert!(size(std::slice::from_ref(ix), &[&agent]) <= 1_232);
    }

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

// ---- receipts bound to the work: attacks on the receipt format -------------

/// Submits `tb` with `args`, seals it, and returns what revealing its whole
/// sample answers, then lets the reveal window pass.
async fn submit_seal_try_reveal(
    t: &mut TestContext,
    op: &Keypair,
    tb: &TestBatch,
    args: edgefuel::SubmitBatchArgs,
) -> Result<(), solana_transaction_error::TransactionError> {
    let ix = t.submit_ix(&op.pubkey(), tb, args);
    t.send(&[ix], &[op]).await.unwrap();
    t.warp_slots(default_params().seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    let batch = t.batch(&tb.key()).await.unwrap();
    let mut answer = Ok(());
    // The node reveals what its receipts say; the claimed total is not theirs.
    for point in batch.sample().to_vec() {
        let leaf = tb
            .rb
            .tree()
            .leaf_at(point.min(tb.total_work() - 1))
            .unwrap() as u32;
        let ix = t.reveal_ix(&op.pubkey(), tb, vec![tb.item(leaf)]);
        if let Err(e) = t.send(&[ix], &[op]).await {
            answer = Err(e);
            break;
        }
    }
    let deadline = t.batch(&tb.key()).await.unwrap().reveal_deadline;
    let now = t.slot().await;
    t.jump_slots(deadline - now + 1).await;
    answer
}

/// The missed batch is slashed like any sealed batch left unrevealed (the
/// fraud slash: the node knew its sample) and earns nothing.
async fn assert_missed_and_slashed(t: &mut TestContext, op: &Keypair, tb: &TestBatch) {
    let pool = t.node(&op.pubkey()).await.pool_tokens;
    let supply = t.mint_supply().await;
    t.report_missed(tb).await.unwrap();
    let slashed = (pool as u128 * default_params().slash_fraud_bps as u128).div_ceil(10_000) as u64;
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!(
        (b.status, b.reward, b.slashed),
        (BatchStatus::Missed, 0, slashed)
    );
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (n.pool_tokens, n.verified_work, n.status),
        (pool - slashed, 0, NodeStatus::Jailed)
    );
    assert_eq!(t.mint_supply().await, supply, "nothing minted");
    assert_eq!(t.network().await.total_rewards_accrued, 0);
}

#[tokio::test]
async fn overstated_total_work_cannot_be_revealed_and_earns_nothing() {
    let (mut t, op, _, _) = pool().await;
    // 64 honest leaves of 1 000 units claiming the whole exposure cap
    // (4 000 EFUEL · 5 % = 200 EFUEL of reward).
    let tb = TestBatch::new(&op.pubkey(), 1, 64, 1_000, &[]);
    let mut args = tb.args();
    args.total_work = 200 * EFUEL;
    let answer = submit_seal_try_reveal(&mut t, &op, &tb, args).await;
    assert_err(answer, E::WorkSumMismatch);
    assert_missed_and_slashed(&mut t, &op, &tb).await;
}

#[tokio::test]
async fn one_leaf_batch_claiming_the_exposure_cap_earns_nothing() {
    let (mut t, op, _, _) = pool().await;
    let tb = TestBatch::new(&op.pubkey(), 1, 1, 1_000, &[]);
    let mut args = tb.args();
    // The whole cap in one leaf is above what any job can be: refused.
    args.total_work = 200 * EFUEL;
    let ix = t.submit_ix(&op.pubkey(), &tb, args.clone());
    assert_err(t.send(&[ix], &[&op]).await, E::InvalidBatch);
    // The most one leaf may claim is accepted at submit, then cannot be opened.
    args.total_work = edgefuel::constants::MAX_WORK_PER_LEAF;
    let answer = submit_seal_try_reveal(&mut t, &op, &tb, args).await;
    assert_err(answer, E::WorkSumMismatch);
    assert_missed_and_slashed(&mut t, &op, &tb).await;
}

#[tokio::test]
async fn one_job_in_every_leaf_is_refused_at_reveal() {
    let (mut t, op, _, _) = pool().await;
    let honest = TestBatch::new(&op.pubkey(), 1, 64, 1_000, &[]);
    // Every leaf repeats leaf 0's receipt (a job that really ran).
    let dup = honest.tampered(|r| {
        let first = r[0];
        r.iter_mut().for_each(|x| *x = first);
    });
    let answer = submit_seal_try_reveal(&mut t, &op, &dup, dup.args()).await;
    assert_err(answer, E::JobSpecMismatch);
    assert_missed_and_slashed(&mut t, &op, &dup).await;
}

#[tokio::test]
async fn a_root_committed_again_under_a_new_seq_is_refused_at_reveal() {
    let (mut t, op, _, _) = pool().await;
    t.next_epoch().await;
    let first = t.batch_now(&op.pubkey(), 1, 16, 1_000, &[]).await;
    t.commit_and_reveal(&op, &first).await;
    t.accept(&first).await;
    let paid = t.network().await.total_rewards_accrued;
    assert_eq!(paid, first.total_work());
    // The same receipts (same root) as batch 2.
    let mut again = TestBatch::from_batch(
        ReceiptBatch::from_receipts(
            &op.pubkey(),
            2,
            first.rb.shapes().to_vec(),
            first.receipts().to_vec(),
        )
        .unwrap(),
        first.truth.clone(),
    );
    again.epoch = first.epoch;
    assert_eq!(again.args().root, first.args().root);
    let answer = submit_seal_try_reveal(&mut t, &op, &again, again.args()).await;
    assert_err(answer, E::JobSpecMismatch);
    let pool_before = t.node(&op.pubkey()).await.pool_tokens;
    t.report_missed(&again).await.unwrap();
    assert_eq!(
        t.batch(&again.key()).await.unwrap().status,
        BatchStatus::Missed
    );
    assert!(t.node(&op.pubkey()).await.pool_tokens < pool_before);
    assert_eq!(t.network().await.total_rewards_accrued, paid, "paid once");
}

#[tokio::test]
async fn leaf_work_above_its_spec_is_refused_at_reveal() {
    let (mut t, op, _, _) = pool().await;
    let honest = TestBatch::new(&op.pubkey(), 1, 32, 1_000, &[]);
    // Every leaf claims ten times its job's multiply-accumulates; the tree
    // and total are consistent with the claim.
    let inflated = honest.tampered(|r| r.iter_mut().for_each(|x| x.work_units *= 10));
    assert_eq!(inflated.total_work(), 320_000);
    let answer = submit_seal_try_reveal(&mut t, &op, &inflated, inflated.args()).await;
    assert_err(answer, E::WorkUnitsMismatch);
    assert_missed_and_slashed(&mut t, &op, &inflated).await;
}

/// The largest batch the program accepts (2¹⁶ leaves), every job of the
/// longest shape: each reveal item (16 path nodes) is sent in a real
/// transaction with a priority fee (compute unit limit and price), signed by
/// a separate payer and the agent, within 1 232 bytes.
#[tokio::test]
async fn the_largest_batch_reveals_within_the_transaction_limit() {
    use edgefuel::constants::MAX_BATCH_LEAVES;
    let (mut t, op, _, _) = pool().await;
    let agent = t.actor().await;
    t.set_agent_key(&op, &op.pubkey(), agent.pubkey())
        .await
        .unwrap();
    let longest = edgefuel::spec::JobShape::MlpI8 {
        batch: 1,
        widths: vec![1; edgefuel::spec::limits::MAX_MLP_LAYERS as usize + 1],
    };
    assert_eq!(longest.to_bytes().len(), edgefuel::spec::MAX_SHAPE_LEN);
    let tb = TestBatch::with_shapes(
        &op.pubkey(),
        1,
        vec![longest; MAX_BATCH_LEAVES as usize],
        &[],
    );
    t.submit(&agent, &tb).await.unwrap();
    t.warp_slots(default_params().seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    let batch = t.batch(&tb.key()).await.unwrap();
    let items = tb.rb.reveal_items(&batch).unwrap();
    assert!(items.iter().all(|i| i.path.len() == 16));
    let payer = t.ctx.payer.insecure_clone();
    for chunk in ReceiptBatch::pack_reveals(items) {
        assert_eq!(chunk.len(), 1);
        let ix = t.reveal_ix(&agent.pubkey(), &tb, chunk);
        let blockhash = t.ctx.banks_client.get_latest_blockhash().await.unwrap();
        use solana_compute_budget_interface::ComputeBudgetInstruction;
        let tx = solana_transaction::Transaction::new_signed_with_payer(
            &[
                ComputeBudgetInstruction::set_compute_unit_limit(400_000),
                ComputeBudgetInstruction::set_compute_unit_price(50_000),
                ix,
            ],
            Some(&payer.pubkey()),
            &[&payer, &agent],
            blockhash,
        );
        let bytes = bincode::serialize(&tx).unwrap().len();
        assert!(bytes <= 1_232, "reveal transaction is {bytes} bytes");
        t.ctx.banks_client.process_transaction(tx).await.unwrap();
    }
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!(b.status, BatchStatus::Revealed);
    // One leaf more is refused at submit.
    let mut args = tb.args();
    args.seq = 2;
    args.leaf_count = MAX_BATCH_LEAVES + 1;
    let ix =
        edgefuel_client::ix::submit_batch(&agent.pubkey(), &payer.pubkey(), &op.pubkey(), args);
    assert_err(t.send(&[ix], &[&agent]).await, E::InvalidBatch);
}

/// A node that fakes or inflates one heavy leaf carrying a fraction f of its
/// work is caught at the rate work-weighted sampling predicts: over 10 000
/// seeds, the share of samples that hit a leaf the program refuses at reveal
/// (inflated work) or whose output re-executes differently (faked output)
/// is within 3 σ of 1 − (1 − f)^k.
#[test]
fn detection_follows_the_work_fraction() {
    let op = Pubkey::new_unique();
    let k = edgefuel::proof::sample_count(100, 100, 8, 32);
    assert_eq!(k, 8);
    for f_pct in [1u64, 5, 20, 50] {
        for inflate in [false, true] {
            // 99 light honest leaves and one heavy leaf holding f of the work.
            let total = 990_000u64;
            let heavy = total * f_pct / 100;
            let light = (total - heavy) / 99;
            let mut shapes = vec![gemm_with_work(light); 99];
            // An inflating node ran a job of half the work it claims.
            let heavy_spec_work = if inflate { heavy / 2 } else { heavy };
            shapes.push(gemm_with_work(heavy_spec_work));
            let honest = TestBatch::with_shapes(&op, 1, shapes, if inflate { &[] } else { &[99] });
            let tb = honest.tampered(|r| r[99].work_units = heavy);
            let batch = batch_account(&tb);
            // What each leaf's reveal and re-execution yield: found or not.
            let caught: Vec<bool> = (0..100u32)
                .map(|i| {
                    let item = tb.item(i);
                    match item.check(&batch) {
                        Ok(_) => {
                            tb.receipts()[i as usize].output_commitment != tb.truth[i as usize]
                        }
                        Err(anchor_lang::error::Error::AnchorError(e)) => {
                            assert_eq!(e.error_code_number, u32::from(E::WorkUnitsMismatch));
                            true
                        }
                        Err(e) => panic!("unexpected refusal {e:?}"),
                    }
                })
                .collect();
            assert_eq!(caught.iter().filter(|c| **c).count(), 1);
            assert!(caught[99]);
            let g = heavy as f64 / tb.total_work() as f64;
            let draws = 10_000u32;
            let hits = (0..draws)
                .filter(|s| {
                    let seed = edgefuel::proof::hashv(&[b"draw", &s.to_le_bytes()]);
                    let points = edgefuel::proof::sample_points(&seed, tb.total_work(), k);
                    let leaves = tb.rb.sampled_leaves(&points).unwrap();
                    leaves.iter().any(|l| caught[*l as usize])
                })
                .count();
            let p = 1.0 - (1.0 - g).powi(k as i32);
            let empirical = hits as f64 / draws as f64;
            let sigma = (p * (1.0 - p) / draws as f64).sqrt();
            println!(
                "f = {f_pct:>2} % ({}): detected {empirical:.4}, predicted {p:.4} ± {:.4}",
                if inflate {
                    "inflated work"
                } else {
                    "faked output"
                },
                3.0 * sigma
            );
            assert!(
                (empirical - p).abs() <= 3.0 * sigma,
                "f = {f_pct} %: {empirical} vs {p}"
            );
        }
    }
}

/// The batch account a node's `tb` would have on-chain once sealed (for the
/// off-chain simulation above, which runs the program's reveal check).
fn batch_account(tb: &TestBatch) -> edgefuel::Batch {
    edgefuel::fuzz::sealed_batch(
        tb.rb.node(),
        tb.seq,
        tb.rb.tree().root(),
        tb.rb.leaf_count(),
    )
}

/// Exposure is backed by stake that stays: unbonding stake may be withdrawn
/// before a batch is settled, so it does not raise the exposure cap (it used
/// to: 19 000 unbonding EFUEL let a 1 000 EFUEL operator put 1 000 EFUEL of
/// unverified reward in flight, and a slash after the withdrawal landed on
/// the operator's minimum alone).
#[tokio::test]
async fn unbonding_stake_does_not_back_new_work() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let leaver = t.funded_actor(19_000 * EFUEL).await;
    t.delegate(&leaver, &op.pubkey(), 19_000 * EFUEL)
        .await
        .unwrap();
    t.undelegate(&leaver, &op.pubkey(), 19_000 * EFUEL)
        .await
        .unwrap();
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (n.pool_tokens, n.bonded_tokens().unwrap()),
        (20_000 * EFUEL, MIN)
    );
    // Cap: 5 % of the 1 000 bonded EFUEL = 50 EFUEL of reward (not 5 % of
    // the 20 000 in the pool).
    let mut shapes = vec![gemm_with_work(5 * EFUEL); 10];
    shapes.push(gemm_with_work(1));
    let mut over = TestBatch::with_shapes(&op.pubkey(), 1, shapes, &[]);
    over.epoch = (t.now().await / default_params().epoch_seconds) as u64;
    let keys = [pda::network(), pda::node(&op.pubkey()), over.key()];
    let snap = t.snapshot(&keys).await;
    assert_err(t.submit(&op, &over).await, E::ExposureExceeded);
    assert_eq!(t.snapshot(&keys).await, snap);
    let at_cap = t.batch_now(&op.pubkey(), 1, 10, 5 * EFUEL, &[]).await;
    t.submit(&op, &at_cap).await.unwrap();
    assert_eq!(t.node(&op.pubkey()).await.pending_work, 50 * EFUEL);
}

/// Sequence numbers cannot be exhausted: a compromised agent key that
/// submits `seq = u64::MAX` is refused (it used to succeed, after which no
/// seq could ever be greater and the node could never submit again).
#[tokio::test]
async fn agent_key_cannot_exhaust_sequence_numbers() {
    let (mut t, op, _, _) = pool().await;
    let agent = t.actor().await;
    t.set_agent_key(&op, &op.pubkey(), agent.pubkey())
        .await
        .unwrap();
    let max = TestBatch::new(&op.pubkey(), u64::MAX, 8, WORK_PER_LEAF, &[]);
    let keys = [pda::node(&op.pubkey()), max.key()];
    let snap = t.snapshot(&keys).await;
    assert_err(t.submit(&agent, &max).await, E::SeqNotNext);
    assert_eq!(t.snapshot(&keys).await, snap);
    // The node goes on with 1, 2, …
    for seq in 1..=2 {
        let tb = TestBatch::new(&op.pubkey(), seq, 8, WORK_PER_LEAF, &[]);
        t.submit(&agent, &tb).await.unwrap();
        assert_eq!(t.node(&op.pubkey()).await.last_batch_seq, seq);
    }
}
