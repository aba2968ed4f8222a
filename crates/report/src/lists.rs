//! The lists per year: who is on each list, in a table, CSV or JSON.

use crate::{Lang, list_name};
use kvarter_rules::{AreaEvaluation, Catalog, Evaluation, ListDef, ListOutcome, RuleSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One list in one year.
#[derive(Debug)]
pub struct ListSummary<'a> {
    /// The rule set that defines it.
    pub rule_set: &'a RuleSet,
    /// Its definition.
    pub def: &'a ListDef,
    /// `false` when the list is undefined under the options (without origin).
    pub defined: bool,
    /// The areas on it, by area id.
    pub areas: Vec<&'a AreaEvaluation>,
}

/// All lists of one year.
#[derive(Debug)]
pub struct YearLists<'a> {
    /// The list year.
    pub list_year: i32,
    /// The rule sets applied.
    pub rule_sets: Vec<&'a RuleSet>,
    /// Every list of those rule sets, in rule-set order.
    pub lists: Vec<ListSummary<'a>>,
    /// How many areas were evaluated.
    pub areas_evaluated: usize,
}

/// Groups an evaluation by year and list.
pub fn summarize<'a>(catalog: &'a Catalog, eval: &'a Evaluation) -> Vec<YearLists<'a>> {
    let mut by_year: BTreeMap<i32, Vec<&AreaEvaluation>> = BTreeMap::new();
    for a in &eval.areas {
        by_year.entry(a.list_year).or_default().push(a);
    }
    let mut out = Vec::new();
    for (year, areas) in by_year {
        let rule_sets: Vec<&RuleSet> = areas[0]
            .rule_sets
            .iter()
            .filter_map(|id| catalog.get(id))
            .collect();
        let ordered = rule_sets;
        let mut lists = Vec::new();
        for rs in &ordered {
            for def in &rs.lists {
                let result_of = |a: &AreaEvaluation| {
                    a.lists
                        .iter()
                        .find(|l| l.rule_set == rs.id && l.id == def.id)
                        .map(|l| l.outcome)
                };
                let defined = areas
                    .iter()
                    .all(|a| result_of(a) != Some(ListOutcome::Undefined));
                let on = areas
                    .iter()
                    .copied()
                    .filter(|a| result_of(a) == Some(ListOutcome::On))
                    .collect();
                lists.push(ListSummary {
                    rule_set: rs,
                    def,
                    defined,
                    areas: on,
                });
            }
        }
        out.push(YearLists {
            list_year: year,
            rule_sets: ordered,
            lists,
            areas_evaluated: areas.len(),
        });
    }
    out
}

/// The lists as a table for people.
pub fn table(years: &[YearLists<'_>], lang: Lang, without_origin: bool) -> String {
    let mut s = String::new();
    if without_origin {
        let _ = writeln!(
            s,
            "{}\n",
            lang.t(
                "UDEN OPRINDELSESKRITERIET: listerne er beregnet uden kriteriet om ikke-vestlig oprindelse (--without-origin). De er ikke de lovbestemte lister.",
                "WITHOUT THE ORIGIN CRITERION: the lists are computed without the non-Western origin criterion (--without-origin). They are not the statutory lists."
            )
        );
    }
    for y in years {
        let ids: Vec<&str> = y.rule_sets.iter().map(|r| r.id.as_str()).collect();
        let _ = writeln!(
            s,
            "{} {} · {} {} · {} {}",
            lang.t("Lister", "Lists"),
            y.list_year,
            lang.t("regelsæt", "rule sets"),
            ids.join(", "),
            y.areas_evaluated,
            lang.t("områder vurderet", "areas evaluated")
        );
        let id_w = y
            .lists
            .iter()
            .flat_map(|l| &l.areas)
            .map(|a| a.area_id.chars().count())
            .max()
            .unwrap_or(0);
        let name_w = y
            .lists
            .iter()
            .flat_map(|l| &l.areas)
            .map(|a| a.area_name.chars().count())
            .max()
            .unwrap_or(0);
        for l in &y.lists {
            let head = format!(
                "  {} ({}, {})",
                list_name(l.def, lang),
                l.def.id,
                l.def.paragraph
            );
            if !l.defined {
                let _ = writeln!(
                    s,
                    "{head}: {}",
                    lang.t(
                        "ikke defineret uden oprindelseskriteriet",
                        "not defined without the origin criterion"
                    )
                );
                continue;
            }
            let count = match (l.areas.len(), lang) {
                (0, _) => lang.t("ingen områder", "no areas").to_string(),
                (1, Lang::Da) => "1 område".into(),
                (1, Lang::En) => "1 area".into(),
                (n, _) => format!("{n} {}", lang.t("områder", "areas")),
            };
            let _ = writeln!(s, "{head}: {count}");
            for a in &l.areas {
                let _ = writeln!(
                    s,
                    "    {:id_w$}  {:name_w$}  {}",
                    a.area_id, a.area_name, a.municipality
                );
            }
        }
        s.push('\n');
    }
    s
}

/// The CSV columns of `kvarter lists --format csv`.
pub const CSV_HEADER: [&str; 8] = [
    "list_year",
    "area_id",
    "area_name",
    "municipality",
    "list",
    "list_name",
    "rule_set",
    "paragraph",
];

/// One row per membership: `list_year,area_id,area_name,municipality,list,list_name,rule_set,paragraph`,
/// sorted by year, list (in the order of the law) and area id. A text cell that a spreadsheet
/// would take for a formula (beginning with `=`, `+`, `-`, `@`, a tab or a carriage return)
/// gets a leading `'`; the year is a number.
pub fn csv(years: &[YearLists<'_>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).expect("writing to memory");
    for y in years {
        for l in y.lists.iter().filter(|l| l.defined) {
            for a in &l.areas {
                w.write_record([
                    y.list_year.to_string().as_str(),
                    &formula_safe(&a.area_id),
                    &formula_safe(&a.area_name),
                    &formula_safe(&a.municipality),
                    &formula_safe(&l.def.id),
                    &formula_safe(&l.def.name),
                    &formula_safe(&l.rule_set.id),
                    &formula_safe(&l.def.paragraph),
                ])
                .expect("writing to memory");
            }
        }
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("CSV of UTF-8 fields")
}

/// `text` with a leading `'` when it begins with `=`, `+`, `-`, `@`, a tab or a carriage
/// return and is not a plain number, so that a spreadsheet never evaluates it (OWASP's rule
/// against CSV injection; the same rule as `kvarter_export::formula_safe`).
fn formula_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = match body.split_once(['.', ',']) {
        Some((i, f)) => digits(i) && digits(f),
        None => digits(body),
    };
    if risky && !number {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[derive(Serialize)]
struct JsonArea<'a> {
    area_id: &'a str,
    area_name: &'a str,
    municipality: &'a str,
}

#[derive(Serialize)]
struct JsonList<'a> {
    list: &'a str,
    name: &'a str,
    name_en: &'a str,
    rule_set: &'a str,
    paragraph: &'a str,
    defined: bool,
    areas: Vec<JsonArea<'a>>,
}

#[derive(Serialize)]
struct JsonYear<'a> {
    list_year: i32,
    rule_sets: Vec<&'a str>,
    areas_evaluated: usize,
    lists: Vec<JsonList<'a>>,
}

#[derive(Serialize)]
struct JsonLists<'a> {
    kvarter_version: &'a str,
    without_origin: bool,
    years: Vec<JsonYear<'a>>,
}

/// The lists as JSON: per year, every list with its areas, and whether it is defined.
pub fn json(years: &[YearLists<'_>], without_origin: bool) -> String {
    let doc = JsonLists {
        kvarter_version: env!("CARGO_PKG_VERSION"),
        without_origin,
        years: years
            .iter()
            .map(|y| JsonYear {
                list_year: y.list_year,
                rule_sets: y.rule_sets.iter().map(|r| r.id.as_str()).collect(),
                areas_evaluated: y.areas_evaluated,
                lists: y
                    .lists
                    .iter()
                    .map(|l| JsonList {
                        list: &l.def.id,
                        name: &l.def.name,
                        name_en: &l.def.name_en,
                        rule_set: &l.rule_set.id,
                        paragraph: &l.def.paragraph,
                        defined: l.defined,
                        areas: l
                            .areas
                            .iter()
                            .map(|a| JsonArea {
                                area_id: &a.area_id,
                                area_name: &a.area_name,
                                municipality: &a.municipality,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("serializable");
    s.push('\n');
    s
}

/// The lists that are undefined in some year, as `(list id, years)`, for a note to the user.
pub fn undefined(years: &[YearLists<'_>]) -> Vec<(String, Vec<i32>)> {
    let mut out: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for y in years {
        for l in y.lists.iter().filter(|l| !l.defined) {
            out.entry(l.def.id.clone()).or_default().push(y.list_year);
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::formula_safe;

    #[test]
    fn formula_cells_are_quoted_and_numbers_kept() {
        assert_eq!(formula_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(formula_safe("@x"), "'@x");
        assert_eq!(formula_safe("\tx"), "'\tx");
        assert_eq!(formula_safe("-1+1"), "'-1+1");
        assert_eq!(formula_safe("-1.5"), "-1.5");
        assert_eq!(formula_safe("Gellerup"), "Gellerup");
    }
}
