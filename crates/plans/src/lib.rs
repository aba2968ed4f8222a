//! # kvarter-plans — policies, action plans and helhedsplaner, tracked against the data
//!
//! Copenhagen's policy for vulnerable urban areas sets strategic goals with sub-goals; one joint
//! action plan (*handleplan*), revised every second year, lists the municipality's initiatives;
//! and the housing organisations run *boligsociale helhedsplaner* (challenge → goal → actions).
//! This crate holds them as data ([`model`]), computes each indicator's progress from the
//! area-year table ([`progress`](mod@progress)), reads and writes the whole set as CSV ([`csv`]), and seeds the
//! 2025–2035 policy for the demo ([`seed`]). [`xlsx`] reads a plans workbook's sheets with
//! memory bounded by the cells it holds, not by the addresses they claim.
//!
//! # Invariants
//!
//! - **No IO.** Readers take the files' contents (or any `Read`) with their names; writers return
//!   strings. Nothing here opens a file, a socket or a database.
//! - **Exact numbers.** Indicator values, baselines and targets are `Decimal`s; money is whole DKK
//!   (`i64`). Floating point is never used. The on-track test cross-multiplies instead of
//!   dividing, so it is exact.
//! - **Progress is computed, not typed in.** The plan carries baselines and targets only; the
//!   latest value, the required value, on track and the gap to the city come from the series the
//!   caller hands in.
//! - **Stable ids.** Every object has a string id that the CSV carries; the same initiative keeps
//!   its id across versions of the action plan, which is how versions are compared.
//! - **Honest seed.** Every object carries `illustrative` and `source`; anything not taken from the
//!   policy is marked illustrative and its source says what was assumed.
//! - **Lossless CSV.** For every set that [`Plans::validate`] accepts, `csv::read(&csv::write(p))`
//!   gives `p` back; every read error names the file, the line, the column (number and name)
//!   and what was expected.

#![warn(missing_docs)]

pub mod csv;
pub mod edit;
pub mod model;
pub mod progress;
pub mod seed;

pub use model::*;
pub use progress::{Progress, progress};
pub use rust_decimal::Decimal;

use std::fmt;

/// An error reading plans: the file, and where known the line, the column (1-based number and
/// header name) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The file's name as handed in.
    pub file: String,
    /// The 1-based line, when the error is at one.
    pub line: Option<u64>,
    /// The 1-based column number and its header name, when the error is at one.
    pub column: Option<(usize, String)>,
    /// What was expected (and what was found).
    pub message: String,
}

impl fmt::Display for PlanError {
    /// `file:line: column N (name): message`, leaving out what is not known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        write!(f, ": ")?;
        if let Some((n, name)) = &self.column {
            write!(f, "column {n} ({name}): ")?;
        }
        write!(f, "expected {}", self.message)
    }
}

impl std::error::Error for PlanError {}
