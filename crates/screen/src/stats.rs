//! The statistics behind the intervals, probabilities and shrinkage: the Beta distribution, the
//! Wilson and Jeffreys intervals, and the beta-binomial empirical-Bayes prior.
//!
//! Written by hand rather than taken from a crate: the only special functions needed are the log
//! gamma function and the regularised incomplete beta function, about a hundred lines together,
//! while `statrs` would bring `nalgebra` and its tree into a crate that must build in seconds. The
//! algorithms are the textbook ones (Lanczos for log gamma; Lentz's continued fraction for the
//! incomplete beta, as in *Numerical Recipes* § 6.4) and are checked in the tests against values
//! computed with `mpmath` at 30 digits.

use serde::Serialize;

/// The standard normal quantile for a two-sided 95 % interval, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959_963_984_540_054;

/// A closed interval `[low, high]` for a share, both ends in `0..=1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The lower end.
    pub low: f64,
    /// The upper end.
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies in the interval, ends included.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// The Wilson score interval for `num` successes out of `den` at normal quantile `z`
/// (1.96 for 95 %). Offered for comparison and for readers who want a closed form they can
/// check in a spreadsheet; kvarter reports the Jeffreys interval ([`jeffreys`]) because its
/// interval and its probabilities come from the same distribution.
///
/// Returns `None` when `den` is not positive or `num` is outside `0..=den`.
pub fn wilson(num: f64, den: f64, z: f64) -> Option<Interval> {
    if !(den > 0.0 && num >= 0.0 && num <= den) {
        return None;
    }
    let p = num / den;
    let z2 = z * z;
    let denom = 1.0 + z2 / den;
    let centre = (p + z2 / (2.0 * den)) / denom;
    let half = z * (p * (1.0 - p) / den + z2 / (4.0 * den * den)).sqrt() / denom;
    Some(Interval {
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    })
}

/// The Jeffreys interval: the equal-tailed `level` interval of the Beta(num + ½, den − num + ½)
/// posterior, with the usual convention that the lower end is 0 when `num` is 0 and the upper
/// end is 1 when `num` equals `den` (Brown, Cai and DasGupta 2001). Its coverage is close to
/// nominal even for small `den`, which is where the screening's small units live.
///
/// Returns `None` when `den` is not positive or `num` is outside `0..=den`.
pub fn jeffreys(num: f64, den: f64, level: f64) -> Option<Interval> {
    if !(den > 0.0 && num >= 0.0 && num <= den) {
        return None;
    }
    let a = num + 0.5;
    let b = den - num + 0.5;
    let tail = (1.0 - level) / 2.0;
    Some(Interval {
        low: if num == 0.0 {
            0.0
        } else {
            beta_quantile(tail, a, b)
        },
        high: if num == den {
            1.0
        } else {
            beta_quantile(1.0 - tail, a, b)
        },
    })
}

/// The equal-tailed `level` interval of a Beta(a, b) distribution.
pub fn beta_interval(a: f64, b: f64, level: f64) -> Interval {
    let tail = (1.0 - level) / 2.0;
    Interval {
        low: beta_quantile(tail, a, b),
        high: beta_quantile(1.0 - tail, a, b),
    }
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, nine coefficients; relative error about
/// 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the approximation in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut s = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        s += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
}

fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    // Convergence takes O(sqrt(max(a, b))) terms; the cap is far above what a city's
    // denominators need.
    for m in 1..100_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The Beta(a, b) cumulative distribution function P(X ≤ x), i.e. the regularised incomplete
/// beta function I_x(a, b).
pub fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    cdf_with(x, a, b, ln_beta(a, b))
}

/// [`beta_cdf`] with ln B(a, b) given, so that a quantile search computes it once.
fn cdf_with(x: f64, a: f64, b: f64, lb: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (a * x.ln() + b * (1.0 - x).ln() - lb).exp();
    // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(x, a, b) / a
    } else {
        1.0 - front * beta_cf(1.0 - x, b, a) / b
    }
}

fn pdf_with(x: f64, a: f64, b: f64, lb: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return 0.0;
    }
    ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - lb).exp()
}

/// The standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, relative error about
/// 1e-9): only a starting point for the Beta quantile's Newton steps.
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        let q = (-2.0 * q.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail(p)
    } else if p > 1.0 - 0.02425 {
        -tail(1.0 - p)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Above this, both Beta parameters are large enough for the Cornish-Fisher quantile.
const LARGE: f64 = 1000.0;

/// The `p` quantile of Beta(a, b): Newton's method from a normal approximation, kept inside a
/// bisection bracket so that it always converges (two or three steps, usually). When both
/// parameters are at least 1000 it uses the Cornish-Fisher expansion instead (see the code).
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let mean = a / (a + b);
    let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
    let z = normal_quantile(p);
    if a.min(b) >= LARGE {
        // Both parameters large (a shrunk value whose prior is worth thousands of persons): the
        // continued fraction would need hundreds of terms per step, while the Cornish-Fisher
        // expansion with the skewness term is already accurate to about 2e-4 standard
        // deviations, far below the four decimals reported.
        let skew = 2.0 * (b - a) * (a + b + 1.0).sqrt() / ((a + b + 2.0) * (a * b).sqrt());
        return (mean + sd * (z + skew * (z * z - 1.0) / 6.0)).clamp(0.0, 1.0);
    }
    let lb = ln_beta(a, b);
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut x = mean + z * sd;
    if !(x > 0.0 && x < 1.0) {
        x = mean;
    }
    for _ in 0..200 {
        let f = cdf_with(x, a, b, lb) - p;
        if f == 0.0 {
            break;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let d = pdf_with(x, a, b, lb);
        let newton = if d > 0.0 { x - f / d } else { f64::NAN };
        let next = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        let step = (next - x).abs();
        x = next;
        if step <= 1e-11 * x || hi - lo < 1e-15 {
            break;
        }
    }
    x
}

/// A beta-binomial prior for one indicator in one district, estimated by the method of moments:
/// the district's pooled share `mean` and the prior's strength `strength` (α + β, worth that
/// many denominator units of data).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prior {
    /// The district's pooled share, Σ num / Σ den.
    pub mean: f64,
    /// α + β of the Beta prior. 0 means no shrinkage.
    pub strength: f64,
    /// The estimated variance of the true shares between units, τ²; `None` when every
    /// denominator is about 1 and it cannot be told from binomial noise.
    pub between_variance: Option<f64>,
    /// How many units the estimate rests on.
    pub units: usize,
}

/// Estimates the beta-binomial prior from `(num, den)` pairs by the method of moments.
///
/// With true shares p_i ~ Beta(α, β) (mean μ, variance τ²) and num_i ~ Bin(den_i, p_i), the
/// denominator-weighted sum of squares SS = Σ den_i (p̂_i − μ̂)² has expectation
/// (N − 1) μ(1 − μ) + τ² (n − Σ den_i² / n − (N − 1)), where N is the number of units and n = Σ den_i.
/// Solving for τ² gives the estimate (truncated at 0), and α + β = μ(1 − μ)/τ² − 1.
///
/// Two guards, both documented in docs/SCREENING.md: fewer than 3 units with a positive
/// denominator give no prior (`None`: nothing to learn a spread from); and the strength is capped
/// at n, because a prior learned from the district cannot be worth more than the district's own
/// data (when τ² is estimated as 0 the uncapped answer would replace every unit by the mean).
pub fn beta_binomial_prior(pairs: &[(f64, f64)]) -> Option<Prior> {
    let pairs: Vec<(f64, f64)> = pairs
        .iter()
        .copied()
        .filter(|&(x, n)| n > 0.0 && x >= 0.0 && x <= n)
        .collect();
    let units = pairs.len();
    if units < 3 {
        return None;
    }
    let n: f64 = pairs.iter().map(|p| p.1).sum();
    let x: f64 = pairs.iter().map(|p| p.0).sum();
    let mu = x / n;
    let ss: f64 = pairs
        .iter()
        .map(|&(xi, ni)| ni * (xi / ni - mu).powi(2))
        .sum();
    let sum_n2: f64 = pairs.iter().map(|p| p.1 * p.1).sum();
    let big_n = units as f64;
    let denom = n - sum_n2 / n - (big_n - 1.0);
    let pq = mu * (1.0 - mu);
    if pq <= 0.0 {
        // Every unit at 0 % or every unit at 100 %: there is no spread, and the pooled share is
        // the best estimate; shrinking fully is right, but the cap keeps it from being total.
        return Some(Prior {
            mean: mu,
            strength: n,
            between_variance: Some(0.0),
            units,
        });
    }
    let tau2 = if denom > 0.0 {
        ((ss - (big_n - 1.0) * pq) / denom).max(0.0)
    } else {
        // Every denominator is 1 (or close): between- and within-unit variance cannot be told
        // apart, so no shrinkage is the honest answer.
        return Some(Prior {
            mean: mu,
            strength: 0.0,
            between_variance: None,
            units,
        });
    };
    let strength = if tau2 <= 0.0 {
        n
    } else {
        (pq / tau2 - 1.0).clamp(0.0, n)
    };
    Some(Prior {
        mean: mu,
        strength,
        between_variance: Some(tau2),
        units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_30_of_100_by_hand() {
        // p = 0.3, n = 100, z = 1.959964: centre = (0.3 + z²/200) / (1 + z²/100) = 0.307398,
        // half-width = z·sqrt(0.0021 + z²/40000) / (1 + z²/100) = 0.088450.
        let i = wilson(30.0, 100.0, Z95).unwrap();
        assert_eq!(format!("{:.4}", i.low), "0.2189");
        assert_eq!(format!("{:.4}", i.high), "0.3958");
    }

    #[test]
    fn jeffreys_against_mpmath() {
        // mpmath 30 digits: findroot(betainc(30.5, 70.5, 0, x, regularized=True) - 0.025)
        let i = jeffreys(30.0, 100.0, 0.95).unwrap();
        assert!(close(i.low, 0.216_841_428_618_805, 1e-9), "{}", i.low);
        assert!(close(i.high, 0.394_546_506_630_773, 1e-9), "{}", i.high);
        // Zero successes: the lower end is 0 by convention.
        let z = jeffreys(0.0, 10.0, 0.95).unwrap();
        assert_eq!(z.low, 0.0);
        assert!(close(z.high, 0.217_196_267_509_211, 1e-9), "{}", z.high);
    }

    #[test]
    fn beta_cdf_against_mpmath() {
        assert!(close(
            beta_cdf(0.3, 30.5, 70.5),
            0.494_165_335_173_266,
            1e-10
        ));
        assert!(close(beta_cdf(0.5, 2.0, 3.0), 0.6875, 1e-12));
        // Large parameters, as an area's denominators give.
        assert!(close(
            beta_cdf(0.21, 2000.5, 8000.5),
            0.993_194_723_707_081,
            1e-9
        ));
    }

    #[test]
    fn large_parameters_use_cornish_fisher_accurately() {
        // mpmath (quadrature of the density, 30 digits): the 2.5 % and 97.5 % quantiles of
        // Beta(2000.5, 8000.5) and the 97.5 % quantile of Beta(1000, 99000).
        let q = |p, a, b| beta_quantile(p, a, b);
        assert!(close(q(0.025, 2000.5, 8000.5), 0.192_247_620_882_312, 1e-6));
        assert!(close(q(0.975, 2000.5, 8000.5), 0.207_926_007_570_770, 1e-6));
        assert!(close(
            q(0.975, 1000.0, 99000.0),
            0.010_625_912_869_254,
            1e-6
        ));
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-14));
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-14
        ));
        assert!(close(ln_gamma(10.0), (362_880.0_f64).ln(), 1e-12));
    }

    #[test]
    fn prior_by_the_method_of_moments() {
        // Identical shares: no between-unit spread beyond binomial noise, so the strength is
        // capped at the district's total denominator.
        let p = beta_binomial_prior(&[(10.0, 100.0), (10.0, 100.0), (10.0, 100.0)]).unwrap();
        assert!(close(p.mean, 0.1, 1e-15));
        assert_eq!(p.between_variance, Some(0.0));
        assert_eq!(p.strength, 300.0);
        // Widely spread shares: a weak prior.
        let q = beta_binomial_prior(&[(5.0, 100.0), (50.0, 100.0), (90.0, 100.0)]).unwrap();
        assert!(q.strength < 5.0, "{q:?}");
        assert!(beta_binomial_prior(&[(1.0, 2.0), (1.0, 3.0)]).is_none());
    }
}
