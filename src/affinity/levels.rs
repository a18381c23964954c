//! Affinity groups at every distinct alpha of a relation.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::AffinityOptions;
use super::groups::{AffinityGroup, AffinityGroups, enumerate};
use super::store::Store;
use crate::error::{Error, Result};
use crate::relation::FuzzyRelation;

/// Enumerates the affinity groups of every non-strict alpha-cut of
/// `relation` at once, each group with the alpha interval over which it is
/// a group.
///
/// # Interval convention
///
/// A pair (A, B) is an affinity group at alpha exactly when
/// `above < alpha <= level`, where `level` is the smallest degree inside
/// A x B and `above` is the largest degree at which A or B could be
/// extended: the maximum, over rows g outside A, of min over b in B of
/// R(g, b), and over columns m outside B, of min over a in A of R(a, m).
/// When A holds every row and B every column, nothing can extend the pair
/// and `above` is `None`: the group exists for `0 <= alpha <= level`. The
/// interval is half-open below because the cut keeps R >= alpha.
///
/// Only alphas equal to a degree of the relation give distinct cuts (any
/// other alpha gives the cut of the next degree above it), so the groups
/// are enumerated at each distinct degree, and each group is kept once,
/// at the smallest degree inside its interval.
///
/// Every group has both sides non-empty. Of the options, `min_rows`,
/// `min_cols` and `execution` apply to each cut and `max_groups` to the
/// total; `include_top_bottom` and `build_lattice` are ignored.
///
/// # Errors
///
/// - [`Error::InvalidParameter`] when `options.strict` is set: a strict
///   cut R > alpha equals the non-strict cut at the next distinct degree
///   above alpha, so the non-strict levels already list it.
/// - The errors of [`affinity_groups`](super::affinity_groups), such as
///   [`Error::LimitExceeded`] when the groups of all levels together exceed
///   `max_groups`.
///
/// # Complexity
///
/// One enumeration per distinct degree, d in all, plus O(n |B| + m |A|)
/// per group found to place its interval (n rows, m columns). Continuous
/// data has up to n m distinct degrees; survey data on an 11-point scale
/// has at most 11.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::{affinity_levels, AffinityOptions, FuzzyRelation};
///
/// let r = FuzzyRelation::from_rows([[0.9, 0.6], [0.6, 0.6]])?;
/// let levels = affinity_levels(&r, &AffinityOptions::default())?;
/// assert_eq!(levels.alphas(), &[0.6, 0.9]);
/// // ({0, 1}, {0, 1}) for alpha in [0, 0.6], ({0}, {0}) for (0.6, 0.9].
/// let found: Vec<_> = levels
///     .iter()
///     .map(|g| (g.group().rows().to_vec(), g.group().cols(), g.alpha_above(), g.group().level()))
///     .collect();
/// assert_eq!(found, vec![
///     (vec![0], vec![0], Some(0.6), 0.9),
///     (vec![0, 1], vec![0, 1], None, 0.6),
/// ]);
/// assert_eq!(levels.at(0.7).count(), 1);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn affinity_levels(
    relation: &FuzzyRelation,
    options: &AffinityOptions,
) -> Result<AffinityLevels> {
    if options.strict {
        return Err(Error::InvalidParameter {
            name: "strict",
            value: "true".into(),
            expected:
                "false: affinity levels use non-strict cuts, which already cover every strict cut"
                    .into(),
        });
    }
    let alphas = distinct_degrees(relation);
    let mut cut_options = AffinityOptions {
        include_top_bottom: false,
        build_lattice: false,
        ..options.clone()
    };

    let mut store = Store::new(relation.ncols());
    let mut above = Vec::new();
    for (k, &alpha) in alphas.iter().enumerate() {
        cut_options.max_groups = options
            .max_groups
            .map(|max| max.saturating_sub(store.len()));
        let cut = relation.alpha_cut(alpha)?;
        let found = enumerate(&cut, &cut_options).map_err(|err| match err {
            Error::LimitExceeded { what, .. } => Error::LimitExceeded {
                what,
                limit: options.max_groups.unwrap_or(usize::MAX),
            },
            other => other,
        })?;
        let previous = k.checked_sub(1).map(|p| alphas[p]);
        for index in 0..found.len() {
            let low = extension_degree(relation, found.extent(index), found.intent(index));
            // New at `alpha` unless it already existed at the previous degree.
            let is_new = match (low, previous) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(low), Some(prev)) => low >= prev,
            };
            if is_new {
                store.push(found.intent(index), found.extent(index));
                above.push(low);
            }
        }
    }

    let order = store.sort_order();
    let store = store.permuted(&order)?;
    let above = order.iter().map(|&i| above[i as usize]).collect();
    let groups = AffinityGroups::assemble(relation, store, options.execution, None);
    Ok(AffinityLevels {
        alphas,
        groups,
        above,
    })
}

/// The distinct degrees of the relation, ascending.
fn distinct_degrees(relation: &FuzzyRelation) -> Vec<f64> {
    let mut values: Vec<f64> = relation.view().iter().copied().collect();
    values.sort_unstable_by(f64::total_cmp);
    values.dedup_by(|a, b| a == b);
    values
}

/// The largest degree at which the rectangle could be extended by a row or
/// a column, or `None` when it spans the whole relation.
fn extension_degree(relation: &FuzzyRelation, extent: &[u32], intent: &[u64]) -> Option<f64> {
    let values = relation.view();
    let cols: Vec<usize> = crate::bitset::Ones::new(intent).collect();
    let mut best: Option<f64> = None;
    let mut consider = |v: f64| best = Some(best.map_or(v, |b| b.max(v)));
    let mut members = extent.iter().peekable();
    for row in 0..relation.nrows() {
        if members.peek().is_some_and(|&&r| r as usize == row) {
            members.next();
            continue;
        }
        let degree = cols.iter().map(|&c| values[[row, c]]).fold(1.0, f64::min);
        consider(degree);
    }
    for col in 0..relation.ncols() {
        if crate::bitset::contains(intent, col) {
            continue;
        }
        let degree = extent
            .iter()
            .map(|&r| values[[r as usize, col]])
            .fold(1.0, f64::min);
        consider(degree);
    }
    best
}

/// The affinity groups of every alpha-cut of a relation, each with the
/// interval of alphas over which it is a group (see [`affinity_levels`]).
///
/// Groups are ordered by column set, then by row set, both compared as
/// sorted index lists (lexicographically, a proper prefix first): the same
/// column set can belong to different groups at different alphas.
///
/// Serialized as `{"alphas": [...], "groups": <AffinityGroups>,
/// "alpha_above": [...]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct AffinityLevels {
    alphas: Vec<f64>,
    groups: AffinityGroups,
    above: Vec<Option<f64>>,
}

impl AffinityLevels {
    /// The distinct degrees of the relation, ascending: the alphas at which
    /// the cut changes.
    pub fn alphas(&self) -> &[f64] {
        &self.alphas
    }

    /// The groups of all levels, without their intervals.
    pub fn groups(&self) -> &AffinityGroups {
        &self.groups
    }

    /// Number of groups over all levels.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether no level has a group.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Iterates over the groups with their intervals.
    pub fn iter(&self) -> impl Iterator<Item = LevelGroup<'_>> + '_ {
        self.groups.iter().map(|group| LevelGroup {
            group,
            above: self.above[group.index()],
        })
    }

    /// The groups that exist at `alpha`: those of the alpha-cut at `alpha`
    /// that have both sides non-empty and pass the options' bounds.
    pub fn at(&self, alpha: f64) -> impl Iterator<Item = LevelGroup<'_>> + '_ {
        self.iter().filter(move |g| g.exists_at(alpha))
    }
}

/// One group of [`AffinityLevels`] with its alpha interval.
#[derive(Clone, Copy, Debug)]
pub struct LevelGroup<'a> {
    group: AffinityGroup<'a>,
    above: Option<f64>,
}

impl<'a> LevelGroup<'a> {
    /// The group; its [`level`](AffinityGroup::level) is the largest alpha
    /// at which it exists.
    pub fn group(&self) -> AffinityGroup<'a> {
        self.group
    }

    /// The exclusive lower end of the interval: the group exists for
    /// `alpha_above() < alpha <= level()`, or for `0 <= alpha <= level()`
    /// when this is `None`.
    pub fn alpha_above(&self) -> Option<f64> {
        self.above
    }

    /// Whether the group is a group of the alpha-cut at `alpha`.
    pub fn exists_at(&self, alpha: f64) -> bool {
        alpha <= self.group.level() && self.above.is_none_or(|low| alpha > low)
    }
}

impl Serialize for AffinityLevels {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("AffinityLevels", 3)?;
        state.serialize_field("alphas", &self.alphas)?;
        state.serialize_field("groups", &self.groups)?;
        state.serialize_field("alpha_above", &self.above)?;
        state.end()
    }
}
