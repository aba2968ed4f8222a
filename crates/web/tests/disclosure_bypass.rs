//! The web crate renders figures only through the disclosure policy (`docs/DISCLOSURE.md`):
//! it never calls the one way around it, `PublishedCriterion::unrestricted`, which exists for
//! the analyst's own terminal output of their own files. The disclosure audit
//! (`crates/cli/tests/disclosure.rs`) checks what is served; this checks that the bypass is not
//! even written here.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_face_calls_the_unrestricted_constructor() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 5, "the web crate's sources were not found");
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .contains("unrestricted(")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "a face bypasses the disclosure policy: {offenders:?}"
    );
}
