//! Throughput table: GOP/s (2 ops per multiply-accumulate) of every kernel on
//! every backend, and the CPU int8 GEMM against the `gemmkit` crate and a naive
//! loop at 512³, in one run.
//!
//! `cargo bench -p edgefuel-jobs --bench throughput` (add `-- --quick` for a
//! short run). A missing GPU adapter is reported in the table, not fatal.

use std::hint::black_box;
use std::time::{Duration, Instant};

use edgefuel_jobs::inputs::seeded_i8;
use edgefuel_jobs::{
    execute, output_commitment, reference, run_inputs, Backend, Conv2dShape, CpuBackend, CpuKernel,
    GemmDims, GpuBackend, JobInputs, JobSpec,
};
use gemmkit::{MatMut, MatRef, Parallelism};

/// Median seconds of `f` over repeats filling about `budget` (at least 3 runs).
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

fn gops(macs: u64, secs: f64) -> f64 {
    2.0 * macs as f64 / secs / 1e9
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = Duration::from_millis(if quick { 300 } else { 1500 });
    let seed = [42u8; 32];
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build();
    let cpu = CpuBackend::new();
    let threads = rayon::current_num_threads();

    println!(
        "# CPU int8 GEMM at 512³ (i8×i8→i32), {threads} threads, kernel {}",
        cpu.kernel().name()
    );
    let (m, n, k) = (512usize, 512usize, 512usize);
    let dims = GemmDims { m, n, k };
    let a = seeded_i8(&seed, 0, m * k);
    let b = seeded_i8(&seed, 1, k * n);
    let macs = (m * n * k) as u64;
    let expect = reference::gemm_i8(dims, &a, &b);
    let mut c = vec![0i32; m * n];
    let gemmkit = |par: Parallelism, c: &mut [i32]| {
        gemmkit::gemm_i8(
            1,
            MatRef::from_row_major(&a, m, k),
            MatRef::from_row_major(&b, k, n),
            0,
            MatMut::from_row_major(c, m, n),
            par,
        )
    };
    gemmkit(Parallelism::Rayon(0), &mut c);
    assert_eq!(c, expect, "gemmkit disagrees with the reference");
    let ours = |backend: &CpuBackend| {
        let out = backend.gemm_i8(dims, &a, &b);
        black_box(out).ok();
    };
    assert_eq!(cpu.gemm_i8(dims, &a, &b).ok(), Some(expect));

    let naive = time(budget, || {
        black_box(reference::gemm_i8(dims, &a, &b));
    });
    let gk_1 = time(budget, || gemmkit(Parallelism::Serial, &mut c));
    let gk_n = time(budget, || gemmkit(Parallelism::Rayon(0), &mut c));
    let ours_n = time(budget, || ours(&cpu));
    let ours_1 = match &single {
        Ok(pool) => pool.install(|| time(budget, || ours(&cpu))),
        Err(_) => f64::NAN,
    };
    println!("| implementation | threads | GOP/s |");
    println!("|---|---|---|");
    println!(
        "| naive loop (reference::gemm_i8) | 1 | {:.1} |",
        gops(macs, naive)
    );
    println!("| gemmkit 0.1 | 1 | {:.1} |", gops(macs, gk_1));
    println!("| edgefuel cpu | 1 | {:.1} |", gops(macs, ours_1));
    println!("| gemmkit 0.1 | {threads} | {:.1} |", gops(macs, gk_n));
    println!("| edgefuel cpu | {threads} | {:.1} |", gops(macs, ours_n));
    println!(
        "ratio edgefuel/gemmkit: {:.2} ({threads} threads), {:.2} (1 thread); edgefuel/naive: {:.0}×",
        gk_n / ours_n,
        gk_1 / ours_1,
        naive / ours_n
    );

    println!();
    println!("# Kernels per backend (seeded inputs prepared beforehand), GOP/s;");
    println!("# last column: the whole job on the CPU (input generation + kernels + SHA-256)");
    let gpu = GpuBackend::new();
    let mut backends: Vec<(String, Box<dyn Backend>)> = vec![("cpu".into(), Box::new(cpu))];
    for kernel in [CpuKernel::AvxVnni, CpuKernel::Avx2, CpuKernel::Portable] {
        if let (Ok(other), true) = (CpuBackend::with_kernel(kernel), cpu.kernel() != kernel) {
            backends.push((format!("cpu-{}", kernel.name()), Box::new(other)));
        }
    }
    match gpu {
        Ok(g) => {
            println!("gpu adapter: {}", g.name());
            backends.push(("gpu".into(), Box::new(g)));
        }
        Err(e) => println!("gpu: unavailable ({e})"),
    }
    let conv = |hw: u32, c: u32, o: u32| Conv2dShape {
        batch: 1,
        height: hw,
        width: hw,
        in_channels: c,
        out_channels: o,
        kernel_h: 3,
        kernel_w: 3,
        stride: 1,
        padding: 1,
    };
    let mut specs = vec![
        ("gemm_i8 128³", JobSpec::gemm(128, 128, 128, seed)),
        ("gemm_i8 512³", JobSpec::gemm(512, 512, 512, seed)),
        ("gemm_i8 1024³", JobSpec::gemm(1024, 1024, 1024, seed)),
        (
            "mlp_i8 b64 [256,256,10]",
            JobSpec::mlp(64, vec![256, 256, 10], seed),
        ),
        (
            "mlp_i8 b256 [1024,1024,1024,10]",
            JobSpec::mlp(256, vec![1024, 1024, 1024, 10], seed),
        ),
        (
            "conv2d_i8 28²×32→32 3×3",
            JobSpec::conv2d(conv(28, 32, 32), seed),
        ),
        (
            "conv2d_i8 56²×64→64 3×3",
            JobSpec::conv2d(conv(56, 64, 64), seed),
        ),
    ];
    if !quick {
        specs.push(("gemm_i8 2048³", JobSpec::gemm(2048, 2048, 2048, seed)));
    }
    print!("| job | work units |");
    for (name, _) in &backends {
        print!(" {name} |");
    }
    println!(" cpu end to end |");
    println!("|---|---|{}---|", "---|".repeat(backends.len()));
    for (label, spec) in specs {
        let Ok(spec) = spec else { continue };
        let Ok(inputs) = JobInputs::generate(&spec) else {
            continue;
        };
        print!("| {label} | {} |", spec.work_units());
        let mut outputs = Vec::new();
        for (_, backend) in &backends {
            let mut last = None;
            let secs = time(budget / 2, || {
                last = Some(run_inputs(&inputs, backend.as_ref()))
            });
            match last {
                Some(Ok(out)) => {
                    outputs.push(output_commitment(&out));
                    print!(" {:.1} |", gops(spec.work_units(), secs));
                }
                Some(Err(e)) => print!(" error: {e} |"),
                None => print!(" - |"),
            }
        }
        let secs = time(budget / 2, || {
            black_box(execute(&spec, &cpu)).ok();
        });
        println!(" {:.1} |", gops(spec.work_units(), secs));
        assert!(
            outputs.windows(2).all(|w| w[0] == w[1]),
            "backends disagree on {label}"
        );
    }
}
