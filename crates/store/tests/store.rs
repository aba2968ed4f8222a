//! The store on a real file: migrations, WAL, idempotent loads, replacement, and rollback.

use kvarter_rules::{Catalog, Decimal, EvalOptions, Evaluation, History, Observation, evaluate};
use kvarter_store::{AreaRow, Load, Loaded, Manifest, ScreeningRun, Store};
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
    screenings: Vec<ScreeningRun>,
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
        screenings: vec![ScreeningRun {
            spec: "kbh-2025".into(),
            year: 2023,
            without_origin: false,
            municipality: "101".into(),
            data_year: 2022,
            cell_size_m: 100,
            designate_on: "raw".into(),
            level: "0.95".into(),
            areas: vec![kvarter_store::ScreeningAreaRow {
                id: "area-c1".into(),
                reason: "min_population".into(),
                units: vec!["c1".into()],
                population: 1200,
                criteria: vec![criterion()],
                ..Default::default()
            }],
            city: vec![kvarter_store::ScreeningCityRow {
                criterion: "income".into(),
                indicator: "low_income_share".into(),
                num: "12002".into(),
                den: "159085".into(),
                value: Some("0.07544394506081654".into()),
                sd: None,
                units: 1724,
            }],
            units: vec![kvarter_store::ScreeningUnitRow {
                id: "c1".into(),
                population: 1200,
                component: Some("area-c1".into()),
                designated: true,
                criteria: vec![criterion()],
                ..Default::default()
            }],
            ..ScreeningRun::default()
        }],
        plans: vec![("policies.csv".into(), "id\n".into())],
    }
}

/// One criterion with a raw estimate, as the screening stores it.
fn criterion() -> kvarter_store::ScreeningCriterionRow {
    kvarter_store::ScreeningCriterionRow {
        criterion: "income".into(),
        indicator: "low_income_share".into(),
        raw: Some(kvarter_store::EstimateRow {
            value: "0.25".into(),
            num: "300".into(),
            den: "1200".into(),
            weight_on_district: "0".into(),
            ..Default::default()
        }),
        met: Some(true),
        certainty: "clear".into(),
        ..Default::default()
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

/// The counts of one indicator over the round's designated areas and the municipality.
fn populations() -> Vec<kvarter_store::PopulationCount> {
    ["designated", "municipality"]
        .into_iter()
        .zip([("346", "2000"), ("5000", "50000")])
        .map(|(p, (num, den))| kvarter_store::PopulationCount {
            spec: "kbh-2025".into(),
            round: 2023,
            population: p.into(),
            data_year: 2022,
            indicator: "outside_labour_share".into(),
            num: num.into(),
            den: den.into(),
        })
        .collect()
}

/// A coast and a municipality with its label point, as `kvarter load --boundaries` hands them.
fn boundaries() -> Vec<kvarter_store::BoundaryRow> {
    let row = |layer: &str, code: &str, name: &str, geometry: &str| kvarter_store::BoundaryRow {
        layer: layer.into(),
        code: code.into(),
        name: name.into(),
        geometry: geometry.into(),
    };
    let square = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;
    vec![
        row("coast", "", "", square),
        row("municipality", "101", "Kronstad Kommune", square),
        row(
            "municipality",
            "101",
            "Kronstad Kommune",
            r#"{"type":"Point","coordinates":[0.5,0.5]}"#,
        ),
    ]
}

#[test]
fn the_boundaries_are_read_back_in_the_file_order() {
    let path = db("boundaries");
    let mut store = Store::open(&path).unwrap();
    load(&mut store, &with_rules(inputs("45.0", "aa"))).unwrap();
    let read = kvarter_store::boundaries::read(store.connection()).unwrap();
    assert_eq!(read, boundaries());
    // The layer is one of three: the schema refuses any other.
    let bad = store.connection().execute(
        "INSERT INTO boundaries (ord, layer, geometry) VALUES (9, 'land', '{}')",
        [],
    );
    assert!(bad.is_err());
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
            populations: &populations(),
            foresight: &foresight(),
            boundaries: &boundaries(),
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
        .query_row("SELECT COUNT(*) FROM screening_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(screenings, 0);
}

/// A store of schema 5 as `kvarter load --screen` left it: the screening as a JSON document.
fn schema_5(path: &std::path::Path, document: &str) {
    let c = rusqlite::Connection::open(path).unwrap();
    for sql in &kvarter_store::MIGRATIONS[..5] {
        c.execute_batch(sql).unwrap();
    }
    c.pragma_update(None, "user_version", 5).unwrap();
    let units = r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"100m_1_2","geometry":{"type":"Polygon","coordinates":[[[200.0,100.0],[300.0,100.0],[300.0,200.0],[200.0,200.0],[200.0,100.0]]]},"properties":{"id":"100m_1_2","population":50}}]}"#;
    let geometry = r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"area-100m_1_2","geometry":{"type":"Polygon","coordinates":[]},"properties":{"id":"area-100m_1_2","population":1240}}]}"#;
    c.execute(
        "INSERT INTO screenings VALUES ('kbh-2025', 2025, 0, '101', 2024, ?1, ?2, ?3)",
        rusqlite::params![document, geometry, units],
    )
    .unwrap();
}

const DOCUMENT_5: &str = r#"{
  "spec": "kbh-2025", "year": 2025, "data_year": 2024, "cell_size_m": 100,
  "options": {"designate_on": "raw", "level": 0.95, "without_origin": false},
  "kvarter_defaults": [["designation.qualify", "Kvarters standardværdi."]],
  "city": [{"criterion": "income", "den": 159085.0, "indicator": "low_income_share", "num": 12002.0, "sd": 0.05720570116231028, "units": 1724, "value": 0.07544394506081654}],
  "designated_areas": [{"id": "area-100m_1_2", "designated": true, "reason": {"reason": "min_population"},
    "units": ["100m_1_2", "100m_1_3"], "districts": ["9"], "population": 1240, "suppressed": false,
    "state_listed_units": [], "filled_holes": ["100m_1_3"], "fragile_units": [], "fragile_population": 0,
    "criteria": [{"certainty": "clear", "city": 0.07544394506081654, "comparison": 2.8433843015411413, "criterion": "income",
      "gap": 0.1390721839714415, "indicator": "low_income_share", "kvarter_default": true, "met": true,
      "raw": {"den": 1240.0, "interval": {"high": 0.2380124171186226, "low": 0.19235071365882014}, "num": 266.0,
              "p_meets": 6.917908017201047e-05, "value": 0.21451612903225806, "weight_on_district": 0.0},
      "shrunk": null, "value_threshold": 0.11316591759122482}],
    "met": 5, "qualifies_as_whole": true, "index": 2.128494637017259}],
  "components_below_minimum": [{"cells": 1, "id": "area-100m_9_9", "population": 3, "reason": {"minimum": 1000, "population": 3, "reason": "below_minimum"}}],
  "state_listed_areas": {"B101004": ["forebyggelsesomraade"]},
  "cells": [{"id": "100m_1_2", "district": "9", "cell": [2, 1], "population": 50, "suppressed": false,
    "criteria": [{"certainty": "no_interval", "city": 0.3335684062059238, "comparison": null, "criterion": "youth_education",
      "gap": null, "indicator": "no_youth_education_at_25_share", "kvarter_default": true, "met": null,
      "raw": null, "shrunk": null, "value_threshold": 0.5003526093088857},
      {"certainty": "clear", "city": 0.12493680596281967, "comparison": 0.17239485572621965, "criterion": "labour",
      "gap": -0.10339834332396469, "indicator": "outside_labour_share", "kvarter_default": true, "met": false,
      "raw": {"den": 25.0, "interval": {"high": 0.14005760671265768, "low": 0.001182208908289127}, "num": 0.5384615659713745,
              "p_meets": 0.0061376356135911525, "value": 0.02153846263885498, "weight_on_district": 0.0},
      "shrunk": {"den": 25.0, "interval": {"high": 0.14219498955864635, "low": 0.006682359679546142}, "num": 0.5384615659713745,
              "p_meets": 0.004536870986379671, "value": 0.05291813652993049, "weight_on_district": 0.3404657946130059},
      "value_threshold": 0.18740520894422952}],
    "met": 1, "evaluable": 6, "score": null, "score_bounds": null, "qualifies": false, "undetermined": false,
    "fragile": false, "near_miss": true, "state_listed": false, "inclusion": "qualifies", "component": "area-100m_1_2",
    "designated": true, "index": 0.4562374024628186}],
  "cells_suppressed": 254,
  "notes": ["a note"]
}"#;

#[test]
fn a_store_of_schema_5_has_its_screening_documents_converted_into_the_typed_tables() {
    let path = db("from-5");
    schema_5(&path, DOCUMENT_5);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        kvarter_store::MIGRATIONS.len() as i64
    );
    let c = store.connection();
    // The document's table is gone.
    let old: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'screenings'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 0);
    let keys = kvarter_store::screening::list(c).unwrap();
    assert_eq!(keys.len(), 1);
    let run = kvarter_store::screening::read(c, "kbh-2025", 2025, false)
        .unwrap()
        .unwrap();
    assert_eq!(
        (run.municipality.as_str(), run.data_year, run.cell_size_m),
        ("101", 2024, 100)
    );
    assert_eq!(
        (run.designate_on.as_str(), run.level.as_str()),
        ("raw", "0.95")
    );
    assert_eq!(run.units_suppressed, 254);
    // The small component: only counted, its population of 3 is not stored anywhere.
    assert_eq!(run.components_below_minimum, 1);
    assert_eq!(
        run.defaults,
        vec![(
            "designation.qualify".to_string(),
            "Kvarters standardværdi.".to_string()
        )]
    );
    assert_eq!(run.notes, vec!["a note".to_string()]);
    assert_eq!(
        run.state_listed["B101004"],
        vec!["forebyggelsesomraade".to_string()]
    );
    let a = &run.areas[0];
    assert_eq!(
        (a.id.as_str(), a.population, a.met),
        ("area-100m_1_2", 1240, 5)
    );
    assert_eq!(a.filled_holes, vec!["100m_1_3".to_string()]);
    assert_eq!(
        a.geometry.as_deref(),
        Some(r#"{"coordinates":[],"type":"Polygon"}"#)
    );
    let raw = a.criteria[0].raw.as_ref().unwrap();
    // Exact decimal text: the shortest decimal that reads back as the engine's value.
    assert_eq!(
        (raw.num.as_str(), raw.den.as_str(), raw.value.as_str()),
        ("266", "1240", "0.21451612903225806")
    );
    assert_eq!(raw.p_meets.as_deref(), Some("0.00006917908017201047"));
    assert_eq!(a.index.as_deref(), Some("2.128494637017259"));
    let u = &run.units[0];
    assert_eq!(
        (u.id.as_str(), u.cell, u.population),
        ("100m_1_2", Some((2, 1)), 50)
    );
    assert!(u.geometry.as_deref().unwrap().contains("[200.0,100.0]"));
    assert_eq!(u.criteria.len(), 2);
    assert_eq!(u.criteria[0].raw, None);
    assert_eq!(u.criteria[0].met, None);
    let labour = &u.criteria[1];
    assert_eq!(labour.raw.as_ref().unwrap().num, "0.5384615659713745");
    assert_eq!(
        labour.shrunk.as_ref().unwrap().weight_on_district,
        "0.3404657946130059"
    );
    assert_eq!(run.city[0].num, "12002");
    assert_eq!(run.city[0].units, 1724);
    // Nothing of the screening is REAL: every figure is TEXT.
    let reals: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM screening_criteria WHERE typeof(raw_num) = 'real' OR typeof(raw_value) = 'real'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reals, 0);
    // Writing the converted rows again gives the same rows: conversion and load share the writer.
    drop(store);
    let path2 = db("from-5-rewritten");
    let mut store2 = Store::open(&path2).unwrap();
    let mut i = with_rules(inputs("40.00", "h"));
    i.screenings = vec![run.clone()];
    load(&mut store2, &i).unwrap();
    let again = kvarter_store::screening::read(store2.connection(), "kbh-2025", 2025, false)
        .unwrap()
        .unwrap();
    assert_eq!(again, run);
}

#[test]
fn a_schema_5_document_that_is_not_json_fails_the_migration_and_leaves_the_file() {
    let path = db("from-5-bad");
    schema_5(&path, "not json");
    let e = Store::open(&path).err().unwrap();
    assert!(e.to_string().contains("migration 6 failed"), "{e}");
    let c = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 5);
    let kept: i64 = c
        .query_row("SELECT COUNT(*) FROM screenings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1);
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
