//! The dashboard as a person uses it, in headless Chromium (Debian's `chromium` driven by
//! `chromedriver`): `kvarter demo` on a small synthetic capital, started by the test on a
//! loopback port. The test opens the overview, follows an area link, checks the numbers on the
//! profile against the API, switches language, sorts a table and downloads a list.

mod browser;

use browser::{Browser, Key};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `kvarter demo`, killed when dropped.
struct Demo {
    child: Child,
    base: String,
    dir: PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kvarter demo --scale tiny` in a fresh folder, on a free port.
fn demo(name: &str) -> Demo {
    let dir = std::env::temp_dir().join(format!("kvarter-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kvarter"))
        .args(["demo", "--scale", "tiny", "--addr", "127.0.0.1:0", "--dir"])
        .arg(&dir)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kvarter demo starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("demo: open ")
        .unwrap_or_else(|| panic!("expected 'demo: open ADDRESS' on stdout, got {line:?}"))
        .trim_end_matches('/')
        .to_string();
    Demo { child, base, dir }
}

/// GET a JSON document from the API.
fn api(base: &str, path: &str) -> Value {
    let addr = base.strip_prefix("http://").unwrap();
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.0 200"), "GET {path}: {head}");
    serde_json::from_str(body).unwrap()
}

#[test]
fn a_newcomer_finds_the_lists_an_area_and_why_and_downloads_a_list() {
    let Some(b) = Browser::try_start() else {
        eprintln!("skipped: KVARTER_SKIP_BROWSER=1 and no chromium");
        return;
    };
    let demo = demo("newcomer");
    let base = &demo.base;

    // The overview: the latest year's lists, a map with the areas, and the areas on a list.
    b.goto(&format!("{base}/"));
    assert!(
        b.title().starts_with("Listerne 1. december"),
        "{}",
        b.title()
    );
    let year: i32 = b
        .find("#year")
        .property("value")
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let shapes = b.find_all("svg#map g.shapes path");
    assert!(!shapes.is_empty(), "the map has no areas");
    assert_eq!(b.find("html").attr("lang").as_deref(), Some("da"));
    // The counts on the cards are those of the API.
    let lists = api(base, &format!("/api/lists/{year}"));
    for l in lists["lists"].as_array().unwrap() {
        if !l["defined"].as_bool().unwrap() {
            continue;
        }
        let card = b.find(&format!(
            ".card .n[data-list=\"{}\"]",
            l["list"].as_str().unwrap()
        ));
        assert_eq!(
            card.text(),
            l["count"].to_string(),
            "count of {}",
            l["list"]
        );
    }

    // Follow the first listed area to its profile.
    let link = b.find("#listed a.area-link");
    let name = link.text();
    link.click();
    b.wait_until(
        |b| b.url().contains("/areas/"),
        Duration::from_secs(10),
        "the area profile",
    );
    assert!(
        b.find("h1").text().starts_with(&name),
        "{}",
        b.find("h1").text()
    );
    let id = b
        .url()
        .split("/areas/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // Every criterion's value and margin in persons on the page is the API's.
    let d = api(base, &format!("/api/areas/{id}/designations?year={year}"));
    let criteria = d["years"][0]["criteria"].as_array().unwrap();
    assert!(!criteria.is_empty());
    for c in criteria {
        let key = format!(
            "{}-{}",
            c["rule_set"].as_str().unwrap(),
            c["criterion"].as_str().unwrap()
        );
        let value = b.find(&format!("#value-{key}")).attr("data-value").unwrap();
        assert_eq!(value, c["value"].as_str().unwrap_or(""), "value of {key}");
        let persons = b
            .find(&format!("#margin-{key}"))
            .attr("data-persons")
            .unwrap();
        let expected = match &c["persons"] {
            Value::String(p) => p.clone(),
            _ => String::new(),
        };
        assert_eq!(persons, expected, "margin of {key}");
    }
    // The explanation is the API's, and it names the area.
    let explanation = b.find("#explanation").text();
    let served = api(base, &format!("/api/areas/{id}/explanation?year={year}"));
    assert_eq!(explanation.trim(), served["text"].as_str().unwrap().trim());
    assert!(!b.find_all("figure.chart svg").is_empty(), "no charts");

    // Switch to English: the same profile and year, in English.
    b.find("#lang-switch").click();
    b.wait_until(
        |b| b.find("html").attr("lang").as_deref() == Some("en"),
        Duration::from_secs(10),
        "the English page",
    );
    assert!(b.url().contains(&format!("year={year}")) && b.url().contains("lang=en"));
    assert_eq!(
        b.find("#crit-h").text(),
        "The criteria and the distance to each threshold"
    );

    // The lists of the year, in English: sort a table and download every list as CSV.
    b.goto(&format!("{base}/lists?year={year}&lang=en"));
    let table = b.find("table[data-sortable]");
    let th = b.find("table[data-sortable] th button");
    th.click();
    assert!(
        b.find("table[data-sortable] th")
            .attr("aria-sort")
            .is_some(),
        "sorting sets aria-sort"
    );
    drop(table);
    b.clear_downloads();
    b.find("#download-csv").click();
    let file = b.wait_for_download(".csv", Duration::from_secs(20));
    let bytes = std::fs::read(&file).unwrap();
    let mut got: BTreeSet<(String, String)> = BTreeSet::new();
    for row in csv::Reader::from_reader(&bytes[..])
        .deserialize::<std::collections::HashMap<String, String>>()
    {
        let row = row.unwrap();
        assert_eq!(row["list_year"], year.to_string());
        got.insert((row["list"].clone(), row["area_id"].clone()));
    }
    let mut expected = BTreeSet::new();
    for l in lists["lists"].as_array().unwrap() {
        for a in l["areas"].as_array().unwrap() {
            expected.insert((
                l["list"].as_str().unwrap().to_string(),
                a["id"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(got, expected, "the downloaded list is the API's");
    b.find("#download-xlsx").click();
    let xlsx = b.wait_for_download(".xlsx", Duration::from_secs(20));
    assert!(std::fs::read(xlsx).unwrap().starts_with(b"PK"));

    // The other pages open without a script error.
    for path in ["/screening", "/methodology", "/?lang=en"] {
        b.goto(&format!("{base}{path}"));
        assert!(b.find("h1").is_displayed());
    }
    // The demo's plans: the policy's goals, and a helhedsplan whose goal is tracked from the data.
    b.goto(&format!("{base}/plans"));
    assert_eq!(b.find("h1").text(), "Planer og mål");
    assert!(
        b.find("section[id^=\"hp-\"] table .badge[class*=\"status-\"]")
            .is_displayed()
    );
    assert!(
        !b.find_all("span.badge.illustrative").is_empty(),
        "illustrative parts are marked"
    );
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

#[test]
fn the_map_and_the_year_picker_work_from_the_keyboard() {
    let Some(b) = Browser::try_start() else {
        eprintln!("skipped: KVARTER_SKIP_BROWSER=1 and no chromium");
        return;
    };
    let demo = demo("keyboard");
    let base = &demo.base;
    b.goto(&format!("{base}/"));
    let years: Vec<String> = b
        .find_all("#year option")
        .iter()
        .map(|o| o.attr("value").unwrap())
        .collect();
    assert!(years.len() > 1);
    // Choosing an earlier year in the picker shows that year (the form submits on change).
    let earlier = years[1].clone();
    b.execute(
        "const s = document.getElementById('year'); s.value = arguments[0]; s.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![Value::String(earlier.clone())],
    );
    b.wait_until(
        |b| b.url().contains(&format!("year={earlier}")),
        Duration::from_secs(10),
        "the earlier year",
    );
    assert!(b.find("h1").text().ends_with(&earlier));
    // The map zooms from its buttons: the viewBox shrinks.
    let before = b.find("svg#map").attr("viewBox").unwrap();
    b.find(".zoom-controls button").click();
    let after = b.find("svg#map").attr("viewBox").unwrap();
    assert_ne!(before, after, "zoom in changes the view");
    // Every area on the map is a link a keyboard reaches.
    let links = b.find_all("svg#map a[href]");
    assert!(!links.is_empty());
    assert!(
        links
            .iter()
            .all(|a| a.attr("href").unwrap().starts_with("/areas/"))
    );
    // A focused area shows its tooltip: the text of its title, written once in the page.
    let tip = b.execute(
        "const a = document.querySelector('svg#map a[href]'); a.focus(); const t = document.getElementById('kv-tooltip'); return [t && !t.hidden ? t.textContent : null, a.querySelector('title').textContent, a.querySelector('path').getAttribute('data-tip')];",
        vec![],
    );
    let tip = tip.as_array().expect("three values");
    assert!(tip[1].as_str().is_some_and(|t| !t.is_empty()), "{tip:?}");
    assert_eq!(tip[0], tip[1], "the tooltip shows the area's title");
    assert_eq!(tip[2], Value::String(String::new()), "not written twice");
    // ... and a keyboard user need not tab through all of them: the link before the map, out
    // of sight until it has the focus, jumps past it, and the next Tab lands after the map.
    let width = |b: &Browser| b.find("a.skip-map").property("offsetWidth").as_u64();
    assert_eq!(width(&b), Some(1), "out of sight");
    b.execute("document.querySelector('a.skip-map').focus()", vec![]);
    assert!(width(&b) > Some(1), "shown when it has the focus");
    b.press_key(Key::Enter);
    b.press_key(Key::Tab);
    let after_map = b.execute(
        "const a = document.activeElement; return a !== document.body && a.closest('svg') === null && !!(document.getElementById('map').compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);",
        vec![],
    );
    assert_eq!(after_map, Value::Bool(true), "the focus moved past the map");
}

#[test]
fn a_coordinator_opens_a_helhedsplan_edits_an_action_and_sees_it_in_the_audit_log() {
    let Some(b) = Browser::try_start() else {
        eprintln!("skipped: KVARTER_SKIP_BROWSER=1 and no chromium");
        return;
    };
    let demo = demo("coordinator");
    let base = &demo.base;
    // The demo made a coordinator (editor) and wrote the password beside the data.
    let users = std::fs::read_to_string(demo.dir.join("demo-users.txt")).unwrap();
    let password = users
        .lines()
        .find_map(|l| l.strip_prefix("koordinator\teditor\t"))
        .expect("the demo's coordinator")
        .to_string();

    // Signing in from the header returns to the plans page.
    b.goto(&format!("{base}/plans"));
    assert!(
        b.try_find(".edit-link").is_none(),
        "no edit links before signing in"
    );
    b.find("#sign-in").click();
    b.wait_until(
        |b| b.url().contains("/login"),
        Duration::from_secs(10),
        "the sign-in form",
    );
    b.find("#name").send_keys("koordinator");
    b.find("#password").send_keys(&password);
    b.find("form.edit button[type=submit]").click();
    b.wait_until(
        |b| b.try_find("#signed-in").is_some(),
        Duration::from_secs(10),
        "signed in",
    );
    assert!(b.url().ends_with("/plans"), "{}", b.url());
    assert_eq!(b.find("#signed-in").text(), "koordinator (redaktør)");

    // Open the first helhedsplan: its goals' indicators carry a status computed from the data.
    let first = b.find("p.toc a");
    let hp = first
        .attr("href")
        .unwrap()
        .trim_start_matches('#')
        .to_string();
    first.click();
    let section = format!("section#{hp}");
    let badges = b.find_all(&format!("{section} .badge[class*=status-]"));
    assert!(!badges.is_empty(), "the helhedsplan's goals have a status");
    let known = [
        "på rette vej",
        "nået",
        "ikke på rette vej",
        "intet udgangspunkt",
        "ingen data",
    ];
    for badge in &badges {
        assert!(known.contains(&badge.text().as_str()), "{}", badge.text());
    }

    // Edit its first action's name.
    let action = b.find(&format!("{section} ul.actions li"));
    let action_id = action.attr("id").unwrap();
    b.find(&format!("{section} ul.actions li .edit-link"))
        .click();
    b.wait_until(
        |b| b.url().contains("/plans/edit/hp_actions/"),
        Duration::from_secs(10),
        "the edit form",
    );
    let name = b.find("#f-name");
    let old = name.property("value").as_str().unwrap().to_string();
    name.clear();
    name.send_keys("Jobcafé hver tirsdag");
    b.find("form.edit button[type=submit]").click();
    b.wait_until(
        |b| b.try_find("#saved").is_some(),
        Duration::from_secs(10),
        "the saved notice",
    );
    assert_eq!(
        b.find(&format!("li#{action_id} .action-name")).text(),
        "Jobcafé hver tirsdag"
    );

    // The audit log shows who changed what, before and after.
    b.find("#saved a").click();
    b.wait_until(
        |b| b.url().contains("/plans/audit"),
        Duration::from_secs(10),
        "the audit log",
    );
    let cells: Vec<String> = b
        .find_all("table#audit tbody tr:first-child td")
        .iter()
        .map(|c| c.text())
        .collect();
    assert_eq!(cells[2], "koordinator");
    assert_eq!(cells[3], "ændret");
    assert_eq!(cells[5], action_id);
    assert_eq!(cells[6], format!("Navn: {old} → Jobcafé hver tirsdag"));
    assert!(b.console_errors().is_empty(), "{:?}", b.console_errors());
}

#[test]
fn the_early_warning_and_a_what_if_that_takes_an_area_off_its_list() {
    let Some(b) = Browser::try_start() else {
        eprintln!("skipped: KVARTER_SKIP_BROWSER=1 and no chromium");
        return;
    };
    let demo = demo("whatif");
    let base = &demo.base;

    // The early warning: next year's risks per list, with the backtest beside them.
    b.goto(&format!("{base}/foresight"));
    let warning = api(base, "/api/foresight");
    let year = warning["list_year"]
        .as_i64()
        .expect("the demo stores an early warning");
    assert_eq!(
        b.find("h1").text(),
        format!("Varsling for listerne 1. december {year}")
    );
    let summary = b.find_all("table#backtest tbody tr");
    let lists_scored = warning["backtest"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["list_year"].is_null() && s["areas"].as_i64() > Some(0))
        .count();
    assert_eq!(summary.len(), lists_scored, "one backtest row per list");

    // An area on a list, and the smallest change that takes it off, from the API.
    let latest = api(base, &format!("/api/lists/{}", year - 1));
    let (area, list) = latest["lists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| {
            l["areas"].as_array().unwrap().iter().map(move |a| {
                (
                    a["id"].as_str().unwrap().to_string(),
                    l["list"].as_str().unwrap().to_string(),
                )
            })
        })
        .find(|(id, list)| {
            api(base, &format!("/api/areas/{id}/whatif"))["smallest"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["list"] == list.as_str() && s["result"] == "persons")
        })
        .expect("some listed area can be taken off by one lever");
    let whatif = api(base, &format!("/api/areas/{area}/whatif"));
    let smallest = whatif["smallest"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["list"] == list.as_str() && s["result"] == "persons")
        .unwrap()
        .clone();
    let lever = smallest["lever"].as_str().unwrap();
    let persons = smallest["persons"].to_string();

    // On the profile, the form takes that many persons, and the list is gone after.
    b.goto(&format!("{base}/areas/{area}"));
    assert!(
        b.try_find("section#foresight").is_some(),
        "the profile shows next year's risk"
    );
    let field = b.find(&format!("#whatif-form [name={lever}]"));
    field.clear();
    field.send_keys(&persons);
    b.find("#whatif-form button[type=submit]").click();
    b.wait_until(
        |b| b.try_find("#whatif-lists-after").is_some(),
        Duration::from_secs(10),
        "the what-if's result",
    );
    let before = b.find("#whatif-lists").text();
    let after = b.find("#whatif-lists-after").text();
    let name = b.find(&format!("#whatif-lists .badge.st-{list}")).text();
    assert!(before.contains(&name), "{before}");
    assert!(
        !after.contains(&name),
        "{name} is still on after {persons} ({lever}): {after}"
    );
    assert!(b.console_errors().is_empty(), "{:?}", b.console_errors());
}

#[test]
fn every_page_runs_under_the_content_security_policy_and_a_crafted_sign_in_link_stays_on_the_site()
{
    let Some(b) = Browser::try_start() else {
        eprintln!("skipped: KVARTER_SKIP_BROWSER=1 and no chromium");
        return;
    };
    let demo = demo("csp");
    let base = &demo.base;
    let users = std::fs::read_to_string(demo.dir.join("demo-users.txt")).unwrap();
    let password = |who: &str| {
        users
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{who}\t")))
            .and_then(|l| l.split('\t').nth(1))
            .unwrap_or_else(|| panic!("the demo's {who}"))
            .to_string()
    };

    // The policy is enforced, not only sent: an inline script is refused, and says so.
    b.goto(&format!("{base}/"));
    let _ = b.console_errors();
    let ran = b.execute(
        "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; \
         document.head.appendChild(s); return window.inlineRan === true;",
        vec![],
    );
    assert_eq!(
        ran,
        Value::Bool(false),
        "an inline script ran under the CSP"
    );
    let refused = b.console_errors();
    assert!(
        refused
            .iter()
            .any(|e| e.contains("Content Security Policy")),
        "{refused:?}"
    );

    // Every kind of page, signed out, in both languages: no console error (a refused style,
    // script or handler would be one), and the script's features work.
    let area = api(base, "/api/areas?per_page=1")["items"][0]["id"]
        .as_str()
        .expect("an area")
        .to_string();
    let pages = [
        "/".to_string(),
        "/?lang=en".into(),
        format!("/areas/{area}"),
        "/lists".into(),
        "/screening".into(),
        "/methodology".into(),
        "/whatif?set=threshold:outside_labour%3D35".into(),
        "/foresight".into(),
        "/plans".into(),
        "/plans/report".into(),
        "/plans/compare".into(),
        "/login".into(),
        "/no/such/page".into(),
    ];
    for p in &pages {
        b.goto(&format!("{base}{p}"));
        let errors = b.console_errors();
        // The unknown page's 404 is the one error expected.
        let errors: Vec<&String> = errors
            .iter()
            .filter(|e| !(p == "/no/such/page" && e.contains("404")))
            .collect();
        assert!(errors.is_empty(), "{p}: {errors:?}");
    }
    b.goto(&format!("{base}/plans/report"));
    assert!(
        b.find("button[data-print]").is_displayed(),
        "the print button is shown by the script"
    );

    // A sign-in link crafted to lead off-site after signing in (`/<TAB>/evil.example`, which
    // a browser reads as `//evil.example`) leads to the plans instead.
    b.goto(&format!("{base}/login?next=%2F%09%2Fevil.example"));
    assert_eq!(
        b.find("input[name=next]").property("value"),
        Value::String("/plans".into())
    );
    b.find("#name").send_keys("admin");
    b.find("#password").send_keys(&password("admin"));
    b.find("form.edit button[type=submit]").click();
    b.wait_until(
        |b| b.try_find("#signed-in").is_some() || !b.url().starts_with(base.as_str()),
        Duration::from_secs(10),
        "signed in",
    );
    assert!(
        b.url().starts_with(&format!("{base}/plans")),
        "left the site: {}",
        b.url()
    );

    // Signed in (administrator): the forms, the audit log and the users, without an error.
    let edit = b.find(".edit-link").attr("href").unwrap();
    for p in [edit.as_str(), "/plans/audit", "/admin/users", "/plans"] {
        let url = if p.starts_with("http") {
            p.to_string()
        } else {
            format!("{base}{p}")
        };
        b.goto(&url);
        let errors = b.console_errors();
        assert!(errors.is_empty(), "{p}: {errors:?}");
    }
}
