//! `node.toml`: the agent's settings, with `EDGEFUEL_NODE_*` environment
//! overrides (`EDGEFUEL_NODE_RPC_URL`, `EDGEFUEL_NODE_BATCH__JOBS`, …; see
//! `edgefuel_daemon::settings`). Relative paths are relative to the file.
use crate::workload::{JobMix, JobSize};
use edgefuel_client::Pubkey;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Prefix of the environment overrides.
pub const ENV_PREFIX: &str = "EDGEFUEL_NODE";

/// Which device runs the jobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// The GPU when the machine has an adapter, else the CPU (said once in the log).
    #[default]
    Auto,
    /// The GPU only: no adapter is an error.
    Gpu,
    /// The CPU.
    Cpu,
}

/// The settings file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Solana JSON-RPC URL of the cluster.
    pub rpc_url: String,
    /// The node operator's public key (the node account is derived from it).
    pub operator: String,
    /// The agent's keypair file: the hot key named with `edgefuel node set-agent`.
    pub agent_keypair: PathBuf,
    /// Optional: the operator's keypair, to claim rewards on a schedule.
    #[serde(default)]
    pub operator_keypair: Option<PathBuf>,
    /// Where the journal lives.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    #[serde(default)]
    pub backend: BackendChoice,
    #[serde(default)]
    pub batch: BatchSettings,
    #[serde(default)]
    pub http: HttpSettings,
    #[serde(default)]
    pub energy: EnergySettings,
    #[serde(default)]
    pub rewards: RewardSettings,
    #[serde(default)]
    pub faults: Faults,
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BatchSettings {
    /// Jobs per batch (leaves of its Merkle tree), 1 ..= 4096.
    pub jobs: u32,
    /// Seconds between the starts of two batches.
    pub interval_secs: f64,
    /// Size of each job.
    pub job_size: JobSize,
    /// Job kinds: mixed (gemm, mlp, conv in turn) or one kind.
    pub job_kind: JobMix,
}

impl Default for BatchSettings {
    fn default() -> Self {
        BatchSettings {
            jobs: 16,
            interval_secs: 10.0,
            job_size: JobSize::Small,
            job_kind: JobMix::Mixed,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Dashboard, `/healthz` and `/metrics` (loopback only by default).
    pub listen: SocketAddr,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnergySettings {
    /// Power of the device while it runs jobs (watts), for the estimate used
    /// when the machine exposes no energy counter.
    pub device_watts: f64,
}

impl Default for EnergySettings {
    fn default() -> Self {
        EnergySettings { device_watts: 75.0 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RewardSettings {
    /// Seconds between reward claims (needs `operator_keypair`).
    pub claim_interval_secs: u64,
}

impl Default for RewardSettings {
    fn default() -> Self {
        RewardSettings {
            claim_interval_secs: 300,
        }
    }
}

/// Deliberate cheating, for tests and the demo only: never set these on a
/// real node (the verifiers catch it and the node is slashed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// Share of jobs not run whose receipt commits a made-up output (0 ..= 1).
    pub fake_fraction: f64,
    /// Work units claimed above each job's real work (bps; 10 000 doubles it).
    pub inflate_work_bps: u32,
}

/// Settings checked and resolved: keys parsed, paths absolute.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub file: PathBuf,
    pub settings: Settings,
    pub operator: Pubkey,
    pub agent_keypair: PathBuf,
    pub operator_keypair: Option<PathBuf>,
    pub data_dir: PathBuf,
}

/// A settings file that cannot be used, naming the key.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Load(#[from] edgefuel_daemon::DaemonError),
    #[error("settings file {file}: `{key}` {reason}")]
    Key {
        file: String,
        key: &'static str,
        reason: String,
    },
}

impl NodeConfig {
    /// Reads `file` with the environment's overrides and checks it.
    pub fn load(file: &Path) -> Result<NodeConfig, SettingsError> {
        let settings: Settings =
            edgefuel_daemon::settings::load(file, ENV_PREFIX, std::env::vars())?;
        Self::check(file, settings)
    }

    fn check(file: &Path, settings: Settings) -> Result<NodeConfig, SettingsError> {
        let bad = |key: &'static str, reason: String| SettingsError::Key {
            file: file.display().to_string(),
            key,
            reason,
        };
        let operator = Pubkey::from_str(&settings.operator)
            .map_err(|e| bad("operator", format!("is not a public key ({e})")))?;
        if !(settings.rpc_url.starts_with("http://") || settings.rpc_url.starts_with("https://")) {
            return Err(bad(
                "rpc_url",
                format!("must be an http(s) URL, not {:?}", settings.rpc_url),
            ));
        }
        if !(1..=4096).contains(&settings.batch.jobs) {
            return Err(bad("batch.jobs", "must be 1 ..= 4096".into()));
        }
        if settings.batch.interval_secs.is_nan() || settings.batch.interval_secs <= 0.0 {
            return Err(bad("batch.interval_secs", "must be > 0".into()));
        }
        if !(0.0..=1.0).contains(&settings.faults.fake_fraction) {
            return Err(bad("faults.fake_fraction", "must be 0 ..= 1".into()));
        }
        if settings.energy.device_watts.is_nan() || settings.energy.device_watts < 0.0 {
            return Err(bad("energy.device_watts", "must be ≥ 0".into()));
        }
        let base = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let abs = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        Ok(NodeConfig {
            file: file.to_path_buf(),
            agent_keypair: abs(&settings.agent_keypair),
            operator_keypair: settings.operator_keypair.as_deref().map(abs),
            data_dir: abs(&settings.data_dir),
            operator,
            settings,
        })
    }

    /// The journal file.
    pub fn journal_path(&self) -> PathBuf {
        self.data_dir.join("journal.sqlite")
    }
}

/// The commented settings file `edgefuel-node init` writes.
pub fn template(
    rpc_url: &str,
    operator: &Pubkey,
    backend: BackendChoice,
    listen: SocketAddr,
) -> String {
    let backend = match backend {
        BackendChoice::Auto => "auto",
        BackendChoice::Gpu => "gpu",
        BackendChoice::Cpu => "cpu",
    };
    format!(
        r#"# EdgeFuel node agent settings (edgefuel-node run --config this-file).
# Every key can be overridden from the environment: EDGEFUEL_NODE_RPC_URL,
# EDGEFUEL_NODE_BATCH__JOBS (double underscore = inside a [table]), ...
# Relative paths are relative to this file.

# Solana JSON-RPC of the cluster (the websocket is not needed).
rpc_url = "{rpc_url}"
# Your operator public key: the node account is derived from it. Keep the
# operator keypair cold; the agent signs with its own key below.
operator = "{operator}"
# The agent's hot key (created by init). Name it on-chain once with
#   edgefuel node set-agent <its public key>
agent_keypair = "agent.json"
# Optional: the operator keypair, only to claim rewards on a schedule.
# operator_keypair = "/path/to/operator.json"
# The journal (SQLite): receipts and batch states, kept across restarts.
data_dir = "data"
# Device for jobs: auto (GPU if there is an adapter, else CPU), gpu or cpu.
backend = "{backend}"

[batch]
# Jobs per batch (1 ..= 4096) and seconds between batches.
jobs = 16
interval_secs = 10.0
# small | medium | large (multiply-accumulates per job: ~0.5 M, ~100 M, ~1 G).
job_size = "small"
# mixed (gemm, mlp and conv in turn) | gemm | mlp | conv
job_kind = "mixed"

[http]
# Dashboard (/), /healthz and /metrics. Keep it on loopback.
listen = "{listen}"

[energy]
# Watts your device draws while busy: used for the energy estimate when the
# machine exposes no counter (NVML for NVIDIA GPUs, RAPL for CPUs); figures are labelled estimated.
device_watts = 75.0

[rewards]
# With operator_keypair set: claim earned EFUEL this often (seconds).
claim_interval_secs = 300
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<NodeConfig, SettingsError> {
        let settings: Settings = edgefuel_daemon::settings::parse(
            text,
            "/etc/edgefuel/node.toml",
            ENV_PREFIX,
            Vec::new(),
        )?;
        NodeConfig::check(Path::new("/etc/edgefuel/node.toml"), settings)
    }

    #[test]
    fn the_template_loads_with_paths_next_to_the_file() {
        let op = Pubkey::new_unique();
        let text = template(
            "http://127.0.0.1:8899",
            &op,
            BackendChoice::Cpu,
            SocketAddr::from(([127, 0, 0, 1], 9464)),
        );
        let c = parse(&text).unwrap();
        assert_eq!(c.operator, op);
        assert_eq!(c.agent_keypair, PathBuf::from("/etc/edgefuel/agent.json"));
        assert_eq!(c.data_dir, PathBuf::from("/etc/edgefuel/data"));
        assert_eq!(c.settings.backend, BackendChoice::Cpu);
        assert_eq!(c.settings.batch.jobs, 16);
        assert_eq!(c.operator_keypair, None);
    }

    #[test]
    fn bad_values_name_their_key() {
        let op = Pubkey::new_unique();
        let base =
            format!("rpc_url = \"http://x\"\noperator = \"{op}\"\nagent_keypair = \"a.json\"\n");
        let e = parse("rpc_url = \"http://x\"\noperator = \"nope\"\nagent_keypair = \"a\"\n")
            .unwrap_err();
        assert!(
            e.to_string().contains("`operator` is not a public key"),
            "{e}"
        );
        let e = parse(&format!("{base}[batch]\njobs = 0\n")).unwrap_err();
        assert!(e.to_string().contains("`batch.jobs`"), "{e}");
        let e = parse(&format!("{base}colour = 1\n")).unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        let e = parse(&base.replace("http://x", "ftp://x")).unwrap_err();
        assert!(e.to_string().contains("`rpc_url`"), "{e}");
    }
}
