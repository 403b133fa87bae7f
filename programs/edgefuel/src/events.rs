//! Events for indexers and dashboards: every stake, reward, slash and
//! governance change, with before/after amounts.
use crate::state::{NodeStatus, Params, PauseScope};
use anchor_lang::prelude::*;

#[event]
pub struct NetworkInitialized {
    pub network: Pubkey,
    pub mint: Pubkey,
    pub guardian: Pubkey,
    pub params: Params,
    pub verifier_count: u8,
    pub verifier_threshold: u8,
    pub genesis_owner: Pubkey,
    pub genesis_supply: u64,
}

#[event]
pub struct Paused {
    pub scope: PauseScope,
    pub flags_before: u8,
    pub flags_after: u8,
}

#[event]
pub struct Unpaused {
    pub scope: PauseScope,
    pub flags_before: u8,
    pub flags_after: u8,
}

#[event]
pub struct NodeRegistered {
    pub node: Pubkey,
    pub operator: Pubkey,
    pub commission_bps: u16,
    pub endpoint: String,
    pub gpu_model: String,
    pub vram_mib: u32,
    pub region: String,
}

#[event]
pub struct NodeUpdated {
    pub node: Pubkey,
    pub commission_bps_before: u16,
    pub commission_bps_after: u16,
    pub endpoint: String,
    pub gpu_model: String,
    pub vram_mib: u32,
    pub region: String,
}

#[event]
pub struct AgentKeySet {
    pub node: Pubkey,
    pub agent_before: Pubkey,
    pub agent_after: Pubkey,
}

#[event]
pub struct NodeExited {
    pub node: Pubkey,
    pub status_before: NodeStatus,
}

#[event]
pub struct Delegated {
    pub node: Pubkey,
    pub staker: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub pool_tokens_before: u64,
    pub pool_tokens_after: u64,
    pub pool_shares_before: u64,
    pub pool_shares_after: u64,
}

#[event]
pub struct Undelegated {
    pub node: Pubkey,
    pub staker: Pubkey,
    pub shares: u64,
    pub bonded_shares_before: u64,
    pub bonded_shares_after: u64,
    pub unbonding_shares_after: u64,
    pub unlock_at: i64,
}

#[event]
pub struct Withdrawn {
    pub node: Pubkey,
    pub staker: Pubkey,
    pub shares: u64,
    pub amount: u64,
    pub pool_tokens_before: u64,
    pub pool_tokens_after: u64,
    pub closed: bool,
}

#[event]
pub struct RewardsClaimed {
    pub node: Pubkey,
    pub staker: Pubkey,
    pub delegation_rewards: u64,
    pub commission: u64,
    pub total_claimed_after: u64,
}
