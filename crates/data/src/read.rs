//! Reading a register folder: `areas.csv` and one `persons-YYYY.parquet` (or `.csv`) per data
//! year, validated as they are counted.
//!
//! Parquet files are read with a projection of the columns the aggregation needs, row groups in
//! parallel (one thread per core); each row group is counted on its own and the partial counts
//! are merged in row-group order, so the result does not depend on the number of threads.

use crate::agg::{Area, Counts, Registers, YearCounts};
use crate::pages::{self, Fast};
use crate::schema::{self, COLUMNS, Kind};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, UInt8Type, UInt16Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use arrow_schema::{Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::schema::types::SchemaDescriptor;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where in an input file an error is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole.
    File,
    /// A line of a CSV file (1-based, the header is line 1).
    Line(u64),
    /// A data row of a Parquet file (1-based).
    Row(u64),
}

/// A bad register folder or file: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// The file (or folder).
    pub file: String,
    /// Where in it.
    pub location: Location,
    /// The column, when the error concerns one.
    pub column: Option<String>,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        match self.location {
            Location::File => {}
            Location::Line(l) => write!(f, ", line {l}")?,
            Location::Row(r) => write!(f, ", row {r}")?,
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DataError {}

pub(crate) fn err(
    file: &Path,
    location: Location,
    column: Option<&str>,
    message: impl Into<String>,
) -> DataError {
    DataError {
        file: file.display().to_string(),
        location,
        column: column.map(String::from),
        message: message.into(),
    }
}

/// Opens a CSV file and reads its header names (without the byte-order mark spreadsheet
/// programs put first). `hint` is added to the message when the file cannot be opened.
pub(crate) fn open_csv(
    path: &Path,
    hint: &str,
) -> Result<(csv::Reader<File>, Vec<String>), DataError> {
    let file = File::open(path).map_err(|e| {
        err(
            path,
            Location::File,
            None,
            format!("cannot open the file: {e}{hint}"),
        )
    })?;
    csv_reader(path, file)
}

/// A CSV reader over `input` and its header names, as [`open_csv`] gives them; `path` names
/// the input in errors.
pub(crate) fn csv_reader<R: Read>(
    path: &Path,
    input: R,
) -> Result<(csv::Reader<R>, Vec<String>), DataError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| err(path, Location::Line(1), None, e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    for (i, h) in headers.iter().enumerate() {
        if !h.is_empty() && headers[..i].contains(h) {
            return Err(err(
                path,
                Location::Line(1),
                Some(h),
                format!(
                    "appears twice in the header (columns {} and {}); expected each column once",
                    headers.iter().position(|x| x == h).expect("found") + 1,
                    i + 1
                ),
            ));
        }
    }
    Ok((rdr, headers))
}

/// Reports progress: `(step, done, total)`.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

/// The file `kvarter synth` writes into a register folder to say whether it finished (see
/// `kvarter_synth::COMPLETION_MARKER`).
pub const SYNTH_MARKER: &str = "kvarter-synth.txt";

/// Refuses a register folder that `kvarter synth` began and did not finish: its
/// [`SYNTH_MARKER`] does not begin with `kvarter synth: complete`. A folder without the marker
/// (real register extracts) passes.
///
/// # Errors
///
/// A [`DataError`] naming the marker and saying that the folder is incomplete.
pub fn check_complete(dir: &Path) -> Result<(), DataError> {
    let path = dir.join(SYNTH_MARKER);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.lines().next() == Some("kvarter synth: complete") => Ok(()),
        Ok(_) => Err(err(
            &path,
            Location::File,
            None,
            "the register folder is incomplete: kvarter synth did not finish writing it (it was interrupted or failed); expected a whole folder: run kvarter synth again",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(err(
            &path,
            Location::File,
            None,
            format!("cannot read the file: {e}"),
        )),
    }
}

/// Reads `areas.csv` and the person files of the data years in `years` (all when `None`), and
/// counts them. A folder that `kvarter synth` did not finish is refused ([`check_complete`]).
pub fn read_registers(
    dir: &Path,
    years: Option<(i16, i16)>,
    progress: Progress<'_>,
) -> Result<Registers, DataError> {
    check_complete(dir)?;
    let areas = read_areas(&dir.join("areas.csv"))?;
    let files = person_files(dir)?;
    let files: Vec<(i16, PathBuf)> = files
        .into_iter()
        .filter(|(y, _)| years.is_none_or(|(a, b)| (a..=b).contains(y)))
        .collect();
    if files.is_empty() {
        let what = years.map_or(String::new(), |(a, b)| {
            format!(" for the data years {a}-{b}")
        });
        return Err(err(
            dir,
            Location::File,
            None,
            format!(
                "no persons-YYYY.parquet or persons-YYYY.csv files{what}; expected one file per data year (see docs/REGISTERS.md)"
            ),
        ));
    }
    let index: HashMap<&str, u32> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i as u32))
        .collect();
    let mut out = BTreeMap::new();
    let total = files.len() as u64;
    for (n, (year, path)) in files.iter().enumerate() {
        progress("reading registers", n as u64, total);
        let counts = if path.extension().is_some_and(|e| e == "csv") {
            read_csv_year(path, *year, &index, &areas)?
        } else {
            read_parquet_year(path, *year, &index, &areas, Route::Auto)?
        };
        out.insert(*year, counts);
    }
    progress("reading registers", total, total);
    Ok(Registers { areas, years: out })
}

/// The `persons-YYYY.*` files of a folder, by year.
fn person_files(dir: &Path) -> Result<Vec<(i16, PathBuf)>, DataError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        err(
            dir,
            Location::File,
            None,
            format!("cannot read the folder: {e}"),
        )
    })?;
    let mut by_year: BTreeMap<i16, PathBuf> = BTreeMap::new();
    for e in entries.flatten() {
        let path = e.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(rest) = name.strip_prefix("persons-") else {
            continue;
        };
        let Some((year, ext)) = rest.split_once('.') else {
            continue;
        };
        if ext != "parquet" && ext != "csv" {
            continue;
        }
        let Ok(year) = year.parse::<i16>() else {
            return Err(err(
                &path,
                Location::File,
                None,
                "expected a file name persons-YYYY.parquet or persons-YYYY.csv with a four-digit data year",
            ));
        };
        if let Some(other) = by_year.insert(year, path.clone()) {
            return Err(err(
                &path,
                Location::File,
                None,
                format!(
                    "data year {year} also has {}; expected one file per data year",
                    other.display()
                ),
            ));
        }
    }
    Ok(by_year.into_iter().collect())
}

/// Reads `areas.csv`; a folder that `kvarter synth` did not finish is refused
/// ([`check_complete`]).
pub fn read_areas(path: &Path) -> Result<Vec<Area>, DataError> {
    if let Some(dir) = path.parent() {
        check_complete(dir)?;
    }
    let (rdr, headers) = open_csv(
        path,
        "; expected the areas of the extract (see docs/REGISTERS.md)",
    )?;
    areas_csv(path, rdr, headers)
}

/// Reads the text of an `areas.csv` from `input`, as [`read_areas`] reads the file; `file`
/// names the input in errors.
pub fn read_areas_from(file: &str, input: impl Read) -> Result<Vec<Area>, DataError> {
    let path = Path::new(file);
    let (rdr, headers) = csv_reader(path, input)?;
    areas_csv(path, rdr, headers)
}

fn areas_csv<R: Read>(
    path: &Path,
    mut rdr: csv::Reader<R>,
    headers: Vec<String>,
) -> Result<Vec<Area>, DataError> {
    let needed = [
        "area_id",
        "area_name",
        "municipality",
        "municipality_name",
        "region",
        "kind",
    ];
    let mut pos = [0usize; 6];
    for (k, name) in needed.iter().enumerate() {
        pos[k] = headers.iter().position(|h| h == name).ok_or_else(|| {
            err(
                path,
                Location::Line(1),
                None,
                format!(
                    "missing column '{name}'; expected the header {}",
                    needed.join(",")
                ),
            )
        })?;
    }
    let mut areas = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            err(
                path,
                Location::Line(e.position().map_or(0, |p| p.line())),
                None,
                e.to_string(),
            )
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |k: usize| rec.get(pos[k]).unwrap_or("");
        let code = |k: usize| -> Result<u16, DataError> {
            get(k).parse().map_err(|_| {
                err(
                    path,
                    Location::Line(line),
                    Some(needed[k]),
                    format!("expected a code such as 101, found '{}'", get(k)),
                )
            })
        };
        let id = get(0).to_string();
        if id.is_empty() {
            return Err(err(
                path,
                Location::Line(line),
                Some("area_id"),
                "expected an area id, found an empty cell",
            ));
        }
        if let Some(first) = seen.insert(id.clone(), line) {
            return Err(err(
                path,
                Location::Line(line),
                Some("area_id"),
                format!(
                    "area '{id}' appears again (first on line {first}); expected each area once"
                ),
            ));
        }
        let social_housing = match get(5) {
            "social_housing" => true,
            "ordinary" => false,
            other => {
                return Err(err(
                    path,
                    Location::Line(line),
                    Some("kind"),
                    format!("expected 'social_housing' or 'ordinary', found '{other}'"),
                ));
            }
        };
        areas.push(Area {
            id,
            name: get(1).to_string(),
            municipality: code(2)?,
            municipality_name: get(3).to_string(),
            region: code(4)?,
            social_housing,
        });
    }
    Ok(areas)
}

const NO_AREA: u32 = u32::MAX;

/// The columns of one batch that the counting reads, validated.
struct Cols<'a> {
    area: &'a [u32],
    region: &'a [u16],
    age: &'a [u8],
    origin: &'a [u8],
    outside: &'a [f32],
    in_education: &'a [bool],
    level: &'a [u8],
    source: &'a [u8],
    income: &'a [f64],
    taxable: &'a [bool],
    convicted: &'a [bool],
}

/// The groups a person is counted in, one bit each ([`Acc::groups`]); every person is also a
/// resident.
mod group {
    pub const NON_WESTERN: u8 = 1;
    pub const IN_18_64: u8 = 1 << 1;
    pub const ADULT: u8 = 1 << 2;
    pub const CONVICTED_ADULT: u8 = 1 << 3;
    pub const IN_30_59: u8 = 1 << 4;
    pub const BASIC_UNKNOWN_AS_BASIC: u8 = 1 << 5;
    pub const BASIC_DANISH_OR_APPROVED: u8 = 1 << 6;
    pub const INCOME: u8 = 1 << 7;
}

/// Bits of one counter in [`Acc::tally`]: nine counters (the residents and the eight groups)
/// of 14 bits in one 128-bit integer, so that adding a person to all of them is one addition.
/// A counter holds up to 16,383; [`Slots::count`] empties them every [`LANE_ROWS`] rows.
const LANE: u32 = 14;
/// Rows counted between two emptyings of the 14-bit counters (fewer than 2^14).
const LANE_ROWS: usize = 8_192;

/// What one person adds to [`Acc::tally`], by their groups: 1 to the residents' counter and 1
/// to each group's counter.
const TALLY: [u128; 256] = {
    let mut t = [0u128; 256];
    let mut g = 0;
    while g < 256 {
        let mut v: u128 = 1;
        let mut k = 0;
        while k < 8 {
            if g & (1 << k) != 0 {
                v |= 1u128 << (LANE * (k + 1));
            }
            k += 1;
        }
        t[g] = v;
        g += 1;
    }
    t
};

/// [`Counts`] as the counting loop adds to them: the two sums, and the nine counters packed
/// into one integer ([`LANE`]); 32 bytes, two slots to a cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(32))]
struct Acc {
    tally: u128,
    outside_fte: f64,
    income_sum: f64,
}

impl Acc {
    /// The groups ([`group`]) a person is counted in: the one place that says which of the
    /// counted groups a person is in (every reader, Parquet and CSV, fast path and general,
    /// counts through it). Without a branch (`&` and `|`, not `&&` and `||`), so that a loop of
    /// it over a batch's columns is vectorised.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn groups(
        age: u8,
        origin_code: u8,
        in_education: bool,
        level: u8,
        source: u8,
        taxable: bool,
        convicted: bool,
    ) -> u8 {
        use schema::{education_level, education_source, origin};
        let in_18_64 = age.wrapping_sub(18) <= 64 - 18;
        let adult = age >= 18;
        let in_30_59 = age.wrapping_sub(30) <= 59 - 30;
        let income_group = taxable & !in_education & (age.wrapping_sub(15) <= 64 - 15);
        let basic_or_unknown =
            (level == education_level::BASIC) | (level == education_level::UNKNOWN);
        let counted_source =
            (source == education_source::DANISH) | (source == education_source::APPROVED_FOREIGN);
        let non_western = (origin_code == origin::NON_WESTERN_IMMIGRANT)
            | (origin_code == origin::NON_WESTERN_DESCENDANT);
        let bit = |b: bool, g: u8| u8::from(b) * g;
        bit(non_western, group::NON_WESTERN)
            | bit(in_18_64, group::IN_18_64)
            | bit(adult, group::ADULT)
            | bit(adult & convicted, group::CONVICTED_ADULT)
            | bit(in_30_59, group::IN_30_59)
            | bit(in_30_59 & basic_or_unknown, group::BASIC_UNKNOWN_AS_BASIC)
            | bit(
                in_30_59 & (basic_or_unknown | !counted_source),
                group::BASIC_DANISH_OR_APPROVED,
            )
            | bit(income_group, group::INCOME)
    }

    /// Adds one person in `groups` ([`Acc::groups`]): the counters, and the time outside
    /// the labour market of those aged 18–64 and the income of the income group. Without a
    /// branch on the person's values: a sum adds +0.0 (all bits masked off) for a person
    /// outside its group, which leaves a floating-point sum exactly as it was.
    #[inline(always)]
    fn add(&mut self, groups: u8, outside: f32, income: f64) {
        let keep = |g: u8| 0u64.wrapping_sub(u64::from(groups & g != 0));
        self.tally = self.tally.wrapping_add(TALLY[usize::from(groups)]);
        self.outside_fte += f64::from_bits(f64::from(outside).to_bits() & keep(group::IN_18_64));
        self.income_sum += f64::from_bits(income.to_bits() & keep(group::INCOME));
    }

    /// Moves the packed counters into `c` and empties them.
    #[inline(always)]
    fn drain_tally(&mut self, c: &mut Counts) {
        let t = std::mem::take(&mut self.tally);
        if t == 0 {
            return;
        }
        let lane = |k: u32| ((t >> (LANE * k)) as u64) & ((1 << LANE) - 1);
        c.residents += lane(0);
        c.non_western += lane(1);
        c.n_18_64 += lane(2);
        c.n_18_plus += lane(3);
        c.convicted += lane(4);
        c.n_30_59 += lane(5);
        c.basic_unknown_as_basic += lane(6);
        c.basic_danish_or_approved += lane(7);
        c.n_income += lane(8);
    }
}

/// Where each person is counted: their area, or, for people without one, their region. The
/// region totals are formed afterwards from both (`Slots::finish`), so every person is added
/// once, not twice.
struct Slots {
    counts: Vec<Counts>,
    /// What `count` adds, per slot: the counters until the end of each [`LANE_ROWS`] rows,
    /// the sums until `flush` moves them into `counts`.
    acc: Vec<Acc>,
    n_areas: usize,
    region_slot: Vec<u32>,
    region_codes: Vec<u16>,
    persons: u64,
    /// The groups of the rows being counted (scratch).
    groups: Vec<u8>,
}

impl Slots {
    fn new(n_areas: usize) -> Slots {
        Slots {
            counts: vec![Counts::default(); n_areas],
            acc: vec![Acc::default(); n_areas],
            n_areas,
            region_slot: vec![u32::MAX; usize::from(u16::MAX) + 1],
            region_codes: Vec::new(),
            persons: 0,
            groups: Vec::new(),
        }
    }

    #[inline(always)]
    fn for_region(&mut self, code: u16) -> usize {
        let s = self.region_slot[usize::from(code)];
        if s != u32::MAX {
            return s as usize;
        }
        let s = self.counts.len();
        self.counts.push(Counts::default());
        self.acc.push(Acc::default());
        self.region_codes.push(code);
        self.region_slot[usize::from(code)] = s as u32;
        s
    }

    /// Moves the counts added since the last flush into `counts`. Each slot's sums were added
    /// to in row order from zero and are added to zero here, so the result is the same as adding
    /// every person to `counts` directly.
    fn flush(&mut self) {
        for (c, a) in self.counts.iter_mut().zip(&mut self.acc) {
            a.drain_tally(c);
            let sums = Counts {
                outside_fte: a.outside_fte,
                income_sum: a.income_sum,
                ..Counts::default()
            };
            c.merge(&sums);
            *a = Acc::default();
        }
    }

    fn count(&mut self, c: &Cols<'_>) {
        let n = c.age.len();
        let (ie, tx, cv) = (&c.in_education[..n], &c.taxable[..n], &c.convicted[..n]);
        let (area, region, age, origin) =
            (&c.area[..n], &c.region[..n], &c.age[..n], &c.origin[..n]);
        let (outside, level, source, income) = (
            &c.outside[..n],
            &c.level[..n],
            &c.source[..n],
            &c.income[..n],
        );
        // The region slots of the people without an area first (in the order they appear, as
        // one pass would make them), so that the counting loop below has no branch on it.
        for i in 0..n {
            if (area[i] == NO_AREA) & (self.region_slot[usize::from(region[i])] == u32::MAX) {
                self.for_region(region[i]);
            }
        }
        let mut groups = std::mem::take(&mut self.groups);
        for start in (0..n).step_by(LANE_ROWS) {
            let end = (start + LANE_ROWS).min(n);
            // Each person's groups, a column at a time (vectorised), then each person added
            // to their slot.
            groups.clear();
            groups.extend(
                (start..end).map(|i| {
                    Acc::groups(age[i], origin[i], ie[i], level[i], source[i], tx[i], cv[i])
                }),
            );
            let (acc, region_slot) = (&mut self.acc, &self.region_slot);
            for (j, &g) in groups.iter().enumerate() {
                let i = start + j;
                let by_region = region_slot[usize::from(region[i])];
                let slot = if area[i] == NO_AREA {
                    by_region
                } else {
                    area[i]
                } as usize;
                acc[slot].add(g, outside[i], income[i]);
            }
            for (a, c) in self.acc.iter_mut().zip(&mut self.counts) {
                a.drain_tally(c);
            }
        }
        self.groups = groups;
        self.persons += n as u64;
    }

    /// Merges another part's slots (a later row group of the same file).
    fn merge(&mut self, mut o: Slots) {
        o.flush();
        self.flush();
        for (a, b) in self.counts[..self.n_areas]
            .iter_mut()
            .zip(&o.counts[..o.n_areas])
        {
            a.merge(b);
        }
        for (k, code) in o.region_codes.iter().enumerate() {
            let s = self.for_region(*code);
            self.counts[s].merge(&o.counts[o.n_areas + k]);
        }
        self.persons += o.persons;
    }

    /// The year's counts: areas as counted, regions as their areas plus their people without one.
    fn finish(mut self, year: i16, areas: &[Area]) -> YearCounts {
        self.flush();
        let mut regions: BTreeMap<u16, Counts> = BTreeMap::new();
        for (a, c) in areas.iter().zip(&self.counts) {
            regions.entry(a.region).or_default().merge(c);
        }
        for (k, code) in self.region_codes.iter().enumerate() {
            regions
                .entry(*code)
                .or_default()
                .merge(&self.counts[self.n_areas + k]);
        }
        let mut counts = self.counts;
        counts.truncate(self.n_areas);
        YearCounts {
            year,
            areas: counts,
            regions,
            persons: self.persons,
        }
    }
}

/// Whether every row of a batch is valid, in one branch-free pass per column (the common
/// case); `validate` then finds the first offending row of a batch that is not.
fn all_valid(c: &Cols<'_>, year_col: &[i16], year: i16, areas: &[Area]) -> bool {
    let regions: Vec<u16> = areas.iter().map(|a| a.region).collect();
    let n = c.age.len();
    let mut ok = c.area[..n]
        .iter()
        .zip(&c.region[..n])
        .all(|(&a, &r)| a == NO_AREA || regions.get(a as usize) == Some(&r));
    ok &= year_col.iter().fold(true, |acc, &y| acc & (y == year));
    let max = |v: &[u8]| v.iter().fold(0u8, |m, &x| m.max(x));
    ok &= max(c.age) <= schema::MAX_AGE
        && max(c.origin) <= schema::origin::MAX
        && max(c.level) <= schema::education_level::MAX
        && max(c.source) <= schema::education_source::MAX;
    ok &= c
        .outside
        .iter()
        .fold(true, |acc, &x| acc & (0.0..=1.0).contains(&x));
    ok &= c.income.iter().fold(true, |acc, x| acc & x.is_finite());
    ok
}

/// Checks the ranges of a batch; returns the first offending row (0-based) and column.
fn validate(
    c: &Cols<'_>,
    year_col: &[i16],
    year: i16,
    areas: &[Area],
) -> Option<(usize, &'static str, String)> {
    if all_valid(c, year_col, year, areas) {
        return None;
    }
    let region_of = |a: u32| areas[a as usize].region;
    if let Some(i) =
        (0..c.area.len()).find(|&i| c.area[i] != NO_AREA && region_of(c.area[i]) != c.region[i])
    {
        let a = &areas[c.area[i] as usize];
        return Some((
            i,
            "region",
            format!(
                "the person lives in area '{}', which areas.csv places in region {}, but the row says {}; expected the area's region",
                a.id, a.region, c.region[i]
            ),
        ));
    }
    if let Some(i) = year_col.iter().position(|&y| y != year) {
        return Some((
            i,
            "year",
            format!(
                "expected the data year {year} of the file name, found {}",
                year_col[i]
            ),
        ));
    }
    if let Some(i) = c.age.iter().position(|&a| a > schema::MAX_AGE) {
        return Some((
            i,
            "age",
            format!(
                "expected an age from 0 to {}, found {}",
                schema::MAX_AGE,
                c.age[i]
            ),
        ));
    }
    if let Some(i) = c.origin.iter().position(|&o| o > schema::origin::MAX) {
        return Some((
            i,
            "origin",
            format!("expected an origin code from 0 to 4, found {}", c.origin[i]),
        ));
    }
    if let Some(i) = c.outside.iter().position(|&x| !(0.0..=1.0).contains(&x)) {
        return Some((
            i,
            "outside_fte",
            format!(
                "expected a fraction of a full-time year from 0 to 1, found {}",
                c.outside[i]
            ),
        ));
    }
    if let Some(i) = c
        .level
        .iter()
        .position(|&x| x > schema::education_level::MAX)
    {
        return Some((
            i,
            "education_level",
            format!("expected a level from 0 to 3, found {}", c.level[i]),
        ));
    }
    if let Some(i) = c
        .source
        .iter()
        .position(|&x| x > schema::education_source::MAX)
    {
        return Some((
            i,
            "education_source",
            format!("expected a source code from 0 to 4, found {}", c.source[i]),
        ));
    }
    if let Some(i) = c.income.iter().position(|x| !x.is_finite()) {
        return Some((
            i,
            "income",
            format!("expected an amount in DKK, found {}", c.income[i]),
        ));
    }
    None
}

/// The partial result of one row group.
struct Part {
    slots: Slots,
    /// First and last person id, and whether the ids rose strictly throughout.
    first_id: Option<u64>,
    last_id: Option<u64>,
    ids_rising: bool,
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a ArrayRef {
    batch.column_by_name(name).expect("projected column")
}

/// Which way a Parquet file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// The fast path where it applies, else the general path.
    Auto,
    /// The general (Arrow) path only.
    General,
    /// The fast path only (tests: a layout it does not decode is an error).
    #[cfg(test)]
    Fast,
}

fn read_parquet_year(
    path: &Path,
    year: i16,
    index: &HashMap<&str, u32>,
    areas: &[Area],
    how: Route,
) -> Result<YearCounts, DataError> {
    let how = if how == Route::Auto && general_only() {
        Route::General
    } else {
        how
    };
    let open = || {
        File::open(path).map_err(|e| {
            err(
                path,
                Location::File,
                None,
                format!("cannot open the file: {e}"),
            )
        })
    };
    let unreadable = |e: parquet::errors::ParquetError| {
        err(
            path,
            Location::File,
            None,
            format!("not a readable Parquet file: {e}"),
        )
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(open()?).map_err(unreadable)?;
    let arrow = builder.schema().clone();
    for c in COLUMNS.iter().filter(|c| c.read) {
        let field = arrow.field_with_name(c.name).map_err(|_| {
            err(
                path,
                Location::File,
                Some(c.name),
                format!(
                    "missing column; expected {:?} (see docs/REGISTERS.md)",
                    c.kind.data_type()
                ),
            )
        })?;
        let ok = match (c.kind, field.data_type()) {
            (Kind::Text, DataType::Utf8) => true,
            (Kind::Text, DataType::Dictionary(k, v)) => {
                **k == DataType::Int32 && **v == DataType::Utf8
            }
            (k, dt) => &k.data_type() == dt,
        };
        if !ok {
            return Err(err(
                path,
                Location::File,
                Some(c.name),
                format!(
                    "has type {}; expected {}",
                    field.data_type(),
                    c.kind.data_type()
                ),
            ));
        }
    }
    // Ask for area_id as a dictionary: the reader then hands over the Parquet dictionary and
    // its keys instead of building a string per person.
    let hinted = Arc::new(Schema::new(
        arrow
            .fields()
            .iter()
            .map(|f| {
                if f.name() == "area_id" && f.data_type() == &DataType::Utf8 {
                    Arc::new(Field::new(
                        "area_id",
                        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                        f.is_nullable(),
                    ))
                } else {
                    f.clone()
                }
            })
            .collect::<Vec<_>>(),
    ));
    let options = ArrowReaderOptions::new().with_schema(hinted);
    let meta = builder.metadata().clone();
    let names: Vec<&str> = COLUMNS.iter().filter(|c| c.read).map(|c| c.name).collect();
    let roots: Vec<usize> = names
        .iter()
        .map(|n| arrow.index_of(n).expect("checked"))
        .collect();
    let n_groups = meta.num_row_groups();
    let mut starts = Vec::with_capacity(n_groups);
    let mut acc = 0u64;
    for g in 0..n_groups {
        starts.push(acc);
        acc += meta.row_group(g).num_rows() as u64;
    }
    if acc == 0 {
        return Err(err(
            path,
            Location::File,
            None,
            format!(
                "the file has no rows; expected one row per person in data year {year} (a data year without persons would silently drop out of every average)"
            ),
        ));
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(n_groups.max(1));
    let read_group = |g: usize| -> Result<Part, DataError> {
        let builder =
            ParquetRecordBatchReaderBuilder::try_new_with_options(open()?, options.clone())
                .map_err(unreadable)?;
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_row_groups(vec![g])
            .with_batch_size(BATCH)
            .build()
            .map_err(|e| {
                err(
                    path,
                    Location::File,
                    None,
                    format!("cannot read row group {g}: {e}"),
                )
            })?;
        let mut part = Part {
            slots: Slots::new(areas.len()),
            first_id: None,
            last_id: None,
            ids_rising: true,
        };
        let mut offset = starts[g];
        for batch in reader {
            let batch = batch.map_err(|e| {
                err(
                    path,
                    Location::File,
                    None,
                    format!("cannot decode row group {g}: {e}"),
                )
            })?;
            for name in &names {
                let col = column(&batch, name);
                let nullable = COLUMNS.iter().any(|c| c.name == *name && c.nullable);
                if !nullable && col.null_count() > 0 {
                    let i = (0..col.len()).find(|&i| col.is_null(i)).unwrap_or(0);
                    return Err(err(
                        path,
                        Location::Row(offset + i as u64 + 1),
                        Some(name),
                        "expected a value, found an empty cell",
                    ));
                }
            }
            let area = area_codes(column(&batch, "area_id"), index).map_err(|(i, id)| {
                err(
                    path,
                    Location::Row(offset + i as u64 + 1),
                    Some("area_id"),
                    format!("unknown area '{id}'; expected an area_id of areas.csv"),
                )
            })?;
            let bools = |name: &str| -> Vec<bool> {
                column(&batch, name).as_boolean().values().iter().collect()
            };
            let (in_education, taxable, convicted) =
                (bools("in_education"), bools("taxable"), bools("convicted"));
            let cols = Cols {
                area: &area,
                region: column(&batch, "region")
                    .as_primitive::<UInt16Type>()
                    .values(),
                age: column(&batch, "age").as_primitive::<UInt8Type>().values(),
                origin: column(&batch, "origin")
                    .as_primitive::<UInt8Type>()
                    .values(),
                outside: column(&batch, "outside_fte")
                    .as_primitive::<Float32Type>()
                    .values(),
                in_education: &in_education,
                level: column(&batch, "education_level")
                    .as_primitive::<UInt8Type>()
                    .values(),
                source: column(&batch, "education_source")
                    .as_primitive::<UInt8Type>()
                    .values(),
                income: column(&batch, "income")
                    .as_primitive::<Float64Type>()
                    .values(),
                taxable: &taxable,
                convicted: &convicted,
            };
            let years = column(&batch, "year").as_primitive::<Int16Type>().values();
            if let Some((i, col, message)) = validate(&cols, years, year, areas) {
                return Err(err(
                    path,
                    Location::Row(offset + i as u64 + 1),
                    Some(col),
                    message,
                ));
            }
            let ids = column(&batch, "person_id")
                .as_primitive::<UInt64Type>()
                .values();
            if let (Some(&first), Some(&last)) = (ids.first(), ids.last()) {
                part.ids_rising &= part.last_id.is_none_or(|prev| prev < first)
                    && ids.windows(2).all(|w| w[0] < w[1]);
                part.first_id.get_or_insert(first);
                part.last_id = Some(last);
            }
            part.slots.count(&cols);
            offset += batch.num_rows() as u64;
        }
        Ok(part)
    };
    // The fast path first; any layout it does not decode sends the whole file to the general
    // path, which reads every valid file.
    let fast = if how == Route::General {
        None
    } else {
        let leaves = leaf_columns(builder_meta_schema(&meta), &names);
        leaves.and_then(|leaves| {
            let parts = in_threads(n_groups, threads, &|g| {
                read_group_fast(path, &meta, &leaves, g, starts[g], year, index, areas)
            });
            let mut out = Vec::with_capacity(n_groups);
            for p in parts {
                match p {
                    Ok(p) => out.push(Ok(p)),
                    Err(Fast::Invalid(e)) => out.push(Err(e)),
                    Err(Fast::Unsupported) => return None,
                }
            }
            Some(out)
        })
    };
    let parts = match fast {
        Some(parts) => parts,
        #[cfg(test)]
        None if how == Route::Fast => {
            return Err(err(
                path,
                Location::File,
                None,
                "the fast path does not apply",
            ));
        }
        None => {
            // The parquet crate panics on some malformed pages (a dictionary-encoded page with
            // no dictionary, found by the fuzz target `register_parquet`) instead of returning
            // an error; such a file gets the same located error as any other it cannot decode.
            let guarded = |g: usize| -> Result<Part, DataError> {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_group(g)))
                    .unwrap_or_else(|panic| {
                        let why = panic
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "a malformed page".into());
                        Err(err(
                            path,
                            Location::File,
                            None,
                            format!("cannot decode row group {g}: {why}"),
                        ))
                    })
            };
            in_threads(n_groups, threads, &guarded)
        }
    };
    let mut total = Slots::new(areas.len());
    let mut rising = true;
    let mut prev_last: Option<u64> = None;
    for p in parts {
        let p = p?;
        total.merge(p.slots);
        rising &= p.ids_rising
            && match (prev_last, p.first_id) {
                (Some(a), Some(b)) => a < b,
                _ => true,
            };
        prev_last = p.last_id.or(prev_last);
    }
    // Person ids that rise strictly through the file cannot repeat. Otherwise read the ids
    // again and look for a repeat: slower, but only for files not sorted by person.
    if !rising {
        let builder = ParquetRecordBatchReaderBuilder::try_new(open()?).map_err(unreadable)?;
        let mask = ProjectionMask::roots(
            builder.parquet_schema(),
            [arrow.index_of("person_id").expect("checked")],
        );
        let mut ids: Vec<u64> = Vec::new();
        for batch in builder.with_projection(mask).build().map_err(unreadable)? {
            let batch = batch
                .map_err(|e| err(path, Location::File, None, format!("cannot decode: {e}")))?;
            ids.extend_from_slice(
                column(&batch, "person_id")
                    .as_primitive::<UInt64Type>()
                    .values(),
            );
        }
        if let Some((first, second, dup)) = find_duplicate(&[ids]) {
            return Err(err(
                path,
                Location::Row(second as u64 + 1),
                Some("person_id"),
                duplicate_message(dup, format!("at row {}", first + 1)),
            ));
        }
    }
    Ok(total.finish(year, areas))
}

/// Runs `f` on every row group, `threads` at a time (each thread takes the next row group not
/// yet taken, so that a thread the machine holds back does not hold up the others), and returns
/// the results in row-group order.
fn in_threads<T: Send>(n: usize, threads: usize, f: &(dyn Fn(usize) -> T + Sync)) -> Vec<T> {
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<Option<T>> = (0..n).map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let g = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if g >= n {
                            return out;
                        }
                        out.push((g, f(g)));
                    }
                })
            })
            .collect();
        for h in handles {
            for (g, r) in h.join().expect("a reader thread panicked") {
                done[g] = Some(r);
            }
        }
    });
    done.into_iter()
        .map(|s| s.expect("every row group read"))
        .collect()
}

/// Whether the fast path is switched off (`KVARTER_PARQUET_GENERAL=1`), to compare the two
/// paths in the benchmark and the tests.
fn general_only() -> bool {
    std::env::var_os("KVARTER_PARQUET_GENERAL").is_some_and(|v| v == "1")
}

fn builder_meta_schema(meta: &parquet::file::metadata::ParquetMetaData) -> &SchemaDescriptor {
    meta.file_metadata().schema_descr()
}

/// The leaf column index of each of `names`, each a top-level primitive column; `None` when one
/// is not (a nested column: the general path reads it).
fn leaf_columns(schema: &SchemaDescriptor, names: &[&str]) -> Option<Vec<usize>> {
    names
        .iter()
        .map(|n| {
            schema
                .columns()
                .iter()
                .position(|c| c.path().parts().len() == 1 && c.path().parts()[0] == *n)
        })
        .collect()
}

/// One batch's columns as the counting reads them, owned: the fast Parquet path reuses one
/// for every batch of a row group, the CSV reader fills one line by line.
#[derive(Default)]
struct Batch {
    year: Vec<i16>,
    area: Vec<u32>,
    region: Vec<u16>,
    age: Vec<u8>,
    origin: Vec<u8>,
    outside: Vec<f32>,
    in_education: Vec<bool>,
    level: Vec<u8>,
    source: Vec<u8>,
    income: Vec<f64>,
    taxable: Vec<bool>,
    convicted: Vec<bool>,
}

impl Batch {
    /// The columns the counting and the validation read (all but the year).
    fn cols(&self) -> Cols<'_> {
        Cols {
            area: &self.area,
            region: &self.region,
            age: &self.age,
            origin: &self.origin,
            outside: &self.outside,
            in_education: &self.in_education,
            level: &self.level,
            source: &self.source,
            income: &self.income,
            taxable: &self.taxable,
            convicted: &self.convicted,
        }
    }
}

/// Counts row group `g` (its first row is `start`, 0-based) through the fast path
/// (`pages.rs`); `leaves` are the leaf column indices of the needed columns, in the order of
/// `COLUMNS`.
#[allow(clippy::too_many_arguments)]
fn read_group_fast(
    path: &Path,
    meta: &parquet::file::metadata::ParquetMetaData,
    leaves: &[usize],
    g: usize,
    start: u64,
    year: i16,
    index: &HashMap<&str, u32>,
    areas: &[Area],
) -> Result<Part, Fast<DataError>> {
    let unsup = |_| Fast::Unsupported;
    let group = pages::Group::open(path, meta, g).map_err(unsup)?;
    let rg = &group;
    let [
        id_c,
        year_c,
        area_c,
        region_c,
        age_c,
        origin_c,
        outside_c,
        ie_c,
        level_c,
        source_c,
        income_c,
        tx_c,
        cv_c,
    ] = leaves
    else {
        return Err(Fast::Unsupported);
    };
    let mut ids = pages::Column::<u64>::open(rg, *id_c).map_err(unsup)?;
    let mut years = pages::Column::<i16>::open(rg, *year_c).map_err(unsup)?;
    let mut area = pages::AreaColumn::open(rg, *area_c, index, NO_AREA).map_err(unsup)?;
    let mut region = pages::Column::<u16>::open(rg, *region_c).map_err(unsup)?;
    let mut age = pages::Column::<u8>::open(rg, *age_c).map_err(unsup)?;
    let mut origin = pages::Column::<u8>::open(rg, *origin_c).map_err(unsup)?;
    let mut outside = pages::Column::<f32>::open(rg, *outside_c).map_err(unsup)?;
    let mut ie = pages::Bools::open(rg, *ie_c).map_err(unsup)?;
    let mut level = pages::Column::<u8>::open(rg, *level_c).map_err(unsup)?;
    let mut source = pages::Column::<u8>::open(rg, *source_c).map_err(unsup)?;
    let mut income = pages::Column::<f64>::open(rg, *income_c).map_err(unsup)?;
    let mut tx = pages::Bools::open(rg, *tx_c).map_err(unsup)?;
    let mut cv = pages::Bools::open(rg, *cv_c).map_err(unsup)?;
    let rows = usize::try_from(rg.rows()).map_err(|_| Fast::Unsupported)?;
    let mut part = Part {
        slots: Slots::new(areas.len()),
        first_id: None,
        last_id: None,
        ids_rising: true,
    };
    let mut b = Batch::default();
    let mut id_buf = Vec::new();
    let mut done = 0usize;
    while done < rows {
        // The same batches as the general path, so that an error names the same row.
        let n = (rows - done).min(BATCH);
        let offset = start + done as u64;
        ids.read(n, &mut id_buf).map_err(unsup)?;
        years.read(n, &mut b.year).map_err(unsup)?;
        region.read(n, &mut b.region).map_err(unsup)?;
        age.read(n, &mut b.age).map_err(unsup)?;
        origin.read(n, &mut b.origin).map_err(unsup)?;
        outside.read(n, &mut b.outside).map_err(unsup)?;
        ie.read(n, &mut b.in_education).map_err(unsup)?;
        level.read(n, &mut b.level).map_err(unsup)?;
        source.read(n, &mut b.source).map_err(unsup)?;
        income.read(n, &mut b.income).map_err(unsup)?;
        tx.read(n, &mut b.taxable).map_err(unsup)?;
        cv.read(n, &mut b.convicted).map_err(unsup)?;
        match area.read(n, &mut b.area) {
            Ok(()) => {}
            Err(Fast::Unsupported) => return Err(Fast::Unsupported),
            Err(Fast::Invalid((i, id))) => {
                return Err(Fast::Invalid(err(
                    path,
                    Location::Row(offset + i as u64 + 1),
                    Some("area_id"),
                    format!("unknown area '{id}'; expected an area_id of areas.csv"),
                )));
            }
        }
        let cols = b.cols();
        if let Some((i, col, message)) = validate(&cols, &b.year, year, areas) {
            return Err(Fast::Invalid(err(
                path,
                Location::Row(offset + i as u64 + 1),
                Some(col),
                message,
            )));
        }
        if let (Some(&first), Some(&last)) = (id_buf.first(), id_buf.last()) {
            part.ids_rising &= part.last_id.is_none_or(|prev| prev < first)
                && id_buf.windows(2).all(|w| w[0] < w[1]);
            part.first_id.get_or_insert(first);
            part.last_id = Some(last);
        }
        part.slots.count(&cols);
        done += n;
    }
    Ok(part)
}

/// Rows per batch, in both paths.
const BATCH: usize = 8_192;

/// Maps a batch's `area_id` column to area indices; `Err((row, id))` for an unknown id.
fn area_codes(col: &ArrayRef, index: &HashMap<&str, u32>) -> Result<Vec<u32>, (usize, String)> {
    let lookup = |s: &str| index.get(s).copied();
    match col.data_type() {
        DataType::Dictionary(_, _) => {
            let dict = col.as_dictionary::<Int32Type>();
            let values = dict.values().as_string::<i32>();
            // Look each distinct value up once, not once per row.
            let codes: Vec<Option<u32>> =
                (0..values.len()).map(|i| lookup(values.value(i))).collect();
            let keys = dict.keys();
            let mut out = Vec::with_capacity(keys.len());
            for i in 0..keys.len() {
                if keys.is_null(i) {
                    out.push(NO_AREA);
                    continue;
                }
                let k = keys.value(i) as usize;
                match codes[k] {
                    Some(c) => out.push(c),
                    None => return Err((i, values.value(k).to_string())),
                }
            }
            Ok(out)
        }
        _ => {
            let s = col.as_string::<i32>();
            let mut out = Vec::with_capacity(s.len());
            let mut last: Option<(&str, u32)> = None;
            for i in 0..s.len() {
                if s.is_null(i) || s.value(i).is_empty() {
                    out.push(NO_AREA);
                    continue;
                }
                let v = s.value(i);
                let code = match last {
                    Some((prev, c)) if prev == v => c,
                    _ => lookup(v).ok_or_else(|| (i, v.to_string()))?,
                };
                last = Some((v, code));
                out.push(code);
            }
            Ok(out)
        }
    }
}

/// The first person who appears twice in one year: `(first index, second index, id)`, 0-based
/// over the parts in order. Sorted input (the common case) is checked in one pass; otherwise
/// the ids are sorted first.
fn find_duplicate(parts: &[Vec<u64>]) -> Option<(usize, usize, u64)> {
    let sorted = parts.iter().all(|p| p.windows(2).all(|w| w[0] < w[1]))
        && parts.windows(2).all(|w| match (w[0].last(), w[1].first()) {
            (Some(a), Some(b)) => a < b,
            _ => true,
        });
    if sorted {
        return None;
    }
    let all: Vec<u64> = parts.concat();
    let mut order: Vec<u64> = all.clone();
    order.sort_unstable();
    let dup = order.windows(2).find(|w| w[0] == w[1])?[0];
    let mut at = all
        .iter()
        .enumerate()
        .filter(|(_, p)| **p == dup)
        .map(|(i, _)| i);
    Some((at.next()?, at.next()?, dup))
}

fn duplicate_message(dup: u64, first: String) -> String {
    format!(
        "person {dup} appears again in the same year (first {first}); expected one row per person and year"
    )
}

fn read_csv_year(
    path: &Path,
    year: i16,
    index: &HashMap<&str, u32>,
    areas: &[Area],
) -> Result<YearCounts, DataError> {
    let (rdr, headers) = open_csv(path, "")?;
    persons_csv(path, rdr, headers, year, index, areas)
}

/// Reads and counts the text of one data year's person file, `persons-YYYY.csv`, from `input`,
/// as [`read_registers`] reads the file: every row checked, each person once, in the data year
/// `year`, living in one of `areas` (those of [`read_areas`]) or in none. `file` names the
/// input in errors.
pub fn read_persons_csv(
    file: &str,
    input: impl Read,
    year: i16,
    areas: &[Area],
) -> Result<YearCounts, DataError> {
    let path = Path::new(file);
    let index: HashMap<&str, u32> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i as u32))
        .collect();
    let (rdr, headers) = csv_reader(path, input)?;
    persons_csv(path, rdr, headers, year, &index, areas)
}

fn persons_csv<R: Read>(
    path: &Path,
    mut rdr: csv::Reader<R>,
    headers: Vec<String>,
    year: i16,
    index: &HashMap<&str, u32>,
    areas: &[Area],
) -> Result<YearCounts, DataError> {
    let mut pos: HashMap<&str, usize> = HashMap::new();
    for c in COLUMNS.iter().filter(|c| c.read) {
        let p = headers.iter().position(|h| h == c.name).ok_or_else(|| {
            err(
                path,
                Location::Line(1),
                Some(c.name),
                "missing column; expected the header to name every column of docs/REGISTERS.md",
            )
        })?;
        pos.insert(c.name, p);
    }
    // Parse into columns, a chunk at a time, and count with the same code as Parquet.
    let mut counts = Slots::new(areas.len());
    let mut ids: Vec<u64> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut chunk = Batch::default();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            err(
                path,
                Location::Line(e.position().map_or(0, |p| p.line())),
                None,
                format!("cannot read the line as CSV: {e}"),
            )
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |name: &str| rec.get(pos[name]).unwrap_or("");
        let bad = |name: &str, expected: &str| {
            err(
                path,
                Location::Line(line),
                Some(name),
                format!("expected {expected}, found '{}'", cell(name)),
            )
        };
        macro_rules! num {
            ($name:literal, $t:ty, $what:literal) => {
                cell($name).parse::<$t>().map_err(|_| bad($name, $what))?
            };
        }
        let boolean = |name: &str| match cell(name) {
            "1" | "true" | "TRUE" | "True" => Ok(true),
            "0" | "false" | "FALSE" | "False" => Ok(false),
            _ => Err(bad(name, "0 or 1 (or true/false)")),
        };
        ids.push(num!("person_id", u64, "a person id (a whole number)"));
        lines.push(line);
        chunk.year.push(num!("year", i16, "a data year"));
        let area = cell("area_id");
        chunk.area.push(if area.is_empty() {
            NO_AREA
        } else {
            *index.get(area).ok_or_else(|| {
                err(
                    path,
                    Location::Line(line),
                    Some("area_id"),
                    format!("unknown area '{area}'; expected an area_id of areas.csv"),
                )
            })?
        });
        chunk
            .region
            .push(num!("region", u16, "a region code such as 1084"));
        chunk.age.push(num!("age", u8, "an age from 0 to 120"));
        chunk
            .origin
            .push(num!("origin", u8, "an origin code from 0 to 4"));
        chunk.outside.push(num!(
            "outside_fte",
            f32,
            "a fraction of a full-time year from 0 to 1"
        ));
        chunk.in_education.push(boolean("in_education")?);
        chunk
            .level
            .push(num!("education_level", u8, "a level from 0 to 3"));
        chunk
            .source
            .push(num!("education_source", u8, "a source code from 0 to 4"));
        chunk.income.push(num!("income", f64, "an amount in DKK"));
        chunk.taxable.push(boolean("taxable")?);
        chunk.convicted.push(boolean("convicted")?);
        if chunk.age.len() == 65_536 {
            chunk.flush(
                path,
                year,
                &lines[lines.len() - chunk.age.len()..],
                areas,
                &mut counts,
            )?;
        }
    }
    if ids.is_empty() {
        return Err(err(
            path,
            Location::Line(2),
            None,
            format!(
                "the file has a header but no rows; expected one row per person in data year {year} (a data year without persons would silently drop out of every average)"
            ),
        ));
    }
    let n = chunk.age.len();
    chunk.flush(path, year, &lines[lines.len() - n..], areas, &mut counts)?;
    if let Some((first, second, dup)) = find_duplicate(&[ids]) {
        return Err(err(
            path,
            Location::Line(lines[second]),
            Some("person_id"),
            duplicate_message(dup, format!("on line {}", lines[first])),
        ));
    }
    Ok(counts.finish(year, areas))
}

impl Batch {
    /// A CSV reader's batch: validates it (an error names the file line `lines[i]` of row `i`),
    /// counts it into `counts` and empties it.
    fn flush(
        &mut self,
        path: &Path,
        year: i16,
        lines: &[u64],
        areas: &[Area],
        counts: &mut Slots,
    ) -> Result<(), DataError> {
        let cols = self.cols();
        if let Some((i, col, message)) = validate(&cols, &self.year, year, areas) {
            return Err(err(path, Location::Line(lines[i]), Some(col), message));
        }
        counts.count(&cols);
        *self = Batch::default();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        BooleanArray, DictionaryArray, Float32Array, Float64Array, Int16Array, StringArray,
        UInt8Array, UInt16Array, UInt64Array,
    };
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, Encoding};
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::schema::types::ColumnPath;

    fn areas() -> Vec<Area> {
        ["A1", "A2", "A3"]
            .iter()
            .map(|id| Area {
                id: id.to_string(),
                name: id.to_string(),
                municipality: 101,
                municipality_name: "By".into(),
                region: 1084,
                social_housing: true,
            })
            .collect()
    }

    /// `n` persons; `dictionary` writes area_id as an Arrow dictionary; `nullable` declares
    /// every column optional. Person `bad_area` (if any) lives in an unknown area.
    fn write(
        path: &Path,
        n: usize,
        props: WriterProperties,
        dictionary: bool,
        nullable: bool,
        bad_area: Option<usize>,
    ) {
        let area = |i: usize| -> Option<&'static str> {
            if Some(i) == bad_area {
                return Some("ZZ");
            }
            match (i / 7 + i % 3) % 5 {
                0 => None,
                k => ["A1", "A2", "A3", "A1"].get(k - 1).copied(),
            }
        };
        let ids: Vec<Option<&str>> = (0..n).map(area).collect();
        let area_col: ArrayRef = if dictionary {
            Arc::new(ids.iter().copied().collect::<DictionaryArray<Int32Type>>())
        } else {
            Arc::new(StringArray::from(ids.clone()))
        };
        let cols: Vec<(&str, ArrayRef)> = vec![
            (
                "person_id",
                Arc::new(UInt64Array::from_iter_values(
                    (0..n as u64).map(|i| i * 2 + 5),
                )),
            ),
            ("year", Arc::new(Int16Array::from(vec![2022; n]))),
            ("area_id", area_col),
            ("region", Arc::new(UInt16Array::from(vec![1084; n]))),
            (
                "age",
                Arc::new(UInt8Array::from_iter_values(
                    (0..n).map(|i| (i * 37 % 100) as u8),
                )),
            ),
            (
                "origin",
                Arc::new(UInt8Array::from_iter_values((0..n).map(|i| (i % 5) as u8))),
            ),
            (
                "outside_fte",
                Arc::new(Float32Array::from_iter_values(
                    (0..n).map(|i| (i % 9) as f32 / 8.0),
                )),
            ),
            (
                "in_education",
                Arc::new(BooleanArray::from_iter((0..n).map(|i| Some(i % 4 == 0)))),
            ),
            (
                "education_level",
                Arc::new(UInt8Array::from_iter_values(
                    (0..n).map(|i| (i / 3 % 4) as u8),
                )),
            ),
            (
                "education_source",
                Arc::new(UInt8Array::from_iter_values(
                    (0..n).map(|i| (i / 5 % 5) as u8),
                )),
            ),
            (
                "income",
                Arc::new(Float64Array::from_iter_values(
                    (0..n).map(|i| (i * 7919 % 500_000) as f64),
                )),
            ),
            (
                "taxable",
                Arc::new(BooleanArray::from_iter(
                    (0..n).map(|i| Some(i / 100 % 2 == 0)),
                )),
            ),
            (
                "convicted",
                Arc::new(BooleanArray::from_iter((0..n).map(|i| Some(i % 61 == 0)))),
            ),
        ];
        let fields: Vec<Field> = cols
            .iter()
            .map(|(name, a)| {
                Field::new(*name, a.data_type().clone(), nullable || *name == "area_id")
            })
            .collect();
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            cols.into_iter().map(|(_, a)| a).collect(),
        )
        .unwrap();
        let mut w =
            ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
        let mut k = 0;
        for len in [1000, 2345, n - 3345] {
            w.write(&batch.slice(k, len)).unwrap();
            k += len;
        }
        w.close().unwrap();
    }

    fn read(path: &Path, how: Route) -> Result<YearCounts, DataError> {
        let areas = areas();
        let index: HashMap<&str, u32> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i as u32))
            .collect();
        read_parquet_year(path, 2022, &index, &areas, how)
    }

    /// An area with more people than one packed counter holds in a batch (16,383) is counted
    /// whole: 70,000 people of one area, read in one CSV chunk of 65,536 rows and the rest.
    #[test]
    fn one_area_of_many_people_is_counted_whole() {
        let mut text = String::from(
            "person_id,year,area_id,region,age,origin,outside_fte,in_education,education_level,education_source,income,taxable,convicted\n",
        );
        for i in 0..70_000u64 {
            // Everyone aged 40, non-Western, basic school, taxable; every other one convicted.
            text.push_str(&format!(
                "{},2022,A2,1084,40,3,0.5,0,1,0,100,1,{}\n",
                i + 1,
                i % 2
            ));
        }
        let c = read_persons_csv("persons-2022.csv", text.as_bytes(), 2022, &areas()).unwrap();
        let a = &c.areas[1];
        assert_eq!(c.persons, 70_000);
        for (name, n) in [
            ("residents", a.residents),
            ("non_western", a.non_western),
            ("n_18_64", a.n_18_64),
            ("n_18_plus", a.n_18_plus),
            ("n_30_59", a.n_30_59),
            ("basic_unknown_as_basic", a.basic_unknown_as_basic),
            ("basic_danish_or_approved", a.basic_danish_or_approved),
            ("n_income", a.n_income),
        ] {
            assert_eq!(n, 70_000, "{name}");
        }
        assert_eq!(a.convicted, 35_000);
        assert_eq!(a.outside_fte, 35_000.0);
        assert_eq!(a.income_sum, 7_000_000.0);
        assert_eq!(c.areas[0].residents, 0);
    }

    /// The fast path decodes these layouts itself (it does not fall back), and counts what the
    /// general path counts; DELTA_BINARY_PACKED ids it leaves to the general path.
    #[test]
    fn the_fast_path_counts_what_the_general_path_counts() {
        let dir = std::env::temp_dir().join(format!("kvarter-data-fast-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let col = |n: &str| ColumnPath::from(n);
        let layouts: Vec<(&str, WriterProperties, bool, bool, bool)> = vec![
            (
                "default",
                WriterProperties::builder().build(),
                false,
                true,
                true,
            ),
            (
                "required, dictionary area, small row groups",
                WriterProperties::builder()
                    .set_max_row_group_row_count(Some(999))
                    .build(),
                true,
                false,
                true,
            ),
            (
                "no dictionary, small pages, uncompressed",
                WriterProperties::builder()
                    .set_dictionary_enabled(false)
                    .set_compression(Compression::UNCOMPRESSED)
                    .set_data_page_row_count_limit(300)
                    .set_write_batch_size(64)
                    .build(),
                false,
                false,
                true,
            ),
            (
                "v2 pages",
                WriterProperties::builder()
                    .set_writer_version(WriterVersion::PARQUET_2_0)
                    .set_data_page_row_count_limit(500)
                    .set_write_batch_size(100)
                    .build(),
                true,
                true,
                true,
            ),
            (
                "delta ids, as kvarter synth writes them",
                WriterProperties::builder()
                    .set_column_dictionary_enabled(col("person_id"), false)
                    .set_column_encoding(col("person_id"), Encoding::DELTA_BINARY_PACKED)
                    .build(),
                true,
                false,
                true,
            ),
            (
                "delta ids and ages, small pages, v2",
                WriterProperties::builder()
                    .set_writer_version(WriterVersion::PARQUET_2_0)
                    .set_dictionary_enabled(false)
                    .set_encoding(Encoding::DELTA_BINARY_PACKED)
                    .set_column_encoding(col("area_id"), Encoding::PLAIN)
                    .set_column_encoding(col("outside_fte"), Encoding::PLAIN)
                    .set_column_encoding(col("income"), Encoding::PLAIN)
                    .set_column_encoding(col("in_education"), Encoding::PLAIN)
                    .set_column_encoding(col("taxable"), Encoding::PLAIN)
                    .set_column_encoding(col("convicted"), Encoding::PLAIN)
                    .set_data_page_row_count_limit(300)
                    .set_write_batch_size(64)
                    .build(),
                false,
                true,
                true,
            ),
            (
                "byte-stream-split income",
                WriterProperties::builder()
                    .set_column_dictionary_enabled(col("income"), false)
                    .set_column_encoding(col("income"), Encoding::BYTE_STREAM_SPLIT)
                    .build(),
                true,
                false,
                false,
            ),
        ];
        for (name, props, dictionary, nullable, fast) in layouts {
            let path = dir.join("persons-2022.parquet");
            write(&path, 7000, props, dictionary, nullable, None);
            let general = read(&path, Route::General).unwrap();
            assert_eq!(general.persons, 7000);
            let f = read(&path, Route::Fast);
            if fast {
                assert_eq!(f.unwrap(), general, "{name}");
            } else {
                assert!(f.is_err(), "{name}: the fast path should not apply");
            }
            assert_eq!(read(&path, Route::Auto).unwrap(), general, "{name}");
        }
        // An unknown area is named at the same row by both paths.
        let path = dir.join("persons-2022.parquet");
        for dictionary in [false, true] {
            write(
                &path,
                7000,
                WriterProperties::builder().build(),
                dictionary,
                false,
                Some(5123),
            );
            let g = read(&path, Route::General).unwrap_err();
            let f = read(&path, Route::Fast).unwrap_err();
            assert_eq!(f, g);
            assert_eq!(g.location, Location::Row(5124));
            assert!(g.message.starts_with("unknown area 'ZZ'"), "{g}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
