//! The JSON API's handlers for the store's tables (rule sets, areas, designations, lists, the
//! manifest), the explanation, the what-if and the early warning, and the generated OpenAPI
//! document ([`doc`]).
//!
//! Every handler reads through the store's typed readers ([`kvarter_store::read`]), never
//! SQL of its own, and builds its body as one of the typed structs of [`model`]; a figure that
//! may rest on few persons goes through the disclosure policy ([`kvarter_view::Policy`]) first:
//! an area-year's values through [`kvarter_view::Policy::area_year`], a criterion's value,
//! difference, group size and margin in persons through
//! [`kvarter_view::DisclosedYear::criterion`].
//!
//! ## Years and pages: one rule
//!
//! A year (path or query) is **400** when it is not a whole number from [`YEARS`]`.0` to
//! [`YEARS`]`.1` (2010–9999), and **404** when it is one but the store has no data for it. A
//! page is 400 outside 1 to [`MAX_PAGE`], a page size outside 1 to [`crate::PER_PAGE`]`.1`; a
//! page past the last is an empty page (200). The document declares exactly these bounds.

pub mod doc;
pub mod model;

use crate::{Api, Problem, Shared, lang_of, params, parse_bool, parse_page, parse_year};
use axum::Json;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::StatusCode;
use kvarter_store::read;
use kvarter_view::Policy;
use model::*;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashMap;

pub(crate) use doc::openapi;
pub use doc::{ROUTES, document};

/// The years the API takes: a year outside them is not well-formed (400).
pub const YEARS: (i32, i32) = (2010, 9999);

/// The largest page number `/api/areas` takes.
pub const MAX_PAGE: u64 = 1_000_000;

type Reply<T> = Result<Json<T>, Problem>;

/// Runs `f` with a read-only connection, off the async threads.
async fn read<T: Serialize + Send + 'static>(
    api: Shared,
    f: impl FnOnce(&Connection, &Api) -> Result<T, Problem> + Send + 'static,
) -> Reply<T> {
    tokio::task::spawn_blocking(move || {
        let conn = api.conn()?;
        f(&conn, &api)
    })
    .await
    .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map(Json)
}

fn rule_set(r: read::RuleSetInfo) -> RuleSet {
    let links = SelfLink {
        self_: format!("/api/rule-sets/{}", r.id),
    };
    RuleSet {
        id: r.id,
        family: r.family,
        title: r.title,
        title_en: r.title_en,
        first_list_year: r.first_list_year,
        last_list_year: r.last_list_year,
        file: r.file,
        content_hash: r.content_hash,
        links,
    }
}

/// `GET /api/rule-sets`
#[utoipa::path(get, path = "/api/rule-sets", operation_id = "listRuleSets",
    summary = "The rule sets of the catalog, with their file hashes.",
    responses(
        (status = 200, description = "The rule sets.", body = RuleSets),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    ))]
pub(crate) async fn rule_sets(State(api): State<Shared>, RawQuery(q): RawQuery) -> Reply<RuleSets> {
    params(q, &[])?;
    read(api, |c, _| {
        Ok(RuleSets {
            items: read::rule_sets(c)?.into_iter().map(rule_set).collect(),
        })
    })
    .await
}

/// `GET /api/rule-sets/{id}`
#[utoipa::path(get, path = "/api/rule-sets/{id}", operation_id = "getRuleSet",
    summary = "One rule set, with the list years and lists it decided in this store.",
    params(("id" = String, Path, description = "A rule-set id, e.g. `dk-2021`.")),
    responses(
        (status = 200, description = "The rule set.", body = RuleSetDetail),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    ))]
pub(crate) async fn rule_set_detail(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply<RuleSetDetail> {
    params(q, &[])?;
    read(api, move |c, _| {
        let rs = read::rule_set(c, &id)?
            .ok_or_else(|| Problem::not_found(format!("no rule set '{id}'")))?;
        Ok(RuleSetDetail {
            rule_set: rule_set(rs),
            list_years: read::rule_set_years(c, &id)?,
            lists: read::rule_set_lists(c, &id)?,
        })
    })
    .await
}

fn area_summary(a: read::AreaInfo) -> AreaSummary {
    let links = AreaLinks {
        self_: format!("/api/areas/{}", a.id),
        designations: format!("/api/areas/{}/designations", a.id),
    };
    AreaSummary {
        id: a.id,
        name: a.name,
        municipality: a.municipality,
        municipality_name: a.municipality_name,
        region: a.region,
        kind: match a.kind.as_deref() {
            Some("social_housing") => Some(AreaKind::SocialHousing),
            Some("ordinary") => Some(AreaKind::Ordinary),
            _ => None,
        },
        links,
    }
}

fn area_or_404(c: &Connection, id: &str) -> Result<read::AreaInfo, Problem> {
    read::area(c, id)?.ok_or_else(|| Problem::not_found(format!("no area '{id}'")))
}

/// `GET /api/areas?page=&per_page=`
#[utoipa::path(get, path = "/api/areas", operation_id = "listAreas",
    summary = "The areas, paginated by id.",
    description = "A page past the last is empty (200); `page` and `per_page` outside their bounds are 400.",
    params(
        ("page" = Option<u64>, Query, minimum = 1, maximum = 1_000_000, description = "The page, from 1 (default 1)."),
        ("per_page" = Option<u64>, Query, minimum = 1, maximum = 500, description = "Areas per page (default 50)."),
    ),
    responses(
        (status = 200, description = "A page of areas.", body = AreaPage),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    ))]
pub(crate) async fn areas(State(api): State<Shared>, RawQuery(q): RawQuery) -> Reply<AreaPage> {
    let p = params(q, &["page", "per_page"])?;
    let page = parse_page(&p, "page", 1, MAX_PAGE)?;
    let per_page = parse_page(&p, "per_page", crate::PER_PAGE.0, crate::PER_PAGE.1)?;
    read(api, move |c, _| {
        let total = read::area_count(c)?;
        let items = read::areas_page(c, per_page, (page - 1) * per_page)?
            .into_iter()
            .map(area_summary)
            .collect();
        let pages = total.div_ceil(per_page).max(1);
        let link = |n: u64| format!("/api/areas?page={n}&per_page={per_page}");
        Ok(AreaPage {
            items,
            page,
            per_page,
            total,
            pages,
            links: PageLinks {
                self_: link(page),
                first: link(1),
                last: link(pages),
                prev: (page > 1).then(|| link((page - 1).min(pages))),
                next: (page < pages).then(|| link(page + 1)),
            },
        })
    })
    .await
}

/// `GET /api/areas/{id}`
#[utoipa::path(get, path = "/api/areas/{id}", operation_id = "getArea",
    summary = "One area with every list year's input values, after the disclosure policy.",
    params(("id" = String, Path, description = "An area id.")),
    responses(
        (status = 200, description = "The area.", body = Area),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    ))]
pub(crate) async fn area(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply<Area> {
    params(q, &[])?;
    read(api, move |c, api| {
        let summary = area_summary(area_or_404(c, &id)?);
        let policy = Policy::new(api.config.min_count);
        let years = read::area_years(c, &id)?
            .into_iter()
            .map(|y| {
                let d = policy.area_year(|col| y.value(col));
                AreaYear {
                    list_year: y.list_year,
                    area_name: y.area_name,
                    municipality: y.municipality,
                    values: AreaValues {
                        residents: d.get("residents"),
                        non_western_pct: d.get("non_western_pct"),
                        outside_labour_pct: d.get("outside_labour_pct"),
                        convicted_pct: d.get("convicted_pct"),
                        convicted_national_pct: d.get("convicted_national_pct"),
                        basic_education_pct: d.get("basic_education_pct"),
                        income_pct_of_region: d.get("income_pct_of_region"),
                        persons_18_64: d.get("persons_18_64"),
                        persons_18_plus: d.get("persons_18_plus"),
                        persons_30_59: d.get("persons_30_59"),
                        persons_15_64_taxable: d.get("persons_15_64_taxable"),
                    },
                }
            })
            .collect();
        Ok(Area {
            summary,
            geometry: read::area_geometry(c, &id)?,
            years,
        })
    })
    .await
}

fn criterion_outcome(s: &str) -> Result<CriterionOutcome, Problem> {
    Ok(match s {
        "met" => CriterionOutcome::Met,
        "not_met" => CriterionOutcome::NotMet,
        "not_evaluable" => CriterionOutcome::NotEvaluable,
        "switched_off" => CriterionOutcome::SwitchedOff,
        other => return Err(stored(format!("criterion outcome '{other}'"))),
    })
}

fn list_outcome(s: &str) -> Result<ListOutcome, Problem> {
    Ok(match s {
        "on" => ListOutcome::On,
        "off" => ListOutcome::Off,
        "undefined" => ListOutcome::Undefined,
        other => return Err(stored(format!("list outcome '{other}'"))),
    })
}

fn stored(what: String) -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("the store holds an unknown {what}"),
    )
}

/// The year asked for, checked against the years an area (or the store) has: `None` means all.
fn years_asked(years: Vec<i32>, year: Option<i32>, what: &str) -> Result<Vec<i32>, Problem> {
    match year {
        None => Ok(years),
        Some(y) if years.contains(&y) => Ok(vec![y]),
        Some(y) => Err(Problem::not_found(format!(
            "{what} has no values for list year {y}"
        ))),
    }
}

/// `GET /api/areas/{id}/designations?year=&without_origin=`
#[utoipa::path(get, path = "/api/areas/{id}/designations", operation_id = "getDesignations",
    summary = "Criterion results and list results, with the reason, per list year.",
    description = "Each criterion's value, difference, group size and margin in persons after the disclosure policy (docs/DISCLOSURE.md). A `year` that is not a whole number from 2010 to 9999 is 400; one the area has no values for is 404.",
    params(
        ("id" = String, Path, description = "An area id."),
        ("year" = Option<i32>, Query, minimum = 2010, maximum = 9999, description = "One list year; every year by default."),
        ("without_origin" = Option<Flag>, Query, description = "Evaluated without the non-Western origin criterion (C-417/23); default false."),
    ),
    responses(
        (status = 200, description = "The designations.", body = Designations),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    ))]
pub(crate) async fn designations(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply<Designations> {
    let p = params(q, &["year", "without_origin"])?;
    let year = p.get("year").map(|y| parse_year(y, "year")).transpose()?;
    let without = parse_bool(&p, "without_origin")?;
    read(api, move |c, api| {
        area_or_404(c, &id)?;
        let policy = Policy::new(api.config.min_count);
        let values = read::area_years(c, &id)?;
        let years = years_asked(
            values.iter().map(|y| y.list_year).collect(),
            year,
            &format!("area '{id}'"),
        )?;
        let mut out = Vec::new();
        for y in years {
            let row = values.iter().find(|v| v.list_year == y);
            let disclosed = policy.area_year(|col| row.and_then(|r| r.value(col)));
            let criteria = read::criterion_results(c, without, &id, y)?
                .into_iter()
                .map(|r| {
                    // The column the criterion measures, from the rule set as stored; a
                    // criterion the catalog does not know measures nothing the policy knows,
                    // and is suppressed.
                    let column = kvarter_view::area::measure_of(
                        &api.dash.catalog,
                        &r.rule_set,
                        &r.criterion,
                    );
                    let p = disclosed.criterion(
                        column,
                        &kvarter_view::RawCriterion {
                            value: r.value,
                            difference: r.difference,
                            group_size: r.group_size,
                            persons: r.persons,
                        },
                    );
                    Ok(CriterionResult {
                        outcome: criterion_outcome(&r.outcome)?,
                        rule_set: r.rule_set,
                        criterion: r.criterion,
                        value: p.value,
                        threshold: r.threshold,
                        reference: r.reference,
                        operator: r.operator,
                        missing: r.missing,
                        difference: p.difference,
                        group_size: p.group_size,
                        persons: p.persons,
                        more: r.more,
                    })
                })
                .collect::<Result<_, Problem>>()?;
            let lists = read::list_results(c, without, &id, y)?
                .into_iter()
                .map(|l| {
                    Ok(ListResult {
                        outcome: list_outcome(&l.outcome)?,
                        rule_set: l.rule_set,
                        list: l.list,
                        incomplete: l.incomplete,
                        excluded_by: l.excluded_by,
                        reason: l.reason,
                        streak: l.streak,
                    })
                })
                .collect::<Result<_, Problem>>()?;
            out.push(DesignationYear {
                list_year: y,
                criteria,
                lists,
            });
        }
        Ok(Designations {
            links: ToArea {
                area: format!("/api/areas/{id}"),
            },
            area_id: id,
            without_origin: without,
            years: out,
        })
    })
    .await
}

/// `GET /api/lists/{year}?without_origin=`
#[utoipa::path(get, path = "/api/lists/{year}", operation_id = "getLists",
    summary = "Per list, the areas on it in a list year.",
    description = "A `year` that is not a whole number from 2010 to 9999 is 400; one the store has no values for is 404.",
    params(
        ("year" = i32, Path, minimum = 2010, maximum = 9999, description = "The list year."),
        ("without_origin" = Option<Flag>, Query, description = "Evaluated without the non-Western origin criterion (C-417/23); default false."),
    ),
    responses(
        (status = 200, description = "The lists.", body = Lists),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    ))]
pub(crate) async fn lists(
    State(api): State<Shared>,
    UrlPath(year): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply<Lists> {
    let year = parse_year(&year, "list year")?;
    let p = params(q, &["without_origin"])?;
    let without = parse_bool(&p, "without_origin")?;
    read(api, move |c, _| {
        let evaluated = read::areas_in_year(c, year)?;
        if evaluated == 0 {
            return Err(Problem::not_found(format!(
                "the store has no values for list year {year}"
            )));
        }
        let mut out = Vec::new();
        for def in read::list_defs(c, without, year)? {
            let areas: Vec<ListMember> =
                read::list_members(c, without, year, &def.rule_set, &def.list)?
                    .into_iter()
                    .map(|m| ListMember {
                        links: MemberLinks {
                            self_: format!("/api/areas/{}", m.area_id),
                            designations: format!(
                                "/api/areas/{}/designations?year={year}{}",
                                m.area_id,
                                if without { "&without_origin=true" } else { "" }
                            ),
                        },
                        id: m.area_id,
                        name: m.area_name,
                        municipality: m.municipality,
                        incomplete: m.incomplete,
                    })
                    .collect();
            out.push(ListOfYear {
                count: areas.len() as u64,
                list: def.list,
                rule_set: def.rule_set,
                defined: !def.undefined,
                areas,
            });
        }
        Ok(Lists {
            list_year: year,
            without_origin: without,
            areas_evaluated: evaluated,
            lists: out,
        })
    })
    .await
}

/// `GET /api/manifest`
#[utoipa::path(get, path = "/api/manifest", operation_id = "getManifest",
    summary = "Every load: kvarter's version, the input files and hashes, rule sets and options.",
    responses(
        (status = 200, description = "The manifest.", body = Manifest),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    ))]
pub(crate) async fn manifest(State(api): State<Shared>, RawQuery(q): RawQuery) -> Reply<Manifest> {
    params(q, &[])?;
    read(api, |c, _| {
        let loads: Vec<Load> = read::manifests(c)?
            .into_iter()
            .map(|m| Load {
                load_id: m.load_id,
                manifest_hash: m.manifest_hash,
                kvarter_version: m.kvarter_version,
                inputs: m
                    .inputs
                    .into_iter()
                    .map(|i| ManifestInput {
                        role: i.role,
                        file: i.file,
                        sha256: i.sha256,
                        size: i.size,
                    })
                    .collect(),
                rule_sets: m
                    .rule_sets
                    .into_iter()
                    .map(|r| ManifestRuleSet {
                        id: r.id,
                        content_hash: r.content_hash,
                    })
                    .collect(),
                options: m.options,
                loaded_at: m.loaded_at,
            })
            .collect();
        Ok(Manifest {
            latest: loads.first().cloned(),
            loads,
        })
    })
    .await
}

/// `GET /api/areas/{id}/explanation?year=&lang=&without_origin=`
#[utoipa::path(get, path = "/api/areas/{id}/explanation", operation_id = "getExplanation",
    summary = "The explanation in plain language (the text of `kvarter explain`), Danish or English.",
    description = "A `year` that is not a whole number from 2010 to 9999 is 400; one the area has no values for is 404.",
    params(
        ("id" = String, Path, description = "An area id."),
        ("year" = Option<i32>, Query, minimum = 2010, maximum = 9999, description = "The list year; the area's latest by default."),
        ("lang" = Option<Lang>, Query, description = "`da` (default) or `en`."),
        ("without_origin" = Option<Flag>, Query, description = "Evaluated without the non-Western origin criterion (C-417/23); default false."),
    ),
    responses(
        (status = 200, description = "The explanation.", body = Explanation),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    ))]
pub(crate) async fn explanation(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply<Explanation> {
    let p = params(q, &["year", "lang", "without_origin"])?;
    let year = p.get("year").map(|y| parse_year(y, "year")).transpose()?;
    let lang = lang_of(&p)?;
    let without = parse_bool(&p, "without_origin")?;
    read(api, move |c, api| {
        area_or_404(c, &id)?;
        let years = read::area_list_years(c, &id)?;
        let asked = years_asked(years, year, &format!("area '{id}'"))?;
        let min_count = api.config.min_count;
        let text = api
            .dash
            .explanation(c, &id, year, lang, without, min_count)
            .map_err(Problem::not_found)?;
        let (text, suppressed) = match text {
            Ok(t) => (Some(t), None),
            Err(detail) => (
                None,
                Some(ExplanationSuppressed {
                    suppressed: true,
                    min_count,
                    detail,
                }),
            ),
        };
        Ok(Explanation {
            list_year: year.or_else(|| asked.last().copied()),
            lang: match lang {
                kvarter_report::Lang::Da => Lang::Da,
                kvarter_report::Lang::En => Lang::En,
            },
            without_origin: without,
            text,
            suppressed,
            links: ExplanationLinks {
                area: format!("/api/areas/{id}"),
                designations: format!("/api/areas/{id}/designations"),
            },
            area_id: id,
        })
    })
    .await
}

/// The early warning, a what-if: their bodies are built by [`crate::foresight`] and
/// [`crate::whatif`] as JSON values; this runs them off the async threads with the query
/// checked, and turns their `(status, detail)` errors into problems.
async fn untyped(
    api: Shared,
    q: Option<String>,
    allowed: &'static [&'static str],
    f: impl FnOnce(&Connection, &Api, &HashMap<String, String>) -> Result<serde_json::Value, Problem>
    + Send
    + 'static,
) -> Reply<serde_json::Value> {
    tokio::task::spawn_blocking(move || {
        let map = params(q, allowed)?;
        let conn = api.conn()?;
        f(&conn, &api, &map)
    })
    .await
    .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map(Json)
}

fn status_problem((status, detail): (u16, String)) -> Problem {
    Problem::new(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        detail,
    )
}

/// The `year` query parameter under the one rule for years: 400 when not well-formed, 404
/// when the store has no values for it; `None` when absent.
fn known_year(api: &Api, m: &HashMap<String, String>) -> Result<Option<i32>, Problem> {
    let Some(y) = m.get("year") else {
        return Ok(None);
    };
    let y = parse_year(y, "year")?;
    if !api.dash.years.contains(&y) {
        return Err(Problem::not_found(format!(
            "the store has no values for list year {y}"
        )));
    }
    Ok(Some(y))
}

/// `GET /api/foresight?list=&area=`: the stored early warning and its backtest.
pub(crate) async fn foresight(
    State(api): State<Shared>,
    RawQuery(q): RawQuery,
) -> Reply<serde_json::Value> {
    untyped(api, q, &["list", "area"], move |c, _, p| {
        Ok(crate::foresight::api(
            c,
            p.get("list").map(String::as_str),
            p.get("area").map(String::as_str),
        )?)
    })
    .await
}

/// `GET /api/plans/report?year=`: the status report of a list year (the latest when absent),
/// the model `/plans/report` and `kvarter plans report` render
/// ([`kvarter_view::report::StatusReport`]).
pub(crate) async fn plans_report(
    State(api): State<Shared>,
    RawQuery(q): RawQuery,
) -> Reply<serde_json::Value> {
    untyped(api, q, &["year"], |c, api, m| {
        let year = known_year(api, m)?;
        let policy = kvarter_view::Policy::new(api.config.min_count);
        let report = crate::plan_report::build(c, &policy, year)
            .map_err(|e| status_problem((e.status, e.message)))?;
        serde_json::to_value(&report)
            .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
    })
    .await
}

/// `GET /api/whatif?year=&set=&without_origin=`: a rule what-if.
pub(crate) async fn whatif_rules(
    State(api): State<Shared>,
    RawQuery(q): RawQuery,
) -> Reply<serde_json::Value> {
    untyped(api, q, crate::whatif::API_RULES_PARAMS, |c, api, m| {
        known_year(api, m)?;
        crate::whatif::api_rules(c, &api.dash, m).map_err(status_problem)
    })
    .await
}

/// `GET /api/areas/{id}/whatif?year=&more_in_work=&…`: a resident what-if of one area.
pub(crate) async fn whatif_area(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply<serde_json::Value> {
    untyped(api, q, crate::whatif::API_AREA_PARAMS, move |c, api, m| {
        let year = match known_year(api, m)? {
            Some(y) => y,
            None => api
                .dash
                .latest()
                .ok_or_else(|| Problem::not_found("the store has no list year"))?,
        };
        crate::whatif::api_area(c, &api.dash, &id, year, m, api.config.min_count)
            .map_err(status_problem)
    })
    .await
}
