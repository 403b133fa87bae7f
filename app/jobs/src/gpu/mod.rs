//! The GPU backend: wgpu compute shaders in WGSL (Vulkan here; Metal and
//! DX12 where wgpu is built with them), bit-exact with the CPU.
//!
//! - Every wgpu call that can fail runs inside error scopes; failures become
//!   [`JobError::Gpu`], never panics. No adapter is [`JobError::NoAdapter`].
//! - Work larger than one storage binding (`max_storage_buffer_binding_size`,
//!   128 MiB on lavapipe), one dispatch (65 535 workgroups per dimension) or
//!   2³² multiply-accumulates (so no dispatch runs into a GPU watchdog) is
//!   split into row × column chunks of C, each a separate dispatch.
//! - An MLP whose layers each fit one dispatch runs as one submission, the
//!   activations staying on the device between layers; a convolution builds
//!   its im2col rows on the device (`im2col.wgsl`), whole images at a time.
//! - The shader is the plain 4×4-per-invocation kernel: a workgroup-memory
//!   tiled variant (64×64 tiles) gave the same bytes but ran 2× slower on
//!   lavapipe; real GPUs need their own measurements before switching.

use std::sync::mpsc;

use rayon::prelude::*;
use wgpu::util::DeviceExt;

use crate::backend::{check_gemm_inputs, check_mlp_inputs, mlp_by_layers, Backend, GemmDims};
use crate::conv::{check_conv_inputs, conv2d_by_gemm};
use crate::error::{JobError, Result};
use crate::inputs::DenseLayer;
use crate::quant::Epilogue;
use crate::spec::Conv2dShape;

const SHADER: &str = include_str!("gemm.wgsl");
const IM2COL_SHADER: &str = include_str!("im2col.wgsl");
/// Multiply-accumulates per dispatch, at most: keeps each submission short
/// (GPU watchdogs reset a device whose dispatch runs for seconds).
const MAX_DISPATCH_MACS: u64 = 1 << 32;
/// Largest device memory (bytes) of an MLP run as one chain of dispatches.
const MAX_CHAIN_BYTES: usize = 1 << 30;
/// Outputs per workgroup along each axis (8×8 invocations × 4×4 outputs).
const TILE: usize = 32;

/// The GPU backend, bound to one adapter and device.
pub struct GpuBackend {
    device: wgpu::Device,
    queue: wgpu::Queue,
    layout: wgpu::BindGroupLayout,
    raw: wgpu::ComputePipeline,
    requant: wgpu::ComputePipeline,
    im2col_layout: wgpu::BindGroupLayout,
    im2col: wgpu::ComputePipeline,
    adapter: String,
    /// Largest bytes of one storage buffer we bind.
    max_binding: u64,
    /// Largest workgroup count per dispatch dimension.
    max_groups: u32,
    /// Largest multiply-accumulates per dispatch.
    max_dispatch_macs: u64,
}

/// Output mode of one chunk.
#[derive(Clone, Copy)]
enum Mode<'a> {
    Raw,
    Requant(&'a Epilogue),
}

fn gpu_err(stage: &'static str) -> impl Fn(String) -> JobError {
    move |message| JobError::Gpu { stage, message }
}

/// Error scopes around a group of wgpu calls; [`Scopes::finish`] reports the
/// first error any of them caught.
struct Scopes {
    guards: Vec<wgpu::ErrorScopeGuard>,
    stage: &'static str,
}

impl Scopes {
    fn push(device: &wgpu::Device, stage: &'static str) -> Self {
        let guards = [
            wgpu::ErrorFilter::Validation,
            wgpu::ErrorFilter::OutOfMemory,
            wgpu::ErrorFilter::Internal,
        ]
        .into_iter()
        .map(|f| device.push_error_scope(f))
        .collect();
        Self { guards, stage }
    }

    fn finish(mut self) -> Result<()> {
        let mut first = None;
        while let Some(guard) = self.guards.pop() {
            if let Some(e) = pollster::block_on(guard.pop()) {
                first.get_or_insert(e.to_string());
            }
        }
        first.map_or(Ok(()), |m| Err(gpu_err(self.stage)(m)))
    }
}

impl GpuBackend {
    /// Opens the best GPU adapter (high performance first; a software one such
    /// as lavapipe when nothing else exists).
    pub fn new() -> Result<Self> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        desc.backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
        let instance = wgpu::Instance::new(desc);
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: None,
            apply_limit_buckets: false,
        }))
        .map_err(|e| JobError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("edgefuel-jobs"),
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| gpu_err("request_device")(e.to_string()))?;
        // Errors are caught by scopes; anything else is logged, never a panic.
        device.on_uncaptured_error(std::sync::Arc::new(|e: wgpu::Error| {
            eprintln!("edgefuel-jobs: uncaptured GPU error: {e}");
        }));

        let scopes = Scopes::push(&device, "pipeline creation");
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("gemm.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let storage = |binding, read_only| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let uniform = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("gemm"),
            entries: &[
                uniform(0),
                storage(1, true),
                storage(2, true),
                storage(3, true),
                storage(4, false),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("gemm"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = |entry: &str| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        let raw = pipeline("gemm_raw");
        let requant = pipeline("gemm_requant");
        let im2col_module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("im2col.wgsl"),
            source: wgpu::ShaderSource::Wgsl(IM2COL_SHADER.into()),
        });
        let im2col_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("im2col"),
            entries: &[uniform(0), storage(1, true), storage(2, false)],
        });
        let im2col_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("im2col"),
                bind_group_layouts: &[Some(&im2col_layout)],
                immediate_size: 0,
            });
        let im2col = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("im2col"),
            layout: Some(&im2col_pipeline_layout),
            module: &im2col_module,
            entry_point: Some("im2col"),
            compilation_options: Default::default(),
            cache: None,
        });
        scopes.finish()?;

        let max_binding = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            & !3;
        Ok(Self {
            adapter: format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type),
            device,
            queue,
            layout,
            raw,
            requant,
            im2col_layout,
            im2col,
            max_binding,
            max_groups: limits.max_compute_workgroups_per_dimension,
            max_dispatch_macs: MAX_DISPATCH_MACS,
        })
    }

    /// Caps the bytes of one storage buffer (and so the size of a chunk): for
    /// tests of the splitting logic on small jobs, or to bound GPU memory.
    pub fn with_max_buffer_bytes(mut self, bytes: u64) -> Self {
        self.max_binding = self.max_binding.min(bytes.max(4)) & !3;
        self
    }

    /// Caps the multiply-accumulates of one dispatch (default 2³²).
    pub fn with_max_dispatch_macs(mut self, macs: u64) -> Self {
        self.max_dispatch_macs = macs.max(1);
        self
    }

    /// The adapter's description.
    pub fn adapter(&self) -> &str {
        &self.adapter
    }

    /// Chunk sizes (rows, columns) of C that fit one binding and one dispatch,
    /// and keep one dispatch under `max_dispatch_macs` (best effort: never
    /// below 4 columns by one row).
    fn chunk(&self, dims: GemmDims, mode: Mode<'_>) -> Result<(usize, usize)> {
        let requant = matches!(mode, Mode::Requant(_));
        let max = usize::try_from(self.max_binding).unwrap_or(usize::MAX);
        let line = dims.k.div_ceil(4) * 4; // bytes of one packed row of A or column of B
        let by_dispatch = self.max_groups as usize * TILE;
        // Output cells per dispatch allowed by the work cap.
        let cells = usize::try_from(self.max_dispatch_macs / dims.k as u64).unwrap_or(usize::MAX);
        let mut cols = dims
            .n
            .min(max / line)
            .min(by_dispatch)
            .min((cells / dims.m.min(TILE)).max(4));
        if !requant {
            cols = cols.min(max / 4);
        }
        if cols < dims.n && requant {
            cols -= cols % 4; // chunks start on a packed int8 output word
        }
        let out_row = if requant {
            cols.div_ceil(4) * 4
        } else {
            cols * 4
        };
        let rows = dims
            .m
            .min(max / line)
            .min(max / out_row.max(1))
            .min(by_dispatch)
            .min((cells / cols.max(1)).max(1));
        if rows == 0 || cols == 0 {
            return Err(JobError::GpuLimit(format!(
                "a storage binding of {} bytes cannot hold one chunk of k = {} (need at least {} bytes)",
                self.max_binding,
                dims.k,
                line * 4
            )));
        }
        Ok((rows, cols))
    }

    /// Whole images per conv dispatch such that the input, the im2col rows,
    /// the output and the work fit one dispatch; `None` if not even one does.
    fn conv_images_per_chunk(&self, s: &Conv2dShape, epilogue: &Epilogue) -> Option<usize> {
        let max = usize::try_from(self.max_binding).unwrap_or(usize::MAX);
        let us = |x: u32| x as usize;
        let k = s.reduction_len() as usize;
        let pixels = us(s.out_height()) * us(s.out_width());
        let row_words = pixels * k.div_ceil(4);
        let image = us(s.height) * us(s.width) * us(s.in_channels);
        let groups = self.max_groups as usize;
        let mut images = us(s.batch)
            .min(max / (row_words * 4).max(1))
            .min(max / image.max(1))
            .min(groups.saturating_mul(groups).saturating_mul(64) / row_words.max(1));
        if images == 0 {
            return None;
        }
        let dims = GemmDims {
            m: images * pixels,
            n: us(s.out_channels),
            k,
        };
        let (rows, cols) = self.chunk(dims, Mode::Requant(epilogue)).ok()?;
        if cols != dims.n {
            return None;
        }
        images = images.min(rows / pixels);
        (images > 0).then_some(images)
    }

    fn run(&self, dims: GemmDims, a: &[i8], b: &[i8], mode: Mode<'_>) -> Result<Vec<u32>> {
        let GemmDims { m, n, k } = dims;
        let k4 = k.div_ceil(4);
        let (rows, cols) = self.chunk(dims, mode)?;
        let a_words = pack_rows(a, m, k);
        let bt_words = pack_columns(b, k, n);
        let zero_bias = [0i32];
        let out_stride = match mode {
            Mode::Raw => n,
            Mode::Requant(_) => n.div_ceil(4),
        };
        let mut out = vec![0u32; m * out_stride];
        for r0 in (0..m).step_by(rows) {
            let rc = rows.min(m - r0);
            for c0 in (0..n).step_by(cols) {
                let cc = cols.min(n - c0);
                let bias = match mode {
                    Mode::Raw => &zero_bias[..],
                    Mode::Requant(e) => &e.bias[c0..c0 + cc],
                };
                let chunk = self.dispatch(
                    &a_words[r0 * k4..(r0 + rc) * k4],
                    &bt_words[c0 * k4..(c0 + cc) * k4],
                    bias,
                    [rc, cc, k4],
                    mode,
                )?;
                // Scatter the chunk (rc rows of `stride` words) into C.
                let (stride, col) = match mode {
                    Mode::Raw => (cc, c0),
                    Mode::Requant(_) => (cc.div_ceil(4), c0 / 4),
                };
                for (i, src) in chunk.chunks_exact(stride).enumerate() {
                    out[(r0 + i) * out_stride + col..][..stride].copy_from_slice(src);
                }
            }
        }
        Ok(out)
    }

    /// One dispatch: `[rows, cols, k4]` of C from packed A rows and B columns.
    fn dispatch(
        &self,
        a: &[u32],
        bt: &[u32],
        bias: &[i32],
        [rows, cols, k4]: [usize; 3],
        mode: Mode<'_>,
    ) -> Result<Vec<u32>> {
        let step = Step {
            bt,
            bias,
            rows,
            cols,
            k4,
            mode,
        };
        self.dispatch_chain(Source::Words(a), &[step])
    }

    /// Runs `steps` back to back in one submission: the first reads A from
    /// `source`, each later one reads the previous one's packed int8 output on
    /// the device. Returns the last step's output words.
    fn dispatch_chain(&self, source: Source<'_>, steps: &[Step<'_>]) -> Result<Vec<u32>> {
        let u =
            |x: usize| u32::try_from(x).map_err(|_| JobError::GpuLimit(format!("{x} exceeds u32")));
        let d = &self.device;
        let scopes = Scopes::push(d, "dispatch");
        let init = |label, contents: &[u8], usage| {
            d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents,
                usage,
            })
        };
        let mut encoder = d.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        let mut input = match source {
            Source::Words(a) => init("a", bytemuck::cast_slice(a), wgpu::BufferUsages::STORAGE),
            Source::Im2col {
                input,
                params,
                words,
            } => {
                let groups = words.div_ceil(64);
                let x = groups.min(self.max_groups as usize);
                let y = groups.div_ceil(x.max(1));
                let params = init(
                    "im2col params",
                    bytemuck::cast_slice(&params),
                    wgpu::BufferUsages::UNIFORM,
                );
                let image = init(
                    "conv input",
                    bytemuck::cast_slice(input),
                    wgpu::BufferUsages::STORAGE,
                );
                let rows = d.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("im2col rows"),
                    size: (words * 4) as u64,
                    usage: wgpu::BufferUsages::STORAGE,
                    mapped_at_creation: false,
                });
                let bind = d.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("im2col"),
                    layout: &self.im2col_layout,
                    entries: &[entry(0, &params), entry(1, &image), entry(2, &rows)],
                });
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("im2col"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&self.im2col);
                pass.set_bind_group(0, &bind, &[]);
                pass.dispatch_workgroups(u(x)?, u(y)?, 1);
                drop(pass);
                rows
            }
        };
        let mut out_bytes = 0;
        for step in steps {
            let (pipeline, stride, requant) = match step.mode {
                Mode::Raw => (&self.raw, step.cols, None),
                Mode::Requant(e) => (&self.requant, step.cols.div_ceil(4), Some(e.requant)),
            };
            let params: [u32; 8] = [
                u(step.rows)?,
                u(step.cols)?,
                u(step.k4)?,
                u(stride)?,
                requant.map_or(1, |r| r.multiplier() as u32),
                requant.map_or(1, |r| r.shift()),
                u32::from(requant.is_some_and(|r| r.relu())),
                0,
            ];
            out_bytes = (step.rows * stride * 4) as u64;
            let params = init(
                "params",
                bytemuck::cast_slice(&params),
                wgpu::BufferUsages::UNIFORM,
            );
            let b_buf = init(
                "bt",
                bytemuck::cast_slice(step.bt),
                wgpu::BufferUsages::STORAGE,
            );
            let bias_buf = init(
                "bias",
                bytemuck::cast_slice(step.bias),
                wgpu::BufferUsages::STORAGE,
            );
            let out_buf = d.create_buffer(&wgpu::BufferDescriptor {
                label: Some("out"),
                size: out_bytes,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let bind = d.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("gemm"),
                layout: &self.layout,
                entries: &[
                    entry(0, &params),
                    entry(1, &input),
                    entry(2, &b_buf),
                    entry(3, &bias_buf),
                    entry(4, &out_buf),
                ],
            });
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("gemm"),
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &bind, &[]);
            pass.dispatch_workgroups(
                u(step.cols.div_ceil(TILE))?,
                u(step.rows.div_ceil(TILE))?,
                1,
            );
            drop(pass);
            // wgpu keeps buffers alive until the submission that uses them ends.
            input = out_buf;
        }
        let staging = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("staging"),
            size: out_bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        encoder.copy_buffer_to_buffer(&input, 0, &staging, 0, out_bytes);
        self.queue.submit([encoder.finish()]);
        let (tx, rx) = mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            tx.send(r).ok();
        });
        let polled = d.poll(wgpu::PollType::wait_indefinitely());
        scopes.finish()?;
        polled.map_err(|e| gpu_err("poll")(e.to_string()))?;
        rx.recv()
            .map_err(|e| gpu_err("map")(e.to_string()))?
            .map_err(|e| gpu_err("map")(e.to_string()))?;
        let words = {
            let view = staging
                .get_mapped_range(..)
                .map_err(|e| gpu_err("map")(e.to_string()))?;
            view.chunks_exact(4)
                .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
                .collect()
        };
        staging.unmap();
        Ok(words)
    }
}

/// Where the first GEMM of a chain reads A from.
enum Source<'a> {
    /// Packed A words, uploaded.
    Words(&'a [u32]),
    /// im2col rows (`words` of them) built on the device from packed NHWC
    /// input bytes; `params` as `Params` of `im2col.wgsl`.
    Im2col {
        input: &'a [u32],
        params: [u32; 12],
        words: usize,
    },
}

/// One GEMM of a device-side chain.
struct Step<'a> {
    /// B transposed and packed (`cols × k4` words).
    bt: &'a [u32],
    /// Bias (`cols` values; one unused value in raw mode).
    bias: &'a [i32],
    rows: usize,
    cols: usize,
    k4: usize,
    mode: Mode<'a>,
}

/// Packed int8 output words (`m` rows of `⌈n/4⌉`) → `m × n` int8 values.
fn unpack_rows(words: &[u32], m: usize, n: usize) -> Vec<i8> {
    let mut y = Vec::with_capacity(m * n);
    for row in words.chunks_exact(n.div_ceil(4)) {
        let bytes = row.iter().flat_map(|w| w.to_le_bytes());
        y.extend(bytes.take(n).map(|b| b as i8));
    }
    y
}

/// `rows × k` int8 row-major → `rows × ⌈k/4⌉` words (byte t = column 4w + t).
fn pack_rows(a: &[i8], rows: usize, k: usize) -> Vec<u32> {
    let k4 = k.div_ceil(4);
    let mut out = vec![0u32; rows * k4];
    out.par_chunks_mut(k4)
        .zip(a.par_chunks(k))
        .for_each(|(words, row)| {
            for (w, quad) in words.iter_mut().zip(row.chunks(4)) {
                let mut bytes = [0u8; 4];
                for (b, &v) in bytes.iter_mut().zip(quad) {
                    *b = v as u8;
                }
                *w = u32::from_le_bytes(bytes);
            }
        });
    out
}

/// `k × n` int8 row-major → B transposed, `n × ⌈k/4⌉` words.
fn pack_columns(b: &[i8], k: usize, n: usize) -> Vec<u32> {
    let k4 = k.div_ceil(4);
    let mut out = vec![0u32; n * k4];
    out.par_chunks_mut(k4).enumerate().for_each(|(j, words)| {
        for (kk, w) in words.iter_mut().enumerate() {
            let mut bytes = [0u8; 4];
            for (t, byte) in bytes.iter_mut().enumerate().take(k - 4 * kk) {
                *byte = b[(4 * kk + t) * n + j] as u8;
            }
            *w = u32::from_le_bytes(bytes);
        }
    });
    out
}

fn entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

impl Backend for GpuBackend {
    fn name(&self) -> String {
        format!("gpu {}", self.adapter)
    }

    fn gemm_i8(&self, dims: GemmDims, a: &[i8], b: &[i8]) -> Result<Vec<i32>> {
        check_gemm_inputs(dims, a, b, None)?;
        let words = self.run(dims, a, b, Mode::Raw)?;
        Ok(words.into_iter().map(|w| w as i32).collect())
    }

    fn gemm_requant_i8(
        &self,
        dims: GemmDims,
        a: &[i8],
        b: &[i8],
        epilogue: &Epilogue,
    ) -> Result<Vec<i8>> {
        check_gemm_inputs(dims, a, b, Some(epilogue))?;
        let words = self.run(dims, a, b, Mode::Requant(epilogue))?;
        Ok(unpack_rows(&words, dims.m, dims.n))
    }

    /// All layers in one submission, activations staying on the device, when
    /// every layer fits one dispatch and the chain's buffers fit
    /// 1 GiB; layer by layer otherwise.
    fn mlp_i8(&self, batch: usize, x: &[i8], layers: &[DenseLayer]) -> Result<Vec<i8>> {
        check_mlp_inputs(batch, x, layers)?;
        let mut bytes = 0usize;
        let mut single = true;
        for l in layers {
            let dims = GemmDims {
                m: batch,
                n: l.outputs,
                k: l.inputs,
            };
            single &= self.chunk(dims, Mode::Requant(&l.epilogue)).ok() == Some((batch, l.outputs));
            bytes = bytes.saturating_add(
                l.weights.len() + 4 * l.outputs + batch * l.outputs.div_ceil(4) * 4,
            );
        }
        let (Some(first), Some(last)) = (layers.first(), layers.last()) else {
            return mlp_by_layers(self, batch, x, layers);
        };
        if !single || bytes > MAX_CHAIN_BYTES {
            return mlp_by_layers(self, batch, x, layers);
        }
        let packed: Vec<Vec<u32>> = layers
            .iter()
            .map(|l| pack_columns(&l.weights, l.inputs, l.outputs))
            .collect();
        let steps: Vec<Step<'_>> = layers
            .iter()
            .zip(&packed)
            .map(|(l, bt)| Step {
                bt,
                bias: &l.epilogue.bias,
                rows: batch,
                cols: l.outputs,
                k4: l.inputs.div_ceil(4),
                mode: Mode::Requant(&l.epilogue),
            })
            .collect();
        let words =
            self.dispatch_chain(Source::Words(&pack_rows(x, batch, first.inputs)), &steps)?;
        Ok(unpack_rows(&words, batch, last.outputs))
    }

    /// im2col on the device (no `kh·kw`-times larger upload), whole images per
    /// dispatch; the host lowering when one image does not fit a dispatch.
    fn conv2d_i8(
        &self,
        s: &Conv2dShape,
        input: &[i8],
        weights: &[i8],
        epilogue: &Epilogue,
    ) -> Result<Vec<i8>> {
        check_conv_inputs(s, input, weights, epilogue)?;
        let Some(per_chunk) = self.conv_images_per_chunk(s, epilogue) else {
            return conv2d_by_gemm(self, s, input, weights, epilogue);
        };
        let us = |x: u32| x as usize;
        let k = s.reduction_len() as usize;
        let (k4, o) = (k.div_ceil(4), us(s.out_channels));
        let pixels = us(s.out_height()) * us(s.out_width());
        let image = us(s.height) * us(s.width) * us(s.in_channels);
        let bt = pack_columns(weights, k, o);
        let mut out = Vec::with_capacity(us(s.batch) * pixels * o);
        for n0 in (0..us(s.batch)).step_by(per_chunk) {
            let images = per_chunk.min(us(s.batch) - n0);
            let rows = images * pixels;
            let bytes = &input[n0 * image..(n0 + images) * image];
            let u = |x: usize| {
                u32::try_from(x).map_err(|_| JobError::GpuLimit(format!("{x} exceeds u32")))
            };
            let params = [
                u(rows)?,
                u(k)?,
                u(k4)?,
                s.in_channels,
                s.kernel_w,
                s.height,
                s.width,
                s.out_height(),
                s.out_width(),
                s.stride,
                s.padding,
                0,
            ];
            let step = Step {
                bt: &bt,
                bias: &epilogue.bias,
                rows,
                cols: o,
                k4,
                mode: Mode::Requant(epilogue),
            };
            let source = Source::Im2col {
                input: &pack_rows(bytes, 1, bytes.len()),
                params,
                words: rows * k4,
            };
            let words = self.dispatch_chain(source, &[step])?;
            out.extend(unpack_rows(&words, rows, o));
        }
        Ok(out)
    }
}
