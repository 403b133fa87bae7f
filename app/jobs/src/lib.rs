//! # EdgeFuel job engine
//!
//! What a node agent runs and a verifier re-runs. A job is a [`JobSpec`]:
//! a kind, a shape and a 32-byte seed. Its inputs are generated from the seed
//! ([`inputs`]), its kernels are integer-only and bit-exact on every backend,
//! and its result is committed to by a hash of canonical bytes, so a verdict
//! is an equality check.
//!
//! ```no_run
//! use edgefuel_jobs::{execute, CpuBackend, JobSpec};
//! let spec = JobSpec::gemm(512, 512, 512, [7u8; 32])?;
//! let out = execute(&spec, &CpuBackend::new())?;
//! let leaf = (spec.kind() as u8, out.work_units(), out.job_id(), out.output_commitment());
//! # let _ = leaf;
//! # Ok::<(), edgefuel_jobs::JobError>(())
//! ```
//!
//! ## Job kinds (`JobKind as u8`)
//! | kind | value | computes | output bytes |
//! |---|---|---|---|
//! | `gemm_i8` | 0 | `C = A·B`, A `m×k`, B `k×n` int8, C int32 | `m·n` int32 LE |
//! | `mlp_i8` | 1 | `widths.len()−1` dense layers `y = requant(b + x·W)`, ReLU on hidden layers | `batch·widths.last()` int8 |
//! | `conv2d_i8` | 2 | NHWC conv, `kh×kw` filters, stride, zero padding, bias, requant, ReLU | `batch·out_h·out_w·out_c` int8 |
//!
//! Requantization (multiplier + shift, round half up, saturate) is defined in
//! [`quant`]. All int32 sums wrap (two's complement), though the limits keep
//! every generated job far from overflow. Why backends agree bit for bit:
//! there are no floats and no atomics, and wrapping int32 addition is
//! associative and commutative, so the blocked CPU order, the GPU order and
//! the naive `i, j, k` order give the same integers (each backend's order is
//! fixed anyway); requantization is an exact 64-bit computation.
//!
//! ## Job id
//! `job_id = SHA-256(borsh(JobSpec))`; the borsh bytes are
//! `kind u8 ‖ shape ‖ seed[32]`, every integer u32 little-endian
//! (see [`JobSpec`]). [`JobSpec::from_bytes`] accepts exactly these bytes.
//!
//! ## Work units
//! One work unit = one int8 multiply-accumulate, computed from the spec alone
//! ([`JobSpec::work_units`]): `m·n·k` for `gemm_i8`,
//! `batch·Σ widths[l]·widths[l+1]` for `mlp_i8`,
//! `batch·T_h·T_w·in_c·out_c` for `conv2d_i8`, where `T_h`/`T_w` count the
//! (output, filter) row/column pairs whose input lies inside the image:
//! multiplies by the zero padding are not work.
//!
//! ## Output commitment
//! `output_commitment = SHA-256(output bytes)`, the bytes being the output
//! tensor row-major (NHWC for conv) with no header: int32 little-endian for
//! `gemm_i8`, one byte per int8 for the others.
//!
//! ## Limits
//! See [`limits`]: dimensions ≤ 16 384, reductions ≤ 65 536, each tensor ≤
//! 256 MiB, ≤ 16 MLP layers, conv kernels ≤ 16, stride ≤ 8, one conv image
//! ≤ 16 MiB, work ≤ 2³⁶ units. Specs beyond them are refused with
//! [`SpecError::ShapeOutOfRange`] or [`SpecError::TooLarge`].
//!
//! ## Backends
//! [`CpuBackend`] (packed, cache-blocked, rayon; AVX-512 VNNI, AVX-VNNI, AVX2
//! or portable micro-kernel picked at run time) and [`GpuBackend`] (wgpu
//! compute shaders in WGSL: Vulkan/Metal/DX12, Mesa lavapipe in CI). Both
//! implement [`Backend`]; [`mod@reference`] holds the naive definition they are
//! tested against. Every job kind lowers to the two GEMM primitives of
//! [`Backend`] (`conv2d_i8` through im2col), so equality of the primitives is
//! equality of the jobs.

pub mod backend;
pub mod conv;
pub mod cpu;
pub mod error;
mod exec;
pub mod gpu;
pub mod inputs;
pub mod quant;
pub mod reference;

pub use backend::{Backend, GemmDims};
pub use cpu::{CpuBackend, CpuKernel};
/// Job specs, limits, the work formula and the bound seed rule: the shared
/// `edgefuel-spec` crate, which the on-chain program uses too.
pub use edgefuel_spec::{self as spec, limits};
pub use edgefuel_spec::{job_seed, Conv2dShape, JobKind, JobShape, JobSpec, SpecError};
pub use error::{JobError, Result};
pub use exec::{
    execute, execute_timed, output_commitment, run_inputs, verify, ExecTimes, JobOutput,
};
pub use gpu::GpuBackend;
pub use inputs::{DenseLayer, JobInputs};
pub use quant::{Epilogue, Requant};
