//! Affinity groups, their lattice and their levels, checked against the
//! plain definitions and against reference cases.

use std::collections::BTreeSet;

use fuzzy_affinity::{
    AffinityGroups, AffinityOptions, Error, Execution, FuzzyRelation, Threshold, affinity_groups,
    affinity_levels, burmeister_cxt,
};
use proptest::prelude::*;
use serde_json::Value;

type Pair = (Vec<usize>, Vec<usize>);

/// Every formal concept of the crisp relation `cut[row][col]`, by closing
/// each row subset: (A, B) is a concept when A equals the rows that hold
/// every column of B = the columns held by every row of A.
fn brute_force_concepts(cut: &[Vec<bool>], cols: usize) -> BTreeSet<Pair> {
    let rows = cut.len();
    let mut concepts = BTreeSet::new();
    for subset in 0u32..(1 << rows) {
        let extent: Vec<usize> = (0..rows).filter(|&r| subset >> r & 1 == 1).collect();
        let intent: Vec<usize> = (0..cols)
            .filter(|&c| extent.iter().all(|&r| cut[r][c]))
            .collect();
        let closed: Vec<usize> = (0..rows)
            .filter(|&r| intent.iter().all(|&c| cut[r][c]))
            .collect();
        if closed == extent {
            concepts.insert((extent, intent));
        }
    }
    concepts
}

fn nontrivial(concepts: &BTreeSet<Pair>) -> BTreeSet<Pair> {
    concepts
        .iter()
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .cloned()
        .collect()
}

fn pairs(groups: &AffinityGroups) -> Vec<Pair> {
    groups
        .iter()
        .map(|g| (g.rows().iter().map(|&r| r as usize).collect(), g.cols()))
        .collect()
}

fn cut_of(relation: &FuzzyRelation, keep: impl Fn(usize, f64) -> bool) -> Vec<Vec<bool>> {
    let view = relation.view();
    view.outer_iter()
        .map(|row| row.iter().enumerate().map(|(c, &v)| keep(c, v)).collect())
        .collect()
}

fn relation_strategy() -> impl Strategy<Value = (FuzzyRelation, f64)> {
    (1usize..=12, 1usize..=10)
        .prop_flat_map(|(rows, cols)| {
            (
                proptest::collection::vec(0u8..=10, rows * cols),
                Just(rows),
                Just(cols),
                0u8..=10,
            )
        })
        .prop_map(|(cells, rows, cols, alpha)| {
            let values = ndarray::Array2::from_shape_fn((rows, cols), |(r, c)| {
                f64::from(cells[r * cols + c]) / 10.0
            });
            (FuzzyRelation::new(values).unwrap(), f64::from(alpha) / 10.0)
        })
}

fn serial() -> AffinityOptions {
    AffinityOptions {
        execution: Execution::Serial,
        ..Default::default()
    }
}

fn parallel() -> AffinityOptions {
    AffinityOptions {
        execution: Execution::Parallel,
        ..Default::default()
    }
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn is_sorted_by_cols(groups: &AffinityGroups) -> bool {
    let cols: Vec<Vec<usize>> = groups.iter().map(|g| g.cols()).collect();
    cols.windows(2).all(|w| w[0] < w[1])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, rng_seed: proptest::test_runner::RngSeed::Fixed(4), ..ProptestConfig::default() })]

    #[test]
    fn groups_match_brute_force((relation, alpha) in relation_strategy()) {
        let cols = relation.ncols();
        let cut = cut_of(&relation, |_, v| v >= alpha);
        let expected = nontrivial(&brute_force_concepts(&cut, cols));
        let groups = affinity_groups(&relation, alpha, &serial()).unwrap();
        let found = pairs(&groups);
        let unique: BTreeSet<Pair> = found.iter().cloned().collect();
        prop_assert_eq!(unique.len(), found.len(), "duplicate groups");
        prop_assert_eq!(&unique, &expected);
        prop_assert!(is_sorted_by_cols(&groups));

        // Every rectangle of the cut lies inside some group.
        for subset in 1u32..(1 << relation.nrows()) {
            let rows: Vec<usize> = (0..relation.nrows()).filter(|&r| subset >> r & 1 == 1).collect();
            let common: Vec<usize> = (0..cols).filter(|&c| rows.iter().all(|&r| cut[r][c])).collect();
            if common.is_empty() {
                continue;
            }
            let covered = found.iter().any(|(a, b)| {
                rows.iter().all(|r| a.contains(r)) && common.iter().all(|c| b.contains(c))
            });
            prop_assert!(covered, "rectangle {:?} x {:?} in no group", rows, common);
        }

        // Level and mean are computed on the fuzzy relation.
        for group in groups.iter() {
            let mut degrees = Vec::new();
            for &r in group.rows() {
                for c in group.cols() {
                    degrees.push(relation.get(r as usize, c).unwrap());
                }
            }
            let min = degrees.iter().copied().fold(1.0, f64::min);
            prop_assert_eq!(group.level(), min);
            prop_assert!(group.level() >= alpha);
            let mean = degrees.iter().sum::<f64>() / degrees.len() as f64;
            prop_assert!((group.mean() - mean).abs() < 1e-12);
        }
    }

    #[test]
    fn strict_and_top_bottom_match_brute_force((relation, alpha) in relation_strategy()) {
        let cols = relation.ncols();
        let cut = cut_of(&relation, |_, v| v > alpha);
        let expected = brute_force_concepts(&cut, cols);
        let options = AffinityOptions { strict: true, include_top_bottom: true, ..serial() };
        let groups = affinity_groups(&relation, alpha, &options).unwrap();
        let found: BTreeSet<Pair> = pairs(&groups).into_iter().collect();
        prop_assert_eq!(found.len(), groups.len());
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn iceberg_bounds_match_filtering((relation, alpha) in relation_strategy(), min_rows in 0usize..4, min_cols in 0usize..4) {
        let cut = cut_of(&relation, |_, v| v >= alpha);
        let expected: BTreeSet<Pair> = nontrivial(&brute_force_concepts(&cut, relation.ncols()))
            .into_iter()
            .filter(|(a, b)| a.len() >= min_rows && b.len() >= min_cols)
            .collect();
        let options = AffinityOptions { min_rows, min_cols, ..parallel() };
        let groups = affinity_groups(&relation, alpha, &options).unwrap();
        let found: BTreeSet<Pair> = pairs(&groups).into_iter().collect();
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn per_column_thresholds_match_brute_force((relation, _alpha) in relation_strategy(), seed in 0u64..1000) {
        let cols = relation.ncols();
        let alphas: Vec<f64> = (0..cols).map(|c| ((seed as usize + 3 * c) % 11) as f64 / 10.0).collect();
        let cut = cut_of(&relation, |c, v| v >= alphas[c]);
        let expected = nontrivial(&brute_force_concepts(&cut, cols));
        let groups = affinity_groups(&relation, alphas.clone(), &serial()).unwrap();
        let found: BTreeSet<Pair> = pairs(&groups).into_iter().collect();
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn parallel_equals_serial((relation, alpha) in relation_strategy()) {
        let options = AffinityOptions { build_lattice: true, ..serial() };
        let expected = affinity_groups(&relation, alpha, &options).unwrap();
        for threads in [1, 4] {
            let options = AffinityOptions { build_lattice: true, ..parallel() };
            let found = in_pool(threads, || affinity_groups(&relation, alpha, &options).unwrap());
            prop_assert_eq!(&found, &expected);
        }
    }

    #[test]
    fn cover_edges_match_pairwise((relation, alpha) in relation_strategy(), top_bottom in any::<bool>()) {
        let options = AffinityOptions { build_lattice: true, include_top_bottom: top_bottom, ..serial() };
        let groups = affinity_groups(&relation, alpha, &options).unwrap();
        let lattice = groups.lattice().unwrap();
        let found: Vec<[u32; 2]> = lattice.cover_edges().to_vec();
        prop_assert_eq!(found, naive_covers(&groups));
    }

    #[test]
    fn levels_match_each_cut((relation, _alpha) in relation_strategy()) {
        let levels = affinity_levels(&relation, &serial()).unwrap();
        for &alpha in levels.alphas() {
            let expected: BTreeSet<Pair> = pairs(&affinity_groups(&relation, alpha, &serial()).unwrap()).into_iter().collect();
            let found: BTreeSet<Pair> = levels
                .at(alpha)
                .map(|g| (g.group().rows().iter().map(|&r| r as usize).collect(), g.group().cols()))
                .collect();
            prop_assert_eq!(found, expected, "alpha {}", alpha);
        }
        let unique: BTreeSet<Pair> = pairs(levels.groups()).into_iter().collect();
        prop_assert_eq!(unique.len(), levels.len(), "a group listed twice");
    }
}

/// Cover edges by comparing every pair of groups: upper covers lower when
/// the lower row set is a proper subset and no group lies between them.
fn naive_covers(groups: &AffinityGroups) -> Vec<[u32; 2]> {
    let sets: Vec<BTreeSet<u32>> = groups
        .iter()
        .map(|g| g.rows().iter().copied().collect())
        .collect();
    let below = |a: usize, b: usize| sets[a].is_subset(&sets[b]) && sets[a] != sets[b];
    let mut edges = Vec::new();
    for upper in 0..sets.len() {
        for lower in 0..sets.len() {
            if below(lower, upper) && !(0..sets.len()).any(|m| below(lower, m) && below(m, upper)) {
                edges.push([upper as u32, lower as u32]);
            }
        }
    }
    edges
}

fn cases_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/cases"));
    assert!(
        dir.is_dir(),
        "reference case directory {} is missing",
        dir.display()
    );
    dir.to_path_buf()
}

fn read_case(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn relation_of(input: &Value) -> FuzzyRelation {
    serde_json::from_value(input.clone()).expect("case input is a valid relation")
}

type LabelPair = (BTreeSet<String>, BTreeSet<String>);

fn expected_pairs(list: &Value) -> BTreeSet<LabelPair> {
    let set = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| (set(&c["extent"]), set(&c["intent"])))
        .collect()
}

fn labelled_pairs(groups: &AffinityGroups) -> BTreeSet<LabelPair> {
    groups
        .iter()
        .map(|g| {
            let rows = g
                .row_labels()
                .unwrap()
                .into_iter()
                .map(str::to_owned)
                .collect();
            let cols = g
                .col_labels()
                .unwrap()
                .into_iter()
                .map(str::to_owned)
                .collect();
            (rows, cols)
        })
        .collect()
}

#[test]
fn reference_rectangles_match() {
    let dir = cases_dir().join("generated");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("maximal_rectangles_") {
            continue;
        }
        let case = read_case(&path);
        let relation = relation_of(&case["input"]["R"]);
        let alpha = case["parameters"]["alpha"].as_f64().unwrap();
        for (kind, strict) in [("nonstrict", false), ("strict", true)] {
            let expected = &case["expected"][kind];
            let options = AffinityOptions {
                strict,
                ..Default::default()
            };
            let groups = affinity_groups(&relation, alpha, &options).unwrap();
            assert_eq!(
                labelled_pairs(&groups),
                expected_pairs(&expected["nontrivial_groups"]),
                "{name} {kind}"
            );
            let options = AffinityOptions {
                strict,
                include_top_bottom: true,
                ..Default::default()
            };
            let all = affinity_groups(&relation, alpha, &options).unwrap();
            assert_eq!(
                all.len() as u64,
                expected["n_concepts"].as_u64().unwrap(),
                "{name} {kind}"
            );
            assert_eq!(
                labelled_pairs(&all),
                expected_pairs(&expected["concepts"]),
                "{name} {kind}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} rectangle cases found");
}

#[test]
fn holy_grail_lattice_matches() {
    let case = read_case(&cases_dir().join("published/concepts_readme_holy_grail_lattice.json"));
    let relation = relation_of(&case["input"]["R"]);
    let options = AffinityOptions {
        include_top_bottom: true,
        build_lattice: true,
        ..Default::default()
    };
    let groups = affinity_groups(&relation, 1.0, &options).unwrap();
    assert_eq!(
        labelled_pairs(&groups),
        expected_pairs(&case["expected"]["concepts"])
    );
    let lattice = groups.lattice().unwrap();
    assert_eq!(lattice.cover_edges().to_vec(), naive_covers(&groups));
    // Bottom (no row) is covered by King Arthur's group and the grail's.
    let bottom = groups.iter().position(|g| g.rows().is_empty()).unwrap();
    assert_eq!(lattice.upper_covers(bottom).count(), 2);

    let plain = affinity_groups(&relation, 1.0, &AffinityOptions::default()).unwrap();
    assert_eq!(plain.len(), 3);
}

#[test]
fn lattice_navigation_and_labels() {
    let case = read_case(&cases_dir().join("published/concepts_readme_holy_grail_lattice.json"));
    let relation = relation_of(&case["input"]["R"]);
    let options = AffinityOptions {
        include_top_bottom: true,
        build_lattice: true,
        ..Default::default()
    };
    let groups = affinity_groups(&relation, 1.0, &options).unwrap();
    let lattice = groups.lattice().unwrap();
    // Columns: human 0, knight 1, king 2, mysterious 3.
    let knights = groups.position_of_cols(&[1, 0]).unwrap();
    let arthur = groups.position_of_cols(&[0, 1, 2]).unwrap();
    let top = groups.position_of_cols(&[]).unwrap();
    assert_eq!(groups.position_of_cols(&[0, 3]), None);
    assert_eq!(groups.position_of_cols(&[9]), None);
    assert_eq!(
        lattice.lower_covers(knights).collect::<Vec<_>>(),
        vec![arthur]
    );
    assert_eq!(lattice.upper_covers(knights).collect::<Vec<_>>(), vec![top]);
    // Reduced labelling: Sir Robin (row 1) first appears at the knights'
    // group, King Arthur (row 0) at his own; human and knight label the
    // knights' group, king King Arthur's.
    assert_eq!(lattice.new_rows(knights), vec![1]);
    assert_eq!(lattice.new_rows(arthur), vec![0]);
    assert_eq!(lattice.new_cols(knights), vec![0, 1]);
    assert_eq!(lattice.new_cols(arthur), vec![2]);
    assert!(lattice.new_rows(top).is_empty());
    for edge in lattice.cover_edges() {
        let upper = groups.get(edge[0] as usize).unwrap();
        let lower = groups.get(edge[1] as usize).unwrap();
        assert!(lower.rows().iter().all(|r| upper.rows().contains(r)));
        assert!(upper.cols().iter().all(|c| lower.cols().contains(c)));
    }
}

#[test]
fn threshold_errors_name_the_value() {
    let relation = FuzzyRelation::from_rows([[0.5, 0.7]]).unwrap();
    let options = AffinityOptions::default();
    let err = affinity_groups(&relation, 1.5, &options).unwrap_err();
    assert!(matches!(err, Error::InvalidThreshold { value, column: None } if value == 1.5));
    let err = affinity_groups(&relation, f64::NAN, &options).unwrap_err();
    assert!(matches!(err, Error::InvalidThreshold { .. }));
    let err = affinity_groups(&relation, vec![0.5], &options).unwrap_err();
    assert!(matches!(
        err,
        Error::ThresholdCount {
            expected: 2,
            found: 1
        }
    ));
    let err = affinity_groups(&relation, vec![0.5, -0.1], &options).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidThreshold {
            column: Some(1),
            ..
        }
    ));
    let strict = AffinityOptions {
        strict: true,
        ..Default::default()
    };
    let err =
        affinity_groups(&relation, Threshold::PerColumn(vec![0.5, 2.0]), &strict).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidThreshold {
            column: Some(1),
            ..
        }
    ));
}

#[test]
fn all_zero_relation_has_no_group() {
    let relation = FuzzyRelation::zeros(4, 3).unwrap();
    let groups = affinity_groups(&relation, 0.5, &AffinityOptions::default()).unwrap();
    assert!(groups.is_empty());
    let options = AffinityOptions {
        include_top_bottom: true,
        build_lattice: true,
        ..Default::default()
    };
    let groups = affinity_groups(&relation, 0.5, &options).unwrap();
    assert_eq!(
        pairs(&groups),
        vec![(vec![0, 1, 2, 3], vec![]), (vec![], vec![0, 1, 2])]
    );
    assert_eq!(groups.lattice().unwrap().cover_edges(), &[[0, 1]]);
}

#[test]
fn one_row_and_one_column() {
    let row = FuzzyRelation::from_rows([[0.9, 0.1, 0.8]]).unwrap();
    let groups = affinity_groups(&row, 0.5, &AffinityOptions::default()).unwrap();
    assert_eq!(pairs(&groups), vec![(vec![0], vec![0, 2])]);
    let col = row.transpose();
    let groups = affinity_groups(&col, 0.5, &AffinityOptions::default()).unwrap();
    assert_eq!(pairs(&groups), vec![(vec![0, 2], vec![0])]);
}

#[test]
fn duplicate_rows_and_columns_stay_unique() {
    let relation =
        FuzzyRelation::from_rows([[0.9, 0.9, 0.2], [0.9, 0.9, 0.2], [0.9, 0.9, 0.8]]).unwrap();
    let groups = affinity_groups(&relation, 0.5, &AffinityOptions::default()).unwrap();
    assert_eq!(
        pairs(&groups),
        vec![(vec![0, 1, 2], vec![0, 1]), (vec![2], vec![0, 1, 2])]
    );
}

#[test]
fn cap_is_enforced() {
    // The identity on 6 elements has 6 groups at alpha 1.
    let relation = FuzzyRelation::identity(6).unwrap();
    for execution in [Execution::Serial, Execution::Parallel] {
        let options = AffinityOptions {
            max_groups: Some(5),
            execution,
            ..Default::default()
        };
        let err = affinity_groups(&relation, 1.0, &options).unwrap_err();
        assert!(
            matches!(err, Error::LimitExceeded { limit: 5, .. }),
            "{err}"
        );
        let options = AffinityOptions {
            max_groups: Some(6),
            execution,
            ..Default::default()
        };
        assert_eq!(affinity_groups(&relation, 1.0, &options).unwrap().len(), 6);
    }
}

#[test]
fn wide_relation_uses_transpose() {
    // 3 rows, 1100 columns: beyond the column limit of the kernels.
    let values =
        ndarray::Array2::from_shape_fn(
            (3, 1100),
            |(r, c)| if (c + r) % 3 == 0 { 0.0 } else { 1.0 },
        );
    let relation = FuzzyRelation::new(values).unwrap();
    let groups = affinity_groups(&relation, 0.5, &AffinityOptions::default()).unwrap();
    let cut = cut_of(&relation, |_, v| v >= 0.5);
    let expected = nontrivial(&brute_force_concepts(&cut, 1100));
    let found: BTreeSet<Pair> = pairs(&groups).into_iter().collect();
    assert_eq!(found, expected);
    assert!(is_sorted_by_cols(&groups));
}

#[test]
fn exports_name_groups_and_pairs() {
    let relation = FuzzyRelation::from_rows([[0.9, 0.8], [0.7, 0.1]])
        .unwrap()
        .with_row_labels(["ana", "ben \"b\""])
        .unwrap()
        .with_col_labels(["price", "speed"])
        .unwrap();
    let options = AffinityOptions {
        build_lattice: true,
        ..Default::default()
    };
    let groups = affinity_groups(&relation, 0.7, &options).unwrap();
    let lattice = groups.lattice().unwrap();
    let dot = lattice.to_dot();
    assert!(dot.contains("ben \\\"b\\\""), "{dot}");
    let json: Value = serde_json::from_str(&lattice.to_json().unwrap()).unwrap();
    assert_eq!(json["groups"].as_array().unwrap().len(), 2);
    assert_eq!(json["cover_edges"], serde_json::json!([[0, 1]]));
    let text = serde_json::to_string(&groups).unwrap();
    assert!(text.contains("\"row_labels\":[\"ana\"]"), "{text}");
    let cxt = burmeister_cxt(&relation.alpha_cut(0.7).unwrap());
    assert_eq!(cxt, "B\n\n2\n2\n\nana\nben \"b\"\nprice\nspeed\nXX\nX.\n");
}

#[test]
fn levels_reject_strict_cuts() {
    let relation = FuzzyRelation::from_rows([[0.5]]).unwrap();
    let options = AffinityOptions {
        strict: true,
        ..Default::default()
    };
    assert!(matches!(
        affinity_levels(&relation, &options),
        Err(Error::InvalidParameter { name: "strict", .. })
    ));
}

/// Every concept by closing each column subset: B is an intent when it
/// equals the columns shared by the rows that hold all of B.
fn brute_force_by_columns(cut: &[Vec<bool>], cols: usize) -> BTreeSet<Pair> {
    let mut concepts = BTreeSet::new();
    for subset in 0u32..(1 << cols) {
        let intent: Vec<usize> = (0..cols).filter(|&c| subset >> c & 1 == 1).collect();
        let extent: Vec<usize> = (0..cut.len())
            .filter(|&r| intent.iter().all(|&c| cut[r][c]))
            .collect();
        let closed: Vec<usize> = (0..cols)
            .filter(|&c| extent.iter().all(|&r| cut[r][c]))
            .collect();
        if closed == intent {
            concepts.insert((extent, intent));
        }
    }
    concepts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..ProptestConfig::default() })]

    /// Tall relations reach the parallel split near the root.
    #[test]
    fn tall_relations_match_column_brute_force(rows in 256usize..700, cols in 1usize..=12, seed in any::<u64>()) {
        let mut state = seed | 1;
        let values = ndarray::Array2::from_shape_fn((rows, cols), |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 11) as f64 / 10.0
        });
        let relation = FuzzyRelation::new(values).unwrap();
        let cut = cut_of(&relation, |_, v| v >= 0.6);
        let expected = nontrivial(&brute_force_by_columns(&cut, cols));
        let serial_groups = affinity_groups(&relation, 0.6, &serial()).unwrap();
        let found: BTreeSet<Pair> = pairs(&serial_groups).into_iter().collect();
        prop_assert_eq!(found.len(), serial_groups.len());
        prop_assert_eq!(&found, &expected);
        for threads in [1, 4] {
            let options = AffinityOptions { min_rows: 3, ..parallel() };
            let groups = in_pool(threads, || affinity_groups(&relation, 0.6, &options).unwrap());
            let iceberg: BTreeSet<Pair> = expected.iter().filter(|(a, _)| a.len() >= 3).cloned().collect();
            let found: BTreeSet<Pair> = pairs(&groups).into_iter().collect();
            prop_assert_eq!(found, iceberg);
            let groups = in_pool(threads, || affinity_groups(&relation, 0.6, &parallel()).unwrap());
            prop_assert_eq!(&groups, &serial_groups);
        }
    }
}
