//! The early warning as the store keeps it and the dashboard shows it: `kvarter load
//! --registers` computes each area's probability per list of the next list year and the
//! backtest, the same every time; `/foresight`, the area profile and `/api/foresight` show
//! exactly what was stored.

mod common;

use common::{ok, serve};
use kvarter_plans::Decimal;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    (
        head.split(' ').nth(1).unwrap().parse().unwrap(),
        String::from_utf8_lossy(&raw[split + 4..]).to_string(),
    )
}

fn load(regs: &Path, db: &Path) {
    ok(&[
        "load",
        "--registers",
        regs.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
}

/// Every stored outlook and backtest row, as text, in key order.
fn stored(db: &Path) -> Vec<String> {
    let store = kvarter_store::Store::open(db).unwrap();
    let c = store.connection();
    let mut out = Vec::new();
    for q in [
        "SELECT list_year || ' ' || area_id || ' ' || list || ' ' || COALESCE(on_now, '-') || ' ' || on_draws || '/' || draws || ' ' || probability || ' ' || outlook FROM foresight ORDER BY 1",
        "SELECT COALESCE(list_year, 'all') || ' ' || list || ' ' || areas || ' ' || COALESCE(brier, '-') || ' ' || entries || ' ' || entries_flagged FROM foresight_backtest ORDER BY 1",
    ] {
        let mut st = c.prepare(q).unwrap();
        out.extend(
            st.query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .map(Result::unwrap),
        );
    }
    out
}

#[test]
fn the_stored_early_warning_is_deterministic_and_shown_as_stored() {
    let dir: PathBuf = std::env::temp_dir().join(format!("kvarter-early-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let regs = dir.join("regs");
    common::synth_tiny("2014-2024", &regs);
    let (a, b) = (dir.join("a.db"), dir.join("b.db"));
    load(&regs, &a);
    load(&regs, &b);
    let rows = stored(&a);
    assert_eq!(
        rows,
        stored(&b),
        "the same inputs give the same early warning"
    );
    // The next list year is the one after the latest the data give (data 2024: lists to 2025).
    assert!(rows[0].starts_with("2026 "), "{}", rows[0]);
    assert!(
        rows.iter().any(|r| r.starts_with("all ")),
        "a backtest summary"
    );

    // `kvarter foresight` prints what the load stored: the same seed and draws, the same counts.
    let cli: Value = serde_json::from_str(&ok(&[
        "foresight",
        "--registers",
        regs.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(cli["list_year"], 2026);
    let mut compared = 0;
    for list in cli["lists"].as_array().unwrap() {
        for side in ["entering", "leaving"] {
            for o in list[side].as_array().unwrap() {
                let key = format!(
                    "2026 {} {} ",
                    o["area_id"].as_str().unwrap(),
                    list["list"].as_str().unwrap()
                );
                let row = rows
                    .iter()
                    .find(|r| r.starts_with(&key))
                    .unwrap_or_else(|| panic!("{key} not stored"));
                assert!(
                    row.contains(&format!(" {}/{} ", o["on_draws"], cli["draws"])),
                    "{row} against {o}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 0);

    let server = serve(&a, &[]);
    let (status, json) = get(&server.addr, "/api/foresight");
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&json).unwrap();
    let outlooks = doc["outlooks"].as_array().unwrap();
    assert_eq!(
        outlooks.len(),
        rows.iter().filter(|r| r.starts_with("2026 ")).count()
    );
    for o in outlooks {
        // The probability is exactly the share of draws.
        let p: Decimal = o["probability"].as_str().unwrap().parse().unwrap();
        let share = Decimal::from(o["on_draws"].as_i64().unwrap())
            / Decimal::from(o["draws"].as_i64().unwrap());
        assert_eq!(p, share, "{o}");
        // The outlook is the flag at one half.
        let half = Decimal::new(5, 1);
        let expected = match (o["on_now"].as_bool() == Some(true), p >= half) {
            (false, true) => "entering",
            (true, false) => "leaving",
            (true, true) => "staying_on",
            (false, false) => "staying_off",
        };
        assert_eq!(o["outlook"], expected, "{o}");
    }

    // The page ranks the areas at risk of entering, highest first, as stored.
    let (status, page) = get(&server.addr, "/foresight");
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Varsling for listerne 1. december 2026</h1>"));
    assert!(page.contains("id=\"backtest\""));
    for list in ["udsat_boligomraade", "forebyggelsesomraade"] {
        let mut entering: Vec<&Value> = outlooks
            .iter()
            .filter(|o| {
                o["list"] == list && o["on_now"] != true && o["on_draws"].as_i64() > Some(0)
            })
            .collect();
        entering.sort_by_key(|o| std::cmp::Reverse(o["on_draws"].as_i64()));
        if let Some(first) = entering.first() {
            let table = &page[page.find(&format!("id=\"entering-{list}\"")).unwrap()..];
            let first_link = &table[table.find("href=\"/areas/").unwrap() + 13..];
            let id = &first_link[..first_link.find('"').unwrap()];
            let top = entering
                .iter()
                .filter(|o| o["on_draws"] == first["on_draws"])
                .any(|o| o["area_id"] == id);
            assert!(top, "{id} is not among the most likely to enter {list}");
        }
    }
    // The area profile shows the same probability, as a percentage with a decimal comma.
    let o = outlooks
        .iter()
        .find(|o| o["on_draws"].as_i64() > Some(0))
        .expect("some area is on some list in some draw");
    let area = o["area_id"].as_str().unwrap();
    let (_, profile) = get(&server.addr, &format!("/areas/{area}"));
    let p: Decimal = o["probability"].as_str().unwrap().parse().unwrap();
    let shown = format!("{} %", (p * Decimal::from(100)).round_dp(1)).replace('.', ",");
    let section = &profile[profile.find("<section id=\"foresight\">").unwrap()..];
    assert!(section.contains(&shown), "{shown} not in {section:.600}");

    // The downloads: the early warning as CSV has one row per stored outlook, and every area's
    // table is the same bytes as `kvarter export --what areas` writes.
    let (status, csv) = get(&server.addr, "/foresight/download?format=csv");
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), outlooks.len() + 1, "{csv:.300}");
    assert!(csv.lines().next().unwrap().contains("probability"));
    let out = dir.join("areas.csv");
    ok(&[
        "export",
        "--db",
        a.to_str().unwrap(),
        "--what",
        "areas",
        "--year",
        "2025",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (status, areas) = get(&server.addr, "/areas/download?year=2025&format=csv");
    assert_eq!(status, 200);
    assert_eq!(areas, std::fs::read_to_string(&out).unwrap());
    assert_eq!(get(&server.addr, "/foresight/download?format=pdf").0, 400);
    // With a high minimum, a share of a group under it is suppressed like a count.
    let strict = dir.join("areas-strict.csv");
    ok(&[
        "export",
        "--db",
        a.to_str().unwrap(),
        "--what",
        "areas",
        "--year",
        "2025",
        "--format",
        "csv",
        "--min-count",
        "200",
        "--out",
        strict.to_str().unwrap(),
    ]);
    // Read as CSV: an area on two lists has a quoted cell with a comma in it.
    let mut reader = csv::Reader::from_path(&strict).unwrap();
    let head: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let at = |k: &str| head.iter().position(|h| h == k).unwrap();
    let store = kvarter_store::Store::open(&a).unwrap();
    let (mut hidden, mut shown) = (0, 0);
    for record in reader.records() {
        let cells = record.unwrap();
        let line = cells.iter().collect::<Vec<_>>().join(",");
        // The share is hidden when its group, or the persons it counts, is under the minimum
        // (docs/DISCLOSURE.md, rule 2).
        let (group, pct): (Option<f64>, Option<f64>) = store
            .connection()
            .query_row(
                "SELECT CAST(persons_18_64 AS REAL), CAST(outside_labour_pct AS REAL) FROM area_years WHERE area_id = ?1 AND list_year = 2025",
                [cells.get(at("area_id")).unwrap()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap_or((None, None));
        let cell = cells.get(at("outside_labour_pct")).unwrap();
        match group {
            Some(g) if g < 200.0 || pct.is_some_and(|p| p * g / 100.0 < 200.0) => {
                assert_eq!(cell, "<200", "{line}");
                hidden += 1;
            }
            Some(_) => {
                assert!(cell.parse::<f64>().is_ok(), "{line}");
                shown += 1;
            }
            None => {}
        }
    }
    assert!(
        hidden > 0 && shown > 0,
        "both kinds of area: {hidden} hidden, {shown} shown"
    );
    // Each download says where it comes from: the load and every rule set by its hash.
    let (_, geo) = get(&server.addr, "/areas/download?year=2025&format=geojson");
    let geo: Value = serde_json::from_str(&geo).unwrap();
    let notes = geo["notes"].as_array().unwrap();
    let last = notes.last().unwrap().as_str().unwrap();
    let (_, rs) = get(&server.addr, "/api/rule-sets");
    let rs: Value = serde_json::from_str(&rs).unwrap();
    for r in rs["items"].as_array().unwrap() {
        let hash = r["content_hash"].as_str().unwrap();
        let id = r["id"].as_str().unwrap();
        assert!(
            last.contains(&format!("{id} (sha256 {})", &hash[..12])),
            "{last}"
        );
    }
    assert!(last.starts_with("Lavet af kvarter "), "{last}");

    // The overview sums it up: areas at risk of entering a list, and likely to leave one.
    let (_, overview) = get(&server.addr, "/");
    let distinct = |o: &str| {
        outlooks
            .iter()
            .filter(|x| x["outlook"] == o)
            .map(|x| x["area_id"].as_str().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let summary = &overview[overview.find("id=\"warning-summary\"").expect("a summary")..];
    let summary = &summary[..summary.find("</p>").unwrap()];
    assert!(
        summary.contains(&format!(
            ": {} områder har mindst 50 % risiko",
            distinct("entering")
        )),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("· {} har mindst 50 % udsigt", distinct("leaving"))),
        "{summary}"
    );

    // Bad parameters.
    assert_eq!(get(&server.addr, "/foresight?list=nonsense").0, 404);
    assert_eq!(get(&server.addr, "/foresight?top=0").0, 400);
    assert_eq!(get(&server.addr, "/api/foresight?x=1").0, 400);
}

#[test]
fn a_store_from_published_values_has_no_early_warning_and_says_so() {
    let dir = std::env::temp_dir().join(format!("kvarter-early-none-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("k.db");
    ok(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        db.to_str().unwrap(),
    ]);
    let server = serve(&db, &[]);
    let (status, page) = get(&server.addr, "/foresight");
    assert_eq!(status, 200);
    assert!(page.contains("--registers DIR"), "{page}");
    let (_, json) = get(&server.addr, "/api/foresight");
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["outlooks"].as_array().unwrap().len(), 0);
    assert_eq!(get(&server.addr, "/foresight/download?format=csv").0, 404);
    assert_eq!(doc["list_year"], Value::Null);
}

#[test]
fn two_data_years_are_loaded_with_a_forecast_and_no_backtest_and_the_page_says_why() {
    let dir = std::env::temp_dir().join(format!("kvarter-early-two-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let regs = dir.join("regs");
    common::synth_tiny("2023-2024", &regs);
    let db = dir.join("k.db");
    // A backtest needs data up to two years before a list year and three data years up to it;
    // two data years give none, and the load goes on without it instead of refusing.
    let out = common::kvarter(&[
        "load",
        "--registers",
        regs.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("stored without a backtest"), "{err}");
    let rows = stored(&db);
    assert!(rows[0].starts_with("2026 "), "{}", rows[0]);
    assert!(
        rows.iter().all(|r| r.starts_with("2026 ")),
        "no backtest row: {rows:?}"
    );

    let server = serve(&db, &[]);
    let (status, page) = get(&server.addr, "/foresight");
    assert_eq!(status, 200);
    assert!(page.contains("id=\"no-backtest\""), "{page}");
    assert!(!page.contains("id=\"backtest\""), "{page}");
    let (_, json) = get(&server.addr, "/api/foresight");
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["list_year"], 2026);
    assert_eq!(doc["backtest"].as_array().unwrap().len(), 0);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
