//! Small spatial units for the municipal screening: a regular grid of square cells in
//! EPSG:25832 (the Danish DDKN grid), with the numerators and denominators of every screening
//! indicator per cell, counted from one data year's person file and the area-level tables.

use crate::agg::Area;
use crate::read::{DataError, Location, check_complete, err, open_csv};
use crate::schema::{education_level, education_source, origin};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, UInt8Type, UInt16Type};
use arrow_array::{Array, RecordBatch};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::Path;

/// One indicator of one unit: a numerator over a denominator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fraction {
    /// Numerator.
    pub num: f64,
    /// Denominator.
    pub den: f64,
    /// `true` when the numerator counts persons out of the denominator's persons (a share with
    /// a binomial interval); `false` for a ratio of sums such as m² per resident.
    pub share: bool,
}

/// A unit (a grid cell or an area) and its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct CellCounts {
    /// DDKN cell name: `{size}m_{north / size}_{east / size}`, e.g. `250m_24704_2900`.
    pub id: String,
    /// Grid column and row: `east / size`, `north / size` (`None` for area units).
    pub cell: Option<(i64, i64)>,
    /// The district most of its residents live in.
    pub district: u16,
    /// Residents.
    pub population: u64,
    /// Indicator id → fraction (see docs/SCREENING.md for the vocabulary).
    pub indicators: BTreeMap<&'static str, Fraction>,
    /// Residents per area of `areas.csv` (by area id), so a caller can tell which cells lie in
    /// which housing area.
    pub areas: BTreeMap<String, u64>,
}

#[derive(Default, Clone)]
struct Acc {
    population: u64,
    n_18_64: u64,
    outside: f64,
    adults: u64,
    low_income_adults: u64,
    poor_health_adults: u64,
    n_30_59: u64,
    basic: u64,
    age_25: u64,
    age_25_without: u64,
    children: u64,
    poor_children: u64,
    non_western: u64,
    housed: u64,
    small_dwelling: u64,
    crowded: u64,
    m2: f64,
    deficient: u64,
    districts: BTreeMap<u16, u64>,
    polling: BTreeMap<u16, u64>,
    areas: BTreeMap<u32, u64>,
}

/// One area-level table of one year: district or polling district → (numerator, denominator).
pub type AreaTable = BTreeMap<u16, (u64, u64)>;

/// The area-level tables of a register folder, by year: the safety survey per district, and
/// turnout per polling district at each municipal election. Both optional; without them (or
/// without a row for the year asked for) the two indicators are absent.
///
/// A data year uses the survey of the same year ([`AreaTables::safety_for`]) and the latest
/// election at or before it ([`AreaTables::election_for`]): municipal elections are held every
/// fourth year (…, 2013, 2017, 2021), and turnout stands until the next one. A table read from a
/// file without a `year` column (the format before the tables had years) is kept under
/// [`UNDATED`] and serves every data year, as it always did.
#[derive(Debug, Clone, Default)]
pub struct AreaTables {
    /// Survey year (or [`UNDATED`]) → district → (respondents feeling unsafe at night,
    /// respondents).
    pub safety: BTreeMap<i16, AreaTable>,
    /// Election year (or [`UNDATED`]) → polling district → (votes cast, electorate).
    pub turnout: BTreeMap<i16, AreaTable>,
}

/// The key of a table read from a file without a `year` column: it serves every data year.
pub const UNDATED: i16 = i16::MIN;

impl AreaTables {
    /// The safety survey of data year `year`: that year's, or an undated one.
    pub fn safety_for(&self, year: i16) -> Option<&AreaTable> {
        self.safety.get(&year).or_else(|| self.safety.get(&UNDATED))
    }

    /// The year of the latest election at or before data year `year`, if the file is dated and
    /// has one.
    pub fn election_for(&self, year: i16) -> Option<i16> {
        self.turnout
            .range(..=year)
            .next_back()
            .map(|(y, _)| *y)
            .filter(|y| *y != UNDATED)
    }

    /// The turnout that data year `year` uses: the latest election at or before it.
    pub fn turnout_for(&self, year: i16) -> Option<&AreaTable> {
        self.turnout.range(..=year).next_back().map(|(_, t)| t)
    }

    /// The tables data year `year` uses: (safety, turnout); see [`AreaTables::safety_for`] and
    /// [`AreaTables::turnout_for`].
    pub fn for_year(&self, year: i16) -> (Option<&AreaTable>, Option<&AreaTable>) {
        (self.safety_for(year), self.turnout_for(year))
    }
}

/// Reads `safety.csv` (`year,district,respondents,unsafe`) and `turnout.csv`
/// (`year,polling_district,electorate,votes`) from a register folder, where present.
///
/// * `safety.csv` has one row per district and survey year; a data year uses its own year's
///   survey.
/// * `turnout.csv` has one row per polling district and election year; a data year uses the
///   latest election at or before it ([`AreaTables::election_for`]).
/// * A file **without** a `year` column (the format before tables had years) serves every data
///   year, as it did before ([`UNDATED`]).
/// * A file with a `year` column but no row for a year leaves that year without the indicator,
///   exactly as a missing file does; nothing is filled in from other years (except turnout,
///   which stands until the next election).
///
/// # Errors
///
/// A [`DataError`] naming the file, the line and the column: a missing column, a value that is
/// not a whole number, a year or code out of range, the same year and district twice, more
/// unsafe respondents than respondents, or more votes than the electorate.
pub fn read_area_tables(dir: &Path) -> Result<AreaTables, DataError> {
    check_complete(dir)?;
    let table = |name: &str,
                 cols: [&str; 3],
                 check: &dyn Fn(u16, u64, u64) -> Option<String>|
     -> Result<BTreeMap<i16, AreaTable>, DataError> {
        let path = dir.join(name);
        let mut out: BTreeMap<i16, AreaTable> = BTreeMap::new();
        if !path.exists() {
            return Ok(out);
        }
        let (mut rdr, headers) = open_csv(&path, "")?;
        let year_col = headers.iter().position(|h| h == "year");
        let mut pos = [0usize; 3];
        for (k, c) in cols.iter().enumerate() {
            pos[k] = headers.iter().position(|h| h == c).ok_or_else(|| {
                err(
                    &path,
                    Location::Line(1),
                    None,
                    format!(
                        "missing column '{c}'; expected the header year,{} (or {} for the latest data year only)",
                        cols.join(","),
                        cols.join(",")
                    ),
                )
            })?;
        }
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                err(
                    &path,
                    Location::Line(e.position().map_or(0, |p| p.line())),
                    None,
                    e.to_string(),
                )
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let cell = |i: usize| rec.get(i).unwrap_or("");
            let num = |k: usize| -> Result<u64, DataError> {
                cell(pos[k]).parse().map_err(|_| {
                    err(
                        &path,
                        Location::Line(line),
                        Some(cols[k]),
                        format!("expected a whole number, found '{}'", cell(pos[k])),
                    )
                })
            };
            let year = match year_col {
                Some(i) => match cell(i).parse::<i16>() {
                    Ok(y) if (1900..=2200).contains(&y) => y,
                    _ => {
                        return Err(err(
                            &path,
                            Location::Line(line),
                            Some("year"),
                            format!("expected a four-digit year, found '{}'", cell(i)),
                        ));
                    }
                },
                None => UNDATED,
            };
            let code = u16::try_from(num(0)?).map_err(|_| {
                err(
                    &path,
                    Location::Line(line),
                    Some(cols[0]),
                    "expected a code below 65536",
                )
            })?;
            let (a, b) = (num(1)?, num(2)?);
            if let Some(m) = check(code, a, b) {
                return Err(err(&path, Location::Line(line), Some(cols[2]), m));
            }
            if out.entry(year).or_default().insert(code, (b, a)).is_some() {
                return Err(err(
                    &path,
                    Location::Line(line),
                    Some(cols[0]),
                    if year == UNDATED {
                        format!(
                            "{0} {code} appears twice; expected one row per {0}",
                            cols[0].replace('_', " ")
                        )
                    } else {
                        format!(
                            "{0} {code} appears twice for the year {year}; expected one row per {0} and year",
                            cols[0].replace('_', " ")
                        )
                    },
                ));
            }
        }
        Ok(out)
    };
    let safety = table(
        "safety.csv",
        ["district", "respondents", "unsafe"],
        &|d, respondents, unsafe_| {
            (unsafe_ > respondents).then(|| format!(
                "district {d}: {unsafe_} feeling unsafe out of {respondents} respondents; expected no more than the respondents"
            ))
        },
    )?;
    let turnout = table(
        "turnout.csv",
        ["polling_district", "electorate", "votes"],
        &|d, electorate, votes| {
            (votes > electorate).then(|| format!(
                "polling district {d}: {votes} votes from an electorate of {electorate}; expected no more than the electorate"
            ))
        },
    )?;
    Ok(AreaTables { safety, turnout })
}

const COLUMNS: [&str; 15] = [
    "area_id",
    "east",
    "north",
    "age",
    "origin",
    "outside_fte",
    "education_level",
    "education_source",
    "district",
    "polling_district",
    "low_income",
    "poor_health",
    "dwelling_area",
    "dwelling_residents",
    "installation_deficiency",
];

/// The spatial units of a screening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// Square cells of this many metres in EPSG:25832 (the DDKN grid).
    Grid(u32),
    /// The areas of `areas.csv` (the polygons of `geometry.geojson`); people without an area
    /// are left out.
    Areas,
}

/// Counts one data year's persons into units (grid cells or areas), within `municipality` when
/// given (the screening is the municipality's own). `areas` is `areas.csv`; `tables` are the
/// area-level tables ([`read_area_tables`]), of which the year's own survey and the latest
/// election at or before `year` are used ([`AreaTables::for_year`]).
pub fn read_units(
    dir: &Path,
    year: i16,
    units: Units,
    municipality: Option<u16>,
    areas: &[Area],
    tables: &AreaTables,
) -> Result<Vec<CellCounts>, DataError> {
    check_complete(dir)?;
    let path = dir.join(format!("persons-{year}.parquet"));
    let file = File::open(&path).map_err(|e| {
        err(
            &path,
            Location::File,
            None,
            format!(
                "cannot open the file: {e}; the screening reads the Parquet person file of the year"
            ),
        )
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
        err(
            &path,
            Location::File,
            None,
            format!("not a readable Parquet file: {e}"),
        )
    })?;
    let schema = builder.schema().clone();
    let mut wanted = COLUMNS.to_vec();
    wanted.push("municipality");
    for c in &wanted {
        if schema.index_of(c).is_err() {
            return Err(err(
                &path,
                Location::File,
                Some(c),
                "missing column; the screening needs it (see docs/REGISTERS.md, the screening columns)",
            ));
        }
    }
    let mask = ProjectionMask::roots(
        builder.parquet_schema(),
        wanted.iter().map(|c| schema.index_of(c).expect("checked")),
    );
    let reader = builder
        .with_projection(mask)
        .with_batch_size(65_536)
        .build()
        .map_err(|e| err(&path, Location::File, None, e.to_string()))?;
    let index: HashMap<&str, u32> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i as u32))
        .collect();
    let mut cells: HashMap<(i64, i64), Acc> = HashMap::new();
    let size_f = match units {
        Units::Grid(size) => f64::from(size),
        Units::Areas => 1.0,
    };
    // Rows before this batch, for the 1-based row of an error.
    let mut rows_before = 0u64;
    for batch in reader {
        let batch: RecordBatch =
            batch.map_err(|e| err(&path, Location::File, None, format!("cannot decode: {e}")))?;
        let first_row = rows_before;
        rows_before += batch.num_rows() as u64;
        let col = |n: &str| batch.column_by_name(n).expect("projected");
        let typed = |n: &str| -> Result<(), DataError> {
            Err(err(
                &path,
                Location::File,
                Some(n),
                format!(
                    "has type {}; expected the type of docs/REGISTERS.md",
                    col(n).data_type()
                ),
            ))
        };
        macro_rules! prim {
            ($n:literal, $t:ty) => {
                match col($n).as_primitive_opt::<$t>() {
                    Some(a) => a,
                    None => return typed($n).map(|_| Vec::new()),
                }
            };
        }
        macro_rules! boolean {
            ($n:literal) => {
                match col($n).as_boolean_opt() {
                    Some(a) => a,
                    None => return typed($n).map(|_| Vec::new()),
                }
            };
        }
        let (east, north) = (prim!("east", Float64Type), prim!("north", Float64Type));
        let (age, orig, outside) = (
            prim!("age", UInt8Type),
            prim!("origin", UInt8Type),
            prim!("outside_fte", Float32Type),
        );
        let (level, source) = (
            prim!("education_level", UInt8Type),
            prim!("education_source", UInt8Type),
        );
        let (district, polling, muni) = (
            prim!("district", UInt16Type),
            prim!("polling_district", UInt16Type),
            prim!("municipality", UInt16Type),
        );
        let (low, health, deficient) = (
            boolean!("low_income"),
            boolean!("poor_health"),
            boolean!("installation_deficiency"),
        );
        let (m2, residents) = (
            prim!("dwelling_area", Float32Type),
            prim!("dwelling_residents", UInt8Type),
        );
        let area = col("area_id");
        let area_ids: Vec<Option<u32>> = match area.data_type() {
            arrow_schema::DataType::Dictionary(_, _) => {
                let d = area.as_dictionary::<arrow_array::types::Int32Type>();
                let values = d.values().as_string::<i32>();
                (0..d.len())
                    .map(|i| {
                        if d.is_null(i) {
                            None
                        } else {
                            index.get(values.value(d.keys().value(i) as usize)).copied()
                        }
                    })
                    .collect()
            }
            _ => {
                let s = area.as_string::<i32>();
                (0..s.len())
                    .map(|i| {
                        if s.is_null(i) {
                            None
                        } else {
                            index.get(s.value(i)).copied()
                        }
                    })
                    .collect()
            }
        };
        for (i, area_id) in area_ids.iter().enumerate() {
            if municipality.is_some_and(|m| muni.value(i) != m)
                || east.is_null(i)
                || north.is_null(i)
            {
                continue;
            }
            for (name, v) in [("east", east.value(i)), ("north", north.value(i))] {
                if !v.is_finite() {
                    return Err(err(
                        &path,
                        Location::Row(first_row + i as u64 + 1),
                        Some(name),
                        format!(
                            "is {v}; expected a finite coordinate in metres (EPSG:25832), or null"
                        ),
                    ));
                }
            }
            let key = match (units, area_id) {
                (Units::Grid(_), _) => (
                    (east.value(i) / size_f).floor() as i64,
                    (north.value(i) / size_f).floor() as i64,
                ),
                (Units::Areas, Some(a)) => (i64::from(*a), 0),
                (Units::Areas, None) => continue,
            };
            let a = cells.entry(key).or_default();
            let age_i = age.value(i);
            a.population += 1;
            *a.districts.entry(district.value(i)).or_default() += 1;
            if let Some(ai) = *area_id {
                *a.areas.entry(ai).or_default() += 1;
            }
            let o = orig.value(i);
            a.non_western += u64::from(
                o == origin::NON_WESTERN_IMMIGRANT || o == origin::NON_WESTERN_DESCENDANT,
            );
            if (18..=64).contains(&age_i) {
                a.n_18_64 += 1;
                a.outside += f64::from(outside.value(i));
            }
            if age_i >= 18 {
                a.adults += 1;
                a.low_income_adults += u64::from(low.value(i));
                a.poor_health_adults += u64::from(health.value(i));
                *a.polling.entry(polling.value(i)).or_default() += 1;
            } else {
                a.children += 1;
                a.poor_children += u64::from(low.value(i));
            }
            let lv = level.value(i);
            if (30..=59).contains(&age_i) {
                a.n_30_59 += 1;
                let basic = lv == education_level::BASIC || lv == education_level::UNKNOWN;
                let counted = matches!(
                    source.value(i),
                    education_source::DANISH | education_source::APPROVED_FOREIGN
                );
                a.basic += u64::from(basic || !counted);
            }
            if age_i == 25 {
                a.age_25 += 1;
                a.age_25_without += u64::from(lv < education_level::UPPER_SECONDARY);
            }
            a.deficient += u64::from(deficient.value(i));
            if !m2.is_null(i) && !residents.is_null(i) && residents.value(i) > 0 {
                let area_m2 = f64::from(m2.value(i));
                let per = area_m2 / f64::from(residents.value(i));
                a.housed += 1;
                a.small_dwelling += u64::from(area_m2 < 60.0);
                a.crowded += u64::from(per < 20.0);
                a.m2 += per;
            }
        }
    }
    // The survey and the election are counted per district and per polling district, not per
    // cell. Each cell gets its residents' part of those counts (respondents and unsafe split by
    // the cell's share of the district's residents; electorate and votes by its share of the
    // polling district's adults), so that the city average and an area made of several cells
    // count every respondent and every voter once.
    let (safety, turnout) = tables.for_year(year);
    let mut district_pop: BTreeMap<u16, u64> = BTreeMap::new();
    let mut polling_adults: BTreeMap<u16, u64> = BTreeMap::new();
    for a in cells.values() {
        for (d, n) in &a.districts {
            *district_pop.entry(*d).or_default() += n;
        }
        for (p, n) in &a.polling {
            *polling_adults.entry(*p).or_default() += n;
        }
    }
    let mut out: Vec<CellCounts> = cells
        .into_iter()
        .map(|(cell, a)| {
            let district = a
                .districts
                .iter()
                .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
                .map_or(0, |(k, _)| *k);
            let share = |num: u64, den: u64| Fraction {
                num: num as f64,
                den: den as f64,
                share: true,
            };
            let mut ind: BTreeMap<&'static str, Fraction> = BTreeMap::new();
            ind.insert(
                "outside_labour_share",
                Fraction {
                    num: a.outside,
                    den: a.n_18_64 as f64,
                    share: true,
                },
            );
            ind.insert("low_income_share", share(a.low_income_adults, a.adults));
            ind.insert("basic_education_share", share(a.basic, a.n_30_59));
            ind.insert(
                "no_youth_education_at_25_share",
                share(a.age_25_without, a.age_25),
            );
            ind.insert("child_poverty_share", share(a.poor_children, a.children));
            ind.insert("poor_health_share", share(a.poor_health_adults, a.adults));
            ind.insert("non_western_share", share(a.non_western, a.population));
            ind.insert("small_dwelling_share", share(a.small_dwelling, a.housed));
            ind.insert(
                "installation_deficiency_share",
                share(a.deficient, a.population),
            );
            ind.insert("crowded_share", share(a.crowded, a.housed));
            ind.insert(
                "m2_per_resident",
                Fraction {
                    num: a.m2,
                    den: a.housed as f64,
                    share: false,
                },
            );
            let split = |parts: &BTreeMap<u16, u64>,
                         totals: &BTreeMap<u16, u64>,
                         table: &BTreeMap<u16, (u64, u64)>| {
                let (mut num, mut den, mut any) = (0.0, 0.0, false);
                for (code, n) in parts {
                    if let (Some(&(x, of)), Some(&total)) = (table.get(code), totals.get(code)) {
                        let part = *n as f64 / total as f64;
                        num += x as f64 * part;
                        den += of as f64 * part;
                        any = true;
                    }
                }
                any.then_some(Fraction {
                    num,
                    den,
                    share: true,
                })
            };
            if let Some(f) = safety.and_then(|t| split(&a.districts, &district_pop, t)) {
                ind.insert("unsafe_share", f);
            }
            if let Some(f) = turnout.and_then(|t| split(&a.polling, &polling_adults, t)) {
                ind.insert("turnout_share", f);
            }
            CellCounts {
                id: match units {
                    Units::Grid(size) => format!("{size}m_{}_{}", cell.1, cell.0),
                    Units::Areas => areas[cell.0 as usize].id.clone(),
                },
                cell: matches!(units, Units::Grid(_)).then_some(cell),
                district,
                population: a.population,
                indicators: ind,
                areas: a
                    .areas
                    .iter()
                    .map(|(i, n)| (areas[*i as usize].id.clone(), *n))
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh folder with the given files (and an empty person file per year in `years`, so
    /// the folder has data years).
    fn folder(name: &str, years: &[i16], files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kvarter-units-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for y in years {
            std::fs::write(dir.join(format!("persons-{y}.parquet")), b"").unwrap();
        }
        for (f, text) in files {
            std::fs::write(dir.join(f), text).unwrap();
        }
        dir
    }

    #[test]
    fn tables_without_a_year_column_serve_every_data_year() {
        let dir = folder(
            "undated",
            &[2022, 2023],
            &[
                (
                    "safety.csv",
                    "district,respondents,unsafe\n1,500,50\n2,400,100\n",
                ),
                (
                    "turnout.csv",
                    "polling_district,electorate,votes\n10101,1000,600\n",
                ),
            ],
        );
        let t = read_area_tables(&dir).unwrap();
        for year in [2000, 2022, 2023] {
            let (s, v) = t.for_year(year);
            assert_eq!(s.unwrap()[&2], (100, 400));
            assert_eq!(v.unwrap()[&10101], (600, 1000));
            // No election year to name.
            assert_eq!(t.election_for(year), None);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_year_column_gives_each_year_its_survey_and_the_latest_election() {
        let dir = folder(
            "dated",
            &[2020, 2021, 2022],
            &[
                (
                    "safety.csv",
                    "year,district,respondents,unsafe\n2020,1,500,50\n2022,1,500,40\n",
                ),
                (
                    "turnout.csv",
                    "year,polling_district,electorate,votes\n2017,10101,1000,600\n2021,10101,1000,550\n",
                ),
            ],
        );
        let t = read_area_tables(&dir).unwrap();
        assert_eq!(t.safety_for(2020).unwrap()[&1], (50, 500));
        // No row for 2021: absent that year, not filled in from another.
        assert!(t.safety_for(2021).is_none());
        assert_eq!(t.safety_for(2022).unwrap()[&1], (40, 500));
        // The latest election at or before the year.
        assert_eq!(t.election_for(2016), None);
        assert_eq!(t.election_for(2020), Some(2017));
        assert_eq!(t.turnout_for(2020).unwrap()[&10101], (600, 1000));
        assert_eq!(t.election_for(2021), Some(2021));
        assert_eq!(t.election_for(2024), Some(2021));
        assert_eq!(t.turnout_for(2022).unwrap()[&10101], (550, 1000));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_tables_name_file_line_and_column() {
        let cases = [
            (
                "safety.csv",
                "year,district,respondents,unsafe\n2020,1,500,50\n20x0,2,500,50\n",
                "line 3, column year",
            ),
            (
                "safety.csv",
                "year,district,respondents,unsafe\n2020,1,500,50\n2020,1,400,50\n",
                "line 3, column district: district 1 appears twice for the year 2020",
            ),
            (
                "safety.csv",
                "year,district,respondents,unsafe\n2020,1,500,501\n",
                "line 2, column unsafe",
            ),
            (
                "turnout.csv",
                "year,polling_district,electorate,votes\n2021,10101,1000,1001\n",
                "line 2, column votes",
            ),
            (
                "turnout.csv",
                "year,polling_district,votes\n2021,10101,1000\n",
                "line 1: missing column 'electorate'",
            ),
            (
                "safety.csv",
                "district,respondents,unsafe\n1,500,50\n1,400,50\n",
                "line 3, column district: district 1 appears twice;",
            ),
            (
                "safety.csv",
                "year,district,year,respondents,unsafe\n2020,1,2020,500,50\n",
                "appears twice in the header",
            ),
        ];
        for (k, (file, text, want)) in cases.iter().enumerate() {
            let dir = folder(&format!("bad{k}"), &[2021], &[(file, text)]);
            let e = read_area_tables(&dir).unwrap_err().to_string();
            assert!(e.contains(file) && e.contains(want), "{e}");
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
}
