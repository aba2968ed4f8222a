//! XLSX through `rust_xlsxwriter`.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use crate::{Cell, Column, Decimal, ExportError, Kind, Lang, MAX_PLACES, Table, suppressed_marker};

/// The rows a worksheet holds.
pub(crate) const MAX_ROWS: usize = 1_048_576;
/// The columns a worksheet holds.
pub(crate) const MAX_COLUMNS: usize = 16_384;
/// The characters Excel allows in a worksheet name (counted in UTF-16 units).
const MAX_SHEET_NAME: usize = 31;
/// Narrowest and widest column, in characters.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

/// The fixed creation and modification date of every workbook, `(year, month, day)` at
/// 00:00:00 UTC, so that the same table gives the same bytes.
pub const XLSX_CREATED: (u16, u8, u8) = (2000, 1, 1);

/// Writes `table` as an Excel workbook (`.xlsx`) with one worksheet.
///
/// - The worksheet is named after the title: characters Excel forbids in a sheet name
///   (`[]:*?/\`) become `-`, control characters spaces, apostrophes at either end are dropped,
///   and the name is cut to 31 characters; a blank name (or Excel's reserved "History")
///   becomes "Tabel" / "Table" by `lang`. The full title is the document's title property.
/// - Row 1 is the header ([`Column::heading`]): bold, frozen (panes frozen below it) and with
///   an autofilter over the table.
/// - Cells are typed: text as strings; integers and decimals as numbers, with the format `0`
///   in [`Kind::Integer`] and [`Kind::Year`] columns and `0.00…` with the column's places in
///   [`Kind::Decimal`] and [`Kind::Percent`] columns (percentage points, not Excel's
///   `%` format), and Excel's general format in [`Kind::Text`] columns. A decimal becomes the
///   double nearest its exact value only here. A suppressed cell is the text `<5` in italic
///   grey (right-aligned in a number column); an empty cell is left empty.
/// - Column widths fit the longest heading or shown value, by character count, between 8 and
///   60.
/// - The notes, if any, follow the table after one empty row: a bold "Noter" / "Notes", then
///   one note a row.
///
/// A Danish Excel shows decimal commas by itself (from the computer's locale), since the
/// cells are numbers.
///
/// # Errors
///
/// [`ExportError::RowLength`] for a row whose number of cells is not the number of columns,
/// [`ExportError::TooLarge`] for a table that does not fit a worksheet, and
/// [`ExportError::Xlsx`] for a value Excel cannot hold (such as a text over 32,767
/// characters).
pub fn xlsx(table: &Table, lang: Lang) -> Result<Vec<u8>, ExportError> {
    book(&table.title, std::slice::from_ref(table), lang)
}

/// Several tables as one workbook, a worksheet per table in order (each as [`xlsx`] writes
/// its one), titled `title`. Worksheet names are the tables' titles as [`xlsx`] shortens them;
/// two tables whose names come out the same are an error.
///
/// # Errors
///
/// As [`xlsx`], and [`ExportError::Xlsx`] for a repeated worksheet name.
pub fn book(title: &str, tables: &[Table], lang: Lang) -> Result<Vec<u8>, ExportError> {
    let at = |what: String| move |e: XlsxError| ExportError::Xlsx(format!("{what}: {e}"));
    let created = ExcelDateTime::from_ymd(XLSX_CREATED.0, XLSX_CREATED.1, XLSX_CREATED.2)
        .map_err(at("creation date".into()))?;
    let properties = DocProperties::new()
        .set_title(clean_property(title))
        .set_creation_datetime(&created);
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties);
    let mut names = std::collections::BTreeSet::new();
    for table in tables {
        let name = sheet_name(&table.title, lang);
        if !names.insert(name.clone()) {
            return Err(ExportError::Xlsx(format!(
                "two worksheets would be named {name:?}"
            )));
        }
        workbook.push_worksheet(worksheet(table, lang)?);
    }
    workbook.save_to_buffer().map_err(at("saving".into()))
}

/// One table as a worksheet: typed cells, a bold frozen header with a filter, fitted widths,
/// the notes below.
fn worksheet(table: &Table, lang: Lang) -> Result<Worksheet, ExportError> {
    table.check()?;
    let columns = table.columns.len();
    let notes_rows = if table.notes.is_empty() {
        0
    } else {
        2 + table.notes.len()
    };
    let rows = 1 + table.rows.len() + notes_rows;
    if columns > MAX_COLUMNS || rows > MAX_ROWS {
        return Err(ExportError::TooLarge { rows, columns });
    }
    let at = |what: String| move |e: XlsxError| ExportError::Xlsx(format!("{what}: {e}"));

    let mut sheet = Worksheet::new();
    sheet
        .set_name(sheet_name(&table.title, lang))
        .map_err(at("worksheet name".into()))?;

    let header = Format::new().set_bold();
    let mut formats: Vec<ColumnFormats> = table.columns.iter().map(ColumnFormats::new).collect();
    fit_widths(table, &mut formats);

    for (c, (column, fmt)) in table.columns.iter().zip(&formats).enumerate() {
        let col = col_num(c)?;
        sheet
            .write_string_with_format(0, col, column.heading(), &header)
            .map_err(at(format!("heading of column {c}")))?;
        sheet
            .set_column_width(col, fmt.width as f64)
            .map_err(at(format!("width of column {c}")))?;
    }

    for (r, cells) in table.rows.iter().enumerate() {
        let row = row_num(r + 1)?;
        for (c, (cell, fmt)) in cells.iter().zip(&formats).enumerate() {
            let col = col_num(c)?;
            let at = at(format!("row {r}, column {c}"));
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(row, col, s).map_err(at)?;
                }
                Cell::Integer(i) => {
                    // Excel holds only doubles: integers beyond 2^53 are rounded by Excel too.
                    let v = *i as f64;
                    sheet
                        .write_number_with_format(row, col, v, &fmt.number)
                        .map_err(at)?;
                }
                Cell::Decimal(d) => {
                    let v = to_f64(d)
                        .map_err(|m| ExportError::Xlsx(format!("row {r}, column {c}: {m}")))?;
                    sheet
                        .write_number_with_format(row, col, v, &fmt.number)
                        .map_err(at)?;
                }
                Cell::Suppressed { min_count } => {
                    sheet
                        .write_string_with_format(
                            row,
                            col,
                            suppressed_marker(*min_count),
                            &fmt.suppressed,
                        )
                        .map_err(at)?;
                }
            }
        }
    }

    if columns > 0 {
        sheet
            .set_freeze_panes(1, 0)
            .map_err(at("freeze panes".into()))?;
        let last_row = row_num(table.rows.len())?;
        let last_col = col_num(columns - 1)?;
        sheet
            .autofilter(0, 0, last_row, last_col)
            .map_err(at("autofilter".into()))?;
    }

    if !table.notes.is_empty() {
        let first = table.rows.len() + 2;
        sheet
            .write_string_with_format(row_num(first)?, 0, lang.t("Noter", "Notes"), &header)
            .map_err(at("notes heading".into()))?;
        for (i, note) in table.notes.iter().enumerate() {
            sheet
                .write_string(row_num(first + 1 + i)?, 0, note)
                .map_err(at(format!("note {i}")))?;
        }
    }

    Ok(sheet)
}

/// The formats and width of one column.
struct ColumnFormats {
    /// For numbers in the column.
    number: Format,
    /// For suppressed cells in the column.
    suppressed: Format,
    /// Width in characters.
    width: usize,
}

impl ColumnFormats {
    /// The formats of `column`, its width fitted to the heading only (plus room for the
    /// filter button); see [`fit_widths`].
    fn new(column: &Column) -> ColumnFormats {
        let number = match column.kind {
            Kind::Text => Format::new(),
            Kind::Integer | Kind::Year => Format::new().set_num_format("0"),
            Kind::Decimal { places } | Kind::Percent { places } => {
                Format::new().set_num_format(number_format(places.min(MAX_PLACES)))
            }
        };
        let mut suppressed = Format::new().set_italic().set_font_color(Color::Gray);
        if column.kind != Kind::Text {
            suppressed = suppressed.set_align(FormatAlign::Right);
        }
        ColumnFormats {
            number,
            suppressed,
            width: column.heading().chars().count() + 2,
        }
    }
}

/// Widens each column to its longest shown value and clamps the widths.
fn fit_widths(table: &Table, formats: &mut [ColumnFormats]) {
    for row in &table.rows {
        for ((cell, column), fmt) in row.iter().zip(&table.columns).zip(formats.iter_mut()) {
            fmt.width = fmt.width.max(shown_len(cell, column.kind));
        }
    }
    for fmt in formats {
        fmt.width = (fmt.width + 1).clamp(MIN_WIDTH, MAX_WIDTH);
    }
}

/// About how many characters Excel shows for `cell` in a column of `kind`.
fn shown_len(cell: &Cell, kind: Kind) -> usize {
    match cell {
        Cell::Empty => 0,
        Cell::Text(s) => s.lines().map(|l| l.chars().count()).max().unwrap_or(0),
        Cell::Integer(i) => i.to_string().len(),
        Cell::Decimal(d) => match kind {
            Kind::Text => d.to_string().len(),
            Kind::Integer | Kind::Year => decimal_len(d, 0),
            Kind::Decimal { places } | Kind::Percent { places } => {
                decimal_len(d, places.min(MAX_PLACES))
            }
        },
        Cell::Suppressed { min_count } => min_count.to_string().len() + 1,
    }
}

/// About how many characters `d` takes shown with `places` decimals. (Not by formatting
/// with a precision: `rust_decimal` panics formatting large values with many places.)
fn decimal_len(d: &Decimal, places: u32) -> usize {
    let sign = usize::from(d.is_sign_negative());
    let integer = d.trunc().abs().to_string().len();
    let fraction = if places == 0 { 0 } else { 1 + places as usize };
    sign + integer + fraction
}

/// `0` for no places, else `0.` and `places` zeros.
fn number_format(places: u32) -> String {
    if places == 0 {
        "0".to_owned()
    } else {
        format!("0.{}", "0".repeat(places as usize))
    }
}

/// The double nearest the exact decimal (Rust's float parsing rounds correctly; going through
/// the decimal's own text keeps it exact up to that one rounding).
fn to_f64(d: &Decimal) -> Result<f64, String> {
    d.to_string()
        .parse::<f64>()
        .map_err(|e| format!("decimal {d} as a number: {e}"))
}

/// The worksheet name for `title`: Excel's forbidden characters replaced, cut to 31 UTF-16
/// units, never blank, never "History".
fn sheet_name(title: &str, lang: Lang) -> String {
    let cleaned: String = title
        .chars()
        .map(|ch| match ch {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            ch if ch.is_control() => ' ',
            ch => ch,
        })
        .collect();
    let trim = |s: &str| s.trim().trim_matches('\'').trim().to_owned();
    let mut name = String::new();
    let mut units = 0;
    for ch in trim(&cleaned).chars() {
        units += ch.len_utf16();
        if units > MAX_SHEET_NAME {
            break;
        }
        name.push(ch);
    }
    let name = trim(&name);
    if name.is_empty() || name.eq_ignore_ascii_case("history") {
        lang.t("Tabel", "Table").to_owned()
    } else {
        name
    }
}

/// A document property without control characters (which XML cannot hold).
fn clean_property(s: &str) -> String {
    s.chars()
        .map(|ch| if ch.is_control() { ' ' } else { ch })
        .collect()
}

fn row_num(i: usize) -> Result<u32, ExportError> {
    u32::try_from(i).map_err(|_| ExportError::TooLarge {
        rows: i,
        columns: 0,
    })
}

fn col_num(i: usize) -> Result<u16, ExportError> {
    u16::try_from(i).map_err(|_| ExportError::TooLarge {
        rows: 0,
        columns: i,
    })
}
