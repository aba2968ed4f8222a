//! `kvarter`: the command line. Wires the crates together and does the IO: reads the files the
//! user names, prints to stdout only once everything has been validated and evaluated, and
//! reports every error on stderr with a non-zero exit status.

use clap::{Args, Parser, Subcommand, ValueEnum};
use kvarter_criteria::{Criteria, read_criteria, read_history};
use kvarter_report::{Lang, explain, lists, rules};
use kvarter_rules::{
    Catalog, EvalOptions, Evaluation, History, RuleSet, builtin, evaluate, scenario,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod demo;
mod export;
mod foresight;
mod load;
mod plans;
mod populations;
mod screen;
mod serve;
mod tables;
mod users;
mod whatif;

#[derive(Parser)]
#[command(
    name = "kvarter",
    version,
    about = "Designates and monitors vulnerable urban areas the way Danish law does: the state's lists since 2010, evaluated and explained.",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Counts a register folder and writes the criteria CSV that `lists --criteria` reads.
    Aggregate(AggregateArgs),
    /// Writes the register extracts of a synthetic country (fictional, not real data).
    Synth(SynthArgs),
    /// The municipality's own screening: designates udsatte byområder from grid cells.
    Screen(ScreenArgs),
    /// Evaluates every list year in a criteria file and prints who is on each list.
    Lists(ListsArgs),
    /// Explains one area: each criterion with value, threshold and margin, each list with the reason.
    Explain(ExplainArgs),
    /// Lists the rule sets, shows one as the law reads, or runs the scenario tests.
    Rules(RulesArgs),
    /// Evaluates the inputs and stores areas, values, lists and the manifest in a SQLite file.
    Load(load::LoadArgs),
    /// Serves the dashboard and the read-only JSON API over a store that `load` filled.
    Serve(serve::ServeArgs),
    /// The whole product on synthetic data: writes it, loads it, serves the dashboard.
    Demo(demo::DemoArgs),
    /// The municipality's policy, action plans and helhedsplaner, and their progress from the data.
    Plans(plans::PlansArgs),
    /// Who may sign in to change the plans: add, list and change users.
    Users(users::UsersArgs),
    /// Writes the lists or the areas as CSV, XLSX, GeoJSON, GeoPackage or Parquet, with a manifest that re-runs it.
    Export(export::ExportArgs),
    /// Checks that an export's output is reproduced byte for byte from the inputs its manifest records.
    Verify(export::VerifyArgs),
    /// Early warning: the probability of each area being on each list next 1 December, and its backtest.
    Foresight(foresight::ForesightArgs),
    /// What if the rules changed, or an area's residents did: which lists change, and the smallest change that takes an area off a list.
    Whatif(whatif::WhatifArgs),
}

/// Where the criterion values come from: published values, or register microdata.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct Input {
    /// The criteria CSV: one row per area and list year (see README, "The criteria file").
    #[arg(long, value_name = "FILE")]
    criteria: Option<PathBuf>,
    /// A register folder: areas.csv and persons-YYYY.parquet (see docs/REGISTERS.md).
    #[arg(long, value_name = "DIR")]
    registers: Option<PathBuf>,
}

#[derive(Args)]
struct Common {
    #[command(flatten)]
    input: Input,
    /// With --registers: read only these data years, e.g. 2022-2023.
    #[arg(long, value_name = "A-B", value_parser = parse_years)]
    data_years: Option<(i16, i16)>,
    /// Only this list year (streaks still use the earlier years in the file).
    #[arg(long, value_name = "Y")]
    year: Option<i32>,
    /// Use this rule set instead of the one in force by list date (repeat for § 51 b: `--rules dk-51b`).
    #[arg(long = "rules", value_name = "ID")]
    rules: Vec<String>,
    /// Published memberships before the data starts: CSV `list_year,area_id,list`.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Switch off the non-Western origin criterion: what the lists would be without it.
    #[arg(long)]
    without_origin: bool,
    /// Read the rule sets from this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    rules_dir: Option<PathBuf>,
    /// Language of text for people.
    #[arg(long, value_enum, default_value_t = LangArg::Da)]
    lang: LangArg,
}

#[derive(Args)]
struct AggregateArgs {
    /// A register folder: areas.csv and persons-YYYY.parquet (see docs/REGISTERS.md).
    #[arg(long, value_name = "DIR")]
    registers: PathBuf,
    /// The criteria CSV to write (replaced only once it is complete).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Read only these data years, e.g. 2022-2023.
    #[arg(long, value_name = "A-B", value_parser = parse_years)]
    data_years: Option<(i16, i16)>,
    /// Measure with this rule set instead of the one in force by list date.
    #[arg(long = "rules", value_name = "ID")]
    rules: Vec<String>,
    /// Read the rule sets from this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    rules_dir: Option<PathBuf>,
}

#[derive(Args)]
struct SynthArgs {
    /// `city`: the capital alone (fast, for the demo and tests); `country`: about 5.9 million
    /// people a year; `tiny`: a small capital for quick tests.
    #[arg(long, default_value = "city", value_parser = parse_scale)]
    scale: kvarter_synth::Scale,
    /// The seed: the same seed and options give byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The data years to write, e.g. 2006-2024.
    #[arg(long, value_name = "A-B", value_parser = parse_years, default_value = "2006-2024")]
    years: (i16, i16),
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The person files' format.
    #[arg(long, value_enum, default_value_t = SynthFormat::Parquet)]
    format: SynthFormat,
}

#[derive(Args)]
struct ScreenArgs {
    /// A register folder with the screening columns (see docs/REGISTERS.md).
    #[arg(long, value_name = "DIR")]
    registers: PathBuf,
    /// The screening spec: kbh-2025 (built in), or a spec file with --spec-file.
    #[arg(long, value_name = "ID", default_value = "kbh-2025")]
    spec: String,
    /// A screening spec file (TOML, see docs/SCREENING.md) instead of a built-in one.
    #[arg(long, value_name = "FILE")]
    spec_file: Option<PathBuf>,
    /// The screening year (it uses the data of the year before); the latest possible by default.
    #[arg(long, value_name = "Y")]
    year: Option<i32>,
    /// The municipality screened (code); the synthetic capital is 101.
    #[arg(long, default_value_t = 101)]
    municipality: u16,
    /// Designate on values shrunk toward the district (empirical Bayes) instead of raw values.
    #[arg(long)]
    shrunk: bool,
    /// Explain one designated area (its id, e.g. area-100m_61760_7250) instead of listing all.
    #[arg(long, value_name = "ID")]
    area: Option<String>,
    /// Compare with the screening of this earlier year: areas that entered and left, the
    /// vulnerability index and the gaps to the city average over the same cells.
    #[arg(long, value_name = "Y")]
    since: Option<i32>,
    /// Switch off the non-Western origin criterion where the spec has one.
    #[arg(long)]
    without_origin: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScreenFormat::Table)]
    format: ScreenFormat,
    /// Language of text for people.
    #[arg(long, value_enum, default_value_t = LangArg::Da)]
    lang: LangArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScreenFormat {
    Table,
    Csv,
    Json,
    Geojson,
}

fn load_spec(id: &str, file: Option<&Path>) -> Result<kvarter_screen::Spec, Failure> {
    if let Some(f) = file {
        let text = std::fs::read_to_string(f)
            .map_err(|e| Failure(format!("{}: cannot read the file: {e}", f.display())))?;
        return Ok(kvarter_screen::Spec::parse(
            &f.display().to_string(),
            &text,
        )?);
    }
    match kvarter_screen::builtin::spec(id) {
        Some(spec) => Ok(spec?),
        None => {
            let known: Vec<String> = kvarter_screen::builtin::specs()?
                .into_iter()
                .map(|s| s.id)
                .collect();
            Err(Failure(format!(
                "--spec {id}: unknown screening spec; expected one of: {}",
                known.join(", ")
            )))
        }
    }
}

fn run_screen(a: &ScreenArgs) -> Result<String, Failure> {
    let spec = load_spec(&a.spec, a.spec_file.as_deref())?;
    let catalog = Catalog::builtin();
    let request = |year| screen::Request {
        registers: &a.registers,
        spec: &spec,
        year,
        municipality: a.municipality,
        shrunk: a.shrunk,
        without_origin: a.without_origin,
        catalog: &catalog,
    };
    let run = screen::run(&request(a.year))?;
    if let Some(id) = &a.area {
        return screen::explain_area(&run, &spec, id, a.lang.into());
    }
    if let Some(since) = a.since {
        if since >= run.year {
            return Err(Failure(format!(
                "--since {since}: expected a year before {}",
                run.year
            )));
        }
        let before = screen::run(&request(Some(since)))?;
        return Ok(screen::trend(&before, &run, &spec, a.lang.into()));
    }
    Ok(match a.format {
        ScreenFormat::Table => screen::table(&run, &spec, a.lang.into()),
        ScreenFormat::Csv => screen::csv(&run),
        ScreenFormat::Json => screen::json(&run),
        ScreenFormat::Geojson => screen::geojson(&run),
    })
}

#[derive(Clone, Copy, ValueEnum)]
enum SynthFormat {
    Parquet,
    Csv,
}

fn parse_scale(s: &str) -> Result<kvarter_synth::Scale, String> {
    kvarter_synth::Scale::parse(s)
        .ok_or_else(|| format!("expected city, country or tiny, found '{s}'"))
}

fn run_synth(a: &SynthArgs) -> Result<String, Failure> {
    let config = kvarter_synth::Config {
        scale: a.scale,
        seed: a.seed,
        first_year: a.years.0,
        last_year: a.years.1,
        format: match a.format {
            SynthFormat::Parquet => kvarter_synth::Format::Parquet,
            SynthFormat::Csv => kvarter_synth::Format::Csv,
        },
    };
    let mut bar = progress_bar();
    let summary = kvarter_synth::generate(&config, &a.out, &mut |done, total, message| {
        bar(message, done, total)
    })?;
    let people = summary.persons_per_year.last().map_or(0, |(_, n)| *n);
    eprintln!(
        "wrote {}: synthetic {} (seed {}), data years {}-{}, {} areas ({} social housing, {} with 1,000 residents or more), {} people in the last year",
        a.out.display(),
        a.scale.name(),
        a.seed,
        a.years.0,
        a.years.1,
        summary.areas,
        summary.social_housing_areas,
        summary.large_social_housing_areas,
        people
    );
    Ok(String::new())
}

fn parse_years(s: &str) -> Result<(i16, i16), String> {
    let bad = || format!("expected data years as A-B, e.g. 2022-2023, found '{s}'");
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: i16 = a.trim().parse().map_err(|_| bad())?;
    let b: i16 = b.trim().parse().map_err(|_| bad())?;
    if a > b {
        return Err(bad());
    }
    Ok((a, b))
}

#[derive(Args)]
struct ListsArgs {
    #[command(flatten)]
    common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Args)]
struct ExplainArgs {
    #[command(flatten)]
    common: Common,
    /// The area_id to explain.
    #[arg(long, value_name = "ID")]
    area: String,
    /// Output format: plain language, or the full evaluation as JSON.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
    /// Explain a designated area of the municipal screening with this spec (e.g. kbh-2025)
    /// instead of a housing area on the state's lists; needs --registers.
    #[arg(long, value_name = "SPEC")]
    spec: Option<String>,
    /// With --spec: the municipality screened (code); the synthetic capital is 101.
    #[arg(long, default_value_t = 101)]
    municipality: u16,
}

#[derive(Args)]
struct RulesArgs {
    #[command(subcommand)]
    action: Option<RulesAction>,
    /// Read the rule sets from this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR", global = true)]
    rules_dir: Option<PathBuf>,
    /// Language of text for people.
    #[arg(long, value_enum, default_value_t = LangArg::Da, global = true)]
    lang: LangArg,
}

#[derive(Subcommand)]
enum RulesAction {
    /// Prints one rule set as the law reads: paragraph, words, and thresholds as applied.
    Show {
        /// The rule set id, e.g. dk-2021.
        id: String,
    },
    /// Runs scenario files (the built-in ones when none are given) and reports each result.
    Test {
        /// Scenario files (TOML, see rules/tests/).
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Da,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Da => Lang::Da,
            LangArg::En => Lang::En,
        }
    }
}

/// An error for the user: printed as `error: ...` on stderr.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Aggregate(a) => run_aggregate(&a),
        Command::Synth(a) => run_synth(&a),
        Command::Screen(a) => run_screen(&a),
        Command::Lists(a) => run_lists(&a),
        Command::Explain(a) => run_explain(&a),
        Command::Rules(a) => run_rules(&a),
        Command::Load(a) => load::run_load(&a),
        Command::Serve(a) => serve::run_serve(&a),
        Command::Demo(a) => demo::run_demo(&a),
        Command::Plans(a) => plans::run_plans(&a),
        Command::Users(a) => users::run_users(&a),
        Command::Export(a) => export::run_export(&a),
        Command::Verify(a) => export::run_verify(&a),
        Command::Whatif(a) => whatif::run_whatif(&a),
        Command::Foresight(a) => foresight::run_foresight(&a),
    };
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`kvarter lists | head`) is not an error worth reporting.
            let _ = stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush());
            ExitCode::SUCCESS
        }
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn open(path: &Path) -> Result<std::fs::File, Failure> {
    std::fs::File::open(path)
        .map_err(|e| Failure(format!("{}: cannot open the file: {e}", path.display())))
}

/// The rule files' `(file, text)`: the built-in ones or those of `--rules-dir`.
pub(crate) fn rule_sources(dir: Option<&Path>) -> Result<Vec<(String, String)>, Failure> {
    let Some(dir) = dir else {
        return Ok(builtin::SOURCES
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect());
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure(format!("{}: cannot read the folder: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Failure(format!(
            "{}: no rule files; expected files such as dk-2021.toml",
            dir.display()
        )));
    }
    files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .map(|t| (f.display().to_string(), t))
                .map_err(|e| Failure(format!("{}: cannot read the file: {e}", f.display())))
        })
        .collect()
}

fn load_catalog(dir: Option<&Path>) -> Result<Catalog, Failure> {
    if dir.is_none() {
        return Ok(Catalog::builtin());
    }
    let texts = rule_sources(dir)?;
    Ok(Catalog::from_sources(
        texts.iter().map(|(f, t)| (f.as_str(), t.as_str())),
    )?)
}

/// Everything `lists` and `explain` share: read, validate, evaluate.
struct Run {
    catalog: Catalog,
    history: History,
    evaluation: Evaluation,
}

/// The rule sets `--rules` names, checked: known, and at most one per family.
fn overrides<'a>(catalog: &'a Catalog, ids: &[String]) -> Result<Vec<&'a RuleSet>, Failure> {
    let mut out: Vec<&RuleSet> = Vec::new();
    for id in ids {
        let Some(rs) = catalog.get(id) else {
            let known: Vec<&str> = catalog.rule_sets().iter().map(|r| r.id.as_str()).collect();
            return Err(Failure(format!(
                "--rules {id}: unknown rule set; expected one of: {}",
                known.join(", ")
            )));
        };
        if out.iter().any(|o| o.family == rs.family) {
            return Err(Failure(
                "--rules: two rule sets of the same family; expected at most one per family (e.g. --rules dk-2018 --rules dk-51b)".into(),
            ));
        }
        out.push(rs);
    }
    Ok(out)
}

/// A progress bar on stderr for one step (hidden when stderr is not a terminal).
fn progress_bar() -> impl FnMut(&str, u64, u64) {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>20} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    move |step: &str, done: u64, total: u64| {
        bar.set_message(step.to_string());
        bar.set_length(total);
        bar.set_position(done);
        if done >= total {
            bar.finish_and_clear();
        }
    }
}

/// Counts a register folder into observations, measured by the rule sets in force.
fn register_observations(
    dir: &Path,
    years: Option<(i16, i16)>,
    catalog: &Catalog,
    overrides: &[&RuleSet],
) -> Result<Vec<kvarter_rules::Observation>, Failure> {
    let registers = kvarter_data::read_registers(dir, years, &mut progress_bar())?;
    Ok(kvarter_data::observations(&registers, catalog, overrides))
}

fn run_aggregate(a: &AggregateArgs) -> Result<String, Failure> {
    let catalog = load_catalog(a.rules_dir.as_deref())?;
    let overrides = overrides(&catalog, &a.rules)?;
    let observations = register_observations(&a.registers, a.data_years, &catalog, &overrides)?;
    if observations.is_empty() {
        return Err(Failure(format!(
            "{}: no list year can be measured; expected data years from 2009 on and social_housing areas in areas.csv",
            a.registers.display()
        )));
    }
    write_atomically(
        &a.out,
        kvarter_criteria::write_criteria(&observations).as_bytes(),
    )?;
    let years: std::collections::BTreeSet<i32> = observations.iter().map(|o| o.list_year).collect();
    eprintln!(
        "wrote {}: {} rows, list years {}-{}",
        a.out.display(),
        observations.len(),
        years.first().expect("non-empty"),
        years.last().expect("non-empty")
    );
    Ok(String::new())
}

/// Every list id of every rule set, sorted: the lists a history file may name.
fn list_ids(catalog: &Catalog) -> Vec<&str> {
    let mut known: Vec<&str> = catalog
        .rule_sets()
        .iter()
        .flat_map(|r| r.lists.iter().map(|l| l.id.as_str()))
        .collect();
    known.sort_unstable();
    known.dedup();
    known
}

/// The published memberships of `--history FILE` (empty without one), checked against the
/// catalog's lists.
fn read_history_file(path: Option<&Path>, catalog: &Catalog) -> Result<History, Failure> {
    match path {
        None => Ok(History::new()),
        Some(p) => Ok(read_history(
            &p.display().to_string(),
            open(p)?,
            &list_ids(catalog),
        )?),
    }
}

/// Writes a file completely under a temporary name beside it, then renames it into place, so
/// that a failure never leaves half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_together(&[(path, bytes)])
}

/// The temporary name `path` is written under by this process: `.NAME.PID.tmp` beside it.
fn temporary(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
        std::process::id()
    ))
}

/// Removes the temporaries `.NAME.PID.tmp` of `path` that a killed run left: those whose
/// process is gone (on Linux, no `/proc/PID`; elsewhere, older than a day). A run still
/// writing keeps its own.
fn remove_stale_temporaries(path: &Path) {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    let proc_fs = Path::new("/proc/self").exists();
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = if pid == std::process::id() {
            true
        } else if proc_fs {
            !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600)
        };
        if gone {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Writes each `(path, bytes)` under a temporary name (removing stale temporaries of a killed
/// run first), flushed to disk, and only when all are written renames them into place, in the
/// given order. A run killed before the renames leaves every file as it was; one killed
/// between two renames leaves the earlier files new and the later ones old, so a caller puts
/// first the file that names the others' hashes (a manifest).
fn write_together(files: &[(&Path, &[u8])]) -> Result<(), Failure> {
    let temps: Vec<PathBuf> = files.iter().map(|(p, _)| temporary(p)).collect();
    let cleanup = || {
        for t in &temps {
            let _ = std::fs::remove_file(t);
        }
    };
    for ((path, bytes), tmp) in files.iter().zip(&temps) {
        remove_stale_temporaries(path);
        let written = std::fs::File::create(tmp).and_then(|mut f| {
            std::io::Write::write_all(&mut f, bytes)?;
            f.sync_all()
        });
        if let Err(e) = written {
            cleanup();
            return Err(Failure(format!(
                "{}: cannot write the file: {e}",
                path.display()
            )));
        }
    }
    for ((path, _), tmp) in files.iter().zip(&temps) {
        if let Err(e) = std::fs::rename(tmp, path) {
            cleanup();
            return Err(Failure(format!(
                "{}: cannot write the file: {e}",
                path.display()
            )));
        }
    }
    Ok(())
}

fn evaluate_files(c: &Common) -> Result<Run, Failure> {
    let catalog = load_catalog(c.rules_dir.as_deref())?;
    let overrides = overrides(&catalog, &c.rules)?;
    let (name, criteria) = match (&c.input.criteria, &c.input.registers) {
        (Some(path), _) => {
            if c.data_years.is_some() {
                return Err(Failure(
                    "--data-years: applies to --registers; expected it without --criteria".into(),
                ));
            }
            let name = path.display().to_string();
            let criteria = read_criteria(&name, open(path)?)?;
            for col in &criteria.unused_columns {
                eprintln!("note: {name}: column '{col}' is not used by kvarter");
            }
            (name, criteria)
        }
        (None, Some(dir)) => {
            let observations = register_observations(dir, c.data_years, &catalog, &overrides)?;
            let lines = vec![0; observations.len()];
            (
                dir.display().to_string(),
                Criteria {
                    observations,
                    lines,
                    unused_columns: Vec::new(),
                },
            )
        }
        (None, None) => unreachable!("clap requires --criteria or --registers"),
    };
    let history = read_history_file(c.history.as_deref(), &catalog)?;
    if let Some(y) = c.year
        && !criteria.observations.iter().any(|o| o.list_year == y)
    {
        let mut years: Vec<i32> = criteria.observations.iter().map(|o| o.list_year).collect();
        years.sort_unstable();
        years.dedup();
        let years: Vec<String> = years.iter().map(i32::to_string).collect();
        return Err(Failure(format!(
            "--year {y}: {name} has no rows for list year {y}; expected one of: {}",
            years.join(", ")
        )));
    }
    let options = EvalOptions {
        without_origin: c.without_origin,
        overrides: c.rules.clone(),
    };
    let evaluation =
        evaluate(&catalog, &criteria.observations, &history, &options).map_err(|e| {
            match first_line_of_year(&criteria, &e) {
                Some(line) => Failure(format!("{name}, line {line}: {e}")),
                None => Failure(e.to_string()),
            }
        })?;
    Ok(Run {
        catalog,
        history,
        evaluation,
    })
}

/// The line of the first row an evaluation error concerns, so that it can be pointed at.
fn first_line_of_year(criteria: &Criteria, e: &kvarter_rules::EvalError) -> Option<u64> {
    let year = match e {
        kvarter_rules::EvalError::NoRuleSet { year } => *year,
        kvarter_rules::EvalError::Duplicate { year, .. } => *year,
        kvarter_rules::EvalError::UnknownRuleSet { .. } => return None,
    };
    criteria
        .observations
        .iter()
        .zip(&criteria.lines)
        .find(|(o, _)| o.list_year == year)
        .map(|(_, l)| *l)
}

fn run_lists(a: &ListsArgs) -> Result<String, Failure> {
    let run = evaluate_files(&a.common)?;
    let mut years = lists::summarize(&run.catalog, &run.evaluation);
    if let Some(y) = a.common.year {
        years.retain(|l| l.list_year == y);
    }
    if a.common.without_origin {
        for (list, ys) in lists::undefined(&years) {
            let ys: Vec<String> = ys.iter().map(i32::to_string).collect();
            eprintln!(
                "note: without the origin criterion, '{list}' is not defined ({})",
                ys.join(", ")
            );
        }
    }
    Ok(match a.format {
        Format::Table => lists::table(&years, a.common.lang.into(), a.common.without_origin),
        Format::Csv => lists::csv(&years),
        Format::Json => lists::json(&years, a.common.without_origin),
    })
}

fn run_explain(a: &ExplainArgs) -> Result<String, Failure> {
    if let Some(id) = &a.spec {
        let Some(registers) = &a.common.input.registers else {
            return Err(Failure(
                "--spec: the screening is computed from registers; expected --registers DIR".into(),
            ));
        };
        let spec = load_spec(id, None)?;
        let catalog = load_catalog(a.common.rules_dir.as_deref())?;
        let run = screen::run(&screen::Request {
            registers,
            spec: &spec,
            year: a.common.year,
            municipality: a.municipality,
            shrunk: false,
            without_origin: a.common.without_origin,
            catalog: &catalog,
        })?;
        return screen::explain_area(&run, &spec, &a.area, a.common.lang.into());
    }
    let run = evaluate_files(&a.common)?;
    match a.format {
        ExplainFormat::Text => Ok(explain::explain(
            &run.catalog,
            &run.evaluation,
            &run.history,
            &a.area,
            a.common.year,
            a.common.lang.into(),
        )?),
        ExplainFormat::Json => {
            let rows: Vec<_> = run
                .evaluation
                .areas
                .iter()
                .filter(|e| e.area_id == a.area && a.common.year.is_none_or(|y| e.list_year == y))
                .collect();
            if rows.is_empty() {
                // Reuse the text path's message for an unknown area or year.
                explain::explain(
                    &run.catalog,
                    &run.evaluation,
                    &run.history,
                    &a.area,
                    a.common.year,
                    Lang::En,
                )?;
            }
            let mut s = serde_json::to_string_pretty(&rows)?;
            s.push('\n');
            Ok(s)
        }
    }
}

fn run_rules(a: &RulesArgs) -> Result<String, Failure> {
    let catalog = load_catalog(a.rules_dir.as_deref())?;
    let lang: Lang = a.lang.into();
    match &a.action {
        None => Ok(rules::catalog_table(&catalog, lang)),
        Some(RulesAction::Show { id }) => {
            let rs: &RuleSet = catalog.get(id).ok_or_else(|| {
                let known: Vec<&str> = catalog.rule_sets().iter().map(|r| r.id.as_str()).collect();
                Failure(format!(
                    "unknown rule set '{id}'; expected one of: {}",
                    known.join(", ")
                ))
            })?;
            Ok(rules::show(rs, &catalog, lang))
        }
        Some(RulesAction::Test { files }) => {
            let mut sources: Vec<(String, String)> = Vec::new();
            if files.is_empty() {
                for (f, t) in builtin::SCENARIOS {
                    sources.push((f.to_string(), t.to_string()));
                }
            }
            for f in files {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| Failure(format!("{}: cannot read the file: {e}", f.display())))?;
                sources.push((f.display().to_string(), text));
            }
            let mut out = String::new();
            let (mut passed, mut failed) = (0, 0);
            for (file, text) in &sources {
                for s in scenario::parse(file, text)? {
                    let failures = s.run(&catalog);
                    if failures.is_empty() {
                        passed += 1;
                        out.push_str(&format!("ok    {file}: {}\n", s.name));
                    } else {
                        failed += 1;
                        out.push_str(&format!("FAIL  {file}: {}\n", s.name));
                        for f in failures {
                            out.push_str(&format!("        {f}\n"));
                        }
                    }
                }
            }
            out.push_str(&format!("\n{passed} passed, {failed} failed\n"));
            if failed > 0 {
                eprint!("{out}");
                return Err(Failure(format!("{failed} scenario(s) failed")));
            }
            Ok(out)
        }
    }
}
