//! Runs `edgefuel-localnet` as a child process on free ports and drives it
//! with the `edgefuel` binary.
//!
//! The local chain is a binary of another package, so Cargo does not hand its
//! path to this crate's tests: [`workspace_binary`] finds it beside
//! `edgefuel`, building it first when it is missing or stale.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

pub const EFUEL: u64 = 1_000_000_000;

/// The `edgefuel` binary under test.
pub fn edgefuel_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_edgefuel"))
}

/// The newest modification time of the files under `paths` (recursively).
fn newest_mtime(paths: &[PathBuf]) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
            }
        } else if let Ok(m) = meta.modified() {
            newest = newest.max(m);
        }
    }
    newest
}

/// A binary of another workspace package, in the same target dir and
/// profile as this test. `cargo test --workspace` has built it already (its
/// package has integration tests), and it is used when it is newer than
/// every file under `sources` (paths relative to the workspace root) and the
/// lock file. Otherwise (e.g. `cargo test -p edgefuel-cli` after an edit)
/// it is built with `cargo build -p`. Building it unconditionally would
/// rebuild much of the Solana stack: a single-package build unifies features
/// differently from the workspace test build.
pub fn workspace_binary(package: &str, bin: &str, sources: &[&str]) -> PathBuf {
    let edgefuel = edgefuel_bin();
    let dir = edgefuel.parent().expect("binary has a folder");
    let path = dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut watched: Vec<PathBuf> = sources.iter().map(|s| root.join(s)).collect();
    watched.push(root.join("Cargo.lock"));
    watched.push(root.join("Cargo.toml"));
    let built = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    if built.is_some_and(|b| b >= newest_mtime(&watched)) {
        return path;
    }
    // target/<profile-dir>/edgefuel: the folder name is the profile ("debug" = dev).
    let profile = match dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(other) => other.to_string(),
    };
    let target_dir = dir.parent().expect("target dir");
    let status = Command::new(env!("CARGO"))
        .args(["build", "-p", package, "--bin", bin, "--profile", &profile])
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(&root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building {package} failed");
    assert!(path.exists(), "{} missing after build", path.display());
    path
}

/// The local chain binary (see [`workspace_binary`]).
pub fn localnet_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        workspace_binary(
            "edgefuel-localnet",
            "edgefuel-localnet",
            &["app/localnet", "programs/edgefuel"],
        )
    })
    .clone()
}

/// A port whose successor is also free (the websocket listens on port + 1).
fn free_port_pair() -> u16 {
    for _ in 0..100 {
        let a = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = a.local_addr().expect("addr").port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no free port pair");
}

/// A running local chain; killed on drop.
pub struct Localnet {
    child: Child,
    pub url: String,
    pub dir: PathBuf,
}

impl Drop for Localnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Localnet {
    /// Starts the chain with extra flags (e.g. `--no-bootstrap`) and waits
    /// until it prints its ready line.
    pub fn start(name: &str, extra: &[&str]) -> Localnet {
        let bin = localnet_binary();
        let dir = std::env::temp_dir().join(format!("edgefuel-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let port = free_port_pair();
        let mut child = Command::new(bin)
            .args(["--port", &port.to_string()])
            .arg("--keys-dir")
            .arg(dir.join("keys"))
            .args(extra)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("edgefuel-localnet starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut ready = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !ready && line.starts_with("Ready") {
                    ready = true;
                    let _ = tx.send(());
                }
            }
        });
        let url = format!("http://127.0.0.1:{port}");
        let net = Localnet { child, url, dir };
        rx.recv_timeout(Duration::from_secs(60))
            .expect("edgefuel-localnet printed its ready line within 60 s");
        net
    }

    /// A keypair file the local chain created (and funded, per its bootstrap).
    pub fn key(&self, name: &str) -> PathBuf {
        self.dir.join("keys").join(name)
    }

    /// Runs `edgefuel -u <url> <args>` with no Solana CLI config in reach.
    pub fn cli(&self, args: &[&str]) -> Output {
        run_cli(&self.dir, &["-u", &self.url], args)
    }

    /// Runs `edgefuel -u <url> -k <key> <args>` (display output).
    pub fn cli_as(&self, key: &Path, args: &[&str]) -> Output {
        let key = key.to_str().expect("utf-8 path");
        run_cli(&self.dir, &["-u", &self.url, "-k", key], args)
    }

    /// Registers `key`'s node with fixed metadata and `stake` EFUEL self-stake.
    pub fn register_node(&self, key: &Path, stake: &str) -> Value {
        self.json(
            key,
            &[
                "node",
                "register",
                "--endpoint",
                "https://node-1.example:7443",
                "--gpu-model",
                "RTX 4090",
                "--vram-mib",
                "24576",
                "--region",
                "eu-west",
                "--commission-bps",
                "500",
                "--stake",
                stake,
            ],
        )
    }

    /// Runs `edgefuel -u <url> -k <key> --output json <args>`, asserts success
    /// and parses stdout.
    pub fn json(&self, key: &Path, args: &[&str]) -> Value {
        let key = key.to_str().expect("utf-8 path");
        let out = run_cli(
            &self.dir,
            &["-u", &self.url, "-k", key, "--output", "json"],
            args,
        );
        ok_json(&out, args)
    }

    /// The public key of a keypair file, via `edgefuel address`.
    pub fn address(&self, key: &Path) -> String {
        let v = self.json(key, &["address"]);
        v["address"].as_str().expect("address").to_string()
    }
}

/// Runs the CLI with `HOME` pointed at an empty folder, so no
/// `~/.config/solana` of the machine leaks into the test.
pub fn run_cli(home: &Path, global: &[&str], args: &[&str]) -> Output {
    let started = Instant::now();
    let out = Command::new(edgefuel_bin())
        .args(global)
        .args(args)
        .env("HOME", home)
        .env("RUST_LOG", "error")
        .output()
        .expect("edgefuel runs");
    eprintln!(
        "edgefuel {} {} -> {:?} in {:?}",
        global.join(" "),
        args.join(" "),
        out.status.code(),
        started.elapsed()
    );
    out
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts success and parses stdout as JSON.
pub fn ok_json(out: &Output, args: &[&str]) -> Value {
    assert!(
        out.status.success(),
        "edgefuel {args:?} failed:\nstdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "edgefuel {args:?}: stdout is not JSON ({e}): {}",
            stdout(out)
        )
    })
}

/// Asserts failure with a non-zero code and a stderr mentioning `needle`.
pub fn fails_with(out: &Output, needle: &str) {
    assert!(
        !out.status.success(),
        "expected failure, got success: {}",
        stdout(out)
    );
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(out);
    assert!(err.contains(needle), "stderr lacks `{needle}`:\n{err}");
}
