//! Prometheus metrics of the agent (prefix `edgefuel_node_`).
use edgefuel_daemon::phases::Phases;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

type Labels = Vec<(String, String)>;
type FGauge = Gauge<f64, AtomicU64>;

pub struct Metrics {
    pub registry: Registry,
    pub jobs: Counter,
    pub work_units: Counter,
    pub receipts: Counter,
    pub batches: Family<Labels, Counter>,
    pub efuel_earned: FGauge,
    pub efuel_claimed: FGauge,
    pub stake_efuel: FGauge,
    pub last_batch_age_seconds: FGauge,
    pub reveal_latency_seconds: Histogram,
    pub energy_joules: Family<Labels, Counter<f64, AtomicU64>>,
    pub job_seconds: Counter<f64, AtomicU64>,
    pub joules_per_job: FGauge,
    pub work_units_per_joule: FGauge,
    pub efuel_per_kwh: FGauge,
    pub jailed: Gauge,
    pub eligible: Gauge,
    pub rpc_errors: Counter,
    /// Where the agent's time goes (`edgefuel_daemon::phases`).
    pub phases: Phases,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("edgefuel_node");
        let phases = Phases::register(&mut registry);
        let m = Metrics {
            jobs: Counter::default(),
            work_units: Counter::default(),
            receipts: Counter::default(),
            batches: Family::default(),
            efuel_earned: FGauge::default(),
            efuel_claimed: FGauge::default(),
            stake_efuel: FGauge::default(),
            last_batch_age_seconds: FGauge::default(),
            reveal_latency_seconds: Histogram::new(exponential_buckets(0.25, 2.0, 10)),
            energy_joules: Family::default(),
            job_seconds: Counter::default(),
            joules_per_job: FGauge::default(),
            work_units_per_joule: FGauge::default(),
            efuel_per_kwh: FGauge::default(),
            jailed: Gauge::default(),
            eligible: Gauge::default(),
            rpc_errors: Counter::default(),
            phases,
            registry: Registry::default(),
        };
        registry.register(
            "jobs",
            "Jobs run (or, by a faulty node, faked)",
            m.jobs.clone(),
        );
        registry.register(
            "work_units",
            "Work units (multiply-accumulates) committed",
            m.work_units.clone(),
        );
        registry.register("receipts", "Receipts journaled", m.receipts.clone());
        registry.register("batches", "Batches by final outcome", m.batches.clone());
        registry.register(
            "efuel_earned",
            "EFUEL accrued to the node by accepted batches (journal)",
            m.efuel_earned.clone(),
        );
        registry.register(
            "efuel_claimed",
            "EFUEL claimed by the operator through this agent",
            m.efuel_claimed.clone(),
        );
        registry.register(
            "stake_efuel",
            "Tokens in the node's stake pool (EFUEL)",
            m.stake_efuel.clone(),
        );
        registry.register(
            "last_batch_age_seconds",
            "Seconds since the last batch was built",
            m.last_batch_age_seconds.clone(),
        );
        registry.register(
            "reveal_latency_seconds",
            "From seeing a batch sealed to its sample revealed",
            m.reveal_latency_seconds.clone(),
        );
        registry.register(
            "energy_joules",
            "Energy of jobs, by source (measured or estimated)",
            m.energy_joules.clone(),
        );
        registry.register(
            "job_seconds",
            "Device time spent on jobs",
            m.job_seconds.clone(),
        );
        registry.register(
            "joules_per_job",
            "Mean energy per job",
            m.joules_per_job.clone(),
        );
        registry.register(
            "work_units_per_joule",
            "Work units per joule",
            m.work_units_per_joule.clone(),
        );
        registry.register(
            "efuel_per_kwh",
            "EFUEL earned per kWh spent on jobs",
            m.efuel_per_kwh.clone(),
        );
        registry.register("jailed", "1 while the node is jailed", m.jailed.clone());
        registry.register(
            "eligible",
            "1 while the operator's own stake meets the minimum",
            m.eligible.clone(),
        );
        registry.register(
            "rpc_errors",
            "Failed agent steps (RPC or chain errors), retried with backoff",
            m.rpc_errors.clone(),
        );
        Metrics { registry, ..m }
    }

    pub fn count_batch(&self, outcome: &str) {
        self.batches
            .get_or_create(&vec![("outcome".to_string(), outcome.to_lowercase())])
            .inc();
    }
}
