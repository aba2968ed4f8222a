//! GeoPackage: an OGC GeoPackage 1.2 (an SQLite file) with one feature table.

use crate::geo::{Crs, Shape};
use crate::typed::{self, Ty, Val};
use crate::{ExportError, Table};
use rusqlite::{Connection, MAIN_DB, params_from_iter, types::Value as Sql};
use serde_json::Value;

/// `PRAGMA application_id` of a GeoPackage: the ASCII of `GPKG`.
pub const GPKG_APPLICATION_ID: i32 = 0x4750_4B47;

/// `PRAGMA user_version` of a GeoPackage 1.2.
pub const GPKG_USER_VERSION: i32 = 10200;

/// The `last_change` written to `gpkg_contents`: fixed, so that the same table gives the same
/// bytes (the writer reads no clock).
pub const GPKG_LAST_CHANGE: &str = "2000-01-01T00:00:00.000Z";

/// The OGC WKT (version 1) of EPSG:25832, as PROJ writes it.
const WKT_25832: &str = r#"PROJCS["ETRS89 / UTM zone 32N",GEOGCS["ETRS89",DATUM["European_Terrestrial_Reference_System_1989",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],AUTHORITY["EPSG","6258"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4258"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",9],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","25832"]]"#;

/// The OGC WKT (version 1) of EPSG:4326, as PROJ writes it.
const WKT_4326: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;

/// The primary key and the geometry column of the feature table.
const FID: &str = "fid";
const GEOM: &str = "geom";

/// Writes `table` as an OGC GeoPackage 1.2: the bytes of an SQLite database built in memory.
///
/// - `gpkg_spatial_ref_sys` holds the three rows the standard requires (-1, 0 and EPSG:4326)
///   and, for [`Crs::Utm32`], EPSG:25832;
/// - `gpkg_contents` registers one `features` table named after the title (lower case ASCII,
///   `æ ø å` as `ae oe aa`, anything else `_`), with the title as identifier, the notes as
///   description, the extent of all geometries and [`GPKG_LAST_CHANGE`];
/// - `gpkg_geometry_columns` names its `geom` column: `POLYGON` when every geometry is a
///   Polygon, otherwise `MULTIPOLYGON` (and Polygons are then written as MultiPolygons of one);
/// - the feature table has `fid INTEGER PRIMARY KEY` (the row's number from 1), `geom` as
///   GeoPackage binary (`GP`, version 0, flags 0x03: little-endian with an xy envelope, the
///   srs_id, the envelope, then little-endian WKB) or NULL, and one column per table column
///   named by its key: text `TEXT`, whole numbers and years `INTEGER`, decimals and
///   percentages `REAL` (the double nearest the exact decimal, as in XLSX: a GIS styles maps
///   by numbers), and a `<key>_suppressed` `BOOLEAN` after each count column (every
///   [`crate::Kind::Integer`] column, and any other numeric column with a suppressed cell):
///   a suppressed count is NULL with the flag 1.
///
/// `geometry` is one GeoJSON Polygon or MultiPolygon per row in EPSG:25832 (the store's
/// `areas.geometry`), or `None`; with [`Crs::Wgs84`] it is projected to longitude/latitude
/// and written with srs_id 4326. Rings follow the right-hand rule. `PRAGMA application_id`
/// is [`GPKG_APPLICATION_ID`] and `user_version` [`GPKG_USER_VERSION`]. There is no spatial
/// index (GIS programs read a few thousand polygons at once without one).
///
/// # Errors
///
/// [`ExportError::RowLength`], [`ExportError::GeometryCount`], [`ExportError::Geometry`],
/// [`ExportError::DuplicateColumn`] (also for a key `fid` or `geom`), [`ExportError::CellType`]
/// for text in a numeric column, and [`ExportError::GeoPackage`] if SQLite fails.
pub fn gpkg(table: &Table, geometry: &[Option<Value>], crs: Crs) -> Result<Vec<u8>, ExportError> {
    let columns = typed::columns(table, &[FID, GEOM])?;
    if geometry.len() != table.rows.len() {
        return Err(ExportError::GeometryCount {
            rows: table.rows.len(),
            geometries: geometry.len(),
        });
    }
    let shapes = geometry
        .iter()
        .enumerate()
        .map(|(r, g)| match g {
            None | Some(Value::Null) => Ok(None),
            Some(g) => Shape::from_stored(g, crs, r).map(Some),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let multi = shapes.iter().flatten().any(|s| s.multi) || shapes.iter().all(Option::is_none);
    let srs = crs.epsg();
    let mut extent: Option<[f64; 4]> = None;
    for s in shapes.iter().flatten() {
        let e = s.envelope();
        extent = Some(match extent {
            None => e,
            Some(x) => [
                x[0].min(e[0]),
                x[1].min(e[1]),
                x[2].max(e[2]),
                x[3].max(e[3]),
            ],
        });
    }

    let sql = |e: rusqlite::Error| ExportError::GeoPackage(e.to_string());
    let mut conn = Connection::open_in_memory().map_err(sql)?;
    let name = table_name(&table.title);
    let mut ddl = format!(
        "PRAGMA application_id = {GPKG_APPLICATION_ID};
         PRAGMA user_version = {GPKG_USER_VERSION};
         CREATE TABLE gpkg_spatial_ref_sys (
           srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (
           table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
           CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
           table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
           z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT uk_gc_table_name UNIQUE (table_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
         CREATE TABLE {} ({} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {} {}",
        ident(&name),
        ident(FID),
        ident(GEOM),
        if multi { "MULTIPOLYGON" } else { "POLYGON" },
    );
    for c in &columns {
        let ty = match c.ty {
            Ty::Text => "TEXT",
            Ty::Int => "INTEGER",
            Ty::Dec { .. } => "REAL",
        };
        ddl.push_str(&format!(", {} {ty}", ident(&c.column.key)));
        if let Some(flag) = &c.flag {
            ddl.push_str(&format!(", {} BOOLEAN NOT NULL", ident(flag)));
        }
    }
    ddl.push_str(");");
    conn.execute_batch(&ddl).map_err(sql)?;

    let tx = conn.transaction().map_err(sql)?;
    {
        let mut srs_rows: Vec<(&str, i32, &str, i32, &str, &str)> = vec![
            (
                "Undefined cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                WKT_4326,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
        ];
        if crs == Crs::Utm32 {
            srs_rows.push((
                "ETRS89 / UTM zone 32N",
                25832,
                "EPSG",
                25832,
                WKT_25832,
                "ETRS89 / UTM zone 32N: easting and northing in metres (Denmark)",
            ));
        }
        let mut st = tx
            .prepare("INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .map_err(sql)?;
        for r in srs_rows {
            st.execute(rusqlite::params![r.0, r.1, r.2, r.3, r.4, r.5])
                .map_err(sql)?;
        }
        let (min_x, min_y, max_x, max_y) = match extent {
            Some(e) => (Some(e[0]), Some(e[1]), Some(e[2]), Some(e[3])),
            None => (None, None, None, None),
        };
        tx.execute(
            "INSERT INTO gpkg_contents VALUES (?1, 'features', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params![
                name,
                table.title,
                table.notes.join("\n"),
                GPKG_LAST_CHANGE,
                min_x,
                min_y,
                max_x,
                max_y,
                srs
            ],
        )
        .map_err(sql)?;
        tx.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, ?2, ?3, ?4, 0, 0)",
            rusqlite::params![
                name,
                GEOM,
                if multi { "MULTIPOLYGON" } else { "POLYGON" },
                srs
            ],
        )
        .map_err(sql)?;

        let width = 2 + columns.len() + columns.iter().filter(|c| c.flag.is_some()).count();
        let marks = (1..=width)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut st = tx
            .prepare(&format!("INSERT INTO {} VALUES ({marks})", ident(&name)))
            .map_err(sql)?;
        let mut values: Vec<Sql> = Vec::with_capacity(width);
        for (r, (row, shape)) in table.rows.iter().zip(&shapes).enumerate() {
            values.clear();
            values.push(Sql::Integer(r as i64 + 1));
            values.push(match shape {
                Some(s) => Sql::Blob(geometry_blob(s, srs, multi)),
                None => Sql::Null,
            });
            for (c, cell) in columns.iter().zip(row) {
                let (v, suppressed) = typed::value(r, c, cell)?;
                values.push(match v {
                    Val::Null => Sql::Null,
                    Val::Text(s) => Sql::Text(s),
                    Val::Int(i) => Sql::Integer(i),
                    // The double nearest the exact decimal: Rust's parsing rounds correctly.
                    Val::Dec(d) => Sql::Real(d.to_string().parse().unwrap_or(f64::NAN)),
                });
                if c.flag.is_some() {
                    values.push(Sql::Integer(i64::from(suppressed)));
                }
            }
            st.execute(params_from_iter(values.iter())).map_err(sql)?;
        }
    }
    tx.commit().map_err(sql)?;
    let bytes = conn.serialize(MAIN_DB).map_err(sql)?;
    Ok(bytes.to_vec())
}

/// A feature table name from the title: lower-case ASCII letters, digits and `_`.
fn table_name(title: &str) -> String {
    let mut s = String::new();
    for ch in title.to_lowercase().chars() {
        match ch {
            'a'..='z' | '0'..='9' => s.push(ch),
            'æ' => s.push_str("ae"),
            'ø' => s.push_str("oe"),
            'å' => s.push_str("aa"),
            _ => {
                if !s.ends_with('_') {
                    s.push('_');
                }
            }
        }
    }
    let s = s.trim_matches('_').to_string();
    if s.is_empty() {
        "features".into()
    } else if s.starts_with(|c: char| c.is_ascii_digit())
        || s.starts_with("gpkg_")
        || s.starts_with("sqlite_")
        || s.starts_with("rtree_")
    {
        format!("kvarter_{s}")
    } else {
        s
    }
}

/// An SQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// GeoPackage binary: the header with the xy envelope, then little-endian WKB.
pub(crate) fn geometry_blob(s: &Shape, srs_id: i32, multi: bool) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"GP");
    b.push(0); // version 1 of the binary format
    b.push(0b0000_0011); // little-endian, envelope [min_x, max_x, min_y, max_y], not empty
    b.extend_from_slice(&srs_id.to_le_bytes());
    let e = s.envelope();
    for v in [e[0], e[2], e[1], e[3]] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    if multi {
        b.push(1);
        b.extend_from_slice(&6_u32.to_le_bytes());
        b.extend_from_slice(&(s.polygons.len() as u32).to_le_bytes());
    }
    for polygon in &s.polygons {
        b.push(1);
        b.extend_from_slice(&3_u32.to_le_bytes());
        b.extend_from_slice(&(polygon.len() as u32).to_le_bytes());
        for ring in polygon {
            b.extend_from_slice(&(ring.len() as u32).to_le_bytes());
            for p in ring {
                b.extend_from_slice(&p[0].to_le_bytes());
                b.extend_from_slice(&p[1].to_le_bytes());
            }
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cell, Column, Kind};
    use serde_json::json;

    fn table() -> Table {
        Table {
            title: "Lister 2024 – Område".into(),
            columns: vec![
                Column::new("area_id", "Område-id", Kind::Text),
                Column::new("list_year", "Listeår", Kind::Year),
                Column::new("residents", "Beboere", Kind::Integer),
                Column::new("pct", "Andel", Kind::Percent { places: 2 }),
            ],
            rows: vec![
                vec![
                    "B1".into(),
                    Cell::Integer(2024),
                    Cell::Integer(1200),
                    Cell::Decimal("41.30".parse().unwrap()),
                ],
                vec![
                    "B2".into(),
                    Cell::Integer(2024),
                    Cell::Suppressed { min_count: 5 },
                    Cell::Empty,
                ],
            ],
            notes: vec!["kvarter: test".into(), "second".into()],
        }
    }

    fn geometry() -> Vec<Option<Value>> {
        vec![
            Some(json!({"type": "Polygon", "coordinates": [[
                [725000.0, 6175000.0], [725100.0, 6175000.0], [725100.0, 6175100.0],
                [725000.0, 6175100.0], [725000.0, 6175000.0]
            ]]})),
            Some(json!({"type": "MultiPolygon", "coordinates": [[[
                [726000.0, 6176000.0], [726200.0, 6176000.0], [726200.0, 6176300.0],
                [726000.0, 6176000.0]
            ]]]})),
        ]
    }

    fn open(bytes: &[u8]) -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        c.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), true)
            .unwrap();
        c
    }

    #[test]
    fn a_geopackage_reads_back_with_its_header_srs_and_rows() {
        let bytes = gpkg(&table(), &geometry(), Crs::Utm32).unwrap();
        assert_eq!(&bytes[..16], b"SQLite format 3\0");
        // application_id at offset 68, user_version at 60, big-endian in the file header.
        assert_eq!(&bytes[68..72], b"GPKG");
        assert_eq!(i32::from_be_bytes(bytes[60..64].try_into().unwrap()), 10200);
        let c = open(&bytes);
        let (name, ident, desc, last, srs): (String, String, String, String, i32) = c
            .query_row(
                "SELECT table_name, identifier, description, last_change, srs_id FROM gpkg_contents",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(name, "lister_2024_omraade");
        assert_eq!(ident, "Lister 2024 – Område");
        assert_eq!(desc, "kvarter: test\nsecond");
        assert_eq!(last, GPKG_LAST_CHANGE);
        assert_eq!(srs, 25832);
        let (min_x, max_y): (f64, f64) = c
            .query_row("SELECT min_x, max_y FROM gpkg_contents", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((min_x, max_y), (725000.0, 6176300.0));
        let srs_ids: Vec<i32> = c
            .prepare("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(srs_ids, [-1, 0, 4326, 25832]);
        let (org, code): (String, i32) = c
            .query_row(
                "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = 25832",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((org.as_str(), code), ("EPSG", 25832));
        let (kind, gsrs): (String, i32) = c
            .query_row(
                "SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE column_name = 'geom'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((kind.as_str(), gsrs), ("MULTIPOLYGON", 25832));

        let mut st = c
            .prepare("SELECT fid, geom, area_id, list_year, residents, residents_suppressed, pct, typeof(pct) FROM lister_2024_omraade ORDER BY fid")
            .unwrap();
        type Row = (
            i64,
            Vec<u8>,
            String,
            i64,
            Option<i64>,
            bool,
            Option<f64>,
            String,
        );
        let rows: Vec<Row> = st
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 2);
        let (fid, geom, id, year, residents, sup, pct, ty) = &rows[0];
        assert_eq!((*fid, id.as_str(), *year), (1, "B1", 2024));
        assert_eq!(
            (*residents, *sup, *pct, ty.as_str()),
            (Some(1200), false, Some(41.3), "real")
        );
        assert_eq!((rows[1].4, rows[1].5, rows[1].6), (None, true, None));
        // The geometry header: GP, version 0, flags 0x03, srs 25832 little-endian, envelope.
        assert_eq!(&geom[..4], &[b'G', b'P', 0, 3]);
        assert_eq!(i32::from_le_bytes(geom[4..8].try_into().unwrap()), 25832);
        let env: Vec<f64> = (0..4)
            .map(|i| f64::from_le_bytes(geom[8 + 8 * i..16 + 8 * i].try_into().unwrap()))
            .collect();
        assert_eq!(env, [725000.0, 725100.0, 6175000.0, 6175100.0]);
        // WKB: little-endian MultiPolygon (6) of one Polygon (3) with one ring of 5 points.
        let wkb = &geom[40..];
        assert_eq!(wkb[0], 1);
        assert_eq!(u32::from_le_bytes(wkb[1..5].try_into().unwrap()), 6);
        assert_eq!(u32::from_le_bytes(wkb[5..9].try_into().unwrap()), 1);
        assert_eq!(wkb[9], 1);
        assert_eq!(u32::from_le_bytes(wkb[10..14].try_into().unwrap()), 3);
        assert_eq!(u32::from_le_bytes(wkb[14..18].try_into().unwrap()), 1);
        assert_eq!(u32::from_le_bytes(wkb[18..22].try_into().unwrap()), 5);
        assert_eq!(wkb.len(), 22 + 5 * 16);
        let x0 = f64::from_le_bytes(wkb[22..30].try_into().unwrap());
        assert_eq!(x0, 725000.0);
    }

    #[test]
    fn polygons_stay_polygons_and_wgs84_is_srs_4326() {
        let g = vec![geometry()[0].clone(), None];
        let bytes = gpkg(&table(), &g, Crs::Wgs84).unwrap();
        let c = open(&bytes);
        let (kind, srs): (String, i32) = c
            .query_row(
                "SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((kind.as_str(), srs), ("POLYGON", 4326));
        let n: i64 = c
            .query_row("SELECT count(*) FROM gpkg_spatial_ref_sys", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 3);
        let geom: Option<Vec<u8>> = c
            .query_row(
                "SELECT geom FROM lister_2024_omraade WHERE fid = 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(geom, None);
        let geom: Vec<u8> = c
            .query_row(
                "SELECT geom FROM lister_2024_omraade WHERE fid = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let min_x = f64::from_le_bytes(geom[8..16].try_into().unwrap());
        assert!((min_x - 12.5779261265).abs() < 1e-8, "{min_x}");
        assert_eq!(u32::from_le_bytes(geom[41..45].try_into().unwrap()), 3);
    }

    #[test]
    fn the_same_table_gives_the_same_bytes_and_bad_tables_are_refused() {
        let a = gpkg(&table(), &geometry(), Crs::Utm32).unwrap();
        assert_eq!(a, gpkg(&table(), &geometry(), Crs::Utm32).unwrap());
        let mut t = table();
        t.columns[0].key = "FID".into();
        assert_eq!(
            gpkg(&t, &geometry(), Crs::Utm32).unwrap_err(),
            ExportError::DuplicateColumn("FID".into())
        );
        let mut t = table();
        t.rows[1][3] = "high".into();
        let e = gpkg(&t, &geometry(), Crs::Utm32).unwrap_err();
        assert!(matches!(e, ExportError::CellType { row: 1, .. }), "{e:?}");
        assert!(matches!(
            gpkg(&table(), &[], Crs::Utm32).unwrap_err(),
            ExportError::GeometryCount { .. }
        ));
    }

    #[test]
    fn table_names_are_plain() {
        assert_eq!(table_name("Lister 2024"), "lister_2024");
        assert_eq!(table_name("Områder (seneste)"), "omraader_seneste");
        assert_eq!(table_name("2024"), "kvarter_2024");
        assert_eq!(table_name("gpkg_x"), "kvarter_gpkg_x");
        assert_eq!(table_name("–"), "features");
    }
}
