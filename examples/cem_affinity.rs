//! A customer experience analysis of a purchase panel, in one command.
//!
//! By default it reads the Ecdat yogurt panel bundled in data/cpg, derives
//! what each household expects (brand loyalty, price sensitivity, promotion
//! response, premium orientation, variety seeking, purchase frequency), and
//! writes to out/cem_yogurt/: report.md, groups.csv, levels.csv,
//! lattice.dot, linkage.csv and households.csv. `--panel cracker` runs the
//! cracker panel instead, and `--input FILE.csv` runs the same analysis on a
//! customers x expectations table of your own.
//!
//! ```sh
//! cargo run --release --example cem_affinity
//! cargo run --release --example cem_affinity -- --input my.csv --scale minmax
//! cargo run --release --example cem_affinity -- --help
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use fuzzy_affinity::cem::{CemAnalysis, CemOptions, Stage};
use fuzzy_affinity::io::{self, CsvOptions};
use fuzzy_affinity::panel::ChoicePanel;
use fuzzy_affinity::scale::{self, Scaling};
use fuzzy_affinity::{Error, FuzzyRelation, Threshold};

/// Affinity groups, Galois lattice and partition tree of customers and
/// their expectations.
#[derive(Debug, Parser)]
#[command(name = "cem_affinity")]
struct Args {
    /// Bundled purchase panel to analyse when no --input is given.
    #[arg(long, value_enum, default_value_t = Panel::Yogurt)]
    panel: Panel,

    /// Customers x expectations CSV of your own: a header row of expectation
    /// names and a first column of customer names. Degrees must lie in
    /// [0, 1] unless --scale rescales them.
    #[arg(long, value_name = "FILE.csv")]
    input: Option<PathBuf>,

    /// How to bring each column into [0, 1] first: none (use as is), minmax
    /// ((x - min) / (max - min)) or rank (share of customers at or below x).
    #[arg(long, value_enum, default_value_t = ScaleArg::None)]
    scale: ScaleArg,

    /// Field separator of --input, one character.
    #[arg(long, default_value_t = ',')]
    delimiter: char,

    /// --input writes decimals with a comma (0,7); needs --delimiter ';'.
    #[arg(long)]
    decimal_comma: bool,

    /// Exigency level alpha in [0, 1]: a customer holds an expectation when
    /// its degree is at least alpha.
    #[arg(long, default_value_t = 0.6, allow_negative_numbers = true)]
    alpha: f64,

    /// Per-expectation level that replaces --alpha for one expectation, as
    /// NAME=ALPHA; repeat for several.
    #[arg(long = "threshold", value_name = "NAME=ALPHA")]
    thresholds: Vec<String>,

    /// Smallest number of customers in a group.
    #[arg(long, default_value_t = 2)]
    min_customers: usize,

    /// Smallest number of shared expectations in a group.
    #[arg(long, default_value_t = 1)]
    min_expectations: usize,

    /// Stop with an error when there are more groups than this.
    #[arg(long, default_value_t = 100_000)]
    max_groups: usize,

    /// Number of groups described in full in report.md.
    #[arg(long, default_value_t = 12)]
    report_groups: usize,

    /// Skip the groups at every alpha (levels.csv), which costs one
    /// enumeration per distinct degree.
    #[arg(long)]
    no_levels: bool,

    /// Output folder; replaced when the analysis completes. Default
    /// out/cem_<panel> or out/cem_<input file stem>.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Panel {
    Yogurt,
    Cracker,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum ScaleArg {
    None,
    Minmax,
    Rank,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let start = Instant::now();
    if !(0.0..=1.0).contains(&args.alpha) {
        return Err(format!(
            "--alpha {} is outside [0, 1]: pass a level such as 0.6",
            args.alpha
        ));
    }
    let (relation, source, memberships_name) = load(args).map_err(|e| e.to_string())?;
    let relation = if args.input.is_none() {
        rescale_panel(relation, args.scale).map_err(|e| e.to_string())?
    } else {
        relation
    };
    let threshold = threshold(args, &relation)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(format!("cem_{source}")));

    let options = CemOptions {
        threshold,
        min_customers: args.min_customers,
        min_expectations: args.min_expectations,
        max_groups: args.max_groups,
        levels: !args.no_levels,
        report_groups: args.report_groups,
        ..CemOptions::default()
    };
    let mut stage_start = Instant::now();
    let mut current: Option<Stage> = None;
    let mut report_stage = |next: Option<Stage>| {
        if let Some(stage) = current {
            let took = stage_start.elapsed().as_secs_f64();
            if took >= 0.1 {
                eprintln!(
                    "[{:6.2} s] {stage}: {took:.2} s",
                    start.elapsed().as_secs_f64()
                );
            }
        }
        current = next;
        stage_start = Instant::now();
    };
    let analysis = CemAnalysis::run(relation, &options, |stage| report_stage(Some(stage)))
        .map_err(|e| hint(&e, args))?;
    report_stage(None);

    analysis
        .write(&out, &memberships_name)
        .map_err(|e| e.to_string())?;
    print!("{}", analysis.summary());
    println!(
        "wrote {} in {:.2} s",
        out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The relation, a short name of its source, and the file name of the
/// memberships in the output folder.
fn load(args: &Args) -> Result<(FuzzyRelation, String, String), Error> {
    if let Some(path) = &args.input {
        let delimiter = u8::try_from(args.delimiter)
            .ok()
            .filter(u8::is_ascii)
            .ok_or_else(|| Error::InvalidParameter {
                name: "--delimiter",
                value: format!("{:?}", args.delimiter),
                expected: "a single ASCII character, such as ',' or ';'".into(),
            })?;
        let options = CsvOptions {
            delimiter,
            decimal_comma: args.decimal_comma,
            ..CsvOptions::default()
        };
        let stem = path
            .file_stem()
            .map_or("input".into(), |s| s.to_string_lossy().into_owned());
        let relation = if args.scale == ScaleArg::None {
            io::read_csv(path, &options)
        } else {
            let table = io::read_table(path, &options)?;
            let scaling = if args.scale == ScaleArg::Minmax {
                Scaling::MinMax
            } else {
                Scaling::Rank
            };
            scale::scale_columns(&table, scaling)
        };
        let relation = relation.map_err(|e| input_error(e, path))?;
        return Ok((relation, stem, "customers.csv".into()));
    }
    let (name, file) = match args.panel {
        Panel::Yogurt => ("yogurt", "yogurt.csv"),
        Panel::Cracker => ("cracker", "cracker.csv"),
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/cpg")
        .join(file);
    let panel = ChoicePanel::read_csv(&path)?;
    eprintln!(
        "{name} panel: {} households, {} purchases, brands {}",
        panel.households().len(),
        panel.purchase_count(),
        panel.brands().join(", ")
    );
    Ok((
        panel.expectations()?,
        name.to_owned(),
        "households.csv".into(),
    ))
}

/// Applies --scale to the degrees derived from a panel, which are shares
/// in [0, 1] already; a scaling makes each expectation relative to the
/// panel (--input is scaled while it is read).
fn rescale_panel(relation: FuzzyRelation, scale: ScaleArg) -> Result<FuzzyRelation, Error> {
    let scaling = match scale {
        ScaleArg::None => return Ok(relation),
        ScaleArg::Minmax => Scaling::MinMax,
        ScaleArg::Rank => Scaling::Rank,
    };
    let table = io::Table {
        row_labels: relation.row_labels().map(<[String]>::to_vec),
        col_labels: relation.col_labels().map(<[String]>::to_vec),
        values: relation.into_array(),
    };
    scale::scale_columns(&table, scaling)
}

fn threshold(args: &Args, relation: &FuzzyRelation) -> Result<Threshold, String> {
    if args.thresholds.is_empty() {
        return Ok(Threshold::Uniform(args.alpha));
    }
    let labels = relation.col_labels().unwrap_or_default();
    let mut alphas = vec![args.alpha; relation.ncols()];
    for pair in &args.thresholds {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            format!("--threshold {pair:?} is not NAME=ALPHA, such as price_sensitivity=0.4")
        })?;
        let col = labels.iter().position(|l| l == name).ok_or_else(|| {
            format!(
                "--threshold names {name:?}, which is not an expectation; expectations are {}",
                labels.join(", ")
            )
        })?;
        let alpha: f64 = value
            .parse()
            .ok()
            .filter(|a| (0.0..=1.0).contains(a))
            .ok_or_else(|| {
                format!("--threshold {pair:?}: {value:?} is not a level inside [0, 1]")
            })?;
        alphas[col] = alpha;
    }
    Ok(Threshold::PerColumn(alphas))
}

fn input_error(err: Error, path: &std::path::Path) -> Error {
    match err {
        Error::Csv {
            line,
            field,
            message,
        } if message.contains("outside [0, 1]") => Error::Csv {
            line,
            field,
            message: format!(
                "{message} (in {}); pass --scale minmax or --scale rank to rescale raw scores",
                path.display()
            ),
        },
        other => other,
    }
}

fn hint(err: &Error, args: &Args) -> String {
    match err {
        Error::LimitExceeded { what, .. } if what.contains("alpha levels") => format!(
            "{err} (pass --no-levels to skip the groups at every alpha, which continuous \
             data with many distinct degrees multiplies, or raise --max-groups)"
        ),
        Error::LimitExceeded { .. } => format!(
            "{err} (raise --max-groups, raise --alpha above {}, or raise --min-customers)",
            args.alpha
        ),
        other => other.to_string(),
    }
}
