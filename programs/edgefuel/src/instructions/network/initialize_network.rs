use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::NetworkInitialized;
use crate::instructions::network_token::mint_efuel;
use crate::state::{validate_verifier_set, Network, Params};
use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeNetworkArgs {
    /// Initial protocol parameters.
    pub params: Params,
    /// Key that may pause and unpause submissions and minting.
    pub guardian: Pubkey,
    /// Initial verifier set (1..=16 distinct keys).
    pub verifiers: Vec<Pubkey>,
    /// Agreeing votes needed to finalize a batch (majority ..= set size).
    pub verifier_threshold: u8,
    /// EFUEL minted once, at genesis, to `genesis_owner`'s associated token
    /// account (base units): the supply that the first stake comes from.
    /// After this, EFUEL is only minted as rewards for verified work.
    pub genesis_supply: u64,
}

/// Only the program's upgrade authority may initialize: whoever deploys the
/// program names the guardian, the verifiers and the genesis owner, not
/// whoever sends `initialize_network` first.
#[event_cpi]
#[derive(Accounts)]
pub struct InitializeNetwork<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The program's upgrade authority, as recorded in its ProgramData.
    pub authority: Signer<'info>,
    /// The program's ProgramData account (the upgradeable loader's PDA of
    /// the program id); only the loader can own an account at this address.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = anchor_lang::solana_program::bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(authority.key())
            @ EdgeFuelError::NotUpgradeAuthority,
    )]
    pub program_data: Box<Account<'info, ProgramData>>,
    #[account(
        init,
        payer = payer,
        space = 8 + Network::INIT_SPACE,
        seeds = [SEED_NETWORK],
        bump
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(
        init,
        payer = payer,
        seeds = [SEED_MINT],
        bump,
        mint::decimals = EFUEL_DECIMALS,
        mint::authority = network,
    )]
    pub mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        seeds = [SEED_VAULT],
        bump,
        token::mint = mint,
        token::authority = network,
    )]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [SEED_TREASURY],
        bump,
        token::mint = mint,
        token::authority = network,
    )]
    pub treasury: Box<Account<'info, TokenAccount>>,
    /// Wallet that receives the genesis supply.
    /// CHECK: any key; it only names the owner of `genesis_token`.
    pub genesis_owner: UncheckedAccount<'info>,
    #[account(
        init,
        payer = payer,
        associated_token::mint = mint,
        associated_token::authority = genesis_owner,
    )]
    pub genesis_token: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

impl InitializeNetwork<'_> {
    pub fn validate(&self, args: &InitializeNetworkArgs) -> Result<()> {
        args.params.validate()?;
        require!(
            args.guardian != Pubkey::default(),
            EdgeFuelError::InvalidGuardian
        );
        validate_verifier_set(&args.verifiers, args.verifier_threshold)
    }
}

/// Specification:
/// - before: signed by the program's upgrade authority (read from its
///   ProgramData account); no `Network` exists (the PDA init fails
///   otherwise); params, guardian and verifier set are valid.
/// - after: `Network` holds params, guardian, verifier set and threshold,
///   nothing paused, zero totals; the EFUEL mint (9 decimals, authority =
///   `Network`, no freeze authority), the stake vault and the treasury exist,
///   both token accounts owned by `Network`; `genesis_supply` EFUEL minted
///   to the genesis owner's associated token account.
#[access_control(ctx.accounts.validate(&args))]
pub fn handle_initialize_network(
    ctx: Context<InitializeNetwork>,
    args: InitializeNetworkArgs,
) -> Result<()> {
    let network = &mut ctx.accounts.network;
    network.bump = ctx.bumps.network;
    network.mint_bump = ctx.bumps.mint;
    network.vault_bump = ctx.bumps.vault;
    network.treasury_bump = ctx.bumps.treasury;
    network.mint = ctx.accounts.mint.key();
    network.vault = ctx.accounts.vault.key();
    network.treasury = ctx.accounts.treasury.key();
    network.guardian = args.guardian;
    network.apply_params(args.params)?;
    network.apply_verifier_set(&args.verifiers, args.verifier_threshold)?;
    network.paused = 0;
    network.genesis_supply = args.genesis_supply;
    mint_efuel(
        network,
        ctx.accounts.mint.to_account_info(),
        ctx.accounts.genesis_token.to_account_info(),
        &ctx.accounts.token_program.to_account_info(),
        args.genesis_supply,
    )?;
    emit_cpi!(NetworkInitialized {
        network: network.key(),
        mint: network.mint,
        guardian: network.guardian,
        params: network.params,
        verifier_count: network.verifier_count,
        verifier_threshold: network.verifier_threshold,
        genesis_owner: ctx.accounts.genesis_owner.key(),
        genesis_supply: args.genesis_supply,
    });
    Ok(())
}
