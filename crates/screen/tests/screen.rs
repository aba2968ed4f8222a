//! Behaviour a user of the screening relies on: spec errors at a line and column, qualification
//! at its boundaries exactly as the spec writes them, merging into designated areas, the
//! inclusion of state-listed areas, disclosure control, intervals, probabilities, shrinkage, the
//! 2017 goal, and revisions.

use kvarter_screen::{
    AreaReason, Certainty, GapPoint, GoalStatus, Inclusion, Measure, Neighbours, Options,
    Screening, Spec, Unit, Values, builtin, compare_screenings, gap_goal, index_change, points,
    screen, vulnerability_index,
};
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------------
// Helpers

struct C<'a> {
    id: &'a str,
    indicator: &'a str,
    compare: &'a str,
    direction: &'a str,
    op: &'a str,
    threshold: &'a str,
}

fn c<'a>(id: &'a str, indicator: &'a str, op: &'a str, threshold: &'a str) -> C<'a> {
    C {
        id,
        indicator,
        compare: "ratio",
        direction: "higher_is_worse",
        op,
        threshold,
    }
}

fn spec_text(
    qualify: &str,
    min_area: u64,
    listed: bool,
    holes: bool,
    criteria: &[C<'_>],
) -> String {
    let mut s = format!(
        r#"id = "test"
family = "test"
title = "Test"
title_en = "Test"
source = "test"
in_force = {{ first_year = 2025 }}

[unit]
kind = "grid"
cell_size_m = 100
crs = "EPSG:25832"
min_unit_population = 50
min_unit_population_reason = "test"

[designation]
min_area_population = {min_area}
min_area_population_default = true
min_area_population_reason = "test"
include_state_listed = {listed}
fill_single_holes = {holes}
qualify = {qualify}
qualify_default = true
qualify_reason = "test"
"#
    );
    for c in criteria {
        let section = if c.indicator == "non_western_share" {
            "[[origin.criteria]]"
        } else {
            "[[criteria]]"
        };
        if c.indicator == "non_western_share" {
            s.push_str("\n[origin]\nnote = \"switchable\"\n");
        }
        s.push_str(&format!(
            r#"
{section}
id = "{}"
name = "{}"
name_en = "{}"
indicator = "{}"
compare = "{}"
direction = "{}"
operator = "{}"
threshold = "{}"
kvarter_default = true
threshold_reason = "test"
"#,
            c.id, c.id, c.id, c.indicator, c.compare, c.direction, c.op, c.threshold
        ));
    }
    s
}

fn spec(qualify: &str, min_area: u64, listed: bool, holes: bool, criteria: &[C<'_>]) -> Spec {
    let text = spec_text(qualify, min_area, listed, holes, criteria);
    Spec::parse("test.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A one-criterion spec on outside_labour_share, ratio ≥ 1.5, k = 1.
fn simple(min_area: u64, listed: bool, holes: bool) -> Spec {
    spec(
        "{ method = \"k_of_n\", k = 1 }",
        min_area,
        listed,
        holes,
        &[c("labour", "outside_labour_share", "≥", "1.5")],
    )
}

fn unit(id: &str, cell: (i64, i64), population: u64, shares: &[(&str, f64, f64)]) -> Unit {
    Unit {
        id: id.to_string(),
        district: "D1".to_string(),
        cell: Some(cell),
        population,
        indicators: shares
            .iter()
            .map(|&(k, num, den)| (k.to_string(), Measure::Share { num, den }))
            .collect(),
    }
}

fn run(spec: &Spec, units: &[Unit]) -> Screening {
    screen(
        spec,
        units,
        &Neighbours::grid(),
        &BTreeSet::new(),
        &Options::default(),
    )
}

fn u<'a>(s: &'a Screening, id: &str) -> &'a kvarter_screen::UnitResult {
    s.units.iter().find(|u| u.id == id).unwrap()
}

/// A city of background cells far from the cells under test, so that the city average is
/// exactly `bg_num / bg_den` pooled with the tested cells.
fn background(n: usize, num: f64, den: f64) -> Vec<Unit> {
    (0..n)
        .map(|i| {
            unit(
                &format!("z{i:03}"),
                (1000 + 3 * i as i64, 1000),
                100,
                &[("outside_labour_share", num, den)],
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Specs

#[test]
fn builtin_specs_parse_and_label_their_defaults() {
    let specs = builtin::specs().unwrap();
    let ids: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["kbh-2011", "kbh-2017", "kbh-2025"]);

    let s2025 = builtin::spec("kbh-2025").unwrap().unwrap();
    let names: Vec<&str> = s2025.criteria.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Indkomstniveau",
            "Uddannelsesniveau",
            "Arbejdsmarkedstilknytning",
            "Ungdomsuddannelse",
            "Børnefattigdom",
            "Sundhedstilstand",
            "Tryghed"
        ]
    );
    assert!(s2025.designation.include_state_listed);
    assert!(s2025.origin.is_empty());
    // The policy publishes no threshold: every criterion is kvarter's default, and says why.
    assert!(
        s2025
            .criteria
            .iter()
            .all(|c| c.kvarter_default && !c.threshold_reason.is_empty())
    );
    assert_eq!(s2025.defaults().len(), 7 + 3);

    let s2017 = builtin::spec("kbh-2017").unwrap().unwrap();
    assert_eq!(s2017.criteria.len() + s2017.origin.len(), 5);
    assert_eq!(s2017.origin[0].indicator, "non_western_share");
    assert!(s2017.goal.is_some());

    let s2011 = builtin::spec("kbh-2011").unwrap().unwrap();
    assert_eq!(s2011.criteria.len() + s2011.origin.len(), 9);
    assert!(builtin::spec("kbh-1999").is_none());
}

fn err(text: &str) -> (usize, usize, String) {
    let e = Spec::parse("bad.toml", text).unwrap_err();
    assert!(e.to_string().starts_with("bad.toml:"), "{e}");
    (e.line, e.column, e.message)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn spec_errors_point_at_line_and_column() {
    let good = spec_text(
        "{ method = \"k_of_n\", k = 1 }",
        1000,
        true,
        true,
        &[c("labour", "outside_labour_share", "≥", "1.5")],
    );
    Spec::parse("good.toml", &good).unwrap();

    // A float threshold is refused, at the value.
    let t = good.replace("threshold = \"1.5\"", "threshold = 1.5");
    let (line, col, msg) = err(&t);
    assert_eq!(line, line_of(&t, "threshold = 1.5"));
    assert_eq!(col, "threshold = ".len() + 1);
    assert!(msg.contains("floating-point"), "{msg}");

    // An unknown indicator names the vocabulary.
    let t = good.replace("\"outside_labour_share\"", "\"outside_labor_share\"");
    let (line, col, msg) = err(&t);
    assert_eq!(line, line_of(&t, "outside_labor_share"));
    assert_eq!(col, "indicator = ".len() + 1);
    assert!(
        msg.contains("unknown indicator") && msg.contains("low_income_share"),
        "{msg}"
    );

    // The direction must be the indicator's.
    let t = good.replace("\"higher_is_worse\"", "\"lower_is_worse\"");
    let (line, _, msg) = err(&t);
    assert_eq!(line, line_of(&t, "lower_is_worse"));
    assert!(
        msg.contains("expected direction = \"higher_is_worse\""),
        "{msg}"
    );

    // The operator must look the way the direction does.
    let t = good.replace("operator = \"≥\"", "operator = \"≤\"");
    let (line, _, msg) = err(&t);
    assert_eq!(line, line_of(&t, "operator = \"≤\""));
    assert!(msg.contains("looks the wrong way"), "{msg}");

    // k cannot exceed the number of criteria.
    let t = good.replace("k = 1", "k = 2");
    let (line, _, msg) = err(&t);
    assert_eq!(line, line_of(&t, "k = 2"));
    assert!(msg.contains("between 1 and the 1 criteria"), "{msg}");

    // An unknown key is refused where it stands.
    let t = good.replace(
        "name_en = \"labour\"",
        "name_en = \"labour\"\ntreshold = \"2\"",
    );
    let (line, _, msg) = err(&t);
    assert_eq!(line, line_of(&t, "treshold"));
    assert!(msg.contains("treshold"), "{msg}");

    // A grid cell size the national grid does not use here.
    let t = good.replace("cell_size_m = 100", "cell_size_m = 200");
    let (line, col, _) = err(&t);
    assert_eq!(
        (line, col),
        (line_of(&t, "cell_size_m"), "cell_size_m = ".len() + 1)
    );

    // Origin must sit in its own element, so that it can be switched off.
    let t = good.replace("\"outside_labour_share\"", "\"non_western_share\"");
    let (_, _, msg) = err(&t);
    assert!(msg.contains("[[origin.criteria]]"), "{msg}");

    // A default without its reasoning.
    let t = good.replace("threshold_reason = \"test\"", "threshold_reason = \" \"");
    let (line, _, msg) = err(&t);
    assert_eq!(line, line_of(&t, "threshold_reason"));
    assert!(msg.contains("is empty"), "{msg}");

    // A duplicate criterion.
    let t = spec_text(
        "{ method = \"k_of_n\", k = 1 }",
        1000,
        true,
        true,
        &[
            c("labour", "outside_labour_share", "≥", "1.5"),
            c("labour", "low_income_share", "≥", "1.5"),
        ],
    );
    let (line, _, msg) = err(&t);
    assert_eq!(
        line,
        t.lines()
            .enumerate()
            .filter(|(_, l)| l.contains("id = \"labour\""))
            .nth(1)
            .unwrap()
            .0
            + 1
    );
    assert!(msg.contains("defined twice"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// Qualification at its boundaries

#[test]
fn ratio_at_exactly_the_threshold_meets_ge_but_not_gt() {
    // A: 30/100; B: 10/100. City = 40/200 = 0.2, and A is exactly 1.5 × the city. In floating
    // point 0.3 / 0.2 is 1.4999999999999998; the engine compares in decimals.
    let units = [
        unit("a", (0, 0), 100, &[("outside_labour_share", 30.0, 100.0)]),
        unit("b", (10, 10), 100, &[("outside_labour_share", 10.0, 100.0)]),
    ];
    let ge = run(&simple(0, false, false), &units);
    assert_eq!(u(&ge, "a").criteria[0].comparison, Some(1.5));
    assert!(u(&ge, "a").qualifies);
    let gt = spec(
        "{ method = \"k_of_n\", k = 1 }",
        0,
        false,
        false,
        &[c("labour", "outside_labour_share", ">", "1.5")],
    );
    let gt = run(&gt, &units);
    assert!(!u(&gt, "a").qualifies);
    assert_eq!(u(&gt, "a").criteria[0].met, Some(false));
}

#[test]
fn difference_in_points_at_exactly_the_threshold() {
    let units = [
        unit("a", (0, 0), 100, &[("outside_labour_share", 30.0, 100.0)]),
        unit("b", (10, 10), 100, &[("outside_labour_share", 10.0, 100.0)]),
    ];
    for (op, met) in [("≥", true), (">", false)] {
        let s = spec(
            "{ method = \"k_of_n\", k = 1 }",
            0,
            false,
            false,
            &[C {
                compare: "difference",
                ..c("labour", "outside_labour_share", op, "10")
            }],
        );
        let r = run(&s, &units);
        assert_eq!(u(&r, "a").criteria[0].comparison, Some(10.0));
        assert_eq!(u(&r, "a").criteria[0].met, Some(met), "{op}");
    }
}

#[test]
fn lower_is_worse_compares_downward() {
    // Turnout: a 40/100, b 60/100 → city 0.5; a is 10 points below.
    let t = |a: f64| {
        [
            unit("a", (0, 0), 100, &[("turnout_share", a, 100.0)]),
            unit("b", (10, 10), 100, &[("turnout_share", 100.0 - a, 100.0)]),
        ]
    };
    let s = spec(
        "{ method = \"k_of_n\", k = 1 }",
        0,
        false,
        false,
        &[C {
            compare: "difference",
            direction: "lower_is_worse",
            ..c("turnout", "turnout_share", "≤", "-10")
        }],
    );
    assert!(u(&run(&s, &t(40.0)), "a").qualifies);
    assert!(!u(&run(&s, &t(41.0)), "a").qualifies);
}

#[test]
fn k_of_n_counts_at_least_k() {
    // Two criteria at 1.5 × the city in cell a, one below; k = 2 qualifies, k = 3 does not.
    let shares = |x: f64, y: f64, z: f64| {
        vec![
            ("outside_labour_share", x, 100.0),
            ("low_income_share", y, 100.0),
            ("basic_education_share", z, 100.0),
        ]
    };
    let units = [
        unit("a", (0, 0), 100, &shares(30.0, 30.0, 20.0)),
        unit("b", (10, 10), 100, &shares(10.0, 10.0, 20.0)),
    ];
    let crit = [
        c("labour", "outside_labour_share", "≥", "1.5"),
        c("income", "low_income_share", "≥", "1.5"),
        c("education", "basic_education_share", "≥", "1.5"),
    ];
    let two = run(
        &spec("{ method = \"k_of_n\", k = 2 }", 0, false, false, &crit),
        &units,
    );
    assert_eq!(u(&two, "a").met, 2);
    assert!(u(&two, "a").qualifies);
    let three = run(
        &spec("{ method = \"k_of_n\", k = 3 }", 0, false, false, &crit),
        &units,
    );
    assert!(!u(&three, "a").qualifies);
}

#[test]
fn not_evaluable_counts_as_not_met_and_is_flagged() {
    let units = [
        unit("a", (0, 0), 100, &[("outside_labour_share", 30.0, 100.0)]),
        unit(
            "b",
            (10, 10),
            100,
            &[
                ("outside_labour_share", 10.0, 100.0),
                ("low_income_share", 10.0, 100.0),
            ],
        ),
    ];
    let s = spec(
        "{ method = \"k_of_n\", k = 2 }",
        0,
        false,
        false,
        &[
            c("labour", "outside_labour_share", "≥", "1.5"),
            c("income", "low_income_share", "≥", "1.5"),
        ],
    );
    let r = run(&s, &units);
    let a = u(&r, "a");
    assert_eq!((a.met, a.evaluable), (1, 1));
    assert_eq!(a.criteria[1].met, None);
    assert!(!a.qualifies && a.undetermined);
}

#[test]
fn composite_score_at_exactly_the_cutoff() {
    // Ratios 1.5 (labour) and 1.0 (income): the mean is 1.25.
    let shares = |x: f64, y: f64| {
        vec![
            ("outside_labour_share", x, 100.0),
            ("low_income_share", y, 100.0),
        ]
    };
    let units = [
        unit("a", (0, 0), 100, &shares(30.0, 20.0)),
        unit("b", (10, 10), 100, &shares(10.0, 20.0)),
    ];
    let crit = [
        c("labour", "outside_labour_share", "≥", "1.5"),
        c("income", "low_income_share", "≥", "1.5"),
    ];
    for (op, q) in [("≥", true), (">", false)] {
        let s = spec(
            &format!(
                "{{ method = \"composite\", score = \"mean_ratio\", operator = \"{op}\", cutoff = \"1.25\" }}"
            ),
            0,
            false,
            false,
            &crit,
        );
        let r = run(&s, &units);
        assert_eq!(u(&r, "a").score, Some(1.25));
        assert_eq!(u(&r, "a").qualifies, q, "{op}");
        let b = u(&r, "a").score_bounds.unwrap();
        assert!(b.low < 1.25 && 1.25 < b.high);
    }
}

#[test]
fn without_origin_keeps_k() {
    let shares = vec![
        ("outside_labour_share", 30.0, 100.0),
        ("non_western_share", 30.0, 100.0),
    ];
    let low = vec![
        ("outside_labour_share", 10.0, 100.0),
        ("non_western_share", 10.0, 100.0),
    ];
    let units = [
        unit("a", (0, 0), 100, &shares),
        unit("b", (9, 9), 100, &low),
    ];
    let s = spec(
        "{ method = \"k_of_n\", k = 2 }",
        0,
        false,
        false,
        &[
            c("labour", "outside_labour_share", "≥", "1.5"),
            c("origin", "non_western_share", "≥", "1.5"),
        ],
    );
    assert!(u(&run(&s, &units), "a").qualifies);
    let without = screen(
        &s,
        &units,
        &Neighbours::grid(),
        &BTreeSet::new(),
        &Options {
            without_origin: true,
            ..Options::default()
        },
    );
    let a = u(&without, "a");
    assert_eq!(a.criteria.len(), 1);
    assert!(!a.qualifies, "origin counts as not met; k stays 2");
}

// ---------------------------------------------------------------------------------------------
// Merging

/// Qualifying cells at the given positions (30/100), plus a background city at 10/100.
fn city_with(cells: &[((i64, i64), u64)]) -> Vec<Unit> {
    let mut v: Vec<Unit> = cells
        .iter()
        .map(|&((x, y), pop)| {
            unit(
                &format!("c{x}_{y}"),
                (x, y),
                pop,
                &[("outside_labour_share", 30.0, 100.0)],
            )
        })
        .collect();
    v.extend(background(40, 10.0, 100.0));
    v
}

#[test]
fn a_diagonal_neighbour_joins_in_the_8_neighbourhood_only() {
    let units = city_with(&[((0, 0), 600), ((1, 1), 600)]);
    let s = simple(1000, false, false);
    let queen = run(&s, &units);
    assert_eq!(queen.areas.len(), 1);
    assert_eq!(queen.areas[0].units, ["c0_0", "c1_1"]);
    assert_eq!(queen.areas[0].population, 1200);

    let rook = screen(
        &s,
        &units,
        &Neighbours::Grid { diagonal: false },
        &BTreeSet::new(),
        &Options::default(),
    );
    assert!(rook.areas.is_empty());
    assert_eq!(rook.rejected.len(), 2);
    assert_eq!(
        rook.rejected[0].reason,
        AreaReason::BelowMinimum {
            population: 600,
            minimum: 1000
        }
    );
}

#[test]
fn a_component_just_below_the_minimum_is_not_designated() {
    let s = simple(1000, false, false);
    let below = run(&s, &city_with(&[((0, 0), 500), ((0, 1), 499)]));
    assert!(below.areas.is_empty());
    assert_eq!(
        below.rejected[0].reason,
        AreaReason::BelowMinimum {
            population: 999,
            minimum: 1000
        }
    );
    assert!(u(&below, "c0_0").component.is_some() && !u(&below, "c0_0").designated);

    let at = run(&s, &city_with(&[((0, 0), 500), ((0, 1), 500)]));
    assert_eq!(at.areas.len(), 1);
    assert_eq!(at.areas[0].reason, AreaReason::MinPopulation);
    assert!(u(&at, "c0_1").designated);
}

#[test]
fn a_state_listed_unit_is_always_included() {
    // "n" does not qualify (10/100) but lies in a state-listed estate; it joins its qualifying
    // neighbour, and the pair is designated though it is below the minimum.
    let mut units = city_with(&[((0, 0), 300)]);
    units.push(unit(
        "n",
        (0, 1),
        300,
        &[("outside_labour_share", 10.0, 100.0)],
    ));
    let listed: BTreeSet<String> = ["n".to_string()].into();
    let s = simple(1000, true, false);
    let r = screen(
        &s,
        &units,
        &Neighbours::grid(),
        &listed,
        &Options::default(),
    );
    let n = u(&r, "n");
    assert!(!n.qualifies && n.state_listed);
    assert_eq!(n.inclusion, Some(Inclusion::StateListed));
    assert_eq!(r.areas.len(), 1);
    assert_eq!(r.areas[0].reason, AreaReason::StateListed);
    assert_eq!(r.areas[0].units, ["c0_0", "n"]);
    assert_eq!(r.areas[0].state_listed_units, ["n"]);

    // A spec that does not include the state's lists leaves it out.
    let off = screen(
        &simple(1000, false, false),
        &units,
        &Neighbours::grid(),
        &listed,
        &Options::default(),
    );
    assert!(off.areas.is_empty());
    assert_eq!(u(&off, "n").inclusion, None);
}

#[test]
fn a_single_hole_is_filled_but_not_an_edge_or_a_double_hole() {
    // A 3 × 3 block of qualifying cells with a non-qualifying centre.
    let mut cells = Vec::new();
    for x in 0..3 {
        for y in 0..3 {
            if (x, y) != (1, 1) {
                cells.push(((x, y), 200));
            }
        }
    }
    let mut units = city_with(&cells);
    units.push(unit(
        "hole",
        (1, 1),
        200,
        &[("outside_labour_share", 10.0, 100.0)],
    ));
    // An edge cell next to the block is never surrounded.
    units.push(unit(
        "edge",
        (3, 1),
        200,
        &[("outside_labour_share", 10.0, 100.0)],
    ));

    let filled = run(&simple(1000, false, true), &units);
    assert_eq!(filled.areas.len(), 1);
    assert_eq!(filled.areas[0].filled_holes, ["hole"]);
    assert_eq!(filled.areas[0].population, 9 * 200);
    assert_eq!(u(&filled, "hole").inclusion, Some(Inclusion::FilledHole));
    assert!(!u(&filled, "hole").qualifies);
    assert_eq!(u(&filled, "edge").inclusion, None);

    let unfilled = run(&simple(1000, false, false), &units);
    assert!(unfilled.areas[0].filled_holes.is_empty());
    assert_eq!(unfilled.areas[0].population, 8 * 200);

    // Two adjacent non-qualifying cells are not a single hole.
    let mut cells = Vec::new();
    for x in 0..4 {
        for y in 0..3 {
            if y != 1 || x == 0 || x == 3 {
                cells.push(((x, y), 200));
            }
        }
    }
    let mut units = city_with(&cells);
    units.push(unit(
        "h1",
        (1, 1),
        200,
        &[("outside_labour_share", 10.0, 100.0)],
    ));
    units.push(unit(
        "h2",
        (2, 1),
        200,
        &[("outside_labour_share", 10.0, 100.0)],
    ));
    let r = run(&simple(1000, false, true), &units);
    assert!(r.areas[0].filled_holes.is_empty());
}

#[test]
fn explicit_adjacency_is_symmetric() {
    let mut units = vec![
        unit("p1", (0, 0), 600, &[("outside_labour_share", 30.0, 100.0)]),
        unit(
            "p2",
            (50, 50),
            600,
            &[("outside_labour_share", 30.0, 100.0)],
        ),
    ];
    units.extend(background(40, 10.0, 100.0));
    let mut adj = BTreeMap::new();
    adj.insert("p2".to_string(), BTreeSet::from(["p1".to_string()]));
    let r = screen(
        &simple(1000, false, false),
        &units,
        &Neighbours::Explicit(adj),
        &BTreeSet::new(),
        &Options::default(),
    );
    assert_eq!(r.areas.len(), 1);
    assert_eq!(r.areas[0].units, ["p1", "p2"]);
}

#[test]
fn small_units_are_suppressed_and_area_ids_are_stable() {
    let units = city_with(&[((5, 5), 49), ((5, 6), 951), ((4, 5), 50)]);
    let r = run(&simple(1000, false, false), &units);
    assert!(u(&r, "c5_5").suppressed);
    assert!(!u(&r, "c4_5").suppressed);
    assert!(r.publishable_units().all(|u| u.population >= 50));
    // The id follows the smallest unit id, so the same area gets the same id every year.
    assert_eq!(r.areas[0].id, "area-c4_5");
    assert!(!r.areas[0].suppressed);
    let again = run(
        &simple(1000, false, false),
        &units.iter().rev().cloned().collect::<Vec<_>>(),
    );
    assert_eq!(again, r, "the input order does not matter");
}

// ---------------------------------------------------------------------------------------------
// Uncertainty

#[test]
fn intervals_and_probabilities_per_unit_and_area() {
    let units = [
        unit("a", (0, 0), 100, &[("outside_labour_share", 30.0, 100.0)]),
        unit("b", (10, 10), 100, &[("outside_labour_share", 10.0, 100.0)]),
    ];
    let r = run(&simple(0, false, false), &units);
    let a = &u(&r, "a").criteria[0];
    let raw = a.raw.as_ref().unwrap();
    let i = raw.interval.unwrap();
    // Jeffreys Beta(30.5, 70.5), checked against mpmath.
    assert_eq!(format!("{:.4} {:.4}", i.low, i.high), "0.2168 0.3945");
    // The threshold is 1.5 × 0.2 = 0.3, inside the interval: met, but not clearly.
    assert!((a.value_threshold.unwrap() - 0.3).abs() < 1e-15);
    assert_eq!(a.certainty, Certainty::WithinInterval);
    assert!((raw.p_meets.unwrap() - (1.0 - 0.494_165_335_173_266)).abs() < 1e-9);
    assert!(u(&r, "a").fragile);
    // The area carries the same figures for its summed counts.
    assert_eq!(
        r.areas[0].criteria[0].raw.as_ref().unwrap().interval,
        Some(i)
    );
    assert_eq!(r.areas[0].fragile_units, ["a"]);
}

#[test]
fn probability_rises_with_the_count_and_falls_with_the_threshold() {
    let mut last = -1.0;
    for num in [10.0, 20.0, 25.0, 30.0, 35.0, 50.0] {
        let units = [
            unit("a", (0, 0), 100, &[("outside_labour_share", num, 100.0)]),
            unit(
                "b",
                (10, 10),
                10_000,
                &[("outside_labour_share", 2000.0, 10_000.0)],
            ),
        ];
        let r = run(&simple(0, false, false), &units);
        let p = u(&r, "a").criteria[0]
            .raw
            .as_ref()
            .unwrap()
            .p_meets
            .unwrap();
        assert!(p > last, "{num}: {p} ≤ {last}");
        last = p;
    }
    let mut last = 2.0;
    for t in ["1.1", "1.3", "1.5", "1.7", "2"] {
        let s = spec(
            "{ method = \"k_of_n\", k = 1 }",
            0,
            false,
            false,
            &[c("labour", "outside_labour_share", "≥", t)],
        );
        let units = [
            unit("a", (0, 0), 100, &[("outside_labour_share", 30.0, 100.0)]),
            unit("b", (10, 10), 100, &[("outside_labour_share", 10.0, 100.0)]),
        ];
        let p = u(&run(&s, &units), "a").criteria[0]
            .raw
            .as_ref()
            .unwrap()
            .p_meets
            .unwrap();
        assert!(p < last, "{t}: {p} ≥ {last}");
        last = p;
    }
}

#[test]
fn shrinkage_moves_small_units_more_than_large_ones() {
    // One district: a small and a large unit at 40 %, among units at 20 %.
    let mut units = vec![
        unit("small", (0, 0), 20, &[("outside_labour_share", 8.0, 20.0)]),
        unit(
            "large",
            (20, 20),
            500,
            &[("outside_labour_share", 200.0, 500.0)],
        ),
    ];
    for i in 0..10 {
        let den = 1000.0 + 200.0 * i as f64;
        units.push(unit(
            &format!("o{i}"),
            (40 + 3 * i, 0),
            den as u64,
            &[("outside_labour_share", (0.2 * den).round(), den)],
        ));
    }
    let r = run(&simple(0, false, false), &units);
    let get = |id: &str| {
        let c = &u(&r, id).criteria[0];
        (c.raw.clone().unwrap(), c.shrunk.clone().unwrap())
    };
    let (sr, ss) = get("small");
    let (lr, ls) = get("large");
    assert_eq!(sr.value, lr.value);
    let prior = r.priors["D1/outside_labour_share"];
    assert!(prior.strength > 0.0);
    // Both move toward the district mean, the small one much further.
    assert!(ss.value < sr.value && ls.value < lr.value);
    assert!(sr.value - ss.value > 3.0 * (lr.value - ls.value));
    assert!(ss.weight_on_district > ls.weight_on_district);
    // Raw and shrunk side by side, each with its own interval.
    assert!(
        ss.interval.unwrap().high - ss.interval.unwrap().low
            < sr.interval.unwrap().high - sr.interval.unwrap().low
    );

    // Designating on shrunk values can take the small unit out.
    let raw = u(&r, "small").qualifies;
    let shrunk = screen(
        &simple(0, false, false),
        &units,
        &Neighbours::grid(),
        &BTreeSet::new(),
        &Options {
            designate_on: Values::Shrunk,
            ..Options::default()
        },
    );
    assert!(raw);
    assert!(!u(&shrunk, "small").qualifies);
    assert!(u(&shrunk, "large").qualifies);
}

// ---------------------------------------------------------------------------------------------
// Over time

#[test]
fn the_2017_goal_halves_the_gap_on_at_least_half_of_the_criteria() {
    let spec = builtin::spec("kbh-2017").unwrap().unwrap();
    let p = |value: f64, city: f64| GapPoint { value, city };
    // Baseline gaps (worse than the city): 10 points on each share, 10 m² on dwelling area.
    let baseline: BTreeMap<String, GapPoint> = [
        ("outside_labour", p(0.30, 0.20)),
        ("no_education", p(0.30, 0.20)),
        ("low_income", p(0.30, 0.20)),
        ("non_western", p(0.30, 0.20)),
        ("dwelling_area", p(30.0, 40.0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // Exactly halved on three (the boundary reaches the goal), not on two.
    let latest: BTreeMap<String, GapPoint> = [
        ("outside_labour", p(0.25, 0.20)),
        ("no_education", p(0.24, 0.19)),
        ("low_income", p(0.29, 0.20)),
        ("non_western", p(0.30, 0.20)),
        ("dwelling_area", p(36.0, 41.0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let g = gap_goal(&spec, &baseline, &latest, false).unwrap();
    assert_eq!((g.counted, g.required, g.reached), (5, 3, 3));
    assert!(g.met);
    let status: Vec<GoalStatus> = g.criteria.iter().map(|c| c.status).collect();
    assert_eq!(
        status,
        [
            GoalStatus::Closed,
            GoalStatus::Closed,
            GoalStatus::NotClosed,
            GoalStatus::Closed,
            GoalStatus::NotClosed
        ]
    );
    // dwelling_area: 10 m² below the city at baseline, exactly 5 m² (41 − 36) now.
    assert_eq!(g.criteria[3].target_gap, Some(5.0));

    // One point more on outside_labour and the goal is missed.
    let mut worse = latest.clone();
    worse.insert("outside_labour".into(), p(0.26, 0.20));
    let g = gap_goal(&spec, &baseline, &worse, false).unwrap();
    assert_eq!(g.reached, 2);
    assert!(!g.met);

    // Without origin there are 4 criteria and 2 suffice.
    let g = gap_goal(&spec, &baseline, &worse, true).unwrap();
    assert_eq!((g.counted, g.required, g.reached), (4, 2, 2));
    assert!(g.met);

    // No gap at baseline: reached if the area stays at or better than the city.
    let mut b2 = baseline.clone();
    b2.insert("low_income".into(), p(0.18, 0.20));
    let mut l2 = latest.clone();
    l2.insert("low_income".into(), p(0.20, 0.20));
    let g = gap_goal(&spec, &b2, &l2, false).unwrap();
    assert_eq!(g.criteria[2].status, GoalStatus::NoGapKept);

    // A spec without a goal.
    assert!(
        gap_goal(
            &builtin::spec("kbh-2025").unwrap().unwrap(),
            &baseline,
            &latest,
            false
        )
        .is_none()
    );
}

#[test]
fn index_and_its_change_over_years() {
    let spec = builtin::spec("kbh-2017").unwrap().unwrap();
    let p = |value: f64, city: f64| GapPoint { value, city };
    let year = |f: f64| -> BTreeMap<String, GapPoint> {
        [
            ("outside_labour", p(0.3 * f, 0.2)),
            ("no_education", p(0.3 * f, 0.2)),
            ("low_income", p(0.3 * f, 0.2)),
            ("non_western", p(0.3 * f, 0.2)),
            ("dwelling_area", p(40.0 / (1.5 * f), 40.0)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    let before = vulnerability_index(&spec, &year(1.0), false).unwrap();
    assert!((before.value - 1.5).abs() < 1e-12);
    assert_eq!((before.criteria_used, before.criteria_total), (5, 5));
    let after = vulnerability_index(&spec, &year(0.83), false).unwrap();
    let ch = index_change(before.value, after.value);
    assert!((ch.relative_change + 0.17).abs() < 1e-12, "{ch:?}");
    assert!(ch.excess_change.unwrap() < ch.relative_change);
}

#[test]
fn points_pool_a_fixed_boundary() {
    let spec = simple(0, false, false);
    let units = [
        unit("a", (0, 0), 100, &[("outside_labour_share", 30.0, 100.0)]),
        unit("b", (1, 0), 300, &[("outside_labour_share", 30.0, 300.0)]),
        unit("c", (9, 9), 100, &[("outside_labour_share", 20.0, 100.0)]),
    ];
    let pts = points(
        &spec,
        &units,
        &BTreeSet::from(["a".into(), "b".into()]),
        false,
    );
    assert_eq!(pts["labour"].value, 60.0 / 400.0);
    assert_eq!(pts["labour"].city, 80.0 / 500.0);
}

#[test]
fn revisions_match_areas_by_overlap_not_id() {
    let s = simple(1000, false, false);
    // Before: area A on cells (0,0),(0,1); area B on (10,0),(10,1).
    let before = run(
        &s,
        &city_with(&[((0, 0), 500), ((0, 1), 500), ((10, 0), 500), ((10, 1), 500)]),
    );
    assert_eq!(before.areas.len(), 2);
    // After: A has lost its smallest cell but grown (new id); B has left; C has entered.
    let after = run(
        &s,
        &city_with(&[((0, 1), 500), ((0, 2), 500), ((20, 0), 500), ((20, 1), 500)]),
    );
    let rev = compare_screenings(&before, &after, 0.5);
    assert_eq!(rev.continued.len(), 1);
    assert_eq!(rev.continued[0].before, "area-c0_0");
    assert_eq!(rev.continued[0].after, "area-c0_1");
    assert_eq!(rev.left, ["area-c10_0"]);
    assert_eq!(rev.entered, ["area-c20_0"]);
    assert!(rev.units_entered.contains(&"c0_2".to_string()));
    assert!(rev.units_left.contains(&"c0_0".to_string()));
}

#[test]
fn a_polygon_hole_needs_three_neighbours_in_one_component() {
    // p0 is surrounded by p1, p2, p3 (which touch each other); q0 sits between two units only.
    let q = |id: &str, num: f64| {
        let mut u = unit(id, (0, 0), 400, &[("outside_labour_share", num, 100.0)]);
        u.cell = None;
        u
    };
    let mut units = vec![
        q("p0", 10.0),
        q("p1", 30.0),
        q("p2", 30.0),
        q("p3", 30.0),
        q("q0", 10.0),
        q("q1", 30.0),
        q("q2", 30.0),
    ];
    units.extend(background(40, 10.0, 100.0));
    let set = |v: &[&str]| {
        v.iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<String>>()
    };
    let adj: BTreeMap<String, BTreeSet<String>> = [
        ("p0", set(&["p1", "p2", "p3"])),
        ("p1", set(&["p2"])),
        ("p2", set(&["p3"])),
        ("q0", set(&["q1", "q2"])),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let r = screen(
        &simple(1000, false, true),
        &units,
        &Neighbours::Explicit(adj),
        &BTreeSet::new(),
        &Options::default(),
    );
    assert_eq!(u(&r, "p0").inclusion, Some(Inclusion::FilledHole));
    assert_eq!(
        u(&r, "q0").inclusion,
        None,
        "two neighbours: a corridor, not a hole"
    );
    assert_eq!(r.areas.len(), 1);
    assert_eq!(r.areas[0].units, ["p0", "p1", "p2", "p3"]);
    assert_eq!(
        r.rejected.len(),
        2,
        "q1 and q2 stay apart, each below the minimum"
    );
}

#[test]
fn a_zscore_composite_is_oriented_so_that_higher_is_worse() {
    // Turnout (lower is worse) and labour (higher is worse): a is worse on both.
    let shares = |t: f64, l: f64| {
        vec![
            ("turnout_share", t, 100.0),
            ("outside_labour_share", l, 100.0),
        ]
    };
    let units = [
        unit("a", (0, 0), 100, &shares(40.0, 30.0)),
        unit("b", (10, 10), 100, &shares(60.0, 10.0)),
    ];
    let s = spec(
        "{ method = \"composite\", score = \"mean_zscore\", operator = \"≥\", cutoff = \"1\" }",
        0,
        false,
        false,
        &[
            C {
                compare: "difference",
                direction: "lower_is_worse",
                ..c("turnout", "turnout_share", "≤", "-10")
            },
            c("labour", "outside_labour_share", "≥", "1.5"),
        ],
    );
    let r = run(&s, &units);
    // Two equal units around the city average: each z is ±1.
    assert!((u(&r, "a").score.unwrap() - 1.0).abs() < 1e-12);
    assert!((u(&r, "b").score.unwrap() + 1.0).abs() < 1e-12);
    assert!(!u(&r, "b").qualifies);
}

#[test]
fn kbh_2025_end_to_end_includes_state_listed_and_reports_defaults() {
    let spec = builtin::spec("kbh-2025").unwrap().unwrap();
    let all = |p: f64| -> Vec<(&'static str, f64, f64)> {
        [
            "low_income_share",
            "basic_education_share",
            "outside_labour_share",
            "no_youth_education_at_25_share",
            "child_poverty_share",
            "poor_health_share",
            "unsafe_share",
        ]
        .into_iter()
        .map(|k| (k, p * 200.0, 200.0))
        .collect()
    };
    let mut units = Vec::new();
    for x in 0..20 {
        for y in 0..20 {
            let hot = (5..8).contains(&x) && (5..8).contains(&y);
            units.push(unit(
                &format!("c{x:02}_{y:02}"),
                (x, y),
                150,
                &all(if hot { 0.4 } else { 0.1 }),
            ));
        }
    }
    let listed: BTreeSet<String> = ["c15_15".to_string()].into();
    let r = screen(
        &spec,
        &units,
        &Neighbours::grid(),
        &listed,
        &Options::default(),
    );
    assert_eq!(r.areas.len(), 2);
    assert_eq!(r.areas[0].id, "area-c05_05");
    assert_eq!(r.areas[0].units.len(), 9);
    assert_eq!(r.areas[0].reason, AreaReason::MinPopulation);
    assert!(r.areas[0].qualifies_as_whole);
    assert_eq!(r.areas[1].id, "area-c15_15");
    assert_eq!(r.areas[1].reason, AreaReason::StateListed);
    assert!(r.defaults.iter().any(|(k, _)| k == "criteria.income"));
    assert!(u(&r, "c06_06").criteria.iter().all(|c| c.kvarter_default));
}
