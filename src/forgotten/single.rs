//! Forgotten effects of one expert: the chained bipartite form
//! `M* = A o M o B` and the complete-graph form with max-min powers, each
//! with the paths that produce every selected effect.

use std::collections::HashMap;

use ndarray::{Array2, ArrayView2, s};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ForgottenOptions, compare, require_unit_diagonal};
use crate::error::{Error, Result};
use crate::memory;
use crate::parallel::Execution;
use crate::relation::FuzzyRelation;

/// Multiply-add count from which a max-min product runs in parallel.
const PARALLEL_WORK: u128 = 1 << 20;

/// One path `cause -> via_cause -> via_effect -> effect` of the chained form.
///
/// `via_cause` equals the cause when the path starts with the loop `A[i][i]`,
/// and `via_effect` equals the effect when it ends with the loop `B[j][j]`.
/// A selected effect never uses both loops, because its strength exceeds
/// `M[i][j]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChainedPath {
    /// Index of the intermediary cause `k` (row and column of `A`).
    pub via_cause: usize,
    /// Index of the intermediary effect `l` (row and column of `B`).
    pub via_effect: usize,
}

/// One selected forgotten effect of the chained form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainedEffect {
    /// Index of the cause (row of `M`).
    pub cause: usize,
    /// Index of the effect (column of `M`).
    pub effect: usize,
    /// The direct incidence `M[cause][effect]`.
    pub direct: f64,
    /// The accumulated incidence `M*[cause][effect]`.
    pub accumulated: f64,
    /// The forgotten part `accumulated - direct`, computed exactly on the
    /// decimal values and rounded once to `f64`.
    pub forgotten: f64,
    /// Tied paths reaching `accumulated`, sorted by (`via_cause`,
    /// `via_effect`), at most [`ForgottenOptions::max_paths`] of them.
    pub paths: Vec<ChainedPath>,
    /// Number of tied paths, listed or not.
    pub path_count: u64,
}

/// Result of [`chained_forgotten_effects`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChainedAnalysis {
    /// `M* = A o M o B`, with the labels of `M`.
    pub accumulated: FuzzyRelation,
    /// `M* - M`, cell by cell, computed exactly on the decimal values of the
    /// two degrees and rounded once to `f64` (so 0.3 - 0.2 gives 0.1, not
    /// 0.09999999999999998). It is never negative, because `A` and `B` are
    /// reflexive.
    pub forgotten: Array2<f64>,
    /// Selected effects in row-major order of (cause, effect).
    pub effects: Vec<ChainedEffect>,
}

/// One selected forgotten effect of the complete-graph form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// The order `k`: the number of edges of each path.
    pub order: usize,
    /// Index of the first node.
    pub from: usize,
    /// Index of the last node.
    pub to: usize,
    /// The incidence of order `k - 1`, `T^(k-1)[from][to]`.
    pub previous: f64,
    /// The incidence of order `k`, `T^k[from][to]`.
    pub accumulated: f64,
    /// The forgotten part `accumulated - previous`, computed exactly on the
    /// decimal values and rounded once to `f64`.
    pub forgotten: f64,
    /// Tied paths, each the `k + 1` nodes `from, through_1, ...,
    /// through_(k-1), to`, in lexicographic order, at most
    /// [`ForgottenOptions::max_paths`] of them.
    pub paths: Vec<Vec<usize>>,
    /// Number of tied paths, listed or not (saturating at `u64::MAX`).
    pub path_count: u64,
}

/// The selected effects of one order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEffects {
    /// The order `k`, from 2 up to the maximum order.
    pub order: usize,
    /// Selected effects in row-major order of (from, to).
    pub effects: Vec<Effect>,
}

/// Result of [`complete_forgotten_effects`].
#[derive(Debug, Clone, PartialEq)]
pub struct CompleteAnalysis {
    /// The powers `T^1, ..., T^k`, with the labels of `T`, where k is
    /// `max_order` or the first order whose power equals the one before,
    /// whichever comes first (at most n for an n x n relation). Every later
    /// power equals `T^k` and has no effect.
    pub powers: Vec<FuzzyRelation>,
    /// One entry per order 2, ..., k, in that order.
    pub orders: Vec<OrderEffects>,
}

impl CompleteAnalysis {
    /// The name of node `node`: its row label, or `row {node}`.
    pub fn node_name(&self, node: usize) -> String {
        self.powers[0].row_name(node)
    }

    /// Every selected effect, order by order.
    pub fn effects(&self) -> impl Iterator<Item = &Effect> {
        self.orders.iter().flat_map(|order| order.effects.iter())
    }
}

/// Computes the forgotten effects of the chained bipartite form
/// `M* = A o M o B` with the intermediaries of each selected effect.
///
/// A cell is selected when `M*[i][j] - M[i][j]` passes
/// [`ForgottenOptions::threshold`] under [`ForgottenOptions::comparison`],
/// decided exactly on the decimal values. Each selected effect lists the
/// pairs (`k`, `l`) with `min(A[i][k], M[k][l], B[l][j]) = M*[i][j]`.
/// [`ForgottenOptions::max_order`] does not apply to this form.
///
/// # Errors
///
/// [`Error::NotSquare`] or [`Error::PropertyViolated`] when `causes` (`A`)
/// or `effects` (`B`) is not square with every diagonal degree 1,
/// [`Error::ShapeMismatch`] when the shapes do not chain, and
/// [`Error::InvalidParameter`] for options out of range.
///
/// # Complexity
///
/// `O(n^2 m + n m^2)` for `M*`, plus `O(n m)` per selected effect for its
/// paths.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::FuzzyRelation;
/// use fuzzy_affinity::forgotten::{ChainedPath, ForgottenOptions, chained_forgotten_effects};
///
/// let a = FuzzyRelation::from_rows([[1.0, 0.8], [0.0, 1.0]])?;
/// let m = FuzzyRelation::from_rows([[0.1, 0.0], [0.9, 0.2]])?;
/// let b = FuzzyRelation::from_rows([[1.0, 0.6], [0.0, 1.0]])?;
/// let result = chained_forgotten_effects(&a, &m, &b, &ForgottenOptions::with_threshold(0.3))?;
/// // Cause 0 reaches effect 0 through cause 1: min(0.8, 0.9, 1) = 0.8.
/// let first = &result.effects[0];
/// assert_eq!((first.cause, first.effect, first.accumulated), (0, 0, 0.8));
/// assert_eq!(first.paths, vec![ChainedPath { via_cause: 1, via_effect: 0 }]);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn chained_forgotten_effects(
    causes: &FuzzyRelation,
    incidence: &FuzzyRelation,
    effects: &FuzzyRelation,
    options: &ForgottenOptions,
) -> Result<ChainedAnalysis> {
    options.check()?;
    check_chain(causes, incidence, effects, "chained forgotten effects")?;
    let (a, m, b) = (causes.view(), incidence.view(), effects.view());
    let (n, k) = incidence.shape();
    super::ensure_fits(
        || format!("forgotten effects of a {n} x {k} incidence matrix"),
        memory::matrix_bytes::<f64>(n, k).saturating_mul(4),
    )?;
    let am = maxmin(a, m, Execution::Auto);
    let mb = maxmin(m, b, Execution::Auto);
    let mstar = maxmin(am.view(), b, Execution::Auto);
    let forgotten = ndarray::Zip::from(&mstar)
        .and(&m)
        .map_collect(|&accumulated, &direct| compare::difference(accumulated, direct));

    let selected: Vec<(usize, usize)> = mstar
        .indexed_iter()
        .filter(|&((i, j), &value)| options.selects(value, m[(i, j)]))
        .map(|(cell, _)| cell)
        .collect();
    let search = |&(i, j): &(usize, usize)| {
        let target = mstar[(i, j)];
        let mut paths = Vec::new();
        let mut path_count = 0u64;
        for via_cause in 0..n {
            if a[(i, via_cause)] < target || mb[(via_cause, j)] < target {
                continue;
            }
            for via_effect in 0..b.nrows() {
                if m[(via_cause, via_effect)] >= target && b[(via_effect, j)] >= target {
                    path_count += 1;
                    if paths.len() < options.max_paths {
                        paths.push(ChainedPath {
                            via_cause,
                            via_effect,
                        });
                    }
                }
            }
        }
        ChainedEffect {
            cause: i,
            effect: j,
            direct: m[(i, j)],
            accumulated: target,
            forgotten: forgotten[(i, j)],
            paths,
            path_count,
        }
    };
    let work = selected.len() as u128 * n as u128 * b.nrows() as u128;
    let found = if Execution::Auto.is_parallel(work, PARALLEL_WORK) {
        selected.par_iter().map(search).collect()
    } else {
        selected.iter().map(search).collect()
    };
    Ok(ChainedAnalysis {
        accumulated: incidence.same_labels(mstar),
        forgotten,
        effects: found,
    })
}

/// Computes the forgotten effects of orders 2 to
/// [`ForgottenOptions::max_order`] of a complete graph with incidence
/// matrix `relation` (`T`), stopping early at the first order whose power
/// equals the one before, since no later order can add an effect.
///
/// The order-`k` incidence is the max-min power `T^k = T^(k-1) o T`. A cell
/// is an effect of order `k` when `T^k[i][j] - T^(k-1)[i][j]` passes the
/// threshold, decided exactly on the decimal values. Its paths are the walks
/// of exactly `k` edges from `i` to `j` whose weakest edge equals
/// `T^k[i][j]`. Such a walk never repeats a node: a repeat would give a
/// shorter walk as strong, so `T^(k-1)` would already reach the value.
///
/// # Errors
///
/// [`Error::NotSquare`] or [`Error::PropertyViolated`] when `relation` is
/// not square with every diagonal degree 1, and
/// [`Error::InvalidParameter`] for options out of range.
///
/// # Complexity
///
/// `O(max_order * n^3)` for the powers, plus a depth-first search per
/// selected effect that only enters nodes still able to reach the target.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::FuzzyRelation;
/// use fuzzy_affinity::forgotten::{ForgottenOptions, complete_forgotten_effects};
///
/// let t = FuzzyRelation::from_rows([
///     [1.0, 0.9, 0.0],
///     [0.0, 1.0, 0.8],
///     [0.0, 0.0, 1.0],
/// ])?;
/// let result = complete_forgotten_effects(&t, &ForgottenOptions::with_threshold(0.5))?;
/// let effect = &result.orders[0].effects[0];
/// assert_eq!((effect.from, effect.to, effect.accumulated), (0, 2, 0.8));
/// assert_eq!(effect.paths, vec![vec![0, 1, 2]]);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn complete_forgotten_effects(
    relation: &FuzzyRelation,
    options: &ForgottenOptions,
) -> Result<CompleteAnalysis> {
    options.check()?;
    require_unit_diagonal(
        relation,
        "complete-graph forgotten effects",
        "the incidence matrix",
    )?;
    complete_unchecked(relation, options, Execution::Auto)
}

/// The complete-graph analysis of a relation already known to be square
/// and reflexive, with checked options.
pub(crate) fn complete_unchecked(
    relation: &FuzzyRelation,
    options: &ForgottenOptions,
    execution: Execution,
) -> Result<CompleteAnalysis> {
    let n = relation.nrows();
    super::ensure_fits(
        || {
            format!(
                "{} max-min powers of a {n} x {n} relation",
                options.max_order.min(n + 1)
            )
        },
        // The powers stop changing by order n at the latest, where the loop
        // ends, so at most n + 1 of them are held.
        memory::matrix_bytes::<f64>(n, n).saturating_mul(options.max_order.min(n + 1) as u128),
    )?;
    let t = relation.view();
    let mut powers = vec![t.as_standard_layout().into_owned()];
    let mut transposed = vec![t.t().as_standard_layout().into_owned()];
    let mut orders = Vec::with_capacity(options.max_order.min(n + 1) - 1);
    for order in 2..=options.max_order {
        let next = maxmin(powers[order - 2].view(), t, execution);
        powers.push(next);
        let previous = &powers[order - 2];
        let current = &powers[order - 1];
        let selected: Vec<(usize, usize)> = current
            .indexed_iter()
            .filter(|&((i, j), &value)| options.selects(value, previous[(i, j)]))
            .map(|(cell, _)| cell)
            .collect();
        transposed.push(current.t().as_standard_layout().into_owned());
        let search = |&(from, to): &(usize, usize)| {
            let target = current[(from, to)];
            let mut walker = Walker::new(&powers[0], &transposed, (from, to), order, target);
            let mut paths = Vec::new();
            walker.collect(from, order, options.max_paths, &mut paths);
            // Below the limit the list is complete; at the limit, count the
            // rest without listing it.
            let path_count = if paths.len() < options.max_paths {
                paths.len() as u64
            } else {
                walker.count(from, order)
            };
            Effect {
                order,
                from,
                to,
                previous: previous[(from, to)],
                accumulated: target,
                forgotten: compare::difference(target, previous[(from, to)]),
                paths,
                path_count,
            }
        };
        let effects: Vec<Effect> =
            if execution.is_parallel(selected.len() as u128 * n as u128 * order as u128, 1 << 16) {
                selected.par_iter().map(search).collect()
            } else {
                selected.iter().map(search).collect()
            };
        let stop = effects.is_empty();
        orders.push(OrderEffects { order, effects });
        // Powers of a reflexive relation only grow. When one order adds
        // nothing, every later power is equal and has no effect, so the
        // analysis ends there.
        if stop && powers[order - 1] == powers[order - 2] {
            break;
        }
    }
    Ok(CompleteAnalysis {
        powers: powers
            .into_iter()
            .map(|power| relation.same_labels(power))
            .collect(),
        orders,
    })
}

/// Depth-first search over the walks of a fixed length whose edges all
/// reach a target degree.
struct Walker<'a> {
    n: usize,
    /// `T`, row-major.
    edges: &'a [f64],
    /// `columns[r]` is the transpose of `T^(r+1)`, row-major, so that the
    /// column `to` of every power is contiguous.
    columns: Vec<&'a [f64]>,
    to: usize,
    target: f64,
    /// Number of completing walks from (node, remaining edges), memoised
    /// for the states visited; a map, because most searches visit few.
    memo: HashMap<(usize, usize), u64>,
    stack: Vec<usize>,
}

impl<'a> Walker<'a> {
    fn new(
        edges: &'a Array2<f64>,
        transposed: &'a [Array2<f64>],
        (from, to): (usize, usize),
        order: usize,
        target: f64,
    ) -> Self {
        let contiguous = "powers are kept in standard layout";
        let mut stack = Vec::with_capacity(order + 1);
        stack.push(from);
        Self {
            n: edges.nrows(),
            edges: edges.as_slice().expect(contiguous),
            columns: transposed
                .iter()
                .map(|power| power.as_slice().expect(contiguous))
                .collect(),
            to,
            target,
            memo: HashMap::new(),
            stack,
        }
    }

    /// The nodes a walk at `node` with `remaining` edges left (at least 2)
    /// may step to and still reach the target, in increasing order.
    fn steps(&self, node: usize, remaining: usize) -> impl Iterator<Item = usize> + 'a {
        let n = self.n;
        let row = &self.edges[node * n..(node + 1) * n];
        let column = &self.columns[remaining - 2][self.to * n..(self.to + 1) * n];
        let target = self.target;
        (0..n).filter(move |&next| row[next] >= target && column[next] >= target)
    }

    fn count(&mut self, node: usize, remaining: usize) -> u64 {
        if remaining == 1 {
            return u64::from(self.edges[node * self.n + self.to] >= self.target);
        }
        if let Some(&known) = self.memo.get(&(node, remaining)) {
            return known;
        }
        let mut total = 0u64;
        for next in self.steps(node, remaining) {
            total = total.saturating_add(self.count(next, remaining - 1));
        }
        self.memo.insert((node, remaining), total);
        total
    }

    /// Lists the completing walks from `node` in lexicographic order, at
    /// most `limit` of them.
    fn collect(&mut self, node: usize, remaining: usize, limit: usize, out: &mut Vec<Vec<usize>>) {
        if remaining == 1 {
            if self.edges[node * self.n + self.to] >= self.target {
                self.stack.push(self.to);
                out.push(self.stack.clone());
                self.stack.pop();
            }
            return;
        }
        for next in self.steps(node, remaining) {
            if out.len() >= limit {
                return;
            }
            self.stack.push(next);
            self.collect(next, remaining - 1, limit, out);
            self.stack.pop();
        }
    }
}

/// Builds the complete graph `[[A, M], [0, B]]` of a chained bipartite
/// system: causes first, then effects.
///
/// Labels are kept when `A` has row labels and `B` has row labels; the
/// combined list must then be unique.
///
/// # Errors
///
/// As [`chained_forgotten_effects`] for the shapes and diagonals, and
/// [`Error::DuplicateLabel`] when a cause and an effect share a label.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::FuzzyRelation;
/// use fuzzy_affinity::forgotten::chained_graph;
///
/// let a = FuzzyRelation::identity(2)?;
/// let m = FuzzyRelation::from_rows([[0.4], [0.7]])?;
/// let b = FuzzyRelation::identity(1)?;
/// let t = chained_graph(&a, &m, &b)?;
/// assert_eq!(t.shape(), (3, 3));
/// assert_eq!(t.get(1, 2), Some(0.7));
/// assert_eq!(t.get(2, 0), Some(0.0));
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn chained_graph(
    causes: &FuzzyRelation,
    incidence: &FuzzyRelation,
    effects: &FuzzyRelation,
) -> Result<FuzzyRelation> {
    check_chain(causes, incidence, effects, "chained graph")?;
    let (n, m) = incidence.shape();
    super::ensure_fits(
        || format!("a chained graph of {n} causes and {m} effects"),
        memory::matrix_bytes::<f64>(n + m, n + m),
    )?;
    let mut values = Array2::<f64>::zeros((n + m, n + m));
    values.slice_mut(s![..n, ..n]).assign(&causes.view());
    values.slice_mut(s![..n, n..]).assign(&incidence.view());
    values.slice_mut(s![n.., n..]).assign(&effects.view());
    let graph = FuzzyRelation::new(values)?;
    match (causes.row_labels(), effects.row_labels()) {
        (Some(cause_labels), Some(effect_labels)) => {
            let labels: Vec<String> = cause_labels.iter().chain(effect_labels).cloned().collect();
            graph.with_labels(Some(labels.clone()), Some(labels))
        }
        _ => Ok(graph),
    }
}

/// Checks that `A`, `M`, `B` are reflexive and chain.
pub(crate) fn check_chain(
    causes: &FuzzyRelation,
    incidence: &FuzzyRelation,
    effects: &FuzzyRelation,
    operation: &'static str,
) -> Result<()> {
    require_unit_diagonal(causes, operation, "the causes-causes matrix A")?;
    require_unit_diagonal(effects, operation, "the effects-effects matrix B")?;
    if causes.ncols() != incidence.nrows() {
        return Err(Error::ShapeMismatch {
            operation,
            left: causes.shape(),
            right: incidence.shape(),
            requirement: "A (n x n) needs M with n rows",
        });
    }
    if incidence.ncols() != effects.nrows() {
        return Err(Error::ShapeMismatch {
            operation,
            left: incidence.shape(),
            right: effects.shape(),
            requirement: "M (n x m) needs B of shape m x m",
        });
    }
    Ok(())
}

/// The max-min product `(left o right)[i][j] = max_k min(left[i][k],
/// right[k][j])`, rows in parallel when large.
///
/// Small path-tracking analyses call this plain kernel; it selects input
/// values only, so its result is exact.
pub(crate) fn maxmin(
    left: ArrayView2<'_, f64>,
    right: ArrayView2<'_, f64>,
    execution: Execution,
) -> Array2<f64> {
    let (rows, inner) = left.dim();
    let cols = right.ncols();
    debug_assert_eq!(inner, right.nrows());
    let right = right.as_standard_layout();
    let mut out = Array2::<f64>::zeros((rows, cols));
    let fill_row = |(i, row): (usize, &mut [f64])| {
        for k in 0..inner {
            let lik = left[(i, k)];
            if lik == 0.0 {
                continue;
            }
            let rk = right.row(k);
            let rk = rk.as_slice().expect("standard layout rows are contiguous");
            for (cell, &rkj) in row.iter_mut().zip(rk) {
                // Select-style min and max with an unconditional store
                // compile to packed minpd and maxpd.
                let low = if lik < rkj { lik } else { rkj };
                *cell = if low > *cell { low } else { *cell };
            }
        }
    };
    if cols == 0 {
        return out;
    }
    let cells = out.as_slice_mut().expect("a fresh array is contiguous");
    let work = rows as u128 * inner as u128 * cols as u128;
    if execution.is_parallel(work, PARALLEL_WORK) {
        cells.par_chunks_mut(cols).enumerate().for_each(fill_row);
    } else {
        cells.chunks_mut(cols).enumerate().for_each(fill_row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_relation(n: usize) -> FuzzyRelation {
        let values = Array2::from_shape_fn((n, n), |(i, j)| {
            if i == j {
                1.0
            } else {
                ((i * 31 + j * 17) % 23) as f64 / 22.0
            }
        });
        FuzzyRelation::new(values).unwrap()
    }

    #[test]
    fn serial_and_parallel_agree() {
        let relation = sample_relation(90);
        let options = ForgottenOptions {
            threshold: 0.1,
            max_order: 3,
            ..ForgottenOptions::default()
        };
        let serial = complete_unchecked(&relation, &options, Execution::Serial).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let parallel = pool
            .install(|| complete_unchecked(&relation, &options, Execution::Parallel))
            .unwrap();
        assert!(serial.effects().count() > 0);
        assert_eq!(serial, parallel);
    }

    #[test]
    fn maxmin_matches_the_definition() {
        let relation = sample_relation(17);
        let t = relation.view();
        for execution in [Execution::Serial, Execution::Parallel] {
            let product = maxmin(t, t, execution);
            for ((i, j), &value) in product.indexed_iter() {
                let expected = (0..17)
                    .map(|k| t[(i, k)].min(t[(k, j)]))
                    .fold(0.0, f64::max);
                assert_eq!(value, expected, "cell ({i}, {j}) under {execution:?}");
            }
        }
    }
}
