//! # kvarter-whatif — what if the law changed, or the residents did
//!
//! Two kinds of what-if, both pure and both evaluated with the normal engine ([`evaluate`]):
//!
//! - **Rule what-if** ([`Overlay`], [`apply`], [`rules_whatif`], [`compare`]): an overlay on the
//!   rule sets in force for a list year. It can set a criterion's threshold to another figure
//!   ("outside the labour market over 35 % instead of 40 %"), change the `k` of a list's
//!   `k of [..]` condition ("3 of 4 instead of 2 of 4"), and switch off the origin criteria.
//!   The overlay only changes numbers: every operator (`>` or `≥`) stays exactly as the law
//!   writes it. [`apply`] gives a modified rule set whose id is marked (`dk-2021+whatif`), and
//!   [`compare`] says, per list, which areas enter and which leave.
//! - **Resident what-if** ([`Lever`], [`area_whatif`], [`smallest_changes`]): levers on one
//!   area's inputs for a list year ("N more residents aged 18–64 in work", "N fewer convicted",
//!   "N more with more than basic education", a letting policy). The area's criteria and lists
//!   are evaluated again, and [`smallest_changes`] finds, per list the area is on and per lever,
//!   the smallest number of persons that takes the area off that list.
//!
//! # Which lists a what-if changes
//!
//! Only the list of the chosen year. The lists of earlier years stand as the law in force
//! computed them from the same input (or as published, for years before the input starts), in
//! the same view (with or without origin). A streak ("in each of the last 5 years") of the
//! chosen year therefore counts the years as they were, exactly as a change of the law for the
//! next list would. The streak traces of a what-if name those years' source as the history.
//!
//! # How the levers change the values
//!
//! The criteria carry shares of a group (`outside_labour_pct` of `persons_18_64`, and so on) and
//! an [`Observation`] carries each group's size. A lever of `N` persons on a share of a group of
//! `G` persons moves the share by `N / G × 100` percentage points, exactly in decimals (a share
//! is never rounded after the change; it is compared with the threshold exactly). Shares that
//! the law averages over 2 years are treated the simplest honest way: the change holds in every
//! year of the window and the group size the observation carries stands for each year, so the
//! average moves by the same `N / G × 100`. A share never goes below 0.
//!
//! - [`Lever::MoreInWork`]: `N` more residents aged 18–64 in work or education, that is `N`
//!   full-time persons fewer outside: `outside_labour_pct` of `persons_18_64`.
//! - [`Lever::FewerConvicted`]: `N` fewer convicted residents aged 18 or over: `convicted_pct`
//!   of `persons_18_plus`. The national share the threshold is a multiple of is left as it is
//!   (one area barely moves it).
//! - [`Lever::MoreEducated`]: `N` more residents aged 30–59 with more than basic education:
//!   `basic_education_pct` of `persons_30_59`.
//! - [`Lever::Letting`]: a letting policy. `M` residents move out and `M` move in, so that the
//!   number of residents and of each age group stays the same. Those who leave are like the
//!   area's residents on average; those who arrive have the [`Profile`] given (the mean of the
//!   municipality's areas, of all areas, or figures of one's own). Every measure the profile
//!   has then moves towards it in proportion to the share of residents replaced:
//!   `value + (profile − value) × M / residents`. This supposes that the movers have the age
//!   structure of the residents. It counts persons, not households: the inputs hold no
//!   household sizes.
//!
//! The person levers are applied first, in the order given, then the letting mix.
//!
//! # Why the search for the smallest change is exact
//!
//! Every lever moves each measure linearly (and so monotonically) in `N`; thresholds and their
//! references do not move. Each criterion can therefore change its outcome at most once as `N`
//! grows. A list's outcome is a function of the criteria's outcomes (the earlier years are
//! fixed), so it can only change where a criterion does. [`smallest_changes`] bisects `0..=G`
//! until every pair of neighbouring evaluated points either has the same criterion outcomes
//! (then nothing changes in between) or is one person apart; the first evaluated point where the
//! area is off the list is then the smallest `N`. The tests check this against a scan of every
//! `N`.

use kvarter_rules::{AreaEvaluation, CriterionOutcome, EvalError, EvalOptions, Evaluation};
use kvarter_rules::{Catalog, Decimal, Expr, Operator, RuleError, RuleSet, Threshold, Unit};
use kvarter_rules::{History, ListOutcome, Observation, evaluate};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// The mark appended to the id of a rule set changed by an overlay: `dk-2021+whatif`.
pub const WHATIF_SUFFIX: &str = "+whatif";

/// What the compact text form of an overlay part looks like, for messages.
pub const OVERLAY_SYNTAX: &str = "threshold:CRITERION=NUMBER (e.g. threshold:outside_labour=35), k:LIST=K (e.g. k:udsat_boligomraade=3) or without-origin; CRITERION and LIST may be prefixed by a rule set, as in dk-51b/outside_labour";

// ---------------------------------------------------------------------------------------------
// Errors.

/// Why a what-if could not be made. Every message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhatIfError {
    /// A part of an overlay's text that is not understood.
    Syntax {
        /// The part as given.
        part: String,
    },
    /// A number that is out of range, or a part given twice.
    Value {
        /// The part as given.
        part: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A criterion that the rule sets in force do not have.
    UnknownCriterion {
        /// The id as given.
        id: String,
        /// The ids that would be understood.
        known: Vec<String>,
    },
    /// A list that the rule sets in force do not have.
    UnknownList {
        /// The id as given.
        id: String,
        /// The ids that would be understood.
        known: Vec<String>,
    },
    /// A `k:` part for a list without exactly one `k of [..]` condition.
    NoKOf {
        /// The list.
        list: String,
        /// The lists that have one.
        known: Vec<String>,
    },
    /// A rule-set prefix that names no rule set in force.
    UnknownRuleSet {
        /// The id as given.
        id: String,
        /// The rule sets in force.
        known: Vec<String>,
    },
    /// The input has no values for the list year.
    NoYear {
        /// The year asked for.
        year: i32,
        /// The years the input has.
        years: Vec<i32>,
    },
    /// The input has no values for the area in the list year.
    NoArea {
        /// The area asked for.
        area: String,
        /// The year asked for.
        year: i32,
        /// The years the area has values for (empty: the area is unknown).
        years: Vec<i32>,
    },
    /// A lever that cannot be applied to the area.
    Lever {
        /// The lever's id (e.g. `more_in_work`).
        lever: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The engine refused the evaluation.
    Eval(EvalError),
    /// The changed rule sets do not form a catalog.
    Catalog(RuleError),
}

impl fmt::Display for WhatIfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WhatIfError::Syntax { part } => {
                write!(f, "'{part}' is not understood; expected {OVERLAY_SYNTAX}")
            }
            WhatIfError::Value { part, message } => write!(f, "'{part}': {message}"),
            WhatIfError::UnknownCriterion { id, known } => write!(
                f,
                "threshold:{id}: no such criterion in the rule sets in force; expected one of: {}",
                known.join(", ")
            ),
            WhatIfError::UnknownList { id, known } => write!(
                f,
                "k:{id}: no such list in the rule sets in force; expected one of: {}",
                known.join(", ")
            ),
            WhatIfError::NoKOf { list, known } => write!(
                f,
                "k:{list}: the list has no single 'k of [..]' condition; expected one of: {}",
                if known.is_empty() {
                    "(none in the rule sets in force)".to_string()
                } else {
                    known.join(", ")
                }
            ),
            WhatIfError::UnknownRuleSet { id, known } => write!(
                f,
                "'{id}' is not a rule set in force for the year; expected one of: {}",
                known.join(", ")
            ),
            WhatIfError::NoYear { year, years } => write!(
                f,
                "the input has no values for list year {year}; expected one of: {}",
                join_years(years)
            ),
            WhatIfError::NoArea { area, year, years } if years.is_empty() => write!(
                f,
                "no area '{area}' in the input; expected an area_id the input has (list year {year})"
            ),
            WhatIfError::NoArea { area, year, years } => write!(
                f,
                "area '{area}' has no values for list year {year}; expected one of: {}",
                join_years(years)
            ),
            WhatIfError::Lever { lever, message } => write!(f, "{lever}: {message}"),
            WhatIfError::Eval(e) => write!(f, "{e}"),
            WhatIfError::Catalog(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WhatIfError {}

impl From<EvalError> for WhatIfError {
    fn from(e: EvalError) -> WhatIfError {
        WhatIfError::Eval(e)
    }
}

fn join_years(years: &[i32]) -> String {
    if years.is_empty() {
        return "(none)".into();
    }
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// The overlay.

/// A change to the law, as data: new thresholds, new `k`s, and the origin criteria switched off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Overlay {
    /// Criteria whose threshold is set to another figure.
    pub thresholds: Vec<ThresholdChange>,
    /// Lists whose `k of [..]` condition gets another `k`.
    pub k_of: Vec<KChange>,
    /// Switch off the non-Western origin criteria (as `--without-origin` does).
    pub without_origin: bool,
}

/// A criterion's threshold set to another figure.
///
/// The figure replaces the one the law writes, in the law's own terms: the percentage of a
/// fixed threshold (`40` → `35`), the figure of a rate per base (`270` of "270 per 10,000"), or
/// the factor of a multiple (`3` of "3 times the national average").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdChange {
    /// The rule set changed; `None`: the first rule set in force (the state's lists first)
    /// that has the criterion.
    pub rule_set: Option<String>,
    /// The criterion id, e.g. `outside_labour`.
    pub criterion: String,
    /// The new figure.
    pub value: Decimal,
}

/// A list's `k of [..]` condition with another `k`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KChange {
    /// The rule set changed; `None`: the first rule set in force that has the list.
    pub rule_set: Option<String>,
    /// The list id, e.g. `udsat_boligomraade`.
    pub list: String,
    /// The new `k`.
    pub k: usize,
}

/// Splits `dk-51b/outside_labour` into the rule set and the id.
fn qualified(id: &str) -> (Option<String>, String) {
    match id.split_once('/') {
        Some((rs, id)) => (Some(rs.trim().to_string()), id.trim().to_string()),
        None => (None, id.trim().to_string()),
    }
}

fn qualify(rule_set: &Option<String>, id: &str) -> String {
    match rule_set {
        Some(rs) => format!("{rs}/{id}"),
        None => id.to_string(),
    }
}

impl Overlay {
    /// Parses the compact text form: parts such as `threshold:outside_labour=35`,
    /// `k:udsat_boligomraade=3` and `without-origin` (also `without_origin`). Each item may hold
    /// several parts separated by commas; empty parts are ignored. The ids are checked against
    /// a rule set only when the overlay is applied ([`apply`], [`rules_whatif`]).
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Overlay, WhatIfError> {
        let mut o = Overlay::default();
        let mut seen = BTreeSet::new();
        for part in items.into_iter().flat_map(|i| i.split(',')) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let syntax = || WhatIfError::Syntax {
                part: part.to_string(),
            };
            if part == "without-origin" || part == "without_origin" {
                o.without_origin = true;
                continue;
            }
            let (kind, rest) = part.split_once(':').ok_or_else(syntax)?;
            let (id, value) = rest.split_once('=').ok_or_else(syntax)?;
            let (rule_set, id) = qualified(id);
            let valid = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.'))
            };
            if !valid(&id) || rule_set.as_deref().is_some_and(|r| !valid(r)) {
                return Err(syntax());
            }
            if !seen.insert((kind.trim().to_string(), qualify(&rule_set, &id))) {
                return Err(WhatIfError::Value {
                    part: part.to_string(),
                    message: "given twice; expected each criterion and list at most once".into(),
                });
            }
            let value = value.trim();
            match kind.trim() {
                "threshold" | "t" => {
                    let v = Decimal::from_str(value)
                        .ok()
                        .filter(|_| !value.contains(['e', 'E']))
                        .ok_or_else(|| WhatIfError::Value {
                            part: part.to_string(),
                            message: format!(
                                "'{value}' is not a number; expected a decimal number with a point, e.g. 35 or 2.5"
                            ),
                        })?;
                    if v.is_sign_negative() && !v.is_zero() {
                        return Err(WhatIfError::Value {
                            part: part.to_string(),
                            message: "expected a number of 0 or more".into(),
                        });
                    }
                    o.thresholds.push(ThresholdChange {
                        rule_set,
                        criterion: id,
                        value: v,
                    });
                }
                "k" => {
                    let k = value.parse::<usize>().map_err(|_| WhatIfError::Value {
                        part: part.to_string(),
                        message: format!("'{value}' is not a whole number; expected e.g. 3"),
                    })?;
                    o.k_of.push(KChange {
                        rule_set,
                        list: id,
                        k,
                    });
                }
                _ => return Err(syntax()),
            }
        }
        Ok(o)
    }

    /// Whether the overlay changes nothing.
    pub fn is_empty(&self) -> bool {
        self.thresholds.is_empty() && self.k_of.is_empty() && !self.without_origin
    }

    /// The compact text form, parts separated by commas (what [`Overlay::parse`] reads).
    pub fn to_text(&self) -> String {
        let mut parts: Vec<String> = self
            .thresholds
            .iter()
            .map(|t| {
                format!(
                    "threshold:{}={}",
                    qualify(&t.rule_set, &t.criterion),
                    t.value
                )
            })
            .collect();
        parts.extend(
            self.k_of
                .iter()
                .map(|k| format!("k:{}={}", qualify(&k.rule_set, &k.list), k.k)),
        );
        if self.without_origin {
            parts.push("without-origin".into());
        }
        parts.join(",")
    }

    /// The overlay with every part bound to a rule set of `in_force`: a part without a prefix
    /// goes to the first rule set (in the given order) that has the criterion or list. Unknown
    /// ids and prefixes are refused with the ids that would be understood.
    pub fn resolve(&self, in_force: &[&RuleSet]) -> Result<Overlay, WhatIfError> {
        let rs_ids: Vec<String> = in_force.iter().map(|r| r.id.clone()).collect();
        let pick = |prefix: &Option<String>,
                    has: &dyn Fn(&RuleSet) -> bool|
         -> Result<Option<String>, WhatIfError> {
            match prefix {
                Some(p) => {
                    if !rs_ids.contains(p) {
                        return Err(WhatIfError::UnknownRuleSet {
                            id: p.clone(),
                            known: rs_ids.clone(),
                        });
                    }
                    Ok(in_force
                        .iter()
                        .find(|r| &r.id == p && has(r))
                        .map(|r| r.id.clone()))
                }
                None => Ok(in_force.iter().find(|r| has(r)).map(|r| r.id.clone())),
            }
        };
        let mut out = Overlay {
            without_origin: self.without_origin,
            ..Overlay::default()
        };
        for t in &self.thresholds {
            let Some(rs) = pick(&t.rule_set, &|r: &RuleSet| {
                r.criterion(&t.criterion).is_some()
            })?
            else {
                return Err(WhatIfError::UnknownCriterion {
                    id: qualify(&t.rule_set, &t.criterion),
                    known: known_criteria(in_force),
                });
            };
            out.thresholds.push(ThresholdChange {
                rule_set: Some(rs),
                ..t.clone()
            });
        }
        for k in &self.k_of {
            let Some(rs) = pick(&k.rule_set, &|r: &RuleSet| r.list(&k.list).is_some())? else {
                return Err(WhatIfError::UnknownList {
                    id: qualify(&k.rule_set, &k.list),
                    known: known_lists(in_force, false),
                });
            };
            out.k_of.push(KChange {
                rule_set: Some(rs),
                ..k.clone()
            });
        }
        // Two parts that resolve to the same criterion or list (one with, one without prefix).
        let mut seen = BTreeSet::new();
        for key in out
            .thresholds
            .iter()
            .map(|t| ("threshold", qualify(&t.rule_set, &t.criterion)))
            .chain(
                out.k_of
                    .iter()
                    .map(|k| ("k", qualify(&k.rule_set, &k.list))),
            )
        {
            if !seen.insert(key.clone()) {
                return Err(WhatIfError::Value {
                    part: format!("{}:{}", key.0, key.1),
                    message: "given twice; expected each criterion and list at most once".into(),
                });
            }
        }
        Ok(out)
    }
}

/// The criterion ids a part may name for these rule sets: unprefixed where the id resolves to
/// that rule set, else prefixed with the rule set.
pub fn known_criteria(in_force: &[&RuleSet]) -> Vec<String> {
    let mut out = Vec::new();
    let mut taken = BTreeSet::new();
    for rs in in_force {
        for c in rs.all_criteria() {
            if taken.insert(c.id.clone()) {
                out.push(c.id.clone());
            } else {
                out.push(format!("{}/{}", rs.id, c.id));
            }
        }
    }
    out
}

/// The list ids a `k:` part may name for these rule sets (only those with a single `k of [..]`
/// when `k_of_only`), prefixed where needed as in [`known_criteria`].
pub fn known_lists(in_force: &[&RuleSet], k_of_only: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut taken = BTreeSet::new();
    for rs in in_force {
        for l in &rs.lists {
            let first = taken.insert(l.id.clone());
            if k_of_only && count_k_of(&l.condition) != 1 {
                continue;
            }
            out.push(if first {
                l.id.clone()
            } else {
                format!("{}/{}", rs.id, l.id)
            });
        }
    }
    out
}

fn count_k_of(e: &Expr) -> usize {
    match e {
        Expr::Criterion(_) | Expr::List(_) => 0,
        Expr::Not(inner) => count_k_of(inner),
        Expr::All(es) | Expr::Any(es) => es.iter().map(count_k_of).sum(),
        Expr::AtLeast { of, .. } => 1 + of.iter().map(count_k_of).sum::<usize>(),
    }
}

/// The `(k, n)` of the single `k of [..]` of a condition, if it has exactly one.
pub fn k_of(e: &Expr) -> Option<(usize, usize)> {
    fn find(e: &Expr) -> Option<(usize, usize)> {
        match e {
            Expr::Criterion(_) | Expr::List(_) => None,
            Expr::Not(inner) => find(inner),
            Expr::All(es) | Expr::Any(es) => es.iter().find_map(find),
            Expr::AtLeast { k, of } => Some((*k, of.len())),
        }
    }
    (count_k_of(e) == 1).then(|| find(e)).flatten()
}

fn set_k(e: &mut Expr, new: usize) {
    match e {
        Expr::Criterion(_) | Expr::List(_) => {}
        Expr::Not(inner) => set_k(inner, new),
        Expr::All(es) | Expr::Any(es) => es.iter_mut().for_each(|e| set_k(e, new)),
        Expr::AtLeast { k, of } => {
            *k = new;
            of.iter_mut().for_each(|e| set_k(e, new));
        }
    }
}

/// The figure of a threshold as the law writes it: the percentage, the rate or the factor.
pub fn figure(t: &Threshold) -> Decimal {
    match t {
        Threshold::Value(v) => *v,
        Threshold::Per { value, .. } => *value,
        Threshold::FactorOf { factor, .. } => *factor,
    }
}

fn with_figure(t: &Threshold, v: Decimal) -> Threshold {
    match t {
        Threshold::Value(_) => Threshold::Value(v),
        Threshold::Per { per, .. } => Threshold::Per {
            value: v,
            per: *per,
        },
        Threshold::FactorOf { reference, .. } => Threshold::FactorOf {
            factor: v,
            reference: reference.clone(),
        },
    }
}

/// The rule set with the parts of the overlay that concern it applied: parts without a prefix,
/// and parts prefixed with this rule set's id. Operators are kept exactly; only the figures and
/// the `k`s change. The result's id is marked ([`WHATIF_SUFFIX`]), its titles say "what if" and
/// its description lists the changes. `without_origin` is not part of a rule set: it is an
/// option of the evaluation ([`rules_whatif`] applies it).
pub fn apply(rs: &RuleSet, overlay: &Overlay) -> Result<RuleSet, WhatIfError> {
    let mine = |p: &Option<String>| p.as_deref().is_none_or(|r| r == rs.id);
    let mut out = rs.clone();
    for t in overlay.thresholds.iter().filter(|t| mine(&t.rule_set)) {
        let part = format!(
            "threshold:{}={}",
            qualify(&t.rule_set, &t.criterion),
            t.value
        );
        let Some(c) = out
            .criteria
            .iter_mut()
            .chain(out.origin.iter_mut())
            .find(|c| c.id == t.criterion)
        else {
            return Err(WhatIfError::UnknownCriterion {
                id: qualify(&t.rule_set, &t.criterion),
                known: known_criteria(&[rs]),
            });
        };
        if t.value.is_sign_negative() && !t.value.is_zero() {
            return Err(WhatIfError::Value {
                part,
                message: "expected a number of 0 or more".into(),
            });
        }
        if c.unit == Unit::Percent
            && matches!(c.threshold, Threshold::Value(_))
            && t.value > Decimal::ONE_HUNDRED
        {
            return Err(WhatIfError::Value {
                part,
                message: format!(
                    "'{}' is a share in per cent; expected a number from 0 to 100",
                    c.id
                ),
            });
        }
        if let Threshold::Per { per, .. } = &c.threshold
            && t.value > *per
        {
            return Err(WhatIfError::Value {
                part,
                message: format!("expected a rate from 0 to {per} per {per}"),
            });
        }
        c.threshold = with_figure(&c.threshold, t.value);
    }
    for k in overlay.k_of.iter().filter(|k| mine(&k.rule_set)) {
        let part = format!("k:{}={}", qualify(&k.rule_set, &k.list), k.k);
        let known = known_lists(&[rs], true);
        let Some(l) = out.lists.iter_mut().find(|l| l.id == k.list) else {
            return Err(WhatIfError::UnknownList {
                id: qualify(&k.rule_set, &k.list),
                known: known_lists(&[rs], false),
            });
        };
        let Some((_, n)) = k_of(&l.condition) else {
            return Err(WhatIfError::NoKOf {
                list: qualify(&k.rule_set, &k.list),
                known,
            });
        };
        if k.k == 0 || k.k > n {
            return Err(WhatIfError::Value {
                part,
                message: format!(
                    "the list's condition is 'k of' {n} items; expected k from 1 to {n}"
                ),
            });
        }
        set_k(&mut l.condition, k.k);
        l.condition_source = l.condition.to_string();
    }
    // The changes in the overlay's own compact form: the law's words for them are the
    // renderer's (kvarter-report), never this crate's.
    let mine_only = Overlay {
        thresholds: overlay
            .thresholds
            .iter()
            .filter(|t| mine(&t.rule_set))
            .cloned()
            .collect(),
        k_of: overlay
            .k_of
            .iter()
            .filter(|k| mine(&k.rule_set))
            .cloned()
            .collect(),
        without_origin: false,
    };
    out.id = format!("{}{WHATIF_SUFFIX}", rs.id);
    out.title = format!("{} (hvad nu hvis)", rs.title);
    out.title_en = format!("{} (what if)", rs.title_en);
    out.description = format!(
        "{}\n\nHvad nu hvis — ændret i forhold til {}: {}\n",
        rs.description.trim_end(),
        rs.id,
        mine_only.to_text()
    );
    Ok(out)
}

/// One change of an overlay, as data. Its words ("»overstiger 35 %« i stedet for »overstiger
/// 40 %«") are made by `kvarter_report::whatif::change` from [`Change::what`], with the same
/// phrase for a threshold as the law's own reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The rule set changed.
    pub rule_set: String,
    /// The paragraph changed (empty for the origin switch).
    pub paragraph: String,
    /// The criterion or list id (empty for the origin switch).
    pub id: String,
    /// `threshold`, `k` or `without_origin`.
    pub kind: &'static str,
    /// The law's figure (`40`, `2` of `2 of 4`); empty for the origin switch.
    pub from: String,
    /// The what-if's figure.
    pub to: String,
    /// What changed, typed.
    #[serde(skip)]
    pub what: What,
}

/// What one [`Change`] changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A criterion's threshold; the operator is the law's, unchanged.
    Threshold {
        /// The comparison as the law writes it.
        operator: Operator,
        /// The unit of the measure and the threshold.
        unit: Unit,
        /// The input column measured.
        measure: String,
        /// The threshold of the law.
        law: Threshold,
        /// The threshold of the what-if.
        whatif: Threshold,
    },
    /// The `k` of a list's `k of [..]`.
    K {
        /// The number of items.
        n: usize,
        /// The law's `k`.
        law: usize,
        /// The what-if's `k`.
        whatif: usize,
    },
    /// The origin criteria switched off.
    WithoutOrigin {
        /// The ids of the origin criteria.
        criteria: Vec<String>,
        /// The lists then not defined.
        undefined: Vec<String>,
    },
}

/// A number of persons for people: thousands point in Danish, comma in English.
fn number(d: Decimal, danish: bool) -> String {
    let s = d.normalize().to_string();
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let (group, point) = if danish { ('.', ',') } else { (',', '.') };
    let mut out = String::from(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// The overlay's changes to these rule sets, as the law reads them changed: one [`Change`] per
/// part that concerns one of them (a part without a prefix concerns the first that has its id),
/// and one for the origin switch.
pub fn describe(rule_sets: &[&RuleSet], overlay: &Overlay) -> Vec<Change> {
    let mut out = Vec::new();
    let target = |p: &Option<String>, has: &dyn Fn(&RuleSet) -> bool| {
        rule_sets
            .iter()
            .find(|r| p.as_deref().is_none_or(|p| p == r.id) && has(r))
            .copied()
    };
    for t in &overlay.thresholds {
        let Some(rs) = target(&t.rule_set, &|r: &RuleSet| {
            r.criterion(&t.criterion).is_some()
        }) else {
            continue;
        };
        let c = rs.criterion(&t.criterion).expect("found above");
        out.push(Change {
            rule_set: rs.id.clone(),
            paragraph: c.paragraph.clone(),
            id: c.id.clone(),
            kind: "threshold",
            from: figure(&c.threshold).normalize().to_string(),
            to: t.value.normalize().to_string(),
            what: What::Threshold {
                operator: c.operator,
                unit: c.unit,
                measure: c.measure.clone(),
                law: c.threshold.clone(),
                whatif: with_figure(&c.threshold, t.value.normalize()),
            },
        });
    }
    for k in &overlay.k_of {
        let Some(rs) = target(&k.rule_set, &|r: &RuleSet| r.list(&k.list).is_some()) else {
            continue;
        };
        let l = rs.list(&k.list).expect("found above");
        let Some((old, n)) = k_of(&l.condition) else {
            continue;
        };
        out.push(Change {
            rule_set: rs.id.clone(),
            paragraph: l.paragraph.clone(),
            id: l.id.clone(),
            kind: "k",
            from: old.to_string(),
            to: k.k.to_string(),
            what: What::K {
                n,
                law: old,
                whatif: k.k,
            },
        });
    }
    if overlay.without_origin {
        for rs in rule_sets.iter().filter(|r| !r.origin.is_empty()) {
            let ids: Vec<&str> = rs.origin.iter().map(|c| c.id.as_str()).collect();
            let undefined: Vec<&str> = rs
                .lists
                .iter()
                .filter(|l| l.without_origin == kvarter_rules::WithoutOrigin::Undefined)
                .map(|l| l.id.as_str())
                .collect();
            out.push(Change {
                rule_set: rs.id.clone(),
                paragraph: String::new(),
                id: String::new(),
                kind: "without_origin",
                from: String::new(),
                to: String::new(),
                what: What::WithoutOrigin {
                    criteria: ids.iter().map(|i| i.to_string()).collect(),
                    undefined: undefined.iter().map(|i| i.to_string()).collect(),
                },
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Comparing two evaluations.

/// An area, as a list of who enters and leaves names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaRef {
    /// Area id.
    pub area_id: String,
    /// Area name.
    pub area_name: String,
    /// Municipality.
    pub municipality: String,
}

/// One list under the law and under the what-if.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListChange {
    /// The rule set of the law (without the what-if mark).
    pub rule_set: String,
    /// The list id.
    pub list: String,
    /// Whether the list is defined under the law (it is not without origin, for some lists).
    pub defined_before: bool,
    /// Whether the list is defined under the what-if.
    pub defined_after: bool,
    /// Areas on the list under the law.
    pub on_before: usize,
    /// Areas on the list under the what-if.
    pub on_after: usize,
    /// Areas on it under the what-if and not under the law (empty when either is undefined).
    pub entering: Vec<AreaRef>,
    /// Areas on it under the law and not under the what-if (empty when either is undefined).
    pub leaving: Vec<AreaRef>,
}

fn base_id(rule_set: &str) -> &str {
    rule_set.strip_suffix(WHATIF_SUFFIX).unwrap_or(rule_set)
}

/// Per list of the year, the areas that enter and leave between `baseline` and `whatif`. Lists
/// are matched by rule set (a what-if's mark ignored) and id, in the order the evaluations
/// give them; areas by id. An area missing from one side counts as on no list there.
pub fn compare(baseline: &Evaluation, whatif: &Evaluation, year: i32) -> Vec<ListChange> {
    type Key = (String, String);
    let mut order: Vec<Key> = Vec::new();
    let mut outcome: BTreeMap<(bool, Key, String), ListOutcome> = BTreeMap::new();
    let mut areas: BTreeMap<String, AreaRef> = BTreeMap::new();
    for (after, eval) in [(false, baseline), (true, whatif)] {
        for a in eval.areas.iter().filter(|a| a.list_year == year) {
            areas.entry(a.area_id.clone()).or_insert_with(|| AreaRef {
                area_id: a.area_id.clone(),
                area_name: a.area_name.clone(),
                municipality: a.municipality.clone(),
            });
            for l in &a.lists {
                let key = (base_id(&l.rule_set).to_string(), l.id.clone());
                if !order.contains(&key) {
                    order.push(key.clone());
                }
                outcome.insert((after, key, a.area_id.clone()), l.outcome);
            }
        }
    }
    let mut out = Vec::new();
    for key in order {
        let get = |after: bool, area: &str| {
            outcome
                .get(&(after, key.clone(), area.to_string()))
                .copied()
                .unwrap_or(ListOutcome::Off)
        };
        let defined = |after: bool| {
            let mut any = false;
            let mut all_undefined = true;
            for a in areas.keys() {
                if let Some(o) = outcome.get(&(after, key.clone(), a.clone())) {
                    any = true;
                    all_undefined &= *o == ListOutcome::Undefined;
                }
            }
            !(any && all_undefined)
        };
        let (defined_before, defined_after) = (defined(false), defined(true));
        let mut c = ListChange {
            rule_set: key.0.clone(),
            list: key.1.clone(),
            defined_before,
            defined_after,
            on_before: 0,
            on_after: 0,
            entering: Vec::new(),
            leaving: Vec::new(),
        };
        for (id, r) in &areas {
            let (b, a) = (
                get(false, id) == ListOutcome::On,
                get(true, id) == ListOutcome::On,
            );
            c.on_before += usize::from(b);
            c.on_after += usize::from(a);
            if defined_before && defined_after {
                if a && !b {
                    c.entering.push(r.clone());
                }
                if b && !a {
                    c.leaving.push(r.clone());
                }
            }
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The earlier years a what-if stands on.

/// The history for evaluating only the list of `year`: the published history for the years
/// the input does not have, and for the input's years before `year` the memberships `eval`
/// computed (every such year complete, as the engine treats an input year).
fn prior_history(
    history: &History,
    data_years: &BTreeSet<i32>,
    eval: &Evaluation,
    year: i32,
) -> History {
    let mut h = History::new();
    for y in history.years().filter(|y| !data_years.contains(y)) {
        h.add_year(y);
    }
    for (y, a, l) in history.entries() {
        if !data_years.contains(&y) {
            h.add(y, a, l);
        }
    }
    for y in data_years.iter().filter(|y| **y < year) {
        h.add_year(*y);
    }
    for a in eval.areas.iter().filter(|a| a.list_year < year) {
        for l in a.on() {
            h.add(a.list_year, &a.area_id, &l.id);
        }
    }
    h
}

fn override_sets<'a>(catalog: &'a Catalog, ids: &[String]) -> Result<Vec<&'a RuleSet>, EvalError> {
    ids.iter()
        .map(|id| {
            catalog.get(id).ok_or_else(|| EvalError::UnknownRuleSet {
                id: id.clone(),
                known: catalog.rule_sets().iter().map(|r| r.id.clone()).collect(),
            })
        })
        .collect()
}

/// The rule sets that govern the list of `year` under these options (the overrides first
/// resolved), in the catalog's order: the state's lists first.
pub fn in_force<'a>(
    catalog: &'a Catalog,
    options: &EvalOptions,
    year: i32,
) -> Result<Vec<&'a RuleSet>, WhatIfError> {
    let overrides = override_sets(catalog, &options.overrides)?;
    let sets = catalog.select(year, &overrides);
    if sets.is_empty() || year < kvarter_rules::FIRST_LIST_YEAR {
        return Err(EvalError::NoRuleSet { year }.into());
    }
    Ok(sets)
}

fn years_of<'a>(obs: impl IntoIterator<Item = &'a Observation>) -> Vec<i32> {
    let set: BTreeSet<i32> = obs.into_iter().map(|o| o.list_year).collect();
    set.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Rule what-if.

/// A rule what-if for one list year: the changes, and who enters and leaves each list.
#[derive(Debug, Clone, Serialize)]
pub struct RulesWhatIf {
    /// The list year.
    pub year: i32,
    /// The rule sets of the law in force for the year.
    pub rule_sets: Vec<String>,
    /// The overlay, every part bound to its rule set.
    pub overlay: Overlay,
    /// The changes as the law reads them changed.
    pub changes: Vec<Change>,
    /// Per list: who enters and who leaves.
    pub lists: Vec<ListChange>,
    /// The law's evaluation of the year.
    #[serde(skip)]
    pub baseline: Evaluation,
    /// The what-if's evaluation of the year.
    #[serde(skip)]
    pub whatif: Evaluation,
    /// The changed rule sets (ids marked with [`WHATIF_SUFFIX`]).
    #[serde(skip)]
    pub applied: Vec<RuleSet>,
}

/// Evaluates the list of `year` under the law (`catalog`, `history`, `options`) and under the
/// law with `overlay` applied to the rule sets in force, and compares them. Earlier years stand
/// as the law computed them (see the module documentation). `observations` may hold every year;
/// years after `year` are not used.
pub fn rules_whatif(
    catalog: &Catalog,
    observations: &[Observation],
    history: &History,
    options: &EvalOptions,
    year: i32,
    overlay: &Overlay,
) -> Result<RulesWhatIf, WhatIfError> {
    let obs: Vec<Observation> = observations
        .iter()
        .filter(|o| o.list_year <= year)
        .cloned()
        .collect();
    if !obs.iter().any(|o| o.list_year == year) {
        return Err(WhatIfError::NoYear {
            year,
            years: years_of(observations),
        });
    }
    let in_force = in_force(catalog, options, year)?;
    let resolved = overlay.resolve(&in_force)?;
    let touched: BTreeSet<&str> = resolved
        .thresholds
        .iter()
        .filter_map(|t| t.rule_set.as_deref())
        .chain(resolved.k_of.iter().filter_map(|k| k.rule_set.as_deref()))
        .collect();
    let mut applied = Vec::new();
    for rs in in_force.iter().filter(|r| touched.contains(r.id.as_str())) {
        applied.push(apply(rs, &resolved)?);
    }
    let whatif_catalog = Catalog::from_rule_sets(
        catalog
            .rule_sets()
            .iter()
            .map(|r| {
                let changed = applied.iter().find(|a| base_id(&a.id) == r.id);
                let rs = changed.cloned().unwrap_or_else(|| r.clone());
                (format!("{}.toml", rs.id), rs)
            })
            .collect(),
    )
    .map_err(WhatIfError::Catalog)?;
    let whatif_options = EvalOptions {
        without_origin: options.without_origin || resolved.without_origin,
        overrides: options
            .overrides
            .iter()
            .map(|id| {
                if touched.contains(id.as_str()) {
                    format!("{id}{WHATIF_SUFFIX}")
                } else {
                    id.clone()
                }
            })
            .collect(),
    };
    let data_years: BTreeSet<i32> = obs.iter().map(|o| o.list_year).collect();
    let baseline = evaluate(catalog, &obs, history, options)?;
    let prior_view = if whatif_options.without_origin == options.without_origin {
        None
    } else {
        let earlier: Vec<Observation> =
            obs.iter().filter(|o| o.list_year < year).cloned().collect();
        let view = EvalOptions {
            without_origin: whatif_options.without_origin,
            overrides: options.overrides.clone(),
        };
        Some(evaluate(catalog, &earlier, history, &view)?)
    };
    let prior = prior_history(
        history,
        &data_years,
        prior_view.as_ref().unwrap_or(&baseline),
        year,
    );
    let this_year: Vec<Observation> = obs
        .iter()
        .filter(|o| o.list_year == year)
        .cloned()
        .collect();
    let whatif = evaluate(&whatif_catalog, &this_year, &prior, &whatif_options)?;
    let baseline = Evaluation {
        areas: baseline
            .areas
            .into_iter()
            .filter(|a| a.list_year == year)
            .collect(),
    };
    let lists = compare(&baseline, &whatif, year);
    let changes = describe(&in_force, &resolved);
    Ok(RulesWhatIf {
        year,
        rule_sets: in_force.iter().map(|r| r.id.clone()).collect(),
        overlay: resolved,
        changes,
        lists,
        baseline,
        whatif,
        applied,
    })
}

// ---------------------------------------------------------------------------------------------
// Resident what-if.

/// The measures a [`Profile`] may hold, each with the column of the group it is a share (or a
/// mean) of.
pub const PROFILE_MEASURES: &[(&str, &str)] = &[
    ("outside_labour_pct", "persons_18_64"),
    ("convicted_pct", "persons_18_plus"),
    ("basic_education_pct", "persons_30_59"),
    ("income_pct_of_region", "persons_15_64_taxable"),
    ("non_western_pct", "residents"),
];

/// The values of those who move in under a letting policy ([`Lever::Letting`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// What the profile is, e.g. `municipality` or `all`.
    pub name: String,
    /// Measure column → value (of [`PROFILE_MEASURES`]); a measure left out is not changed.
    pub values: BTreeMap<String, Decimal>,
}

impl Profile {
    /// The mean of these observations, each measure weighted by its group's size (an
    /// observation without the value or the group size is left out of that measure), rounded
    /// to 2 decimals as a criteria file carries shares.
    pub fn mean_of<'a>(
        name: &str,
        observations: impl IntoIterator<Item = &'a Observation>,
    ) -> Profile {
        let mut sums: BTreeMap<&str, (Decimal, Decimal)> = BTreeMap::new();
        for o in observations {
            for (m, g) in PROFILE_MEASURES {
                if let (Some(v), Some(w)) = (o.values.get(*m), o.values.get(*g))
                    && *w > Decimal::ZERO
                {
                    let s = sums.entry(m).or_default();
                    s.0 += *v * *w;
                    s.1 += *w;
                }
            }
        }
        Profile {
            name: name.to_string(),
            values: sums
                .into_iter()
                .filter(|(_, (_, w))| !w.is_zero())
                .map(|(m, (s, w))| (m.to_string(), (s / w).round_dp(2)))
                .collect(),
        }
    }

    /// A profile of one's own: `outside_labour_pct=20,convicted_pct=0.9,...` (any of
    /// [`PROFILE_MEASURES`]; shares from 0 to 100, income from 0).
    pub fn parse(name: &str, text: &str) -> Result<Profile, WhatIfError> {
        let known: Vec<String> = PROFILE_MEASURES
            .iter()
            .map(|(m, _)| m.to_string())
            .collect();
        let mut values = BTreeMap::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let err = |message: String| WhatIfError::Lever {
                lever: "letting".into(),
                message: format!("'{part}': {message}"),
            };
            let Some((m, v)) = part.split_once('=') else {
                return Err(err(format!(
                    "expected MEASURE=NUMBER with MEASURE one of: {}",
                    known.join(", ")
                )));
            };
            let m = m.trim();
            if !known.iter().any(|k| k == m) {
                return Err(err(format!(
                    "unknown measure; expected one of: {}",
                    known.join(", ")
                )));
            }
            let v = Decimal::from_str(v.trim())
                .ok()
                .filter(|d| !d.is_sign_negative() || d.is_zero())
                .filter(|d| m == "income_pct_of_region" || *d <= Decimal::ONE_HUNDRED)
                .ok_or_else(|| err("expected a number from 0 to 100 (income: from 0)".into()))?;
            if values.insert(m.to_string(), v).is_some() {
                return Err(err("given twice".into()));
            }
        }
        if values.is_empty() {
            return Err(WhatIfError::Lever {
                lever: "letting".into(),
                message: format!(
                    "an empty profile; expected MEASURE=NUMBER,... with MEASURE one of: {}",
                    known.join(", ")
                ),
            });
        }
        Ok(Profile {
            name: name.to_string(),
            values,
        })
    }
}

/// A lever on one area's inputs, in persons. See the module documentation for how each moves
/// the values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "lever", rename_all = "snake_case")]
pub enum Lever {
    /// N more residents aged 18–64 in work or education (full-time persons).
    MoreInWork,
    /// N fewer convicted residents aged 18 or over.
    FewerConvicted,
    /// N more residents aged 30–59 with more than basic education.
    MoreEducated,
    /// N residents move out and N move in with this profile.
    Letting {
        /// Those who move in.
        profile: Profile,
    },
}

impl Lever {
    /// The person levers, in their usual order.
    pub const PERSONS: [Lever; 3] = [
        Lever::MoreInWork,
        Lever::FewerConvicted,
        Lever::MoreEducated,
    ];

    /// The lever's id: `more_in_work`, `fewer_convicted`, `more_educated`, `letting`.
    pub fn id(&self) -> &'static str {
        match self {
            Lever::MoreInWork => "more_in_work",
            Lever::FewerConvicted => "fewer_convicted",
            Lever::MoreEducated => "more_educated",
            Lever::Letting { .. } => "letting",
        }
    }

    /// The measure a person lever lowers; `None` for the letting mix (it moves every measure
    /// of its profile).
    pub fn measure(&self) -> Option<&'static str> {
        match self {
            Lever::MoreInWork => Some("outside_labour_pct"),
            Lever::FewerConvicted => Some("convicted_pct"),
            Lever::MoreEducated => Some("basic_education_pct"),
            Lever::Letting { .. } => None,
        }
    }

    /// The column of the group whose persons the lever counts.
    pub fn group(&self) -> &'static str {
        match self {
            Lever::MoreInWork => "persons_18_64",
            Lever::FewerConvicted => "persons_18_plus",
            Lever::MoreEducated => "persons_30_59",
            Lever::Letting { .. } => "residents",
        }
    }

    /// What `n` persons of the lever mean, in Danish or English.
    pub fn describe(&self, n: u64, danish: bool) -> String {
        let n = number(Decimal::from(n), danish);
        match (self, danish) {
            (Lever::MoreInWork, true) => {
                format!("{n} flere beboere på 18-64 år i arbejde eller uddannelse")
            }
            (Lever::MoreInWork, false) => {
                format!("{n} more residents aged 18-64 in work or education")
            }
            (Lever::FewerConvicted, true) => format!("{n} færre dømte beboere på 18 år og derover"),
            (Lever::FewerConvicted, false) => {
                format!("{n} fewer convicted residents aged 18 or over")
            }
            (Lever::MoreEducated, true) => {
                format!("{n} flere beboere på 30-59 år med mere end grundskole")
            }
            (Lever::MoreEducated, false) => {
                format!("{n} more residents aged 30-59 with more than basic education")
            }
            (Lever::Letting { profile }, true) => format!(
                "{n} beboere flytter ud og {n} flytter ind med profilen '{}'",
                profile.name
            ),
            (Lever::Letting { profile }, false) => format!(
                "{n} residents move out and {n} move in with the profile '{}'",
                profile.name
            ),
        }
    }

    /// The size of the lever's group in the observation, in whole persons (the most persons
    /// the lever can move); `None` when the observation has no size for it.
    pub fn bound(&self, o: &Observation) -> Option<u64> {
        o.values
            .get(self.group())
            .filter(|g| !g.is_sign_negative())
            .and_then(|g| g.floor().to_u64())
    }

    /// The observation with `n` persons moved by the lever. Refused when the group size or the
    /// value is missing, or `n` is larger than the group.
    pub fn apply(&self, o: &Observation, n: u64) -> Result<Observation, WhatIfError> {
        if n == 0 {
            return Ok(o.clone());
        }
        let err = |message: String| WhatIfError::Lever {
            lever: self.id().to_string(),
            message,
        };
        let group = self.group();
        let g = match o.values.get(group) {
            Some(g) if *g > Decimal::ZERO => *g,
            _ => {
                return Err(err(format!(
                    "area '{}' has no group size {group} for list year {}; expected one to count persons in",
                    o.area_id, o.list_year
                )));
            }
        };
        if Decimal::from(n) > g {
            return Err(err(format!(
                "{n} persons, but the group ({group}) of area '{}' has {}; expected at most {}",
                o.area_id,
                g.normalize(),
                g.floor().normalize()
            )));
        }
        let mut out = o.clone();
        let n = Decimal::from(n);
        match self {
            Lever::Letting { profile } => {
                for (m, _) in PROFILE_MEASURES {
                    if let (Some(v), Some(p)) = (o.values.get(*m), profile.values.get(*m)) {
                        let moved = *v + (*p - *v) * n / g;
                        out.values.insert(m.to_string(), moved.max(Decimal::ZERO));
                    }
                }
            }
            _ => {
                let m = self.measure().expect("a person lever");
                let Some(v) = o.values.get(m) else {
                    return Err(err(format!(
                        "area '{}' has no value {m} for list year {}; expected one to change",
                        o.area_id, o.list_year
                    )));
                };
                let moved = (*v - n * Decimal::ONE_HUNDRED / g).max(Decimal::ZERO);
                out.values.insert(m.to_string(), moved);
            }
        }
        Ok(out)
    }
}

/// The observation with every lever applied: the person levers in the order given, then the
/// letting mix.
pub fn apply_levers(o: &Observation, levers: &[(Lever, u64)]) -> Result<Observation, WhatIfError> {
    let mut out = o.clone();
    let (letting, persons): (Vec<_>, Vec<_>) = levers
        .iter()
        .partition(|(l, _)| matches!(l, Lever::Letting { .. }));
    for (l, n) in persons.into_iter().chain(letting) {
        // Each lever's bound is the original group: the person levers do not change groups.
        out = l.apply(&out, *n)?;
    }
    Ok(out)
}

/// One area and year, evaluated under the law, with what a change is evaluated against.
struct AreaBase<'a> {
    catalog: &'a Catalog,
    options: &'a EvalOptions,
    prior: History,
    observation: Observation,
    before: AreaEvaluation,
}

impl<'a> AreaBase<'a> {
    #[cfg(test)]
    fn new(
        catalog: &'a Catalog,
        observations: &[Observation],
        history: &History,
        options: &'a EvalOptions,
        area: &str,
        year: i32,
    ) -> Result<AreaBase<'a>, WhatIfError> {
        let years: BTreeSet<i32> = observations.iter().map(|o| o.list_year).collect();
        AreaBase::of_years(catalog, observations, &years, history, options, area, year)
    }

    /// As [`AreaBase::new`], with the input's list years given (`observations` may then be
    /// the area's own only).
    fn of_years(
        catalog: &'a Catalog,
        observations: &[Observation],
        input_years: &BTreeSet<i32>,
        history: &History,
        options: &'a EvalOptions,
        area: &str,
        year: i32,
    ) -> Result<AreaBase<'a>, WhatIfError> {
        let mine: Vec<Observation> = observations
            .iter()
            .filter(|o| o.area_id == area && o.list_year <= year)
            .cloned()
            .collect();
        let Some(observation) = mine.iter().find(|o| o.list_year == year).cloned() else {
            return Err(WhatIfError::NoArea {
                area: area.to_string(),
                year,
                years: years_of(observations.iter().filter(|o| o.area_id == area)),
            });
        };
        // Every year of the input is complete: the years this area has no values for count as
        // "on no list", exactly as when all areas are evaluated together.
        let data_years: BTreeSet<i32> = input_years.range(..=year).copied().collect();
        let empty = Evaluation { areas: Vec::new() };
        let complete = prior_history(history, &data_years, &empty, year + 1);
        let baseline = evaluate(catalog, &mine, &complete, options)?;
        let prior = prior_history(history, &data_years, &baseline, year);
        let before = baseline
            .areas
            .into_iter()
            .find(|a| a.list_year == year)
            .expect("the observation of the year was evaluated");
        Ok(AreaBase {
            catalog,
            options,
            prior,
            observation,
            before,
        })
    }

    fn eval(&self, o: &Observation) -> Result<AreaEvaluation, WhatIfError> {
        let mut e = evaluate(
            self.catalog,
            std::slice::from_ref(o),
            &self.prior,
            self.options,
        )?;
        Ok(e.areas.remove(0))
    }
}

/// A lever and the persons it moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeverChange {
    /// The lever.
    #[serde(flatten)]
    pub lever: Lever,
    /// The persons moved.
    pub persons: u64,
}

/// One area and year under the law and with the levers applied.
#[derive(Debug, Clone, Serialize)]
pub struct AreaWhatIf {
    /// Area id.
    pub area_id: String,
    /// List year.
    pub year: i32,
    /// The levers applied.
    pub levers: Vec<LeverChange>,
    /// The input values under the law.
    pub values_before: BTreeMap<String, Decimal>,
    /// The input values with the levers applied (exact, not rounded).
    pub values_after: BTreeMap<String, Decimal>,
    /// The evaluation under the law.
    pub before: AreaEvaluation,
    /// The evaluation with the levers applied.
    pub after: AreaEvaluation,
}

/// Evaluates one area's list of `year` under the law and with `levers` applied to its values.
/// `observations` may hold every area and year: the years of the input are taken from all of
/// them (a year the area lacks is complete and the area on no list then), and the area's
/// earlier years stand as the law computed them.
pub fn area_whatif(
    catalog: &Catalog,
    observations: &[Observation],
    history: &History,
    options: &EvalOptions,
    area: &str,
    year: i32,
    levers: &[(Lever, u64)],
) -> Result<AreaWhatIf, WhatIfError> {
    let years: BTreeSet<i32> = observations.iter().map(|o| o.list_year).collect();
    area_whatif_of(
        catalog,
        (observations, &years),
        history,
        options,
        area,
        year,
        levers,
    )
}

/// As [`area_whatif`], from the area's own observations and the list years of the whole input
/// (every year of the input is complete: a year the area has no values for is "on no list"),
/// so that a caller need not read every area to ask about one.
pub fn area_whatif_of(
    catalog: &Catalog,
    (observations, input_years): (&[Observation], &BTreeSet<i32>),
    history: &History,
    options: &EvalOptions,
    area: &str,
    year: i32,
    levers: &[(Lever, u64)],
) -> Result<AreaWhatIf, WhatIfError> {
    let base = AreaBase::of_years(
        catalog,
        observations,
        input_years,
        history,
        options,
        area,
        year,
    )?;
    let after_values = apply_levers(&base.observation, levers)?;
    let after = base.eval(&after_values)?;
    Ok(AreaWhatIf {
        area_id: area.to_string(),
        year,
        levers: levers
            .iter()
            .map(|(l, n)| LeverChange {
                lever: l.clone(),
                persons: *n,
            })
            .collect(),
        values_before: base.observation.values.clone(),
        values_after: after_values.values,
        before: base.before,
        after,
    })
}

/// The smallest change by one lever that takes an area off one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Smallest {
    /// The rule set of the list.
    pub rule_set: String,
    /// The list the area is on.
    pub list: String,
    /// The lever's id ([`Lever::id`]).
    pub lever: String,
    /// The answer.
    #[serde(flatten)]
    pub result: SmallestResult,
}

/// The answer of [`smallest_changes`] for one list and lever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SmallestResult {
    /// This many persons take the area off the list, and one fewer does not.
    Persons {
        /// The smallest number of persons.
        persons: u64,
        /// The size of the lever's group (the most the lever could move).
        group: u64,
        /// The lists the area is on after that change (it may land on another list).
        lists_after: Vec<String>,
    },
    /// Not possible by this lever alone: even the whole group does not take the area off.
    NotPossible {
        /// The size of the lever's group, all of which was tried.
        group: u64,
    },
    /// The lever cannot be tried: the group size or the value it changes is missing, or (for
    /// letting) the profile has no values.
    Unavailable {
        /// The missing column, or `profile`.
        column: String,
    },
}

fn signature(e: &AreaEvaluation) -> Vec<&CriterionOutcome> {
    e.criteria.iter().map(|c| &c.outcome).collect()
}

fn on_lists(e: &AreaEvaluation) -> Vec<String> {
    e.on().map(|l| l.id.clone()).collect()
}

fn is_on(e: &AreaEvaluation, rule_set: &str, list: &str) -> bool {
    e.lists
        .iter()
        .any(|l| l.rule_set == rule_set && l.id == list && l.outcome == ListOutcome::On)
}

/// Evaluates the lever at enough points of `0..=bound` that the outcome at every other point
/// is known: between two neighbouring points the criteria are the same, or the points are one
/// person apart (see the module documentation).
fn sample(
    base: &AreaBase<'_>,
    lever: &Lever,
    bound: u64,
) -> Result<BTreeMap<u64, AreaEvaluation>, WhatIfError> {
    let at = |n: u64| -> Result<AreaEvaluation, WhatIfError> {
        base.eval(&lever.apply(&base.observation, n)?)
    };
    let mut points = BTreeMap::new();
    points.insert(0, base.before.clone());
    if bound == 0 {
        return Ok(points);
    }
    points.insert(bound, at(bound)?);
    let mut todo = vec![(0, bound)];
    while let Some((lo, hi)) = todo.pop() {
        if hi - lo <= 1 || signature(&points[&lo]) == signature(&points[&hi]) {
            continue;
        }
        let mid = lo + (hi - lo) / 2;
        points.insert(mid, at(mid)?);
        todo.push((mid, hi));
        todo.push((lo, mid));
    }
    Ok(points)
}

/// For each list the area is on in `year` and each lever, the smallest number of persons that
/// takes the area off that list with everything else unchanged, or why there is none. In the
/// order of the lists, then of `levers`. Exact: see the module documentation.
pub fn smallest_changes(
    catalog: &Catalog,
    observations: &[Observation],
    history: &History,
    options: &EvalOptions,
    area: &str,
    year: i32,
    levers: &[Lever],
) -> Result<Vec<Smallest>, WhatIfError> {
    let years: BTreeSet<i32> = observations.iter().map(|o| o.list_year).collect();
    smallest_changes_of(
        catalog,
        (observations, &years),
        history,
        options,
        area,
        year,
        levers,
    )
}

/// As [`smallest_changes`], from the area's own observations and the input's list years (see
/// [`area_whatif_of`]).
pub fn smallest_changes_of(
    catalog: &Catalog,
    (observations, input_years): (&[Observation], &BTreeSet<i32>),
    history: &History,
    options: &EvalOptions,
    area: &str,
    year: i32,
    levers: &[Lever],
) -> Result<Vec<Smallest>, WhatIfError> {
    let base = AreaBase::of_years(
        catalog,
        observations,
        input_years,
        history,
        options,
        area,
        year,
    )?;
    let on: Vec<(String, String)> = base
        .before
        .on()
        .map(|l| (l.rule_set.clone(), l.id.clone()))
        .collect();
    let mut per_lever = Vec::new();
    for lever in levers {
        let missing = match (lever.bound(&base.observation), lever) {
            (None, _) | (Some(0), _) => Some(lever.group().to_string()),
            (_, Lever::Letting { profile }) if profile.values.is_empty() => {
                Some("profile".to_string())
            }
            (_, l) => l
                .measure()
                .filter(|m| !base.observation.values.contains_key(*m))
                .map(str::to_string),
        };
        match missing {
            Some(column) => per_lever.push(Err(column)),
            None => {
                let bound = lever.bound(&base.observation).expect("checked");
                per_lever.push(Ok((bound, sample(&base, lever, bound)?)));
            }
        }
    }
    let mut out = Vec::new();
    for (rule_set, list) in &on {
        for (lever, points) in levers.iter().zip(&per_lever) {
            let result = match points {
                Err(column) => SmallestResult::Unavailable {
                    column: column.clone(),
                },
                Ok((bound, points)) => match points.iter().find(|(_, e)| !is_on(e, rule_set, list))
                {
                    Some((n, e)) => SmallestResult::Persons {
                        persons: *n,
                        group: *bound,
                        lists_after: on_lists(e),
                    },
                    None => SmallestResult::NotPossible { group: *bound },
                },
            };
            out.push(Smallest {
                rule_set: rule_set.clone(),
                list: list.clone(),
                lever: lever.id().to_string(),
                result,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// An area of list year 2022 (dk-2021 and dk-51b): on no list unless `vals` says so.
    fn area(id: &str, vals: &[(&str, &str)]) -> Observation {
        let mut values: BTreeMap<String, Decimal> = [
            ("residents", "1500"),
            ("non_western_pct", "20"),
            ("outside_labour_pct", "25"),
            ("convicted_pct", "1.00"),
            ("convicted_national_pct", "0.91"),
            ("basic_education_pct", "40"),
            ("income_pct_of_region", "80"),
            ("persons_18_64", "880"),
            ("persons_18_plus", "1100"),
            ("persons_30_59", "540"),
            ("persons_15_64_taxable", "780"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), d(v)))
        .collect();
        for (k, v) in vals {
            values.insert(k.to_string(), d(v));
        }
        Observation {
            area_id: id.into(),
            area_name: format!("Area {id}"),
            municipality: "Testby Kommune".into(),
            list_year: 2022,
            values,
        }
    }

    fn run(obs: &[Observation], overlay: &str) -> RulesWhatIf {
        let overlay = Overlay::parse([overlay]).unwrap();
        rules_whatif(
            &Catalog::builtin(),
            obs,
            &History::new(),
            &EvalOptions::default(),
            2022,
            &overlay,
        )
        .unwrap()
    }

    fn list<'a>(r: &'a RulesWhatIf, id: &str) -> &'a ListChange {
        r.lists.iter().find(|l| l.list == id).unwrap()
    }

    fn ids(areas: &[AreaRef]) -> Vec<&str> {
        areas.iter().map(|a| a.area_id.as_str()).collect()
    }

    #[test]
    fn an_area_exactly_at_a_strict_threshold_flips_when_the_threshold_moves_down_by_001() {
        // 40.00 % does not "overstige 40 pct."; convicted 2.73 ≥ 3 × 0.91 is met: 1 of 4.
        let a = area(
            "A",
            &[("outside_labour_pct", "40.00"), ("convicted_pct", "2.73")],
        );
        let r = run(std::slice::from_ref(&a), "threshold:outside_labour=39.99");
        let udsat = list(&r, "udsat_boligomraade");
        assert_eq!((udsat.on_before, udsat.on_after), (0, 1));
        assert_eq!(ids(&udsat.entering), ["A"]);
        assert!(udsat.leaving.is_empty());
        // At 40 exactly and above, nothing changes.
        for t in ["40", "40.00", "40.01"] {
            let r = run(
                std::slice::from_ref(&a),
                &format!("threshold:outside_labour={t}"),
            );
            let udsat = list(&r, "udsat_boligomraade");
            assert!(udsat.entering.is_empty() && udsat.leaving.is_empty(), "{t}");
        }
        // The operator stays as the law writes it.
        let rs = &r.applied[0];
        assert_eq!(rs.id, "dk-2021+whatif");
        let c = rs.criterion("outside_labour").unwrap();
        assert_eq!(c.operator, kvarter_rules::Operator::Greater);
        assert_eq!(c.threshold, Threshold::Value(d("39.99")));
    }

    #[test]
    fn an_area_exactly_at_an_at_least_threshold_flips_when_the_threshold_moves_up_by_001() {
        // § 51 b: "mindst 40 pct." (≥): 40.00 is met, so the area is on kombineret udlejning.
        let a = area("A", &[("outside_labour_pct", "40.00")]);
        let r = run(
            std::slice::from_ref(&a),
            "threshold:dk-51b/outside_labour=40.01",
        );
        let k = list(&r, "kombineret_udlejning");
        assert_eq!((k.on_before, k.on_after), (1, 0));
        assert_eq!(ids(&k.leaving), ["A"]);
        // The state's criterion of the same name is untouched.
        assert_eq!(r.applied.len(), 1);
        assert_eq!(r.applied[0].id, "dk-51b+whatif");
        let r = run(
            std::slice::from_ref(&a),
            "threshold:dk-51b/outside_labour=39.99",
        );
        assert!(list(&r, "kombineret_udlejning").leaving.is_empty());
        // A factor: convicted 2.73 is exactly 3 × 0.91 (met, ≥); 3.01 × 0.91 = 2.7391 is not.
        let b = area(
            "B",
            &[("outside_labour_pct", "45"), ("convicted_pct", "2.73")],
        );
        let r = run(std::slice::from_ref(&b), "threshold:convicted=3.01");
        assert_eq!(ids(&list(&r, "udsat_boligomraade").leaving), ["B"]);
        let r = run(std::slice::from_ref(&b), "threshold:convicted=3");
        assert!(list(&r, "udsat_boligomraade").leaving.is_empty());
    }

    #[test]
    fn k_of_n_changes_who_is_on_the_list() {
        let one = area("A", &[("convicted_pct", "2.73")]);
        let two = area(
            "B",
            &[("outside_labour_pct", "45"), ("convicted_pct", "2.73")],
        );
        let three = area(
            "C",
            &[
                ("outside_labour_pct", "45"),
                ("convicted_pct", "2.73"),
                ("basic_education_pct", "61"),
            ],
        );
        let obs = [one, two, three];
        let r = run(&obs, "k:udsat_boligomraade=3");
        let udsat = list(&r, "udsat_boligomraade");
        assert_eq!((udsat.on_before, udsat.on_after), (2, 1));
        assert_eq!(ids(&udsat.leaving), ["B"]);
        assert!(udsat.entering.is_empty());
        let r = run(&obs, "k:udsat_boligomraade=1");
        assert_eq!(ids(&list(&r, "udsat_boligomraade").entering), ["A"]);
        let rs = r.applied.iter().find(|r| r.id == "dk-2021+whatif").unwrap();
        assert_eq!(
            rs.list("udsat_boligomraade").unwrap().condition_source,
            "residents and 1 of [outside_labour, convicted, basic_education, income]"
        );
        assert_eq!(
            r.changes[0].what,
            What::K {
                n: 4,
                law: 2,
                whatif: 1
            }
        );
    }

    #[test]
    fn without_origin_undefines_parallelsamfund_and_opens_forebyggelse() {
        // fb: outside 35 > 30, convicted 2.0 ≥ 2 × 0.91; but origin 20 % is not over 30 %.
        let d_ = area(
            "D",
            &[("outside_labour_pct", "35"), ("convicted_pct", "2.0")],
        );
        let e = area(
            "E",
            &[
                ("outside_labour_pct", "45"),
                ("convicted_pct", "2.73"),
                ("non_western_pct", "60"),
            ],
        );
        let r = run(&[d_, e], "without-origin");
        let fb = list(&r, "forebyggelsesomraade");
        assert_eq!(ids(&fb.entering), ["D"]);
        let ps = list(&r, "parallelsamfund");
        assert!(ps.defined_before && !ps.defined_after);
        assert_eq!((ps.on_before, ps.on_after), (1, 0));
        assert!(ps.leaving.is_empty(), "an undefined list has no leavers");
        assert_eq!(list(&r, "udsat_boligomraade").on_after, 1);
        assert!(r.changes.iter().any(|c| c.kind == "without_origin"));
    }

    #[test]
    fn an_empty_overlay_changes_nothing_and_matches_the_engine() {
        let obs = [
            area("A", &[("convicted_pct", "2.73")]),
            area(
                "B",
                &[("outside_labour_pct", "45"), ("convicted_pct", "2.73")],
            ),
        ];
        let r = run(&obs, "");
        assert!(
            r.lists
                .iter()
                .all(|l| l.entering.is_empty() && l.leaving.is_empty())
        );
        let full = evaluate(
            &Catalog::builtin(),
            &obs,
            &History::new(),
            &EvalOptions::default(),
        )
        .unwrap();
        for (a, b) in full.areas.iter().zip(&r.whatif.areas) {
            let on = |e: &AreaEvaluation| on_lists(e);
            assert_eq!(on(a), on(b));
        }
    }

    #[test]
    fn overlay_text_is_parsed_and_unknown_ids_name_the_known_ones() {
        let o = Overlay::parse([
            "threshold:outside_labour=35",
            "k:udsat_boligomraade=3,without-origin",
        ])
        .unwrap();
        assert_eq!(o.thresholds[0].criterion, "outside_labour");
        assert_eq!(o.thresholds[0].value, d("35"));
        assert_eq!(o.k_of[0].k, 3);
        assert!(o.without_origin);
        assert_eq!(
            o.to_text(),
            "threshold:outside_labour=35,k:udsat_boligomraade=3,without-origin"
        );
        assert_eq!(Overlay::parse([o.to_text().as_str()]).unwrap(), o);

        let err = Overlay::parse(["frobnicate"]).unwrap_err().to_string();
        assert!(err.contains("expected threshold:CRITERION=NUMBER"), "{err}");
        let err = Overlay::parse(["threshold:outside_labour=3,5x"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'5x'"), "{err}");
        let err = Overlay::parse(["threshold:outside_labour=abc"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a number"), "{err}");
        let err = Overlay::parse(["threshold:outside_labour=-1"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("0 or more"), "{err}");
        let err = Overlay::parse(["k:x=1", "k:x=2"]).unwrap_err().to_string();
        assert!(err.contains("given twice"), "{err}");

        let catalog = Catalog::builtin();
        let in_force = catalog.select(2022, &[]);
        let err = Overlay::parse(["threshold:nope=3"])
            .unwrap()
            .resolve(&in_force)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("expected one of: residents, outside_labour, convicted"),
            "{err}"
        );
        assert!(err.contains("dk-51b/outside_labour"), "{err}");
        let err = Overlay::parse(["threshold:dk-1999/outside_labour=3"])
            .unwrap()
            .resolve(&in_force)
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected one of: dk-2021, dk-51b"), "{err}");
        let obs = [area("A", &[])];
        let whatif = |text: &str| {
            rules_whatif(
                &catalog,
                &obs,
                &History::new(),
                &EvalOptions::default(),
                2022,
                &Overlay::parse([text]).unwrap(),
            )
            .unwrap_err()
            .to_string()
        };
        let err = whatif("k:parallelsamfund=2");
        assert!(
            err.contains("expected one of: udsat_boligomraade, forebyggelsesomraade"),
            "{err}"
        );
        let err = whatif("k:udsat_boligomraade=5");
        assert!(err.contains("expected k from 1 to 4"), "{err}");
        let err = whatif("threshold:outside_labour=101");
        assert!(err.contains("from 0 to 100"), "{err}");
        let err = whatif("k:nolist=2");
        assert!(err.contains("no such list"), "{err}");
        let err = rules_whatif(
            &catalog,
            &obs,
            &History::new(),
            &EvalOptions::default(),
            2023,
            &Overlay::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("expected one of: 2022"), "{err}");
    }

    #[test]
    fn a_changed_threshold_keeps_the_operator_and_the_kind_of_threshold() {
        let catalog = Catalog::builtin();
        let in_force = catalog.select(2022, &[]);
        let o = Overlay::parse(["threshold:outside_labour=35.50,threshold:convicted=2.5"])
            .unwrap()
            .resolve(&in_force)
            .unwrap();
        let c = describe(&in_force, &o);
        assert_eq!((c[0].from.as_str(), c[0].to.as_str()), ("40", "35.5"));
        assert_eq!(
            c[0].what,
            What::Threshold {
                operator: Operator::Greater,
                unit: Unit::Percent,
                measure: "outside_labour_pct".into(),
                law: Threshold::Value(d("40")),
                whatif: Threshold::Value(d("35.5")),
            }
        );
        assert_eq!(
            c[1].what,
            What::Threshold {
                operator: Operator::GreaterOrEqual,
                unit: Unit::Percent,
                measure: "convicted_pct".into(),
                law: Threshold::FactorOf {
                    factor: d("3"),
                    reference: "convicted_national_pct".into()
                },
                whatif: Threshold::FactorOf {
                    factor: d("2.5"),
                    reference: "convicted_national_pct".into()
                },
            }
        );
        // The changed rule set says what changed, in the overlay's own form.
        let applied = apply(in_force[0], &o).unwrap();
        assert!(
            applied
                .description
                .ends_with("ændret i forhold til dk-2021: threshold:dk-2021/outside_labour=35.50,threshold:dk-2021/convicted=2.5\n"),
            "{}",
            applied.description
        );
    }

    fn smallest(obs: &[Observation], id: &str, levers: &[Lever]) -> Vec<Smallest> {
        smallest_changes(
            &Catalog::builtin(),
            obs,
            &History::new(),
            &EvalOptions::default(),
            id,
            2022,
            levers,
        )
        .unwrap()
    }

    fn whatif(obs: &[Observation], id: &str, levers: &[(Lever, u64)]) -> AreaWhatIf {
        area_whatif(
            &Catalog::builtin(),
            obs,
            &History::new(),
            &EvalOptions::default(),
            id,
            2022,
            levers,
        )
        .unwrap()
    }

    /// The state's lists the area is on (§ 51 b's kombineret udlejning left out).
    fn on(e: &AreaEvaluation) -> Vec<String> {
        e.on()
            .filter(|l| l.rule_set == "dk-2021")
            .map(|l| l.id.clone())
            .collect()
    }

    #[test]
    fn more_in_work_moves_the_share_by_n_over_the_group_and_the_smallest_n_is_exact() {
        // 41.50 % of 880 = 365.2 full-time persons outside; "overstiger 40 pct." = over 352.
        // Off at 365.2 − N ≤ 352, N ≥ 13.2: 14 persons, and 13 do not suffice.
        let b = area(
            "B",
            &[("outside_labour_pct", "41.50"), ("convicted_pct", "2.73")],
        );
        let obs = [b];
        let w = whatif(&obs, "B", &[(Lever::MoreInWork, 14)]);
        assert_eq!(
            w.values_after["outside_labour_pct"],
            d("41.50") - d("1400") / d("880")
        );
        assert_eq!(on(&w.before), ["udsat_boligomraade"]);
        assert!(on(&w.after).is_empty());
        let w13 = whatif(&obs, "B", &[(Lever::MoreInWork, 13)]);
        assert_eq!(
            w13.values_after["outside_labour_pct"],
            d("41.50") - d("1300") / d("880")
        );
        assert_eq!(on(&w13.after), ["udsat_boligomraade"]);
        // The engine's margin in persons says the same.
        let c = w.before.criterion("dk-2021", "outside_labour").unwrap();
        assert_eq!(c.persons.as_ref().unwrap().persons, d("14"));

        let s = smallest(&obs, "B", &Lever::PERSONS);
        let work = s
            .iter()
            .find(|s| s.list == "udsat_boligomraade" && s.lever == "more_in_work")
            .unwrap();
        assert_eq!(
            work.result,
            SmallestResult::Persons {
                persons: 14,
                group: 880,
                lists_after: vec![]
            }
        );
        // Convicted: 2.73 % of 1,100 = 30.03; below 2.73 % = 30.03 needs 1 person fewer.
        let conv = s.iter().find(|s| s.lever == "fewer_convicted").unwrap();
        assert!(
            matches!(conv.result, SmallestResult::Persons { persons: 1, .. }),
            "{conv:?}"
        );
        // Education is not met; more educated cannot take the area off.
        let edu = s.iter().find(|s| s.lever == "more_educated").unwrap();
        assert_eq!(edu.result, SmallestResult::NotPossible { group: 540 });
    }

    #[test]
    fn leaving_udsat_may_land_on_forebyggelse() {
        // Origin over 30 %: off udsat, the area meets § 61 b (outside over 30, convicted ≥ 2×).
        let b = area(
            "B",
            &[
                ("outside_labour_pct", "41.50"),
                ("convicted_pct", "2.73"),
                ("non_western_pct", "40"),
            ],
        );
        let s = smallest(&[b], "B", &[Lever::MoreInWork]);
        assert_eq!(
            s[0].result,
            SmallestResult::Persons {
                persons: 14,
                group: 880,
                lists_after: vec!["forebyggelsesomraade".into()]
            }
        );
    }

    #[test]
    fn letting_mixes_towards_the_profile_by_the_share_of_residents_replaced() {
        // 41.5 + (20 − 41.5) × M / 1500 ≤ 40  ⇔  M ≥ 104.65: 105 residents.
        let b = area(
            "B",
            &[("outside_labour_pct", "41.5"), ("convicted_pct", "2.73")],
        );
        let profile = Profile::parse("own", "outside_labour_pct=20").unwrap();
        let lever = Lever::Letting { profile };
        let obs = [b];
        let s = smallest(&obs, "B", std::slice::from_ref(&lever));
        assert!(
            matches!(
                s[0].result,
                SmallestResult::Persons {
                    persons: 105,
                    group: 1500,
                    ..
                }
            ),
            "{s:?}"
        );
        let w = whatif(&obs, "B", &[(lever.clone(), 104)]);
        assert_eq!(on(&w.after), ["udsat_boligomraade"]);
        assert_eq!(
            w.values_after["outside_labour_pct"],
            d("41.5") + (d("20") - d("41.5")) * d("104") / d("1500")
        );
        // Measures the profile does not have stay as they are.
        assert_eq!(w.values_after["convicted_pct"], d("2.73"));
        let w = whatif(&obs, "B", &[(lever, 105)]);
        assert!(on(&w.after).is_empty());
    }

    #[test]
    fn the_bisection_finds_what_a_scan_of_every_n_finds() {
        let catalog = Catalog::builtin();
        let options = EvalOptions::default();
        let obs = vec![
            area(
                "B",
                &[
                    ("outside_labour_pct", "44.3"),
                    ("convicted_pct", "2.9"),
                    ("basic_education_pct", "63"),
                    ("income_pct_of_region", "50"),
                    ("non_western_pct", "55"),
                    ("persons_18_64", "197"),
                    ("persons_18_plus", "233"),
                    ("persons_30_59", "121"),
                    ("residents", "1003"),
                ],
            ),
            area(
                "C",
                &[
                    ("outside_labour_pct", "36"),
                    ("convicted_pct", "2.0"),
                    ("non_western_pct", "45"),
                    ("persons_18_64", "150"),
                    ("persons_18_plus", "170"),
                    ("persons_30_59", "90"),
                ],
            ),
        ];
        let levers = vec![
            Lever::MoreInWork,
            Lever::FewerConvicted,
            Lever::MoreEducated,
            Lever::Letting {
                profile: Profile::mean_of("all", &obs),
            },
            Lever::Letting {
                profile: Profile::parse(
                    "mixed",
                    "outside_labour_pct=10,non_western_pct=70,income_pct_of_region=90",
                )
                .unwrap(),
            },
        ];
        for id in ["B", "C"] {
            let s = smallest(&obs, id, &levers);
            assert!(!s.is_empty(), "{id} is on a list");
            let base = AreaBase::new(&catalog, &obs, &History::new(), &options, id, 2022).unwrap();
            for r in &s {
                let lever = levers.iter().find(|l| l.id() == r.lever).unwrap();
                let mine: Vec<&Smallest> = s
                    .iter()
                    .filter(|x| x.list == r.list && x.lever == r.lever)
                    .collect();
                let bound = lever.bound(&base.observation).unwrap();
                let scan = (0..=bound).find(|n| {
                    let e = base
                        .eval(&lever.apply(&base.observation, *n).unwrap())
                        .unwrap();
                    !is_on(&e, &r.rule_set, &r.list)
                });
                let found: Vec<Option<u64>> = mine
                    .iter()
                    .map(|x| match x.result {
                        SmallestResult::Persons { persons, .. } => Some(persons),
                        _ => None,
                    })
                    .collect();
                assert!(
                    found.contains(&scan),
                    "{id} {} {}: {found:?} vs {scan:?}",
                    r.list,
                    r.lever
                );
            }
        }
    }

    #[test]
    fn a_lever_beyond_its_group_or_without_a_group_is_refused() {
        let b = area("B", &[]);
        let err = Lever::MoreInWork.apply(&b, 881).unwrap_err().to_string();
        assert!(err.contains("expected at most 880"), "{err}");
        let mut no_group = b.clone();
        no_group.values.remove("persons_18_64");
        let err = Lever::MoreInWork
            .apply(&no_group, 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no group size persons_18_64"), "{err}");
        // Without a group size (a criteria file may leave them out) or a profile, a lever
        // cannot be tried, and says why.
        let mut on_list = area(
            "C",
            &[("outside_labour_pct", "45"), ("convicted_pct", "2.73")],
        );
        on_list.values.remove("persons_18_64");
        let empty = Lever::Letting {
            profile: Profile::mean_of("none", []),
        };
        let s = smallest(&[on_list], "C", &[Lever::MoreInWork, empty]);
        assert_eq!(
            s[0].result,
            SmallestResult::Unavailable {
                column: "persons_18_64".into()
            }
        );
        assert_eq!(
            s[1].result,
            SmallestResult::Unavailable {
                column: "profile".into()
            }
        );
        // The share never goes below 0.
        let all = Lever::MoreInWork.apply(&b, 880).unwrap();
        assert_eq!(all.values["outside_labour_pct"], Decimal::ZERO);
        let err = Profile::parse("x", "outside_labour_pct=120")
            .unwrap_err()
            .to_string();
        assert!(err.contains("from 0 to 100"), "{err}");
        let err = Profile::parse("x", "nope=1").unwrap_err().to_string();
        assert!(err.contains("expected one of: outside_labour_pct"), "{err}");
        let err = area_whatif(
            &Catalog::builtin(),
            &[b],
            &History::new(),
            &EvalOptions::default(),
            "Z",
            2022,
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no area 'Z'"), "{err}");
    }

    #[test]
    fn a_streak_counts_the_earlier_years_as_the_law_computed_them() {
        // Parallelsamfund in 2018–2022: omdannelsesområde in 2022. Raising the threshold of
        // origin to 60 % for 2022 alone takes the area off parallelsamfund and so off
        // omdannelse; the earlier years still count as they were.
        let mut obs = Vec::new();
        for y in 2018..=2022 {
            let mut o = area(
                "P",
                &[
                    ("outside_labour_pct", "45"),
                    ("convicted_pct", "2.73"),
                    ("non_western_pct", "55"),
                ],
            );
            o.list_year = y;
            obs.push(o);
        }
        let mut history = History::new();
        for y in 2018..=2022 {
            history.add_year(y);
        }
        let r = rules_whatif(
            &Catalog::builtin(),
            &obs,
            &history,
            &EvalOptions::default(),
            2022,
            &Overlay::parse(["threshold:non_western=56"]).unwrap(),
        )
        .unwrap();
        assert_eq!(list(&r, "omdannelsesomraade").on_before, 1);
        assert_eq!(ids(&list(&r, "omdannelsesomraade").leaving), ["P"]);
        assert_eq!(ids(&list(&r, "parallelsamfund").leaving), ["P"]);
        // The area what-if keeps the streak too: the whole residents' side is unchanged.
        let w = area_whatif(
            &Catalog::builtin(),
            &obs,
            &history,
            &EvalOptions::default(),
            "P",
            2022,
            &[],
        )
        .unwrap();
        assert_eq!(
            on(&w.after),
            [
                "udsat_boligomraade",
                "parallelsamfund",
                "omdannelsesomraade"
            ]
        );
        assert_eq!(on(&w.before), on(&w.after));
    }
}
