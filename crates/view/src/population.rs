//! The populations the municipality's policy measures its indicators on, and an indicator's
//! figure on a population beside the same figure on the rest of the municipality.
//!
//! A population is a set of people fixed by geography: the *udsatte byområder* of one
//! designation round held fixed and followed through every data year (as the policy's "28 % in
//! 2000 → 17.3 % in 2023" is), one designated area of that round, the whole municipality, or
//! housing estates (the areas of the state's model: those on a state list, or a helhedsplan's).
//! The load counts every screening indicator over each population per data year
//! ([`PopulationCount`]: Σ numerators and Σ denominators over all its units, small units
//! included), so every population is measured the same way, from the same person files.
//!
//! **The rest of the municipality** is the municipality's counts minus the population's, in
//! the same data year: the two are always two parts of one whole, never two different kinds of
//! population.
//!
//! **Disclosure** (docs/DISCLOSURE.md): a share is shown only when its denominator and its
//! numerator are each at least the minimum count ([`Policy::share`]); a ratio (m² per
//! resident) when its denominator is. The rest of the municipality is suppressed whenever the
//! population's figure is (from the municipality's figure and the rest's, a suppressed figure
//! could otherwise be recomputed), and the gap whenever either side is.

use crate::disclosure::{Policy, Published};
use crate::rows::PopulationCount;
use kvarter_rules::Decimal;
use std::collections::BTreeMap;

/// A population of the policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Population {
    /// The udsatte byområder of the designation round, held fixed.
    Designated,
    /// One designated area of the round (its id).
    Area(String),
    /// The whole municipality.
    Municipality,
    /// Housing estates of the state's model, pooled (their area ids).
    Estates(Vec<String>),
}

impl Population {
    /// The stored key of a population that is stored as one: `designated`, `area:ID`,
    /// `municipality`; estates are stored one by one as `estate:ID` ([`Population::parts`]).
    pub fn key(&self) -> String {
        match self {
            Population::Designated => "designated".into(),
            Population::Area(id) => format!("area:{id}"),
            Population::Municipality => "municipality".into(),
            Population::Estates(ids) => format!("estates:{}", ids.join(",")),
        }
    }

    /// The stored keys summed to make this population.
    pub fn parts(&self) -> Vec<String> {
        match self {
            Population::Estates(ids) => ids.iter().map(|i| format!("estate:{i}")).collect(),
            p => vec![p.key()],
        }
    }

    /// Reads a key written by [`Population::key`].
    pub fn parse(key: &str) -> Result<Population, String> {
        match key {
            "designated" => Ok(Population::Designated),
            "municipality" => Ok(Population::Municipality),
            k => {
                if let Some(id) = k.strip_prefix("area:").filter(|i| !i.is_empty()) {
                    Ok(Population::Area(id.into()))
                } else if let Some(ids) = k.strip_prefix("estates:").filter(|i| !i.is_empty()) {
                    Ok(Population::Estates(
                        ids.split(',').map(str::to_string).collect(),
                    ))
                } else {
                    Err(format!(
                        "a population (designated, municipality, area:ID or estates:ID,ID…), not {k:?}"
                    ))
                }
            }
        }
    }
}

/// Σ numerator and Σ denominator of one indicator over a population in one data year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Σ numerators.
    pub num: Decimal,
    /// Σ denominators.
    pub den: Decimal,
}

/// The stored counts, indexed: (population key, indicator, data year) → counts.
#[derive(Debug, Clone, Default)]
pub struct Counted {
    by: BTreeMap<(String, String, i32), Counts>,
    round: Option<(String, i32)>,
}

impl Counted {
    /// Indexes the rows of the latest designation round in `rows` (the greatest round year;
    /// for two specs in one year, the greater spec id).
    pub fn latest_round(rows: &[PopulationCount]) -> Counted {
        match rows.iter().map(|r| (r.round, &r.spec)).max() {
            Some((round, spec)) => Counted::new(rows, &spec.clone(), round),
            None => Counted::default(),
        }
    }

    /// The ids of the round's designated areas counted.
    pub fn areas(&self) -> Vec<String> {
        self.ids("area:")
    }

    /// The ids of the municipality's housing estates counted.
    pub fn estates(&self) -> Vec<String> {
        self.ids("estate:")
    }

    fn ids(&self, prefix: &str) -> Vec<String> {
        let mut a: Vec<String> = self
            .by
            .keys()
            .filter_map(|(p, _, _)| p.strip_prefix(prefix).map(str::to_string))
            .collect();
        a.dedup();
        a
    }

    /// The designation round counted: (spec, round year).
    pub fn round(&self) -> Option<(&str, i32)> {
        self.round.as_ref().map(|(s, r)| (s.as_str(), *r))
    }

    /// Indexes the rows of one designation round (`spec`, `round`); rows of other rounds and
    /// rows whose decimals do not read are left out.
    pub fn new(rows: &[PopulationCount], spec: &str, round: i32) -> Counted {
        let mut by = BTreeMap::new();
        for r in rows.iter().filter(|r| r.spec == spec && r.round == round) {
            if let (Ok(num), Ok(den)) = (r.num.parse::<Decimal>(), r.den.parse::<Decimal>()) {
                by.insert(
                    (r.population.clone(), r.indicator.clone(), r.data_year),
                    Counts { num, den },
                );
            }
        }
        Counted {
            round: (!by.is_empty()).then(|| (spec.to_string(), round)),
            by,
        }
    }

    /// The data years counted for `indicator`, ascending.
    pub fn years(&self, indicator: &str) -> Vec<i32> {
        let mut y: Vec<i32> = self
            .by
            .keys()
            .filter(|(p, i, _)| p == "municipality" && i == indicator)
            .map(|(_, _, y)| *y)
            .collect();
        y.dedup();
        y
    }

    /// The counts of `indicator` over `population` in `year`: `None` when a part is missing.
    pub fn counts(&self, population: &Population, indicator: &str, year: i32) -> Option<Counts> {
        let mut sum = Counts::default();
        for part in population.parts() {
            let c = self.by.get(&(part, indicator.to_string(), year))?;
            sum.num += c.num;
            sum.den += c.den;
        }
        Some(sum)
    }
}

/// An indicator's figure on a population, the rest of the municipality's, and the gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// The population's figure: a share in per cent (2 decimals) or a ratio (1 decimal).
    pub value: Published<Decimal>,
    /// The rest of the municipality's figure, the same way.
    pub rest: Published<Decimal>,
    /// `value − rest`, of the figures as shown (percentage points for shares).
    pub gap: Published<Decimal>,
}

/// The figure of `c`: a share in per cent rounded to 2 decimals, or a ratio to 1 decimal,
/// through the policy. `None` inside when the denominator is 0.
fn figure(policy: &Policy, c: Counts, share: bool) -> Published<Decimal> {
    if c.den <= Decimal::ZERO || c.num < Decimal::ZERO {
        return Published::missing();
    }
    if share {
        let mut pct = (c.num * Decimal::ONE_HUNDRED / c.den).round_dp(2);
        pct.rescale(2);
        policy.checked(
            Some(pct),
            !policy.is_small(c.den) && !policy.is_small(c.num),
        )
    } else {
        let mut ratio = (c.num / c.den).round_dp(1);
        ratio.rescale(1);
        policy.mean(Some(ratio), Some(c.den))
    }
}

/// `indicator` (a share when `share`, else a ratio) on `population` in every data year counted,
/// beside the rest of the municipality. The municipality itself has no rest (`rest` and `gap`
/// are missing).
pub fn measure(
    counted: &Counted,
    policy: &Policy,
    population: &Population,
    indicator: &str,
    share: bool,
) -> BTreeMap<i32, Measured> {
    let mut out = BTreeMap::new();
    for year in counted.years(indicator) {
        let Some(own) = counted.counts(population, indicator, year) else {
            continue;
        };
        let value = figure(policy, own, share);
        let rest = match (
            population,
            counted.counts(&Population::Municipality, indicator, year),
        ) {
            (Population::Municipality, _) | (_, None) => Published::missing(),
            (_, Some(all)) => figure(
                policy,
                Counts {
                    num: all.num - own.num,
                    den: all.den - own.den,
                },
                share,
            )
            .unless_suppressed(&value),
        };
        let gap = match (value.shown(), rest.shown()) {
            (Some(v), Some(r)) => policy.public(*v - *r),
            _ if value.is_suppressed() || rest.is_suppressed() => {
                policy.public(Decimal::ZERO).suppressed_by(policy)
            }
            _ => Published::missing(),
        };
        out.insert(year, Measured { value, rest, gap });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::View;

    fn row(population: &str, year: i32, num: &str, den: &str) -> PopulationCount {
        PopulationCount {
            spec: "kbh-2025".into(),
            round: 2025,
            population: population.into(),
            data_year: year,
            indicator: "outside_labour_share".into(),
            num: num.into(),
            den: den.into(),
        }
    }

    fn shown(p: &Published<Decimal>) -> Option<String> {
        p.shown().map(|d| d.to_string())
    }

    #[test]
    fn a_population_is_compared_with_the_rest_of_the_same_municipality() {
        // Worked by hand: the designated areas 346 of 2000 persons 18–64 = 17.30 %; the
        // municipality 5000 of 50000 = 10 %; so the rest is 4654 of 48000 = 9.695833… → 9.70 %,
        // and the gap 17.30 − 9.70 = 7.60 points.
        let rows = vec![
            row("designated", 2023, "346", "2000"),
            row("municipality", 2023, "5000", "50000"),
            row("designated", 2000, "560", "2000"),
            row("municipality", 2000, "6000", "50000"),
        ];
        let counted = Counted::new(&rows, "kbh-2025", 2025);
        let p = Policy::new(5);
        let m = measure(
            &counted,
            &p,
            &Population::Designated,
            "outside_labour_share",
            true,
        );
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [2000, 2023]);
        let y = &m[&2023];
        assert_eq!(shown(&y.value).as_deref(), Some("17.30"));
        assert_eq!(shown(&y.rest).as_deref(), Some("9.70"));
        assert_eq!(shown(&y.gap).as_deref(), Some("7.60"));
        // 2000: 28.00 % against 5440 / 48000 = 11.333… → 11.33 %.
        assert_eq!(shown(&m[&2000].value).as_deref(), Some("28.00"));
        assert_eq!(shown(&m[&2000].rest).as_deref(), Some("11.33"));
        // Another round's rows are not mixed in.
        assert!(
            Counted::new(&rows, "kbh-2025", 2021)
                .years("outside_labour_share")
                .is_empty()
        );
    }

    #[test]
    fn estates_are_pooled_and_the_municipality_has_no_rest() {
        let rows = vec![
            row("estate:a", 2024, "30", "100"),
            row("estate:b", 2024, "10", "100"),
            row("municipality", 2024, "1000", "10000"),
        ];
        let counted = Counted::new(&rows, "kbh-2025", 2025);
        let p = Policy::new(5);
        let estates = Population::Estates(vec!["a".into(), "b".into()]);
        let m = measure(&counted, &p, &estates, "outside_labour_share", true);
        assert_eq!(shown(&m[&2024].value).as_deref(), Some("20.00"));
        // 960 / 9800 = 9.7959… → 9.80 %.
        assert_eq!(shown(&m[&2024].rest).as_deref(), Some("9.80"));
        let all = measure(
            &counted,
            &p,
            &Population::Municipality,
            "outside_labour_share",
            true,
        );
        assert_eq!(shown(&all[&2024].value).as_deref(), Some("10.00"));
        assert!(matches!(all[&2024].rest.view(), View::Missing));
        // A missing estate makes the pool missing, not smaller.
        let three = Population::Estates(vec!["a".into(), "b".into(), "c".into()]);
        assert!(measure(&counted, &p, &three, "outside_labour_share", true).is_empty());
    }

    #[test]
    fn a_small_population_suppresses_its_rest_and_gap_too() {
        // 4 persons in the numerator: under the minimum of 5.
        let rows = vec![
            row("area:x", 2024, "4", "60"),
            row("municipality", 2024, "1000", "10000"),
        ];
        let counted = Counted::new(&rows, "kbh-2025", 2025);
        let p = Policy::new(5);
        let m = measure(
            &counted,
            &p,
            &Population::Area("x".into()),
            "outside_labour_share",
            true,
        );
        let y = &m[&2024];
        assert!(y.value.is_suppressed());
        assert!(y.rest.is_suppressed(), "the rest would give the area away");
        assert!(y.gap.is_suppressed());
        // Exactly the minimum is shown (5 of 60).
        let rows = vec![
            row("area:x", 2024, "5", "60"),
            row("municipality", 2024, "1000", "10000"),
        ];
        let m = measure(
            &Counted::new(&rows, "kbh-2025", 2025),
            &p,
            &Population::Area("x".into()),
            "outside_labour_share",
            true,
        );
        assert_eq!(shown(&m[&2024].value).as_deref(), Some("8.33"));
    }

    #[test]
    fn keys_read_back() {
        for p in [
            Population::Designated,
            Population::Municipality,
            Population::Area("area-100m_1_2".into()),
            Population::Estates(vec!["0101-001".into(), "0101-002".into()]),
        ] {
            assert_eq!(Population::parse(&p.key()).unwrap(), p);
        }
        assert!(Population::parse("rest").is_err());
        assert!(Population::parse("area:").is_err());
    }
}
