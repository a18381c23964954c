//! Maximal similarity subrelations, checked against brute force and
//! reference cases.

use std::collections::BTreeSet;

use fuzzy_affinity::{
    CliqueOptions, Error, Execution, FuzzyRelation, SimilaritySubrelations,
    maximal_similarity_subrelations, maximal_similarity_subrelations_with,
};
use proptest::prelude::*;
use serde_json::Value;

/// Every maximal clique of the graph with edges i != j where `related(i, j)`,
/// by testing each vertex subset.
fn brute_force_cliques(n: usize, related: impl Fn(usize, usize) -> bool) -> Vec<Vec<u32>> {
    let is_clique = |set: u32| {
        (0..n).all(|i| {
            (0..n).all(|j| i == j || set >> i & 1 == 0 || set >> j & 1 == 0 || related(i, j))
        })
    };
    let mut cliques = Vec::new();
    for set in 1u32..(1 << n) {
        if is_clique(set) && (0..n).all(|v| set >> v & 1 == 1 || !is_clique(set | 1 << v)) {
            cliques.push((0..n as u32).filter(|&v| set >> v & 1 == 1).collect());
        }
    }
    cliques.sort();
    cliques
}

fn listed(found: &SimilaritySubrelations) -> Vec<Vec<u32>> {
    found.iter().map(<[u32]>::to_vec).collect()
}

fn proximity_strategy() -> impl Strategy<Value = (FuzzyRelation, f64)> {
    (1usize..=12)
        .prop_flat_map(|n| {
            (
                Just(n),
                proptest::collection::vec(0u8..=10, n * n),
                0u8..=10,
            )
        })
        .prop_map(|(n, cells, alpha)| {
            let values = ndarray::Array2::from_shape_fn((n, n), |(i, j)| {
                if i == j {
                    1.0
                } else {
                    f64::from(cells[i.min(j) * n + i.max(j)]) / 10.0
                }
            });
            (FuzzyRelation::new(values).unwrap(), f64::from(alpha) / 10.0)
        })
}

fn options(execution: Execution, strict: bool) -> CliqueOptions {
    CliqueOptions {
        strict,
        execution,
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, rng_seed: proptest::test_runner::RngSeed::Fixed(9), ..ProptestConfig::default() })]

    #[test]
    fn cliques_match_brute_force((relation, alpha) in proximity_strategy(), strict in any::<bool>()) {
        let n = relation.nrows();
        let related = |i: usize, j: usize| {
            let v = relation.get(i, j).unwrap();
            if strict { v > alpha } else { v >= alpha }
        };
        let expected = brute_force_cliques(n, related);
        let found = maximal_similarity_subrelations_with(&relation, alpha, &options(Execution::Serial, strict)).unwrap();
        prop_assert_eq!(listed(&found), expected);
    }

    #[test]
    fn parallel_equals_serial((relation, alpha) in proximity_strategy()) {
        let expected = maximal_similarity_subrelations_with(&relation, alpha, &options(Execution::Serial, false)).unwrap();
        for threads in [1, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let found = pool.install(|| {
                maximal_similarity_subrelations_with(&relation, alpha, &options(Execution::Parallel, false)).unwrap()
            });
            prop_assert_eq!(&found, &expected);
        }
    }
}

fn cases_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/cases/generated"
    ));
    assert!(
        dir.is_dir(),
        "reference case directory {} is missing",
        dir.display()
    );
    dir.to_path_buf()
}

fn relation_of(input: &Value) -> FuzzyRelation {
    serde_json::from_value(input.clone()).expect("case input is a valid relation")
}

#[test]
fn reference_cliques_match() {
    let mut checked = 0;
    for entry in std::fs::read_dir(cases_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("maximal_cliques_") {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let relation = relation_of(&case["input"]["R"]);
        let alpha = case["parameters"]["alpha"].as_f64().unwrap();
        for (kind, strict) in [("nonstrict", false), ("strict", true)] {
            let expected: BTreeSet<BTreeSet<String>> = case["expected"][kind]["cliques"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    c.as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_owned())
                        .collect()
                })
                .collect();
            let found = maximal_similarity_subrelations_with(
                &relation,
                alpha,
                &options(Execution::Auto, strict),
            )
            .unwrap();
            let found: BTreeSet<BTreeSet<String>> = (0..found.len())
                .map(|i| {
                    found
                        .labels_of(i)
                        .unwrap()
                        .into_iter()
                        .map(str::to_owned)
                        .collect()
                })
                .collect();
            assert_eq!(found, expected, "{name} {kind}");
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} clique cases found");
}

#[test]
fn non_proximity_input_names_the_pair() {
    let relation = FuzzyRelation::from_rows([[1.0, 0.4], [0.5, 1.0]])
        .unwrap()
        .with_row_labels(["ana", "ben"])
        .unwrap();
    let err = maximal_similarity_subrelations(&relation, 0.5).unwrap_err();
    assert!(matches!(
        err,
        Error::PropertyViolated {
            property: "symmetric",
            ..
        }
    ));
    let text = err.to_string();
    assert!(text.contains("ana") && text.contains("ben"), "{text}");

    let not_reflexive = FuzzyRelation::from_rows([[0.9, 0.4], [0.4, 1.0]]).unwrap();
    let err = maximal_similarity_subrelations(&not_reflexive, 0.5).unwrap_err();
    assert!(matches!(
        err,
        Error::PropertyViolated {
            property: "reflexive",
            ..
        }
    ));

    let rectangular = FuzzyRelation::from_rows([[1.0, 0.4]]).unwrap();
    let err = maximal_similarity_subrelations(&rectangular, 0.5).unwrap_err();
    assert!(matches!(err, Error::NotSquare { .. }));

    let identity = FuzzyRelation::identity(2).unwrap();
    let err = maximal_similarity_subrelations(&identity, f64::NAN).unwrap_err();
    assert!(matches!(err, Error::InvalidThreshold { .. }));
}

#[test]
fn reflexive_diagonal_hides_no_clique() {
    // At alpha 1 only the diagonal is in the cut: every element alone.
    let relation = FuzzyRelation::identity(3).unwrap();
    let found = maximal_similarity_subrelations(&relation, 1.0).unwrap();
    assert_eq!(listed(&found), vec![vec![0], vec![1], vec![2]]);
    let found = maximal_similarity_subrelations(&relation, 0.0).unwrap();
    assert_eq!(listed(&found), vec![vec![0, 1, 2]]);
}

#[test]
fn cap_is_enforced() {
    let relation = FuzzyRelation::identity(5).unwrap();
    let capped = CliqueOptions {
        max_cliques: Some(4),
        ..Default::default()
    };
    let err = maximal_similarity_subrelations_with(&relation, 1.0, &capped).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { limit: 4, .. }));
    let exact = CliqueOptions {
        max_cliques: Some(5),
        ..Default::default()
    };
    assert_eq!(
        maximal_similarity_subrelations_with(&relation, 1.0, &exact)
            .unwrap()
            .len(),
        5
    );
}

#[test]
fn large_neighbourhoods_use_wide_masks() {
    // 300 elements: 0..10 related to all, the rest in two blocks of 10..150
    // and 150..300 related inside each block. The two subrelations share
    // their first ten members, more than the sort key holds.
    let values = ndarray::Array2::from_shape_fn((300, 300), |(i, j)| {
        if i == j || i < 10 || j < 10 || (i < 150) == (j < 150) {
            1.0
        } else {
            0.2
        }
    });
    let relation = FuzzyRelation::new(values).unwrap();
    let found = maximal_similarity_subrelations(&relation, 0.5).unwrap();
    let second: Vec<u32> = (0..10).chain(150..300).collect();
    let expected: Vec<Vec<u32>> = vec![(0..150).collect(), second];
    assert_eq!(listed(&found), expected);
    let json = serde_json::to_value(&found).unwrap();
    assert_eq!(json["elements"], 300);
}
