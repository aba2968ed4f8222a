//! # kvarter-foresight — early warning for the next 1 December
//!
//! Municipalities need to know months before 1 December where each housing area will land.
//! This crate gives, for every area and every list of the next list year, the probability of
//! being on it, from the latest data year and the area's own history; and it backtests that
//! forecast against every past list year the data allow.
//!
//! ## What is known and what is not
//!
//! The list of year `t` uses data year `t − 1`, and the averaged criteria (outside the labour
//! market and convicted, `window_years = 2` since 2013) use data years `t − 1` and `t − 2`.
//! With data up to year `D`, the product computes the lists up to `D + 1`; the next list year is
//! `N = D + 2`. For `N` half of every 2-year average is in hand (data year `D`) and the other
//! half is not (`D + 1`); the criteria that are not averaged (basic education, income,
//! residents, non-Western share) depend on the unknown year alone.
//!
//! ## The model ([`ChangeModel`])
//!
//! Next year's counts of an area are its latest counts moved by **one year-on-year change**,
//! drawn at random (a bootstrap) from the area's own changes over the latest
//! [`ModelOptions::history_years`] data years (11 by default: 10 changes). A change is a whole
//! year of the area: the ratio of residents and the change in percentage points of each share
//! (outside-labour full-time share of the 18–64, convicted share of the 18+, basic-education
//! share of the 30–59 in both definitions, non-Western share, and mean income as a share of the
//! region's). Drawing a whole year keeps the correlation between the criteria within an area.
//! This is [`Method::Walk`], a random walk with the area's own drift; [`Method::Trend`] (a line
//! per measure with AR(1) residuals) is the alternative, and backtests worse on the synthetic
//! country.
//!
//! **Shrinkage.** An area with `n` own changes draws from the **pool** (the changes of every
//! area with at least [`ModelOptions::pool_min_residents`] residents) with probability
//! `k / (k + n)`, `k` = [`ModelOptions::prior_changes`] (2 by default), and from its own
//! changes otherwise: an area with one year of history mostly behaves like areas in general, an
//! area with ten years mostly like itself.
//!
//! Counts stay whole and within their group: residents are scaled by the ratio (at least 1),
//! each age group with them, and each share moved, kept within [0, 1], and multiplied back to a
//! whole count. The references move too: the regions' convicted shares (whose sum is the
//! national average the convicted criterion compares with) by the changes of one past year,
//! the same year for every region in a draw; the regional mean income is held at its latest
//! value (the model moves the area's income *relative* to it). Areas move independently of one
//! another given the national reference.
//!
//! ## The forecast ([`forecast`])
//!
//! Each of [`Options::draws`] draws simulates data year `D + 1`, measures the criteria of `N`
//! as [`kvarter_data::observations`] measures them (so the known and the simulated year are averaged
//! exactly as the product averages them, under the rule set in force for `N`), and decides
//! them as [`kvarter_rules::evaluate`] does, against the history the product would use: the
//! published history, and the memberships the engine computes from the data for every earlier
//! list year, so that streaks ("omdannelsesområde": parallelsamfund in each of the last 5
//! years) count as they will. The probability of a list is the share of draws in which the area
//! is on it. Each row says whether the area is on the list in the latest list year and flags it
//! *entering* or *leaving* at [`Options::flag_at`] (0.5 by default).
//!
//! How it is computed, without changing a single draw: an area's criteria of `N` depend only on
//! its own counts and the regions (the national reference), and the regions of a draw only on
//! the past year whose changes move them. So every draw is simulated first, each with its own
//! generator; per area, draws giving it the same counts under the same regions' year are
//! measured and decided **once** and counted as often as they were drawn, the areas shared
//! among the threads. A distinct draw is measured with [`kvarter_data::Measure::area`] (the
//! function [`kvarter_data::observations`] measures every area with) and decided with the list
//! year's [`kvarter_rules::YearPlan`] (the outcomes [`kvarter_rules::evaluate`] gives for
//! observations of that year alone, without its traces and margins; a test in the rules crate
//! compares the two). The backtest hands each year's forecast the evaluation of the earlier
//! list years from its own evaluation of the full data instead of evaluating them again, and
//! `kvarter foresight` reads only the data years from [`first_data_year`] on.
//!
//! ## The backtest ([`backtest`])
//!
//! For every past list year `Y` with enough data years before it, the forecast stands at the eve
//! of `Y − 1` (data years up to `Y − 2` only) and is scored against the evaluation of `Y` from
//! the full data: the Brier score, the persistence forecast's Brier score ("as last year") and
//! the skill against it, entries and exits, how many of them were flagged in advance, and the
//! false alarms ([`Tally`]).
//!
//! ## Invariants
//!
//! - **Pure.** No IO of any kind: registers, rule sets and history come in as values; the
//!   command line reads the files and prints. Worker threads are used for the draws, nothing
//!   else.
//! - **Deterministic.** The same registers, rule sets, history, options and seed give the same
//!   result, whatever the number of threads: every draw has its own generator seeded from the
//!   seed and the draw's number ([`rng::SplitMix64::for_draw`]), and tallies are whole numbers.
//! - **The product's evaluation, never a copy of it.** Criteria are measured by
//!   [`kvarter_data::observations`] (and its [`kvarter_data::Measure`]) and lists decided by
//!   [`kvarter_rules::evaluate`] (and its [`kvarter_rules::YearPlan`]); this crate never
//!   compares a value with a threshold itself.
//! - **It never passes a forecast off as a list.** A probability is a statement about the
//!   model, not the law; the lists of a year come from `kvarter lists` alone.
//! - **Area-level only.** It sees counts per area, region and year, never a person.
//! - **The backtest never looks ahead**: the forecast of `Y` is made from data years up to
//!   `Y − 2` alone.

#![warn(missing_docs)]

mod backtest;
mod forecast;
mod model;
pub mod rng;

pub use backtest::{Backtest, Outcome, Score, Tally, backtest};
pub use forecast::{
    Forecast, ForesightError, ListForecast, Options, Outlook, Progress, first_data_year, forecast,
};
pub use model::{ChangeModel, MIN_POOL, Method, ModelOptions};

#[cfg(test)]
mod tests;
