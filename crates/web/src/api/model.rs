//! The JSON the API serves: one typed struct per response body, each deriving `Serialize` and
//! [`ToSchema`], so the OpenAPI document ([`super::doc`]) is generated from the very types the
//! handlers serialise. A figure that may rest on few persons is a [`PublishedDecimal`]: the
//! disclosure policy (`kvarter-view`) made it, and it serialises as the figure, the suppression
//! mark or `null`.

use kvarter_view::PublishedDecimal;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::{ToResponse, ToSchema};

/// An RFC 9457 problem: the body of every error response (`application/problem+json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(rename = "type", example = "about:blank")]
    pub kind: String,
    /// The status's reason phrase, e.g. `Not Found`.
    pub title: String,
    /// The HTTP status.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What was wrong and what was expected, in English.
    pub detail: String,
}

/// 400: a path or query parameter is not well-formed or outside its declared range (a year
/// that is not a whole number from 2010 to 9999, a page outside its bounds, a value outside
/// its enum), or a query parameter this operation does not take.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(#[allow(dead_code)] ProblemDetails);

/// 404: no such id, or a well-formed year in range for which the store has no data.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(#[allow(dead_code)] ProblemDetails);

/// 500: the store could not be read.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct ServerError(#[allow(dead_code)] ProblemDetails);

/// Links to related resources (paths on this server).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelfLink {
    /// This resource.
    #[serde(rename = "self")]
    #[schema(rename = "self")]
    pub self_: String,
}

/// A rule set of the catalog.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSet {
    /// Id, e.g. `dk-2021`.
    pub id: String,
    /// Family: `state-lists` or `51b`.
    pub family: String,
    /// Danish title.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// The first list year it governs.
    pub first_list_year: i32,
    /// The last list year it governs; `null` while in force.
    pub last_list_year: Option<i32>,
    /// The rule file it came from.
    pub file: String,
    /// SHA-256 of the rule file's text, lower-case hex.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub content_hash: String,
    /// Links.
    pub links: SelfLink,
}

/// The rule sets of the catalog.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSets {
    /// By family, first list year and id.
    pub items: Vec<RuleSet>,
}

/// One rule set, with what it decided in this store.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetDetail {
    /// The rule set.
    #[serde(flatten)]
    pub rule_set: RuleSet,
    /// The list years it decided in this store, ascending.
    pub list_years: Vec<i32>,
    /// The lists it decided, in the order the rule file defines them.
    pub lists: Vec<String>,
}

/// Links of an area.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaLinks {
    /// The area.
    #[serde(rename = "self")]
    #[schema(rename = "self")]
    pub self_: String,
    /// Its designations.
    pub designations: String,
}

/// An area: who it is, without its figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaSummary {
    /// Id (the store's own, stable across loads).
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipality (a code from a register folder, a name from a criteria file).
    pub municipality: String,
    /// Municipality name, where known.
    pub municipality_name: Option<String>,
    /// Region code, where known.
    pub region: Option<i64>,
    /// `social_housing` or `ordinary`, where known.
    pub kind: Option<AreaKind>,
    /// Links.
    pub links: AreaLinks,
}

/// What kind of area it is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// Almene boliger.
    SocialHousing,
    /// Other housing.
    Ordinary,
}

/// Links of a page of areas.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageLinks {
    /// This page.
    #[serde(rename = "self")]
    #[schema(rename = "self")]
    pub self_: String,
    /// The first page.
    pub first: String,
    /// The last page.
    pub last: String,
    /// The page before, if any.
    pub prev: Option<String>,
    /// The page after, if any.
    pub next: Option<String>,
}

/// A page of areas, by id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaPage {
    /// The areas of this page (none past the last page).
    pub items: Vec<AreaSummary>,
    /// This page's number.
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub page: u64,
    /// The page size.
    #[schema(minimum = 1, maximum = 500)]
    pub per_page: u64,
    /// How many areas the store has.
    pub total: u64,
    /// How many pages there are (at least 1).
    #[schema(minimum = 1)]
    pub pages: u64,
    /// Links.
    pub links: PageLinks,
}

/// One area-year's input values after the disclosure policy: counts of persons, shares of a
/// group and means over a group are suppressed when they rest on fewer persons than the
/// minimum count, and a nested group is suppressed when it differs from the group containing
/// it by fewer (docs/DISCLOSURE.md).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaValues {
    /// Residents (a count).
    pub residents: PublishedDecimal,
    /// Share of residents of non-Western origin, per cent.
    pub non_western_pct: PublishedDecimal,
    /// Share of the 18–64-year-olds outside the labour market, per cent.
    pub outside_labour_pct: PublishedDecimal,
    /// Share of the adults convicted, per cent.
    pub convicted_pct: PublishedDecimal,
    /// Share convicted in the whole country, per cent (public).
    pub convicted_national_pct: PublishedDecimal,
    /// Share of the 30–59-year-olds with basic education only, per cent.
    pub basic_education_pct: PublishedDecimal,
    /// Mean income of the taxable 15–64-year-olds, per cent of the region's.
    pub income_pct_of_region: PublishedDecimal,
    /// Persons aged 18–64 (a count).
    pub persons_18_64: PublishedDecimal,
    /// Persons aged 18 or more (a count).
    pub persons_18_plus: PublishedDecimal,
    /// Persons aged 30–59 (a count).
    pub persons_30_59: PublishedDecimal,
    /// Taxable persons aged 15–64 (a count).
    pub persons_15_64_taxable: PublishedDecimal,
}

/// An area's values in one list year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaYear {
    /// The list year.
    #[schema(minimum = 2010, maximum = 9999)]
    pub list_year: i32,
    /// The area's name that year.
    pub area_name: String,
    /// Its municipality that year.
    pub municipality: String,
    /// The values.
    pub values: AreaValues,
}

/// An area with every list year's values.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Area {
    /// Who it is.
    #[serde(flatten)]
    pub summary: AreaSummary,
    /// Its outline, a GeoJSON geometry object in EPSG:25832; `null` when the store has none.
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<serde_json::Value>,
    /// Every list year with values, ascending.
    pub years: Vec<AreaYear>,
}

/// How a criterion came out.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CriterionOutcome {
    /// The criterion is met.
    Met,
    /// It is not met.
    NotMet,
    /// A value it needs is missing.
    NotEvaluable,
    /// It does not count (the origin criterion, without origin).
    SwitchedOff,
}

/// One criterion of one rule set for an area-year, after the disclosure policy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionResult {
    /// The rule set.
    pub rule_set: String,
    /// The criterion's id, e.g. `outside_labour`.
    pub criterion: String,
    /// The value measured (shown when its column may be).
    pub value: PublishedDecimal,
    /// The threshold it is compared with (public).
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
    pub threshold: Option<Decimal>,
    /// The reference a factor threshold multiplies, e.g. the national average (public).
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
    pub reference: Option<Decimal>,
    /// The comparison as the law writes it.
    #[schema(example = ">")]
    pub operator: String,
    /// The outcome.
    pub outcome: CriterionOutcome,
    /// The input columns that were empty.
    pub missing: Vec<String>,
    /// Value − threshold (follows the value: with the public threshold it gives it).
    pub difference: PublishedDecimal,
    /// The size of the group measured.
    pub group_size: PublishedDecimal,
    /// The margin in persons (needs both the value and the group shown).
    pub persons: PublishedDecimal,
    /// Whether more persons would be needed to meet the criterion (the margin's direction).
    pub more: Option<bool>,
}

/// How a list came out for an area.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListOutcome {
    /// On the list.
    On,
    /// Not on it.
    Off,
    /// The list is not defined (e.g. without the origin criterion).
    Undefined,
}

/// One list of one rule set for an area-year, with the reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListResult {
    /// The rule set.
    pub rule_set: String,
    /// The list's id.
    pub list: String,
    /// The outcome.
    pub outcome: ListOutcome,
    /// Whether missing values could change it.
    pub incomplete: bool,
    /// The lists that exclude this one here.
    pub excluded_by: Vec<String>,
    /// The condition trace, as the engine wrote it: which criteria counted and how.
    #[schema(value_type = Option<Object>)]
    pub reason: Option<serde_json::Value>,
    /// The streak trace, or `null` when the list has no streak.
    #[schema(value_type = Option<Object>)]
    pub streak: Option<serde_json::Value>,
}

/// An area's designations in one list year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DesignationYear {
    /// The list year.
    #[schema(minimum = 2010, maximum = 9999)]
    pub list_year: i32,
    /// Every criterion of every rule set in force.
    pub criteria: Vec<CriterionResult>,
    /// Every list, with the reason.
    pub lists: Vec<ListResult>,
}

/// Links to an area.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ToArea {
    /// The area.
    pub area: String,
}

/// An area's criterion and list results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Designations {
    /// The area.
    pub area_id: String,
    /// Whether evaluated without the origin criterion.
    pub without_origin: bool,
    /// The list years asked for, ascending.
    pub years: Vec<DesignationYear>,
    /// Links.
    pub links: ToArea,
}

/// Links of an explanation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExplanationLinks {
    /// The area.
    pub area: String,
    /// Its designations.
    pub designations: String,
}

/// A flag in a query: `true` or `false`; `1`, `0` and an empty value (what the dashboard's
/// links and check boxes send) are taken too, and anything else is 400. Documentation only:
/// its schema is written by hand, since the derive cannot name the empty value.
pub struct Flag;

/// A flag of the what-if: as [`Flag`], and `on` (what a browser's check box sends) is yes.
/// Documentation only.
pub struct FlagOn;

/// A string enumeration of exactly these values.
fn string_enum(
    description: &str,
    values: &[&str],
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(description))
        .enum_values(Some(values.iter().map(|v| v.to_string())))
        .into()
}

impl utoipa::PartialSchema for Flag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_enum(
            "A flag: true or false; 1, 0 and an empty value (what the dashboard's links and check boxes send) are taken too.",
            &["true", "false", "1", "0", ""],
        )
    }
}

impl utoipa::ToSchema for Flag {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Flag")
    }
}

impl utoipa::PartialSchema for FlagOn {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_enum(
            "A flag of the what-if: as Flag, and on (what a browser's check box sends) is yes.",
            &["true", "false", "1", "0", "", "on"],
        )
    }
}

impl utoipa::ToSchema for FlagOn {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("FlagOn")
    }
}

/// A language of the explanation.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Danish.
    Da,
    /// English.
    En,
}

/// Why an explanation is not served.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExplanationSuppressed {
    /// Always true.
    #[schema(value_type = bool)]
    pub suppressed: bool,
    /// The minimum count.
    #[schema(minimum = 1)]
    pub min_count: u64,
    /// What was left out and why.
    pub detail: String,
}

/// The explanation in plain language: the text of `kvarter explain`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Explanation {
    /// The area.
    pub area_id: String,
    /// The list year explained.
    #[schema(minimum = 2010, maximum = 9999)]
    pub list_year: Option<i32>,
    /// The language.
    pub lang: Lang,
    /// Whether evaluated without the origin criterion.
    pub without_origin: bool,
    /// The text; `null` when it cannot be served without a figure under the minimum count.
    pub text: Option<String>,
    /// Why the text is not served; `null` when it is.
    pub suppressed: Option<ExplanationSuppressed>,
    /// Links.
    pub links: ExplanationLinks,
}

/// Links of a list member.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberLinks {
    /// The area.
    #[serde(rename = "self")]
    #[schema(rename = "self")]
    pub self_: String,
    /// Its designations that year.
    pub designations: String,
}

/// An area on a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListMember {
    /// The area's id.
    pub id: String,
    /// Its name that year.
    pub name: String,
    /// Its municipality that year.
    pub municipality: String,
    /// Whether missing values could change the outcome.
    pub incomplete: bool,
    /// Links.
    pub links: MemberLinks,
}

/// One list of a list year and the areas on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListOfYear {
    /// The list's id.
    pub list: String,
    /// The rule set that decided it.
    pub rule_set: String,
    /// Whether the list is defined (it may not be without the origin criterion).
    pub defined: bool,
    /// How many areas are on it.
    pub count: u64,
    /// The areas on it, by id.
    pub areas: Vec<ListMember>,
}

/// The lists of a list year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Lists {
    /// The list year.
    #[schema(minimum = 2010, maximum = 9999)]
    pub list_year: i32,
    /// Whether evaluated without the origin criterion.
    pub without_origin: bool,
    /// How many areas were evaluated that year.
    pub areas_evaluated: u64,
    /// Every list decided that year.
    pub lists: Vec<ListOfYear>,
}

/// An input file of a load.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManifestInput {
    /// `criteria`, `areas`, `persons`, `geometry`, `history`, `rules`, …
    pub role: String,
    /// The file's name.
    pub file: String,
    /// SHA-256 of its content, lower-case hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A rule set of a load.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManifestRuleSet {
    /// Id.
    pub id: String,
    /// SHA-256 of its text.
    pub content_hash: String,
}

/// One load of the store.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Load {
    /// The load's id (ascending).
    pub load_id: i64,
    /// The manifest's hash: the same inputs give the same hash.
    pub manifest_hash: String,
    /// kvarter's version.
    pub kvarter_version: String,
    /// The input files.
    pub inputs: Vec<ManifestInput>,
    /// The rule sets.
    pub rule_sets: Vec<ManifestRuleSet>,
    /// The options that change the result (`rules`, `data_years`, …).
    pub options: BTreeMap<String, String>,
    /// When it was loaded.
    pub loaded_at: String,
}

/// Every load of the store.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Manifest {
    /// The newest load; `null` for a store never loaded.
    pub latest: Option<Load>,
    /// Every load, newest first.
    pub loads: Vec<Load>,
}

/// The screenings in the store. Describes the JSON the screening handlers serve today (built
/// outside this module); documentation only.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Screenings {
    /// By spec, year and view.
    items: Vec<ScreeningItem>,
}

/// A stored screening. Documentation only.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ScreeningItem {
    /// The spec's id, e.g. `kbh-2025`.
    spec: String,
    /// The screening year.
    year: i32,
    /// Origin criterion switched off.
    without_origin: bool,
    /// The municipality screened.
    municipality: String,
    /// The data year used.
    data_year: i32,
    /// Links.
    links: SelfLink,
}

/// One screening as the disclosure policy lets it be published
/// (`kvarter_view::screening::Screening`): designated areas, the city values and the
/// publishable units, every figure resting on persons a decimal string or the suppression
/// mark. Its members are described loosely (objects); documentation only.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Screening {
    /// The spec's id.
    spec: String,
    /// The screening year.
    year: i32,
    /// The data year used.
    data_year: i32,
    /// The municipality screened.
    municipality: String,
    /// The cell size in metres (0: polygons).
    cell_size_m: u32,
    /// The options the screening ran with.
    #[schema(value_type = Object)]
    options: serde_json::Value,
    /// kvarter's defaults: pairs of item and reasoning.
    #[schema(value_type = Vec<Vec<String>>)]
    kvarter_defaults: Vec<serde_json::Value>,
    /// The city's value of each indicator.
    #[schema(value_type = Vec<Object>)]
    city: Vec<serde_json::Value>,
    /// The designated areas with their stable id, name (`name_from`: derived, earlier round or
    /// names file), the state-listed estates they include (`listed_estates`), criteria and
    /// intervals.
    #[schema(value_type = Vec<Object>)]
    designated_areas: Vec<serde_json::Value>,
    /// Residents of all designated areas together: a whole number, or the suppression mark.
    #[schema(value_type = Value)]
    designated_population: serde_json::Value,
    /// How many contiguous groups were too small to be designated (a count only).
    components_below_minimum: u64,
    /// State-listed areas: id → lists.
    #[schema(value_type = Object)]
    state_listed_areas: serde_json::Value,
    /// The publishable units (units under the spec's minimum population are never included).
    #[schema(value_type = Vec<Object>)]
    cells: Vec<serde_json::Value>,
    /// How many units were under the minimum population and left out.
    cells_suppressed: u64,
    /// Notes.
    notes: Vec<String>,
    /// The minimum count the figures were held against.
    min_count: u64,
    /// This designation round against the round before (`previous_year`, `previous_areas`,
    /// and the areas `entered`, `left`, `changed` (units gained and lost) and `unchanged`, each
    /// by stable id and name); null for the first round stored.
    #[schema(value_type = Option<Object>)]
    previous_round: Option<serde_json::Value>,
    /// With `geometry=true`: the designated areas, GeoJSON (EPSG:25832).
    #[schema(value_type = Option<Object>)]
    geometry: Option<serde_json::Value>,
    /// With `geometry=true`: the units' outlines, GeoJSON (EPSG:25832).
    #[schema(value_type = Option<Object>)]
    units_geometry: Option<serde_json::Value>,
}

/// A JSON object this module does not type: the bodies of the what-if, early-warning, plan,
/// sign-in and audit endpoints (built in their own modules); documentation only.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AnyObject {}
