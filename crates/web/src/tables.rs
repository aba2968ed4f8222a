//! The download tables (the lists of a year, every area with its values and lists, the early
//! warning) for `/lists/download`, `/areas/download` and `/foresight/download`: the store's rows
//! handed to the builders of [`kvarter_view::download`], which `kvarter export` calls too, so
//! both give the same bytes.

use crate::dash::{Ctx, Dash};
use crate::pages::{PageError, resolve_year};
use kvarter_export::Table;
use kvarter_store::dashboard as store;
use kvarter_view::download::{self, Setting};
use rusqlite::Connection;

/// The table every download of a year's lists holds: one row per list and area on it. A year
/// the store has no values for is a 404.
pub fn lists_table(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: i32,
    without_origin: bool,
) -> Result<Table, PageError> {
    let year = resolve_year(dash, ctx, Some(year))?;
    let lists = store::list_members_of_year(conn, year, without_origin)?;
    let provenance = store::provenance(conn)?;
    Ok(download::lists_table(
        &setting(dash, ctx, &provenance),
        year,
        without_origin,
        lists,
    ))
}

/// Every area with its values of `year` (or its latest before), the lists it is on that year
/// and whether one of them is uncertain.
pub fn areas_table(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: i32,
    without_origin: bool,
) -> Result<Table, String> {
    let areas = store::areas_with_lists(conn, year, without_origin)
        .map_err(|e| format!("reading the areas: {e}"))?;
    let provenance = store::provenance(conn).map_err(|e| e.to_string())?;
    Ok(download::areas_table(
        &setting(dash, ctx, &provenance),
        year,
        without_origin,
        areas,
    ))
}

/// The early warning as a table, with the backtest's summary in the notes.
pub fn foresight_table(conn: &Connection, dash: &Dash, ctx: &Ctx) -> Result<Table, String> {
    let outlooks =
        store::outlooks(conn, None).map_err(|e| format!("reading the early warning: {e}"))?;
    let scores = store::scores(conn).map_err(|e| format!("reading the backtest: {e}"))?;
    let provenance = store::provenance(conn).map_err(|e| e.to_string())?;
    download::foresight_table(&setting(dash, ctx, &provenance), &outlooks, &scores, |id| {
        dash.areas
            .get(id)
            .map(|a| (a.name.as_str(), a.municipality.as_str()))
    })
}

/// The map's boundary outlines for `/boundaries/download`, as `kvarter export --what
/// boundaries` builds them ([`download::boundaries_table`]): the table and each row's geometry.
/// A 404 message when the store has none.
pub fn boundaries_table(
    conn: &Connection,
    ctx: &Ctx,
) -> Result<(Table, Vec<Option<serde_json::Value>>), String> {
    let rows = kvarter_store::boundaries::read(conn)
        .map_err(|e| format!("reading the boundaries: {e}"))?;
    let outlines = rows.into_iter().filter_map(|r| {
        let g: serde_json::Value = serde_json::from_str(&r.geometry).ok()?;
        (g["type"] != "Point").then_some((r.layer, r.code, r.name, g))
    });
    let (table, geometry) = download::boundaries_table(ctx.lang, outlines);
    if table.rows.is_empty() {
        return Err("the store has no boundaries".into());
    }
    Ok((table, geometry))
}

/// Each row's area outline (EPSG:25832 GeoJSON geometry) by the table's `area_id` column, for
/// the geographic downloads; `None` for a row without one.
pub fn table_geometry(dash: &Dash, table: &Table) -> Vec<Option<serde_json::Value>> {
    download::table_geometry(table, |id| {
        dash.areas.get(id).and_then(|a| a.geometry.clone())
    })
}

/// The download tables' setting of this request.
fn setting<'a>(
    dash: &'a Dash,
    ctx: &Ctx,
    provenance: &'a kvarter_view::rows::Provenance,
) -> Setting<'a> {
    Setting {
        lang: ctx.lang,
        min_count: ctx.min_count,
        catalog: &dash.catalog,
        provenance,
    }
}
