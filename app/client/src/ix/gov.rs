//! Builders for governance: propose, vote, finalize, execute, cancel.
use super::build;
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_spl::token::spl_token;
use edgefuel::{CreateProposalArgs, ProposalAction, VoteChoice};

/// `create_proposal`: `proposer` opens proposal `id` (the network's current
/// `proposal_count`), backed by its delegation in `operator`'s node.
pub fn create_proposal(
    proposer: &Pubkey,
    operator: &Pubkey,
    id: u64,
    args: CreateProposalArgs,
) -> Instruction {
    let node = pda::node(operator);
    build(
        edgefuel::accounts::CreateProposal {
            proposer: *proposer,
            network: pda::network(),
            node,
            delegation: pda::delegation(&node, proposer),
            proposal: pda::proposal(id),
            system_program: anchor_lang::system_program::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::CreateProposal { args },
    )
}

/// `cast_vote`: `voter` votes on proposal `id` with its delegation in
/// `operator`'s node (weight = that delegation's bonded tokens).
pub fn cast_vote(voter: &Pubkey, operator: &Pubkey, id: u64, choice: VoteChoice) -> Instruction {
    let node = pda::node(operator);
    let delegation = pda::delegation(&node, voter);
    let proposal = pda::proposal(id);
    build(
        edgefuel::accounts::CastVote {
            voter: *voter,
            node,
            delegation,
            proposal,
            vote_record: pda::proposal_vote(&proposal, &delegation),
            system_program: anchor_lang::system_program::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::CastVote { choice },
    )
}

/// `finalize_proposal`: anyone tallies proposal `id` after its vote ends.
pub fn finalize_proposal(id: u64) -> Instruction {
    build(
        edgefuel::accounts::FinalizeProposal {
            network: pda::network(),
            proposal: pda::proposal(id),
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::FinalizeProposal {},
    )
}

/// `execute_proposal`: anyone executes passed proposal `id` after its
/// timelock. `action` is the proposal's action: a treasury transfer names
/// its destination token account, an unjail its node (both writable).
pub fn execute_proposal(id: u64, action: &ProposalAction) -> Instruction {
    let mut ix = build(
        edgefuel::accounts::ExecuteProposal {
            network: pda::network(),
            proposal: pda::proposal(id),
            treasury: pda::treasury(),
            token_program: spl_token::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::ExecuteProposal {},
    );
    match action {
        ProposalAction::TreasuryTransfer { to, .. } | ProposalAction::UnjailNode(to) => {
            ix.accounts.push(AccountMeta::new(*to, false));
        }
        _ => {}
    }
    ix
}

/// `cancel_proposal`: the proposer withdraws proposal `id` while it is voting.
pub fn cancel_proposal(proposer: &Pubkey, id: u64) -> Instruction {
    build(
        edgefuel::accounts::CancelProposal {
            proposer: *proposer,
            proposal: pda::proposal(id),
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::CancelProposal {},
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AnchorDeserialize;

    #[test]
    fn vote_record_is_per_proposal_and_delegation() {
        let (voter, op) = (Pubkey::new_unique(), Pubkey::new_unique());
        let ix = cast_vote(&voter, &op, 3, VoteChoice::No);
        let node = pda::node(&op);
        let delegation = pda::delegation(&node, &voter);
        assert_eq!(ix.accounts[0].pubkey, voter);
        assert!(ix.accounts[0].is_signer && ix.accounts[0].is_writable);
        assert_eq!(ix.accounts[2].pubkey, delegation);
        assert_eq!(ix.accounts[3].pubkey, pda::proposal(3));
        assert_eq!(
            ix.accounts[4].pubkey,
            pda::proposal_vote(&pda::proposal(3), &delegation)
        );
        assert_eq!(
            VoteChoice::try_from_slice(&ix.data[8..]).unwrap(),
            VoteChoice::No
        );
    }

    #[test]
    fn execute_names_the_target_of_transfers_and_unjails() {
        let to = Pubkey::new_unique();
        let base = execute_proposal(1, &ProposalAction::SetVerifierThreshold(2));
        let t = execute_proposal(1, &ProposalAction::TreasuryTransfer { to, amount: 5 });
        let u = execute_proposal(1, &ProposalAction::UnjailNode(to));
        assert_eq!(t.accounts.len(), base.accounts.len() + 1);
        assert_eq!(t.accounts.last().unwrap().pubkey, to);
        assert!(t.accounts.last().unwrap().is_writable);
        assert_eq!(u.accounts, t.accounts);
    }

    #[test]
    fn create_proposal_uses_the_proposers_delegation() {
        let (p, op) = (Pubkey::new_unique(), Pubkey::new_unique());
        let args = CreateProposalArgs {
            action: ProposalAction::SetGuardian(Pubkey::new_unique()),
            description_uri: "https://forum.example/p/1".into(),
        };
        let ix = create_proposal(&p, &op, 9, args.clone());
        assert_eq!(ix.accounts[3].pubkey, pda::delegation(&pda::node(&op), &p));
        assert_eq!(ix.accounts[4].pubkey, pda::proposal(9));
        let back = CreateProposalArgs::try_from_slice(&ix.data[8..]).unwrap();
        assert_eq!(back.action, args.action);
        assert_eq!(back.description_uri, args.description_uri);
    }
}
