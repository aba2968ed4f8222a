//! Loading rule sets from their TOML text, with errors that point at a line and a column.

use crate::Decimal;
use crate::expr;
use crate::model::{
    Average, BasicEducation, Criterion, InForce, ListDef, Measurement, Operator, Override, RuleSet,
    Streak, Threshold, Unit, WithoutOrigin,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use toml::Spanned;

/// An error in a rule file, at a line and column (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The file (or built-in name) the rule set came from.
    pub file: String,
    /// 1-based line; 0 when the error concerns the whole catalog.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for RuleError {}

impl RuleError {
    /// The error at byte `offset` of `src`, with its 1-based line and column. For parsers of
    /// other rule-like files (the screening specs) so that all point at lines alike.
    pub fn at(file: &str, src: &str, offset: usize, message: impl Into<String>) -> RuleError {
        let (line, column) = line_col(src, offset);
        RuleError {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, col)
}

struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    fn at(&self, offset: usize, message: impl Into<String>) -> RuleError {
        RuleError::at(self.file, self.src, offset, message)
    }

    fn decimal(&self, v: &Spanned<toml::Value>, what: &str) -> Result<Decimal, RuleError> {
        decimal_of(v.get_ref()).map_err(|m| self.at(v.span().start, format!("{what}: {m}")))
    }
}

/// A decimal as a rule file writes it: a string ("0.80") or an integer. A floating-point
/// number is refused, because it would not be kept exactly as written. Also used by the
/// screening specs.
pub fn decimal_of(v: &toml::Value) -> Result<Decimal, String> {
    match v {
        toml::Value::Integer(i) => Ok(Decimal::from(*i)),
        toml::Value::String(s) => Decimal::from_str(s.trim())
            .map_err(|_| format!("'{s}' is not a decimal number; expected e.g. \"0.80\"")),
        toml::Value::Float(f) => Err(format!(
            "{f} is written as a floating-point number; write it as a string (\"{f}\") so that it is kept exactly as written"
        )),
        other => Err(format!(
            "expected a decimal number written as a string (e.g. \"2.70\"), found {}",
            other.type_str()
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleSet {
    id: Spanned<String>,
    family: String,
    title: String,
    title_en: String,
    source: String,
    in_force: RawInForce,
    #[serde(default)]
    description: String,
    #[serde(default)]
    criteria: Vec<RawCriterion>,
    #[serde(default)]
    origin: Option<RawOrigin>,
    lists: Vec<RawList>,
    measurement: Option<RawMeasurement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasurement {
    average: Spanned<String>,
    basic_education: Spanned<String>,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInForce {
    first_list_year: i32,
    last_list_year: Option<i32>,
    list_date: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrigin {
    note: String,
    criteria: Vec<RawCriterion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: Spanned<String>,
    name: String,
    name_en: String,
    population: String,
    measure: String,
    unit: Spanned<String>,
    operator: Spanned<String>,
    threshold: Spanned<toml::Value>,
    window_years: Option<Spanned<u32>>,
    group: Option<String>,
    paragraph: String,
    text: String,
    #[serde(default)]
    text_source: String,
    #[serde(default)]
    measurement: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    id: Spanned<String>,
    name: String,
    name_en: String,
    paragraph: String,
    text: String,
    #[serde(default)]
    text_source: String,
    condition: Spanned<String>,
    #[serde(default)]
    excludes: Vec<Spanned<String>>,
    #[serde(default)]
    exclusion_reason: String,
    streak: Option<RawStreak>,
    without_origin: Spanned<String>,
    #[serde(default)]
    without_origin_note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStreak {
    years: Spanned<u32>,
    counts_as: Vec<String>,
    paragraph: String,
    text: String,
    #[serde(default)]
    text_source: String,
    #[serde(default)]
    overrides: Vec<RawOverride>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    list_years: Vec<i32>,
    years: Spanned<u32>,
    paragraph: String,
    text: String,
    #[serde(default)]
    text_source: String,
}

impl RuleSet {
    /// Parses one rule set from the text of a rule file. `file` names it in errors.
    pub fn parse(file: &str, src: &str) -> Result<RuleSet, RuleError> {
        let cx = Ctx { file, src };
        let raw: RawRuleSet = toml::from_str(src).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            cx.at(offset, e.message().trim().to_string())
        })?;
        let mut criteria = Vec::new();
        for c in &raw.criteria {
            criteria.push(criterion(&cx, c, false)?);
        }
        let (origin, origin_note) = match &raw.origin {
            Some(o) => {
                let mut v = Vec::new();
                for c in &o.criteria {
                    v.push(criterion(&cx, c, true)?);
                }
                (v, o.note.clone())
            }
            None => (Vec::new(), String::new()),
        };
        let mut seen = BTreeSet::new();
        for (c, raw_c) in criteria.iter().chain(origin.iter()).zip(
            raw.criteria
                .iter()
                .chain(raw.origin.iter().flat_map(|o| &o.criteria)),
        ) {
            if !seen.insert(c.id.clone()) {
                return Err(cx.at(
                    raw_c.id.span().start,
                    format!("criterion '{}' is defined twice", c.id),
                ));
            }
        }
        let list_ids: BTreeSet<String> = raw.lists.iter().map(|l| l.id.get_ref().clone()).collect();
        for l in &raw.lists {
            if seen.contains(l.id.get_ref()) {
                return Err(cx.at(
                    l.id.span().start,
                    format!(
                        "'{}' names both a criterion and a list; expected distinct names",
                        l.id.get_ref()
                    ),
                ));
            }
        }
        let is_list = |name: &str| {
            if list_ids.contains(name) {
                Some(true)
            } else if seen.contains(name) {
                Some(false)
            } else {
                None
            }
        };
        let mut lists = Vec::new();
        let mut list_seen = BTreeSet::new();
        for l in &raw.lists {
            if !list_seen.insert(l.id.get_ref().clone()) {
                return Err(cx.at(
                    l.id.span().start,
                    format!("list '{}' is defined twice", l.id.get_ref()),
                ));
            }
            lists.push(list(&cx, l, &is_list)?);
        }
        let lists = order_lists(&cx, lists, &raw.lists)?;
        if let Some(last) = raw.in_force.last_list_year
            && last < raw.in_force.first_list_year
        {
            return Err(cx.at(
                raw.id.span().start,
                format!(
                    "in_force: last_list_year {last} is before first_list_year {}",
                    raw.in_force.first_list_year
                ),
            ));
        }
        let measurement = match &raw.measurement {
            None => Measurement::default(),
            Some(m) => Measurement {
                average: match m.average.get_ref().as_str() {
                    "mean_of_years" => Average::MeanOfYears,
                    "pooled" => Average::Pooled,
                    other => {
                        return Err(cx.at(
                            m.average.span().start,
                            format!("measurement.average: unknown value '{other}'; expected \"mean_of_years\" or \"pooled\""),
                        ));
                    }
                },
                basic_education: match m.basic_education.get_ref().as_str() {
                    "unknown_counts_as_basic" => BasicEducation::UnknownCountsAsBasic,
                    "danish_or_approved_only" => BasicEducation::DanishOrApprovedOnly,
                    other => {
                        return Err(cx.at(
                            m.basic_education.span().start,
                            format!("measurement.basic_education: unknown value '{other}'; expected \"unknown_counts_as_basic\" or \"danish_or_approved_only\""),
                        ));
                    }
                },
                note: m.note.trim().to_string(),
            },
        };
        Ok(RuleSet {
            measurement,
            id: raw.id.into_inner(),
            family: raw.family,
            title: raw.title,
            title_en: raw.title_en,
            source: raw.source,
            in_force: InForce {
                first_list_year: raw.in_force.first_list_year,
                last_list_year: raw.in_force.last_list_year,
                list_date: raw.in_force.list_date,
            },
            description: raw.description,
            criteria,
            origin,
            origin_note,
            lists,
        })
    }
}

/// The longest averaging window a criterion may have, in years: the data go back to 2006 and
/// the law averages over 2 or 4 years, so a longer window is a typo, not a rule.
pub const MAX_WINDOW_YEARS: u32 = 10;

fn criterion(cx: &Ctx<'_>, c: &RawCriterion, origin: bool) -> Result<Criterion, RuleError> {
    let unit = match c.unit.get_ref().as_str() {
        "pct" => Unit::Percent,
        "pct_of_reference" => Unit::PercentOfReference,
        "persons" => Unit::Persons,
        other => {
            return Err(cx.at(
                c.unit.span().start,
                format!(
                    "unknown unit '{other}'; expected \"pct\", \"pct_of_reference\" or \"persons\""
                ),
            ));
        }
    };
    let operator = Operator::parse(c.operator.get_ref()).ok_or_else(|| {
        cx.at(
            c.operator.span().start,
            format!(
                "unknown operator '{}'; expected \">\" (overstiger), \"≥\" (mindst), \"<\" (mindre end) or \"≤\" (højst)",
                c.operator.get_ref()
            ),
        )
    })?;
    let threshold = threshold(cx, &c.threshold)?;
    if matches!(threshold, Threshold::Per { .. }) && unit != Unit::Percent {
        return Err(cx.at(
            c.threshold.span().start,
            "a threshold 'per' a base applies to a measure in per cent; expected unit = \"pct\"",
        ));
    }
    if let Some(w) = &c.window_years
        && !(1..=MAX_WINDOW_YEARS).contains(w.get_ref())
    {
        return Err(cx.at(
            w.span().start,
            format!(
                "window_years = {}; expected the years averaged over, from 1 to {MAX_WINDOW_YEARS} (the law averages over 2 or 4)",
                w.get_ref()
            ),
        ));
    }
    Ok(Criterion {
        id: c.id.get_ref().clone(),
        name: c.name.clone(),
        name_en: c.name_en.clone(),
        population: c.population.clone(),
        measure: c.measure.clone(),
        unit,
        operator,
        threshold,
        window_years: c.window_years.as_ref().map(|w| *w.get_ref()),
        group: c.group.clone(),
        paragraph: c.paragraph.clone(),
        text: c.text.trim().to_string(),
        text_source: c.text_source.trim().to_string(),
        measurement: c.measurement.trim().to_string(),
        origin,
    })
}

fn threshold(cx: &Ctx<'_>, v: &Spanned<toml::Value>) -> Result<Threshold, RuleError> {
    let at = v.span().start;
    match v.get_ref() {
        toml::Value::Table(t) => {
            let get = |k: &str| t.get(k);
            let keys: BTreeSet<&str> = t.keys().map(String::as_str).collect();
            let dec = |k: &str| -> Result<Decimal, RuleError> {
                decimal_of(get(k).expect("key checked"))
                    .map_err(|m| cx.at(at, format!("threshold.{k}: {m}")))
            };
            if keys == BTreeSet::from(["factor", "of"]) {
                let reference = get("of")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| cx.at(at, "threshold.of: expected the name of an input column, e.g. \"convicted_national_pct\""))?;
                Ok(Threshold::FactorOf {
                    factor: dec("factor")?,
                    reference: reference.to_string(),
                })
            } else if keys == BTreeSet::from(["value", "per"]) {
                let per = dec("per")?;
                if per <= Decimal::ZERO {
                    return Err(cx.at(at, "threshold.per: expected a positive base, e.g. 10000"));
                }
                Ok(Threshold::Per {
                    value: dec("value")?,
                    per,
                })
            } else {
                Err(cx.at(
                    at,
                    "threshold: expected a number (\"40\"), { factor = \"3\", of = \"convicted_national_pct\" } or { value = \"270\", per = 10000 }",
                ))
            }
        }
        _ => Ok(Threshold::Value(cx.decimal(v, "threshold")?)),
    }
}

fn list(
    cx: &Ctx<'_>,
    l: &RawList,
    is_list: &dyn Fn(&str) -> Option<bool>,
) -> Result<ListDef, RuleError> {
    // The condition's text starts after the opening quote of a basic string; for other string
    // forms the column may be off by the quote's width, never by a line.
    let cond_start = l.condition.span().start + 1;
    let condition = expr::parse(l.condition.get_ref(), is_list)
        .map_err(|e| cx.at(cond_start + e.offset, format!("condition: {}", e.message)))?;
    if condition.lists().contains(&l.id.get_ref().as_str()) {
        return Err(cx.at(
            cond_start,
            format!(
                "the condition of '{}' refers to the list itself",
                l.id.get_ref()
            ),
        ));
    }
    for x in &l.excludes {
        if is_list(x.get_ref()) != Some(true) {
            return Err(cx.at(
                x.span().start,
                format!("excludes: '{}' is not a list of this rule set", x.get_ref()),
            ));
        }
    }
    if !l.excludes.is_empty() && l.exclusion_reason.trim().is_empty() {
        return Err(cx.at(
            l.id.span().start,
            "a list with 'excludes' must give its 'exclusion_reason'",
        ));
    }
    let without_origin = match l.without_origin.get_ref().as_str() {
        "drop" => WithoutOrigin::Drop,
        "undefined" => WithoutOrigin::Undefined,
        other => {
            return Err(cx.at(
                l.without_origin.span().start,
                format!(
                    "without_origin: unknown value '{other}'; expected \"drop\" or \"undefined\""
                ),
            ));
        }
    };
    let streak = match &l.streak {
        None => None,
        Some(s) => {
            let mut overrides = Vec::new();
            for o in &s.overrides {
                if *o.years.get_ref() == 0 {
                    return Err(cx.at(
                        o.years.span().start,
                        "streak override: expected at least 1 year",
                    ));
                }
                overrides.push(Override {
                    list_years: o.list_years.clone(),
                    years: *o.years.get_ref(),
                    paragraph: o.paragraph.clone(),
                    text: o.text.trim().to_string(),
                    text_source: o.text_source.trim().to_string(),
                });
            }
            if *s.years.get_ref() == 0 {
                return Err(cx.at(s.years.span().start, "streak: expected at least 1 year"));
            }
            Some(Streak {
                years: *s.years.get_ref(),
                counts_as: s.counts_as.clone(),
                paragraph: s.paragraph.clone(),
                text: s.text.trim().to_string(),
                text_source: s.text_source.trim().to_string(),
                overrides,
            })
        }
    };
    Ok(ListDef {
        id: l.id.get_ref().clone(),
        name: l.name.clone(),
        name_en: l.name_en.clone(),
        paragraph: l.paragraph.clone(),
        text: l.text.trim().to_string(),
        text_source: l.text_source.trim().to_string(),
        condition_source: l.condition.get_ref().clone(),
        condition,
        excludes: l.excludes.iter().map(|x| x.get_ref().clone()).collect(),
        exclusion_reason: l.exclusion_reason.trim().to_string(),
        streak,
        without_origin,
        without_origin_note: l.without_origin_note.trim().to_string(),
    })
}

/// Orders lists so that each comes after the lists it refers to; rejects cycles.
fn order_lists(
    cx: &Ctx<'_>,
    lists: Vec<ListDef>,
    raw: &[RawList],
) -> Result<Vec<ListDef>, RuleError> {
    let deps = |l: &ListDef| -> Vec<String> {
        let mut d: Vec<String> = l.condition.lists().into_iter().map(String::from).collect();
        d.extend(l.excludes.iter().cloned());
        d
    };
    let mut done: Vec<ListDef> = Vec::new();
    let mut pending = lists;
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|l| deps(l).iter().all(|d| done.iter().any(|x| &x.id == d)));
        match ready {
            Some(i) => done.push(pending.remove(i)),
            None => {
                let l = &pending[0];
                let span = raw
                    .iter()
                    .find(|r| r.id.get_ref() == &l.id)
                    .map_or(0, |r| r.id.span().start);
                return Err(cx.at(
                    span,
                    format!(
                        "the lists {} refer to each other in a circle; expected each list to build only on lists that do not build on it",
                        pending.iter().map(|l| format!("'{}'", l.id)).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    Ok(done)
}

/// All rule sets known to a run: the built-in ones, or those of a folder the user supplies.
#[derive(Debug, Clone)]
pub struct Catalog {
    rule_sets: Vec<RuleSet>,
}

impl Catalog {
    /// Builds a catalog from `(file name, text)` pairs and checks it as a whole: unique ids, no
    /// two rule sets of one family in force for the same list year, and every list named in a
    /// streak defined somewhere in the family.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, RuleError> {
        let mut rule_sets = Vec::new();
        for (file, src) in sources {
            rule_sets.push((file.to_string(), RuleSet::parse(file, src)?));
        }
        Catalog::from_rule_sets(rule_sets)
    }

    /// Builds a catalog from parsed rule sets, each with the file it came from, and checks it
    /// as a whole (see [`Catalog::from_sources`]). This is how a what-if variant of an official
    /// rule set enters the engine.
    pub fn from_rule_sets(rule_sets: Vec<(String, RuleSet)>) -> Result<Catalog, RuleError> {
        let whole = |file: &str, message: String| RuleError {
            file: file.to_string(),
            line: 0,
            column: 0,
            message,
        };
        let mut ids = BTreeMap::new();
        for (file, r) in &rule_sets {
            if let Some(other) = ids.insert(r.id.clone(), file.clone()) {
                return Err(whole(
                    file,
                    format!("rule set id '{}' is also used by {other}", r.id),
                ));
            }
        }
        for (i, (file, a)) in rule_sets.iter().enumerate() {
            for (_, b) in &rule_sets[i + 1..] {
                if a.family != b.family {
                    continue;
                }
                let (a0, a1) = (
                    a.in_force.first_list_year,
                    a.in_force.last_list_year.unwrap_or(i32::MAX),
                );
                let (b0, b1) = (
                    b.in_force.first_list_year,
                    b.in_force.last_list_year.unwrap_or(i32::MAX),
                );
                if a0 <= b1 && b0 <= a1 {
                    return Err(whole(
                        file,
                        format!(
                            "rule sets '{}' and '{}' of family '{}' are both in force for list year {}; expected one per family and year",
                            a.id,
                            b.id,
                            a.family,
                            a0.max(b0)
                        ),
                    ));
                }
            }
            for l in &a.lists {
                for name in l.streak.iter().flat_map(|s| &s.counts_as) {
                    let known = rule_sets
                        .iter()
                        .any(|(_, r)| r.family == a.family && r.list(name).is_some());
                    if !known {
                        return Err(whole(
                            file,
                            format!(
                                "the streak of '{}' counts list '{name}', which no rule set of family '{}' defines",
                                l.id, a.family
                            ),
                        ));
                    }
                }
            }
        }
        let mut rule_sets: Vec<RuleSet> = rule_sets.into_iter().map(|(_, r)| r).collect();
        // The state's lists first, then related rule sets such as § 51 b; each family by date.
        rule_sets.sort_by(|a, b| {
            let key = |r: &RuleSet| {
                (
                    r.family != "state-lists",
                    r.family.clone(),
                    r.in_force.first_list_year,
                )
            };
            key(a).cmp(&key(b))
        });
        Ok(Catalog { rule_sets })
    }

    /// The rule sets shipped with kvarter (the repository's `rules/` folder, compiled in).
    pub fn builtin() -> Catalog {
        Catalog::from_sources(crate::builtin::SOURCES.iter().copied())
            .expect("the built-in rule sets are checked by the test suite")
    }

    /// Every rule set, by family and date.
    pub fn rule_sets(&self) -> &[RuleSet] {
        &self.rule_sets
    }

    /// The rule set with this id.
    pub fn get(&self, id: &str) -> Option<&RuleSet> {
        self.rule_sets.iter().find(|r| r.id == id)
    }

    /// The rule sets that apply to the list of `year`: per family, the one of `overrides` if one
    /// is given for that family, else the one in force by list date.
    pub fn select<'a>(&'a self, year: i32, overrides: &[&'a RuleSet]) -> Vec<&'a RuleSet> {
        let mut families: Vec<&str> = self.rule_sets.iter().map(|r| r.family.as_str()).collect();
        families.dedup();
        let mut out = Vec::new();
        for fam in families {
            if let Some(o) = overrides.iter().find(|o| o.family == fam) {
                out.push(*o);
            } else if let Some(r) = self
                .rule_sets
                .iter()
                .find(|r| r.family == fam && r.in_force.covers(year))
            {
                out.push(r);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
id = "mini"
family = "state-lists"
title = "t"
title_en = "t"
source = "s"
in_force = { first_list_year = 2021, list_date = "1. december" }

[[criteria]]
id = "a"
name = "a"
name_en = "a"
population = "p"
measure = "m"
unit = "pct"
operator = ">"
threshold = "40"
paragraph = "§ 1"
text = "overstiger 40 pct."

[[lists]]
id = "l"
name = "l"
name_en = "l"
paragraph = "§ 2"
text = "..."
condition = "a and b"
without_origin = "drop"
"#;

    #[test]
    fn unknown_name_in_condition_points_at_line_and_column() {
        let err = RuleSet::parse("mini.toml", MINI).unwrap_err();
        assert_eq!((err.line, err.column), (27, 20), "{err}");
        assert!(err.message.contains("'b' is neither"), "{err}");
    }

    #[test]
    fn a_condition_nested_too_deep_is_a_located_error() {
        for (condition, column) in [
            (
                format!("{}a{}", "(".repeat(20_000), ")".repeat(20_000)),
                14 + crate::expr::MAX_DEPTH,
            ),
            (
                format!("{}a", "not ".repeat(100_000)),
                14 + 4 * crate::expr::MAX_DEPTH,
            ),
        ] {
            let src = MINI.replace("a and b", &condition);
            let err = RuleSet::parse("deep.toml", &src).unwrap_err();
            assert_eq!((err.line, err.column), (27, column), "{err}");
            assert!(err.to_string().starts_with("deep.toml:27:"), "{err}");
            assert!(err.message.contains("nested at most"), "{err}");
        }
    }

    #[test]
    fn a_window_of_four_billion_years_is_refused_at_its_key() {
        for w in ["4000000000", "0", "11"] {
            let src = MINI
                .replace(
                    "threshold = \"40\"",
                    &format!("threshold = \"40\"\nwindow_years = {w}"),
                )
                .replace("a and b", "a");
            let err = RuleSet::parse("mini.toml", &src).unwrap_err();
            assert_eq!((err.line, err.column), (18, 16), "{err}");
            assert!(err.message.contains("from 1 to 10"), "{err}");
        }
        let src = MINI
            .replace("threshold = \"40\"", "threshold = \"40\"\nwindow_years = 4")
            .replace("a and b", "a");
        assert!(RuleSet::parse("mini.toml", &src).is_ok());
    }

    #[test]
    fn a_float_threshold_is_refused() {
        let src = MINI
            .replace("threshold = \"40\"", "threshold = 0.8")
            .replace("a and b", "a");
        let err = RuleSet::parse("mini.toml", &src).unwrap_err();
        assert_eq!((err.line, err.column), (17, 13), "{err}");
        assert!(err.message.contains("kept exactly"), "{err}");
    }

    #[test]
    fn a_typo_in_a_key_is_refused_with_its_position() {
        let src = MINI
            .replace("paragraph = \"§ 1\"", "paragrap = \"§ 1\"")
            .replace("a and b", "a");
        let err = RuleSet::parse("mini.toml", &src).unwrap_err();
        assert_eq!((err.line, err.column), (18, 1), "{err}");
        assert!(err.message.contains("paragrap"), "{err}");
    }

    #[test]
    fn per_base_threshold_is_exact() {
        let t = Threshold::Per {
            value: Decimal::from(270),
            per: Decimal::from(10000),
        };
        assert_eq!(
            t.resolve(|_| None),
            Some(Decimal::from_str("2.70").unwrap())
        );
    }
}
