//! The CPU backend: cache-blocked, multi-threaded (rayon) int8 GEMM with an
//! AVX-512 VNNI micro-kernel where the CPU has one and a portable kernel
//! elsewhere. Exact: same integers as [`crate::reference`].

mod kernel;
mod pack;

use std::ops::Range;

use rayon::prelude::*;

pub use kernel::CpuKernel;
use pack::{pack_a, PackedB, MR, NR};

use crate::backend::{check_gemm_inputs, Backend, GemmDims};
use crate::error::{JobError, Result};
use crate::quant::Epilogue;

/// Rows of C per parallel task, at most.
const MC_MAX: usize = 192;

/// The CPU backend (uses rayon's global thread pool).
#[derive(Clone, Copy, Debug)]
pub struct CpuBackend {
    kernel: CpuKernel,
}

impl Default for CpuBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuBackend {
    /// The backend with the fastest kernel this CPU supports.
    pub fn new() -> Self {
        Self {
            kernel: CpuKernel::detect(),
        }
    }

    /// The backend with a chosen kernel; refuses one the CPU lacks.
    pub fn with_kernel(kernel: CpuKernel) -> Result<Self> {
        if kernel.is_supported() {
            Ok(Self { kernel })
        } else {
            Err(JobError::InputMismatch(format!(
                "CPU kernel {} is not supported on this CPU",
                kernel.name()
            )))
        }
    }

    /// The kernel in use.
    pub fn kernel(&self) -> CpuKernel {
        self.kernel
    }

    /// Computes C in parallel row blocks. For each block, `sink` gets a
    /// function that writes the block's int32 accumulators (`rows × n`) into a
    /// buffer, and the block's disjoint chunk of the output.
    fn blocks<T: Send>(
        &self,
        dims: GemmDims,
        a: &[i8],
        b: &[i8],
        out: &mut [T],
        sink: impl Fn(&dyn Fn(&mut [i32]), &mut [T]) + Sync,
    ) {
        let GemmDims { m, n, k } = dims;
        let bp = PackedB::new(b, k, n);
        let threads = rayon::current_num_threads().max(1);
        // Enough blocks to keep every thread busy, each a multiple of MR rows.
        let mc = m
            .div_ceil(threads * 4)
            .next_multiple_of(MR)
            .clamp(MR, MC_MAX);
        if m <= mc && threads > 1 && bp.panels > 1 {
            // One row block cannot feed every thread: split its columns instead.
            let per = bp.panels.div_ceil(threads);
            let ranges: Vec<Range<usize>> = (0..bp.panels)
                .step_by(per)
                .map(|p0| p0..(p0 + per).min(bp.panels))
                .collect();
            let parts: Vec<Vec<i32>> = ranges
                .par_iter()
                .map(|panels| {
                    let width = (panels.end * NR).min(n) - panels.start * NR;
                    let mut acc = vec![0i32; m * width];
                    block(self.kernel, a, m, k, &bp, &mut acc, panels.clone());
                    acc
                })
                .collect();
            let assemble = |acc: &mut [i32]| {
                for (panels, part) in ranges.iter().zip(&parts) {
                    let j0 = panels.start * NR;
                    let width = part.len() / m;
                    for (row, src) in acc.chunks_mut(n).zip(part.chunks(width)) {
                        row[j0..j0 + width].copy_from_slice(src);
                    }
                }
            };
            sink(&assemble, out);
            return;
        }
        out.par_chunks_mut(mc * n)
            .enumerate()
            .for_each(|(i, chunk)| {
                let rows = chunk.len() / n;
                let a_rows = &a[i * mc * k..][..rows * k];
                let all = 0..bp.panels;
                sink(
                    &|acc| block(self.kernel, a_rows, rows, k, &bp, acc, all.clone()),
                    chunk,
                );
            });
    }
}

/// One block: `acc = A_rows · B[:, columns of panels]`, exact; `acc` is
/// `rows ×` (the panels' column count), row-major.
fn block(
    kernel: CpuKernel,
    a: &[i8],
    rows: usize,
    k: usize,
    bp: &PackedB,
    acc: &mut [i32],
    panels: Range<usize>,
) {
    let base = panels.start * NR;
    let width = (panels.end * NR).min(bp.n) - base;
    let mut apack = Vec::new();
    let mut tile = [[0i32; NR]; MR];
    for kb in 0..bp.k_blocks() {
        let kl4 = bp.block_len(kb);
        pack_a(a, rows, k, kb * pack::KC4, kl4, &mut apack);
        for p in panels.clone() {
            let bpanel = bp.panel(kb, p);
            let j0 = p * NR;
            let cols = NR.min(bp.n - j0);
            let jl = j0 - base;
            for (ip, apanel) in apack.chunks(kl4).enumerate() {
                let i0 = ip * MR;
                let live = MR.min(rows - i0);
                for (r, t) in tile.iter_mut().enumerate() {
                    if r < live && kb > 0 {
                        t[..cols].copy_from_slice(&acc[(i0 + r) * width + jl..][..cols]);
                    } else {
                        t.copy_from_slice(&bp.correction[j0..j0 + NR]);
                    }
                }
                kernel.run(apanel, bpanel, &mut tile);
                for (r, t) in tile.iter().enumerate().take(live) {
                    acc[(i0 + r) * width + jl..][..cols].copy_from_slice(&t[..cols]);
                }
            }
        }
    }
}

impl Backend for CpuBackend {
    fn name(&self) -> String {
        format!(
            "cpu ({}, {} threads)",
            self.kernel.name(),
            rayon::current_num_threads()
        )
    }

    fn gemm_i8(&self, dims: GemmDims, a: &[i8], b: &[i8]) -> Result<Vec<i32>> {
        check_gemm_inputs(dims, a, b, None)?;
        let mut c = vec![0i32; dims.m * dims.n];
        self.blocks(dims, a, b, &mut c, |compute, out| compute(out));
        Ok(c)
    }

    fn gemm_requant_i8(
        &self,
        dims: GemmDims,
        a: &[i8],
        b: &[i8],
        epilogue: &Epilogue,
    ) -> Result<Vec<i8>> {
        check_gemm_inputs(dims, a, b, Some(epilogue))?;
        let mut y = vec![0i8; dims.m * dims.n];
        self.blocks(dims, a, b, &mut y, |compute, out| {
            let mut acc = vec![0i32; out.len()];
            compute(&mut acc);
            epilogue.apply_rows(&acc, out, dims.n);
        });
        Ok(y)
    }
}
