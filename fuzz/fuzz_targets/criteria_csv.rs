//! The criteria CSV reader (`kvarter evaluate --criteria FILE`): any bytes are read or refused
//! with an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kvarter_criteria::read_criteria("criteria.csv", data);
});
