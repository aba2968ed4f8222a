//! Tables for download that are not the lists: every area with its values and lists, and the
//! early warning. `kvarter export` and the dashboard's downloads build them with the same
//! functions, so both give the same bytes.

use crate::dash::{Ctx, Dash, MEASURES};
use kvarter_export::{Cell, Column, Kind, Table};
use rusqlite::Connection;

/// Every area with its values of `year` (or its latest before), the lists it is on that year
/// and whether one of them is uncertain.
pub fn areas_table(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: i32,
    without_origin: bool,
) -> Result<Table, String> {
    let e = |e: rusqlite::Error| format!("reading the areas: {e}");
    let policy = ctx.policy();
    let col = |key: &str, label: &str, kind| Column::new(key, label, kind);
    let heads = crate::lists::value_heads(ctx);
    let mut columns = vec![
        col("area_id", ctx.t("Område-id", "Area id"), Kind::Text),
        col("area_name", ctx.t("Område", "Area"), Kind::Text),
        col("municipality", ctx.t("Kommune", "Municipality"), Kind::Text),
        col("kind", ctx.t("Type", "Kind"), Kind::Text),
        col(
            "list_year",
            ctx.t("Listeår (værdier)", "List year (values)"),
            Kind::Year,
        ),
        col("lists", ctx.t("Lister (id)", "Lists (id)"), Kind::Text),
        col("list_names", ctx.t("Lister", "Lists"), Kind::Text),
        col("incomplete", ctx.t("Usikker", "Uncertain"), Kind::Text),
        col("residents", &heads[0], Kind::Integer),
    ];
    for ((c, _), h) in MEASURES.iter().zip(&heads[1..]) {
        columns.push(col(c, h, Kind::Decimal { places: 2 }));
    }
    // Every value column, so that the disclosure policy sees the whole area-year.
    let mut rows = Vec::new();
    for r in kvarter_store::dashboard::areas_with_values(conn, year).map_err(e)? {
        let id = r.id;
        let mut row = vec![
            Cell::Text(id.clone()),
            Cell::Text(r.name),
            Cell::Text(r.municipality),
            Cell::from(r.kind),
            r.list_year
                .map_or(Cell::Empty, |y| Cell::Integer(i64::from(y))),
        ];
        // The lists of the year asked for (an area without values that year was not evaluated).
        let results: Vec<(String, String, bool)> =
            kvarter_store::dashboard::list_outcomes(conn, &id, year, without_origin)
                .map_err(e)?
                .into_iter()
                .map(|o| (o.list, o.outcome, o.incomplete))
                .collect();
        let on: Vec<&str> = results
            .iter()
            .filter(|(_, o, _)| o == "on")
            .map(|(l, _, _)| l.as_str())
            .collect();
        if results.is_empty() {
            row.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
        } else {
            row.push(Cell::Text(on.join(", ")));
            row.push(Cell::Text(
                on.iter()
                    .map(|l| dash.list_name(l, ctx.lang))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            let uncertain = results.iter().any(|(_, _, i)| *i);
            row.push(Cell::Text(
                if uncertain {
                    ctx.t("ja", "yes")
                } else {
                    ctx.t("nej", "no")
                }
                .into(),
            ));
        }
        // Residents and every measure as the disclosure policy lets them be published.
        let raw: std::collections::BTreeMap<&str, Option<kvarter_export::Decimal>> = r
            .values
            .iter()
            .map(|(c, v)| (c.as_str(), v.parse::<kvarter_export::Decimal>().ok()))
            .collect();
        let figures = policy.area_year(|c| raw.get(c).copied().flatten());
        row.push(Cell::published(&figures.get("residents"), true));
        for (c, _) in MEASURES {
            row.push(Cell::published(&figures.get(c), false));
        }
        rows.push(row);
    }
    Ok(Table {
        title: format!("{} {year}", ctx.t("Områder", "Areas")),
        columns,
        rows,
        notes: vec![
            format!(
                "{} {year}{}",
                ctx.t(
                    "kvarter: alle områder med seneste værdier og lister for listeåret",
                    "kvarter: every area with its latest values and lists of list year"
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
                    "Antal under mindstetallet, og andele af grupper under det, er undertrykt og vist som <",
                    "Counts under the minimum, and shares of groups under it, are suppressed and shown as <"
                ),
                ctx.min_count
            ),
            crate::lists::provenance(conn, ctx).map_err(|e| e.to_string())?,
        ],
    })
}

/// The early warning as a table: per area and list of the next list year, whether the area is
/// on the list now, the draws it is on in, and the probability; with the backtest's summary in
/// the notes.
pub fn foresight_table(conn: &Connection, dash: &Dash, ctx: &Ctx) -> Result<Table, String> {
    let rows = crate::foresight::outlooks(conn, None)
        .map_err(|e| format!("reading the early warning: {e}"))?;
    let Some(year) = rows.first().map(|o| o.list_year) else {
        return Err("the store has no early warning; it is computed when `kvarter load` reads register data (--registers DIR)".into());
    };
    let col = |key: &str, da: &str, en: &str, kind| Column::new(key, ctx.t(da, en), kind);
    let columns = vec![
        col("area_id", "Område-id", "Area id", Kind::Text),
        col("area_name", "Område", "Area", Kind::Text),
        col("municipality", "Kommune", "Municipality", Kind::Text),
        col("list", "Liste", "List", Kind::Text),
        col("list_year", "Listeår", "List year", Kind::Year),
        col("on_now", "På listen nu", "On the list now", Kind::Text),
        col(
            "on_draws",
            "Trækninger på listen",
            "Draws on the list",
            Kind::Integer,
        ),
        col("draws", "Trækninger", "Draws", Kind::Integer),
        col(
            "probability",
            "Sandsynlighed",
            "Probability",
            Kind::Decimal { places: 3 },
        ),
        col("outlook", "Udsigt", "Outlook", Kind::Text),
    ];
    let mut out = Vec::new();
    for o in &rows {
        let area = dash.areas.get(&o.area_id);
        out.push(vec![
            Cell::Text(o.area_id.clone()),
            Cell::Text(area.map_or_else(String::new, |a| a.name.clone())),
            Cell::Text(area.map_or_else(String::new, |a| a.municipality.clone())),
            Cell::Text(dash.list_name(&o.list, ctx.lang)),
            Cell::Integer(i64::from(o.list_year)),
            Cell::Text(match o.on_now {
                Some(true) => ctx.t("ja", "yes").into(),
                Some(false) => ctx.t("nej", "no").into(),
                None => String::new(),
            }),
            Cell::Integer(o.on_draws),
            Cell::Integer(o.draws),
            o.probability.parse().map(Cell::Decimal).map_err(|_| {
                format!(
                    "probability {:?} of {}: expected a decimal",
                    o.probability, o.area_id
                )
            })?,
            Cell::Text(o.outlook.clone()),
        ]);
    }
    let mut notes = vec![ctx
        .t(
            "Varsling fra kvarter: sandsynligheden er andelen af simulerede næste år, hvor området er på listen. Det er en model, ikke listen.",
            "Early warning from kvarter: the probability is the share of simulated next years in which the area is on the list. It is a model, not the list.",
        )
        .to_string()];
    for s in crate::foresight::scores(conn)
        .map_err(|e| format!("reading the backtest: {e}"))?
        .iter()
        .filter(|s| s.list_year.is_none() && s.areas > 0)
    {
        notes.push(format!(
            "{} {}: Brier {} ({} {}), {} {}/{}",
            ctx.t("Backtest", "Backtest"),
            dash.list_name(&s.list, ctx.lang),
            s.brier.0.as_deref().unwrap_or("–"),
            ctx.t("som sidste år", "as last year"),
            s.brier.1.as_deref().unwrap_or("–"),
            ctx.t("indgange varslet", "entries flagged"),
            s.entries.1,
            s.entries.0
        ));
    }
    notes.push(crate::lists::provenance(conn, ctx).map_err(|e| e.to_string())?);
    Ok(Table {
        title: format!("{} {year}", ctx.t("Varsling", "Early warning")),
        columns,
        rows: out,
        notes,
    })
}
