//! Rank codes: membership degrees replaced by their rank among the distinct
//! degrees of the input, so that max-min kernels run on narrow integers.
//!
//! Max and min commute with every strictly increasing map, so a max-min
//! kernel run on ranks and mapped back returns exactly the degrees that the
//! `f64` definition returns. Code 0 always stands for the degree 0, which is
//! the value of an empty maximum. Up to 256 distinct degrees (0 included)
//! fit in `u8` and up to 65 536 in `u16`. Beyond that, ranks would need
//! `u32`, which fills no more SIMD lanes than `f64` does with AVX-512 and
//! costs a sort of every degree to build; the kernels then run on the `f64`
//! degrees themselves, whose order is already the order of the numbers.

use std::cmp::Ordering;

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::error::Result;
use crate::memory;

/// A value a max-min kernel runs on: a rank code, or a degree itself.
///
/// The order is total on every value the crate stores (degrees are never
/// NaN), and the zero value is the degree 0.
pub(crate) trait Code:
    Copy + PartialOrd + Default + Send + Sync + std::fmt::Debug + 'static
{
    /// The larger of two values.
    fn max_of(self, other: Self) -> Self;
    /// The smaller of two values.
    fn min_of(self, other: Self) -> Self;
    /// Whether this is the code of the degree 0.
    fn is_zero(self) -> bool;
    /// The order of two values.
    fn order(&self, other: &Self) -> Ordering;
}

macro_rules! impl_integer_code {
    ($($t:ty),*) => {$(
        impl Code for $t {
            #[inline]
            fn max_of(self, other: Self) -> Self {
                self.max(other)
            }

            #[inline]
            fn min_of(self, other: Self) -> Self {
                self.min(other)
            }

            #[inline]
            fn is_zero(self) -> bool {
                self == 0
            }

            #[inline]
            fn order(&self, other: &Self) -> Ordering {
                self.cmp(other)
            }
        }
    )*};
}

impl_integer_code!(u8, u16);

impl Code for f64 {
    // The comparisons below compile to single `maxpd`/`minpd` instructions,
    // which `f64::max` does not because of its NaN rule; degrees are never
    // NaN, so both agree.
    #[inline]
    fn max_of(self, other: Self) -> Self {
        if self > other { self } else { other }
    }

    #[inline]
    fn min_of(self, other: Self) -> Self {
        if self < other { self } else { other }
    }

    #[inline]
    fn is_zero(self) -> bool {
        self == 0.0
    }

    #[inline]
    fn order(&self, other: &Self) -> Ordering {
        self.total_cmp(other)
    }
}

/// Up to 256 distinct degrees, 0 included, are coded as `u8`.
const U8_CODES: usize = 1 << 8;
/// Up to 65 536 distinct degrees, 0 included, are coded as `u16`.
const U16_CODES: usize = 1 << 16;

/// Entries above which encoding and decoding run on the rayon pool.
const PARALLEL_CUTOFF: usize = 1 << 16;

/// How a set of matrices is coded for a max-min kernel.
#[derive(Debug)]
pub(crate) enum Coding {
    /// At most 256 distinct degrees: `u8` codes for each matrix.
    U8(Codebook, Vec<Vec<u8>>),
    /// At most 65 536 distinct degrees: `u16` codes for each matrix.
    U16(Codebook, Vec<Vec<u16>>),
    /// More distinct degrees: the kernels run on the degrees.
    Degrees,
}

/// The sorted distinct degrees of the coded matrices; the code of a degree
/// is its index in this list.
#[derive(Debug, Clone)]
pub(crate) struct Codebook {
    /// Distinct degrees in increasing order, `values[0] == 0.0`.
    values: Vec<f64>,
}

impl Coding {
    /// Codes `matrices` with one codebook, or chooses [`Coding::Degrees`]
    /// when they hold more than 65 536 distinct degrees (0 counted).
    ///
    /// One pass numbers the distinct degrees in order of first appearance
    /// with a hash table, stopping as soon as a 65 537th one shows up; the
    /// numbers are then replaced by ranks.
    pub(crate) fn new(matrices: &[ArrayView2<'_, f64>]) -> Result<Self> {
        let total: usize = matrices.iter().map(|m| m.len()).sum();
        memory::ensure_fits(
            || format!("rank codes of {total} membership degrees"),
            memory::bytes_for(total as u128, std::mem::size_of::<u16>()),
        )?;
        let mut table = DistinctTable::new();
        table.insert(0.0f64.to_bits());
        let mut first_seen: Vec<Vec<u16>> = Vec::with_capacity(matrices.len());
        for matrix in matrices {
            let mut ids = Vec::with_capacity(matrix.len());
            for row in matrix.rows() {
                for &value in row {
                    match table.insert(value.to_bits()) {
                        Some(id) => ids.push(id),
                        None => return Ok(Coding::Degrees),
                    }
                }
            }
            first_seen.push(ids);
        }
        // rank_of[id] is the rank of the degree first seen as number id.
        let mut by_value: Vec<(u64, usize)> = table
            .keys
            .iter()
            .enumerate()
            .map(|(id, &bits)| (bits, id))
            .collect();
        by_value.sort_unstable();
        let mut rank_of = vec![0usize; by_value.len()];
        for (rank, &(_, id)) in by_value.iter().enumerate() {
            rank_of[id] = rank;
        }
        let book = Codebook {
            values: by_value
                .iter()
                .map(|&(bits, _)| f64::from_bits(bits))
                .collect(),
        };
        debug_assert_eq!(book.values[0], 0.0);
        Ok(if book.values.len() <= U8_CODES {
            let rank_of: Vec<u8> = rank_of.iter().map(|&r| r as u8).collect();
            Coding::U8(book, remap_all(&first_seen, &rank_of))
        } else {
            let rank_of: Vec<u16> = rank_of.iter().map(|&r| r as u16).collect();
            Coding::U16(book, remap_all(&first_seen, &rank_of))
        })
    }
}

fn remap_all<C: Code>(first_seen: &[Vec<u16>], rank_of: &[C]) -> Vec<Vec<C>> {
    first_seen
        .iter()
        .map(|ids| {
            if ids.len() >= PARALLEL_CUTOFF {
                ids.par_iter().map(|&id| rank_of[usize::from(id)]).collect()
            } else {
                ids.iter().map(|&id| rank_of[usize::from(id)]).collect()
            }
        })
        .collect()
}

impl Codebook {
    /// Decodes row-major codes into a `rows` x `cols` matrix of degrees.
    pub(crate) fn decode<C: Copy + Into<usize> + Sync>(
        &self,
        codes: &[C],
        rows: usize,
        cols: usize,
    ) -> Array2<f64> {
        debug_assert_eq!(codes.len(), rows * cols);
        let values: Vec<f64> = if codes.len() >= PARALLEL_CUTOFF {
            codes.par_iter().map(|&c| self.values[c.into()]).collect()
        } else {
            codes.iter().map(|&c| self.values[c.into()]).collect()
        };
        Array2::from_shape_vec((rows, cols), values).expect("one code per entry")
    }
}

/// Numbers distinct bit patterns in order of first appearance, up to
/// [`U16_CODES`] of them: open addressing with linear probing, kept at most
/// a quarter full.
struct DistinctTable {
    /// `(bits, id)` per slot; `EMPTY` marks a free slot.
    slots: Vec<(u64, u16)>,
    /// Distinct keys in order of first appearance.
    keys: Vec<u64>,
}

/// No valid degree has the sign bit set, so this pattern never occurs.
const EMPTY: u64 = u64::MAX;

impl DistinctTable {
    fn new() -> Self {
        Self {
            slots: vec![(EMPTY, 0); 1024],
            keys: Vec::new(),
        }
    }

    #[inline]
    fn slot_of(bits: u64, len: usize) -> usize {
        // Fibonacci hashing on the high bits; `len` is a power of two.
        (bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - len.trailing_zeros())) as usize
    }

    /// The number of `bits`, inserting it if new; `None` when it would be
    /// number [`U16_CODES`] or beyond.
    #[inline]
    fn insert(&mut self, bits: u64) -> Option<u16> {
        let mask = self.slots.len() - 1;
        let mut slot = Self::slot_of(bits, self.slots.len());
        loop {
            let (key, id) = self.slots[slot];
            if key == bits {
                return Some(id);
            }
            if key == EMPTY {
                break;
            }
            slot = (slot + 1) & mask;
        }
        if self.keys.len() == U16_CODES {
            return None;
        }
        let id = self.keys.len() as u16;
        self.slots[slot] = (bits, id);
        self.keys.push(bits);
        if self.keys.len() * 4 > self.slots.len() {
            self.grow();
        }
        Some(id)
    }

    fn grow(&mut self) {
        let len = self.slots.len() * 2;
        let mut slots = vec![(EMPTY, 0); len];
        for (id, &bits) in self.keys.iter().enumerate() {
            let mut slot = Self::slot_of(bits, len);
            while slots[slot].0 != EMPTY {
                slot = (slot + 1) & (len - 1);
            }
            slots[slot] = (bits, id as u16);
        }
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn codes_keep_order_and_zero() {
        let m = array![[0.5, 0.25], [1.0, 0.25]];
        let Coding::U8(book, codes) = Coding::new(&[m.view()]).unwrap() else {
            panic!("four degrees fit in u8");
        };
        assert_eq!(book.values, vec![0.0, 0.25, 0.5, 1.0]);
        assert_eq!(codes[0], vec![2, 1, 3, 1]);
        assert_eq!(book.decode(&codes[0], 2, 2), m);
    }

    #[test]
    fn width_grows_with_distinct_values() {
        let exactly_u8 = Array2::from_shape_fn((1, 255), |(_, j)| (j + 1) as f64 / 255.0);
        assert!(matches!(
            Coding::new(&[exactly_u8.view()]).unwrap(),
            Coding::U8(..)
        ));
        let wide = Array2::from_shape_fn((2, 300), |(i, j)| (i * 300 + j) as f64 / 600.0);
        let Coding::U16(book, codes) = Coding::new(&[wide.view(), wide.view()]).unwrap() else {
            panic!("600 degrees need u16");
        };
        assert_eq!(book.values.len(), 600);
        assert_eq!(codes.len(), 2);
        assert_eq!(book.decode(&codes[1], 2, 300), wide);

        let exactly_u16 = Array2::from_shape_fn((1, 65_535), |(_, j)| (j + 1) as f64 / 65_535.0);
        let Coding::U16(book, codes) = Coding::new(&[exactly_u16.view()]).unwrap() else {
            panic!("65 536 degrees fit in u16");
        };
        assert_eq!(book.decode(&codes[0], 1, 65_535), exactly_u16);
        let wider = Array2::from_shape_fn((1, 65_536), |(_, j)| (j + 1) as f64 / 65_536.0);
        assert!(matches!(
            Coding::new(&[wider.view()]).unwrap(),
            Coding::Degrees
        ));
    }
}
