//! Micro-kernels: `tile += Σ_words A_word · B_word` over one k-block, where a
//! word product is the 4-way dot product of unsigned (offset) A bytes with
//! signed B bytes. Every kernel computes the same exact integers.

use super::pack::{MR, NR};

/// Which micro-kernel the CPU backend runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CpuKernel {
    /// AVX-512 VNNI (`vpdpbusd` on 512 bits): 64 multiply-accumulates per instruction.
    Avx512Vnni,
    /// AVX-VNNI (`vpdpbusd` on 256 bits; Intel Alder Lake and later, AMD Zen 5).
    AvxVnni,
    /// AVX2 (`vpmaddwd` on sign-extended pairs).
    Avx2,
    /// The portable kernel for the build target (any architecture).
    Portable,
}

impl CpuKernel {
    /// The fastest kernel this CPU supports.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vnni")
            {
                return CpuKernel::Avx512Vnni;
            }
            if std::arch::is_x86_feature_detected!("avxvnni") {
                return CpuKernel::AvxVnni;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return CpuKernel::Avx2;
            }
        }
        CpuKernel::Portable
    }

    /// Whether this CPU can run the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            CpuKernel::Portable => true,
            #[cfg(target_arch = "x86_64")]
            CpuKernel::AvxVnni => std::arch::is_x86_feature_detected!("avxvnni"),
            #[cfg(target_arch = "x86_64")]
            CpuKernel::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            CpuKernel::Avx512Vnni => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512vnni")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Name for reports.
    pub fn name(self) -> &'static str {
        match self {
            CpuKernel::Avx512Vnni => "avx512-vnni",
            CpuKernel::AvxVnni => "avx-vnni",
            CpuKernel::Avx2 => "avx2",
            CpuKernel::Portable => "portable",
        }
    }

    /// Runs the micro-kernel. Callers only hold a `CpuKernel` the CPU supports
    /// (`CpuBackend` checks [`CpuKernel::is_supported`] when it is built);
    /// an unsupported one falls back to the portable kernel.
    #[inline]
    pub(crate) fn run(self, a: &[[i32; MR]], b: &[[i32; NR]], tile: &mut [[i32; NR]; MR]) {
        #[cfg(target_arch = "x86_64")]
        {
            // `is_x86_feature_detected!` reads a cached atomic: cheap per tile.
            if self != CpuKernel::Portable && self.is_supported() {
                return x86::run(self, a, b, tile);
            }
        }
        portable(a, b, tile);
    }
}

/// The portable kernel: plain integer code the compiler vectorizes.
#[inline(always)]
fn portable(a: &[[i32; MR]], b: &[[i32; NR]], tile: &mut [[i32; NR]; MR]) {
    for (aw, bw) in a.iter().zip(b) {
        for (row, &word) in tile.iter_mut().zip(aw) {
            let x = word as u32;
            let a0 = (x & 0xff) as i32;
            let a1 = ((x >> 8) & 0xff) as i32;
            let a2 = ((x >> 16) & 0xff) as i32;
            let a3 = (x >> 24) as i32;
            for (acc, &y) in row.iter_mut().zip(bw) {
                let b0 = (y << 24) >> 24;
                let b1 = (y << 16) >> 24;
                let b2 = (y << 8) >> 24;
                let b3 = y >> 24;
                let dot = a0
                    .wrapping_mul(b0)
                    .wrapping_add(a1.wrapping_mul(b1))
                    .wrapping_add(a2.wrapping_mul(b2))
                    .wrapping_add(a3.wrapping_mul(b3));
                *acc = acc.wrapping_add(dot);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    //! The only `unsafe` of the crate: calling `#[target_feature]` functions,
    //! which is sound once the features were detected at run time.

    use std::arch::x86_64::{
        __m256i, __m512i, _mm256_add_epi32, _mm256_and_si256, _mm256_dpbusd_avx_epi32,
        _mm256_madd_epi16, _mm256_set1_epi32, _mm256_slli_epi16, _mm256_srai_epi16,
        _mm256_srli_epi16, _mm512_dpbusd_epi32, _mm512_set1_epi32,
    };

    use super::{portable, CpuKernel, MR, NR};

    /// 8-column groups of a 32-column tile row.
    const GROUPS: usize = NR / 8;

    pub(super) fn run(
        kernel: CpuKernel,
        a: &[[i32; MR]],
        b: &[[i32; NR]],
        tile: &mut [[i32; NR]; MR],
    ) {
        match kernel {
            // SAFETY: `CpuKernel::run` calls us only after `is_supported()`
            // detected avx512f and avx512vnni on this CPU.
            CpuKernel::Avx512Vnni => unsafe { avx512_vnni(a, b, tile) },
            // SAFETY: as above, avxvnni (which implies avx2) was detected.
            CpuKernel::AvxVnni => unsafe { avx_vnni(a, b, tile) },
            // SAFETY: as above, avx2 was detected.
            CpuKernel::Avx2 => unsafe { avx2(a, b, tile) },
            CpuKernel::Portable => portable(a, b, tile),
        }
    }

    /// Column group `g` of every tile row, as 256-bit vectors.
    #[inline(always)]
    fn load_group(tile: &[[i32; NR]; MR], g: usize) -> [__m256i; MR] {
        tile.map(|row| bytemuck::cast::<_, [__m256i; GROUPS]>(row)[g])
    }

    #[inline(always)]
    fn store_group(tile: &mut [[i32; NR]; MR], g: usize, acc: [__m256i; MR]) {
        for (row, v) in tile.iter_mut().zip(acc) {
            let mut groups: [__m256i; GROUPS] = bytemuck::cast(*row);
            groups[g] = v;
            *row = bytemuck::cast(groups);
        }
    }

    /// `vpmaddwd` kernel: B bytes sign-extended to 16-bit pairs (even k, odd k),
    /// A bytes (unsigned, offset) zero-extended likewise; exact int32 sums.
    #[target_feature(enable = "avx2")]
    fn avx2(a: &[[i32; MR]], b: &[[i32; NR]], tile: &mut [[i32; NR]; MR]) {
        let low_bytes = _mm256_set1_epi32(0x00ff_00ff);
        for g in 0..GROUPS {
            let mut acc = load_group(tile, g);
            for (aw, bw) in a.iter().zip(b) {
                let bv: __m256i = bytemuck::cast::<_, [__m256i; GROUPS]>(*bw)[g];
                // 16-bit lanes of a word: (b1:b0, b3:b2) → (b0, b2) and (b1, b3).
                let b_even = _mm256_srai_epi16(_mm256_slli_epi16(bv, 8), 8);
                let b_odd = _mm256_srai_epi16(bv, 8);
                for (row, &word) in acc.iter_mut().zip(aw) {
                    let av = _mm256_set1_epi32(word);
                    let a_even = _mm256_and_si256(av, low_bytes);
                    let a_odd = _mm256_srli_epi16(av, 8);
                    let even = _mm256_madd_epi16(a_even, b_even);
                    let odd = _mm256_madd_epi16(a_odd, b_odd);
                    *row = _mm256_add_epi32(*row, _mm256_add_epi32(even, odd));
                }
            }
            store_group(tile, g, acc);
        }
    }

    #[target_feature(enable = "avx2,avxvnni")]
    fn avx_vnni(a: &[[i32; MR]], b: &[[i32; NR]], tile: &mut [[i32; NR]; MR]) {
        for g in 0..GROUPS {
            let mut acc = load_group(tile, g);
            for (aw, bw) in a.iter().zip(b) {
                let bv: __m256i = bytemuck::cast::<_, [__m256i; GROUPS]>(*bw)[g];
                for (row, &word) in acc.iter_mut().zip(aw) {
                    *row = _mm256_dpbusd_avx_epi32(*row, _mm256_set1_epi32(word), bv);
                }
            }
            store_group(tile, g, acc);
        }
    }

    #[target_feature(enable = "avx512f,avx512vnni")]
    fn avx512_vnni(a: &[[i32; MR]], b: &[[i32; NR]], tile: &mut [[i32; NR]; MR]) {
        let mut acc: [[__m512i; 2]; MR] = bytemuck::cast(*tile);
        for (aw, bw) in a.iter().zip(b) {
            let [b0, b1]: [__m512i; 2] = bytemuck::cast(*bw);
            for (row, &word) in acc.iter_mut().zip(aw) {
                let av = _mm512_set1_epi32(word);
                row[0] = _mm512_dpbusd_epi32(row[0], av, b0);
                row[1] = _mm512_dpbusd_epi32(row[1], av, b1);
            }
        }
        *tile = bytemuck::cast(acc);
    }
}
