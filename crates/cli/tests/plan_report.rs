//! The policy status report (`/plans/report`) and the comparison of action-plan versions
//! (`/plans/compare`) as a reader gets them from a real `kvarter serve`, checked against what
//! `kvarter plans progress` prints, against arithmetic done by hand on the store's rows, and
//! against `compare_versions` run on the plan files themselves.

mod common;

use common::{Server, ok, serve};
use kvarter_plans::{Areas, Decimal, InitiativeChange, Plans};
use kvarter_report::Lang;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// The store, built once for the file.

struct Fixture {
    db: PathBuf,
    plans_dir: PathBuf,
}

/// A tiny synthetic store with the seeded plans plus a second, one-version action plan (so that
/// two plans are in force and versions of different plans can be tried). Before the plans are
/// loaded, both pages are checked to say the store has none.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kvarter-plan-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (regs, db, plans_dir) = (dir.join("regs"), dir.join("k.db"), dir.join("plans"));
        let s = |p: &Path| p.to_str().unwrap().to_string();
        common::synth_tiny("2016-2024", &regs);
        ok(&[
            "load",
            "--registers",
            &s(&regs),
            "--db",
            &s(&db),
            "--screen",
            "kbh-2025",
        ]);
        {
            let server = serve(&db, &[]);
            for path in ["/plans/report", "/plans/compare", "/plans/report?lang=en"] {
                let page = server.page(path);
                assert!(page.contains("id=\"no-plans\""), "GET {path}: {page}");
            }
        }
        ok(&["plans", "seed", "--db", &s(&db), "--out", &s(&plans_dir)]);
        // A second action plan with one version, sharing an initiative id with the first.
        let mut plans = read_plans(&plans_dir);
        let first = plans.versions("handleplan")[0].clone();
        let mut other = first.clone();
        other.id = "tp-2025".into();
        other.plan = "tryghedsplan".into();
        other.version = 1;
        other.name = "Tryghedsplan 2025–2026".into();
        other.initiatives.truncate(1);
        plans.action_plans.push(other);
        assert!(plans.validate().is_empty(), "{:?}", plans.validate());
        for (name, text) in kvarter_plans::csv::write(&plans) {
            std::fs::write(plans_dir.join(name), text).unwrap();
        }
        ok(&[
            "load",
            "--registers",
            &s(&regs),
            "--db",
            &s(&db),
            "--plans",
            &s(&plans_dir),
            "--screen",
            "kbh-2025",
        ]);
        Fixture { db, plans_dir }
    })
}

fn read_plans(dir: &Path) -> Plans {
    let files: Vec<(String, String)> = kvarter_plans::csv::FILES
        .iter()
        .filter_map(|(name, _)| {
            std::fs::read_to_string(dir.join(name))
                .ok()
                .map(|t| (name.to_string(), t))
        })
        .collect();
    kvarter_plans::csv::read(&files).unwrap()
}

// ---------------------------------------------------------------------------------------------
// A running server (as in serve.rs).

impl Server {
    /// Status and body of a GET.
    fn get(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(s, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(raw[..split].to_vec()).unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (
            status,
            String::from_utf8(raw[split + 4..].to_vec()).unwrap(),
        )
    }

    /// A page that must answer 200.
    fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    fn json(&self, path: &str) -> Value {
        serde_json::from_str(&self.page(path)).unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the pages.

/// The HTML from `start` to the first `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)?;
    let rest = &html[i..];
    Some(&rest[..rest.find(end)?])
}

/// An indicator's table row in the report.
fn indicator_row<'a>(html: &'a str, id: &str) -> &'a str {
    between(html, &format!("<span id=\"{id}\">"), "</tr>")
        .unwrap_or_else(|| panic!("no row of indicator {id}"))
}

/// The machine-readable value of a row and the text shown for it.
fn value_of(row: &str) -> (Decimal, String) {
    let v = between(row, "<data class=\"value\" value=\"", "</data>")
        .unwrap_or_else(|| panic!("no value in {row}"));
    let v = &v["<data class=\"value\" value=\"".len()..];
    let (raw, shown) = v.split_once("\">").unwrap();
    (raw.parse().unwrap(), shown.to_string())
}

/// Every value of `attr="…"` in `html`.
fn attrs(html: &str, attr: &str) -> BTreeSet<String> {
    let key = format!("{attr}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// The `<section … id="id">` element's HTML, up to the first `</section>` after it (sections
/// holding sections are not read with this).
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    between(html, &format!(" id=\"{id}\""), "</section>")
        .unwrap_or_else(|| panic!("no section {id}"))
}

/// The areas on any list in `year`, as the API serves them.
fn designated(server: &Server, year: i32) -> BTreeSet<String> {
    let body = server.json(&format!("/api/lists/{year}"));
    body["lists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["areas"].as_array().unwrap().iter())
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

/// `kvarter plans progress`: indicator id → (latest value, latest year, status), for every
/// indicator with a value (those without a data source print none).
fn printed_progress(f: &Fixture) -> Vec<(String, Decimal, i32, String)> {
    let out = ok(&[
        "plans",
        "progress",
        "--db",
        f.db.to_str().unwrap(),
        "--plans",
        f.plans_dir.to_str().unwrap(),
    ]);
    let mut lines = out.lines();
    let head: Vec<char> = lines.next().unwrap().chars().collect();
    let col = |name: &str| {
        let h: String = head.iter().collect();
        h[..h.find(name).unwrap()].chars().count()
    };
    let (latest, rest, status, gap) = (col("LATEST"), col("REST"), col("STATUS"), col("GAP"));
    lines
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| {
            let c: Vec<char> = l.chars().collect();
            let cut = |a: usize, b: usize| c[a..b].iter().collect::<String>().trim().to_string();
            let id = cut(0, c.iter().position(|ch| *ch == ' ').unwrap());
            let latest = cut(latest, rest);
            let (v, y) = latest.split_once(" (")?;
            Some((
                id,
                v.parse().unwrap(),
                y.trim_end_matches(')').parse().unwrap(),
                cut(status, gap),
            ))
        })
        .collect()
}

fn status_da(printed: &str) -> &'static str {
    match printed {
        "OnTrack" => "på rette vej",
        "OffTrack" => "ikke på rette vej",
        "Reached" => "nået",
        "NoBaseline" => "intet udgangspunkt",
        _ => "ingen data",
    }
}

// ---------------------------------------------------------------------------------------------
// The store by hand.

fn conn(f: &Fixture) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(&f.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
}

fn years(c: &rusqlite::Connection) -> Vec<i32> {
    let mut st = c
        .prepare("SELECT DISTINCT list_year FROM area_years ORDER BY 1")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A column of the area-year table over `areas` in `year`, weighted by its group (as the
/// dashboard weighs it) and rounded to two places; `None` when no area has a value.
fn weighted(
    c: &rusqlite::Connection,
    column: &str,
    areas: &[String],
    year: i32,
) -> Option<Decimal> {
    let group = kvarter_view::area::group_of(column).unwrap();
    let mut st = c
        .prepare(&format!(
            "SELECT area_id, {column}, {group} FROM area_years WHERE list_year = ?1"
        ))
        .unwrap();
    let rows: Vec<(String, Option<String>, Option<String>)> = st
        .query_map([year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (mut s, mut w) = (Decimal::ZERO, Decimal::ZERO);
    for (a, v, n) in rows {
        if let (true, Some(v), Some(n)) = (areas.contains(&a), v, n) {
            let (v, n): (Decimal, Decimal) = (v.parse().unwrap(), n.parse().unwrap());
            s += v * n;
            w += n;
        }
    }
    (!w.is_zero()).then(|| (s / w).round_dp(2))
}

/// The latest data year counted before list year `year` (the data a list of `year` rests on),
/// and an indicator of the screening on the designated areas then: Σ numerators / Σ denominators of the stored counts, in per cent,
/// rounded to two places.
fn designated_share(
    c: &rusqlite::Connection,
    indicator: &str,
    year: i32,
) -> Option<(i32, Decimal)> {
    c.query_row(
        "SELECT data_year, num, den FROM population_counts WHERE population = 'designated' \
         AND indicator = ?1 AND data_year < ?2 ORDER BY data_year DESC LIMIT 1",
        rusqlite::params![indicator, year],
        |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        },
    )
    .ok()
    .map(|(y, n, d)| {
        let (n, d): (Decimal, Decimal) = (n.parse().unwrap(), d.parse().unwrap());
        (y, (n * Decimal::ONE_HUNDRED / d).round_dp(2))
    })
}

// ---------------------------------------------------------------------------------------------

#[test]
fn the_status_report_shows_the_progress_and_the_areas_of_the_year() {
    let f = fixture();
    let plans = read_plans(&f.plans_dir);
    let c = conn(f);
    let years = years(&c);
    let latest = *years.last().unwrap();
    let earlier = years[years.len() - 3];
    let server = serve(&f.db, &[]);

    // The latest year, by default: every indicator as `kvarter plans progress` prints it.
    let page = server.page("/plans/report");
    assert!(page.contains(&format!("Statusrapport for politikken, {latest}")));
    assert!(page.contains("<button type=\"button\" data-print hidden>"));
    assert!(page.contains("name=\"year\""), "a year picker");
    let printed = printed_progress(f);
    let measured: Vec<&kvarter_plans::Indicator> = plans
        .indicators()
        .into_iter()
        .map(|(i, _)| i)
        .filter(|i| i.measure != kvarter_plans::Measure::NoSource)
        .collect();
    assert_eq!(printed.len(), measured.len(), "{printed:?}");
    let data_year: i32 = c
        .query_row("SELECT MAX(data_year) FROM population_counts", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        data_year < latest,
        "data year {data_year}, list year {latest}"
    );
    for (id, value, year, status) in &printed {
        let ind = measured.iter().find(|i| &i.id == id).unwrap();
        // The state's table has list years; the screening's counts data years.
        let expected_year = if ind.measure.is_area_year() {
            latest
        } else {
            data_year
        };
        assert_eq!(*year, expected_year, "{id}");
        let row = indicator_row(&page, id);
        let (v, shown) = value_of(row);
        assert_eq!(v, *value, "{id}: {row}");
        assert_eq!(shown, kvarter_report::rounded(v, 2, Lang::Da), "{id}");
        assert_eq!(
            row.contains(&format!("seneste: {data_year}")),
            expected_year != latest,
            "{id}: {row}"
        );
        assert!(
            row.contains(&format!(">{}</span>", status_da(status))),
            "{id} is {status}: {row}"
        );
    }

    // Each sub-goal lists the initiatives of the versions in force that serve it; each area
    // those working in it.
    let in_force: Vec<&kvarter_plans::ActionPlanVersion> = plans
        .action_plans
        .iter()
        .filter(|v| v.period.from <= latest && latest <= v.period.to)
        .collect();
    assert_eq!(in_force.len(), 2, "both action plans run in {latest}");
    for v in &in_force {
        assert!(
            page.contains(&format!("href=\"/plans#{}\"", v.id)),
            "{}",
            v.id
        );
    }
    for sub in plans
        .policies
        .iter()
        .flat_map(|p| &p.goals)
        .flat_map(|g| &g.sub_goals)
    {
        let expected: BTreeSet<String> = in_force
            .iter()
            .flat_map(|v| &v.initiatives)
            .filter(|i| i.sub_goals.contains(&sub.id))
            .map(|i| i.id.clone())
            .collect();
        assert_eq!(
            attrs(section(&page, &sub.id), "data-initiative"),
            expected,
            "{}",
            sub.id
        );
    }

    // Every designated area of the year has a section, and only those.
    let areas = designated(&server, latest);
    assert!(!areas.is_empty());
    assert_eq!(attrs(&page, "data-area"), areas);
    for a in &areas {
        let s = section(&page, &format!("area-{a}"));
        assert!(
            s.contains(&format!("href=\"/areas/{a}?year={latest}\"")),
            "{s}"
        );
        assert!(s.contains(&format!("id=\"numbers-{a}\"")), "{s}");
        let expected: BTreeSet<String> = in_force
            .iter()
            .flat_map(|v| &v.initiatives)
            .filter(|i| match &i.areas {
                Areas::All => true,
                Areas::Listed(l) => l.contains(a),
            })
            .map(|i| i.id.clone())
            .collect();
        assert_eq!(attrs(s, "data-initiative"), expected, "area {a}");
    }
    // Every helhedsplan is shown with its indicators, on a designated area or after them.
    for hp in &plans.helhedsplaner {
        assert!(page.contains(&format!("id=\"{}\"", hp.id)), "{}", hp.id);
    }

    // An earlier year: the values of that year, computed by hand from the store's rows.
    let page = server.page(&format!("/plans/report?year={earlier}"));
    assert!(page.contains(&format!("Statusrapport for politikken, {earlier}")));
    assert!(
        page.contains(&format!("<option value=\"{earlier}\" selected>")),
        "the picker shows the year"
    );
    let listed_latest: Vec<String> = {
        let mut st = c
            .prepare(
                "SELECT DISTINCT area_id FROM list_results WHERE without_origin = 0 AND outcome = 'on' AND list_year = ?1",
            )
            .unwrap();
        st.query_map([latest], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let (mut on_estates, mut on_designated) = (0, 0);
    for (ind, _) in plans.indicators() {
        let row = || indicator_row(&page, &ind.id);
        if ind.measure.is_area_year() {
            let over = match &ind.areas {
                Areas::All => listed_latest.clone(),
                Areas::Listed(a) => a.clone(),
            };
            let Some(expected) = weighted(&c, ind.measure.as_str(), &over, earlier) else {
                continue;
            };
            assert_eq!(
                value_of(row()).0,
                expected,
                "{} in {earlier}: {}",
                ind.id,
                row()
            );
            assert!(!row().contains("seneste:"), "{}", row());
            on_estates += 1;
        } else if ind.population == kvarter_plans::Population::Designated && ind.measure.is_share()
        {
            let (y, expected) = designated_share(&c, ind.measure.as_str(), earlier).unwrap();
            assert_eq!(
                value_of(row()).0,
                expected,
                "{} in {earlier}: {}",
                ind.id,
                row()
            );
            assert_eq!(y, earlier - 1, "the data year before the list year");
            on_designated += 1;
        }
    }
    assert!(
        on_estates >= 1,
        "only {on_estates} area-year indicators checked"
    );
    assert!(
        on_designated >= 5,
        "only {on_designated} designated indicators checked"
    );
    assert_eq!(attrs(&page, "data-area"), designated(&server, earlier));
    // No version of an action plan had started: the first is shown, and said to be so.
    assert!(
        page.contains(&format!(
            "Ingen version af handleplanen var begyndt i {earlier}"
        )),
        "{page}"
    );

    // English: the words and the numbers.
    let page = server.page(&format!("/plans/report?year={latest}&lang=en"));
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains(&format!("Policy status report, {latest}")));
    assert!(page.contains(&format!("Action plan in force in {latest}")));
    assert!(page.contains("The rest (same year)"));
    assert!(page.contains("the rest of the municipality"));
    let (id, value, _, _) = &printed[0];
    let (v, shown) = value_of(indicator_row(&page, id));
    assert_eq!(v, *value);
    assert_eq!(shown, kvarter_report::rounded(v, 2, Lang::En));

    // A year without values: 404 naming the known years; not a year: 400.
    let missing = years[0] - 1;
    let (status, body) = server.get(&format!("/plans/report?year={missing}"));
    assert_eq!(status, 404, "{body}");
    assert!(body.contains(&latest.to_string()) && body.contains(&years[0].to_string()));
    let (status, body) = server.get("/plans/report?year=next");
    assert_eq!(status, 400, "{body}");
}

/// The initiatives of each kind a comparison page lists: added, removed, (id, field) changed,
/// unchanged.
type Listed = (
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeSet<(String, String)>,
    BTreeSet<String>,
);

fn listed(page: &str) -> Listed {
    let changed = section(page, "changed");
    let pairs = changed
        .split("<tr>")
        .skip(2) // before the table, and the head
        .map(|row| {
            let i = attrs(row, "data-initiative");
            let f = attrs(row, "data-field");
            assert_eq!((i.len(), f.len()), (1, 1), "{row}");
            (i.into_iter().next().unwrap(), f.into_iter().next().unwrap())
        })
        .collect();
    (
        attrs(section(page, "added"), "data-initiative"),
        attrs(section(page, "removed"), "data-initiative"),
        pairs,
        attrs(section(page, "unchanged"), "data-initiative"),
    )
}

#[test]
fn the_comparison_lists_what_compare_versions_finds() {
    let f = fixture();
    let plans = read_plans(&f.plans_dir);
    let vs = plans.versions("handleplan");
    assert_eq!(vs.len(), 2);
    let (older, newer) = (vs[0], vs[1]);
    let changes = kvarter_plans::compare_versions(older, newer);
    let mut expected: Listed = Default::default();
    for c in &changes {
        match c {
            InitiativeChange::Added(id) => {
                expected.0.insert(id.clone());
            }
            InitiativeChange::Removed(id) => {
                expected.1.insert(id.clone());
            }
            InitiativeChange::Changed(id, fields) => {
                for f in fields {
                    expected.2.insert((id.clone(), f.to_string()));
                }
            }
        }
    }
    let touched: BTreeSet<&str> = changes
        .iter()
        .map(|c| match c {
            InitiativeChange::Added(i)
            | InitiativeChange::Removed(i)
            | InitiativeChange::Changed(i, _) => i.as_str(),
        })
        .collect();
    expected.3 = older
        .initiatives
        .iter()
        .filter(|i| !touched.contains(i.id.as_str()))
        .map(|i| i.id.clone())
        .collect();
    assert!(
        !expected.0.is_empty() && !expected.1.is_empty() && !expected.2.is_empty(),
        "the seed revises the plan: {changes:?}"
    );

    let server = serve(&f.db, &[]);
    // By default: the two newest versions of the plan with the newest version.
    let page = server.page("/plans/compare");
    assert!(page.contains(&format!("<option value=\"{}\" selected>", older.id)));
    assert!(page.contains(&format!("<option value=\"{}\" selected>", newer.id)));
    assert_eq!(listed(&page), expected);
    for (id, n) in [
        ("n-added", expected.0.len()),
        ("n-removed", expected.1.len()),
        (
            "n-changed",
            expected
                .2
                .iter()
                .map(|(i, _)| i)
                .collect::<BTreeSet<_>>()
                .len(),
        ),
        ("n-unchanged", expected.3.len()),
    ] {
        assert!(page.contains(&format!("id=\"{id}\">{n}<")), "{id} = {n}");
    }
    assert!(page.contains("<details>"), "unchanged ones are collapsed");
    // Every version is offered, labelled with its number and period.
    for v in &plans.action_plans {
        assert!(page.contains(&format!("<option value=\"{}\"", v.id)));
    }
    assert!(page.contains(&format!(
        "{} (version {}, {}–{})",
        newer.name, newer.version, newer.period.from, newer.period.to
    )));

    // Asked for explicitly, in English.
    let page = server.page(&format!(
        "/plans/compare?from={}&to={}&lang=en",
        older.id, newer.id
    ));
    assert_eq!(listed(&page), expected);
    assert!(page.contains("Initiatives added") && page.contains("Fields changed, before → after"));
    assert!(page.contains("<input type=\"hidden\" name=\"lang\" value=\"en\">"));

    // One side only: the version and its neighbour in the plan.
    for q in [
        format!("from={}", older.id),
        format!("to={}", newer.id),
        format!("from={}", newer.id),
    ] {
        let page = server.page(&format!("/plans/compare?{q}"));
        assert_eq!(listed(&page), expected, "{q}");
    }

    // Unknown ids: 404 naming the known ones; the same version or two plans: 400.
    let (status, body) = server.get(&format!("/plans/compare?from=nope&to={}", newer.id));
    assert_eq!(status, 404, "{body}");
    for v in &plans.action_plans {
        assert!(body.contains(&v.id), "{body}");
    }
    let (status, body) = server.get("/plans/compare?to=nope&lang=en");
    assert_eq!(status, 404, "{body}");
    let (status, body) = server.get(&format!("/plans/compare?from={0}&to={0}&lang=en", newer.id));
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("same version"), "{body}");
    let (status, body) = server.get(&format!(
        "/plans/compare?from={}&to=tp-2025&lang=en",
        older.id
    ));
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("same action plan"), "{body}");
}

// ---------------------------------------------------------------------------------------------
// `kvarter plans report` and `/api/plans/report`: one model, every face the same figures.

/// Every indicator row of the API's report: (indicator id, value as served).
fn api_indicators(report: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for p in report["policies"].as_array().unwrap() {
        for g in p["goals"].as_array().unwrap() {
            for s in g["sub_goals"].as_array().unwrap() {
                for r in s["indicators"].as_array().unwrap() {
                    out.push((
                        r["indicator"]["id"].as_str().unwrap().to_string(),
                        r["value"].clone(),
                    ));
                }
            }
        }
    }
    out
}

/// Every udsat byområde key figure of the API's report: ((area, indicator), value).
fn api_figures(report: &Value) -> Vec<((String, String), Value)> {
    report["designated_areas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| {
            let id = a["id"].as_str().unwrap().to_string();
            a["figures"].as_array().unwrap().iter().map(move |f| {
                (
                    (id.clone(), f["indicator"].as_str().unwrap().to_string()),
                    f["value"].clone(),
                )
            })
        })
        .collect()
}

/// Checks that every figure of `html` (a page or the file) is the API's: each indicator's
/// machine-readable value, and each udsat byområde's key figure (its sort key).
fn figures_equal(html: &str, report: &Value, face: &str) -> usize {
    let mut n = 0;
    for (id, v) in api_indicators(report) {
        let row = indicator_row(html, &id);
        match v.as_str() {
            Some(exact) => {
                assert_eq!(
                    value_of(row).0,
                    exact.parse::<Decimal>().unwrap(),
                    "{face}: {id}"
                );
                n += 1;
            }
            None => assert!(
                !row.contains("<data class=\"value\""),
                "{face}: {id}: {row}"
            ),
        }
    }
    for ((area, indicator), v) in api_figures(report) {
        let table = between(html, &format!("id=\"figures-{area}\""), "</table>")
            .unwrap_or_else(|| panic!("{face}: no key figures of {area}"));
        let row = between(table, &format!("<code>{indicator}</code>"), "</tr>").unwrap();
        match v.as_str() {
            Some(exact) => {
                assert!(
                    row.contains(&format!("data-sort=\"{exact}\"")),
                    "{face}: {area} {indicator} = {exact}: {row}"
                );
                n += 1;
            }
            None => assert!(
                !row.contains("data-sort=\"") || row.contains("&lt;"),
                "{row}"
            ),
        }
    }
    n
}

#[test]
fn the_report_file_the_page_and_the_api_show_the_same_figures() {
    let f = fixture();
    let c = conn(f);
    let years = years(&c);
    let latest = *years.last().unwrap();
    let earlier = years[years.len() - 3];
    let server = serve(&f.db, &[]);
    let dir = f.db.parent().unwrap().join("report-files");
    std::fs::create_dir_all(&dir).unwrap();
    let db = f.db.to_str().unwrap();

    for year in [latest, earlier] {
        let api = server.json(&format!("/api/plans/report?year={year}"));
        assert_eq!(api["year"], year);
        assert!(
            !api_figures(&api).is_empty(),
            "the udsatte byområder have key figures"
        );
        let page = server.page(&format!("/plans/report?year={year}"));
        let on_page = figures_equal(&page, &api, "page");
        assert!(on_page >= 10, "only {on_page} figures compared");
        // The designated areas of the round, each with a section.
        for a in api["designated_areas"].as_array().unwrap() {
            let id = a["id"].as_str().unwrap();
            assert!(page.contains(&format!("data-byomraade=\"{id}\"")), "{id}");
            assert!(page.contains(a["name"].as_str().unwrap()));
        }
        // The overall goals are the API's.
        let index = api["goals"]["headline"]["index_to"].as_str().unwrap();
        let shown = kvarter_report::rounded(index.parse().unwrap(), 3, Lang::Da);
        assert!(page.contains(&shown), "index {shown}");

        // The file, in Danish: the same figures, standalone, printable on A4.
        let html = dir.join(format!("report-{year}.html"));
        let y = year.to_string();
        ok(&[
            "plans",
            "report",
            "--db",
            db,
            "--year",
            &y,
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ]);
        let file = std::fs::read_to_string(&html).unwrap();
        assert_eq!(figures_equal(&file, &api, "file"), on_page);
        assert!(file.contains("<style>") && file.contains("@page plan-report"));
        assert!(file.contains("size: A4"));
        assert!(!file.contains("<script") && !file.contains("rel=\"stylesheet\""));
        assert!(!file.contains("http://") && !file.contains("https://"));
        assert!(!file.contains("name=\"year\""), "no form in the file");

        // The workbook: a sheet per part, numbers as numbers, equal to the API's.
        let xlsx = dir.join(format!("report-{year}.xlsx"));
        ok(&[
            "plans",
            "report",
            "--db",
            db,
            "--year",
            &y,
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap(),
        ]);
        use calamine::{Data, Reader, Xlsx};
        let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
        assert_eq!(
            wb.sheet_names(),
            [
                format!("Indikatorer {year}"),
                "Indsatser".into(),
                "Udsatte byområder".into(),
                "Statsligt listede".into(),
                "Overordnede mål".into()
            ]
        );
        let sheet = wb.worksheet_range(&format!("Indikatorer {year}")).unwrap();
        let mut compared = 0;
        for (id, v) in api_indicators(&api) {
            let row = sheet
                .rows()
                .find(|r| r.get(3) == Some(&Data::String(id.clone())))
                .unwrap_or_else(|| panic!("no row of {id}"));
            match (v.as_str(), &row[8]) {
                (Some(exact), Data::Float(x)) => {
                    assert_eq!(*x, exact.parse::<f64>().unwrap(), "{id}");
                    compared += 1;
                }
                (None, Data::Empty) => {}
                (None, Data::String(s)) => assert!(s.starts_with('<'), "{id}: {s}"),
                other => panic!("{id}: {other:?}"),
            }
        }
        assert_eq!(
            compared,
            on_page
                - api_figures(&api)
                    .iter()
                    .filter(|(_, v)| v.is_string())
                    .count()
        );
        let sheet = wb.worksheet_range("Udsatte byområder").unwrap();
        for ((area, indicator), v) in api_figures(&api) {
            let row = sheet
                .rows()
                .find(|r| {
                    r.first() == Some(&Data::String(area.clone()))
                        && r.get(2) == Some(&Data::String(indicator.clone()))
                })
                .unwrap();
            match (v.as_str(), &row[5]) {
                (Some(exact), Data::Float(x)) => {
                    assert_eq!(*x, exact.parse::<f64>().unwrap())
                }
                (None, Data::String(s)) => assert!(s.starts_with('<')),
                (None, Data::Empty) => {}
                other => panic!("{area} {indicator}: {other:?}"),
            }
        }
    }

    // English.
    let html = dir.join("report-en.html");
    ok(&[
        "plans",
        "report",
        "--db",
        db,
        "--format",
        "html",
        "--lang",
        "en",
        "--out",
        html.to_str().unwrap(),
    ]);
    let file = std::fs::read_to_string(&html).unwrap();
    assert!(
        file.contains("<html lang=\"en\">")
            && file.contains(&format!("Policy status report, {latest}"))
    );

    // A year the store lacks, a year that is none, a store that is not there: an error, no file.
    let out = dir.join("never.html");
    for (args, says) in [
        (vec!["--db", db, "--year", "2011"], "known list years"),
        (vec!["--db", db, "--year", "20"], "from 2010 to 9999"),
        (vec!["--db", "/nonexistent/k.db"], "no such database"),
    ] {
        let mut a = vec![
            "plans",
            "report",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
        ];
        a.extend(args);
        let o = common::kvarter(&a);
        assert!(!o.status.success(), "{a:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{a:?}: {err}");
        assert!(!out.exists());
    }
    // The API's rule for years.
    assert_eq!(server.get("/api/plans/report?year=2011").0, 404);
    assert_eq!(server.get("/api/plans/report?year=next").0, 400);
    assert_eq!(server.get("/api/plans/report?yr=2020").0, 400);
}
