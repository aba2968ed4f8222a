//! The register extract's person-file reader (`read_persons_csv`, as `kvarter load` reads a
//! `persons-YYYY.csv`), for the data year 2022 and four fixed areas in two regions.
#![no_main]

use kvarter_data::Area;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const AREAS: &str = "area_id,area_name,municipality,municipality_name,region,kind\n\
A1,Område A1,101,By,1084,social_housing\n\
A2,Område A2,101,By,1084,social_housing\n\
A3,Område A3,101,By,1081,social_housing\n\
B1,Område B1,101,By,1081,ordinary\n";

fn areas() -> &'static [Area] {
    static AREAS_READ: OnceLock<Vec<Area>> = OnceLock::new();
    AREAS_READ.get_or_init(|| {
        kvarter_data::read_areas_from("areas.csv", AREAS.as_bytes()).expect("the fixed areas")
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = kvarter_data::read_persons_csv("persons-2022.csv", data, 2022, areas());
});
