//! The rule sets as the law reads, as terminal text: `kvarter rules` and `kvarter rules show
//! ID`. This lays out a [`Reading`]; every phrase of the law comes from [`crate::law`].

use crate::Lang;
use crate::law::{CriterionReading, Label, ListRef, Reading, years};
use kvarter_rules::{Catalog, RuleSet};
use std::fmt::Write;

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

fn criterion_block(c: &CriterionReading, lang: Lang) -> String {
    let mut s = format!("  {} — {} [{}]\n", c.paragraph, c.name, c.id);
    s.push_str(&quote(&format!("»{}«", c.text), "      "));
    let window = match c.window_years {
        Some(_) => format!(" ({})", c.window),
        None => String::new(),
    };
    let _ = writeln!(
        s,
        "      {}: {}{window} — {}",
        Label::Applied.t(lang),
        c.applied,
        c.population
    );
    if !c.measurement.is_empty() {
        s.push_str(&quote(
            &format!("{}: {}", Label::Measured.t(lang), c.measurement),
            "      ",
        ));
    }
    if !c.text_source.is_empty() {
        s.push_str(&quote(
            &format!("{}: {}", Label::WordsFrom.t(lang), c.text_source),
            "      ",
        ));
    }
    s
}

fn lists(refs: &[ListRef]) -> String {
    refs.iter()
        .map(|r| {
            if r.name == r.id {
                r.id.clone()
            } else {
                format!("{} ({})", r.id, r.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One rule set in full: source, criteria with the law's words, the origin element, the lists
/// with their composition, streaks, exclusions and what happens without origin, and how the
/// criteria are measured from register data. Lists of other rule sets (those a run of years
/// counts) are named from `catalog`.
pub fn show(rs: &RuleSet, catalog: &Catalog, lang: Lang) -> String {
    text(&Reading::in_catalog(rs, catalog, lang))
}

/// A [`Reading`] as terminal text.
pub fn text(r: &Reading) -> String {
    let lang = r.lang;
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", r.id, r.title);
    let _ = writeln!(s, "{}: {}", Label::Source.t(lang), r.source);
    let _ = writeln!(
        s,
        "{}: {} ({} {})",
        Label::Governs.t(lang),
        r.years,
        Label::Published.t(lang),
        r.list_date
    );
    if !r.description.is_empty() {
        s.push('\n');
        s.push_str(&quote(&r.description, ""));
    }
    let _ = writeln!(s, "\n{}", Label::Criteria.t(lang).to_uppercase());
    for c in &r.criteria {
        s.push_str(&criterion_block(c, lang));
    }
    let _ = writeln!(s, "\n{}", Label::OriginPart.t(lang).to_uppercase());
    match &r.origin {
        None => s.push_str(&quote(crate::law::no_origin(lang), "  ")),
        Some(o) => {
            s.push_str(&quote(
                lang.t(
                    "Slås fra med --without-origin.",
                    "Switched off by --without-origin.",
                ),
                "  ",
            ));
            s.push_str(&quote(&o.note, "  "));
            for c in &o.criteria {
                s.push_str(&criterion_block(c, lang));
            }
        }
    }
    let _ = writeln!(s, "\n{}", Label::Lists.t(lang).to_uppercase());
    for l in &r.lists {
        let _ = writeln!(s, "  {} [{}] — {}", l.name, l.id, l.paragraph);
        s.push_str(&quote(&format!("»{}«", l.text), "      "));
        if !l.text_source.is_empty() {
            s.push_str(&quote(
                &format!("{}: {}", Label::WordsFrom.t(lang), l.text_source),
                "      ",
            ));
        }
        let _ = writeln!(s, "      {}: {}", Label::Condition.t(lang), l.condition);
        if !l.excludes.is_empty() {
            let _ = writeln!(
                s,
                "      {}: {}",
                Label::Excludes.t(lang),
                lists(&l.excludes)
            );
        }
        if !l.exclusion_reason.is_empty() {
            s.push_str(&quote(
                &format!("{}: {}", Label::Reasoning.t(lang), l.exclusion_reason),
                "      ",
            ));
        }
        if let Some(st) = &l.streak {
            let _ = writeln!(
                s,
                "      {}: {} ({}: {}) — {}",
                Label::Streak.t(lang),
                st.phrase,
                Label::CountsAs.t(lang).to_lowercase(),
                lists(&st.counts_as),
                st.paragraph
            );
            s.push_str(&quote(&format!("»{}«", st.text), "        "));
            if !st.text_source.is_empty() {
                s.push_str(&quote(
                    &format!("{}: {}", Label::WordsFrom.t(lang), st.text_source),
                    "        ",
                ));
            }
            for o in &st.overrides {
                let _ = writeln!(
                    s,
                    "      {} {}: {} — {}",
                    Label::Exception.t(lang),
                    o.list_years,
                    o.phrase,
                    o.paragraph
                );
                s.push_str(&quote(&format!("»{}«", o.text), "        "));
                if !o.text_source.is_empty() {
                    s.push_str(&quote(
                        &format!("{}: {}", Label::WordsFrom.t(lang), o.text_source),
                        "        ",
                    ));
                }
            }
        }
        s.push_str(&quote(
            &format!(
                "{}: {}. {}",
                Label::WithoutOrigin.t(lang),
                l.without_origin_phrase,
                l.without_origin_note
            ),
            "      ",
        ));
    }
    let m = &r.measurement;
    let _ = writeln!(s, "\n{}", Label::Measurement.t(lang).to_uppercase());
    s.push_str(&quote(
        &format!("{}: {}", Label::Average.t(lang), m.average),
        "  ",
    ));
    s.push_str(&quote(
        &format!("{}: {}", Label::BasicEducation.t(lang), m.basic_education),
        "  ",
    ));
    if !m.note.is_empty() {
        s.push_str(&quote(
            &format!("{}: {}", Label::Note.t(lang), m.note),
            "  ",
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_prints_the_measurement_block_and_the_origin_part() {
        let catalog = Catalog::builtin();
        for rs in catalog.rule_sets() {
            for lang in [Lang::Da, Lang::En] {
                let r = Reading::in_catalog(rs, &catalog, lang);
                let s = show(rs, &catalog, lang);
                let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(s.contains(&Label::Measurement.t(lang).to_uppercase()));
                assert!(flat.contains(&r.measurement.average), "{}", rs.id);
                assert!(flat.contains(&r.measurement.basic_education), "{}", rs.id);
                assert!(s.contains(&Label::OriginPart.t(lang).to_uppercase()));
                for c in &r.criteria {
                    assert!(s.contains(&c.applied), "{}: {}", rs.id, c.applied);
                }
            }
        }
    }
}
