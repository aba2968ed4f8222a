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
//! - [`rows`]: the plain rows the store reads (the screening's tables), so that this crate
//!   needs no store.
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
pub mod plans;
pub mod rows;
pub mod screening;

pub use area::{DisclosedYear, Pool, PublishedCriterion, RawCriterion};
pub use disclosure::{
    DECIMAL_PATTERN, DEFAULT_MIN_COUNT, Policy, Published, PublishedDecimal, View,
};
pub use rows::VALUE_COLUMNS;
