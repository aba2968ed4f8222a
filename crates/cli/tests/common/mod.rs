//! What the command-line test files share: the repository root and running the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `examples/` and `rules/` are.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `kvarter` with these arguments from the repository root.
pub fn kvarter(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kvarter"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the kvarter binary runs")
}

/// Runs `kvarter`, asserts it succeeded, and returns its stdout.
pub fn ok(args: &[&str]) -> String {
    let out = kvarter(args);
    assert!(
        out.status.success(),
        "kvarter {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}
