//! Reading a plans workbook without trusting what it declares.
//!
//! A worksheet's `<dimension>` and its cells' addresses are the file's say-so: one cell at
//! `XFD1048576` (a valid address) makes a dense range of 2³⁴ cells, which a reader that
//! allocates the bounding box cannot hold. [`SparseRange`] streams a sheet's cells and keeps
//! only those with a value, so memory is bounded by the cells the file holds (at most
//! [`MAX_CELLS`]), never by their addresses; [`open`] refuses a package that is not a
//! workbook (no `xl/workbook.xml`, or one naming no sheet) instead of reading it as a
//! workbook without sheets.
//!
//! The reader keeps the calls of calamine's `Range` (`start`, `end`, `get_value`) and adds
//! [`SparseRange::rows`] and [`SparseRange::row`], so that a caller walks only the rows and
//! cells that are there.

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};

pub use calamine::Data;

/// The most cells with a value a sheet may hold (Excel's own plans have a few hundred).
pub const MAX_CELLS: usize = 1_000_000;

/// Opens the workbook in `bytes`, checking that it is one: a zip package with
/// `xl/workbook.xml` that names at least one sheet.
///
/// # Errors
///
/// What was expected, as a sentence fragment for a message that names the file: "an Excel
/// workbook (.xlsx) (…)".
pub fn open(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, String> {
    let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("an Excel workbook (.xlsx) ({e})"))?;
    check_addresses(bytes)?;
    if wb.sheet_names().is_empty() {
        return Err(
            "an Excel workbook (.xlsx) with its sheets, but the file has no xl/workbook.xml \
             naming a sheet (it is a zip file, but not a workbook Excel saved)"
                .into(),
        );
    }
    Ok(wb)
}

/// The longest run of letters (`XFD`) and of digits (`1048576`) in an Excel cell address.
const ADDRESS_RUNS: (usize, usize) = (3, 7);

/// Refuses a worksheet whose `r` or `ref` attribute (a cell's or a row's address, the sheet's
/// dimension) has a longer run of letters or digits than an Excel address has. calamine 0.38
/// adds up an address's letters and digits in a `u32` without checking, so `ZZZZZZZZ1` or
/// `A99999999999` would overflow: a panic where overflow is checked (the tests, the fuzz
/// targets), a wrong cell elsewhere. Found by the `plans_xlsx` fuzz target.
fn check_addresses(bytes: &[u8]) -> Result<(), String> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine opened it; what it reads is checked below as it reads it
    };
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let name = part.name().unwrap_or_default().to_string();
        if !(name.starts_with("xl/worksheets/") && name.ends_with(".xml")) {
            continue;
        }
        // What can be read is checked: calamine reads a part with a bad checksum up to the
        // end before it notices, so the bytes before an error are read by it too.
        let mut xml = Vec::new();
        let _ = part.read_to_end(&mut xml);
        if let Some(bad) = long_address(&xml) {
            return Err(format!(
                "a worksheet whose addresses are Excel's (A1 to XFD1048576), but {name} has \
                 {bad:?}"
            ));
        }
    }
    Ok(())
}

/// The first value of an `r` or `ref` attribute in `xml` with a run of letters or of digits
/// longer than an Excel address has.
fn long_address(xml: &[u8]) -> Option<String> {
    let mut i = 0;
    while i < xml.len() {
        // An attribute name starts after whitespace: ` r=` or ` ref=`, with optional spaces.
        if xml[i].is_ascii_whitespace() {
            let rest = &xml[i + 1..];
            let name_len = if rest.starts_with(b"ref") {
                3
            } else if rest.starts_with(b"r") {
                1
            } else {
                i += 1;
                continue;
            };
            let mut j = i + 1 + name_len;
            while j < xml.len() && xml[j].is_ascii_whitespace() {
                j += 1;
            }
            if xml.get(j) == Some(&b'=') {
                j += 1;
                while j < xml.len() && xml[j].is_ascii_whitespace() {
                    j += 1;
                }
                if let Some(&q @ (b'"' | b'\'')) = xml.get(j) {
                    let start = j + 1;
                    let end = xml[start..]
                        .iter()
                        .position(|&b| b == q)
                        .map_or(xml.len(), |n| start + n);
                    let value = &xml[start..end];
                    if reversed(value) {
                        return Some(String::from_utf8_lossy(value).into_owned());
                    }
                    let (mut letters, mut digits) = (0, 0);
                    for &b in value {
                        (letters, digits) = match b {
                            b'A'..=b'Z' | b'a'..=b'z' => (letters + 1, 0),
                            b'0'..=b'9' => (0, digits + 1),
                            _ => (0, 0),
                        };
                        if letters > ADDRESS_RUNS.0 || digits > ADDRESS_RUNS.1 {
                            return Some(String::from_utf8_lossy(value).into_owned());
                        }
                    }
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    None
}

/// Whether a range `A1:B2` ends above or to the left of where it starts (`I1:F7`), which
/// calamine 0.38 subtracts without checking. Addresses with a run too long are left to
/// [`long_address`]; an address without letters or digits counts them as 0.
fn reversed(value: &[u8]) -> bool {
    let corner = |a: &[u8]| -> Option<(u64, u64)> {
        let (mut col, mut row) = (0u64, 0u64);
        for &b in a {
            match b {
                b'A'..=b'Z' => col = col.checked_mul(26)?.checked_add(u64::from(b - b'A') + 1)?,
                b'a'..=b'z' => col = col.checked_mul(26)?.checked_add(u64::from(b - b'a') + 1)?,
                b'0'..=b'9' => row = row.checked_mul(10)?.checked_add(u64::from(b - b'0'))?,
                _ => {}
            }
        }
        Some((col, row))
    };
    let mut parts = value.split(|&b| b == b':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), None) => match (corner(a), corner(b)) {
            (Some((c0, r0)), Some((c1, r1))) => c1 < c0 || r1 < r0,
            _ => false,
        },
        _ => false,
    }
}

/// The cells with a value of one worksheet, by `(row, column)` (both 0-based), as read from
/// the sheet's XML, whatever its declared dimension.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRange {
    cells: BTreeMap<(u32, u32), Data>,
    start: Option<(u32, u32)>,
    end: Option<(u32, u32)>,
}

impl SparseRange {
    /// Reads the sheet `sheet` of `wb` cell by cell. A part that is not a worksheet (a chart
    /// sheet) reads as a blank sheet, as calamine's `worksheet_range` reads it.
    ///
    /// # Errors
    ///
    /// What was expected: "a readable worksheet (…)", or a sheet of at most [`MAX_CELLS`]
    /// cells with a value.
    pub fn read<RS: Read + Seek>(wb: &mut Xlsx<RS>, sheet: &str) -> Result<Self, String> {
        let unreadable = |e: XlsxError| format!("a readable worksheet ({e})");
        let mut reader = match wb.worksheet_cells_reader(sheet) {
            Ok(r) => r,
            Err(XlsxError::NotAWorksheet(_)) => return Ok(Self::default()),
            Err(e) => return Err(unreadable(e)),
        };
        let mut out = Self::default();
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            if matches!(cell.get_value(), DataRef::Empty) {
                continue;
            }
            if out.cells.len() >= MAX_CELLS {
                return Err(format!(
                    "a worksheet of at most {MAX_CELLS} filled cells (this one has more)"
                ));
            }
            let (r, c) = cell.get_position();
            let value: Data = cell.get_value().clone().into();
            out.start = Some(out.start.map_or((r, c), |(r0, c0)| (r0.min(r), c0.min(c))));
            out.end = Some(out.end.map_or((r, c), |(r1, c1)| (r1.max(r), c1.max(c))));
            out.cells.insert((r, c), value);
        }
        Ok(out)
    }

    /// The top left corner of the cells with a value, or `None` for a blank sheet.
    pub fn start(&self) -> Option<(u32, u32)> {
        self.start
    }

    /// The bottom right corner of the cells with a value, or `None` for a blank sheet.
    pub fn end(&self) -> Option<(u32, u32)> {
        self.end
    }

    /// The value at `(row, column)`, or `None` where the sheet has none.
    pub fn get_value(&self, pos: (u32, u32)) -> Option<&Data> {
        self.cells.get(&pos)
    }

    /// The rows that have a cell with a value, ascending, each once.
    pub fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        let mut last = None;
        self.cells
            .keys()
            .map(|&(r, _)| r)
            .filter(move |&r| last.replace(r) != Some(r))
    }

    /// The cells with a value in `row`, by column, ascending.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u32, &Data)> + '_ {
        self.cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|(&(_, c), v)| (c, v))
    }

    /// How many cells have a value.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether no cell has a value.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}
