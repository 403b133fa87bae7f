//! Governance: proposals, votes, finalization, timelocked execution.
#![allow(clippy::unwrap_used)]
// solana-program-test 3.x marks its API "unstable" (deprecated); it is the pinned harness.
#![allow(deprecated)]
use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use edgefuel::{
    pda, BatchStatus, NodeStatus, PauseScope, ProposalAction, ProposalStatus, Verdict, VoteChoice,
};
use edgefuel_tests::anchor_codes::*;
use edgefuel_tests::solana_keypair::Keypair;
use edgefuel_tests::solana_signer::Signer;
use edgefuel_tests::*;

const MIN: u64 = 1_000 * EFUEL;

/// Operator 1 000 (self), Alice 1 000, Bob 2 000: 4 000 bonded.
async fn dao() -> (TestContext, Keypair, Keypair, Keypair) {
    let mut t = TestContext::new().await;
    let (op, alice, bob) = t.node_with_stakers(0).await;
    // Stake must predate a proposal to vote on it.
    t.advance_time(1).await;
    (t, op, alice, bob)
}

#[tokio::test]
async fn param_update_changes_the_next_batchs_sampling() {
    let (mut t, op, alice, bob) = dao().await;
    let mut params = default_params();
    params.sample_bps = 200;
    params.min_samples = 16;
    let id = t
        .propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(params))
        .await
        .unwrap();
    assert_eq!(id, 0);
    let p = t.proposal(id).await;
    assert_eq!(p.status, ProposalStatus::Voting);
    assert_eq!(p.total_bonded_snapshot, 4_000 * EFUEL);
    assert_eq!(
        p.voting_ends_at,
        START_TIME + 1 + default_params().voting_seconds
    );
    assert_eq!(t.network().await.proposal_count, 1);

    t.cast_vote(&alice, &op.pubkey(), id, VoteChoice::Yes)
        .await
        .unwrap();
    t.cast_vote(&bob, &op.pubkey(), id, VoteChoice::No)
        .await
        .unwrap();
    t.cast_vote(&op, &op.pubkey(), id, VoteChoice::Yes)
        .await
        .unwrap();
    let p = t.proposal(id).await;
    assert_eq!(
        (p.yes, p.no, p.abstain, p.voter_count),
        (2_000 * EFUEL, 2_000 * EFUEL, 0, 3)
    );
    // Finalize early.
    assert_err(t.finalize_proposal(id).await, E::VotingNotEnded);
    t.advance_time(default_params().voting_seconds).await;
    t.finalize_proposal(id).await.unwrap();
    // 2 000 yes vs 2 000 no is not a majority above 50 %.
    assert_eq!(t.proposal(id).await.status, ProposalStatus::Defeated);
    assert_err(t.execute_proposal(id, None).await, E::ProposalNotPassed);

    // Second try: Bob abstains.
    let id = t
        .propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(params))
        .await
        .unwrap();
    t.advance_time(1).await;
    t.cast_vote(&bob, &op.pubkey(), id, VoteChoice::Abstain)
        .await
        .unwrap();
    t.pass(id, &[(&alice, &op.pubkey())]).await;
    let p = t.proposal(id).await;
    assert_eq!(p.status, ProposalStatus::Passed);
    assert_eq!(
        p.executable_at,
        p.voting_ends_at + default_params().timelock_seconds
    );
    t.execute_proposal(id, None).await.unwrap();
    assert_eq!(t.proposal(id).await.status, ProposalStatus::Executed);
    assert_eq!(t.network().await.params, params);
    // Execute twice.
    assert_err(t.execute_proposal(id, None).await, E::ProposalNotPassed);

    // The next batch is sampled at 2 %: 1 024 leaves → 21 samples.
    let tb = t.batch_now(&op.pubkey(), 1, 1_024, 1_000, &[]).await;
    t.submit(&op, &tb).await.unwrap();
    t.warp_slots(params.seal_delay_slots + 1).await;
    t.seal(&tb.key()).await.unwrap();
    assert_eq!(t.batch(&tb.key()).await.unwrap().sample().len(), 21);
}

#[tokio::test]
async fn timelock_and_execution_refusals() {
    let (mut t, op, alice, _) = dao().await;
    let g = Pubkey::new_unique();
    let id = t
        .propose(&alice, &op.pubkey(), ProposalAction::SetGuardian(g))
        .await
        .unwrap();
    // Executing while voting.
    assert_err(t.execute_proposal(id, None).await, E::ProposalNotPassed);
    t.cast_vote(&op, &op.pubkey(), id, VoteChoice::Yes)
        .await
        .unwrap();
    let end = t.proposal(id).await.voting_ends_at;
    let now = t.now().await;
    t.advance_time(end - now).await;
    t.finalize_proposal(id).await.unwrap();
    assert_err(t.finalize_proposal(id).await, E::ProposalNotVoting);
    // One second before the timelock ends.
    t.advance_time(default_params().timelock_seconds - 1).await;
    let snap = t.snapshot(&[pda::network(), pda::proposal(id)]).await;
    assert_err(t.execute_proposal(id, None).await, E::TimelockNotElapsed);
    assert_eq!(t.snapshot(&[pda::network(), pda::proposal(id)]).await, snap);
    t.advance_time(1).await;
    t.execute_proposal(id, None).await.unwrap();
    assert_eq!(t.network().await.guardian, g);
}

#[tokio::test]
async fn guardian_change_moves_the_pause_power() {
    let (mut t, op, alice, _) = dao().await;
    let new_guardian = t.actor().await;
    let id = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::SetGuardian(new_guardian.pubkey()),
        )
        .await
        .unwrap();
    t.pass(id, &[(&op, &op.pubkey()), (&alice, &op.pubkey())])
        .await;
    t.execute_proposal(id, None).await.unwrap();
    let old = t.guardian.insecure_clone();
    assert_err(t.pause(&old, PauseScope::All, true).await, E::NotGuardian);
    t.pause(&new_guardian, PauseScope::All, true).await.unwrap();
}

#[tokio::test]
async fn verifier_set_changes_change_who_may_vote() {
    let (mut t, op, alice, _) = dao().await;
    let voters = [(&op, &op.pubkey()), (&alice, &op.pubkey())];
    let removed = t.verifiers[2].insecure_clone();
    let id = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::RemoveVerifier(removed.pubkey()),
        )
        .await
        .unwrap();
    t.pass(id, &voters).await;
    t.execute_proposal(id, None).await.unwrap();
    let n = t.network().await;
    assert_eq!((n.verifier_count, n.verifier_threshold), (2, 2));
    assert!(!n.is_verifier(&removed.pubkey()));

    // The removed verifier can no longer vote on batches.
    let tb = t.batch_now(&op.pubkey(), 1, 8, 1_000, &[]).await;
    t.commit_and_reveal(&op, &tb).await;
    assert_err(
        t.vote(&removed, &tb.key(), Verdict::Valid).await,
        E::NotVerifier,
    );

    // Removing another would leave threshold 2 > set size 1: refused at creation.
    let newcomer = Keypair::new();
    assert_err(
        t.propose(
            &alice,
            &op.pubkey(),
            ProposalAction::RemoveVerifier(t.verifiers[1].pubkey()),
        )
        .await,
        E::InvalidThreshold,
    );
    // Threshold 3 of 2 is refused, and so is 1 of 2 (not a majority).
    assert_err(
        t.propose(
            &alice,
            &op.pubkey(),
            ProposalAction::SetVerifierThreshold(3),
        )
        .await,
        E::InvalidThreshold,
    );
    assert_err(
        t.propose(
            &alice,
            &op.pubkey(),
            ProposalAction::SetVerifierThreshold(1),
        )
        .await,
        E::InvalidThreshold,
    );
    assert_err(
        t.propose(
            &alice,
            &op.pubkey(),
            ProposalAction::RemoveVerifier(newcomer.pubkey()),
        )
        .await,
        E::InvalidAction,
    );
    assert_err(
        t.propose(
            &alice,
            &op.pubkey(),
            ProposalAction::AddVerifier(t.verifiers[0].pubkey()),
        )
        .await,
        E::InvalidVerifierSet,
    );
}

#[tokio::test]
async fn threshold_then_add_verifier() {
    let (mut t, op, alice, _) = dao().await;
    let voters = [(&op, &op.pubkey()), (&alice, &op.pubkey())];
    let id = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::SetVerifierThreshold(3),
        )
        .await
        .unwrap();
    t.pass(id, &voters).await;
    t.execute_proposal(id, None).await.unwrap();
    assert_eq!(t.network().await.verifier_threshold, 3);
    let newcomer = Keypair::new();
    let id = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::AddVerifier(newcomer.pubkey()),
        )
        .await
        .unwrap();
    t.pass(id, &voters).await;
    t.execute_proposal(id, None).await.unwrap();
    let n = t.network().await;
    assert_eq!((n.verifier_count, n.verifier_threshold), (4, 3));
    assert!(n.is_verifier(&newcomer.pubkey()));
}

#[tokio::test]
async fn treasury_transfer_moves_exactly_the_amount_or_fails_cleanly() {
    let (mut t, op, alice, bob) = dao().await;
    // Fill the treasury with 500 EFUEL.
    let whale = t.whale.insecure_clone();
    let ix = spl_token::instruction::transfer(
        &spl_token::ID,
        &t.ata(&whale.pubkey()),
        &pda::treasury(),
        &whale.pubkey(),
        &[],
        500 * EFUEL,
    )
    .unwrap();
    t.send(&[ix], &[&whale]).await.unwrap();
    let to = t.ata(&bob.pubkey());
    let bob_before = t.efuel(&bob.pubkey()).await;
    let voters = [(&op, &op.pubkey()), (&alice, &op.pubkey())];
    let id = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::TreasuryTransfer {
                to,
                amount: 123 * EFUEL,
            },
        )
        .await
        .unwrap();
    // A second transfer that the treasury will no longer cover at execution.
    let id2 = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::TreasuryTransfer {
                to,
                amount: 400 * EFUEL,
            },
        )
        .await
        .unwrap();
    t.advance_time(1).await;
    t.cast_vote(&op, &op.pubkey(), id2, VoteChoice::Yes)
        .await
        .unwrap();
    t.cast_vote(&alice, &op.pubkey(), id2, VoteChoice::Yes)
        .await
        .unwrap();
    t.pass(id, &voters).await;
    t.finalize_proposal(id2).await.unwrap();
    // Missing or wrong destination account: refused, nothing changes.
    let snap = t.snapshot(&[pda::proposal(id), pda::treasury(), to]).await;
    assert_err(t.execute_proposal(id, None).await, E::WrongProposalAccounts);
    assert_err(
        t.execute_proposal(id, Some(t.ata(&alice.pubkey()))).await,
        E::WrongProposalAccounts,
    );
    assert_eq!(
        t.snapshot(&[pda::proposal(id), pda::treasury(), to]).await,
        snap
    );
    t.execute_proposal(id, Some(to)).await.unwrap();
    assert_eq!(t.efuel(&bob.pubkey()).await, bob_before + 123 * EFUEL);
    assert_eq!(t.balance(&pda::treasury()).await, 377 * EFUEL);
    // 400 > 377: the proposal fails cleanly and can never execute.
    t.execute_proposal(id2, Some(to)).await.unwrap();
    assert_eq!(t.proposal(id2).await.status, ProposalStatus::Failed);
    assert_eq!(t.balance(&pda::treasury()).await, 377 * EFUEL);
    assert_err(
        t.execute_proposal(id2, Some(to)).await,
        E::ProposalNotPassed,
    );
}

#[tokio::test]
async fn governance_unjails_a_node_early() {
    let (mut t, op, alice, _) = dao().await;
    let tb = t
        .batch_now(&op.pubkey(), 1, 8, 1_000, &[0, 1, 2, 3, 4, 5, 6, 7])
        .await;
    t.commit_and_reveal(&op, &tb).await;
    let bad = t.sampled_leaves(&tb).await[0];
    let ev = Verdict::Invalid {
        leaf_index: bad,
        expected_commitment: tb.truth[bad as usize],
    };
    let v0 = t.verifiers[0].insecure_clone();
    let v1 = t.verifiers[1].insecure_clone();
    t.vote(&v0, &tb.key(), ev).await.unwrap();
    t.vote(&v1, &tb.key(), ev).await.unwrap();
    let acc = t.verifier_accounts().await;
    t.finalize(&tb, &acc[..2]).await.unwrap();
    assert_eq!(
        t.batch(&tb.key()).await.unwrap().status,
        BatchStatus::Rejected
    );
    assert_eq!(t.node(&op.pubkey()).await.status, NodeStatus::Jailed);
    t.advance_time(1).await;
    let node = pda::node(&op.pubkey());
    let id = t
        .propose(&alice, &op.pubkey(), ProposalAction::UnjailNode(node))
        .await
        .unwrap();
    t.advance_time(1).await;
    // Stake votes at its slashed value: 900 + 900.
    t.cast_vote(&op, &op.pubkey(), id, VoteChoice::Yes)
        .await
        .unwrap();
    t.pass(id, &[(&alice, &op.pubkey())]).await;
    assert_eq!(t.proposal(id).await.yes, 1_800 * EFUEL);
    assert!(t.now().await < t.node(&op.pubkey()).await.jailed_until + 10 * 86_400);
    t.execute_proposal(id, Some(node)).await.unwrap();
    assert_eq!(t.proposal(id).await.status, ProposalStatus::Executed);
    assert_eq!(t.node(&op.pubkey()).await.status, NodeStatus::Active);
}

#[tokio::test]
async fn voting_refusals_and_vote_lock() {
    let (mut t, op, alice, bob) = dao().await;
    let weak = t.funded_actor(100 * EFUEL - 1).await;
    t.delegate(&weak, &op.pubkey(), 100 * EFUEL - 1)
        .await
        .unwrap();
    t.advance_time(1).await;
    // Below proposal stake (100 EFUEL).
    assert_err(
        t.propose(
            &weak,
            &op.pubkey(),
            ProposalAction::SetGuardian(Pubkey::new_unique()),
        )
        .await,
        E::BelowProposalStake,
    );
    // No delegation at all (the guardian has none): cannot propose.
    let g = t.guardian.insecure_clone();
    t.fund_efuel(&g.pubkey(), 0).await;
    let sol = anchor_lang::solana_program::system_instruction::transfer(
        &t.payer(),
        &g.pubkey(),
        1_000_000_000,
    );
    t.send(&[sol], &[]).await.unwrap();
    assert_code(
        t.propose(&g, &op.pubkey(), ProposalAction::SetGuardian(g.pubkey()))
            .await,
        ACCOUNT_NOT_INITIALIZED,
    );

    let id = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::SetGuardian(Pubkey::new_unique()),
        )
        .await
        .unwrap();
    t.advance_time(1).await;
    t.cast_vote(&alice, &op.pubkey(), id, VoteChoice::Yes)
        .await
        .unwrap();
    let snap = t.snapshot(&[pda::proposal(id)]).await;
    // Vote twice.
    assert_err(
        t.cast_vote(&alice, &op.pubkey(), id, VoteChoice::No).await,
        E::AlreadyVoted,
    );
    // Fresh stake: Carol delegates after the proposal opened.
    let carol = t.funded_actor(500 * EFUEL).await;
    t.delegate(&carol, &op.pubkey(), 500 * EFUEL).await.unwrap();
    assert_err(
        t.cast_vote(&carol, &op.pubkey(), id, VoteChoice::Yes).await,
        E::FreshStake,
    );
    // Topping up an old delegation also makes it fresh.
    t.fund_efuel(&bob.pubkey(), EFUEL).await;
    t.delegate(&bob, &op.pubkey(), EFUEL).await.unwrap();
    assert_err(
        t.cast_vote(&bob, &op.pubkey(), id, VoteChoice::Yes).await,
        E::FreshStake,
    );
    assert_eq!(t.snapshot(&[pda::proposal(id)]).await, snap);
    // Alice's delegation is locked until the vote ends.
    let shares = t
        .delegation(&op.pubkey(), &alice.pubkey())
        .await
        .unwrap()
        .bonded_shares;
    assert_err(
        t.undelegate(&alice, &op.pubkey(), shares).await,
        E::StakeLockedByVote,
    );
    // Cancel by someone else, then by the proposer.
    assert_err(t.cancel_proposal(&bob, id).await, E::NotProposer);
    t.cancel_proposal(&alice, id).await.unwrap();
    assert_eq!(t.proposal(id).await.status, ProposalStatus::Cancelled);
    assert_err(
        t.cast_vote(&op, &op.pubkey(), id, VoteChoice::Yes).await,
        E::ProposalNotVoting,
    );
    assert_err(t.cancel_proposal(&alice, id).await, E::ProposalNotVoting);
    // After the vote's end the lock lifts.
    t.advance_time(default_params().voting_seconds).await;
    t.undelegate(&alice, &op.pubkey(), shares).await.unwrap();

    // Vote after the end of another proposal.
    let id2 = t
        .propose(
            &op,
            &op.pubkey(),
            ProposalAction::SetGuardian(Pubkey::new_unique()),
        )
        .await
        .unwrap();
    t.advance_time(default_params().voting_seconds).await;
    assert_err(
        t.cast_vote(&op, &op.pubkey(), id2, VoteChoice::Yes).await,
        E::VotingEnded,
    );
    assert_err(t.cancel_proposal(&op, id2).await, E::VotingEnded);
    // No votes, no quorum.
    t.finalize_proposal(id2).await.unwrap();
    assert_eq!(t.proposal(id2).await.status, ProposalStatus::Defeated);
}

#[tokio::test]
async fn quorum_and_threshold_edges() {
    // Bonded: operator 1 000, Alice 1 000, Carol 1 000 − 1 unit, Bob 2 000 + 1 unit = 5 000.
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(1_000 * EFUEL).await;
    let carol = t.funded_actor(1_000 * EFUEL - 1).await;
    let bob = t.funded_actor(2_000 * EFUEL + 1).await;
    t.delegate(&alice, &op.pubkey(), 1_000 * EFUEL)
        .await
        .unwrap();
    t.delegate(&carol, &op.pubkey(), 1_000 * EFUEL - 1)
        .await
        .unwrap();
    t.delegate(&bob, &op.pubkey(), 2_000 * EFUEL + 1)
        .await
        .unwrap();
    assert_eq!(t.network().await.total_bonded, 5_000 * EFUEL);
    t.advance_time(1).await;
    let action = || ProposalAction::SetGuardian(Pubkey::new_unique());
    let a = t.propose(&op, &op.pubkey(), action()).await.unwrap();
    let b = t.propose(&op, &op.pubkey(), action()).await.unwrap();
    let c = t.propose(&op, &op.pubkey(), action()).await.unwrap();
    let d = t.propose(&op, &op.pubkey(), action()).await.unwrap();
    t.advance_time(1).await;
    // A: turnout exactly 20 % (quorum_bps 2 000) → passes.
    t.cast_vote(&alice, &op.pubkey(), a, VoteChoice::Yes)
        .await
        .unwrap();
    // B: turnout 20 % − 1 unit → fails.
    t.cast_vote(&carol, &op.pubkey(), b, VoteChoice::Yes)
        .await
        .unwrap();
    // C: yes == no → not above 50 % → fails.
    t.cast_vote(&op, &op.pubkey(), c, VoteChoice::Yes)
        .await
        .unwrap();
    t.cast_vote(&alice, &op.pubkey(), c, VoteChoice::No)
        .await
        .unwrap();
    // D: yes = no + 1 unit → passes.
    t.cast_vote(&op, &op.pubkey(), d, VoteChoice::Yes)
        .await
        .unwrap();
    t.cast_vote(&carol, &op.pubkey(), d, VoteChoice::No)
        .await
        .unwrap();
    t.advance_time(default_params().voting_seconds).await;
    for id in [a, b, c, d] {
        t.finalize_proposal(id).await.unwrap();
    }
    assert_eq!(t.proposal(a).await.status, ProposalStatus::Passed);
    assert_eq!(t.proposal(b).await.status, ProposalStatus::Defeated);
    assert_eq!(t.proposal(c).await.status, ProposalStatus::Defeated);
    assert_eq!(t.proposal(d).await.status, ProposalStatus::Passed);
    let _ = bob;
}

#[tokio::test]
async fn params_breaking_a_bound_or_the_incentive_rule_are_refused() {
    let (mut t, op, alice, _) = dao().await;
    let mut p = default_params();
    p.max_commission_bps = 10_001;
    assert_err(
        t.propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(p))
            .await,
        E::InvalidParams,
    );
    // Incentive rule, f_min = 10 %: the cheapest exit a node has once its
    // sample is known (the smaller of the fraud slash and the unsealed-batch
    // slash) must exceed exposure · q / (1 − q) with q = 0.9^k. Each row:
    // (min_samples, max_exposure_bps, the largest refused slash, the
    // smallest accepted).
    //   k = 8, 500 bps:   q = 0.43046721 → 377.9 bps
    //   k = 4, 500 bps:   q = 0.6561     → 953.5 bps
    //   k = 8, 1 000 bps:                   755.8 bps
    for (k, exposure, refused, accepted) in
        [(8, 500, 377, 378), (4, 500, 953, 954), (8, 1_000, 755, 756)]
    {
        let mut p = default_params();
        p.min_samples = k;
        p.max_exposure_bps = exposure;
        p.slash_unavailable_bps = refused;
        p.slash_fraud_bps = refused;
        assert_err(
            t.propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(p))
                .await,
            E::IncentiveRuleViolated,
        );
        p.slash_unavailable_bps = accepted;
        p.slash_fraud_bps = accepted;
        t.propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(p))
            .await
            .unwrap();
    }
    // A high fraud slash does not help when letting the batch go unsealed is
    // cheap: 10 % fraud with a 2 % unsealed slash made cheating pay.
    let mut p = default_params();
    p.slash_fraud_bps = 1_000;
    p.slash_unavailable_bps = 200;
    assert_err(
        t.propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(p))
            .await,
        E::IncentiveRuleViolated,
    );
    p.slash_unavailable_bps = 377;
    assert!(p.validate().is_err());
    p.slash_unavailable_bps = 378;
    p.validate().unwrap();
    // The same rule guards initialize_network.
    let mut p = default_params();
    p.slash_fraud_bps = 377;
    p.slash_unavailable_bps = 377;
    assert!(p.validate().is_err());
}

#[tokio::test]
async fn a_passed_proposal_that_no_longer_validates_fails_cleanly() {
    let (mut t, op, alice, _) = dao().await;
    let voters = [(&op, &op.pubkey()), (&alice, &op.pubkey())];
    // Both valid when created: raise the threshold to 3 of 3, and remove a
    // verifier. Once the first executes, the second would leave threshold 3
    // over a set of 2: it must fail cleanly, changing nothing.
    let id0 = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::SetVerifierThreshold(3),
        )
        .await
        .unwrap();
    let id1 = t
        .propose(
            &alice,
            &op.pubkey(),
            ProposalAction::RemoveVerifier(t.verifiers[2].pubkey()),
        )
        .await
        .unwrap();
    t.advance_time(1).await;
    for (v, n) in &voters {
        t.cast_vote(v, n, id1, VoteChoice::Yes).await.unwrap();
    }
    t.pass(id0, &voters).await;
    t.finalize_proposal(id1).await.unwrap();
    t.execute_proposal(id0, None).await.unwrap();
    // Removing one of 3 verifiers with threshold 3 leaves threshold > set size.
    let before = t.network().await;
    t.execute_proposal(id1, None).await.unwrap();
    assert_eq!(t.proposal(id1).await.status, ProposalStatus::Failed);
    let after = t.network().await;
    assert_eq!(
        (after.verifier_count, after.verifier_threshold),
        (before.verifier_count, 3)
    );
    assert_err(t.execute_proposal(id1, None).await, E::ProposalNotPassed);
}

#[tokio::test]
async fn nobody_but_governance_changes_params() {
    let (mut t, _op, _, _) = dao().await;
    let before = t.network().await.params;
    // The guardian's only powers are pause and unpause.
    let g = t.guardian.insecure_clone();
    t.pause(&g, PauseScope::All, true).await.unwrap();
    t.pause(&g, PauseScope::All, false).await.unwrap();
    // Re-initializing (the deployer's only entry point) is refused.
    let ix = t.initialize_ix(default_params(), g.pubkey(), vec![g.pubkey()], 1, 0);
    assert!(t.send(&[ix], &[]).await.is_err());
    assert_eq!(t.network().await.params, before);
    // The program exposes exactly these instructions: none but
    // execute_proposal writes params after initialization.
    let idl: serde_json::Value =
        serde_json::from_str(include_str!("../../programs/edgefuel/idl/edgefuel.json")).unwrap();
    let names: Vec<&str> = idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    for expected in [
        "create_proposal",
        "cast_vote",
        "finalize_proposal",
        "execute_proposal",
        "cancel_proposal",
    ] {
        assert!(names.contains(&expected), "IDL lists {expected}");
    }
}

/// Nothing stranded by a parameter change: a batch with a Valid quorum is
/// paid at the rate fixed when it was committed, and a cap lowered below its
/// reward for good cannot hold it forever — after `MAX_DEFERRAL_EPOCHS` it is
/// accepted with what the epoch budget has left, so its rent and the node's
/// in-flight work are released. (It used to fail EmissionCapExceeded in
/// every epoch: unfinalizable and unclosable.)
#[tokio::test]
async fn lowered_emission_cap_does_not_strand_a_valid_batch() {
    let (mut t, op, alice, _) = dao().await;
    // 10 leaves of 10 EFUEL of work at 1 unit/work: 100 EFUEL.
    let tb = t.batch_now(&op.pubkey(), 1, 10, 10 * EFUEL, &[]).await;
    t.commit_and_reveal(&op, &tb).await;
    for i in 0..2 {
        let v = t.verifiers[i].insecure_clone();
        t.vote(&v, &tb.key(), Verdict::Valid).await.unwrap();
    }
    assert_eq!(t.batch(&tb.key()).await.unwrap().reward_rate, 1);

    // Governance lowers the cap to 40 EFUEL and triples the rate.
    let mut params = default_params();
    params.epoch_emission_cap = 40 * EFUEL;
    params.reward_per_work_unit = 3;
    let id = t
        .propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(params))
        .await
        .unwrap();
    t.advance_time(1).await;
    t.pass(id, &[(&alice, &op.pubkey()), (&op, &op.pubkey())])
        .await;
    t.execute_proposal(id, None).await.unwrap();
    assert_eq!(t.network().await.params, params);
    let epoch_now = (t.now().await / params.epoch_seconds) as u64;
    assert!(epoch_now >= tb.epoch + edgefuel::constants::MAX_DEFERRAL_EPOCHS);

    // Past the deferral: accepted with the 40 EFUEL the budget holds (at the
    // batch's own rate it earned 100, at today's it would be 300). Accepted
    // two or more epochs after its own, its pool part is not minted (the
    // commission, 0 here, would be).
    assert!(epoch_now >= tb.epoch + 2);
    t.finalize(&tb, &[]).await.unwrap();
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!((b.status, b.reward), (BatchStatus::Accepted, 40 * EFUEL));
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (n.pending_work, n.pending_batches, n.verified_work),
        (0, 0, 100 * EFUEL)
    );
    let net = t.network().await;
    assert_eq!(
        (net.epoch_emitted, net.total_rewards_accrued),
        (40 * EFUEL, 0)
    );
    // Final, so its rent goes back to the operator.
    t.close_batch(&tb).await.unwrap();
    assert!(t.batch(&tb.key()).await.is_none());
}

/// Governance stays live: params that would let nothing pass again (a
/// near-unanimous threshold, a quorum above half, a proposal stake above
/// what an operator needs) are refused, by governance itself too.
#[tokio::test]
async fn governance_cannot_brick_itself() {
    let (mut t, op, alice, _) = dao().await;
    type Brick = fn(&mut edgefuel::Params);
    let bricks: [(&str, Brick); 3] = [
        ("approval 100 %", |p| p.approval_threshold_bps = 10_000),
        ("quorum 100 %", |p| p.quorum_bps = 10_000),
        ("proposal stake = all supply", |p| {
            p.min_proposal_stake = GENESIS_SUPPLY
        }),
    ];
    for (name, brick) in bricks {
        let mut p = default_params();
        brick(&mut p);
        let count = t.network().await.proposal_count;
        assert_err(
            t.propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(p))
                .await,
            E::InvalidParams,
        );
        assert_eq!(t.network().await.proposal_count, count, "{name}");
    }
    // The highest allowed values still validate.
    let mut p = default_params();
    p.approval_threshold_bps = 8_000;
    p.quorum_bps = 5_000;
    p.min_proposal_stake = p.min_node_stake;
    p.validate().unwrap();
}

/// A passed proposal expires if nobody executes it within the execution
/// window; executing it then applies nothing.
#[tokio::test]
async fn passed_proposal_expires_after_the_execution_window() {
    let (mut t, op, alice, _) = dao().await;
    let g = Pubkey::new_unique();
    let id = t
        .propose(&alice, &op.pubkey(), ProposalAction::SetGuardian(g))
        .await
        .unwrap();
    t.pass(id, &[(&alice, &op.pubkey()), (&op, &op.pubkey())])
        .await;
    let p = t.proposal(id).await;
    let deadline = p.executable_at + edgefuel::constants::EXECUTION_WINDOW_SECONDS;
    let now = t.now().await;
    t.advance_time(deadline - now + 1).await;
    let guardian = t.network().await.guardian;
    t.execute_proposal(id, None).await.unwrap();
    let p = t.proposal(id).await;
    assert_eq!(
        (p.status, p.executed_at),
        (ProposalStatus::Expired, deadline + 1)
    );
    assert_eq!(t.network().await.guardian, guardian);
    assert_err(t.execute_proposal(id, None).await, E::ProposalNotPassed);
}

/// An older params proposal executed after a newer one changed the params
/// would silently undo that change: it fails instead (params version).
#[tokio::test]
async fn stale_params_proposal_cannot_undo_a_newer_change() {
    let (mut t, op, alice, _) = dao().await;
    let mut older = default_params();
    older.sample_bps = 200;
    let mut newer = default_params();
    newer.jail_seconds = 3_600;
    let a = t
        .propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(older))
        .await
        .unwrap();
    let b = t
        .propose(&alice, &op.pubkey(), ProposalAction::UpdateParams(newer))
        .await
        .unwrap();
    assert_eq!(t.proposal(a).await.params_version, 1);
    t.advance_time(1).await;
    for id in [a, b] {
        for voter in [&alice, &op] {
            t.cast_vote(voter, &op.pubkey(), id, VoteChoice::Yes)
                .await
                .unwrap();
        }
    }
    t.advance_time(default_params().voting_seconds).await;
    for id in [a, b] {
        t.finalize_proposal(id).await.unwrap();
    }
    t.advance_time(default_params().timelock_seconds).await;
    // The newer change lands first.
    t.execute_proposal(b, None).await.unwrap();
    assert_eq!(t.network().await.params, newer);
    assert_eq!(t.network().await.params_version, 2);
    // The older one would put jail_seconds back: refused, nothing applied.
    t.execute_proposal(a, None).await.unwrap();
    assert_eq!(t.proposal(a).await.status, ProposalStatus::Failed);
    assert_eq!(t.network().await.params, newer);
    assert_eq!(t.network().await.params_version, 2);
}
