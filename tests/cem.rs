//! The CEM analysis on the bundled yogurt panel, and the command-line
//! example's handling of bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use fuzzy_affinity::cem::{CemAnalysis, CemOptions};
use fuzzy_affinity::panel::ChoicePanel;
use fuzzy_affinity::{AffinityOptions, Threshold, affinity_groups};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(path)
}

fn yogurt_analysis(options: &CemOptions) -> CemAnalysis {
    let panel = ChoicePanel::read_csv(data("cpg/yogurt.csv")).unwrap();
    CemAnalysis::run(panel.expectations().unwrap(), options, |_| {}).unwrap()
}

#[test]
fn yogurt_panel_shape_and_degrees() {
    let panel = ChoicePanel::read_csv(data("cpg/yogurt.csv")).unwrap();
    assert_eq!(panel.households().len(), 100);
    assert_eq!(panel.purchase_count(), 2412);
    assert_eq!(panel.brands(), ["yoplait", "dannon", "hiland", "weight"]);
    let relation = panel.expectations().unwrap();
    assert_eq!(relation.shape(), (100, 9));
    // Loyalty shares of each household add up to 1 over the four brands.
    for row in relation.view().rows() {
        let total: f64 = row.iter().take(4).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }
}

#[test]
fn report_invariants_on_yogurt() {
    let options = CemOptions::default();
    let analysis = yogurt_analysis(&options);
    let relation = analysis.relation();
    let Threshold::Uniform(alpha) = options.threshold else {
        panic!("the default threshold is uniform");
    };

    let direct = affinity_groups(
        relation,
        alpha,
        &AffinityOptions {
            min_rows: options.min_customers,
            min_cols: options.min_expectations,
            ..AffinityOptions::default()
        },
    )
    .unwrap();
    assert_eq!(analysis.groups().len(), direct.len());
    assert!(!direct.is_empty());

    let households = relation.row_labels().unwrap();
    for group in analysis.groups().iter() {
        assert!(
            group.level() >= alpha,
            "group {} level {}",
            group.index(),
            group.level()
        );
        assert!(group.rows().len() >= options.min_customers);
        for label in group.row_labels().unwrap() {
            assert!(
                households.iter().any(|h| h == label),
                "unknown household {label}"
            );
        }
    }

    let report = analysis.report("households.csv");
    let described = report.matches("\n### ").count();
    assert_eq!(described, direct.len().min(options.report_groups));
    for group in analysis.ranked_groups().iter().take(options.report_groups) {
        assert!(report.contains(&format!("group {} in groups.csv", group.index())));
    }
}

#[test]
fn levels_contain_the_threshold_groups() {
    let analysis = yogurt_analysis(&CemOptions::default());
    let levels = analysis.levels().unwrap();
    let at_threshold: Vec<Vec<u32>> = levels.at(0.6).map(|g| g.group().rows().to_vec()).collect();
    assert_eq!(at_threshold.len(), analysis.groups().len());
    for group in analysis.groups().iter() {
        assert!(at_threshold.contains(&group.rows().to_vec()));
    }
}

#[test]
fn similarity_and_tree_agree() {
    let analysis = yogurt_analysis(&CemOptions::default());
    assert!(analysis.similarity().is_similarity());
    assert_eq!(analysis.tree().merges().len(), 99);
    let top = analysis.tree().merges().last().unwrap();
    assert_eq!(top.size, 100);
}

#[test]
fn write_creates_every_file() {
    let analysis = yogurt_analysis(&CemOptions::default());
    let dir = std::env::temp_dir().join(format!("fuzzy-affinity-cem-{}", std::process::id()));
    analysis.write(&dir, "households.csv").unwrap();
    for file in [
        "report.md",
        "groups.csv",
        "levels.csv",
        "lattice.dot",
        "linkage.csv",
        "households.csv",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    let groups = std::fs::read_to_string(dir.join("groups.csv")).unwrap();
    assert_eq!(groups.lines().count(), analysis.groups().len() + 1);
    let linkage = std::fs::read_to_string(dir.join("linkage.csv")).unwrap();
    assert_eq!(linkage.lines().count(), 100);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The example binary, built on demand in the test profile's folder.
fn example_binary() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", "cem_affinity"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success());
    let deps = std::env::current_exe().unwrap();
    let profile = deps.parent().unwrap().parent().unwrap();
    profile.join("examples").join("cem_affinity")
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("fuzzy-affinity-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn cli_rejects_bad_input_without_output() {
    let binary = example_binary();
    let scratch = Scratch::new("cli-bad");
    let write = |name: &str, text: &str| {
        let path = scratch.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--input".into(),
                scratch.0.join("missing.csv").display().to_string(),
            ],
            "cannot access",
        ),
        (
            vec![
                "--input".into(),
                write("empty.csv", "").display().to_string(),
            ],
            "empty",
        ),
        (
            vec![
                "--input".into(),
                write("header.csv", "id,a,b\n").display().to_string(),
            ],
            "header",
        ),
        (
            vec![
                "--input".into(),
                write("text.csv", "id,a\nx,high\n").display().to_string(),
            ],
            "not a number",
        ),
        (
            vec![
                "--input".into(),
                write("range.csv", "id,a\nx,7\n").display().to_string(),
            ],
            "--scale minmax",
        ),
        (
            vec![
                "--input".into(),
                write("dup.csv", "id,a\nx,0.5\nx,0.6\n")
                    .display()
                    .to_string(),
            ],
            "duplicate",
        ),
        (vec!["--alpha".into(), "1.5".into()], "outside [0, 1]"),
        (
            vec![
                "--input".into(),
                write("ok.csv", "id,a\nx,0.5\n").display().to_string(),
                "--delimiter".into(),
                "§".into(),
            ],
            "ASCII",
        ),
        (
            vec!["--threshold".into(), "nothing=0.5".into()],
            "not an expectation",
        ),
    ];
    for (args, needle) in cases {
        let out = scratch.0.join("out");
        let output = Command::new(&binary)
            .args(&args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(
            stderr.trim().lines().last().unwrap().starts_with("error: "),
            "{stderr}"
        );
        assert!(!out.exists(), "{args:?} left an output folder");
    }
}

#[test]
fn cli_scales_raw_scores() {
    let binary = example_binary();
    let scratch = Scratch::new("cli-raw");
    let input = scratch.0.join("raw.csv");
    std::fs::write(
        &input,
        "customer,visits,spend\na,1,10\nb,5,50\nc,4,45\nd,2,12\n",
    )
    .unwrap();
    let out = scratch.0.join("report");
    let output = Command::new(&binary)
        .arg("--input")
        .arg(&input)
        .args(["--scale", "minmax", "--alpha", "0.7", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let groups = std::fs::read_to_string(out.join("groups.csv")).unwrap();
    assert!(groups.contains("b;c,visits;spend"), "{groups}");
    assert!(out.join("customers.csv").is_file());
}

#[test]
fn bfi_likert_conversion_counts() {
    use fuzzy_affinity::io::{self, CsvOptions};
    use fuzzy_affinity::scale::{LikertScale, MissingAnswers};

    let options = CsvOptions {
        allow_missing: true,
        ..CsvOptions::default()
    };
    let table = io::read_table(data("survey/bfi.csv"), &options).unwrap();
    assert_eq!(table.values.dim(), (2800, 28));
    let items: Vec<usize> = (0..25).collect();
    let items_only = io::Table {
        values: table.values.select(ndarray::Axis(1), &items),
        row_labels: table.row_labels.clone(),
        col_labels: None,
    };
    let scale = LikertScale::new(1, 6).unwrap();
    let dropped = scale
        .relation(&items_only, &[0], MissingAnswers::DropRow)
        .unwrap();
    assert_eq!(dropped.relation.nrows(), 2436);
    assert_eq!(dropped.dropped_rows.len(), 364);
    // Respondent 61617 answered A1 = 2, reverse-keyed on 1..=6: (6 - 2) / 5.
    assert_eq!(dropped.relation.row_label(0), Some("61617"));
    assert_eq!(dropped.relation.get(0, 0), Some(0.8));
    let zeroed = scale
        .relation(&items_only, &[], MissingAnswers::Zero)
        .unwrap();
    assert_eq!(zeroed.relation.nrows(), 2800);
}
