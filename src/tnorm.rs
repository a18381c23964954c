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

/// Returns an error naming `t` when a value it produced is NaN or outside
/// [0, 1], which a t-norm applied to degrees never does; a user type that
/// breaks the laws would otherwise smuggle invalid degrees into a
/// [`FuzzyRelation`](crate::FuzzyRelation).
pub(crate) fn check_output<T: TNorm + ?Sized>(
    t: &T,
    values: &ndarray::Array2<f64>,
) -> crate::error::Result<()> {
    match values
        .indexed_iter()
        .find(|(_, v)| !(0.0..=1.0).contains(*v))
    {
        None => Ok(()),
        Some(((row, col), value)) => Err(crate::error::Error::InvalidParameter {
            name: "t-norm",
            value: t.name().to_owned(),
            expected: format!(
                "values inside [0, 1] for degrees inside [0, 1], but it produced {value} \
                 at row {row}, column {col}; check that it is a t-norm"
            ),
        }),
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
