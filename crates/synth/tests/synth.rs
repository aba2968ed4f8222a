//! The register folder `kvarter synth` writes: deterministic, exactly the documented schema,
//! plausible, and never half-written.
//!
//! Tests run in debug builds on two cores, so they use the first simulated years (nothing to
//! simulate before them) and the tiny scale where city is not needed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, UInt8Type, UInt16Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use kvarter_synth::{Config, Format, SIMULATION_START, Scale, SynthError, generate};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// A fresh folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("kvarter-synth-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn config(scale: Scale, first: i16, last: i16, format: Format) -> Config {
    Config {
        scale,
        seed: 7,
        first_year: first,
        last_year: last,
        format,
    }
}

fn run(c: &Config, out: &Path) -> kvarter_synth::Summary {
    generate(c, out, &mut |_, _, _| {}).unwrap()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn read(path: &Path) -> Vec<RecordBatch> {
    let f = fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let (a, b) = (TempDir::new("det-a"), TempDir::new("det-b"));
    let c = config(
        Scale::City,
        SIMULATION_START,
        SIMULATION_START + 1,
        Format::Parquet,
    );
    let sa = run(&c, &a.0);
    let sb = run(&c, &b.0);
    assert_eq!(sa.persons_per_year, sb.persons_per_year);
    let (fa, fb) = (files(&a.0), files(&b.0));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        [
            "areas.csv",
            "boundaries.geojson",
            "geometry.geojson",
            "kvarter-synth.txt",
            "persons-2000.parquet",
            "persons-2001.parquet",
            "safety.csv",
            "turnout.csv"
        ]
    );
    assert_eq!(
        fs::read_to_string(a.0.join(kvarter_synth::COMPLETION_MARKER)).unwrap(),
        kvarter_synth::COMPLETE
    );
    for (name, bytes) in &fa {
        assert!(fb[name] == *bytes, "{name} differs between two runs");
    }
    // Another seed gives other people.
    let d = TempDir::new("det-d");
    run(&Config { seed: 8, ..c }, &d.0);
    assert_ne!(
        files(&d.0)["persons-2001.parquet"],
        fa["persons-2001.parquet"]
    );
}

#[test]
fn a_year_does_not_depend_on_the_range_asked_for() {
    let (a, b) = (TempDir::new("range-a"), TempDir::new("range-b"));
    run(&config(Scale::Tiny, 2000, 2002, Format::Parquet), &a.0);
    run(&config(Scale::Tiny, 2002, 2002, Format::Parquet), &b.0);
    let (fa, fb) = (files(&a.0), files(&b.0));
    assert_eq!(fa["persons-2002.parquet"], fb["persons-2002.parquet"]);
    // The tables: the same rows for 2002, and the same election (2001) for it.
    let rows = |f: &[u8], year: &str| -> Vec<String> {
        String::from_utf8(f.to_vec())
            .unwrap()
            .lines()
            .filter(|l| l.starts_with(year))
            .map(String::from)
            .collect()
    };
    assert!(!rows(&fb["safety.csv"], "2002,").is_empty());
    assert_eq!(
        rows(&fa["safety.csv"], "2002,"),
        rows(&fb["safety.csv"], "2002,")
    );
    assert_eq!(fa["turnout.csv"], fb["turnout.csv"]);
    assert!(!rows(&fb["turnout.csv"], "2001,").is_empty());
}

#[test]
fn parquet_has_exactly_the_documented_schema_and_ranges() {
    let dir = TempDir::new("schema");
    let s = run(&config(Scale::Tiny, 2000, 2001, Format::Parquet), &dir.0);
    let areas = fs::read_to_string(dir.0.join("areas.csv")).unwrap();
    let mut lines = areas.lines();
    assert_eq!(
        lines.next(),
        Some("area_id,area_name,municipality,municipality_name,region,kind")
    );
    let area_region: BTreeMap<String, u16> = lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            assert_eq!(c.len(), 6, "{l}");
            assert!(c[5] == "social_housing" || c[5] == "ordinary", "{l}");
            (c[0].to_string(), c[4].parse().unwrap())
        })
        .collect();
    assert_eq!(area_region.len(), s.areas);

    let expected = [
        ("person_id", DataType::UInt64, false),
        ("year", DataType::Int16, false),
        (
            "area_id",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
        ("municipality", DataType::UInt16, false),
        ("region", DataType::UInt16, false),
        ("east", DataType::Float64, true),
        ("north", DataType::Float64, true),
        ("age", DataType::UInt8, false),
        ("origin", DataType::UInt8, false),
        ("outside_fte", DataType::Float32, false),
        ("in_education", DataType::Boolean, false),
        ("education_level", DataType::UInt8, false),
        ("education_source", DataType::UInt8, false),
        ("income", DataType::Float64, false),
        ("taxable", DataType::Boolean, false),
        ("convicted", DataType::Boolean, false),
        ("district", DataType::UInt16, false),
        ("polling_district", DataType::UInt16, false),
        ("low_income", DataType::Boolean, false),
        ("poor_health", DataType::Boolean, false),
        ("dwelling_area", DataType::Float32, true),
        ("dwelling_residents", DataType::UInt8, true),
        ("installation_deficiency", DataType::Boolean, false),
    ];
    for (year, n) in &s.persons_per_year {
        let batches = read(&dir.0.join(format!("persons-{year}.parquet")));
        let schema = batches[0].schema();
        let got: Vec<(String, DataType, bool)> = schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().clone(), f.is_nullable()))
            .collect();
        let want: Vec<(String, DataType, bool)> = expected
            .iter()
            .map(|(n, t, null)| (n.to_string(), t.clone(), *null))
            .collect();
        assert_eq!(got, want);

        let mut rows = 0;
        let mut last_id = 0u64;
        let mut no_area = 0;
        for b in &batches {
            rows += b.num_rows();
            let col = |name: &str| b.column(b.schema().index_of(name).unwrap()).clone();
            let ids = col("person_id");
            let ids = ids.as_primitive::<UInt64Type>();
            let years = col("year");
            let area = col("area_id");
            let area = area.as_dictionary::<Int32Type>();
            let dict = area.values().as_string::<i32>().clone();
            let region = col("region");
            let region = region.as_primitive::<UInt16Type>();
            let (east, north) = (col("east"), col("north"));
            let age = col("age");
            let origin = col("origin");
            let fte = col("outside_fte");
            let level = col("education_level");
            let source = col("education_source");
            let income = col("income");
            let district = col("district");
            let district = district.as_primitive::<UInt16Type>();
            let polling = col("polling_district");
            let polling = polling.as_primitive::<UInt16Type>();
            let m2 = col("dwelling_area");
            let m2 = m2.as_primitive::<Float32Type>();
            let residents = col("dwelling_residents");
            let residents = residents.as_primitive::<UInt8Type>();
            for i in 0..b.num_rows() {
                // Sorted by person, hence no person twice.
                assert!(ids.value(i) > last_id, "person ids must rise");
                last_id = ids.value(i);
                assert_eq!(years.as_primitive::<Int16Type>().value(i), *year);
                assert!(age.as_primitive::<UInt8Type>().value(i) <= 120);
                assert!(origin.as_primitive::<UInt8Type>().value(i) <= 4);
                let f = fte.as_primitive::<Float32Type>().value(i);
                assert!((0.0..=1.0).contains(&f), "{f}");
                assert!(level.as_primitive::<UInt8Type>().value(i) <= 3);
                assert!(source.as_primitive::<UInt8Type>().value(i) <= 4);
                assert!(income.as_primitive::<Float64Type>().value(i) >= 0.0);
                if m2.is_valid(i) {
                    let v = m2.value(i);
                    assert!((10.0..=400.0).contains(&v) && v.fract() == 0.0, "{v} m²");
                }
                if area.is_null(i) {
                    no_area += 1;
                    assert!(east.is_null(i) && north.is_null(i));
                    assert_eq!((district.value(i), polling.value(i)), (0, 0));
                    assert!(m2.is_null(i) && residents.is_null(i));
                } else {
                    // The tiny scale is the capital alone: districts 1–10, polling districts
                    // 10000 + 100 × district + k.
                    let (d, p) = (district.value(i), polling.value(i));
                    assert!((1..=10).contains(&d), "district {d}");
                    assert_eq!(p / 100, 100 + d, "polling district {p} in district {d}");
                    assert!((1..=6).contains(&(p % 100)), "polling district {p}");
                    assert!(residents.is_valid(i) && residents.value(i) >= 1);
                    let id = dict.value(area.keys().value(i) as usize);
                    assert_eq!(area_region[id], region.value(i), "area {id}");
                    let e = east.as_primitive::<Float64Type>().value(i);
                    let n = north.as_primitive::<Float64Type>().value(i);
                    // EPSG:25832 over Denmark.
                    assert!((400_000.0..900_000.0).contains(&e), "{e}");
                    assert!((6_000_000.0..6_450_000.0).contains(&n), "{n}");
                }
            }
        }
        assert_eq!(rows, *n);
        assert!(no_area < rows / 100, "few people have no fixed address");
    }
}

#[test]
fn the_city_is_plausible() {
    let dir = TempDir::new("plausible");
    let s = run(&config(Scale::City, 2000, 2000, Format::Parquet), &dir.0);
    let (_, n) = s.persons_per_year[0];
    assert!((150_000..300_000).contains(&n), "{n} persons");
    assert!(s.social_housing_areas >= 25, "{s:?}");
    assert!(s.large_social_housing_areas >= 12, "{s:?}");

    let (mut adults, mut convicted, mut non_western) = (0usize, 0usize, 0usize);
    for b in read(&dir.0.join("persons-2000.parquet")) {
        let col = |name: &str| b.column(b.schema().index_of(name).unwrap()).clone();
        let age = col("age");
        let conv = col("convicted");
        let origin = col("origin");
        for i in 0..b.num_rows() {
            if age.as_primitive::<UInt8Type>().value(i) >= 18 {
                adults += 1;
                convicted += usize::from(conv.as_boolean().value(i));
            }
            non_western += usize::from(origin.as_primitive::<UInt8Type>().value(i) >= 3);
        }
    }
    let share = 100.0 * convicted as f64 / adults as f64;
    assert!(
        (0.4..=1.2).contains(&share),
        "convicted {share:.2} % of 18+"
    );
    let nw = 100.0 * non_western as f64 / n as f64;
    assert!((6.0..=25.0).contains(&nw), "non-Western {nw:.1} %");
}

#[test]
fn csv_has_the_same_columns() {
    let dir = TempDir::new("csv");
    let s = run(&config(Scale::Tiny, 2000, 2000, Format::Csv), &dir.0);
    let text = fs::read_to_string(dir.0.join("persons-2000.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "person_id,year,area_id,municipality,region,east,north,age,origin,outside_fte,in_education,education_level,education_source,income,taxable,convicted,district,polling_district,low_income,poor_health,dwelling_area,dwelling_residents,installation_deficiency"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), s.persons_per_year[0].1);
    assert!(rows.iter().all(|r| r.split(',').count() == 23));
    // Booleans as 0/1, the dwelling empty only without an address.
    for r in &rows {
        let c: Vec<&str> = r.split(',').collect();
        for k in [18, 19, 22] {
            assert!(c[k] == "0" || c[k] == "1", "{r}");
        }
        if !c[2].is_empty() {
            assert!(!c[21].is_empty(), "{r}");
        }
    }
    assert!(
        fs::read_to_string(dir.0.join("safety.csv"))
            .unwrap()
            .starts_with("year,district,respondents,unsafe\n")
    );
    assert!(
        fs::read_to_string(dir.0.join("turnout.csv"))
            .unwrap()
            .starts_with("year,polling_district,electorate,votes\n")
    );
    let geo = fs::read_to_string(dir.0.join("geometry.geojson")).unwrap();
    assert!(geo.contains("\"urn:ogc:def:crs:EPSG::25832\""));
    assert_eq!(geo.matches("\"type\":\"Polygon\"").count(), s.areas);
}

#[test]
fn errors_say_what_to_do_and_leave_nothing_half_written() {
    let dir = TempDir::new("errors");
    let bad = config(Scale::Tiny, 2005, 2004, Format::Parquet);
    let e = generate(&bad, &dir.0, &mut |_, _, _| {}).unwrap_err();
    assert!(matches!(e, SynthError::Config(_)));
    assert!(e.to_string().contains("2006-2024"), "{e}");
    let early = config(Scale::Tiny, 1990, 1995, Format::Parquet);
    let e = generate(&early, &dir.0, &mut |_, _, _| {}).unwrap_err();
    assert!(e.to_string().contains("2000"), "{e}");

    // A file where the folder should be.
    let file = dir.0.join("not-a-folder");
    fs::write(&file, "x").unwrap();
    let c = config(Scale::Tiny, 2000, 2000, Format::Parquet);
    let e = generate(&c, &file.join("out"), &mut |_, _, _| {}).unwrap_err();
    assert!(e.to_string().contains("not-a-folder"), "{e}");

    // A folder in the way of a file: the rename fails, and no temporary file remains.
    let out = dir.0.join("out");
    fs::create_dir_all(out.join("persons-2000.parquet")).unwrap();
    let e = generate(&c, &out, &mut |_, _, _| {}).unwrap_err();
    assert!(e.to_string().contains("persons-2000.parquet"), "{e}");
    let left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Rows of a small CSV table with a known header, as numbers.
fn table(path: &Path, header: &str) -> Vec<Vec<u64>> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(header));
    lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect()
}

#[test]
fn the_screening_columns_and_tables_are_plausible_and_consistent() {
    let dir = TempDir::new("screening");
    let s = run(&config(Scale::City, 2000, 2001, Format::Parquet), &dir.0);
    assert!(s.files.iter().any(|f| f.ends_with("safety.csv")));

    let (mut n, mut adults) = (0usize, 0usize);
    let (mut low_adults, mut low_children, mut poor_health, mut deficient) = (0, 0, 0, 0);
    let (mut housed, mut m2_per_resident) = (0usize, 0.0f64);
    let mut adults_per_polling: BTreeMap<u16, u64> = BTreeMap::new();
    // Residents per 100 m cell, and the cells that hold estate residents.
    let mut cells: BTreeMap<(i64, i64), usize> = BTreeMap::new();
    let mut estate_cells = std::collections::BTreeSet::new();
    // Persons by the residents of their dwelling.
    let mut sizes: BTreeMap<u8, usize> = BTreeMap::new();
    for b in read(&dir.0.join("persons-2001.parquet")) {
        let col = |name: &str| b.column(b.schema().index_of(name).unwrap()).clone();
        let age = col("age");
        let age = age.as_primitive::<UInt8Type>();
        let low = col("low_income");
        let low = low.as_boolean();
        let health = col("poor_health");
        let health = health.as_boolean();
        let def = col("installation_deficiency");
        let def = def.as_boolean();
        let m2 = col("dwelling_area");
        let m2 = m2.as_primitive::<Float32Type>();
        let residents = col("dwelling_residents");
        let residents = residents.as_primitive::<UInt8Type>();
        let polling = col("polling_district");
        let polling = polling.as_primitive::<UInt16Type>();
        let (east, north) = (col("east"), col("north"));
        let (east, north) = (
            east.as_primitive::<Float64Type>(),
            north.as_primitive::<Float64Type>(),
        );
        let area = col("area_id");
        let area = area.as_dictionary::<Int32Type>();
        let dict = area.values().as_string::<i32>().clone();
        for i in 0..b.num_rows() {
            n += 1;
            if age.value(i) >= 18 {
                adults += 1;
                low_adults += usize::from(low.value(i));
                poor_health += usize::from(health.value(i));
                if polling.value(i) != 0 {
                    *adults_per_polling.entry(polling.value(i)).or_default() += 1;
                }
            } else {
                low_children += usize::from(low.value(i));
            }
            deficient += usize::from(def.value(i));
            if m2.is_valid(i) && residents.is_valid(i) {
                housed += 1;
                m2_per_resident += f64::from(m2.value(i)) / f64::from(residents.value(i));
            }
            if residents.is_valid(i) {
                *sizes.entry(residents.value(i)).or_default() += 1;
            }
            if east.is_valid(i) {
                let c = (
                    (east.value(i) / 100.0).floor() as i64,
                    (north.value(i) / 100.0).floor() as i64,
                );
                *cells.entry(c).or_default() += 1;
                if dict.value(area.keys().value(i) as usize).starts_with('B') {
                    estate_cells.insert(c);
                }
            }
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b as f64;
    // About 12 % in the city's first years, falling to about 8 % by 2024 as its estates
    // improve (docs/SYNTH.md).
    let low = pct(low_adults + low_children, n);
    assert!((5.0..=15.0).contains(&low), "low income {low:.1} %");
    assert!(
        low_children > 0,
        "children inherit their family's low income"
    );
    let health = pct(poor_health, adults);
    assert!(
        (18.0..=32.0).contains(&health),
        "poor health {health:.1} % of adults"
    );
    let def = pct(deficient, n);
    assert!(
        (0.5..=4.0).contains(&def),
        "installation deficiency {def:.2} %"
    );
    let m2 = m2_per_resident / housed as f64;
    assert!((28.0..=55.0).contains(&m2), "{m2:.1} m² per resident");
    // Every member of a dwelling of s residents is in the file and reports s: the persons
    // reporting s are a multiple of s.
    for (s, count) in &sizes {
        assert_eq!(
            count % usize::from(*s),
            0,
            "{count} persons in dwellings of {s}"
        );
    }
    assert!(
        sizes.contains_key(&1) && sizes.keys().any(|s| *s >= 4),
        "{sizes:?}"
    );
    // Estates are dense: most of their 100 m cells have 50 residents or more.
    let dense = estate_cells.iter().filter(|c| cells[c] >= 50).count();
    assert!(
        dense * 10 >= estate_cells.len() * 8,
        "{dense} of {} estate cells have 50+ residents",
        estate_cells.len()
    );

    // The survey of each year written (2000 and 2001), and the election of 2001.
    let safety = table(
        &dir.0.join("safety.csv"),
        "year,district,respondents,unsafe",
    );
    assert_eq!(
        safety.iter().map(|r| (r[0], r[1])).collect::<Vec<_>>(),
        [2000, 2001]
            .into_iter()
            .flat_map(|y| (1..=10).map(move |d| (y, d)))
            .collect::<Vec<_>>()
    );
    for r in &safety {
        assert!((300..=1000).contains(&r[2]), "{r:?}");
        assert!(r[3] <= r[2], "{r:?}");
        let share = r[3] as f64 / r[2] as f64;
        assert!((0.04..=0.5).contains(&share), "{r:?}");
    }
    let turnout: Vec<Vec<u64>> = table(
        &dir.0.join("turnout.csv"),
        "year,polling_district,electorate,votes",
    )
    .into_iter()
    .map(|r| {
        assert_eq!(r[0], 2001, "{r:?}");
        r[1..].to_vec()
    })
    .collect();
    let got: BTreeMap<u16, u64> = turnout.iter().map(|r| (r[0] as u16, r[1])).collect();
    assert_eq!(
        got, adults_per_polling,
        "electorate = adults per polling district"
    );
    let (mut votes, mut electorate) = (0, 0);
    for r in &turnout {
        assert!(r[2] <= r[1], "{r:?}");
        let share = r[2] as f64 / r[1] as f64;
        assert!((0.2..=0.8).contains(&share), "{r:?}");
        votes += r[2];
        electorate += r[1];
    }
    let city = votes as f64 / electorate as f64;
    assert!((0.5..=0.7).contains(&city), "turnout {city:.3}");
}

#[test]
fn tables_cover_every_data_year_and_the_screening_columns_move_over_time() {
    let dir = TempDir::new("over-time");
    let (first, last) = (2002, 2012);
    run(&config(Scale::Tiny, first, last, Format::Parquet), &dir.0);
    // A survey for every data year, and for every data year an election at or before it
    // (2001, the one before the first data year, then 2005 and 2009).
    let safety = table(
        &dir.0.join("safety.csv"),
        "year,district,respondents,unsafe",
    );
    let turnout = table(
        &dir.0.join("turnout.csv"),
        "year,polling_district,electorate,votes",
    );
    let elections: std::collections::BTreeSet<u64> = turnout.iter().map(|r| r[0]).collect();
    assert_eq!(
        elections.into_iter().collect::<Vec<_>>(),
        [2001, 2005, 2009]
    );
    for y in first..=last {
        let y = y as u64;
        assert_eq!(
            safety.iter().filter(|r| r[0] == y).count(),
            10,
            "the survey of {y}"
        );
    }
    // Poor health, youth education and child poverty are drawn each year and move with the
    // areas: not the same share every year.
    let mut shares: Vec<[f64; 3]> = Vec::new();
    for y in first..=last {
        let (mut adults, mut poor, mut at25, mut without, mut kids, mut poor_kids) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
        for b in read(&dir.0.join(format!("persons-{y}.parquet"))) {
            let col = |name: &str| b.column(b.schema().index_of(name).unwrap()).clone();
            let (age, level) = (col("age"), col("education_level"));
            let (age, level) = (
                age.as_primitive::<UInt8Type>(),
                level.as_primitive::<UInt8Type>(),
            );
            let (health, low) = (col("poor_health"), col("low_income"));
            let (health, low) = (health.as_boolean(), low.as_boolean());
            for i in 0..b.num_rows() {
                let a = age.value(i);
                if a >= 18 {
                    adults += 1;
                    poor += u64::from(health.value(i));
                } else {
                    kids += 1;
                    poor_kids += u64::from(low.value(i));
                }
                if a == 25 {
                    at25 += 1;
                    without += u64::from(level.value(i) < 2);
                }
            }
        }
        let share = |a: u64, b: u64| a as f64 / b as f64;
        shares.push([
            share(poor, adults),
            share(without, at25),
            share(poor_kids, kids),
        ]);
    }
    for (k, name) in ["poor health", "no youth education at 25", "child poverty"]
        .iter()
        .enumerate()
    {
        let v: Vec<f64> = shares.iter().map(|s| s[k]).collect();
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(*x), h.max(*x)));
        assert!(hi - lo > 0.003, "{name} is flat over {first}-{last}: {v:?}");
    }
}

/// The capital's 100 m cells in data year `year`, as the screening reads them.
fn capital_cells(dir: &Path, year: i16) -> Vec<kvarter_data::CellCounts> {
    let areas = kvarter_data::read_areas(&dir.join("areas.csv")).unwrap();
    let tables = kvarter_data::read_area_tables(dir).unwrap();
    kvarter_data::read_units(
        dir,
        year,
        kvarter_data::Units::Grid(100),
        Some(101),
        &areas,
        &tables,
    )
    .unwrap()
}

/// Σ num / Σ den of an indicator over the cells `pick` keeps.
fn pooled(
    cells: &[kvarter_data::CellCounts],
    indicator: &str,
    pick: impl Fn(&kvarter_data::CellCounts) -> bool,
) -> f64 {
    let (n, d) = cells
        .iter()
        .filter(|c| pick(c))
        .filter_map(|c| c.indicators.get(indicator))
        .fold((0.0, 0.0), |(n, d), f| (n + f.num, d + f.den));
    n / d
}

#[test]
fn each_data_year_reads_its_own_survey_and_the_latest_election() {
    let dir = TempDir::new("years");
    run(&config(Scale::Tiny, 2004, 2010, Format::Parquet), &dir.0);
    let t = kvarter_data::read_area_tables(&dir.0).unwrap();
    // Surveys 2004–2010; elections 2001 (used by 2004), 2005 and 2009.
    assert_eq!(
        t.safety.keys().copied().collect::<Vec<_>>(),
        (2004..=2010).collect::<Vec<_>>()
    );
    assert_eq!(
        t.turnout.keys().copied().collect::<Vec<_>>(),
        [2001, 2005, 2009]
    );
    let used = |y| t.election_for(y).unwrap();
    assert_eq!(
        (2004..=2010).map(used).collect::<Vec<_>>(),
        [2001, 2005, 2005, 2005, 2005, 2009, 2009]
    );
    // The tables differ between years: the survey every year, turnout between elections.
    let city = |table: &kvarter_data::AreaTable| {
        let (n, d) = table.values().fold((0, 0), |(n, d), (a, b)| (n + a, d + b));
        n as f64 / d as f64
    };
    for y in 2005..=2010 {
        assert_ne!(
            t.safety[&y],
            t.safety[&(y - 1)],
            "the surveys of {y} and {}",
            y - 1
        );
    }
    assert_ne!(city(&t.turnout[&2001]), city(&t.turnout[&2005]));
    assert_ne!(city(&t.turnout[&2005]), city(&t.turnout[&2009]));

    // The cells of a data year carry that year's survey and its election's turnout: summed over
    // the city, each respondent and each voter is counted once, so the sums are the table's.
    for y in 2004..=2010 {
        let cells = capital_cells(&dir.0, y);
        let sum = |ind: &str| {
            cells
                .iter()
                .filter_map(|c| c.indicators.get(ind))
                .fold((0.0, 0.0), |(n, d), f| (n + f.num, d + f.den))
        };
        let close = |(n, d): (f64, f64), want: &kvarter_data::AreaTable| {
            let (wn, wd) = want.values().fold((0, 0), |(n, d), (a, b)| (n + a, d + b));
            (n - wn as f64).abs() < 0.5 && (d - wd as f64).abs() < 0.5
        };
        assert!(close(sum("unsafe_share"), &t.safety[&y]), "survey of {y}");
        assert!(
            close(sum("turnout_share"), &t.turnout[&used(y)]),
            "turnout of {y}: election {}",
            used(y)
        );
    }
}

#[test]
fn the_designated_areas_leave_the_labour_market_less_over_time_and_stay_behind_the_city() {
    // The areas a kbh-2025 screening of the last data year designates (state lists aside, which
    // this crate does not compute), held fixed and followed back in time.
    let dir = TempDir::new("calibration");
    let years = [2000, 2008, 2016, 2023];
    run(&config(Scale::Tiny, 2000, 2023, Format::Parquet), &dir.0);
    let spec = kvarter_screen::builtin::spec("kbh-2025").unwrap().unwrap();
    let cells = capital_cells(&dir.0, 2023);
    let units: Vec<kvarter_screen::Unit> = cells
        .iter()
        .map(|c| kvarter_screen::Unit {
            id: c.id.clone(),
            district: c.district.to_string(),
            cell: c.cell,
            population: c.population,
            indicators: c
                .indicators
                .iter()
                .map(|(k, f)| {
                    let m = if f.share {
                        kvarter_screen::Measure::Share {
                            num: f.num,
                            den: f.den,
                        }
                    } else {
                        kvarter_screen::Measure::Ratio {
                            num: f.num,
                            den: f.den,
                        }
                    };
                    (k.to_string(), m)
                })
                .collect(),
        })
        .collect();
    let screening = kvarter_screen::screen(
        &spec,
        &units,
        &kvarter_screen::Neighbours::grid(),
        &Default::default(),
        &kvarter_screen::Options::default(),
    );
    let members: std::collections::BTreeSet<String> = screening
        .areas
        .iter()
        .filter(|a| a.designated)
        .flat_map(|a| a.units.iter().cloned())
        .collect();
    assert!(!members.is_empty(), "the screening designates no area");
    let mut shares = Vec::new();
    for y in years {
        let cells = capital_cells(&dir.0, y);
        let inside = pooled(&cells, "outside_labour_share", |c| members.contains(&c.id));
        let rest = pooled(&cells, "outside_labour_share", |c| !members.contains(&c.id));
        shares.push((y, inside, rest));
    }
    let (first, last) = (shares[0], shares[shares.len() - 1]);
    // Falling over the period (by a clear margin, not year on year: the business cycle moves it).
    assert!(last.1 < 0.85 * first.1, "designated areas: {shares:?}");
    for (y, inside, rest) in &shares {
        // Well above the rest of the city throughout (the policy: about twice).
        assert!(
            *inside > 1.3 * rest,
            "{y}: {inside:.3} against {rest:.3}; {shares:?}"
        );
    }
    // Less safe and voting less than the rest of the city, every year that has the figure.
    for y in years {
        let cells = capital_cells(&dir.0, y);
        let inside = |ind| pooled(&cells, ind, |c| members.contains(&c.id));
        let rest = |ind| pooled(&cells, ind, |c| !members.contains(&c.id));
        assert!(
            inside("unsafe_share") > rest("unsafe_share"),
            "safety in {y}"
        );
        if y > 2000 {
            assert!(
                inside("turnout_share") < rest("turnout_share"),
                "turnout in {y}"
            );
        }
    }
}
