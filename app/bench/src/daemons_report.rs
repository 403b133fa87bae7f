//! Sections 4 and 5 of BENCHMARKS.md (verifier share, end to end) and their
//! charts, from [`crate::daemons`].
use std::fmt::Write;

use crate::daemons::{DaemonReport, DaemonRun};
use crate::svg::{self, fmt_num, group, Axis, Series, COLORS};
use edgefuel::proof::sample_count;
use edgefuel_node::workload::JobMix;

fn kinds(r: &DaemonReport) -> Vec<JobMix> {
    let mut out: Vec<JobMix> = Vec::new();
    for run in &r.runs {
        if !out.contains(&run.kind) {
            out.push(run.kind);
        }
    }
    out
}

fn num(x: f64) -> String {
    if x.is_finite() {
        fmt_num(x)
    } else {
        "–".into()
    }
}

/// Points drawn and leaves (at most) revealed for a batch of `jobs`.
fn sample(r: &DaemonReport, jobs: u32) -> u64 {
    sample_count(jobs as u64, r.sample_bps, r.min_samples, r.max_samples)
}

fn log_axis(values: impl Iterator<Item = f64>) -> Axis {
    let v: Vec<f64> = values.filter(|x| x.is_finite() && *x > 0.0).collect();
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(0.0, f64::max);
    if v.is_empty() {
        return Axis {
            log: true,
            min: 0.01,
            max: 1.0,
        };
    }
    Axis {
        log: true,
        min: 10f64.powf((lo / 1.5).log10().floor()),
        max: 10f64.powf((hi * 1.5).log10().ceil()),
    }
}

/// The charts: (file name, SVG).
pub fn charts(r: &DaemonReport, stamp: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let sizes: Vec<u32> = {
        let mut v: Vec<u32> = r.runs.iter().map(|x| x.jobs).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let x = Axis {
        log: true,
        min: (sizes.first().copied().unwrap_or(1) as f64 / 2.0).max(0.5),
        max: sizes.last().copied().unwrap_or(1) as f64 * 2.0,
    };
    let ticks = Some(
        sizes
            .iter()
            .map(|s| (*s as f64, group(*s as i64)))
            .collect(),
    );
    let per_kind = |f: &dyn Fn(&DaemonRun) -> f64, kind: JobMix| -> Vec<(f64, f64)> {
        r.runs
            .iter()
            .filter(|x| x.kind == kind)
            .map(|x| (x.jobs as f64, f(x)))
            .collect()
    };
    let mut share = Vec::new();
    for (i, kind) in kinds(r).into_iter().enumerate() {
        share.push(Series {
            name: format!("{}: CPU", kind.name()),
            color: COLORS[i % COLORS.len()],
            points: per_kind(&|x| x.share(), kind),
            dashed: false,
            markers: true,
            line: true,
        });
        share.push(Series {
            name: format!("{}: kernels only", kind.name()),
            color: COLORS[i % COLORS.len()],
            points: per_kind(&|x| x.kernel_share(), kind),
            dashed: true,
            markers: false,
            line: true,
        });
    }
    share.push(Series {
        name: "leaves sampled ÷ jobs".into(),
        color: COLORS[7],
        points: sizes
            .iter()
            .map(|s| (*s as f64, sample(r, *s).min(*s as u64) as f64 / *s as f64))
            .collect(),
        dashed: true,
        markers: true,
        line: false,
    });
    let y = log_axis(share.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
    out.push((
        "verifier-share.svg".into(),
        svg::line_chart(
            "One verifier's CPU per batch ÷ the node's (real daemons)",
            "jobs per batch",
            "verifier ÷ node, per batch",
            x,
            y,
            ticks.clone(),
            &share,
            stamp,
        ),
    ));
    let mut thr = Vec::new();
    for (i, kind) in kinds(r).into_iter().enumerate() {
        thr.push(Series {
            name: format!("{} verified jobs/s", kind.name()),
            color: COLORS[i % COLORS.len()],
            points: per_kind(&|x| x.verified_jobs_per_second(), kind),
            dashed: false,
            markers: true,
            line: true,
        });
        thr.push(Series {
            name: format!("{} tx/s", kind.name()),
            color: COLORS[i % COLORS.len()],
            points: per_kind(&|x| x.txs_per_second(), kind),
            dashed: true,
            markers: true,
            line: true,
        });
    }
    let y = log_axis(thr.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
    out.push((
        "end-to-end.svg".into(),
        svg::line_chart(
            "End to end: verified jobs/s and transactions/s (one node, 3 verifiers)",
            "jobs per batch",
            "per second",
            x,
            y,
            ticks,
            &thr,
            stamp,
        ),
    ));
    let cats: Vec<String> = r.runs.iter().map(|x| x.label()).collect();
    let col = |f: &dyn Fn(&DaemonRun) -> f64| -> Vec<Option<f64>> {
        r.runs.iter().map(|x| Some(f(x))).collect()
    };
    let series = vec![
        ("node: kernels".to_string(), col(&|x| x.node_phases[1])),
        (
            "node: inputs + hashing + journal".to_string(),
            col(&|x| x.node_phases[0] + x.node_phases[2] + x.node_phases[3]),
        ),
        (
            "node: chain requests".to_string(),
            col(&|x| x.node_phases[4]),
        ),
        ("node: idle".to_string(), col(&|x| x.node_phases[5])),
        (
            "verifier: re-execution".to_string(),
            col(&|x| x.verifier_phases[0] + x.verifier_phases[1] + x.verifier_phases[2]),
        ),
        (
            "verifier: chain requests".to_string(),
            col(&|x| x.verifier_phases[4]),
        ),
        (
            "chain: executing transactions".to_string(),
            col(&|x| x.chain_execute),
        ),
    ];
    let y = log_axis(series.iter().flat_map(|(_, v)| v.iter().flatten().copied()));
    out.push((
        "time-breakdown.svg".into(),
        svg::bar_chart(
            "Where the time goes in each run (seconds of the window, log scale)",
            "seconds",
            y,
            &cats,
            &series,
            None,
            stamp,
        ),
    ));
    out
}

/// Sections 4 and 5.
pub fn markdown(r: &DaemonReport, img: &dyn Fn(&str) -> String) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## 4. Verifier share of compute (real daemons)\n");
    let _ = writeln!(
        s,
        "Real processes, started by `edgefuel-launch` as the demo starts them: a local chain \
         (`edgefuel-localnet`, 400 ms slots, default params: seal after {} slots, {} bps of the leaves \
         sampled, clamped to {}..={} points), {} `edgefuel-verifier` processes (threshold {}, crank on, \
         CPU backend, polling every second and woken by `programSubscribe`), and for each job kind and \
         batch size in turn a fresh operator's `edgefuel-node` process (CPU backend, {} jobs of one \
         kind, the next batch built as soon as the previous one is revealed) for {:.0} s. The daemons \
         were {}; the chain was up in {:.1} s. All processes share this machine's CPUs.\n",
        r.seal_delay_slots,
        r.sample_bps,
        r.min_samples,
        r.max_samples,
        r.verifiers,
        r.threshold,
        match r.job_size {
            edgefuel_node::workload::JobSize::Small => "small (0.25–0.8 M multiply-accumulates)",
            edgefuel_node::workload::JobSize::Medium => "medium (67–168 M multiply-accumulates)",
            edgefuel_node::workload::JobSize::Large => "large (0.9–1.5 G multiply-accumulates)",
        },
        r.window,
        r.processes,
        r.chain_boot
    );
    let _ = writeln!(
        s,
        "CPU seconds are utime + stime from `/proc/<pid>/stat` of each process over the window, \
         everything included (RPC, polling, signing, SQLite, idle wake-ups). **Node CPU per batch** = the \
         node process's CPU ÷ the batches it built; **verifier CPU per batch** = each verifier's CPU ÷ the \
         batches it voted on (mean over the verifiers); their ratio is one verifier's share of the node's \
         work. *Kernels only* is the same ratio for the device time of the jobs alone (the daemons' \
         `reexec_seconds` and `job_seconds`). The sample bounds the re-execution: at most k of n leaves.\n"
    );
    let _ = writeln!(
        s,
        "| job kind | jobs / batch | batches built | votes per verifier | jobs re-executed (all) | node CPU s / batch | verifier CPU s / batch | **verifier ÷ node (CPU)** | kernels only | leaves sampled k / n |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for x in &r.runs {
        let k = sample(r, x.jobs).min(x.jobs as u64);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | **{}** | {} | {} / {} = {} |",
            x.kind.name(),
            group(x.jobs as i64),
            num(x.node_jobs as f64 / x.jobs as f64),
            x.verifier_votes
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" / "),
            x.reexec_jobs,
            num(x.node_cpu_per_batch()),
            num(x.verifier_cpu_per_batch()),
            num(x.share()),
            num(x.kernel_share()),
            k,
            group(x.jobs as i64),
            num(k as f64 / x.jobs as f64)
        );
    }
    let _ = writeln!(
        s,
        "\nA batch needs {} agreeing votes, so the network's verification cost per batch is about {} × the \
         share above ({} verifiers ran here; a vote after the quorum is still counted).\n\n{}\n",
        r.threshold,
        r.threshold,
        r.verifiers,
        img("verifier-share.svg")
    );

    let _ = writeln!(s, "## 5. End to end through the local chain\n");
    let _ = writeln!(
        s,
        "The same runs. **Verified jobs/s** = jobs in the node's batches accepted (quorum reached and \
         finalized on the chain) within the window ÷ the window; batches still in flight at its end are \
         not counted. **tx/s** = every transaction the chain executed in the window (node: submit, seal, \
         reveal; verifiers: votes, finalize, close) ÷ the window.\n"
    );
    let _ = writeln!(
        s,
        "| job kind | jobs / batch | window s | batches submitted / accepted | **verified jobs / s** | **tx / s** | chain CPU s | chain executing tx s |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for x in &r.runs {
        let _ = writeln!(
            s,
            "| {} | {} | {:.1} | {} / {} | **{}** | **{}** | {} | {} |",
            x.kind.name(),
            group(x.jobs as i64),
            x.seconds,
            x.submitted,
            x.accepted,
            num(x.verified_jobs_per_second()),
            num(x.txs_per_second()),
            num(x.chain_cpu),
            num(x.chain_execute)
        );
    }
    let _ = writeln!(
        s,
        "\n**Where the time goes** (wall seconds of the window, from each daemon's \
         `phase_seconds_total{{phase}}`; a process's phases do not overlap, so a node's row adds up to \
         its window): *inputs* = seeded input generation, *kernel* = the int8 kernels, *hashing* = \
         SHA-256 of outputs and the receipt sum tree, *journal* = SQLite, *chain* = RPC requests, \
         sending transactions and waiting for their confirmation (the program executes inside this \
         wait: the last column is the chain's own time executing transactions), *idle* = sleeping \
         until the next step. Verifier figures are the mean over the {} verifiers.\n",
        r.verifiers
    );
    let _ = writeln!(
        s,
        "| run | node inputs | node kernel | node hashing | node journal | node chain | node idle | verifier re-exec | verifier chain | verifier idle | chain executing tx |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for x in &r.runs {
        let n = &x.node_phases;
        let v = &x.verifier_phases;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            x.label(),
            num(n[0]),
            num(n[1]),
            num(n[2]),
            num(n[3]),
            num(n[4]),
            num(n[5]),
            num(v[0] + v[1] + v[2]),
            num(v[4]),
            num(v[5]),
            num(x.chain_execute)
        );
    }
    let _ = writeln!(
        s,
        "\n{}\n\n{}\n",
        img("end-to-end.svg"),
        img("time-breakdown.svg")
    );
    s
}
