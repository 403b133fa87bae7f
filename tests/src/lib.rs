//! Shared fixture for EdgeFuel's native program tests.
//!
//! `TestContext` boots the program natively inside solana-program-test (the
//! SPL Token and Associated Token programs run from their bundled binaries),
//! initializes a network, funds actors and offers one helper per instruction
//! so each test reads like a story.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// solana-program-test 3.x marks its API "unstable" (deprecated); it is the pinned harness.
#![allow(deprecated)]

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::AccountMeta;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AccountDeserialize;
use anchor_spl::associated_token::{get_associated_token_address, spl_associated_token_account};
use anchor_spl::token::spl_token;
use edgefuel::error::EdgeFuelError;
use edgefuel::{pda, Delegation, Network, Node, NodeMetadata, Params, PauseScope};
use edgefuel_client::{ix, EdgeFuelEvent};
use solana_banks_client::BanksClientError;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_program_test::{processor, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub use solana_keypair;
pub use solana_signer;

pub mod invariants;
pub mod model;

/// One EFUEL in base units.
pub use edgefuel_client::amount::EFUEL;
/// Genesis supply minted to the fixture's treasury-of-funds wallet.
pub const GENESIS_SUPPLY: u64 = 1_000_000_000 * EFUEL;
/// Wall-clock time the fixture starts at (unix seconds).
pub const START_TIME: i64 = 1_800_000_000;

/// Parameters the fixture initializes the network with: the network
/// defaults that `edgefuel network init` and the local chain also start from.
pub use edgefuel_client::config::default_params;

/// A result whose error is the transaction error, for exact assertions.
pub type TxResult = Result<(), TransactionError>;

/// The anchor code of an EdgeFuel error (`6000 + variant index`).
pub fn code(err: EdgeFuelError) -> u32 {
    err as u32 + anchor_lang::error::ERROR_CODE_OFFSET
}

/// Asserts that a transaction failed with exactly this custom error code.
#[track_caller]
pub fn assert_code<T: std::fmt::Debug>(res: Result<T, TransactionError>, expected: u32) {
    match res {
        Err(TransactionError::InstructionError(_, InstructionError::Custom(c))) => {
            assert_eq!(c, expected, "expected error code {expected}, got {c}")
        }
        other => panic!("expected custom error {expected}, got {other:?}"),
    }
}

/// Asserts that a transaction failed with exactly this EdgeFuel error.
#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(res: Result<T, TransactionError>, expected: EdgeFuelError) {
    assert_code(res, code(expected))
}

/// Anchor framework error codes the tests assert on.
pub mod anchor_codes {
    use anchor_lang::error::ErrorCode;
    pub const CONSTRAINT_HAS_ONE: u32 = ErrorCode::ConstraintHasOne as u32;
    pub const CONSTRAINT_SEEDS: u32 = ErrorCode::ConstraintSeeds as u32;
    pub const CONSTRAINT_ADDRESS: u32 = ErrorCode::ConstraintAddress as u32;
    pub const ACCOUNT_NOT_INITIALIZED: u32 = ErrorCode::AccountNotInitialized as u32;
    pub const ACCOUNT_DISCRIMINATOR_MISMATCH: u32 = ErrorCode::AccountDiscriminatorMismatch as u32;
    pub const ACCOUNT_OWNED_BY_WRONG_PROGRAM: u32 = ErrorCode::AccountOwnedByWrongProgram as u32;
    pub const CONSTRAINT_TOKEN_MINT: u32 = ErrorCode::ConstraintTokenMint as u32;
}

/// A fresh program-test with EdgeFuel hosted natively.
pub fn program_test() -> ProgramTest {
    let mut pt = ProgramTest::new(
        "edgefuel",
        edgefuel::ID,
        processor!(edgefuel::native::process_instruction),
    );
    pt.prefer_bpf(false);
    pt
}

pub struct TestContext {
    pub ctx: ProgramTestContext,
    pub guardian: Keypair,
    pub verifiers: Vec<Keypair>,
    /// Holds the genesis supply; funds every actor.
    pub whale: Keypair,
    /// Nodes and delegations seen so far, for the network invariants.
    pub seen: invariants::Seen,
}

/// Metadata the fixture registers nodes with.
pub fn metadata(commission_bps: u16) -> NodeMetadata {
    NodeMetadata {
        endpoint: "https://node.example:7443".into(),
        gpu_model: "RTX 4090".into(),
        vram_mib: 24_576,
        region: "eu-west".into(),
        commission_bps,
    }
}

impl TestContext {
    /// Boots the chain without a network. The program's ProgramData account
    /// names the fixture's payer as upgrade authority, as the upgradeable
    /// loader would after a deploy by that key.
    pub async fn boot() -> Self {
        Self::boot_on(program_test()).await
    }

    /// Boots `pt` (a [`program_test`] with more programs added, e.g. the
    /// benchmark's baseline) without a network, with the ProgramData account
    /// as the loader would leave it.
    pub async fn boot_on(pt: ProgramTest) -> Self {
        let mut ctx = pt.start_with_context().await;
        let (address, owner, data) = edgefuel::native::program_data_account(&ctx.payer.pubkey());
        let rent: anchor_lang::prelude::Rent = ctx.banks_client.get_sysvar().await.unwrap();
        let account = solana_account::Account {
            lamports: rent.minimum_balance(data.len()),
            data,
            owner,
            executable: false,
            rent_epoch: 0,
        };
        ctx.set_account(&address, &account.into());
        let mut clock: anchor_lang::prelude::Clock = ctx.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp = START_TIME;
        ctx.set_sysvar(&clock);
        TestContext {
            ctx,
            guardian: Keypair::new(),
            verifiers: (0..3).map(|_| Keypair::new()).collect(),
            whale: Keypair::new(),
            seen: invariants::Seen::default(),
        }
    }

    /// Boots the chain and initializes a network with `default_params()`.
    pub async fn new() -> Self {
        Self::with_params(default_params()).await
    }

    pub async fn with_params(params: Params) -> Self {
        Self::with_params_on(program_test(), params).await
    }

    /// Boots `pt` and initializes a network with `params`.
    pub async fn with_params_on(pt: ProgramTest, params: Params) -> Self {
        let mut t = Self::boot_on(pt).await;
        let verifiers: Vec<Pubkey> = t.verifiers.iter().map(|k| k.pubkey()).collect();
        let ix = t.initialize_ix(params, t.guardian.pubkey(), verifiers, 2, GENESIS_SUPPLY);
        t.send(&[ix], &[]).await.unwrap();
        t
    }

    pub fn payer(&self) -> Pubkey {
        self.ctx.payer.pubkey()
    }

    /// `initialize_network` with the fixture's whale as genesis owner.
    pub fn initialize_ix(
        &self,
        params: Params,
        guardian: Pubkey,
        verifiers: Vec<Pubkey>,
        verifier_threshold: u8,
        genesis_supply: u64,
    ) -> Instruction {
        let args = edgefuel::InitializeNetworkArgs {
            params,
            guardian,
            verifiers,
            verifier_threshold,
            genesis_supply,
        };
        ix::initialize_network(&self.payer(), &self.payer(), &self.whale.pubkey(), args)
    }

    /// Signs with the payer plus `signers` on a fresh blockhash and processes.
    /// After a success, the network invariants are asserted
    /// ([`invariants`]): every step of every story checks them.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> TxResult {
        let blockhash = self.ctx.get_new_latest_blockhash().await.unwrap();
        let mut all: Vec<&Keypair> = vec![&self.ctx.payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(
            ixs,
            Some(&self.ctx.payer.pubkey()),
            &all,
            blockhash,
        );
        match self.ctx.banks_client.process_transaction(tx).await {
            Ok(()) => {
                let keys: Vec<Pubkey> = ixs
                    .iter()
                    .flat_map(|ix| ix.accounts.iter().map(|m| m.pubkey))
                    .collect();
                self.see(keys).await;
                self.assert_invariants().await;
                Ok(())
            }
            Err(BanksClientError::TransactionError(e)) => Err(e),
            Err(BanksClientError::SimulationError { err, .. }) => Err(err),
            Err(e) => panic!("transport error: {e}"),
        }
    }

    /// Sends like [`send`](Self::send) and returns the EdgeFuel events the
    /// transaction recorded in its inner instructions (the event self-CPIs),
    /// read from its simulation on the same state just before processing it.
    pub async fn send_for_events(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Vec<EdgeFuelEvent>, TransactionError> {
        let blockhash = self.ctx.get_new_latest_blockhash().await.unwrap();
        let mut all: Vec<&Keypair> = vec![&self.ctx.payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(
            ixs,
            Some(&self.ctx.payer.pubkey()),
            &all,
            blockhash,
        );
        let sim = self
            .ctx
            .banks_client
            .simulate_transaction(tx.clone())
            .await
            .unwrap();
        let details = sim.simulation_details.expect("simulation details");
        let message = tx.message;
        let mut events = Vec::new();
        for inner in details
            .inner_instructions
            .unwrap_or_default()
            .iter()
            .flatten()
        {
            let ix = &inner.instruction;
            let key = |i: u8| message.account_keys[usize::from(i)];
            let accounts: Vec<Pubkey> = ix.accounts.iter().map(|&a| key(a)).collect();
            events.extend(
                edgefuel_client::events::from_instruction(
                    &key(ix.program_id_index),
                    &accounts,
                    &ix.data,
                )
                .unwrap(),
            );
        }
        self.send(ixs, signers).await.map(|()| events)
    }

    /// A new keypair with 10 SOL for fees and rent.
    pub async fn actor(&mut self) -> Keypair {
        let kp = Keypair::new();
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &self.payer(),
            &kp.pubkey(),
            10_000_000_000,
        );
        self.send(&[ix], &[]).await.unwrap();
        kp
    }

    /// A new actor holding `amount` EFUEL in its associated token account.
    pub async fn funded_actor(&mut self, amount: u64) -> Keypair {
        let kp = self.actor().await;
        self.fund_efuel(&kp.pubkey(), amount).await;
        kp
    }

    /// The associated EFUEL account of `owner`.
    pub fn ata(&self, owner: &Pubkey) -> Pubkey {
        get_associated_token_address(owner, &pda::mint())
    }

    /// Creates `owner`'s EFUEL account if needed and transfers `amount` from the whale.
    pub async fn fund_efuel(&mut self, owner: &Pubkey, amount: u64) {
        let create =
            spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                &self.payer(),
                owner,
                &pda::mint(),
                &spl_token::ID,
            );
        let whale = self.whale.pubkey();
        let transfer = spl_token::instruction::transfer(
            &spl_token::ID,
            &self.ata(&whale),
            &self.ata(owner),
            &whale,
            &[],
            amount,
        )
        .unwrap();
        let whale_kp = self.whale.insecure_clone();
        self.send(&[create, transfer], &[&whale_kp]).await.unwrap();
    }

    // ---- reading state -------------------------------------------------

    pub async fn raw(&mut self, key: &Pubkey) -> Option<Vec<u8>> {
        self.ctx
            .banks_client
            .get_account(*key)
            .await
            .unwrap()
            .map(|a| a.data)
    }

    pub async fn lamports(&mut self, key: &Pubkey) -> u64 {
        self.ctx
            .banks_client
            .get_account(*key)
            .await
            .unwrap()
            .map(|a| a.lamports)
            .unwrap_or(0)
    }

    async fn decode<T: AccountDeserialize>(&mut self, key: &Pubkey) -> Option<T> {
        let data = self.raw(key).await?;
        Some(T::try_deserialize(&mut data.as_slice()).unwrap())
    }

    pub async fn network(&mut self) -> Network {
        self.decode(&pda::network()).await.expect("network exists")
    }

    pub async fn node(&mut self, operator: &Pubkey) -> Node {
        self.decode(&pda::node(operator))
            .await
            .expect("node exists")
    }

    pub async fn delegation(&mut self, operator: &Pubkey, staker: &Pubkey) -> Option<Delegation> {
        self.decode(&pda::delegation(&pda::node(operator), staker))
            .await
    }

    /// Token balance of a token account (0 when it does not exist).
    pub async fn balance(&mut self, token_account: &Pubkey) -> u64 {
        match self.raw(token_account).await {
            Some(data) => {
                anchor_spl::token::TokenAccount::try_deserialize(&mut data.as_slice())
                    .unwrap()
                    .amount
            }
            None => 0,
        }
    }

    pub async fn efuel(&mut self, owner: &Pubkey) -> u64 {
        let ata = self.ata(owner);
        self.balance(&ata).await
    }

    pub async fn mint_supply(&mut self) -> u64 {
        let data = self.raw(&pda::mint()).await.unwrap();
        anchor_spl::token::Mint::try_deserialize(&mut data.as_slice())
            .unwrap()
            .supply
    }

    /// Raw data of several accounts, to prove a failed call changed nothing.
    pub async fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Vec<u8>>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.raw(k).await);
        }
        out
    }

    /// Accounts of a node story: network, node, delegation, the staker's
    /// token account, vault and treasury.
    pub fn story_keys(&self, operator: &Pubkey, staker: &Pubkey) -> Vec<Pubkey> {
        let node = pda::node(operator);
        vec![
            pda::network(),
            node,
            pda::delegation(&node, staker),
            self.ata(staker),
            pda::vault(),
            pda::treasury(),
            pda::mint(),
        ]
    }

    // ---- time ------------------------------------------------------------

    pub async fn now(&mut self) -> i64 {
        let clock: anchor_lang::prelude::Clock = self.ctx.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp
    }

    /// The network's current reward epoch.
    pub async fn current_epoch(&mut self) -> u64 {
        let now = self.now().await;
        self.network().await.epoch_at(now)
    }

    /// The epochs a stake instruction of `staker` in `node` names now.
    pub async fn stake_epochs(&mut self, staker: &Pubkey, node: &Pubkey) -> ix::StakeEpochs {
        let current = self.current_epoch().await;
        let d: Option<Delegation> = self.decode(&pda::delegation(node, staker)).await;
        ix::StakeEpochs::of(d.as_ref(), current)
    }

    /// Moves the clock to the start of the next reward epoch: stake
    /// delegated before it earns from batches committed from then on.
    pub async fn next_epoch(&mut self) {
        let secs = self.network().await.params.epoch_seconds;
        let now = self.now().await;
        self.advance_time(secs - now.rem_euclid(secs)).await;
    }

    /// Moves to the next slot and the wall clock forward by `seconds`.
    pub async fn advance_time(&mut self, seconds: i64) {
        let mut clock: anchor_lang::prelude::Clock =
            self.ctx.banks_client.get_sysvar().await.unwrap();
        let ts = clock.unix_timestamp + seconds;
        self.ctx.warp_to_slot(clock.slot + 1).unwrap();
        clock = self.ctx.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp = ts;
        self.ctx.set_sysvar(&clock);
    }

    // ---- instructions ----------------------------------------------------

    pub fn pause_ix(&self, signer: &Pubkey, scope: PauseScope, pause: bool) -> Instruction {
        if pause {
            ix::pause(signer, scope)
        } else {
            ix::unpause(signer, scope)
        }
    }

    pub async fn pause(&mut self, signer: &Keypair, scope: PauseScope, pause: bool) -> TxResult {
        let ix = self.pause_ix(&signer.pubkey(), scope, pause);
        self.send(&[ix], &[signer]).await
    }

    pub fn register_node_ix(&self, operator: &Pubkey, metadata: NodeMetadata) -> Instruction {
        ix::register_node(operator, metadata)
    }

    pub async fn register_node(&mut self, operator: &Keypair, metadata: NodeMetadata) -> TxResult {
        let ix = self.register_node_ix(&operator.pubkey(), metadata);
        self.send(&[ix], &[operator]).await
    }

    pub async fn update_node(
        &mut self,
        operator: &Keypair,
        node_operator: &Pubkey,
        metadata: NodeMetadata,
    ) -> TxResult {
        let mut ix = ix::update_node(&operator.pubkey(), metadata);
        ix.accounts[2].pubkey = pda::node(node_operator);
        self.send(&[ix], &[operator]).await
    }

    pub async fn set_agent_key(
        &mut self,
        operator: &Keypair,
        node_operator: &Pubkey,
        agent: Pubkey,
    ) -> TxResult {
        let mut ix = ix::set_agent_key(&operator.pubkey(), agent);
        ix.accounts[1].pubkey = pda::node(node_operator);
        self.send(&[ix], &[operator]).await
    }

    pub async fn exit_node(&mut self, operator: &Keypair, node_operator: &Pubkey) -> TxResult {
        let mut ix = ix::exit_node(&operator.pubkey());
        ix.accounts[1].pubkey = pda::node(node_operator);
        self.send(&[ix], &[operator]).await
    }

    /// `delegate` with explicit accounts (tests swap them to check refusals).
    pub async fn delegate_ix(
        &mut self,
        staker: &Pubkey,
        node: &Pubkey,
        staker_token: &Pubkey,
        amount: u64,
    ) -> Instruction {
        let epochs = self.stake_epochs(staker, node).await;
        let mut ix = ix::delegate(staker, node, amount, epochs);
        ix.accounts[4].pubkey = *staker_token;
        ix
    }

    /// `staker` delegates `amount` to `operator`'s node from its EFUEL account.
    pub async fn delegate(&mut self, staker: &Keypair, operator: &Pubkey, amount: u64) -> TxResult {
        let ata = self.ata(&staker.pubkey());
        let ix = self
            .delegate_ix(&staker.pubkey(), &pda::node(operator), &ata, amount)
            .await;
        self.send(&[ix], &[staker]).await
    }

    pub async fn undelegate_ix(
        &mut self,
        staker: &Pubkey,
        node: &Pubkey,
        shares: u64,
    ) -> Instruction {
        let epochs = self.stake_epochs(staker, node).await;
        ix::undelegate(staker, node, shares, epochs)
    }

    pub async fn undelegate(
        &mut self,
        staker: &Keypair,
        operator: &Pubkey,
        shares: u64,
    ) -> TxResult {
        let ix = self
            .undelegate_ix(&staker.pubkey(), &pda::node(operator), shares)
            .await;
        self.send(&[ix], &[staker]).await
    }

    pub fn withdraw_ix(
        &self,
        staker: &Pubkey,
        node: &Pubkey,
        staker_token: &Pubkey,
    ) -> Instruction {
        let mut ix = ix::withdraw(staker, node);
        ix.accounts[4].pubkey = *staker_token;
        ix
    }

    pub async fn withdraw(&mut self, staker: &Keypair, operator: &Pubkey) -> TxResult {
        let ix = self.withdraw_ix(
            &staker.pubkey(),
            &pda::node(operator),
            &self.ata(&staker.pubkey()),
        );
        self.send(&[ix], &[staker]).await
    }

    pub async fn claim_ix(
        &mut self,
        staker: &Pubkey,
        node: &Pubkey,
        staker_token: &Pubkey,
    ) -> Instruction {
        let epochs = self.stake_epochs(staker, node).await;
        let mut ix = ix::claim_rewards(staker, node, epochs);
        ix.accounts[5].pubkey = *staker_token;
        ix
    }

    pub async fn claim(&mut self, staker: &Keypair, operator: &Pubkey) -> TxResult {
        let ata = self.ata(&staker.pubkey());
        let ix = self
            .claim_ix(&staker.pubkey(), &pda::node(operator), &ata)
            .await;
        self.send(&[ix], &[staker]).await
    }

    /// Registers a node for a new operator, self-staked with `stake` EFUEL.
    pub async fn staked_node(&mut self, commission_bps: u16, stake: u64) -> Keypair {
        let operator = self.funded_actor(stake.max(1)).await;
        self.register_node(&operator, metadata(commission_bps))
            .await
            .unwrap();
        if stake > 0 {
            self.delegate(&operator, &operator.pubkey(), stake)
                .await
                .unwrap();
        }
        operator
    }

    /// Writes a node account directly: used to give a pool rewards before the
    /// batch instructions exist to earn them, and to reach u64 edges.
    pub async fn write_node(&mut self, operator: &Pubkey, f: impl FnOnce(&mut Node)) {
        let key = pda::node(operator);
        let mut acc = self
            .ctx
            .banks_client
            .get_account(key)
            .await
            .unwrap()
            .unwrap();
        let mut node = Node::try_deserialize(&mut acc.data.as_slice()).unwrap();
        f(&mut node);
        let mut data = Vec::with_capacity(acc.data.len());
        anchor_lang::AccountSerialize::try_serialize(&node, &mut data).unwrap();
        data.resize(acc.data.len(), 0);
        acc.data = data;
        self.ctx.set_account(&key, &acc.into());
        self.seen.forged = true;
    }

    /// Accrues `reward` to `operator`'s node as an accepted batch of the
    /// current epoch would (the program's accrual path, without a batch):
    /// the pool part over the shares that earn for this epoch, and this
    /// epoch's stats (if any) following the accumulator.
    pub async fn accrue(&mut self, operator: &Pubkey, reward: u64) {
        let epoch = self.current_epoch().await;
        self.write_node(operator, |n| {
            let earning = n.earning_shares(epoch, epoch).unwrap();
            n.accrue_reward(reward, earning).unwrap();
        })
        .await;
        let acc = self.node(operator).await.acc_reward_per_share;
        let key = pda::node_epoch(&pda::node(operator), epoch);
        if let Some(mut account) = self.ctx.banks_client.get_account(key).await.unwrap() {
            let mut stats = NodeEpochStats::try_deserialize(&mut account.data.as_slice()).unwrap();
            stats.acc_end = acc;
            let mut data = Vec::with_capacity(account.data.len());
            anchor_lang::AccountSerialize::try_serialize(&stats, &mut data).unwrap();
            data.resize(account.data.len(), 0);
            account.data = data;
            self.ctx.set_account(&key, &account.into());
        }
    }
}

/// The associated EFUEL account of `owner` (free function for tests).
pub fn ata(owner: &Pubkey) -> Pubkey {
    get_associated_token_address(owner, &pda::mint())
}

pub fn as_pubkeys(keys: &[&Keypair]) -> Vec<Pubkey> {
    keys.iter().map(|k| k.pubkey()).collect()
}

/// Convenience re-export for tests.
pub use edgefuel::error::EdgeFuelError as E;

// ---- batches ---------------------------------------------------------------

use edgefuel::proof::Receipt;
use edgefuel::spec::{limits, JobShape, JobSpec};
use edgefuel::{Batch, NodeEpochStats, RevealItem, SubmitBatchArgs, Verdict};
pub use edgefuel_client::ReceiptBatch;

/// A `gemm_i8` shape of exactly `work` multiply-accumulates within the job
/// limits (the fixture's jobs; panics for a `work` no GEMM shape reaches,
/// e.g. a prime above 65 536).
pub fn gemm_with_work(work: u64) -> JobShape {
    let max_k = work.min(u64::from(limits::MAX_REDUCTION));
    for k in (1..=max_k).rev().filter(|k| work.is_multiple_of(*k)) {
        let rest = work / k;
        for m in (1..=rest.min(u64::from(limits::MAX_DIM))).filter(|m| rest.is_multiple_of(*m)) {
            let shape = JobShape::GemmI8 {
                m: m as u32,
                n: (rest / m).min(u64::from(u32::MAX)) as u32,
                k: k as u32,
            };
            if JobSpec::new(shape.clone(), [0; 32]).is_ok() {
                return shape;
            }
        }
    }
    panic!("no gemm_i8 shape has exactly {work} work units")
}

/// A batch of receipts built the way a node agent builds one (a
/// [`ReceiptBatch`]), with the honest output of every leaf for the tests'
/// verifiers.
pub struct TestBatch {
    pub rb: ReceiptBatch,
    pub seq: u64,
    pub epoch: u64,
    /// The output commitment an honest execution gives for each leaf.
    pub truth: Vec<[u8; 32]>,
    pub operator: Pubkey,
}

impl TestBatch {
    /// `n` jobs of `work_per_leaf` units each (specs bound to their
    /// positions); leaves in `fake` commit to an output that honest
    /// re-execution does not produce.
    pub fn new(operator: &Pubkey, seq: u64, n: usize, work_per_leaf: u64, fake: &[usize]) -> Self {
        Self::with_shapes(operator, seq, vec![gemm_with_work(work_per_leaf); n], fake)
    }

    /// One job per shape, in leaf order; leaves in `fake` commit a forged output.
    pub fn with_shapes(operator: &Pubkey, seq: u64, shapes: Vec<JobShape>, fake: &[usize]) -> Self {
        let specs = ReceiptBatch::job_specs(operator, seq, shapes).unwrap();
        let truth: Vec<[u8; 32]> = specs
            .iter()
            .map(|s| edgefuel::proof::hashv(&[b"output", &s.job_id()]))
            .collect();
        let committed: Vec<[u8; 32]> = truth
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if fake.contains(&i) {
                    edgefuel::proof::hashv(&[b"forged", t])
                } else {
                    *t
                }
            })
            .collect();
        Self::from_batch(
            ReceiptBatch::new(operator, seq, &specs, &committed).unwrap(),
            truth,
        )
    }

    /// Wraps any receipt batch (e.g. a cheater's); `truth` is what honest
    /// execution commits for each leaf.
    pub fn from_batch(rb: ReceiptBatch, truth: Vec<[u8; 32]>) -> Self {
        TestBatch {
            seq: rb.seq(),
            epoch: (START_TIME / default_params().epoch_seconds) as u64,
            operator: *rb.operator(),
            rb,
            truth,
        }
    }

    /// The same batch with `edit` applied to its receipts (shapes kept):
    /// how the attack tests build a node that lies in its leaves.
    pub fn tampered(&self, edit: impl FnOnce(&mut Vec<Receipt>)) -> Self {
        let mut receipts = self.rb.receipts().to_vec();
        edit(&mut receipts);
        let rb = ReceiptBatch::from_receipts(
            &self.operator,
            self.seq,
            self.rb.shapes().to_vec(),
            receipts,
        )
        .unwrap();
        TestBatch {
            rb,
            truth: self.truth.clone(),
            ..*self
        }
    }

    pub fn key(&self) -> Pubkey {
        self.rb.key()
    }

    pub fn total_work(&self) -> u64 {
        self.rb.total_work()
    }

    pub fn receipts(&self) -> &[Receipt] {
        self.rb.receipts()
    }

    pub fn args(&self) -> SubmitBatchArgs {
        self.rb.submit_args(self.epoch)
    }

    /// The reveal item for leaf `index`.
    pub fn item(&self, index: u32) -> RevealItem {
        self.rb.reveal_item(index).unwrap()
    }
}

impl TestContext {
    pub async fn slot(&mut self) -> u64 {
        let clock: anchor_lang::prelude::Clock = self.ctx.banks_client.get_sysvar().await.unwrap();
        clock.slot
    }

    /// Advances `n` slots one at a time (each adds a SlotHashes entry); the
    /// wall clock stays where it is.
    pub async fn warp_slots(&mut self, n: u64) {
        let clock: anchor_lang::prelude::Clock = self.ctx.banks_client.get_sysvar().await.unwrap();
        let ts = clock.unix_timestamp;
        for s in 1..=n {
            self.ctx.warp_to_slot(clock.slot + s).unwrap();
        }
        let mut clock: anchor_lang::prelude::Clock =
            self.ctx.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp = ts;
        self.ctx.set_sysvar(&clock);
    }

    /// Jumps `n` slots at once (one SlotHashes entry).
    pub async fn jump_slots(&mut self, n: u64) {
        let clock: anchor_lang::prelude::Clock = self.ctx.banks_client.get_sysvar().await.unwrap();
        let ts = clock.unix_timestamp;
        self.ctx.warp_to_slot(clock.slot + n).unwrap();
        let mut clock: anchor_lang::prelude::Clock =
            self.ctx.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp = ts;
        self.ctx.set_sysvar(&clock);
    }

    pub fn submit_ix(
        &self,
        authority: &Pubkey,
        tb: &TestBatch,
        args: SubmitBatchArgs,
    ) -> Instruction {
        ix::submit_batch(authority, &self.payer(), &tb.operator, args)
    }

    pub async fn submit(&mut self, authority: &Keypair, tb: &TestBatch) -> TxResult {
        let ix = self.submit_ix(&authority.pubkey(), tb, tb.args());
        self.send(&[ix], &[authority]).await
    }

    pub fn seal_ix(&self, batch: &Pubkey) -> Instruction {
        ix::seal_batch(batch)
    }

    pub async fn seal(&mut self, batch: &Pubkey) -> TxResult {
        let ix = self.seal_ix(batch);
        self.send(&[ix], &[]).await
    }

    pub fn reveal_ix(
        &self,
        authority: &Pubkey,
        tb: &TestBatch,
        items: Vec<RevealItem>,
    ) -> Instruction {
        ix::reveal_samples(authority, &tb.operator, &tb.key(), items)
    }

    pub async fn reveal(
        &mut self,
        authority: &Keypair,
        tb: &TestBatch,
        indices: &[u32],
    ) -> TxResult {
        let items = indices.iter().map(|i| tb.item(*i)).collect();
        let ix = self.reveal_ix(&authority.pubkey(), tb, items);
        self.send(&[ix], &[authority]).await
    }

    /// The leaves the batch's sample points fall in, each once.
    pub async fn sampled_leaves(&mut self, tb: &TestBatch) -> Vec<u32> {
        let batch = self.batch(&tb.key()).await.unwrap();
        tb.rb.sampled_leaves(batch.sample()).unwrap()
    }

    /// Reveals the whole sample, as many leaves per transaction as fit.
    pub async fn reveal_all(&mut self, authority: &Keypair, tb: &TestBatch) {
        let batch = self.batch(&tb.key()).await.unwrap();
        let items = tb.rb.reveal_items(&batch).unwrap();
        for chunk in ReceiptBatch::pack_reveals(items) {
            let ix = self.reveal_ix(&authority.pubkey(), tb, chunk);
            self.send(&[ix], &[authority]).await.unwrap();
        }
    }

    pub fn vote_ix(&self, verifier: &Pubkey, batch: &Pubkey, verdict: Verdict) -> Instruction {
        ix::vote(verifier, batch, verdict)
    }

    pub async fn vote(&mut self, verifier: &Keypair, batch: &Pubkey, verdict: Verdict) -> TxResult {
        let ix = self.vote_ix(&verifier.pubkey(), batch, verdict);
        self.send(&[ix], &[verifier]).await
    }

    /// `finalize_batch`; `bounty_to` are the Invalid voters' EFUEL accounts.
    pub async fn finalize_ix(&mut self, tb: &TestBatch, bounty_to: &[Pubkey]) -> Instruction {
        let current = self.current_epoch().await;
        let mut ix = ix::finalize_batch(&tb.operator, &tb.key(), tb.epoch, current, &[]);
        ix.accounts
            .extend(bounty_to.iter().map(|k| AccountMeta::new(*k, false)));
        ix
    }

    pub async fn finalize(&mut self, tb: &TestBatch, bounty_to: &[Pubkey]) -> TxResult {
        let ix = self.finalize_ix(tb, bounty_to).await;
        self.send(&[ix], &[]).await
    }

    pub async fn report_missed_ix(&mut self, tb: &TestBatch) -> Instruction {
        let current = self.current_epoch().await;
        ix::report_missed(&tb.operator, &tb.key(), tb.epoch, current)
    }

    pub async fn report_missed(&mut self, tb: &TestBatch) -> TxResult {
        let ix = self.report_missed_ix(tb).await;
        self.send(&[ix], &[]).await
    }

    pub fn close_batch_ix(&self, tb: &TestBatch) -> Instruction {
        ix::close_batch(&tb.operator, &tb.key())
    }

    pub async fn close_batch(&mut self, tb: &TestBatch) -> TxResult {
        let ix = self.close_batch_ix(tb);
        self.send(&[ix], &[]).await
    }

    pub async fn unjail(&mut self, operator: &Keypair) -> TxResult {
        let ix = ix::unjail_node(&operator.pubkey());
        self.send(&[ix], &[operator]).await
    }

    pub async fn batch(&mut self, key: &Pubkey) -> Option<Batch> {
        self.decode(key).await
    }

    pub async fn epoch_stats(&mut self, operator: &Pubkey, epoch: u64) -> Option<NodeEpochStats> {
        self.decode(&pda::node_epoch(&pda::node(operator), epoch))
            .await
    }

    /// Submit → seal → reveal: the batch ends Revealed, ready for votes.
    pub async fn commit_and_reveal(&mut self, agent: &Keypair, tb: &TestBatch) {
        self.submit(agent, tb).await.unwrap();
        self.warp_slots(default_params().seal_delay_slots + 1).await;
        self.seal(&tb.key()).await.unwrap();
        self.reveal_all(agent, tb).await;
    }

    /// The verifiers' EFUEL accounts (created empty on first use).
    pub async fn verifier_accounts(&mut self) -> Vec<Pubkey> {
        let keys: Vec<Pubkey> = self.verifiers.iter().map(|k| k.pubkey()).collect();
        for k in &keys {
            self.fund_efuel(k, 0).await;
        }
        keys.iter().map(|k| self.ata(k)).collect()
    }
}

// ---- governance ------------------------------------------------------------

use edgefuel::{CreateProposalArgs, Proposal, ProposalAction, VoteChoice};

impl TestContext {
    pub fn create_proposal_ix(
        &self,
        proposer: &Pubkey,
        node_operator: &Pubkey,
        id: u64,
        action: ProposalAction,
    ) -> Instruction {
        let args = CreateProposalArgs {
            action,
            description_uri: "https://forum.edgefuel.example/p/1".into(),
        };
        ix::create_proposal(proposer, node_operator, id, args)
    }

    /// Creates the next proposal with `proposer`'s delegation in `node_operator`'s node.
    pub async fn propose(
        &mut self,
        proposer: &Keypair,
        node_operator: &Pubkey,
        action: ProposalAction,
    ) -> Result<u64, TransactionError> {
        let id = self.network().await.proposal_count;
        let ix = self.create_proposal_ix(&proposer.pubkey(), node_operator, id, action);
        self.send(&[ix], &[proposer]).await.map(|_| id)
    }

    pub fn cast_vote_ix(
        &self,
        voter: &Pubkey,
        node_operator: &Pubkey,
        id: u64,
        choice: VoteChoice,
    ) -> Instruction {
        ix::cast_vote(voter, node_operator, id, choice)
    }

    pub async fn cast_vote(
        &mut self,
        voter: &Keypair,
        node_operator: &Pubkey,
        id: u64,
        choice: VoteChoice,
    ) -> TxResult {
        let ix = self.cast_vote_ix(&voter.pubkey(), node_operator, id, choice);
        self.send(&[ix], &[voter]).await
    }

    pub async fn finalize_proposal(&mut self, id: u64) -> TxResult {
        self.send(&[ix::finalize_proposal(id)], &[]).await
    }

    /// `execute_proposal`; `target` is the action's account, if it has one
    /// (tests pass none or a wrong one on purpose).
    pub async fn execute_proposal(&mut self, id: u64, target: Option<Pubkey>) -> TxResult {
        // A threshold change names no account: the builder adds none.
        let mut ix = ix::execute_proposal(id, &ProposalAction::SetVerifierThreshold(0));
        ix.accounts
            .extend(target.map(|t| AccountMeta::new(t, false)));
        self.send(&[ix], &[]).await
    }

    pub async fn cancel_proposal(&mut self, proposer: &Keypair, id: u64) -> TxResult {
        let ix = ix::cancel_proposal(&proposer.pubkey(), id);
        self.send(&[ix], &[proposer]).await
    }

    pub async fn proposal(&mut self, id: u64) -> Proposal {
        self.decode(&pda::proposal(id))
            .await
            .expect("proposal exists")
    }

    /// Runs a proposal through: everyone in `yes` votes yes, the window
    /// closes, it is finalized, the timelock passes.
    pub async fn pass(&mut self, id: u64, yes: &[(&Keypair, &Pubkey)]) {
        for (voter, node_operator) in yes {
            self.cast_vote(voter, node_operator, id, VoteChoice::Yes)
                .await
                .unwrap();
        }
        let p = self.proposal(id).await;
        let wait = p.voting_ends_at - self.now().await;
        self.advance_time(wait).await;
        self.finalize_proposal(id).await.unwrap();
        self.advance_time(default_params().timelock_seconds).await;
    }
}

// ---- stories shared by several test files ----------------------------------

impl TestContext {
    /// A node charging `commission_bps`, its operator self-staked with
    /// 1 000 EFUEL (`min_node_stake`), Alice delegating 1 000 and Bob 2 000.
    pub async fn node_with_stakers(&mut self, commission_bps: u16) -> (Keypair, Keypair, Keypair) {
        let op = self.staked_node(commission_bps, 1_000 * EFUEL).await;
        let alice = self.funded_actor(1_000 * EFUEL).await;
        let bob = self.funded_actor(2_000 * EFUEL).await;
        self.delegate(&alice, &op.pubkey(), 1_000 * EFUEL)
            .await
            .unwrap();
        self.delegate(&bob, &op.pubkey(), 2_000 * EFUEL)
            .await
            .unwrap();
        (op, alice, bob)
    }

    /// A `TestBatch` stamped with the current epoch.
    pub async fn batch_now(
        &mut self,
        operator: &Pubkey,
        seq: u64,
        n: usize,
        work_per_leaf: u64,
        fake: &[usize],
    ) -> TestBatch {
        let mut tb = TestBatch::new(operator, seq, n, work_per_leaf, fake);
        tb.epoch = (self.now().await / default_params().epoch_seconds) as u64;
        tb
    }

    /// A fraud caught: batch `seq` of one leaf (so it is sampled) with a
    /// fake output is committed and revealed by `operator`, verifiers 0 and 1
    /// vote Invalid and it is finalized (Rejected: fraud slash, bounty, jail).
    pub async fn caught_fraud(&mut self, operator: &Keypair, seq: u64) -> TestBatch {
        let tb = self
            .batch_now(&operator.pubkey(), seq, 1, 1_000, &[0])
            .await;
        self.commit_and_reveal(operator, &tb).await;
        let evidence = Verdict::Invalid {
            leaf_index: 0,
            expected_commitment: tb.truth[0],
        };
        for i in 0..2 {
            let v = self.verifiers[i].insecure_clone();
            self.vote(&v, &tb.key(), evidence).await.unwrap();
        }
        let bounty_to = self.verifier_accounts().await;
        self.finalize(&tb, &bounty_to[..2]).await.unwrap();
        tb
    }

    /// Verifiers 0 and 1 vote Valid on a revealed batch; then it is finalized.
    pub async fn accept(&mut self, tb: &TestBatch) {
        for i in 0..2 {
            let v = self.verifiers[i].insecure_clone();
            self.vote(&v, &tb.key(), Verdict::Valid).await.unwrap();
        }
        self.finalize(tb, &[]).await.unwrap();
    }
}
