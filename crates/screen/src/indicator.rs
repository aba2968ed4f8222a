//! The indicator vocabulary: the fixed list of indicator ids a screening spec may read.
//!
//! Every indicator is either a share (a numerator counted inside a denominator, so it has a
//! binomial interval) or a ratio of sums (floor area over residents). The data crate computes
//! the numerator and the denominator per unit; this crate never sees a person. docs/SCREENING.md
//! says how each would be measured from registers or surveys.

use serde::Serialize;

/// Whether an indicator is a share (a count inside a count) or a ratio of two sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A count of persons, dwellings or votes inside a count of the same things: 0 ≤ num ≤ den.
    Share,
    /// A sum over a sum of different things (m² over residents); no upper bound, no binomial
    /// interval.
    Ratio,
}

/// One entry of the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Indicator {
    /// The id a spec writes in `indicator = "..."`.
    pub id: &'static str,
    /// Share or ratio.
    pub kind: Kind,
    /// Whether a higher value is the worse one. A spec's `direction` must agree with it; a
    /// disagreement is nearly always a typo, so the loader refuses it.
    pub higher_is_worse: bool,
    /// What the numerator counts.
    pub numerator: &'static str,
    /// What the denominator counts.
    pub denominator: &'static str,
    /// The Danish name.
    pub name: &'static str,
    /// The English name.
    pub name_en: &'static str,
}

macro_rules! ind {
    ($id:literal, $kind:ident, $hw:literal, $num:literal, $den:literal, $name:literal, $en:literal) => {
        Indicator {
            id: $id,
            kind: Kind::$kind,
            higher_is_worse: $hw,
            numerator: $num,
            denominator: $den,
            name: $name,
            name_en: $en,
        }
    };
}

/// The vocabulary, in the order docs/SCREENING.md lists it.
pub const VOCABULARY: &[Indicator] = &[
    ind!(
        "outside_labour_share",
        Share,
        true,
        "full-time persons 18-64 outside the labour market or education (as § 61 a, stk. 1, nr. 1)",
        "persons 18-64",
        "Uden for arbejdsmarked eller uddannelse",
        "Outside the labour market or education"
    ),
    ind!(
        "low_income_share",
        Share,
        true,
        "adults 18+ in families whose equivalised disposable income is below 50 % of the national median",
        "adults 18+",
        "Lavindkomst",
        "Low income"
    ),
    ind!(
        "basic_education_share",
        Share,
        true,
        "persons 30-59 whose highest completed education is grundskole",
        "persons 30-59",
        "Kun grundskoleuddannelse",
        "Only basic education"
    ),
    ind!(
        "no_youth_education_at_25_share",
        Share,
        true,
        "persons aged 25 who have not completed a youth education (gymnasial or erhvervsfaglig)",
        "persons aged 25",
        "Uden ungdomsuddannelse som 25-årig",
        "No youth education at 25"
    ),
    ind!(
        "child_poverty_share",
        Share,
        true,
        "children 0-17 in families with equivalised disposable income below 50 % of the national median",
        "children 0-17",
        "Børnefattigdom",
        "Child poverty"
    ),
    ind!(
        "poor_health_share",
        Share,
        true,
        "adults 18+ with a chronic condition (RUKS) or poor self-rated health (the health profile)",
        "adults 18+",
        "Dårlig sundhedstilstand",
        "Poor health"
    ),
    ind!(
        "unsafe_share",
        Share,
        true,
        "survey respondents who do not feel safe in their neighbourhood in the evening and at night",
        "survey respondents",
        "Utryghed",
        "Feeling unsafe"
    ),
    ind!(
        "non_western_share",
        Share,
        true,
        "immigrants and descendants from non-Western countries",
        "residents",
        "Ikke-vestlig herkomst",
        "Non-Western origin"
    ),
    ind!(
        "small_dwelling_share",
        Share,
        true,
        "residents of dwellings under 60 m²",
        "residents with a known dwelling",
        "Små boliger (under 60 m²)",
        "Small dwellings (under 60 m²)"
    ),
    ind!(
        "installation_deficiency_share",
        Share,
        true,
        "residents of dwellings lacking their own toilet, bath or central heating",
        "residents",
        "Boliger med installationsmangler",
        "Dwellings with installation deficiencies"
    ),
    ind!(
        "crowded_share",
        Share,
        true,
        "residents of dwellings with less than 20 m² per resident",
        "residents with a known dwelling",
        "Beboere, der bor på få m²",
        "Residents living on few m²"
    ),
    ind!(
        "turnout_share",
        Share,
        false,
        "votes cast at the latest municipal election",
        "electorate",
        "Valgdeltagelse",
        "Voter turnout"
    ),
    ind!(
        "m2_per_resident",
        Ratio,
        false,
        "floor area of the dwellings, m² (each dwelling once)",
        "residents with a known dwelling",
        "Boligareal pr. beboer",
        "Dwelling area per resident"
    ),
];

/// Looks an indicator up by id.
pub fn indicator(id: &str) -> Option<&'static Indicator> {
    VOCABULARY.iter().find(|i| i.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_found() {
        for (i, a) in VOCABULARY.iter().enumerate() {
            assert_eq!(indicator(a.id), Some(a));
            assert!(VOCABULARY[i + 1..].iter().all(|b| b.id != a.id));
        }
        assert!(indicator("nope").is_none());
    }
}
