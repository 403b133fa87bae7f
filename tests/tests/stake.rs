//! delegate, undelegate, withdraw, claim_rewards.
#![allow(clippy::unwrap_used)]
use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use edgefuel::{pda, PauseScope};
use edgefuel_client::EdgeFuelEvent;
use edgefuel_tests::anchor_codes::*;
use edgefuel_tests::solana_keypair::Keypair;
use edgefuel_tests::solana_signer::Signer;
use edgefuel_tests::*;

const MIN: u64 = 1_000 * EFUEL;

#[tokio::test]
async fn first_delegation_is_one_to_one_and_moves_tokens() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(500, MIN).await;
    let alice = t.funded_actor(300 * EFUEL).await;
    t.delegate(&alice, &op.pubkey(), 200 * EFUEL).await.unwrap();

    let n = t.node(&op.pubkey()).await;
    assert_eq!(n.pool_tokens, MIN + 200 * EFUEL);
    assert_eq!(n.pool_shares, MIN + 200 * EFUEL);
    assert_eq!(n.bonded_shares, MIN + 200 * EFUEL);
    assert_eq!(n.operator_bonded_shares, MIN);
    assert_eq!(n.delegation_count, 2);
    assert!(n.is_eligible(MIN).unwrap());
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!(
        (d.bonded_shares, d.unbonding_shares, d.pending_rewards),
        (200 * EFUEL, 0, 0)
    );
    assert_eq!(d.staker, alice.pubkey());
    assert_eq!(d.node, pda::node(&op.pubkey()));
    assert_eq!(d.last_stake_added_at, START_TIME);
    assert_eq!(t.efuel(&alice.pubkey()).await, 100 * EFUEL);
    assert_eq!(t.balance(&pda::vault()).await, MIN + 200 * EFUEL);
    assert_eq!(t.network().await.total_bonded, MIN + 200 * EFUEL);

    // A second deposit into the same delegation adds shares at the pool rate.
    t.delegate(&alice, &op.pubkey(), 50 * EFUEL).await.unwrap();
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!(d.bonded_shares, 250 * EFUEL);
    assert_eq!(t.node(&op.pubkey()).await.delegation_count, 2);
}

/// The `Delegated` event reaches the transaction's inner instructions (an
/// event self-CPI, natively too) with the pool before and after.
#[tokio::test]
async fn delegate_records_its_event_in_the_inner_instructions() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(500, MIN).await;
    let alice = t.funded_actor(300 * EFUEL).await;
    let node = pda::node(&op.pubkey());
    let ix = t
        .delegate_ix(&alice.pubkey(), &node, &t.ata(&alice.pubkey()), 200 * EFUEL)
        .await;
    let events = t.send_for_events(&[ix], &[&alice]).await.unwrap();
    assert_eq!(
        events,
        vec![EdgeFuelEvent::Delegated(edgefuel::events::Delegated {
            node,
            staker: alice.pubkey(),
            amount: 200 * EFUEL,
            shares: 200 * EFUEL,
            pool_tokens_before: MIN,
            pool_tokens_after: MIN + 200 * EFUEL,
            pool_shares_before: MIN,
            pool_shares_after: MIN + 200 * EFUEL,
        })]
    );
    assert_eq!(t.node(&op.pubkey()).await.pool_tokens, MIN + 200 * EFUEL);
}

#[tokio::test]
async fn deposit_after_slash_mints_shares_at_the_pool_rate() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    // The pool loses 10 %: 1 000 EFUEL back 1 000 shares → 900 EFUEL.
    t.write_node(&op.pubkey(), |n| {
        n.slash(1_000).unwrap();
    })
    .await;
    let alice = t.funded_actor(90 * EFUEL).await;
    t.delegate(&alice, &op.pubkey(), 90 * EFUEL).await.unwrap();
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    // shares = floor(90 · 1000 / 900) = 100 EFUEL-worth of shares.
    assert_eq!(d.bonded_shares, 100 * EFUEL);
    let n = t.node(&op.pubkey()).await;
    assert_eq!(n.pool_tokens, 990 * EFUEL);
    assert_eq!(n.pool_shares, 1_100 * EFUEL);
    assert_eq!(d.bonded_tokens(&n).unwrap(), 90 * EFUEL);
}

/// A mint that is not EFUEL, with a token account of `owner` holding `amount`.
async fn foreign_token_account(
    t: &mut TestContext,
    owner: &Pubkey,
    amount: u64,
) -> (Pubkey, Pubkey) {
    let mint = Keypair::new();
    let acct = Keypair::new();
    let payer = t.payer();
    let rent_mint = 1_461_600;
    let rent_acct = 2_039_280;
    let ixs = vec![
        anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent_mint,
            82,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), &payer, None, 9)
            .unwrap(),
        anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &acct.pubkey(),
            rent_acct,
            165,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_account3(
            &spl_token::ID,
            &acct.pubkey(),
            &mint.pubkey(),
            owner,
        )
        .unwrap(),
        spl_token::instruction::mint_to(
            &spl_token::ID,
            &mint.pubkey(),
            &acct.pubkey(),
            &payer,
            &[],
            amount,
        )
        .unwrap(),
    ];
    t.send(&ixs, &[&mint, &acct]).await.unwrap();
    (mint.pubkey(), acct.pubkey())
}

#[tokio::test]
async fn delegate_refusals() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(100 * EFUEL).await;
    let bob = t.funded_actor(100 * EFUEL).await;
    let node = pda::node(&op.pubkey());
    let mut keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    keys.push(t.ata(&bob.pubkey()));
    let before = t.snapshot(&keys).await;

    // Zero and more than the staker holds.
    assert_err(t.delegate(&alice, &op.pubkey(), 0).await, E::ZeroAmount);
    let res = t.delegate(&alice, &op.pubkey(), 100 * EFUEL + 1).await;
    // SPL Token: insufficient funds (custom error 1).
    assert_code(res, 1);
    // Wrong token account owner: Bob's EFUEL account.
    let ix = t
        .delegate_ix(&alice.pubkey(), &node, &t.ata(&bob.pubkey()), EFUEL)
        .await;
    assert_err(t.send(&[ix], &[&alice]).await, E::WrongTokenOwner);
    // Wrong mint: Alice's account of another mint.
    let (_, foreign) = foreign_token_account(&mut t, &alice.pubkey(), 50 * EFUEL).await;
    let ix = t.delegate_ix(&alice.pubkey(), &node, &foreign, EFUEL).await;
    assert_err(t.send(&[ix], &[&alice]).await, E::WrongMint);
    // Wrong vault.
    let mut ix = t
        .delegate_ix(&alice.pubkey(), &node, &t.ata(&alice.pubkey()), EFUEL)
        .await;
    ix.accounts[5].pubkey = t.ata(&bob.pubkey());
    assert_code(t.send(&[ix], &[&alice]).await, CONSTRAINT_ADDRESS);
    // Wrong delegation PDA (Bob's slot for Alice's signature).
    let mut ix = t
        .delegate_ix(&alice.pubkey(), &node, &t.ata(&alice.pubkey()), EFUEL)
        .await;
    ix.accounts[3].pubkey = pda::delegation(&node, &bob.pubkey());
    assert_code(t.send(&[ix], &[&alice]).await, CONSTRAINT_SEEDS);
    // Not a node: the delegation account passed as the node.
    let ix = t
        .delegate_ix(
            &alice.pubkey(),
            &pda::network(),
            &t.ata(&alice.pubkey()),
            EFUEL,
        )
        .await;
    assert_code(
        t.send(&[ix], &[&alice]).await,
        ACCOUNT_DISCRIMINATOR_MISMATCH,
    );
    // Wrong signer: Bob signs a delegation that spends Alice's tokens.
    let ix = t
        .delegate_ix(&bob.pubkey(), &node, &t.ata(&alice.pubkey()), EFUEL)
        .await;
    assert_err(t.send(&[ix], &[&bob]).await, E::WrongTokenOwner);
    assert_eq!(t.snapshot(&keys).await, before);
}

#[tokio::test]
async fn delegate_overflow_at_u64_edges() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(10 * EFUEL).await;
    // A pool that lost nearly everything: one base unit backs all shares,
    // so a deposit would mint more than u64::MAX shares.
    t.write_node(&op.pubkey(), |n| {
        n.pool_tokens = 1;
    })
    .await;
    let keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    let before = t.snapshot(&keys).await;
    assert_err(
        t.delegate(&alice, &op.pubkey(), 10 * EFUEL).await,
        E::MathOverflow,
    );
    // A pool wiped out by slashing accepts nothing.
    t.write_node(&op.pubkey(), |n| {
        n.pool_tokens = 0;
    })
    .await;
    let keys2 = t.story_keys(&op.pubkey(), &alice.pubkey());
    let before2 = t.snapshot(&keys2).await;
    assert_err(
        t.delegate(&alice, &op.pubkey(), EFUEL).await,
        E::PoolWipedOut,
    );
    assert_eq!(t.snapshot(&keys2).await, before2);
    drop(before);
    // Pool token total at the u64 edge.
    t.write_node(&op.pubkey(), |n| {
        n.pool_tokens = u64::MAX - 5;
        n.pool_shares = u64::MAX - 5;
        n.bonded_shares = u64::MAX - 5;
        n.operator_bonded_shares = u64::MAX - 5;
    })
    .await;
    let keys3 = t.story_keys(&op.pubkey(), &alice.pubkey());
    let before3 = t.snapshot(&keys3).await;
    assert_err(t.delegate(&alice, &op.pubkey(), 6).await, E::MathOverflow);
    assert_eq!(t.snapshot(&keys3).await, before3);
}

#[tokio::test]
async fn dust_deposit_that_mints_no_share_is_refused() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    // 2 tokens back 1 share: a 1-unit deposit would mint 0 shares.
    t.write_node(&op.pubkey(), |n| {
        n.pool_tokens = 2 * n.pool_shares;
    })
    .await;
    let alice = t.funded_actor(EFUEL).await;
    assert_err(t.delegate(&alice, &op.pubkey(), 1).await, E::AmountTooSmall);
}

#[tokio::test]
async fn undelegate_moves_shares_to_unbonding() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(100 * EFUEL).await;
    t.delegate(&alice, &op.pubkey(), 100 * EFUEL).await.unwrap();
    t.undelegate(&alice, &op.pubkey(), 40 * EFUEL)
        .await
        .unwrap();
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!(d.bonded_shares, 60 * EFUEL);
    assert_eq!(d.unbonding_shares, 40 * EFUEL);
    assert_eq!(d.unlock_at, START_TIME + default_params().unbonding_seconds);
    let n = t.node(&op.pubkey()).await;
    assert_eq!(n.bonded_shares, MIN + 60 * EFUEL);
    assert_eq!(n.pool_shares, MIN + 100 * EFUEL);
    assert_eq!(n.pool_tokens, MIN + 100 * EFUEL);
    assert_eq!(t.network().await.total_bonded, MIN + 60 * EFUEL);

    // A second undelegate joins the entry and restarts the cooldown.
    t.advance_time(3_600).await;
    t.undelegate(&alice, &op.pubkey(), 10 * EFUEL)
        .await
        .unwrap();
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!(d.unbonding_shares, 50 * EFUEL);
    assert_eq!(
        d.unlock_at,
        START_TIME + 3_600 + default_params().unbonding_seconds
    );
}

#[tokio::test]
async fn operator_below_min_stake_is_not_eligible() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    assert!(t.node(&op.pubkey()).await.is_eligible(MIN).unwrap());
    t.undelegate(&op, &op.pubkey(), 1).await.unwrap();
    let n = t.node(&op.pubkey()).await;
    assert_eq!(n.operator_bonded_shares, MIN - 1);
    assert!(!n.is_eligible(MIN).unwrap());
    // Delegators' stake does not count toward the operator's own stake.
    let alice = t.funded_actor(10 * MIN).await;
    t.delegate(&alice, &op.pubkey(), 10 * MIN).await.unwrap();
    assert!(!t.node(&op.pubkey()).await.is_eligible(MIN).unwrap());
}

#[tokio::test]
async fn undelegate_refusals() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let op2 = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(100 * EFUEL).await;
    let bob = t.actor().await;
    t.delegate(&alice, &op.pubkey(), 100 * EFUEL).await.unwrap();
    let keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    let before = t.snapshot(&keys).await;
    assert_err(t.undelegate(&alice, &op.pubkey(), 0).await, E::ZeroAmount);
    assert_err(
        t.undelegate(&alice, &op.pubkey(), 100 * EFUEL + 1).await,
        E::InsufficientShares,
    );
    // Wrong signer: Bob cannot move Alice's delegation (the PDA is Alice's).
    let mut ix = t
        .undelegate_ix(&bob.pubkey(), &pda::node(&op.pubkey()), EFUEL)
        .await;
    ix.accounts[3].pubkey = pda::delegation(&pda::node(&op.pubkey()), &alice.pubkey());
    assert_code(t.send(&[ix], &[&bob]).await, CONSTRAINT_SEEDS);
    // Wrong node: Alice's delegation presented with another node.
    let mut ix = t
        .undelegate_ix(&alice.pubkey(), &pda::node(&op2.pubkey()), EFUEL)
        .await;
    ix.accounts[3].pubkey = pda::delegation(&pda::node(&op.pubkey()), &alice.pubkey());
    assert_code(t.send(&[ix], &[&alice]).await, CONSTRAINT_SEEDS);
    // No delegation at all.
    assert_code(
        t.undelegate(&bob, &op.pubkey(), 1).await,
        ACCOUNT_NOT_INITIALIZED,
    );
    assert_eq!(t.snapshot(&keys).await, before);
}

#[tokio::test]
async fn withdraw_after_cooldown_pays_and_closes() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(100 * EFUEL).await;
    t.delegate(&alice, &op.pubkey(), 100 * EFUEL).await.unwrap();
    t.undelegate(&alice, &op.pubkey(), 100 * EFUEL)
        .await
        .unwrap();
    let keys = t.story_keys(&op.pubkey(), &alice.pubkey());

    // Before unlock: refused, nothing changes.
    let before = t.snapshot(&keys).await;
    t.advance_time(default_params().unbonding_seconds - 1).await;
    assert_err(t.withdraw(&alice, &op.pubkey()).await, E::StillUnbonding);
    assert_eq!(t.snapshot(&keys).await, before);

    t.advance_time(1).await;
    let rent = t
        .lamports(&pda::delegation(&pda::node(&op.pubkey()), &alice.pubkey()))
        .await;
    let sol_before = t.lamports(&alice.pubkey()).await;
    t.withdraw(&alice, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&alice.pubkey()).await, 100 * EFUEL);
    assert_eq!(t.balance(&pda::vault()).await, MIN);
    assert!(
        t.delegation(&op.pubkey(), &alice.pubkey()).await.is_none(),
        "empty delegation closed"
    );
    assert_eq!(
        t.lamports(&alice.pubkey()).await,
        sol_before + rent,
        "rent returned"
    );
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (n.pool_tokens, n.pool_shares, n.delegation_count),
        (MIN, MIN, 1)
    );

    // Double withdraw: the delegation is gone.
    assert_code(
        t.withdraw(&alice, &op.pubkey()).await,
        ACCOUNT_NOT_INITIALIZED,
    );
}

#[tokio::test]
async fn partial_withdraw_keeps_delegation_and_double_withdraw_refused() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(100 * EFUEL).await;
    t.delegate(&alice, &op.pubkey(), 100 * EFUEL).await.unwrap();
    t.undelegate(&alice, &op.pubkey(), 30 * EFUEL)
        .await
        .unwrap();
    t.advance_time(default_params().unbonding_seconds).await;
    t.withdraw(&alice, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&alice.pubkey()).await, 30 * EFUEL);
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!((d.bonded_shares, d.unbonding_shares), (70 * EFUEL, 0));
    let keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    let before = t.snapshot(&keys).await;
    assert_err(t.withdraw(&alice, &op.pubkey()).await, E::NothingToWithdraw);
    assert_eq!(t.snapshot(&keys).await, before);
}

#[tokio::test]
async fn slash_during_cooldown_is_felt_at_withdraw() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(1_000 * EFUEL).await;
    t.delegate(&alice, &op.pubkey(), 1_000 * EFUEL)
        .await
        .unwrap();
    t.undelegate(&alice, &op.pubkey(), 1_000 * EFUEL)
        .await
        .unwrap();
    // A 10 % slash lands during the cooldown (pool 2 000 → 1 800).
    t.write_node(&op.pubkey(), |n| {
        assert_eq!(n.slash(1_000).unwrap(), 200 * EFUEL);
    })
    .await;
    t.advance_time(default_params().unbonding_seconds).await;
    t.withdraw(&alice, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&alice.pubkey()).await, 900 * EFUEL);
    let n = t.node(&op.pubkey()).await;
    assert_eq!((n.pool_tokens, n.pool_shares), (900 * EFUEL, MIN));
}

#[tokio::test]
async fn withdraw_refuses_wrong_accounts() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(100 * EFUEL).await;
    let bob = t.funded_actor(EFUEL).await;
    t.delegate(&alice, &op.pubkey(), 100 * EFUEL).await.unwrap();
    t.undelegate(&alice, &op.pubkey(), 100 * EFUEL)
        .await
        .unwrap();
    t.advance_time(default_params().unbonding_seconds).await;
    let node = pda::node(&op.pubkey());
    let mut keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    keys.push(t.ata(&bob.pubkey()));
    let before = t.snapshot(&keys).await;
    // Paying into Bob's account.
    let ix = t.withdraw_ix(&alice.pubkey(), &node, &t.ata(&bob.pubkey()));
    assert_err(t.send(&[ix], &[&alice]).await, E::WrongTokenOwner);
    // Bob signing for Alice's delegation.
    let mut ix = t.withdraw_ix(&bob.pubkey(), &node, &t.ata(&bob.pubkey()));
    ix.accounts[3].pubkey = pda::delegation(&node, &alice.pubkey());
    assert_code(t.send(&[ix], &[&bob]).await, CONSTRAINT_SEEDS);
    // Another mint.
    let (_, foreign) = foreign_token_account(&mut t, &alice.pubkey(), 1).await;
    let ix = t.withdraw_ix(&alice.pubkey(), &node, &foreign);
    assert_err(t.send(&[ix], &[&alice]).await, E::WrongMint);
    assert_eq!(t.snapshot(&keys).await, before);
}

#[tokio::test]
async fn claim_rewards_pays_commission_and_pro_rata_shares() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(1_000, MIN).await; // 10 % commission
    let alice = t.funded_actor(3_000 * EFUEL).await;
    t.delegate(&alice, &op.pubkey(), 3_000 * EFUEL)
        .await
        .unwrap();
    // Stake earns from the epoch after it was delegated.
    t.next_epoch().await;
    // A verified batch earns the node 1 000 EFUEL (accrued by the program's
    // accrual path; batches arrive with the receipts instructions).
    t.accrue(&op.pubkey(), 1_000 * EFUEL).await;
    // Commission 100; pool 900 split 1 000 : 3 000 → operator 225, Alice 675.
    t.claim(&alice, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&alice.pubkey()).await, 675 * EFUEL);
    let before = t.efuel(&op.pubkey()).await;
    t.claim(&op, &op.pubkey()).await.unwrap();
    assert_eq!(
        t.efuel(&op.pubkey()).await - before,
        225 * EFUEL + 100 * EFUEL
    );
    assert_eq!(t.node(&op.pubkey()).await.commission_owed, 0);
    assert_eq!(t.mint_supply().await, GENESIS_SUPPLY + 1_000 * EFUEL);
    let d = t.delegation(&op.pubkey(), &alice.pubkey()).await.unwrap();
    assert_eq!((d.pending_rewards, d.total_claimed), (0, 675 * EFUEL));

    // Nothing left: a second claim is refused and changes nothing.
    let keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    let snap = t.snapshot(&keys).await;
    assert_err(t.claim(&alice, &op.pubkey()).await, E::NothingToClaim);
    assert_eq!(t.snapshot(&keys).await, snap);
}

#[tokio::test]
async fn rewards_follow_bonded_shares_over_time() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(MIN).await;
    t.next_epoch().await;
    // Reward 1: only the operator is bonded.
    t.accrue(&op.pubkey(), 500 * EFUEL).await;
    // Alice joins; reward 2 is split 1:1. Alice then unbonds; reward 3 goes to the operator.
    t.delegate(&alice, &op.pubkey(), MIN).await.unwrap();
    t.next_epoch().await;
    t.accrue(&op.pubkey(), 300 * EFUEL).await;
    t.undelegate(&alice, &op.pubkey(), MIN).await.unwrap();
    t.accrue(&op.pubkey(), 100 * EFUEL).await;
    t.claim(&alice, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&alice.pubkey()).await, 150 * EFUEL);
    let before = t.efuel(&op.pubkey()).await;
    t.claim(&op, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&op.pubkey()).await - before, 750 * EFUEL);
}

#[tokio::test]
async fn claim_refusals_paused_and_wrong_accounts() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(MIN).await;
    let bob = t.funded_actor(EFUEL).await;
    t.delegate(&alice, &op.pubkey(), MIN).await.unwrap();
    t.next_epoch().await;
    t.accrue(&op.pubkey(), 10 * EFUEL).await;
    let g = t.guardian.insecure_clone();
    t.pause(&g, PauseScope::Minting, true).await.unwrap();
    let node = pda::node(&op.pubkey());
    let mut keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    keys.push(t.ata(&bob.pubkey()));
    let before = t.snapshot(&keys).await;
    assert_err(t.claim(&alice, &op.pubkey()).await, E::MintingPaused);
    assert_eq!(t.snapshot(&keys).await, before);
    t.pause(&g, PauseScope::Minting, false).await.unwrap();
    let before = t.snapshot(&keys).await;
    // Into Bob's account.
    let ix = t
        .claim_ix(&alice.pubkey(), &node, &t.ata(&bob.pubkey()))
        .await;
    assert_err(t.send(&[ix], &[&alice]).await, E::WrongTokenOwner);
    // Another mint in place of EFUEL's.
    let (other_mint, _) = foreign_token_account(&mut t, &alice.pubkey(), 1).await;
    let mut ix = t
        .claim_ix(&alice.pubkey(), &node, &t.ata(&alice.pubkey()))
        .await;
    ix.accounts[4].pubkey = other_mint;
    assert_err(t.send(&[ix], &[&alice]).await, E::WrongMint);
    // Bob claiming Alice's rewards.
    let mut ix = t
        .claim_ix(&bob.pubkey(), &node, &t.ata(&bob.pubkey()))
        .await;
    ix.accounts[3].pubkey = pda::delegation(&node, &alice.pubkey());
    assert_code(t.send(&[ix], &[&bob]).await, CONSTRAINT_SEEDS);
    assert_eq!(t.snapshot(&keys).await, before);
    // Submissions pause does not block claims.
    t.pause(&g, PauseScope::Submissions, true).await.unwrap();
    t.claim(&alice, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&alice.pubkey()).await, 5 * EFUEL);
}

#[tokio::test]
async fn vault_holds_exactly_the_sum_of_pools() {
    let mut t = TestContext::new().await;
    let a = t.staked_node(0, MIN).await;
    let b = t.staked_node(0, 2 * MIN).await;
    let s = t.funded_actor(500 * EFUEL).await;
    t.delegate(&s, &a.pubkey(), 200 * EFUEL).await.unwrap();
    t.delegate(&s, &b.pubkey(), 300 * EFUEL).await.unwrap();
    let na = t.node(&a.pubkey()).await;
    let nb = t.node(&b.pubkey()).await;
    assert_eq!(
        t.balance(&pda::vault()).await,
        na.pool_tokens + nb.pool_tokens
    );
    assert_eq!(t.network().await.total_bonded, 3 * MIN + 500 * EFUEL);
}

/// Exact totals: after a slash the pool rate is no longer whole, and a
/// withdrawal's rounding dust raises the value of the remaining bonded
/// shares. `total_bonded` must follow (it used to drift one unit low, and the
/// operator's later undelegate then failed with MathOverflow: a permanent
/// freeze of its stake).
#[tokio::test]
async fn withdrawal_rounding_keeps_total_bonded_exact() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, MIN).await;
    let alice = t.funded_actor(MIN + 1).await;
    t.delegate(&alice, &op.pubkey(), MIN + 1).await.unwrap();
    // 10 % of 2 000 EFUEL + 1 unit, rounded up: 200 EFUEL + 1.
    t.caught_fraud(&op, 1).await;
    let n = t.node(&op.pubkey()).await;
    assert_eq!((n.pool_tokens, n.pool_shares), (1_800 * EFUEL, 2 * MIN + 1));
    assert_eq!(t.network().await.total_bonded, 1_800 * EFUEL);

    // Once Alice unbonds, the bonded shares are the operator's 10¹², worth
    // floor(10¹² · 1.8·10¹² / (2·10¹² + 1)): one unit short of 900 EFUEL.
    t.undelegate(&alice, &op.pubkey(), MIN + 1).await.unwrap();
    assert_eq!(t.network().await.total_bonded, 900 * EFUEL - 1);
    t.advance_time(default_params().unbonding_seconds).await;
    t.withdraw(&alice, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&alice.pubkey()).await, 900 * EFUEL);
    // The dust stayed in the pool: the operator's shares now redeem for
    // 900 EFUEL exactly, and total_bonded says so.
    let n = t.node(&op.pubkey()).await;
    assert_eq!((n.pool_tokens, n.pool_shares), (900 * EFUEL, MIN));
    assert_eq!(t.network().await.total_bonded, 900 * EFUEL);

    // The operator can leave completely.
    t.undelegate(&op, &op.pubkey(), MIN).await.unwrap();
    assert_eq!(t.network().await.total_bonded, 0);
    t.advance_time(default_params().unbonding_seconds).await;
    t.withdraw(&op, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&op.pubkey()).await, 900 * EFUEL);
    assert_eq!(t.balance(&pda::vault()).await, 0);
    t.assert_invariants().await;
}
