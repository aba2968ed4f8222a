//! The municipality's screenings in typed tables (migration 6): `screening_runs`,
//! `screening_areas`, `screening_units`, `screening_criteria` and `screening_city`.
//!
//! [`ScreeningRun`] (defined in `kvarter_view::rows`, so that the view needs no store) is one
//! screening as a load stores it and as the readers return it. Every
//! figure is exact decimal text ([`decimal_text`]); units under the spec's minimum population
//! are never stored, and the components too small to be designated only as a count. The
//! writer ([`write`]) runs inside the load's transaction; [`convert_documents`] converts the
//! JSON documents of schema 5 into the same rows, inside the migration's transaction.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::Value;
use std::collections::BTreeMap;

/// A binary floating-point figure of the screening engine as exact decimal text: the shortest
/// decimal that reads back as the same value, in plain notation (`0.00006917908017201047`, never
/// `6.9e-5`). `None` for NaN and infinities.
pub fn decimal_text(x: f64) -> Option<String> {
    x.is_finite().then(|| format!("{x}"))
}

pub use kvarter_view::rows::{
    EstimateRow, ListedEstate, ScreeningAreaRow, ScreeningCityRow, ScreeningCriterionRow,
    ScreeningKey, ScreeningRun, ScreeningUnitRow,
};

/// The screening tables, children first (the order their rows are deleted in).
pub const TABLES: &[&str] = &[
    "screening_criteria",
    "screening_city",
    "screening_units",
    "screening_areas",
    "screening_runs",
];

fn json<T: serde::Serialize>(v: &T) -> rusqlite::Result<String> {
    serde_json::to_string(v).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Writes screenings; the caller holds the transaction.
pub fn write(tx: &Transaction<'_>, runs: &[ScreeningRun]) -> Result<(), String> {
    for r in runs {
        write_one(tx, r).map_err(|e| format!("screening {} {}: {e}", r.spec, r.year))?;
    }
    Ok(())
}

fn write_one(tx: &Connection, r: &ScreeningRun) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO screening_runs (spec, year, without_origin, municipality, data_year, cell_size_m,
            designate_on, level, units_suppressed, components_below_minimum, defaults, notes, state_listed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        r.spec,
        r.year,
        r.without_origin,
        r.municipality,
        r.data_year,
        r.cell_size_m,
        r.designate_on,
        r.level,
        r.units_suppressed,
        r.components_below_minimum,
        json(&r.defaults)?,
        json(&r.notes)?,
        json(&r.state_listed)?,
    ])?;
    let mut area = tx.prepare_cached(
        "INSERT INTO screening_areas (spec, year, without_origin, area_id, ord, reason, population,
            suppressed, fragile_population, met, qualifies_as_whole, vulnerability_index, units,
            districts, state_listed_units, filled_holes, fragile_units, geometry)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    for (i, a) in r.areas.iter().enumerate() {
        area.execute(params![
            r.spec,
            r.year,
            r.without_origin,
            a.id,
            i,
            a.reason,
            a.population,
            a.suppressed,
            a.fragile_population,
            a.met,
            a.qualifies_as_whole,
            a.index,
            json(&a.units)?,
            json(&a.districts)?,
            json(&a.state_listed_units)?,
            json(&a.filled_holes)?,
            json(&a.fragile_units)?,
            a.geometry,
        ])?;
        // The round's columns (migration 8) are set apart, and only when there is something to
        // set: migration 6 converts schema-5 documents with this writer before they exist.
        if !a.name.is_empty() || !a.name_from.is_empty() || !a.listed_estates.is_empty() {
            tx.prepare_cached(
                "UPDATE screening_areas SET name = ?5, name_from = ?6, listed_estates = ?7
                 WHERE spec = ?1 AND year = ?2 AND without_origin = ?3 AND area_id = ?4",
            )?
            .execute(params![
                r.spec,
                r.year,
                r.without_origin,
                a.id,
                a.name,
                a.name_from,
                json(&a.listed_estates)?,
            ])?;
        }
        write_criteria(tx, r, "area", &a.id, &a.criteria)?;
    }
    let mut unit = tx.prepare_cached(
        "INSERT INTO screening_units (spec, year, without_origin, unit_id, ord, district, cell_x, cell_y,
            population, met, evaluable, score, score_low, score_high, qualifies, undetermined, fragile,
            near_miss, state_listed, inclusion, component, designated, vulnerability_index, geometry)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
            ?20, ?21, ?22, ?23, ?24)",
    )?;
    for (i, u) in r.units.iter().enumerate() {
        unit.execute(params![
            r.spec,
            r.year,
            r.without_origin,
            u.id,
            i,
            u.district,
            u.cell.map(|c| c.0),
            u.cell.map(|c| c.1),
            u.population,
            u.met,
            u.evaluable,
            u.score,
            u.score_low,
            u.score_high,
            u.qualifies,
            u.undetermined,
            u.fragile,
            u.near_miss,
            u.state_listed,
            u.inclusion,
            u.component,
            u.designated,
            u.index,
            u.geometry,
        ])?;
        write_criteria(tx, r, "unit", &u.id, &u.criteria)?;
    }
    let mut city = tx.prepare_cached(
        "INSERT INTO screening_city (spec, year, without_origin, ord, criterion, indicator, num, den, value, sd, units)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (i, c) in r.city.iter().enumerate() {
        city.execute(params![
            r.spec,
            r.year,
            r.without_origin,
            i,
            c.criterion,
            c.indicator,
            c.num,
            c.den,
            c.value,
            c.sd,
            c.units
        ])?;
    }
    Ok(())
}

fn write_criteria(
    tx: &Connection,
    r: &ScreeningRun,
    scope: &str,
    owner: &str,
    criteria: &[ScreeningCriterionRow],
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO screening_criteria (spec, year, without_origin, scope, owner, ord, criterion,
            indicator, kvarter_default, raw_value, raw_num, raw_den, raw_low, raw_high, raw_p_meets,
            raw_weight, shrunk_value, shrunk_num, shrunk_den, shrunk_low, shrunk_high, shrunk_p_meets,
            shrunk_weight, city, gap, comparison, value_threshold, met, certainty)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
    )?;
    for (i, c) in criteria.iter().enumerate() {
        let (raw, shrunk) = (c.raw.as_ref(), c.shrunk.as_ref());
        st.execute(params![
            r.spec,
            r.year,
            r.without_origin,
            scope,
            owner,
            i,
            c.criterion,
            c.indicator,
            c.kvarter_default,
            raw.map(|e| &e.value),
            raw.map(|e| &e.num),
            raw.map(|e| &e.den),
            raw.and_then(|e| e.low.as_ref()),
            raw.and_then(|e| e.high.as_ref()),
            raw.and_then(|e| e.p_meets.as_ref()),
            raw.map(|e| &e.weight_on_district),
            shrunk.map(|e| &e.value),
            shrunk.map(|e| &e.num),
            shrunk.map(|e| &e.den),
            shrunk.and_then(|e| e.low.as_ref()),
            shrunk.and_then(|e| e.high.as_ref()),
            shrunk.and_then(|e| e.p_meets.as_ref()),
            shrunk.map(|e| &e.weight_on_district),
            c.city,
            c.gap,
            c.comparison,
            c.value_threshold,
            c.met,
            c.certainty,
        ])?;
    }
    Ok(())
}

/// Every stored screening, ordered by spec, year and view.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<ScreeningKey>> {
    let mut st = conn.prepare_cached(
        "SELECT spec, year, without_origin, municipality, data_year FROM screening_runs
         ORDER BY spec, year, without_origin",
    )?;
    st.query_map([], |r| {
        Ok(ScreeningKey {
            spec: r.get(0)?,
            year: r.get(1)?,
            without_origin: r.get(2)?,
            municipality: r.get(3)?,
            data_year: r.get(4)?,
        })
    })?
    .collect()
}

fn strings(text: String) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn parsed<T: serde::de::DeserializeOwned>(text: String) -> rusqlite::Result<T> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn estimate(r: &Row<'_>, at: usize) -> rusqlite::Result<Option<EstimateRow>> {
    let value: Option<String> = r.get(at)?;
    let Some(value) = value else {
        return Ok(None);
    };
    Ok(Some(EstimateRow {
        value,
        num: r.get::<_, Option<String>>(at + 1)?.unwrap_or_default(),
        den: r.get::<_, Option<String>>(at + 2)?.unwrap_or_default(),
        low: r.get(at + 3)?,
        high: r.get(at + 4)?,
        p_meets: r.get(at + 5)?,
        weight_on_district: r.get::<_, Option<String>>(at + 6)?.unwrap_or_default(),
    }))
}

/// The designation round before `year` (the stored screening of the same spec and view with
/// the greatest earlier year), or `None`: its year and its designated areas' ids, names and
/// units only — what comparing two rounds needs (`kvarter_view::screening::compare_rounds`),
/// not its units' rows, criteria and outlines.
pub fn previous_round(
    conn: &Connection,
    spec: &str,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Option<ScreeningRun>> {
    let before: Option<i32> = conn
        .prepare_cached(
            "SELECT MAX(year) FROM screening_runs WHERE spec = ?1 AND year < ?2 AND without_origin = ?3",
        )?
        .query_row(params![spec, year, without_origin], |r| r.get(0))?;
    let Some(before) = before else {
        return Ok(None);
    };
    let mut st = conn.prepare_cached(
        "SELECT area_id, name, units FROM screening_areas
         WHERE spec = ?1 AND year = ?2 AND without_origin = ?3 ORDER BY ord",
    )?;
    let areas = st
        .query_map(params![spec, before, without_origin], |r| {
            Ok(ScreeningAreaRow {
                id: r.get(0)?,
                name: r.get(1)?,
                units: strings(r.get(2)?)?,
                ..ScreeningAreaRow::default()
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(ScreeningRun {
        spec: spec.to_string(),
        year: before,
        without_origin,
        areas,
        ..ScreeningRun::default()
    }))
}

/// Whether [`read_with`] reads each unit's criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitCriteria {
    /// Every unit's criteria (the API's document and the downloads).
    Read,
    /// Of each unit's criteria only what the disclosure rules read (the criterion, its
    /// indicator, the raw numerator and denominator): the run is marked
    /// [`ScreeningRun::unit_criteria_partial`], and `kvarter_view::screening::build` leaves the
    /// units' criteria out of its model, so no face can show a partial one. For a face that
    /// shows no unit's criteria (the screening page), where they are nine in ten of the stored
    /// rows; every other figure of the model is the same as from [`UnitCriteria::Read`].
    ForDisclosureOnly,
}

/// The stored criteria of one scope (`area` or `unit`) of a screening, by owner, each owner's
/// in the engine's order.
struct Criteria {
    by_owner: std::collections::HashMap<String, Vec<ScreeningCriterionRow>>,
    /// Only what the disclosure rules read was read (see [`UnitCriteria::ForDisclosureOnly`]).
    partial: bool,
}

impl Criteria {
    fn take(&mut self, owner: &str) -> Vec<ScreeningCriterionRow> {
        self.by_owner.remove(owner).unwrap_or_default()
    }
}

/// The one query of a scope's stored criteria, `SELECT $columns` of them in owner and criterion
/// order: both readings of [`stored_criteria`] filter and order the same rows.
macro_rules! criteria_of_scope {
    ($columns:literal) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM screening_criteria
             WHERE spec = ?1 AND year = ?2 AND without_origin = ?3 AND scope = ?4
             ORDER BY owner, ord"
        )
    };
}

/// Reads the criteria of `scope`, every column (`full`) or only the criterion, its indicator,
/// and the raw estimate's numerator and denominator.
fn stored_criteria(
    conn: &Connection,
    (spec, year, without_origin): (&str, i32, bool),
    scope: &str,
    full: bool,
) -> rusqlite::Result<Criteria> {
    let mut by_owner: std::collections::HashMap<String, Vec<ScreeningCriterionRow>> =
        std::collections::HashMap::new();
    let key = params![spec, year, without_origin, scope];
    let mut push =
        |owner: String, c: ScreeningCriterionRow| by_owner.entry(owner).or_default().push(c);
    if full {
        let mut st = conn.prepare_cached(criteria_of_scope!(
            "owner, criterion, indicator, kvarter_default,
                raw_value, raw_num, raw_den, raw_low, raw_high, raw_p_meets, raw_weight,
                shrunk_value, shrunk_num, shrunk_den, shrunk_low, shrunk_high, shrunk_p_meets, shrunk_weight,
                city, gap, comparison, value_threshold, met, certainty"
        ))?;
        let mut rows = st.query(key)?;
        while let Some(r) = rows.next()? {
            let c = ScreeningCriterionRow {
                criterion: r.get(1)?,
                indicator: r.get(2)?,
                kvarter_default: r.get(3)?,
                raw: estimate(r, 4)?,
                shrunk: estimate(r, 11)?,
                city: r.get(18)?,
                gap: r.get(19)?,
                comparison: r.get(20)?,
                value_threshold: r.get(21)?,
                met: r.get(22)?,
                certainty: r.get(23)?,
            };
            push(r.get(0)?, c);
        }
    } else {
        let mut st = conn.prepare_cached(criteria_of_scope!(
            "owner, criterion, indicator, raw_value IS NOT NULL, raw_num, raw_den"
        ))?;
        let mut rows = st.query(key)?;
        while let Some(r) = rows.next()? {
            let raw = if r.get::<_, bool>(3)? {
                Some(EstimateRow {
                    num: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    den: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    ..EstimateRow::default()
                })
            } else {
                None
            };
            let c = ScreeningCriterionRow {
                criterion: r.get(1)?,
                indicator: r.get(2)?,
                raw,
                ..ScreeningCriterionRow::default()
            };
            push(r.get(0)?, c);
        }
    }
    Ok(Criteria {
        by_owner,
        partial: !full,
    })
}

/// One stored screening with everything in it, or `None` when the store has no such screening.
pub fn read(
    conn: &Connection,
    spec: &str,
    year: i32,
    without_origin: bool,
) -> rusqlite::Result<Option<ScreeningRun>> {
    read_with(conn, spec, year, without_origin, UnitCriteria::Read)
}

/// [`read`], with or without the units' criteria.
pub fn read_with(
    conn: &Connection,
    spec: &str,
    year: i32,
    without_origin: bool,
    unit_criteria: UnitCriteria,
) -> rusqlite::Result<Option<ScreeningRun>> {
    let key = params![spec, year, without_origin];
    let run = conn
        .prepare_cached(
            "SELECT municipality, data_year, cell_size_m, designate_on, level, units_suppressed,
                components_below_minimum, defaults, notes, state_listed
             FROM screening_runs WHERE spec = ?1 AND year = ?2 AND without_origin = ?3",
        )?
        .query_row(key, |r| {
            Ok(ScreeningRun {
                spec: spec.to_string(),
                year,
                without_origin,
                municipality: r.get(0)?,
                data_year: r.get(1)?,
                cell_size_m: r.get(2)?,
                designate_on: r.get(3)?,
                level: r.get(4)?,
                units_suppressed: r.get(5)?,
                components_below_minimum: r.get(6)?,
                defaults: parsed(r.get(7)?)?,
                notes: parsed(r.get(8)?)?,
                state_listed: parsed(r.get(9)?)?,
                ..ScreeningRun::default()
            })
        })
        .optional()?;
    let Some(mut run) = run else {
        return Ok(None);
    };
    let mut area_criteria = stored_criteria(conn, (spec, year, without_origin), "area", true)?;
    let mut unit_criteria = stored_criteria(
        conn,
        (spec, year, without_origin),
        "unit",
        unit_criteria == UnitCriteria::Read,
    )?;
    run.unit_criteria_partial = unit_criteria.partial;
    let mut st = conn.prepare_cached(
        "SELECT area_id, reason, population, suppressed, fragile_population, met, qualifies_as_whole,
            vulnerability_index, units, districts, state_listed_units, filled_holes, fragile_units, geometry,
            name, name_from, listed_estates
         FROM screening_areas WHERE spec = ?1 AND year = ?2 AND without_origin = ?3 ORDER BY ord",
    )?;
    let areas = st
        .query_map(key, |r| {
            Ok(ScreeningAreaRow {
                id: r.get(0)?,
                reason: r.get(1)?,
                population: r.get(2)?,
                suppressed: r.get(3)?,
                fragile_population: r.get(4)?,
                met: r.get(5)?,
                qualifies_as_whole: r.get(6)?,
                index: r.get(7)?,
                units: strings(r.get(8)?)?,
                districts: strings(r.get(9)?)?,
                state_listed_units: strings(r.get(10)?)?,
                filled_holes: strings(r.get(11)?)?,
                fragile_units: strings(r.get(12)?)?,
                geometry: r.get(13)?,
                name: r.get(14)?,
                name_from: r.get(15)?,
                listed_estates: parsed(r.get(16)?)?,
                criteria: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    run.areas = areas
        .into_iter()
        .map(|mut a| {
            a.criteria = area_criteria.take(&a.id);
            a
        })
        .collect();
    let mut st = conn.prepare_cached(
        "SELECT unit_id, district, cell_x, cell_y, population, met, evaluable, score, score_low,
            score_high, qualifies, undetermined, fragile, near_miss, state_listed, inclusion,
            component, designated, vulnerability_index, geometry
         FROM screening_units WHERE spec = ?1 AND year = ?2 AND without_origin = ?3 ORDER BY ord",
    )?;
    let units = st
        .query_map(key, |r| {
            let (x, y): (Option<i64>, Option<i64>) = (r.get(2)?, r.get(3)?);
            Ok(ScreeningUnitRow {
                id: r.get(0)?,
                district: r.get(1)?,
                cell: x.zip(y),
                population: r.get(4)?,
                met: r.get(5)?,
                evaluable: r.get(6)?,
                score: r.get(7)?,
                score_low: r.get(8)?,
                score_high: r.get(9)?,
                qualifies: r.get(10)?,
                undetermined: r.get(11)?,
                fragile: r.get(12)?,
                near_miss: r.get(13)?,
                state_listed: r.get(14)?,
                inclusion: r.get(15)?,
                component: r.get(16)?,
                designated: r.get(17)?,
                index: r.get(18)?,
                geometry: r.get(19)?,
                criteria: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    run.units = units
        .into_iter()
        .map(|mut u| {
            u.criteria = unit_criteria.take(&u.id);
            u
        })
        .collect();
    let mut st = conn.prepare_cached(
        "SELECT criterion, indicator, num, den, value, sd, units FROM screening_city
         WHERE spec = ?1 AND year = ?2 AND without_origin = ?3 ORDER BY ord",
    )?;
    run.city = st
        .query_map(key, |r| {
            Ok(ScreeningCityRow {
                criterion: r.get(0)?,
                indicator: r.get(1)?,
                num: r.get(2)?,
                den: r.get(3)?,
                value: r.get(4)?,
                sd: r.get(5)?,
                units: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(run))
}

// ---------------------------------------------------------------------------------------------
// Schema 5's documents, converted.

fn dec(v: &Value) -> Option<String> {
    v.as_f64().and_then(decimal_text)
}

fn id_list(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn estimate_of(v: &Value) -> Option<EstimateRow> {
    if !v.is_object() {
        return None;
    }
    Some(EstimateRow {
        value: dec(&v["value"])?,
        num: dec(&v["num"]).unwrap_or_default(),
        den: dec(&v["den"]).unwrap_or_default(),
        low: dec(&v["interval"]["low"]),
        high: dec(&v["interval"]["high"]),
        p_meets: dec(&v["p_meets"]),
        weight_on_district: dec(&v["weight_on_district"]).unwrap_or_else(|| "0".into()),
    })
}

fn criteria_of(v: &Value) -> Vec<ScreeningCriterionRow> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|c| ScreeningCriterionRow {
            criterion: c["criterion"].as_str().unwrap_or_default().to_string(),
            indicator: c["indicator"].as_str().unwrap_or_default().to_string(),
            kvarter_default: c["kvarter_default"].as_bool().unwrap_or(false),
            raw: estimate_of(&c["raw"]),
            shrunk: estimate_of(&c["shrunk"]),
            city: dec(&c["city"]),
            gap: dec(&c["gap"]),
            comparison: dec(&c["comparison"]),
            value_threshold: dec(&c["value_threshold"]),
            met: c["met"].as_bool(),
            certainty: c["certainty"].as_str().unwrap_or("no_interval").to_string(),
        })
        .collect()
}

/// The geometry of each feature of a GeoJSON FeatureCollection, by id.
fn geometries(collection: &str) -> BTreeMap<String, String> {
    let v: Value = serde_json::from_str(collection).unwrap_or(Value::Null);
    v["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let id = f["id"]
                .as_str()
                .or_else(|| f["properties"]["id"].as_str())?;
            Some((id.to_string(), f["geometry"].to_string()))
        })
        .collect()
}

/// One screening as schema 5 stored it (the JSON of `kvarter screen --format json`, the
/// designated areas' GeoJSON and the publishable units' GeoJSON), as typed rows. The
/// components too small to be designated keep only their count.
pub fn run_from_document(
    key: &ScreeningKey,
    document: &str,
    geometry: &str,
    units: &str,
) -> Result<ScreeningRun, String> {
    let doc: Value = serde_json::from_str(document).map_err(|e| e.to_string())?;
    let area_geometry = geometries(geometry);
    let unit_geometry = geometries(units);
    let u64_of = |v: &Value| v.as_u64().unwrap_or(0);
    Ok(ScreeningRun {
        spec: key.spec.clone(),
        year: key.year,
        without_origin: key.without_origin,
        municipality: key.municipality.clone(),
        data_year: key.data_year,
        cell_size_m: u32::try_from(u64_of(&doc["cell_size_m"])).unwrap_or(0),
        designate_on: doc["options"]["designate_on"]
            .as_str()
            .unwrap_or("raw")
            .to_string(),
        level: dec(&doc["options"]["level"]).unwrap_or_else(|| "0.95".into()),
        units_suppressed: u64_of(&doc["cells_suppressed"]),
        components_below_minimum: doc["components_below_minimum"]
            .as_array()
            .map_or(0, |a| a.len() as u64),
        unit_criteria_partial: false,
        defaults: doc["kvarter_defaults"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                let s = |i: usize| d[i].as_str().unwrap_or_default().to_string();
                (s(0), s(1))
            })
            .collect(),
        notes: id_list(&doc["notes"]),
        state_listed: doc["state_listed_areas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), id_list(v)))
            .collect(),
        areas: doc["designated_areas"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                let id = a["id"].as_str().unwrap_or_default().to_string();
                ScreeningAreaRow {
                    reason: a["reason"]["reason"]
                        .as_str()
                        .unwrap_or("min_population")
                        .to_string(),
                    units: id_list(&a["units"]),
                    districts: id_list(&a["districts"]),
                    population: u64_of(&a["population"]),
                    suppressed: a["suppressed"].as_bool().unwrap_or(false),
                    state_listed_units: id_list(&a["state_listed_units"]),
                    filled_holes: id_list(&a["filled_holes"]),
                    fragile_units: id_list(&a["fragile_units"]),
                    fragile_population: u64_of(&a["fragile_population"]),
                    met: u32::try_from(u64_of(&a["met"])).unwrap_or(0),
                    qualifies_as_whole: a["qualifies_as_whole"].as_bool().unwrap_or(false),
                    index: dec(&a["index"]),
                    geometry: area_geometry.get(&id).cloned(),
                    criteria: criteria_of(&a["criteria"]),
                    id,
                    ..ScreeningAreaRow::default()
                }
            })
            .collect(),
        city: doc["city"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| ScreeningCityRow {
                criterion: c["criterion"].as_str().unwrap_or_default().to_string(),
                indicator: c["indicator"].as_str().unwrap_or_default().to_string(),
                num: dec(&c["num"]).unwrap_or_else(|| "0".into()),
                den: dec(&c["den"]).unwrap_or_else(|| "0".into()),
                value: dec(&c["value"]),
                sd: dec(&c["sd"]),
                units: u64_of(&c["units"]),
            })
            .collect(),
        units: doc["cells"]
            .as_array()
            .into_iter()
            .flatten()
            // Schema 5 stored publishable units only; never convert one marked otherwise.
            .filter(|u| u["suppressed"].as_bool() != Some(true))
            .map(|u| {
                let id = u["id"].as_str().unwrap_or_default().to_string();
                ScreeningUnitRow {
                    district: u["district"].as_str().unwrap_or_default().to_string(),
                    cell: u["cell"][0].as_i64().zip(u["cell"][1].as_i64()),
                    population: u64_of(&u["population"]),
                    met: u32::try_from(u64_of(&u["met"])).unwrap_or(0),
                    evaluable: u32::try_from(u64_of(&u["evaluable"])).unwrap_or(0),
                    score: dec(&u["score"]),
                    score_low: dec(&u["score_bounds"]["low"]),
                    score_high: dec(&u["score_bounds"]["high"]),
                    qualifies: u["qualifies"].as_bool().unwrap_or(false),
                    undetermined: u["undetermined"].as_bool().unwrap_or(false),
                    fragile: u["fragile"].as_bool().unwrap_or(false),
                    near_miss: u["near_miss"].as_bool().unwrap_or(false),
                    state_listed: u["state_listed"].as_bool().unwrap_or(false),
                    inclusion: u["inclusion"].as_str().map(str::to_string),
                    component: u["component"].as_str().map(str::to_string),
                    designated: u["designated"].as_bool().unwrap_or(false),
                    index: dec(&u["index"]),
                    geometry: unit_geometry.get(&id).cloned(),
                    criteria: criteria_of(&u["criteria"]),
                    id,
                }
            })
            .collect(),
    })
}

/// Migration 6's conversion: every `screenings` document of schema 5 into the typed tables, then
/// the `screenings` table dropped. Runs inside the migration's transaction; a document that
/// cannot be read fails the migration (and leaves the file at schema 5).
pub fn convert_documents(tx: &Transaction<'_>) -> Result<(), String> {
    let old: Vec<(ScreeningKey, String, String, String)> = tx
        .prepare(
            "SELECT spec, year, without_origin, municipality, data_year, document, geometry, units
             FROM screenings ORDER BY spec, year, without_origin",
        )
        .and_then(|mut st| {
            st.query_map([], |r| {
                Ok((
                    ScreeningKey {
                        spec: r.get(0)?,
                        year: r.get(1)?,
                        without_origin: r.get(2)?,
                        municipality: r.get(3)?,
                        data_year: r.get(4)?,
                    },
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })?
            .collect()
        })
        .map_err(|e| e.to_string())?;
    let mut runs = Vec::new();
    for (key, document, geometry, units) in &old {
        runs.push(
            run_from_document(key, document, geometry, units).map_err(|e| {
                format!(
                    "screening {} {}: the stored document is not JSON: {e}",
                    key.spec, key.year
                )
            })?,
        );
    }
    write(tx, &runs)?;
    tx.execute_batch("DROP TABLE screenings")
        .map_err(|e| e.to_string())
}
