//! The overview page: the map of a year coloured by the most consequential list, the counts
//! with their change, and who entered and left each list and why.

use crate::dash::{Ctx, Dash, Td, badge, status_legend, status_map, table, year_form};
use crate::pages::{
    PageError, criteria, equivalents, evaluated, lists_of_year, memberships, resolve_year, why,
};
use crate::svg::escape;
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The overview of a year: map, counts with changes, who entered and left and why.
pub fn overview(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: Option<i32>,
) -> Result<(String, String), PageError> {
    let year = resolve_year(dash, ctx, year)?;
    let now = memberships(conn, year, false)?;
    let before = memberships(conn, year - 1, false)?;
    let evaluated_now = evaluated(conn, year)?;
    let evaluated_before = evaluated(conn, year - 1)?;
    let has_before = dash.years.contains(&(year - 1));
    let defs = lists_of_year(conn, year, false)?;
    let title = format!(
        "{} {year}",
        ctx.t("Listerne 1. december", "The lists of 1 December")
    );
    let mut b = String::new();
    b.push_str(&year_form(ctx, "/", &dash.years, year, ""));
    let _ = write!(
        b,
        "<p class=\"lead\">{} <strong>{}</strong> {} {year}. {}</p>",
        ctx.t("Lageret vurderer", "The store evaluates"),
        evaluated_now.len(),
        ctx.t("boligområder i", "housing areas in"),
        ctx.t(
            "Klik på et område på kortet eller i tabellerne for at se hvorfor det er – eller ikke er – på en liste, og hvor langt det er fra hver grænse.",
            "Click an area on the map or in the tables to see why it is, or is not, on a list, and how far it is from each threshold."
        )
    );
    // Counts with the change since last year.
    b.push_str("<section aria-labelledby=\"counts\"><h2 id=\"counts\">");
    b.push_str(ctx.t("Antal områder pr. liste", "Areas per list"));
    b.push_str("</h2><div class=\"cards\">");
    let mut changes = String::new();
    for (rule_set, list, defined) in &defs {
        if !defined {
            continue;
        }
        let on: BTreeSet<&String> = now
            .iter()
            .filter(|(_, ls)| ls.contains(list))
            .map(|(a, _)| a)
            .collect();
        let eq = equivalents(dash, rule_set, list);
        let was: BTreeSet<&String> = before
            .iter()
            .filter(|(_, ls)| ls.iter().any(|l| eq.contains(l)))
            .map(|(a, _)| a)
            .collect();
        let delta = if has_before {
            let d = on.len() as i64 - was.len() as i64;
            format!(
                "<span class=\"{}\">{}{d} {} {}</span>",
                if d > 0 {
                    "delta-up"
                } else if d < 0 {
                    "delta-down"
                } else {
                    "delta"
                },
                if d > 0 { "+" } else { "" },
                ctx.t("siden", "since"),
                year - 1
            )
        } else {
            String::new()
        };
        let _ = write!(
            b,
            "<a class=\"card st-{list}\" href=\"{}#list-{list}\"><span class=\"n\" data-list=\"{list}\">{}</span> <span class=\"label\">{}</span> <span class=\"rule\">{rule_set}</span> {delta}</a>",
            escape(&ctx.href(&format!("/lists?year={year}"))),
            on.len(),
            escape(&dash.list_name(list, ctx.lang)),
        );
        if !has_before {
            continue;
        }
        let entered: Vec<&&String> = on.iter().filter(|a| !was.contains(**a)).collect();
        let left: Vec<&&String> = was.iter().filter(|a| !on.contains(**a)).collect();
        if entered.is_empty() && left.is_empty() {
            continue;
        }
        let _ = write!(
            changes,
            "<h3>{}</h3><ul class=\"changes\">",
            escape(&dash.list_name(list, ctx.lang))
        );
        for (sign, set, da, en) in [
            ("+", &entered, "kom på", "entered"),
            ("−", &left, "forlod", "left"),
        ] {
            for a in set {
                let c_now = criteria(conn, a, year, false)?;
                let c_before = criteria(conn, a, year - 1, false)?;
                let name = dash.areas.get(**a).map_or(a.as_str(), |i| i.name.as_str());
                let reason = if evaluated_now.contains(**a) {
                    let disclosed = crate::dash::disclose(
                        &ctx.policy(),
                        &crate::dash::observations(conn, Some(a))?,
                    );
                    why(
                        dash,
                        ctx,
                        &disclosed,
                        year,
                        (&c_before, &c_now),
                        evaluated_before.contains(**a),
                    )
                } else {
                    ctx.t(
                        "ikke vurderet i år (for få beboere eller ingen data)",
                        "not evaluated this year (too few residents or no data)",
                    )
                    .to_string()
                };
                let _ = write!(
                    changes,
                    "<li><span class=\"sign\" aria-hidden=\"true\">{sign}</span> <a href=\"{}\">{}</a> {}: {}</li>",
                    escape(&ctx.href(&format!("/areas/{a}?year={year}"))),
                    escape(name),
                    ctx.t(da, en),
                    reason
                );
            }
        }
        changes.push_str("</ul>");
    }
    b.push_str("</div>");
    // The early warning, when the store has one and this is the latest year.
    if Some(year) == dash.latest() {
        let outlooks = crate::foresight::outlooks(conn, None)?;
        if let Some(next) = outlooks.first().map(|o| o.list_year) {
            let count = |o: &str| {
                outlooks
                    .iter()
                    .filter(|x| x.outlook == o)
                    .map(|x| x.area_id.as_str())
                    .collect::<BTreeSet<_>>()
                    .len()
            };
            let _ = write!(
                b,
                "<p class=\"notice\" id=\"warning-summary\"><a href=\"{}\">{} {next}</a>: {} {} · {} {}.</p>",
                escape(&ctx.href("/foresight")),
                ctx.t("Varsling for 1. december", "Early warning for 1 December"),
                count("entering"),
                ctx.t(
                    "områder har mindst 50 % risiko for at komme på en liste",
                    "areas have at least a 50 % risk of entering a list"
                ),
                count("leaving"),
                ctx.t(
                    "har mindst 50 % udsigt til at komme af en",
                    "have at least a 50 % chance of leaving one"
                )
            );
        }
    }
    b.push_str("</section>");
    // The map.
    let _ = write!(
        b,
        "<section aria-labelledby=\"map-h\"><h2 id=\"map-h\">{}</h2>",
        ctx.t("Kort", "Map")
    );
    let listed: Vec<&str> = defs.iter().map(|(_, l, _)| l.as_str()).collect();
    let _ = write!(
        b,
        "<label for=\"map-filter\">{}</label> <select id=\"map-filter\" data-map-filter=\"map\"><option value=\"\">{}</option>",
        ctx.t("Fremhæv", "Highlight"),
        ctx.t("Alle", "All")
    );
    for l in crate::dash::SEVERITY.iter().filter(|l| listed.contains(l)) {
        let _ = write!(
            b,
            "<option value=\"st-{l}\">{}</option>",
            escape(&dash.list_name(l, ctx.lang))
        );
    }
    b.push_str("</select>");
    let label = format!(
        "{} {year}",
        ctx.t(
            "Kort over boligområderne farvet efter liste",
            "Map of the housing areas coloured by list"
        )
    );
    let map = status_map(dash, ctx, &now, &evaluated_now, year, &label);
    b.push_str(&crate::svg::skippable(
        &map.replacen("<svg ", "<svg id=\"map\" ", 1),
        "after-map",
        ctx.t("Spring kortet over", "Skip the map"),
    ));
    b.push_str(&status_legend(dash, ctx, &listed));
    if dash.underlay().is_some() {
        let lang = if ctx.lang == kvarter_report::Lang::En {
            "&lang=en"
        } else {
            ""
        };
        let links: Vec<String> = [
            ("gpkg", "GeoPackage"),
            ("geojson-25832", "GeoJSON (EPSG:25832)"),
            ("geojson", "GeoJSON (WGS 84)"),
        ]
        .iter()
        .map(|(f, l)| {
            format!(
                "<a id=\"boundaries-{f}\" href=\"{}\" download>{l}</a>",
                escape(&format!("/boundaries/download?format={f}{lang}"))
            )
        })
        .collect();
        let _ = write!(
            b,
            "<p class=\"downloads\">{}: {}</p>",
            ctx.t(
                "Kortets kyst, kommune- og distriktsgrænser til GIS",
                "The map's coast, municipal and district boundaries for a GIS"
            ),
            links.join(" · ")
        );
    }
    b.push_str("</section>");
    if has_before {
        let _ = write!(
            b,
            "<section aria-labelledby=\"changes-h\"><h2 id=\"changes-h\">{} {} {}</h2>{}</section>",
            ctx.t("Ændringer siden", "Changes since"),
            year - 1,
            ctx.t("og hvorfor", "and why"),
            if changes.is_empty() {
                format!(
                    "<p>{}</p>",
                    ctx.t(
                        "Ingen områder kom på eller forlod en liste.",
                        "No area entered or left a list."
                    )
                )
            } else {
                changes
            }
        );
    }
    // Every listed area, with the link to its profile.
    let mut rows = Vec::new();
    for (a, ls) in &now {
        let info = dash.areas.get(a);
        let badges: Vec<String> = crate::dash::SEVERITY
            .iter()
            .filter(|l| ls.contains(**l))
            .map(|l| badge(dash, l, ctx))
            .chain(
                ls.iter()
                    .filter(|l| !crate::dash::SEVERITY.contains(&l.as_str()))
                    .map(|l| badge(dash, l, ctx)),
            )
            .collect();
        rows.push(vec![
            Td::html(format!(
                "<a href=\"{}\" class=\"area-link\">{}</a>",
                escape(&ctx.href(&format!("/areas/{a}?year={year}"))),
                escape(info.map_or(a.as_str(), |i| i.name.as_str()))
            )),
            Td::text(info.map_or("", |i| i.municipality.as_str())),
            Td::html(badges.join(" ")),
        ]);
    }
    let _ = write!(
        b,
        "<section aria-labelledby=\"listed-h\"><h2 id=\"listed-h\">{}</h2>\
         <label for=\"filter-listed\">{}</label> <input id=\"filter-listed\" type=\"search\" data-filter=\"listed\"> <span data-filter-count=\"listed\"></span>{}</section>",
        ctx.t("Områder på en liste", "Areas on a list"),
        ctx.t("Søg", "Search"),
        table(
            "listed",
            &format!(
                "{} {year}",
                ctx.t("Områder på mindst én liste,", "Areas on at least one list,")
            ),
            &[
                ctx.t("Område", "Area").to_string(),
                ctx.t("Kommune", "Municipality").to_string(),
                ctx.t("Lister", "Lists").to_string()
            ],
            &rows
        )
    );
    Ok((title, b))
}
