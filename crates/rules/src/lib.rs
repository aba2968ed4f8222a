//! # kvarter-rules — the law as code
//!
//! This crate is the heart of kvarter and an API boundary. It holds:
//!
//! - the **model** of a dated rule set ([`RuleSet`]): criteria that carry the paragraph they
//!   implement and the Danish words of that paragraph, and lists composed of criteria, other
//!   lists, exclusions and streaks;
//! - a **loader** that parses rule sets from TOML text ([`RuleSet::parse`]) with errors that
//!   point at a line and column;
//! - the **built-in** rule sets shipped in the repository's `rules/` folder ([`builtin`]);
//! - the **engine** ([`evaluate`]) that takes criterion values per area and list year and returns
//!   every criterion's value, threshold, outcome and margin, every list the area is on and why;
//! - **scenario tests as data** ([`scenario`]), readable by a housing lawyer.
//!
//! Invariants: no IO (callers hand in text and values), no floating point anywhere a number of
//! the law is compared (all values are [`Decimal`]s compared exactly as written), no knowledge of
//! CSV, Arrow, SQL or HTTP.

pub mod builtin;
mod engine;
mod expr;
mod load;
mod model;
pub mod scenario;

pub use engine::{
    AreaEvaluation, AreaStreaks, CriterionOutcome, CriterionResult, EvalError, EvalOptions,
    Evaluation, History, ListOutcome, ListResult, Membership, MembershipSource, Observation,
    PersonMargin, StreakTrace, StreakYear, Trace, YearPlan, evaluate,
};
pub use expr::{Expr, ExprError, MAX_DEPTH};
pub use load::{Catalog, MAX_WINDOW_YEARS, RuleError, decimal_of};
pub use model::{
    Average, BasicEducation, Criterion, InForce, ListDef, Measurement, Operator, Override, RuleSet,
    Streak, Threshold, Unit, WithoutOrigin,
};
pub use rust_decimal::Decimal;

/// The first list year any rule set covers: the first ghetto list was published on 1 October 2010.
pub const FIRST_LIST_YEAR: i32 = 2010;
