//! The lists of a year: the page with a sortable table per list, the table every download of
//! the lists holds, the rows' outlines for the geographic downloads, and the provenance note
//! every downloaded table ends with.

use crate::dash::{Ctx, Dash, Td, table, year_form};
use crate::pages::{PageError, lists_of_year, resolve_year};
use crate::svg::escape;
use kvarter_rules::Decimal;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One row of a list: an area on it with its values.
pub struct ListRow {
    /// Area id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipality.
    pub municipality: String,
    /// Whether a missing value could change the outcome.
    pub incomplete: bool,
    /// residents, then the measures' values, in [`crate::dash::MEASURES`] order, as the
    /// disclosure policy lets them be published.
    pub values: Vec<kvarter_view::Published<Decimal>>,
}

/// The areas on a list in a year, with their figures after the disclosure policy.
pub fn list_rows(
    conn: &Connection,
    policy: &kvarter_view::Policy,
    year: i32,
    without_origin: bool,
    rule_set: &str,
    list: &str,
) -> Result<Vec<ListRow>, PageError> {
    let shown: Vec<&str> = std::iter::once("residents")
        .chain(crate::dash::MEASURES.iter().map(|(c, _)| *c))
        .collect();
    let rows = kvarter_store::dashboard::list_members(conn, year, without_origin, rule_set, list)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let raw: BTreeMap<&str, Option<Decimal>> = r
                .values
                .iter()
                .map(|(c, v)| (c.as_str(), v.parse::<Decimal>().ok()))
                .collect();
            let year = policy.area_year(|c| raw.get(c).copied().flatten());
            ListRow {
                id: r.id,
                name: r.name,
                municipality: r.municipality,
                incomplete: r.incomplete,
                values: shown.iter().map(|c| year.get(c)).collect(),
            }
        })
        .collect())
}

/// The column headings of a list table after area and municipality.
pub fn value_heads(ctx: &Ctx) -> Vec<String> {
    vec![
        ctx.t("Beboere", "Residents").into(),
        ctx.t("Uden for arbejdsmarkedet %", "Outside labour market %")
            .into(),
        ctx.t("Dømte %", "Convicted %").into(),
        ctx.t("Kun grundskole %", "Basic education only %").into(),
        ctx.t("Indkomst % af region", "Income % of region").into(),
        ctx.t("Ikke-vestlig oprindelse %", "Non-Western origin %")
            .into(),
    ]
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
        head.extend(value_heads(ctx));
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

/// The table every download of a year's lists holds: one row per list and area.
pub fn download_table(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: i32,
    without_origin: bool,
) -> Result<kvarter_export::Table, PageError> {
    use kvarter_export::{Cell, Column, Kind, Table};
    let year = resolve_year(dash, ctx, Some(year))?;
    let col = |key: &str, label: &str, kind| Column {
        key: key.into(),
        label: label.into(),
        kind,
    };
    let heads = value_heads(ctx);
    let mut columns = vec![
        col("list_year", ctx.t("Listeår", "List year"), Kind::Year),
        col("rule_set", ctx.t("Regelsæt", "Rule set"), Kind::Text),
        col("list", ctx.t("Liste (id)", "List (id)"), Kind::Text),
        col("list_name", ctx.t("Liste", "List"), Kind::Text),
        col("area_id", ctx.t("Område-id", "Area id"), Kind::Text),
        col("area_name", ctx.t("Område", "Area"), Kind::Text),
        col("municipality", ctx.t("Kommune", "Municipality"), Kind::Text),
        col("incomplete", ctx.t("Usikker", "Uncertain"), Kind::Text),
        col("residents", &heads[0], Kind::Integer),
    ];
    for ((c, _), h) in crate::dash::MEASURES.iter().zip(&heads[1..]) {
        columns.push(col(c, h, Kind::Decimal { places: 2 }));
    }
    let mut rows = Vec::new();
    for (rule_set, list, defined) in lists_of_year(conn, year, without_origin)? {
        if !defined {
            continue;
        }
        for r in list_rows(conn, &ctx.policy(), year, without_origin, &rule_set, &list)? {
            let mut row = vec![
                Cell::Integer(i64::from(year)),
                Cell::Text(rule_set.clone()),
                Cell::Text(list.clone()),
                Cell::Text(dash.list_name(&list, ctx.lang)),
                Cell::Text(r.id.clone()),
                Cell::Text(r.name.clone()),
                Cell::Text(r.municipality.clone()),
                Cell::Text(
                    if r.incomplete {
                        ctx.t("ja", "yes")
                    } else {
                        ctx.t("nej", "no")
                    }
                    .into(),
                ),
            ];
            row.push(Cell::published(&r.values[0], true));
            for v in &r.values[1..] {
                row.push(Cell::published(v, false));
            }
            rows.push(row);
        }
    }
    Ok(Table {
        title: format!("{} {year}", ctx.t("Lister", "Lists")),
        columns,
        rows,
        notes: vec![
            format!(
                "{} {year}{}",
                ctx.t(
                    "kvarter: statens lister for listeåret",
                    "kvarter: the state's lists of list year"
                ),
                if without_origin {
                    ctx.t(
                        ", uden kriteriet om ikke-vestlig oprindelse",
                        ", without the criterion of non-Western origin",
                    )
                } else {
                    ""
                }
            ),
            format!(
                "{} {}",
                ctx.t(
                    "Antal under mindstetallet er undertrykt og vist som <",
                    "Counts under the minimum are suppressed and shown as <"
                ),
                ctx.min_count
            ),
            provenance(conn, ctx)?,
        ],
    })
}

/// Each row's area outline (EPSG:25832 GeoJSON geometry) by the table's `area_id` column, for
/// the geographic downloads; `None` for a row without one.
pub fn table_geometry(
    dash: &Dash,
    table: &kvarter_export::Table,
) -> Vec<Option<serde_json::Value>> {
    let Some(id) = table.columns.iter().position(|c| c.key == "area_id") else {
        return vec![None; table.rows.len()];
    };
    table
        .rows
        .iter()
        .map(|r| match &r[id] {
            kvarter_export::Cell::Text(id) => dash.areas.get(id).and_then(|a| a.geometry.clone()),
            _ => None,
        })
        .collect()
}

/// Where a downloaded table comes from, as its last note: kvarter's version, the store's latest
/// load (its manifest hash: the input files, rules and options) and the content hash of each
/// rule set. The same store gives the same text, so downloads stay reproducible.
pub fn provenance(conn: &Connection, ctx: &Ctx) -> rusqlite::Result<String> {
    let load = kvarter_store::dashboard::latest_manifest(conn);
    let rules: Vec<String> = kvarter_store::dashboard::rule_set_hashes(conn)?
        .into_iter()
        .map(|(id, hash)| format!("{id} (sha256 {})", &hash[..hash.len().min(12)]))
        .collect();
    Ok(format!(
        "{} kvarter {}; {} {}; {}: {}",
        ctx.t("Lavet af", "Made by"),
        env!("CARGO_PKG_VERSION"),
        ctx.t("indlæsning", "load"),
        load.map_or_else(
            || "–".to_string(),
            |(id, hash)| format!("{id} (manifest sha256 {})", &hash[..hash.len().min(12)])
        ),
        ctx.t("regelsæt", "rule sets"),
        rules.join(", ")
    ))
}
