//! The rule sets as the law reads: `kvarter rules` and `kvarter rules show ID`.

use crate::{Lang, list_name, number};
use kvarter_rules::{Catalog, Criterion, RuleSet, Threshold, Unit, WithoutOrigin};
use std::fmt::Write;

/// The list years a rule set governs, e.g. `2018–2020` or `2021–`.
pub fn years(rs: &RuleSet) -> String {
    match rs.in_force.last_list_year {
        Some(last) => format!("{}–{last}", rs.in_force.first_list_year),
        None => format!("{}–", rs.in_force.first_list_year),
    }
}

/// One line per rule set: id, years, family, title.
pub fn catalog_table(catalog: &Catalog, lang: Lang) -> String {
    let mut s = format!(
        "{:<9} {:<11} {:<12} {}\n",
        "ID",
        lang.t("LISTEÅR", "LIST YEARS"),
        lang.t("FAMILIE", "FAMILY"),
        lang.t("TITEL", "TITLE")
    );
    for rs in catalog.rule_sets() {
        let _ = writeln!(
            s,
            "{:<9} {:<11} {:<12} {}",
            rs.id,
            years(rs),
            rs.family,
            lang.t(&rs.title, &rs.title_en)
        );
    }
    s
}

fn quote(text: &str, indent: &str) -> String {
    // Wrap the words of the law at about 92 columns, keeping them verbatim.
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + word.chars().count() + 1 > 92 {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
    out
}

/// How the engine applies a criterion: `outside_labour_pct > 40 %`.
pub fn applied(c: &Criterion, lang: Lang) -> String {
    let unit = match c.unit {
        Unit::Percent => " %",
        Unit::PercentOfReference => lang.t(" % af regionens gennemsnit", " % of the regional mean"),
        Unit::Persons => "",
    };
    let threshold = match &c.threshold {
        Threshold::Value(v) => format!("{}{unit}", number(*v, lang)),
        Threshold::Per { value, per } => {
            let as_pct = c
                .threshold
                .resolve(|_| None)
                .map(|d| number(d.normalize(), lang))
                .unwrap_or_default();
            format!(
                "{} {} {} = {as_pct}{unit}",
                number(*value, lang),
                lang.t("pr.", "per"),
                number(*per, lang)
            )
        }
        Threshold::FactorOf { factor, reference } => {
            format!("{} × {reference}", number(*factor, lang))
        }
    };
    let mut s = format!("{} {} {threshold}", c.measure, c.operator.symbol());
    if let Some(w) = c.window_years {
        let _ = write!(
            s,
            " ({} {w} {})",
            lang.t("gennemsnit over", "averaged over"),
            lang.t("år", "years")
        );
    }
    s
}

fn criterion_block(c: &Criterion, lang: Lang) -> String {
    let mut s = format!(
        "  {} — {} [{}]\n",
        c.paragraph,
        lang.t(&c.name, &c.name_en),
        c.id
    );
    s.push_str(&quote(&format!("»{}«", c.text), "      "));
    let _ = writeln!(
        s,
        "      {}: {} — {}",
        lang.t("Anvendes som", "Applied as"),
        applied(c, lang),
        c.population
    );
    if !c.measurement.is_empty() {
        s.push_str(&quote(
            &format!("{}: {}", lang.t("Opgørelse", "Measurement"), c.measurement),
            "      ",
        ));
    }
    if !c.text_source.is_empty() {
        s.push_str(&quote(
            &format!(
                "{}: {}",
                lang.t("Ordlyden fra", "Words from"),
                c.text_source
            ),
            "      ",
        ));
    }
    s
}

/// One rule set in full: source, criteria with the law's words, the origin element, the lists
/// with their composition, streaks, exclusions and what happens without origin.
pub fn show(rs: &RuleSet, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", rs.id, lang.t(&rs.title, &rs.title_en));
    let _ = writeln!(s, "{}: {}", lang.t("Kilde", "Source"), rs.source);
    let _ = writeln!(
        s,
        "{}: {} ({} {})",
        lang.t("Gælder for listerne", "Governs the lists of"),
        years(rs),
        lang.t("offentliggøres", "published"),
        rs.in_force.list_date
    );
    if !rs.description.trim().is_empty() {
        s.push('\n');
        s.push_str(&quote(rs.description.trim(), ""));
    }
    let _ = writeln!(s, "\n{}", lang.t("KRITERIER", "CRITERIA"));
    for c in &rs.criteria {
        s.push_str(&criterion_block(c, lang));
    }
    if !rs.origin.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            lang.t(
                "OPRINDELSESKRITERIET (særskilt element; slås fra med --without-origin)",
                "THE ORIGIN CRITERION (a separate element; switched off by --without-origin)"
            )
        );
        s.push_str(&quote(rs.origin_note.trim(), "  "));
        for c in &rs.origin {
            s.push_str(&criterion_block(c, lang));
        }
    }
    let _ = writeln!(s, "\n{}", lang.t("LISTER", "LISTS"));
    for l in &rs.lists {
        let _ = writeln!(s, "  {} [{}] — {}", list_name(l, lang), l.id, l.paragraph);
        s.push_str(&quote(&format!("»{}«", l.text), "      "));
        let _ = writeln!(
            s,
            "      {}: {}",
            lang.t("Betingelse", "Condition"),
            l.condition
        );
        for x in &l.excludes {
            let _ = writeln!(s, "      {}: {x}", lang.t("Udelukker", "Excludes"));
        }
        if !l.exclusion_reason.is_empty() {
            s.push_str(&quote(
                &format!(
                    "{}: {}",
                    lang.t("Begrundelse", "Reasoning"),
                    l.exclusion_reason
                ),
                "      ",
            ));
        }
        if let Some(st) = &l.streak {
            let _ = writeln!(
                s,
                "      {}: {} {} ({}: {}) — {}",
                lang.t("Række", "Streak"),
                st.years,
                lang.t(
                    "år i træk, dette år medregnet",
                    "years in a row, this year included"
                ),
                lang.t("tæller med", "counting"),
                st.counts_as.join(", "),
                st.paragraph
            );
            s.push_str(&quote(&format!("»{}«", st.text), "        "));
            for o in &st.overrides {
                let ys: Vec<String> = o.list_years.iter().map(i32::to_string).collect();
                let _ = writeln!(
                    s,
                    "      {} {}: {} {} — {}",
                    lang.t("Undtagelse for listerne", "Exception for the lists of"),
                    ys.join(", "),
                    o.years,
                    lang.t("år", "years"),
                    o.paragraph
                );
                s.push_str(&quote(&format!("»{}«", o.text), "        "));
            }
        }
        let wo = match l.without_origin {
            WithoutOrigin::Drop => {
                lang.t("beregnes uden kriteriet", "computed without the criterion")
            }
            WithoutOrigin::Undefined => lang.t("ikke defineret", "not defined"),
        };
        s.push_str(&quote(
            &format!(
                "{}: {wo}. {}",
                lang.t("Uden oprindelseskriteriet", "Without the origin criterion"),
                l.without_origin_note
            ),
            "      ",
        ));
    }
    s
}
