//! Helpers shared by the integration tests: loading the reference cases.

#![allow(dead_code)]

use std::path::PathBuf;

use fuzzy_affinity::FuzzyRelation;
use serde_json::Value;

/// Directory of the reference cases, beside the repository.
pub fn cases_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/cases"))
}

/// Every reference case whose `operation` is `operation`, as (file name, JSON).
///
/// # Panics
///
/// Panics when the cases directory is missing or holds no such case, so a
/// missing checkout fails the test instead of passing it vacuously.
pub fn cases(operation: &str) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    for sub in ["published", "generated"] {
        let dir = cases_dir().join(sub);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reference cases missing at {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let case: Value = serde_json::from_str(&text).unwrap();
            if case["operation"] == operation {
                found.push((
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    case,
                ));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!found.is_empty(), "no reference case for {operation}");
    found
}

/// A relation from a case's `{"rows", "cols", "values"}` object.
pub fn relation(value: &Value) -> FuzzyRelation {
    serde_json::from_value(value.clone()).expect("case input is a valid relation")
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
