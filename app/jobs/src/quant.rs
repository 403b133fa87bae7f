//! Fixed-point requantization: how an int32 accumulator becomes an int8
//! activation, identically on every backend.
//!
//! `y = saturate_i8(relu?((acc · multiplier + 2^(shift−1)) >> shift))`
//!
//! - the product is exact in 64 bits (`multiplier` < 2³¹, |acc| ≤ 2³¹);
//! - adding `2^(shift−1)` then shifting right arithmetically (floor) rounds
//!   to nearest with ties **up** (towards +∞): 2.5 → 3, −2.5 → −2;
//! - ReLU (when on) clamps negatives to 0; saturation clamps to −128..=127.

use crate::error::{JobError, Result};

/// Smallest allowed shift.
pub const MIN_SHIFT: u32 = 1;
/// Largest allowed shift.
pub const MAX_SHIFT: u32 = 62;

/// Requantization of one layer: a positive fixed-point multiplier and a right shift,
/// i.e. a real scale of `multiplier / 2^shift`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Requant {
    multiplier: i32,
    shift: u32,
    relu: bool,
}

impl Requant {
    /// A requantization; `multiplier` in `1..=i32::MAX`, `shift` in
    /// [`MIN_SHIFT`]`..=`[`MAX_SHIFT`].
    pub fn new(multiplier: i32, shift: u32, relu: bool) -> Result<Self> {
        if multiplier < 1 {
            return Err(JobError::InputMismatch(format!(
                "requantization multiplier {multiplier} must be positive"
            )));
        }
        if !(MIN_SHIFT..=MAX_SHIFT).contains(&shift) {
            return Err(JobError::InputMismatch(format!(
                "requantization shift {shift} must be in {MIN_SHIFT}..={MAX_SHIFT}"
            )));
        }
        Ok(Self {
            multiplier,
            shift,
            relu,
        })
    }

    /// The multiplier (positive).
    pub fn multiplier(&self) -> i32 {
        self.multiplier
    }

    /// The right shift.
    pub fn shift(&self) -> u32 {
        self.shift
    }

    /// Whether ReLU is applied.
    pub fn relu(&self) -> bool {
        self.relu
    }

    /// Requantizes one accumulator (the reference definition).
    #[inline]
    pub fn apply(&self, acc: i32) -> i8 {
        let product = i64::from(acc) * i64::from(self.multiplier);
        let rounded = (product + (1i64 << (self.shift - 1))) >> self.shift;
        let activated = if self.relu { rounded.max(0) } else { rounded };
        activated.clamp(i64::from(i8::MIN), i64::from(i8::MAX)) as i8
    }
}

/// What follows a GEMM in a quantized layer: per-output-column bias, then
/// requantization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Epilogue {
    /// One int32 bias per output column, added (wrapping) to the accumulator.
    pub bias: Vec<i32>,
    /// The requantization.
    pub requant: Requant,
}

impl Epilogue {
    /// `requant(bias[col] + acc)`.
    #[inline]
    pub fn apply(&self, col: usize, acc: i32) -> i8 {
        let bias = self.bias.get(col).copied().unwrap_or(0);
        self.requant.apply(bias.wrapping_add(acc))
    }

    /// Applies the epilogue to a row-major block of `n`-wide accumulator rows.
    pub fn apply_rows(&self, acc: &[i32], out: &mut [i8], n: usize) {
        for (acc_row, out_row) in acc.chunks(n).zip(out.chunks_mut(n)) {
            for (col, (o, &a)) in out_row.iter_mut().zip(acc_row).enumerate() {
                *o = self.apply(col, a);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_up_and_saturates() {
        // scale 1/2: ties go up.
        let r = Requant::new(1, 1, false).unwrap();
        assert_eq!(r.apply(5), 3); // 2.5 -> 3
        assert_eq!(r.apply(-5), -2); // -2.5 -> -2
        assert_eq!(r.apply(-3), -1); // -1.5 -> -1
        assert_eq!(r.apply(4), 2);
        assert_eq!(r.apply(1000), 127);
        assert_eq!(r.apply(-1000), -128);
        assert_eq!(r.apply(i32::MIN), -128);
        assert_eq!(r.apply(i32::MAX), 127);
        let relu = Requant::new(1, 1, true).unwrap();
        assert_eq!(relu.apply(-5), 0);
        assert_eq!(relu.apply(-1000), 0);
        // Extreme multiplier and shift stay exact.
        let big = Requant::new(i32::MAX, 62, false).unwrap();
        assert_eq!(big.apply(i32::MIN), -1); // (-2^62 + 2^31 + 2^61) >> 62 = -1
        let exact = ((i64::from(i32::MIN) * i64::from(i32::MAX)) + (1 << 61)) >> 62;
        assert_eq!(i64::from(big.apply(i32::MIN)), exact.clamp(-128, 127));
    }

    #[test]
    fn refuses_bad_parameters() {
        assert!(Requant::new(0, 5, false).is_err());
        assert!(Requant::new(-3, 5, false).is_err());
        assert!(Requant::new(3, 0, false).is_err());
        assert!(Requant::new(3, 63, false).is_err());
    }
}
