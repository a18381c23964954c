//! Partition trees against the alpha-cuts of the closure.

mod common;

use std::collections::BTreeSet;

use common::{cases, on_pools, proximity, relation};
use fuzzy_affinity::{Error, FuzzyRelation, PartitionTree};
use proptest::prelude::*;

/// The classes of the cut C >= alpha of a similarity relation, read off the
/// matrix: each element with every element it reaches.
fn classes_of_cut(c: &FuzzyRelation, alpha: f64) -> BTreeSet<Vec<usize>> {
    let n = c.nrows();
    (0..n)
        .map(|i| (0..n).filter(|&j| c.get(i, j).unwrap() >= alpha).collect())
        .collect()
}

/// The level at which the merges join each pair, replayed one by one; the
/// linkage rows are checked to carry the same ids, distance and size.
fn cophenetic_alpha(tree: &PartitionTree) -> Vec<Vec<f64>> {
    let n = tree.size();
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut joined = vec![vec![1.0; n]; n];
    for (merge, row) in tree.merges().iter().zip(tree.linkage()) {
        let (a, b) = (merge.left, merge.right);
        assert_eq!(
            row,
            [a as f64, b as f64, 1.0 - merge.alpha, merge.size as f64]
        );
        for &x in &members[a] {
            for &y in &members[b] {
                joined[x][y] = merge.alpha;
                joined[y][x] = merge.alpha;
            }
        }
        let mut merged = members[a].clone();
        merged.extend(&members[b]);
        assert_eq!(merged.len(), merge.size, "size column");
        members.push(merged);
    }
    joined
}

fn check_linkage_layout(tree: &PartitionTree) {
    let n = tree.size();
    let linkage = tree.linkage();
    assert_eq!(linkage.len(), n - 1);
    let mut used = vec![false; 2 * n - 1];
    for (i, row) in linkage.iter().enumerate() {
        let (a, b) = (row[0] as usize, row[1] as usize);
        assert!(a < b, "row {i}: ids in increasing order");
        assert!(b < n + i, "row {i}: ids refer to earlier classes");
        assert!(!used[a] && !used[b], "row {i}: each class merges once");
        used[a] = true;
        used[b] = true;
        if i > 0 {
            assert!(
                row[2] >= linkage[i - 1][2],
                "row {i}: distances never decrease"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn levels_are_the_cuts_of_the_closure(p in proximity(64)) {
        let closure = p.transitive_closure().unwrap();
        let tree = PartitionTree::from_proximity(&p).unwrap();
        prop_assert_eq!(&tree, &PartitionTree::from_similarity(&closure).unwrap());
        let mut present: Vec<f64> = closure.view().iter().copied().collect();
        present.sort_by(|a, b| b.total_cmp(a));
        present.dedup();
        let levels = tree.levels();
        let alphas: Vec<f64> = levels.iter().map(|l| l.alpha).collect();
        prop_assert_eq!(&alphas, &present);
        for level in &levels {
            let classes: BTreeSet<Vec<usize>> = level.classes.iter().cloned().collect();
            prop_assert_eq!(classes, classes_of_cut(&closure, level.alpha));
            let firsts: Vec<usize> = level.classes.iter().map(|c| c[0]).collect();
            prop_assert!(firsts.windows(2).all(|w| w[0] < w[1]), "classes ordered");
            prop_assert!(level.classes.iter().all(|c| c.windows(2).all(|w| w[0] < w[1])));
            prop_assert_eq!(&tree.classes_at(level.alpha).unwrap(), level);
        }
        check_linkage_layout(&tree);
        let joined = cophenetic_alpha(&tree);
        for (i, row) in joined.iter().enumerate() {
            for (j, &alpha) in row.iter().enumerate() {
                prop_assert_eq!(alpha, closure.get(i, j).unwrap(), "pair ({}, {})", i, j);
            }
        }
    }

    #[test]
    fn non_transitive_proximity_is_rejected(p in proximity(24)) {
        let result = PartitionTree::from_similarity(&p);
        if p.is_transitive() {
            prop_assert!(result.is_ok());
        } else {
            let is_transitivity_error = matches!(
                result,
                Err(Error::PropertyViolated { property: "max-min transitive", .. })
            );
            prop_assert!(is_transitivity_error);
        }
    }
}

#[test]
fn reference_cases() {
    for case in cases("partition_tree") {
        let id = case["id"].as_str().unwrap();
        let r = relation(&case["input"]["R"]);
        let tree = PartitionTree::from_similarity(&r).unwrap();
        let mut expected: Vec<(f64, BTreeSet<Vec<String>>)> = case["expected"]["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|level| {
                let classes = level["classes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|class| {
                        let mut labels: Vec<String> = class
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|l| l.as_str().unwrap().to_owned())
                            .collect();
                        labels.sort();
                        labels
                    })
                    .collect();
                (level["alpha"].as_f64().unwrap(), classes)
            })
            .collect();
        expected.reverse();
        let got: Vec<(f64, BTreeSet<Vec<String>>)> = tree
            .levels()
            .into_iter()
            .map(|level| {
                let classes = level
                    .labels
                    .unwrap()
                    .into_iter()
                    .map(|mut class| {
                        class.sort();
                        class
                    })
                    .collect();
                (level.alpha, classes)
            })
            .collect();
        assert_eq!(got, expected, "{id}");
        if let Some(tolerance) = case["input"].get("derived_from_tolerance") {
            let from_proximity = PartitionTree::from_proximity(&relation(tolerance)).unwrap();
            assert_eq!(from_proximity, tree, "{id} from the proximity");
        }
    }
}

#[test]
fn zero_is_a_level() {
    let r = FuzzyRelation::from_rows([[1.0, 0.0, 0.0], [0.0, 1.0, 0.6], [0.0, 0.6, 1.0]])
        .unwrap()
        .with_row_labels(["a", "b", "c"])
        .unwrap();
    let tree = PartitionTree::from_similarity(&r).unwrap();
    assert_eq!(tree.alphas(), vec![1.0, 0.6, 0.0]);
    assert_eq!(
        tree.linkage(),
        vec![[1.0, 2.0, 1.0 - 0.6, 2.0], [0.0, 3.0, 1.0, 3.0]]
    );
    let bottom = tree.classes_at(0.0).unwrap();
    assert_eq!(bottom.classes, vec![vec![0, 1, 2]]);
    let middle = tree.classes_at(0.5).unwrap();
    assert_eq!(
        middle.labels,
        Some(vec![
            vec!["a".to_owned()],
            vec!["b".to_owned(), "c".to_owned()]
        ])
    );
    assert!(tree.classes_at(1.5).is_err());
}

#[test]
fn ties_merge_by_smallest_element() {
    // Every pair at 0.5: the classes join in increasing order of element.
    let r = FuzzyRelation::from_rows([
        [1.0, 0.5, 0.5, 0.5],
        [0.5, 1.0, 0.5, 0.5],
        [0.5, 0.5, 1.0, 0.5],
        [0.5, 0.5, 0.5, 1.0],
    ])
    .unwrap();
    let tree = PartitionTree::from_similarity(&r).unwrap();
    assert_eq!(
        tree.linkage(),
        vec![
            [0.0, 1.0, 0.5, 2.0],
            [2.0, 4.0, 0.5, 3.0],
            [3.0, 5.0, 0.5, 4.0]
        ]
    );
}

#[test]
fn tied_classes_form_in_element_order() {
    let r = FuzzyRelation::from_rows([
        [1.0, 0.5, 0.5, 0.9],
        [0.5, 1.0, 0.9, 0.5],
        [0.5, 0.9, 1.0, 0.5],
        [0.9, 0.5, 0.5, 1.0],
    ])
    .unwrap();
    let tree = PartitionTree::from_similarity(&r).unwrap();
    let distance = 1.0 - 0.9;
    assert_eq!(
        tree.linkage(),
        vec![
            [0.0, 3.0, distance, 2.0],
            [1.0, 2.0, distance, 2.0],
            [4.0, 5.0, 0.5, 4.0]
        ]
    );
}

#[test]
fn single_element_has_one_level() {
    let r = FuzzyRelation::from_rows([[1.0]]).unwrap();
    let tree = PartitionTree::from_similarity(&r).unwrap();
    assert!(tree.linkage().is_empty());
    assert_eq!(tree.levels().len(), 1);
    assert_eq!(tree.levels()[0].classes, vec![vec![0]]);
}

#[test]
fn bad_input_is_rejected() {
    let not_square = FuzzyRelation::zeros(2, 3).unwrap();
    assert!(matches!(
        PartitionTree::from_similarity(&not_square),
        Err(Error::NotSquare { .. })
    ));
    assert!(matches!(
        PartitionTree::from_proximity(&not_square),
        Err(Error::NotSquare { .. })
    ));
    let not_reflexive = FuzzyRelation::from_rows([[1.0, 0.2], [0.2, 0.9]]).unwrap();
    assert!(matches!(
        PartitionTree::from_proximity(&not_reflexive),
        Err(Error::PropertyViolated {
            property: "reflexive",
            ..
        })
    ));
    let not_transitive =
        FuzzyRelation::from_rows([[1.0, 0.8, 0.1], [0.8, 1.0, 0.7], [0.1, 0.7, 1.0]]).unwrap();
    let err = PartitionTree::from_similarity(&not_transitive).unwrap_err();
    assert!(err.to_string().contains("transitive"), "{err}");
    assert!(PartitionTree::from_proximity(&not_transitive).is_ok());
}

#[test]
fn pools_of_one_and_four_threads_agree() {
    let n = 400;
    let r = FuzzyRelation::new(ndarray::Array2::from_shape_fn((n, n), |(i, j)| {
        if i == j {
            1.0
        } else {
            ((i * j + i + j) % 97) as f64 / 100.0
        }
    }))
    .unwrap();
    let (one, four) = on_pools(|| PartitionTree::from_proximity(&r).unwrap());
    assert_eq!(one, four);
    let closure = r.transitive_closure().unwrap();
    let (one, four) = on_pools(|| PartitionTree::from_similarity(&closure).unwrap());
    assert_eq!(one, four);
}

#[test]
fn linkage_csv_and_json_round_trip() {
    let r = FuzzyRelation::from_rows([[1.0, 0.3, 0.9], [0.3, 1.0, 0.3], [0.9, 0.3, 1.0]])
        .unwrap()
        .with_row_labels(["x", "y", "z"])
        .unwrap();
    let tree = PartitionTree::from_similarity(&r).unwrap();
    let mut text = Vec::new();
    tree.write_linkage_csv_to(&mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "a,b,distance,size");
    assert_eq!(lines[1], format!("0,2,{},2", 1.0 - 0.9));
    assert_eq!(lines[2], format!("1,3,{},3", 1.0 - 0.3));
    assert_eq!(lines.len(), 3);

    let dir = std::env::temp_dir().join(format!("fuzzy-affinity-linkage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("linkage.csv");
    tree.write_linkage_csv(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    std::fs::remove_dir_all(&dir).unwrap();

    let json = serde_json::to_string(&tree).unwrap();
    let back: PartitionTree = serde_json::from_str(&json).unwrap();
    assert_eq!(back, tree);
    assert_eq!(back.labels().unwrap()[2], "z");
}
