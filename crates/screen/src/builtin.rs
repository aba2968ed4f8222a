//! The screening specs shipped with kvarter: the files of the repository's `rules/screening/`
//! folder, compiled in so that the binary runs without the source tree.

use crate::spec::{Spec, SpecError};

/// `(file name, text)` of every built-in spec, oldest first.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "rules/screening/kbh-2011.toml",
        include_str!("../../../rules/screening/kbh-2011.toml"),
    ),
    (
        "rules/screening/kbh-2017.toml",
        include_str!("../../../rules/screening/kbh-2017.toml"),
    ),
    (
        "rules/screening/kbh-2025.toml",
        include_str!("../../../rules/screening/kbh-2025.toml"),
    ),
];

/// Every built-in spec, parsed, oldest first.
pub fn specs() -> Result<Vec<Spec>, SpecError> {
    SOURCES.iter().map(|(f, s)| Spec::parse(f, s)).collect()
}

/// One built-in spec by id (`kbh-2025`), or `None`.
pub fn spec(id: &str) -> Option<Result<Spec, SpecError>> {
    SOURCES
        .iter()
        .map(|(f, s)| Spec::parse(f, s))
        // A built-in file that does not parse is returned as the error: it is a bug to fix,
        // not a spec to skip.
        .find(|r| r.as_ref().map_or(true, |s| s.id == id))
}
