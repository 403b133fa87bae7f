// EdgeFuel int8 GEMM, bit-exact on every Vulkan/Metal/DX12 device.
//
// C[rows x cols] = A[rows x k] * B[k x cols], int8 packed 4 per u32 along k
// (A row-major as `rows x k4` words, B transposed as `cols x k4` words, zero
// padded). Each invocation computes a 4x4 block with `dot4I8Packed` (exact
// 4-way int8 dot product) and wrapping int32 adds. Integer only, no atomics,
// no workgroup memory; every read index is clamped into bounds.

struct Params {
    rows: u32,
    cols: u32,
    k4: u32,
    // Words per output row.
    out_stride: u32,
    // Requantization (gemm_requant only): positive multiplier < 2^31, shift 1..=62, relu 0/1.
    multiplier: u32,
    shift: u32,
    relu: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> bt: array<u32>;
@group(0) @binding(3) var<storage, read> bias: array<i32>;
@group(0) @binding(4) var<storage, read_write> out: array<u32>;

// 4x4 block of accumulators: acc[r][c] for row gid.y*4+r, column gid.x*4+c.
fn accumulate(gid: vec3<u32>) -> array<vec4<i32>, 4> {
    let r0 = gid.y * 4u;
    let c0 = gid.x * 4u;
    let last_r = params.rows - 1u;
    let last_c = params.cols - 1u;
    let a0 = min(r0, last_r) * params.k4;
    let a1 = min(r0 + 1u, last_r) * params.k4;
    let a2 = min(r0 + 2u, last_r) * params.k4;
    let a3 = min(r0 + 3u, last_r) * params.k4;
    let b0 = min(c0, last_c) * params.k4;
    let b1 = min(c0 + 1u, last_c) * params.k4;
    let b2 = min(c0 + 2u, last_c) * params.k4;
    let b3 = min(c0 + 3u, last_c) * params.k4;
    var acc: array<vec4<i32>, 4>;
    for (var kk = 0u; kk < params.k4; kk++) {
        let x0 = a[a0 + kk];
        let x1 = a[a1 + kk];
        let x2 = a[a2 + kk];
        let x3 = a[a3 + kk];
        let y0 = bt[b0 + kk];
        let y1 = bt[b1 + kk];
        let y2 = bt[b2 + kk];
        let y3 = bt[b3 + kk];
        acc[0] += vec4<i32>(dot4I8Packed(x0, y0), dot4I8Packed(x0, y1), dot4I8Packed(x0, y2), dot4I8Packed(x0, y3));
        acc[1] += vec4<i32>(dot4I8Packed(x1, y0), dot4I8Packed(x1, y1), dot4I8Packed(x1, y2), dot4I8Packed(x1, y3));
        acc[2] += vec4<i32>(dot4I8Packed(x2, y0), dot4I8Packed(x2, y1), dot4I8Packed(x2, y2), dot4I8Packed(x2, y3));
        acc[3] += vec4<i32>(dot4I8Packed(x3, y0), dot4I8Packed(x3, y1), dot4I8Packed(x3, y2), dot4I8Packed(x3, y3));
    }
    return acc;
}

@compute @workgroup_size(8, 8, 1)
fn gemm_raw(@builtin(global_invocation_id) gid: vec3<u32>) {
    let acc = accumulate(gid);
    for (var r = 0u; r < 4u; r++) {
        let row = gid.y * 4u + r;
        for (var c = 0u; c < 4u; c++) {
            let col = gid.x * 4u + c;
            if row < params.rows && col < params.cols {
                out[row * params.out_stride + col] = bitcast<u32>(acc[r][c]);
            }
        }
    }
}

// Full 32x32 -> 64-bit unsigned product as (hi, lo).
fn mul_wide(x: u32, y: u32) -> vec2<u32> {
    let x0 = x & 0xffffu;
    let x1 = x >> 16u;
    let y0 = y & 0xffffu;
    let y1 = y >> 16u;
    let p00 = x0 * y0;
    let p01 = x0 * y1;
    let p10 = x1 * y0;
    let p11 = x1 * y1;
    let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
    let lo = (p00 & 0xffffu) | (mid << 16u);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    return vec2<u32>(hi, lo);
}

// saturate_i8(relu?((acc * multiplier + 2^(shift-1)) >> shift)) in emulated
// 64-bit two's complement; same integers as `Requant::apply`.
fn requant(acc: i32) -> i32 {
    let negative = acc < 0;
    let ua = bitcast<u32>(acc);
    let magnitude = select(ua, 0u - ua, negative);
    var p = mul_wide(magnitude, params.multiplier);
    if negative {
        let lo = ~p.y + 1u;
        p = vec2<u32>(~p.x + select(0u, 1u, lo == 0u), lo);
    }
    // + 2^(shift - 1)
    let s1 = params.shift - 1u;
    let add_lo = select(0u, 1u << (s1 & 31u), s1 < 32u);
    let add_hi = select(0u, 1u << ((s1 - 32u) & 31u), s1 >= 32u);
    let lo = p.y + add_lo;
    let hi = p.x + add_hi + select(0u, 1u, lo < p.y);
    // Arithmetic shift right by `shift` (1..=62).
    let s = params.shift;
    var q_lo: u32;
    var q_hi: i32;
    if s < 32u {
        q_lo = (lo >> (s & 31u)) | (hi << ((32u - s) & 31u));
        q_hi = bitcast<i32>(hi) >> (s & 31u);
    } else {
        q_lo = bitcast<u32>(bitcast<i32>(hi) >> ((s - 32u) & 31u));
        q_hi = bitcast<i32>(hi) >> 31u;
    }
    var v: i32;
    if q_hi > 0 || (q_hi == 0 && q_lo > 127u) {
        v = 127;
    } else if q_hi < -1 || (q_hi == -1 && q_lo < 0xffffff80u) {
        v = -128;
    } else {
        v = bitcast<i32>(q_lo);
    }
    if params.relu != 0u {
        v = max(v, 0);
    }
    return v;
}

// Requantized int8 outputs, packed 4 per word (column 4w + t in byte t).
@compute @workgroup_size(8, 8, 1)
fn gemm_requant(@builtin(global_invocation_id) gid: vec3<u32>) {
    let acc = accumulate(gid);
    let c0 = gid.x * 4u;
    if c0 >= params.cols {
        return;
    }
    for (var r = 0u; r < 4u; r++) {
        let row = gid.y * 4u + r;
        if row < params.rows {
            var word = 0u;
            for (var c = 0u; c < 4u; c++) {
                let col = c0 + c;
                if col < params.cols {
                    let v = requant(acc[r][c] + bias[col]);
                    word |= (bitcast<u32>(v) & 0xffu) << (8u * c);
                }
            }
            out[row * params.out_stride + gid.x] = word;
        }
    }
}
