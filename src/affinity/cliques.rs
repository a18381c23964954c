//! Maximal similarity subrelations: the maximal cliques of an alpha-cut of
//! a proximity relation.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::mask::Mask;
use crate::bitset::{self, Ones, words_for};
use crate::error::{Error, Result, check_alpha};
use crate::memory::{ensure_fits, matrix_bytes};
use crate::parallel::Execution;
use crate::relation::FuzzyRelation;

/// Elements from which [`Execution::Auto`] spreads the outer vertices over
/// the rayon pool; below it the whole search takes well under a
/// millisecond.
const PARALLEL_MIN_ELEMENTS: u128 = 64;

/// Largest neighbourhood the bit-set kernel takes: 64 words of 64 bits.
const MAX_NEIGHBOURS: usize = 64 * 64;

/// Options of [`maximal_similarity_subrelations_with`].
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CliqueOptions {
    /// Relate i and j when R(i, j) > alpha instead of R(i, j) >= alpha.
    pub strict: bool,
    /// Largest number of subrelations to return; more gives
    /// [`Error::LimitExceeded`]. `None` is no cap.
    pub max_cliques: Option<usize>,
    /// Serial or parallel search.
    pub execution: Execution,
}

/// Lists the maximal similarity subrelations of a proximity relation at
/// level `alpha`: the maximal sets S of elements with R(i, j) >= alpha for
/// all distinct i, j in S, that is the maximal cliques of the graph whose
/// edges are the pairs i != j of the alpha-cut.
///
/// The diagonal is not an edge, so an element related to no other one is a
/// singleton subrelation. Each subrelation is sorted, and the list is
/// sorted lexicographically (a proper prefix first), the same for every
/// thread count. Same as [`maximal_similarity_subrelations_with`] with the
/// default options.
///
/// # Errors
///
/// - [`Error::InvalidThreshold`] when `alpha` is NaN or outside [0, 1].
/// - [`Error::NotSquare`] or [`Error::PropertyViolated`] naming the first
///   failing pair when the relation is not reflexive and symmetric.
/// - [`Error::InvalidParameter`] when an element has more than 4096
///   neighbours in the cut.
///
/// # Complexity
///
/// Bron-Kerbosch with Tomita's pivot, run from each vertex in a degeneracy
/// order (Eppstein, Löffler and Strash, 2010): O(d n 3^(d/3)) time for n
/// elements and degeneracy d, with O(n^2 / 8) bytes for the adjacency bit
/// sets.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::{maximal_similarity_subrelations, FuzzyRelation};
///
/// let r = FuzzyRelation::from_rows([
///     [1.0, 0.8, 0.7, 0.1],
///     [0.8, 1.0, 0.9, 0.2],
///     [0.7, 0.9, 1.0, 0.3],
///     [0.1, 0.2, 0.3, 1.0],
/// ])?;
/// let cliques = maximal_similarity_subrelations(&r, 0.8)?;
/// let found: Vec<&[u32]> = cliques.iter().collect();
/// assert_eq!(found, vec![&[0, 1][..], &[1, 2], &[3]]);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
pub fn maximal_similarity_subrelations(
    relation: &FuzzyRelation,
    alpha: f64,
) -> Result<SimilaritySubrelations> {
    maximal_similarity_subrelations_with(relation, alpha, &CliqueOptions::default())
}

/// [`maximal_similarity_subrelations`] with a strict cut, a cap and a choice
/// of execution.
///
/// # Errors
///
/// As [`maximal_similarity_subrelations`], plus [`Error::LimitExceeded`]
/// when there are more than `options.max_cliques` subrelations.
pub fn maximal_similarity_subrelations_with(
    relation: &FuzzyRelation,
    alpha: f64,
    options: &CliqueOptions,
) -> Result<SimilaritySubrelations> {
    check_alpha(alpha, None)?;
    relation.require_proximity("maximal similarity subrelations")?;
    let n = relation.nrows();
    ensure_fits(
        || format!("the {n} x {n} adjacency bit sets"),
        matrix_bytes::<u8>(n, n.div_ceil(8)),
    )?;
    let graph = Graph::from_relation(relation, alpha, options.strict);
    if let Some(vertex) = (0..n).find(|&v| graph.degree(v) > MAX_NEIGHBOURS) {
        return Err(Error::InvalidParameter {
            name: "alpha",
            value: alpha.to_string(),
            expected: format!(
                "a cut in which no element has more than {MAX_NEIGHBOURS} neighbours; \
                 {} has {}: raise alpha",
                relation.row_name(vertex),
                graph.degree(vertex)
            ),
        });
    }

    let order = graph.degeneracy_order();
    let mut rank = vec![0u32; n];
    for (position, &v) in order.iter().enumerate() {
        rank[v as usize] = position as u32;
    }
    let counter = Search {
        graph: &graph,
        rank: &rank,
        limit: options.max_cliques,
        reported: AtomicUsize::new(0),
    };
    let run = |scratch: &mut Vec<u32>, &v: &u32| counter.cliques_of(v as usize, scratch);
    let parts: Vec<Result<Part, LimitReached>> = if options
        .execution
        .is_parallel(n as u128, PARALLEL_MIN_ELEMENTS)
    {
        order
            .par_iter()
            .map_init(|| vec![u32::MAX; n], run)
            .collect()
    } else {
        let mut scratch = vec![u32::MAX; n];
        order.iter().map(|v| run(&mut scratch, v)).collect()
    };
    let limit_error = || Error::LimitExceeded {
        what: "maximal similarity subrelations",
        limit: options.max_cliques.unwrap_or(usize::MAX),
    };
    let mut all = Part::default();
    for part in parts {
        all.append(part.map_err(|_| limit_error())?);
    }
    Ok(SimilaritySubrelations::sorted(
        n,
        all,
        relation.row_labels().map(<[String]>::to_vec),
    ))
}

/// The cut as adjacency bit sets, without the diagonal.
struct Graph {
    n: usize,
    words: usize,
    adjacency: Vec<u64>,
}

impl Graph {
    fn from_relation(relation: &FuzzyRelation, alpha: f64, strict: bool) -> Self {
        let n = relation.nrows();
        let words = words_for(n);
        let mut adjacency = vec![0u64; n * words];
        for ((i, j), &value) in relation.view().indexed_iter() {
            let related = if strict {
                value > alpha
            } else {
                value >= alpha
            };
            if related && i != j {
                bitset::insert(&mut adjacency[i * words..][..words], j);
            }
        }
        Self {
            n,
            words,
            adjacency,
        }
    }

    fn neighbours(&self, v: usize) -> &[u64] {
        &self.adjacency[v * self.words..][..self.words]
    }

    fn degree(&self, v: usize) -> usize {
        bitset::count_ones(self.neighbours(v))
    }

    /// Orders the vertices by degeneracy: repeatedly removes a vertex of
    /// least remaining degree, found with a bucket queue as in Batagelj and
    /// Zaversnik's cores algorithm (2003). The order is deterministic.
    fn degeneracy_order(&self) -> Vec<u32> {
        let n = self.n;
        let mut degree: Vec<usize> = (0..n).map(|v| self.degree(v)).collect();
        let max_degree = degree.iter().copied().max().unwrap_or(0);
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); max_degree + 1];
        for v in (0..n).rev() {
            buckets[degree[v]].push(v as u32);
        }
        let mut removed = vec![false; n];
        let mut order = Vec::with_capacity(n);
        let mut low = 0;
        while order.len() < n {
            // Buckets hold stale entries; skip those whose degree moved.
            let Some(v) = buckets[low].pop() else {
                low += 1;
                continue;
            };
            let v = v as usize;
            if removed[v] || degree[v] != low {
                continue;
            }
            removed[v] = true;
            order.push(v as u32);
            for u in Ones::new(self.neighbours(v)) {
                if !removed[u] {
                    degree[u] -= 1;
                    buckets[degree[u]].push(u as u32);
                    low = low.min(degree[u]);
                }
            }
        }
        order
    }
}

#[derive(Debug)]
struct LimitReached;

/// Cliques found by one task: members in one arena.
#[derive(Default)]
struct Part {
    members: Vec<u32>,
    ends: Vec<usize>,
}

impl Part {
    fn append(&mut self, other: Part) {
        let base = self.members.len();
        self.members.extend_from_slice(&other.members);
        self.ends.extend(other.ends.iter().map(|&e| base + e));
    }
}

struct Search<'a> {
    graph: &'a Graph,
    rank: &'a [u32],
    limit: Option<usize>,
    reported: AtomicUsize,
}

impl Search<'_> {
    /// Finds the maximal cliques whose earliest vertex in the degeneracy
    /// order is `v`. `local_of` maps vertices to their local index and is
    /// all `u32::MAX` on entry and exit.
    fn cliques_of(&self, v: usize, local_of: &mut [u32]) -> Result<Part, LimitReached> {
        let graph = self.graph;
        let own = graph.neighbours(v);
        let mut later = vec![0u64; graph.words];
        let mut members: Vec<u32> = Vec::new();
        for u in Ones::new(own) {
            if self.rank[u] > self.rank[v] {
                bitset::insert(&mut later, u);
                members.push(u as u32);
            }
        }
        let later_count = members.len();
        if later_count == 0 {
            // P is empty: {v} is maximal exactly when v has no neighbour.
            let mut part = Part::default();
            if own.iter().all(|&w| w == 0) {
                let mut kernel = Kernel::<1> {
                    search: self,
                    adjacency: &[],
                    members: &[],
                    part: &mut part,
                };
                kernel.expand(&mut vec![v as u32], Mask::EMPTY, Mask::EMPTY)?;
            }
            return Ok(part);
        }
        // An earlier neighbour with no neighbour in P leaves every
        // recursion at its first step and never blocks a clique that
        // contains a vertex of P, so it is left out of X.
        for u in Ones::new(own) {
            let row = graph.neighbours(u);
            if self.rank[u] < self.rank[v] && row.iter().zip(&later).any(|(a, b)| a & b != 0) {
                members.push(u as u32);
            }
        }

        let result = match members.len().div_ceil(64) {
            0 | 1 => self.local::<1>(v, &members, later_count, local_of),
            2 => self.local::<2>(v, &members, later_count, local_of),
            3 | 4 => self.local::<4>(v, &members, later_count, local_of),
            5..=8 => self.local::<8>(v, &members, later_count, local_of),
            9..=16 => self.local::<16>(v, &members, later_count, local_of),
            17..=32 => self.local::<32>(v, &members, later_count, local_of),
            _ => self.local::<64>(v, &members, later_count, local_of),
        };
        for &u in &members {
            local_of[u as usize] = u32::MAX;
        }
        result
    }

    /// Runs Bron-Kerbosch from {v} on `members` relabelled 0..k, the first
    /// `later_count` of them forming P and the rest X.
    fn local<const N: usize>(
        &self,
        v: usize,
        members: &[u32],
        later_count: usize,
        local_of: &mut [u32],
    ) -> Result<Part, LimitReached> {
        let graph = self.graph;
        let mut member_words = vec![0u64; graph.words];
        for (local, &u) in members.iter().enumerate() {
            local_of[u as usize] = local as u32;
            bitset::insert(&mut member_words, u as usize);
        }
        let mut adjacency = vec![Mask::<N>::EMPTY; members.len()];
        for (local, &u) in members.iter().enumerate() {
            let row = graph.neighbours(u as usize);
            let mut mask = Mask::EMPTY;
            for (k, (a, b)) in row.iter().zip(&member_words).enumerate() {
                let mut common = a & b;
                while common != 0 {
                    let w = k * 64 + common.trailing_zeros() as usize;
                    mask = mask.with(local_of[w] as usize);
                    common &= common - 1;
                }
            }
            adjacency[local] = mask;
        }
        let later = Mask::<N>::below(later_count);
        let earlier = Mask::<N>::below(members.len()).without(later);

        let mut part = Part::default();
        let mut clique = vec![v as u32];
        let mut kernel = Kernel {
            search: self,
            adjacency: &adjacency,
            members,
            part: &mut part,
        };
        kernel.expand(&mut clique, later, earlier)?;
        Ok(part)
    }
}

struct Kernel<'a, 'p, const N: usize> {
    search: &'a Search<'a>,
    adjacency: &'a [Mask<N>],
    /// The original index of each local vertex.
    members: &'a [u32],
    part: &'p mut Part,
}

impl<const N: usize> Kernel<'_, '_, N> {
    /// Bron-Kerbosch with Tomita's pivot: `clique` is R, `candidates` P and
    /// `excluded` X, in local indexes.
    fn expand(
        &mut self,
        clique: &mut Vec<u32>,
        candidates: Mask<N>,
        excluded: Mask<N>,
    ) -> Result<(), LimitReached> {
        if candidates.is_empty() {
            if excluded.is_empty() {
                self.report(clique)?;
            }
            return Ok(());
        }
        let pivot = self.pivot(candidates, excluded);
        let mut candidates = candidates;
        let mut excluded = excluded;
        let mut result = Ok(());
        candidates.without(self.adjacency[pivot]).for_each(|w| {
            if result.is_err() {
                return;
            }
            let around = self.adjacency[w];
            clique.push(self.members[w]);
            result = self.expand(clique, candidates.and(around), excluded.and(around));
            clique.pop();
            let single = Mask::EMPTY.with(w);
            candidates = candidates.without(single);
            excluded = excluded.or(single);
        });
        result
    }

    /// The vertex of P + X with the most neighbours in P.
    fn pivot(&self, candidates: Mask<N>, excluded: Mask<N>) -> usize {
        let size = candidates.count();
        let mut best = (0, usize::MAX);
        let mut done = false;
        candidates.or(excluded).for_each(|u| {
            if done {
                return;
            }
            let count = candidates.and(self.adjacency[u]).count();
            if best.1 == usize::MAX || count > best.0 {
                best = (count, u);
                done = count + 1 >= size;
            }
        });
        best.1
    }

    fn report(&mut self, clique: &[u32]) -> Result<(), LimitReached> {
        if let Some(limit) = self.search.limit {
            if self.search.reported.fetch_add(1, Ordering::Relaxed) >= limit {
                return Err(LimitReached);
            }
        }
        let start = self.part.members.len();
        self.part.members.extend_from_slice(clique);
        self.part.members[start..].sort_unstable();
        self.part.ends.push(self.part.members.len());
        Ok(())
    }
}

/// The maximal similarity subrelations of a relation, as sorted element
/// index lists stored in one arena, in lexicographic order.
///
/// Serialized as `{"elements": n, "labels": [...] | null,
/// "subrelations": [[...], ...]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimilaritySubrelations {
    elements: usize,
    members: Vec<u32>,
    /// Subrelation `i` is `members[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    labels: Option<Vec<String>>,
}

impl SimilaritySubrelations {
    fn sorted(elements: usize, part: Part, labels: Option<Vec<String>>) -> Self {
        let mut starts = Vec::with_capacity(part.ends.len());
        let mut start = 0;
        for &end in &part.ends {
            starts.push(start);
            start = end;
        }
        let slice = |i: usize| &part.members[starts[i]..part.ends[i]];
        // Sort on the first members packed into one integer (each stored
        // plus one, so a shorter list sorts first), then on the whole list.
        let bits = (usize::BITS - elements.leading_zeros()).max(1);
        let per_key = (64 / bits).max(1) as usize;
        let key = |i: usize| {
            let list = slice(i);
            (0..per_key).fold(0u64, |key, k| {
                let code = list.get(k).map_or(0, |&m| u64::from(m) + 1);
                key << bits | code
            })
        };
        let mut order: Vec<(u64, u32)> = (0..part.ends.len()).map(|i| (key(i), i as u32)).collect();
        order.par_sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| slice(a.1 as usize).cmp(slice(b.1 as usize)))
        });
        let mut members = Vec::with_capacity(part.members.len());
        let mut offsets = Vec::with_capacity(order.len() + 1);
        offsets.push(0);
        for &(_, i) in &order {
            members.extend_from_slice(slice(i as usize));
            offsets.push(members.len());
        }
        Self {
            elements,
            members,
            offsets,
            labels,
        }
    }

    /// Number of subrelations.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there is no subrelation (only for a relation with no
    /// element, which the constructors reject).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of elements of the relation.
    pub fn elements(&self) -> usize {
        self.elements
    }

    /// Subrelation `index` as sorted element indexes, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<&[u32]> {
        (index < self.len()).then(|| &self.members[self.offsets[index]..self.offsets[index + 1]])
    }

    /// Iterates over the subrelations in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u32]> + '_ {
        self.offsets.windows(2).map(|w| &self.members[w[0]..w[1]])
    }

    /// The element labels of subrelation `index`, when the relation has
    /// row labels.
    pub fn labels_of(&self, index: usize) -> Option<Vec<&str>> {
        let labels = self.labels.as_deref()?;
        let members = self.get(index)?;
        Some(
            members
                .iter()
                .map(|&m| labels[m as usize].as_str())
                .collect(),
        )
    }
}

impl Serialize for SimilaritySubrelations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct List<'a>(&'a SimilaritySubrelations);
        impl Serialize for List<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter())
            }
        }
        let mut state = serializer.serialize_struct("SimilaritySubrelations", 3)?;
        state.serialize_field("elements", &self.elements)?;
        state.serialize_field("labels", &self.labels)?;
        state.serialize_field("subrelations", &List(self))?;
        state.end()
    }
}
