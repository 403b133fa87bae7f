//! `edgefuel-bootstrap` (migrations/) against a bare local chain: dry run,
//! initialization, an idempotent rerun and a refused mismatch. It lives here
//! because these tests already know how to run the local chain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::process::Command;

#[test]
fn bootstrap_initializes_once_then_verifies() {
    let bin = workspace_binary(
        "edgefuel-migrations",
        "edgefuel-bootstrap",
        &["migrations", "app/client", "programs/edgefuel"],
    );
    // The payer deployed the program: it is the upgrade authority.
    let payer_kp = solana_keypair::Keypair::new();
    let authority = {
        use solana_signer::Signer;
        payer_kp.pubkey().to_string()
    };
    let net = Localnet::start(
        "bootstrap",
        &["--no-bootstrap", "--upgrade-authority", &authority],
    );
    let keys = net.dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    solana_keypair::write_keypair_file(&payer_kp, keys.join("payer.json")).unwrap();
    for name in ["guardian", "v1", "v2", "v3"] {
        solana_keypair::write_keypair_file(
            &solana_keypair::Keypair::new(),
            keys.join(format!("{name}.json")),
        )
        .unwrap();
    }
    let payer = keys.join("payer.json");
    net.json(&payer, &["airdrop", "2"]);
    let file = net.dir.join("network.toml");
    let write = |voting: u32| {
        std::fs::write(
            &file,
            format!(
                "keys_dir = \"keys\"\n[network]\nguardian = \"guardian.json\"\n\
                 verifiers = [\"v1.json\", \"v2.json\", \"v3.json\"]\ngenesis_supply = 1000\n\
                 [params]\nvoting_seconds = {voting}\n"
            ),
        )
        .unwrap();
    };
    write(600);
    let run = |extra: &[&str]| {
        let out = Command::new(&bin)
            .args(["-u", &net.url, "-k", payer.to_str().unwrap(), "--bootstrap"])
            .arg(&file)
            .args(extra)
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        eprintln!("edgefuel-bootstrap {extra:?} -> {:?}", out.status.code());
        out
    };

    let out = run(&["--dry-run"]);
    let v = ok_json(&out, &["--dry-run"]);
    assert_eq!(v["status"], "simulated");
    // Nothing was sent.
    fails_with(
        &net.cli(&["network", "show"]),
        "cannot read the EdgeFuel network",
    );

    let v = ok_json(&run(&[]), &[]);
    assert_eq!(v["status"], "initialized");
    assert_eq!(v["genesis_supply"], 1_000 * EFUEL);
    let network = net.json(&payer, &["network", "show"]);
    assert_eq!(network["params"]["voting_seconds"], 600);
    assert_eq!(network["verifier_threshold"], 2);
    let guardian = net.address(&keys.join("guardian.json"));
    assert_eq!(network["guardian"], guardian);

    let v = ok_json(&run(&[]), &[]);
    assert_eq!(v["status"], "already-initialized");

    write(601);
    fails_with(&run(&[]), "params.voting_seconds: on chain 600, file 601");
}
