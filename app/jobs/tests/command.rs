//! The `edgefuel-job` command prints the receipt fields of a job.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use edgefuel_jobs::{execute, verify, CpuBackend, JobSpec};

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_edgefuel-job"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn prints_job_id_work_units_and_commitment() {
    let spec = JobSpec::gemm(17, 9, 33, [0xab; 32]).unwrap();
    let want = execute(&spec, &CpuBackend::new()).unwrap();
    let (ok, stdout, stderr) = run(&["gemm", "17", "9", "33", "--seed", &"ab".repeat(32)]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains(&hex(&want.job_id())), "{stdout}");
    assert!(stdout.contains(&hex(&want.output_commitment())), "{stdout}");
    assert!(stdout.contains("work_units         5049"), "{stdout}");
    assert!(stdout.contains("seconds"), "{stdout}");

    // The same job from its canonical bytes, as JSON, on the reference loops.
    let (ok, json, stderr) = run(&[
        "spec",
        &hex(&spec.to_bytes()),
        "--backend",
        "reference",
        "--output",
        "json",
    ]);
    assert!(ok, "{stderr}");
    assert!(json.trim_start().starts_with('{'), "{json}");
    assert!(
        json.contains(&format!(
            "\"output_commitment\":\"{}\"",
            hex(&want.output_commitment())
        )),
        "{json}"
    );
}

#[test]
fn refuses_bad_specs_with_a_message() {
    let (ok, _, stderr) = run(&["gemm", "0", "1", "1"]);
    assert!(!ok);
    assert!(stderr.contains("m = 0 is outside 1..=16384"), "{stderr}");
    let (ok, _, stderr) = run(&["spec", "ff00"]);
    assert!(!ok);
    assert!(stderr.contains("unknown job kind 255"), "{stderr}");
}

#[test]
fn verify_compares_commitments() {
    let spec = JobSpec::mlp(3, vec![5, 4, 2], [1; 32]).unwrap();
    let cpu = CpuBackend::new();
    let good = execute(&spec, &cpu).unwrap().output_commitment();
    assert!(verify(&spec, &good, &cpu).unwrap());
    let mut bad = good;
    bad[0] ^= 1;
    assert!(!verify(&spec, &bad, &cpu).unwrap());
}
