//! Runs the built `edgefuel-demo` (it starts its own local chain on free
//! ports) and checks the exact outcome in its JSON summary. No GPU needed:
//! without an adapter the verifiers fall back to the CPU, and the summary
//! says which device verified.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use serde_json::Value;
use std::process::{Command, Output};
use std::time::Instant;

const EFUEL: u64 = 1_000_000_000;

/// `edgefuel-demo story ARGS…`: the single-node story with exact numbers.
fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgefuel-demo"))
        .arg("story")
        .args(args)
        .env("RUST_LOG", "error")
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The demo's small jobs, from their shapes (app/demo/src/agent.rs): job i is
/// gemm_i8 (64 + 8·(i/3 mod 4))×96×128 when i mod 3 = 0, mlp_i8 batch 16
/// through 128→96→32 when 1, conv2d_i8 16×16×16→16 3×3 (padding 1) when 2:
/// of its 16·3 (output row, filter row) pairs per axis, 46 fall inside the
/// image (the padding rows are not work).
fn work_units(i: u64) -> u64 {
    match i % 3 {
        0 => (64 + 8 * (i / 3 % 4)) * 96 * 128,
        1 => 16 * (128 * 96 + 96 * 32),
        _ => 46 * 46 * 16 * 16,
    }
}

#[test]
fn the_demo_pays_verified_work_and_slashes_a_lazy_node_exactly() {
    let started = Instant::now();
    let out = demo(&["--jobs", "12", "--size", "small", "--output", "json"]);
    let story = text(&out.stderr);
    eprintln!("{story}");
    assert!(out.status.success(), "demo failed:\n{story}");
    let s: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", text(&out.stdout)));
    eprintln!(
        "verified on {} in {:.1} s",
        s["verifier_device"],
        started.elapsed().as_secs_f64()
    );
    assert!(s["verifier_device"].as_str().unwrap().len() > 2);
    assert!(story.contains(&format!("on {}", s["verifier_device"].as_str().unwrap())));
    assert_eq!(s["chain"], "started");
    assert_eq!(s["job_size"], "small");
    assert_eq!(s["checks_passed"], true);
    assert_eq!(s["params"]["commission_bps"], 500);
    assert_eq!(s["params"]["slash_fraud_bps"], 1_000);
    assert_eq!(s["params"]["verifier_bounty_bps"], 1_000);

    // Honest batch: 12 jobs (4 of each kind), all 8 sampled leaves
    // (min_samples) re-executed by both verifiers.
    let h = &s["honest"];
    let b = &h["batch"];
    let total: u64 = (0..12).map(work_units).sum();
    assert_eq!(total, 6_885_376);
    assert_eq!(b["leaf_count"], 12);
    assert_eq!(b["total_work"], total);
    assert_eq!(b["status"], "Accepted");
    assert_eq!(b["jobs"]["gemm_i8"], 4);
    assert_eq!(b["jobs"]["mlp_i8"], 4);
    assert_eq!(b["jobs"]["conv2d_i8"], 4);
    // 8 work-weighted points (min_samples) over the 12 leaves; each leaf
    // they land in is revealed once, every item (depth 4) at most 3 to a
    // transaction, and re-executed by both verifiers.
    assert_eq!(b["sample"].as_array().unwrap().len(), 8);
    let revealed = b["revealed_leaves"].as_array().unwrap().len() as u64;
    assert!((1..=8).contains(&revealed));
    assert!(b["reveal_transactions"].as_u64().unwrap() >= revealed.div_ceil(3));
    for v in b["votes"].as_array().unwrap() {
        assert_eq!(v["verdict"], "Valid");
        assert_eq!(
            (v["checked"].as_u64(), v["matched"].as_u64()),
            (Some(revealed), Some(revealed))
        );
    }
    assert_eq!(b["votes"].as_array().unwrap().len(), 2);

    // Reward 6 885 376 base units (1 per work unit): commission
    // ⌊6 885 376 · 5 %⌋ = 344 268; 6 541 108 over 2 000 EFUEL of shares
    // (1 500 : 300 : 200) at ⌊6 541 108 · 10¹⁸ / (2 000 · 10⁹)⌋ =
    // 3 270 554 · 10⁶ per 10¹⁸ shares: 4 905 831, 981 166, 654 110; 1 unit of
    // dust is never minted.
    assert_eq!(h["reward"], total);
    assert_eq!(h["commission"], 344_268);
    assert_eq!(h["to_pool"], 6_541_108);
    assert_eq!(h["dust"], 1);
    let earned: Vec<(String, u64)> = h["earnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["claimed"], e["expected"]);
            (
                e["party"].as_str().unwrap().to_string(),
                e["claimed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        earned,
        vec![
            ("operator".to_string(), 344_268 + 4_905_831),
            ("alice".to_string(), 981_166),
            ("bob".to_string(), 654_110),
        ]
    );

    // Fraud batch: 8 jobs, none run: the first revealed leaf is caught.
    let f = &s["fraud"];
    let b = &f["batch"];
    assert_eq!(b["leaf_count"], 8);
    assert_eq!(b["status"], "Rejected");
    let revealed = b["revealed_leaves"].as_array().unwrap();
    assert_eq!(f["caught_leaf"], revealed[0]);
    for v in b["votes"].as_array().unwrap() {
        assert_eq!(v["verdict"], "Invalid");
        assert_eq!(v["leaf_index"], revealed[0]);
        assert_eq!(
            (v["checked"].as_u64(), v["matched"].as_u64()),
            (Some(revealed.len() as u64), Some(0))
        );
    }
    // 10 % of the 2 000 EFUEL pool; 10 % of that shared by the 2 voters.
    assert_eq!(f["pool_before"], 2_000 * EFUEL);
    assert_eq!(f["slashed"], 200 * EFUEL);
    assert_eq!(f["pool_after"], 1_800 * EFUEL);
    let stakes: Vec<(u64, u64, u64)> = f["stakes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["before"].as_u64().unwrap(),
                s["after"].as_u64().unwrap(),
                s["lost"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stakes,
        vec![
            (1_500 * EFUEL, 1_350 * EFUEL, 150 * EFUEL),
            (300 * EFUEL, 270 * EFUEL, 30 * EFUEL),
            (200 * EFUEL, 180 * EFUEL, 20 * EFUEL),
        ]
    );
    assert_eq!(f["bounty_per_verifier"], 10 * EFUEL);
    assert_eq!(
        f["verifier_received"],
        serde_json::json!([10 * EFUEL, 10 * EFUEL])
    );
    assert_eq!(f["treasury_received"], 180 * EFUEL);
    assert_eq!(f["node_status"], "Jailed");
    assert_eq!(f["resubmit_refused_with"], "NodeJailed");
}

#[test]
fn bad_flags_are_refused_with_a_clear_message() {
    let out = demo(&["--jobs", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--jobs"),
        "{}",
        text(&out.stderr)
    );

    let out = demo(&["--output", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("json"), "{}", text(&out.stderr));

    let out = demo(&["--keys", "/tmp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--url"), "{}", text(&out.stderr));

    let out = demo(&["--url", "ftp://example"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("invalid RPC URL"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unreachable_chain_is_named_in_the_error() {
    // Port 1 (tcpmux): nothing listens there, and no test chain can get it.
    let url = "http://127.0.0.1:1".to_string();
    let keys = std::env::temp_dir();
    let out = demo(&["--url", &url, "--keys", keys.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(&url), "{err}");
    assert!(err.contains("is the chain up"), "{err}");
}

/// A local chain run by the demo binary's child mode (what the demo starts
/// itself), standing in for an `edgefuel-localnet` already running; it stops
/// when dropped (its stdin closes).
struct RunningChain {
    _child: std::process::Child,
    url: String,
    dir: std::path::PathBuf,
}

impl RunningChain {
    fn start() -> RunningChain {
        use std::io::{BufRead, BufReader};
        let dir = std::env::temp_dir().join(format!("edgefuel-demo-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut child = Command::new(env!("CARGO_BIN_EXE_edgefuel-demo"))
            .args(["__localnet-child", "--port", &port.to_string()])
            .args(["--ws-port", "0", "--keys-dir"])
            .arg(dir.join("keys"))
            .env("TMPDIR", dir.join("tmp"))
            .env("RUST_LOG", "error")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Drained to the end: the chain echoes program logs to stdout.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.starts_with("Ready") {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(std::time::Duration::from_secs(120))
            .expect("the chain printed its ready line");
        RunningChain {
            _child: child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        }
    }
}

impl Drop for RunningChain {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn the_demo_runs_twice_against_a_running_chain() {
    let chain = RunningChain::start();
    let keys = chain.dir.join("keys");
    let mut operators = Vec::new();
    for _ in 0..2 {
        let out = demo(&[
            "--url",
            &chain.url,
            "--keys",
            keys.to_str().unwrap(),
            "--jobs",
            "3",
            "--size",
            "small",
            "--output",
            "json",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let s: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(s["chain"], "external");
        assert_eq!(s["url"], chain.url.as_str());
        // 3 jobs: 8 points each; the lazy batch has 3 leaves.
        assert_eq!(s["honest"]["batch"]["sample"].as_array().unwrap().len(), 8);
        assert_eq!(s["fraud"]["batch"]["leaf_count"], 3);
        assert!(s["fraud"]["caught_leaf"].as_u64().unwrap() < 3);
        assert_eq!(s["fraud"]["slashed"], 200 * EFUEL);
        assert_eq!(s["fraud"]["treasury_received"], 180 * EFUEL);
        operators.push(s["parties"]["operator"].as_str().unwrap().to_string());
    }
    assert_ne!(operators[0], operators[1], "each run registers a new node");
}

#[test]
fn work_above_the_exposure_cap_is_refused_before_it_runs() {
    // 200 large jobs ≈ 227 EFUEL of reward; 5 % of a 2 000 EFUEL pool is 100.
    let out = demo(&["--size", "large", "--jobs", "200"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("exposure cap of 100.000000000 EFUEL"), "{err}");
    assert!(!text(&out.stdout).contains("ran 200"), "jobs ran anyway");
}
