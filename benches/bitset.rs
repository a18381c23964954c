//! The inner step of a column-bit-set Close-by-One, with plain `u64` word
//! slices (the crate's `bitset` module) and with `fixedbitset`: intersect a
//! column into the extent, count the result, and test it for inclusion in
//! every column (the closure). Sizes are those of the bench inputs: 30
//! columns over 10 000 rows and 40 columns over 100 000 rows, each row
//! holding a column with probability 0.3, as in their 0.7-cuts.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fixedbitset::FixedBitSet;
use fuzzy_affinity::bitset::{count_ones, intersect_into, is_subset, words_for};

/// Seeded xorshift columns of density about 0.3.
fn columns(rows: usize, cols: usize) -> Vec<Vec<bool>> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..cols)
        .map(|_| {
            (0..rows)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state % 10 < 3
                })
                .collect()
        })
        .collect()
}

fn to_words(column: &[bool]) -> Vec<u64> {
    let mut words = vec![0u64; words_for(column.len())];
    for (i, _) in column.iter().enumerate().filter(|(_, b)| **b) {
        words[i / 64] |= 1 << (i % 64);
    }
    words
}

fn to_fixed(column: &[bool]) -> FixedBitSet {
    let mut set = FixedBitSet::with_capacity(column.len());
    for (i, _) in column.iter().enumerate().filter(|(_, b)| **b) {
        set.insert(i);
    }
    set
}

fn bench_inner_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("cbo_inner_step");
    for (rows, cols) in [(10_000, 30), (100_000, 40)] {
        let columns = columns(rows, cols);
        let id = format!("{rows}x{cols}");
        group.throughput(Throughput::Elements(cols as u64));

        let words: Vec<Vec<u64>> = columns.iter().map(|c| to_words(c)).collect();
        let extent = words[0].clone();
        let mut child = vec![0u64; extent.len()];
        group.bench_function(BenchmarkId::new("u64_words", &id), |b| {
            b.iter(|| {
                let mut closed = 0;
                intersect_into(&extent, &words[1], &mut child);
                let size = count_ones(&child);
                for column in &words {
                    closed += usize::from(is_subset(&child, column));
                }
                (size, closed)
            })
        });

        let sets: Vec<FixedBitSet> = columns.iter().map(|c| to_fixed(c)).collect();
        let fixed_extent = sets[0].clone();
        let mut fixed_child = FixedBitSet::with_capacity(rows);
        group.bench_function(BenchmarkId::new("fixedbitset", &id), |b| {
            b.iter(|| {
                let mut closed = 0;
                fixed_child.clone_from(&fixed_extent);
                fixed_child.intersect_with(&sets[1]);
                let size = fixed_child.count_ones(..);
                for column in &sets {
                    closed += usize::from(fixed_child.is_subset(column));
                }
                (size, closed)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_inner_step);
criterion_main!(benches);
