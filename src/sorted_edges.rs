//! Max-min transitive closure by inserting edges in decreasing degree into
//! a bitset reachability matrix.
//!
//! The closure value of (x, y) is the largest w such that a path of length
//! one or more leads from x to y over edges of degree at least w. Inserting
//! the edges (u, v) with R(u, v) > 0 from the largest degree down, the value
//! of (x, y) is therefore the degree of the edge whose insertion first makes
//! y reachable from x. An insertion creates exactly the pairs (x, y) with x
//! reaching u (or x = u) and y reached from v (or y = v); a source that
//! already reaches v already reaches everything v reaches, so it is skipped.
//! Once every pair is reachable, lower edges change nothing and the
//! algorithm stops, which on dense inputs happens after a small fraction of
//! the n^2 edges.
//!
//! Edges are taken in bands of decreasing degree: a strided sample of the
//! degrees sets each band's lower bound so that the bands hold about 16n,
//! 32n, 64n, ... edges, and only one band at a time is collected and sorted.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::bitset;
use crate::error::Result;
use crate::memory;

/// Edges expected in the first band, per element.
const FIRST_BAND_PER_ELEMENT: usize = 16;

/// Degrees sampled to place the band bounds.
const SAMPLE_SIZE: usize = 16_384;

/// The max-min transitive closure of the square matrix `values`.
///
/// # Complexity
///
/// O(n^2) to scan each band, O(m log m) to sort the m edges taken, and for
/// the insertions O(n^3 / 64) word operations in the worst case; on random
/// dense inputs the insertions stop after O(n log n) edges.
pub(crate) fn closure(values: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let n = values.nrows();
    let words = bitset::words_for(n);
    memory::ensure_fits(
        || format!("the reachability bitsets of a {n} x {n} relation"),
        memory::matrix_bytes::<u64>(n, words)
            .saturating_mul(2)
            .saturating_add(memory::matrix_bytes::<f64>(n, n)),
    )?;
    let values = values.as_standard_layout();
    let flat = values.as_slice().expect("standard layout");
    let mut state = Reach::new(n);
    let sample = sample_degrees(flat);
    let mut upper = f64::INFINITY;
    let mut band_edges = FIRST_BAND_PER_ELEMENT * n;
    let mut taken = 0usize;
    while !state.is_full() && upper > 0.0 {
        taken = taken.saturating_add(band_edges);
        let lower = band_lower_bound(&sample, taken, flat.len());
        let mut edges = collect_band(flat, lower, upper);
        edges.par_sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        for &(degree, index) in &edges {
            state.insert(index / n, index % n, degree);
            if state.is_full() {
                break;
            }
        }
        upper = lower;
        band_edges = band_edges.saturating_mul(2);
    }
    Ok(Array2::from_shape_vec((n, n), state.closure).expect("n * n degrees"))
}

/// Every degree at a stride that yields at most [`SAMPLE_SIZE`] of them,
/// sorted in decreasing order.
fn sample_degrees(flat: &[f64]) -> Vec<f64> {
    let stride = flat.len().div_ceil(SAMPLE_SIZE).max(1);
    let mut sample: Vec<f64> = flat.iter().step_by(stride).copied().collect();
    sample.sort_unstable_by(|a, b| b.total_cmp(a));
    sample
}

/// A degree such that about `taken` of the `total` degrees are at least it,
/// estimated from the sample; 0 (every positive edge) once `taken` reaches
/// the total.
fn band_lower_bound(sample: &[f64], taken: usize, total: usize) -> f64 {
    if taken >= total || sample.is_empty() {
        return 0.0;
    }
    let position = (taken as u128 * sample.len() as u128 / total as u128) as usize;
    match sample.get(position) {
        Some(&degree) => degree,
        None => 0.0,
    }
}

/// The edges with `lower <= degree < upper` and degree > 0, as (degree,
/// row-major index).
fn collect_band(flat: &[f64], lower: f64, upper: f64) -> Vec<(f64, usize)> {
    let keep = |&(_, &d): &(usize, &f64)| d >= lower && d < upper && d > 0.0;
    flat.par_chunks(1 << 14)
        .enumerate()
        .flat_map_iter(|(chunk, degrees)| {
            let offset = chunk << 14;
            degrees
                .iter()
                .enumerate()
                .filter(keep)
                .map(move |(i, &d)| (d, offset + i))
        })
        .collect()
}

/// Reachability rows and columns as bitsets, with the closure values found
/// so far.
struct Reach {
    n: usize,
    words: usize,
    /// Row x: the elements reachable from x by a path of length one or more.
    rows: Vec<u64>,
    /// Column y: the elements that reach y.
    cols: Vec<u64>,
    /// Row-major closure values; 0 where no pair has been reached.
    closure: Vec<f64>,
    /// Number of reachable pairs.
    reached: usize,
    targets: Vec<u64>,
    sources: Vec<u64>,
}

impl Reach {
    fn new(n: usize) -> Self {
        let words = bitset::words_for(n);
        Self {
            n,
            words,
            rows: vec![0; n * words],
            cols: vec![0; n * words],
            closure: vec![0.0; n * n],
            reached: 0,
            targets: vec![0; words],
            sources: vec![0; words],
        }
    }

    fn is_full(&self) -> bool {
        self.reached == self.n * self.n
    }

    #[inline]
    fn has(set: &[u64], element: usize) -> bool {
        set[element / 64] >> (element % 64) & 1 == 1
    }

    /// Inserts the edge (u, v) of degree `degree`, lower than every edge
    /// inserted before it or equal to the last one.
    fn insert(&mut self, u: usize, v: usize, degree: f64) {
        let words = self.words;
        if Self::has(&self.rows[u * words..(u + 1) * words], v) {
            return;
        }
        // Targets: v and what v reaches. Sources: u and what reaches u.
        self.targets
            .copy_from_slice(&self.rows[v * words..(v + 1) * words]);
        self.targets[v / 64] |= 1 << (v % 64);
        self.sources
            .copy_from_slice(&self.cols[u * words..(u + 1) * words]);
        self.sources[u / 64] |= 1 << (u % 64);
        for word in 0..words {
            let mut bits = self.sources[word];
            while bits != 0 {
                let x = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                self.extend_row(x, v, degree);
            }
        }
    }

    /// Adds the targets to the reach of `x`, giving each new pair `degree`.
    #[inline]
    fn extend_row(&mut self, x: usize, v: usize, degree: f64) {
        let words = self.words;
        let row = &mut self.rows[x * words..(x + 1) * words];
        if Self::has(row, v) {
            return;
        }
        for (word, (reach, &target)) in row.iter_mut().zip(&self.targets).enumerate() {
            let mut fresh = target & !*reach;
            if fresh == 0 {
                continue;
            }
            *reach |= fresh;
            self.reached += fresh.count_ones() as usize;
            while fresh != 0 {
                let y = word * 64 + fresh.trailing_zeros() as usize;
                fresh &= fresh - 1;
                self.closure[x * self.n + y] = degree;
                self.cols[y * words + x / 64] |= 1 << (x % 64);
            }
        }
    }
}
