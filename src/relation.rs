//! The validated fuzzy relation type, its alpha-cuts, set operations and
//! property checks.

use ndarray::{Array2, ArrayView2, Zip};

use crate::crisp::CrispRelation;
use crate::error::{Axis, Error, Result, check_alpha};
use crate::memory;

/// A fuzzy relation: a matrix of membership degrees in [0, 1] with optional
/// row and column labels.
///
/// Every constructor validates, so a `FuzzyRelation` always holds at least
/// one row and one column, only finite degrees inside [0, 1] (`-0.0` is
/// stored as `0.0`), and, when labels are present, exactly one unique label
/// per row or column. Row and column labels may coincide, as they do for a
/// square relation between expectations.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::FuzzyRelation;
///
/// let r = FuzzyRelation::from_rows(vec![vec![1.0, 0.7], vec![0.2, 0.9]])?
///     .with_row_labels(["ana", "ben"])?
///     .with_col_labels(["price", "speed"])?;
/// assert_eq!(r.shape(), (2, 2));
/// assert_eq!(r.get(0, 1), Some(0.7));
/// assert_eq!(r.row_label(1), Some("ben"));
/// let cut = r.alpha_cut(0.7)?;
/// assert!(cut.contains(0, 1));
/// assert!(!cut.contains(1, 0));
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyRelation {
    values: Array2<f64>,
    row_labels: Option<Vec<String>>,
    col_labels: Option<Vec<String>>,
}

impl FuzzyRelation {
    /// Creates a relation from a matrix of membership degrees.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyRelation`] when the matrix has no rows or no columns and
    /// [`Error::InvalidDegree`] for the first entry (in row-major order) that
    /// is NaN, infinite or outside [0, 1].
    pub fn new(mut values: Array2<f64>) -> Result<Self> {
        let (rows, cols) = values.dim();
        if rows == 0 || cols == 0 {
            return Err(Error::EmptyRelation { rows, cols });
        }
        for ((row, col), value) in values.indexed_iter_mut() {
            if !(0.0..=1.0).contains(value) {
                return Err(Error::InvalidDegree {
                    row,
                    col,
                    value: *value,
                });
            }
            // Store -0.0 as 0.0 so that equal degrees are equal bit for bit.
            *value += 0.0;
        }
        Ok(Self {
            values,
            row_labels: None,
            col_labels: None,
        })
    }

    /// Creates a relation from nested rows.
    ///
    /// # Errors
    ///
    /// [`Error::RaggedRows`] when the rows differ in length, and the errors of
    /// [`FuzzyRelation::new`].
    pub fn from_rows<R: AsRef<[f64]>>(rows: impl IntoIterator<Item = R>) -> Result<Self> {
        let mut data = Vec::new();
        let mut expected = None;
        let mut count = 0;
        for (index, row) in rows.into_iter().enumerate() {
            let row = row.as_ref();
            match expected {
                None => expected = Some(row.len()),
                Some(len) if len != row.len() => {
                    return Err(Error::RaggedRows {
                        row: index,
                        expected: len,
                        found: row.len(),
                    });
                }
                Some(_) => {}
            }
            data.extend_from_slice(row);
            count += 1;
        }
        let cols = expected.unwrap_or(0);
        let values = Array2::from_shape_vec((count, cols), data)
            .expect("row lengths were checked to be equal");
        Self::new(values)
    }

    /// Creates a `rows` x `cols` relation with every degree 0.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyRelation`] when a side is 0 and [`Error::TooLarge`] when
    /// the matrix would not fit in memory.
    pub fn zeros(rows: usize, cols: usize) -> Result<Self> {
        Self::filled(rows, cols, 0.0)
    }

    /// Creates the `n` x `n` identity relation (1 on the diagonal, 0 elsewhere).
    ///
    /// # Errors
    ///
    /// As [`FuzzyRelation::zeros`].
    pub fn identity(n: usize) -> Result<Self> {
        let mut relation = Self::zeros(n, n)?;
        relation.values.diag_mut().fill(1.0);
        Ok(relation)
    }

    fn filled(rows: usize, cols: usize, value: f64) -> Result<Self> {
        if rows == 0 || cols == 0 {
            return Err(Error::EmptyRelation { rows, cols });
        }
        memory::ensure_fits(
            || format!("a {rows} x {cols} fuzzy relation"),
            memory::matrix_bytes::<f64>(rows, cols),
        )?;
        Ok(Self::from_valid(Array2::from_elem((rows, cols), value)))
    }

    /// Wraps a matrix that is known to hold valid degrees.
    pub(crate) fn from_valid(values: Array2<f64>) -> Self {
        debug_assert!(values.nrows() > 0 && values.ncols() > 0);
        debug_assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
        Self {
            values,
            row_labels: None,
            col_labels: None,
        }
    }

    /// Sets the row labels.
    ///
    /// # Errors
    ///
    /// [`Error::LabelCount`] when the count differs from the number of rows,
    /// [`Error::DuplicateLabel`] when a label repeats.
    pub fn with_row_labels<S: Into<String>>(
        mut self,
        labels: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        let labels = collect_labels(labels, Axis::Row, self.nrows())?;
        self.row_labels = Some(labels);
        Ok(self)
    }

    /// Sets the column labels.
    ///
    /// # Errors
    ///
    /// As [`FuzzyRelation::with_row_labels`], for columns.
    pub fn with_col_labels<S: Into<String>>(
        mut self,
        labels: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        let labels = collect_labels(labels, Axis::Column, self.ncols())?;
        self.col_labels = Some(labels);
        Ok(self)
    }

    /// Sets or clears both label lists at once.
    ///
    /// # Errors
    ///
    /// As [`FuzzyRelation::with_row_labels`].
    pub fn with_labels(
        mut self,
        row_labels: Option<Vec<String>>,
        col_labels: Option<Vec<String>>,
    ) -> Result<Self> {
        self.row_labels = row_labels
            .map(|l| collect_labels(l, Axis::Row, self.nrows()))
            .transpose()?;
        self.col_labels = col_labels
            .map(|l| collect_labels(l, Axis::Column, self.ncols()))
            .transpose()?;
        Ok(self)
    }

    /// Shape as (rows, columns).
    #[inline]
    pub fn shape(&self) -> (usize, usize) {
        self.values.dim()
    }

    /// Number of rows.
    #[inline]
    pub fn nrows(&self) -> usize {
        self.values.nrows()
    }

    /// Number of columns.
    #[inline]
    pub fn ncols(&self) -> usize {
        self.values.ncols()
    }

    /// Whether the relation has as many rows as columns.
    #[inline]
    pub fn is_square(&self) -> bool {
        self.nrows() == self.ncols()
    }

    /// The membership degree at (`row`, `col`), or `None` out of bounds.
    #[inline]
    pub fn get(&self, row: usize, col: usize) -> Option<f64> {
        self.values.get((row, col)).copied()
    }

    /// A read-only view of the degrees.
    #[inline]
    pub fn view(&self) -> ArrayView2<'_, f64> {
        self.values.view()
    }

    /// The degrees, consuming the relation.
    pub fn into_array(self) -> Array2<f64> {
        self.values
    }

    /// The row labels, if set.
    pub fn row_labels(&self) -> Option<&[String]> {
        self.row_labels.as_deref()
    }

    /// The column labels, if set.
    pub fn col_labels(&self) -> Option<&[String]> {
        self.col_labels.as_deref()
    }

    /// The label of row `row`, if labels are set and the index is in bounds.
    pub fn row_label(&self, row: usize) -> Option<&str> {
        self.row_labels.as_ref()?.get(row).map(String::as_str)
    }

    /// The label of column `col`, if labels are set and the index is in bounds.
    pub fn col_label(&self, col: usize) -> Option<&str> {
        self.col_labels.as_ref()?.get(col).map(String::as_str)
    }

    /// The name of row `row` in messages and reports: its label, or `row {row}`.
    pub(crate) fn row_name(&self, row: usize) -> String {
        self.row_label(row)
            .map_or_else(|| format!("row {row}"), str::to_owned)
    }

    /// The name of column `col` in messages and reports: its label, or `column {col}`.
    #[allow(dead_code)]
    pub(crate) fn col_name(&self, col: usize) -> String {
        self.col_label(col)
            .map_or_else(|| format!("column {col}"), str::to_owned)
    }

    /// Copies this relation's labels onto `values`, which has the same shape.
    pub(crate) fn same_labels(&self, values: Array2<f64>) -> Self {
        debug_assert_eq!(values.dim(), self.shape());
        Self {
            values,
            row_labels: self.row_labels.clone(),
            col_labels: self.col_labels.clone(),
        }
    }

    /// Builds a relation from valid values with the given labels, which are
    /// known to match the shape.
    pub(crate) fn from_valid_labelled(
        values: Array2<f64>,
        row_labels: Option<Vec<String>>,
        col_labels: Option<Vec<String>>,
    ) -> Self {
        debug_assert!(
            row_labels
                .as_ref()
                .is_none_or(|l| l.len() == values.nrows())
        );
        debug_assert!(
            col_labels
                .as_ref()
                .is_none_or(|l| l.len() == values.ncols())
        );
        Self {
            row_labels,
            col_labels,
            ..Self::from_valid(values)
        }
    }

    /// The alpha-cut {(i, j) : R(i, j) >= alpha}.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidThreshold`] when `alpha` is NaN or outside [0, 1].
    pub fn alpha_cut(&self, alpha: f64) -> Result<CrispRelation> {
        check_alpha(alpha, None)?;
        Ok(self.cut_with(|_, value| value >= alpha))
    }

    /// The strict alpha-cut {(i, j) : R(i, j) > alpha}.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidThreshold`] when `alpha` is NaN or outside [0, 1].
    pub fn strict_alpha_cut(&self, alpha: f64) -> Result<CrispRelation> {
        check_alpha(alpha, None)?;
        Ok(self.cut_with(|_, value| value > alpha))
    }

    /// The alpha-cut with one threshold per column:
    /// {(i, j) : R(i, j) >= alphas\[j\]}, Gil-Aluja's per-characteristic
    /// thresholds.
    ///
    /// # Errors
    ///
    /// [`Error::ThresholdCount`] when `alphas` does not have one entry per
    /// column, [`Error::InvalidThreshold`] naming the column of the first
    /// threshold that is NaN or outside [0, 1].
    pub fn alpha_cut_per_column(&self, alphas: &[f64]) -> Result<CrispRelation> {
        check_column_thresholds(alphas, self.ncols())?;
        Ok(self.cut_with(|col, value| value >= alphas[col]))
    }

    fn cut_with(&self, keep: impl Fn(usize, f64) -> bool) -> CrispRelation {
        let (rows, cols) = self.shape();
        let mut cut = CrispRelation::with_shape(rows, cols);
        for ((row, col), &value) in self.values.indexed_iter() {
            if keep(col, value) {
                cut.insert(row, col);
            }
        }
        cut.with_labels_unchecked(self.row_labels.clone(), self.col_labels.clone())
    }

    /// The inverse relation: R^T(j, i) = R(i, j), labels swapped.
    pub fn transpose(&self) -> Self {
        Self {
            values: self.values.t().as_standard_layout().into_owned(),
            row_labels: self.col_labels.clone(),
            col_labels: self.row_labels.clone(),
        }
    }

    /// The union max(R(i, j), S(i, j)). Labels are taken from `self`.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when the shapes differ.
    pub fn union(&self, other: &Self) -> Result<Self> {
        self.zip_with(other, "union", f64::max)
    }

    /// The intersection min(R(i, j), S(i, j)). Labels are taken from `self`.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when the shapes differ.
    pub fn intersection(&self, other: &Self) -> Result<Self> {
        self.zip_with(other, "intersection", f64::min)
    }

    fn zip_with(
        &self,
        other: &Self,
        operation: &'static str,
        combine: impl Fn(f64, f64) -> f64,
    ) -> Result<Self> {
        if self.shape() != other.shape() {
            return Err(Error::ShapeMismatch {
                operation,
                left: self.shape(),
                right: other.shape(),
                requirement: "both relations must have the same shape",
            });
        }
        let values = Zip::from(&self.values)
            .and(&other.values)
            .map_collect(|&a, &b| combine(a, b));
        Ok(self.same_labels(values))
    }

    /// The complement 1 - R(i, j).
    pub fn complement(&self) -> Self {
        self.same_labels(self.values.mapv(|v| 1.0 - v))
    }

    /// The reflexive closure: R with every diagonal degree set to 1.
    ///
    /// # Errors
    ///
    /// [`Error::NotSquare`] for a non-square relation.
    pub fn reflexive_closure(&self) -> Result<Self> {
        self.require_square("reflexive closure")?;
        let mut values = self.values.clone();
        values.diag_mut().fill(1.0);
        Ok(self.same_labels(values))
    }

    /// The symmetric closure max(R(i, j), R(j, i)).
    ///
    /// # Errors
    ///
    /// [`Error::NotSquare`] for a non-square relation.
    pub fn symmetric_closure(&self) -> Result<Self> {
        self.require_square("symmetric closure")?;
        let transposed = self.values.t();
        let values = Zip::from(&self.values)
            .and(&transposed)
            .map_collect(|&a, &b| a.max(b));
        Ok(self.same_labels(values))
    }

    /// Whether the relation is square with every diagonal degree 1.
    pub fn is_reflexive(&self) -> bool {
        self.first_non_reflexive().is_none()
    }

    /// Whether the relation is square with R(i, j) = R(j, i) for all i, j.
    pub fn is_symmetric(&self) -> bool {
        self.is_square() && self.first_asymmetric_pair().is_none()
    }

    /// Whether the relation is square and max-min transitive:
    /// max over j of min(R(i, j), R(j, k)) <= R(i, k) for all i, k.
    ///
    /// The check stops at the first violating pair, so a relation that is not
    /// transitive is often rejected after a fraction of the work.
    ///
    /// # Complexity
    ///
    /// O(n^3) time in the worst case, for n rows; no extra space.
    pub fn is_transitive(&self) -> bool {
        self.is_square() && self.first_intransitive_triple().is_none()
    }

    /// Whether the relation is a similarity relation: reflexive, symmetric and
    /// max-min transitive.
    pub fn is_similarity(&self) -> bool {
        self.is_reflexive() && self.is_symmetric() && self.is_transitive()
    }

    /// Returns an error unless the relation is reflexive and symmetric,
    /// naming the first entry that breaks either property.
    ///
    /// # Errors
    ///
    /// [`Error::NotSquare`] or [`Error::PropertyViolated`].
    pub fn require_proximity(&self, operation: &'static str) -> Result<()> {
        self.require_square(operation)?;
        if let Some(index) = self.first_non_reflexive() {
            return Err(Error::PropertyViolated {
                operation,
                property: "reflexive",
                detail: format!(
                    "the degree of ({name}, {name}) is {value}, not 1",
                    name = self.row_name(index),
                    value = self.values[[index, index]],
                ),
            });
        }
        if let Some((i, j)) = self.first_asymmetric_pair() {
            return Err(Error::PropertyViolated {
                operation,
                property: "symmetric",
                detail: format!(
                    "R({a}, {b}) = {} but R({b}, {a}) = {}",
                    self.values[[i, j]],
                    self.values[[j, i]],
                    a = self.row_name(i),
                    b = self.row_name(j),
                ),
            });
        }
        Ok(())
    }

    /// Returns an error unless the relation is a similarity relation, naming
    /// the first entry that breaks a property.
    ///
    /// # Errors
    ///
    /// [`Error::NotSquare`] or [`Error::PropertyViolated`].
    pub fn require_similarity(&self, operation: &'static str) -> Result<()> {
        self.require_proximity(operation)?;
        if let Some((i, j, k)) = self.first_intransitive_triple() {
            let via = self.values[[i, j]].min(self.values[[j, k]]);
            return Err(Error::PropertyViolated {
                operation,
                property: "max-min transitive",
                detail: format!(
                    "min(R({a}, {b}), R({b}, {c})) = {via} exceeds R({a}, {c}) = {}",
                    self.values[[i, k]],
                    a = self.row_name(i),
                    b = self.row_name(j),
                    c = self.row_name(k),
                ),
            });
        }
        Ok(())
    }

    /// Returns [`Error::NotSquare`] unless the relation is square.
    pub(crate) fn require_square(&self, operation: &'static str) -> Result<()> {
        if self.is_square() {
            Ok(())
        } else {
            Err(Error::NotSquare {
                operation,
                rows: self.nrows(),
                cols: self.ncols(),
            })
        }
    }

    fn first_non_reflexive(&self) -> Option<usize> {
        if !self.is_square() {
            return Some(0);
        }
        self.values.diag().iter().position(|&v| v != 1.0)
    }

    fn first_asymmetric_pair(&self) -> Option<(usize, usize)> {
        let n = self.nrows();
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .find(|&(i, j)| self.values[[i, j]] != self.values[[j, i]])
    }

    fn first_intransitive_triple(&self) -> Option<(usize, usize, usize)> {
        let n = self.nrows();
        for i in 0..n {
            let row_i = self.values.row(i);
            for (j, &r_ij) in row_i.iter().enumerate() {
                if r_ij == 0.0 {
                    continue;
                }
                let row_j = self.values.row(j);
                // min(r_ij, r_jk) <= r_ik must hold for every k.
                let broken = row_j
                    .iter()
                    .zip(row_i.iter())
                    .position(|(&r_jk, &r_ik)| r_ij.min(r_jk) > r_ik);
                if let Some(k) = broken {
                    return Some((i, j, k));
                }
            }
        }
        None
    }
}

/// Validates one threshold per column.
pub(crate) fn check_column_thresholds(alphas: &[f64], cols: usize) -> Result<()> {
    if alphas.len() != cols {
        return Err(Error::ThresholdCount {
            expected: cols,
            found: alphas.len(),
        });
    }
    for (col, &alpha) in alphas.iter().enumerate() {
        check_alpha(alpha, Some(col))?;
    }
    Ok(())
}

/// Collects labels, checking their count and uniqueness.
pub(crate) fn collect_labels<S: Into<String>>(
    labels: impl IntoIterator<Item = S>,
    axis: Axis,
    expected: usize,
) -> Result<Vec<String>> {
    let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
    if labels.len() != expected {
        return Err(Error::LabelCount {
            axis,
            expected,
            found: labels.len(),
        });
    }
    let mut seen = std::collections::HashMap::with_capacity(labels.len());
    for (index, label) in labels.iter().enumerate() {
        if let Some(first) = seen.insert(label.as_str(), index) {
            return Err(Error::DuplicateLabel {
                axis,
                label: label.clone(),
                first,
                second: index,
            });
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(rows: &[&[f64]]) -> FuzzyRelation {
        FuzzyRelation::from_rows(rows.iter().copied()).unwrap()
    }

    #[test]
    fn new_rejects_invalid_degrees() {
        for bad in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.1,
            1.000_000_1,
        ] {
            let err = FuzzyRelation::from_rows([[0.5, 0.5], [0.5, bad]]).unwrap_err();
            match err {
                Error::InvalidDegree { row, col, value } => {
                    assert_eq!((row, col), (1, 1));
                    assert!(value.is_nan() == bad.is_nan());
                }
                other => panic!("unexpected error {other:?}"),
            }
        }
    }

    #[test]
    fn new_stores_negative_zero_as_zero() {
        let r = rel(&[&[-0.0, 1.0]]);
        assert_eq!(r.get(0, 0).unwrap().to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn empty_and_ragged_inputs_are_rejected() {
        let empty: Vec<Vec<f64>> = vec![];
        assert!(matches!(
            FuzzyRelation::from_rows(empty),
            Err(Error::EmptyRelation { rows: 0, cols: 0 })
        ));
        assert!(matches!(
            FuzzyRelation::from_rows([Vec::<f64>::new()]),
            Err(Error::EmptyRelation { rows: 1, cols: 0 })
        ));
        assert!(matches!(
            FuzzyRelation::from_rows([vec![0.1, 0.2], vec![0.3]]),
            Err(Error::RaggedRows {
                row: 1,
                expected: 2,
                found: 1
            })
        ));
        assert!(matches!(
            FuzzyRelation::zeros(0, 3),
            Err(Error::EmptyRelation { .. })
        ));
    }

    #[test]
    fn zeros_rejects_sizes_beyond_memory() {
        let err = FuzzyRelation::zeros(usize::MAX / 2, 16).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    }

    #[test]
    fn labels_are_checked() {
        let r = rel(&[&[0.1, 0.2], &[0.3, 0.4]]);
        assert!(matches!(
            r.clone().with_row_labels(["a"]),
            Err(Error::LabelCount {
                axis: Axis::Row,
                expected: 2,
                found: 1
            })
        ));
        assert!(matches!(
            r.clone().with_col_labels(["x", "x"]),
            Err(Error::DuplicateLabel {
                axis: Axis::Column,
                first: 0,
                second: 1,
                ..
            })
        ));
        let same = r
            .with_row_labels(["x", "y"])
            .unwrap()
            .with_col_labels(["x", "y"]);
        assert!(same.is_ok());
    }

    #[test]
    fn alpha_cuts_strict_and_nonstrict() {
        let r = rel(&[&[0.3, 0.7], &[0.7, 1.0]]);
        let cut = r.alpha_cut(0.7).unwrap();
        assert_eq!(cut.row(0).to_vec(), vec![1]);
        assert_eq!(cut.row(1).to_vec(), vec![0, 1]);
        let strict = r.strict_alpha_cut(0.7).unwrap();
        assert_eq!(strict.row(1).to_vec(), vec![1]);
        assert_eq!(strict.column(1).to_vec(), vec![1]);
        assert!(r.alpha_cut(f64::NAN).is_err());
        assert!(r.strict_alpha_cut(1.01).is_err());
    }

    #[test]
    fn alpha_cut_per_column_checks_thresholds() {
        let r = rel(&[&[0.3, 0.7], &[0.5, 0.6]]);
        let cut = r.alpha_cut_per_column(&[0.5, 0.7]).unwrap();
        assert_eq!(cut.row(0).to_vec(), vec![1]);
        assert_eq!(cut.row(1).to_vec(), vec![0]);
        assert!(matches!(
            r.alpha_cut_per_column(&[0.5]),
            Err(Error::ThresholdCount {
                expected: 2,
                found: 1
            })
        ));
        assert!(matches!(
            r.alpha_cut_per_column(&[0.5, f64::NAN]),
            Err(Error::InvalidThreshold {
                column: Some(1),
                ..
            })
        ));
    }

    #[test]
    fn set_operations() {
        let r = rel(&[&[0.2, 0.9]]);
        let s = rel(&[&[0.5, 0.1]]);
        assert_eq!(r.union(&s).unwrap(), rel(&[&[0.5, 0.9]]));
        assert_eq!(r.intersection(&s).unwrap(), rel(&[&[0.2, 0.1]]));
        assert_eq!(r.complement().get(0, 0), Some(0.8));
        let t = r.transpose();
        assert_eq!(t.shape(), (2, 1));
        assert_eq!(t.get(1, 0), Some(0.9));
        assert!(matches!(
            r.union(&t),
            Err(Error::ShapeMismatch {
                left: (1, 2),
                right: (2, 1),
                ..
            })
        ));
    }

    #[test]
    fn closures_of_square_relations() {
        let r = rel(&[&[0.2, 0.9], &[0.4, 0.5]]);
        let refl = r.reflexive_closure().unwrap();
        assert!(refl.is_reflexive());
        assert_eq!(refl.get(0, 1), Some(0.9));
        let sym = r.symmetric_closure().unwrap();
        assert!(sym.is_symmetric());
        assert_eq!(sym.get(1, 0), Some(0.9));
        assert!(rel(&[&[0.1, 0.2]]).reflexive_closure().is_err());
    }

    #[test]
    fn property_checks() {
        let similarity = rel(&[&[1.0, 0.6, 0.6], &[0.6, 1.0, 0.8], &[0.6, 0.8, 1.0]]);
        assert!(similarity.is_similarity());
        let not_transitive = rel(&[&[1.0, 0.9, 0.1], &[0.9, 1.0, 0.9], &[0.1, 0.9, 1.0]]);
        assert!(not_transitive.is_reflexive());
        assert!(not_transitive.is_symmetric());
        assert!(!not_transitive.is_transitive());
        let err = not_transitive.require_similarity("test").unwrap_err();
        assert!(err.to_string().contains("transitive"), "{err}");
        assert!(!rel(&[&[1.0, 0.5]]).is_symmetric());
        assert!(!rel(&[&[1.0, 0.5]]).is_transitive());
    }
}
