//! The node and verifier daemons as processes: spawn, stop, read their
//! HTTP figures and their CPU time.
use anyhow::{ensure, Context};
use std::ffi::OsString;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Hidden first arguments that run a daemon from the running executable.
pub const NODE_ARG: &str = "__node";
pub const VERIFIER_ARG: &str = "__verifier";

/// A running daemon process; killed if still running when dropped.
pub struct Daemon {
    pub name: String,
    pub child: Child,
    /// Its `/healthz`, `/metrics` and `/status.json` address.
    pub http: SocketAddr,
    /// Its stdout and stderr.
    pub log: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Daemon {
    /// SIGTERM, then wait (graceful shutdown), then kill after `grace`.
    pub fn stop(&mut self, grace: Duration) -> Option<std::process::ExitStatus> {
        terminate(&self.child);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        self.child.wait().ok()
    }

    /// CPU seconds (user + system) the process has used so far.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        cpu_seconds(self.child.id())
    }

    /// Its `/status.json`.
    pub async fn status(&self) -> Option<serde_json::Value> {
        get_json(&format!("http://{}/status.json", self.http)).await
    }

    /// Its Prometheus `/metrics` page.
    pub async fn metrics(&self) -> Option<String> {
        get(&format!("http://{}/metrics", self.http))
            .await?
            .text()
            .await
            .ok()
    }
}

/// `url` as JSON; None when it does not answer within 3 s.
pub async fn get_json(url: &str) -> Option<serde_json::Value> {
    get(url).await?.json().await.ok()
}

async fn get(url: &str) -> Option<reqwest::Response> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .ok()?;
    client.get(url).send().await.ok()
}

/// The sum of the samples of `name` in a Prometheus text page whose labels
/// contain `label` (e.g. `phase="kernel"`; empty: every sample).
pub fn metric(page: &str, name: &str, label: &str) -> f64 {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            let (metric, labels) = match key.split_once('{') {
                Some((m, rest)) => (m, rest),
                None => (key, ""),
            };
            (metric == name && labels.contains(label)).then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

/// CPU seconds (utime + stime, `/proc/<pid>/stat`) of process `pid`.
pub fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_cpu_ticks(&stat)
        .map(|ticks| ticks as f64 / clock_ticks_per_second())
        .with_context(|| format!("{path} has no utime/stime fields"))
}

/// utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line; the
/// command name (field 2) may hold spaces and parentheses, so fields are
/// counted after its last `)`.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    utime.checked_add(stime)
}

/// `sysconf(_SC_CLK_TCK)`: the unit of `/proc/<pid>/stat` times.
fn clock_ticks_per_second() -> f64 {
    rustix::param::clock_ticks_per_second() as f64
}

/// Sends SIGTERM to a child.
pub fn terminate(child: &Child) {
    if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}

/// The command that runs daemon `kind` (`node` or `verifier`).
pub fn daemon_command(kind: &str) -> anyhow::Result<Command> {
    let exe = std::env::current_exe().context("locating this executable")?;
    let sibling = exe.with_file_name(format!("edgefuel-{kind}{}", std::env::consts::EXE_SUFFIX));
    Ok(if sibling.exists() {
        Command::new(sibling)
    } else {
        let mut c = Command::new(exe);
        c.arg(format!("__{kind}"));
        c
    })
}

/// A free loopback address for a daemon's HTTP side.
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    let l = TcpListener::bind("127.0.0.1:0").context("binding a probe socket on 127.0.0.1")?;
    Ok(l.local_addr()?)
}

/// Starts daemon `kind` as process `name` with `args` and `envs`, its output
/// in `logs/<name>.log`, logging at `log_level` (`RUST_LOG`).
pub fn spawn(
    kind: &str,
    name: &str,
    args: &[OsString],
    envs: &[(String, String)],
    http: SocketAddr,
    logs: &Path,
    log_level: &str,
) -> anyhow::Result<Daemon> {
    let log = logs.join(format!("{name}.log"));
    let file =
        std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let err = file.try_clone()?;
    let mut cmd = daemon_command(kind)?;
    cmd.args(args)
        .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("RUST_LOG", log_level)
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err));
    let child = cmd.spawn().with_context(|| format!("starting {name}"))?;
    Ok(Daemon {
        name: name.to_string(),
        child,
        http,
        log,
    })
}

/// Starts `edgefuel-verifier run` as process `name` for the key file `key`
/// on the chain at `rpc_url`: its settings (`backend`, crank on, a scan
/// every second, HTTP on a free loopback port) go to `logs/<name>.toml`.
pub fn spawn_verifier(
    name: &str,
    key: &Path,
    rpc_url: &str,
    backend: &str,
    logs: &Path,
    log_level: &str,
) -> anyhow::Result<Daemon> {
    let http = free_addr()?;
    let file = logs.join(format!("{name}.toml"));
    std::fs::write(
        &file,
        format!(
            "rpc_url = \"{rpc_url}\"\nkeypair = \"{}\"\nbackend = \"{backend}\"\npoll_interval_secs = 1.0\n[http]\nlisten = \"{http}\"\n",
            key.display(),
        ),
    )
    .with_context(|| format!("writing {}", file.display()))?;
    spawn(
        "verifier",
        name,
        &["run".into(), "--config".into(), file.into()],
        &[],
        http,
        logs,
        log_level,
    )
}

/// Runs a daemon command to completion (init, doctor), its output to `log`.
pub fn run_to_end(kind: &str, args: &[OsString], log: &Path) -> anyhow::Result<String> {
    let out = daemon_command(kind)?
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .with_context(|| format!("running edgefuel-{kind}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(log, &text).with_context(|| format!("writing {}", log.display()))?;
    ensure!(
        out.status.success(),
        "edgefuel-{kind} {:?} failed:\n{text}",
        args
    );
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_fields_14_and_15_after_the_command_name() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
        // majflt cmajflt utime stime …; the name holds a space and a ')'.
        let stat =
            "4242 (edgefuel node) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 56 0 0 20 0 3";
        assert_eq!(parse_cpu_ticks(stat), Some(1290));
        assert_eq!(parse_cpu_ticks("4242 (x) S 1 2"), None);
    }

    #[test]
    fn this_process_has_cpu_time() {
        let t = cpu_seconds(std::process::id()).unwrap();
        assert!(t >= 0.0);
        assert!(cpu_seconds(u32::MAX).is_err());
    }

    #[test]
    fn metric_sums_samples_by_name_and_label() {
        let page = "# HELP edgefuel_node_phase_seconds x\n\
                    edgefuel_node_phase_seconds_total{phase=\"kernel\"} 1.5\n\
                    edgefuel_node_phase_seconds_total{phase=\"hashing\"} 0.25\n\
                    edgefuel_node_jobs_total 12\n";
        assert_eq!(
            metric(
                page,
                "edgefuel_node_phase_seconds_total",
                "phase=\"kernel\""
            ),
            1.5
        );
        assert_eq!(metric(page, "edgefuel_node_phase_seconds_total", ""), 1.75);
        assert_eq!(metric(page, "edgefuel_node_jobs_total", ""), 12.0);
        assert_eq!(metric(page, "edgefuel_node_missing", ""), 0.0);
    }
}
