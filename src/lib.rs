//! Fuzzy relations for customer experience management (CEM).
//!
//! A company surveys customers on the expectations they hold; each answer is
//! a membership degree in [0, 1], and the answers form a [`FuzzyRelation`]
//! between customers and expectations. This crate runs the methods that CEM
//! research applies to such relations: alpha-cuts, max-min composition,
//! transitive closures and partition trees, Kaufmann and Gil-Aluja's affinity
//! groups with their Galois lattice, maximal similarity subrelations, and
//! forgotten effects.
//!
//! # Conventions
//!
//! - Membership degrees are finite `f64` values inside [0, 1]. Constructors
//!   and readers reject anything else with an [`Error`] that names the row,
//!   the column and the value; nothing is clamped.
//! - An alpha-cut keeps R(i, j) >= alpha; the strict alpha-cut keeps
//!   R(i, j) > alpha. A threshold that is NaN or outside [0, 1] is an error.
//! - Indexes are 0-based. Labels, when present, travel with every result.
//! - Results are deterministic, whatever the number of threads.
//!
//! # Example
//!
//! ```
//! use fuzzy_affinity::FuzzyRelation;
//!
//! // Three customers, three expectations (price, speed, advice).
//! let r = FuzzyRelation::from_rows([
//!     [0.9, 0.8, 0.1],
//!     [0.8, 0.9, 0.3],
//!     [0.2, 0.7, 1.0],
//! ])?
//! .with_row_labels(["ana", "ben", "eva"])?
//! .with_col_labels(["price", "speed", "advice"])?;
//!
//! // Customers holding each expectation at degree 0.8 or more.
//! let cut = r.alpha_cut(0.8)?;
//! assert_eq!(cut.column(0).to_vec(), vec![0, 1]); // price: ana, ben
//! assert_eq!(cut.row(2).to_vec(), vec![2]); // eva: advice only
//! # Ok::<(), fuzzy_affinity::Error>(())
//! ```
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![deny(unsafe_code)]

mod affinity;
pub mod bitset;
pub mod cem;
mod closure;
mod compose;
mod crisp;
mod error;
pub mod forgotten;
pub mod io;
mod memory;
pub mod panel;
mod parallel;
mod partition;
mod proximity;
mod rank;
mod relation;
pub mod scale;
mod sorted_edges;
mod spanning_tree;
mod tnorm;

pub use affinity::{
    AffinityGroup, AffinityGroups, AffinityLevels, AffinityOptions, CliqueOptions, GaloisLattice,
    LevelGroup, SimilaritySubrelations, Threshold, affinity_groups, affinity_levels,
    burmeister_cxt, maximal_similarity_subrelations, maximal_similarity_subrelations_with,
};
pub use closure::{ClosureAlgorithm, FILL_PARALLEL_CUTOFF};
pub use compose::COMPOSE_PARALLEL_CUTOFF;
pub use crisp::CrispRelation;
pub use error::{Axis, Error, Result};
pub use memory::available_bytes;
pub use parallel::Execution;
pub use partition::{Merge, PartitionLevel, PartitionTree};
pub use relation::FuzzyRelation;
pub use tnorm::{Lukasiewicz, Minimum, Product, TNorm};

/// The README's code blocks, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
