//! Energy per job. Where the machine exposes a counter it is read and the
//! figure is labelled `measured`: for jobs on a GPU, the NVIDIA driver's
//! total-energy counter of GPU 0 (NVML, `nvmlDeviceGetTotalEnergyConsumption`,
//! Volta and newer, read through `nvml-wrapper`, which loads
//! `libnvidia-ml.so` at run time); for jobs on the CPU (or a GPU without
//! NVML), Linux powercap (RAPL) for the CPU package. Otherwise energy =
//! configured device watts × job time, labelled `estimated`, and the reason
//! no counter was used is kept for the dashboard and the log.
use nvml_wrapper::Nvml;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// GPU 0's total-energy counter through NVML.
#[derive(Clone)]
pub struct NvmlCounter {
    nvml: Arc<Nvml>,
    name: String,
}

impl std::fmt::Debug for NvmlCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NvmlCounter({})", self.name)
    }
}

impl NvmlCounter {
    /// Loads NVML and checks that GPU 0 reports its energy; the error says
    /// why not (no driver library, no device, a GPU older than Volta).
    pub fn open() -> Result<NvmlCounter, String> {
        let nvml = Nvml::init().map_err(|e| format!("no NVML ({e})"))?;
        let device = nvml
            .device_by_index(0)
            .map_err(|e| format!("NVML has no GPU 0 ({e})"))?;
        let name = device.name().unwrap_or_else(|_| "GPU 0".into());
        device
            .total_energy_consumption()
            .map_err(|e| format!("{name} reports no energy counter through NVML ({e})"))?;
        Ok(NvmlCounter {
            nvml: Arc::new(nvml),
            name,
        })
    }

    /// The counter in µJ (NVML counts mJ since the driver loaded).
    fn read_uj(&self) -> Option<u64> {
        let mj = self
            .nvml
            .device_by_index(0)
            .ok()?
            .total_energy_consumption()
            .ok()?;
        mj.checked_mul(1_000)
    }
}

/// Where a meter reads energy.
#[derive(Debug, Clone)]
enum Counter {
    Nvml(NvmlCounter),
    Rapl(Rapl),
}

/// Reads energy counters, or estimates.
#[derive(Debug, Clone)]
pub struct EnergyMeter {
    counter: Option<Counter>,
    watts: f64,
    /// Why no NVML counter is read, when one was looked for.
    nvml_missing: Option<String>,
}

/// A counter reading at the start of a job.
pub struct Mark {
    uj: Option<u64>,
}

/// The CPU package's RAPL zone.
const RAPL_ZONE: &str = "/sys/class/powercap/intel-rapl:0";

impl EnergyMeter {
    /// The meter for jobs on a GPU (`gpu`: NVML first) or the CPU: the
    /// first readable counter, else estimates with `watts`.
    pub fn open(watts: f64, gpu: bool) -> Self {
        let nvml = gpu.then(NvmlCounter::open);
        Self::open_from(nvml, Path::new(RAPL_ZONE), watts)
    }

    /// [`Self::open`] with NVML's outcome (None: not looked for) and the
    /// powercap zone at `zone`.
    pub fn open_from(nvml: Option<Result<NvmlCounter, String>>, zone: &Path, watts: f64) -> Self {
        let (nvml, nvml_missing) = match nvml {
            Some(Ok(c)) => (Some(c), None),
            Some(Err(why)) => (None, Some(why)),
            None => (None, None),
        };
        let rapl = || {
            let energy_uj = zone.join("energy_uj");
            read_u64(&energy_uj).map(|_| Rapl {
                max_uj: read_u64(&zone.join("max_energy_range_uj")).unwrap_or(u64::MAX),
                energy_uj,
            })
        };
        let counter = match nvml {
            Some(c) => Some(Counter::Nvml(c)),
            None => rapl().map(Counter::Rapl),
        };
        EnergyMeter {
            counter,
            watts,
            nvml_missing,
        }
    }

    pub fn source(&self) -> EnergySource {
        if self.counter.is_some() {
            EnergySource::Measured
        } else {
            EnergySource::Estimated
        }
    }

    /// How energy is obtained, for logs and the dashboard.
    pub fn describe(&self) -> String {
        let why = self
            .nvml_missing
            .as_ref()
            .map(|w| format!("; {w}"))
            .unwrap_or_default();
        match &self.counter {
            Some(Counter::Nvml(c)) => format!("measured by NVML on {}", c.name),
            Some(Counter::Rapl(r)) => format!("measured from {}{why}", r.energy_uj.display()),
            None => format!(
                "estimated at {} W (no RAPL counter on this machine{why})",
                self.watts
            ),
        }
    }

    fn read_uj(&self) -> Option<u64> {
        match self.counter.as_ref()? {
            Counter::Nvml(c) => c.read_uj(),
            Counter::Rapl(r) => read_u64(&r.energy_uj),
        }
    }

    pub fn mark(&self) -> Mark {
        Mark { uj: self.read_uj() }
    }

    /// Joules since `mark` for a job that took `seconds`.
    pub fn since(&self, mark: &Mark, seconds: f64) -> (f64, EnergySource) {
        if let (Some(start), Some(now)) = (mark.uj, self.read_uj()) {
            let delta = if now >= start {
                now - start
            } else {
                match &self.counter {
                    // RAPL wraps at its range; NVML's 64-bit mJ count does not.
                    Some(Counter::Rapl(r)) => r.max_uj.saturating_sub(start) + now,
                    _ => 0,
                }
            };
            return (delta as f64 / 1e6, EnergySource::Measured);
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
        let m = EnergyMeter::open_from(None, &dir, 50.0);
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
        let m = EnergyMeter::open_from(None, Path::new("/nonexistent/powercap"), 40.0);
        assert_eq!(m.source(), EnergySource::Estimated);
        let (j, s) = m.since(&m.mark(), 0.5);
        assert_eq!((j, s), (20.0, EnergySource::Estimated));
        assert_eq!(
            m.describe(),
            "estimated at 40 W (no RAPL counter on this machine)"
        );
    }

    #[test]
    fn a_gpu_without_nvml_falls_back_to_rapl_then_to_the_estimate_and_says_why() {
        let why = || Some(Err("no NVML (a libloading error)".to_string()));
        let m = EnergyMeter::open_from(why(), Path::new("/nonexistent/powercap"), 300.0);
        assert_eq!(m.source(), EnergySource::Estimated);
        assert_eq!(m.since(&m.mark(), 2.0), (600.0, EnergySource::Estimated));
        assert_eq!(
            m.describe(),
            "estimated at 300 W (no RAPL counter on this machine; no NVML (a libloading error))"
        );
        let dir = std::env::temp_dir().join(format!("edgefuel-rapl-gpu-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("energy_uj"), "1000000\n").unwrap();
        let m = EnergyMeter::open_from(why(), &dir, 300.0);
        assert_eq!(m.source(), EnergySource::Measured);
        let mark = m.mark();
        std::fs::write(dir.join("energy_uj"), "3500000\n").unwrap();
        assert_eq!(m.since(&mark, 9.0), (2.5, EnergySource::Measured));
        assert!(m.describe().ends_with("; no NVML (a libloading error)"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn on_this_machine_nvml_is_used_or_refused_cleanly() {
        // No NVIDIA driver in CI: opening NVML must fail with a reason, not
        // panic; with a driver and a Volta+ GPU it is read.
        match NvmlCounter::open() {
            Ok(c) => {
                let m = EnergyMeter::open_from(Some(Ok(c)), Path::new("/nonexistent"), 1.0);
                assert_eq!(m.source(), EnergySource::Measured);
            }
            Err(why) => assert!(!why.is_empty()),
        }
        let m = EnergyMeter::open(75.0, true);
        assert!(!m.describe().is_empty());
    }
}
