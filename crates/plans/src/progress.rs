//! Progress of an indicator, computed from the data: pure, exact arithmetic on decimals.
//!
//! # Rules
//!
//! The caller hands in the measure's series for the indicator's areas (year → value, already
//! aggregated) and the city average series (year → value).
//!
//! 1. **Latest**: the last year of the series that has a value (missing years are skipped). No
//!    value at all gives [`Status::NoData`] and nothing else.
//! 2. **Gap to the comparator**: latest value minus the comparator of the *same* year (the
//!    caller's "city" series: the rest of the same whole, never another kind of population);
//!    `None` when it has no value that year. The gap is also given in the baseline year (or the
//!    first year with both values), so that its change can be told.
//! 3. **Target value**: a `Value` target is its value; a `CityAverage` target is the city average
//!    of the latest year (`None` when there is none).
//! 4. **Reached**: when the target value is known and the latest value is at least as good as it
//!    (≤ for `down`, ≥ for `up`; equal counts), the status is [`Status::Reached`] and on track is
//!    `true`, with or without a baseline.
//! 5. **No baseline**: without a baseline or without a target, the status is
//!    [`Status::NoBaseline`]: no required value, on track unknown.
//! 6. A `CityAverage` target with no city average in the latest year: [`Status::NoData`],
//!    required and on track unknown.
//! 7. **Required**: the straight line from the baseline (year, value) to the target (year, target
//!    value) read at the latest year, clamped to its ends:
//!    - latest year at or before the baseline year (the baseline is newer than the data, or the
//!      same year): the baseline value (no progress is yet required; not getting worse is);
//!    - latest year at or after the target year, or a target year at or before the baseline year
//!      (no line to draw): the target value;
//!    - otherwise `b + (t − b) · (latest year − baseline year) / (target year − baseline year)`.
//! 8. **On track**: the latest value is at least as good as the required value, by direction
//!    (exactly on the line is on track). The comparison is exact: it cross-multiplies instead of
//!    dividing, so a required value like 17⅓ is compared without rounding. The reported
//!    `required` is the quotient rounded to [`REQUIRED_DP`] decimal places, for display only.

use crate::model::{Direction, Indicator, Target};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Decimal places of the reported `required` value (the on-track test itself is exact).
pub const REQUIRED_DP: u32 = 4;

/// The verdict on an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// At least as good as the straight line requires, target not yet reached.
    OnTrack,
    /// Worse than the straight line requires.
    OffTrack,
    /// At least as good as the target value.
    Reached,
    /// No data for the areas (or no city average for a city-average target).
    NoData,
    /// No baseline or no target to draw the line from.
    NoBaseline,
}

/// An indicator's progress, as the module's rules compute it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The latest year with a value, and the value.
    pub latest: Option<(i32, Decimal)>,
    /// The value the straight line from baseline to target gives at the latest year (rounded to
    /// [`REQUIRED_DP`] places).
    pub required: Option<Decimal>,
    /// Latest at least as good as required, by direction (target reached counts as on track).
    pub on_track: Option<bool>,
    /// The comparator's value in the latest year: the rest of the same whole (the rest of the
    /// municipality, or the other housing estates), never another kind of population.
    pub comparator: Option<Decimal>,
    /// Latest minus the comparator of the same year.
    pub gap_to_city: Option<Decimal>,
    /// The gap in the baseline year (or, without a baseline, in the first year with both
    /// values), to say how it changed: (year, gap).
    pub gap_from: Option<(i32, Decimal)>,
    /// The target value resolved (the city average of the latest year for a city-average target).
    pub target_value: Option<Decimal>,
    /// The verdict.
    pub status: Status,
}

/// `a` at least as good as `b` in `dir`.
fn at_least_as_good(dir: Direction, a: Decimal, b: Decimal) -> bool {
    match dir {
        Direction::Down => a <= b,
        Direction::Up => a >= b,
    }
}

/// Computes an indicator's progress from the data (see the module's rules).
pub fn progress(
    indicator: &Indicator,
    series: &BTreeMap<i32, Decimal>,
    city: &BTreeMap<i32, Decimal>,
) -> Progress {
    let mut p = Progress {
        latest: None,
        required: None,
        on_track: None,
        comparator: None,
        gap_to_city: None,
        gap_from: None,
        target_value: None,
        status: Status::NoData,
    };
    let Some((&ly, &lv)) = series.iter().next_back() else {
        return p;
    };
    p.latest = Some((ly, lv));
    let city_latest = city.get(&ly).copied();
    p.comparator = city_latest;
    p.gap_to_city = city_latest.map(|c| lv - c);
    let gap_in = |y: i32| Some((y, series.get(&y)? - city.get(&y)?));
    p.gap_from = match &indicator.baseline {
        Some(b) => gap_in(b.year),
        None => series.keys().find_map(|&y| gap_in(y)),
    }
    .filter(|(y, _)| *y < ly);
    p.target_value = match indicator.target {
        Some(Target::Value { value, .. }) => Some(value),
        Some(Target::CityAverage { .. }) => city_latest,
        None => None,
    };
    let dir = indicator.direction;
    if let Some(t) = p.target_value
        && at_least_as_good(dir, lv, t)
    {
        p.on_track = Some(true);
        p.status = Status::Reached;
        return p;
    }
    let (Some(base), Some(target)) = (&indicator.baseline, &indicator.target) else {
        p.status = Status::NoBaseline;
        return p;
    };
    let Some(tv) = p.target_value else {
        p.status = Status::NoData;
        return p;
    };
    let (by, bv, ty) = (base.year, base.value, target.year());
    let on_track = if ly <= by {
        p.required = Some(bv);
        at_least_as_good(dir, lv, bv)
    } else if ly >= ty || ty <= by {
        p.required = Some(tv);
        at_least_as_good(dir, lv, tv)
    } else {
        // required = bv + (tv − bv)·num/den with 0 < num < den; compare
        // (lv − bv)·den with (tv − bv)·num to stay exact.
        let num = Decimal::from(ly - by);
        let den = Decimal::from(ty - by);
        let step = tv - bv;
        p.required = Some((bv + step * num / den).round_dp(REQUIRED_DP).normalize());
        match ((lv - bv).checked_mul(den), step.checked_mul(num)) {
            (Some(l), Some(r)) => at_least_as_good(dir, l, r),
            // Overflow is out of any realistic range; fall back on the rounded line.
            _ => at_least_as_good(dir, lv, p.required.unwrap_or(tv)),
        }
    };
    p.on_track = Some(on_track);
    p.status = if on_track {
        Status::OnTrack
    } else {
        Status::OffTrack
    };
    p
}
