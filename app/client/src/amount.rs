//! EFUEL amounts: exact decimal text ⇄ base units (9 decimals).
use edgefuel::constants::EFUEL_DECIMALS;

/// Base units in one EFUEL.
pub const EFUEL: u64 = 10u64.pow(EFUEL_DECIMALS as u32);

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty: give a number of EFUEL such as 12.5")]
    Empty,
    #[error(
        "`{0}` is not an EFUEL amount: use digits with an optional decimal point, such as 12.5"
    )]
    Malformed(String),
    #[error(
        "`{0}` has more than 9 decimal places: EFUEL has 9 decimals (smallest unit 0.000000001)"
    )]
    TooPrecise(String),
    #[error("`{0}` is too large: the most a u64 holds is 18446744073.709551615 EFUEL")]
    TooLarge(String),
}

/// Parses a decimal EFUEL amount (`12`, `12.5`, `0.000000001`, `1_000`) into
/// base units exactly: no floating point, no rounding. Refuses signs,
/// exponents, empty parts, more than 9 decimals and overflow.
pub fn parse_efuel(text: &str) -> Result<u64, AmountError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let malformed = || AmountError::Malformed(s.to_string());
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let digits = |part: &str| -> Result<String, AmountError> {
        if part.starts_with('_') || part.ends_with('_') || part.contains("__") {
            return Err(malformed());
        }
        let d: String = part.chars().filter(|c| *c != '_').collect();
        if d.chars().all(|c| c.is_ascii_digit()) {
            Ok(d)
        } else {
            Err(malformed())
        }
    };
    let whole = digits(whole)?;
    if whole.is_empty() {
        return Err(malformed());
    }
    let frac = match frac {
        Some(f) => {
            let f = digits(f)?;
            if f.is_empty() {
                return Err(malformed());
            }
            f
        }
        None => String::new(),
    };
    if frac.len() > EFUEL_DECIMALS as usize {
        return Err(AmountError::TooPrecise(s.to_string()));
    }
    let too_large = || AmountError::TooLarge(s.to_string());
    let whole: u64 = if whole.len() > 20 {
        return Err(too_large());
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let frac_units: u64 = if frac.is_empty() {
        0
    } else {
        let scale = 10u64.pow(EFUEL_DECIMALS as u32 - frac.len() as u32);
        frac.parse::<u64>().map_err(|_| malformed())? * scale
    };
    whole
        .checked_mul(EFUEL)
        .and_then(|w| w.checked_add(frac_units))
        .ok_or_else(too_large)
}

/// Formats base units as EFUEL with no trailing zeros (`12500000000` → `12.5`).
pub fn format_efuel(base_units: u64) -> String {
    let whole = base_units / EFUEL;
    let frac = base_units % EFUEL;
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = EFUEL_DECIMALS as usize);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Formats lamports as SOL (9 decimals, no trailing zeros).
pub fn format_sol(lamports: u64) -> String {
    format_efuel(lamports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(parse_efuel("12.5"), Ok(12_500_000_000));
        assert_eq!(parse_efuel("0"), Ok(0));
        assert_eq!(parse_efuel("1"), Ok(EFUEL));
        assert_eq!(parse_efuel("0.000000001"), Ok(1));
        assert_eq!(parse_efuel(" 7.000000000 "), Ok(7 * EFUEL));
        assert_eq!(parse_efuel("1_000"), Ok(1_000 * EFUEL));
        assert_eq!(parse_efuel("18446744073.709551615"), Ok(u64::MAX));
        // 0.1 + 0.2 is exact here.
        assert_eq!(
            parse_efuel("0.1").unwrap() + parse_efuel("0.2").unwrap(),
            parse_efuel("0.3").unwrap()
        );
    }

    #[test]
    fn refuses_bad_input_clearly() {
        assert_eq!(parse_efuel(""), Err(AmountError::Empty));
        for bad in [
            "-1", "+1", "1e9", "abc", "1.2.3", ".5", "5.", "1,5", "0x10", "_1", "1__0", "NaN",
            "1 000",
        ] {
            assert!(
                matches!(parse_efuel(bad), Err(AmountError::Malformed(_))),
                "{bad} should be malformed"
            );
        }
        assert_eq!(
            parse_efuel("0.0000000001"),
            Err(AmountError::TooPrecise("0.0000000001".into()))
        );
        assert!(matches!(
            parse_efuel("18446744073.709551616"),
            Err(AmountError::TooLarge(_))
        ));
        assert!(matches!(
            parse_efuel("99999999999999999999999"),
            Err(AmountError::TooLarge(_))
        ));
        let msg = parse_efuel("12,5").unwrap_err().to_string();
        assert!(msg.contains("12,5") && msg.contains("12.5"), "{msg}");
    }

    #[test]
    fn formats_without_trailing_zeros() {
        assert_eq!(format_efuel(12_500_000_000), "12.5");
        assert_eq!(format_efuel(0), "0");
        assert_eq!(format_efuel(1), "0.000000001");
        assert_eq!(format_efuel(u64::MAX), "18446744073.709551615");
    }

    proptest! {
        #[test]
        fn format_then_parse_roundtrips(units in any::<u64>()) {
            prop_assert_eq!(parse_efuel(&format_efuel(units)), Ok(units));
        }
    }
}
