//! Scenario tests as data, in the manner of OpenFisca's YAML tests: a named situation, its
//! inputs and the expected lists, readable by a housing lawyer.
//!
//! ```toml
//! rules = "dk-2021"                 # optional: the rule set for every scenario in the file
//!
//! [base]                            # values every scenario starts from ("" = missing)
//! residents = "2000"
//! outside_labour_pct = "20"
//!
//! [[scenario]]
//! name = "Præcis 40 pct. overstiger ikke 40 pct."
//! paragraph = "§ 61 a, stk. 1, nr. 1"
//! list_year = 2021
//! values = { outside_labour_pct = "40.00", income_pct_of_region = "50" }
//! expect = []                       # exactly the lists the area is on
//! ```
//!
//! A scenario with several years lists them under `years = [{ list_year, values, expect }, ..]`;
//! `history = [{ list_year, list }]` gives published memberships before the data. `expect_undefined`
//! and `expect_not_evaluable` check lists undefined without origin and criteria without a value.

use crate::load::{Catalog, RuleError};
use crate::{CriterionOutcome, Decimal, EvalOptions, History, ListOutcome, Observation, evaluate};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// The area id every scenario uses.
pub const AREA: &str = "A";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rules: Option<String>,
    #[serde(default)]
    base: BTreeMap<String, toml::Value>,
    scenario: Vec<RawScenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    #[serde(default)]
    paragraph: String,
    rules: Option<String>,
    #[serde(default)]
    without_origin: bool,
    #[serde(default)]
    history: Vec<RawHistory>,
    list_year: Option<i32>,
    #[serde(default)]
    values: BTreeMap<String, toml::Value>,
    expect: Option<Vec<String>>,
    #[serde(default)]
    expect_undefined: Vec<String>,
    #[serde(default)]
    expect_not_evaluable: Vec<String>,
    #[serde(default)]
    years: Vec<RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    list_year: i32,
    #[serde(default)]
    values: BTreeMap<String, toml::Value>,
    expect: Vec<String>,
    #[serde(default)]
    expect_undefined: Vec<String>,
    #[serde(default)]
    expect_not_evaluable: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    list_year: i32,
    list: Option<String>,
}

/// One year of a scenario: inputs and expectations.
#[derive(Debug, Clone)]
pub struct ScenarioYear {
    /// The list year.
    pub list_year: i32,
    /// The values (base overlaid with the scenario's).
    pub values: BTreeMap<String, Decimal>,
    /// Exactly the lists expected.
    pub expect: BTreeSet<String>,
    /// Lists expected to be undefined.
    pub expect_undefined: BTreeSet<String>,
    /// Criteria expected to be not evaluable.
    pub expect_not_evaluable: BTreeSet<String>,
}

/// A parsed scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// What situation it describes.
    pub name: String,
    /// The paragraph it exercises.
    pub paragraph: String,
    /// The rule set override, if any.
    pub rules: Option<String>,
    /// Origin switched off.
    pub without_origin: bool,
    /// Published memberships before the data; `None` marks a year whose list is known and
    /// does not name the area.
    pub history: Vec<(i32, Option<String>)>,
    /// The years, ascending.
    pub years: Vec<ScenarioYear>,
}

/// Parses a scenario file. `file` names it in errors.
pub fn parse(file: &str, src: &str) -> Result<Vec<Scenario>, RuleError> {
    let err = |message: String, offset: usize| {
        let before = &src[..offset.min(src.len())];
        RuleError {
            file: file.to_string(),
            line: before.matches('\n').count() + 1,
            column: before
                .rfind('\n')
                .map_or(before.len(), |n| before.len() - n - 1)
                + 1,
            message,
        }
    };
    let raw: RawFile = toml::from_str(src).map_err(|e| {
        err(
            e.message().trim().to_string(),
            e.span().map_or(0, |s| s.start),
        )
    })?;
    let values = |m: &BTreeMap<String, toml::Value>, into: &mut BTreeMap<String, Decimal>| {
        for (k, v) in m {
            let s = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                other => {
                    return Err(format!(
                        "value of '{k}': expected a decimal as a string, found {}",
                        other.type_str()
                    ));
                }
            };
            if s.trim().is_empty() {
                into.remove(k);
            } else {
                let d = Decimal::from_str(s.trim())
                    .map_err(|_| format!("value of '{k}': '{s}' is not a decimal number"))?;
                into.insert(k.clone(), d);
            }
        }
        Ok(())
    };
    let mut base = BTreeMap::new();
    values(&raw.base, &mut base).map_err(|m| err(format!("[base]: {m}"), 0))?;
    let mut out = Vec::new();
    for s in raw.scenario {
        let name = s.name.clone();
        let locate = |m: String| {
            let offset = src.find(&name).unwrap_or(0);
            err(format!("scenario \"{name}\": {m}"), offset)
        };
        let mut raw_years = s.years;
        match (s.list_year, s.expect) {
            (Some(list_year), Some(expect)) => raw_years.push(RawYear {
                list_year,
                values: s.values,
                expect,
                expect_undefined: s.expect_undefined,
                expect_not_evaluable: s.expect_not_evaluable,
            }),
            (None, None) if !raw_years.is_empty() => {}
            _ => {
                return Err(locate(
                    "expected 'list_year' with 'expect', or a list of 'years'".into(),
                ));
            }
        }
        let mut years = Vec::new();
        for y in raw_years {
            let mut v = base.clone();
            values(&y.values, &mut v).map_err(&locate)?;
            years.push(ScenarioYear {
                list_year: y.list_year,
                values: v,
                expect: y.expect.into_iter().collect(),
                expect_undefined: y.expect_undefined.into_iter().collect(),
                expect_not_evaluable: y.expect_not_evaluable.into_iter().collect(),
            });
        }
        years.sort_by_key(|y| y.list_year);
        out.push(Scenario {
            name: s.name,
            paragraph: s.paragraph,
            rules: s.rules.or_else(|| raw.rules.clone()),
            without_origin: s.without_origin,
            history: s
                .history
                .into_iter()
                .map(|h| (h.list_year, h.list))
                .collect(),
            years,
        });
    }
    Ok(out)
}

impl Scenario {
    /// Runs the scenario; returns what differed from the expectation (empty when it passes).
    pub fn run(&self, catalog: &Catalog) -> Vec<String> {
        let observations: Vec<Observation> = self
            .years
            .iter()
            .map(|y| Observation {
                area_id: AREA.into(),
                area_name: self.name.clone(),
                municipality: String::new(),
                list_year: y.list_year,
                values: y.values.clone(),
            })
            .collect();
        let mut history = History::new();
        for (year, list) in &self.history {
            match list {
                Some(list) => history.add(*year, AREA, list),
                None => history.add_year(*year),
            }
        }
        let options = EvalOptions {
            without_origin: self.without_origin,
            overrides: self.rules.iter().cloned().collect(),
        };
        let eval = match evaluate(catalog, &observations, &history, &options) {
            Ok(e) => e,
            Err(e) => return vec![format!("evaluation failed: {e}")],
        };
        let mut failures = Vec::new();
        for (y, got) in self.years.iter().zip(&eval.areas) {
            let mut check = |what: &str, expected: &BTreeSet<String>, got: BTreeSet<String>| {
                if &got != expected {
                    failures.push(format!(
                        "{}: expected {what} {expected:?}, got {got:?}",
                        y.list_year
                    ));
                }
            };
            check("lists", &y.expect, got.on().map(|l| l.id.clone()).collect());
            if !y.expect_undefined.is_empty() {
                let undefined = got
                    .lists
                    .iter()
                    .filter(|l| l.outcome == ListOutcome::Undefined)
                    .map(|l| l.id.clone())
                    .collect();
                check("undefined lists", &y.expect_undefined, undefined);
            }
            if !y.expect_not_evaluable.is_empty() {
                let not_evaluable = got
                    .criteria
                    .iter()
                    .filter(|c| matches!(c.outcome, CriterionOutcome::NotEvaluable { .. }))
                    .map(|c| c.id.clone())
                    .collect();
                check("not evaluable", &y.expect_not_evaluable, not_evaluable);
            }
        }
        failures
    }
}
