//! One run of the affinity-group, lattice or clique enumeration on a large bench
//! input, for measuring the wall time and peak memory of a whole process:
//!
//! ```text
//! cargo bench --bench peak --no-run
//! /usr/bin/time -v target/release/deps/peak-HASH --bench groups rect_100000x40_seg 0.7
//! /usr/bin/time -v target/release/deps/peak-HASH --bench lattice rect_10000x30_seg 0.7
//! /usr/bin/time -v target/release/deps/peak-HASH --bench cliques prox_n2048 0.9
//! ```
//!
//! The input directory is `FUZZY_AFFINITY_BENCH_INPUTS` (default
//! /tmp/peer_inputs). Without `--bench` (as under `cargo test`) it does
//! nothing.

use std::time::Instant;

use fuzzy_affinity::io::{CsvOptions, read_csv};
use fuzzy_affinity::{AffinityOptions, affinity_groups, maximal_similarity_subrelations};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let rest: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let (task, name, alpha) = match rest.as_slice() {
        [task, name, alpha, ..] => (
            *task,
            *name,
            alpha.parse::<f64>().expect("alpha is a number"),
        ),
        _ => ("groups", "rect_100000x40_seg", 0.7),
    };
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
    let summary = match task {
        "groups" => {
            let options = AffinityOptions {
                include_top_bottom: true,
                ..Default::default()
            };
            let groups = affinity_groups(&relation, alpha, &options).expect("groups fit");
            let entries: usize = groups.iter().map(|g| g.rows().len()).sum();
            format!(
                "{} groups (top and bottom included), {entries} row entries",
                groups.len()
            )
        }
        "lattice" => {
            let options = AffinityOptions {
                build_lattice: true,
                ..Default::default()
            };
            let groups = affinity_groups(&relation, alpha, &options).expect("groups fit");
            let edges = groups.lattice().map_or(0, |l| l.cover_edges().len());
            format!("{} groups, {edges} cover edges", groups.len())
        }
        "cliques" => {
            let cliques = maximal_similarity_subrelations(&relation, alpha).expect("cliques fit");
            format!("{} subrelations", cliques.len())
        }
        other => panic!("unknown task {other}: use groups, lattice or cliques"),
    };
    let total = start.elapsed();
    println!(
        "{task} {name} alpha {alpha}: {summary}; read {:.3} s, compute {:.3} s, total {:.3} s, {} threads",
        read.as_secs_f64(),
        (total - read).as_secs_f64(),
        total.as_secs_f64(),
        rayon::current_num_threads()
    );
}
