//! Decoding EdgeFuel accounts and the `getProgramAccounts` filters that find them.
use crate::idl;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountDeserialize, Discriminator};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};

/// A decoding failure, naming the account.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("account {address} is not an EdgeFuel {kind} (discriminator mismatch)")]
    WrongKind { address: Pubkey, kind: &'static str },
    #[error("account {address} ({kind}) does not decode: {reason}")]
    Malformed {
        address: Pubkey,
        kind: &'static str,
        reason: String,
    },
}

/// An EdgeFuel account type the client can decode and list.
pub trait EdgeFuelAccount: AccountDeserialize + Discriminator {
    /// The account's name in the IDL (and its Rust type name).
    const NAME: &'static str;
}

impl EdgeFuelAccount for edgefuel::Network {
    const NAME: &'static str = "Network";
}
impl EdgeFuelAccount for edgefuel::Node {
    const NAME: &'static str = "Node";
}
impl EdgeFuelAccount for edgefuel::Delegation {
    const NAME: &'static str = "Delegation";
}
impl EdgeFuelAccount for edgefuel::Batch {
    const NAME: &'static str = "Batch";
}
impl EdgeFuelAccount for edgefuel::NodeEpochStats {
    const NAME: &'static str = "NodeEpochStats";
}
impl EdgeFuelAccount for edgefuel::Proposal {
    const NAME: &'static str = "Proposal";
}
impl EdgeFuelAccount for edgefuel::ProposalVote {
    const NAME: &'static str = "ProposalVote";
}

/// Decodes account data of type `T`, checking its 8-byte discriminator.
pub fn decode<T: EdgeFuelAccount>(address: &Pubkey, data: &[u8]) -> Result<T, DecodeError> {
    if data.get(..8) != Some(T::DISCRIMINATOR) {
        return Err(DecodeError::WrongKind {
            address: *address,
            kind: T::NAME,
        });
    }
    T::try_deserialize(&mut &data[..]).map_err(|e| DecodeError::Malformed {
        address: *address,
        kind: T::NAME,
        reason: e.to_string(),
    })
}

/// Filter: accounts whose discriminator is `T`'s.
pub fn kind_filter<T: EdgeFuelAccount>() -> RpcFilterType {
    RpcFilterType::Memcmp(Memcmp::new_base58_encoded(0, T::DISCRIMINATOR))
}

/// Filter: accounts of type `T` whose pubkey field `field` equals `key`. The
/// offset comes from the IDL, so it follows the program's layout.
pub fn pubkey_field_filter<T: EdgeFuelAccount>(
    field: &str,
    key: &Pubkey,
) -> Result<RpcFilterType, idl::IdlError> {
    let offset = idl::field_offset(T::NAME, field)?;
    Ok(RpcFilterType::Memcmp(Memcmp::new_base58_encoded(
        offset,
        key.as_ref(),
    )))
}

/// Filters for every delegation of `staker`.
pub fn delegations_of_staker(staker: &Pubkey) -> Result<Vec<RpcFilterType>, idl::IdlError> {
    Ok(vec![
        kind_filter::<edgefuel::Delegation>(),
        pubkey_field_filter::<edgefuel::Delegation>("staker", staker)?,
    ])
}

/// Filters for every delegation into `node`.
pub fn delegations_of_node(node: &Pubkey) -> Result<Vec<RpcFilterType>, idl::IdlError> {
    Ok(vec![
        kind_filter::<edgefuel::Delegation>(),
        pubkey_field_filter::<edgefuel::Delegation>("node", node)?,
    ])
}

/// Filters for every batch of `node`.
pub fn batches_of_node(node: &Pubkey) -> Result<Vec<RpcFilterType>, idl::IdlError> {
    Ok(vec![
        kind_filter::<edgefuel::Batch>(),
        pubkey_field_filter::<edgefuel::Batch>("node", node)?,
    ])
}

/// Filters for every open batch account.
pub fn all_batches() -> Vec<RpcFilterType> {
    vec![kind_filter::<edgefuel::Batch>()]
}

/// Filters for every proposal.
pub fn all_proposals() -> Vec<RpcFilterType> {
    vec![kind_filter::<edgefuel::Proposal>()]
}

/// Filters for every vote cast on `proposal`.
pub fn votes_on(proposal: &Pubkey) -> Result<Vec<RpcFilterType>, idl::IdlError> {
    Ok(vec![
        kind_filter::<edgefuel::ProposalVote>(),
        pubkey_field_filter::<edgefuel::ProposalVote>("proposal", proposal)?,
    ])
}

/// Filters for every node.
pub fn all_nodes() -> Vec<RpcFilterType> {
    vec![kind_filter::<edgefuel::Node>()]
}

/// Rewards a delegation could claim in epoch `epoch`: settled plus accrued
/// since the last settlement (the program's own `Delegation::settle`, with
/// `base` the activation base of its `activating_epoch` when
/// `needs_activation_base`), plus the node's commission when the staker is
/// the operator. Mirrors `claim_rewards`.
pub fn claimable_rewards(
    delegation: &edgefuel::Delegation,
    node: &edgefuel::Node,
    base: Option<u128>,
    epoch: u64,
) -> Result<u64, anchor_lang::error::Error> {
    let mut settled = delegation.clone();
    settled.settle(node, base, epoch)?;
    let mut total = settled.pending_rewards;
    if delegation.staker == node.operator {
        total = total
            .checked_add(node.commission_owed)
            .ok_or(edgefuel::error::EdgeFuelError::MathOverflow)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;
    use edgefuel::{Delegation, Node};

    pub(crate) fn delegation(node: Pubkey, staker: Pubkey) -> Delegation {
        Delegation {
            bump: 254,
            node,
            staker,
            bonded_shares: 1_000,
            unbonding_shares: 5,
            unlock_at: 1_800_000_000,
            reward_debt: 12,
            pending_rewards: 3,
            total_claimed: 0,
            last_stake_added_at: 1_799_999_999,
            vote_locked_until: 0,
            activating_shares: 0,
            activating_epoch: 0,
            activating_debt: 0,
            reserved: [0; 32],
        }
    }

    fn bytes<T: AccountSerialize>(acc: &T) -> Vec<u8> {
        let mut out = Vec::new();
        acc.try_serialize(&mut out).unwrap();
        out
    }

    #[test]
    fn decodes_and_checks_discriminator() {
        let (node, staker) = (Pubkey::new_unique(), Pubkey::new_unique());
        let data = bytes(&delegation(node, staker));
        let addr = Pubkey::new_unique();
        let d: Delegation = decode(&addr, &data).unwrap();
        assert_eq!((d.node, d.staker, d.bonded_shares), (node, staker, 1_000));
        let err = decode::<Node>(&addr, &data).unwrap_err();
        assert!(matches!(err, DecodeError::WrongKind { kind: "Node", .. }));
        assert!(err.to_string().contains(&addr.to_string()));
        let err = decode::<Delegation>(&addr, &data[..20]).unwrap_err();
        assert!(matches!(err, DecodeError::Malformed { .. }));
        assert!(decode::<Delegation>(&addr, &[]).is_err());
    }

    #[test]
    fn memcmp_offsets_match_serialized_layout() {
        let (node, staker) = (Pubkey::new_unique(), Pubkey::new_unique());
        let data = bytes(&delegation(node, staker));
        let off = idl::field_offset("Delegation", "staker").unwrap();
        assert_eq!(&data[off..off + 32], staker.as_ref());
        let off = idl::field_offset("Delegation", "node").unwrap();
        assert_eq!(&data[off..off + 32], node.as_ref());
        assert_eq!(idl::field_offset("Node", "operator").unwrap(), 9);
        assert!(idl::field_offset("Node", "region").is_err());
        assert!(pubkey_field_filter::<Delegation>("nope", &staker).is_err());
    }

    #[test]
    fn idl_json_view_matches_typed_decoding() {
        let (node, staker) = (Pubkey::new_unique(), Pubkey::new_unique());
        let data = bytes(&delegation(node, staker));
        assert_eq!(idl::account_name(&data), Some("Delegation"));
        let json = idl::account_to_json("Delegation", &data).unwrap();
        assert_eq!(json["staker"], staker.to_string());
        assert_eq!(json["node"], node.to_string());
        assert_eq!(json["bonded_shares"], 1_000);
        assert_eq!(json["unlock_at"], 1_800_000_000i64);
        assert_eq!(json["reward_debt"], "12");
        assert!(json.get("reserved").is_none());
        assert!(matches!(
            idl::account_to_json("Node", &data),
            Err(idl::IdlError::Discriminator(_))
        ));
        assert!(matches!(
            idl::account_to_json("Delegation", &data[..40]),
            Err(idl::IdlError::Truncated(_))
        ));
    }

    #[test]
    fn filters_select_kind_and_field() {
        let staker = Pubkey::new_unique();
        let f = delegations_of_staker(&staker).unwrap();
        assert_eq!(f.len(), 2);
        let data = bytes(&delegation(Pubkey::new_unique(), staker));
        for filter in &f {
            let RpcFilterType::Memcmp(m) = filter else {
                panic!("memcmp expected")
            };
            assert!(m.bytes_match(&data), "{filter:?}");
        }
        let other = bytes(&delegation(Pubkey::new_unique(), Pubkey::new_unique()));
        let RpcFilterType::Memcmp(m) = &f[1] else {
            panic!()
        };
        assert!(!m.bytes_match(&other));
    }
}
