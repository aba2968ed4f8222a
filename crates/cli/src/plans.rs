//! `kvarter plans`: the municipality's policy, action plans and helhedsplaner (kvarter-plans)
//! as CSV files, and their progress computed from the store's area-year table.
//!
//! - `plans seed --db FILE --out DIR` writes the 2025–2035 policy of the capital, its action
//!   plan and three helhedsplaner, placed on the store's areas (illustrative parts marked).
//! - `plans progress --db FILE --plans DIR` reads the CSV files and prints, for every indicator,
//!   the latest value, the value the straight line from baseline to target requires, whether it
//!   is on track, and the gap to the average of all areas in the store.
//! - `plans export (--plans DIR | --db FILE) --out FILE.xlsx|DIR` writes a checked plan set,
//!   from a folder of CSV files or from the plans `kvarter load --plans` put in the store, as
//!   one Excel workbook (one sheet per file; when `--out` ends in `.xlsx`) or as the CSV files
//!   in a folder.
//! - `plans import FILE.xlsx --out DIR` reads such a workbook (as analysts edit it in Excel),
//!   checks it, and writes the CSV files that `kvarter load --plans DIR` loads; an error names
//!   the workbook, the sheet, the row and the column, and then nothing is written.
//!
//! Every file is written atomically (a folder file by file).

use super::{Failure, write_atomically};
use clap::{ArgGroup, Args, Subcommand};
use kvarter_plans::Plans;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub(crate) struct PlansArgs {
    #[command(subcommand)]
    command: PlansCommand,
}

#[derive(Subcommand)]
enum PlansCommand {
    /// Writes the capital's 2025–2035 policy, action plan and helhedsplaner as CSV files.
    Seed {
        /// The store whose areas the plans are placed on.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The folder to write the CSV files into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Prints every indicator's progress, computed from the store.
    Progress {
        /// The store `kvarter load` filled.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The folder with the plans' CSV files.
        #[arg(long, value_name = "DIR")]
        plans: PathBuf,
    },
    /// Writes the plans as an Excel workbook (`--out` ending in `.xlsx`) or as CSV files.
    #[command(group(ArgGroup::new("source").required(true).args(["plans", "db"])))]
    Export {
        /// The folder with the plans' CSV files.
        #[arg(long, value_name = "DIR")]
        plans: Option<PathBuf>,
        /// The store whose plans (`kvarter load --plans`) are written.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// The workbook (`….xlsx`) or the folder (created if missing) to write.
        #[arg(long, value_name = "FILE.xlsx|DIR")]
        out: PathBuf,
    },
    /// Checks an Excel workbook of plans and writes its CSV files.
    Import {
        /// The workbook, one sheet per plan file (as `plans export` writes it).
        #[arg(value_name = "FILE.xlsx")]
        workbook: PathBuf,
        /// The folder to write the CSV files into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

fn open_db(db: &Path) -> Result<rusqlite::Connection, Failure> {
    if !db.is_file() {
        return Err(Failure(format!(
            "{}: no such database; expected a file that `kvarter load --db` filled",
            db.display()
        )));
    }
    Ok(kvarter_store::dashboard::open_read_only(db)?)
}

pub(crate) fn run_plans(a: &PlansArgs) -> Result<String, Failure> {
    match &a.command {
        PlansCommand::Seed { db, out } => seed(db, out),
        PlansCommand::Progress { db, plans } => report(db, plans),
        PlansCommand::Export { plans, db, out } => export(plans.as_deref(), db.as_deref(), out),
        PlansCommand::Import { workbook, out } => import(workbook, out),
    }
}

/// Whether `out` names a workbook rather than a folder.
fn is_workbook(out: &Path) -> bool {
    out.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Writes the ten CSV files into `dir` (created if missing), each atomically.
fn write_folder(dir: &Path, plans: &Plans) -> Result<usize, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure(format!("{}: cannot create the folder: {e}", dir.display())))?;
    let files = kvarter_plans::csv::write_safe(plans);
    for (name, text) in &files {
        write_atomically(&dir.join(name), text.as_bytes())?;
    }
    Ok(files.len())
}

/// What a plan set holds, for the line saying what was written.
fn counts(plans: &Plans) -> String {
    format!(
        "{} policies, {} action-plan versions, {} helhedsplaner",
        plans.policies.len(),
        plans.action_plans.len(),
        plans.helhedsplaner.len()
    )
}

fn export(dir: Option<&Path>, db: Option<&Path>, out: &Path) -> Result<String, Failure> {
    let (plans, from) = match (dir, db) {
        (Some(dir), _) => {
            let files = read_files(dir)?;
            (parse(dir, &files)?, dir.display().to_string())
        }
        (None, Some(db)) => {
            let conn = open_db(db)?;
            let plans = kvarter_store::dashboard::plan_files(&conn)
                .map_err(|e| format!("reading the store: {e}"))
                .and_then(|files| kvarter_view::plans::stored(&files))
                .map_err(|e| Failure(format!("{}: {e}", db.display())))?
                .ok_or_else(|| {
                    Failure(format!(
                        "{}: the store holds no plans; expected plans loaded with `kvarter load --plans DIR`",
                        db.display()
                    ))
                })?;
            (plans, db.display().to_string())
        }
        (None, None) => {
            return Err(Failure(
                "no plans given; expected --plans DIR or --db FILE".into(),
            ));
        }
    };
    if is_workbook(out) {
        let bytes = kvarter_export::plans_xlsx::to_xlsx(&plans)
            .map_err(|e| Failure(format!("{}: {e}", out.display())))?;
        write_atomically(out, &bytes)?;
        eprintln!(
            "wrote the workbook {} ({} sheets) from {from}: {}",
            out.display(),
            kvarter_plans::csv::FILES.len(),
            counts(&plans)
        );
    } else {
        let n = write_folder(out, &plans)?;
        eprintln!(
            "wrote {n} files into {} from {from}: {}",
            out.display(),
            counts(&plans)
        );
    }
    Ok(String::new())
}

fn import(workbook: &Path, out: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(workbook)
        .map_err(|e| Failure(format!("{}: cannot read the file: {e}", workbook.display())))?;
    let name = workbook.display().to_string();
    let plans =
        kvarter_export::plans_xlsx::read_xlsx(&name, &bytes).map_err(|e| Failure(e.to_string()))?;
    let n = write_folder(out, &plans)?;
    eprintln!(
        "wrote {n} files into {} from {name}: {}",
        out.display(),
        counts(&plans)
    );
    Ok(String::new())
}

/// The areas on a state list in the store's latest year, listed first, then the others.
fn areas(conn: &rusqlite::Connection) -> Result<Vec<(String, String)>, Failure> {
    let mut st = conn.prepare(
        "SELECT y.area_id, y.area_name FROM area_years y \
         WHERE y.list_year = (SELECT MAX(list_year) FROM area_years) \
         ORDER BY (SELECT COUNT(*) FROM list_results l WHERE l.area_id = y.area_id \
           AND l.list_year = y.list_year AND l.outcome = 'on' AND l.without_origin = 0) DESC, y.area_id",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn seed(db: &Path, out: &Path) -> Result<String, Failure> {
    let conn = open_db(db)?;
    let areas = areas(&conn)?;
    let refs: Vec<(&str, &str)> = areas
        .iter()
        .map(|(a, n)| (a.as_str(), n.as_str()))
        .collect();
    let plans = kvarter_plans::seed::copenhagen_2025(&refs);
    std::fs::create_dir_all(out)
        .map_err(|e| Failure(format!("{}: cannot create the folder: {e}", out.display())))?;
    let files = kvarter_plans::csv::write_safe(&plans);
    for (name, text) in &files {
        write_atomically(&out.join(name), text.as_bytes())?;
    }
    eprintln!(
        "wrote {} files into {}: {} policies, {} action-plan versions, {} helhedsplaner (illustrative parts are marked in each file's 'illustrative' column)",
        files.len(),
        out.display(),
        plans.policies.len(),
        plans.action_plans.len(),
        plans.helhedsplaner.len()
    );
    Ok(String::new())
}

/// The ten plan files in `dir`: (file name, text). A missing one is an error naming it (a
/// table with no rows is a file with its header alone), so that a folder without, say,
/// `indicators.csv` is not read as a plan set without indicators.
pub(crate) fn read_files(dir: &Path) -> Result<Vec<(String, String)>, Failure> {
    let names = || {
        kvarter_plans::csv::FILES
            .iter()
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for (name, _) in kvarter_plans::csv::FILES {
        let path = dir.join(name);
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure(format!("{}: cannot read the file: {e}", path.display())))?;
            files.push((name.to_string(), text));
        } else {
            missing.push(path);
        }
    }
    if files.is_empty() {
        return Err(Failure(format!(
            "{}: no plan files; expected {} (write them with `kvarter plans seed`)",
            dir.display(),
            names()
        )));
    }
    if let Some(path) = missing.first() {
        return Err(Failure(format!(
            "{}: missing; expected all ten plan files in {} ({}) (a table without rows is its header line alone)",
            path.display(),
            dir.display(),
            names()
        )));
    }
    Ok(files)
}

/// Parses and checks the plan files; errors name the file in `dir`, the line and the column.
pub(crate) fn parse(dir: &Path, files: &[(String, String)]) -> Result<Plans, Failure> {
    kvarter_plans::csv::read(files).map_err(|mut e| {
        e.file = dir.join(&e.file).display().to_string();
        Failure(e.to_string())
    })
}

fn report(db: &Path, dir: &Path) -> Result<String, Failure> {
    let conn = open_db(db)?;
    let files = read_files(dir)?;
    let mut plans = parse(dir, &files)?;
    let read = |e: rusqlite::Error| Failure(format!("reading the store: {e}"));
    let latest = kvarter_store::dashboard::latest_list_year(&conn).map_err(read)?;
    let listed = kvarter_store::dashboard::listed_in_latest(&conn).map_err(read)?;
    let observations = kvarter_store::dashboard::observations(&conn, None).map_err(read)?;
    let counted = kvarter_view::population::Counted::latest_round(
        &kvarter_store::dashboard::population_counts(&conn).map_err(read)?,
    );
    let tracked = kvarter_view::plans::track(
        &kvarter_view::plans::Data {
            observations: &observations,
            listed: &listed,
            counted: &counted,
        },
        &kvarter_view::Policy::default(),
        &mut plans,
        latest,
    )?;
    let mut s = format!(
        "{:<28} {:<22} {:<31} {:<14} {:<15} {:<14} {:<9} {:<9} {:<11} {}\n",
        "INDICATOR",
        "POPULATION",
        "MEASURE",
        "BASELINE",
        "TARGET",
        "LATEST",
        "REST",
        "REQUIRED",
        "STATUS",
        "GAP (AND EARLIER)"
    );
    for (ind, _) in plans.indicators() {
        let measure = ind.measure.as_str();
        let Some(p) = tracked.progress.get(&ind.id) else {
            continue;
        };
        let baseline = ind
            .baseline
            .as_ref()
            .map_or("–".to_string(), |b| format!("{} ({})", b.value, b.year));
        let target = match &ind.target {
            Some(kvarter_plans::Target::Value { value, year }) => format!("{value} ({year})"),
            Some(kvarter_plans::Target::CityAverage { year }) => format!("the rest ({year})"),
            None => "–".into(),
        };
        let latest = p
            .latest
            .map_or("–".to_string(), |(y, v)| format!("{v} ({y})"));
        let status = if ind.measure == kvarter_plans::Measure::NoSource {
            "NoSource".to_string()
        } else {
            format!("{:?}", p.status)
        };
        let gap = match (p.gap_to_city, p.gap_from) {
            (Some(g), Some((y, from))) => format!("{g} ({y}: {from})"),
            (Some(g), None) => g.to_string(),
            _ => "–".into(),
        };
        let _ = writeln!(
            s,
            "{:<28} {:<22} {:<31} {:<14} {:<15} {:<14} {:<9} {:<9} {:<11} {}{}",
            ind.id,
            ind.population.as_text(),
            measure,
            baseline,
            target,
            latest,
            p.comparator.map_or("–".into(), |c| c.to_string()),
            p.required.map_or("–".into(), |r| r.to_string()),
            status,
            gap,
            if ind.illustrative {
                "  (illustrative)"
            } else {
                ""
            }
        );
        if ind.measure == kvarter_plans::Measure::NoSource {
            let _ = writeln!(
                s,
                "{:<12} no data source; would come from: {}",
                "", ind.data_source
            );
        }
    }
    s.push_str(match &tracked.round {
        Some(_) => "\nEach indicator is measured on its population and compared with the rest of the same whole in the same year: the screening's indicators (…_share) per data year, on the udsatte byområder of the designation round held fixed, against the rest of the municipality; the state's area-year columns (…_pct) per list year, on housing estates ('state_listed': on a state list in the latest year), against the other estates.\n",
        None => "\nEach indicator is measured on its population and compared with the rest of the same whole in the same year: the state's area-year columns (…_pct) per list year, on housing estates ('state_listed': on a state list in the latest year), against the other estates. The screening's indicators (…_share) need a load with --registers and --screen.\n",
    });
    if let Some((spec, round)) = &tracked.round {
        let _ = writeln!(s, "Designation round: {spec}, {round}.");
    }
    if let Some((year, filled)) = tracked.filled_from {
        let _ = writeln!(
            s,
            "{filled} baselines the plans leave empty were taken from the data of {year} (a list year of the area-year table, a data year of the screening's counts; illustrative)."
        );
    }
    Ok(s)
}
