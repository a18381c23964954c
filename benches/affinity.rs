//! Affinity groups of the 0.7-cuts of the generated rectangular inputs.
//!
//! Each case first checks its group count against the concept count the
//! peer tools reported on the same input (top and bottom included). It then
//! times the enumeration from a loaded relation (parallel and one thread)
//! and the whole process from the CSV file. On the segment inputs up to
//! 10000 x 30 it also times a plain Close-by-One on column bit sets, the
//! naive baseline. In test mode (`cargo test --all-targets`) only the
//! 1000 x 20 input runs.

mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fuzzy_affinity::io::{CsvOptions, read_csv};
use fuzzy_affinity::{AffinityOptions, CrispRelation, Execution, affinity_groups};

/// Inputs with the concept counts of the peer tools at alpha 0.7.
const CASES: [(&str, usize); 4] = [
    ("rect_1000x20_seg", 3_991),
    ("rect_10000x30_seg", 172_951),
    ("rect_10000x30_iid", 1_552_835),
    ("rect_100000x40_seg", 7_994_586),
];

const ALPHA: f64 = 0.7;

fn options(execution: Execution) -> AffinityOptions {
    AffinityOptions {
        include_top_bottom: true,
        execution,
        ..Default::default()
    }
}

fn bench_groups(c: &mut Criterion) {
    let cases = if common::is_bench_run() {
        &CASES[..]
    } else {
        &CASES[..1]
    };
    let mut group = c.benchmark_group("affinity_groups");
    group.sample_size(10);
    for &(name, peers) in cases {
        let Some(relation) = common::load(name) else {
            continue;
        };
        let found = affinity_groups(&relation, ALPHA, &options(Execution::Auto)).unwrap();
        assert_eq!(
            found.len(),
            peers,
            "{name}: group count differs from the peers'"
        );
        drop(found);
        group.throughput(Throughput::Elements(peers as u64));

        group.bench_function(BenchmarkId::new("enumerate", name), |b| {
            b.iter(|| affinity_groups(&relation, ALPHA, &options(Execution::Auto)).unwrap())
        });
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        group.bench_function(BenchmarkId::new("enumerate_1_thread", name), |b| {
            b.iter(|| {
                one_thread.install(|| {
                    affinity_groups(&relation, ALPHA, &options(Execution::Serial)).unwrap()
                })
            })
        });
        let path = common::input_path(name).unwrap();
        group.bench_function(BenchmarkId::new("whole_process", name), |b| {
            b.iter(|| {
                let relation = read_csv(&path, &CsvOptions::unlabelled()).unwrap();
                affinity_groups(&relation, ALPHA, &options(Execution::Auto))
                    .unwrap()
                    .len()
            })
        });
        if relation.nrows() * relation.ncols() <= 10_000 * 30 && !name.ends_with("iid") {
            let cut = relation.alpha_cut(ALPHA).unwrap();
            assert_eq!(
                plain_cbo_count(&cut),
                peers,
                "{name}: plain Close-by-One count"
            );
            group.bench_function(BenchmarkId::new("plain_cbo", name), |b| {
                b.iter(|| plain_cbo_count(&cut))
            });
        }
    }
    group.finish();
}

/// Counts the concepts of `cut` (top and bottom included) with Kuznetsov's
/// Close-by-One on column bit sets over the rows: each child intersects a
/// column into the extent and closes it by testing every column for
/// inclusion. No inherited failures, no row lists: the textbook baseline.
fn plain_cbo_count(cut: &CrispRelation) -> usize {
    let (rows, cols) = cut.shape();
    let words = rows.div_ceil(64);
    let columns = cut.column_words();
    let column = |j: usize| &columns[j * words..][..words];
    let mut extent = vec![u64::MAX; words];
    if rows % 64 != 0 {
        extent[words - 1] = (1u64 << (rows % 64)) - 1;
    }
    let intent: Vec<bool> = (0..cols).map(|j| is_subset(&extent, column(j))).collect();
    let mut count = 1;
    plain_cbo_children(&extent, &intent, 0, &column, &mut count);
    count
}

fn plain_cbo_children<'a>(
    extent: &[u64],
    intent: &[bool],
    start: usize,
    column: &impl Fn(usize) -> &'a [u64],
    count: &mut usize,
) {
    let mut child = vec![0u64; extent.len()];
    for j in start..intent.len() {
        if intent[j] {
            continue;
        }
        for ((c, e), k) in child.iter_mut().zip(extent).zip(column(j)) {
            *c = e & k;
        }
        let closure: Vec<bool> = (0..intent.len())
            .map(|k| is_subset(&child, column(k)))
            .collect();
        if (0..j).any(|k| closure[k] && !intent[k]) {
            continue;
        }
        *count += 1;
        plain_cbo_children(&child, &closure, j + 1, column, count);
    }
}

fn is_subset(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x & !y == 0)
}

criterion_group!(benches, bench_groups);
criterion_main!(benches);
