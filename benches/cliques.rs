//! Maximal similarity subrelations of the generated proximity relations.
//!
//! Each case checks its count against the maximal-clique count the peer
//! tools reported on the same input, then times the search from a loaded
//! relation with the default (parallel) execution and on one thread. In
//! test mode (`cargo test --all-targets`) only the smallest case runs.

mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fuzzy_affinity::{CliqueOptions, Execution, maximal_similarity_subrelations_with};

/// (input, alpha, clique count of the peer tools).
const CASES: [(&str, f64, usize); 6] = [
    ("prox_n512", 0.9, 15_709),
    ("prox_n1024", 0.9, 107_689),
    ("prox_n2048", 0.9, 817_011),
    ("prox_n1024", 0.95, 22_519),
    ("prox_n2048", 0.95, 150_253),
    ("prox_n1024", 0.8, 1_331_277),
];

fn options(execution: Execution) -> CliqueOptions {
    CliqueOptions {
        execution,
        ..Default::default()
    }
}

fn bench_cliques(c: &mut Criterion) {
    let cases = if common::is_bench_run() {
        &CASES[..]
    } else {
        &CASES[..1]
    };
    let mut group = c.benchmark_group("similarity_subrelations");
    group.sample_size(10);
    for &(name, alpha, peers) in cases {
        let Some(relation) = common::load(name) else {
            continue;
        };
        let found =
            maximal_similarity_subrelations_with(&relation, alpha, &options(Execution::Auto))
                .unwrap();
        assert_eq!(
            found.len(),
            peers,
            "{name} at {alpha}: count differs from the peers'"
        );
        drop(found);
        group.throughput(Throughput::Elements(peers as u64));
        let id = format!("{name}_alpha{alpha}");
        group.bench_function(BenchmarkId::new("search", &id), |b| {
            b.iter(|| {
                maximal_similarity_subrelations_with(&relation, alpha, &options(Execution::Auto))
                    .unwrap()
            })
        });
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        group.bench_function(BenchmarkId::new("search_1_thread", &id), |b| {
            b.iter(|| {
                one_thread.install(|| {
                    maximal_similarity_subrelations_with(
                        &relation,
                        alpha,
                        &options(Execution::Serial),
                    )
                    .unwrap()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_cliques);
criterion_main!(benches);
