//! Input loading shared by the benches.

use fuzzy_affinity::FuzzyRelation;
use fuzzy_affinity::io::{CsvOptions, read_csv};

/// Directory of the generated bench inputs.
pub fn input_dir() -> std::path::PathBuf {
    std::env::var("FUZZY_AFFINITY_BENCH_INPUTS")
        .unwrap_or_else(|_| "/tmp/peer_inputs".into())
        .into()
}

/// Path of input `name`, or `None` (after saying so) when it is missing.
pub fn input_path(name: &str) -> Option<std::path::PathBuf> {
    let path = input_dir().join(format!("{name}.csv"));
    if path.exists() {
        Some(path)
    } else {
        println!("skipping {name}: {} not found", path.display());
        None
    }
}

/// Reads input `name`, or returns `None` when it is missing.
pub fn load(name: &str) -> Option<FuzzyRelation> {
    let path = input_path(name)?;
    Some(read_csv(&path, &CsvOptions::unlabelled()).expect("bench input reads"))
}

/// Whether criterion runs the benches for real (`cargo bench`), not once
/// each in test mode (`cargo test --all-targets`).
pub fn is_bench_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}
