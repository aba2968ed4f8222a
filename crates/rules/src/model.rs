//! The model of a rule set, as the engine applies it.
//!
//! Every item carries the paragraph it implements and the words of the law, so that the model
//! can be rendered back as the law reads (`kvarter rules show`) and checked line by line.

use crate::Decimal;
use crate::expr::Expr;
use std::fmt;

/// A dated rule set: one version of the law (or of a related rule such as § 51 b).
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Stable identifier, e.g. `dk-2021`.
    pub id: String,
    /// Rule sets of one family replace each other over time; one of each family is in force for
    /// a list year (`state-lists` for the lists of § 61 a/§ 61 b, `51b` for kombineret udlejning).
    pub family: String,
    /// Danish title.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// The legal source: law, number and date.
    pub source: String,
    /// Which list years the rule set governs.
    pub in_force: InForce,
    /// Free text: what changed from the previous version and why, in Danish.
    pub description: String,
    /// The criteria that do not concern origin.
    pub criteria: Vec<Criterion>,
    /// The non-Western origin criteria: a separate element that `--without-origin` switches off.
    pub origin: Vec<Criterion>,
    /// Why origin is a separate element (the legal caveat), in Danish.
    pub origin_note: String,
    /// The lists, in an order where every list comes after the lists it refers to.
    pub lists: Vec<ListDef>,
    /// How the criteria are measured from register data.
    pub measurement: Measurement,
}

/// How a rule set's criteria are measured from person-level register data (docs/REGISTERS.md).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Measurement {
    /// How an average over several years is formed.
    pub average: Average,
    /// Which education counts as more than basic school.
    pub basic_education: BasicEducation,
    /// Why, in Danish.
    pub note: String,
}

/// How "opgjort som gennemsnittet over de seneste 2 år" is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Average {
    /// The mean of the yearly shares (kvarter's default).
    #[default]
    MeanOfYears,
    /// One share of the persons of all the years pooled.
    Pooled,
}

/// Which education lifts a person above "only basic school".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasicEducation {
    /// Any known education counts; unknown education counts as basic (the 2013 model).
    UnknownCountsAsBasic,
    /// Only education taken in Denmark or approved here counts (the 2018 model on).
    #[default]
    DanishOrApprovedOnly,
}

/// The list years a rule set governs and the date the lists are published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    /// First list year governed.
    pub first_list_year: i32,
    /// Last list year governed; `None` while in force.
    pub last_list_year: Option<i32>,
    /// The publication date of each year's list, as the law writes it (e.g. "1. december").
    pub list_date: String,
}

impl InForce {
    /// Whether the rule set governs the list of `year`.
    pub fn covers(&self, year: i32) -> bool {
        year >= self.first_list_year && self.last_list_year.is_none_or(|last| year <= last)
    }
}

/// One criterion: a measure of a population compared with a threshold.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Identifier used in list conditions, e.g. `outside_labour`.
    pub id: String,
    /// Short Danish name.
    pub name: String,
    /// Short English name.
    pub name_en: String,
    /// The population measured, in Danish (e.g. "beboere i alderen 18-64 år").
    pub population: String,
    /// The input column holding the measured value.
    pub measure: String,
    /// The unit of the measure and the threshold.
    pub unit: Unit,
    /// The comparison exactly as the law writes it.
    pub operator: Operator,
    /// The threshold the value is compared with.
    pub threshold: Threshold,
    /// Averaging window in years ("opgjort som gennemsnit over de seneste 2 år"); `None` when
    /// the law measures a single point in time.
    pub window_years: Option<u32>,
    /// Input column with the size of the population, for margins in persons.
    pub group: Option<String>,
    /// The paragraph implemented, e.g. "§ 61 a, stk. 1, nr. 1".
    pub paragraph: String,
    /// The words of that paragraph.
    pub text: String,
    /// Where the words were read, and whether they are the statute's own (see
    /// `docs/law/SOURCES.md`).
    pub text_source: String,
    /// How the measure is taken (register definitions), in Danish.
    pub measurement: String,
    /// Whether this is an origin criterion (then it lives in [`RuleSet::origin`]).
    pub origin: bool,
}

/// The unit of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Per cent of the population (0–100).
    Percent,
    /// Per cent of a reference (e.g. of the regional mean income); may exceed 100.
    PercentOfReference,
    /// A number of persons.
    Persons,
}

impl Unit {
    /// The identifier used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Percent => "pct",
            Unit::PercentOfReference => "pct_of_reference",
            Unit::Persons => "persons",
        }
    }
}

/// A comparison operator, kept exactly as the law writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// "overstiger": strictly greater.
    Greater,
    /// "mindst", "udgør mindst": greater or equal.
    GreaterOrEqual,
    /// "mindre end", "under": strictly less.
    Less,
    /// "højst": less or equal.
    LessOrEqual,
}

impl Operator {
    /// Applies the comparison.
    pub fn holds(self, value: Decimal, threshold: Decimal) -> bool {
        match self {
            Operator::Greater => value > threshold,
            Operator::GreaterOrEqual => value >= threshold,
            Operator::Less => value < threshold,
            Operator::LessOrEqual => value <= threshold,
        }
    }

    /// The mathematical symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Greater => ">",
            Operator::GreaterOrEqual => "≥",
            Operator::Less => "<",
            Operator::LessOrEqual => "≤",
        }
    }

    /// Parses the notation of rule files: `>`, `≥` (or `>=`), `<`, `≤` (or `<=`).
    pub fn parse(s: &str) -> Option<Operator> {
        match s {
            ">" => Some(Operator::Greater),
            "≥" | ">=" => Some(Operator::GreaterOrEqual),
            "<" => Some(Operator::Less),
            "≤" | "<=" => Some(Operator::LessOrEqual),
            _ => None,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A threshold, as the law states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Threshold {
    /// A fixed figure in the criterion's unit ("40 pct.").
    Value(Decimal),
    /// A rate per some base, as the law writes it ("270 pr. 10.000 beboere"), applied to a
    /// measure in per cent: `value × 100 / per`, which is exact for every base the law uses.
    Per {
        /// The figure ("270").
        value: Decimal,
        /// The base ("10000").
        per: Decimal,
    },
    /// A multiple of a reference value in the input ("3 gange landsgennemsnittet").
    FactorOf {
        /// The factor ("3").
        factor: Decimal,
        /// The input column holding the reference, e.g. `convicted_national_pct`.
        reference: String,
    },
}

impl Threshold {
    /// The threshold in the criterion's unit, given a lookup of reference values.
    /// `None` when a reference is missing.
    pub fn resolve(&self, reference: impl Fn(&str) -> Option<Decimal>) -> Option<Decimal> {
        match self {
            Threshold::Value(v) => Some(*v),
            Threshold::Per { value, per } => value
                .checked_mul(Decimal::ONE_HUNDRED)
                .and_then(|x| x.checked_div(*per)),
            Threshold::FactorOf {
                factor,
                reference: r,
            } => reference(r).and_then(|x| factor.checked_mul(x)),
        }
    }
}

/// How a list is composed.
#[derive(Debug, Clone)]
pub struct ListDef {
    /// Identifier, named as the law of the list date names the list (e.g. `parallelsamfund`).
    pub id: String,
    /// Danish name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// The paragraph that defines the list.
    pub paragraph: String,
    /// The words of that paragraph.
    pub text: String,
    /// Where the words were read.
    pub text_source: String,
    /// The condition in the rule files' notation, as written.
    pub condition_source: String,
    /// The parsed condition: criteria, `k of [..]`, other lists, `and`, `or`, `not`.
    pub condition: Expr,
    /// Lists an area on which cannot be on this list, with the reasoning.
    pub excludes: Vec<String>,
    /// Why the exclusion holds (Danish).
    pub exclusion_reason: String,
    /// A streak: this list (or the lists that count as it) in each of the last years.
    pub streak: Option<Streak>,
    /// What becomes of the list when the origin criteria are switched off.
    pub without_origin: WithoutOrigin,
    /// Why (Danish).
    pub without_origin_note: String,
}

/// "in each of the last n years": the condition holds this year and the area was on one of
/// `counts_as` in each of the `n - 1` preceding list years.
#[derive(Debug, Clone)]
pub struct Streak {
    /// The number of years, this year included.
    pub years: u32,
    /// The lists, by id across rule sets, that count as the same list for the streak.
    pub counts_as: Vec<String>,
    /// The paragraph.
    pub paragraph: String,
    /// Its words.
    pub text: String,
    /// Where the words were read.
    pub text_source: String,
    /// Dated exceptions, such as the transitional rule for the lists of 2018–2020.
    pub overrides: Vec<Override>,
}

impl Streak {
    /// The number of years required for the list of `year`, and the override applied, if any.
    pub fn years_for(&self, year: i32) -> (u32, Option<&Override>) {
        match self.overrides.iter().find(|o| o.list_years.contains(&year)) {
            Some(o) => (o.years, Some(o)),
            None => (self.years, None),
        }
    }
}

/// A dated exception to a streak length.
#[derive(Debug, Clone)]
pub struct Override {
    /// The list years the exception governs.
    pub list_years: Vec<i32>,
    /// The number of years required instead.
    pub years: u32,
    /// The paragraph of the exception.
    pub paragraph: String,
    /// Its words.
    pub text: String,
    /// Where the words were read.
    pub text_source: String,
}

/// What a list becomes when the origin criteria are switched off (`--without-origin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithoutOrigin {
    /// The origin criteria are removed: from a conjunction they drop out, in a `k of [..]` they
    /// count as not met (k is kept).
    Drop,
    /// The list is not defined without origin (it would coincide with another list, or it is
    /// built on one that is undefined).
    Undefined,
}

impl RuleSet {
    /// All criteria, origin criteria last.
    pub fn all_criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().chain(self.origin.iter())
    }

    /// The criterion with this id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.all_criteria().find(|c| c.id == id)
    }

    /// The list with this id.
    pub fn list(&self, id: &str) -> Option<&ListDef> {
        self.lists.iter().find(|l| l.id == id)
    }
}
