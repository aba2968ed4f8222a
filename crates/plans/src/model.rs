//! The plan model: policies with goals, sub-goals and indicators; versions of the joint action
//! plan with their initiatives; and the helhedsplaner (challenge → goal → actions).
//!
//! Every object has a stable string id, an `illustrative` flag (true when any part of it is not
//! taken from a published source) and a `source` text that says where it comes from.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// The whole plan set: what `csv::write` writes and `csv::read` reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plans {
    /// Policies (e.g. "Politik for udsatte byområder 2025–2035").
    pub policies: Vec<Policy>,
    /// Every version of every action plan, earlier versions kept.
    pub action_plans: Vec<ActionPlanVersion>,
    /// The boligsociale helhedsplaner.
    pub helhedsplaner: Vec<Helhedsplan>,
}

/// A policy with its strategic goals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Stable id, e.g. `policy-2025`.
    pub id: String,
    /// Danish name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// The years the policy runs (inclusive).
    pub period: Period,
    /// Overall ambitions that are not goals of their own (e.g. "færre udsatte byområder i 2035").
    pub ambitions: Vec<String>,
    /// The strategic goals.
    pub goals: Vec<Goal>,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// A strategic goal of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// Stable id, e.g. `goal-1`.
    pub id: String,
    /// Danish name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// The sub-goals.
    pub sub_goals: Vec<SubGoal>,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// A sub-goal of a strategic goal, measured by indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubGoal {
    /// Stable id, e.g. `sub-1.1`.
    pub id: String,
    /// Danish name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// The indicators (possibly none: not every sub-goal has a measure in the area-year table).
    pub indicators: Vec<Indicator>,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// What an indicator measures: a column of the state's area-year table (per list year, on
/// housing estates), an indicator of the screening vocabulary (per data year, on any of the
/// policy's populations: see [`Population`]), or nothing kvarter has yet ([`Measure::NoSource`],
/// with the register or survey that would feed it in [`Indicator::data_source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// `outside_labour_pct`: share of residents 18–64 outside the labour market and education, %.
    OutsideLabourPct,
    /// `basic_education_pct`: share of residents 30–59 with only a basic school education, %.
    BasicEducationPct,
    /// `income_pct_of_region`: mean gross income of taxable residents 15–64 (excluding those in
    /// education) as a per cent of the region's mean.
    IncomePctOfRegion,
    /// `convicted_pct`: share of residents 18+ convicted of a crime, %.
    ConvictedPct,
    /// `non_western_pct`: share of residents of non-Western origin, %.
    NonWesternPct,
    /// `residents`: number of residents.
    Residents,
    /// `outside_labour_share`: full-time persons 18–64 outside the labour market or education,
    /// % of persons 18–64 (the policy's "uden tilknytning til arbejdsmarkedet").
    OutsideLabourShare,
    /// `low_income_share`: adults in families under 50 % of the national median income, %.
    LowIncomeShare,
    /// `basic_education_share`: persons 30–59 with only basic school, %.
    BasicEducationShare,
    /// `no_youth_education_at_25_share`: persons aged 25 without a youth education, %.
    #[serde(rename = "no_youth_education_at_25_share")]
    NoYouthEducationAt25Share,
    /// `child_poverty_share`: children in families under the poverty line, %.
    ChildPovertyShare,
    /// `poor_health_share`: adults in poor health, %.
    PoorHealthShare,
    /// `unsafe_share`: respondents feeling unsafe at night (the safety survey), %.
    UnsafeShare,
    /// `turnout_share`: votes cast in the municipal election, % of the electorate.
    TurnoutShare,
    /// `small_dwelling_share`: residents of dwellings under 60 m², %.
    SmallDwellingShare,
    /// `installation_deficiency_share`: residents of dwellings with installation deficiencies, %.
    InstallationDeficiencyShare,
    /// `crowded_share`: residents of crowded dwellings, %.
    CrowdedShare,
    /// `m2_per_resident`: dwelling area per resident, m².
    #[serde(rename = "m2_per_resident")]
    M2PerResident,
    /// `none`: no data source in kvarter; the indicator names the one that would feed it.
    #[serde(rename = "none")]
    NoSource,
}

impl Measure {
    /// Every measure: the area-year table's columns in its order, then the screening
    /// vocabulary's, then `none`.
    pub const ALL: [Measure; 19] = [
        Measure::OutsideLabourPct,
        Measure::BasicEducationPct,
        Measure::IncomePctOfRegion,
        Measure::ConvictedPct,
        Measure::NonWesternPct,
        Measure::Residents,
        Measure::OutsideLabourShare,
        Measure::LowIncomeShare,
        Measure::BasicEducationShare,
        Measure::NoYouthEducationAt25Share,
        Measure::ChildPovertyShare,
        Measure::PoorHealthShare,
        Measure::UnsafeShare,
        Measure::TurnoutShare,
        Measure::SmallDwellingShare,
        Measure::InstallationDeficiencyShare,
        Measure::CrowdedShare,
        Measure::M2PerResident,
        Measure::NoSource,
    ];

    /// The name: the area-year table's column, the screening vocabulary's id, or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::OutsideLabourPct => "outside_labour_pct",
            Measure::BasicEducationPct => "basic_education_pct",
            Measure::IncomePctOfRegion => "income_pct_of_region",
            Measure::ConvictedPct => "convicted_pct",
            Measure::NonWesternPct => "non_western_pct",
            Measure::Residents => "residents",
            Measure::OutsideLabourShare => "outside_labour_share",
            Measure::LowIncomeShare => "low_income_share",
            Measure::BasicEducationShare => "basic_education_share",
            Measure::NoYouthEducationAt25Share => "no_youth_education_at_25_share",
            Measure::ChildPovertyShare => "child_poverty_share",
            Measure::PoorHealthShare => "poor_health_share",
            Measure::UnsafeShare => "unsafe_share",
            Measure::TurnoutShare => "turnout_share",
            Measure::SmallDwellingShare => "small_dwelling_share",
            Measure::InstallationDeficiencyShare => "installation_deficiency_share",
            Measure::CrowdedShare => "crowded_share",
            Measure::M2PerResident => "m2_per_resident",
            Measure::NoSource => "none",
        }
    }

    /// A column of the state's area-year table (measured per list year, on housing estates).
    pub fn is_area_year(self) -> bool {
        matches!(
            self,
            Measure::OutsideLabourPct
                | Measure::BasicEducationPct
                | Measure::IncomePctOfRegion
                | Measure::ConvictedPct
                | Measure::NonWesternPct
                | Measure::Residents
        )
    }

    /// An indicator of the screening vocabulary (measured per data year, on a population).
    pub fn is_screening(self) -> bool {
        !self.is_area_year() && self != Measure::NoSource
    }

    /// A share in per cent (0 to 100).
    pub fn is_share(self) -> bool {
        !matches!(
            self,
            Measure::IncomePctOfRegion
                | Measure::Residents
                | Measure::M2PerResident
                | Measure::NoSource
        )
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Measure {
    type Err = String;
    /// Parses a measure's name; an unknown one is refused with the list of known ones.
    fn from_str(s: &str) -> Result<Self, String> {
        Measure::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "a measure: a column of the area-year table ({}), an indicator of the screening ({}), or none, not {s:?}",
                    Measure::ALL
                        .iter()
                        .filter(|m| m.is_area_year())
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    Measure::ALL
                        .iter()
                        .filter(|m| m.is_screening())
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
    }
}

/// The people an indicator is measured on. Every indicator names one, and its progress is
/// compared only with the rest of the same whole: the other housing estates for
/// [`Population::StateListed`] and [`Population::Estates`] measured on the area-year table,
/// the rest of the municipality otherwise.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// `state_listed`: the housing estates on a state list in the latest list year.
    StateListed,
    /// `estates`: the housing estates in the indicator's `areas` (a helhedsplan's estates).
    Estates,
    /// `designated`: the udsatte byområder of the latest designation round, held fixed as a
    /// geography and measured back through every data year.
    Designated,
    /// `area:ID`: one udsat byområde of the latest designation round.
    Area(String),
    /// `municipality`: the whole municipality.
    Municipality,
}

impl Population {
    /// The CSV text.
    pub fn as_text(&self) -> String {
        match self {
            Population::StateListed => "state_listed".into(),
            Population::Estates => "estates".into(),
            Population::Designated => "designated".into(),
            Population::Area(id) => format!("area:{id}"),
            Population::Municipality => "municipality".into(),
        }
    }

    /// The population of an indicator whose CSV row names none (files written before the
    /// column existed): the state-listed estates for `*`, else the named estates.
    pub fn implied_by(areas: &Areas) -> Population {
        match areas {
            Areas::All => Population::StateListed,
            Areas::Listed(_) => Population::Estates,
        }
    }
}

impl FromStr for Population {
    type Err = String;
    /// Parses `state_listed`, `estates`, `designated`, `area:ID` or `municipality`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "state_listed" => Ok(Population::StateListed),
            "estates" => Ok(Population::Estates),
            "designated" => Ok(Population::Designated),
            "municipality" => Ok(Population::Municipality),
            _ => match s.strip_prefix("area:").filter(|id| !id.trim().is_empty()) {
                Some(id) => Ok(Population::Area(id.trim().to_string())),
                None => Err(format!(
                    "a population (state_listed, estates, designated, area:ID or municipality), not {s:?}"
                )),
            },
        }
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Lower is better (e.g. the share outside the labour market).
    Down,
    /// Higher is better (e.g. income).
    Up,
}

impl Direction {
    /// `down` or `up`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Down => "down",
            Direction::Up => "up",
        }
    }
}

impl FromStr for Direction {
    type Err = String;
    /// Parses `down` or `up`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "down" => Ok(Direction::Down),
            "up" => Ok(Direction::Up),
            _ => Err(format!("a direction (down or up), not {s:?}")),
        }
    }
}

/// Where an indicator's baseline stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// The value, exactly as published.
    pub value: Decimal,
    /// The year it was measured.
    pub year: i32,
    /// Where the figure comes from (e.g. "Politikken 2025: …").
    pub source: String,
}

/// What an indicator aims at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A fixed value by a year.
    Value {
        /// The value to reach.
        value: Decimal,
        /// The year to reach it by.
        year: i32,
    },
    /// The city average (of the year measured) by a year.
    CityAverage {
        /// The year to reach it by.
        year: i32,
    },
}

impl Target {
    /// The year the target is due.
    pub fn year(&self) -> i32 {
        match self {
            Target::Value { year, .. } | Target::CityAverage { year } => *year,
        }
    }
}

/// The areas an indicator or initiative concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Areas {
    /// Every designated area (`*` in CSV).
    All,
    /// The listed area ids (at least one; none is `*` or empty).
    Listed(Vec<String>),
}

/// A measured indicator of a sub-goal or of a helhedsplan's goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable id, e.g. `ind-1.1.a`.
    pub id: String,
    /// What it measures, in words.
    pub name: String,
    /// The column of the area-year table.
    pub measure: Measure,
    /// The areas it is measured over when its population is [`Population::Estates`] (the
    /// caller aggregates them); `*` for every other population.
    pub areas: Areas,
    /// The people it is measured on.
    pub population: Population,
    /// For [`Measure::NoSource`]: the register or survey that would feed it (empty otherwise).
    pub data_source: String,
    /// Which way is better.
    pub direction: Direction,
    /// Where it started, when known.
    pub baseline: Option<Baseline>,
    /// Where it should get to, when set.
    pub target: Option<Target>,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// One of Copenhagen Municipality's seven administrations (*forvaltninger*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Administration {
    /// Økonomiforvaltningen (ØKF): finance, the Lord Mayor's administration.
    #[serde(rename = "Økonomiforvaltningen")]
    Okonomi,
    /// Kultur- og Fritidsforvaltningen (KFF): culture and leisure.
    #[serde(rename = "Kultur- og Fritidsforvaltningen")]
    KulturFritid,
    /// Børne- og Ungdomsforvaltningen (BUF): children and youth.
    #[serde(rename = "Børne- og Ungdomsforvaltningen")]
    BorneUngdom,
    /// Sundheds- og Omsorgsforvaltningen (SUF): health and care.
    #[serde(rename = "Sundheds- og Omsorgsforvaltningen")]
    SundhedOmsorg,
    /// Socialforvaltningen (SOF): social services.
    #[serde(rename = "Socialforvaltningen")]
    Social,
    /// Teknik- og Miljøforvaltningen (TMF): technical and environmental.
    #[serde(rename = "Teknik- og Miljøforvaltningen")]
    TeknikMiljo,
    /// Beskæftigelses- og Integrationsforvaltningen (BIF): employment and integration.
    #[serde(rename = "Beskæftigelses- og Integrationsforvaltningen")]
    BeskaeftigelseIntegration,
}

impl Administration {
    /// All seven, in the order of the municipality's committees.
    pub const ALL: [Administration; 7] = [
        Administration::Okonomi,
        Administration::KulturFritid,
        Administration::BorneUngdom,
        Administration::SundhedOmsorg,
        Administration::Social,
        Administration::TeknikMiljo,
        Administration::BeskaeftigelseIntegration,
    ];

    /// The full Danish name, as written in CSV.
    pub fn name(self) -> &'static str {
        match self {
            Administration::Okonomi => "Økonomiforvaltningen",
            Administration::KulturFritid => "Kultur- og Fritidsforvaltningen",
            Administration::BorneUngdom => "Børne- og Ungdomsforvaltningen",
            Administration::SundhedOmsorg => "Sundheds- og Omsorgsforvaltningen",
            Administration::Social => "Socialforvaltningen",
            Administration::TeknikMiljo => "Teknik- og Miljøforvaltningen",
            Administration::BeskaeftigelseIntegration => {
                "Beskæftigelses- og Integrationsforvaltningen"
            }
        }
    }

    /// The usual abbreviation (ØKF, KFF, BUF, SUF, SOF, TMF, BIF).
    pub fn abbreviation(self) -> &'static str {
        match self {
            Administration::Okonomi => "ØKF",
            Administration::KulturFritid => "KFF",
            Administration::BorneUngdom => "BUF",
            Administration::SundhedOmsorg => "SUF",
            Administration::Social => "SOF",
            Administration::TeknikMiljo => "TMF",
            Administration::BeskaeftigelseIntegration => "BIF",
        }
    }
}

impl fmt::Display for Administration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Administration {
    type Err = String;
    /// Parses the full Danish name or the abbreviation; anything else is refused.
    fn from_str(s: &str) -> Result<Self, String> {
        Administration::ALL
            .into_iter()
            .find(|a| a.name() == s || a.abbreviation() == s)
            .ok_or_else(|| {
                format!(
                    "one of Copenhagen's seven administrations ({}), not {s:?}",
                    Administration::ALL.map(|a| a.name()).join(", ")
                )
            })
    }
}

/// Years from and to, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First year.
    pub from: i32,
    /// Last year (not before `from`).
    pub to: i32,
}

/// One version of an action plan (*handleplan*). The plan is revised every second year; every
/// version is kept, and versions of the same plan are compared with [`compare_versions`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPlanVersion {
    /// Stable id of this version, e.g. `ap-2025`.
    pub id: String,
    /// Id of the plan all its versions share, e.g. `handleplan`.
    pub plan: String,
    /// Version number, 1 for the first; unique within a plan.
    pub version: u32,
    /// Name, e.g. "Fælles handleplan 2025–2026".
    pub name: String,
    /// The years this version covers.
    pub period: Period,
    /// The policy it carries out.
    pub policy_id: String,
    /// The initiatives (ids unique within the version; the same id across versions is the same
    /// initiative).
    pub initiatives: Vec<Initiative>,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// Where an initiative stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeStatus {
    /// Decided, not started.
    Planned,
    /// Under way.
    Running,
    /// Finished.
    Completed,
    /// Ended before its time.
    Stopped,
}

impl InitiativeStatus {
    /// `planned`, `running`, `completed` or `stopped`.
    pub fn as_str(self) -> &'static str {
        match self {
            InitiativeStatus::Planned => "planned",
            InitiativeStatus::Running => "running",
            InitiativeStatus::Completed => "completed",
            InitiativeStatus::Stopped => "stopped",
        }
    }
}

impl FromStr for InitiativeStatus {
    type Err = String;
    /// Parses `planned`, `running`, `completed` or `stopped`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "planned" => Ok(InitiativeStatus::Planned),
            "running" => Ok(InitiativeStatus::Running),
            "completed" => Ok(InitiativeStatus::Completed),
            "stopped" => Ok(InitiativeStatus::Stopped),
            _ => Err(format!(
                "a status (planned, running, completed or stopped), not {s:?}"
            )),
        }
    }
}

/// An initiative of an action plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Initiative {
    /// Stable id, e.g. `ini-ips-sydhavn`; the same across versions.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// The administration that owns it.
    pub owner: Administration,
    /// Partners, free text (police, housing organisations, Landsbyggefonden, civil society, other
    /// administrations…); no item is empty.
    pub partners: Vec<String>,
    /// The areas it works in.
    pub areas: Areas,
    /// Ids of the sub-goals it serves (each must exist).
    pub sub_goals: Vec<String>,
    /// The years it runs.
    pub period: Period,
    /// Budget in whole DKK, when known.
    pub budget_dkk: Option<i64>,
    /// Where it stands.
    pub status: InitiativeStatus,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// The level a helhedsplan is organised on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// City level (the municipality's administrations).
    City,
    /// District level (one of the six *boligsociale fora*).
    DistrictForum,
    /// Estate level (housing departments and their boards).
    Estate,
}

impl Level {
    /// `city`, `district_forum` or `estate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::City => "city",
            Level::DistrictForum => "district_forum",
            Level::Estate => "estate",
        }
    }
}

impl FromStr for Level {
    type Err = String;
    /// Parses `city`, `district_forum` or `estate`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "city" => Ok(Level::City),
            "district_forum" => Ok(Level::DistrictForum),
            "estate" => Ok(Level::Estate),
            _ => Err(format!(
                "a level (city, district_forum or estate), not {s:?}"
            )),
        }
    }
}

/// A boligsocial helhedsplan for one housing area: challenges → goals → actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Helhedsplan {
    /// Stable id, `hp-<area>-<first year>`.
    pub id: String,
    /// The housing area's id.
    pub area_id: String,
    /// Name.
    pub name: String,
    /// The housing organisation that applies for and runs it.
    pub housing_organisation: String,
    /// The level it is organised on.
    pub level: Level,
    /// Four years (`to − from = 3`).
    pub period: Period,
    /// Landsbyggefonden's grant, whole DKK.
    pub lbf_grant_dkk: i64,
    /// The municipality's co-financing, whole DKK.
    pub municipal_cofinancing_dkk: i64,
    /// The challenges.
    pub challenges: Vec<Challenge>,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// A challenge of a helhedsplan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Stable id, e.g. `hp-a1-2025-c1`.
    pub id: String,
    /// The challenge, e.g. "mange beboere uden for beskæftigelse".
    pub text: String,
    /// The goals answering it.
    pub goals: Vec<HpGoal>,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// A goal of a helhedsplan's challenge, with its actions and indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HpGoal {
    /// Stable id, e.g. `hp-a1-2025-c1-g1`.
    pub id: String,
    /// The goal, e.g. "beskæftigelsesfrekvens på københavnergennemsnittet".
    pub text: String,
    /// The indicators it is measured by.
    pub indicators: Vec<Indicator>,
    /// The actions.
    pub actions: Vec<HpAction>,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// An action of a helhedsplan's goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HpAction {
    /// Stable id, e.g. `hp-a1-2025-c1-g1-a1`.
    pub id: String,
    /// Name, e.g. "lektiecafé".
    pub name: String,
    /// What it does.
    pub description: String,
    /// True when any part is not from a published source.
    pub illustrative: bool,
    /// Where it comes from.
    pub source: String,
}

/// A problem [`Plans::validate`] found: the object (by id; an initiative as
/// `<action plan id>/<initiative id>`), the field, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The object's id.
    pub object: String,
    /// The field (as named in CSV).
    pub field: &'static str,
    /// What was expected.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.object, self.field, self.message)
    }
}

/// Where an indicator hangs: under a sub-goal of a policy, or under a helhedsplan's goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorOwner<'a> {
    /// A policy's sub-goal.
    SubGoal(&'a Policy, &'a Goal, &'a SubGoal),
    /// A helhedsplan's goal.
    HpGoal(&'a Helhedsplan, &'a Challenge, &'a HpGoal),
}

/// A change of one initiative between two versions of an action plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitiativeChange {
    /// In the newer version only.
    Added(String),
    /// In the older version only.
    Removed(String),
    /// In both, with these fields (as named in CSV) different.
    Changed(String, Vec<&'static str>),
}

/// Compares two versions of an action plan, initiative by initiative (matched by id): added ones
/// in the newer version's order, then removed and changed ones in the older version's order.
pub fn compare_versions(
    older: &ActionPlanVersion,
    newer: &ActionPlanVersion,
) -> Vec<InitiativeChange> {
    let mut out = Vec::new();
    let old: BTreeMap<&str, &Initiative> = older
        .initiatives
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect();
    let new: BTreeMap<&str, &Initiative> = newer
        .initiatives
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect();
    for i in &newer.initiatives {
        if !old.contains_key(i.id.as_str()) {
            out.push(InitiativeChange::Added(i.id.clone()));
        }
    }
    for o in &older.initiatives {
        match new.get(o.id.as_str()) {
            None => out.push(InitiativeChange::Removed(o.id.clone())),
            Some(n) => {
                let mut fields = Vec::new();
                let mut diff = |f: &'static str, d: bool| {
                    if d {
                        fields.push(f)
                    }
                };
                diff("name", o.name != n.name);
                diff("description", o.description != n.description);
                diff("owner", o.owner != n.owner);
                diff("partners", o.partners != n.partners);
                diff("areas", o.areas != n.areas);
                diff("sub_goals", o.sub_goals != n.sub_goals);
                diff("period", o.period != n.period);
                diff("budget_dkk", o.budget_dkk != n.budget_dkk);
                diff("status", o.status != n.status);
                diff("illustrative", o.illustrative != n.illustrative);
                diff("source", o.source != n.source);
                if !fields.is_empty() {
                    out.push(InitiativeChange::Changed(o.id.clone(), fields));
                }
            }
        }
    }
    out
}

impl Plans {
    /// Every indicator with where it hangs, policies first, in document order.
    pub fn indicators(&self) -> Vec<(&Indicator, IndicatorOwner<'_>)> {
        let mut out = Vec::new();
        for p in &self.policies {
            for g in &p.goals {
                for s in &g.sub_goals {
                    for i in &s.indicators {
                        out.push((i, IndicatorOwner::SubGoal(p, g, s)));
                    }
                }
            }
        }
        for h in &self.helhedsplaner {
            for c in &h.challenges {
                for g in &c.goals {
                    for i in &g.indicators {
                        out.push((i, IndicatorOwner::HpGoal(h, c, g)));
                    }
                }
            }
        }
        out
    }

    /// The versions of one action plan, by version number.
    pub fn versions(&self, plan: &str) -> Vec<&ActionPlanVersion> {
        let mut v: Vec<_> = self
            .action_plans
            .iter()
            .filter(|a| a.plan == plan)
            .collect();
        v.sort_by_key(|a| a.version);
        v
    }

    /// Fills every missing baseline from the data: `value(indicator)` gives the measure's value
    /// in `year` for the indicator's areas (already aggregated), or `None`. A filled baseline's
    /// source says it was taken from the area-year table, and the indicator is marked
    /// illustrative. Returns how many were filled.
    pub fn fill_missing_baselines(
        &mut self,
        year: i32,
        mut value: impl FnMut(&Indicator) -> Option<Decimal>,
    ) -> usize {
        let mut n = 0;
        let mut fill = |i: &mut Indicator| {
            if i.baseline.is_none()
                && let Some(v) = value(i)
            {
                i.baseline = Some(Baseline {
                    value: v,
                    year,
                    source: format!(
                        "kvarter: taget fra data ({}, {year}), ikke fra politikken",
                        i.measure
                    ),
                });
                i.illustrative = true;
                n += 1;
            }
        };
        for p in &mut self.policies {
            for g in &mut p.goals {
                for s in &mut g.sub_goals {
                    s.indicators.iter_mut().for_each(&mut fill);
                }
            }
        }
        for h in &mut self.helhedsplaner {
            for c in &mut h.challenges {
                for g in &mut c.goals {
                    g.indicators.iter_mut().for_each(&mut fill);
                }
            }
        }
        n
    }

    /// Checks everything the types do not: ids non-empty, without surrounding spaces and unique
    /// (initiatives within their version; all other ids across the whole set), periods in order,
    /// a helhedsplan's four years, money not negative, list items non-empty, area ids neither
    /// empty nor `*`, `Areas::Listed` not empty, every initiative's sub-goals and every action
    /// plan's policy existing, and version numbers unique within a plan. Returns every issue
    /// found, in document order.
    pub fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let mut push = |object: &str, field: &'static str, message: String| {
            issues.push(Issue {
                object: object.to_string(),
                field,
                message,
            })
        };
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut check_id = |push: &mut dyn FnMut(&str, &'static str, String), v: &str| {
            if let Some(m) = id_problem(v) {
                push(v, "id", m);
            } else if !seen.insert(v.to_string()) {
                push(v, "id", format!("a unique id; {v:?} is used twice"));
            }
        };
        let mut sub_goals: BTreeSet<&str> = BTreeSet::new();
        let policies: BTreeSet<&str> = self.policies.iter().map(|p| p.id.as_str()).collect();
        for p in &self.policies {
            check_id(&mut push, &p.id);
            period(&mut push, &p.id, p.period);
            items(&mut push, &p.id, "ambitions", &p.ambitions);
            for g in &p.goals {
                check_id(&mut push, &g.id);
                for s in &g.sub_goals {
                    check_id(&mut push, &s.id);
                    sub_goals.insert(&s.id);
                    for i in &s.indicators {
                        check_id(&mut push, &i.id);
                        indicator(&mut push, i);
                    }
                }
            }
        }
        for h in &self.helhedsplaner {
            check_id(&mut push, &h.id);
            period(&mut push, &h.id, h.period);
            if h.period.to - h.period.from != 3 {
                push(
                    &h.id,
                    "period_to",
                    format!(
                        "a four-year period (period_to = period_from + 3 = {}), not {}",
                        h.period.from + 3,
                        h.period.to
                    ),
                );
            }
            if let Some(m) = area_problem(&h.area_id) {
                push(&h.id, "area_id", m);
            }
            if h.lbf_grant_dkk < 0 {
                push(&h.id, "lbf_grant_dkk", "a non-negative amount".into());
            }
            if h.municipal_cofinancing_dkk < 0 {
                push(
                    &h.id,
                    "municipal_cofinancing_dkk",
                    "a non-negative amount".into(),
                );
            }
            for c in &h.challenges {
                check_id(&mut push, &c.id);
                for g in &c.goals {
                    check_id(&mut push, &g.id);
                    for i in &g.indicators {
                        check_id(&mut push, &i.id);
                        indicator(&mut push, i);
                    }
                    for a in &g.actions {
                        check_id(&mut push, &a.id);
                    }
                }
            }
        }
        let mut versions: BTreeSet<(&str, u32)> = BTreeSet::new();
        for a in &self.action_plans {
            check_id(&mut push, &a.id);
            period(&mut push, &a.id, a.period);
            if let Some(m) = id_problem(&a.plan) {
                push(&a.id, "plan", m);
            }
            if !versions.insert((&a.plan, a.version)) {
                push(
                    &a.id,
                    "version",
                    format!(
                        "a version number unique within plan {:?}; {} is used twice",
                        a.plan, a.version
                    ),
                );
            }
            if !policies.contains(a.policy_id.as_str()) {
                push(
                    &a.id,
                    "policy_id",
                    format!("the id of a policy; {:?} is none", a.policy_id),
                );
            }
            let mut local: BTreeSet<&str> = BTreeSet::new();
            for i in &a.initiatives {
                let obj = format!("{}/{}", a.id, i.id);
                if let Some(m) = id_problem(&i.id) {
                    push(&obj, "id", m);
                } else if !local.insert(&i.id) {
                    push(
                        &obj,
                        "id",
                        format!(
                            "an initiative id unique within {}; {:?} is used twice",
                            a.id, i.id
                        ),
                    );
                }
                period(&mut push, &obj, i.period);
                items(&mut push, &obj, "partners", &i.partners);
                items(&mut push, &obj, "sub_goals", &i.sub_goals);
                areas(&mut push, &obj, &i.areas);
                if i.budget_dkk.is_some_and(|b| b < 0) {
                    push(&obj, "budget_dkk", "a non-negative amount".into());
                }
                for s in &i.sub_goals {
                    if !sub_goals.contains(s.as_str()) {
                        push(
                            &obj,
                            "sub_goals",
                            format!("ids of existing sub-goals; {s:?} is none"),
                        );
                    }
                }
            }
        }
        issues
    }
}

/// Why `s` is not a usable id, if it is not.
fn id_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        Some("a non-empty id".into())
    } else if s.trim() != s {
        Some(format!("an id without surrounding spaces, not {s:?}"))
    } else {
        None
    }
}

/// Why `s` is not a usable area id, if it is not.
fn area_problem(s: &str) -> Option<String> {
    if s == "*" {
        Some("an area id (`*` alone means all designated areas)".into())
    } else {
        id_problem(s)
    }
}

fn period(push: &mut dyn FnMut(&str, &'static str, String), obj: &str, p: Period) {
    if p.to < p.from {
        push(
            obj,
            "period_to",
            format!(
                "a last year not before the first ({}), not {}",
                p.from, p.to
            ),
        );
    }
}

fn items(
    push: &mut dyn FnMut(&str, &'static str, String),
    obj: &str,
    f: &'static str,
    v: &[String],
) {
    if v.iter().any(|s| s.is_empty() || s.trim() != s) {
        push(
            obj,
            f,
            "list items that are not empty and have no surrounding spaces".into(),
        );
    }
}

fn areas(push: &mut dyn FnMut(&str, &'static str, String), obj: &str, a: &Areas) {
    if let Areas::Listed(v) = a {
        if v.is_empty() {
            push(obj, "areas", "at least one area id, or `*` for all".into());
        }
        for s in v {
            if let Some(m) = area_problem(s) {
                push(obj, "areas", m);
            }
        }
    }
}

fn indicator(push: &mut dyn FnMut(&str, &'static str, String), i: &Indicator) {
    areas(push, &i.id, &i.areas);
    if i.measure.is_area_year()
        && !matches!(i.population, Population::StateListed | Population::Estates)
    {
        push(
            &i.id,
            "population",
            format!(
                "state_listed or estates for {}, a column of the state's area-year table, which measures housing estates (for the udsatte byområder or the municipality, use an indicator of the screening such as outside_labour_share), not {}",
                i.measure,
                i.population.as_text()
            ),
        );
    }
    if i.population == Population::Estates && i.areas == Areas::All {
        push(
            &i.id,
            "areas",
            "the ids of the estates (separated by ;) for the population estates, not *".into(),
        );
    }
    if i.measure == Measure::NoSource && i.data_source.trim().is_empty() {
        push(
            &i.id,
            "data_source",
            "the register or survey that would feed an indicator without a data source in kvarter"
                .into(),
        );
    }
    if let Some(b) = &i.baseline
        && let Some(m) = value_problem(i.measure, b.value)
    {
        push(&i.id, "baseline_value", m);
    }
    if let Some(Target::Value { value, .. }) = &i.target
        && let Some(m) = value_problem(i.measure, *value)
    {
        push(&i.id, "target_value", m);
    }
}

/// What is wrong with `v` as a value of `measure`: a share is a per cent from 0 to 100, income
/// a non-negative per cent of the region's mean, residents a whole non-negative number. (Checked
/// for baselines and for target values alike: a plan cannot aim at 120 % of a group.)
fn value_problem(measure: Measure, v: Decimal) -> Option<String> {
    let ok = match measure {
        // What the policy says of a figure kvarter cannot measure is its own (years of life,
        // for example); it is kept as written.
        Measure::NoSource => true,
        Measure::IncomePctOfRegion | Measure::M2PerResident => v >= Decimal::ZERO,
        Measure::Residents => v >= Decimal::ZERO && v.fract().is_zero(),
        _ => v >= Decimal::ZERO && v <= Decimal::ONE_HUNDRED,
    };
    (!ok).then(|| {
        let expected = match measure {
            Measure::IncomePctOfRegion => "a non-negative per cent of the region's mean income",
            Measure::Residents => "a whole non-negative number of residents",
            Measure::M2PerResident => "a non-negative number of m² per resident",
            _ => "a share in per cent from 0 to 100",
        };
        format!("{expected} for {measure}, not {v}")
    })
}
