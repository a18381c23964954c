//! Helpers shared by the integration tests: reference cases, the plain
//! definitions the fast kernels are checked against, and proptest inputs.
#![allow(dead_code)]

use std::path::PathBuf;

use fuzzy_affinity::{FuzzyRelation, TNorm};
use ndarray::Array2;
use proptest::prelude::*;
use serde_json::Value;

/// Reference cases of `operation` from the generated and published sets.
/// Panics when the case directory is missing, so a broken checkout fails.
pub fn cases(operation: &str) -> Vec<Value> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/cases"));
    let mut found = Vec::new();
    for folder in ["generated", "published"] {
        let dir = root.join(folder);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reference cases missing at {}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let case: Value = serde_json::from_str(&text).unwrap();
            if case["operation"] == operation {
                found.push(case);
            }
        }
    }
    assert!(!found.is_empty(), "no reference case for {operation}");
    found
}

/// A labelled matrix `{"rows": [...], "cols": [...], "values": [[...]]}`.
pub fn relation(value: &Value) -> FuzzyRelation {
    serde_json::from_value(value.clone()).expect("case input is a valid relation")
}

/// The sup-T composition by the triple loop of its definition.
pub fn plain_compose(r: &FuzzyRelation, s: &FuzzyRelation, t: impl TNorm) -> Array2<f64> {
    let (rows, inner) = r.shape();
    let cols = s.ncols();
    let mut out = Array2::zeros((rows, cols));
    for i in 0..rows {
        for k in 0..cols {
            let mut best = 0.0f64;
            for j in 0..inner {
                best = best.max(t.apply(r.get(i, j).unwrap(), s.get(j, k).unwrap()));
            }
            out[[i, k]] = best;
        }
    }
    out
}

/// The max-min transitive closure by squaring with the triple loop until
/// nothing changes: R := max(R, R o R).
pub fn squaring_closure(r: &FuzzyRelation) -> Array2<f64> {
    let mut current = r.clone();
    loop {
        let square = plain_compose(&current, &current, fuzzy_affinity::Minimum);
        let next = ndarray::Zip::from(current.view())
            .and(&square)
            .map_collect(|&a, &b| a.max(b));
        if next == current.view() {
            return next;
        }
        current = FuzzyRelation::new(next).unwrap();
    }
}

/// Runs `f` on rayon pools of 1 and of 4 threads and returns both results.
pub fn on_pools<T: Send>(f: impl Fn() -> T + Sync) -> (T, T) {
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(&f)
    };
    (run(1), run(4))
}

/// A degree drawn from the 11-point scale 0, 0.1, ..., 1.
pub fn eleven_point() -> impl Strategy<Value = f64> {
    (0u32..=10).prop_map(|k| f64::from(k) / 10.0)
}

/// A degree from a continuous draw, an 11-point value, or one of three
/// values (many ties), with 0 and 1 included.
pub fn degree() -> BoxedStrategy<f64> {
    prop_oneof![
        3 => 0.0f64..=1.0,
        2 => eleven_point(),
        1 => prop::sample::select(vec![0.0, 0.5, 1.0]),
    ]
    .boxed()
}

/// A `rows` x `cols` relation whose degrees all come from one kind of draw,
/// so an 11-point matrix really has few distinct values.
pub fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = FuzzyRelation> {
    prop_oneof![
        prop::collection::vec(0.0f64..=1.0, rows * cols),
        prop::collection::vec(eleven_point(), rows * cols),
        prop::collection::vec(prop::sample::select(vec![0.0, 0.5, 1.0]), rows * cols),
        prop::collection::vec(degree(), rows * cols),
    ]
    .prop_map(move |values| {
        FuzzyRelation::new(Array2::from_shape_vec((rows, cols), values).unwrap()).unwrap()
    })
}

/// A square relation of side 1 to `max_side`.
pub fn square(max_side: usize) -> impl Strategy<Value = FuzzyRelation> {
    (1..=max_side).prop_flat_map(|n| matrix(n, n))
}

/// A proximity relation (reflexive and symmetric) of side 1 to `max_side`.
pub fn proximity(max_side: usize) -> impl Strategy<Value = FuzzyRelation> {
    square(max_side).prop_map(|r| r.symmetric_closure().unwrap().reflexive_closure().unwrap())
}

/// Reference cases of `operation` with their file names, for messages.
pub fn named_cases(operation: &str) -> Vec<(String, Value)> {
    cases(operation)
        .into_iter()
        .map(|case| (case["id"].as_str().unwrap_or("unnamed").to_owned(), case))
        .collect()
}

/// A 0/1 matrix from a case, as rows of booleans.
pub fn bool_matrix(value: &Value) -> Vec<Vec<bool>> {
    value
        .as_array()
        .expect("matrix is an array")
        .iter()
        .map(|row| {
            row.as_array()
                .expect("row is an array")
                .iter()
                .map(|v| v.as_u64().expect("0 or 1") == 1)
                .collect()
        })
        .collect()
}
