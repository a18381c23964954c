//! Exact threshold decisions on the decimal values of the inputs.
//!
//! Degrees such as 0.7 and 0.9 are not exact in binary, so `0.9 - 0.7 > 0.2`
//! is true in `f64` and `0.7 + 0.2 < 0.9` too, although the decimal
//! difference equals the threshold. The decision here reads every operand as
//! the shortest decimal that round-trips to the same `f64` (what `{}`
//! prints) and compares integers. Far from the boundary the plain `f64`
//! difference already decides, because it is off by at most a few units in
//! the last place.

use std::cmp::Ordering;

use super::Comparison;

/// Distance from the boundary beyond which the `f64` difference decides.
const FAST_MARGIN: f64 = 1e-9;

/// Largest power of ten kept in an `i128` for values in [0, 1].
const MAX_SCALE: i32 = 37;

/// Whether `accumulated - direct` passes `threshold` under `comparison`.
pub(crate) fn exceeds(
    accumulated: f64,
    direct: f64,
    threshold: f64,
    comparison: Comparison,
) -> bool {
    let order = compare_difference(accumulated, direct, threshold);
    match comparison {
        Comparison::Strict => order == Ordering::Greater,
        Comparison::NonStrict => order != Ordering::Less && accumulated > direct,
    }
}

/// Orders `a - b` against `t`, exactly on their decimal values.
pub(crate) fn compare_difference(a: f64, b: f64, t: f64) -> Ordering {
    let gap = (a - b) - t;
    if gap > FAST_MARGIN {
        return Ordering::Greater;
    }
    if gap < -FAST_MARGIN {
        return Ordering::Less;
    }
    if let (Some(a), Some(b), Some(t)) = (decimal(a), decimal(b), decimal(t)) {
        let scale = a.1.max(b.1).max(t.1);
        if scale <= MAX_SCALE {
            let lift = |(mantissa, s): (i128, i32)| mantissa * 10i128.pow((scale - s) as u32);
            return (lift(a) - lift(b)).cmp(&lift(t));
        }
    }
    // Values with more than 37 decimals (below about 1e-20) are compared on
    // their binary values.
    compare_binary(a, b, t)
}

/// `a - b` computed exactly on the decimal values of `a` and `b`, then
/// rounded once to the nearest `f64`, so `0.9 - 0.3` is the double nearest
/// 0.6 (which `f64` subtraction misses by one unit in the last place) and
/// equal decimal differences give equal doubles.
pub(crate) fn difference(a: f64, b: f64) -> f64 {
    if let (Some(da), Some(db)) = (decimal(a), decimal(b)) {
        let scale = da.1.max(db.1);
        if scale <= MAX_SCALE {
            let lift = |(mantissa, s): (i128, i32)| mantissa * 10i128.pow((scale - s) as u32);
            let exact = lift(da) - lift(db);
            // Rust's float parsing is correctly rounded.
            if let Ok(value) = format!("{exact}e-{scale}").parse::<f64>() {
                return value;
            }
        }
    }
    a - b
}

/// Orders `a - b` against `t` exactly on the binary values.
fn compare_binary(a: f64, b: f64, t: f64) -> Ordering {
    // TwoSum: `difference + error` equals `a - b` exactly. Rounding is
    // monotone, so a rounded difference on either side of `t` decides, and a
    // tie is broken by the sign of the rounding error.
    let difference = a - b;
    let b_virtual = a - difference;
    let a_virtual = difference + b_virtual;
    let error = (a - a_virtual) + (b_virtual - b);
    match difference.partial_cmp(&t) {
        Some(Ordering::Equal) | None => error.partial_cmp(&0.0).unwrap_or(Ordering::Equal),
        Some(order) => order,
    }
}

/// The value `x` in [0, 1] as `mantissa * 10^-scale`, from its shortest
/// round-trip decimal form.
fn decimal(x: f64) -> Option<(i128, i32)> {
    if !x.is_finite() {
        return None;
    }
    let text = format!("{:e}", x.abs());
    let (digits, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut mantissa: i128 = 0;
    for c in whole.chars().chain(fraction.chars()) {
        mantissa = mantissa * 10 + i128::from(c.to_digit(10)? as u8);
    }
    let scale = fraction.len() as i32 - exponent;
    if scale < 0 {
        // Only values of 10 or more have a negative scale.
        return None;
    }
    let sign = if x < 0.0 { -1 } else { 1 };
    Some((sign * mantissa, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_boundary_is_a_tie() {
        assert_eq!(compare_difference(0.9, 0.7, 0.2), Ordering::Equal);
        assert_eq!(compare_difference(0.3, 0.1, 0.2), Ordering::Equal);
        assert_eq!(compare_difference(1.0, 0.15, 0.85), Ordering::Equal);
        assert!(!exceeds(0.9, 0.7, 0.2, Comparison::Strict));
        assert!(exceeds(0.9, 0.7, 0.2, Comparison::NonStrict));
    }

    #[test]
    fn float_sums_disagree_with_the_decimals() {
        // The plain f64 forms select this cell, the decimal rule does not.
        let (accumulated, direct, threshold) = (std::hint::black_box(0.9), 0.7, 0.2);
        assert!(accumulated - direct > threshold);
        assert!(direct + threshold < accumulated);
        assert!(!exceeds(0.9, 0.7, 0.2, Comparison::Strict));
    }

    #[test]
    fn clear_cases_follow_the_difference() {
        assert_eq!(compare_difference(0.9, 0.1, 0.2), Ordering::Greater);
        assert_eq!(compare_difference(0.3, 0.2, 0.5), Ordering::Less);
        assert_eq!(compare_difference(0.5, 0.5, 0.0), Ordering::Equal);
        assert!(!exceeds(0.5, 0.5, 0.0, Comparison::NonStrict));
        assert!(exceeds(0.6, 0.5, 0.0, Comparison::Strict));
    }

    #[test]
    fn noise_digits_count_as_written() {
        // 0.8500000000000001 is a different decimal from 0.85.
        assert_eq!(
            compare_difference(0.8500000000000001, 0.0, 0.85),
            Ordering::Greater
        );
        assert_eq!(
            compare_difference(0.6499999999999999, 0.0, 0.65),
            Ordering::Less
        );
    }

    #[test]
    fn tiny_values_use_binary_arithmetic() {
        let tiny = 1e-300;
        assert_eq!(compare_difference(tiny, 0.0, 0.0), Ordering::Greater);
        assert_eq!(compare_difference(0.0, tiny, 0.0), Ordering::Less);
        assert_eq!(compare_binary(0.9, 0.7, 0.2), Ordering::Greater);
    }

    #[test]
    fn decimal_parts() {
        assert_eq!(decimal(0.85), Some((85, 2)));
        assert_eq!(decimal(1.0), Some((1, 0)));
        assert_eq!(decimal(0.0), Some((0, 0)));
        assert_eq!(decimal(0.30000000000000004), Some((30000000000000004, 17)));
    }
}
