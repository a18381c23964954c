//! Bit sets stored as `u64` words.
//!
//! A set over `len` elements takes `len.div_ceil(64)` words; element `i` is
//! bit `i % 64` of word `i / 64`. Bits past `len` in the last word are always
//! zero, so word-wise counts and comparisons need no masking. The kernels
//! keep many such sets in one contiguous arena and pass slices of it around;
//! docs/algorithms.md explains why this layout was chosen over a bit-set
//! crate.

/// Bits in one storage word.
pub const WORD_BITS: usize = 64;

/// Number of words needed for a set over `len` elements.
#[inline]
pub const fn words_for(len: usize) -> usize {
    len.div_ceil(WORD_BITS)
}

/// A borrowed bit set: a row or a column of a [`CrispRelation`](crate::CrispRelation),
/// or any word slice that keeps the zero-padding invariant.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BitSetRef<'a> {
    words: &'a [u64],
    len: usize,
}

impl<'a> BitSetRef<'a> {
    /// Wraps `words` as a set over `len` elements.
    ///
    /// # Panics
    ///
    /// Panics if `words` does not have exactly `words_for(len)` words or if a
    /// bit at or past `len` is set.
    #[track_caller]
    pub fn new(words: &'a [u64], len: usize) -> Self {
        assert_eq!(
            words.len(),
            words_for(len),
            "word count does not match the length"
        );
        if let Some(&last) = words.last() {
            let used = len - (words.len() - 1) * WORD_BITS;
            assert!(
                used == WORD_BITS || last >> used == 0,
                "bits set past the length"
            );
        }
        Self { words, len }
    }

    /// Number of elements the set ranges over (not the number of members).
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set ranges over no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The storage words.
    #[inline]
    pub fn words(&self) -> &'a [u64] {
        self.words
    }

    /// Whether element `index` is a member; false past the length.
    #[inline]
    pub fn contains(&self, index: usize) -> bool {
        index < self.len && self.words[index / WORD_BITS] >> (index % WORD_BITS) & 1 == 1
    }

    /// Number of members.
    #[inline]
    pub fn count_ones(&self) -> usize {
        count_ones(self.words)
    }

    /// Whether every member of `self` is a member of `other`.
    #[inline]
    pub fn is_subset(&self, other: &BitSetRef<'_>) -> bool {
        is_subset(self.words, other.words)
    }

    /// Iterates over the members in increasing order.
    pub fn ones(&self) -> Ones<'a> {
        Ones::new(self.words)
    }

    /// Collects the members into a vector, in increasing order.
    pub fn to_vec(&self) -> Vec<usize> {
        self.ones().collect()
    }
}

impl std::fmt::Debug for BitSetRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.ones()).finish()
    }
}

/// Iterator over the set bits of a word slice, in increasing order.
#[derive(Clone, Debug)]
pub struct Ones<'a> {
    words: &'a [u64],
    word_index: usize,
    current: u64,
}

impl<'a> Ones<'a> {
    /// Starts iterating over `words`.
    pub fn new(words: &'a [u64]) -> Self {
        Self {
            words,
            word_index: 0,
            current: words.first().copied().unwrap_or(0),
        }
    }
}

impl Iterator for Ones<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.current == 0 {
            self.word_index += 1;
            if self.word_index >= self.words.len() {
                return None;
            }
            self.current = self.words[self.word_index];
        }
        let bit = self.current.trailing_zeros() as usize;
        self.current &= self.current - 1;
        Some(self.word_index * WORD_BITS + bit)
    }
}

/// Number of set bits in `words`.
#[inline]
pub fn count_ones(words: &[u64]) -> usize {
    words.iter().map(|w| w.count_ones() as usize).sum()
}

/// Whether every bit of `a` is set in `b`. Both slices have the same length.
#[inline]
pub fn is_subset(a: &[u64], b: &[u64]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    a.iter().zip(b).all(|(x, y)| x & !y == 0)
}

/// Writes `a & b` into `out`. All three slices have the same length.
#[inline]
pub fn intersect_into(a: &[u64], b: &[u64], out: &mut [u64]) {
    debug_assert_eq!(a.len(), b.len());
    debug_assert_eq!(a.len(), out.len());
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x & y;
    }
}

/// Sets bit `index` in `words`.
#[inline]
pub fn insert(words: &mut [u64], index: usize) {
    words[index / WORD_BITS] |= 1 << (index % WORD_BITS);
}

/// Whether bit `index` is set in `words`.
#[inline]
pub fn contains(words: &[u64], index: usize) -> bool {
    words[index / WORD_BITS] >> (index % WORD_BITS) & 1 == 1
}

/// Fills `words` with the full set over `len` elements, keeping the padding zero.
pub fn fill_ones(words: &mut [u64], len: usize) {
    debug_assert_eq!(words.len(), words_for(len));
    words.fill(u64::MAX);
    let used = len % WORD_BITS;
    if used != 0 {
        if let Some(last) = words.last_mut() {
            *last = (1u64 << used) - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ones_lists_members_across_words() {
        let mut words = vec![0u64; words_for(130)];
        for i in [0, 63, 64, 127, 129] {
            insert(&mut words, i);
        }
        let set = BitSetRef::new(&words, 130);
        assert_eq!(set.to_vec(), vec![0, 63, 64, 127, 129]);
        assert_eq!(set.count_ones(), 5);
        assert!(set.contains(129));
        assert!(!set.contains(128));
        assert!(!set.contains(500));
    }

    #[test]
    fn fill_ones_keeps_padding_zero() {
        let mut words = vec![0u64; words_for(70)];
        fill_ones(&mut words, 70);
        assert_eq!(count_ones(&words), 70);
        assert_eq!(words[1], (1 << 6) - 1);
        let mut exact = vec![0u64; 2];
        fill_ones(&mut exact, 128);
        assert_eq!(count_ones(&exact), 128);
    }

    #[test]
    fn subset_and_intersection() {
        let a = [0b1010u64, 1];
        let b = [0b1110u64, 3];
        assert!(is_subset(&a, &b));
        assert!(!is_subset(&b, &a));
        let mut out = [0u64; 2];
        intersect_into(&a, &[0b0110, 2], &mut out);
        assert_eq!(out, [0b0010, 0]);
    }

    #[test]
    #[should_panic(expected = "bits set past the length")]
    fn new_rejects_padding_bits() {
        let words = [1u64 << 10];
        let _ = BitSetRef::new(&words, 5);
    }
}
