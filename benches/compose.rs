//! Max-min composition R o R on the peer inputs, on 1 and 2 threads,
//! against the crate's own f64 triple loop (`compose_with(Minimum)`).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fuzzy_affinity::{Execution, Minimum};

mod bench_inputs;

use bench_inputs::{QUICK_MAX_SIDE, full_run, generated_proximity, peer_input, pool};

fn compose(c: &mut Criterion) {
    let full = full_run();
    let mut group = c.benchmark_group("maxmin");
    group.sample_size(10);
    for n in [256, 512, 1024] {
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
                let id = BenchmarkId::new(format!("{scale}/threads-{threads}"), n);
                group.bench_with_input(id, &r, |b, r| {
                    pool.install(|| b.iter(|| r.compose(r).unwrap()));
                });
            }
            let id = BenchmarkId::new(format!("{scale}/naive-f64/threads-2"), n);
            group.bench_with_input(id, &r, |b, r| {
                b.iter(|| r.compose_with(r, Minimum).unwrap());
            });
        }
    }
    group.finish();
}

/// Serial against parallel on small sides, the measurement behind
/// `COMPOSE_PARALLEL_CUTOFF`.
fn cutoff(c: &mut Criterion) {
    let mut group = c.benchmark_group("maxmin-cutoff");
    group.sample_size(20);
    let pool = pool(2);
    for n in [64, 128, 256] {
        let r = generated_proximity(n, 7);
        for execution in [Execution::Serial, Execution::Parallel] {
            let id = BenchmarkId::new(format!("{execution:?}"), n);
            group.bench_with_input(id, &r, |b, r| {
                pool.install(|| b.iter(|| r.compose_with_execution(r, execution).unwrap()));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, compose, cutoff);
criterion_main!(benches);
