//! `kvarter serve` as an attacker and a careless client meet it, on a real server on loopback:
//! where a sign-in may send the browser, the sign-in throttle and its audit, signing in while
//! others edit, the security headers, the `Secure` cookie, and the connection limits (slow
//! headers, idle connections, a slow body, too many connections). Many clients are played by
//! binding to different addresses of 127.0.0.0/8.

mod common;

use common::{Reply, Server, connect_from, form, ok, parse_reply, serve};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PASSWORD: &str = "en lang nok adgangskode";

/// A store loaded from the example criteria, with a viewer (anna) and an editor (bo).
fn store(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-harden-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("k.db");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    ok(&[
        "load",
        "--criteria",
        "examples/criteria.csv",
        "--db",
        &s(&db),
    ]);
    for (user, role) in [("anna", "viewer"), ("bo", "editor")] {
        let out = Command::new(common::bin())
            .args([
                "users",
                "add",
                "--db",
                &s(&db),
                "--name",
                user,
                "--role",
                role,
            ])
            .env("KVARTER_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    db
}

fn ip(last: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, last)
}

fn ip2(a: u8, b: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, a, b)
}

impl Server {
    fn sign_in_from(&self, from: Ipv4Addr, name: &str, password: &str, next: &str) -> Reply {
        self.request_from(
            from,
            "POST",
            "/login",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &form(&[("name", name), ("password", password), ("next", next)]),
        )
    }

    fn token_from(&self, from: Ipv4Addr, name: &str, password: &str) -> Reply {
        self.request_from(
            from,
            "POST",
            "/api/auth/token",
            &[("Content-Type", "application/json")],
            &json!({"name": name, "password": password}).to_string(),
        )
    }

    fn audit(&self, token: &str) -> Vec<Value> {
        let auth = format!("Bearer {token}");
        let r = self.request(
            "GET",
            "/api/audit?limit=1000",
            &[("Authorization", &auth)],
            "",
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["entries"].as_array().unwrap().clone()
    }
}

fn cookie_of(r: &Reply) -> String {
    r.header("set-cookie")
        .and_then(|c| c.strip_prefix("kvarter_session="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no session cookie: {:?}", r.headers))
        .to_string()
}

#[test]
fn a_sign_in_sends_the_browser_only_to_a_path_on_this_site() {
    let db = store("next");
    let s = serve(&db, &[]);
    // Each a way found or known to lead a browser off-site after signing in: browsers drop tabs
    // and newlines from a URL, read `\` as `/`, and some read `%2F` decoded.
    for (i, next) in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/%09/evil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/%252F%252Fevil.example",
        "https://evil.example/",
        "/plans\r\nSet-Cookie: kvarter_session=fixed",
    ]
    .into_iter()
    .enumerate()
    {
        let r = s.sign_in_from(ip(10 + i as u8), "bo", PASSWORD, next);
        assert_eq!(r.status, 303, "{next:?}: {}", r.body);
        assert_eq!(r.header("location"), Some("/plans"), "{next:?}");
        // The sign-in is kept (a newline used to lose it: 303 with no cookie).
        let cookie = cookie_of(&r);
        assert_ne!(cookie, "fixed");
        assert_eq!(
            s.request(
                "GET",
                "/plans/audit",
                &[("Cookie", &format!("kvarter_session={cookie}"))],
                ""
            )
            .status,
            200
        );
    }
    // The form shows the safe path, not the crafted one.
    let r = s.request("GET", "/login?next=%2F%09%2Fevil.example", &[], "");
    assert!(
        r.body.contains("name=\"next\" value=\"/plans\""),
        "{}",
        r.body
    );
    // A path on this site, with its query, is kept.
    let r = s.sign_in_from(ip(40), "bo", PASSWORD, "/plans/report?year=2025&lang=en");
    assert_eq!(
        r.header("location"),
        Some("/plans/report?year=2025&lang=en")
    );
}

#[test]
fn failed_sign_ins_are_throttled_per_account_and_address_and_logged() {
    let db = store("throttle");
    let s = serve(&db, &[]);
    // Five wrong passwords for bo are answered as wrong; the sixth, at once, is throttled,
    // without checking the password, with a visible message and Retry-After.
    for i in 0..5 {
        let r = s.sign_in_from(ip(1), "bo", "forkert adgangskode", "/plans");
        assert_eq!(r.status, 401, "try {i}: {}", r.body);
    }
    let r = s.sign_in_from(ip(1), "bo", PASSWORD, "/plans");
    assert_eq!(r.status, 429, "{}", r.body);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert!(r.body.contains("For mange mislykkede forsøg"), "{}", r.body);
    assert!(r.header("set-cookie").is_none());
    // The throttle is the account's: the API from another address is refused too.
    let r = s.token_from(ip(2), "bo", PASSWORD);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.json()["status"], 429);
    // It is not the address's: anna signs in from the same address.
    assert_eq!(
        s.sign_in_from(ip(1), "anna", PASSWORD, "/plans").status,
        303
    );
    // After the wait, bo's right password works, and clears the count.
    std::thread::sleep(Duration::from_secs(wait));
    assert_eq!(s.sign_in_from(ip(1), "bo", PASSWORD, "/plans").status, 303);
    for _ in 0..5 {
        assert_eq!(
            s.sign_in_from(ip(1), "bo", "forkert adgangskode", "/")
                .status,
            401
        );
    }
    // Two hundred more tries get no further: not one more password is checked.
    let refused = (0..200)
        .map(|_| {
            s.sign_in_from(ip(3), "bo", "forkert adgangskode", "/")
                .status
        })
        .filter(|&st| st == 429)
        .count();
    // (A try is let through only after each doubled wait: 1 s, 2 s, 4 s, …)
    assert!(refused >= 190, "{refused} of 200 throttled");

    // One address trying many names is throttled after twenty, whatever the name.
    for i in 0..20 {
        let r = s.token_from(ip(4), &format!("gæt{i}"), "forkert adgangskode");
        assert_eq!(r.status, 401, "{}", r.body);
    }
    assert_eq!(s.token_from(ip(4), "anna", PASSWORD).status, 429);
    assert_eq!(s.token_from(ip(5), "anna", PASSWORD).status, 201);

    // The audit log has each failed check, with the address and the reason, and the first
    // refusal of each throttling; never a password.
    let token = s.token_from(ip(6), "anna", PASSWORD).json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let log = s.audit(&token);
    let failed: Vec<&Value> = log
        .iter()
        .filter(|e| e["action"] == "sign-in-failed")
        .collect();
    let of = |user: &str, key: &str, reason: &str| {
        failed
            .iter()
            .filter(|e| e["user"] == user && e["key"] == key && e["after"]["reason"] == reason)
            .count()
    };
    assert_eq!(of("127.0.0.1", "bo", "wrong password"), 10);
    assert_eq!(of("127.0.0.1", "bo", "throttled"), 1);
    assert!(of("127.0.0.3", "bo", "throttled") >= 1);
    assert_eq!(of("127.0.0.4", "gæt0", "unknown user"), 1);
    assert_eq!(of("127.0.0.4", "anna", "throttled"), 1);
    assert!(!log.iter().any(|e| e.to_string().contains("forkert")));
    // Failed sign-ins are no change of the plans: their revision stays.
    let plans = s.request("GET", "/api/plans", &[], "").json();
    assert_eq!(plans["revision"], 0);
}

#[test]
fn signing_in_does_not_hold_up_the_editors() {
    let db = store("lock");
    let s = serve(&db, &[]);
    let bo = s.token_from(ip(1), "bo", PASSWORD).json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let auth = format!("Bearer {bo}");
    let create = |s: &Server, i: usize| -> Duration {
        let t = Instant::now();
        let body = json!({"id": format!("p{i}"), "name": format!("Politik {i}"), "name_en": format!("Policy {i}"),
            "period_from": 2025, "period_to": 2035, "illustrative": true});
        let r = s.request(
            "POST",
            "/api/plans/policies",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            &body.to_string(),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        t.elapsed()
    };
    // A storm of failed sign-ins from 100 addresses with 100 names (no throttle applies), while
    // an editor saves; the edits must not queue behind the password checks.
    let storm_start = Instant::now();
    let storm = std::thread::scope(|scope| {
        let attackers: Vec<_> = (0..100u8)
            .map(|i| {
                let s = &s;
                scope.spawn(move || {
                    s.token_from(ip2(1, i), &format!("navn{i}"), "forkert")
                        .status
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100));
        let mut during = Vec::new();
        let mut i = 0;
        while attackers.iter().any(|a| !a.is_finished()) && i < 200 {
            during.push(create(&s, i));
            i += 1;
        }
        let statuses: Vec<u16> = attackers.into_iter().map(|a| a.join().unwrap()).collect();
        assert!(statuses.iter().all(|&st| st == 401), "{statuses:?}");
        during
    });
    let storm_time = storm_start.elapsed();
    let mut during = storm;
    during.sort();
    assert!(
        during.len() >= 3,
        "only {} edits during the storm",
        during.len()
    );
    let median = during[during.len() / 2];
    eprintln!(
        "{} edits during a storm of {storm_time:?}: median {median:?}, slowest {:?}",
        during.len(),
        during[during.len() - 1]
    );
    // Before, each sign-in held the writing connection while hashing, and an edit waited for
    // the sign-ins queued before it: half the storm on average. Now it waits for none.
    assert!(
        median * 5 < storm_time,
        "median edit {median:?} during a storm of {storm_time:?} ({} edits)",
        during.len()
    );
}

/// A request (method, path, headers) and whether its answer is private.
type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, bool);

#[test]
fn every_response_carries_the_security_headers_and_signed_in_ones_are_not_stored() {
    let db = store("headers");
    let s = serve(&db, &[]);
    let cookie = cookie_of(&s.sign_in_from(ip(1), "bo", PASSWORD, "/plans"));
    let cookie = format!("kvarter_session={cookie}");
    let token = s.token_from(ip(1), "anna", PASSWORD).json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let bearer = format!("Bearer {token}");
    let csp = kvarter_web::secure::CSP;
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    // (method, path, headers, whether private)
    let cases: Vec<Case> = vec![
        ("GET", "/", vec![], false),
        ("GET", "/lists", vec![], false),
        ("GET", "/api/rule-sets", vec![], false),
        ("GET", "/api/lists/1999", vec![], false),
        ("GET", "/no/such/page", vec![], false),
        ("DELETE", "/lists", vec![], false),
        ("GET", "/static/style.css", vec![], false),
        ("GET", "/lists/download?year=2025&format=csv", vec![], false),
        ("GET", "/login", vec![], true),
        (
            "POST",
            "/login",
            vec![("Content-Type", "application/x-www-form-urlencoded")],
            true,
        ),
        ("GET", "/plans/audit", vec![], true),
        ("GET", "/admin/users", vec![], true),
        ("GET", "/api/audit", vec![], true),
        ("GET", "/", vec![("Cookie", &cookie)], true),
        ("GET", "/plans", vec![("Cookie", &cookie)], true),
        ("GET", "/plans/audit", vec![("Cookie", &cookie)], true),
        ("GET", "/api/audit", vec![("Authorization", &bearer)], true),
        ("GET", "/api/plans", vec![("Authorization", &bearer)], true),
    ];
    for (method, path, headers, private) in &cases {
        let r = s.request(method, path, headers, "");
        let h = |n: &str| r.header(n).unwrap_or_default().to_string();
        let what = format!("{method} {path} ({})", r.status);
        assert_eq!(h("content-security-policy"), csp, "{what}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(h("x-frame-options"), "DENY", "{what}");
        assert_eq!(h("referrer-policy"), "same-origin", "{what}");
        if *private {
            assert_eq!(h("cache-control"), "no-store", "{what}");
        } else {
            assert_ne!(h("cache-control"), "no-store", "{what}");
        }
    }
    // No page carries an inline script, handler or style attribute the policy would refuse.
    for path in [
        "/",
        "/lists",
        "/plans",
        "/plans/report",
        "/methodology",
        "/login",
    ] {
        let body = s.request("GET", path, &[("Cookie", &cookie)], "").body;
        for bad in [
            "<script>",
            " onclick=",
            " onload=",
            " onchange=",
            " style=\"",
        ] {
            assert!(!body.contains(bad), "{path} has {bad}");
        }
    }
}

#[test]
fn the_session_cookie_is_secure_when_asked() {
    let db = store("secure");
    let plain = serve(&db, &[]);
    let r = plain.sign_in_from(ip(1), "bo", PASSWORD, "/plans");
    assert!(!r.header("set-cookie").unwrap().contains("Secure"));
    drop(plain);
    let s = serve(&db, &["--secure-cookies"]);
    let r = s.sign_in_from(ip(1), "bo", PASSWORD, "/plans");
    let cookie = r.header("set-cookie").unwrap();
    assert!(
        cookie.contains("; Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}

/// Reads from `conn` until the server closes it (or `limit` passes); how long that took, and
/// what was read.
fn until_closed(conn: &mut std::net::TcpStream, limit: Duration) -> (Duration, Vec<u8>) {
    let t = Instant::now();
    conn.set_read_timeout(Some(limit)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        if t.elapsed() >= limit {
            break;
        }
    }
    (t.elapsed(), got)
}

#[test]
fn slow_and_idle_clients_are_cut_off_while_others_are_answered() {
    let db = store("slow");
    let s = serve(
        &db,
        &[
            "--header-timeout",
            "2",
            "--idle-timeout",
            "3",
            "--max-connections",
            "40",
        ],
    );
    // Ten slowloris clients: a request head, one byte every 300 ms, never finished.
    let slow: Vec<std::thread::JoinHandle<Duration>> = (0..10u8)
        .map(|i| {
            let addr = s.addr.clone();
            std::thread::spawn(move || {
                let mut c = connect_from(&addr, ip2(2, i));
                let t = Instant::now();
                c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
                while t.elapsed() < Duration::from_secs(20) {
                    if c.write_all(b"X").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(300));
                    let mut b = [0u8; 1];
                    c.set_read_timeout(Some(Duration::from_millis(1))).unwrap();
                    if matches!(c.read(&mut b), Ok(0)) {
                        break;
                    }
                }
                t.elapsed()
            })
        })
        .collect();
    // Ten idle clients: connected, nothing sent.
    let idle: Vec<_> = (0..10u8)
        .map(|i| connect_from(&s.addr, ip2(3, i)))
        .collect();
    // A keep-alive client that got its answer and then says nothing.
    let mut kept = connect_from(&s.addr, ip(7));
    kept.write_all(format!("GET /api/rule-sets HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).as_bytes())
        .unwrap();
    // A client that announces a body and stops sending it.
    let mut stalled = connect_from(&s.addr, ip(8));
    stalled
        .write_all(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=bo")
        .unwrap();
    // Meanwhile everyone else is answered.
    for _ in 0..10 {
        let r = s.request("GET", "/api/rule-sets", &[], "");
        assert_eq!(r.status, 200);
        std::thread::sleep(Duration::from_millis(100));
    }
    for mut c in idle {
        let (t, got) = until_closed(&mut c, Duration::from_secs(10));
        assert!(
            t < Duration::from_secs(5),
            "an idle connection stayed {t:?}"
        );
        assert!(
            got.is_empty() || got.starts_with(b"HTTP/1.1 408"),
            "{:?}",
            String::from_utf8_lossy(&got)
        );
    }
    let (t, got) = until_closed(&mut kept, Duration::from_secs(10));
    assert!(
        got.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    assert!(
        t < Duration::from_secs(5),
        "a kept-alive idle connection stayed {t:?}"
    );
    let (t, _) = until_closed(&mut stalled, Duration::from_secs(10));
    assert!(
        t < Duration::from_secs(6),
        "a stalled body held its connection {t:?}"
    );
    for h in slow {
        let t = h.join().unwrap();
        assert!(
            t < Duration::from_secs(6),
            "a slow-header client held on {t:?}"
        );
    }
    assert_eq!(s.request("GET", "/api/rule-sets", &[], "").status, 200);
}

#[test]
fn connections_over_the_cap_are_answered_busy_and_the_server_recovers() {
    let db = store("cap");
    let s = serve(
        &db,
        &[
            "--header-timeout",
            "3",
            "--idle-timeout",
            "3",
            "--max-connections",
            "4",
        ],
    );
    let held: Vec<_> = (0..4u8).map(|i| connect_from(&s.addr, ip2(4, i))).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = connect_from(&s.addr, ip(9));
    let (_, got) = until_closed(&mut extra, Duration::from_secs(5));
    let r = parse_reply(&got);
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert_eq!(r.json()["status"], 503);
    // Once the held connections are cut off (header timeout), new clients are served.
    std::thread::sleep(Duration::from_secs(4));
    drop(held);
    assert_eq!(s.request("GET", "/api/rule-sets", &[], "").status, 200);
}
