//! The law as it reads: one typed model of a rule set, rendered to terminal text
//! ([`crate::rules::show`]) and to HTML (the dashboard's methodology page).
//!
//! [`Reading::of`] builds a [`Reading`] from a [`RuleSet`] in one language, and every phrase
//! that says what the law compares is made here, in exactly one place:
//!
//! - [`threshold`]: a threshold as the law states it, e.g. `40 %`, `270 pr. 10.000 (= 2,7 %)`,
//!   `3 × landsgennemsnittet (convicted_national_pct)`, `55 % af regionens gennemsnit`;
//! - [`comparison`]: the operator exactly as written and the threshold, e.g. `> 40 %`;
//! - [`operator_words`] and [`operator_words_not`]: the comparison in words (`overstiger`,
//!   `udgør mindst`), for plain language and for the what-if's changes ([`change`]).
//!
//! A renderer only lays the model out; it never phrases a threshold of its own. The law's own
//! words (paragraph texts, notes, the population measured) are Danish in every language.

use crate::{Lang, number};
use kvarter_rules::{
    Average, BasicEducation, Catalog, Criterion, ListDef, Operator, RuleSet, Threshold, Unit,
    WithoutOrigin,
};

/// One rule set as the law reads, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The language of the phrases (the law's words stay Danish).
    pub lang: Lang,
    /// The rule set's id, e.g. `dk-2021`.
    pub id: String,
    /// Its family (`state-lists`, `51b`).
    pub family: String,
    /// The title in the language.
    pub title: String,
    /// The legal source: law, number and date.
    pub source: String,
    /// The list years governed, e.g. `2018–2020` or `2021–` ([`years`]).
    pub years: String,
    /// The publication date of each year's list, as the law writes it.
    pub list_date: String,
    /// What changed from the previous version and why (Danish), trimmed.
    pub description: String,
    /// The criteria that do not concern origin.
    pub criteria: Vec<CriterionReading>,
    /// The origin criterion, its own marked part; `None` when the rule set has none.
    pub origin: Option<OriginReading>,
    /// The lists, in the rule set's order.
    pub lists: Vec<ListReading>,
    /// How the criteria are measured from register data (the rule set's `[measurement]`).
    pub measurement: MeasurementReading,
}

/// One criterion as the law reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionReading {
    /// Its id, e.g. `convicted`.
    pub id: String,
    /// Its short name in the language.
    pub name: String,
    /// The paragraph it implements.
    pub paragraph: String,
    /// The words of that paragraph, verbatim (Danish).
    pub text: String,
    /// Where the words were read.
    pub text_source: String,
    /// The population measured, as the rule file says it (Danish).
    pub population: String,
    /// The input column measured, e.g. `convicted_pct`.
    pub measure: String,
    /// The comparison exactly as the rule file writes it.
    pub operator: Operator,
    /// The law's Danish words for the comparison (`overstiger`, `udgør mindst`).
    pub law_words: &'static str,
    /// The threshold as the law states it ([`threshold`]).
    pub threshold: String,
    /// The operator and the threshold ([`comparison`]), e.g. `≥ 3 × landsgennemsnittet
    /// (convicted_national_pct)`.
    pub comparison: String,
    /// How the engine applies it: the measured column and the comparison, e.g.
    /// `convicted_pct ≥ 3 × landsgennemsnittet (convicted_national_pct)`.
    pub applied: String,
    /// The averaging window in years; `None` for a single point in time.
    pub window_years: Option<u32>,
    /// The averaging window in words ([`window`]).
    pub window: String,
    /// How the measure is taken from the registers (Danish); may be empty.
    pub measurement: String,
}

/// The origin criterion: a separate part of the rule set that can be switched off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginReading {
    /// Why origin is a separate element (Danish), trimmed.
    pub note: String,
    /// The origin criteria.
    pub criteria: Vec<CriterionReading>,
}

/// A list named by another list: its id and its name in the language (the id when no rule
/// set at hand defines it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRef {
    /// The list's id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// One list as the law reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListReading {
    /// Its id, e.g. `parallelsamfund`.
    pub id: String,
    /// Its name in the language.
    pub name: String,
    /// The paragraph that defines it.
    pub paragraph: String,
    /// The words of that paragraph, verbatim (Danish).
    pub text: String,
    /// Where the words were read.
    pub text_source: String,
    /// The condition in kvarter's notation, exactly as the rule file writes it.
    pub condition: String,
    /// The lists an area on which cannot be on this one.
    pub excludes: Vec<ListRef>,
    /// Why the exclusion holds (Danish), trimmed.
    pub exclusion_reason: String,
    /// The run of years the list requires, if any.
    pub streak: Option<StreakReading>,
    /// What becomes of the list without the origin criterion.
    pub without_origin: WithoutOrigin,
    /// That in words ([`without_origin`]).
    pub without_origin_phrase: String,
    /// Why (Danish), trimmed.
    pub without_origin_note: String,
}

/// A run of years ("i de seneste 5 år").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreakReading {
    /// The number of years, this year included.
    pub years: u32,
    /// That in words, e.g. `5 år i træk, dette år medregnet, på en af listerne`.
    pub phrase: String,
    /// The lists that count as this one for the run.
    pub counts_as: Vec<ListRef>,
    /// The paragraph.
    pub paragraph: String,
    /// Its words (Danish).
    pub text: String,
    /// Where the words were read.
    pub text_source: String,
    /// Dated exceptions.
    pub overrides: Vec<OverrideReading>,
}

/// A dated exception to the length of a run of years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideReading {
    /// The list years it governs, e.g. `2018, 2019, 2020`.
    pub list_years: String,
    /// The number of years required instead.
    pub years: u32,
    /// That in words, e.g. `5 år i træk`.
    pub phrase: String,
    /// The paragraph.
    pub paragraph: String,
    /// Its words (Danish).
    pub text: String,
    /// Where the words were read.
    pub text_source: String,
}

/// The rule set's `[measurement]`: how its criteria are measured from register data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementReading {
    /// How an average over several years is formed, in words.
    pub average: String,
    /// Which education counts as more than basic school, in words.
    pub basic_education: String,
    /// Why (Danish), trimmed; may be empty.
    pub note: String,
}

impl Reading {
    /// The rule set as the law reads. Lists named by exclusions and runs of years are named
    /// from the rule set itself (other rule sets' lists by their id); see [`Reading::in_catalog`].
    pub fn of(rs: &RuleSet, lang: Lang) -> Reading {
        build(rs, &[rs], lang)
    }

    /// As [`Reading::of`], naming the lists of other rule sets from the catalog (the latest
    /// rule set that defines a list names it).
    pub fn in_catalog(rs: &RuleSet, catalog: &Catalog, lang: Lang) -> Reading {
        let mut sets: Vec<&RuleSet> = vec![rs];
        sets.extend(catalog.rule_sets().iter().rev());
        build(rs, &sets, lang)
    }
}

fn build(rs: &RuleSet, names: &[&RuleSet], lang: Lang) -> Reading {
    let list_ref = |id: &String| ListRef {
        id: id.clone(),
        name: names
            .iter()
            .find_map(|r| r.list(id))
            .map_or_else(|| id.clone(), |l| crate::list_name(l, lang).to_string()),
    };
    let lists = rs.lists.iter().map(|l| list(l, &list_ref, lang)).collect();
    Reading {
        lang,
        id: rs.id.clone(),
        family: rs.family.clone(),
        title: lang.t(&rs.title, &rs.title_en).to_string(),
        source: rs.source.clone(),
        years: years(rs),
        list_date: rs.in_force.list_date.clone(),
        description: rs.description.trim().to_string(),
        criteria: rs.criteria.iter().map(|c| criterion(c, lang)).collect(),
        origin: (!rs.origin.is_empty()).then(|| OriginReading {
            note: rs.origin_note.trim().to_string(),
            criteria: rs.origin.iter().map(|c| criterion(c, lang)).collect(),
        }),
        lists,
        measurement: MeasurementReading {
            average: average(rs.measurement.average, lang).to_string(),
            basic_education: basic_education(rs.measurement.basic_education, lang).to_string(),
            note: rs.measurement.note.trim().to_string(),
        },
    }
}

fn criterion(c: &Criterion, lang: Lang) -> CriterionReading {
    let comparison = comparison(c, lang);
    CriterionReading {
        id: c.id.clone(),
        name: lang.t(&c.name, &c.name_en).to_string(),
        paragraph: c.paragraph.clone(),
        text: c.text.trim().to_string(),
        text_source: c.text_source.trim().to_string(),
        population: c.population.clone(),
        measure: c.measure.clone(),
        operator: c.operator,
        law_words: operator_words(c.operator, Lang::Da),
        threshold: threshold(&c.threshold, c.unit, &c.measure, lang),
        applied: format!("{} {comparison}", c.measure),
        comparison,
        window_years: c.window_years,
        window: window(c.window_years, lang),
        measurement: c.measurement.trim().to_string(),
    }
}

fn list(l: &ListDef, list_ref: &dyn Fn(&String) -> ListRef, lang: Lang) -> ListReading {
    ListReading {
        id: l.id.clone(),
        name: crate::list_name(l, lang).to_string(),
        paragraph: l.paragraph.clone(),
        text: l.text.trim().to_string(),
        text_source: l.text_source.trim().to_string(),
        condition: l.condition_source.clone(),
        excludes: l.excludes.iter().map(list_ref).collect(),
        exclusion_reason: l.exclusion_reason.trim().to_string(),
        streak: l.streak.as_ref().map(|s| StreakReading {
            years: s.years,
            phrase: format!(
                "{} {}",
                s.years,
                lang.t(
                    "år i træk, dette år medregnet, på en af listerne",
                    "years in a row, this year included, on one of the lists"
                )
            ),
            counts_as: s.counts_as.iter().map(list_ref).collect(),
            paragraph: s.paragraph.clone(),
            text: s.text.trim().to_string(),
            text_source: s.text_source.trim().to_string(),
            overrides: s
                .overrides
                .iter()
                .map(|o| OverrideReading {
                    list_years: o
                        .list_years
                        .iter()
                        .map(i32::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    years: o.years,
                    phrase: format!("{} {}", o.years, lang.t("år i træk", "years in a row")),
                    paragraph: o.paragraph.clone(),
                    text: o.text.trim().to_string(),
                    text_source: o.text_source.trim().to_string(),
                })
                .collect(),
        }),
        without_origin: l.without_origin,
        without_origin_phrase: without_origin(l.without_origin, lang).to_string(),
        without_origin_note: l.without_origin_note.trim().to_string(),
    }
}

/// The list years a rule set governs, e.g. `2018–2020` or `2021–`.
pub fn years(rs: &RuleSet) -> String {
    match rs.in_force.last_list_year {
        Some(last) => format!("{}–{last}", rs.in_force.first_list_year),
        None => format!("{}–", rs.in_force.first_list_year),
    }
}

/// The name the law gives the reference of a `factor × reference` threshold, from its input
/// column: `landsgennemsnittet` for a national figure, `regionens gennemsnit` for a regional
/// one, else the column itself.
pub fn reference_name(reference: &str, lang: Lang) -> String {
    if reference.contains("national") {
        lang.t("landsgennemsnittet", "the national average")
            .to_string()
    } else if reference.contains("region") {
        lang.t("regionens gennemsnit", "the regional mean")
            .to_string()
    } else {
        reference.to_string()
    }
}

/// A threshold as the law states it, in the criterion's unit: `40 %`, `55 % af regionens
/// gennemsnit`, `1.000 beboere`, `270 pr. 10.000 (= 2,7 %)`, `3 × landsgennemsnittet
/// (convicted_national_pct)`. The figures are exactly those of the rule file (`0.80` stays
/// `0,80`). This is the only place a threshold is put into words.
pub fn threshold(t: &Threshold, unit: Unit, measure: &str, lang: Lang) -> String {
    let unit = match unit {
        Unit::Percent => " %",
        Unit::PercentOfReference => lang.t(" % af regionens gennemsnit", " % of the regional mean"),
        Unit::Persons if measure == "residents" => lang.t(" beboere", " residents"),
        Unit::Persons => lang.t(" personer", " persons"),
    };
    match t {
        Threshold::Value(v) => format!("{}{unit}", number(*v, lang)),
        Threshold::Per { value, per } => {
            let as_pct = t
                .resolve(|_| None)
                .map(|d| format!(" (= {} %)", number(d.normalize(), lang)))
                .unwrap_or_default();
            format!(
                "{} {} {}{as_pct}",
                number(*value, lang),
                lang.t("pr.", "per"),
                number(*per, lang)
            )
        }
        Threshold::FactorOf { factor, reference } => {
            let name = reference_name(reference, lang);
            if name == *reference {
                format!("{} × {reference}", number(*factor, lang))
            } else {
                format!("{} × {name} ({reference})", number(*factor, lang))
            }
        }
    }
}

/// The comparison exactly as the law writes it: the operator's symbol and the [`threshold`],
/// e.g. `> 40 %`, `≥ 3 × landsgennemsnittet (convicted_national_pct)`.
pub fn comparison(c: &Criterion, lang: Lang) -> String {
    format!(
        "{} {}",
        c.operator.symbol(),
        threshold(&c.threshold, c.unit, &c.measure, lang)
    )
}

/// The averaging window in words: `gennemsnit over 2 år`, or `ét tidspunkt`.
pub fn window(years: Option<u32>, lang: Lang) -> String {
    match years {
        Some(w) => format!(
            "{} {w} {}",
            lang.t("gennemsnit over", "averaged over"),
            lang.t("år", "years")
        ),
        None => lang.t("ét tidspunkt", "a single point in time").to_string(),
    }
}

/// The comparison in words, as the law says it in Danish (`overstiger`, `udgør mindst`, `er
/// mindre end`, `udgør højst`) or in English.
pub fn operator_words(op: Operator, lang: Lang) -> &'static str {
    match (op, lang) {
        (Operator::Greater, Lang::Da) => "overstiger",
        (Operator::GreaterOrEqual, Lang::Da) => "udgør mindst",
        (Operator::Less, Lang::Da) => "er mindre end",
        (Operator::LessOrEqual, Lang::Da) => "udgør højst",
        (Operator::Greater, Lang::En) => "exceeds",
        (Operator::GreaterOrEqual, Lang::En) => "is at least",
        (Operator::Less, Lang::En) => "is less than",
        (Operator::LessOrEqual, Lang::En) => "is at most",
    }
}

/// The comparison negated, in words: `overstiger ikke`, `does not exceed`, ….
pub fn operator_words_not(op: Operator, lang: Lang) -> &'static str {
    match (op, lang) {
        (Operator::Greater, Lang::Da) => "overstiger ikke",
        (Operator::GreaterOrEqual, Lang::Da) => "udgør ikke mindst",
        (Operator::Less, Lang::Da) => "er ikke mindre end",
        (Operator::LessOrEqual, Lang::Da) => "udgør ikke højst",
        (Operator::Greater, Lang::En) => "does not exceed",
        (Operator::GreaterOrEqual, Lang::En) => "is not at least",
        (Operator::Less, Lang::En) => "is not less than",
        (Operator::LessOrEqual, Lang::En) => "is not at most",
    }
}

/// What becomes of a list without the origin criterion, in words.
pub fn without_origin(w: WithoutOrigin, lang: Lang) -> &'static str {
    match w {
        WithoutOrigin::Drop => lang.t(
            "beregnes uden kriteriet (i »k af [..]« tæller det som ikke opfyldt, k uændret)",
            "computed without the criterion (inside “k of [..]” it counts as not met, k unchanged)",
        ),
        WithoutOrigin::Undefined => lang.t("ikke defineret", "not defined"),
    }
}

/// What the origin part says of a rule set without an origin criterion.
pub fn no_origin(lang: Lang) -> &'static str {
    lang.t(
        "Dette regelsæt har intet oprindelseskriterium; dets lister er de samme med og uden.",
        "This rule set has no origin criterion; its lists are the same with and without it.",
    )
}

/// How an average over several years is formed, in words.
pub fn average(a: Average, lang: Lang) -> &'static str {
    match a {
        Average::MeanOfYears => lang.t(
            "gennemsnittet af de årlige andele",
            "the mean of the yearly shares",
        ),
        Average::Pooled => lang.t(
            "én andel af alle årenes personer lagt sammen",
            "one share of the persons of all the years pooled",
        ),
    }
}

/// Which education counts as more than basic school, in words.
pub fn basic_education(b: BasicEducation, lang: Lang) -> &'static str {
    match b {
        BasicEducation::UnknownCountsAsBasic => lang.t(
            "enhver kendt uddannelse tæller; ukendt uddannelse tæller som grundskole (2013-modellen)",
            "any known education counts; unknown education counts as basic school (the 2013 model)",
        ),
        BasicEducation::DanishOrApprovedOnly => lang.t(
            "kun uddannelse taget i Danmark eller godkendt her tæller (2018-modellen og senere)",
            "only education taken in Denmark or approved here counts (the 2018 model on)",
        ),
    }
}

/// The labels both renderings of a [`Reading`] use for the same part, so that the terminal and
/// the page name each part alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// "Kilde".
    Source,
    /// "Gælder for listerne".
    Governs,
    /// "offentliggøres".
    Published,
    /// "Familie".
    Family,
    /// "Kriterier".
    Criteria,
    /// "Lister".
    Lists,
    /// "Paragraf".
    Paragraph,
    /// "Lovens ord".
    LawWords,
    /// "Ordlyden fra".
    WordsFrom,
    /// "Målt på".
    Population,
    /// "Sammenligning".
    Comparison,
    /// "Anvendes som".
    Applied,
    /// "Gennemsnit over".
    Window,
    /// "Opgørelse" (of one criterion).
    Measured,
    /// "Betingelse (kvarters notation)".
    Condition,
    /// "Udelukker".
    Excludes,
    /// "Begrundelse".
    Reasoning,
    /// "Række af år".
    Streak,
    /// "Tæller med".
    CountsAs,
    /// "Undtagelse for listerne".
    Exception,
    /// "Uden oprindelseskriteriet".
    WithoutOrigin,
    /// "Oprindelseskriteriet — en særskilt, frakoblelig del".
    OriginPart,
    /// "Opgørelse fra registerdata" (the rule set's measurement block).
    Measurement,
    /// "Gennemsnit over flere år".
    Average,
    /// "Mere end grundskole".
    BasicEducation,
    /// "Note".
    Note,
}

impl Label {
    /// The label in the language.
    pub fn t(self, lang: Lang) -> &'static str {
        let (da, en) = match self {
            Label::Source => ("Kilde", "Source"),
            Label::Governs => ("Gælder for listerne", "Governs the lists of"),
            Label::Published => ("offentliggøres", "published"),
            Label::Family => ("Familie", "Family"),
            Label::Criteria => ("Kriterier", "Criteria"),
            Label::Lists => ("Lister", "Lists"),
            Label::Paragraph => ("Paragraf", "Paragraph"),
            Label::LawWords => ("Lovens ord", "The law's words"),
            Label::WordsFrom => ("Ordlyden fra", "Words from"),
            Label::Population => ("Målt på", "Population measured"),
            Label::Comparison => ("Sammenligning", "Comparison"),
            Label::Applied => ("Anvendes som", "Applied as"),
            Label::Window => ("Gennemsnit over", "Averaged over"),
            Label::Measured => ("Opgørelse", "Measured"),
            Label::Condition => (
                "Betingelse (kvarters notation)",
                "Condition (kvarter's notation)",
            ),
            Label::Excludes => ("Udelukker", "Excludes"),
            Label::Reasoning => ("Begrundelse", "Reasoning"),
            Label::Streak => ("Række af år", "Run of years"),
            Label::CountsAs => ("Tæller med", "Counting"),
            Label::Exception => ("Undtagelse for listerne", "Exception for the lists of"),
            Label::WithoutOrigin => ("Uden oprindelseskriteriet", "Without the origin criterion"),
            Label::OriginPart => (
                "Oprindelseskriteriet — en særskilt, frakoblelig del",
                "The origin criterion — a separate part that can be switched off",
            ),
            Label::Measurement => (
                "Opgørelse fra registerdata",
                "Measurement from register data",
            ),
            Label::Average => ("Gennemsnit over flere år", "Average over several years"),
            Label::BasicEducation => ("Mere end grundskole", "More than basic school"),
            Label::Note => ("Note", "Note"),
        };
        lang.t(da, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kvarter_rules::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn reading(id: &str, lang: Lang) -> Reading {
        let catalog = Catalog::builtin();
        Reading::in_catalog(catalog.get(id).unwrap(), &catalog, lang)
    }

    fn criterion<'a>(r: &'a Reading, id: &str) -> &'a CriterionReading {
        let origin = r.origin.iter().flat_map(|o| o.criteria.iter());
        r.criteria
            .iter()
            .chain(origin)
            .find(|c| c.id == id)
            .unwrap()
    }

    #[test]
    fn every_kind_of_threshold_has_one_phrase_per_language() {
        let factor = Threshold::FactorOf {
            factor: d("3"),
            reference: "convicted_national_pct".into(),
        };
        for (t, unit, measure, da, en) in [
            (
                Threshold::Value(d("40")),
                Unit::Percent,
                "outside_labour_pct",
                "40 %",
                "40 %",
            ),
            (
                Threshold::Value(d("2.5")),
                Unit::Percent,
                "x",
                "2,5 %",
                "2.5 %",
            ),
            (
                Threshold::Value(d("55")),
                Unit::PercentOfReference,
                "income_pct_of_region",
                "55 % af regionens gennemsnit",
                "55 % of the regional mean",
            ),
            (
                Threshold::Value(d("1000")),
                Unit::Persons,
                "residents",
                "1.000 beboere",
                "1,000 residents",
            ),
            (
                Threshold::Per {
                    value: d("270"),
                    per: d("10000"),
                },
                Unit::Percent,
                "convicted_pct",
                "270 pr. 10.000 (= 2,7 %)",
                "270 per 10,000 (= 2.7 %)",
            ),
            (
                factor,
                Unit::Percent,
                "convicted_pct",
                "3 × landsgennemsnittet (convicted_national_pct)",
                "3 × the national average (convicted_national_pct)",
            ),
            (
                Threshold::FactorOf {
                    factor: d("1.5"),
                    reference: "some_column".into(),
                },
                Unit::Percent,
                "x",
                "1,5 × some_column",
                "1.5 × some_column",
            ),
        ] {
            assert_eq!(threshold(&t, unit, measure, Lang::Da), da);
            assert_eq!(threshold(&t, unit, measure, Lang::En), en);
        }
        // A figure is kept exactly as written: 0.80 is not 0.8.
        assert_eq!(
            threshold(&Threshold::Value(d("0.80")), Unit::Percent, "x", Lang::Da),
            "0,80 %"
        );
    }

    #[test]
    fn the_operator_is_kept_exactly_as_the_rule_file_writes_it() {
        let r = reading("dk-2021", Lang::Da);
        let c = criterion(&r, "outside_labour");
        assert_eq!(c.operator, Operator::Greater);
        assert_eq!(c.comparison, "> 40 %");
        assert_eq!(c.applied, "outside_labour_pct > 40 %");
        assert_eq!(c.law_words, "overstiger");
        assert_eq!(c.window, "gennemsnit over 2 år");
        let c = criterion(&r, "convicted");
        assert_eq!(c.operator, Operator::GreaterOrEqual);
        assert_eq!(
            c.comparison,
            "≥ 3 × landsgennemsnittet (convicted_national_pct)"
        );
        assert_eq!(c.law_words, "udgør mindst");
        let c = criterion(&r, "income");
        assert_eq!(c.comparison, "< 55 % af regionens gennemsnit");
        let c = criterion(&r, "residents");
        assert_eq!(c.comparison, "≥ 1.000 beboere");
        assert_eq!(c.window, "ét tidspunkt");
        // The law's words stay Danish in English.
        let en = reading("dk-2021", Lang::En);
        assert_eq!(criterion(&en, "convicted").law_words, "udgør mindst");
        assert_eq!(
            criterion(&en, "convicted").text,
            criterion(&r, "convicted").text
        );
    }

    #[test]
    fn the_origin_criterion_is_its_own_part_and_the_measurement_is_read() {
        let r = reading("dk-2021", Lang::Da);
        let origin = r.origin.as_ref().expect("dk-2021 has an origin part");
        assert!(origin.criteria.iter().any(|c| c.id == "non_western"));
        assert!(!r.criteria.iter().any(|c| c.id == "non_western"));
        assert!(origin.note.contains("C-417/23"));
        assert!(reading("dk-51b", Lang::Da).origin.is_none());
        assert_eq!(r.measurement.average, "gennemsnittet af de årlige andele");
        assert!(r.measurement.basic_education.contains("2018-modellen"));
        assert!(!r.measurement.note.is_empty());
        let r2013 = reading("dk-2013", Lang::En);
        assert!(
            r2013.measurement.basic_education.contains("the 2013 model"),
            "{:?}",
            r2013.measurement
        );
    }

    #[test]
    fn lists_read_with_conditions_streaks_exclusions_and_without_origin() {
        let r = reading("dk-2021", Lang::Da);
        let fb = r
            .lists
            .iter()
            .find(|l| l.id == "forebyggelsesomraade")
            .unwrap();
        assert_eq!(
            fb.excludes,
            vec![ListRef {
                id: "udsat_boligomraade".into(),
                name: "Udsat boligområde".into()
            }]
        );
        assert!(fb.condition.starts_with("residents and fb_non_western"));
        let om = r
            .lists
            .iter()
            .find(|l| l.id == "omdannelsesomraade")
            .unwrap();
        let st = om.streak.as_ref().unwrap();
        assert_eq!(st.years, 5);
        assert!(st.phrase.starts_with("5 år i træk, dette år medregnet"));
        // A list of an earlier rule set is named from the catalog.
        assert!(
            st.counts_as
                .iter()
                .any(|l| l.id == "ghettoomraade" && l.name != l.id)
        );
        assert_eq!(om.without_origin, WithoutOrigin::Undefined);
        assert_eq!(om.without_origin_phrase, "ikke defineret");
        let r2018 = reading("dk-2018", Lang::En);
        let hard = r2018
            .lists
            .iter()
            .find(|l| l.id == "haardt_ghettoomraade")
            .unwrap();
        let o = &hard.streak.as_ref().unwrap().overrides[0];
        assert_eq!(o.list_years, "2018, 2019, 2020");
        assert_eq!(o.phrase, "5 years in a row");
    }
}
