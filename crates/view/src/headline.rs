//! The policy's headline figures from the population counts: the composite vulnerability
//! index of the udsatte byområder relative to the rest of the municipality over time ("X %
//! less vulnerable over the last N years"), and the 2017 policy's goal (halve the gap to the
//! city average on at least half of the criteria).
//!
//! # The index
//!
//! For a data year and the criteria of the round's screening spec, each component is the
//! ratio of the udsatte byområder's share to the rest of the municipality's (the inverse when
//! lower is worse), so 1 means "like the rest of the city" and 1.40 "40 % worse". The index is
//! the weighted mean of the components, with the spec's weights:
//!
//! ```text
//! index(y) = Σ_c w_c · r_c(y) / Σ_c w_c,   r_c(y) = s_c(y) / s'_c(y)   (s: the areas' share, s': the rest's)
//! change   = index(to) / index(from) − 1   (−0.17 reads "17 % less vulnerable")
//! ```
//!
//! Shares are Σ numerators / Σ denominators of the stored counts, and every step is exact
//! decimal arithmetic; the shown figures are rounded at the end (components and index to 3
//! places, the change to 1 place of a per cent). Only criteria with a value in both years are
//! used, in both years, so the two indices weigh the same things; the components left out are
//! named.
//!
//! # Disclosure
//!
//! A component rests on four counts (the areas' and the rest's numerator and denominator); it
//! is shown only when each is at least the minimum count, and the index and its change only
//! when every component they use is (`docs/DISCLOSURE.md`, rule 10).

use crate::disclosure::{Policy, Published};
use crate::population::{Counted, Counts, Population};
use kvarter_rules::Decimal;
use kvarter_screen::{Direction, Spec};

/// One component of the index in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// The spec's criterion id.
    pub criterion: String,
    /// Its Danish name.
    pub name: String,
    /// Its English name.
    pub name_en: String,
    /// The screening indicator.
    pub indicator: String,
    /// Its weight.
    pub weight: Decimal,
    /// The ratio in the first year (3 decimals).
    pub from: Published<Decimal>,
    /// The ratio in the last year (3 decimals).
    pub to: Published<Decimal>,
}

/// The composite index of the udsatte byområder against the rest of the municipality, in two
/// data years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    /// The spec whose criteria and weights make the index.
    pub spec: String,
    /// The first data year.
    pub from: i32,
    /// The last data year.
    pub to: i32,
    /// The index in the first year (3 decimals).
    pub index_from: Published<Decimal>,
    /// The index in the last year (3 decimals).
    pub index_to: Published<Decimal>,
    /// `index_to / index_from − 1`, in per cent (1 decimal): −17.0 reads "17 % less vulnerable".
    pub change_pct: Published<Decimal>,
    /// The components used, in the spec's order.
    pub components: Vec<Component>,
    /// The criteria left out because a year has no value for them (ids).
    pub left_out: Vec<String>,
}

/// The exact ratio of a criterion in `year`, or `None` when a count is missing or a share is 0
/// where it divides; `Some(Err(()))` when a count is under the minimum.
fn ratio(
    counted: &Counted,
    policy: &Policy,
    indicator: &str,
    direction: Direction,
    year: i32,
) -> Option<Result<Decimal, ()>> {
    let own = counted.counts(&Population::Designated, indicator, year)?;
    let all = counted.counts(&Population::Municipality, indicator, year)?;
    let rest = Counts {
        num: all.num - own.num,
        den: all.den - own.den,
    };
    if [own.num, own.den, rest.num, rest.den]
        .iter()
        .any(|c| policy.is_small(*c))
    {
        return Some(Err(()));
    }
    let (s, r) = (own.num / own.den, rest.num / rest.den);
    let (a, b) = match direction {
        Direction::HigherIsWorse => (s, r),
        Direction::LowerIsWorse => (r, s),
    };
    (!b.is_zero()).then(|| Ok(a / b))
}

fn shown(policy: &Policy, v: Option<Result<Decimal, ()>>, dp: u32) -> Published<Decimal> {
    match v {
        None => Published::missing(),
        Some(Err(())) => policy.public(Decimal::ZERO).suppressed_by(policy),
        Some(Ok(v)) => {
            let mut r = v.round_dp(dp);
            r.rescale(dp);
            policy.public(r)
        }
    }
}

/// The headline index of `spec`'s criteria between data years `from` and `to`.
pub fn headline(counted: &Counted, policy: &Policy, spec: &Spec, from: i32, to: i32) -> Headline {
    let mut components = Vec::new();
    let mut left_out = Vec::new();
    let (mut sum_from, mut sum_to, mut weights) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut suppressed = false;
    for c in spec.active_criteria(false) {
        let rf = ratio(counted, policy, &c.indicator, c.direction, from);
        let rt = ratio(counted, policy, &c.indicator, c.direction, to);
        let (Some(rf), Some(rt)) = (rf, rt) else {
            left_out.push(c.id.clone());
            continue;
        };
        match (rf, rt) {
            (Ok(f), Ok(t)) => {
                sum_from += c.weight * f;
                sum_to += c.weight * t;
            }
            _ => suppressed = true,
        }
        weights += c.weight;
        components.push(Component {
            criterion: c.id.clone(),
            name: c.name.clone(),
            name_en: c.name_en.clone(),
            indicator: c.indicator.clone(),
            weight: c.weight,
            from: shown(policy, Some(rf), 3),
            to: shown(policy, Some(rt), 3),
        });
    }
    let (index_from, index_to, change) = if weights.is_zero() {
        (None, None, None)
    } else if suppressed {
        (Some(Err(())), Some(Err(())), Some(Err(())))
    } else {
        let (f, t) = (sum_from / weights, sum_to / weights);
        let change = (!f.is_zero()).then(|| Ok((t / f - Decimal::ONE) * Decimal::ONE_HUNDRED));
        (Some(Ok(f)), Some(Ok(t)), change)
    };
    Headline {
        spec: spec.id.clone(),
        from,
        to,
        index_from: shown(policy, index_from, 3),
        index_to: shown(policy, index_to, 3),
        change_pct: shown(policy, change, 1),
        components,
        left_out,
    }
}

/// How one criterion fared against the 2017 goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalStatus {
    /// The gap is at most the goal's fraction of the baseline gap (exactly half counts).
    Closed,
    /// The gap is larger than that.
    NotClosed,
    /// No gap at baseline (at or better than the city), and none now: counts as reached.
    NoGapKept,
    /// No gap at baseline, but one now: counts as not reached.
    NoGapLost,
    /// A value is missing or suppressed in one of the years: counts as not reached.
    Missing,
}

/// One criterion of the 2017 goal on one population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalRow {
    /// The criterion's id.
    pub criterion: String,
    /// Its Danish name.
    pub name: String,
    /// Its English name.
    pub name_en: String,
    /// The gap to the city average at baseline, oriented so that positive is worse
    /// (percentage points for shares, m² for m² per resident; 2 decimals).
    pub baseline_gap: Published<Decimal>,
    /// The latest gap, the same way.
    pub latest_gap: Published<Decimal>,
    /// The outcome.
    pub status: GoalStatus,
}

/// The 2017 policy's goal on one population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalOutcome {
    /// The data year the gaps are measured from.
    pub baseline_year: i32,
    /// The data year they are measured in now (the latest counted, at most the target year).
    pub latest_year: i32,
    /// The year the goal is due.
    pub target_year: i32,
    /// Each criterion.
    pub rows: Vec<GoalRow>,
    /// How many reached the goal.
    pub reached: usize,
    /// How many must: ⌈share × criteria⌉ ("at least half" of 5 is 3).
    pub required: usize,
    /// Whether the goal is met.
    pub met: bool,
}

/// A share in per cent, or a ratio, of `c`; `Err` when a count is under the minimum.
fn value_of(policy: &Policy, c: Counts, share: bool) -> Option<Result<Decimal, ()>> {
    if c.den <= Decimal::ZERO {
        return None;
    }
    if policy.is_small(c.den) || (share && policy.is_small(c.num)) {
        return Some(Err(()));
    }
    let v = c.num / c.den;
    Some(Ok(if share { v * Decimal::ONE_HUNDRED } else { v }))
}

/// The goal of `spec` (the 2017 policy's "halve the gap to the city average by 2025 on at least
/// half of the criteria") on `population`, against the whole municipality, from the goal's
/// baseline data year to the latest data year counted up to its target year. The comparison
/// is exact: the latest gap reaches the goal when it is at most `gap_factor` × the baseline
/// gap, so a gap of exactly half is reached. `None` when the spec has no goal or the counts do
/// not reach back to its baseline year.
pub fn gap_goal(
    counted: &Counted,
    policy: &Policy,
    spec: &Spec,
    population: &Population,
    without_origin: bool,
) -> Option<GoalOutcome> {
    let goal = spec.goal.as_ref()?;
    let first = spec
        .active_criteria(without_origin)
        .first()?
        .indicator
        .clone();
    let years = counted.years(&first);
    if !years.contains(&goal.baseline_year) {
        return None;
    }
    let latest = *years.iter().filter(|y| **y <= goal.target_year).max()?;
    let mut rows = Vec::new();
    let mut reached = 0;
    for c in spec.active_criteria(without_origin) {
        let share = kvarter_screen::indicator(&c.indicator)
            .is_none_or(|i| i.kind == kvarter_screen::Kind::Share);
        let gap = |year: i32| -> Option<Result<Decimal, ()>> {
            let own = value_of(
                policy,
                counted.counts(population, &c.indicator, year)?,
                share,
            )?;
            let city = value_of(
                policy,
                counted.counts(&Population::Municipality, &c.indicator, year)?,
                share,
            )?;
            Some(own.and_then(|o| {
                let d = o - city?;
                Ok(match c.direction {
                    Direction::HigherIsWorse => d,
                    Direction::LowerIsWorse => -d,
                })
            }))
        };
        let (g0, g1) = (gap(goal.baseline_year), gap(latest));
        let status = match (&g0, &g1) {
            (Some(Ok(g0)), Some(Ok(g1))) => match (
                *g0 > Decimal::ZERO,
                *g1 <= *g0 * goal.gap_factor,
                *g1 <= Decimal::ZERO,
            ) {
                (true, true, _) => GoalStatus::Closed,
                (true, false, _) => GoalStatus::NotClosed,
                (false, _, true) => GoalStatus::NoGapKept,
                (false, _, false) => GoalStatus::NoGapLost,
            },
            _ => GoalStatus::Missing,
        };
        if matches!(status, GoalStatus::Closed | GoalStatus::NoGapKept) {
            reached += 1;
        }
        rows.push(GoalRow {
            criterion: c.id.clone(),
            name: c.name.clone(),
            name_en: c.name_en.clone(),
            baseline_gap: shown(policy, g0, 2),
            latest_gap: shown(policy, g1, 2),
            status,
        });
    }
    let required = (goal.min_share_of_criteria * Decimal::from(rows.len()))
        .ceil()
        .try_into()
        .unwrap_or(usize::MAX);
    Some(GoalOutcome {
        baseline_year: goal.baseline_year,
        latest_year: latest,
        target_year: goal.target_year,
        met: reached >= required,
        rows,
        reached,
        required,
    })
}

/// The 2035 goal "no housing area at risk of the parallelsamfund list": every housing area of
/// the municipality with its probability of being on the list next 1 December (the early
/// warning), highest first, and whether none exceeds `threshold` (a probability, e.g. 0.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtRisk {
    /// The list year forecast.
    pub list_year: Option<i32>,
    /// (area id, probability), highest first.
    pub areas: Vec<(String, Decimal)>,
    /// The threshold.
    pub threshold: Decimal,
    /// Whether no area's probability is above the threshold.
    pub met: bool,
}

/// [`AtRisk`] from the stored outlooks of `list`, for the areas in `municipality_areas`.
pub fn at_risk(
    outlooks: &[crate::rows::Outlook],
    list: &str,
    municipality_areas: &[String],
    threshold: Decimal,
) -> AtRisk {
    let mut areas: Vec<(String, Decimal)> = outlooks
        .iter()
        .filter(|o| o.list == list && municipality_areas.contains(&o.area_id))
        .filter_map(|o| Some((o.area_id.clone(), o.probability.parse().ok()?)))
        .collect();
    areas.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    AtRisk {
        list_year: outlooks.iter().map(|o| o.list_year).max(),
        met: areas.iter().all(|(_, p)| *p <= threshold),
        areas,
        threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::PopulationCount;

    /// The 2017 policy's spec: outside_labour (higher is worse) and dwelling_area (m² per
    /// resident, lower is worse), weight 1 each, among others the rows do not have.
    fn spec() -> Spec {
        kvarter_screen::builtin::spec("kbh-2017").unwrap().unwrap()
    }

    fn rows() -> Vec<PopulationCount> {
        let r = |p: &str, y: i32, i: &str, n: &str, d: &str| PopulationCount {
            spec: "kbh-2025".into(),
            round: 2025,
            population: p.into(),
            data_year: y,
            indicator: i.into(),
            num: n.into(),
            den: d.into(),
        };
        vec![
            // 2016: labour 400/1000 in the areas, 1000/10000 in all → the rest 600/9000.
            r("designated", 2016, "outside_labour_share", "400", "1000"),
            r(
                "municipality",
                2016,
                "outside_labour_share",
                "1000",
                "10000",
            ),
            // m²: 25000/1000 = 25 in the areas, 475000/10000 in all → the rest 450000/9000 = 50.
            r("designated", 2016, "m2_per_resident", "25000", "1000"),
            r("municipality", 2016, "m2_per_resident", "475000", "10000"),
            // 2023: labour 200/1000, all 800/10000 → the rest 600/9000; m² 40 against 50.
            r("designated", 2023, "outside_labour_share", "200", "1000"),
            r("municipality", 2023, "outside_labour_share", "800", "10000"),
            r("designated", 2023, "m2_per_resident", "40000", "1000"),
            r("municipality", 2023, "m2_per_resident", "490000", "10000"),
        ]
    }

    fn text(p: &Published<Decimal>) -> String {
        p.shown().map(|d| d.to_string()).unwrap_or("–".into())
    }

    #[test]
    fn the_index_at_a_worked_example() {
        // By hand. 2016: labour 0.4 / (600/9000) = 6; m² (lower is worse) 50 / 25 = 2; index
        // (6 + 2) / 2 = 4. 2023: labour 0.2 / (600/9000) = 3; m² 50 / 40 = 1.25; index
        // (3 + 1.25) / 2 = 2.125. Change 2.125 / 4 − 1 = −0.46875: 46.9 % less vulnerable.
        let counted = Counted::new(&rows(), "kbh-2025", 2025);
        let h = headline(&counted, &Policy::new(5), &spec(), 2016, 2023);
        assert_eq!(text(&h.index_from), "4.000");
        assert_eq!(text(&h.index_to), "2.125");
        assert_eq!(text(&h.change_pct), "-46.9");
        let c: Vec<(String, String, String)> = h
            .components
            .iter()
            .map(|c| (c.criterion.clone(), text(&c.from), text(&c.to)))
            .collect();
        assert_eq!(
            c,
            [
                ("outside_labour".into(), "6.000".into(), "3.000".into()),
                ("dwelling_area".into(), "2.000".into(), "1.250".into())
            ]
        );
        assert_eq!(h.left_out, ["no_education", "low_income", "non_western"]);
    }

    #[test]
    fn a_criterion_missing_in_a_year_is_left_out_of_both() {
        let mut rows = rows();
        rows.retain(|r| !(r.indicator == "m2_per_resident" && r.data_year == 2016));
        let counted = Counted::new(&rows, "kbh-2025", 2025);
        let h = headline(&counted, &Policy::new(5), &spec(), 2016, 2023);
        assert!(h.left_out.contains(&"dwelling_area".to_string()));
        assert_eq!(text(&h.index_from), "6.000");
        assert_eq!(text(&h.index_to), "3.000");
        assert_eq!(text(&h.change_pct), "-50.0");
    }

    #[test]
    fn the_2017_goal_counts_a_gap_exactly_halved_as_reached() {
        // Against the whole municipality (the city average): outside labour 2016 40 % vs 10 %
        // = 30 points; 2023 25 % vs 10 % = 15 points: exactly half, reached. m² 25 vs 47.5 =
        // 22.5 worse; 2023 40 vs 49 = 9, at most 11.25: reached. The three others have no
        // counts: missing, not reached. 2 of 5 reached; 3 required (⌈0.5 × 5⌉): not met.
        let mut rows = rows();
        for r in &mut rows {
            if r.population == "designated"
                && r.indicator == "outside_labour_share"
                && r.data_year == 2023
            {
                r.num = "250".into();
            }
            if r.population == "municipality"
                && r.indicator == "outside_labour_share"
                && r.data_year == 2023
            {
                r.num = "1000".into();
            }
        }
        let counted = Counted::new(&rows, "kbh-2025", 2025);
        let g = gap_goal(
            &counted,
            &Policy::new(5),
            &spec(),
            &Population::Designated,
            false,
        )
        .unwrap();
        assert_eq!(
            (g.baseline_year, g.latest_year, g.target_year),
            (2016, 2023, 2025)
        );
        let row = |id: &str| g.rows.iter().find(|r| r.criterion == id).unwrap();
        assert_eq!(text(&row("outside_labour").baseline_gap), "30.00");
        assert_eq!(text(&row("outside_labour").latest_gap), "15.00");
        assert_eq!(row("outside_labour").status, GoalStatus::Closed);
        assert_eq!(text(&row("dwelling_area").baseline_gap), "22.50");
        assert_eq!(text(&row("dwelling_area").latest_gap), "9.00");
        assert_eq!(row("dwelling_area").status, GoalStatus::Closed);
        assert_eq!(row("low_income").status, GoalStatus::Missing);
        assert_eq!((g.reached, g.required, g.met), (2, 3, false));
        // One more hundredth of a point and the labour gap is not halved.
        for r in &mut rows {
            if r.population == "designated"
                && r.indicator == "outside_labour_share"
                && r.data_year == 2023
            {
                r.num = "250.1".into();
            }
        }
        let counted = Counted::new(&rows, "kbh-2025", 2025);
        let g = gap_goal(
            &counted,
            &Policy::new(5),
            &spec(),
            &Population::Designated,
            false,
        )
        .unwrap();
        assert_eq!(
            g.rows
                .iter()
                .find(|r| r.criterion == "outside_labour")
                .unwrap()
                .status,
            GoalStatus::NotClosed
        );
    }

    #[test]
    fn no_area_at_risk_above_the_threshold_meets_the_2035_goal() {
        let o = |a: &str, list: &str, p: &str| crate::rows::Outlook {
            list_year: 2026,
            area_id: a.into(),
            list: list.into(),
            on_now: Some(false),
            on_draws: 0,
            draws: 200,
            probability: p.into(),
            outlook: "staying_off".into(),
        };
        let outlooks = [
            o("a", "parallelsamfund", "0.1"),
            o("b", "parallelsamfund", "0.105"),
            o("c", "parallelsamfund", "0.5"),
            o("a", "udsat_boligomraade", "0.9"),
        ];
        let mine = ["a".to_string(), "b".to_string()];
        let r = at_risk(&outlooks, "parallelsamfund", &mine, "0.10".parse().unwrap());
        assert_eq!(
            r.areas.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert!(!r.met, "0.105 is above 10 %");
        // Exactly the threshold is not above it.
        let r = at_risk(
            &outlooks,
            "parallelsamfund",
            &mine[..1],
            "0.10".parse().unwrap(),
        );
        assert!(r.met);
        assert_eq!(r.list_year, Some(2026));
    }

    #[test]
    fn a_small_count_suppresses_its_component_and_the_index() {
        let mut rows = rows();
        for r in &mut rows {
            if r.population == "designated"
                && r.indicator == "outside_labour_share"
                && r.data_year == 2023
            {
                r.num = "4".into();
            }
        }
        let counted = Counted::new(&rows, "kbh-2025", 2025);
        let h = headline(&counted, &Policy::new(5), &spec(), 2016, 2023);
        assert!(h.components[0].to.is_suppressed());
        assert_eq!(text(&h.components[1].to), "1.250");
        assert!(h.index_to.is_suppressed() && h.index_from.is_suppressed());
        assert!(h.change_pct.is_suppressed());
    }
}
