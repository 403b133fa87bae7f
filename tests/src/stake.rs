//! Nodes and stake: registering and running nodes, delegations,
//! undelegation, withdrawal, claims, and the stories built on them.
use super::*;
use edgefuel::NodeEpochStats;

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

    /// The epochs a stake instruction of `staker` in `node` names now.
    pub async fn stake_epochs(&mut self, staker: &Pubkey, node: &Pubkey) -> ix::StakeEpochs {
        let current = self.current_epoch().await;
        let d: Option<Delegation> = self.decode(&pda::delegation(node, staker)).await;
        ix::StakeEpochs::of(d.as_ref(), current)
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
}
