//! Bench inputs shared by the criterion benches: the peer input files and
//! the switch between a full run and cargo's quick test mode.
#![allow(dead_code)]

use std::path::PathBuf;

use fuzzy_affinity::FuzzyRelation;
use fuzzy_affinity::io::{CsvOptions, read_csv};

/// Whether criterion runs as `cargo bench` (with `--bench`), as opposed to
/// the single quick pass that `cargo test --all-targets` makes.
pub fn full_run() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// Largest side run in quick test mode.
pub const QUICK_MAX_SIDE: usize = 256;

/// Reads `file` from the directory in `FUZZY_AFFINITY_BENCH_INPUTS`
/// (default /tmp/peer_inputs), or prints one line and returns `None` when it
/// is missing.
pub fn peer_input(file: &str) -> Option<FuzzyRelation> {
    let dir = std::env::var_os("FUZZY_AFFINITY_BENCH_INPUTS")
        .map_or_else(|| PathBuf::from("/tmp/peer_inputs"), PathBuf::from);
    let path = dir.join(file);
    if !path.exists() {
        println!("skipping {file}: not found in {}", dir.display());
        return None;
    }
    Some(read_csv(&path, &CsvOptions::unlabelled()).expect("peer input is a valid relation"))
}

/// A proximity relation of side `n` with off-diagonal degrees drawn with
/// six decimals from a fixed-seed splitmix64 stream.
pub fn generated_proximity(n: usize, seed: u64) -> FuzzyRelation {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut values = ndarray::Array2::<f64>::eye(n);
    for i in 0..n {
        for j in i + 1..n {
            let v = (next() % 1_000_000) as f64 / 1e6;
            values[[i, j]] = v;
            values[[j, i]] = v;
        }
    }
    FuzzyRelation::new(values).expect("degrees lie in [0, 1)")
}

/// A rayon pool of `threads` threads.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}
