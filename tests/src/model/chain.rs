//! The program side of the lockstep run: a network on solana-program-test
//! with the model's actors, and every action sent as the instruction a
//! user, agent, verifier, guardian or token holder would send (built with
//! `edgefuel_client::ix`).
use super::actions::*;
use super::rules::{Payee, Plan};
use super::state::{MAction, Model};
use crate::{metadata, TestBatch, TestContext, EFUEL};
use anchor_lang::prelude::{Pubkey, SlotHashes};
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use edgefuel::{pda, CreateProposalArgs, Params, PauseScope, ProposalAction, Verdict, VoteChoice};
use edgefuel_client::ix;
use solana_banks_client::BanksClientError;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use std::collections::BTreeMap;

/// The epochs a client names for `actor`'s delegation in `node`: the
/// current one, and the one its stake is activating from, if earlier.
fn stake_epochs(m: &Model, node: u8, actor: u8) -> ix::StakeEpochs {
    let current = m.epoch();
    ix::StakeEpochs {
        current,
        activating: m
            .delegations
            .get(&(node, actor))
            .filter(|d| d.activating_shares > 0 && d.activating_epoch < current)
            .map(|d| d.activating_epoch),
    }
}

/// The parameters the model runs with: the defaults with short epochs
/// and windows and a reward rate that makes the exposure rule and the
/// emission cap bind within a few batches.
pub fn model_params() -> Params {
    Params {
        epoch_seconds: 3_600,
        reward_per_work_unit: 1_000_000,
        epoch_emission_cap: 200 * EFUEL,
        unbonding_seconds: 7_200,
        jail_seconds: 1_800,
        voting_seconds: 3_600,
        timelock_seconds: 1_800,
        ..crate::default_params()
    }
}

/// EFUEL each operator and each staker starts with.
pub const OPERATOR_FUNDS: u64 = 3_000;
pub const STAKER_FUNDS: u64 = 2_000;
/// EFUEL actor `i` starts with (in EFUEL).
pub fn funds(i: usize) -> u64 {
    if i < NODES {
        OPERATOR_FUNDS
    } else {
        STAKER_FUNDS
    }
}
/// Commission of node 0, 1, 2 (bps).
pub const COMMISSIONS: [u16; NODES] = [0, 1_000, 2_000];

/// The chain, its keys, and the batches the nodes built.
pub struct Chain {
    pub t: TestContext,
    pub actors: Vec<Keypair>,
    pub verifiers: Vec<Keypair>,
    pub guardians: Vec<Keypair>,
    /// The receipts of each batch submitted, by (node, seq).
    pub built: BTreeMap<(u8, u64), TestBatch>,
    /// Transactions sent.
    pub sent: u64,
}

impl Chain {
    /// Boots a network with [`model_params`], funds the actors, registers
    /// the nodes; returns the chain and the model of the same state.
    pub async fn boot() -> (Chain, Model) {
        let params = model_params();
        let t = TestContext::with_params(params).await;
        let actors: Vec<Keypair> = (0..ACTORS).map(|_| Keypair::new()).collect();
        let mut verifiers: Vec<Keypair> = t.verifiers.iter().map(|k| k.insecure_clone()).collect();
        while verifiers.len() < VERIFIER_KEYS {
            verifiers.push(Keypair::new());
        }
        let guardians = vec![t.guardian.insecure_clone(), Keypair::new()];
        let mut chain = Chain {
            t,
            actors,
            verifiers,
            guardians,
            built: BTreeMap::new(),
            sent: 0,
        };
        chain.fund().await;
        let t = &mut chain.t;
        let clock: anchor_lang::prelude::Clock = t.ctx.banks_client.get_sysvar().await.unwrap();
        let hashes: SlotHashes = t.ctx.banks_client.get_sysvar().await.unwrap();
        let hashes = hashes.iter().map(|(s, _)| *s).collect();
        let genesis = t.network().await.genesis_supply;
        let mut model = Model::new(params, clock.unix_timestamp, clock.slot, hashes, genesis);
        for (i, n) in model.nodes.iter_mut().enumerate() {
            n.status = Some(super::state::Status::Active);
            n.commission_bps = COMMISSIONS[i];
        }
        model.node_count = NODES as u64;
        for (i, w) in model.wallets.iter_mut().enumerate() {
            *w = funds(i) * EFUEL;
        }
        (chain, model)
    }

    /// Gives every actor SOL and its EFUEL, every verifier key an EFUEL
    /// account, and registers the nodes, in a few transactions.
    async fn fund(&mut self) {
        let payer = self.t.payer();
        let whale = self.t.whale.insecure_clone();
        let sol: Vec<Instruction> = self
            .actors
            .iter()
            .map(|a| {
                anchor_lang::solana_program::system_instruction::transfer(
                    &payer,
                    &a.pubkey(),
                    10_000_000_000,
                )
            })
            .collect();
        self.exec_all(sol, &[]).await.unwrap();
        let owners: Vec<Pubkey> = self
            .actors
            .iter()
            .chain(&self.verifiers)
            .map(|k| k.pubkey())
            .collect();
        for chunk in owners.chunks(4) {
            let ixs = chunk
                .iter()
                .map(|o| ix::create_efuel_ata(&payer, o))
                .collect();
            self.exec_all(ixs, &[]).await.unwrap();
        }
        let transfers: Vec<Instruction> = (0..ACTORS)
            .map(|i| {
                ix::transfer_efuel(&whale.pubkey(), &self.actors[i].pubkey(), funds(i) * EFUEL)
                    .unwrap()
            })
            .collect();
        self.exec_all(transfers, &[&whale]).await.unwrap();
        for (i, c) in COMMISSIONS.iter().enumerate() {
            let op = self.actors[i].insecure_clone();
            let register = ix::register_node(&op.pubkey(), metadata(*c));
            self.exec_all(vec![register], &[&op]).await.unwrap();
        }
    }

    pub fn operator(&self, node: u8) -> Pubkey {
        self.actors[node as usize].pubkey()
    }

    pub fn node_key(&self, node: u8) -> Pubkey {
        pda::node(&self.operator(node))
    }

    pub fn batch_key(&self, node: u8, seq: u64) -> Pubkey {
        pda::batch(&self.node_key(node), seq)
    }

    fn proposal_action(&self, a: &MAction) -> ProposalAction {
        match a {
            MAction::Params(p) => ProposalAction::UpdateParams(**p),
            MAction::AddVerifier(k) => {
                ProposalAction::AddVerifier(self.verifiers[*k as usize].pubkey())
            }
            MAction::RemoveVerifier(k) => {
                ProposalAction::RemoveVerifier(self.verifiers[*k as usize].pubkey())
            }
            MAction::Threshold(t) => ProposalAction::SetVerifierThreshold(*t),
            MAction::Guardian(g) => {
                ProposalAction::SetGuardian(self.guardians[*g as usize].pubkey())
            }
            MAction::Transfer { actor, amount } => ProposalAction::TreasuryTransfer {
                to: self.t.ata(&self.actors[*actor as usize].pubkey()),
                amount: *amount,
            },
            MAction::Unjail(n) => ProposalAction::UnjailNode(self.node_key(*n)),
        }
    }

    /// Sends `a` as resolved by `plan` (the model before the action is
    /// `m`); `Ok` for time and slot moves. Returns the custom error code of
    /// a refusal, or the whole error when it is not a custom one.
    pub async fn send(&mut self, a: &Action, plan: &Plan, m: &Model) -> Result<(), String> {
        let (ix, signer): (Instruction, Option<Keypair>) = match *a {
            Action::Wait { secs } => {
                self.t.advance_time(secs as i64).await;
                return Ok(());
            }
            Action::Slots { n } if n <= STEPPED_SLOTS => {
                self.t.warp_slots(n as u64).await;
                return Ok(());
            }
            Action::Slots { n } => {
                self.t.jump_slots(n as u64).await;
                return Ok(());
            }
            Action::Delegate { actor, node, .. } => (
                ix::delegate(
                    &self.actors[actor as usize].pubkey(),
                    &self.node_key(node),
                    plan.amount,
                    stake_epochs(m, node, actor),
                ),
                Some(self.actors[actor as usize].insecure_clone()),
            ),
            Action::Undelegate { actor, node, .. } => (
                ix::undelegate(
                    &self.actors[actor as usize].pubkey(),
                    &self.node_key(node),
                    plan.amount,
                    stake_epochs(m, node, actor),
                ),
                Some(self.actors[actor as usize].insecure_clone()),
            ),
            Action::Withdraw { actor, node } => (
                ix::withdraw(&self.actors[actor as usize].pubkey(), &self.node_key(node)),
                Some(self.actors[actor as usize].insecure_clone()),
            ),
            Action::Claim { actor, node } => (
                ix::claim_rewards(
                    &self.actors[actor as usize].pubkey(),
                    &self.node_key(node),
                    stake_epochs(m, node, actor),
                ),
                Some(self.actors[actor as usize].insecure_clone()),
            ),
            Action::Submit {
                signer,
                node,
                leaves,
                work,
                fake,
                inflate,
                ..
            } => {
                let op = self.operator(node);
                let leaves = super::rules::batch_leaves(leaves, work, fake, inflate);
                let fakes: Vec<usize> = (0..leaves.len()).filter(|i| leaves[*i].fake).collect();
                let w = WORKS[work as usize % WORKS.len()];
                let mut tb = TestBatch::new(&op, plan.seq, leaves.len(), w, &fakes);
                if leaves.iter().any(|l| l.inflated) {
                    tb = tb.tampered(|r| {
                        for (i, x) in r.iter_mut().enumerate() {
                            if leaves[i].inflated {
                                x.work_units *= 2;
                            }
                        }
                    });
                }
                tb.epoch = plan.epoch;
                let signer = self.actors[signer as usize].insecure_clone();
                let ix = ix::submit_batch(&signer.pubkey(), &self.t.payer(), &op, tb.args());
                let res = self.exec(ix, Some(signer)).await;
                if res.is_ok() {
                    self.built.insert((node, plan.seq), tb);
                }
                return res;
            }
            Action::Seal { node, .. } => (ix::seal_batch(&self.batch_key(node, plan.seq)), None),
            Action::Reveal { signer, node, .. } => {
                let items = match self.built.get(&(node, plan.seq)) {
                    Some(tb) => plan.leaves.iter().map(|l| tb.item(*l)).collect(),
                    None => vec![],
                };
                let signer = self.actors[signer as usize].insecure_clone();
                (
                    ix::reveal_samples(
                        &signer.pubkey(),
                        &self.operator(node),
                        &self.batch_key(node, plan.seq),
                        items,
                    ),
                    Some(signer),
                )
            }
            Action::Vote { verifier, node, .. } => {
                let verdict = match plan.verdict.flatten() {
                    None => Verdict::Valid,
                    Some(leaf) => Verdict::Invalid {
                        leaf_index: leaf,
                        expected_commitment: self
                            .built
                            .get(&(node, plan.seq))
                            .and_then(|tb| tb.truth.get(leaf as usize).copied())
                            .unwrap_or_default(),
                    },
                };
                let v = self.verifiers[verifier as usize % VERIFIER_KEYS].insecure_clone();
                (
                    ix::vote(&v.pubkey(), &self.batch_key(node, plan.seq), verdict),
                    Some(v),
                )
            }
            Action::Finalize { node, .. } => {
                let epoch = m.batches.get(&(node, plan.seq)).map_or(0, |b| b.epoch);
                let mut ix = ix::finalize_batch(
                    &self.operator(node),
                    &self.batch_key(node, plan.seq),
                    epoch,
                    m.epoch(),
                    &[],
                );
                for p in &plan.bounty {
                    let owner = match p {
                        Payee::Verifier(v) => self.verifiers[*v as usize].pubkey(),
                        Payee::Actor(a) => self.actors[*a as usize].pubkey(),
                    };
                    ix.accounts
                        .push(AccountMeta::new(self.t.ata(&owner), false));
                }
                (ix, None)
            }
            Action::ReportMissed { node, .. } => {
                let epoch = m.batches.get(&(node, plan.seq)).map_or(0, |b| b.epoch);
                (
                    ix::report_missed(
                        &self.operator(node),
                        &self.batch_key(node, plan.seq),
                        epoch,
                        m.epoch(),
                    ),
                    None,
                )
            }
            Action::CloseBatch { node, .. } => (
                ix::close_batch(&self.operator(node), &self.batch_key(node, plan.seq)),
                None,
            ),
            Action::Unjail { signer, node } => {
                let s = self.actors[signer as usize].insecure_clone();
                let mut ix = ix::unjail_node(&s.pubkey());
                ix.accounts[1].pubkey = self.node_key(node);
                (ix, Some(s))
            }
            Action::Exit { signer, node } => {
                let s = self.actors[signer as usize].insecure_clone();
                let mut ix = ix::exit_node(&s.pubkey());
                ix.accounts[1].pubkey = self.node_key(node);
                (ix, Some(s))
            }
            Action::Pause {
                guardian,
                scope,
                on,
            } => {
                let g = if guardian { m.guardian } else { 1 - m.guardian };
                let s = self.guardians[g as usize].insecure_clone();
                let scope = match scope % 3 {
                    0 => PauseScope::Submissions,
                    1 => PauseScope::Minting,
                    _ => PauseScope::All,
                };
                let ix = if on {
                    ix::pause(&s.pubkey(), scope)
                } else {
                    ix::unpause(&s.pubkey(), scope)
                };
                (ix, Some(s))
            }
            Action::Propose { actor, node, .. } => {
                let s = self.actors[actor as usize].insecure_clone();
                let args = CreateProposalArgs {
                    action: self.proposal_action(plan.action.as_ref().expect("planned")),
                    description_uri: "https://forum.edgefuel.example/p/model".into(),
                };
                (
                    ix::create_proposal(&s.pubkey(), &self.operator(node), plan.proposal, args),
                    Some(s),
                )
            }
            Action::CastVote {
                actor,
                node,
                choice,
                ..
            } => {
                let s = self.actors[actor as usize].insecure_clone();
                let choice = match choice % 3 {
                    0 => VoteChoice::Yes,
                    1 => VoteChoice::No,
                    _ => VoteChoice::Abstain,
                };
                (
                    ix::cast_vote(&s.pubkey(), &self.operator(node), plan.proposal, choice),
                    Some(s),
                )
            }
            Action::FinalizeProposal { .. } => (ix::finalize_proposal(plan.proposal), None),
            Action::Execute { target, .. } => {
                // Without `target`, the builder of an action that names no
                // account: the action's account is left out.
                let action = match (&plan.action, target) {
                    (Some(a), true) => self.proposal_action(a),
                    _ => ProposalAction::SetVerifierThreshold(0),
                };
                (ix::execute_proposal(plan.proposal, &action), None)
            }
            Action::Cancel { actor, .. } => {
                let s = self.actors[actor as usize].insecure_clone();
                (ix::cancel_proposal(&s.pubkey(), plan.proposal), Some(s))
            }
        };
        self.exec(ix, signer).await
    }

    /// Sends `ix` signed by the payer and `signer`. A compute-unit price
    /// that counts up makes every transaction unique, so the current
    /// blockhash serves without waiting for a new one.
    async fn exec(&mut self, ix: Instruction, signer: Option<Keypair>) -> Result<(), String> {
        let signers: Vec<&Keypair> = signer.iter().collect();
        self.exec_all(vec![ix], &signers).await
    }

    async fn exec_all(
        &mut self,
        mut ixs: Vec<Instruction>,
        signer: &[&Keypair],
    ) -> Result<(), String> {
        self.sent += 1;
        ixs.insert(
            0,
            ComputeBudgetInstruction::set_compute_unit_price(self.sent),
        );
        let blockhash = self
            .t
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .unwrap();
        let mut signers: Vec<&Keypair> = vec![&self.t.ctx.payer];
        signers.extend_from_slice(signer);
        let tx =
            Transaction::new_signed_with_payer(&ixs, Some(&self.t.payer()), &signers, blockhash);
        let res = match self.t.ctx.banks_client.process_transaction(tx).await {
            Ok(()) => Ok(()),
            Err(BanksClientError::TransactionError(e)) => Err(e),
            Err(BanksClientError::SimulationError { err, .. }) => Err(err),
            Err(e) => panic!("transport error: {e}"),
        };
        match res {
            Ok(()) => Ok(()),
            Err(TransactionError::InstructionError(_, InstructionError::Custom(c))) => {
                Err(c.to_string())
            }
            Err(TransactionError::InstructionError(_, e)) => Err(format!("{e:?}")),
            Err(e) => Err(format!("{e:?}")),
        }
    }
}
