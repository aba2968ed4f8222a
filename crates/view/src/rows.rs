//! The rows the store reads and the view builds its models from: plain data, defined here so
//! that the view depends on no store (and links no SQLite). `kvarter-store`'s readers return
//! these types and its writers take them.
//!
//! Every figure is exact decimal text, as stored; never a binary float.

use std::collections::BTreeMap;

/// The input columns of an area-year (stored in `area_years`), in the criteria CSV's order.
pub const VALUE_COLUMNS: &[&str] = &[
    "residents",
    "non_western_pct",
    "outside_labour_pct",
    "convicted_pct",
    "convicted_national_pct",
    "basic_education_pct",
    "income_pct_of_region",
    "persons_18_64",
    "persons_18_plus",
    "persons_30_59",
    "persons_15_64_taxable",
];

/// One screening of the municipality: spec, year and view, with its designated areas, the city
/// values and its publishable units.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScreeningRun {
    /// The spec's id, e.g. `kbh-2025`.
    pub spec: String,
    /// The screening year.
    pub year: i32,
    /// Origin criterion switched off.
    pub without_origin: bool,
    /// The municipality screened (code).
    pub municipality: String,
    /// The data year used.
    pub data_year: i32,
    /// The grid's cell size in metres (0 for polygons).
    pub cell_size_m: u32,
    /// `raw` or `shrunk`: which values designation rests on.
    pub designate_on: String,
    /// The intervals' level, e.g. `0.95`.
    pub level: String,
    /// How many units were under the spec's minimum population (never stored).
    pub units_suppressed: u64,
    /// How many contiguous groups were too small to be designated (only the count is stored).
    pub components_below_minimum: u64,
    /// kvarter's defaults: (item, reasoning).
    pub defaults: Vec<(String, String)>,
    /// The screening's notes.
    pub notes: Vec<String>,
    /// The state-listed housing areas of the year: area id → its lists.
    pub state_listed: BTreeMap<String, Vec<String>>,
    /// The designated areas, in the engine's order.
    pub areas: Vec<ScreeningAreaRow>,
    /// The city value of each criterion.
    pub city: Vec<ScreeningCityRow>,
    /// The publishable units, in the engine's order.
    pub units: Vec<ScreeningUnitRow>,
    /// The units' criteria hold only what the disclosure rules read (the criterion, its
    /// indicator, the raw numerator and denominator), not their values: the model built from
    /// this run leaves them out (`screening::build`).
    pub unit_criteria_partial: bool,
}

/// A designated area of a screening (table `screening_areas`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScreeningAreaRow {
    /// Id (`area-` and its smallest unit id).
    pub id: String,
    /// Why it is designated: `min_population` or `state_listed`.
    pub reason: String,
    /// Every unit of the area (publishable or not), sorted.
    pub units: Vec<String>,
    /// The districts it touches.
    pub districts: Vec<String>,
    /// Residents.
    pub population: u64,
    /// Under the spec's minimum population for publication.
    pub suppressed: bool,
    /// Its units inside state-listed areas.
    pub state_listed_units: Vec<String>,
    /// Its filled single holes.
    pub filled_holes: Vec<String>,
    /// Its fragile units.
    pub fragile_units: Vec<String>,
    /// Residents of its fragile units.
    pub fragile_population: u64,
    /// Criteria met by the area as a whole.
    pub met: u32,
    /// Whether the area as a whole meets the rule.
    pub qualifies_as_whole: bool,
    /// The vulnerability index (1 = the city).
    pub index: Option<String>,
    /// Its outline, a GeoJSON geometry object in EPSG:25832.
    pub geometry: Option<String>,
    /// Its criteria, for the area as a whole.
    pub criteria: Vec<ScreeningCriterionRow>,
    /// Its name (empty in stores written before designation rounds had names).
    pub name: String,
    /// Where the name came from: `derived` (the estates and quarters inside), `earlier round`
    /// (the area continues one of the round before) or `names file`.
    pub name_from: String,
    /// The state-listed estates it includes, with their lists that year.
    pub listed_estates: Vec<ListedEstate>,
}

/// A state-listed housing estate inside a designated area: included automatically.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ListedEstate {
    /// The estate's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The state's lists it is on in the screening year (list ids).
    pub lists: Vec<String>,
}

/// A publishable unit of a screening (table `screening_units`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScreeningUnitRow {
    /// Id.
    pub id: String,
    /// Its district.
    pub district: String,
    /// The grid cell (column, row), for grid specs.
    pub cell: Option<(i64, i64)>,
    /// Residents (at least the spec's minimum: smaller units are never stored).
    pub population: u64,
    /// Criteria met.
    pub met: u32,
    /// Criteria that could be evaluated.
    pub evaluable: u32,
    /// The composite score, for composite specs.
    pub score: Option<String>,
    /// The score's lower end.
    pub score_low: Option<String>,
    /// The score's upper end.
    pub score_high: Option<String>,
    /// Meets the qualification rule.
    pub qualifies: bool,
    /// Missing criteria could have made it qualify.
    pub undetermined: bool,
    /// Qualifies with too few criteria met clearly.
    pub fragile: bool,
    /// Would qualify if its uncertain criteria went the other way.
    pub near_miss: bool,
    /// Lies in a state-listed area.
    pub state_listed: bool,
    /// How it came into a component: `qualifies`, `state_listed`, `filled_hole`.
    pub inclusion: Option<String>,
    /// The component (area id) it belongs to.
    pub component: Option<String>,
    /// Whether that component is designated.
    pub designated: bool,
    /// The vulnerability index.
    pub index: Option<String>,
    /// Its outline, a GeoJSON geometry object in EPSG:25832.
    pub geometry: Option<String>,
    /// Its criteria.
    pub criteria: Vec<ScreeningCriterionRow>,
}

/// One estimate of a share: value = num / den, with its interval and probability.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EstimateRow {
    /// The value.
    pub value: String,
    /// The numerator (persons, possibly full-time persons).
    pub num: String,
    /// The denominator (persons).
    pub den: String,
    /// The interval's lower end.
    pub low: Option<String>,
    /// The interval's upper end.
    pub high: Option<String>,
    /// The probability of meeting the threshold.
    pub p_meets: Option<String>,
    /// The weight on the district (0 for raw values).
    pub weight_on_district: String,
}

/// One criterion of an area or unit (table `screening_criteria`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScreeningCriterionRow {
    /// The criterion's id.
    pub criterion: String,
    /// Its indicator.
    pub indicator: String,
    /// Its threshold is kvarter's default.
    pub kvarter_default: bool,
    /// The raw estimate.
    pub raw: Option<EstimateRow>,
    /// The shrunk estimate.
    pub shrunk: Option<EstimateRow>,
    /// The city value.
    pub city: Option<String>,
    /// value − city.
    pub gap: Option<String>,
    /// The comparison value (ratio, difference or z-score).
    pub comparison: Option<String>,
    /// The threshold on the indicator's scale.
    pub value_threshold: Option<String>,
    /// Met (`None`: not evaluable).
    pub met: Option<bool>,
    /// `clear`, `within_interval` or `no_interval`.
    pub certainty: String,
}

/// The city value of one criterion (table `screening_city`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScreeningCityRow {
    /// The criterion.
    pub criterion: String,
    /// Its indicator.
    pub indicator: String,
    /// Σ numerators.
    pub num: String,
    /// Σ denominators.
    pub den: String,
    /// num / den.
    pub value: Option<String>,
    /// The denominator-weighted standard deviation of unit values.
    pub sd: Option<String>,
    /// Units with the indicator.
    pub units: u64,
}

/// A stored screening's key and facts, for listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningKey {
    /// The spec.
    pub spec: String,
    /// The screening year.
    pub year: i32,
    /// Origin criterion switched off.
    pub without_origin: bool,
    /// The municipality.
    pub municipality: String,
    /// The data year.
    pub data_year: i32,
}

/// One list outcome of an area (table `list_results`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOutcomeRow {
    /// The list year.
    pub list_year: i32,
    /// The list.
    pub list: String,
    /// `on`, `off` or `undefined`.
    pub outcome: String,
    /// Whether a missing value could change the outcome.
    pub incomplete: bool,
}

/// An area on a list in a year, with its area-year's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMemberRow {
    /// Area id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipality.
    pub municipality: String,
    /// Whether a missing value could change the outcome.
    pub incomplete: bool,
    /// Value column → its stored text (NULL values left out).
    pub values: BTreeMap<String, String>,
}

/// An area with the values of its latest area-year up to a list year, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaValuesRow {
    /// Area id.
    pub id: String,
    /// The area-year's name, else the area's.
    pub name: String,
    /// The area-year's municipality, else the area's (by name where known).
    pub municipality: String,
    /// The kind of area, if stored.
    pub kind: Option<String>,
    /// The list year the values are of (`None`: no values up to the year).
    pub list_year: Option<i32>,
    /// Value column → its stored text (NULL values left out).
    pub values: BTreeMap<String, String>,
}

/// One stored outlook of the early warning (table `foresight`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlook {
    /// The list year forecast.
    pub list_year: i32,
    /// The area.
    pub area_id: String,
    /// The list.
    pub list: String,
    /// On the list in the latest list year (`None`: undefined there).
    pub on_now: Option<bool>,
    /// Draws in which it is on.
    pub on_draws: i64,
    /// Draws made.
    pub draws: i64,
    /// on_draws / draws, exact text.
    pub probability: String,
    /// `entering`, `leaving`, `staying_on`, `staying_off`.
    pub outlook: String,
}

/// One stored backtest row (`list_year` `None`: all years together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// The list year, or every year.
    pub list_year: Option<i32>,
    /// The list.
    pub list: String,
    /// Areas scored.
    pub areas: i64,
    /// Brier score of the forecast, of persistence, and the skill.
    pub brier: (Option<String>, Option<String>, Option<String>),
    /// Entries, flagged in advance, false alarms.
    pub entries: (i64, i64, i64),
    /// Exits, flagged in advance, false alarms.
    pub exits: (i64, i64, i64),
}

/// The areas on one list of a year (a list the year defines, in the rule sets' order), for the
/// lists' download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMembers {
    /// The rule set.
    pub rule_set: String,
    /// The list.
    pub list: String,
    /// The areas on it, by municipality and name.
    pub members: Vec<ListMemberRow>,
}

/// An area with the values of its latest area-year up to a list year, and its list outcomes of
/// that year (none when it was not evaluated that year), for the areas' download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaWithLists {
    /// The area and its values.
    pub area: AreaValuesRow,
    /// Its list outcomes of the year, by rule set and list.
    pub outcomes: Vec<ListOutcomeRow>,
}

/// Where the store's content comes from, for the note every downloaded table ends with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    /// The latest load: its id and manifest hash (`None`: no load recorded).
    pub load: Option<(i64, String)>,
    /// Every rule set's id and content hash, by id.
    pub rule_sets: Vec<(String, String)>,
}

/// The counts of one screening indicator over one population in one data year (table
/// `population_counts`): the numerator and denominator summed over every unit of the
/// population, small units included, so that the population's figure is Σ num / Σ den. Only
/// populations are stored, never a unit on its own: see [`crate::population`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationCount {
    /// The screening spec whose units and designation define the population, e.g. `kbh-2025`.
    pub spec: String,
    /// The designation round (the screening's year) whose areas are held fixed.
    pub round: i32,
    /// The population's key ([`crate::population::Population::key`]).
    pub population: String,
    /// The data year counted.
    pub data_year: i32,
    /// The indicator of the screening vocabulary, e.g. `outside_labour_share`.
    pub indicator: String,
    /// Σ numerators, exact decimal text as the engine's counts read back.
    pub num: String,
    /// Σ denominators.
    pub den: String,
}
