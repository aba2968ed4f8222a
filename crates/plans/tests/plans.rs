//! kvarter-plans: progress at its boundaries, the seed, the CSV round trip and every kind of bad
//! CSV with its file/line/column message.

use kvarter_plans::csv::{read, split_list, write};
use kvarter_plans::progress::{Status, progress};
use kvarter_plans::seed::copenhagen_2025;
use kvarter_plans::*;
use std::collections::BTreeMap;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn series(v: &[(i32, &str)]) -> BTreeMap<i32, Decimal> {
    v.iter().map(|(y, x)| (*y, d(x))).collect()
}

fn ind(direction: Direction, baseline: Option<(&str, i32)>, target: Option<Target>) -> Indicator {
    Indicator {
        id: "ind-x".into(),
        name: "x".into(),
        measure: Measure::OutsideLabourPct,
        areas: Areas::All,
        population: Population::StateListed,
        data_source: String::new(),
        direction,
        baseline: baseline.map(|(v, year)| Baseline {
            value: d(v),
            year,
            source: "test".into(),
        }),
        target,
        illustrative: true,
        source: "test".into(),
    }
}

fn value(v: &str, year: i32) -> Option<Target> {
    Some(Target::Value { value: d(v), year })
}

// ---------------------------------------------------------------- progress

#[test]
fn exactly_on_the_line_is_on_track_one_hundredth_worse_is_not() {
    // 17.3 in 2023 → 12.3 in 2033: 0.5 a year, 14.8 in 2028.
    let i = ind(Direction::Down, Some(("17.3", 2023)), value("12.3", 2033));
    let none = BTreeMap::new();
    let p = progress(&i, &series(&[(2027, "16"), (2028, "14.8")]), &none);
    assert_eq!(p.latest, Some((2028, d("14.8"))));
    assert_eq!(p.required, Some(d("14.8")));
    assert_eq!(p.on_track, Some(true));
    assert_eq!(p.status, Status::OnTrack);
    assert_eq!(p.target_value, Some(d("12.3")));
    assert_eq!(p.gap_to_city, None);
    let p = progress(&i, &series(&[(2028, "14.81")]), &none);
    assert_eq!(p.on_track, Some(false));
    assert_eq!(p.status, Status::OffTrack);
    let p = progress(&i, &series(&[(2028, "14.79")]), &none);
    assert_eq!(p.status, Status::OnTrack);
}

#[test]
fn direction_up_mirrors_down() {
    let i = ind(Direction::Up, Some(("80", 2020)), value("90", 2030));
    let none = BTreeMap::new();
    let at = |v: &str| progress(&i, &series(&[(2025, v)]), &none);
    assert_eq!(at("85").required, Some(d("85")));
    assert_eq!(at("85").status, Status::OnTrack);
    assert_eq!(at("84.99").status, Status::OffTrack);
    assert_eq!(at("85.01").status, Status::OnTrack);
    assert_eq!(at("90").status, Status::Reached);
    // The same figures with direction down: lower is better, so 84.99 is on track.
    let down = ind(Direction::Down, Some(("90", 2020)), value("80", 2030));
    assert_eq!(
        progress(&down, &series(&[(2025, "84.99")]), &none).status,
        Status::OnTrack
    );
    assert_eq!(
        progress(&down, &series(&[(2025, "85.01")]), &none).status,
        Status::OffTrack
    );
}

#[test]
fn on_track_is_exact_where_the_line_is_not_a_terminating_decimal() {
    // 11 in 2020 → 10 in 2023: the line gives 10⅔ in 2021.
    let i = ind(Direction::Down, Some(("11", 2020)), value("10", 2023));
    let none = BTreeMap::new();
    let p = progress(&i, &series(&[(2021, "10.6667")]), &none);
    assert_eq!(p.required, Some(d("10.6667")), "rounded for display");
    assert_eq!(p.status, Status::OffTrack, "10.6667 > 10⅔, exactly");
    let p = progress(&i, &series(&[(2021, "10.6666")]), &none);
    assert_eq!(p.status, Status::OnTrack);
}

#[test]
fn city_average_target_resolves_to_the_latest_years_city_value() {
    let i = ind(
        Direction::Down,
        Some(("17.3", 2023)),
        Some(Target::CityAverage { year: 2033 }),
    );
    let city = series(&[(2027, "9"), (2028, "10")]);
    // Line from 17.3 (2023) to 10 (2033) at 2028: 13.65.
    let p = progress(&i, &series(&[(2028, "13.65")]), &city);
    assert_eq!(p.target_value, Some(d("10")));
    assert_eq!(p.required, Some(d("13.65")));
    assert_eq!(p.gap_to_city, Some(d("3.65")));
    assert_eq!(p.status, Status::OnTrack);
    assert_eq!(
        progress(&i, &series(&[(2028, "13.66")]), &city).status,
        Status::OffTrack
    );
    // At the city average is reached (equal counts).
    let p = progress(&i, &series(&[(2028, "10")]), &city);
    assert_eq!((p.status, p.on_track), (Status::Reached, Some(true)));
    assert_eq!(p.gap_to_city, Some(d("0")));
    // No city value in the latest year: no target value, no verdict.
    let p = progress(&i, &series(&[(2029, "12")]), &city);
    assert_eq!(p.target_value, None);
    assert_eq!(p.gap_to_city, None);
    assert_eq!(p.status, Status::NoData);
}

#[test]
fn missing_years_use_the_latest_year_with_a_value() {
    let i = ind(Direction::Down, Some(("20", 2020)), value("10", 2030));
    let p = progress(&i, &series(&[(2021, "30"), (2024, "16")]), &BTreeMap::new());
    assert_eq!(p.latest, Some((2024, d("16"))));
    assert_eq!(p.required, Some(d("16")));
    assert_eq!(p.status, Status::OnTrack);
}

#[test]
fn edges_of_the_line() {
    let none = BTreeMap::new();
    // Baseline year after the latest data: the baseline is what is required.
    let i = ind(Direction::Down, Some(("17.3", 2023)), value("10", 2033));
    let p = progress(&i, &series(&[(2022, "17.4")]), &none);
    assert_eq!((p.required, p.status), (Some(d("17.3")), Status::OffTrack));
    let p = progress(&i, &series(&[(2023, "17.3")]), &none);
    assert_eq!((p.required, p.status), (Some(d("17.3")), Status::OnTrack));
    // After the target year: the target itself.
    let p = progress(&i, &series(&[(2035, "10.01")]), &none);
    assert_eq!((p.required, p.status), (Some(d("10")), Status::OffTrack));
    // Target year at or before the baseline year: no line, the target is required.
    let i = ind(Direction::Down, Some(("17.3", 2023)), value("10", 2023));
    let p = progress(&i, &series(&[(2024, "12")]), &none);
    assert_eq!((p.required, p.status), (Some(d("10")), Status::OffTrack));
    let i = ind(Direction::Down, Some(("17.3", 2023)), value("10", 2020));
    assert_eq!(
        progress(&i, &series(&[(2024, "12")]), &none).required,
        Some(d("10"))
    );
}

#[test]
fn no_data_and_no_baseline() {
    let none = BTreeMap::new();
    let i = ind(Direction::Down, Some(("17.3", 2023)), value("10", 2033));
    let p = progress(&i, &none, &series(&[(2024, "9")]));
    assert_eq!(p.status, Status::NoData);
    assert_eq!((p.latest, p.required, p.on_track), (None, None, None));
    let i = ind(
        Direction::Down,
        None,
        Some(Target::CityAverage { year: 2035 }),
    );
    let p = progress(&i, &series(&[(2024, "12")]), &series(&[(2024, "9")]));
    assert_eq!(p.status, Status::NoBaseline);
    assert_eq!((p.required, p.on_track), (None, None));
    assert_eq!(p.gap_to_city, Some(d("3")));
    // A target reached needs no baseline.
    let p = progress(&i, &series(&[(2024, "8")]), &series(&[(2024, "9")]));
    assert_eq!(p.status, Status::Reached);
    let i = ind(Direction::Down, Some(("17.3", 2023)), None);
    assert_eq!(
        progress(&i, &series(&[(2024, "8")]), &none).status,
        Status::NoBaseline
    );
}

// ---------------------------------------------------------------- the seed

const AREAS: &[(&str, &str)] = &[
    ("a1", "Nordhavnsparken"),
    ("a2", "Sydkvarteret"),
    ("a3", "Vestbyen"),
    ("a4", "Østerlund"),
];

#[test]
fn seed_follows_the_policy() {
    let p = copenhagen_2025(AREAS);
    assert_eq!(p.validate(), vec![]);
    let pol = &p.policies[0];
    assert_eq!(pol.name, "Politik for udsatte byområder 2025–2035");
    assert_eq!(pol.goals.len(), 2);
    let subs: Vec<&str> = pol
        .goals
        .iter()
        .flat_map(|g| g.sub_goals.iter().map(|s| s.id.as_str()))
        .collect();
    assert_eq!(
        subs,
        [
            "sub-1.1", "sub-1.2", "sub-1.3", "sub-2.1", "sub-2.2", "sub-2.3"
        ]
    );
    let inds = p.indicators();
    let by_id = |id: &str| inds.iter().find(|(i, _)| i.id == id).unwrap().0;
    let a = by_id("ind-1.1.a");
    assert_eq!(a.measure, Measure::OutsideLabourShare);
    assert_eq!(a.population, Population::Designated);
    let b = a.baseline.as_ref().unwrap();
    assert_eq!((b.value, b.year), (d("17.3"), 2023));
    assert!(b.source.starts_with("Politikken 2025: "));
    assert!(!a.illustrative);
    let e = by_id("ind-1.1.b").baseline.as_ref().unwrap();
    assert_eq!((e.value, e.year), (d("18.4"), 2023));
    let c = by_id("ind-1.1.c");
    assert!(c.baseline.is_none() && c.illustrative);
    // Every object says where it comes from.
    let json = serde_json::to_value(&p).unwrap();
    fn walk(v: &serde_json::Value, n: &mut usize) {
        match v {
            serde_json::Value::Object(m) => {
                if m.contains_key("illustrative") {
                    *n += 1;
                    assert!(m["source"].as_str().is_some_and(|s| !s.is_empty()), "{m:?}");
                }
                m.values().for_each(|x| walk(x, n));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, n)),
            _ => {}
        }
    }
    let mut n = 0;
    walk(&json, &mut n);
    assert!(n > 50, "{n}");
    // Two versions of the action plan, comparable.
    let v = p.versions("handleplan");
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].name, "Fælles handleplan 2025–2026");
    let changes = compare_versions(v[0], v[1]);
    assert!(changes.contains(&InitiativeChange::Added("ini-abif-klub".into())));
    assert!(changes.contains(&InitiativeChange::Removed("ini-ord".into())));
    assert!(changes.iter().any(|c| matches!(
        c,
        InitiativeChange::Changed(id, f) if id == "ini-omraadefornyelse" && f.contains(&"areas")
    )));
    let ips = v[0]
        .initiatives
        .iter()
        .find(|i| i.id == "ini-ips-sydhavn")
        .unwrap();
    assert_eq!(ips.owner, Administration::BeskaeftigelseIntegration);
    assert_eq!(ips.areas, Areas::Listed(vec!["a1".into()]));
    // A helhedsplan for each of the first three areas, four years each.
    let ids: Vec<&str> = p.helhedsplaner.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["hp-a1-2025", "hp-a2-2025", "hp-a3-2025"]);
    let h = &p.helhedsplaner[0];
    assert_eq!(h.period.to - h.period.from, 3);
    assert!(h.illustrative && h.housing_organisation.contains("fiktiv"));
    assert_eq!(h.challenges[0].goals[0].actions.len(), 4);
    // Without areas, the seed still validates and has no helhedsplaner.
    let empty = copenhagen_2025(&[]);
    assert_eq!(empty.validate(), vec![]);
    assert!(empty.helhedsplaner.is_empty());
}

#[test]
fn baselines_can_be_filled_from_the_data() {
    let mut p = copenhagen_2025(AREAS);
    let n = p.fill_missing_baselines(2024, |i| {
        (i.measure == Measure::LowIncomeShare).then(|| d("81.5"))
    });
    assert_eq!(n, 1);
    let inds = p.indicators();
    let c = inds.iter().find(|(i, _)| i.id == "ind-1.1.c").unwrap().0;
    assert_eq!(c.baseline.as_ref().unwrap().value, d("81.5"));
    assert!(c.illustrative);
}

// ---------------------------------------------------------------- CSV round trip

fn edge_cases() -> Plans {
    let mut p = copenhagen_2025(AREAS);
    let ini = &mut p.action_plans[0].initiatives[0];
    ini.name = "Komma, \"citat\" og\nny linje".into();
    ini.description = String::new();
    ini.partners = vec![
        "Politi; SSP".into(),
        "back\\slash".into(),
        "semi;colon\\;mix".into(),
        "æøå, ÆØÅ".into(),
    ];
    ini.budget_dkk = Some(1_250_000);
    ini.status = InitiativeStatus::Planned;
    ini.areas = Areas::Listed(vec!["a;1".into(), "a2".into()]);
    let pol = &mut p.policies[0];
    pol.ambitions.clear();
    pol.source = " leading and trailing spaces ".into();
    let i = &mut pol.goals[0].sub_goals[0].indicators[0];
    i.target = Some(Target::Value {
        value: d("12.30"),
        year: 2035,
    });
    i.baseline.as_mut().unwrap().source = String::new();
    let i = &mut pol.goals[1].sub_goals[2].indicators[0];
    i.target = None;
    i.measure = Measure::Residents;
    i.population = Population::StateListed;
    i.direction = Direction::Up;
    p.helhedsplaner[0].level = Level::City;
    p.helhedsplaner[1].challenges[0].goals[0].actions.clear();
    p
}

#[test]
fn round_trip_without_loss() {
    for p in [
        copenhagen_2025(AREAS),
        copenhagen_2025(&[]),
        copenhagen_2025(&AREAS[..1]),
        edge_cases(),
        Plans::default(),
    ] {
        assert_eq!(p.validate(), vec![]);
        let files = write(&p);
        assert_eq!(files.len(), 10);
        let back = read(&files).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, p);
        assert_eq!(write(&back), files, "deterministic");
    }
    // Missing files read as empty tables.
    assert_eq!(read(&[]).unwrap(), Plans::default());
}

/// A plan set whose text cells a spreadsheet would take for formulas, and a negative baseline.
fn formula_cases() -> Plans {
    let mut p = copenhagen_2025(AREAS);
    let ini = &mut p.action_plans[0].initiatives[0];
    ini.name = "=HYPERLINK(\"http://evil.example\",\"klik\")".into();
    ini.description = "'=already quoted".into();
    ini.partners = vec!["@SUM(A1)".into(), "+1+1".into()];
    let pol = &mut p.policies[0];
    pol.source = "-2+3".into();
    pol.name = "\tTab".into();
    pol.goals[0].name = "-1.5".into();
    pol.goals[0].sub_goals[0].indicators[0]
        .baseline
        .as_mut()
        .unwrap()
        .source = "\rcr".into();
    p
}

#[test]
fn formula_like_text_is_quoted_and_read_back_without_loss() {
    let p = formula_cases();
    assert_eq!(p.validate(), vec![]);
    let files = kvarter_plans::csv::write_safe(&p);
    let file = |name: &str| &files.iter().find(|(n, _)| n == name).unwrap().1;
    let initiatives = file("initiatives.csv");
    assert!(
        initiatives.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"klik\"\")\""),
        "{initiatives}"
    );
    assert!(initiatives.contains(",''=already quoted,"), "{initiatives}");
    assert!(initiatives.contains(",'@SUM(A1);+1+1,"), "{initiatives}");
    let policies = file("policies.csv");
    assert!(policies.contains(",'-2+3\n"), "{policies}");
    assert!(policies.contains(",'\tTab,"), "{policies}");
    assert!(
        file("goals.csv").contains(",-1.5,"),
        "a number stays a number"
    );
    assert!(file("indicators.csv").contains("\"'\rcr\""));
    let back = read(&files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, p);
    // The plain writer keeps text as held (for typed cells, such as a workbook's strings).
    let plain = write(&p);
    assert!(plain[5].1.contains("\"=HYPERLINK("), "{}", plain[5].1);
    // Without formula-like text both writers give the same bytes.
    let seed = copenhagen_2025(AREAS);
    assert_eq!(write(&seed), kvarter_plans::csv::write_safe(&seed));
}

#[test]
fn list_cells_escape_semicolons() {
    assert_eq!(
        kvarter_plans::csv::join_list(&["a;b", "c\\d"]),
        "a\\;b;c\\\\d"
    );
    assert_eq!(split_list("a\\;b;c\\\\d").unwrap(), ["a;b", "c\\d"]);
    assert_eq!(split_list(" a ; b ").unwrap(), ["a", "b"]);
    assert_eq!(split_list("").unwrap(), Vec::<String>::new());
    assert!(split_list("a\\b").is_err());
}

// ---------------------------------------------------------------- bad CSV

/// The seed's files with `file`'s content changed by `f`.
fn broken(file: &str, f: impl Fn(&str) -> String) -> Result<Plans, PlanError> {
    let files: Vec<(String, String)> = write(&copenhagen_2025(AREAS))
        .into_iter()
        .map(|(n, c)| {
            let c = if n == file { f(&c) } else { c };
            (n, c)
        })
        .collect();
    read(&files)
}

fn err(r: Result<Plans, PlanError>) -> String {
    r.expect_err("should be refused").to_string()
}

#[test]
fn missing_column() {
    let e = err(broken("goals.csv", |c| {
        c.replacen(
            "id,policy_id,name,name_en,illustrative,source",
            "id,policy_id,name,illustrative,source",
            1,
        )
        .lines()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
    }));
    assert_eq!(
        e,
        "goals.csv:1: expected a column named \"name_en\" in the header (the columns are id,policy_id,name,name_en,illustrative,source)"
    );
    let e = err(broken("goals.csv", |c| c.replacen("name_en", "english", 1)));
    assert_eq!(
        e,
        "goals.csv:1: column 4 (english): expected one of the columns id,policy_id,name,name_en,illustrative,source, not \"english\""
    );
}

#[test]
fn bad_number() {
    let e = err(broken("indicators.csv", |c| {
        c.replacen(",17.3,2023,", ",\"17,3\",2023,", 1)
    }));
    assert_eq!(
        e,
        "indicators.csv:2: column 8 (baseline_value): expected a number with a decimal point, not \"17,3\""
    );
    let e = err(broken("helhedsplaner.csv", |c| {
        c.replacen(",12000000,", ",12.000.000,", 1)
    }));
    assert_eq!(
        e,
        "helhedsplaner.csv:2: column 8 (lbf_grant_dkk): expected a whole number of DKK (digits only, no separators), not \"12.000.000\""
    );
    let e = err(broken("action_plans.csv", |c| {
        c.replacen(",2025,2026,", ",2025,26,", 1)
    }));
    assert_eq!(
        e,
        "action_plans.csv:2: column 6 (period_to): expected a year (four digits), not 26"
    );
}

#[test]
fn unknown_administration() {
    let e = err(broken("initiatives.csv", |c| {
        c.replacen("Børne- og Ungdomsforvaltningen", "Ungdomsforvaltningen", 1)
    }));
    assert!(
        e.starts_with(
            "initiatives.csv:2: column 5 (owner): expected one of Copenhagen's seven administrations (Økonomiforvaltningen, "
        ),
        "{e}"
    );
    assert!(e.ends_with("not \"Ungdomsforvaltningen\""), "{e}");
    // The abbreviation is read, and written back as the full name.
    let p = broken("initiatives.csv", |c| {
        c.replacen("Børne- og Ungdomsforvaltningen", "BUF", 1)
    })
    .unwrap();
    assert_eq!(p, copenhagen_2025(AREAS));
}

#[test]
fn unknown_measure() {
    let e = err(broken("indicators.csv", |c| {
        c.replacen("outside_labour_share", "unemployment_pct", 1)
    }));
    assert_eq!(
        e,
        "indicators.csv:2: column 4 (measure): expected a measure: a column of the area-year table (outside_labour_pct, basic_education_pct, income_pct_of_region, convicted_pct, non_western_pct, residents), an indicator of the screening (outside_labour_share, low_income_share, basic_education_share, no_youth_education_at_25_share, child_poverty_share, poor_health_share, unsafe_share, turnout_share, small_dwelling_share, installation_deficiency_share, crowded_share, m2_per_resident), or none, not \"unemployment_pct\""
    );
}

#[test]
fn an_indicator_names_its_population_and_a_missing_source_names_who_would_feed_it() {
    // The state's area-year table measures estates, not the udsatte byområder.
    let e = err(broken("indicators.csv", |c| {
        c.replacen(
            ",outside_labour_share,*,designated,",
            ",outside_labour_pct,*,designated,",
            1,
        )
    }));
    assert!(
        e.starts_with("indicators.csv:2: column 6 (population): expected state_listed or estates for outside_labour_pct"),
        "{e}"
    );
    let e = err(broken("indicators.csv", |c| {
        c.replacen(",*,designated,", ",*,the poor,", 1)
    }));
    assert!(
        e.contains("column 6 (population): expected a population"),
        "{e}"
    );
    // A named area of the round is a population.
    let p = broken("indicators.csv", |c| {
        c.replacen(",*,designated,", ",*,area:area-100m_1_2,", 1)
    })
    .unwrap();
    assert_eq!(
        p.indicators()[0].0.population,
        Population::Area("area-100m_1_2".into())
    );
    // Without a data source, the indicator must say which register or survey would feed it.
    let p = copenhagen_2025(AREAS);
    let inds = p.indicators();
    let life = inds.iter().find(|(i, _)| i.id == "ind-1.2.b").unwrap().0;
    assert_eq!(life.measure, Measure::NoSource);
    assert!(life.data_source.contains("Danmarks Statistik"));
    let e = err(broken("indicators.csv", |c| {
        c.replace(&life.data_source, "")
    }));
    assert!(
        e.contains("(data_source): expected the register or survey"),
        "{e}"
    );
    // A file written before the columns existed is read: `*` is the state-listed estates.
    let old: Vec<(String, String)> = write(&Plans::default())
        .into_iter()
        .map(|(n, c)| {
            if n == "indicators.csv" {
                (n, "id,parent_id,name,measure,areas,direction,baseline_value,baseline_year,baseline_source,target_kind,target_value,target_year,illustrative,source\n".into())
            } else {
                (n, c)
            }
        })
        .collect();
    assert!(read(&old).is_ok());
}

#[test]
fn dangling_references() {
    let e = err(broken("initiatives.csv", |c| {
        c.replacen("sub-1.1;sub-1.3", "sub-1.1;sub-9.9", 1)
    }));
    assert_eq!(
        e,
        "initiatives.csv:2: column 8 (sub_goals): expected ids of sub-goals in subgoals.csv; \"sub-9.9\" is none"
    );
    let e = err(broken("subgoals.csv", |c| {
        c.replacen(",goal-1,", ",goal-7,", 1)
    }));
    assert_eq!(
        e,
        "subgoals.csv:2: column 2 (goal_id): expected the id of a goal in goals.csv; \"goal-7\" is none"
    );
    let e = err(broken("indicators.csv", |c| {
        c.replacen(",sub-1.1,", ",sub-1.9,", 1)
    }));
    assert_eq!(
        e,
        "indicators.csv:2: column 2 (parent_id): expected the id of a sub-goal or a helhedsplan goal in subgoals.csv or hp_goals.csv; \"sub-1.9\" is none"
    );
    let e = err(broken("initiatives.csv", |c| {
        c.replacen("\nap-2027,", "\nap-2029,", 1)
    }));
    assert!(
        e.contains("column 1 (action_plan_id): expected the id of an action plan in action_plans.csv; \"ap-2029\" is none"),
        "{e}"
    );
}

#[test]
fn other_refusals_name_the_place() {
    // A duplicate id.
    let e = err(broken("subgoals.csv", |c| {
        c.replacen("sub-1.2,", "sub-1.1,", 1)
    }));
    assert_eq!(
        e,
        "subgoals.csv:3: column 1 (id): expected a unique id; \"sub-1.1\" is already used"
    );
    // A helhedsplan not of four years (found by validate, placed by the reader).
    let e = err(broken("helhedsplaner.csv", |c| {
        c.replacen(",2025,2028,", ",2025,2027,", 1)
    }));
    assert_eq!(
        e,
        "helhedsplaner.csv:2: column 7 (period_to): expected a four-year period (period_to = period_from + 3 = 2028), not 2027"
    );
    // A bad escape in a list.
    let e = err(broken("initiatives.csv", |c| {
        c.replacen("SSP;", "SSP\\x;", 1)
    }));
    assert!(
        e.contains("column 6 (partners): expected a `;`-separated list"),
        "{e}"
    );
    // A city-average target with a value.
    let e = err(broken("indicators.csv", |c| {
        c.replacen(",city_average,,2035,", ",city_average,9,2035,", 1)
    }));
    assert!(
        e.starts_with("indicators.csv:2: column 12 (target_value): expected an empty cell"),
        "{e}"
    );
    // Unknown status, level, boolean; a short row; an unknown file.
    let e = err(broken("initiatives.csv", |c| {
        c.replacen(",running,", ",ongoing,", 1)
    }));
    assert!(e.contains("column 12 (status): expected a status"), "{e}");
    let e = err(broken("helhedsplaner.csv", |c| {
        c.replacen(",estate,", ",block,", 1)
    }));
    assert!(e.contains("column 5 (level): expected a level"), "{e}");
    let e = err(broken("goals.csv", |c| c.replacen(",false,", ",nej,", 1)));
    assert!(
        e.contains("column 5 (illustrative): expected true or false, not \"nej\""),
        "{e}"
    );
    let e = err(broken("goals.csv", |c| format!("{c}goal-3,policy-2025\n")));
    assert!(
        e.starts_with("goals.csv:4: expected 6 fields as in the header, found 2"),
        "{e}"
    );
    let mut files = write(&Plans::default());
    files.push(("policy.csv".into(), String::new()));
    let e = err(read(&files));
    assert!(
        e.starts_with("policy.csv: expected one of the plan files"),
        "{e}"
    );
}

#[test]
fn a_share_outside_0_to_100_is_refused_at_its_cell() {
    // The first indicator measures outside_labour_share with baseline 17.3.
    for bad in ["-1", "9200000000000000000", "100.01"] {
        let e = err(broken("indicators.csv", |c| {
            c.replacen(",17.3,2023,", &format!(",{bad},2023,"), 1)
        }));
        assert_eq!(
            e,
            format!(
                "indicators.csv:2: column 8 (baseline_value): expected a share in per cent from 0 to 100 for outside_labour_share, not {bad}"
            )
        );
    }
    assert!(
        broken("indicators.csv", |c| c.replacen(
            ",17.3,2023,",
            ",100,2023,",
            1
        ))
        .is_ok()
    );
}

#[test]
fn a_share_outside_0_to_100_is_refused_as_a_target_too() {
    let e = err(broken("indicators.csv", |c| {
        c.replacen(",city_average,,2035,", ",value,120,2035,", 1)
    }));
    assert_eq!(
        e,
        "indicators.csv:2: column 12 (target_value): expected a share in per cent from 0 to 100 for outside_labour_share, not 120"
    );
    // The bounds themselves are shares.
    for ok in ["0", "100"] {
        broken("indicators.csv", |c| {
            c.replacen(",city_average,,2035,", &format!(",value,{ok},2035,"), 1)
        })
        .unwrap();
    }
}
