//! initialize_network, pause, unpause.
#![allow(clippy::unwrap_used)]
use anchor_lang::prelude::Pubkey;
use edgefuel::{pda, PauseScope, PAUSE_MINTING, PAUSE_SUBMISSIONS};
use edgefuel_tests::solana_signer::Signer;
use edgefuel_tests::*;

#[tokio::test]
async fn initialize_creates_network_mint_vault_treasury_and_genesis() {
    let mut t = TestContext::new().await;
    let n = t.network().await;
    assert_eq!(n.params, default_params());
    assert_eq!(n.guardian, t.guardian.pubkey());
    assert_eq!(
        n.verifier_set(),
        as_pubkeys(&t.verifiers.iter().collect::<Vec<_>>()).as_slice()
    );
    assert_eq!(n.verifier_threshold, 2);
    assert_eq!(n.paused, 0);
    assert_eq!(n.mint, pda::mint());
    assert_eq!(n.vault, pda::vault());
    assert_eq!(n.treasury, pda::treasury());
    assert_eq!(n.total_bonded, 0);

    // Mint: 9 decimals, authority = network PDA, no freeze authority.
    let data = t.raw(&pda::mint()).await.unwrap();
    let mint = <anchor_spl::token::Mint as anchor_lang::AccountDeserialize>::try_deserialize(
        &mut data.as_slice(),
    )
    .unwrap();
    assert_eq!(mint.decimals, 9);
    assert_eq!(
        Option::<Pubkey>::from(mint.mint_authority),
        Some(pda::network())
    );
    assert_eq!(Option::<Pubkey>::from(mint.freeze_authority), None);
    assert_eq!(mint.supply, GENESIS_SUPPLY);
    let whale = t.whale.pubkey();
    assert_eq!(t.efuel(&whale).await, GENESIS_SUPPLY);

    // Vault and treasury are owned by the network PDA and empty.
    for key in [pda::vault(), pda::treasury()] {
        let data = t.raw(&key).await.unwrap();
        let acc =
            <anchor_spl::token::TokenAccount as anchor_lang::AccountDeserialize>::try_deserialize(
                &mut data.as_slice(),
            )
            .unwrap();
        assert_eq!(acc.owner, pda::network());
        assert_eq!(acc.mint, pda::mint());
        assert_eq!(acc.amount, 0);
    }
}

#[tokio::test]
async fn initialize_twice_is_refused() {
    let mut t = TestContext::new().await;
    let before = t.snapshot(&[pda::network(), pda::mint()]).await;
    let ix = t.initialize_ix(
        default_params(),
        t.guardian.pubkey(),
        vec![Pubkey::new_unique()],
        1,
        5,
    );
    let res = t.send(&[ix], &[]).await;
    assert!(res.is_err(), "second initialize must fail");
    assert_eq!(t.snapshot(&[pda::network(), pda::mint()]).await, before);
}

async fn init_fails_with(
    params: edgefuel::Params,
    verifiers: Vec<Pubkey>,
    threshold: u8,
    guardian: Pubkey,
    err: E,
) {
    let mut t = TestContext::boot().await;
    let ix = t.initialize_ix(params, guardian, verifiers, threshold, 1);
    assert_err(t.send(&[ix], &[]).await, err);
    assert!(t.raw(&pda::network()).await.is_none(), "nothing created");
    assert!(t.raw(&pda::mint()).await.is_none(), "nothing created");
}

#[tokio::test]
async fn initialize_refuses_bad_params() {
    let g = Pubkey::new_unique();
    let v = vec![Pubkey::new_unique()];
    type Mutation = Box<dyn Fn(&mut edgefuel::Params)>;
    let cases: Vec<(&str, Mutation)> = vec![
        ("epoch too short", Box::new(|p| p.epoch_seconds = 59)),
        ("zero emission cap", Box::new(|p| p.epoch_emission_cap = 0)),
        ("zero min stake", Box::new(|p| p.min_node_stake = 0)),
        (
            "commission > 100%",
            Box::new(|p| p.max_commission_bps = 10_001),
        ),
        ("zero unbonding", Box::new(|p| p.unbonding_seconds = 0)),
        // (4 + 512 + 300) slots · 0.4 s = 326.4 s of batch life.
        (
            "unbonding shorter than a batch's life",
            Box::new(|p| p.unbonding_seconds = 326),
        ),
        ("zero seal delay", Box::new(|p| p.seal_delay_slots = 0)),
        (
            "seal delay beyond SlotHashes",
            Box::new(|p| p.seal_delay_slots = 257),
        ),
        (
            "zero reveal window",
            Box::new(|p| p.reveal_window_slots = 0),
        ),
        (
            "verify window not after reveal",
            Box::new(|p| p.verify_window_slots = p.reveal_window_slots),
        ),
        (
            "verifiers get < 32 slots after the reveal deadline",
            Box::new(|p| p.verify_window_slots = p.reveal_window_slots + 31),
        ),
        ("zero sample bps", Box::new(|p| p.sample_bps = 0)),
        ("sample bps > 100%", Box::new(|p| p.sample_bps = 10_001)),
        ("zero min samples", Box::new(|p| p.min_samples = 0)),
        (
            "min > max samples",
            Box::new(|p| p.min_samples = p.max_samples + 1),
        ),
        ("too many samples", Box::new(|p| p.max_samples = 65)),
        ("zero fraud slash", Box::new(|p| p.slash_fraud_bps = 0)),
        (
            "fraud slash > 100%",
            Box::new(|p| p.slash_fraud_bps = 10_001),
        ),
        (
            "unavailable > fraud",
            Box::new(|p| p.slash_unavailable_bps = p.slash_fraud_bps + 1),
        ),
        (
            "bounty > 100%",
            Box::new(|p| p.verifier_bounty_bps = 10_001),
        ),
        ("negative jail", Box::new(|p| p.jail_seconds = -1)),
        ("zero exposure", Box::new(|p| p.max_exposure_bps = 0)),
        ("zero voting window", Box::new(|p| p.voting_seconds = 0)),
        ("negative timelock", Box::new(|p| p.timelock_seconds = -1)),
        ("zero quorum", Box::new(|p| p.quorum_bps = 0)),
        (
            "approval below half",
            Box::new(|p| p.approval_threshold_bps = 4_999),
        ),
        // Governance must stay able to pass proposals.
        (
            "approval near unanimity",
            Box::new(|p| p.approval_threshold_bps = 8_001),
        ),
        ("quorum above half", Box::new(|p| p.quorum_bps = 5_001)),
        (
            "proposal stake above the node minimum",
            Box::new(|p| p.min_proposal_stake = p.min_node_stake + 1),
        ),
    ];
    let mut p = default_params();
    p.unbonding_seconds = 327;
    p.validate().unwrap();
    for (name, mutate) in cases {
        let mut p = default_params();
        mutate(&mut p);
        assert!(p.validate().is_err(), "{name} must be invalid");
    }
    // And through the instruction, one representative per kind of bound.
    let mut p = default_params();
    p.max_commission_bps = 10_001;
    init_fails_with(p, v.clone(), 1, g, E::InvalidParams).await;
    let mut p = default_params();
    p.min_samples = 33;
    init_fails_with(p, v.clone(), 1, g, E::InvalidParams).await;
}

#[tokio::test]
async fn initialize_refuses_bad_verifier_sets_and_guardian() {
    let g = Pubkey::new_unique();
    let a = Pubkey::new_unique();
    let b = Pubkey::new_unique();
    let c = Pubkey::new_unique();
    init_fails_with(default_params(), vec![], 0, g, E::InvalidVerifierSet).await;
    init_fails_with(default_params(), vec![a, a], 2, g, E::InvalidVerifierSet).await;
    init_fails_with(
        default_params(),
        vec![a, Pubkey::default()],
        2,
        g,
        E::InvalidVerifierSet,
    )
    .await;
    let seventeen: Vec<Pubkey> = (0..17).map(|_| Pubkey::new_unique()).collect();
    init_fails_with(default_params(), seventeen, 9, g, E::InvalidVerifierSet).await;
    // Threshold: must be a strict majority and at most the set size.
    init_fails_with(default_params(), vec![a, b, c], 1, g, E::InvalidThreshold).await;
    init_fails_with(default_params(), vec![a, b], 1, g, E::InvalidThreshold).await;
    init_fails_with(default_params(), vec![a, b, c], 4, g, E::InvalidThreshold).await;
    init_fails_with(
        default_params(),
        vec![a],
        1,
        Pubkey::default(),
        E::InvalidGuardian,
    )
    .await;
}

#[tokio::test]
async fn guardian_pauses_and_unpauses_each_scope() {
    let mut t = TestContext::new().await;
    let g = t.guardian.insecure_clone();
    t.pause(&g, PauseScope::Submissions, true).await.unwrap();
    assert_eq!(t.network().await.paused, PAUSE_SUBMISSIONS);
    t.pause(&g, PauseScope::Minting, true).await.unwrap();
    assert_eq!(t.network().await.paused, PAUSE_SUBMISSIONS | PAUSE_MINTING);
    t.pause(&g, PauseScope::Submissions, false).await.unwrap();
    assert_eq!(t.network().await.paused, PAUSE_MINTING);
    t.pause(&g, PauseScope::All, false).await.unwrap();
    assert_eq!(t.network().await.paused, 0);
    t.pause(&g, PauseScope::All, true).await.unwrap();
    assert_eq!(t.network().await.paused, PAUSE_SUBMISSIONS | PAUSE_MINTING);
}

#[tokio::test]
async fn pause_refusals() {
    let mut t = TestContext::new().await;
    let g = t.guardian.insecure_clone();
    let intruder = t.actor().await;
    let before = t.snapshot(&[pda::network()]).await;
    // Wrong signer.
    assert_err(
        t.pause(&intruder, PauseScope::All, true).await,
        E::NotGuardian,
    );
    // Unpause of what is not paused: a replay-like no-op is refused.
    assert_err(
        t.pause(&g, PauseScope::Minting, false).await,
        E::PauseUnchanged,
    );
    assert_eq!(t.snapshot(&[pda::network()]).await, before);
    // Pausing twice is refused too.
    t.pause(&g, PauseScope::Minting, true).await.unwrap();
    let before = t.snapshot(&[pda::network()]).await;
    assert_err(
        t.pause(&g, PauseScope::Minting, true).await,
        E::PauseUnchanged,
    );
    assert_err(
        t.pause(&intruder, PauseScope::Minting, false).await,
        E::NotGuardian,
    );
    assert_eq!(t.snapshot(&[pda::network()]).await, before);
}

/// Safe deployment: only the program's upgrade authority (read from its
/// ProgramData account) may initialize. Anyone could before, naming their own
/// guardian, verifiers and genesis owner.
#[tokio::test]
async fn only_the_upgrade_authority_initializes() {
    let mut t = TestContext::boot().await;
    let mallory = t.actor().await;
    let verifiers: Vec<Pubkey> = t.verifiers.iter().map(|k| k.pubkey()).collect();
    let args = edgefuel::InitializeNetworkArgs {
        params: default_params(),
        guardian: mallory.pubkey(),
        verifiers: verifiers.clone(),
        verifier_threshold: 2,
        genesis_supply: GENESIS_SUPPLY,
    };
    let keys = [pda::network(), pda::mint(), pda::vault(), pda::treasury()];
    let snap = t.snapshot(&keys).await;
    // Mallory signs as the authority: refused.
    let ix = edgefuel_client::ix::initialize_network(
        &mallory.pubkey(),
        &mallory.pubkey(),
        &mallory.pubkey(),
        args.clone(),
    );
    assert_err(t.send(&[ix], &[&mallory]).await, E::NotUpgradeAuthority);
    // A ProgramData look-alike that Mallory controls is not at the loader's
    // address for this program.
    let mut ix = edgefuel_client::ix::initialize_network(
        &mallory.pubkey(),
        &mallory.pubkey(),
        &mallory.pubkey(),
        args.clone(),
    );
    ix.accounts[2].pubkey = mallory.pubkey();
    assert!(t.send(&[ix], &[&mallory]).await.is_err());
    assert_eq!(t.snapshot(&keys).await, snap);
    assert!(snap.iter().all(Option::is_none));

    // The upgrade authority (the fixture's payer deployed the program).
    let ix = t.initialize_ix(
        default_params(),
        t.guardian.pubkey(),
        verifiers,
        2,
        GENESIS_SUPPLY,
    );
    t.send(&[ix], &[]).await.unwrap();
    assert_eq!(t.network().await.guardian, t.guardian.pubkey());
}
