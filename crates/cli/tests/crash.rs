//! `kill -9` at random points of `export` and `synth`: what is left is always either whole
//! or refused as incomplete, and the next run cleans up after the killed one.
//!
//! - `export`: the manifest and the output are written under temporary names and renamed
//!   manifest first, so after any kill the manifest is whole JSON, the output is one of the
//!   two complete outputs, and when they disagree it is the killed run's manifest beside the
//!   previous output (which `verify` reports). The next run removes the `.NAME.PID.tmp` files.
//! - `synth`: the folder's `kvarter-synth.txt` says `complete` only once every file is in
//!   place; after a kill `lists --registers` either reads a whole folder or refuses it as
//!   incomplete. The next run removes the `.partial` files.

mod common;

use common::{kvarter, ok};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-crash-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small pseudo-random generator, seeded from the clock (the seed is printed on failure).
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        eprintln!("seed {seed}");
        Rng(seed | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Starts `kvarter args`, kills it with SIGKILL after `after`, and waits for it.
fn kill_after(args: &[&str], after: Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kvarter"))
        .args(args)
        .current_dir(common::root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The files in `dir` whose names start with `.` (temporaries).
fn hidden(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn a_killed_export_leaves_its_output_and_manifest_whole_or_told_apart() {
    let dir = folder("export");
    let db = dir.join("k.db");
    ok(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        db.to_str().unwrap(),
    ]);
    let out = dir.join("lists.xlsx");
    let manifest = dir.join("lists.xlsx.manifest.json");
    let args = |lang: &'static str| -> Vec<String> {
        [
            "export",
            "--db",
            db.to_str().unwrap(),
            "--what",
            "areas",
            "--format",
            "xlsx",
            "--lang",
            lang,
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    // The two complete states, and how long a run takes.
    let mut whole = Vec::new();
    let mut took = Duration::ZERO;
    for lang in ["en", "da"] {
        let a = args(lang);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let t = Instant::now();
        ok(&a);
        took = took.max(t.elapsed());
        whole.push((
            lang,
            sha(&std::fs::read(&out).unwrap()),
            std::fs::read(&manifest).unwrap(),
        ));
    }
    let find = |lang: &str| whole.iter().find(|w| w.0 == lang).unwrap().clone();
    let mut rng = Rng::new();
    let mut last = "da";
    let mut mixed = 0;
    for i in 0..30 {
        let lang = if i % 2 == 0 { "en" } else { "da" };
        let a = args(lang);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let after = Duration::from_micros(rng.below(took.as_micros() as u64 * 3 / 2));
        kill_after(&a, after);
        let m = std::fs::read(&manifest).unwrap();
        let doc: serde_json::Value =
            serde_json::from_slice(&m).expect("the manifest is whole JSON after a kill");
        let out_sha = sha(&std::fs::read(&out).unwrap());
        let recorded = doc["outputs"][0]["sha256"].as_str().unwrap().to_string();
        let (new, old) = (find(lang), find(last));
        if recorded == out_sha {
            // Whole: both old or both new.
            assert!(
                (m == new.2 && out_sha == new.1) || (m == old.2 && out_sha == old.1),
                "kill {i} after {after:?}: a manifest and output of no run"
            );
            if out_sha == new.1 {
                last = lang;
            }
        } else {
            // Killed between the renames: the new manifest, the old output; verify says so.
            assert!(
                m == new.2 && out_sha == old.1,
                "kill {i} after {after:?}: an output the manifest does not name"
            );
            let v = kvarter(&["verify", manifest.to_str().unwrap()]);
            assert!(!v.status.success());
            mixed += 1;
            last = lang;
            // The output is now the old one under the new manifest; a full run repairs it.
            let a = args(lang);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            ok(&a);
        }
    }
    eprintln!("{mixed} of 30 kills fell between the two renames");
    // A complete run removes what the killed ones left, and verifies.
    let a = args("en");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    ok(&a);
    assert_eq!(hidden(&dir), Vec::<String>::new(), "temporaries left");
    ok(&["verify", manifest.to_str().unwrap()]);
}

#[test]
fn a_stale_export_temporary_is_removed_and_a_live_one_kept() {
    let dir = folder("stale");
    let db = dir.join("k.db");
    ok(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        db.to_str().unwrap(),
    ]);
    let out = dir.join("lists.csv");
    // A process id that is not running (the kernel's limit is far below it) and our own,
    // which is alive while the test runs.
    let stale = [
        dir.join(".lists.csv.4194999.tmp"),
        dir.join(".lists.csv.manifest.json.4194999.tmp"),
    ];
    let live = dir.join(format!(".lists.csv.{}.tmp", std::process::id()));
    for p in stale.iter().chain([&live]) {
        std::fs::write(p, b"half").unwrap();
    }
    ok(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--what",
        "lists",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    for p in &stale {
        assert!(!p.exists(), "{} was left", p.display());
    }
    assert!(
        live.exists(),
        "the temporary of a running process was removed"
    );
}

#[test]
fn a_killed_synth_leaves_a_folder_that_is_whole_or_refused_as_incomplete() {
    let dir = folder("synth");
    let regs = dir.join("regs");
    let synth = [
        "synth",
        "--scale",
        "tiny",
        "--years",
        "2016-2024",
        "--out",
        regs.to_str().unwrap(),
    ];
    let t = Instant::now();
    ok(&synth);
    let took = t.elapsed();
    let whole = ok(&[
        "lists",
        "--registers",
        regs.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let mut rng = Rng::new();
    let (mut refused, mut complete) = (0, 0);
    for i in 0..12 {
        let after = Duration::from_micros(rng.below(took.as_micros() as u64));
        kill_after(&synth, after);
        let marker = std::fs::read_to_string(regs.join("kvarter-synth.txt"))
            .expect("the marker is written before any data file");
        let lists = kvarter(&[
            "lists",
            "--registers",
            regs.to_str().unwrap(),
            "--format",
            "csv",
        ]);
        if marker.starts_with("kvarter synth: complete") {
            assert!(lists.status.success(), "kill {i} after {after:?}");
            assert_eq!(String::from_utf8_lossy(&lists.stdout), whole);
            complete += 1;
        } else {
            let err = String::from_utf8_lossy(&lists.stderr);
            assert!(
                !lists.status.success(),
                "kill {i}: an incomplete folder was read"
            );
            assert!(
                err.contains("kvarter-synth.txt: the register folder is incomplete"),
                "{err}"
            );
            let screen = kvarter(&["screen", "--registers", regs.to_str().unwrap()]);
            assert!(
                !screen.status.success(),
                "kill {i}: screen read an incomplete folder"
            );
            refused += 1;
        }
    }
    eprintln!("{refused} kills left an incomplete folder (refused), {complete} a whole one");
    ok(&synth);
    assert_eq!(hidden(&regs), Vec::<String>::new(), ".partial files left");
    assert_eq!(
        ok(&[
            "lists",
            "--registers",
            regs.to_str().unwrap(),
            "--format",
            "csv"
        ]),
        whole
    );
}
