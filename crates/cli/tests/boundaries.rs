//! The map's boundaries: `kvarter load --boundaries FILE` stores a good file and refuses a bad
//! one with the file, the feature and what was expected, changing nothing; a register folder's
//! `boundaries.geojson` is picked up, and every map of the dashboard draws the outlines and
//! names under the areas.

mod common;

use common::{kvarter, ok};
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-bnd-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const CRS: &str = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::25832"}}"#;

/// A square ring around (x, y), `r` metres each way.
fn square(x: i64, y: i64, r: i64) -> String {
    format!(
        "[[[{},{}],[{},{}],[{},{}],[{},{}],[{},{}]]]",
        x - r,
        y - r,
        x + r,
        y - r,
        x + r,
        y + r,
        x - r,
        y + r,
        x - r,
        y - r
    )
}

fn feature(props: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{{{props}}},"geometry":{geometry}}}"#)
}

fn good() -> String {
    let features = [
        feature(
            r#""layer":"coast""#,
            &format!(
                r#"{{"type":"Polygon","coordinates":{}}}"#,
                square(725_000, 6_176_000, 20_000)
            ),
        ),
        feature(
            r#""layer":"municipality","name":"Kronstad Kommune","code":101"#,
            &format!(
                r#"{{"type":"MultiPolygon","coordinates":[{}]}}"#,
                square(725_000, 6_176_000, 10_000)
            ),
        ),
        feature(
            r#""layer":"municipality","name":"Kronstad Kommune","code":"101""#,
            r#"{"type":"Point","coordinates":[725000,6176000]}"#,
        ),
    ];
    format!(
        "{{\"type\":\"FeatureCollection\",{CRS},\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

fn load(db: &Path, boundaries: &Path) -> std::process::Output {
    kvarter(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        boundaries.to_str().unwrap(),
    ])
}

fn stored(db: &Path) -> Vec<(String, String, String, String)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT layer, code, name, geometry FROM boundaries ORDER BY ord")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_good_file_is_stored_and_a_bad_one_is_refused_naming_file_feature_and_expectation() {
    let dir = tmp("load");
    let db = dir.join("k.db");
    let file = dir.join("b.geojson");
    std::fs::write(&file, good()).unwrap();
    let out = load(&db, &file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = stored(&db);
    assert_eq!(rows.len(), 3);
    assert_eq!((rows[0].0.as_str(), rows[0].2.as_str()), ("coast", ""));
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1.as_str(), rows[1].2.as_str()),
        ("municipality", "101", "Kronstad Kommune")
    );
    assert!(rows[1].3.contains(r#""MultiPolygon""#) && rows[1].3.contains("[715000,6166000]"));
    assert!(rows[2].3.contains("Point"));
    let before = kvarter_store::Store::open(&db).unwrap().checksum().unwrap();

    let f = file.display().to_string();
    let broken = good().replace(r#""layer":"coast""#, r#""layer":"coast",,"#);
    let line_string = good().replacen(
        r#"{"type":"Point","coordinates":[725000,6176000]}"#,
        r#"{"type":"LineString","coordinates":[[725000,6176000],[726000,6177000]]}"#,
        1,
    );
    let cases: Vec<(&str, String, String)> = vec![
        (
            "missing",
            String::new(),
            format!(
                "{}: cannot read the file: No such file or directory (os error 2)",
                dir.join("missing.geojson").display()
            ),
        ),
        (
            "broken",
            broken,
            // Column 49 is the second comma of `"layer":"coast",,` (counted by hand).
            format!(
                "{f}: line 2, column 49: expected GeoJSON: key must be a string at line 2 column 49"
            ),
        ),
        (
            "line",
            line_string,
            format!(
                "{f}: feature 3 ('Kronstad Kommune'): geometry type is 'LineString'; expected Polygon, MultiPolygon or Point"
            ),
        ),
        (
            "crs",
            good().replace("EPSG::25832", "EPSG::4326"),
            format!(
                "{f}: the crs member names urn:ogc:def:crs:EPSG::4326; expected EPSG:25832 (urn:ogc:def:crs:EPSG::25832), or no crs member: reproject with ogr2ogr -t_srs EPSG:25832"
            ),
        ),
        (
            "degrees",
            good()
                .replace(&format!("{CRS},"), "")
                .replace("[725000,6176000]", "[12.57,55.68]"),
            format!(
                "{f}: feature 3 ('Kronstad Kommune'): position [12.57, 55.68] is not in EPSG:25832 (UTM zone 32N, metres); expected east and north in metres, e.g. [725000, 6176000] (longitude and latitude? reproject with ogr2ogr -t_srs EPSG:25832)"
            ),
        ),
        (
            "layer",
            good().replace(r#""layer":"coast""#, r#""layer":"land""#),
            format!(
                "{f}: feature 1: 'layer' is 'land'; expected one of coast, municipality, district"
            ),
        ),
        (
            "name",
            good().replace(r#""name":"Kronstad Kommune","code":101"#, r#""code":101"#),
            format!(
                "{f}: feature 2: expected a string 'name' (the name shown on the map) for layer 'municipality'"
            ),
        ),
        (
            "open",
            good().replace(",[715000,6166000]]]", "]]"),
            format!(
                "{f}: feature 2 ('Kronstad Kommune'): a ring is not closed; expected its last position to repeat its first"
            ),
        ),
    ];
    for (name, text, expected) in cases {
        let path = if name == "missing" {
            dir.join("missing.geojson")
        } else {
            std::fs::write(&file, &text).unwrap();
            file.clone()
        };
        let out = load(&db, &path);
        assert!(!out.status.success(), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&expected),
            "{name}: {err}\nexpected: {expected}"
        );
        assert_eq!(
            kvarter_store::Store::open(&db).unwrap().checksum().unwrap(),
            before,
            "{name}: the store changed"
        );
    }
}

/// The text of the first element with this `id` attribute up to its closing `</svg>`.
fn svg_of<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<svg id=\"{id}\""))
        .unwrap_or_else(|| panic!("no svg#{id}"));
    let end = page[start..].find("</svg>").unwrap() + start;
    &page[start..end]
}

#[test]
fn every_map_draws_the_synthetic_outlines_and_names_under_the_areas() {
    let (dir, regs, db) = common::loaded_capital("maps");
    assert!(regs.join("boundaries.geojson").is_file());
    let rows = stored(&db);
    assert_eq!(rows.iter().filter(|r| r.0 == "coast").count(), 1);
    // The capital and its ten districts, each an outline and a label point.
    assert_eq!(rows.iter().filter(|r| r.0 == "municipality").count(), 2);
    assert_eq!(rows.iter().filter(|r| r.0 == "district").count(), 20);

    let server = common::serve(&db, &[]);
    let overview = server.request("GET", "/", &[], "").body;
    let map = svg_of(&overview, "map");
    // Under the areas: the land, the municipality and the districts, then the names.
    let under = map
        .find("<g class=\"underlay\" aria-hidden=\"true\">")
        .unwrap();
    let shapes = map.find("<g class=\"shapes\">").unwrap();
    assert!(under < shapes);
    assert!(map.contains("class=\"map with-coast\""));
    for class in ["coast", "muni", "district"] {
        assert!(
            map.contains(&format!("<path class=\"{class}\" d=\"M")),
            "{class}"
        );
    }
    let labels = &map[map.find("<g class=\"labels\"").expect("names")..];
    assert!(labels.contains(">Indre Kronstad</text>"), "{labels}");
    assert!(labels.matches("class=\"lbl-d\"").count() >= 5, "{labels}");

    let screening = server.request("GET", "/screening", &[], "").body;
    let map = svg_of(&screening, "screening-map");
    assert!(map.contains("<path class=\"district\""));
    assert!(map.contains("class=\"lbl-d\""));

    let area = rows_first_area(&db);
    let profile = server
        .request("GET", &format!("/areas/{area}"), &[], "")
        .body;
    let map = svg_of(&profile, "locator");
    assert!(map.contains("<path class=\"muni\""));
    assert!(map.contains("class=\"st-here\""));
    assert!(profile.contains("Kronstad Kommune</figcaption>"));

    // The overview links the boundaries for a GIS, and the download is the export's bytes.
    assert!(overview.contains("href=\"/boundaries/download?format=gpkg\""));
    let download = server.request("GET", "/boundaries/download?format=geojson-25832", &[], "");
    assert_eq!(download.status, 200);
    let out = dir.join("b.geojson");
    ok(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--what",
        "boundaries",
        "--format",
        "geojson-25832",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(download.bytes, std::fs::read(&out).unwrap());
    let doc: serde_json::Value = serde_json::from_slice(&download.bytes).unwrap();
    // The coast, the capital and its ten districts: the label points are left out.
    assert_eq!(doc["features"].as_array().unwrap().len(), 12);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

fn rows_first_area(db: &Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT id FROM areas WHERE kind = 'social_housing' ORDER BY id LIMIT 1",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn boundaries_come_with_the_register_folder_and_a_later_file_replaces_them() {
    // `ok` asserts success; the register folder's own file is the default, an explicit file
    // wins over it.
    let dir = tmp("synth");
    let regs = dir.join("regs");
    let r = regs.to_str().unwrap();
    common::synth_tiny("2024-2024", r);
    let text = std::fs::read_to_string(regs.join("boundaries.geojson")).unwrap();
    assert!(text.contains("\"layer\":\"coast\""));
    assert!(text.contains("urn:ogc:def:crs:EPSG::25832"));
    let db = dir.join("k.db");
    let own = dir.join("own.geojson");
    std::fs::write(&own, good()).unwrap();
    ok(&[
        "load",
        "--registers",
        r,
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        own.to_str().unwrap(),
        "--foresight-draws",
        "0",
    ]);
    assert_eq!(stored(&db).len(), 3);
    // Exported for a GIS: the outlines (not the label point), with a manifest that verifies.
    let out = dir.join("b.geojson");
    ok(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--what",
        "boundaries",
        "--format",
        "geojson-25832",
        "--out",
        out.to_str().unwrap(),
    ]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(features[0]["properties"]["layer"], "coast");
    assert_eq!(features[1]["properties"]["name"], "Kronstad Kommune");
    assert_eq!(features[1]["geometry"]["type"], "MultiPolygon");
    let manifest = format!("{}.manifest.json", out.display());
    let v = kvarter(&["verify", &manifest]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let _ = std::fs::remove_dir_all(dir);
}
