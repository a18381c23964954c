//! Run-time choice of the instruction set for the max-min kernels.
//!
//! A library cannot assume the CPU it was built for, so the kernels are
//! compiled twice more with AVX2 and with AVX-512 enabled, and the widest
//! one the running CPU supports is called. The portable build stays for
//! other CPUs and other architectures.

// The calls into `#[target_feature]` functions are the crate's only unsafe
// code; each is guarded by the feature check in `SimdLevel::detect`.
#![allow(unsafe_code)]

use crate::compose::{RowTerms, apply_terms_portable, compose_block_portable};
use crate::rank::Code;

/// An instruction set known to be available on this CPU.
///
/// Values exist only through [`SimdLevel::detect`] and
/// [`SimdLevel::portable`], so holding one proves the check was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SimdLevel(Level);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl SimdLevel {
    /// The widest instruction set this CPU supports.
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vl")
            {
                return Self(Level::Avx512);
            }
            if is_x86_feature_detected!("avx2") {
                return Self(Level::Avx2);
            }
        }
        Self::portable()
    }

    /// The build for the baseline target, valid on every CPU.
    pub(crate) fn portable() -> Self {
        Self(Level::Portable)
    }

    /// Every level this CPU supports, portable first.
    #[cfg(test)]
    pub(crate) fn all_available() -> Vec<Self> {
        let mut levels = vec![Self::portable()];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") {
                levels.push(Self(Level::Avx2));
            }
            if Self::detect().0 == Level::Avx512 {
                levels.push(Self(Level::Avx512));
            }
        }
        levels
    }

    /// Composes a block of left rows with `b`; see
    /// [`compose_block_portable`].
    #[inline]
    pub(crate) fn compose_block<C: Code>(
        self,
        a_rows: &[C],
        b: &[C],
        cols: usize,
        out_rows: &mut [C],
        row_terms: &mut Vec<RowTerms<C>>,
    ) {
        match self.0 {
            Level::Portable => compose_block_portable(a_rows, b, cols, out_rows, row_terms),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Level::Avx2` is only built by `detect` and
            // `all_available` after `is_x86_feature_detected!("avx2")`.
            Level::Avx2 => unsafe { compose_block_avx2(a_rows, b, cols, out_rows, row_terms) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Level::Avx512` is only built by `detect` after
            // checking avx512f, avx512bw and avx512vl.
            Level::Avx512 => unsafe { compose_block_avx512(a_rows, b, cols, out_rows, row_terms) },
        }
    }

    /// Raises `out[z]` to max over the terms (a, y) of min(a, b[y, z]); see
    /// [`apply_terms_portable`].
    #[inline]
    pub(crate) fn apply_terms<C: Code>(
        self,
        terms: &mut Vec<(C, u32)>,
        b: &[C],
        cols: usize,
        out: &mut [C],
    ) {
        match self.0 {
            Level::Portable => apply_terms_portable(terms, b, cols, out),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Level::Avx2` is only built by `detect` and
            // `all_available` after `is_x86_feature_detected!("avx2")`.
            Level::Avx2 => unsafe { apply_terms_avx2(terms, b, cols, out) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Level::Avx512` is only built by `detect` after
            // checking avx512f, avx512bw and avx512vl.
            Level::Avx512 => unsafe { apply_terms_avx512(terms, b, cols, out) },
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn compose_block_avx2<C: Code>(
    a_rows: &[C],
    b: &[C],
    cols: usize,
    out_rows: &mut [C],
    row_terms: &mut Vec<RowTerms<C>>,
) {
    compose_block_portable(a_rows, b, cols, out_rows, row_terms);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512bw,avx512vl")]
fn compose_block_avx512<C: Code>(
    a_rows: &[C],
    b: &[C],
    cols: usize,
    out_rows: &mut [C],
    row_terms: &mut Vec<RowTerms<C>>,
) {
    compose_block_portable(a_rows, b, cols, out_rows, row_terms);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn apply_terms_avx2<C: Code>(terms: &mut Vec<(C, u32)>, b: &[C], cols: usize, out: &mut [C]) {
    apply_terms_portable(terms, b, cols, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512bw,avx512vl")]
fn apply_terms_avx512<C: Code>(terms: &mut Vec<(C, u32)>, b: &[C], cols: usize, out: &mut [C]) {
    apply_terms_portable(terms, b, cols, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_levels<C: Code>(values: &[C]) {
        let cols = 37;
        let rows = values.len() / cols;
        let b = &values[..rows * cols];
        let terms: Vec<(C, u32)> = (0..rows)
            .map(|y| (values[(y * 7) % values.len()], y as u32))
            .filter(|(a, _)| !a.is_zero())
            .collect();
        let mut expected = vec![C::default(); cols];
        for &(a, y) in &terms {
            for z in 0..cols {
                expected[z] = expected[z].max_of(a.min_of(b[y as usize * cols + z]));
            }
        }
        for level in SimdLevel::all_available() {
            let mut out = vec![C::default(); cols];
            level.apply_terms(&mut terms.clone(), b, cols, &mut out);
            assert_eq!(out, expected, "{level:?}");
        }
    }

    #[test]
    fn every_available_level_matches_the_definition() {
        let raw: Vec<u64> = (0..37 * 90)
            .map(|i: u64| i.wrapping_mul(2_654_435_761) % 1_000)
            .collect();
        check_levels(&raw.iter().map(|&v| (v % 11) as u8).collect::<Vec<_>>());
        check_levels(&raw.iter().map(|&v| v as u16).collect::<Vec<_>>());
        check_levels(&raw.iter().map(|&v| v as f64 / 999.0).collect::<Vec<_>>());
    }
}
