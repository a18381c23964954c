//! The crate's error type.

use std::path::PathBuf;

/// Which side of a relation a label or index belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// The rows (customers, causes, the domain of the relation).
    Row,
    /// The columns (expectations, effects, the codomain of the relation).
    Column,
}

impl std::fmt::Display for Axis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Axis::Row => f.write_str("row"),
            Axis::Column => f.write_str("column"),
        }
    }
}

/// Errors returned by every fallible operation of the crate.
///
/// Each variant carries the values a caller needs to find and fix the
/// problem: the row, column and value of an invalid membership degree, both
/// shapes of a mismatch, the line and field of a bad CSV cell, the bytes that
/// a request would need.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A membership degree is NaN, infinite or outside [0, 1].
    #[error(
        "invalid membership degree {value} at row {row}, column {col}: \
         degrees must be finite and inside [0, 1]"
    )]
    InvalidDegree {
        /// Row index (0-based).
        row: usize,
        /// Column index (0-based).
        col: usize,
        /// The rejected value.
        value: f64,
    },

    /// A relation has no rows or no columns.
    #[error(
        "empty relation of shape {rows} x {cols}: a relation needs at least one row and one column"
    )]
    EmptyRelation {
        /// Number of rows found.
        rows: usize,
        /// Number of columns found.
        cols: usize,
    },

    /// Nested rows do not all have the same length.
    #[error("ragged rows: row {row} has {found} values but row 0 has {expected}")]
    RaggedRows {
        /// Index of the first row whose length differs (0-based).
        row: usize,
        /// Length of row 0.
        expected: usize,
        /// Length of the offending row.
        found: usize,
    },

    /// Two relations do not have the shapes an operation needs.
    #[error("shape mismatch in {operation}: left is {left:?}, right is {right:?}; {requirement}")]
    ShapeMismatch {
        /// The operation that was requested.
        operation: &'static str,
        /// Shape (rows, columns) of the left operand.
        left: (usize, usize),
        /// Shape (rows, columns) of the right operand.
        right: (usize, usize),
        /// What the operation needs, in words.
        requirement: &'static str,
    },

    /// An operation needs a square relation.
    #[error("{operation} needs a square relation, found shape {rows} x {cols}")]
    NotSquare {
        /// The operation that was requested.
        operation: &'static str,
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
    },

    /// A relation lacks a property an operation needs (reflexive, symmetric,
    /// transitive), shown by one failing entry.
    #[error("{operation} needs a {property} relation, but {detail}")]
    PropertyViolated {
        /// The operation that was requested.
        operation: &'static str,
        /// The property that is missing, such as "reflexive".
        property: &'static str,
        /// The first entry found to break the property, in words.
        detail: String,
    },

    /// A threshold (alpha) is NaN or outside [0, 1].
    #[error("invalid threshold {value}{}: alpha must be a number inside [0, 1]", column_suffix(*.column))]
    InvalidThreshold {
        /// The rejected threshold.
        value: f64,
        /// The column it was given for, for per-column thresholds.
        column: Option<usize>,
    },

    /// A per-column threshold list has the wrong length.
    #[error(
        "{found} per-column thresholds given for a relation with {expected} columns: pass one alpha per column"
    )]
    ThresholdCount {
        /// Number of columns of the relation.
        expected: usize,
        /// Number of thresholds given.
        found: usize,
    },

    /// A parameter other than a threshold is out of its range.
    #[error("invalid {name} {value}: {expected}")]
    InvalidParameter {
        /// Name of the parameter.
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// The accepted range or form, in words.
        expected: String,
    },

    /// The number of labels does not match the number of rows or columns.
    #[error("{found} {axis} labels given for {expected} {axis}s")]
    LabelCount {
        /// Rows or columns.
        axis: Axis,
        /// Number of rows or columns.
        expected: usize,
        /// Number of labels given.
        found: usize,
    },

    /// A label occurs twice on one axis.
    #[error(
        "duplicate {axis} label {label:?} at {axis}s {first} and {second}: labels must be unique"
    )]
    DuplicateLabel {
        /// Rows or columns.
        axis: Axis,
        /// The repeated label.
        label: String,
        /// First index carrying it.
        first: usize,
        /// Second index carrying it.
        second: usize,
    },

    /// One expert's matrix in a panel of experts is invalid or does not
    /// match the others.
    #[error("expert {expert}: {detail}")]
    InvalidExpert {
        /// Index of the expert (0-based, in the order given).
        expert: usize,
        /// What is wrong and what to do, in words.
        detail: String,
    },

    /// A request would need more memory than can be allocated.
    #[error(
        "{what} needs {bytes} bytes{}, more than this process can allocate: \
         reduce the input size",
        available_suffix(*.available)
    )]
    TooLarge {
        /// What was requested.
        what: String,
        /// Bytes the request needs (saturating).
        bytes: u128,
        /// Bytes of memory available, when the system reports it.
        available: Option<u64>,
    },

    /// A result would hold more items than the caller allowed.
    #[error("{what} exceeds the limit of {limit}: raise the limit or narrow the request")]
    LimitExceeded {
        /// What was counted.
        what: &'static str,
        /// The limit that was reached.
        limit: usize,
    },

    /// A CSV cell or record could not be read.
    #[error("CSV line {line}, field {field}: {message}")]
    Csv {
        /// Line number in the file (1-based).
        line: u64,
        /// Field number in the record (1-based); 0 when the whole record is at fault.
        field: usize,
        /// What is wrong and what to do.
        message: String,
    },

    /// The CSV reader or writer failed below the cell level.
    #[error("CSV format error: {0}")]
    CsvFormat(#[from] csv::Error),

    /// JSON text could not be parsed or written.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),

    /// A file could not be opened, read or written.
    #[error("cannot access {}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn column_suffix(column: Option<usize>) -> String {
    match column {
        Some(col) => format!(" for column {col}"),
        None => String::new(),
    }
}

fn available_suffix(available: Option<u64>) -> String {
    match available {
        Some(bytes) => format!(" ({bytes} bytes available)"),
        None => String::new(),
    }
}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Check that an alpha is a number inside [0, 1].
pub(crate) fn check_alpha(alpha: f64, column: Option<usize>) -> Result<()> {
    if (0.0..=1.0).contains(&alpha) {
        Ok(())
    } else {
        Err(Error::InvalidThreshold {
            value: alpha,
            column,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_alpha_rejects_nan_and_out_of_range() {
        assert!(check_alpha(f64::NAN, None).is_err());
        assert!(check_alpha(-0.0001, None).is_err());
        assert!(check_alpha(1.0000001, Some(3)).is_err());
        assert!(check_alpha(0.0, None).is_ok());
        assert!(check_alpha(1.0, None).is_ok());
    }

    #[test]
    fn messages_name_the_value() {
        let err = Error::InvalidDegree {
            row: 2,
            col: 5,
            value: f64::NAN,
        };
        let text = err.to_string();
        assert!(text.contains("NaN"), "{text}");
        assert!(text.contains("row 2"), "{text}");
        assert!(text.contains("column 5"), "{text}");

        let err = Error::InvalidThreshold {
            value: 1.5,
            column: Some(4),
        };
        assert!(err.to_string().contains("1.5 for column 4"));
    }
}
