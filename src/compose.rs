//! Max-min and sup-T composition of fuzzy relations.
//!
//! The max-min path runs on rank codes (see the `rank` module): each row of
//! the result is built as `out = max(out, min(a, S[j, ..]))` over the nonzero
//! degrees `a = R[i, j]` of the left row, taken in decreasing order of `a` in
//! chunks. Once every entry of `out` is at least the largest remaining `a`,
//! no remaining term can raise it, so the row is finished early. On random
//! dense inputs this skips most of the terms; on adversarial inputs it does
//! the full work of the triple loop plus an O(k) selection per chunk.

use ndarray::Array2;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::memory;
use crate::parallel::Execution;
use crate::rank::{Code, Codebook, Coding};
use crate::relation::FuzzyRelation;
use crate::tnorm::TNorm;

/// Min-max element operations (`r * k * c`) above which composition runs on
/// the rayon pool under [`Execution::Auto`].
///
/// The cut-off trades rayon's fork-join overhead against the second core.
/// The `maxmin-cutoff` group of `benches/compose.rs` on a 2-vCPU KVM guest
/// (busy with other builds) measured a 64 x 64 product at 137 us serial and
/// 192 us parallel, and a 128 x 128 one (2^21 operations) at 828 us serial
/// and 629 us parallel.
pub const COMPOSE_PARALLEL_CUTOFF: u128 = 1 << 21;

/// Rows of the result handed to one rayon task; they share each column tile
/// of the right operand while it is in cache.
const ROWS_PER_TASK: usize = 16;

/// Bytes of one row of a column tile: 1 KiB, so a tile of a right operand
/// with 1024 rows is 1 MiB and fits the L2 cache of current x86 cores.
const TILE_BYTES: usize = 1024;

/// Left-row terms taken per pruning round: the kernel applies this many of
/// the largest remaining degrees, then recomputes the row minimum.
const TERMS_PER_ROUND: usize = 32;

/// Most terms of a row sorted up front; rounds beyond them are found by
/// selection.
const SORTED_PREFIX: usize = 8 * TERMS_PER_ROUND;

impl FuzzyRelation {
    /// The max-min composition (R o S)(x, z) = max over y of min(R(x, y), S(y, z)).
    ///
    /// The result takes its row labels from `self` and its column labels
    /// from `other`. It is bit for bit the value of the definition: every
    /// entry is a degree of one of the operands, or 0.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when `self` has not as many columns as `other`
    /// has rows, [`Error::TooLarge`] when the result or the working memory
    /// (rank codes of both operands) would not fit.
    ///
    /// # Complexity
    ///
    /// O(r k c) time in the worst case for an r x k relation composed with a
    /// k x c one, often much less (the kernel stops a row once no remaining
    /// term can raise it); O(r k + k c + r c) extra space for the rank codes.
    /// Runs on the current rayon pool above [`COMPOSE_PARALLEL_CUTOFF`].
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::FuzzyRelation;
    ///
    /// let r = FuzzyRelation::from_rows([[0.2, 0.9], [1.0, 0.4]])?;
    /// let s = FuzzyRelation::from_rows([[0.7, 0.1, 0.5], [0.6, 0.8, 0.3]])?;
    /// let rs = r.compose(&s)?;
    /// assert_eq!(rs.shape(), (2, 3));
    /// // max(min(0.2, 0.7), min(0.9, 0.6)) = 0.6
    /// assert_eq!(rs.get(0, 0), Some(0.6));
    /// assert_eq!(rs.get(1, 2), Some(0.5));
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn compose(&self, other: &FuzzyRelation) -> Result<FuzzyRelation> {
        self.compose_with_execution(other, Execution::Auto)
    }

    /// The max-min composition, run as `execution` selects.
    ///
    /// Every [`Execution`] returns the same relation, bit for bit, whatever
    /// the number of threads; tests and benchmarks use this entry point to
    /// force the serial or the parallel path.
    ///
    /// # Errors
    ///
    /// As [`FuzzyRelation::compose`].
    ///
    /// # Complexity
    ///
    /// As [`FuzzyRelation::compose`].
    pub fn compose_with_execution(
        &self,
        other: &FuzzyRelation,
        execution: Execution,
    ) -> Result<FuzzyRelation> {
        let shape = prepare_product(self, other, "max-min composition")?;
        let Shape { rows, cols, .. } = shape;
        let values = match Coding::new(&[self.view(), other.view()])? {
            Coding::U8(book, codes) => compose_coded(&book, &codes, shape, execution),
            Coding::U16(book, codes) => compose_coded(&book, &codes, shape, execution),
            Coding::Degrees => {
                // Borrowed, not copied, when already in row-major order.
                let (left, right) = (self.view(), other.view());
                let (left, right) = (left.as_standard_layout(), right.as_standard_layout());
                let mut out = vec![0.0f64; rows * cols];
                compose_codes(
                    left.as_slice().expect("standard layout"),
                    right.as_slice().expect("standard layout"),
                    &mut out,
                    shape,
                    execution,
                );
                Array2::from_shape_vec((rows, cols), out).expect("one value per entry")
            }
        };
        Ok(chained_labels(self, other, values))
    }

    /// The sup-T composition (R o_T S)(x, z) = max over y of T(R(x, y), S(y, z)).
    ///
    /// With [`crate::Minimum`] this is the max-min composition, computed
    /// here on `f64` degrees by the plain definition; prefer
    /// [`FuzzyRelation::compose`], which returns the same values faster.
    /// Labels are taken as in [`FuzzyRelation::compose`].
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when the shapes do not chain,
    /// [`Error::TooLarge`] when the result would not fit, and
    /// [`Error::InvalidParameter`] naming `t` when it produced a value that
    /// is NaN or outside [0, 1] (so it is not a t-norm).
    ///
    /// # Complexity
    ///
    /// O(r k c) evaluations of `t`; terms whose left degree is 0 are skipped,
    /// because T(0, b) = 0 for every t-norm. Runs on the current rayon pool
    /// above [`COMPOSE_PARALLEL_CUTOFF`].
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::{FuzzyRelation, Product};
    ///
    /// let r = FuzzyRelation::from_rows([[0.5, 1.0]])?;
    /// let s = FuzzyRelation::from_rows([[0.8], [0.3]])?;
    /// let rs = r.compose_with(&s, Product)?;
    /// // max(0.5 * 0.8, 1.0 * 0.3) = 0.4
    /// assert!((rs.get(0, 0).unwrap() - 0.4).abs() < 1e-12);
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn compose_with<T: TNorm>(&self, other: &FuzzyRelation, t: T) -> Result<FuzzyRelation> {
        self.compose_with_tnorm_execution(other, t, Execution::Auto)
    }

    /// The sup-T composition, run as `execution` selects.
    ///
    /// # Errors
    ///
    /// As [`FuzzyRelation::compose_with`].
    ///
    /// # Complexity
    ///
    /// As [`FuzzyRelation::compose_with`].
    pub fn compose_with_tnorm_execution<T: TNorm>(
        &self,
        other: &FuzzyRelation,
        t: T,
        execution: Execution,
    ) -> Result<FuzzyRelation> {
        let Shape { rows, inner, cols } = prepare_product(self, other, "sup-T composition")?;
        let left = self.view();
        let right = other.view();
        let mut values = vec![0.0f64; rows * cols];
        let guard = crate::tnorm::OutputGuard::new();
        let fill_row = |(i, out): (usize, &mut [f64])| {
            for (j, &a) in left.row(i).iter().enumerate() {
                if a == 0.0 {
                    continue;
                }
                for (o, &b) in out.iter_mut().zip(right.row(j)) {
                    let v = t.apply(a, b);
                    if guard.admit(v) && v > *o {
                        *o = v;
                    }
                }
            }
        };
        let work = rows as u128 * inner as u128 * cols as u128;
        if execution.is_parallel(work, COMPOSE_PARALLEL_CUTOFF) {
            values.par_chunks_mut(cols).enumerate().for_each(fill_row);
        } else {
            values.chunks_mut(cols).enumerate().for_each(fill_row);
        }
        let values = Array2::from_shape_vec((rows, cols), values).expect("one value per entry");
        guard.finish(&t)?;
        Ok(chained_labels(self, other, values))
    }
}

/// Checks that `left` and `right` chain and that their product fits in
/// memory, and returns its dimensions.
fn prepare_product(
    left: &FuzzyRelation,
    right: &FuzzyRelation,
    operation: &'static str,
) -> Result<Shape> {
    check_chain(left, right, operation)?;
    let (rows, inner) = left.shape();
    let cols = right.ncols();
    memory::ensure_fits(
        || format!("the {rows} x {cols} composition"),
        memory::matrix_bytes::<f64>(rows, cols),
    )?;
    Ok(Shape { rows, inner, cols })
}

/// Dimensions of an r x k by k x c product.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub(crate) rows: usize,
    pub(crate) inner: usize,
    pub(crate) cols: usize,
}

impl Shape {
    fn work(self) -> u128 {
        self.rows as u128 * self.inner as u128 * self.cols as u128
    }
}

fn check_chain(left: &FuzzyRelation, right: &FuzzyRelation, operation: &'static str) -> Result<()> {
    if left.ncols() == right.nrows() {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            operation,
            left: left.shape(),
            right: right.shape(),
            requirement: "the left relation needs as many columns as the right one has rows",
        })
    }
}

fn chained_labels(
    left: &FuzzyRelation,
    right: &FuzzyRelation,
    values: Array2<f64>,
) -> FuzzyRelation {
    FuzzyRelation::from_valid_labelled(
        values,
        left.row_labels().map(<[String]>::to_vec),
        right.col_labels().map(<[String]>::to_vec),
    )
}

fn compose_coded<C: Code + Into<usize>>(
    book: &Codebook,
    codes: &[Vec<C>],
    shape: Shape,
    execution: Execution,
) -> Array2<f64> {
    let mut out = vec![C::default(); shape.rows * shape.cols];
    compose_codes(&codes[0], &codes[1], &mut out, shape, execution);
    book.decode(&out, shape.rows, shape.cols)
}

/// Writes the max-min composition of the row-major codes `a` (rows x inner)
/// and `b` (inner x cols) into `out` (rows x cols), which must hold zeros.
pub(crate) fn compose_codes<C: Code>(
    a: &[C],
    b: &[C],
    out: &mut [C],
    shape: Shape,
    execution: Execution,
) {
    let Shape { inner, cols, .. } = shape;
    debug_assert_eq!(a.len(), shape.rows * inner);
    debug_assert_eq!(b.len(), inner * cols);
    debug_assert_eq!(out.len(), shape.rows * cols);
    if cols == 0 || inner == 0 {
        return;
    }
    let run_block = |row_terms: &mut Vec<RowTerms<C>>, (block, out_rows): (usize, &mut [C])| {
        let first = block * ROWS_PER_TASK * inner;
        let a_rows = &a[first..first + out_rows.len() / cols * inner];
        compose_block(a_rows, b, cols, out_rows, row_terms);
    };
    if execution.is_parallel(shape.work(), COMPOSE_PARALLEL_CUTOFF) {
        out.par_chunks_mut(ROWS_PER_TASK * cols)
            .enumerate()
            .for_each_init(Vec::new, run_block);
    } else {
        let mut row_terms = Vec::new();
        for item in out.chunks_mut(ROWS_PER_TASK * cols).enumerate() {
            run_block(&mut row_terms, item);
        }
    }
}

/// The nonzero terms (a, y) of one left row, arranged on demand into rounds
/// of [`TERMS_PER_ROUND`]: every degree of a round is at least every degree
/// of the later rounds.
#[derive(Debug, Default)]
struct RowTerms<C> {
    terms: Vec<(C, u32)>,
    /// End offset in `terms` and largest degree of each arranged round.
    rounds: Vec<(usize, C)>,
}

impl<C: Code> RowTerms<C> {
    fn reset(&mut self, row: &[C]) {
        collect_terms(row, &mut self.terms);
        self.rounds.clear();
    }

    /// The term range and largest degree of round `index`, arranging the
    /// rounds up to it first; `None` when the terms run out before it.
    #[inline]
    fn round(&mut self, index: usize) -> Option<(usize, usize, C)> {
        if self.rounds.is_empty() && !self.terms.is_empty() {
            self.sort_prefix();
        }
        while self.rounds.len() <= index {
            let start = self.rounds.last().map_or(0, |r| r.0);
            if start == self.terms.len() {
                return None;
            }
            let rest = &mut self.terms[start..];
            let take = TERMS_PER_ROUND.min(rest.len());
            if take < rest.len() {
                rest.select_nth_unstable_by(take - 1, |x, y| y.0.order(&x.0));
            }
            let largest = rest[..take].iter().fold(C::default(), |m, t| m.max_of(t.0));
            self.rounds.push((start + take, largest));
        }
        let start = if index == 0 {
            0
        } else {
            self.rounds[index - 1].0
        };
        let (end, largest) = self.rounds[index];
        Some((start, end, largest))
    }
}

impl<C: Code> RowTerms<C> {
    /// Arranges the first rounds at once: one selection puts the largest
    /// terms first (a quarter of them, between one round and
    /// [`SORTED_PREFIX`]), and a sort orders them, which costs less than a
    /// selection per round over all the terms.
    fn sort_prefix(&mut self) {
        let prefix = (self.terms.len() / 4)
            .clamp(TERMS_PER_ROUND, SORTED_PREFIX)
            .min(self.terms.len());
        if prefix < self.terms.len() {
            self.terms
                .select_nth_unstable_by(prefix - 1, |x, y| y.0.order(&x.0));
        }
        self.terms[..prefix].sort_unstable_by(|x, y| y.0.order(&x.0));
        for start in (0..prefix).step_by(TERMS_PER_ROUND) {
            let end = (start + TERMS_PER_ROUND).min(prefix);
            self.rounds.push((end, self.terms[start].0));
        }
    }
}

/// Composes a block of left rows `a_rows` with `b` into `out_rows`, one
/// column tile at a time so the tile of `b` stays in cache across the rows.
///
/// Each (row, tile) pair takes the rounds of its row in order and stops once
/// the largest degree of the next round is at most the tile's minimum:
/// min(a, _) <= a cannot raise any entry then. The rounds are arranged once
/// per row and shared by its tiles.
fn compose_block<C: Code>(
    a_rows: &[C],
    b: &[C],
    cols: usize,
    out_rows: &mut [C],
    row_terms: &mut Vec<RowTerms<C>>,
) {
    let rows = out_rows.len() / cols;
    let inner = a_rows.len() / rows;
    if row_terms.len() < rows {
        row_terms.resize_with(rows, RowTerms::default);
    }
    for (r, terms) in row_terms[..rows].iter_mut().enumerate() {
        terms.reset(&a_rows[r * inner..(r + 1) * inner]);
    }
    let tile = (TILE_BYTES / std::mem::size_of::<C>()).max(1);
    for start in (0..cols).step_by(tile) {
        let end = (start + tile).min(cols);
        for (r, terms) in row_terms[..rows].iter_mut().enumerate() {
            let out = &mut out_rows[r * cols + start..r * cols + end];
            apply_rounds(terms, b, cols, start, out);
        }
    }
}

#[inline]
fn apply_rounds<C: Code>(
    terms: &mut RowTerms<C>,
    b: &[C],
    cols: usize,
    start: usize,
    out: &mut [C],
) {
    let width = out.len();
    let row_of = |y: u32| &b[y as usize * cols + start..][..width];
    let mut floor = minimum(out);
    let mut index = 0;
    let mut live = [(C::default(), 0u32); TERMS_PER_ROUND];
    while let Some((first, end, largest)) = terms.round(index) {
        if largest <= floor {
            break;
        }
        let mut count = 0;
        for &term in &terms.terms[first..end] {
            if term.0 > floor {
                live[count] = term;
                count += 1;
            }
        }
        apply_each(&live[..count], row_of, out);
        floor = minimum(out);
        index += 1;
    }
}

/// Raises `out` by every term (a, y), four terms per pass over `out`;
/// `row_of(y)` is the part of row y of the right operand under `out`.
#[inline]
fn apply_each<'b, C: Code>(terms: &[(C, u32)], row_of: impl Fn(u32) -> &'b [C], out: &mut [C]) {
    let mut quads = terms.chunks_exact(4);
    for quad in &mut quads {
        let rows = [
            row_of(quad[0].1),
            row_of(quad[1].1),
            row_of(quad[2].1),
            row_of(quad[3].1),
        ];
        max_min_into4(out, rows, [quad[0].0, quad[1].0, quad[2].0, quad[3].0]);
    }
    for &(a, y) in quads.remainder() {
        max_min_into(out, row_of(y), a);
    }
}

/// Replaces `terms` with the nonzero degrees of `row` and their indexes.
/// Zero terms contribute min(0, _) = 0, which can never raise an entry.
pub(crate) fn collect_terms<C: Code>(row: &[C], terms: &mut Vec<(C, u32)>) {
    terms.clear();
    terms.extend(
        row.iter()
            .enumerate()
            .filter(|(_, a)| !a.is_zero())
            .map(|(y, &a)| (a, y as u32)),
    );
}

/// Raises `out[z]` to max over the terms (a, y) of min(a, b[y, z]).
///
/// The terms are taken in decreasing order of `a`, [`TERMS_PER_ROUND`] at a
/// time, and dropped once `a` is at most the minimum of `out`, because such a
/// term cannot raise any entry. `terms` is consumed.
pub(crate) fn apply_terms<C: Code>(terms: &mut Vec<(C, u32)>, b: &[C], cols: usize, out: &mut [C]) {
    let mut floor = minimum(out);
    loop {
        terms.retain(|&(a, _)| a > floor);
        if terms.is_empty() {
            break;
        }
        let take = TERMS_PER_ROUND.min(terms.len());
        if take < terms.len() {
            terms.select_nth_unstable_by(take - 1, |x, y| y.0.order(&x.0));
        }
        let row_of = |y: u32| &b[y as usize * cols..(y as usize + 1) * cols];
        apply_each(&terms[..take], row_of, out);
        terms.drain(..take);
        floor = minimum(out);
    }
}

/// `out[z] = max(out[z], min(a, row[z]))`; the loop the compiler vectorises.
#[inline]
pub(crate) fn max_min_into<C: Code>(out: &mut [C], row: &[C], a: C) {
    for (o, &x) in out.iter_mut().zip(row) {
        *o = o.max_of(x.min_of(a));
    }
}

/// Four [`max_min_into`] steps fused so `out` is loaded and stored once.
#[inline]
fn max_min_into4<C: Code>(out: &mut [C], rows: [&[C]; 4], a: [C; 4]) {
    let n = out.len();
    let (r0, r1, r2, r3) = (&rows[0][..n], &rows[1][..n], &rows[2][..n], &rows[3][..n]);
    for z in 0..n {
        let m01 = r0[z].min_of(a[0]).max_of(r1[z].min_of(a[1]));
        let m23 = r2[z].min_of(a[2]).max_of(r3[z].min_of(a[3]));
        out[z] = out[z].max_of(m01.max_of(m23));
    }
}

/// The smallest value of `values`, or zero when empty; sixteen running
/// minima so the loop vectorises for `f64` as well.
#[inline]
pub(crate) fn minimum<C: Code>(values: &[C]) -> C {
    let Some(&first) = values.first() else {
        return C::default();
    };
    let mut lanes = [first; 16];
    let mut chunks = values.chunks_exact(16);
    for chunk in &mut chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = lane.min_of(v);
        }
    }
    let rest = chunks.remainder().iter().copied().fold(first, C::min_of);
    lanes.into_iter().fold(rest, C::min_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(a: &[u8], b: &[u8], shape: Shape) -> Vec<u8> {
        let mut out = vec![0; shape.rows * shape.cols];
        for i in 0..shape.rows {
            for y in 0..shape.inner {
                for z in 0..shape.cols {
                    let v = a[i * shape.inner + y].min(b[y * shape.cols + z]);
                    out[i * shape.cols + z] = out[i * shape.cols + z].max(v);
                }
            }
        }
        out
    }

    #[test]
    fn code_kernel_matches_triple_loop() {
        let shape = Shape {
            rows: 19,
            inner: 70,
            cols: 13,
        };
        let mut state = 7u32;
        let mut next = || {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            ((state >> 16) % 11) as u8
        };
        let a: Vec<u8> = (0..shape.rows * shape.inner).map(|_| next()).collect();
        let b: Vec<u8> = (0..shape.inner * shape.cols).map(|_| next()).collect();
        let expected = plain(&a, &b, shape);
        for execution in [Execution::Serial, Execution::Parallel] {
            let mut out = vec![0; shape.rows * shape.cols];
            compose_codes(&a, &b, &mut out, shape, execution);
            assert_eq!(out, expected, "{execution:?}");
        }
    }

    #[test]
    fn shapes_must_chain() {
        let r = FuzzyRelation::zeros(2, 3).unwrap();
        let err = r.compose(&r).unwrap_err();
        assert!(matches!(
            err,
            Error::ShapeMismatch {
                left: (2, 3),
                right: (2, 3),
                ..
            }
        ));
        assert!(r.compose_with(&r, crate::Product).is_err());
    }
}
