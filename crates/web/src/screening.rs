//! The municipality's own screening (*kommunal screening*): the page `/screening`, and the two
//! screening endpoints of the API (`/api/screenings`, `/api/screenings/{spec}/{year}`).
//!
//! Both render only [`kvarter_view::screening::Screening`], the model that
//! `kvarter_view::screening::build` makes from the store's typed rows
//! (`kvarter_store::screening::read`) with the disclosure policy applied. This module runs no
//! SQL and decides nothing about suppression: a figure the model suppressed is drawn as the mark
//! (`< 5` on the page and in tooltips, `{"suppressed": true, "min_count": 5}` in JSON).
//!
//! The page shows the designated areas on a map over the publishable units, their population,
//! the criteria each meets with the value, its interval and the threshold, and how many residents
//! live in units whose designation rests on a value whose interval contains its threshold (the
//! uncertainty). Units under the spec's minimum population are not in the store; they are shown
//! only as a count, as are the contiguous groups too small to be designated.

use crate::dash::{Ctx, Dash, Td, badge, table, wrapped};
use crate::pages::{PageError, not_found};
use crate::svg::{self, escape};
use kvarter_report::Lang;
use kvarter_rules::Decimal;
use kvarter_store::ScreeningKey;
use kvarter_view::screening::{Area, Criterion, Screening};
use kvarter_view::{Policy, Published, View as Shown};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Every stored screening, from the store's reader.
fn stored(conn: &Connection) -> Result<Vec<(String, i32, bool)>, PageError> {
    Ok(kvarter_store::screening::list(conn)?
        .into_iter()
        .map(|k| (k.spec, k.year, k.without_origin))
        .collect())
}

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
    // The page shows no unit's criteria (nine in ten of the stored rows), so it does not read
    // them: the model built without them is the API's model with the units' criteria left out,
    // for no unit's or area's other figure depends on whether a unit's criterion is shown
    // (tested in crates/cli/tests/rounds.rs).
    let run = kvarter_store::screening::read_with(
        conn,
        &spec,
        year,
        without_origin,
        kvarter_store::screening::UnitCriteria::ForDisclosureOnly,
    )?;
    let Some(run) = run else {
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
    let previous = kvarter_store::screening::previous_round(conn, &spec, year, without_origin)?;
    let model =
        kvarter_view::screening::build(&Policy::new(ctx.min_count), &run, previous.as_ref());
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
    facts(&mut b, ctx, &model, &view, &stored);
    cards(&mut b, ctx, &model);
    map(&mut b, dash, ctx, &model, &view);
    areas_table(&mut b, ctx, &model.designated_areas);
    round_change(&mut b, ctx, &model, &view);
    area_details(&mut b, ctx, &model);
    city_table(&mut b, ctx, &model);
    state_listed(&mut b, dash, ctx, &model);
    notes(&mut b, ctx, &model);
    Ok((title, b))
}

/// The screening shown.
struct View<'a> {
    spec: &'a str,
    year: i32,
    without_origin: bool,
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

/// The explanation of the fragile population.
fn uncertainty_note(ctx: &Ctx) -> &'static str {
    ctx.t(
        "<strong>Usikker befolkning</strong> er beboerne i de enheder, hvis udpegning hviler på en værdi, hvis interval indeholder grænsen: med så få beboere kunne den sande andel lige så vel ligge på den anden side af grænsen. Det er usikkerheden i udpegningen, ikke en fejl; et stort tal betyder, at områdets afgrænsning kan flytte sig fra år til år af tilfældige grunde.",
        "<strong>Uncertain population</strong> is the residents of the units whose designation rests on a value whose interval contains its threshold: with so few residents the true share could just as well lie on the other side of the threshold. This is the uncertainty of the designation, not an error; a large number means the area's boundary may move from year to year by chance.",
    )
}

/// A decimal with exactly `dp` decimals in the page's notation.
fn fixed(ctx: &Ctx, d: Decimal, dp: u32) -> String {
    let mut d = d.round_dp(dp);
    d.rescale(dp);
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    kvarter_report::number(d, ctx.lang)
}

/// A whole number that is not a count of persons (units, criteria), in the page's notation.
fn int(ctx: &Ctx, n: u64) -> String {
    kvarter_report::number(n.into(), ctx.lang)
}

/// A value on an indicator's scale: a share as a percentage, a ratio (e.g. m² per resident) as
/// a number.
fn scaled(ctx: &Ctx, d: Decimal, share: bool) -> String {
    if share {
        format!("{} %", fixed(ctx, d * Decimal::ONE_HUNDRED, 1))
    } else {
        fixed(ctx, d, 2)
    }
}

/// A public value on an indicator's scale, or "–".
fn value(ctx: &Ctx, d: Option<Decimal>, share: bool) -> String {
    d.map_or("–".to_string(), |d| scaled(ctx, d, share))
}

/// A published value on an indicator's scale: the value, the mark, or "–".
fn published(ctx: &Ctx, p: &Published<Decimal>, share: bool) -> String {
    match p.view() {
        Shown::Shown(d) => scaled(ctx, *d, share),
        Shown::Suppressed { .. } => ctx.suppressed(),
        Shown::Missing => "–".to_string(),
    }
}

/// A published number with `dp` decimals (an index, a comparison), or the mark, or "–".
fn published_num(ctx: &Ctx, p: &Published<Decimal>, dp: u32) -> String {
    match p.view() {
        Shown::Shown(d) => fixed(ctx, *d, dp),
        Shown::Suppressed { .. } => ctx.suppressed(),
        Shown::Missing => "–".to_string(),
    }
}

/// A published count of persons: the count, the mark, or "–".
fn persons(ctx: &Ctx, n: &Published<u64>) -> String {
    match n.view() {
        Shown::Shown(n) => int(ctx, *n),
        Shown::Suppressed { .. } => ctx.suppressed(),
        Shown::Missing => "–".to_string(),
    }
}

/// A published count of persons as plain text (for tooltips).
fn persons_text(ctx: &Ctx, n: &Published<u64>) -> String {
    match n.view() {
        Shown::Shown(n) => int(ctx, *n),
        Shown::Suppressed { min_count } => format!("< {min_count}"),
        Shown::Missing => "–".to_string(),
    }
}

/// A table cell of persons; a suppressed count sorts as 0 and keeps its value out of the page.
fn persons_td(ctx: &Ctx, n: &Published<u64>) -> Td {
    match n.view() {
        Shown::Shown(v) => Td::num(int(ctx, *v), Some(&v.to_string())),
        Shown::Suppressed { .. } => Td::num(ctx.suppressed(), Some("0")),
        Shown::Missing => Td::text("–"),
    }
}

/// Whether an indicator is a share (values in 0..=1, shown in per cent).
fn is_share(indicator: &str) -> bool {
    indicator.ends_with("_share")
}

/// Spec, year, data year, municipality and options.
fn facts(
    b: &mut String,
    ctx: &Ctx,
    m: &Screening,
    view: &View<'_>,
    stored: &[(String, i32, bool)],
) {
    let designate_on = match m.options.designate_on.as_str() {
        "raw" => ctx.t("rå værdier (cellens egne)", "raw values (the unit's own)"),
        "shrunk" => ctx.t(
            "værdier krympet mod bydelen (empirisk Bayes)",
            "values shrunk toward the district (empirical Bayes)",
        ),
        _ => "–",
    };
    let level = m.options.level.map_or("–".to_string(), |l| {
        format!("{} %", fixed(ctx, l * Decimal::ONE_HUNDRED, 1))
    });
    let cell = if m.cell_size_m > 0 {
        format!("{} m {}", m.cell_size_m, ctx.t("celler", "cells"))
    } else {
        ctx.t("områder", "areas").to_string()
    };
    let _ = write!(
        b,
        "<dl class=\"facts\"><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>\
         <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{designate_on}</dd><dt>{}</dt><dd>{level}</dd><dt>{}</dt><dd>{}</dd></dl>",
        ctx.t("Specifikation", "Spec"),
        escape(view.spec),
        ctx.t("Screeningsår", "Screening year"),
        view.year,
        ctx.t("Dataår", "Data year"),
        m.data_year,
        ctx.t("Kommune", "Municipality"),
        escape(&m.municipality),
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
fn cards(b: &mut String, ctx: &Ctx, m: &Screening) {
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-counts\"><h2 id=\"sc-counts\">{}</h2><div class=\"cards\">\
         <div class=\"card st-screen\"><span class=\"n\">{}</span> <span class=\"label\">{}</span></div>\
         <div class=\"card\"><span class=\"n\">{}</span> <span class=\"label\">{}</span></div>\
         <div class=\"card\"><span class=\"n\">{}</span> <span class=\"label\">{}</span></div>\
         <div class=\"card\"><span class=\"n\">{}</span> <span class=\"label\">{}</span></div></div></section>",
        ctx.t("I tal", "In figures"),
        int(ctx, m.designated_areas.len() as u64),
        ctx.t("udpegede områder", "designated areas"),
        persons(ctx, &m.designated_population),
        ctx.t(
            "beboere i de udpegede områder",
            "residents of the designated areas"
        ),
        int(ctx, m.cells_suppressed),
        ctx.t(
            "enheder under mindstebefolkningen: screenet, men aldrig vist alene",
            "units under the minimum population: screened, but never shown alone"
        ),
        int(ctx, m.components_below_minimum),
        ctx.t(
            "sammenhængende grupper for små til at blive udpeget",
            "contiguous groups too small to be designated"
        ),
    );
}

/// The map: the publishable units coloured by class, the designated areas' outlines on top.
/// Every figure in a tooltip is the model's.
fn map(b: &mut String, dash: &Dash, ctx: &Ctx, m: &Screening, view: &View<'_>) {
    struct Owned {
        id: String,
        class: &'static str,
        title: String,
        href: Option<String>,
        geometry: Value,
    }
    let geometry = |g: &Option<String>| {
        g.as_deref()
            .and_then(|g| serde_json::from_str::<Value>(g).ok())
            .unwrap_or(Value::Null)
    };
    let mut owned: Vec<Owned> = Vec::new();
    for u in &m.cells {
        let class = if u.designated {
            "st-screen"
        } else if u.qualifies {
            "st-screen-cell"
        } else {
            "st-none"
        };
        let status = if u.designated {
            format!(
                "{} {}",
                ctx.t("i udpeget område", "in designated area"),
                u.component.as_deref().unwrap_or("–")
            )
        } else if u.qualifies {
            ctx.t(
                "opfylder kriterierne, men er ikke udpeget",
                "meets the criteria but is not designated",
            )
            .to_string()
        } else {
            ctx.t("ikke udpeget", "not designated").to_string()
        };
        let title = format!(
            "{}: {} {} · {status}{}",
            u.id,
            persons_text(ctx, &u.population),
            ctx.t("beboere", "residents"),
            if u.fragile {
                ctx.t(
                    " · usikker (en værdi ligger inden for sit interval om grænsen)",
                    " · uncertain (a value lies within its interval of the threshold)",
                )
            } else {
                ""
            }
        );
        owned.push(Owned {
            id: u.id.clone(),
            class,
            title,
            href: None,
            geometry: geometry(&u.geometry),
        });
    }
    for a in &m.designated_areas {
        let title = format!(
            "{}: {} {} · {} {}",
            a.name,
            persons_text(ctx, &a.population),
            ctx.t("beboere", "residents"),
            int(ctx, a.units.len() as u64),
            ctx.t("enheder", "units"),
        );
        owned.push(Owned {
            href: Some(format!("#area-{}", encode(&a.id))),
            id: a.id.clone(),
            class: "st-screen-outline",
            title,
            geometry: geometry(&a.geometry),
        });
    }
    let shapes: Vec<svg::Shape<'_>> = owned
        .iter()
        .map(|o| svg::Shape {
            id: &o.id,
            href: o.href.as_deref(),
            class: o.class,
            title: &o.title,
            geometry: &o.geometry,
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
            underlay: dash.underlay(),
            extent: None,
        },
    )
    .replacen("<svg ", "<svg id=\"screening-map\" ", 1);
    let svg = svg::skippable(
        &svg,
        "sc-after-map",
        ctx.t("Spring kortet over", "Skip the map"),
    );
    // The designated areas are outlines, not fills (style.css: `path.st-screen-outline`), so
    // the units under them stay visible and hoverable.
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-map\"><h2 id=\"sc-map\">{}</h2><figure>{svg}<figcaption>{}</figcaption></figure>\
         <ul class=\"legend\"><li><span class=\"swatch st-screen\"></span>{}</li><li><span class=\"swatch st-screen-cell\"></span>{}</li>\
         <li><span class=\"swatch st-none\"></span>{}</li><li><span class=\"swatch line line-screen\"></span>{}</li></ul></section>",
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

/// This designation round against the round before: areas that entered, left, changed their
/// boundary or stayed the same.
fn round_change(b: &mut String, ctx: &Ctx, m: &Screening, view: &View<'_>) {
    let Some(r) = &m.previous_round else {
        return;
    };
    let link = |n: &kvarter_view::screening::Named, here: bool| {
        if here {
            format!(
                "<a href=\"#area-{}\">{}</a>",
                escape(&encode(&n.id)),
                escape(&n.name)
            )
        } else {
            escape(&n.name)
        }
    };
    let _ = write!(
        b,
        "<section aria-labelledby=\"sc-round\"><h2 id=\"sc-round\">{} {} {} <a href=\"{}\">{}</a></h2><p>{}: {} · {}: {} · {}: {} · {}: {} ({} {})</p>",
        ctx.t("Udpegningsrunden", "The designation round"),
        m.year,
        ctx.t("mod runden", "against the round of"),
        escape(&href(ctx, view.spec, r.previous_year, view.without_origin)),
        r.previous_year,
        ctx.t("Nye", "Entered"),
        r.entered.len(),
        ctx.t("Udgået", "Left"),
        r.left.len(),
        ctx.t("Ændret afgrænsning", "Changed boundary"),
        r.changed.len(),
        ctx.t("Uændrede", "Unchanged"),
        r.unchanged.len(),
        ctx.t("udpegede områder i", "designated areas in"),
        r.previous_year,
    );
    let mut rows: Vec<Vec<Td>> = Vec::new();
    for n in &r.entered {
        rows.push(vec![
            Td::html(link(n, true)),
            Td::text(ctx.t("ny", "entered")),
            Td::text("–"),
        ]);
    }
    for c in &r.changed {
        rows.push(vec![
            Td::html(link(&c.area, true)),
            Td::text(ctx.t("ændret afgrænsning", "changed boundary")),
            Td::text(&format!(
                "{} {} (+{} / −{} {})",
                ctx.t("fortsætter", "continues"),
                c.before.name,
                int(ctx, c.units_gained),
                int(ctx, c.units_lost),
                ctx.t("enheder", "units"),
            )),
        ]);
    }
    for n in &r.left {
        rows.push(vec![
            Td::html(link(n, false)),
            Td::text(ctx.t("udgået", "left")),
            Td::text(&format!(
                "{} {}",
                ctx.t("udpeget i", "designated in"),
                r.previous_year
            )),
        ]);
    }
    for n in &r.unchanged {
        rows.push(vec![
            Td::html(link(n, true)),
            Td::text(ctx.t("uændret", "unchanged")),
            Td::text("–"),
        ]);
    }
    if !rows.is_empty() {
        b.push_str(&wrapped(table(
            "screening-round",
            ctx.t(
                "Områderne sammenlignet med runden før (på fælles enheder)",
                "The areas against the round before (by shared units)",
            ),
            &[
                ctx.t("Område", "Area").to_string(),
                ctx.t("Ændring", "Change").to_string(),
                ctx.t("Detaljer", "Details").to_string(),
            ],
            &rows,
        )));
    }
    b.push_str("</section>");
}

/// The designated areas as a sortable table.
fn areas_table(b: &mut String, ctx: &Ctx, designated: &[Area]) {
    let rows: Vec<Vec<Td>> = designated
        .iter()
        .map(|a| {
            let n = |x: usize| Td::num(int(ctx, x as u64), Some(&x.to_string()));
            let met = Td::num(
                format!("{} / {}", a.met, a.criteria.len()),
                Some(&a.met.to_string()),
            );
            vec![
                Td::html(format!(
                    "<a href=\"#area-{}\">{}</a> <code class=\"id\">{}</code>",
                    escape(&encode(&a.id)),
                    escape(&a.name),
                    escape(&a.id)
                )),
                persons_td(ctx, &a.population),
                n(a.units.len()),
                n(a.state_listed_units.len()),
                met,
                persons_td(ctx, &a.fragile_population),
                match a.index.view() {
                    Shown::Shown(i) => Td::num(fixed(ctx, *i, 2), Some(&i.to_string())),
                    Shown::Suppressed { .. } => Td::num(ctx.suppressed(), Some("0")),
                    Shown::Missing => Td::text("–"),
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
                "De udpegede områder (klik på et navn for kriterierne)",
                "The designated areas (click a name for the criteria)",
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

/// One criterion's row: value, shrunk value, interval, threshold, city, comparison, met,
/// certainty.
fn criterion_row(ctx: &Ctx, c: &Criterion, shrunk: bool) -> Vec<Td> {
    let share = is_share(&c.indicator);
    let est = if shrunk && c.shrunk.is_some() {
        c.shrunk.as_ref()
    } else {
        c.raw.as_ref()
    };
    let interval = match est.map(|e| e.interval.view()) {
        Some(Shown::Shown(i)) => format!(
            "{}–{}",
            scaled(ctx, i.low, share),
            scaled(ctx, i.high, share)
        ),
        Some(Shown::Suppressed { .. }) => ctx.suppressed(),
        _ => "–".to_string(),
    };
    let met = match c.met {
        Some(true) => ctx.t("✓ opfyldt", "✓ met"),
        Some(false) => ctx.t("✗ ikke opfyldt", "✗ not met"),
        None => ctx.t("? kan ikke vurderes", "? not evaluable"),
    };
    let certainty = match c.certainty.as_str() {
        "clear" => ctx.t("sikker", "clear"),
        "within_interval" => ctx.t("inden for usikkerheden", "within the uncertainty"),
        "no_interval" => ctx.t("intet interval", "no interval"),
        _ => "–",
    };
    let raw = c.raw.as_ref().map(|e| &e.value);
    let missing = Published::missing();
    let raw = raw.unwrap_or(&missing);
    let shrunk_value = c.shrunk.as_ref().map(|e| &e.value).unwrap_or(&missing);
    vec![
        Td::html(format!(
            "<code>{}</code>{}",
            escape(&c.criterion),
            if c.kvarter_default {
                format!(
                    " <abbr title=\"{}\">*</abbr>",
                    ctx.t("kvarters standardgrænse", "kvarter's default threshold")
                )
            } else {
                String::new()
            }
        )),
        match raw.view() {
            Shown::Shown(v) => Td::num(scaled(ctx, *v, share), Some(&v.to_string())),
            Shown::Suppressed { .. } => Td::num(ctx.suppressed(), Some("0")),
            Shown::Missing => Td::text("–"),
        },
        Td::html(published(ctx, shrunk_value, share)),
        Td::html(interval),
        Td::text(&value(ctx, c.value_threshold, share)),
        Td::text(&value(ctx, c.city, share)),
        Td::html(published_num(ctx, &c.comparison, 2)),
        Td::text(met),
        Td::html(if c.certainty == "within_interval" {
            format!("<strong>{certainty}</strong>")
        } else {
            certainty.to_string()
        }),
    ]
}

/// Per designated area: every criterion with its value, interval, threshold and certainty.
fn area_details(b: &mut String, ctx: &Ctx, m: &Screening) {
    if m.designated_areas.is_empty() {
        return;
    }
    let shrunk = m.options.designate_on == "shrunk";
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
    for a in &m.designated_areas {
        let id = &a.id;
        let _ = write!(
            b,
            "<details id=\"area-{}\"><summary>{} <code class=\"id\">{}</code> · {} {} · {} {}</summary>",
            escape(&encode(id)),
            escape(&a.name),
            escape(id),
            persons(ctx, &a.population),
            ctx.t("beboere", "residents"),
            a.met,
            ctx.t("kriterier opfyldt", "criteria met"),
        );
        if !a.districts.is_empty() {
            let _ = write!(
                b,
                "<p>{}: {}</p>",
                ctx.t("Bydele", "Districts"),
                escape(&a.districts.join(", "))
            );
        }
        let rows: Vec<Vec<Td>> = a
            .criteria
            .iter()
            .map(|c| criterion_row(ctx, c, shrunk))
            .collect();
        b.push_str(&wrapped(table(
            &format!("area-{}-criteria", encode(id)),
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
            persons(ctx, &a.fragile_population)
        );
    }
    b.push_str("</section>");
}

/// The city value of each criterion.
fn city_table(b: &mut String, ctx: &Ctx, m: &Screening) {
    let rows: Vec<Vec<Td>> = m
        .city
        .iter()
        .map(|c| {
            vec![
                Td::html(format!("<code>{}</code>", escape(&c.criterion))),
                Td::html(format!("<code>{}</code>", escape(&c.indicator))),
                match c.value.view() {
                    Shown::Shown(v) => Td::num(
                        scaled(ctx, *v, is_share(&c.indicator)),
                        Some(&v.to_string()),
                    ),
                    Shown::Suppressed { .. } => Td::num(ctx.suppressed(), Some("0")),
                    Shown::Missing => Td::text("–"),
                },
                Td::num(int(ctx, c.units), Some(&c.units.to_string())),
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
fn state_listed(b: &mut String, dash: &Dash, ctx: &Ctx, m: &Screening) {
    let listed = &m.state_listed_areas;
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
        let badges: Vec<String> = lists.iter().map(|l| badge(dash, l, ctx)).collect();
        let within = m
            .designated_areas
            .iter()
            .find(|a| a.listed_estates.iter().any(|e| &e.id == id))
            .map(|a| {
                format!(
                    " — {} <a href=\"#area-{}\">{}</a>",
                    ctx.t("medtaget automatisk i", "included automatically in"),
                    escape(&encode(&a.id)),
                    escape(&a.name)
                )
            })
            .unwrap_or_default();
        let _ = write!(b, "<li>{name} {}{within}</li>", badges.join(" "));
    }
    b.push_str("</ul></section>");
}

/// kvarter's defaults and the notes of the screening.
fn notes(b: &mut String, ctx: &Ctx, m: &Screening) {
    let _ = write!(
        b,
        "<details class=\"notes\"><summary>{}</summary>",
        ctx.t(
            "Kvarters standardværdier og noter",
            "kvarter's defaults and notes"
        )
    );
    if !m.kvarter_defaults.is_empty() {
        let _ = write!(
            b,
            "<p>{}</p><dl>",
            ctx.t(
                "Politikken offentliggør ikke disse tal; de er kvarters standardværdier, som kommunen kan ændre i specifikationen:",
                "The policy does not publish these numbers; they are kvarter's defaults, which the municipality can change in the spec:"
            )
        );
        for (item, reason) in &m.kvarter_defaults {
            let _ = write!(
                b,
                "<dt><code>{}</code></dt><dd lang=\"da\">{}</dd>",
                escape(item),
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
    if !m.notes.is_empty() {
        let _ = write!(b, "<h3>{}</h3><ul>", ctx.t("Noter", "Notes"));
        for n in &m.notes {
            let _ = write!(b, "<li>{}</li>", escape(n));
        }
        b.push_str("</ul>");
    }
    b.push_str("</details>");
}

// ---------------------------------------------------------------------------------------------
// The API: `/api/screenings` and `/api/screenings/{spec}/{year}`, the same model as JSON.

/// The stored screenings, for `/api/screenings`: keys and facts, no figure.
pub fn api_list(conn: &Connection) -> rusqlite::Result<Value> {
    let items: Vec<Value> = kvarter_store::screening::list(conn)?
        .into_iter()
        .map(|ScreeningKey { spec, year, without_origin, municipality, data_year }| {
            json!({
                "spec": spec,
                "year": year,
                "without_origin": without_origin,
                "municipality": municipality,
                "data_year": data_year,
                "links": {"self": format!("/api/screenings/{spec}/{year}{}", if without_origin { "?without_origin=true" } else { "" })},
            })
        })
        .collect();
    Ok(json!({ "items": items }))
}

/// One screening as JSON, for `/api/screenings/{spec}/{year}`: the model after the policy, and
/// with `geometry` the designated areas' and the publishable units' outlines as GeoJSON
/// FeatureCollections (EPSG:25832) whose properties are the model's figures. `None` when the
/// store has no such screening.
pub fn api_one(
    conn: &Connection,
    policy: &Policy,
    spec: &str,
    year: i32,
    without_origin: bool,
    geometry: bool,
) -> Result<Option<Value>, String> {
    let Some(run) = kvarter_store::screening::read(conn, spec, year, without_origin)
        .map_err(|e| format!("reading the store: {e}"))?
    else {
        return Ok(None);
    };
    let previous = kvarter_store::screening::previous_round(conn, spec, year, without_origin)
        .map_err(|e| format!("reading the store: {e}"))?;
    let model = kvarter_view::screening::build(policy, &run, previous.as_ref());
    let mut doc = serde_json::to_value(&model).map_err(|e| e.to_string())?;
    if geometry {
        doc["geometry"] = areas_geojson(&model);
        doc["units_geometry"] = units_geojson(&model);
    }
    Ok(Some(doc))
}

fn feature_collection(name: String, features: Vec<Value>) -> Value {
    json!({
        "type": "FeatureCollection",
        "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": features,
    })
}

fn parsed(g: &Option<String>) -> Value {
    g.as_deref()
        .and_then(|g| serde_json::from_str(g).ok())
        .unwrap_or(Value::Null)
}

/// The designated areas' outlines with the model's figures.
fn areas_geojson(m: &Screening) -> Value {
    let features = m
        .designated_areas
        .iter()
        .map(|a| {
            json!({
                "type": "Feature",
                "id": a.id,
                "geometry": parsed(&a.geometry),
                "properties": {
                    "id": a.id,
                    "population": a.population,
                    "cells": a.units.len(),
                    "state_listed_cells": a.state_listed_units.len(),
                    "criteria_met": a.met,
                    "fragile_population": a.fragile_population,
                    "index": a.index,
                }
            })
        })
        .collect();
    feature_collection(format!("{}-{}", m.spec, m.year), features)
}

/// The publishable units' outlines with the model's figures.
fn units_geojson(m: &Screening) -> Value {
    let features = m
        .cells
        .iter()
        .map(|u| {
            json!({
                "type": "Feature",
                "id": u.id,
                "geometry": parsed(&u.geometry),
                "properties": {
                    "id": u.id,
                    "district": u.district,
                    "population": u.population,
                    "met": u.met,
                    "qualifies": u.qualifies,
                    "fragile": u.fragile,
                    "near_miss": u.near_miss,
                    "state_listed": u.state_listed,
                    "designated": u.designated,
                    "component": u.component,
                    "index": u.index,
                }
            })
        })
        .collect();
    feature_collection(format!("{}-{}-units", m.spec, m.year), features)
}

/// `GET /api/screenings`: the stored screenings.
pub(crate) async fn api_screenings(
    axum::extract::State(api): axum::extract::State<crate::Shared>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> crate::Reply {
    crate::params(q, &[])?;
    crate::with_db(api, |c, _| Ok(api_list(c)?)).await
}

/// `GET /api/screenings/{spec}/{year}?without_origin=&geometry=`: one screening, after the
/// disclosure policy at the server's minimum count.
pub(crate) async fn api_screening(
    axum::extract::State(api): axum::extract::State<crate::Shared>,
    axum::extract::Path((spec, year)): axum::extract::Path<(String, String)>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> crate::Reply {
    let year = crate::parse_year(&year, "year")?;
    let p = crate::params(q, &["without_origin", "geometry"])?;
    let without = crate::parse_bool(&p, "without_origin")?;
    let with_geometry = crate::parse_bool(&p, "geometry")?;
    crate::with_db(api, move |c, config| {
        let policy = Policy::new(config.min_count);
        api_one(c, &policy, &spec, year, without, with_geometry)
            .map_err(|e| {
                crate::Problem::new(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    format!("stored screening: {e}"),
                )
            })?
            .ok_or_else(|| {
                crate::Problem::not_found(format!(
                    "no screening '{spec}' of {year}{} in the store",
                    if without { " without origin" } else { "" }
                ))
            })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use kvarter_rules::{Catalog, History};
    use std::collections::BTreeMap;

    /// An empty store of the current schema.
    fn empty() -> Connection {
        kvarter_store::dashboard::empty_in_memory().unwrap()
    }

    /// Stores one screening given as schema 5's document, converted as the migration does.
    fn put(
        conn: &mut Connection,
        key: ScreeningKey,
        document: &Value,
        geometry: &Value,
        units: &Value,
    ) {
        let run = kvarter_store::screening::run_from_document(
            &key,
            &document.to_string(),
            &geometry.to_string(),
            &units.to_string(),
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        kvarter_store::screening::write(&tx, &[run]).unwrap();
        tx.commit().unwrap();
    }

    fn key(year: i32, without_origin: bool, data_year: i32) -> ScreeningKey {
        ScreeningKey {
            spec: "kbh-2025".into(),
            year,
            without_origin,
            municipality: "København".into(),
            data_year,
        }
    }

    fn dash() -> Dash {
        Dash {
            catalog: Catalog::builtin(),
            history: History::new(),
            overrides: Vec::new(),
            years: Vec::new(),
            areas: BTreeMap::new(),
            averages: BTreeMap::new(),
            policy: kvarter_view::Policy::default(),
            profiles: BTreeMap::new(),
            screening: None,
            underlay: Default::default(),
        }
    }

    fn ctx(lang: Lang) -> Ctx {
        Ctx::new(lang, 10)
    }

    fn square(x: f64, y: f64) -> Value {
        serde_json::json!({"type": "Polygon", "coordinates": [[[x, y], [x + 100.0, y], [x + 100.0, y + 100.0], [x, y + 100.0], [x, y]]]})
    }

    fn db() -> Connection {
        let mut conn = empty();
        let document = serde_json::json!({
            "spec": "kbh-2025",
            "year": 2025,
            "data_year": 2024,
            "cell_size_m": 100,
            "options": {"designate_on": "raw", "without_origin": false, "level": 0.95},
            "kvarter_defaults": [["designation.min_area_population", "Kvarters standardværdi <1.000>."]],
            "city": [
                {"criterion": "income", "indicator": "low_income_share", "num": 100.0, "den": 1000.0, "value": 0.1, "sd": 0.05, "units": 40},
                {"criterion": "space", "indicator": "m2_per_resident", "num": 35500.0, "den": 1000.0, "value": 35.5, "sd": null, "units": 40}
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
                     "raw": {"value": 28.25, "num": 34860.5, "den": 1234.0, "interval": null, "p_meets": null, "weight_on_district": 0.0},
                     "city": 35.5, "met": false, "certainty": "no_interval"}
                ],
                "met": 1,
                "qualifies_as_whole": true,
                "index": 1.8765
            }],
            "components_below_minimum": [{"id": "area-c-0100", "population": 400, "cells": 2, "reason": {"reason": "below_minimum", "population": 400, "minimum": 1000}}],
            "state_listed_areas": {"A1": ["udsat_boligomraade"]},
            "cells": [
                {"id": "c-0001", "district": "Nørrebro", "population": 600, "suppressed": false, "criteria": [], "met": 3, "evaluable": 7,
                 "qualifies": true, "undetermined": false, "fragile": false, "near_miss": false, "state_listed": true,
                 "inclusion": "qualifies", "component": "area-c-0001", "designated": true, "index": 1.9},
                {"id": "c-0009", "district": "Nørrebro", "population": 80, "suppressed": false, "criteria": [], "met": 3, "evaluable": 7,
                 "qualifies": true, "undetermined": false, "fragile": true, "near_miss": false, "state_listed": false,
                 "inclusion": "qualifies", "component": "area-c-0100", "designated": false, "index": 1.6},
                {"id": "c-0010", "district": "Nørrebro", "population": 90, "suppressed": false, "criteria": [], "met": 0, "evaluable": 7,
                 "qualifies": false, "undetermined": false, "fragile": false, "near_miss": false, "state_listed": false,
                 "inclusion": null, "component": null, "designated": false, "index": 0.8}
            ],
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
        put(
            &mut conn,
            key(2025, false, 2024),
            &document,
            &geometry,
            &units,
        );
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
    fn a_picker_when_several_are_stored_and_a_nearly_empty_screening_renders() {
        let mut conn = db();
        put(
            &mut conn,
            key(2024, true, 2023),
            &serde_json::json!({"designated_areas": [{"id": "area-x"}]}),
            &Value::Null,
            &serde_json::json!({}),
        );
        let d = dash();
        let (_, body) = screening(&conn, &d, &ctx(Lang::En), None, None, false).unwrap();
        assert!(body.contains("<form class=\"picker\""));
        assert!(body.contains("name=\"without_origin\""));
        assert!(body.contains("<input type=\"hidden\" name=\"lang\" value=\"en\">"));
        // The default is the latest year of the view asked for.
        assert!(body.contains("<option value=\"2025\" selected>"));
        // A screening with almost nothing renders dashes and marks, not a panic.
        let (_, body) = screening(&conn, &d, &ctx(Lang::Da), Some("kbh-2025"), None, true).unwrap();
        assert!(body.contains("–"));
        assert!(body.contains("uden oprindelseskriteriet"));
    }

    #[test]
    fn small_figures_never_reach_the_page_or_the_json() {
        let mut conn = empty();
        let document = serde_json::json!({
            "spec": "kbh-2025", "cell_size_m": 100,
            "options": {"designate_on": "raw", "without_origin": false, "level": 0.95},
            "city": [], "kvarter_defaults": [], "notes": [], "state_listed_areas": {},
            "designated_areas": [{"id": "area-c-0001", "reason": {"reason": "min_population"},
                "units": ["c-0001", "c-0002", "c-0003"], "districts": [], "population": 1204,
                "fragile_units": [], "fragile_population": 0, "met": 3, "qualifies_as_whole": true, "index": 2.0,
                "criteria": [{"criterion": "youth", "indicator": "no_youth_education_at_25_share",
                    "raw": {"value": 0.75, "num": 3.0, "den": 4.0, "interval": {"low": 0.3, "high": 0.95}, "p_meets": 0.8, "weight_on_district": 0.0},
                    "city": 0.3, "gap": 0.45, "comparison": 2.5, "value_threshold": 0.45, "met": true, "certainty": "within_interval"}]}],
            "components_below_minimum": [{"id": "area-c-0100", "population": 3, "cells": 1}],
            "cells": [
                {"id": "c-0001", "population": 600, "component": "area-c-0001", "designated": true, "qualifies": true, "index": 2.1,
                 "criteria": [{"criterion": "youth", "indicator": "no_youth_education_at_25_share",
                    "raw": {"value": 0.5, "num": 1.0, "den": 2.0, "interval": {"low": 0.1, "high": 0.9}, "p_meets": 0.6, "weight_on_district": 0.0},
                    "met": true, "certainty": "within_interval"}]},
                {"id": "c-0002", "population": 601, "component": "area-c-0001", "designated": true, "qualifies": true, "criteria": []}
            ],
            "cells_suppressed": 1
        });
        let units = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": "c-0001", "geometry": square(0.0, 0.0), "properties": {"population": 600}},
            {"type": "Feature", "id": "c-0002", "geometry": square(100.0, 0.0), "properties": {"population": 601}}
        ]});
        put(
            &mut conn,
            key(2025, false, 2024),
            &document,
            &Value::Null,
            &units,
        );
        let c = Ctx::new(Lang::En, 5);
        let (_, body) = screening(&conn, &dash(), &c, None, None, false).unwrap();
        // The area's 1,204 residents minus its shown units (600 + 601) would leave 3: the
        // smallest shown unit's population is suppressed as well.
        assert!(body.contains("c-0001: &lt; 5 residents"), "{body}");
        assert!(body.contains("c-0002: 601 residents"));
        // The area's youth criterion rests on 3 of 4 persons: no share, no interval.
        assert!(!body.contains("75.0 %"));
        assert!(!body.contains("30.0 %–95.0 %"));
        let doc = api_one(&conn, &Policy::new(5), "kbh-2025", 2025, false, true)
            .unwrap()
            .unwrap();
        let mark = serde_json::json!({"suppressed": true, "min_count": 5});
        let area = &doc["designated_areas"][0];
        assert_eq!(area["criteria"][0]["raw"]["num"], mark);
        assert_eq!(area["criteria"][0]["raw"]["value"], mark);
        assert_eq!(area["criteria"][0]["raw"]["interval"], mark);
        assert_eq!(area["index"], mark);
        assert_eq!(
            area["population"],
            "1204".parse::<u64>().map(|n| serde_json::json!(n)).unwrap()
        );
        let cell = &doc["cells"][0];
        assert_eq!(cell["population"], mark);
        assert_eq!(cell["criteria"][0]["raw"]["den"], mark);
        assert_eq!(
            doc["units_geometry"]["features"].as_array().map(Vec::len),
            Some(2)
        );
        // The components too small to be designated: a count, never their populations.
        assert_eq!(doc["components_below_minimum"], serde_json::json!(1));
        assert!(!doc.to_string().contains("area-c-0100"));
    }

    #[test]
    fn nothing_stored_is_a_404() {
        let conn = empty();
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
