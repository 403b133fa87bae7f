//! `edgefuel-bootstrap` refuses bad input before touching the network. (Its
//! run against a local chain is in `app/cli/tests/bootstrap.rs`; this file
//! also makes `cargo test --workspace` build the binary that test uses.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_edgefuel-bootstrap"))
        .args(args)
        .output()
        .expect("edgefuel-bootstrap runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn refuses_a_bad_url_a_missing_keypair_and_a_missing_file() {
    let dir = std::env::temp_dir().join(format!("edgefuel-bootstrap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kp = dir.join("payer.json");
    solana_keypair::write_keypair_file(&solana_keypair::Keypair::new(), &kp).unwrap();
    let kp = kp.to_str().unwrap();
    let file = dir.join("network.toml");
    std::fs::write(
        &file,
        "[network]\nverifiers = [\"11111111111111111111111111111112\"]\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let (ok, err) = run(&["-u", "devnett", "-k", kp, "--bootstrap", file]);
    assert!(!ok && err.contains("invalid RPC URL `devnett`"), "{err}");

    let (ok, err) = run(&[
        "-u",
        "localhost",
        "-k",
        "/nonexistent/payer.json",
        "--bootstrap",
        file,
    ]);
    assert!(
        !ok && err.contains("cannot read keypair file /nonexistent/payer.json"),
        "{err}"
    );

    let (ok, err) = run(&[
        "-u",
        "localhost",
        "-k",
        kp,
        "--bootstrap",
        "/nonexistent/net.toml",
    ]);
    assert!(!ok && err.contains("/nonexistent/net.toml"), "{err}");

    std::fs::write(
        file,
        "[params]\nsample_bps = 0\n[network]\nverifiers = [\"11111111111111111111111111111112\"]\n",
    )
    .unwrap();
    let (ok, err) = run(&["-u", "http://127.0.0.1:9", "-k", kp, "--bootstrap", file]);
    assert!(!ok && err.contains("InvalidParams"), "{err}");

    std::fs::remove_dir_all(&dir).unwrap();
}
