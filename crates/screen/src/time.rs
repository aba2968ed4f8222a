//! Over time: the composite vulnerability index, the gap to the city average per criterion, the
//! 2017 goal ("halve the gap by 2025 on at least half of the criteria"), and which designated
//! areas entered or left between two screenings.
//!
//! The functions take a value and the city average per criterion ([`GapPoint`]), so they work
//! on a fixed boundary followed across years (the 2017 policy's 16 areas) as well as on one
//! screening's areas. [`points`] computes them for any set of units.

use crate::engine::{Measure, Screening, Unit, dec};
use crate::indicator::{self, Kind};
use crate::spec::{Criterion, Direction, Spec};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A criterion's value for an area and the city average in the same year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GapPoint {
    /// The area's value (a fraction for shares).
    pub value: f64,
    /// The city average.
    pub city: f64,
}

/// Values per criterion id for the units in `members`, pooled (Σ num / Σ den), and the city
/// average over every unit. A criterion with no value in `members` is left out.
pub fn points(
    spec: &Spec,
    units: &[Unit],
    members: &BTreeSet<String>,
    without_origin: bool,
) -> BTreeMap<String, GapPoint> {
    let mut out = BTreeMap::new();
    for c in spec.active_criteria(without_origin) {
        let kind = indicator::indicator(&c.indicator).map_or(Kind::Share, |i| i.kind);
        let (mut cn, mut cd, mut an, mut ad) = (0.0, 0.0, 0.0, 0.0);
        let mut seen = BTreeSet::new();
        for u in units {
            if !seen.insert(&u.id) {
                continue;
            }
            let Some(m) = u.indicators.get(&c.indicator) else {
                continue;
            };
            let (num, den) = match (*m, kind) {
                (Measure::Share { num, den }, Kind::Share)
                | (Measure::Ratio { num, den }, Kind::Ratio) => (num, den),
                _ => continue,
            };
            if !(num.is_finite() && den.is_finite() && num >= 0.0 && den > 0.0) {
                continue;
            }
            cn += num;
            cd += den;
            if members.contains(&u.id) {
                an += num;
                ad += den;
            }
        }
        if ad > 0.0 && cd > 0.0 {
            out.insert(
                c.id.clone(),
                GapPoint {
                    value: an / ad,
                    city: cn / cd,
                },
            );
        }
    }
    out
}

/// A composite vulnerability index (*udsathedsindeks*).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Index {
    /// The weighted mean over criteria of value / city average (city average / value when lower
    /// is worse). 1 is the city average; 1.4 is, on average, 40 % worse than the city.
    pub value: f64,
    /// How many criteria it used.
    pub criteria_used: usize,
    /// How many criteria are in force.
    pub criteria_total: usize,
}

/// The composite vulnerability index of one area and year.
///
/// Why ratios to the city average and not z-scores: a z-score's unit (the spread between units)
/// changes from year to year and with the unit size, so an index built from it cannot say "17 %
/// less vulnerable". A ratio to the same year's city average is unit-free, 1 means "like the
/// city", and a change in it is a change relative to the city. Pass the baseline year's city
/// averages in `points` to measure against a fixed reference instead.
///
/// A criterion whose ratio is undefined (a city average of 0, or a value of 0 when lower is
/// worse) is left out; `criteria_used` says how many were used. `None` when none can be used.
pub fn vulnerability_index(
    spec: &Spec,
    points: &BTreeMap<String, GapPoint>,
    without_origin: bool,
) -> Option<Index> {
    vulnerability_index_of(
        spec.active_criteria(without_origin)
            .into_iter()
            .map(|c| (c, points.get(&c.id).copied())),
    )
}

pub(crate) fn vulnerability_index_of<'a>(
    it: impl Iterator<Item = (&'a Criterion, Option<GapPoint>)>,
) -> Option<Index> {
    let (mut sum, mut w, mut used, mut total) = (0.0, 0.0, 0usize, 0usize);
    for (c, p) in it {
        total += 1;
        let Some(p) = p else { continue };
        let r = match c.direction {
            Direction::HigherIsWorse => p.value / p.city,
            Direction::LowerIsWorse => p.city / p.value,
        };
        if !r.is_finite() {
            continue;
        }
        let wt = c.weight.to_f64().unwrap_or(1.0);
        sum += wt * r;
        w += wt;
        used += 1;
    }
    (w > 0.0).then(|| Index {
        value: sum / w,
        criteria_used: used,
        criteria_total: total,
    })
}

/// How an index changed between two years.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IndexChange {
    /// The index in the first year.
    pub before: f64,
    /// The index in the second year.
    pub after: f64,
    /// after / before − 1: −0.17 reads "17 % less vulnerable".
    pub relative_change: f64,
    /// The change in the excess over the city average, (after − 1) / (before − 1) − 1: −0.17
    /// reads "the distance to the city average shrank by 17 %". `None` when the area was not
    /// worse than the city in the first year. The policy does not say which reading its "17 %"
    /// uses, so both are given.
    pub excess_change: Option<f64>,
}

/// Compares an index between two years.
pub fn index_change(before: f64, after: f64) -> IndexChange {
    IndexChange {
        before,
        after,
        relative_change: after / before - 1.0,
        excess_change: (before > 1.0).then(|| (after - 1.0) / (before - 1.0) - 1.0),
    }
}

/// The gap to the city average of one criterion in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The criterion.
    pub criterion: String,
    /// The area's value.
    pub value: f64,
    /// The city average.
    pub city: f64,
    /// value − city (a fraction for shares: 0.05 is 5 percentage points).
    pub difference: f64,
    /// value / city.
    pub ratio: Option<f64>,
    /// The difference oriented so that positive is worse than the city.
    pub worse_by: f64,
}

/// The gap to the city average for every criterion in force that has a point.
pub fn gaps(spec: &Spec, points: &BTreeMap<String, GapPoint>, without_origin: bool) -> Vec<Gap> {
    spec.active_criteria(without_origin)
        .into_iter()
        .filter_map(|c| {
            let p = points.get(&c.id)?;
            let difference = p.value - p.city;
            Some(Gap {
                criterion: c.id.clone(),
                value: p.value,
                city: p.city,
                difference,
                ratio: (p.city != 0.0).then(|| p.value / p.city),
                worse_by: match c.direction {
                    Direction::HigherIsWorse => difference,
                    Direction::LowerIsWorse => -difference,
                },
            })
        })
        .collect()
}

/// How one criterion fared against the gap goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// The gap is at most `gap_factor` × the baseline gap.
    Closed,
    /// The gap is larger than that.
    NotClosed,
    /// There was no gap at baseline (the area was at or better than the city), and there is
    /// still none: counts as reached.
    NoGapKept,
    /// There was no gap at baseline, but there is one now: counts as not reached.
    NoGapLost,
    /// A value is missing in one of the years: counts as not reached.
    Missing,
}

/// One criterion against the gap goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalCriterion {
    /// The criterion.
    pub criterion: String,
    /// The baseline gap, oriented so that positive is worse than the city.
    pub baseline_gap: Option<f64>,
    /// The latest gap, oriented the same way.
    pub latest_gap: Option<f64>,
    /// The largest latest gap that reaches the goal.
    pub target_gap: Option<f64>,
    /// The outcome.
    pub status: GoalStatus,
}

/// The gap goal for one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalOutcome {
    /// The baseline year (from the spec).
    pub baseline_year: i32,
    /// The target year (from the spec).
    pub target_year: i32,
    /// Each criterion in force.
    pub criteria: Vec<GoalCriterion>,
    /// How many reached the goal.
    pub reached: usize,
    /// How many criteria count (all in force, including missing ones).
    pub counted: usize,
    /// How many must reach it: ⌈min_share_of_criteria × counted⌉ ("at least half" of 5 is 3).
    pub required: usize,
    /// Whether the goal is met.
    pub met: bool,
}

/// The spec's gap goal for one area, from its baseline-year and latest points. `None` when the
/// spec has no goal.
///
/// Arithmetic is in decimals after reading each value and average as the shortest decimal that
/// round-trips, so a gap of exactly half is reached (the goal says "halve", and a halved gap is
/// a halved gap) whatever the floating-point noise. A criterion without a gap at baseline counts
/// as reached if the area is still at or better than the city; a missing value counts as not
/// reached but still counts in `counted` (the goal is about all the policy's criteria).
pub fn gap_goal(
    spec: &Spec,
    baseline: &BTreeMap<String, GapPoint>,
    latest: &BTreeMap<String, GapPoint>,
    without_origin: bool,
) -> Option<GoalOutcome> {
    let goal = spec.goal.as_ref()?;
    let oriented = |c: &Criterion, p: &GapPoint| -> Option<Decimal> {
        let d = dec(p.value)? - dec(p.city)?;
        Some(match c.direction {
            Direction::HigherIsWorse => d,
            Direction::LowerIsWorse => -d,
        })
    };
    let mut criteria = Vec::new();
    let mut reached = 0;
    let active = spec.active_criteria(without_origin);
    for c in &active {
        let g0 = baseline.get(&c.id).and_then(|p| oriented(c, p));
        let g1 = latest.get(&c.id).and_then(|p| oriented(c, p));
        let target = g0.map(|g| {
            if g > Decimal::ZERO {
                g * goal.gap_factor
            } else {
                Decimal::ZERO
            }
        });
        let status = match (g0, g1, target) {
            (Some(g0), Some(g1), Some(t)) => {
                let ok = g1 <= t;
                match (g0 > Decimal::ZERO, ok) {
                    (true, true) => GoalStatus::Closed,
                    (true, false) => GoalStatus::NotClosed,
                    (false, true) => GoalStatus::NoGapKept,
                    (false, false) => GoalStatus::NoGapLost,
                }
            }
            _ => GoalStatus::Missing,
        };
        if matches!(status, GoalStatus::Closed | GoalStatus::NoGapKept) {
            reached += 1;
        }
        criteria.push(GoalCriterion {
            criterion: c.id.clone(),
            baseline_gap: g0.and_then(|d| d.to_f64()),
            latest_gap: g1.and_then(|d| d.to_f64()),
            target_gap: target.and_then(|d| d.to_f64()),
            status,
        });
    }
    let counted = active.len();
    let required = (goal.min_share_of_criteria * Decimal::from(counted))
        .ceil()
        .to_usize()
        .unwrap_or(counted);
    Some(GoalOutcome {
        baseline_year: goal.baseline_year,
        target_year: goal.target_year,
        criteria,
        reached,
        counted,
        required,
        met: reached >= required,
    })
}

/// A designated area of the earlier screening that continues as one of the later.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Continuation {
    /// The earlier area's id.
    pub before: String,
    /// The later area's id.
    pub after: String,
    /// Units in both.
    pub shared_units: usize,
    /// Units in the earlier area.
    pub before_units: usize,
    /// Units in the later area.
    pub after_units: usize,
    /// shared / the smaller of the two (the overlap coefficient).
    pub overlap: f64,
}

/// What changed between two screenings (a revision of the designation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    /// Later areas that continue no earlier area.
    pub entered: Vec<String>,
    /// Earlier areas that no later area continues.
    pub left: Vec<String>,
    /// Pairs that continue each other. An area split in two gives two pairs with the same
    /// `before`; two areas merged give two pairs with the same `after`.
    pub continued: Vec<Continuation>,
    /// Units designated in the later screening only.
    pub units_entered: Vec<String>,
    /// Units designated in the earlier screening only.
    pub units_left: Vec<String>,
}

/// Compares the designated areas of two screenings by the units they share, not by id (an
/// area's id follows its smallest unit, which may leave). Two areas continue each other when
/// their shared units are at least `min_overlap` of the smaller one's units; 0.5 is a sensible
/// default (documented in docs/SCREENING.md). Both screenings must use the same units (the same
/// grid, or the same polygons), which is what makes revisions comparable at all.
pub fn compare_screenings(before: &Screening, after: &Screening, min_overlap: f64) -> Revision {
    let areas = |s: &Screening| -> Vec<(String, Vec<String>)> {
        s.areas
            .iter()
            .map(|a| (a.id.clone(), a.units.clone()))
            .collect()
    };
    compare_areas(&areas(before), &areas(after), min_overlap)
}

/// [`compare_screenings`] on designated areas given as (id, units): what a stored designation
/// round holds.
pub fn compare_areas(
    before: &[(String, Vec<String>)],
    after: &[(String, Vec<String>)],
    min_overlap: f64,
) -> Revision {
    let set = |s: &[(String, Vec<String>)]| -> BTreeSet<String> {
        s.iter()
            .flat_map(|(_, units)| units.iter().cloned())
            .collect()
    };
    let (b_units, a_units) = (set(before), set(after));
    let mut continued = Vec::new();
    for (b_id, b) in before {
        let bs: BTreeSet<&String> = b.iter().collect();
        for (a_id, a) in after {
            let shared = a.iter().filter(|u| bs.contains(u)).count();
            if shared == 0 {
                continue;
            }
            let overlap = shared as f64 / b.len().min(a.len()) as f64;
            if overlap >= min_overlap {
                continued.push(Continuation {
                    before: b_id.clone(),
                    after: a_id.clone(),
                    shared_units: shared,
                    before_units: b.len(),
                    after_units: a.len(),
                    overlap,
                });
            }
        }
    }
    let cont_b: BTreeSet<&String> = continued.iter().map(|c| &c.before).collect();
    let cont_a: BTreeSet<&String> = continued.iter().map(|c| &c.after).collect();
    Revision {
        entered: after
            .iter()
            .filter(|(id, _)| !cont_a.contains(id))
            .map(|(id, _)| id.clone())
            .collect(),
        left: before
            .iter()
            .filter(|(id, _)| !cont_b.contains(id))
            .map(|(id, _)| id.clone())
            .collect(),
        units_entered: a_units.difference(&b_units).cloned().collect(),
        units_left: b_units.difference(&a_units).cloned().collect(),
        continued,
    }
}
