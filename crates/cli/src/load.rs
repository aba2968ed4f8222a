//! `kvarter load`: evaluates a criteria file or a register folder, with and without the origin
//! criterion, and stores areas, values, evaluations and the inputs' manifest in the SQLite store
//! (kvarter-store). The same inputs loaded twice change nothing; a failed load changes nothing.

use super::{Failure, Input, open, overrides, parse_years, progress_bar, rule_sources};
use clap::Args;
use kvarter_rules::{Catalog, EvalOptions, History, Observation, RuleSet, evaluate};
use kvarter_store::{AreaRow, InputFile, Load, Loaded, Manifest, RuleSetRow, ScreeningRun, Store};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub(crate) struct LoadArgs {
    #[command(flatten)]
    input: Input,
    /// Area polygons (GeoJSON, EPSG:25832, `area_id` in each feature's properties); with
    /// --registers, DIR/geometry.geojson when present.
    #[arg(long, value_name = "FILE")]
    geometry: Option<PathBuf>,
    /// The SQLite database to fill (created and migrated if needed).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Published memberships before the data starts: CSV `list_year,area_id,list`.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// With --registers: read only these data years, e.g. 2022-2023.
    #[arg(long, value_name = "A-B", value_parser = parse_years)]
    data_years: Option<(i16, i16)>,
    /// Use this rule set instead of the one in force by list date.
    #[arg(long = "rules", value_name = "ID")]
    rules: Vec<String>,
    /// Read the rule sets from this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    rules_dir: Option<PathBuf>,
    /// With --registers: also store the municipality's own screening with this spec (e.g.
    /// kbh-2025) for the latest data year, with and without the origin criterion.
    #[arg(long, value_name = "SPEC")]
    screen: Option<String>,
    /// The municipality screened with --screen (code); the synthetic capital is 101.
    #[arg(long, default_value_t = 101)]
    municipality: u16,
    /// The plans and goals: a folder with the CSV files of `kvarter plans seed`.
    #[arg(long, value_name = "DIR")]
    plans: Option<PathBuf>,
    /// With --registers: the draws of the early warning for the next list year and of its
    /// backtest (0: none).
    #[arg(long, value_name = "N", default_value_t = 200)]
    foresight_draws: u32,
}

/// The plan files of `--plans DIR`, validated: (file name, text); `None` without `--plans`
/// (the stored plans are kept).
fn plan_files(a: &LoadArgs) -> Result<Option<Vec<(String, String)>>, Failure> {
    let Some(dir) = &a.plans else {
        return Ok(None);
    };
    let files = crate::plans::read_files(dir)?;
    crate::plans::parse(dir, &files)?;
    Ok(Some(files))
}

impl LoadArgs {
    /// What `kvarter demo` loads: a register folder with its geometry, the screening and the
    /// plans, when given.
    pub(crate) fn demo(
        input: Input,
        db: PathBuf,
        screen: &str,
        plans: Option<PathBuf>,
    ) -> LoadArgs {
        LoadArgs {
            input,
            geometry: None,
            db,
            history: None,
            data_years: None,
            rules: Vec::new(),
            rules_dir: None,
            screen: Some(screen.to_string()),
            municipality: 101,
            plans,
            foresight_draws: 200,
        }
    }
}

/// The early warning for the next list year and its backtest (kvarter-foresight), as stored
/// rows. The same seed every time, so the same inputs give the same store.
fn foresight(
    a: &LoadArgs,
    reg: &kvarter_data::Registers,
    catalog: &Catalog,
    history: &History,
) -> Result<kvarter_store::Foresight, Failure> {
    let options = kvarter_foresight::Options {
        draws: a.foresight_draws,
        overrides: a.rules.clone(),
        ..kvarter_foresight::Options::default()
    };
    let failed = |e: kvarter_foresight::ForesightError| Failure(format!("foresight: {e}"));
    let f = kvarter_foresight::forecast(reg, catalog, history, &options, &mut progress_bar())
        .map_err(failed)?;
    let b = kvarter_foresight::backtest(reg, catalog, history, &options, 3, &mut progress_bar())
        .map_err(failed)?;
    let text = |d: Option<kvarter_rules::Decimal>| d.map(|d| d.normalize().to_string());
    Ok(kvarter_store::Foresight {
        rows: f
            .rows
            .iter()
            .map(|r| kvarter_store::ForesightRow {
                list_year: f.list_year,
                area_id: r.area_id.clone(),
                rule_set: r.rule_set.clone(),
                list: r.list.clone(),
                on_now: r.on_now,
                on_draws: r.on_draws,
                draws: r.draws,
                probability: r.probability.to_string(),
                outlook: r.outlook.as_str().to_string(),
            })
            .collect(),
        backtest: b
            .scores
            .iter()
            .chain(&b.summary)
            .map(|s| kvarter_store::BacktestRow {
                list_year: s.list_year,
                list: s.list.clone(),
                areas: s.tally.areas,
                brier: text(s.tally.brier()),
                brier_persistence: text(s.tally.brier_persistence()),
                skill: text(s.tally.skill()),
                entries: s.tally.entries,
                entries_flagged: s.tally.entries_flagged,
                entry_false_alarms: s.tally.entry_false_alarms,
                exits: s.tally.exits,
                exits_flagged: s.tally.exits_flagged,
                exit_false_alarms: s.tally.exit_false_alarms,
            })
            .collect(),
    })
}

/// The municipality's screening of the latest data year, with and without the origin
/// criterion, as stored rows.
fn screenings(a: &LoadArgs, catalog: &Catalog) -> Result<Vec<ScreeningRun>, Failure> {
    let (Some(spec_id), Some(dir)) = (&a.screen, &a.input.registers) else {
        return Ok(Vec::new());
    };
    let spec = crate::load_spec(spec_id, None)?;
    let mut out = Vec::new();
    for without_origin in [false, true] {
        let run = crate::screen::run(&crate::screen::Request {
            registers: dir,
            spec: &spec,
            year: None,
            municipality: a.municipality,
            shrunk: false,
            without_origin,
            catalog,
        })?;
        out.push(crate::screen::rows(&run, &a.municipality.to_string()));
    }
    Ok(out)
}

/// The files a load reads, with their roles, in a fixed order.
fn input_files(a: &LoadArgs, geometry: Option<&Path>) -> Result<Vec<(String, PathBuf)>, Failure> {
    let mut files = Vec::new();
    if let Some(c) = &a.input.criteria {
        files.push(("criteria".to_string(), c.clone()));
    }
    if let Some(dir) = &a.input.registers {
        files.push(("areas".to_string(), dir.join("areas.csv")));
        let mut persons: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Failure(format!("{}: cannot read the folder: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
                    return false;
                };
                let Some((year, ext)) = name
                    .strip_prefix("persons-")
                    .and_then(|r| r.split_once('.'))
                else {
                    return false;
                };
                (ext == "parquet" || ext == "csv")
                    && year
                        .parse::<i16>()
                        .is_ok_and(|y| a.data_years.is_none_or(|(lo, hi)| (lo..=hi).contains(&y)))
            })
            .collect();
        persons.sort();
        files.extend(persons.into_iter().map(|p| ("persons".to_string(), p)));
    }
    if let Some(g) = geometry {
        files.push(("geometry".to_string(), g.to_path_buf()));
    }
    if let Some(h) = &a.history {
        files.push(("history".to_string(), h.clone()));
    }
    if let Some(dir) = &a.plans {
        for (name, _) in kvarter_plans::csv::FILES {
            let p = dir.join(name);
            if p.is_file() {
                files.push(("plans".to_string(), p));
            }
        }
    }
    Ok(files)
}

/// SHA-256 and size of each file, with a progress bar over the bytes.
fn hash_files(files: &[(String, PathBuf)]) -> Result<Vec<InputFile>, Failure> {
    let meta = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len())
            .map_err(|e| Failure(format!("{}: cannot read the file: {e}", p.display())))
    };
    let total: u64 = files.iter().map(|(_, p)| meta(p)).sum::<Result<u64, _>>()?;
    let mut bar = progress_bar();
    let mut done = 0u64;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    for (role, path) in files {
        let mut f = open(path)?;
        let mut h = Sha256::new();
        let mut size = 0u64;
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| Failure(format!("{}: cannot read the file: {e}", path.display())))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            size += n as u64;
            done += n as u64;
            bar("hashing inputs", done, total.max(1));
        }
        out.push(InputFile {
            role: role.clone(),
            path: path.display().to_string(),
            sha256: kvarter_store::hex(&h.finalize()),
            size,
        });
    }
    bar("hashing inputs", total.max(1), total.max(1));
    Ok(out)
}

/// The geometry of each area: the GeoJSON geometry object of each feature, by `area_id`.
fn read_geometry(path: &Path) -> Result<BTreeMap<String, (String, Option<String>)>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("{}: cannot read the file: {e}", path.display())))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure(format!(
            "{}: line {}, column {}: expected GeoJSON: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let Some(features) = doc["features"].as_array() else {
        return Err(Failure(format!(
            "{}: expected a GeoJSON FeatureCollection with a 'features' array",
            path.display()
        )));
    };
    let mut out = BTreeMap::new();
    for (i, f) in features.iter().enumerate() {
        let Some(id) = f["properties"]["area_id"].as_str() else {
            return Err(Failure(format!(
                "{}: feature {}: expected a string 'area_id' in its properties",
                path.display(),
                i + 1
            )));
        };
        let g = &f["geometry"];
        if !g.is_object() || !g["type"].is_string() {
            return Err(Failure(format!(
                "{}: feature {} ('{id}'): expected a GeoJSON geometry object",
                path.display(),
                i + 1
            )));
        }
        let name = f["properties"]["area_name"].as_str().map(str::to_string);
        if out.insert(id.to_string(), (g.to_string(), name)).is_some() {
            return Err(Failure(format!(
                "{}: feature {}: area '{id}' appears twice; expected one feature per area",
                path.display(),
                i + 1
            )));
        }
    }
    Ok(out)
}

pub(crate) fn run_load(a: &LoadArgs) -> Result<String, Failure> {
    // The rules and their hashes.
    let sources = rule_sources(a.rules_dir.as_deref())?;
    let catalog = Catalog::from_sources(sources.iter().map(|(f, t)| (f.as_str(), t.as_str())))?;
    let mut rule_sets = Vec::new();
    for (file, text) in &sources {
        let rs = RuleSet::parse(file, text)?;
        rule_sets.push(RuleSetRow {
            id: rs.id.clone(),
            family: rs.family.clone(),
            title: rs.title.clone(),
            title_en: rs.title_en.clone(),
            first_list_year: rs.in_force.first_list_year,
            last_list_year: rs.in_force.last_list_year,
            file: file.clone(),
            content_hash: kvarter_store::sha256_hex(text.as_bytes()),
            source: text.clone(),
        });
    }
    let overrides = overrides(&catalog, &a.rules)?;
    // The plans are read and checked before anything is written.
    let plans = plan_files(a)?;
    if a.screen.is_some() && a.input.registers.is_none() {
        return Err(Failure(
            "--screen: needs a register folder; expected --registers DIR".into(),
        ));
    }
    if let Some(spec) = &a.screen {
        // An unknown spec is refused before anything is read or written.
        crate::load_spec(spec, None)?;
    }
    if a.input.criteria.is_some() && a.data_years.is_some() {
        return Err(Failure(
            "--data-years: applies to --registers; expected it without --criteria".into(),
        ));
    }

    // The inputs and the manifest: a load identical to the latest is a no-op.
    let geometry = match (&a.geometry, &a.input.registers) {
        (Some(g), _) => Some(g.clone()),
        (None, Some(dir)) => Some(dir.join("geometry.geojson")).filter(|p| p.is_file()),
        (None, None) => None,
    };
    let inputs = hash_files(&input_files(a, geometry.as_deref())?)?;
    let mut options = vec![("rules".to_string(), a.rules.join(","))];
    if let Some((lo, hi)) = a.data_years {
        options.push(("data_years".to_string(), format!("{lo}-{hi}")));
    }
    if a.input.registers.is_some() {
        options.push(("foresight_draws".to_string(), a.foresight_draws.to_string()));
    }
    if let Some(spec) = &a.screen {
        options.push(("screen".to_string(), spec.clone()));
        options.push(("municipality".to_string(), a.municipality.to_string()));
    }
    let manifest = Manifest {
        kvarter_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs,
        rule_sets,
        options,
    };
    let mut store = Store::open(&a.db)?;
    if let Some(load_id) = store.unchanged(&manifest)? {
        eprintln!(
            "{}: unchanged: the inputs, rules and options are those of load {load_id}; nothing to do",
            a.db.display()
        );
        return Ok(String::new());
    }

    // Read and evaluate.
    let mut registers = None;
    let (name, observations, mut areas): (String, Vec<Observation>, Vec<AreaRow>) =
        match (&a.input.criteria, &a.input.registers) {
            (Some(path), _) => {
                let name = path.display().to_string();
                let criteria = kvarter_criteria::read_criteria(&name, open(path)?)?;
                let mut areas: BTreeMap<String, AreaRow> = BTreeMap::new();
                // The latest year's name and municipality win.
                let mut sorted: Vec<&Observation> = criteria.observations.iter().collect();
                sorted.sort_by_key(|o| o.list_year);
                for o in sorted {
                    areas.insert(
                        o.area_id.clone(),
                        AreaRow {
                            id: o.area_id.clone(),
                            name: o.area_name.clone(),
                            municipality: o.municipality.clone(),
                            ..AreaRow::default()
                        },
                    );
                }
                (name, criteria.observations, areas.into_values().collect())
            }
            (None, Some(dir)) => {
                let registers_read =
                    kvarter_data::read_registers(dir, a.data_years, &mut progress_bar())?;
                let observations =
                    kvarter_data::observations(&registers_read, &catalog, &overrides);
                let areas = registers_read
                    .areas
                    .iter()
                    .map(|r| AreaRow {
                        id: r.id.clone(),
                        name: r.name.clone(),
                        municipality: r.municipality.to_string(),
                        municipality_name: Some(r.municipality_name.clone()),
                        region: Some(i64::from(r.region)),
                        kind: Some(
                            if r.social_housing {
                                "social_housing"
                            } else {
                                "ordinary"
                            }
                            .to_string(),
                        ),
                        geometry: None,
                    })
                    .collect();
                registers = Some(registers_read);
                (dir.display().to_string(), observations, areas)
            }
            (None, None) => unreachable!("clap requires --criteria or --registers"),
        };
    if observations.is_empty() {
        return Err(Failure(format!(
            "{name}: no list year to store; expected rows (or data years from 2009 on and social_housing areas)"
        )));
    }
    if let Some(path) = &geometry {
        let mut shapes = read_geometry(path)?;
        for area in &mut areas {
            area.geometry = shapes.remove(&area.id).map(|(g, _)| g);
        }
        // Polygons of areas the data does not mention are kept, so the map is whole.
        for (id, (g, area_name)) in shapes {
            areas.push(AreaRow {
                name: area_name.unwrap_or_else(|| id.clone()),
                id,
                geometry: Some(g),
                ..AreaRow::default()
            });
        }
    }
    let history = crate::read_history_file(a.history.as_deref(), &catalog)?;
    let eval = |without_origin| {
        let options = EvalOptions {
            without_origin,
            overrides: a.rules.clone(),
        };
        evaluate(&catalog, &observations, &history, &options)
            .map_err(|e| Failure(format!("{name}: {e}")))
    };
    let evaluation = eval(false)?;
    let without_origin = eval(true)?;
    let screenings = screenings(a, &catalog)?;
    // The policy's populations, counted in every data year read, for the designation round of
    // the stored screening (with the origin criterion).
    let populations = match (&registers, &a.input.registers, screenings.first()) {
        (Some(reg), Some(dir), Some(round)) => crate::populations::count(
            dir,
            round,
            a.municipality,
            &reg.areas,
            &reg.years.keys().copied().collect::<Vec<_>>(),
        )?,
        _ => Vec::new(),
    };
    let foresight = match &registers {
        Some(reg) if a.foresight_draws > 0 => foresight(a, reg, &catalog, &history)?,
        _ => kvarter_store::Foresight::default(),
    };

    // Store, in one transaction.
    let loaded = store.load(
        &Load {
            manifest: &manifest,
            areas: &areas,
            observations: &observations,
            evaluation: &evaluation,
            without_origin: &without_origin,
            history: &history,
            screenings: &screenings,
            populations: &populations,
            foresight: &foresight,
            plans: plans.as_deref(),
        },
        &mut progress_bar(),
    )?;
    match loaded {
        Loaded::Stored { load_id } => {
            let on = evaluation
                .areas
                .iter()
                .map(|e| e.on().count())
                .sum::<usize>();
            eprintln!(
                "loaded {} into {} (load {load_id}): {} areas, {} area-years, {} memberships",
                name,
                a.db.display(),
                areas.len(),
                observations.len(),
                on
            );
        }
        Loaded::Unchanged { load_id } => eprintln!(
            "{}: unchanged: the inputs, rules and options are those of load {load_id}; nothing to do",
            a.db.display()
        ),
    }
    Ok(String::new())
}
