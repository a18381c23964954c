//! Compact storage of many (row set, column set) pairs.

use rayon::prelude::*;

use super::cbo::Found;
use super::mask::{Mask, cmp_lex_words};
use crate::bitset::words_for;
use crate::error::Result;
use crate::memory::{bytes_for, ensure_fits};

/// Groups stored in arenas: column sets as `col_words` words each, row
/// sets as sorted `u32` index slices in a few large arenas (one per search
/// task), which the groups reference by arena, start and length, so
/// gathering and reordering the groups never moves the row lists.
#[derive(Clone, Debug, Default)]
pub(crate) struct Store {
    pub(crate) cols: usize,
    pub(crate) col_words: usize,
    pub(crate) intents: Vec<u64>,
    /// Row set `i` is `arenas[arena[i]][starts[i]..starts[i] + lens[i]]`.
    pub(crate) arena: Vec<u32>,
    pub(crate) starts: Vec<usize>,
    pub(crate) lens: Vec<u32>,
    pub(crate) arenas: Vec<Vec<u32>>,
}

impl PartialEq for Store {
    /// Compares the groups, not the arena layout.
    fn eq(&self, other: &Self) -> bool {
        self.cols == other.cols
            && self.len() == other.len()
            && self.intents == other.intents
            && (0..self.len()).all(|i| self.extent(i) == other.extent(i))
    }
}

impl Store {
    pub(crate) fn new(cols: usize) -> Self {
        Self {
            cols,
            col_words: words_for(cols),
            intents: Vec::new(),
            arena: Vec::new(),
            starts: Vec::new(),
            lens: Vec::new(),
            arenas: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    pub(crate) fn intent(&self, index: usize) -> &[u64] {
        &self.intents[index * self.col_words..][..self.col_words]
    }

    pub(crate) fn extent(&self, index: usize) -> &[u32] {
        let arena = &self.arenas[self.arena[index] as usize];
        &arena[self.starts[index]..][..self.lens[index] as usize]
    }

    pub(crate) fn push(&mut self, intent: &[u64], extent: &[u32]) {
        debug_assert_eq!(intent.len(), self.col_words);
        if self.arenas.is_empty() {
            self.arenas.push(Vec::new());
        }
        let last = self.arenas.len() - 1;
        let arena = &mut self.arenas[last];
        self.intents.extend_from_slice(intent);
        self.arena.push(last as u32);
        self.starts.push(arena.len());
        self.lens.push(extent.len() as u32);
        arena.extend_from_slice(extent);
    }

    /// Orders groups by column set, then by row set, both compared as
    /// sorted index lists (lexicographically, a proper prefix first).
    pub(crate) fn compare(&self, a: usize, b: usize) -> std::cmp::Ordering {
        cmp_lex_words(self.intent(a), self.intent(b))
            .then_with(|| self.extent(a).cmp(self.extent(b)))
    }

    /// Index of the group with column set `intent`, by binary search; only
    /// meaningful while column sets are unique, as within one cut.
    pub(crate) fn position_of_intent(&self, intent: &[u64]) -> Option<usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match cmp_lex_words(self.intent(mid), intent) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Reorders the groups as `order` lists them; the row arena stays.
    pub(crate) fn permuted(self, order: &[u32]) -> Result<Self> {
        ensure_fits(
            || format!("the order of {} affinity groups", self.len()),
            bytes_for(order.len() as u128, 16 + 8 * self.col_words),
        )?;
        let mut intents = Vec::with_capacity(self.intents.len());
        for &index in order {
            intents.extend_from_slice(self.intent(index as usize));
        }
        Ok(Self {
            intents,
            arena: order.iter().map(|&i| self.arena[i as usize]).collect(),
            starts: order.iter().map(|&i| self.starts[i as usize]).collect(),
            lens: order.iter().map(|&i| self.lens[i as usize]).collect(),
            ..self
        })
    }

    /// The permutation that sorts the groups into the order of
    /// [`Store::compare`].
    pub(crate) fn sort_order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.par_sort_unstable_by(|&a, &b| self.compare(a as usize, b as usize));
        order
    }

    /// Sorts the groups into the order of [`Store::compare`].
    pub(crate) fn sorted(self) -> Result<Self> {
        let order = self.sort_order();
        self.permuted(&order)
    }

    /// Converts the concepts of a search run on the relation itself (rows
    /// as objects), sorted, leaving out the first one when `skip_first`.
    /// Intents are unique, so they alone order the concepts.
    pub(crate) fn from_found<const N: usize>(
        found: Found<N>,
        cols: usize,
        skip_first: bool,
    ) -> Result<Self> {
        let col_words = words_for(cols);
        ensure_fits(
            || format!("the order of {} affinity groups", found.len()),
            bytes_for(found.len() as u128, 32 + 8 * col_words),
        )?;
        let first = usize::from(skip_first).min(found.len());
        let mut keys: Vec<(Mask<N>, u32)> = found.intents[first..]
            .iter()
            .enumerate()
            .map(|(i, &m)| (m, (i + first) as u32))
            .collect();
        keys.par_sort_unstable_by(|a, b| a.0.cmp_lex(b.0));

        let mut intents = Vec::with_capacity(keys.len() * col_words);
        for (mask, _) in &keys {
            intents.extend_from_slice(&mask.0[..col_words]);
        }
        let pick = |values: &[usize]| keys.iter().map(|&(_, i)| values[i as usize]).collect();
        let starts = pick(&found.starts);
        let arena = keys.iter().map(|&(_, i)| found.block[i as usize]).collect();
        let lens = keys.iter().map(|&(_, i)| found.lens[i as usize]).collect();
        Ok(Self {
            cols,
            col_words,
            intents,
            arena,
            starts,
            lens,
            arenas: found.blocks,
        })
    }

    /// Converts the concepts of a search run on the transposed relation
    /// (columns as objects), sorted, leaving out the first one when
    /// `skip_first`.
    pub(crate) fn from_found_transposed<const N: usize>(
        found: Found<N>,
        cols: usize,
        skip_first: bool,
    ) -> Result<Self> {
        let mut out = Self::new(cols);
        let mut words = vec![0u64; out.col_words];
        let mut rows = Vec::new();
        for index in usize::from(skip_first)..found.len() {
            let (intent, extent) = (found.intents[index], found.extent(index));
            words.fill(0);
            for &col in extent {
                crate::bitset::insert(&mut words, col as usize);
            }
            rows.clear();
            intent.for_each(|row| rows.push(row as u32));
            out.push(&words, &rows);
        }
        out.sorted()
    }
}
