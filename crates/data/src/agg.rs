//! Counts per area and data year, and from them the criteria of each list year.
//!
//! Pure: no IO. The readers (`read.rs`) count each person into [`Counts`] (one definition of
//! who counts where, the counting loop's `Acc::groups` in `read.rs`); the counts are then turned into [`Observation`]s, the same values the criteria CSV carries, under
//! the measurement rules of the rule set in force for each list year.

use kvarter_rules::{Average, BasicEducation, Catalog, Decimal, Observation, RuleSet};
use rust_decimal::RoundingStrategy;
use rust_decimal::prelude::FromPrimitive;
use std::collections::BTreeMap;

/// The numerators and denominators behind every criterion, for one area (or region, or the
/// whole country) and one data year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Everyone living there on 1 January of the following year.
    pub residents: u64,
    /// Of whom immigrants or descendants from non-Western countries.
    pub non_western: u64,
    /// Aged 18–64.
    pub n_18_64: u64,
    /// Their time outside the labour market, in full-time equivalents.
    pub outside_fte: f64,
    /// Aged 18 or more.
    pub n_18_plus: u64,
    /// Of whom convicted in the year.
    pub convicted: u64,
    /// Aged 30–59.
    pub n_30_59: u64,
    /// Of whom only basic school, unknown education counted as basic (2013 model).
    pub basic_unknown_as_basic: u64,
    /// Of whom only basic school, counting only Danish or approved education (2018 model on).
    pub basic_danish_or_approved: u64,
    /// Taxable, aged 15–64, not in education.
    pub n_income: u64,
    /// Their gross income, DKK.
    pub income_sum: f64,
}

impl Counts {
    /// Adds another set of counts (a later batch of the same year).
    pub fn merge(&mut self, o: &Counts) {
        self.residents += o.residents;
        self.non_western += o.non_western;
        self.n_18_64 += o.n_18_64;
        self.outside_fte += o.outside_fte;
        self.n_18_plus += o.n_18_plus;
        self.convicted += o.convicted;
        self.n_30_59 += o.n_30_59;
        self.basic_unknown_as_basic += o.basic_unknown_as_basic;
        self.basic_danish_or_approved += o.basic_danish_or_approved;
        self.n_income += o.n_income;
        self.income_sum += o.income_sum;
    }
}

/// An area as `areas.csv` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipality code.
    pub municipality: u16,
    /// Municipality name.
    pub municipality_name: String,
    /// Region code.
    pub region: u16,
    /// Whether it is a social-housing area (a *boligområde*), evaluated for the state's lists.
    pub social_housing: bool,
}

/// Everything counted for one data year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearCounts {
    /// The data year.
    pub year: i16,
    /// Per area, indexed like [`Registers::areas`].
    pub areas: Vec<Counts>,
    /// Per region code: everyone living in the region, with or without an area.
    pub regions: BTreeMap<u16, Counts>,
    /// Persons read.
    pub persons: u64,
}

impl YearCounts {
    /// Empty counts for `n_areas` areas.
    pub fn new(year: i16, n_areas: usize) -> YearCounts {
        YearCounts {
            year,
            areas: vec![Counts::default(); n_areas],
            regions: BTreeMap::new(),
            persons: 0,
        }
    }

    /// Adds the counts of a later part of the same year's file.
    pub fn merge(&mut self, o: &YearCounts) {
        for (a, b) in self.areas.iter_mut().zip(&o.areas) {
            a.merge(b);
        }
        for (r, c) in &o.regions {
            self.regions.entry(*r).or_default().merge(c);
        }
        self.persons += o.persons;
    }

    /// The whole country.
    pub fn national(&self) -> Counts {
        let mut n = Counts::default();
        for c in self.regions.values() {
            n.merge(c);
        }
        n
    }
}

/// A register folder, counted: the areas and the counts of every data year read.
#[derive(Debug, Clone, PartialEq)]
pub struct Registers {
    /// The areas of `areas.csv`, in file order.
    pub areas: Vec<Area>,
    /// The counts per data year.
    pub years: BTreeMap<i16, YearCounts>,
}

/// Every computed share is rounded to this many decimals of a per cent before the rules compare
/// it, so that the criteria file and the registers give the same lists (docs/REGISTERS.md).
pub const DECIMALS: u32 = 2;

/// Rounds a share to [`DECIMALS`] and writes it with exactly that many decimals: a share of
/// exactly 72 % is `72.00`, as the criteria file, the CSV, the XLSX and the Parquet all show it
/// (`round_dp` alone keeps a whole number's scale of 0, and `72` and `72.00` would disagree).
fn round(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(DECIMALS, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(DECIMALS);
    r
}

fn share(num: u64, den: u64) -> Option<Decimal> {
    (den > 0).then(|| Decimal::from(num) * Decimal::ONE_HUNDRED / Decimal::from(den))
}

fn share_f(num: f64, den: u64) -> Option<Decimal> {
    if den == 0 {
        return None;
    }
    Decimal::from_f64(num * 100.0 / den as f64)
}

/// Averages yearly figures the rule set's way; `None` when a year is missing (or its group is
/// empty). `shares` are the years' shares, latest first.
fn average(
    shares: impl Iterator<Item = Option<Decimal>>,
    how: Average,
    pooled: impl Fn() -> Option<Decimal>,
) -> Option<Decimal> {
    let mut sum = Decimal::ZERO;
    let mut n = 0usize;
    for s in shares {
        let s = s?;
        if how == Average::MeanOfYears {
            sum += s;
        }
        n += 1;
    }
    if n == 0 {
        return None;
    }
    match how {
        Average::MeanOfYears => Some(sum / Decimal::from(n)),
        Average::Pooled => pooled(),
    }
}

/// The averaging window (in years) a rule set uses for an input column: the longest window of
/// the criteria measuring it, 1 when none averages.
fn window(rs: &RuleSet, measure: &str) -> u32 {
    rs.all_criteria()
        .filter(|c| c.measure == measure)
        .filter_map(|c| c.window_years)
        .max()
        .unwrap_or(1)
}

/// The input columns [`Measure::area`] gives, in the order of its [`Values`]: the columns of
/// an [`Observation`] that [`observations`] fills.
pub const COLUMNS: [&str; 11] = [
    "residents",
    "non_western_pct",
    "outside_labour_pct",
    "convicted_pct",
    "convicted_national_pct",
    "basic_education_pct",
    "income_pct_of_region",
    "persons_18_64",
    "persons_18_plus",
    "persons_30_59",
    "persons_15_64_taxable",
];

/// One area's criteria of one list year, in the order of [`COLUMNS`] (`None`: not measured, a
/// column an [`Observation`] leaves out).
pub type Values = [Option<Decimal>; 11];

/// How the rule set of the `state-lists` family in force for a list year measures it: the
/// averaging windows, the kind of average and the definition of basic education.
/// [`observations`] measures every list year with it; a caller that measures one list year
/// many times (the early warning's draws) uses it directly and gets the same values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    average: Average,
    basic_education: BasicEducation,
    labour_window: u32,
    convicted_window: u32,
}

impl Measure {
    /// The measurement of the rule set `rs` (the `state-lists` rule set of the list year).
    pub fn of(rs: &RuleSet) -> Measure {
        Measure {
            average: rs.measurement.average,
            basic_education: rs.measurement.basic_education,
            labour_window: window(rs, "outside_labour_pct"),
            convicted_window: window(rs, "convicted_pct"),
        }
    }

    /// The data years the outside-labour share averages over (1: the latest alone).
    pub fn labour_window(&self) -> u32 {
        self.labour_window
    }

    /// The data years the convicted shares (the area's and the national) average over.
    pub fn convicted_window(&self) -> u32 {
        self.convicted_window
    }

    /// The national convicted share the convicted criterion compares with, from the whole
    /// country's counts of the convicted window's data years, latest first (`None` for a year
    /// not in the data).
    pub fn national_convicted(&self, nationals: &[Option<Counts>]) -> Option<Decimal> {
        average(
            nationals
                .iter()
                .map(|n| n.and_then(|n| share(n.convicted, n.n_18_plus))),
            self.average,
            || {
                let all: Option<Vec<Counts>> = nationals.iter().copied().collect();
                let all = all?;
                share(
                    all.iter().map(|n| n.convicted).sum(),
                    all.iter().map(|n| n.n_18_plus).sum(),
                )
            },
        )
    }

    /// One area's criteria: `labour` and `convicted` are its counts in the data years of each
    /// window, latest first (`None` for a year not in the data), `latest` its counts of the
    /// list year's data year (`t − 1`), `region` its region's counts that year and `national`
    /// the national convicted share ([`Measure::national_convicted`]).
    pub fn area(
        &self,
        labour: &[Option<&Counts>],
        convicted: &[Option<&Counts>],
        latest: &Counts,
        region: Option<&Counts>,
        national: Option<Decimal>,
    ) -> Values {
        let c = latest;
        let labour = average(
            labour
                .iter()
                .map(|a| a.and_then(|a| share_f(a.outside_fte, a.n_18_64))),
            self.average,
            || {
                let all: Option<Vec<&Counts>> = labour.iter().copied().collect();
                let all = all?;
                share_f(
                    all.iter().map(|a| a.outside_fte).sum(),
                    all.iter().map(|a| a.n_18_64).sum(),
                )
            },
        );
        let convicted = average(
            convicted
                .iter()
                .map(|a| a.and_then(|a| share(a.convicted, a.n_18_plus))),
            self.average,
            || {
                let all: Option<Vec<&Counts>> = convicted.iter().copied().collect();
                let all = all?;
                share(
                    all.iter().map(|a| a.convicted).sum(),
                    all.iter().map(|a| a.n_18_plus).sum(),
                )
            },
        );
        let basic = match self.basic_education {
            BasicEducation::UnknownCountsAsBasic => c.basic_unknown_as_basic,
            BasicEducation::DanishOrApprovedOnly => c.basic_danish_or_approved,
        };
        let income = match region {
            Some(r) if r.n_income > 0 && c.n_income > 0 && r.income_sum != 0.0 => {
                let area_mean = c.income_sum / c.n_income as f64;
                let region_mean = r.income_sum / r.n_income as f64;
                Decimal::from_f64(area_mean / region_mean * 100.0)
            }
            _ => None,
        };
        [
            Some(Decimal::from(c.residents)),
            share(c.non_western, c.residents).map(round),
            labour.map(round),
            convicted.map(round),
            national.map(round),
            share(basic, c.n_30_59).map(round),
            income.map(round),
            Some(Decimal::from(c.n_18_64)),
            Some(Decimal::from(c.n_18_plus)),
            Some(Decimal::from(c.n_30_59)),
            Some(Decimal::from(c.n_income)),
        ]
    }
}

/// The criteria of every list year the counts allow, for every social-housing area with
/// residents: the same values a criteria CSV carries, with the group sizes filled in.
///
/// List year `t` uses data year `t - 1` (residents on 1 January `t`) and, for averaged criteria,
/// the years of the window before it. A value whose years are not all present is left out, so
/// the criterion is reported as not evaluable. The rule set of the `state-lists` family in force
/// for `t` (or the override) decides the window, the averaging and the education definition
/// ([`Measure`]).
pub fn observations(
    reg: &Registers,
    catalog: &Catalog,
    overrides: &[&RuleSet],
) -> Vec<Observation> {
    let mut out = Vec::new();
    let Some((&first, _)) = reg.years.first_key_value() else {
        return out;
    };
    let last = *reg.years.keys().last().expect("non-empty");
    for t in (i32::from(first) + 1)..=(i32::from(last) + 1) {
        if t < kvarter_rules::FIRST_LIST_YEAR {
            continue;
        }
        let Some(rs) = catalog
            .select(t, overrides)
            .into_iter()
            .find(|r| r.family == "state-lists")
        else {
            continue;
        };
        let year_of = |back: i32| i16::try_from(t - back).ok().and_then(|y| reg.years.get(&y));
        let Some(latest) = year_of(1) else { continue };
        let m = Measure::of(rs);
        let labour_years: Vec<Option<&YearCounts>> =
            (1..=m.labour_window as i32).map(year_of).collect();
        let convicted_years: Vec<Option<&YearCounts>> =
            (1..=m.convicted_window as i32).map(year_of).collect();
        let nationals: Vec<Option<Counts>> = convicted_years
            .iter()
            .map(|y| y.map(YearCounts::national))
            .collect();
        let national_convicted = m.national_convicted(&nationals);
        let mut labour: Vec<Option<&Counts>> = Vec::with_capacity(labour_years.len());
        let mut convicted: Vec<Option<&Counts>> = Vec::with_capacity(convicted_years.len());
        for (i, area) in reg.areas.iter().enumerate() {
            let c = &latest.areas[i];
            if !area.social_housing || c.residents == 0 {
                continue;
            }
            labour.clear();
            labour.extend(labour_years.iter().map(|y| y.map(|y| &y.areas[i])));
            convicted.clear();
            convicted.extend(convicted_years.iter().map(|y| y.map(|y| &y.areas[i])));
            let values = m.area(
                &labour,
                &convicted,
                c,
                latest.regions.get(&area.region),
                national_convicted,
            );
            out.push(Observation {
                area_id: area.id.clone(),
                area_name: area.name.clone(),
                municipality: area.municipality_name.clone(),
                list_year: t,
                values: COLUMNS
                    .iter()
                    .zip(values)
                    .filter_map(|(k, v)| Some((k.to_string(), v?)))
                    .collect(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_written_with_exactly_two_decimals_whole_or_not() {
        // 18 of 25 is exactly 72 %: without rescaling it would print as `72`.
        assert_eq!(share(18, 25).map(round).unwrap().to_string(), "72.00");
        // 1 of 3 is 33.333…: rounded, not padded.
        assert_eq!(share(1, 3).map(round).unwrap().to_string(), "33.33");
        // The midpoint rounds away from zero: 1 of 8 is 12.5, 1 of 16 is 6.25, 1 of 32 is 3.125.
        assert_eq!(share(1, 32).map(round).unwrap().to_string(), "3.13");
        assert_eq!(share(1, 8).map(round).unwrap().to_string(), "12.50");
    }
}
