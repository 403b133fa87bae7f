//! Builders for the receipt pipeline: submit, seal, reveal, vote, finalize,
//! report missed, close, and unjail.
use super::{build, efuel_ata};
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::prelude::SlotHashes;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::sysvar::SysvarId;
use anchor_spl::token::spl_token;
use edgefuel::{RevealItem, SubmitBatchArgs, Verdict};

/// `submit_batch`: the node's agent (or operator) commits a batch; `payer`
/// funds the batch account (rent returns to the operator at close).
pub fn submit_batch(
    authority: &Pubkey,
    payer: &Pubkey,
    operator: &Pubkey,
    args: SubmitBatchArgs,
) -> Instruction {
    let node = pda::node(operator);
    build(
        edgefuel::accounts::SubmitBatch {
            authority: *authority,
            payer: *payer,
            network: pda::network(),
            node,
            batch: pda::batch(&node, args.seq),
            epoch_stats: pda::node_epoch(&node, args.epoch),
            system_program: anchor_lang::system_program::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::SubmitBatch { args },
    )
}

/// `seal_batch`: anyone draws the batch's sample from SlotHashes.
pub fn seal_batch(batch: &Pubkey) -> Instruction {
    build(
        edgefuel::accounts::SealBatch {
            network: pda::network(),
            batch: *batch,
            slot_hashes: SlotHashes::id(),
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::SealBatch {},
    )
}

/// `reveal_samples`: the node's agent (or operator) posts sampled leaves with proofs.
pub fn reveal_samples(
    authority: &Pubkey,
    operator: &Pubkey,
    batch: &Pubkey,
    items: Vec<RevealItem>,
) -> Instruction {
    build(
        edgefuel::accounts::RevealSamples {
            authority: *authority,
            node: pda::node(operator),
            batch: *batch,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::RevealSamples { items },
    )
}

/// `vote`: a verifier's verdict on a revealed batch.
pub fn vote(verifier: &Pubkey, batch: &Pubkey, verdict: Verdict) -> Instruction {
    build(
        edgefuel::accounts::Vote {
            verifier: *verifier,
            network: pda::network(),
            batch: *batch,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::Vote { verdict },
    )
}

fn settle_accounts(
    operator: &Pubkey,
    batch: &Pubkey,
    epoch: u64,
    current_epoch: u64,
) -> edgefuel::accounts::SettleBatch {
    let node = pda::node(operator);
    edgefuel::accounts::SettleBatch {
        network: pda::network(),
        node,
        batch: *batch,
        epoch_stats: pda::node_epoch(&node, epoch),
        current_stats: pda::node_epoch(&node, current_epoch),
        vault: pda::vault(),
        treasury: pda::treasury(),
        token_program: spl_token::ID,
        event_authority: pda::event_authority(),
        program: edgefuel::ID,
    }
}

/// `finalize_batch`: anyone settles a batch (batch epoch `epoch`, chain
/// epoch now `current_epoch`). When the quorum is Invalid, `invalid_voters`
/// are the verifiers who voted Invalid, in vote order: their EFUEL accounts
/// receive the bounty.
pub fn finalize_batch(
    operator: &Pubkey,
    batch: &Pubkey,
    epoch: u64,
    current_epoch: u64,
    invalid_voters: &[Pubkey],
) -> Instruction {
    let mut ix = build(
        settle_accounts(operator, batch, epoch, current_epoch),
        edgefuel::instruction::FinalizeBatch {},
    );
    ix.accounts.extend(
        invalid_voters
            .iter()
            .map(|v| AccountMeta::new(efuel_ata(v), false)),
    );
    ix
}

/// `report_missed`: anyone reports a batch (batch epoch `epoch`, chain
/// epoch now `current_epoch`) not sealed or not revealed in time.
pub fn report_missed(
    operator: &Pubkey,
    batch: &Pubkey,
    epoch: u64,
    current_epoch: u64,
) -> Instruction {
    build(
        settle_accounts(operator, batch, epoch, current_epoch),
        edgefuel::instruction::ReportMissed {},
    )
}

/// `close_batch`: anyone closes a final batch; rent returns to the operator.
pub fn close_batch(operator: &Pubkey, batch: &Pubkey) -> Instruction {
    build(
        edgefuel::accounts::CloseBatch {
            node: pda::node(operator),
            operator: *operator,
            batch: *batch,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::CloseBatch {},
    )
}

/// `unjail_node`: the operator lifts its node's jail after the term.
pub fn unjail_node(operator: &Pubkey) -> Instruction {
    build(
        edgefuel::accounts::UnjailNode {
            operator: *operator,
            node: pda::node(operator),
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::UnjailNode {},
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::{AnchorDeserialize, Discriminator};

    #[test]
    fn submit_derives_batch_and_epoch_pdas() {
        let (agent, payer, op) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let args = SubmitBatchArgs {
            seq: 7,
            root: [3; 32],
            leaf_count: 100,
            total_work: 1_000,
            epoch: 42,
        };
        let ix = submit_batch(&agent, &payer, &op, args);
        let node = pda::node(&op);
        let keys: Vec<_> = ix
            .accounts
            .iter()
            .map(|m| (m.pubkey, m.is_signer))
            .collect();
        assert_eq!(keys[0], (agent, true));
        assert_eq!(keys[1], (payer, true));
        assert_eq!(keys[3].0, node);
        assert_eq!(keys[4].0, pda::batch(&node, 7));
        assert_eq!(keys[5].0, pda::node_epoch(&node, 42));
        assert_eq!(
            &ix.data[..8],
            edgefuel::instruction::SubmitBatch::DISCRIMINATOR
        );
        let back = SubmitBatchArgs::deserialize(&mut &ix.data[8..]).unwrap();
        assert_eq!((back.seq, back.leaf_count, back.epoch), (7, 100, 42));
    }

    #[test]
    fn finalize_appends_bounty_accounts_of_invalid_voters() {
        let op = Pubkey::new_unique();
        let batch = pda::batch(&pda::node(&op), 1);
        let voters = [Pubkey::new_unique(), Pubkey::new_unique()];
        let ix = finalize_batch(&op, &batch, 5, 6, &voters);
        let base = report_missed(&op, &batch, 5, 6);
        let node = pda::node(&op);
        assert_eq!(base.accounts[3].pubkey, pda::node_epoch(&node, 5));
        assert_eq!(base.accounts[4].pubkey, pda::node_epoch(&node, 6));
        assert!(base.accounts[4].is_writable);
        assert_eq!(ix.accounts.len(), base.accounts.len() + 2);
        assert_eq!(ix.accounts[..base.accounts.len()], base.accounts[..]);
        assert_eq!(
            ix.accounts[base.accounts.len()].pubkey,
            efuel_ata(&voters[0])
        );
        assert!(ix.accounts[base.accounts.len()].is_writable);
        assert_ne!(ix.data, base.data);
    }

    #[test]
    fn seal_uses_the_slot_hashes_sysvar() {
        let ix = seal_batch(&Pubkey::new_unique());
        assert_eq!(ix.accounts[2].pubkey, SlotHashes::id());
        assert!(!ix.accounts[2].is_writable);
        let u = unjail_node(&Pubkey::new_unique());
        assert!(u.accounts[0].is_signer);
        assert!(u.accounts[1].is_writable);
    }
}
