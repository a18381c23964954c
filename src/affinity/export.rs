//! Export of alpha-cuts for formal concept analysis tools.

use std::fmt::Write;

use crate::crisp::CrispRelation;

/// Writes a crisp relation (such as an alpha-cut) as a Burmeister `.cxt`
/// context, the plain-text format that ConExp, ToscanaJ, the Python
/// `concepts` package and fcaR read.
///
/// The layout is a line `B`, an empty line, the number of objects (rows)
/// and of attributes (columns) on one line each, an empty line, one line
/// per object name, one line per attribute name, then one line per row with
/// `X` for a pair in the relation and `.` otherwise. Names are the labels,
/// or `r0, r1, ...` and `c0, c1, ...` when the relation has none; line
/// breaks inside a label are replaced by spaces because the format has one
/// name per line.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::{burmeister_cxt, FuzzyRelation};
///
/// let r = FuzzyRelation::from_rows([[0.9, 0.2], [0.8, 0.7]])?;
/// let cxt = burmeister_cxt(&r.alpha_cut(0.7)?);
/// assert_eq!(cxt, "B\n\n2\n2\n\nr0\nr1\nc0\nc1\nX.\nXX\n");
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn burmeister_cxt(cut: &CrispRelation) -> String {
    let (rows, cols) = cut.shape();
    let mut text = format!("B\n\n{rows}\n{cols}\n\n");
    let name = |labels: Option<&[String]>, prefix: &str, index: usize| {
        labels.map_or_else(
            || format!("{prefix}{index}"),
            |l| l[index].replace(['\r', '\n'], " "),
        )
    };
    for row in 0..rows {
        let _ = writeln!(text, "{}", name(cut.row_labels(), "r", row));
    }
    for col in 0..cols {
        let _ = writeln!(text, "{}", name(cut.col_labels(), "c", col));
    }
    for row in 0..rows {
        let set = cut.row(row);
        text.extend((0..cols).map(|col| if set.contains(col) { 'X' } else { '.' }));
        text.push('\n');
    }
    text
}
