//! Stake activation: rewards follow the stake that backed the work. Stake
//! delegated in epoch `d` earns only from batches committed in epochs
//! `≥ d + 1`; a batch's pool part goes to the stake that earns for its
//! epoch, and is not minted when the batch is accepted two or more epochs
//! after its own.
#![allow(clippy::unwrap_used)]
use edgefuel::{pda, BatchStatus, StakeCohort, Verdict};
use edgefuel_client::ix::{self, StakeEpochs};
use edgefuel_tests::solana_keypair::Keypair;
use edgefuel_tests::solana_signer::Signer;
use edgefuel_tests::*;

const MIN: u64 = 1_000 * EFUEL;
/// Work per leaf: 16 leaves earn R = 16 × 3 = 48 EFUEL at one unit per
/// work unit (within the 5 % exposure of 1 000 EFUEL).
const WORK: u64 = 3 * EFUEL;
const R: u64 = 48 * EFUEL;

/// A batch of 16 leaves committed now, revealed and voted Valid (not yet
/// finalized).
async fn voted(t: &mut TestContext, op: &Keypair, seq: u64) -> TestBatch {
    let tb = t.batch_now(&op.pubkey(), seq, 16, WORK, &[]).await;
    t.commit_and_reveal(op, &tb).await;
    for i in 0..2 {
        let v = t.verifiers[i].insecure_clone();
        t.vote(&v, &tb.key(), Verdict::Valid).await.unwrap();
    }
    tb
}

/// What `who` receives from a claim on `op`'s node.
async fn claimed(t: &mut TestContext, who: &Keypair, op: &Keypair) -> u64 {
    let before = t.efuel(&who.pubkey()).await;
    t.claim(who, &op.pubkey()).await.unwrap();
    t.efuel(&who.pubkey()).await - before
}

/// The attack the rule closes: delegate → finalize → undelegate in one
/// transaction used to take a share of a reward the stake never backed.
#[tokio::test]
async fn stake_delegated_after_a_commit_takes_no_share_of_its_reward() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(1_000, MIN).await; // 10 % commission
    t.next_epoch().await;
    let tb = voted(&mut t, &op, 1).await;
    let mallory = t.funded_actor(10 * MIN).await;
    let node = pda::node(&op.pubkey());
    let ata = t.ata(&mallory.pubkey());
    let delegate = t
        .delegate_ix(&mallory.pubkey(), &node, &ata, 10 * MIN)
        .await;
    let finalize = t.finalize_ix(&tb, &[]).await;
    let undelegate = t.undelegate_ix(&mallory.pubkey(), &node, 10 * MIN).await;
    t.send(&[delegate, finalize, undelegate], &[&mallory])
        .await
        .unwrap();
    assert_eq!(
        t.batch(&tb.key()).await.unwrap().status,
        BatchStatus::Accepted
    );
    let d = t.delegation(&op.pubkey(), &mallory.pubkey()).await.unwrap();
    assert_eq!(
        (
            d.bonded_shares,
            d.unbonding_shares,
            d.activating_shares,
            d.pending_rewards
        ),
        (0, 10 * MIN, 0, 0)
    );
    assert_err(t.claim(&mallory, &op.pubkey()).await, E::NothingToClaim);
    // The operator's stake backed the batch alone: the commission and the
    // whole pool part.
    assert_eq!(claimed(&mut t, &op, &op).await, R);
    assert_eq!(t.mint_supply().await, GENESIS_SUPPLY + R);
}

#[tokio::test]
async fn stake_earns_from_batches_of_the_epoch_after_it_was_delegated() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(MIN).await;
    t.next_epoch().await;
    let epoch = t.current_epoch().await;
    let b1 = voted(&mut t, &op, 1).await;
    t.delegate(&alice, &op.pubkey(), MIN).await.unwrap();
    // The node's entries: the operator's stake of the previous epoch
    // (void now) and Alice's of this one.
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        n.activating,
        [
            StakeCohort {
                epoch: epoch - 1,
                shares: MIN
            },
            StakeCohort { epoch, shares: MIN },
        ]
    );
    assert_eq!(n.earning_shares(epoch, epoch).unwrap(), MIN);
    // Committed after Alice delegated, in her epoch: still not hers.
    let b2 = voted(&mut t, &op, 2).await;
    t.finalize(&b1, &[]).await.unwrap();
    t.finalize(&b2, &[]).await.unwrap();
    assert_err(t.claim(&alice, &op.pubkey()).await, E::NothingToClaim);
    // From the next epoch on she earns like everyone: 1:1.
    t.next_epoch().await;
    let b3 = voted(&mut t, &op, 3).await;
    t.finalize(&b3, &[]).await.unwrap();
    assert_eq!(claimed(&mut t, &alice, &op).await, R / 2);
    assert_eq!(claimed(&mut t, &op, &op).await, 2 * R + R / 2);
}

/// A batch accepted in the epoch after its own pays the stake of its own
/// epoch; the accumulator's bookkeeping keeps every later delegation exact,
/// whatever order batches of the two epochs are accepted in.
#[tokio::test]
async fn a_batch_accepted_in_the_next_epoch_pays_the_stake_that_backed_it() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(MIN).await;
    let bob = t.funded_actor(MIN).await;
    t.next_epoch().await;
    let e = t.current_epoch().await;
    let b1 = voted(&mut t, &op, 1).await; // epoch e, accepted in e + 1
    t.delegate(&alice, &op.pubkey(), MIN).await.unwrap();
    t.next_epoch().await;
    let b2 = voted(&mut t, &op, 2).await; // epoch e + 1
    t.finalize(&b2, &[]).await.unwrap(); // op and Alice, 1:1
    t.finalize(&b1, &[]).await.unwrap(); // op alone
    let late = t.epoch_stats(&op.pubkey(), e).await.unwrap();
    assert_eq!(
        late.acc_late,
        R as u128 * edgefuel::constants::REWARD_SCALE / MIN as u128
    );
    t.delegate(&bob, &op.pubkey(), MIN).await.unwrap(); // epoch e + 1
    t.next_epoch().await;
    let b3 = voted(&mut t, &op, 3).await; // epoch e + 2: all three, 1:1:1
    t.finalize(&b3, &[]).await.unwrap();
    assert_eq!(claimed(&mut t, &alice, &op).await, R / 2 + R / 3);
    assert_eq!(claimed(&mut t, &bob, &op).await, R / 3);
    assert_eq!(claimed(&mut t, &op, &op).await, R + R / 2 + R / 3);
    assert_eq!(t.mint_supply().await, GENESIS_SUPPLY + 3 * R);
}

#[tokio::test]
async fn a_batch_accepted_two_epochs_late_pays_only_the_commission() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(1_000, MIN).await; // 10 % commission
    t.next_epoch().await;
    let tb = voted(&mut t, &op, 1).await;
    t.next_epoch().await;
    t.next_epoch().await;
    t.finalize(&tb, &[]).await.unwrap();
    let b = t.batch(&tb.key()).await.unwrap();
    assert_eq!((b.status, b.reward), (BatchStatus::Accepted, R));
    let n = t.node(&op.pubkey()).await;
    assert_eq!((n.acc_reward_per_share, n.commission_owed), (0, R / 10));
    let net = t.network().await;
    assert_eq!(net.total_rewards_accrued, R / 10);
    assert_eq!(claimed(&mut t, &op, &op).await, R / 10);
    assert_eq!(t.mint_supply().await, GENESIS_SUPPLY + R / 10);
}

#[tokio::test]
async fn a_new_deposit_restarts_activation_and_undelegate_takes_activating_first() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(2 * MIN).await;
    t.next_epoch().await;
    t.delegate(&alice, &op.pubkey(), MIN).await.unwrap();
    t.next_epoch().await;
    let e = t.current_epoch().await;
    // A second deposit re-dates the first: both activate from epoch e.
    t.delegate(&alice, &op.pubkey(), MIN).await.unwrap();
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!(
        (d.bonded_shares, d.activating_shares, d.activating_epoch),
        (2 * MIN, 2 * MIN, e)
    );
    let n = t.node(&op.pubkey()).await;
    let cohort = |n: &edgefuel::Node, epoch| {
        n.activating
            .iter()
            .find(|c| c.epoch == epoch)
            .map_or(0, |c| c.shares)
    };
    assert_eq!((cohort(&n, e - 1), cohort(&n, e)), (0, 2 * MIN));
    let b1 = voted(&mut t, &op, 1).await;
    t.finalize(&b1, &[]).await.unwrap(); // the operator alone
                                         // Undelegate takes activating shares first.
    t.undelegate(&alice, &op.pubkey(), MIN).await.unwrap();
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!(
        (d.bonded_shares, d.activating_shares, d.unbonding_shares),
        (MIN, MIN, MIN)
    );
    assert_eq!(cohort(&t.node(&op.pubkey()).await, e), MIN);
    t.next_epoch().await;
    let b2 = voted(&mut t, &op, 2).await;
    t.finalize(&b2, &[]).await.unwrap(); // 1:1
    assert_eq!(claimed(&mut t, &alice, &op).await, R / 2);
    assert_eq!(claimed(&mut t, &op, &op).await, R + R / 2);
    // Two epochs on, the shares earn like all others: nothing activating.
    t.next_epoch().await;
    t.undelegate(&alice, &op.pubkey(), 1).await.unwrap();
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!((d.activating_shares, d.activating_epoch), (0, 0));
}

#[tokio::test]
async fn activation_accounts_are_checked() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let other = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(2 * MIN).await;
    let node = pda::node(&op.pubkey());
    let e = t.current_epoch().await;
    let keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    let before = t.snapshot(&keys).await;
    // The epoch named must be the current one.
    for current in [e - 1, e + 1] {
        let epochs = StakeEpochs {
            current,
            activating: None,
        };
        let ix = ix::delegate(&alice.pubkey(), &node, MIN, epochs);
        assert_err(t.send(&[ix], &[&alice]).await, E::WrongEpoch);
    }
    assert_eq!(t.snapshot(&keys).await, before);
    t.delegate(&alice, &op.pubkey(), MIN).await.unwrap();
    t.next_epoch().await;
    let tb = voted(&mut t, &op, 1).await;
    t.finalize(&tb, &[]).await.unwrap();
    let keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    let before = t.snapshot(&keys).await;
    // Activating stake of epoch e: its stats account is required, and must
    // be this node's account of epoch e.
    let missing = ix::claim_rewards(&alice.pubkey(), &node, StakeEpochs::of(None, e + 1));
    assert_err(t.send(&[missing], &[&alice]).await, E::MissingEpochStats);
    let missing = ix::undelegate(&alice.pubkey(), &node, MIN, StakeEpochs::of(None, e + 1));
    assert_err(t.send(&[missing], &[&alice]).await, E::MissingEpochStats);
    let mut wrong_epoch = ix::claim_rewards(
        &alice.pubkey(),
        &node,
        StakeEpochs {
            current: e + 1,
            activating: Some(e + 1),
        },
    );
    assert_err(
        t.send(&[wrong_epoch.clone()], &[&alice]).await,
        E::WrongEpochStats,
    );
    // This epoch's stats of another node.
    wrong_epoch.accounts[6].pubkey = pda::node_epoch(&pda::node(&other.pubkey()), e);
    assert_err(t.send(&[wrong_epoch], &[&alice]).await, E::WrongEpochStats);
    assert_eq!(t.snapshot(&keys).await, before);
    // finalize and report_missed name the current epoch's stats address.
    let tb2 = voted(&mut t, &op, 2).await;
    let keys = [pda::network(), node, tb2.key()];
    let before = t.snapshot(&keys).await;
    for current in [e, e + 2] {
        let ix = ix::finalize_batch(&op.pubkey(), &tb2.key(), tb2.epoch, current, &[]);
        assert_err(t.send(&[ix], &[]).await, E::WrongEpochStats);
    }
    assert_eq!(t.snapshot(&keys).await, before);
    t.finalize(&tb2, &[]).await.unwrap();
    // With the right account: Alice earns her half of both batches of
    // the epoch after her deposit.
    assert_eq!(claimed(&mut t, &alice, &op).await, R);
}
