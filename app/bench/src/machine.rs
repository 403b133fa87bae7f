//! The machine and the code a run measured: stamped on every figure.
use std::process::Command;

#[derive(Clone, Debug)]
pub struct Machine {
    /// `model name` of /proc/cpuinfo.
    pub cpu: String,
    /// `vendor_id` of /proc/cpuinfo.
    pub vendor: String,
    /// `cpu MHz` of /proc/cpuinfo (the nominal clock inside a VM).
    pub mhz: Option<f64>,
    /// Logical CPUs this process may use.
    pub cpus: usize,
    /// MemTotal, GiB.
    pub mem_gib: f64,
    /// int8 SIMD features the CPU reports.
    pub features: Vec<&'static str>,
    /// `git rev-parse --short HEAD`, with `-dirty` when the tree has changes.
    pub commit: String,
    /// UTC start of the run.
    pub date: String,
    /// 1-minute load average at the start of the run.
    pub load_start: f64,
    pub rustc: String,
}

fn first_field(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find(|l| l.split(':').next().is_some_and(|k| k.trim() == key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The 1-minute load average now.
pub fn load() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(f64::NAN)
}

impl Machine {
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let flags = first_field(&cpuinfo, "flags").unwrap_or_default();
        let has = |f: &str| flags.split_whitespace().any(|x| x == f);
        let features = [
            ("avx512_vnni", "AVX-512 VNNI"),
            ("avx_vnni", "AVX-VNNI"),
            ("avx2", "AVX2"),
            ("sha_ni", "SHA-NI"),
        ]
        .into_iter()
        .filter(|(f, _)| has(f))
        .map(|(_, n)| n)
        .collect();
        let mem_kib: f64 = first_field(&meminfo, "MemTotal")
            .and_then(|v| v.split_whitespace().next().and_then(|x| x.parse().ok()))
            .unwrap_or(0.0);
        let commit =
            output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
        let dirty = output("git", &["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty());
        Machine {
            cpu: first_field(&cpuinfo, "model name").unwrap_or_else(|| "unknown CPU".into()),
            vendor: first_field(&cpuinfo, "vendor_id").unwrap_or_default(),
            mhz: first_field(&cpuinfo, "cpu MHz").and_then(|v| v.parse().ok()),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            mem_gib: mem_kib / (1024.0 * 1024.0),
            features,
            commit: if dirty {
                format!("{commit}-dirty")
            } else {
                commit
            },
            date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default(),
            load_start: load(),
            rustc: output("rustc", &["--version"]).unwrap_or_default(),
        }
    }

    /// One line for every figure: machine and commit.
    pub fn stamp(&self) -> String {
        format!(
            "{} · {} CPUs{} · {:.0} GiB · commit {} · {}",
            self.cpu,
            self.cpus,
            self.mhz
                .map(|m| format!(" @ {:.2} GHz", m / 1000.0))
                .unwrap_or_default(),
            self.mem_gib,
            self.commit,
            self.date
        )
    }
}
