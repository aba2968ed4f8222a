//! The layering, checked on the source text (issue 12): the store owns every SQL statement, so
//! no module of the web crate but the JSON API's handlers runs one; and the CLI uses the web
//! crate only to serve. Plain text searches: honest, and enough to catch a slip.

use std::path::{Path, PathBuf};

/// The web crate's modules that may still hold SQL: none (the API's handlers read through the
/// store's typed readers too).
const API_MODULES: &[&str] = &[];

/// What the CLI may use of the web crate: serving the dashboard.
const SERVING: &[&str] = &["app", "serve", "Config", "Limits", "demo"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn no_module_of_the_web_crate_runs_sql() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for file in rust_files(&src) {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if API_MODULES.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for call in [
                "prepare(",
                "prepare_cached(",
                "query_row(",
                "query_map(",
                "execute(",
                "execute_batch(",
            ] {
                if line.contains(&format!(".{call}")) {
                    found.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL in the web crate outside the API handlers; expected a typed reader in kvarter-store:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_cli_uses_the_web_crate_only_to_serve() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/src");
    let mut found = Vec::new();
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (i, _) in code.match_indices("kvarter_web::") {
                let rest = &code[i + "kvarter_web::".len()..];
                let item: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if SERVING.contains(&item.as_str()) {
                    continue;
                }
                found.push(format!(
                    "{}:{}: {}",
                    file.file_name().unwrap().to_string_lossy(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the CLI uses kvarter-web beyond serving; expected the model from kvarter-view and the rows from kvarter-store:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_module_of_the_web_crate_evaluates_the_law() {
    // The explanation's evaluation is kvarter_report's, the what-if's kvarter-whatif's: the
    // web crate renders what they return.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("evaluate(") || code.contains("kvarter_rules::evaluate") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the web crate evaluates the law: {found:#?}"
    );
}
