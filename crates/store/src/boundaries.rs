//! The map's boundaries (table `boundaries`, migration 9): the coast, the municipalities and
//! the districts drawn under the areas, and the points where their names go.

use rusqlite::{Connection, params};

/// The layers a boundary feature can belong to, from the bottom of the map up.
pub const LAYERS: [&str; 3] = ["coast", "municipality", "district"];

/// One feature of a boundary file, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryRow {
    /// `coast`, `municipality` or `district` (see [`LAYERS`]).
    pub layer: String,
    /// The municipality code or district number, as text (`""` when the file has none).
    pub code: String,
    /// The name shown on the map (`""`: none).
    pub name: String,
    /// The GeoJSON geometry object as text, EPSG:25832: a `Polygon` or `MultiPolygon` (an
    /// outline) or a `Point` (where the name goes).
    pub geometry: String,
}

/// Replaces nothing: stores `rows` in file order (the caller has emptied the table).
pub(crate) fn write(tx: &rusqlite::Transaction<'_>, rows: &[BoundaryRow]) -> Result<(), String> {
    let mut stmt = tx
        .prepare(
            "INSERT INTO boundaries (ord, layer, code, name, geometry) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(|e| e.to_string())?;
    for (i, r) in rows.iter().enumerate() {
        stmt.execute(params![i as i64, r.layer, r.code, r.name, r.geometry])
            .map_err(|e| format!("boundary feature {} ('{}'): {e}", i + 1, r.name))?;
    }
    Ok(())
}

/// Every stored boundary feature, in the file's order.
pub fn read(conn: &Connection) -> rusqlite::Result<Vec<BoundaryRow>> {
    let mut stmt =
        conn.prepare("SELECT layer, code, name, geometry FROM boundaries ORDER BY ord")?;
    let rows = stmt.query_map([], |r| {
        Ok(BoundaryRow {
            layer: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            geometry: r.get(3)?,
        })
    })?;
    rows.collect()
}
