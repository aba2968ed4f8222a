//! The history CSV reader (`--history FILE`), with the list ids of the built-in rule sets as the
//! known lists, as the command line reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn known_lists() -> &'static [&'static str] {
    static LISTS: OnceLock<Vec<&'static str>> = OnceLock::new();
    LISTS.get_or_init(|| {
        let catalog: &'static kvarter_rules::Catalog =
            Box::leak(Box::new(kvarter_rules::Catalog::builtin()));
        let mut ids: Vec<&str> = catalog
            .rule_sets()
            .iter()
            .flat_map(|r| r.lists.iter().map(|l| l.id.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = kvarter_criteria::read_history("history.csv", data, known_lists());
});
