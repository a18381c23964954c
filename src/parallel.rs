//! The choice between serial and parallel execution.

/// How a kernel spreads its work over threads.
///
/// Every kernel gives the same result, bit for bit and in the same order,
/// under each choice and with any number of threads: the parallel paths
/// only split work whose results combine through max, min or an ordered
/// gather.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Execution {
    /// Parallel on the current rayon pool when the input is large enough for
    /// the split to pay off, serial otherwise. Each kernel documents its
    /// cut-off.
    #[default]
    Auto,
    /// Always on the calling thread.
    Serial,
    /// Always split over the current rayon pool, whatever the size; meant
    /// for tests and benchmarks.
    Parallel,
}

impl Execution {
    /// Whether a kernel whose work is `work` units, against a cut-off of
    /// `threshold` units, should run in parallel.
    #[inline]
    pub fn is_parallel(self, work: u128, threshold: u128) -> bool {
        match self {
            Execution::Auto => work >= threshold && rayon::current_num_threads() > 1,
            Execution::Serial => false,
            Execution::Parallel => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_uses_the_threshold() {
        assert!(!Execution::Auto.is_parallel(10, 100));
        assert!(!Execution::Serial.is_parallel(1000, 100));
        assert!(Execution::Parallel.is_parallel(0, 100));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| assert!(Execution::Auto.is_parallel(1000, 100)));
    }
}
