//! `kvarter foresight` on the synthetic capital (`synth --scale tiny`), with one estate made far
//! worse than every threshold in every year: deterministic output, probabilities in [0, 1], the
//! estate certain to stay on its lists, and a backtest with a Brier score per list.
//!
//! The library tests run the forecast through `kvarter-foresight` itself; the command-line tests
//! run the binary.

mod common;

use common::kvarter;
use kvarter_foresight::{Options, backtest, forecast};
use kvarter_rules::{Catalog, Decimal, History};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The estate made far worse than every threshold.
const FAR: &str = "B101004";

/// The synth arguments of the test data; a change makes the data be written anew.
const SYNTH: [&str; 9] = [
    "synth",
    "--scale",
    "tiny",
    "--format",
    "csv",
    "--years",
    "2014-2024",
    "--seed",
    "1",
];

/// A tiny synthetic register folder (CSV), data years 2014–2024, in which every resident of
/// `FAR` aged 18–64 is outside the labour market full time, every 30–59-year-old has only basic
/// school (taken in Denmark), and everyone's income is low. Written once into Cargo's
/// target/tmp and kept for later runs (a marker says what it holds).
fn registers() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let dir = root.join("foresight-tiny");
        let marker = format!(
            "kvarter {} | {FAR}: outside_fte 1, education_level 1, education_source 0, income 40000\n",
            SYNTH.join(" ")
        );
        if std::fs::read_to_string(dir.join("MARKER")).ok().as_deref() == Some(marker.as_str()) {
            return dir;
        }
        let tmp = root.join(format!("foresight-tiny.{}.tmp", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let mut args: Vec<&str> = SYNTH.to_vec();
        args.extend(["--out", tmp.to_str().unwrap()]);
        let out = kvarter(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for year in 2014..=2024 {
            let path = tmp.join(format!("persons-{year}.csv"));
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap().split(',').collect();
            let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
            let (area, age, outside) = (col("area_id"), col("age"), col("outside_fte"));
            let (level, source, income) = (
                col("education_level"),
                col("education_source"),
                col("income"),
            );
            let mut out = header.join(",");
            out.push('\n');
            for line in lines {
                let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
                if cells[area] == FAR {
                    let a: u8 = cells[age].parse().unwrap();
                    if (18..=64).contains(&a) {
                        cells[outside] = "1".into();
                    }
                    if (30..=59).contains(&a) {
                        cells[level] = "1".into();
                        cells[source] = "0".into();
                    }
                    cells[income] = "40000".into();
                }
                out.push_str(&cells.join(","));
                out.push('\n');
            }
            std::fs::write(&path, out).unwrap();
        }
        std::fs::write(tmp.join("MARKER"), &marker).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        // Another test run may have put it in place meanwhile; either copy is the same.
        if std::fs::rename(&tmp, &dir).is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        dir
    })
}

fn dir() -> &'static str {
    registers().to_str().unwrap()
}

#[test]
fn library_forecast_is_deterministic_and_certain_far_from_the_thresholds() {
    let reg = kvarter_data::read_registers(registers(), None, &mut |_, _, _| {}).unwrap();
    let catalog = Catalog::builtin();
    let run = || {
        forecast(
            &reg,
            &catalog,
            &History::new(),
            &Options::default(),
            &mut |_, _, _| {},
        )
        .unwrap()
    };
    let f = run();
    assert_eq!(f, run());
    assert_eq!((f.known_data_year, f.list_year), (2024, 2026));
    for r in &f.rows {
        assert!(r.probability >= Decimal::ZERO && r.probability <= Decimal::ONE);
    }
    let far: Vec<_> = f.rows.iter().filter(|r| r.area_id == FAR).collect();
    for list in [
        "udsat_boligomraade",
        "parallelsamfund",
        "omdannelsesomraade",
        "kombineret_udlejning",
    ] {
        let r = far.iter().find(|r| r.list == list).unwrap();
        assert_eq!(r.on_now, Some(true), "{list}");
        assert!(
            r.probability >= Decimal::new(9, 1),
            "{list}: {}",
            r.probability
        );
    }
}

#[test]
fn library_backtest_scores_every_list() {
    let reg = kvarter_data::read_registers(registers(), None, &mut |_, _, _| {}).unwrap();
    let b = backtest(
        &reg,
        &Catalog::builtin(),
        &History::new(),
        &Options {
            draws: 50,
            ..Options::default()
        },
        3,
        &mut |_, _, _| {},
    )
    .unwrap();
    // Data 2014–2024: list years 2015–2025; three data years up to Y − 2 first allow 2018.
    assert_eq!(b.years, (2018..=2025).collect::<Vec<_>>());
    for s in &b.summary {
        let brier = s.tally.brier().unwrap();
        assert!(
            brier >= Decimal::ZERO && brier <= Decimal::ONE,
            "{}",
            s.list
        );
    }
}

#[test]
fn cli_forecast_csv_is_deterministic_and_ranked() {
    let args = ["foresight", "--registers", dir(), "--format", "csv"];
    let a = common::ok(&args);
    assert_eq!(a, common::ok(&args));
    let mut rdr = csv::Reader::from_reader(a.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "list_year",
            "list",
            "list_name",
            "rule_set",
            "area_id",
            "area_name",
            "municipality",
            "on_now",
            "probability",
            "on_draws",
            "draws",
            "outlook"
        ]
    );
    let mut n = 0;
    for row in rdr.records() {
        let row = row.unwrap();
        n += 1;
        assert_eq!(&row[0], "2026");
        let p: Decimal = row[8].parse().unwrap();
        assert!(p >= Decimal::ZERO && p <= Decimal::ONE, "{row:?}");
        if &row[4] == FAR && &row[7] == "true" {
            assert!(p >= Decimal::new(9, 1), "{row:?}");
            assert_eq!(&row[11], "staying_on");
        }
    }
    assert!(n > 0);
}

#[test]
fn cli_forecast_table_and_json() {
    let table = common::ok(&[
        "foresight",
        "--registers",
        dir(),
        "--lang",
        "en",
        "--list",
        "udsat_boligomraade",
    ]);
    assert!(
        table.starts_with("Forecast of the lists of 1 December 2026"),
        "{table}"
    );
    assert!(table.contains("Risk of entering"), "{table}");
    assert!(table.contains("Chance of leaving"), "{table}");
    assert!(!table.contains("parallelsamfund"), "{table}");
    let json = common::ok(&[
        "foresight",
        "--registers",
        dir(),
        "--format",
        "json",
        "--top",
        "1",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["list_year"], 2026);
    for l in v["lists"].as_array().unwrap() {
        assert!(l["entering"].as_array().unwrap().len() <= 1);
        assert!(l["leaving"].as_array().unwrap().len() <= 1);
    }
}

#[test]
fn cli_backtest_prints_a_brier_score_per_list() {
    let table = common::ok(&[
        "foresight",
        "--registers",
        dir(),
        "--backtest",
        "--draws",
        "50",
        "--lang",
        "en",
    ]);
    assert!(table.contains("Brier"), "{table}");
    assert!(table.contains("Summary over 2018–2025"), "{table}");
    let csv_out = common::ok(&[
        "foresight",
        "--registers",
        dir(),
        "--backtest",
        "--draws",
        "50",
        "--format",
        "csv",
    ]);
    let mut rdr = csv::Reader::from_reader(csv_out.as_bytes());
    let brier = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "brier")
        .unwrap();
    let mut lists = Vec::new();
    for row in rdr.records() {
        let row = row.unwrap();
        if &row[0] == "all" {
            let b: Decimal = row[brier].parse().unwrap();
            assert!(b >= Decimal::ZERO && b <= Decimal::ONE);
            lists.push(row[1].to_string());
        }
    }
    for l in [
        "udsat_boligomraade",
        "forebyggelsesomraade",
        "ghettoomraade",
    ] {
        assert!(lists.iter().any(|x| x == l), "{l} in {lists:?}");
    }
}

#[test]
fn cli_errors_name_what_was_expected() {
    let missing = kvarter(&["foresight", "--registers", "/nonexistent/kvarter-registers"]);
    assert!(!missing.status.success());
    assert!(missing.stdout.is_empty());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.starts_with("error: /nonexistent/kvarter-registers"),
        "{err}"
    );
    let bad_list = kvarter(&["foresight", "--registers", dir(), "--list", "ghetto"]);
    assert!(!bad_list.status.success());
    assert!(bad_list.stdout.is_empty());
    let err = String::from_utf8_lossy(&bad_list.stderr);
    assert!(
        err.starts_with("error: --list ghetto: no such list; expected one of: forebyggelsesomraade, ghettoomraade,"),
        "{err}"
    );
    // A list of another era: known, but not a list of the year forecast.
    let old_list = kvarter(&[
        "foresight",
        "--registers",
        dir(),
        "--list",
        "haardt_ghettoomraade",
    ]);
    assert!(!old_list.status.success());
    let err = String::from_utf8_lossy(&old_list.stderr);
    assert!(
        err.contains("--list haardt_ghettoomraade: no such list in the list year 2026; expected one of: udsat_boligomraade, parallelsamfund"),
        "{err}"
    );
}
