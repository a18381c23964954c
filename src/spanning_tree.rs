//! The closure of symmetric relations through a maximum spanning tree.
//!
//! For a symmetric relation, the max-min closure value of two distinct
//! elements is the bottleneck (the smallest degree) on the path joining them
//! in a maximum spanning tree. Prim's algorithm on the dense matrix finds the
//! tree in O(n^2), and the order in which it adds elements already gives
//! every bottleneck value (see [`PrimChain`]).

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::closure::FILL_PARALLEL_CUTOFF;
use crate::parallel::Execution;

/// Side of the square tiles in which the symmetry check compares a block
/// with its mirror, so both stay in the L1 cache.
const SYMMETRY_TILE: usize = 32;

/// Returns true when the matrix is square and symmetric.
pub(crate) fn is_symmetric(values: ArrayView2<'_, f64>) -> bool {
    let n = values.nrows();
    if n != values.ncols() {
        return false;
    }
    let values = values.as_standard_layout();
    let flat = values.as_slice().expect("standard layout");
    // Each band of rows is compared with the band of columns it mirrors,
    // one tile at a time.
    let band_is_symmetric = |band: usize| {
        let rows = band * SYMMETRY_TILE..((band + 1) * SYMMETRY_TILE).min(n);
        (band * SYMMETRY_TILE..n)
            .step_by(SYMMETRY_TILE)
            .all(|first_col| {
                rows.clone().all(|i| {
                    let cols = first_col.max(i + 1)..(first_col + SYMMETRY_TILE).min(n);
                    cols.into_iter().all(|j| flat[i * n + j] == flat[j * n + i])
                })
            })
    };
    let bands = n.div_ceil(SYMMETRY_TILE);
    if (n * n) as u128 >= FILL_PARALLEL_CUTOFF {
        (0..bands).into_par_iter().all(band_is_symmetric)
    } else {
        (0..bands).all(band_is_symmetric)
    }
}

/// Returns true when the matrix is square, reflexive and symmetric.
pub(crate) fn is_proximity(values: ArrayView2<'_, f64>) -> bool {
    values.nrows() == values.ncols()
        && values.diag().iter().all(|&v| v == 1.0)
        && is_symmetric(values)
}

/// The elements of a symmetric relation in the order Prim's algorithm adds
/// them to a maximum spanning tree, with the degree of the tree edge that
/// adds each one.
///
/// Prim starts at element 0 and, at each step, adds the outside element with
/// the largest degree to the tree, the smallest index among equal degrees.
/// For p < q the closure value of `order[p]` and `order[q]` is the minimum m
/// of `weights[p + 1..=q]`. No path does better: with t the step that
/// reaches m, the tree before step t contains `order[p]` and not `order[q]`, and
/// every edge leaving it has degree at most m. And the bound is reached:
/// while Prim adds edges of degree at least m it stays inside one connected
/// component of the m-cut (at most one component is ever entered and not
/// yet exhausted), so `order[p..=q]` are joined at level m.
#[derive(Debug, Clone)]
pub(crate) struct PrimChain {
    /// Elements in the order they join the tree; `order[0] == 0`.
    pub(crate) order: Vec<usize>,
    /// `weights[t]` is the degree that joins `order[t]`; `weights[0]` is 1.
    pub(crate) weights: Vec<f64>,
}

impl PrimChain {
    /// Runs Prim's algorithm on the off-diagonal degrees of a symmetric
    /// matrix in O(n^2) time.
    pub(crate) fn new(values: ArrayView2<'_, f64>) -> Self {
        let values = values.as_standard_layout();
        let flat = values.as_slice().expect("standard layout");
        let n = values.nrows();
        let mut order = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        // best[v] is the largest degree from the tree to v, or -1 once v is
        // in the tree; degrees are never negative.
        let mut best = flat[..n].to_vec();
        best[0] = -1.0;
        order.push(0);
        weights.push(1.0);
        let mut top = maximum(&best);
        for _ in 1..n {
            let next = best
                .iter()
                .position(|&v| v == top)
                .expect("the maximum is an element of best");
            order.push(next);
            weights.push(top);
            best[next] = -1.0;
            top = raise_and_max(&mut best, &flat[next * n..(next + 1) * n]);
        }
        Self { order, weights }
    }
}

/// The largest value, with sixteen running maxima so the loop vectorises.
fn maximum(values: &[f64]) -> f64 {
    let mut lanes = [-1.0f64; 16];
    let mut chunks = values.chunks_exact(16);
    for chunk in &mut chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = if v > *lane { v } else { *lane };
        }
    }
    let rest = chunks.remainder().iter().fold(-1.0f64, |m, &v| m.max(v));
    lanes.into_iter().fold(rest, f64::max)
}

/// Raises each outside entry of `best` (the non-negative ones) to the
/// degree in `row`, and returns the new maximum of `best`.
fn raise_and_max(best: &mut [f64], row: &[f64]) -> f64 {
    let mut lanes = [-1.0f64; 16];
    let mut best_chunks = best.chunks_exact_mut(16);
    let mut row_chunks = row.chunks_exact(16);
    for (chunk, degrees) in (&mut best_chunks).zip(&mut row_chunks) {
        for ((b, &v), lane) in chunk.iter_mut().zip(degrees).zip(lanes.iter_mut()) {
            let raised = if v > *b { v } else { *b };
            *b = if *b < 0.0 { *b } else { raised };
            *lane = if *b > *lane { *b } else { *lane };
        }
    }
    let mut top = lanes.into_iter().fold(-1.0f64, f64::max);
    for (b, &v) in best_chunks
        .into_remainder()
        .iter_mut()
        .zip(row_chunks.remainder())
    {
        if *b >= 0.0 && v > *b {
            *b = v;
        }
        top = top.max(*b);
    }
    top
}

/// The max-min transitive closure of a symmetric matrix: bottleneck values
/// along Prim's chain off the diagonal, and on it the row maximum (the best
/// cycle through i goes to a neighbour and straight back), which is 1 for a
/// reflexive matrix.
pub(crate) fn symmetric_closure(values: ArrayView2<'_, f64>, execution: Execution) -> Array2<f64> {
    let n = values.nrows();
    let chain = PrimChain::new(values);
    let mut position = vec![0; n];
    for (p, &v) in chain.order.iter().enumerate() {
        position[v] = p;
    }
    let reflexive = values.diag().iter().all(|&v| v == 1.0);
    let mut out = vec![0.0f64; n * n];
    let fill = |(v, row): (usize, &mut [f64])| {
        fill_row(&chain, position[v], row);
        row[v] = if reflexive {
            1.0
        } else {
            values.row(v).iter().copied().fold(0.0, f64::max)
        };
    };
    if execution.is_parallel((n * n) as u128, FILL_PARALLEL_CUTOFF) {
        out.par_chunks_mut(n).enumerate().for_each(fill);
    } else {
        out.chunks_mut(n).enumerate().for_each(fill);
    }
    Array2::from_shape_vec((n, n), out).expect("n * n degrees")
}

/// [`symmetric_closure`] written over its own input, so no second n x n
/// buffer is allocated and no fresh page is touched. Prim's chain and the
/// diagonal values are taken from the input before any row is overwritten.
pub(crate) fn symmetric_closure_in_place(values: &mut Array2<f64>, execution: Execution) {
    let n = values.nrows();
    let chain = PrimChain::new(values.view());
    let mut position = vec![0; n];
    for (p, &v) in chain.order.iter().enumerate() {
        position[v] = p;
    }
    let diagonal: Vec<f64> = if values.diag().iter().all(|&v| v == 1.0) {
        vec![1.0; n]
    } else {
        values
            .rows()
            .into_iter()
            .map(|row| row.iter().copied().fold(0.0, f64::max))
            .collect()
    };
    if !values.is_standard_layout() {
        *values = values.as_standard_layout().into_owned();
    }
    let out = values.as_slice_mut().expect("standard layout");
    let fill = |(v, row): (usize, &mut [f64])| {
        fill_row(&chain, position[v], row);
        row[v] = diagonal[v];
    };
    if execution.is_parallel((n * n) as u128, FILL_PARALLEL_CUTOFF) {
        out.par_chunks_mut(n).enumerate().for_each(fill);
    } else {
        out.chunks_mut(n).enumerate().for_each(fill);
    }
}

/// Writes the closure row of `order[p]`: running minima of the chain
/// weights to the right and to the left of position p, the two scans
/// interleaved so their dependency chains overlap.
fn fill_row(chain: &PrimChain, p: usize, row: &mut [f64]) {
    let n = row.len();
    let (order, weights) = (&chain.order[..], &chain.weights[..]);
    let (mut right, mut left) = (1.0f64, 1.0f64);
    let both = p.min(n - 1 - p);
    for d in 1..=both {
        let w_right = weights[p + d];
        let w_left = weights[p + 1 - d];
        right = if w_right < right { w_right } else { right };
        left = if w_left < left { w_left } else { left };
        row[order[p + d]] = right;
        row[order[p - d]] = left;
    }
    for q in p + both + 1..n {
        right = right.min(weights[q]);
        row[order[q]] = right;
    }
    for q in (0..p - both).rev() {
        left = left.min(weights[q + 1]);
        row[order[q]] = left;
    }
}
