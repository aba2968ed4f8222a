//! `kvarter whatif` through the real binary on `examples/`: a change of the law for one list
//! year (who enters and leaves each list, checked against `kvarter lists`), a change of one
//! area's residents (the smallest change is the smallest: one person fewer does not do it), the
//! store as input, and bad input (a non-zero exit, nothing on stdout, a message that says what
//! was expected). Then the same through `kvarter serve`: `/whatif`, `/api/whatif`, the area
//! profile's what-if section (`/areas/{id}?more_in_work=…`) and `/api/areas/{id}/whatif`, with
//! small groups suppressed.

mod common;

use common::{Server, kvarter, ok, serve};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

const CRITERIA: &str = "examples/criteria.csv";
const HISTORY: &str = "examples/history.csv";

/// Areas per list in `kvarter lists --year Y --format csv` (`list → area ids`).
fn lists_of(year: &str, extra: &[&str]) -> BTreeMap<String, Vec<String>> {
    let mut args = vec![
        "lists",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--year",
        year,
        "--format",
        "csv",
    ];
    args.extend_from_slice(extra);
    let out = ok(&args);
    let mut by_list: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in out.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        by_list
            .entry(cells[4].to_string())
            .or_default()
            .push(cells[1].to_string());
    }
    by_list
}

fn rules_json(extra: &[&str]) -> Value {
    let mut args = vec![
        "whatif",
        "rules",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--year",
        "2022",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(&args)).expect("JSON")
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| a["area_id"].as_str().unwrap().to_string())
        .collect()
}

fn list<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["list"] == id)
        .unwrap_or_else(|| panic!("no list {id} in {doc}"))
}

#[test]
fn a_lower_labour_threshold_moves_engvej_from_forebyggelse_to_udsat() {
    let out = ok(&[
        "whatif",
        "rules",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--year",
        "2022",
        "--set",
        "threshold:outside_labour=35",
    ]);
    assert!(
        out.contains(
            "§ 61 a, stk. 1, nr. 1 (outside_labour): »overstiger 35 %« i stedet for »overstiger 40 %«"
        ),
        "{out}"
    );
    assert!(
        out.contains("Udsat boligområde (udsat_boligomraade, dk-2021): 5 → 6 (1 ind, 0 ud)\n  ind  EV03  Engvej  Vestdal Kommune\n"),
        "{out}"
    );
    assert!(
        out.contains("Forebyggelsesområde (forebyggelsesomraade, dk-2021): 2 → 1 (0 ind, 1 ud)\n  ud  EV03  Engvej  Vestdal Kommune\n"),
        "{out}"
    );
    assert!(out.ends_with("I alt: 1 ind, 1 ud\n"), "{out}");
}

#[test]
fn the_law_side_of_a_rule_whatif_is_exactly_what_lists_prints() {
    let law = lists_of("2022", &[]);
    let doc = rules_json(&["--set", "k:udsat_boligomraade=3"]);
    for l in doc["lists"].as_array().unwrap() {
        let id = l["list"].as_str().unwrap();
        let on = law.get(id).map_or(0, Vec::len);
        assert_eq!(l["on_before"].as_u64().unwrap() as usize, on, "{id}");
        // After = before + entering − leaving.
        assert_eq!(
            l["on_after"].as_u64().unwrap() as usize,
            on + l["entering"].as_array().unwrap().len() - l["leaving"].as_array().unwrap().len(),
            "{id}"
        );
        for a in ids(&l["leaving"]) {
            assert!(law[id].contains(&a), "{a} leaves {id} but was not on it");
        }
    }
    // 3 of 4 instead of 2 of 4: only areas meeting 3 stay udsat.
    let udsat = list(&doc, "udsat_boligomraade");
    assert!(!udsat["leaving"].as_array().unwrap().is_empty(), "{udsat}");
    assert!(udsat["entering"].as_array().unwrap().is_empty(), "{udsat}");
    assert_eq!(doc["changes"][0]["kind"], "k");
    assert_eq!(doc["changes"][0]["from"], "2");
    assert_eq!(doc["changes"][0]["to"], "3");
    assert_eq!(doc["overlay"]["k_of"][0]["rule_set"], "dk-2021");

    // The law's own figure changes nothing.
    let same = rules_json(&["--set", "threshold:outside_labour=40"]);
    for l in same["lists"].as_array().unwrap() {
        assert_eq!(l["on_before"], l["on_after"], "{l}");
        assert!(l["entering"].as_array().unwrap().is_empty());
        assert!(l["leaving"].as_array().unwrap().is_empty());
    }
}

#[test]
fn without_origin_matches_lists_without_origin() {
    let law = lists_of("2022", &["--without-origin"]);
    let doc = rules_json(&["--without-origin"]);
    let ps = list(&doc, "parallelsamfund");
    assert_eq!(ps["defined_after"], false);
    assert_eq!(ps["on_after"], 0);
    let fb = list(&doc, "forebyggelsesomraade");
    let mut after: Vec<String> = law.get("forebyggelsesomraade").cloned().unwrap_or_default();
    after.sort();
    let before = lists_of("2022", &[])
        .get("forebyggelsesomraade")
        .cloned()
        .unwrap_or_default();
    let mut expected: Vec<String> = before
        .iter()
        .filter(|a| !ids(&fb["leaving"]).contains(a))
        .cloned()
        .chain(ids(&fb["entering"]))
        .collect();
    expected.sort();
    assert_eq!(expected, after);
    let en = ok(&[
        "whatif",
        "rules",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--year",
        "2022",
        "--without-origin",
        "--lang",
        "en",
    ]);
    assert!(
        en.contains("Parallel society (parallelsamfund, dk-2021): not defined without the origin criteria (2 areas under the law)"),
        "{en}"
    );
}

fn area_json(extra: &[&str]) -> Value {
    let mut args = vec![
        "whatif",
        "area",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--year",
        "2022",
        "--area",
        "TG08",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(&args)).expect("JSON")
}

fn on_after(doc: &Value) -> Vec<String> {
    doc["area"]["after"]["lists"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["outcome"] == "on")
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn more_in_work_moves_the_share_by_persons_over_the_group() {
    // Toftegården 2022: 40.0 % of 775 aged 18-64 outside; 20 more in work: 40 − 2000/775.
    let doc = area_json(&["--more-in-work", "20"]);
    let after = doc["area"]["values_after"]["outside_labour_pct"]
        .as_str()
        .unwrap();
    assert!(after.starts_with("37.419354838709677419354838"), "{after}");
    assert_eq!(doc["area"]["values_before"]["outside_labour_pct"], "40.0");
    // § 51 b's "mindst 40 pct." was met at exactly 40.0; now it is not.
    assert!(!on_after(&doc).contains(&"kombineret_udlejning".to_string()));
    assert!(on_after(&doc).contains(&"udsat_boligomraade".to_string()));
}

#[test]
fn the_smallest_change_is_the_smallest() {
    let doc = area_json(&["--smallest"]);
    let smallest = doc["smallest"].as_array().unwrap();
    assert!(!smallest.is_empty());
    let mut checked = 0;
    for s in smallest {
        if s["result"] != "persons" {
            continue;
        }
        let flag = match s["lever"].as_str().unwrap() {
            "more_in_work" => "--more-in-work",
            "fewer_convicted" => "--fewer-convicted",
            "more_educated" => "--more-educated",
            "letting" => "--letting",
            other => panic!("unknown lever {other}"),
        };
        let list = s["list"].as_str().unwrap().to_string();
        let n = s["persons"].as_u64().unwrap();
        let with = |k: u64| {
            let k = k.to_string();
            on_after(&area_json(&[flag, &k, "--profile", "municipality"]))
        };
        let at_n = with(n);
        assert!(
            !at_n.contains(&list),
            "{flag} {n} leaves {list} on: {at_n:?}"
        );
        let expected: Vec<String> = s["lists_after"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        assert_eq!(at_n, expected, "{flag} {n}");
        if n > 1 {
            assert!(
                with(n - 1).contains(&list),
                "{flag} {} suffices for {list}",
                n - 1
            );
        }
        checked += 1;
    }
    assert!(checked >= 2, "{doc}");
    let text = ok(&[
        "whatif",
        "area",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--year",
        "2022",
        "--area",
        "TG08",
        "--smallest",
        "--lang",
        "en",
    ]);
    assert!(
        text.contains("Vulnerable housing area (udsat_boligomraade):"),
        "{text}"
    );
    assert!(text.contains("not possible by this lever alone"), "{text}");
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-whatif-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_store_gives_what_the_files_give() {
    let dir = tmp("db");
    let db = dir.join("kvarter.db");
    ok(&[
        "load",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--db",
        db.to_str().unwrap(),
    ]);
    for set in ["threshold:outside_labour=35", "k:forebyggelsesomraade=1"] {
        let from_files = ok(&[
            "whatif",
            "rules",
            "--criteria",
            CRITERIA,
            "--history",
            HISTORY,
            "--year",
            "2022",
            "--set",
            set,
        ]);
        let from_db = ok(&[
            "whatif",
            "rules",
            "--db",
            db.to_str().unwrap(),
            "--year",
            "2022",
            "--set",
            set,
        ]);
        assert_eq!(from_files, from_db, "{set}");
    }
    let from_files = ok(&[
        "whatif",
        "area",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--year",
        "2022",
        "--area",
        "EV03",
        "--smallest",
    ]);
    let from_db = ok(&[
        "whatif",
        "area",
        "--db",
        db.to_str().unwrap(),
        "--year",
        "2022",
        "--area",
        "EV03",
        "--smallest",
    ]);
    assert_eq!(from_files, from_db);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `kvarter` and returns stderr, asserting a failure with nothing on stdout.
fn fails(args: &[&str]) -> String {
    let out = kvarter(args);
    assert!(!out.status.success(), "kvarter {args:?} succeeded");
    assert!(out.stdout.is_empty(), "kvarter {args:?} printed to stdout");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn bad_input_says_what_was_expected() {
    let rules = |extra: &[&str]| {
        let mut a = vec!["whatif", "rules", "--criteria", CRITERIA];
        a.extend_from_slice(extra);
        fails(&a)
    };
    let err = rules(&["--set", "threshold:nope=3"]);
    assert!(
        err.contains("threshold:nope: no such criterion in the rule sets in force; expected one of: residents, outside_labour,"),
        "{err}"
    );
    let err = rules(&["--set", "frobnicate"]);
    assert!(
        err.contains("'frobnicate' is not understood; expected threshold:CRITERION=NUMBER"),
        "{err}"
    );
    let err = rules(&["--set", "k:parallelsamfund=2"]);
    assert!(
        err.contains("expected one of: udsat_boligomraade, forebyggelsesomraade"),
        "{err}"
    );
    let err = rules(&["--set", "k:udsat_boligomraade=5"]);
    assert!(err.contains("expected k from 1 to 4"), "{err}");
    let err = rules(&["--set", "threshold:outside_labour=101"]);
    assert!(err.contains("expected a number from 0 to 100"), "{err}");
    let err = rules(&[]);
    assert!(
        err.contains("nothing to change; expected --without-origin or --set"),
        "{err}"
    );
    let err = rules(&["--year", "2031", "--set", "without-origin"]);
    assert!(err.contains("--year 2031: examples/criteria.csv has no values for list year 2031; expected one of: 2017,"), "{err}");
    let err = fails(&["whatif", "rules", "--set", "without-origin"]);
    assert!(
        err.contains("--criteria <FILE>|--registers <DIR>|--db <FILE>"),
        "{err}"
    );

    let area = |extra: &[&str]| {
        let mut a = vec!["whatif", "area", "--criteria", CRITERIA, "--year", "2022"];
        a.extend_from_slice(extra);
        fails(&a)
    };
    let err = area(&["--area", "NOPE", "--smallest"]);
    assert!(
        err.contains("--area NOPE: no such area in examples/criteria.csv"),
        "{err}"
    );
    let err = area(&["--area", "TG08"]);
    assert!(
        err.contains("nothing to change; expected --more-in-work N"),
        "{err}"
    );
    let err = area(&["--area", "TG08", "--more-in-work", "776"]);
    assert!(
        err.contains("--more-in-work 776:") && err.contains("expected at most 775"),
        "{err}"
    );
    let err = area(&["--area", "TG08", "--more-in-work", "many"]);
    assert!(err.contains("'many'"), "{err}");
    let err = area(&["--area", "TG08", "--letting", "10", "--profile", "foo=1"]);
    assert!(
        err.contains("--profile 'foo=1': unknown measure; expected one of: outside_labour_pct"),
        "{err}"
    );
    let err = fails(&[
        "whatif",
        "area",
        "--db",
        "/nonexistent/kvarter.db",
        "--area",
        "TG08",
        "--smallest",
    ]);
    assert!(err.contains("no such database"), "{err}");
}

/// `GET path`: the status and the body.
fn http(server: &Server, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", server.addr).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

fn json_ok(server: &Server, path: &str) -> Value {
    let (status, body) = http(server, path);
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn loaded(dir: &Path) -> PathBuf {
    let db = dir.join("kvarter.db");
    ok(&[
        "load",
        "--criteria",
        CRITERIA,
        "--history",
        HISTORY,
        "--db",
        db.to_str().unwrap(),
    ]);
    db
}

#[test]
fn the_dashboard_and_the_api_give_what_the_command_line_gives() {
    let dir = tmp("serve");
    let db = loaded(&dir);
    let server = serve(&db, &[]);

    // The rule what-if: the API is the command line's JSON (plus the compact form of the set).
    let mut api = json_ok(
        &server,
        "/api/whatif?year=2022&set=threshold:outside_labour=35",
    );
    assert_eq!(api["set"], "threshold:dk-2021/outside_labour=35");
    api.as_object_mut().unwrap().remove("set");
    let cli: Value = serde_json::from_str(&ok(&[
        "whatif",
        "rules",
        "--db",
        db.to_str().unwrap(),
        "--year",
        "2022",
        "--set",
        "threshold:outside_labour=35",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(api, cli);
    let (status, body) = http(&server, "/api/whatif?year=2022&set=threshold:nope=1");
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("expected one of: residents, outside_labour"),
        "{body}"
    );
    let (status, body) = http(&server, "/api/whatif?year=2022&nope=1");
    assert_eq!(status, 400, "{body}");
    let (status, body) = http(&server, "/api/whatif?year=2031&set=without-origin");
    assert_eq!(status, 404, "{body}");

    // The page: the form prefilled with the what-if's figure, and Engvej linked as entering.
    let (status, page) = http(
        &server,
        "/whatif?year=2022&threshold.dk-2021%2Foutside_labour=35",
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("name=\"threshold.dk-2021/outside_labour\" value=\"35\""),
        "{page}"
    );
    assert!(page.contains("href=\"/areas/EV03?year=2022\""), "{page}");
    assert!(page.contains("»overstiger 35 %« i stedet for »overstiger 40 %«"));
    let (status, page) = http(&server, "/whatif?year=2022&lang=en");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("No change chosen"), "{page}");
    let (status, page) = http(
        &server,
        "/whatif?year=2022&threshold.dk-2021%2Foutside_labour=abc",
    );
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("expected a number of 0 or more"), "{page}");

    // The area what-if: the API is the command line's evaluation.
    let api = json_ok(&server, "/api/areas/TG08/whatif?year=2022&more_in_work=20");
    let cli = area_json(&["--more-in-work", "20"]);
    let lists = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|l| l["list"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(lists(&api["lists_after"]), on_after(&cli));
    assert_eq!(api["levers"][0]["group"], 775);
    let smallest = api["smallest"].as_array().unwrap();
    // The command line ran without --smallest here; compare with one that did.
    assert!(cli["smallest"].is_null());
    let cli_smallest = area_json(&["--smallest"])["smallest"].clone();
    for (a, c) in smallest.iter().zip(cli_smallest.as_array().unwrap()) {
        assert_eq!(a["list"], c["list"]);
        assert_eq!(a["lever"], c["lever"]);
        assert_eq!(a["persons"], c["persons"], "{a} {c}");
    }
    let (status, body) = http(&server, "/api/areas/TG08/whatif?year=2022&more_in_work=776");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("expected at most 775"), "{body}");
    let (status, _) = http(&server, "/api/areas/NOPE/whatif?year=2022");
    assert_eq!(status, 404);

    // The profile's section.
    let (status, page) = http(&server, "/areas/TG08?year=2022&more_in_work=20");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<section id=\"whatif\""), "{page}");
    assert!(page.contains("id=\"whatif-lists-after\""), "{page}");
    assert!(
        page.contains("37,42 %"),
        "the share after, with a decimal comma: {page}"
    );
    assert!(page.contains("id=\"smallest-udsat_boligomraade-more_educated\""));
    let (status, page) = http(&server, "/areas/TG08?year=2022&more_in_work=x");
    assert_eq!(status, 400, "{page}");
    drop(server);

    // Suppression: groups under the minimum are neither shown nor changed.
    let server = serve(&db, &["--min-count", "800"]);
    // 925 persons aged 18+ are not under 800, but beside 1,250 residents they would give
    // 325 children, which are: the group is suppressed as well (docs/DISCLOSURE.md, rule 4),
    // and so it cannot be moved either.
    let (status, body) = http(
        &server,
        "/api/areas/TG08/whatif?year=2022&fewer_convicted=1",
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("would give a smaller group away"), "{body}");
    let api = json_ok(&server, "/api/areas/TG08/whatif?year=2022");
    let convicted = api["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "convicted")
        .unwrap();
    // 2.40 % of 925 counts 22 convicted, under 800: the share is suppressed before too.
    assert_eq!(convicted["value_before"]["suppressed"], true, "{convicted}");
    assert_eq!(convicted["value_after"]["suppressed"], true, "{convicted}");
    let work = api["smallest"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["lever"] == "more_in_work")
        .unwrap();
    assert_eq!(work["group"]["suppressed"], true, "{work}");
    assert!(
        work.get("persons").is_none() || work["persons"]["suppressed"] == true,
        "{work}"
    );
    let (status, body) = http(&server, "/api/areas/TG08/whatif?year=2022&more_in_work=1");
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("smaller than the minimum count 800"),
        "{body}"
    );
    let (_, page) = http(&server, "/areas/TG08?year=2022");
    let section = &page[page.find("<section id=\"whatif\"").unwrap()..];
    assert!(
        !section.contains("775"),
        "the size of the group 18-64 leaks: {section}"
    );
    assert!(section.contains("&lt; 800"), "{section}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
