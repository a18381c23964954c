//! CSV and JSON files: round trips and the errors a caller sees.

use std::path::PathBuf;

use fuzzy_affinity::io::{self, CsvOptions};
use fuzzy_affinity::{CrispRelation, Error, FuzzyRelation};

/// A fresh directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("fuzzy-affinity-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sample() -> FuzzyRelation {
    FuzzyRelation::from_rows([
        [0.7, 1.0, 0.0],
        [0.15000000000000002, 0.5, 0.30000000000000004],
    ])
    .unwrap()
    .with_row_labels(["ana", "ben"])
    .unwrap()
    .with_col_labels(["price", "speed", "advice"])
    .unwrap()
}

#[test]
fn csv_file_round_trip() {
    let dir = TempDir::new("csv");
    let path = dir.0.join("r.csv");
    let r = sample();
    io::write_csv(&r, &path).unwrap();
    let back = io::read_csv(&path, &CsvOptions::default()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn csv_without_labels_round_trip() {
    let dir = TempDir::new("bare");
    let path = dir.0.join("r.csv");
    let r = FuzzyRelation::from_rows([[0.25, 1.0], [0.0, 0.125]]).unwrap();
    io::write_csv(&r, &path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "0.25,1\n0,0.125\n");
    let back = io::read_csv(&path, &CsvOptions::for_relation(&r)).unwrap();
    assert_eq!(back, r);
}

#[test]
fn json_file_round_trip() {
    let dir = TempDir::new("json");
    let path = dir.0.join("r.json");
    let r = sample();
    io::write_json(&r, &path).unwrap();
    let back: FuzzyRelation = io::read_json(&path).unwrap();
    assert_eq!(back, r);

    let cut = r.alpha_cut(0.5).unwrap();
    io::write_json(&cut, &path).unwrap();
    let back: CrispRelation = io::read_json(&path).unwrap();
    assert_eq!(back, cut);
}

#[test]
fn missing_file_names_the_path() {
    let err = io::read_csv("/nonexistent/fuzzy.csv", &CsvOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
    assert!(err.to_string().contains("/nonexistent/fuzzy.csv"), "{err}");
}

#[test]
fn semicolon_file_with_decimal_commas() {
    let dir = TempDir::new("semicolon");
    let path = dir.file("r.csv", "id;a;b\r\nx;0,7;1\r\ny;0;0,25\r\n");
    let options = CsvOptions {
        delimiter: b';',
        decimal_comma: true,
        ..CsvOptions::default()
    };
    let r = io::read_csv(&path, &options).unwrap();
    assert_eq!(r.get(0, 0), Some(0.7));
    assert_eq!(r.get(1, 1), Some(0.25));
}

#[test]
fn bad_files_get_positioned_errors() {
    let dir = TempDir::new("bad");
    let cases = [
        ("empty.csv", "", "empty"),
        ("header.csv", "id,a\n", "header"),
        ("ragged.csv", "id,a,b\nx,0.1,0.2\ny,0.3\n", "has 2 fields"),
        ("na.csv", "id,a\nx,NA\n", "\"NA\""),
        ("range.csv", "id,a\nx,1.0000001\n", "outside [0, 1]"),
        ("negative.csv", "id,a\nx,-0.1\n", "outside [0, 1]"),
    ];
    for (name, text, needle) in cases {
        let path = dir.file(name, text);
        let err = io::read_csv(&path, &CsvOptions::default()).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, Error::Csv { .. }), "{name}: {err:?}");
        assert!(message.contains(needle), "{name}: {message}");
    }
}
