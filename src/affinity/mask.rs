//! Fixed-width column sets for the enumeration kernels.
//!
//! An intent (a set of columns) is stored in `N` words so that it is a plain
//! `Copy` value: the kernels move intents by value, compare them in a few
//! instructions and keep them in flat arrays. The caller picks the smallest
//! `N` from [`MASK_WIDTHS`] that holds every column.

use crate::bitset::WORD_BITS;

/// The word counts the kernels are compiled for; a relation with more than
/// `64 * 16` columns is handled on its transpose or rejected.
pub(crate) const MASK_WIDTHS: [usize; 5] = [1, 2, 4, 8, 16];

/// A set of column indexes in `N` words; bit `j % 64` of word `j / 64`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct Mask<const N: usize>(pub [u64; N]);

impl<const N: usize> Mask<N> {
    pub(crate) const EMPTY: Self = Self([0; N]);

    /// The set {0, .., len - 1}.
    pub(crate) fn full(len: usize) -> Self {
        Self::below(len)
    }

    /// The set {0, .., j - 1}.
    #[inline]
    pub(crate) fn below(j: usize) -> Self {
        let mut words = [0u64; N];
        for (k, word) in words.iter_mut().enumerate() {
            let start = k * WORD_BITS;
            *word = if j >= start + WORD_BITS {
                u64::MAX
            } else if j > start {
                (1u64 << (j - start)) - 1
            } else {
                0
            };
        }
        Self(words)
    }

    /// The set {j + 1, .., 64 N - 1}.
    #[inline]
    pub(crate) fn above(j: usize) -> Self {
        Self::below(j + 1).not()
    }

    /// Reads the first `words.len()` words, leaving the rest zero.
    pub(crate) fn from_words(words: &[u64]) -> Self {
        debug_assert!(words.len() <= N);
        let mut mask = [0u64; N];
        mask[..words.len()].copy_from_slice(words);
        Self(mask)
    }

    #[inline]
    pub(crate) fn and(self, other: Self) -> Self {
        Self(std::array::from_fn(|k| self.0[k] & other.0[k]))
    }

    #[inline]
    pub(crate) fn or(self, other: Self) -> Self {
        Self(std::array::from_fn(|k| self.0[k] | other.0[k]))
    }

    /// `self` minus `other`.
    #[inline]
    pub(crate) fn without(self, other: Self) -> Self {
        Self(std::array::from_fn(|k| self.0[k] & !other.0[k]))
    }

    #[inline]
    fn not(self) -> Self {
        Self(std::array::from_fn(|k| !self.0[k]))
    }

    #[inline]
    pub(crate) fn is_empty(self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    #[inline]
    pub(crate) fn is_subset(self, other: Self) -> bool {
        self.without(other).is_empty()
    }

    #[inline]
    pub(crate) fn with(mut self, j: usize) -> Self {
        self.0[j / WORD_BITS] |= 1 << (j % WORD_BITS);
        self
    }

    #[inline]
    pub(crate) fn count(self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Calls `f` on each member in increasing order.
    #[inline]
    pub(crate) fn for_each(self, mut f: impl FnMut(usize)) {
        for (k, &word) in self.0.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                f(k * WORD_BITS + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
    }

    /// Compares the sets as sorted index lists, lexicographically, a proper
    /// prefix first.
    #[inline]
    pub(crate) fn cmp_lex(self, other: Self) -> std::cmp::Ordering {
        cmp_lex_words(&self.0, &other.0)
    }
}

/// Compares two equally long word slices as sorted index lists of their set
/// bits, lexicographically, a proper prefix first.
#[inline]
pub(crate) fn cmp_lex_words(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    debug_assert_eq!(a.len(), b.len());
    let Some(k) = (0..a.len()).find(|&k| a[k] != b[k]) else {
        return Ordering::Equal;
    };
    let low = (a[k] ^ b[k]) & (a[k] ^ b[k]).wrapping_neg();
    // The lists agree below the lowest differing bit; the list holding it
    // is smaller unless the other list ends there.
    let a_holds = a[k] & low != 0;
    let rest = if a_holds { b } else { a };
    let rest_goes_on = rest[k] & !(low | (low - 1)) != 0 || rest[k + 1..].iter().any(|&w| w != 0);
    if rest_goes_on == a_holds {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(mask: Mask<2>) -> Vec<usize> {
        let mut out = Vec::new();
        mask.for_each(|j| out.push(j));
        out
    }

    fn mask(items: &[usize]) -> Mask<2> {
        items.iter().fold(Mask::EMPTY, |m, &j| m.with(j))
    }

    #[test]
    fn below_and_above_split_the_range() {
        for j in [0, 1, 63, 64, 65, 127] {
            let below = Mask::<2>::below(j);
            let above = Mask::<2>::above(j);
            assert_eq!(below.count(), j);
            assert_eq!(above.count(), 127 - j);
            assert!(below.and(above).is_empty());
            assert_eq!(
                below.or(above),
                Mask::full(128).without(Mask::EMPTY.with(j))
            );
        }
        assert_eq!(Mask::<2>::full(70).count(), 70);
    }

    #[test]
    fn cmp_lex_matches_vector_order() {
        let sets: Vec<Vec<usize>> = vec![
            vec![],
            vec![0],
            vec![0, 1],
            vec![0, 70],
            vec![1],
            vec![1, 2, 3],
            vec![2],
            vec![64],
            vec![64, 100],
            vec![127],
        ];
        for a in &sets {
            for b in &sets {
                assert_eq!(mask(a).cmp_lex(mask(b)), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
        assert_eq!(list(mask(&[3, 64, 100])), vec![3, 64, 100]);
    }
}
