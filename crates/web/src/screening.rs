//! The municipality's own screening (*kommunal screening*), as the store holds it: the JSON
//! document `kvarter screen --format json` prints, the designated areas' outlines and the
//! publishable units' outlines (table `screenings`).
//!
//! The page shows the designated areas on a map over the publishable units, their population,
//! the criteria each meets with the value, its interval and the threshold, and how many residents
//! live in units whose designation rests on a value whose interval contains its threshold (the
//! uncertainty). Units under the spec's minimum population are not in the stored document and are
//! never added here; they are shown only as a count. Nothing about a person is stored or shown.
//!
//! The document is read defensively: a missing or malformed field renders "–".

use crate::dash::{Ctx, Dash, Td, badge, table, wrapped};
use crate::pages::{PageError, not_found};
use crate::svg::{self, escape};
use kvarter_report::Lang;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::str::FromStr;

/// The page "Kommunal screening" / "Municipal screening": `(title, body html)`.
///
/// Picks the stored screening of `spec` (the first stored spec by default), `year` (its latest
/// stored year by default) and view (`without_origin`). A 404 [`PageError`] when the store holds
/// no screening, or none that matches.
pub fn screening(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    spec: Option<&str>,
    year: Option<i32>,
    without_origin: bool,
) -> Result<(String, String), PageError> {
    let stored = stored(conn)?;
    let Some(first) = stored.first() else {
        return Err(not_found(ctx.t(
            "Lageret har ingen kommunal screening; indlæs med `kvarter load --registers DIR --screen kbh-2025`.",
            "The store has no municipal screening; load one with `kvarter load --registers DIR --screen kbh-2025`.",
        )));
    };
    let spec = spec.unwrap_or(&first.0).to_string();
    let listing = || {
        stored
            .iter()
            .map(|(s, y, w)| {
                format!(
                    "{s} {y}{}",
                    if *w {
                        ctx.t(" uden oprindelse", " without origin")
                    } else {
                        ""
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let year = match year {
        Some(y) => y,
        None => match stored
            .iter()
            .filter(|(s, _, w)| *s == spec && *w == without_origin)
            .map(|(_, y, _)| *y)
            .max()
        {
            Some(y) => y,
            None => {
                return Err(not_found(format!(
                    "{} '{spec}'{}; {}: {}",
                    ctx.t(
                        "Lageret har ingen screening efter",
                        "The store has no screening by"
                    ),
                    if without_origin {
                        ctx.t(
                            " uden oprindelseskriteriet",
                            " without the origin criterion",
                        )
                    } else {
                        ""
                    },
                    ctx.t("gemt er", "stored are"),
                    listing()
                )));
            }
        },
    };
    let row: Option<(String, i64, String, String, String)> = conn
        .query_row(
            "SELECT municipality, data_year, document, geometry, units FROM screenings \
             WHERE spec = ?1 AND year = ?2 AND without_origin = ?3",
            params![spec, year, without_origin],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((municipality, data_year, document, geometry, units)) = row else {
        return Err(not_found(format!(
            "{} '{spec}' {year}{}; {}: {}",
            ctx.t("Lageret har ingen screening", "The store has no screening"),
            if without_origin {
                ctx.t(
                    " uden oprindelseskriteriet",
                    " without the origin criterion",
                )
            } else {
                ""
            },
            ctx.t("gemt er", "stored are"),
            listing()
        )));
    };
    let doc: Option<Value> = serde_json::from_str(&document).ok();
    let unreadable = doc.is_none();
    let doc = doc.unwrap_or(Value::Null);
    let geometry: Value = serde_json::from_str(&geometry).unwrap_or(Value::Null);
    let units: Value = serde_json::from_str(&units).unwrap_or(Value::Null);
    let view = View {
        spec: &spec,
        year,
        without_origin,
    };

    let title = format!(
        "{} {} {year}",
        ctx.t("Kommunal screening", "Municipal screening"),
        spec
    );
    let mut b = String::new();
    if stored.len() > 1 {
        b.push_str(&picker(ctx, &stored, &view));
    }
    let _ = write!(
        b,
        "<p class=\"lead\">{}</p>",
        ctx.t(
            "Kommunens egen udpegning af udsatte byområder: hele byen screenes celle for celle på specifikationens kriterier, og sammenhængende celler, der opfylder dem, bliver et udpeget område, når de tilsammen har mindst mindstebefolkningen. Områder på statens lister indgår automatisk, hvis specifikationen siger det.",
            "The municipality's own designation of vulnerable urban areas: the whole city is screened unit by unit on the spec's criteria, and contiguous units that meet them become a designated area once they reach the minimum population together. Areas on the state's lists are included automatically when the spec says so."
        )
    );
    if unreadable {
        let _ = write!(
            b,
            "<p class=\"notice\" role=\"alert\">{}</p>",
            ctx.t(
                "Det gemte screeningsdokument kunne ikke læses; siden viser kun, hvad der kan læses.",
                "The stored screening document could not be read; the page shows only what can be read."
            )
        );
    }
    if without_origin {
        let _ = write!(
            b,
            "<p class=\"notice\">{}</p>",
            ctx.t(
                "Denne screening er beregnet uden oprindelseskriteriet (EU-Domstolens dom i sag C-417/23): i »k af n« tæller kriteriet som ikke opfyldt, i indekset er det udeladt.",
                "This screening is computed without the origin criterion (the EU Court of Justice's judgment in case C-417/23): in “k of n” the criterion counts as not met, in the index it is left out."
            )
        );
    }
    facts(&mut b, ctx, &doc, &view, &municipality, data_year, &stored);
    let designated: Vec<&Value> = doc["designated_areas"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    cards(&mut b, ctx, &doc, &designated);
    map(&mut b, ctx, &units, &geometry, &view);
    let shares = Shares::of(&doc);
    areas_table(&mut b, ctx, &designated);
    area_details(&mut b, ctx, &doc, &designated, &shares);
    city_table(&mut b, ctx, &doc, &shares);
    state_listed(&mut b, dash, ctx, &doc);
    notes(&mut b, ctx, &doc);
    Ok((title, b))
}

/// The screening shown.
struct View<'a> {
    spec: &'a str,
    year: i32,
    without_origin: bool,
}

/// Every stored screening: `(spec, year, without_origin)`, ordered.
fn stored(conn: &Connection) -> Result<Vec<(String, i32, bool)>, PageError> {
    let mut st = conn.prepare_cached(
        "SELECT spec, year, without_origin FROM screenings ORDER BY spec, year, without_origin",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Percent-encodes a path segment or query value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The link to a stored screening.
fn href(ctx: &Ctx, spec: &str, year: i32, without_origin: bool) -> String {
    ctx.href(&format!(
        "/screening?spec={}&year={year}{}",
        encode(spec),
        if without_origin {
            "&without_origin=1"
        } else {
            ""
        }
    ))
}

/// A GET form to pick another stored screening, keeping the language.
fn picker(ctx: &Ctx, stored: &[(String, i32, bool)], view: &View<'_>) -> String {
    let specs: BTreeSet<&str> = stored.iter().map(|(s, _, _)| s.as_str()).collect();
    let years: BTreeSet<i32> = stored.iter().map(|(_, y, _)| *y).collect();
    let mut s = format!(
        "<form class=\"picker\" method=\"get\" action=\"/screening\"><label for=\"spec\">{}</label> <select id=\"spec\" name=\"spec\">",
        ctx.t("Specifikation", "Spec")
    );
    for sp in &specs {
        let _ = write!(
            s,
            "<option value=\"{0}\"{1}>{0}</option>",
            escape(sp),
            if *sp == view.spec { " selected" } else { "" }
        );
    }
    let _ = write!(
        s,
        "</select> <label for=\"year\">{}</label> <select id=\"year\" name=\"year\">",
        ctx.t("År", "Year")
    );
    for y in years.iter().rev() {
        let _ = write!(
            s,
            "<option value=\"{y}\"{}>{y}</option>",
            if *y == view.year { " selected" } else { "" }
        );
    }
    s.push_str("</select>");
    if stored.iter().any(|(_, _, w)| *w) {
        let _ = write!(
            s,
            " <label><input type=\"checkbox\" name=\"without_origin\" value=\"1\"{}> {}</label>",
            if view.without_origin { " checked" } else { "" },
            ctx.t("Uden oprindelseskriteriet", "Without the origin criterion")
        );
    }
    if ctx.lang == Lang::En {
        s.push_str("<input type=\"hidden\" name=\"lang\" value=\"en\">");
    }
    let _ = write!(
        s,
        " <button type=\"submit\">{}</button></form>",
        ctx.t("Vis", "Show")
    );
    s
}

/// Text of a JSON value, or "–".
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => "–".to_string(),
    }
}

/// A number with exactly `dp` decimals in the page's notation, or "–".
fn num(ctx: &Ctx, x: Option<f64>, dp: u32) -> String {
    let Some(x) = x.filter(|x| x.is_finite()) else {
        return "–".to_string();
    };
    match kvarter_rules::Decimal::from_str(&format!("{x}")) {
        Ok(d) => {
            let mut d = d.round_dp(dp);
            d.rescale(dp);
            if d.is_zero() {
                d.set_sign_positive(true);
            }
            kvarter_report::number(d, ctx.lang)
        }
        Err(_) => ctx.num(&format!("{x}"), dp),
    }
}

/// A whole number that is not a count of persons (units, criteria), in the page's notation.
fn int(ctx: &Ctx, n: u64) -> String {
    kvarter_report::number(n.into(), ctx.lang)
}

/// A value on an indicator's scale: a share as a percentage, a ratio (e.g. m² per resident) as
/// a number.
fn value(ctx: &Ctx, x: Option<f64>, share: bool) -> String {
    match x {
        Some(x) if x.is_finite() && share => format!("{} %", num(ctx, Some(x * 100.0), 1)),
        Some(x) if x.is_finite() => num(ctx, Some(x), 2),
        _ => "–".to_string(),
    }
}

/// A count of persons: the suppression mark under the dashboard's minimum, but 0 as 0.
fn persons(ctx: &Ctx, n: Option<u64>) -> String {
    match n {
        Some(0) => "0".to_string(),
        Some(n) => ctx.figure(&ctx.policy().count(Some(n.into())), 0),
        None => "–".to_string(),
    }
}

/// A count of persons as plain text (for tooltips).
fn persons_text(ctx: &Ctx, n: Option<u64>) -> String {
    match n {
        Some(n) if n > 0 && n < ctx.min_count => format!("< {}", ctx.min_count),
        Some(n) => kvarter_report::number(n.into(), ctx.lang),
        None => "–".to_string(),
    }
}

/// A table cell of persons; a suppressed count sorts as 0 and keeps its value out of the page.
fn persons_td(ctx: &Ctx, n: Option<u64>) -> Td {
    match n {
        Some(n) if n > 0 && n < ctx.min_count => Td::num(persons(ctx, Some(n)), Some("0")),
        Some(n) => Td::num(persons(ctx, Some(n)), Some(&n.to_string())),
        None => Td::text("–"),
    }
}

/// Which indicators are shares (values in 0..=1, shown in per cent).
struct Shares(BTreeSet<String>);

impl Shares {
    /// Every indicator of the document ending in `_share`, as the screening's indicators do.
    fn of(doc: &Value) -> Shares {
        let mut set = BTreeSet::new();
        let mut add = |v: &Value| {
            if let Some(i) = v["indicator"].as_str()
                && i.ends_with("_share")
            {
                set.insert(i.to_string());
            }
        };
        for c in doc["city"].as_array().into_iter().flatten() {
            add(c);
        }
        for a in doc["designated_areas"].as_array().into_iter().flatten() {
            for c in a["criteria"].as_array().into_iter().flatten() {
                add(c);
            }
        }
        Shares(set)
    }

    fn is(&self, indicator: &Value) -> bool {
        indicator.as_str().is_some_and(|i| self.0.contains(i))
    }
}

/// Spec, year, data year, municipality and options.
fn facts(
    b: &mut String,
    ctx: &Ctx,
    doc: &Value,
    view: &View<'_>,
    municipality: &str,
    data_year: i64,
    stored: &[(String, i32, bool)],
) {
    let designate_on = match doc["options"]["designate_on"].as_str() {
        Some("raw") => ctx.t("rå værdier (cellens egne)", "raw values (the unit's own)"),
        Some("shrunk") => ctx.t(
            "værdier krympet mod bydelen (empirisk Bayes)",
            "values shrunk toward the district (empirical Bayes)",
        ),
        _ => "–",
    };
    let level = doc["options"]["level"]
        .as_f64()
        .map_or("–".to_string(), |l| {
            format!("{} %", ctx.num(&format!("{}", l * 100.0), 1))
        });
    let cell = doc["cell_size_m"]
        .as_u64()
        .filter(|c| *c > 0)
        .map_or(ctx.t("områder", "areas").to_string(), |c| {
            format!("{c} m {}", ctx.t("celler", "cells"))
        });
    let _ = write!(
        b,
        "<dl class=\"facts\"><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>\
         <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{designate_on}</dd><dt>{}</dt><dd>{level}</dd><dt>{}</dt><dd>{}</dd></dl>",
        ctx.t("Specifikation", "Spec"),
        escape(view.spec),
        ctx.t("Screeningsår", "Screening year"),
        view.year,
        ctx.t("Dataår", "Data year"),
        data_year,
        ctx.t("Kommune", "Municipality"),
        escape(municipality),
        ctx.t("Enhed", "Unit"),
        escape(&cell),
        ctx.t("Udpeger på", "Designates on"),
        ctx.t("Intervallernes niveau", "Interval level"),
        ctx.t("Oprindelseskriteriet", "The origin criterion"),
        if view.without_origin {
            ctx.t("slået fra", "switched off")
        } else {
            ctx.t("med", "included")
        },
    );
    let other = !view.without_origin;
    if stored
        .iter()
        .any(|(s, y, w)| s == view.spec && *y == view.year && *w == other)
    {
        let _ = write!(
            b,
            "<p><a href=\"{}\">{}</a></p>",
            escape(&href(ctx, view.spec, view.year, other)),
            if other {
                ctx.t(
                    "Se screeningen uden oprindelseskriteriet",
                    "See the screening without the origin criterion",
                )
            } else {
                ctx.t(
                    "Se screeningen med oprindelseskriteriet",
                    "See the screening with the origin criterion",
                )
            }
        );
    }
    let _ = write!(
        b,
        "<p class=\"muted\">{} <a href=\"/api/screenings/{}/{}{}\">{}</a></p>",
        ctx.t("Hele dokumentet som JSON:", "The whole document as JSON:"),
        escape(&encode(view.spec)),
        view.year,
        if view.without_origin {
            "?without_origin=true"
        } else {
            ""
        },
        ctx.t("hent", "download")
    );
}

/// Designated areas, their population, the units left out.
fn cards(b: &mut String, ctx: &Ctx, doc: &Value, designated: &[&Value]) {
    let population: Option<u64> = designated
        .iter()
        .map(|a| a["population"].as_u64())
        .sum::<Option<u64>>();
    let suppressed = doc["cells_suppressed"].as_u64();
    let below = doc["components_below_minimum"].as_array().map(Vec::len);
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-counts\"><h2 id=\"sc-counts\">{}</h2><div class=\"cards\">\
         <div class=\"card st-screen\"><span class=\"n\">{}</span> <span class=\"label\">{}</span></div>\
         <div class=\"card\"><span class=\"n\">{}</span> <span class=\"label\">{}</span></div>\
         <div class=\"card\"><span class=\"n\">{}</span> <span class=\"label\">{}</span></div>\
         <div class=\"card\"><span class=\"n\">{}</span> <span class=\"label\">{}</span></div></div></section>",
        ctx.t("I tal", "In figures"),
        int(ctx, designated.len() as u64),
        ctx.t("udpegede områder", "designated areas"),
        persons(ctx, population),
        ctx.t(
            "beboere i de udpegede områder",
            "residents of the designated areas"
        ),
        suppressed.map_or("–".to_string(), |n| int(ctx, n)),
        ctx.t(
            "enheder under mindstebefolkningen: screenet, men aldrig vist alene",
            "units under the minimum population: screened, but never shown alone"
        ),
        below.map_or("–".to_string(), |n| int(ctx, n as u64)),
        ctx.t(
            "sammenhængende grupper for små til at blive udpeget",
            "contiguous groups too small to be designated"
        ),
    );
}

/// The map: the publishable units coloured by class, the designated areas' outlines on top.
fn map(b: &mut String, ctx: &Ctx, units: &Value, geometry: &Value, view: &View<'_>) {
    struct Owned<'v> {
        id: String,
        class: &'static str,
        title: String,
        href: Option<String>,
        geometry: &'v Value,
    }
    let mut owned: Vec<Owned<'_>> = Vec::new();
    for f in units["features"].as_array().into_iter().flatten() {
        let p = &f["properties"];
        // The stored units are the publishable ones; never draw one marked otherwise.
        if p["suppressed"].as_bool() == Some(true) {
            continue;
        }
        let id = f["id"]
            .as_str()
            .or_else(|| p["id"].as_str())
            .unwrap_or("")
            .to_string();
        let designated = p["designated"].as_bool() == Some(true);
        let qualifies = p["qualifies"].as_bool() == Some(true);
        let class = if designated {
            "st-screen"
        } else if qualifies {
            "st-screen-cell"
        } else {
            "st-none"
        };
        let status = if designated {
            format!(
                "{} {}",
                ctx.t("i udpeget område", "in designated area"),
                p["component"].as_str().unwrap_or("–")
            )
        } else if qualifies {
            ctx.t(
                "opfylder kriterierne, men er ikke udpeget",
                "meets the criteria but is not designated",
            )
            .to_string()
        } else {
            ctx.t("ikke udpeget", "not designated").to_string()
        };
        let title = format!(
            "{id}: {} {} · {status}{}",
            persons_text(ctx, p["population"].as_u64()),
            ctx.t("beboere", "residents"),
            if p["fragile"].as_bool() == Some(true) {
                ctx.t(
                    " · usikker (en værdi ligger inden for sit interval om grænsen)",
                    " · uncertain (a value lies within its interval of the threshold)",
                )
            } else {
                ""
            }
        );
        owned.push(Owned {
            id,
            class,
            title,
            href: None,
            geometry: f,
        });
    }
    for f in geometry["features"].as_array().into_iter().flatten() {
        let p = &f["properties"];
        let id = p["id"]
            .as_str()
            .or_else(|| f["id"].as_str())
            .unwrap_or("")
            .to_string();
        let title = format!(
            "{id}: {} {} · {} {}",
            persons_text(ctx, p["population"].as_u64()),
            ctx.t("beboere", "residents"),
            p["cells"].as_u64().map_or("–".to_string(), |n| int(ctx, n)),
            ctx.t("enheder", "units"),
        );
        owned.push(Owned {
            href: Some(format!("#area-{}", encode(&id))),
            id,
            class: "st-screen-outline",
            title,
            geometry: f,
        });
    }
    let shapes: Vec<svg::Shape<'_>> = owned
        .iter()
        .map(|o| svg::Shape {
            id: &o.id,
            href: o.href.as_deref(),
            class: o.class,
            title: &o.title,
            geometry: o.geometry,
        })
        .collect();
    let label = format!(
        "{} {} {}",
        ctx.t(
            "Kort over screeningens enheder og de udpegede områder,",
            "Map of the screening's units and the designated areas,"
        ),
        view.spec,
        view.year
    );
    let svg = svg::map(
        &shapes,
        &svg::MapOptions {
            width: 900,
            height: 640,
            label: &label,
            scale_label: "km",
        },
    )
    .replacen("<svg ", "<svg id=\"screening-map\" ", 1)
    // An outline is drawn, not filled, so the units under it stay visible and hoverable.
    .replace(
        "class=\"st-screen-outline\"",
        "class=\"st-screen-outline\" style=\"fill:none;stroke:var(--st-screen,#5e3c99);stroke-width:2.5px;pointer-events:stroke\"",
    );
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-map\"><h2 id=\"sc-map\">{}</h2><figure>{svg}<figcaption>{}</figcaption></figure>\
         <ul class=\"legend\"><li><span class=\"swatch st-screen\"></span>{}</li><li><span class=\"swatch st-screen-cell\"></span>{}</li>\
         <li><span class=\"swatch st-none\"></span>{}</li><li><span class=\"swatch line\" style=\"--line-colour:var(--st-screen,#5e3c99)\"></span>{}</li></ul></section>",
        ctx.t("Kort", "Map"),
        ctx.t(
            "Kun enheder med mindst specifikationens mindstebefolkning vises; de øvrige indgår i screeningen og kan høre til et udpeget område, men tegnes ikke. Peg på en enhed eller et område for at se dets beboertal.",
            "Only units with at least the spec's minimum population are shown; the others take part in the screening and may belong to a designated area, but are not drawn. Point at a unit or an area to see its population."
        ),
        ctx.t("Enhed i et udpeget område", "Unit in a designated area"),
        ctx.t(
            "Enhed, der opfylder kriterierne, men ikke er udpeget",
            "Unit that meets the criteria but is not designated"
        ),
        ctx.t("Øvrige enheder", "Other units"),
        ctx.t("Det udpegede områdes omrids", "Outline of a designated area"),
    );
}

/// The explanation of the fragile population.
fn uncertainty_note(ctx: &Ctx) -> &'static str {
    ctx.t(
        "<strong>Usikker befolkning</strong> er beboerne i de enheder, hvis udpegning hviler på en værdi, hvis interval indeholder grænsen: med så få beboere kunne den sande andel lige så vel ligge på den anden side af grænsen. Det er usikkerheden i udpegningen, ikke en fejl; et stort tal betyder, at områdets afgrænsning kan flytte sig fra år til år af tilfældige grunde.",
        "<strong>Uncertain population</strong> is the residents of the units whose designation rests on a value whose interval contains its threshold: with so few residents the true share could just as well lie on the other side of the threshold. This is the uncertainty of the designation, not an error; a large number means the area's boundary may move from year to year by chance.",
    )
}

/// The designated areas as a sortable table.
fn areas_table(b: &mut String, ctx: &Ctx, designated: &[&Value]) {
    let rows: Vec<Vec<Td>> = designated
        .iter()
        .map(|a| {
            let id = text(&a["id"]);
            let len = |k: &str| a[k].as_array().map(Vec::len);
            let n = |x: Option<usize>| {
                x.map_or(Td::text("–"), |n| {
                    Td::num(int(ctx, n as u64), Some(&n.to_string()))
                })
            };
            let met = match (a["met"].as_u64(), len("criteria")) {
                (Some(m), Some(c)) => Td::num(format!("{m} / {c}"), Some(&m.to_string())),
                (Some(m), None) => Td::num(m.to_string(), Some(&m.to_string())),
                _ => Td::text("–"),
            };
            let index = a["index"].as_f64();
            vec![
                Td::html(format!(
                    "<a href=\"#area-{}\">{}</a>",
                    escape(&encode(&id)),
                    escape(&id)
                )),
                persons_td(ctx, a["population"].as_u64()),
                n(len("units")),
                n(len("state_listed_units")),
                met,
                persons_td(ctx, a["fragile_population"].as_u64()),
                match index {
                    Some(i) if i.is_finite() => {
                        Td::num(num(ctx, Some(i), 2), Some(&format!("{i}")))
                    }
                    _ => Td::text("–"),
                },
            ]
        })
        .collect();
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-areas\"><h2 id=\"sc-areas\">{}</h2>",
        ctx.t("Udpegede områder", "Designated areas")
    );
    if rows.is_empty() {
        let _ = write!(
            b,
            "<p>{}</p>",
            ctx.t(
                "Screeningen udpeger ingen områder.",
                "The screening designates no areas."
            )
        );
    } else {
        b.push_str(&wrapped(table(
            "screening-areas",
            ctx.t(
                "De udpegede områder (klik på et id for kriterierne)",
                "The designated areas (click an id for the criteria)",
            ),
            &[
                ctx.t("Område", "Area").to_string(),
                ctx.t("Beboere", "Residents").to_string(),
                ctx.t("Enheder", "Units").to_string(),
                ctx.t("Enheder på statens lister", "Units on the state's lists")
                    .to_string(),
                ctx.t("Kriterier opfyldt", "Criteria met").to_string(),
                ctx.t("Usikker befolkning", "Uncertain population")
                    .to_string(),
                ctx.t(
                    "Udsathedsindeks (1 = byens gennemsnit)",
                    "Vulnerability index (1 = the city average)",
                )
                .to_string(),
            ],
            &rows,
        )));
    }
    let _ = write!(
        b,
        "<p class=\"notice\">{}</p></section>",
        uncertainty_note(ctx)
    );
}

/// Per designated area: every criterion with its value, interval, threshold and certainty.
fn area_details(b: &mut String, ctx: &Ctx, doc: &Value, designated: &[&Value], shares: &Shares) {
    if designated.is_empty() {
        return;
    }
    let shrunk = doc["options"]["designate_on"].as_str() == Some("shrunk");
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-criteria\"><h2 id=\"sc-criteria\">{}</h2><p>{}</p>",
        ctx.t(
            "Kriterierne for hvert udpeget område",
            "The criteria of each designated area"
        ),
        ctx.t(
            "For området som helhed (tællere og nævnere lagt sammen over dets enheder): værdien, dens interval, grænsen omregnet til indikatorens skala, og om intervallet ligger helt på én side af grænsen (sikker) eller indeholder den (inden for usikkerheden). * er kvarters standardgrænse, ikke politikkens.",
            "For the area as a whole (numerators and denominators summed over its units): the value, its interval, the threshold on the indicator's scale, and whether the interval lies wholly on one side of the threshold (clear) or contains it (within the uncertainty). * is kvarter's default threshold, not the policy's."
        )
    );
    for a in designated {
        let id = text(&a["id"]);
        let districts: Vec<String> = a["districts"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        let _ = write!(
            b,
            "<details id=\"area-{}\"><summary>{} · {} {} · {} {}</summary>",
            escape(&encode(&id)),
            escape(&id),
            persons(ctx, a["population"].as_u64()),
            ctx.t("beboere", "residents"),
            a["met"].as_u64().map_or("–".to_string(), |n| n.to_string()),
            ctx.t("kriterier opfyldt", "criteria met"),
        );
        if !districts.is_empty() {
            let _ = write!(
                b,
                "<p>{}: {}</p>",
                ctx.t("Bydele", "Districts"),
                escape(&districts.join(", "))
            );
        }
        let rows: Vec<Vec<Td>> = a["criteria"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let share = shares.is(&c["indicator"]);
                let est = if shrunk && c["shrunk"].is_object() {
                    &c["shrunk"]
                } else {
                    &c["raw"]
                };
                let interval = &est["interval"];
                let interval = match (interval["low"].as_f64(), interval["high"].as_f64()) {
                    (Some(l), Some(h)) => format!(
                        "{}–{}",
                        value(ctx, Some(l), share),
                        value(ctx, Some(h), share)
                    ),
                    _ => "–".to_string(),
                };
                let met = match c["met"].as_bool() {
                    Some(true) => ctx.t("✓ opfyldt", "✓ met"),
                    Some(false) => ctx.t("✗ ikke opfyldt", "✗ not met"),
                    None => ctx.t("? kan ikke vurderes", "? not evaluable"),
                };
                let certainty = match c["certainty"].as_str() {
                    Some("clear") => ctx.t("sikker", "clear"),
                    Some("within_interval") => {
                        ctx.t("inden for usikkerheden", "within the uncertainty")
                    }
                    Some("no_interval") => ctx.t("intet interval", "no interval"),
                    _ => "–",
                };
                let raw = c["raw"]["value"].as_f64();
                vec![
                    Td::html(format!(
                        "<code>{}</code>{}",
                        escape(&text(&c["criterion"])),
                        if c["kvarter_default"].as_bool() == Some(true) {
                            format!(
                                " <abbr title=\"{}\">*</abbr>",
                                ctx.t("kvarters standardgrænse", "kvarter's default threshold")
                            )
                        } else {
                            String::new()
                        }
                    )),
                    Td::num(
                        value(ctx, raw, share),
                        raw.map(|x| format!("{x}")).as_deref(),
                    ),
                    Td::text(&value(ctx, c["shrunk"]["value"].as_f64(), share)),
                    Td::text(&interval),
                    Td::text(&value(ctx, c["value_threshold"].as_f64(), share)),
                    Td::text(&value(ctx, c["city"].as_f64(), share)),
                    Td::text(&num(ctx, c["comparison"].as_f64(), 2)),
                    Td::text(met),
                    Td::html(if c["certainty"].as_str() == Some("within_interval") {
                        format!("<strong>{certainty}</strong>")
                    } else {
                        certainty.to_string()
                    }),
                ]
            })
            .collect();
        b.push_str(&wrapped(table(
            &format!("area-{}-criteria", encode(&id)),
            &format!("{} {id}", ctx.t("Kriterierne for", "The criteria of")),
            &[
                ctx.t("Kriterium", "Criterion").to_string(),
                ctx.t("Værdi", "Value").to_string(),
                ctx.t("Krympet værdi", "Shrunk value").to_string(),
                format!(
                    "{} ({})",
                    ctx.t("Interval", "Interval"),
                    if shrunk {
                        ctx.t("krympet", "shrunk")
                    } else {
                        ctx.t("rå", "raw")
                    }
                ),
                ctx.t("Grænse", "Threshold").to_string(),
                ctx.t("Byens gennemsnit", "City average").to_string(),
                ctx.t("Sammenligning", "Comparison").to_string(),
                ctx.t("Opfyldt", "Met").to_string(),
                ctx.t("Sikkerhed", "Certainty").to_string(),
            ],
            &rows,
        )));
        let _ = write!(
            b,
            "<p>{}: {}</p></details>",
            ctx.t("Usikker befolkning", "Uncertain population"),
            persons(ctx, a["fragile_population"].as_u64())
        );
    }
    b.push_str("</section>");
}

/// The city value of each criterion.
fn city_table(b: &mut String, ctx: &Ctx, doc: &Value, shares: &Shares) {
    let rows: Vec<Vec<Td>> = doc["city"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let v = c["value"].as_f64();
            vec![
                Td::html(format!("<code>{}</code>", escape(&text(&c["criterion"])))),
                Td::html(format!("<code>{}</code>", escape(&text(&c["indicator"])))),
                Td::num(
                    value(ctx, v, shares.is(&c["indicator"])),
                    v.map(|x| format!("{x}")).as_deref(),
                ),
                c["units"].as_u64().map_or(Td::text("–"), |n| {
                    Td::num(int(ctx, n), Some(&n.to_string()))
                }),
            ]
        })
        .collect();
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-city\"><h2 id=\"sc-city\">{}</h2>",
        ctx.t("Byens værdier", "The city's values")
    );
    if rows.is_empty() {
        let _ = write!(b, "<p>–</p>");
    } else {
        b.push_str(&wrapped(table(
            "screening-city",
            ctx.t(
                "Byens gennemsnit pr. kriterium (alle enheder lagt sammen)",
                "The city average per criterion (all units pooled)",
            ),
            &[
                ctx.t("Kriterium", "Criterion").to_string(),
                ctx.t("Indikator", "Indicator").to_string(),
                ctx.t("Værdi", "Value").to_string(),
                ctx.t("Enheder med en værdi", "Units with a value")
                    .to_string(),
            ],
            &rows,
        )));
    }
    b.push_str("</section>");
}

/// The state-listed housing areas the screening included.
fn state_listed(b: &mut String, dash: &Dash, ctx: &Ctx, doc: &Value) {
    let Some(listed) = doc["state_listed_areas"].as_object() else {
        return;
    };
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-state\"><h2 id=\"sc-state\">{}</h2>",
        ctx.t(
            "Boligområder på statens lister samme år",
            "Housing areas on the state's lists the same year"
        )
    );
    if listed.is_empty() {
        let _ = write!(b, "<p>{}</p></section>", ctx.t("Ingen.", "None."));
        return;
    }
    b.push_str("<ul>");
    for (id, lists) in listed {
        let name = match dash.areas.get(id) {
            Some(info) => format!(
                "<a href=\"{}\">{}</a>",
                escape(&ctx.href(&format!("/areas/{}", encode(id)))),
                escape(&info.name)
            ),
            None => escape(id),
        };
        let badges: Vec<String> = lists
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|l| badge(dash, l, ctx))
            .collect();
        let _ = write!(b, "<li>{name} {}</li>", badges.join(" "));
    }
    b.push_str("</ul></section>");
}

/// kvarter's defaults and the notes of the screening.
fn notes(b: &mut String, ctx: &Ctx, doc: &Value) {
    let _ = write!(
        b,
        "<details class=\"notes\"><summary>{}</summary>",
        ctx.t(
            "Kvarters standardværdier og noter",
            "kvarter's defaults and notes"
        )
    );
    let defaults = doc["kvarter_defaults"].as_array();
    if defaults.is_some_and(|d| !d.is_empty()) {
        let _ = write!(
            b,
            "<p>{}</p><dl>",
            ctx.t(
                "Politikken offentliggør ikke disse tal; de er kvarters standardværdier, som kommunen kan ændre i specifikationen:",
                "The policy does not publish these numbers; they are kvarter's defaults, which the municipality can change in the spec:"
            )
        );
        for d in defaults.into_iter().flatten() {
            let (item, reason) = match d {
                Value::Array(pair) => (
                    pair.first().map_or("–".to_string(), text),
                    pair.get(1).map_or("–".to_string(), text),
                ),
                other => (text(other), String::new()),
            };
            let _ = write!(
                b,
                "<dt><code>{}</code></dt><dd lang=\"da\">{}</dd>",
                escape(&item),
                escape(reason.trim())
            );
        }
        b.push_str("</dl>");
    } else {
        let _ = write!(
            b,
            "<p>{}</p>",
            ctx.t(
                "Ingen af specifikationens tal er kvarters standardværdier.",
                "None of the spec's numbers is a kvarter default."
            )
        );
    }
    let notes: Vec<String> = doc["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    if !notes.is_empty() {
        let _ = write!(b, "<h3>{}</h3><ul>", ctx.t("Noter", "Notes"));
        for n in notes {
            let _ = write!(b, "<li>{}</li>", escape(&n));
        }
        b.push_str("</ul>");
    }
    b.push_str("</details>");
}

/// A table in a box that scrolls sideways on a narrow screen.
#[cfg(test)]
mod tests {
    use super::*;
    use kvarter_rules::{Catalog, History};
    use std::collections::BTreeMap;

    const DDL: &str = "CREATE TABLE screenings (
        spec           TEXT NOT NULL,
        year           INTEGER NOT NULL,
        without_origin INTEGER NOT NULL CHECK (without_origin IN (0, 1)),
        municipality   TEXT NOT NULL,
        data_year      INTEGER NOT NULL,
        document       TEXT NOT NULL,
        geometry       TEXT NOT NULL,
        units          TEXT NOT NULL,
        PRIMARY KEY (spec, year, without_origin)
    ) STRICT;";

    fn dash() -> Dash {
        Dash {
            catalog: Catalog::builtin(),
            history: History::new(),
            overrides: Vec::new(),
            years: Vec::new(),
            areas: BTreeMap::new(),
            averages: BTreeMap::new(),
            policy: kvarter_view::Policy::default(),
            screening: None,
        }
    }

    fn ctx(lang: Lang) -> Ctx {
        Ctx::new(lang, 10)
    }

    fn square(x: f64, y: f64) -> Value {
        serde_json::json!({"type": "Polygon", "coordinates": [[[x, y], [x + 100.0, y], [x + 100.0, y + 100.0], [x, y + 100.0], [x, y]]]})
    }

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(DDL).unwrap();
        let document = serde_json::json!({
            "spec": "kbh-2025",
            "year": 2025,
            "data_year": 2024,
            "cell_size_m": 100,
            "options": {"designate_on": "raw", "without_origin": false, "level": 0.95},
            "kvarter_defaults": [["designation.min_area_population", "Kvarters standardværdi <1.000>."]],
            "city": [
                {"criterion": "income", "indicator": "low_income_share", "num": 100.0, "den": 1000.0, "value": 0.1, "sd": 0.05, "units": 40},
                {"criterion": "space", "indicator": "m2_per_resident", "num": 1.0, "den": 1.0, "value": 35.5, "sd": null, "units": 40}
            ],
            "designated_areas": [{
                "id": "area-c-0001",
                "designated": true,
                "reason": {"reason": "min_population"},
                "units": ["c-0001", "c-0002", "c-0003"],
                "districts": ["Nørrebro"],
                "population": 1234,
                "suppressed": false,
                "state_listed_units": ["c-0003"],
                "filled_holes": [],
                "fragile_units": ["c-0002"],
                "fragile_population": 321,
                "criteria": [
                    {"criterion": "income", "indicator": "low_income_share", "kvarter_default": true,
                     "raw": {"value": 0.1534, "num": 189.0, "den": 1234.0, "interval": {"low": 0.1342, "high": 0.1741}, "p_meets": 0.6, "weight_on_district": 0.0},
                     "shrunk": null, "city": 0.1, "gap": 0.0534, "comparison": 1.534, "value_threshold": 0.15,
                     "met": true, "certainty": "within_interval"},
                    {"criterion": "space", "indicator": "m2_per_resident", "kvarter_default": false,
                     "raw": {"value": 28.25, "num": 1.0, "den": 1.0, "interval": null, "p_meets": null, "weight_on_district": 0.0},
                     "city": 35.5, "met": false, "certainty": "no_interval"}
                ],
                "met": 1,
                "qualifies_as_whole": true,
                "index": 1.8765
            }],
            "components_below_minimum": [{"id": "area-c-0100", "population": 400, "cells": 2, "reason": {"reason": "below_minimum", "population": 400, "minimum": 1000}}],
            "state_listed_areas": {"A1": ["udsat_boligomraade"]},
            "cells": [],
            "cells_suppressed": 7,
            "notes": ["Note <with> markup & more"]
        });
        let geometry = serde_json::json!({
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "id": "area-c-0001", "geometry": square(0.0, 0.0),
                          "properties": {"id": "area-c-0001", "population": 1234, "cells": 3}}]
        });
        let units = serde_json::json!({
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": "c-0001", "geometry": square(0.0, 0.0),
                 "properties": {"id": "c-0001", "population": 600, "qualifies": true, "designated": true, "component": "area-c-0001", "fragile": false}},
                {"type": "Feature", "id": "c-0009", "geometry": square(500.0, 0.0),
                 "properties": {"id": "c-0009", "population": 80, "qualifies": true, "designated": false, "fragile": true}},
                {"type": "Feature", "id": "c-0010", "geometry": square(700.0, 0.0),
                 "properties": {"id": "c-0010", "population": 90, "qualifies": false, "designated": false}}
            ]
        });
        conn.execute(
            "INSERT INTO screenings VALUES ('kbh-2025', 2025, 0, 'København', 2024, ?1, ?2, ?3)",
            params![
                document.to_string(),
                geometry.to_string(),
                units.to_string()
            ],
        )
        .unwrap();
        conn
    }

    #[test]
    fn the_page_shows_the_designated_area_and_its_uncertainty() {
        let conn = db();
        let d = dash();
        for lang in [Lang::Da, Lang::En] {
            let c = ctx(lang);
            let (title, body) = screening(&conn, &d, &c, None, None, false).unwrap();
            assert!(title.contains("kbh-2025") && title.contains("2025"));
            assert!(body.contains("area-c-0001"));
            assert!(body.contains("href=\"#area-area-c-0001\""));
            assert!(body.contains("id=\"area-area-c-0001\""));
            // Population and fragile population, with the page's notation.
            let (pop, fragile, share, index) = match lang {
                Lang::Da => ("1.234", "321", "15,3 %", "1,88"),
                Lang::En => ("1,234", "321", "15.3 %", "1.88"),
            };
            assert!(body.contains(pop), "{pop}");
            assert!(body.contains(&format!("data-sort=\"321\">{fragile}</td>")));
            assert!(body.contains(share), "{share}");
            // Fixed decimals: the city's 0.1 is 10,0 %, not 10 %.
            assert!(body.contains(lang.t(">10,0 %<", ">10.0 %<")));
            assert!(body.contains(index), "{index}");
            // The interval, the threshold and the certainty.
            let interval = match lang {
                Lang::Da => "13,4 %–17,4 %",
                Lang::En => "13.4 %–17.4 %",
            };
            assert!(body.contains(interval), "{interval}");
            assert!(body.contains(lang.t("inden for usikkerheden", "within the uncertainty")));
            assert!(body.contains(lang.t("Usikker befolkning", "Uncertain population")));
            // A ratio indicator is not a percentage.
            assert!(body.contains(lang.t("28,25", "28.25")));
            assert!(!body.contains("2825"));
            // The map: classes and tooltips.
            assert!(body.contains("id=\"screening-map\""));
            assert!(body.contains("class=\"st-screen\""));
            assert!(body.contains("class=\"st-screen-cell\""));
            assert!(body.contains("class=\"st-none\""));
            assert!(body.contains("class=\"st-screen-outline\""));
            assert!(body.contains(&format!("area-c-0001: {pop} ")));
            assert!(body.contains("c-0009: 80 "));
            // The units suppressed, a count only.
            assert!(body.contains("<span class=\"n\">7</span>"));
            // Notes, escaped.
            assert!(body.contains(lang.t(
                "Kvarters standardværdier og noter",
                "kvarter's defaults and notes"
            )));
            assert!(body.contains("Note &lt;with&gt; markup &amp; more"));
            assert!(body.contains("Kvarters standardværdi &lt;1.000&gt;."));
            assert!(!body.contains("<with>"));
            // One screening stored: no picker.
            assert!(!body.contains("<form"));
        }
    }

    #[test]
    fn under_the_minimum_count_a_unit_shows_the_mark_not_its_population() {
        let conn = db();
        let c = Ctx::new(Lang::Da, 100);
        let (_, body) = screening(&conn, &dash(), &c, Some("kbh-2025"), Some(2025), false).unwrap();
        assert!(body.contains("c-0009: &lt; 100 "));
        assert!(!body.contains("c-0009: 80"));
    }

    #[test]
    fn a_picker_when_several_are_stored_and_defensive_reading() {
        let conn = db();
        conn.execute(
            "INSERT INTO screenings VALUES ('kbh-2025', 2024, 1, 'København', 2023, '{\"designated_areas\": [{}]}', 'null', '{}')",
            [],
        )
        .unwrap();
        let d = dash();
        let (_, body) = screening(&conn, &d, &ctx(Lang::En), None, None, false).unwrap();
        assert!(body.contains("<form class=\"picker\""));
        assert!(body.contains("name=\"without_origin\""));
        assert!(body.contains("<input type=\"hidden\" name=\"lang\" value=\"en\">"));
        // The default is the latest year of the view asked for.
        assert!(body.contains("<option value=\"2025\" selected>"));
        // A document with almost nothing renders dashes, not a panic.
        let (_, body) = screening(&conn, &d, &ctx(Lang::Da), Some("kbh-2025"), None, true).unwrap();
        assert!(body.contains("–"));
        assert!(body.contains("uden oprindelseskriteriet"));
        // A document that is not JSON.
        conn.execute(
            "UPDATE screenings SET document = 'not json' WHERE year = 2024",
            [],
        )
        .unwrap();
        let (_, body) = screening(&conn, &d, &ctx(Lang::Da), None, Some(2024), true).unwrap();
        assert!(body.contains("role=\"alert\""));
    }

    #[test]
    fn nothing_stored_is_a_404() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(DDL).unwrap();
        let e = screening(&conn, &dash(), &ctx(Lang::Da), None, None, false).unwrap_err();
        assert_eq!(e.status, 404);
        assert!(
            e.message
                .contains("kvarter load --registers DIR --screen kbh-2025")
        );
        let conn = db();
        for (spec, year, without) in [
            (Some("nope"), None, false),
            (None, Some(2030), false),
            (None, None, true),
        ] {
            let e = screening(&conn, &dash(), &ctx(Lang::En), spec, year, without).unwrap_err();
            assert_eq!(e.status, 404, "{spec:?} {year:?} {without}");
            assert!(e.message.contains("kbh-2025 2025"), "{}", e.message);
        }
    }
}
