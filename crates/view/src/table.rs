//! A table to download: a title, typed [`Column`]s, rows of [`Cell`]s and free-text notes
//! (source, rule set, suppression rule). The model every download and `kvarter export` holds;
//! `kvarter-export` writes it as CSV, XLSX, GeoJSON, GeoPackage and Parquet (and re-exports
//! these types). [`Cell::published`] is the only way a figure that may rest on few persons gets
//! into a table: through the disclosure policy's [`crate::Published`].

use rust_decimal::Decimal;
use std::borrow::Cow;
use std::fmt;

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
    /// Machine name, the header of standard CSV, e.g. `outside_labour_pct`.
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

impl Cell {
    /// A figure as the disclosure policy lets it be published: the number (whole when
    /// `whole`), the suppression mark, or an empty cell when missing. The only way a table
    /// carries a figure that may rest on few persons.
    pub fn published(p: &crate::Published<Decimal>, whole: bool) -> Cell {
        match p.view() {
            crate::View::Shown(d) if whole && d.fract().is_zero() => {
                i64::try_from(*d).map_or(Cell::Decimal(*d), Cell::Integer)
            }
            crate::View::Shown(d) => Cell::Decimal(*d),
            crate::View::Suppressed { min_count } => Cell::Suppressed { min_count },
            crate::View::Missing => Cell::Empty,
        }
    }
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
    /// [`RowLength`] for the first row that does not.
    pub fn check(&self) -> Result<(), RowLength> {
        let columns = self.columns.len();
        match self.rows.iter().position(|r| r.len() != columns) {
            None => Ok(()),
            Some(row) => Err(RowLength {
                row,
                cells: self.rows[row].len(),
                columns,
            }),
        }
    }
}

/// A row whose number of cells is not the number of columns ([`Table::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowLength {
    /// The row's index in [`Table::rows`] (0-based, the header not counted).
    pub row: usize,
    /// The cells the row has.
    pub cells: usize,
    /// The columns the table has.
    pub columns: usize,
}

impl fmt::Display for RowLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {} (0-based, header not counted) has {} cells, but the table has {} columns",
            self.row, self.cells, self.columns
        )
    }
}

impl std::error::Error for RowLength {}
