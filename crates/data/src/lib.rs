//! # kvarter-data — from register microdata to the criteria
//!
//! - [`schema`]: the person-year columns of a register extract (`docs/REGISTERS.md`);
//! - [`read_registers`]: reads `areas.csv` and one `persons-YYYY.parquet` (or `.csv`) per data
//!   year, validating every cell, and counts them in one pass per file;
//! - [`observations`]: turns the counts into the criteria of each list year, measured the way
//!   the rule set in force measures them, as [`kvarter_rules::Observation`]s: the same values a
//!   criteria CSV carries, so the engine sees one input whichever door the data came through.
//!
//! - [`read_units`]: one data year counted into the units the municipal screening uses (grid
//!   cells or areas).
//!
//! Invariants: person-level values never leave this crate, only counts per area, region and year;
//! an error names the file, the row (or line) and the column; the result does not depend on the
//! number of threads (row groups are counted separately and merged in order).

mod agg;
mod pages;
mod read;
pub mod schema;
mod units;

pub use agg::{
    Area, COLUMNS, Counts, DECIMALS, Measure, Registers, Values, YearCounts, observations,
};
pub use read::{
    DataError, Location, Progress, SYNTH_MARKER, check_complete, read_areas, read_areas_from,
    read_persons_csv, read_registers,
};
pub use units::{
    AreaTable, AreaTables, CellCounts, Fraction, UNDATED, Units, read_area_tables, read_units,
};
