//! The command line as a user runs it: the real binary, the example files, golden outputs that
//! were checked by hand, and every kind of bad input.
//!
//! Golden files live in `tests/golden/`. When behaviour changes on purpose, refresh them with
//! `KVARTER_BLESS=1 cargo test -p kvarter --test cli` and read the diff before committing.

mod common;

use common::{kvarter, ok, root};
use std::path::{Path, PathBuf};

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("KVARTER_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with KVARTER_BLESS=1 to create it)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the output:\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

const CRITERIA: &str = "examples/criteria.csv";
const HISTORY: &str = "examples/history.csv";

#[test]
fn lists_as_csv_match_the_hand_checked_golden_file() {
    let out = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--format",
        "csv",
    ]);
    assert!(out.starts_with(
        "list_year,area_id,area_name,municipality,list,list_name,rule_set,paragraph\n"
    ));
    golden("lists.csv", &out);
}

#[test]
fn one_year_is_a_subset_and_uses_the_names_of_that_year() {
    let all = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--format",
        "csv",
    ]);
    let y2020 = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--format",
        "csv",
        "--year",
        "2020",
    ]);
    let expected: Vec<&str> = all.lines().filter(|l| l.starts_with("2020,")).collect();
    assert_eq!(y2020.lines().skip(1).collect::<Vec<_>>(), expected);
    assert!(y2020.contains(",haardt_ghettoomraade,"));
    assert!(!y2020.contains(",omdannelsesomraade,"));
    let y2021 = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--format",
        "csv",
        "--year",
        "2021",
    ]);
    assert!(y2021.contains("2021,NP01,Nordparken,Østkyst Kommune,omdannelsesomraade,Omdannelsesområde,dk-2021,\"§ 61 a, stk. 4\""));
    assert!(!y2021.contains("ghettoomraade"));
}

#[test]
fn without_history_the_streak_cannot_be_established_before_the_data() {
    // Nordparken is on the ghetto list from 2017 in the data; without the published lists of
    // 2014-2016 the 2018-2020 hårdt ghettoområde test cannot be met.
    let out = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--format",
        "csv",
        "--year",
        "2018",
    ]);
    assert!(!out.contains("haardt_ghettoomraade"), "{out}");
    let explained = ok(&[
        "explain",
        "--criteria",
        CRITERIA,
        "--area",
        "NP01",
        "--year",
        "2018",
    ]);
    assert!(
        explained.contains("2014: ukendt: hverken data eller offentliggjort historik (--history)"),
        "{explained}"
    );
}

#[test]
fn json_lists_every_list_with_its_areas() {
    let out = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--format",
        "json",
        "--year",
        "2022",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let year = &v["years"][0];
    assert_eq!(year["list_year"], 2022);
    assert_eq!(year["rule_sets"], serde_json::json!(["dk-2021", "dk-51b"]));
    let fore = year["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["list"] == "forebyggelsesomraade")
        .unwrap();
    let ids: Vec<&str> = fore["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["area_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["EV03", "HG04"]);
    assert_eq!(fore["defined"], true);
}

#[test]
fn the_table_is_for_people_in_danish_or_english() {
    let da = ok(&["lists", "--criteria", CRITERIA, "--year", "2022"]);
    assert!(
        da.contains("Lister 2022 · regelsæt dk-2021, dk-51b · 10 områder vurderet"),
        "{da}"
    );
    assert!(da.contains("  Omdannelsesområde (omdannelsesomraade, § 61 a, stk. 4): 1 område\n    NP01  Nordparken   Østkyst Kommune\n"), "{da}");
    let en = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--year",
        "2022",
        "--lang",
        "en",
    ]);
    assert!(
        en.contains("  Prevention area (forebyggelsesomraade, § 61 b): 2 areas"),
        "{en}"
    );
}

#[test]
fn without_origin_says_which_lists_are_undefined() {
    let out = kvarter(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--format",
        "csv",
        "--without-origin",
        "--year",
        "2022",
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stdout.contains("parallelsamfund"));
    assert!(
        stderr.contains(
            "note: without the origin criterion, 'parallelsamfund' is not defined (2022)"
        ),
        "{stderr}"
    );
    // Bakkehuse (18 % non-Western) meets two of § 61 b's four other criteria: without the origin
    // criterion it is a forebyggelsesområde, with it on no list. Skovbrynet stays on no list.
    assert!(
        stdout.contains("2022,BH10,Bakkehuse,Midtby Kommune,forebyggelsesomraade"),
        "{stdout}"
    );
    let with_origin = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--format",
        "csv",
        "--year",
        "2022",
    ]);
    assert!(!with_origin.contains("BH10"), "{with_origin}");
    assert!(!stdout.contains("SK05"));
    let table = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--without-origin",
        "--year",
        "2022",
    ]);
    assert!(table.contains("Parallelsamfund (parallelsamfund, § 61 a, stk. 2): ikke defineret uden oprindelseskriteriet"));
    assert!(table.starts_with("UDEN OPRINDELSESKRITERIET"));
}

#[test]
fn a_rule_set_override_applies_to_every_year() {
    // The 2018 rules applied to 2022: the lists keep their 2018 names.
    let out = ok(&[
        "lists",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--format",
        "csv",
        "--year",
        "2022",
        "--rules",
        "dk-2018",
    ]);
    assert!(
        out.contains("2022,NP01,Nordparken,Østkyst Kommune,ghettoomraade,Ghettoområde,dk-2018"),
        "{out}"
    );
    assert!(!out.contains("parallelsamfund"));
}

#[test]
fn explain_matches_the_hand_checked_golden_file() {
    let out = ok(&[
        "explain",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--area",
        "TG08",
        "--year",
        "2022",
    ]);
    golden("explain-TG08-2022.txt", &out);
    let en = ok(&[
        "explain",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--area",
        "NP01",
        "--lang",
        "en",
    ]);
    golden("explain-NP01-latest.en.txt", &en);
}

#[test]
fn explain_reports_a_missing_value_as_not_evaluable() {
    let out = ok(&[
        "explain",
        "--criteria",
        CRITERIA,
        "--area",
        "LG09",
        "--year",
        "2024",
    ]);
    assert!(
        out.contains("? Lav indkomst (§ 61 a, stk. 1, nr. 4) — kan ikke vurderes"),
        "{out}"
    );
    assert!(
        out.contains("mangler værdi for income_pct_of_region; tæller som ikke opfyldt"),
        "{out}"
    );
}

#[test]
fn explain_as_json_carries_every_number_as_written() {
    let out = ok(&[
        "explain",
        "--criteria",
        CRITERIA,
        "--area",
        "TG08",
        "--year",
        "2022",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let conv = v[0]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_set"] == "dk-2021" && c["id"] == "convicted")
        .unwrap();
    assert_eq!(conv["value"], "2.40");
    assert_eq!(conv["threshold"], "2.40");
    assert_eq!(conv["reference"], "0.80");
    assert_eq!(conv["outcome"], "met");
    assert_eq!(conv["persons"]["persons"], "1");
}

#[test]
fn rules_are_listed_and_shown_as_the_law_reads() {
    let list = ok(&["rules"]);
    for id in ["dk-2010", "dk-2013", "dk-2018", "dk-2021", "dk-51b"] {
        assert!(list.contains(id), "{list}");
    }
    assert!(list.contains("dk-2018   2018–2020"));
    let show = ok(&["rules", "show", "dk-2021"]);
    assert!(show.contains("§ 61 b, nr. 1"));
    assert!(
        show.contains("Anvendes som: outside_labour_pct > 30 % (gennemsnit over 2 år)"),
        "{show}"
    );
    assert!(
        show.contains(
            "Anvendes som: convicted_pct ≥ 3 × landsgennemsnittet (convicted_national_pct)"
        ),
        "{show}"
    );
    assert!(show.contains("Udelukker: udsat_boligomraade"));
    assert!(show.contains("Række af år: 5 år i træk"));
    // The rule set's measurement block, as /methodology shows it.
    assert!(show.contains("OPGØRELSE FRA REGISTERDATA"), "{show}");
    golden("rules-show-dk-2021.txt", &show);
    let show2010 = ok(&["rules", "show", "dk-2010"]);
    assert!(
        show2010.contains("convicted_pct > 270 pr. 10.000 (= 2,7 %)"),
        "{show2010}"
    );
    let show2018 = ok(&["rules", "show", "dk-2018", "--lang", "en"]);
    assert!(
        show2018.contains("Exception for the lists of 2018, 2019, 2020: 5 years"),
        "{show2018}"
    );
    golden("rules-show-dk-2018.en.txt", &show2018);
}

#[test]
fn the_built_in_scenarios_pass_from_the_command_line() {
    let out = ok(&["rules", "test"]);
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

// ---- bad input -------------------------------------------------------------------------------

const HEADER: &str = "area_id,area_name,municipality,list_year,residents,non_western_pct,outside_labour_pct,convicted_pct,convicted_national_pct,basic_education_pct,income_pct_of_region";

fn write(name: &str, text: &str) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Runs kvarter expecting failure: non-zero exit, nothing on stdout, and this message on stderr.
fn fails(args: &[&str], expected: &str) {
    let out = kvarter(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "kvarter {args:?} succeeded");
    assert!(
        out.stdout.is_empty(),
        "kvarter {args:?} printed to stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains(expected),
        "kvarter {args:?}: expected {expected:?} in:\n{stderr}"
    );
}

#[test]
fn each_bad_input_gets_one_clear_message_and_nothing_on_stdout() {
    let good = "A1,Ås,Århus,2021,2500,55,41,2,0.8,30,50";
    let cases = [
        (
            "missing-column.csv",
            format!("{}\n{}", HEADER.replace(",convicted_pct", ""), "A1,Ås,Århus,2021,2500,55,41,0.8,30,50"),
            "missing-column.csv, line 1: missing column 'convicted_pct'".to_string(),
        ),
        (
            "bad-number.csv",
            format!("{HEADER}\n{good}\nA2,B,C,2021,1200,4o,41,2,0.8,30,50"),
            "bad-number.csv, line 3, column 6 (non_western_pct): expected a percentage from 0 to 100, found '4o'".into(),
        ),
        (
            "out-of-range.csv",
            format!("{HEADER}\nA1,Ås,Århus,2021,2500,55,141,2,0.8,30,50"),
            "out-of-range.csv, line 2, column 7 (outside_labour_pct): expected a percentage from 0 to 100 (in per-cent units), found 141".into(),
        ),
        (
            "negative.csv",
            format!("{HEADER}\nA1,Ås,Århus,2021,-12,55,41,2,0.8,30,50"),
            "negative.csv, line 2, column 5 (residents): expected a number of persons, 0 or more, found -12".into(),
        ),
        (
            "duplicate.csv",
            format!("{HEADER}\n{good}\nA2,B,C,2021,1200,4,41,2,0.8,30,50\n{good}"),
            "duplicate.csv, line 4: area 'A1' appears again for list year 2021 (first on line 2)".into(),
        ),
        (
            "too-early.csv",
            format!("{HEADER}\nA1,Ås,Århus,2008,2500,55,41,2,0.8,30,50"),
            "too-early.csv, line 2, column 4 (list_year): list year 2008 is before 2010".into(),
        ),
        (
            "empty.csv",
            String::new(),
            "empty.csv, line 1: the file is empty; expected a header row".into(),
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(name, &text);
        fails(&["lists", "--criteria", &path], &expected);
        fails(&["explain", "--criteria", &path, "--area", "A1"], &expected);
    }
}

#[test]
fn an_unknown_rule_set_area_year_or_file_is_refused() {
    fails(
        &["lists", "--criteria", CRITERIA, "--rules", "dk-1999"],
        "error: --rules dk-1999: unknown rule set; expected one of: dk-2010, dk-2013, dk-2018, dk-2021, dk-51b",
    );
    fails(
        &["rules", "show", "dk-1999"],
        "error: unknown rule set 'dk-1999'; expected one of: dk-2010, dk-2013, dk-2018, dk-2021, dk-51b",
    );
    fails(
        &["explain", "--criteria", CRITERIA, "--area", "ZZ99"],
        "error: area 'ZZ99' is not in the input; expected an area_id such as BH10, EV03, HG04",
    );
    fails(
        &[
            "explain",
            "--criteria",
            CRITERIA,
            "--area",
            "NP01",
            "--year",
            "2030",
        ],
        "error: --year 2030: examples/criteria.csv has no rows for list year 2030; expected one of: 2017, 2018",
    );
    fails(
        &["lists", "--criteria", "no/such/file.csv"],
        "error: no/such/file.csv: cannot open the file",
    );
    let hist = write(
        "bad-history.csv",
        "list_year,area_id,list\n2016,NP01,ghetto\n",
    );
    fails(
        &["lists", "--criteria", CRITERIA, "--history", &hist],
        "bad-history.csv, line 2, column 3 (list): unknown list 'ghetto'; expected one of:",
    );
}

#[test]
fn a_broken_rule_folder_points_at_the_line() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-rules");
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root().join("rules/dk-2021.toml"))
        .unwrap()
        .replace(
            "operator = \">\"\nthreshold = \"40\"",
            "operator = \"=>\"\nthreshold = \"40\"",
        );
    std::fs::write(dir.join("dk-2021.toml"), text).unwrap();
    let out = kvarter(&["rules", "--rules-dir", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("dk-2021.toml:51:12: unknown operator '=>'; expected \">\" (overstiger)"),
        "{stderr}"
    );
}

// ---- published values ------------------------------------------------------------------------

/// The lists the state published, from the values it published (`examples/published/`, with
/// sources in its SOURCES.md). A row whose outcome is complete must match the published lists
/// exactly; a row with a missing value must be reported as incomplete, never as a firm answer.
#[test]
fn published_values_reproduce_the_published_lists() {
    let mut compared = 0;
    for file in ["values-2014.csv", "values-2018.csv", "values-2019.csv"] {
        let path = format!("examples/published/{file}");
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for row in rdr.deserialize::<std::collections::HashMap<String, String>>() {
            let row = row.unwrap();
            let (area, year) = (&row["area_id"], &row["list_year"]);
            let mut published: Vec<&str> = row["published_lists"]
                .split(';')
                .filter(|s| !s.is_empty())
                .collect();
            published.sort_unstable();
            let out = ok(&[
                "explain",
                "--criteria",
                &path,
                "--area",
                area,
                "--year",
                year,
                "--format",
                "json",
            ]);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let lists = v[0]["lists"].as_array().unwrap();
            let state: Vec<&serde_json::Value> =
                lists.iter().filter(|l| l["rule_set"] != "dk-51b").collect();
            let incomplete = state.iter().any(|l| l["incomplete"] == true);
            let mut on: Vec<&str> = state
                .iter()
                .filter(|l| l["outcome"] == "on")
                .map(|l| l["id"].as_str().unwrap())
                .collect();
            on.sort_unstable();
            if incomplete {
                assert!(
                    on.iter().all(|l| published.contains(l)),
                    "{file} {area}: {on:?} not in {published:?}"
                );
            } else {
                assert_eq!(on, published, "{file} {area} {year}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 2, "only {compared} complete rows compared");
}

// ---- registers: the second door --------------------------------------------------------------

/// A small register folder in CSV, deterministic: three social-housing areas (one designed to be
/// udsat and a parallelsamfund) and an ordinary one, data years 2019-2022.
fn small_registers(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("areas.csv"),
        "area_id,area_name,municipality,municipality_name,region,kind\n\
         S1,Stjernehusene,101,Byen,1084,social_housing\n\
         S2,Lindegården,101,Byen,1084,social_housing\n\
         S3,Småhusene,101,Byen,1084,social_housing\n\
         O1,Villakvarteret,101,Byen,1084,ordinary\n",
    )
    .unwrap();
    let mut state = 42u64;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    for year in 2019..=2022 {
        let mut s = String::from(
            "person_id,year,area_id,municipality,region,east,north,age,origin,outside_fte,in_education,education_level,education_source,income,taxable,convicted\n",
        );
        let mut id = 0;
        for (area, n, troubled) in [
            ("S1", 1200, true),
            ("S2", 1100, false),
            ("S3", 400, true),
            ("O1", 2500, false),
            ("", 800, false),
        ] {
            for _ in 0..n {
                id += 1;
                let age = 5 + next(80);
                let origin = if troubled && next(10) < 6 { 3 } else { next(2) };
                let outside = if troubled && next(10) < 5 {
                    1.0
                } else if next(10) < 2 {
                    0.5
                } else {
                    0.0
                };
                let level = if troubled && next(10) < 7 {
                    1
                } else {
                    1 + next(3)
                };
                let income = if troubled {
                    120_000 + next(80_000)
                } else {
                    280_000 + next(200_000)
                };
                let convicted = u8::from(next(1000) < if troubled { 30 } else { 5 });
                s.push_str(&format!(
                    "{id},{year},{area},101,1084,725000,6176000,{age},{origin},{outside},0,{level},0,{income},1,{convicted}\n"
                ));
            }
        }
        std::fs::write(d.join(format!("persons-{year}.csv")), s).unwrap();
    }
    d
}

#[test]
fn the_two_doors_agree_registers_and_the_criteria_they_aggregate_to() {
    let d = small_registers("doors");
    let dir = d.to_str().unwrap();
    let out = d.join("criteria.csv");
    let out_s = out.to_str().unwrap();
    ok(&["aggregate", "--registers", dir, "--out", out_s]);
    let criteria = std::fs::read_to_string(&out).unwrap();
    assert!(
        criteria.starts_with("area_id,area_name,municipality,list_year,residents,non_western_pct"),
        "{criteria}"
    );
    // Four data years give the lists of 2020-2023; the ordinary area is not evaluated.
    assert_eq!(criteria.lines().count(), 1 + 3 * 4, "{criteria}");
    assert!(!criteria.contains("O1"));
    for format in ["csv", "json", "table"] {
        let a = ok(&["lists", "--registers", dir, "--format", format]);
        let b = ok(&["lists", "--criteria", out_s, "--format", format]);
        assert_eq!(a.replace(dir, ""), b.replace(out_s, ""), "format {format}");
    }
    let lists = ok(&[
        "lists",
        "--registers",
        dir,
        "--format",
        "csv",
        "--year",
        "2022",
    ]);
    assert!(
        lists.contains("2022,S1,Stjernehusene,Byen,udsat_boligomraade"),
        "{lists}"
    );
    assert!(
        lists.contains("2022,S1,Stjernehusene,Byen,parallelsamfund"),
        "{lists}"
    );
    assert!(!lists.contains(",S2,"), "{lists}");
    assert!(
        !lists.contains(",S3,"),
        "S3 has under 1,000 residents: {lists}"
    );
    let explained = ok(&[
        "explain",
        "--registers",
        dir,
        "--area",
        "S1",
        "--year",
        "2022",
    ]);
    assert!(
        explained.contains("(af 7"),
        "margins in persons of the group: {explained}"
    );
}

#[test]
fn a_bad_extract_leaves_no_output_file() {
    let d = small_registers("bad-doors");
    let path = d.join("persons-2021.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    // Line 6 of the file (the fifth person) gets the age 130.
    let broken: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut fields: Vec<&str> = l.split(',').collect();
            if i == 5 {
                fields[7] = "130";
            }
            fields.join(",")
        })
        .collect();
    std::fs::write(&path, broken.join("\n") + "\n").unwrap();
    let out = d.join("criteria.csv");
    fails(
        &[
            "aggregate",
            "--registers",
            d.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        "persons-2021.csv, line 6, column age: expected an age from 0 to 120, found 130",
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&d)
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("tmp"))
            .count(),
        0
    );
}

#[test]
fn the_synthetic_country_gives_lists_for_every_year_in_both_eras() {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("synth-tiny");
    let _ = std::fs::remove_dir_all(&d);
    let dir = d.to_str().unwrap();
    // The tiny town is not calibrated and has few estates: seed 4 is one whose town has an
    // estate on a list in each era (seed 7 did until the country's calibration of issue 16).
    ok(&[
        "synth",
        "--scale",
        "tiny",
        "--seed",
        "4",
        "--years",
        "2006-2024",
        "--out",
        dir,
    ]);
    let json = ok(&["lists", "--registers", dir, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let years = v["years"].as_array().unwrap();
    let by_year: Vec<(i64, String)> = years
        .iter()
        .map(|y| {
            (
                y["list_year"].as_i64().unwrap(),
                y["rule_sets"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(i64, String)> = (2010..=2025)
        .map(|y| {
            let rs = match y {
                2010..=2012 => "dk-2010",
                2013..=2017 => "dk-2013",
                2018..=2020 => "dk-2018",
                _ => "dk-2021",
            };
            (y, rs.to_string())
        })
        .collect();
    assert_eq!(by_year, expected);
    let on = |year: i64, list: &str| -> usize {
        years
            .iter()
            .find(|y| y["list_year"] == year)
            .and_then(|y| {
                y["lists"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|l| l["list"] == list)
            })
            .map_or(0, |l| l["areas"].as_array().unwrap().len())
    };
    assert!(
        (2010..=2017).any(|y| on(y, "ghettoomraade") > 0),
        "no ghetto area in 2010-2017"
    );
    assert!(
        (2021..=2025).any(|y| on(y, "udsat_boligomraade") > 0),
        "no udsat area from 2021"
    );
    // The two doors agree on synthetic Parquet as well.
    let out = d.join("criteria.csv");
    ok(&[
        "aggregate",
        "--registers",
        dir,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        ok(&["lists", "--registers", dir, "--format", "csv"]),
        ok(&[
            "lists",
            "--criteria",
            out.to_str().unwrap(),
            "--format",
            "csv"
        ])
    );
}

// ---- the municipal screening -------------------------------------------------------------------

fn synthetic(name: &str, scale: &str, years: &str) -> String {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    let dir = d.to_str().unwrap().to_string();
    ok(&[
        "synth", "--scale", scale, "--seed", "1", "--years", years, "--out", &dir,
    ]);
    dir
}

#[test]
fn the_screening_draws_contiguous_areas_that_include_every_state_listed_area() {
    let dir = synthetic("screen-tiny", "tiny", "2014-2024");
    let json = ok(&[
        "screen",
        "--registers",
        &dir,
        "--spec",
        "kbh-2025",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["year"], 2025);
    assert_eq!(v["data_year"], 2024);
    let areas = v["designated_areas"].as_array().unwrap();
    // Inclusion: every cell that lies in a state-listed area belongs to a designated area.
    let listed = v["state_listed_areas"].as_object().unwrap();
    let state_cells: usize = areas
        .iter()
        .map(|a| a["state_listed_units"].as_array().unwrap().len())
        .sum();
    if !listed.is_empty() {
        assert!(
            state_cells > 0,
            "state-listed areas {listed:?} but no designated cell in them"
        );
    }
    for a in areas {
        let pop = a["population"].as_u64().unwrap();
        let forced = !a["state_listed_units"].as_array().unwrap().is_empty();
        assert!(
            pop >= 1000 || forced,
            "area {} has {pop} residents",
            a["id"]
        );
    }
    // Disclosure control: no cell under the minimum population is printed alone.
    for c in v["cells"].as_array().unwrap() {
        assert!(
            c["population"].as_u64().unwrap() >= 50,
            "cell {} printed",
            c["id"]
        );
    }
    // The map: one feature per designated area, closed rings in EPSG:25832.
    let geo: serde_json::Value =
        serde_json::from_str(&ok(&["screen", "--registers", &dir, "--format", "geojson"])).unwrap();
    assert_eq!(
        geo["crs"]["properties"]["name"],
        "urn:ogc:def:crs:EPSG::25832"
    );
    assert_eq!(geo["features"].as_array().unwrap().len(), areas.len());
    for f in geo["features"].as_array().unwrap() {
        let rings = match f["geometry"]["type"].as_str().unwrap() {
            "Polygon" => f["geometry"]["coordinates"].as_array().unwrap().clone(),
            _ => f["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p.as_array().unwrap().clone())
                .collect(),
        };
        for ring in rings {
            let r = ring.as_array().unwrap();
            assert!(r.len() >= 5 && r.first() == r.last(), "ring not closed");
        }
    }
    if let Some(first) = areas.first() {
        let id = first["id"].as_str().unwrap();
        let text = ok(&["screen", "--registers", &dir, "--area", id]);
        assert!(text.contains("95 %"), "{text}");
        assert_eq!(
            text,
            ok(&[
                "explain",
                "--registers",
                &dir,
                "--spec",
                "kbh-2025",
                "--area",
                id
            ])
        );
        assert!(
            text.contains("kvarters standardgrænse"),
            "the defaults are labelled: {text}"
        );
    }
    fails(
        &["screen", "--registers", &dir, "--area", "area-nowhere"],
        "--area area-nowhere: no such area in the screening of 2025",
    );
    let trend = ok(&["screen", "--registers", &dir, "--since", "2020"]);
    assert!(trend.contains("Udvikling 2020–2025 (kbh-2025)"), "{trend}");
    let table = ok(&["screen", "--registers", &dir]);
    assert!(table.contains("Kvarters standardværdier"), "{table}");
    // The 2017 spec screens the areas themselves (polygons) and carries the 2017 goal.
    let y2017 = ok(&[
        "screen",
        "--registers",
        &dir,
        "--spec",
        "kbh-2017",
        "--year",
        "2024",
        "--since",
        "2017",
    ]);
    assert!(y2017.contains("Udvikling 2017–2024 (kbh-2017)"), "{y2017}");
}

#[test]
fn a_screening_threshold_is_changed_in_the_spec_file_not_in_code() {
    let dir = synthetic("screen-spec-file", "tiny", "2022-2024");
    let spec = std::fs::read_to_string(root().join("rules/screening/kbh-2025.toml")).unwrap();
    // Ask for all seven criteria instead of three: fewer cells qualify, so no more areas than before.
    let strict = spec.replacen(
        "qualify = { method = \"k_of_n\", k = 3 }",
        "qualify = { method = \"k_of_n\", k = 7 }",
        1,
    );
    assert_ne!(
        strict, spec,
        "the spec's k of n line moved; update this test"
    );
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kbh-strict.toml");
    std::fs::write(&path, &strict).unwrap();
    let count = |extra: &[&str]| -> usize {
        let mut args = vec!["screen", "--registers", dir.as_str(), "--format", "json"];
        args.extend_from_slice(extra);
        let v: serde_json::Value = serde_json::from_str(&ok(&args)).unwrap();
        v["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["qualifies"] == true)
            .count()
    };
    let (normal, strictest) = (count(&[]), count(&["--spec-file", path.to_str().unwrap()]));
    assert!(strictest <= normal, "{strictest} > {normal}");
    assert!(
        normal > strictest,
        "k = 7 should leave out cells that k = 3 takes in ({normal} vs {strictest})"
    );
    // A broken spec file is refused at its line.
    std::fs::write(&path, spec.replacen("k = 3", "k = 9", 1)).unwrap();
    fails(
        &[
            "screen",
            "--registers",
            &dir,
            "--spec-file",
            path.to_str().unwrap(),
        ],
        "kbh-strict.toml:",
    );
}
