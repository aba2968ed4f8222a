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
    /// Cell id → (column, row), for geometry.
    pub cells: BTreeMap<String, (i64, i64)>,
    /// Area id → name, for the state-listed areas.
    pub names: BTreeMap<String, String>,
}

/// Runs the screening.
pub fn run(r: &Request<'_>) -> Result<Run, Failure> {
    let cell_size = match r.spec.unit.kind {
        UnitKind::Grid { cell_size_m, .. } => cell_size_m,
        UnitKind::Polygons => {
            return Err(Failure(format!(
                "spec {} screens polygons that the user supplies; `kvarter screen` screens grid specs (e.g. kbh-2025) for now",
                r.spec.id
            )));
        }
    };
    // The state's lists of the screening year, from the same registers (all data years, for
    // the streaks behind omdannelsesområder).
    let registers = kvarter_data::read_registers(r.registers, None, &mut progress_bar())?;
    let last_data_year = *registers
        .years
        .keys()
        .last()
        .expect("read_registers found a year");
    let year = r.year.unwrap_or(i32::from(last_data_year) + 1);
    let data_year = i16::try_from(year - 1)
        .map_err(|_| Failure(format!("--year {year}: expected a year such as 2025")))?;
    if !registers.years.contains_key(&data_year) {
        let years: Vec<String> = registers
            .years
            .keys()
            .map(|y| (i32::from(*y) + 1).to_string())
            .collect();
        return Err(Failure(format!(
            "--year {year}: the screening of {year} uses data year {data_year}, which {} does not have; expected one of: {}",
            r.registers.display(),
            years.join(", ")
        )));
    }
    let observations = kvarter_data::observations(&registers, r.catalog, &[]);
    let eval = evaluate(
        r.catalog,
        &observations,
        &History::new(),
        &EvalOptions::default(),
    )?;
    let mut listed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in eval.areas.iter().filter(|a| a.list_year == year) {
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
    let cells = kvarter_data::read_cells(
        r.registers,
        data_year,
        cell_size,
        Some(r.municipality),
        &registers.areas,
        &tables,
    )?;
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
        if in_listed * 2 > c.population {
            state_listed.insert(c.id.clone());
        }
    }
    let units: Vec<Unit> = cells
        .iter()
        .map(|c| Unit {
            id: c.id.clone(),
            district: c.district.to_string(),
            cell: Some(c.cell),
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
    let screening =
        kvarter_screen::screen(r.spec, &units, &Neighbours::grid(), &state_listed, &options);
    Ok(Run {
        year,
        data_year,
        cell_size,
        screening,
        listed,
        cells: cells.iter().map(|c| (c.id.clone(), c.cell)).collect(),
        names,
    })
}

fn pct(x: f64, lang: Lang) -> String {
    format!(
        "{} %",
        number(
            kvarter_rules::Decimal::from_f64_retain(x * 100.0)
                .unwrap_or_default()
                .round_dp(1),
            lang
        )
    )
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
        let _ = writeln!(
            s,
            "  {} · {} {} · {} {} · {} {}/{}{}",
            a.id,
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
            let p = raw.p_meets.map_or(String::new(), |p| {
                format!(
                    " P={}",
                    number(
                        kvarter_rules::Decimal::from_f64_retain(p)
                            .unwrap_or_default()
                            .round_dp(2),
                        lang
                    )
                )
            });
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
    let size = f64::from(r.cell_size);
    let features: Vec<serde_json::Value> = r
        .screening
        .areas
        .iter()
        .filter(|a| a.designated)
        .map(|a| {
            let cells: Vec<(i64, i64)> = a
                .units
                .iter()
                .filter_map(|u| r.cells.get(u).copied())
                .collect();
            let polygons = kvarter_screen::geometry::dissolve(&cells, size);
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
            let geometry = if coords.len() == 1 {
                json!({"type": "Polygon", "coordinates": coords[0]})
            } else {
                json!({"type": "MultiPolygon", "coordinates": coords})
            };
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
