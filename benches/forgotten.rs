//! Forgotten effects: the Valdivia panel with 10 000 bootstrap replicas, and
//! the synthetic single-expert triples `fe_n{10,50,200}_m*_{A,M,B}.csv`
//! read from `FUZZY_AFFINITY_BENCH_INPUTS` (default `/tmp/peer_inputs`).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use fuzzy_affinity::forgotten::{
    BootstrapOptions, ExpertGraph, ForgottenOptions, analyse, chained_forgotten_effects,
    chained_graph, complete_forgotten_effects, direct_effects, expert_forgotten_effects,
    read_long_csv, resampled_forgotten_effects,
};
use fuzzy_affinity::io::{CsvOptions, read_csv};
use ndarray::{Array2, ArrayView2};

fn inputs_dir() -> PathBuf {
    std::env::var_os("FUZZY_AFFINITY_BENCH_INPUTS")
        .map_or_else(|| PathBuf::from("/tmp/peer_inputs"), PathBuf::from)
}

fn valdivia() -> ExpertGraph {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/forgotten_effects");
    let read = |name: &str| read_long_csv(dir.join(name)).expect("bundled data reads");
    ExpertGraph::chained(
        read("cc_long.csv"),
        read("ce_long.csv"),
        read("ee_long.csv"),
    )
    .expect("bundled data is a valid chained panel")
}

fn bench_valdivia(c: &mut Criterion) {
    let graph = valdivia();
    let order3 = ForgottenOptions {
        threshold: 0.5,
        max_order: 3,
        ..ForgottenOptions::default()
    };
    let mut group = c.benchmark_group("forgotten/valdivia");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let options = BootstrapOptions::new(10_000, 1);
    group.bench_function("analyse_10000", |b| {
        b.iter(|| analyse(black_box(&graph), &order3, &options).unwrap())
    });
    group.bench_function("direct_effects_10000", |b| {
        b.iter(|| direct_effects(black_box(&graph), 0.5, &options).unwrap())
    });
    group.bench_function("expert_paths_10000", |b| {
        b.iter(|| expert_forgotten_effects(black_box(&graph), &order3, &options).unwrap())
    });
    for replicas in [1000, 10_000] {
        group.bench_function(format!("resampled_order3_{replicas}"), |b| {
            b.iter(|| resampled_forgotten_effects(black_box(&graph), &order3, replicas, 1).unwrap())
        });
    }
    group.finish();
}

fn bench_synthetic(c: &mut Criterion) {
    let dir = inputs_dir();
    let mut group = c.benchmark_group("forgotten/synthetic");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    let options = ForgottenOptions::with_threshold(0.5);
    for n in [10, 50, 200] {
        let path = |part: &str| dir.join(format!("fe_n{n}_m{n}_{part}.csv"));
        if !path("A").exists() {
            println!("skipping fe_n{n}: {} not found", path("A").display());
            continue;
        }
        let read = |part: &str| read_csv(path(part), &CsvOptions::unlabelled()).unwrap();
        let (a, m, b) = (read("A"), read("M"), read("B"));
        group.bench_function(format!("chained_n{n}"), |bench| {
            bench.iter(|| chained_forgotten_effects(black_box(&a), &m, &b, &options).unwrap())
        });
        // The definition with plain index loops, for scale: M* only.
        group.bench_function(format!("naive_mstar_n{n}"), |bench| {
            bench.iter(|| {
                let am = naive_compose(black_box(&a.view()), &m.view());
                naive_compose(&am.view(), &b.view())
            })
        });
        let graph = chained_graph(&a, &m, &b).unwrap();
        group.bench_function(format!("complete_order2_n{n}"), |bench| {
            bench.iter(|| complete_forgotten_effects(black_box(&graph), &options).unwrap())
        });
    }
    group.finish();
}

/// `max_k min(left[i][k], right[k][j])` with three index loops.
fn naive_compose(left: &ArrayView2<f64>, right: &ArrayView2<f64>) -> Array2<f64> {
    let mut out = Array2::zeros((left.nrows(), right.ncols()));
    for i in 0..left.nrows() {
        for j in 0..right.ncols() {
            let mut best = 0.0f64;
            for k in 0..left.ncols() {
                best = best.max(left[(i, k)].min(right[(k, j)]));
            }
            out[(i, j)] = best;
        }
    }
    out
}

criterion_group!(benches, bench_valdivia, bench_synthetic);
criterion_main!(benches);
