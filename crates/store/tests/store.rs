//! The store on a real file: migrations, WAL, idempotent loads, replacement, and rollback.

use kvarter_rules::{Catalog, Decimal, EvalOptions, Evaluation, History, Observation, evaluate};
use kvarter_store::{AreaRow, Load, Loaded, Manifest, ScreeningRow, Store};
use std::path::PathBuf;

fn db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("kvarter.db")
}

fn observation(id: &str, year: i32, residents: u32, outside: &str) -> Observation {
    let mut o = Observation {
        area_id: id.into(),
        area_name: format!("Area {id}"),
        municipality: "Testby Kommune".into(),
        list_year: year,
        ..Observation::default()
    };
    for (k, v) in [
        ("residents", residents.to_string()),
        ("non_western_pct", "55.00".into()),
        ("outside_labour_pct", outside.into()),
        ("convicted_pct", "2.40".into()),
        ("convicted_national_pct", "0.80".into()),
        ("basic_education_pct", "61.0".into()),
        ("income_pct_of_region", "54.0".into()),
        ("persons_18_64", "700".into()),
    ] {
        o.values.insert(k.into(), v.parse::<Decimal>().unwrap());
    }
    o
}

struct Inputs {
    manifest: Manifest,
    areas: Vec<AreaRow>,
    observations: Vec<Observation>,
    evaluation: Evaluation,
    without_origin: Evaluation,
    history: History,
    screenings: Vec<ScreeningRow>,
    plans: Vec<(String, String)>,
}

fn inputs(outside: &str, criteria_hash: &str) -> Inputs {
    let catalog = Catalog::builtin();
    let observations = vec![
        observation("A1", 2022, 1200, outside),
        observation("A2", 2022, 900, "20.0"),
        observation("A1", 2023, 1210, outside),
    ];
    let eval = |without_origin| {
        evaluate(
            &catalog,
            &observations,
            &History::new(),
            &EvalOptions {
                without_origin,
                overrides: vec![],
            },
        )
        .unwrap()
    };
    let areas = ["A1", "A2"]
        .iter()
        .map(|id| AreaRow {
            id: id.to_string(),
            name: format!("Area {id}"),
            municipality: "Testby Kommune".into(),
            geometry: Some(
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#.into(),
            ),
            ..AreaRow::default()
        })
        .collect();
    Inputs {
        manifest: Manifest {
            kvarter_version: "test".into(),
            inputs: vec![kvarter_store::InputFile {
                role: "criteria".into(),
                path: "criteria.csv".into(),
                sha256: criteria_hash.into(),
                size: 1,
            }],
            rule_sets: vec![],
            options: vec![],
        },
        areas,
        evaluation: eval(false),
        without_origin: eval(true),
        observations,
        history: {
            let mut h = History::new();
            h.add(2020, "A1", "udsat_boligomraade");
            h.add_year(2019);
            h
        },
        screenings: vec![ScreeningRow {
            spec: "kbh-2025".into(),
            year: 2023,
            without_origin: false,
            municipality: "101".into(),
            data_year: 2022,
            document: r#"{"designated_areas":[]}"#.into(),
            geometry: r#"{"type":"FeatureCollection","features":[]}"#.into(),
            units: r#"{"type":"FeatureCollection","features":[]}"#.into(),
        }],
        plans: vec![("policies.csv".into(), "id\n".into())],
    }
}

/// One outlook and one backtest row, as a load from registers stores them.
fn foresight() -> kvarter_store::Foresight {
    kvarter_store::Foresight {
        rows: vec![kvarter_store::ForesightRow {
            list_year: 2024,
            area_id: "A1".into(),
            rule_set: "dk-2021".into(),
            list: "udsat_boligomraade".into(),
            on_now: Some(true),
            on_draws: 150,
            draws: 200,
            probability: "0.75".into(),
            outlook: "staying_on".into(),
        }],
        backtest: vec![kvarter_store::BacktestRow {
            list_year: None,
            list: "udsat_boligomraade".into(),
            areas: 2,
            brier: Some("0.0625".into()),
            brier_persistence: Some("0.125".into()),
            skill: Some("0.5".into()),
            entries: 1,
            entries_flagged: 1,
            entry_false_alarms: 0,
            exits: 0,
            exits_flagged: 0,
            exit_false_alarms: 0,
        }],
    }
}

fn load(store: &mut Store, i: &Inputs) -> Result<Loaded, kvarter_store::StoreError> {
    store.load(
        &Load {
            manifest: &i.manifest,
            areas: &i.areas,
            observations: &i.observations,
            evaluation: &i.evaluation,
            without_origin: &i.without_origin,
            history: &i.history,
            screenings: &i.screenings,
            foresight: &foresight(),
            plans: Some(&i.plans),
        },
        &mut |_, _, _| {},
    )
}

/// The derived rows reference `rule_sets`: the manifest lists the catalog's rule sets.
fn with_rules(mut i: Inputs) -> Inputs {
    i.manifest.rule_sets = Catalog::builtin()
        .rule_sets()
        .iter()
        .map(|r| kvarter_store::RuleSetRow {
            id: r.id.clone(),
            family: r.family.clone(),
            title: r.title.clone(),
            title_en: r.title_en.clone(),
            first_list_year: r.in_force.first_list_year,
            last_list_year: r.in_force.last_list_year,
            file: format!("rules/{}.toml", r.id),
            content_hash: "x".into(),
            source: String::new(),
        })
        .collect();
    i
}

#[test]
fn an_empty_file_is_migrated_and_in_wal_mode() {
    let path = db("empty");
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        kvarter_store::MIGRATIONS.len() as i64
    );
    assert_eq!(store.journal_mode().unwrap(), "wal");
    let fk: i64 = store
        .connection()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    drop(store);
    // Opening again applies nothing and keeps the version.
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        kvarter_store::MIGRATIONS.len() as i64
    );
}

#[test]
fn a_store_of_schema_1_is_migrated_and_keeps_its_rows() {
    let path = db("from-1");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(kvarter_store::MIGRATIONS[0]).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute(
            "INSERT INTO rule_sets VALUES ('dk-2021', 'state-lists', 't', 't', 2021, NULL, 'dk-2021.toml', 'h')",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        kvarter_store::MIGRATIONS.len() as i64
    );
    let (id, source): (String, String) = store
        .connection()
        .query_row("SELECT id, source FROM rule_sets", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((id.as_str(), source.as_str()), ("dk-2021", ""));
    let screenings: i64 = store
        .connection()
        .query_row("SELECT COUNT(*) FROM screenings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(screenings, 0);
}

#[test]
fn a_newer_schema_is_refused() {
    let path = db("newer");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let e = Store::open(&path).err().expect("refused");
    assert!(e.to_string().contains("schema version 99 is newer"), "{e}");
}

#[test]
fn loading_the_same_inputs_twice_changes_nothing() {
    let path = db("twice");
    let mut store = Store::open(&path).unwrap();
    let i = with_rules(inputs("45.0", "aa"));
    assert!(matches!(
        load(&mut store, &i).unwrap(),
        Loaded::Stored { load_id: 1 }
    ));
    let counts = store.row_counts().unwrap();
    let sum = store.checksum().unwrap();
    assert!(counts.iter().all(|(_, n)| *n > 0), "{counts:?}");
    assert_eq!(
        load(&mut store, &i).unwrap(),
        Loaded::Unchanged { load_id: 1 }
    );
    assert_eq!(store.row_counts().unwrap(), counts);
    assert_eq!(store.checksum().unwrap(), sum);
}

#[test]
fn changed_inputs_replace_the_derived_tables() {
    let path = db("changed");
    let mut store = Store::open(&path).unwrap();
    load(&mut store, &with_rules(inputs("45.0", "aa"))).unwrap();
    let before = store.checksum().unwrap();
    let counts = store.row_counts().unwrap();
    let changed = with_rules(inputs("12.5", "bb"));
    assert_eq!(
        load(&mut store, &changed).unwrap(),
        Loaded::Stored { load_id: 2 }
    );
    assert_ne!(store.checksum().unwrap(), before);
    let after = store.row_counts().unwrap();
    for ((t, a), (_, b)) in counts.iter().zip(&after) {
        // The same shape of data: the derived tables were replaced, not appended to.
        let expected = if *t == "manifest" { a + 1 } else { *a };
        assert_eq!(*b, expected, "{t}");
    }
    let value: String = store
        .connection()
        .query_row(
            "SELECT outside_labour_pct FROM area_years WHERE area_id = 'A1' AND list_year = 2023",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(value, "12.5", "exact decimal text");
    // Loading the first inputs again after a different load stores them again.
    assert_eq!(
        load(&mut store, &with_rules(inputs("45.0", "aa"))).unwrap(),
        Loaded::Stored { load_id: 3 }
    );
}

#[test]
fn a_failing_load_leaves_the_database_as_it_was() {
    let path = db("failing");
    let mut store = Store::open(&path).unwrap();
    load(&mut store, &with_rules(inputs("45.0", "aa"))).unwrap();
    let counts = store.row_counts().unwrap();
    let sum = store.checksum().unwrap();
    // An area twice: the insert fails part-way, after the old rows were deleted.
    let mut bad = with_rules(inputs("30.0", "cc"));
    let dup = bad.areas[0].clone();
    bad.areas.push(dup);
    let e = load(&mut store, &bad).expect_err("the load fails");
    assert!(e.to_string().contains("area 'A1'"), "{e}");
    // A value with no column fails too.
    let mut bad = with_rules(inputs("30.0", "dd"));
    bad.observations[0]
        .values
        .insert("person_id".into(), Decimal::ONE);
    let e = load(&mut store, &bad).expect_err("the load fails");
    assert!(e.to_string().contains("'person_id' has no column"), "{e}");
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.row_counts().unwrap(), counts);
    assert_eq!(store.checksum().unwrap(), sum);
}
