//! `kvarter serve` as a client uses it: a real server on a loopback port over a store that
//! `kvarter load` filled from `examples/criteria.csv`, asked with plain HTTP over a TcpStream.

mod common;

use common::{Server, ok as kvarter, serve};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

/// A temp store loaded from the example criteria, once per test.
fn store(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("k.db");
    kvarter(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        db.to_str().unwrap(),
    ]);
    db
}

struct Reply {
    status: u16,
    content_type: String,
    body: Value,
}

/// A raw HTTP reply: status, headers (lower-case names), body bytes.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

impl Server {
    fn raw(&self, path: &str) -> Raw {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(s, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(raw[..split].to_vec()).unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let headers = head
            .lines()
            .skip(1)
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                Some((k.trim().to_ascii_lowercase(), v.trim().to_string()))
            })
            .collect();
        Raw {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }

    /// A dashboard page: 200, HTML.
    fn page(&self, path: &str) -> String {
        let r = self.raw(path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.text());
        assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
        r.text()
    }

    fn get(&self, path: &str) -> Reply {
        let raw = self.raw(path);
        let status = raw.status;
        let content_type = raw.header("content-type");
        let text = raw.text();
        let body = text.as_str();
        let body = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("GET {path}: expected JSON ({e}): {body}"));
        Reply {
            status,
            content_type,
            body,
        }
    }

    fn ok(&self, path: &str) -> Value {
        let r = self.get(path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        assert_eq!(r.content_type, "application/json", "GET {path}");
        r.body
    }

    fn problem(&self, path: &str, status: u16) -> Value {
        let r = self.get(path);
        assert_eq!(r.status, status, "GET {path}: {}", r.body);
        assert_eq!(r.content_type, "application/problem+json", "GET {path}");
        assert_eq!(r.body["status"], status);
        for k in ["type", "title", "detail"] {
            assert!(r.body[k].is_string(), "GET {path}: no {k}: {}", r.body);
        }
        r.body
    }
}

/// `(area_id, list, rule_set)` of each membership, sorted.
type Memberships = Vec<(String, String, String)>;

fn printed(extra: &[&str]) -> Memberships {
    let args = [
        &[
            "lists",
            "--criteria",
            "examples/criteria.csv",
            "--year",
            "2022",
            "--format",
            "csv",
        ][..],
        extra,
    ]
    .concat();
    let out = kvarter(&args);
    let mut m: Memberships = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(&r[0], "2022");
            (r[1].to_string(), r[4].to_string(), r[6].to_string())
        })
        .collect();
    m.sort();
    m
}

fn served(body: &Value) -> Memberships {
    let mut m: Memberships = body["lists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| {
            l["areas"].as_array().unwrap().iter().map(move |a| {
                (
                    a["id"].as_str().unwrap().to_string(),
                    l["list"].as_str().unwrap().to_string(),
                    l["rule_set"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    m.sort();
    m
}

#[test]
fn the_lists_of_a_year_are_those_that_lists_prints_with_and_without_origin() {
    let db = store("lists");
    let before = kvarter_store::Store::open(&db).unwrap().checksum().unwrap();
    let server = serve(&db, &[]);
    let body = server.ok("/api/lists/2022");
    assert_eq!(body["list_year"], 2022);
    assert_eq!(body["without_origin"], false);
    let expected = printed(&[]);
    assert!(expected.len() > 5);
    assert_eq!(served(&body), expected);

    let without = server.ok("/api/lists/2022?without_origin=true");
    assert_eq!(without["without_origin"], true);
    assert_eq!(served(&without), printed(&["--without-origin"]));
    // parallelsamfund is undefined without origin, and marked so.
    let ps = without["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["list"] == "parallelsamfund")
        .unwrap();
    assert_eq!(ps["defined"], false);
    drop(server);
    // Serving is read-only: the store is exactly as it was.
    let after = kvarter_store::Store::open(&db).unwrap().checksum().unwrap();
    assert_eq!(before, after);
}

#[test]
fn an_area_profile_has_every_year_and_the_designations_their_reasons() {
    let server = serve(&store("profile"), &[]);
    let area = server.ok("/api/areas/NP01");
    assert_eq!(area["id"], "NP01");
    assert_eq!(area["name"], "Nordparken");
    let years = area["years"].as_array().unwrap();
    let list_years: Vec<i64> = years
        .iter()
        .map(|y| y["list_year"].as_i64().unwrap())
        .collect();
    assert_eq!(list_years, (2017..=2024).collect::<Vec<_>>());
    let y2022 = years.iter().find(|y| y["list_year"] == 2022).unwrap();
    assert_eq!(y2022["values"]["residents"], "3070");
    assert_eq!(y2022["values"]["outside_labour_pct"], "43.2");

    let d = server.ok("/api/areas/NP01/designations?year=2022");
    let y = &d["years"][0];
    assert_eq!(y["list_year"], 2022);
    assert_eq!(d["years"].as_array().unwrap().len(), 1);
    let crit = y["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "outside_labour")
        .unwrap();
    assert_eq!(crit["value"], "43.2");
    assert_eq!(crit["threshold"], "40");
    assert_eq!(crit["operator"], ">");
    assert_eq!(crit["outcome"], "met");
    let omd = y["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["list"] == "omdannelsesomraade")
        .unwrap();
    assert_eq!(omd["outcome"], "on");
    assert_eq!(omd["reason"]["node"], "list");
    assert_eq!(omd["streak"]["value"], true);
    let all = server.ok("/api/areas/NP01/designations");
    assert_eq!(all["years"].as_array().unwrap().len(), 8);
}

#[test]
fn areas_are_paginated_with_total_and_links() {
    let server = serve(&store("pages"), &[]);
    let p1 = server.ok("/api/areas?per_page=4");
    assert_eq!(p1["total"], 10);
    assert_eq!(p1["pages"], 3);
    assert_eq!(p1["page"], 1);
    assert_eq!(p1["items"].as_array().unwrap().len(), 4);
    assert_eq!(p1["links"]["prev"], Value::Null);
    let next = p1["links"]["next"].as_str().unwrap();
    assert_eq!(next, "/api/areas?page=2&per_page=4");
    let p3 = server.ok(p1["links"]["last"].as_str().unwrap());
    assert_eq!(p3["items"].as_array().unwrap().len(), 2);
    assert_eq!(p3["links"]["next"], Value::Null);
    let mut ids = Vec::new();
    for page in 1..=3 {
        let p = server.ok(&format!("/api/areas?page={page}&per_page=4"));
        ids.extend(
            p["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string()),
        );
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "every area once, in id order");
    assert_eq!(ids.len(), 10);
    let all = server.ok("/api/areas");
    assert_eq!(all["per_page"], 50);
    assert_eq!(all["items"].as_array().unwrap().len(), 10);
}

#[test]
fn errors_are_problem_details() {
    let server = serve(&store("problems"), &[]);
    let p = server.problem("/api/areas/NOPE", 404);
    assert!(p["detail"].as_str().unwrap().contains("NOPE"));
    server.problem("/api/rule-sets/dk-1999", 404);
    server.problem("/api/areas/NP01/designations?year=2011", 404);
    server.problem("/api/lists/2012", 404);
    server.problem("/api/nowhere", 404);
    let p = server.problem("/api/lists/twenty", 400);
    assert!(p["detail"].as_str().unwrap().contains("twenty"));
    server.problem("/api/lists/1999", 400);
    server.problem("/api/areas/NP01/designations?year=x", 400);
    server.problem("/api/lists/2022?without_origin=maybe", 400);
    server.problem("/api/areas?page=0", 400);
    server.problem("/api/areas?per_page=501", 400);
    server.problem("/api/areas?colour=red", 400);
}

#[test]
fn the_openapi_document_parses_and_names_every_route() {
    let server = serve(&store("openapi"), &[]);
    let doc = server.ok("/api/openapi.json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for route in [
        "/api/rule-sets",
        "/api/rule-sets/{id}",
        "/api/areas",
        "/api/areas/{id}",
        "/api/areas/{id}/designations",
        "/api/areas/{id}/explanation",
        "/api/lists/{year}",
        "/api/screenings",
        "/api/screenings/{spec}/{year}",
        "/api/manifest",
        "/api/openapi.json",
    ] {
        assert!(paths[route]["get"].is_object(), "{route} is not documented");
    }
    // The plan, sign-in and audit endpoints, with the methods they take.
    for (route, method) in [
        ("/api/auth/token", "post"),
        ("/api/auth/token", "delete"),
        ("/api/plans", "get"),
        ("/api/plans/{table}", "get"),
        ("/api/plans/{table}", "post"),
        ("/api/plans/{table}/{id}", "put"),
        ("/api/plans/{table}/{id}", "delete"),
        ("/api/audit", "get"),
        ("/api/whatif", "get"),
        ("/api/areas/{id}/whatif", "get"),
        ("/api/foresight", "get"),
        ("/api/plans/report", "get"),
    ] {
        assert!(
            paths[route][method].is_object(),
            "{method} {route} is not documented"
        );
    }
    assert_eq!(paths.len(), 20);
    // Every other route serves too.
    let rs = server.ok("/api/rule-sets");
    assert_eq!(rs["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        server.ok("/api/rule-sets/dk-2021")["lists"][0],
        "udsat_boligomraade"
    );
    let m = server.ok("/api/manifest");
    assert_eq!(m["latest"]["inputs"][0]["file"], "criteria.csv");
    assert_eq!(m["loads"].as_array().unwrap().len(), 1);
}

#[test]
fn counts_under_the_minimum_are_suppressed_and_marked() {
    // The example areas are large, so a minimum of 1000 persons exercises the suppression.
    let server = serve(&store("suppress"), &["--min-count", "1000"]);
    let mark = serde_json::json!({"suppressed": true, "min_count": 1000});
    let area = server.ok("/api/areas/BH10");
    let y2017 = area["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["list_year"] == 2017)
        .unwrap();
    assert_eq!(y2017["values"]["residents"], "1500");
    assert_eq!(y2017["values"]["persons_30_59"], mark); // 570 persons
    assert_eq!(y2017["values"]["persons_18_64"], mark); // 930
    // 1110 persons 18+ are not under the minimum, but beside 1500 residents they would give
    // 390 children: the secondary suppression of nested groups hides them (docs/DISCLOSURE.md,
    // rule 4). Until the disclosure policy this was served, a leak.
    assert_eq!(y2017["values"]["persons_18_plus"], mark);
    // A share of a group under the minimum is suppressed too (930 persons 18-64), and so is a
    // share whose persons are (0.95 % of 1110 = 10.5 convicted; served until the policy, a
    // leak); the national share rests on no area's persons.
    assert_eq!(y2017["values"]["outside_labour_pct"], mark);
    assert_eq!(y2017["values"]["basic_education_pct"], mark);
    assert_eq!(y2017["values"]["convicted_pct"], mark);
    assert_eq!(y2017["values"]["convicted_national_pct"], "0.91");
    // With a minimum of 100 the adults' share is shown: 10.5 persons are still under it, so
    // take the larger share of the 18-64-year-olds (33.5 % of 930 = 311.55 persons).
    let loose = serve(&store("suppress-100"), &["--min-count", "100"]);
    let a = loose.ok("/api/areas/BH10");
    let y = a["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["list_year"] == 2017)
        .unwrap();
    assert_eq!(y["values"]["outside_labour_pct"], "33.5");
    assert_eq!(y["values"]["persons_18_plus"], "1110");
    assert_eq!(
        y["values"]["convicted_pct"],
        serde_json::json!({"suppressed": true, "min_count": 100})
    );
    let d = server.ok("/api/areas/BH10/designations?year=2017");
    let crit = d["years"][0]["criteria"].as_array().unwrap();
    let small: Vec<&Value> = crit
        .iter()
        .filter(|c| c["group_size"].is_object())
        .collect();
    assert!(!small.is_empty());
    for c in small {
        assert_eq!(c["group_size"], mark);
        // The margin in persons goes with its group (or is missing: not every criterion
        // has one stored).
        assert!(
            c["persons"] == mark || c["persons"].is_null(),
            "the margin in persons goes with its group: {c}"
        );
        assert_eq!(
            c["value"], mark,
            "a share of a small group says as much as its count"
        );
        assert_eq!(c["difference"], mark);
    }
    // No count under the minimum anywhere in the profile.
    let text = area.to_string() + &d.to_string();
    assert!(!text.contains("\"570\"") && !text.contains("\"930\""));
    // With the default minimum of 5 nothing here is suppressed.
    let open = serve(&store("suppress-default"), &[]);
    let area = open.ok("/api/areas/BH10");
    assert!(!area.to_string().contains("suppressed"));
}

// ---------------------------------------------------------------------------------------------
// The dashboard over HTTP (the browser tests in e2e.rs drive it as a person does).

#[test]
fn the_dashboard_pages_serve_in_danish_and_english() {
    let server = serve(&store("pages"), &[]);
    let latest = server.page("/");
    assert!(latest.starts_with("<!doctype html>\n<html lang=\"da\">"));
    // The latest list year of the example is the default.
    assert!(
        latest.contains("<h1>Listerne 1. december 2024</h1>"),
        "{latest}"
    );
    let home = server.page("/?year=2022");
    for (id, _, _) in printed(&[]) {
        assert!(
            home.contains(&format!("href=\"/areas/{id}?year=2022\"")),
            "{id} is on a list in 2022 but not linked from the overview"
        );
    }
    // Nordparken became an omdannelsesområde in 2021: the overview of 2021 says who entered.
    let y2021 = server.page("/?year=2021");
    assert!(y2021.contains("Ændringer siden 2020"), "{y2021}");
    // English keeps the page and the year.
    let en = server.page("/?year=2021&lang=en");
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("<h1>The lists of 1 December 2021</h1>"));
    assert!(
        en.contains("href=\"/?year=2021\""),
        "the switch back to Danish keeps the year"
    );
    assert!(y2021.contains("href=\"/?year=2021&amp;lang=en\""));
    // The profile, the lists, the methodology and the assets.
    let profile = server.page("/areas/NP01?year=2021");
    assert!(profile.contains("Nordparken"));
    assert!(profile.contains("id=\"explanation\""));
    assert!(profile.contains("<svg"), "the profile draws its charts");
    let lists = server.page("/lists?year=2022");
    for (id, list, _) in printed(&[]) {
        assert!(lists.contains(&format!("id=\"list-{list}\"")), "{list}");
        assert!(lists.contains(&format!("/areas/{id}?year=2022")), "{id}");
    }
    let method = server.page("/methodology");
    assert!(method.contains("§ 61 a"));
    let css = server.raw("/static/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert_eq!(server.raw("/static/app.js").status, 200);
    // No page asks for anything from elsewhere.
    for page in [&home, &profile, &lists, &method] {
        assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    }
}

#[test]
fn a_bad_page_request_gets_a_page_that_says_what_was_expected() {
    let server = serve(&store("page-errors"), &[]);
    let r = server.raw("/areas/NOPE");
    assert_eq!(r.status, 404);
    assert!(
        r.text().contains("Intet område med id &#39;NOPE&#39;"),
        "{}",
        r.text()
    );
    let r = server.raw("/?year=1999");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("expected a list year"), "{}", r.text());
    let r = server.raw("/?year=2030");
    assert_eq!(r.status, 404);
    let r = server.raw("/lists?lang=fr");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("expected da or en"));
    let r = server.raw("/lists?colour=red");
    assert_eq!(r.status, 400);
    assert!(
        r.text()
            .contains("unknown query parameter &#39;colour&#39;")
    );
}

#[test]
fn the_downloads_hold_the_lists_that_lists_prints() {
    let server = serve(&store("downloads"), &[]);
    for (without, extra) in [
        ("", &[][..]),
        ("&without_origin=1", &["--without-origin"][..]),
    ] {
        let r = server.raw(&format!("/lists/download?year=2022&format=csv{without}"));
        assert_eq!(r.status, 200);
        assert!(
            r.header("content-disposition")
                .contains("kvarter-lister-2022")
        );
        let mut got: Memberships = csv::Reader::from_reader(&r.body[..])
            .deserialize::<std::collections::HashMap<String, String>>()
            .map(|row| {
                let row = row.unwrap();
                (
                    row["area_id"].clone(),
                    row["list"].clone(),
                    row["rule_set"].clone(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, printed(extra), "without origin: {without}");
    }
    // The Danish variant: BOM, semicolons, decimal comma.
    let da = server.raw("/lists/download?year=2022&format=csv-da");
    assert!(da.body.starts_with(b"\xef\xbb\xbf"));
    let text = da.text();
    let first = text.lines().nth(1).unwrap();
    assert!(first.contains(';') && first.contains(','), "{first}");
    // A real spreadsheet: a zip with the workbook in it.
    let x = server.raw("/lists/download?year=2022&format=xlsx");
    assert_eq!(x.status, 200);
    assert_eq!(
        x.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(x.body.starts_with(b"PK"));
    assert_eq!(
        server.raw("/lists/download?year=2022&format=pdf").status,
        400
    );
}

#[test]
fn the_explanation_served_is_that_of_kvarter_explain() {
    let server = serve(&store("explain"), &[]);
    for (lang, year) in [("da", "2021"), ("en", "2022")] {
        let served = server.ok(&format!(
            "/api/areas/NP01/explanation?year={year}&lang={lang}"
        ));
        let printed = kvarter(&[
            "explain",
            "--criteria",
            "examples/criteria.csv",
            "--area",
            "NP01",
            "--year",
            year,
            "--lang",
            lang,
        ]);
        assert_eq!(served["text"].as_str().unwrap(), printed);
    }
    let without = server.ok("/api/areas/NP01/explanation?year=2022&without_origin=true");
    assert!(without["without_origin"].as_bool().unwrap());
    server.problem("/api/areas/NOPE/explanation", 404);
    server.problem("/api/areas/NP01/explanation?year=2015", 404);
    server.problem("/api/areas/NP01/explanation?lang=fr", 400);
    // A criteria file has no screening.
    assert_eq!(server.ok("/api/screenings")["items"], serde_json::json!([]));
    server.problem("/api/screenings/kbh-2025/2025", 404);
}

#[test]
fn pages_suppress_counts_under_the_minimum_visibly() {
    let server = serve(&store("page-suppress"), &["--min-count", "1000"]);
    let profile = server.page("/areas/BH10?year=2017");
    // 570 persons aged 30-59 and 930 aged 18-64: their margins are hidden, and marked.
    let hidden = "data-persons=\"\"><span class=\"suppressed\" title=\"Undertrykt: færre end 1000\">&lt; 1000</span>";
    assert!(
        profile.contains(&format!("id=\"margin-dk-2013-basic_education\" {hidden}")),
        "{profile}"
    );
    // So is the share of such a group: 33.5 % of 930 persons aged 18-64.
    assert!(
        profile.contains(
            "id=\"value-dk-2013-outside_labour\" data-value=\"\"><span class=\"suppressed\""
        ),
        "{profile}"
    );
    // The explanation leaves the small groups out too, and says so.
    let explanation = &profile[profile.find("id=\"explanation\"").unwrap()..];
    assert!(!explanation.contains(" 570") && !explanation.contains(" 930"));
    assert!(
        explanation
            .contains("Afstande i personer for grupper med færre end 1000 personer er udeladt.")
    );
    let api = server.ok("/api/areas/BH10/explanation?year=2017");
    let text = api["text"].as_str().unwrap();
    assert!(!text.contains(" 570") && !text.contains(" 930"), "{text}");
    // With a minimum above the residents, no explanation at all.
    let strict = serve(&store("page-suppress-strict"), &["--min-count", "2000"]);
    let api = strict.ok("/api/areas/BH10/explanation?year=2017");
    assert!(api["text"].is_null());
    assert_eq!(api["suppressed"]["min_count"], 2000);
    // Residents under the minimum are marked in the download, not left blank.
    let csv = strict.raw("/lists/download?year=2022&format=csv").text();
    assert!(csv.contains(",<2000,"), "{csv}");
}
