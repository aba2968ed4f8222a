//! The disclosure audit: everything kvarter serves or writes, checked from outside for numbers
//! about fewer persons than the minimum count (5), and for suppressed numbers that can be
//! recomputed from what is shown beside them.
//!
//! kvarter runs on confidential register data and promises never to publish a count under the
//! minimum, nor a share, mean or rate whose denominator or numerator is under it, nor anything
//! from which such a number follows by arithmetic. A test per face proves only what that face's
//! author thought of. This test instead plays an outside reader with the confidential data in
//! hand and looks at every byte that leaves the program:
//!
//! - **Fixtures.** A crafted criteria file in which each group column in turn (`residents`,
//!   `persons_18_64`, `persons_18_plus`, `persons_30_59`, `persons_15_64_taxable`) holds 0–4
//!   persons in some area-years, and the share of that small group is a *sentinel*: a decimal
//!   (such as 74.59) that occurs nowhere else in the data, so it can be looked for in every
//!   served byte, as `74.59`, `74,59`, rounded to one decimal when it is a share of 70 or more,
//!   and as a number in XLSX, Parquet and GeoPackage cells. Further rows have a share whose
//!   numerator is 1–4 persons in a group of 5 or more (also sentinels), and rows where
//!   `residents − persons_18_plus`, `persons_18_plus − persons_18_64` or
//!   `persons_18_64 − persons_30_59` is 1–4. That store also holds the seeded plans. A second
//!   store is loaded from a tiny synthetic register folder, with a few persons added alone in
//!   grid cells of their own, and screened with `kbh-2025`.
//! - **Faces.** Each store is served on loopback. The crawler follows every same-origin link
//!   and every GET form (each option of each select, each empty number field set) from `/` and
//!   `/?lang=en`; calls every GET route of `/api/openapi.json` for every area id, list year,
//!   screening and plan table in the store, with each query parameter's values; fetches every
//!   download (`/lists/download`, `/areas/download`, `/foresight/download`, `/plans/download`)
//!   in every format, year and view; and runs `kvarter export` for both tables in all seven
//!   formats, every year and both views, and `kvarter plans report` as HTML and XLSX (every
//!   year of the criteria store; `/api/plans/report` is called as a route of the document).
//! - **Rules.** (a) No sentinel anywhere. (b) No count of persons of 1–4 in a field or column
//!   that carries a count (`residents`, `persons_*`, `group_size`, `population`, `num`, `den`,
//!   …, and a `residents` criterion's value). (c) Nothing suppressed can be recomputed: a share
//!   times its shown group must not give 1–4 persons; the shown differences of nested groups
//!   (`residents − persons_18_plus`, …) must not be 1–4; a criterion's value must not be
//!   recoverable as threshold + difference when it is withheld; a what-if must not show one of
//!   `value_before`/`value_after` when the other is suppressed. (d) The screening serves no
//!   unit or component under the spec's minimum population, not even its population, and no
//!   cell numerator or denominator of 1–4, nor one recoverable as value × denominator.
//!
//! HTML is checked by the sentinels (text, tables, chart tooltips alike); its tables are not
//! parsed for counts. Zero is not treated as disclosive (a count of 0 names nobody; Statistics Denmark's rule is
//! about cells of 1–4), but a share of a group of 0 is, like any share of fewer than 5. A margin
//! in persons or a what-if lever is a hypothetical number, not a count of residents: it is
//! checked only as a way to recover a withheld value. Every finding names the URL or file, the
//! place in it and the rule; the test collects them all and fails once with totals per rule and
//! per face.

mod common;

use common::{Server, kvarter, ok, root, serve};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

/// The minimum count of persons kvarter promises (`--min-count`, default 5).
const MIN_COUNT: f64 = 5.0;
/// At most this many pages are crawled per store, and this many query variants of one path.
const MAX_PAGES: usize = 1500;
const MAX_VARIANTS: usize = 10;
/// At most this many findings are printed in full.
const MAX_SHOWN: usize = 200;

/// Fields and columns that carry a number of persons.
const COUNT_KEYS: &[&str] = &[
    "residents",
    "persons_18_64",
    "persons_18_plus",
    "persons_30_59",
    "persons_15_64_taxable",
    "group_size",
    "population",
    "fragile_population",
    "num",
    "den",
    "numerator",
    "denominator",
    "respondents",
    "unsafe",
    "electorate",
    "votes",
];

/// Each share and the group it is a share of (the income criterion is a mean, not a share).
const SHARE_OF: &[(&str, &str)] = &[
    ("non_western_pct", "residents"),
    ("outside_labour_pct", "persons_18_64"),
    ("convicted_pct", "persons_18_plus"),
    ("basic_education_pct", "persons_30_59"),
];

/// A share or mean over each group column, for the sentinels of small groups.
const GROUPS: &[(&str, &str)] = &[
    ("residents", "non_western_pct"),
    ("persons_18_64", "outside_labour_pct"),
    ("persons_18_plus", "convicted_pct"),
    ("persons_30_59", "basic_education_pct"),
    ("persons_15_64_taxable", "income_pct_of_region"),
];

/// Nested groups: the first minus the second is a group of persons too.
const NESTED: &[(&str, &str)] = &[
    ("residents", "persons_18_plus"),
    ("persons_18_plus", "persons_18_64"),
    ("persons_18_64", "persons_30_59"),
];

/// A criterion (by a word of its id, e.g. `fb_convicted`) whose value is a share of its
/// `group_size`.
const SHARE_CRITERIA: &[&str] = &[
    "non_western",
    "outside_labour",
    "convicted",
    "basic_education",
];

const HEADER: &[&str] = &[
    "area_id",
    "area_name",
    "municipality",
    "list_year",
    "residents",
    "non_western_pct",
    "outside_labour_pct",
    "convicted_pct",
    "convicted_national_pct",
    "basic_education_pct",
    "income_pct_of_region",
    "persons_18_64",
    "persons_18_plus",
    "persons_30_59",
    "persons_15_64_taxable",
];

const YEARS: [u16; 3] = [2019, 2022, 2024];

// ---------------------------------------------------------------------------------------------
// The fixtures.

/// A number that must be served nowhere: the share of a small group, or a share whose
/// numerator is small.
struct Sentinel {
    /// As written in the criteria file, e.g. `74.59`.
    text: String,
    value: f64,
    /// Rounded to one decimal (`74.6`), looked for too when it is distinctive (70 or more).
    one_decimal: Option<String>,
    /// Where it comes from, for the message.
    origin: String,
}

type Row = BTreeMap<&'static str, String>;

fn row(id: &str, name: &str, municipality: &str, year: u16) -> Row {
    let national = match year {
        2019 => "0.86",
        2022 => "0.80",
        _ => "0.76",
    };
    let mut r = Row::new();
    for (k, v) in [
        ("area_id", id),
        ("area_name", name),
        ("municipality", municipality),
        ("residents", "1300"),
        ("non_western_pct", "35.0"),
        ("outside_labour_pct", "45.0"),
        ("convicted_pct", "1.20"),
        ("convicted_national_pct", national),
        ("basic_education_pct", "62.0"),
        ("income_pct_of_region", "52.0"),
        ("persons_18_64", "800"),
        ("persons_18_plus", "1000"),
        ("persons_30_59", "450"),
        ("persons_15_64_taxable", "700"),
    ] {
        r.insert(k, v.to_string());
    }
    r.insert("list_year", year.to_string());
    r
}

/// The crafted criteria file and its sentinels.
fn criteria() -> (String, Vec<Sentinel>) {
    const A: &str = "Revisionby Kommune";
    const B: &str = "Prøvested Kommune";
    let mut rows = Vec::new();
    let mut sentinels = Vec::new();
    for &year in &YEARS {
        // Ordinary areas: one on the lists, one on none, one a parallelsamfund.
        rows.push(row("N1", "Nordvang", A, year));
        let mut r = row("N2", "Sydhøj", A, year);
        for (k, v) in [
            ("residents", "1100"),
            ("non_western_pct", "20.0"),
            ("outside_labour_pct", "30.0"),
            ("convicted_pct", "0.80"),
            ("basic_education_pct", "35.0"),
            ("income_pct_of_region", "80.0"),
        ] {
            r.insert(k, v.into());
        }
        rows.push(r);
        let mut r = row("N3", "Østerled", B, year);
        r.insert("non_western_pct", "60.0".into());
        rows.push(r);
    }
    // Each group column in turn holds 0–4 persons, with a sentinel share; the areas are
    // otherwise on the lists, so the lists show them.
    let small = [
        ("G1", "Lilleby", A, [3, 0, 1], ["71.13", "72.27", "73.41"]),
        ("G2", "Enghaven", A, [4, 0, 2], ["74.59", "76.63", "77.83"]),
        ("G3", "Skovly", A, [1, 3, 0], ["78.31", "79.47", "81.19"]),
        ("G4", "Bakkely", B, [2, 4, 1], ["82.23", "83.39", "84.53"]),
        ("G5", "Åsted", B, [0, 1, 4], ["131.17", "136.29", "142.43"]),
    ];
    for (i, (id, name, municipality, sizes, shares)) in small.iter().enumerate() {
        let (group, share) = GROUPS[i];
        for (j, &year) in YEARS.iter().enumerate() {
            let mut r = row(id, name, municipality, year);
            r.insert(group, sizes[j].to_string());
            r.insert(share, shares[j].to_string());
            rows.push(r);
            let value: f64 = shares[j].parse().unwrap();
            sentinels.push(Sentinel {
                text: shares[j].to_string(),
                value,
                one_decimal: Some(format!("{value:.1}")),
                origin: format!("{id} {year}: {share} of {group} = {}", sizes[j]),
            });
        }
    }
    // Shares whose numerator is 1–4 persons in a group of 5 or more.
    let numerators = [
        (
            "Q1",
            "Tværvej",
            A,
            2019,
            "convicted_pct",
            "1.73",
            "persons_18_plus",
            231,
        ),
        (
            "Q1",
            "Tværvej",
            A,
            2022,
            "outside_labour_pct",
            "2.19",
            "persons_18_64",
            137,
        ),
        (
            "Q1",
            "Tværvej",
            A,
            2024,
            "basic_education_pct",
            "3.41",
            "persons_30_59",
            88,
        ),
        (
            "Q2",
            "Kærholm",
            B,
            2019,
            "non_western_pct",
            "0.17",
            "residents",
            1176,
        ),
        (
            "Q2",
            "Kærholm",
            B,
            2022,
            "convicted_pct",
            "0.37",
            "persons_18_plus",
            1081,
        ),
        (
            "Q2",
            "Kærholm",
            B,
            2024,
            "outside_labour_pct",
            "1.03",
            "persons_18_64",
            367,
        ),
    ];
    for (id, name, municipality, year, share, value, group, size) in numerators {
        let mut r = row(id, name, municipality, year);
        r.insert(share, value.into());
        r.insert(group, size.to_string());
        rows.push(r);
        let v: f64 = value.parse().unwrap();
        sentinels.push(Sentinel {
            text: value.into(),
            value: v,
            one_decimal: None,
            origin: format!(
                "{id} {year}: {share} {value} of {group} {size} = {:.2} persons",
                v * f64::from(size) / 100.0
            ),
        });
    }
    // Nested groups whose difference is 1–4 persons.
    for (year, changes) in [
        (2019, [("residents", "1203"), ("persons_18_plus", "1200")]),
        (2022, [("persons_18_plus", "802"), ("persons_18_64", "800")]),
        (2024, [("persons_18_64", "800"), ("persons_30_59", "796")]),
    ] {
        let mut r = row("D1", "Fælledgården", B, year);
        for (k, v) in changes {
            r.insert(k, v.into());
        }
        rows.push(r);
    }
    let mut csv = HEADER.join(",");
    csv.push('\n');
    for r in &rows {
        let cells: Vec<&str> = HEADER.iter().map(|h| r[h].as_str()).collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    (csv, sentinels)
}

/// A tiny synthetic register folder whose screening year has persons moved alone into grid
/// cells of their own: the first four persons of each year's file are moved (their address
/// only, not their area), one into an empty cell and three into another.
fn registers(dir: &Path) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{ArrayRef, Float64Array, RecordBatch};
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use std::sync::Arc;
    common::synth_tiny("2021-2024", dir);
    let places = [
        (717_050.0, 6_168_050.0),
        (717_450.0, 6_168_050.0),
        (717_450.0, 6_168_060.0),
        (717_460.0, 6_168_070.0),
    ];
    for year in 2021..=2024 {
        let file = dir.join(format!("persons-{year}.parquet"));
        let batches: Vec<RecordBatch> =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .map(Result::unwrap)
                .collect();
        let schema = batches[0].schema();
        let col = |name: &str| schema.index_of(name).unwrap();
        let (east, north) = (col("east"), col("north"));
        let mut moved = 0;
        let mut out = Vec::new();
        for b in batches {
            let mut e: Vec<Option<f64>> = b
                .column(east)
                .as_primitive::<Float64Type>()
                .iter()
                .collect();
            let mut n: Vec<Option<f64>> = b
                .column(north)
                .as_primitive::<Float64Type>()
                .iter()
                .collect();
            for i in 0..b.num_rows() {
                if moved < places.len() {
                    (e[i], n[i]) = (Some(places[moved].0), Some(places[moved].1));
                    moved += 1;
                }
            }
            let mut columns: Vec<ArrayRef> = b.columns().to_vec();
            columns[east] = Arc::new(Float64Array::from(e));
            columns[north] = Arc::new(Float64Array::from(n));
            out.push(RecordBatch::try_new(schema.clone(), columns).unwrap());
        }
        let tmp = dir.join("persons.tmp");
        let mut w =
            ArrowWriter::try_new(std::fs::File::create(&tmp).unwrap(), schema, None).unwrap();
        for b in &out {
            w.write(b).unwrap();
        }
        w.close().unwrap();
        std::fs::rename(&tmp, &file).unwrap();
    }
}

/// `min_unit_population` and `min_area_population` of a screening spec.
fn screening_minimums(spec: &str) -> (f64, f64) {
    let text =
        std::fs::read_to_string(root().join(format!("rules/screening/{spec}.toml"))).unwrap();
    let get = |key: &str| -> f64 {
        text.lines()
            .find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == key).then(|| v.trim().parse().ok())?
            })
            .unwrap_or_else(|| panic!("{spec}: no {key}"))
    };
    (get("min_unit_population"), get("min_area_population"))
}

// ---------------------------------------------------------------------------------------------
// Findings.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Rule {
    /// (a) A sentinel: a share of a small group, or a share with a small numerator.
    Sentinel,
    /// (b) A count of 1–4 persons.
    SmallCount,
    /// (c) A share times its shown group is 1–4 persons.
    ShareTimesGroup,
    /// (c) Two shown nested groups differ by 1–4 persons.
    NestedDifference,
    /// (c) A withheld value is the shown threshold plus the shown difference.
    ThresholdPlusDifference,
    /// (c) A what-if shows one of before/after while the other is suppressed.
    WhatIfBeforeAfter,
    /// (d) A screening unit or component under the spec's minimum population.
    ScreeningUnderMinimum,
    /// (d) A cell's numerator recomputed as value × denominator is 1–4.
    ScreeningValueTimesDen,
    /// The face could not be audited: a server error or an unreadable file.
    Unauditable,
}

impl Rule {
    fn says(self) -> &'static str {
        match self {
            Rule::Sentinel => {
                "(a) a share of a group under 5 persons, or with a numerator under 5, is served"
            }
            Rule::SmallCount => "(b) a count of 1-4 persons is served",
            Rule::ShareTimesGroup => "(c) share x shown group = 1-4 persons",
            Rule::NestedDifference => "(c) shown group minus shown subgroup = 1-4 persons",
            Rule::ThresholdPlusDifference => "(c) a withheld value = shown threshold + difference",
            Rule::WhatIfBeforeAfter => {
                "(c) what-if shows before or after while the other is suppressed"
            }
            Rule::ScreeningUnderMinimum => {
                "(d) a screening unit or component under the spec's minimum population is served"
            }
            Rule::ScreeningValueTimesDen => {
                "(d) a screening cell's numerator = value x denominator is 1-4"
            }
            Rule::Unauditable => "the face could not be audited",
        }
    }
}

struct Finding {
    rule: Rule,
    face: String,
    location: String,
    detail: String,
}

/// The number in a JSON value or a cell: a number, or a string that is one.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A suppressed mark: `{"suppressed": true, …}`, or a text such as `<5` or `færre end 5`.
fn suppressed(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.get("suppressed") == Some(&Value::Bool(true)),
        Value::String(s) => {
            let s = s.trim().to_lowercase();
            s.starts_with('<') || s.contains("færre end") || s.contains("fewer than")
        }
        _ => false,
    }
}

/// Persons between 1 and 4, allowing for the 2-decimal rounding of a share of `group`.
fn few(n: f64, tolerance: f64) -> bool {
    n > tolerance.max(1e-9) && n < MIN_COUNT - tolerance.max(1e-9)
}

/// Where `needle` stands alone as a number in `hay` (no digit before it, none after it but
/// trailing zeros).
fn standalone(hay: &str, needle: &str) -> Vec<usize> {
    hay.match_indices(needle)
        .map(|(i, _)| i)
        .filter(|&i| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + needle.len()..]
                .trim_start_matches('0')
                .chars()
                .next();
            !before.is_some_and(|c| c.is_ascii_digit())
                && !after.is_some_and(|c| c.is_ascii_digit())
        })
        .collect()
}

/// One row of a downloaded table: its column keys and cells.
struct Record {
    location: String,
    fields: Vec<(String, Value)>,
}

/// The audit of one store: its sentinels, its screening minimums, what was found.
struct Audit {
    sentinels: Vec<Sentinel>,
    screening: (f64, f64),
    ids: BTreeSet<String>,
    findings: Vec<Finding>,
    faces: usize,
}

impl Audit {
    fn find(
        &mut self,
        rule: Rule,
        face: &str,
        location: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.findings.push(Finding {
            rule,
            face: face.to_string(),
            location: location.into(),
            detail: detail.into(),
        });
    }

    /// (a) Every sentinel, as written, in Danish, and rounded to one decimal, in a text.
    fn text(&mut self, face: &str, text: &str) {
        self.text_at(face, "", text);
    }

    /// [`Audit::text`] of a part of a file (`where_` names it: a sheet, a table).
    fn text_at(&mut self, face: &str, where_: &str, text: &str) {
        let mut hits = Vec::new();
        for s in &self.sentinels {
            let mut forms = vec![s.text.clone(), s.text.replace('.', ",")];
            if let Some(one) = &s.one_decimal {
                forms.push(one.clone());
                forms.push(one.replace('.', ","));
            }
            let mut at = BTreeSet::new();
            for f in &forms {
                at.extend(standalone(text, f).into_iter().map(|i| (i, f.len())));
            }
            for (i, len) in at {
                let line = text[..i].matches('\n').count() + 1;
                let from = text[..i].char_indices().rev().nth(40).map_or(0, |(j, _)| j);
                let to = text[i + len..]
                    .char_indices()
                    .nth(40)
                    .map_or(text.len(), |(j, _)| i + len + j);
                let context: String = text[from..to]
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                hits.push((
                    format!("{where_}line {line}, byte {i}"),
                    format!("{} ({}) in …{context}…", &text[i..i + len], s.origin),
                ));
            }
        }
        for (location, detail) in hits {
            self.find(Rule::Sentinel, face, location, detail);
        }
    }

    /// (a) A sentinel as a number in a binary cell (also as a fraction of 1).
    fn cell_number(&mut self, face: &str, location: &str, x: f64) {
        let hit = self
            .sentinels
            .iter()
            .find(|s| (x - s.value).abs() < 1e-9 || (x * 100.0 - s.value).abs() < 1e-7)
            .map(|s| format!("{x} ({})", s.origin));
        if let Some(detail) = hit {
            self.find(Rule::Sentinel, face, location, detail);
        }
    }

    /// (b), (c): the rules on one object or row, given as key → value.
    fn record(&mut self, face: &str, location: &str, fields: &[(String, Value)], screening: bool) {
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v);
        let num = |k: &str| get(k).and_then(number);
        let mut found = Vec::new();
        for (k, v) in fields {
            if screening && k == "population" {
                continue;
            }
            if COUNT_KEYS.contains(&k.as_str())
                && let Some(n) = number(v)
                && few(n, 0.0)
            {
                found.push((Rule::SmallCount, format!("{k} = {n}")));
            }
        }
        for (share, group) in SHARE_OF {
            if let (Some(s), Some(g)) = (num(share), num(group)) {
                let n = s * g / 100.0;
                if few(n, 0.005 * g / 100.0 + 1e-9) {
                    found.push((
                        Rule::ShareTimesGroup,
                        format!("{share} {s} x {group} {g} / 100 = {n:.2} persons"),
                    ));
                }
            }
        }
        for (whole, part) in NESTED {
            if let (Some(w), Some(p)) = (num(whole), num(part))
                && few(w - p, 0.0)
            {
                found.push((
                    Rule::NestedDifference,
                    format!("{whole} {w} - {part} {p} = {} persons", w - p),
                ));
            }
        }
        // A criterion: its value, and what the threshold and the difference give away.
        let id = get("criterion")
            .or_else(|| get("id"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if get("threshold").is_some() {
            let group = num("group_size");
            let residents = id.contains("residents");
            let share = SHARE_CRITERIA.iter().any(|c| id.contains(c));
            let mut values: Vec<(String, f64)> = ["value", "value_before", "value_after"]
                .iter()
                .filter_map(|k| Some((k.to_string(), num(k)?)))
                .collect();
            let withheld = get("value").is_none_or(|v| v.is_null() || suppressed(v));
            if withheld
                && get("value").is_some()
                && let (Some(t), Some(d)) = (num("threshold"), num("difference"))
            {
                let v = t + d;
                found.push((
                    Rule::ThresholdPlusDifference,
                    format!("{id}: threshold {t} + difference {d} = {v}"),
                ));
                values.push(("threshold + difference".into(), v));
            }
            for (k, v) in values {
                // A what-if's value after a change is hypothetical: it is checked only as a way
                // back to the value before (below).
                if k == "value_after" {
                    continue;
                }
                if residents && few(v, 0.0) {
                    found.push((
                        Rule::SmallCount,
                        format!("criterion {id}: {k} = {v} residents"),
                    ));
                }
                if share && let Some(g) = group {
                    let n = v * g / 100.0;
                    if few(n, 0.005 * g / 100.0 + 1e-9) {
                        found.push((
                            Rule::ShareTimesGroup,
                            format!(
                                "criterion {id}: {k} {v} x group_size {g} / 100 = {n:.2} persons"
                            ),
                        ));
                    }
                }
            }
        }
        if let (Some(b), Some(a)) = (get("value_before"), get("value_after"))
            && (suppressed(b) && number(a).is_some() || suppressed(a) && number(b).is_some())
        {
            found.push((
                Rule::WhatIfBeforeAfter,
                format!("{id}: value_before {b}, value_after {a}"),
            ));
        }
        for (rule, detail) in found {
            self.find(rule, face, location, detail);
        }
    }

    /// Every object in a JSON document, with the screening rules when it is a screening.
    fn json(&mut self, face: &str, v: &Value) {
        let screening = face.contains("/api/screenings/");
        self.walk(face, "$", v, screening);
    }

    fn walk(&mut self, face: &str, path: &str, v: &Value, screening: bool) {
        match v {
            Value::Object(o) => {
                let fields: Vec<(String, Value)> =
                    o.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                self.record(face, path, &fields, screening);
                if screening {
                    self.screening_object(face, path, o);
                }
                for (k, x) in o {
                    self.walk(face, &format!("{path}.{k}"), x, screening);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    self.walk(face, &format!("{path}[{i}]"), x, screening);
                }
            }
            Value::Number(n) => {
                // A sentinel as a fraction of 1 (the text search finds it as written).
                let x = n.as_f64().unwrap_or(f64::NAN);
                if let Some(s) = self
                    .sentinels
                    .iter()
                    .find(|s| (x * 100.0 - s.value).abs() < 1e-7)
                {
                    let detail = format!("{x} = {}% ({})", s.value, s.origin);
                    self.find(Rule::Sentinel, face, path, detail);
                }
            }
            _ => {}
        }
    }

    /// (d) A screening's units and components, and its cells' counts.
    fn screening_object(&mut self, face: &str, path: &str, o: &serde_json::Map<String, Value>) {
        let (unit, area) = self.screening;
        if let Some(p) = o.get("population").and_then(number) {
            let cellish = path.contains(".cells[") || path.contains("units");
            let minimum = if cellish { unit } else { area };
            if p < minimum {
                self.find(
                    Rule::ScreeningUnderMinimum,
                    face,
                    path,
                    format!(
                        "population {p} under the spec's minimum {minimum} for a {}",
                        if cellish { "unit" } else { "component" }
                    ),
                );
            }
        }
        if let (Some(value), Some(den)) = (
            o.get("value").and_then(number),
            o.get("den").and_then(number),
        ) && o.get("num").and_then(number).is_none()
        {
            let n = value * den;
            if (n - n.round()).abs() < 1e-6 && few(n.round(), 0.0) {
                self.find(
                    Rule::ScreeningValueTimesDen,
                    face,
                    path,
                    format!("value {value} x den {den} = {} persons", n.round()),
                );
            }
        }
    }

    /// (b), (c) on the rows of a table, and (a) on its numeric cells.
    fn table(&mut self, face: &str, records: &[Record]) {
        for r in records {
            self.record(face, &r.location, &r.fields, false);
            for (k, v) in &r.fields {
                if let Value::Number(n) = v {
                    let at = format!("{}, column {k}", r.location);
                    self.cell_number(face, &at, n.as_f64().unwrap_or(f64::NAN));
                }
            }
        }
    }

    /// A file in one of the download formats.
    fn file(&mut self, face: &str, format: &str, bytes: &[u8]) {
        self.faces += 1;
        let result = match format {
            "csv" | "csv-da" => {
                let text = String::from_utf8_lossy(bytes);
                self.text(face, &text);
                delimited(bytes, format == "csv-da").map(|r| self.table(face, &r))
            }
            "geojson" | "geojson-25832" => {
                let text = String::from_utf8_lossy(bytes);
                self.text(face, &text);
                serde_json::from_slice::<Value>(bytes)
                    .map_err(|e| e.to_string())
                    .map(|v| {
                        let records = features(&v);
                        self.table(face, &records);
                    })
            }
            "xlsx" => workbook(bytes).map(|(texts, records)| {
                for (location, t) in texts {
                    self.text_at(face, &format!("{location}, "), &t);
                }
                self.table(face, &records);
            }),
            "parquet" => parquet_rows(bytes).map(|(texts, records)| {
                for (location, t) in texts {
                    self.text_at(face, &format!("{location}, "), &t);
                }
                self.table(face, &records);
            }),
            "gpkg" => geopackage(bytes).map(|(texts, records)| {
                for (location, t) in texts {
                    self.text_at(face, &format!("{location}, "), &t);
                }
                self.table(face, &records);
            }),
            other => Err(format!("unknown format {other}")),
        };
        if let Err(e) = result {
            self.find(
                Rule::Unauditable,
                face,
                "file",
                format!("cannot read it as {format}: {e}"),
            );
        }
    }

    /// A reply from the server: JSON, HTML or a download.
    fn reply(&mut self, face: &str, status: u16, content_type: &str, body: &[u8]) {
        if status >= 500 {
            self.find(
                Rule::Unauditable,
                face,
                format!("status {status}"),
                String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
            );
            return;
        }
        if status != 200 {
            // Errors are JSON problems or HTML pages: their text is served all the same.
            self.faces += 1;
            self.text(face, &String::from_utf8_lossy(body));
            return;
        }
        let format = query_param(face, "format");
        if content_type.contains("json") && !face.contains("/download") {
            self.faces += 1;
            self.text(face, &String::from_utf8_lossy(body));
            match serde_json::from_slice::<Value>(body) {
                Ok(v) => self.json(face, &v),
                Err(e) => self.find(Rule::Unauditable, face, "body", format!("not JSON: {e}")),
            }
        } else if content_type.starts_with("text/html") {
            self.faces += 1;
            self.text(face, &String::from_utf8_lossy(body));
        } else if let Some(f) = format.as_deref().or(match content_type {
            t if t.contains("spreadsheetml") => Some("xlsx"),
            t if t.contains("geopackage") => Some("gpkg"),
            t if t.contains("parquet") => Some("parquet"),
            t if t.contains("geo+json") => Some("geojson"),
            t if t.starts_with("text/csv") => Some("csv"),
            _ => None,
        }) {
            let f = if f == "csv" && content_type.contains("semicolon") {
                "csv-da"
            } else {
                f
            };
            self.file(face, f, body);
        } else {
            self.faces += 1;
            self.text(face, &String::from_utf8_lossy(body));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the download formats into records.

/// The rows of a CSV file (comma and decimal point, or semicolon and decimal comma), the
/// header's keys naming the columns; the notes under the table are rows of one cell.
fn delimited(bytes: &[u8], danish: bool) -> Result<Vec<Record>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(if danish { b';' } else { b',' })
        .from_reader(bytes);
    let mut header: Option<Vec<String>> = None;
    let mut out = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let r = r.map_err(|e| e.to_string())?;
        let Some(h) = &header else {
            header = Some(r.iter().map(key).collect());
            continue;
        };
        let fields = h
            .iter()
            .zip(r.iter())
            .map(|(k, cell)| {
                let c = if danish {
                    cell.replace('.', "").replace(',', ".")
                } else {
                    cell.to_string()
                };
                let v = c
                    .parse::<f64>()
                    .map_or(Value::String(cell.to_string()), |_| {
                        Value::String(c.clone())
                    });
                (k.clone(), v)
            })
            .collect();
        out.push(Record {
            location: format!("line {}", i + 1),
            fields,
        });
    }
    Ok(out)
}

/// A column's key from its heading: the key itself, or the product's Danish or English label.
fn key(heading: &str) -> String {
    let h = heading.trim().to_lowercase();
    if COUNT_KEYS.contains(&h.as_str()) || h.contains('_') {
        return h;
    }
    let labels: &[(&[&str], &str)] = &[
        (&["beboere", "residents"], "residents"),
        (&["ikke-vestlig", "non-western"], "non_western_pct"),
        (&["arbejdsmarkedet", "labour market"], "outside_labour_pct"),
        (&["dømt", "convicted"], "convicted_pct"),
        (&["grundskole", "basic education"], "basic_education_pct"),
        (&["indkomst", "income"], "income_pct_of_region"),
    ];
    labels
        .iter()
        .find(|(words, _)| words.iter().any(|w| h.contains(w)))
        .map_or(h.clone(), |(_, k)| k.to_string())
}

/// Each GeoJSON feature's properties as a record.
fn features(v: &Value) -> Vec<Record> {
    v["features"]
        .as_array()
        .map(|f| {
            f.iter()
                .enumerate()
                .map(|(i, f)| Record {
                    location: format!("features[{i}].properties"),
                    fields: f["properties"]
                        .as_object()
                        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

type Texts = Vec<(String, String)>;

/// Every sheet of a workbook: its text cells as one text, its rows as records under the first
/// row's headings.
fn workbook(bytes: &[u8]) -> Result<(Texts, Vec<Record>), String> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e: calamine::XlsxError| e.to_string())?;
    let mut texts = Vec::new();
    let mut records = Vec::new();
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).map_err(|e| e.to_string())?;
        let mut text = String::new();
        let mut header: Vec<String> = Vec::new();
        for (r, row) in range.rows().enumerate() {
            let mut fields = Vec::new();
            for (c, cell) in row.iter().enumerate() {
                let v = match cell {
                    Data::String(s) => {
                        text.push_str(s);
                        text.push('\n');
                        Value::String(s.clone())
                    }
                    Data::Float(x) => {
                        serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number)
                    }
                    Data::Int(i) => Value::from(*i),
                    _ => Value::Null,
                };
                if r == 0 {
                    header.push(v.as_str().map(key).unwrap_or_default());
                } else if let Some(k) = header.get(c) {
                    fields.push((k.clone(), v));
                }
            }
            if r > 0 {
                records.push(Record {
                    location: format!("sheet {sheet:?}, row {}", r + 1),
                    fields,
                });
            }
        }
        texts.push((format!("sheet {sheet:?}"), text));
    }
    Ok((texts, records))
}

/// The rows of a Parquet file, numbers as numbers, decimals and texts as strings.
fn parquet_rows(bytes: &[u8]) -> Result<(Texts, Vec<Record>), String> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type, Int64Type};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let dir = std::env::temp_dir().join(format!("kvarter-disclosure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("read.parquet");
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    let mut text = String::new();
    let mut records = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| e.to_string())?;
        let schema = batch.schema();
        for i in 0..batch.num_rows() {
            let mut fields = Vec::new();
            for (c, field) in schema.fields().iter().enumerate() {
                let col = batch.column(c);
                if col.is_null(i) {
                    continue;
                }
                let v = match col.data_type() {
                    DataType::Utf8 => Value::String(col.as_string::<i32>().value(i).to_string()),
                    DataType::Int64 => Value::from(col.as_primitive::<Int64Type>().value(i)),
                    DataType::Int32 => Value::from(col.as_primitive::<Int32Type>().value(i)),
                    DataType::Float64 => {
                        serde_json::Number::from_f64(col.as_primitive::<Float64Type>().value(i))
                            .map_or(Value::Null, Value::Number)
                    }
                    DataType::Decimal128(_, _) => Value::String(
                        col.as_primitive::<arrow_array::types::Decimal128Type>()
                            .value_as_string(i),
                    ),
                    _ => continue,
                };
                if let Value::String(s) = &v {
                    text.push_str(s);
                    text.push('\n');
                }
                fields.push((field.name().clone(), v));
            }
            records.push(Record {
                location: format!("row {}", records.len() + 1),
                fields,
            });
        }
    }
    Ok((vec![("text cells".into(), text)], records))
}

/// Every feature and attribute table of a GeoPackage, geometry left out.
fn geopackage(bytes: &[u8]) -> Result<(Texts, Vec<Record>), String> {
    use rusqlite::types::ValueRef;
    let dir = std::env::temp_dir().join(format!("kvarter-disclosure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("read.gpkg");
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let e = |e: rusqlite::Error| e.to_string();
    let conn = rusqlite::Connection::open(&path).map_err(e)?;
    let tables: Vec<String> = conn
        .prepare("SELECT table_name FROM gpkg_contents ORDER BY table_name")
        .map_err(e)?
        .query_map([], |r| r.get(0))
        .map_err(e)?
        .collect::<Result<_, _>>()
        .map_err(e)?;
    let mut texts = Vec::new();
    let mut records = Vec::new();
    for t in tables {
        let mut st = conn.prepare(&format!("SELECT * FROM \"{t}\"")).map_err(e)?;
        let names: Vec<String> = st.column_names().iter().map(|s| s.to_string()).collect();
        let mut rows = st.query([]).map_err(e)?;
        let mut text = String::new();
        let mut n = 0;
        while let Some(r) = rows.next().map_err(e)? {
            n += 1;
            let mut fields = Vec::new();
            for (c, name) in names.iter().enumerate() {
                let v = match r.get_ref(c).map_err(e)? {
                    ValueRef::Integer(i) => Value::from(i),
                    ValueRef::Real(x) => {
                        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
                    }
                    ValueRef::Text(s) => {
                        let s = String::from_utf8_lossy(s).into_owned();
                        text.push_str(&s);
                        text.push('\n');
                        Value::String(s)
                    }
                    _ => continue,
                };
                fields.push((name.clone(), v));
            }
            records.push(Record {
                location: format!("table {t}, row {n}"),
                fields,
            });
        }
        texts.push((format!("table {t}"), text));
    }
    Ok((texts, records))
}

// ---------------------------------------------------------------------------------------------
// Asking the server.

/// `GET path` over HTTP/1.0: status, content type, body.
fn get(addr: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("GET {path}: no HTTP head"));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    let content_type = header("content-type").unwrap_or_default();
    // Every response the crawl reads carries the security headers (kvarter_web::secure), and
    // the sign-in page is never stored by a cache.
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("content-security-policy", kvarter_web::secure::CSP),
    ] {
        assert_eq!(header(name).as_deref(), Some(value), "GET {path}: {name}");
    }
    if path.starts_with("/login") {
        assert_eq!(
            header("cache-control").as_deref(),
            Some("no-store"),
            "GET {path}"
        );
    }
    (status, content_type, raw[split + 4..].to_vec())
}

fn get_json(addr: &str, path: &str) -> Value {
    let (status, _, body) = get(addr, path);
    assert_eq!(
        status,
        200,
        "GET {path}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn with_query(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("{path}?{}", q.join("&"))
}

/// A URL with its query pairs in order, so that one page is fetched once.
fn canonical(url: &str) -> String {
    match url.split_once('?') {
        Some((path, q)) => {
            let mut pairs: Vec<&str> = q.split('&').filter(|p| !p.is_empty()).collect();
            pairs.sort();
            if pairs.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", pairs.join("&"))
            }
        }
        None => url.to_string(),
    }
}

/// The value of `name="…"` in a tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    loop {
        let i = rest.find(&format!("{name}=\""))?;
        let before = rest[..i].chars().next_back();
        let start = i + name.len() + 2;
        let end = rest[start..].find('"')? + start;
        if before.is_none_or(|c| c.is_whitespace()) {
            return Some(rest[start..end].replace("&amp;", "&"));
        }
        rest = &rest[end..];
    }
}

/// The tags `<name …>` in a piece of HTML.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(end) = after.find('>') else { break };
        if after.starts_with([' ', '>', '\n']) {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// The same-origin links of a page, and (with `forms`) the URLs its GET forms submit: the
/// defaults, each option of each select, and each empty text field set to 10.
fn links(html: &str, forms: bool) -> Vec<String> {
    let mut out = Vec::new();
    for t in ["a", "link", "img", "script", "iframe", "area"] {
        for tag in tags(html, t) {
            out.extend(attr(tag, "href").into_iter().chain(attr(tag, "src")));
        }
    }
    let mut rest = if forms { html } else { "" };
    while let Some(i) = rest.find("<form") {
        let end = rest[i..].find("</form>").map_or(rest.len(), |j| i + j);
        let form = &rest[i..end];
        rest = &rest[end..];
        let head = &form[..form.find('>').unwrap_or(form.len())];
        if !attr(head, "method").is_some_and(|m| m.eq_ignore_ascii_case("get")) {
            continue;
        }
        let action = attr(head, "action").unwrap_or_default();
        let action = action.split('#').next().unwrap_or("").to_string();
        let mut defaults: Vec<(String, String)> = Vec::new();
        let mut variants: Vec<(usize, String)> = Vec::new();
        for tag in tags(form, "input") {
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            if matches!(kind.as_str(), "submit" | "button" | "checkbox" | "radio") {
                continue;
            }
            let value = attr(tag, "value").unwrap_or_default();
            if value.is_empty() && kind != "hidden" {
                variants.push((defaults.len(), "10".into()));
            }
            defaults.push((name, value));
        }
        let mut sel = form;
        while let Some(i) = sel.find("<select") {
            let end = sel[i..].find("</select>").map_or(sel.len(), |j| i + j);
            let select = &sel[i..end];
            sel = &sel[end..];
            let Some(name) = attr(&select[..select.find('>').unwrap_or(0)], "name") else {
                continue;
            };
            let options: Vec<(String, bool)> = tags(select, "option")
                .into_iter()
                .filter_map(|o| Some((attr(o, "value")?, o.contains("selected"))))
                .collect();
            let default = options
                .iter()
                .find(|(_, s)| *s)
                .or(options.first())
                .map(|(v, _)| v.clone())
                .unwrap_or_default();
            let at = defaults.len();
            defaults.push((name, default));
            variants.extend(options.into_iter().map(|(v, _)| (at, v)));
        }
        out.push(with_query(&action, &defaults));
        for (at, v) in variants {
            let mut pairs = defaults.clone();
            pairs[at].1 = v;
            out.push(with_query(&action, &pairs));
        }
    }
    out.into_iter()
        .map(|l| canonical(l.split('#').next().unwrap_or("")))
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .filter(|l| {
            !["/static/", "/login", "/logout", "/admin"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect()
}

impl Audit {
    /// Every page reachable by links and GET forms from `/` and `/?lang=en` (forms are
    /// submitted from pages asked for in a language only, so that variants do not multiply;
    /// at most [`MAX_VARIANTS`] queries of one path).
    fn crawl(&mut self, addr: &str) -> usize {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut variants: BTreeMap<String, usize> = BTreeMap::new();
        let mut queue: VecDeque<String> = VecDeque::new();
        for start in ["/", "/?lang=en"] {
            seen.insert(start.into());
            queue.push_back(start.into());
        }
        let mut fetched = 0;
        while let Some(path) = queue.pop_front() {
            let (status, content_type, body) = get(addr, &path);
            fetched += 1;
            self.reply(&path, status, &content_type, &body);
            if status == 200 && content_type.starts_with("text/html") {
                let plain = path
                    .split_once('?')
                    .is_none_or(|(_, q)| q.split('&').all(|p| p.starts_with("lang=")));
                for l in links(&String::from_utf8_lossy(&body), plain) {
                    let p = l.split('?').next().unwrap_or("").to_string();
                    let n = variants.entry(p).or_default();
                    if seen.len() < MAX_PAGES && *n < MAX_VARIANTS && seen.insert(l.clone()) {
                        *n += 1;
                        queue.push_back(l);
                    }
                }
            }
        }
        fetched
    }

    /// Every GET route of the OpenAPI document, for every area, year, screening and plan
    /// table of the store, with each query parameter's values.
    fn api(&mut self, addr: &str, store: &Store) -> usize {
        let doc = get_json(addr, "/api/openapi.json");
        let mut urls: BTreeSet<String> = BTreeSet::new();
        let paths = doc["paths"]
            .as_object()
            .expect("paths in the OpenAPI document");
        for (template, item) in paths {
            let Some(op) = item.get("get") else { continue };
            if template.starts_with("/api/audit") || template.starts_with("/api/auth") {
                continue;
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let path_params: Vec<String> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str().map(str::to_string))
                .collect();
            // The path parameters, filled from the store.
            let mut bases: Vec<(String, Option<String>)> = vec![(template.clone(), None)];
            for name in &path_params {
                let values: Vec<(String, Option<String>)> = match name.as_str() {
                    "id" if template.starts_with("/api/plans") => vec![],
                    "id" if template.starts_with("/api/rule-sets") => {
                        store.rule_sets.iter().map(|r| (r.clone(), None)).collect()
                    }
                    "id" => store.ids.iter().map(|r| (r.clone(), None)).collect(),
                    "table" => store.tables.iter().map(|r| (r.clone(), None)).collect(),
                    "spec" => store
                        .screenings
                        .iter()
                        .map(|(s, y)| (s.clone(), Some(y.to_string())))
                        .collect(),
                    "year" => store.years.iter().map(|y| (y.to_string(), None)).collect(),
                    other => panic!("{template}: no values for the path parameter {other}"),
                };
                let mut next = Vec::new();
                for (b, pinned_year) in &bases {
                    for (v, year) in &values {
                        if name == "year" && pinned_year.as_ref().is_some_and(|y| y != v) {
                            continue;
                        }
                        next.push((
                            b.replace(&format!("{{{name}}}"), &encode(v)),
                            year.clone().or(pinned_year.clone()),
                        ));
                    }
                }
                bases = next;
            }
            // The query: year, view and language crossed; every other parameter one at a time.
            let query: Vec<&Value> = params.iter().filter(|p| p["in"] == "query").collect();
            let mut axes: Vec<Vec<(String, String)>> = vec![vec![]];
            let mut single: Vec<(String, String)> = Vec::new();
            for p in &query {
                let name = p["name"].as_str().unwrap_or_default().to_string();
                let schema = &p["schema"];
                let values: Vec<String> = match name.as_str() {
                    "year" => store.years.iter().map(u16::to_string).collect(),
                    "area" => store.ids.iter().cloned().collect(),
                    "per_page" => vec!["500".into()],
                    "page" | "set" | "object" | "limit" | "offset" => vec![],
                    _ if schema["enum"].is_array() => schema["enum"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    _ if schema["type"] == "boolean" => {
                        if schema["default"] == true {
                            vec!["false".into()]
                        } else {
                            vec!["true".into()]
                        }
                    }
                    _ if schema["type"] == "integer" => vec!["10".into()],
                    _ => vec![],
                };
                if matches!(name.as_str(), "year" | "without_origin" | "lang") {
                    let mut next = Vec::new();
                    for a in &axes {
                        next.push(a.clone());
                        for v in &values {
                            let mut b = a.clone();
                            b.push((name.clone(), v.clone()));
                            next.push(b);
                        }
                    }
                    axes = next;
                } else {
                    single.extend(values.into_iter().map(|v| (name.clone(), v)));
                }
            }
            for (base, _) in &bases {
                for a in &axes {
                    urls.insert(with_query(base, a));
                    // The one-at-a-time parameters with each year (or none) only.
                    if a.iter().all(|(k, _)| k == "year") {
                        for s in &single {
                            let mut b = a.clone();
                            b.push(s.clone());
                            urls.insert(with_query(base, &b));
                        }
                    }
                }
            }
            // A screening with its geometry as well.
            if template.contains("{spec}") {
                for (base, _) in &bases {
                    urls.insert(format!("{base}?geometry=true"));
                    urls.insert(format!("{base}?geometry=true&without_origin=true"));
                }
            }
        }
        for url in &urls {
            let (status, content_type, body) = get(addr, url);
            self.reply(url, status, &content_type, &body);
        }
        urls.len()
    }

    /// Every download in every format, year, view and language.
    fn downloads(&mut self, addr: &str, store: &Store) -> usize {
        let mut urls = Vec::new();
        for what in ["/lists/download", "/areas/download"] {
            for format in FORMATS {
                let langs: &[&str] = if matches!(*format, "csv" | "csv-da" | "xlsx") {
                    &["", "en"]
                } else {
                    &[""]
                };
                for year in std::iter::once(None).chain(store.years.iter().map(Some)) {
                    for without in [false, true] {
                        for lang in langs {
                            let mut q = vec![("format".to_string(), format.to_string())];
                            if let Some(y) = year {
                                q.push(("year".into(), y.to_string()));
                            }
                            if without {
                                q.push(("without_origin".into(), "true".into()));
                            }
                            if !lang.is_empty() {
                                q.push(("lang".into(), lang.to_string()));
                            }
                            urls.push(with_query(what, &q));
                        }
                    }
                }
            }
        }
        for format in FORMATS {
            urls.push(format!("/foresight/download?format={format}"));
        }
        urls.push("/plans/download?format=xlsx".into());
        for t in &store.tables {
            urls.push(format!("/plans/download?format=csv&table={t}"));
        }
        for url in &urls {
            let (status, content_type, body) = get(addr, url);
            if status == 200 || status >= 500 {
                self.reply(url, status, &content_type, &body);
            }
        }
        urls.len()
    }

    /// `kvarter export` of both tables in every format at the latest year; with `every_year`
    /// also both views, and every year as CSV.
    fn exports(&mut self, db: &Path, dir: &Path, store: &Store, every_year: bool) -> usize {
        let mut n = 0;
        for what in ["lists", "areas"] {
            for format in FORMATS {
                for year in std::iter::once(None).chain(store.years.iter().map(Some)) {
                    for without in [false, true] {
                        if !every_year && (year.is_some() || without)
                            || year.is_some() && *format != "csv"
                        {
                            continue;
                        }
                        let out = dir.join(format!("export.{format}"));
                        let _ = std::fs::remove_file(&out);
                        let y = year.map(u16::to_string);
                        let mut args = vec![
                            "export",
                            "--db",
                            db.to_str().unwrap(),
                            "--what",
                            what,
                            "--format",
                            format,
                            "--out",
                            out.to_str().unwrap(),
                        ];
                        if let Some(y) = &y {
                            args.extend(["--year", y]);
                        }
                        if without {
                            args.push("--without-origin");
                        }
                        let face = format!(
                            "kvarter export --what {what} --format {format}{}{}",
                            y.as_ref()
                                .map(|y| format!(" --year {y}"))
                                .unwrap_or_default(),
                            if without { " --without-origin" } else { "" }
                        );
                        let o = kvarter(&args);
                        n += 1;
                        if !o.status.success() {
                            let err = String::from_utf8_lossy(&o.stderr);
                            // A year with no lists is refused, which is no leak.
                            if !err.contains("panicked") {
                                continue;
                            }
                            self.find(Rule::Unauditable, &face, "exit status", err.into_owned());
                            continue;
                        }
                        let bytes = std::fs::read(&out).unwrap();
                        self.file(&face, format, &bytes);
                        let mut m = out.as_os_str().to_os_string();
                        m.push(".manifest.json");
                        if let Ok(text) = std::fs::read_to_string(&m) {
                            self.text(&format!("{face} (manifest)"), &text);
                        }
                    }
                }
            }
        }
        // `kvarter plans report`, as HTML and XLSX, for the latest year (every year with
        // `every_year`).
        let years: Vec<Option<u16>> = if every_year {
            store.years.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for year in years {
            for format in ["html", "xlsx"] {
                let out = dir.join(format!("report.{format}"));
                let _ = std::fs::remove_file(&out);
                let y = year.map(|y| y.to_string());
                let mut args = vec![
                    "plans",
                    "report",
                    "--db",
                    db.to_str().unwrap(),
                    "--format",
                    format,
                    "--out",
                    out.to_str().unwrap(),
                ];
                if let Some(y) = &y {
                    args.extend(["--year", y]);
                }
                let face = format!(
                    "kvarter plans report --format {format}{}",
                    y.as_ref()
                        .map(|y| format!(" --year {y}"))
                        .unwrap_or_default()
                );
                let o = kvarter(&args);
                n += 1;
                if !o.status.success() {
                    let err = String::from_utf8_lossy(&o.stderr).into_owned();
                    self.find(Rule::Unauditable, &face, "exit status", err);
                    continue;
                }
                let bytes = std::fs::read(&out).unwrap();
                if format == "html" {
                    self.faces += 1;
                    self.text(&face, &String::from_utf8_lossy(&bytes));
                } else {
                    self.file(&face, format, &bytes);
                }
            }
        }
        n
    }
}

const FORMATS: &[&str] = &[
    "csv",
    "csv-da",
    "xlsx",
    "geojson",
    "geojson-25832",
    "gpkg",
    "parquet",
];

/// What a store holds, read from its API: the values to fill the routes with.
struct Store {
    ids: BTreeSet<String>,
    years: BTreeSet<u16>,
    rule_sets: Vec<String>,
    screenings: Vec<(String, u16)>,
    tables: Vec<String>,
}

fn inventory(addr: &str, tables: &[String]) -> Store {
    let areas = get_json(addr, "/api/areas?per_page=500");
    let ids: BTreeSet<String> = areas["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids.len() as u64,
        areas["total"].as_u64().unwrap(),
        "every area on one page"
    );
    let mut years = BTreeSet::new();
    for id in &ids {
        for y in get_json(addr, &format!("/api/areas/{}", encode(id)))["years"]
            .as_array()
            .unwrap()
        {
            years.insert(y["list_year"].as_u64().unwrap() as u16);
        }
    }
    let rule_sets = get_json(addr, "/api/rule-sets");
    let rule_sets = rule_sets
        .as_array()
        .or(rule_sets["items"].as_array())
        .or(rule_sets["rule_sets"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let screenings = get_json(addr, "/api/screenings")["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["spec"].as_str().unwrap().to_string(),
                s["year"].as_u64().unwrap() as u16,
            )
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Store {
        ids,
        years,
        rule_sets,
        screenings,
        tables: tables.to_vec(),
    }
}

/// Serves a store and audits every face of it, then exports it every way.
fn audit_store(
    audit: &mut Audit,
    db: &Path,
    dir: &Path,
    tables: &[String],
    every_year: bool,
) -> String {
    let server: Server = serve(db, &[]);
    let store = inventory(&server.addr, tables);
    audit.ids = store.ids.clone();
    let clock = std::time::Instant::now();
    let secs = |t: &mut std::time::Instant| {
        let s = t.elapsed().as_secs_f64();
        *t = std::time::Instant::now();
        s
    };
    let mut t = clock;
    let pages = audit.crawl(&server.addr);
    let pages_s = secs(&mut t);
    let api = audit.api(&server.addr, &store);
    let api_s = secs(&mut t);
    let downloads = audit.downloads(&server.addr, &store);
    let downloads_s = secs(&mut t);
    drop(server);
    let exports = audit.exports(db, dir, &store, every_year);
    let exports_s = secs(&mut t);
    format!(
        "{} areas, years {:?}, screenings {:?}: {pages} pages ({pages_s:.1} s), {api} API \
         requests ({api_s:.1} s), {downloads} downloads ({downloads_s:.1} s), {exports} exports \
         ({exports_s:.1} s)",
        store.ids.len(),
        store.years,
        store.screenings,
    )
}

/// A face's route: ids and years replaced, the format kept.
fn route(face: &str, ids: &BTreeSet<String>) -> String {
    if face.starts_with("kvarter export") {
        let words: Vec<&str> = face.split(' ').collect();
        return words[..words.len().min(6)].join(" ");
    }
    let (path, query) = face.split_once('?').unwrap_or((face, ""));
    let path = path.split(' ').next().unwrap_or(path);
    let segments: Vec<String> = path
        .split('/')
        .map(|s| {
            if ids.contains(s) {
                "{id}".to_string()
            } else if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                "{year}".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    let mut r = segments.join("/");
    if let Some(f) = query_param(&format!("?{query}"), "format") {
        r.push_str(&format!("?format={f}"));
    }
    r
}

#[test]
fn nothing_served_or_exported_reveals_fewer_than_five_persons() {
    let dir = std::env::temp_dir().join(format!("kvarter-disclosure-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // The crafted criteria file, with the seeded plans.
    let (csv, sentinels) = criteria();
    let criteria_file = dir.join("criteria.csv");
    std::fs::write(&criteria_file, csv).unwrap();
    let db = dir.join("criteria.db");
    let load = |extra: &[&str]| {
        let mut args = vec![
            "load",
            "--criteria",
            criteria_file.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ];
        args.extend(extra);
        ok(&args);
    };
    load(&[]);
    let plans = dir.join("plans");
    ok(&[
        "plans",
        "seed",
        "--db",
        db.to_str().unwrap(),
        "--out",
        plans.to_str().unwrap(),
    ]);
    load(&["--plans", plans.to_str().unwrap()]);
    let mut tables: Vec<String> = std::fs::read_dir(&plans)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".csv")?.to_string())
        })
        .collect();
    tables.sort();

    // The tiny register folder, screened with kbh-2025.
    let regs = dir.join("registers");
    registers(&regs);
    let rdb = dir.join("registers.db");
    ok(&[
        "load",
        "--registers",
        regs.to_str().unwrap(),
        "--db",
        rdb.to_str().unwrap(),
        "--screen",
        "kbh-2025",
        "--foresight-draws",
        "20",
    ]);

    let mut report = Vec::new();
    let mut all: Vec<(String, Finding)> = Vec::new();
    let mut ids = BTreeSet::new();
    // Exporting from the register store is slower; its latest year in each format suffices.
    for (name, db, sentinels, tables, every_year) in [
        ("criteria store", &db, sentinels, tables, true),
        ("register store", &rdb, Vec::new(), Vec::new(), false),
    ] {
        let mut audit = Audit {
            sentinels,
            screening: screening_minimums("kbh-2025"),
            ids: BTreeSet::new(),
            findings: Vec::new(),
            faces: 0,
        };
        let out = dir.join(name.replace(' ', "-"));
        std::fs::create_dir_all(&out).unwrap();
        let summary = audit_store(&mut audit, db, &out, &tables, every_year);
        report.push(format!("{name}: {summary}; {} faces read", audit.faces));
        ids.extend(audit.ids.iter().cloned());
        all.extend(audit.findings.into_iter().map(|f| (name.to_string(), f)));
    }
    let _ = std::fs::remove_dir_all(&dir);
    for r in &report {
        eprintln!("{r}");
    }
    if all.is_empty() {
        return;
    }

    // Totals per rule, and per rule and face.
    let mut per_rule: BTreeMap<Rule, usize> = BTreeMap::new();
    let mut per_face: BTreeMap<(Rule, String, String), usize> = BTreeMap::new();
    for (store, f) in &all {
        *per_rule.entry(f.rule).or_default() += 1;
        *per_face
            .entry((f.rule, store.clone(), route(&f.face, &ids)))
            .or_default() += 1;
    }
    let mut msg = format!(
        "the disclosure audit found {} problems\n\n{}\n\nper rule:\n",
        all.len(),
        report.join("\n")
    );
    for (rule, n) in &per_rule {
        msg.push_str(&format!("  {n:>6}  {}\n", rule.says()));
    }
    msg.push_str("\nper rule and face:\n");
    for ((rule, store, face), n) in &per_face {
        msg.push_str(&format!("  {n:>6}  {rule:?}  {store}  {face}\n"));
    }
    // KVARTER_AUDIT_ALL=1 prints every finding.
    let shown = if std::env::var("KVARTER_AUDIT_ALL").is_ok_and(|v| v == "1") {
        usize::MAX
    } else {
        MAX_SHOWN / per_rule.len().max(1)
    };
    msg.push_str(&format!(
        "\nthe first {shown} of each rule in full (KVARTER_AUDIT_ALL=1 prints all):\n"
    ));
    for rule in per_rule.keys() {
        for (store, f) in all.iter().filter(|(_, f)| f.rule == *rule).take(shown) {
            msg.push_str(&format!(
                "  {}: {store}: {} at {}: {}\n",
                f.rule.says(),
                f.face,
                f.location,
                f.detail
            ));
        }
    }
    panic!("{msg}");
}
