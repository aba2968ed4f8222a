//! The plan set as one Excel workbook (one sheet per plan file) and back.
//!
//! [`to_xlsx`] writes one worksheet per CSV file of [`kvarter_plans::csv::FILES`], named by the
//! file's stem (`policies`, `goals`, …, `hp_actions`) and in that order. Row 1 holds the CSV
//! column names exactly (bold, frozen, with an autofilter); every further row is one CSV record.
//!
//! Cells are typed so that Excel can sort, filter and sum them:
//!
//! - years and version numbers (`period_from`, `period_to`, `baseline_year`, `target_year`,
//!   `version`) are numbers shown as `0`; whole DKK (`budget_dkk`, `lbf_grant_dkk`,
//!   `municipal_cofinancing_dkk`) are numbers shown as `#,##0`;
//! - decimals (`baseline_value`, `target_value`) are numbers only when the double gives the
//!   exact decimal back, shown with as many places as the decimal has (so `17.30` shows and
//!   reads back as `17.30`); a decimal a double cannot hold (20 significant digits, say) is
//!   text, and so kept exactly;
//! - `illustrative` is a boolean cell;
//! - everything else is text, always written as a string (a cell starting with `=` is text,
//!   never a formula); a cell with a line break wraps.
//!
//! Empty CSV cells are empty cells. The workbook's creation date is fixed
//! ([`crate::XLSX_CREATED`]), so the same plans give the same bytes.
//!
//! [`from_xlsx`] reads such a workbook (as Excel or another spreadsheet saved it) back into the
//! ten CSV files, exactly as [`kvarter_plans::csv::write`] would write the same data;
//! [`read_xlsx`] also reads and checks them with [`kvarter_plans::csv::read`]. Every error is a
//! [`PlanError`] whose `file` is `<workbook>: sheet <name>`, whose `line` is the spreadsheet's
//! 1-based row and whose `column` is the spreadsheet's 1-based column with its header name,
//! also for the problems `csv::read` finds (a cell with line breaks makes CSV lines and sheet
//! rows differ; the rows are mapped back).

use calamine::{Data, Reader, Xlsx};
use kvarter_plans::csv::FILES;
use kvarter_plans::{Decimal, PlanError, Plans};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// The largest magnitude up to which every integer is exactly a double (2^53).
const MAX_EXACT: i64 = 1 << 53;
/// Narrowest and widest column, in characters.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

/// How a column's cells are typed in the workbook.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Year,
    Version,
    Dkk,
    Decimal,
    Bool,
}

impl Kind {
    fn of(column: &str) -> Kind {
        match column {
            "period_from" | "period_to" | "baseline_year" | "target_year" => Kind::Year,
            "version" => Kind::Version,
            "budget_dkk" | "lbf_grant_dkk" | "municipal_cofinancing_dkk" => Kind::Dkk,
            "baseline_value" | "target_value" => Kind::Decimal,
            "illustrative" => Kind::Bool,
            _ => Kind::Text,
        }
    }

    /// What a whole-number column expects, as `csv::read` says it.
    fn whole(self) -> Option<&'static str> {
        match self {
            Kind::Year => Some("a year (four digits)"),
            Kind::Version => Some("a version number (1, 2, …)"),
            Kind::Dkk => Some("a whole number of DKK (digits only, no separators)"),
            _ => None,
        }
    }
}

/// The sheet name of a plan file: its stem.
fn stem(file: &str) -> &str {
    file.strip_suffix(".csv").unwrap_or(file)
}

/// The shortest text that reads back as exactly `f` (Rust never uses an exponent here).
fn shortest(f: f64) -> String {
    format!("{f}")
}

/// The text of a number read from a decimal column: the shortest text of `f`, padded with
/// zeros to `places` decimals when the cell's number format shows that many (`0.00`), so that
/// what Excel shows is what is read.
fn decimal_text(f: f64, places: Option<u32>) -> String {
    let s = shortest(f);
    let (Some(places), Ok(d)) = (places, Decimal::from_str(&s)) else {
        return s;
    };
    if d.scale() >= places {
        return s;
    }
    let mut padded = d;
    padded.rescale(places);
    if padded == d && padded.scale() == places {
        padded.to_string()
    } else {
        s
    }
}

/// The number of decimals a number format shows when it is `0.0…0`; `None` otherwise.
fn format_places(code: &str) -> Option<u32> {
    let zeros = code.strip_prefix("0.")?;
    (!zeros.is_empty() && zeros.bytes().all(|b| b == b'0')).then_some(zeros.len() as u32)
}

/// The number format showing `places` decimals.
fn places_format(places: u32) -> String {
    format!("0.{}", "0".repeat(places as usize))
}

/// A CSV cell of a whole-number column as a double, when the double gives the same text back.
fn whole_number(cell: &str) -> Option<f64> {
    let v: i64 = cell.parse().ok()?;
    (v.abs() <= MAX_EXACT && v.to_string() == cell).then_some(v as f64)
}

/// A CSV cell of a decimal column as a double and the places to show, when reading the double
/// (with that format) gives the same text back; `None` keeps the cell as text.
fn decimal_number(cell: &str) -> Option<(f64, Option<u32>)> {
    let d = Decimal::from_str(cell).ok()?;
    let f: f64 = cell.parse().ok()?;
    if !f.is_finite() || Decimal::from_str(&shortest(f)).ok()? != d {
        return None;
    }
    let places = (d.scale() > 0).then_some(d.scale());
    (decimal_text(f, places) == cell).then_some((f, places))
}

/// About how many characters Excel shows for `n` with thousands separators.
fn grouped_len(text: &str) -> usize {
    let digits = text.trim_start_matches('-').len();
    text.len() + digits.saturating_sub(1) / 3
}

/// Writes the plan set as an Excel workbook, as the [module](self) describes: one worksheet per
/// plan file in [`FILES`] order, a bold, frozen header row with an autofilter, then one row per
/// CSV record with typed cells.
///
/// # Errors
///
/// A value Excel cannot hold (such as a text over 32,767 characters), naming the sheet, row
/// and column.
pub fn to_xlsx(plans: &Plans) -> Result<Vec<u8>, String> {
    let bold = Format::new().set_bold();
    let whole = Format::new().set_num_format("0");
    let dkk = Format::new().set_num_format("#,##0");
    let wrap = Format::new().set_text_wrap();
    let mut workbook = Workbook::new();
    for (file, content) in kvarter_plans::csv::write(plans) {
        let name = stem(&file).to_string();
        let at = |what: String| {
            let name = name.clone();
            move |e: XlsxError| format!("sheet {name}: {what}: {e}")
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(content.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            _ => return Err(format!("sheet {name}: the plan file {file} has no header")),
        };
        let kinds: Vec<Kind> = header.iter().map(Kind::of).collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count() + 2).collect();

        let mut sheet = Worksheet::new();
        sheet.set_name(&name).map_err(at("name".into()))?;
        for (c, h) in header.iter().enumerate() {
            sheet
                .write_string_with_format(0, col_num(c)?, h, &bold)
                .map_err(at(format!("column {h}")))?;
        }
        let mut rows = 0u32;
        for rec in records {
            let rec = rec.map_err(|e| format!("sheet {name}: reading {file}: {e}"))?;
            rows += 1;
            for (c, (cell, &kind)) in rec.iter().zip(&kinds).enumerate() {
                if cell.is_empty() {
                    continue;
                }
                let col = col_num(c)?;
                let at = at(format!("row {}, column {}", rows + 1, &header[c]));
                let shown = match kind {
                    Kind::Year | Kind::Version | Kind::Dkk => match whole_number(cell) {
                        Some(v) if kind == Kind::Dkk => {
                            sheet
                                .write_number_with_format(rows, col, v, &dkk)
                                .map_err(at)?;
                            grouped_len(cell)
                        }
                        Some(v) => {
                            sheet
                                .write_number_with_format(rows, col, v, &whole)
                                .map_err(at)?;
                            cell.len()
                        }
                        None => {
                            sheet.write_string(rows, col, cell).map_err(at)?;
                            cell.chars().count()
                        }
                    },
                    Kind::Decimal => {
                        match decimal_number(cell) {
                            Some((v, Some(places))) => {
                                let f = Format::new().set_num_format(places_format(places));
                                sheet
                                    .write_number_with_format(rows, col, v, &f)
                                    .map_err(at)?;
                            }
                            Some((v, None)) => {
                                sheet.write_number(rows, col, v).map_err(at)?;
                            }
                            None => {
                                sheet.write_string(rows, col, cell).map_err(at)?;
                            }
                        }
                        cell.chars().count()
                    }
                    Kind::Bool if cell == "true" || cell == "false" => {
                        sheet.write_boolean(rows, col, cell == "true").map_err(at)?;
                        5
                    }
                    Kind::Bool | Kind::Text => {
                        if cell.contains('\n') {
                            sheet
                                .write_string_with_format(rows, col, cell, &wrap)
                                .map_err(at)?;
                        } else {
                            sheet.write_string(rows, col, cell).map_err(at)?;
                        }
                        cell.lines().map(|l| l.chars().count()).max().unwrap_or(0)
                    }
                };
                widths[c] = widths[c].max(shown);
            }
        }
        for (c, w) in widths.iter().enumerate() {
            sheet
                .set_column_width(col_num(c)?, (w + 1).clamp(MIN_WIDTH, MAX_WIDTH) as f64)
                .map_err(at(format!("width of column {}", &header[c])))?;
        }
        if !header.is_empty() {
            sheet
                .set_freeze_panes(1, 0)
                .map_err(at("freeze panes".into()))?;
            sheet
                .autofilter(0, 0, rows, col_num(header.len() - 1)?)
                .map_err(at("autofilter".into()))?;
        }
        workbook.push_worksheet(sheet);
    }
    let (y, m, d) = crate::XLSX_CREATED;
    let created =
        ExcelDateTime::from_ymd(y, m, d).map_err(|e| format!("the creation date: {e}"))?;
    let properties = DocProperties::new()
        .set_title("kvarter plans")
        .set_creation_datetime(&created);
    workbook.set_properties(&properties);
    workbook
        .save_to_buffer()
        .map_err(|e| format!("saving the workbook: {e}"))
}

fn col_num(c: usize) -> Result<u16, String> {
    u16::try_from(c).map_err(|_| format!("column {} does not fit a worksheet", c + 1))
}

/// Where one sheet's cells went in its CSV file, to point `csv::read`'s errors at the sheet.
struct SheetMap {
    /// The sheet's name.
    sheet: &'static str,
    /// The 1-based row of the header.
    header_row: u64,
    /// Each column's 1-based spreadsheet column, by name.
    columns: BTreeMap<String, usize>,
    /// The 1-based spreadsheet row of each CSV record, by the CSV line the record starts on.
    lines: BTreeMap<u64, u64>,
}

/// Reads a workbook that [`to_xlsx`] wrote (or Excel saved after editing it) back into the ten
/// plan files (`policies.csv`, …, in [`FILES`] order), each exactly as
/// [`kvarter_plans::csv::write`] writes the same data. `name` is the workbook's name for
/// messages.
///
/// Numbers become their exact text (years, versions and DKK whole; decimals by the shortest
/// text that is the same double, with as many places as the cell's `0.00` format shows),
/// booleans `true`/`false`, and empty cells stay empty; a text cell is taken as it is. Rows
/// with no value are skipped. The header row (the first row with a value) must name every
/// column of the plan file once and no other; the columns may be in any order. A sheet that is
/// missing (or blank) is a table without rows; a sheet with another name is refused.
///
/// This checks the workbook's shape and its numbers only; [`read_xlsx`] also checks the plans.
///
/// # Errors
///
/// A [`PlanError`] whose `file` is `<name>: sheet <sheet>` (or `<name>` when the workbook
/// cannot be read), with the 1-based spreadsheet row and column where known.
pub fn from_xlsx(name: &str, bytes: &[u8]) -> Result<Vec<(String, String)>, PlanError> {
    convert(name, bytes).map(|(files, _)| files)
}

/// Reads and checks the plan set in a workbook: [`from_xlsx`], then
/// [`kvarter_plans::csv::read`], whose errors are pointed back at the sheet, the spreadsheet
/// row and the spreadsheet column (`plans.xlsx: sheet initiatives`, row 5, column 8
/// `sub_goals`). An error that belongs to no row names the workbook.
///
/// # Errors
///
/// The first problem, as a [`PlanError`].
pub fn read_xlsx(name: &str, bytes: &[u8]) -> Result<Plans, PlanError> {
    let (files, maps) = convert(name, bytes)?;
    kvarter_plans::csv::read(&files).map_err(|e| {
        let Some(map) = maps.get(e.file.as_str()) else {
            return PlanError {
                file: name.to_string(),
                ..e
            };
        };
        PlanError {
            file: sheet_file(name, map.sheet),
            line: e.line.map(|l| {
                if l == 1 {
                    map.header_row
                } else {
                    map.lines.get(&l).copied().unwrap_or(l)
                }
            }),
            column: e
                .column
                .map(|(n, c)| (map.columns.get(&c).copied().unwrap_or(n), c)),
            message: e.message,
        }
    })
}

/// The `file` of an error in a sheet.
fn sheet_file(workbook: &str, sheet: &str) -> String {
    format!("{workbook}: sheet {sheet}")
}

type Converted = (Vec<(String, String)>, BTreeMap<&'static str, SheetMap>);

/// A sheet's records: each one's 1-based row and its cells in the plan file's column order.
type Records = Vec<(u64, Vec<String>)>;

fn convert(name: &str, bytes: &[u8]) -> Result<Converted, PlanError> {
    let book_err = |message: String| PlanError {
        file: name.to_string(),
        line: None,
        column: None,
        message,
    };
    // Opened without trusting the package: a zip without a workbook is refused.
    let mut wb = crate::sparse_xlsx::open(bytes).map_err(book_err)?;
    let stems: Vec<&str> = FILES.iter().map(|(f, _)| stem(f)).collect();
    let sheets = wb.sheet_names();
    if let Some(s) = sheets.iter().find(|s| !stems.contains(&s.as_str())) {
        return Err(PlanError {
            file: sheet_file(name, s),
            line: None,
            column: None,
            message: format!("one of the sheets {}, not this name", stems.join(", ")),
        });
    }
    let mut files = Vec::new();
    let mut maps = BTreeMap::new();
    for (file, expected) in FILES {
        let sheet = stem(file);
        let (records, mut map) = if sheets.iter().any(|s| s == sheet) {
            read_sheet(&mut wb, name, sheet, expected)?
        } else {
            let columns = expected
                .iter()
                .enumerate()
                .map(|(n, c)| (c.to_string(), n + 1))
                .collect();
            (
                Vec::new(),
                SheetMap {
                    sheet,
                    header_row: 1,
                    columns,
                    lines: BTreeMap::new(),
                },
            )
        };
        let content = write_csv(expected, &records);
        // The line each record starts on, as `csv::read` counts them.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(content.as_bytes());
        let starts = reader
            .records()
            .skip(1)
            .filter_map(|r| r.ok()?.position().map(|p| p.line()));
        let rows: Vec<u64> = records.iter().map(|(row, _)| *row).collect();
        map.lines = starts.zip(rows).collect();
        files.push((file.to_string(), content));
        maps.insert(*file, map);
    }
    Ok((files, maps))
}

/// Writes a plan file as `csv::write` does.
fn write_csv(header: &[&str], records: &[(u64, Vec<String>)]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for (_, r) in records {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One sheet's records and its map.
fn read_sheet<RS: std::io::Read + std::io::Seek>(
    wb: &mut Xlsx<RS>,
    name: &str,
    sheet: &'static str,
    expected: &[&str],
) -> Result<(Records, SheetMap), PlanError> {
    let file = sheet_file(name, sheet);
    let err = |line: Option<u64>, column: Option<(usize, String)>, message: String| PlanError {
        file: file.clone(),
        line,
        column,
        message,
    };
    // Only the cells with a value are kept, never the sheet's declared dimension: a cell at
    // XFD1048576 is one cell, not 17 billion.
    let range = crate::sparse_xlsx::SparseRange::read(wb, sheet).map_err(|e| err(None, None, e))?;
    let Some((r0, _)) = range.start() else {
        // A blank sheet is a table without rows, as a missing one is.
        let columns = expected
            .iter()
            .enumerate()
            .map(|(n, c)| (c.to_string(), n + 1))
            .collect();
        let map = SheetMap {
            sheet,
            header_row: 1,
            columns,
            lines: BTreeMap::new(),
        };
        return Ok((Vec::new(), map));
    };
    let header_row = u64::from(r0) + 1;
    let at = |c: u32| c as usize + 1;

    // The header: every expected column once, no other; unnamed columns must stay empty.
    // Only the header row's cells are walked, never the columns between them: a cell address
    // is the file's say-so, and `ZZZZZZ1` would be 321 million columns to the right.
    let mut columns: BTreeMap<String, usize> = BTreeMap::new();
    let mut named = BTreeSet::new();
    for (c, v) in range.row(r0) {
        let h = match v {
            Data::Empty => continue,
            Data::String(s) => s.trim().to_string(),
            v => v.to_string(),
        };
        if h.is_empty() {
            continue;
        }
        named.insert(c);
        if !expected.contains(&h.as_str()) {
            return Err(err(
                Some(header_row),
                Some((at(c), h.clone())),
                format!("one of the columns {}, not {h:?}", expected.join(",")),
            ));
        } else if columns.insert(h.clone(), at(c)).is_some() {
            return Err(err(
                Some(header_row),
                Some((at(c), h.clone())),
                format!("each column once; {h:?} is repeated"),
            ));
        }
    }
    if let Some(missing) = expected.iter().find(|c| !columns.contains_key(**c)) {
        return Err(err(
            Some(header_row),
            None,
            format!(
                "a column named {missing:?} in the header (the columns are {})",
                expected.join(",")
            ),
        ));
    }

    // The number formats, for the places of decimals; read only where there are decimals.
    let has_decimals = expected.iter().any(|c| Kind::of(c) == Kind::Decimal);
    let styles = if has_decimals {
        Some(
            wb.worksheet_style(sheet)
                .map_err(|e| err(None, None, format!("a readable worksheet ({e})")))?,
        )
    } else {
        None
    };

    let mut records = Vec::new();
    for r in range.rows().filter(|&r| r > r0).collect::<Vec<_>>() {
        let row = u64::from(r) + 1;
        let filled = |c: u32| match range.get_value((r, c)) {
            None | Some(Data::Empty) => false,
            Some(Data::String(s)) => !s.is_empty(),
            Some(_) => true,
        };
        if let Some((c, _)) = range
            .row(r)
            .find(|&(c, _)| !named.contains(&c) && filled(c))
        {
            return Err(err(
                Some(row),
                Some((at(c), String::new())),
                format!("a column name in the header (row {header_row}) above every filled cell"),
            ));
        }
        let mut cells = Vec::with_capacity(expected.len());
        for col_name in expected {
            let n = columns[*col_name];
            let c = (n - 1) as u32;
            let kind = Kind::of(col_name);
            let value = range.get_value((r, c)).unwrap_or(&Data::Empty);
            let places = || {
                styles
                    .as_ref()
                    .and_then(|s| s.get((r, c)))
                    .and_then(|s| s.number_format.as_ref())
                    .and_then(|f| format_places(&f.format_code))
            };
            let text = cell_text(value, kind, places)
                .map_err(|m| err(Some(row), Some((n, col_name.to_string())), m))?;
            cells.push(text);
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        records.push((row, cells));
    }
    let map = SheetMap {
        sheet,
        header_row,
        columns,
        lines: BTreeMap::new(),
    };
    Ok((records, map))
}

/// The CSV text of one cell; `Err` says what was expected.
fn cell_text(v: &Data, kind: Kind, places: impl Fn() -> Option<u32>) -> Result<String, String> {
    Ok(match v {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => match kind.whole() {
            Some(what) => {
                if f.fract() == 0.0 && f.abs() < 9.0e18 {
                    (*f as i64).to_string()
                } else {
                    return Err(format!("{what}, not {}", shortest(*f)));
                }
            }
            None if kind == Kind::Decimal => decimal_text(*f, places()),
            None => shortest(*f),
        },
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
            return Err(format!(
                "text or a number, not a date or time ({v}); format the cell as text or as a number"
            ));
        }
        Data::Error(e) => return Err(format!("a value, not the Excel error {e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kvarter_plans::{Target, seed};
    use std::io::Cursor;

    fn seeded() -> Plans {
        seed::copenhagen_2025(&[("A1", "Område 1"), ("A2", "Område 2"), ("A3", "Område 3")])
    }

    fn cells(bytes: &[u8], sheet: &str) -> calamine::Range<Data> {
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        wb.worksheet_range(sheet).unwrap()
    }

    /// A workbook with the sheets given (name, rows of cells), every cell a string.
    fn workbook(sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
        let mut wb = Workbook::new();
        for (name, rows) in sheets {
            let ws = wb.add_worksheet();
            ws.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(r as u32, c as u16, v).unwrap();
                    }
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    /// The sheets of the CSV files, every cell a string.
    fn as_strings(files: &[(String, String)]) -> Vec<(&str, Vec<Vec<String>>)> {
        files
            .iter()
            .map(|(f, content)| {
                let rows = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(content.as_bytes())
                    .records()
                    .map(|r| r.unwrap().iter().map(String::from).collect())
                    .collect();
                (stem(f), rows)
            })
            .collect()
    }

    #[test]
    fn the_seeded_plans_round_trip() {
        let p = seeded();
        let bytes = to_xlsx(&p).unwrap();
        assert_eq!(read_xlsx("plans.xlsx", &bytes).unwrap(), p);
        assert_eq!(
            from_xlsx("plans.xlsx", &bytes).unwrap(),
            kvarter_plans::csv::write(&p)
        );
        // Deterministic bytes.
        assert_eq!(to_xlsx(&p).unwrap(), bytes);
        // The sheets, in file order.
        let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
        let names: Vec<&str> = FILES.iter().map(|(f, _)| stem(f)).collect();
        assert_eq!(wb.sheet_names(), names);
    }

    #[test]
    fn awkward_text_and_decimals_round_trip() {
        let mut p = seeded();
        let pol = &mut p.policies[0];
        pol.name =
            "Kommas, \"citater\" og\nlinjeskift\r\nmed CRLF, tab\t, _x000D_ og æøå ÆØÅ".into();
        pol.name_en = "=SUM(A1:A9)".into();
        pol.ambitions = vec!["a;b".into(), "back\\slash".into(), "+1".into()];
        pol.source = "-2".into();
        let ind = &mut pol.goals[0].sub_goals[0].indicators[0];
        ind.baseline.as_mut().unwrap().value = Decimal::from_str("17.30").unwrap();
        // An income in per cent of the region's has no upper bound: room for 20 digits.
        ind.measure = kvarter_plans::Measure::IncomePctOfRegion;
        ind.population = kvarter_plans::Population::StateListed;
        ind.target = Some(Target::Value {
            value: Decimal::from_str("1234567890.1234567891").unwrap(),
            year: 2035,
        });
        let ind = &mut pol.goals[0].sub_goals[0].indicators[1];
        ind.baseline.as_mut().unwrap().value = Decimal::from_str("0.1000").unwrap();
        ind.target = Some(Target::Value {
            value: Decimal::from_str("12").unwrap(),
            year: 2035,
        });
        let ini = &mut p.action_plans[0].initiatives[0];
        ini.description = "@første; anden\nlinje".into();
        ini.budget_dkk = Some(9_007_199_254_740_993); // beyond 2^53: kept as text
        assert!(p.validate().is_empty(), "{:?}", p.validate());

        let bytes = to_xlsx(&p).unwrap();
        let back = read_xlsx("plans.xlsx", &bytes).unwrap();
        assert_eq!(back, p);
        assert_eq!(
            from_xlsx("plans.xlsx", &bytes).unwrap(),
            kvarter_plans::csv::write(&p)
        );

        let pol = cells(&bytes, "policies");
        assert_eq!(
            pol.get_value((1, 2)),
            Some(&Data::String("=SUM(A1:A9)".into()))
        );
        let ind = cells(&bytes, "indicators");
        // 17.30 is a number shown with two places; 20 significant digits stay text.
        assert_eq!(ind.get_value((1, 7)), Some(&Data::Float(17.3)));
        assert_eq!(
            ind.get_value((1, 11)),
            Some(&Data::String("1234567890.1234567891".into()))
        );
        assert_eq!(ind.get_value((2, 11)), Some(&Data::Float(12.0)));
        let ini = cells(&bytes, "initiatives");
        assert_eq!(
            ini.get_value((1, 10)),
            Some(&Data::String("9007199254740993".into()))
        );
    }

    #[test]
    fn years_money_and_flags_are_typed_cells() {
        let p = seeded();
        let bytes = to_xlsx(&p).unwrap();
        let pol = cells(&bytes, "policies");
        assert_eq!(
            pol.get_value((0, 3)),
            Some(&Data::String("period_from".into()))
        );
        assert_eq!(pol.get_value((1, 3)), Some(&Data::Float(2025.0)));
        assert_eq!(pol.get_value((1, 6)), Some(&Data::Bool(false)));
        let hp = cells(&bytes, "helhedsplaner");
        assert_eq!(
            hp.get_value((0, 7)),
            Some(&Data::String("lbf_grant_dkk".into()))
        );
        assert!(matches!(hp.get_value((1, 7)), Some(Data::Float(_))));
        assert!(matches!(hp.get_value((1, 8)), Some(Data::Float(_))));
        let ap = cells(&bytes, "action_plans");
        assert_eq!(ap.get_value((0, 2)), Some(&Data::String("version".into())));
        assert_eq!(ap.get_value((1, 2)), Some(&Data::Float(1.0)));
        let ind = cells(&bytes, "indicators");
        assert_eq!(ind.get_value((1, 8)), Some(&Data::Float(2023.0)));
        // The header row is bold.
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
        let styles = wb.worksheet_style("policies").unwrap();
        let bold = |c| {
            styles
                .get((0, c))
                .and_then(|s| s.font.as_ref())
                .is_some_and(|f| f.is_bold())
        };
        assert!(bold(0) && bold(7));
        assert!(
            !styles
                .get((1, 0))
                .and_then(|s| s.font.as_ref())
                .is_some_and(|f| f.is_bold())
        );
    }

    #[test]
    fn a_bad_year_names_the_sheet_row_and_column() {
        let p = seeded();
        let files = kvarter_plans::csv::write(&p);
        let mut sheets = as_strings(&files);
        // Text cells read as they are: a good workbook of strings reads the same.
        assert_eq!(read_xlsx("plans.xlsx", &workbook(&sheets)).unwrap(), p);
        sheets[4].1[1][4] = "20x5".into(); // action_plans, row 2, period_from
        let e = read_xlsx("plans.xlsx", &workbook(&sheets)).unwrap_err();
        assert_eq!(e.file, "plans.xlsx: sheet action_plans");
        assert_eq!(e.line, Some(2));
        assert_eq!(e.column, Some((5, "period_from".into())));
        assert!(e.message.contains("a year"), "{e}");

        // A fraction in a year column is refused while reading the workbook.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("policies").unwrap();
        let (_, cols) = FILES[0];
        for (c, h) in cols.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "pol").unwrap();
        ws.write_number(1, 3, 2025.5).unwrap();
        let e = from_xlsx("p.xlsx", &wb.save_to_buffer().unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "p.xlsx: sheet policies:2: column 4 (period_from): expected a year (four digits), not 2025.5"
        );
    }

    #[test]
    fn validation_errors_point_at_the_sheet_row_past_line_breaks() {
        let mut p = seeded();
        // Line breaks in earlier rows make CSV lines and sheet rows differ.
        p.action_plans[0].initiatives[0].description = "one\ntwo\nthree".into();
        p.action_plans[0].initiatives[1].name = "a\nb".into();
        p.action_plans[0].initiatives[2].sub_goals = vec!["sub-none".into()];
        let bytes = to_xlsx(&p).unwrap();
        let e = read_xlsx("plans.xlsx", &bytes).unwrap_err();
        assert_eq!(e.file, "plans.xlsx: sheet initiatives");
        assert_eq!(e.line, Some(4));
        assert_eq!(e.column, Some((8, "sub_goals".into())));

        // Columns in another order: the error names the sheet's column.
        let files = kvarter_plans::csv::write(&p);
        let mut sheets = as_strings(&files);
        for row in &mut sheets[5].1 {
            row.swap(0, 7);
        }
        let e = read_xlsx("plans.xlsx", &workbook(&sheets)).unwrap_err();
        assert_eq!((e.line, e.column), (Some(4), Some((1, "sub_goals".into()))));
    }

    #[test]
    fn sheets_and_columns_are_checked() {
        let p = seeded();
        let files = kvarter_plans::csv::write(&p);
        let mut sheets = as_strings(&files);
        sheets.push(("Ark1", vec![vec!["x".into()]]));
        let e = from_xlsx("plans.xlsx", &workbook(&sheets)).unwrap_err();
        assert_eq!(e.file, "plans.xlsx: sheet Ark1");
        assert!(e.message.contains("policies, goals"), "{e}");
        sheets.pop();

        // A missing sheet is an empty table (here: no helhedsplan actions).
        let mut fewer = sheets.clone();
        fewer.retain(|(s, _)| *s != "hp_actions");
        let read = from_xlsx("plans.xlsx", &workbook(&fewer)).unwrap();
        assert_eq!(
            read[9],
            (
                "hp_actions.csv".into(),
                format!("{}\n", FILES[9].1.join(","))
            )
        );

        // An unknown and a missing column.
        let mut bad = sheets.clone();
        bad[1].1[0][3] = "name_de".into();
        let e = from_xlsx("plans.xlsx", &workbook(&bad)).unwrap_err();
        assert_eq!(e.file, "plans.xlsx: sheet goals");
        assert_eq!((e.line, e.column), (Some(1), Some((4, "name_de".into()))));
        let mut bad = sheets.clone();
        for row in &mut bad[1].1 {
            row.pop();
        }
        let e = from_xlsx("plans.xlsx", &workbook(&bad)).unwrap_err();
        assert!(e.message.contains("\"source\""), "{e}");

        // A blank row is skipped; a value under no column name is refused.
        let mut gaps = sheets.clone();
        let blank = vec![String::new(); FILES[1].1.len()];
        gaps[1].1.insert(2, blank);
        assert_eq!(from_xlsx("plans.xlsx", &workbook(&gaps)).unwrap(), files);
        gaps[1].1[3].push(String::new());
        gaps[1].1[3].push("stray".into());
        let e = from_xlsx("plans.xlsx", &workbook(&gaps)).unwrap_err();
        assert_eq!(e.file, "plans.xlsx: sheet goals");
        assert_eq!((e.line, e.column), (Some(4), Some((8, String::new()))));

        // Not a workbook at all.
        let e = from_xlsx("plans.xlsx", b"id,name\n").unwrap_err();
        assert_eq!(e.file, "plans.xlsx");
    }
}
