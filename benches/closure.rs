//! Transitive closures and partition trees on the peer inputs, on 1 and 2
//! threads, against the crate's own squaring path.

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use fuzzy_affinity::{ClosureAlgorithm, Execution, PartitionTree};

mod bench_inputs;

use bench_inputs::{QUICK_MAX_SIDE, full_run, generated_proximity, peer_input, pool};

/// Seed of the n = 8192 proximity built in the bench (a CSV of that side
/// would take about 700 MB).
const LARGE_SEED: u64 = 20_240_917;

fn general(c: &mut Criterion) {
    let full = full_run();
    let mut group = c.benchmark_group("closure-general");
    group.sample_size(10);
    for n in [256, 512, 1024, 2048] {
        if !full && n > QUICK_MAX_SIDE {
            continue;
        }
        for (scale, file) in [
            ("continuous", format!("sq_n{n}.csv")),
            ("eleven", format!("sq_n{n}_s11.csv")),
        ] {
            let Some(r) = peer_input(&file) else { continue };
            for threads in [1, 2] {
                let pool = pool(threads);
                let id = BenchmarkId::new(format!("{scale}/auto/threads-{threads}"), n);
                group.bench_with_input(id, &r, |b, r| {
                    pool.install(|| b.iter(|| r.transitive_closure().unwrap()));
                });
            }
            for threads in [1, 2] {
                let pool = pool(threads);
                let id = BenchmarkId::new(format!("{scale}/floyd-warshall/threads-{threads}"), n);
                group.bench_with_input(id, &r, |b, r| {
                    pool.install(|| {
                        b.iter(|| {
                            r.transitive_closure_using(
                                ClosureAlgorithm::FloydWarshall,
                                Execution::Auto,
                            )
                            .unwrap()
                        })
                    });
                });
            }
            if n <= 1024 {
                let id = BenchmarkId::new(format!("{scale}/squaring/threads-2"), n);
                group.bench_with_input(id, &r, |b, r| {
                    b.iter(|| {
                        r.transitive_closure_using(ClosureAlgorithm::Naive, Execution::Auto)
                            .unwrap()
                    })
                });
            }
        }
    }
    group.finish();
}

fn symmetric(c: &mut Criterion) {
    let full = full_run();
    let mut group = c.benchmark_group("closure-symmetric");
    group.sample_size(10);
    for n in [512, 2048, 8192] {
        if !full && n > QUICK_MAX_SIDE {
            continue;
        }
        let p = if n == 8192 {
            generated_proximity(n, LARGE_SEED)
        } else {
            let Some(p) = peer_input(&format!("prox_n{n}.csv")) else {
                continue;
            };
            p
        };
        for threads in [1, 2] {
            let pool = pool(threads);
            let id = BenchmarkId::new(format!("spanning-tree/threads-{threads}"), n);
            group.bench_with_input(id, &p, |b, p| {
                pool.install(|| b.iter(|| p.transitive_closure().unwrap()));
            });
            // The consuming form writes over its input; the clone it gets
            // is made outside the timed region.
            let id = BenchmarkId::new(format!("spanning-tree-in-place/threads-{threads}"), n);
            group.bench_with_input(id, &p, |b, p| {
                pool.install(|| {
                    b.iter_batched(
                        || p.clone(),
                        |p| p.into_transitive_closure().unwrap(),
                        BatchSize::LargeInput,
                    )
                });
            });
        }
        if n <= 512 {
            let id = BenchmarkId::new("floyd-warshall/threads-2", n);
            group.bench_with_input(id, &p, |b, p| {
                b.iter(|| {
                    p.transitive_closure_using(ClosureAlgorithm::FloydWarshall, Execution::Auto)
                        .unwrap()
                })
            });
        }
    }
    // Quick test mode still runs the symmetric kernels once on a small input.
    if !full {
        let p = generated_proximity(QUICK_MAX_SIDE, LARGE_SEED);
        group.bench_function("spanning-tree/generated", |b| {
            b.iter(|| p.transitive_closure().unwrap())
        });
    }
    group.finish();
}

fn linkage(c: &mut Criterion) {
    let full = full_run();
    let mut group = c.benchmark_group("partition-tree");
    group.sample_size(10);
    for n in [512, 2048] {
        if !full && n > QUICK_MAX_SIDE {
            continue;
        }
        let Some(p) = peer_input(&format!("prox_n{n}.csv")) else {
            continue;
        };
        for threads in [1, 2] {
            let pool = pool(threads);
            let id = BenchmarkId::new(format!("linkage/threads-{threads}"), n);
            group.bench_with_input(id, &p, |b, p| {
                pool.install(|| b.iter(|| PartitionTree::from_proximity(p).unwrap().linkage()));
            });
        }
    }
    if !full {
        let p = generated_proximity(QUICK_MAX_SIDE, LARGE_SEED);
        group.bench_function("linkage/generated", |b| {
            b.iter(|| PartitionTree::from_proximity(&p).unwrap().linkage())
        });
    }
    group.finish();
}

/// Serial against parallel fill of the spanning-tree route on small sides,
/// the measurement behind `FILL_PARALLEL_CUTOFF`.
fn cutoff(c: &mut Criterion) {
    let mut group = c.benchmark_group("fill-cutoff");
    group.sample_size(20);
    let pool = pool(2);
    for n in [128, 256, 512] {
        let p = generated_proximity(n, 7);
        for execution in [Execution::Serial, Execution::Parallel] {
            let id = BenchmarkId::new(format!("{execution:?}"), n);
            group.bench_with_input(id, &p, |b, p| {
                pool.install(|| {
                    b.iter(|| {
                        p.transitive_closure_using(ClosureAlgorithm::SpanningTree, execution)
                            .unwrap()
                    })
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, general, symmetric, linkage, cutoff);
criterion_main!(benches);
