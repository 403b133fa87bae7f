//! The demo's result: every exact number, printed as tables or as JSON
//! (`--output json`). Amounts are EFUEL base units (1 EFUEL = 10⁹).
use edgefuel_client::amount::EFUEL;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// JSON-RPC endpoint the story ran against.
    pub url: String,
    /// `started` (a local chain the demo ran) or `external` (`--url`).
    pub chain: String,
    pub program: String,
    /// `--size`: small, medium or large jobs.
    pub job_size: String,
    /// Backend the verifiers re-executed jobs on (`gpu (…)` or `cpu`).
    pub verifier_device: String,
    /// Why the verifiers fell back to the CPU, if they did.
    pub verifier_device_note: Option<String>,
    pub params: ParamsSummary,
    pub parties: Parties,
    pub honest: HonestBatch,
    pub fraud: FraudBatch,
    /// Every check against the independent computation passed (the demo
    /// fails otherwise).
    pub checks_passed: bool,
    pub elapsed_seconds: f64,
}

/// The network parameters the story depends on.
#[derive(Debug, Clone, Serialize)]
pub struct ParamsSummary {
    pub reward_per_work_unit: u64,
    pub commission_bps: u16,
    pub sample_bps: u16,
    pub min_samples: u16,
    pub max_samples: u16,
    pub seal_delay_slots: u64,
    pub slash_fraud_bps: u16,
    pub verifier_bounty_bps: u16,
    pub verifier_threshold: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parties {
    pub operator: String,
    pub node: String,
    pub alice: String,
    pub bob: String,
    /// The verifiers that voted, in vote order.
    pub verifiers: Vec<String>,
}

/// One batch through commit, seal, reveal and the votes.
#[derive(Debug, Clone, Serialize)]
pub struct BatchSummary {
    pub address: String,
    pub seq: u64,
    pub leaf_count: u32,
    /// Jobs per kind.
    pub jobs: BTreeMap<String, usize>,
    pub total_work: u64,
    /// Sum-tree root hash (hex).
    pub root: String,
    /// Seconds the agent spent running the jobs.
    pub agent_seconds: f64,
    /// Sample points (work units), in draw order.
    pub sample: Vec<u64>,
    pub reveal_transactions: usize,
    /// The leaves covering the points, each once, in sample order.
    pub revealed_leaves: Vec<u32>,
    pub votes: Vec<VoteSummary>,
    /// Final status (`Accepted`, `Rejected`).
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VoteSummary {
    pub verifier: String,
    /// Revealed jobs re-executed, and how many matched.
    pub checked: usize,
    pub matched: usize,
    pub seconds: f64,
    /// `Valid` or `Invalid`.
    pub verdict: String,
    pub leaf_index: Option<u32>,
    /// The verifier's own output commitment for that leaf (hex).
    pub expected_commitment: Option<String>,
}

/// The honest batch and who earned what.
#[derive(Debug, Clone, Serialize)]
pub struct HonestBatch {
    pub batch: BatchSummary,
    /// total_work · reward_per_work_unit.
    pub reward: u64,
    pub commission: u64,
    pub to_pool: u64,
    /// Reward nobody receives (accumulator rounding; never minted).
    pub dust: u64,
    pub earnings: Vec<Earning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Earning {
    pub party: String,
    /// Bonded stake (base units) and shares.
    pub stake: u64,
    pub shares: u64,
    pub commission: u64,
    pub pool_share: u64,
    /// commission + pool_share, computed independently.
    pub expected: u64,
    /// What `claim_rewards` minted to the party's wallet.
    pub claimed: u64,
}

/// The lazy batch (no job run), and what the slash did.
#[derive(Debug, Clone, Serialize)]
pub struct FraudBatch {
    pub batch: BatchSummary,
    /// The leaf whose job the node did not run.
    /// The revealed leaf the verifiers' Invalid votes name.
    pub caught_leaf: u32,
    pub pool_before: u64,
    pub pool_after: u64,
    pub slashed: u64,
    pub stakes: Vec<StakeChange>,
    pub bounty_per_verifier: u64,
    /// EFUEL each voting verifier received, in vote order.
    pub verifier_received: Vec<u64>,
    pub treasury_received: u64,
    /// Node status after finalization (`Jailed`).
    pub node_status: String,
    /// Unix time the jail ends.
    pub jailed_until: i64,
    /// The program error a further submission gets.
    pub resubmit_refused_with: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StakeChange {
    pub party: String,
    pub before: u64,
    pub after: u64,
    pub lost: u64,
    /// lost / before in bps (exact when `lost · 10⁴` divides evenly).
    pub lost_bps: f64,
}

/// EFUEL with all 9 decimals (aligned in tables).
pub fn efuel9(base_units: u64) -> String {
    format!("{}.{:09}", base_units / EFUEL, base_units % EFUEL)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `abcd…wxyz` for a key or hash in a story line.
pub fn short(s: &str) -> String {
    if s.len() <= 12 {
        return s.to_string();
    }
    format!("{}…{}", &s[..6], &s[s.len() - 4..])
}

impl HonestBatch {
    /// The earnings table.
    pub fn table(&self) -> Vec<String> {
        let mut rows = vec![format!(
            "  {:<9} {:>16} {:>13} {:>13} {:>13} {:>13}  {}",
            "party", "stake EFUEL", "commission", "pool share", "earned", "expected", "check"
        )];
        for e in &self.earnings {
            rows.push(format!(
                "  {:<9} {:>16} {:>13} {:>13} {:>13} {:>13}  {}",
                e.party,
                efuel9(e.stake),
                efuel9(e.commission),
                efuel9(e.pool_share),
                efuel9(e.claimed),
                efuel9(e.expected),
                if e.claimed == e.expected {
                    "ok"
                } else {
                    "MISMATCH"
                }
            ));
        }
        let claimed: u64 = self.earnings.iter().map(|e| e.claimed).sum();
        rows.push(format!(
            "  {:<9} {:>16} {:>13} {:>13} {:>13}   + {} base units of rounding dust, never minted = reward {}",
            "total",
            "",
            efuel9(self.commission),
            efuel9(self.to_pool - self.dust),
            efuel9(claimed),
            self.dust,
            efuel9(self.reward)
        ));
        rows
    }
}

impl FraudBatch {
    /// The stake table.
    pub fn table(&self) -> Vec<String> {
        let mut rows = vec![format!(
            "  {:<9} {:>16} {:>16} {:>15} {:>8}",
            "holder", "before", "after", "lost", "lost %"
        )];
        for s in &self.stakes {
            rows.push(format!(
                "  {:<9} {:>16} {:>16} {:>15} {:>7.2}%",
                s.party,
                efuel9(s.before),
                efuel9(s.after),
                efuel9(s.lost),
                s.lost_bps / 100.0
            ));
        }
        rows.push(format!(
            "  {:<9} {:>16} {:>16} {:>15}",
            "pool",
            efuel9(self.pool_before),
            efuel9(self.pool_after),
            efuel9(self.slashed)
        ));
        rows
    }
}
