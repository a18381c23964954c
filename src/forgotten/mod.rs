//! Forgotten effects (Kaufmann and Gil-Aluja, 1988): the indirect incidences
//! that experts overlook, with the intermediaries that produce them, for one
//! expert and for a panel of experts.
//!
//! # One expert
//!
//! - [`chained_forgotten_effects`]: the chained bipartite form. Causes-causes
//!   `A` (n x n), causes-effects `M` (n x m) and effects-effects `B` (m x m)
//!   give the accumulated incidence `M* = A o M o B` (max-min) and the
//!   forgotten effects `M* - M`. Every selected effect lists each pair
//!   (cause `k`, effect `l`) with `min(A[i][k], M[k][l], B[l][j]) = M*[i][j]`.
//! - [`complete_forgotten_effects`]: the complete-graph form. One square
//!   incidence matrix `T` has the max-min powers `T^1 = T`,
//!   `T^k = T^(k-1) o T`, and the effects of order `k` are the cells where
//!   `T^k` exceeds `T^(k-1)` by more than the threshold. Each effect lists the
//!   walks `from -> through_1 -> ... -> through_(k-1) -> to` of exactly `k`
//!   edges whose weakest edge equals `T^k[from][to]`. [`chained_graph`] turns
//!   `A`, `M` and `B` into the block matrix `[[A, M], [0, B]]` for this form.
//!
//! # Several experts
//!
//! An [`ExpertGraph`] contains one incidence matrix per expert, either complete
//! or chained. [`direct_effects`], [`margins`] and
//! [`expert_forgotten_effects`] bootstrap over the experts with a caller
//! given seed; [`analyse`] runs all three. [`resampled_forgotten_effects`]
//! follows forgeffects instead: it draws synthetic experts edge by edge
//! from the panel's degrees and aggregates their forgotten effects.
//!
//! # Conventions
//!
//! - **Reflexivity.** `A`, `B` and a complete-graph matrix must have every
//!   diagonal degree equal to 1. Any other diagonal is rejected with
//!   [`Error::PropertyViolated`] naming the entry; nothing is forced to 1.
//!   forgeffects 0.2.5 overwrites the diagonal with 1 instead, and foRgotten
//!   1.1 documents these inputs as reflexive. Set the diagonal yourself
//!   before calling when your data leaves it blank.
//! - **Selection.** An effect is selected when `M* - M > thr`
//!   ([`Comparison::Strict`], the default, as both peers do) or when
//!   `M* - M >= thr` and `M* > M` ([`Comparison::NonStrict`]). The
//!   comparison is exact on the decimal numbers the inputs denote (the
//!   shortest decimal that reads back to the same `f64`), so `0.9 - 0.7` is
//!   exactly `0.2` and float noise never flips a decision.
//! - **Paths.** Every tied path is listed, in lexicographic order of its
//!   nodes, up to [`ForgottenOptions::max_paths`] per effect. The exact
//!   number of tied paths is always reported.
//!
//! [`Error::PropertyViolated`]: crate::Error::PropertyViolated

mod bootstrap;
mod compare;
mod experts;
mod io;
mod resample;
mod single;
mod stats;

pub use bootstrap::{
    BootstrapOptions, Inference, Interval, IntervalMethod, TwoSidedTest, UpperBound,
};
pub use experts::{
    Analysis, DirectEffect, ExpertGraph, ExpertStack, Margin, MarginSample, Margins, PathSummary,
    analyse, direct_effects, expert_forgotten_effects, margins, margins_with,
};
pub use io::{read_long_csv, read_long_csv_from};
pub use resample::{ResampledPath, resampled_forgotten_effects};
pub use single::{
    ChainedAnalysis, ChainedEffect, ChainedPath, CompleteAnalysis, Effect, OrderEffects,
    chained_forgotten_effects, chained_graph, complete_forgotten_effects,
};

use crate::error::{Error, Result};

/// The comparison of the forgotten part `M* - M` with the threshold.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Comparison {
    /// `M* - M > thr`: the rule of both peer packages.
    #[default]
    Strict,
    /// `M* - M >= thr` and `M* > M`, so a threshold of 0 never selects an
    /// unchanged cell.
    NonStrict,
}

/// Parameters of a forgotten-effects analysis.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForgottenOptions {
    /// Significance threshold `thr` in [0, 1] on the forgotten part.
    /// Default 0.5, as in both peer packages.
    pub threshold: f64,
    /// Strict or non-strict comparison with the threshold. Default strict.
    pub comparison: Comparison,
    /// Highest order of the complete-graph form, at least 2. Default 2. The
    /// chained form has the single order of `A o M o B` and ignores it.
    pub max_order: usize,
    /// Most tied paths listed per effect, at least 1. Default 1000. The
    /// exact number of tied paths is reported whatever this limit.
    pub max_paths: usize,
}

impl Default for ForgottenOptions {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            comparison: Comparison::Strict,
            max_order: 2,
            max_paths: 1000,
        }
    }
}

impl ForgottenOptions {
    /// Options with threshold `threshold` and the other fields at their
    /// defaults.
    pub fn with_threshold(threshold: f64) -> Self {
        Self {
            threshold,
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::InvalidParameter {
                name: "forgotten-effects threshold",
                value: self.threshold.to_string(),
                expected: "a number inside [0, 1]".into(),
            });
        }
        if self.max_order < 2 {
            return Err(Error::InvalidParameter {
                name: "maximum order",
                value: self.max_order.to_string(),
                expected: "an order of at least 2 (order 1 is the direct effect)".into(),
            });
        }
        if self.max_paths == 0 {
            return Err(Error::InvalidParameter {
                name: "maximum paths per effect",
                value: "0".into(),
                expected: "at least 1".into(),
            });
        }
        Ok(())
    }

    /// Whether `accumulated` exceeds `direct` enough to be selected.
    pub(crate) fn selects(&self, accumulated: f64, direct: f64) -> bool {
        compare::exceeds(accumulated, direct, self.threshold, self.comparison)
    }
}

/// Requests below this size skip the memory check, which reads
/// `/proc/meminfo` and would dominate small analyses.
const CHECKED_BYTES: u128 = 1 << 26;

/// Returns an error when a request of `bytes` (64 MiB or more) cannot be
/// allocated.
pub(crate) fn ensure_fits(what: impl FnOnce() -> String, bytes: u128) -> Result<()> {
    if bytes < CHECKED_BYTES {
        return Ok(());
    }
    crate::memory::ensure_fits(what, bytes)
}

/// Rejects a square matrix whose diagonal is not all 1.
pub(crate) fn require_unit_diagonal(
    relation: &crate::FuzzyRelation,
    operation: &'static str,
    role: &str,
) -> Result<()> {
    relation.require_square(operation)?;
    for i in 0..relation.nrows() {
        let value = relation.view()[(i, i)];
        if value != 1.0 {
            return Err(Error::PropertyViolated {
                operation,
                property: "reflexive",
                detail: format!(
                    "{role} has diagonal degree {value} at {} (row {i}, column {i}); \
                     set every diagonal degree to 1",
                    relation.row_name(i)
                ),
            });
        }
    }
    Ok(())
}
