//! One area, in plain language: each criterion with value, threshold and margin, each list with
//! the reason, and the history of its lists.

use crate::{Lang, list_name, number};
use kvarter_rules::{
    AreaEvaluation, Catalog, Criterion, CriterionOutcome, CriterionResult, Decimal, Evaluation,
    History, ListOutcome, ListResult, Membership, MembershipSource, RuleSet, Threshold, Trace,
    Unit,
};
use kvarter_view::{PublishedCriterion, View};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The human name of a reference column.
fn reference_name(column: &str, lang: Lang) -> String {
    match column {
        "convicted_national_pct" => lang.t("landsgennemsnittet", "the national average").into(),
        other => other.into(),
    }
}

fn with_unit(d: Decimal, unit: Unit, lang: Lang) -> String {
    match unit {
        Unit::Percent => format!("{} %", number(d, lang)),
        Unit::PercentOfReference => format!("{} %", number(d, lang)),
        Unit::Persons => format!("{} {}", number(d, lang), lang.t("beboere", "residents")),
    }
}

fn threshold_text(c: &Criterion, r: &CriterionResult, lang: Lang) -> String {
    let resolved = r.threshold.map(|t| with_unit(t, c.unit, lang));
    match &c.threshold {
        Threshold::Value(_) => resolved.unwrap_or_default(),
        Threshold::Per { value, per } => format!(
            "{} ({} {} {})",
            resolved.unwrap_or_default(),
            number(*value, lang),
            lang.t("pr.", "per"),
            number(*per, lang)
        ),
        Threshold::FactorOf { factor, reference } => match r.reference {
            Some(reference_value) => format!(
                "{} ({} × {} {} %)",
                resolved.unwrap_or_default(),
                number(*factor, lang),
                reference_name(reference, lang),
                number(reference_value, lang)
            ),
            None => format!(
                "{} × {}",
                number(*factor, lang),
                reference_name(reference, lang)
            ),
        },
    }
}

/// The words in place of a suppressed figure.
fn fewer_than(min_count: u64, lang: Lang) -> String {
    format!(
        "{} {min_count} {}",
        lang.t("hviler på færre end", "rests on fewer than"),
        lang.t("personer", "persons")
    )
}

/// One criterion as a line (or two) of plain language.
fn criterion_text(
    c: &Criterion,
    r: &CriterionResult,
    fig: &PublishedCriterion,
    lang: Lang,
) -> String {
    let (mark, status) = match &r.outcome {
        CriterionOutcome::Met => ("✓", lang.t("opfyldt", "met")),
        CriterionOutcome::NotMet => ("✗", lang.t("ikke opfyldt", "not met")),
        CriterionOutcome::NotEvaluable { .. } => {
            ("?", lang.t("kan ikke vurderes", "not evaluable"))
        }
        CriterionOutcome::SwitchedOff => ("–", lang.t("slået fra", "switched off")),
    };
    let mut s = format!(
        "  {mark} {} ({}) — {status}",
        lang.t(&c.name, &c.name_en),
        c.paragraph
    );
    match &r.outcome {
        CriterionOutcome::NotEvaluable { missing } => {
            let _ = write!(
                s,
                "\n      {} {}; {}",
                lang.t("mangler værdi for", "no value for"),
                missing.join(", "),
                lang.t("tæller som ikke opfyldt", "counts as not met")
            );
        }
        CriterionOutcome::SwitchedOff => {
            let _ = write!(
                s,
                "\n      {}",
                lang.t(
                    "oprindelseskriteriet er slået fra (--without-origin)",
                    "the origin criterion is switched off (--without-origin)"
                )
            );
        }
        CriterionOutcome::Met | CriterionOutcome::NotMet => {
            let mut value = match fig.value.view() {
                View::Shown(v) => with_unit(*v, c.unit, lang),
                View::Suppressed { min_count } => format!(
                    "({}: {})",
                    lang.t("undertrykt", "suppressed"),
                    fewer_than(min_count, lang)
                ),
                View::Missing => String::new(),
            };
            if c.unit == Unit::PercentOfReference {
                value.push_str(lang.t(" af regionens gennemsnit", " of the regional mean"));
            }
            let verb = if r.outcome.is_met() {
                crate::law::operator_words(c.operator, lang).to_string()
            } else {
                crate::law::operator_words_not(c.operator, lang).to_string()
            };
            let _ = write!(s, "\n      {value} {verb} {}", threshold_text(c, r, lang));
            if let Some(&diff) = fig.difference.shown() {
                let diff = diff.normalize();
                let unit = match c.unit {
                    Unit::Persons => lang.t("beboere", "residents"),
                    _ => lang.t("procentpoint", "percentage points"),
                };
                let side = if diff.is_zero() {
                    lang.t("præcis på grænsen", "exactly at the threshold")
                        .to_string()
                } else if diff.is_sign_positive() {
                    format!(
                        "{} {unit} {}",
                        number(diff, lang),
                        lang.t("over grænsen", "above the threshold")
                    )
                } else {
                    format!(
                        "{} {unit} {}",
                        number(-diff, lang),
                        lang.t("under grænsen", "below the threshold")
                    )
                };
                let _ = write!(s, " — {side}");
            }
            if let (Some(p), Some(&persons)) = (&r.persons, fig.persons.shown()) {
                let n = number(persons, lang);
                let dir = if p.more {
                    lang.t("flere", "more")
                } else {
                    lang.t("færre", "fewer")
                };
                let flip = if r.outcome.is_met() {
                    lang.t(
                        "ville kriteriet ikke længere være opfyldt",
                        "the criterion would no longer be met",
                    )
                } else {
                    lang.t("ville kriteriet være opfyldt", "the criterion would be met")
                };
                let one = persons == Decimal::ONE;
                let whom = match (c.unit, one) {
                    (Unit::Persons, true) => lang.t("beboer", "resident"),
                    (Unit::Persons, false) => lang.t("beboere", "residents"),
                    (_, true) => lang.t("person", "person"),
                    (_, false) => lang.t("personer", "persons"),
                };
                let of = match (c.unit, fig.group_size.shown().copied()) {
                    (Unit::Percent, Some(g)) => {
                        format!(
                            " ({} {}: {})",
                            lang.t("af", "of"),
                            number(g, lang),
                            c.population
                        )
                    }
                    _ => String::new(),
                };
                let _ = match lang {
                    Lang::Da => write!(s, "\n      Med {n} {whom} {dir}{of} {flip}"),
                    Lang::En => write!(s, "\n      With {n} {dir} {whom}{of} {flip}"),
                };
            } else if c.unit == Unit::PercentOfReference {
                let _ = write!(
                    s,
                    "\n      {}",
                    lang.t(
                        "(et gennemsnit kan ikke gøres op i personer)",
                        "(a mean cannot be expressed in persons)"
                    )
                );
            }
        }
    }
    s
}

fn yes_no(b: bool, lang: Lang) -> &'static str {
    if b {
        lang.t("ja", "yes")
    } else {
        lang.t("nej", "no")
    }
}

fn trace_text(t: &Trace, rs: &RuleSet, lang: Lang) -> String {
    let crit_name = |id: &str| {
        rs.criterion(id)
            .map_or(id.to_string(), |c| lang.t(&c.name, &c.name_en).to_string())
    };
    let list_label = |id: &str| {
        rs.list(id)
            .map_or(id.to_string(), |l| list_name(l, lang).to_string())
    };
    match t {
        Trace::Criterion { id, met, evaluable } => {
            let status = match (met, evaluable) {
                (_, false) => lang.t("kan ikke vurderes", "not evaluable"),
                (true, _) => lang.t("opfyldt", "met"),
                (false, _) => lang.t("ikke opfyldt", "not met"),
            };
            format!("{}: {status}", crit_name(id))
        }
        Trace::List { id, on } => format!("{}: {}", list_label(id), yes_no(*on, lang)),
        Trace::Dropped { id } => {
            format!("{}: {}", crit_name(id), lang.t("slået fra", "switched off"))
        }
        Trace::Not { inner, value } => format!(
            "{} ({}) → {}",
            lang.t("ikke", "not"),
            trace_text(inner, rs, lang),
            yes_no(*value, lang)
        ),
        Trace::All { items, .. } => items
            .iter()
            .map(|i| trace_text(i, rs, lang))
            .collect::<Vec<_>>()
            .join("; "),
        Trace::Any { items, value } => format!(
            "{} ({}) → {}",
            lang.t("mindst én af", "at least one of"),
            items
                .iter()
                .map(|i| trace_text(i, rs, lang))
                .collect::<Vec<_>>()
                .join("; "),
            yes_no(*value, lang)
        ),
        Trace::AtLeast {
            k, n, met, items, ..
        } => {
            let names: Vec<String> = items
                .iter()
                .filter(|i| i.value() && !matches!(i, Trace::Dropped { .. }))
                .map(|i| match i {
                    Trace::Criterion { id, .. } => crit_name(id),
                    other => trace_text(other, rs, lang),
                })
                .collect();
            let which = if names.is_empty() {
                String::new()
            } else {
                format!(" ({})", names.join(", "))
            };
            format!(
                "{met} {} {n} {}{which}; {} {k}",
                lang.t("af", "of"),
                lang.t("kriterier opfyldt", "criteria met"),
                lang.t("kræver mindst", "requires at least")
            )
        }
    }
}

fn list_label_any(catalog: &Catalog, id: &str, lang: Lang) -> String {
    catalog
        .rule_sets()
        .iter()
        .rev()
        .find_map(|r| r.list(id))
        .map_or(id.to_string(), |l| list_name(l, lang).to_string())
}

fn list_text(catalog: &Catalog, rs: &RuleSet, r: &ListResult, lang: Lang) -> String {
    let Some(def) = rs.list(&r.id) else {
        return String::new();
    };
    let verdict = match r.outcome {
        ListOutcome::On => lang.t("JA ", "YES"),
        ListOutcome::Off => lang.t("NEJ", "NO "),
        ListOutcome::Undefined => "—  ",
    };
    let mut s = format!("  {verdict} {} ({})", list_name(def, lang), def.paragraph);
    if r.outcome == ListOutcome::Undefined {
        let _ = write!(
            s,
            "\n      {}. {}",
            lang.t(
                "Ikke defineret uden oprindelseskriteriet",
                "Not defined without the origin criterion"
            ),
            def.without_origin_note
        );
        return s;
    }
    if let Some(t) = &r.condition {
        let _ = write!(s, "\n      {}", trace_text(t, rs, lang));
    }
    for x in &r.excluded_by {
        let _ = write!(
            s,
            "\n      {} {}; {}",
            lang.t("Men området er", "But the area is"),
            rs.list(x).map_or(x.as_str(), |l| list_name(l, lang)),
            lang.t(
                "listerne er disjunkte (se »kvarter rules show«)",
                "the lists are disjoint (see `kvarter rules show`)"
            )
        );
    }
    if let Some(st) = &r.streak {
        let rule = match &st.override_paragraph {
            Some(p) => format!("{} {}", lang.t("efter", "under"), p),
            None => def.streak.as_ref().map_or(String::new(), |s| {
                format!("{} {}", lang.t("efter", "under"), s.paragraph)
            }),
        };
        let _ = write!(
            s,
            "\n      {} {} {} ({rule}):",
            lang.t("Kræver", "Requires"),
            st.required,
            lang.t(
                "år i træk, dette år medregnet",
                "years in a row, this year included"
            ),
        );
        for y in &st.years {
            let m = match &y.membership {
                Membership::On { list, source } => format!(
                    "{} ({})",
                    list_label_any(catalog, list, lang),
                    source_text(*source, lang)
                ),
                Membership::Off { source } => format!(
                    "{} ({})",
                    lang.t("ikke på listen", "not on the list"),
                    source_text(*source, lang)
                ),
                Membership::Unknown => lang
                    .t(
                        "ukendt: hverken data eller offentliggjort historik (--history)",
                        "unknown: neither data nor published history (--history)",
                    )
                    .to_string(),
            };
            let _ = write!(s, "\n        {}: {m}", y.year);
        }
    }
    if r.incomplete {
        let _ = write!(
            s,
            "\n      {}",
            lang.t(
                "Bemærk: udfaldet kan ændre sig, når de manglende værdier eller år kendes.",
                "Note: the outcome may change once the missing values or years are known."
            )
        );
    }
    s
}

fn source_text(source: MembershipSource, lang: Lang) -> &'static str {
    match source {
        MembershipSource::Computed => lang.t("beregnet", "computed"),
        MembershipSource::History => lang.t("offentliggjort", "published"),
    }
}

/// Why an area could not be explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainError {
    /// The area is not in the input.
    UnknownArea {
        /// The id asked for.
        area: String,
        /// Some of the ids present.
        some_known: Vec<String>,
    },
    /// The area has no row for the year.
    NoSuchYear {
        /// The area.
        area: String,
        /// The year asked for.
        year: i32,
        /// The years present.
        years: Vec<i32>,
    },
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::UnknownArea { area, some_known } => write!(
                f,
                "area '{area}' is not in the input; expected an area_id such as {}",
                some_known.join(", ")
            ),
            ExplainError::NoSuchYear { area, year, years } => write!(
                f,
                "area '{area}' has no row for list year {year}; expected one of: {}",
                years
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for ExplainError {}

/// Explains one area for one list year (the latest in the input when `year` is `None`).
///
/// Every figure is shown as the input has it: this is the analyst's own view of their own
/// files. What is published (the dashboard, the API) goes through [`explain_published`].
pub fn explain(
    catalog: &Catalog,
    eval: &Evaluation,
    history: &History,
    area: &str,
    year: Option<i32>,
    lang: Lang,
) -> Result<String, ExplainError> {
    explain_published(catalog, eval, history, area, year, lang, &|_, r| {
        PublishedCriterion::unrestricted(
            r.value,
            r.difference,
            r.group_size,
            r.persons.as_ref().map(|p| p.persons),
        )
    })
}

/// Explains one area for one list year with each criterion's figures as `figures` lets them
/// be published (`figures(list_year, result)`, from the disclosure policy): a suppressed value
/// reads "færre end 5" / "fewer than 5", and a suppressed margin in persons is left out and
/// says so.
pub fn explain_published(
    catalog: &Catalog,
    eval: &Evaluation,
    history: &History,
    area: &str,
    year: Option<i32>,
    lang: Lang,
    figures: &dyn Fn(i32, &CriterionResult) -> PublishedCriterion,
) -> Result<String, ExplainError> {
    let rows: Vec<&AreaEvaluation> = eval.areas.iter().filter(|a| a.area_id == area).collect();
    if rows.is_empty() {
        let mut some_known: Vec<String> = eval.areas.iter().map(|a| a.area_id.clone()).collect();
        some_known.sort();
        some_known.dedup();
        some_known.truncate(8);
        return Err(ExplainError::UnknownArea {
            area: area.into(),
            some_known,
        });
    }
    let a = match year {
        Some(y) => rows
            .iter()
            .find(|a| a.list_year == y)
            .copied()
            .ok_or_else(|| ExplainError::NoSuchYear {
                area: area.into(),
                year: y,
                years: rows.iter().map(|a| a.list_year).collect(),
            })?,
        None => rows
            .iter()
            .max_by_key(|a| a.list_year)
            .copied()
            .expect("non-empty"),
    };
    let mut s = String::new();
    let _ = writeln!(s, "{} ({}), {}", a.area_name, a.area_id, a.municipality);
    let rule_sets: Vec<&RuleSet> = a
        .rule_sets
        .iter()
        .filter_map(|id| catalog.get(id))
        .collect();
    let ids: Vec<&str> = rule_sets.iter().map(|r| r.id.as_str()).collect();
    let _ = writeln!(
        s,
        "{} {} ({}) · {} {}",
        lang.t("Listen for", "The list of"),
        a.list_year,
        rule_sets
            .first()
            .map_or("", |r| r.in_force.list_date.as_str()),
        lang.t("regelsæt", "rule sets"),
        ids.join(", ")
    );
    let on: Vec<String> = a
        .on()
        .filter_map(|l| catalog.get(&l.rule_set).and_then(|r| r.list(&l.id)))
        .map(|l| list_name(l, lang).to_string())
        .collect();
    let _ = writeln!(
        s,
        "{}: {}\n",
        lang.t("På listerne", "On the lists"),
        if on.is_empty() {
            lang.t("ingen", "none").to_string()
        } else {
            on.join(", ")
        }
    );
    for rs in &rule_sets {
        let _ = writeln!(s, "{} — {}", rs.id, lang.t(&rs.title, &rs.title_en));
        let _ = writeln!(s, "{}", lang.t("Kriterier", "Criteria"));
        for c in rs.all_criteria() {
            if let Some(r) = a.criterion(&rs.id, &c.id) {
                let fig = figures(a.list_year, r);
                let _ = writeln!(s, "{}", criterion_text(c, r, &fig, lang));
            }
        }
        let _ = writeln!(s, "{}", lang.t("Lister", "Lists"));
        for r in a.lists.iter().filter(|l| l.rule_set == rs.id) {
            let _ = writeln!(s, "{}", list_text(catalog, rs, r, lang));
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "{}",
        lang.t("Forløb (lister pr. år)", "History (lists by year)")
    );
    let mut years: BTreeMap<i32, (Vec<String>, &str)> = BTreeMap::new();
    for y in history.years() {
        let lists = history
            .lists(y, area)
            .map(|l| list_label_any(catalog, l, lang))
            .collect();
        years.insert(y, (lists, source_text(MembershipSource::History, lang)));
    }
    for r in &rows {
        let lists = r
            .on()
            .filter_map(|l| catalog.get(&l.rule_set).and_then(|rs| rs.list(&l.id)))
            .map(|l| list_name(l, lang).to_string())
            .collect();
        years.insert(
            r.list_year,
            (lists, source_text(MembershipSource::Computed, lang)),
        );
    }
    for (y, (lists, source)) in years {
        let shown = if lists.is_empty() {
            lang.t("ingen liste", "no list").to_string()
        } else {
            lists.join(", ")
        };
        let _ = writeln!(s, "  {y}  {shown} ({source})");
    }
    Ok(s)
}

/// The explanation the dashboard and the API publish: the area's observations evaluated once
/// with the stored law (`catalog`, `history`, the load's `overrides`), and every figure as the
/// disclosure `policy` lets it be published (`docs/DISCLOSURE.md`): a criterion follows its
/// column, its group and its margin ([`kvarter_view::DisclosedYear::criterion`]). A closing line
/// says when margins in persons were left out. `Ok(Err(notice))` when the area has fewer
/// residents than the minimum in the year shown: then no explanation at all.
#[allow(clippy::too_many_arguments)]
pub fn published_explanation(
    catalog: &Catalog,
    history: &History,
    overrides: &[String],
    observations: &[kvarter_rules::Observation],
    area: &str,
    year: Option<i32>,
    lang: Lang,
    without_origin: bool,
    policy: &kvarter_view::Policy,
) -> Result<Result<String, String>, String> {
    let min_count = policy.min_count();
    let mine: Vec<kvarter_rules::Observation> = observations
        .iter()
        .filter(|o| o.area_id == area)
        .cloned()
        .collect();
    let years = kvarter_view::area::disclose(policy, &mine);
    let shown_year = year.or_else(|| years.keys().last().copied());
    if shown_year
        .and_then(|y| years.get(&y))
        .is_some_and(|d| d.get("residents").is_suppressed())
    {
        return Ok(Err(format!(
            "{} {min_count} {}",
            lang.t("Området har færre end", "The area has fewer than"),
            lang.t(
                "beboere; forklaringen vises ikke, da den ville afsløre små tal.",
                "residents; the explanation is not shown, as it would reveal small counts."
            )
        )));
    }
    let eval = kvarter_rules::evaluate(
        catalog,
        observations,
        history,
        &kvarter_rules::EvalOptions {
            without_origin,
            overrides: overrides.to_vec(),
        },
    )
    .map_err(|e| e.to_string())?;
    let dropped = std::cell::Cell::new(false);
    let figures = |y: i32, r: &CriterionResult| {
        let f = kvarter_view::area::criterion_figures(
            policy,
            catalog,
            &years,
            y,
            (&r.rule_set, &r.id),
            &r.into(),
        );
        if r.persons.is_some() && f.persons.is_suppressed() {
            dropped.set(true);
        }
        f
    };
    let mut text = explain_published(catalog, &eval, history, area, year, lang, &figures)
        .map_err(|e| e.to_string())?;
    if dropped.get() {
        let _ = writeln!(
            text,
            "\n{} {min_count} {}",
            lang.t(
                "Afstande i personer for grupper med færre end",
                "Margins in persons of groups of fewer than"
            ),
            lang.t("personer er udeladt.", "persons are left out.")
        );
    }
    Ok(Ok(text))
}
