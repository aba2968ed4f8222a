//! `kvarter plans` as an analyst runs it: the seeded policy written as CSV, and every
//! indicator's progress computed from the store, checked against the arithmetic done by hand
//! from the store's own rows; and the plans exported as an Excel workbook, imported back and
//! exported from the store without changing a byte, with a broken workbook refused.

mod common;

use common::{kvarter, ok};
use kvarter_plans::Decimal;
use std::path::Path;

#[test]
fn the_progress_of_a_helhedsplan_is_computed_from_the_store() {
    let (dir, regs, db) = common::loaded_capital("plans");
    let plans = dir.join("plans");
    let (regs, db, plans) = (
        regs.to_str().unwrap(),
        db.to_str().unwrap(),
        plans.to_str().unwrap(),
    );
    ok(&["plans", "seed", "--db", db, "--out", plans]);
    let report = ok(&["plans", "progress", "--db", db, "--plans", plans]);

    // The first helhedsplan's indicator measures its estate's residents against the rest of
    // the municipality, per data year: worked here from the stored counts.
    let line = report
        .lines()
        .find(|l| l.starts_with("ind-hp-"))
        .unwrap_or_else(|| panic!("no helhedsplan indicator in:\n{report}"));
    let area = line.split('-').nth(2).unwrap();
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cols[1..3], ["estates", "outside_labour_share"], "{line}");
    let store = kvarter_store::Store::open(Path::new(db)).unwrap();
    let c = store.connection();
    let counts = |population: &str, year: i32| -> (Decimal, Decimal) {
        let (n, d): (String, String) = c
            .query_row(
                "SELECT num, den FROM population_counts WHERE population = ?1 \
                 AND indicator = 'outside_labour_share' AND data_year = ?2",
                rusqlite::params![population, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        (n.parse().unwrap(), d.parse().unwrap())
    };
    let pct = |(n, d): (Decimal, Decimal)| (n * Decimal::ONE_HUNDRED / d).round_dp(2);
    let value = |year| pct(counts(&format!("estate:{area}"), year));
    let rest = |year| {
        let (e, m) = (
            counts(&format!("estate:{area}"), year),
            counts("municipality", year),
        );
        pct((m.0 - e.0, m.1 - e.1))
    };
    // The baseline is taken from the data four years before the latest list year (2025).
    let (baseline, latest, rest_now) = (value(2021), value(2024), rest(2024));
    assert_eq!(cols[3], format!("{baseline}"), "{line}");
    assert_eq!(cols[4], "(2021)", "{line}");
    assert_eq!(cols[8], format!("{latest}"), "{line}");
    assert_eq!(cols[9], "(2024)", "{line}");
    assert_eq!(cols[10], format!("{rest_now}"), "{line}");
    // The straight line from the 2021 baseline to the rest's value in 2028, read in 2024.
    let required = baseline + (rest_now - baseline) * Decimal::from(3) / Decimal::from(7);
    assert_eq!(
        cols[11],
        format!("{}", required.round_dp(4).normalize()),
        "{line}"
    );
    let on_track = latest <= required;
    assert_eq!(
        cols[12],
        if on_track { "OnTrack" } else { "OffTrack" },
        "{line}"
    );
    assert_eq!(cols[13], format!("{}", latest - rest_now), "{line}");
    assert_eq!(cols[14], "(2021:", "{line}");
    assert_eq!(cols[15], format!("{})", baseline - rest(2021)), "{line}");
    assert!(line.ends_with("(illustrative)"));
    drop(store);

    // Loaded into the store with the registers: every file, and the same report from it.
    ok(&[
        "load",
        "--registers",
        regs,
        "--db",
        db,
        "--plans",
        plans,
        "--screen",
        "kbh-2025",
    ]);
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

/// The ten plan files in `dir`, by name.
fn plan_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    kvarter_plans::csv::FILES
        .iter()
        .map(|(f, _)| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
        .collect()
}

#[test]
fn plans_go_through_a_workbook_and_the_store_without_loss() {
    let dir = std::env::temp_dir().join(format!("kvarter-plans-xlsx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (regs, db, plans) = (p("regs"), p("k.db"), p("plans"));
    common::synth_tiny("2016-2024", &regs);
    ok(&["load", "--registers", &regs, "--db", &db]);
    ok(&["plans", "seed", "--db", &db, "--out", &plans]);
    let seeded = plan_files(Path::new(&plans));

    // CSV folder → workbook → CSV folder: the same bytes.
    let xlsx = p("plans.xlsx");
    let out = kvarter(&["plans", "export", "--plans", &plans, "--out", &xlsx]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote the workbook"));
    let workbook = std::fs::read(&xlsx).unwrap();
    assert_eq!(&workbook[..2], b"PK");
    ok(&["plans", "import", &xlsx, "--out", &p("plans2")]);
    assert_eq!(plan_files(Path::new(&p("plans2"))), seeded);

    // Loaded into the store and exported from it: the seed's CSV files, and the same workbook.
    ok(&["load", "--registers", &regs, "--db", &db, "--plans", &plans]);
    ok(&["plans", "export", "--db", &db, "--out", &p("plans4")]);
    assert_eq!(plan_files(Path::new(&p("plans4"))), seeded);
    ok(&["plans", "export", "--db", &db, "--out", &p("store.xlsx")]);
    assert_eq!(std::fs::read(p("store.xlsx")).unwrap(), workbook);

    // A workbook whose initiative names a sub-goal that does not exist: refused with the
    // workbook, sheet, row and column, and nothing written.
    let files: Vec<(String, String)> = seeded
        .iter()
        .map(|(f, b)| (f.clone(), String::from_utf8(b.clone()).unwrap()))
        .collect();
    let mut bad = kvarter_plans::csv::read(&files).unwrap();
    bad.action_plans[0].initiatives[1].sub_goals = vec!["sub-9.9".into()];
    let bad_xlsx = p("bad.xlsx");
    std::fs::write(
        &bad_xlsx,
        kvarter_export::plans_xlsx::to_xlsx(&bad).unwrap(),
    )
    .unwrap();
    let out = kvarter(&["plans", "import", &bad_xlsx, "--out", &p("plans3")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.xlsx: sheet initiatives:3: column 8 (sub_goals): expected"),
        "{err}"
    );
    assert!(!dir.join("plans3").exists());

    // A year typed as "20x5" in the sheet of action plans.
    let mut book = rust_xlsxwriter::Workbook::new();
    for (f, text) in &files {
        let ws = book.add_worksheet();
        ws.set_name(f.trim_end_matches(".csv")).unwrap();
        let mut rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        for (r, rec) in rows.records().enumerate() {
            for (c, v) in rec.unwrap().iter().enumerate() {
                let v = if f == "action_plans.csv" && r == 1 && c == 4 {
                    "20x5"
                } else {
                    v
                };
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    std::fs::write(&bad_xlsx, book.save_to_buffer().unwrap()).unwrap();
    let out = kvarter(&["plans", "import", &bad_xlsx, "--out", &p("plans3")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.xlsx: sheet action_plans:2: column 5 (period_from): expected a year"),
        "{err}"
    );
    assert!(!dir.join("plans3").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A workbook with a `policies` sheet holding the plan file's header and `far` at the last
/// address a worksheet has (`XFD1048576`).
fn far_workbook(far: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("policies").unwrap();
    let (_, cols) = kvarter_plans::csv::FILES[0];
    for (c, h) in cols.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1_048_575, 16_383, far).unwrap();
    book.save_to_buffer().unwrap()
}

/// `plans import` of a workbook with a cell at `XFD1048576` reads the cells that are there
/// (before, it tried to allocate the whole sheet, 512 GiB, and aborted), and of a zip package
/// without `xl/workbook.xml` refuses it (before, an empty plan set and ten header-only files):
/// each a clear error naming the workbook (and sheet, row and column), and nothing written.
#[test]

fn plans_import_refuses_a_far_cell_and_a_package_that_is_no_workbook() {
    let dir = std::env::temp_dir().join(format!("kvarter-plans-far-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let far = dir.join("far.xlsx");
    std::fs::write(&far, far_workbook("x")).unwrap();
    let out_dir = dir.join("out");
    let out = kvarter(&[
        "plans",
        "import",
        far.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("far.xlsx: sheet policies:1048576: column 16384"),
        "{err}"
    );
    assert!(!out_dir.exists());

    // The same workbook with its xl/workbook.xml left out.
    let bytes = std::fs::read(&far).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut zout = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name != "xl/workbook.xml" {
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut data).unwrap();
            zout.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zout, &data).unwrap();
        }
    }
    let broken = dir.join("broken.xlsx");
    std::fs::write(&broken, zout.finish().unwrap().into_inner()).unwrap();
    let out = kvarter(&[
        "plans",
        "import",
        broken.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("broken.xlsx") && err.contains("xl/workbook.xml"),
        "{err}"
    );
    assert!(!out_dir.exists());
}
