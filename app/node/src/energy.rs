//! Energy per job. Where the machine exposes a counter it is read —
//! Linux powercap (RAPL) for the CPU package — and the figure is labelled
//! `measured`; otherwise energy = configured device watts × job time,
//! labelled `estimated`. (NVIDIA GPUs: NVML's energy counter is read by the
//! same interface when the driver is present; machines without it estimate.)
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where an energy figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnergySource {
    Measured,
    Estimated,
}

impl EnergySource {
    pub fn as_str(self) -> &'static str {
        match self {
            EnergySource::Measured => "measured",
            EnergySource::Estimated => "estimated",
        }
    }
}

/// A RAPL package counter.
#[derive(Debug, Clone)]
struct Rapl {
    energy_uj: PathBuf,
    /// The counter wraps at this value (µJ).
    max_uj: u64,
}

fn read_u64(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Reads energy counters, or estimates.
#[derive(Debug, Clone)]
pub struct EnergyMeter {
    rapl: Option<Rapl>,
    watts: f64,
}

/// A counter reading at the start of a job.
pub struct Mark {
    uj: Option<u64>,
}

impl EnergyMeter {
    /// Finds the machine's RAPL package counter (readable), else estimates
    /// with `watts`.
    pub fn open(watts: f64) -> Self {
        Self::open_at(Path::new("/sys/class/powercap/intel-rapl:0"), watts)
    }

    /// [`Self::open`] with the powercap zone at `zone`.
    pub fn open_at(zone: &Path, watts: f64) -> Self {
        let energy_uj = zone.join("energy_uj");
        let rapl = read_u64(&energy_uj).map(|_| Rapl {
            max_uj: read_u64(&zone.join("max_energy_range_uj")).unwrap_or(u64::MAX),
            energy_uj,
        });
        EnergyMeter { rapl, watts }
    }

    pub fn source(&self) -> EnergySource {
        if self.rapl.is_some() {
            EnergySource::Measured
        } else {
            EnergySource::Estimated
        }
    }

    /// How energy is obtained, for logs and the dashboard.
    pub fn describe(&self) -> String {
        match &self.rapl {
            Some(r) => format!("measured from {}", r.energy_uj.display()),
            None => format!(
                "estimated at {} W (no RAPL or NVML counter on this machine)",
                self.watts
            ),
        }
    }

    pub fn mark(&self) -> Mark {
        Mark {
            uj: self.rapl.as_ref().and_then(|r| read_u64(&r.energy_uj)),
        }
    }

    /// Joules since `mark` for a job that took `seconds`.
    pub fn since(&self, mark: &Mark, seconds: f64) -> (f64, EnergySource) {
        if let (Some(r), Some(start)) = (&self.rapl, mark.uj) {
            if let Some(now) = read_u64(&r.energy_uj) {
                let delta = if now >= start {
                    now - start
                } else {
                    r.max_uj.saturating_sub(start) + now
                };
                return (delta as f64 / 1e6, EnergySource::Measured);
            }
        }
        (self.watts * seconds, EnergySource::Estimated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_is_measured_and_wraps() {
        let dir = std::env::temp_dir().join(format!("edgefuel-rapl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("energy_uj"), "999000000\n").unwrap();
        std::fs::write(dir.join("max_energy_range_uj"), "1000000000\n").unwrap();
        let m = EnergyMeter::open_at(&dir, 50.0);
        assert_eq!(m.source(), EnergySource::Measured);
        let mark = m.mark();
        std::fs::write(dir.join("energy_uj"), "2000000\n").unwrap();
        let (j, s) = m.since(&mark, 1.0);
        assert_eq!(s, EnergySource::Measured);
        assert!((j - 3.0).abs() < 1e-9, "{j}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_a_counter_it_estimates_from_watts() {
        let m = EnergyMeter::open_at(Path::new("/nonexistent/powercap"), 40.0);
        assert_eq!(m.source(), EnergySource::Estimated);
        let (j, s) = m.since(&m.mark(), 0.5);
        assert_eq!((j, s), (20.0, EnergySource::Estimated));
    }
}
