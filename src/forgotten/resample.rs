//! Forgotten effects over resampled experts, the scheme of forgeffects'
//! `FE`: every replica is a synthetic expert whose degree on each edge is a
//! random quantile of the panel's degrees on that edge.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::ForgottenOptions;
use super::experts::ExpertGraph;
use crate::error::{Error, Result};

/// Replicas handled by one task. The chunking is fixed, so sums are added in
/// the same order whatever the number of threads.
const CHUNK: usize = 256;

/// Stream tag of the resampled replicas, apart from the bootstrap streams.
const STREAM: u64 = 5 << 56;

/// One path aggregated over the resampled replicas that select it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResampledPath {
    /// The order: number of edges of the path.
    pub order: usize,
    /// The nodes `from, through_1, ..., to`.
    pub nodes: Vec<usize>,
    /// Number of replicas whose analysis selects the path.
    pub count: usize,
    /// Mean forgotten part over those replicas.
    pub mean: f64,
    /// Population standard deviation (divisor `count`) of the forgotten
    /// part over those replicas, as forgeffects reports it.
    pub standard_deviation: f64,
}

/// Count, mean and sum of squared deviations (Welford), merged with Chan's
/// formula.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    count: usize,
    mean: f64,
    squares: f64,
}

impl Moments {
    fn push(&mut self, value: f64) {
        self.count += 1;
        let delta = value - self.mean;
        self.mean += delta / self.count as f64;
        self.squares += delta * (value - self.mean);
    }

    fn merge(&mut self, other: &Moments) {
        if other.count == 0 {
            return;
        }
        let total = self.count + other.count;
        let delta = other.mean - self.mean;
        self.mean += delta * other.count as f64 / total as f64;
        self.squares +=
            other.squares + delta * delta * (self.count * other.count) as f64 / total as f64;
        self.count = total;
    }
}

/// Computes forgotten effects on `replicas` synthetic experts drawn from
/// the panel and aggregates every path over the replicas that select it.
///
/// For each replica and each edge, a level `u` is drawn uniformly in
/// [0, 1), and the degree is the sample quantile of the experts' degrees at
/// `u`. An edge on which all experts agree keeps their degree and draws no
/// level. The quantile interpolates linearly between order statistics, as
/// numpy and TensorFlow Probability's `percentile` do with linear
/// interpolation. Loops
/// stay 1 and, in a chained graph, effect-to-cause pairs stay 0. Each
/// replica then goes through the complete-graph analysis of
/// [`complete_forgotten_effects`](super::complete_forgotten_effects) with
/// `options`, and every listed path adds its effect's forgotten part to
/// its aggregate.
///
/// This follows forgeffects 0.2.5 `FE` with two documented differences:
/// forgeffects draws one set of levels and shuffles it for every edge (here
/// each edge draws its own levels, so edges are independent), and
/// forgeffects lists an order-`k` path only when its order-`k - 1` prefix
/// was itself selected (here every tied walk is listed, as in the
/// single-expert analysis). Replicas come from per-replica ChaCha8 streams
/// of `seed`, so the result is the same for any number of threads.
///
/// Paths are sorted by order, then by their node sequence.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when `replicas` is 0 or the options are out
/// of range.
///
/// # Complexity
///
/// `O(replicas * max_order * n^3)` plus the path searches, replicas in
/// parallel.
pub fn resampled_forgotten_effects(
    graph: &ExpertGraph,
    options: &ForgottenOptions,
    replicas: usize,
    seed: u64,
) -> Result<Vec<ResampledPath>> {
    options.check()?;
    if replicas == 0 {
        return Err(Error::InvalidParameter {
            name: "resampled replicas",
            value: "0".into(),
            expected: "at least 1 replica; forgeffects uses 1000 by default".into(),
        });
    }
    let n = graph.nodes();
    let packing = Packing::new(n, options.max_order)?;
    // The experts' degrees on every cell, sorted, cell-major.
    let experts = graph.experts();
    let mut sorted = Vec::with_capacity(n * n * experts);
    for from in 0..n {
        for to in 0..n {
            let start = sorted.len();
            sorted.extend(
                (0..experts).map(|e| graph.expert(e).expect("in range").view()[(from, to)]),
            );
            sorted[start..].sort_by(f64::total_cmp);
        }
    }
    let varying: Vec<usize> = (0..n * n)
        .filter(|&cell| sorted[cell * experts] != sorted[(cell + 1) * experts - 1])
        .collect();
    let chunks: Vec<PathTotals> = (0..replicas.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut totals = PathTotals::default();
            let mut scratch = Scratch::new(n, options.max_order);
            // Cells where every expert agrees keep that degree in every
            // replica and draw no level.
            for (cell, slot) in scratch.powers[0].iter_mut().enumerate() {
                *slot = sorted[cell * experts];
            }
            let first = chunk * CHUNK;
            for replica in first..(first + CHUNK).min(replicas) {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(STREAM | replica as u64);
                for &cell in &varying {
                    let degrees = &sorted[cell * experts..(cell + 1) * experts];
                    scratch.powers[0][cell] = level_quantile(degrees, rng.random());
                }
                scratch.replica_paths(options, &mut |order, nodes, forgotten| {
                    totals
                        .entry(packing.pack(order, nodes))
                        .or_default()
                        .push(forgotten);
                });
            }
            totals
        })
        .collect();
    // Each key folds its chunks in chunk order, so the sums do not depend
    // on the iteration order of the maps.
    let mut merged = PathTotals::default();
    for chunk in &chunks {
        for (&key, moments) in chunk {
            merged.entry(key).or_default().merge(moments);
        }
    }
    let mut paths: Vec<ResampledPath> = merged
        .into_iter()
        .map(|(key, moments)| {
            let (order, nodes) = packing.unpack(key);
            (order, nodes, moments)
        })
        .map(|(order, nodes, moments)| ResampledPath {
            order,
            nodes,
            count: moments.count,
            mean: moments.mean,
            standard_deviation: (moments.squares.max(0.0) / moments.count as f64).sqrt(),
        })
        .collect();
    paths.sort_by(|a, b| (a.order, &a.nodes).cmp(&(b.order, &b.nodes)));
    Ok(paths)
}

/// The quantile of `sorted` at level `u` in [0, 1) with linear
/// interpolation between order statistics.
fn level_quantile(sorted: &[f64], u: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * u;
    let below = h as usize;
    let fraction = h - below as f64;
    match sorted.get(below + 1) {
        Some(&high) if fraction > 0.0 => {
            let low = sorted[below];
            low + fraction * (high - low)
        }
        _ => sorted[below],
    }
}

/// Per-path totals of one chunk of replicas, keyed by the packed path.
type PathTotals = HashMap<u128, Moments, BuildHasherDefault<MixHasher>>;

/// Packs an order and up to `max_order + 1` node indexes into a `u128`.
struct Packing {
    bits: u32,
}

impl Packing {
    /// Bits left for the nodes after the order's 8 bits.
    const NODE_BITS: u32 = 120;

    fn new(nodes: usize, max_order: usize) -> Result<Self> {
        let bits = usize::BITS - nodes.saturating_sub(1).leading_zeros();
        let bits = bits.max(1);
        if max_order > 255 || (max_order as u32 + 1) * bits > Self::NODE_BITS {
            return Err(Error::InvalidParameter {
                name: "maximum order",
                value: max_order.to_string(),
                expected: format!(
                    "at most {} for resampling a graph of {nodes} nodes, whose paths \
                     are packed into 120 bits",
                    Self::NODE_BITS / bits - 1
                ),
            });
        }
        Ok(Self { bits })
    }

    /// The order in the top 8 bits, the nodes below it, last node lowest.
    fn pack(&self, order: usize, nodes: &[usize]) -> u128 {
        let mut key = 0u128;
        for &node in nodes {
            key = (key << self.bits) | node as u128;
        }
        key | (order as u128) << Self::NODE_BITS
    }

    fn unpack(&self, key: u128) -> (usize, Vec<usize>) {
        let mask = (1u128 << self.bits) - 1;
        let order = (key >> Self::NODE_BITS) as usize;
        let nodes = (0..=order as u32)
            .rev()
            .map(|place| ((key >> (self.bits * place)) & mask) as usize)
            .collect();
        (order, nodes)
    }
}

/// A small multiply-rotate hasher for path keys; the maps it serves never
/// see adversarial keys, and their iteration order never reaches a result.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn write_u128(&mut self, value: u128) {
        self.write_u64(value as u64);
        self.write_u64((value >> 64) as u64);
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Flat row-major buffers for the powers of one replica.
struct Scratch {
    n: usize,
    /// `T^1 .. T^max_order`, each `n * n`.
    powers: Vec<Vec<f64>>,
    /// Transposes of `T^1 .. T^(max_order - 1)`.
    columns: Vec<Vec<f64>>,
    /// Column maxima of `T`.
    column_max: Vec<f64>,
    stack: Vec<usize>,
}

impl Scratch {
    fn new(n: usize, max_order: usize) -> Self {
        Self {
            n,
            powers: vec![vec![0.0; n * n]; max_order],
            columns: vec![vec![0.0; n * n]; max_order.saturating_sub(1)],
            column_max: vec![0.0; n],
            stack: Vec::with_capacity(max_order + 1),
        }
    }

    /// Runs the complete-graph analysis of the replica in `powers[0]` and
    /// reports every listed path with its order and forgotten part.
    fn replica_paths(
        &mut self,
        options: &ForgottenOptions,
        report: &mut dyn FnMut(usize, &[usize], f64),
    ) {
        let n = self.n;
        // Below this gap a cell cannot pass the threshold; the exact
        // decision only runs above it.
        let near = options.threshold - 1e-9;
        transpose(&self.powers[0], &mut self.columns[0], n);
        for order in 2..=options.max_order {
            let last = order == options.max_order;
            if last {
                // The last power is only needed where an effect is possible:
                // T^k[i][j] <= max_l T[l][j], so cells whose column maximum
                // is too low are skipped, and the others are computed one by
                // one.
                self.column_max.fill(0.0);
                for row in self.powers[0].chunks_exact(n) {
                    for (top, &degree) in self.column_max.iter_mut().zip(row) {
                        *top = if degree > *top { degree } else { *top };
                    }
                }
            } else {
                let (done, rest) = self.powers.split_at_mut(order - 1);
                maxmin_flat(&done[order - 2], &done[0], &mut rest[0], n);
                if self.powers[order - 2] == self.powers[order - 1] {
                    // Every later power is equal too: no more effects.
                    return;
                }
                transpose(&self.powers[order - 1], &mut self.columns[order - 1], n);
            }
            let previous = &self.powers[order - 2];
            for from in 0..n {
                let previous_row = &previous[from * n..(from + 1) * n];
                for to in 0..n {
                    let before = previous_row[to];
                    let value = if last {
                        if self.column_max[to] - before < near {
                            continue;
                        }
                        // Column `to` of T is row `to` of its transpose.
                        let column = &self.columns[0][to * n..(to + 1) * n];
                        let mut value = 0.0;
                        for (&left, &right) in previous_row.iter().zip(column) {
                            let low = if left < right { left } else { right };
                            value = if low > value { low } else { value };
                        }
                        value
                    } else {
                        self.powers[order - 1][from * n + to]
                    };
                    if value - before < near || !options.selects(value, before) {
                        continue;
                    }
                    let forgotten = value - before;
                    let mut listed = 0;
                    self.stack.clear();
                    self.stack.push(from);
                    let search = Search {
                        powers: &self.powers,
                        columns: &self.columns,
                        n,
                        to,
                        target: value,
                    };
                    search.walk(&mut self.stack, from, order, &mut |path| {
                        report(order, path, forgotten);
                        listed += 1;
                        listed < options.max_paths
                    });
                }
            }
        }
    }
}

/// The walks of a fixed length to `to` whose edges all reach `target`.
struct Search<'a> {
    powers: &'a [Vec<f64>],
    /// Transposes of the powers, so that a column is contiguous.
    columns: &'a [Vec<f64>],
    n: usize,
    to: usize,
    target: f64,
}

impl Search<'_> {
    /// Calls `visit` on each completing walk in lexicographic order until it
    /// returns false; returns false when stopped.
    fn walk(
        &self,
        stack: &mut Vec<usize>,
        node: usize,
        remaining: usize,
        visit: &mut dyn FnMut(&[usize]) -> bool,
    ) -> bool {
        let n = self.n;
        let row = &self.powers[0][node * n..(node + 1) * n];
        if remaining == 1 {
            if row[self.to] < self.target {
                return true;
            }
            stack.push(self.to);
            let go_on = visit(stack);
            stack.pop();
            return go_on;
        }
        let column = &self.columns[remaining - 2][self.to * n..(self.to + 1) * n];
        if n <= 64 {
            // A branch-free mask of the admissible steps, then its set bits
            // in increasing order.
            let mut mask = 0u64;
            for (next, (&out, &into)) in row.iter().zip(column).enumerate() {
                let admissible = (out >= self.target) & (into >= self.target);
                mask |= u64::from(admissible) << next;
            }
            while mask != 0 {
                let next = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                stack.push(next);
                let go_on = self.walk(stack, next, remaining - 1, visit);
                stack.pop();
                if !go_on {
                    return false;
                }
            }
            return true;
        }
        for (next, (&out, &into)) in row.iter().zip(column).enumerate() {
            if out < self.target || into < self.target {
                continue;
            }
            stack.push(next);
            let go_on = self.walk(stack, next, remaining - 1, visit);
            stack.pop();
            if !go_on {
                return false;
            }
        }
        true
    }
}

/// `out = transpose(matrix)` for `n x n` row-major matrices.
fn transpose(matrix: &[f64], out: &mut [f64], n: usize) {
    for (i, row) in matrix.chunks_exact(n).enumerate() {
        for (j, &value) in row.iter().enumerate() {
            out[j * n + i] = value;
        }
    }
}

/// `out = left o right` (max-min) for `n x n` row-major matrices.
fn maxmin_flat(left: &[f64], right: &[f64], out: &mut [f64], n: usize) {
    out.fill(0.0);
    for (row, left_row) in out.chunks_exact_mut(n).zip(left.chunks_exact(n)) {
        for (&lik, right_row) in left_row.iter().zip(right.chunks_exact(n)) {
            if lik == 0.0 {
                continue;
            }
            for (cell, &rkj) in row.iter_mut().zip(right_row) {
                // Select-style min and max with an unconditional store
                // compile to packed minpd and maxpd.
                let low = if lik < rkj { lik } else { rkj };
                *cell = if low > *cell { low } else { *cell };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_quantile_interpolates() {
        let sorted = [0.1, 0.3, 0.9];
        assert_eq!(level_quantile(&sorted, 0.0), 0.1);
        assert!((level_quantile(&sorted, 0.25) - 0.2).abs() < 1e-15);
        assert!((level_quantile(&sorted, 0.75) - 0.6).abs() < 1e-15);
        assert_eq!(level_quantile(&[0.4], 0.7), 0.4);
    }

    #[test]
    fn packing_round_trips() {
        let packing = Packing::new(20, 3).unwrap();
        for (order, nodes) in [
            (2, vec![0, 19, 3]),
            (3, vec![5, 0, 0, 19]),
            (2, vec![0, 0, 1]),
        ] {
            let key = packing.pack(order, &nodes);
            assert_eq!(packing.unpack(key), (order, nodes));
        }
        assert_ne!(packing.pack(2, &[0, 1, 2]), packing.pack(3, &[0, 0, 1, 2]));
        assert!(Packing::new(1 << 20, 6).is_err());
        assert!(Packing::new(1 << 20, 4).is_ok());
    }

    #[test]
    fn moments_merge_like_one_pass() {
        let values = [0.2, 0.5, 0.9, 0.4, 0.7];
        let mut whole = Moments::default();
        values.iter().for_each(|&v| whole.push(v));
        let (mut left, mut right) = (Moments::default(), Moments::default());
        values[..2].iter().for_each(|&v| left.push(v));
        values[2..].iter().for_each(|&v| right.push(v));
        left.merge(&right);
        assert_eq!(left.count, 5);
        assert!((left.mean - whole.mean).abs() < 1e-15);
        assert!((left.squares - whole.squares).abs() < 1e-15);
    }
}
