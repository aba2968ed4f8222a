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
//!   fitted to the content and the notes below the table.
//!
//! Used by the web server for downloads (and later by the CLI); the caller decides where the
//! bytes go.
//!
//! # Invariants
//!
//! - **Pure**: the writers take a `&Table` and return bytes (`Vec<u8>`); no file, network or
//!   clock is touched.
//! - **Deterministic**: the same table (in the same dialect or language) gives the same bytes,
//!   run after run. The XLSX document creation and modification date is fixed at
//!   [`XLSX_CREATED`] and the zip entries carry a fixed timestamp.
//! - **Exact decimals**: a [`Cell::Decimal`] is a [`rust_decimal::Decimal`] and CSV writes it
//!   exactly as held, with its scale (`2.40` stays `2.40`, or `2,40` in Danish), never through
//!   `f64`. XLSX converts to `f64` only at the cell write, and then to the double nearest the
//!   exact decimal (Excel stores every number as a double: up to 15 significant digits survive).
//! - **Suppressed is never empty**: a [`Cell::Suppressed`] is written as the text `<5` (for
//!   `min_count: 5`), so a reader sees that a small count was hidden, not missing.
//! - **Rectangular**: every row has exactly one cell per column; a row that does not is an
//!   [`ExportError::RowLength`] naming the row, from both writers.
//! - **Never panics on user data**: titles, labels and text of any content and length give
//!   either bytes or an [`ExportError`] (a table larger than a worksheet, a text longer than an
//!   Excel cell holds).
//! - **Notes are XLSX-only**: CSV is pure table (a header and one line per row), so that it
//!   parses as-is; a caller offering CSV shows the notes beside the download.
//! - **Text as-is**: text is never altered, so a CSV text cell beginning with `=`, `+`, `-` or
//!   `@` is taken for a formula by a spreadsheet that opens the file (the tables hold area
//!   names and figures, not free input); XLSX always writes text as a string, never a formula.
//!
//! Percentages ([`Kind::Percent`]) are percentage points (`41.30` means 41.30 %) everywhere: the
//! CSV value, the XLSX cell value and the law's thresholds are the same number. XLSX shows them
//! with a plain `0.00` format (not Excel's `%` format, which would need the value divided by
//! 100), and the heading says "(%)" (see [`Column::heading`]).

#![warn(missing_docs)]

mod delimited;
mod workbook;

use std::borrow::Cow;
use std::fmt;

pub use delimited::csv;
pub use rust_decimal::Decimal;
pub use workbook::{XLSX_CREATED, xlsx};

/// What a column holds, which decides how numbers are formatted in XLSX.
///
/// The kind never changes a value: a cell is written as held, the kind only picks the number
/// format (and, for [`Kind::Percent`], adds "(%)" to the heading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Free text (names, ids); numbers in such a column get Excel's general format.
    Text,
    /// Whole numbers such as counts, shown without decimals (`0`).
    Integer,
    /// Decimal numbers shown with `places` decimals in XLSX (e.g. `0.00` for 2).
    ///
    /// Places above [`MAX_PLACES`] are shown as [`MAX_PLACES`]; the value itself is never
    /// rounded.
    Decimal {
        /// Decimals shown in XLSX.
        places: u32,
    },
    /// Percentage points (`41.30` means 41.30 %) shown with `places` decimals in XLSX.
    Percent {
        /// Decimals shown in XLSX.
        places: u32,
    },
    /// A calendar year such as 2024, shown without decimals or thousands separator.
    Year,
}

/// The most decimal places an XLSX number format shows (a double holds no more than about 15
/// significant digits anyway).
pub const MAX_PLACES: u32 = 15;

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    /// Machine name, the header of [`Dialect::Standard`] CSV, e.g. `outside_labour_pct`.
    pub key: String,
    /// Name for people, the header of Danish CSV and XLSX, e.g.
    /// `Uden for arbejdsmarkedet (%)`.
    pub label: String,
    /// What the column holds.
    pub kind: Kind,
}

impl Column {
    /// A column from its key, label and kind.
    pub fn new(key: impl Into<String>, label: impl Into<String>, kind: Kind) -> Column {
        Column {
            key: key.into(),
            label: label.into(),
            kind,
        }
    }

    /// The heading people see (Danish CSV and XLSX): the label, or the key when the label is
    /// blank; for a [`Kind::Percent`] column whose heading has no `%` in it, ` (%)` is added,
    /// since the values are percentage points.
    pub fn heading(&self) -> Cow<'_, str> {
        let base = if self.label.trim().is_empty() {
            &self.key
        } else {
            &self.label
        };
        match self.kind {
            Kind::Percent { .. } if !base.contains('%') => {
                if base.trim().is_empty() {
                    Cow::Borrowed("(%)")
                } else {
                    Cow::Owned(format!("{base} (%)"))
                }
            }
            _ => Cow::Borrowed(base),
        }
    }
}

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cell {
    /// No value (written as an empty field or an empty cell).
    Empty,
    /// Text, written as-is (quoted in CSV where needed).
    Text(String),
    /// A whole number.
    Integer(i64),
    /// An exact decimal, written with its scale: `2.40` stays `2.40`.
    Decimal(Decimal),
    /// A count hidden because it is below `min_count` (small-count suppression); written as
    /// the text `<{min_count}`, e.g. `<5`.
    Suppressed {
        /// The smallest count that is shown.
        min_count: u64,
    },
}

/// The text a suppressed count is written as, in CSV and XLSX alike: `<{min_count}`, e.g. `<5`.
pub fn suppressed_marker(min_count: u64) -> String {
    format!("<{min_count}")
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Integer(i)
    }
}

impl From<Decimal> for Cell {
    fn from(d: Decimal) -> Cell {
        Cell::Decimal(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A table to download.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Table {
    /// The title: the XLSX document title, and the worksheet name (shortened to Excel's 31
    /// characters, with the characters `[]:*?/\` replaced by `-`).
    pub title: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The rows, each with exactly one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Notes such as the source, the rule set and the suppression rule; below the table in
    /// XLSX, not in CSV.
    pub notes: Vec<String>,
}

impl Table {
    /// Checks that every row has one cell per column.
    ///
    /// # Errors
    ///
    /// [`ExportError::RowLength`] for the first row that does not.
    pub fn check(&self) -> Result<(), ExportError> {
        let columns = self.columns.len();
        match self.rows.iter().position(|r| r.len() != columns) {
            None => Ok(()),
            Some(row) => Err(ExportError::RowLength {
                row,
                cells: self.rows[row].len(),
                columns,
            }),
        }
    }
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
        }
    }
}

impl std::error::Error for ExportError {}
