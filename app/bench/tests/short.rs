//! `edgefuel-bench --short` completes and writes the report and its charts.
//! It asserts nothing about timings or results: that is the benchmark's job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn short_mode_writes_the_report_and_charts() {
    let dir = std::env::temp_dir().join(format!("edgefuel-bench-short-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("BENCHMARKS.md");
    let run = Command::new(env!("CARGO_BIN_EXE_edgefuel-bench"))
        .args(["--short", "--out"])
        .arg(&out)
        .env("RUST_LOG", "error")
        .output()
        .expect("edgefuel-bench runs");
    assert!(
        run.status.success(),
        "edgefuel-bench --short failed: {}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(report.starts_with("# EdgeFuel benchmarks"));
    for chart in [
        "cost-per-job.svg",
        "ledger-bytes-per-job.svg",
        "detection-faked.svg",
        "detection-inflated.svg",
        "kernels.svg",
        "gemm-vs-gemmkit.svg",
        "verifier-share.svg",
        "end-to-end.svg",
        "time-breakdown.svg",
    ] {
        let svg = std::fs::read_to_string(dir.join("docs/bench").join(chart)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{chart}"
        );
        assert!(report.contains(chart), "the report links {chart}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
