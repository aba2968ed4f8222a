//! A synthetic country for kvarter: register extracts and area geometry for a fictional Denmark,
//! deterministic by seed.
//!
//! [`generate`] writes a *register folder* exactly as `docs/REGISTERS.md` specifies it
//! (`areas.csv`, `persons-YYYY.parquet` or `.csv` with the screening columns, `geometry.geojson`,
//! `boundaries.geojson` with the coast, municipalities, districts and their names,
//! `safety.csv` with the safety survey of every data year, and `turnout.csv` with every
//! municipal election those years use), so that everything
//! downstream (`kvarter lists --registers`, `aggregate`, `explain`) can be run and shown
//! without access to real, confidential register data. Nothing here is real: regions,
//! municipalities, areas and people are invented, and the files say so. How the country is
//! built and what it is calibrated to is in `docs/SYNTH.md`.
//!
//! The population is simulated year by year from 1 January 2000 (see [`SIMULATION_START`]),
//! whatever years are asked for. A data year therefore has the same content whether it was
//! written alone or as part of a longer range.

#![warn(missing_docs)]

mod geo;
mod out;
mod rng;
mod screen;
mod sim;
mod world;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

use sim::Population;

/// How much of the country to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// The capital municipality alone (about 230,000 residents, ten districts, about 40
    /// social-housing areas). Smaller than a real capital on purpose: it is the demo and
    /// the CI scale, and writes 19 years in a few seconds.
    City,
    /// All of the fictional Denmark: 98 municipalities in five regions, about 5.9 million
    /// residents.
    Country,
    /// A small capital of about 40,000 residents, for tests in debug builds. Its lists are not
    /// calibrated; use `City` for anything shown to people.
    Tiny,
}

impl Scale {
    /// The name used on the command line (`city`, `country`, `tiny`).
    pub fn name(self) -> &'static str {
        match self {
            Scale::City => "city",
            Scale::Country => "country",
            Scale::Tiny => "tiny",
        }
    }

    /// The scale with that command-line name.
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "city" => Some(Scale::City),
            "country" => Some(Scale::Country),
            "tiny" => Some(Scale::Tiny),
            _ => None,
        }
    }
}

/// The file format of the person-year files. `areas.csv` and `geometry.geojson` are always
/// written as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `persons-YYYY.parquet`: Snappy-compressed, row groups of a million rows, `area_id`
    /// dictionary-encoded.
    Parquet,
    /// `persons-YYYY.csv`: the same columns as text; for small data and for eyes.
    Csv,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// City, country or the tiny test town.
    pub scale: Scale,
    /// The seed: the same seed and config give byte-identical files.
    pub seed: u64,
    /// The first data year written (at least [`SIMULATION_START`]).
    pub first_year: i16,
    /// The last data year written (at most [`LAST_YEAR`]).
    pub last_year: i16,
    /// Parquet or CSV person files.
    pub format: Format,
}

/// The first data year the simulation produces; earlier years cannot be written.
pub const SIMULATION_START: i16 = world::BASE_YEAR;
/// The last data year that may be asked for. Later years would only extrapolate trends that
/// were calibrated to 2006–2024.
pub const LAST_YEAR: i16 = 2035;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Persons in each data year's file.
    pub persons_per_year: Vec<(i16, usize)>,
    /// Rows of `areas.csv` (social housing and ordinary).
    pub areas: usize,
    /// Social-housing areas among them.
    pub social_housing_areas: usize,
    /// Social-housing areas with at least 1,000 residents in the last data year's file.
    pub large_social_housing_areas: usize,
    /// Municipalities.
    pub municipalities: usize,
    /// Every file written, in the order written.
    pub files: Vec<PathBuf>,
}

/// Why generation failed. Nothing half-written is left behind: files are renamed into place
/// only when complete.
#[derive(Debug)]
pub enum SynthError {
    /// The configuration cannot be generated (e.g. years out of range).
    Config(String),
    /// A file or folder could not be created, written or renamed.
    Io {
        /// The path concerned.
        path: PathBuf,
        /// What was being done ("create", "write", ...).
        action: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl SynthError {
    fn io(path: &Path, action: &'static str, source: std::io::Error) -> SynthError {
        SynthError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

impl fmt::Display for SynthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SynthError::Config(m) => write!(f, "{m}"),
            SynthError::Io {
                path,
                action,
                source,
            } => write!(
                f,
                "cannot {action} {}: {source}; check that the folder exists or can be created, is writable and has free space",
                path.display()
            ),
        }
    }
}

impl std::error::Error for SynthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SynthError::Io { source, .. } => Some(source),
            SynthError::Config(_) => None,
        }
    }
}

/// The file in a register folder that says whether `kvarter synth` finished writing it. Its
/// first line is [`COMPLETE`] once every file is in place; it is written as [`INCOMPLETE`]
/// before the first data file, so a folder an interrupted run leaves says so, and the register
/// readers (`kvarter_data`) refuse it. A folder without the file is not synthetic and is read
/// as it is.
pub const COMPLETION_MARKER: &str = "kvarter-synth.txt";

/// The marker's text while `kvarter synth` writes the folder.
pub const INCOMPLETE: &str = "kvarter synth: incomplete\nThis folder is being written, or its writing was interrupted; run kvarter synth again.\n";

/// The marker's text once every file is in place.
pub const COMPLETE: &str = "kvarter synth: complete\n";

/// Generates a register folder in `out` (created if missing).
///
/// `progress` is called with `(done, total, message)` after each simulated year and each file;
/// the command line turns it into a progress bar. Files for other years already in `out` are
/// left alone, so write each run to its own folder.
pub fn generate(
    config: &Config,
    out: &Path,
    progress: &mut dyn FnMut(u64, u64, &str),
) -> Result<Summary, SynthError> {
    if config.first_year > config.last_year {
        return Err(SynthError::Config(format!(
            "the first year {} is after the last year {}; give the years as FIRST-LAST, e.g. 2006-2024",
            config.first_year, config.last_year
        )));
    }
    if config.first_year < SIMULATION_START || config.last_year > LAST_YEAR {
        return Err(SynthError::Config(format!(
            "years {}-{} are outside what the synthetic country covers; use years between {SIMULATION_START} and {LAST_YEAR}",
            config.first_year, config.last_year
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| SynthError::io(out, "create the folder", e))?;
    // Before any data file: the folder is marked incomplete until the last file is in place,
    // so that a reader refuses what an interrupted run leaves. Temporaries of an earlier,
    // interrupted run go.
    out::remove_partials(out)?;
    out::write_text(out, COMPLETION_MARKER, INCOMPLETE)?;

    let world = world::build(config.scale, config.seed);
    let steps = (config.last_year - SIMULATION_START + 1) as u64;
    let outputs = (config.last_year - config.first_year + 1) as u64;
    let total = steps + outputs + 1;
    let mut done = 0u64;
    let mut files = Vec::new();

    files.push(out::write_text(out, "areas.csv", &out::areas_csv(&world))?);
    files.push(out::write_text(
        out,
        "geometry.geojson",
        &out::geojson(&world),
    )?);
    let boundaries = geo::build(&world, config.scale);
    files.push(out::write_text(
        out,
        "boundaries.geojson",
        &geo::geojson(&boundaries),
    )?);
    done += 1;
    progress(
        done,
        total,
        "areas.csv, geometry.geojson and boundaries.geojson",
    );

    let mut pop = Population::initial(&world, config.seed);
    let dictionary = out::area_dictionary(&world);
    let mut persons_per_year = Vec::new();
    let mut large = 0;
    let mut tables = screen::Tables::default();
    let elections = screen::elections(config.first_year, config.last_year);

    // A Parquet file is encoded on a writer thread while the next year is simulated; at most
    // one finished chunk waits in the channel, which bounds memory. Output bytes do not depend
    // on this overlap: batches arrive in order, and outcomes are keyed by person, not by time.
    std::thread::scope(|s| -> Result<(), SynthError> {
        let mut pending: Option<std::thread::ScopedJoinHandle<'_, Result<PathBuf, SynthError>>> =
            None;
        let finish = |h: Option<std::thread::ScopedJoinHandle<'_, Result<PathBuf, SynthError>>>,
                      files: &mut Vec<PathBuf>|
         -> Result<(), SynthError> {
            if let Some(h) = h {
                files.push(h.join().expect("the Parquet writer does not panic")?);
            }
            Ok(())
        };
        for year in SIMULATION_START..=config.last_year {
            pop.step(&world);
            done += 1;
            progress(done, total, &format!("simulating {year}"));
            let election = elections.contains(&year);
            if year < config.first_year {
                if election {
                    // The election the first data years use, held before them.
                    let outcomes = screen::outcomes(&world, &pop);
                    let screening = screen::year(&world, &pop, &outcomes);
                    tables
                        .turnout
                        .extend(screen::turnout(&world, &pop, &outcomes, &screening));
                }
                continue;
            }
            persons_per_year.push((year, pop.persons.len()));
            let outcomes = screen::outcomes(&world, &pop);
            let screening = screen::year(&world, &pop, &outcomes);
            if year == config.last_year {
                let mut residents = vec![0usize; world.areas.len()];
                for p in &pop.persons {
                    if p.area != sim::NO_AREA {
                        residents[p.area as usize] += 1;
                    }
                }
                large = world
                    .areas
                    .iter()
                    .zip(&residents)
                    .filter(|(a, n)| a.social() && **n >= 1000)
                    .count();
            }
            match config.format {
                Format::Parquet => {
                    let name = format!("persons-{year}.parquet");
                    let file = out::Pending::new(out, &name);
                    let (tx, rx) = sync_channel(1);
                    let handle = s.spawn(move || out::parquet_writer(rx, file));
                    // The previous year's writer must finish before this one's chunks pile up.
                    finish(pending.take(), &mut files)?;
                    for ((chunk, outcomes), rows) in pop
                        .persons
                        .chunks(out::ROW_GROUP)
                        .zip(outcomes.chunks(out::ROW_GROUP))
                        .zip(screening.chunks(out::ROW_GROUP))
                    {
                        let b = out::batch(&world, &pop, chunk, outcomes, rows, &dictionary);
                        if tx.send(b).is_err() {
                            break; // the writer failed; its error comes from join
                        }
                    }
                    drop(tx);
                    pending = Some(handle);
                    done += 1;
                    progress(done, total, &format!("writing {name}"));
                }
                Format::Csv => {
                    let name = format!("persons-{year}.csv");
                    let file = out::Pending::new(out, &name);
                    files.push(out::persons_csv(
                        &world,
                        &pop,
                        &outcomes,
                        &screening,
                        file,
                        &mut |_| {},
                    )?);
                    done += 1;
                    progress(done, total, &format!("writing {name}"));
                }
            }
            // While the writer encodes the year's chunks.
            tables.safety.extend(screen::safety(&world, &pop));
            if election {
                tables
                    .turnout
                    .extend(screen::turnout(&world, &pop, &outcomes, &screening));
            }
        }
        finish(pending.take(), &mut files)
    })?;
    // The area-level tables: the survey of every data year written, and every election those
    // years use (see docs/SYNTH.md).
    files.push(out::write_text(out, "safety.csv", &tables.safety_csv())?);
    files.push(out::write_text(out, "turnout.csv", &tables.turnout_csv())?);
    // Last: the folder is whole.
    out::write_text(out, COMPLETION_MARKER, COMPLETE)?;

    Ok(Summary {
        persons_per_year,
        areas: world.areas.len(),
        social_housing_areas: world.areas.iter().filter(|a| a.social()).count(),
        large_social_housing_areas: large,
        municipalities: world.munis.len(),
        files,
    })
}
