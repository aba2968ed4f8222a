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

/// A running `kvarter serve`, killed when dropped.
pub struct Server {
    /// The process.
    pub child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kvarter serve --db DB` on a free loopback port, with `extra` arguments; returns once it
/// has printed its address.
pub fn serve(db: &Path, extra: &[&str]) -> Server {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_kvarter"))
        .args([
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .args(extra)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("kvarter serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("expected the address on stdout, got {line:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    Server { child, addr }
}
