//! The standard normal distribution and sample quantiles.

/// The standard normal distribution function Phi(x).
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile Phi^-1(p) for p in (0, 1), to about 1e-15.
///
/// Acklam's rational approximation (relative error below 1.2e-9) followed by
/// one Halley step on `erfc`, which brings it to double precision. Returns
/// -inf for p <= 0 and +inf for p >= 1.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    let x = if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step: e = Phi(x) - p, u = e * sqrt(2 pi) * exp(x^2 / 2).
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// The sample quantile at level `p` in [0, 1] with linear interpolation
/// between order statistics (Hyndman and Fan type 7, R's default).
///
/// Reorders `values` in place; `values` must be non-empty and free of NaN.
pub(crate) fn quantile(values: &mut [f64], p: f64) -> f64 {
    debug_assert!(!values.is_empty());
    let h = (values.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let below = h.floor() as usize;
    let (_, &mut low, above) = values.select_nth_unstable_by(below, f64::total_cmp);
    let fraction = h - below as f64;
    if fraction == 0.0 || above.is_empty() {
        return low;
    }
    let high = above.iter().copied().fold(f64::INFINITY, f64::min);
    low + fraction * (high - low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-16);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
        assert!((normal_cdf(-1.644_853_626_951_472_2) - 0.05).abs() < 1e-15);
    }

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        for &p in &[
            1e-12,
            1e-6,
            0.01,
            0.024,
            0.05,
            0.3,
            0.5,
            0.7,
            0.95,
            0.99,
            1.0 - 1e-9,
        ] {
            let x = normal_quantile(p);
            assert!((normal_cdf(x) - p).abs() <= 1e-14 * p.max(1e-3), "p = {p}");
        }
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-13);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
    }

    #[test]
    fn quantile_matches_type_seven() {
        let mut values = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&mut values, 0.0), 1.0);
        assert_eq!(quantile(&mut values, 1.0), 4.0);
        assert_eq!(quantile(&mut values, 0.5), 2.5);
        // R: quantile(c(1, 2, 3, 4), 0.9) is 3.7.
        assert!((quantile(&mut values, 0.9) - 3.7).abs() < 1e-15);
    }
}
