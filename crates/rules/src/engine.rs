//! The evaluation engine: criterion values per area and list year in, lists and reasons out.
//!
//! Years are evaluated in ascending order so that a streak ("in each of the last 5 years") can
//! use the memberships computed for earlier years, and the published history before the data.

use crate::Decimal;
use crate::expr::Expr;
use crate::load::Catalog;
use crate::model::{Criterion, ListDef, Operator, RuleSet, Unit, WithoutOrigin};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The criterion values of one area for one list year, as published or aggregated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observation {
    /// Stable area id.
    pub area_id: String,
    /// Area name.
    pub area_name: String,
    /// Municipality.
    pub municipality: String,
    /// The list year (the year of the 1 December / 1 October list).
    pub list_year: i32,
    /// Values by input column (e.g. `outside_labour_pct`). A missing column is a missing value.
    pub values: BTreeMap<String, Decimal>,
}

/// Memberships published before the data starts (`list_year,area_id,list`).
///
/// A year present in the history is complete: an area not listed for it was on no list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    years: BTreeSet<i32>,
    members: BTreeMap<(i32, String), BTreeSet<String>>,
}

impl History {
    /// An empty history.
    pub fn new() -> History {
        History::default()
    }

    /// Records that `area` was on `list` in `year`.
    pub fn add(&mut self, year: i32, area: &str, list: &str) {
        self.years.insert(year);
        self.members
            .entry((year, area.to_string()))
            .or_default()
            .insert(list.to_string());
    }

    /// Records that the list of `year` is known (an area not added for it was on no list).
    pub fn add_year(&mut self, year: i32) {
        self.years.insert(year);
    }

    /// Whether the history covers `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The lists `area` was on in `year` (empty if none or not covered).
    pub fn lists(&self, year: i32, area: &str) -> impl Iterator<Item = &str> {
        self.members
            .get(&(year, area.to_string()))
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The years covered.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Every membership `(year, area, list)`, in order.
    pub fn entries(&self) -> impl Iterator<Item = (i32, &str, &str)> + '_ {
        self.members
            .iter()
            .flat_map(|((y, a), ls)| ls.iter().map(move |l| (*y, a.as_str(), l.as_str())))
    }
}

/// Options of one evaluation.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Switch off the non-Western origin criteria (`--without-origin`).
    pub without_origin: bool,
    /// Rule sets to use instead of the ones in force by list date (one per family).
    pub overrides: Vec<String>,
}

/// Why an evaluation could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// `--rules ID` named no known rule set.
    UnknownRuleSet {
        /// The id asked for.
        id: String,
        /// The ids known.
        known: Vec<String>,
    },
    /// No rule set governs this list year.
    NoRuleSet {
        /// The list year.
        year: i32,
    },
    /// Two observations for one area and year.
    Duplicate {
        /// The area.
        area_id: String,
        /// The year.
        year: i32,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::UnknownRuleSet { id, known } => write!(
                f,
                "unknown rule set '{id}'; expected one of: {}",
                known.join(", ")
            ),
            EvalError::NoRuleSet { year } => write!(
                f,
                "no rule set governs the list of {year}; the first list was published in {}",
                crate::FIRST_LIST_YEAR
            ),
            EvalError::Duplicate { area_id, year } => {
                write!(f, "area '{area_id}' appears twice for list year {year}")
            }
        }
    }
}

impl std::error::Error for EvalError {}

/// The outcome of one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum CriterionOutcome {
    /// The comparison holds.
    Met,
    /// The comparison does not hold.
    NotMet,
    /// A value or reference is missing: reported, and counted as not met.
    NotEvaluable {
        /// The input columns that were empty.
        missing: Vec<String>,
    },
    /// An origin criterion under `--without-origin`.
    SwitchedOff,
}

impl CriterionOutcome {
    /// Whether the criterion counts as met.
    pub fn is_met(&self) -> bool {
        matches!(self, CriterionOutcome::Met)
    }
}

/// How many persons in the measured group would have to change for the outcome to flip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonMargin {
    /// Whole persons (full-time persons for the labour-market measure).
    pub persons: Decimal,
    /// `true`: this many more persons in the measured state; `false`: this many fewer.
    pub more: bool,
}

/// One criterion evaluated for one area and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionResult {
    /// The rule set.
    pub rule_set: String,
    /// The criterion id.
    pub id: String,
    /// The value from the input.
    pub value: Option<Decimal>,
    /// The threshold as applied (references resolved).
    pub threshold: Option<Decimal>,
    /// The reference the threshold is a multiple of (e.g. the national conviction share), if any.
    pub reference: Option<Decimal>,
    /// The operator.
    pub operator: &'static str,
    /// The outcome.
    #[serde(flatten)]
    pub outcome: CriterionOutcome,
    /// `value - threshold`, in the criterion's unit (percentage points for shares).
    pub difference: Option<Decimal>,
    /// The size of the measured group, where known.
    pub group_size: Option<Decimal>,
    /// The margin in persons, where the group size is known and the measure counts persons.
    pub persons: Option<PersonMargin>,
}

/// Whether an area is on a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListOutcome {
    /// On the list.
    On,
    /// Not on the list.
    Off,
    /// The list is not defined under the options (without origin).
    Undefined,
}

/// How a condition came out, node by node: the reason for a list outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "node")]
pub enum Trace {
    /// A criterion.
    Criterion {
        /// Its id.
        id: String,
        /// Whether it counted as met.
        met: bool,
        /// Whether it could be evaluated.
        evaluable: bool,
    },
    /// Another list this year.
    List {
        /// Its id.
        id: String,
        /// Whether the area is on it.
        on: bool,
    },
    /// An origin criterion switched off.
    Dropped {
        /// Its id.
        id: String,
    },
    /// Negation.
    Not {
        /// The negated node.
        inner: Box<Trace>,
        /// The result.
        value: bool,
    },
    /// Conjunction.
    All {
        /// The items.
        items: Vec<Trace>,
        /// The result.
        value: bool,
    },
    /// Disjunction.
    Any {
        /// The items.
        items: Vec<Trace>,
        /// The result.
        value: bool,
    },
    /// At least `k` of the items.
    AtLeast {
        /// Required.
        k: usize,
        /// Items that count (switched-off ones excluded).
        n: usize,
        /// Items met.
        met: usize,
        /// The items.
        items: Vec<Trace>,
        /// The result.
        value: bool,
    },
}

impl Trace {
    /// The node's result.
    pub fn value(&self) -> bool {
        match self {
            Trace::Criterion { met, .. } => *met,
            Trace::List { on, .. } => *on,
            Trace::Dropped { .. } => true,
            Trace::Not { value, .. }
            | Trace::All { value, .. }
            | Trace::Any { value, .. }
            | Trace::AtLeast { value, .. } => *value,
        }
    }
}

/// Where a membership of an earlier year came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipSource {
    /// Computed from the input's values for that year.
    Computed,
    /// Taken from the published history.
    History,
}

/// An area's membership of a streak's list in one earlier year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Membership {
    /// On a list that counts.
    On {
        /// Which list (as named that year).
        list: String,
        /// Where that came from.
        source: MembershipSource,
    },
    /// On none of the lists that count.
    Off {
        /// Where that came from.
        source: MembershipSource,
    },
    /// Neither the input nor the history covers the year.
    Unknown,
}

/// One earlier year of a streak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreakYear {
    /// The list year.
    pub year: i32,
    /// The membership that year.
    pub membership: Membership,
}

/// How a streak came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreakTrace {
    /// Years required, this year included.
    pub required: u32,
    /// The paragraph of a dated override that set `required`, if one applied.
    pub override_paragraph: Option<String>,
    /// The earlier years, most recent first.
    pub years: Vec<StreakYear>,
    /// Whether every earlier year counts.
    pub value: bool,
}

/// One list evaluated for one area and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListResult {
    /// The rule set.
    pub rule_set: String,
    /// The list id.
    pub id: String,
    /// The outcome.
    pub outcome: ListOutcome,
    /// The condition, node by node (absent when the list is undefined).
    pub condition: Option<Trace>,
    /// Lists the area is on that exclude it from this one.
    pub excluded_by: Vec<String>,
    /// The streak, if the list has one (absent when the list is undefined).
    pub streak: Option<StreakTrace>,
    /// Whether a missing value or an unknown year could have changed the outcome.
    pub incomplete: bool,
}

/// Everything evaluated for one area and list year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaEvaluation {
    /// Area id.
    pub area_id: String,
    /// Area name.
    pub area_name: String,
    /// Municipality.
    pub municipality: String,
    /// List year.
    pub list_year: i32,
    /// The rule sets applied.
    pub rule_sets: Vec<String>,
    /// Every criterion of every applied rule set.
    pub criteria: Vec<CriterionResult>,
    /// Every list of every applied rule set, in dependency order.
    pub lists: Vec<ListResult>,
}

impl AreaEvaluation {
    /// The lists the area is on.
    pub fn on(&self) -> impl Iterator<Item = &ListResult> {
        self.lists.iter().filter(|l| l.outcome == ListOutcome::On)
    }

    /// The result of one criterion.
    pub fn criterion(&self, rule_set: &str, id: &str) -> Option<&CriterionResult> {
        self.criteria
            .iter()
            .find(|c| c.rule_set == rule_set && c.id == id)
    }
}

/// The result of a run: every area and year, sorted by year and area id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// One entry per input observation.
    pub areas: Vec<AreaEvaluation>,
}

/// A tri-state value: the outcome as the law counts it (missing = not met), and the lowest and
/// highest outcome the missing values could have produced.
#[derive(Debug, Clone, Copy)]
struct Val {
    actual: bool,
    lo: bool,
    hi: bool,
}

impl Val {
    fn known(b: bool) -> Val {
        Val {
            actual: b,
            lo: b,
            hi: b,
        }
    }
    fn and(self, o: Val) -> Val {
        Val {
            actual: self.actual && o.actual,
            lo: self.lo && o.lo,
            hi: self.hi && o.hi,
        }
    }
    fn not(self) -> Val {
        Val {
            actual: !self.actual,
            lo: !self.hi,
            hi: !self.lo,
        }
    }
}

/// The rule sets `options.overrides` names, each looked up in `catalog`; an unknown id is
/// refused with the ids the catalog knows.
fn resolve_overrides<'a>(
    catalog: &'a Catalog,
    options: &EvalOptions,
) -> Result<Vec<&'a RuleSet>, EvalError> {
    options
        .overrides
        .iter()
        .map(|id| {
            catalog.get(id).ok_or_else(|| EvalError::UnknownRuleSet {
                id: id.clone(),
                known: catalog.rule_sets().iter().map(|r| r.id.clone()).collect(),
            })
        })
        .collect()
}

/// Evaluates every observation under the rule sets that govern its list year (or the overrides).
pub fn evaluate(
    catalog: &Catalog,
    observations: &[Observation],
    history: &History,
    options: &EvalOptions,
) -> Result<Evaluation, EvalError> {
    let overrides = resolve_overrides(catalog, options)?;
    let mut by_year: BTreeMap<i32, Vec<&Observation>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for o in observations {
        if !seen.insert((o.list_year, o.area_id.as_str())) {
            return Err(EvalError::Duplicate {
                area_id: o.area_id.clone(),
                year: o.list_year,
            });
        }
        by_year.entry(o.list_year).or_default().push(o);
    }
    let mut memberships: BTreeMap<(i32, String), BTreeSet<String>> = BTreeMap::new();
    let data_years: BTreeSet<i32> = by_year.keys().copied().collect();
    let mut areas = Vec::new();
    for (&year, obs) in &by_year {
        let rule_sets = catalog.select(year, &overrides);
        if rule_sets.is_empty() || year < crate::FIRST_LIST_YEAR {
            return Err(EvalError::NoRuleSet { year });
        }
        let mut obs = obs.clone();
        obs.sort_by(|a, b| a.area_id.cmp(&b.area_id));
        for o in obs {
            let lookup = Lookup {
                year,
                area: &o.area_id,
                data_years: &data_years,
                memberships: &memberships,
                history,
            };
            let ev = evaluate_area(&rule_sets, o, &lookup, options.without_origin);
            let on: BTreeSet<String> = ev.on().map(|l| l.id.clone()).collect();
            memberships.insert((year, o.area_id.clone()), on);
            areas.push(ev);
        }
    }
    Ok(Evaluation { areas })
}

struct Lookup<'a> {
    year: i32,
    area: &'a str,
    data_years: &'a BTreeSet<i32>,
    memberships: &'a BTreeMap<(i32, String), BTreeSet<String>>,
    history: &'a History,
}

impl Lookup<'_> {
    fn membership(&self, year: i32, counts_as: &[String]) -> Membership {
        let pick = |lists: &mut dyn Iterator<Item = &str>, source| {
            let lists: Vec<&str> = lists.collect();
            match counts_as.iter().find(|c| lists.contains(&c.as_str())) {
                Some(l) => Membership::On {
                    list: l.clone(),
                    source,
                },
                None => Membership::Off { source },
            }
        };
        if self.data_years.contains(&year) {
            // A year in the input is complete: an area without a row that year was on no list.
            let key = (year, self.area.to_string());
            let mut it = self
                .memberships
                .get(&key)
                .into_iter()
                .flatten()
                .map(String::as_str);
            pick(&mut it, MembershipSource::Computed)
        } else if self.history.covers(year) {
            pick(
                &mut self.history.lists(year, self.area),
                MembershipSource::History,
            )
        } else {
            Membership::Unknown
        }
    }
}

fn evaluate_area(
    rule_sets: &[&RuleSet],
    o: &Observation,
    lookup: &Lookup<'_>,
    without_origin: bool,
) -> AreaEvaluation {
    let mut criteria = Vec::new();
    let mut lists = Vec::new();
    for rs in rule_sets {
        let first = criteria.len();
        for c in rs.all_criteria() {
            criteria.push(evaluate_criterion(rs, c, o, without_origin));
        }
        let crit_vals: BTreeMap<&str, &CriterionResult> = criteria[first..]
            .iter()
            .map(|c| (c.id.as_str(), c))
            .collect();
        let mut list_vals: BTreeMap<String, Option<Val>> = BTreeMap::new();
        for l in &rs.lists {
            let (res, val) = evaluate_list(rs, l, &crit_vals, &list_vals, lookup, without_origin);
            list_vals.insert(l.id.clone(), val);
            lists.push(res);
        }
    }
    AreaEvaluation {
        area_id: o.area_id.clone(),
        area_name: o.area_name.clone(),
        municipality: o.municipality.clone(),
        list_year: o.list_year,
        rule_sets: rule_sets.iter().map(|r| r.id.clone()).collect(),
        criteria,
        lists,
    }
}

fn evaluate_criterion(
    rs: &RuleSet,
    c: &Criterion,
    o: &Observation,
    without_origin: bool,
) -> CriterionResult {
    let value = o.values.get(&c.measure).copied();
    let threshold = c.threshold.resolve(|r| o.values.get(r).copied());
    let group_size = match c.unit {
        Unit::Persons => None,
        _ => c.group.as_ref().and_then(|g| o.values.get(g).copied()),
    };
    let mut result = CriterionResult {
        rule_set: rs.id.clone(),
        id: c.id.clone(),
        value,
        threshold,
        reference: match &c.threshold {
            crate::Threshold::FactorOf { reference, .. } => o.values.get(reference).copied(),
            _ => None,
        },
        operator: c.operator.symbol(),
        outcome: CriterionOutcome::SwitchedOff,
        difference: None,
        group_size,
        persons: None,
    };
    if c.origin && without_origin {
        return result;
    }
    let (Some(v), Some(t)) = (value, threshold) else {
        let mut missing = Vec::new();
        if value.is_none() {
            missing.push(c.measure.clone());
        }
        if threshold.is_none()
            && let crate::Threshold::FactorOf { reference, .. } = &c.threshold
        {
            missing.push(reference.clone());
        }
        result.outcome = CriterionOutcome::NotEvaluable { missing };
        return result;
    };
    let met = c.operator.holds(v, t);
    result.outcome = if met {
        CriterionOutcome::Met
    } else {
        CriterionOutcome::NotMet
    };
    result.difference = Some(v - t);
    let counts = match (c.unit, group_size) {
        (Unit::Persons, _) => Some((v, t)),
        (Unit::Percent, Some(n)) => {
            Some((v * n / Decimal::ONE_HUNDRED, t * n / Decimal::ONE_HUNDRED))
        }
        _ => None,
    };
    result.persons = counts.map(|(count, limit)| person_margin(c.operator, met, count, limit));
    result
}

/// The fewest whole persons whose change flips the comparison `count OP limit`.
fn person_margin(op: Operator, met: bool, count: Decimal, limit: Decimal) -> PersonMargin {
    let one = Decimal::ONE;
    let (persons, more) = match (op, met) {
        // count > limit: reach limit + something, or fall to limit.
        (Operator::Greater, false) => ((limit - count).floor() + one, true),
        (Operator::Greater, true) => ((count - limit).ceil(), false),
        (Operator::GreaterOrEqual, false) => ((limit - count).ceil(), true),
        (Operator::GreaterOrEqual, true) => ((count - limit).floor() + one, false),
        (Operator::Less, false) => ((count - limit).floor() + one, false),
        (Operator::Less, true) => ((limit - count).ceil(), true),
        (Operator::LessOrEqual, false) => ((count - limit).ceil(), false),
        (Operator::LessOrEqual, true) => ((limit - count).floor() + one, true),
    };
    PersonMargin {
        persons: persons.normalize(),
        more,
    }
}

fn evaluate_list(
    rs: &RuleSet,
    l: &ListDef,
    crit: &BTreeMap<&str, &CriterionResult>,
    lists: &BTreeMap<String, Option<Val>>,
    lookup: &Lookup<'_>,
    without_origin: bool,
) -> (ListResult, Option<Val>) {
    let mut res = ListResult {
        rule_set: rs.id.clone(),
        id: l.id.clone(),
        outcome: ListOutcome::Undefined,
        condition: None,
        excluded_by: Vec::new(),
        streak: None,
        incomplete: false,
    };
    let refers_to_undefined = l
        .condition
        .lists()
        .into_iter()
        .chain(l.excludes.iter().map(String::as_str))
        .any(|id| matches!(lists.get(id), Some(None)));
    if (without_origin && l.without_origin == WithoutOrigin::Undefined) || refers_to_undefined {
        return (res, None);
    }
    let (val, trace) = eval_expr(&l.condition, crit, lists);
    // A condition made only of switched-off criteria imposes nothing.
    let mut val = val.unwrap_or(Val::known(true));
    res.condition = Some(trace);
    for x in &l.excludes {
        let xv = lists
            .get(x)
            .copied()
            .flatten()
            .expect("ordered and defined");
        if xv.actual {
            res.excluded_by.push(x.clone());
        }
        val = val.and(xv.not());
    }
    if let Some(s) = &l.streak {
        let (required, o) = s.years_for(lookup.year);
        let mut years = Vec::new();
        let mut sv = Val::known(true);
        for back in 1..i32::try_from(required).unwrap_or(i32::MAX) {
            let y = lookup.year - back;
            let m = lookup.membership(y, &s.counts_as);
            sv = sv.and(match m {
                Membership::On { .. } => Val::known(true),
                Membership::Off { .. } => Val::known(false),
                Membership::Unknown => Val {
                    actual: false,
                    lo: false,
                    hi: true,
                },
            });
            years.push(StreakYear {
                year: y,
                membership: m,
            });
        }
        res.streak = Some(StreakTrace {
            required,
            override_paragraph: o.map(|o| o.paragraph.clone()),
            years,
            value: sv.actual,
        });
        val = val.and(sv);
    }
    res.outcome = if val.actual {
        ListOutcome::On
    } else {
        ListOutcome::Off
    };
    res.incomplete = val.lo != val.hi;
    (res, Some(val))
}

fn eval_expr(
    e: &Expr,
    crit: &BTreeMap<&str, &CriterionResult>,
    lists: &BTreeMap<String, Option<Val>>,
) -> (Option<Val>, Trace) {
    match e {
        Expr::Criterion(id) => {
            let c = crit[id.as_str()];
            match &c.outcome {
                CriterionOutcome::SwitchedOff => (None, Trace::Dropped { id: id.clone() }),
                CriterionOutcome::NotEvaluable { .. } => (
                    Some(Val {
                        actual: false,
                        lo: false,
                        hi: true,
                    }),
                    Trace::Criterion {
                        id: id.clone(),
                        met: false,
                        evaluable: false,
                    },
                ),
                o => (
                    Some(Val::known(o.is_met())),
                    Trace::Criterion {
                        id: id.clone(),
                        met: o.is_met(),
                        evaluable: true,
                    },
                ),
            }
        }
        Expr::List(id) => {
            let v = lists
                .get(id)
                .copied()
                .flatten()
                .expect("lists are ordered and undefined references are caught before");
            (
                Some(v),
                Trace::List {
                    id: id.clone(),
                    on: v.actual,
                },
            )
        }
        Expr::Not(inner) => {
            let (v, t) = eval_expr(inner, crit, lists);
            let v = v.map(Val::not);
            let value = v.is_some_and(|v| v.actual);
            (
                v,
                Trace::Not {
                    inner: Box::new(t),
                    value,
                },
            )
        }
        Expr::All(items) | Expr::Any(items) => {
            let all = matches!(e, Expr::All(_));
            let mut acc: Option<Val> = None;
            let mut traces = Vec::new();
            for it in items {
                let (v, t) = eval_expr(it, crit, lists);
                traces.push(t);
                if let Some(v) = v {
                    acc = Some(match acc {
                        None => v,
                        Some(a) if all => a.and(v),
                        Some(a) => a.not().and(v.not()).not(),
                    });
                }
            }
            let value = acc.is_none_or(|v| v.actual);
            let trace = if all {
                Trace::All {
                    items: traces,
                    value,
                }
            } else {
                Trace::Any {
                    items: traces,
                    value: acc.is_some_and(|v| v.actual),
                }
            };
            (acc, trace)
        }
        Expr::AtLeast { k, of } => {
            let (mut n, mut actual, mut lo, mut hi) = (0, 0, 0, 0);
            let mut traces = Vec::new();
            for it in of {
                let (v, t) = eval_expr(it, crit, lists);
                traces.push(t);
                if let Some(v) = v {
                    n += 1;
                    actual += usize::from(v.actual);
                    lo += usize::from(v.lo);
                    hi += usize::from(v.hi);
                }
            }
            let v = Val {
                actual: actual >= *k,
                lo: lo >= *k,
                hi: hi >= *k,
            };
            (
                Some(v),
                Trace::AtLeast {
                    k: *k,
                    n,
                    met: actual,
                    items: traces,
                    value: v.actual,
                },
            )
        }
    }
}

/// One list year's rule sets prepared to decide many areas' lists quickly: the outcomes
/// [`evaluate`] gives, without the criterion results, traces, margins and reasons.
///
/// A plan decides an area from its values of the year alone, and takes the earlier years of a
/// streak from the history, exactly as [`evaluate`] does when it is handed observations of this
/// list year only. The comparisons are the criteria's own ([`Operator::holds`] on the exact
/// [`Decimal`]s, thresholds resolved by [`crate::Threshold::resolve`]); [`evaluate`] stays the
/// reference, and a test compares the two over many generated inputs. The early warning
/// decides thousands of simulated areas of one year with it.
pub struct YearPlan<'a> {
    year: i32,
    without_origin: bool,
    criteria: Vec<PlanCriterion<'a>>,
    lists: Vec<PlanList<'a>>,
}

/// A criterion, its value's and reference's places among the columns resolved.
struct PlanCriterion<'a> {
    def: &'a Criterion,
    value: Option<usize>,
    reference: Option<usize>,
}

/// A condition with its criteria and lists resolved to places in the plan.
enum PlanExpr {
    Criterion(usize),
    List(usize),
    Not(Box<PlanExpr>),
    All(Vec<PlanExpr>),
    Any(Vec<PlanExpr>),
    AtLeast { k: usize, of: Vec<PlanExpr> },
}

/// A list: undefined under the options, or its condition, exclusions and streak.
struct PlanList<'a> {
    rule_set: &'a str,
    def: &'a ListDef,
    /// `None`: the list is undefined (without origin, or it refers to an undefined list).
    condition: Option<PlanExpr>,
    excludes: Vec<usize>,
}

/// How a criterion came out, as [`eval_expr`] reads a [`CriterionOutcome`].
#[derive(Debug, Clone, Copy)]
enum Met {
    SwitchedOff,
    NotEvaluable,
    Known(bool),
}

/// One area's streaks in a [`YearPlan`]'s year, from the history: per list of the plan, the
/// value of its streak (`None` without one). They do not depend on the area's values, so an
/// area decided many times looks its history up once.
#[derive(Debug, Clone)]
pub struct AreaStreaks {
    values: Vec<Option<Val>>,
}

impl<'a> YearPlan<'a> {
    /// The plan of `year` under the rule sets that govern it (or `options.overrides`), reading
    /// an area's values in the order of `columns` (a criterion whose measure is not among them
    /// is not evaluable, as a column missing from an [`Observation`]).
    ///
    /// # Errors
    ///
    /// As [`evaluate`]: an unknown override, or no rule set for the year.
    pub fn new(
        catalog: &'a Catalog,
        year: i32,
        columns: &[&str],
        options: &EvalOptions,
    ) -> Result<YearPlan<'a>, EvalError> {
        let overrides = resolve_overrides(catalog, options)?;
        let rule_sets = catalog.select(year, &overrides);
        if rule_sets.is_empty() || year < crate::FIRST_LIST_YEAR {
            return Err(EvalError::NoRuleSet { year });
        }
        let column = |name: &str| columns.iter().position(|c| *c == name);
        let mut plan = YearPlan {
            year,
            without_origin: options.without_origin,
            criteria: Vec::new(),
            lists: Vec::new(),
        };
        for rs in rule_sets {
            let first_criterion = plan.criteria.len();
            for c in rs.all_criteria() {
                plan.criteria.push(PlanCriterion {
                    def: c,
                    value: column(&c.measure),
                    reference: match &c.threshold {
                        crate::Threshold::FactorOf { reference, .. } => column(reference),
                        _ => None,
                    },
                });
            }
            // As the engine's maps by id: a later item of the same id shadows an earlier one.
            let criterion = |id: &str| {
                (first_criterion..plan.criteria.len())
                    .rev()
                    .find(|&n| plan.criteria[n].def.id == id)
                    .expect("a condition names criteria of its rule set")
            };
            let first_list = plan.lists.len();
            for l in &rs.lists {
                let earlier = |id: &str| {
                    (first_list..plan.lists.len())
                        .rev()
                        .find(|&n| plan.lists[n].def.id == id)
                };
                let refers_to_undefined = l
                    .condition
                    .lists()
                    .into_iter()
                    .chain(l.excludes.iter().map(String::as_str))
                    .any(|id| earlier(id).is_some_and(|n| plan.lists[n].condition.is_none()));
                let undefined = (options.without_origin
                    && l.without_origin == WithoutOrigin::Undefined)
                    || refers_to_undefined;
                let (condition, excludes) = if undefined {
                    (None, Vec::new())
                } else {
                    let list = |id: &str| {
                        earlier(id)
                            .expect("lists are ordered and undefined references are caught before")
                    };
                    (
                        Some(compile(&l.condition, &criterion, &list)),
                        l.excludes.iter().map(|x| list(x)).collect(),
                    )
                };
                plan.lists.push(PlanList {
                    rule_set: &rs.id,
                    def: l,
                    condition,
                    excludes,
                });
            }
        }
        Ok(plan)
    }

    /// The list year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// `(rule set, list)` of every list the plan decides, in the order of
    /// [`AreaEvaluation::lists`] and of [`YearPlan::decide`]'s outcomes.
    pub fn lists(&self) -> impl Iterator<Item = (&str, &str)> {
        self.lists.iter().map(|l| (l.rule_set, l.def.id.as_str()))
    }

    /// The streaks of `area` in the plan's year from `history` (the years before it).
    pub fn streaks(&self, area: &str, history: &History) -> AreaStreaks {
        let key_of = |y: i32| (y, area.to_string());
        AreaStreaks {
            values: self
                .lists
                .iter()
                .map(|l| {
                    let s = l.def.streak.as_ref().filter(|_| l.condition.is_some())?;
                    let (required, _) = s.years_for(self.year);
                    let mut sv = Val::known(true);
                    for back in 1..i32::try_from(required).unwrap_or(i32::MAX) {
                        let y = self.year - back;
                        sv = sv.and(if history.covers(y) {
                            let on = history.members.get(&key_of(y)).is_some_and(|ls| {
                                s.counts_as.iter().any(|c| ls.contains(c.as_str()))
                            });
                            Val::known(on)
                        } else {
                            Val {
                                actual: false,
                                lo: false,
                                hi: true,
                            }
                        });
                    }
                    Some(sv)
                })
                .collect(),
        }
    }

    /// Decides one area: `values` in the order of the plan's columns, `streaks` its
    /// [`YearPlan::streaks`]. Writes one outcome per list ([`YearPlan::lists`]) into `out`.
    pub fn decide(
        &self,
        values: &[Option<Decimal>],
        streaks: &AreaStreaks,
        out: &mut Vec<ListOutcome>,
    ) {
        // Small plans (every built-in year) decide on the stack.
        const STACK: usize = 48;
        let (mut met_stack, mut met_heap) = ([Met::SwitchedOff; STACK], Vec::new());
        let met: &mut [Met] = if self.criteria.len() <= STACK {
            &mut met_stack[..self.criteria.len()]
        } else {
            met_heap.resize(self.criteria.len(), Met::SwitchedOff);
            &mut met_heap
        };
        for (m, c) in met.iter_mut().zip(&self.criteria) {
            *m = if c.def.origin && self.without_origin {
                Met::SwitchedOff
            } else {
                let get = |col: Option<usize>| col.and_then(|n| values.get(n).copied().flatten());
                let value = get(c.value);
                let threshold = c.def.threshold.resolve(|_| get(c.reference));
                match (value, threshold) {
                    (Some(v), Some(t)) => Met::Known(c.def.operator.holds(v, t)),
                    _ => Met::NotEvaluable,
                }
            };
        }
        let met: &[Met] = met;
        let (mut vals_stack, mut vals_heap) = ([None; STACK], Vec::new());
        let vals: &mut [Option<Val>] = if self.lists.len() <= STACK {
            &mut vals_stack[..self.lists.len()]
        } else {
            vals_heap.resize(self.lists.len(), None);
            &mut vals_heap
        };
        out.clear();
        for (k, (l, streak)) in self.lists.iter().zip(&streaks.values).enumerate() {
            let Some(condition) = &l.condition else {
                out.push(ListOutcome::Undefined);
                continue;
            };
            // `vals` holds the lists before this one (later ones are still `None`).
            let mut val = decide_expr(condition, met, vals).unwrap_or(Val::known(true));
            for x in &l.excludes {
                let xv = vals[*x].expect("ordered and defined");
                val = val.and(xv.not());
            }
            if let Some(sv) = streak {
                val = val.and(*sv);
            }
            vals[k] = Some(val);
            out.push(if val.actual {
                ListOutcome::On
            } else {
                ListOutcome::Off
            });
        }
    }
}

/// A condition with its names resolved by `criterion` and `list`.
fn compile(e: &Expr, criterion: &dyn Fn(&str) -> usize, list: &dyn Fn(&str) -> usize) -> PlanExpr {
    let all = |items: &[Expr]| items.iter().map(|i| compile(i, criterion, list)).collect();
    match e {
        Expr::Criterion(id) => PlanExpr::Criterion(criterion(id)),
        Expr::List(id) => PlanExpr::List(list(id)),
        Expr::Not(inner) => PlanExpr::Not(Box::new(compile(inner, criterion, list))),
        Expr::All(items) => PlanExpr::All(all(items)),
        Expr::Any(items) => PlanExpr::Any(all(items)),
        Expr::AtLeast { k, of } => PlanExpr::AtLeast { k: *k, of: all(of) },
    }
}

/// The value of a condition, as [`eval_expr`] computes it (without the trace).
fn decide_expr(e: &PlanExpr, met: &[Met], lists: &[Option<Val>]) -> Option<Val> {
    match e {
        PlanExpr::Criterion(n) => match met[*n] {
            Met::SwitchedOff => None,
            Met::NotEvaluable => Some(Val {
                actual: false,
                lo: false,
                hi: true,
            }),
            Met::Known(b) => Some(Val::known(b)),
        },
        PlanExpr::List(n) => {
            Some(lists[*n].expect("lists are ordered and undefined references are caught before"))
        }
        PlanExpr::Not(inner) => decide_expr(inner, met, lists).map(Val::not),
        PlanExpr::All(items) | PlanExpr::Any(items) => {
            let all = matches!(e, PlanExpr::All(_));
            let mut acc: Option<Val> = None;
            for it in items {
                if let Some(v) = decide_expr(it, met, lists) {
                    acc = Some(match acc {
                        None => v,
                        Some(a) if all => a.and(v),
                        Some(a) => a.not().and(v.not()).not(),
                    });
                }
            }
            acc
        }
        PlanExpr::AtLeast { k, of } => {
            let (mut actual, mut lo, mut hi) = (0, 0, 0);
            for it in of {
                if let Some(v) = decide_expr(it, met, lists) {
                    actual += usize::from(v.actual);
                    lo += usize::from(v.lo);
                    hi += usize::from(v.hi);
                }
            }
            Some(Val {
                actual: actual >= *k,
                lo: lo >= *k,
                hi: hi >= *k,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn person_margins_at_and_around_the_boundary() {
        // 40.0 % of 1,000 = 400 persons; "overstiger 40 pct." needs 401.
        let m = person_margin(Operator::Greater, false, d("400"), d("400"));
        assert_eq!((m.persons, m.more), (d("1"), true));
        // 45.0 % of 1,000: 50 fewer brings it to exactly 40 %, which no longer exceeds.
        let m = person_margin(Operator::Greater, true, d("450"), d("400"));
        assert_eq!((m.persons, m.more), (d("50"), false));
        // "mindst 1.000 beboere": 1,000 meets; one fewer does not.
        let m = person_margin(Operator::GreaterOrEqual, true, d("1000"), d("1000"));
        assert_eq!((m.persons, m.more), (d("1"), false));
        let m = person_margin(Operator::GreaterOrEqual, false, d("950"), d("1000"));
        assert_eq!((m.persons, m.more), (d("50"), true));
        // Fractional counts (rounded published shares) round towards the safe side.
        let m = person_margin(Operator::Greater, false, d("399.5"), d("400"));
        assert_eq!((m.persons, m.more), (d("1"), true));
        let m = person_margin(Operator::GreaterOrEqual, false, d("399.5"), d("400"));
        assert_eq!((m.persons, m.more), (d("1"), true));
        let m = person_margin(Operator::Less, false, d("55"), d("55"));
        assert_eq!((m.persons, m.more), (d("1"), false));
        let m = person_margin(Operator::Less, true, d("54.2"), d("55"));
        assert_eq!((m.persons, m.more), (d("1"), true));
    }
    /// A small generator for the generated inputs (xorshift64*).
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
    }

    /// The plan decides every list as the full evaluation does, over many generated areas:
    /// values at, just above and just below every threshold (so `>` against `≥` and the exact
    /// decimals matter), missing values, factor-of-reference thresholds, random histories
    /// (streaks on, off and unknown), with and without origin, with overrides, in every list
    /// year the rule sets cover and the years around them.
    #[test]
    fn the_plan_decides_as_the_full_evaluation() {
        let catalog = Catalog::builtin();
        let criteria: Vec<&Criterion> = catalog
            .rule_sets()
            .iter()
            .flat_map(|r| r.all_criteria())
            .collect();
        let mut columns: Vec<&str> = Vec::new();
        for c in &criteria {
            let mut names = vec![c.measure.as_str()];
            names.extend(c.group.as_deref());
            if let crate::Threshold::FactorOf { reference, .. } = &c.threshold {
                names.push(reference);
            }
            for n in names {
                if !columns.contains(&n) {
                    columns.push(n);
                }
            }
        }
        columns.push("not_a_measure");
        let list_ids: Vec<&str> = catalog
            .rule_sets()
            .iter()
            .flat_map(|r| r.lists.iter().map(|l| l.id.as_str()))
            .collect();
        let step = d("0.01");
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        let (mut on, mut off, mut undefined, mut streak_on, mut errors) = (0, 0, 0, 0, 0);
        for case in 0..3000 {
            let year = 2008 + g.below(21) as i32;
            let mut options = EvalOptions {
                without_origin: g.chance(30),
                overrides: Vec::new(),
            };
            if g.chance(15) {
                let rs = catalog.rule_sets();
                options.overrides.push(rs[g.below(rs.len())].id.clone());
            }
            if g.chance(2) {
                options.overrides.push("dk-1999".to_string());
            }
            let mut history = History::new();
            for y in year - 7..year {
                if g.chance(85) {
                    history.add_year(y);
                }
            }
            let areas: Vec<String> = (0..1 + g.below(6)).map(|n| format!("a{n}")).collect();
            let mut observations = Vec::new();
            let mut values_of = BTreeMap::new();
            for area in &areas {
                for y in history.years().collect::<Vec<_>>() {
                    for l in &list_ids {
                        if g.chance(55) {
                            history.add(y, area, l);
                        }
                    }
                }
                let reference = d("0.50") + Decimal::from(g.below(300)) * step;
                let mut values: Vec<Option<Decimal>> = Vec::new();
                for col in &columns {
                    let mut near: Vec<Decimal> = Vec::new();
                    for c in criteria.iter().filter(|c| c.measure == *col) {
                        let t = c.threshold.resolve(|_| Some(reference));
                        near.extend(t.map(|t| {
                            let by = if c.unit == Unit::Persons {
                                Decimal::ONE
                            } else {
                                step
                            };
                            t + by * Decimal::from(g.below(3) as i64 - 1)
                        }));
                    }
                    let v = if g.chance(8) {
                        None
                    } else if *col == "convicted_national_pct" {
                        Some(reference)
                    } else if !near.is_empty() && g.chance(70) {
                        Some(near[g.below(near.len())])
                    } else {
                        Some(Decimal::from(g.below(12_000)) * step)
                    };
                    values.push(v);
                }
                observations.push(Observation {
                    area_id: area.clone(),
                    area_name: String::new(),
                    municipality: String::new(),
                    list_year: year,
                    values: columns
                        .iter()
                        .zip(&values)
                        .filter_map(|(k, v)| Some((k.to_string(), (*v)?)))
                        .collect(),
                });
                values_of.insert(area.clone(), values);
            }
            let full = evaluate(&catalog, &observations, &history, &options);
            let plan = YearPlan::new(&catalog, year, &columns, &options);
            let (full, plan) = match (full, plan) {
                (Ok(f), Ok(p)) => (f, p),
                (Err(a), Err(b)) => {
                    assert_eq!(a, b, "case {case}");
                    errors += 1;
                    continue;
                }
                (f, p) => panic!("case {case}: {:?} against {:?}", f.err(), p.err()),
            };
            let mut out = Vec::new();
            for a in &full.areas {
                let streaks = plan.streaks(&a.area_id, &history);
                plan.decide(&values_of[&a.area_id], &streaks, &mut out);
                let want: Vec<(&str, &str, ListOutcome)> = a
                    .lists
                    .iter()
                    .map(|l| (l.rule_set.as_str(), l.id.as_str(), l.outcome))
                    .collect();
                let got: Vec<(&str, &str, ListOutcome)> = plan
                    .lists()
                    .zip(&out)
                    .map(|((r, l), o)| (r, l, *o))
                    .collect();
                assert_eq!(got, want, "case {case}, year {year}, area {}", a.area_id);
                for l in &a.lists {
                    match l.outcome {
                        ListOutcome::On => on += 1,
                        ListOutcome::Off => off += 1,
                        ListOutcome::Undefined => undefined += 1,
                    }
                    streak_on += usize::from(
                        l.outcome == ListOutcome::On && l.streak.as_ref().is_some_and(|s| s.value),
                    );
                }
            }
        }
        // The inputs reach every outcome, streaks that hold, and refusals.
        assert!(
            on > 500 && off > 500 && undefined > 50,
            "{on} {off} {undefined}"
        );
        assert!(streak_on > 20, "{streak_on}");
        assert!(errors > 10, "{errors}");
    }
}
