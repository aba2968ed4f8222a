//! Designation rounds as the municipality runs them: `load --screen` stores a round every fourth
//! year from 2017, each area named after what is inside it and keeping its id and name while it
//! continues; every state-listed estate of the municipality is included with its lists; a names
//! file overrides names and a bad one is refused with its line; the dashboard and the API show
//! each round against the round before.

mod common;

use common::{kvarter, ok, serve};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// (year, without_origin) → [(id, name, name_from, units, listed estate ids)].
type Rounds = BTreeMap<(i32, bool), Vec<(String, String, String, Vec<String>, Vec<String>)>>;

fn rounds(db: &str) -> Rounds {
    let store = kvarter_store::Store::open(Path::new(db)).unwrap();
    let c = store.connection();
    let mut st = c
        .prepare(
            "SELECT year, without_origin, area_id, name, name_from, units, listed_estates
             FROM screening_areas WHERE spec = 'kbh-2025' ORDER BY year, without_origin, ord",
        )
        .unwrap();
    let mut out = Rounds::new();
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (year, wo, id, name, from, units, listed) = row.unwrap();
        let units: Vec<String> = serde_json::from_str(&units).unwrap();
        let listed: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
        let listed = listed
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        out.entry((year, wo))
            .or_default()
            .push((id, name, from, units, listed));
    }
    out
}

#[test]
fn rounds_are_stored_every_fourth_year_with_stable_ids_names_and_the_state_lists() {
    let (dir, regs, db) = common::loaded_capital("rounds");
    let (regs, db) = (regs.to_str().unwrap(), db.to_str().unwrap());

    // Screening years 2017–2025: the rounds of 2017, 2021 and 2025, each with and without the
    // origin criterion.
    let r = rounds(db);
    let keys: BTreeSet<(i32, bool)> = r.keys().copied().collect();
    let want: BTreeSet<(i32, bool)> = [2017, 2021, 2025]
        .iter()
        .flat_map(|&y| [(y, false), (y, true)])
        .collect();
    assert_eq!(keys, want);

    // The register folder's names, and which areas are estates.
    let areas_csv = std::fs::read_to_string(Path::new(regs).join("areas.csv")).unwrap();
    let mut estate_names = BTreeSet::new();
    let mut all_names = BTreeSet::new();
    for line in areas_csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        all_names.insert(f[1].to_string());
        if f[5] == "social_housing" {
            estate_names.insert(f[1].to_string());
        }
    }
    for ((year, wo), areas) in &r {
        let names: BTreeSet<&str> = areas.iter().map(|a| a.1.as_str()).collect();
        assert_eq!(
            names.len(),
            areas.len(),
            "{year}: names are unique: {names:?}"
        );
        for (id, name, from, _, listed) in areas {
            // A derived name is built from the names inside: its first part is an estate's or
            // a quarter's name.
            let head = name.split(", ").next().unwrap().trim_end_matches(" m.fl.");
            assert!(all_names.contains(head), "{year} {id}: {name}");
            if !listed.is_empty() {
                assert!(estate_names.contains(head), "{year} {id}: {name}");
            }
            assert!(
                ["derived", "earlier round"].contains(&from.as_str()),
                "{year} {id}: {from}"
            );
        }
        // An area named after the round before continues an area of that round with the same
        // id and name, sharing at least half of the smaller one's units.
        if *year > 2017 {
            let before = &r[&(year - 4, *wo)];
            for (id, name, from, units, _) in areas.iter().filter(|a| a.2 == "earlier round") {
                let b = before
                    .iter()
                    .find(|b| &b.0 == id)
                    .unwrap_or_else(|| panic!("{year} {id} ({from}) not in {}", year - 4));
                assert_eq!(&b.1, name);
                let shared = units.iter().filter(|u| b.3.contains(u)).count();
                assert!(2 * shared >= units.len().min(b.3.len()), "{year} {id}");
            }
        }
    }
    // Ids carried: at least one area of 2025 continues one of 2021 (the synthetic capital's
    // worst estates stay).
    assert!(
        r[&(2025, false)].iter().any(|a| a.2 == "earlier round"),
        "{:?}",
        r[&(2025, false)]
    );

    // Every estate of the capital on a state list that year is inside a designated area of
    // the round (kbh-2025 includes them automatically), with its lists.
    let store = kvarter_store::Store::open(Path::new(db)).unwrap();
    let listed_json: String = store
        .connection()
        .query_row(
            "SELECT state_listed FROM screening_runs WHERE spec = 'kbh-2025' AND year = 2025 AND without_origin = 0",
            [],
            |row| row.get(0),
        )
        .unwrap();
    drop(store);
    let listed: BTreeMap<String, Vec<String>> = serde_json::from_str(&listed_json).unwrap();
    let capital: BTreeSet<String> = areas_csv
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(2) == Some("101"))
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let included: BTreeSet<&String> = r[&(2025, false)].iter().flat_map(|a| &a.4).collect();
    let of_capital: Vec<&String> = listed.keys().filter(|e| capital.contains(*e)).collect();
    assert!(
        !of_capital.is_empty(),
        "no estate of the capital listed in 2025: {listed:?}"
    );
    for estate in of_capital {
        assert!(
            included.contains(estate),
            "{estate} on {listed:?} not in {included:?}"
        );
    }

    // A names file overrides a name in every round the id appears in.
    let (id, old_name) = {
        let a = &r[&(2025, false)][0];
        (a.0.clone(), a.1.clone())
    };
    let names = dir.join("names.csv");
    std::fs::write(&names, format!("area_id,name\n{id},Søndre Ringvej\n")).unwrap();
    let names = names.to_str().unwrap();
    ok(&[
        "load",
        "--registers",
        regs,
        "--db",
        db,
        "--screen",
        "kbh-2025",
        "--names",
        names,
    ]);
    let r2 = rounds(db);
    for ((year, _), areas) in &r2 {
        for a in areas.iter().filter(|a| a.0 == id) {
            assert_eq!(
                (a.1.as_str(), a.2.as_str()),
                ("Søndre Ringvej", "names file"),
                "{year}"
            );
        }
    }
    assert_ne!(old_name, "Søndre Ringvej");

    // A name for an id no round has is refused with its line and column, and nothing is
    // written: the store keeps the names of the load before.
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!("area_id,name\n{id},Et navn\narea-nowhere,Intet\n"),
    )
    .unwrap();
    let out = kvarter(&[
        "load",
        "--registers",
        regs,
        "--db",
        db,
        "--screen",
        "kbh-2025",
        "--names",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv: line 3, column 1: no designation round has an area area-nowhere"),
        "{err}"
    );
    assert_eq!(rounds(db), r2);

    // The dashboard and the API show the round of 2025 against 2021.
    let server = serve(Path::new(db), &[]);
    let api = server
        .request("GET", "/api/screenings/kbh-2025/2025", &[], "")
        .json();
    let change = &api["previous_round"];
    assert_eq!(change["previous_year"], 2021, "{change}");
    let len = |k: &str| change[k].as_array().unwrap().len();
    assert_eq!(
        len("left") + change["unchanged"].as_array().unwrap().len() + {
            let before: BTreeSet<&str> = change["changed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["before"]["id"].as_str().unwrap())
                .collect();
            before.len()
        },
        r[&(2021, false)].len(),
        "{change}"
    );
    let page = server.request("GET", "/screening?spec=kbh-2025&year=2025", &[], "");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Udpegningsrunden 2025 mod runden"),
        "no round section"
    );
    assert!(
        page.body.contains("Søndre Ringvej"),
        "the name is not on the page"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_page_reads_only_what_disclosure_needs_of_unit_criteria_and_shows_the_same_figures() {
    // The screening page reads of each unit's criteria only what the disclosure rules need.
    // The model built from that read must be the full model with the units' criteria left
    // out — every other figure shown or suppressed alike (a unit's score and index are hidden
    // when one of its criteria is) — in every round, view and minimum count (larger minimums
    // suppress more, so the complementary rules have more to do).
    let (dir, _regs, db) = common::loaded_capital("lean");
    let store = kvarter_store::Store::open(&db).unwrap();
    let c = store.connection();
    let keys = kvarter_store::screening::list(c).unwrap();
    assert_eq!(keys.len(), 6, "three rounds, two views");
    let mut unit_criteria = 0;
    let mut hidden = 0;
    for key in &keys {
        let read = |detail| {
            kvarter_store::screening::read_with(c, &key.spec, key.year, key.without_origin, detail)
                .unwrap()
                .unwrap()
        };
        let full = read(kvarter_store::screening::UnitCriteria::Read);
        let lean = read(kvarter_store::screening::UnitCriteria::ForDisclosureOnly);
        assert!(lean.unit_criteria_partial && !full.unit_criteria_partial);
        assert_eq!(lean.units.len(), full.units.len());
        assert_eq!(lean.areas, full.areas, "areas keep their criteria");
        unit_criteria += full.units.iter().map(|u| u.criteria.len()).sum::<usize>();
        for min_count in [5, 10, 20, 50] {
            let policy = kvarter_view::Policy::new(min_count);
            let mut want = kvarter_view::screening::build(&policy, &full, None);
            let got = kvarter_view::screening::build(&policy, &lean, None);
            let text = serde_json::to_string(&want).unwrap();
            hidden += text.matches("\"suppressed\":true").count();
            for u in &mut want.cells {
                u.criteria.clear();
            }
            assert_eq!(got, want, "{key:?}, minimum count {min_count}");
        }
    }
    assert!(unit_criteria > 0, "the full read has units' criteria");
    assert!(
        hidden > 0,
        "some figures are suppressed, so the rules had work to do"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
