//! Typed readers: every question a face asks of the store, as one function returning row
//! structs, so that no face writes SQL of its own.
//!
//! Each reader takes a connection (the web crate's are read-only) and returns owned rows with
//! the store's TEXT decimals parsed into [`Decimal`] and its JSON columns into typed values. A
//! reader never decides what may be published: figures that may rest on few persons leave
//! here raw and go through the disclosure policy (`kvarter-view`) before any face shows them.

use crate::VALUE_COLUMNS;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;

/// A rule set of the catalog, as listed by the API (without its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetInfo {
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
}

/// An area of `areas`, without its geometry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaInfo {
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
}

/// One row of `area_years`: an area's input values for one list year, raw (before the
/// disclosure policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaYearRow {
    /// The list year.
    pub list_year: i32,
    /// The area's name that year.
    pub area_name: String,
    /// The municipality that year.
    pub municipality: String,
    /// Every column of [`VALUE_COLUMNS`], in that order; `None` where missing.
    pub values: Vec<Option<Decimal>>,
}

impl AreaYearRow {
    /// The raw value of a column of [`VALUE_COLUMNS`]; `None` when missing or unknown.
    pub fn value(&self, column: &str) -> Option<Decimal> {
        VALUE_COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|i| self.values.get(i).copied().flatten())
    }
}

/// One row of `criterion_results`, raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionResultRow {
    /// The rule set.
    pub rule_set: String,
    /// The criterion's id.
    pub criterion: String,
    /// The value measured.
    pub value: Option<Decimal>,
    /// The threshold it was compared with.
    pub threshold: Option<Decimal>,
    /// The reference a factor threshold multiplies (e.g. the national average).
    pub reference: Option<Decimal>,
    /// The comparison as the law writes it (`>`, `≥`, `<`).
    pub operator: String,
    /// `met`, `not_met`, `not_evaluable` or `switched_off`.
    pub outcome: String,
    /// The empty input columns.
    pub missing: Vec<String>,
    /// Value − threshold.
    pub difference: Option<Decimal>,
    /// The size of the group measured.
    pub group_size: Option<Decimal>,
    /// The margin in persons.
    pub persons: Option<Decimal>,
    /// Whether more persons would meet the criterion (the direction of the margin).
    pub more: Option<bool>,
}

/// One row of `list_results`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListResultRow {
    /// The rule set.
    pub rule_set: String,
    /// The list's id.
    pub list: String,
    /// `on`, `off` or `undefined`.
    pub outcome: String,
    /// Whether missing values could change the outcome.
    pub incomplete: bool,
    /// The lists that excluded this one.
    pub excluded_by: Vec<String>,
    /// The condition trace, as the engine wrote it.
    pub reason: Option<serde_json::Value>,
    /// The streak trace, as the engine wrote it.
    pub streak: Option<serde_json::Value>,
}

/// A list decided in a list year: its rule set, its id, and whether it was undefined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListDefRow {
    /// The rule set.
    pub rule_set: String,
    /// The list's id.
    pub list: String,
    /// Whether the list was undefined (e.g. without the origin criterion).
    pub undefined: bool,
}

/// An area on a list in a list year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMemberRow {
    /// The area's id.
    pub area_id: String,
    /// Its name that year.
    pub area_name: String,
    /// Its municipality that year.
    pub municipality: String,
    /// Whether missing values could change the outcome.
    pub incomplete: bool,
}

/// One input file of a load, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ManifestInput {
    /// `criteria`, `areas`, `persons`, `geometry`, `history`, `rules`, …
    pub role: String,
    /// The file's name.
    pub file: String,
    /// SHA-256 of its content, lower-case hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A rule set of a load, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ManifestRuleSet {
    /// Id.
    pub id: String,
    /// SHA-256 of the rule file's text.
    pub content_hash: String,
}

/// One row of `manifest`: a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    /// The load's id.
    pub load_id: i64,
    /// The manifest's hash.
    pub manifest_hash: String,
    /// kvarter's version.
    pub kvarter_version: String,
    /// The input files.
    pub inputs: Vec<ManifestInput>,
    /// The rule sets.
    pub rule_sets: Vec<ManifestRuleSet>,
    /// The options that change the result.
    pub options: BTreeMap<String, String>,
    /// When it was loaded.
    pub loaded_at: String,
}

fn decimal(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Decimal>> {
    r.get::<_, Option<String>>(i)?
        .map(|t| {
            Decimal::from_str(&t)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
        })
        .transpose()
}

fn json<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>> {
    r.get::<_, Option<String>>(i)?
        .map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
        })
        .transpose()
}

const RULE_SET: &str = "SELECT id, family, title, title_en, first_list_year, last_list_year, file, content_hash \
     FROM rule_sets";

fn rule_set_row(r: &Row<'_>) -> rusqlite::Result<RuleSetInfo> {
    Ok(RuleSetInfo {
        id: r.get(0)?,
        family: r.get(1)?,
        title: r.get(2)?,
        title_en: r.get(3)?,
        first_list_year: r.get(4)?,
        last_list_year: r.get(5)?,
        file: r.get(6)?,
        content_hash: r.get(7)?,
    })
}

/// Every rule set of the catalog, by family, first list year and id.
pub fn rule_sets(c: &Connection) -> rusqlite::Result<Vec<RuleSetInfo>> {
    c.prepare_cached(&format!("{RULE_SET} ORDER BY family, first_list_year, id"))?
        .query_map([], rule_set_row)?
        .collect()
}

/// One rule set, if the catalog has it.
pub fn rule_set(c: &Connection, id: &str) -> rusqlite::Result<Option<RuleSetInfo>> {
    c.prepare_cached(&format!("{RULE_SET} WHERE id = ?1"))?
        .query_row([id], rule_set_row)
        .optional()
}

/// The list years a rule set decided, ascending.
pub fn rule_set_years(c: &Connection, id: &str) -> rusqlite::Result<Vec<i32>> {
    c.prepare_cached("SELECT DISTINCT list_year FROM list_results WHERE rule_set = ?1 ORDER BY 1")?
        .query_map([id], |r| r.get(0))?
        .collect()
}

/// The lists a rule set decided, in the order it first stored them.
pub fn rule_set_lists(c: &Connection, id: &str) -> rusqlite::Result<Vec<String>> {
    c.prepare_cached(
        "SELECT list FROM list_results WHERE rule_set = ?1 GROUP BY list ORDER BY MIN(rowid)",
    )?
    .query_map([id], |r| r.get(0))?
    .collect()
}

const AREA: &str = "SELECT id, name, municipality, municipality_name, region, kind FROM areas";

fn area_row(r: &Row<'_>) -> rusqlite::Result<AreaInfo> {
    Ok(AreaInfo {
        id: r.get(0)?,
        name: r.get(1)?,
        municipality: r.get(2)?,
        municipality_name: r.get(3)?,
        region: r.get(4)?,
        kind: r.get(5)?,
    })
}

/// How many areas the store has.
pub fn area_count(c: &Connection) -> rusqlite::Result<u64> {
    c.prepare_cached("SELECT COUNT(*) FROM areas")?
        .query_row([], |r| r.get(0))
}

/// Up to `limit` areas in id order, after skipping `offset`.
pub fn areas_page(c: &Connection, limit: u64, offset: u64) -> rusqlite::Result<Vec<AreaInfo>> {
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    c.prepare_cached(&format!("{AREA} ORDER BY id LIMIT ?1 OFFSET ?2"))?
        .query_map(params![clamp(limit), clamp(offset)], area_row)?
        .collect()
}

/// One area, if the store has it.
pub fn area(c: &Connection, id: &str) -> rusqlite::Result<Option<AreaInfo>> {
    c.prepare_cached(&format!("{AREA} WHERE id = ?1"))?
        .query_row([id], area_row)
        .optional()
}

/// An area's GeoJSON geometry (EPSG:25832), parsed; `None` when it has none.
pub fn area_geometry(c: &Connection, id: &str) -> rusqlite::Result<Option<serde_json::Value>> {
    Ok(
        c.prepare_cached("SELECT geometry FROM areas WHERE id = ?1")?
            .query_row([id], |r| json::<serde_json::Value>(r, 0))
            .optional()?
            .flatten(),
    )
}

/// Every list year of an area's values, with the raw values, ascending.
pub fn area_years(c: &Connection, id: &str) -> rusqlite::Result<Vec<AreaYearRow>> {
    c.prepare_cached(&format!(
        "SELECT list_year, area_name, municipality, {} FROM area_years WHERE area_id = ?1 \
         ORDER BY list_year",
        VALUE_COLUMNS.join(", ")
    ))?
    .query_map([id], |r| {
        Ok(AreaYearRow {
            list_year: r.get(0)?,
            area_name: r.get(1)?,
            municipality: r.get(2)?,
            values: (0..VALUE_COLUMNS.len())
                .map(|i| decimal(r, 3 + i))
                .collect::<rusqlite::Result<_>>()?,
        })
    })?
    .collect()
}

/// The list years an area has values for, ascending.
pub fn area_list_years(c: &Connection, id: &str) -> rusqlite::Result<Vec<i32>> {
    c.prepare_cached("SELECT list_year FROM area_years WHERE area_id = ?1 ORDER BY list_year")?
        .query_map([id], |r| r.get(0))?
        .collect()
}

/// The criterion results of an area in a list year, in the order they were stored.
pub fn criterion_results(
    c: &Connection,
    without_origin: bool,
    area: &str,
    year: i32,
) -> rusqlite::Result<Vec<CriterionResultRow>> {
    c.prepare_cached(
        "SELECT rule_set, criterion, value, threshold, reference, operator, outcome, missing, \
         difference, group_size, persons, more FROM criterion_results \
         WHERE without_origin = ?1 AND area_id = ?2 AND list_year = ?3 ORDER BY rowid",
    )?
    .query_map(params![without_origin, area, year], |r| {
        Ok(CriterionResultRow {
            rule_set: r.get(0)?,
            criterion: r.get(1)?,
            value: decimal(r, 2)?,
            threshold: decimal(r, 3)?,
            reference: decimal(r, 4)?,
            operator: r.get(5)?,
            outcome: r.get(6)?,
            missing: json(r, 7)?.unwrap_or_default(),
            difference: decimal(r, 8)?,
            group_size: decimal(r, 9)?,
            persons: decimal(r, 10)?,
            more: r.get(11)?,
        })
    })?
    .collect()
}

/// The list results of an area in a list year, in the order they were stored.
pub fn list_results(
    c: &Connection,
    without_origin: bool,
    area: &str,
    year: i32,
) -> rusqlite::Result<Vec<ListResultRow>> {
    c.prepare_cached(
        "SELECT rule_set, list, outcome, incomplete, excluded_by, reason, streak \
         FROM list_results WHERE without_origin = ?1 AND area_id = ?2 AND list_year = ?3 \
         ORDER BY rowid",
    )?
    .query_map(params![without_origin, area, year], |r| {
        Ok(ListResultRow {
            rule_set: r.get(0)?,
            list: r.get(1)?,
            outcome: r.get(2)?,
            incomplete: r.get(3)?,
            excluded_by: json(r, 4)?.unwrap_or_default(),
            reason: json(r, 5)?,
            streak: json::<serde_json::Value>(r, 6)?.filter(|v| !v.is_null()),
        })
    })?
    .collect()
}

/// How many areas have values in a list year (0: the store has no such year).
pub fn areas_in_year(c: &Connection, year: i32) -> rusqlite::Result<u64> {
    c.prepare_cached("SELECT COUNT(*) FROM area_years WHERE list_year = ?1")?
        .query_row([year], |r| r.get(0))
}

/// The lists decided in a list year, by rule set and in the order they were stored.
pub fn list_defs(
    c: &Connection,
    without_origin: bool,
    year: i32,
) -> rusqlite::Result<Vec<ListDefRow>> {
    c.prepare_cached(
        "SELECT rule_set, list, MAX(outcome = 'undefined') FROM list_results \
         WHERE without_origin = ?1 AND list_year = ?2 \
         GROUP BY rule_set, list ORDER BY rule_set, MIN(rowid)",
    )?
    .query_map(params![without_origin, year], |r| {
        Ok(ListDefRow {
            rule_set: r.get(0)?,
            list: r.get(1)?,
            undefined: r.get(2)?,
        })
    })?
    .collect()
}

/// The areas on a list in a list year, by id.
pub fn list_members(
    c: &Connection,
    without_origin: bool,
    year: i32,
    rule_set: &str,
    list: &str,
) -> rusqlite::Result<Vec<ListMemberRow>> {
    c.prepare_cached(
        "SELECT l.area_id, y.area_name, y.municipality, l.incomplete FROM list_results l \
         JOIN area_years y ON y.area_id = l.area_id AND y.list_year = l.list_year \
         WHERE l.without_origin = ?1 AND l.list_year = ?2 AND l.rule_set = ?3 \
         AND l.list = ?4 AND l.outcome = 'on' ORDER BY l.area_id",
    )?
    .query_map(params![without_origin, year, rule_set, list], |r| {
        Ok(ListMemberRow {
            area_id: r.get(0)?,
            area_name: r.get(1)?,
            municipality: r.get(2)?,
            incomplete: r.get(3)?,
        })
    })?
    .collect()
}

/// Every load, newest first.
pub fn manifests(c: &Connection) -> rusqlite::Result<Vec<ManifestRow>> {
    c.prepare_cached(
        "SELECT load_id, manifest_hash, kvarter_version, inputs, rule_sets, options, loaded_at \
         FROM manifest ORDER BY load_id DESC",
    )?
    .query_map([], |r| {
        Ok(ManifestRow {
            load_id: r.get(0)?,
            manifest_hash: r.get(1)?,
            kvarter_version: r.get(2)?,
            inputs: json(r, 3)?.unwrap_or_default(),
            rule_sets: json(r, 4)?.unwrap_or_default(),
            options: json(r, 5)?.unwrap_or_default(),
            loaded_at: r.get(6)?,
        })
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        for m in crate::MIGRATIONS {
            c.execute_batch(m).unwrap();
        }
        c.execute_batch(
            "INSERT INTO areas (id, name, municipality) VALUES ('A1', 'Aparken', 'Aby');
             INSERT INTO area_years (area_id, list_year, area_name, municipality, residents, convicted_pct)
               VALUES ('A1', 2022, 'Aparken', 'Aby', '1000', '2.40');
             INSERT INTO manifest VALUES (1, 'h', '0.1.0',
               '[{\"role\":\"criteria\",\"file\":\"c.csv\",\"sha256\":\"ab\",\"size\":3}]',
               '[{\"id\":\"dk-2021\",\"content_hash\":\"cd\"}]', '{\"rules\":\"dk-2021\"}', 'now');",
        )
        .unwrap();
        c
    }

    #[test]
    fn decimals_keep_their_text_and_json_columns_their_shape() {
        let c = store();
        let years = area_years(&c, "A1").unwrap();
        assert_eq!(years.len(), 1);
        assert_eq!(years[0].value("convicted_pct").unwrap().to_string(), "2.40");
        assert_eq!(years[0].value("persons_18_plus"), None);
        assert_eq!(areas_in_year(&c, 2022).unwrap(), 1);
        assert_eq!(areas_in_year(&c, 2023).unwrap(), 0);
        let m = manifests(&c).unwrap();
        assert_eq!(m[0].inputs[0].file, "c.csv");
        assert_eq!(m[0].rule_sets[0].id, "dk-2021");
        assert_eq!(m[0].options["rules"], "dk-2021");
        assert_eq!(area(&c, "A1").unwrap().unwrap().name, "Aparken");
        assert_eq!(area(&c, "B2").unwrap(), None);
        assert_eq!(area_geometry(&c, "A1").unwrap(), None);
    }
}
