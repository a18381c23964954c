//! Transitive closures against squaring to a fixpoint, and their laws.

mod common;

use common::{cases, on_pools, plain_compose, proximity, relation, square, squaring_closure};
use fuzzy_affinity::{
    ClosureAlgorithm, Error, Execution, FuzzyRelation, Lukasiewicz, Minimum, Product, TNorm,
};
use ndarray::Array2;
use proptest::prelude::*;

const ALGORITHMS: [ClosureAlgorithm; 4] = [
    ClosureAlgorithm::Naive,
    ClosureAlgorithm::FloydWarshall,
    ClosureAlgorithm::SortedEdges,
    ClosureAlgorithm::Auto,
];

/// The sup-T closure by squaring with the triple loop until nothing changes.
fn squaring_closure_with(r: &FuzzyRelation, t: &dyn TNorm) -> Array2<f64> {
    let mut current = r.view().to_owned();
    loop {
        let relation = FuzzyRelation::new(current.clone()).unwrap();
        let square = plain_compose(&relation, &relation, t);
        let next = ndarray::Zip::from(&current)
            .and(&square)
            .map_collect(|&a, &b| a.max(b));
        if next == current {
            return next;
        }
        current = next;
    }
}

/// The transitive closure of a crisp relation by Warshall's algorithm.
fn crisp_closure(mut m: Array2<bool>) -> Array2<bool> {
    let n = m.nrows();
    for k in 0..n {
        for i in 0..n {
            if m[[i, k]] {
                for j in 0..n {
                    if m[[k, j]] {
                        m[[i, j]] = true;
                    }
                }
            }
        }
    }
    m
}

fn contains(outer: &FuzzyRelation, inner: &FuzzyRelation) -> bool {
    outer
        .view()
        .iter()
        .zip(inner.view().iter())
        .all(|(a, b)| a >= b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn algorithms_match_squaring(r in square(64)) {
        let expected = squaring_closure(&r);
        for algorithm in ALGORITHMS {
            for execution in [Execution::Serial, Execution::Parallel] {
                let closure = r.transitive_closure_using(algorithm, execution).unwrap();
                prop_assert_eq!(closure.view(), expected.view(), "{:?} {:?}", algorithm, execution);
            }
        }
    }

    #[test]
    fn spanning_tree_matches_squaring(r in proximity(64)) {
        let expected = squaring_closure(&r);
        for execution in [Execution::Serial, Execution::Parallel] {
            let closure = r
                .transitive_closure_using(ClosureAlgorithm::SpanningTree, execution)
                .unwrap();
            prop_assert_eq!(closure.view(), expected.view(), "{:?}", execution);
        }
        let auto = r.transitive_closure().unwrap();
        prop_assert_eq!(auto.view(), expected.view());
        let similarity = r.similarity_closure().unwrap();
        prop_assert_eq!(similarity.view(), expected.view());
    }

    #[test]
    fn sup_t_closure_matches_squaring(r in square(24)) {
        let tnorms: [&dyn TNorm; 3] = [&Minimum, &Product, &Lukasiewicz];
        for t in tnorms {
            let expected = squaring_closure_with(&r, t);
            let closure = r.transitive_closure_with(t).unwrap();
            for (got, want) in closure.view().iter().zip(expected.iter()) {
                if t.name() == "minimum" {
                    prop_assert_eq!(got, want);
                } else {
                    prop_assert!((got - want).abs() <= 1e-12, "{}: {} != {}", t.name(), got, want);
                }
            }
        }
    }

    #[test]
    fn closure_laws_hold(r in square(40)) {
        let closure = r.transitive_closure().unwrap();
        prop_assert!(contains(&closure, &r));
        prop_assert!(closure.is_transitive());
        prop_assert_eq!(closure.transitive_closure().unwrap(), closure.clone());
        let similarity = r.similarity_closure().unwrap();
        prop_assert!(similarity.is_similarity());
        prop_assert!(contains(&similarity, &closure));
    }

    #[test]
    fn closure_is_minimal(r in square(7)) {
        let closure = r.transitive_closure().unwrap();
        let (n, _) = r.shape();
        for i in 0..n {
            for j in 0..n {
                let raised = closure.get(i, j).unwrap();
                let original = r.get(i, j).unwrap();
                if raised > original {
                    let mut lowered = closure.view().to_owned();
                    lowered[[i, j]] = original;
                    let lowered = FuzzyRelation::new(lowered).unwrap();
                    prop_assert!(!lowered.is_transitive(), "({}, {}) could be lowered", i, j);
                }
            }
        }
    }

    #[test]
    fn alpha_cut_of_closure_is_crisp_closure(r in square(32)) {
        let closure = r.transitive_closure().unwrap();
        let mut present: Vec<f64> = r.view().iter().copied().collect();
        present.sort_by(f64::total_cmp);
        present.dedup();
        // Every present degree on small scales, about a dozen on continuous ones.
        let step = present.len() / 12 + 1;
        let mut alphas: Vec<f64> = present.into_iter().step_by(step).collect();
        alphas.extend([0.0, 0.05, 0.55, 1.0]);
        for alpha in alphas {
            let expected = crisp_closure(r.alpha_cut(alpha).unwrap().to_array());
            prop_assert_eq!(closure.alpha_cut(alpha).unwrap().to_array(), expected, "alpha {}", alpha);
        }
    }
}

fn pseudo_random(n: usize, levels: usize, seed: usize) -> FuzzyRelation {
    FuzzyRelation::new(Array2::from_shape_fn((n, n), |(i, j)| {
        let h = (i * 7919 + j * 104_729 + seed * 1_299_709).wrapping_mul(2_654_435_761) % 1_000_003;
        (h % levels) as f64 / (levels - 1) as f64
    }))
    .unwrap()
}

#[test]
fn several_pivot_blocks_match_squaring() {
    for (n, levels) in [(150, 11), (130, 3), (100, 1_000_003)] {
        let r = pseudo_random(n, levels, n);
        let expected = squaring_closure(&r);
        for algorithm in ALGORITHMS {
            let closure = r
                .transitive_closure_using(algorithm, Execution::Auto)
                .unwrap();
            assert_eq!(closure.view(), expected.view(), "n {n}, {algorithm:?}");
        }
    }
}

#[test]
fn wide_codes_match_naive() {
    // More than 65 536 distinct degrees, so the kernels run on the degrees.
    let r = pseudo_random(300, 1_000_003, 5);
    let naive = r
        .transitive_closure_using(ClosureAlgorithm::Naive, Execution::Auto)
        .unwrap();
    for algorithm in [
        ClosureAlgorithm::FloydWarshall,
        ClosureAlgorithm::SortedEdges,
    ] {
        let fast = r
            .transitive_closure_using(algorithm, Execution::Auto)
            .unwrap();
        assert_eq!(fast, naive, "{algorithm:?}");
    }
    assert!(naive.is_transitive());
}

#[test]
fn pools_of_one_and_four_threads_agree() {
    let r = pseudo_random(160, 101, 3);
    let p = r.symmetric_closure().unwrap().reflexive_closure().unwrap();
    for algorithm in ALGORITHMS {
        for execution in [Execution::Serial, Execution::Parallel, Execution::Auto] {
            let (one, four) =
                on_pools(|| r.transitive_closure_using(algorithm, execution).unwrap());
            assert_eq!(one, four, "{algorithm:?} {execution:?}");
        }
    }
    for execution in [Execution::Serial, Execution::Parallel, Execution::Auto] {
        let (one, four) = on_pools(|| {
            p.transitive_closure_using(ClosureAlgorithm::SpanningTree, execution)
                .unwrap()
        });
        assert_eq!(one, four, "spanning tree {execution:?}");
    }
    let (one, four) = on_pools(|| r.transitive_closure_with(Product).unwrap());
    assert_eq!(one, four, "product");
}

#[test]
fn labels_are_kept() {
    let r = FuzzyRelation::from_rows([[0.0, 0.4], [0.9, 0.0]])
        .unwrap()
        .with_row_labels(["a", "b"])
        .unwrap()
        .with_col_labels(["a", "b"])
        .unwrap();
    for closure in [
        r.transitive_closure().unwrap(),
        r.transitive_closure_with(Product).unwrap(),
        r.similarity_closure().unwrap(),
    ] {
        assert_eq!(closure.row_labels(), r.row_labels());
        assert_eq!(closure.col_labels(), r.col_labels());
    }
    assert_eq!(r.transitive_closure().unwrap().get(0, 0), Some(0.4));
}

#[test]
fn bad_input_is_rejected() {
    let wide = FuzzyRelation::zeros(2, 5).unwrap();
    assert!(matches!(
        wide.transitive_closure(),
        Err(Error::NotSquare {
            rows: 2,
            cols: 5,
            ..
        })
    ));
    let asymmetric = FuzzyRelation::from_rows([[1.0, 0.5], [0.4, 1.0]])
        .unwrap()
        .with_row_labels(["ana", "ben"])
        .unwrap();
    let err = asymmetric
        .transitive_closure_using(ClosureAlgorithm::SpanningTree, Execution::Auto)
        .unwrap_err();
    assert!(matches!(err, Error::PropertyViolated { .. }), "{err:?}");
    assert!(err.to_string().contains("ana"), "{err}");
}

#[test]
fn reference_cases() {
    for case in cases("transitive_closure") {
        let id = case["id"].as_str().unwrap();
        let r = relation(&case["input"]["R"]);
        let expected = relation(&case["expected"]["closure"]);
        for algorithm in ALGORITHMS {
            let closure = r
                .transitive_closure_using(algorithm, Execution::Auto)
                .unwrap();
            assert_eq!(closure, expected, "{id} {algorithm:?}");
        }
        if r.is_reflexive() && r.is_symmetric() {
            let tree = r
                .transitive_closure_using(ClosureAlgorithm::SpanningTree, Execution::Auto)
                .unwrap();
            assert_eq!(tree, expected, "{id} spanning tree");
        }
        if let Some(flag) = case["expected"]["closure_is_transitive"].as_bool() {
            assert_eq!(expected.is_transitive(), flag, "{id}");
        }
        if let Some(flag) = case["expected"]["closure_is_similarity"].as_bool() {
            assert_eq!(expected.is_similarity(), flag, "{id}");
        }
        let with_min = r.transitive_closure_with(Minimum).unwrap();
        assert_eq!(with_min, expected, "{id} sup-min");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn consuming_closure_equals_the_borrowing_one(r in common::square(40), symmetric in any::<bool>()) {
        let r = if symmetric { r.symmetric_closure().unwrap() } else { r };
        let expected = r.transitive_closure().unwrap();
        let (one, four) = common::on_pools(|| r.clone().into_transitive_closure().unwrap());
        prop_assert_eq!(&one, &expected);
        prop_assert_eq!(&four, &expected);
    }
}

#[test]
fn consuming_closure_of_a_large_proximity() {
    // 300 x 300 crosses the parallel cut-off of the in-place fill.
    let n = 300;
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if i == j {
                        1.0
                    } else {
                        ((i * j + i + j) % 97) as f64 / 97.0
                    }
                })
                .collect()
        })
        .collect();
    let r = FuzzyRelation::from_rows(rows).unwrap();
    assert!(r.is_symmetric());
    let expected = r.transitive_closure().unwrap();
    let (one, four) = common::on_pools(|| r.clone().into_transitive_closure().unwrap());
    assert_eq!(one, expected);
    assert_eq!(four, expected);
    assert!(matches!(
        FuzzyRelation::from_rows([[0.5, 0.2]])
            .unwrap()
            .into_transitive_closure(),
        Err(Error::NotSquare { .. })
    ));
}
