//! Typed readers for the dashboard's pages, the downloads and the plans' tracking: every SQL
//! statement the faces need outside the JSON API, each returning plain rows. Exact decimals
//! stay as the stored TEXT (`String`) or become `Decimal` ([`observations`]); nothing is read
//! as REAL. The readers apply no disclosure policy: the rows go to `kvarter-view`, which does.

use crate::{MIGRATIONS, VALUE_COLUMNS};
use kvarter_rules::{Catalog, Decimal, History, Observation};
pub use kvarter_view::rows::{
    AreaValuesRow, AreaWithLists, ListMemberRow, ListMembers, ListOutcomeRow, Outlook, Provenance,
    Score,
};
use rusqlite::{Connection, OpenFlags, params};
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

/// Opens a store read-only for the faces (the dashboard's readers, `kvarter export`, `plans`,
/// `whatif`); a file of another schema version is refused with what to do.
pub fn open_read_only(db: &Path) -> Result<Connection, String> {
    let file = db.display();
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("{file}: cannot open the database read-only: {e}"))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| format!("{file}: expected a kvarter SQLite database: {e}"))?;
    let known = MIGRATIONS.len() as i64;
    if version != known {
        return Err(format!(
            "{file}: schema version {version}; expected {known} (run `kvarter load --db` to create or migrate it)"
        ));
    }
    Ok(conn)
}

/// An empty store of the current schema in memory (every migration's SQL applied), for tests
/// of the faces.
pub fn empty_in_memory() -> rusqlite::Result<Connection> {
    let conn = Connection::open_in_memory()?;
    for sql in MIGRATIONS {
        conn.execute_batch(sql)?;
    }
    Ok(conn)
}

/// A stored rule set's file and its text (`source` empty in a store written before rule files
/// were stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetSource {
    /// The rule set's id.
    pub id: String,
    /// The file it was read from.
    pub file: String,
    /// The file's text.
    pub source: String,
}

/// Every stored rule set's file and text, by file name.
pub fn rule_set_sources(conn: &Connection) -> rusqlite::Result<Vec<RuleSetSource>> {
    let mut st = conn.prepare_cached("SELECT id, file, source FROM rule_sets ORDER BY file")?;
    st.query_map([], |r| {
        Ok(RuleSetSource {
            id: r.get(0)?,
            file: r.get(1)?,
            source: r.get(2)?,
        })
    })?
    .collect()
}

/// The law as the store holds it: the rule sets parsed from the stored rule files, the
/// published memberships before the data starts, and the `--rules` overrides of the latest load.
pub struct StoredLaw {
    /// The rule sets.
    pub catalog: Catalog,
    /// The published memberships before the data starts.
    pub history: History,
    /// The `--rules` overrides of the latest load.
    pub overrides: Vec<String>,
}

/// Reads [`StoredLaw`]. A store written before rule files were stored gets the built-in rules,
/// when they are the ones it names.
pub fn stored_law(conn: &Connection) -> Result<StoredLaw, String> {
    let e = |e: rusqlite::Error| format!("reading the store: {e}");
    let rows = rule_set_sources(conn).map_err(e)?;
    let catalog = if rows.iter().any(|r| r.source.is_empty()) {
        let builtin = Catalog::builtin();
        if let Some(r) = rows.iter().find(|r| builtin.get(&r.id).is_none()) {
            return Err(format!(
                "rule set '{}' is not stored with its text; expected a store loaded by this kvarter (run `kvarter load` again)",
                r.id
            ));
        }
        builtin
    } else {
        Catalog::from_sources(rows.iter().map(|r| (r.file.as_str(), r.source.as_str())))
            .map_err(|e| e.to_string())?
    };
    let mut history = History::new();
    for y in history_years(conn).map_err(e)? {
        history.add_year(y);
    }
    for h in self::history(conn).map_err(e)? {
        history.add(h.list_year, &h.area_id, &h.list);
    }
    let overrides = latest_options(conn)
        .and_then(|o| serde_json::from_str::<serde_json::Value>(&o).ok())
        .and_then(|o| o["rules"].as_str().map(str::to_string))
        .map(|r| {
            r.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(StoredLaw {
        catalog,
        history,
        overrides,
    })
}

/// Every stored rule set's id and content hash, by id.
pub fn rule_set_hashes(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached("SELECT id, content_hash FROM rule_sets ORDER BY id")?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// The list years the history covers.
pub fn history_years(conn: &Connection) -> rusqlite::Result<Vec<i32>> {
    let mut st = conn.prepare_cached("SELECT list_year FROM history_years")?;
    st.query_map([], |r| r.get(0))?.collect()
}

/// One published membership before the data starts (table `history`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The list year.
    pub list_year: i32,
    /// The area.
    pub area_id: String,
    /// The list it was on.
    pub list: String,
}

/// The published memberships before the data starts.
pub fn history(conn: &Connection) -> rusqlite::Result<Vec<HistoryRow>> {
    let mut st = conn.prepare_cached("SELECT list_year, area_id, list FROM history")?;
    st.query_map([], |r| {
        Ok(HistoryRow {
            list_year: r.get(0)?,
            area_id: r.get(1)?,
            list: r.get(2)?,
        })
    })?
    .collect()
}

/// The options (JSON text) of the latest load; `None` when there is none or it cannot be read.
pub fn latest_options(conn: &Connection) -> Option<String> {
    conn.query_row(
        "SELECT options FROM manifest ORDER BY load_id DESC LIMIT 1",
        [],
        |r| r.get(0),
    )
    .ok()
}

/// The latest load's id and manifest hash; `None` when there is none or it cannot be read.
pub fn latest_manifest(conn: &Connection) -> Option<(i64, String)> {
    conn.query_row(
        "SELECT load_id, manifest_hash FROM manifest ORDER BY load_id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

/// Where the store's content comes from (the latest load's manifest hash, every rule set's
/// content hash), for the note every downloaded table ends with.
pub fn provenance(conn: &Connection) -> rusqlite::Result<Provenance> {
    Ok(Provenance {
        load: latest_manifest(conn),
        rule_sets: rule_set_hashes(conn)?,
    })
}

/// Every list year with values, ascending.
pub fn list_years(conn: &Connection) -> rusqlite::Result<Vec<i32>> {
    let mut st = conn.prepare_cached("SELECT DISTINCT list_year FROM area_years ORDER BY 1")?;
    st.query_map([], |r| r.get(0))?.collect()
}

/// The latest list year with values, if any.
pub fn latest_list_year(conn: &Connection) -> rusqlite::Result<Option<i32>> {
    conn.query_row("SELECT MAX(list_year) FROM area_years", [], |r| r.get(0))
}

/// The list years one area has values for, ascending.
pub fn years_of_area(conn: &Connection, area: &str) -> rusqlite::Result<Vec<i32>> {
    let mut st = conn
        .prepare_cached("SELECT list_year FROM area_years WHERE area_id = ?1 ORDER BY list_year")?;
    st.query_map([area], |r| r.get(0))?.collect()
}

/// The areas evaluated (with values) in a year.
pub fn evaluated(conn: &Connection, year: i32) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT area_id FROM area_years WHERE list_year = ?1")?;
    st.query_map([year], |r| r.get(0))?.collect()
}

/// An area: its latest name, its municipality (by name where known) and its outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRow {
    /// Id.
    pub id: String,
    /// The name of its latest area-year, else the area's own.
    pub name: String,
    /// The municipality's name, else its code.
    pub municipality: String,
    /// Its GeoJSON geometry (EPSG:25832), as stored.
    pub geometry: Option<String>,
}

/// Every area.
pub fn areas(conn: &Connection) -> rusqlite::Result<Vec<AreaRow>> {
    let mut st = conn.prepare_cached(
        "SELECT a.id, COALESCE((SELECT y.area_name FROM area_years y WHERE y.area_id = a.id ORDER BY y.list_year DESC LIMIT 1), a.name), \
         COALESCE(a.municipality_name, a.municipality), a.geometry FROM areas a",
    )?;
    st.query_map([], |r| {
        Ok(AreaRow {
            id: r.get(0)?,
            name: r.get(1)?,
            municipality: r.get(2)?,
            geometry: r.get(3)?,
        })
    })?
    .collect()
}

/// The stored area-years as the engine's observations (of one area, or all), by area and year.
pub fn observations(conn: &Connection, area: Option<&str>) -> rusqlite::Result<Vec<Observation>> {
    let cols = VALUE_COLUMNS;
    let sql = format!(
        "SELECT area_id, area_name, municipality, list_year, {} FROM area_years {} ORDER BY area_id, list_year",
        cols.join(", "),
        if area.is_some() {
            "WHERE area_id = ?1"
        } else {
            ""
        }
    );
    let map = |r: &rusqlite::Row<'_>| {
        let mut values = BTreeMap::new();
        for (i, c) in cols.iter().enumerate() {
            if let Some(v) = r.get::<_, Option<String>>(4 + i)? {
                let d = Decimal::from_str(&v).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        4 + i,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?;
                values.insert((*c).to_string(), d);
            }
        }
        Ok(Observation {
            area_id: r.get(0)?,
            area_name: r.get(1)?,
            municipality: r.get(2)?,
            list_year: r.get(3)?,
            values,
        })
    };
    let mut st = conn.prepare(&sql)?;
    let rows = match area {
        Some(a) => st.query_map([a], map),
        None => st.query_map([], map),
    }?;
    rows.collect()
}

/// The value columns of a row that are not NULL, as their stored text.
fn value_texts(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (i, c) in VALUE_COLUMNS.iter().enumerate() {
        if let Some(v) = r.get::<_, Option<String>>(first + i)? {
            out.insert((*c).to_string(), v);
        }
    }
    Ok(out)
}

/// Memberships of a year: (area id, list) for every list an area is on.
pub fn memberships(
    conn: &Connection,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT area_id, list FROM list_results WHERE without_origin = ?1 AND list_year = ?2 AND outcome = 'on'",
    )?;
    st.query_map(params![without_origin, year], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?
    .collect()
}

/// The lists a year decides: `(rule set, list, defined)` in the rule sets' order.
pub fn lists_of_year(
    conn: &Connection,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Vec<(String, String, bool)>> {
    let mut st = conn.prepare_cached(
        "SELECT rule_set, list, MIN(outcome <> 'undefined') FROM list_results \
         WHERE without_origin = ?1 AND list_year = ?2 GROUP BY rule_set, list ORDER BY rule_set, MIN(rowid)",
    )?;
    st.query_map(params![without_origin, year], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?
    .collect()
}

/// A criterion's stored result (table `criterion_results`), decimals as stored text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionRow {
    /// Rule set.
    pub rule_set: String,
    /// Criterion id.
    pub id: String,
    /// Value.
    pub value: Option<String>,
    /// Threshold.
    pub threshold: Option<String>,
    /// Operator as the law writes it.
    pub operator: String,
    /// `met`, `not_met`, `not_evaluable`, `switched_off`.
    pub outcome: String,
    /// Value minus threshold.
    pub difference: Option<String>,
    /// The measured population.
    pub group_size: Option<String>,
    /// Margin in persons.
    pub persons: Option<String>,
    /// Whether the margin is persons more (to meet) or fewer (to stop meeting).
    pub more: Option<bool>,
}

/// The criterion results of one area and year, in the order the load stored them.
pub fn criteria(
    conn: &Connection,
    area: &str,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Vec<CriterionRow>> {
    let mut st = conn.prepare_cached(
        "SELECT rule_set, criterion, value, threshold, operator, outcome, difference, group_size, persons, more \
         FROM criterion_results WHERE without_origin = ?1 AND area_id = ?2 AND list_year = ?3 ORDER BY rowid",
    )?;
    st.query_map(params![without_origin, area, year], |r| {
        Ok(CriterionRow {
            rule_set: r.get(0)?,
            id: r.get(1)?,
            value: r.get(2)?,
            threshold: r.get(3)?,
            operator: r.get(4)?,
            outcome: r.get(5)?,
            difference: r.get(6)?,
            group_size: r.get(7)?,
            persons: r.get(8)?,
            more: r.get(9)?,
        })
    })?
    .collect()
}

/// The lists one area is on in a year, in the order the load stored them.
pub fn lists_of_area(
    conn: &Connection,
    area: &str,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT list FROM list_results WHERE without_origin = ?1 AND area_id = ?2 AND list_year = ?3 AND outcome = 'on' ORDER BY rowid",
    )?;
    st.query_map(params![without_origin, area, year], |r| r.get(0))?
        .collect()
}

/// Every list outcome of one area with the origin criterion, in the order the load stored them.
pub fn list_history(conn: &Connection, area: &str) -> rusqlite::Result<Vec<ListOutcomeRow>> {
    let mut st = conn.prepare_cached(
        "SELECT list_year, list, outcome, incomplete FROM list_results WHERE without_origin = 0 AND area_id = ?1 ORDER BY rowid",
    )?;
    st.query_map([area], |r| {
        Ok(ListOutcomeRow {
            list_year: r.get(0)?,
            list: r.get(1)?,
            outcome: r.get(2)?,
            incomplete: r.get(3)?,
        })
    })?
    .collect()
}

/// The list outcomes of one area in one year, by rule set and list.
pub fn list_outcomes(
    conn: &Connection,
    area: &str,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Vec<ListOutcomeRow>> {
    let mut st = conn.prepare_cached(
        "SELECT list, outcome, incomplete FROM list_results \
         WHERE without_origin = ?1 AND list_year = ?2 AND area_id = ?3 ORDER BY rule_set, list",
    )?;
    st.query_map(params![without_origin, year, area], |r| {
        Ok(ListOutcomeRow {
            list_year: year,
            list: r.get(0)?,
            outcome: r.get(1)?,
            incomplete: r.get(2)?,
        })
    })?
    .collect()
}

/// A stored threshold of a criterion of the state's lists, for one area's charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdRow {
    /// The list year.
    pub list_year: i32,
    /// The rule set.
    pub rule_set: String,
    /// The criterion.
    pub criterion: String,
    /// The threshold, as stored.
    pub threshold: Option<String>,
}

/// The thresholds of one area's criteria in the rule sets of the state's lists (with the origin
/// criterion), in the order the load stored them.
pub fn state_thresholds(conn: &Connection, area: &str) -> rusqlite::Result<Vec<ThresholdRow>> {
    let mut st = conn.prepare_cached(
        "SELECT c.list_year, c.rule_set, c.criterion, c.threshold FROM criterion_results c \
         JOIN rule_sets r ON r.id = c.rule_set WHERE c.without_origin = 0 AND c.area_id = ?1 \
         AND r.family = 'state-lists' ORDER BY c.rowid",
    )?;
    st.query_map([area], |r| {
        Ok(ThresholdRow {
            list_year: r.get(0)?,
            rule_set: r.get(1)?,
            criterion: r.get(2)?,
            threshold: r.get(3)?,
        })
    })?
    .collect()
}

/// The areas on a list in a year, by municipality and name.
pub fn list_members(
    conn: &Connection,
    year: i32,
    without_origin: bool,
    rule_set: &str,
    list: &str,
) -> rusqlite::Result<Vec<ListMemberRow>> {
    let sql = format!(
        "SELECT l.area_id, y.area_name, y.municipality, l.incomplete, {} FROM list_results l \
         JOIN area_years y ON y.area_id = l.area_id AND y.list_year = l.list_year \
         WHERE l.without_origin = ?1 AND l.list_year = ?2 AND l.rule_set = ?3 AND l.list = ?4 AND l.outcome = 'on' \
         ORDER BY y.municipality, y.area_name",
        VALUE_COLUMNS
            .iter()
            .map(|c| format!("y.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut st = conn.prepare_cached(&sql)?;
    st.query_map(params![without_origin, year, rule_set, list], |r| {
        Ok(ListMemberRow {
            id: r.get(0)?,
            name: r.get(1)?,
            municipality: r.get(2)?,
            incomplete: r.get(3)?,
            values: value_texts(r, 4)?,
        })
    })?
    .collect()
}

/// Every area with the values of its latest area-year up to `year`, by id.
pub fn areas_with_values(conn: &Connection, year: i32) -> rusqlite::Result<Vec<AreaValuesRow>> {
    let values: Vec<String> = VALUE_COLUMNS.iter().map(|c| format!("y.{c}")).collect();
    let sql = format!(
        "SELECT a.id, COALESCE(y.area_name, a.name), COALESCE(y.municipality, a.municipality_name, a.municipality), \
         a.kind, y.list_year, {} FROM areas a \
         LEFT JOIN area_years y ON y.area_id = a.id AND y.list_year = \
           (SELECT MAX(z.list_year) FROM area_years z WHERE z.area_id = a.id AND z.list_year <= ?1) \
         ORDER BY a.id",
        values.join(", ")
    );
    let mut st = conn.prepare(&sql)?;
    st.query_map(params![year], |r| {
        Ok(AreaValuesRow {
            id: r.get(0)?,
            name: r.get(1)?,
            municipality: r.get(2)?,
            kind: r.get(3)?,
            list_year: r.get(4)?,
            values: value_texts(r, 5)?,
        })
    })?
    .collect()
}

/// The areas on every list a year defines, in the rule sets' order (a list undefined that year
/// left out), for the lists' download.
pub fn list_members_of_year(
    conn: &Connection,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Vec<ListMembers>> {
    let mut out = Vec::new();
    for (rule_set, list, defined) in lists_of_year(conn, year, without_origin)? {
        if !defined {
            continue;
        }
        let members = list_members(conn, year, without_origin, &rule_set, &list)?;
        out.push(ListMembers {
            rule_set,
            list,
            members,
        });
    }
    Ok(out)
}

/// Every area with the values of its latest area-year up to `year` and its list outcomes of
/// `year`, by id, for the areas' download.
pub fn areas_with_lists(
    conn: &Connection,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Vec<AreaWithLists>> {
    areas_with_values(conn, year)?
        .into_iter()
        .map(|area| {
            let outcomes = list_outcomes(conn, &area.id, year, without_origin)?;
            Ok(AreaWithLists { area, outcomes })
        })
        .collect()
}

/// The areas on a state list (with the origin criterion) in the latest list year with values.
pub fn listed_in_latest(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT area_id FROM list_results WHERE without_origin = 0 AND outcome = 'on' \
         AND list_year = (SELECT MAX(list_year) FROM area_years) ORDER BY 1",
    )?;
    st.query_map([], |r| r.get(0))?.collect()
}

/// The stored plan files: (name, content), by name.
pub fn plan_files(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached("SELECT name, content FROM plan_files ORDER BY name")?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// The stored outlooks, for one area or all, best first within each list.
pub fn outlooks(conn: &Connection, area: Option<&str>) -> rusqlite::Result<Vec<Outlook>> {
    let mut st = conn.prepare_cached(
        "SELECT list_year, area_id, list, on_now, on_draws, draws, probability, outlook FROM foresight \
         WHERE ?1 IS NULL OR area_id = ?1 ORDER BY list, on_draws DESC, area_id",
    )?;
    st.query_map(params![area], |r| {
        Ok(Outlook {
            list_year: r.get(0)?,
            area_id: r.get(1)?,
            list: r.get(2)?,
            on_now: r.get::<_, Option<i64>>(3)?.map(|v| v != 0),
            on_draws: r.get(4)?,
            draws: r.get(5)?,
            probability: r.get(6)?,
            outlook: r.get(7)?,
        })
    })?
    .collect()
}

/// The stored backtest: per year, then the summaries (`list_year` `None`) last.
pub fn scores(conn: &Connection) -> rusqlite::Result<Vec<Score>> {
    let mut st = conn.prepare_cached(
        "SELECT list_year, list, areas, brier, brier_persistence, skill, entries, entries_flagged, \
         entry_false_alarms, exits, exits_flagged, exit_false_alarms FROM foresight_backtest \
         ORDER BY list_year IS NULL, list_year, list",
    )?;
    st.query_map([], |r| {
        Ok(Score {
            list_year: r.get(0)?,
            list: r.get(1)?,
            areas: r.get(2)?,
            brier: (r.get(3)?, r.get(4)?, r.get(5)?),
            entries: (r.get(6)?, r.get(7)?, r.get(8)?),
            exits: (r.get(9)?, r.get(10)?, r.get(11)?),
        })
    })?
    .collect()
}

/// Every population count of the store (migration 7), for [`kvarter_view::population`].
pub fn population_counts(conn: &Connection) -> rusqlite::Result<Vec<crate::PopulationCount>> {
    let mut st = conn.prepare(
        "SELECT spec, round, population, data_year, indicator, num, den FROM population_counts
         ORDER BY spec, round, population, data_year, indicator",
    )?;
    st.query_map([], |r| {
        Ok(crate::PopulationCount {
            spec: r.get(0)?,
            round: r.get(1)?,
            population: r.get(2)?,
            data_year: r.get(3)?,
            indicator: r.get(4)?,
            num: r.get(5)?,
            den: r.get(6)?,
        })
    })?
    .collect()
}
