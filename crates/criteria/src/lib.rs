//! # kvarter-criteria — the criteria CSV, pinned
//!
//! The input of `kvarter lists --criteria FILE`: one row per area and list year with the
//! criterion values already averaged over each rule's window, in the form the ministry and
//! Landsbyggefonden publish them.
//!
//! ```text
//! area_id,area_name,municipality,list_year,residents,non_western_pct,outside_labour_pct,convicted_pct,convicted_national_pct,basic_education_pct,income_pct_of_region
//! ```
//!
//! Optional columns `persons_18_64,persons_18_plus,persons_30_59,persons_15_64_taxable` give the
//! group sizes behind the shares, for margins in persons. Percentages are in per-cent units with a
//! decimal point. An empty cell is a missing value.
//!
//! Also the history CSV (`list_year,area_id,list`) of memberships published before the data.
//!
//! Invariants: reads from a `Read` handed in (the caller opens files); validates every cell
//! before returning anything, so a caller never sees half a file; every error names the file,
//! the line, the column and what was expected. It validates while it streams: a NUL byte or a
//! line longer than [`MAX_LINE_BYTES`] is refused as it is read, so memory is bounded by the
//! rows kept, never by the file.

use kvarter_rules::{Decimal, FIRST_LIST_YEAR, History, Observation};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::str::FromStr;

/// What a column holds, and so how its cells are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text that must not be empty.
    Id,
    /// Free text.
    Text,
    /// A list year, 2010 or later.
    Year,
    /// A whole, non-negative number of persons.
    Count,
    /// A share in per cent, 0 to 100.
    Percent,
    /// A per cent of a reference (e.g. of the regional mean income), 0 or more.
    PercentOfReference,
}

/// A column of the criteria CSV.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Header name.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether the header must have it.
    pub required: bool,
    /// What it means.
    pub doc: &'static str,
}

/// The pinned columns, in their documented order.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "area_id",
        kind: Kind::Id,
        required: true,
        doc: "stable id of the housing area",
    },
    Column {
        name: "area_name",
        kind: Kind::Text,
        required: true,
        doc: "name of the housing area",
    },
    Column {
        name: "municipality",
        kind: Kind::Text,
        required: true,
        doc: "municipality",
    },
    Column {
        name: "list_year",
        kind: Kind::Year,
        required: true,
        doc: "year of the list (1 December; 1 October until 2012)",
    },
    Column {
        name: "residents",
        kind: Kind::Count,
        required: true,
        doc: "residents on 1 January of the list year",
    },
    Column {
        name: "non_western_pct",
        kind: Kind::Percent,
        required: true,
        doc: "non-Western immigrants and descendants, % of residents",
    },
    Column {
        name: "outside_labour_pct",
        kind: Kind::Percent,
        required: true,
        doc: "18-64 outside the labour market or education (full-time persons), %, averaged over the rule's window",
    },
    Column {
        name: "convicted_pct",
        kind: Kind::Percent,
        required: true,
        doc: "residents 18+ convicted (straffeloven, våbenloven, lov om euforiserende stoffer), %, averaged over the rule's window",
    },
    Column {
        name: "convicted_national_pct",
        kind: Kind::Percent,
        required: true,
        doc: "the same share for the whole country over the same years, %",
    },
    Column {
        name: "basic_education_pct",
        kind: Kind::Percent,
        required: true,
        doc: "30-59 with only basic education, %",
    },
    Column {
        name: "income_pct_of_region",
        kind: Kind::PercentOfReference,
        required: true,
        doc: "mean gross income of taxable 15-64 excl. students, % of the region's mean for the same group",
    },
    Column {
        name: "persons_18_64",
        kind: Kind::Count,
        required: false,
        doc: "residents aged 18-64",
    },
    Column {
        name: "persons_18_plus",
        kind: Kind::Count,
        required: false,
        doc: "residents aged 18 or more",
    },
    Column {
        name: "persons_30_59",
        kind: Kind::Count,
        required: false,
        doc: "residents aged 30-59",
    },
    Column {
        name: "persons_15_64_taxable",
        kind: Kind::Count,
        required: false,
        doc: "taxable residents aged 15-64 excluding students",
    },
];

/// An error in an input file: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column number and header name, when the error concerns one cell or column.
    pub column: Option<(usize, String)>,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, line {}", self.file, self.line)?;
        if let Some((n, name)) = &self.column {
            write!(f, ", column {n} ({name})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// The rows read, with the line each came from.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// One observation per area and list year, in file order.
    pub observations: Vec<Observation>,
    /// The line of each observation.
    pub lines: Vec<u64>,
    /// Columns in the header that kvarter does not use (worth a note: a typo?).
    pub unused_columns: Vec<String>,
}

/// The longest line a criteria or history file may have, in bytes. A row is a few hundred
/// bytes; without a bound, a file with no line break (a gigabyte of NUL bytes, say) would be
/// held in memory whole as one record before it could be refused.
pub const MAX_LINE_BYTES: usize = 1 << 20;

fn reader(input: impl Read) -> csv::Reader<impl Read> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(Guard {
            inner: input,
            line: 1,
            line_bytes: 0,
        })
}

/// What [`Guard`] found, carried through the CSV reader as the payload of an IO error.
#[derive(Debug)]
struct Refused {
    line: u64,
    message: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for Refused {}

/// Checks the bytes as they stream past, before the CSV reader buffers them: no NUL byte (a
/// text file has none) and no line longer than [`MAX_LINE_BYTES`]. Memory stays bounded by one
/// line, whatever the file.
struct Guard<R> {
    inner: R,
    line: u64,
    line_bytes: usize,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            let refuse = |message: String| {
                Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    Refused {
                        line: self.line,
                        message,
                    },
                ))
            };
            match b {
                b'\n' => {
                    self.line += 1;
                    self.line_bytes = 0;
                }
                0 => {
                    return refuse(format!(
                        "byte {} of the line is a NUL byte; expected a UTF-8 text file (save it as \"CSV UTF-8\"), not binary data",
                        self.line_bytes + 1
                    ));
                }
                _ => {
                    self.line_bytes += 1;
                    if self.line_bytes > MAX_LINE_BYTES {
                        return refuse(format!(
                            "the line is longer than {MAX_LINE_BYTES} bytes; expected lines of a CSV file (a row is a few hundred bytes)"
                        ));
                    }
                }
            }
        }
        Ok(n)
    }
}

fn located(file: &str, line: u64, column: Option<(usize, String)>, message: String) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

/// The header row's names, without the byte-order mark spreadsheet programs put first.
fn header_names(rdr: &mut csv::Reader<impl Read>, file: &str) -> Result<Vec<String>, InputError> {
    Ok(rdr
        .headers()
        .map_err(|e| csv_error(file, &e, 0))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect())
}

fn csv_error(file: &str, e: &csv::Error, expected_fields: usize) -> InputError {
    if let csv::ErrorKind::Io(io) = e.kind()
        && let Some(r) = io.get_ref().and_then(|r| r.downcast_ref::<Refused>())
    {
        return located(file, r.line, None, r.message.clone());
    }
    let line = e.position().map_or(1, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { len, .. } => format!(
            "expected {expected_fields} fields as in the header, found {len} (a decimal comma? write decimals with a point, e.g. 40.5)"
        ),
        csv::ErrorKind::Utf8 { .. } => {
            "the line is not valid UTF-8; expected a UTF-8 text file (save it as \"CSV UTF-8\")"
                .into()
        }
        _ => format!("cannot read the line as CSV: {e}"),
    };
    located(file, line, None, message)
}

/// Reads and validates the criteria CSV. `file` names the input in errors.
pub fn read_criteria(file: &str, input: impl Read) -> Result<Criteria, InputError> {
    let mut rdr = reader(input);
    let at = |line, column, message| located(file, line, column, message);
    let headers = header_names(&mut rdr, file)?;
    if headers.iter().all(String::is_empty) {
        return Err(at(
            1,
            None,
            format!(
                "the file is empty; expected a header row: {}",
                required_names().join(",")
            ),
        ));
    }
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if index.insert(h.as_str(), i).is_some() {
            return Err(at(
                1,
                Some((i + 1, h.clone())),
                format!("column '{h}' appears twice in the header; expected each column once"),
            ));
        }
    }
    for c in COLUMNS.iter().filter(|c| c.required) {
        if !index.contains_key(c.name) {
            return Err(at(
                1,
                None,
                format!(
                    "missing column '{}' ({}); expected a header with at least: {}",
                    c.name,
                    c.doc,
                    required_names().join(",")
                ),
            ));
        }
    }
    let unused_columns = headers
        .iter()
        .filter(|h| !COLUMNS.iter().any(|c| c.name == h.as_str()))
        .cloned()
        .collect();
    let columns: Vec<(usize, &Column)> = COLUMNS
        .iter()
        .filter_map(|c| index.get(c.name).map(|&i| (i, c)))
        .collect();

    let mut out = Criteria {
        unused_columns,
        ..Criteria::default()
    };
    let mut seen: BTreeMap<(String, i32), u64> = BTreeMap::new();
    for record in rdr.records() {
        let record = record.map_err(|e| csv_error(file, &e, headers.len()))?;
        let line = record.position().map_or(0, |p| p.line());
        let mut obs = Observation::default();
        for &(i, col) in &columns {
            let raw = record.get(i).unwrap_or("");
            let cell = |message: String| at(line, Some((i + 1, col.name.to_string())), message);
            match parse_cell(col.kind, raw).map_err(cell)? {
                Cell::Text(s) => match col.name {
                    "area_id" => obs.area_id = s,
                    "area_name" => obs.area_name = s,
                    "municipality" => obs.municipality = s,
                    _ => {}
                },
                Cell::Year(y) => obs.list_year = y,
                Cell::Number(d) => {
                    obs.values.insert(col.name.to_string(), d);
                }
                Cell::Missing => {}
            }
        }
        if let Some(first) = seen.insert((obs.area_id.clone(), obs.list_year), line) {
            return Err(at(
                line,
                None,
                format!(
                    "area '{}' appears again for list year {} (first on line {first}); expected one row per area and list year",
                    obs.area_id, obs.list_year
                ),
            ));
        }
        out.observations.push(obs);
        out.lines.push(line);
    }
    if out.observations.is_empty() {
        return Err(at(
            1,
            None,
            "the file has a header but no rows; expected one row per area and list year".into(),
        ));
    }
    Ok(out)
}

fn required_names() -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter(|c| c.required)
        .map(|c| c.name)
        .collect()
}

enum Cell {
    Text(String),
    Year(i32),
    Number(Decimal),
    Missing,
}

fn parse_cell(kind: Kind, raw: &str) -> Result<Cell, String> {
    let raw = raw.trim();
    match kind {
        Kind::Id if raw.is_empty() => Err("expected an area id, found an empty cell".into()),
        Kind::Id | Kind::Text => Ok(Cell::Text(raw.to_string())),
        Kind::Year => {
            let y: i32 = raw
                .parse()
                .map_err(|_| format!("expected a list year such as 2021, found '{raw}'"))?;
            if y < FIRST_LIST_YEAR {
                return Err(format!(
                    "list year {y} is before {FIRST_LIST_YEAR}, when the first list was published; expected {FIRST_LIST_YEAR} or later"
                ));
            }
            if y > 2100 {
                return Err(format!("expected a list year such as 2021, found {y}"));
            }
            Ok(Cell::Year(y))
        }
        _ if raw.is_empty() => Ok(Cell::Missing),
        Kind::Count => {
            let d = number(raw, "a whole number of persons")?;
            if d.is_sign_negative() && !d.is_zero() {
                return Err(format!(
                    "expected a number of persons, 0 or more, found {raw}"
                ));
            }
            if !d.fract().is_zero() {
                return Err(format!("expected a whole number of persons, found {raw}"));
            }
            Ok(Cell::Number(d))
        }
        Kind::Percent => {
            let d = number(raw, "a percentage from 0 to 100")?;
            if d < Decimal::ZERO || d > Decimal::ONE_HUNDRED {
                return Err(format!(
                    "expected a percentage from 0 to 100 (in per-cent units), found {raw}"
                ));
            }
            Ok(Cell::Number(d))
        }
        Kind::PercentOfReference => {
            let d = number(raw, "a percentage of the reference, 0 or more")?;
            if d < Decimal::ZERO {
                return Err(format!(
                    "expected a percentage of the reference, 0 or more, found {raw}"
                ));
            }
            Ok(Cell::Number(d))
        }
    }
}

fn number(raw: &str, expected: &str) -> Result<Decimal, String> {
    if raw.contains(',') {
        return Err(format!(
            "expected {expected} with a decimal point, found '{raw}' (decimal comma)"
        ));
    }
    let ok = raw
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    match Decimal::from_str(raw) {
        Ok(d) if ok => Ok(d),
        _ => Err(format!("expected {expected}, found '{raw}'")),
    }
}

/// Writes observations as a criteria CSV with every column of [`COLUMNS`], in their order: the
/// file `read_criteria` reads back to the same observations. Decimals are written exactly as
/// they are held; a missing value is an empty cell.
pub fn write_criteria(observations: &[Observation]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS.iter().map(|c| c.name))
        .expect("writing to memory");
    for o in observations {
        let row = COLUMNS.iter().map(|c| match c.name {
            "area_id" => o.area_id.clone(),
            "area_name" => o.area_name.clone(),
            "municipality" => o.municipality.clone(),
            "list_year" => o.list_year.to_string(),
            name => o
                .values
                .get(name)
                .map_or_else(String::new, ToString::to_string),
        });
        w.write_record(row).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 fields")
}

/// Reads the history CSV (`list_year,area_id,list`): memberships published before the data.
/// `known_lists` are the list ids a row may name.
pub fn read_history(
    file: &str,
    input: impl Read,
    known_lists: &[&str],
) -> Result<History, InputError> {
    let mut rdr = reader(input);
    let at = |line, column, message| located(file, line, column, message);
    let headers = header_names(&mut rdr, file)?;
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(at(
                1,
                Some((i + 1, h.clone())),
                format!("column '{h}' appears twice in the header; expected each column once"),
            ));
        }
    }
    let pos = |name: &str| headers.iter().position(|h| h == name);
    let (Some(iy), Some(ia), Some(il)) = (pos("list_year"), pos("area_id"), pos("list")) else {
        return Err(at(
            1,
            None,
            format!(
                "expected the header list_year,area_id,list, found {}",
                headers.join(",")
            ),
        ));
    };
    let mut history = History::new();
    for record in rdr.records() {
        let record = record.map_err(|e| csv_error(file, &e, headers.len()))?;
        let line = record.position().map_or(0, |p| p.line());
        let year = match parse_cell(Kind::Year, record.get(iy).unwrap_or("")) {
            Ok(Cell::Year(y)) => y,
            Err(m) => return Err(at(line, Some((iy + 1, "list_year".into())), m)),
            Ok(_) => unreachable!("a year cell parses to a year"),
        };
        let area = record.get(ia).unwrap_or("").trim();
        if area.is_empty() {
            return Err(at(
                line,
                Some((ia + 1, "area_id".into())),
                "expected an area id, found an empty cell".into(),
            ));
        }
        let list = record.get(il).unwrap_or("").trim();
        if !known_lists.contains(&list) {
            return Err(at(
                line,
                Some((il + 1, "list".into())),
                format!(
                    "unknown list '{list}'; expected one of: {}",
                    known_lists.join(", ")
                ),
            ));
        }
        history.add(year, area, list);
    }
    Ok(history)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "area_id,area_name,municipality,list_year,residents,non_western_pct,outside_labour_pct,convicted_pct,convicted_national_pct,basic_education_pct,income_pct_of_region";

    fn read(body: &str) -> Result<Criteria, InputError> {
        read_criteria("in.csv", format!("{HEADER}\n{body}").as_bytes())
    }

    #[test]
    fn a_good_file_is_read_with_missing_cells_left_out() {
        let c = read("A1,Ås,Århus,2021,2500,55.5,41,2.4,0.80,,50\n").unwrap();
        let o = &c.observations[0];
        assert_eq!(
            (o.area_id.as_str(), o.area_name.as_str(), o.list_year),
            ("A1", "Ås", 2021)
        );
        assert_eq!(o.values["outside_labour_pct"], Decimal::from(41));
        assert!(!o.values.contains_key("basic_education_pct"));
        assert_eq!(c.lines, vec![2]);
    }

    #[test]
    fn each_bad_input_gets_its_line_column_and_expectation() {
        let cases = [
            (
                "A1,x,y,2021,2500,55,41,abc,0.8,30,50",
                "in.csv, line 2, column 8 (convicted_pct): expected a percentage from 0 to 100, found 'abc'",
            ),
            (
                "A1,x,y,2021,2500,155,41,2,0.8,30,50",
                "in.csv, line 2, column 6 (non_western_pct): expected a percentage from 0 to 100 (in per-cent units), found 155",
            ),
            (
                "A1,x,y,2021,-5,55,41,2,0.8,30,50",
                "in.csv, line 2, column 5 (residents): expected a number of persons, 0 or more, found -5",
            ),
            (
                "A1,x,y,2009,2500,55,41,2,0.8,30,50",
                "in.csv, line 2, column 4 (list_year): list year 2009 is before 2010, when the first list was published; expected 2010 or later",
            ),
            (
                "A1,x,y,2021,2500,55,41,2,0.8,30,50\nA1,x,y,2021,2500,55,41,2,0.8,30,50",
                "in.csv, line 3: area 'A1' appears again for list year 2021 (first on line 2); expected one row per area and list year",
            ),
            (
                "A1,x,y,2021,2500.5,55,41,2,0.8,30,50",
                "in.csv, line 2, column 5 (residents): expected a whole number of persons, found 2500.5",
            ),
            (
                "A1,x,y,2021,2500,55,41,2,0,8,30,50",
                "in.csv, line 2: expected 11 fields as in the header, found 12 (a decimal comma? write decimals with a point, e.g. 40.5)",
            ),
            (
                ",x,y,2021,2500,55,41,2,0.8,30,50",
                "in.csv, line 2, column 1 (area_id): expected an area id, found an empty cell",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(read(body).unwrap_err().to_string(), expected, "{body}");
        }
    }

    /// A reader of `len` bytes of `byte` that counts how many were read.
    struct Endless<'a> {
        byte: u8,
        left: u64,
        read: &'a std::cell::Cell<u64>,
    }

    impl Read for Endless<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.left as usize);
            buf[..n].fill(self.byte);
            self.left -= n as u64;
            self.read.set(self.read.get() + n as u64);
            Ok(n)
        }
    }

    #[test]
    fn a_gigabyte_without_a_line_break_is_refused_after_the_first_megabyte() {
        // Before, the whole input was buffered as one record (3.15 GB for 1 GB of NUL bytes)
        // before the header was found wanting.
        for (byte, expected) in [(0u8, "NUL byte"), (b'a', "longer than 1048576 bytes")] {
            let read = std::cell::Cell::new(0);
            let input = Endless {
                byte,
                left: 1 << 30,
                read: &read,
            };
            let err = read_criteria("sparse.csv", input).unwrap_err();
            assert_eq!(err.line, 1, "{err}");
            assert!(err.message.contains(expected), "{err}");
            assert!(
                read.get() <= 2 * MAX_LINE_BYTES as u64,
                "read {} bytes",
                read.get()
            );
            let read = std::cell::Cell::new(0);
            let input = Endless {
                byte,
                left: 1 << 30,
                read: &read,
            };
            let err = read_history("history.csv", input, &["a"]).unwrap_err();
            assert!(err.message.contains(expected), "{err}");
            assert!(
                read.get() <= 2 * MAX_LINE_BYTES as u64,
                "read {} bytes",
                read.get()
            );
        }
        // A NUL byte in a later row is refused at its line.
        let body = format!("{HEADER}\nA1,x,y,2021,2500,55,41,0.8,0.9,30,50\nA2,x\0,y");
        let err = read_criteria("in.csv", body.as_bytes()).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(
            err.message.contains("byte 5 of the line is a NUL byte"),
            "{err}"
        );
    }

    #[test]
    fn a_repeated_history_column_is_refused() {
        let err = read_history(
            "history.csv",
            "list_year,area_id,list,area_id\n2019,A1,a,A2\n".as_bytes(),
            &["a"],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "history.csv, line 1, column 4 (area_id): column 'area_id' appears twice in the header; expected each column once"
        );
    }

    #[test]
    fn a_missing_column_is_named() {
        let header = HEADER.replace(",convicted_pct", "");
        let err = read_criteria(
            "in.csv",
            format!("{header}\nA1,x,y,2021,2500,55,41,0.8,30,50").as_bytes(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("in.csv, line 1: missing column 'convicted_pct'"),
            "{err}"
        );
    }

    #[test]
    fn income_may_exceed_100_per_cent_of_the_region() {
        let c = read("A1,x,y,2021,2500,55,41,2,0.8,30,123.4").unwrap();
        assert_eq!(
            c.observations[0].values["income_pct_of_region"].to_string(),
            "123.4"
        );
    }

    #[test]
    fn written_criteria_read_back_to_the_same_observations() {
        let c = read("A1,\"Ås, Nord\",Århus,2021,2500,55.50,41,2.4,0.80,,123.45\n").unwrap();
        let text = write_criteria(&c.observations);
        let back = read_criteria("out.csv", text.as_bytes()).unwrap();
        assert_eq!(back.observations, c.observations);
        assert!(
            text.starts_with("area_id,area_name,municipality,list_year,residents,"),
            "{text}"
        );
    }

    #[test]
    fn history_rows_name_known_lists() {
        let h = read_history(
            "h.csv",
            "list_year,area_id,list\n2019,A1,ghettoomraade\n".as_bytes(),
            &["ghettoomraade"],
        )
        .unwrap();
        assert!(h.covers(2019));
        let err = read_history(
            "h.csv",
            "list_year,area_id,list\n2019,A1,ghetto\n".as_bytes(),
            &["ghettoomraade"],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "h.csv, line 2, column 3 (list): unknown list 'ghetto'; expected one of: ghettoomraade"
        );
    }
}
