//! Prometheus metrics of the verifier (prefix `edgefuel_verifier_`) and the
//! figures `/status.json` shows.
use edgefuel_daemon::phases::Phases;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use serde::Serialize;
use std::sync::atomic::AtomicU64;

type Labels = Vec<(String, String)>;

pub struct Metrics {
    pub registry: Registry,
    pub samples_checked: Counter,
    pub verdicts: Family<Labels, Counter>,
    pub reexec_seconds: Counter<f64, AtomicU64>,
    pub reexec_work_units: Counter,
    pub vote_latency_seconds: Histogram,
    pub cranks: Family<Labels, Counter>,
    pub rpc_errors: Counter,
    pub notifications: Counter,
    /// Where the verifier's time goes (`edgefuel_daemon::phases`).
    pub phases: Phases,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("edgefuel_verifier");
        let phases = Phases::register(&mut registry);
        let m = Metrics {
            registry: Registry::default(),
            samples_checked: Counter::default(),
            verdicts: Family::default(),
            reexec_seconds: Counter::default(),
            reexec_work_units: Counter::default(),
            vote_latency_seconds: Histogram::new(exponential_buckets(0.25, 2.0, 10)),
            cranks: Family::default(),
            rpc_errors: Counter::default(),
            notifications: Counter::default(),
            phases,
        };
        registry.register(
            "samples_checked",
            "Revealed jobs re-executed",
            m.samples_checked.clone(),
        );
        registry.register("verdicts", "Votes sent, by verdict", m.verdicts.clone());
        registry.register(
            "reexec_seconds",
            "Device time spent re-executing jobs",
            m.reexec_seconds.clone(),
        );
        registry.register(
            "reexec_work_units",
            "Work units re-executed (compare with the nodes' work units)",
            m.reexec_work_units.clone(),
        );
        registry.register(
            "vote_latency_seconds",
            "From first seeing a batch revealed to the vote confirmed",
            m.vote_latency_seconds.clone(),
        );
        registry.register(
            "cranks",
            "Permissionless instructions sent, by kind",
            m.cranks.clone(),
        );
        registry.register(
            "rpc_errors",
            "Failed scans (RPC or chain errors), retried with backoff",
            m.rpc_errors.clone(),
        );
        registry.register(
            "notifications",
            "programSubscribe notifications received",
            m.notifications.clone(),
        );
        Metrics { registry, ..m }
    }

    pub fn count(family: &Family<Labels, Counter>, label: &str, value: &str) {
        family
            .get_or_create(&vec![(label.to_string(), value.to_string())])
            .inc();
    }
}

/// What `/status.json` shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    pub verifier: String,
    pub device: String,
    pub device_note: Option<String>,
    pub crank: bool,
    pub in_verifier_set: bool,
    pub websocket: bool,
    pub rpc_ok: bool,
    pub last_error: Option<String>,
    pub votes_valid: u64,
    pub votes_invalid: u64,
    pub samples_checked: u64,
    pub reexec_seconds: f64,
    pub reexec_work_units: u64,
    pub cranks: u64,
    /// (batch address, verdict, leaf or reason) of the latest votes.
    pub recent_votes: Vec<(String, String, String)>,
}
