//! `edgefuel-demo`: the whole EdgeFuel protocol end to end on a local chain
//! (or `--url`), in one command. See `edgefuel_demo` and the README.
use clap::{Parser, ValueEnum};
use edgefuel_demo::agent::JobSize;
use std::io::IsTerminal;
use std::path::PathBuf;

/// EdgeFuel's local network demo: a GPU node earns for verified work and is
/// slashed for skipped work, over real JSON-RPC.
#[derive(Debug, Parser)]
#[command(name = "edgefuel-demo", version, about)]
struct Cli {
    /// Run against an already running chain (URL or moniker: localhost,
    /// devnet, …) instead of starting a local one.
    #[arg(short = 'u', long, value_name = "URL")]
    url: Option<String>,
    /// With --url: directory of the chain's keypairs (its verifiers and a
    /// wallet with EFUEL and SOL) [default: ~/.config/edgefuel/localnet].
    #[arg(long, value_name = "DIR", requires = "url")]
    keys: Option<PathBuf>,
    /// Jobs in the honest batch.
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    jobs: u32,
    /// Size of each job: small (~0.5 M multiply-accumulates), medium
    /// (~100 M) or large (~1 G).
    #[arg(long, value_enum, default_value_t = JobSize::Medium)]
    size: JobSize,
    /// `display` tells the story on stdout; `json` tells it on stderr and
    /// prints the exact numbers as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Output::Display)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Display,
    Json,
}

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .is_some_and(|a| a == edgefuel_demo::chain::CHILD_ARG)
    {
        std::process::exit(edgefuel_demo::chain::child_main(args));
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .init();
    let json = cli.output == Output::Json;
    let opts = edgefuel_demo::Options {
        url: cli.url,
        keys: cli.keys,
        jobs: cli.jobs,
        size: cli.size,
        json,
        progress: std::io::stderr().is_terminal(),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    // Ctrl-C drops the story: the local chain stops and its files go.
    let outcome = runtime.block_on(async {
        tokio::select! {
            r = edgefuel_demo::run(opts) => r,
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
        }
    });
    match outcome {
        Ok(summary) if json => match serde_json::to_string_pretty(&summary) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("Error: serializing the summary: {e}");
                std::process::exit(1);
            }
        },
        Ok(_) => {}
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::exit(1);
        }
    }
}
