//! Shared fixture: every backend this machine has, GPU included.
#![allow(dead_code)]

use std::sync::OnceLock;

use edgefuel_jobs::{reference::ReferenceBackend, Backend, CpuBackend, CpuKernel, GpuBackend};

/// Bytes per GPU buffer of the "split" GPU backend: small enough that every
/// test job is cut into several row and column chunks.
pub const SPLIT_BYTES: u64 = 4096;

/// Whether this is a CI run (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

fn open(cap: Option<u64>) -> Option<GpuBackend> {
    match GpuBackend::new() {
        Ok(g) => Some(match cap {
            Some(bytes) => g.with_max_buffer_bytes(bytes),
            None => g,
        }),
        // A skipped GPU test is a failure in CI.
        Err(e) if in_ci() => {
            panic!("CI must run the GPU tests, but: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPING GPU checks (CI is not set): {e}");
            None
        }
    }
}

/// The GPU backend, opened once per test binary. In CI (`CI` set) a missing
/// adapter fails the test; elsewhere the GPU part is skipped with a message.
pub fn gpu() -> Option<&'static GpuBackend> {
    static GPU: OnceLock<Option<GpuBackend>> = OnceLock::new();
    GPU.get_or_init(|| open(None)).as_ref()
}

/// A GPU backend whose buffers are capped at [`SPLIT_BYTES`], to force chunking.
pub fn split_gpu() -> Option<&'static GpuBackend> {
    static GPU: OnceLock<Option<GpuBackend>> = OnceLock::new();
    GPU.get_or_init(|| open(Some(SPLIT_BYTES))).as_ref()
}

/// Every backend: the naive reference first, then each CPU kernel this CPU
/// supports, then the GPU (whole, and split into small chunks).
pub fn backends() -> Vec<(String, Box<dyn Backend>)> {
    let mut all: Vec<(String, Box<dyn Backend>)> =
        vec![("reference".into(), Box::new(ReferenceBackend))];
    for kernel in [
        CpuKernel::Avx512Vnni,
        CpuKernel::AvxVnni,
        CpuKernel::Avx2,
        CpuKernel::Portable,
    ] {
        if let Ok(cpu) = CpuBackend::with_kernel(kernel) {
            all.push((format!("cpu-{}", kernel.name()), Box::new(cpu)));
        }
    }
    if let Some(g) = gpu() {
        all.push(("gpu".into(), Box::new(g)));
    }
    if let Some(g) = split_gpu() {
        all.push(("gpu-split".into(), Box::new(g)));
    }
    all
}

/// In CI, the GPU must be among the backends.
pub fn assert_gpu_present_in_ci(backends: &[(String, Box<dyn Backend>)]) {
    if in_ci() {
        assert!(
            backends.iter().any(|(n, _)| n == "gpu"),
            "GPU backend missing in CI"
        );
    }
}
