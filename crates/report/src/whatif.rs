//! The what-if's changes to the law in words ([`kvarter_whatif::Change`]), with the same
//! phrase for a threshold as the law's own reading ([`crate::law::threshold`]).

use crate::law::{operator_words, threshold};
use crate::{Lang, number};
use kvarter_rules::Decimal;
use kvarter_whatif::{Change, What};
use serde::Serialize;

/// One change as the law would read changed, e.g. `§ 61 a, stk. 1, nr. 1 (outside_labour):
/// »overstiger 35 %« i stedet for »overstiger 40 %«`.
pub fn change(c: &Change, lang: Lang) -> String {
    match &c.what {
        What::Threshold {
            operator,
            unit,
            measure,
            law,
            whatif,
        } => {
            let op = operator_words(*operator, lang);
            let (q0, q1) = match lang {
                Lang::Da => ("»", "«"),
                Lang::En => ("“", "”"),
            };
            format!(
                "{} ({}): {q0}{op} {}{q1} {} {q0}{op} {}{q1}",
                c.paragraph,
                c.id,
                threshold(whatif, *unit, measure, lang),
                lang.t("i stedet for", "instead of"),
                threshold(law, *unit, measure, lang),
            )
        }
        What::K { n, law, whatif } => format!(
            "{} ({}): {} {} {} {n} {} {} {law} {} {n}",
            c.paragraph,
            c.id,
            lang.t("mindst", "at least"),
            number(Decimal::from(*whatif as u64), lang),
            lang.t("af", "of"),
            lang.t("kriterier", "criteria"),
            lang.t("i stedet for", "instead of"),
            lang.t("af", "of"),
        ),
        What::WithoutOrigin {
            criteria,
            undefined,
        } => {
            let tail = if undefined.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} {}",
                    undefined.join(", "),
                    lang.t("er da ikke defineret", "are then not defined")
                )
            };
            format!(
                "{}: {} ({}){tail}",
                c.rule_set,
                lang.t(
                    "uden kriterierne om ikke-vestlig oprindelse",
                    "without the criteria of non-Western origin"
                ),
                criteria.join(", ")
            )
        }
    }
}

/// A change with its words in both languages, as the JSON of a what-if carries it: every field
/// of the [`Change`] and `da` and `en`.
#[derive(Debug, Clone, Serialize)]
pub struct Worded<'a> {
    /// The change.
    #[serde(flatten)]
    pub change: &'a Change,
    /// In Danish.
    pub da: String,
    /// In English.
    pub en: String,
}

/// The changes with their words, for JSON.
pub fn worded(changes: &[Change]) -> Vec<Worded<'_>> {
    changes
        .iter()
        .map(|c| Worded {
            change: c,
            da: change(c, Lang::Da),
            en: change(c, Lang::En),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kvarter_rules::Catalog;
    use kvarter_whatif::{Overlay, describe};

    fn changes(overlay: &str) -> Vec<Change> {
        let catalog = Catalog::builtin();
        let in_force = catalog.select(2022, &[]);
        let o = Overlay::parse([overlay])
            .unwrap()
            .resolve(&in_force)
            .unwrap();
        describe(&in_force, &o)
    }

    #[test]
    fn the_change_reads_as_the_law_changed() {
        let c = changes("threshold:outside_labour=35.5,threshold:convicted=2.5");
        assert_eq!(
            change(&c[0], Lang::Da),
            "§ 61 a, stk. 1, nr. 1 (outside_labour): »overstiger 35,5 %« i stedet for »overstiger 40 %«"
        );
        assert_eq!(
            change(&c[0], Lang::En),
            "§ 61 a, stk. 1, nr. 1 (outside_labour): “exceeds 35.5 %” instead of “exceeds 40 %”"
        );
        assert!(
            change(&c[1], Lang::Da).contains(
                "»udgør mindst 2,5 × landsgennemsnittet (convicted_national_pct)« i stedet for »udgør mindst 3 × landsgennemsnittet (convicted_national_pct)«"
            ),
            "{}",
            change(&c[1], Lang::Da)
        );
    }

    #[test]
    fn a_changed_threshold_reads_as_the_law_reads_its_threshold() {
        // The same phrase as `rules show` and the methodology page use.
        let catalog = Catalog::builtin();
        let rs = catalog.get("dk-2021").unwrap();
        let reading = crate::law::Reading::of(rs, Lang::Da);
        let conv = reading
            .criteria
            .iter()
            .find(|c| c.id == "convicted")
            .unwrap();
        let c = changes("threshold:convicted=2.5");
        assert!(
            change(&c[0], Lang::Da).ends_with(&format!("»udgør mindst {}«", conv.threshold)),
            "{}",
            change(&c[0], Lang::Da)
        );
    }

    #[test]
    fn k_and_the_origin_switch_in_words_and_json() {
        let c = changes("k:udsat_boligomraade=3,without-origin");
        assert_eq!(
            change(&c[0], Lang::Da),
            "§ 61 a, stk. 1 og 3 (udsat_boligomraade): mindst 3 af 4 kriterier i stedet for 2 af 4"
        );
        assert!(
            change(&c[1], Lang::En)
                .starts_with("dk-2021: without the criteria of non-Western origin (")
        );
        let json = serde_json::to_value(worded(&c)).unwrap();
        assert_eq!(json[0]["kind"], "k");
        assert_eq!(json[0]["from"], "2");
        assert_eq!(json[0]["to"], "3");
        assert_eq!(json[0]["da"], change(&c[0], Lang::Da));
        assert_eq!(json[1]["en"], change(&c[1], Lang::En));
    }
}
