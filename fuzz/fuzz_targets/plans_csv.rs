//! The plans CSV reader (`kvarter_plans::csv::read_from`, as `kvarter load --plans DIR` reads the
//! plan files): the input is the files' contents separated by NUL bytes, in the order of
//! `kvarter_plans::csv::FILES` (policies.csv first); files past the input are absent, as in a
//! folder without them.
#![no_main]

use kvarter_plans::csv::{FILES, read_from};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files: Vec<(String, &[u8])> = data
        .split(|b| *b == 0)
        .zip(FILES)
        .map(|(content, (name, _))| (name.to_string(), content))
        .collect();
    let _ = read_from(files);
});
