//! Rank codes: membership degrees replaced by their rank among the distinct
//! degrees of the input, so that max-min kernels run on narrow integers.
//!
//! Max and min commute with every strictly increasing map, so a max-min
//! kernel run on ranks and mapped back returns exactly the degrees that the
//! `f64` definition returns. Code 0 always stands for the degree 0, which is
//! the value of an empty maximum. Up to 256 distinct degrees (0 included)
//! fit in `u8`, up to 65 536 in `u16`, and beyond that codes are `u32`.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::error::Result;
use crate::memory;

/// An unsigned integer type used as a rank code.
pub(crate) trait Code:
    Copy + Ord + Default + Send + Sync + std::fmt::Debug + 'static
{
    /// The code of rank `index`, which is below the type's capacity.
    fn from_rank(index: usize) -> Self;
    /// The rank this code stands for.
    fn rank(self) -> usize;
}

macro_rules! impl_code {
    ($($t:ty),*) => {$(
        impl Code for $t {
            #[inline]
            fn from_rank(index: usize) -> Self {
                debug_assert!(index <= <$t>::MAX as usize);
                index as $t
            }

            #[inline]
            fn rank(self) -> usize {
                self as usize
            }
        }
    )*};
}

impl_code!(u8, u16, u32);

/// The narrowest code type that holds a codebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Width {
    U8,
    U16,
    U32,
}

/// The sorted distinct degrees of one or more matrices; the code of a
/// degree is its index in this list.
#[derive(Debug, Clone)]
pub(crate) struct Codebook {
    /// Distinct degrees in increasing order, `values[0] == 0.0`.
    values: Vec<f64>,
}

/// Inputs with at least this many degrees are sorted on the rayon pool; below
/// it the sort is too short for the split to pay off.
const PARALLEL_SORT_CUTOFF: usize = 1 << 16;

impl Codebook {
    /// Collects the distinct degrees of `matrices`, plus 0.
    ///
    /// Degrees are valid (finite, non-negative, no `-0.0`), so their bit
    /// patterns sort in the same order as the numbers.
    pub(crate) fn build(matrices: &[ArrayView2<'_, f64>]) -> Result<Self> {
        let total: usize = matrices.iter().map(|m| m.len()).sum();
        memory::ensure_fits(
            || format!("the rank codebook of {total} membership degrees"),
            memory::bytes_for(total as u128 + 1, std::mem::size_of::<u64>()),
        )?;
        let mut bits = Vec::with_capacity(total + 1);
        bits.push(0u64);
        for matrix in matrices {
            bits.extend(matrix.iter().map(|v| v.to_bits()));
        }
        if bits.len() >= PARALLEL_SORT_CUTOFF {
            bits.par_sort_unstable();
        } else {
            bits.sort_unstable();
        }
        bits.dedup();
        Ok(Self {
            values: bits.into_iter().map(f64::from_bits).collect(),
        })
    }

    /// Number of codes.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The narrowest code type holding every code.
    pub(crate) fn width(&self) -> Width {
        match self.len() {
            0..=256 => Width::U8,
            257..=65_536 => Width::U16,
            _ => Width::U32,
        }
    }

    /// The code of `value`, which must be in the codebook.
    #[inline]
    fn code_of<C: Code>(&self, value: f64) -> C {
        let bits = value.to_bits();
        let rank = self.values.partition_point(|v| v.to_bits() < bits);
        debug_assert_eq!(self.values[rank].to_bits(), bits);
        C::from_rank(rank)
    }

    /// Encodes `matrix` as row-major codes.
    pub(crate) fn encode<C: Code>(&self, matrix: ArrayView2<'_, f64>) -> Result<Vec<C>> {
        let (rows, cols) = matrix.dim();
        memory::ensure_fits(
            || format!("rank codes of a {rows} x {cols} relation"),
            memory::matrix_bytes::<C>(rows, cols),
        )?;
        let mut codes = vec![C::default(); rows * cols];
        let encode_row = |(row, out): (usize, &mut [C])| {
            for (code, &value) in out.iter_mut().zip(matrix.row(row)) {
                *code = self.code_of(value);
            }
        };
        if rows * cols >= PARALLEL_SORT_CUTOFF {
            codes.par_chunks_mut(cols).enumerate().for_each(encode_row);
        } else {
            codes.chunks_mut(cols).enumerate().for_each(encode_row);
        }
        Ok(codes)
    }

    /// Decodes row-major codes into a `rows` x `cols` matrix of degrees.
    pub(crate) fn decode<C: Code>(&self, codes: &[C], rows: usize, cols: usize) -> Array2<f64> {
        debug_assert_eq!(codes.len(), rows * cols);
        let values: Vec<f64> = if codes.len() >= PARALLEL_SORT_CUTOFF {
            codes.par_iter().map(|c| self.values[c.rank()]).collect()
        } else {
            codes.iter().map(|c| self.values[c.rank()]).collect()
        };
        Array2::from_shape_vec((rows, cols), values).expect("one code per entry")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn codebook_keeps_order_and_zero() {
        let m = array![[0.5, 0.25], [1.0, 0.25]];
        let book = Codebook::build(&[m.view()]).unwrap();
        assert_eq!(book.values, vec![0.0, 0.25, 0.5, 1.0]);
        assert_eq!(book.width(), Width::U8);
        let codes: Vec<u8> = book.encode(m.view()).unwrap();
        assert_eq!(codes, vec![2, 1, 3, 1]);
        assert_eq!(book.decode(&codes, 2, 2), m);
    }

    #[test]
    fn width_grows_with_distinct_values() {
        let wide = Array2::from_shape_fn((1, 300), |(_, j)| j as f64 / 300.0);
        let book = Codebook::build(&[wide.view()]).unwrap();
        assert_eq!(book.len(), 300);
        assert_eq!(book.width(), Width::U16);
        let codes: Vec<u16> = book.encode(wide.view()).unwrap();
        assert_eq!(book.decode(&codes, 1, 300), wide);

        let wider = Array2::from_shape_fn((1, 70_000), |(_, j)| j as f64 / 70_000.0);
        let book = Codebook::build(&[wider.view()]).unwrap();
        assert_eq!(book.width(), Width::U32);
        let codes: Vec<u32> = book.encode(wider.view()).unwrap();
        assert_eq!(book.decode(&codes, 1, 70_000), wider);
    }
}
