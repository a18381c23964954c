//! Affinity groups, their Galois lattice and maximal similarity
//! subrelations.
//!
//! An affinity group of a fuzzy relation R at threshold alpha is a pair
//! (A, B) of a row set and a column set with R(a, b) >= alpha for every
//! a in A and b in B, such that no row can be added to A and no column to B
//! without breaking that: a formal concept (extent A, intent B) of the
//! alpha-cut. Kaufmann and Gil-Aluja call the collection, ordered by
//! inclusion of A, the Galois lattice of the relation.
//!
//! - [`affinity_groups`] enumerates the groups at one threshold, with
//!   iceberg bounds, a cap, and optionally the lattice's cover edges.
//! - [`affinity_levels`] returns the groups of every distinct alpha at
//!   once, each with the alpha interval over which it exists.
//! - [`maximal_similarity_subrelations`] lists the maximal sets of elements
//!   of a proximity relation that are pairwise related at level alpha.
//! - [`burmeister_cxt`] writes an alpha-cut as a context that formal
//!   concept analysis tools open.
//!
//! docs/algorithms.md describes the enumeration and its cost.

mod cbo;
mod cliques;
mod export;
mod groups;
mod lattice;
mod levels;
mod mask;
mod store;

use serde::{Deserialize, Serialize};

pub use cliques::maximal_similarity_subrelations_with;
pub use cliques::{CliqueOptions, SimilaritySubrelations, maximal_similarity_subrelations};
pub use export::burmeister_cxt;
pub use groups::{AffinityGroup, AffinityGroups, affinity_groups};
pub use lattice::GaloisLattice;
pub use levels::{AffinityLevels, LevelGroup, affinity_levels};

use crate::parallel::Execution;

/// The threshold of an alpha-cut: one alpha for the whole relation, or one
/// per column (Gil-Aluja's per-characteristic thresholds).
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::Threshold;
///
/// assert_eq!(Threshold::from(0.7), Threshold::Uniform(0.7));
/// assert_eq!(Threshold::from(vec![0.7, 0.5]), Threshold::PerColumn(vec![0.7, 0.5]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// The same alpha for every column.
    Uniform(f64),
    /// `alphas[j]` for column `j`; one entry per column.
    PerColumn(Vec<f64>),
}

impl From<f64> for Threshold {
    fn from(alpha: f64) -> Self {
        Threshold::Uniform(alpha)
    }
}

impl From<Vec<f64>> for Threshold {
    fn from(alphas: Vec<f64>) -> Self {
        Threshold::PerColumn(alphas)
    }
}

impl From<&[f64]> for Threshold {
    fn from(alphas: &[f64]) -> Self {
        Threshold::PerColumn(alphas.to_vec())
    }
}

/// Options of [`affinity_groups`] and [`affinity_levels`].
///
/// The default reports every group with both sides non-empty, with no cap,
/// no lattice, a non-strict cut, and automatic parallelism.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffinityOptions {
    /// Cut with R(i, j) > alpha instead of R(i, j) >= alpha.
    pub strict: bool,
    /// Smallest number of rows a reported group has. Larger values prune
    /// the search (an iceberg lattice), they do not filter after it.
    pub min_rows: usize,
    /// Smallest number of columns a reported group has; pruned during the
    /// search as well.
    pub min_cols: usize,
    /// Largest number of groups to return; more gives
    /// [`Error::LimitExceeded`](crate::Error::LimitExceeded). `None` is no cap.
    pub max_groups: Option<usize>,
    /// Also report the lattice's top element (all rows) and bottom element
    /// (all columns) when one of their sides is empty. They are reported
    /// anyway when both sides are non-empty.
    pub include_top_bottom: bool,
    /// Compute the cover edges of the Galois lattice.
    pub build_lattice: bool,
    /// Serial or parallel enumeration.
    pub execution: Execution,
}

impl Default for AffinityOptions {
    fn default() -> Self {
        Self {
            strict: false,
            min_rows: 0,
            min_cols: 0,
            max_groups: None,
            include_top_bottom: false,
            build_lattice: false,
            execution: Execution::Auto,
        }
    }
}
