//! # kvarter-report — evaluations for people and machines
//!
//! - [`lists`]: the lists per year as a table, CSV or JSON;
//! - [`explain`]: one area in plain language, Danish or English;
//! - [`law`]: the model of a rule set as the law reads ([`law::Reading`]) and the one place its
//!   thresholds are put into words;
//! - [`rules`]: that model as terminal text (`kvarter rules`, `kvarter rules show`);
//! - [`whatif`]: the what-if's changes to the law in words, with the law's own phrases.
//!
//! Invariants: renders into strings and never does IO; prints only area-level figures (there is
//! nothing person-level to print: the engine never sees persons); Danish numbers use a decimal
//! comma and a thousands point, machine formats (CSV, JSON) a decimal point.

pub mod explain;
pub mod law;
pub mod lists;
pub mod rules;
pub mod whatif;

use kvarter_rules::{Catalog, Decimal, ListDef, RuleSet};

/// The language of text meant for people (defined in kvarter-view, whose download tables are
/// labelled in it too).
pub use kvarter_view::Lang;

/// Formats a number for people: `1.234,5` in Danish, `1,234.5` in English, without trailing
/// zeros beyond those written in the input.
pub fn number(d: Decimal, lang: Lang) -> String {
    let s = d.to_string();
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let (group, point) = match lang {
        Lang::Da => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{frac}")
    }
}

/// Formats a number rounded to `dp` decimals for people.
pub fn rounded(d: Decimal, dp: u32, lang: Lang) -> String {
    number(d.round_dp(dp), lang)
}

/// The name of a list in the language.
pub fn list_name(l: &ListDef, lang: Lang) -> &str {
    lang.t(&l.name, &l.name_en)
}

/// Finds the definition of a list by rule set and id.
pub fn find_list<'a>(
    catalog: &'a Catalog,
    rule_set: &str,
    id: &str,
) -> Option<(&'a RuleSet, &'a ListDef)> {
    let rs = catalog.get(rule_set)?;
    Some((rs, rs.list(id)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn danish_numbers_use_a_decimal_comma_and_a_thousands_point() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(number(d("1234.50"), Lang::Da), "1.234,50");
        assert_eq!(number(d("1234.50"), Lang::En), "1,234.50");
        assert_eq!(number(d("-0.5"), Lang::Da), "-0,5");
        assert_eq!(number(d("1000"), Lang::Da), "1.000");
        assert_eq!(number(d("999"), Lang::Da), "999");
        assert_eq!(number(d("1234567"), Lang::Da), "1.234.567");
        assert_eq!(rounded(d("2.456"), 2, Lang::Da), "2,46");
    }
}
