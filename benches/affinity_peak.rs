//! One run of the affinity-group enumeration on a large bench input, for
//! measuring wall time and peak memory of the whole process:
//!
//! ```text
//! cargo bench --bench affinity_peak --no-run
//! /usr/bin/time -v target/release/deps/affinity_peak-HASH --bench rect_100000x40_seg 0.7
//! ```
//!
//! The input directory is `FUZZY_AFFINITY_BENCH_INPUTS` (default
//! /tmp/peer_inputs). Without `--bench` (as under `cargo test`) it does
//! nothing.

use std::time::Instant;

use fuzzy_affinity::io::{CsvOptions, read_csv};
use fuzzy_affinity::{AffinityOptions, affinity_groups};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let rest: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let name = rest.first().map_or("rect_100000x40_seg", |s| s.as_str());
    let alpha: f64 = rest
        .get(1)
        .map_or(0.7, |s| s.parse().expect("alpha is a number"));
    let dir =
        std::env::var("FUZZY_AFFINITY_BENCH_INPUTS").unwrap_or_else(|_| "/tmp/peer_inputs".into());
    let path = std::path::Path::new(&dir).join(format!("{name}.csv"));
    if !path.exists() {
        println!("skipping {name}: {} not found", path.display());
        return;
    }

    let start = Instant::now();
    let relation = read_csv(&path, &CsvOptions::unlabelled()).expect("bench input reads");
    let read = start.elapsed();
    let groups =
        affinity_groups(&relation, alpha, &AffinityOptions::default()).expect("groups fit");
    let total = start.elapsed();
    let cells: usize = groups.iter().map(|g| g.rows().len()).sum();
    println!(
        "{name} alpha {alpha}: {} groups, {cells} extent entries, read {:.3} s, groups {:.3} s, total {:.3} s, threads {}",
        groups.len(),
        read.as_secs_f64(),
        (total - read).as_secs_f64(),
        total.as_secs_f64(),
        rayon::current_num_threads()
    );
}
