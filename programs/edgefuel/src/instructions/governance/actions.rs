//! Validation and application of proposal actions: the only path, besides
//! `initialize_network`, that changes params, the verifier set, the
//! guardian or the treasury.
use crate::error::EdgeFuelError;
use crate::events::{emit_cpi_with, GuardianChanged, ParamsUpdated, VerifierSetChanged};
use crate::state::{validate_verifier_set, Network, ProposalAction};
use anchor_lang::prelude::*;

/// The verifier set an action would leave, with its threshold.
fn next_verifier_set(
    network: &Network,
    action: &ProposalAction,
) -> Result<Option<(Vec<Pubkey>, u8)>> {
    let mut set = network.verifier_set().to_vec();
    let mut threshold = network.verifier_threshold;
    match action {
        ProposalAction::AddVerifier(k) => set.push(*k),
        ProposalAction::RemoveVerifier(k) => {
            let before = set.len();
            set.retain(|v| v != k);
            require!(set.len() < before, EdgeFuelError::InvalidAction);
        }
        ProposalAction::SetVerifierThreshold(t) => threshold = *t,
        _ => return Ok(None),
    }
    validate_verifier_set(&set, threshold)?;
    Ok(Some((set, threshold)))
}

/// Checks that `action` can be applied to `network` now, with the same
/// validation as `initialize_network`. `treasury_balance`, when known, must
/// cover a transfer.
pub fn check_action(
    network: &Network,
    action: &ProposalAction,
    treasury_balance: Option<u64>,
) -> Result<()> {
    match action {
        ProposalAction::UpdateParams(params) => params.validate(),
        ProposalAction::AddVerifier(_)
        | ProposalAction::RemoveVerifier(_)
        | ProposalAction::SetVerifierThreshold(_) => next_verifier_set(network, action).map(|_| ()),
        ProposalAction::SetGuardian(g) => {
            require!(*g != Pubkey::default(), EdgeFuelError::InvalidGuardian);
            Ok(())
        }
        ProposalAction::TreasuryTransfer { to, amount } => {
            require!(
                *amount > 0 && *to != Pubkey::default(),
                EdgeFuelError::InvalidAction
            );
            if let Some(balance) = treasury_balance {
                require!(*amount <= balance, EdgeFuelError::InvalidAction);
            }
            Ok(())
        }
        ProposalAction::UnjailNode(node) => {
            require!(*node != Pubkey::default(), EdgeFuelError::InvalidAction);
            Ok(())
        }
    }
}

/// Applies the network-local part of an action (params, verifier set,
/// guardian) and records its event through `event_authority`. Token
/// transfers and node updates are applied by the caller.
pub fn apply_to_network(
    network: &mut Network,
    action: &ProposalAction,
    event_authority: &AccountInfo,
) -> Result<()> {
    match action {
        ProposalAction::UpdateParams(params) => {
            let before = network.params;
            network.apply_params(*params)?;
            let event = ParamsUpdated {
                before,
                after: network.params,
            };
            emit_cpi_with(event_authority, &event)?;
        }
        ProposalAction::SetGuardian(g) => {
            let before = network.guardian;
            network.guardian = *g;
            emit_cpi_with(event_authority, &GuardianChanged { before, after: *g })?;
        }
        _ => {
            if let Some((set, threshold)) = next_verifier_set(network, action)? {
                let (count_before, threshold_before) =
                    (network.verifier_count, network.verifier_threshold);
                network.apply_verifier_set(&set, threshold)?;
                let event = VerifierSetChanged {
                    count_before,
                    count_after: network.verifier_count,
                    threshold_before,
                    threshold_after: network.verifier_threshold,
                };
                emit_cpi_with(event_authority, &event)?;
            }
        }
    }
    Ok(())
}
