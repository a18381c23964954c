//! Crisp (boolean) relations stored as bit sets, such as alpha-cuts.

use ndarray::Array2;

use crate::bitset::{self, BitSetRef, words_for};
use crate::error::{Axis, Error, Result};
use crate::memory;
use crate::relation::collect_labels;

/// A boolean relation between `rows` and `cols` elements, bit-packed twice:
/// each row as a bit set over the columns and each column as a bit set over
/// the rows, so both [`row`](Self::row) and [`column`](Self::column) are
/// borrowed slices with no copying.
///
/// The two copies cost 2 * rows * cols / 8 bytes, which for the relations
/// this crate handles (up to millions of cells) is small next to the `f64`
/// matrix they are cut from.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::FuzzyRelation;
///
/// let r = FuzzyRelation::from_rows([[0.9, 0.2, 0.8], [0.1, 0.8, 0.7]])?;
/// let cut = r.alpha_cut(0.7)?;
/// assert_eq!(cut.row(0).to_vec(), vec![0, 2]);
/// assert_eq!(cut.column(2).to_vec(), vec![0, 1]);
/// assert_eq!(cut.count_ones(), 4);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CrispRelation {
    rows: usize,
    cols: usize,
    /// Row-major bits: row `i` is `row_bits[i * row_words..][..row_words]`.
    row_bits: Vec<u64>,
    /// Column-major bits: column `j` is `col_bits[j * col_words..][..col_words]`.
    col_bits: Vec<u64>,
    row_labels: Option<Vec<String>>,
    col_labels: Option<Vec<String>>,
}

impl CrispRelation {
    /// Creates a relation with no pairs. A side may be 0.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] when the two bit arenas would not fit in memory.
    pub fn empty(rows: usize, cols: usize) -> Result<Self> {
        let words =
            (rows as u128) * (words_for(cols) as u128) + (cols as u128) * (words_for(rows) as u128);
        memory::ensure_fits(
            || format!("a {rows} x {cols} crisp relation"),
            memory::bytes_for(words, std::mem::size_of::<u64>()),
        )?;
        Ok(Self::with_shape(rows, cols))
    }

    /// Creates a relation with no pairs, for a shape whose cells already
    /// exist in memory (an alpha-cut of an existing relation), so the bits,
    /// at most a 32nd of the cells' `f64` bytes, fit too.
    pub(crate) fn with_shape(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            row_bits: vec![0; rows * words_for(cols)],
            col_bits: vec![0; cols * words_for(rows)],
            row_labels: None,
            col_labels: None,
        }
    }

    /// Creates a relation from a boolean matrix.
    pub fn from_array(matrix: &Array2<bool>) -> Self {
        let (rows, cols) = matrix.dim();
        let mut relation = Self::with_shape(rows, cols);
        for ((row, col), &value) in matrix.indexed_iter() {
            if value {
                relation.insert(row, col);
            }
        }
        relation
    }

    /// Creates a relation from nested rows of booleans.
    ///
    /// # Errors
    ///
    /// [`Error::RaggedRows`] when the rows differ in length.
    pub fn from_rows<R: AsRef<[bool]>>(rows: impl IntoIterator<Item = R>) -> Result<Self> {
        let rows: Vec<R> = rows.into_iter().collect();
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut relation = Self::with_shape(rows.len(), cols);
        for (row, values) in rows.iter().enumerate() {
            let values = values.as_ref();
            if values.len() != cols {
                return Err(Error::RaggedRows {
                    row,
                    expected: cols,
                    found: values.len(),
                });
            }
            for (col, &value) in values.iter().enumerate() {
                if value {
                    relation.insert(row, col);
                }
            }
        }
        Ok(relation)
    }

    /// Sets the row and column labels.
    ///
    /// # Errors
    ///
    /// [`Error::LabelCount`] or [`Error::DuplicateLabel`].
    pub fn with_labels(
        mut self,
        row_labels: Option<Vec<String>>,
        col_labels: Option<Vec<String>>,
    ) -> Result<Self> {
        self.row_labels = row_labels
            .map(|l| collect_labels(l, Axis::Row, self.rows))
            .transpose()?;
        self.col_labels = col_labels
            .map(|l| collect_labels(l, Axis::Column, self.cols))
            .transpose()?;
        Ok(self)
    }

    pub(crate) fn with_labels_unchecked(
        mut self,
        row_labels: Option<Vec<String>>,
        col_labels: Option<Vec<String>>,
    ) -> Self {
        self.row_labels = row_labels;
        self.col_labels = col_labels;
        self
    }

    /// Adds the pair (`row`, `col`).
    ///
    /// # Panics
    ///
    /// Panics if an index is out of bounds.
    #[track_caller]
    pub fn insert(&mut self, row: usize, col: usize) {
        assert!(
            row < self.rows && col < self.cols,
            "pair ({row}, {col}) out of bounds for a {} x {} relation",
            self.rows,
            self.cols
        );
        let row_words = words_for(self.cols);
        let col_words = words_for(self.rows);
        bitset::insert(&mut self.row_bits[row * row_words..][..row_words], col);
        bitset::insert(&mut self.col_bits[col * col_words..][..col_words], row);
    }

    /// Shape as (rows, columns).
    #[inline]
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Number of rows.
    #[inline]
    pub fn nrows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    #[inline]
    pub fn ncols(&self) -> usize {
        self.cols
    }

    /// Whether (`row`, `col`) is in the relation; false out of bounds.
    #[inline]
    pub fn contains(&self, row: usize, col: usize) -> bool {
        row < self.rows && col < self.cols && self.row(row).contains(col)
    }

    /// Row `row` as a bit set over the columns.
    ///
    /// # Panics
    ///
    /// Panics if `row` is out of bounds.
    #[inline]
    #[track_caller]
    pub fn row(&self, row: usize) -> BitSetRef<'_> {
        assert!(
            row < self.rows,
            "row {row} out of bounds for {} rows",
            self.rows
        );
        let words = words_for(self.cols);
        BitSetRef::new(&self.row_bits[row * words..][..words], self.cols)
    }

    /// Column `col` as a bit set over the rows.
    ///
    /// # Panics
    ///
    /// Panics if `col` is out of bounds.
    #[inline]
    #[track_caller]
    pub fn column(&self, col: usize) -> BitSetRef<'_> {
        assert!(
            col < self.cols,
            "column {col} out of bounds for {} columns",
            self.cols
        );
        let words = words_for(self.rows);
        BitSetRef::new(&self.col_bits[col * words..][..words], self.rows)
    }

    /// All rows in one row-major word slice; each row takes
    /// `ncols().div_ceil(64)` words.
    pub fn row_words(&self) -> &[u64] {
        &self.row_bits
    }

    /// All columns in one column-major word slice; each column takes
    /// `nrows().div_ceil(64)` words.
    pub fn column_words(&self) -> &[u64] {
        &self.col_bits
    }

    /// Number of pairs in the relation.
    pub fn count_ones(&self) -> usize {
        bitset::count_ones(&self.row_bits)
    }

    /// Share of pairs among all rows x cols pairs; 0 for an empty shape.
    pub fn density(&self) -> f64 {
        let cells = self.rows * self.cols;
        if cells == 0 {
            0.0
        } else {
            self.count_ones() as f64 / cells as f64
        }
    }

    /// The inverse relation, with rows and columns swapped.
    pub fn transpose(&self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            row_bits: self.col_bits.clone(),
            col_bits: self.row_bits.clone(),
            row_labels: self.col_labels.clone(),
            col_labels: self.row_labels.clone(),
        }
    }

    /// The relation as a boolean matrix.
    pub fn to_array(&self) -> Array2<bool> {
        Array2::from_shape_fn((self.rows, self.cols), |(r, c)| self.contains(r, c))
    }

    /// The row labels, if set.
    pub fn row_labels(&self) -> Option<&[String]> {
        self.row_labels.as_deref()
    }

    /// The column labels, if set.
    pub fn col_labels(&self) -> Option<&[String]> {
        self.col_labels.as_deref()
    }
}

impl std::fmt::Debug for CrispRelation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: Vec<_> = (0..self.rows).map(|r| self.row(r)).collect();
        f.debug_struct("CrispRelation")
            .field("shape", &(self.rows, self.cols))
            .field("rows", &rows)
            .field("row_labels", &self.row_labels)
            .field("col_labels", &self.col_labels)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_agree() {
        let mut r = CrispRelation::empty(70, 3).unwrap();
        r.insert(0, 2);
        r.insert(69, 2);
        r.insert(65, 0);
        assert_eq!(r.column(2).to_vec(), vec![0, 69]);
        assert_eq!(r.row(65).to_vec(), vec![0]);
        assert_eq!(r.count_ones(), 3);
        let t = r.transpose();
        assert_eq!(t.shape(), (3, 70));
        assert_eq!(t.row(2).to_vec(), vec![0, 69]);
        assert_eq!(CrispRelation::from_array(&r.to_array()), r);
    }

    #[test]
    fn empty_rejects_sizes_beyond_memory() {
        let err = CrispRelation::empty(1 << 31, 1 << 31).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
        assert!(CrispRelation::empty(usize::MAX, usize::MAX).is_err());
        assert_eq!(CrispRelation::empty(0, 5).unwrap().shape(), (0, 5));
    }

    #[test]
    fn from_rows_rejects_ragged_input() {
        let err = CrispRelation::from_rows([vec![true, false], vec![true]]).unwrap_err();
        assert!(matches!(err, Error::RaggedRows { row: 1, .. }));
    }

    #[test]
    fn out_of_bounds_lookups_are_false() {
        let r = CrispRelation::from_rows([[true]]).unwrap();
        assert!(r.contains(0, 0));
        assert!(!r.contains(1, 0));
        assert!(!r.contains(0, 1));
    }
}
