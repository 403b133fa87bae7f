//! Chain and clock: booting program-test with the program, sending
//! transactions, funding actors, reading accounts and balances, moving
//! the wall clock and slots.
use super::*;
use solana_program_test::ProgramTestContext;

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

    pub fn payer(&self) -> Pubkey {
        self.ctx.payer.pubkey()
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

    pub(crate) async fn decode<T: AccountDeserialize>(&mut self, key: &Pubkey) -> Option<T> {
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
}

/// The associated EFUEL account of `owner` (free function for tests).
pub fn ata(owner: &Pubkey) -> Pubkey {
    get_associated_token_address(owner, &pda::mint())
}

pub fn as_pubkeys(keys: &[&Keypair]) -> Vec<Pubkey> {
    keys.iter().map(|k| k.pubkey()).collect()
}
