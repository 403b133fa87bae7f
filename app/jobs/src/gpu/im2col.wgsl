// EdgeFuel im2col for int8 NHWC convolution: one invocation builds one packed
// word (4 consecutive reduction values) of one output pixel's row.
// Row `p` (pixel (img*out_h + y)*out_w + x), value `kidx = (ky*kernel_w + kx)*c + ch`
// = input[img][y*stride + ky - pad][x*stride + kx - pad][ch], zero in the padding
// and past the reduction length. Data movement only: trivially exact.

struct Params {
    rows: u32,
    k: u32,
    k4: u32,
    channels: u32,
    kernel_w: u32,
    height: u32,
    width: u32,
    out_h: u32,
    out_w: u32,
    stride: u32,
    pad: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(64, 1, 1)
fn im2col(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let id = gid.x + gid.y * groups.x * 64u;
    if id >= params.rows * params.k4 {
        return;
    }
    let row = id / params.k4;
    let w4 = id % params.k4;
    let pixels = params.out_h * params.out_w;
    let img = row / pixels;
    let y = (row / params.out_w) % params.out_h;
    let x = row % params.out_w;
    let span = params.kernel_w * params.channels;
    let last = arrayLength(&input) - 1u;
    // (ky, kx, ch) of the word's first value, then stepped value by value.
    let k0 = w4 * 4u;
    var ky = k0 / span;
    var kx = (k0 % span) / params.channels;
    var ch = k0 % params.channels;
    var word = 0u;
    for (var t = 0u; t < 4u; t++) {
        let iy = i32(y * params.stride + ky) - i32(params.pad);
        let ix = i32(x * params.stride + kx) - i32(params.pad);
        let inside = k0 + t < params.k && iy >= 0 && ix >= 0 && u32(iy) < params.height && u32(ix) < params.width;
        let bi = ((img * params.height + u32(max(iy, 0))) * params.width + u32(max(ix, 0))) * params.channels + ch;
        let byte = (input[min(bi / 4u, last)] >> ((bi % 4u) * 8u)) & 0xffu;
        word |= select(0u, byte, inside) << (8u * t);
        ch += 1u;
        if ch == params.channels {
            ch = 0u;
            kx += 1u;
            if kx == params.kernel_w {
                kx = 0u;
                ky += 1u;
            }
        }
    }
    out[id] = word;
}
