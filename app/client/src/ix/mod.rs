//! One builder per program instruction, returning a ready `Instruction`.
//!
//! Account lists come from Anchor's generated `edgefuel::accounts::<Ix>`
//! (`ToAccountMetas`) and data from `edgefuel::instruction::<Ix>`
//! (`InstructionData`): nothing here re-declares a layout. PDAs are derived
//! from the arguments; token accounts are the owners' associated EFUEL
//! accounts. [`build`] takes any accounts struct and data for the cases these
//! helpers do not cover (e.g. tests that swap an account on purpose).
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{InstructionData, ToAccountMetas};
use anchor_spl::associated_token::{self, get_associated_token_address};
use anchor_spl::token::spl_token;
use edgefuel::{Delegation, InitializeNetworkArgs, NodeMetadata, PauseScope};

mod batch;
mod gov;
pub use batch::*;
pub use gov::*;

/// The associated EFUEL token account of `owner`.
pub fn efuel_ata(owner: &Pubkey) -> Pubkey {
    get_associated_token_address(owner, &pda::mint())
}

/// An EdgeFuel instruction from any generated accounts struct and data.
pub fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: edgefuel::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `initialize_network`: `authority` is the program's upgrade authority
/// (it must sign); `payer` funds the accounts; the genesis supply goes to
/// `genesis_owner`'s associated EFUEL account.
pub fn initialize_network(
    payer: &Pubkey,
    authority: &Pubkey,
    genesis_owner: &Pubkey,
    args: InitializeNetworkArgs,
) -> Instruction {
    build(
        edgefuel::accounts::InitializeNetwork {
            payer: *payer,
            authority: *authority,
            program_data: pda::program_data(),
            network: pda::network(),
            mint: pda::mint(),
            vault: pda::vault(),
            treasury: pda::treasury(),
            genesis_owner: *genesis_owner,
            genesis_token: efuel_ata(genesis_owner),
            token_program: spl_token::ID,
            associated_token_program: associated_token::ID,
            system_program: anchor_lang::system_program::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::InitializeNetwork { args },
    )
}

fn set_pause_accounts(guardian: &Pubkey) -> edgefuel::accounts::SetPause {
    edgefuel::accounts::SetPause {
        guardian: *guardian,
        network: pda::network(),
        event_authority: pda::event_authority(),
        program: edgefuel::ID,
    }
}

/// `pause` (guardian).
pub fn pause(guardian: &Pubkey, scope: PauseScope) -> Instruction {
    build(
        set_pause_accounts(guardian),
        edgefuel::instruction::Pause { scope },
    )
}

/// `unpause` (guardian).
pub fn unpause(guardian: &Pubkey, scope: PauseScope) -> Instruction {
    build(
        set_pause_accounts(guardian),
        edgefuel::instruction::Unpause { scope },
    )
}

/// `register_node`: `operator` registers its node.
pub fn register_node(operator: &Pubkey, metadata: NodeMetadata) -> Instruction {
    build(
        edgefuel::accounts::RegisterNode {
            operator: *operator,
            network: pda::network(),
            node: pda::node(operator),
            system_program: anchor_lang::system_program::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::RegisterNode { metadata },
    )
}

/// `update_node`: replaces the metadata of `operator`'s node.
pub fn update_node(operator: &Pubkey, metadata: NodeMetadata) -> Instruction {
    build(
        edgefuel::accounts::UpdateNode {
            operator: *operator,
            network: pda::network(),
            node: pda::node(operator),
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::UpdateNode { metadata },
    )
}

/// `set_agent_key`: names the hot key that signs `operator`'s submissions.
pub fn set_agent_key(operator: &Pubkey, agent: Pubkey) -> Instruction {
    build(
        edgefuel::accounts::SetAgentKey {
            operator: *operator,
            node: pda::node(operator),
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::SetAgentKey { agent },
    )
}

/// `exit_node`: `operator`'s node stops taking stake and work.
pub fn exit_node(operator: &Pubkey) -> Instruction {
    build(
        edgefuel::accounts::ExitNode {
            operator: *operator,
            node: pda::node(operator),
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::ExitNode {},
    )
}

/// The epochs a stake instruction (`delegate`, `undelegate`,
/// `claim_rewards`) names: the chain's current epoch and, when the
/// delegation has stake still activating from an earlier epoch, that
/// epoch (the node's stats account of it is passed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StakeEpochs {
    pub current: u64,
    pub activating: Option<u64>,
}

impl StakeEpochs {
    /// The epochs for a staker whose delegation (if any) is `delegation`,
    /// in epoch `current`.
    pub fn of(delegation: Option<&Delegation>, current: u64) -> Self {
        StakeEpochs {
            current,
            activating: delegation
                .filter(|d| d.needs_activation_base(current))
                .map(|d| d.activating_epoch),
        }
    }

    fn activating_stats(&self, node: &Pubkey) -> Option<Pubkey> {
        self.activating.map(|e| pda::node_epoch(node, e))
    }
}

/// `delegate`: `staker` stakes `amount` base units into `node` from its
/// associated EFUEL account (the operator's self-stake is a delegation too).
pub fn delegate(staker: &Pubkey, node: &Pubkey, amount: u64, epochs: StakeEpochs) -> Instruction {
    build(
        edgefuel::accounts::Delegate {
            staker: *staker,
            network: pda::network(),
            node: *node,
            delegation: pda::delegation(node, staker),
            staker_token: efuel_ata(staker),
            vault: pda::vault(),
            epoch_stats: pda::node_epoch(node, epochs.current),
            activating_stats: epochs.activating_stats(node),
            token_program: spl_token::ID,
            system_program: anchor_lang::system_program::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::Delegate {
            amount,
            epoch: epochs.current,
        },
    )
}

/// `undelegate`: starts the cooldown of `shares` bonded shares.
pub fn undelegate(staker: &Pubkey, node: &Pubkey, shares: u64, epochs: StakeEpochs) -> Instruction {
    build(
        edgefuel::accounts::Undelegate {
            staker: *staker,
            network: pda::network(),
            node: *node,
            delegation: pda::delegation(node, staker),
            activating_stats: epochs.activating_stats(node),
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::Undelegate { shares },
    )
}

/// `withdraw`: pays unbonded stake to the staker's associated EFUEL account.
pub fn withdraw(staker: &Pubkey, node: &Pubkey) -> Instruction {
    build(
        edgefuel::accounts::Withdraw {
            staker: *staker,
            network: pda::network(),
            node: *node,
            delegation: pda::delegation(node, staker),
            staker_token: efuel_ata(staker),
            vault: pda::vault(),
            token_program: spl_token::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::Withdraw {},
    )
}

/// `claim_rewards`: mints the delegation's rewards (and the operator's
/// commission) to the staker's associated EFUEL account.
pub fn claim_rewards(staker: &Pubkey, node: &Pubkey, epochs: StakeEpochs) -> Instruction {
    build(
        edgefuel::accounts::ClaimRewards {
            staker: *staker,
            network: pda::network(),
            node: *node,
            delegation: pda::delegation(node, staker),
            mint: pda::mint(),
            staker_token: efuel_ata(staker),
            activating_stats: epochs.activating_stats(node),
            token_program: spl_token::ID,
            event_authority: pda::event_authority(),
            program: edgefuel::ID,
        },
        edgefuel::instruction::ClaimRewards {},
    )
}

/// Creates `owner`'s associated EFUEL account if it does not exist (SPL ATA
/// program, idempotent), paid by `payer`.
pub fn create_efuel_ata(payer: &Pubkey, owner: &Pubkey) -> Instruction {
    associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
        payer,
        owner,
        &pda::mint(),
        &spl_token::ID,
    )
}

/// Transfers `amount` base units of EFUEL between associated accounts
/// (`transfer_checked`, so the mint and decimals are verified).
pub fn transfer_efuel(
    from_owner: &Pubkey,
    to_owner: &Pubkey,
    amount: u64,
) -> Result<Instruction, anchor_lang::prelude::ProgramError> {
    spl_token::instruction::transfer_checked(
        &spl_token::ID,
        &efuel_ata(from_owner),
        &pda::mint(),
        &efuel_ata(to_owner),
        from_owner,
        &[],
        amount,
        edgefuel::constants::EFUEL_DECIMALS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::{AnchorDeserialize, Discriminator};

    fn metadata() -> NodeMetadata {
        NodeMetadata {
            endpoint: "https://node.example:7443".into(),
            gpu_model: "RTX 4090".into(),
            vram_mib: 24_576,
            region: "eu-west".into(),
            commission_bps: 500,
        }
    }

    /// (pubkey, signer, writable) of each meta.
    fn metas(ix: &Instruction) -> Vec<(Pubkey, bool, bool)> {
        ix.accounts
            .iter()
            .map(|m| (m.pubkey, m.is_signer, m.is_writable))
            .collect()
    }

    #[test]
    fn delegate_accounts_and_data() {
        let staker = Pubkey::new_unique();
        let operator = Pubkey::new_unique();
        let node = pda::node(&operator);
        let epochs = StakeEpochs {
            current: 41,
            activating: Some(40),
        };
        let ix = delegate(&staker, &node, 12_500_000_000, epochs);
        assert_eq!(ix.program_id, edgefuel::ID);
        assert_eq!(
            metas(&ix),
            vec![
                (staker, true, true),
                (pda::network(), false, true),
                (node, false, true),
                (pda::delegation(&node, &staker), false, true),
                (efuel_ata(&staker), false, true),
                (pda::vault(), false, true),
                (pda::node_epoch(&node, 41), false, true),
                (pda::node_epoch(&node, 40), false, false),
                (spl_token::ID, false, false),
                (anchor_lang::system_program::ID, false, false),
                // Event-cpi: the authority that signs the self-CPI, the program.
                (pda::event_authority(), false, false),
                (edgefuel::ID, false, false),
            ]
        );
        assert_eq!(
            &ix.data[..8],
            edgefuel::instruction::Delegate::DISCRIMINATOR
        );
        let args = <(u64, u64)>::try_from_slice(&ix.data[8..]).unwrap();
        assert_eq!(args, (12_500_000_000, 41));
        // Without activating stake the optional account is the program id.
        let ix = delegate(&staker, &node, 1, StakeEpochs::of(None, 41));
        assert_eq!(ix.accounts[7].pubkey, edgefuel::ID);
    }

    #[test]
    fn register_node_carries_metadata() {
        let operator = Pubkey::new_unique();
        let ix = register_node(&operator, metadata());
        assert_eq!(ix.accounts[0].pubkey, operator);
        assert!(ix.accounts[0].is_signer);
        assert_eq!(ix.accounts[2].pubkey, pda::node(&operator));
        assert_eq!(
            &ix.data[..8],
            edgefuel::instruction::RegisterNode::DISCRIMINATOR
        );
        assert_eq!(
            NodeMetadata::try_from_slice(&ix.data[8..]).unwrap(),
            metadata()
        );
    }

    #[test]
    fn pause_and_unpause_differ_only_in_discriminator() {
        let g = Pubkey::new_unique();
        let p = pause(&g, PauseScope::Minting);
        let u = unpause(&g, PauseScope::Minting);
        assert_eq!(p.accounts, u.accounts);
        assert_eq!(p.data[8..], u.data[8..]);
        assert_eq!(&p.data[..8], edgefuel::instruction::Pause::DISCRIMINATOR);
        assert_eq!(&u.data[..8], edgefuel::instruction::Unpause::DISCRIMINATOR);
        assert_eq!(
            PauseScope::try_from_slice(&p.data[8..]).unwrap(),
            PauseScope::Minting
        );
    }

    #[test]
    fn initialize_network_pays_genesis_to_owner_ata() {
        let payer = Pubkey::new_unique();
        let owner = Pubkey::new_unique();
        let args = InitializeNetworkArgs {
            params: crate::config::default_params(),
            guardian: Pubkey::new_unique(),
            verifiers: vec![Pubkey::new_unique()],
            verifier_threshold: 1,
            genesis_supply: 7,
        };
        let authority = Pubkey::new_unique();
        let ix = initialize_network(&payer, &authority, &owner, args.clone());
        let keys: Vec<Pubkey> = ix.accounts.iter().map(|m| m.pubkey).collect();
        assert_eq!(keys[0], payer);
        assert_eq!((keys[1], ix.accounts[1].is_signer), (authority, true));
        assert_eq!(keys[2], pda::program_data());
        assert_eq!(keys[3], pda::network());
        assert_eq!(keys[7], owner);
        assert_eq!(keys[8], efuel_ata(&owner));
        let decoded = InitializeNetworkArgs::try_from_slice(&ix.data[8..]).unwrap();
        assert_eq!(decoded.params, args.params);
        assert_eq!(decoded.verifiers, args.verifiers);
        assert_eq!(decoded.genesis_supply, 7);
    }

    #[test]
    fn stake_builders_use_the_same_delegation_pda() {
        let staker = Pubkey::new_unique();
        let node = pda::node(&Pubkey::new_unique());
        let d = pda::delegation(&node, &staker);
        for ix in [
            undelegate(&staker, &node, 5, StakeEpochs::default()),
            withdraw(&staker, &node),
            claim_rewards(&staker, &node, StakeEpochs::default()),
        ] {
            assert_eq!(ix.accounts[0].pubkey, staker);
            assert!(ix.accounts[0].is_signer);
            assert_eq!(ix.accounts[2].pubkey, node);
            assert_eq!(ix.accounts[3].pubkey, d);
        }
        let claim = claim_rewards(&staker, &node, StakeEpochs::default());
        assert_eq!(claim.accounts[4].pubkey, pda::mint());
        assert!(claim.accounts[4].is_writable);
        assert_eq!(claim.accounts[5].pubkey, efuel_ata(&staker));
    }

    #[test]
    fn operator_builders_target_the_operators_node() {
        let op = Pubkey::new_unique();
        let agent = Pubkey::new_unique();
        for ix in [
            update_node(&op, metadata()),
            set_agent_key(&op, agent),
            exit_node(&op),
        ] {
            assert_eq!(ix.accounts[0].pubkey, op);
            assert!(ix.accounts[0].is_signer);
            assert!(ix.accounts.iter().any(|m| m.pubkey == pda::node(&op)));
        }
        let ix = set_agent_key(&op, agent);
        assert_eq!(Pubkey::try_from_slice(&ix.data[8..]).unwrap(), agent);
    }
}
