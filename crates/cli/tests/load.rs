//! `kvarter load` as a user runs it: the store holds the memberships `lists` prints, a second
//! load of the same inputs is a no-op, and a bad input leaves the database as it was.

mod common;

use common::{kvarter, root};
use std::path::{Path, PathBuf};
use std::process::Output;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-load-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load(args: &[&str]) -> Output {
    let out = kvarter(&[&["load"], args].concat());
    assert!(
        out.status.success(),
        "kvarter load {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn checksum(db: &Path) -> (String, Vec<(&'static str, i64)>) {
    let store = kvarter_store::Store::open(db).unwrap();
    (store.checksum().unwrap(), store.row_counts().unwrap())
}

#[test]
fn the_store_holds_the_memberships_that_lists_prints() {
    let db = tmp("lists").join("k.db");
    let db = db.to_str().unwrap();
    load(&["--criteria", "examples/criteria.csv", "--db", db]);
    let out = kvarter(&[
        "lists",
        "--criteria",
        "examples/criteria.csv",
        "--format",
        "csv",
    ]);
    assert!(out.status.success());
    let mut printed: Vec<(i64, String, String, String)> = csv::Reader::from_reader(&out.stdout[..])
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].parse().unwrap(),
                r[1].to_string(),
                r[4].to_string(),
                r[6].to_string(),
            )
        })
        .collect();
    printed.sort();
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT list_year, area_id, list, rule_set FROM list_results
             WHERE without_origin = 0 AND outcome = 'on' ORDER BY 1, 2, 3, 4",
        )
        .unwrap();
    let stored: Vec<(i64, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!stored.is_empty());
    assert_eq!(stored, printed);
}

#[test]
fn loading_twice_is_a_no_op_and_a_bad_row_changes_nothing() {
    let dir = tmp("twice");
    let db = dir.join("k.db");
    let dbs = db.to_str().unwrap();
    let args = [
        "--criteria",
        "examples/criteria.csv",
        "--history",
        "examples/history.csv",
        "--db",
        dbs,
    ];
    load(&args);
    let before = checksum(&db);
    let out = load(&args);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unchanged"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(checksum(&db), before);

    // A bad row: the error names the file and line, and the database is as it was.
    let text = std::fs::read_to_string(root().join("examples/criteria.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(",20", ",twenty", 1);
    let bad = dir.join("criteria.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let out = kvarter(&["load", "--criteria", bad.to_str().unwrap(), "--db", dbs]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("criteria.csv") && err.contains("line 4"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(checksum(&db), before);

    // A changed input replaces the derived rows.
    lines[3] = text.lines().nth(3).unwrap().to_string();
    lines.truncate(lines.len() - 1);
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    load(&["--criteria", bad.to_str().unwrap(), "--db", dbs]);
    let after = checksum(&db);
    assert_ne!(after.0, before.0);
    let rows = |c: &(String, Vec<(&str, i64)>), t: &str| {
        c.1.iter()
            .find(|(name, _)| *name == t)
            .map(|(_, n)| *n)
            .unwrap()
    };
    assert_eq!(rows(&after, "area_years"), rows(&before, "area_years") - 1);
}

#[test]
fn a_register_load_stores_the_screening_the_history_and_the_rule_files() {
    let dir = tmp("screen");
    let regs = dir.join("regs");
    let out = kvarter(&[
        "synth",
        "--scale",
        "tiny",
        "--years",
        "2019-2024",
        "--out",
        regs.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let history = dir.join("history.csv");
    std::fs::write(
        &history,
        "list_year,area_id,list\n2019,OLD1,ghettoomraade\n",
    )
    .unwrap();
    let db = dir.join("k.db");
    let (regs, db_s) = (regs.to_str().unwrap(), db.to_str().unwrap());
    load(&[
        "--registers",
        regs,
        "--db",
        db_s,
        "--screen",
        "kbh-2025",
        "--rounds",
        "2025",
        "--history",
        history.to_str().unwrap(),
    ]);
    let printed = kvarter(&["screen", "--registers", regs, "--format", "json"]);
    let store = kvarter_store::Store::open(&db).unwrap();
    let c = store.connection();
    let keys = kvarter_store::screening::list(c).unwrap();
    let key = keys.iter().find(|k| !k.without_origin).unwrap();
    // The stored screening is the one `kvarter screen` prints, for the latest year: its typed
    // rows are what the printed document converts to (outlines aside, which it does not carry).
    assert_eq!(key.year, 2025);
    let mut stored = kvarter_store::screening::read(c, "kbh-2025", 2025, false)
        .unwrap()
        .unwrap();
    assert!(!stored.units.is_empty() && !stored.city.is_empty());
    assert!(stored.units.iter().all(|u| u.geometry.is_some()));
    assert!(stored.areas.iter().all(|a| a.geometry.is_some()));
    for u in &mut stored.units {
        u.geometry = None;
    }
    for a in &mut stored.areas {
        a.geometry = None;
        // A round's name is the load's, not the printed document's: one round alone keeps the
        // engine's ids, and every area is named.
        assert_eq!(a.name_from, "derived", "{}", a.id);
        assert!(!a.name.is_empty(), "{}", a.id);
        a.name.clear();
        a.name_from.clear();
        a.listed_estates.clear();
    }
    let printed = kvarter_store::screening::run_from_document(
        key,
        &String::from_utf8(printed.stdout).unwrap(),
        "null",
        "null",
    )
    .unwrap();
    assert_eq!(stored, printed);
    let views: i64 = c
        .query_row("SELECT COUNT(*) FROM screening_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        views, 2,
        "one round (--rounds 2025), with and without the origin criterion"
    );
    let h: (i64, String, String) = c
        .query_row("SELECT list_year, area_id, list FROM history", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(h, (2019, "OLD1".into(), "ghettoomraade".into()));
    // Each rule set is stored with the text its hash is of.
    let mut st = c
        .prepare("SELECT content_hash, source FROM rule_sets")
        .unwrap();
    let rows: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 5);
    for (hash, source) in rows {
        assert_eq!(hash, kvarter_store::sha256_hex(source.as_bytes()));
    }
    // --screen needs registers.
    let out = kvarter(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        dir.join("c.db").to_str().unwrap(),
        "--screen",
        "kbh-2025",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--screen: needs a register folder"));
    assert!(
        !dir.join("c.db").exists(),
        "a refused load creates no database"
    );
}
