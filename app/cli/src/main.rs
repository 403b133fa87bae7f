//! `edgefuel`: the EdgeFuel command line. Solana CLI conventions: defaults
//! from `~/.config/solana/cli/config.yml`, `-u/--url` with monikers,
//! `-k/--keypair`, `--output json`, an explorer link after every transaction
//! and the simulation logs when one fails.
use anyhow::Result;
use clap::Parser;

mod commands;
mod context;
mod solana_config;

/// EdgeFuel: decentralized GPU compute on Solana.
#[derive(Debug, Parser)]
#[command(name = "edgefuel", version, about, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: context::GlobalOpts,
    #[command(subcommand)]
    command: commands::Command,
}

async fn run(cli: Cli) -> Result<()> {
    let ctx = context::Ctx::new(&cli.global)?;
    commands::run(&ctx, cli.command).await
}

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}
