//! `kvarter load`: evaluates a criteria file or a register folder, with and without the origin
//! criterion, and stores areas, values, evaluations and the inputs' manifest in the SQLite store
//! (kvarter-store). The same inputs loaded twice change nothing; a failed load changes nothing.

use super::{Failure, Input, open, overrides, parse_years, progress_bar, rule_sources};
use clap::Args;
use kvarter_rules::{Catalog, EvalOptions, History, Observation, RuleSet, evaluate};
use kvarter_store::{AreaRow, InputFile, Load, Loaded, Manifest, RuleSetRow, ScreeningRun, Store};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
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
    /// The map's boundaries: a GeoJSON FeatureCollection in EPSG:25832 whose features have a
    /// `layer` (`coast`, `municipality` or `district`) and a `name`, Polygons and MultiPolygons
    /// (outlines) or Points (where a name goes); may be given more than once. With
    /// --registers, DIR/boundaries.geojson when present. See docs/REGISTERS.md.
    #[arg(long, value_name = "FILE")]
    boundaries: Vec<PathBuf>,
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
    /// With --screen: the designation rounds stored, e.g. 2017,2021,2025 (a round of year Y
    /// screens data year Y-1). Default: every fourth year from 2017 on that the
    /// register folder has data for, else its latest year.
    #[arg(long, value_name = "YEARS", value_delimiter = ',')]
    rounds: Vec<i32>,
    /// With --screen: names for the designated areas, a CSV `area_id,name` of stable ids (as
    /// the dashboard shows them); a name given here replaces the derived one in every round.
    #[arg(long, value_name = "FILE")]
    names: Option<PathBuf>,
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
            boundaries: Vec::new(),
            db,
            history: None,
            data_years: None,
            rules: Vec::new(),
            rules_dir: None,
            screen: Some(screen.to_string()),
            municipality: 101,
            rounds: Vec::new(),
            names: None,
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
    // Too few data years for any backtest (a list year Y needs data up to Y − 2 and 3 data years
    // up to it) is no reason to refuse the load: the forecast is stored without one, and the
    // foresight page says why there is none.
    let scores = match kvarter_foresight::backtest(
        reg,
        catalog,
        history,
        &options,
        3,
        &mut progress_bar(),
    ) {
        Ok(b) => b.scores.into_iter().chain(b.summary).collect(),
        Err(e @ kvarter_foresight::ForesightError::NothingToBacktest { .. }) => {
            eprintln!("kvarter load: the early warning is stored without a backtest: {e}");
            Vec::new()
        }
        Err(e) => return Err(failed(e)),
    };
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
        backtest: scores
            .iter()
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

/// The municipality's designation rounds, with and without the origin criterion, as stored
/// rows, the latest round first. Each view is followed from round to round on its own: an area
/// continuing one of the round before keeps its id and name (kvarter_screen::rounds), and a
/// names file overrides any name.
fn screenings(a: &LoadArgs, catalog: &Catalog) -> Result<Vec<ScreeningRun>, Failure> {
    let (Some(spec_id), Some(dir)) = (&a.screen, &a.input.registers) else {
        return Ok(Vec::new());
    };
    let spec = crate::load_spec(spec_id, None)?;
    let names = match &a.names {
        Some(f) => read_names(f)?,
        None => BTreeMap::new(),
    };
    let prepared = crate::screen::prepare(dir, catalog)?;
    let years = prepared.screening_years();
    let mut rounds = if a.rounds.is_empty() {
        kvarter_screen::rounds::default_rounds(&years)
    } else {
        a.rounds.clone()
    };
    rounds.sort_unstable();
    rounds.dedup();
    let mut out = Vec::new();
    for without_origin in [false, true] {
        let mut before: Vec<kvarter_screen::rounds::RoundArea> = Vec::new();
        let mut before_names: BTreeMap<String, String> = BTreeMap::new();
        let mut used: BTreeSet<String> = BTreeSet::new();
        for &round in &rounds {
            let run = crate::screen::run(
                &prepared,
                &crate::screen::Request {
                    registers: dir,
                    spec: &spec,
                    year: Some(round),
                    municipality: a.municipality,
                    shrunk: false,
                    without_origin,
                    catalog,
                },
            )
            .map_err(|e| Failure(format!("--rounds: round {round}: {}", e.0)))?;
            let mut rows = crate::screen::rows(&run, &a.municipality.to_string());
            let after: Vec<kvarter_screen::rounds::RoundArea> = rows
                .areas
                .iter()
                .map(|x| (x.id.clone(), x.units.clone()))
                .collect();
            let ids = kvarter_screen::rounds::carry_ids(&before, &after, &used, round);
            let renamed: BTreeMap<String, String> = rows
                .areas
                .iter()
                .zip(&ids)
                .map(|(x, (id, _))| (x.id.clone(), id.clone()))
                .collect();
            for (x, (id, continues)) in rows.areas.iter_mut().zip(&ids) {
                x.id = id.clone();
                if let Some(name) = continues.as_ref().and_then(|c| before_names.get(c)) {
                    x.name = name.clone();
                    x.name_from = "earlier round".into();
                }
                if let Some((name, _)) = names.get(id) {
                    x.name = name.clone();
                    x.name_from = "names file".into();
                }
            }
            let mut unique: Vec<String> = rows.areas.iter().map(|x| x.name.clone()).collect();
            kvarter_screen::rounds::unique_names(&mut unique);
            for (x, n) in rows.areas.iter_mut().zip(unique) {
                x.name = n;
            }
            for u in &mut rows.units {
                if let Some(c) = u.component.as_ref().and_then(|c| renamed.get(c)) {
                    u.component = Some(c.clone());
                }
            }
            before = rows
                .areas
                .iter()
                .map(|x| (x.id.clone(), x.units.clone()))
                .collect();
            before_names = rows
                .areas
                .iter()
                .map(|x| (x.id.clone(), x.name.clone()))
                .collect();
            used.extend(before_names.keys().cloned());
            out.push(rows);
        }
    }
    // A name for an id no round has is a typo, not a wish: refuse it.
    let ids: BTreeSet<&str> = out
        .iter()
        .flat_map(|r| r.areas.iter().map(|x| x.id.as_str()))
        .collect();
    if let (Some(file), Some((id, (_, line)))) = (
        &a.names,
        names.iter().find(|(id, _)| !ids.contains(id.as_str())),
    ) {
        let known: Vec<&str> = ids.iter().copied().collect();
        return Err(Failure(format!(
            "{}: line {line}, column 1: no designation round has an area {id}; expected one of: {}",
            file.display(),
            known.join(", ")
        )));
    }
    // The latest round with the origin criterion first: the round the policy's populations
    // are counted for.
    out.sort_by_key(|r| (std::cmp::Reverse(r.year), r.without_origin));
    Ok(out)
}

/// A names file: CSV `area_id,name`, one designated area per line.
fn read_names(file: &Path) -> Result<BTreeMap<String, (String, u64)>, Failure> {
    let at = |line: u64, column: usize, what: String| {
        Failure(format!(
            "{}: line {line}, column {column}: {what}",
            file.display()
        ))
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(file)
        .map_err(|e| Failure(format!("{}: {e}", file.display())))?;
    let headers = reader
        .headers()
        .map_err(|e| Failure(format!("{}: {e}", file.display())))?
        .clone();
    let expected = ["area_id", "name"];
    if headers.iter().collect::<Vec<_>>() != expected {
        return Err(at(
            1,
            1,
            format!(
                "the header is `{}`; expected `area_id,name`",
                headers.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    let mut out = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| Failure(format!("{}: {e}", file.display())))?;
        let line = record.position().map_or(0, |p| p.line());
        let (id, name) = (record[0].trim(), record[1].trim());
        if id.is_empty() {
            return Err(at(
                line,
                1,
                "an empty area_id; expected a designated area's id".into(),
            ));
        }
        if name.is_empty() {
            return Err(at(line, 2, format!("no name for {id}; expected a name")));
        }
        if out
            .insert(id.to_string(), (name.to_string(), line))
            .is_some()
        {
            return Err(at(
                line,
                1,
                format!("{id} is named twice; expected one name per area"),
            ));
        }
    }
    Ok(out)
}

/// The files a load reads, with their roles, in a fixed order.
fn input_files(
    a: &LoadArgs,
    geometry: Option<&Path>,
    boundaries: &[PathBuf],
) -> Result<Vec<(String, PathBuf)>, Failure> {
    let mut files = Vec::new();
    if let Some(c) = &a.input.criteria {
        files.push(("criteria".to_string(), c.clone()));
    }
    if let Some(n) = &a.names {
        files.push(("names".to_string(), n.clone()));
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
    for b in boundaries {
        files.push(("boundaries".to_string(), b.clone()));
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

/// `text`, the content of the GeoJSON file `path`, as JSON; broken JSON is an error naming the
/// file, the line and the column.
pub(crate) fn parse_geojson(path: &Path, text: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text).map_err(|e| {
        Failure(format!(
            "{}: line {}, column {}: expected GeoJSON: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// The geometry of each area: the GeoJSON geometry object of each feature, by `area_id`.
fn read_geometry(path: &Path) -> Result<BTreeMap<String, (String, Option<String>)>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("{}: cannot read the file: {e}", path.display())))?;
    let doc = parse_geojson(path, &text)?;
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

/// What a GeoJSON `crs` member names when that is not EPSG:25832 (the OGC URN, the OGC URL or
/// `EPSG:25832`); `None` when it is.
fn other_than_25832(crs: &serde_json::Value) -> Option<String> {
    let name = crs["properties"]["name"].as_str().unwrap_or("");
    let ok = [
        "urn:ogc:def:crs:EPSG::25832",
        "EPSG:25832",
        "http://www.opengis.net/def/crs/EPSG/0/25832",
    ]
    .contains(&name);
    (!ok).then(|| {
        if name.is_empty() {
            crs.to_string()
        } else {
            name.to_string()
        }
    })
}

/// Checks the coordinates of a geometry: every position two finite numbers in the range of
/// EPSG:25832 (east −1,000,000 to 2,000,000 m, north 1,000,000 to 10,000,000 m), every ring
/// closed with four positions or more. The error says what is wrong, without the file.
fn check_coordinates(kind: &str, c: &serde_json::Value) -> Result<(), String> {
    fn position(p: &serde_json::Value) -> Result<(), String> {
        let xy: Option<Vec<f64>> = p
            .as_array()
            .filter(|a| a.len() >= 2)
            .and_then(|a| a.iter().take(2).map(serde_json::Value::as_f64).collect());
        let Some(xy) = xy.filter(|xy| xy.iter().all(|v| v.is_finite())) else {
            return Err(format!("position {p}: expected [east, north] in metres"));
        };
        if !(-1_000_000.0..=2_000_000.0).contains(&xy[0])
            || !(1_000_000.0..=10_000_000.0).contains(&xy[1])
        {
            return Err(format!(
                "position [{}, {}] is not in EPSG:25832 (UTM zone 32N, metres); expected east and north in metres, e.g. [725000, 6176000] (longitude and latitude? reproject with ogr2ogr -t_srs EPSG:25832)",
                xy[0], xy[1]
            ));
        }
        Ok(())
    }
    fn ring(r: &serde_json::Value) -> Result<(), String> {
        let Some(ps) = r.as_array().filter(|ps| ps.len() >= 4) else {
            return Err("a ring has fewer than four positions; expected a closed ring".into());
        };
        ps.iter().try_for_each(position)?;
        if ps.first() != ps.last() {
            return Err(
                "a ring is not closed; expected its last position to repeat its first".into(),
            );
        }
        Ok(())
    }
    fn polygon(p: &serde_json::Value) -> Result<(), String> {
        match p.as_array() {
            Some(rings) if !rings.is_empty() => rings.iter().try_for_each(ring),
            _ => Err("a Polygon without rings; expected an array of rings".into()),
        }
    }
    match kind {
        "Point" => position(c),
        "Polygon" => polygon(c),
        _ => match c.as_array() {
            Some(ps) if !ps.is_empty() => ps.iter().try_for_each(polygon),
            _ => Err("a MultiPolygon without polygons; expected an array of polygons".into()),
        },
    }
}

/// The features of a boundary file (`--boundaries`), checked: a GeoJSON FeatureCollection in
/// EPSG:25832 (a `crs` member naming it, or none), each feature with a `layer` property of
/// `coast`, `municipality` or `district`, a `name` (a string; required but for the coast), an
/// optional `code` (string or number), and a Polygon, MultiPolygon or Point geometry.
fn read_boundaries(path: &Path) -> Result<Vec<kvarter_store::BoundaryRow>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("{}: cannot read the file: {e}", path.display())))?;
    let doc = parse_geojson(path, &text)?;
    let (Some("FeatureCollection"), Some(features)) =
        (doc["type"].as_str(), doc["features"].as_array())
    else {
        return Err(Failure(format!(
            "{}: expected a GeoJSON FeatureCollection with a 'features' array",
            path.display()
        )));
    };
    if let Some(crs) = doc.get("crs").and_then(other_than_25832) {
        return Err(Failure(format!(
            "{}: the crs member names {crs}; expected EPSG:25832 (urn:ogc:def:crs:EPSG::25832), or no crs member: reproject with ogr2ogr -t_srs EPSG:25832",
            path.display()
        )));
    }
    if features.is_empty() {
        return Err(Failure(format!(
            "{}: the FeatureCollection has no features; expected a coast, municipalities or districts",
            path.display()
        )));
    }
    let layers = kvarter_store::boundaries::LAYERS;
    let mut rows = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let at = |what: String| Failure(format!("{}: feature {}: {what}", path.display(), i + 1));
        let props = &f["properties"];
        let layer = match props["layer"].as_str() {
            Some(l) if layers.contains(&l) => l,
            other => {
                return Err(at(format!(
                    "'layer' is {}; expected one of {}",
                    other.map_or("missing".to_string(), |l| format!("'{l}'")),
                    layers.join(", ")
                )));
            }
        };
        let name = match &props["name"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null if layer == "coast" => String::new(),
            _ => {
                return Err(at(format!(
                    "expected a string 'name' (the name shown on the map) for layer '{layer}'"
                )));
            }
        };
        let code = match &props["code"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Null => String::new(),
            other => {
                return Err(at(format!(
                    "'code' is {other}; expected a string or a number"
                )));
            }
        };
        let named = if name.is_empty() {
            String::new()
        } else {
            format!(" ('{name}')")
        };
        let at = |what: String| {
            Failure(format!(
                "{}: feature {}{named}: {what}",
                path.display(),
                i + 1
            ))
        };
        let g = &f["geometry"];
        let kind = g["type"].as_str().unwrap_or("");
        if !["Polygon", "MultiPolygon", "Point"].contains(&kind) {
            return Err(at(format!(
                "geometry type is {}; expected Polygon, MultiPolygon or Point",
                if kind.is_empty() {
                    "missing".to_string()
                } else {
                    format!("'{kind}'")
                }
            )));
        }
        check_coordinates(kind, &g["coordinates"]).map_err(at)?;
        rows.push(kvarter_store::BoundaryRow {
            layer: layer.to_string(),
            code,
            name,
            geometry: g.to_string(),
        });
    }
    Ok(rows)
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
    if a.names.is_some() && a.screen.is_none() {
        return Err(Failure(
            "--names: names the areas of a screening; expected --screen SPEC".into(),
        ));
    }
    if !a.rounds.is_empty() && a.screen.is_none() {
        return Err(Failure(
            "--rounds: are rounds of a screening; expected --screen SPEC".into(),
        ));
    }
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
    let boundary_files = match (a.boundaries.is_empty(), &a.input.registers) {
        (true, Some(dir)) => Some(dir.join("boundaries.geojson"))
            .filter(|p| p.is_file())
            .into_iter()
            .collect(),
        _ => a.boundaries.clone(),
    };
    // The boundaries are read and checked before anything is written.
    let mut boundaries = Vec::new();
    for f in &boundary_files {
        boundaries.extend(read_boundaries(f)?);
    }
    let inputs = hash_files(&input_files(a, geometry.as_deref(), &boundary_files)?)?;
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
        if !a.rounds.is_empty() {
            let rounds: Vec<String> = a.rounds.iter().map(ToString::to_string).collect();
            options.push(("rounds".to_string(), rounds.join(",")));
        }
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
            &screenings
                .iter()
                .filter(|r| !r.without_origin && r.spec == round.spec)
                .collect::<Vec<_>>(),
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
            boundaries: &boundaries,
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
