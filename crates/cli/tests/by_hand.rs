//! The policy's indicators checked against a count done by hand from the register rows: for the
//! designation round of 2025 and data year 2024, each share on the designated areas and on the
//! rest of the municipality is counted here person by person from `persons-2024.parquet`, with
//! the definitions written out from docs/REGISTERS.md, and compared with what
//! `kvarter plans progress` prints and with the stored population counts.

mod common;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, UInt8Type, UInt16Type};
use common::ok;
use kvarter_data::schema::{education_level, education_source};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// (numerator, denominator) per (population, indicator).
type Hand = BTreeMap<(&'static str, &'static str), (f64, f64)>;

fn count_by_hand(file: &Path, designated: &BTreeSet<String>) -> Hand {
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(file).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut hand = Hand::new();
    for batch in reader {
        let b = batch.unwrap();
        let col = |n: &str| b.column_by_name(n).unwrap_or_else(|| panic!("no {n}"));
        let east = col("east").as_primitive::<Float64Type>();
        let north = col("north").as_primitive::<Float64Type>();
        let age = col("age").as_primitive::<UInt8Type>();
        let muni = col("municipality").as_primitive::<UInt16Type>();
        let outside = col("outside_fte").as_primitive::<Float32Type>();
        let level = col("education_level").as_primitive::<UInt8Type>();
        let source = col("education_source").as_primitive::<UInt8Type>();
        let low = col("low_income").as_boolean();
        let health = col("poor_health").as_boolean();
        for i in 0..b.num_rows() {
            if muni.value(i) != 101 || east.is_null(i) || north.is_null(i) {
                continue;
            }
            // The 100 m cell of the Danish grid: row from north, column from east.
            let cell = format!(
                "100m_{}_{}",
                (north.value(i) / 100.0).floor() as i64,
                (east.value(i) / 100.0).floor() as i64
            );
            let population = if designated.contains(&cell) {
                "designated"
            } else {
                "rest"
            };
            let mut add = |indicator: &'static str, num: f64| {
                let e = hand.entry((population, indicator)).or_default();
                e.0 += num;
                e.1 += 1.0;
            };
            let a = age.value(i);
            // Without labour-market attachment: full-time equivalents outside the labour
            // market among the 18–64-year-olds.
            if (18..=64).contains(&a) {
                add("outside_labour_share", f64::from(outside.value(i)));
            }
            // Only basic school: the 30–59-year-olds whose highest education is basic school,
            // unknown, or not taken in Denmark nor approved here.
            if (30..=59).contains(&a) {
                let l = level.value(i);
                let s = source.value(i);
                let basic = l == education_level::BASIC || l == education_level::UNKNOWN;
                let counted =
                    s == education_source::DANISH || s == education_source::APPROVED_FOREIGN;
                add(
                    "basic_education_share",
                    f64::from(u8::from(basic || !counted)),
                );
            }
            // Poor health among adults; child poverty among those under 18.
            if a >= 18 {
                add("poor_health_share", f64::from(u8::from(health.value(i))));
            } else {
                add("child_poverty_share", f64::from(u8::from(low.value(i))));
            }
        }
    }
    hand
}

#[test]
fn each_indicator_of_the_designated_areas_equals_a_count_by_hand_from_the_register_rows() {
    let (dir, regs, db) = common::loaded_capital("by-hand");
    let plans = dir.join("plans");
    let (db_s, plans_s) = (db.to_str().unwrap(), plans.to_str().unwrap());
    ok(&["plans", "seed", "--db", db_s, "--out", plans_s]);
    let report = ok(&["plans", "progress", "--db", db_s, "--plans", plans_s]);

    // The designated areas of the 2025 round, as the store holds them (units of the grid).
    let store = kvarter_store::Store::open(&db).unwrap();
    let c = store.connection();
    let mut st = c
        .prepare(
            "SELECT units FROM screening_areas WHERE spec = 'kbh-2025' AND year = 2025 AND without_origin = 0",
        )
        .unwrap();
    let designated: BTreeSet<String> = st
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .flat_map(|u| serde_json::from_str::<Vec<String>>(&u.unwrap()).unwrap())
        .collect();
    assert!(!designated.is_empty());
    let hand = count_by_hand(&regs.join("persons-2024.parquet"), &designated);

    for indicator in [
        "outside_labour_share",
        "basic_education_share",
        "poor_health_share",
        "child_poverty_share",
    ] {
        let (num, den) = hand[&("designated", indicator)];
        let (rn, rd) = hand[&("rest", indicator)];
        // The stored counts are the hand's, exactly in the denominators.
        let stored = |population: &str| -> (f64, f64) {
            let (n, d): (String, String) = c
                .query_row(
                    "SELECT num, den FROM population_counts WHERE spec = 'kbh-2025' AND round = 2025 \
                     AND population = ?1 AND indicator = ?2 AND data_year = 2024",
                    rusqlite::params![population, indicator],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            (n.parse().unwrap(), d.parse().unwrap())
        };
        let (sn, sd) = stored("designated");
        assert_eq!(sd, den, "{indicator}: designated denominators");
        assert!((sn - num).abs() < 1e-6, "{indicator}: {sn} against {num}");
        let (mn, md) = stored("municipality");
        assert_eq!(md, den + rd, "{indicator}: the municipality is both");
        assert!((mn - num - rn).abs() < 1e-6, "{indicator}");

        // What the analyst reads: LATEST (2024) and REST, in percent with two decimals.
        let line = report
            .lines()
            .find(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() > 7 && f[1] == "designated" && f[2] == indicator
            })
            .unwrap_or_else(|| panic!("no designated {indicator} in:\n{report}"));
        let f: Vec<&str> = line.split_whitespace().collect();
        // INDICATOR POPULATION MEASURE BASELINE (year) TARGET… LATEST (2024) REST
        let at = f.iter().position(|x| *x == "(2024)").expect(line);
        let latest: f64 = f[at - 1].parse().unwrap();
        let rest: f64 = f[at + 1].parse().unwrap();
        let (by_hand, rest_by_hand) = (100.0 * num / den, 100.0 * rn / rd);
        assert!(
            (latest - by_hand).abs() <= 0.005 + 1e-9,
            "{indicator}: printed {latest}, by hand {by_hand}"
        );
        assert!(
            (rest - rest_by_hand).abs() <= 0.005 + 1e-9,
            "{indicator}: printed rest {rest}, by hand {rest_by_hand}"
        );
    }

    // The areas as designated in each year: in data year 2022 the round in force is 2021's
    // (the latest round no later than the year), counted here from that round's units; before
    // the first round (2017) there is no value.
    let units_of = |year: i32| -> BTreeSet<String> {
        let mut st = c
            .prepare(
                "SELECT units FROM screening_areas WHERE spec = 'kbh-2025' AND year = ?1 AND without_origin = 0",
            )
            .unwrap();
        st.query_map([year], |r| r.get::<_, String>(0))
            .unwrap()
            .flat_map(|u| serde_json::from_str::<Vec<String>>(&u.unwrap()).unwrap())
            .collect()
    };
    let in_force_2022 = units_of(2021);
    assert!(!in_force_2022.is_empty() && in_force_2022 != designated);
    let hand_2022 = count_by_hand(&regs.join("persons-2022.parquet"), &in_force_2022);
    let stored = |year: i32| -> Option<(f64, f64)> {
        c.query_row(
            "SELECT num, den FROM population_counts WHERE spec = 'kbh-2025' AND round = 2025 \
             AND population = 'designated_in_force' AND indicator = 'outside_labour_share' \
             AND data_year = ?1",
            [year],
            |r| {
                Ok((
                    r.get::<_, String>(0)?.parse().unwrap(),
                    r.get::<_, String>(1)?.parse().unwrap(),
                ))
            },
        )
        .ok()
    };
    let (num, den) = hand_2022[&("designated", "outside_labour_share")];
    let (sn, sd) = stored(2022).expect("designated_in_force counted in 2022");
    assert_eq!(sd, den);
    assert!((sn - num).abs() < 1e-6, "{sn} against {num}");
    assert_eq!(stored(2016), None, "no round was in force in 2016");
    let _ = std::fs::remove_dir_all(&dir);
}
