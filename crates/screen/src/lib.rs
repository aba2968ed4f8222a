//! # kvarter-screen — the municipality's own screening
//!
//! Besides the state's lists of housing areas, Copenhagen designates its own *udsatte
//! byområder* (vulnerable urban areas) by a data-based screening of the whole city, and every
//! state-listed area is one of them automatically. This crate holds:
//!
//! - **specs as data** ([`Spec`], loaded from `rules/screening/*.toml` by [`Spec::parse`], with
//!   errors at a line and column): criteria compared with the city average as a ratio, a
//!   difference in points or a standard score, the direction in which each is bad, `k of n` or
//!   a composite score with a cut-off, the spatial unit and the minimum populations. Thresholds the
//!   policy does not publish are marked as kvarter's defaults (*kvarters standardværdi*);
//! - the fixed **indicator vocabulary** ([`VOCABULARY`]) that the data crate fills per unit;
//! - the **engine** ([`screen`]): each unit against each criterion, adjacent qualifying units
//!   merged into contiguous designated areas that reach the minimum population, single holes
//!   filled, units too small to publish marked, and for every share a Jeffreys interval, the
//!   probability that the true value meets the threshold, and an empirical-Bayes value shrunk
//!   toward the district beside the raw one;
//! - **over time** ([`vulnerability_index`], [`index_change`], [`gaps`], [`gap_goal`],
//!   [`compare_screenings`]): the composite index, the gap to the city average, the 2017 goal,
//!   and the areas that entered or left;
//! - **designation rounds** ([`rounds`]): every fourth year, stable ids across rounds and names
//!   a person recognises.
//!
//! Invariants: no IO (callers hand in text and counts); no persons, only counts per unit; no
//! knowledge of Arrow, SQL or HTTP. Thresholds are decimals compared exactly as written: a
//! ratio or difference of counts is computed in decimal arithmetic, so a unit at exactly
//! 1.5 × the city average meets `≥ 1.5` and not `> 1.5`. docs/SCREENING.md is the reference.

pub mod builtin;
mod engine;
pub mod geometry;
mod indicator;
pub mod rounds;
mod spec;
pub mod stats;
mod time;

pub use engine::{
    Area, AreaReason, Certainty, CityValue, CriterionResult, Estimate, Inclusion, Measure,
    Neighbours, Options, Screening, Unit, UnitResult, Values, screen,
};
pub use indicator::{Indicator, Kind, VOCABULARY, indicator};
pub use rust_decimal::Decimal;
pub use spec::{
    Compare, Criterion, Designation, Direction, Goal, InForce, Operator, Qualify, Score,
    SpatialUnit, Spec, SpecError, UnitKind,
};
pub use time::{
    Continuation, Gap, GapPoint, GoalCriterion, GoalOutcome, GoalStatus, Index, IndexChange,
    Revision, compare_areas, compare_screenings, gap_goal, gaps, index_change, points,
    vulnerability_index,
};
