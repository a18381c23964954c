//! Transitive closures: max-min (R+), sup-T, and the similarity closure of
//! a proximity relation.
//!
//! Four max-min algorithms compute the same relation:
//!
//! - [`ClosureAlgorithm::Naive`] squares until nothing changes,
//!   R := R or (R o R), at most about log2(n) + 1 compositions.
//! - [`ClosureAlgorithm::FloydWarshall`] runs the (max, min) form of
//!   Floyd-Warshall on rank codes, one block of pivot rows at a time.
//! - [`ClosureAlgorithm::SpanningTree`] handles symmetric input in O(n^2):
//!   the closure value of two elements is the bottleneck (smallest edge) on
//!   the path joining them in a maximum spanning tree.
//! - [`ClosureAlgorithm::SortedEdges`] inserts edges in decreasing degree
//!   into bitset reachability rows and stops once every pair is connected.

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compose::{Shape, apply_terms, collect_terms, compose_codes, max_min_into};
use crate::error::Result;
use crate::memory;
use crate::parallel::Execution;
use crate::rank::{Code, Coding};
use crate::relation::FuzzyRelation;
use crate::sorted_edges;
use crate::spanning_tree::{
    is_proximity, is_symmetric, symmetric_closure, symmetric_closure_in_place,
};
use crate::tnorm::TNorm;

/// Elements (n^2) above which the spanning-tree route fills the result on
/// the rayon pool under [`Execution::Auto`]; the same cut-off applies to the
/// per-pivot row updates of the sup-T closure and to the symmetry check.
///
/// The cut-off trades rayon's fork-join overhead against the second core.
/// The `fill-cutoff` group of `benches/closure.rs` on a 2-vCPU KVM guest
/// (busy with other builds) measured serial and parallel within 5% of each
/// other from 128 x 128 to 512 x 512, so the split starts at 256 x 256
/// (2^16 entries), where it no longer costs anything measurable.
pub const FILL_PARALLEL_CUTOFF: u128 = 1 << 16;

/// Pivot rows per block of the blocked Floyd-Warshall: the block's rows
/// (64 x n codes, 512 KiB of `u32` at n = 2048) stay in the L2 cache while
/// every other row is updated from them.
const PIVOT_BLOCK: usize = 64;

/// How [`FuzzyRelation::transitive_closure_using`] computes the max-min
/// transitive closure. Every choice returns the same relation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClosureAlgorithm {
    /// Squaring until a fixpoint: R := R or (R o R). O(n^3 log n); the
    /// reference the other algorithms are tested against.
    Naive,
    /// Floyd-Warshall in (max, min) on rank codes, blocked over pivot rows,
    /// parallel over the rows outside the pivot block. O(n^3) in the worst
    /// case; rows whose minimum already reaches a pivot degree skip it.
    FloydWarshall,
    /// Maximum spanning tree (Prim, O(n^2)) and bottleneck values along it
    /// (O(n^2)). Needs a proximity (reflexive and symmetric) relation.
    SpanningTree,
    /// Edges inserted in decreasing degree into bitset reachability rows:
    /// each pair takes the degree of the edge that first connects it, and
    /// the insertions stop once every pair is connected. O(n^3 / 64) word
    /// operations in the worst case; on dense inputs the pairs are all
    /// connected after O(n log n) edges, so the cost is close to O(n^2).
    /// Runs on one thread apart from collecting and sorting the edges.
    SortedEdges,
    /// The spanning-tree route for symmetric input (reflexive or not: the
    /// diagonal of the closure is then the row maximum), sorted edges
    /// otherwise.
    #[default]
    Auto,
}

impl FuzzyRelation {
    /// The max-min transitive closure R+ = R or R^2 or R^3 ..., the smallest
    /// max-min transitive relation containing R.
    ///
    /// The diagonal is not forced to 1; see
    /// [`FuzzyRelation::similarity_closure`] for the reflexive, symmetric and
    /// transitive closure. Labels are kept. The algorithm is
    /// [`ClosureAlgorithm::Auto`].
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotSquare`] for a non-square relation and
    /// [`crate::Error::TooLarge`] when the working memory would not fit.
    ///
    /// # Complexity
    ///
    /// O(n^2) time for symmetric input; otherwise O(n^3 / 64) word operations
    /// in the worst case and close to O(n^2) on dense inputs (see
    /// [`ClosureAlgorithm::SortedEdges`]); O(n^2) extra space.
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::FuzzyRelation;
    ///
    /// let r = FuzzyRelation::from_rows([[0.0, 0.8, 0.0], [0.0, 0.0, 0.6], [0.0, 0.0, 0.0]])?;
    /// let closure = r.transitive_closure()?;
    /// assert_eq!(closure.get(0, 2), Some(0.6)); // min(0.8, 0.6) through element 1
    /// assert!(closure.is_transitive());
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn transitive_closure(&self) -> Result<FuzzyRelation> {
        self.transitive_closure_using(ClosureAlgorithm::Auto, Execution::Auto)
    }

    /// The max-min transitive closure computed by `algorithm`, run as
    /// `execution` selects.
    ///
    /// Every algorithm and every [`Execution`] returns the same relation, bit
    /// for bit, whatever the number of threads.
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotSquare`] for a non-square relation,
    /// [`crate::Error::PropertyViolated`] when
    /// [`ClosureAlgorithm::SpanningTree`] is given a relation that is not
    /// reflexive and symmetric, and [`crate::Error::TooLarge`] when the
    /// working memory would not fit.
    ///
    /// # Complexity
    ///
    /// As listed on each [`ClosureAlgorithm`].
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::{ClosureAlgorithm, Execution, FuzzyRelation};
    ///
    /// let r = FuzzyRelation::from_rows([[1.0, 0.3, 0.9], [0.3, 1.0, 0.5], [0.9, 0.5, 1.0]])?;
    /// let tree = r.transitive_closure_using(ClosureAlgorithm::SpanningTree, Execution::Serial)?;
    /// let naive = r.transitive_closure_using(ClosureAlgorithm::Naive, Execution::Serial)?;
    /// assert_eq!(tree, naive);
    /// assert_eq!(tree.get(0, 1), Some(0.5)); // 0 -> 2 -> 1
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn transitive_closure_using(
        &self,
        algorithm: ClosureAlgorithm,
        execution: Execution,
    ) -> Result<FuzzyRelation> {
        self.require_square("transitive closure")?;
        let n = self.nrows();
        memory::ensure_fits(
            || format!("the transitive closure of a {n} x {n} relation"),
            memory::matrix_bytes::<f64>(n, n),
        )?;
        let values = match algorithm {
            ClosureAlgorithm::Naive => closure_on_codes(self, execution, CodeKernel::Squaring)?,
            ClosureAlgorithm::FloydWarshall => {
                closure_on_codes(self, execution, CodeKernel::FloydWarshall)?
            }
            ClosureAlgorithm::SpanningTree => {
                if !is_proximity(self.view()) {
                    self.require_proximity("spanning-tree transitive closure")?;
                }
                symmetric_closure(self.view(), execution)
            }
            ClosureAlgorithm::SortedEdges => sorted_edges::closure(self.view())?,
            ClosureAlgorithm::Auto => {
                if is_symmetric(self.view()) {
                    symmetric_closure(self.view(), execution)
                } else {
                    sorted_edges::closure(self.view())?
                }
            }
        };
        Ok(self.same_labels(values))
    }

    /// The max-min transitive closure R+, consuming the relation.
    ///
    /// The result equals [`FuzzyRelation::transitive_closure`]. For a
    /// symmetric relation it is computed in the relation's own buffer by the
    /// spanning-tree route, so no second n x n matrix is allocated: at
    /// n = 8192 that saves 512 MiB, and at every size it saves the page
    /// faults of a fresh buffer, which are most of the cost of the O(n^2)
    /// route. Other relations take the allocating route.
    ///
    /// # Errors
    ///
    /// As [`FuzzyRelation::transitive_closure`].
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::FuzzyRelation;
    ///
    /// let r = FuzzyRelation::from_rows([[1.0, 0.8, 0.1], [0.8, 1.0, 0.5], [0.1, 0.5, 1.0]])?;
    /// let expected = r.transitive_closure()?;
    /// assert_eq!(r.into_transitive_closure()?, expected);
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn into_transitive_closure(self) -> Result<FuzzyRelation> {
        self.require_square("transitive closure")?;
        if !is_symmetric(self.view()) {
            return self.transitive_closure();
        }
        let (row_labels, col_labels) = (
            self.row_labels().map(<[String]>::to_vec),
            self.col_labels().map(<[String]>::to_vec),
        );
        let mut values = self.into_array();
        symmetric_closure_in_place(&mut values, Execution::Auto);
        Ok(FuzzyRelation::from_valid_labelled(
            values, row_labels, col_labels,
        ))
    }

    /// The sup-T transitive closure: the smallest relation containing R that
    /// is T-transitive, T(R(x, y), R(y, z)) <= R(x, z).
    ///
    /// Computed by Floyd-Warshall in the semiring ([0, 1], max, T): for each
    /// pivot k, R(i, j) := max(R(i, j), T(R(i, k), R(k, j))). This is exact
    /// for every t-norm. The closure is the supremum, over the walks from x to
    /// z of length one or more, of the T-product of their degrees. Because
    /// T(a, b) <= min(a, b) and T is monotone, cutting a cycle out of a walk
    /// never lowers its T-product, so simple paths (and simple cycles for
    /// x = z) suffice. Floyd-Warshall's invariant, that after pivots
    /// 0..k every entry is at least the best path whose inner elements lie in
    /// 0..k, then carries over unchanged from shortest paths, since it uses
    /// only associativity and monotonicity of T and max. The row and column
    /// of the current pivot do not change during its step (T(a, b) <= b), so
    /// the update runs in place. Naessens, De Meyer and De Baets,
    /// "Algorithms for the computation of T-transitive closures", IEEE
    /// Transactions on Fuzzy Systems 10(4), 2002, give the same algorithm.
    ///
    /// Results for [`crate::Product`] and [`crate::Lukasiewicz`] may differ
    /// from squaring by rounding in the last bits, because the products are
    /// associated in another order; [`crate::Minimum`] is exact. Labels are
    /// kept.
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotSquare`] for a non-square relation,
    /// [`crate::Error::TooLarge`] when the result would not fit, and
    /// [`crate::Error::InvalidParameter`] naming `t` when it produced a value
    /// that is NaN or outside [0, 1] (so it is not a t-norm).
    ///
    /// # Complexity
    ///
    /// O(n^3) evaluations of `t` in the worst case (pivot terms of degree 0
    /// are skipped); O(n^2) space for the result.
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::{FuzzyRelation, Product};
    ///
    /// let r = FuzzyRelation::from_rows([[0.0, 0.5, 0.0], [0.0, 0.0, 0.5], [0.0, 0.0, 0.0]])?;
    /// let closure = r.transitive_closure_with(Product)?;
    /// assert_eq!(closure.get(0, 2), Some(0.25));
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn transitive_closure_with<T: TNorm>(&self, t: T) -> Result<FuzzyRelation> {
        self.require_square("sup-T transitive closure")?;
        let n = self.nrows();
        memory::ensure_fits(
            || format!("the sup-T transitive closure of a {n} x {n} relation"),
            memory::matrix_bytes::<f64>(n, n).saturating_add(memory::bytes_for(n as u128, 8)),
        )?;
        let mut values = self.view().as_standard_layout().into_owned();
        let parallel = Execution::Auto.is_parallel((n * n) as u128, FILL_PARALLEL_CUTOFF);
        let mut pivot_row = vec![0.0; n];
        let guard = crate::tnorm::OutputGuard::new();
        let slice = values.as_slice_mut().expect("standard layout");
        for k in 0..n {
            pivot_row.copy_from_slice(&slice[k * n..(k + 1) * n]);
            let update = |row: &mut [f64]| {
                let a = row[k];
                if a == 0.0 {
                    return;
                }
                for (r, &b) in row.iter_mut().zip(&pivot_row) {
                    let v = t.apply(a, b);
                    if guard.admit(v) && v > *r {
                        *r = v;
                    }
                }
            };
            if parallel {
                slice.par_chunks_mut(n).for_each(update);
            } else {
                slice.chunks_mut(n).for_each(update);
            }
        }
        guard.finish(&t)?;
        Ok(self.same_labels(values))
    }

    /// The similarity closure: the smallest similarity relation (reflexive,
    /// symmetric and max-min transitive) containing R.
    ///
    /// It is the transitive closure of the proximity relation
    /// max(R(i, j), R(j, i)) with every diagonal degree set to 1, computed by
    /// the spanning-tree route. For a proximity relation it equals
    /// [`FuzzyRelation::transitive_closure`]. Labels are kept.
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotSquare`] for a non-square relation and
    /// [`crate::Error::TooLarge`] when the result would not fit.
    ///
    /// # Complexity
    ///
    /// O(n^2) time and space.
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::FuzzyRelation;
    ///
    /// let r = FuzzyRelation::from_rows([[0.2, 0.7, 0.0], [0.0, 0.5, 0.4], [0.0, 0.0, 0.9]])?;
    /// let s = r.similarity_closure()?;
    /// assert!(s.is_similarity());
    /// assert_eq!(s.get(2, 0), Some(0.4)); // 2 -> 1 at 0.4, 1 -> 0 at 0.7
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn similarity_closure(&self) -> Result<FuzzyRelation> {
        self.require_square("similarity closure")?;
        let n = self.nrows();
        memory::ensure_fits(
            || format!("the similarity closure of a {n} x {n} relation"),
            memory::matrix_bytes::<f64>(n, n).saturating_mul(2),
        )?;
        let proximity = self.symmetric_closure()?.reflexive_closure()?;
        let values = symmetric_closure(proximity.view(), Execution::Auto);
        Ok(self.same_labels(values))
    }
}

/// The max-min closure kernels that run on rank codes. Closures only
/// select degrees already present, so one codebook serves.
#[derive(Debug, Clone, Copy)]
enum CodeKernel {
    Squaring,
    FloydWarshall,
}

fn closure_on_codes(
    relation: &FuzzyRelation,
    execution: Execution,
    kernel: CodeKernel,
) -> Result<Array2<f64>> {
    let n = relation.nrows();
    memory::ensure_fits(
        || format!("the working copies of a {n} x {n} relation"),
        memory::matrix_bytes::<f64>(n, n).saturating_mul(2),
    )?;
    Ok(match Coding::new(&[relation.view()])? {
        Coding::U8(book, mut codes) => {
            kernel.run(&mut codes[0], n, execution);
            book.decode(&codes[0], n, n)
        }
        Coding::U16(book, mut codes) => {
            kernel.run(&mut codes[0], n, execution);
            book.decode(&codes[0], n, n)
        }
        Coding::Degrees => {
            let mut values: Vec<f64> = relation.view().iter().copied().collect();
            kernel.run(&mut values, n, execution);
            Array2::from_shape_vec((n, n), values).expect("one value per entry")
        }
    })
}

impl CodeKernel {
    fn run<C: Code>(self, codes: &mut Vec<C>, n: usize, execution: Execution) {
        match self {
            CodeKernel::Squaring => square_to_fixpoint(codes, n, execution),
            CodeKernel::FloydWarshall => floyd_warshall(codes, n, execution),
        }
    }
}

/// R := max(R, R o R) until R stops changing.
fn square_to_fixpoint<C: Code>(r: &mut Vec<C>, n: usize, execution: Execution) {
    let shape = Shape {
        rows: n,
        inner: n,
        cols: n,
    };
    let mut square = vec![C::default(); n * n];
    loop {
        square.fill(C::default());
        compose_codes(r, r, &mut square, shape, execution);
        let mut changed = false;
        for (s, &v) in square.iter_mut().zip(r.iter()) {
            if *s > v {
                changed = true;
            } else {
                *s = v;
            }
        }
        std::mem::swap(r, &mut square);
        if !changed {
            return;
        }
    }
}

/// Max-min Floyd-Warshall in place on row-major codes, one block of
/// [`PIVOT_BLOCK`] pivots at a time.
///
/// For a block K, the rows in K first run plain Floyd-Warshall over the
/// pivots in K, which leaves each such row at least the best path whose
/// inner elements lie in the pivots done so far. Every other row i then
/// takes max over k in K of min(R(i, k), R(k, j)) with R(i, k) read before
/// the block: on a best path from i, the first element of K is reached
/// through earlier pivots only, and the rest of the path is already in row
/// k. So after the block every row covers paths through all pivots so far,
/// and every value written is the value of some path; the result is the
/// closure whatever order rows run in.
fn floyd_warshall<C: Code>(r: &mut [C], n: usize, execution: Execution) {
    let parallel =
        execution.is_parallel((n as u128).pow(3), crate::compose::COMPOSE_PARALLEL_CUTOFF);
    let mut start = 0;
    while start < n {
        let end = (start + PIVOT_BLOCK).min(n);
        close_pivot_rows(r, n, start, end);
        let (before, rest) = r.split_at_mut(start * n);
        let (pivots, after) = rest.split_at_mut((end - start) * n);
        let pivots: &[C] = pivots;
        let update = |row: &mut [C], terms: &mut Vec<(C, u32)>| {
            collect_terms(&row[start..end], terms);
            apply_terms(terms, pivots, n, row);
        };
        if parallel {
            before
                .par_chunks_mut(n)
                .chain(after.par_chunks_mut(n))
                .for_each_init(Vec::new, |terms, row| update(row, terms));
        } else {
            let mut terms = Vec::new();
            for row in before.chunks_mut(n).chain(after.chunks_mut(n)) {
                update(row, &mut terms);
            }
        }
        start = end;
    }
}

/// Plain Floyd-Warshall over the pivots `start..end`, applied to the rows
/// `start..end` only.
fn close_pivot_rows<C: Code>(r: &mut [C], n: usize, start: usize, end: usize) {
    let mut pivot_row = vec![C::default(); n];
    for k in start..end {
        pivot_row.copy_from_slice(&r[k * n..(k + 1) * n]);
        for i in start..end {
            let row = &mut r[i * n..(i + 1) * n];
            let a = row[k];
            if i != k && !a.is_zero() {
                max_min_into(row, &pivot_row, a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn non_square_is_rejected() {
        let r = FuzzyRelation::zeros(2, 3).unwrap();
        for algorithm in [
            ClosureAlgorithm::Naive,
            ClosureAlgorithm::FloydWarshall,
            ClosureAlgorithm::SpanningTree,
            ClosureAlgorithm::SortedEdges,
            ClosureAlgorithm::Auto,
        ] {
            let err = r
                .transitive_closure_using(algorithm, Execution::Serial)
                .unwrap_err();
            assert!(matches!(
                err,
                Error::NotSquare {
                    rows: 2,
                    cols: 3,
                    ..
                }
            ));
        }
        assert!(r.transitive_closure_with(crate::Product).is_err());
        assert!(r.similarity_closure().is_err());
    }

    #[test]
    fn spanning_tree_needs_proximity() {
        let r = FuzzyRelation::from_rows([[1.0, 0.2], [0.3, 1.0]]).unwrap();
        let err = r
            .transitive_closure_using(ClosureAlgorithm::SpanningTree, Execution::Serial)
            .unwrap_err();
        assert!(matches!(
            err,
            Error::PropertyViolated {
                property: "symmetric",
                ..
            }
        ));
        let r = FuzzyRelation::from_rows([[0.9, 0.2], [0.2, 1.0]]).unwrap();
        let err = r
            .transitive_closure_using(ClosureAlgorithm::SpanningTree, Execution::Serial)
            .unwrap_err();
        assert!(matches!(
            err,
            Error::PropertyViolated {
                property: "reflexive",
                ..
            }
        ));
    }

    #[test]
    fn symmetric_non_reflexive_diagonal_is_row_maximum() {
        let r =
            FuzzyRelation::from_rows([[0.1, 0.6, 0.0], [0.6, 0.0, 0.3], [0.0, 0.3, 0.2]]).unwrap();
        let auto = r.transitive_closure().unwrap();
        let naive = r
            .transitive_closure_using(ClosureAlgorithm::Naive, Execution::Serial)
            .unwrap();
        assert_eq!(auto, naive);
        assert_eq!(auto.get(2, 2), Some(0.3));
    }
}
