//! The screening engine: criteria per unit against the city average, qualification, contiguous
//! designated areas, disclosure control, intervals, probabilities and shrinkage.
//!
//! Pure: it takes units (numerators and denominators per indicator), their neighbourhood and the
//! units inside state-listed areas, and returns everything a report needs. It never sees a person.

use crate::indicator::{self, Kind};
use crate::spec::{Compare, Criterion, Direction, Qualify, Score, Spec};
use crate::stats::{self, Interval, Prior};
use crate::time::{self, GapPoint};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// One spatial unit screened: a grid cell or a user-supplied polygon, with its indicators
/// already counted by the data crate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// A stable id (for grid cells, the national grid's cell name), used for adjacency, area ids
    /// and comparisons across years.
    pub id: String,
    /// The district (*bydel*) the unit lies in; shrinkage pulls towards the district.
    pub district: String,
    /// Grid column and row (easting and northing divided by the cell size), for grid units.
    pub cell: Option<(i64, i64)>,
    /// Residents.
    pub population: u64,
    /// Indicator id → its numerator and denominator. A missing indicator is *not evaluable*.
    pub indicators: BTreeMap<String, Measure>,
}

/// The numerator and denominator of one indicator in one unit. Keeping the counts (not a
/// percentage) is what lets the city average be pooled and intervals be computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Measure {
    /// A count inside a count: 0 ≤ num ≤ den. `num` may be fractional (full-time persons).
    Share {
        /// The numerator.
        num: f64,
        /// The denominator.
        den: f64,
    },
    /// A sum over a sum of different things (m² over residents).
    Ratio {
        /// The numerator.
        num: f64,
        /// The denominator.
        den: f64,
    },
}

impl Measure {
    fn parts(&self) -> (f64, f64, Kind) {
        match *self {
            Measure::Share { num, den } => (num, den, Kind::Share),
            Measure::Ratio { num, den } => (num, den, Kind::Ratio),
        }
    }
}

/// Which units touch which.
#[derive(Debug, Clone, PartialEq)]
pub enum Neighbours {
    /// Derive adjacency from grid cells. `diagonal: true` is the 8-neighbourhood (queen
    /// contiguity), kvarter's default: cells that meet only at a corner are usually the two
    /// sides of a street crossing, and a planner would draw them as one area; it also keeps
    /// estates whose blocks run diagonally to the UTM axes from falling apart into speckle.
    /// `false` is the 4-neighbourhood (rook contiguity).
    Grid {
        /// Whether cells that share only a corner are neighbours.
        diagonal: bool,
    },
    /// An explicit adjacency list for polygons. It is made symmetric: if `a` lists `b`, they
    /// are neighbours.
    Explicit(BTreeMap<String, BTreeSet<String>>),
}

impl Neighbours {
    /// The default for grid units: the 8-neighbourhood.
    pub fn grid() -> Neighbours {
        Neighbours::Grid { diagonal: true }
    }
}

/// Which values designation rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Values {
    /// The units' own values (the default).
    #[default]
    Raw,
    /// The empirical-Bayes values shrunk toward the district. Ratio indicators, and shares in
    /// districts with too few units to estimate a prior, keep their raw values.
    Shrunk,
}

/// Run-time choices that are not part of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Options {
    /// Designate on raw or shrunk values.
    pub designate_on: Values,
    /// Leave out the origin criteria (C-417/23). In `k of n` the `k` is kept, so an origin
    /// criterion counts as not met, exactly as the state rule sets do; in a composite score
    /// and the vulnerability index it is dropped.
    pub without_origin: bool,
    /// The interval level, 0.95 by default.
    pub level: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            designate_on: Values::Raw,
            without_origin: false,
            level: 0.95,
        }
    }
}

/// A value with its counts, interval and the probability that the true value meets the
/// criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The value (a fraction for shares, not a percentage).
    pub value: f64,
    /// The numerator behind it.
    pub num: f64,
    /// The denominator behind it.
    pub den: f64,
    /// The interval at the requested level: Jeffreys for raw shares, the Beta posterior for
    /// shrunk ones; `None` for ratio indicators.
    pub interval: Option<Interval>,
    /// The probability that the true value is on the bad side of the criterion's threshold
    /// (Beta posterior); `None` for ratio indicators.
    pub p_meets: Option<f64>,
    /// For shrunk values, the weight on the district mean, M / (den + M); 0 for raw values.
    pub weight_on_district: f64,
}

/// Whether an interval straddles a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// The interval lies wholly on one side of the threshold.
    Clear,
    /// The interval contains the threshold: the outcome could go either way.
    WithinInterval,
    /// No interval (a ratio indicator, or no value).
    NoInterval,
}

/// One criterion for one unit or area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionResult {
    /// The criterion's id.
    pub criterion: String,
    /// The indicator it reads.
    pub indicator: String,
    /// Whether its threshold is kvarter's default (*kvarters standardværdi*).
    pub kvarter_default: bool,
    /// The unit's own value; `None` when the indicator is missing or invalid (not evaluable).
    pub raw: Option<Estimate>,
    /// The value shrunk toward the district, beside the raw one; `None` for ratio indicators,
    /// areas, and districts with too few units.
    pub shrunk: Option<Estimate>,
    /// The city average (pooled: Σ num / Σ den over every unit).
    pub city: Option<f64>,
    /// value − city average, on the indicator's scale (raw values).
    pub gap: Option<f64>,
    /// The value compared with the threshold, on the comparison's scale (a factor, points or
    /// standard deviations), from the values designation rests on.
    pub comparison: Option<f64>,
    /// The threshold translated to the indicator's scale (e.g. 1.5 × a city average of 0.2 is
    /// 0.3): what the interval and the probability are set against.
    pub value_threshold: Option<f64>,
    /// Met (`Some(true)`), not met, or not evaluable (`None`, which counts as not met).
    pub met: Option<bool>,
    /// Whether the interval of the values designation rests on contains the threshold.
    pub certainty: Certainty,
}

/// Why a unit is part of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Inclusion {
    /// It meets the qualification rule itself.
    Qualifies,
    /// It lies in a state-listed housing area and the spec includes those automatically.
    StateListed,
    /// It is a single non-qualifying unit surrounded by one component, filled in.
    FilledHole,
}

/// One unit's screening.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    /// The unit's id.
    pub id: String,
    /// Its district.
    pub district: String,
    /// Its grid cell.
    pub cell: Option<(i64, i64)>,
    /// Residents.
    pub population: u64,
    /// True when the population is under the spec's `min_unit_population`: the unit may be part
    /// of an area, but its values must never be shown separately.
    pub suppressed: bool,
    /// Every criterion in force.
    pub criteria: Vec<CriterionResult>,
    /// How many criteria are met.
    pub met: usize,
    /// How many criteria could be evaluated.
    pub evaluable: usize,
    /// The composite score, for composite specs.
    pub score: Option<f64>,
    /// The composite score with every criterion at the better and the worse end of its
    /// interval, for composite specs.
    pub score_bounds: Option<Interval>,
    /// Whether the unit meets the qualification rule itself.
    pub qualifies: bool,
    /// True when a criterion that is not evaluable could have changed `qualifies`.
    pub undetermined: bool,
    /// Qualifies, but rests on a value whose interval contains its threshold.
    pub fragile: bool,
    /// Does not qualify, but would if values whose intervals contain their thresholds were
    /// on the other side.
    pub near_miss: bool,
    /// Whether it lies in a state-listed housing area.
    pub state_listed: bool,
    /// Why it is in a component, if it is.
    pub inclusion: Option<Inclusion>,
    /// The component it belongs to (a designated area's id, or a rejected component's).
    pub component: Option<String>,
    /// Whether that component is designated.
    pub designated: bool,
    /// The composite vulnerability index (1 = the city average; see [`crate::vulnerability_index`]).
    pub index: Option<f64>,
}

/// Why a component is, or is not, designated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum AreaReason {
    /// Its population reaches the minimum.
    MinPopulation,
    /// It is below the minimum but holds a state-listed unit, which the spec includes
    /// automatically.
    StateListed,
    /// Not designated: its population is below the minimum.
    BelowMinimum {
        /// Its population.
        population: u64,
        /// The spec's minimum.
        minimum: u64,
    },
}

/// A connected component of included units: a designated area (*udpeget udsat byområde*), or
/// one that is not designated, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    /// A stable id: `area-` and the smallest unit id in it, so the same area keeps its id across
    /// years unless that unit leaves it (comparisons match by overlap anyway).
    pub id: String,
    /// Whether it is designated.
    pub designated: bool,
    /// Why, or why not.
    pub reason: AreaReason,
    /// Its units, sorted.
    pub units: Vec<String>,
    /// The districts it touches.
    pub districts: Vec<String>,
    /// Residents.
    pub population: u64,
    /// True when the population is under `min_unit_population`: never show it alone.
    pub suppressed: bool,
    /// Units in state-listed housing areas.
    pub state_listed_units: Vec<String>,
    /// Units filled in as single holes.
    pub filled_holes: Vec<String>,
    /// Qualifying units whose qualification rests on a value within its interval of the
    /// threshold.
    pub fragile_units: Vec<String>,
    /// Residents of those units.
    pub fragile_population: u64,
    /// Every criterion for the area as a whole (counts summed over its units).
    pub criteria: Vec<CriterionResult>,
    /// How many criteria the area as a whole meets.
    pub met: usize,
    /// Whether the area as a whole meets the qualification rule.
    pub qualifies_as_whole: bool,
    /// The composite vulnerability index.
    pub index: Option<f64>,
}

/// The city average of one criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CityValue {
    /// The criterion.
    pub criterion: String,
    /// Its indicator.
    pub indicator: String,
    /// Σ num over every unit with a value.
    pub num: f64,
    /// Σ den.
    pub den: f64,
    /// Σ num / Σ den.
    pub value: Option<f64>,
    /// The denominator-weighted standard deviation of unit values around it (on the values
    /// designation rests on), used by z-scores.
    pub sd: Option<f64>,
    /// Units with a value.
    pub units: usize,
}

/// A whole screening.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screening {
    /// The spec's id.
    pub spec: String,
    /// The options it ran with.
    pub options: Options,
    /// What is kvarter's default rather than the policy's, as `(item, reason)`; every output
    /// should show it.
    pub defaults: Vec<(String, String)>,
    /// The city average of each criterion.
    pub city: Vec<CityValue>,
    /// The district priors used for shrinkage, keyed by `district/indicator`.
    pub priors: BTreeMap<String, Prior>,
    /// Every unit, sorted by id.
    pub units: Vec<UnitResult>,
    /// The designated areas, sorted by id.
    pub areas: Vec<Area>,
    /// Components that are not designated, with the reason.
    pub rejected: Vec<Area>,
    /// Notes about the input (duplicate ids, invalid measures, units without a cell).
    pub notes: Vec<String>,
}

impl Screening {
    /// The units whose values may be published alone.
    pub fn publishable_units(&self) -> impl Iterator<Item = &UnitResult> {
        self.units.iter().filter(|u| !u.suppressed)
    }
}

/// A value to compare: exact counts (raw) or a float (shrunk).
#[derive(Clone, Copy)]
enum Val {
    Counts(f64, f64),
    Float(f64),
}

impl Val {
    fn f(self) -> f64 {
        match self {
            Val::Counts(n, d) => n / d,
            Val::Float(v) => v,
        }
    }
}

/// A finite float as a decimal (for exact comparison with a threshold); `None` otherwise.
pub(crate) fn dec(x: f64) -> Option<Decimal> {
    if x.is_finite() {
        Decimal::from_f64(x)
    } else {
        None
    }
}

/// Per-criterion context, computed once.
struct Ctx<'a> {
    c: &'a Criterion,
    kind: Kind,
    n: f64,
    d: f64,
    sd: Option<f64>,
    level: f64,
}

impl Ctx<'_> {
    fn city(&self) -> Option<f64> {
        (self.d > 0.0).then(|| self.n / self.d)
    }

    /// Points per unit of difference: a share's difference is in percentage points.
    fn scale(&self) -> f64 {
        if self.kind == Kind::Share { 100.0 } else { 1.0 }
    }

    /// value / city, exactly when the counts allow it.
    fn ratio_dec(&self, v: Val) -> Option<Decimal> {
        match v {
            Val::Counts(num, den) => {
                let (num, den, n, d) = (dec(num)?, dec(den)?, dec(self.n)?, dec(self.d)?);
                let bottom = den.checked_mul(n)?;
                if bottom.is_zero() {
                    return None;
                }
                num.checked_mul(d)?
                    .checked_div(bottom)
                    .or_else(|| dec(v.f() / self.city()?))
            }
            Val::Float(x) => {
                let c = self.city()?;
                if c == 0.0 { None } else { dec(x / c) }
            }
        }
    }

    /// value − city on the comparison's scale, exactly when the counts allow it.
    fn difference_dec(&self, v: Val) -> Option<Decimal> {
        let scale = Decimal::from_f64(self.scale())?;
        match v {
            Val::Counts(num, den) => {
                let (num, den, n, d) = (dec(num)?, dec(den)?, dec(self.n)?, dec(self.d)?);
                let exact = || {
                    let top = num.checked_mul(d)?.checked_sub(n.checked_mul(den)?)?;
                    top.checked_mul(scale)?.checked_div(den.checked_mul(d)?)
                };
                exact().or_else(|| dec((v.f() - self.city()?) * self.scale()))
            }
            Val::Float(x) => dec((x - self.city()?) * self.scale()),
        }
    }

    fn z(&self, x: f64) -> Option<f64> {
        let sd = self.sd?;
        (sd > 0.0).then(|| (x - self.city().unwrap_or(0.0)) / sd)
    }

    /// The comparison value, on the comparison's scale.
    fn comparison(&self, v: Val) -> Option<Decimal> {
        match self.c.compare {
            Compare::Ratio => self.ratio_dec(v),
            Compare::Difference => self.difference_dec(v),
            Compare::Zscore => dec(self.z(v.f())?),
        }
    }

    /// The threshold on the indicator's scale.
    fn value_threshold(&self) -> Option<f64> {
        let t = self.c.threshold.to_f64()?;
        let c = self.city()?;
        match self.c.compare {
            Compare::Ratio => Some(t * c),
            Compare::Difference => Some(c + t / self.scale()),
            Compare::Zscore => Some(c + t * self.sd.filter(|s| *s > 0.0)?),
        }
    }

    fn worse_up(&self) -> bool {
        self.c.direction == Direction::HigherIsWorse
    }

    /// P(true share on the bad side of `thr`) under Beta(a, b).
    fn p_meets(&self, a: f64, b: f64, thr: Option<f64>) -> Option<f64> {
        let thr = thr?;
        let below = stats::beta_cdf(thr, a, b);
        Some(if self.worse_up() { 1.0 - below } else { below })
    }

    /// The criterion's oriented score (higher is worse) as an f64, for bounds and the index.
    fn oriented(&self, score: Score, x: f64) -> Option<f64> {
        match score {
            Score::MeanRatio => {
                let c = self.city()?;
                let r = if self.worse_up() { x / c } else { c / x };
                r.is_finite().then_some(r)
            }
            Score::MeanZscore => {
                let z = self.z(x)?;
                Some(if self.worse_up() { z } else { -z })
            }
        }
    }

    /// The oriented score as a Decimal, exact for ratios of counts.
    fn oriented_dec(&self, score: Score, v: Val) -> Option<Decimal> {
        match score {
            Score::MeanRatio => {
                let r = self.ratio_dec(v)?;
                if self.worse_up() {
                    Some(r)
                } else if r.is_zero() {
                    None
                } else {
                    Decimal::ONE.checked_div(r)
                }
            }
            Score::MeanZscore => dec(self.oriented(score, v.f())?),
        }
    }

    fn raw_estimate(&self, num: f64, den: f64) -> Estimate {
        let thr = self.value_threshold();
        let (interval, p) = if self.kind == Kind::Share {
            (
                stats::jeffreys(num, den, self.level),
                self.p_meets(num + 0.5, den - num + 0.5, thr),
            )
        } else {
            (None, None)
        };
        Estimate {
            value: num / den,
            num,
            den,
            interval,
            p_meets: p,
            weight_on_district: 0.0,
        }
    }

    fn shrunk_estimate(&self, num: f64, den: f64, prior: &Prior) -> Estimate {
        let m = prior.strength;
        if m <= 0.0 {
            return Estimate {
                weight_on_district: 0.0,
                ..self.raw_estimate(num, den)
            };
        }
        let a = num + m * prior.mean;
        let b = den - num + m * (1.0 - prior.mean);
        Estimate {
            value: a / (a + b),
            num,
            den,
            interval: Some(stats::beta_interval(a, b, self.level)),
            p_meets: self.p_meets(a, b, self.value_threshold()),
            weight_on_district: m / (den + m),
        }
    }
}

fn valid(m: Option<&Measure>, kind: Kind) -> Result<Option<(f64, f64)>, String> {
    let Some(m) = m else { return Ok(None) };
    let (num, den, k) = m.parts();
    if k != kind {
        return Err(format!(
            "is a {} but the indicator is a {}",
            if k == Kind::Share { "share" } else { "ratio" },
            if kind == Kind::Share {
                "share"
            } else {
                "ratio"
            }
        ));
    }
    if !(num.is_finite() && den.is_finite()) || num < 0.0 || den < 0.0 {
        return Err(format!(
            "has num {num} and den {den}; expected finite, non-negative counts"
        ));
    }
    if kind == Kind::Share && num > den {
        return Err(format!("has num {num} above den {den}"));
    }
    // A zero denominator (no 25-year-olds in the cell) is simply not evaluable, not an error.
    Ok((den > 0.0).then_some((num, den)))
}

/// Screens every unit against the spec and draws the designated areas.
///
/// `state_listed` holds the ids of units that lie inside housing areas on the state's lists.
/// `neighbours` says which units touch. The result is deterministic: units are sorted by id and
/// every component is built in that order.
pub fn screen(
    spec: &Spec,
    units: &[Unit],
    neighbours: &Neighbours,
    state_listed: &BTreeSet<String>,
    options: &Options,
) -> Screening {
    let mut notes = Vec::new();
    // Sort by id and drop duplicates (the first wins) so the result never depends on input order.
    let mut order: Vec<&Unit> = units.iter().collect();
    order.sort_by(|a, b| a.id.cmp(&b.id));
    let mut units: Vec<&Unit> = Vec::with_capacity(order.len());
    for u in order {
        if units.last().is_some_and(|p| p.id == u.id) {
            notes.push(format!(
                "unit '{}' appears more than once; the first is used",
                u.id
            ));
        } else {
            units.push(u);
        }
    }
    let criteria = spec.active_criteria(options.without_origin);

    // Valid (num, den) per criterion and unit.
    let mut values: Vec<Vec<Option<(f64, f64)>>> = Vec::with_capacity(criteria.len());
    for c in &criteria {
        let kind = indicator::indicator(&c.indicator).map_or(Kind::Share, |i| i.kind);
        let mut bad = 0usize;
        let mut first = None;
        let v: Vec<Option<(f64, f64)>> = units
            .iter()
            .map(|u| match valid(u.indicators.get(&c.indicator), kind) {
                Ok(v) => v,
                Err(e) => {
                    bad += 1;
                    first.get_or_insert_with(|| format!("unit '{}': {} {e}", u.id, c.indicator));
                    None
                }
            })
            .collect();
        if let Some(first) = first {
            notes.push(format!(
                "{bad} unit(s) have an invalid {} and are treated as not evaluable; the first: {first}",
                c.indicator
            ));
        }
        values.push(v);
    }

    // District priors per share indicator (computed even when designating on raw values, so the
    // two can be shown side by side).
    let mut priors: BTreeMap<String, Prior> = BTreeMap::new();
    for (ci, c) in criteria.iter().enumerate() {
        if indicator::indicator(&c.indicator).map(|i| i.kind) != Some(Kind::Share) {
            continue;
        }
        let mut by_district: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
        for (ui, u) in units.iter().enumerate() {
            if let Some(p) = values[ci][ui] {
                by_district.entry(&u.district).or_default().push(p);
            }
        }
        for (district, pairs) in by_district {
            let key = format!("{district}/{}", c.indicator);
            if priors.contains_key(&key) {
                continue;
            }
            if let Some(p) = stats::beta_binomial_prior(&pairs) {
                priors.insert(key, p);
            }
        }
    }

    // City averages and the spread used by z-scores.
    let mut ctxs: Vec<Ctx<'_>> = Vec::with_capacity(criteria.len());
    let mut city = Vec::with_capacity(criteria.len());
    for (ci, c) in criteria.iter().enumerate() {
        let kind = indicator::indicator(&c.indicator).map_or(Kind::Share, |i| i.kind);
        let (mut n, mut d, mut k) = (0.0, 0.0, 0usize);
        for (num, den) in values[ci].iter().flatten() {
            n += num;
            d += den;
            k += 1;
        }
        let mut ctx = Ctx {
            c,
            kind,
            n,
            d,
            sd: None,
            level: options.level,
        };
        if let Some(cv) = ctx.city() {
            let (mut ss, mut w) = (0.0, 0.0);
            for (ui, u) in units.iter().enumerate() {
                if let Some((num, den)) = values[ci][ui] {
                    let x = basis_value(&ctx, &priors, &u.district, num, den, options).f();
                    ss += den * (x - cv).powi(2);
                    w += den;
                }
            }
            ctx.sd = (w > 0.0).then(|| (ss / w).sqrt());
        }
        city.push(CityValue {
            criterion: c.id.clone(),
            indicator: c.indicator.clone(),
            num: n,
            den: d,
            value: ctx.city(),
            sd: ctx.sd,
            units: k,
        });
        ctxs.push(ctx);
    }

    // Each unit against each criterion.
    let mut results: Vec<UnitResult> = Vec::with_capacity(units.len());
    for (ui, u) in units.iter().enumerate() {
        let per: Vec<(CriterionResult, Option<Val>)> = ctxs
            .iter()
            .enumerate()
            .map(|(ci, ctx)| {
                let prior = priors.get(&format!("{}/{}", u.district, ctx.c.indicator));
                criterion_result(ctx, values[ci][ui], prior, options)
            })
            .collect();
        let q = qualify(spec, &ctxs, &per);
        let index = time::vulnerability_index_of(criteria.iter().zip(&per).map(|(c, (r, _))| {
            (
                *c,
                r.raw.as_ref().zip(r.city).map(|(e, city)| GapPoint {
                    value: e.value,
                    city,
                }),
            )
        }))
        .map(|i| i.value);
        results.push(UnitResult {
            id: u.id.clone(),
            district: u.district.clone(),
            cell: u.cell,
            population: u.population,
            suppressed: u.population < spec.unit.min_unit_population,
            met: q.met,
            evaluable: q.evaluable,
            score: q.score,
            score_bounds: q.bounds,
            qualifies: q.qualifies,
            undetermined: q.undetermined,
            fragile: q.fragile,
            near_miss: q.near_miss,
            state_listed: state_listed.contains(&u.id),
            inclusion: None,
            component: None,
            designated: false,
            index,
            criteria: per.into_iter().map(|(r, _)| r).collect(),
        });
    }

    // Adjacency.
    let adjacency = adjacency(&units, neighbours, &mut notes);

    // Seeds: qualifying units, and state-listed ones when the spec includes them.
    let include_listed = spec.designation.include_state_listed;
    let mut included: Vec<Option<Inclusion>> = results
        .iter()
        .map(|r| {
            if r.qualifies {
                Some(Inclusion::Qualifies)
            } else if include_listed && r.state_listed {
                Some(Inclusion::StateListed)
            } else {
                None
            }
        })
        .collect();
    let seed_components = components(&adjacency, &included);
    if spec.designation.fill_single_holes {
        let mut holes = Vec::new();
        for (ui, inc) in included.iter().enumerate() {
            if inc.is_some() {
                continue;
            }
            let around = hole_ring(&units, ui, neighbours, &adjacency);
            let Some(around) = around else { continue };
            let comps: BTreeSet<Option<usize>> =
                around.iter().map(|&j| seed_components[j]).collect();
            if comps.len() == 1 && comps.iter().next().is_some_and(|c| c.is_some()) {
                holes.push(ui);
            }
        }
        for ui in holes {
            included[ui] = Some(Inclusion::FilledHole);
        }
    }
    let comp_of = components(&adjacency, &included);

    // Components to areas.
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (ui, c) in comp_of.iter().enumerate() {
        if let Some(c) = c {
            members.entry(*c).or_default().push(ui);
        }
    }
    let mut areas = Vec::new();
    let mut rejected = Vec::new();
    for (_, idx) in members {
        let population: u64 = idx.iter().map(|&i| units[i].population).sum();
        let listed: Vec<String> = idx
            .iter()
            .filter(|&&i| results[i].state_listed)
            .map(|&i| units[i].id.clone())
            .collect();
        let min = spec.designation.min_area_population;
        let reason = if population >= min {
            AreaReason::MinPopulation
        } else if include_listed && !listed.is_empty() {
            AreaReason::StateListed
        } else {
            AreaReason::BelowMinimum {
                population,
                minimum: min,
            }
        };
        let designated = !matches!(reason, AreaReason::BelowMinimum { .. });
        // Units are sorted by id, so the first member is the smallest id.
        let id = format!("area-{}", units[idx[0]].id);
        for &i in &idx {
            results[i].inclusion = included[i];
            results[i].component = Some(id.clone());
            results[i].designated = designated;
        }
        let fragile: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| results[i].fragile)
            .collect();
        let mut area = Area {
            id,
            designated,
            reason,
            units: idx.iter().map(|&i| units[i].id.clone()).collect(),
            districts: idx
                .iter()
                .map(|&i| units[i].district.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            population,
            suppressed: population < spec.unit.min_unit_population,
            state_listed_units: listed,
            filled_holes: idx
                .iter()
                .filter(|&&i| included[i] == Some(Inclusion::FilledHole))
                .map(|&i| units[i].id.clone())
                .collect(),
            fragile_population: fragile.iter().map(|&i| units[i].population).sum(),
            fragile_units: fragile.iter().map(|&i| units[i].id.clone()).collect(),
            criteria: Vec::new(),
            met: 0,
            qualifies_as_whole: false,
            index: None,
        };
        area_criteria(spec, &criteria, &ctxs, &values, &idx, &mut area);
        if designated {
            areas.push(area);
        } else {
            rejected.push(area);
        }
    }
    areas.sort_by(|a, b| a.id.cmp(&b.id));
    rejected.sort_by(|a, b| a.id.cmp(&b.id));

    Screening {
        spec: spec.id.clone(),
        options: *options,
        defaults: spec.defaults(),
        city,
        priors,
        units: results,
        areas,
        rejected,
        notes,
    }
}

/// The value designation rests on.
fn basis_value(
    ctx: &Ctx<'_>,
    priors: &BTreeMap<String, Prior>,
    district: &str,
    num: f64,
    den: f64,
    options: &Options,
) -> Val {
    if options.designate_on == Values::Shrunk
        && ctx.kind == Kind::Share
        && let Some(p) = priors.get(&format!("{district}/{}", ctx.c.indicator))
        && p.strength > 0.0
    {
        return Val::Float((num + p.strength * p.mean) / (den + p.strength));
    }
    Val::Counts(num, den)
}

fn criterion_result(
    ctx: &Ctx<'_>,
    value: Option<(f64, f64)>,
    prior: Option<&Prior>,
    options: &Options,
) -> (CriterionResult, Option<Val>) {
    let c = ctx.c;
    let city = ctx.city();
    let mut r = CriterionResult {
        criterion: c.id.clone(),
        indicator: c.indicator.clone(),
        kvarter_default: c.kvarter_default,
        raw: None,
        shrunk: None,
        city,
        gap: None,
        comparison: None,
        value_threshold: ctx.value_threshold(),
        met: None,
        certainty: Certainty::NoInterval,
    };
    let Some((num, den)) = value else {
        return (r, None);
    };
    let raw = ctx.raw_estimate(num, den);
    let shrunk = match prior {
        Some(p) if ctx.kind == Kind::Share => Some(ctx.shrunk_estimate(num, den, p)),
        _ => None,
    };
    let on_shrunk = options.designate_on == Values::Shrunk && shrunk.is_some();
    let v = if on_shrunk {
        Val::Float(shrunk.as_ref().map_or(raw.value, |s| s.value))
    } else {
        Val::Counts(num, den)
    };
    let cmp = ctx.comparison(v);
    r.gap = city.map(|cv| raw.value - cv);
    r.comparison = cmp.and_then(|d| d.to_f64());
    r.met = cmp.map(|d| c.operator.holds(d, c.threshold));
    let basis = if on_shrunk {
        shrunk.as_ref()
    } else {
        Some(&raw)
    };
    r.certainty = match (basis.and_then(|e| e.interval), r.value_threshold) {
        (Some(i), Some(t)) if i.contains(t) => Certainty::WithinInterval,
        (Some(_), Some(_)) => Certainty::Clear,
        _ => Certainty::NoInterval,
    };
    r.raw = Some(raw);
    r.shrunk = shrunk;
    (r, Some(v))
}

struct Qual {
    met: usize,
    evaluable: usize,
    score: Option<f64>,
    bounds: Option<Interval>,
    qualifies: bool,
    undetermined: bool,
    fragile: bool,
    near_miss: bool,
}

fn qualify(spec: &Spec, ctxs: &[Ctx<'_>], per: &[(CriterionResult, Option<Val>)]) -> Qual {
    let met = per.iter().filter(|(r, _)| r.met == Some(true)).count();
    let evaluable = per.iter().filter(|(r, _)| r.met.is_some()).count();
    let missing = per.len() - evaluable;
    match &spec.designation.qualify {
        Qualify::KOfN { k } => {
            let k = *k;
            let sure = per
                .iter()
                .filter(|(r, _)| r.met == Some(true) && r.certainty != Certainty::WithinInterval)
                .count();
            let possible = per
                .iter()
                .filter(|(r, _)| {
                    r.met == Some(true)
                        || (r.met == Some(false) && r.certainty == Certainty::WithinInterval)
                })
                .count();
            let qualifies = met >= k;
            Qual {
                met,
                evaluable,
                score: None,
                bounds: None,
                qualifies,
                undetermined: !qualifies && met + missing >= k,
                fragile: qualifies && sure < k,
                near_miss: !qualifies && possible >= k,
            }
        }
        Qualify::Composite {
            score,
            operator,
            cutoff,
        } => {
            // The weighted mean over the criteria that can be evaluated; a missing criterion is
            // left out (and flagged `undetermined`), because a small cell with no 25-year-olds
            // should not be scored as if it had none out of none.
            let (mut sum, mut w) = (Decimal::ZERO, Decimal::ZERO);
            let (mut lo, mut hi, mut wf) = (0.0, 0.0, 0.0);
            for (ctx, (r, v)) in ctxs.iter().zip(per) {
                let Some(v) = v else { continue };
                let Some(s) = ctx.oriented_dec(*score, *v) else {
                    continue;
                };
                let Some(sd) = s.checked_mul(ctx.c.weight) else {
                    continue;
                };
                sum += sd;
                w += ctx.c.weight;
                let wt = ctx.c.weight.to_f64().unwrap_or(1.0);
                let point = s.to_f64().unwrap_or(f64::NAN);
                let basis = if r.shrunk.is_some() && matches!(v, Val::Float(_)) {
                    r.shrunk.as_ref()
                } else {
                    r.raw.as_ref()
                };
                let (a, b) = match basis.and_then(|e| e.interval) {
                    Some(i) => {
                        let a = ctx.oriented(*score, i.low).unwrap_or(point);
                        let b = ctx.oriented(*score, i.high).unwrap_or(point);
                        (a.min(b), a.max(b))
                    }
                    None => (point, point),
                };
                lo += wt * a;
                hi += wt * b;
                wf += wt;
            }
            let value = if w.is_zero() {
                None
            } else {
                sum.checked_div(w)
            };
            let qualifies = value.is_some_and(|s| operator.holds(s, *cutoff));
            let bounds = (wf > 0.0).then(|| Interval {
                low: lo / wf,
                high: hi / wf,
            });
            let holds = |x: f64| dec(x).is_some_and(|d| operator.holds(d, *cutoff));
            Qual {
                met,
                evaluable,
                score: value.and_then(|d| d.to_f64()),
                bounds,
                qualifies,
                undetermined: missing > 0,
                fragile: qualifies && bounds.is_some_and(|b| !holds(b.low)),
                near_miss: !qualifies && bounds.is_some_and(|b| holds(b.high)),
            }
        }
    }
}

fn adjacency(units: &[&Unit], neighbours: &Neighbours, notes: &mut Vec<String>) -> Vec<Vec<usize>> {
    let mut adj = vec![Vec::new(); units.len()];
    match neighbours {
        Neighbours::Grid { diagonal } => {
            let mut at: HashMap<(i64, i64), usize> = HashMap::new();
            let mut no_cell = 0usize;
            for (i, u) in units.iter().enumerate() {
                match u.cell {
                    Some(c) => {
                        if let Some(prev) = at.insert(c, i) {
                            notes.push(format!(
                                "units '{}' and '{}' have the same cell {c:?}",
                                units[prev].id, u.id
                            ));
                        }
                    }
                    None => no_cell += 1,
                }
            }
            if no_cell > 0 {
                notes.push(format!(
                    "{no_cell} unit(s) have no grid cell and therefore no neighbours"
                ));
            }
            for (i, u) in units.iter().enumerate() {
                let Some((x, y)) = u.cell else { continue };
                for dx in -1..=1_i64 {
                    for dy in -1..=1_i64 {
                        if (dx, dy) == (0, 0) || (!diagonal && dx != 0 && dy != 0) {
                            continue;
                        }
                        if let Some(&j) = at.get(&(x + dx, y + dy))
                            && j != i
                        {
                            adj[i].push(j);
                        }
                    }
                }
            }
        }
        Neighbours::Explicit(map) => {
            let index: HashMap<&str, usize> = units
                .iter()
                .enumerate()
                .map(|(i, u)| (u.id.as_str(), i))
                .collect();
            let mut unknown = BTreeSet::new();
            for (a, bs) in map {
                let Some(&i) = index.get(a.as_str()) else {
                    unknown.insert(a.clone());
                    continue;
                };
                for b in bs {
                    match index.get(b.as_str()) {
                        Some(&j) if j != i => {
                            adj[i].push(j);
                            adj[j].push(i);
                        }
                        Some(_) => {}
                        None => {
                            unknown.insert(b.clone());
                        }
                    }
                }
            }
            if !unknown.is_empty() {
                let v: Vec<String> = unknown.into_iter().take(5).collect();
                notes.push(format!(
                    "the adjacency list names units that are not screened (ignored), e.g. {}",
                    v.join(", ")
                ));
            }
        }
    }
    for a in &mut adj {
        a.sort_unstable();
        a.dedup();
    }
    adj
}

/// The units that must all be included for unit `ui` to be a single hole, or `None` when it
/// cannot be one. Grid: its four edge neighbours, which must all exist (a cell on the edge of
/// the populated city is not surrounded). Polygons: all its neighbours, at least three of them
/// (with two, filling would bridge a corridor rather than a hole).
fn hole_ring(
    units: &[&Unit],
    ui: usize,
    neighbours: &Neighbours,
    adj: &[Vec<usize>],
) -> Option<Vec<usize>> {
    match neighbours {
        Neighbours::Grid { .. } => {
            let (x, y) = units[ui].cell?;
            let mut ring = Vec::with_capacity(4);
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                let j = adj[ui]
                    .iter()
                    .copied()
                    .find(|&j| units[j].cell == Some((x + dx, y + dy)))?;
                ring.push(j);
            }
            Some(ring)
        }
        Neighbours::Explicit(_) => (adj[ui].len() >= 3).then(|| adj[ui].clone()),
    }
}

/// Connected components of the included units, numbered in order of their smallest unit.
fn components(adj: &[Vec<usize>], included: &[Option<Inclusion>]) -> Vec<Option<usize>> {
    let mut comp = vec![None; adj.len()];
    let mut next = 0;
    for start in 0..adj.len() {
        if included[start].is_none() || comp[start].is_some() {
            continue;
        }
        comp[start] = Some(next);
        let mut queue = VecDeque::from([start]);
        while let Some(i) = queue.pop_front() {
            for &j in &adj[i] {
                if included[j].is_some() && comp[j].is_none() {
                    comp[j] = Some(next);
                    queue.push_back(j);
                }
            }
        }
        next += 1;
    }
    comp
}

/// Every criterion for an area as a whole: the counts of its units summed.
fn area_criteria(
    spec: &Spec,
    criteria: &[&Criterion],
    ctxs: &[Ctx<'_>],
    values: &[Vec<Option<(f64, f64)>>],
    idx: &[usize],
    area: &mut Area,
) {
    let mut per = Vec::with_capacity(ctxs.len());
    for (ci, ctx) in ctxs.iter().enumerate() {
        let (mut n, mut d, mut any) = (0.0, 0.0, false);
        for &i in idx {
            if let Some((a, b)) = values[ci][i] {
                n += a;
                d += b;
                any = true;
            }
        }
        let v = (any && d > 0.0).then_some((n, d));
        // Areas are large enough that shrinkage has nothing to add; they use raw counts.
        per.push(criterion_result(
            ctx,
            v,
            None,
            &Options {
                designate_on: Values::Raw,
                ..Options::default()
            },
        ));
    }
    let q = qualify(spec, ctxs, &per);
    area.met = q.met;
    area.qualifies_as_whole = q.qualifies;
    area.index = time::vulnerability_index_of(criteria.iter().zip(&per).map(|(c, (r, _))| {
        (
            *c,
            r.raw.as_ref().zip(r.city).map(|(e, city)| GapPoint {
                value: e.value,
                city,
            }),
        )
    }))
    .map(|i| i.value);
    area.criteria = per.into_iter().map(|(r, _)| r).collect();
}
