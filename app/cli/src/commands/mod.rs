//! One file per command group. A new group (e.g. `gov`, `batch`) is one file
//! here plus one variant in [`Command`].
use crate::context::Ctx;
use anyhow::Result;
use clap::Subcommand;
use edgefuel_client::amount::format_efuel;
use edgefuel_client::Pubkey;
use std::str::FromStr;

pub mod batch;
pub mod gov;
pub mod network;
pub mod node;
pub mod rewards;
pub mod stake;
pub mod tx;
pub mod verifier;
pub mod wallet;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create and inspect the network: params, verifier set, guardian, pauses, totals.
    #[command(subcommand)]
    Network(network::NetworkCmd),
    /// Register, update, inspect and exit GPU nodes (operators).
    #[command(subcommand)]
    Node(node::NodeCmd),
    /// Delegate, undelegate and withdraw stake (stakers and operators).
    #[command(subcommand)]
    Stake(stake::StakeCmd),
    /// Show and claim rewards.
    #[command(subcommand)]
    Rewards(rewards::RewardsCmd),
    /// Governance: propose, vote, finalize, execute, cancel, list, show.
    #[command(subcommand)]
    Gov(gov::GovCmd),
    /// Receipt batches: inspect, and the permissionless settle cranks.
    #[command(subcommand)]
    Batch(batch::BatchCmd),
    /// The verifier set.
    #[command(subcommand)]
    Verifier(verifier::VerifierCmd),
    /// Landed transactions: their decoded EdgeFuel events.
    #[command(subcommand)]
    Tx(tx::TxCmd),
    /// SOL and EFUEL balances of an address (default: the keypair's).
    Balance(wallet::BalanceArgs),
    /// Send EFUEL to another wallet (creates its token account if needed).
    Transfer(wallet::TransferArgs),
    /// Request SOL from the cluster's faucet (localnet, devnet, testnet).
    Airdrop(wallet::AirdropArgs),
    /// Print the keypair's address.
    Address,
    /// Write a new keypair file (like `solana-keygen new`).
    Keygen(wallet::KeygenArgs),
}

pub async fn run(ctx: &Ctx, cmd: Command) -> Result<()> {
    match cmd {
        Command::Network(c) => network::run(ctx, c).await,
        Command::Node(c) => node::run(ctx, c).await,
        Command::Stake(c) => stake::run(ctx, c).await,
        Command::Rewards(c) => rewards::run(ctx, c).await,
        Command::Verifier(c) => verifier::run(ctx, c).await,
        Command::Batch(c) => batch::run(ctx, c).await,
        Command::Gov(c) => gov::run(ctx, c).await,
        Command::Tx(c) => tx::run(ctx, c).await,
        Command::Balance(a) => wallet::balance(ctx, a).await,
        Command::Transfer(a) => wallet::transfer(ctx, a).await,
        Command::Airdrop(a) => wallet::airdrop(ctx, a).await,
        Command::Address => wallet::address(ctx),
        Command::Keygen(a) => wallet::keygen(ctx, a),
    }
}

/// clap value parser: a base58 address.
pub fn pubkey_arg(s: &str) -> Result<Pubkey, String> {
    Pubkey::from_str(s.trim()).map_err(|_| format!("`{s}` is not a base58 address"))
}

/// clap value parser: an EFUEL amount (exact decimal, 9 decimals).
pub fn amount_arg(s: &str) -> Result<u64, String> {
    edgefuel_client::amount::parse_efuel(s).map_err(|e| e.to_string())
}

/// `12.5 EFUEL`.
pub fn efuel(units: u64) -> String {
    format!("{} EFUEL", format_efuel(units))
}

/// A unix timestamp as text (UTC, no external time crate).
pub fn unix_time(ts: i64) -> String {
    if ts == 0 {
        return "-".into();
    }
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC ({ts})",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_arg_is_exact_and_explains_refusals() {
        assert_eq!(amount_arg("12.5"), Ok(12_500_000_000));
        let err = amount_arg("12.5.1").unwrap_err();
        assert!(err.contains("12.5.1"), "{err}");
        assert!(amount_arg("-3").is_err());
        assert!(amount_arg("0.0000000001")
            .unwrap_err()
            .contains("9 decimal"));
    }

    #[test]
    fn times_print_in_utc() {
        assert_eq!(unix_time(0), "-");
        assert_eq!(
            unix_time(1_800_000_000),
            "2027-01-15 08:00:00 UTC (1800000000)"
        );
        assert_eq!(efuel(1_500_000_000), "1.5 EFUEL");
    }
}
