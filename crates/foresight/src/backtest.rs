//! The backtest: stand at each past list year's eve, forecast it, and compare with what the
//! full data say.

use crate::forecast::{ForesightError, Options, Progress, forecast_with, resolve};
use kvarter_data::{Registers, observations};
use kvarter_rules::{
    AreaEvaluation, Catalog, Decimal, EvalOptions, History, ListOutcome, evaluate,
};
use rust_decimal::RoundingStrategy;
use std::collections::{BTreeMap, BTreeSet};

/// One area and one list of a backtested year: what was forecast and what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// In how many draws the area was on the list.
    pub on_draws: u32,
    /// Whether it was on the list the year before (`None`: the list did not exist then).
    pub on_before: Option<bool>,
    /// Whether it is on the list in the year, evaluated from the full data.
    pub on: bool,
}

/// Counts and sums over the areas of one list (in one year, or over all years), from which
/// the scores follow exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Draws per forecast.
    pub draws: u32,
    /// Areas scored.
    pub areas: u32,
    /// `Σ (on_draws − on × draws)²`: the Brier score's sum, in units of `1 / draws²`.
    pub squared_error: u128,
    /// Areas whose status the year before is known (the list existed).
    pub known: u32,
    /// `squared_error` over those areas only.
    pub known_squared_error: u128,
    /// Of those, how many changed status: the squared error of the persistence forecast
    /// ("next year as this year").
    pub changes: u32,
    /// `Σ on_draws`: the expected number on the list is `on_draws / draws`.
    pub on_draws: u64,
    /// On the list the year before.
    pub on_before: u32,
    /// On the list in the year.
    pub on_after: u32,
    /// Entries: off the year before, on in the year.
    pub entries: u32,
    /// Entries flagged in advance (probability at least `flag_at`).
    pub entries_flagged: u32,
    /// False alarms: off the year before, flagged as entering, and not on in the year.
    pub entry_false_alarms: u32,
    /// Exits: on the year before, off in the year.
    pub exits: u32,
    /// Exits flagged in advance (probability of being off at least `flag_at`).
    pub exits_flagged: u32,
    /// False alarms: on the year before, flagged as leaving, and still on.
    pub exit_false_alarms: u32,
}

fn ratio(num: u128, den: u128, dp: u32) -> Option<Decimal> {
    if den == 0 {
        return None;
    }
    let (n, d) = (i128::try_from(num).ok()?, i128::try_from(den).ok()?);
    let q = Decimal::try_from_i128_with_scale(n, 0).ok()?
        / Decimal::try_from_i128_with_scale(d, 0).ok()?;
    let mut q = q.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    q.rescale(dp);
    Some(q)
}

impl Tally {
    /// An empty tally for forecasts of `draws` draws.
    pub fn new(draws: u32) -> Tally {
        Tally {
            draws,
            ..Tally::default()
        }
    }

    /// Adds one area. `flag_at` is the probability at which an entry or an exit is flagged.
    pub fn add(&mut self, o: &Outcome, flag_at: Decimal) {
        let d = u64::from(self.draws);
        let target = if o.on { d } else { 0 };
        let err = u128::from(u64::from(o.on_draws).abs_diff(target)).pow(2);
        self.areas += 1;
        self.squared_error += err;
        self.on_draws += u64::from(o.on_draws);
        self.on_after += u32::from(o.on);
        let flag = flag_at * Decimal::from(self.draws);
        let Some(before) = o.on_before else { return };
        self.known += 1;
        self.known_squared_error += err;
        self.changes += u32::from(before != o.on);
        if before {
            self.on_before += 1;
            let flagged = Decimal::from(self.draws - o.on_draws) >= flag;
            if !o.on {
                self.exits += 1;
                self.exits_flagged += u32::from(flagged);
            } else {
                self.exit_false_alarms += u32::from(flagged);
            }
        } else {
            let flagged = Decimal::from(o.on_draws) >= flag;
            if o.on {
                self.entries += 1;
                self.entries_flagged += u32::from(flagged);
            } else {
                self.entry_false_alarms += u32::from(flagged);
            }
        }
    }

    /// Adds another tally of forecasts with the same number of draws.
    pub fn merge(&mut self, o: &Tally) {
        debug_assert_eq!(self.draws, o.draws);
        self.areas += o.areas;
        self.squared_error += o.squared_error;
        self.known += o.known;
        self.known_squared_error += o.known_squared_error;
        self.changes += o.changes;
        self.on_draws += o.on_draws;
        self.on_before += o.on_before;
        self.on_after += o.on_after;
        self.entries += o.entries;
        self.entries_flagged += o.entries_flagged;
        self.entry_false_alarms += o.entry_false_alarms;
        self.exits += o.exits;
        self.exits_flagged += o.exits_flagged;
        self.exit_false_alarms += o.exit_false_alarms;
    }

    fn d2(&self) -> u128 {
        u128::from(self.draws).pow(2)
    }

    /// The Brier score: the mean of `(p − o)²` over the areas, `p` the probability forecast and
    /// `o` 1 when on, 0 when off; 4 decimals; `None` with no areas.
    pub fn brier(&self) -> Option<Decimal> {
        ratio(self.squared_error, u128::from(self.areas) * self.d2(), 4)
    }

    /// The Brier score over the areas whose status the year before is known.
    pub fn brier_known(&self) -> Option<Decimal> {
        ratio(
            self.known_squared_error,
            u128::from(self.known) * self.d2(),
            4,
        )
    }

    /// The Brier score of the persistence forecast (probability 1 for the areas on the list the
    /// year before, 0 for the others) over the same areas: the share that changed status.
    pub fn brier_persistence(&self) -> Option<Decimal> {
        ratio(u128::from(self.changes), u128::from(self.known), 4)
    }

    /// The skill against persistence: `1 − brier_known / brier_persistence` (2 decimals; 1 is
    /// perfect, 0 no better than assuming no change, below 0 worse); `None` when nothing changed.
    pub fn skill(&self) -> Option<Decimal> {
        let q = ratio(
            self.known_squared_error,
            u128::from(self.changes) * self.d2(),
            6,
        )?;
        let mut skill =
            (Decimal::ONE - q).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        skill.rescale(2);
        Some(skill)
    }

    /// The expected number of areas on the list (`Σ p`), 1 decimal.
    pub fn expected_on(&self) -> Decimal {
        ratio(u128::from(self.on_draws), u128::from(self.draws), 1).unwrap_or_default()
    }
}

/// The scores of one list: in one backtested year, or over all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// The list year; `None` in the summary over all years.
    pub list_year: Option<i32>,
    /// The list id.
    pub list: String,
    /// The list's Danish name.
    pub list_name: String,
    /// The counts behind the scores.
    pub tally: Tally,
}

/// A backtest: every list year that could be forecast from the data before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backtest {
    /// Draws per forecast.
    pub draws: u32,
    /// The seed of every year's forecast.
    pub seed: u64,
    /// Data years required up to and including the known year `Y − 2` of a list year `Y`.
    pub min_data_years: usize,
    /// The list years backtested.
    pub years: Vec<i32>,
    /// Per year (ascending), per list (in the rule sets' order).
    pub scores: Vec<Score>,
    /// Per list over all years, in the order the lists first appear.
    pub summary: Vec<Score>,
}

/// Backtests the forecast: for every list year `Y` the data give whose known year `Y − 2` has
/// at least `min_data_years` data years up to it (itself included), forecasts `Y` from the data
/// years up to `Y − 2` alone (and the published history), and scores the forecast against the
/// evaluation of `Y` from the full data, exactly as `kvarter lists` evaluates it.
///
/// Entries and exits are counted only where the list existed the year before; the Brier score
/// counts every area either evaluated in `Y` or forecast for it (an area not forecast counts as
/// probability 0, an area not evaluated as off).
pub fn backtest(
    reg: &Registers,
    catalog: &Catalog,
    history: &History,
    opts: &Options,
    min_data_years: usize,
    progress: Progress<'_>,
) -> Result<Backtest, ForesightError> {
    let overrides = resolve(catalog, &opts.overrides)?;
    let eval_options = EvalOptions {
        without_origin: opts.without_origin,
        overrides: opts.overrides.clone(),
    };
    let actual = evaluate(
        catalog,
        &observations(reg, catalog, &overrides),
        history,
        &eval_options,
    )?;
    let data_years: Vec<i16> = reg.years.keys().copied().collect();
    let list_years: BTreeSet<i32> = actual.areas.iter().map(|a| a.list_year).collect();
    let years: Vec<i32> = list_years
        .iter()
        .copied()
        .filter(|y| {
            let known = y - 2;
            data_years.iter().any(|d| i32::from(*d) == known)
                && data_years
                    .iter()
                    .filter(|d| i32::from(**d) <= known)
                    .count()
                    >= min_data_years
        })
        .collect();
    if years.is_empty() {
        return Err(ForesightError::NothingToBacktest {
            needed: min_data_years,
            data_years,
        });
    }
    let mut scores = Vec::new();
    let mut summary: Vec<Score> = Vec::new();
    for (n, &year) in years.iter().enumerate() {
        progress(&format!("backtest {year}"), n as u64, years.len() as u64);
        let before = Registers {
            areas: reg.areas.clone(),
            years: reg
                .years
                .range(..=(year - 2) as i16)
                .map(|(y, c)| (*y, c.clone()))
                .collect(),
        };
        // The evaluation of the list years up to Y − 1 from the data up to Y − 2 is that of
        // the full data: each list year uses its own data years and earlier list years only.
        let base: Vec<&AreaEvaluation> =
            actual.areas.iter().filter(|a| a.list_year < year).collect();
        let f = forecast_with(
            &before,
            catalog,
            history,
            opts,
            Some(&base),
            &mut |_, _, _| {},
        )?;
        debug_assert_eq!(f.list_year, year);
        // What happened, from the full data.
        let mut happened: BTreeMap<(&str, &str), bool> = BTreeMap::new();
        let mut lists: Vec<(String, String)> = Vec::new();
        for a in actual.areas.iter().filter(|a| a.list_year == year) {
            for l in &a.lists {
                if l.outcome == ListOutcome::Undefined {
                    continue;
                }
                if !lists.iter().any(|(id, _)| *id == l.id) {
                    let name = catalog
                        .get(&l.rule_set)
                        .and_then(|r| r.list(&l.id))
                        .map_or_else(|| l.id.clone(), |d| d.name.clone());
                    lists.push((l.id.clone(), name));
                }
                happened.insert(
                    (a.area_id.as_str(), l.id.as_str()),
                    l.outcome == ListOutcome::On,
                );
            }
        }
        let forecast_of: BTreeMap<(&str, &str), (u32, Option<bool>)> = f
            .rows
            .iter()
            .map(|r| {
                (
                    (r.area_id.as_str(), r.list.as_str()),
                    (r.on_draws, r.on_now),
                )
            })
            .collect();
        let areas: BTreeSet<&str> = happened
            .keys()
            .chain(forecast_of.keys())
            .map(|(a, _)| *a)
            .collect();
        for (list, name) in lists {
            let existed = f.latest_list_year.is_some() && f.latest_lists.contains(&list);
            let mut tally = Tally::new(opts.draws);
            for area in &areas {
                let key = (*area, list.as_str());
                let (on_draws, on_before) = forecast_of
                    .get(&key)
                    .copied()
                    .unwrap_or((0, existed.then_some(false)));
                let on = happened.get(&key).copied().unwrap_or(false);
                tally.add(
                    &Outcome {
                        on_draws,
                        on_before,
                        on,
                    },
                    opts.flag_at,
                );
            }
            match summary.iter_mut().find(|s| s.list == list) {
                Some(s) => s.tally.merge(&tally),
                None => summary.push(Score {
                    list_year: None,
                    list: list.clone(),
                    list_name: name.clone(),
                    tally,
                }),
            }
            scores.push(Score {
                list_year: Some(year),
                list,
                list_name: name,
                tally,
            });
        }
    }
    progress("backtest", years.len() as u64, years.len() as u64);
    Ok(Backtest {
        draws: opts.draws,
        seed: opts.seed,
        min_data_years,
        years,
        scores,
        summary,
    })
}
