//! `kvarter screen`: the municipality's own screening on a register folder.
//!
//! Reads the year's person file into grid cells (kvarter-data), finds the cells inside areas on
//! the state's lists that year (the state lists, evaluated from the same registers), screens the
//! cells (kvarter-screen) and prints the designated areas as a table, CSV, JSON or GeoJSON.
//! Cells under the spec's minimum population for publication are never printed alone.

use crate::{Failure, progress_bar};
use kvarter_report::{Lang, number};
use kvarter_rules::{Catalog, EvalOptions, History, ListOutcome, evaluate};
use kvarter_screen::{Measure, Neighbours, Options, Screening, Spec, Unit, UnitKind, Values};
use kvarter_store::screening::decimal_text;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What `kvarter screen` was asked.
pub struct Request<'a> {
    pub registers: &'a Path,
    pub spec: &'a Spec,
    pub year: Option<i32>,
    pub municipality: u16,
    pub shrunk: bool,
    pub without_origin: bool,
    pub catalog: &'a Catalog,
}

/// The screening of one year, with what is needed to print it.
pub struct Run {
    pub year: i32,
    pub data_year: i16,
    pub cell_size: u32,
    pub screening: Screening,
    /// State-listed areas that year: area id → the lists it is on.
    pub listed: BTreeMap<String, Vec<String>>,
    /// Cell id → (column, row), for geometry (grid specs).
    pub cells: BTreeMap<String, (i64, i64)>,
    /// Area id → polygon rings, for geometry (area specs).
    pub shapes: BTreeMap<String, Vec<Vec<(f64, f64)>>>,
    /// Area id → name, for the state-listed areas.
    pub names: BTreeMap<String, String>,
    /// The units screened, for comparisons over time.
    pub units: Vec<Unit>,
    /// Unit id → the register folder's areas inside it with their residents, for names.
    pub members: BTreeMap<String, BTreeMap<String, u64>>,
    /// The social-housing estates of the register folder.
    pub estates: BTreeSet<String>,
    /// Origin switched off.
    pub without_origin: bool,
}

/// The register folder read once and the state's lists evaluated from it: what every screening
/// of the folder's years shares (a designation round per fourth year, `--since`).
pub struct Prepared {
    registers: kvarter_data::Registers,
    evaluation: kvarter_rules::Evaluation,
}

/// Reads the register folder (all data years, for the streaks behind omdannelsesområder) and
/// evaluates the state's lists from it.
pub fn prepare(registers: &Path, catalog: &Catalog) -> Result<Prepared, Failure> {
    let registers = kvarter_data::read_registers(registers, None, &mut progress_bar())?;
    let observations = kvarter_data::observations(&registers, catalog, &[]);
    let evaluation = evaluate(
        catalog,
        &observations,
        &History::new(),
        &EvalOptions::default(),
    )?;
    Ok(Prepared {
        registers,
        evaluation,
    })
}

impl Prepared {
    /// The screening years the folder can give: each data year + 1.
    pub fn screening_years(&self) -> Vec<i32> {
        self.registers
            .years
            .keys()
            .map(|y| i32::from(*y) + 1)
            .collect()
    }
}

/// Runs the screening on a prepared folder.
pub fn run(prepared: &Prepared, r: &Request<'_>) -> Result<Run, Failure> {
    let (kind, cell_size) = match r.spec.unit.kind {
        UnitKind::Grid { cell_size_m, .. } => (kvarter_data::Units::Grid(cell_size_m), cell_size_m),
        UnitKind::Polygons => (kvarter_data::Units::Areas, 0),
    };
    let registers = &prepared.registers;
    let last_data_year = *registers
        .years
        .keys()
        .last()
        .expect("read_registers found a year");
    let year = r.year.unwrap_or(i32::from(last_data_year) + 1);
    let data_year = i16::try_from(year - 1)
        .map_err(|_| Failure(format!("--year {year}: expected a year such as 2025")))?;
    if !registers.years.contains_key(&data_year) {
        let years: Vec<String> = prepared
            .screening_years()
            .iter()
            .map(ToString::to_string)
            .collect();
        return Err(Failure(format!(
            "--year {year}: the screening of {year} uses data year {data_year}, which {} does not have; expected one of: {}",
            r.registers.display(),
            years.join(", ")
        )));
    }
    let mut listed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in prepared
        .evaluation
        .areas
        .iter()
        .filter(|a| a.list_year == year)
    {
        for l in a.lists.iter().filter(|l| l.outcome == ListOutcome::On) {
            let family = r
                .catalog
                .get(&l.rule_set)
                .map_or("", |rs| rs.family.as_str());
            if family == "state-lists" {
                listed
                    .entry(a.area_id.clone())
                    .or_default()
                    .push(l.id.clone());
            }
        }
    }
    let names: BTreeMap<String, String> = registers
        .areas
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let tables = kvarter_data::read_area_tables(r.registers)?;
    let cells = kvarter_data::read_units(
        r.registers,
        data_year,
        kind,
        Some(r.municipality),
        &registers.areas,
        &tables,
    )?;
    let (neighbours, shapes) = match kind {
        kvarter_data::Units::Grid(_) => (Neighbours::grid(), BTreeMap::new()),
        kvarter_data::Units::Areas => {
            let (adjacency, shapes) = read_geometry(r.registers)?;
            (Neighbours::Explicit(adjacency), shapes)
        }
    };
    if cells.is_empty() {
        return Err(Failure(format!(
            "{}: nobody with coordinates lives in municipality {} in data year {data_year}; expected --municipality to name the screened municipality (the synthetic capital is 101)",
            r.registers.display(),
            r.municipality
        )));
    }
    // A cell belongs to a state-listed area when a listed area holds most of its residents.
    let mut state_listed = BTreeSet::new();
    for c in &cells {
        let in_listed: u64 = c
            .areas
            .iter()
            .filter(|(a, _)| listed.contains_key(*a))
            .map(|(_, n)| *n)
            .sum();
        if in_listed * 2 > c.population || listed.contains_key(&c.id) {
            state_listed.insert(c.id.clone());
        }
    }
    let units: Vec<Unit> = cells
        .iter()
        .map(|c| Unit {
            id: c.id.clone(),
            district: c.district.to_string(),
            cell: c.cell,
            population: c.population,
            indicators: c
                .indicators
                .iter()
                .map(|(k, f)| {
                    let m = if f.share {
                        Measure::Share {
                            num: f.num,
                            den: f.den,
                        }
                    } else {
                        Measure::Ratio {
                            num: f.num,
                            den: f.den,
                        }
                    };
                    (k.to_string(), m)
                })
                .collect(),
        })
        .collect();
    let options = Options {
        designate_on: if r.shrunk {
            Values::Shrunk
        } else {
            Values::Raw
        },
        without_origin: r.without_origin,
        ..Options::default()
    };
    let screening = kvarter_screen::screen(r.spec, &units, &neighbours, &state_listed, &options);
    Ok(Run {
        year,
        data_year,
        cell_size,
        screening,
        listed,
        cells: cells
            .iter()
            .filter_map(|c| c.cell.map(|cell| (c.id.clone(), cell)))
            .collect(),
        shapes,
        names,
        units,
        members: cells
            .iter()
            .map(|c| (c.id.clone(), c.areas.clone()))
            .collect(),
        estates: registers
            .areas
            .iter()
            .filter(|a| a.social_housing)
            .map(|a| a.id.clone())
            .collect(),
        without_origin: r.without_origin,
    })
}

type Rings = Vec<Vec<(f64, f64)>>;

/// The areas' polygons from `geometry.geojson`, and which areas touch (share a stretch of
/// boundary, not just a corner): the neighbours of area units.
#[allow(clippy::type_complexity)]
fn read_geometry(
    dir: &Path,
) -> Result<(BTreeMap<String, BTreeSet<String>>, BTreeMap<String, Rings>), Failure> {
    let path = dir.join("geometry.geojson");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure(format!(
            "{}: cannot read the file: {e}; a spec that screens areas needs their polygons",
            path.display()
        ))
    })?;
    let doc = crate::load::parse_geojson(&path, &text)?;
    let mut shapes: BTreeMap<String, Rings> = BTreeMap::new();
    for f in doc["features"].as_array().into_iter().flatten() {
        let Some(id) = f["properties"]["area_id"].as_str() else {
            continue;
        };
        let rings: Rings = f["geometry"]["coordinates"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|ring| {
                ring.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                    .collect()
            })
            .collect();
        shapes.insert(id.to_string(), rings);
    }
    // Touching: the bounding boxes meet along one axis and overlap by more than a metre on the
    // other. The synthetic areas are rectangles, for which this is exact.
    let bbox = |rings: &Rings| {
        rings.iter().flatten().fold(
            (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
            |(a, b, c, d), &(x, y)| (a.min(x), b.min(y), c.max(x), d.max(y)),
        )
    };
    let boxes: Vec<(&String, (f64, f64, f64, f64))> =
        shapes.iter().map(|(k, r)| (k, bbox(r))).collect();
    let mut adjacency: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, (a, (ax0, ay0, ax1, ay1))) in boxes.iter().enumerate() {
        for (b, (bx0, by0, bx1, by1)) in &boxes[i + 1..] {
            let overlap_x = ax1.min(*bx1) - ax0.max(*bx0);
            let overlap_y = ay1.min(*by1) - ay0.max(*by0);
            let touch_x = (ax1 - bx0).abs() < 1.0 || (bx1 - ax0).abs() < 1.0;
            let touch_y = (ay1 - by0).abs() < 1.0 || (by1 - ay0).abs() < 1.0;
            if (touch_x && overlap_y > 1.0) || (touch_y && overlap_x > 1.0) {
                adjacency
                    .entry((*a).clone())
                    .or_default()
                    .insert((*b).clone());
                adjacency
                    .entry((*b).clone())
                    .or_default()
                    .insert((*a).clone());
            }
        }
    }
    Ok((adjacency, shapes))
}

/// A number with exactly `dp` decimals, in the language's notation.
fn fixed(x: f64, dp: u32, lang: Lang) -> String {
    let mut d = kvarter_rules::Decimal::from_f64_retain(x)
        .unwrap_or_default()
        .round_dp(dp);
    d.rescale(dp);
    number(d, lang)
}

fn pct(x: f64, lang: Lang) -> String {
    format!("{} %", fixed(x * 100.0, 1, lang))
}

fn criterion_name(spec: &Spec, id: &str, lang: Lang) -> String {
    spec.all_criteria()
        .into_iter()
        .find(|c| c.id == id)
        .map_or(id.to_string(), |c| lang.t(&c.name, &c.name_en).to_string())
}

/// The designated areas, for people.
pub fn table(r: &Run, spec: &Spec, lang: Lang) -> String {
    use std::fmt::Write;
    let s_ = &r.screening;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} · {} {} ({} {}) · {} m-{}",
        lang.t("Screening", "Screening"),
        spec.id,
        lang.t("år", "year"),
        r.year,
        lang.t("data", "data"),
        r.data_year,
        r.cell_size,
        lang.t("celler", "cells")
    );
    let _ = writeln!(s, "{}", lang.t(&spec.title, &spec.title_en));
    if !s_.defaults.is_empty() {
        let _ = writeln!(
            s,
            "{} {}",
            lang.t(
                "Kvarters standardværdier (politikken offentliggør ingen grænser):",
                "kvarter's defaults (the policy publishes no thresholds):"
            ),
            s_.defaults
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(s, "\n{}", lang.t("Byens gennemsnit", "City average"));
    for c in &s_.city {
        if let Some(v) = c.value {
            let _ = writeln!(
                s,
                "  {:<34} {}",
                criterion_name(spec, &c.criterion, lang),
                pct(v, lang)
            );
        }
    }
    let designated: Vec<_> = s_.areas.iter().filter(|a| a.designated).collect();
    let _ = writeln!(
        s,
        "\n{}: {}",
        lang.t("Udpegede områder", "Designated areas"),
        designated.len()
    );
    for a in designated {
        let name = derived_name(r, &a.units)
            .map(|n| format!("{n} ({})", a.id))
            .unwrap_or_else(|| a.id.clone());
        let _ = writeln!(
            s,
            "  {} · {} {} · {} {} · {} {}/{}{}",
            name,
            number(a.population.into(), lang),
            lang.t("beboere", "residents"),
            a.units.len(),
            lang.t("celler", "cells"),
            lang.t("kriterier opfyldt som helhed", "criteria met as a whole"),
            a.met,
            a.criteria.len(),
            if a.state_listed_units.is_empty() {
                String::new()
            } else {
                format!(
                    " · {} {}",
                    a.state_listed_units.len(),
                    lang.t("celler på statens lister", "cells on the state's lists")
                )
            }
        );
        for c in &a.criteria {
            let Some(raw) = &c.raw else { continue };
            let interval = raw.interval.map_or(String::new(), |i| {
                format!(" [{}–{}]", pct(i.low, lang), pct(i.high, lang))
            });
            let p = raw
                .p_meets
                .map_or(String::new(), |p| format!(" P={}", fixed(p, 2, lang)));
            let met = match c.met {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "?",
            };
            let _ = writeln!(
                s,
                "      {met} {:<32} {}{interval} ({} {}){p}",
                criterion_name(spec, &c.criterion, lang),
                pct(raw.value, lang),
                lang.t("by", "city"),
                c.city.map_or("–".into(), |v| pct(v, lang))
            );
        }
        if a.fragile_population > 0 {
            let _ = writeln!(
                s,
                "      {} {} {}",
                lang.t("Usikker udpegning for", "Designation uncertain for"),
                number(a.fragile_population.into(), lang),
                lang.t(
                    "beboere (værdi inden for intervallet om grænsen)",
                    "residents (value within its interval of the threshold)"
                )
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{}: {}",
        lang.t(
            "Sammenhængende celler under mindstebefolkningen (ikke udpeget)",
            "Contiguous cells below the minimum population (not designated)"
        ),
        s_.rejected.len()
    );
    let listed: Vec<String> = r
        .listed
        .iter()
        .map(|(a, l)| {
            format!(
                "{} ({})",
                r.names.get(a).map_or(a.as_str(), String::as_str),
                l.join(", ")
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "{}: {}",
        lang.t(
            "På statens lister (indgår automatisk)",
            "On the state's lists (included automatically)"
        ),
        if listed.is_empty() {
            lang.t("ingen", "none").to_string()
        } else {
            listed.join("; ")
        }
    );
    for n in &s_.notes {
        let _ = writeln!(s, "{} {n}", lang.t("Note:", "Note:"));
    }
    s
}

/// One row per designated area and criterion.
pub fn csv(r: &Run) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "year",
        "area_id",
        "population",
        "cells",
        "state_listed_cells",
        "criterion",
        "value",
        "low",
        "high",
        "city",
        "comparison",
        "met",
        "p_meets",
        "kvarter_default",
    ]);
    let f = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.6}"));
    for a in r.screening.areas.iter().filter(|a| a.designated) {
        for c in &a.criteria {
            let raw = c.raw.as_ref();
            let _ = w.write_record([
                r.year.to_string(),
                a.id.clone(),
                a.population.to_string(),
                a.units.len().to_string(),
                a.state_listed_units.len().to_string(),
                c.criterion.clone(),
                f(raw.map(|e| e.value)),
                f(raw.and_then(|e| e.interval.map(|i| i.low))),
                f(raw.and_then(|e| e.interval.map(|i| i.high))),
                f(c.city),
                f(c.comparison),
                c.met.map_or(String::new(), |m| m.to_string()),
                f(raw.and_then(|e| e.p_meets)),
                c.kvarter_default.to_string(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Designated areas, the city averages and the publishable cells, as JSON. Cells under the
/// spec's minimum population for publication are left out and counted.
pub fn json(r: &Run) -> String {
    let s = &r.screening;
    let suppressed = s.units.iter().filter(|u| u.suppressed).count();
    let doc = json!({
        "spec": s.spec,
        "year": r.year,
        "data_year": r.data_year,
        "cell_size_m": r.cell_size,
        "options": s.options,
        "kvarter_defaults": s.defaults,
        "city": s.city,
        "designated_areas": s.areas.iter().filter(|a| a.designated).collect::<Vec<_>>(),
        "components_below_minimum": s.rejected.iter().map(|a| json!({"id": a.id, "population": a.population, "cells": a.units.len(), "reason": a.reason})).collect::<Vec<_>>(),
        "state_listed_areas": r.listed,
        "cells": s.publishable_units().collect::<Vec<_>>(),
        "cells_suppressed": suppressed,
        "notes": s.notes,
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Designated areas as GeoJSON polygons in EPSG:25832, the cells dissolved into outlines.
pub fn geojson(r: &Run) -> String {
    let features: Vec<serde_json::Value> = r
        .screening
        .areas
        .iter()
        .filter(|a| a.designated)
        .map(|a| {
            let geometry = area_geometry(r, &a.units);
            json!({
                "type": "Feature",
                "id": a.id,
                "geometry": geometry,
                "properties": {
                    "id": a.id,
                    "population": a.population,
                    "cells": a.units.len(),
                    "state_listed_cells": a.state_listed_units.len(),
                    "criteria_met": a.met,
                    "fragile_population": a.fragile_population,
                    "index": a.index,
                }
            })
        })
        .collect();
    let doc = json!({
        "type": "FeatureCollection",
        "name": format!("{}-{}", r.screening.spec, r.year),
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": features,
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// A unit's outline as a GeoJSON Polygon (EPSG:25832): its grid square, or its polygon.
fn unit_geometry(r: &Run, id: &str) -> Option<serde_json::Value> {
    let rings = match (r.cells.get(id), r.shapes.get(id)) {
        (Some(cell), _) => kvarter_screen::geometry::dissolve(&[*cell], f64::from(r.cell_size))
            .into_iter()
            .next()?,
        (None, Some(shape)) => shape.clone(),
        (None, None) => return None,
    };
    let coords: Vec<Vec<serde_json::Value>> = rings
        .iter()
        .map(|ring| ring.iter().map(|(x, y)| json!([x, y])).collect())
        .collect();
    Some(json!({"type": "Polygon", "coordinates": coords}))
}

/// An area's outline (its units' cells dissolved, and its polygons) as a GeoJSON Polygon or
/// MultiPolygon (EPSG:25832).
fn area_geometry(r: &Run, units: &[String]) -> serde_json::Value {
    let cells: Vec<(i64, i64)> = units
        .iter()
        .filter_map(|u| r.cells.get(u).copied())
        .collect();
    let mut polygons = kvarter_screen::geometry::dissolve(&cells, f64::from(r.cell_size));
    polygons.extend(units.iter().filter_map(|u| r.shapes.get(u).cloned()));
    let coords: Vec<serde_json::Value> = polygons
        .iter()
        .map(|p| {
            json!(
                p.iter()
                    .map(|ring| ring.iter().map(|(x, y)| json!([x, y])).collect::<Vec<_>>())
                    .collect::<Vec<_>>()
            )
        })
        .collect();
    if coords.len() == 1 {
        json!({"type": "Polygon", "coordinates": coords[0]})
    } else {
        json!({"type": "MultiPolygon", "coordinates": coords})
    }
}

fn estimate_row(e: &kvarter_screen::Estimate) -> Option<kvarter_store::EstimateRow> {
    Some(kvarter_store::EstimateRow {
        value: decimal_text(e.value)?,
        num: decimal_text(e.num).unwrap_or_default(),
        den: decimal_text(e.den).unwrap_or_default(),
        low: e.interval.and_then(|i| decimal_text(i.low)),
        high: e.interval.and_then(|i| decimal_text(i.high)),
        p_meets: e.p_meets.and_then(decimal_text),
        weight_on_district: decimal_text(e.weight_on_district).unwrap_or_else(|| "0".into()),
    })
}

/// A value's name as the engine serialises it (`"within_interval"`, `"state_listed"`).
fn tag<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other["reason"].as_str().unwrap_or_default().to_string(),
        Err(_) => String::new(),
    }
}

fn criterion_rows(
    criteria: &[kvarter_screen::CriterionResult],
) -> Vec<kvarter_store::ScreeningCriterionRow> {
    criteria
        .iter()
        .map(|c| kvarter_store::ScreeningCriterionRow {
            criterion: c.criterion.clone(),
            indicator: c.indicator.clone(),
            kvarter_default: c.kvarter_default,
            raw: c.raw.as_ref().and_then(estimate_row),
            shrunk: c.shrunk.as_ref().and_then(estimate_row),
            city: c.city.and_then(decimal_text),
            gap: c.gap.and_then(decimal_text),
            comparison: c.comparison.and_then(decimal_text),
            value_threshold: c.value_threshold.and_then(decimal_text),
            met: c.met,
            certainty: tag(&c.certainty),
        })
        .collect()
}

/// The screening as the store's typed rows: the designated areas with their outlines and
/// criteria, the city values, and the publishable units with theirs. Units under the spec's
/// minimum population are counted, never included; the components too small to be designated
/// are counted only.
pub fn rows(r: &Run, municipality: &str) -> kvarter_store::ScreeningRun {
    let s = &r.screening;
    let ids = |v: &[String]| v.to_vec();
    kvarter_store::ScreeningRun {
        spec: s.spec.clone(),
        year: r.year,
        without_origin: r.without_origin,
        municipality: municipality.to_string(),
        data_year: i32::from(r.data_year),
        cell_size_m: r.cell_size,
        designate_on: tag(&s.options.designate_on),
        level: decimal_text(s.options.level).unwrap_or_default(),
        units_suppressed: s.units.iter().filter(|u| u.suppressed).count() as u64,
        unit_criteria_partial: false,
        components_below_minimum: s.rejected.len() as u64,
        defaults: s.defaults.clone(),
        notes: s.notes.clone(),
        state_listed: r.listed.clone(),
        areas: s
            .areas
            .iter()
            .filter(|a| a.designated)
            .map(|a| kvarter_store::ScreeningAreaRow {
                id: a.id.clone(),
                reason: tag(&a.reason),
                units: ids(&a.units),
                districts: ids(&a.districts),
                population: a.population,
                suppressed: a.suppressed,
                state_listed_units: ids(&a.state_listed_units),
                filled_holes: ids(&a.filled_holes),
                fragile_units: ids(&a.fragile_units),
                fragile_population: a.fragile_population,
                met: u32::try_from(a.met).unwrap_or(u32::MAX),
                qualifies_as_whole: a.qualifies_as_whole,
                index: a.index.and_then(decimal_text),
                geometry: Some(area_geometry(r, &a.units).to_string()),
                criteria: criterion_rows(&a.criteria),
                name: derived_name(r, &a.units).unwrap_or_else(|| a.id.clone()),
                name_from: "derived".to_string(),
                listed_estates: listed_estates(r, &a.units),
            })
            .collect(),
        city: s
            .city
            .iter()
            .map(|c| kvarter_store::ScreeningCityRow {
                criterion: c.criterion.clone(),
                indicator: c.indicator.clone(),
                num: decimal_text(c.num).unwrap_or_default(),
                den: decimal_text(c.den).unwrap_or_default(),
                value: c.value.and_then(decimal_text),
                sd: c.sd.and_then(decimal_text),
                units: c.units as u64,
            })
            .collect(),
        units: s
            .publishable_units()
            .map(|u| kvarter_store::ScreeningUnitRow {
                id: u.id.clone(),
                district: u.district.clone(),
                cell: u.cell,
                population: u.population,
                met: u32::try_from(u.met).unwrap_or(u32::MAX),
                evaluable: u32::try_from(u.evaluable).unwrap_or(u32::MAX),
                score: u.score.and_then(decimal_text),
                score_low: u.score_bounds.and_then(|b| decimal_text(b.low)),
                score_high: u.score_bounds.and_then(|b| decimal_text(b.high)),
                qualifies: u.qualifies,
                undetermined: u.undetermined,
                fragile: u.fragile,
                near_miss: u.near_miss,
                state_listed: u.state_listed,
                inclusion: u.inclusion.as_ref().map(tag),
                component: u.component.clone(),
                designated: u.designated,
                index: u.index.and_then(decimal_text),
                geometry: unit_geometry(r, &u.id).map(|g| g.to_string()),
                criteria: criterion_rows(&u.criteria),
            })
            .collect(),
    }
}

/// A designated area's name from the estates and quarters inside it
/// (`kvarter_screen::rounds::derived_name`).
fn derived_name(r: &Run, units: &[String]) -> Option<String> {
    kvarter_screen::rounds::derived_name(&members(r, units))
}

/// The register folder's areas inside a designated area (its units' residents summed).
fn members(r: &Run, units: &[String]) -> Vec<kvarter_screen::rounds::Member> {
    let mut residents: BTreeMap<&str, u64> = BTreeMap::new();
    for u in units {
        for (area, n) in r.members.get(u).into_iter().flatten() {
            *residents.entry(area).or_default() += n;
        }
    }
    residents
        .into_iter()
        .map(|(id, n)| kvarter_screen::rounds::Member {
            id: id.to_string(),
            name: r.names.get(id).cloned().unwrap_or_default(),
            residents: n,
            estate: r.estates.contains(id),
        })
        .collect()
}

/// The state-listed estates with residents inside a designated area, with their lists.
fn listed_estates(r: &Run, units: &[String]) -> Vec<kvarter_store::ListedEstate> {
    members(r, units)
        .into_iter()
        .filter_map(|m| {
            let lists = r.listed.get(&m.id)?;
            Some(kvarter_store::ListedEstate {
                lists: lists.clone(),
                name: m.name,
                id: m.id,
            })
        })
        .collect()
}

fn f1(x: f64, lang: Lang) -> String {
    fixed(x, 2, lang)
}

/// With its sign, `+1,23` or `-0,40`: a gap that grew or shrank.
fn signed(x: f64, lang: Lang) -> String {
    let v = fixed(x, 1, lang);
    if x > 0.0 { format!("+{v}") } else { v }
}

/// One designated area in plain language: every criterion with raw and shrunk values, the
/// interval, the probability that it is truly met, the gap to the city, and what the area holds.
pub fn explain_area(r: &Run, spec: &Spec, id: &str, lang: Lang) -> Result<String, Failure> {
    use std::fmt::Write;
    let s_ = &r.screening;
    let Some(a) = s_.areas.iter().chain(&s_.rejected).find(|a| a.id == id) else {
        let known: Vec<&str> = s_.areas.iter().map(|a| a.id.as_str()).collect();
        return Err(Failure(format!(
            "--area {id}: no such area in the screening of {}; expected one of: {}",
            r.year,
            known.join(", ")
        )));
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} · {} {} {}",
        a.id,
        spec.id,
        lang.t("år", "year"),
        r.year
    );
    let verdict = match (&a.reason, a.designated) {
        (kvarter_screen::AreaReason::StateListed, _) => lang.t("udpeget: rummer et område på statens lister", "designated: holds an area on the state's lists").to_string(),
        (kvarter_screen::AreaReason::MinPopulation, true) => lang.t("udpeget: sammenhængende celler, der opfylder kriterierne, med mindst mindstebefolkningen", "designated: contiguous qualifying cells reaching the minimum population").to_string(),
        (kvarter_screen::AreaReason::BelowMinimum { population, minimum }, _) => format!(
            "{} {} < {}",
            lang.t("ikke udpeget: for få beboere", "not designated: too few residents"),
            number((*population).into(), lang),
            number((*minimum).into(), lang)
        ),
        _ => lang.t("ikke udpeget", "not designated").to_string(),
    };
    let _ = writeln!(s, "{verdict}");
    let _ = writeln!(
        s,
        "{} {} · {} {} · {} {}",
        number(a.population.into(), lang),
        lang.t("beboere", "residents"),
        a.units.len(),
        lang.t("celler", "cells"),
        lang.t("bydele", "districts"),
        a.districts.join(", ")
    );
    if !a.state_listed_units.is_empty() {
        let _ = writeln!(
            s,
            "{}: {}",
            lang.t(
                "Celler i områder på statens lister",
                "Cells in areas on the state's lists"
            ),
            a.state_listed_units.len()
        );
    }
    if !a.filled_holes.is_empty() {
        let _ = writeln!(
            s,
            "{}: {}",
            lang.t(
                "Enkeltceller lukket inde og taget med",
                "Single enclosed cells taken in"
            ),
            a.filled_holes.len()
        );
    }
    let _ = writeln!(
        s,
        "\n{}",
        lang.t(
            "Kriterier for området som helhed (rå værdi · krympet mod bydelen · byens gennemsnit)",
            "Criteria for the area as a whole (raw · shrunk toward the district · city average)"
        )
    );
    for c in &a.criteria {
        let name = criterion_name(spec, &c.criterion, lang);
        let Some(raw) = &c.raw else {
            let _ = writeln!(s, "  ? {name}: {}", lang.t("ingen værdi", "no value"));
            continue;
        };
        let mark = match c.met {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "?",
        };
        let interval = raw.interval.map_or(String::new(), |i| {
            format!(" [95 %: {}–{}]", pct(i.low, lang), pct(i.high, lang))
        });
        let shrunk = c
            .shrunk
            .as_ref()
            .map_or(String::new(), |e| format!(" · {}", pct(e.value, lang)));
        let _ = writeln!(
            s,
            "  {mark} {name}{}: {}{interval}{shrunk} · {} {}",
            if c.kvarter_default {
                lang.t(
                    " (kvarters standardgrænse)",
                    " (kvarter's default threshold)",
                )
            } else {
                ""
            },
            pct(raw.value, lang),
            lang.t("by", "city"),
            c.city.map_or("–".into(), |v| pct(v, lang)),
        );
        let mut extra = Vec::new();
        if let Some(cmp) = c.comparison {
            extra.push(format!(
                "{} {}",
                lang.t("sammenligning", "comparison"),
                f1(cmp, lang)
            ));
        }
        if let Some(p) = raw.p_meets {
            extra.push(format!(
                "{} {}",
                lang.t(
                    "sandsynlighed for at kriteriet reelt er opfyldt",
                    "probability the criterion is truly met"
                ),
                f1(p, lang)
            ));
        }
        if matches!(c.certainty, kvarter_screen::Certainty::WithinInterval) {
            extra.push(
                lang.t(
                    "grænsen ligger inden for intervallet: usikker",
                    "the threshold lies within the interval: uncertain",
                )
                .to_string(),
            );
        }
        if !extra.is_empty() {
            let _ = writeln!(s, "      {}", extra.join(" · "));
        }
    }
    if a.fragile_population > 0 {
        let _ = writeln!(
            s,
            "\n{} {} ({} {})",
            number(a.fragile_population.into(), lang),
            lang.t("beboere bor i celler, hvis udpegning hviler på en værdi inden for sit interval om grænsen", "residents live in cells whose designation rests on a value within its interval of the threshold"),
            a.fragile_units.len(),
            lang.t("celler", "cells")
        );
    }
    if let Some(i) = a.index {
        let _ = writeln!(
            s,
            "{}: {}",
            lang.t(
                "Udsathedsindeks (1 = byens gennemsnit)",
                "Vulnerability index (1 = the city average)"
            ),
            f1(i, lang)
        );
    }
    Ok(s)
}

/// What changed between two screenings: areas that entered and left, and for each area of the
/// later year its vulnerability index and gaps in both years over the same units.
pub fn trend(before: &Run, after: &Run, spec: &Spec, lang: Lang) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let rev = kvarter_screen::compare_screenings(&before.screening, &after.screening, 0.5);
    let _ = writeln!(
        s,
        "{} {}–{} ({})",
        lang.t("Udvikling", "Change"),
        before.year,
        after.year,
        spec.id
    );
    let designated = |r: &Run| -> BTreeSet<String> {
        r.screening
            .areas
            .iter()
            .filter(|a| a.designated)
            .map(|a| a.id.clone())
            .collect()
    };
    let _ = writeln!(
        s,
        "  {}: {}",
        lang.t("Nye udpegede områder", "Areas that entered"),
        rev.entered
            .iter()
            .filter(|a| designated(after).contains(*a))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "  {}: {}",
        lang.t("Områder, der er faldet ud", "Areas that left"),
        rev.left
            .iter()
            .filter(|a| designated(before).contains(*a))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    let members_all: BTreeSet<String> = after
        .screening
        .areas
        .iter()
        .filter(|a| a.designated)
        .flat_map(|a| a.units.iter().cloned())
        .collect();
    let idx = |r: &Run, m: &BTreeSet<String>| {
        let p = kvarter_screen::points(spec, &r.units, m, r.without_origin);
        (
            kvarter_screen::vulnerability_index(spec, &p, r.without_origin),
            p,
        )
    };
    let (i0, _) = idx(before, &members_all);
    let (i1, _) = idx(after, &members_all);
    if let (Some(i0), Some(i1)) = (i0, i1) {
        let ch = kvarter_screen::index_change(i0.value, i1.value);
        let _ = writeln!(
            s,
            "  {} {} → {} ({} {} %)",
            lang.t(
                "Udsathedsindeks for årets udpegede celler",
                "Vulnerability index of this year's designated cells"
            ),
            f1(i0.value, lang),
            f1(i1.value, lang),
            lang.t("ændring", "change"),
            f1(ch.relative_change * 100.0, lang)
        );
    }
    for a in after.screening.areas.iter().filter(|a| a.designated) {
        let m: BTreeSet<String> = a.units.iter().cloned().collect();
        let (b, pb) = idx(before, &m);
        let (n, pn) = idx(after, &m);
        let _ = writeln!(
            s,
            "\n  {} ({} {}): {} {} → {}",
            a.id,
            number(a.population.into(), lang),
            lang.t("beboere", "residents"),
            lang.t("indeks", "index"),
            b.map_or("–".into(), |i| f1(i.value, lang)),
            n.map_or("–".into(), |i| f1(i.value, lang))
        );
        let g0: BTreeMap<String, kvarter_screen::Gap> =
            kvarter_screen::gaps(spec, &pb, before.without_origin)
                .into_iter()
                .map(|g| (g.criterion.clone(), g))
                .collect();
        for g in kvarter_screen::gaps(spec, &pn, after.without_origin) {
            let was = g0
                .get(&g.criterion)
                .map_or("–".into(), |x| signed(x.difference * 100.0, lang));
            let _ = writeln!(
                s,
                "      {:<34} {} {} → {} {}",
                criterion_name(spec, &g.criterion, lang),
                lang.t("afstand til byen", "gap to the city"),
                was,
                signed(g.difference * 100.0, lang),
                lang.t("procentpoint", "points")
            );
        }
        if let Some(goal) = kvarter_screen::gap_goal(spec, &pb, &pn, after.without_origin) {
            let _ = writeln!(
                s,
                "      {}: {} {} {} {} {} ({})",
                lang.t(
                    "Målet om at halvere afstanden",
                    "The goal of halving the gap"
                ),
                goal.reached,
                lang.t("af", "of"),
                goal.counted,
                lang.t("kriterier; kræver", "criteria; requires"),
                goal.required,
                if goal.met {
                    lang.t("nået", "met")
                } else {
                    lang.t("ikke nået", "not met")
                }
            );
        }
    }
    s
}
