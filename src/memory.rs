//! Memory estimates checked before large allocations.
//!
//! A request that cannot fit returns [`Error::TooLarge`] with the bytes it
//! needs, instead of aborting the process in the allocator. On Linux the
//! estimate is compared with `MemAvailable` from `/proc/meminfo`; elsewhere,
//! and when that file cannot be read, only requests beyond the address space
//! (`isize::MAX` bytes) are rejected up front.

use crate::error::{Error, Result};

/// Bytes of `count` items of `item_bytes` each, saturating at `u128::MAX`.
pub(crate) fn bytes_for(count: u128, item_bytes: usize) -> u128 {
    count.saturating_mul(item_bytes as u128)
}

/// Bytes of a `rows` x `cols` matrix of `T`.
pub(crate) fn matrix_bytes<T>(rows: usize, cols: usize) -> u128 {
    bytes_for(rows as u128 * cols as u128, std::mem::size_of::<T>())
}

/// Returns an error when `bytes` cannot be allocated by this process.
pub(crate) fn ensure_fits(what: impl FnOnce() -> String, bytes: u128) -> Result<()> {
    let too_large = |available| Error::TooLarge {
        what: what(),
        bytes,
        available,
    };
    if bytes > isize::MAX as u128 {
        return Err(too_large(available_bytes()));
    }
    match available_bytes() {
        Some(available) if bytes > u128::from(available) => Err(too_large(Some(available))),
        _ => Ok(()),
    }
}

/// Memory the operating system reports as available, in bytes.
pub fn available_bytes() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let text = std::fs::read_to_string("/proc/meminfo").ok()?;
        let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib.saturating_mul(1024))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_fits_rejects_address_space_overflow() {
        let bytes = matrix_bytes::<f64>(usize::MAX, 4);
        let err = ensure_fits(|| "test matrix".into(), bytes).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }));
        assert!(err.to_string().contains("test matrix"));
    }

    #[test]
    fn ensure_fits_accepts_small_requests() {
        assert!(ensure_fits(|| "small".into(), 1024).is_ok());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn ensure_fits_rejects_more_than_available() {
        let available = available_bytes().expect("MemAvailable is reported on Linux");
        let bytes = u128::from(available) * 2;
        assert!(ensure_fits(|| "twice the free memory".into(), bytes).is_err());
    }
}
