//! The rule sets shipped with kvarter: the files of the repository's `rules/` folder, compiled
//! into the binary so that it runs anywhere without the source tree.

/// `(file name, text)` of every built-in rule set, oldest first.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "rules/dk-2010.toml",
        include_str!("../../../rules/dk-2010.toml"),
    ),
    (
        "rules/dk-2013.toml",
        include_str!("../../../rules/dk-2013.toml"),
    ),
    (
        "rules/dk-2018.toml",
        include_str!("../../../rules/dk-2018.toml"),
    ),
    (
        "rules/dk-2021.toml",
        include_str!("../../../rules/dk-2021.toml"),
    ),
    (
        "rules/dk-51b.toml",
        include_str!("../../../rules/dk-51b.toml"),
    ),
];

/// `(file name, text)` of every built-in scenario file (`rules/tests/`).
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "rules/tests/dk-2010.toml",
        include_str!("../../../rules/tests/dk-2010.toml"),
    ),
    (
        "rules/tests/dk-2013.toml",
        include_str!("../../../rules/tests/dk-2013.toml"),
    ),
    (
        "rules/tests/dk-2018.toml",
        include_str!("../../../rules/tests/dk-2018.toml"),
    ),
    (
        "rules/tests/dk-2021.toml",
        include_str!("../../../rules/tests/dk-2021.toml"),
    ),
    (
        "rules/tests/dk-51b.toml",
        include_str!("../../../rules/tests/dk-51b.toml"),
    ),
    (
        "rules/tests/streaks.toml",
        include_str!("../../../rules/tests/streaks.toml"),
    ),
    (
        "rules/tests/missing-and-origin.toml",
        include_str!("../../../rules/tests/missing-and-origin.toml"),
    ),
];
