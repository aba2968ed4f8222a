//! The whole plan set as ten flat CSV files, and back, without loss.
//!
//! | file | columns |
//! |---|---|
//! | `policies.csv` | `id,name,name_en,period_from,period_to,ambitions,illustrative,source` |
//! | `goals.csv` | `id,policy_id,name,name_en,illustrative,source` |
//! | `subgoals.csv` | `id,goal_id,name,name_en,illustrative,source` |
//! | `indicators.csv` | `id,parent_id,name,measure,areas,population,direction,baseline_value,baseline_year,baseline_source,target_kind,target_value,target_year,data_source,illustrative,source` |
//! | `action_plans.csv` | `id,plan,version,name,period_from,period_to,policy_id,illustrative,source` |
//! | `initiatives.csv` | `action_plan_id,id,name,description,owner,partners,areas,sub_goals,period_from,period_to,budget_dkk,status,illustrative,source` |
//! | `helhedsplaner.csv` | `id,area_id,name,housing_organisation,level,period_from,period_to,lbf_grant_dkk,municipal_cofinancing_dkk,illustrative,source` |
//! | `hp_challenges.csv` | `id,helhedsplan_id,text,illustrative,source` |
//! | `hp_goals.csv` | `id,challenge_id,text,illustrative,source` |
//! | `hp_actions.csv` | `id,goal_id,name,description,illustrative,source` |
//!
//! Children name their parent (`policy_id`, `goal_id`, …); an indicator's `parent_id` is a
//! sub-goal or a helhedsplan goal. Rows keep their order within their parent.
//!
//! Cells: comma-separated, quoted as the `csv` crate does (so commas, quotes and newlines in
//! text are safe), UTF-8, a leading BOM ignored. A text cell that a spreadsheet would take for a
//! formula (beginning with `=`, `+`, `-`, `@`, a tab or a carriage return, and not a plain
//! number) is written with a leading `'` and read without it ([`formula_safe`]). Decimals with a decimal point, written exactly as
//! held; whole DKK; `true`/`false`; measures, directions, statuses and levels by their names;
//! owners by the administration's full Danish name (the abbreviation is also read). An empty
//! baseline (`baseline_value`, `baseline_year`, `baseline_source` all empty) is no baseline;
//! `target_kind` is `value` (with `target_value`), `city_average` (without) or empty (no target,
//! and no value or year). Empty `budget_dkk` is unknown.
//!
//! **Lists** (`ambitions`, `partners`, `areas`, `sub_goals`) are `;`-separated within the cell.
//! A `;` inside an item is **escaped** as `\;` and a backslash as `\\`, so any text round-trips;
//! any other backslash sequence is refused. Spaces around items are dropped on reading (so
//! `a; b` reads as `a` and `b`), which is why [`crate::Plans::validate`] refuses items with
//! surrounding spaces. An empty cell is an empty list. `areas` is `*` for all designated areas.
//!
//! Reading checks every cell, then the references (each parent and each initiative's sub-goals
//! must exist, ids must be unique), then everything [`crate::Plans::validate`] checks; the first
//! problem is returned, naming the file, the line, the column (number and name) and what was
//! expected. A missing file reads as an empty table (the command line, reading a folder, requires
//! all ten); an unknown file name is refused.

use crate::PlanError;
use crate::model::*;
use csv::StringRecord;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::str::FromStr;

/// Every file, with its columns in the order they are written.
pub const FILES: &[(&str, &[&str])] = &[
    (
        "policies.csv",
        &[
            "id",
            "name",
            "name_en",
            "period_from",
            "period_to",
            "ambitions",
            "illustrative",
            "source",
        ],
    ),
    (
        "goals.csv",
        &[
            "id",
            "policy_id",
            "name",
            "name_en",
            "illustrative",
            "source",
        ],
    ),
    (
        "subgoals.csv",
        &["id", "goal_id", "name", "name_en", "illustrative", "source"],
    ),
    (
        "indicators.csv",
        &[
            "id",
            "parent_id",
            "name",
            "measure",
            "areas",
            "population",
            "direction",
            "baseline_value",
            "baseline_year",
            "baseline_source",
            "target_kind",
            "target_value",
            "target_year",
            "data_source",
            "illustrative",
            "source",
        ],
    ),
    (
        "action_plans.csv",
        &[
            "id",
            "plan",
            "version",
            "name",
            "period_from",
            "period_to",
            "policy_id",
            "illustrative",
            "source",
        ],
    ),
    (
        "initiatives.csv",
        &[
            "action_plan_id",
            "id",
            "name",
            "description",
            "owner",
            "partners",
            "areas",
            "sub_goals",
            "period_from",
            "period_to",
            "budget_dkk",
            "status",
            "illustrative",
            "source",
        ],
    ),
    (
        "helhedsplaner.csv",
        &[
            "id",
            "area_id",
            "name",
            "housing_organisation",
            "level",
            "period_from",
            "period_to",
            "lbf_grant_dkk",
            "municipal_cofinancing_dkk",
            "illustrative",
            "source",
        ],
    ),
    (
        "hp_challenges.csv",
        &["id", "helhedsplan_id", "text", "illustrative", "source"],
    ),
    (
        "hp_goals.csv",
        &["id", "challenge_id", "text", "illustrative", "source"],
    ),
    (
        "hp_actions.csv",
        &[
            "id",
            "goal_id",
            "name",
            "description",
            "illustrative",
            "source",
        ],
    ),
];

/// Joins list items with `;`, escaping `\` as `\\` and `;` as `\;`.
pub fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| s.as_ref().replace('\\', "\\\\").replace(';', "\\;"))
        .collect::<Vec<_>>()
        .join(";")
}

/// Splits a `;`-separated cell into trimmed items (an empty cell is no item); `Err` names the
/// problem when a backslash is not followed by `\` or `;`.
pub fn split_list(cell: &str) -> Result<Vec<String>, String> {
    if cell.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | ';')) => cur.push(e),
                _ => {
                    return Err(format!(
                        "a `;`-separated list (`;` in an item escaped as `\\;`, a backslash as `\\\\`), not {cell:?}"
                    ));
                }
            },
            ';' => out.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    Ok(out)
}

fn areas_cell(a: &Areas) -> String {
    match a {
        Areas::All => "*".into(),
        Areas::Listed(v) => join_list(v),
    }
}

fn b(v: bool) -> String {
    v.to_string()
}

/// Columns a file written before they existed may lack: read as empty (an indicator's
/// population is then implied by its `areas`, [`crate::Population::implied_by`]).
pub const OPTIONAL_COLUMNS: &[(&str, &str)] = &[
    ("indicators.csv", "population"),
    ("indicators.csv", "data_source"),
];

/// Writes the plan set as the ten files, in [`FILES`] order, each with its header (a table with
/// no rows is the header alone), every text cell exactly as held: for a writer whose cells are
/// typed, such as an Excel workbook whose strings are never formulas, and for round trips. A
/// CSV file that people open in a spreadsheet is written by [`write_safe`].
pub fn write(plans: &Plans) -> Vec<(String, String)> {
    write_cells(plans, false)
}

/// The ten files as [`write`] writes them, but with every text cell through [`formula_safe`],
/// so that a spreadsheet opening a file never evaluates a cell as a formula; numbers (the
/// [`NUMBER_COLUMNS`]) stay numbers. [`read`] reads them back without loss. For a plan set
/// without formula-like text the bytes are those of [`write`].
pub fn write_safe(plans: &Plans) -> Vec<(String, String)> {
    write_cells(plans, true)
}

fn write_cells(plans: &Plans, safe: bool) -> Vec<(String, String)> {
    let mut tables: BTreeMap<&str, Vec<Vec<String>>> = BTreeMap::new();
    let mut row = |file: &'static str, cells: Vec<String>| {
        tables.entry(file).or_default().push(cells);
    };
    let mut indicator_rows: Vec<Vec<String>> = Vec::new();
    let mut ind = |parent: &str, i: &Indicator| {
        let (bv, by, bs) = match &i.baseline {
            Some(b) => (b.value.to_string(), b.year.to_string(), b.source.clone()),
            None => Default::default(),
        };
        let (tk, tv, ty) = match &i.target {
            Some(Target::Value { value, year }) => {
                ("value".into(), value.to_string(), year.to_string())
            }
            Some(Target::CityAverage { year }) => {
                ("city_average".into(), String::new(), year.to_string())
            }
            None => Default::default(),
        };
        indicator_rows.push(vec![
            i.id.clone(),
            parent.into(),
            i.name.clone(),
            i.measure.as_str().into(),
            areas_cell(&i.areas),
            i.population.as_text(),
            i.direction.as_str().into(),
            bv,
            by,
            bs,
            tk,
            tv,
            ty,
            i.data_source.clone(),
            b(i.illustrative),
            i.source.clone(),
        ]);
    };
    for p in &plans.policies {
        row(
            "policies.csv",
            vec![
                p.id.clone(),
                p.name.clone(),
                p.name_en.clone(),
                p.period.from.to_string(),
                p.period.to.to_string(),
                join_list(&p.ambitions),
                b(p.illustrative),
                p.source.clone(),
            ],
        );
        for g in &p.goals {
            row(
                "goals.csv",
                vec![
                    g.id.clone(),
                    p.id.clone(),
                    g.name.clone(),
                    g.name_en.clone(),
                    b(g.illustrative),
                    g.source.clone(),
                ],
            );
            for s in &g.sub_goals {
                row(
                    "subgoals.csv",
                    vec![
                        s.id.clone(),
                        g.id.clone(),
                        s.name.clone(),
                        s.name_en.clone(),
                        b(s.illustrative),
                        s.source.clone(),
                    ],
                );
                for i in &s.indicators {
                    ind(&s.id, i);
                }
            }
        }
    }
    for a in &plans.action_plans {
        row(
            "action_plans.csv",
            vec![
                a.id.clone(),
                a.plan.clone(),
                a.version.to_string(),
                a.name.clone(),
                a.period.from.to_string(),
                a.period.to.to_string(),
                a.policy_id.clone(),
                b(a.illustrative),
                a.source.clone(),
            ],
        );
        for i in &a.initiatives {
            row(
                "initiatives.csv",
                vec![
                    a.id.clone(),
                    i.id.clone(),
                    i.name.clone(),
                    i.description.clone(),
                    i.owner.name().into(),
                    join_list(&i.partners),
                    areas_cell(&i.areas),
                    join_list(&i.sub_goals),
                    i.period.from.to_string(),
                    i.period.to.to_string(),
                    i.budget_dkk.map(|v| v.to_string()).unwrap_or_default(),
                    i.status.as_str().into(),
                    b(i.illustrative),
                    i.source.clone(),
                ],
            );
        }
    }
    for h in &plans.helhedsplaner {
        row(
            "helhedsplaner.csv",
            vec![
                h.id.clone(),
                h.area_id.clone(),
                h.name.clone(),
                h.housing_organisation.clone(),
                h.level.as_str().into(),
                h.period.from.to_string(),
                h.period.to.to_string(),
                h.lbf_grant_dkk.to_string(),
                h.municipal_cofinancing_dkk.to_string(),
                b(h.illustrative),
                h.source.clone(),
            ],
        );
        for c in &h.challenges {
            row(
                "hp_challenges.csv",
                vec![
                    c.id.clone(),
                    h.id.clone(),
                    c.text.clone(),
                    b(c.illustrative),
                    c.source.clone(),
                ],
            );
            for g in &c.goals {
                row(
                    "hp_goals.csv",
                    vec![
                        g.id.clone(),
                        c.id.clone(),
                        g.text.clone(),
                        b(g.illustrative),
                        g.source.clone(),
                    ],
                );
                for i in &g.indicators {
                    ind(&g.id, i);
                }
                for a in &g.actions {
                    row(
                        "hp_actions.csv",
                        vec![
                            a.id.clone(),
                            g.id.clone(),
                            a.name.clone(),
                            a.description.clone(),
                            b(a.illustrative),
                            a.source.clone(),
                        ],
                    );
                }
            }
        }
    }
    tables.insert("indicators.csv", indicator_rows);
    FILES
        .iter()
        .map(|(name, cols)| {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new());
            // Writing to a Vec cannot fail.
            let _ = w.write_record(*cols);
            for r in tables.get(name).map(Vec::as_slice).unwrap_or_default() {
                let _ = w.write_record(r.iter().zip(*cols).map(|(cell, col)| {
                    if !safe || NUMBER_COLUMNS.contains(col) {
                        cell.clone()
                    } else {
                        formula_safe(cell).into_owned()
                    }
                }));
            }
            let bytes = w.into_inner().unwrap_or_default();
            (
                name.to_string(),
                String::from_utf8(bytes).unwrap_or_default(),
            )
        })
        .collect()
}

/// The columns that hold numbers (years, versions, decimals, DKK): written as the number, so
/// that `-1.5` stays a number in a spreadsheet. Every other column is text and goes through
/// [`formula_safe`].
pub const NUMBER_COLUMNS: &[&str] = &[
    "period_from",
    "period_to",
    "version",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "budget_dkk",
    "lbf_grant_dkk",
    "municipal_cofinancing_dkk",
];

/// Whether a spreadsheet would take `text` for a formula: it begins with `=`, `+`, `-`, `@`, a
/// tab or a carriage return, and is not a plain number such as `-1.5` (which a spreadsheet
/// reads as the number).
fn formula_like(text: &str) -> bool {
    let risky = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = match body.split_once(['.', ',']) {
        Some((i, f)) => digits(i) && digits(f),
        None => digits(body),
    };
    risky && !number
}

/// A text cell as written (OWASP's rule against CSV injection): text that a spreadsheet would
/// take for a formula gets a leading `'`, so that opening the file never evaluates it. To
/// read back without loss, a text of `'`s followed by such text also gets one more `'`, and
/// reading ([`read`]) removes one leading `'` from exactly those cells. Other text is
/// unchanged.
pub fn formula_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(text.trim_start_matches('\'')) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The text a cell written by [`formula_safe`] holds: one leading `'` removed when the cell
/// is `'`s followed by formula-like text; any other cell as it is.
fn formula_unsafe(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest.trim_start_matches('\'')) => rest,
        _ => cell,
    }
}

/// One parsed file: its header's column positions and its rows with their lines.
struct Table {
    file: String,
    cols: BTreeMap<String, usize>,
    rows: Vec<(u64, StringRecord)>,
}

impl Table {
    fn parse(file: &str, content: &str, expected: &[&str]) -> Result<Table, PlanError> {
        let err = |line: Option<u64>, column: Option<(usize, String)>, message: String| PlanError {
            file: file.into(),
            line,
            column,
            message,
        };
        let content = content.strip_prefix('\u{feff}').unwrap_or(content);
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(content.as_bytes());
        let mut records = r.records();
        let header = match records.next() {
            None => {
                return Err(err(
                    Some(1),
                    None,
                    format!("a header: {}", expected.join(",")),
                ));
            }
            Some(h) => h.map_err(|e| csv_error(file, e))?,
        };
        let mut cols = BTreeMap::new();
        for (n, name) in header.iter().enumerate() {
            if !expected.contains(&name) {
                return Err(err(
                    Some(1),
                    Some((n + 1, name.into())),
                    format!("one of the columns {}, not {name:?}", expected.join(",")),
                ));
            }
            if cols.insert(name.to_string(), n).is_some() {
                return Err(err(
                    Some(1),
                    Some((n + 1, name.into())),
                    format!("each column once; {name:?} is repeated"),
                ));
            }
        }
        for name in expected {
            if !cols.contains_key(*name) && !OPTIONAL_COLUMNS.contains(&(file, *name)) {
                return Err(err(
                    Some(1),
                    None,
                    format!(
                        "a column named {name:?} in the header (the columns are {})",
                        expected.join(",")
                    ),
                ));
            }
        }
        let mut rows = Vec::new();
        for rec in records {
            let rec = rec.map_err(|e| csv_error(file, e))?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.len() != header.len() {
                return Err(err(
                    Some(line),
                    None,
                    format!(
                        "{} fields as in the header, found {}",
                        header.len(),
                        rec.len()
                    ),
                ));
            }
            let rec: StringRecord = rec.iter().map(formula_unsafe).collect();
            rows.push((line, rec));
        }
        Ok(Table {
            file: file.into(),
            cols,
            rows,
        })
    }

    fn column(&self, name: &str) -> Option<(usize, String)> {
        self.cols.get(name).map(|n| (n + 1, name.to_string()))
    }
}

fn csv_error(file: &str, e: csv::Error) -> PlanError {
    PlanError {
        file: file.into(),
        line: e.position().map(|p| p.line()),
        column: None,
        message: format!("well-formed CSV in UTF-8 ({e})"),
    }
}

/// One row, with typed cell accessors whose errors name the file, line and column.
struct Row<'a> {
    t: &'a Table,
    line: u64,
    rec: &'a StringRecord,
}

impl Row<'_> {
    fn err(&self, col: &str, message: String) -> PlanError {
        PlanError {
            file: self.t.file.clone(),
            line: Some(self.line),
            column: self.t.column(col),
            message,
        }
    }
    fn cell(&self, col: &str) -> &str {
        self.t
            .cols
            .get(col)
            .and_then(|&n| self.rec.get(n))
            .unwrap_or("")
    }
    fn text(&self, col: &str) -> String {
        self.cell(col).to_string()
    }
    fn id(&self, col: &str) -> Result<String, PlanError> {
        let v = self.cell(col);
        if v.is_empty() {
            Err(self.err(col, "an id, found an empty cell".into()))
        } else {
            Ok(v.into())
        }
    }
    fn parse<T: FromStr<Err = String>>(&self, col: &str) -> Result<T, PlanError> {
        self.cell(col).parse().map_err(|m| self.err(col, m))
    }
    fn int<T: FromStr>(&self, col: &str, what: &str) -> Result<T, PlanError> {
        let v = self.cell(col);
        v.parse()
            .map_err(|_| self.err(col, format!("{what}, not {v:?}")))
    }
    fn year(&self, col: &str) -> Result<i32, PlanError> {
        let y: i32 = self.int(col, "a year (four digits)")?;
        if (1000..=9999).contains(&y) {
            Ok(y)
        } else {
            Err(self.err(col, format!("a year (four digits), not {y}")))
        }
    }
    fn opt_year(&self, col: &str) -> Result<Option<i32>, PlanError> {
        if self.cell(col).is_empty() {
            Ok(None)
        } else {
            self.year(col).map(Some)
        }
    }
    fn dkk(&self, col: &str) -> Result<i64, PlanError> {
        self.int(col, "a whole number of DKK (digits only, no separators)")
    }
    fn decimal(&self, col: &str) -> Result<Option<Decimal>, PlanError> {
        let v = self.cell(col);
        if v.is_empty() {
            return Ok(None);
        }
        Decimal::from_str(v)
            .map(Some)
            .map_err(|_| self.err(col, format!("a number with a decimal point, not {v:?}")))
    }
    fn boolean(&self, col: &str) -> Result<bool, PlanError> {
        match self.cell(col) {
            "true" => Ok(true),
            "false" => Ok(false),
            v => Err(self.err(col, format!("true or false, not {v:?}"))),
        }
    }
    fn list(&self, col: &str) -> Result<Vec<String>, PlanError> {
        split_list(self.cell(col)).map_err(|m| self.err(col, m))
    }
    fn areas(&self, col: &str) -> Result<Areas, PlanError> {
        if self.cell(col).trim() == "*" {
            Ok(Areas::All)
        } else {
            let v = self.list(col)?;
            if v.is_empty() {
                Err(self.err(
                    col,
                    "area ids separated by `;`, or `*` for all designated areas, found an empty cell"
                        .into(),
                ))
            } else {
                Ok(Areas::Listed(v))
            }
        }
    }
    fn period(&self) -> Result<Period, PlanError> {
        Ok(Period {
            from: self.year("period_from")?,
            to: self.year("period_to")?,
        })
    }
}

/// Reads the plan set from the files' contents (name, content), as the module describes.
pub fn read(files: &[(String, String)]) -> Result<Plans, PlanError> {
    let mut by_name: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, content) in files {
        let known = FILES.iter().any(|(f, _)| f == name);
        if !known {
            return Err(PlanError {
                file: name.clone(),
                line: None,
                column: None,
                message: format!(
                    "one of the plan files ({}), not this name",
                    FILES.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        if by_name.insert(name, content).is_some() {
            return Err(PlanError {
                file: name.clone(),
                line: None,
                column: None,
                message: "each file once; this one is given twice".into(),
            });
        }
    }
    let mut tables: BTreeMap<&str, Table> = BTreeMap::new();
    for (name, cols) in FILES {
        let t = match by_name.get(name) {
            Some(c) => Table::parse(name, c, cols)?,
            None => Table {
                file: name.to_string(),
                cols: cols
                    .iter()
                    .enumerate()
                    .map(|(n, c)| (c.to_string(), n))
                    .collect(),
                rows: Vec::new(),
            },
        };
        tables.insert(name, t);
    }
    Builder::default().build(&tables)
}

/// Reads the plan set from readers (file name, reader); the names are used for messages and to
/// tell the tables apart. A file that is not UTF-8 is refused, naming it.
pub fn read_from<R: Read>(files: Vec<(String, R)>) -> Result<Plans, PlanError> {
    let mut out = Vec::new();
    for (name, mut r) in files {
        let mut s = String::new();
        r.read_to_string(&mut s).map_err(|e| PlanError {
            file: name.clone(),
            line: None,
            column: None,
            message: format!("a readable UTF-8 file ({e})"),
        })?;
        out.push((name, s));
    }
    read(&out)
}

/// Where each object was read: object key → (file, line).
#[derive(Default)]
struct Builder {
    at: BTreeMap<String, (&'static str, u64)>,
    seen: BTreeSet<String>,
}

impl Builder {
    fn rows<'a>(tables: &'a BTreeMap<&str, Table>, file: &str) -> impl Iterator<Item = Row<'a>> {
        let t = &tables[file];
        t.rows.iter().map(move |(line, rec)| Row {
            t,
            line: *line,
            rec,
        })
    }

    /// Takes the row's `id`, refusing a duplicate across the set, and remembers where it is.
    fn new_id(&mut self, r: &Row<'_>, file: &'static str) -> Result<String, PlanError> {
        let id = r.id("id")?;
        if !self.seen.insert(id.clone()) {
            return Err(r.err("id", format!("a unique id; {id:?} is already used")));
        }
        self.at.insert(id.clone(), (file, r.line));
        Ok(id)
    }

    fn build(mut self, tables: &BTreeMap<&str, Table>) -> Result<Plans, PlanError> {
        let mut plans = Plans::default();
        let parent_err = |r: &Row<'_>, col: &str, what: &str, file: &str| {
            r.err(
                col,
                format!("the id of {what} in {file}; {:?} is none", r.cell(col)),
            )
        };
        // Policies, goals, sub-goals.
        let mut policy_ix: BTreeMap<String, usize> = BTreeMap::new();
        for r in Self::rows(tables, "policies.csv") {
            let id = self.new_id(&r, "policies.csv")?;
            policy_ix.insert(id.clone(), plans.policies.len());
            plans.policies.push(Policy {
                id,
                name: r.text("name"),
                name_en: r.text("name_en"),
                period: r.period()?,
                ambitions: r.list("ambitions")?,
                goals: Vec::new(),
                illustrative: r.boolean("illustrative")?,
                source: r.text("source"),
            });
        }
        let mut goal_ix: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for r in Self::rows(tables, "goals.csv") {
            let id = self.new_id(&r, "goals.csv")?;
            let &pi = policy_ix
                .get(r.cell("policy_id"))
                .ok_or_else(|| parent_err(&r, "policy_id", "a policy", "policies.csv"))?;
            let p = &mut plans.policies[pi];
            goal_ix.insert(id.clone(), (pi, p.goals.len()));
            p.goals.push(Goal {
                id,
                name: r.text("name"),
                name_en: r.text("name_en"),
                sub_goals: Vec::new(),
                illustrative: r.boolean("illustrative")?,
                source: r.text("source"),
            });
        }
        let mut sub_ix: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        for r in Self::rows(tables, "subgoals.csv") {
            let id = self.new_id(&r, "subgoals.csv")?;
            let &(pi, gi) = goal_ix
                .get(r.cell("goal_id"))
                .ok_or_else(|| parent_err(&r, "goal_id", "a goal", "goals.csv"))?;
            let g = &mut plans.policies[pi].goals[gi];
            sub_ix.insert(id.clone(), (pi, gi, g.sub_goals.len()));
            g.sub_goals.push(SubGoal {
                id,
                name: r.text("name"),
                name_en: r.text("name_en"),
                indicators: Vec::new(),
                illustrative: r.boolean("illustrative")?,
                source: r.text("source"),
            });
        }
        // Helhedsplaner, challenges, goals, actions.
        let mut hp_ix: BTreeMap<String, usize> = BTreeMap::new();
        for r in Self::rows(tables, "helhedsplaner.csv") {
            let id = self.new_id(&r, "helhedsplaner.csv")?;
            hp_ix.insert(id.clone(), plans.helhedsplaner.len());
            plans.helhedsplaner.push(Helhedsplan {
                id,
                area_id: r.id("area_id")?,
                name: r.text("name"),
                housing_organisation: r.text("housing_organisation"),
                level: r.parse("level")?,
                period: r.period()?,
                lbf_grant_dkk: r.dkk("lbf_grant_dkk")?,
                municipal_cofinancing_dkk: r.dkk("municipal_cofinancing_dkk")?,
                challenges: Vec::new(),
                illustrative: r.boolean("illustrative")?,
                source: r.text("source"),
            });
        }
        let mut ch_ix: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for r in Self::rows(tables, "hp_challenges.csv") {
            let id = self.new_id(&r, "hp_challenges.csv")?;
            let &hi = hp_ix.get(r.cell("helhedsplan_id")).ok_or_else(|| {
                parent_err(&r, "helhedsplan_id", "a helhedsplan", "helhedsplaner.csv")
            })?;
            let h = &mut plans.helhedsplaner[hi];
            ch_ix.insert(id.clone(), (hi, h.challenges.len()));
            h.challenges.push(Challenge {
                id,
                text: r.text("text"),
                goals: Vec::new(),
                illustrative: r.boolean("illustrative")?,
                source: r.text("source"),
            });
        }
        let mut hg_ix: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        for r in Self::rows(tables, "hp_goals.csv") {
            let id = self.new_id(&r, "hp_goals.csv")?;
            let &(hi, ci) = ch_ix.get(r.cell("challenge_id")).ok_or_else(|| {
                parent_err(&r, "challenge_id", "a challenge", "hp_challenges.csv")
            })?;
            let c = &mut plans.helhedsplaner[hi].challenges[ci];
            hg_ix.insert(id.clone(), (hi, ci, c.goals.len()));
            c.goals.push(HpGoal {
                id,
                text: r.text("text"),
                indicators: Vec::new(),
                actions: Vec::new(),
                illustrative: r.boolean("illustrative")?,
                source: r.text("source"),
            });
        }
        for r in Self::rows(tables, "hp_actions.csv") {
            let id = self.new_id(&r, "hp_actions.csv")?;
            let &(hi, ci, gi) = hg_ix
                .get(r.cell("goal_id"))
                .ok_or_else(|| parent_err(&r, "goal_id", "a helhedsplan goal", "hp_goals.csv"))?;
            plans.helhedsplaner[hi].challenges[ci].goals[gi]
                .actions
                .push(HpAction {
                    id,
                    name: r.text("name"),
                    description: r.text("description"),
                    illustrative: r.boolean("illustrative")?,
                    source: r.text("source"),
                });
        }
        // Indicators.
        for r in Self::rows(tables, "indicators.csv") {
            let id = self.new_id(&r, "indicators.csv")?;
            let i = read_indicator(&r, id)?;
            let parent = r.cell("parent_id");
            if let Some(&(pi, gi, si)) = sub_ix.get(parent) {
                plans.policies[pi].goals[gi].sub_goals[si]
                    .indicators
                    .push(i);
            } else if let Some(&(hi, ci, gi)) = hg_ix.get(parent) {
                plans.helhedsplaner[hi].challenges[ci].goals[gi]
                    .indicators
                    .push(i);
            } else {
                return Err(parent_err(
                    &r,
                    "parent_id",
                    "a sub-goal or a helhedsplan goal",
                    "subgoals.csv or hp_goals.csv",
                ));
            }
        }
        // Action plans and initiatives.
        let mut ap_ix: BTreeMap<String, usize> = BTreeMap::new();
        for r in Self::rows(tables, "action_plans.csv") {
            let id = self.new_id(&r, "action_plans.csv")?;
            if !policy_ix.contains_key(r.cell("policy_id")) {
                return Err(parent_err(&r, "policy_id", "a policy", "policies.csv"));
            }
            ap_ix.insert(id.clone(), plans.action_plans.len());
            plans.action_plans.push(ActionPlanVersion {
                id,
                plan: r.id("plan")?,
                version: r.int("version", "a version number (1, 2, …)")?,
                name: r.text("name"),
                period: r.period()?,
                policy_id: r.text("policy_id"),
                initiatives: Vec::new(),
                illustrative: r.boolean("illustrative")?,
                source: r.text("source"),
            });
        }
        let mut ini_seen: BTreeSet<(String, String)> = BTreeSet::new();
        for r in Self::rows(tables, "initiatives.csv") {
            let &ai = ap_ix.get(r.cell("action_plan_id")).ok_or_else(|| {
                parent_err(&r, "action_plan_id", "an action plan", "action_plans.csv")
            })?;
            let ap_id = r.cell("action_plan_id").to_string();
            let id = r.id("id")?;
            if !ini_seen.insert((ap_id.clone(), id.clone())) {
                return Err(r.err(
                    "id",
                    format!("an initiative id unique within {ap_id}; {id:?} is already used"),
                ));
            }
            let sub_goals = r.list("sub_goals")?;
            if let Some(s) = sub_goals.iter().find(|s| !sub_ix.contains_key(s.as_str())) {
                return Err(r.err(
                    "sub_goals",
                    format!("ids of sub-goals in subgoals.csv; {s:?} is none"),
                ));
            }
            self.at
                .insert(format!("{ap_id}/{id}"), ("initiatives.csv", r.line));
            plans.action_plans[ai].initiatives.push(Initiative {
                id,
                name: r.text("name"),
                description: r.text("description"),
                owner: r.parse("owner")?,
                partners: r.list("partners")?,
                areas: r.areas("areas")?,
                sub_goals,
                period: r.period()?,
                budget_dkk: if r.cell("budget_dkk").is_empty() {
                    None
                } else {
                    Some(r.dkk("budget_dkk")?)
                },
                status: r.parse("status")?,
                illustrative: r.boolean("illustrative")?,
                source: r.text("source"),
            });
        }
        if let Some(issue) = plans.validate().into_iter().next() {
            let (file, line) = self.at.get(&issue.object).copied().unwrap_or(("plans", 0));
            return Err(PlanError {
                file: file.into(),
                line: (line > 0).then_some(line),
                column: tables.get(file).and_then(|t| t.column(issue.field)),
                message: issue.message,
            });
        }
        Ok(plans)
    }
}

fn read_indicator(r: &Row<'_>, id: String) -> Result<Indicator, PlanError> {
    let bv = r.decimal("baseline_value")?;
    let by = r.opt_year("baseline_year")?;
    let bs = r.text("baseline_source");
    let baseline = match (bv, by) {
        (Some(value), Some(year)) => Some(Baseline {
            value,
            year,
            source: bs,
        }),
        (None, None) if bs.is_empty() => None,
        (None, _) => {
            return Err(r.err(
                "baseline_value",
                "a baseline value with the baseline year and source (or all three empty)".into(),
            ));
        }
        (Some(_), None) => {
            return Err(r.err(
                "baseline_year",
                "a baseline year with the baseline value (or both empty)".into(),
            ));
        }
    };
    let tv = r.decimal("target_value")?;
    let ty = r.opt_year("target_year")?;
    let target = match (r.cell("target_kind"), tv, ty) {
        ("value", Some(value), Some(year)) => Some(Target::Value { value, year }),
        ("value", None, _) => {
            return Err(r.err(
                "target_value",
                "a target value for target_kind value".into(),
            ));
        }
        ("city_average", None, Some(year)) => Some(Target::CityAverage { year }),
        ("city_average", Some(_), _) => {
            return Err(r.err(
                "target_value",
                "an empty cell for target_kind city_average (the city average is the target)"
                    .into(),
            ));
        }
        ("value" | "city_average", _, None) => {
            return Err(r.err("target_year", "the year the target is due".into()));
        }
        ("", None, None) => None,
        ("", _, _) => {
            return Err(r.err(
                "target_kind",
                "value or city_average when a target value or year is given".into(),
            ));
        }
        (k, _, _) => {
            return Err(r.err(
                "target_kind",
                format!("value, city_average or empty, not {k:?}"),
            ));
        }
    };
    let areas = r.areas("areas")?;
    let population = match r.cell("population") {
        "" => crate::Population::implied_by(&areas),
        _ => r.parse("population")?,
    };
    Ok(Indicator {
        id,
        name: r.text("name"),
        measure: r.parse("measure")?,
        areas,
        population,
        data_source: r.text("data_source"),
        direction: r.parse("direction")?,
        baseline,
        target,
        illustrative: r.boolean("illustrative")?,
        source: r.text("source"),
    })
}
