//! Close-by-One enumeration of the formal concepts of a crisp relation.
//!
//! Rows are the objects and columns the attributes. Each node of the search
//! tree is a concept (A, B) with A a sorted list of row indexes and B a
//! column mask. Its children are the closures of B + {j} for the attributes
//! j past the node's generator that are not in B, kept only when the
//! closure adds no attribute below j (the canonicity test of Kuznetsov's
//! Close-by-One), so each concept is reached exactly once.
//!
//! All children of a node are computed in one pass over A, in the way LCM
//! (Uno, Kiyomi and Arimura, 2004) delivers occurrences: each row of A is
//! appended to the row list of every candidate attribute it holds, and its
//! mask is intersected into that attribute's closure. A row is touched once
//! per candidate attribute it holds, whereas a column-bit-set intersection
//! touches every word of the row set once per candidate.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::mask::Mask;

/// Nodes shallower than this depth spawn their children as rayon tasks.
/// Three levels allow up to m + m (m - 1) / 2 + m (m - 1) (m - 2) / 6
/// tasks for m columns, far more than the threads of a pool, so work
/// stealing can balance the skewed tree. Deeper subtrees are small enough
/// that a task would cost more than it saves.
const PARALLEL_DEPTH: usize = 3;

/// Nodes with fewer rows than this run serially even near the root.
const PARALLEL_MIN_ROWS: usize = 256;

/// Largest capacity, in row indexes, of a block of the result arena.
/// Blocks never grow once allocated, so filling one copies nothing, unlike
/// a growing `Vec` that copies its contents at each doubling.
const MAX_BLOCK_ROWS: usize = 1 << 20;

/// Smallest capacity of a block, so that small searches stay small.
const MIN_BLOCK_ROWS: usize = 1 << 12;

/// The concepts found by a search, in discovery order. Extent `i` is
/// `blocks[block[i]][starts[i]..][..lens[i]]`. Parallel tasks fill their
/// own lists, and gathering them moves the blocks instead of copying the
/// row lists, which reach gigabytes on the largest bench input.
pub(crate) struct Found<const N: usize> {
    pub(crate) intents: Vec<Mask<N>>,
    pub(crate) block: Vec<u32>,
    pub(crate) starts: Vec<usize>,
    pub(crate) lens: Vec<u32>,
    pub(crate) blocks: Vec<Vec<u32>>,
}

impl<const N: usize> Found<N> {
    fn new() -> Self {
        Self {
            intents: Vec::new(),
            block: Vec::new(),
            starts: Vec::new(),
            lens: Vec::new(),
            blocks: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.intents.len()
    }

    pub(crate) fn extent(&self, index: usize) -> &[u32] {
        &self.blocks[self.block[index] as usize][self.starts[index]..][..self.lens[index] as usize]
    }

    pub(crate) fn push(&mut self, intent: Mask<N>, extent: &[u32]) {
        let room = self.blocks.last().map_or(0, |b| b.capacity() - b.len());
        if room < extent.len() || self.blocks.is_empty() {
            let previous = self.blocks.last().map_or(0, Vec::capacity);
            let capacity = (2 * previous).clamp(MIN_BLOCK_ROWS, MAX_BLOCK_ROWS);
            self.blocks
                .push(Vec::with_capacity(capacity.max(extent.len())));
        }
        let last = self.blocks.len() - 1;
        let block = &mut self.blocks[last];
        self.intents.push(intent);
        self.block.push(last as u32);
        self.starts.push(block.len());
        self.lens.push(extent.len() as u32);
        block.extend_from_slice(extent);
    }

    /// Moves the concepts of `other` after this list's.
    fn append(&mut self, other: Found<N>) {
        let base = self.blocks.len() as u32;
        self.intents.extend_from_slice(&other.intents);
        self.block.extend(other.block.iter().map(|&b| b + base));
        self.starts.extend_from_slice(&other.starts);
        self.lens.extend_from_slice(&other.lens);
        self.blocks.extend(other.blocks);
    }
}

/// The error of a search that reached its cap on reported concepts.
#[derive(Debug)]
pub(crate) struct LimitReached;

/// The parameters and shared state of one enumeration.
pub(crate) struct Search<'a, const N: usize> {
    /// Row `i` of the crisp relation as a column mask.
    pub(crate) rows: &'a [Mask<N>],
    pub(crate) cols: usize,
    /// Smallest extent reported; subtrees below it are pruned.
    pub(crate) min_rows: usize,
    /// Smallest intent reported; subtrees that cannot reach it are pruned.
    pub(crate) min_cols: usize,
    /// Largest number of concepts to report before giving up.
    pub(crate) limit: Option<usize>,
    pub(crate) parallel: bool,
    pub(crate) reported: AtomicUsize,
    pub(crate) stopped: AtomicBool,
}

/// Per-depth buffers reused by every node at that depth.
struct Scratch<const N: usize> {
    /// The rows of the node's extent that hold each candidate attribute.
    buckets: Vec<Vec<u32>>,
    closures: Vec<Mask<N>>,
    /// The failed closures handed to this depth's children (see [`Node`]).
    failed: Vec<Mask<N>>,
}

impl<const N: usize> Scratch<N> {
    fn new(cols: usize) -> Self {
        Self {
            buckets: vec![Vec::new(); cols],
            closures: vec![Mask::EMPTY; cols],
            failed: vec![Mask::EMPTY; cols],
        }
    }
}

/// A concept of the search tree with what its ancestors learned.
///
/// `dead` contains the attributes whose row count fell below the iceberg bound at
/// an ancestor; extents only shrink, so they never become children again.
/// `failed[j]` is the closure with which attribute j last failed the
/// canonicity test at an ancestor (empty when it never failed): the
/// inherited failures of FCbO (Outrata and Vychodil, 2012). Extents only
/// shrink, so the closure of j here contains `failed[j]`, and j fails again
/// unless every attribute of `failed[j]` below j is already in the intent.
#[derive(Clone, Copy)]
struct Node<'n, const N: usize> {
    extent: &'n [u32],
    intent: Mask<N>,
    /// First attribute that may generate a child.
    start: usize,
    dead: Mask<N>,
    failed: &'n [Mask<N>],
}

impl<const N: usize> Search<'_, N> {
    /// Enumerates every concept with a non-empty extent whose intent is
    /// larger than the top concept's, plus the top concept itself, subject
    /// to the iceberg bounds. The top concept is reported whatever its
    /// intent; the caller drops it when it must.
    pub(crate) fn run(&self) -> Result<Found<N>, LimitReached> {
        let all_rows: Vec<u32> = (0..self.rows.len() as u32).collect();
        let top = self
            .rows
            .iter()
            .fold(Mask::full(self.cols), |acc, &m| acc.and(m));
        let mut found = Found::new();
        if all_rows.len() < self.min_rows.max(1) {
            return Ok(found);
        }
        if top.count() >= self.min_cols {
            self.report(&mut found, top, &all_rows)?;
        }
        let no_failures = vec![Mask::EMPTY; self.cols];
        let root = Node {
            extent: &all_rows,
            intent: top,
            start: 0,
            dead: Mask::EMPTY,
            failed: &no_failures,
        };
        let mut scratch = Vec::new();
        self.expand(root, 0, &mut scratch, &mut found)?;
        Ok(found)
    }

    fn report(
        &self,
        found: &mut Found<N>,
        intent: Mask<N>,
        extent: &[u32],
    ) -> Result<(), LimitReached> {
        if let Some(limit) = self.limit {
            if self.reported.fetch_add(1, Ordering::Relaxed) >= limit {
                self.stopped.store(true, Ordering::Relaxed);
                return Err(LimitReached);
            }
        }
        found.push(intent, extent);
        Ok(())
    }

    /// Reports and descends into the canonical children of `node`.
    fn expand(
        &self,
        node: Node<'_, N>,
        depth: usize,
        scratch: &mut Vec<Scratch<N>>,
        found: &mut Found<N>,
    ) -> Result<(), LimitReached> {
        if self.stopped.load(Ordering::Relaxed) {
            return Err(LimitReached);
        }
        let candidates = Mask::full(self.cols)
            .without(Mask::below(node.start))
            .without(node.intent)
            .without(node.dead);
        if candidates.is_empty() {
            return Ok(());
        }
        while scratch.len() <= depth {
            scratch.push(Scratch::new(self.cols));
        }

        let children = self.deliver(node, candidates, &mut scratch[depth]);
        if children.is_empty() {
            return Ok(());
        }

        if self.parallel && depth < PARALLEL_DEPTH && node.extent.len() >= PARALLEL_MIN_ROWS {
            return self.expand_parallel(children, depth, &scratch[depth], found);
        }
        // The level's buffers are moved out while the children recurse, so
        // the deeper levels can borrow `scratch` mutably.
        let level = std::mem::replace(&mut scratch[depth], Scratch::new(0));
        let result = children.for_each_child(&level, |child| {
            if child.intent.count() >= self.min_cols {
                self.report(found, child.intent, child.extent)?;
            }
            self.expand(child, depth + 1, scratch, found)
        });
        scratch[depth] = level;
        result
    }

    fn expand_parallel(
        &self,
        children: Children<N>,
        depth: usize,
        level: &Scratch<N>,
        found: &mut Found<N>,
    ) -> Result<(), LimitReached> {
        let mut jobs = Vec::new();
        let _ = children.for_each_child(level, |child| {
            jobs.push(child);
            Ok(())
        });
        // Each worker reuses its scratch levels across the tasks it runs, so
        // the large buffers near the root are allocated a few times only.
        let parts: Vec<Result<Found<N>, LimitReached>> = jobs
            .into_par_iter()
            .map_init(Vec::new, |scratch, child| {
                let mut part = Found::new();
                if child.intent.count() >= self.min_cols {
                    self.report(&mut part, child.intent, child.extent)?;
                }
                self.expand(child, depth + 1, scratch, &mut part)?;
                Ok(part)
            })
            .collect();
        for part in parts {
            found.append(part?);
        }
        Ok(())
    }

    /// Computes the closures of the candidate attributes over the node's
    /// extent, keeps the canonical children that can meet the iceberg
    /// bounds, and records the failures. The children's row lists are left
    /// in `level.buckets`.
    fn deliver(
        &self,
        node: Node<'_, N>,
        candidates: Mask<N>,
        level: &mut Scratch<N>,
    ) -> Children<N> {
        let intent = node.intent;
        // Descendants only read the failures of attributes from `start` on.
        level.failed[node.start..].copy_from_slice(&node.failed[node.start..]);
        let mut candidates = candidates;
        candidates.for_each(|j| {
            if !node.failed[j].and(Mask::below(j)).is_subset(intent) {
                candidates = candidates.without(Mask::EMPTY.with(j));
            }
        });

        // One pass over the rows: the row lists and closures of every
        // candidate at once. The buckets keep their capacity from node to
        // node, so they touch only the memory the row lists need.
        let full = Mask::full(self.cols);
        let buckets = &mut level.buckets[..self.cols];
        let closures = &mut level.closures[..self.cols];
        candidates.for_each(|j| {
            buckets[j].clear();
            closures[j] = full;
        });
        for &row in node.extent {
            let mask = self.rows[row as usize];
            mask.and(candidates).for_each(|j| {
                buckets[j].push(row);
                closures[j] = closures[j].and(mask);
            });
        }

        let min_rows = self.min_rows.max(1);
        let mut viable = Mask::EMPTY;
        candidates.for_each(|j| {
            if level.buckets[j].len() >= min_rows {
                viable = viable.with(j);
            }
        });
        let dead = node.dead.or(candidates.without(viable));
        let mut kept = Mask::EMPTY;
        viable.for_each(|j| {
            let closure = level.closures[j];
            if !closure.and(Mask::below(j)).is_subset(intent) {
                level.failed[j] = closure;
                return;
            }
            // Every intent in the child's subtree lies inside its closure
            // plus the viable attributes after j.
            let reachable = closure.or(viable.and(Mask::above(j))).count();
            if reachable >= self.min_cols {
                kept = kept.with(j);
            }
        });
        Children { kept, dead }
    }
}

/// The children kept by [`Search::deliver`]; the rows of child `j` are
/// the level's `buckets[j]`.
struct Children<const N: usize> {
    kept: Mask<N>,
    dead: Mask<N>,
}

impl<const N: usize> Children<N> {
    fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    fn for_each_child<'s>(
        &self,
        level: &'s Scratch<N>,
        mut visit: impl FnMut(Node<'s, N>) -> Result<(), LimitReached>,
    ) -> Result<(), LimitReached> {
        let mut result = Ok(());
        self.kept.for_each(|j| {
            if result.is_ok() {
                result = visit(Node {
                    extent: &level.buckets[j],
                    intent: level.closures[j],
                    start: j + 1,
                    dead: self.dead,
                    failed: &level.failed,
                });
            }
        });
        result
    }
}
