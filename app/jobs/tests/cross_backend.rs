//! Every backend gives byte-identical outputs and commitments: edge shapes,
//! random specs (proptest) and edge values.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_gpu_present_in_ci, backends};
use edgefuel_jobs::{
    execute, reference, run_inputs, Backend, Conv2dShape, Epilogue, GemmDims, JobInputs, JobSpec,
    Requant,
};
use proptest::prelude::*;

/// Longest reduction of a job: the split GPU backend holds only short ones.
fn max_reduction(inputs: &JobInputs) -> usize {
    match inputs {
        JobInputs::GemmI8 { k, .. } => *k,
        JobInputs::MlpI8 { layers, .. } => layers.iter().map(|l| l.inputs).max().unwrap_or(0),
        JobInputs::Conv2dI8 { shape, .. } => shape.reduction_len() as usize,
    }
}

/// The backends that can run `inputs`: all but the split GPU when four
/// packed lines of the reduction do not fit its tiny buffers.
fn backends_for(inputs: &JobInputs) -> Vec<(String, Box<dyn Backend>)> {
    let fits = (max_reduction(inputs).div_ceil(4) * 16) as u64 <= common::SPLIT_BYTES;
    let all = backends();
    assert_gpu_present_in_ci(&all);
    all.into_iter()
        .filter(|(name, _)| fits || name != "gpu-split")
        .collect()
}

/// Runs `spec` on every backend; all outputs must equal the reference's.
fn check_spec(spec: &JobSpec) {
    let all = backends_for(&JobInputs::generate(spec).unwrap());
    let (_, reference) = &all[0];
    let want = execute(spec, reference.as_ref()).unwrap();
    assert_eq!(want.bytes().len(), spec.output_len());
    for (name, backend) in &all[1..] {
        let got = execute(spec, backend.as_ref())
            .unwrap_or_else(|e| panic!("{name} failed on {spec:?}: {e}"));
        assert!(
            got.bytes() == want.bytes(),
            "{name} differs from the reference on {spec:?}"
        );
        assert_eq!(got.output_commitment(), want.output_commitment());
        assert_eq!(got.job_id(), spec.job_id());
        assert_eq!(got.work_units(), spec.work_units());
    }
}

/// Runs explicit inputs on every backend; all must equal the reference.
fn check_inputs(inputs: &JobInputs) -> Vec<u8> {
    let all = backends_for(inputs);
    let want = run_inputs(inputs, all[0].1.as_ref()).unwrap();
    for (name, backend) in &all[1..] {
        let got =
            run_inputs(inputs, backend.as_ref()).unwrap_or_else(|e| panic!("{name} failed: {e}"));
        assert!(got == want, "{name} differs from the reference");
    }
    want
}

fn seed(x: u8) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[0] = x;
    s[31] = x.wrapping_mul(7);
    s
}

fn conv(
    batch: u32,
    hw: (u32, u32),
    channels: (u32, u32),
    kernel: (u32, u32),
    stride: u32,
    padding: u32,
) -> Conv2dShape {
    Conv2dShape {
        batch,
        height: hw.0,
        width: hw.1,
        in_channels: channels.0,
        out_channels: channels.1,
        kernel_h: kernel.0,
        kernel_w: kernel.1,
        stride,
        padding,
    }
}

#[test]
fn gemm_edge_shapes() {
    // 1×1, non-multiples of every tile (CPU 8×32, GPU 32×32, k words of 4,
    // k-blocks of 512), exact multiples, and a crossing of the 512-wide k-block.
    for (i, (m, n, k)) in [
        (1, 1, 1),
        (1, 1, 5),
        (1, 37, 3),
        (37, 1, 3),
        (3, 5, 7),
        (8, 32, 4),
        (9, 33, 5),
        (31, 65, 129),
        (64, 64, 513),
        (17, 100, 1031),
        (33, 31, 2048),
        // Too few rows to share: the CPU splits columns across threads.
        (7, 100, 600),
        (1, 200, 1030),
    ]
    .into_iter()
    .enumerate()
    {
        check_spec(&JobSpec::gemm(m, n, k, seed(i as u8)).unwrap());
    }
}

#[test]
fn gemm_largest_fast_shapes() {
    // The longest reduction the limits allow, and a larger square job.
    check_spec(&JobSpec::gemm(5, 9, 65_536, seed(1)).unwrap());
    check_spec(&JobSpec::gemm(256, 256, 256, seed(2)).unwrap());
}

#[test]
fn mlp_edge_shapes() {
    for (i, (batch, widths)) in [
        (1, vec![1, 1]),
        (1, vec![3, 5, 2]),
        (7, vec![33, 1, 65]),
        (33, vec![64, 100, 37, 10]),
        (5, vec![600, 70, 1]),
    ]
    .into_iter()
    .enumerate()
    {
        check_spec(&JobSpec::mlp(batch, widths, seed(10 + i as u8)).unwrap());
    }
    // Sixteen layers, the maximum.
    check_spec(&JobSpec::mlp(3, vec![9; 17], seed(20)).unwrap());
}

#[test]
fn conv_edge_shapes() {
    for (i, shape) in [
        conv(1, (1, 1), (1, 1), (1, 1), 1, 0),
        conv(1, (5, 7), (3, 4), (3, 3), 1, 1),
        conv(2, (9, 6), (5, 33), (3, 2), 2, 1),
        conv(1, (8, 8), (16, 8), (5, 5), 3, 2),
        conv(3, (4, 4), (2, 3), (4, 4), 1, 0),
        conv(1, (12, 10), (32, 17), (1, 1), 1, 0),
        // The split GPU fits 3 of these images per dispatch: several
        // device-side im2col chunks.
        conv(5, (6, 6), (4, 3), (3, 3), 1, 1),
    ]
    .into_iter()
    .enumerate()
    {
        check_spec(&JobSpec::conv2d(shape, seed(30 + i as u8)).unwrap());
    }
}

/// Direct convolution, independent of the im2col lowering.
fn conv_direct(s: &Conv2dShape, input: &[i8], weights: &[i8], e: &Epilogue) -> Vec<u8> {
    let u = |x: u32| x as usize;
    let (h, w, c, o) = (u(s.height), u(s.width), u(s.in_channels), u(s.out_channels));
    let (oh, ow) = (u(s.out_height()), u(s.out_width()));
    let mut out = Vec::new();
    for n in 0..u(s.batch) {
        for y in 0..oh {
            for x in 0..ow {
                for oc in 0..o {
                    let mut acc = 0i32;
                    for ky in 0..u(s.kernel_h) {
                        for kx in 0..u(s.kernel_w) {
                            let iy = (y * u(s.stride) + ky) as isize - s.padding as isize;
                            let ix = (x * u(s.stride) + kx) as isize - s.padding as isize;
                            if iy < 0 || ix < 0 || iy as usize >= h || ix as usize >= w {
                                continue;
                            }
                            for ic in 0..c {
                                let v = input[((n * h + iy as usize) * w + ix as usize) * c + ic];
                                let wt = weights[((ky * u(s.kernel_w) + kx) * c + ic) * o + oc];
                                acc = acc.wrapping_add(i32::from(v) * i32::from(wt));
                            }
                        }
                    }
                    out.push(e.apply(oc, acc) as u8);
                }
            }
        }
    }
    out
}

#[test]
fn conv_matches_direct_convolution() {
    for (i, shape) in [
        conv(2, (9, 6), (5, 7), (3, 2), 2, 1),
        conv(1, (8, 8), (4, 3), (5, 5), 1, 2),
        conv(1, (6, 5), (3, 2), (2, 3), 3, 1),
    ]
    .into_iter()
    .enumerate()
    {
        let spec = JobSpec::conv2d(shape, seed(40 + i as u8)).unwrap();
        let inputs = JobInputs::generate(&spec).unwrap();
        let JobInputs::Conv2dI8 {
            shape,
            input,
            weights,
            epilogue,
        } = &inputs
        else {
            panic!("not a conv")
        };
        let want = conv_direct(shape, input, weights, epilogue);
        assert_eq!(check_inputs(&inputs), want);
    }
}

#[test]
fn extreme_int8_values() {
    // All −128 (largest positive products), all 127, and mixed signs, at the
    // longest reduction: exact, no overflow, same bytes everywhere.
    let k = 65_536;
    for (va, vb) in [(-128i8, -128i8), (127, 127), (-128, 127), (127, -128)] {
        let inputs = JobInputs::GemmI8 {
            m: 2,
            n: 3,
            k,
            a: vec![va; 2 * k],
            b: vec![vb; k * 3],
        };
        let out = check_inputs(&inputs);
        let want = (i32::from(va) * i32::from(vb)) * k as i32;
        for w in out.chunks_exact(4) {
            assert_eq!(i32::from_le_bytes([w[0], w[1], w[2], w[3]]), want);
        }
    }
}

#[test]
fn int32_wraps_identically() {
    // Beyond the spec limits (explicit inputs): sums wrap in two's complement
    // on every backend. 2^17 · 2^14 = 2^31 wraps to i32::MIN.
    let k = 1 << 17;
    let inputs = JobInputs::GemmI8 {
        m: 1,
        n: 2,
        k,
        a: vec![-128; k],
        b: vec![-128; 2 * k],
    };
    let out = check_inputs(&inputs);
    assert_eq!(&out[..4], &i32::MIN.to_le_bytes());
}

/// Accumulators spanning the whole int32 range, ties included.
fn edge_accumulators() -> (Vec<i8>, Vec<i32>) {
    // acc[i][j] = a[i] + bias[j] with k = 1 and B = 1.
    let a: Vec<i8> = (-128..=127).collect();
    let mut bias = vec![
        i32::MIN,
        i32::MIN + 128,
        i32::MAX - 127,
        i32::MAX - 255,
        -1,
        0,
        1,
        128,
    ];
    for s in [1u32, 2, 7, 15, 16, 20, 24, 30] {
        let p = 1i32 << s;
        bias.extend([
            p,
            -p,
            p + 1,
            -p - 1,
            p / 2,
            -(p / 2),
            3 * (p / 2),
            -3 * (p / 2),
        ]);
    }
    (a, bias)
}

#[test]
fn requantization_edge_values() {
    let (a, bias) = edge_accumulators();
    let (m, n) = (a.len(), bias.len());
    for &(multiplier, shift) in &[
        (1, 1),
        (1, 2),
        (3, 1),
        (1 << 14, 21),
        ((1 << 15) - 1, 29),
        (1 << 30, 31),
        (i32::MAX, 31),
        (i32::MAX, 32),
        (i32::MAX, 33),
        (12_345_678, 40),
        (i32::MAX, 62),
        (1, 62),
    ] {
        for relu in [false, true] {
            let epilogue = Epilogue {
                bias: bias.clone(),
                requant: Requant::new(multiplier, shift, relu).unwrap(),
            };
            let layer = edgefuel_jobs::inputs::DenseLayer {
                inputs: 1,
                outputs: n,
                weights: vec![1; n],
                epilogue: epilogue.clone(),
            };
            let inputs = JobInputs::MlpI8 {
                batch: m,
                x: a.clone(),
                layers: vec![layer],
            };
            let out = check_inputs(&inputs);
            // And the definition itself, value by value.
            for (i, row) in out.chunks_exact(n).enumerate() {
                for (j, &y) in row.iter().enumerate() {
                    let acc = i32::from(a[i]).wrapping_add(bias[j]);
                    let exact =
                        (i64::from(acc) * i64::from(multiplier) + (1i64 << (shift - 1))) >> shift;
                    let exact = if relu { exact.max(0) } else { exact };
                    assert_eq!(i64::from(y as i8), exact.clamp(-128, 127));
                }
            }
        }
    }
}

#[test]
fn saturation_and_rounding_examples() {
    // Scale 1/2 makes every odd accumulator a tie: ties round up (towards +∞).
    let epilogue = Epilogue {
        bias: vec![0],
        requant: Requant::new(1, 1, false).unwrap(),
    };
    let a: Vec<i8> = vec![-128, -5, -3, -1, 1, 3, 5, 127];
    let dims = GemmDims {
        m: a.len(),
        n: 1,
        k: 1,
    };
    let want: Vec<i8> = vec![-64, -2, -1, 0, 1, 2, 3, 64];
    for (name, b) in backends() {
        let y = b.gemm_requant_i8(dims, &a, &[1], &epilogue).unwrap();
        assert_eq!(y, want, "{name}");
        // ×2^8 saturates both ways.
        let big = Epilogue {
            bias: vec![0],
            requant: Requant::new(1 << 9, 1, false).unwrap(),
        };
        let y = b.gemm_requant_i8(dims, &a, &[1], &big).unwrap();
        assert_eq!(
            y,
            vec![-128, -128, -128, -128, 127, 127, 127, 127],
            "{name}"
        );
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    for (name, b) in backends() {
        let dims = GemmDims { m: 2, n: 2, k: 2 };
        assert!(b.gemm_i8(dims, &[0; 3], &[0; 4]).is_err(), "{name}");
        assert!(b.gemm_i8(dims, &[0; 4], &[0; 5]).is_err(), "{name}");
        assert!(
            b.gemm_i8(GemmDims { m: 0, n: 1, k: 1 }, &[], &[0]).is_err(),
            "{name}"
        );
        let e = Epilogue {
            bias: vec![0; 3],
            requant: Requant::new(1, 1, false).unwrap(),
        };
        assert!(
            b.gemm_requant_i8(dims, &[0; 4], &[0; 4], &e).is_err(),
            "{name}"
        );
        // MLP layers that do not chain (3 outputs feed a layer of 2 inputs).
        let layer = |inputs: usize, outputs: usize| edgefuel_jobs::inputs::DenseLayer {
            inputs,
            outputs,
            weights: vec![1; inputs * outputs],
            epilogue: Epilogue {
                bias: vec![0; outputs],
                requant: Requant::new(1, 1, false).unwrap(),
            },
        };
        assert!(
            b.mlp_i8(2, &[0; 4], &[layer(2, 3), layer(2, 1)]).is_err(),
            "{name}"
        );
        assert!(b.mlp_i8(2, &[0; 5], &[layer(2, 3)]).is_err(), "{name}");
        assert!(b.mlp_i8(2, &[0; 4], &[]).is_err(), "{name}");
        assert_eq!(
            b.mlp_i8(2, &[0; 4], &[layer(2, 3), layer(3, 1)]).unwrap(),
            vec![0, 0],
            "{name}"
        );
    }
}

#[test]
fn gpu_limit_too_small_is_an_error() {
    let Some(_) = common::gpu() else { return };
    let tiny = edgefuel_jobs::GpuBackend::new()
        .unwrap()
        .with_max_buffer_bytes(64);
    let dims = GemmDims {
        m: 2,
        n: 2,
        k: 1000,
    };
    let err = tiny
        .gemm_i8(dims, &vec![1; 2000], &vec![1; 2000])
        .unwrap_err();
    assert!(matches!(err, edgefuel_jobs::JobError::GpuLimit(_)), "{err}");
}

#[test]
fn gpu_splits_by_work_per_dispatch() {
    let Some(_) = common::gpu() else { return };
    let capped = edgefuel_jobs::GpuBackend::new()
        .unwrap()
        .with_max_dispatch_macs(20_000);
    for spec in [
        JobSpec::gemm(70, 90, 300, seed(50)).unwrap(),
        JobSpec::mlp(70, vec![300, 90, 7], seed(51)).unwrap(),
        JobSpec::gemm(3, 200, 5000, seed(52)).unwrap(),
        JobSpec::conv2d(conv(3, (7, 7), (5, 6), (3, 3), 1, 1), seed(53)).unwrap(),
    ] {
        let want = execute(&spec, &reference::ReferenceBackend).unwrap();
        let got = execute(&spec, &capped).unwrap();
        assert!(got.bytes() == want.bytes(), "{spec:?}");
    }
}

#[test]
fn reference_gemm_is_plain_matrix_product() {
    let a = [1i8, 2, 3, 4, 5, 6]; // 2×3
    let b = [7i8, 8, 9, 10, 11, 12]; // 3×2
    let c = reference::gemm_i8(GemmDims { m: 2, n: 2, k: 3 }, &a, &b);
    assert_eq!(c, vec![58, 64, 139, 154]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_gemm_specs(m in 1u32..80, n in 1u32..80, k in 1u32..700, s in any::<[u8; 32]>()) {
        check_spec(&JobSpec::gemm(m, n, k, s).unwrap());
    }

    #[test]
    fn random_mlp_specs(
        batch in 1u32..40,
        widths in prop::collection::vec(1u32..90, 2..5),
        s in any::<[u8; 32]>(),
    ) {
        check_spec(&JobSpec::mlp(batch, widths, s).unwrap());
    }

    #[test]
    fn random_conv_specs(
        batch in 1u32..3,
        h in 1u32..12,
        w in 1u32..12,
        c in 1u32..10,
        o in 1u32..10,
        kh in 1u32..5,
        kw in 1u32..5,
        stride in 1u32..4,
        padding in 0u32..4,
        s in any::<[u8; 32]>(),
    ) {
        let shape = conv(batch, (h, w), (c, o), (kh, kw), stride, padding);
        // Shapes outside the limits must be refused, not run.
        if let Ok(spec) = JobSpec::conv2d(shape, s) {
            check_spec(&spec);
        }
    }

    #[test]
    fn random_values_random_dims(
        m in 1usize..40, n in 1usize..40, k in 1usize..300,
        s in any::<u64>(),
    ) {
        // Non-seeded values (uniform over i8, edges included) through both primitives.
        let mut x = s;
        let mut next = || { x ^= x << 13; x ^= x >> 7; x ^= x << 17; (x >> 32) as i8 };
        let a: Vec<i8> = (0..m * k).map(|_| next()).collect();
        let b: Vec<i8> = (0..k * n).map(|_| next()).collect();
        check_inputs(&JobInputs::GemmI8 { m, n, k, a, b });
    }
}

#[test]
fn output_larger_than_one_binding_splits_on_real_limits() {
    // A 136 MiB int32 output: more than lavapipe's 128 MiB storage binding,
    // so the GPU splits by the device's own limits. Short k keeps it fast.
    let spec = JobSpec::gemm(8192, 4352, 64, seed(60)).unwrap();
    assert!(spec.output_len() > 128 << 20);
    let cpu = execute(&spec, &edgefuel_jobs::CpuBackend::new()).unwrap();
    let Some(gpu) = common::gpu() else { return };
    let got = execute(&spec, gpu).unwrap();
    assert_eq!(got.output_commitment(), cpu.output_commitment());
}
