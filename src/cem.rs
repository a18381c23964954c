//! A complete CEM analysis of a customers x expectations relation, and its
//! report.
//!
//! [`CemAnalysis::run`] chains the crate's methods the way a customer
//! experience study uses them: the affinity groups at the chosen threshold
//! with their Galois lattice, the groups at every alpha, the proximity
//! between customers (one minus the relative Hamming distance), its
//! similarity closure and the partition tree. [`CemAnalysis::write`] writes
//! the result as a folder of files an analyst can open; docs/cem-guide.md
//! walks through a run.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::affinity::{
    AffinityGroup, AffinityGroups, AffinityLevels, AffinityOptions, Threshold, affinity_groups,
    affinity_levels,
};
use crate::error::{Error, Result};
use crate::io::{self, create_file, io_error};
use crate::parallel::Execution;
use crate::partition::PartitionTree;
use crate::relation::FuzzyRelation;

/// Settings of a [`CemAnalysis`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CemOptions {
    /// The exigency level: one alpha for every expectation, or one per
    /// expectation. Default 0.6: a customer must hold an expectation at
    /// "more true than false" on the 11-point scale or above.
    pub threshold: Threshold,
    /// Smallest number of customers in a reported group. Default 2, since a
    /// service strategy for one customer is not a segment.
    pub min_customers: usize,
    /// Smallest number of shared expectations in a reported group. Default 1.
    pub min_expectations: usize,
    /// Largest number of groups at the threshold, and of groups over all
    /// levels, before the analysis stops with an error. Default 100 000.
    pub max_groups: usize,
    /// Whether to enumerate the groups at every alpha of the relation.
    /// Default true. The analysis skips them, with a note in the report,
    /// when the relation has more than [`MAX_LEVEL_ALPHAS`] distinct
    /// degrees.
    pub levels: bool,
    /// Number of groups described in full in report.md. Default 12; every
    /// group is listed in groups.csv whatever this is.
    pub report_groups: usize,
    /// Serial or parallel kernels.
    pub execution: Execution,
}

impl Default for CemOptions {
    fn default() -> Self {
        Self {
            threshold: Threshold::Uniform(0.6),
            min_customers: 2,
            min_expectations: 1,
            max_groups: 100_000,
            levels: true,
            report_groups: 12,
            execution: Execution::Auto,
        }
    }
}

/// The results of a CEM analysis.
#[derive(Debug, Clone)]
pub struct CemAnalysis {
    relation: FuzzyRelation,
    options: CemOptions,
    groups: AffinityGroups,
    levels: Option<AffinityLevels>,
    /// Distinct degrees of the relation, when there were too many to
    /// enumerate the groups at each.
    levels_skipped: Option<usize>,
    proximity: FuzzyRelation,
    similarity: FuzzyRelation,
    tree: PartitionTree,
}

/// The analysis stages, in the order [`CemAnalysis::run`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Affinity groups and the Galois lattice at the threshold.
    AffinityGroups,
    /// Affinity groups at every alpha of the relation.
    AffinityLevels,
    /// Proximity between customers.
    Proximity,
    /// Similarity closure of the proximity.
    SimilarityClosure,
    /// Partition tree of the similarity relation.
    PartitionTree,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::AffinityGroups => "affinity groups and Galois lattice",
            Stage::AffinityLevels => "affinity groups at every alpha",
            Stage::Proximity => "proximity between customers",
            Stage::SimilarityClosure => "similarity closure",
            Stage::PartitionTree => "partition tree",
        })
    }
}

impl CemAnalysis {
    /// Runs the analysis on a customers x expectations relation, calling
    /// `progress` before each stage.
    ///
    /// Rows without labels are named `customer 0`, `customer 1`, ... and
    /// columns `expectation 0`, ... so that every output can name them.
    ///
    /// # Errors
    ///
    /// The threshold errors of [`affinity_groups`],
    /// [`Error::LimitExceeded`] when the groups exceed
    /// [`CemOptions::max_groups`], and [`Error::TooLarge`] when the
    /// customer x customer proximity would not fit in memory.
    pub fn run(
        relation: FuzzyRelation,
        options: &CemOptions,
        mut progress: impl FnMut(Stage),
    ) -> Result<Self> {
        let relation = with_default_labels(relation)?;
        let affinity_options = AffinityOptions {
            min_rows: options.min_customers,
            min_cols: options.min_expectations,
            max_groups: Some(options.max_groups),
            build_lattice: true,
            execution: options.execution,
            ..AffinityOptions::default()
        };

        progress(Stage::AffinityGroups);
        let groups = affinity_groups(&relation, options.threshold.clone(), &affinity_options)?;

        let distinct = distinct_degrees(&relation);
        let levels_skipped = (options.levels && distinct > MAX_LEVEL_ALPHAS).then_some(distinct);
        let levels = if options.levels && levels_skipped.is_none() {
            progress(Stage::AffinityLevels);
            let levels =
                affinity_levels(&relation, &affinity_options).map_err(|err| match err {
                    Error::LimitExceeded { limit, .. } => Error::LimitExceeded {
                        what: "the affinity groups over all alpha levels",
                        limit,
                    },
                    other => other,
                })?;
            Some(levels)
        } else {
            None
        };

        progress(Stage::Proximity);
        let proximity = relation.hamming_proximity_with(options.execution)?;
        progress(Stage::SimilarityClosure);
        let similarity = proximity.similarity_closure()?;
        progress(Stage::PartitionTree);
        let tree = PartitionTree::from_similarity(&similarity)?;

        Ok(Self {
            relation,
            options: options.clone(),
            groups,
            levels,
            levels_skipped,
            proximity,
            similarity,
            tree,
        })
    }

    /// The customers x expectations relation analysed, with labels.
    pub fn relation(&self) -> &FuzzyRelation {
        &self.relation
    }

    /// The options the analysis ran with.
    pub fn options(&self) -> &CemOptions {
        &self.options
    }

    /// The affinity groups at the threshold, with the lattice's cover edges.
    pub fn groups(&self) -> &AffinityGroups {
        &self.groups
    }

    /// The groups at every alpha, when [`CemOptions::levels`] was set and
    /// the relation has at most [`MAX_LEVEL_ALPHAS`] distinct degrees.
    pub fn levels(&self) -> Option<&AffinityLevels> {
        self.levels.as_ref()
    }

    /// The number of distinct degrees, when it exceeded
    /// [`MAX_LEVEL_ALPHAS`] and the groups at every alpha were skipped.
    pub fn levels_skipped(&self) -> Option<usize> {
        self.levels_skipped
    }

    /// The proximity between customers.
    pub fn proximity(&self) -> &FuzzyRelation {
        &self.proximity
    }

    /// The similarity closure of the proximity.
    pub fn similarity(&self) -> &FuzzyRelation {
        &self.similarity
    }

    /// The partition tree of the similarity relation.
    pub fn tree(&self) -> &PartitionTree {
        &self.tree
    }

    /// Returns the groups in report order: most customers first, then most
    /// expectations, then the crate's group order.
    pub fn ranked_groups(&self) -> Vec<AffinityGroup<'_>> {
        let mut ranked: Vec<AffinityGroup<'_>> = self.groups.iter().collect();
        ranked.sort_by_cached_key(|g| {
            (
                std::cmp::Reverse(g.rows().len()),
                std::cmp::Reverse(g.col_set().count_ones()),
            )
        });
        ranked
    }

    /// A few lines for a terminal: sizes, group count and the largest groups.
    pub fn summary(&self) -> String {
        let (customers, expectations) = self.relation.shape();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{} x {}, threshold {}",
            count(customers, "customer"),
            count(expectations, "expectation"),
            describe_threshold(&self.options.threshold, &self.relation)
        );
        let _ = writeln!(
            text,
            "{} of at least {}, {} in the Galois lattice",
            count(self.groups.len(), "affinity group"),
            count(self.options.min_customers, "customer"),
            count(
                self.groups.lattice().map_or(0, |l| l.cover_edges().len()),
                "cover edge"
            )
        );
        if let Some(distinct) = self.levels_skipped {
            let _ = writeln!(
                text,
                "groups at every alpha skipped: {distinct} distinct degrees (at most \
                 {MAX_LEVEL_ALPHAS} are enumerated)"
            );
        }
        if let Some(levels) = &self.levels {
            let _ = writeln!(
                text,
                "{} groups over {} distinct alpha levels",
                levels.len(),
                levels.alphas().len()
            );
        }
        let _ = writeln!(
            text,
            "partition tree: {} merges, {} distinct levels",
            self.tree.merges().len(),
            self.tree.alphas().len()
        );
        for group in self.ranked_groups().iter().take(3) {
            let _ = writeln!(
                text,
                "  {} {} {} (level {:.2}, mean {:.2})",
                count(group.rows().len(), "customer"),
                if group.rows().len() == 1 {
                    "holds"
                } else {
                    "share"
                },
                names(&group.col_labels().unwrap_or_default()),
                group.level(),
                group.mean()
            );
        }
        text
    }

    /// Writes the analysis into the folder `dir`: report.md, groups.csv,
    /// levels.csv (when levels were computed), lattice.dot, linkage.csv, and
    /// the memberships analysed as CSV under the name `memberships_name`
    /// (such as `households.csv`).
    ///
    /// The files are written into a temporary sibling folder that replaces
    /// `dir` only once every file is complete, so a failure never leaves a
    /// folder that looks finished; the temporary folder is removed on error.
    /// Every output folder holds a marker file, and an existing `dir` is
    /// replaced only when it holds that marker, so a folder of the user's
    /// own is never deleted.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `dir` has no final name (such as
    /// `.`, `..` or `/`) or exists without the marker, and [`Error::Io`]
    /// when a file or folder cannot be written.
    pub fn write(&self, dir: impl AsRef<Path>, memberships_name: &str) -> Result<()> {
        let dir = dir.as_ref();
        check_output_dir(dir)?;
        let staging = staging_dir(dir);
        let _ = std::fs::remove_dir_all(&staging);
        create_dir(&staging)?;
        let written = self.write_files(&staging, memberships_name);
        let result = written.and_then(|()| replace_dir(&staging, dir));
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result
    }

    fn write_files(&self, dir: &Path, memberships_name: &str) -> Result<()> {
        write_text(&dir.join(OUTPUT_MARKER), MARKER_TEXT)?;
        write_text(&dir.join("report.md"), &self.report(memberships_name))?;
        self.write_groups_csv(&dir.join("groups.csv"))?;
        if let Some(levels) = &self.levels {
            write_levels_csv(levels, &dir.join("levels.csv"))?;
        }
        let dot = self
            .groups
            .lattice()
            .map(|l| l.to_dot())
            .unwrap_or_default();
        write_text(&dir.join("lattice.dot"), &dot)?;
        self.tree.write_linkage_csv(dir.join("linkage.csv"))?;
        io::write_csv(&self.relation, dir.join(memberships_name))
    }

    fn write_groups_csv(&self, path: &Path) -> Result<()> {
        let mut writer = csv::Writer::from_writer(create_file(path)?);
        writer.write_record([
            "group",
            "customers",
            "expectations",
            "level",
            "mean",
            "customer_labels",
            "expectation_labels",
        ])?;
        for group in self.groups.iter() {
            writer.write_record([
                group.index().to_string(),
                group.rows().len().to_string(),
                group.cols().len().to_string(),
                group.level().to_string(),
                group.mean().to_string(),
                group.row_labels().unwrap_or_default().join(";"),
                group.col_labels().unwrap_or_default().join(";"),
            ])?;
        }
        writer.flush().map_err(|source| io_error(path, source))
    }

    /// The report as Markdown; `memberships_name` is the file that holds
    /// the memberships.
    pub fn report(&self, memberships_name: &str) -> String {
        let mut report = String::new();
        self.report_header(&mut report, memberships_name);
        self.report_expectations(&mut report);
        self.report_groups(&mut report);
        self.report_levels(&mut report);
        self.report_partition(&mut report);
        report
    }

    fn report_header(&self, out: &mut String, memberships_name: &str) {
        let (customers, expectations) = self.relation.shape();
        let _ = writeln!(out, "# Affinity analysis\n");
        let _ = writeln!(
            out,
            "{}, {}, memberships in `{memberships_name}`. Exigency threshold: {}. \
             Groups have at least {} and {}.\n",
            count(customers, "customer"),
            count(expectations, "expectation"),
            describe_threshold(&self.options.threshold, &self.relation),
            count(self.options.min_customers, "customer"),
            count(self.options.min_expectations, "expectation")
        );
        let _ = writeln!(
            out,
            "An affinity group is a largest set of customers who all hold a largest set \
             of expectations at or above the threshold. Its level is the smallest \
             membership inside the group and its mean the average one.\n"
        );
    }

    fn report_expectations(&self, out: &mut String) {
        let _ = writeln!(out, "## Expectations\n");
        let _ = writeln!(
            out,
            "| expectation | mean degree | customers at or above the threshold |"
        );
        let _ = writeln!(out, "| --- | ---: | ---: |");
        let alphas = column_alphas(&self.options.threshold, self.relation.ncols());
        let values = self.relation.view();
        for (col, column) in values.columns().into_iter().enumerate() {
            let mean = column.sum() / column.len() as f64;
            let holding = column.iter().filter(|&&v| v >= alphas[col]).count();
            let _ = writeln!(
                out,
                "| {} | {mean:.3} | {holding} |",
                self.relation.col_label(col).unwrap_or_default()
            );
        }
        out.push('\n');
    }

    fn report_groups(&self, out: &mut String) {
        let ranked = self.ranked_groups();
        let _ = writeln!(out, "## Affinity groups\n");
        let shown = ranked.len().min(self.options.report_groups);
        if ranked.is_empty() {
            let _ = writeln!(
                out,
                "No group reaches the threshold with these minimum sizes: lower the \
                 threshold or the minimum number of customers.\n"
            );
        } else if shown == ranked.len() {
            let _ = writeln!(
                out,
                "{}, most customers first; groups.csv lists the same.\n",
                count(ranked.len(), "group")
            );
        } else {
            let _ = writeln!(
                out,
                "{}; the {shown} with the most customers follow, and groups.csv \
                 lists all.\n",
                count(ranked.len(), "group")
            );
        }
        for (rank, group) in ranked.iter().take(self.options.report_groups).enumerate() {
            let expectations = group.col_labels().unwrap_or_default();
            let customers = group.row_labels().unwrap_or_default();
            let _ = writeln!(
                out,
                "### {}. {} {} {}\n",
                rank + 1,
                count(customers.len(), "customer"),
                if customers.len() == 1 {
                    "holds"
                } else {
                    "share"
                },
                names(&expectations)
            );
            let _ = writeln!(
                out,
                "- Level {:.3}, mean {:.3}, group {} in groups.csv.",
                group.level(),
                group.mean(),
                group.index()
            );
            let _ = writeln!(out, "- Customers: {}.", abbreviated(&customers, 20));
            let _ = writeln!(out, "- Service emphasis:");
            for label in &expectations {
                let _ = writeln!(out, "  - {}", service_emphasis(label));
            }
            out.push('\n');
        }
    }

    fn report_levels(&self, out: &mut String) {
        if let Some(distinct) = self.levels_skipped {
            let _ = writeln!(
                out,
                "## Groups at each exigency level\n\nSkipped: the memberships hold {distinct} \
                 distinct degrees, more than the {MAX_LEVEL_ALPHAS} alpha levels the analysis \
                 enumerates one by one. Rounding the memberships to a grid (such as the \
                 11-point scale) makes the levels affordable.\n"
            );
        }
        let Some(levels) = &self.levels else {
            return;
        };
        let _ = writeln!(out, "## Groups at each exigency level\n");
        let _ = writeln!(
            out,
            "How many groups exist as the threshold rises ({} distinct alphas in the data; \
             levels.csv gives each group's interval).\n",
            levels.alphas().len()
        );
        let _ = writeln!(out, "| alpha | groups | largest group (customers) |");
        let _ = writeln!(out, "| ---: | ---: | ---: |");
        for tenth in 1..=10 {
            let alpha = f64::from(tenth) / 10.0;
            let (count, largest) = levels.at(alpha).fold((0, 0), |(n, big), g| {
                (n + 1, big.max(g.group().rows().len()))
            });
            let _ = writeln!(out, "| {alpha:.1} | {count} | {largest} |");
        }
        out.push('\n');
    }

    fn report_partition(&self, out: &mut String) {
        let _ = writeln!(out, "## Partition tree of customers\n");
        let _ = writeln!(
            out,
            "Customers are related by one minus the relative Hamming distance between \
             their memberships; the similarity closure of that proximity has nested \
             alpha-cuts. linkage.csv holds the tree in SciPy's layout \
             (`scipy.cluster.hierarchy.dendrogram` draws it).\n"
        );
        let levels = self.tree.levels();
        let deepest = levels
            .iter()
            .map(|l| l.classes.len())
            .filter(|&n| n <= PARTITIONS_SHOWN)
            .max()
            .unwrap_or(1);
        let _ = writeln!(
            out,
            "The coarsest partitions, from the top of the tree down to {}:\n",
            count(deepest, "class")
        );
        let _ = writeln!(out, "| alpha | classes | class sizes |");
        let _ = writeln!(out, "| ---: | ---: | --- |");
        let levels = self.tree.levels();
        for level in levels
            .iter()
            .filter(|l| l.classes.len() <= PARTITIONS_SHOWN)
        {
            let mut sizes: Vec<usize> = level.classes.iter().map(Vec::len).collect();
            sizes.sort_unstable_by(|a, b| b.cmp(a));
            let sizes: Vec<String> = sizes.iter().map(usize::to_string).collect();
            let _ = writeln!(
                out,
                "| {:.4} | {} | {} |",
                level.alpha,
                level.classes.len(),
                sizes.join(", ")
            );
        }
        out.push('\n');
    }
}

/// Most distinct degrees for which [`CemAnalysis::run`] enumerates the
/// groups at every alpha. Each distinct degree costs one enumeration:
/// panel-derived shares have a few hundred (201 for the yogurt panel),
/// while continuous scores have about one per cell.
pub const MAX_LEVEL_ALPHAS: usize = 1000;

fn distinct_degrees(relation: &FuzzyRelation) -> usize {
    let mut bits: Vec<u64> = relation.view().iter().map(|v| v.to_bits()).collect();
    bits.sort_unstable();
    bits.dedup();
    bits.len()
}

/// Number of classes down to which report.md lists the partition tree.
const PARTITIONS_SHOWN: usize = 8;

/// The service a company can design for customers who share `expectation`,
/// in plain words. Labels the crate derives from purchase panels get a
/// specific suggestion; any other label gets a generic one that names it.
pub fn service_emphasis(expectation: &str) -> String {
    if let Some(brand) = expectation.strip_prefix("loyalty_") {
        return format!(
            "loyalty to {brand}: keep {brand} in stock and reward repeat purchases of it"
        );
    }
    let text = match expectation {
        "price_sensitivity" => "price: everyday low prices and visible price comparisons",
        "promotion_response" => {
            "promotions: features, displays and coupons timed to their shopping trips"
        }
        "premium_orientation" => {
            "premium: quality cues, premium lines and new products rather than discounts"
        }
        "variety_seeking" => "variety: a broad, rotating assortment and trial sizes",
        "purchase_frequency" => {
            "frequency: convenience for frequent buyers, such as multipacks and subscriptions"
        }
        other => return format!("{other}: design the offer around this shared expectation"),
    };
    text.to_owned()
}

fn with_default_labels(relation: FuzzyRelation) -> Result<FuzzyRelation> {
    let rows = relation
        .row_labels()
        .map(<[String]>::to_vec)
        .unwrap_or_else(|| {
            (0..relation.nrows())
                .map(|i| format!("customer {i}"))
                .collect()
        });
    let cols = relation
        .col_labels()
        .map(<[String]>::to_vec)
        .unwrap_or_else(|| {
            (0..relation.ncols())
                .map(|j| format!("expectation {j}"))
                .collect()
        });
    relation.with_labels(Some(rows), Some(cols))
}

fn column_alphas(threshold: &Threshold, cols: usize) -> Vec<f64> {
    match threshold {
        Threshold::Uniform(alpha) => vec![*alpha; cols],
        Threshold::PerColumn(alphas) => alphas.clone(),
    }
}

fn describe_threshold(threshold: &Threshold, relation: &FuzzyRelation) -> String {
    match threshold {
        Threshold::Uniform(alpha) => format!("alpha = {alpha}"),
        Threshold::PerColumn(alphas) => {
            let parts: Vec<String> = alphas
                .iter()
                .enumerate()
                .map(|(j, a)| format!("{} >= {a}", relation.col_label(j).unwrap_or_default()))
                .collect();
            format!("per expectation ({})", parts.join(", "))
        }
    }
}

/// `n` followed by `noun`, with an `s` (or `es` after an s) unless n is 1.
fn count(n: usize, noun: &str) -> String {
    match (n, noun.ends_with('s')) {
        (1, _) => format!("1 {noun}"),
        (_, true) => format!("{n} {noun}es"),
        (_, false) => format!("{n} {noun}s"),
    }
}

fn names(labels: &[&str]) -> String {
    match labels {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn abbreviated(labels: &[&str], shown: usize) -> String {
    if labels.len() <= shown {
        labels.join(", ")
    } else {
        format!(
            "{} and {} more",
            labels[..shown].join(", "),
            labels.len() - shown
        )
    }
}

fn write_levels_csv(levels: &AffinityLevels, path: &Path) -> Result<()> {
    let mut writer = csv::Writer::from_writer(create_file(path)?);
    writer.write_record([
        "alpha_above",
        "level",
        "customers",
        "expectations",
        "mean",
        "customer_labels",
        "expectation_labels",
    ])?;
    for entry in levels.iter() {
        let group = entry.group();
        writer.write_record([
            entry
                .alpha_above()
                .map_or_else(String::new, |a| a.to_string()),
            group.level().to_string(),
            group.rows().len().to_string(),
            group.cols().len().to_string(),
            group.mean().to_string(),
            group.row_labels().unwrap_or_default().join(";"),
            group.col_labels().unwrap_or_default().join(";"),
        ])?;
    }
    writer.flush().map_err(|source| io_error(path, source))
}

/// Name of the marker file that identifies a folder written by
/// [`CemAnalysis::write`].
const OUTPUT_MARKER: &str = ".fuzzy-affinity-output";

const MARKER_TEXT: &str = "This folder was written by fuzzy-affinity's CEM analysis; \
     the next run to the same folder replaces it.\n";

/// Rejects an output folder that has no final name, or that exists and was
/// not written by [`CemAnalysis::write`].
fn check_output_dir(dir: &Path) -> Result<()> {
    let has_name = dir
        .components()
        .next_back()
        .is_some_and(|c| matches!(c, std::path::Component::Normal(_)));
    if !has_name {
        return Err(Error::InvalidParameter {
            name: "output folder",
            value: dir.display().to_string(),
            expected: "a path that ends in a folder name, such as out/cem_yogurt".into(),
        });
    }
    let exists = std::fs::symlink_metadata(dir).is_ok();
    if exists && !dir.join(OUTPUT_MARKER).is_file() {
        return Err(Error::InvalidParameter {
            name: "output folder",
            value: dir.display().to_string(),
            expected: "a new folder, or one written by an earlier run; this one exists and \
                       holds other files, so choose another folder or remove it yourself"
                .into(),
        });
    }
    Ok(())
}

fn staging_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

fn replace_dir(staging: &Path, dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|source| io_error(dir, source))?;
    }
    std::fs::rename(staging, dir).map_err(|source| io_error(dir, source))
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| io_error(dir, source))
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    let mut file = create_file(path)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|source| io_error(path, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_agrees_in_number() {
        assert_eq!(count(1, "customer"), "1 customer");
        assert_eq!(count(0, "group"), "0 groups");
        assert_eq!(count(3, "class"), "3 classes");
    }

    #[test]
    fn names_joins_with_and() {
        assert_eq!(names(&["a"]), "a");
        assert_eq!(names(&["a", "b", "c"]), "a, b and c");
        assert_eq!(abbreviated(&["a", "b", "c"], 2), "a, b and 1 more");
    }

    #[test]
    fn service_emphasis_names_every_label() {
        assert!(service_emphasis("loyalty_dannon").contains("dannon"));
        assert!(service_emphasis("price_sensitivity").starts_with("price"));
        assert!(service_emphasis("fast delivery").starts_with("fast delivery"));
    }

    #[test]
    fn write_keeps_folders_it_did_not_create() {
        let r = FuzzyRelation::from_rows([[0.9, 0.8], [0.9, 0.7]]).unwrap();
        let analysis = CemAnalysis::run(r, &CemOptions::default(), |_| {}).unwrap();
        let root =
            std::env::temp_dir().join(format!("fuzzy-affinity-marker-{}", std::process::id()));
        let own = root.join("own");
        std::fs::create_dir_all(&own).unwrap();
        std::fs::write(own.join("notes.txt"), "mine").unwrap();

        let err = analysis.write(&own, "m.csv").unwrap_err();
        assert!(err.to_string().contains("holds other files"), "{err}");
        assert!(own.join("notes.txt").is_file());
        for bad in [".", "..", "/", "out/.."] {
            assert!(analysis.write(bad, "m.csv").is_err(), "{bad}");
        }

        let fresh = root.join("fresh");
        analysis.write(&fresh, "m.csv").unwrap();
        analysis.write(&fresh, "m.csv").unwrap();
        assert!(fresh.join("report.md").is_file());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn levels_are_skipped_for_continuous_data() {
        let rows: Vec<Vec<f64>> = (0..60)
            .map(|i| {
                (0..20)
                    .map(|j| ((i * 20 + j) as f64 * 0.618_033_988).fract())
                    .collect()
            })
            .collect();
        let r = FuzzyRelation::from_rows(rows).unwrap();
        let analysis = CemAnalysis::run(r, &CemOptions::default(), |_| {}).unwrap();
        assert_eq!(analysis.levels_skipped(), Some(1200));
        assert!(analysis.levels().is_none());
        assert!(
            analysis
                .report("m.csv")
                .contains("Skipped: the memberships hold 1200")
        );
    }

    #[test]
    fn unlabelled_relations_get_names() {
        let r = FuzzyRelation::from_rows([[0.9, 0.8], [0.9, 0.7], [0.1, 0.9]]).unwrap();
        let analysis = CemAnalysis::run(r, &CemOptions::default(), |_| {}).unwrap();
        assert_eq!(analysis.relation().row_label(2), Some("customer 2"));
        assert_eq!(analysis.relation().col_label(1), Some("expectation 1"));
        let report = analysis.report("memberships.csv");
        assert!(report.contains("customer 0, customer 1"), "{report}");
    }
}
