//! `kvarter export` and `kvarter verify`: the tables a municipality uses, as files, with a run
//! manifest that says how to make them again, and a check that they are made again exactly.
//!
//! - `export --db FILE --what lists|areas [--year Y] [--without-origin] --format F --out FILE`
//!   writes one table (kvarter-export) and beside it `FILE.manifest.json`, both complete under
//!   temporary names before either is renamed into place, the manifest first (so a kill between
//!   the renames leaves a manifest whose output hash `verify` finds unmatched, never an
//!   unrecorded output); temporaries a killed run left are removed. The manifest records
//!   kvarter's version, the normalized command that re-runs it (every option spelled out, the
//!   paths absolute, the year resolved), the inputs (the store, by the SHA-256 of the content of
//!   the tables a load fills, so that signing in or editing plans does not count as a change;
//!   and the input files of the store's latest load as its manifest names them, with SHA-256
//!   and size), the rule sets' hashes, the options, and the output's SHA-256 and size. Nothing in it, nor in the output,
//!   depends on the clock, so the same store gives the same bytes.
//!   - `lists` is the table of the dashboard's lists download (`/lists/download`): one row per
//!     list and area on it that year, built by the same function
//!     ([`kvarter_view::download::lists_table`]), so CLI and dashboard agree cell for cell.
//!   - `areas` is every area of the store with its latest values up to the year (the year's,
//!     or for an area without values that year its latest before), the lists it is on that
//!     year, and whether a missing value leaves a list uncertain.
//!   - The geographic formats take each row's polygon from the store's `areas.geometry`
//!     (EPSG:25832): `geojson` (RFC 7946, WGS 84), `geojson-25832` (EPSG:25832 with the
//!     legacy `crs` member) and `gpkg` (GeoPackage, EPSG:25832).
//! - `verify MANIFEST` checks that the output is still the recorded bytes, that the inputs
//!   still hash as recorded (naming each that changed), and re-runs the recorded command in
//!   memory to check that it still gives the recorded bytes.

use super::{Failure, write_together};
use crate::tables::{self, Which};
use clap::{Args, Parser, ValueEnum};
use kvarter_export::Crs;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Args, Clone)]
pub(crate) struct ExportArgs {
    /// The store `kvarter load` filled.
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// `lists`: the areas on each list that year, as the dashboard's lists download; `areas`:
    /// every area with its latest values and the lists it is on; `boundaries`: the map's
    /// coast, municipal and district outlines as loaded (layer, code, name; best as gpkg or
    /// geojson-25832).
    #[arg(long, value_enum)]
    what: What,
    /// The list year (default: the latest in the store). For `areas`: each area's values of
    /// that year, or its latest before it.
    #[arg(long, value_name = "Y")]
    year: Option<i32>,
    /// The lists without the non-Western origin criterion.
    #[arg(long)]
    without_origin: bool,
    /// csv (comma, decimal point), csv-da (semicolon, decimal comma), xlsx, geojson (WGS 84),
    /// geojson-25832 (ETRS89 / UTM 32N), gpkg (GeoPackage, EPSG:25832), parquet.
    #[arg(long, value_enum)]
    format: Format,
    /// The file to write (replaced only once complete); the manifest is written beside it as
    /// `FILE.manifest.json`.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Language of the headings, list names and yes/no cells.
    #[arg(long, value_enum, default_value_t = Lang::Da)]
    lang: Lang,
    /// Counts of persons under this are suppressed (shown as `<N`), as in `kvarter serve`.
    #[arg(long, value_name = "N", default_value_t = 5)]
    min_count: u64,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The manifest `kvarter export` wrote beside its output (`FILE.manifest.json`).
    #[arg(value_name = "MANIFEST")]
    manifest: PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum What {
    Lists,
    Areas,
    Boundaries,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    CsvDa,
    Xlsx,
    Geojson,
    #[value(name = "geojson-25832")]
    Geojson25832,
    Gpkg,
    Parquet,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    Da,
    En,
}

impl Lang {
    fn report(self) -> kvarter_report::Lang {
        match self {
            Lang::Da => kvarter_report::Lang::Da,
            Lang::En => kvarter_report::Lang::En,
        }
    }
}

/// The name clap gives a value (`csv-da`, `geojson-25832`).
fn name<T: ValueEnum>(v: T) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

/// Parses a recorded command line (`["kvarter", "export", …]`).
#[derive(Parser)]
#[command(name = "export")]
struct Rerun {
    #[command(flatten)]
    args: ExportArgs,
}

/// What one export made: the bytes and everything its manifest records.
struct Made {
    bytes: Vec<u8>,
    rows: usize,
    command: Vec<String>,
    inputs: Vec<Value>,
    rule_sets: Vec<Value>,
    options: Value,
    out: PathBuf,
}

pub(crate) fn run_export(a: &ExportArgs) -> Result<String, Failure> {
    let made = make(a)?;
    let manifest_path = manifest_path(&made.out);
    let out_name = file_name(&made.out);
    let manifest = json!({
        "kvarter_version": env!("CARGO_PKG_VERSION"),
        "command": made.command,
        "inputs": made.inputs,
        "rule_sets": made.rule_sets,
        "options": made.options,
        "outputs": [{
            "file": out_name,
            "sha256": sha256(&made.bytes),
            "size": made.bytes.len(),
        }],
    });
    let mut text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Failure(format!("the manifest: {e}")))?;
    text.push('\n');
    // The manifest first: it names the output's hash, so a run killed between the two renames
    // leaves a manifest that `verify` finds does not match the output, never an unrecorded
    // output beside an old manifest that seems to vouch for it.
    write_together(&[(&manifest_path, text.as_bytes()), (&made.out, &made.bytes)])?;
    eprintln!(
        "wrote {} ({} rows, {} bytes) and {}",
        made.out.display(),
        made.rows,
        made.bytes.len(),
        manifest_path.display()
    );
    Ok(String::new())
}

/// `FILE.manifest.json` beside `FILE`.
fn manifest_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".manifest.json");
    out.with_file_name(name)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn sha256(bytes: &[u8]) -> String {
    kvarter_store::hex(&Sha256::digest(bytes))
}

/// SHA-256 and size of a file, read in pieces.
fn hash_file(path: &Path) -> Result<(String, u64), String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("cannot open the file: {e}"))?;
    let mut h = Sha256::new();
    let size = std::io::copy(&mut f, &mut h).map_err(|e| format!("cannot read the file: {e}"))?;
    Ok((kvarter_store::hex(&h.finalize()), size))
}

/// Builds the table and its bytes, and what the manifest records, without writing anything.
fn make(a: &ExportArgs) -> Result<Made, Failure> {
    if !a.db.is_file() {
        return Err(Failure(format!(
            "{}: no such database; expected a file that `kvarter load --db` filled",
            a.db.display()
        )));
    }
    let db =
        std::fs::canonicalize(&a.db).map_err(|e| Failure(format!("{}: {e}", a.db.display())))?;
    let out =
        std::path::absolute(&a.out).map_err(|e| Failure(format!("{}: {e}", a.out.display())))?;
    if out.is_dir() {
        return Err(Failure(format!(
            "{}: is a folder; expected the file to write",
            out.display()
        )));
    }
    let at = |e: String| Failure(format!("{}: {e}", db.display()));
    let conn = kvarter_store::dashboard::open_read_only(&db)?;
    // The store is recorded by the content of the tables a load fills, not by its file's bytes:
    // signing in or editing the plans writes to the file but changes no list.
    let store_sha = kvarter_store::content_checksum(&conn, kvarter_store::DATA_TABLES)
        .map_err(|e| at(e.to_string()))?;
    let years = tables::list_years(&conn).map_err(at)?;
    let Some(&latest) = years.last() else {
        return Err(at(
            "the store has no list year; expected a store that `kvarter load` filled".into(),
        ));
    };
    let year = a.year.unwrap_or(latest);
    if !years.contains(&year) {
        return Err(at(format!(
            "the store has no values for list year {year}; it has {}–{latest}",
            years[0]
        )));
    }
    let which = match a.what {
        What::Lists => Some(Which::Lists),
        What::Areas => Some(Which::Areas),
        What::Boundaries => None,
    };
    let (table, boundary_outlines) = match which {
        Some(which) => (
            tables::table(
                &conn,
                which,
                a.lang.report(),
                a.min_count,
                year,
                a.without_origin,
            )
            .map_err(at)?,
            Vec::new(),
        ),
        None => tables::boundaries(&conn, a.lang.report()).map_err(at)?,
    };
    let outlines = match (a.format, which) {
        (Format::Geojson | Format::Geojson25832 | Format::Gpkg, Some(_)) => {
            tables::geometry(&conn, &table).map_err(at)?
        }
        (_, None) => boundary_outlines,
        _ => Vec::new(),
    };
    let geometry = || outlines.clone();
    let bytes = match a.format {
        Format::Csv => kvarter_export::csv(&table, kvarter_export::Dialect::Standard),
        Format::CsvDa => kvarter_export::csv(&table, kvarter_export::Dialect::Danish),
        Format::Xlsx => kvarter_export::xlsx(
            &table,
            match a.lang {
                Lang::Da => kvarter_export::Lang::Da,
                Lang::En => kvarter_export::Lang::En,
            },
        ),
        Format::Geojson => kvarter_export::geojson(&table, &geometry(), Crs::Wgs84),
        Format::Geojson25832 => kvarter_export::geojson(&table, &geometry(), Crs::Utm32),
        Format::Gpkg => kvarter_export::gpkg(&table, &geometry(), Crs::Utm32),
        Format::Parquet => kvarter_export::parquet(&table),
    }
    .map_err(|e| Failure(format!("{}: {e}", out.display())))?;

    let mut inputs = vec![json!({
        "role": "store", "file": db.display().to_string(), "content_sha256": store_sha,
    })];
    inputs.extend(load_inputs(&conn).map_err(at)?);
    let rule_sets = rule_sets(&conn).map_err(at)?;
    let path = |p: &Path| p.display().to_string();
    let mut command: Vec<String> = ["kvarter", "export", "--db"].map(String::from).to_vec();
    command.push(path(&db));
    command.extend([
        "--what".into(),
        name(a.what),
        "--year".into(),
        year.to_string(),
    ]);
    if a.without_origin {
        command.push("--without-origin".into());
    }
    command.extend([
        "--format".into(),
        name(a.format),
        "--lang".into(),
        name(a.lang),
        "--min-count".into(),
        a.min_count.to_string(),
        "--out".into(),
        path(&out),
    ]);
    let options = json!({
        "what": name(a.what),
        "year": year,
        "without_origin": a.without_origin,
        "format": name(a.format),
        "lang": name(a.lang),
        "min_count": a.min_count,
    });
    Ok(Made {
        rows: table.rows.len(),
        bytes,
        command,
        inputs,
        rule_sets,
        options,
        out,
    })
}

/// The input files of the store's latest load, as its manifest names them.
fn load_inputs(conn: &Connection) -> Result<Vec<Value>, String> {
    let inputs: Option<String> = conn
        .query_row(
            "SELECT inputs FROM manifest ORDER BY load_id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| format!("reading the manifest: {e}"))?;
    let Some(inputs) = inputs else {
        return Ok(Vec::new());
    };
    let v: Value =
        serde_json::from_str(&inputs).map_err(|e| format!("the stored manifest's inputs: {e}"))?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .map(|f| json!({"role": f["role"], "file": f["file"], "sha256": f["sha256"], "size": f["size"]}))
        .collect())
}

fn rule_sets(conn: &Connection) -> Result<Vec<Value>, String> {
    let mut st = conn
        .prepare("SELECT id, content_hash FROM rule_sets ORDER BY id")
        .map_err(|e| format!("reading the rule sets: {e}"))?;
    st.query_map([], |r| {
        Ok(json!({"id": r.get::<_, String>(0)?, "content_hash": r.get::<_, String>(1)?}))
    })
    .and_then(|rows| rows.collect())
    .map_err(|e| format!("reading the rule sets: {e}"))
}

pub(crate) fn run_verify(a: &VerifyArgs) -> Result<String, Failure> {
    let m = &a.manifest;
    let text = std::fs::read_to_string(m)
        .map_err(|e| Failure(format!("{}: cannot read the manifest: {e}", m.display())))?;
    let manifest: Value = serde_json::from_str(&text).map_err(|e| {
        Failure(format!(
            "{}: not a kvarter export manifest: {e}",
            m.display()
        ))
    })?;
    let bad = |what: &str| {
        Failure(format!(
            "{}: not a kvarter export manifest: {what}",
            m.display()
        ))
    };
    let command: Vec<String> = manifest["command"]
        .as_array()
        .ok_or_else(|| bad("no command"))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| bad("a command word that is not text"))
        })
        .collect::<Result<_, _>>()?;
    if command.len() < 2 || command[0] != "kvarter" || command[1] != "export" {
        return Err(bad("the command is not `kvarter export …`"));
    }
    let rerun = Rerun::try_parse_from(&command[1..])
        .map_err(|e| bad(&format!("the command does not parse: {}", e.render())))?;
    let output = manifest["outputs"].get(0).ok_or_else(|| bad("no output"))?;
    let (out_file, out_sha) = match (output["file"].as_str(), output["sha256"].as_str()) {
        (Some(f), Some(s)) => (f, s),
        _ => return Err(bad("an output without file and sha256")),
    };
    // The output lies beside its manifest.
    let out_path = m.parent().unwrap_or(Path::new("")).join(out_file);
    let mut differences = Vec::new();

    // 1. The output as it lies.
    match hash_file(&out_path) {
        Ok((sha, _)) if sha == out_sha => {}
        Ok((sha, _)) => differences.push(format!(
            "output {} changed: sha256 {sha}, recorded {out_sha}",
            out_path.display()
        )),
        Err(e) => differences.push(format!("output {}: {e}", out_path.display())),
    }

    // 2. The inputs: the store file, and the inputs of its latest load.
    let recorded: Vec<&Value> = manifest["inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let store = recorded
        .iter()
        .find(|i| i["role"] == "store")
        .ok_or_else(|| bad("no store among the inputs"))?;
    let store_path = PathBuf::from(store["file"].as_str().unwrap_or_default());
    let mut current_load = None;
    match kvarter_store::dashboard::open_read_only(&store_path) {
        Ok(c) => {
            match kvarter_store::content_checksum(&c, kvarter_store::DATA_TABLES) {
                Ok(sha) if store["content_sha256"].as_str() == Some(sha.as_str()) => {}
                Ok(sha) => differences.push(format!(
                    "input store {} changed: the content of its tables has sha256 {sha}, recorded {}",
                    store_path.display(),
                    store["content_sha256"].as_str().unwrap_or("?"),
                )),
                Err(e) => differences.push(format!("input store {}: {e}", store_path.display())),
            }
            match load_inputs(&c) {
                Ok(inputs) => current_load = Some(inputs),
                Err(e) => differences.push(format!("input store {}: {e}", store_path.display())),
            }
        }
        Err(e) => differences.push(format!("input store {}: {e}", store_path.display())),
    }
    if let Some(now) = &current_load {
        let key = |v: &Value| (v["role"].to_string(), v["file"].to_string());
        let was: Vec<&&Value> = recorded.iter().filter(|i| i["role"] != "store").collect();
        for w in &was {
            match now.iter().find(|n| key(n) == key(w)) {
                Some(n) if n["sha256"] == w["sha256"] && n["size"] == w["size"] => {}
                Some(n) => differences.push(format!(
                    "input {} {} changed (the store's latest load): sha256 {}, recorded {}",
                    w["role"].as_str().unwrap_or("?"),
                    w["file"].as_str().unwrap_or("?"),
                    n["sha256"].as_str().unwrap_or("?"),
                    w["sha256"].as_str().unwrap_or("?")
                )),
                None => differences.push(format!(
                    "input {} {} is no longer among the inputs of the store's latest load",
                    w["role"].as_str().unwrap_or("?"),
                    w["file"].as_str().unwrap_or("?")
                )),
            }
        }
        for n in now {
            if !was.iter().any(|w| key(w) == key(n)) {
                differences.push(format!(
                    "input {} {} was added to the store's latest load",
                    n["role"].as_str().unwrap_or("?"),
                    n["file"].as_str().unwrap_or("?")
                ));
            }
        }
    }

    // 3. The command, run again (in memory: nothing is written).
    match make(&rerun.args) {
        Ok(made) => {
            let sha = sha256(&made.bytes);
            if sha != out_sha {
                differences.push(format!(
                    "re-running `{}` gives sha256 {sha}, recorded {out_sha}",
                    command.join(" ")
                ));
            }
            if Value::from(made.rule_sets) != manifest["rule_sets"] {
                differences.push("the store's rule sets differ from the recorded ones".into());
            }
        }
        Err(Failure(e)) => {
            differences.push(format!("re-running `{}` fails: {e}", command.join(" ")))
        }
    }

    if differences.is_empty() {
        return Ok(format!(
            "verified: {} (sha256 {out_sha}) is byte-identical\n",
            out_path.display()
        ));
    }
    let version = manifest["kvarter_version"].as_str().unwrap_or("?");
    if version != env!("CARGO_PKG_VERSION") {
        differences.push(format!(
            "recorded with kvarter {version}; this is kvarter {}",
            env!("CARGO_PKG_VERSION")
        ));
    }
    Err(Failure(format!(
        "{} is not reproduced ({}):\n  - {}",
        out_path.display(),
        m.display(),
        differences.join("\n  - ")
    )))
}
