//! Governance: proposals, votes, finalization, execution, cancellation.
use super::*;
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
