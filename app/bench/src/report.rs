//! BENCHMARKS.md and its charts, from the measured results.
use std::fmt::Write;

use crate::cost::{CostReport, Run, Tally};
use crate::daemons::DaemonReport;
use crate::detection::{DetectionReport, Mode};
use crate::kernels::KernelReport;
use crate::machine::Machine;
use crate::svg::{self, fmt_num, group, Axis, Series, COLORS};

/// Everything one run measured.
pub struct Results {
    pub machine: Machine,
    pub short: bool,
    pub secs: f64,
    pub load_end: f64,
    pub cost: CostReport,
    pub detection: DetectionReport,
    pub kernels: KernelReport,
    pub daemons: DaemonReport,
    /// Relative path from BENCHMARKS.md to the charts.
    pub charts_rel: String,
}

fn g(v: u64) -> String {
    group(v as i64)
}

fn per(v: u64, jobs: u64) -> String {
    let x = v as f64 / jobs as f64;
    if x >= 100.0 {
        group(x.round() as i64)
    } else if x >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

fn size_label(n: u64) -> String {
    if n.is_power_of_two() && n >= 1 << 16 {
        format!("2^{} = {}", n.trailing_zeros(), g(n))
    } else {
        g(n)
    }
}

fn steps(t: &[(&str, Tally)]) -> String {
    t.iter()
        .map(|(n, t)| format!("{n} {}", t.txs))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ratio(x: f64) -> String {
    if x >= 10.0 {
        group(x.round() as i64)
    } else {
        format!("{x:.2}")
    }
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// The charts: (file name, SVG).
pub fn charts(r: &Results) -> Vec<(String, String)> {
    let stamp = r.machine.stamp();
    let mut out = Vec::new();
    let c = &r.cost;
    let sizes: Vec<f64> = c.sizes.iter().map(|s| s.size as f64).collect();
    let x_max = sizes.iter().copied().fold(1.0, f64::max) * 2.0;
    let x = Axis {
        log: true,
        min: 0.5,
        max: x_max.max(2.0),
    };
    let x_ticks = Some(c.sizes.iter().map(|s| (s.size as f64, g(s.size))).collect());
    let fee = |f: &dyn Fn(&crate::cost::SizeResult) -> &Run| -> Vec<(f64, f64)> {
        c.sizes
            .iter()
            .map(|s| (s.size as f64, f(s).fee_per_job()))
            .collect()
    };
    let ef = fee(&|s| &s.edgefuel);
    let base = fee(&|s| &s.baseline);
    let y_min = ef
        .iter()
        .map(|p| p.1)
        .fold(f64::INFINITY, f64::min)
        .min(10.0)
        / 2.0;
    let y_max = base.iter().map(|p| p.1).fold(1.0, f64::max) * 3.0;
    out.push((
        "cost-per-job.svg".into(),
        svg::line_chart(
            "On-chain fees per verified job (lamports, 5 000 per signature)",
            "jobs per batch (EdgeFuel) / jobs recorded (baseline)",
            "lamports per verified job",
            x,
            Axis {
                log: true,
                min: 10f64.powf(y_min.log10().floor()),
                max: 10f64.powf(y_max.log10().ceil()),
            },
            x_ticks.clone(),
            &[
                Series {
                    name: "per-job accounts (baseline)".into(),
                    color: COLORS[1],
                    points: base,
                    dashed: false,
                    markers: true,
                    line: true,
                },
                Series {
                    name: "EdgeFuel batch".into(),
                    color: COLORS[0],
                    points: ef,
                    dashed: false,
                    markers: true,
                    line: true,
                },
                Series {
                    name: "goal: 20 at 4 096".into(),
                    color: COLORS[7],
                    points: vec![(x.min, 20.0), (x.max, 20.0)],
                    dashed: true,
                    markers: false,
                    line: true,
                },
            ],
            &stamp,
        ),
    ));
    let bytes = |f: &dyn Fn(&crate::cost::SizeResult) -> &Run| -> Vec<(f64, f64)> {
        c.sizes
            .iter()
            .map(|s| {
                let r = f(s);
                (s.size as f64, r.total.ledger_bytes as f64 / r.jobs as f64)
            })
            .collect()
    };
    let eb = bytes(&|s| &s.edgefuel);
    let bb = bytes(&|s| &s.baseline);
    let b_min = eb.iter().map(|p| p.1).fold(f64::INFINITY, f64::min) / 2.0;
    let b_max = eb.iter().chain(&bb).map(|p| p.1).fold(1.0, f64::max) * 3.0;
    out.push((
        "ledger-bytes-per-job.svg".into(),
        svg::line_chart(
            "Transaction bytes per verified job",
            "jobs per batch (EdgeFuel) / jobs recorded (baseline)",
            "signed transaction bytes per job",
            x,
            Axis {
                log: true,
                min: 10f64.powf(b_min.log10().floor()),
                max: 10f64.powf(b_max.log10().ceil()),
            },
            x_ticks,
            &[
                Series {
                    name: "per-job accounts (baseline)".into(),
                    color: COLORS[1],
                    points: bb,
                    dashed: false,
                    markers: true,
                    line: true,
                },
                Series {
                    name: "EdgeFuel batch".into(),
                    color: COLORS[0],
                    points: eb,
                    dashed: false,
                    markers: true,
                    line: true,
                },
            ],
            &stamp,
        ),
    ));

    let d = &r.detection;
    for mode in [Mode::Faked, Mode::Inflated] {
        let mut series = Vec::new();
        for (i, cv) in d.curves.iter().filter(|c| c.mode == mode).enumerate() {
            let color = COLORS[i % COLORS.len()];
            let pts = |v: &[f64]| -> Vec<(f64, f64)> {
                v.iter()
                    .enumerate()
                    .map(|(e, p)| ((e + 1) as f64, *p))
                    .collect()
            };
            series.push(Series {
                name: format!("f = {} % measured", cv.f * 100.0),
                color,
                points: pts(&cv.measured),
                dashed: false,
                markers: true,
                line: false,
            });
            series.push(Series {
                name: format!("f = {} % 1 − (1 − f)^kE", cv.f * 100.0),
                color,
                points: pts(&cv.predicted),
                dashed: true,
                markers: false,
                line: true,
            });
        }
        let name = match mode {
            Mode::Faked => "detection-faked.svg",
            Mode::Inflated => "detection-inflated.svg",
        };
        out.push((
            name.into(),
            svg::line_chart(
                &format!(
                    "Cheater caught within E epochs: {} ({} leaves, k = {})",
                    mode.name(),
                    group(d.leaves as i64),
                    d.k
                ),
                "epochs E (one batch per epoch)",
                &format!("P(caught by epoch E), {} careers", group(d.careers as i64)),
                Axis {
                    log: false,
                    min: 0.0,
                    max: d.epochs as f64 + 1.0,
                },
                Axis {
                    log: false,
                    min: 0.0,
                    max: 1.0,
                },
                None,
                &series,
                &stamp,
            ),
        ));
    }

    let k = &r.kernels;
    let cats: Vec<String> = k.jobs.iter().map(|j| j.label.clone()).collect();
    let mut series: Vec<(String, Vec<Option<f64>>)> = k
        .backends
        .iter()
        .enumerate()
        .map(|(i, b)| (b.clone(), k.jobs.iter().map(|j| j.gops[i]).collect()))
        .collect();
    series.push((
        "whole job (cpu)".into(),
        k.jobs.iter().map(|j| Some(j.end_to_end)).collect(),
    ));
    let all: Vec<f64> = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min).max(0.01);
    let hi = all
        .iter()
        .copied()
        .chain(k.peak.as_ref().map(|p| p.gops))
        .fold(1.0, f64::max);
    out.push((
        "kernels.svg".into(),
        svg::bar_chart(
            "Job kernels per backend (GOP/s, log scale)",
            "GOP/s (2 × multiply-accumulates / s)",
            Axis {
                log: true,
                min: 10f64.powf((lo / 2.0).log10().floor()),
                max: 10f64.powf((hi * 1.5).log10().ceil()),
            },
            &cats,
            &series,
            k.peak
                .as_ref()
                .map(|p| (p.gops, format!("CPU int8 peak {}", fmt_num(p.gops)))),
            &stamp,
        ),
    ));
    let cats: Vec<String> = k
        .gemm
        .iter()
        .map(|r| format!("int8 GEMM {}³", r.size))
        .collect();
    let gseries = vec![
        (
            "gemmkit, 1 thread".to_string(),
            k.gemm.iter().map(|r| Some(r.gemmkit_1)).collect(),
        ),
        (
            "edgefuel cpu, 1 thread".to_string(),
            k.gemm.iter().map(|r| Some(r.ours_1)).collect(),
        ),
        (
            format!("gemmkit, {} threads", k.threads),
            k.gemm.iter().map(|r| Some(r.gemmkit_n)).collect(),
        ),
        (
            format!("edgefuel cpu, {} threads", k.threads),
            k.gemm.iter().map(|r| Some(r.ours_n)).collect(),
        ),
    ];
    let hi = k
        .gemm
        .iter()
        .flat_map(|r| [r.gemmkit_1, r.ours_1, r.gemmkit_n, r.ours_n])
        .chain(k.peak.as_ref().map(|p| p.gops))
        .fold(1.0, f64::max);
    out.push((
        "gemm-vs-gemmkit.svg".into(),
        svg::bar_chart(
            "int8 GEMM: edgefuel vs gemmkit, same run (GOP/s)",
            "GOP/s",
            Axis {
                log: false,
                min: 0.0,
                max: hi * 1.1,
            },
            &cats,
            &gseries,
            k.peak
                .as_ref()
                .map(|p| (p.gops, format!("CPU int8 peak {}", fmt_num(p.gops)))),
            &stamp,
        ),
    ));
    out.extend(crate::daemons_report::charts(&r.daemons, &stamp));
    out
}

/// What the cost per job at a batch size could come down to, and why not
/// lower: from the run's own reveal bytes.
fn floor(z: &crate::cost::SizeResult) -> Option<String> {
    use crate::cost::LAMPORTS_PER_SIGNATURE as SIG;
    use edgefuel::proof::REVEAL_TX_BUDGET as BUDGET;
    let e = &z.edgefuel;
    let r = e.reveal?;
    let reveal_txs = e
        .steps
        .iter()
        .find(|(n, _)| *n == "reveal")
        .map(|(_, t)| t.txs)?;
    let fixed = e.total.txs.checked_sub(reveal_txs)?;
    // seal folded into the node's first reveal, close into the finalizing vote.
    let merged = fixed.saturating_sub(2);
    let per = |txs: u64| (txs * SIG) as f64 / z.size as f64;
    let proof_txs = r.multiproof_bytes.div_ceil(BUDGET as u64);
    let goal_sigs = 20 * z.size / SIG;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "**Where the floor is.** Every transaction here has one signature (the fee is per signature; \
         the node and each verifier sign their own), so fees = 5 000 × transactions, and the goal allows \
         {goal_sigs} transactions per batch of {}. This batch took {} ({fixed} fixed: submit, seal, vote, \
         vote + finalize, close; {reveal_txs} reveal). The reveal dominates: {} leaves, {} bytes of items \
         ({} bytes the largest: leaf fields, shape and a {}-node sum-tree path of 40 bytes a node), and a \
         transaction has {BUDGET} bytes for items, so two items never fit one transaction.\n",
        g(z.size),
        e.total.txs,
        r.leaves,
        g(r.items),
        r.largest_item,
        r.path_nodes / r.leaves.max(1),
    );
    let _ = writeln!(
        t,
        "- *Fewer transactions around the reveal* (sound, no program change): the node can seal in its \
         first reveal transaction (the seed comes from SlotHashes and the batch key, not from who seals or \
         when, and the node computes its sample before sending), and the second verifier can close the \
         batch in the transaction that finalizes it: {merged} fixed + {reveal_txs} reveal = {} lamports per job.\n\
         - *Address lookup tables*: a reveal names 5 accounts (the signing agent, node, batch, the program's \
         event authority, the program); the signer and the invoked program cannot come from a table, so at most \
         the node, the batch and the event authority (96 bytes) move there, less the table's own 32-byte key and \
         its indexes, and the batch's key would first have to be added to a table (one more transaction a \
         batch). That frees about 60 bytes, not the {} a second item needs.\n\
         - *A multiproof* (each shared sibling sent once, none the proof can compute): this sample needs {} \
         distinct nodes instead of {}, {} bytes in all, so at least {proof_txs} reveal transactions: \
         {merged} + {proof_txs} = {} transactions, **{} lamports per job, the floor at these params**. It \
         needs a program change: one proof spread over several transactions means the batch account keeps \
         the nodes verified so far between them (or a Merkle-verified cache of the tree's top levels), and \
         items must arrive in an order the program can check; not done here.\n\
         - Shorter hashes or sums in the path, or fewer sample points, would reach it at once and weaken \
         either collision resistance or detection (section 2): not an option.\n",
        fmt_num(per(merged + reveal_txs)),
        r.largest_item,
        r.multiproof_nodes,
        r.path_nodes,
        g(r.multiproof_bytes),
        merged + proof_txs,
        fmt_num(per(merged + proof_txs)),
    );
    Some(t)
}

/// BENCHMARKS.md.
pub fn markdown(r: &Results) -> String {
    let m = &r.machine;
    let mut s = String::new();
    let img = |name: &str| format!("![{name}]({}/{name})", r.charts_rel);
    let _ = writeln!(s, "# EdgeFuel benchmarks\n");
    let _ = writeln!(
        s,
        "Written by `scripts/bench` (a release build of `edgefuel-bench`, `edgefuel-node` and `edgefuel-verifier`, then \
         `edgefuel-bench --out BENCHMARKS.md`){}. \
         Every figure below comes from this one run, on this machine and commit; ratios compare \
         figures of the same run. Do not edit by hand: run the command again.\n",
        if r.short { " in **short mode** (tiny sizes: a smoke test, not figures to quote)" } else { "" }
    );
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| machine | {} ({}), {} logical CPUs{}, {:.1} GiB |",
        m.cpu,
        m.vendor,
        m.cpus,
        m.mhz
            .map(|x| format!(" at {:.3} GHz (nominal, /proc/cpuinfo)", x / 1000.0))
            .unwrap_or_default(),
        m.mem_gib
    );
    let _ = writeln!(s, "| int8 SIMD | {} |", m.features.join(", "));
    let _ = writeln!(s, "| commit | `{}` |", m.commit);
    let _ = writeln!(s, "| date | {} |", m.date);
    let _ = writeln!(
        s,
        "| toolchain | {}, {} build |",
        m.rustc,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let _ = writeln!(s, "| run time | {:.0} s |", r.secs);
    let _ = writeln!(
        s,
        "| load average | {:.1} at the start, {:.1} at the end |\n",
        m.load_start, r.load_end
    );
    if m.load_start.max(r.load_end) > m.cpus as f64 * 0.75 {
        let _ = writeln!(
            s,
            "**The machine was busy:** other builds and tests were running on the same {} CPUs \
             during this run (load above), so timings (kernels, detection run time) are lower than on a \
             quiet machine. Counts, fees, rent, bytes and detection rates do not depend on load.\n",
            m.cpus
        );
    }

    // ---- cost
    let c = &r.cost;
    let p = &c.params;
    let _ = writeln!(s, "## 1. On-chain cost per verified job\n");
    let _ = writeln!(
        s,
        "Both designs run on the same solana-program-test bank: the EdgeFuel program natively, \
         the real SPL Token program, and the per-job-account baseline (`app/bench/src/baseline.rs`, \
         one account plus `submit` and `finish` per job, as job marketplaces on Solana do, and generous \
         to it: `finish` closes the account at once and no token payment is made). Fees are the bank's fee for each \
         message (5 000 lamports per signature), checked against every signer's balance before and after. \
         Every job is a real job (a mix of small `gemm_i8`, `mlp_i8` and `conv2d_i8` jobs) executed \
         by the node; the verifiers rebuild each revealed job from the chain and re-execute it before voting.\n"
    );
    let _ = writeln!(
        s,
        "EdgeFuel's life of a batch: `submit_batch` (agent) → `seal_batch` after {} slots → \
         `reveal_samples` (as many items per transaction as fit 1 232 bytes) → `vote` (verifier 1) → \
         `vote` + `finalize_batch` (verifier 2, one transaction) → `close_batch` (rent back to the operator). \
         Default params: sampling {} bps of the leaves, clamped to {}..={} points; \
         {}-of-N verifier quorum used here: 2.\n",
        p.seal_delay_slots, p.sample_bps, p.min_samples, p.max_samples, 2
    );
    let _ = writeln!(
        s,
        "| jobs | sample (points / leaves revealed) | EdgeFuel tx | signatures | fees | **lamports / job** | tx bytes / job | baseline tx / job | baseline lamports / job | baseline tx bytes / job | **baseline ÷ EdgeFuel** |"
    );
    let _ = writeln!(
        s,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for z in &c.sizes {
        let (e, b) = (&z.edgefuel, &z.baseline);
        let (pts, lv) = e.sample.unwrap_or((0, 0));
        let _ = writeln!(
            s,
            "| {}{} | {pts} / {lv} | {} | {} | {} | **{}** | {} | {} | {} | {} | **{}×** |",
            size_label(z.size),
            if b.jobs < z.size { " †" } else { "" },
            e.total.txs,
            e.total.sigs,
            g(e.total.fees),
            per(e.total.fees, e.jobs),
            per(e.total.ledger_bytes, e.jobs),
            per(b.total.txs, b.jobs),
            per(b.total.fees, b.jobs),
            per(b.total.ledger_bytes, b.jobs),
            ratio(b.fee_per_job() / e.fee_per_job())
        );
    }
    if let Some(z) = c.sizes.iter().find(|z| z.baseline.jobs < z.size) {
        let _ = writeln!(
            s,
            "\n† The baseline recorded {} of these jobs (`--baseline-max`); its cost per job is the same at every size above.",
            g(z.baseline.jobs)
        );
    }
    let _ = writeln!(s);
    if let Some(z) = c.sizes.iter().find(|z| z.size == 4_096) {
        let v = z.edgefuel.fee_per_job();
        let _ = writeln!(
            s,
            "**Goal (issue 14): ≤ 20 lamports per verified job at 4 096 jobs — {}: {:.1} lamports.**\n",
            if v <= 20.0 { "met" } else { "not met" },
            v,
        );
        if let Some(f) = floor(z) {
            s.push_str(&f);
        }
    }
    let _ = writeln!(
        s,
        "{}\n\n{}\n",
        img("cost-per-job.svg"),
        img("ledger-bytes-per-job.svg")
    );
    let _ = writeln!(s, "Rent and state, per run (lamports; rent is a deposit, returned when the account closes):\n");
    let _ = writeln!(
        s,
        "| jobs | EdgeFuel rent locked (peak) | returned | account bytes | steps (transactions) | baseline jobs recorded | rent locked (peak) | returned | account bytes |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---|---:|---:|---:|---:|");
    for z in &c.sizes {
        let (e, b) = (&z.edgefuel, &z.baseline);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            size_label(z.size),
            g(e.rent_locked),
            g(e.rent_returned),
            g(e.account_bytes),
            steps(&e.steps),
            g(b.jobs),
            g(b.rent_locked),
            g(b.rent_returned),
            g(b.account_bytes),
        );
    }
    let _ = writeln!(
        s,
        "\nPlus, once per node per epoch (not per batch), the node's epoch-stats account: {} lamports of rent, {} bytes. \
         Wall time of the runs on program-test (not a throughput figure): EdgeFuel {:.2} s in all, baseline {:.1} s in all.\n",
        g(c.epoch_stats_rent.0),
        g(c.epoch_stats_rent.1),
        c.sizes.iter().map(|z| z.edgefuel.secs).sum::<f64>(),
        c.sizes.iter().map(|z| z.baseline.secs).sum::<f64>()
    );

    // ---- detection
    let d = &r.detection;
    let _ = writeln!(
        s,
        "## 2. Detection: cheaters against work-weighted sampling\n"
    );
    let _ = writeln!(
        s,
        "A cheating node commits one batch of {} real jobs per epoch (varied sizes) and lies on a fraction f of \
         its **claimed work units**, spread over random leaves: either **faked outputs** (caught when a \
         verifier re-executes a sampled leaf) or **inflated work** (a leaf claims 2× its job's multiply-\
         accumulates; the program's reveal check refuses it with `WorkUnitsMismatch`, and a node that does \
         not reveal is slashed as missed; for 2× inflation the unearned part is f/2). Samples are drawn with the \
         program's own functions (`sample_seed` from the batch key and a slot hash the node cannot know, \
         `sample_count` → k = {} at {} leaves, `sample_points`, the sum tree's `leaf_at`); every cheating \
         leaf was checked with the program's `RevealItem::check` and a re-execution. {} careers of {} epochs per line; \
         g is the batch's exact cheating share of claimed work (the leaves are whole jobs, so g ≥ f). \
         Prediction per epoch: 1 − (1 − g)^k; within E epochs: 1 − Π(1 − g)^k.\n",
        group(d.leaves as i64),
        d.k,
        group(d.leaves as i64),
        group(d.careers as i64),
        d.epochs
    );
    let marks: Vec<usize> = [1usize, 5, 10, 20, d.epochs]
        .into_iter()
        .filter(|e| *e <= d.epochs)
        .fold(Vec::new(), |mut v, e| {
            if !v.contains(&e) {
                v.push(e);
            }
            v
        });
    let _ = write!(
        s,
        "| f | cheat | leaves lying | g | per epoch: measured | predicted | σ |"
    );
    for e in &marks {
        let _ = write!(s, " within {e}: measured / predicted |");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "|---:|---|---:|---:|---:|---:|---:|{}",
        "---:|".repeat(marks.len())
    );
    for cv in &d.curves {
        let mean_g = cv.g.iter().sum::<f64>() / cv.g.len().max(1) as f64;
        let sigma = (cv.per_epoch.1 * (1.0 - cv.per_epoch.1) / cv.draws.max(1) as f64).sqrt();
        let _ = write!(
            s,
            "| {} % | {} | {:.1} | {:.3} % | {} | {} | {:.2} |",
            cv.f * 100.0,
            cv.mode.name(),
            cv.leaves,
            mean_g * 100.0,
            pct(cv.per_epoch.0),
            pct(cv.per_epoch.1),
            if sigma > 0.0 {
                (cv.per_epoch.0 - cv.per_epoch.1) / sigma
            } else {
                0.0
            }
        );
        for e in &marks {
            let _ = write!(
                s,
                " {} / {} |",
                pct(cv.measured[e - 1]),
                pct(cv.predicted[e - 1])
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "\nσ: the measured per-epoch rate's distance from the prediction in standard deviations of a \
         binomial over the draws made.\n\n{}\n\n{}\n",
        img("detection-faked.svg"),
        img("detection-inflated.svg")
    );

    // ---- kernels
    let k = &r.kernels;
    let _ = writeln!(s, "## 3. Kernels\n");
    let _ = writeln!(
        s,
        "GOP/s = 2 × multiply-accumulates per second, median of repeated runs on inputs generated beforehand; \
         \"whole job\" is `execute` on the CPU (ChaCha input generation + kernels + SHA-256 of the output). \
         All backends gave identical output bytes for every job (checked). CPU backend default kernel: {}; \
         {} rayon threads. GPU: {}.\n",
        k.detected.name(),
        k.threads,
        match &k.gpu {
            Ok(n) => format!("{n} (Mesa lavapipe is a CPU rasterizer: its figures show the GPU path works, not what a GPU does)"),
            Err(e) => format!("unavailable ({e})"),
        }
    );
    match &k.peak {
        Some(pk) => {
            let _ = writeln!(
                s,
                "**This CPU's int8 peak: {} GOP/s** = {}. Source: {}. Percentages below are of this peak.\n",
                fmt_num(pk.gops),
                pk.formula,
                pk.source
            );
        }
        None => {
            let _ = writeln!(
                s,
                "No int8 peak is known for this CPU's kernel; percentages are left out.\n"
            );
        }
    }
    let peak = k.peak.as_ref().map(|p| p.gops);
    let of_peak = |v: f64| {
        peak.map(|p| format!(" ({:.0} %)", v / p * 100.0))
            .unwrap_or_default()
    };
    let _ = writeln!(s, "int8 GEMM (i8 × i8 → i32) against `gemmkit` 0.1 (the fastest exact int8 GEMM crate we know), same run:\n");
    let _ = writeln!(
        s,
        "| size | naive loop | gemmkit 1 thread | edgefuel 1 thread | gemmkit {t} threads | edgefuel {t} threads | edgefuel ÷ gemmkit (1 / {t}) |",
        t = k.threads
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    for row in &k.gemm {
        let _ = writeln!(
            s,
            "| {}³ | {} | {:.1} | {:.1}{} | {:.1} | {:.1}{} | {:.2}× / {:.2}× |",
            row.size,
            row.naive
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "–".into()),
            row.gemmkit_1,
            row.ours_1,
            of_peak(row.ours_1),
            row.gemmkit_n,
            row.ours_n,
            of_peak(row.ours_n),
            row.ours_1 / row.gemmkit_1,
            row.ours_n / row.gemmkit_n
        );
    }
    let _ = writeln!(
        s,
        "\nEvery job kind on every backend (GOP/s; CPU kernels on all threads):\n"
    );
    let _ = write!(s, "| job | work units |");
    for b in &k.backends {
        let _ = write!(s, " {b} |");
    }
    let _ = writeln!(s, " whole job (cpu) |");
    let _ = writeln!(s, "|---|---:|{}---:|", "---:|".repeat(k.backends.len()));
    for j in &k.jobs {
        let _ = write!(s, "| {} | {} |", j.label, g(j.work_units));
        for (i, v) in j.gops.iter().enumerate() {
            match v {
                Some(v) if i == 0 => {
                    let _ = write!(s, " {v:.1}{} |", of_peak(*v));
                }
                Some(v) => {
                    let _ = write!(s, " {v:.1} |");
                }
                None => s.push_str(" error |"),
            }
        }
        let _ = writeln!(s, " {:.1} |", j.end_to_end);
    }
    let _ = writeln!(
        s,
        "\n{}\n\n{}\n",
        img("kernels.svg"),
        img("gemm-vs-gemmkit.svg")
    );

    s.push_str(&crate::daemons_report::markdown(&r.daemons, &img));
    s
}
