//! The local chain the demo and the benchmarks start: `edgefuel_localnet::run`
//! in a child process (the running executable, re-run with [`CHILD_ARG`]).
//!
//! Why not in this process: natively hosted, the program's `msg!` is a
//! `println!`, and the local chain captures the process's whole stdout to put
//! those lines into transaction logs. In-process, the caller's own output
//! would be mixed with (and captured as) program logs. `run` also serves until
//! Ctrl-C/SIGTERM. A child keeps stdout clean, and the caller still needs no
//! other binary built: the child runs the localnet library linked in here.
//!
//! The child writes everything it prints to `chain.log` in the caller's
//! scratch directory (`$TMPDIR/edgefuel-net-<pid>`), keeps its keypairs and
//! the chain's scratch files (`TMPDIR`) there too, and exits as soon as its
//! stdin closes: when the caller finishes, fails or is killed. The directory
//! is removed when the caller ends, or by the next run if it was killed.
use anyhow::{bail, Context};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// First argument that makes the executable run the local chain instead of
/// its own work.
pub const CHILD_ARG: &str = "__localnet-child";

/// How long the chain may take to print its ready line (a debug build on a
/// busy machine boots in a few seconds).
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// Entry point of the child process: `args` are this process's arguments
/// (`<exe> __localnet-child <edgefuel-localnet flags>`). Returns the exit code.
pub fn child_main(args: Vec<OsString>) -> i32 {
    use clap::Parser;
    let flags =
        std::iter::once(OsString::from("edgefuel-localnet")).chain(args.into_iter().skip(2));
    let opts = match edgefuel_localnet::Options::try_parse_from(flags) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("local chain: {e}");
            return 2;
        }
    };
    // The parent holds our stdin: when it closes (the caller ended or died),
    // stop. The scratch files live in the parent's directory, which it removes.
    std::thread::spawn(|| {
        let mut stdin = std::io::stdin();
        let mut buf = [0u8; 256];
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("local chain: cannot start the async runtime: {e}");
            return 1;
        }
    };
    match runtime.block_on(edgefuel_localnet::run(opts)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("local chain: {e:#}");
            1
        }
    }
}

/// A port whose successor is also free (the websocket listens on port + 1).
fn free_port_pair() -> anyhow::Result<u16> {
    for _ in 0..100 {
        let a = TcpListener::bind("127.0.0.1:0").context("binding a probe socket on 127.0.0.1")?;
        let port = a.local_addr()?.port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return Ok(port);
        }
    }
    bail!("found no two free consecutive ports on 127.0.0.1")
}

/// `$TMPDIR/edgefuel-net-<pid>`, after removing those of processes that
/// are gone (runs that were killed).
fn scratch_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    if Path::new("/proc/self").exists() {
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let pid = name
                .to_str()
                .and_then(|n| n.strip_prefix("edgefuel-net-"))
                .and_then(|n| n.parse::<u32>().ok());
            if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = base.join(format!("edgefuel-net-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the scratch directory {}", dir.display()))?;
    Ok(dir)
}

/// The local chain child process. Dropping it stops the chain and removes
/// its scratch directory.
pub struct LocalChain {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Scratch directory (keys, log, the chain's temporary files).
    pub dir: PathBuf,
    /// JSON-RPC URL (`http://127.0.0.1:<port>`).
    pub url: String,
    /// Keypairs the chain's bootstrap created and funded.
    pub keys_dir: PathBuf,
    /// Everything the chain printed (banner, program logs, errors).
    pub log: PathBuf,
    /// Time from spawn to the ready line.
    pub boot: Duration,
}

impl LocalChain {
    /// Starts the chain with its default bootstrap, keypairs in a scratch
    /// directory, on free loopback ports; returns once it printed its ready
    /// line.
    pub fn start() -> anyhow::Result<LocalChain> {
        Self::start_with(&[])
    }

    /// [`Self::start`] with extra `edgefuel-localnet` flags (e.g.
    /// `--bootstrap FILE`).
    pub fn start_with(extra: &[std::ffi::OsString]) -> anyhow::Result<LocalChain> {
        let dir = scratch_dir()?;
        let mut last_err = None;
        // A port can be taken between the probe and the child's bind: retry.
        for _ in 0..3 {
            match Self::try_start(&dir, extra) {
                Ok(chain) => return Ok(chain),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow::anyhow!("the local chain did not start")))
    }

    fn try_start(dir: &Path, extra: &[std::ffi::OsString]) -> anyhow::Result<LocalChain> {
        let exe = std::env::current_exe().context("locating this executable")?;
        let port = free_port_pair()?;
        let keys_dir = dir.join("keys");
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp)
            .with_context(|| format!("creating the chain's scratch directory {}", tmp.display()))?;
        let log = dir.join("chain.log");
        let mut log_file = std::fs::File::create(&log)
            .with_context(|| format!("creating the chain log {}", log.display()))?;
        let stderr = log_file
            .try_clone()
            .with_context(|| format!("opening the chain log {}", log.display()))?;
        let started = Instant::now();
        let mut child = Command::new(&exe)
            .arg(CHILD_ARG)
            .args(["--port", &port.to_string()])
            .arg("--keys-dir")
            .arg(&keys_dir)
            .args(extra)
            .env("TMPDIR", &tmp)
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "error".into()),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .with_context(|| format!("starting the local chain ({})", exe.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("the chain's stdout")?;
        // Copy the chain's output to its log (it must be drained: program
        // logs are echoed there) and tell when the ready line appears.
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut ready = Some(ready_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(log_file, "{line}");
                if line.starts_with("Ready") {
                    if let Some(tx) = ready.take() {
                        let _ = tx.send(());
                    }
                }
            }
        });
        let mut chain = LocalChain {
            child,
            stdin,
            dir: dir.to_path_buf(),
            url: format!("http://127.0.0.1:{port}"),
            keys_dir,
            log,
            boot: Duration::ZERO,
        };
        match ready_rx.recv_timeout(READY_TIMEOUT) {
            Ok(()) => {
                chain.boot = started.elapsed();
                Ok(chain)
            }
            Err(_) => {
                let status = chain.child.try_wait().ok().flatten();
                let why = match status {
                    Some(s) => format!("exited ({s})"),
                    None => format!("was not ready within {} s", READY_TIMEOUT.as_secs()),
                };
                bail!(
                    "the local chain {why}; its last output ({}):\n{}",
                    chain.log.display(),
                    tail(&chain.log, 15)
                )
            }
        }
    }
}

impl LocalChain {
    /// The chain process's id (for its CPU time).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for LocalChain {
    fn drop(&mut self) {
        // Closing stdin stops the child; give it a moment, then make sure.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && !matches!(self.child.try_wait(), Ok(Some(_))) {
            std::thread::sleep(Duration::from_millis(50));
        }
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The last `n` lines of a text file.
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
