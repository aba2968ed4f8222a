//! The model of next year's unknown counts.
//!
//! Every area is described per data year by seven **measures**: the logarithm of its residents,
//! and six shares as fractions — outside the labour market (full-time share of the 18–64),
//! convicted (of the 18+), basic education (of the 30–59, in both definitions the rule sets use),
//! mean income as a fraction of the region's mean, and non-Western origin (of the residents).
//! Next year's measures are a deterministic **base** plus one **deviation** drawn at random, and
//! are turned back into whole counts.
//!
//! - [`Method::Walk`] (the default): the base is the latest year; the deviation is one of the
//!   area's own year-on-year changes over the latest [`ModelOptions::history_years`] years (a
//!   bootstrap of a random walk with drift).
//! - [`Method::Trend`]: for each measure a straight line through those years (least squares),
//!   with the residuals' year-to-year persistence `φ` estimated from all large areas together
//!   (an AR(1) around the line). The base is the line one year on plus `φ` times the latest
//!   residual; the deviation is one of the area's own innovations `r(t) − φ·r(t−1)`, widened by
//!   the line's prediction-error factor `√(n/(n−2) · (1 + 1/n + (x−x̄)²/Sxx))`.
//!
//! The walk is the default because it backtests better on the synthetic country (Brier 0.0062
//! against 0.0072–0.0080 for the trend, docs/FORESIGHT.md): with six to eleven noisy years a
//! line's slope is too uncertain to extrapolate.
//!
//! A deviation is a whole year of one area, all seven measures together, which keeps the
//! correlation between criteria within an area (a year in which the outside share rose is often
//! a year in which income fell).
//!
//! **Shrinkage.** An area with `n` own deviations draws from the **pool** (the deviations of
//! every area with at least [`ModelOptions::pool_min_residents`] residents) with probability
//! `k / (k + n)`, `k` = [`ModelOptions::prior_changes`], and from its own otherwise: an area with
//! one year of history mostly behaves like the large areas in general, an area with ten years
//! mostly like itself. An area without a deviation of its own (one data year; fewer than 3 for
//! the trend) keeps its latest year as the base and draws only from the pool.

use crate::rng::SplitMix64;
use kvarter_data::{Counts, Registers, YearCounts};
use std::collections::BTreeMap;

/// How next year's base and deviations are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The latest year; year-on-year changes bootstrapped (a random walk with drift).
    Walk,
    /// A least-squares line per measure through the latest years, with AR(1) residuals;
    /// innovations bootstrapped.
    Trend,
}

/// How the model draws next year's counts.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOptions {
    /// Walk (the default) or trend.
    pub method: Method,
    /// The pseudo-count `k` of the shrinkage: an area with `n` own deviations draws from the
    /// pool with probability `k / (k + n)`. `0` uses the area's own alone (the pool only when it
    /// has none).
    pub prior_changes: u32,
    /// Only the latest this many data years are used: the lines are fitted to them, the
    /// changes taken between them (the areas drift: recent years say more about next year).
    pub history_years: usize,
    /// The pool holds the deviations of areas with at least this many residents in the latest
    /// year used (the areas the lists are about; small areas' shares jump more). When fewer than
    /// [`MIN_POOL`] deviations qualify, every area's are pooled.
    pub pool_min_residents: u64,
}

impl Default for ModelOptions {
    fn default() -> ModelOptions {
        ModelOptions {
            method: Method::Walk,
            prior_changes: 2,
            history_years: 11,
            pool_min_residents: 1000,
        }
    }
}

/// The fewest deviations the pool of large areas must hold before it is used alone.
pub const MIN_POOL: usize = 30;

/// The number of measures.
const M: usize = 7;
const LN_RESIDENTS: usize = 0;
const OUTSIDE: usize = 1;
const CONVICTED: usize = 2;
const BASIC_UNKNOWN: usize = 3;
const BASIC_DANISH: usize = 4;
const INCOME: usize = 5;
const NON_WESTERN: usize = 6;

/// The measures of one area and year; `None` where the group is empty.
type Measures = [Option<f64>; M];
/// A base or a deviation: added to the latest measures.
type Delta = [f64; M];
/// An area's years: the data year and its measures, oldest first.
type Years = Vec<(f64, Measures)>;

fn frac(num: f64, den: u64) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

fn mean_income(c: &Counts) -> Option<f64> {
    (c.n_income > 0 && c.income_sum != 0.0).then(|| c.income_sum / c.n_income as f64)
}

fn measures(c: &Counts, region: Option<&Counts>) -> Measures {
    let mut m = [None; M];
    m[LN_RESIDENTS] = (c.residents > 0).then(|| (c.residents as f64).ln());
    m[OUTSIDE] = frac(c.outside_fte, c.n_18_64);
    m[CONVICTED] = frac(c.convicted as f64, c.n_18_plus);
    m[BASIC_UNKNOWN] = frac(c.basic_unknown_as_basic as f64, c.n_30_59);
    m[BASIC_DANISH] = frac(c.basic_danish_or_approved as f64, c.n_30_59);
    m[INCOME] = match (c.n_income > 0, region.and_then(mean_income)) {
        (true, Some(r)) => Some(c.income_sum / c.n_income as f64 / r),
        _ => None,
    };
    m[NON_WESTERN] = frac(c.non_western as f64, c.residents);
    m
}

/// What the model knows of one area.
#[derive(Debug, Clone)]
struct AreaModel {
    latest: Counts,
    measures: Measures,
    region_mean: Option<f64>,
    base: Delta,
    /// Own deviations, oldest year first.
    own: Vec<Delta>,
}

/// The fitted model: per area its latest counts, base and own deviations; the pool of all
/// areas' deviations; and the regions' year-on-year changes of the convicted share (the
/// national reference).
#[derive(Debug, Clone)]
pub struct ChangeModel {
    /// The latest data year (the known year).
    pub latest_year: i16,
    areas: Vec<Option<AreaModel>>,
    pool: Vec<Delta>,
    regions: BTreeMap<u16, Counts>,
    /// Per year of change (oldest first): the change of each region's convicted share.
    region_changes: Vec<BTreeMap<u16, f64>>,
    prior_changes: u32,
}

/// A least-squares line through `(x, y)` points: `(a, b, x̄, Sxx)` with `y ≈ a + b·x`.
fn line(points: &[(f64, f64)]) -> Option<(f64, f64, f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 3 {
        return None;
    }
    let xm = points.iter().map(|p| p.0).sum::<f64>() / n;
    let ym = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - xm).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - xm) * (p.1 - ym)).sum();
    let b = sxy / sxx;
    Some((ym - b * xm, b, xm, sxx))
}

/// One area's lines, per measure: `(a, b, widen)` with `y ≈ a + b·x`, and the residuals per
/// year (`None` where the measure is missing or has no line).
struct Lines {
    fit: [Option<(f64, f64, f64)>; M],
    resid: Vec<Measures>,
}

/// A line per measure through an area's years, with the prediction-error factor for the year
/// `next_x`: `√(n/(n−2) · (1 + 1/n + (x−x̄)²/Sxx))`.
fn lines(years: &[(f64, Measures)], next_x: f64) -> Lines {
    let mut out = Lines {
        fit: [None; M],
        resid: vec![[None; M]; years.len()],
    };
    for m in 0..M {
        let points: Vec<(f64, f64)> = years
            .iter()
            .filter_map(|(x, v)| v[m].map(|v| (*x, v)))
            .collect();
        let Some((a, b, xm, sxx)) = line(&points) else {
            continue;
        };
        let n = points.len() as f64;
        let widen = (n / (n - 2.0) * (1.0 + 1.0 / n + (next_x - xm).powi(2) / sxx)).sqrt();
        out.fit[m] = Some((a, b, widen));
        for ((x, v), r) in years.iter().zip(out.resid.iter_mut()) {
            r[m] = v[m].map(|v| v - (a + b * x));
        }
    }
    out
}

/// The pairs of consecutive years of an area, as indices.
fn consecutive(years: &[(f64, Measures)]) -> impl Iterator<Item = (usize, usize)> + '_ {
    (1..years.len())
        .filter(move |t| years[*t].0 - years[*t - 1].0 == 1.0)
        .map(|t| (t - 1, t))
}

/// The year-to-year persistence of the residuals from the lines, pooled over areas, per
/// measure: `φ = Σ r(t−1)·r(t) / Σ r(t−1)²`, kept within [0, 0.95].
fn persistence<'a>(areas: impl Iterator<Item = (&'a [(f64, Measures)], &'a Lines)>) -> [f64; M] {
    let mut num = [0.0; M];
    let mut den = [0.0; M];
    for (years, l) in areas {
        for (s, t) in consecutive(years) {
            for m in 0..M {
                if let (Some(a), Some(b)) = (l.resid[s][m], l.resid[t][m]) {
                    num[m] += a * b;
                    den[m] += a * a;
                }
            }
        }
    }
    let mut phi = [0.0; M];
    for m in 0..M {
        if den[m] > 0.0 {
            phi[m] = (num[m] / den[m]).clamp(0.0, 0.95);
        }
    }
    phi
}

/// The trend model of one area: the base (the line one year on plus `φ` times the latest
/// residual, minus the latest value) and the deviations `(r(t) − φ·r(t−1)) × widen`, one per
/// pair of consecutive years, all measures together.
fn fit_trend(
    years: &[(f64, Measures)],
    l: &Lines,
    phi: &[f64; M],
    latest: &Measures,
    next_x: f64,
) -> (Delta, Vec<Delta>) {
    let mut base = [0.0; M];
    let pairs: Vec<(usize, usize)> = consecutive(years).collect();
    let mut own = vec![[0.0; M]; pairs.len()];
    if l.fit.iter().all(Option::is_none) {
        return (base, Vec::new());
    }
    let last = years.len() - 1;
    for m in 0..M {
        let (Some((a, b, widen)), Some(now)) = (l.fit[m], latest[m]) else {
            continue;
        };
        base[m] = a + b * next_x + phi[m] * l.resid[last][m].unwrap_or(0.0) - now;
        for ((s, t), dev) in pairs.iter().zip(own.iter_mut()) {
            if let (Some(rs), Some(rt)) = (l.resid[*s][m], l.resid[*t][m]) {
                dev[m] = (rt - phi[m] * rs) * widen;
            }
        }
    }
    (base, own)
}

/// The walk model of one area: no base, the year-on-year changes.
fn fit_walk(years: &[(f64, Measures)]) -> Vec<Delta> {
    years
        .windows(2)
        .filter(|w| w[1].0 - w[0].0 == 1.0)
        .map(|w| {
            let mut d = [0.0; M];
            for (m, d) in d.iter_mut().enumerate() {
                if let (Some(a), Some(b)) = (w[0].1[m], w[1].1[m]) {
                    *d = b - a;
                }
            }
            d
        })
        .collect()
}

impl ChangeModel {
    /// Fits the model to the latest data years of `reg`; `None` when `reg` holds no data year.
    ///
    /// Only social-housing areas with residents in the latest year are modelled (the others
    /// get no criteria, as in [`kvarter_data::observations`]). An area's years are those of the
    /// latest [`ModelOptions::history_years`] in which it had residents.
    pub fn fit(reg: &Registers, opts: &ModelOptions) -> Option<ChangeModel> {
        let (&latest_year, latest) = reg.years.last_key_value()?;
        let first = i32::from(latest_year) - opts.history_years as i32 + 1;
        let window: Vec<(i16, &YearCounts)> = reg
            .years
            .iter()
            .filter(|(y, _)| i32::from(**y) >= first)
            .map(|(y, c)| (*y, c))
            .collect();
        let next_x = f64::from(latest_year + 1);
        // Each modelled area's years in the window, and its lines.
        let mut fitted: Vec<Option<(Years, Lines)>> = Vec::new();
        for (i, area) in reg.areas.iter().enumerate() {
            if !area.social_housing || latest.areas[i].residents == 0 {
                fitted.push(None);
                continue;
            }
            let years: Years = window
                .iter()
                .filter(|(_, yc)| yc.areas[i].residents > 0)
                .map(|(y, yc)| {
                    (
                        f64::from(*y),
                        measures(&yc.areas[i], yc.regions.get(&area.region)),
                    )
                })
                .collect();
            let l = lines(&years, next_x);
            fitted.push(Some((years, l)));
        }
        let large = |i: usize| latest.areas[i].residents >= opts.pool_min_residents;
        let phi = persistence(
            fitted
                .iter()
                .enumerate()
                .filter(|(i, _)| large(*i))
                .filter_map(|(_, f)| f.as_ref().map(|(y, l)| (y.as_slice(), l))),
        );
        let mut areas = Vec::with_capacity(reg.areas.len());
        let mut pool_large = Vec::new();
        let mut pool_all = Vec::new();
        for (i, (area, f)) in reg.areas.iter().zip(&fitted).enumerate() {
            let Some((years, l)) = f else {
                areas.push(None);
                continue;
            };
            let c = latest.areas[i];
            let now = measures(&c, latest.regions.get(&area.region));
            let (base, own) = match opts.method {
                Method::Trend => fit_trend(years, l, &phi, &now, next_x),
                Method::Walk => ([0.0; M], fit_walk(years)),
            };
            pool_all.extend_from_slice(&own);
            if large(i) {
                pool_large.extend_from_slice(&own);
            }
            areas.push(Some(AreaModel {
                latest: c,
                measures: now,
                region_mean: latest.regions.get(&area.region).and_then(mean_income),
                base,
                own,
            }));
        }
        let region_changes = window
            .windows(2)
            .filter(|w| w[1].0 - w[0].0 == 1)
            .map(|w| {
                let (before, after) = (w[0].1, w[1].1);
                after
                    .regions
                    .iter()
                    .filter_map(|(r, a)| {
                        let b = before.regions.get(r)?;
                        let sb = frac(b.convicted as f64, b.n_18_plus)?;
                        let sa = frac(a.convicted as f64, a.n_18_plus)?;
                        Some((*r, sa - sb))
                    })
                    .collect()
            })
            .collect();
        Some(ChangeModel {
            latest_year,
            areas,
            pool: if pool_large.len() >= MIN_POOL {
                pool_large
            } else {
                pool_all
            },
            regions: latest.regions.clone(),
            region_changes,
            prior_changes: opts.prior_changes,
        })
    }

    /// The number of areas modelled (social housing with residents in the latest year).
    pub fn areas(&self) -> usize {
        self.areas.iter().flatten().count()
    }

    /// The number of deviations in the pool.
    pub fn pool_size(&self) -> usize {
        self.pool.len()
    }

    /// One draw of the next data year's counts: every modelled area moved by its base and one
    /// deviation; the regions' convicted shares moved by one past year's changes (the same year
    /// for every region); everything else of the regions as in the latest year.
    pub fn simulate(&self, rng: &mut SplitMix64) -> YearCounts {
        let mut out = YearCounts::new(self.latest_year + 1, self.areas.len());
        let year = self.simulate_areas(rng, &mut out.areas);
        out.regions = self.regions(year);
        out
    }

    /// The areas of one draw, written into `out` (one slot per area of the registers; areas not
    /// modelled are left as they are), and the past year whose changes move the regions (an
    /// index for [`ChangeModel::regions`]; `None` without a change of the regions). Consumes the
    /// generator exactly as [`ChangeModel::simulate`] does: one or two numbers per modelled
    /// area in the registers' order, then one for the regions' year.
    pub(crate) fn simulate_areas(&self, rng: &mut SplitMix64, out: &mut [Counts]) -> Option<usize> {
        let k = f64::from(self.prior_changes);
        for (slot, m) in out.iter_mut().zip(&self.areas) {
            let Some(m) = m else { continue };
            let n = m.own.len();
            let from_pool = n == 0 || rng.unit() < k / (k + n as f64);
            let dev = if !from_pool {
                m.own[rng.below(n)]
            } else if self.pool.is_empty() {
                [0.0; M]
            } else {
                self.pool[rng.below(self.pool.len())]
            };
            let mut delta = m.base;
            for (d, e) in delta.iter_mut().zip(dev) {
                *d += e;
            }
            *slot = apply(&m.latest, &m.measures, m.region_mean, &delta);
        }
        (!self.region_changes.is_empty()).then(|| rng.below(self.region_changes.len()))
    }

    /// The regions of a draw whose regions' year is `year` (from
    /// [`ChangeModel::simulate_areas`]): the latest counts, the convicted share moved by that
    /// year's change of the region.
    pub(crate) fn regions(&self, year: Option<usize>) -> BTreeMap<u16, Counts> {
        let changes = year.map(|y| &self.region_changes[y]);
        self.regions
            .iter()
            .map(|(r, c)| {
                let mut c = *c;
                if let (Some(changes), Some(s)) = (changes, frac(c.convicted as f64, c.n_18_plus)) {
                    let d = changes.get(r).copied().unwrap_or(0.0);
                    c.convicted = count(s + d, c.n_18_plus);
                }
                (*r, c)
            })
            .collect()
    }
}

/// `share × group`, the share kept within [0, 1], rounded to a whole count.
fn count(share: f64, group: u64) -> u64 {
    (share.clamp(0.0, 1.0) * group as f64).round() as u64
}

/// A group scaled with the residents, never above `cap`.
fn scaled(n: u64, scale: f64, cap: u64) -> u64 {
    ((n as f64 * scale).round() as u64).min(cap)
}

/// The latest counts moved by `delta`: residents scaled by `exp(delta[0])` (at least 1), the
/// age groups scaled with them, each share moved and kept within [0, 1], every count whole and
/// within its group.
fn apply(latest: &Counts, now: &Measures, region_mean: Option<f64>, delta: &Delta) -> Counts {
    let ratio = delta[LN_RESIDENTS].exp();
    let residents = ((latest.residents as f64 * ratio).round() as u64).max(1);
    let scale = residents as f64 / latest.residents as f64;
    let n_18_plus = scaled(latest.n_18_plus, scale, residents);
    let n_18_64 = scaled(latest.n_18_64, scale, n_18_plus);
    let n_30_59 = scaled(latest.n_30_59, scale, n_18_64);
    let n_income = scaled(latest.n_income, scale, residents);
    let moved = |m: usize| now[m].map_or(0.0, |s| (s + delta[m]).clamp(0.0, 1.0));
    let income_sum = match (now[INCOME], region_mean) {
        (Some(rel), Some(r)) if n_income > 0 => {
            (rel + delta[INCOME]).max(0.0) * r * n_income as f64
        }
        _ => 0.0,
    };
    Counts {
        residents,
        non_western: count(moved(NON_WESTERN), residents),
        n_18_64,
        outside_fte: moved(OUTSIDE) * n_18_64 as f64,
        n_18_plus,
        convicted: count(moved(CONVICTED), n_18_plus),
        n_30_59,
        basic_unknown_as_basic: count(moved(BASIC_UNKNOWN), n_30_59),
        basic_danish_or_approved: count(moved(BASIC_DANISH), n_30_59),
        n_income,
        income_sum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(res: u64, outside: f64, conv: u64, basic: u64) -> Counts {
        Counts {
            residents: res,
            non_western: res / 2,
            n_18_64: res * 6 / 10,
            outside_fte: outside,
            n_18_plus: res * 3 / 4,
            convicted: conv,
            n_30_59: res * 4 / 10,
            basic_unknown_as_basic: basic,
            basic_danish_or_approved: basic,
            n_income: res / 2,
            income_sum: (res / 2) as f64 * 100_000.0,
        }
    }

    #[test]
    fn apply_keeps_counts_whole_and_within_their_groups() {
        let latest = counts(1000, 590.0, 740, 390);
        let now = measures(&latest, None);
        let wild: Delta = [1.37f64.ln(), 0.5, 0.4, -2.0, 0.9, -3.0, 0.7];
        let c = apply(&latest, &now, Some(200_000.0), &wild);
        assert_eq!(c.residents, 1370);
        assert!(c.n_18_plus <= c.residents && c.n_18_64 <= c.n_18_plus);
        assert!(c.n_30_59 <= c.n_18_64 && c.n_income <= c.residents);
        assert_eq!(c.outside_fte, c.n_18_64 as f64);
        assert_eq!(c.convicted, c.n_18_plus);
        assert_eq!(c.basic_unknown_as_basic, 0);
        assert_eq!(c.basic_danish_or_approved, c.n_30_59);
        assert_eq!(c.non_western, c.residents);
        // No regional mean in the latest year: no income.
        assert_eq!(c.income_sum, 0.0);
        let mut shrink = [0.0; M];
        shrink[LN_RESIDENTS] = -50.0;
        assert_eq!(apply(&latest, &now, None, &shrink).residents, 1);
    }

    #[test]
    fn no_change_reproduces_the_latest_counts() {
        let latest = counts(2000, 700.0, 30, 500);
        let region = Counts {
            n_income: 10,
            income_sum: 10.0 * 250_000.0,
            ..Counts::default()
        };
        let now = measures(&latest, Some(&region));
        let c = apply(&latest, &now, Some(250_000.0), &[0.0; M]);
        assert_eq!(c.residents, latest.residents);
        assert_eq!(c.convicted, latest.convicted);
        assert_eq!(c.basic_danish_or_approved, latest.basic_danish_or_approved);
        assert!((c.outside_fte - latest.outside_fte).abs() < 1e-9);
        assert!((c.income_sum - latest.income_sum).abs() < 1e-3);
    }

    #[test]
    fn a_line_through_the_points() {
        let (a, b, xm, sxx) = line(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]).unwrap();
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
        assert_eq!((xm, sxx), (1.0, 2.0));
        assert!(line(&[(0.0, 1.0), (1.0, 3.0)]).is_none());
    }

    #[test]
    fn trend_base_is_the_line_one_year_on() {
        // Outside share 0.30, 0.32, 0.34, 0.36: the line says 0.38 next year; residuals 0.
        let years: Vec<(f64, Measures)> = (0..4)
            .map(|k| {
                let mut m = [None; M];
                m[OUTSIDE] = Some(0.30 + 0.02 * f64::from(k));
                (2020.0 + f64::from(k), m)
            })
            .collect();
        let latest = years[3].1;
        let l = lines(&years, 2024.0);
        let (base, own) = fit_trend(&years, &l, &[0.5; M], &latest, 2024.0);
        assert!((base[OUTSIDE] - 0.02).abs() < 1e-9, "{base:?}");
        assert_eq!(own.len(), 3);
        assert!(own.iter().all(|d| d[OUTSIDE].abs() < 1e-9));
        // The walk: three changes of +0.02.
        let walk = fit_walk(&years);
        assert_eq!(walk.len(), 3);
        assert!(walk.iter().all(|d| (d[OUTSIDE] - 0.02).abs() < 1e-9));
    }

    #[test]
    fn persistent_residuals_carry_over() {
        // A wave around a line: residuals persist from year to year, so φ > 0, and the base
        // carries φ times the latest residual.
        let ys = [0.40, 0.43, 0.44, 0.43, 0.40, 0.37, 0.36, 0.37, 0.39];
        let years: Vec<(f64, Measures)> = ys
            .iter()
            .enumerate()
            .map(|(k, y)| {
                let mut m = [None; M];
                m[OUTSIDE] = Some(*y);
                (2015.0 + k as f64, m)
            })
            .collect();
        let l = lines(&years, 2024.0);
        let phi = persistence(std::iter::once((years.as_slice(), &l)));
        assert!(phi[OUTSIDE] > 0.3 && phi[OUTSIDE] <= 0.95, "{phi:?}");
        let (base, own) = fit_trend(&years, &l, &phi, &years[8].1, 2024.0);
        let (zero, _) = fit_trend(&years, &l, &[0.0; M], &years[8].1, 2024.0);
        let r_last = l.resid[8][OUTSIDE].unwrap();
        assert!((base[OUTSIDE] - zero[OUTSIDE] - phi[OUTSIDE] * r_last).abs() < 1e-12);
        assert_eq!(own.len(), 8);
    }
}
