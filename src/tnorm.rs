//! Triangular norms (t-norms), the conjunctions of sup-T composition.

/// A triangular norm: a commutative, associative map [0, 1]^2 -> [0, 1],
/// monotone in each argument, with 1 as identity.
///
/// Implement it for a type of your own to compose relations with a t-norm
/// the crate does not provide. The composition and closure kernels assume
/// the laws above; for inputs inside [0, 1], the result must also lie in
/// [0, 1].
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::{Lukasiewicz, Minimum, Product, TNorm};
///
/// assert_eq!(Minimum.apply(0.4, 0.7), 0.4);
/// assert_eq!(Product.apply(0.5, 0.5), 0.25);
/// assert!((Lukasiewicz.apply(0.7, 0.5) - 0.2).abs() < 1e-12);
/// ```
pub trait TNorm: Sync {
    /// T(a, b).
    fn apply(&self, a: f64, b: f64) -> f64;

    /// Short name used in reports and benchmark ids.
    fn name(&self) -> &'static str;
}

/// The minimum t-norm, min(a, b) (Goedel).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Minimum;

/// The product t-norm, a * b (Goguen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Product;

/// The Lukasiewicz t-norm, max(0, a + b - 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lukasiewicz;

impl TNorm for Minimum {
    #[inline]
    fn apply(&self, a: f64, b: f64) -> f64 {
        a.min(b)
    }

    fn name(&self) -> &'static str {
        "minimum"
    }
}

impl TNorm for Product {
    #[inline]
    fn apply(&self, a: f64, b: f64) -> f64 {
        a * b
    }

    fn name(&self) -> &'static str {
        "product"
    }
}

impl TNorm for Lukasiewicz {
    #[inline]
    fn apply(&self, a: f64, b: f64) -> f64 {
        // a + b - 1 rounds away from a when b is 1, so the identity is exact
        // only through these two branches.
        if b == 1.0 {
            a
        } else if a == 1.0 {
            b
        } else {
            (a + b - 1.0).max(0.0)
        }
    }

    fn name(&self) -> &'static str {
        "lukasiewicz"
    }
}

impl<T: TNorm + ?Sized> TNorm for &T {
    #[inline]
    fn apply(&self, a: f64, b: f64) -> f64 {
        (**self).apply(a, b)
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }
}

/// Watches the values a t-norm produces inside a sup-T kernel.
///
/// A t-norm applied to degrees never leaves [0, 1], but a user type that
/// breaks the laws could, and a NaN or negative value would silently lose
/// every max it enters. Kernels pass each value through [`admit`], which
/// records the smallest offending bit pattern (the same whatever the thread
/// order), and call [`finish`] at the end.
///
/// [`admit`]: OutputGuard::admit
/// [`finish`]: OutputGuard::finish
pub(crate) struct OutputGuard {
    offending: std::sync::atomic::AtomicU64,
}

impl OutputGuard {
    const NONE: u64 = u64::MAX;

    pub(crate) fn new() -> Self {
        Self {
            offending: std::sync::atomic::AtomicU64::new(Self::NONE),
        }
    }

    /// Whether `value` is a degree; records it otherwise.
    #[inline]
    pub(crate) fn admit(&self, value: f64) -> bool {
        if (0.0..=1.0).contains(&value) {
            true
        } else {
            let bits = value.to_bits().min(Self::NONE - 1);
            self.offending
                .fetch_min(bits, std::sync::atomic::Ordering::Relaxed);
            false
        }
    }

    /// Returns an error naming `t` when any value it produced was NaN or
    /// outside [0, 1].
    pub(crate) fn finish<T: TNorm + ?Sized>(&self, t: &T) -> crate::error::Result<()> {
        let bits = self.offending.load(std::sync::atomic::Ordering::Relaxed);
        if bits == Self::NONE {
            return Ok(());
        }
        Err(crate::error::Error::InvalidParameter {
            name: "t-norm",
            value: t.name().to_owned(),
            expected: format!(
                "values inside [0, 1] for degrees inside [0, 1], but it produced {}; \
                 check that it is a t-norm",
                f64::from_bits(bits)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: [f64; 6] = [0.0, 0.1, 0.3, 0.5, 0.9, 1.0];

    fn check_laws(t: &dyn TNorm) {
        for a in GRID {
            assert_eq!(t.apply(a, 1.0), a, "{} identity at {a}", t.name());
            for b in GRID {
                let ab = t.apply(a, b);
                assert!((0.0..=1.0).contains(&ab));
                assert_eq!(ab, t.apply(b, a), "{} commutative at {a}, {b}", t.name());
                for c in GRID {
                    let left = t.apply(t.apply(a, b), c);
                    let right = t.apply(a, t.apply(b, c));
                    assert!((left - right).abs() < 1e-12, "{} associative", t.name());
                }
            }
        }
    }

    struct Sum;

    impl TNorm for Sum {
        fn apply(&self, a: f64, b: f64) -> f64 {
            a + b
        }

        fn name(&self) -> &'static str {
            "sum"
        }
    }

    struct NanNorm;

    impl TNorm for NanNorm {
        fn apply(&self, _: f64, _: f64) -> f64 {
            f64::NAN
        }

        fn name(&self) -> &'static str {
            "nan"
        }
    }

    struct Negative;

    impl TNorm for Negative {
        fn apply(&self, a: f64, b: f64) -> f64 {
            a * b - 1.0
        }

        fn name(&self) -> &'static str {
            "negative"
        }
    }

    #[test]
    fn nan_and_negative_results_are_rejected() {
        let r = crate::FuzzyRelation::from_rows([[0.5, 0.8], [0.9, 0.4]]).unwrap();
        for result in [
            r.compose_with(&r, NanNorm),
            r.transitive_closure_with(NanNorm),
            r.compose_with(&r, Negative),
            r.transitive_closure_with(Negative),
        ] {
            let err = result.unwrap_err();
            assert!(
                err.to_string().contains("check that it is a t-norm"),
                "{err}"
            );
        }
    }

    #[test]
    fn operator_outside_the_unit_interval_is_rejected() {
        let r = crate::FuzzyRelation::from_rows([[0.9, 0.5], [0.2, 1.0]]).unwrap();
        let err = r.compose_with(&r, Sum).unwrap_err();
        assert!(err.to_string().contains("sum"), "{err}");
        assert!(r.transitive_closure_with(Sum).is_err());
        assert!(r.compose_with(&r, Product).is_ok());
    }

    #[test]
    fn provided_tnorms_satisfy_the_laws() {
        check_laws(&Minimum);
        check_laws(&Product);
        check_laws(&Lukasiewicz);
    }
}
