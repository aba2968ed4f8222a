//! The populations the municipality's policy measures its indicators on, counted per data year
//! at load (`load --registers DIR --screen SPEC`), for `kvarter_view::population`.
//!
//! The designation round is the stored screening (with the origin criterion): its designated
//! areas are held fixed as sets of the spec's units and followed through every data year of
//! the register folder. Per data year and indicator of the screening vocabulary, the load sums
//! the numerators and denominators over every unit of each population — the designated areas
//! together, each one alone, the whole municipality — and over each housing estate of the
//! municipality (counted directly from the persons' area, not from cells). Small units are
//! summed in and never stored on their own.

use crate::Failure;
use kvarter_store::{PopulationCount, ScreeningRun};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Sums of (num, den) per (population key, indicator).
type Sums = BTreeMap<(String, &'static str), (f64, f64)>;

fn add(sums: &mut Sums, population: &str, counts: &kvarter_data::CellCounts) {
    for (ind, f) in &counts.indicators {
        if f.num.is_finite() && f.den.is_finite() {
            let e = sums.entry((population.to_string(), ind)).or_default();
            e.0 += f.num;
            e.1 += f.den;
        }
    }
}

/// Counts the populations of `round` (the stored screening with the origin criterion) in every
/// data year of `data_years`.
pub(crate) fn count(
    registers: &Path,
    round: &ScreeningRun,
    municipality: u16,
    areas: &[kvarter_data::Area],
    data_years: &[i16],
) -> Result<Vec<PopulationCount>, Failure> {
    let unit_of: BTreeMap<&str, &str> = round
        .areas
        .iter()
        .flat_map(|a| a.units.iter().map(move |u| (u.as_str(), a.id.as_str())))
        .collect();
    let kind = if round.cell_size_m > 0 {
        kvarter_data::Units::Grid(round.cell_size_m)
    } else {
        kvarter_data::Units::Areas
    };
    let tables = kvarter_data::read_area_tables(registers)?;
    let mut out = Vec::new();
    for &year in data_years {
        let mut sums = Sums::new();
        let cells =
            kvarter_data::read_units(registers, year, kind, Some(municipality), areas, &tables)?;
        for c in &cells {
            add(&mut sums, "municipality", c);
            if let Some(area) = unit_of.get(c.id.as_str()) {
                add(&mut sums, "designated", c);
                add(&mut sums, &format!("area:{area}"), c);
            }
        }
        let estates = kvarter_data::read_units(
            registers,
            year,
            kvarter_data::Units::Areas,
            Some(municipality),
            areas,
            &tables,
        )?;
        let social: BTreeSet<&str> = areas
            .iter()
            .filter(|a| a.social_housing && a.municipality == municipality)
            .map(|a| a.id.as_str())
            .collect();
        for e in estates.iter().filter(|e| social.contains(e.id.as_str())) {
            add(&mut sums, &format!("estate:{}", e.id), e);
        }
        for ((population, indicator), (num, den)) in sums {
            let (Some(num), Some(den)) = (
                kvarter_store::screening::decimal_text(num),
                kvarter_store::screening::decimal_text(den),
            ) else {
                continue;
            };
            out.push(PopulationCount {
                spec: round.spec.clone(),
                round: round.year,
                population,
                data_year: i32::from(year),
                indicator: indicator.to_string(),
                num,
                den,
            });
        }
    }
    Ok(out)
}
