//! The built-in rule sets against the scenario files in `rules/tests/`, and a mutation check:
//! every threshold, operator, `k of n` and streak length in the law must be pinned by at least
//! one scenario, so that changing it makes the suite fail.

use kvarter_rules::scenario::{self, Scenario};
use kvarter_rules::{
    Catalog, Decimal, EvalOptions, Expr, History, Observation, Operator, RuleSet, Threshold, Unit,
    builtin, evaluate,
};
use std::str::FromStr;

fn scenarios() -> Vec<(String, Scenario)> {
    let mut out = Vec::new();
    for (file, src) in builtin::SCENARIOS {
        for s in scenario::parse(file, src).unwrap_or_else(|e| panic!("{e}")) {
            out.push((file.to_string(), s));
        }
    }
    out
}

fn failing(catalog: &Catalog, scenarios: &[(String, Scenario)]) -> Vec<String> {
    scenarios
        .iter()
        .flat_map(|(file, s)| {
            s.run(catalog)
                .into_iter()
                .map(move |f| format!("{file}: \"{}\": {f}", s.name))
        })
        .collect()
}

#[test]
fn every_scenario_passes() {
    let catalog = Catalog::builtin();
    let all = scenarios();
    assert!(all.len() > 80, "only {} scenarios", all.len());
    let failures = failing(&catalog, &all);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_rule_set_in_force_is_chosen_by_list_year() {
    let catalog = Catalog::builtin();
    let ids = |year| -> Vec<String> {
        catalog
            .select(year, &[])
            .iter()
            .map(|r| r.id.clone())
            .collect()
    };
    assert_eq!(ids(2009), Vec::<String>::new());
    assert_eq!(ids(2010), ["dk-2010", "dk-51b"]);
    assert_eq!(ids(2012), ["dk-2010", "dk-51b"]);
    assert_eq!(ids(2013), ["dk-2013", "dk-51b"]);
    assert_eq!(ids(2017), ["dk-2013", "dk-51b"]);
    assert_eq!(ids(2018), ["dk-2018", "dk-51b"]);
    assert_eq!(ids(2020), ["dk-2018", "dk-51b"]);
    assert_eq!(ids(2021), ["dk-2021", "dk-51b"]);
    assert_eq!(ids(2035), ["dk-2021", "dk-51b"]);
    let dk2018 = catalog.get("dk-2018").unwrap();
    let with_override: Vec<&str> = catalog
        .select(2024, &[dk2018])
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(with_override, ["dk-2018", "dk-51b"]);
}

#[test]
fn a_list_year_before_2010_is_refused() {
    let catalog = Catalog::builtin();
    let obs = Observation {
        area_id: "A".into(),
        list_year: 2009,
        ..Observation::default()
    };
    let err = evaluate(&catalog, &[obs], &History::new(), &EvalOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no rule set governs the list of 2009; the first list was published in 2010"
    );
}

#[test]
fn an_unknown_rule_set_is_refused_with_the_known_ones() {
    let options = EvalOptions {
        overrides: vec!["dk-2019".into()],
        ..EvalOptions::default()
    };
    let err = evaluate(&Catalog::builtin(), &[], &History::new(), &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown rule set 'dk-2019'; expected one of: dk-2010, dk-2013, dk-2018, dk-2021, dk-51b"
    );
}

/// The comparison words of Danish statutes: the operator of every criterion must be the one its
/// quoted words use.
#[test]
fn every_operator_matches_the_words_of_its_paragraph() {
    for rs in Catalog::builtin().rule_sets() {
        for c in rs.all_criteria() {
            let words: &[&str] = match c.operator {
                Operator::Greater => &["overstiger"],
                Operator::GreaterOrEqual => &["mindst"],
                Operator::Less => &["mindre end"],
                Operator::LessOrEqual => &["højst"],
            };
            assert!(
                words.iter().any(|w| c.text.contains(w)),
                "{}/{}: operator {} but the text reads: {}",
                rs.id,
                c.id,
                c.operator,
                c.text
            );
            assert!(
                !c.paragraph.is_empty() && !c.text_source.is_empty(),
                "{}/{}",
                rs.id,
                c.id
            );
        }
        for l in &rs.lists {
            assert!(
                !l.paragraph.is_empty() && !l.text.is_empty(),
                "{}/{}",
                rs.id,
                l.id
            );
        }
    }
}

#[test]
fn origin_is_a_separate_element_of_every_state_rule_set() {
    for rs in Catalog::builtin().rule_sets() {
        assert!(
            rs.criteria.iter().all(|c| c.measure != "non_western_pct"),
            "{}",
            rs.id
        );
        if rs.family == "state-lists" {
            assert!(!rs.origin.is_empty(), "{}", rs.id);
            assert!(rs.origin_note.contains("C-417/23"), "{}", rs.id);
        }
    }
}

#[test]
fn decimals_compare_exactly_as_written() {
    // 2.40 against 3 × 0.80: exactly equal, so "udgør mindst tre gange" holds.
    let t = Threshold::FactorOf {
        factor: Decimal::from(3),
        reference: "n".into(),
    };
    let national = Decimal::from_str("0.80").unwrap();
    let resolved = t.resolve(|_| Some(national)).unwrap();
    assert_eq!(resolved, Decimal::from_str("2.40").unwrap());
    assert!(Operator::GreaterOrEqual.holds(Decimal::from_str("2.40").unwrap(), resolved));
    assert!(!Operator::Greater.holds(Decimal::from_str("2.40").unwrap(), resolved));
    // The floating-point product is not 2.40: the reason the engine never uses floats.
    assert_ne!(3.0_f64 * 0.80_f64, 2.40_f64);
}

// ---- mutation check -------------------------------------------------------------------------

fn criteria_mut(rs: &mut RuleSet) -> impl Iterator<Item = &mut kvarter_rules::Criterion> {
    rs.criteria.iter_mut().chain(rs.origin.iter_mut())
}

/// Calls `f` on the `k` of the `target`-th `k of [..]` (in order of appearance) of `e`.
fn with_k(e: &mut Expr, target: usize, seen: &mut usize, f: &mut dyn FnMut(&mut usize)) {
    match e {
        Expr::AtLeast { k, of } => {
            if *seen == target {
                f(k);
            }
            *seen += 1;
            of.iter_mut().for_each(|e| with_k(e, target, seen, f));
        }
        Expr::Not(e) => with_k(e, target, seen, f),
        Expr::All(es) | Expr::Any(es) => es.iter_mut().for_each(|e| with_k(e, target, seen, f)),
        Expr::Criterion(_) | Expr::List(_) => {}
    }
}

/// Every small change to the law that a typo or a misreading could make.
fn mutants(rs: &RuleSet) -> Vec<(String, RuleSet)> {
    let mut out = Vec::new();
    let n_crit = rs.all_criteria().count();
    for i in 0..n_crit {
        let c = rs.all_criteria().nth(i).unwrap().clone();
        let flipped = match c.operator {
            Operator::Greater => Operator::GreaterOrEqual,
            Operator::GreaterOrEqual => Operator::Greater,
            Operator::Less => Operator::LessOrEqual,
            Operator::LessOrEqual => Operator::Less,
        };
        let step = if c.unit == Unit::Persons {
            Decimal::ONE
        } else {
            Decimal::from_str("0.01").unwrap()
        };
        let mut variants = vec![(
            format!("operator {} → {}", c.operator, flipped),
            None,
            Some(flipped),
        )];
        for sign in [Decimal::ONE, Decimal::NEGATIVE_ONE] {
            let t = match &c.threshold {
                Threshold::Value(v) => Threshold::Value(*v + sign * step),
                Threshold::Per { value, per } => Threshold::Per {
                    value: *value + sign,
                    per: *per,
                },
                Threshold::FactorOf { factor, reference } => Threshold::FactorOf {
                    factor: *factor + sign * Decimal::from_str("0.1").unwrap(),
                    reference: reference.clone(),
                },
            };
            variants.push((format!("threshold → {t:?}"), Some(t), None));
        }
        for (what, t, op) in variants {
            let mut m = rs.clone();
            let target = criteria_mut(&mut m).nth(i).unwrap();
            if let Some(t) = t {
                target.threshold = t;
            }
            if let Some(op) = op {
                target.operator = op;
            }
            out.push((format!("{}/{}: {what}", rs.id, c.id), m));
        }
    }
    for li in 0..rs.lists.len() {
        let mut n_k = 0;
        with_k(
            &mut rs.lists[li].condition.clone(),
            usize::MAX,
            &mut n_k,
            &mut |_| {},
        );
        for target in 0..n_k {
            for delta in [1isize, -1] {
                let mut m = rs.clone();
                let mut new = None;
                with_k(&mut m.lists[li].condition, target, &mut 0, &mut |k| {
                    if let Some(v) = k.checked_add_signed(delta).filter(|&v| v >= 1) {
                        *k = v;
                        new = Some(v);
                    }
                });
                if let Some(new) = new {
                    out.push((format!("{}/{}: k → {new}", rs.id, rs.lists[li].id), m));
                }
            }
        }
        if let Some(s) = &rs.lists[li].streak {
            for delta in [1i64, -1] {
                let years = u32::try_from(i64::from(s.years) + delta).unwrap();
                let mut m = rs.clone();
                m.lists[li].streak.as_mut().unwrap().years = years;
                out.push((
                    format!("{}/{}: streak → {years} years", rs.id, rs.lists[li].id),
                    m,
                ));
                for oi in 0..s.overrides.len() {
                    let years = u32::try_from(i64::from(s.overrides[oi].years) + delta).unwrap();
                    let mut m = rs.clone();
                    m.lists[li].streak.as_mut().unwrap().overrides[oi].years = years;
                    out.push((
                        format!("{}/{}: override → {years} years", rs.id, rs.lists[li].id),
                        m,
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn every_change_to_a_threshold_operator_k_or_streak_makes_a_scenario_fail() {
    let official = Catalog::builtin();
    let all = scenarios();
    let mut survivors = Vec::new();
    let mut count = 0;
    for (ri, rs) in official.rule_sets().iter().enumerate() {
        for (what, mutant) in mutants(rs) {
            count += 1;
            let sets = official
                .rule_sets()
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let r = if i == ri { mutant.clone() } else { r.clone() };
                    (r.id.clone(), r)
                })
                .collect();
            let catalog = Catalog::from_rule_sets(sets).expect("mutant is a valid catalog");
            if failing(&catalog, &all).is_empty() {
                survivors.push(what);
            }
        }
    }
    assert!(count > 100, "only {count} mutants");
    assert!(
        survivors.is_empty(),
        "{} of {count} changes to the law go unnoticed by the scenarios:\n{}",
        survivors.len(),
        survivors.join("\n")
    );
}
