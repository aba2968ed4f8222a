//! Properties of the aggregation on random small populations, written as real Parquet and CSV
//! files: the counts equal a brute-force computation person by person, Parquet and CSV agree,
//! the thread count does not matter, and every kind of bad extract is refused with its place.

use arrow_array::{
    ArrayRef, BooleanArray, Float32Array, Float64Array, Int16Array, RecordBatch, StringArray,
    UInt8Array, UInt16Array, UInt64Array,
};
use kvarter_data::{observations, read_registers};
use kvarter_rules::{Catalog, Decimal, Observation};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use rust_decimal::RoundingStrategy;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A deterministic generator (SplitMix64): the tests need no randomness crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Debug)]
struct Person {
    id: u64,
    area: Option<usize>,
    region: u16,
    age: u8,
    origin: u8,
    outside: f32,
    in_education: bool,
    level: u8,
    source: u8,
    income: f64,
    taxable: bool,
    convicted: bool,
}

const AREAS: [(&str, u16); 4] = [("A1", 1084), ("A2", 1084), ("A3", 1081), ("B1", 1081)];

fn population(rng: &mut Rng, n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let area = match rng.below(6) {
                0 | 1 => None,
                k => Some((k - 2) as usize),
            };
            let region = area.map_or(if rng.below(2) == 0 { 1084 } else { 1081 }, |a| AREAS[a].1);
            Person {
                id: i as u64 * 3 + 1,
                area,
                region,
                age: rng.below(100) as u8,
                origin: rng.below(5) as u8,
                // Multiples of 1/8 and whole kroner: exact in binary, so the order of summing
                // cannot change a result.
                outside: rng.below(9) as f32 / 8.0,
                in_education: rng.below(5) == 0,
                level: rng.below(4) as u8,
                source: rng.below(5) as u8,
                income: (rng.below(600_000) as f64) - 10_000.0,
                taxable: rng.below(10) != 0,
                convicted: rng.below(60) == 0,
            }
        })
        .collect()
}

fn batch(year: i16, people: &[Person]) -> RecordBatch {
    let cols: Vec<(&str, ArrayRef)> = vec![
        (
            "person_id",
            Arc::new(UInt64Array::from_iter_values(people.iter().map(|p| p.id))),
        ),
        ("year", Arc::new(Int16Array::from(vec![year; people.len()]))),
        (
            "area_id",
            Arc::new(StringArray::from_iter(
                people.iter().map(|p| p.area.map(|a| AREAS[a].0)),
            )),
        ),
        (
            "municipality",
            Arc::new(UInt16Array::from(vec![101u16; people.len()])),
        ),
        (
            "region",
            Arc::new(UInt16Array::from_iter_values(
                people.iter().map(|p| p.region),
            )),
        ),
        (
            "east",
            Arc::new(Float64Array::from(vec![Some(725_000.0); people.len()])),
        ),
        (
            "north",
            Arc::new(Float64Array::from(vec![Some(6_176_000.0); people.len()])),
        ),
        (
            "age",
            Arc::new(UInt8Array::from_iter_values(people.iter().map(|p| p.age))),
        ),
        (
            "origin",
            Arc::new(UInt8Array::from_iter_values(
                people.iter().map(|p| p.origin),
            )),
        ),
        (
            "outside_fte",
            Arc::new(Float32Array::from_iter_values(
                people.iter().map(|p| p.outside),
            )),
        ),
        (
            "in_education",
            Arc::new(BooleanArray::from_iter(
                people.iter().map(|p| Some(p.in_education)),
            )),
        ),
        (
            "education_level",
            Arc::new(UInt8Array::from_iter_values(people.iter().map(|p| p.level))),
        ),
        (
            "education_source",
            Arc::new(UInt8Array::from_iter_values(
                people.iter().map(|p| p.source),
            )),
        ),
        (
            "income",
            Arc::new(Float64Array::from_iter_values(
                people.iter().map(|p| p.income),
            )),
        ),
        (
            "taxable",
            Arc::new(BooleanArray::from_iter(
                people.iter().map(|p| Some(p.taxable)),
            )),
        ),
        (
            "convicted",
            Arc::new(BooleanArray::from_iter(
                people.iter().map(|p| Some(p.convicted)),
            )),
        ),
    ];
    RecordBatch::try_from_iter(cols).unwrap()
}

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let mut areas = String::from("area_id,area_name,municipality,municipality_name,region,kind\n");
    for (id, region) in AREAS {
        let kind = if id.starts_with('A') {
            "social_housing"
        } else {
            "ordinary"
        };
        areas.push_str(&format!("{id},Område {id},101,By,{region},{kind}\n"));
    }
    std::fs::write(d.join("areas.csv"), areas).unwrap();
    d
}

fn write_parquet(path: &Path, year: i16, people: &[Person], row_group: usize) {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(row_group))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let b = batch(year, people);
    let mut w = ArrowWriter::try_new(file, b.schema(), Some(props)).unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
}

fn write_csv(path: &Path, year: i16, people: &[Person]) {
    let mut s = String::from(
        "person_id,year,area_id,municipality,region,east,north,age,origin,outside_fte,in_education,education_level,education_source,income,taxable,convicted\n",
    );
    for p in people {
        s.push_str(&format!(
            "{},{year},{},101,{},725000,6176000,{},{},{},{},{},{},{},{},{}\n",
            p.id,
            p.area.map_or("", |a| AREAS[a].0),
            p.region,
            p.age,
            p.origin,
            p.outside,
            u8::from(p.in_education),
            p.level,
            p.source,
            p.income,
            u8::from(p.taxable),
            u8::from(p.convicted)
        ));
    }
    std::fs::write(path, s).unwrap();
}

fn round(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn pct(num: usize, den: usize) -> Option<Decimal> {
    (den > 0).then(|| Decimal::from(num) * Decimal::ONE_HUNDRED / Decimal::from(den))
}

/// The criteria of list year `t` for area `a`, person by person, as the docs define them.
fn brute_force(
    years: &BTreeMap<i16, Vec<Person>>,
    t: i16,
    a: usize,
    unknown_is_basic: bool,
) -> BTreeMap<String, Decimal> {
    let of = |y: i16| {
        years
            .get(&y)
            .map(|ps| ps.iter().filter(|p| p.area == Some(a)).collect::<Vec<_>>())
    };
    let latest = of(t - 1).unwrap();
    let mut v = BTreeMap::new();
    v.insert("residents".to_string(), Decimal::from(latest.len()));
    let nw = latest.iter().filter(|p| p.origin >= 3).count();
    if let Some(x) = pct(nw, latest.len()) {
        v.insert("non_western_pct".into(), round(x));
    }
    let mean2 = |f: &dyn Fn(&[&Person]) -> Option<Decimal>| -> Option<Decimal> {
        let a = f(&of(t - 1)?)?;
        let b = f(&of(t - 2)?)?;
        Some((a + b) / Decimal::TWO)
    };
    let labour = |ps: &[&Person]| {
        let g: Vec<&&Person> = ps.iter().filter(|p| (18..=64).contains(&p.age)).collect();
        let sum: f64 = g.iter().map(|p| f64::from(p.outside)).sum();
        (!g.is_empty()).then(|| Decimal::try_from(sum * 100.0 / g.len() as f64).unwrap())
    };
    if let Some(x) = mean2(&labour) {
        v.insert("outside_labour_pct".into(), round(x));
    }
    let conv = |ps: &[&Person]| {
        let g: Vec<&&Person> = ps.iter().filter(|p| p.age >= 18).collect();
        pct(g.iter().filter(|p| p.convicted).count(), g.len())
    };
    if let Some(x) = mean2(&conv) {
        v.insert("convicted_pct".into(), round(x));
    }
    let national = |y: i16| {
        let all: Vec<&Person> = years[&y].iter().collect();
        conv(&all)
    };
    if let (Some(Some(n1)), Some(Some(n2))) = (
        years.contains_key(&(t - 1)).then(|| national(t - 1)),
        years.contains_key(&(t - 2)).then(|| national(t - 2)),
    ) {
        v.insert(
            "convicted_national_pct".into(),
            round((n1 + n2) / Decimal::TWO),
        );
    }
    let g3059: Vec<&&Person> = latest
        .iter()
        .filter(|p| (30..=59).contains(&p.age))
        .collect();
    let basic = g3059
        .iter()
        .filter(|p| p.level <= 1 || (!unknown_is_basic && p.source > 1))
        .count();
    if let Some(x) = pct(basic, g3059.len()) {
        v.insert("basic_education_pct".into(), round(x));
    }
    let income_group = |p: &&Person| p.taxable && !p.in_education && (15..=64).contains(&p.age);
    let area_inc: Vec<f64> = latest
        .iter()
        .filter(|p| income_group(p))
        .map(|p| p.income)
        .collect();
    let region = AREAS[a].1;
    let reg_inc: Vec<f64> = years[&(t - 1)]
        .iter()
        .filter(|p| p.region == region)
        .filter(income_group)
        .map(|p| p.income)
        .collect();
    if !area_inc.is_empty() && !reg_inc.is_empty() {
        let am = area_inc.iter().sum::<f64>() / area_inc.len() as f64;
        let rm = reg_inc.iter().sum::<f64>() / reg_inc.len() as f64;
        v.insert(
            "income_pct_of_region".into(),
            round(Decimal::try_from(am / rm * 100.0).unwrap()),
        );
    }
    v.insert(
        "persons_18_64".into(),
        Decimal::from(latest.iter().filter(|p| (18..=64).contains(&p.age)).count()),
    );
    v.insert(
        "persons_18_plus".into(),
        Decimal::from(latest.iter().filter(|p| p.age >= 18).count()),
    );
    v.insert("persons_30_59".into(), Decimal::from(g3059.len()));
    v.insert(
        "persons_15_64_taxable".into(),
        Decimal::from(area_inc.len()),
    );
    v
}

fn no_progress() -> impl FnMut(&str, u64, u64) {
    |_: &str, _: u64, _: u64| {}
}

#[test]
fn aggregation_equals_a_person_by_person_computation() {
    let catalog = Catalog::builtin();
    for seed in 0..12u64 {
        let mut rng = Rng(seed);
        let d = dir(&format!("prop-{seed}"));
        let mut years = BTreeMap::new();
        // Data years 2019-2022: list years 2020-2023 cross the 2018 and 2021 rule sets.
        for y in 2019..=2022i16 {
            let n = 200 + rng.below(400) as usize;
            let people = population(&mut rng, n);
            let row_group = 1 + rng.below(150) as usize;
            write_parquet(
                &d.join(format!("persons-{y}.parquet")),
                y,
                &people,
                row_group,
            );
            years.insert(y, people);
        }
        let reg = read_registers(&d, None, &mut no_progress()).unwrap();
        let obs = observations(&reg, &catalog, &[]);
        let mut checked = 0;
        for o in &obs {
            let a = AREAS.iter().position(|(id, _)| *id == o.area_id).unwrap();
            let t = o.list_year as i16;
            let expected = brute_force(&years, t, a, false);
            assert_eq!(
                o.values, expected,
                "seed {seed}, area {}, list year {t}",
                o.area_id
            );
            checked += 1;
        }
        // Three social-housing areas, list years 2020-2023 (2023 from data year 2022).
        assert_eq!(checked, 3 * 4, "seed {seed}");
        assert!(
            obs.iter().all(|o| o.area_id != "B1"),
            "ordinary areas are not evaluated"
        );
    }
}

#[test]
fn the_2013_model_counts_unknown_education_as_basic() {
    let catalog = Catalog::builtin();
    let mut rng = Rng(99);
    let d = dir("model-2013");
    let mut years = BTreeMap::new();
    for y in 2014..=2016i16 {
        let people = population(&mut rng, 500);
        write_parquet(&d.join(format!("persons-{y}.parquet")), y, &people, 100);
        years.insert(y, people);
    }
    let reg = read_registers(&d, None, &mut no_progress()).unwrap();
    let obs: Vec<Observation> = observations(&reg, &catalog, &[]);
    let o2016 = obs
        .iter()
        .find(|o| o.list_year == 2016 && o.area_id == "A1")
        .unwrap();
    assert_eq!(o2016.values, brute_force(&years, 2016, 0, true));
    let o2017 = obs
        .iter()
        .find(|o| o.list_year == 2017 && o.area_id == "A1")
        .unwrap();
    // List year 2015 lacks its second data year (2013): the averaged values are missing.
    let o2015 = obs
        .iter()
        .find(|o| o.list_year == 2015 && o.area_id == "A1")
        .unwrap();
    assert!(!o2015.values.contains_key("outside_labour_pct"));
    assert!(o2015.values.contains_key("basic_education_pct"));
    assert!(o2017.values.contains_key("outside_labour_pct"));
}

#[test]
fn parquet_csv_and_thread_count_give_the_same_counts() {
    let mut rng = Rng(7);
    let people = population(&mut rng, 3000);
    let dp = dir("same-parquet");
    write_parquet(&dp.join("persons-2022.parquet"), 2022, &people, 97);
    let dc = dir("same-csv");
    write_csv(&dc.join("persons-2022.csv"), 2022, &people);
    let a = read_registers(&dp, None, &mut no_progress()).unwrap();
    let b = read_registers(&dc, None, &mut no_progress()).unwrap();
    assert_eq!(a, b);
    let d1 = dir("same-one-group");
    write_parquet(&d1.join("persons-2022.parquet"), 2022, &people, 3000);
    assert_eq!(a, read_registers(&d1, None, &mut no_progress()).unwrap());
}

/// Register extracts from other tools lay their Parquet out in other ways. Every layout gives the
/// counts of the CSV file: the reader's fast path decodes dictionary, PLAIN and
/// DELTA_BINARY_PACKED values, version 1 and 2 data pages, small pages, plain or dictionary
/// `area_id`, required or optional columns, any codec; what it does not decode (here a Boolean
/// column written as RLE, byte-stream-split floats) the general path reads.
#[test]
fn every_parquet_layout_gives_the_counts_of_the_csv() {
    use parquet::basic::{Compression, Encoding};
    use parquet::file::properties::{EnabledStatistics, WriterVersion};
    use parquet::schema::types::ColumnPath;
    let mut rng = Rng(13);
    let mut people = population(&mut rng, 5000);
    // A long run of people without an area and a long run in one area, so that definition
    // levels and dictionary indices come as RLE runs as well as bit-packed.
    for p in &mut people[1000..1400] {
        p.area = None;
    }
    for p in &mut people[2000..2600] {
        p.area = Some(2);
        p.region = AREAS[2].1;
    }
    let dc = dir("layout-csv");
    write_csv(&dc.join("persons-2022.csv"), 2022, &people);
    let expected = read_registers(&dc, None, &mut no_progress()).unwrap();
    let required = |b: &RecordBatch| {
        // The same columns, declared required (not nullable) except area_id, with area_id as a
        // dictionary, as kvarter synth writes them.
        let fields: Vec<arrow_schema::Field> = b
            .schema()
            .fields()
            .iter()
            .map(|f| {
                if f.name() == "area_id" {
                    arrow_schema::Field::new(
                        "area_id",
                        arrow_schema::DataType::Dictionary(
                            Box::new(arrow_schema::DataType::Int32),
                            Box::new(arrow_schema::DataType::Utf8),
                        ),
                        true,
                    )
                } else {
                    f.as_ref().clone().with_nullable(false)
                }
            })
            .collect();
        let mut cols = b.columns().to_vec();
        let i = b.schema().index_of("area_id").unwrap();
        cols[i] = arrow_cast_dictionary(&cols[i]);
        RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), cols).unwrap()
    };
    let col = |n: &str| ColumnPath::from(n);
    let layouts: Vec<(&str, WriterProperties, bool)> = vec![
        ("default", WriterProperties::builder().build(), false),
        (
            "required-dictionary-area",
            WriterProperties::builder()
                .set_max_row_group_row_count(Some(1500))
                .build(),
            true,
        ),
        (
            "no-dictionary-small-pages",
            WriterProperties::builder()
                .set_dictionary_enabled(false)
                .set_data_page_row_count_limit(333)
                .set_write_batch_size(111)
                .set_max_row_group_row_count(Some(2048))
                .build(),
            false,
        ),
        (
            "v2-pages-uncompressed",
            WriterProperties::builder()
                .set_writer_version(WriterVersion::PARQUET_2_0)
                .set_compression(Compression::UNCOMPRESSED)
                .set_data_page_row_count_limit(700)
                .set_write_batch_size(100)
                .set_statistics_enabled(EnabledStatistics::None)
                .build(),
            true,
        ),
        (
            "v2-pages-snappy-no-dictionary",
            WriterProperties::builder()
                .set_writer_version(WriterVersion::PARQUET_2_0)
                .set_compression(Compression::SNAPPY)
                .set_dictionary_enabled(false)
                .set_data_page_row_count_limit(1000)
                .set_write_batch_size(250)
                .build(),
            false,
        ),
        (
            "delta-ids, as kvarter synth writes them",
            WriterProperties::builder()
                .set_column_dictionary_enabled(col("person_id"), false)
                .set_column_encoding(col("person_id"), Encoding::DELTA_BINARY_PACKED)
                .build(),
            true,
        ),
        (
            "byte-stream-split income (general path)",
            WriterProperties::builder()
                .set_column_dictionary_enabled(col("income"), false)
                .set_column_encoding(col("income"), Encoding::BYTE_STREAM_SPLIT)
                .build(),
            false,
        ),
    ];
    for (name, props, req) in layouts {
        let d = dir(&format!("layout-{}", name.replace([' ', '(', ')'], "")));
        let b = batch(2022, &people);
        let b = if req { required(&b) } else { b };
        let file = std::fs::File::create(d.join("persons-2022.parquet")).unwrap();
        let mut w = ArrowWriter::try_new(file, b.schema(), Some(props)).unwrap();
        // In several writes, so that pages and row groups end at odd places.
        for (k, len) in [(0, 1234), (1234, 3000), (4234, 766)] {
            w.write(&b.slice(k, len)).unwrap();
        }
        w.close().unwrap();
        let got = read_registers(&d, None, &mut no_progress()).unwrap();
        assert_eq!(got, expected, "layout {name}");
    }
}

fn arrow_cast_dictionary(a: &ArrayRef) -> ArrayRef {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    let s = a.as_string::<i32>();
    let mut values: Vec<&str> = Vec::new();
    let keys: arrow_array::Int32Array = (0..s.len())
        .map(|i| {
            (!s.is_null(i)).then(|| {
                let v = s.value(i);
                match values.iter().position(|x| *x == v) {
                    Some(k) => k as i32,
                    None => {
                        values.push(v);
                        values.len() as i32 - 1
                    }
                }
            })
        })
        .collect();
    Arc::new(
        arrow_array::DictionaryArray::<arrow_array::types::Int32Type>::try_new(
            keys,
            Arc::new(StringArray::from(values)),
        )
        .unwrap(),
    )
}

/// The in-memory readers (`read_areas_from`, `read_persons_csv`) count what the folder reader
/// counts, and name the input as they are told.
#[test]
fn the_csv_readers_read_from_memory_as_from_the_folder() {
    let mut rng = Rng(11);
    let people = population(&mut rng, 500);
    let d = dir("from-memory");
    write_csv(&d.join("persons-2022.csv"), 2022, &people);
    let folder = read_registers(&d, None, &mut no_progress()).unwrap();
    let areas_text = std::fs::read(d.join("areas.csv")).unwrap();
    let areas = kvarter_data::read_areas_from("areas.csv", &areas_text[..]).unwrap();
    assert_eq!(areas, folder.areas);
    let persons = std::fs::read(d.join("persons-2022.csv")).unwrap();
    let counts = kvarter_data::read_persons_csv("p.csv", &persons[..], 2022, &areas).unwrap();
    assert_eq!(Some(&counts), folder.years.get(&2022));
    let e = kvarter_data::read_persons_csv("p.csv", &persons[..], 2021, &areas).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("p.csv, line 2, column year: expected the data year 2021"),
        "{e}"
    );
}

fn error_of(d: &Path) -> String {
    read_registers(d, None, &mut no_progress())
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_extracts_are_refused_with_file_row_and_column() {
    let mut rng = Rng(3);
    let base = population(&mut rng, 50);

    let d = dir("bad-age");
    let mut people = base.clone();
    people[17].age = 130;
    write_parquet(&d.join("persons-2022.parquet"), 2022, &people, 20);
    let e = error_of(&d);
    assert!(
        e.ends_with(
            "persons-2022.parquet, row 18, column age: expected an age from 0 to 120, found 130"
        ),
        "{e}"
    );

    let d = dir("bad-region");
    let mut people = base.clone();
    people[10].area = Some(0);
    people[10].region = 1081;
    write_parquet(&d.join("persons-2022.parquet"), 2022, &people, 20);
    let e = error_of(&d);
    assert!(e.ends_with("persons-2022.parquet, row 11, column region: the person lives in area 'A1', which areas.csv places in region 1084, but the row says 1081; expected the area's region"), "{e}");

    let d = dir("bad-dup");
    let mut people = base.clone();
    people[30].id = people[4].id;
    write_parquet(&d.join("persons-2022.parquet"), 2022, &people, 20);
    let e = error_of(&d);
    assert!(e.contains("persons-2022.parquet, row 31, column person_id: person 13 appears again in the same year (first at row 5)"), "{e}");

    let d = dir("bad-dup-csv");
    write_csv(&d.join("persons-2022.csv"), 2022, &people);
    let e = error_of(&d);
    assert!(e.contains("persons-2022.csv, line 32, column person_id: person 13 appears again in the same year (first on line 6)"), "{e}");

    let d = dir("bad-area");
    write_csv(&d.join("persons-2022.csv"), 2022, &base);
    let text = std::fs::read_to_string(d.join("persons-2022.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let fields: Vec<&str> = lines[3].split(',').collect();
    let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    f[2] = "ZZ".into();
    lines[3] = f.join(",");
    std::fs::write(d.join("persons-2022.csv"), lines.join("\n") + "\n").unwrap();
    let e = error_of(&d);
    assert!(e.contains("persons-2022.csv, line 4, column area_id: unknown area 'ZZ'; expected an area_id of areas.csv"), "{e}");

    let d = dir("bad-type");
    let b = batch(2022, &base);
    let idx = b.schema().index_of("age").unwrap();
    let mut cols: Vec<(String, ArrayRef)> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .zip(b.columns().iter().cloned())
        .collect();
    cols[idx].1 = Arc::new(Int16Array::from_iter_values(
        base.iter().map(|p| i16::from(p.age)),
    ));
    let b2 = RecordBatch::try_from_iter(cols).unwrap();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(d.join("persons-2022.parquet")).unwrap(),
        b2.schema(),
        None,
    )
    .unwrap();
    w.write(&b2).unwrap();
    w.close().unwrap();
    let e = error_of(&d);
    assert!(
        e.ends_with("persons-2022.parquet, column age: has type Int16; expected UInt8"),
        "{e}"
    );

    let d = dir("bad-missing");
    let b3 = b
        .project(
            &(0..b.num_columns())
                .filter(|&i| i != b.schema().index_of("convicted").unwrap())
                .collect::<Vec<_>>(),
        )
        .unwrap();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(d.join("persons-2022.parquet")).unwrap(),
        b3.schema(),
        None,
    )
    .unwrap();
    w.write(&b3).unwrap();
    w.close().unwrap();
    let e = error_of(&d);
    assert!(e.ends_with("persons-2022.parquet, column convicted: missing column; expected Boolean (see docs/REGISTERS.md)"), "{e}");

    let d = dir("bad-year");
    write_parquet(&d.join("persons-2021.parquet"), 2022, &base, 20);
    let e = error_of(&d);
    assert!(e.ends_with("persons-2021.parquet, row 1, column year: expected the data year 2021 of the file name, found 2022"), "{e}");
}

/// What was once accepted silently: a person file with a header and no rows (or a Parquet
/// file of 0 rows) dropped its data year; a column named twice in `areas.csv` or a person file
/// was read from one of the two.
#[test]
fn empty_person_files_and_repeated_columns_are_refused() {
    let mut rng = Rng(5);
    let base = population(&mut rng, 30);

    let d = dir("header-only-csv");
    write_csv(&d.join("persons-2021.csv"), 2021, &base);
    write_csv(&d.join("persons-2022.csv"), 2022, &[]);
    let e = error_of(&d);
    assert!(
        e.contains("persons-2022.csv, line 2: the file has a header but no rows; expected one row per person in data year 2022"),
        "{e}"
    );

    let d = dir("zero-row-parquet");
    write_parquet(&d.join("persons-2021.parquet"), 2021, &base, 20);
    write_parquet(&d.join("persons-2022.parquet"), 2022, &[], 20);
    let e = error_of(&d);
    assert!(
        e.contains("persons-2022.parquet: the file has no rows; expected one row per person in data year 2022"),
        "{e}"
    );

    let d = dir("repeated-person-column");
    write_csv(&d.join("persons-2022.csv"), 2022, &base);
    let text = std::fs::read_to_string(d.join("persons-2022.csv")).unwrap();
    let text = text.replacen("taxable,convicted\n", "taxable,age\n", 1);
    std::fs::write(d.join("persons-2022.csv"), text).unwrap();
    let e = error_of(&d);
    assert!(
        e.contains("persons-2022.csv, line 1, column age: appears twice in the header (columns 8 and 16); expected each column once"),
        "{e}"
    );

    let d = dir("repeated-area-column");
    write_csv(&d.join("persons-2022.csv"), 2022, &base);
    let areas = std::fs::read_to_string(d.join("areas.csv")).unwrap();
    let areas = areas.replacen("region,kind\n", "region,area_name\n", 1);
    std::fs::write(d.join("areas.csv"), areas).unwrap();
    let e = error_of(&d);
    assert!(
        e.contains("areas.csv, line 1, column area_name: appears twice in the header (columns 2 and 6); expected each column once"),
        "{e}"
    );
}
