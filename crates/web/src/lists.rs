//! The lists of a year: the page with a sortable table per list (its rows are
//! [`kvarter_view::download::ListRow`]s, as in the lists' download).

use crate::dash::{Ctx, Dash, Td, table, year_form};
use crate::pages::{PageError, lists_of_year, resolve_year};
use crate::svg::escape;
use rusqlite::Connection;
use std::fmt::Write;

pub use kvarter_view::download::ListRow;

/// The areas on a list in a year, with their figures after the disclosure policy.
pub fn list_rows(
    conn: &Connection,
    policy: &kvarter_view::Policy,
    year: i32,
    without_origin: bool,
    rule_set: &str,
    list: &str,
) -> Result<Vec<ListRow>, PageError> {
    let rows = kvarter_store::dashboard::list_members(conn, year, without_origin, rule_set, list)?;
    Ok(rows
        .into_iter()
        .map(|r| kvarter_view::download::list_row(policy, r))
        .collect())
}

/// The lists of a year as sortable tables, with downloads.
pub fn lists(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: Option<i32>,
    without_origin: bool,
) -> Result<(String, String), PageError> {
    let year = resolve_year(dash, ctx, year)?;
    let title = format!(
        "{} {year}{}",
        ctx.t("Listerne", "The lists of"),
        if without_origin {
            ctx.t(
                " – uden oprindelseskriteriet",
                " – without the origin criterion",
            )
        } else {
            ""
        }
    );
    let extra = format!(
        " <label><input type=\"checkbox\" name=\"without_origin\" value=\"1\"{}> {}</label>",
        if without_origin { " checked" } else { "" },
        ctx.t(
            "Uden kriteriet om ikke-vestlig oprindelse",
            "Without the criterion of non-Western origin"
        )
    );
    let mut b = year_form(ctx, "/lists", &dash.years, year, &extra);
    if without_origin {
        let _ = write!(
            b,
            "<p class=\"notice\">{}</p>",
            ctx.t(
                "Denne visning slår kriteriet om ikke-vestlig oprindelse fra. Den viser, hvordan listerne ville se ud uden det – ikke de lister, staten offentliggjorde. Hvor en liste ikke er defineret uden kriteriet (parallelsamfund og omdannelsesområder), står den som udefineret.",
                "This view switches off the criterion of non-Western origin. It shows what the lists would be without it, not the lists the state published. Where a list is not defined without it (parallel societies and transformation areas), it is shown as undefined."
            )
        );
    }
    let wo = if without_origin {
        "&without_origin=1"
    } else {
        ""
    };
    let _ = write!(
        b,
        "<p class=\"downloads\">{}: <a id=\"download-csv\" href=\"/lists/download?year={year}&format=csv{wo}\" download>CSV</a> · <a id=\"download-csv-da\" href=\"/lists/download?year={year}&format=csv-da{wo}\" download>{}</a> · <a id=\"download-xlsx\" href=\"/lists/download?year={year}&format=xlsx{wo}{}\" download>Excel (XLSX)</a><br>{}: <a id=\"download-geojson\" href=\"/lists/download?year={year}&format=geojson{wo}\" download>GeoJSON (WGS 84)</a> · <a id=\"download-geojson-25832\" href=\"/lists/download?year={year}&format=geojson-25832{wo}\" download>GeoJSON (EPSG:25832)</a> · <a id=\"download-gpkg\" href=\"/lists/download?year={year}&format=gpkg{wo}\" download>GeoPackage</a> · <a id=\"download-parquet\" href=\"/lists/download?year={year}&format=parquet{wo}\" download>Parquet</a></p>",
        ctx.t("Hent alle lister", "Download every list"),
        ctx.t(
            "CSV (dansk: semikolon og decimalkomma)",
            "CSV (Danish: semicolon and decimal comma)"
        ),
        if ctx.lang == kvarter_report::Lang::En {
            "&lang=en"
        } else {
            ""
        },
        ctx.t("Til GIS og analyse", "For GIS and analysis")
    );
    b.push_str(&crate::dash::download_links(
        ctx,
        ctx.t(
            "Alle områder med deres værdier og lister",
            "Every area with its values and lists",
        ),
        "/areas/download",
        &format!("year={year}{wo}&"),
        "download-areas",
    ));
    for (rule_set, list, defined) in lists_of_year(conn, year, without_origin)? {
        let name = dash.list_name(&list, ctx.lang);
        let (paragraph, rs_title) = match dash.rule_set(&rule_set) {
            Some(rs) => (
                rs.list(&list)
                    .map(|l| l.paragraph.clone())
                    .unwrap_or_default(),
                ctx.t(&rs.title, &rs.title_en).to_string(),
            ),
            None => (String::new(), rule_set.clone()),
        };
        let _ = write!(
            b,
            "<section id=\"list-{list}\" aria-labelledby=\"h-{list}\"><h2 id=\"h-{list}\">{}</h2><p class=\"rule\">{} · {} · <a href=\"{}#{rule_set}\">{rule_set}</a></p>",
            escape(&name),
            escape(&paragraph),
            escape(&rs_title),
            escape(&ctx.href("/methodology"))
        );
        if !defined {
            let _ = write!(
                b,
                "<p>{}</p></section>",
                ctx.t(
                    "Listen er ikke defineret i denne visning (se metoden).",
                    "The list is not defined in this view (see the methodology)."
                )
            );
            continue;
        }
        let rows = list_rows(conn, &ctx.policy(), year, without_origin, &rule_set, &list)?;
        let body: Vec<Vec<Td>> = rows
            .iter()
            .map(|r| {
                let mut cells = vec![
                    Td::html(format!(
                        "<a href=\"{}\">{}</a>{}",
                        escape(&ctx.href(&format!("/areas/{}?year={year}", r.id))),
                        escape(&r.name),
                        if r.incomplete {
                            format!(
                                " <span class=\"incomplete\" title=\"{}\">*</span>",
                                ctx.t(
                                    "Usikker: en manglende værdi kunne ændre udfaldet",
                                    "Uncertain: a missing value could change the outcome"
                                )
                            )
                        } else {
                            String::new()
                        }
                    )),
                    Td::text(&r.municipality),
                ];
                cells.push(ctx.figure_cell(&r.values[0], 0));
                for v in &r.values[1..] {
                    cells.push(ctx.figure_cell(v, 1));
                }
                cells
            })
            .collect();
        let mut head = vec![
            ctx.t("Område", "Area").to_string(),
            ctx.t("Kommune", "Municipality").to_string(),
        ];
        head.extend(kvarter_view::download::value_heads(ctx.lang));
        let _ = write!(
            b,
            "{}</section>",
            table(
                &format!("table-{list}"),
                &format!(
                    "{name} {year}: {} {}",
                    rows.len(),
                    ctx.t("områder", "areas")
                ),
                &head,
                &body
            )
        );
    }
    Ok((title, b))
}
