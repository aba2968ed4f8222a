//! The condition parser of the rule files (`Expr::parse`), on its own: the names of the built-in
//! rule sets' criteria and lists are known, any other name is unknown.
#![no_main]

use kvarter_rules::Expr;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Name → whether it is a list (true) or a criterion (false).
fn names() -> &'static BTreeMap<String, bool> {
    static NAMES: OnceLock<BTreeMap<String, bool>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut out = BTreeMap::new();
        for r in kvarter_rules::Catalog::builtin().rule_sets() {
            for c in r.criteria.iter().chain(&r.origin) {
                out.insert(c.id.clone(), false);
            }
            for l in &r.lists {
                out.insert(l.id.clone(), true);
            }
        }
        out
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = Expr::parse(src, &|name| names().get(name).copied());
    }
});
