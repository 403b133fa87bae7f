//! `verifier.toml`, with `EDGEFUEL_VERIFIER_*` environment overrides.
//!
//! ```toml
//! rpc_url = "http://127.0.0.1:8899"
//! # ws_url = "ws://127.0.0.1:8900"    # default: rpc_url's port + 1
//! keypair = "verifier.json"           # a member of the network's verifier set
//! backend = "auto"                    # auto | gpu | cpu
//! crank = true                        # seal, report missed, finalize, close
//! poll_interval_secs = 2.0
//! close_delay_slots = 25              # leave final batches readable this long
//! [http]
//! listen = "127.0.0.1:9465"
//! ```
use edgefuel_node::settings::{BackendChoice, HttpSettings};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const ENV_PREFIX: &str = "EDGEFUEL_VERIFIER";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub rpc_url: String,
    #[serde(default)]
    pub ws_url: Option<String>,
    pub keypair: PathBuf,
    #[serde(default)]
    pub backend: BackendChoice,
    #[serde(default = "yes")]
    pub crank: bool,
    #[serde(default = "default_poll")]
    pub poll_interval_secs: f64,
    #[serde(default = "default_close_delay")]
    pub close_delay_slots: u64,
    #[serde(default = "default_http")]
    pub http: HttpSettings,
}

fn yes() -> bool {
    true
}
fn default_poll() -> f64 {
    2.0
}
fn default_close_delay() -> u64 {
    25
}
fn default_http() -> HttpSettings {
    HttpSettings {
        listen: SocketAddr::from(([127, 0, 0, 1], 9465)),
    }
}

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

#[derive(Debug, Clone)]
pub struct VerifierConfig {
    pub file: PathBuf,
    pub settings: Settings,
    pub keypair: PathBuf,
    pub ws_url: String,
}

/// `ws://host:(port+1)` for `http://host:port` (the Solana convention).
pub fn default_ws_url(rpc_url: &str) -> Option<String> {
    let (scheme, rest) = if let Some(r) = rpc_url.strip_prefix("https://") {
        ("wss", r)
    } else {
        ("ws", rpc_url.strip_prefix("http://")?)
    };
    let host_port = rest.split('/').next()?;
    match host_port.rsplit_once(':') {
        Some((host, port)) => {
            let port: u16 = port.parse().ok()?;
            Some(format!("{scheme}://{host}:{}", port.checked_add(1)?))
        }
        None => Some(format!("{scheme}://{host_port}")),
    }
}

impl VerifierConfig {
    pub fn load(file: &Path) -> Result<Self, SettingsError> {
        let settings: Settings =
            edgefuel_daemon::settings::load(file, ENV_PREFIX, std::env::vars())?;
        Self::check(file, settings)
    }

    pub fn check(file: &Path, settings: Settings) -> Result<Self, SettingsError> {
        let bad = |key: &'static str, reason: String| SettingsError::Key {
            file: file.display().to_string(),
            key,
            reason,
        };
        if !(settings.rpc_url.starts_with("http://") || settings.rpc_url.starts_with("https://")) {
            return Err(bad(
                "rpc_url",
                format!("must be an http(s) URL, not {:?}", settings.rpc_url),
            ));
        }
        let ws_url = match &settings.ws_url {
            Some(w) => w.clone(),
            None => default_ws_url(&settings.rpc_url).ok_or_else(|| {
                bad(
                    "rpc_url",
                    "has no port to derive ws_url from; set ws_url".into(),
                )
            })?,
        };
        if settings.poll_interval_secs.is_nan() || settings.poll_interval_secs <= 0.0 {
            return Err(bad("poll_interval_secs", "must be > 0".into()));
        }
        let base = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let keypair = if settings.keypair.is_absolute() {
            settings.keypair.clone()
        } else {
            base.join(&settings.keypair)
        };
        Ok(VerifierConfig {
            file: file.to_path_buf(),
            keypair,
            ws_url,
            settings,
        })
    }
}

/// The commented `verifier.toml` that `edgefuel-verifier init` writes.
pub fn template(rpc_url: &str, backend: BackendChoice, listen: SocketAddr) -> String {
    let backend = match backend {
        BackendChoice::Auto => "auto",
        BackendChoice::Gpu => "gpu",
        BackendChoice::Cpu => "cpu",
    };
    format!(
        r#"# EdgeFuel verifier settings (edgefuel-verifier run --config this-file).
# Every key can be overridden from the environment: EDGEFUEL_VERIFIER_RPC_URL,
# EDGEFUEL_VERIFIER_HTTP__LISTEN (double underscore = inside a table).

# Solana JSON-RPC of the cluster the network lives on.
rpc_url = "{rpc_url}"
# Websocket for programSubscribe; default: the RPC port + 1.
# ws_url = "ws://127.0.0.1:8900"
# The verifier key (created by init). It votes only once the network's
# verifier set holds it (a governance proposal adds it) and pays vote fees.
keypair = "verifier.json"
# Device that re-executes jobs: auto (GPU if there is an adapter, else CPU),
# gpu or cpu. Every device gives the same bytes, so verdicts agree.
backend = "{backend}"
# Also send the permissionless instructions: seal, report missed, finalize,
# close (a small fee each; the network needs someone to do it).
crank = true
# Seconds between scans of the batch accounts (websocket notifications wake
# the verifier sooner).
poll_interval_secs = 2.0
# Slots a final batch stays readable before the crank closes it.
close_delay_slots = 25

[http]
# /status.json, /healthz and /metrics. Keep it on loopback.
listen = "{listen}"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_loads_with_its_defaults() {
        let text = template(
            "https://api.devnet.solana.com",
            BackendChoice::Cpu,
            SocketAddr::from(([127, 0, 0, 1], 9999)),
        );
        let s: Settings =
            edgefuel_daemon::settings::parse(&text, "/v/verifier.toml", ENV_PREFIX, Vec::new())
                .unwrap();
        let c = VerifierConfig::check(Path::new("/v/verifier.toml"), s).unwrap();
        assert_eq!(c.keypair, PathBuf::from("/v/verifier.json"));
        assert_eq!(c.ws_url, "wss://api.devnet.solana.com");
        assert_eq!(c.settings.backend, BackendChoice::Cpu);
        assert!(c.settings.crank);
        assert_eq!(c.settings.poll_interval_secs, 2.0);
        assert_eq!(c.settings.close_delay_slots, 25);
        assert_eq!(c.settings.http.listen.port(), 9999);
    }

    #[test]
    fn the_websocket_is_next_to_the_rpc_port() {
        assert_eq!(
            default_ws_url("http://127.0.0.1:8899").as_deref(),
            Some("ws://127.0.0.1:8900")
        );
        assert_eq!(
            default_ws_url("https://rpc.example.com").as_deref(),
            Some("wss://rpc.example.com")
        );
        assert_eq!(default_ws_url("ftp://x"), None);
    }

    #[test]
    fn defaults_and_refusals() {
        let s: Settings = edgefuel_daemon::settings::parse(
            "rpc_url = \"http://127.0.0.1:8899\"\nkeypair = \"v.json\"\n",
            "/v/verifier.toml",
            ENV_PREFIX,
            Vec::new(),
        )
        .unwrap();
        let c = VerifierConfig::check(Path::new("/v/verifier.toml"), s).unwrap();
        assert!(c.settings.crank);
        assert_eq!(c.keypair, PathBuf::from("/v/v.json"));
        assert_eq!(c.ws_url, "ws://127.0.0.1:8900");
        assert_eq!(c.settings.http.listen.port(), 9465);
        let s: Settings = edgefuel_daemon::settings::parse(
            "rpc_url = \"localhost\"\nkeypair = \"v.json\"\n",
            "/v/verifier.toml",
            ENV_PREFIX,
            Vec::new(),
        )
        .unwrap();
        let e = VerifierConfig::check(Path::new("/v/verifier.toml"), s).unwrap_err();
        assert!(e.to_string().contains("`rpc_url`"), "{e}");
    }
}
