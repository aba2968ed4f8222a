//! `kvarter export` and `kvarter verify` checked with the programs a municipality opens the
//! files in: GDAL (`ogrinfo`, `ogr2ogr`) reads the GeoJSON in both reference systems and the
//! GeoPackage, LibreOffice converts the workbook, pyarrow reads the Parquet file; the dashboard
//! serves the same bytes for the same table; and `verify` passes on an untouched output and
//! fails, naming what differs, after a byte of the output or the store changes.
//!
//! The tools are needed: a missing one fails the test saying what to install (`.ci/run`
//! installs them), unless `KVARTER_SKIP_TOOLS=1`. Python is `KVARTER_PYTHON`, else the venv
//! `.ci/run` makes in `~/.cache/kvarter-tools`, else `python3`.

mod common;

use common::{kvarter, ok};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The areas the tiny synthetic country has, and the rows of its lists in 2022 (one
/// forebyggelsesområde since the country's calibration of issue 16; four before).
const AREAS: usize = 13;
const LISTS_2022: usize = 1;

/// A store loaded from `synth --scale tiny --years 2016-2024`, made once for all tests here.
fn store() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kvarter-export-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (regs, db) = (dir.join("regs"), dir.join("k.db"));
        common::synth_tiny("2016-2024", &regs);
        ok(&[
            "load",
            "--registers",
            regs.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ]);
        dir
    })
}

/// A fresh folder for one test's files.
fn folder(name: &str) -> PathBuf {
    let dir = store().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `kvarter export --db DB …` into `out`.
fn export(db: &Path, what: &str, year: Option<&str>, format: &str, out: &Path) {
    let mut args = vec![
        "export",
        "--db",
        db.to_str().unwrap(),
        "--what",
        what,
        "--format",
        format,
        "--out",
        out.to_str().unwrap(),
    ];
    if let Some(y) = year {
        args.extend(["--year", y]);
    }
    ok(&args);
    assert!(out.is_file(), "{} was not written", out.display());
    let mut manifest = out.as_os_str().to_os_string();
    manifest.push(".manifest.json");
    assert!(
        Path::new(&manifest).is_file(),
        "no manifest beside {}",
        out.display()
    );
}

fn skipping() -> bool {
    std::env::var("KVARTER_SKIP_TOOLS").is_ok_and(|v| v == "1")
}

/// A program on the PATH, or `None` when it is missing and `KVARTER_SKIP_TOOLS=1`; otherwise
/// a missing program fails the test saying what to install.
fn tool(program: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if skipping() => {
            eprintln!("skipped: {program} is missing (KVARTER_SKIP_TOOLS=1)");
            None
        }
        None => panic!(
            "{program} is needed for the export tests: apt-get install {package} \
             (.ci/run installs it), or set KVARTER_SKIP_TOOLS=1 to skip"
        ),
    }
}

/// A Python with pyarrow, or `None` when there is none and `KVARTER_SKIP_TOOLS=1`.
fn python() -> Option<PathBuf> {
    let python = match std::env::var_os("KVARTER_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => {
            let venv = std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/kvarter-tools/bin/python"));
            venv.filter(|p| p.is_file())
                .unwrap_or_else(|| PathBuf::from("python3"))
        }
    };
    let works = Command::new(&python)
        .args(["-c", "import pyarrow.parquet"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(python);
    }
    if skipping() {
        eprintln!("skipped: no Python with pyarrow (KVARTER_SKIP_TOOLS=1)");
        return None;
    }
    panic!(
        "{} cannot import pyarrow, which the Parquet test needs: python3 -m venv \
         ~/.cache/kvarter-tools && ~/.cache/kvarter-tools/bin/pip install pyarrow (.ci/run does \
         this), or set KVARTER_PYTHON to a Python with pyarrow, or KVARTER_SKIP_TOOLS=1 to skip",
        python.display()
    )
}

/// Runs a program; panics with its stderr when it fails.
fn run(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What `ogrinfo -so -al` says of a one-layer file: feature count, extent, and its text.
fn ogrinfo(ogrinfo: &Path, file: &Path) -> (usize, [f64; 4], String) {
    let text = run(ogrinfo, &["-so", "-al", file.to_str().unwrap()]);
    let count = text
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .unwrap_or_else(|| panic!("no feature count from ogrinfo:\n{text}"))
        .trim()
        .parse()
        .unwrap();
    let extent = text
        .lines()
        .find_map(|l| l.strip_prefix("Extent: "))
        .unwrap_or_else(|| panic!("no extent from ogrinfo:\n{text}"));
    let n: Vec<f64> = extent
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|s| !s.is_empty() && *s != "-")
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(n.len(), 4, "{extent}");
    (count, [n[0], n[1], n[2], n[3]], text)
}

#[test]
fn gdal_reads_the_geojson_in_both_reference_systems_and_the_geopackage() {
    let Some(info) = tool("ogrinfo", "gdal-bin") else {
        return;
    };
    let Some(ogr2ogr) = tool("ogr2ogr", "gdal-bin") else {
        return;
    };
    let db = store().join("k.db");
    let dir = folder("gdal");
    for (what, year, rows) in [("lists", Some("2022"), LISTS_2022), ("areas", None, AREAS)] {
        let wgs84 = dir.join(format!("{what}.geojson"));
        let utm = dir.join(format!("{what}-25832.geojson"));
        let gpkg = dir.join(format!("{what}.gpkg"));
        export(&db, what, year, "geojson", &wgs84);
        export(&db, what, year, "geojson-25832", &utm);
        export(&db, what, year, "gpkg", &gpkg);

        let (n, e, text) = ogrinfo(&info, &wgs84);
        assert_eq!(n, rows, "{what} GeoJSON:\n{text}");
        assert!(text.contains("ID[\"EPSG\",4326]"), "{text}");
        // Inside Denmark: longitude 8–15.5, latitude 54.5–58.
        assert!(
            e[0] >= 8.0 && e[2] <= 15.5 && e[1] >= 54.5 && e[3] <= 58.0,
            "{what}: extent {e:?} is not in Denmark"
        );
        let (n, utm_extent, text) = ogrinfo(&info, &utm);
        assert_eq!(n, rows, "{what} GeoJSON 25832:\n{text}");
        assert!(text.contains("ID[\"EPSG\",25832]"), "{text}");
        let (n, gpkg_extent, text) = ogrinfo(&info, &gpkg);
        assert_eq!(n, rows, "{what} GeoPackage:\n{text}");
        assert!(text.contains("ID[\"EPSG\",25832]"), "{text}");
        assert!(text.contains("using driver `GPKG' successful"), "{text}");
        assert_eq!(utm_extent, gpkg_extent);

        // GDAL's own projection of the GeoPackage (PROJ) agrees with kvarter's to within the
        // rounding to 7 decimals, corner by corner.
        let projected = dir.join(format!("{what}-gdal.geojson"));
        run(
            &ogr2ogr,
            &[
                "-f",
                "GeoJSON",
                "-t_srs",
                "EPSG:4326",
                "-lco",
                "COORDINATE_PRECISION=10",
                projected.to_str().unwrap(),
                gpkg.to_str().unwrap(),
            ],
        );
        let read =
            |p: &Path| -> Value { serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap() };
        let (ours, gdal) = (read(&wgs84), read(&projected));
        let corners = |v: &Value| -> Vec<f64> {
            let mut out = Vec::new();
            for f in v["features"].as_array().unwrap() {
                flatten(&f["geometry"]["coordinates"], &mut out);
            }
            out
        };
        let (a, b) = (corners(&ours), corners(&gdal));
        assert!(!a.is_empty());
        assert_eq!(a.len(), b.len(), "{what}: the same corners");
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-7, "{what}: kvarter {x}, GDAL {y}");
        }
    }
}

fn flatten(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
        Value::Number(n) => out.push(n.as_f64().unwrap()),
        _ => {}
    }
}

/// The records of a CSV file.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn libreoffice_reads_the_workbook_as_the_csv() {
    let Some(soffice) = tool("soffice", "libreoffice-calc-nogui") else {
        return;
    };
    let db = store().join("k.db");
    let dir = folder("libreoffice");
    for (what, year, rows) in [("lists", Some("2022"), LISTS_2022), ("areas", None, AREAS)] {
        let (xlsx, csv) = (
            dir.join(format!("{what}.xlsx")),
            dir.join(format!("{what}.csv")),
        );
        export(&db, what, year, "xlsx", &xlsx);
        export(&db, what, year, "csv", &csv);
        let converted = dir.join("converted");
        let profile = format!("file://{}", dir.join("profile").display());
        run(
            &soffice,
            &[
                &format!("-env:UserInstallation={profile}"),
                "--headless",
                // Comma, double quote, UTF-8, from line 1; cells as shown (2 decimals).
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1",
                "--outdir",
                converted.to_str().unwrap(),
                xlsx.to_str().unwrap(),
            ],
        );
        let from_xlsx = records(&std::fs::read(converted.join(format!("{what}.csv"))).unwrap());
        let from_csv = records(&std::fs::read(&csv).unwrap());
        assert_eq!(from_csv.len(), rows + 1, "{what}: header and rows");
        // The workbook's header is the columns' labels, the CSV's their keys; below the rows
        // the workbook has its notes. The rows are the same, cell for cell.
        assert_eq!(from_xlsx[0].len(), from_csv[0].len());
        assert_eq!(
            &from_xlsx[1..=rows],
            &from_csv[1..],
            "{what}: the rows LibreOffice reads from the workbook"
        );
        assert!(
            from_xlsx[rows + 1..]
                .iter()
                .any(|r| r[0].starts_with("kvarter:"))
        );
    }
}

#[test]
fn pyarrow_reads_the_parquet_with_exact_decimals() {
    let Some(python) = python() else {
        return;
    };
    let db = store().join("k.db");
    let dir = folder("parquet");
    for (what, year, rows) in [("lists", Some("2022"), LISTS_2022), ("areas", None, AREAS)] {
        let (parquet, csv) = (
            dir.join(format!("{what}.parquet")),
            dir.join(format!("{what}.csv")),
        );
        export(&db, what, year, "parquet", &parquet);
        export(&db, what, year, "csv", &csv);
        let script = "import json, sys, pyarrow.parquet as pq\n\
             t = pq.read_table(sys.argv[1])\n\
             print(t.num_rows)\n\
             print(t.schema)\n\
             print(json.dumps({c: [None if v is None else str(v) for v in t.column(c).to_pylist()] for c in t.column_names}))\n\
             print(t.schema.metadata[b'kvarter:notes'].decode())";
        let out = run(&python, &["-c", script, parquet.to_str().unwrap()]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], rows.to_string(), "{what}:\n{out}");
        assert!(
            out.contains("outside_labour_pct: decimal128(38, 2)"),
            "{what}: decimals as decimal128:\n{out}"
        );
        assert!(out.contains("residents: int64"), "{out}");
        assert!(out.contains("residents_suppressed: bool not null"), "{out}");
        let columns: Value = serde_json::from_str(lines[lines.len() - 2]).unwrap();
        let notes: Vec<String> = serde_json::from_str(lines[lines.len() - 1]).unwrap();
        assert!(notes[0].starts_with("kvarter:"), "{notes:?}");
        // Every decimal reads back as exactly the CSV's text (Python's Decimal keeps the
        // scale: 43.40 is "43.40").
        let csv = records(&std::fs::read(&csv).unwrap());
        for key in [
            "outside_labour_pct",
            "convicted_pct",
            "basic_education_pct",
            "income_pct_of_region",
            "non_western_pct",
            "area_id",
        ] {
            let c = csv[0].iter().position(|h| h == key).unwrap();
            // A figure the disclosure policy hides is `<5` in the CSV; in the Parquet it is
            // null with its `<key>_suppressed` flag true, so a reader tells it from a missing one.
            let hidden = |v: &str| v.starts_with('<');
            let expected: Vec<Value> = csv[1..]
                .iter()
                .map(|r| {
                    if r[c].is_empty() || hidden(&r[c]) {
                        Value::Null
                    } else {
                        Value::from(r[c].clone())
                    }
                })
                .collect();
            assert_eq!(columns[key], Value::from(expected), "{what}: {key}");
            if csv[1..].iter().any(|r| hidden(&r[c])) {
                let flags: Vec<Value> = csv[1..]
                    .iter()
                    .map(|r| Value::from(if hidden(&r[c]) { "True" } else { "False" }))
                    .collect();
                assert_eq!(
                    columns[format!("{key}_suppressed").as_str()],
                    Value::from(flags),
                    "{what}: {key}_suppressed"
                );
            }
        }
    }
}

/// `kvarter verify MANIFEST`: whether it passed, and what it said.
fn verify(manifest: &Path) -> (bool, String) {
    let out = kvarter(&["verify", manifest.to_str().unwrap()]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn verify_passes_on_the_output_and_names_a_changed_byte_or_store() {
    let dir = folder("verify");
    // A store of its own, since this test changes it.
    let db = dir.join("k.db");
    std::fs::copy(store().join("k.db"), &db).unwrap();
    let out = dir.join("lists.gpkg");
    let manifest = dir.join("lists.gpkg.manifest.json");
    export(&db, "lists", None, "gpkg", &out);
    let recorded: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let text = std::fs::read(&manifest).unwrap();

    // The manifest: the normalized command, the inputs, the rule sets, the output.
    let command: Vec<&str> = recorded["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let abs_db = std::fs::canonicalize(&db).unwrap();
    assert_eq!(
        &command[..4],
        ["kvarter", "export", "--db", abs_db.to_str().unwrap()]
    );
    assert!(
        command.windows(2).any(|w| w == ["--year", "2025"]),
        "{command:?}"
    );
    let inputs = recorded["inputs"].as_array().unwrap();
    assert_eq!(inputs[0]["role"], "store");
    assert_eq!(inputs[0]["file"], abs_db.to_str().unwrap());
    assert!(inputs.iter().any(|i| i["file"] == "persons-2016.parquet"));
    assert!(
        recorded["rule_sets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "dk-2021")
    );
    assert_eq!(recorded["outputs"][0]["file"], "lists.gpkg");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(recorded["outputs"][0]["size"], bytes.len());

    // The same command gives the same bytes, manifest included.
    export(&db, "lists", None, "gpkg", &out);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    assert_eq!(std::fs::read(&manifest).unwrap(), text);

    let (passed, said) = verify(&manifest);
    assert!(passed, "{said}");
    let sha = recorded["outputs"][0]["sha256"].as_str().unwrap();
    assert!(said.starts_with("verified: "), "{said}");
    assert!(
        said.contains(&format!("lists.gpkg (sha256 {sha}) is byte-identical")),
        "{said}"
    );

    // One byte of the output changed (in the last page of the SQLite file).
    let mut changed = bytes.clone();
    let i = changed.len() - 100;
    changed[i] ^= 0x01;
    std::fs::write(&out, &changed).unwrap();
    let (passed, said) = verify(&manifest);
    assert!(!passed, "a changed output verified:\n{said}");
    assert!(
        said.contains("output") && said.contains("lists.gpkg changed"),
        "{said}"
    );
    std::fs::write(&out, &bytes).unwrap();
    assert!(verify(&manifest).0);

    // Writing to the store without changing its data (a new user) leaves the export verified.
    let add = std::process::Command::new(env!("CARGO_BIN_EXE_kvarter"))
        .args([
            "users",
            "add",
            "--db",
            db.to_str().unwrap(),
            "--name",
            "anna",
            "--role",
            "viewer",
        ])
        .env("KVARTER_PASSWORD", "en lang nok adgangskode")
        .output()
        .unwrap();
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let (passed, said) = verify(&manifest);
    assert!(passed, "a new user broke the verification:\n{said}");

    // The store changes: loaded again without the data year 2016.
    let regs = store().join("regs");
    ok(&[
        "load",
        "--registers",
        regs.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--data-years",
        "2017-2024",
    ]);
    let (passed, said) = verify(&manifest);
    assert!(!passed, "a changed store verified:\n{said}");
    assert!(
        said.contains(&format!("input store {} changed", abs_db.display())),
        "{said}"
    );
    assert!(said.contains("persons-2016.parquet"), "{said}");
    assert!(said.contains("lists.gpkg"), "{said}");

    // A manifest that is not one.
    std::fs::write(dir.join("bad.json"), "{\"command\": [\"rm\", \"-rf\"]}").unwrap();
    let (passed, said) = verify(&dir.join("bad.json"));
    assert!(
        !passed && said.contains("not a kvarter export manifest"),
        "{said}"
    );
}

/// A GET over plain HTTP/1.0: status and body.
fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

#[test]
fn the_cli_and_the_dashboard_download_the_same_lists() {
    let dir = folder("dashboard");
    let db = dir.join("k.db");
    std::fs::copy(store().join("k.db"), &db).unwrap();
    for format in ["csv", "csv-da", "xlsx"] {
        for without in [false, true] {
            let out = dir.join(format!("lists-{without}.{format}"));
            let mut args = vec![
                "export",
                "--db",
                db.to_str().unwrap(),
                "--what",
                "lists",
                "--year",
                "2022",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ];
            if without {
                args.push("--without-origin");
            }
            ok(&args);
        }
    }
    let server = common::serve(&db, &[]);
    for format in ["csv", "csv-da", "xlsx"] {
        for without in [false, true] {
            let (status, body) = get(
                &server.addr,
                &format!("/lists/download?year=2022&format={format}&without_origin={without}"),
            );
            assert_eq!(status, 200);
            let file = std::fs::read(dir.join(format!("lists-{without}.{format}"))).unwrap();
            assert!(
                file == body,
                "{format}, without origin {without}: the CLI's file differs from the dashboard's download"
            );
        }
    }
    drop(server);
    // A year the store has no values for is refused, naming it.
    let out = kvarter(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--what",
        "areas",
        "--year",
        "2009",
        "--format",
        "csv",
        "--out",
        dir.join("x.csv").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no values for list year 2009"));
    assert!(!dir.join("x.csv").exists());
}

/// The cells of a spreadsheet file as LibreOffice reads it: the CSV converted to a flat
/// OpenDocument spreadsheet (`.fods`) with the CSV import filter `filter` (separator, quote,
/// UTF-8, from line 1), whose XML names each cell's type and any formula.
fn libreoffice_cells(soffice: &Path, csv: &Path, filter: &str, dir: &Path) -> String {
    let converted = dir.join("fods");
    let profile = format!("file://{}", dir.join("profile").display());
    run(
        soffice,
        &[
            &format!("-env:UserInstallation={profile}"),
            "--headless",
            &format!("--infilter=CSV:{filter}"),
            "--convert-to",
            "fods",
            "--outdir",
            converted.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
    );
    let stem = csv.file_stem().unwrap().to_str().unwrap();
    std::fs::read_to_string(converted.join(format!("{stem}.fods"))).unwrap()
}

/// Area names, municipalities and plan text that a spreadsheet would take for formulas are
/// written so that LibreOffice opens every CSV (`export` csv and csv-da, `lists --format csv`,
/// the plans' CSV files) without a single formula, with the text shown as written after a `'`,
/// and numbers still numbers.
#[test]
fn libreoffice_finds_no_formula_in_any_csv() {
    let Some(soffice) = tool("soffice", "libreoffice-calc-nogui") else {
        return;
    };
    let dir = folder("formulas");
    let hyperlink = "=HYPERLINK(\"http://evil.example\",\"klik\")";
    let criteria = std::fs::read_to_string(common::root().join("examples/criteria.csv"))
        .unwrap()
        .replace(
            ",Engvej,",
            &format!(",\"{}\",", hyperlink.replace('"', "\"\"")),
        )
        .replace("Vestdal Kommune", "@SUM(1+1)")
        .replace("Nordparken", "-2+3");
    let (criteria_csv, db) = (dir.join("criteria.csv"), dir.join("k.db"));
    std::fs::write(&criteria_csv, criteria).unwrap();
    ok(&[
        "load",
        "--criteria",
        criteria_csv.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    let mut files = Vec::new();
    for (what, format, filter) in [
        ("lists", "csv", "44,34,76,1"),
        ("lists", "csv-da", "59,34,76,1"),
        ("areas", "csv", "44,34,76,1"),
        ("areas", "csv-da", "59,34,76,1"),
    ] {
        let out = dir.join(format!("{what}-{format}.csv"));
        export(&db, what, Some("2017"), format, &out);
        files.push((out, filter));
    }
    let lists = dir.join("lists-cli.csv");
    std::fs::write(
        &lists,
        ok(&[
            "lists",
            "--criteria",
            criteria_csv.to_str().unwrap(),
            "--format",
            "csv",
        ]),
    )
    .unwrap();
    files.push((lists, "44,34,76,1"));
    // The plans: an initiative named as a formula.
    let (seed, plans) = (dir.join("seed"), dir.join("plans"));
    ok(&[
        "plans",
        "seed",
        "--db",
        db.to_str().unwrap(),
        "--out",
        seed.to_str().unwrap(),
    ]);
    let initiatives = std::fs::read_to_string(seed.join("initiatives.csv"))
        .unwrap()
        .replace(
            ",Gadeplansindsatser,",
            &format!(",\"{}\",", hyperlink.replace('"', "\"\"")),
        );
    std::fs::write(seed.join("initiatives.csv"), initiatives).unwrap();
    ok(&[
        "plans",
        "export",
        "--plans",
        seed.to_str().unwrap(),
        "--out",
        plans.to_str().unwrap(),
    ]);
    for name in ["initiatives.csv", "indicators.csv"] {
        let copy = dir.join(format!("plans-{name}"));
        std::fs::copy(plans.join(name), &copy).unwrap();
        files.push((copy, "44,34,76,1"));
    }
    let mut shown = String::new();
    for (file, filter) in &files {
        let xml = libreoffice_cells(&soffice, file, filter, &dir);
        assert!(
            !xml.contains("table:formula="),
            "{}: LibreOffice reads a formula",
            file.display()
        );
        assert!(
            xml.contains("office:value-type=\"float\""),
            "{}: the numbers are no longer numbers",
            file.display()
        );
        shown.push_str(&xml);
    }
    // The XML escapes the `'` as `&apos;`.
    for text in [
        "&apos;=HYPERLINK(&quot;http://evil.example&quot;,&quot;klik&quot;)",
        "&apos;@SUM(1+1)",
        "&apos;-2+3",
    ] {
        assert!(shown.contains(text), "{text} is not shown as text");
    }
}
