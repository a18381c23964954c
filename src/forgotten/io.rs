//! Reading a panel of experts' matrices from the long CSV layout.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use ndarray::Array2;

use super::ExpertStack;
use crate::error::{Error, Result};
use crate::relation::FuzzyRelation;

/// Reads a stack of labelled relations from a long-format CSV file with the
/// columns `expert`, `from`, `to` and `value` (in any order, other columns
/// ignored).
///
/// Experts, row labels (`from`) and column labels (`to`) are numbered in
/// the order they first appear. Every (expert, from, to) triple must occur
/// exactly once.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read, [`Error::Csv`] for a missing
/// column, a value that is not a number in [0, 1] or a repeated triple, and
/// [`Error::InvalidExpert`] when an expert lacks a (from, to) pair.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::forgotten::read_long_csv_from;
///
/// let text = "expert,from,to,value\n0,a1,b1,0.5\n0,a2,b1,0.25\n1,a1,b1,1\n1,a2,b1,0\n";
/// let stack = read_long_csv_from(text.as_bytes())?;
/// assert_eq!(stack.experts(), 2);
/// assert_eq!(stack.shape(), (2, 1));
/// assert_eq!(stack.expert(0).unwrap().get(1, 0), Some(0.25));
/// assert_eq!(stack.expert(1).unwrap().row_label(0), Some("a1"));
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn read_long_csv(path: impl AsRef<Path>) -> Result<ExpertStack> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_long_csv_from(BufReader::new(file))
}

/// Reads a stack of labelled relations in the layout of [`read_long_csv`]
/// from any reader.
///
/// # Errors
///
/// As [`read_long_csv`].
pub fn read_long_csv_from(reader: impl Read) -> Result<ExpertStack> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header = csv.headers()?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|field| {
                field
                    .trim_start_matches('\u{feff}')
                    .eq_ignore_ascii_case(name)
            })
            .ok_or_else(|| Error::Csv {
                line: 1,
                field: 0,
                message: format!(
                    "missing column {name:?}; the long layout needs the columns \
                     expert, from, to and value"
                ),
            })
    };
    let (expert_col, from_col, to_col, value_col) = (
        column("expert")?,
        column("from")?,
        column("to")?,
        column("value")?,
    );

    let mut experts = Index::default();
    let mut rows = Index::default();
    let mut cols = Index::default();
    let mut cells: HashMap<(usize, usize, usize), f64> = HashMap::new();
    for record in csv.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |index: usize| record.get(index).unwrap_or("");
        let raw = field(value_col);
        let value: f64 = raw.parse().map_err(|_| Error::Csv {
            line,
            field: value_col + 1,
            message: format!("{raw:?} is not a number; write degrees such as 0.7"),
        })?;
        if !(0.0..=1.0).contains(&value) {
            return Err(Error::Csv {
                line,
                field: value_col + 1,
                message: format!("degree {value} is not finite and inside [0, 1]"),
            });
        }
        let key = (
            experts.id(field(expert_col)),
            rows.id(field(from_col)),
            cols.id(field(to_col)),
        );
        if cells.insert(key, value + 0.0).is_some() {
            return Err(Error::Csv {
                line,
                field: 0,
                message: format!(
                    "expert {:?}, from {:?}, to {:?} occurs twice; keep one value per triple",
                    field(expert_col),
                    field(from_col),
                    field(to_col)
                ),
            });
        }
    }
    if cells.is_empty() {
        return Err(Error::Csv {
            line: 1,
            field: 0,
            message: "no data records after the header".into(),
        });
    }
    let (n, m) = (rows.names.len(), cols.names.len());
    let relations = (0..experts.names.len())
        .map(|expert| {
            let mut values = Array2::zeros((n, m));
            for ((row, col), slot) in values.indexed_iter_mut() {
                *slot = *cells
                    .get(&(expert, row, col))
                    .ok_or_else(|| Error::InvalidExpert {
                        expert,
                        detail: format!(
                            "expert {:?} has no value from {:?} to {:?}; the long layout \
                             needs every (from, to) pair for every expert",
                            experts.names[expert], rows.names[row], cols.names[col]
                        ),
                    })?;
            }
            FuzzyRelation::new(values)?
                .with_labels(Some(rows.names.clone()), Some(cols.names.clone()))
        })
        .collect::<Result<Vec<_>>>()?;
    ExpertStack::new(relations)
}

/// Names numbered in order of first appearance.
#[derive(Default)]
struct Index {
    names: Vec<String>,
    ids: HashMap<String, usize>,
}

impl Index {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len();
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_records() {
        let missing = "expert,from,to\n0,a,b\n";
        assert!(read_long_csv_from(missing.as_bytes()).is_err());
        let nan = "expert,from,to,value\n0,a,b,NaN\n";
        let error = read_long_csv_from(nan.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("NaN"), "{error}");
        let twice = "expert,from,to,value\n0,a,b,0.1\n0,a,b,0.2\n";
        assert!(read_long_csv_from(twice.as_bytes()).is_err());
        let gap = "expert,from,to,value\n0,a,b,0.1\n1,a,c,0.2\n";
        let error = read_long_csv_from(gap.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("no value"), "{error}");
        let empty = "expert,from,to,value\n";
        assert!(read_long_csv_from(empty.as_bytes()).is_err());
    }
}
