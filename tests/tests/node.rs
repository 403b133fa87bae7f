//! register_node, update_node, set_agent_key, exit_node.
#![allow(clippy::unwrap_used)]
use anchor_lang::prelude::Pubkey;
use edgefuel::{pda, NodeStatus};
use edgefuel_tests::anchor_codes::*;
use edgefuel_tests::solana_signer::Signer;
use edgefuel_tests::*;

#[tokio::test]
async fn register_node_happy_path() {
    let mut t = TestContext::new().await;
    let op = t.actor().await;
    t.register_node(&op, metadata(500)).await.unwrap();
    let n = t.node(&op.pubkey()).await;
    assert_eq!(n.operator, op.pubkey());
    assert_eq!(n.agent, op.pubkey());
    assert_eq!(n.status, NodeStatus::Active);
    assert_eq!(n.commission_bps, 500);
    assert_eq!(n.endpoint, "https://node.example:7443");
    assert_eq!(n.gpu_model, "RTX 4090");
    assert_eq!(n.vram_mib, 24_576);
    assert_eq!(n.region, "eu-west");
    assert_eq!(n.registered_at, START_TIME);
    assert_eq!((n.pool_tokens, n.pool_shares, n.bonded_shares), (0, 0, 0));
    assert_eq!(t.network().await.node_count, 1);
    // Not eligible to work without self-stake.
    assert!(!n.is_eligible(default_params().min_node_stake).unwrap());
}

#[tokio::test]
async fn register_node_refusals() {
    let mut t = TestContext::new().await;
    let op = t.actor().await;
    let keys = [pda::network(), pda::node(&op.pubkey())];
    let before = t.snapshot(&keys).await;
    let max = default_params().max_commission_bps;
    let mut m = metadata(max + 1);
    assert_err(t.register_node(&op, m.clone()).await, E::CommissionTooHigh);
    m = metadata(0);
    m.endpoint = String::new();
    assert_err(t.register_node(&op, m.clone()).await, E::InvalidEndpoint);
    m.endpoint = "h".repeat(97);
    assert_err(t.register_node(&op, m.clone()).await, E::InvalidEndpoint);
    m = metadata(0);
    m.endpoint = "https://bad\nnewline".into();
    assert_err(t.register_node(&op, m.clone()).await, E::InvalidEndpoint);
    m = metadata(0);
    m.gpu_model = "g".repeat(49);
    assert_err(t.register_node(&op, m.clone()).await, E::InvalidGpuModel);
    m = metadata(0);
    m.region = "r".repeat(17);
    assert_err(t.register_node(&op, m.clone()).await, E::InvalidRegion);
    m = metadata(0);
    m.vram_mib = 0;
    assert_err(t.register_node(&op, m.clone()).await, E::InvalidVram);
    assert_eq!(t.snapshot(&keys).await, before);
    // Bounds are inclusive.
    let mut m = metadata(max);
    m.endpoint = "h".repeat(96);
    m.gpu_model = "g".repeat(48);
    m.region = "r".repeat(16);
    t.register_node(&op, m).await.unwrap();
    // Registering twice is refused (the PDA exists).
    let before = t.snapshot(&keys).await;
    assert!(t.register_node(&op, metadata(0)).await.is_err());
    assert_eq!(t.snapshot(&keys).await, before);
}

#[tokio::test]
async fn update_node_and_refusals() {
    let mut t = TestContext::new().await;
    let op = t.actor().await;
    let other = t.actor().await;
    t.register_node(&op, metadata(100)).await.unwrap();
    let mut m = metadata(300);
    m.endpoint = "https://gpu-2.example".into();
    m.region = "us-east".into();
    t.update_node(&op, &op.pubkey(), m).await.unwrap();
    let n = t.node(&op.pubkey()).await;
    // Metadata changes at once; a commission raise waits one unbonding period.
    assert_eq!(n.endpoint, "https://gpu-2.example");
    assert_eq!(n.region, "us-east");
    assert_eq!(n.commission_bps, 100);
    assert_eq!(n.pending_commission_bps, 300);
    assert_eq!(
        n.commission_effective_at,
        START_TIME + default_params().unbonding_seconds
    );
    // A cut applies at once and drops the pending raise.
    t.update_node(&op, &op.pubkey(), metadata(50))
        .await
        .unwrap();
    let n = t.node(&op.pubkey()).await;
    assert_eq!(
        (
            n.commission_bps,
            n.pending_commission_bps,
            n.commission_effective_at
        ),
        (50, 0, 0)
    );

    let keys = [pda::node(&op.pubkey())];
    let before = t.snapshot(&keys).await;
    // Wrong signer: another key cannot address this node (PDA from signer).
    assert_code(
        t.update_node(&other, &op.pubkey(), metadata(0)).await,
        CONSTRAINT_SEEDS,
    );
    assert_err(
        t.update_node(&op, &op.pubkey(), metadata(2_001)).await,
        E::CommissionTooHigh,
    );
    let mut m = metadata(0);
    m.gpu_model = String::new();
    assert_err(
        t.update_node(&op, &op.pubkey(), m).await,
        E::InvalidGpuModel,
    );
    // A node that does not exist.
    assert_code(
        t.update_node(&other, &other.pubkey(), metadata(0)).await,
        ACCOUNT_NOT_INITIALIZED,
    );
    assert_eq!(t.snapshot(&keys).await, before);
}

#[tokio::test]
async fn set_agent_key_and_refusals() {
    let mut t = TestContext::new().await;
    let op = t.actor().await;
    let other = t.actor().await;
    t.register_node(&op, metadata(0)).await.unwrap();
    let agent = Pubkey::new_unique();
    t.set_agent_key(&op, &op.pubkey(), agent).await.unwrap();
    assert_eq!(t.node(&op.pubkey()).await.agent, agent);
    let before = t.snapshot(&[pda::node(&op.pubkey())]).await;
    assert_err(
        t.set_agent_key(&op, &op.pubkey(), Pubkey::default()).await,
        E::InvalidAgentKey,
    );
    assert_code(
        t.set_agent_key(&other, &op.pubkey(), other.pubkey()).await,
        CONSTRAINT_SEEDS,
    );
    assert_eq!(t.snapshot(&[pda::node(&op.pubkey())]).await, before);
}

#[tokio::test]
async fn exit_node_stops_new_stake_and_lets_stake_unbond() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(500, 2_000 * EFUEL).await;
    let alice = t.funded_actor(100 * EFUEL).await;
    let other = t.actor().await;
    assert_code(t.exit_node(&other, &op.pubkey()).await, CONSTRAINT_SEEDS);
    t.exit_node(&op, &op.pubkey()).await.unwrap();
    assert_eq!(t.node(&op.pubkey()).await.status, NodeStatus::Exiting);

    let keys = t.story_keys(&op.pubkey(), &alice.pubkey());
    let before = t.snapshot(&keys).await;
    assert_err(t.exit_node(&op, &op.pubkey()).await, E::NodeExiting);
    assert_err(
        t.delegate(&alice, &op.pubkey(), 10 * EFUEL).await,
        E::NodeExiting,
    );
    assert_err(
        t.update_node(&op, &op.pubkey(), metadata(0)).await,
        E::NodeExiting,
    );
    assert_eq!(t.snapshot(&keys).await, before);

    // The operator's stake can still unbond and be withdrawn.
    let shares = t
        .delegation(&op.pubkey(), &op.pubkey())
        .await
        .unwrap()
        .bonded_shares;
    t.undelegate(&op, &op.pubkey(), shares).await.unwrap();
    t.advance_time(default_params().unbonding_seconds).await;
    t.withdraw(&op, &op.pubkey()).await.unwrap();
    assert_eq!(t.efuel(&op.pubkey()).await, 2_000 * EFUEL);
    assert!(t.delegation(&op.pubkey(), &op.pubkey()).await.is_none());
}

#[tokio::test]
async fn a_commission_raise_applies_only_after_the_unbonding_period() {
    let mut t = TestContext::new().await;
    let op = t.staked_node(0, 1_000 * EFUEL).await;
    t.update_node(&op, &op.pubkey(), metadata(1_000))
        .await
        .unwrap();
    // Before the raise is due: no commission.
    let tb = t.batch_now(&op.pubkey(), 1, 8, 1_000_000, &[]).await;
    t.commit_and_reveal(&op, &tb).await;
    t.accept(&tb).await;
    assert_eq!(t.node(&op.pubkey()).await.commission_owed, 0);
    // After it: 10 % of the next batch's 8 000 000 reward units.
    t.advance_time(default_params().unbonding_seconds).await;
    let tb = t.batch_now(&op.pubkey(), 2, 8, 1_000_000, &[]).await;
    t.commit_and_reveal(&op, &tb).await;
    t.accept(&tb).await;
    let n = t.node(&op.pubkey()).await;
    assert_eq!((n.commission_bps, n.pending_commission_bps), (1_000, 0));
    assert_eq!(n.commission_owed, 800_000);
}
