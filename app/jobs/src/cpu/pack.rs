//! Packed operand layouts of the CPU GEMM.
//!
//! Both operands are packed into 32-bit words of 4 consecutive `k` values
//! (byte `t` of a word = element `4·kk + t`, zero past `k`). A is stored
//! *offset by 128* (`a ^ 0x80`, i.e. `a + 128` as an unsigned byte) because the
//! VNNI instruction multiplies unsigned by signed bytes; the result is
//! corrected exactly with `−128 · Σ_k B[k][j]` per column (wrapping int32).

use rayon::prelude::*;

/// Rows of A per micro-tile.
pub const MR: usize = 8;
/// Columns of B per micro-tile (two 16-lane vectors).
pub const NR: usize = 32;
/// Packed k-words per cache block (4·128 = 512 values of k).
pub const KC4: usize = 128;

/// B packed as `[k-block][panel of NR columns][word in block][NR]`.
pub struct PackedB {
    /// Columns.
    pub n: usize,
    /// Words along k: `⌈k/4⌉`.
    pub k4: usize,
    /// `⌈n / NR⌉`.
    pub panels: usize,
    data: Vec<[i32; NR]>,
    /// `−128 · Σ_k B[k][j]` per column (padded to `panels · NR`): the start value
    /// of every accumulator.
    pub correction: Vec<i32>,
}

impl PackedB {
    /// Packs the row-major `k × n` matrix `b`.
    pub fn new(b: &[i8], k: usize, n: usize) -> Self {
        let k4 = k.div_ceil(4);
        let panels = n.div_ceil(NR);
        let mut data = vec![[0i32; NR]; k4 * panels];
        for (kb, block) in data.chunks_mut(KC4 * panels).enumerate() {
            let kl4 = block.len() / panels;
            block
                .par_chunks_mut(kl4)
                .enumerate()
                .for_each(|(p, panel)| {
                    let j0 = p * NR;
                    let cols = NR.min(n - j0);
                    for (kk, word) in panel.iter_mut().enumerate() {
                        let k0 = (kb * KC4 + kk) * 4;
                        for t in 0..4.min(k - k0) {
                            let row = &b[(k0 + t) * n + j0..][..cols];
                            for (w, &v) in word.iter_mut().zip(row) {
                                *w |= i32::from(v as u8) << (8 * t);
                            }
                        }
                    }
                });
        }
        let mut sums = vec![0i32; panels * NR];
        for row in b.chunks_exact(n) {
            for (s, &v) in sums.iter_mut().zip(row) {
                *s = s.wrapping_add(i32::from(v));
            }
        }
        let correction = sums.iter().map(|s| s.wrapping_mul(-128)).collect();
        Self {
            n,
            k4,
            panels,
            data,
            correction,
        }
    }

    /// Number of k-blocks.
    pub fn k_blocks(&self) -> usize {
        self.k4.div_ceil(KC4)
    }

    /// Words of k-block `kb`.
    pub fn block_len(&self, kb: usize) -> usize {
        KC4.min(self.k4 - kb * KC4)
    }

    /// The `block_len(kb)` words of panel `p` in k-block `kb`.
    pub fn panel(&self, kb: usize, p: usize) -> &[[i32; NR]] {
        let kl4 = self.block_len(kb);
        let start = kb * KC4 * self.panels + p * kl4;
        &self.data[start..start + kl4]
    }
}

/// Packs rows of A (`rows × k`, row-major), words `kk0 .. kk0 + kl4` of k, as
/// `[micro-panel of MR rows][word][MR]`, offset by 128. Rows past `rows` are 0.
pub fn pack_a(a: &[i8], rows: usize, k: usize, kk0: usize, kl4: usize, out: &mut Vec<[i32; MR]>) {
    let panels = rows.div_ceil(MR);
    out.clear();
    out.resize(panels * kl4, [0; MR]);
    for (ip, panel) in out.chunks_mut(kl4).enumerate() {
        for r in 0..MR.min(rows - ip * MR) {
            let row = &a[(ip * MR + r) * k..][..k];
            for (kk, word) in panel.iter_mut().enumerate() {
                let k0 = (kk0 + kk) * 4;
                let mut bytes = [0x80u8; 4];
                for (t, byte) in bytes.iter_mut().enumerate().take(k.saturating_sub(k0)) {
                    *byte = (row[k0 + t] as u8) ^ 0x80;
                }
                word[r] = i32::from_le_bytes(bytes);
            }
        }
    }
}
