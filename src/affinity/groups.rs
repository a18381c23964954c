//! [`affinity_groups`] and its result type.

use std::sync::atomic::{AtomicBool, AtomicUsize};

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::cbo::{Found, Search};
use super::lattice::{GaloisLattice, LatticeData};
use super::mask::{MASK_WIDTHS, Mask};
use super::store::Store;
use super::{AffinityOptions, Threshold};
use crate::bitset::{BitSetRef, WORD_BITS, words_for};
use crate::crisp::CrispRelation;
use crate::error::{Error, Result};
use crate::relation::{FuzzyRelation, check_column_thresholds};

/// Cells of the alpha-cut (rows x columns) from which
/// [`Execution::Auto`] runs the enumeration on the rayon pool. Below it the
/// whole search takes well under a millisecond and task start-up dominates.
const PARALLEL_MIN_CELLS: u128 = 1 << 16;

/// Enumerates the affinity groups of `relation` at `threshold`: every pair
/// (A, B) of a row set and a column set with R(a, b) >= alpha(b) for all a
/// in A and b in B (`>` with [`AffinityOptions::strict`]), maximal on both
/// sides. These are the formal concepts of the alpha-cut. They are found by
/// a Close-by-One enumeration (Kuznetsov, 1999) whose children are computed
/// LCM-style from the row lists, as docs/algorithms.md details.
///
/// Groups come sorted by their column sets compared as sorted index lists,
/// lexicographically with a proper prefix first; within one cut a column
/// set belongs to one group only, so this is a total order. The order and
/// the content are the same for every thread count.
///
/// # Errors
///
/// - [`Error::InvalidThreshold`] when an alpha is NaN or outside [0, 1],
///   [`Error::ThresholdCount`] when a per-column threshold list does not
///   have one entry per column.
/// - [`Error::LimitExceeded`] when there are more than
///   [`AffinityOptions::max_groups`] groups.
/// - [`Error::InvalidParameter`] when the relation has more than 1024 rows
///   and more than 1024 columns, a size at which the number of groups is
///   out of reach anyway.
/// - [`Error::TooLarge`] when the groups do not fit in memory.
///
/// # Complexity
///
/// O(g m n) time in the worst case and O(g + s) extra space, for g groups,
/// n rows, m columns and s the total number of rows over all groups; a
/// node of the search costs one pass over its rows per candidate column
/// they hold. Computing the cover edges adds about the cost of the search.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::{affinity_groups, AffinityOptions, FuzzyRelation};
///
/// let r = FuzzyRelation::from_rows([
///     [0.9, 0.8, 0.1],
///     [0.8, 0.9, 0.3],
///     [0.2, 0.7, 1.0],
/// ])?
/// .with_row_labels(["ana", "ben", "eva"])?
/// .with_col_labels(["price", "speed", "advice"])?;
///
/// let groups = affinity_groups(&r, 0.7, &AffinityOptions::default())?;
/// let found: Vec<(Vec<&str>, Vec<&str>)> = groups
///     .iter()
///     .map(|g| (g.row_labels().unwrap(), g.col_labels().unwrap()))
///     .collect();
/// assert_eq!(
///     found,
///     vec![
///         (vec!["ana", "ben"], vec!["price", "speed"]),
///         (vec!["ana", "ben", "eva"], vec!["speed"]),
///         (vec!["eva"], vec!["speed", "advice"]),
///     ]
/// );
/// assert_eq!(groups.get(0).unwrap().level(), 0.8);
/// assert_eq!(groups.get(1).unwrap().level(), 0.7);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn affinity_groups(
    relation: &FuzzyRelation,
    threshold: impl Into<Threshold>,
    options: &AffinityOptions,
) -> Result<AffinityGroups> {
    let cut = cut_for(relation, &threshold.into(), options.strict)?;
    let store = enumerate(&cut, options)?;
    let lattice = if options.build_lattice {
        Some(LatticeData::build(&store, &cut, options.execution)?)
    } else {
        None
    };
    Ok(AffinityGroups::assemble(relation, store, lattice))
}

/// The crisp relation a threshold selects.
pub(crate) fn cut_for(
    relation: &FuzzyRelation,
    threshold: &Threshold,
    strict: bool,
) -> Result<CrispRelation> {
    match (threshold, strict) {
        (Threshold::Uniform(alpha), false) => relation.alpha_cut(*alpha),
        (Threshold::Uniform(alpha), true) => relation.strict_alpha_cut(*alpha),
        (Threshold::PerColumn(alphas), false) => relation.alpha_cut_per_column(alphas),
        (Threshold::PerColumn(alphas), true) => {
            check_column_thresholds(alphas, relation.ncols())?;
            let (rows, cols) = relation.shape();
            let mut cut = CrispRelation::with_shape(rows, cols);
            for ((row, col), &value) in relation.view().indexed_iter() {
                if value > alphas[col] {
                    cut.insert(row, col);
                }
            }
            cut.with_labels(
                relation.row_labels().map(<[String]>::to_vec),
                relation.col_labels().map(<[String]>::to_vec),
            )
        }
    }
}

/// Largest number of columns (or rows, on the transpose) the kernels take.
const MAX_ATTRIBUTES: usize = WORD_BITS * MASK_WIDTHS[MASK_WIDTHS.len() - 1];

/// Enumerates the concepts of `cut` under `options`, sorted.
pub(crate) fn enumerate(cut: &CrispRelation, options: &AffinityOptions) -> Result<Store> {
    let (rows, cols) = cut.shape();
    if cols <= MAX_ATTRIBUTES {
        return dispatch(cut, false, cols, options);
    }
    if rows <= MAX_ATTRIBUTES {
        return dispatch(&cut.transpose(), true, cols, options);
    }
    Err(Error::InvalidParameter {
        name: "relation shape",
        value: format!("{rows} x {cols}"),
        expected: format!(
            "at most {MAX_ATTRIBUTES} rows or at most {MAX_ATTRIBUTES} columns for affinity groups"
        ),
    })
}

fn dispatch(
    cut: &CrispRelation,
    transposed: bool,
    cols: usize,
    options: &AffinityOptions,
) -> Result<Store> {
    match words_for(cut.ncols()) {
        0 | 1 => enumerate_with::<1>(cut, transposed, cols, options),
        2 => enumerate_with::<2>(cut, transposed, cols, options),
        3 | 4 => enumerate_with::<4>(cut, transposed, cols, options),
        5..=8 => enumerate_with::<8>(cut, transposed, cols, options),
        _ => enumerate_with::<16>(cut, transposed, cols, options),
    }
}

/// Runs the search on `cut` with its rows as objects. When `transposed`,
/// `cut` is the transpose of the relation the caller cut, which has `cols`
/// columns.
fn enumerate_with<const N: usize>(
    cut: &CrispRelation,
    transposed: bool,
    cols: usize,
    options: &AffinityOptions,
) -> Result<Store> {
    let (objects, attributes) = cut.shape();
    let stride = words_for(attributes);
    let masks: Vec<Mask<N>> = if stride == 0 {
        vec![Mask::EMPTY; objects]
    } else {
        cut.row_words()
            .chunks(stride)
            .map(Mask::from_words)
            .collect()
    };
    let (min_objects, min_attributes) = if transposed {
        (options.min_cols, options.min_rows)
    } else {
        (options.min_rows, options.min_cols)
    };
    let work = objects as u128 * attributes as u128;
    let search = Search {
        rows: &masks,
        cols: attributes,
        min_rows: min_objects,
        min_cols: min_attributes,
        // One more than the cap, for a top element that is dropped below.
        limit: options.max_groups.map(|m| m.saturating_add(1)),
        parallel: options.execution.is_parallel(work, PARALLEL_MIN_CELLS),
        reported: AtomicUsize::new(0),
        stopped: AtomicBool::new(false),
    };
    let limit_error = || Error::LimitExceeded {
        what: "affinity groups",
        limit: options.max_groups.unwrap_or(usize::MAX),
    };
    let mut found = search.run().map_err(|_| limit_error())?;

    let skip_top = keep_top_bottom(
        &mut found,
        &masks,
        attributes,
        min_objects,
        min_attributes,
        options,
    );
    let reported = found.len() - usize::from(skip_top);
    if options.max_groups.is_some_and(|max| reported > max) {
        return Err(limit_error());
    }
    if transposed {
        Store::from_found_transposed(found, cols, skip_top)
    } else {
        Store::from_found(found, cols, skip_top)
    }
}

/// Adds the bottom with an empty extent when `include_top_bottom` asks for
/// it, and returns whether the first concept, the top, must be dropped
/// because its intent is empty and `include_top_bottom` is off.
fn keep_top_bottom<const N: usize>(
    found: &mut Found<N>,
    masks: &[Mask<N>],
    attributes: usize,
    min_objects: usize,
    min_attributes: usize,
    options: &AffinityOptions,
) -> bool {
    let full = Mask::full(attributes);
    if options.include_top_bottom {
        let bottom_is_empty = !masks.contains(&full);
        if bottom_is_empty && min_objects == 0 && attributes >= min_attributes {
            found.push(full, &[]);
        }
        false
    } else {
        // The search reports the top first.
        found.intents.first().is_some_and(|m| m.is_empty())
    }
}

/// The affinity groups of a relation, stored compactly: column sets as
/// bit sets in one arena, row sets as sorted `u32` index slices in another.
///
/// [`AffinityGroups::iter`] yields borrowed [`AffinityGroup`] views in the
/// documented order of [`affinity_groups`].
///
/// Serialized as `{"shape": [rows, cols], "row_labels", "col_labels",
/// "groups": [{"rows", "cols", "level", "mean"}, ...], "cover_edges"}`,
/// labels and cover edges being `null` when absent.
#[derive(Clone, Debug, PartialEq)]
pub struct AffinityGroups {
    pub(crate) store: Store,
    pub(crate) rows: usize,
    /// The membership degrees, column-major, for levels and means.
    pub(crate) by_col: Vec<f64>,
    pub(crate) row_labels: Option<Vec<String>>,
    pub(crate) col_labels: Option<Vec<String>>,
    pub(crate) lattice: Option<LatticeData>,
}

impl AffinityGroups {
    pub(crate) fn assemble(
        relation: &FuzzyRelation,
        store: Store,
        lattice: Option<LatticeData>,
    ) -> Self {
        Self {
            store,
            rows: relation.nrows(),
            by_col: relation.view().t().iter().copied().collect(),
            row_labels: relation.row_labels().map(<[String]>::to_vec),
            col_labels: relation.col_labels().map(<[String]>::to_vec),
            lattice,
        }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether there is no group.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Shape (rows, columns) of the relation the groups come from.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.store.cols)
    }

    /// Group `index`, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<AffinityGroup<'_>> {
        (index < self.len()).then_some(AffinityGroup {
            groups: self,
            index,
        })
    }

    /// Iterates over the groups in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = AffinityGroup<'_>> + '_ {
        (0..self.len()).map(|index| AffinityGroup {
            groups: self,
            index,
        })
    }

    /// Index of the group whose column set is `cols` (any order), if any.
    ///
    /// # Complexity
    ///
    /// O(m log g) for g groups and m columns, by binary search.
    pub fn position_of_cols(&self, cols: &[usize]) -> Option<usize> {
        let mut words = vec![0u64; self.store.col_words];
        for &col in cols {
            if col >= self.store.cols {
                return None;
            }
            crate::bitset::insert(&mut words, col);
        }
        self.store.position_of_intent(&words)
    }

    /// The row labels of the relation, if it has them.
    pub fn row_labels(&self) -> Option<&[String]> {
        self.row_labels.as_deref()
    }

    /// The column labels of the relation, if it has them.
    pub fn col_labels(&self) -> Option<&[String]> {
        self.col_labels.as_deref()
    }

    /// The Galois lattice, when [`AffinityOptions::build_lattice`] asked
    /// for it.
    pub fn lattice(&self) -> Option<GaloisLattice<'_>> {
        self.lattice
            .as_ref()
            .map(|data| GaloisLattice { groups: self, data })
    }
}

impl<'a> IntoIterator for &'a AffinityGroups {
    type Item = AffinityGroup<'a>;
    type IntoIter = Box<dyn ExactSizeIterator<Item = AffinityGroup<'a>> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// One affinity group, borrowed from [`AffinityGroups`].
#[derive(Clone, Copy)]
pub struct AffinityGroup<'a> {
    groups: &'a AffinityGroups,
    index: usize,
}

impl<'a> AffinityGroup<'a> {
    /// Position of the group in its collection.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The rows (extent), sorted.
    pub fn rows(&self) -> &'a [u32] {
        self.groups.store.extent(self.index)
    }

    /// The columns (intent) as a bit set.
    pub fn col_set(&self) -> BitSetRef<'a> {
        BitSetRef::new(self.groups.store.intent(self.index), self.groups.store.cols)
    }

    /// The columns (intent), sorted.
    pub fn cols(&self) -> Vec<usize> {
        self.col_set().to_vec()
    }

    /// The row labels, when the relation has them.
    pub fn row_labels(&self) -> Option<Vec<&'a str>> {
        let labels = self.groups.row_labels.as_deref()?;
        Some(
            self.rows()
                .iter()
                .map(|&r| labels[r as usize].as_str())
                .collect(),
        )
    }

    /// The column labels, when the relation has them.
    pub fn col_labels(&self) -> Option<Vec<&'a str>> {
        let labels = self.groups.col_labels.as_deref()?;
        Some(self.col_set().ones().map(|c| labels[c].as_str()).collect())
    }

    /// The smallest membership degree inside A x B: the largest uniform
    /// alpha at which A x B lies inside the alpha-cut. 1 when a side is
    /// empty (only for a top or bottom element).
    ///
    /// # Complexity
    ///
    /// O(|A| |B|): computed from the fuzzy relation on each call, so that
    /// enumerating millions of groups does not pay for degrees the caller never
    /// reads.
    pub fn level(&self) -> f64 {
        self.level_and_mean().0
    }

    /// The mean membership degree inside A x B; 1 when a side is empty.
    ///
    /// # Complexity
    ///
    /// O(|A| |B|), computed on each call as [`level`](Self::level) is.
    pub fn mean(&self) -> f64 {
        self.level_and_mean().1
    }

    /// The [`level`](Self::level) and [`mean`](Self::mean) in one pass.
    pub fn level_and_mean(&self) -> (f64, f64) {
        let store = &self.groups.store;
        degree_stats(
            &self.groups.by_col,
            self.groups.rows,
            self.rows(),
            store.intent(self.index),
        )
    }
}

impl std::fmt::Debug for AffinityGroup<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AffinityGroup")
            .field("rows", &self.rows())
            .field("cols", &self.cols())
            .field("level", &self.level())
            .field("mean", &self.mean())
            .finish()
    }
}

impl Serialize for AffinityGroup<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let labelled = self.groups.row_labels.is_some() || self.groups.col_labels.is_some();
        let mut state =
            serializer.serialize_struct("AffinityGroup", if labelled { 6 } else { 4 })?;
        state.serialize_field("rows", self.rows())?;
        state.serialize_field("cols", &self.cols())?;
        if labelled {
            state.serialize_field("row_labels", &self.row_labels())?;
            state.serialize_field("col_labels", &self.col_labels())?;
        }
        let (level, mean) = self.level_and_mean();
        state.serialize_field("level", &level)?;
        state.serialize_field("mean", &mean)?;
        state.end()
    }
}

/// Serializes the groups as a sequence.
pub(crate) struct GroupList<'a>(pub(crate) &'a AffinityGroups);

impl Serialize for GroupList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter())
    }
}

impl Serialize for AffinityGroups {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("AffinityGroups", 5)?;
        state.serialize_field("shape", &self.shape())?;
        state.serialize_field("row_labels", &self.row_labels)?;
        state.serialize_field("col_labels", &self.col_labels)?;
        state.serialize_field("groups", &GroupList(self))?;
        state.serialize_field("cover_edges", &self.lattice.as_ref().map(|l| &l.covers))?;
        state.end()
    }
}

/// The smallest and the mean degree inside `extent` x `intent`, read column
/// by column from the column-major degrees `by_col` of a relation with
/// `rows` rows, so the sorted rows are read in increasing address order.
fn degree_stats(by_col: &[f64], rows: usize, extent: &[u32], intent: &[u64]) -> (f64, f64) {
    let mut min = [1.0f64; 4];
    let mut sum = [0.0f64; 4];
    let mut cols = 0;
    for col in crate::bitset::Ones::new(intent) {
        let column = &by_col[col * rows..][..rows];
        // Four independent accumulators keep the min and add chains short.
        let mut chunks = extent.chunks_exact(4);
        for chunk in &mut chunks {
            for (lane, &row) in chunk.iter().enumerate() {
                let v = column[row as usize];
                min[lane] = min[lane].min(v);
                sum[lane] += v;
            }
        }
        for &row in chunks.remainder() {
            let v = column[row as usize];
            min[0] = min[0].min(v);
            sum[0] += v;
        }
        cols += 1;
    }
    let count = extent.len() * cols;
    let level = min.iter().copied().fold(1.0, f64::min);
    let total = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    let mean = if count == 0 {
        1.0
    } else {
        total / count as f64
    };
    (level, mean)
}
