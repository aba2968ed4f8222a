//! What if: the law changed, or an area's residents did ([`kvarter_whatif`]), on the
//! dashboard and in the API.
//!
//! - [`area_section`]: the `<section id="whatif">` of an area's profile. A GET form with one
//!   number of persons per lever, the criteria and lists before and after, and per list the
//!   area is on the smallest change of each lever that takes it off.
//! - [`rules_page`]: the `/whatif` page. Pick a list year, change the thresholds of the rule
//!   sets in force (prefilled with the law's figures), the `k` of each `k of [..]` list, or
//!   switch off the origin criteria, and see who enters and leaves each list.
//! - [`api_area`] and [`api_rules`]: the same as JSON for `/api/areas/{id}/whatif` and
//!   `/api/whatif`.
//!
//! Everything is evaluated again from the stored values with the stored rules, history and
//! load overrides ([`Dash`]), exactly as the load evaluated them; the earlier years' lists stand
//! as the law computed them. Suppression: a group size under the minimum count is never shown,
//! nor any number of persons of that group (the smallest change, the lever's maximum); an area
//! with fewer residents than the minimum gets a notice instead of the section.
//!
//! # Query parameters
//!
//! - [`AREA_PARAMS`] (the area page, besides its own `year` and `lang`): `more_in_work`,
//!   `fewer_convicted`, `more_educated`, `letting` (whole persons, empty for none) and
//!   `profile` (`municipality`, `all`, or `MEASURE=NUMBER,...`).
//! - [`API_AREA_PARAMS`]: the same, plus `year`, `without_origin` and `smallest`
//!   (default `true`).
//! - [`rules_page_params`] (the `/whatif` page): `year`, `lang`, `set` (the compact form,
//!   e.g. `threshold:outside_labour=35,k:udsat_boligomraade=3`), `without_origin`, and one
//!   `threshold.RULESET/CRITERION` per criterion and `k.RULESET/LIST` per `k of [..]` list of
//!   the catalog (the form's fields; a decimal comma is accepted).
//! - [`API_RULES_PARAMS`]: `year`, `set`, `without_origin`.

use crate::dash::{Ctx, Dash, Td, badge, observations, table, year_form};
use crate::pages::PageError;
use crate::svg::escape;
use kvarter_rules::{
    AreaEvaluation, CriterionOutcome, Decimal, EvalOptions, ListOutcome, Observation, RuleSet,
    Threshold, Unit,
};
use kvarter_view::View;
use kvarter_whatif::{
    self as whatif, AreaWhatIf, Lever, ListChange, Overlay, Profile, RulesWhatIf, Smallest,
    SmallestResult, ThresholdChange, WhatIfError,
};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write;
use std::str::FromStr;

/// The query parameters the area section reads, besides the page's `year` and `lang`.
pub const AREA_PARAMS: &[&str] = &[
    "more_in_work",
    "fewer_convicted",
    "more_educated",
    "letting",
    "profile",
];

/// The query parameters of `/api/areas/{id}/whatif`.
pub const API_AREA_PARAMS: &[&str] = &[
    "year",
    "more_in_work",
    "fewer_convicted",
    "more_educated",
    "letting",
    "profile",
    "without_origin",
    "smallest",
];

/// The query parameters of `/api/whatif`.
pub const API_RULES_PARAMS: &[&str] = &["year", "set", "without_origin"];

/// Every query parameter the `/whatif` page accepts for this catalog: `year`, `lang`, `set`,
/// `without_origin`, and the form's `threshold.RULESET/CRITERION` and `k.RULESET/LIST`.
/// [`rules_page`] checks the names itself as well, so a caller may pass the query unfiltered.
pub fn rules_page_params(dash: &Dash) -> Vec<String> {
    let mut out: Vec<String> = ["year", "lang", "set", "without_origin"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for rs in dash.catalog.rule_sets() {
        for c in rs.all_criteria() {
            out.push(threshold_field(rs, &c.id));
        }
        for l in rs
            .lists
            .iter()
            .filter(|l| whatif::k_of(&l.condition).is_some())
        {
            out.push(k_field(rs, &l.id));
        }
    }
    out
}

fn threshold_field(rs: &RuleSet, criterion: &str) -> String {
    format!("threshold.{}/{criterion}", rs.id)
}

fn k_field(rs: &RuleSet, list: &str) -> String {
    format!("k.{}/{list}", rs.id)
}

fn bad(message: impl Into<String>) -> PageError {
    PageError {
        status: 400,
        message: message.into(),
    }
}

/// A what-if error as a page error: the reader's mistakes are 400, a missing year or area 404.
fn page_error(e: WhatIfError) -> PageError {
    let status = match e {
        WhatIfError::Eval(_) | WhatIfError::Catalog(_) => 500,
        WhatIfError::NoYear { .. } | WhatIfError::NoArea { .. } => 404,
        _ => 400,
    };
    PageError {
        status,
        message: e.to_string(),
    }
}

fn options(dash: &Dash, without_origin: bool) -> EvalOptions {
    EvalOptions {
        without_origin,
        overrides: dash.overrides.clone(),
    }
}

fn parse_bool(query: &HashMap<String, String>, name: &str) -> Result<bool, PageError> {
    match query.get(name).map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") | Some("on") => Ok(true),
        Some(v) => Err(bad(format!("{name}={v}: expected true or false"))),
    }
}

fn parse_persons(query: &HashMap<String, String>, name: &str) -> Result<u64, PageError> {
    match query.get(name).map(|v| v.trim()) {
        None | Some("") => Ok(0),
        Some(v) => v.parse::<u64>().map_err(|_| {
            bad(format!(
                "{name}={v}: expected a whole number of persons, 0 or more"
            ))
        }),
    }
}

fn parse_year(query: &HashMap<String, String>, dash: &Dash) -> Result<i32, PageError> {
    let year = match query.get("year") {
        None => dash.latest().ok_or_else(|| PageError {
            status: 404,
            message: "the store has no list year".into(),
        })?,
        Some(v) => match v.parse::<i32>() {
            Ok(y) if (2010..=2200).contains(&y) => y,
            _ => {
                return Err(bad(format!(
                    "year '{v}': expected a list year, a whole number from 2010"
                )));
            }
        },
    };
    if !dash.years.contains(&year) {
        return Err(PageError {
            status: 404,
            message: format!(
                "the store has no values for list year {year}; expected one of: {}",
                dash.years
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(year)
}

// ---------------------------------------------------------------------------------------------
// Resident what-if: the area section and its API.

/// The levers asked for in a query, checked against the area.
struct AreaQuery {
    levers: Vec<(Lever, u64)>,
    letting: Lever,
    profile_param: String,
}

fn profile_of(
    text: &str,
    dash: &Dash,
    o: &Observation,
    ctx_da: bool,
) -> Result<Profile, PageError> {
    let of = |key: &str, name: String| Profile {
        name,
        values: dash
            .profiles
            .get(&(key.to_string(), o.list_year))
            .cloned()
            .unwrap_or_default(),
    };
    let p = match text.trim() {
        "" | "municipality" => of(
            &o.municipality,
            format!(
                "{}: {}",
                if ctx_da { "kommunen" } else { "municipality" },
                o.municipality
            ),
        ),
        "all" => of(
            "",
            (if ctx_da { "alle områder" } else { "all areas" }).to_string(),
        ),
        other => Profile::parse("own", other).map_err(|e| match e {
            WhatIfError::Lever { message, .. } => bad(format!("profile={other}: {message}")),
            e => bad(e.to_string()),
        })?,
    };
    Ok(p)
}

fn area_query(
    query: &HashMap<String, String>,
    dash: &Dash,
    (o, figures): (&Observation, &kvarter_view::DisclosedYear),
    danish: bool,
) -> Result<AreaQuery, PageError> {
    let min_count = figures.policy().min_count();
    let profile_param = query
        .get("profile")
        .cloned()
        .unwrap_or_else(|| "municipality".into());
    let letting = Lever::Letting {
        profile: profile_of(&profile_param, dash, o, danish)?,
    };
    let mut levers = Vec::new();
    for (name, lever) in [
        ("more_in_work", Lever::MoreInWork),
        ("fewer_convicted", Lever::FewerConvicted),
        ("more_educated", Lever::MoreEducated),
        ("letting", letting.clone()),
    ] {
        let n = parse_persons(query, name)?;
        if n == 0 {
            continue;
        }
        // A change of persons in a group the policy hides (under the minimum, or beside a group
        // it would give away) would reveal its size (the share moves by n / size × 100), and so
        // would where a refusal starts: refuse it outright. The letting mix moves every measure,
        // and with each the group it is a share of.
        let hidden = figures.get(lever.group()).shown().is_none()
            || (lever.measure().is_none()
                && lever_measures(&lever).iter().any(|m| {
                    figures.get(m).is_suppressed()
                        || kvarter_view::area::group_of(m)
                            .is_some_and(|g| figures.get(g).is_suppressed())
                }));
        if hidden {
            return Err(bad(format!(
                "{name}={n}: the group ({}) is smaller than the minimum count {min_count}, or would give a smaller group away; a change in it would reveal its size, so it is not calculated",
                lever.group()
            )));
        }
        if let Err(e) = lever.apply(o, n) {
            return Err(bad(format!(
                "{name}={n}: {}",
                match e {
                    WhatIfError::Lever { message, .. } => message,
                    e => e.to_string(),
                }
            )));
        }
        levers.push((lever, n));
    }
    Ok(AreaQuery {
        levers,
        letting,
        profile_param,
    })
}

/// The area's own observations (every year: streaks need the earlier ones), its observation
/// of the year, and that year's figures after the disclosure policy, through which every
/// figure of the answer is shown. Only the area's rows are read: the input's list years and
/// the letting profiles come from [`Dash`].
fn area_inputs(
    conn: &Connection,
    dash: &Dash,
    area: &str,
    year: i32,
) -> Result<(Vec<Observation>, Observation, kvarter_view::DisclosedYear), PageError> {
    let all = observations(conn, Some(area))?;
    let Some(raw) = all
        .iter()
        .find(|o| o.area_id == area && o.list_year == year)
        .cloned()
    else {
        let years: Vec<String> = all
            .iter()
            .filter(|o| o.area_id == area)
            .map(|o| o.list_year.to_string())
            .collect();
        return Err(PageError {
            status: 404,
            message: if years.is_empty() {
                format!("no area with id '{area}' has values in the store")
            } else {
                format!(
                    "area '{area}' has no values for list year {year}; it has {}",
                    years.join(", ")
                )
            },
        });
    };
    let disclosed = dash.policy.area_year(|c| raw.values.get(c).copied());
    Ok((all, raw, disclosed))
}

struct AreaResult {
    whatif: AreaWhatIf,
    smallest: Option<Vec<Smallest>>,
    query: AreaQuery,
}

/// What the area's what-if needs besides the store: the query and how to evaluate.
struct AreaAsk<'a> {
    query: &'a HashMap<String, String>,
    /// The area-year's figures after the disclosure policy (from [`area_inputs`]).
    figures: &'a kvarter_view::DisclosedYear,
    without_origin: bool,
    smallest: bool,
    danish: bool,
}

fn area_result(
    dash: &Dash,
    all: &[Observation],
    o: Observation,
    ask: &AreaAsk<'_>,
) -> Result<AreaResult, PageError> {
    let (area, year) = (o.area_id.as_str(), o.list_year);
    let q = area_query(ask.query, dash, (&o, ask.figures), ask.danish)?;
    let (without_origin, smallest) = (ask.without_origin, ask.smallest);
    let opts = options(dash, without_origin);
    let years: std::collections::BTreeSet<i32> = dash.years.iter().copied().collect();
    let w = whatif::area_whatif_of(
        &dash.catalog,
        (all, &years),
        &dash.history,
        &opts,
        area,
        year,
        &q.levers,
    )
    .map_err(page_error)?;
    let smallest = if smallest {
        let mut levers: Vec<Lever> = Lever::PERSONS.to_vec();
        levers.push(q.letting.clone());
        Some(
            whatif::smallest_changes_of(
                &dash.catalog,
                (all, &years),
                &dash.history,
                &opts,
                area,
                year,
                &levers,
            )
            .map_err(page_error)?,
        )
    } else {
        None
    };
    Ok(AreaResult {
        whatif: w,
        smallest,
        query: q,
    })
}

fn lever_label(id: &str, ctx: &Ctx) -> &'static str {
    match id {
        "more_in_work" => ctx.t(
            "Flere beboere på 18-64 år i arbejde eller uddannelse",
            "More residents aged 18-64 in work or education",
        ),
        "fewer_convicted" => ctx.t(
            "Færre dømte beboere på 18 år og derover",
            "Fewer convicted residents aged 18 or over",
        ),
        "more_educated" => ctx.t(
            "Flere beboere på 30-59 år med mere end grundskole",
            "More residents aged 30-59 with more than basic education",
        ),
        _ => ctx.t(
            "Udlejning: beboere der flytter ud og lige så mange ind",
            "Letting: residents moving out, and as many moving in",
        ),
    }
}

fn lever_short(id: &str, ctx: &Ctx) -> &'static str {
    match id {
        "more_in_work" => ctx.t("flere i arbejde", "more in work"),
        "fewer_convicted" => ctx.t("færre dømte", "fewer convicted"),
        "more_educated" => ctx.t("flere med uddannelse", "more educated"),
        _ => ctx.t("udlejning", "letting"),
    }
}

fn unit_of(dash: &Dash, rule_set: &str, id: &str) -> Option<Unit> {
    dash.rule_set(rule_set)
        .and_then(|rs| rs.criterion(id))
        .map(|c| c.unit)
}

fn outcome_words(o: &CriterionOutcome, ctx: &Ctx) -> String {
    let (class, words) = match o {
        CriterionOutcome::Met => ("met", ctx.t("opfyldt", "met")),
        CriterionOutcome::NotMet => ("not_met", ctx.t("ikke opfyldt", "not met")),
        CriterionOutcome::NotEvaluable { .. } => {
            ("not_evaluable", ctx.t("kan ikke vurderes", "not evaluable"))
        }
        CriterionOutcome::SwitchedOff => ("switched_off", ctx.t("slået fra", "switched off")),
    };
    format!("<span class=\"outcome-{class}\">{words}</span>")
}

fn badges(dash: &Dash, ctx: &Ctx, e: &AreaEvaluation) -> String {
    let on: Vec<String> = e
        .lists
        .iter()
        .filter(|l| l.outcome == ListOutcome::On)
        .map(|l| badge(dash, &l.id, ctx))
        .collect();
    if on.is_empty() {
        format!(
            "<span class=\"badge st-none\">{}</span>",
            ctx.t("Ingen liste", "No list")
        )
    } else {
        on.join(" ")
    }
}

fn num(ctx: &Ctx, d: Decimal, dp: u32) -> String {
    let mut d = d.round_dp(dp);
    d.rescale(dp);
    ctx.num(&d.to_string(), dp)
}

/// The area profile's what-if section: a GET form with one number of persons per lever, the
/// criteria and lists before and after, and the smallest change per list the area is on. The
/// year is the profile's. Reads [`AREA_PARAMS`] from `query`.
pub fn area_section(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    area: &str,
    year: i32,
    query: &HashMap<String, String>,
) -> Result<String, PageError> {
    let danish = ctx.comma();
    let mut b = format!(
        "<section id=\"whatif\" aria-labelledby=\"whatif-h\"><h2 id=\"whatif-h\">{}</h2>",
        ctx.t("Hvad nu hvis?", "What if?")
    );
    // Every figure of the area shown here goes through the disclosure policy.
    let (all, o, disclosed) = area_inputs(conn, dash, area, year)?;
    if disclosed.get("residents").shown().is_none() {
        let _ = write!(
            b,
            "<p class=\"notice\" id=\"whatif-suppressed\">{} {} {}</p></section>",
            ctx.t("Området har færre end", "The area has fewer than"),
            ctx.min_count,
            ctx.t(
                "beboere (eller intet antal); beregningerne vises ikke, da de ville afsløre små tal.",
                "residents (or no count); the calculations are not shown, as they would reveal small counts."
            )
        );
        return Ok(b);
    }
    let r = area_result(
        dash,
        &all,
        o,
        &AreaAsk {
            query,
            figures: &disclosed,
            without_origin: false,
            smallest: true,
            danish,
        },
    )?;
    let _ = write!(
        b,
        "<p>{}</p>",
        ctx.t(
            "Hvad sker der med kriterierne og listerne, hvis beboerne ændrer sig, og alt andet er uændret? Tallene er personer i den målte gruppe. En ændring antages at gælde i begge år af et 2-års gennemsnit, så andelen flytter sig med personer / gruppens størrelse × 100. Ved udlejning flytter beboere ud, der ligner områdets gennemsnit, og lige så mange flytter ind med den valgte profil. De tidligere års lister står, som loven beregnede dem.",
            "What happens to the criteria and the lists if the residents change and all else stays the same? The numbers are persons in the measured group. A change is taken to hold in both years of a 2-year average, so the share moves by persons / group size × 100. Under letting, residents like the area's average move out and as many move in with the chosen profile. The lists of earlier years stand as the law computed them."
        )
    );
    // The form.
    let _ = write!(
        b,
        "<form class=\"filters\" id=\"whatif-form\" method=\"get\" action=\"/areas/{}#whatif\"><input type=\"hidden\" name=\"year\" value=\"{year}\">{}",
        escape(area),
        if danish {
            ""
        } else {
            "<input type=\"hidden\" name=\"lang\" value=\"en\">"
        }
    );
    let given = |id: &str| {
        r.query
            .levers
            .iter()
            .find(|(l, _)| l.id() == id)
            .map_or(String::new(), |(_, n)| n.to_string())
    };
    for lever in Lever::PERSONS.iter().chain([&r.query.letting]) {
        let id = lever.id();
        let group = disclosed.get(lever.group());
        let of = match group.view() {
            View::Missing => String::new(),
            _ => format!(
                " <span class=\"muted\">({} {})</span>",
                ctx.t("af", "of"),
                ctx.figure(&group, 0)
            ),
        };
        let _ = write!(
            b,
            "<div><label for=\"wi-{id}\">{}{of}</label><input type=\"text\" inputmode=\"numeric\" pattern=\"[0-9]*\" size=\"6\" id=\"wi-{id}\" name=\"{id}\" value=\"{}\"{}></div>",
            lever_label(id, ctx),
            escape(&given(id)),
            if group.shown().is_none() {
                " disabled"
            } else {
                ""
            }
        );
    }
    let _ = write!(
        b,
        "<div><label for=\"wi-profile\">{}</label><select id=\"wi-profile\" name=\"profile\">",
        ctx.t(
            "Profil for dem der flytter ind",
            "Profile of those moving in"
        )
    );
    let profile = r.query.profile_param.trim();
    for (value, da, en) in [
        (
            "municipality",
            "Kommunens områder",
            "The municipality's areas",
        ),
        ("all", "Alle områder", "All areas"),
    ] {
        let _ = write!(
            b,
            "<option value=\"{value}\"{}>{}</option>",
            if profile == value || (value == "municipality" && profile.is_empty()) {
                " selected"
            } else {
                ""
            },
            ctx.t(da, en)
        );
    }
    if !matches!(profile, "" | "municipality" | "all") {
        let _ = write!(
            b,
            "<option value=\"{}\" selected>{}</option>",
            escape(profile),
            escape(profile)
        );
    }
    let _ = write!(
        b,
        "</select></div><div><button type=\"submit\">{}</button></div></form>",
        ctx.t("Beregn", "Calculate")
    );
    if let Lever::Letting { profile } = &r.query.letting {
        let _ = write!(
            b,
            "<p class=\"muted\" id=\"whatif-profile\">{} ({}): {}</p>",
            ctx.t("Profilen", "The profile"),
            escape(&profile.name),
            profile
                .values
                .iter()
                .map(|(k, v)| format!("{} {}", escape(k), num(ctx, *v, 2)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // Before and after.
    let w = &r.whatif;
    if !w.levers.is_empty() {
        let changes: Vec<String> = w
            .levers
            .iter()
            .map(|l| escape(&l.lever.describe(l.persons, danish)))
            .collect();
        let _ = write!(
            b,
            "<h3>{}</h3><p id=\"whatif-change\">{}</p>",
            ctx.t("Ændringen", "The change"),
            changes.join("; ")
        );
        let mut rows = Vec::new();
        for (before, after) in w.before.criteria.iter().zip(&w.after.criteria) {
            let unit = unit_of(dash, &before.rule_set, &before.id);
            let (value_before, value_after) = disclosed.whatif(
                dash.measure_of(&before.rule_set, &before.id).unwrap_or(""),
                before.value,
                after.value,
            );
            let figure = |v: &kvarter_view::Published<Decimal>| match (v.view(), unit) {
                (View::Missing, _) => ctx.t("mangler", "missing").to_string(),
                (View::Suppressed { .. }, _) => ctx.suppressed(),
                (View::Shown(v), Some(Unit::Persons)) => num(ctx, *v, 0),
                (View::Shown(v), Some(Unit::Percent)) => format!("{} %", num(ctx, *v, 2)),
                (View::Shown(v), _) => num(ctx, *v, 2),
            };
            // A threshold is the law's, not the area's.
            let value = |v: Option<Decimal>| match (v, unit) {
                (None, _) => "–".to_string(),
                (Some(v), Some(Unit::Persons)) => num(ctx, v, 0),
                (Some(v), Some(Unit::Percent)) => format!("{} %", num(ctx, v, 2)),
                (Some(v), _) => num(ctx, v, 2),
            };
            rows.push(vec![
                Td::html(format!(
                    "{} <span class=\"rule\">{}</span>",
                    escape(&dash.criterion_name(&before.rule_set, &before.id, ctx.lang)),
                    escape(&before.rule_set)
                )),
                Td::num(figure(&value_before), None),
                Td::html(format!(
                    "<span id=\"whatif-after-{}-{}\">{}</span>",
                    escape(&before.rule_set),
                    escape(&before.id),
                    figure(&value_after)
                )),
                Td::html(format!(
                    "{} {}",
                    escape(before.operator),
                    before.threshold.map_or("–".into(), |t| value(Some(t)))
                )),
                Td::html(outcome_words(&before.outcome, ctx)),
                Td::html(outcome_words(&after.outcome, ctx)),
            ]);
        }
        b.push_str(&table(
            "whatif-criteria",
            &format!(
                "{} {year}",
                ctx.t("Kriterier før og efter,", "Criteria before and after,")
            ),
            &[
                ctx.t("Kriterium", "Criterion").to_string(),
                ctx.t("Værdi før", "Value before").to_string(),
                ctx.t("Værdi efter", "Value after").to_string(),
                ctx.t("Grænse", "Threshold").to_string(),
                ctx.t("Udfald før", "Outcome before").to_string(),
                ctx.t("Udfald efter", "Outcome after").to_string(),
            ],
            &rows,
        ));
        let _ = write!(
            b,
            "<p id=\"whatif-lists\">{}: {} → {}: <span id=\"whatif-lists-after\">{}</span></p>",
            ctx.t("Lister før", "Lists before"),
            badges(dash, ctx, &w.before),
            ctx.t("efter", "after"),
            badges(dash, ctx, &w.after)
        );
    }
    // The smallest change per list.
    let _ = write!(
        b,
        "<h3>{}</h3>",
        ctx.t(
            "Mindste ændring, der tager området af hver liste",
            "The smallest change that takes the area off each list"
        )
    );
    let smallest = r.smallest.as_deref().unwrap_or_default();
    if smallest.is_empty() {
        let _ = write!(
            b,
            "<p id=\"whatif-smallest\">{} {year}.</p>",
            ctx.t(
                "Området er ikke på nogen liste i",
                "The area is on no list in"
            )
        );
    } else {
        let _ = write!(
            b,
            "<p>{}</p>",
            ctx.t(
                "Én løftestang ad gangen, alt andet uændret: det mindste antal personer, og hvilke lister området derefter er på.",
                "One lever at a time, all else unchanged: the smallest number of persons, and the lists the area is then on."
            )
        );
        let mut rows = Vec::new();
        for s in smallest {
            let lever = if s.lever == "letting" {
                &r.query.letting
            } else {
                Lever::PERSONS
                    .iter()
                    .find(|l| l.id() == s.lever)
                    .expect("a person lever")
            };
            let moved = lever_measures(lever);
            let shown = disclosed
                .persons_in(lever.group(), &moved, Some(Decimal::ONE))
                .shown()
                .is_some();
            let answer = match &s.result {
                _ if !shown => ctx.suppressed(),
                SmallestResult::Persons {
                    persons,
                    lists_after,
                    ..
                } => format!(
                    "<span data-persons=\"{persons}\">{} {}</span>; {}: {}",
                    ctx.num(&persons.to_string(), 0),
                    if *persons == 1 {
                        ctx.t("person", "person")
                    } else {
                        ctx.t("personer", "persons")
                    },
                    ctx.t("derefter på", "then on"),
                    if lists_after.is_empty() {
                        format!(
                            "<span class=\"badge st-none\">{}</span>",
                            ctx.t("Ingen liste", "No list")
                        )
                    } else {
                        lists_after
                            .iter()
                            .map(|l| badge(dash, l, ctx))
                            .collect::<Vec<_>>()
                            .join(" ")
                    }
                ),
                SmallestResult::NotPossible { .. } => format!(
                    "{} ({} {} {})",
                    ctx.t(
                        "ikke muligt med denne løftestang alene",
                        "not possible by this lever alone"
                    ),
                    ctx.t("alle", "all"),
                    ctx.figure(&disclosed.get(lever.group()), 0),
                    ctx.t("prøvet", "tried")
                ),
                SmallestResult::Unavailable { column } => format!(
                    "{} ({} {})",
                    ctx.t("kan ikke prøves", "cannot be tried"),
                    escape(column),
                    ctx.t("mangler", "is missing")
                ),
            };
            rows.push(vec![
                Td::html(badge(dash, &s.list, ctx)),
                Td::text(lever_short(&s.lever, ctx)),
                Td::html(format!(
                    "<span id=\"smallest-{}-{}\">{answer}</span>",
                    escape(&s.list),
                    escape(&s.lever)
                )),
            ]);
        }
        b.push_str(&table(
            "whatif-smallest",
            &format!("{} {year}", ctx.t("Mindste ændring,", "Smallest change,")),
            &[
                ctx.t("Liste", "List").to_string(),
                ctx.t("Løftestang", "Lever").to_string(),
                ctx.t("Mindste ændring", "Smallest change").to_string(),
            ],
            &rows,
        ));
    }
    let _ = write!(
        b,
        "<p><a href=\"{}\">{}</a></p></section>",
        escape(&ctx.href(&format!("/whatif?year={year}"))),
        ctx.t(
            "Hvad nu hvis reglerne ændres? Se hvilke områder der skifter liste.",
            "What if the rules changed? See which areas change list."
        )
    );
    Ok(b)
}

/// The measures a lever moves: its own, or every measure for the letting mix.
fn lever_measures(lever: &Lever) -> Vec<&'static str> {
    match lever.measure() {
        Some(m) => vec![m],
        None => crate::dash::MEASURES.iter().map(|(m, _)| *m).collect(),
    }
}

fn outcome_id(o: &CriterionOutcome) -> &'static str {
    match o {
        CriterionOutcome::Met => "met",
        CriterionOutcome::NotMet => "not_met",
        CriterionOutcome::NotEvaluable { .. } => "not_evaluable",
        CriterionOutcome::SwitchedOff => "switched_off",
    }
}

fn api_error(e: PageError) -> (u16, String) {
    (e.status, e.message)
}

/// `/api/areas/{id}/whatif`: the resident what-if of one area and year as JSON, with the
/// smallest change per list and lever unless `smallest=false`. Reads [`API_AREA_PARAMS`]
/// (`year` is given by the caller: the query's, or the latest). Group sizes and numbers of
/// persons of a group under `min_count` are `{"suppressed": true, "min_count": N}`, and a lever
/// on such a group is refused (400), since the share after it would reveal the group's size.
/// An area with fewer residents than `min_count` is refused with 403. Errors are
/// `(status, detail)` for a problem document.
pub fn api_area(
    conn: &Connection,
    dash: &Dash,
    area: &str,
    year: i32,
    query: &HashMap<String, String>,
    min_count: u64,
) -> Result<Value, (u16, String)> {
    if let Some(k) = query
        .keys()
        .find(|k| !API_AREA_PARAMS.contains(&k.as_str()))
    {
        return Err((
            400,
            format!(
                "unknown query parameter '{k}'; expected {}",
                API_AREA_PARAMS.join(", ")
            ),
        ));
    }
    let without_origin = parse_bool(query, "without_origin").map_err(api_error)?;
    let smallest = match query.get("smallest") {
        None => true,
        Some(_) => parse_bool(query, "smallest").map_err(api_error)?,
    };
    // Every figure of the area served here goes through the disclosure policy.
    let (all, o, disclosed) = area_inputs(conn, dash, area, year).map_err(api_error)?;
    if disclosed.get("residents").shown().is_none() {
        return Err((
            403,
            format!(
                "area '{area}' has fewer than {min_count} residents in {year} (or no count); its what-if would reveal small counts"
            ),
        ));
    }
    let r = area_result(
        dash,
        &all,
        o,
        &AreaAsk {
            query,
            figures: &disclosed,
            without_origin,
            smallest,
            danish: false,
        },
    )
    .map_err(api_error)?;
    // A group size as a whole number, or the mark.
    let group_of = |l: &Lever| -> Value {
        json!(
            disclosed
                .get(l.group())
                .map(|g| u64::try_from(g.trunc()).unwrap_or(0))
        )
    };
    let group_hidden = |l: &Lever| disclosed.get(l.group()).shown().is_none();
    let w = &r.whatif;
    let criteria: Vec<Value> = w
        .before
        .criteria
        .iter()
        .zip(&w.after.criteria)
        .map(|(b, a)| {
            let column = dash.measure_of(&b.rule_set, &b.id).unwrap_or("");
            let (before, after) = disclosed.whatif(column, b.value, a.value);
            let group = match kvarter_view::area::group_of(column) {
                Some(g) => json!(
                    disclosed
                        .get(g)
                        .map(|g| u64::try_from(g.trunc()).unwrap_or(0))
                ),
                None => Value::Null,
            };
            json!({
                "rule_set": b.rule_set,
                "id": b.id,
                "operator": b.operator,
                "threshold": b.threshold.map(|t| t.to_string()),
                "value_before": before,
                "value_after": after,
                "outcome_before": outcome_id(&b.outcome),
                "outcome_after": outcome_id(&a.outcome),
                "group_size": if b.group_size.is_some() { group } else { Value::Null },
            })
        })
        .collect();
    let on = |e: &AreaEvaluation| -> Vec<Value> {
        e.on()
            .map(|l| json!({"rule_set": l.rule_set, "list": l.id}))
            .collect()
    };
    let levers: Vec<Value> = w
        .levers
        .iter()
        .map(|l| {
            json!({
                "lever": l.lever.id(),
                "persons": if group_hidden(&l.lever) { json!({"suppressed": true, "min_count": min_count}) } else { json!(l.persons) },
                "group": group_of(&l.lever),
            })
        })
        .collect();
    let profile = match &r.query.letting {
        Lever::Letting { profile } => json!({
            "name": profile.name,
            "values": profile.values.iter().map(|(k, v)| (k.clone(), json!(v.to_string()))).collect::<serde_json::Map<_, _>>(),
        }),
        _ => Value::Null,
    };
    let smallest: Option<Vec<Value>> = r.smallest.as_ref().map(|s| {
        s.iter()
            .map(|s| {
                let lever = if s.lever == "letting" {
                    r.query.letting.clone()
                } else {
                    Lever::PERSONS
                        .iter()
                        .find(|l| l.id() == s.lever)
                        .cloned()
                        .expect("a person lever")
                };
                let hide = disclosed
                    .persons_in(lever.group(), &lever_measures(&lever), Some(Decimal::ONE))
                    .shown()
                    .is_none();
                let mut v = json!({
                    "rule_set": s.rule_set,
                    "list": s.list,
                    "lever": s.lever,
                    "group": group_of(&lever),
                });
                match &s.result {
                    SmallestResult::Persons {
                        persons,
                        lists_after,
                        ..
                    } => {
                        v["result"] = json!("persons");
                        v["persons"] = if hide {
                            json!({"suppressed": true, "min_count": min_count})
                        } else {
                            json!(persons)
                        };
                        v["lists_after"] = json!(lists_after);
                    }
                    SmallestResult::NotPossible { .. } => {
                        v["result"] = json!("not_possible");
                    }
                    SmallestResult::Unavailable { column } => {
                        v["result"] = json!("unavailable");
                        v["missing"] = json!(column);
                    }
                }
                v
            })
            .collect()
    });
    Ok(json!({
        "area_id": area,
        "list_year": year,
        "without_origin": without_origin,
        "levers": levers,
        "letting_profile": profile,
        "criteria": criteria,
        "lists_before": on(&w.before),
        "lists_after": on(&w.after),
        "smallest": smallest,
        "notes": [
            "A change of N persons in a group of G moves the group's share by N / G × 100 points, in every year of a 2-year average.",
            "Letting: M residents like the area's average move out and M move in with the profile; every measure moves by (profile − value) × M / residents.",
            "The lists of earlier years stand as the law computed them."
        ],
    }))
}

// ---------------------------------------------------------------------------------------------
// Rule what-if: the /whatif page and its API.

/// A number from a form field: a decimal point or a decimal comma, no thousands separators.
fn form_decimal(name: &str, v: &str) -> Result<Decimal, PageError> {
    let t = v.trim().replace(',', ".");
    Decimal::from_str(&t)
        .ok()
        .filter(|_| !t.contains(['e', 'E']))
        .filter(|d| !d.is_sign_negative() || d.is_zero())
        .ok_or_else(|| {
            bad(format!(
                "{name}={v}: expected a number of 0 or more, e.g. 35 or 2,5"
            ))
        })
}

/// The overlay a query asks for: `set`, the form's fields (values equal to the law's figure
/// and empty fields change nothing), and `without_origin`.
fn overlay_of(
    query: &HashMap<String, String>,
    in_force: &[&RuleSet],
    allowed: &[&str],
    form: bool,
) -> Result<Overlay, PageError> {
    let mut o = match query.get("set") {
        Some(s) => Overlay::parse([s.as_str()]).map_err(|e| bad(format!("set: {e}")))?,
        None => Overlay::default(),
    };
    o.without_origin |= parse_bool(query, "without_origin")?;
    let rs_ids: Vec<&str> = in_force.iter().map(|r| r.id.as_str()).collect();
    let mut keys: Vec<&String> = query.keys().collect();
    keys.sort();
    for key in keys {
        let v = &query[key];
        let field = if form {
            key.strip_prefix("threshold.")
                .map(|f| (true, f))
                .or_else(|| key.strip_prefix("k.").map(|f| (false, f)))
        } else {
            None
        };
        let Some((is_threshold, field)) = field else {
            if !allowed.contains(&key.as_str()) {
                return Err(bad(format!(
                    "unknown query parameter '{key}'; expected {}{}",
                    allowed.join(", "),
                    if form {
                        ", threshold.RULESET/CRITERION or k.RULESET/LIST"
                    } else {
                        ""
                    }
                )));
            }
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        let Some((rs_id, id)) = field.split_once('/') else {
            return Err(bad(format!(
                "{key}: expected {}.RULESET/{} (e.g. {}.dk-2021/{})",
                if is_threshold { "threshold" } else { "k" },
                if is_threshold { "CRITERION" } else { "LIST" },
                if is_threshold { "threshold" } else { "k" },
                if is_threshold {
                    "outside_labour"
                } else {
                    "udsat_boligomraade"
                }
            )));
        };
        let Some(rs) = in_force.iter().find(|r| r.id == rs_id) else {
            return Err(bad(format!(
                "{key}: rule set '{rs_id}' is not in force for the year; expected one of: {}",
                rs_ids.join(", ")
            )));
        };
        if is_threshold {
            let Some(c) = rs.criterion(id) else {
                return Err(bad(format!(
                    "{key}: '{id}' is not a criterion of {rs_id}; expected one of: {}",
                    rs.all_criteria()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            let value = form_decimal(key, v)?;
            if value == whatif::figure(&c.threshold) {
                continue;
            }
            o.thresholds.push(ThresholdChange {
                rule_set: Some(rs_id.to_string()),
                criterion: id.to_string(),
                value,
            });
        } else {
            let Some(l) = rs.list(id) else {
                return Err(bad(format!(
                    "{key}: '{id}' is not a list of {rs_id}; expected one of: {}",
                    whatif::known_lists(&[rs], true).join(", ")
                )));
            };
            let k = v
                .trim()
                .parse::<usize>()
                .map_err(|_| bad(format!("{key}={v}: expected a whole number, e.g. 3")))?;
            if whatif::k_of(&l.condition).is_some_and(|(old, _)| old == k) {
                continue;
            }
            o.k_of.push(whatif::KChange {
                rule_set: Some(rs_id.to_string()),
                list: id.to_string(),
                k,
            });
        }
    }
    Ok(o)
}

fn rules_result(
    conn: &Connection,
    dash: &Dash,
    year: i32,
    overlay: &Overlay,
) -> Result<RulesWhatIf, PageError> {
    let obs = observations(conn, None)?;
    whatif::rules_whatif(
        &dash.catalog,
        &obs,
        &dash.history,
        &options(dash, false),
        year,
        overlay,
    )
    .map_err(page_error)
}

fn in_force(dash: &Dash, year: i32) -> Result<Vec<&RuleSet>, PageError> {
    whatif::in_force(&dash.catalog, &options(dash, false), year).map_err(page_error)
}

fn threshold_unit(c: &kvarter_rules::Criterion, ctx: &Ctx) -> String {
    match (&c.threshold, c.unit) {
        (Threshold::FactorOf { reference, .. }, _) => {
            format!("× {}", escape(reference))
        }
        (Threshold::Per { per, .. }, _) => format!(
            "{} {}",
            ctx.t("pr.", "per"),
            ctx.num(&per.normalize().to_string(), 0)
        ),
        (_, Unit::Percent) => "%".into(),
        (_, Unit::PercentOfReference) => ctx
            .t("% af regionens gennemsnit", "% of the regional mean")
            .into(),
        (_, Unit::Persons) => ctx.t("beboere", "residents").into(),
    }
}

/// The `/whatif` page: a year picker; a form with a threshold per criterion of the rule sets
/// in force (prefilled with the law's figures, or the what-if's), a `k` per `k of [..]` list
/// and the origin switch; the changes as the law would read, and per list the areas entering
/// and leaving, linked to their profiles. Reads [`rules_page_params`] from `query`.
pub fn rules_page(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    query: &HashMap<String, String>,
) -> Result<(String, String), PageError> {
    let title = ctx.t(
        "Hvad nu hvis reglerne ændres?",
        "What if the rules changed?",
    );
    let year = parse_year(query, dash)?;
    let sets = in_force(dash, year)?;
    let overlay = overlay_of(
        query,
        &sets,
        &["year", "lang", "set", "without_origin"],
        true,
    )?;
    let mut b = String::new();
    let _ = write!(
        b,
        "<p>{}</p>",
        ctx.t(
            "Ændr lovens tal for listen i et år og se, hvilke områder der kommer på eller forlader hver liste. Kun tallene ændres: »overstiger« (>) og »mindst« (≥) står, som loven skriver dem. De tidligere års lister står, som loven beregnede dem, så en række af år tæller årene, som de var.",
            "Change the law's figures for the list of one year and see which areas enter or leave each list. Only the figures change: “exceeds” (>) and “at least” (≥) stay as the law writes them. The lists of earlier years stand as the law computed them, so a run of years counts the years as they were."
        )
    );
    b.push_str(&year_form(ctx, "/whatif", &dash.years, year, ""));
    let resolved = overlay.resolve(&sets).map_err(page_error)?;
    // The form, prefilled.
    let _ = write!(
        b,
        "<form id=\"whatif-rules\" method=\"get\" action=\"/whatif\"><input type=\"hidden\" name=\"year\" value=\"{year}\">{}",
        if ctx.comma() {
            ""
        } else {
            "<input type=\"hidden\" name=\"lang\" value=\"en\">"
        }
    );
    for rs in &sets {
        let _ = write!(
            b,
            "<fieldset><legend>{} <span class=\"rule\">{}</span></legend><div class=\"table-wrap\"><table class=\"data\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            escape(ctx.t(&rs.title, &rs.title_en)),
            escape(&rs.id),
            ctx.t("Kriterium", "Criterion"),
            ctx.t("Paragraf", "Paragraph"),
            ctx.t("Loven", "The law"),
            ctx.t("Hvad nu hvis", "What if")
        );
        for c in rs.all_criteria() {
            let field = threshold_field(rs, &c.id);
            let law = whatif::figure(&c.threshold).normalize();
            let current = resolved
                .thresholds
                .iter()
                .find(|t| t.rule_set.as_deref() == Some(rs.id.as_str()) && t.criterion == c.id)
                .map_or(law, |t| t.value.normalize());
            let shown = if ctx.comma() {
                current.to_string().replace('.', ",")
            } else {
                current.to_string()
            };
            let _ = write!(
                b,
                "<tr{}><td><label for=\"{f}\">{}</label>{}</td><td>{}</td><td>{} {} {}</td><td>{} <input type=\"text\" inputmode=\"decimal\" size=\"6\" id=\"{f}\" name=\"{f}\" value=\"{}\"> {}</td></tr>",
                if current != law {
                    " class=\"override\""
                } else {
                    ""
                },
                escape(ctx.t(&c.name, &c.name_en)),
                if c.origin {
                    format!(
                        " <span class=\"muted\">({})</span>",
                        ctx.t("oprindelse", "origin")
                    )
                } else {
                    String::new()
                },
                escape(&c.paragraph),
                escape(c.operator.symbol()),
                ctx.num(&law.to_string(), 4),
                threshold_unit(c, ctx),
                escape(c.operator.symbol()),
                escape(&shown),
                threshold_unit(c, ctx),
                f = escape(&field),
            );
        }
        for l in &rs.lists {
            let Some((k, n)) = whatif::k_of(&l.condition) else {
                continue;
            };
            let field = k_field(rs, &l.id);
            let current = resolved
                .k_of
                .iter()
                .find(|x| x.rule_set.as_deref() == Some(rs.id.as_str()) && x.list == l.id)
                .map_or(k, |x| x.k);
            let _ = write!(
                b,
                "<tr{}><td><label for=\"{f}\">{}</label></td><td>{}</td><td>{} {k} {} {n}</td><td>{} <input type=\"text\" inputmode=\"numeric\" size=\"3\" id=\"{f}\" name=\"{f}\" value=\"{current}\"> {} {n}</td></tr>",
                if current != k {
                    " class=\"override\""
                } else {
                    ""
                },
                escape(&dash.list_name(&l.id, ctx.lang)),
                escape(&l.paragraph),
                ctx.t("mindst", "at least"),
                ctx.t("af", "of"),
                ctx.t("mindst", "at least"),
                ctx.t("af", "of"),
                f = escape(&field),
            );
        }
        b.push_str("</tbody></table></div></fieldset>");
    }
    let _ = write!(
        b,
        "<p><input type=\"checkbox\" id=\"wi-without-origin\" name=\"without_origin\" value=\"true\"{}> <label for=\"wi-without-origin\">{}</label></p><p><button type=\"submit\">{}</button> <a href=\"{}\">{}</a></p></form>",
        if overlay.without_origin {
            " checked"
        } else {
            ""
        },
        ctx.t(
            "Uden kriterierne om ikke-vestlig oprindelse",
            "Without the criteria of non-Western origin"
        ),
        ctx.t("Beregn", "Calculate"),
        escape(&ctx.href(&format!("/whatif?year={year}"))),
        ctx.t("Lovens tal", "The law's figures")
    );
    // The result.
    if overlay.is_empty() {
        let _ = write!(
            b,
            "<p id=\"whatif-result\">{}</p>",
            ctx.t(
                "Ingen ændring valgt: listerne er lovens.",
                "No change chosen: the lists are the law's."
            )
        );
        return Ok((title.to_string(), b));
    }
    let r = rules_result(conn, dash, year, &overlay)?;
    let _ = write!(
        b,
        "<section id=\"whatif-result\" aria-labelledby=\"whatif-result-h\"><h2 id=\"whatif-result-h\">{} {year}</h2><ul id=\"whatif-changes\">",
        ctx.t("Hvad nu hvis — listen", "What if — the list of")
    );
    for c in &r.changes {
        let _ = write!(
            b,
            "<li>{}</li>",
            escape(&kvarter_report::whatif::change(c, ctx.lang))
        );
    }
    b.push_str("</ul>");
    let (entering, leaving): (usize, usize) = r.lists.iter().fold((0, 0), |(e, l), c| {
        (e + c.entering.len(), l + c.leaving.len())
    });
    let _ = write!(
        b,
        "<p id=\"whatif-total\">{}: <strong>{entering}</strong> {}, <strong>{leaving}</strong> {}.</p>",
        ctx.t("I alt", "In all"),
        ctx.t("kommer på en liste", "entering a list"),
        ctx.t("forlader en liste", "leaving a list")
    );
    for l in &r.lists {
        b.push_str(&list_block(dash, ctx, year, l));
    }
    b.push_str("</section>");
    Ok((title.to_string(), b))
}

fn list_block(dash: &Dash, ctx: &Ctx, year: i32, l: &ListChange) -> String {
    let mut b = format!(
        "<h3 id=\"whatif-{}\">{} <span class=\"rule\">{}</span></h3>",
        escape(&l.list),
        badge(dash, &l.list, ctx),
        escape(&l.rule_set)
    );
    if !l.defined_after || !l.defined_before {
        let _ = write!(
            b,
            "<p class=\"notice\">{} ({} {})</p>",
            if l.defined_before {
                ctx.t(
                    "Ikke defineret uden oprindelseskriterierne.",
                    "Not defined without the origin criteria.",
                )
            } else {
                ctx.t("Ikke defineret efter loven.", "Not defined under the law.")
            },
            l.on_before,
            ctx.t("områder efter loven", "areas under the law")
        );
        return b;
    }
    let _ = write!(
        b,
        "<p><span data-list=\"{}\" class=\"count\">{} → {}</span> ({} {}, {} {})</p>",
        escape(&l.list),
        l.on_before,
        l.on_after,
        l.entering.len(),
        ctx.t("kommer på", "entering"),
        l.leaving.len(),
        ctx.t("forlader", "leaving")
    );
    let mut rows = Vec::new();
    for (sign, areas, da, en) in [
        ("+", &l.entering, "kommer på", "enters"),
        ("−", &l.leaving, "forlader", "leaves"),
    ] {
        for a in areas {
            rows.push(vec![
                Td::html(format!(
                    "<span aria-hidden=\"true\">{sign}</span> {}",
                    ctx.t(da, en)
                )),
                Td::html(format!(
                    "<a href=\"{}\">{}</a>",
                    escape(&ctx.href(&format!("/areas/{}?year={year}", a.area_id))),
                    escape(&a.area_name)
                )),
                Td::text(&a.area_id),
                Td::text(&a.municipality),
            ]);
        }
    }
    if !rows.is_empty() {
        b.push_str(&table(
            &format!("whatif-table-{}", l.list),
            &format!("{} {year}", dash.list_name(&l.list, ctx.lang),),
            &[
                ctx.t("Ændring", "Change").to_string(),
                ctx.t("Område", "Area").to_string(),
                "Id".to_string(),
                ctx.t("Kommune", "Municipality").to_string(),
            ],
            &rows,
        ));
    }
    b
}

/// `/api/whatif?year=&set=&without_origin=`: the rule what-if of a list year as JSON: the year,
/// the rule sets in force, the overlay (every part bound to its rule set), the changes as the
/// law would read them (`da`, `en`), and per list `on_before`, `on_after`, `entering` and
/// `leaving` (areas with id, name and municipality). `year` defaults to the latest.
pub fn api_rules(
    conn: &Connection,
    dash: &Dash,
    query: &HashMap<String, String>,
) -> Result<Value, (u16, String)> {
    let year = parse_year(query, dash).map_err(api_error)?;
    let sets = in_force(dash, year).map_err(api_error)?;
    let overlay = overlay_of(query, &sets, API_RULES_PARAMS, false).map_err(api_error)?;
    let r = rules_result(conn, dash, year, &overlay).map_err(api_error)?;
    let mut v = serde_json::to_value(&r).map_err(|e| (500, e.to_string()))?;
    v["changes"] = json!(kvarter_report::whatif::worded(&r.changes));
    v["set"] = json!(r.overlay.to_text());
    Ok(v)
}
