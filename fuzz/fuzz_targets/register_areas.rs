//! The register extract's `areas.csv` reader (`read_areas_from`, as `kvarter load` reads it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kvarter_data::read_areas_from("areas.csv", data);
});
