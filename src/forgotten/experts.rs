//! Panels of experts: direct effects, margins and forgotten effects with a
//! bootstrap over the experts.

use std::collections::{BTreeMap, BTreeSet};

use ndarray::{Array3, Axis as NdAxis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bootstrap::{
    BootstrapOptions, ExpertDraws, Inference, Interval, Replicates, StreamKind, TwoSidedTest,
    UpperBound, is_constant, mean, require_experts, require_test_threshold,
};
use super::single::{chained_graph, check_chain, complete_unchecked};
use super::{ForgottenOptions, require_unit_diagonal};
use crate::error::{Error, Result};
use crate::parallel::Execution;
use crate::relation::FuzzyRelation;

/// One fuzzy relation per expert, all of the same shape and labels.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::FuzzyRelation;
/// use fuzzy_affinity::forgotten::ExpertStack;
///
/// let stack = ExpertStack::new(vec![
///     FuzzyRelation::from_rows([[1.0, 0.2], [0.4, 1.0]])?,
///     FuzzyRelation::from_rows([[1.0, 0.6], [0.0, 1.0]])?,
/// ])?;
/// assert_eq!(stack.experts(), 2);
/// assert_eq!(stack.mean().get(0, 1), Some(0.4));
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExpertStack {
    relations: Vec<FuzzyRelation>,
}

impl ExpertStack {
    /// Creates a stack from one relation per expert.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for an empty list and
    /// [`Error::InvalidExpert`] for an expert whose shape or labels differ
    /// from those of expert 0.
    pub fn new(relations: Vec<FuzzyRelation>) -> Result<Self> {
        let Some(first) = relations.first() else {
            return Err(Error::InvalidParameter {
                name: "number of experts",
                value: "0".into(),
                expected: "at least one expert matrix".into(),
            });
        };
        for (expert, relation) in relations.iter().enumerate().skip(1) {
            if relation.shape() != first.shape() {
                return Err(Error::InvalidExpert {
                    expert,
                    detail: format!(
                        "shape {:?} differs from the shape {:?} of expert 0; \
                         every expert needs the same shape",
                        relation.shape(),
                        first.shape()
                    ),
                });
            }
            if relation.row_labels() != first.row_labels()
                || relation.col_labels() != first.col_labels()
            {
                return Err(Error::InvalidExpert {
                    expert,
                    detail: "labels differ from those of expert 0; give every expert the \
                             same row and column labels in the same order"
                        .into(),
                });
            }
        }
        Ok(Self { relations })
    }

    /// Creates a stack from an array indexed `[expert, from, to]`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the array has no expert,
    /// [`Error::EmptyRelation`] when a matrix side is 0, and
    /// [`Error::InvalidExpert`] naming the expert, row, column and value of
    /// the first degree that is NaN, infinite or outside [0, 1].
    pub fn from_array3(values: Array3<f64>) -> Result<Self> {
        let relations = values
            .axis_iter(NdAxis(0))
            .enumerate()
            .map(|(expert, matrix)| {
                FuzzyRelation::new(matrix.to_owned()).map_err(|error| match error {
                    Error::InvalidDegree { row, col, value } => Error::InvalidExpert {
                        expert,
                        detail: format!(
                            "invalid membership degree {value} at row {row}, column {col}: \
                             degrees must be finite and inside [0, 1]"
                        ),
                    },
                    other => other,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Self::new(relations)
    }

    /// Sets the row and column labels of every expert.
    ///
    /// # Errors
    ///
    /// As [`FuzzyRelation::with_labels`].
    pub fn with_labels(
        self,
        row_labels: Option<Vec<String>>,
        col_labels: Option<Vec<String>>,
    ) -> Result<Self> {
        let relations = self
            .relations
            .into_iter()
            .map(|r| r.with_labels(row_labels.clone(), col_labels.clone()))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { relations })
    }

    /// Number of experts.
    pub fn experts(&self) -> usize {
        self.relations.len()
    }

    /// Shape (rows, columns) shared by every expert.
    pub fn shape(&self) -> (usize, usize) {
        self.relations[0].shape()
    }

    /// The relations, one per expert.
    pub fn relations(&self) -> &[FuzzyRelation] {
        &self.relations
    }

    /// The relation of expert `expert`, or `None` out of bounds.
    pub fn expert(&self, expert: usize) -> Option<&FuzzyRelation> {
        self.relations.get(expert)
    }

    /// The mean incidence over experts, cell by cell, summed in expert order
    /// and divided by the number of experts; it carries the labels.
    pub fn mean(&self) -> FuzzyRelation {
        let mut total = self.relations[0].view().to_owned();
        for relation in &self.relations[1..] {
            total += &relation.view();
        }
        let count = self.relations.len() as f64;
        total.mapv_inplace(|v| v / count);
        // A mean of degrees in [0, 1] stays in [0, 1].
        self.relations[0].same_labels(total)
    }
}

/// A panel of experts' incidence graphs, complete or chained bipartite,
/// each stored as one square matrix over all nodes (causes first).
#[derive(Debug, Clone, PartialEq)]
pub struct ExpertGraph {
    matrices: Vec<FuzzyRelation>,
    /// Number of cause nodes of a chained graph; `None` for a complete graph.
    causes: Option<usize>,
}

impl ExpertGraph {
    /// A complete graph per expert: one square incidence matrix each.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidExpert`] when an expert's matrix is not square with
    /// every diagonal degree 1.
    pub fn complete(stack: ExpertStack) -> Result<Self> {
        for (expert, relation) in stack.relations.iter().enumerate() {
            require_unit_diagonal(relation, "complete expert graph", "the incidence matrix")
                .map_err(|error| Error::InvalidExpert {
                    expert,
                    detail: error.to_string(),
                })?;
        }
        Ok(Self {
            matrices: stack.relations,
            causes: None,
        })
    }

    /// A chained bipartite graph per expert: causes-causes `A`, causes-effects
    /// `M` and effects-effects `B`, stored as `[[A, M], [0, B]]`. The
    /// effects-to-causes block is not an edge: direct effects and margins
    /// leave it out.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the three stacks hold different
    /// numbers of experts, and [`Error::InvalidExpert`] wrapping the shape
    /// and diagonal errors of [`chained_graph`].
    pub fn chained(
        causes: ExpertStack,
        incidence: ExpertStack,
        effects: ExpertStack,
    ) -> Result<Self> {
        let experts = causes.experts();
        if incidence.experts() != experts || effects.experts() != experts {
            return Err(Error::InvalidParameter {
                name: "number of experts",
                value: format!(
                    "{} (A), {} (M), {} (B)",
                    experts,
                    incidence.experts(),
                    effects.experts()
                ),
                expected: "the same experts in A, M and B".into(),
            });
        }
        let matrices = (0..experts)
            .map(|expert| {
                let (a, m, b) = (
                    &causes.relations[expert],
                    &incidence.relations[expert],
                    &effects.relations[expert],
                );
                check_chain(a, m, b, "chained expert graph")
                    .and_then(|()| chained_graph(a, m, b))
                    .map_err(|error| Error::InvalidExpert {
                        expert,
                        detail: error.to_string(),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            matrices,
            causes: Some(causes.shape().0),
        })
    }

    /// Number of experts.
    pub fn experts(&self) -> usize {
        self.matrices.len()
    }

    /// Number of nodes (causes and effects of a chained graph together).
    pub fn nodes(&self) -> usize {
        self.matrices[0].nrows()
    }

    /// Number of cause nodes of a chained graph, `None` for a complete one.
    pub fn causes(&self) -> Option<usize> {
        self.causes
    }

    /// The name of node `node`: its label, or `row {node}`.
    pub fn node_name(&self, node: usize) -> String {
        self.matrices[0].row_name(node)
    }

    /// The square matrix of expert `expert` over all nodes.
    pub fn expert(&self, expert: usize) -> Option<&FuzzyRelation> {
        self.matrices.get(expert)
    }

    /// Whether (`from`, `to`) is an edge: not a loop, and not from an effect
    /// to a cause of a chained graph.
    pub fn is_edge(&self, from: usize, to: usize) -> bool {
        from != to
            && match self.causes {
                Some(n) => !(from >= n && to < n),
                None => true,
            }
    }

    fn degrees(&self, from: usize, to: usize) -> Vec<f64> {
        self.matrices.iter().map(|m| m.view()[(from, to)]).collect()
    }
}

/// The mean incidence of one edge over experts, with a one-sided bootstrap
/// test against the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectEffect {
    /// Index of the origin node.
    pub from: usize,
    /// Index of the destination node.
    pub to: usize,
    /// Mean incidence over experts.
    pub mean: f64,
    /// Upper confidence bound and p-value of "the mean is below the
    /// threshold", or [`Inference::Constant`] when every expert gave the
    /// same degree.
    pub inference: Inference<UpperBound>,
}

/// The mean incidence of one node as a cause (its row) or as an effect (its
/// column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Margin {
    /// Index of the node.
    pub node: usize,
    /// Mean over the node's edges of each edge's mean incidence over
    /// experts.
    pub mean: f64,
    /// Two-sided interval and p-value against the threshold, or
    /// [`Inference::Constant`] when every edge has the same mean (which
    /// includes a node with one edge on this side).
    pub inference: Inference<TwoSidedTest>,
}

/// Margins by cause (influence) and by effect (dependence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Margins {
    /// One entry per node with at least one outgoing edge, by node index.
    pub by_cause: Vec<Margin>,
    /// One entry per node with at least one incoming edge, by node index.
    pub by_effect: Vec<Margin>,
}

/// One forgotten-effect path aggregated over the experts who show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathSummary {
    /// The order: number of edges of the path.
    pub order: usize,
    /// The nodes `from, through_1, ..., to`.
    pub nodes: Vec<usize>,
    /// The experts whose own analysis selects this path, ascending.
    pub experts: Vec<usize>,
    /// The forgotten part of the effect for each of those experts.
    pub values: Vec<f64>,
    /// Mean of `values`.
    pub mean: f64,
    /// Two-sided bootstrap interval and standard error of the mean, or
    /// [`Inference::Constant`] when every value is equal (which includes a
    /// path shown by one expert only).
    pub inference: Inference<Interval>,
}

impl PathSummary {
    /// Number of experts showing the path.
    pub fn count(&self) -> usize {
        self.experts.len()
    }
}

/// A path's order and nodes, the key that groups experts' effects.
type PathKey = (usize, Vec<usize>);

/// Everything [`analyse`] computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Direct effects, one per edge.
    pub direct: Vec<DirectEffect>,
    /// Margins by cause and by effect.
    pub margins: Margins,
    /// Forgotten-effect paths aggregated over experts.
    pub forgotten: Vec<PathSummary>,
}

/// Computes the mean incidence of every edge over the experts, with a
/// one-sided upper confidence bound and the p-value of "the mean is below
/// `threshold`" from a bootstrap over experts.
///
/// Each replica resamples whole experts with replacement, and every edge
/// takes its replicate mean from the same resampled panel.
///
/// Edges are listed in row-major order of (from, to); loops and, in a
/// chained graph, effect-to-cause pairs are not edges.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when the graph has fewer than two experts,
/// `threshold` is outside (0, 1), or the bootstrap options are invalid
/// (no replica, confidence level outside (0, 1)).
///
/// # Complexity
///
/// `O(edges * replicas * experts)`, edges in parallel.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::FuzzyRelation;
/// use fuzzy_affinity::forgotten::{BootstrapOptions, ExpertGraph, ExpertStack, direct_effects};
///
/// let stack = ExpertStack::new(vec![
///     FuzzyRelation::from_rows([[1.0, 0.2], [0.9, 1.0]])?,
///     FuzzyRelation::from_rows([[1.0, 0.4], [0.9, 1.0]])?,
/// ])?;
/// let graph = ExpertGraph::complete(stack)?;
/// let effects = direct_effects(&graph, 0.5, &BootstrapOptions::new(1000, 42))?;
/// assert_eq!(effects.len(), 2);
/// assert!((effects[0].mean - 0.3).abs() < 1e-15);
/// assert!(effects[0].inference.estimated().is_some());
/// // Both experts gave 0.9 to the edge 1 -> 0: no interval.
/// assert!(effects[1].inference.estimated().is_none());
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn direct_effects(
    graph: &ExpertGraph,
    threshold: f64,
    options: &BootstrapOptions,
) -> Result<Vec<DirectEffect>> {
    check_bootstrap(graph, threshold, options)?;
    let draws = ExpertDraws::new(graph.experts(), options, StreamKind::Experts)?;
    let n = graph.nodes();
    let edges: Vec<(usize, usize)> = (0..n)
        .flat_map(|from| (0..n).map(move |to| (from, to)))
        .filter(|&(from, to)| graph.is_edge(from, to))
        .collect();
    Ok(edges
        .par_iter()
        .map_init(Vec::new, |buffer, &(from, to)| {
            let sample = graph.degrees(from, to);
            let inference = if is_constant(&sample) {
                Inference::Constant
            } else {
                let mut replicates = Replicates::shared(&sample, &draws, options, buffer);
                Inference::Estimated(replicates.upper_bound(options.confidence_level, threshold))
            };
            DirectEffect {
                from,
                to,
                mean: mean(&sample),
                inference,
            }
        })
        .collect())
}

/// Computes, for every node, the mean incidence of its outgoing edges (by
/// cause) and of its incoming edges (by effect), with two-sided bootstrap
/// intervals and p-values against `threshold`.
///
/// As in foRgotten's `bootMargin`, the sample of a node is the mean
/// incidence over experts of each of its edges, and the bootstrap resamples
/// these edges. Loops and, in a chained graph, effect-to-cause pairs are not
/// edges, so a node without any edge on one side is left out of that side.
///
/// # Errors
///
/// As [`direct_effects`].
pub fn margins(graph: &ExpertGraph, threshold: f64, options: &BootstrapOptions) -> Result<Margins> {
    margins_with(graph, threshold, options, MarginSample::Edges)
}

/// What a margin's bootstrap resamples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarginSample {
    /// The node's edges, each with its mean incidence over experts
    /// (foRgotten 1.1 `bootMargin` by cause).
    #[default]
    Edges,
    /// The experts, each with their mean incidence over the node's edges
    /// (foRgotten 1.1 `bootMargin` by effect), drawn as in
    /// [`direct_effects`].
    Experts,
}

/// Computes the margins of [`margins`] with the resampling chosen by
/// `sample`.
///
/// The point mean is the same under both choices up to rounding. The
/// intervals differ, because the edges of a node and the experts vary in
/// different ways.
///
/// # Errors
///
/// As [`direct_effects`].
pub fn margins_with(
    graph: &ExpertGraph,
    threshold: f64,
    options: &BootstrapOptions,
    sample: MarginSample,
) -> Result<Margins> {
    check_bootstrap(graph, threshold, options)?;
    let draws = margin_draws(graph, options, sample)?;
    let side = |by_cause: bool| -> Vec<Margin> {
        (0..graph.nodes())
            .into_par_iter()
            .map_init(Vec::new, |buffer, node| {
                let values = margin_sample(graph, node, by_cause, sample)?;
                let inference = if values.len() < 2 || is_constant(&values) {
                    Inference::Constant
                } else {
                    let draws = &draws[&values.len()];
                    let mut replicates = Replicates::shared(&values, draws, options, buffer);
                    Inference::Estimated(replicates.two_sided(options.confidence_level, threshold))
                };
                Some(Margin {
                    node,
                    mean: mean(&values),
                    inference,
                })
            })
            .flatten()
            .collect()
    };
    Ok(Margins {
        by_cause: side(true),
        by_effect: side(false),
    })
}

/// The edges of `node`: its outgoing edges (`by_cause`) or its incoming
/// ones, as (from, to) pairs.
fn node_edges(graph: &ExpertGraph, node: usize, by_cause: bool) -> Vec<(usize, usize)> {
    (0..graph.nodes())
        .map(|other| {
            if by_cause {
                (node, other)
            } else {
                (other, node)
            }
        })
        .filter(|&(from, to)| graph.is_edge(from, to))
        .collect()
}

/// The values a margin bootstraps, or `None` for a node without edges on
/// that side.
fn margin_sample(
    graph: &ExpertGraph,
    node: usize,
    by_cause: bool,
    sample: MarginSample,
) -> Option<Vec<f64>> {
    let edges = node_edges(graph, node, by_cause);
    if edges.is_empty() {
        return None;
    }
    let values = match sample {
        MarginSample::Edges => edges
            .iter()
            .map(|&(from, to)| mean(&graph.degrees(from, to)))
            .collect(),
        MarginSample::Experts => graph
            .matrices
            .iter()
            .map(|matrix| {
                let view = matrix.view();
                let total: f64 = edges.iter().map(|&edge| view[edge]).sum();
                total / edges.len() as f64
            })
            .collect(),
    };
    Some(values)
}

/// One table of draws per sample size: the number of experts, or each
/// number of edges a node has on one side. Nodes with the same number of
/// edges share the draws, as the edges of one panel share the expert draws.
fn margin_draws(
    graph: &ExpertGraph,
    options: &BootstrapOptions,
    sample: MarginSample,
) -> Result<BTreeMap<usize, ExpertDraws>> {
    let (sizes, kind): (BTreeSet<usize>, StreamKind) = match sample {
        MarginSample::Experts => (BTreeSet::from([graph.experts()]), StreamKind::Experts),
        MarginSample::Edges => {
            let sizes = (0..graph.nodes())
                .flat_map(|node| [true, false].map(|side| node_edges(graph, node, side).len()))
                .collect();
            (sizes, StreamKind::Margin)
        }
    };
    sizes
        .into_iter()
        .filter(|&size| size >= 2)
        .map(|size| ExpertDraws::new(size, options, kind).map(|draws| (size, draws)))
        .collect()
}

/// Computes each expert's forgotten effects of orders 2 to
/// [`ForgottenOptions::max_order`] on their complete graph, which is
/// `[[A, M], [0, B]]` for a chained graph. Every path is then aggregated
/// over the experts who show it: count, mean of the forgotten parts,
/// two-sided bootstrap interval and standard error of the mean.
///
/// Paths are sorted by order, then by their node sequence. A path counts
/// for an expert when that expert's analysis selects its effect and lists
/// it, so an effect with more tied paths than
/// [`ForgottenOptions::max_paths`] contributes only its first paths.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when the graph has fewer than two experts or
/// the forgotten-effects or bootstrap options are invalid.
///
/// # Complexity
///
/// One [`complete_forgotten_effects`](super::complete_forgotten_effects) per
/// expert, then `O(paths * replicas * count)`, paths in parallel.
pub fn expert_forgotten_effects(
    graph: &ExpertGraph,
    forgotten: &ForgottenOptions,
    options: &BootstrapOptions,
) -> Result<Vec<PathSummary>> {
    forgotten.check()?;
    options.check()?;
    require_experts(graph.experts())?;
    let analyses = graph
        .matrices
        .par_iter()
        .map(|matrix| complete_unchecked(matrix, forgotten, Execution::Auto))
        .collect::<Result<Vec<_>>>()?;
    let mut by_path: BTreeMap<PathKey, (Vec<usize>, Vec<f64>)> = BTreeMap::new();
    for (expert, analysis) in analyses.iter().enumerate() {
        for effect in analysis.effects() {
            for path in &effect.paths {
                let entry = by_path.entry((effect.order, path.clone())).or_default();
                entry.0.push(expert);
                entry.1.push(effect.forgotten);
            }
        }
    }
    let paths: Vec<_> = by_path.into_iter().collect();
    Ok(paths
        .into_par_iter()
        .enumerate()
        .map_init(
            Vec::new,
            |buffer, (index, ((order, nodes), (experts, values)))| {
                let inference = if values.len() < 2 || is_constant(&values) {
                    Inference::Constant
                } else {
                    let mut replicates =
                        Replicates::draw(&values, options, StreamKind::Path, index as u64, buffer);
                    Inference::Estimated(replicates.interval(options.confidence_level))
                };
                PathSummary {
                    order,
                    nodes,
                    experts,
                    mean: mean(&values),
                    values,
                    inference,
                }
            },
        )
        .collect())
}

/// Runs [`direct_effects`], [`margins`] and [`expert_forgotten_effects`]
/// with the threshold of `forgotten` as the test threshold.
///
/// # Errors
///
/// The errors of the three functions; the threshold must lie inside (0, 1).
pub fn analyse(
    graph: &ExpertGraph,
    forgotten: &ForgottenOptions,
    options: &BootstrapOptions,
) -> Result<Analysis> {
    let threshold = forgotten.threshold;
    Ok(Analysis {
        direct: direct_effects(graph, threshold, options)?,
        margins: margins(graph, threshold, options)?,
        forgotten: expert_forgotten_effects(graph, forgotten, options)?,
    })
}

fn check_bootstrap(graph: &ExpertGraph, threshold: f64, options: &BootstrapOptions) -> Result<()> {
    options.check()?;
    require_test_threshold(threshold)?;
    require_experts(graph.experts())
}
