//! Running a job: seeded inputs → kernels on a backend → canonical output bytes.

use sha2::{Digest, Sha256};
use std::time::Instant;

use crate::backend::{Backend, GemmDims};
use crate::error::{JobError, Result};
use crate::inputs::JobInputs;
use crate::spec::{JobKind, JobSpec};

/// The result of a job, with everything a receipt needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobOutput {
    kind: JobKind,
    job_id: [u8; 32],
    work_units: u64,
    bytes: Vec<u8>,
    commitment: [u8; 32],
}

impl JobOutput {
    /// The job kind (`kind() as u8` goes in the receipt leaf).
    pub fn kind(&self) -> JobKind {
        self.kind
    }
    /// SHA-256 of the spec's canonical bytes.
    pub fn job_id(&self) -> [u8; 32] {
        self.job_id
    }
    /// Work units of the spec (multiply-accumulates).
    pub fn work_units(&self) -> u64 {
        self.work_units
    }
    /// Canonical output bytes: int32 little-endian for `gemm_i8`, int8 for
    /// the quantized kinds; row-major (NHWC for conv).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// `SHA-256(bytes())`: what a node commits and a verifier recomputes.
    pub fn output_commitment(&self) -> [u8; 32] {
        self.commitment
    }
}

/// Where a job's time went (seconds of wall time).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ExecTimes {
    /// Generating the seeded inputs (ChaCha).
    pub inputs: f64,
    /// The kernels on the backend (GPU: upload, dispatch and read-back).
    pub kernel: f64,
    /// SHA-256 of the output bytes.
    pub hashing: f64,
}

/// Runs `spec` on `backend`.
pub fn execute(spec: &JobSpec, backend: &dyn Backend) -> Result<JobOutput> {
    execute_timed(spec, backend).map(|(out, _)| out)
}

/// [`execute`], also telling where the time went.
pub fn execute_timed(spec: &JobSpec, backend: &dyn Backend) -> Result<(JobOutput, ExecTimes)> {
    let started = Instant::now();
    let inputs = JobInputs::generate(spec)?;
    let generated = Instant::now();
    let bytes = run_inputs(&inputs, backend)?;
    let ran = Instant::now();
    if bytes.len() != spec.output_len() {
        return Err(JobError::InputMismatch(format!(
            "backend {} returned {} output bytes, the spec has {}",
            backend.name(),
            bytes.len(),
            spec.output_len()
        )));
    }
    let commitment = output_commitment(&bytes);
    let times = ExecTimes {
        inputs: (generated - started).as_secs_f64(),
        kernel: (ran - generated).as_secs_f64(),
        hashing: ran.elapsed().as_secs_f64(),
    };
    let out = JobOutput {
        kind: spec.kind(),
        job_id: spec.job_id(),
        work_units: spec.work_units(),
        bytes,
        commitment,
    };
    Ok((out, times))
}

/// Re-executes `spec` on `backend` and tells whether its output commitment
/// equals `claimed` (the verifier's check). `Err` means the job could not be
/// run here, which is no verdict on the node.
pub fn verify(spec: &JobSpec, claimed: &[u8; 32], backend: &dyn Backend) -> Result<bool> {
    Ok(execute(spec, backend)?.output_commitment() == *claimed)
}

/// `SHA-256(bytes)`.
pub fn output_commitment(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Runs explicit inputs on `backend` and returns the canonical output bytes.
pub fn run_inputs(inputs: &JobInputs, backend: &dyn Backend) -> Result<Vec<u8>> {
    match inputs {
        JobInputs::GemmI8 { m, n, k, a, b } => {
            let c = backend.gemm_i8(
                GemmDims {
                    m: *m,
                    n: *n,
                    k: *k,
                },
                a,
                b,
            )?;
            Ok(i32_le_bytes(&c))
        }
        JobInputs::MlpI8 { batch, x, layers } => backend.mlp_i8(*batch, x, layers).map(to_bytes),
        JobInputs::Conv2dI8 {
            shape,
            input,
            weights,
            epilogue,
        } => backend
            .conv2d_i8(shape, input, weights, epilogue)
            .map(to_bytes),
    }
}

/// int32 values as little-endian bytes (a plain copy on little-endian hosts).
fn i32_le_bytes(v: &[i32]) -> Vec<u8> {
    if cfg!(target_endian = "little") {
        bytemuck::cast_slice(v).to_vec()
    } else {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }
}

fn to_bytes(v: Vec<i8>) -> Vec<u8> {
    v.into_iter().map(|x| x as u8).collect()
}
