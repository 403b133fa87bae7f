//! `edgefuel-bench`: measures EdgeFuel on this machine and writes
//! BENCHMARKS.md with SVG charts (see `scripts/bench` and the README).
//!
//! Sections: on-chain cost per verified job against a per-job-account
//! baseline on the same program-test bank; detection of cheaters against
//! work-weighted sampling; kernels per backend against gemmkit and the CPU's
//! peak; the verifier's share of compute and end-to-end throughput from real
//! daemon processes (`edgefuel-launch`: a local chain, verifiers, a node).
//! `--short` runs tiny sizes (a smoke test for CI: it only has to complete
//! and write the files).
mod baseline;
mod cost;
mod daemons;
mod daemons_report;
mod detection;
mod kernels;
mod machine;
mod report;
mod svg;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Measure EdgeFuel and write BENCHMARKS.md with SVG charts"
)]
struct Args {
    /// The report to write.
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
    /// Where the charts go (default: docs/bench next to the report).
    #[arg(long)]
    charts: Option<PathBuf>,
    /// Jobs the per-job baseline records at most per size (its cost per job
    /// is the same at every size; 0: as many as the batch).
    #[arg(long, default_value_t = 0)]
    baseline_max: u64,
    /// Tiny sizes: checks that everything runs and writes the files.
    #[arg(long)]
    short: bool,
    /// Seconds each daemon run (one node, one job kind, one batch size) lasts.
    #[arg(long, default_value_t = 25)]
    window: u64,
}

fn relative(from_dir: &Path, to: &Path) -> String {
    match to.strip_prefix(from_dir) {
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => to.to_string_lossy().into_owned(),
    }
}

fn main() -> anyhow::Result<()> {
    // The local chain (and the daemons, when their binaries are not built
    // next to this one) are this executable re-run as a child process.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = edgefuel_launch::dispatch(&argv) {
        std::process::exit(code);
    }
    let args = Args::parse();
    let start = Instant::now();
    let progress = |msg: &str| eprintln!("[{:>6.1} s] {msg}", start.elapsed().as_secs_f64());
    let machine = machine::Machine::detect();
    progress(&format!("machine: {}", machine.stamp()));

    let max = u64::from(edgefuel::constants::MAX_BATCH_LEAVES);
    let sizes: Vec<u64> = if args.short {
        vec![1, 16]
    } else {
        vec![1, 16, 256, 1_024, 4_096, max]
    };
    let baseline_max = if args.baseline_max == 0 {
        u64::MAX
    } else {
        args.baseline_max
    };
    let cost = cost::run(&sizes, baseline_max, &progress).context("cost section")?;
    let (leaves, epochs, careers) = if args.short {
        (64, 3, 50)
    } else {
        (4_096, 50, 10_000)
    };
    let detection = detection::run(
        leaves,
        epochs,
        careers,
        &[0.001, 0.01, 0.05, 0.2],
        &progress,
    )
    .context("detection section")?;
    let kernels = kernels::run(&machine, args.short, &progress).context("kernel section")?;
    use edgefuel_node::workload::{JobMix, JobSize};
    let plan = if args.short {
        daemons::Plan {
            kinds: vec![JobMix::Gemm],
            sizes: vec![4],
            job_size: JobSize::Small,
            window: std::time::Duration::from_secs(8),
        }
    } else {
        daemons::Plan {
            kinds: vec![JobMix::Gemm, JobMix::Mlp, JobMix::Conv],
            sizes: vec![16, 256, 1_024],
            job_size: JobSize::Medium,
            window: std::time::Duration::from_secs(args.window),
        }
    };
    let daemons = daemons::run(&plan, &progress).context("daemon section")?;

    let out_dir = args
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let charts_dir = args.charts.unwrap_or_else(|| out_dir.join("docs/bench"));
    std::fs::create_dir_all(&charts_dir)
        .with_context(|| format!("creating {}", charts_dir.display()))?;
    let results = report::Results {
        machine,
        short: args.short,
        secs: start.elapsed().as_secs_f64(),
        load_end: machine::load(),
        cost,
        detection,
        kernels,
        daemons,
        charts_rel: relative(&out_dir, &charts_dir),
    };
    for (name, svg) in report::charts(&results) {
        let path = charts_dir.join(name);
        std::fs::write(&path, svg).with_context(|| format!("writing {}", path.display()))?;
        progress(&format!("wrote {}", path.display()));
    }
    std::fs::write(&args.out, report::markdown(&results))
        .with_context(|| format!("writing {}", args.out.display()))?;
    progress(&format!("wrote {}", args.out.display()));
    Ok(())
}
