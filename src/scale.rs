//! Turning raw scores and survey answers into membership degrees.
//!
//! Survey answers and behavioural measures rarely arrive in [0, 1]. This
//! module maps them there with the transformations CEM studies use:
//! min-max scaling of a column, rank (empirical distribution) scaling,
//! Likert points, linguistic terms, and rounding to the 11-point scale
//! 0, 0.1, ..., 1 on which Kaufmann and Gil-Aluja state their examples.

use ndarray::{Array2, ArrayView1, Axis as NdAxis};

use crate::error::{Error, Result};
use crate::io::Table;
use crate::relation::FuzzyRelation;

/// How [`scale_columns`] maps each column of raw scores into [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scaling {
    /// (x - min) / (max - min) over the column; see [`min_max`].
    MinMax,
    /// The share of the column at or below x; see [`rank`].
    Rank,
}

impl std::str::FromStr for Scaling {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text {
            "minmax" | "min-max" => Ok(Scaling::MinMax),
            "rank" => Ok(Scaling::Rank),
            other => Err(Error::InvalidParameter {
                name: "scaling",
                value: other.to_owned(),
                expected: "one of minmax, rank".into(),
            }),
        }
    }
}

/// Min-max scaling: x maps to (x - min) / (max - min), so the smallest value
/// becomes 0 and the largest 1.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when a value is not finite or when all values
/// are equal (no spread to scale), and [`Error::EmptyRelation`] for an empty
/// slice.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::scale::min_max;
///
/// assert_eq!(min_max(&[2.0, 4.0, 3.0])?, vec![0.0, 1.0, 0.5]);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn min_max(values: &[f64]) -> Result<Vec<f64>> {
    check_finite(values, "min-max scaling")?;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if min == max {
        return Err(Error::InvalidParameter {
            name: "column for min-max scaling",
            value: format!("constant at {min}"),
            expected: "at least two distinct values; drop the column or scale it by hand".into(),
        });
    }
    // Values that span more than f64::MAX are halved first, so the span
    // stays finite; halving is exact for all but subnormal values.
    let factor = if (max - min).is_finite() { 1.0 } else { 0.5 };
    let (low, span) = (min * factor, max * factor - min * factor);
    // The clamp only removes rounding past 1 when the span is not exact.
    Ok(values
        .iter()
        .map(|&x| ((x * factor - low) / span).min(1.0))
        .collect())
}

/// Rank scaling: x maps to the share of values at or below x (the empirical
/// distribution function). The largest value becomes 1, ties share one
/// degree, and the result does not depend on the spacing of the values, so
/// one outlier cannot squeeze the rest together.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when a value is not finite and
/// [`Error::EmptyRelation`] for an empty slice.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::scale::rank;
///
/// assert_eq!(rank(&[10.0, 1000.0, 20.0, 20.0])?, vec![0.25, 1.0, 0.75, 0.75]);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
///
/// # Complexity
///
/// O(n log n) time and O(n) extra space for n values.
pub fn rank(values: &[f64]) -> Result<Vec<f64>> {
    check_finite(values, "rank scaling")?;
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut degrees = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let degree = end as f64 / n as f64;
        for &index in &order[start..end] {
            degrees[index] = degree;
        }
        start = end;
    }
    Ok(degrees)
}

fn check_finite(values: &[f64], operation: &'static str) -> Result<()> {
    if values.is_empty() {
        return Err(Error::EmptyRelation { rows: 0, cols: 1 });
    }
    if let Some(position) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "value",
            value: format!("{} at position {position}", values[position]),
            expected: format!("finite numbers for {operation}"),
        });
    }
    Ok(())
}

/// Scales every column of a table into [0, 1] and returns the relation,
/// with the table's labels.
///
/// # Errors
///
/// The errors of [`min_max`] or [`rank`], with the column named, and the
/// label errors of [`FuzzyRelation::with_labels`].
pub fn scale_columns(table: &Table, scaling: Scaling) -> Result<FuzzyRelation> {
    let (rows, cols) = table.values.dim();
    if rows == 0 || cols == 0 {
        return Err(Error::EmptyRelation { rows, cols });
    }
    let mut values = Array2::zeros((rows, cols));
    for (col, column) in table.values.axis_iter(NdAxis(1)).enumerate() {
        let column: Vec<f64> = column.to_vec();
        let scaled = match scaling {
            Scaling::MinMax => min_max(&column),
            Scaling::Rank => rank(&column),
        }
        .map_err(|err| name_column(err, table, col))?;
        values.column_mut(col).assign(&ArrayView1::from(&scaled));
    }
    FuzzyRelation::new(values)?.with_labels(table.row_labels.clone(), table.col_labels.clone())
}

fn name_column(err: Error, table: &Table, col: usize) -> Error {
    let name = table.col_labels.as_ref().map_or_else(
        || format!("column {col}"),
        |labels| format!("column {:?}", labels[col]),
    );
    match err {
        Error::InvalidParameter {
            value, expected, ..
        } => Error::InvalidParameter {
            name: "scaling input",
            value: format!("{name}: {value}"),
            expected,
        },
        other => other,
    }
}

/// A Likert scale with integer points `low..=high`, such as 1 to 5 or 1 to 6.
///
/// Point p maps to (p - low) / (high - low) on a positively keyed item and to
/// (high - p) / (high - low) on a reverse-keyed one, so agreement with the
/// statement the item names always means a high degree.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::scale::LikertScale;
///
/// let scale = LikertScale::new(1, 6)?;
/// assert_eq!(scale.membership(6.0)?, 1.0);
/// assert_eq!(scale.membership(1.0)?, 0.0);
/// assert_eq!(scale.reversed_membership(2.0)?, 0.8);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LikertScale {
    low: i32,
    high: i32,
}

impl LikertScale {
    /// Creates the scale `low..=high`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `low < high`.
    pub fn new(low: i32, high: i32) -> Result<Self> {
        if low >= high {
            return Err(Error::InvalidParameter {
                name: "Likert scale",
                value: format!("{low}..={high}"),
                expected: "a lowest point below the highest, such as 1..=5".into(),
            });
        }
        Ok(Self { low, high })
    }

    /// Lowest point.
    pub fn low(&self) -> i32 {
        self.low
    }

    /// Highest point.
    pub fn high(&self) -> i32 {
        self.high
    }

    /// The degree of point `answer` on a positively keyed item.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `answer` is one of the scale's
    /// integer points.
    pub fn membership(&self, answer: f64) -> Result<f64> {
        let point = self.check(answer)?;
        Ok((point - f64::from(self.low)) / self.width())
    }

    /// The degree of point `answer` on a reverse-keyed item.
    ///
    /// # Errors
    ///
    /// As [`LikertScale::membership`].
    pub fn reversed_membership(&self, answer: f64) -> Result<f64> {
        let point = self.check(answer)?;
        Ok((f64::from(self.high) - point) / self.width())
    }

    /// high - low, computed in `f64`, where every `i32` difference is exact.
    fn width(&self) -> f64 {
        f64::from(self.high) - f64::from(self.low)
    }

    fn check(&self, answer: f64) -> Result<f64> {
        let in_range = answer >= f64::from(self.low) && answer <= f64::from(self.high);
        if in_range && answer.fract() == 0.0 {
            Ok(answer)
        } else {
            Err(Error::InvalidParameter {
                name: "Likert answer",
                value: answer.to_string(),
                expected: format!("an integer point from {} to {}", self.low, self.high),
            })
        }
    }
}

/// What [`LikertScale::relation`] does with a missing answer (NaN in the
/// table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingAnswers {
    /// Return an error naming the first missing answer.
    Reject,
    /// Leave out every respondent with a missing answer (complete-case
    /// analysis), so no degree is invented.
    DropRow,
    /// Read a missing answer as degree 0: the respondent is never counted as
    /// holding that item, at any level above 0.
    Zero,
}

/// A relation converted from Likert answers, with the respondents left out.
#[derive(Debug, Clone, PartialEq)]
pub struct LikertRelation {
    /// Respondents x items, with the table's labels of the kept rows.
    pub relation: FuzzyRelation,
    /// Table rows left out under [`MissingAnswers::DropRow`], in order.
    pub dropped_rows: Vec<usize>,
}

impl LikertScale {
    /// Converts a table of answers (respondents x items) into degrees.
    ///
    /// Items whose index is in `reverse_keyed` use
    /// [`LikertScale::reversed_membership`], the rest
    /// [`LikertScale::membership`]. Missing answers are NaN in the table (see
    /// [`CsvOptions::allow_missing`](crate::io::CsvOptions::allow_missing))
    /// and are handled as `missing` says.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] naming the row and column of an answer
    /// that is not a point of the scale, or of a missing answer under
    /// [`MissingAnswers::Reject`]; [`Error::EmptyRelation`] when no
    /// respondent is left; [`Error::InvalidParameter`] for a reverse-keyed
    /// index past the last column.
    pub fn relation(
        &self,
        table: &Table,
        reverse_keyed: &[usize],
        missing: MissingAnswers,
    ) -> Result<LikertRelation> {
        let (rows, cols) = table.values.dim();
        if let Some(&bad) = reverse_keyed.iter().find(|&&c| c >= cols) {
            return Err(Error::InvalidParameter {
                name: "reverse-keyed item",
                value: bad.to_string(),
                expected: format!("a column index below {cols}"),
            });
        }
        let mut kept = Vec::with_capacity(rows);
        let mut dropped_rows = Vec::new();
        let mut data = Vec::with_capacity(rows * cols);
        for (row, answers) in table.values.rows().into_iter().enumerate() {
            let complete = answers.iter().all(|v| !v.is_nan());
            if !complete && missing == MissingAnswers::DropRow {
                dropped_rows.push(row);
                continue;
            }
            for (col, &answer) in answers.iter().enumerate() {
                let degree = if answer.is_nan() {
                    match missing {
                        MissingAnswers::Zero => Ok(0.0),
                        _ => Err(Error::InvalidParameter {
                            name: "Likert answer",
                            value: format!("missing at row {row}, column {col}"),
                            expected: "an answer, or a missing-answer rule that drops or zeroes it"
                                .into(),
                        }),
                    }
                } else if reverse_keyed.contains(&col) {
                    self.reversed_membership(answer)
                } else {
                    self.membership(answer)
                };
                data.push(degree.map_err(|err| at_cell(err, row, col))?);
            }
            kept.push(row);
        }
        if kept.is_empty() {
            return Err(Error::EmptyRelation { rows: 0, cols });
        }
        let values = Array2::from_shape_vec((kept.len(), cols), data)
            .expect("one degree was pushed per kept cell");
        let row_labels = table
            .row_labels
            .as_ref()
            .map(|labels| kept.iter().map(|&r| labels[r].clone()).collect());
        let relation =
            FuzzyRelation::new(values)?.with_labels(row_labels, table.col_labels.clone())?;
        Ok(LikertRelation {
            relation,
            dropped_rows,
        })
    }
}

fn at_cell(err: Error, row: usize, col: usize) -> Error {
    match err {
        Error::InvalidParameter {
            name,
            value,
            expected,
        } if !value.contains(" at row ") => Error::InvalidParameter {
            name,
            value: format!("{value} at row {row}, column {col}"),
            expected,
        },
        other => other,
    }
}

/// A linguistic scale: named terms, each with its membership degree.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::scale::LinguisticScale;
///
/// let scale = LinguisticScale::eleven_point();
/// assert_eq!(scale.membership("quite true")?, 0.7);
/// let custom = LinguisticScale::new([("never", 0.0), ("sometimes", 0.5), ("always", 1.0)])?;
/// assert_eq!(custom.membership("Sometimes")?, 0.5);
/// assert!(custom.membership("often").is_err());
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinguisticScale {
    terms: Vec<(String, f64)>,
}

impl LinguisticScale {
    /// Creates a scale from (term, degree) pairs. Terms are matched without
    /// regard to case or surrounding spaces.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a degree that is NaN or outside
    /// [0, 1], an empty term, or a term given twice.
    pub fn new<S: Into<String>>(terms: impl IntoIterator<Item = (S, f64)>) -> Result<Self> {
        let mut checked: Vec<(String, f64)> = Vec::new();
        for (term, degree) in terms {
            let term = term.into().trim().to_lowercase();
            if !(0.0..=1.0).contains(&degree) {
                return Err(Error::InvalidParameter {
                    name: "linguistic degree",
                    value: format!("{degree} for {term:?}"),
                    expected: "a degree inside [0, 1]".into(),
                });
            }
            if term.is_empty() || checked.iter().any(|(t, _)| *t == term) {
                return Err(Error::InvalidParameter {
                    name: "linguistic term",
                    value: format!("{term:?}"),
                    expected: "non-empty terms, each given once".into(),
                });
            }
            checked.push((term, degree + 0.0));
        }
        Ok(Self { terms: checked })
    }

    /// Kaufmann and Gil-Aluja's 11-point (endecadarian) scale, from
    /// "false" (0) through "neither true nor false" (0.5) to "true" (1).
    pub fn eleven_point() -> Self {
        const TERMS: [&str; 11] = [
            "false",
            "practically false",
            "almost false",
            "quite false",
            "more false than true",
            "neither true nor false",
            "more true than false",
            "quite true",
            "almost true",
            "practically true",
            "true",
        ];
        let terms = TERMS
            .iter()
            .zip(0..)
            .map(|(term, k)| ((*term).to_owned(), f64::from(k) / 10.0))
            .collect();
        Self { terms }
    }

    /// The degree of `term`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a term the scale does not hold,
    /// listing the terms it does.
    pub fn membership(&self, term: &str) -> Result<f64> {
        let key = term.trim().to_lowercase();
        self.terms
            .iter()
            .find(|(t, _)| *t == key)
            .map(|&(_, degree)| degree)
            .ok_or_else(|| Error::InvalidParameter {
                name: "linguistic term",
                value: format!("{term:?}"),
                expected: format!(
                    "one of {}",
                    self.terms
                        .iter()
                        .map(|(t, _)| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }

    /// The terms and their degrees, in the order given.
    pub fn terms(&self) -> &[(String, f64)] {
        &self.terms
    }
}

/// Rounds a degree to the 11-point scale 0, 0.1, ..., 1: the nearest tenth,
/// with halves (after the multiplication by 10 in floating point) rounded
/// up. The result is the double nearest to k / 10, so it compares equal to
/// the literal `0.3`, `0.7` and so on.
///
/// # Errors
///
/// [`Error::InvalidParameter`] for a value that is NaN or outside [0, 1].
pub fn round_to_eleven_point(degree: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&degree) {
        return Err(Error::InvalidParameter {
            name: "degree",
            value: degree.to_string(),
            expected: "a degree inside [0, 1]".into(),
        });
    }
    Ok((degree * 10.0).round() / 10.0)
}

impl FuzzyRelation {
    /// The relation with every degree rounded to the 11-point scale; see
    /// [`round_to_eleven_point`].
    pub fn round_to_eleven_point(&self) -> FuzzyRelation {
        self.same_labels(self.view().mapv(|v| (v * 10.0).round() / 10.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_hand_values() {
        assert_eq!(min_max(&[5.0, 1.0, 3.0]).unwrap(), vec![1.0, 0.0, 0.5]);
        assert_eq!(min_max(&[-2.0, 2.0]).unwrap(), vec![0.0, 1.0]);
        assert!(
            min_max(&[3.0, 3.0])
                .unwrap_err()
                .to_string()
                .contains("constant")
        );
        assert!(min_max(&[1.0, f64::NAN]).is_err());
        assert!(min_max(&[]).is_err());
    }

    #[test]
    fn min_max_spans_the_whole_f64_range() {
        let scaled = min_max(&[-f64::MAX, 0.0, f64::MAX]).unwrap();
        assert_eq!(scaled, vec![0.0, 0.5, 1.0]);
    }

    #[test]
    fn likert_extreme_points() {
        let scale = LikertScale::new(-2_000_000_000, 2_000_000_000).unwrap();
        assert_eq!(scale.membership(0.0).unwrap(), 0.5);
        assert_eq!(scale.reversed_membership(2e9).unwrap(), 0.0);
    }

    #[test]
    fn rank_hand_values() {
        assert_eq!(
            rank(&[3.0, 1.0, 2.0, 4.0]).unwrap(),
            vec![0.75, 0.25, 0.5, 1.0]
        );
        assert_eq!(rank(&[7.0]).unwrap(), vec![1.0]);
        assert_eq!(rank(&[2.0, 2.0, 2.0]).unwrap(), vec![1.0, 1.0, 1.0]);
        assert!(rank(&[f64::INFINITY]).is_err());
    }

    #[test]
    fn likert_points() {
        let scale = LikertScale::new(1, 5).unwrap();
        let degrees: Vec<f64> = (1..=5)
            .map(|p| scale.membership(f64::from(p)).unwrap())
            .collect();
        assert_eq!(degrees, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(scale.reversed_membership(1.0).unwrap(), 1.0);
        assert!(scale.membership(0.0).is_err());
        assert!(scale.membership(2.5).is_err());
        assert!(scale.membership(f64::NAN).is_err());
        assert!(LikertScale::new(3, 3).is_err());
    }

    #[test]
    fn likert_relation_handles_missing_answers() {
        let table = Table {
            values: ndarray::array![[1.0, 6.0], [f64::NAN, 2.0], [3.0, 4.0]],
            row_labels: Some(vec!["r1".into(), "r2".into(), "r3".into()]),
            col_labels: None,
        };
        let scale = LikertScale::new(1, 6).unwrap();
        let dropped = scale
            .relation(&table, &[1], MissingAnswers::DropRow)
            .unwrap();
        assert_eq!(dropped.dropped_rows, vec![1]);
        assert_eq!(dropped.relation.row_labels().unwrap(), ["r1", "r3"]);
        assert_eq!(dropped.relation.get(0, 1), Some(0.0));
        assert_eq!(dropped.relation.get(1, 0), Some(0.4));

        let zeroed = scale.relation(&table, &[], MissingAnswers::Zero).unwrap();
        assert_eq!(zeroed.relation.get(1, 0), Some(0.0));
        assert!(zeroed.dropped_rows.is_empty());

        let err = scale
            .relation(&table, &[], MissingAnswers::Reject)
            .unwrap_err();
        assert!(err.to_string().contains("row 1, column 0"), "{err}");
        assert!(scale.relation(&table, &[2], MissingAnswers::Zero).is_err());
    }

    #[test]
    fn likert_relation_names_a_bad_answer() {
        let table = Table {
            values: ndarray::array![[1.0, 7.0]],
            row_labels: None,
            col_labels: None,
        };
        let scale = LikertScale::new(1, 6).unwrap();
        let err = scale
            .relation(&table, &[], MissingAnswers::Reject)
            .unwrap_err();
        assert!(err.to_string().contains("7 at row 0, column 1"), "{err}");
    }

    #[test]
    fn eleven_point_terms() {
        let scale = LinguisticScale::eleven_point();
        assert_eq!(scale.terms().len(), 11);
        assert_eq!(scale.membership("FALSE").unwrap(), 0.0);
        assert_eq!(scale.membership(" neither true nor false ").unwrap(), 0.5);
        assert_eq!(scale.membership("true").unwrap(), 1.0);
        assert!(LinguisticScale::new([("a", 0.5), ("A", 0.6)]).is_err());
        assert!(LinguisticScale::new([("a", 1.5)]).is_err());
    }

    #[test]
    fn rounding_to_tenths() {
        assert_eq!(round_to_eleven_point(0.34).unwrap(), 0.3);
        assert_eq!(round_to_eleven_point(0.25).unwrap(), 0.3);
        assert_eq!(round_to_eleven_point(0.1 + 0.2).unwrap(), 0.3);
        assert_eq!(round_to_eleven_point(0.96).unwrap(), 1.0);
        assert!(round_to_eleven_point(1.2).is_err());
        for k in 0..=10 {
            let tenth = f64::from(k) / 10.0;
            assert_eq!(round_to_eleven_point(tenth).unwrap(), tenth);
        }
    }

    #[test]
    fn scale_columns_names_a_constant_column() {
        let table = Table {
            values: ndarray::array![[1.0, 5.0], [3.0, 5.0]],
            row_labels: None,
            col_labels: Some(vec!["visits".into(), "stores".into()]),
        };
        let err = scale_columns(&table, Scaling::MinMax).unwrap_err();
        assert!(err.to_string().contains("\"stores\""), "{err}");
        let ranked = scale_columns(&table, Scaling::Rank).unwrap();
        assert_eq!(ranked.get(0, 0), Some(0.5));
        assert_eq!(ranked.col_label(1), Some("stores"));
    }
}
