//! End to end: the `edgefuel` binary against `edgefuel-localnet` over the
//! standard Solana JSON-RPC. Each test starts its own chain on free ports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

/// The local chain's default bootstrap funds operator.json and staker.json
/// with 100 000 EFUEL each and sets min_node_stake = 1 000 EFUEL.
#[test]
fn operator_registers_and_self_stakes_staker_delegates_balances_exact() {
    let net = Localnet::start("story", &[]);
    let operator_key = net.key("operator.json");
    let staker_key = net.key("staker.json");
    let operator = net.address(&operator_key);
    let staker = net.address(&staker_key);

    // The network's params as JSON.
    let network = net.json(&staker_key, &["network", "show"]);
    assert_eq!(network["params"]["min_node_stake"], 1_000 * EFUEL);
    assert_eq!(network["verifiers"].as_array().unwrap().len(), 3);
    assert_eq!(network["verifier_threshold"], 2);
    assert_eq!(network["paused"]["minting"], false);
    let verifiers = net.json(&staker_key, &["verifier", "list"]);
    assert_eq!(verifiers["verifiers"], network["verifiers"]);

    // Operator registers and self-stakes 1 500.5 EFUEL in one transaction.
    let reg = net.register_node(&operator_key, "1500.5");
    let sig = reg["signature"].as_str().unwrap();
    let port = net.url.rsplit(':').next().unwrap();
    assert_eq!(
        reg["explorer"],
        format!(
            "https://explorer.solana.com/tx/{sig}?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A{port}"
        )
    );

    // Staker delegates 12.345678901 EFUEL.
    let amount = 12_345_678_901u64;
    let del = net.json(
        &staker_key,
        &["stake", "delegate", &operator, "12.345678901"],
    );
    assert_eq!(del["amount"], amount);
    // Its event, decoded from the landed transaction.
    let sig = del["signature"].as_str().unwrap();
    let events = net.json(&staker_key, &["tx", "events", sig]);
    assert_eq!(events["signature"], sig);
    assert_eq!(events["events"].as_array().unwrap().len(), 1, "{events}");
    let e = &events["events"][0];
    assert_eq!(e["name"], "Delegated");
    assert_eq!(e["data"]["staker"], staker);
    assert_eq!(e["data"]["amount"], amount);
    assert_eq!(e["data"]["shares"], amount);
    assert_eq!(e["data"]["pool_tokens_before"], 1_500_500_000_000u64);
    assert_eq!(
        e["data"]["pool_tokens_after"],
        1_500_500_000_000u64 + amount
    );

    // Balances read back exactly.
    let node = net.json(&staker_key, &["node", "show", &operator]);
    assert_eq!(node["operator"], operator);
    assert_eq!(node["status"], "Active");
    assert_eq!(node["commission_bps"], 500);
    assert_eq!(node["operator_stake"], 1_500_500_000_000u64);
    assert_eq!(node["bonded_tokens"], 1_500_500_000_000u64 + amount);
    assert_eq!(node["eligible"], true);
    assert_eq!(node["delegation_count"], 2);

    let stake = net.json(&staker_key, &["stake", "show"]);
    assert_eq!(stake["staker"], staker);
    assert_eq!(stake["wallet_balance"], 100_000 * EFUEL - amount);
    assert_eq!(stake["total_bonded"], amount);
    let d = &stake["delegations"][0];
    assert_eq!(d["bonded_tokens"], amount);
    assert_eq!(d["bonded_shares"], amount);
    assert_eq!(d["operator"], operator);

    let bal = net.json(&operator_key, &["balance"]);
    assert_eq!(bal["efuel"], 100_000 * EFUEL - 1_500_500_000_000u64);

    let list = net.json(&staker_key, &["node", "list"]);
    assert_eq!(list["nodes"].as_array().unwrap().len(), 1);
    let total = net.json(&staker_key, &["network", "show"]);
    assert_eq!(total["node_count"], 1);
    assert_eq!(total["total_bonded"], 1_500_500_000_000u64 + amount);

    // Transfer between wallets, exact.
    let t = net.json(&staker_key, &["transfer", &operator, "0.000000001"]);
    assert_eq!(t["amount"], 1);
    let bal = net.json(&operator_key, &["balance"]);
    assert_eq!(bal["efuel"], 100_000 * EFUEL - 1_500_500_000_000u64 + 1);

    // Undelegate everything, then an early withdraw is refused by the
    // program: the CLI names the error and prints the logs.
    let und = net.json(&staker_key, &["stake", "undelegate", &operator, "--all"]);
    assert_eq!(und["shares"], amount);
    let out = net.cli_as(&staker_key, &["stake", "withdraw", &operator]);
    fails_with(&out, "StillUnbonding");
    fails_with(&out, "stake withdraw failed");
    let stake = net.json(&staker_key, &["stake", "show"]);
    assert_eq!(stake["delegations"][0]["unbonding_tokens"], amount);
    assert_eq!(stake["total_bonded"], 0);

    // Nothing to claim yet: refused with the program's message.
    let out = net.cli_as(&staker_key, &["rewards", "claim", &operator]);
    fails_with(&out, "NothingToClaim");
    let rewards = net.json(&staker_key, &["rewards", "show"]);
    assert_eq!(rewards["total_claimable"], 0);

    // Delegating more than the wallet holds: a clear message, nothing sent.
    let out = net.cli_as(&staker_key, &["stake", "delegate", &operator, "1000000"]);
    fails_with(&out, "holds");

    // The human-readable form works too.
    let out = net.cli(&["network", "show"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("min_node_stake"));
}

/// A bare chain: fund a payer with `airdrop`, then `network init` from a
/// bootstrap file plus flags.
#[test]
fn network_init_from_a_bootstrap_file_on_a_bare_chain() {
    // The payer is the program's upgrade authority on this chain (as the key
    // that deployed it would be on a cluster): only it may initialize.
    let kp = solana_keypair::Keypair::new();
    let authority = {
        use solana_signer::Signer;
        kp.pubkey().to_string()
    };
    let net = Localnet::start(
        "init",
        &["--no-bootstrap", "--upgrade-authority", &authority],
    );
    let payer = net.dir.join("payer.json");
    solana_keypair::write_keypair_file(&kp, &payer).unwrap();

    let out = net.cli(&["network", "show"]);
    fails_with(&out, "cannot read the EdgeFuel network");

    let air = net.json(&payer, &["airdrop", "10"]);
    assert_eq!(air["lamports"], 10 * EFUEL);

    // Any other key is refused before anything is sent.
    let other = net.dir.join("other.json");
    solana_keypair::write_keypair_file(&solana_keypair::Keypair::new(), &other).unwrap();
    net.json(&other, &["airdrop", "1"]);
    let out = net.cli_as(&other, &["network", "init"]);
    fails_with(&out, "only the program's upgrade authority");

    let v: Vec<String> = (0..3)
        .map(|_| {
            use solana_signer::Signer;
            solana_keypair::Keypair::new().pubkey().to_string()
        })
        .collect();
    let file = net.dir.join("network.toml");
    std::fs::write(
        &file,
        format!(
            "[network]\nverifiers = [\"{}\", \"{}\", \"{}\"]\ngenesis_supply = \"1000.5\"\n\n\
             [params]\nunbonding_seconds = 1200\n",
            v[0], v[1], v[2]
        ),
    )
    .unwrap();
    let init = net.json(
        &payer,
        &[
            "network",
            "init",
            "--bootstrap",
            file.to_str().unwrap(),
            "--param",
            "min_node_stake=5000000000",
            // Every operator must be able to propose: ≤ min_node_stake.
            "--param",
            "min_proposal_stake=5000000000",
        ],
    );
    assert_eq!(init["genesis_supply"], 1_000_500_000_000u64);

    let network = net.json(&payer, &["network", "show"]);
    assert_eq!(network["params"]["unbonding_seconds"], 1200);
    assert_eq!(network["params"]["min_node_stake"], 5 * EFUEL);
    assert_eq!(network["params"]["voting_seconds"], 3 * 86_400);
    assert_eq!(network["verifiers"].as_array().unwrap().len(), 3);
    assert_eq!(network["verifier_threshold"], 2);
    let bal = net.json(&payer, &["balance"]);
    assert_eq!(bal["efuel"], 1_000_500_000_000u64);

    // A second init is refused before anything is sent.
    let out = net.cli_as(
        &payer,
        &["network", "init", "--bootstrap", file.to_str().unwrap()],
    );
    fails_with(&out, "already initialized");

    // A misspelt parameter is refused, naming it.
    let out = net.cli_as(
        &payer,
        &[
            "network",
            "init",
            "--bootstrap",
            file.to_str().unwrap(),
            "--param",
            "unbonding_secs=5",
        ],
    );
    fails_with(&out, "unbonding_secs");
}

/// Refusals that need no chain: each prints a clear message and exits non-zero.
#[test]
fn bad_input_gives_a_clear_message_and_a_nonzero_exit() {
    let home = std::env::temp_dir().join(format!("edgefuel-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let someone = "11111111111111111111111111111111";

    // Missing keypair.
    let out = run_cli(
        &home,
        &["-u", "localhost", "-k", "/nonexistent/id.json"],
        &["stake", "delegate", someone, "1"],
    );
    fails_with(&out, "cannot read keypair file /nonexistent/id.json");
    // No -k and no ~/.config/solana/id.json: the default path is named.
    let out = run_cli(&home, &["-u", "localhost"], &["address"]);
    fails_with(&out, ".config/solana/id.json");

    // Bad URL (not a moniker, not http(s)).
    let out = run_cli(&home, &["-u", "localhostt"], &["network", "show"]);
    fails_with(&out, "invalid RPC URL `localhostt`");
    // Unreachable URL: retried, then reported with the URL.
    let out = run_cli(&home, &["-u", "http://127.0.0.1:9"], &["network", "show"]);
    fails_with(&out, "RPC request to http://127.0.0.1:9 failed");

    // Bad amounts.
    for (amount, needle) in [
        ("12.5.1", "not an EFUEL amount"),
        ("-1", "not an EFUEL amount"),
        ("1e9", "not an EFUEL amount"),
        ("0.0000000001", "more than 9 decimal places"),
        ("99999999999", "too large"),
    ] {
        let out = run_cli(
            &home,
            &["-u", "localhost"],
            &["stake", "delegate", someone, amount],
        );
        fails_with(&out, needle);
    }
    // Zero is refused before anything is sent.
    let kp = home.join("id.json");
    solana_keypair::write_keypair_file(&solana_keypair::Keypair::new(), &kp).unwrap();
    let out = run_cli(
        &home,
        &["-u", "http://127.0.0.1:9", "-k", kp.to_str().unwrap()],
        &["stake", "delegate", someone, "0"],
    );
    fails_with(&out, "greater than zero");
    // keygen writes a key once and refuses to overwrite it.
    let new_key = home.join("keys/new.json");
    let out = run_cli(
        &home,
        &["--output", "json"],
        &["keygen", "-o", new_key.to_str().unwrap()],
    );
    let v = ok_json(&out, &["keygen"]);
    let written = solana_keypair::read_keypair_file(&new_key).unwrap();
    assert_eq!(
        v["address"],
        solana_signer::Signer::pubkey(&written).to_string()
    );
    let out = run_cli(&home, &[], &["keygen", "-o", new_key.to_str().unwrap()]);
    fails_with(&out, "already exists");

    // Bad address.
    let out = run_cli(&home, &["-u", "localhost"], &["node", "show", "not-a-key"]);
    fails_with(&out, "not a base58 address");

    // The Solana CLI config supplies the URL and keypair when flags are absent.
    let cfg_dir = home.join(".config/solana/cli");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    std::fs::write(
        cfg_dir.join("config.yml"),
        format!(
            "---\njson_rpc_url: \"http://127.0.0.1:9\"\nkeypair_path: {}\ncommitment: confirmed\n",
            kp.display()
        ),
    )
    .unwrap();
    let out = run_cli(&home, &[], &["--output", "json", "address"]);
    let v = ok_json(&out, &["address"]);
    use solana_signer::Signer;
    let expected = solana_keypair::read_keypair_file(&kp).unwrap().pubkey();
    assert_eq!(v["address"], expected.to_string());
    let out = run_cli(&home, &[], &["network", "show"]);
    fails_with(&out, "http://127.0.0.1:9");
    std::fs::remove_dir_all(&home).unwrap();
}

/// Governance: the local chain's bootstrap votes for 20 s with a 5 s
/// timelock, so a proposal runs its course in about half a minute.
#[test]
fn a_proposal_runs_its_course() {
    let net = Localnet::start("gov", &[]);
    let operator_key = net.key("operator.json");
    let staker_key = net.key("staker.json");
    let operator = net.address(&operator_key);
    net.register_node(&operator_key, "1500");
    net.json(&staker_key, &["stake", "delegate", &operator, "1000"]);
    // Stake votes only on proposals opened strictly after it was added
    // (unix seconds): let the chain's clock move past this second.
    std::thread::sleep(std::time::Duration::from_millis(2_100));

    let p = net.json(
        &staker_key,
        &[
            "gov",
            "propose",
            "--operator",
            &operator,
            "--description",
            "https://forum.example/threshold-3",
            "set-threshold",
            "3",
        ],
    );
    assert_eq!(p["id"], 0);
    let v = net.json(&staker_key, &["gov", "vote", "0", "yes"]);
    assert_eq!(v["yes"], 1_000 * EFUEL);
    let v = net.json(&operator_key, &["gov", "vote", "0", "no"]);
    assert_eq!(v["no"], 1_500 * EFUEL);
    let shown = net.json(&staker_key, &["gov", "show", "0"]);
    assert_eq!(shown["status"], "Voting");
    assert_eq!(shown["votes"].as_array().unwrap().len(), 2);
    assert_eq!(shown["action"]["SetVerifierThreshold"], 3);

    // A second proposal that passes: the operator switches sides on it.
    let p = net.json(
        &staker_key,
        &[
            "gov",
            "propose",
            "--operator",
            &operator,
            "--description",
            "https://forum.example/commission-30",
            "update-params",
            "--param",
            "max_commission_bps=3000",
        ],
    );
    assert_eq!(p["id"], 1);
    net.json(&staker_key, &["gov", "vote", "1", "yes"]);
    net.json(&operator_key, &["gov", "vote", "1", "yes"]);

    // Finalizing early is refused; retry until the vote has ended.
    let staker = staker_key.to_str().unwrap();
    let until_ok = |args: &[&str]| -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
        loop {
            let mut full = vec!["-k", staker, "--output", "json"];
            full.extend_from_slice(args);
            let out = net.cli(&full);
            if out.status.success() {
                return serde_json::from_slice(&out.stdout).unwrap();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{args:?} never succeeded: {}",
                stderr(&out)
            );
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    };
    assert_eq!(until_ok(&["gov", "finalize", "0"])["status"], "Defeated");
    assert_eq!(until_ok(&["gov", "finalize", "1"])["status"], "Passed");
    assert_eq!(until_ok(&["gov", "execute", "1"])["status"], "Executed");

    let network = net.json(&staker_key, &["network", "show"]);
    assert_eq!(network["params"]["max_commission_bps"], 3_000);
    assert_eq!(network["verifier_threshold"], 2);
    assert_eq!(network["proposal_count"], 2);
    let list = net.json(&staker_key, &["gov", "list"]);
    let statuses: Vec<&str> = list["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["Defeated", "Executed"]);
}
