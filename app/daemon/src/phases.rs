//! Where a daemon's time goes: `<prefix>_phase_seconds_total{phase}`, one
//! counter of wall-clock seconds per phase (`inputs`, `kernel`, `hashing`,
//! `journal`, `chain`, `idle`). The phases of one process do not overlap,
//! so their sum is the process's running time.
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

/// Seeded input generation (ChaCha).
pub const INPUTS: &str = "inputs";
/// Kernels on the device.
pub const KERNEL: &str = "kernel";
/// SHA-256 of outputs and the receipt sum tree.
pub const HASHING: &str = "hashing";
/// The local journal (SQLite).
pub const JOURNAL: &str = "journal";
/// Requests to the chain: reads, sending transactions and waiting for their
/// confirmation (the program runs inside this).
pub const CHAIN: &str = "chain";
/// Sleeping between steps (nothing to do until the next poll or batch).
pub const IDLE: &str = "idle";

/// The phase counters of one daemon.
#[derive(Clone, Default)]
pub struct Phases(Family<Vec<(String, String)>, Counter<f64, AtomicU64>>);

impl Phases {
    /// Registers the family as `phase_seconds` in `registry`.
    pub fn register(registry: &mut Registry) -> Phases {
        let p = Phases::default();
        registry.register(
            "phase_seconds",
            "Wall-clock seconds by phase (inputs, kernel, hashing, journal, chain, idle)",
            p.0.clone(),
        );
        p
    }

    /// Adds `seconds` to `phase`.
    pub fn add(&self, phase: &str, seconds: f64) {
        if seconds > 0.0 {
            self.0
                .get_or_create(&vec![("phase".to_string(), phase.to_string())])
                .inc_by(seconds);
        }
    }

    /// Adds the time since `start` to `phase` and returns now.
    pub fn lap(&self, phase: &str, start: Instant) -> Instant {
        let now = Instant::now();
        self.add(phase, (now - start).as_secs_f64());
        now
    }

    /// Ends a step of a daemon's loop that began at `start`: its time minus
    /// the `local` seconds already counted to other phases goes to
    /// [`CHAIN`].
    pub fn end_step(&self, start: Instant, local: f64) {
        self.add(CHAIN, start.elapsed().as_secs_f64() - local);
    }

    /// Seconds counted for `phase` so far.
    pub fn get(&self, phase: &str) -> f64 {
        self.0
            .get_or_create(&vec![("phase".to_string(), phase.to_string())])
            .get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_add_up_and_are_exposed() {
        let mut registry = Registry::with_prefix("edgefuel_test");
        let p = Phases::register(&mut registry);
        p.add(KERNEL, 1.5);
        p.add(KERNEL, 0.25);
        p.add(CHAIN, -1.0);
        assert_eq!(p.get(KERNEL), 1.75);
        assert_eq!(p.get(CHAIN), 0.0);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        assert!(
            text.contains("edgefuel_test_phase_seconds_total{phase=\"kernel\"} 1.75"),
            "{text}"
        );
    }
}
