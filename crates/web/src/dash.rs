//! The dashboard: server-rendered HTML pages over the store, in Danish (default) or English
//! (`?lang=en`). Maps and charts are SVG drawn here ([`crate::svg`]); `/static/app.js` only adds
//! zoom, pan, tooltips, sorting and filters, and every page works without it.
//!
//! What the store does not hold as rows, this module derives once at start-up from what it does
//! hold: the catalog (from the stored rule files' text), the history, the rule-set overrides of
//! the load (from its manifest), the areas' parsed geometry, and the average of every measure per
//! municipality and over all areas per list year (weighted by the measured population).

use crate::svg::{self, escape};
use kvarter_report::Lang;
use kvarter_rules::{Catalog, Decimal, History, Observation, RuleSet};
use kvarter_view::{
    DisclosedYear, Policy, Pool, Published, PublishedCriterion, RawCriterion, View,
};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::str::FromStr;

/// What the dashboard derives from the store once, at start-up.
pub struct Dash {
    /// The rule sets, parsed from the stored rule files.
    pub catalog: Catalog,
    /// The published memberships before the data starts.
    pub history: History,
    /// The `--rules` overrides of the load.
    pub overrides: Vec<String>,
    /// Every list year with values, ascending.
    pub years: Vec<i32>,
    /// Area id → (name, municipality, parsed geometry).
    pub areas: BTreeMap<String, AreaInfo>,
    /// (municipality or `""` for all, list year, value column) → weighted mean.
    pub averages: BTreeMap<(String, i32, String), f64>,
    /// The disclosure policy the dashboard serves under (its `--min-count`).
    pub policy: Policy,
    /// The letting what-if's profiles per (municipality, list year), and over all areas (`""`):
    /// the mean of the published figures of the areas (figures the policy suppresses are left
    /// out, so a profile cannot give one back).
    pub profiles: BTreeMap<(String, i32), BTreeMap<String, Decimal>>,
    /// The publishable units of the latest screening (with the origin criterion), if any.
    pub screening: Option<ScreeningUnits>,
    /// The coast, municipal and district outlines and names drawn under every map (empty when
    /// the store has no boundaries).
    pub underlay: svg::Underlay,
}

/// The publishable units of one stored screening, for the area profiles.
pub struct ScreeningUnits {
    /// The spec.
    pub spec: String,
    /// The screening year.
    pub year: i32,
    /// The units: id, centre (EPSG:25832), qualifies, designated area.
    pub units: Vec<ScreenUnit>,
}

/// One publishable screening unit.
pub struct ScreenUnit {
    /// Id.
    pub id: String,
    /// The centre of its outline (mean of the outer ring's corners).
    pub centre: (f64, f64),
    /// Whether it meets the qualification rule itself.
    pub qualifies: bool,
    /// The designated area it belongs to, if designated.
    pub area: Option<String>,
}

/// Whether a point lies inside a GeoJSON Polygon or MultiPolygon (even-odd rule, so holes
/// count as outside).
pub fn contains(geometry: &Value, (x, y): (f64, f64)) -> bool {
    let polygons: Vec<&Value> = match geometry["type"].as_str() {
        Some("Polygon") => vec![&geometry["coordinates"]],
        Some("MultiPolygon") => geometry["coordinates"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        _ => return false,
    };
    let mut inside = false;
    for rings in polygons {
        for ring in rings.as_array().into_iter().flatten() {
            let pts: Vec<(f64, f64)> = ring
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                .collect();
            for i in 0..pts.len() {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                if (a.1 > y) != (b.1 > y) && x < (b.0 - a.0) * (y - a.1) / (b.1 - a.1) + a.0 {
                    inside = !inside;
                }
            }
        }
    }
    inside
}

fn screening_units(conn: &Connection) -> Result<Option<ScreeningUnits>, String> {
    let err = |e: rusqlite::Error| format!("reading the store: {e}");
    // The latest screening with the origin criterion (the first spec of that year).
    let Some(key) = kvarter_store::screening::list(conn)
        .map_err(err)?
        .into_iter()
        .filter(|k| !k.without_origin)
        .min_by(|a, b| b.year.cmp(&a.year).then_with(|| a.spec.cmp(&b.spec)))
    else {
        return Ok(None);
    };
    let Some(run) = kvarter_store::screening::read_with(
        conn,
        &key.spec,
        key.year,
        false,
        kvarter_store::screening::UnitCriteria::ForDisclosureOnly,
    )
    .map_err(err)?
    else {
        return Ok(None);
    };
    let units = run
        .units
        .iter()
        .filter_map(|u| {
            let g: Value = serde_json::from_str(u.geometry.as_deref()?).ok()?;
            let ring = g["coordinates"][0].as_array()?;
            let pts: Vec<(f64, f64)> = ring
                .iter()
                .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                .collect();
            // The ring is closed: leave out the repeated first corner.
            let n = pts.len().saturating_sub(1).max(1);
            let (sx, sy) = pts[..n]
                .iter()
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
            Some(ScreenUnit {
                id: u.id.clone(),
                centre: (sx / n as f64, sy / n as f64),
                qualifies: u.qualifies,
                area: u.component.clone().filter(|_| u.designated),
            })
        })
        .collect();
    Ok(Some(ScreeningUnits {
        spec: key.spec,
        year: key.year,
        units,
    }))
}

/// An area as the dashboard shows it.
pub struct AreaInfo {
    /// Name.
    pub name: String,
    /// Municipality.
    pub municipality: String,
    /// The GeoJSON geometry, parsed (EPSG:25832).
    pub geometry: Option<Value>,
}

/// The value column and the column of the population it is measured on.
pub use kvarter_view::download::MEASURES;

/// The order in which lists colour the map: the most consequential first.
pub const SEVERITY: &[&str] = &[
    "omdannelsesomraade",
    "haardt_ghettoomraade",
    "parallelsamfund",
    "ghettoomraade",
    "udsat_boligomraade",
    "forebyggelsesomraade",
];

/// The stored boundaries, parsed once for every map; a feature the store holds that does not
/// parse (it was checked on load) is left out.
fn underlay(conn: &Connection) -> Result<svg::Underlay, String> {
    let rows = kvarter_store::boundaries::read(conn)
        .map_err(|e| format!("reading the store's boundaries: {e}"))?;
    let mut u = svg::Underlay::default();
    for r in rows {
        let (Some(layer), Ok(g)) = (
            svg::Layer::parse(&r.layer),
            serde_json::from_str::<Value>(&r.geometry),
        ) else {
            continue;
        };
        u.add(layer, &r.code, &r.name, &g);
    }
    u.finish();
    Ok(u)
}

impl Dash {
    /// The underlay for the maps, or `None` when there are no boundaries.
    pub fn underlay(&self) -> Option<&svg::Underlay> {
        (!self.underlay.is_empty()).then_some(&self.underlay)
    }

    /// Reads what the dashboard needs from the store; the averages it derives go through the
    /// disclosure `policy`.
    pub fn read(conn: &Connection, policy: &Policy) -> Result<Dash, String> {
        let e = |e: rusqlite::Error| format!("reading the store: {e}");
        let kvarter_store::dashboard::StoredLaw {
            catalog,
            history,
            overrides,
        } = kvarter_store::dashboard::stored_law(conn)?;
        let years = kvarter_store::dashboard::list_years(conn).map_err(e)?;
        let mut areas = BTreeMap::new();
        for a in kvarter_store::dashboard::areas(conn).map_err(e)? {
            let geometry = a.geometry.and_then(|g| serde_json::from_str(&g).ok());
            areas.insert(
                a.id,
                AreaInfo {
                    name: a.name,
                    municipality: a.municipality,
                    geometry,
                },
            );
        }
        // The weighted average of each measure per municipality and over all areas, pooled
        // through the disclosure policy: a pool that could give away a suppressed area is left
        // out.
        let mut pools: BTreeMap<(String, i32, String), Pool> = BTreeMap::new();
        let all = observations(conn, None)?;
        let mut published: BTreeMap<(String, i32), Vec<Observation>> = BTreeMap::new();
        for o in &all {
            let figures = policy.area_year(|c| o.values.get(c).copied());
            let shown = Observation {
                values: o
                    .values
                    .keys()
                    .filter_map(|c| Some((c.clone(), *figures.get(c).shown()?)))
                    .collect(),
                ..o.clone()
            };
            for key in [o.municipality.clone(), String::new()] {
                published
                    .entry((key, o.list_year))
                    .or_default()
                    .push(shown.clone());
            }
        }
        let profiles = published
            .into_iter()
            .map(|(k, obs)| (k, kvarter_whatif::Profile::mean_of("", &obs).values))
            .collect();
        for o in all {
            let figures = policy.area_year(|c| o.values.get(c).copied());
            for (col, g) in MEASURES {
                if let (Some(&x), Some(&w)) = (o.values.get(*col), o.values.get(*g)) {
                    let shown = figures.get(col).shown().is_some();
                    for key in [o.municipality.clone(), String::new()] {
                        pools
                            .entry((key, o.list_year, col.to_string()))
                            .or_default()
                            .add(x, w, shown);
                    }
                }
            }
        }
        let averages = pools
            .into_iter()
            .filter_map(|(k, p)| {
                let v = p
                    .publish(policy, &k.2)
                    .shown()?
                    .to_string()
                    .parse::<f64>()
                    .ok()?;
                Some((k, v))
            })
            .collect();
        Ok(Dash {
            catalog,
            history,
            overrides,
            years,
            areas,
            averages,
            policy: *policy,
            profiles,
            screening: screening_units(conn)?,
            underlay: underlay(conn)?,
        })
    }

    /// The latest list year with values.
    pub fn latest(&self) -> Option<i32> {
        self.years.last().copied()
    }

    /// The Danish or English name of a list.
    pub fn list_name(&self, list: &str, lang: Lang) -> String {
        kvarter_view::download::list_name(&self.catalog, list, lang)
    }

    /// The name of a criterion in the language, from the rule set that defines it.
    pub fn criterion_name(&self, rule_set: &str, id: &str, lang: Lang) -> String {
        self.catalog
            .get(rule_set)
            .and_then(|rs| rs.all_criteria().find(|c| c.id == id))
            .map(|c| lang.t(&c.name, &c.name_en).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    /// The rule set of a list year, by id.
    pub fn rule_set(&self, id: &str) -> Option<&RuleSet> {
        self.catalog.get(id)
    }
}

impl Dash {
    /// The explanation in plain language of one area and year: the text of `kvarter explain`,
    /// with every figure as the disclosure policy lets it be published (see
    /// `docs/DISCLOSURE.md`); an area with fewer residents than the minimum gets no explanation
    /// but a notice.
    pub fn explanation(
        &self,
        conn: &Connection,
        id: &str,
        year: Option<i32>,
        lang: Lang,
        without_origin: bool,
        min_count: u64,
    ) -> Result<Result<String, String>, String> {
        let observations = observations(conn, Some(id))?;
        self.explanation_of(&observations, id, year, lang, without_origin, min_count)
    }

    /// [`Dash::explanation`] from the area's observations, already read.
    pub fn explanation_of(
        &self,
        observations: &[Observation],
        id: &str,
        year: Option<i32>,
        lang: Lang,
        without_origin: bool,
        min_count: u64,
    ) -> Result<Result<String, String>, String> {
        // The law is evaluated, and every figure judged, outside this crate.
        kvarter_report::explain::published_explanation(
            &self.catalog,
            &self.history,
            &self.overrides,
            observations,
            id,
            year,
            lang,
            without_origin,
            &Policy::new(min_count),
        )
    }

    /// The column a criterion measures, from its rule set ([`kvarter_view::area::measure_of`]).
    pub fn measure_of(&self, rule_set: &str, id: &str) -> Option<&str> {
        Some(kvarter_view::area::measure_of(&self.catalog, rule_set, id)).filter(|m| !m.is_empty())
    }

    /// A criterion's figures in a year as they may be published: from the area-year's figures
    /// after the policy ([`disclose`]); a criterion of a year or a measure the policy does not
    /// know shows nothing.
    pub fn figures(
        &self,
        policy: &Policy,
        years: &BTreeMap<i32, DisclosedYear>,
        year: i32,
        rule_set: &str,
        id: &str,
        raw: RawCriterion,
    ) -> PublishedCriterion {
        kvarter_view::area::criterion_figures(
            policy,
            &self.catalog,
            years,
            year,
            (rule_set, id),
            &raw,
        )
    }
}

pub use kvarter_view::area::disclose;

/// A criterion result's stored figures, as text from the store.
pub fn raw_stored(
    value: Option<&str>,
    difference: Option<&str>,
    group_size: Option<&str>,
    persons: Option<&str>,
) -> RawCriterion {
    let d = |t: Option<&str>| t.and_then(|t| Decimal::from_str(t).ok());
    RawCriterion {
        value: d(value),
        difference: d(difference),
        group_size: d(group_size),
        persons: d(persons),
    }
}

/// The stored area-years as the engine's observations (of one area, or all).
pub fn observations(conn: &Connection, area: Option<&str>) -> Result<Vec<Observation>, String> {
    kvarter_store::dashboard::observations(conn, area)
        .map_err(|e| format!("reading the store: {e}"))
}

// ---------------------------------------------------------------------------------------------
// The page frame.

/// The section of the site a page belongs to, for the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// The overview.
    Overview,
    /// An area's profile.
    Area,
    /// The lists by year.
    Lists,
    /// The municipality's screening.
    Screening,
    /// The rule sets as the law reads.
    Methodology,
    /// Plans and goals.
    Plans,
    /// The rule what-if.
    WhatIf,
    /// The early warning.
    Foresight,
}

/// Who is signed in, as a page needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The user's name.
    pub name: String,
    /// What the user may do.
    pub role: kvarter_store::auth::Role,
    /// The token every form of this session carries.
    pub csrf: String,
}

/// The request's context: language, the minimum count, and who is signed in.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The language.
    pub lang: Lang,
    /// The minimum count of persons shown.
    pub min_count: u64,
    /// The signed-in user, if any.
    pub signed: Option<Signed>,
}

impl Ctx {
    /// A context for nobody signed in.
    pub fn new(lang: Lang, min_count: u64) -> Ctx {
        Ctx {
            lang,
            min_count,
            signed: None,
        }
    }

    /// Whether the signed-in user may change the plans.
    pub fn can_edit(&self) -> bool {
        self.signed
            .as_ref()
            .is_some_and(|s| s.role >= kvarter_store::auth::Role::Editor)
    }

    /// The hidden form field with the session's CSRF token (empty when nobody is signed in).
    pub fn csrf_field(&self) -> String {
        self.signed.as_ref().map_or_else(String::new, |s| {
            format!(
                "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
                escape(&s.csrf)
            )
        })
    }

    /// Picks the Danish or the English text.
    pub fn t<'a>(&self, da: &'a str, en: &'a str) -> &'a str {
        self.lang.t(da, en)
    }

    /// A link within the dashboard, keeping the language. `path` may carry a query.
    pub fn href(&self, path: &str) -> String {
        match self.lang {
            Lang::Da => path.to_string(),
            Lang::En if path.contains('?') => format!("{path}&lang=en"),
            Lang::En => format!("{path}?lang=en"),
        }
    }

    /// Whether numbers use a decimal comma.
    pub fn comma(&self) -> bool {
        self.lang == Lang::Da
    }

    /// A decimal as text for people, rounded to `dp` places.
    pub fn num(&self, text: &str, dp: u32) -> String {
        match Decimal::from_str(text) {
            Ok(d) => kvarter_report::rounded(d, dp, self.lang),
            Err(_) => escape(text),
        }
    }

    /// The disclosure policy of this request.
    pub fn policy(&self) -> Policy {
        Policy::new(self.min_count)
    }

    /// A figure for people: rounded to `dp` places, or the suppression mark, or `–` when
    /// missing. The only way a page shows a figure that may rest on few persons.
    pub fn figure(&self, p: &Published<Decimal>, dp: u32) -> String {
        match p.view() {
            View::Shown(d) => kvarter_report::rounded(*d, dp, self.lang),
            View::Suppressed { .. } => self.suppressed(),
            View::Missing => "–".into(),
        }
    }

    /// A table cell of a figure: the figure (sorted by its exact value), or the mark (sorting
    /// as 0); a suppressed figure never reaches the page, not even as a sort key.
    pub fn figure_cell(&self, p: &Published<Decimal>, dp: u32) -> Td {
        match p.view() {
            View::Shown(d) => Td::num(self.figure(p, dp), Some(&d.to_string())),
            View::Suppressed { .. } => Td::num(self.suppressed(), Some("0")),
            View::Missing => Td::html("–"),
        }
    }

    /// The visible mark of a suppressed cell.
    pub fn suppressed(&self) -> String {
        format!(
            "<span class=\"suppressed\" title=\"{}\">&lt; {}</span>",
            escape(&format!(
                "{} {}",
                self.t("Undertrykt: færre end", "Suppressed: fewer than"),
                self.min_count
            )),
            self.min_count
        )
    }
}

/// The whole HTML document: header, navigation, language switch, the body, the footer.
pub fn page(ctx: &Ctx, title: &str, nav: Nav, path_and_query: &str, body: &str) -> String {
    let lang = match ctx.lang {
        Lang::Da => "da",
        Lang::En => "en",
    };
    let item = |n: Nav, href: &str, da: &str, en: &str| {
        format!(
            "<li><a href=\"{}\"{}>{}</a></li>",
            escape(&ctx.href(href)),
            if n == nav {
                " aria-current=\"page\""
            } else {
                ""
            },
            ctx.t(da, en)
        )
    };
    // The same page in the other language.
    let (other, other_label, other_lang) = {
        let base: String = {
            let (p, q) = path_and_query
                .split_once('?')
                .unwrap_or((path_and_query, ""));
            let kept: Vec<&str> = q
                .split('&')
                .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
                .collect();
            if kept.is_empty() {
                p.to_string()
            } else {
                format!("{p}?{}", kept.join("&"))
            }
        };
        match ctx.lang {
            Lang::Da => (
                if base.contains('?') {
                    format!("{base}&lang=en")
                } else {
                    format!("{base}?lang=en")
                },
                "English",
                "en",
            ),
            Lang::En => (base, "Dansk", "da"),
        }
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} · kvarter</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n\
<script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n\
<a class=\"skip\" href=\"#main\">{skip}</a>\n\
<header class=\"site\"><div class=\"inner\"><div class=\"brand\"><a href=\"{home}\">kvarter</a> <span>{tagline}</span></div>\n\
<nav aria-label=\"{navlabel}\"><ul>{nav}</ul></nav>\n\
{account}<a class=\"lang\" id=\"lang-switch\" href=\"{other}\" hreflang=\"{other_lang}\" lang=\"{other_lang}\">{other_label}</a></div></header>\n\
<main id=\"main\" tabindex=\"-1\">\n<h1>{title}</h1>\n{body}\n</main>\n\
<footer class=\"site\"><p>{footer} <a href=\"/api/openapi.json\">API</a> · <a href=\"{method}\">{method_label}</a></p></footer>\n\
</body>\n</html>\n",
        title = escape(title),
        skip = ctx.t("Gå til indhold", "Skip to content"),
        home = escape(&ctx.href("/")),
        tagline = ctx.t(
            "udsatte boligområder efter loven, åbent og præcist",
            "vulnerable housing areas under Danish law, open and exact"
        ),
        navlabel = ctx.t("Hovedmenu", "Main menu"),
        nav = [
            item(Nav::Overview, "/", "Overblik", "Overview"),
            item(Nav::Lists, "/lists", "Lister pr. år", "Lists by year"),
            item(Nav::Screening, "/screening", "Kommunal screening", "Municipal screening"),
            item(Nav::Foresight, "/foresight", "Varsling", "Early warning"),
            item(Nav::WhatIf, "/whatif", "Hvad nu hvis", "What if"),
            item(Nav::Plans, "/plans", "Planer og mål", "Plans and goals"),
            item(Nav::Methodology, "/methodology", "Metode og regler", "Methodology and rules"),
        ]
        .join(""),
        other = escape(&other),
        account = account(ctx, path_and_query),
        footer = ctx.t(
            "Tal under mindstetallet er undertrykt og vist som «&lt; N». Data i demoen er syntetiske (opdigtede personer og områder).",
            "Counts under the minimum are suppressed and shown as “&lt; N”. The demo's data are synthetic (fictional people and areas)."
        ),
        method = escape(&ctx.href("/methodology")),
        method_label = ctx.t("Metode", "Methodology"),
    )
}

/// The header's account part: a sign-in link, or who is signed in with a sign-out button.
fn account(ctx: &Ctx, path_and_query: &str) -> String {
    match &ctx.signed {
        None => format!(
            "<a class=\"account\" id=\"sign-in\" href=\"{}\">{}</a>",
            escape(&ctx.href(&format!(
                "/login?next={}",
                crate::edit::url_encode(path_and_query)
            ))),
            ctx.t("Log ind", "Sign in")
        ),
        Some(s) => format!(
            "<form class=\"account\" method=\"post\" action=\"/logout\"><span id=\"signed-in\">{} ({})</span> {}<button type=\"submit\">{}</button></form>",
            escape(&s.name),
            ctx.t(s.role.da(), s.role.as_str()),
            ctx.csrf_field(),
            ctx.t("Log ud", "Sign out")
        ),
    }
}

/// A year picker: a GET form that keeps the language.
pub fn year_form(ctx: &Ctx, action: &str, years: &[i32], year: i32, extra: &str) -> String {
    let mut s = format!(
        "<form class=\"picker\" method=\"get\" action=\"{}\" data-autosubmit><label for=\"year\">{}</label> <select id=\"year\" name=\"year\">",
        escape(action),
        ctx.t("Listeår", "List year")
    );
    for y in years.iter().rev() {
        let _ = write!(
            s,
            "<option value=\"{y}\"{}>{y}</option>",
            if *y == year { " selected" } else { "" }
        );
    }
    s.push_str("</select>");
    if ctx.lang == Lang::En {
        s.push_str("<input type=\"hidden\" name=\"lang\" value=\"en\">");
    }
    s.push_str(extra);
    let _ = write!(
        s,
        " <button type=\"submit\">{}</button></form>",
        ctx.t("Vis", "Show")
    );
    s
}

/// A badge for a list.
pub fn badge(dash: &Dash, list: &str, ctx: &Ctx) -> String {
    format!(
        "<span class=\"badge st-{}\">{}</span>",
        escape(list),
        escape(&dash.list_name(list, ctx.lang))
    )
}

/// The most consequential list an area is on, for the map's colour.
pub fn status_class(lists: &BTreeSet<String>) -> String {
    SEVERITY
        .iter()
        .find(|l| lists.contains(**l))
        .map_or("st-none".to_string(), |l| format!("st-{l}"))
}

/// A map of the areas with geometry, coloured by `status` (area id → lists on).
pub fn status_map(
    dash: &Dash,
    ctx: &Ctx,
    status: &BTreeMap<String, BTreeSet<String>>,
    evaluated: &BTreeSet<String>,
    year: i32,
    label: &str,
) -> String {
    let mut shapes = Vec::new();
    let mut owned: Vec<(String, String, String, &Value)> = Vec::new();
    for (id, a) in &dash.areas {
        let Some(g) = &a.geometry else { continue };
        let lists = status.get(id).cloned().unwrap_or_default();
        let class = if !evaluated.contains(id) {
            "st-nodata".to_string()
        } else {
            status_class(&lists)
        };
        let names: Vec<String> = lists.iter().map(|l| dash.list_name(l, ctx.lang)).collect();
        let title = format!(
            "{} ({}): {}",
            a.name,
            a.municipality,
            if !evaluated.contains(id) {
                ctx.t("ikke vurderet", "not evaluated").to_string()
            } else if names.is_empty() {
                ctx.t("ingen liste", "no list").to_string()
            } else {
                names.join(", ")
            }
        );
        let href = ctx.href(&format!("/areas/{id}?year={year}"));
        owned.push((class, title, href, g));
    }
    for ((class, title, href, g), id) in owned.iter().zip(
        dash.areas
            .iter()
            .filter(|(_, a)| a.geometry.is_some())
            .map(|(id, _)| id),
    ) {
        shapes.push(svg::Shape {
            id,
            href: Some(href),
            class,
            title,
            geometry: g,
        });
    }
    if shapes.is_empty() {
        return format!(
            "<p class=\"notice\" id=\"map\">{}</p>",
            ctx.t(
                "Lageret har ingen geometri for områderne, så der er intet kort. Indlæs med `kvarter load --geometry FILE` (GeoJSON i EPSG:25832).",
                "The store has no geometry for the areas, so there is no map. Load with `kvarter load --geometry FILE` (GeoJSON in EPSG:25832)."
            )
        );
    }
    svg::map(
        &shapes,
        &svg::MapOptions {
            width: 900,
            height: 640,
            label,
            scale_label: "km",
            underlay: dash.underlay(),
            extent: None,
        },
    )
}

/// The legend of the status map.
pub fn status_legend(dash: &Dash, ctx: &Ctx, lists: &[&str]) -> String {
    let mut s = String::from("<ul class=\"legend\">");
    for l in SEVERITY.iter().filter(|l| lists.contains(l)) {
        let _ = write!(
            s,
            "<li><span class=\"swatch st-{l}\"></span>{}</li>",
            escape(&dash.list_name(l, ctx.lang))
        );
    }
    let _ = write!(
        s,
        "<li><span class=\"swatch st-none\"></span>{}</li><li><span class=\"swatch st-nodata\"></span>{}</li></ul>",
        ctx.t("Ingen liste", "No list"),
        ctx.t(
            "Ikke vurderet (under grænsen eller uden data)",
            "Not evaluated (too small or no data)"
        )
    );
    s
}

/// A line of download links for a table in every format: `base` is the download path, `query`
/// what it keeps (e.g. `year=2025&`), `id` names the links (`{id}-csv`, …).
pub fn download_links(ctx: &Ctx, label: &str, base: &str, query: &str, id: &str) -> String {
    let lang = if ctx.lang == Lang::En { "&lang=en" } else { "" };
    let formats = [
        ("csv", "CSV"),
        ("csv-da", ctx.t("CSV (dansk)", "CSV (Danish)")),
        ("xlsx", "Excel (XLSX)"),
        ("geojson", "GeoJSON (WGS 84)"),
        ("geojson-25832", "GeoJSON (EPSG:25832)"),
        ("gpkg", "GeoPackage"),
        ("parquet", "Parquet"),
    ];
    format!(
        "<p class=\"downloads\">{}: {}</p>",
        escape(label),
        formats
            .iter()
            .map(|(f, l)| format!(
                "<a id=\"{id}-{f}\" href=\"{}\" download>{l}</a>",
                escape(&format!("{base}?{query}format={f}{lang}"))
            ))
            .collect::<Vec<_>>()
            .join(" · ")
    )
}

/// A wide table in a box that scrolls sideways on a narrow screen.
pub fn wrapped(table: String) -> String {
    format!("<div class=\"table-wrap\">{table}</div>")
}

/// A table cell: its HTML and, for numbers, the key it sorts by.
pub struct Td {
    /// The cell's HTML.
    pub html: String,
    /// The sort key (`data-sort`), for numbers written with a decimal comma.
    pub sort: Option<String>,
}

impl Td {
    /// A cell of HTML.
    pub fn html(html: impl Into<String>) -> Td {
        Td {
            html: html.into(),
            sort: None,
        }
    }

    /// A cell of escaped text.
    pub fn text(text: &str) -> Td {
        Td::html(escape(text))
    }

    /// A number: shown as `html`, sorted by `raw`.
    pub fn num(html: impl Into<String>, raw: Option<&str>) -> Td {
        Td {
            html: html.into(),
            sort: raw.map(str::to_string),
        }
    }
}

/// An HTML table with a caption, sortable by the script.
pub fn table(id: &str, caption: &str, head: &[String], rows: &[Vec<Td>]) -> String {
    let mut s = format!(
        "<table class=\"data\" id=\"{}\" data-sortable><caption>{}</caption><thead><tr>",
        escape(id),
        escape(caption)
    );
    for h in head {
        let _ = write!(s, "<th scope=\"col\">{}</th>", escape(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            match &c.sort {
                Some(k) => {
                    let _ = write!(
                        s,
                        "<td class=\"num\" data-sort=\"{}\">{}</td>",
                        escape(k),
                        c.html
                    );
                }
                None => {
                    let _ = write!(s, "<td>{}</td>", c.html);
                }
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_in_a_hole_or_outside_is_not_contained() {
        let g: Value = serde_json::from_str(
            r#"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#,
        )
        .unwrap();
        assert!(contains(&g, (1.0, 1.0)));
        assert!(!contains(&g, (5.0, 5.0)), "in the hole");
        assert!(!contains(&g, (11.0, 5.0)));
        let m: Value = serde_json::from_str(
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[20,20],[30,20],[30,30],[20,30],[20,20]]]]}"#,
        )
        .unwrap();
        assert!(contains(&m, (25.0, 25.0)));
        assert!(!contains(&m, (15.0, 15.0)));
        assert!(!contains(&serde_json::json!({"type": "Point"}), (0.0, 0.0)));
    }

    #[test]
    fn links_keep_the_language_and_counts_under_the_minimum_are_marked() {
        let en = Ctx::new(Lang::En, 5);
        assert_eq!(en.href("/lists?year=2024"), "/lists?year=2024&lang=en");
        assert_eq!(en.href("/"), "/?lang=en");
        let da = Ctx::new(Lang::Da, 5);
        assert_eq!(da.href("/lists"), "/lists");
        let p = da.policy();
        let count = |n: &str| p.count(Some(Decimal::from_str(n).unwrap()));
        assert!(da.figure(&count("4"), 0).contains("class=\"suppressed\""));
        assert_eq!(da.figure(&count("5"), 0), "5");
        assert_eq!(da.figure(&count("1234"), 0), "1.234");
        assert_eq!(da.figure(&Published::missing(), 0), "–");
        assert_eq!(da.num("41.30", 1), "41,3");
    }
}
