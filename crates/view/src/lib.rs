//! # kvarter-view — what every face shows, and the one place that decides what may be shown
//!
//! A value travels one way: registers → counts → observations → evaluation → store → **view**
//! → every face (page, API, download, CLI text). This crate is the view: it builds one typed
//! model per question the product answers from rows the store read, and it applies the
//! disclosure policy while it does, so that a page and a download can never disagree and no
//! face can show a figure the policy suppressed.
//!
//! - [`disclosure`]: the policy (`docs/DISCLOSURE.md`) and [`Published`], the only type in
//!   which a figure that may rest on few persons reaches a face.
//! - [`area`]: one area-year's figures and each criterion's figures after the policy, with
//!   secondary suppression of nested groups.
//! - [`rows`]: the plain rows the store reads (the screening's tables, the download tables'
//!   rows), so that this crate needs no store.
//! - [`table`]: the model of a table to download ([`table::Table`], its columns and cells; a
//!   figure gets into a cell only through [`table::Cell::published`]), which `kvarter-export`
//!   writes in every format.
//! - [`download`]: the download tables (the lists of a year, every area with its values and
//!   lists, the early warning) that the dashboard's downloads and `kvarter export` share.
//! - [`plans`]: the plans' status, every indicator's progress from the area-years, each
//!   figure of the data through the policy ([`plans::measure_series`]).
//! - [`screening`]: the municipality's screening (designated areas, city values, publishable
//!   units) from the store's typed rows, with rule 6: small units never served, small
//!   numerators and denominators suppressed with their shares, nested groups, and an area's
//!   total minus its shown units never leaving a small count.
//!
//! ## Invariants
//!
//! - Pure: no IO, no SQL, no HTTP, no HTML. It receives rows and returns models.
//! - The disclosure policy is applied here and nowhere else; a face renders [`Published`]
//!   values through [`Published::view`] and has no way to recover a suppressed number.

pub mod area;
pub mod disclosure;
pub mod download;
pub mod headline;
pub mod plans;
pub mod population;
pub mod rows;
pub mod screening;
pub mod table;

pub use area::{DisclosedYear, Pool, PublishedCriterion, RawCriterion};
pub use disclosure::{
    DECIMAL_PATTERN, DEFAULT_MIN_COUNT, Policy, Published, PublishedDecimal, View,
};
pub use rows::VALUE_COLUMNS;

/// The language of text meant for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Danish (the default).
    #[default]
    Da,
    /// English.
    En,
}

impl Lang {
    /// Picks the Danish or the English text.
    pub fn t<'a>(self, da: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Da => da,
            Lang::En => en,
        }
    }
}
