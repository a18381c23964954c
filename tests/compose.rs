//! Max-min and sup-T composition against the definition.

mod common;

use common::{cases, matrix, on_pools, plain_compose, relation};
use fuzzy_affinity::{Error, Execution, FuzzyRelation, Lukasiewicz, Minimum, Product, TNorm};
use proptest::prelude::*;

/// Two relations whose shapes chain, sides 1 to 64.
fn chained_pair() -> impl Strategy<Value = (FuzzyRelation, FuzzyRelation)> {
    (1usize..=64, 1usize..=64, 1usize..=64)
        .prop_flat_map(|(rows, inner, cols)| (matrix(rows, inner), matrix(inner, cols)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn maxmin_matches_triple_loop((r, s) in chained_pair()) {
        let expected = plain_compose(&r, &s, Minimum);
        for execution in [Execution::Serial, Execution::Parallel, Execution::Auto] {
            let rs = r.compose_with_execution(&s, execution).unwrap();
            prop_assert_eq!(rs.view(), expected.view(), "{:?}", execution);
        }
    }

    #[test]
    fn sup_t_matches_triple_loop((r, s) in chained_pair()) {
        let tnorms: [&dyn TNorm; 3] = [&Minimum, &Product, &Lukasiewicz];
        for t in tnorms {
            let expected = plain_compose(&r, &s, t);
            for execution in [Execution::Serial, Execution::Parallel] {
                let rs = r.compose_with_tnorm_execution(&s, t, execution).unwrap();
                prop_assert_eq!(rs.view(), expected.view(), "{} {:?}", t.name(), execution);
            }
        }
    }
}

#[test]
fn pools_of_one_and_four_threads_agree() {
    let r = FuzzyRelation::new(ndarray::Array2::from_shape_fn((150, 170), |(i, j)| {
        ((i * 31 + j * 17) % 101) as f64 / 100.0
    }))
    .unwrap();
    let s = r.transpose();
    for execution in [Execution::Serial, Execution::Parallel, Execution::Auto] {
        let (one, four) = on_pools(|| r.compose_with_execution(&s, execution).unwrap());
        assert_eq!(one, four, "{execution:?}");
        let (one, four) = on_pools(|| {
            r.compose_with_tnorm_execution(&s, Product, execution)
                .unwrap()
        });
        assert_eq!(one, four, "product {execution:?}");
    }
    assert_eq!(
        r.compose(&s).unwrap().view(),
        plain_compose(&r, &s, Minimum)
    );
}

#[test]
fn wide_codes_match_triple_loop() {
    // More than 65 536 distinct degrees, so the kernel runs on the degrees.
    let r = FuzzyRelation::new(ndarray::Array2::from_shape_fn((300, 300), |(i, j)| {
        ((i * 300 + j) * 7919 % 90_001) as f64 / 90_000.0
    }))
    .unwrap();
    let s = r.transpose();
    assert_eq!(
        r.compose(&s).unwrap().view(),
        plain_compose(&r, &s, Minimum)
    );
}

#[test]
fn labels_come_from_both_sides() {
    let r = FuzzyRelation::from_rows([[0.3, 0.8]])
        .unwrap()
        .with_row_labels(["ana"])
        .unwrap()
        .with_col_labels(["price", "speed"])
        .unwrap();
    let s = FuzzyRelation::from_rows([[0.5], [0.6]])
        .unwrap()
        .with_row_labels(["price", "speed"])
        .unwrap()
        .with_col_labels(["loyal"])
        .unwrap();
    let rs = r.compose(&s).unwrap();
    assert_eq!(rs.row_labels(), Some(&["ana".to_owned()][..]));
    assert_eq!(rs.col_labels(), Some(&["loyal".to_owned()][..]));
    assert_eq!(rs.get(0, 0), Some(0.6));
    let unlabelled = FuzzyRelation::from_rows([[1.0]]).unwrap();
    let product = rs.compose_with(&unlabelled, Product).unwrap();
    assert_eq!(product.row_labels(), Some(&["ana".to_owned()][..]));
    assert_eq!(product.col_labels(), None);
}

#[test]
fn shapes_that_do_not_chain_are_rejected() {
    let r = FuzzyRelation::zeros(3, 4).unwrap();
    let s = FuzzyRelation::zeros(5, 2).unwrap();
    for err in [
        r.compose(&s).unwrap_err(),
        r.compose_with(&s, Lukasiewicz).unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                Error::ShapeMismatch {
                    left: (3, 4),
                    right: (5, 2),
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("columns"), "{err}");
    }
}

/// The drastic t-norm: min(a, b) when one side is 1, else 0.
struct Drastic;

impl TNorm for Drastic {
    fn apply(&self, a: f64, b: f64) -> f64 {
        if a == 1.0 || b == 1.0 { a.min(b) } else { 0.0 }
    }

    fn name(&self) -> &'static str {
        "drastic"
    }
}

#[test]
fn user_tnorm_composes() {
    let r = FuzzyRelation::from_rows([[1.0, 0.7], [0.4, 0.9]]).unwrap();
    let s = FuzzyRelation::from_rows([[0.6, 1.0], [0.8, 0.5]]).unwrap();
    let rs = r.compose_with(&s, Drastic).unwrap();
    assert_eq!(rs.view(), plain_compose(&r, &s, Drastic));
    assert_eq!(rs.get(0, 0), Some(0.6));
    assert_eq!(rs.get(1, 1), Some(0.4));
}

fn tnorm_of(case: &serde_json::Value) -> &'static dyn TNorm {
    match case["parameters"]["t_norm"].as_str().unwrap_or("min") {
        "min" => &Minimum,
        "product" => &Product,
        "lukasiewicz" => &Lukasiewicz,
        other => panic!("unknown t-norm {other} in {}", case["id"]),
    }
}

fn check_composition_case(case: &serde_json::Value) {
    let id = case["id"].as_str().unwrap();
    let r = relation(&case["input"]["R"]);
    let s = relation(&case["input"]["S"]);
    let expected = relation(&case["expected"]["result"]);
    let t = tnorm_of(case);
    let rs = if t.name() == "minimum" {
        let fast = r.compose(&s).unwrap();
        assert_eq!(fast, r.compose_with(&s, Minimum).unwrap(), "{id}");
        fast
    } else {
        r.compose_with(&s, t).unwrap()
    };
    assert_eq!(rs.row_labels(), expected.row_labels(), "{id}");
    assert_eq!(rs.col_labels(), expected.col_labels(), "{id}");
    assert_eq!(rs.shape(), expected.shape(), "{id}");
    let exact = t.name() == "minimum";
    for ((index, &got), &want) in rs.view().indexed_iter().zip(expected.view().iter()) {
        if exact {
            assert_eq!(got, want, "{id} at {index:?}");
        } else {
            assert!(
                (got - want).abs() <= 1e-12,
                "{id} at {index:?}: {got} != {want}"
            );
        }
    }
}

#[test]
fn maxmin_reference_cases() {
    for case in cases("maxmin_composition") {
        check_composition_case(&case);
    }
}

#[test]
fn sup_t_reference_cases() {
    for case in cases("supT_composition") {
        check_composition_case(&case);
    }
}

#[test]
fn wide_results_span_several_column_tiles() {
    // 11 degrees (u8 codes), 700 degrees (u16 codes) and continuous degrees,
    // each with more result columns than one tile holds.
    for levels in [11usize, 700, 1_000_003] {
        let r = FuzzyRelation::new(ndarray::Array2::from_shape_fn((21, 9), |(i, j)| {
            ((i * 13 + j * 7) * 7919 % levels) as f64 / (levels - 1) as f64
        }))
        .unwrap();
        let s = FuzzyRelation::new(ndarray::Array2::from_shape_fn((9, 2_100), |(i, j)| {
            ((i * 2_100 + j) * 104_729 % levels) as f64 / (levels - 1) as f64
        }))
        .unwrap();
        let expected = plain_compose(&r, &s, Minimum);
        for execution in [Execution::Serial, Execution::Parallel] {
            let rs = r.compose_with_execution(&s, execution).unwrap();
            assert_eq!(rs.view(), expected.view(), "{levels} levels, {execution:?}");
        }
    }
}

#[test]
fn long_rows_exceed_the_sorted_prefix() {
    // Rows of 600 terms: the kernel sorts the largest 256 and selects the
    // rest round by round, on u8 codes, u16 codes and degrees.
    for levels in [11usize, 700, 1_000_003] {
        let r = FuzzyRelation::new(ndarray::Array2::from_shape_fn((40, 600), |(i, j)| {
            ((i * 600 + j) * 7919 % levels) as f64 / (levels - 1) as f64
        }))
        .unwrap();
        let s = FuzzyRelation::new(ndarray::Array2::from_shape_fn((600, 30), |(i, j)| {
            // Low degrees, so rows keep needing terms past the prefix.
            ((i * 30 + j) * 104_729 % levels) as f64 / (levels - 1) as f64 * 0.3
        }))
        .unwrap();
        let expected = plain_compose(&r, &s, Minimum);
        let rs = r.compose_with_execution(&s, Execution::Serial).unwrap();
        assert_eq!(rs.view(), expected.view(), "{levels} levels");
    }
}
