//! The status report the administration gives its committee (every second year, with the
//! action plan's version): one typed model, [`StatusReport`], that `/plans/report`,
//! `/api/plans/report` and `kvarter plans report` (HTML and XLSX) all render, so that the
//! report's figures and the API's cannot differ.
//!
//! For one list year it holds:
//!
//! - per policy, the versions of its action plans in force ([`in_force`]), and per strategic
//!   goal and sub-goal each indicator ([`IndicatorRow`]: its population, value, the rest of the
//!   same whole, the gap and its change since the baseline, on track or not) with the
//!   initiatives in force serving the sub-goal;
//! - per *udsat byområde* of the latest designation round (by its name, [`area_name`]) its key
//!   figures against the rest of the municipality and the initiatives working in it;
//! - per housing estate on a state list that year its key numbers, helhedsplaner and
//!   initiatives, and the helhedsplaner on estates on no list;
//! - the policy's overall goals ([`PolicyGoals`]): the headline index, the 2017 goal and the
//!   2035 goals.
//!
//! Every figure of the data is a [`Published`] value, built by the policy (through
//! [`crate::plans`], [`crate::population`] and [`crate::headline`]); figures the plans
//! themselves give (baselines, targets, budgets) are carried as the plans hold them.
//! Pure: the caller reads the rows ([`Rows`]) from the store.

use crate::disclosure::{Policy, Published, PublishedDecimal};
use crate::headline::{AtRisk, GoalOutcome, Headline, at_risk, gap_goal, headline};
use crate::plans::{Data, progress_up_to, track};
use crate::population::{Counted, Population, measure};
use crate::rows::{Outlook, PopulationCount};
use kvarter_plans::progress::Status;
use kvarter_plans::{ActionPlanVersion, Areas, Helhedsplan, Indicator, Initiative, Plans};
use kvarter_rules::{Decimal, Observation};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// kvarter's default threshold of the 2035 goal "no housing area at risk": 10 %.
pub const DEFAULT_RISK_PCT: u32 = 10;

/// The key numbers of a housing estate, in order (columns of the area-year table).
pub const KEY_COLUMNS: [&str; 5] = [
    "residents",
    "outside_labour_pct",
    "basic_education_pct",
    "income_pct_of_region",
    "convicted_pct",
];

/// Everything the report is built from, as the store holds it.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Every list year with values, ascending.
    pub list_years: Vec<i32>,
    /// Every area-year.
    pub observations: Vec<Observation>,
    /// The estates on a state list in the latest list year.
    pub listed_latest: Vec<String>,
    /// (area id, list) for every state list an estate is on in the report's year.
    pub memberships: Vec<(String, String)>,
    /// (area id, name, municipality) of every estate.
    pub areas: Vec<(String, String, String)>,
    /// Every population count.
    pub population_counts: Vec<PopulationCount>,
    /// The stored plan files: (name, content).
    pub plan_files: Vec<(String, String)>,
    /// The early warning.
    pub outlooks: Vec<Outlook>,
    /// The designation rounds: names and how many areas each designated.
    pub rounds: Rounds,
}

/// What the store holds of the designation rounds.
#[derive(Debug, Clone, Default)]
pub struct Rounds {
    /// Designated area id → its name ([`area_name`]).
    pub names: BTreeMap<String, String>,
    /// How many areas each stored round designated (with the origin criterion).
    pub designated: Vec<RoundCount>,
}

/// How many areas one designation round designated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundCount {
    /// The screening spec.
    pub spec: String,
    /// The round's year.
    pub year: i32,
    /// Designated areas (a count of areas, not of persons).
    pub areas: u64,
}

/// Why a report cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// The store has no values for the year (or no year at all): the message names the known
    /// years.
    NotFound(String),
    /// Anything else (a stored file that does not read).
    Failed(String),
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::NotFound(m) | ReportError::Failed(m) => f.write_str(m),
        }
    }
}

/// The name of a designated area (udsat byområde): the one place a name is read, so that a
/// human name given to the area replaces its id everywhere the report shows it.
pub fn area_name(names: &BTreeMap<String, String>, id: &str) -> String {
    names
        .get(id)
        .filter(|n| !n.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| id.to_string())
}

/// The designation round the screening's figures are measured on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Round {
    /// The screening spec, e.g. `kbh-2025`.
    pub spec: String,
    /// The round's year.
    pub year: i32,
}

/// The status report of one list year.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusReport {
    /// The list year reported on.
    pub year: i32,
    /// Every list year the store has values for.
    pub years: Vec<i32>,
    /// The data year of the screening's figures (the one the list of `year` rests on, or the
    /// latest before it), when the store has population counts.
    pub data_year: Option<i32>,
    /// The designation round, when the store has one.
    pub round: Option<Round>,
    /// The minimum count the figures were published under.
    pub min_count: u64,
    /// Whether the store holds plans (without them, only the overall goals and the areas).
    pub has_plans: bool,
    /// How many baselines the plans leave empty were taken from the data, and of which year.
    pub baselines_filled: Option<Filled>,
    /// How many indicators the plans have, and how many of them are illustrative.
    pub indicators: Counts,
    /// Each policy with its goals.
    pub policies: Vec<PolicyStatus>,
    /// Each udsat byområde of the latest designation round, by name.
    pub designated_areas: Vec<DesignatedArea>,
    /// Each housing estate on a state list in the year, by name.
    pub listed_areas: Vec<ListedArea>,
    /// The helhedsplaner on estates on no list that year.
    pub other_helhedsplaner: Vec<HelhedsplanStatus>,
    /// The policy's overall goals, when the store has a designation round.
    pub goals: Option<PolicyGoals>,
}

/// Baselines taken from the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filled {
    /// The year they were taken from.
    pub year: i32,
    /// How many.
    pub count: usize,
}

/// How many, and how many illustrative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// All of them.
    pub total: usize,
    /// Those not from a published source.
    pub illustrative: usize,
}

/// How an action-plan version relates to the report's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InForce {
    /// Its period contains the year.
    Current,
    /// Its period ended before the year, and no later version started before it.
    Ended,
    /// It starts after the year: no version of the plan had started by then.
    Upcoming,
}

/// An action-plan version as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Version {
    /// The version's id.
    pub id: String,
    /// The plan all its versions share.
    pub plan: String,
    /// Its name.
    pub name: String,
    /// Its number.
    pub version: u32,
    /// The first year it covers.
    pub from: i32,
    /// The last year it covers.
    pub to: i32,
    /// Not from a published source.
    pub illustrative: bool,
    /// How it relates to the report's year.
    pub state: InForce,
}

impl Version {
    fn of(v: &ActionPlanVersion, state: InForce) -> Version {
        Version {
            id: v.id.clone(),
            plan: v.plan.clone(),
            name: v.name.clone(),
            version: v.version,
            from: v.period.from,
            to: v.period.to,
            illustrative: v.illustrative,
            state,
        }
    }
}

/// An initiative in force, with the version it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InitiativeRow {
    /// The id of the action-plan version it belongs to.
    pub version: String,
    /// The initiative as the plans hold it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub initiative: Initiative,
}

/// A policy's status in the year.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyStatus {
    /// Its id.
    pub id: String,
    /// Its Danish name.
    pub name: String,
    /// Its English name.
    pub name_en: String,
    /// The first year of its period.
    pub from: i32,
    /// The last year of its period.
    pub to: i32,
    /// Not from a published source.
    pub illustrative: bool,
    /// Its ambitions.
    pub ambitions: Vec<String>,
    /// Per action plan carrying it, the version in force ([`in_force`]).
    pub in_force: Vec<Version>,
    /// Its strategic goals.
    pub goals: Vec<GoalReport>,
}

/// A strategic goal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalReport {
    /// Its id.
    pub id: String,
    /// Its Danish name.
    pub name: String,
    /// Its English name.
    pub name_en: String,
    /// Not from a published source.
    pub illustrative: bool,
    /// Its sub-goals.
    pub sub_goals: Vec<SubGoalReport>,
}

/// A sub-goal: its indicators and the initiatives in force serving it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubGoalReport {
    /// Its id.
    pub id: String,
    /// Its Danish name.
    pub name: String,
    /// Its English name.
    pub name_en: String,
    /// Not from a published source.
    pub illustrative: bool,
    /// Its indicators.
    pub indicators: Vec<IndicatorRow>,
    /// The initiatives of the versions in force serving it.
    pub initiatives: Vec<InitiativeRow>,
}

/// An indicator's status in the year: what the report's tables show of it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorRow {
    /// The indicator as the plans hold it (population, measure, baseline, target, direction).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub indicator: Indicator,
    /// The name of the designated area it is measured on ([`area_name`]), when one area is its
    /// population.
    pub population_name: Option<String>,
    /// The year of `value`: the latest up to the report's year (a list year for the state's
    /// table, a data year before the list year for the screening's counts).
    pub value_year: Option<i32>,
    /// The population's value in `value_year`.
    pub value: PublishedDecimal,
    /// The rest of the same whole in that year.
    pub rest: PublishedDecimal,
    /// `value − rest`.
    pub gap: PublishedDecimal,
    /// The year the gap is compared with (the baseline's, else the first with both values).
    pub gap_from_year: Option<i32>,
    /// The gap in that year.
    pub gap_from: PublishedDecimal,
    /// `gap − gap_from`: how the gap changed since then.
    pub gap_change: PublishedDecimal,
    /// The value the straight line from the baseline to the target requires in `value_year`.
    pub required: PublishedDecimal,
    /// The target value resolved (for a target of "the rest", the rest's value).
    pub target_value: PublishedDecimal,
    /// On track (or reached): `None` when it cannot be said.
    pub on_track: Option<bool>,
    /// The verdict: `on_track`, `off_track`, `reached`, `no_data`, `no_baseline`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: Status,
}

/// A key figure of a designated area: an indicator of the screening on the area against the
/// rest of the municipality.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyFigure {
    /// The screening indicator.
    pub indicator: String,
    /// Its Danish name (the spec's criterion).
    pub name: String,
    /// Its English name.
    pub name_en: String,
    /// A share in per cent (else a ratio).
    pub share: bool,
    /// The area's value.
    pub value: PublishedDecimal,
    /// The rest of the municipality's.
    pub rest: PublishedDecimal,
    /// `value − rest`.
    pub gap: PublishedDecimal,
}

/// An udsat byområde of the designation round.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DesignatedArea {
    /// Its id.
    pub id: String,
    /// Its name ([`area_name`]).
    pub name: String,
    /// Its key figures in the report's data year.
    pub figures: Vec<KeyFigure>,
    /// The initiatives in force working in it (all designated areas, or it by id).
    pub initiatives: Vec<InitiativeRow>,
}

/// A key number of a housing estate: a column of the area-year table, the estate's and all
/// estates' pooled.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyNumber {
    /// The column.
    pub column: String,
    /// The estate's value.
    pub value: PublishedDecimal,
    /// All estates', pooled (weighted by the measured group).
    pub all: PublishedDecimal,
}

/// A housing estate on a state list in the year.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedArea {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its municipality.
    pub municipality: String,
    /// The lists it is on.
    pub lists: Vec<String>,
    /// Its key numbers, when it has values that year.
    pub numbers: Option<Vec<KeyNumber>>,
    /// Its helhedsplaner.
    pub helhedsplaner: Vec<HelhedsplanStatus>,
    /// The initiatives in force working in it.
    pub initiatives: Vec<InitiativeRow>,
}

/// A helhedsplan and, goal by goal, its indicators' status.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HelhedsplanStatus {
    /// The helhedsplan as the plans hold it (without its challenges, which `goals` carries).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub plan: Helhedsplan,
    /// The estate's name.
    pub area_name: String,
    /// Per goal: the challenge, the goal and its indicators.
    pub goals: Vec<HelhedsplanGoal>,
}

/// A goal of a helhedsplan.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HelhedsplanGoal {
    /// The goal's id.
    pub id: String,
    /// The challenge it answers.
    pub challenge: String,
    /// The goal.
    pub goal: String,
    /// Its indicators.
    pub indicators: Vec<IndicatorRow>,
}

/// The policy's overall goals: the headline index, the 2017 goal and the 2035 goals.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyGoals {
    /// The designation round.
    pub round: Round,
    /// The data years the index may be read in.
    pub years: Vec<i32>,
    /// The headline index.
    pub headline: Headline,
    /// The 2017 goal, on all the udsatte byområder and on each.
    pub goal_2017: Vec<GoalOn>,
    /// The 2035 goal "fewer udsatte byområder": how many the round designated.
    pub designated: usize,
    /// How many each stored round of the same spec designated, by year: the trend.
    pub designated_per_round: Vec<RoundCount>,
    /// The 2035 goal "no housing area at risk of the parallelsamfund list".
    pub at_risk: AtRisk,
    /// The threshold used, per cent.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub risk_pct: Decimal,
}

/// The 2017 goal on one population.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalOn {
    /// The area's id (`None`: all the udsatte byområder together).
    pub area: Option<String>,
    /// The area's name ([`area_name`]; `None` for all together).
    pub name: Option<String>,
    /// The outcome.
    pub outcome: GoalOutcome,
}

/// For every action plan carrying `policy`, the version in force in `year`: the one whose
/// period contains the year, else the latest starting before it, else (not yet in force) the
/// first one.
pub fn in_force<'a>(
    plans: &'a Plans,
    policy: &str,
    year: i32,
) -> Vec<(&'a ActionPlanVersion, InForce)> {
    let ids: BTreeSet<&str> = plans
        .action_plans
        .iter()
        .filter(|a| a.policy_id == policy)
        .map(|a| a.plan.as_str())
        .collect();
    ids.into_iter()
        .filter_map(|plan| {
            let vs: Vec<&ActionPlanVersion> = plans
                .versions(plan)
                .into_iter()
                .filter(|v| v.policy_id == policy)
                .collect();
            vs.iter()
                .filter(|v| v.period.from <= year && year <= v.period.to)
                .max_by_key(|v| (v.period.from, v.version))
                .map(|v| (*v, InForce::Current))
                .or_else(|| {
                    vs.iter()
                        .filter(|v| v.period.from <= year)
                        .max_by_key(|v| (v.period.from, v.version))
                        .map(|v| (*v, InForce::Ended))
                })
                .or_else(|| {
                    vs.iter()
                        .min_by_key(|v| (v.period.from, v.version))
                        .map(|v| (*v, InForce::Upcoming))
                })
        })
        .collect()
}

/// The overall goals from the counts of the latest round: the index between data years `from`
/// and `to`, the 2017 goal, and the 2035 goals with the risk threshold `risk_pct` (per cent).
/// `None` when the store has no round; `Err` when its spec is unknown.
pub fn policy_goals(
    counted: &Counted,
    policy: &Policy,
    outlooks: &[Outlook],
    rounds: &Rounds,
    from: i32,
    to: i32,
    risk_pct: Decimal,
) -> Result<Option<PolicyGoals>, String> {
    let Some((spec_id, round)) = counted.round() else {
        return Ok(None);
    };
    let spec = kvarter_screen::builtin::spec(spec_id)
        .and_then(Result::ok)
        .ok_or_else(|| format!("the stored round's spec {spec_id} is unknown"))?;
    let mut goal_2017 = Vec::new();
    if let Some(Ok(spec17)) = kvarter_screen::builtin::spec("kbh-2017") {
        let mut populations = vec![(None, Population::Designated)];
        for a in counted.areas() {
            populations.push((Some(a.clone()), Population::Area(a)));
        }
        for (area, p) in populations {
            if let Some(outcome) = gap_goal(counted, policy, &spec17, &p, false) {
                goal_2017.push(GoalOn {
                    name: area.as_deref().map(|a| area_name(&rounds.names, a)),
                    area,
                    outcome,
                });
            }
        }
    }
    Ok(Some(PolicyGoals {
        round: Round {
            spec: spec_id.to_string(),
            year: round,
        },
        years: counted.years("outside_labour_share"),
        headline: headline(counted, policy, &spec, from, to),
        goal_2017,
        designated: counted.areas().len(),
        designated_per_round: rounds
            .designated
            .iter()
            .filter(|r| r.spec == spec_id)
            .cloned()
            .collect(),
        at_risk: at_risk(
            outlooks,
            "parallelsamfund",
            &counted.estates(),
            risk_pct / Decimal::ONE_HUNDRED,
        ),
        risk_pct,
    }))
}

fn published(policy: &Policy, v: Option<Decimal>) -> Published<Decimal> {
    // The progress is computed from series that hold only figures the policy lets be shown
    // (`crate::plans::series`), so what it returns is publishable as it is.
    match v {
        Some(v) => policy.public(v),
        None => Published::missing(),
    }
}

fn indicator_row(
    policy: &Policy,
    i: &Indicator,
    progress: &BTreeMap<String, kvarter_plans::Progress>,
) -> IndicatorRow {
    let p = progress.get(&i.id);
    let gap = p.and_then(|p| p.gap_to_city);
    let from = p.and_then(|p| p.gap_from);
    IndicatorRow {
        population_name: None,
        indicator: i.clone(),
        value_year: p.and_then(|p| p.latest).map(|(y, _)| y),
        value: published(policy, p.and_then(|p| p.latest).map(|(_, v)| v)),
        rest: published(policy, p.and_then(|p| p.comparator)),
        gap: published(policy, gap),
        gap_from_year: from.map(|(y, _)| y),
        gap_from: published(policy, from.map(|(_, g)| g)),
        gap_change: published(policy, gap.zip(from).map(|(g, (_, f))| g - f)),
        required: published(policy, p.and_then(|p| p.required)),
        target_value: published(policy, p.and_then(|p| p.target_value)),
        on_track: p.and_then(|p| p.on_track),
        status: p.map_or(Status::NoData, |p| p.status),
    }
}

fn helhedsplan(
    policy: &Policy,
    hp: &Helhedsplan,
    area_name: String,
    progress: &BTreeMap<String, kvarter_plans::Progress>,
) -> HelhedsplanStatus {
    let goals = hp
        .challenges
        .iter()
        .flat_map(|ch| {
            ch.goals.iter().map(move |g| HelhedsplanGoal {
                id: g.id.clone(),
                challenge: ch.text.clone(),
                goal: g.text.clone(),
                indicators: g
                    .indicators
                    .iter()
                    .map(|i| indicator_row(policy, i, progress))
                    .collect(),
            })
        })
        .collect();
    let mut plan = hp.clone();
    plan.challenges.clear();
    HelhedsplanStatus {
        plan,
        area_name,
        goals,
    }
}

impl StatusReport {
    /// The report of list year `year` (the latest when `None`) under `policy`.
    pub fn build(
        rows: &Rows,
        policy: &Policy,
        year: Option<i32>,
    ) -> Result<StatusReport, ReportError> {
        let Some(&latest) = rows.list_years.last() else {
            return Err(ReportError::NotFound(
                "the store has no list year".to_string(),
            ));
        };
        let year = year.unwrap_or(latest);
        if !rows.list_years.contains(&year) {
            return Err(ReportError::NotFound(format!(
                "the store has no values for list year {year}; known list years: {}",
                rows.list_years
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let failed = ReportError::Failed;
        let counted = Counted::latest_round(&rows.population_counts);
        let data = Data {
            observations: &rows.observations,
            listed: &rows.listed_latest,
            counted: &counted,
        };
        // The screening's figures as of the data the list of `year` rests on (year − 1).
        let counted_years = counted.years("outside_labour_share");
        let data_year = counted_years.iter().copied().filter(|y| *y < year).max();
        let goals = match (counted_years.first(), data_year) {
            (Some(&first), Some(to)) => {
                let from = (to - 7).max(first);
                if from < to {
                    policy_goals(
                        &counted,
                        policy,
                        &rows.outlooks,
                        &rows.rounds,
                        from,
                        to,
                        Decimal::from(DEFAULT_RISK_PCT),
                    )
                    .map_err(failed)?
                } else {
                    None
                }
            }
            _ => None,
        };
        let names: BTreeMap<&str, (&str, &str)> = rows
            .areas
            .iter()
            .map(|(id, n, m)| (id.as_str(), (n.as_str(), m.as_str())))
            .collect();
        let estate_name = |id: &str| names.get(id).map_or(id, |(n, _)| n).to_string();

        let mut report = StatusReport {
            year,
            years: rows.list_years.clone(),
            data_year,
            round: counted.round().map(|(s, y)| Round {
                spec: s.to_string(),
                year: y,
            }),
            min_count: policy.min_count(),
            has_plans: false,
            baselines_filled: None,
            indicators: Counts::default(),
            policies: Vec::new(),
            designated_areas: Vec::new(),
            listed_areas: Vec::new(),
            other_helhedsplaner: Vec::new(),
            goals,
        };
        let plans = kvarter_view_plans(rows).map_err(failed)?;

        // The udsatte byområder: key figures in the data year, against the rest.
        let spec = report
            .round
            .as_ref()
            .and_then(|r| kvarter_screen::builtin::spec(&r.spec).and_then(Result::ok));
        let mut designated: Vec<DesignatedArea> = counted
            .areas()
            .into_iter()
            .map(|id| {
                let figures = match (&spec, data_year) {
                    (Some(spec), Some(dy)) => spec
                        .active_criteria(false)
                        .iter()
                        .filter_map(|c| {
                            let share = kvarter_screen::indicator(&c.indicator)
                                .is_none_or(|i| i.kind == kvarter_screen::Kind::Share);
                            let m = measure(
                                &counted,
                                policy,
                                &Population::Area(id.clone()),
                                &c.indicator,
                                share,
                            )
                            .remove(&dy)?;
                            Some(KeyFigure {
                                indicator: c.indicator.clone(),
                                name: c.name.clone(),
                                name_en: c.name_en.clone(),
                                share,
                                value: m.value,
                                rest: m.rest,
                                gap: m.gap,
                            })
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                DesignatedArea {
                    name: area_name(&rows.rounds.names, &id),
                    id,
                    figures,
                    initiatives: Vec::new(),
                }
            })
            .collect();
        designated.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));

        // The estates on a state list in the year.
        let mut members: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for (a, l) in &rows.memberships {
            members.entry(a.as_str()).or_default().insert(l.clone());
        }
        let all: BTreeMap<&str, Published<Decimal>> = KEY_COLUMNS
            .iter()
            .map(|c| {
                let v = crate::plans::measure_series(&rows.observations, policy, c, None)
                    .ok()
                    .and_then(|s| s.get(&year).copied());
                (*c, published(policy, v))
            })
            .collect();
        let mut listed: Vec<ListedArea> = members
            .iter()
            .map(|(id, lists)| {
                let numbers = rows
                    .observations
                    .iter()
                    .find(|o| o.area_id == *id && o.list_year == year)
                    .map(|o| {
                        let d = policy.area_year(|c| o.values.get(c).copied());
                        KEY_COLUMNS
                            .iter()
                            .map(|c| KeyNumber {
                                column: c.to_string(),
                                value: d.get(c),
                                all: all[c].clone(),
                            })
                            .collect()
                    });
                ListedArea {
                    id: id.to_string(),
                    name: estate_name(id),
                    municipality: names.get(id).map_or("", |(_, m)| m).to_string(),
                    lists: lists.iter().cloned().collect(),
                    numbers,
                    helhedsplaner: Vec::new(),
                    initiatives: Vec::new(),
                }
            })
            .collect();
        listed.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));

        let Some(mut plans) = plans else {
            report.designated_areas = designated;
            report.listed_areas = listed;
            return Ok(report);
        };
        report.has_plans = true;
        let tracked = track(&data, policy, &mut plans, Some(latest)).map_err(failed)?;
        report.baselines_filled = tracked
            .filled_from
            .map(|(year, count)| Filled { year, count });
        let progress = if year == latest {
            tracked.progress
        } else {
            progress_up_to(&data, policy, &plans, Some(year)).map_err(failed)?
        };
        let indicators = plans.indicators();
        report.indicators = Counts {
            total: indicators.len(),
            illustrative: indicators.iter().filter(|(i, _)| i.illustrative).count(),
        };

        let mut all_in_force: Vec<&ActionPlanVersion> = Vec::new();
        for p in &plans.policies {
            let versions = in_force(&plans, &p.id, year);
            let serving = |sub: &str| -> Vec<InitiativeRow> {
                versions
                    .iter()
                    .flat_map(|(v, _)| {
                        v.initiatives
                            .iter()
                            .filter(|i| i.sub_goals.iter().any(|s| s == sub))
                            .map(|i| InitiativeRow {
                                version: v.id.clone(),
                                initiative: i.clone(),
                            })
                    })
                    .collect()
            };
            report.policies.push(PolicyStatus {
                id: p.id.clone(),
                name: p.name.clone(),
                name_en: p.name_en.clone(),
                from: p.period.from,
                to: p.period.to,
                illustrative: p.illustrative,
                ambitions: p.ambitions.clone(),
                in_force: versions.iter().map(|(v, s)| Version::of(v, *s)).collect(),
                goals: p
                    .goals
                    .iter()
                    .map(|g| GoalReport {
                        id: g.id.clone(),
                        name: g.name.clone(),
                        name_en: g.name_en.clone(),
                        illustrative: g.illustrative,
                        sub_goals: g
                            .sub_goals
                            .iter()
                            .map(|s| SubGoalReport {
                                id: s.id.clone(),
                                name: s.name.clone(),
                                name_en: s.name_en.clone(),
                                illustrative: s.illustrative,
                                indicators: s
                                    .indicators
                                    .iter()
                                    .map(|i| {
                                        let mut row = indicator_row(policy, i, &progress);
                                        if let kvarter_plans::Population::Area(id) = &i.population {
                                            row.population_name =
                                                Some(area_name(&rows.rounds.names, id));
                                        }
                                        row
                                    })
                                    .collect(),
                                initiatives: serving(&s.id),
                            })
                            .collect(),
                    })
                    .collect(),
            });
            all_in_force.extend(versions.into_iter().map(|(v, _)| v));
        }
        let working_in = |id: &str| -> Vec<InitiativeRow> {
            all_in_force
                .iter()
                .flat_map(|v| {
                    v.initiatives
                        .iter()
                        .filter(|i| match &i.areas {
                            Areas::All => true,
                            Areas::Listed(a) => a.iter().any(|a| a == id),
                        })
                        .map(|i| InitiativeRow {
                            version: v.id.clone(),
                            initiative: i.clone(),
                        })
                })
                .collect()
        };
        for a in &mut designated {
            a.initiatives = working_in(&a.id);
        }
        for a in &mut listed {
            a.initiatives = working_in(&a.id);
            a.helhedsplaner = plans
                .helhedsplaner
                .iter()
                .filter(|h| h.area_id == a.id)
                .map(|h| helhedsplan(policy, h, a.name.clone(), &progress))
                .collect();
        }
        report.other_helhedsplaner = plans
            .helhedsplaner
            .iter()
            .filter(|h| !members.contains_key(h.area_id.as_str()))
            .map(|h| helhedsplan(policy, h, estate_name(&h.area_id), &progress))
            .collect();
        report.designated_areas = designated;
        report.listed_areas = listed;
        Ok(report)
    }

    /// The action-plan version of an initiative row, by id.
    pub fn version(&self, id: &str) -> Option<&Version> {
        self.policies
            .iter()
            .flat_map(|p| &p.in_force)
            .find(|v| v.id == id)
    }

    /// Every indicator row of the report: the policies' and the helhedsplaner's.
    pub fn indicator_rows(&self) -> Vec<&IndicatorRow> {
        let mut out: Vec<&IndicatorRow> = self
            .policies
            .iter()
            .flat_map(|p| &p.goals)
            .flat_map(|g| &g.sub_goals)
            .flat_map(|s| &s.indicators)
            .collect();
        out.extend(
            self.listed_areas
                .iter()
                .flat_map(|a| &a.helhedsplaner)
                .chain(&self.other_helhedsplaner)
                .flat_map(|h| &h.goals)
                .flat_map(|g| &g.indicators),
        );
        out
    }
}

/// The stored plans, parsed.
fn kvarter_view_plans(rows: &Rows) -> Result<Option<Plans>, String> {
    crate::plans::stored(&rows.plan_files)
}

// ---------------------------------------------------------------------------------------------
// The report as tables (one per part), for the workbook `kvarter plans report --format xlsx`.

use crate::table::{Cell, Column, Kind, Table};

fn status_text(s: Status) -> &'static str {
    match s {
        Status::OnTrack => "on_track",
        Status::OffTrack => "off_track",
        Status::Reached => "reached",
        Status::NoData => "no_data",
        Status::NoBaseline => "no_baseline",
    }
}

fn ids(items: &[InitiativeRow]) -> String {
    items
        .iter()
        .map(|i| i.initiative.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl StatusReport {
    /// The report as tables, one per part: the indicators (per policy, goal and sub-goal, with
    /// the initiatives serving each sub-goal), the initiatives, the udsatte byområder, the
    /// estates on a state list, and the overall goals. Every figure enters a cell through
    /// [`Cell::published`], so a suppressed one is the visible mark; ids and names are text.
    pub fn tables(&self, lang: crate::Lang) -> Vec<Table> {
        let t = |da: &str, en: &str| lang.t(da, en).to_string();
        let col = |key: &str, da: &str, en: &str, kind: Kind| Column::new(key, t(da, en), kind);
        let dec = Kind::Decimal { places: 2 };
        let note = t(
            "Figurer under mindstetallet er undertrykt og skrevet som «<N».",
            "Figures under the minimum count are suppressed and written as “<N”.",
        );
        let mut tables = Vec::new();

        // The indicators.
        let mut rows = Vec::new();
        for p in &self.policies {
            for g in &p.goals {
                for s in &g.sub_goals {
                    for r in &s.indicators {
                        let i = &r.indicator;
                        let whole = i.measure == kvarter_plans::Measure::Residents;
                        rows.push(vec![
                            Cell::from(p.id.as_str()),
                            Cell::from(lang.t(&g.name, &g.name_en)),
                            Cell::from(lang.t(&s.name, &s.name_en)),
                            Cell::from(i.id.as_str()),
                            Cell::from(i.name.as_str()),
                            Cell::from(i.population.as_text()),
                            Cell::from(i.measure.as_str()),
                            Cell::from(r.value_year.map(i64::from)),
                            Cell::published(&r.value, whole),
                            Cell::published(&r.rest, whole),
                            Cell::published(&r.gap, whole),
                            Cell::from(r.gap_from_year.map(i64::from)),
                            Cell::published(&r.gap_from, whole),
                            Cell::published(&r.gap_change, whole),
                            Cell::published(&r.required, whole),
                            Cell::from(status_text(r.status)),
                            Cell::from(ids(&s.initiatives)),
                        ]);
                    }
                }
            }
        }
        tables.push(Table {
            title: format!("{} {}", t("Indikatorer", "Indicators"), self.year),
            columns: vec![
                col("policy", "Politik", "Policy", Kind::Text),
                col("goal", "Mål", "Goal", Kind::Text),
                col("sub_goal", "Delmål", "Sub-goal", Kind::Text),
                col("indicator", "Indikator (id)", "Indicator (id)", Kind::Text),
                col("name", "Indikator", "Indicator", Kind::Text),
                col("population", "Målt på", "Measured on", Kind::Text),
                col("measure", "Måling", "Measure", Kind::Text),
                col("value_year", "År", "Year", Kind::Year),
                col("value", "Værdi", "Value", dec),
                col("rest", "Resten", "The rest", dec),
                col("gap", "Forskel", "Gap", dec),
                col(
                    "gap_from_year",
                    "Forskel fra år",
                    "Gap from year",
                    Kind::Year,
                ),
                col("gap_from", "Forskel da", "Gap then", dec),
                col(
                    "gap_change",
                    "Forskellens ændring",
                    "Change of the gap",
                    dec,
                ),
                col("required", "Krævet", "Required", dec),
                col("status", "Status", "Status", Kind::Text),
                col("initiatives", "Indsatser", "Initiatives", Kind::Text),
            ],
            rows,
            notes: vec![note.clone()],
        });

        // The initiatives in force, per sub-goal.
        let mut rows = Vec::new();
        for s in self
            .policies
            .iter()
            .flat_map(|p| &p.goals)
            .flat_map(|g| &g.sub_goals)
        {
            for r in &s.initiatives {
                let i = &r.initiative;
                rows.push(vec![
                    Cell::from(s.id.as_str()),
                    Cell::from(i.id.as_str()),
                    Cell::from(i.name.as_str()),
                    Cell::from(i.owner.name()),
                    Cell::from(format!("{:?}", i.status).to_lowercase()),
                    Cell::from(i.budget_dkk),
                    Cell::from(i64::from(i.period.from)),
                    Cell::from(i64::from(i.period.to)),
                    Cell::from(r.version.as_str()),
                ]);
            }
        }
        tables.push(Table {
            title: t("Indsatser", "Initiatives"),
            columns: vec![
                col("sub_goal", "Delmål", "Sub-goal", Kind::Text),
                col("initiative", "Indsats (id)", "Initiative (id)", Kind::Text),
                col("name", "Indsats", "Initiative", Kind::Text),
                col("owner", "Ansvarlig", "Owner", Kind::Text),
                col("status", "Status", "Status", Kind::Text),
                col("budget_dkk", "Budget, kr.", "Budget, DKK", Kind::Integer),
                col("from", "Fra", "From", Kind::Year),
                col("to", "Til", "To", Kind::Year),
                col("action_plan", "Handleplan", "Action plan", Kind::Text),
            ],
            rows,
            notes: Vec::new(),
        });

        // The udsatte byområder.
        let mut rows = Vec::new();
        for a in &self.designated_areas {
            for f in &a.figures {
                rows.push(vec![
                    Cell::from(a.id.as_str()),
                    Cell::from(a.name.as_str()),
                    Cell::from(f.indicator.as_str()),
                    Cell::from(lang.t(&f.name, &f.name_en)),
                    Cell::from(self.data_year.map(i64::from)),
                    Cell::published(&f.value, false),
                    Cell::published(&f.rest, false),
                    Cell::published(&f.gap, false),
                    Cell::from(ids(&a.initiatives)),
                ]);
            }
        }
        tables.push(Table {
            title: t("Udsatte byområder", "Udsatte byområder"),
            columns: vec![
                col("area", "Byområde (id)", "Area (id)", Kind::Text),
                col("name", "Byområde", "Area", Kind::Text),
                col("indicator", "Indikator", "Indicator", Kind::Text),
                col("criterion", "Kriterium", "Criterion", Kind::Text),
                col("data_year", "Dataår", "Data year", Kind::Year),
                col("value", "Byområdet", "The area", dec),
                col(
                    "rest",
                    "Resten af kommunen",
                    "The rest of the municipality",
                    dec,
                ),
                col("gap", "Forskel", "Gap", dec),
                col("initiatives", "Indsatser", "Initiatives", Kind::Text),
            ],
            rows,
            notes: vec![note.clone()],
        });

        // The estates on a state list.
        let mut rows = Vec::new();
        for a in &self.listed_areas {
            for n in a.numbers.iter().flatten() {
                let whole = n.column == "residents";
                rows.push(vec![
                    Cell::from(a.id.as_str()),
                    Cell::from(a.name.as_str()),
                    Cell::from(a.lists.join(", ")),
                    Cell::from(n.column.as_str()),
                    Cell::published(&n.value, whole),
                    Cell::published(&n.all, whole),
                    Cell::from(ids(&a.initiatives)),
                ]);
            }
        }
        tables.push(Table {
            title: t("Statsligt listede", "State-listed estates"),
            columns: vec![
                col("area", "Område (id)", "Area (id)", Kind::Text),
                col("name", "Område", "Area", Kind::Text),
                col("lists", "Lister", "Lists", Kind::Text),
                col("measure", "Måling", "Measure", Kind::Text),
                col("value", "Området", "The area", dec),
                col("all", "Alle områder", "All areas", dec),
                col("initiatives", "Indsatser", "Initiatives", Kind::Text),
            ],
            rows,
            notes: vec![note.clone()],
        });

        // The overall goals.
        let mut rows = Vec::new();
        if let Some(g) = &self.goals {
            let h = &g.headline;
            let row = |part: &str,
                       item: String,
                       from: Option<i32>,
                       a: Cell,
                       to: Option<i32>,
                       b: Cell,
                       status: String| {
                vec![
                    Cell::from(part),
                    Cell::from(item),
                    Cell::from(from.map(i64::from)),
                    a,
                    Cell::from(to.map(i64::from)),
                    b,
                    Cell::from(status),
                ]
            };
            rows.push(row(
                "index",
                t("Udsathedsindeks", "Vulnerability index"),
                Some(h.from),
                Cell::published(&h.index_from, false),
                Some(h.to),
                Cell::published(&h.index_to, false),
                String::new(),
            ));
            rows.push(row(
                "index_change_pct",
                t("Ændring, %", "Change, %"),
                Some(h.from),
                Cell::Empty,
                Some(h.to),
                Cell::published(&h.change_pct, false),
                String::new(),
            ));
            for c in &h.components {
                rows.push(row(
                    "index_component",
                    lang.t(&c.name, &c.name_en).to_string(),
                    Some(h.from),
                    Cell::published(&c.from, false),
                    Some(h.to),
                    Cell::published(&c.to, false),
                    format!("{} {}", t("vægt", "weight"), c.weight),
                ));
            }
            for on in &g.goal_2017 {
                let o = &on.outcome;
                let who = on
                    .name
                    .clone()
                    .unwrap_or_else(|| t("Alle udsatte byområder", "All udsatte byområder"));
                for r in &o.rows {
                    rows.push(row(
                        "goal_2017",
                        format!("{who}: {}", lang.t(&r.name, &r.name_en)),
                        Some(o.baseline_year),
                        Cell::published(&r.baseline_gap, false),
                        Some(o.latest_year),
                        Cell::published(&r.latest_gap, false),
                        format!("{:?}", r.status).to_lowercase(),
                    ));
                }
                rows.push(row(
                    "goal_2017",
                    who,
                    Some(o.baseline_year),
                    Cell::Empty,
                    Some(o.latest_year),
                    Cell::Integer(o.reached as i64),
                    format!(
                        "{} / {} ({} {}): {}",
                        o.reached,
                        o.rows.len(),
                        t("krævet", "required"),
                        o.required,
                        if o.met {
                            t("nået", "met")
                        } else {
                            t("ikke nået", "not met")
                        }
                    ),
                ));
            }
            rows.push(row(
                "goal_2035_fewer",
                format!(
                    "{} {} {}",
                    t(
                        "Udsatte byområder i udpegningen",
                        "Udsatte byområder in the designation"
                    ),
                    g.round.spec,
                    g.round.year
                ),
                None,
                Cell::Empty,
                Some(g.round.year),
                Cell::Integer(g.designated as i64),
                String::new(),
            ));
            let over = g
                .at_risk
                .areas
                .iter()
                .filter(|(_, p)| *p > g.at_risk.threshold)
                .count();
            rows.push(row(
                "goal_2035_no_risk",
                format!(
                    "{} ({} {} %)",
                    t(
                        "Boligområder over tærsklen for parallelsamfundslisten",
                        "Housing areas above the threshold for the parallelsamfund list"
                    ),
                    t("tærskel", "threshold"),
                    g.risk_pct
                ),
                None,
                Cell::Empty,
                g.at_risk.list_year,
                Cell::Integer(over as i64),
                if g.at_risk.met {
                    t("nået", "met")
                } else {
                    t("ikke nået", "not met")
                },
            ));
        }
        tables.push(Table {
            title: t("Overordnede mål", "Overall goals"),
            columns: vec![
                col("part", "Del", "Part", Kind::Text),
                col("item", "Hvad", "What", Kind::Text),
                col("from", "Fra år", "From year", Kind::Year),
                col(
                    "value_from",
                    "Værdi fra",
                    "Value from",
                    Kind::Decimal { places: 3 },
                ),
                col("to", "Til år", "To year", Kind::Year),
                col(
                    "value_to",
                    "Værdi til",
                    "Value to",
                    Kind::Decimal { places: 3 },
                ),
                col("status", "Status", "Status", Kind::Text),
            ],
            rows,
            notes: vec![note],
        });
        tables
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_in_force_is_the_current_else_the_last_begun_else_the_first() {
        let plans = kvarter_plans::seed::copenhagen_2025(&[]);
        let at = |year: i32| -> Vec<(String, InForce)> {
            in_force(&plans, "policy-2025", year)
                .into_iter()
                .map(|(v, s)| (v.id.clone(), s))
                .collect()
        };
        assert_eq!(at(2026), [("ap-2025".into(), InForce::Current)]);
        assert_eq!(at(2027), [("ap-2027".into(), InForce::Current)]);
        assert_eq!(at(2031), [("ap-2027".into(), InForce::Ended)], "ended");
        assert_eq!(
            at(2020),
            [("ap-2025".into(), InForce::Upcoming)],
            "not begun"
        );
        assert!(in_force(&plans, "no-such-policy", 2026).is_empty());
    }

    #[test]
    fn a_name_replaces_the_id_and_an_empty_one_does_not() {
        let mut names = BTreeMap::new();
        assert_eq!(area_name(&names, "area-1"), "area-1");
        names.insert("area-1".to_string(), "Mjølnerparken".to_string());
        names.insert("area-2".to_string(), " ".to_string());
        assert_eq!(area_name(&names, "area-1"), "Mjølnerparken");
        assert_eq!(area_name(&names, "area-2"), "area-2");
    }

    #[test]
    fn a_year_the_store_lacks_is_not_found_and_names_the_known_years() {
        let rows = Rows {
            list_years: vec![2021, 2022],
            ..Rows::default()
        };
        let p = Policy::new(5);
        match StatusReport::build(&rows, &p, Some(2019)) {
            Err(ReportError::NotFound(m)) => assert!(m.contains("2021, 2022"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            StatusReport::build(&Rows::default(), &p, None),
            Err(ReportError::NotFound(_))
        ));
        let r = StatusReport::build(&rows, &p, None).unwrap();
        assert_eq!(r.year, 2022);
        assert!(!r.has_plans && r.goals.is_none() && r.policies.is_empty());
    }
}
