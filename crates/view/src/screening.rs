//! The municipality's screening as it may be published: what `/screening` and
//! `/api/screenings/{spec}/{year}` show, built from the store's typed rows
//! ([`crate::rows::ScreeningRun`]) with rule 6 of `docs/DISCLOSURE.md` applied.
//!
//! In the order [`build`] applies them:
//!
//! 1. **Units and components under the spec's minimum population** are not in the store (only
//!    their count); a designated area marked `suppressed` (under that minimum) has every figure
//!    that rests on its persons suppressed.
//! 2. **Primary**: a population, a numerator or a denominator under the minimum count is
//!    suppressed, zero included, and every figure of its estimate with it (the share, its
//!    interval, the probability of meeting the threshold, the weight on the district, the
//!    shrunk value, the gap and the comparison: each gives the numerator back with the
//!    denominator).
//! 3. **Nested groups** within a unit or an area: when two shown group sizes of which one
//!    contains the other (residents ⊇ adults ⊇ persons 18–64 ⊇ persons 30–59, …) differ by less
//!    than the minimum, the smaller one is suppressed, until no such pair is left.
//! 4. **Totals minus parts**: a designated area's population, and each of its criteria's
//!    numerator and denominator, minus the same figure of its shown units, must not leave a
//!    small count (0 < residual < minimum); if it would, the smallest shown unit's figure is
//!    suppressed as well, until it does not. The city's numerators and denominators are held
//!    against every shown unit the same way. An area's fragile population is suppressed when it
//!    minus its shown fragile units, or its population minus it, leaves a small count.
//! 5. **Derived figures follow**: a unit's or area's vulnerability index and composite score
//!    (means over its criteria, from which a hidden criterion could be solved) are suppressed
//!    when any of its estimates is; the residents of all designated areas together are
//!    suppressed when any area's population is.
//!
//! Thresholds on the indicator's scale, city values and standard deviations rest on the whole
//! city and are public; whether a criterion is met is an inequality, not a count, and is shown.

use crate::disclosure::{Policy, Published};
use crate::rows::{
    EstimateRow, ListedEstate, ScreeningAreaRow, ScreeningCityRow, ScreeningCriterionRow,
    ScreeningRun, ScreeningUnitRow,
};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::str::FromStr;

/// An exact decimal from the store's text (plain or scientific notation).
fn dec(s: &str) -> Option<Decimal> {
    Decimal::from_str(s)
        .or_else(|_| Decimal::from_scientific(s))
        .ok()
}

fn dec_opt(s: &Option<String>) -> Option<Decimal> {
    s.as_deref().and_then(dec)
}

/// The group of persons an indicator's denominator counts, for the nested-groups rule.
/// `None` for indicators whose denominator is not a group of the unit's persons (survey
/// respondents and the electorate apportioned by population).
pub fn group_of(indicator: &str) -> Option<&'static str> {
    Some(match indicator {
        "non_western_share" | "installation_deficiency_share" => RESIDENTS,
        "small_dwelling_share" | "crowded_share" | "m2_per_resident" => "known_dwelling",
        "low_income_share" | "poor_health_share" => "18+",
        "outside_labour_share" => "18-64",
        "basic_education_share" => "30-59",
        "no_youth_education_at_25_share" => "25",
        "child_poverty_share" => "0-17",
        _ => return None,
    })
}

/// A unit's or area's residents, as a group.
pub const RESIDENTS: &str = "residents";

/// Groups of which the first contains the second.
pub const NESTED: &[(&str, &str)] = &[
    (RESIDENTS, "known_dwelling"),
    (RESIDENTS, "18+"),
    (RESIDENTS, "18-64"),
    (RESIDENTS, "30-59"),
    (RESIDENTS, "25"),
    (RESIDENTS, "0-17"),
    ("18+", "18-64"),
    ("18+", "30-59"),
    ("18+", "25"),
    ("18-64", "30-59"),
    ("18-64", "25"),
];

/// An interval `[low, high]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interval {
    /// The lower end.
    pub low: Decimal,
    /// The upper end.
    pub high: Decimal,
}

/// One estimate of a share after the policy: all shown, or all suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// The value (num / den).
    pub value: Published<Decimal>,
    /// The numerator.
    pub num: Published<Decimal>,
    /// The denominator.
    pub den: Published<Decimal>,
    /// Its interval.
    pub interval: Published<Interval>,
    /// The probability of meeting the threshold.
    pub p_meets: Published<Decimal>,
    /// The weight on the district.
    pub weight_on_district: Published<Decimal>,
}

/// One criterion of a unit or area after the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// The criterion's id.
    pub criterion: String,
    /// Its indicator.
    pub indicator: String,
    /// Its threshold is kvarter's default.
    pub kvarter_default: bool,
    /// The raw estimate (`None`: not evaluable).
    pub raw: Option<Estimate>,
    /// The shrunk estimate (`None`: not shrunk).
    pub shrunk: Option<Estimate>,
    /// The city value (public).
    pub city: Option<Decimal>,
    /// value − city.
    pub gap: Published<Decimal>,
    /// The comparison value.
    pub comparison: Published<Decimal>,
    /// The threshold on the indicator's scale (public).
    pub value_threshold: Option<Decimal>,
    /// Met (`None`: not evaluable).
    pub met: Option<bool>,
    /// `clear`, `within_interval` or `no_interval`.
    pub certainty: String,
}

/// Why an area is designated, as `{"reason": "min_population"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// `min_population` or `state_listed`.
    pub reason: String,
}

/// A designated area after the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    /// Id: stable across designation rounds (an area continuing one of the round before keeps
    /// its id).
    pub id: String,
    /// Its name (the id when the store holds none).
    pub name: String,
    /// Where the name came from: `derived`, `earlier round` or `names file`.
    pub name_from: String,
    /// The state-listed estates it includes automatically, with their lists.
    pub listed_estates: Vec<ListedEstate>,
    /// Always true: only designated areas are served.
    pub designated: bool,
    /// Why it is designated.
    pub reason: Reason,
    /// Its units' ids.
    pub units: Vec<String>,
    /// The districts it touches.
    pub districts: Vec<String>,
    /// Residents.
    pub population: Published<u64>,
    /// Under the spec's minimum population (then none of its figures is shown).
    pub suppressed: bool,
    /// Its units in state-listed areas.
    pub state_listed_units: Vec<String>,
    /// Its filled single holes.
    pub filled_holes: Vec<String>,
    /// Its fragile units.
    pub fragile_units: Vec<String>,
    /// Residents of its fragile units.
    pub fragile_population: Published<u64>,
    /// Its criteria for the area as a whole.
    pub criteria: Vec<Criterion>,
    /// Criteria met.
    pub met: u32,
    /// The area as a whole meets the rule.
    pub qualifies_as_whole: bool,
    /// The vulnerability index.
    pub index: Published<Decimal>,
    /// Its outline (GeoJSON geometry, EPSG:25832), for the map; not a figure.
    #[serde(skip)]
    pub geometry: Option<String>,
}

/// A publishable unit after the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// Id.
    pub id: String,
    /// Its district.
    pub district: String,
    /// The grid cell (column, row).
    pub cell: Option<(i64, i64)>,
    /// Residents.
    pub population: Published<u64>,
    /// Always false: units under the spec's minimum are never served.
    pub suppressed: bool,
    /// Its criteria.
    pub criteria: Vec<Criterion>,
    /// Criteria met.
    pub met: u32,
    /// Criteria evaluable.
    pub evaluable: u32,
    /// The composite score.
    pub score: Published<Decimal>,
    /// The composite score's bounds.
    pub score_bounds: Published<Interval>,
    /// Meets the qualification rule.
    pub qualifies: bool,
    /// Missing criteria could have made it qualify.
    pub undetermined: bool,
    /// Fragile.
    pub fragile: bool,
    /// A near miss.
    pub near_miss: bool,
    /// In a state-listed area.
    pub state_listed: bool,
    /// How it came into a component.
    pub inclusion: Option<String>,
    /// The component (area id) it belongs to.
    pub component: Option<String>,
    /// That component is designated.
    pub designated: bool,
    /// The vulnerability index.
    pub index: Published<Decimal>,
    /// Its outline (GeoJSON geometry, EPSG:25832), for the map; not a figure.
    #[serde(skip)]
    pub geometry: Option<String>,
}

/// The city value of a criterion after the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct City {
    /// The criterion.
    pub criterion: String,
    /// Its indicator.
    pub indicator: String,
    /// Σ numerators.
    pub num: Published<Decimal>,
    /// Σ denominators.
    pub den: Published<Decimal>,
    /// num / den.
    pub value: Published<Decimal>,
    /// The standard deviation of unit values (public).
    pub sd: Option<Decimal>,
    /// Units with the indicator.
    pub units: u64,
}

/// The screening's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Options {
    /// `raw` or `shrunk`.
    pub designate_on: String,
    /// Origin switched off.
    pub without_origin: bool,
    /// The intervals' level.
    pub level: Option<Decimal>,
}

/// A screening as every face shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Screening {
    /// The spec.
    pub spec: String,
    /// The screening year.
    pub year: i32,
    /// The data year.
    pub data_year: i32,
    /// The municipality.
    pub municipality: String,
    /// The cell size in metres (0: polygons).
    pub cell_size_m: u32,
    /// The options.
    pub options: Options,
    /// kvarter's defaults: (item, reasoning).
    pub kvarter_defaults: Vec<(String, String)>,
    /// The city values.
    pub city: Vec<City>,
    /// The designated areas.
    pub designated_areas: Vec<Area>,
    /// Residents of all designated areas together.
    pub designated_population: Published<u64>,
    /// How many contiguous groups were too small to be designated (a count only).
    pub components_below_minimum: u64,
    /// State-listed areas: id → lists.
    pub state_listed_areas: BTreeMap<String, Vec<String>>,
    /// The publishable units.
    pub cells: Vec<Unit>,
    /// How many units were under the spec's minimum population.
    pub cells_suppressed: u64,
    /// The notes.
    pub notes: Vec<String>,
    /// The minimum count the figures were held against.
    pub min_count: u64,
    /// This designation round against the round before it, when the store holds one.
    pub previous_round: Option<RoundChange>,
}

/// A designated area by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// Its stable id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// An area whose boundary changed between two rounds: units, not persons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The area in this round.
    pub area: Named,
    /// The area it continues in the round before (another id after a split or a merger).
    pub before: Named,
    /// Units it gained.
    pub units_gained: u64,
    /// Units it lost.
    pub units_lost: u64,
}

/// What changed from one designation round to the next (compared by shared units, as
/// `kvarter_screen::compare_areas` does with its default overlap).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundChange {
    /// The round before.
    pub previous_year: i32,
    /// Designated areas in the round before.
    pub previous_areas: u64,
    /// Areas of this round continuing none of the round before.
    pub entered: Vec<Named>,
    /// Areas of the round before that no area of this round continues.
    pub left: Vec<Named>,
    /// Areas continuing one of the round before with another boundary (a split or a merger
    /// gives one row per pair).
    pub changed: Vec<Changed>,
    /// Areas continuing one of the round before on exactly the same units.
    pub unchanged: Vec<Named>,
}

/// Compares a designation round with the round before (same spec, same view).
pub fn compare_rounds(before: &ScreeningRun, after: &ScreeningRun) -> RoundChange {
    let areas = |r: &ScreeningRun| -> Vec<(String, Vec<String>)> {
        r.areas
            .iter()
            .map(|a| (a.id.clone(), a.units.clone()))
            .collect()
    };
    let named = |r: &ScreeningRun, id: &str| Named {
        id: id.to_string(),
        name: r
            .areas
            .iter()
            .find(|a| a.id == id)
            .map(area_name)
            .unwrap_or_else(|| id.to_string()),
    };
    let revision = kvarter_screen::compare_areas(
        &areas(before),
        &areas(after),
        kvarter_screen::rounds::MIN_OVERLAP,
    );
    let units = |r: &ScreeningRun, id: &str| -> std::collections::BTreeSet<String> {
        r.areas
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.units.iter().cloned().collect())
            .unwrap_or_default()
    };
    let mut changed = Vec::new();
    let mut unchanged = Vec::new();
    for c in &revision.continued {
        let (b, a) = (units(before, &c.before), units(after, &c.after));
        if a == b {
            unchanged.push(named(after, &c.after));
        } else {
            changed.push(Changed {
                area: named(after, &c.after),
                before: named(before, &c.before),
                units_gained: a.difference(&b).count() as u64,
                units_lost: b.difference(&a).count() as u64,
            });
        }
    }
    RoundChange {
        previous_year: before.year,
        previous_areas: before.areas.len() as u64,
        entered: revision.entered.iter().map(|id| named(after, id)).collect(),
        left: revision.left.iter().map(|id| named(before, id)).collect(),
        changed,
        unchanged,
    }
}

/// A stored area's name, or its id when the store holds none.
fn area_name(a: &ScreeningAreaRow) -> String {
    if a.name.is_empty() {
        a.id.clone()
    } else {
        a.name.clone()
    }
}

/// What is hidden of one unit or area while the rules run.
#[derive(Debug, Clone, Default)]
struct Hidden {
    population: bool,
    /// Per criterion (in the row's order): the whole estimate is hidden.
    criteria: Vec<bool>,
}

/// A residual is compared after rounding: sums of binary floating-point counts leave
/// differences like 1e-13 where the counts agree.
fn residual(total: Decimal, parts: Decimal) -> Decimal {
    (total - parts).round_dp(6)
}

fn small_residual(policy: &Policy, r: Decimal) -> bool {
    r > Decimal::ZERO && policy.is_small(r)
}

fn primary_criteria(policy: &Policy, criteria: &[ScreeningCriterionRow]) -> Vec<bool> {
    criteria
        .iter()
        .map(|c| match &c.raw {
            Some(e) => {
                let small = |s: &str| dec(s).is_none_or(|x| policy.is_small(x));
                small(&e.num) || small(&e.den)
            }
            None => false,
        })
        .collect()
}

/// Rule 3 on one unit or area: suppress the smaller of two nested groups that differ by less
/// than the minimum, until no such pair is left.
fn nested(policy: &Policy, population: u64, criteria: &[ScreeningCriterionRow], h: &mut Hidden) {
    loop {
        // The shown size of each group: (group, size, which criterion or None for residents).
        let mut groups: Vec<(&str, Decimal, Option<usize>)> = Vec::new();
        if !h.population {
            groups.push((RESIDENTS, Decimal::from(population), None));
        }
        for (i, c) in criteria.iter().enumerate() {
            if h.criteria[i] {
                continue;
            }
            let (Some(g), Some(den)) = (
                group_of(&c.indicator),
                c.raw.as_ref().and_then(|e| dec(&e.den)),
            ) else {
                continue;
            };
            groups.push((g, den, Some(i)));
        }
        let mut hide = None;
        'pairs: for (outer, inner) in NESTED {
            for (_, so, _) in groups.iter().filter(|g| g.0 == *outer) {
                for (_, si, which) in groups.iter().filter(|g| g.0 == *inner) {
                    if small_residual(policy, residual(*so, *si)) {
                        hide = Some(*which);
                        break 'pairs;
                    }
                }
            }
        }
        match hide {
            Some(Some(i)) => h.criteria[i] = true,
            Some(None) => h.population = true,
            None => return,
        }
    }
}

/// Rule 4 for one total: while it minus its shown parts leaves a small count, hide the
/// smallest shown part. `parts` are (figure, whether hidden) pairs the caller maps back.
fn margin(policy: &Policy, total: Decimal, parts: &mut [(Decimal, bool)]) {
    loop {
        let shown: Decimal = parts.iter().filter(|p| !p.1).map(|p| p.0).sum();
        if !small_residual(policy, residual(total, shown)) {
            return;
        }
        let Some(smallest) = parts
            .iter_mut()
            .filter(|p| !p.1)
            .min_by(|a, b| a.0.cmp(&b.0))
        else {
            return;
        };
        smallest.1 = true;
    }
}

fn estimate(policy: &Policy, e: &EstimateRow, hidden: bool) -> Estimate {
    let shown = |s: &str| policy.checked(dec(s), !hidden);
    let interval = match (dec_opt(&e.low), dec_opt(&e.high)) {
        (Some(low), Some(high)) => Some(Interval { low, high }),
        _ => None,
    };
    Estimate {
        value: shown(&e.value),
        num: shown(&e.num),
        den: shown(&e.den),
        interval: policy.checked(interval, !hidden),
        p_meets: policy.checked(dec_opt(&e.p_meets), !hidden),
        weight_on_district: shown(&e.weight_on_district),
    }
}

fn criteria(policy: &Policy, rows: &[ScreeningCriterionRow], hidden: &[bool]) -> Vec<Criterion> {
    rows.iter()
        .zip(hidden)
        .map(|(c, &h)| Criterion {
            criterion: c.criterion.clone(),
            indicator: c.indicator.clone(),
            kvarter_default: c.kvarter_default,
            raw: c.raw.as_ref().map(|e| estimate(policy, e, h)),
            shrunk: c.shrunk.as_ref().map(|e| estimate(policy, e, h)),
            city: dec_opt(&c.city),
            gap: policy.checked(dec_opt(&c.gap), !h),
            comparison: policy.checked(dec_opt(&c.comparison), !h),
            value_threshold: dec_opt(&c.value_threshold),
            met: c.met,
            certainty: c.certainty.clone(),
        })
        .collect()
}

fn raw_figure(c: &ScreeningCriterionRow, den: bool) -> Option<Decimal> {
    c.raw
        .as_ref()
        .and_then(|e| dec(if den { &e.den } else { &e.num }))
}

/// Builds the screening's view from the store's rows, applying rule 6 of the disclosure policy.
pub fn build(policy: &Policy, run: &ScreeningRun, previous: Option<&ScreeningRun>) -> Screening {
    // 1 and 2: primary.
    let mut units: Vec<Hidden> = run
        .units
        .iter()
        .map(|u| Hidden {
            population: policy.is_small(Decimal::from(u.population)),
            criteria: primary_criteria(policy, &u.criteria),
        })
        .collect();
    let mut areas: Vec<Hidden> = run
        .areas
        .iter()
        .map(|a| {
            if a.suppressed {
                Hidden {
                    population: true,
                    criteria: vec![true; a.criteria.len()],
                }
            } else {
                Hidden {
                    population: policy.is_small(Decimal::from(a.population)),
                    criteria: primary_criteria(policy, &a.criteria),
                }
            }
        })
        .collect();
    // 3: nested groups.
    for (u, h) in run.units.iter().zip(units.iter_mut()) {
        nested(policy, u.population, &u.criteria, h);
    }
    for (a, h) in run.areas.iter().zip(areas.iter_mut()) {
        nested(policy, a.population, &a.criteria, h);
    }
    // 4: totals minus parts, per designated area, then over the city.
    for (a, ah) in run.areas.iter().zip(&areas) {
        let members: Vec<usize> = run
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.component.as_deref() == Some(a.id.as_str()))
            .map(|(i, _)| i)
            .collect();
        if !ah.population {
            let mut parts: Vec<(Decimal, bool)> = members
                .iter()
                .map(|&i| (Decimal::from(run.units[i].population), units[i].population))
                .collect();
            margin(policy, Decimal::from(a.population), &mut parts);
            for (&i, p) in members.iter().zip(&parts) {
                units[i].population = p.1;
            }
        }
        for (ci, c) in a.criteria.iter().enumerate() {
            if ah.criteria[ci] {
                continue;
            }
            criterion_margin(policy, c, &run.units, &mut units, &members);
        }
    }
    let everyone: Vec<usize> = (0..run.units.len()).collect();
    for c in &run.city {
        let row = ScreeningCriterionRow {
            criterion: c.criterion.clone(),
            indicator: c.indicator.clone(),
            raw: Some(EstimateRow {
                num: c.num.clone(),
                den: c.den.clone(),
                ..EstimateRow::default()
            }),
            ..ScreeningCriterionRow::default()
        };
        criterion_margin(policy, &row, &run.units, &mut units, &everyone);
    }

    let designated_areas: Vec<Area> = run
        .areas
        .iter()
        .zip(&areas)
        .map(|(a, h)| area(policy, a, h, &run.units, &units))
        .collect();
    let designated_population = {
        let total: u64 = run.areas.iter().map(|a| a.population).sum();
        policy.checked(
            Some(total),
            !areas.iter().any(|h| h.population) && !policy.is_small(Decimal::from(total)),
        )
    };
    Screening {
        spec: run.spec.clone(),
        year: run.year,
        data_year: run.data_year,
        municipality: run.municipality.clone(),
        cell_size_m: run.cell_size_m,
        options: Options {
            designate_on: run.designate_on.clone(),
            without_origin: run.without_origin,
            level: dec(&run.level),
        },
        kvarter_defaults: run.defaults.clone(),
        city: run.city.iter().map(|c| city(policy, c)).collect(),
        designated_areas,
        designated_population,
        components_below_minimum: run.components_below_minimum,
        state_listed_areas: run.state_listed.clone(),
        cells: run
            .units
            .iter()
            .zip(&units)
            .map(|(u, h)| unit(policy, u, h, !run.unit_criteria_partial))
            .collect(),
        cells_suppressed: run.units_suppressed,
        notes: run.notes.clone(),
        min_count: policy.min_count(),
        previous_round: previous.map(|p| compare_rounds(p, run)),
    }
}

/// Rule 4 for one criterion's numerator and denominator against the same criterion of the
/// member units.
fn criterion_margin(
    policy: &Policy,
    total: &ScreeningCriterionRow,
    rows: &[ScreeningUnitRow],
    hidden: &mut [Hidden],
    members: &[usize],
) {
    // (unit index, criterion index) of the members that have this criterion with an estimate.
    let parts_at: Vec<(usize, usize)> = members
        .iter()
        .filter_map(|&i| {
            rows[i]
                .criteria
                .iter()
                .position(|c| c.criterion == total.criterion && c.raw.is_some())
                .map(|ci| (i, ci))
        })
        .collect();
    for den in [false, true] {
        let Some(t) = raw_figure(total, den) else {
            continue;
        };
        let mut parts: Vec<(Decimal, bool)> = parts_at
            .iter()
            .map(|&(i, ci)| {
                (
                    raw_figure(&rows[i].criteria[ci], den).unwrap_or_default(),
                    hidden[i].criteria[ci],
                )
            })
            .collect();
        margin(policy, t, &mut parts);
        for (&(i, ci), p) in parts_at.iter().zip(&parts) {
            hidden[i].criteria[ci] = p.1;
        }
    }
}

fn area(
    policy: &Policy,
    a: &ScreeningAreaRow,
    h: &Hidden,
    rows: &[ScreeningUnitRow],
    units: &[Hidden],
) -> Area {
    // The fragile population: a count, nested in the population, and a total of its shown
    // fragile units.
    let fragile = Decimal::from(a.fragile_population);
    let shown_fragile: Decimal = rows
        .iter()
        .zip(units)
        .filter(|(u, uh)| {
            u.fragile && !uh.population && u.component.as_deref() == Some(a.id.as_str())
        })
        .map(|(u, _)| Decimal::from(u.population))
        .sum();
    let fragile_safe = !h.population
        && !policy.is_small(fragile)
        && !small_residual(policy, residual(Decimal::from(a.population), fragile))
        && !small_residual(policy, residual(fragile, shown_fragile));
    let any_hidden = h.criteria.iter().any(|x| *x);
    Area {
        id: a.id.clone(),
        name: area_name(a),
        name_from: a.name_from.clone(),
        listed_estates: a.listed_estates.clone(),
        designated: true,
        reason: Reason {
            reason: a.reason.clone(),
        },
        units: a.units.clone(),
        districts: a.districts.clone(),
        population: policy.checked(Some(a.population), !h.population),
        suppressed: a.suppressed,
        state_listed_units: a.state_listed_units.clone(),
        filled_holes: a.filled_holes.clone(),
        fragile_units: a.fragile_units.clone(),
        fragile_population: policy.checked(Some(a.fragile_population), fragile_safe),
        criteria: criteria(policy, &a.criteria, &h.criteria),
        met: a.met,
        qualifies_as_whole: a.qualifies_as_whole,
        index: policy.checked(dec_opt(&a.index), !any_hidden && !a.suppressed),
        geometry: a.geometry.clone(),
    }
}

/// One unit of the model; its criteria only when the run holds them whole (`with_criteria`):
/// a run read for the disclosure rules alone decides what is hidden from them, but has no
/// values to show.
fn unit(policy: &Policy, u: &ScreeningUnitRow, h: &Hidden, with_criteria: bool) -> Unit {
    let any_hidden = h.criteria.iter().any(|x| *x);
    let bounds = match (dec_opt(&u.score_low), dec_opt(&u.score_high)) {
        (Some(low), Some(high)) => Some(Interval { low, high }),
        _ => None,
    };
    Unit {
        id: u.id.clone(),
        district: u.district.clone(),
        cell: u.cell,
        population: policy.checked(Some(u.population), !h.population),
        suppressed: false,
        criteria: if with_criteria {
            criteria(policy, &u.criteria, &h.criteria)
        } else {
            Vec::new()
        },
        met: u.met,
        evaluable: u.evaluable,
        score: policy.checked(dec_opt(&u.score), !any_hidden),
        score_bounds: policy.checked(bounds, !any_hidden),
        qualifies: u.qualifies,
        undetermined: u.undetermined,
        fragile: u.fragile,
        near_miss: u.near_miss,
        state_listed: u.state_listed,
        inclusion: u.inclusion.clone(),
        component: u.component.clone(),
        designated: u.designated,
        index: policy.checked(dec_opt(&u.index), !any_hidden),
        geometry: u.geometry.clone(),
    }
}

fn city(policy: &Policy, c: &ScreeningCityRow) -> City {
    let (num, den) = (dec(&c.num), dec(&c.den));
    let safe = num.is_some_and(|n| !policy.is_small(n)) && den.is_some_and(|d| !policy.is_small(d));
    City {
        criterion: c.criterion.clone(),
        indicator: c.indicator.clone(),
        num: policy.count(num),
        den: policy.count(den),
        value: policy.checked(dec_opt(&c.value), safe),
        sd: dec_opt(&c.sd),
        units: c.units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(year: i32, areas: &[(&str, &str, &[&str])]) -> ScreeningRun {
        ScreeningRun {
            year,
            areas: areas
                .iter()
                .map(|(id, name, units)| ScreeningAreaRow {
                    id: id.to_string(),
                    name: name.to_string(),
                    units: units.iter().map(|u| u.to_string()).collect(),
                    ..ScreeningAreaRow::default()
                })
                .collect(),
            ..ScreeningRun::default()
        }
    }

    #[test]
    fn a_round_is_compared_with_the_round_before_by_shared_units() {
        let before = round(
            2021,
            &[
                ("area-a", "Engen", &["a", "b", "c"]),
                ("area-x", "Bakken", &["x", "y"]),
                ("area-m", "Møllen", &["m", "n"]),
            ],
        );
        let after = round(
            2025,
            &[
                ("area-a", "Engen", &["a", "b", "c", "d"]),
                ("area-m", "Møllen", &["m", "n"]),
                ("area-p", "", &["p"]),
            ],
        );
        let c = compare_rounds(&before, &after);
        let ids = |v: &[Named]| v.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
        assert_eq!(c.previous_year, 2021);
        assert_eq!(c.previous_areas, 3);
        assert_eq!(ids(&c.entered), ["area-p"]);
        // An area without a stored name is named by its id.
        assert_eq!(c.entered[0].name, "area-p");
        assert_eq!(ids(&c.left), ["area-x"]);
        assert_eq!(c.left[0].name, "Bakken");
        assert_eq!(ids(&c.unchanged), ["area-m"]);
        assert_eq!(c.changed.len(), 1);
        assert_eq!(
            (
                c.changed[0].area.id.as_str(),
                c.changed[0].units_gained,
                c.changed[0].units_lost
            ),
            ("area-a", 1, 0)
        );
    }

    fn est(num: &str, den: &str) -> EstimateRow {
        let v = dec(num).unwrap() / dec(den).unwrap();
        EstimateRow {
            value: v.to_string(),
            num: num.into(),
            den: den.into(),
            low: Some("0.01".into()),
            high: Some("0.9".into()),
            p_meets: Some("0.5".into()),
            weight_on_district: "0".into(),
        }
    }

    fn crit(id: &str, indicator: &str, num: &str, den: &str) -> ScreeningCriterionRow {
        ScreeningCriterionRow {
            criterion: id.into(),
            indicator: indicator.into(),
            raw: Some(est(num, den)),
            shrunk: Some(est(num, den)),
            city: Some("0.1".into()),
            gap: Some("0.2".into()),
            comparison: Some("3".into()),
            value_threshold: Some("0.15".into()),
            met: Some(true),
            certainty: "clear".into(),
            ..ScreeningCriterionRow::default()
        }
    }

    fn unit_row(
        id: &str,
        population: u64,
        area: &str,
        criteria: Vec<ScreeningCriterionRow>,
    ) -> ScreeningUnitRow {
        ScreeningUnitRow {
            id: id.into(),
            population,
            component: Some(area.into()),
            designated: true,
            index: Some("1.5".into()),
            criteria,
            ..ScreeningUnitRow::default()
        }
    }

    /// One area of two shown units (and whatever small units the area's totals imply).
    fn run(
        area_population: u64,
        area_criteria: Vec<ScreeningCriterionRow>,
        units: Vec<ScreeningUnitRow>,
    ) -> ScreeningRun {
        ScreeningRun {
            spec: "kbh-2025".into(),
            year: 2025,
            designate_on: "raw".into(),
            level: "0.95".into(),
            components_below_minimum: 3,
            areas: vec![ScreeningAreaRow {
                id: "area-a".into(),
                reason: "min_population".into(),
                population: area_population,
                fragile_population: 0,
                index: Some("1.8".into()),
                criteria: area_criteria,
                ..ScreeningAreaRow::default()
            }],
            units,
            ..ScreeningRun::default()
        }
    }

    fn shown<T: Clone>(p: &Published<T>) -> Option<T> {
        p.shown().cloned()
    }

    #[test]
    fn a_unit_numerator_of_4_is_suppressed_with_its_share_and_5_is_shown() {
        let p = Policy::default();
        for (num, hidden) in [("4", true), ("5", false), ("0", true)] {
            let r = run(
                200,
                vec![],
                vec![
                    unit_row(
                        "u1",
                        100,
                        "area-a",
                        vec![crit("income", "low_income_share", num, "80")],
                    ),
                    unit_row("u2", 100, "area-a", vec![]),
                ],
            );
            let s = build(&p, &r, None);
            let c = &s.cells[0].criteria[0];
            let raw = c.raw.as_ref().unwrap();
            assert_eq!(raw.num.is_suppressed(), hidden, "{num}");
            assert_eq!(raw.value.is_suppressed(), hidden, "{num}");
            assert_eq!(raw.interval.is_suppressed(), hidden, "{num}");
            assert_eq!(raw.p_meets.is_suppressed(), hidden, "{num}");
            assert_eq!(c.shrunk.as_ref().unwrap().value.is_suppressed(), hidden);
            assert_eq!(c.gap.is_suppressed(), hidden);
            assert_eq!(c.comparison.is_suppressed(), hidden);
            // The index is a mean over the criteria: it follows.
            assert_eq!(s.cells[0].index.is_suppressed(), hidden);
            // What is public stays.
            assert_eq!(c.value_threshold, dec("0.15"));
            assert_eq!(c.met, Some(true));
        }
    }

    #[test]
    fn a_unit_denominator_of_4_is_suppressed_and_5_is_shown() {
        let p = Policy::default();
        for (den, hidden) in [("4", true), ("5", false)] {
            // 100 residents and a youth-education group of 4 or 5: far apart, no nesting issue.
            let r = run(
                200,
                vec![],
                vec![
                    unit_row(
                        "u1",
                        100,
                        "area-a",
                        vec![crit("youth", "no_youth_education_at_25_share", "5", den)],
                    ),
                    unit_row("u2", 100, "area-a", vec![]),
                ],
            );
            let s = build(&p, &r, None);
            let raw = s.cells[0].criteria[0].raw.as_ref().unwrap();
            assert_eq!(raw.den.is_suppressed(), hidden, "{den}");
            assert_eq!(raw.num.is_suppressed(), hidden, "{den}");
            assert_eq!(raw.value.is_suppressed(), hidden, "{den}");
        }
    }

    #[test]
    fn an_area_population_minus_its_shown_units_never_leaves_4_but_may_leave_5() {
        let p = Policy::default();
        // Shown units of 60 and 80; the area's total leaves 4 (or 5) residents in small units.
        for (total, leak) in [(144, true), (145, false), (140, false)] {
            let r = run(
                total,
                vec![],
                vec![
                    unit_row("u1", 60, "area-a", vec![]),
                    unit_row("u2", 80, "area-a", vec![]),
                ],
            );
            let s = build(&p, &r, None);
            assert_eq!(shown(&s.designated_areas[0].population), Some(total));
            // Secondary suppression: the smallest shown unit's population goes.
            assert_eq!(s.cells[0].population.is_suppressed(), leak, "{total}");
            assert!(!s.cells[1].population.is_suppressed(), "{total}");
            let shown_sum: u64 = s.cells.iter().filter_map(|u| shown(&u.population)).sum();
            let r = total - shown_sum;
            assert!(r == 0 || r >= 5, "{total}: residual {r}");
        }
    }

    #[test]
    fn an_area_numerator_minus_its_shown_units_never_leaves_4() {
        let p = Policy::default();
        for (area_num, leak) in [("54", true), ("55", false)] {
            let r = run(
                2000,
                vec![crit("income", "low_income_share", area_num, "1000")],
                vec![
                    unit_row(
                        "u1",
                        600,
                        "area-a",
                        vec![crit("income", "low_income_share", "20", "400")],
                    ),
                    unit_row(
                        "u2",
                        800,
                        "area-a",
                        vec![crit("income", "low_income_share", "30", "500")],
                    ),
                ],
            );
            let s = build(&p, &r, None);
            let hidden: Vec<bool> = s
                .cells
                .iter()
                .map(|u| u.criteria[0].raw.as_ref().unwrap().num.is_suppressed())
                .collect();
            // The smallest shown numerator (20) goes with its estimate; the area stays.
            assert_eq!(hidden, vec![leak, false], "{area_num}");
            assert!(
                !s.designated_areas[0].criteria[0]
                    .raw
                    .as_ref()
                    .unwrap()
                    .num
                    .is_suppressed()
            );
        }
    }

    #[test]
    fn nested_groups_that_differ_by_4_hide_the_smaller() {
        let p = Policy::default();
        // 60 residents of whom 56 (or 55) adults: 4 (or 5) children.
        for (adults, hidden) in [("56", true), ("55", false)] {
            let r = run(
                120,
                vec![],
                vec![
                    unit_row(
                        "u1",
                        60,
                        "area-a",
                        vec![crit("income", "low_income_share", "10", adults)],
                    ),
                    unit_row("u2", 60, "area-a", vec![]),
                ],
            );
            let s = build(&p, &r, None);
            let raw = s.cells[0].criteria[0].raw.as_ref().unwrap();
            assert_eq!(raw.den.is_suppressed(), hidden, "{adults}");
            assert!(!s.cells[0].population.is_suppressed());
        }
    }

    #[test]
    fn a_suppressed_area_shows_no_figure_and_components_are_only_counted() {
        let p = Policy::default();
        let mut r = run(
            30,
            vec![crit("income", "low_income_share", "10", "25")],
            vec![],
        );
        r.areas[0].suppressed = true;
        let s = build(&p, &r, None);
        let a = &s.designated_areas[0];
        assert!(a.population.is_suppressed());
        assert!(a.index.is_suppressed());
        assert!(a.criteria[0].raw.as_ref().unwrap().den.is_suppressed());
        assert!(s.designated_population.is_suppressed());
        let json = serde_json_like(&s);
        assert!(json.contains("\"components_below_minimum\":3"), "{json}");
    }

    #[test]
    fn fragile_population_follows_the_count_and_the_total() {
        let p = Policy::default();
        let mut r = run(
            200,
            vec![],
            vec![
                unit_row("u1", 100, "area-a", vec![]),
                unit_row("u2", 100, "area-a", vec![]),
            ],
        );
        r.units[0].fragile = true;
        for (fragile, shown_) in [(104, false), (105, true), (4, false), (100, true)] {
            r.areas[0].fragile_population = fragile;
            let s = build(&p, &r, None);
            assert_eq!(
                s.designated_areas[0].fragile_population.shown().is_some(),
                shown_,
                "{fragile}"
            );
        }
    }

    fn serde_json_like(s: &Screening) -> String {
        serde_json::to_string(s).unwrap()
    }

    #[test]
    fn the_json_of_a_suppressed_figure_is_the_mark() {
        let p = Policy::default();
        let r = run(
            200,
            vec![],
            vec![
                unit_row(
                    "u1",
                    100,
                    "area-a",
                    vec![crit("income", "low_income_share", "3", "80")],
                ),
                unit_row("u2", 100, "area-a", vec![]),
            ],
        );
        let json = serde_json_like(&build(&p, &r, None));
        assert!(
            json.contains(r#""num":{"suppressed":true,"min_count":5}"#),
            "{json}"
        );
        assert!(!json.contains(r#""num":"3""#), "{json}");
    }
}
