//! GeoJSON: a FeatureCollection with one feature per row of the table.

use crate::geo::{Crs, Shape};
use crate::{Cell, ExportError, Table};
use serde_json::Value;
use std::fmt::Write;

/// The decimals of a WGS 84 coordinate: 1e-7 degrees is about a centimetre.
pub const WGS84_DECIMALS: usize = 7;

/// The legacy `crs` member's name of EPSG:25832, as GDAL and QGIS read it.
pub const UTM32_URN: &str = "urn:ogc:def:crs:EPSG::25832";

/// Writes `table` as a GeoJSON FeatureCollection: one feature per row, with the row's
/// `geometry` (a GeoJSON Polygon or MultiPolygon in EPSG:25832, as the store holds it in
/// `areas.geometry`; `None` gives a feature with a null geometry).
///
/// Each feature's `properties` has one member per column, named by the column's key, in the
/// columns' order: text as a string; a whole number as a number; a decimal as a JSON number
/// written from its exact text (`41.30` stays `41.30`, never through `f64`); a suppressed count
/// as the string `<5` (for `min_count: 5`); an empty cell as `null`. The collection also has
/// the foreign members `name` (the title) and `notes`.
///
/// - [`Crs::Wgs84`]: RFC 7946: longitude/latitude on WGS 84, no `crs` member, coordinates
///   rounded to [`WGS84_DECIMALS`] decimals, rings by the right-hand rule (exterior
///   counter-clockwise, holes clockwise).
/// - [`Crs::Utm32`]: EPSG:25832 easting and northing as stored, with the legacy (2008) `crs`
///   member naming [`UTM32_URN`] so that GIS programs know the reference system; rings
///   oriented the same way.
///
/// Rings that are not closed are closed. One feature per line, so that files diff well.
///
/// # Errors
///
/// [`ExportError::RowLength`] for a ragged table, [`ExportError::GeometryCount`] when there is
/// not one geometry per row, and [`ExportError::Geometry`] for a geometry that is not a
/// Polygon or MultiPolygon of finite coordinates.
pub fn geojson(
    table: &Table,
    geometry: &[Option<Value>],
    crs: Crs,
) -> Result<Vec<u8>, ExportError> {
    table.check()?;
    if geometry.len() != table.rows.len() {
        return Err(ExportError::GeometryCount {
            rows: table.rows.len(),
            geometries: geometry.len(),
        });
    }
    let keys: Vec<String> = table.columns.iter().map(|c| string(&c.key)).collect();
    let mut out = String::new();
    out.push_str("{\"type\":\"FeatureCollection\",\"name\":");
    out.push_str(&string(&table.title));
    if crs == Crs::Utm32 {
        let _ = write!(
            out,
            ",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"{UTM32_URN}\"}}}}"
        );
    }
    out.push_str(",\"notes\":[");
    for (i, n) in table.notes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&string(n));
    }
    out.push_str("],\"features\":[");
    for (r, (row, g)) in table.rows.iter().zip(geometry).enumerate() {
        out.push_str(if r == 0 { "\n" } else { ",\n" });
        out.push_str("{\"type\":\"Feature\",\"properties\":{");
        for (c, (key, cell)) in keys.iter().zip(row).enumerate() {
            if c > 0 {
                out.push(',');
            }
            out.push_str(key);
            out.push(':');
            match cell {
                Cell::Empty => out.push_str("null"),
                Cell::Text(s) => out.push_str(&string(s)),
                Cell::Integer(i) => {
                    let _ = write!(out, "{i}");
                }
                // rust_decimal writes `-?digits(.digits)?`: a JSON number as it is.
                Cell::Decimal(d) => {
                    let _ = write!(out, "{d}");
                }
                Cell::Suppressed { min_count } => {
                    out.push_str(&string(&crate::suppressed_marker(*min_count)));
                }
            }
        }
        out.push_str("},\"geometry\":");
        match g {
            None | Some(Value::Null) => out.push_str("null"),
            Some(g) => write_shape(&mut out, &Shape::from_stored(g, crs, r)?, crs),
        }
        out.push('}');
    }
    out.push_str("\n]}\n");
    Ok(out.into_bytes())
}

/// A JSON string literal.
fn string(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

fn write_shape(out: &mut String, s: &Shape, crs: Crs) {
    out.push_str(if s.multi {
        "{\"type\":\"MultiPolygon\",\"coordinates\":"
    } else {
        "{\"type\":\"Polygon\",\"coordinates\":"
    });
    if s.multi {
        out.push('[');
    }
    for (p, polygon) in s.polygons.iter().enumerate() {
        if p > 0 {
            out.push(',');
        }
        out.push('[');
        for (r, ring) in polygon.iter().enumerate() {
            if r > 0 {
                out.push(',');
            }
            out.push('[');
            for (i, pos) in ring.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                number(out, pos[0], crs);
                out.push(',');
                number(out, pos[1], crs);
                out.push(']');
            }
            out.push(']');
        }
        out.push(']');
    }
    if s.multi {
        out.push(']');
    }
    out.push('}');
}

/// A coordinate: degrees rounded to [`WGS84_DECIMALS`] without trailing zeros, or metres as
/// stored (the shortest text that reads back as the same double).
fn number(out: &mut String, x: f64, crs: Crs) {
    match crs {
        Crs::Wgs84 => {
            let s = format!("{x:.WGS84_DECIMALS$}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            out.push_str(if s == "-0" { "0" } else { s });
        }
        // Debug is Rust's shortest round-trip text, with `.0` on whole numbers, as serde_json
        // writes them (`725000.0`); exponents (`1e-7`) are valid JSON too.
        Crs::Utm32 => {
            let _ = write!(out, "{x:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, Kind};
    use serde_json::json;

    fn table() -> Table {
        Table {
            title: "Lister 2024".into(),
            columns: vec![
                Column::new("area_id", "Område-id", Kind::Text),
                Column::new("residents", "Beboere", Kind::Integer),
                Column::new("pct", "Andel", Kind::Percent { places: 2 }),
                Column::new("note", "Note", Kind::Text),
            ],
            rows: vec![
                vec![
                    "B1".into(),
                    Cell::Integer(1200),
                    Cell::Decimal("41.30".parse().unwrap()),
                    Cell::Empty,
                ],
                vec![
                    "B2 \"øst\"".into(),
                    Cell::Suppressed { min_count: 5 },
                    Cell::Decimal("0.1234567890123456789".parse().unwrap()),
                    "x".into(),
                ],
            ],
            notes: vec!["kvarter: test".into()],
        }
    }

    fn geometry() -> Vec<Option<Value>> {
        vec![
            // Clockwise, as a careless writer might store it.
            Some(json!({"type": "Polygon", "coordinates": [[
                [725000.0, 6175000.0], [725000.0, 6175100.0], [725100.0, 6175100.0],
                [725100.0, 6175000.0], [725000.0, 6175000.0]
            ]]})),
            None,
        ]
    }

    #[test]
    fn wgs84_is_rfc_7946() {
        let bytes = geojson(&table(), &geometry(), Crs::Wgs84).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        assert!(v.get("crs").is_none());
        assert_eq!(v["name"], "Lister 2024");
        assert_eq!(v["notes"][0], "kvarter: test");
        let f = v["features"].as_array().unwrap();
        assert_eq!(f.len(), 2);
        let p = &f[0]["properties"];
        assert_eq!(p["area_id"], "B1");
        assert_eq!(p["residents"], 1200);
        assert!(p["pct"].is_number());
        assert!(p["note"].is_null());
        assert_eq!(f[1]["properties"]["residents"], "<5");
        assert_eq!(f[1]["properties"]["area_id"], "B2 \"øst\"");
        assert!(f[1]["geometry"].is_null());
        // The decimals are written from their text, all digits kept.
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("\"pct\":41.30,"), "{text}");
        assert!(text.contains("\"pct\":0.1234567890123456789,"), "{text}");
        // Longitude first, 7 decimals at most, in Copenhagen (the reference point of geo.rs:
        // (725000, 6175000) is 12.5779261265 E, 55.6685898672 N).
        let ring = f[0]["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(ring[0], json!([12.5779261, 55.6685899]));
        for pos in ring {
            for x in pos.as_array().unwrap() {
                let s = x.to_string();
                let decimals = s.split('.').nth(1).map_or(0, str::len);
                assert!(decimals <= 7, "{s}");
            }
        }
        // Counter-clockwise exterior: the shoelace sum is positive.
        let pts: Vec<[f64; 2]> = ring
            .iter()
            .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
            .collect();
        assert!(crate::geo::signed_area(&pts) > 0.0);
        assert_eq!(pts.first(), pts.last());
    }

    #[test]
    fn utm32_keeps_the_stored_coordinates_and_names_the_crs() {
        let bytes = geojson(&table(), &geometry(), Crs::Utm32).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["crs"]["properties"]["name"], UTM32_URN);
        let ring = &v["features"][0]["geometry"]["coordinates"][0];
        assert_eq!(ring[0], json!([725000.0, 6175000.0]));
        assert_eq!(ring[1], json!([725100.0, 6175000.0]), "re-oriented");
    }

    #[test]
    fn the_same_table_gives_the_same_bytes_and_errors_name_the_row() {
        let a = geojson(&table(), &geometry(), Crs::Wgs84).unwrap();
        assert_eq!(a, geojson(&table(), &geometry(), Crs::Wgs84).unwrap());
        let e = geojson(&table(), &geometry()[..1], Crs::Wgs84).unwrap_err();
        assert_eq!(
            e,
            ExportError::GeometryCount {
                rows: 2,
                geometries: 1
            }
        );
        let bad = vec![None, Some(json!({"type": "LineString", "coordinates": []}))];
        let e = geojson(&table(), &bad, Crs::Utm32).unwrap_err();
        assert!(matches!(e, ExportError::Geometry { row: 1, .. }), "{e:?}");
        // An empty table is an empty collection.
        let empty = Table {
            rows: vec![],
            ..table()
        };
        let v: Value = serde_json::from_slice(&geojson(&empty, &[], Crs::Wgs84).unwrap()).unwrap();
        assert_eq!(v["features"], json!([]));
    }
}
