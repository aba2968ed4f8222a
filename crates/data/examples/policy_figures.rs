//! The figures of Copenhagen's 2025 policy for udsatte byområder, computed on a register folder:
//! for the cells of the designated areas of one screening (held fixed) and for the rest of the
//! city, in every data year of the folder. `docs/synth/policy_figures.sh` runs it on the
//! synthetic capital; `docs/SYNTH.md` shows the table and the policy's targets.
//!
//! ```sh
//! kvarter screen --registers DIR --spec kbh-2025 --format json > screening.json
//! cargo run --release -p kvarter-data --example policy_figures -- DIR screening.json [MUNICIPALITY]
//! ```
//!
//! Prints CSV: `year,figure,areas,rest,ratio`, shares in per cent. The indicators are the data
//! crate's own ([`kvarter_data::read_units`] on 100 m cells), so the figures are the ones the
//! screening sees. Besides the areas and the rest of the city it prints the safest district's
//! share feeling safe and the lowest polling district's turnout (the policy's "90 % in the
//! safest district" and "33.27 % at one polling station"), with no value in `rest`.

use kvarter_data::{AreaTables, CellCounts, Units, read_area_tables, read_areas, read_units};
use std::collections::BTreeSet;
use std::path::Path;

/// The policy's figures: (name in the output, indicator, shown as 1 − share).
const FIGURES: [(&str, &str, bool); 7] = [
    ("without_attachment", "outside_labour_share", false),
    ("only_basic_school", "basic_education_share", false),
    ("turnout", "turnout_share", false),
    ("safe_at_night", "unsafe_share", true),
    ("poor_health", "poor_health_share", false),
    (
        "no_youth_education_at_25",
        "no_youth_education_at_25_share",
        false,
    ),
    ("child_poverty", "child_poverty_share", false),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: policy_figures DIR SCREENING.json [MUNICIPALITY]");
        std::process::exit(2);
    }
    let dir = Path::new(&args[1]);
    let municipality: u16 = args
        .get(3)
        .map_or(101, |m| m.parse().expect("a municipality code"));
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&args[2])
            .expect("the screening's JSON (kvarter screen --format json)"),
    )
    .expect("JSON");
    let members: BTreeSet<String> = doc["designated_areas"]
        .as_array()
        .expect("designated_areas")
        .iter()
        .flat_map(|a| a["units"].as_array().expect("units").iter())
        .map(|u| u.as_str().expect("a cell id").to_string())
        .collect();
    let cell_size = doc["cell_size_m"].as_u64().expect("a grid screening") as u32;
    let areas = read_areas(&dir.join("areas.csv")).unwrap_or_else(|e| fail(e));
    let tables = read_area_tables(dir).unwrap_or_else(|e| fail(e));
    let mut years: Vec<i16> = std::fs::read_dir(dir)
        .expect("the register folder")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_prefix("persons-")?
                .strip_suffix(".parquet")?
                .parse()
                .ok()
        })
        .collect();
    years.sort_unstable();
    println!("year,figure,areas,rest,ratio");
    for year in years {
        let cells = read_units(
            dir,
            year,
            Units::Grid(cell_size),
            Some(municipality),
            &areas,
            &tables,
        )
        .unwrap_or_else(|e| fail(e));
        for (name, indicator, invert) in FIGURES {
            let (a, r) = pooled(&cells, &members, indicator);
            let (Some(a), Some(r)) = (a, r) else { continue };
            let (a, r) = if invert { (1.0 - a, 1.0 - r) } else { (a, r) };
            let ratio = if invert { (1.0 - a) / (1.0 - r) } else { a / r };
            println!("{year},{name},{:.1},{:.1},{ratio:.2}", 100.0 * a, 100.0 * r);
        }
        extremes(&tables, year, municipality, &cells);
    }
}

/// Σ num / Σ den over the member cells and over the other cells.
fn pooled(
    cells: &[CellCounts],
    members: &BTreeSet<String>,
    indicator: &str,
) -> (Option<f64>, Option<f64>) {
    let (mut an, mut ad, mut rn, mut rd) = (0.0, 0.0, 0.0, 0.0);
    for c in cells {
        let Some(f) = c.indicators.get(indicator) else {
            continue;
        };
        if members.contains(&c.id) {
            an += f.num;
            ad += f.den;
        } else {
            rn += f.num;
            rd += f.den;
        }
    }
    ((ad > 0.0).then(|| an / ad), (rd > 0.0).then(|| rn / rd))
}

/// The safest district's share feeling safe and the lowest polling district's turnout, among
/// the districts and polling districts the municipality's cells lie in.
fn extremes(tables: &AreaTables, year: i16, municipality: u16, cells: &[CellCounts]) {
    let districts: BTreeSet<u16> = cells.iter().map(|c| c.district).collect();
    let (safety, turnout) = tables.for_year(year);
    if let Some(t) = safety {
        let best = t
            .iter()
            .filter(|(d, _)| districts.contains(d))
            .filter(|(_, (_, n))| *n > 0)
            .map(|(_, (u, n))| 1.0 - *u as f64 / *n as f64)
            .fold(f64::NAN, f64::max);
        if best.is_finite() {
            println!("{year},safe_at_night_safest_district,,{:.1},", 100.0 * best);
        }
    }
    if let Some(t) = turnout {
        // Polling districts of the municipality: in the capital 10000 + 100 × district + k.
        let low = t
            .iter()
            .filter(|(p, _)| municipality != 101 || (10_000..20_000).contains(*p))
            .filter(|(_, (_, n))| *n > 0)
            .map(|(_, (v, n))| *v as f64 / *n as f64)
            .fold(f64::NAN, f64::min);
        let election = tables.election_for(year).unwrap_or(year);
        if low.is_finite() {
            println!(
                "{year},turnout_lowest_polling_district_{election},{:.1},,",
                100.0 * low
            );
        }
    }
}

fn fail(e: kvarter_data::DataError) -> ! {
    eprintln!("{e}");
    std::process::exit(1);
}
