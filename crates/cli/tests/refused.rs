//! Inputs that were once accepted silently, each now refused with an error naming the file
//! (and line or row and column), a non-zero exit, and nothing written.

mod common;

use common::{kvarter, ok, root};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A fresh folder for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-refused-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `kvarter` expecting a failure; returns its stderr.
fn refused(args: &[&str]) -> String {
    let out = kvarter(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "kvarter {args:?} succeeded:\n{err}");
    err
}

/// The seeded plans for the example criteria, in `dir/plans`, and the store they came from.
fn seeded(dir: &Path) -> (PathBuf, PathBuf) {
    let (db, plans) = (dir.join("k.db"), dir.join("plans"));
    ok(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        db.to_str().unwrap(),
    ]);
    ok(&[
        "plans",
        "seed",
        "--db",
        db.to_str().unwrap(),
        "--out",
        plans.to_str().unwrap(),
    ]);
    (db, plans)
}

#[test]
fn a_plans_folder_missing_a_file_is_refused() {
    let dir = folder("plans");
    let (db, plans) = seeded(&dir);
    std::fs::remove_file(plans.join("indicators.csv")).unwrap();
    let db2 = dir.join("k2.db");
    let err = refused(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        db2.to_str().unwrap(),
        "--plans",
        plans.to_str().unwrap(),
    ]);
    assert!(
        err.contains(&format!(
            "{}: missing; expected all ten plan files",
            plans.join("indicators.csv").display()
        )),
        "{err}"
    );
    assert!(!db2.exists(), "a store was written");

    std::fs::write(
        plans.join("indicators.csv"),
        kvarter_plans::csv::FILES[3].1.join(",") + "\n",
    )
    .unwrap();
    std::fs::remove_file(plans.join("initiatives.csv")).unwrap();
    let out = dir.join("out");
    let err = refused(&[
        "plans",
        "export",
        "--plans",
        plans.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(err.contains("initiatives.csv: missing"), "{err}");
    assert!(!out.exists(), "files were written");
    let _ = db;
}

#[test]
fn a_window_of_four_billion_years_is_refused_with_file_line_and_column() {
    let dir = folder("rules");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    for e in std::fs::read_dir(root().join("rules")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&p, rules.join(p.file_name().unwrap())).unwrap();
        }
    }
    let file = rules.join("dk-2021.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("window_years = "))
        .expect("a window in dk-2021")
        + 1;
    let text = text.replacen("window_years = 2", "window_years = 4000000000", 1);
    let text = text.replacen("window_years = 4\n", "window_years = 4000000000\n", 1);
    std::fs::write(&file, text).unwrap();
    let err = refused(&[
        "lists",
        "--criteria",
        "examples/criteria.csv",
        "--rules-dir",
        rules.to_str().unwrap(),
    ]);
    assert!(
        err.contains(&format!(
            "dk-2021.toml:{line}:16: window_years = 4000000000; expected"
        )),
        "{err}"
    );
}

/// `persons-YEAR.parquet` in `dir` with the first located person's `east` set to `v`.
fn set_east(dir: &Path, year: i32, v: f64) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch};
    let path = dir.join(format!("persons-{year}.parquet"));
    let file = std::fs::File::open(&path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    let schema = batches[0].schema();
    let idx = schema.index_of("east").unwrap();
    let mut done = false;
    let out = std::fs::File::create(&path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(out, schema.clone(), None).unwrap();
    for b in batches {
        let east = b.column(idx).as_primitive::<Float64Type>();
        let values: Float64Array = (0..east.len())
            .map(|i| {
                if east.is_null(i) {
                    None
                } else if !done {
                    done = true;
                    Some(v)
                } else {
                    Some(east.value(i))
                }
            })
            .collect();
        let mut cols: Vec<ArrayRef> = b.columns().to_vec();
        cols[idx] = Arc::new(values);
        w.write(&RecordBatch::try_new(schema.clone(), cols).unwrap())
            .unwrap();
    }
    w.close().unwrap();
    assert!(done);
}

#[test]
fn a_coordinate_that_is_not_finite_is_refused_with_its_row() {
    let dir = folder("coords");
    let regs = dir.join("regs");
    common::synth_tiny("2023-2024", &regs);
    for v in [f64::NAN, f64::INFINITY] {
        set_east(&regs, 2024, v);
        let err = refused(&["screen", "--registers", regs.to_str().unwrap()]);
        assert!(
            err.contains("persons-2024.parquet, row ")
                && err.contains("column east: is ")
                && err.contains("expected a finite coordinate"),
            "{err}"
        );
    }
}
