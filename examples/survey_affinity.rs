//! Affinity groups of survey respondents, and the partition tree of the
//! survey items, on the psych `bfi` data bundled in data/survey.
//!
//! 2800 respondents answered 25 personality items on a 6-point Likert scale
//! (1 very inaccurate .. 6 very accurate). Each answer becomes a degree with
//! the library's Likert scale, reverse-keyed items flipped so that a high
//! degree always means the trait the item's factor names. The analysis
//! finds the groups of respondents who share sets of items at the chosen
//! level, and relates the items by how alike respondents answer them. Output
//! goes to out/survey_bfi/.
//!
//! Missing answers: by default a respondent with any missing item is left
//! out (complete-case analysis, 2436 of 2800 respondents), because a
//! missing answer is evidence neither for nor against an item and any
//! filled-in degree would be invented. `--missing zero` keeps everyone and
//! reads a missing answer as degree 0 instead.
//!
//! ```sh
//! cargo run --release --example survey_affinity
//! cargo run --release --example survey_affinity -- --alpha 1 --min-respondents 50
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use fuzzy_affinity::cem::{CemAnalysis, CemOptions};
use fuzzy_affinity::io::{self, CsvOptions, Table};
use fuzzy_affinity::scale::{LikertScale, MissingAnswers};
use fuzzy_affinity::{Error, PartitionTree, Threshold};

/// Items scored in reverse by the published scoring key of the data set.
const REVERSE_KEYED: [&str; 7] = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"];

/// Affinity groups of bfi respondents and the partition tree of its items.
#[derive(Debug, Parser)]
#[command(name = "survey_affinity")]
struct Args {
    /// Level alpha in [0, 1]; on this 6-point scale 0.8 means an answer of
    /// 5 (moderately accurate) or 6 (very accurate).
    #[arg(long, default_value_t = 0.8, allow_negative_numbers = true)]
    alpha: f64,

    /// Smallest number of respondents in a group.
    #[arg(long, default_value_t = 400)]
    min_respondents: usize,

    /// Smallest number of shared items in a group.
    #[arg(long, default_value_t = 4)]
    min_items: usize,

    /// What to do with a respondent's missing answers.
    #[arg(long, value_enum, default_value_t = Missing::Drop)]
    missing: Missing,

    /// Keep every item as worded, without flipping the reverse-keyed ones.
    #[arg(long)]
    as_worded: bool,

    /// Also enumerate the groups at every alpha (levels.csv). At the low
    /// levels of this survey nearly every answer counts, and the groups run
    /// into the hundreds of thousands.
    #[arg(long)]
    levels: bool,

    /// Output folder; replaced when the analysis completes.
    #[arg(long, default_value = "out/survey_bfi")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Missing {
    /// Leave out respondents with a missing answer.
    Drop,
    /// Read a missing answer as degree 0.
    Zero,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Error> {
    let start = Instant::now();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/survey/bfi.csv");
    let options = CsvOptions {
        allow_missing: true,
        ..CsvOptions::default()
    };
    let table = items_only(io::read_table(&path, &options)?);
    let items = table.col_labels.clone().unwrap_or_default();
    let reverse: Vec<usize> = if args.as_worded {
        Vec::new()
    } else {
        items
            .iter()
            .enumerate()
            .filter(|(_, item)| REVERSE_KEYED.contains(&item.as_str()))
            .map(|(col, _)| col)
            .collect()
    };
    let missing = match args.missing {
        Missing::Drop => MissingAnswers::DropRow,
        Missing::Zero => MissingAnswers::Zero,
    };
    let converted = LikertScale::new(1, 6)?.relation(&table, &reverse, missing)?;
    let relabelled: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(col, item)| {
            if reverse.contains(&col) {
                format!("-{item}")
            } else {
                item.clone()
            }
        })
        .collect();
    let relation = converted.relation.with_col_labels(relabelled)?;
    eprintln!(
        "bfi: {} respondents kept, {} left out for missing answers, {} items",
        relation.nrows(),
        converted.dropped_rows.len(),
        relation.ncols()
    );

    let cem_options = CemOptions {
        threshold: Threshold::Uniform(args.alpha),
        min_customers: args.min_respondents,
        min_expectations: args.min_items,
        levels: args.levels,
        ..CemOptions::default()
    };
    let analysis = CemAnalysis::run(relation, &cem_options, |stage| {
        eprintln!("[{:6.2} s] {stage}", start.elapsed().as_secs_f64());
    })?;

    // Items are related by how alike the respondents answer them.
    let item_proximity = analysis.relation().transpose().hamming_proximity()?;
    let item_tree = PartitionTree::from_proximity(&item_proximity)?;

    analysis.write(&args.out, "respondents.csv")?;
    item_tree.write_linkage_csv(args.out.join("item_linkage.csv"))?;

    print!("{}", analysis.summary());
    println!("items, coarsest partitions of the item similarity:");
    for level in item_tree
        .levels()
        .iter()
        .filter(|l| (2..=6).contains(&l.classes.len()))
    {
        let classes: Vec<String> = level
            .labels
            .as_ref()
            .map(|labels| labels.iter().map(|class| class.join(" ")).collect())
            .unwrap_or_default();
        println!("  alpha {:.3}: {}", level.alpha, classes.join(" | "));
    }
    println!(
        "wrote {} in {:.2} s",
        args.out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The 25 item columns (A1 .. O5), without `gender`, `education` and `age`.
fn items_only(table: Table) -> Table {
    let labels = table.col_labels.clone().unwrap_or_default();
    let keep: Vec<usize> = labels
        .iter()
        .enumerate()
        .filter(|(_, l)| !matches!(l.as_str(), "gender" | "education" | "age"))
        .map(|(col, _)| col)
        .collect();
    Table {
        values: table.values.select(ndarray::Axis(1), &keep),
        row_labels: table.row_labels,
        col_labels: Some(keep.iter().map(|&c| labels[c].clone()).collect()),
    }
}
