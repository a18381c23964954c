//! Seeded bootstrap of a sample mean over experts, with percentile and BCa
//! intervals and p-values against a threshold.
//!
//! Direct effects resample whole experts: replica `r` draws the experts
//! with replacement from ChaCha8 stream `r` of the caller's seed, and every
//! edge uses the same draws, as a resampled panel would. A margin resamples
//! the edges of its node, with draws shared by the nodes that have as many
//! edges. A forgotten-effect path resamples the values of the experts who
//! show it, from a stream named by the path's position. Replicas and items can
//! therefore run on any thread in any order and still give the same
//! figures, bit for bit.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::stats::{normal_cdf, normal_quantile, quantile};
use crate::error::{Error, Result};

/// The method that reads confidence bounds from the bootstrap replicas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntervalMethod {
    /// Plain percentiles of the replicate means.
    Percentile,
    /// Bias-corrected and accelerated percentiles (Efron 1987), as foRgotten
    /// computes them through wBoot's `boot.one.bca`: the bias correction
    /// from the share of replicates below the observed mean (ties count
    /// half), the acceleration from the exact jackknife of the mean.
    #[default]
    Bca,
}

/// Parameters of a bootstrap over experts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapOptions {
    /// Number of bootstrap replicas, at least 1. Default 10 000.
    pub replicas: usize,
    /// Seed of the random number generator. Equal seeds give equal figures.
    pub seed: u64,
    /// Confidence level inside (0, 1). Default 0.95.
    pub confidence_level: f64,
    /// Percentile or BCa bounds. Default BCa.
    pub method: IntervalMethod,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        Self {
            replicas: 10_000,
            seed: 0,
            confidence_level: 0.95,
            method: IntervalMethod::Bca,
        }
    }
}

impl BootstrapOptions {
    /// Default options with `replicas` replicas and seed `seed`.
    pub fn new(replicas: usize, seed: u64) -> Self {
        Self {
            replicas,
            seed,
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.replicas == 0 {
            return Err(Error::InvalidParameter {
                name: "bootstrap replicas",
                value: "0".into(),
                expected: "at least 1 replica; 10 000 is usual".into(),
            });
        }
        if !(self.confidence_level > 0.0 && self.confidence_level < 1.0) {
            return Err(Error::InvalidParameter {
                name: "confidence level",
                value: self.confidence_level.to_string(),
                expected: "a number strictly inside (0, 1), such as 0.95".into(),
            });
        }
        Ok(())
    }
}

/// A bootstrap result, or the statement that the sample had no spread.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inference<T> {
    /// Figures from the bootstrap replicas.
    Estimated(T),
    /// Every value of the sample is equal, so every replica equals the
    /// mean and no interval or p-value exists.
    Constant,
}

impl<T> Inference<T> {
    /// The figures, or `None` for a constant sample.
    pub fn estimated(&self) -> Option<&T> {
        match self {
            Inference::Estimated(value) => Some(value),
            Inference::Constant => None,
        }
    }
}

/// A one-sided upper confidence bound and the p-value of the alternative
/// "the mean is below the threshold".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UpperBound {
    /// Upper confidence bound of the mean.
    pub upper: f64,
    /// p-value of the one-sided test; small when the mean is significantly
    /// below the threshold.
    pub p_value: f64,
}

/// A two-sided confidence interval with its bootstrap standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower confidence bound.
    pub lower: f64,
    /// Upper confidence bound.
    pub upper: f64,
    /// Standard deviation of the replicate means.
    pub standard_error: f64,
}

/// A two-sided interval and the two-sided p-value against the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TwoSidedTest {
    /// Lower confidence bound.
    pub lower: f64,
    /// Upper confidence bound.
    pub upper: f64,
    /// p-value of the alternative "the mean differs from the threshold".
    pub p_value: f64,
}

/// Stream tags that keep the items of different kinds apart.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StreamKind {
    Margin = 2,
    Path = 4,
    Experts = 6,
}

/// The replicate means of one sample, with what the bounds need.
pub(crate) struct Replicates<'a> {
    means: &'a mut Vec<f64>,
    observed: f64,
    /// Bias correction z0 (0 for percentiles).
    bias: f64,
    /// Acceleration a (0 for percentiles).
    acceleration: f64,
}

/// Mean of `values`, summed in order.
pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Whether every value equals the first.
pub(crate) fn is_constant(values: &[f64]) -> bool {
    values.iter().all(|&v| v == values[0])
}

impl<'a> Replicates<'a> {
    /// Draws the replicate means of `sample` (at least two values, not all
    /// equal) into `buffer`, from the stream of item `index` of `kind`.
    pub(crate) fn draw(
        sample: &[f64],
        options: &BootstrapOptions,
        kind: StreamKind,
        index: u64,
        buffer: &'a mut Vec<f64>,
    ) -> Self {
        debug_assert!(sample.len() >= 2 && !is_constant(sample));
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        rng.set_stream(((kind as u64) << 56) | index);
        let k = sample.len();
        buffer.clear();
        buffer.extend((0..options.replicas).map(|_| {
            let mut sum = 0.0;
            for _ in 0..k {
                sum += sample[bounded(&mut rng, k as u32) as usize];
            }
            sum / k as f64
        }));
        Self::from_means(sample, options, buffer)
    }

    /// The replicate means of `sample` under the shared expert draws.
    pub(crate) fn shared(
        sample: &[f64],
        draws: &ExpertDraws,
        options: &BootstrapOptions,
        buffer: &'a mut Vec<f64>,
    ) -> Self {
        debug_assert!(sample.len() == draws.experts);
        let k = draws.experts as f64;
        buffer.clear();
        buffer.resize(draws.replicas, 0.0);
        // Expert by expert over all replicas, so the loop runs on packed
        // lanes; each replica still adds its experts in order 0, 1, ...
        for (weights, &value) in draws.weights.chunks_exact(draws.replicas).zip(sample) {
            for (sum, &weight) in buffer.iter_mut().zip(weights) {
                *sum += weight * value;
            }
        }
        for sum in buffer.iter_mut() {
            *sum /= k;
        }
        Self::from_means(sample, options, buffer)
    }

    fn from_means(sample: &[f64], options: &BootstrapOptions, buffer: &'a mut Vec<f64>) -> Self {
        let observed = mean(sample);
        let (bias, acceleration) = match options.method {
            IntervalMethod::Percentile => (0.0, 0.0),
            IntervalMethod::Bca => (
                bias_correction(buffer, observed),
                jackknife_acceleration(sample),
            ),
        };
        Self {
            means: buffer,
            observed,
            bias,
            acceleration,
        }
    }

    /// The replicate quantile at the (BCa-adjusted) level of nominal level
    /// `level`.
    fn bound(&mut self, level: f64) -> f64 {
        let adjusted = self.adjust(level);
        quantile(self.means, adjusted)
    }

    /// The BCa level `Phi(z0 + (z0 + z) / (1 - a (z0 + z)))` for `z =
    /// Phi^-1(level)`; the level itself for percentiles.
    fn adjust(&self, level: f64) -> f64 {
        if self.bias == 0.0 && self.acceleration == 0.0 {
            return level;
        }
        let shifted = self.bias + normal_quantile(level);
        let denominator = 1.0 - self.acceleration * shifted;
        if denominator <= 0.0 {
            // NOTE: with extreme acceleration the BCa map leaves its domain;
            // the bound then falls back to the extreme replicate.
            return if shifted > 0.0 { 1.0 } else { 0.0 };
        }
        normal_cdf(self.bias + shifted / denominator)
    }

    /// The probability, under the (BCa-adjusted) bootstrap distribution,
    /// that the mean is at least `threshold`: the p-value of "the mean is
    /// below the threshold".
    fn upper_tail(&self, threshold: f64) -> f64 {
        let (below, equal) = count_below_equal(self.means, threshold);
        let share = (below + (equal + 1.0) / 2.0) / (self.means.len() as f64 + 1.0);
        if self.bias == 0.0 && self.acceleration == 0.0 {
            return 1.0 - share;
        }
        // Find the nominal level alpha whose adjusted level is `share`:
        // Phi^-1(share) = z0 + w / (1 - a w) with w = z0 + z_alpha.
        let target = normal_quantile(share) - self.bias;
        let denominator = 1.0 + self.acceleration * target;
        if denominator <= 0.0 {
            return if target > 0.0 { 0.0 } else { 1.0 };
        }
        let z_alpha = target / denominator - self.bias;
        1.0 - normal_cdf(z_alpha)
    }

    /// One-sided upper bound at the confidence level, with the p-value of
    /// "the mean is below `threshold`".
    pub(crate) fn upper_bound(&mut self, confidence: f64, threshold: f64) -> UpperBound {
        UpperBound {
            upper: self.bound(confidence),
            p_value: self.upper_tail(threshold),
        }
    }

    /// Two-sided interval at the confidence level.
    pub(crate) fn interval(&mut self, confidence: f64) -> Interval {
        let tail = (1.0 - confidence) / 2.0;
        Interval {
            lower: self.bound(tail),
            upper: self.bound(1.0 - tail),
            standard_error: self.standard_error(),
        }
    }

    /// Two-sided interval with the two-sided p-value against `threshold`.
    pub(crate) fn two_sided(&mut self, confidence: f64, threshold: f64) -> TwoSidedTest {
        let interval = self.interval(confidence);
        let upper_tail = self.upper_tail(threshold);
        TwoSidedTest {
            lower: interval.lower,
            upper: interval.upper,
            p_value: (2.0 * upper_tail.min(1.0 - upper_tail)).min(1.0),
        }
    }

    /// Sample standard deviation (n - 1) of the replicate means.
    fn standard_error(&self) -> f64 {
        let n = self.means.len();
        if n < 2 {
            return 0.0;
        }
        let center = mean(self.means);
        let squares: f64 = self.means.iter().map(|z| (z - center) * (z - center)).sum();
        (squares / (n - 1) as f64).sqrt()
    }

    /// The observed sample mean.
    #[allow(dead_code)]
    pub(crate) fn observed(&self) -> f64 {
        self.observed
    }
}

/// A uniform integer in `0..bound` from one or more 32-bit draws
/// (Lemire's multiply-and-reject method, exact for every bound).
fn bounded(rng: &mut ChaCha8Rng, bound: u32) -> u32 {
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let product = u64::from(rng.next_u32()) * u64::from(bound);
        if (product as u32) >= threshold {
            return (product >> 32) as u32;
        }
    }
}

/// Resampling draws shared by every sample of one size (the experts of a
/// panel, or the edges of nodes with as many edges): for each replica, how
/// many times each position was drawn.
///
/// Replica `r` draws from its own ChaCha8 stream of the seed, so the draws
/// do not depend on the number of threads.
pub(crate) struct ExpertDraws {
    experts: usize,
    replicas: usize,
    /// How many times each replica drew each expert, as `f64`,
    /// expert-major: `weights[e * replicas + r]`.
    weights: Vec<f64>,
}

impl ExpertDraws {
    /// Draws `experts` indexes with replacement per replica, from streams of
    /// `kind`.
    pub(crate) fn new(
        experts: usize,
        options: &BootstrapOptions,
        kind: StreamKind,
    ) -> Result<Self> {
        if experts > usize::from(u16::MAX) {
            return Err(Error::InvalidParameter {
                name: "number of experts",
                value: experts.to_string(),
                expected: "at most 65 535 experts or edges per sample".into(),
            });
        }
        let replicas = options.replicas;
        super::ensure_fits(
            || format!("{replicas} bootstrap replicas of {experts} experts"),
            crate::memory::matrix_bytes::<u16>(replicas, experts)
                .saturating_add(crate::memory::matrix_bytes::<f64>(replicas, experts)),
        )?;
        let mut counts = vec![0u16; replicas * experts];
        counts
            .par_chunks_mut(experts)
            .enumerate()
            .for_each(|(replica, slot)| {
                let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
                // The sample size sits in bits 32..56, so draws of different
                // sizes never share a stream.
                let size = (experts as u64) << 32;
                rng.set_stream(((kind as u64) << 56) | size | replica as u64);
                for _ in 0..experts {
                    slot[bounded(&mut rng, experts as u32) as usize] += 1;
                }
            });
        let mut weights = vec![0.0; replicas * experts];
        for (replica, slot) in counts.chunks_exact(experts).enumerate() {
            for (expert, &count) in slot.iter().enumerate() {
                weights[expert * replicas + replica] = f64::from(count);
            }
        }
        Ok(Self {
            experts,
            replicas,
            weights,
        })
    }
}

/// Counts the replicates below `value` and equal to it, in one pass.
fn count_below_equal(means: &[f64], value: f64) -> (f64, f64) {
    let (mut below, mut equal) = (0usize, 0usize);
    for &z in means {
        below += usize::from(z < value);
        equal += usize::from(z == value);
    }
    (below as f64, equal as f64)
}

/// z0 = Phi^-1 of the share of replicates below the observed mean, ties
/// counted half, kept inside [1 / (2R), 1 - 1 / (2R)] so it stays finite.
fn bias_correction(means: &[f64], observed: f64) -> f64 {
    let replicas = means.len() as f64;
    let (below, equal) = count_below_equal(means, observed);
    let floor = 0.5 / replicas;
    let share = ((below + equal / 2.0) / replicas).clamp(floor, 1.0 - floor);
    normal_quantile(share)
}

/// The acceleration of the mean from its jackknife: with `d_i` the mean
/// without value `i`, `a = sum (dbar - d_i)^3 / (6 (sum (dbar - d_i)^2)^1.5)`.
fn jackknife_acceleration(sample: &[f64]) -> f64 {
    let k = sample.len() as f64;
    let total: f64 = sample.iter().sum();
    let leave_one_out: Vec<f64> = sample.iter().map(|x| (total - x) / (k - 1.0)).collect();
    let center = mean(&leave_one_out);
    let (mut squares, mut cubes) = (0.0, 0.0);
    for d in &leave_one_out {
        let u = center - d;
        squares += u * u;
        cubes += u * u * u;
    }
    if squares == 0.0 {
        return 0.0;
    }
    cubes / (6.0 * squares.powf(1.5))
}

/// Rejects a panel too small to bootstrap.
pub(crate) fn require_experts(experts: usize) -> Result<()> {
    if experts < 2 {
        return Err(Error::InvalidParameter {
            name: "number of experts",
            value: experts.to_string(),
            expected: "at least 2 experts to bootstrap over; with one expert use the \
                       single-expert functions"
                .into(),
        });
    }
    Ok(())
}

/// Rejects a test threshold outside (0, 1).
pub(crate) fn require_test_threshold(threshold: f64) -> Result<()> {
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(Error::InvalidParameter {
            name: "test threshold",
            value: threshold.to_string(),
            expected: "a number strictly inside (0, 1): a mean of degrees in [0, 1] \
                       cannot fall below 0 or above 1"
                .into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw_with(sample: &[f64], method: IntervalMethod, buffer: &mut Vec<f64>) -> (f64, f64) {
        let options = BootstrapOptions {
            method,
            ..BootstrapOptions::new(2000, 7)
        };
        let mut reps = Replicates::draw(sample, &options, StreamKind::Path, 3, buffer);
        let bound = reps.upper_bound(0.95, 0.5);
        (bound.upper, bound.p_value)
    }

    #[test]
    fn same_seed_same_replicas() {
        let sample = [0.1, 0.4, 0.4, 0.9, 0.6];
        let (mut a, mut b) = (Vec::new(), Vec::new());
        assert_eq!(
            draw_with(&sample, IntervalMethod::Bca, &mut a),
            draw_with(&sample, IntervalMethod::Bca, &mut b)
        );
        assert_eq!(a, b);
    }

    #[test]
    fn replicate_means_stay_in_the_sample_range() {
        let sample = [0.2, 0.3, 0.9];
        let mut buffer = Vec::new();
        let options = BootstrapOptions::new(500, 1);
        Replicates::draw(&sample, &options, StreamKind::Path, 0, &mut buffer);
        assert_eq!(buffer.len(), 500);
        assert!(buffer.iter().all(|&z| (0.2..=0.9).contains(&z)));
    }

    #[test]
    fn p_value_follows_the_side_of_the_threshold() {
        let low = [0.1, 0.2, 0.15, 0.05, 0.2, 0.1];
        let high = [0.9, 0.8, 0.85, 0.95, 0.8, 0.9];
        let mut buffer = Vec::new();
        for method in [IntervalMethod::Percentile, IntervalMethod::Bca] {
            let (upper, p) = draw_with(&low, method, &mut buffer);
            assert!(upper < 0.5, "{method:?}: {upper}");
            assert!(p < 0.01, "{method:?}: {p}");
            let (upper, p) = draw_with(&high, method, &mut buffer);
            assert!(upper > 0.5);
            assert!(p > 0.99, "{method:?}: {p}");
        }
    }

    #[test]
    fn symmetric_sample_has_no_acceleration() {
        assert!(jackknife_acceleration(&[0.1, 0.5, 0.9]).abs() < 1e-15);
        assert!(jackknife_acceleration(&[0.1, 0.1, 0.1, 0.9]) > 0.0);
    }

    #[test]
    fn percentile_interval_brackets_the_mean() {
        let sample = [0.3, 0.5, 0.6, 0.7, 0.4];
        let mut buffer = Vec::new();
        let options = BootstrapOptions {
            method: IntervalMethod::Percentile,
            ..BootstrapOptions::new(4000, 11)
        };
        let mut reps = Replicates::draw(&sample, &options, StreamKind::Path, 9, &mut buffer);
        let interval = reps.interval(0.9);
        assert!(interval.lower < 0.5, "{interval:?}");
        assert!(interval.upper > 0.5, "{interval:?}");
        assert!(interval.standard_error > 0.0);
        let test = reps.two_sided(0.9, 0.5);
        assert!(test.p_value > 0.5, "{}", test.p_value);
    }

    #[test]
    fn option_checks() {
        assert!(BootstrapOptions::new(0, 1).check().is_err());
        for level in [0.0, 1.0, f64::NAN, 1.5] {
            let options = BootstrapOptions {
                confidence_level: level,
                ..BootstrapOptions::new(10, 1)
            };
            assert!(options.check().is_err(), "{level}");
        }
        assert!(require_experts(1).is_err());
        assert!(require_experts(2).is_ok());
        assert!(require_test_threshold(0.0).is_err());
        assert!(require_test_threshold(1.0).is_err());
        assert!(require_test_threshold(f64::NAN).is_err());
        assert!(require_test_threshold(0.5).is_ok());
    }
}
