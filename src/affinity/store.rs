//! Compact storage of many (row set, column set) pairs.

use rayon::prelude::*;

use super::cbo::Found;
use super::mask::{Mask, cmp_lex_words};
use crate::bitset::words_for;
use crate::error::Result;
use crate::memory::{bytes_for, ensure_fits};

/// Groups stored in three arenas: column sets as `col_words` words each,
/// row sets as sorted `u32` index slices, one offset per group.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Store {
    pub(crate) cols: usize,
    pub(crate) col_words: usize,
    pub(crate) intents: Vec<u64>,
    /// Row set `i` is `extents[offsets[i]..offsets[i + 1]]`.
    pub(crate) offsets: Vec<usize>,
    pub(crate) extents: Vec<u32>,
}

impl Store {
    pub(crate) fn new(cols: usize) -> Self {
        Self {
            cols,
            col_words: words_for(cols),
            intents: Vec::new(),
            offsets: vec![0],
            extents: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(crate) fn intent(&self, index: usize) -> &[u64] {
        &self.intents[index * self.col_words..][..self.col_words]
    }

    pub(crate) fn extent(&self, index: usize) -> &[u32] {
        &self.extents[self.offsets[index]..self.offsets[index + 1]]
    }

    pub(crate) fn push(&mut self, intent: &[u64], extent: &[u32]) {
        debug_assert_eq!(intent.len(), self.col_words);
        self.intents.extend_from_slice(intent);
        self.extents.extend_from_slice(extent);
        self.offsets.push(self.extents.len());
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

    /// Returns the groups in the order given by `order`.
    pub(crate) fn permuted(&self, order: &[u32]) -> Result<Self> {
        ensure_fits(
            || format!("{} affinity groups", self.len()),
            bytes_for(self.extents.len() as u128, 4) + bytes_for(self.intents.len() as u128, 8),
        )?;
        let mut out = Self::new(self.cols);
        out.intents.reserve_exact(self.intents.len());
        out.extents.reserve_exact(self.extents.len());
        out.offsets.reserve_exact(self.offsets.len());
        for &index in order {
            out.push(self.intent(index as usize), self.extent(index as usize));
        }
        Ok(out)
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
    /// as objects), sorted. Intents are unique, so they alone order them.
    pub(crate) fn from_found<const N: usize>(found: Found<N>, cols: usize) -> Result<Self> {
        let mut keys: Vec<(Mask<N>, u32)> = found
            .intents
            .iter()
            .enumerate()
            .map(|(i, &m)| (m, i as u32))
            .collect();
        keys.par_sort_unstable_by(|a, b| a.0.cmp_lex(b.0));

        ensure_fits(
            || format!("{} affinity groups", found.len()),
            bytes_for(found.extents.len() as u128, 4),
        )?;
        let mut out = Self::new(cols);
        out.intents.reserve_exact(found.len() * out.col_words);
        out.extents.reserve_exact(found.extents.len());
        out.offsets.reserve_exact(found.len() + 1);
        for (mask, index) in keys {
            out.push(&mask.0[..out.col_words], found.extent(index as usize));
        }
        Ok(out)
    }

    /// Converts the concepts of a search run on the transposed relation
    /// (columns as objects), sorted.
    pub(crate) fn from_found_transposed<const N: usize>(
        found: Found<N>,
        cols: usize,
    ) -> Result<Self> {
        let mut out = Self::new(cols);
        let mut words = vec![0u64; out.col_words];
        let mut rows = Vec::new();
        for index in 0..found.len() {
            words.fill(0);
            for &col in found.extent(index) {
                crate::bitset::insert(&mut words, col as usize);
            }
            rows.clear();
            found.intents[index].for_each(|row| rows.push(row as u32));
            out.push(&words, &rows);
        }
        out.sorted()
    }
}
