//! Proximity relations between the rows of a relation.

use ndarray::Array2;
use rayon::prelude::*;

use crate::error::Result;
use crate::memory;
use crate::parallel::Execution;
use crate::relation::FuzzyRelation;

/// Row pairs above which [`FuzzyRelation::hamming_proximity_with`] splits rows
/// over threads under [`Execution::Auto`]. Below it, one row of the output
/// is less work than handing it to another thread.
const PARALLEL_PAIRS: u128 = 1 << 16;

impl FuzzyRelation {
    /// The proximity between rows given by the relative Hamming distance:
    /// S(h, k) = 1 - (1 / c) * sum over j of |R(h, j) - R(k, j)|, for a
    /// relation with c columns.
    ///
    /// Two customers whose degrees agree on every expectation are related at
    /// 1; two whose degrees are 0 and 1 crosswise on every expectation are
    /// related at 0. The result is reflexive and symmetric (bit for bit), so
    /// it is a proximity relation, ready for the similarity closure and the
    /// partition tree; its row and column labels are this relation's row
    /// labels.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`](crate::Error::TooLarge) when the r x r result
    /// would not fit in memory.
    ///
    /// # Complexity
    ///
    /// O(r^2 c) time for r rows and c columns, O(r^2) space for the result.
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::FuzzyRelation;
    ///
    /// let r = FuzzyRelation::from_rows([[1.0, 0.5], [0.5, 0.5], [0.0, 0.5]])?;
    /// let s = r.hamming_proximity()?;
    /// assert!(s.is_reflexive() && s.is_symmetric());
    /// assert_eq!(s.get(0, 1), Some(0.75));
    /// assert_eq!(s.get(0, 2), Some(0.5));
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn hamming_proximity(&self) -> Result<FuzzyRelation> {
        self.hamming_proximity_with(Execution::Auto)
    }

    /// [`FuzzyRelation::hamming_proximity`] with a chosen execution; every
    /// choice gives the same result bit for bit.
    ///
    /// # Errors
    ///
    /// As [`FuzzyRelation::hamming_proximity`].
    pub fn hamming_proximity_with(&self, execution: Execution) -> Result<FuzzyRelation> {
        let (rows, cols) = self.shape();
        memory::ensure_fits(
            || format!("the {rows} x {rows} proximity between rows"),
            memory::matrix_bytes::<f64>(rows, rows),
        )?;
        let values = self.view();
        let distance = |h: usize, k: usize| -> f64 {
            let sum: f64 = values
                .row(h)
                .iter()
                .zip(values.row(k).iter())
                .map(|(a, b)| (a - b).abs())
                .sum();
            // The sum of c differences of at most 1 cannot exceed c, but the
            // division may round, so the bound is enforced.
            (1.0 - sum / cols as f64).clamp(0.0, 1.0)
        };
        let upper_row = |h: usize| -> Vec<f64> { (h + 1..rows).map(|k| distance(h, k)).collect() };
        let pairs = (rows as u128) * (rows as u128) * (cols as u128) / 2;
        let upper: Vec<Vec<f64>> = if execution.is_parallel(pairs, PARALLEL_PAIRS) {
            (0..rows).into_par_iter().map(upper_row).collect()
        } else {
            (0..rows).map(upper_row).collect()
        };

        let mut proximity = Array2::<f64>::ones((rows, rows));
        for (h, row) in upper.iter().enumerate() {
            for (offset, &value) in row.iter().enumerate() {
                let k = h + 1 + offset;
                proximity[[h, k]] = value;
                proximity[[k, h]] = value;
            }
        }
        let labels = self.row_labels().map(<[String]>::to_vec);
        Ok(FuzzyRelation::from_valid_labelled(
            proximity,
            labels.clone(),
            labels,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_equals_parallel() {
        let rows: Vec<Vec<f64>> = (0..40)
            .map(|i| {
                (0..7)
                    .map(|j| ((i * 31 + j * 17) % 11) as f64 / 10.0)
                    .collect()
            })
            .collect();
        let r = FuzzyRelation::from_rows(rows).unwrap();
        let serial = r.hamming_proximity_with(Execution::Serial).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let parallel = pool.install(|| r.hamming_proximity_with(Execution::Parallel).unwrap());
        assert_eq!(serial, parallel);
        assert!(serial.is_reflexive());
        assert!(serial.is_symmetric());
    }

    #[test]
    fn opposite_rows_are_unrelated() {
        let r = FuzzyRelation::from_rows([[0.0, 1.0], [1.0, 0.0]])
            .unwrap()
            .with_row_labels(["a", "b"])
            .unwrap();
        let s = r.hamming_proximity().unwrap();
        assert_eq!(s.get(0, 1), Some(0.0));
        assert_eq!(s.col_labels().unwrap(), ["a", "b"]);
    }
}
