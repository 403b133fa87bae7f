//! Job specs: canonical bytes, job ids, work units, limits, and golden
//! commitments that pin the whole pipeline (seeded inputs → kernels → bytes).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgefuel_jobs::{
    execute, limits, output_commitment, Conv2dShape, CpuBackend, JobKind, JobShape, JobSpec,
    SpecError,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn conv(
    batch: u32,
    size: u32,
    c: u32,
    o: u32,
    kernel: u32,
    stride: u32,
    padding: u32,
) -> Conv2dShape {
    Conv2dShape {
        batch,
        height: size,
        width: size,
        in_channels: c,
        out_channels: o,
        kernel_h: kernel,
        kernel_w: kernel,
        stride,
        padding,
    }
}

#[test]
fn kinds_are_wire_stable() {
    assert_eq!(JobKind::GemmI8 as u8, 0);
    assert_eq!(JobKind::MlpI8 as u8, 1);
    assert_eq!(JobKind::Conv2dI8 as u8, 2);
    for kind in JobKind::ALL {
        assert_eq!(JobKind::try_from(kind as u8).unwrap(), kind);
    }
    assert_eq!(JobKind::try_from(3), Err(SpecError::UnknownKind(3)));
}

#[test]
fn canonical_bytes_layout() {
    let spec = JobSpec::gemm(2, 3, 4, [9u8; 32]).unwrap();
    let mut want = vec![0u8];
    for x in [2u32, 3, 4] {
        want.extend(x.to_le_bytes());
    }
    want.extend([9u8; 32]);
    assert_eq!(spec.to_bytes(), want);

    let mlp = JobSpec::mlp(5, vec![7, 8], [1u8; 32]).unwrap();
    let mut want = vec![1u8];
    for x in [5u32, 2, 7, 8] {
        want.extend(x.to_le_bytes());
    }
    want.extend([1u8; 32]);
    assert_eq!(mlp.to_bytes(), want);

    let c = JobSpec::conv2d(conv(1, 5, 2, 3, 3, 1, 1), [0u8; 32]).unwrap();
    assert_eq!(c.to_bytes().len(), 1 + 9 * 4 + 32);
    assert_eq!(c.to_bytes()[0], 2);
}

#[test]
fn round_trip_and_refusals() {
    let spec = JobSpec::conv2d(conv(2, 9, 3, 4, 3, 2, 1), [3u8; 32]).unwrap();
    assert_eq!(JobSpec::from_bytes(&spec.to_bytes()).unwrap(), spec);
    // Trailing byte, truncation, unknown kind, empty.
    let mut long = spec.to_bytes();
    long.push(0);
    assert!(matches!(
        JobSpec::from_bytes(&long),
        Err(SpecError::Decode(_))
    ));
    let short = &spec.to_bytes()[..10];
    assert!(matches!(
        JobSpec::from_bytes(short),
        Err(SpecError::Decode(_))
    ));
    let mut bad = spec.to_bytes();
    bad[0] = 7;
    assert_eq!(JobSpec::from_bytes(&bad), Err(SpecError::UnknownKind(7)));
    assert!(JobSpec::from_bytes(&[]).is_err());
    // Decodable but beyond the limits: refused with the limit error.
    let mut zero_m = JobSpec::gemm(1, 1, 1, [0; 32]).unwrap().to_bytes();
    zero_m[1..5].copy_from_slice(&0u32.to_le_bytes());
    assert!(matches!(
        JobSpec::from_bytes(&zero_m),
        Err(SpecError::ShapeOutOfRange { field: "m", .. })
    ));
}

#[test]
fn job_id_is_sha256_of_canonical_bytes() {
    let spec = JobSpec::gemm(2, 3, 4, [9u8; 32]).unwrap();
    assert_eq!(spec.job_id(), output_commitment(&spec.to_bytes()));
    // Seed, shape and kind all change the id.
    let other_seed = JobSpec::gemm(2, 3, 4, [8u8; 32]).unwrap();
    let other_shape = JobSpec::gemm(3, 2, 4, [9u8; 32]).unwrap();
    assert_ne!(spec.job_id(), other_seed.job_id());
    assert_ne!(spec.job_id(), other_shape.job_id());
}

#[test]
fn work_units_are_macs() {
    assert_eq!(JobSpec::gemm(2, 3, 4, [0; 32]).unwrap().work_units(), 24);
    let mlp = JobSpec::mlp(10, vec![4, 5, 6], [0; 32]).unwrap();
    assert_eq!(mlp.work_units(), 10 * (4 * 5 + 5 * 6));
    // 9×9 input, 3×3 kernel, stride 2, padding 1 → 5×5 output.
    let c = conv(2, 9, 3, 4, 3, 2, 1);
    assert_eq!((c.out_height(), c.out_width()), (5, 5));
    let spec = JobSpec::conv2d(c, [0; 32]).unwrap();
    // Of the 5·3 (output row, filter row) pairs per axis, 13 read the image
    // (the others read the zero padding, which is not work): 2·13·13·3·4.
    assert_eq!((c.taps_inside_h(), c.taps_inside_w()), (13, 13));
    assert_eq!(spec.work_units(), 2 * 13 * 13 * 3 * 4);
    assert_eq!(spec.output_len(), 2 * 5 * 5 * 4);
    // The largest allowed job is exactly the limit.
    let max = JobSpec::gemm(1024, 1024, 65_536, [0; 32]).unwrap();
    assert_eq!(max.work_units(), limits::MAX_WORK_UNITS);
}

#[test]
fn limits_are_enforced_with_clear_errors() {
    let s = [0u8; 32];
    let range = |r: Result<JobSpec, SpecError>, name: &str| match r {
        Err(SpecError::ShapeOutOfRange { field, .. }) => assert_eq!(field, name),
        other => panic!("expected {name} out of range, got {other:?}"),
    };
    range(JobSpec::gemm(0, 1, 1, s), "m");
    range(JobSpec::gemm(1, limits::MAX_DIM + 1, 1, s), "n");
    range(JobSpec::gemm(1, 1, limits::MAX_REDUCTION + 1, s), "k");
    range(JobSpec::mlp(1, vec![4], s), "layers (widths.len() - 1)");
    range(JobSpec::mlp(1, vec![4; 18], s), "layers (widths.len() - 1)");
    range(JobSpec::mlp(1, vec![4, 0], s), "widths[i]");
    range(JobSpec::conv2d(conv(1, 5, 1, 1, 3, 0, 0), s), "stride");
    range(JobSpec::conv2d(conv(1, 5, 1, 1, 7, 1, 0), s), "kernel_h");
    range(JobSpec::conv2d(conv(1, 5, 1, 1, 3, 1, 3), s), "padding");
    range(
        JobSpec::conv2d(conv(1, 5, 1, 1, 3, 1, u32::MAX), s),
        "padding",
    );
    let too_large = |r: Result<JobSpec, SpecError>| {
        assert!(matches!(r, Err(SpecError::TooLarge { .. })), "{r:?}");
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains("limit"), "{msg}");
    };
    too_large(JobSpec::gemm(16_384, 16_384, 16_384, s)); // A is 256 MiB+; work far over
    too_large(JobSpec::gemm(2048, 1024, 65_536, s)); // work units 2^37
    too_large(JobSpec::gemm(16_384, 16_384, 1, s)); // C is 1 GiB of int32
    too_large(JobSpec::conv2d(conv(1, 4096, 4096, 1, 1, 1, 0), s)); // image 64 MiB
                                                                    // Validation also guards `JobSpec::new`.
    assert!(JobSpec::new(JobShape::GemmI8 { m: 1, n: 1, k: 0 }, s).is_err());
}

/// Golden values: a change here changes what nodes and verifiers compute and
/// so needs a new job kind or version, never an edit of these strings.
#[test]
fn golden_commitments() {
    let cpu = CpuBackend::new();
    let cases = [
        (
            JobSpec::gemm(3, 5, 7, [1u8; 32]).unwrap(),
            "3a188b89b7e3872ce8be68c801fd178f931debf5a1710a9ecbbfb814248b8629",
            "88d5c226a8a1b7b77cd4810f34d12767dac0a58c60dd1d59359981170839cb00",
        ),
        (
            JobSpec::mlp(4, vec![9, 6, 3], [2u8; 32]).unwrap(),
            "9a94730f40244fabc3228df4a593b4803d42e491bef2dc917e0f2714dcc107eb",
            "b669d595c9445c1d033681346193cbf7f033063487526ad9ed68069914a644e2",
        ),
        (
            JobSpec::conv2d(conv(1, 6, 3, 4, 3, 1, 1), [3u8; 32]).unwrap(),
            "a88c21ad893ea07e52fe53af774431a4b1ce3dfebaca727682bce076a664d01e",
            "51dbbed951a040c56dfb18edd4bb8d123d4015cd7d8c2ba42d012ca6a7f590e7",
        ),
    ];
    for (spec, id, commitment) in cases {
        let out = execute(&spec, &cpu).unwrap();
        assert_eq!(hex(&out.job_id()), id, "{spec:?}");
        assert_eq!(hex(&out.output_commitment()), commitment, "{spec:?}");
    }
}

#[test]
fn conv_output_sides_never_panic() {
    // Shapes the limits refuse still answer (0) instead of overflowing.
    let bad = conv(1, 2, 1, 1, 9, 1, 0);
    assert_eq!(bad.out_height(), 0);
    let zero_stride = conv(1, 5, 1, 1, 3, 0, 0);
    assert_eq!(zero_stride.out_width(), 0);
    let huge = conv(1, u32::MAX, 1, 1, 1, 1, u32::MAX);
    assert_eq!(huge.out_height(), u32::MAX);
}
