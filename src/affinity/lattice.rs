//! The Galois lattice: cover edges and reduced labels of the groups.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::groups::{AffinityGroups, GroupList};
use super::mask::cmp_lex_words;
use super::store::Store;
use crate::bitset::{self, Ones, fill_ones};
use crate::crisp::CrispRelation;
use crate::error::Result;
use crate::memory::{bytes_for, ensure_fits};
use crate::parallel::Execution;

/// Groups from which the cover edges are computed on the rayon pool.
const PARALLEL_MIN_GROUPS: u128 = 512;

/// The cover edges and the reduced labelling of a set of groups.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LatticeData {
    /// `[upper, lower]` index pairs, sorted.
    pub(crate) covers: Vec<[u32; 2]>,
    /// For each row, the group whose column set is that row's columns (its
    /// object concept), when that group is present.
    pub(crate) row_nodes: Vec<Option<u32>>,
    /// For each column, the group whose row set is that column's rows (its
    /// attribute concept), when that group is present.
    pub(crate) col_nodes: Vec<Option<u32>>,
}

impl LatticeData {
    /// Computes the cover edges between the groups of `store`, which are
    /// the concepts of `cut` that some convex filter kept (the top and
    /// bottom may be missing, and the iceberg bounds keep a convex set).
    ///
    /// A closure C among the closures (B + {j})'' for the columns j
    /// outside B is a lower cover of (A, B) exactly when all |C \ B|
    /// columns of C \ B produce it: a concept strictly between would be
    /// produced by one of them. Each group costs one pass over its rows, so
    /// no pair of groups is ever compared.
    pub(crate) fn build(store: &Store, cut: &CrispRelation, execution: Execution) -> Result<Self> {
        let words = store.col_words;
        ensure_fits(
            || "the scratch space of the lattice's cover edges".into(),
            bytes_for((store.cols * words) as u128, 8),
        )?;
        ensure_fits(
            || format!("the intent index of {} groups", store.len()),
            bytes_for(store.len() as u128, 32),
        )?;
        let positions: IntentIndex<'_> = (0..store.len())
            .map(|i| (store.intent(i), i as u32))
            .collect();
        let context = Context {
            store,
            rows: cut.row_words(),
            positions: &positions,
        };
        let lower = |scratch: &mut Scratch, index: usize| context.lower_covers(index, scratch);
        let new_scratch = || Scratch::new(store.cols, words);
        let lists: Vec<Vec<u32>> =
            if execution.is_parallel(store.len() as u128, PARALLEL_MIN_GROUPS) {
                (0..store.len())
                    .into_par_iter()
                    .map_init(new_scratch, lower)
                    .collect()
            } else {
                let mut scratch = new_scratch();
                (0..store.len()).map(|i| lower(&mut scratch, i)).collect()
            };
        let covers = lists
            .into_iter()
            .enumerate()
            .flat_map(|(upper, lowers)| lowers.into_iter().map(move |l| [upper as u32, l]))
            .collect();

        let row_nodes = (0..cut.nrows())
            .map(|row| context.find(cut.row(row).words()))
            .collect();
        let mut closure = vec![0u64; words];
        let col_nodes = (0..cut.ncols())
            .map(|col| {
                fill_ones(&mut closure, store.cols);
                for row in cut.column(col).ones() {
                    and_assign(&mut closure, cut.row(row).words());
                }
                context.find(&closure)
            })
            .collect();
        Ok(Self {
            covers,
            row_nodes,
            col_nodes,
        })
    }
}

/// Group positions by intent. Intents are unique within one cut.
type IntentIndex<'a> = HashMap<&'a [u64], u32, BuildHasherDefault<WordHasher>>;

/// A multiply-rotate hash of `u64` words, much cheaper than the default
/// SipHash. Flooding resistance is not needed, because the keys are
/// closures computed by the crate, not values a caller chooses.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

/// Buffers of one worker, reused from group to group.
struct Scratch {
    closures: Vec<u64>,
    outside: Vec<u64>,
    held: Vec<u64>,
    candidates: Vec<usize>,
}

impl Scratch {
    fn new(cols: usize, words: usize) -> Self {
        Self {
            closures: vec![0; cols * words],
            outside: vec![0; words],
            held: vec![0; words],
            candidates: Vec::with_capacity(cols),
        }
    }
}

/// The inputs of the cover computation: the groups, the cut's rows and the
/// index of the groups by intent.
struct Context<'a> {
    store: &'a Store,
    /// Row-major words of the cut, `store.col_words` per row.
    rows: &'a [u64],
    positions: &'a IntentIndex<'a>,
}

impl Context<'_> {
    fn find(&self, intent: &[u64]) -> Option<u32> {
        self.positions.get(intent).copied()
    }

    /// Finds the indexes of the lower covers of group `index`, sorted.
    fn lower_covers(&self, index: usize, scratch: &mut Scratch) -> Vec<u32> {
        let store = self.store;
        let words = store.col_words;
        let cols = store.cols;
        let intent = store.intent(index);
        let Scratch {
            closures,
            outside,
            held,
            candidates,
        } = scratch;
        fill_ones(outside, cols);
        for (o, i) in outside.iter_mut().zip(intent) {
            *o &= !i;
        }
        for j in Ones::new(outside) {
            fill_ones(&mut closures[j * words..][..words], cols);
        }

        for &row in store.extent(index) {
            let row_words = &self.rows[row as usize * words..][..words];
            for (h, (r, o)) in held.iter_mut().zip(row_words.iter().zip(outside.iter())) {
                *h = r & o;
            }
            for j in Ones::new(held) {
                and_assign(&mut closures[j * words..][..words], row_words);
            }
        }

        let closure = |j: usize| &closures[j * words..][..words];
        candidates.clear();
        candidates.extend(Ones::new(outside));
        candidates.sort_unstable_by(|&a, &b| cmp_lex_words(closure(a), closure(b)));
        let base = bitset::count_ones(intent);
        let mut lowers = Vec::new();
        for run in candidates.chunk_by(|&a, &b| closure(a) == closure(b)) {
            let c = closure(run[0]);
            if bitset::count_ones(c) - base == run.len() {
                if let Some(lower) = self.find(c) {
                    lowers.push(lower);
                }
            }
        }
        lowers.sort_unstable();
        lowers
    }
}

fn and_assign(target: &mut [u64], other: &[u64]) {
    for (t, o) in target.iter_mut().zip(other) {
        *t &= o;
    }
}

/// The Galois lattice of a set of affinity groups: the groups ordered by
/// inclusion of their row sets, with the cover (Hasse) edges and the
/// reduced labelling used in lattice drawings.
///
/// When the groups leave out the top or bottom element, or an iceberg
/// bound removes groups, the edges are the covers among the groups kept:
/// the kept set is convex, so no cover passes through a removed group.
///
/// Serialized as `{"groups": [...], "cover_edges": [[upper, lower], ...],
/// "row_nodes": [...], "col_nodes": [...]}` (see the accessors).
#[derive(Clone, Copy, Debug)]
pub struct GaloisLattice<'a> {
    pub(crate) groups: &'a AffinityGroups,
    pub(crate) data: &'a LatticeData,
}

impl<'a> GaloisLattice<'a> {
    /// The groups, the nodes of the lattice.
    pub fn groups(&self) -> &'a AffinityGroups {
        self.groups
    }

    /// The cover edges as `[upper, lower]` group indexes, sorted: the upper
    /// group has the larger row set and the smaller column set, and no group
    /// lies strictly between the two.
    pub fn cover_edges(&self) -> &'a [[u32; 2]] {
        &self.data.covers
    }

    /// The groups covered by group `index` (one row set smaller), sorted.
    pub fn lower_covers(&self, index: usize) -> impl Iterator<Item = usize> + 'a {
        let covers = &self.data.covers;
        let start = covers.partition_point(|e| (e[0] as usize) < index);
        covers[start..]
            .iter()
            .take_while(move |e| e[0] as usize == index)
            .map(|e| e[1] as usize)
    }

    /// The groups covering group `index` (one row set larger), sorted.
    pub fn upper_covers(&self, index: usize) -> impl Iterator<Item = usize> + 'a {
        self.data
            .covers
            .iter()
            .filter(move |e| e[1] as usize == index)
            .map(|e| e[0] as usize)
    }

    /// The rows first met at group `index` going down the lattice: the rows
    /// whose column set equals the group's.
    pub fn new_rows(&self, index: usize) -> Vec<usize> {
        positions_of(&self.data.row_nodes, index)
    }

    /// The columns first met at group `index` going up the lattice: the
    /// columns whose row set equals the group's.
    pub fn new_cols(&self, index: usize) -> Vec<usize> {
        positions_of(&self.data.col_nodes, index)
    }

    /// Writes the lattice in Graphviz DOT, drawn bottom to top. Each node is
    /// labelled with its new columns (first line) and new rows (second
    /// line), the reduced labelling of lattice drawings. A group's full
    /// sides are read along the paths: its rows below it, its columns above.
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::{affinity_groups, AffinityOptions, FuzzyRelation};
    ///
    /// let r = FuzzyRelation::from_rows([[1.0, 1.0], [1.0, 0.0]])?
    ///     .with_row_labels(["ana", "ben"])?
    ///     .with_col_labels(["price", "speed"])?;
    /// let options = AffinityOptions { build_lattice: true, ..Default::default() };
    /// let groups = affinity_groups(&r, 0.5, &options)?;
    /// let dot = groups.lattice().unwrap().to_dot();
    /// assert!(dot.contains("g0 [label=\"price\\nben\"]"));
    /// assert!(dot.contains("g1 -> g0"));
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn to_dot(&self) -> String {
        use std::fmt::Write;
        let groups = self.groups;
        let row_name = |r: usize| name(groups.row_labels(), r);
        let col_name = |c: usize| name(groups.col_labels(), c);
        let mut dot = String::from("digraph galois_lattice {\n  rankdir=BT;\n");
        dot.push_str("  node [shape=box, fontsize=10];\n");
        for index in 0..groups.len() {
            let cols: Vec<String> = self.new_cols(index).into_iter().map(col_name).collect();
            let rows: Vec<String> = self.new_rows(index).into_iter().map(row_name).collect();
            let label = format!(
                "{}\\n{}",
                escape(&cols.join(", ")),
                escape(&rows.join(", "))
            );
            let _ = writeln!(dot, "  g{index} [label=\"{label}\"];");
        }
        for [upper, lower] in self.cover_edges() {
            let _ = writeln!(dot, "  g{lower} -> g{upper};");
        }
        dot.push_str("}\n");
        dot
    }

    /// Writes the lattice as JSON, in the layout given on the type.
    ///
    /// # Errors
    ///
    /// [`Error::Json`](crate::Error::Json) if serialization fails.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }
}

fn positions_of(nodes: &[Option<u32>], index: usize) -> Vec<usize> {
    nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| node.is_some_and(|n| n as usize == index))
        .map(|(position, _)| position)
        .collect()
}

fn name(labels: Option<&[String]>, index: usize) -> String {
    labels.map_or_else(|| index.to_string(), |l| l[index].clone())
}

/// Escapes a DOT double-quoted string.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

impl Serialize for GaloisLattice<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("GaloisLattice", 4)?;
        state.serialize_field("groups", &GroupList(self.groups))?;
        state.serialize_field("cover_edges", &self.data.covers)?;
        state.serialize_field("row_nodes", &self.data.row_nodes)?;
        state.serialize_field("col_nodes", &self.data.col_nodes)?;
        state.end()
    }
}
