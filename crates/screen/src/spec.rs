//! Screening specs: the model, and loading it from TOML text with errors at a line and column.
//!
//! A spec is the municipality's designation method written down as data, the way `rules/*.toml`
//! write down the state's: criteria compared with the city average, how many must be met (or a
//! composite score and its cut-off), the spatial unit, the minimum populations, and whether the
//! state's lists are included. Every threshold the policy does not publish is marked as kvarter's
//! default (*kvarters standardværdi*) with its reasoning, so no output can pass it off as the
//! municipality's.

use crate::indicator::{self, Kind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use toml::Spanned;

/// A screening spec (*screeningsmodel*), as loaded from `rules/screening/*.toml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spec {
    /// The spec's id, e.g. `kbh-2025`.
    pub id: String,
    /// Specs of one municipality's successive policies share a family, e.g. `kbh-udsatte-byomraader`.
    pub family: String,
    /// The Danish title.
    pub title: String,
    /// The English title.
    pub title_en: String,
    /// The policy document the spec implements.
    pub source: String,
    /// Where the policy's words were read.
    pub text_source: String,
    /// A free-text description (Danish).
    pub description: String,
    /// The years the policy governs.
    pub in_force: InForce,
    /// The spatial unit screened, and the disclosure limit for publishing a unit alone.
    pub unit: SpatialUnit,
    /// How units become designated areas.
    pub designation: Designation,
    /// The criteria other than origin, in the order the spec writes them.
    pub criteria: Vec<Criterion>,
    /// The non-Western origin criteria, a separate switchable element as in the state's rule
    /// sets (C-417/23). Empty when the policy has none.
    pub origin: Vec<Criterion>,
    /// Why origin is separate, and what happens without it.
    pub origin_note: String,
    /// The policy's goal, when it has one that can be computed (2017: halve the gap).
    pub goal: Option<Goal>,
}

/// The years a policy governs (*gældende*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InForce {
    /// The first year.
    pub first_year: i32,
    /// The last year, if the policy names one or was replaced.
    pub last_year: Option<i32>,
}

/// The spatial unit screened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpatialUnit {
    /// Grid cells or user-supplied polygons.
    pub kind: UnitKind,
    /// The smallest population a unit may have to be published alone (disclosure control). Units
    /// below it are screened and can be part of an area, but their values are never shown
    /// separately.
    pub min_unit_population: u64,
    /// Why that limit (always kvarter's default: no policy publishes one).
    pub min_unit_population_reason: String,
    /// A note on the unit.
    pub note: String,
}

/// Grid cells or polygons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum UnitKind {
    /// Square cells of the Danish national grid (*Det Danske Kvadratnet*) in `crs`.
    Grid {
        /// 100 or 250 metres.
        cell_size_m: u32,
        /// Always `EPSG:25832` (ETRS89 / UTM zone 32N), the Danish national grid's.
        crs: String,
    },
    /// Polygons the user supplies (e.g. the city's statistical districts), with an explicit
    /// adjacency list.
    Polygons,
}

/// How qualifying units become designated areas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Designation {
    /// The smallest population of a designated area (*udpeget byområde*).
    pub min_area_population: u64,
    /// Whether that minimum is kvarter's default rather than the policy's.
    pub min_area_population_default: bool,
    /// Its reasoning or source.
    pub min_area_population_reason: String,
    /// Whether units inside state-listed housing areas are included automatically.
    pub include_state_listed: bool,
    /// The policy's words on that.
    pub include_state_listed_text: String,
    /// Whether a single non-qualifying unit surrounded by one designated area is filled in.
    pub fill_single_holes: bool,
    /// How a unit qualifies.
    pub qualify: Qualify,
    /// Whether the qualification rule is kvarter's default.
    pub qualify_default: bool,
    /// Its reasoning or source.
    pub qualify_reason: String,
}

/// How a unit qualifies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Qualify {
    /// At least `k` criteria met (*mindst k af n*).
    KOfN {
        /// How many.
        k: usize,
    },
    /// A weighted mean of the criteria's standardised scores compared with a cut-off.
    Composite {
        /// How each criterion is standardised.
        score: Score,
        /// The comparison with the cut-off.
        operator: Operator,
        /// The cut-off.
        cutoff: Decimal,
    },
}

/// How a criterion is standardised inside a composite score or the vulnerability index. Both are
/// oriented so that higher is worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    /// The standard score over units, (value − city) / sd, negated when lower is worse.
    MeanZscore,
    /// value / city average, or city average / value when lower is worse; 1 is the city.
    MeanRatio,
}

/// How a criterion's value is compared with the city average.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// value / city average, compared with the threshold (e.g. ≥ 1.5).
    Ratio,
    /// value − city average, in percentage points for shares (in the measure's own unit for a
    /// ratio indicator), compared with the threshold.
    Difference,
    /// (value − city average) / standard deviation over units, compared with the threshold.
    Zscore,
}

/// The direction in which an indicator is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A higher value is worse (e.g. the share outside the labour market).
    HigherIsWorse,
    /// A lower value is worse (e.g. turnout, m² per resident).
    LowerIsWorse,
}

/// A comparison, exactly as the spec writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Operator {
    /// `≥` (also written `>=`): *mindst*.
    #[serde(rename = "≥")]
    Ge,
    /// `>`: *overstiger*.
    #[serde(rename = ">")]
    Gt,
    /// `≤` (also written `<=`): *højst*.
    #[serde(rename = "≤")]
    Le,
    /// `<`: *under*, *mindre end*.
    #[serde(rename = "<")]
    Lt,
}

impl Operator {
    /// Whether `value op threshold` holds.
    pub fn holds(self, value: Decimal, threshold: Decimal) -> bool {
        match self {
            Operator::Ge => value >= threshold,
            Operator::Gt => value > threshold,
            Operator::Le => value <= threshold,
            Operator::Lt => value < threshold,
        }
    }

    /// Whether the operator looks upward (`≥`, `>`).
    pub fn upward(self) -> bool {
        matches!(self, Operator::Ge | Operator::Gt)
    }

    /// The symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Ge => "≥",
            Operator::Gt => ">",
            Operator::Le => "≤",
            Operator::Lt => "<",
        }
    }

    fn parse(s: &str) -> Option<Operator> {
        match s {
            "≥" | ">=" => Some(Operator::Ge),
            ">" => Some(Operator::Gt),
            "≤" | "<=" => Some(Operator::Le),
            "<" => Some(Operator::Lt),
            _ => None,
        }
    }
}

/// One screening criterion (*kriterium*).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    /// Its id, unique in the spec.
    pub id: String,
    /// The Danish name, as the policy names it.
    pub name: String,
    /// The English name.
    pub name_en: String,
    /// The indicator it reads (see [`crate::VOCABULARY`]).
    pub indicator: String,
    /// How it is compared with the city average.
    pub compare: Compare,
    /// The direction in which it is bad.
    pub direction: Direction,
    /// The comparison, exactly as written.
    pub operator: Operator,
    /// The threshold on the comparison's scale (a factor for `ratio`, points for `difference`,
    /// standard deviations for `zscore`).
    pub threshold: Decimal,
    /// Its weight in a composite score and in the vulnerability index.
    pub weight: Decimal,
    /// Whether the threshold is kvarter's default (*kvarters standardværdi*) because the policy
    /// publishes none.
    pub kvarter_default: bool,
    /// Why that default, or where the policy's threshold was read.
    pub threshold_reason: String,
    /// The policy's own words naming the criterion.
    pub policy_text: String,
    /// Where those words were read.
    pub text_source: String,
    /// Whether it belongs to the switchable origin element.
    pub origin: bool,
}

/// The 2017 kind of goal: halve the gap to the city average on at least a share of the criteria.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goal {
    /// The year the gap is measured from.
    pub baseline_year: i32,
    /// The year by which it should be met.
    pub target_year: i32,
    /// The latest gap must be at most this fraction of the baseline gap ("halve": 0.5).
    pub gap_factor: Decimal,
    /// At least this fraction of the criteria must reach it ("at least half": 0.5).
    pub min_share_of_criteria: Decimal,
    /// The policy's words.
    pub text: String,
    /// Where they were read.
    pub text_source: String,
}

impl Spec {
    /// The criteria in force: all of them, or all but origin.
    pub fn active_criteria(&self, without_origin: bool) -> Vec<&Criterion> {
        self.criteria
            .iter()
            .chain(self.origin.iter().filter(|_| !without_origin))
            .collect()
    }

    /// Every criterion, origin included.
    pub fn all_criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().chain(self.origin.iter())
    }

    /// What in this spec is kvarter's default rather than the policy's, as `(item, reason)`:
    /// every output that shows a designation should show these.
    pub fn defaults(&self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        if self.designation.qualify_default {
            v.push((
                "designation.qualify".to_string(),
                self.designation.qualify_reason.clone(),
            ));
        }
        if self.designation.min_area_population_default {
            v.push((
                "designation.min_area_population".to_string(),
                self.designation.min_area_population_reason.clone(),
            ));
        }
        v.push((
            "unit.min_unit_population".to_string(),
            self.unit.min_unit_population_reason.clone(),
        ));
        for c in self.all_criteria().filter(|c| c.kvarter_default) {
            v.push((format!("criteria.{}", c.id), c.threshold_reason.clone()));
        }
        v
    }
}

/// An error in a spec file, at a line and column (both 1-based): the same located error as a
/// state rule file's.
pub type SpecError = kvarter_rules::RuleError;

struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    fn at(&self, offset: usize, message: impl Into<String>) -> SpecError {
        SpecError::at(self.file, self.src, offset, message)
    }

    fn decimal(&self, v: &Spanned<toml::Value>, what: &str) -> Result<Decimal, SpecError> {
        kvarter_rules::decimal_of(v.get_ref())
            .map_err(|m| self.at(v.span().start, format!("{what}: {m}")))
    }

    fn choice<T: Copy>(
        &self,
        v: &Spanned<String>,
        what: &str,
        options: &[(&str, T)],
    ) -> Result<T, SpecError> {
        options
            .iter()
            .find(|(s, _)| *s == v.get_ref())
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                let names: Vec<String> = options.iter().map(|(s, _)| format!("\"{s}\"")).collect();
                self.at(
                    v.span().start,
                    format!(
                        "{what}: unknown value '{}'; expected {}",
                        v.get_ref(),
                        names.join(" or ")
                    ),
                )
            })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    id: Spanned<String>,
    family: String,
    title: String,
    title_en: String,
    source: String,
    #[serde(default)]
    text_source: String,
    #[serde(default)]
    description: String,
    in_force: Spanned<RawInForce>,
    unit: RawUnit,
    designation: RawDesignation,
    criteria: Vec<RawCriterion>,
    origin: Option<RawOrigin>,
    goal: Option<RawGoal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInForce {
    first_year: i32,
    last_year: Option<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    kind: Spanned<String>,
    cell_size_m: Option<Spanned<u32>>,
    crs: Option<Spanned<String>>,
    min_unit_population: Spanned<u64>,
    min_unit_population_reason: Spanned<String>,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDesignation {
    min_area_population: Spanned<u64>,
    min_area_population_default: bool,
    min_area_population_reason: Spanned<String>,
    include_state_listed: bool,
    #[serde(default)]
    include_state_listed_text: String,
    fill_single_holes: bool,
    qualify: Spanned<RawQualify>,
    qualify_default: bool,
    qualify_reason: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQualify {
    method: Spanned<String>,
    k: Option<Spanned<i64>>,
    score: Option<Spanned<String>>,
    operator: Option<Spanned<String>>,
    cutoff: Option<Spanned<toml::Value>>,
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
    indicator: Spanned<String>,
    compare: Spanned<String>,
    direction: Spanned<String>,
    operator: Spanned<String>,
    threshold: Spanned<toml::Value>,
    weight: Option<Spanned<toml::Value>>,
    kvarter_default: Spanned<bool>,
    threshold_reason: Spanned<String>,
    #[serde(default)]
    policy_text: String,
    #[serde(default)]
    text_source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGoal {
    kind: Spanned<String>,
    baseline_year: i32,
    target_year: Spanned<i32>,
    gap_factor: Spanned<toml::Value>,
    min_share_of_criteria: Spanned<toml::Value>,
    text: String,
    #[serde(default)]
    text_source: String,
}

impl Spec {
    /// Parses one spec from the text of a spec file. `file` names it in errors. Every error
    /// points at the line and column of the offending value.
    pub fn parse(file: &str, src: &str) -> Result<Spec, SpecError> {
        let cx = Ctx { file, src };
        let raw: RawSpec = toml::from_str(src).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            cx.at(offset, e.message().trim().to_string())
        })?;

        let inf = raw.in_force.get_ref();
        if let Some(last) = inf.last_year
            && last < inf.first_year
        {
            return Err(cx.at(
                raw.in_force.span().start,
                format!(
                    "in_force: last_year {last} is before first_year {}",
                    inf.first_year
                ),
            ));
        }

        let kind = cx.choice(
            &raw.unit.kind,
            "unit.kind",
            &[("grid", true), ("polygons", false)],
        )?;
        let kind = if kind {
            let size = raw.unit.cell_size_m.as_ref().ok_or_else(|| {
                cx.at(
                    raw.unit.kind.span().start,
                    "unit.kind = \"grid\" needs cell_size_m = 100 or 250",
                )
            })?;
            if ![100, 250].contains(size.get_ref()) {
                return Err(cx.at(
                    size.span().start,
                    format!(
                        "unit.cell_size_m: {} is not a cell size of the Danish national grid used here; expected 100 or 250",
                        size.get_ref()
                    ),
                ));
            }
            let crs = raw.unit.crs.as_ref().ok_or_else(|| {
                cx.at(
                    raw.unit.kind.span().start,
                    "unit.kind = \"grid\" needs crs = \"EPSG:25832\"",
                )
            })?;
            if crs.get_ref() != "EPSG:25832" {
                return Err(cx.at(
                    crs.span().start,
                    format!(
                        "unit.crs: '{}' is not supported; the Danish national grid is in \"EPSG:25832\" (ETRS89 / UTM 32N)",
                        crs.get_ref()
                    ),
                ));
            }
            UnitKind::Grid {
                cell_size_m: *size.get_ref(),
                crs: crs.get_ref().clone(),
            }
        } else {
            for (v, name) in [
                (
                    raw.unit.cell_size_m.as_ref().map(|s| s.span().start),
                    "cell_size_m",
                ),
                (raw.unit.crs.as_ref().map(|s| s.span().start), "crs"),
            ] {
                if let Some(at) = v {
                    return Err(cx.at(
                        at,
                        format!("unit.{name} applies only to unit.kind = \"grid\""),
                    ));
                }
            }
            UnitKind::Polygons
        };
        if *raw.unit.min_unit_population.get_ref() == 0 {
            return Err(cx.at(
                raw.unit.min_unit_population.span().start,
                "unit.min_unit_population: 0 would publish every unit alone; expected a positive number of persons",
            ));
        }
        nonempty(
            &cx,
            &raw.unit.min_unit_population_reason,
            "unit.min_unit_population_reason",
        )?;

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
                (v, o.note.trim().to_string())
            }
            None => (Vec::new(), String::new()),
        };
        if criteria.is_empty() {
            return Err(cx.at(
                raw.id.span().start,
                "a spec needs at least one [[criteria]] besides origin",
            ));
        }
        let mut seen = BTreeSet::new();
        for raw_c in raw
            .criteria
            .iter()
            .chain(raw.origin.iter().flat_map(|o| &o.criteria))
        {
            if !seen.insert(raw_c.id.get_ref().clone()) {
                return Err(cx.at(
                    raw_c.id.span().start,
                    format!("criterion '{}' is defined twice", raw_c.id.get_ref()),
                ));
            }
        }

        let d = &raw.designation;
        let n = criteria.len() + origin.len();
        let q = d.qualify.get_ref();
        let method = cx.choice(
            &q.method,
            "designation.qualify.method",
            &[("k_of_n", true), ("composite", false)],
        )?;
        let qualify = if method {
            for (v, name) in [
                (q.score.as_ref().map(|s| s.span().start), "score"),
                (q.operator.as_ref().map(|s| s.span().start), "operator"),
                (q.cutoff.as_ref().map(|s| s.span().start), "cutoff"),
            ] {
                if let Some(at) = v {
                    return Err(cx.at(
                        at,
                        format!(
                            "designation.qualify.{name} applies only to method = \"composite\""
                        ),
                    ));
                }
            }
            let k = q.k.as_ref().ok_or_else(|| {
                cx.at(
                    d.qualify.span().start,
                    "designation.qualify: method = \"k_of_n\" needs k",
                )
            })?;
            let kv = *k.get_ref();
            if kv < 1 || kv as usize > n {
                return Err(cx.at(
                    k.span().start,
                    format!(
                        "designation.qualify.k: {kv} is not between 1 and the {n} criteria of the spec"
                    ),
                ));
            }
            Qualify::KOfN { k: kv as usize }
        } else {
            if let Some(k) = &q.k {
                return Err(cx.at(
                    k.span().start,
                    "designation.qualify.k applies only to method = \"k_of_n\"",
                ));
            }
            let missing = |name: &str| {
                cx.at(
                    d.qualify.span().start,
                    format!("designation.qualify: method = \"composite\" needs {name}"),
                )
            };
            let score = q.score.as_ref().ok_or_else(|| missing("score"))?;
            let score = cx.choice(
                score,
                "designation.qualify.score",
                &[
                    ("mean_zscore", Score::MeanZscore),
                    ("mean_ratio", Score::MeanRatio),
                ],
            )?;
            let op = q.operator.as_ref().ok_or_else(|| missing("operator"))?;
            let operator = Operator::parse(op.get_ref()).ok_or_else(|| {
                cx.at(
                    op.span().start,
                    format!(
                        "designation.qualify.operator: unknown operator '{}'; expected \"≥\", \">\", \"≤\" or \"<\"",
                        op.get_ref()
                    ),
                )
            })?;
            if !operator.upward() {
                return Err(cx.at(
                    op.span().start,
                    "designation.qualify.operator: a composite score is oriented so that higher is worse; expected \"≥\" or \">\"",
                ));
            }
            let cutoff = q.cutoff.as_ref().ok_or_else(|| missing("cutoff"))?;
            let cutoff = cx.decimal(cutoff, "designation.qualify.cutoff")?;
            Qualify::Composite {
                score,
                operator,
                cutoff,
            }
        };
        nonempty(&cx, &d.qualify_reason, "designation.qualify_reason")?;
        nonempty(
            &cx,
            &d.min_area_population_reason,
            "designation.min_area_population_reason",
        )?;

        let goal = match &raw.goal {
            None => None,
            Some(g) => {
                cx.choice(&g.kind, "goal.kind", &[("halve_gap", ())])?;
                if *g.target_year.get_ref() <= g.baseline_year {
                    return Err(cx.at(
                        g.target_year.span().start,
                        format!(
                            "goal.target_year {} is not after baseline_year {}",
                            g.target_year.get_ref(),
                            g.baseline_year
                        ),
                    ));
                }
                let gap_factor = cx.decimal(&g.gap_factor, "goal.gap_factor")?;
                let share = cx.decimal(&g.min_share_of_criteria, "goal.min_share_of_criteria")?;
                for (v, s, name) in [
                    (gap_factor, &g.gap_factor, "goal.gap_factor"),
                    (
                        share,
                        &g.min_share_of_criteria,
                        "goal.min_share_of_criteria",
                    ),
                ] {
                    if v <= Decimal::ZERO || v > Decimal::ONE {
                        return Err(cx.at(
                            s.span().start,
                            format!("{name}: {v} is not a fraction in (0, 1]"),
                        ));
                    }
                }
                Some(Goal {
                    baseline_year: g.baseline_year,
                    target_year: *g.target_year.get_ref(),
                    gap_factor,
                    min_share_of_criteria: share,
                    text: g.text.trim().to_string(),
                    text_source: g.text_source.clone(),
                })
            }
        };

        Ok(Spec {
            id: raw.id.get_ref().clone(),
            family: raw.family,
            title: raw.title,
            title_en: raw.title_en,
            source: raw.source,
            text_source: raw.text_source,
            description: raw.description.trim().to_string(),
            in_force: InForce {
                first_year: inf.first_year,
                last_year: inf.last_year,
            },
            unit: SpatialUnit {
                kind,
                min_unit_population: *raw.unit.min_unit_population.get_ref(),
                min_unit_population_reason: raw
                    .unit
                    .min_unit_population_reason
                    .get_ref()
                    .trim()
                    .to_string(),
                note: raw.unit.note.trim().to_string(),
            },
            designation: Designation {
                min_area_population: *d.min_area_population.get_ref(),
                min_area_population_default: d.min_area_population_default,
                min_area_population_reason: d
                    .min_area_population_reason
                    .get_ref()
                    .trim()
                    .to_string(),
                include_state_listed: d.include_state_listed,
                include_state_listed_text: d.include_state_listed_text.trim().to_string(),
                fill_single_holes: d.fill_single_holes,
                qualify,
                qualify_default: d.qualify_default,
                qualify_reason: d.qualify_reason.get_ref().trim().to_string(),
            },
            criteria,
            origin,
            origin_note,
            goal,
        })
    }
}

fn nonempty(cx: &Ctx<'_>, v: &Spanned<String>, what: &str) -> Result<(), SpecError> {
    if v.get_ref().trim().is_empty() {
        Err(cx.at(
            v.span().start,
            format!("{what} is empty; say where the value comes from or why kvarter chose it"),
        ))
    } else {
        Ok(())
    }
}

fn criterion(cx: &Ctx<'_>, c: &RawCriterion, origin: bool) -> Result<Criterion, SpecError> {
    let id = c.id.get_ref();
    let ind = indicator::indicator(c.indicator.get_ref()).ok_or_else(|| {
        let known: Vec<&str> = indicator::VOCABULARY.iter().map(|i| i.id).collect();
        cx.at(
            c.indicator.span().start,
            format!(
                "criterion '{id}': unknown indicator '{}'; expected one of {}",
                c.indicator.get_ref(),
                known.join(", ")
            ),
        )
    })?;
    if origin != (ind.id == "non_western_share") {
        return Err(cx.at(
            c.indicator.span().start,
            if origin {
                format!(
                    "criterion '{id}': only non_western_share belongs in [origin]; found '{}'",
                    ind.id
                )
            } else {
                format!(
                    "criterion '{id}': non_western_share must be written under [[origin.criteria]], so that it can be switched off"
                )
            },
        ));
    }
    let compare = cx.choice(
        &c.compare,
        &format!("criterion '{id}': compare"),
        &[
            ("ratio", Compare::Ratio),
            ("difference", Compare::Difference),
            ("zscore", Compare::Zscore),
        ],
    )?;
    let direction = cx.choice(
        &c.direction,
        &format!("criterion '{id}': direction"),
        &[
            ("higher_is_worse", Direction::HigherIsWorse),
            ("lower_is_worse", Direction::LowerIsWorse),
        ],
    )?;
    if (direction == Direction::HigherIsWorse) != ind.higher_is_worse {
        return Err(cx.at(
            c.direction.span().start,
            format!(
                "criterion '{id}': {} is bad when it is {}; expected direction = \"{}\"",
                ind.id,
                if ind.higher_is_worse {
                    "higher"
                } else {
                    "lower"
                },
                if ind.higher_is_worse {
                    "higher_is_worse"
                } else {
                    "lower_is_worse"
                }
            ),
        ));
    }
    let operator = Operator::parse(c.operator.get_ref()).ok_or_else(|| {
        cx.at(
            c.operator.span().start,
            format!(
                "criterion '{id}': unknown operator '{}'; expected \"≥\", \">\", \"≤\" or \"<\"",
                c.operator.get_ref()
            ),
        )
    })?;
    if operator.upward() != (direction == Direction::HigherIsWorse) {
        return Err(cx.at(
            c.operator.span().start,
            format!(
                "criterion '{id}': operator '{}' looks the wrong way for direction = \"{}\"; expected {}",
                c.operator.get_ref(),
                c.direction.get_ref(),
                if direction == Direction::HigherIsWorse {
                    "\"≥\" or \">\""
                } else {
                    "\"≤\" or \"<\""
                }
            ),
        ));
    }
    let threshold = cx.decimal(&c.threshold, &format!("criterion '{id}': threshold"))?;
    if compare == Compare::Ratio && threshold <= Decimal::ZERO {
        return Err(cx.at(
            c.threshold.span().start,
            format!("criterion '{id}': a ratio threshold must be positive, found {threshold}"),
        ));
    }
    if compare == Compare::Difference
        && ind.kind == Kind::Share
        && threshold.abs() > Decimal::ONE_HUNDRED
    {
        return Err(cx.at(
            c.threshold.span().start,
            format!(
                "criterion '{id}': a difference of {threshold} percentage points cannot occur between two shares"
            ),
        ));
    }
    let weight = match &c.weight {
        None => Decimal::ONE,
        Some(w) => {
            let v = cx.decimal(w, &format!("criterion '{id}': weight"))?;
            if v <= Decimal::ZERO {
                return Err(cx.at(
                    w.span().start,
                    format!("criterion '{id}': weight must be positive, found {v}"),
                ));
            }
            v
        }
    };
    nonempty(
        cx,
        &c.threshold_reason,
        &format!("criterion '{id}': threshold_reason"),
    )?;
    Ok(Criterion {
        id: id.clone(),
        name: c.name.clone(),
        name_en: c.name_en.clone(),
        indicator: ind.id.to_string(),
        compare,
        direction,
        operator,
        threshold,
        weight,
        kvarter_default: *c.kvarter_default.get_ref(),
        threshold_reason: c.threshold_reason.get_ref().trim().to_string(),
        policy_text: c.policy_text.trim().to_string(),
        text_source: c.text_source.clone(),
        origin,
    })
}
