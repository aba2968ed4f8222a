//! Editing the plans as the municipality's staff do: signing in with a role, changing a
//! helhedsplan's action through the dashboard's form and through the API, and reading the
//! audit log, against a real `kvarter serve` on a loopback port over a store with the seeded
//! plans. Each refusal (role, CSRF, another site, a stale form, a bad value, a row still in
//! use) is checked to leave the plans and the log exactly as they were.

mod common;

use common::{Reply, Server, form, ok, serve};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const PASSWORD: &str = "en lang nok adgangskode";

/// A store with the synthetic capital, the seeded plans, and one user per role.
fn store(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvarter-edit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (regs, db, plans) = (dir.join("regs"), dir.join("k.db"), dir.join("plans"));
    let s = |p: &Path| p.to_str().unwrap().to_string();
    common::synth_tiny("2016-2024", &regs);
    ok(&["load", "--registers", &s(&regs), "--db", &s(&db)]);
    ok(&["plans", "seed", "--db", &s(&db), "--out", &s(&plans)]);
    ok(&[
        "load",
        "--registers",
        &s(&regs),
        "--db",
        &s(&db),
        "--plans",
        &s(&plans),
    ]);
    for (user, role) in [
        ("anna", "viewer"),
        ("bo", "editor"),
        ("cai", "administrator"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_kvarter"))
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

impl Server {
    fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let c = cookie.map(|c| format!("kvarter_session={c}"));
        let h: Vec<(&str, &str)> = c.iter().map(|c| ("Cookie", c.as_str())).collect();
        self.request("GET", path, &h, "")
    }

    fn post(&self, path: &str, cookie: Option<&str>, body: &str) -> Reply {
        let c = cookie.map(|c| format!("kvarter_session={c}"));
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        if let Some(c) = &c {
            h.push(("Cookie", c));
        }
        self.request("POST", path, &h, body)
    }

    /// Signs in through the form; the session cookie.
    fn sign_in(&self, name: &str) -> String {
        let r = self.post(
            "/login",
            None,
            &form(&[("name", name), ("password", PASSWORD), ("next", "/plans")]),
        );
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.header("location"), Some("/plans"));
        let cookie = r.header("set-cookie").unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        cookie
            .strip_prefix("kvarter_session=")
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_string()
    }

    fn token(&self, name: &str) -> String {
        let r = self.request(
            "POST",
            "/api/auth/token",
            &[("Content-Type", "application/json")],
            &json!({"name": name, "password": PASSWORD}).to_string(),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["token"].as_str().unwrap().to_string()
    }

    /// An API call as a careful client makes it: a change of a row names the revision it was
    /// made from (`If-Match`, the revision `GET /api/plans` gives now).
    fn api(&self, method: &str, path: &str, token: &str, body: &Value) -> Reply {
        let auth = format!("Bearer {token}");
        let mut headers = vec![
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        let revision;
        if matches!(method, "PUT" | "DELETE") && path.starts_with("/api/plans/") {
            revision = format!(
                "\"{}\"",
                self.get("/api/plans", None).json()["revision"]
                    .as_i64()
                    .unwrap()
            );
            headers.push(("If-Match", &revision));
        }
        self.request(method, path, &headers, &body.to_string())
    }

    fn audit(&self, token: &str) -> Vec<Value> {
        let r = self.api("GET", "/api/audit", token, &Value::Null);
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["entries"].as_array().unwrap().clone()
    }

    fn rows(&self, table: &str) -> Vec<Value> {
        let r = self.get(&format!("/api/plans/{table}"), None);
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["rows"].as_array().unwrap().clone()
    }
}

/// A hidden input's value in a page.
fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in the page"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The stored plan files, exactly.
fn plan_files(db: &Path) -> Vec<(String, String)> {
    let store = kvarter_store::Store::open(db).unwrap();
    let mut st = store
        .connection()
        .prepare("SELECT name, content FROM plan_files ORDER BY name")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn roles_decide_who_may_read_the_log_edit_and_manage_users() {
    let db = store("roles");
    let s = serve(&db, &[]);
    let action = s.rows("hp_actions")[0]["id"].as_str().unwrap().to_string();
    let edit = format!("/plans/edit/hp_actions/{action}");

    // Nobody signed in: the plans are public, editing and the log ask to sign in.
    assert_eq!(s.get("/plans", None).status, 200);
    let r = s.get(&edit, None);
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location").unwrap(), format!("/login?next={edit}"));
    assert_eq!(s.get("/plans/audit", None).status, 303);
    assert!(!s.get("/plans", None).body.contains("class=\"edit-link"));

    // A wrong password, and an unknown name, get the same answer.
    for name in ["bo", "nobody"] {
        let r = s.post(
            "/login",
            None,
            &form(&[("name", name), ("password", "forkert adgangskode")]),
        );
        assert_eq!(r.status, 401);
        assert!(r.body.contains("Forkert brugernavn eller adgangskode."));
        assert_eq!(r.header("set-cookie"), None);
    }

    // A viewer reads the log but may not edit, by form or API.
    let anna = s.sign_in("anna");
    assert_eq!(s.get("/plans/audit", Some(&anna)).status, 200);
    assert!(
        !s.get("/plans", Some(&anna))
            .body
            .contains("class=\"edit-link")
    );
    let r = s.get(&edit, Some(&anna));
    assert_eq!(r.status, 403);
    assert!(r.body.contains("redaktør"), "{}", r.body);
    let csrf = hidden(&s.get("/plans/audit", Some(&anna)).body, "csrf");
    let r = s.post(&edit, Some(&anna), &form(&[("csrf", &csrf), ("name", "x")]));
    assert_eq!(r.status, 403);
    let anna_api = s.token("anna");
    let r = s.api(
        "PUT",
        &format!("/api/plans/hp_actions/{action}"),
        &anna_api,
        &json!({"name": "x"}),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.json()["detail"].as_str().unwrap().contains("viewer"));

    // An editor edits, but may not manage users.
    let bo = s.sign_in("bo");
    assert!(
        s.get("/plans", Some(&bo))
            .body
            .contains(&format!("href=\"{edit}\""))
    );
    assert_eq!(s.get(&edit, Some(&bo)).status, 200);
    assert_eq!(s.get("/admin/users", Some(&bo)).status, 403);

    // An administrator creates a viewer, who can then sign in.
    let cai = s.sign_in("cai");
    let page = s.get("/admin/users", Some(&cai));
    assert_eq!(page.status, 200);
    let csrf = hidden(&page.body, "csrf");
    let r = s.post(
        "/admin/users",
        Some(&cai),
        &form(&[
            ("csrf", &csrf),
            ("name", "dora"),
            ("role", "viewer"),
            ("password", PASSWORD),
        ]),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    s.sign_in("dora");
    let r = s.post(
        "/admin/users",
        Some(&cai),
        &form(&[
            ("csrf", &csrf),
            ("name", "eva"),
            ("role", "viewer"),
            ("password", "kort"),
        ]),
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("at least 12"), "{}", r.body);

    // Signing out ends the session.
    let csrf = hidden(&s.get("/plans", Some(&anna)).body, "csrf");
    let r = s.post("/logout", Some(&anna), &form(&[("csrf", &csrf)]));
    assert_eq!(r.status, 303);
    assert_eq!(s.get("/plans/audit", Some(&anna)).status, 303);

    // No API call without a valid token.
    let r = s.api(
        "PUT",
        &format!("/api/plans/hp_actions/{action}"),
        "not-a-token",
        &json!({"name": "x"}),
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let log = s.audit(&anna_api);
    assert!(
        log.iter().all(|e| e["object"] != "hp_actions"),
        "nothing was edited: {log:?}"
    );
    assert!(
        log.iter()
            .any(|e| e["object"] == "users" && e["key"] == "dora" && e["user"] == "cai")
    );
}

#[test]
fn an_edited_action_is_saved_whole_and_logged_with_before_and_after() {
    let db = store("audit");
    let s = serve(&db, &[]);
    let bo = s.sign_in("bo");
    let before_rows = s.rows("hp_actions");
    let old = before_rows[0].clone();
    let id = old["id"].as_str().unwrap();
    let edit = format!("/plans/edit/hp_actions/{id}");
    let page = s.get(&edit, Some(&bo)).body;
    let (csrf, revision) = (hidden(&page, "csrf"), hidden(&page, "revision"));
    let fields = |name: &str, csrf: &str, revision: &str| -> String {
        form(&[
            ("csrf", csrf),
            ("revision", revision),
            ("id", id),
            ("goal_id", old["goal_id"].as_str().unwrap()),
            ("name", name),
            ("description", old["description"].as_str().unwrap()),
            ("illustrative", "true"),
            ("source", old["source"].as_str().unwrap()),
        ])
    };
    let files = plan_files(&db);

    // Refusals change nothing: a missing or wrong CSRF token, another site, an empty name.
    assert_eq!(
        s.post(&edit, Some(&bo), &fields("Ny", "", &revision))
            .status,
        403
    );
    assert_eq!(
        s.post(&edit, Some(&bo), &fields("Ny", &"0".repeat(64), &revision))
            .status,
        403
    );
    let cookie = format!("kvarter_session={bo}");
    let r = s.request(
        "POST",
        &edit,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
            ("Origin", "http://evil.example"),
        ],
        &fields("Ny", &csrf, &revision),
    );
    assert_eq!(r.status, 403);
    // A form without the revision it was read at could overwrite someone else's change.
    let r = s.post(&edit, Some(&bo), &fields("Ny", &csrf, ""));
    assert_eq!(r.status, 428, "{}", r.body);
    assert!(r.body.contains("Intet er gemt"), "{}", r.body);
    let r = s.post(&edit, Some(&bo), &fields("  ", &csrf, &revision));
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("id=\"f-name-error\">skal udfyldes"),
        "{}",
        r.body
    );
    assert_eq!(
        plan_files(&db),
        files,
        "a refused edit leaves the plans as they were"
    );

    // The edit: saved, shown, and logged with who, what, before and after.
    let r = s.post(
        &edit,
        Some(&bo),
        &fields("Jobcafé hver tirsdag", &csrf, &revision),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let saved_at = r.header("location").unwrap().to_string();
    assert!(saved_at.starts_with("/plans?saved="), "{saved_at}");
    let plans_page = s.get(&saved_at, Some(&bo)).body;
    assert!(plans_page.contains("Jobcafé hver tirsdag"));
    assert!(plans_page.contains("id=\"saved\""));
    let after_rows = s.rows("hp_actions");
    assert_eq!(after_rows[0]["name"], "Jobcafé hver tirsdag");
    assert_eq!(after_rows[1..], before_rows[1..], "no other row changed");
    let changed: Vec<String> = plan_files(&db)
        .iter()
        .zip(&files)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.clone())
        .collect();
    assert_eq!(changed, ["hp_actions.csv"]);

    let anna = s.token("anna");
    let log = s.audit(&anna);
    let e = &log[0];
    assert_eq!(
        (
            e["user"].as_str(),
            e["action"].as_str(),
            e["object"].as_str(),
            e["key"].as_str()
        ),
        (Some("bo"), Some("update"), Some("hp_actions"), Some(id))
    );
    assert_eq!(e["before"], old);
    let mut expected = old.clone();
    expected["name"] = json!("Jobcafé hver tirsdag");
    assert_eq!(e["after"], expected);
    assert_eq!(saved_at, format!("/plans?saved={}", e["id"]));
    let audit_page = s.get("/plans/audit", Some(&s.sign_in("anna"))).body;
    assert!(audit_page.contains("<td>bo</td>"), "{audit_page}");
    assert!(audit_page.contains(&format!(
        "<del>{}</del> → <ins>Jobcafé hver tirsdag</ins>",
        old["name"].as_str().unwrap()
    )));

    // The downloads carry the edit: the workbook reads back as the stored files, and one
    // table's CSV is its stored file.
    let xlsx = s.get("/plans/download?format=xlsx", None);
    assert_eq!(xlsx.status, 200);
    let from_xlsx: std::collections::BTreeMap<String, String> =
        kvarter_export::plans_xlsx::from_xlsx("kvarter-planer.xlsx", &xlsx.bytes)
            .unwrap()
            .into_iter()
            .collect();
    let stored: std::collections::BTreeMap<String, String> = plan_files(&db).into_iter().collect();
    assert!(
        from_xlsx == stored,
        "the workbook differs from the stored plan files"
    );
    let csv = s.get("/plans/download?format=csv&table=hp_actions", None);
    assert_eq!(
        csv.body,
        plan_files(&db)
            .into_iter()
            .find(|(f, _)| f == "hp_actions.csv")
            .unwrap()
            .1
    );
    assert_eq!(s.get("/plans/download?format=pdf", None).status, 400);

    // The same form, read before that change, is now stale: refused, and says by whom.
    let r = s.post(&edit, Some(&bo), &fields("Noget andet", &csrf, &revision));
    assert_eq!(r.status, 409);
    assert!(r.body.contains("ændret af bo"), "{}", r.body);
    assert_eq!(s.rows("hp_actions")[0]["name"], "Jobcafé hver tirsdag");
    assert_eq!(s.audit(&anna).len(), log.len());
}

#[test]
fn the_api_creates_changes_and_deletes_rows_with_the_same_checks() {
    let db = store("api");
    let s = serve(&db, &[]);
    let bo = s.token("bo");
    let goal = s.rows("hp_goals")[0]["id"].as_str().unwrap().to_string();
    let revision = |s: &Server| {
        s.get("/api/plans", None).json()["revision"]
            .as_i64()
            .unwrap()
    };
    let r0 = revision(&s);

    let r = s.api(
        "POST",
        "/api/plans/hp_actions",
        &bo,
        &json!({"id": "act-lektier", "goal_id": goal, "name": "Lektiecafé", "illustrative": true}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["after"]["illustrative"], "true");
    let r1 = r.json()["revision"].as_i64().unwrap();
    assert!(r1 > r0);
    assert_eq!(revision(&s), r1);

    // Without If-Match, a change is refused (428) and nothing changes: it could overwrite
    // someone else's.
    let before = plan_files(&db);
    for method in ["PUT", "DELETE"] {
        let r = s.request(
            method,
            "/api/plans/hp_actions/act-lektier",
            &[("Authorization", &format!("Bearer {bo}"))],
            "{\"name\":\"x\"}",
        );
        assert_eq!(r.status, 428, "{method}: {}", r.body);
        assert!(r.body.contains("If-Match"), "{}", r.body);
    }
    assert_eq!(plan_files(&db), before);
    assert_eq!(revision(&s), r1);

    // A stale If-Match is refused; the current one is taken.
    let r = s.request(
        "PUT",
        "/api/plans/hp_actions/act-lektier",
        &[
            ("Authorization", &format!("Bearer {bo}")),
            ("If-Match", &format!("\"{r0}\"")),
        ],
        "{\"name\":\"x\"}",
    );
    assert_eq!(r.status, 412, "{}", r.body);
    let r = s.request(
        "PUT",
        "/api/plans/hp_actions/act-lektier",
        &[
            ("Authorization", &format!("Bearer {bo}")),
            ("If-Match", &format!("\"{r1}\"")),
        ],
        "{\"description\":\"Tirsdag og torsdag\"}",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["before"]["description"], "");
    assert_eq!(r.json()["after"]["description"], "Tirsdag og torsdag");
    assert_eq!(
        r.json()["after"]["name"],
        "Lektiecafé",
        "fields not given are kept"
    );

    // Bad values name the field, in both languages.
    let r = s.api(
        "PUT",
        "/api/plans/hp_actions/act-lektier",
        &bo,
        &json!({"goal_id": "nowhere"}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["field"], "goal_id");
    assert!(
        r.json()["detail_da"]
            .as_str()
            .unwrap()
            .contains("findes ikke")
    );
    let r = s.api(
        "PUT",
        "/api/plans/hp_actions/act-lektier",
        &bo,
        &json!({"id": "renamed"}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["field"], "id");
    let r = s.api("PUT", "/api/plans/nonsense/x", &bo, &json!({}));
    assert_eq!(r.status, 404);
    assert!(r.json()["detail"].as_str().unwrap().contains("hp_actions"));

    // A goal with actions cannot be deleted; an action can.
    let r = s.api(
        "DELETE",
        &format!("/api/plans/hp_goals/{goal}"),
        &bo,
        &Value::Null,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("cannot be deleted")
    );
    let r = s.api(
        "DELETE",
        "/api/plans/hp_actions/act-lektier",
        &bo,
        &Value::Null,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["before"]["description"], "Tirsdag og torsdag");
    assert!(
        s.rows("hp_actions")
            .iter()
            .all(|r| r["id"] != "act-lektier")
    );

    // The log has the three changes, newest first, by bo.
    let log = s.audit(&s.token("anna"));
    let mine: Vec<(&str, &str)> = log
        .iter()
        .filter(|e| e["key"] == "act-lektier")
        .map(|e| (e["action"].as_str().unwrap(), e["user"].as_str().unwrap()))
        .collect();
    assert_eq!(mine, [("delete", "bo"), ("update", "bo"), ("create", "bo")]);

    // An initiative is keyed within its action-plan version.
    let init = s.rows("initiatives")[0].clone();
    let path = format!(
        "/api/plans/initiatives/{}?in={}",
        init["id"].as_str().unwrap(),
        init["action_plan_id"].as_str().unwrap()
    );
    let r = s.api(
        "PUT",
        &path,
        &bo,
        &json!({"status": "completed", "budget_dkk": 1_500_000}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["after"]["budget_dkk"], "1500000");
    let r = s.api(
        "PUT",
        &format!("/api/plans/initiatives/{}", init["id"].as_str().unwrap()),
        &bo,
        &json!({"status": "completed"}),
    );
    assert_eq!(
        r.status, 422,
        "without ?in= there is no such initiative: {}",
        r.body
    );

    // Signing out ends the token.
    assert_eq!(
        s.api("DELETE", "/api/auth/token", &bo, &Value::Null).status,
        204
    );
    assert_eq!(
        s.api("PUT", &path, &bo, &json!({"status": "running"}))
            .status,
        401
    );
}
