//! The daemons as processes against a local chain: `edgefuel-node run` and
//! `edgefuel-verifier run` (through the demo binary's `__node` /
//! `__verifier` modes, the same library entry points as the binaries).
//!
//! - an agent killed with SIGKILL in every batch state resumes from its
//!   journal: no seq skipped or doubled, no receipt lost, every batch paid;
//! - the chain frozen for 10 s: agent and verifiers carry on;
//! - a verifier killed and restarted mid-batch never votes twice;
//! - bad settings, a missing keypair, an unreachable RPC: a clear message,
//!   exit 1, nothing written;
//! - the network demo in a short configuration, its JSON checked.
//!
//! The chain tests share the machine's two cores with everything else, so
//! they run one at a time.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Each test owns its runtime; the guard only keeps chain tests apart.
#![allow(clippy::await_holding_lock)]
use edgefuel_client::amount::EFUEL;
use edgefuel_client::anchor_lang::solana_program::system_instruction;
use edgefuel_client::edgefuel::{Batch, BatchStatus, NodeMetadata, Verdict};
use edgefuel_client::{ix, pda, CommitmentConfig, EdgeFuelClient, Pubkey};
use serde_json::Value;
use solana_keypair::{read_keypair_file, write_keypair_file, Keypair};
use solana_signer::Signer;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_edgefuel-demo");
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edgefuel-daemons-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A local chain (the demo binary's child mode) on free ports, RPC and
/// websocket next to each other.
struct Chain {
    child: Child,
    _stdin: Option<ChildStdin>,
    url: String,
    keys: PathBuf,
    dir: PathBuf,
}

impl Chain {
    fn start(dir: &Path) -> Chain {
        let port = loop {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let p = l.local_addr().unwrap().port();
            if std::net::TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
                break p;
            }
        };
        let keys = dir.join("keys");
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        let mut child = Command::new(BIN)
            .args([
                "__localnet-child",
                "--port",
                &port.to_string(),
                "--keys-dir",
            ])
            .arg(&keys)
            .env("TMPDIR", dir.join("tmp"))
            .env("RUST_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.starts_with("Ready") {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(120))
            .expect("the chain is ready");
        Chain {
            child,
            _stdin: stdin,
            url: format!("http://127.0.0.1:{port}"),
            keys,
            dir: dir.to_path_buf(),
        }
    }

    fn client(&self) -> EdgeFuelClient {
        EdgeFuelClient::new(self.url.clone(), CommitmentConfig::confirmed())
    }

    fn signal(&self, sig: rustix::process::Signal) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, sig).unwrap();
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        self.signal(rustix::process::Signal::CONT);
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A daemon process; killed when dropped.
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    fn spawn(mode: &str, config: &Path, log: &Path, env: &[(&str, &str)]) -> Daemon {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Command::new(BIN)
            .args([mode, "run", "--config"])
            .arg(config)
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .env("XDG_RUNTIME_DIR", std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file))
            .spawn()
            .unwrap();
        Daemon {
            child,
            log: log.to_path_buf(),
        }
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL: no chance to clean up.
    fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then wait for the graceful exit.
    fn stop(&mut self) -> std::process::ExitStatus {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not stop on SIGTERM",
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The `http://…` address the daemon printed (its last start).
    fn http(&self) -> String {
        let text = self.log_text();
        let line = text
            .lines()
            .rev()
            .find_map(|l| l.split("http://").nth(1))
            .expect("the daemon printed its address");
        let addr = line.split('/').next().unwrap();
        format!("http://{addr}")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.alive() {
            self.kill9();
        }
    }
}

/// Registers a node with 1 500 EFUEL of self-stake and a fresh agent key,
/// and writes its settings into `dir/node.toml`.
async fn new_node(chain: &Chain, dir: &Path, jobs: u32, interval: f64) -> (Keypair, PathBuf) {
    let client = chain.client();
    let funder = read_keypair_file(chain.keys.join("genesis-owner.json")).unwrap();
    let op = Keypair::new();
    let agent = Keypair::new();
    std::fs::create_dir_all(dir).unwrap();
    write_keypair_file(&agent, dir.join("agent.json")).unwrap();
    let (f, o) = (funder.pubkey(), op.pubkey());
    client
        .send(
            &[
                system_instruction::transfer(&f, &o, 2_000_000_000),
                ix::create_efuel_ata(&f, &o),
                ix::transfer_efuel(&f, &o, 1_500 * EFUEL).unwrap(),
            ],
            &[&funder],
        )
        .await
        .unwrap();
    let metadata = NodeMetadata {
        endpoint: "http://127.0.0.1:9464".into(),
        gpu_model: "lavapipe".into(),
        vram_mib: 1_024,
        region: "local".into(),
        commission_bps: 500,
    };
    client
        .send(
            &[
                ix::register_node(&o, metadata),
                ix::delegate(
                    &o,
                    &pda::node(&o),
                    1_500 * EFUEL,
                    client.stake_epochs(&pda::node(&o), &o).await.unwrap(),
                ),
                ix::set_agent_key(&o, agent.pubkey()),
            ],
            &[&op],
        )
        .await
        .unwrap();
    client
        .airdrop(&agent.pubkey(), 100_000_000_000)
        .await
        .unwrap();
    let file = dir.join("node.toml");
    std::fs::write(
        &file,
        format!(
            "rpc_url = \"{}\"\noperator = \"{o}\"\nagent_keypair = \"agent.json\"\ndata_dir = \"data\"\n\
             backend = \"cpu\"\n[batch]\njobs = {jobs}\ninterval_secs = {interval:?}\njob_size = \"small\"\n\
             [http]\nlisten = \"127.0.0.1:0\"\n",
            chain.url
        ),
    )
    .unwrap();
    (op, file)
}

fn verifier_config(chain: &Chain, i: u32, dir: &Path) -> PathBuf {
    let file = dir.join(format!("verifier-{i}.toml"));
    std::fs::write(
        &file,
        format!(
            "rpc_url = \"{}\"\nkeypair = \"{}\"\nbackend = \"cpu\"\npoll_interval_secs = 0.5\n[http]\nlisten = \"127.0.0.1:0\"\n",
            chain.url,
            chain.keys.join(format!("verifier-{i}.json")).display()
        ),
    )
    .unwrap();
    file
}

/// (seq, state, outcome, leaf_count) of every journaled batch, and the
/// number of receipts.
/// A journaled batch: seq, state, outcome, leaf count.
type Row = (u64, String, Option<String>, u64);

fn journal(dir: &Path) -> (Vec<Row>, u64) {
    let path = dir.join("data/journal.sqlite");
    if !path.exists() {
        return (Vec::new(), 0);
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let Ok(mut stmt) =
        conn.prepare("SELECT seq, state, outcome, leaf_count FROM batches ORDER BY seq")
    else {
        return (Vec::new(), 0);
    };
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, i64>(3)? as u64,
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    // The journal may be creating its tables right now.
    let receipts: i64 = conn
        .query_row("SELECT COUNT(*) FROM receipts", [], |r| r.get(0))
        .unwrap_or(0);
    (rows, receipts as u64)
}

async fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_killed_in_every_batch_state_resumes_from_its_journal() {
    let _one = serial();
    let dir = scratch("kill9");
    let chain = Chain::start(&dir.join("chain"));
    let node_dir = dir.join("node");
    let (op, config) = new_node(&chain, &node_dir, 8, 0.5).await;
    let _v1 = Daemon::spawn(
        "__verifier",
        &verifier_config(&chain, 1, &dir),
        &dir.join("v1.log"),
        &[],
    );
    let _v2 = Daemon::spawn(
        "__verifier",
        &verifier_config(&chain, 2, &dir),
        &dir.join("v2.log"),
        &[],
    );
    let log = dir.join("agent.log");
    for target in ["built", "submitted", "sealed", "revealed"] {
        let mut agent = Daemon::spawn("__node", &config, &log, &[]);
        wait_for(
            &format!("a batch in state {target}"),
            Duration::from_secs(90),
            || {
                journal(&node_dir)
                    .0
                    .last()
                    .is_some_and(|(_, state, _, _)| state == target)
            },
        )
        .await;
        agent.kill9();
    }
    // The last run builds nothing new: it finishes what the journal holds.
    let mut agent = Daemon::spawn(
        "__node",
        &config,
        &log,
        &[("EDGEFUEL_NODE_BATCH__INTERVAL_SECS", "100000.0")],
    );
    wait_for(
        "every journaled batch final",
        Duration::from_secs(120),
        || {
            let (rows, _) = journal(&node_dir);
            !rows.is_empty() && rows.iter().all(|(_, s, _, _)| s == "final")
        },
    )
    .await;
    assert!(agent.stop().success(), "{}", agent.log_text());

    let (rows, receipts) = journal(&node_dir);
    let n = rows.len() as u64;
    let seqs: Vec<u64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        seqs,
        (1..=n).collect::<Vec<_>>(),
        "no seq skipped or doubled"
    );
    for (seq, _, outcome, leaves) in &rows {
        assert_eq!(outcome.as_deref(), Some("Accepted"), "batch {seq}");
        assert_eq!(*leaves, 8);
    }
    assert_eq!(receipts, 8 * n, "every receipt journaled once");
    let node = chain.client().node(&op.pubkey()).await.unwrap();
    assert_eq!(
        node.last_batch_seq, n,
        "the chain saw exactly the journal's seqs"
    );
    assert_eq!(node.batches_submitted, n);
    assert_eq!(node.batches_accepted, n);
    assert_eq!(
        (
            node.batches_missed,
            node.batches_rejected,
            node.total_slashed
        ),
        (0, 0, 0)
    );
    assert!(node.total_rewards > 0);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("another agent"), "{text}");
    drop(chain);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn agent_and_verifiers_recover_from_a_chain_frozen_for_ten_seconds() {
    let _one = serial();
    let dir = scratch("freeze");
    let chain = Chain::start(&dir.join("chain"));
    let node_dir = dir.join("node");
    let (op, config) = new_node(&chain, &node_dir, 8, 1.0).await;
    let mut v1 = Daemon::spawn(
        "__verifier",
        &verifier_config(&chain, 1, &dir),
        &dir.join("v1.log"),
        &[],
    );
    let mut v2 = Daemon::spawn(
        "__verifier",
        &verifier_config(&chain, 2, &dir),
        &dir.join("v2.log"),
        &[],
    );
    let mut agent = Daemon::spawn("__node", &config, &dir.join("agent.log"), &[]);
    let accepted = |node_dir: &Path| {
        journal(node_dir)
            .0
            .iter()
            .filter(|r| r.2.as_deref() == Some("Accepted"))
            .map(|r| r.0)
            .max()
            .unwrap_or(0)
    };
    wait_for("a first accepted batch", Duration::from_secs(90), || {
        accepted(&node_dir) > 0
    })
    .await;
    chain.signal(rustix::process::Signal::STOP);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let frozen_at = journal(&node_dir).0.last().map(|r| r.0).unwrap_or(0);
    chain.signal(rustix::process::Signal::CONT);
    wait_for(
        "a batch accepted after the freeze",
        Duration::from_secs(120),
        || accepted(&node_dir) > frozen_at,
    )
    .await;
    assert!(
        agent.alive() && v1.alive() && v2.alive(),
        "every daemon survived the freeze"
    );
    let health = reqwest::get(format!("{}/healthz", agent.http()))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let node = chain.client().node(&op.pubkey()).await.unwrap();
    assert_eq!(
        node.total_slashed, 0,
        "the freeze cost the honest node nothing"
    );
    assert!(agent.stop().success());
    assert!(v1.stop().success() && v2.stop().success());
    drop(chain);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_verifier_restarted_mid_batch_never_votes_twice() {
    let _one = serial();
    let dir = scratch("revote");
    let chain = Chain::start(&dir.join("chain"));
    let client = chain.client();
    let node_dir = dir.join("node");
    let (op, config) = new_node(&chain, &node_dir, 8, 1.0).await;
    let v1_key = read_keypair_file(chain.keys.join("verifier-1.json"))
        .unwrap()
        .pubkey();
    let v1_config = verifier_config(&chain, 1, &dir);
    let mut v1 = Daemon::spawn("__verifier", &v1_config, &dir.join("v1.log"), &[]);
    let mut agent = Daemon::spawn("__node", &config, &dir.join("agent.log"), &[]);
    // Verifier 1 alone cannot reach the threshold of 2: batches wait, voted once.
    let mut voted: Vec<(Pubkey, Batch)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while voted.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "verifier 1 did not vote on two batches"
        );
        voted = client
            .batches_of(&op.pubkey())
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, b)| b.status == BatchStatus::Revealed && b.has_voted(&v1_key))
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(agent.stop().success());
    v1.kill9();
    let mut v1 = Daemon::spawn("__verifier", &v1_config, &dir.join("v1.log"), &[]);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let status = get_json(&format!("{}/status.json", v1.http())).await;
    assert_eq!(status["votes_valid"], 0, "{status}");
    assert_eq!(status["votes_invalid"], 0, "{status}");
    assert!(!v1.log_text().contains("AlreadyVoted"));
    // Verifier 2 completes the quorum; every batch holds one vote of each.
    let mut v2 = Daemon::spawn(
        "__verifier",
        &verifier_config(&chain, 2, &dir),
        &dir.join("v2.log"),
        &[],
    );
    let v2_key = read_keypair_file(chain.keys.join("verifier-2.json"))
        .unwrap()
        .pubkey();
    for (addr, _) in &voted {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let b: Batch = client.fetch(addr).await.unwrap();
            if b.status == BatchStatus::Accepted {
                let votes: Vec<(Pubkey, Verdict)> = b
                    .recorded_votes()
                    .iter()
                    .map(|v| (v.verifier, v.verdict))
                    .collect();
                assert_eq!(
                    votes,
                    vec![(v1_key, Verdict::Valid), (v2_key, Verdict::Valid)]
                );
                break;
            }
            assert!(Instant::now() < deadline, "batch {addr} is {:?}", b.status);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert!(v1.stop().success() && v2.stop().success());
    drop(chain);
    let _ = std::fs::remove_dir_all(&dir);
}

fn run_cmd(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn bad_settings_missing_keys_and_unreachable_rpc_are_refused_writing_nothing() {
    let dir = scratch("refusals");
    let op = Keypair::new().pubkey();
    let cfg = dir.join("node.toml");
    let path = cfg.to_str().unwrap();
    let data = dir.join("data");

    let (code, text) = run_cmd(&["__node", "run", "--config", path], &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("cannot read the settings file") && text.contains(path),
        "{text}"
    );

    std::fs::write(
        &cfg,
        "rpc_url = \"http://127.0.0.1:1\"\noperator = \"nope\"\nagent_keypair = \"agent.json\"\n",
    )
    .unwrap();
    let (code, text) = run_cmd(&["__node", "run", "--config", path], &[]);
    assert_eq!(code, 1);
    assert!(text.contains("`operator` is not a public key"), "{text}");

    std::fs::write(&cfg, format!("rpc_url = \"http://127.0.0.1:1\"\noperator = \"{op}\"\nagent_keypair = \"agent.json\"\n")).unwrap();
    let (code, text) = run_cmd(&["__node", "run", "--config", path], &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("keypair file")
            && text.contains("agent.json")
            && text.contains("does not exist"),
        "{text}"
    );

    write_keypair_file(&Keypair::new(), dir.join("agent.json")).unwrap();
    let (code, text) = run_cmd(&["__node", "run", "--config", path], &[]);
    assert_eq!(code, 1);
    assert!(text.contains("http://127.0.0.1:1"), "{text}");
    // An environment override is applied (and named) like the file.
    let (code, text) = run_cmd(
        &["__node", "run", "--config", path],
        &[("EDGEFUEL_NODE_BATCH__JOBS", "0")],
    );
    assert_eq!(code, 1);
    assert!(text.contains("`batch.jobs`"), "{text}");
    assert!(!data.exists(), "nothing was written");

    // The verifier refuses the same way.
    let vcfg = dir.join("verifier.toml");
    let vpath = vcfg.to_str().unwrap();
    std::fs::write(
        &vcfg,
        "rpc_url = \"http://127.0.0.1:1\"\nkeypair = \"missing.json\"\n",
    )
    .unwrap();
    let (code, text) = run_cmd(&["__verifier", "run", "--config", vpath], &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("missing.json") && text.contains("does not exist"),
        "{text}"
    );
    std::fs::write(
        &vcfg,
        "rpc_url = \"http://127.0.0.1:1\"\nkeypair = \"agent.json\"\n",
    )
    .unwrap();
    let (code, text) = run_cmd(&["__verifier", "run", "--config", vpath], &[]);
    assert_eq!(code, 1);
    assert!(text.contains("http://127.0.0.1:1"), "{text}");

    // init writes a commented config and a key, and never overwrites them.
    let init_dir = dir.join("init");
    let (code, text) = run_cmd(
        &[
            "__node",
            "init",
            "--dir",
            init_dir.to_str().unwrap(),
            "--operator",
            &op.to_string(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("node set-agent") && text.contains("edgefuel-node doctor"),
        "{text}"
    );
    assert!(init_dir.join("agent.json").exists());
    let written = std::fs::read_to_string(init_dir.join("node.toml")).unwrap();
    assert!(written.contains(&op.to_string()));
    let (code, text) = run_cmd(
        &[
            "__node",
            "init",
            "--dir",
            init_dir.to_str().unwrap(),
            "--operator",
            &op.to_string(),
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(text.contains("already exists"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_network_demo_slashes_the_cheaters_and_pays_everyone_exactly() {
    let _one = serial();
    let dir = scratch("demo");
    let out = Command::new(BIN)
        .args([
            "--duration",
            "40",
            "--batch-jobs",
            "32",
            "--interval",
            "2",
            "--verifier-backend",
            "cpu",
            "--json",
            "--out",
        ])
        .arg(&dir)
        .env("RUST_LOG", "error")
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    let story = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{story}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["ok"], true, "{story}");
    assert_eq!(r["checks"]["cheaters_slashed"], true);
    assert_eq!(r["checks"]["honest_never_slashed"], true);
    assert_eq!(r["checks"]["claims_match_chain"], true);
    let nodes = r["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 4);
    for n in nodes {
        let honest = n["role"] == "honest";
        assert_eq!(n["slashed"].as_u64().unwrap() == 0, honest, "{n}");
        if honest {
            assert!(n["rewards"].as_u64().unwrap() > 0, "{n}");
            assert!(n["batches_accepted"].as_u64().unwrap() >= 2, "{n}");
            assert_eq!(n["batches_missed"], 0, "{n}");
        } else {
            assert!(n["first_caught_seconds"].as_f64().is_some(), "{n}");
            assert_eq!(n["status"], "Jailed", "{n}");
        }
    }
    let claims = r["stakers"].as_array().unwrap();
    assert_eq!(claims.len(), 14, "4 operators and 10 stakers");
    for c in claims {
        assert_eq!(c["claimed"], c["expected"], "{c}");
    }
    assert!(claims.iter().any(|c| c["claimed"].as_u64().unwrap() > 0));
    assert_eq!(r["governance"]["status"], "Executed", "{story}");
    assert_eq!(r["verifiers"].as_array().unwrap().len(), 3);
    assert!(r["verifier_compute_fraction"].as_f64().unwrap() > 0.0);
    let svg = std::fs::read_to_string(dir.join("chart.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("faker"));
    assert!(dir.join("report.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
