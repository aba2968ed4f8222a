//! # kvarter-export — the tables a user downloads
//!
//! A [`Table`] is a title, typed [`Column`]s, rows of [`Cell`]s and free-text notes (source,
//! rule set, suppression rule). It is written as
//!
//! - CSV by [`csv()`], in one of two [`Dialect`]s: [`Dialect::Standard`] for machines (comma,
//!   decimal point, column keys as header) and [`Dialect::Danish`] for a Danish spreadsheet
//!   (semicolon, decimal comma, column labels as header, UTF-8 with a byte order mark);
//! - a real Excel workbook by [`xlsx()`]: typed cells (numbers are numbers with a number format
//!   of the column's decimal places), a bold, frozen header row with an autofilter, column widths
//!   fitted to the content and the notes below the table;
//! - GeoJSON by [`geojson()`], one feature per row with the row's polygon: RFC 7946 on WGS 84
//!   ([`Crs::Wgs84`], projected from the store's EPSG:25832 by [`utm32_to_wgs84`]) or
//!   EPSG:25832 as stored with the legacy `crs` member ([`Crs::Utm32`]);
//! - an OGC GeoPackage 1.2 by [`gpkg()`] (an SQLite file built in memory: the required
//!   `gpkg_*` tables and one feature table with typed columns and GeoPackage binary geometry);
//! - Parquet by [`parquet()`]: an Arrow schema typed from the columns, decimals as
//!   `Decimal128`, suppressed counts as null with a `<key>_suppressed` flag, the notes in the
//!   metadata.
//!
//! Used by the web server for downloads and by `kvarter export`; the caller decides where the
//! bytes go. The geographic writers take one stored GeoJSON geometry (or `None`) per row.
//!
//! # Invariants
//!
//! - **Pure**: the writers take a `&Table` and return bytes (`Vec<u8>`); no file, network or
//!   clock is touched.
//! - **Deterministic**: the same table (in the same dialect or language) gives the same bytes,
//!   run after run. The XLSX document creation and modification date is fixed at
//!   [`XLSX_CREATED`] and the zip entries carry a fixed timestamp; the GeoPackage's
//!   `last_change` is [`GPKG_LAST_CHANGE`]; GeoJSON and Parquet carry no time at all. (The
//!   GeoPackage is SQLite's file image and the Parquet file names the writer's version, so
//!   bytes are equal for the same build of kvarter.)
//! - **Exact decimals in every format that can hold them**: GeoJSON writes a decimal as a JSON
//!   number from its text (`41.30`), Parquet as `Decimal128` at the column's scale (widened to
//!   the most decimals a cell has, so nothing is rounded). Only XLSX and the GeoPackage's
//!   `REAL` columns take the double nearest the exact decimal, since spreadsheets and GIS
//!   compute with doubles.
//! - **Coordinates**: the store's geometry is EPSG:25832 and is written as held, or projected
//!   to WGS 84 by Krüger's series (sixth order, Karney 2011), which agrees with PROJ to well
//!   under a millimetre in Denmark (a test checks reference points computed with PROJ);
//!   WGS 84 coordinates are rounded to 7 decimals (about 1 cm). Rings are closed and follow
//!   the right-hand rule (exterior counter-clockwise) in every geographic format.
//! - **Typed formats refuse what does not fit**: text in a numeric column, a fraction in a
//!   column of whole numbers, or two columns whose names clash (case-insensitively, counting
//!   the added `<key>_suppressed` flags and the GeoPackage's `fid` and `geom`) is an
//!   [`ExportError`] naming the row and column, never a silently changed value.
//! - **Exact decimals**: a [`Cell::Decimal`] is a [`rust_decimal::Decimal`] and CSV writes it
//!   exactly as held, with its scale (`2.40` stays `2.40`, or `2,40` in Danish), never through
//!   `f64`. XLSX converts to `f64` only at the cell write, and then to the double nearest the
//!   exact decimal (Excel stores every number as a double: up to 15 significant digits survive).
//! - **Suppressed is never empty**: a [`Cell::Suppressed`] is written as the text `<5` (for
//!   `min_count: 5`), so a reader sees that a small count was hidden, not missing. In the typed
//!   formats (GeoPackage, Parquet) a numeric column cannot hold that text: the value is null
//!   and the `<key>_suppressed` column beside it is true.
//! - **Rectangular**: every row has exactly one cell per column; a row that does not is an
//!   [`ExportError::RowLength`] naming the row, from both writers.
//! - **Never panics on user data**: titles, labels and text of any content and length give
//!   either bytes or an [`ExportError`] (a table larger than a worksheet, a text longer than an
//!   Excel cell holds).
//! - **Notes are never in the table**: CSV is pure table (a header and one line per row), so
//!   that it parses as-is, and a caller offering CSV shows the notes beside the download; XLSX
//!   has them below the table, GeoJSON in a `notes` member, the GeoPackage in
//!   `gpkg_contents.description`, Parquet in its `kvarter:notes` metadata.
//! - **Text is never a formula**: CSV writes text as-is except that a text cell (or heading)
//!   beginning with `=`, `+`, `-`, `@`, a tab or a carriage return, and not a plain number such
//!   as `-1.5`, gets a leading `'` ([`formula_safe`], OWASP's rule), so that a spreadsheet opening
//!   the file never evaluates it; numbers ([`Cell::Integer`], [`Cell::Decimal`]) are written as
//!   numbers. XLSX always writes text as a string, never a formula, and unchanged.
//!
//! Percentages ([`Kind::Percent`]) are percentage points (`41.30` means 41.30 %) everywhere: the
//! CSV value, the XLSX cell value and the law's thresholds are the same number. XLSX shows them
//! with a plain `0.00` format (not Excel's `%` format, which would need the value divided by
//! 100), and the heading says "(%)" (see [`Column::heading`]).

//! [`plans_xlsx`] is the other file format here: the plans and goals of kvarter-plans as one
//! workbook and back (`kvarter plans export/import` and the dashboard's plans download).

#![warn(missing_docs)]

mod columnar;
mod delimited;
mod geo;
mod geojson;
mod gpkg;
pub mod plans_xlsx;
pub mod report_xlsx;
pub mod sparse_xlsx;
mod typed;
mod workbook;

use std::fmt;

pub use columnar::{PARQUET_LABEL_KEY, PARQUET_NOTES_KEY, PARQUET_TITLE_KEY, parquet};
pub use delimited::{csv, formula_safe};
pub use geo::{Crs, utm32_to_wgs84};
pub use geojson::{UTM32_URN, WGS84_DECIMALS, geojson};
pub use gpkg::{GPKG_APPLICATION_ID, GPKG_LAST_CHANGE, GPKG_USER_VERSION, gpkg};
pub use kvarter_view::table::{Cell, Column, Kind, MAX_PLACES, RowLength, Table};
pub use rust_decimal::Decimal;
pub use workbook::{XLSX_CREATED, book, xlsx};

/// The text a suppressed count is written as, in CSV and XLSX alike: `<{min_count}`, e.g. `<5`.
pub fn suppressed_marker(min_count: u64) -> String {
    format!("<{min_count}")
}

/// The flavour of CSV written by [`csv()`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// For machines: comma separator, decimal point, header = column keys, UTF-8 without a
    /// byte order mark.
    Standard,
    /// For a Danish spreadsheet: semicolon separator, decimal comma, header = column headings
    /// ([`Column::heading`]), UTF-8 with a byte order mark so that Excel reads it as UTF-8;
    /// no thousands separator.
    Danish,
}

/// The language of the words [`xlsx()`] adds itself (the notes heading, the fallback worksheet
/// name); the table's own title, labels and text are written as given.
///
/// Numbers need no language: a Danish Excel shows the decimal comma by itself, from the
/// computer's locale, since the workbook holds numbers and not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Danish (the default).
    #[default]
    Da,
    /// English.
    En,
}

impl Lang {
    /// Picks the Danish or the English text.
    fn t(self, da: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Da => da,
            Lang::En => en,
        }
    }
}

/// Why a table could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportError {
    /// A row whose number of cells is not the number of columns.
    RowLength {
        /// The row's index in [`Table::rows`] (0-based, the header not counted).
        row: usize,
        /// The cells the row has.
        cells: usize,
        /// The columns the table has.
        columns: usize,
    },
    /// The table does not fit a worksheet (1,048,576 rows, the header and the notes counted,
    /// by 16,384 columns).
    TooLarge {
        /// The worksheet rows needed.
        rows: usize,
        /// The columns.
        columns: usize,
    },
    /// The XLSX writer refused a value (e.g. a text longer than the 32,767 characters an Excel
    /// cell holds); the message says where.
    Xlsx(String),
    /// The CSV writer failed.
    Csv(String),
    /// The geometries given to a geographic writer are not one per row.
    GeometryCount {
        /// The table's rows.
        rows: usize,
        /// The geometries given.
        geometries: usize,
    },
    /// A row's geometry is not a GeoJSON Polygon or MultiPolygon of finite coordinates with
    /// rings of at least three corners.
    Geometry {
        /// The row's index in [`Table::rows`] (0-based).
        row: usize,
        /// What is wrong, and where in the geometry.
        message: String,
    },
    /// A cell that a typed format (GeoPackage, Parquet) cannot store in its column: text in a
    /// numeric column, a fraction in a column of whole numbers, a decimal beyond 38 digits.
    CellType {
        /// The row's index in [`Table::rows`] (0-based).
        row: usize,
        /// The column's key.
        column: String,
        /// What the cell holds and what was expected.
        message: String,
    },
    /// A column name used twice in a typed format (compared case-insensitively, counting the
    /// added `<key>_suppressed` columns and the GeoPackage's `fid` and `geom`), or an empty
    /// string for a column without a key.
    DuplicateColumn(String),
    /// SQLite failed while building the GeoPackage.
    GeoPackage(String),
    /// The Parquet writer failed.
    Parquet(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::RowLength {
                row,
                cells,
                columns,
            } => write!(
                f,
                "row {row} (0-based, header not counted) has {cells} cells, but the table has {columns} columns"
            ),
            ExportError::TooLarge { rows, columns } => write!(
                f,
                "the table needs {rows} rows and {columns} columns, more than a worksheet holds \
                 ({} rows, {} columns)",
                workbook::MAX_ROWS,
                workbook::MAX_COLUMNS
            ),
            ExportError::Xlsx(m) => write!(f, "XLSX: {m}"),
            ExportError::Csv(m) => write!(f, "CSV: {m}"),
            ExportError::GeometryCount { rows, geometries } => write!(
                f,
                "{geometries} geometries for {rows} rows; expected one geometry (or none) per row"
            ),
            ExportError::Geometry { row, message } => {
                write!(f, "row {row} (0-based), geometry: {message}")
            }
            ExportError::CellType {
                row,
                column,
                message,
            } => write!(f, "row {row} (0-based), column {column}: {message}"),
            ExportError::DuplicateColumn(name) if name.trim().is_empty() => {
                write!(f, "a column has no key; expected a name for every column")
            }
            ExportError::DuplicateColumn(name) => write!(
                f,
                "the column name {name:?} is used twice (or is reserved); expected unique column keys"
            ),
            ExportError::GeoPackage(m) => write!(f, "GeoPackage: {m}"),
            ExportError::Parquet(m) => write!(f, "Parquet: {m}"),
        }
    }
}

impl std::error::Error for ExportError {}

impl From<RowLength> for ExportError {
    fn from(e: RowLength) -> ExportError {
        ExportError::RowLength {
            row: e.row,
            cells: e.cells,
            columns: e.columns,
        }
    }
}
