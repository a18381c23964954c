//! Reading and writing relations as CSV and JSON.
//!
//! # CSV layout
//!
//! One record per row of the relation. With [`CsvOptions::has_header`] the
//! first record holds the column labels; with [`CsvOptions::has_row_labels`]
//! the first field of every record holds the row label (and the first header
//! field, the corner, is ignored). Cells are trimmed, a UTF-8 byte order mark
//! and CRLF line ends are accepted, and every cell must be a decimal number
//! such as `0.7`, `1`, `0` or `-0`. Missing values (`NA`, empty cells), `NaN`
//! and infinities are rejected with the line and field of the cell.
//!
//! Written values use Rust's shortest round-trip formatting, so a written
//! relation reads back bit for bit.
//!
//! # JSON layout
//!
//! A [`FuzzyRelation`] is the object
//! `{"rows": [labels] | null, "cols": [labels] | null, "values": [[...]]}`,
//! a [`CrispRelation`] the same with 0 and 1 as values. Deserializing runs
//! the same validation as the constructors.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::crisp::CrispRelation;
use crate::error::{Error, Result};
use crate::relation::FuzzyRelation;

/// How a CSV file is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Field separator. Default `b','`; use `b';'` for files written with
    /// decimal commas, as spreadsheets in many locales write them.
    pub delimiter: u8,
    /// Whether the first record holds column labels. Default true.
    pub has_header: bool,
    /// Whether the first field of each record holds a row label. Default true.
    pub has_row_labels: bool,
    /// Whether numbers use a decimal comma (`0,7`). Default false. Needs a
    /// delimiter other than the comma.
    pub decimal_comma: bool,
    /// Whether [`read_table`] accepts missing values (an empty cell or `NA`)
    /// and stores them as NaN. Default false. Readers of membership degrees
    /// reject missing values whatever this says.
    pub allow_missing: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            delimiter: b',',
            has_header: true,
            has_row_labels: true,
            decimal_comma: false,
            allow_missing: false,
        }
    }
}

impl CsvOptions {
    /// Options for a file of bare numbers: no header, no row labels.
    pub fn unlabelled() -> Self {
        Self {
            has_header: false,
            has_row_labels: false,
            ..Self::default()
        }
    }

    /// Options matching what [`write_csv`] produces for `relation`: a header
    /// when it has column labels, a label column when it has row labels.
    pub fn for_relation(relation: &FuzzyRelation) -> Self {
        Self {
            has_header: relation.col_labels().is_some(),
            has_row_labels: relation.row_labels().is_some(),
            ..Self::default()
        }
    }

    fn check(&self) -> Result<()> {
        if self.decimal_comma && self.delimiter == b',' {
            return Err(Error::InvalidParameter {
                name: "CSV delimiter",
                value: "','".into(),
                expected: "decimal commas need another delimiter, such as b';'".into(),
            });
        }
        if self.delimiter == b'"' || self.delimiter == b'\n' || self.delimiter == b'\r' {
            return Err(Error::InvalidParameter {
                name: "CSV delimiter",
                value: format!("{:?}", self.delimiter as char),
                expected: "a delimiter other than a quote or a line end".into(),
            });
        }
        Ok(())
    }
}

/// A labelled numeric table read from CSV, before any range check.
///
/// Use it for raw scores that still need scaling into [0, 1]; use
/// [`read_csv`] for membership degrees. Values are finite, except that a
/// missing value is NaN when [`CsvOptions::allow_missing`] is set.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The numbers, one row per data record.
    pub values: Array2<f64>,
    /// Row labels, when the options asked for them.
    pub row_labels: Option<Vec<String>>,
    /// Column labels, when the options asked for a header.
    pub col_labels: Option<Vec<String>>,
}

/// Reads a relation of membership degrees from a CSV file.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened, [`Error::Csv`] naming the
/// line and field of a cell that is not a number in [0, 1], of a record of
/// the wrong length, or of an empty file, and the label errors of
/// [`FuzzyRelation::with_labels`].
pub fn read_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<FuzzyRelation> {
    read_csv_from(open(path.as_ref())?, options)
}

/// Reads a relation of membership degrees from CSV text.
///
/// # Errors
///
/// As [`read_csv`], without the file errors.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::io::{CsvOptions, read_csv_from};
///
/// let text = "customer,price,speed\r\nana,0.7,1\r\nben, 0.2 ,0\r\n";
/// let r = read_csv_from(text.as_bytes(), &CsvOptions::default())?;
/// assert_eq!(r.shape(), (2, 2));
/// assert_eq!(r.get(1, 0), Some(0.2));
/// assert_eq!(r.col_label(1), Some("speed"));
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn read_csv_from(reader: impl Read, options: &CsvOptions) -> Result<FuzzyRelation> {
    let table = read_records(reader, options, true)?;
    FuzzyRelation::new(table.values)?.with_labels(table.row_labels, table.col_labels)
}

/// Reads a table of finite numbers from a CSV file, with no range check.
///
/// # Errors
///
/// As [`read_csv`], except that finite numbers outside [0, 1] are accepted.
pub fn read_table(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Table> {
    read_table_from(open(path.as_ref())?, options)
}

/// Reads a table of finite numbers from CSV text, with no range check.
///
/// # Errors
///
/// As [`read_table`], without the file errors.
pub fn read_table_from(reader: impl Read, options: &CsvOptions) -> Result<Table> {
    let table = read_records(reader, options, false)?;
    if let Some(labels) = &table.row_labels {
        crate::relation::collect_labels(labels.iter().cloned(), crate::Axis::Row, labels.len())?;
    }
    if let Some(labels) = &table.col_labels {
        crate::relation::collect_labels(labels.iter().cloned(), crate::Axis::Column, labels.len())?;
    }
    Ok(table)
}

fn open(path: &Path) -> Result<BufReader<File>> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| io_error(path, source))
}

/// Creates (or truncates) `path` for buffered writing.
pub(crate) fn create_file(path: &Path) -> Result<BufWriter<File>> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|source| io_error(path, source))
}

/// An [`Error::Io`] naming `path`.
pub(crate) fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_owned(),
        source,
    }
}

fn read_records(reader: impl Read, options: &CsvOptions, degrees: bool) -> Result<Table> {
    options.check()?;
    let mut csv_reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);

    let label_offset = usize::from(options.has_row_labels);
    let mut col_labels = None;
    let mut row_labels = options.has_row_labels.then(Vec::new);
    let mut values = Vec::new();
    let mut width: Option<usize> = None;
    let mut rows = 0;

    for (index, record) in csv_reader.records().enumerate() {
        let record = record?;
        let line = record.position().map_or(index as u64 + 1, |p| p.line());
        let fields: Vec<&str> = record
            .iter()
            .enumerate()
            .map(|(i, f)| if i == 0 { strip_bom(f) } else { f })
            .collect();
        let expected = *width.get_or_insert(fields.len());
        if fields.len() != expected {
            return Err(ragged_record(line, expected, fields.len(), options));
        }
        if fields.len() <= label_offset {
            return Err(Error::Csv {
                line,
                field: 0,
                message: format!(
                    "the record has a row label but no values{}",
                    delimiter_hint(fields[0], options)
                ),
            });
        }
        if index == 0 && options.has_header {
            let labels = fields[label_offset..]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            col_labels = Some(labels);
            continue;
        }
        if let Some(labels) = row_labels.as_mut() {
            labels.push(fields[0].to_owned());
        }
        for (position, text) in fields.iter().enumerate().skip(label_offset) {
            values.push(parse_cell(text, line, position + 1, options, degrees)?);
        }
        rows += 1;
    }

    let cols = width.map_or(0, |w| w.saturating_sub(label_offset));
    if rows == 0 {
        let what = if width.is_some() {
            "holds a header but no data records"
        } else {
            "is empty"
        };
        return Err(Error::Csv {
            line: 1,
            field: 0,
            message: format!("the input {what}: expected one record per row of the relation"),
        });
    }
    let values = Array2::from_shape_vec((rows, cols), values)
        .expect("every record was checked to have the same number of fields");
    Ok(Table {
        values,
        row_labels,
        col_labels,
    })
}

fn strip_bom(field: &str) -> &str {
    field.strip_prefix('\u{feff}').map_or(field, str::trim)
}

/// A hint to set the delimiter, when `field` contains a common separator
/// other than the configured one.
fn delimiter_hint(field: &str, options: &CsvOptions) -> String {
    [b';', b'\t', b',', b'|']
        .into_iter()
        .filter(|&d| d != options.delimiter)
        .find(|&d| field.contains(d as char))
        .map_or_else(String::new, |d| {
            format!(
                ": the field contains {:?}, so set the delimiter to b{:?}",
                d as char, d as char
            )
        })
}

fn ragged_record(line: u64, expected: usize, found: usize, options: &CsvOptions) -> Error {
    let mut message = format!("the record has {found} fields but the first record has {expected}");
    if options.delimiter == b',' && found > expected {
        message.push_str(
            "; if the file writes numbers with a decimal comma such as 0,7, \
             read it with delimiter b';' and decimal_comma set",
        );
    }
    Error::Csv {
        line,
        field: 0,
        message,
    }
}

fn parse_cell(
    text: &str,
    line: u64,
    field: usize,
    options: &CsvOptions,
    degrees: bool,
) -> Result<f64> {
    let invalid = |message: String| Error::Csv {
        line,
        field,
        message,
    };
    let normalized;
    let number = if options.decimal_comma {
        normalized = text.replacen(',', ".", 1);
        normalized.as_str()
    } else {
        text
    };
    let looks_numeric = number
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    let parsed = if looks_numeric {
        number.parse::<f64>().ok()
    } else {
        None
    };
    let Some(value) = parsed else {
        if options.allow_missing && !degrees && (text.is_empty() || text == "NA") {
            return Ok(f64::NAN);
        }
        if text.is_empty() {
            return Err(invalid(
                "the cell is empty: fill in or drop missing values first".into(),
            ));
        }
        if !options.decimal_comma
            && text.contains(',')
            && text.replacen(',', ".", 1).parse::<f64>().is_ok()
        {
            return Err(invalid(format!(
                "{text:?} uses a decimal comma: read the file with delimiter b';' and decimal_comma set"
            )));
        }
        return Err(invalid(format!(
            "{text:?} is not a number: write degrees as decimals such as 0.7, 1 or 0 \
             (missing values, NaN and infinities are not accepted)"
        )));
    };
    if degrees && !(0.0..=1.0).contains(&value) {
        return Err(invalid(format!(
            "{text} is outside [0, 1]: membership degrees must lie between 0 and 1"
        )));
    }
    Ok(value + 0.0)
}

/// Writes a relation to a CSV file: a header of column labels when it has
/// them, a first column of row labels when it has them.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be created, [`Error::CsvFormat`] when
/// writing fails.
pub fn write_csv(relation: &FuzzyRelation, path: impl AsRef<Path>) -> Result<()> {
    write_csv_to(relation, create_file(path.as_ref())?)
}

/// Writes a relation as CSV text; see [`write_csv`].
///
/// # Errors
///
/// [`Error::CsvFormat`] when writing fails.
pub fn write_csv_to(relation: &FuzzyRelation, writer: impl Write) -> Result<()> {
    let mut csv_writer = csv::WriterBuilder::new().from_writer(writer);
    let row_labels = relation.row_labels();
    if let Some(labels) = relation.col_labels() {
        let corner = row_labels.map(|_| String::new());
        csv_writer.write_record(corner.iter().chain(labels))?;
    }
    let mut record = Vec::with_capacity(relation.ncols() + 1);
    for (row, values) in relation.view().rows().into_iter().enumerate() {
        record.clear();
        if let Some(labels) = row_labels {
            record.push(labels[row].clone());
        }
        record.extend(values.iter().map(|v| v.to_string()));
        csv_writer.write_record(&record)?;
    }
    csv_writer.flush().map_err(csv::Error::from)?;
    Ok(())
}

/// Reads any deserializable result type from a JSON file.
///
/// # Errors
///
/// [`Error::Io`] or [`Error::Json`], which carries the validation error of
/// the type.
pub fn read_json<T: serde::de::DeserializeOwned>(path: impl AsRef<Path>) -> Result<T> {
    Ok(serde_json::from_reader(open(path.as_ref())?)?)
}

/// Writes any serializable result type to a JSON file.
///
/// # Errors
///
/// [`Error::Io`] or [`Error::Json`].
pub fn write_json<T: Serialize>(value: &T, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let mut writer = create_file(path)?;
    serde_json::to_writer_pretty(&mut writer, value)?;
    writer.flush().map_err(|source| io_error(path, source))
}

/// The serialized form of a [`FuzzyRelation`].
#[derive(Serialize, Deserialize)]
struct RelationData {
    #[serde(default)]
    rows: Option<Vec<String>>,
    #[serde(default)]
    cols: Option<Vec<String>>,
    values: Vec<Vec<f64>>,
}

impl Serialize for FuzzyRelation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = RelationData {
            rows: self.row_labels().map(<[String]>::to_vec),
            cols: self.col_labels().map(<[String]>::to_vec),
            values: self.view().rows().into_iter().map(|r| r.to_vec()).collect(),
        };
        data.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FuzzyRelation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let data = RelationData::deserialize(deserializer)?;
        FuzzyRelation::from_rows(&data.values)
            .and_then(|r| r.with_labels(data.rows, data.cols))
            .map_err(serde::de::Error::custom)
    }
}

/// The serialized form of a [`CrispRelation`].
#[derive(Serialize, Deserialize)]
struct CrispData {
    #[serde(default)]
    rows: Option<Vec<String>>,
    #[serde(default)]
    cols: Option<Vec<String>>,
    values: Vec<Vec<u8>>,
}

impl Serialize for CrispRelation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let values = (0..self.nrows())
            .map(|r| {
                (0..self.ncols())
                    .map(|c| u8::from(self.contains(r, c)))
                    .collect()
            })
            .collect();
        let data = CrispData {
            rows: self.row_labels().map(<[String]>::to_vec),
            cols: self.col_labels().map(<[String]>::to_vec),
            values,
        };
        data.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CrispRelation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let data = CrispData::deserialize(deserializer)?;
        let mut rows = Vec::with_capacity(data.values.len());
        for (row, values) in data.values.iter().enumerate() {
            let mut bools = Vec::with_capacity(values.len());
            for (col, &value) in values.iter().enumerate() {
                match value {
                    0 => bools.push(false),
                    1 => bools.push(true),
                    other => {
                        return Err(serde::de::Error::custom(format!(
                            "invalid crisp value {other} at row {row}, column {col}: use 0 or 1"
                        )));
                    }
                }
            }
            rows.push(bools);
        }
        CrispRelation::from_rows(rows)
            .and_then(|r| r.with_labels(data.rows, data.cols))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, options: &CsvOptions) -> Result<FuzzyRelation> {
        read_csv_from(text.as_bytes(), options)
    }

    fn csv_error(result: Result<FuzzyRelation>) -> (u64, usize, String) {
        match result {
            Err(Error::Csv {
                line,
                field,
                message,
            }) => (line, field, message),
            other => panic!("expected a CSV error, got {other:?}"),
        }
    }

    #[test]
    fn reads_labels_bom_crlf_and_spaces() {
        let text = "\u{feff}id,a,b\r\nx, 0.5 ,1\r\ny,-0,0\r\n";
        let r = read(text, &CsvOptions::default()).unwrap();
        assert_eq!(r.shape(), (2, 2));
        assert_eq!(r.row_labels().unwrap(), ["x", "y"]);
        assert_eq!(r.col_labels().unwrap(), ["a", "b"]);
        assert_eq!(r.get(0, 0), Some(0.5));
        assert_eq!(r.get(1, 0).unwrap().to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn bom_before_unlabelled_numbers() {
        let r = read("\u{feff}0.25,1\n", &CsvOptions::unlabelled()).unwrap();
        assert_eq!(r.get(0, 0), Some(0.25));
    }

    #[test]
    fn rejects_non_numbers_with_position() {
        for bad in ["NA", "NaN", "inf", "abc", ""] {
            let text = format!("0.1,0.2\n0.3,{bad}\n");
            let (line, field, message) = csv_error(read(&text, &CsvOptions::unlabelled()));
            assert_eq!((line, field), (2, 2), "{bad}: {message}");
        }
    }

    #[test]
    fn rejects_out_of_range_with_position() {
        let (line, field, message) = csv_error(read("0.1,1.5\n", &CsvOptions::unlabelled()));
        assert_eq!((line, field), (1, 2));
        assert!(message.contains("1.5"), "{message}");
    }

    #[test]
    fn decimal_comma_hints() {
        let (_, field, message) = csv_error(read("\"0,7\",0.1\n", &CsvOptions::unlabelled()));
        assert_eq!(field, 1);
        assert!(message.contains("delimiter b';'"), "{message}");

        let (_, _, message) = csv_error(read("0.5,0.1\n0,7,0.1\n", &CsvOptions::unlabelled()));
        assert!(message.contains("decimal comma"), "{message}");

        let options = CsvOptions {
            delimiter: b';',
            decimal_comma: true,
            ..CsvOptions::unlabelled()
        };
        let r = read("0,7;1\n", &options).unwrap();
        assert_eq!(r.get(0, 0), Some(0.7));
    }

    #[test]
    fn semicolon_file_read_with_commas_hints_the_delimiter() {
        let (line, _, message) = csv_error(read("id;a\nx;0.5\n", &CsvOptions::default()));
        assert_eq!(line, 1);
        assert!(message.contains("b';'"), "{message}");
    }

    #[test]
    fn blank_lines_are_not_skipped_silently() {
        // A line of spaces is a record with one empty field: a missing value
        // in a one-column file, and never a reason to take the next record
        // for the header.
        let (line, field, message) = csv_error(read("0.5\n   \n0.7\n", &CsvOptions::unlabelled()));
        assert_eq!((line, field), (2, 1), "{message}");
        let err = read("   \nid,a\nx,0.5\n", &CsvOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Csv { line: 1, .. }), "{err:?}");
    }

    #[test]
    fn decimal_comma_needs_another_delimiter() {
        let options = CsvOptions {
            decimal_comma: true,
            ..CsvOptions::default()
        };
        assert!(matches!(
            read("0,1\n", &options),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn empty_input_and_header_only() {
        let (_, _, message) = csv_error(read("", &CsvOptions::default()));
        assert!(message.contains("empty"), "{message}");
        let (_, _, message) = csv_error(read("id,a,b\n", &CsvOptions::default()));
        assert!(message.contains("header"), "{message}");
    }

    #[test]
    fn duplicate_labels_are_rejected() {
        let err = read("id,a,a\nx,0,1\n", &CsvOptions::default()).unwrap_err();
        assert!(matches!(err, Error::DuplicateLabel { .. }), "{err:?}");
        let err = read("id,a\nx,0\nx,1\n", &CsvOptions::default()).unwrap_err();
        assert!(matches!(err, Error::DuplicateLabel { .. }), "{err:?}");
    }

    #[test]
    fn table_reads_missing_values_when_allowed() {
        let text = "id,a,b\nx,1,\ny,NA,2\n";
        let options = CsvOptions {
            allow_missing: true,
            ..CsvOptions::default()
        };
        let table = read_table_from(text.as_bytes(), &options).unwrap();
        assert_eq!(table.values[[0, 0]], 1.0);
        assert!(table.values[[0, 1]].is_nan());
        assert!(table.values[[1, 0]].is_nan());
        assert!(read_table_from(text.as_bytes(), &CsvOptions::default()).is_err());
        assert!(read_csv_from(text.as_bytes(), &options).is_err());
    }

    #[test]
    fn table_accepts_raw_scores() {
        let table = read_table_from("id,score\nx,12.5\ny,3\n".as_bytes(), &CsvOptions::default());
        assert_eq!(table.unwrap().values[[0, 0]], 12.5);
    }

    #[test]
    fn csv_round_trip_is_exact() {
        let values = [
            [0.1 + 0.2, 1.0 / 3.0, 0.0],
            [1.0, 0.8500000000000001, 5e-324],
        ];
        let r = FuzzyRelation::from_rows(values)
            .unwrap()
            .with_row_labels(["a", "b"])
            .unwrap()
            .with_col_labels(["x", "y", "z"])
            .unwrap();
        let mut text = Vec::new();
        write_csv_to(&r, &mut text).unwrap();
        let back = read_csv_from(text.as_slice(), &CsvOptions::for_relation(&r)).unwrap();
        assert_eq!(back, r);
        for (a, b) in back.view().iter().zip(r.view().iter()) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
    }

    #[test]
    fn json_round_trip_and_validation() {
        let r = FuzzyRelation::from_rows([[0.1 + 0.2, 1.0]])
            .unwrap()
            .with_row_labels(["a"])
            .unwrap();
        let text = serde_json::to_string(&r).unwrap();
        let back: FuzzyRelation = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);

        let bad = r#"{"rows": null, "cols": null, "values": [[0.5, 1.5]]}"#;
        let err = serde_json::from_str::<FuzzyRelation>(bad).unwrap_err();
        assert!(err.to_string().contains("1.5"), "{err}");

        let cut = r.alpha_cut(0.5).unwrap();
        let text = serde_json::to_string(&cut).unwrap();
        let back: CrispRelation = serde_json::from_str(&text).unwrap();
        assert_eq!(back, cut);
        let bad = r#"{"values": [[0, 2]]}"#;
        assert!(serde_json::from_str::<CrispRelation>(bad).is_err());
    }
}
