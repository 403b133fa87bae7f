//! `edgefuel-job`: run one job spec on a chosen backend and print its id,
//! work units, output commitment and time.
//!
//! ```text
//! edgefuel-job gemm 512 512 512 --backend gpu
//! edgefuel-job mlp --batch 64 --widths 256,256,10 --seed 00ff…
//! edgefuel-job conv2d --batch 1 --size 56 --channels 64 --filters 64 --kernel 3 --padding 1
//! edgefuel-job spec <canonical spec bytes, hex> --output json
//! ```

use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use edgefuel_jobs::{
    execute, reference::ReferenceBackend, Backend, Conv2dShape, CpuBackend, CpuKernel, GpuBackend,
    JobSpec,
};

#[derive(Parser)]
#[command(
    version,
    about = "Run an EdgeFuel job spec on a backend and print its receipt fields"
)]
struct Cli {
    #[command(subcommand)]
    job: Job,
    /// Where to run it.
    #[arg(long, short, value_enum, default_value_t = BackendArg::Cpu, global = true)]
    backend: BackendArg,
    /// 32-byte input seed, hex (64 digits).
    #[arg(long, default_value = "00", global = true)]
    seed: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text, global = true)]
    output: Output,
}

#[derive(Subcommand)]
enum Job {
    /// int8 GEMM: C[m×n] = A[m×k] · B[k×n].
    Gemm { m: u32, n: u32, k: u32 },
    /// Quantized MLP.
    Mlp {
        #[arg(long)]
        batch: u32,
        /// Input width then each layer's output width, comma separated.
        #[arg(long, value_delimiter = ',', required = true)]
        widths: Vec<u32>,
    },
    /// Quantized 2-D convolution (square images and filters).
    Conv2d {
        #[arg(long, default_value_t = 1)]
        batch: u32,
        /// Image height and width.
        #[arg(long)]
        size: u32,
        /// Input channels.
        #[arg(long)]
        channels: u32,
        /// Output channels.
        #[arg(long)]
        filters: u32,
        #[arg(long, default_value_t = 3)]
        kernel: u32,
        #[arg(long, default_value_t = 1)]
        stride: u32,
        #[arg(long, default_value_t = 0)]
        padding: u32,
    },
    /// A spec given as its canonical bytes (hex); `--seed` is ignored.
    Spec { hex: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
    /// Fastest CPU kernel.
    Cpu,
    /// Portable CPU kernel (no SIMD intrinsics).
    CpuPortable,
    /// AVX2 CPU kernel (x86-64 without VNNI).
    CpuAvx2,
    /// GPU through wgpu.
    Gpu,
    /// Naive reference loops (slow).
    Reference,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Result<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        bail!("hex string has an odd number of digits: {s}");
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).with_context(|| format!("bad hex: {s}")))
        .collect()
}

fn seed(s: &str) -> Result<[u8; 32]> {
    let bytes = unhex(s)?;
    if bytes.len() > 32 {
        bail!(
            "seed has {} bytes, at most 32 (shorter seeds are zero padded)",
            bytes.len()
        );
    }
    let mut out = [0u8; 32];
    out[..bytes.len()].copy_from_slice(&bytes);
    Ok(out)
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let seed = seed(&cli.seed)?;
    let spec = match cli.job {
        Job::Gemm { m, n, k } => JobSpec::gemm(m, n, k, seed)?,
        Job::Mlp { batch, widths } => JobSpec::mlp(batch, widths, seed)?,
        Job::Conv2d {
            batch,
            size,
            channels,
            filters,
            kernel,
            stride,
            padding,
        } => JobSpec::conv2d(
            Conv2dShape {
                batch,
                height: size,
                width: size,
                in_channels: channels,
                out_channels: filters,
                kernel_h: kernel,
                kernel_w: kernel,
                stride,
                padding,
            },
            seed,
        )?,
        Job::Spec { hex } => JobSpec::from_bytes(&unhex(&hex)?)?,
    };
    let backend: Box<dyn Backend> = match cli.backend {
        BackendArg::Cpu => Box::new(CpuBackend::new()),
        BackendArg::CpuPortable => Box::new(CpuBackend::with_kernel(CpuKernel::Portable)?),
        BackendArg::CpuAvx2 => Box::new(CpuBackend::with_kernel(CpuKernel::Avx2)?),
        BackendArg::Gpu => Box::new(GpuBackend::new().context("opening the GPU backend")?),
        BackendArg::Reference => Box::new(ReferenceBackend),
    };
    let start = Instant::now();
    let out = execute(&spec, backend.as_ref())
        .with_context(|| format!("running {} on {}", spec.kind(), backend.name()))?;
    let secs = start.elapsed().as_secs_f64();
    let gops = 2.0 * out.work_units() as f64 / secs / 1e9;
    let fields = [
        ("kind", format!("{} ({})", spec.kind(), spec.kind() as u8)),
        ("spec", hex(&spec.to_bytes())),
        ("job_id", hex(&out.job_id())),
        ("work_units", out.work_units().to_string()),
        ("backend", backend.name()),
        ("output_bytes", out.bytes().len().to_string()),
        ("output_commitment", hex(&out.output_commitment())),
        ("seconds", format!("{secs:.6}")),
        ("gops", format!("{gops:.2}")),
    ];
    if cli.output == Output::Json {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| match *k {
                "work_units" | "output_bytes" | "seconds" | "gops" => format!("\"{k}\":{v}"),
                _ => format!("\"{k}\":\"{}\"", v.replace('"', "\\\"")),
            })
            .collect();
        println!("{{{}}}", body.join(","));
    } else {
        for (k, v) in fields {
            println!("{k:<18} {v}");
        }
    }
    Ok(())
}
