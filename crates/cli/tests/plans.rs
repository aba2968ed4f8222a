//! `kvarter plans` as an analyst runs it: the seeded policy written as CSV, and every
//! indicator's progress computed from the store, checked against the arithmetic done by hand
//! from the store's own rows.

mod common;

use common::{kvarter, ok};
use kvarter_plans::Decimal;
use std::path::Path;

#[test]
fn the_progress_of_a_helhedsplan_is_computed_from_the_store() {
    let dir = std::env::temp_dir().join(format!("kvarter-plans-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (regs, db, plans) = (dir.join("regs"), dir.join("k.db"), dir.join("plans"));
    let (regs, db, plans) = (
        regs.to_str().unwrap(),
        db.to_str().unwrap(),
        plans.to_str().unwrap(),
    );
    ok(&[
        "synth",
        "--scale",
        "tiny",
        "--years",
        "2016-2024",
        "--out",
        regs,
    ]);
    ok(&["load", "--registers", regs, "--db", db]);
    ok(&["plans", "seed", "--db", db, "--out", plans]);
    let report = ok(&["plans", "progress", "--db", db, "--plans", plans]);

    // The first helhedsplan's indicator measures one area: its latest value is that area's.
    let line = report
        .lines()
        .find(|l| l.starts_with("ind-hp-"))
        .unwrap_or_else(|| panic!("no helhedsplan indicator in:\n{report}"));
    let area = line.split('-').nth(2).unwrap();
    let cols: Vec<&str> = line.split_whitespace().collect();
    let store = kvarter_store::Store::open(Path::new(db)).unwrap();
    let c = store.connection();
    let value = |year: i32| -> Decimal {
        c.query_row(
            "SELECT outside_labour_pct FROM area_years WHERE area_id = ?1 AND list_year = ?2",
            rusqlite::params![area, year],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
        .parse()
        .unwrap()
    };
    // The city: every area weighted by its persons aged 18-64.
    let city: Decimal = {
        let mut st = c
            .prepare(
                "SELECT outside_labour_pct, persons_18_64 FROM area_years WHERE list_year = 2025",
            )
            .unwrap();
        let rows: Vec<(Decimal, Decimal)> = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(|r| {
                let (v, w) = r.unwrap();
                (v.parse().unwrap(), w.parse().unwrap())
            })
            .collect();
        let w: Decimal = rows.iter().map(|(_, w)| *w).sum();
        (rows.iter().map(|(v, w)| v * w).sum::<Decimal>() / w).round_dp(2)
    };
    let (baseline, latest) = (value(2021).round_dp(2), value(2025).round_dp(2));
    assert_eq!(cols[2], format!("{baseline}"), "{line}");
    assert_eq!(cols[3], "(2021)", "{line}");
    assert_eq!(cols[6], format!("{latest}"), "{line}");
    // The straight line from the 2021 baseline to the city average in 2028, read in 2025.
    let required = baseline + (city - baseline) * Decimal::from(4) / Decimal::from(7);
    assert_eq!(cols[8], format!("{}", required.round_dp(4)), "{line}");
    let on_track = latest <= required;
    assert_eq!(
        cols[9],
        if on_track { "OnTrack" } else { "OffTrack" },
        "{line}"
    );
    assert_eq!(cols[10], format!("{}", latest - city), "{line}");
    assert!(line.ends_with("(illustrative)"));

    // Loaded into the store with the registers: every file, and the same report from it.
    ok(&["load", "--registers", regs, "--db", db, "--plans", plans]);
    let store = kvarter_store::Store::open(Path::new(db)).unwrap();
    let files: i64 = store
        .connection()
        .query_row("SELECT COUNT(*) FROM plan_files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(files, 10);
    drop(store);
    let before = std::fs::read(db).unwrap();

    // A plan file with an unknown administration is refused with file, line and column.
    let file = Path::new(plans).join("initiatives.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen("Socialforvaltningen", "Vejforvaltningen", 1),
    )
    .unwrap();
    let out = kvarter(&["plans", "progress", "--db", db, "--plans", plans]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("initiatives.csv") && err.contains("owner"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // ... and loading it changes nothing in the store.
    let out = kvarter(&["load", "--registers", regs, "--db", db, "--plans", plans]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("initiatives.csv"));
    assert_eq!(std::fs::read(db).unwrap(), before);
}
