//! The rule-file loader (`RuleSet::parse`, as `--rules FILE` and the catalog read a rule file):
//! TOML, the criteria, the lists and their conditions.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A rule file is read as UTF-8 text; other bytes are refused before the loader.
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = kvarter_rules::RuleSet::parse("rules.toml", src);
    }
});
