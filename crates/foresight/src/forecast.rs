//! The forecast: Monte Carlo over next year's counts, each draw evaluated by the real engine.

use crate::model::{ChangeModel, ModelOptions};
use crate::rng::SplitMix64;
use kvarter_data::{COLUMNS, Counts, Measure, Registers, YearCounts, observations};
use kvarter_rules::{
    AreaEvaluation, Catalog, Decimal, EvalError, EvalOptions, History, ListOutcome, RuleSet,
    YearPlan, evaluate,
};
use rust_decimal::RoundingStrategy;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Reports progress: `(step, done, total)` (the same shape as [`kvarter_data::Progress`]).
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

/// The options of a forecast (and of each year of a backtest).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The number of Monte Carlo draws.
    pub draws: u32,
    /// The seed: the same inputs, options and seed give the same forecast.
    pub seed: u64,
    /// Switch off the non-Western origin criterion, as `lists --without-origin` does.
    pub without_origin: bool,
    /// Rule-set ids to use instead of the ones in force (`--rules`), at most one per family.
    pub overrides: Vec<String>,
    /// How next year's counts are drawn.
    pub model: ModelOptions,
    /// An area off a list is flagged as entering when its probability is at least this; an
    /// area on a list is flagged as leaving when its probability of being off is at least this.
    pub flag_at: Decimal,
    /// Worker threads for the draws; `0` uses the available parallelism. The result does not
    /// depend on it.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            draws: 200,
            seed: 1,
            without_origin: false,
            overrides: Vec::new(),
            model: ModelOptions::default(),
            flag_at: Decimal::new(5, 1),
            threads: 0,
        }
    }
}

/// Why a forecast or backtest could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForesightError {
    /// The registers hold no data year.
    NoDataYears,
    /// `draws` was 0.
    NoDraws,
    /// No state-lists rule set governs the list year to forecast.
    NoRuleSet {
        /// The list year.
        list_year: i32,
    },
    /// The engine refused (an unknown `--rules` id, for example).
    Eval(EvalError),
    /// The backtest found no list year with enough data years before it.
    NothingToBacktest {
        /// Data years needed up to and including the known year `Y − 2` of a list year `Y`.
        needed: usize,
        /// The data years present.
        data_years: Vec<i16>,
    },
}

impl fmt::Display for ForesightError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForesightError::NoDataYears => {
                write!(f, "no data year; expected at least one persons-YYYY file")
            }
            ForesightError::NoDraws => write!(f, "expected at least 1 draw"),
            ForesightError::NoRuleSet { list_year } => write!(
                f,
                "the next list year is {list_year} (the latest data year + 2), and no rule set of the state's lists governs it; expected data years whose next list has a rule set (the first list is of {})",
                kvarter_rules::FIRST_LIST_YEAR
            ),
            ForesightError::Eval(e) => e.fmt(f),
            ForesightError::NothingToBacktest { needed, data_years } => write!(
                f,
                "no list year can be backtested: a list year Y needs data year Y − 2, at least {needed} data years up to it, and a rule set of its own; data years present: {}",
                data_years
                    .iter()
                    .map(i16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for ForesightError {}

impl From<EvalError> for ForesightError {
    fn from(e: EvalError) -> ForesightError {
        ForesightError::Eval(e)
    }
}

/// Where an area stands on one list, looking ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outlook {
    /// Off now (or the list is new) and the probability of being on is at least `flag_at`.
    Entering,
    /// On now and the probability of being off is at least `flag_at`.
    Leaving,
    /// On now and likely to stay on.
    StayingOn,
    /// Off now and likely to stay off.
    StayingOff,
}

impl Outlook {
    /// A short English word for tables and files.
    pub fn as_str(self) -> &'static str {
        match self {
            Outlook::Entering => "entering",
            Outlook::Leaving => "leaving",
            Outlook::StayingOn => "staying_on",
            Outlook::StayingOff => "staying_off",
        }
    }
}

/// One area and one list of the forecast year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListForecast {
    /// Area id.
    pub area_id: String,
    /// Area name.
    pub area_name: String,
    /// Municipality name.
    pub municipality: String,
    /// The rule set of the list.
    pub rule_set: String,
    /// The list id.
    pub list: String,
    /// The list's Danish name.
    pub list_name: String,
    /// Whether the area is on the list in the latest list year the data give; `None` when
    /// that year has no list of this id (a new list) or no list year could be evaluated.
    pub on_now: Option<bool>,
    /// In how many draws the area is on the list.
    pub on_draws: u32,
    /// The number of draws.
    pub draws: u32,
    /// `on_draws / draws`, rounded to 3 decimals.
    pub probability: Decimal,
    /// Entering, leaving or staying.
    pub outlook: Outlook,
}

impl ListForecast {
    /// The probability of being off the list next year (`1 − probability`, 3 decimals).
    pub fn probability_off(&self) -> Decimal {
        fraction(self.draws - self.on_draws, self.draws)
    }
}

/// The forecast of the next list year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecast {
    /// The list year forecast (the latest data year + 2).
    pub list_year: i32,
    /// The latest data year: known, and half of every 2-year average.
    pub known_data_year: i16,
    /// The latest list year the data give (the year before `list_year`), if a rule set
    /// governs it.
    pub latest_list_year: Option<i32>,
    /// The lists defined in the latest list year.
    pub latest_lists: Vec<String>,
    /// The number of draws.
    pub draws: u32,
    /// The seed.
    pub seed: u64,
    /// The areas modelled.
    pub areas: usize,
    /// One row per area and list defined in the forecast year, by area id and then in the
    /// rule sets' order of lists.
    pub rows: Vec<ListForecast>,
}

/// Per cell (area × list): the draws in which the area is on the list, and whether the list is
/// undefined for it (without origin).
struct Tallies {
    on: Vec<u32>,
    undefined: Vec<bool>,
}

impl Tallies {
    fn new(cells: usize) -> Tallies {
        Tallies {
            on: vec![0; cells],
            undefined: vec![false; cells],
        }
    }
}

/// The simulated counts of every draw: per draw, the counts of each row (a modelled area, in
/// row order) and the regions' year of the draw.
struct Draws {
    rows: Vec<Vec<Counts>>,
    regions_year: Vec<Option<usize>>,
}

impl Draws {
    /// Simulates draws `0..opts.draws`, each with the generator of its number
    /// ([`SplitMix64::for_draw`]); threads take contiguous ranges of draws, and every draw's
    /// result is the same whichever thread makes it.
    fn simulate(
        model: &ChangeModel,
        n_areas: usize,
        area_ix: &[usize],
        opts: &Options,
        threads: usize,
    ) -> Draws {
        let all: Vec<u32> = (0..opts.draws).collect();
        let chunk = all.len().div_ceil(threads);
        let parts: Vec<Vec<(Vec<Counts>, Option<usize>)>> = std::thread::scope(|s| {
            let handles: Vec<_> = all
                .chunks(chunk)
                .map(|ds| {
                    s.spawn(move || {
                        let mut buf = vec![Counts::default(); n_areas];
                        ds.iter()
                            .map(|d| {
                                let mut rng = SplitMix64::for_draw(opts.seed, u64::from(*d));
                                let year = model.simulate_areas(&mut rng, &mut buf);
                                (area_ix.iter().map(|i| buf[*i]).collect(), year)
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a forecast worker panicked"))
                .collect()
        });
        let (rows, regions_year) = parts.into_iter().flatten().unzip();
        Draws { rows, regions_year }
    }
}

/// One distinct outcome of a row: the area's counts, the regions' year, and in how many draws.
struct Distinct {
    counts: Counts,
    regions_year: Option<usize>,
    times: u32,
}

/// The exact bits of an area's counts and the regions' year: equal keys, equal draws.
type Key = ([u64; 11], Option<usize>);

fn key(c: &Counts, regions_year: Option<usize>) -> Key {
    (
        [
            c.residents,
            c.non_western,
            c.n_18_64,
            c.outside_fte.to_bits(),
            c.n_18_plus,
            c.convicted,
            c.n_30_59,
            c.basic_unknown_as_basic,
            c.basic_danish_or_approved,
            c.n_income,
            c.income_sum.to_bits(),
        ],
        regions_year,
    )
}

/// A fast hasher for the draws' keys (the multiply-rotate of rustc's `FxHasher`): the keys are
/// not chosen by anyone who could make them collide, and hashing every draw of every row with
/// SipHash took a noticeable share of the backtest.
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// Per row, its distinct draws in the order they are first drawn.
fn distinct_per_row(draws: &Draws, rows: usize, threads: usize) -> Vec<Vec<Distinct>> {
    let all: Vec<usize> = (0..rows).collect();
    let chunk = rows.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = all
            .chunks(chunk)
            .map(|rs| {
                s.spawn(move || {
                    rs.iter()
                        .map(|&row| {
                            let mut seen: HashMap<Key, usize, FxBuild> =
                                HashMap::with_capacity_and_hasher(
                                    draws.rows.len(),
                                    FxBuild::default(),
                                );
                            let mut out: Vec<Distinct> = Vec::new();
                            for (counts, year) in draws.rows.iter().zip(&draws.regions_year) {
                                let c = counts[row];
                                let n = *seen.entry(key(&c, *year)).or_insert_with(|| {
                                    out.push(Distinct {
                                        counts: c,
                                        regions_year: *year,
                                        times: 0,
                                    });
                                    out.len() - 1
                                });
                                out[n].times += 1;
                            }
                            out
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a forecast worker panicked"))
            .collect()
    })
}

/// `num / den` rounded to 3 decimals and written with 3 (`1.000`) (`den > 0`).
pub(crate) fn fraction(num: u32, den: u32) -> Decimal {
    let mut d = (Decimal::from(num) / Decimal::from(den))
        .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(3);
    d
}

/// `--rules` ids resolved to rule sets, refused when unknown.
pub(crate) fn resolve<'a>(
    catalog: &'a Catalog,
    ids: &[String],
) -> Result<Vec<&'a RuleSet>, ForesightError> {
    ids.iter()
        .map(|id| {
            catalog.get(id).ok_or_else(|| {
                ForesightError::Eval(EvalError::UnknownRuleSet {
                    id: id.clone(),
                    known: catalog.rule_sets().iter().map(|r| r.id.clone()).collect(),
                })
            })
        })
        .collect()
}

/// The history the forecast year's streaks look back on: the published history for the years
/// the data do not give, and the memberships the engine computed for the years they do.
pub(crate) fn combined_history(history: &History, evaluation: &[&AreaEvaluation]) -> History {
    let computed: BTreeSet<i32> = evaluation.iter().map(|a| a.list_year).collect();
    let mut out = History::new();
    for y in history.years().filter(|y| !computed.contains(y)) {
        out.add_year(y);
    }
    for (y, area, list) in history.entries() {
        if !computed.contains(&y) {
            out.add(y, area, list);
        }
    }
    for y in &computed {
        out.add_year(*y);
    }
    for a in evaluation {
        for l in a.on() {
            out.add(a.list_year, &a.area_id, &l.id);
        }
    }
    out
}

/// The earliest data year a forecast from the data years up to `latest` reads: the model's
/// [`ModelOptions::history_years`](crate::ModelOptions::history_years), and the data years of
/// every list year whose lists the forecast looks at (the latest list year's, for "on the list
/// now"; the earlier years of the forecast year's streaks, and of theirs, through the lists
/// they count, exclude or are made of), each list year with the longest averaging window of
/// its rule sets. Earlier data years do not change the forecast: a list year's lists use its
/// own data years and the earlier list years its streaks look back on, and the forecast is the
/// same whether or not the registers hold the years before this one (a test compares them).
/// A caller that reads the registers itself can leave the earlier years unread.
///
/// # Errors
///
/// An unknown rule set among [`Options::overrides`].
pub fn first_data_year(
    catalog: &Catalog,
    opts: &Options,
    latest: i16,
) -> Result<i16, ForesightError> {
    let overrides = resolve(catalog, &opts.overrides)?;
    let list_year = i32::from(latest) + 2;
    let mut first = i32::from(latest) + 1 - opts.model.history_years.max(1) as i32;
    // (list year, list id) still to visit, and those visited.
    let mut todo: Vec<(i32, String)> = Vec::new();
    for y in [list_year - 1, list_year] {
        for rs in catalog.select(y, &overrides) {
            todo.extend(rs.lists.iter().map(|l| (y, l.id.clone())));
        }
    }
    let mut seen: BTreeSet<(i32, String)> = BTreeSet::new();
    while let Some((y, id)) = todo.pop() {
        if y < kvarter_rules::FIRST_LIST_YEAR || !seen.insert((y, id.clone())) {
            continue;
        }
        let rule_sets = catalog.select(y, &overrides);
        let window = rule_sets
            .iter()
            .flat_map(|r| r.all_criteria())
            .filter_map(|c| c.window_years)
            .max()
            .unwrap_or(1)
            .max(1) as i32;
        first = first.min(y - window);
        for l in rule_sets
            .iter()
            .flat_map(|r| &r.lists)
            .filter(|l| l.id == id)
        {
            for other in l
                .condition
                .lists()
                .into_iter()
                .chain(l.excludes.iter().map(String::as_str))
            {
                todo.push((y, other.to_string()));
            }
            if let Some(s) = &l.streak {
                let (required, _) = s.years_for(y);
                for back in 1..i32::try_from(required).unwrap_or(i32::MAX) {
                    for c in &s.counts_as {
                        todo.push((y - back, c.clone()));
                    }
                }
            }
        }
    }
    Ok(i16::try_from(first).unwrap_or(i16::MIN))
}

/// The probability of each area being on each list of the next list year.
///
/// The next list year `N` is the latest data year `D` plus 2: the list of `N` uses data year
/// `N − 1 = D + 1`, which is not in hand, and (for 2-year averages) `N − 2 = D`, which is.
/// Every draw simulates data year `D + 1` with [`ChangeModel::simulate`], measures the
/// criteria with [`kvarter_data::observations`] exactly as the product does (averages over the
/// known years and the simulated one), and evaluates them with [`kvarter_rules::evaluate`]
/// against the real history: the published `history` and the memberships computed from the
/// data for every earlier list year, so streaks count as they will.
pub fn forecast(
    reg: &Registers,
    catalog: &Catalog,
    history: &History,
    opts: &Options,
    progress: Progress<'_>,
) -> Result<Forecast, ForesightError> {
    forecast_with(reg, catalog, history, opts, None, progress)
}

/// [`forecast`], with the product's evaluation of every list year `reg` gives when the caller
/// has it (`base`: exactly what `evaluate(observations(reg))` returns, in its order); the
/// backtest hands in the list years before the one it forecasts from its evaluation of the
/// full data, which are the same (a list year's evaluation uses its own data years and the
/// years before it only).
pub(crate) fn forecast_with(
    reg: &Registers,
    catalog: &Catalog,
    history: &History,
    opts: &Options,
    base: Option<&[&AreaEvaluation]>,
    progress: Progress<'_>,
) -> Result<Forecast, ForesightError> {
    if opts.draws == 0 {
        return Err(ForesightError::NoDraws);
    }
    let overrides = resolve(catalog, &opts.overrides)?;
    let model = ChangeModel::fit(reg, &opts.model).ok_or(ForesightError::NoDataYears)?;
    let known = model.latest_year;
    let list_year = i32::from(known) + 2;
    let rule_sets = catalog.select(list_year, &overrides);
    if list_year < kvarter_rules::FIRST_LIST_YEAR
        || !rule_sets.iter().any(|r| r.family == "state-lists")
    {
        return Err(ForesightError::NoRuleSet { list_year });
    }
    let eval_options = EvalOptions {
        without_origin: opts.without_origin,
        overrides: opts.overrides.clone(),
    };

    // The product's own evaluation of every list year the data give.
    let own;
    let base: Vec<&AreaEvaluation> = match base {
        Some(b) => b.to_vec(),
        None => {
            own = evaluate(
                catalog,
                &observations(reg, catalog, &overrides),
                history,
                &eval_options,
            )?;
            own.areas.iter().collect()
        }
    };
    let latest_list_year = list_year - 1;
    let latest: Vec<&AreaEvaluation> = base
        .iter()
        .copied()
        .filter(|a| a.list_year == latest_list_year)
        .collect();
    let latest_lists: Vec<String> = {
        let mut ids: Vec<String> = Vec::new();
        for a in &latest {
            for l in &a.lists {
                if l.outcome != ListOutcome::Undefined && !ids.contains(&l.id) {
                    ids.push(l.id.clone());
                }
            }
        }
        ids
    };
    let on_latest: HashMap<(&str, &str), ListOutcome> = latest
        .iter()
        .flat_map(|a| {
            a.lists
                .iter()
                .map(move |l| ((a.area_id.as_str(), l.id.as_str()), l.outcome))
        })
        .collect();
    let combined = combined_history(history, &base);

    // The rows: every modelled area (sorted by id, as the engine sorts) times every list.
    let lists: Vec<(&RuleSet, &kvarter_rules::ListDef)> = rule_sets
        .iter()
        .flat_map(|r| r.lists.iter().map(move |l| (*r, l)))
        .collect();
    let mut area_ix: Vec<usize> = (0..reg.areas.len())
        .filter(|i| {
            let a = &reg.areas[*i];
            a.social_housing
                && reg
                    .years
                    .get(&known)
                    .is_some_and(|y| y.areas[*i].residents > 0)
        })
        .collect();
    area_ix.sort_by(|a, b| reg.areas[*a].id.cmp(&reg.areas[*b].id));
    let list_of: HashMap<(&str, &str), usize> = lists
        .iter()
        .enumerate()
        .map(|(n, (r, l))| ((r.id.as_str(), l.id.as_str()), n))
        .collect();
    let cells = area_ix.len() * lists.len();

    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, opts.draws as usize);
    progress("forecasting", 0, u64::from(opts.draws));

    // 1. Simulate every draw, each with its own generator: per draw, the counts of every row
    //    and the regions' year.
    let draws = Draws::simulate(&model, reg.areas.len(), &area_ix, opts, threads);

    // 2. Per row, the distinct outcomes of the draws: an area's criteria of the list year
    //    depend on its own counts and the regions alone, so draws that give an area the same
    //    counts and the regions the same year give it the same lists. Each distinct one is
    //    measured and evaluated once and counted as often as it was drawn.
    let distinct = distinct_per_row(&draws, area_ix.len(), threads);

    // 3. Measure and decide each distinct draw of a row: its criteria of the list year as
    //    `kvarter_data::observations` measures them (`Measure::area`, the data year N − 1
    //    simulated, the earlier years of the windows known), its lists as
    //    `kvarter_rules::evaluate` decides them for observations of the list year alone
    //    (`YearPlan`, the earlier years of a streak from the combined history).
    let plan = YearPlan::new(catalog, list_year, &COLUMNS, &eval_options)?;
    let plan_cols: Vec<Option<usize>> = plan
        .lists()
        .map(|(r, l)| list_of.get(&(r, l)).copied())
        .collect();
    let state = rule_sets
        .iter()
        .find(|r| r.family == "state-lists")
        .expect("checked above");
    let measure = Measure::of(state);
    let year_back = |back: u32| {
        i16::try_from(list_year - back as i32)
            .ok()
            .and_then(|y| reg.years.get(&y))
    };
    // Per regions' year of a draw: the simulated year's regions and the national convicted
    // share of the list year.
    let mut regions_years: Vec<Option<usize>> = draws.regions_year.clone();
    regions_years.sort_unstable();
    regions_years.dedup();
    let references: HashMap<Option<usize>, (YearCounts, Option<Decimal>)> = regions_years
        .into_iter()
        .map(|ry| {
            let mut simulated = YearCounts::new(known + 1, 0);
            simulated.regions = model.regions(ry);
            let nationals: Vec<Option<Counts>> = (1..=measure.convicted_window())
                .map(|back| {
                    if back == 1 {
                        Some(simulated.national())
                    } else {
                        year_back(back).map(YearCounts::national)
                    }
                })
                .collect();
            let national = measure.national_convicted(&nationals);
            (ry, (simulated, national))
        })
        .collect();
    // One row: per list column, the draws on it and whether it is undefined.
    let decide_row = |row: usize, out: &mut [u32], undef: &mut [bool]| {
        let i = area_ix[row];
        let area = &reg.areas[i];
        let streaks = plan.streaks(&area.id, &combined);
        let known_of = |window: u32| -> Vec<Option<&Counts>> {
            (2..=window)
                .map(|back| year_back(back).map(|y| &y.areas[i]))
                .collect()
        };
        let (known_labour, known_convicted) = (
            known_of(measure.labour_window()),
            known_of(measure.convicted_window()),
        );
        let mut outcomes = Vec::with_capacity(plan_cols.len());
        let mut labour = Vec::with_capacity(known_labour.len() + 1);
        let mut convicted = Vec::with_capacity(known_convicted.len() + 1);
        for x in &distinct[row] {
            // `observations` measures an area only with residents in the data year.
            if x.counts.residents == 0 {
                continue;
            }
            let (simulated, national) = &references[&x.regions_year];
            labour.clear();
            labour.push(Some(&x.counts));
            labour.extend_from_slice(&known_labour);
            convicted.clear();
            convicted.push(Some(&x.counts));
            convicted.extend_from_slice(&known_convicted);
            let values = measure.area(
                &labour,
                &convicted,
                &x.counts,
                simulated.regions.get(&area.region),
                *national,
            );
            plan.decide(&values, &streaks, &mut outcomes);
            for (col, outcome) in plan_cols.iter().zip(&outcomes) {
                let Some(col) = col else { continue };
                match outcome {
                    ListOutcome::On => out[*col] += x.times,
                    ListOutcome::Off => {}
                    ListOutcome::Undefined => undef[*col] = true,
                }
            }
        }
    };
    // 4. Tally: each distinct outcome counted as many times as it was drawn. Whole numbers, so
    //    the sums do not depend on the order or the threads. The rows are shared among the
    //    threads in rounds (progress is reported between them), each thread a contiguous range.
    let mut total = Tallies::new(cells);
    let width = lists.len();
    let rows_total = area_ix.len();
    let round = (threads * 64).max(1);
    let mut done = 0;
    for first in (0..rows_total).step_by(round) {
        let last = (first + round).min(rows_total);
        let on = &mut total.on[first * width..last * width];
        let undefined = &mut total.undefined[first * width..last * width];
        let per_thread = (last - first).div_ceil(threads).max(1);
        std::thread::scope(|s| {
            for ((k, on), undefined) in on
                .chunks_mut(per_thread * width)
                .enumerate()
                .zip(undefined.chunks_mut(per_thread * width))
            {
                let decide_row = &decide_row;
                s.spawn(move || {
                    for (n, (on, undefined)) in on
                        .chunks_mut(width)
                        .zip(undefined.chunks_mut(width))
                        .enumerate()
                    {
                        decide_row(first + k * per_thread + n, on, undefined);
                    }
                });
            }
        });
        done = last;
        let at = done as u64 * u64::from(opts.draws) / rows_total.max(1) as u64;
        progress("forecasting", at, u64::from(opts.draws));
    }
    debug_assert_eq!(done, rows_total);
    progress("forecasting", u64::from(opts.draws), u64::from(opts.draws));
    let Tallies { on, undefined } = total;

    let draws = opts.draws;
    let flag = opts.flag_at * Decimal::from(draws);
    let mut rows = Vec::new();
    for (row, &i) in area_ix.iter().enumerate() {
        let area = &reg.areas[i];
        for (col, (rs, l)) in lists.iter().enumerate() {
            let cell = row * lists.len() + col;
            if undefined[cell] {
                continue;
            }
            let on_now = if latest.is_empty() || !latest_lists.contains(&l.id) {
                None
            } else {
                match on_latest.get(&(area.id.as_str(), l.id.as_str())) {
                    Some(ListOutcome::On) => Some(true),
                    Some(ListOutcome::Undefined) => None,
                    Some(ListOutcome::Off) | None => Some(false),
                }
            };
            let k = on[cell];
            let outlook = if on_now == Some(true) {
                if Decimal::from(draws - k) >= flag {
                    Outlook::Leaving
                } else {
                    Outlook::StayingOn
                }
            } else if Decimal::from(k) >= flag {
                Outlook::Entering
            } else {
                Outlook::StayingOff
            };
            rows.push(ListForecast {
                area_id: area.id.clone(),
                area_name: area.name.clone(),
                municipality: area.municipality_name.clone(),
                rule_set: rs.id.clone(),
                list: l.id.clone(),
                list_name: l.name.clone(),
                on_now,
                on_draws: k,
                draws,
                probability: fraction(k, draws),
                outlook,
            });
        }
    }
    Ok(Forecast {
        list_year,
        known_data_year: known,
        latest_list_year: (!latest.is_empty()).then_some(latest_list_year),
        latest_lists,
        draws,
        seed: opts.seed,
        areas: area_ix.len(),
        rows,
    })
}
