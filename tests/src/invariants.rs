//! Network-level invariants, checked by the fixture after every transaction
//! it sends successfully (so every step of every story checks them):
//!
//! - the stake vault holds exactly Σ nodes' `pool_tokens`;
//! - `network.total_bonded` == Σ nodes' bonded value (`Node::bonded_tokens`);
//! - the EFUEL supply == `network.genesis_supply` + Σ nodes' `total_claimed`;
//! - `network.total_slashed` == Σ nodes' `total_slashed`, and
//!   `network.total_rewards_accrued` == Σ nodes' `total_rewards`;
//! - `network.node_count` == the nodes seen;
//! - per node: the pool invariant holds, Σ delegations' bonded shares ==
//!   `bonded_shares`, Σ bonded + unbonding == `pool_shares`, the operator's
//!   delegation holds `operator_bonded_shares`; the node's activating
//!   entries of the current and previous epoch equal Σ its delegations'
//!   activating shares of those epochs.
//!
//! Nodes and delegations are found from the accounts each transaction names
//! (by their account discriminator), so nothing has to be registered by hand.
//! A test that writes an account directly (`write_node`) forges state the
//! program never produced; the checks are off for the rest of that test.
use crate::TestContext;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountDeserialize, Discriminator};
use anchor_spl::token::{Mint, TokenAccount};
use edgefuel::{pda, Delegation, Network, Node};
use std::collections::{BTreeMap, BTreeSet};

/// The program accounts the fixture has seen.
#[derive(Default)]
pub struct Seen {
    pub nodes: BTreeSet<Pubkey>,
    pub delegations: BTreeSet<Pubkey>,
    /// Set when a test wrote state directly: invariants no longer apply.
    pub forged: bool,
}

impl TestContext {
    /// Remembers every node and delegation among `keys`.
    pub(crate) async fn see(&mut self, keys: impl IntoIterator<Item = Pubkey>) {
        for key in keys {
            let Some(acc) = self.ctx.banks_client.get_account(key).await.unwrap() else {
                continue;
            };
            if acc.owner != edgefuel::ID || acc.data.len() < 8 {
                continue;
            }
            if acc.data[..8] == *Node::DISCRIMINATOR {
                self.seen.nodes.insert(key);
            } else if acc.data[..8] == *Delegation::DISCRIMINATOR {
                self.seen.delegations.insert(key);
            }
        }
    }

    async fn load<T: AccountDeserialize>(&mut self, key: &Pubkey) -> Option<T> {
        let data = self.raw(key).await?;
        Some(T::try_deserialize(&mut data.as_slice()).unwrap())
    }

    /// Asserts every network-level invariant (see the module docs). A no-op
    /// before the network exists or after a test forged state.
    pub async fn assert_invariants(&mut self) {
        if self.seen.forged {
            return;
        }
        let Some(net) = self.load::<Network>(&pda::network()).await else {
            return;
        };
        let mut pool_tokens = 0u128;
        let mut bonded = 0u128;
        let mut claimed = 0u128;
        let mut slashed = 0u128;
        let mut rewards = 0u128;
        let mut nodes: BTreeMap<Pubkey, Node> = BTreeMap::new();
        for key in self.seen.nodes.clone() {
            let node: Node = self.load(&key).await.expect("nodes are never closed");
            node.invariant().expect("pool invariant");
            assert!(
                node.total_claimed <= node.total_rewards,
                "claims on {key} exceed its accrued rewards"
            );
            pool_tokens += node.pool_tokens as u128;
            bonded += node.bonded_tokens().unwrap() as u128;
            claimed += node.total_claimed as u128;
            slashed += node.total_slashed as u128;
            rewards += node.total_rewards as u128;
            nodes.insert(key, node);
        }
        assert_eq!(net.node_count, nodes.len() as u64, "node count");
        let vault = self.load::<TokenAccount>(&pda::vault()).await.unwrap();
        assert_eq!(vault.amount as u128, pool_tokens, "vault == Σ pool tokens");
        assert_eq!(net.total_bonded as u128, bonded, "total_bonded == Σ bonded");
        let mint = self.load::<Mint>(&pda::mint()).await.unwrap();
        assert_eq!(
            mint.supply as u128,
            net.genesis_supply as u128 + claimed,
            "supply == genesis + Σ claimed"
        );
        assert_eq!(net.total_slashed as u128, slashed, "Σ slashed");
        assert_eq!(net.total_rewards_accrued as u128, rewards, "Σ rewards");

        // Per node: the delegations add up to the pool's shares, and the
        // activating shares of the current and previous epoch to the node's
        // activating entries.
        let epoch = net.epoch_at(self.now().await);
        let mut activating: BTreeMap<(Pubkey, u64), u128> = BTreeMap::new();
        let mut sums: BTreeMap<Pubkey, (u128, u128, u128)> = BTreeMap::new();
        for key in self.seen.delegations.clone() {
            let Some(d) = self.load::<Delegation>(&key).await else {
                continue; // closed after a full withdrawal
            };
            let node = &nodes[&d.node];
            assert!(
                d.activating_shares <= d.bonded_shares,
                "activating ⊆ bonded"
            );
            if d.activating_epoch + 1 >= epoch {
                *activating.entry((d.node, d.activating_epoch)).or_default() +=
                    d.activating_shares as u128;
            }
            let e = sums.entry(d.node).or_default();
            e.0 += d.bonded_shares as u128;
            e.1 += (d.bonded_shares + d.unbonding_shares) as u128;
            if d.staker == node.operator {
                e.2 += d.bonded_shares as u128;
            }
        }
        for (key, node) in &nodes {
            let (b, all, op) = sums.get(key).copied().unwrap_or_default();
            assert_eq!(b, node.bonded_shares as u128, "Σ bonded shares of {key}");
            assert_eq!(all, node.pool_shares as u128, "Σ shares of {key}");
            assert_eq!(op, node.operator_bonded_shares as u128, "operator shares");
            for c in node.activating.iter().filter(|c| c.epoch + 1 >= epoch) {
                let sum = activating.get(&(*key, c.epoch)).copied().unwrap_or(0);
                assert_eq!(sum, c.shares as u128, "activating shares of {key}");
            }
        }
    }
}
