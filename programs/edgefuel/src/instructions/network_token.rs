//! Token moves signed by the `Network` PDA: it owns the stake vault and the
//! treasury and is the EFUEL mint authority. Every such CPI goes through here.
use crate::constants::SEED_NETWORK;
use crate::state::Network;
use anchor_lang::prelude::*;
use anchor_spl::token::{self, MintTo, Transfer};

/// Moves `amount` EFUEL out of a network-owned token account (the vault or
/// the treasury). A zero amount is a no-op.
pub fn transfer_from_network<'info>(
    network: &Account<'info, Network>,
    from: AccountInfo<'info>,
    to: AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    let bump = [network.bump];
    let seeds: &[&[u8]] = &[SEED_NETWORK, &bump];
    token::transfer(
        CpiContext::new_with_signer(
            token_program.key(),
            Transfer {
                from,
                to,
                authority: network.to_account_info(),
            },
            &[seeds],
        ),
        amount,
    )
}

/// Mints `amount` EFUEL to `to`. A zero amount is a no-op.
pub fn mint_efuel<'info>(
    network: &Account<'info, Network>,
    mint: AccountInfo<'info>,
    to: AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    let bump = [network.bump];
    let seeds: &[&[u8]] = &[SEED_NETWORK, &bump];
    token::mint_to(
        CpiContext::new_with_signer(
            token_program.key(),
            MintTo {
                mint,
                to,
                authority: network.to_account_info(),
            },
            &[seeds],
        ),
        amount,
    )
}
