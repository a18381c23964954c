//! Close-by-One enumeration of the formal concepts of a crisp relation.
//!
//! Rows are the objects and columns the attributes. Each node of the search
//! tree is a concept (A, B) with A a sorted list of row indexes and B a
//! column mask. Its children are the closures of B + {j} for the attributes
//! j past the node's generator that are not in B, kept only when the
//! closure adds no attribute below j (the canonicity test of Kuznetsov's
//! Close-by-One), so each concept is reached exactly once.
//!
//! All children of a node are computed in two passes over A, as LCM
//! (Uno, Kiyomi and Arimura, 2004) delivers occurrences: the first pass
//! counts, for each candidate attribute, the rows of A that hold it and
//! intersects their row masks into its closure; the second pass writes the
//! row lists of the children that passed the canonicity test and the
//! iceberg bounds. A row is touched once per candidate attribute it holds,
//! instead of once per candidate attribute as in a column-bitset
//! intersection over all rows.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::mask::Mask;

/// Nodes at this depth or shallower spawn their children as rayon tasks.
/// Deeper subtrees are small and unbalanced enough that a task costs more
/// than it saves; depth 3 gave 4 to 60 thousand tasks on the 10000 x 30
/// and 100000 x 40 benchmark inputs, plenty for work stealing.
const PARALLEL_DEPTH: usize = 3;

/// Nodes with fewer rows than this run serially even near the root.
const PARALLEL_MIN_ROWS: usize = 256;

/// The concepts found by one search task, in discovery order.
pub(crate) struct Found<const N: usize> {
    pub(crate) intents: Vec<Mask<N>>,
    /// Extent `i` is `extents[offsets[i]..offsets[i + 1]]`.
    pub(crate) offsets: Vec<usize>,
    pub(crate) extents: Vec<u32>,
}

impl<const N: usize> Found<N> {
    fn new() -> Self {
        Self {
            intents: Vec::new(),
            offsets: vec![0],
            extents: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.intents.len()
    }

    pub(crate) fn extent(&self, index: usize) -> &[u32] {
        &self.extents[self.offsets[index]..self.offsets[index + 1]]
    }

    pub(crate) fn push(&mut self, intent: Mask<N>, extent: &[u32]) {
        self.intents.push(intent);
        self.extents.extend_from_slice(extent);
        self.offsets.push(self.extents.len());
    }

    /// Removes the first concept.
    pub(crate) fn remove_first(&mut self) {
        let end = self.offsets[1];
        self.intents.remove(0);
        self.extents.drain(..end);
        self.offsets.remove(0);
        for offset in &mut self.offsets {
            *offset -= end;
        }
    }

    fn append(&mut self, other: Found<N>) {
        let base = self.extents.len();
        self.intents.extend_from_slice(&other.intents);
        self.extents.extend_from_slice(&other.extents);
        self.offsets
            .extend(other.offsets[1..].iter().map(|&end| base + end));
    }
}

/// Why a search stopped early.
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
    counts: Vec<u32>,
    closures: Vec<Mask<N>>,
    starts: Vec<usize>,
    items: Vec<u32>,
}

impl<const N: usize> Scratch<N> {
    fn new(cols: usize) -> Self {
        Self {
            counts: vec![0; cols],
            closures: vec![Mask::EMPTY; cols],
            starts: vec![0; cols],
            items: Vec::new(),
        }
    }
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
        let mut scratch = Vec::new();
        self.expand(&all_rows, top, 0, 0, &mut scratch, &mut found)?;
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

    /// Reports and descends into the canonical children of (extent, intent)
    /// generated by attributes `start..cols`.
    fn expand(
        &self,
        extent: &[u32],
        intent: Mask<N>,
        start: usize,
        depth: usize,
        scratch: &mut Vec<Scratch<N>>,
        found: &mut Found<N>,
    ) -> Result<(), LimitReached> {
        if self.stopped.load(Ordering::Relaxed) {
            return Err(LimitReached);
        }
        let candidates = Mask::full(self.cols)
            .without(Mask::below(start))
            .without(intent);
        if candidates.is_empty() {
            return Ok(());
        }
        if scratch.len() <= depth {
            scratch.push(Scratch::new(self.cols));
        }

        let children = self.deliver(extent, intent, candidates, &mut scratch[depth]);
        if children.is_empty() {
            return Ok(());
        }

        if self.parallel && depth < PARALLEL_DEPTH && extent.len() >= PARALLEL_MIN_ROWS {
            return self.expand_parallel(children, depth, &scratch[depth], found);
        }
        // The level's buffers are moved out while the children recurse, so
        // the deeper levels can borrow `scratch` mutably.
        let level = std::mem::replace(&mut scratch[depth], Scratch::new(0));
        let result = children.for_each_child(&level, |j, child_extent| {
            let child_intent = level.closures[j];
            if child_intent.count() >= self.min_cols {
                self.report(found, child_intent, child_extent)?;
            }
            self.expand(child_extent, child_intent, j + 1, depth + 1, scratch, found)
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
        let _ = children.for_each_child(level, |j, child_extent| {
            jobs.push((j, child_extent));
            Ok(())
        });
        let parts: Vec<Result<Found<N>, LimitReached>> = jobs
            .into_par_iter()
            .map(|(j, child_extent)| {
                let child_intent = level.closures[j];
                let mut part = Found::new();
                if child_intent.count() >= self.min_cols {
                    self.report(&mut part, child_intent, child_extent)?;
                }
                let mut scratch = Vec::new();
                self.expand(
                    child_extent,
                    child_intent,
                    j + 1,
                    depth + 1,
                    &mut scratch,
                    &mut part,
                )?;
                Ok(part)
            })
            .collect();
        for part in parts {
            found.append(part?);
        }
        Ok(())
    }

    /// Computes the closures of every candidate attribute over `extent`,
    /// keeps the canonical children that can meet the iceberg bounds, and
    /// writes their row lists into `level.items`.
    fn deliver(
        &self,
        extent: &[u32],
        intent: Mask<N>,
        candidates: Mask<N>,
        level: &mut Scratch<N>,
    ) -> Children<N> {
        let full = Mask::full(self.cols);
        candidates.for_each(|j| {
            level.counts[j] = 0;
            level.closures[j] = full;
        });
        for &row in extent {
            let mask = self.rows[row as usize];
            mask.and(candidates).for_each(|j| {
                level.counts[j] += 1;
                level.closures[j] = level.closures[j].and(mask);
            });
        }

        let min_rows = self.min_rows.max(1) as u32;
        let mut viable = Mask::EMPTY;
        candidates.for_each(|j| {
            if level.counts[j] >= min_rows {
                viable = viable.with(j);
            }
        });
        let mut kept = Mask::EMPTY;
        viable.for_each(|j| {
            let closure = level.closures[j];
            let canonical = closure.and(Mask::below(j)).is_subset(intent);
            // Every intent in the child's subtree lies inside its closure
            // plus the viable attributes after j.
            let reachable = closure.or(viable.and(Mask::above(j))).count();
            if canonical && reachable >= self.min_cols {
                kept = kept.with(j);
            }
        });
        if kept.is_empty() {
            return Children { kept };
        }

        let mut total = 0;
        kept.for_each(|j| {
            level.starts[j] = total;
            total += level.counts[j] as usize;
        });
        level.items.clear();
        level.items.resize(total, 0);
        for &row in extent {
            self.rows[row as usize].and(kept).for_each(|j| {
                level.items[level.starts[j]] = row;
                level.starts[j] += 1;
            });
        }
        Children { kept }
    }
}

/// The children kept by [`Search::deliver`]; their row lists sit in the
/// level's `items`, child `j` ending at `starts[j]`.
struct Children<const N: usize> {
    kept: Mask<N>,
}

impl<const N: usize> Children<N> {
    fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    fn for_each_child<'s>(
        &self,
        level: &'s Scratch<N>,
        mut visit: impl FnMut(usize, &'s [u32]) -> Result<(), LimitReached>,
    ) -> Result<(), LimitReached> {
        let mut result = Ok(());
        self.kept.for_each(|j| {
            if result.is_ok() {
                let end = level.starts[j];
                let begin = end - level.counts[j] as usize;
                result = visit(j, &level.items[begin..end]);
            }
        });
        result
    }
}
