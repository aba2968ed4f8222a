//! # kvarter-store — the embedded store
//!
//! One SQLite file, created and migrated by kvarter itself, that holds what a load of inputs
//! gives: the areas, their criterion values per list year, every criterion and list evaluated
//! by the engine (with and without the origin criterion), the rule sets applied, and the
//! manifest of every load. The dashboard and the API read from it.
//!
//! ## Schema (migrations 1 to 9)
//!
//! | table | one row per | columns |
//! |---|---|---|
//! | `areas` | area | `id` (key), `name`, `municipality`, `municipality_name`, `region`, `kind` (`social_housing`/`ordinary`), `geometry` (GeoJSON geometry object as text, EPSG:25832; nullable) |
//! | `area_years` | area and list year | `area_id`, `list_year`, `area_name`, `municipality`, then every input column of the criteria CSV as exact decimal **TEXT**: `residents`, `non_western_pct`, `outside_labour_pct`, `convicted_pct`, `convicted_national_pct`, `basic_education_pct`, `income_pct_of_region`, `persons_18_64`, `persons_18_plus`, `persons_30_59`, `persons_15_64_taxable` (NULL = missing) |
//! | `rule_sets` | rule set of the catalog | `id` (key), `family`, `title`, `title_en`, `first_list_year`, `last_list_year`, `file`, `content_hash` (SHA-256 of the rule file's text), `source` (the rule file's text) |
//! | `criterion_results` | view, area, year, rule set and criterion | `without_origin` (0/1), `list_year`, `area_id`, `rule_set`, `criterion`, `value`, `threshold`, `reference`, `operator`, `outcome` (`met`, `not_met`, `not_evaluable`, `switched_off`), `missing` (JSON array), `difference`, `group_size`, `persons`, `more` (0/1) |
//! | `list_results` | view, area, year, rule set and list | `without_origin` (0/1), `list_year`, `area_id`, `rule_set`, `list`, `outcome` (`on`, `off`, `undefined`), `incomplete` (0/1), `excluded_by` (JSON array), `reason` (the condition trace, JSON), `streak` (the streak trace, JSON) |
//! | `history_years`, `history` | list year; list year, area and list | the published memberships before the data starts that the load was given (`list_year`; `list_year`, `area_id`, `list`) |
//! | `screening_runs` | screening: spec, year and view (migration 6) | `spec`, `year`, `without_origin` (0/1), `municipality`, `data_year`, `cell_size_m`, `designate_on`, `level`, `units_suppressed` (a count: units under the spec's minimum population are never stored), `components_below_minimum` (a count only), `defaults`, `notes`, `state_listed` (JSON) |
//! | `screening_areas` | designated area of a screening | `area_id`, `ord`, `reason`, `population`, `suppressed`, `fragile_population`, `met`, `qualifies_as_whole`, `vulnerability_index` (TEXT), the id lists `units`, `districts`, `state_listed_units`, `filled_holes`, `fragile_units` (JSON), `geometry` (GeoJSON, EPSG:25832); from migration 8 the round's `name`, `name_from` and `listed_estates` (JSON) |
//! | `screening_units` | publishable unit of a screening | `unit_id`, `ord`, `district`, `cell_x`, `cell_y`, `population`, `met`, `evaluable`, `score`, `score_low`, `score_high` (TEXT), `qualifies`, `undetermined`, `fragile`, `near_miss`, `state_listed`, `inclusion`, `component`, `designated`, `vulnerability_index` (TEXT), `geometry` |
//! | `screening_criteria` | criterion of a designated area (`scope = 'area'`) or a publishable unit (`'unit'`) | `owner`, `ord`, `criterion`, `indicator`, `kvarter_default`, the raw and the shrunk estimate (`*_value`, `*_num`, `*_den`, `*_low`, `*_high`, `*_p_meets`, `*_weight`, exact TEXT), `city`, `gap`, `comparison`, `value_threshold` (TEXT), `met` (NULL: not evaluable), `certainty` |
//! | `screening_city` | criterion of a screening | `criterion`, `indicator`, `num`, `den`, `value`, `sd` (exact TEXT), `units` |
//! | `population_counts` | indicator, population and data year of a designation round (migration 7) | `spec`, `round` (the screening year whose designated areas are held fixed), `population` (`designated`, `area:ID`, `municipality`, `estate:ID`), `data_year`, `indicator` (the screening vocabulary), `num`, `den` (sums over the population's units, exact TEXT): no unit and no person |
//! | `plan_files` | plan file | `name` (e.g. `indicators.csv`), `content`: the plans and goals as the CSV files of kvarter-plans (migration 3) |
//! | `users` | user (migration 4) | `id`, `name` (unique), `role` (`viewer`, `editor`, `administrator`), `password_hash` (Argon2id PHC string), `created_at`, `disabled` |
//! | `sessions` | signed-in browser or API token | `token_hash` (SHA-256 of the token), `user_id`, `kind` (`browser`/`api`), `csrf`, `created_at`, `expires_at` (Unix seconds) |
//! | `audit_log` | change to the plans or the users (append-only) | `id` (the plans' revision), `at`, `user_name`, `action` (`create`, `update`, `delete`, `replace`), `object` (a plan table, `plans`, `users`), `object_key`, `before`, `after` (JSON objects) |
//! | `foresight` | area and list of the next list year (migration 5) | `list_year`, `area_id`, `rule_set`, `list`, `on_now`, `on_draws`, `draws`, `probability` (exact TEXT), `outlook` (`entering`, `leaving`, `staying_on`, `staying_off`) |
//! | `foresight_backtest` | past list year (NULL: all) and list | `areas`, `brier`, `brier_persistence`, `skill` (TEXT), `entries`, `entries_flagged`, `entry_false_alarms`, `exits`, `exits_flagged`, `exit_false_alarms` |
//! | `boundaries` | feature of the map's boundary file (migration 9) | `ord` (the file's order), `layer` (`coast`, `municipality`, `district`), `code`, `name`, `geometry` (GeoJSON Polygon or MultiPolygon: an outline; Point: where the name goes; EPSG:25832) |
//! | `manifest` | load | `load_id` (key), `manifest_hash`, `kvarter_version`, `inputs` (JSON: role, file, SHA-256, size), `rule_sets` (JSON: id, content hash), `options` (JSON), `loaded_at` |
//!
//! Every decimal is stored as TEXT exactly as the engine holds it (`"2.40"` stays `"2.40"`);
//! none is ever REAL. `without_origin = 1` rows are the `--without-origin` view of the same
//! inputs. Indexes serve the dashboard: an area's profile (`area_id, list_year`) and the lists
//! of a year (`list_year, list, outcome`).
//!
//! ## Loads
//!
//! [`Store::load`] replaces every derived table (`areas`, `area_years`, `rule_sets`,
//! `criterion_results`, `list_results`) in one transaction and appends one `manifest` row. A
//! load whose [`Manifest::hash`] equals that of the latest load is a no-op ([`Loaded::Unchanged`]),
//! so loading the same inputs twice changes nothing. A load replaces `plan_files` only when it
//! brings plans (and logs that as `replace`); it never touches the users, the sessions or the
//! audit log. Plans are edited row by row through [`Store::edit_plans`] ([`auth`]).
//!
//! ## Invariants
//!
//! - **No person-level data, ever.** The store has no table or column for a person; it receives
//!   area-level values ([`kvarter_rules::Observation`]) and evaluations, nothing else.
//! - The schema is created and changed only by [`MIGRATIONS`], in order, each in its own
//!   transaction, tracked by `PRAGMA user_version`. A file from a newer kvarter is refused.
//! - WAL mode and foreign keys are on for every connection.
//! - Every write is one transaction: a failed load leaves the file exactly as it was; a plan
//!   edit and its audit entry are stored together or not at all.
//! - No password and no session token is stored, only their Argon2id and SHA-256 hashes.
//! - Numbers of the law are exact decimal TEXT, never REAL.

pub mod auth;
pub mod boundaries;
pub mod dashboard;
pub mod read;
pub mod screening;

pub use boundaries::BoundaryRow;
pub use kvarter_view::rows::PopulationCount;
pub use screening::{
    EstimateRow, ListedEstate, ScreeningAreaRow, ScreeningCityRow, ScreeningCriterionRow,
    ScreeningKey, ScreeningRun, ScreeningUnitRow,
};

use kvarter_rules::{CriterionOutcome, Evaluation, History, ListOutcome, Observation};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;

/// The migrations, in order: migration `i` brings the schema to `user_version = i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_screenings_history_sources.sql"),
    include_str!("migrations/003_plans.sql"),
    include_str!("migrations/004_users_sessions_audit.sql"),
    include_str!("migrations/005_foresight.sql"),
    include_str!("migrations/006_screening_tables.sql"),
    include_str!("migrations/007_population_counts.sql"),
    include_str!("migrations/008_round_names.sql"),
    include_str!("migrations/009_boundaries.sql"),
];

/// The step in Rust that follows a migration's SQL in the same transaction, if any: migration 6
/// converts the stored screening documents into the typed tables and drops `screenings`.
fn after_migration(i: usize, tx: &rusqlite::Transaction<'_>) -> Result<(), String> {
    match i + 1 {
        6 => screening::convert_documents(tx),
        _ => Ok(()),
    }
}

/// The input columns stored in `area_years`, in the criteria CSV's order (defined in the view,
/// which needs them without a store).
pub use kvarter_view::rows::VALUE_COLUMNS;

/// The tables a load fills, in the order their contents are deleted (children first).
/// `plan_files` is replaced only when a load brings plans; the users, their sessions and the
/// audit log (migration 4) are never touched by a load.
pub const TABLES: &[&str] = &[
    "plan_files",
    "boundaries",
    "foresight_backtest",
    "foresight",
    "population_counts",
    "screening_criteria",
    "screening_city",
    "screening_units",
    "screening_areas",
    "screening_runs",
    "history",
    "history_years",
    "list_results",
    "criterion_results",
    "area_years",
    "areas",
    "rule_sets",
    "manifest",
];

/// Why the store could not do what was asked.
#[derive(Debug)]
pub struct StoreError {
    /// The database file (or `:memory:`).
    pub file: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for StoreError {}

/// One input file of a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// What the file is: `criteria`, `areas`, `persons`, `geometry`, `history`, `rules`.
    pub role: String,
    /// The file's name as given (not part of the hash beyond its file name).
    pub path: String,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// A rule set of the catalog, as stored in `rule_sets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetRow {
    /// Id, e.g. `dk-2021`.
    pub id: String,
    /// Family (`state-lists`, `51b`).
    pub family: String,
    /// Danish title.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// First list year it governs.
    pub first_list_year: i32,
    /// Last list year it governs, if it has ended.
    pub last_list_year: Option<i32>,
    /// The rule file it came from.
    pub file: String,
    /// SHA-256 of the rule file's text.
    pub content_hash: String,
    /// The rule file's text (stored, not part of the manifest beyond its hash).
    pub source: String,
}

/// What identifies a load: the program, the inputs, the rules and the options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// kvarter's version.
    pub kvarter_version: String,
    /// The input files, in a fixed order.
    pub inputs: Vec<InputFile>,
    /// The rule sets of the catalog.
    pub rule_sets: Vec<RuleSetRow>,
    /// The options that change the result (`--rules`, `--data-years`, …), as sorted pairs.
    pub options: Vec<(String, String)>,
}

impl Manifest {
    fn inputs_json(&self) -> String {
        serde_json::Value::Array(
            self.inputs
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "role": f.role, "file": file_name(&f.path),
                        "sha256": f.sha256, "size": f.size,
                    })
                })
                .collect(),
        )
        .to_string()
    }

    fn rule_sets_json(&self) -> String {
        serde_json::Value::Array(
            self.rule_sets
                .iter()
                .map(|r| serde_json::json!({"id": r.id, "content_hash": r.content_hash}))
                .collect(),
        )
        .to_string()
    }

    fn options_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .options
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// SHA-256 of everything that determines the stored content: kvarter's version, the
    /// schema version, the inputs' roles, file names, hashes and sizes, the rule sets' hashes
    /// and the options. Where the files lie does not matter.
    pub fn hash(&self) -> String {
        let text = format!(
            "schema {}\nkvarter {}\ninputs {}\nrule_sets {}\noptions {}\n",
            MIGRATIONS.len(),
            self.kvarter_version,
            self.inputs_json(),
            self.rule_sets_json(),
            self.options_json()
        );
        sha256_hex(text.as_bytes())
    }
}

fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An area, as stored in `areas`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AreaRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipality (code from a register folder, name from a criteria file).
    pub municipality: String,
    /// Municipality name, where known.
    pub municipality_name: Option<String>,
    /// Region code, where known.
    pub region: Option<i64>,
    /// `social_housing` or `ordinary`, where known.
    pub kind: Option<String>,
    /// The GeoJSON geometry object, EPSG:25832, where known.
    pub geometry: Option<String>,
}

/// Everything one load stores.
pub struct Load<'a> {
    /// What identifies it.
    pub manifest: &'a Manifest,
    /// The areas.
    pub areas: &'a [AreaRow],
    /// The criterion values per area and list year (area-level only).
    pub observations: &'a [Observation],
    /// The evaluation with the origin criterion.
    pub evaluation: &'a Evaluation,
    /// The same inputs evaluated without the origin criterion.
    pub without_origin: &'a Evaluation,
    /// The published memberships before the data starts.
    pub history: &'a History,
    /// The municipality's screenings.
    pub screenings: &'a [ScreeningRun],
    /// The policy's populations counted per data year.
    pub populations: &'a [PopulationCount],
    /// The early warning for the next list year and its backtest (empty without register data).
    pub foresight: &'a Foresight,
    /// The map's boundaries and label points, in file order (empty: none).
    pub boundaries: &'a [BoundaryRow],
    /// The plans and goals: (file name, CSV text), validated by the caller. `None` keeps the
    /// stored plans (and their edits); `Some` replaces them, which the audit log records.
    pub plans: Option<&'a [(String, String)]>,
}

/// One area's outlook on one list of the next list year (table `foresight`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForesightRow {
    /// The list year forecast.
    pub list_year: i32,
    /// The area.
    pub area_id: String,
    /// The rule set deciding the list.
    pub rule_set: String,
    /// The list.
    pub list: String,
    /// On the list in the latest list year (`None`: undefined).
    pub on_now: Option<bool>,
    /// Draws in which the area is on the list.
    pub on_draws: u32,
    /// Draws made.
    pub draws: u32,
    /// on_draws / draws, exact.
    pub probability: String,
    /// `entering`, `leaving`, `staying_on` or `staying_off`.
    pub outlook: String,
}

/// The backtest of one past list year (or of all, `list_year: None`) and list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktestRow {
    /// The list year forecast (`None`: every year together).
    pub list_year: Option<i32>,
    /// The list.
    pub list: String,
    /// Areas scored.
    pub areas: u32,
    /// The forecast's Brier score.
    pub brier: Option<String>,
    /// The persistence forecast's Brier score.
    pub brier_persistence: Option<String>,
    /// 1 − brier / brier_persistence.
    pub skill: Option<String>,
    /// Areas that entered the list.
    pub entries: u32,
    /// Of those, flagged in advance.
    pub entries_flagged: u32,
    /// Flagged as entering but did not.
    pub entry_false_alarms: u32,
    /// Areas that left the list.
    pub exits: u32,
    /// Of those, flagged in advance.
    pub exits_flagged: u32,
    /// Flagged as leaving but did not.
    pub exit_false_alarms: u32,
}

/// The early warning a load stores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Foresight {
    /// Every area's outlook per list of the next list year.
    pub rows: Vec<ForesightRow>,
    /// The backtest.
    pub backtest: Vec<BacktestRow>,
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// The inputs were stored under this load id.
    Stored {
        /// The new load id.
        load_id: i64,
    },
    /// The latest load had the same manifest hash; nothing changed.
    Unchanged {
        /// The latest load id.
        load_id: i64,
    },
}

/// Reports progress: `(step, done, total)`.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

/// An open store.
pub struct Store {
    conn: Connection,
    file: String,
}

impl Store {
    /// Opens (or creates) the database file, switches on WAL mode and foreign keys, and applies
    /// any migration not yet applied.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let file = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| StoreError {
            file: file.clone(),
            message: format!("cannot open the database: {e}"),
        })?;
        Store::setup(conn, file)
    }

    fn setup(conn: Connection, file: String) -> Result<Store, StoreError> {
        let mut store = Store { conn, file };
        let not_db = |e: rusqlite::Error| format!("expected a kvarter SQLite database: {e}");
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| store.err(not_db(e)))?;
        if !mode.eq_ignore_ascii_case("wal") && store.file != ":memory:" {
            return Err(store.err(format!("cannot switch to WAL mode (got '{mode}')")));
        }
        store
            .conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            .map_err(|e| store.err(not_db(e)))?;
        store
            .conn
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| store.err(e))?;
        store.migrate()?;
        Ok(store)
    }

    fn err(&self, message: impl fmt::Display) -> StoreError {
        StoreError {
            file: self.file.clone(),
            message: message.to_string(),
        }
    }

    /// The schema version (`PRAGMA user_version`): the number of migrations applied.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(format!("expected a kvarter SQLite database: {e}")))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let current = self.schema_version()?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(self.err(format!(
                "schema version {current} is newer than this kvarter knows ({known}); expected a database written by this version or an older one"
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = self.conn.transaction().map_err(|e| StoreError {
                file: self.file.clone(),
                message: e.to_string(),
            })?;
            let result = tx
                .execute_batch(sql)
                .map_err(|e| e.to_string())
                .and_then(|()| after_migration(i, &tx))
                .and_then(|()| {
                    tx.pragma_update(None, "user_version", i as i64 + 1)
                        .and_then(|()| tx.commit())
                        .map_err(|e| e.to_string())
                });
            result.map_err(|e| StoreError {
                file: self.file.clone(),
                message: format!("migration {} failed: {e}", i + 1),
            })?;
        }
        Ok(())
    }

    /// The journal mode (`wal` once opened from a file).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// The connection, for readers (the dashboard and the API).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The latest load: its id and manifest hash.
    pub fn latest_load(&self) -> Result<Option<(i64, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT load_id, manifest_hash FROM manifest ORDER BY load_id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Whether the latest load has this manifest hash (then a load would change nothing).
    pub fn unchanged(&self, manifest: &Manifest) -> Result<Option<i64>, StoreError> {
        let hash = manifest.hash();
        Ok(self
            .latest_load()?
            .filter(|(_, h)| *h == hash)
            .map(|(id, _)| id))
    }

    /// Stores a load: replaces every derived table and appends a manifest row, all in one
    /// transaction. A load with the latest manifest hash changes nothing.
    pub fn load(&mut self, load: &Load<'_>, progress: Progress<'_>) -> Result<Loaded, StoreError> {
        if let Some(load_id) = self.unchanged(load.manifest)? {
            return Ok(Loaded::Unchanged { load_id });
        }
        let file = self.file.clone();
        let tx = self.conn.transaction().map_err(|e| StoreError {
            file: file.clone(),
            message: e.to_string(),
        })?;
        // Dropping `tx` without commit rolls everything back.
        let load_id = write_load(&tx, load, progress).map_err(|message| StoreError {
            file: file.clone(),
            message,
        })?;
        tx.commit().map_err(|e| StoreError {
            file,
            message: format!("cannot commit the load: {e}"),
        })?;
        Ok(Loaded::Stored { load_id })
    }

    /// Row counts per table, in [`TABLES`] order.
    pub fn row_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        TABLES
            .iter()
            .map(|t| {
                self.conn
                    .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                    .map(|n| (*t, n))
                    .map_err(|e| self.err(e))
            })
            .collect()
    }

    /// SHA-256 over every row of every table a load fills, in key order: equal checksums,
    /// equal contents.
    pub fn checksum(&self) -> Result<String, StoreError> {
        content_checksum(&self.conn, TABLES).map_err(|e| self.err(e))
    }
}

/// SHA-256 over every row of these tables, in key order. With [`DATA_TABLES`] it identifies
/// what the lists and areas were computed from: signing in, editing plans and the audit log do
/// not change it.
pub fn content_checksum(conn: &Connection, tables: &[&str]) -> rusqlite::Result<String> {
    let mut h = Sha256::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {t} ORDER BY 1, 2, 3, 4"))
            .or_else(|_| conn.prepare(&format!("SELECT * FROM {t} ORDER BY 1")))?;
        let n = stmt.column_count();
        h.update(t.as_bytes());
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..n {
                let v: rusqlite::types::Value = row.get(i)?;
                h.update(format!("{v:?}\u{1f}").as_bytes());
            }
            h.update(b"\x1e");
        }
    }
    Ok(hex(&h.finalize()))
}

/// The tables a load derives from its inputs ([`TABLES`] without the plans).
pub const DATA_TABLES: &[&str] = &[
    "boundaries",
    "foresight_backtest",
    "foresight",
    "population_counts",
    "screening_criteria",
    "screening_city",
    "screening_units",
    "screening_areas",
    "screening_runs",
    "history",
    "history_years",
    "list_results",
    "criterion_results",
    "area_years",
    "areas",
    "rule_sets",
    "manifest",
];

fn dec(d: Option<kvarter_rules::Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

fn write_load(
    tx: &rusqlite::Transaction<'_>,
    load: &Load<'_>,
    progress: Progress<'_>,
) -> Result<i64, String> {
    let sql = |e: rusqlite::Error| e.to_string();
    for t in TABLES
        .iter()
        .filter(|t| **t != "manifest" && (**t != "plan_files" || load.plans.is_some()))
    {
        tx.execute(&format!("DELETE FROM {t}"), []).map_err(sql)?;
    }
    let m = load.manifest;
    tx.execute(
        "INSERT INTO manifest (manifest_hash, kvarter_version, inputs, rule_sets, options, loaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        params![
            m.hash(),
            m.kvarter_version,
            m.inputs_json(),
            m.rule_sets_json(),
            m.options_json()
        ],
    )
    .map_err(sql)?;
    let load_id = tx.last_insert_rowid();

    let mut stmt = tx
        .prepare(
            "INSERT INTO rule_sets (id, family, title, title_en, first_list_year, last_list_year, file, content_hash, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(sql)?;
    for r in &m.rule_sets {
        stmt.execute(params![
            r.id,
            r.family,
            r.title,
            r.title_en,
            r.first_list_year,
            r.last_list_year,
            r.file,
            r.content_hash,
            r.source
        ])
        .map_err(|e| format!("rule set '{}': {e}", r.id))?;
    }
    drop(stmt);

    let total = (load.areas.len()
        + load.observations.len()
        + load.evaluation.areas.len()
        + load.without_origin.areas.len()) as u64;
    let mut done = 0u64;
    let mut tick = |step: &str, done: &mut u64| {
        *done += 1;
        if (*done).is_multiple_of(256) || *done == total {
            progress(step, *done, total);
        }
    };

    let mut stmt = tx
        .prepare(
            "INSERT INTO areas (id, name, municipality, municipality_name, region, kind, geometry)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(sql)?;
    for a in load.areas {
        stmt.execute(params![
            a.id,
            a.name,
            a.municipality,
            a.municipality_name,
            a.region,
            a.kind,
            a.geometry
        ])
        .map_err(|e| format!("area '{}': {e}", a.id))?;
        tick("storing areas", &mut done);
    }
    drop(stmt);

    boundaries::write(tx, load.boundaries)?;

    let cols = VALUE_COLUMNS.join(", ");
    let marks: Vec<String> = (5..5 + VALUE_COLUMNS.len())
        .map(|i| format!("?{i}"))
        .collect();
    let mut stmt = tx
        .prepare(&format!(
            "INSERT INTO area_years (area_id, list_year, area_name, municipality, {cols})
             VALUES (?1, ?2, ?3, ?4, {})",
            marks.join(", ")
        ))
        .map_err(sql)?;
    for o in load.observations {
        if let Some(k) = o
            .values
            .keys()
            .find(|k| !VALUE_COLUMNS.contains(&k.as_str()))
        {
            return Err(format!(
                "area '{}', list year {}: value '{k}' has no column; expected one of: {}",
                o.area_id,
                o.list_year,
                VALUE_COLUMNS.join(", ")
            ));
        }
        let mut values: Vec<Box<dyn rusqlite::ToSql>> = vec![
            Box::new(o.area_id.clone()),
            Box::new(o.list_year),
            Box::new(o.area_name.clone()),
            Box::new(o.municipality.clone()),
        ];
        for c in VALUE_COLUMNS {
            values.push(Box::new(dec(o.values.get(*c).copied())));
        }
        stmt.execute(rusqlite::params_from_iter(values.iter()))
            .map_err(|e| {
                format!(
                    "area '{}', list year {}: {e}{}",
                    o.area_id,
                    o.list_year,
                    if e.to_string().contains("FOREIGN KEY") {
                        "; expected the area among the areas"
                    } else {
                        ""
                    }
                )
            })?;
        tick("storing values", &mut done);
    }
    drop(stmt);

    let mut crit = tx
        .prepare(
            "INSERT INTO criterion_results (without_origin, list_year, area_id, rule_set, criterion,
                value, threshold, reference, operator, outcome, missing, difference, group_size, persons, more)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )
        .map_err(sql)?;
    let mut list = tx
        .prepare(
            "INSERT INTO list_results (without_origin, list_year, area_id, rule_set, list,
                outcome, incomplete, excluded_by, reason, streak)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(sql)?;
    for (without_origin, evaluation) in [(false, load.evaluation), (true, load.without_origin)] {
        for a in &evaluation.areas {
            let at = |e: rusqlite::Error| {
                format!(
                    "area '{}', list year {}{}: {e}",
                    a.area_id,
                    a.list_year,
                    if without_origin {
                        " (without origin)"
                    } else {
                        ""
                    }
                )
            };
            for c in &a.criteria {
                let (outcome, missing) = match &c.outcome {
                    CriterionOutcome::Met => ("met", None),
                    CriterionOutcome::NotMet => ("not_met", None),
                    CriterionOutcome::NotEvaluable { missing } => {
                        ("not_evaluable", Some(json(missing)?))
                    }
                    CriterionOutcome::SwitchedOff => ("switched_off", None),
                };
                crit.execute(params![
                    without_origin,
                    a.list_year,
                    a.area_id,
                    c.rule_set,
                    c.id,
                    dec(c.value),
                    dec(c.threshold),
                    dec(c.reference),
                    c.operator,
                    outcome,
                    missing,
                    dec(c.difference),
                    dec(c.group_size),
                    dec(c.persons.as_ref().map(|p| p.persons)),
                    c.persons.as_ref().map(|p| p.more),
                ])
                .map_err(at)?;
            }
            for l in &a.lists {
                let outcome = match l.outcome {
                    ListOutcome::On => "on",
                    ListOutcome::Off => "off",
                    ListOutcome::Undefined => "undefined",
                };
                list.execute(params![
                    without_origin,
                    a.list_year,
                    a.area_id,
                    l.rule_set,
                    l.id,
                    outcome,
                    l.incomplete,
                    json(&l.excluded_by)?,
                    l.condition.as_ref().map(json).transpose()?,
                    l.streak.as_ref().map(json).transpose()?,
                ])
                .map_err(at)?;
            }
            tick("storing evaluations", &mut done);
        }
    }
    drop(crit);
    drop(list);

    for year in load.history.years() {
        tx.execute("INSERT INTO history_years (list_year) VALUES (?1)", [year])
            .map_err(sql)?;
    }
    let mut stmt = tx
        .prepare("INSERT INTO history (list_year, area_id, list) VALUES (?1, ?2, ?3)")
        .map_err(sql)?;
    for (year, area, list) in load.history.entries() {
        stmt.execute(params![year, area, list])
            .map_err(|e| format!("history {year}, area '{area}', list '{list}': {e}"))?;
    }
    drop(stmt);

    screening::write(tx, load.screenings)?;
    let mut stmt = tx
        .prepare(
            "INSERT INTO population_counts (spec, round, population, data_year, indicator, num, den)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(sql)?;
    for r in load.populations {
        stmt.execute(params![
            r.spec,
            r.round,
            r.population,
            r.data_year,
            r.indicator,
            r.num,
            r.den
        ])
        .map_err(|e| {
            format!(
                "population {} {} {}: {e}",
                r.population, r.data_year, r.indicator
            )
        })?;
    }
    drop(stmt);
    let mut stmt = tx
        .prepare(
            "INSERT INTO foresight (list_year, area_id, rule_set, list, on_now, on_draws, draws, probability, outlook)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(sql)?;
    for r in &load.foresight.rows {
        stmt.execute(params![
            r.list_year,
            r.area_id,
            r.rule_set,
            r.list,
            r.on_now,
            r.on_draws,
            r.draws,
            r.probability,
            r.outlook
        ])
        .map_err(|e| format!("foresight {} {}: {e}", r.area_id, r.list))?;
    }
    drop(stmt);
    let mut stmt = tx
        .prepare(
            "INSERT INTO foresight_backtest (list_year, list, areas, brier, brier_persistence, skill, entries, entries_flagged, entry_false_alarms, exits, exits_flagged, exit_false_alarms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .map_err(sql)?;
    for b in &load.foresight.backtest {
        stmt.execute(params![
            b.list_year,
            b.list,
            b.areas,
            b.brier,
            b.brier_persistence,
            b.skill,
            b.entries,
            b.entries_flagged,
            b.entry_false_alarms,
            b.exits,
            b.exits_flagged,
            b.exit_false_alarms
        ])
        .map_err(|e| format!("backtest {:?} {}: {e}", b.list_year, b.list))?;
    }
    drop(stmt);
    if let Some(plans) = load.plans {
        let mut hashes = serde_json::Map::new();
        for (name, content) in plans {
            tx.execute(
                "INSERT INTO plan_files (name, content) VALUES (?1, ?2)",
                params![name, content],
            )
            .map_err(|e| format!("plan file {name}: {e}"))?;
            hashes.insert(name.clone(), sha256_hex(content.as_bytes()).into());
        }
        let after = serde_json::Value::Object(hashes).to_string();
        auth::audit(
            tx,
            "kvarter load",
            "replace",
            "plans",
            "*",
            None,
            Some(&after),
        )
        .map_err(sql)?;
    }
    progress("stored", total, total);
    Ok(load_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_to_an_empty_database() {
        let store = Store::setup(Connection::open_in_memory().unwrap(), ":memory:".into()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        for (_, n) in store.row_counts().unwrap() {
            assert_eq!(n, 0);
        }
    }

    #[test]
    fn no_column_is_real_and_none_names_a_person() {
        let store = Store::setup(Connection::open_in_memory().unwrap(), ":memory:".into()).unwrap();
        for t in TABLES {
            let mut stmt = store
                .connection()
                .prepare(&format!("SELECT name, type FROM pragma_table_info('{t}')"))
                .unwrap();
            let cols: Vec<(String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(!cols.is_empty());
            for (name, ty) in cols {
                assert!(!ty.eq_ignore_ascii_case("REAL"), "{t}.{name} is REAL");
                assert!(!name.contains("person_id"), "{t}.{name}");
            }
        }
    }
}
