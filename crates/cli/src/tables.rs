//! The tables `kvarter export` writes: the store's rows (`kvarter_store::dashboard`) handed to
//! the builders of [`kvarter_view::download`], exactly as the dashboard's `/lists/download` and
//! `/areas/download` hand them, so that a page's download and an export are byte-identical.

use kvarter_export::Table;
use kvarter_report::Lang;
use kvarter_store::dashboard as store;
use kvarter_view::download::{self, Setting};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeMap;

/// Which table.
#[derive(Clone, Copy)]
pub(crate) enum Which {
    /// The lists of the year: one row per list and area on it.
    Lists,
    /// Every area with its latest values up to the year and its lists that year.
    Areas,
}

/// Every list year with values, ascending.
pub(crate) fn list_years(conn: &Connection) -> Result<Vec<i32>, String> {
    store::list_years(conn).map_err(|e| format!("reading the store: {e}"))
}

/// The table of `which` for a list year the store has values for.
pub(crate) fn table(
    conn: &Connection,
    which: Which,
    lang: Lang,
    min_count: u64,
    year: i32,
    without_origin: bool,
) -> Result<Table, String> {
    let read = |e: rusqlite::Error| format!("reading the store: {e}");
    let law = store::stored_law(conn)?;
    let provenance = store::provenance(conn).map_err(read)?;
    let setting = Setting {
        lang,
        min_count,
        catalog: &law.catalog,
        provenance: &provenance,
    };
    Ok(match which {
        Which::Lists => download::lists_table(
            &setting,
            year,
            without_origin,
            store::list_members_of_year(conn, year, without_origin).map_err(read)?,
        ),
        Which::Areas => download::areas_table(
            &setting,
            year,
            without_origin,
            store::areas_with_lists(conn, year, without_origin)
                .map_err(|e| format!("reading the areas: {e}"))?,
        ),
    })
}

/// Each row's area outline (the stored EPSG:25832 GeoJSON geometry) by the table's `area_id`
/// column, for the geographic formats; `None` for a row without one.
pub(crate) fn geometry(conn: &Connection, table: &Table) -> Result<Vec<Option<Value>>, String> {
    let outlines: BTreeMap<String, Value> = store::areas(conn)
        .map_err(|e| format!("reading the store: {e}"))?
        .into_iter()
        .filter_map(|a| Some((a.id, serde_json::from_str(&a.geometry?).ok()?)))
        .collect();
    Ok(download::table_geometry(table, |id| {
        outlines.get(id).cloned()
    }))
}

/// The map's boundary outlines as the store holds them (`kvarter load --boundaries`), in the
/// file's order, as [`download::boundaries_table`] builds them (the label points left out: a
/// GIS places its own labels). No outline is an error that says how to load one.
pub(crate) fn boundaries(
    conn: &Connection,
    lang: Lang,
) -> Result<(Table, Vec<Option<Value>>), String> {
    let rows = kvarter_store::boundaries::read(conn)
        .map_err(|e| format!("reading the boundaries: {e}"))?;
    let (table, geometry) = download::boundaries_table(lang, outlines(rows));
    if table.rows.is_empty() {
        return Err("the store has no boundaries; expected a load with --boundaries FILE or a register folder with boundaries.geojson".into());
    }
    Ok((table, geometry))
}

/// The outlines among stored boundary rows (not the label points), their geometry parsed.
pub(crate) fn outlines(
    rows: Vec<kvarter_store::BoundaryRow>,
) -> impl Iterator<Item = (String, String, String, Value)> {
    rows.into_iter().filter_map(|r| {
        let g: Value = serde_json::from_str(&r.geometry).ok()?;
        (g["type"] != "Point").then_some((r.layer, r.code, r.name, g))
    })
}
