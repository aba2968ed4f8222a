//! `kvarter plans`: the municipality's policy, action plans and helhedsplaner (kvarter-plans)
//! as CSV files, and their progress computed from the store's area-year table.
//!
//! - `plans seed --db FILE --out DIR` writes the 2025–2035 policy of the capital, its action
//!   plan and three helhedsplaner, placed on the store's areas (illustrative parts marked).
//! - `plans progress --db FILE --plans DIR` reads the CSV files and prints, for every indicator,
//!   the latest value, the value the straight line from baseline to target requires, whether it
//!   is on track, and the gap to the average of all areas in the store.

use super::{Failure, write_atomically};
use clap::{Args, Subcommand};
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
}

fn open_db(db: &Path) -> Result<rusqlite::Connection, Failure> {
    if !db.is_file() {
        return Err(Failure(format!(
            "{}: no such database; expected a file that `kvarter load --db` filled",
            db.display()
        )));
    }
    Ok(kvarter_web::open(db)?)
}

pub(crate) fn run_plans(a: &PlansArgs) -> Result<String, Failure> {
    match &a.command {
        PlansCommand::Seed { db, out } => seed(db, out),
        PlansCommand::Progress { db, plans } => report(db, plans),
    }
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
    let files = kvarter_plans::csv::write(&plans);
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

/// The plan files in `dir`: (file name, text); none is an error that says how to write them.
pub(crate) fn read_files(dir: &Path) -> Result<Vec<(String, String)>, Failure> {
    let mut files = Vec::new();
    for (name, _) in kvarter_plans::csv::FILES {
        let path = dir.join(name);
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure(format!("{}: cannot read the file: {e}", path.display())))?;
            files.push((name.to_string(), text));
        }
    }
    if files.is_empty() {
        return Err(Failure(format!(
            "{}: no plan files; expected {} (write them with `kvarter plans seed`)",
            dir.display(),
            kvarter_plans::csv::FILES
                .iter()
                .map(|(f, _)| *f)
                .collect::<Vec<_>>()
                .join(", ")
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
    let tracked = kvarter_web::plans::track(&conn, &mut plans)?;
    let mut s = format!(
        "{:<28} {:<21} {:<14} {:<15} {:<14} {:<9} {:<11} {}\n",
        "INDICATOR",
        "MEASURE",
        "BASELINE",
        "TARGET",
        "LATEST",
        "REQUIRED",
        "STATUS",
        "GAP TO ALL AREAS"
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
            Some(kvarter_plans::Target::CityAverage { year }) => format!("average ({year})"),
            None => "–".into(),
        };
        let latest = p
            .latest
            .map_or("–".to_string(), |(y, v)| format!("{v} ({y})"));
        let _ = writeln!(
            s,
            "{:<28} {:<21} {:<14} {:<15} {:<14} {:<9} {:<11} {}{}",
            ind.id,
            measure,
            baseline,
            target,
            latest,
            p.required.map_or("–".into(), |r| r.to_string()),
            format!("{:?}", p.status),
            p.gap_to_city.map_or("–".into(), |g| g.to_string()),
            if ind.illustrative {
                "  (illustrative)"
            } else {
                ""
            }
        );
    }
    s.push_str(
        "\nYears are list years (the list of 1 December Y). Values are weighted over the indicator's areas ('*': the areas on a state list in the latest year); 'all areas' is every area in the store.\n",
    );
    if let Some((year, filled)) = tracked.filled_from {
        let _ = writeln!(
            s,
            "{filled} baselines the plans leave empty were taken from the data of list year {year} (illustrative)."
        );
    }
    Ok(s)
}
