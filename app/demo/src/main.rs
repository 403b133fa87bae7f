//! `edgefuel-demo`: EdgeFuel's local network as processes (default), or the
//! single-node story with exact numbers (`story`). See `edgefuel_demo` and
//! the README.
use clap::{Args, Parser, Subcommand, ValueEnum};
use edgefuel_demo::agent::JobSize;
use edgefuel_demo::network::{self, NetworkOptions};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// EdgeFuel's local network demo: a chain, 4 node agents (2 honest, a faker,
/// an inflater), 3 verifiers and 10 stakers as real processes, a governance
/// vote mid-run; then a report (JSON) and a chart (SVG).
#[derive(Debug, Parser)]
#[command(name = "edgefuel-demo", version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    #[command(flatten)]
    net: NetArgs,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// The single-node story step by step with exact numbers: verified work
    /// paid, a skipped job slashed.
    Story(StoryArgs),
}

#[derive(Debug, Args)]
struct NetArgs {
    /// Seconds the daemons run (the whole demo takes ~30 s more).
    #[arg(long, value_name = "SECONDS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(20..=3600))]
    duration: u64,
    /// Jobs per batch.
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    batch_jobs: u32,
    /// Seconds between a node's batches.
    #[arg(long, value_name = "SECONDS", default_value_t = 4.0)]
    interval: f64,
    /// Share of outputs the faking node makes up (0..1).
    #[arg(long, value_name = "F", default_value_t = 0.25)]
    fake_fraction: f64,
    /// Work the inflating node claims above its real work, in bps.
    #[arg(long, value_name = "BPS", default_value_t = 5_000)]
    inflate_bps: u32,
    /// The verifiers' device: auto (GPU if present), gpu or cpu.
    #[arg(long, value_name = "BACKEND", default_value = "auto")]
    verifier_backend: String,
    /// Folder for report.json, chart.svg and the daemons' logs.
    #[arg(long, value_name = "DIR", default_value = "edgefuel-demo-out")]
    out: PathBuf,
    /// Print report.json on stdout (the story goes to stderr).
    #[arg(long)]
    json: bool,
    /// Also serve the web app (`npm run preview` in DIR, default app/web)
    /// against the demo's chain, when it is there.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "app/web")]
    web: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct StoryArgs {
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
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(code) = edgefuel_launch::dispatch(&args) {
        std::process::exit(code);
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
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    match cli.cmd {
        Some(Cmd::Story(s)) => story(&runtime, s),
        None => net(&runtime, cli.net),
    }
}

fn net(runtime: &tokio::runtime::Runtime, a: NetArgs) {
    if !(0.0..=1.0).contains(&a.fake_fraction) || a.interval.is_nan() || a.interval <= 0.0 {
        eprintln!("Error: --fake-fraction must be 0..=1 and --interval > 0");
        std::process::exit(2);
    }
    let json = a.json;
    let say = move |line: String| {
        if json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let opts = NetworkOptions {
        duration: Duration::from_secs(a.duration),
        jobs: a.batch_jobs,
        interval: a.interval,
        fake_fraction: a.fake_fraction,
        inflate_bps: a.inflate_bps,
        verifier_backend: a.verifier_backend,
        web: a.web,
        out: a.out.clone(),
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            r = network::run(opts, &say) => r,
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
        }
    });
    match outcome {
        Ok(report) => {
            network::print_report(&report, &say);
            say(format!(
                "report: {}  chart: {}",
                a.out.join("report.json").display(),
                a.out.join("chart.svg").display()
            ));
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(t) => println!("{t}"),
                    Err(e) => eprintln!("Error: serializing the report: {e}"),
                }
            }
            if !report.ok {
                eprintln!("Error: a check failed (see checks in the report)");
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::exit(1);
        }
    }
}

fn story(runtime: &tokio::runtime::Runtime, cli: StoryArgs) {
    let json = cli.output == Output::Json;
    let opts = edgefuel_demo::Options {
        url: cli.url,
        keys: cli.keys,
        jobs: cli.jobs,
        size: cli.size,
        json,
        progress: std::io::stderr().is_terminal(),
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
