//! Kernels: every job kind on every CPU micro-kernel this CPU runs and on
//! the GPU backend (GOP/s = 2 × multiply-accumulates / s, median of repeated
//! runs on inputs generated beforehand), the whole job on the CPU (input
//! generation + kernels + SHA-256), the int8 GEMM against `gemmkit` (single
//! thread and all threads), and every figure as a fraction of this CPU's
//! int8 peak. All backends must give the same bytes (checked).
use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::bail;
use edgefuel_jobs::inputs::seeded_i8;
use edgefuel_jobs::{
    execute, output_commitment, reference, run_inputs, Backend, Conv2dShape, CpuBackend, CpuKernel,
    GemmDims, GpuBackend, JobInputs, JobSpec,
};
use gemmkit::{MatMut, MatRef, Parallelism};

use crate::machine::Machine;

/// Median seconds of `f` over repeats filling about `budget` (≥ 3 runs).
fn time(budget: Duration, mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 3 || (start.elapsed() < budget && samples.len() < 200) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64());
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

pub fn gops(macs: u64, secs: f64) -> f64 {
    2.0 * macs as f64 / secs / 1e9
}

/// This CPU's int8 multiply-accumulate peak, and how it was derived.
#[derive(Clone, Debug)]
pub struct Peak {
    pub gops: f64,
    pub formula: String,
    pub source: String,
}

/// Peak = logical CPUs × VNNI instructions per cycle × MACs per instruction ×
/// 2 ops × clock. The clock is the one /proc/cpuinfo reports (the nominal
/// clock inside this VM; boost clocks can exceed it, so the bound is the
/// sustained all-core figure at that clock, not a hard ceiling).
pub fn peak(m: &Machine, kernel: CpuKernel) -> Option<Peak> {
    let ghz = m.mhz? / 1000.0;
    let (per_cycle, macs, what, source) = match kernel {
        CpuKernel::Avx512Vnni => (
            2.0,
            64.0,
            "VPDPBUSD zmm",
            "assumed 2 per cycle per core: AMD Zen 5 and Intel Xeon parts with two 512-bit FMA units issue 512-bit integer multiply-adds on two pipes (for Zen 5 see A. Yee, \"Zen5's AVX512 Teardown\", numberworld.org, 2024); not measured on this VM",
        ),
        CpuKernel::AvxVnni => (
            2.0,
            32.0,
            "VPDPBUSD ymm",
            "assumed 2 per cycle per core (two 256-bit vector multiply pipes); not measured on this VM",
        ),
        CpuKernel::Avx2 => (
            2.0,
            16.0,
            "VPMADDWD ymm",
            "assumed 2 per cycle per core (two 256-bit vector integer multiply pipes on AMD Zen 2 and later and Intel Skylake and later); not measured on this VM",
        ),
        _ => return None,
    };
    let cpus = m.cpus as f64;
    Some(Peak {
        gops: cpus * per_cycle * macs * 2.0 * ghz,
        formula: format!(
            "{} CPUs × {per_cycle} {what} per cycle × {macs} MACs × 2 ops × {ghz:.3} GHz",
            m.cpus
        ),
        source: source.into(),
    })
}

/// One job row: GOP/s per backend (None: the backend failed or is absent).
#[derive(Clone, Debug)]
pub struct JobRow {
    pub label: String,
    pub work_units: u64,
    pub gops: Vec<Option<f64>>,
    /// The whole job on the fastest CPU kernel.
    pub end_to_end: f64,
}

/// The int8 GEMM against gemmkit at one size.
#[derive(Clone, Debug)]
pub struct GemmRow {
    pub size: usize,
    pub naive: Option<f64>,
    pub gemmkit_1: f64,
    pub ours_1: f64,
    pub gemmkit_n: f64,
    pub ours_n: f64,
}

#[derive(Clone, Debug)]
pub struct KernelReport {
    pub backends: Vec<String>,
    pub gpu: Result<String, String>,
    pub jobs: Vec<JobRow>,
    pub gemm: Vec<GemmRow>,
    pub threads: usize,
    pub detected: CpuKernel,
    pub peak: Option<Peak>,
}

fn conv(hw: u32, c: u32, o: u32) -> Conv2dShape {
    Conv2dShape {
        batch: 1,
        height: hw,
        width: hw,
        in_channels: c,
        out_channels: o,
        kernel_h: 3,
        kernel_w: 3,
        stride: 1,
        padding: 1,
    }
}

pub fn run(m: &Machine, short: bool, progress: &dyn Fn(&str)) -> anyhow::Result<KernelReport> {
    let budget = Duration::from_millis(if short { 20 } else { 1_200 });
    let seed = [42u8; 32];
    let cpu = CpuBackend::new();
    let threads = rayon::current_num_threads();

    // int8 GEMM: ours vs gemmkit (1 thread, all threads) vs the naive loop.
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let sizes: &[usize] = if short { &[64] } else { &[512, 1024] };
    let mut gemm = Vec::new();
    for &s in sizes {
        progress(&format!("kernels: int8 GEMM {s}³ vs gemmkit"));
        let dims = GemmDims { m: s, n: s, k: s };
        let a = seeded_i8(&seed, 0, s * s);
        let b = seeded_i8(&seed, 1, s * s);
        let macs = (s * s * s) as u64;
        let expect = reference::gemm_i8(dims, &a, &b);
        let mut c = vec![0i32; s * s];
        let gk = |par: Parallelism, c: &mut [i32]| {
            gemmkit::gemm_i8(
                1,
                MatRef::from_row_major(&a, s, s),
                MatRef::from_row_major(&b, s, s),
                0,
                MatMut::from_row_major(c, s, s),
                par,
            )
        };
        gk(Parallelism::Rayon(0), &mut c);
        if c != expect {
            bail!("gemmkit disagrees with the reference at {s}³");
        }
        if cpu.gemm_i8(dims, &a, &b)? != expect {
            bail!("edgefuel cpu disagrees with the reference at {s}³");
        }
        let naive = (s <= 512).then(|| {
            gops(
                macs,
                time(budget / 4, || {
                    black_box(reference::gemm_i8(dims, &a, &b));
                }),
            )
        });
        let ours = || {
            black_box(cpu.gemm_i8(dims, &a, &b)).ok();
        };
        let gemmkit_1 = gops(macs, time(budget, || gk(Parallelism::Serial, &mut c)));
        let gemmkit_n = gops(macs, time(budget, || gk(Parallelism::Rayon(0), &mut c)));
        let ours_n = gops(macs, time(budget, ours));
        let ours_1 = gops(macs, single.install(|| time(budget, ours)));
        gemm.push(GemmRow {
            size: s,
            naive,
            gemmkit_1,
            ours_1,
            gemmkit_n,
            ours_n,
        });
    }

    // Every job kind on every backend.
    let mut backends: Vec<(String, Box<dyn Backend>)> =
        vec![(format!("cpu {}", cpu.kernel().name()), Box::new(cpu))];
    for kernel in [
        CpuKernel::Avx512Vnni,
        CpuKernel::AvxVnni,
        CpuKernel::Avx2,
        CpuKernel::Portable,
    ] {
        if kernel == cpu.kernel() {
            continue;
        }
        if let Ok(other) = CpuBackend::with_kernel(kernel) {
            backends.push((format!("cpu {}", kernel.name()), Box::new(other)));
        }
    }
    let gpu = match GpuBackend::new() {
        Ok(g) => {
            let name = g.adapter().to_string();
            backends.push(("gpu".into(), Box::new(g)));
            Ok(name)
        }
        Err(e) => Err(e.to_string()),
    };
    let specs: Vec<(&str, &str, Result<JobSpec, _>)> = if short {
        vec![
            ("gemm_i8", "gemm_i8 64³", JobSpec::gemm(64, 64, 64, seed)),
            (
                "mlp_i8",
                "mlp_i8 b8 [64,64,10]",
                JobSpec::mlp(8, vec![64, 64, 10], seed),
            ),
            (
                "conv2d_i8",
                "conv2d_i8 8²×8→8 3×3",
                JobSpec::conv2d(conv(8, 8, 8), seed),
            ),
        ]
    } else {
        vec![
            (
                "gemm_i8",
                "gemm_i8 512³",
                JobSpec::gemm(512, 512, 512, seed),
            ),
            (
                "gemm_i8",
                "gemm_i8 1024³",
                JobSpec::gemm(1024, 1024, 1024, seed),
            ),
            (
                "mlp_i8",
                "mlp_i8 b64 [256,256,10]",
                JobSpec::mlp(64, vec![256, 256, 10], seed),
            ),
            (
                "mlp_i8",
                "mlp_i8 b256 [1024,1024,1024,10]",
                JobSpec::mlp(256, vec![1024, 1024, 1024, 10], seed),
            ),
            (
                "conv2d_i8",
                "conv2d_i8 28²×32→32 3×3",
                JobSpec::conv2d(conv(28, 32, 32), seed),
            ),
            (
                "conv2d_i8",
                "conv2d_i8 56²×64→64 3×3",
                JobSpec::conv2d(conv(56, 64, 64), seed),
            ),
        ]
    };
    let mut jobs = Vec::new();
    for (_kind, label, spec) in specs {
        progress(&format!("kernels: {label}"));
        let spec = spec?;
        let inputs = JobInputs::generate(&spec)?;
        let mut row = JobRow {
            label: label.into(),
            work_units: spec.work_units(),
            gops: Vec::new(),
            end_to_end: 0.0,
        };
        let mut outputs = Vec::new();
        for (_, backend) in &backends {
            let mut last = None;
            let secs = time(budget / 2, || {
                last = Some(run_inputs(&inputs, backend.as_ref()))
            });
            match last {
                Some(Ok(out)) => {
                    outputs.push(output_commitment(&out));
                    row.gops.push(Some(gops(spec.work_units(), secs)));
                }
                _ => row.gops.push(None),
            }
        }
        if !outputs.windows(2).all(|w| w[0] == w[1]) {
            bail!("backends disagree on {label}");
        }
        row.end_to_end = gops(
            spec.work_units(),
            time(budget / 2, || {
                black_box(execute(&spec, &cpu)).ok();
            }),
        );
        jobs.push(row);
    }
    Ok(KernelReport {
        backends: backends.into_iter().map(|(n, _)| n).collect(),
        gpu,
        jobs,
        gemm,
        threads,
        detected: cpu.kernel(),
        peak: peak(m, cpu.kernel()),
    })
}
