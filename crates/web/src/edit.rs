//! Signing in, editing the plans, the audit log and the users: the only part of the server
//! that writes.
//!
//! | path | what | who |
//! |---|---|---|
//! | `GET`/`POST /login`, `POST /logout` | sign in (a session cookie for 8 hours) and out | anyone |
//! | `GET`/`POST /plans/edit/{table}/{id}?in=` | change one row of the plans | editor |
//! | `GET`/`POST /plans/new/{table}?parent=&in=` | add a row | editor |
//! | `GET`/`POST /plans/delete/{table}/{id}?in=` | delete a row (asks first) | editor |
//! | `GET /plans/audit?object=&page=` | the audit log: who changed what, when, before and after | viewer |
//! | `GET`/`POST /admin/users` | create users, change roles, disable | administrator |
//! | `POST`/`DELETE /api/auth/token` | an API token for 1 hour (JSON), or its end | anyone |
//! | `GET /api/plans`, `GET /api/plans/{table}` | the plans as JSON | anyone |
//! | `POST /api/plans/{table}`, `PUT`/`DELETE /api/plans/{table}/{id}?in=` | edit with a bearer token | editor |
//! | `GET /api/audit?object=&limit=&offset=` | the audit log as JSON | viewer |
//!
//! `{table}` is a plan table of [`kvarter_plans::edit::TABLES`] (`hp_actions`, …); `in` is the
//! action-plan version of an initiative.
//!
//! # Invariants
//!
//! - **Every change is one transaction with its audit entry** ([`kvarter_store::Store::edit_plans`]),
//!   checked by exactly the reader a CSV import uses: a refused edit changes nothing.
//! - **Forms carry the session's CSRF token**, and a `POST` whose `Origin` is another site is
//!   refused. The session cookie is `HttpOnly` and `SameSite=Strict`.
//! - **A form read before someone else's change is refused** (409) rather than overwriting it:
//!   the form carries the revision it was read at.
//! - **Nothing here logs a password or a token**; the store keeps neither.

// An early-return `Result<_, Response>` is the handlers' idiom; the response is made once per
// request, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use crate::dash::{self, Ctx, Nav, Signed};
use crate::svg::escape;
use crate::{Api, Problem, Shared, lang_of, params};
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kvarter_plans::edit::{self as pe, Change, EditError, Key, Kind, Row, TableSpec};
use kvarter_store::auth::{self, AuditEntry, EditRefused, PlanEdit, Role, Session, SessionKind};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write;

/// The session cookie's name.
pub const COOKIE: &str = "kvarter_session";

/// Percent-encodes a string for a query parameter.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A local path to return to after signing in ([`crate::signin::local_path`]).
fn local(next: Option<&String>) -> String {
    crate::signin::local_path(next.map(String::as_str))
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// Whether a form post comes from this site: no `Origin`, or one whose host is ours.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, h)| !host.is_empty() && h.trim_end_matches('/') == host)
}

/// The browser session of the request's cookie, if valid.
pub(crate) fn browser_session(conn: &Connection, headers: &HeaderMap) -> Option<Session> {
    let token = cookie_token(headers)?;
    auth::session_of(conn, &token, SessionKind::Browser)
        .ok()
        .flatten()
}

/// The signed-in user for a page's context.
pub(crate) fn signed(conn: &Connection, headers: &HeaderMap) -> Option<Signed> {
    browser_session(conn, headers).map(|s| Signed {
        name: s.user.name,
        role: s.user.role,
        csrf: s.csrf,
    })
}

/// Compares two strings in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// A page in the frame.
fn framed(ctx: &Ctx, status: StatusCode, title: &str, path: &str, body: &str) -> Response {
    html(status, dash::page(ctx, title, Nav::Plans, path, body))
}

fn notice(text: &str) -> String {
    format!("<p class=\"notice\" role=\"alert\">{}</p>", escape(text))
}

/// Runs `f` off the async threads with a reader connection, the request's context and its
/// query; errors become pages.
async fn page_with(
    api: Shared,
    headers: HeaderMap,
    uri: axum::http::Uri,
    allowed: &'static [&'static str],
    f: impl FnOnce(&Api, &Connection, Ctx, &HashMap<String, String>, &str) -> Response + Send + 'static,
) -> Response {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
    let query = uri.query().map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let map = params(query, allowed);
        let lang = map
            .as_ref()
            .ok()
            .and_then(|m| lang_of(m).ok())
            .unwrap_or_default();
        let mut ctx = Ctx::new(lang, api.config.min_count);
        let conn = match api.conn() {
            Ok(c) => c,
            Err(p) => return p.into_response(),
        };
        ctx.signed = signed(&conn, &headers);
        match map.and_then(|m| lang_of(&m).map(|_| m)) {
            Err(p) => framed(
                &ctx,
                p.status,
                ctx.t("Forkert forespørgsel", "Bad request"),
                &path,
                &notice(&p.detail),
            ),
            Ok(m) => f(&api, &conn, ctx, &m, &path),
        }
    })
    .await
    .unwrap_or_else(|e| {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
    })
}

/// What a page needs of the user: a redirect to sign in, or a 403 page naming the role needed.
fn require(ctx: &Ctx, role: Role, path: &str) -> Result<(), Response> {
    match &ctx.signed {
        None => Err(redirect(&format!("/login?next={}", url_encode(path)))),
        Some(s) if s.role < role => Err(framed(
            ctx,
            StatusCode::FORBIDDEN,
            ctx.t("Ingen adgang", "Forbidden"),
            path,
            &notice(&format!(
                "{} {} ({}); {} {}.",
                ctx.t("Du er logget ind som", "You are signed in as"),
                s.name,
                ctx.t(s.role.da(), s.role.as_str()),
                ctx.t("det kræver rollen", "this needs the role"),
                ctx.t(role.da(), role.as_str())
            )),
        )),
        Some(_) => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Signing in and out.

fn login_form(ctx: &Ctx, next: &str, name: &str, error: Option<&str>) -> String {
    format!(
        "{}<form class=\"edit\" method=\"post\" action=\"/login\">\
<input type=\"hidden\" name=\"next\" value=\"{}\"><input type=\"hidden\" name=\"lang\" value=\"{}\">\
<p><label for=\"name\">{}</label><input id=\"name\" name=\"name\" autocomplete=\"username\" required value=\"{}\"></p>\
<p><label for=\"password\">{}</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
<p><button type=\"submit\">{}</button></p></form>\
<p class=\"hint\">{}</p>",
        error.map(notice).unwrap_or_default(),
        escape(next),
        if ctx.lang == kvarter_report::Lang::En { "en" } else { "da" },
        ctx.t("Brugernavn", "User name"),
        escape(name),
        ctx.t("Adgangskode", "Password"),
        ctx.t("Log ind", "Sign in"),
        ctx.t(
            "Alle kan se dashboardet. Man logger ind for at ændre planerne (redaktør), se ændringsloggen (læser) eller styre brugere (administrator). Brugere oprettes med `kvarter users add`.",
            "Anyone can read the dashboard. Sign in to change the plans (editor), read the audit log (viewer) or manage users (administrator). Users are created with `kvarter users add`."
        )
    )
}

/// `GET /login?next=`.
pub(crate) async fn login_page(
    State(api): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    page_with(
        api,
        headers,
        uri,
        &["next", "lang"],
        |_, _, ctx, m, path| {
            let title = ctx.t("Log ind", "Sign in");
            framed(
                &ctx,
                StatusCode::OK,
                title,
                path,
                &login_form(&ctx, &local(m.get("next")), "", None),
            )
        },
    )
    .await
}

fn form_ctx(api: &Api, form: &HashMap<String, String>) -> Ctx {
    let lang = match form.get("lang").map(String::as_str) {
        Some("en") => kvarter_report::Lang::En,
        _ => kvarter_report::Lang::Da,
    };
    Ctx::new(lang, api.config.min_count)
}

/// The client's address, as the listener recorded it ([`crate::listen::ClientAddr`]); the
/// unspecified address when the app runs without the listener (in tests).
fn client_of(ext: &axum::http::Extensions) -> std::net::IpAddr {
    ext.get::<crate::listen::ClientAddr>()
        .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0)
}

/// The session cookie for a new session.
fn session_cookie(api: &Api, session: &Session) -> String {
    format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        session.token,
        auth::BROWSER_TTL,
        if api.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
}

/// `POST /login`: a session cookie and a redirect to `next`, or the form again: 401 for a
/// wrong name or password, 429 with `Retry-After` when throttled ([`crate::signin`]).
pub(crate) async fn login(
    State(api): State<Shared>,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    use crate::signin::Outcome;
    let ctx = form_ctx(&api, &form);
    let title = ctx.t("Log ind", "Sign in");
    let next = local(form.get("next"));
    let name = form.get("name").map_or("", |s| s.trim()).to_string();
    let again = |status, msg: &str| {
        framed(
            &ctx,
            status,
            title,
            "/login",
            &login_form(&ctx, &next, &name, Some(msg)),
        )
    };
    if !same_origin(&headers) {
        return again(
            StatusCode::FORBIDDEN,
            ctx.t(
                "Formularen kom fra et andet websted.",
                "The form came from another site.",
            ),
        );
    }
    let password = form.get("password").cloned().unwrap_or_default();
    let outcome = crate::signin::sign_in(
        api.clone(),
        client_of(&ext),
        name.clone(),
        password,
        SessionKind::Browser,
    )
    .await;
    match outcome {
        Outcome::Signed(session) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, next.clone()),
                (header::SET_COOKIE, session_cookie(&api, &session)),
            ],
        )
            .into_response(),
        Outcome::Refused => again(
            StatusCode::UNAUTHORIZED,
            ctx.t(
                "Forkert brugernavn eller adgangskode.",
                "Wrong user name or password.",
            ),
        ),
        Outcome::Throttled(seconds) => {
            let mut r = again(
                StatusCode::TOO_MANY_REQUESTS,
                &if ctx.lang == kvarter_report::Lang::En {
                    format!("Too many failed sign-ins. Try again in {seconds} seconds.")
                } else {
                    format!(
                        "For mange mislykkede forsøg på at logge ind. Prøv igen om {seconds} sekunder."
                    )
                },
            );
            r.headers_mut().insert(header::RETRY_AFTER, seconds.into());
            r
        }
        Outcome::ReadOnly => again(
            StatusCode::SERVICE_UNAVAILABLE,
            ctx.t(
                "Lageret er skrivebeskyttet, så ingen kan logge ind.",
                "The store is read-only, so nobody can sign in.",
            ),
        ),
        Outcome::Failed(e) => again(StatusCode::INTERNAL_SERVER_ERROR, &e),
    }
}

/// `POST /logout`: ends the session (the form carries its CSRF token).
pub(crate) async fn logout(
    State(api): State<Shared>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    tokio::task::spawn_blocking(move || {
        let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        let session = api.conn().ok().and_then(|c| browser_session(&c, &headers));
        if let (Some(s), Some(w)) = (session, &api.writer) {
            if !same(form.get("csrf").map_or("", String::as_str), &s.csrf) {
                return Problem::new(StatusCode::FORBIDDEN, "the form's CSRF token does not match the session; reload the page and try again").into_response();
            }
            if let Ok(mut w) = w.lock() {
                let _ = w.sign_out(&s.token);
            }
        }
        (StatusCode::SEE_OTHER, [(header::LOCATION, "/".to_string()), (header::SET_COOKIE, clear)]).into_response()
    })
    .await
    .unwrap_or_else(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
}

// ---------------------------------------------------------------------------------------------
// Editing: one code path for the forms and the API.

/// Why an edit did not happen.
enum Refusal {
    Invalid(EditError),
    Stale(AuditEntry),
    ReadOnly,
    Internal(String),
}

fn row_json(row: &Option<Row>) -> Option<String> {
    row.as_ref()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
}

/// Applies the change as `user`, refusing it when the plans changed after `read`.
fn perform(
    api: &Api,
    user: &str,
    change: &Change,
    read: Option<i64>,
) -> Result<(i64, pe::Applied), Refusal> {
    let writer = api.writer.as_ref().ok_or(Refusal::ReadOnly)?;
    let mut store = writer
        .lock()
        .map_err(|_| Refusal::Internal("the store lock is poisoned".into()))?;
    let mut applied = None;
    let revision = store.edit_plans(user, read, |files| {
        let plans = if files.is_empty() {
            kvarter_plans::Plans::default()
        } else {
            kvarter_plans::csv::read(&files).map_err(|e| EditError {
                field: None,
                da: format!("de gemte planer kan ikke læses: {e}"),
                en: format!("the stored plans cannot be read: {e}"),
            })?
        };
        let a = pe::apply(&plans, change)?;
        let edit = PlanEdit {
            files: a.files.clone(),
            action: change.action().into(),
            object: change.table().name.into(),
            key: a.key.to_string(),
            before: row_json(&a.before),
            after: row_json(&a.after),
        };
        applied = Some(a);
        Ok(edit)
    });
    match revision {
        Ok(r) => applied
            .map(|a| (r, a))
            .ok_or_else(|| Refusal::Internal("the edit was stored but not returned".into())),
        Err(EditRefused::Invalid(e)) => Err(Refusal::Invalid(e)),
        Err(EditRefused::Stale { by, .. }) => Err(Refusal::Stale(*by)),
        Err(EditRefused::Store(e)) => Err(Refusal::Internal(e.to_string())),
    }
}

fn stored_plans(conn: &Connection) -> Result<kvarter_plans::Plans, String> {
    Ok(crate::plans::stored(conn)?.unwrap_or_default())
}

fn key_of(table: &TableSpec, id: &str, scope: Option<&String>) -> Key {
    Key {
        id: id.to_string(),
        scope: table.scoped().then(|| scope.cloned().unwrap_or_default()),
    }
}

/// The options of a parent field: (id, label) of every row of the parent table(s).
fn parents(plans: &kvarter_plans::Plans, kinds: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for t in kinds.split('|') {
        if let Some(spec) = pe::table(t) {
            for r in pe::rows(plans, spec) {
                let label = ["name", "text", "plan"]
                    .iter()
                    .find_map(|c| r.get(*c).filter(|v| !v.is_empty()))
                    .cloned()
                    .unwrap_or_default();
                out.push((r["id"].clone(), label));
            }
        }
    }
    out
}

/// A cell as a person reads it: a decimal with a comma in Danish.
fn shown(ctx: &Ctx, kind: Kind, v: &str) -> String {
    match kind {
        Kind::Decimal if ctx.comma() => v.replace('.', ","),
        _ => v.to_string(),
    }
}

/// The form of one row: every field with its label, its input and its error.
#[allow(clippy::too_many_arguments)]
fn row_form(
    ctx: &Ctx,
    table: &TableSpec,
    action: &str,
    creating: bool,
    row: &Row,
    error: Option<&EditError>,
    revision: i64,
    plans: &kvarter_plans::Plans,
) -> String {
    let mut s = String::new();
    if let Some(e) = error.filter(|e| e.field.is_none()) {
        s.push_str(&notice(ctx.t(&e.da, &e.en)));
    }
    if let Some(e) = error.filter(|e| e.field.is_some()) {
        s.push_str(&notice(&format!(
            "{} {}",
            ctx.t(
                "Ændringen er ikke gemt. Ret feltet markeret nedenfor:",
                "Nothing was saved. Correct the field marked below:"
            ),
            table
                .field(e.field.as_deref().unwrap_or(""))
                .map_or("", |f| ctx.t(f.da, f.en))
        )));
    }
    let _ = write!(
        s,
        "<form class=\"edit\" method=\"post\" action=\"{}\" novalidate>{}<input type=\"hidden\" name=\"revision\" value=\"{revision}\"><input type=\"hidden\" name=\"lang\" value=\"{}\">",
        escape(action),
        ctx.csrf_field(),
        if ctx.comma() { "da" } else { "en" }
    );
    for f in table.fields {
        let id = format!("f-{}", f.name);
        let v = row.get(f.name).map_or("", String::as_str);
        let err = error.filter(|e| e.field.as_deref() == Some(f.name));
        let invalid = if err.is_some() {
            format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\"")
        } else {
            String::new()
        };
        let req = if f.required && f.kind != Kind::Bool {
            " required"
        } else {
            ""
        };
        let label = format!(
            "<label for=\"{id}\">{}{}</label>",
            escape(ctx.t(f.da, f.en)),
            if req.is_empty() { "" } else { " *" }
        );
        let input = match f.kind {
            Kind::Bool => format!(
                "<input type=\"checkbox\" id=\"{id}\" name=\"{}\" value=\"true\"{}{invalid}>",
                f.name,
                if v == "true" { " checked" } else { "" }
            ),
            Kind::Choice(options) => {
                let mut o = format!("<select id=\"{id}\" name=\"{}\"{invalid}{req}>", f.name);
                if !options.iter().any(|x| x.0.is_empty()) && v.is_empty() {
                    o.push_str("<option value=\"\"></option>");
                }
                for (val, da, en) in options {
                    let _ = write!(
                        o,
                        "<option value=\"{}\"{}>{}</option>",
                        escape(val),
                        if *val == v { " selected" } else { "" },
                        escape(ctx.t(da, en))
                    );
                }
                o.push_str("</select>");
                o
            }
            Kind::Parent(kinds) => {
                let options = parents(plans, kinds);
                let mut o = format!("<select id=\"{id}\" name=\"{}\"{invalid}{req}>", f.name);
                if !options.iter().any(|(p, _)| p == v) {
                    let _ = write!(
                        o,
                        "<option value=\"{}\" selected>{}</option>",
                        escape(v),
                        escape(v)
                    );
                }
                for (p, label) in options {
                    let _ = write!(
                        o,
                        "<option value=\"{}\"{}>{} – {}</option>",
                        escape(&p),
                        if p == v { " selected" } else { "" },
                        escape(&p),
                        escape(&label)
                    );
                }
                o.push_str("</select>");
                o
            }
            Kind::LongText | Kind::List | Kind::Areas => format!(
                "<textarea id=\"{id}\" name=\"{}\" rows=\"{}\"{invalid}{req}>{}</textarea>",
                f.name,
                if f.kind == Kind::LongText { 4 } else { 2 },
                escape(v)
            ),
            Kind::Id if !creating => format!(
                "<input id=\"{id}\" name=\"{}\" value=\"{}\" readonly{invalid}>",
                f.name,
                escape(v)
            ),
            Kind::Year | Kind::Dkk => format!(
                "<input id=\"{id}\" name=\"{}\" value=\"{}\" inputmode=\"numeric\"{invalid}{req}>",
                f.name,
                escape(v)
            ),
            Kind::Decimal => format!(
                "<input id=\"{id}\" name=\"{}\" value=\"{}\" inputmode=\"decimal\"{invalid}{req}>",
                f.name,
                escape(&shown(ctx, f.kind, v))
            ),
            Kind::Id | Kind::Text => format!(
                "<input id=\"{id}\" name=\"{}\" value=\"{}\"{invalid}{req}>",
                f.name,
                escape(v)
            ),
        };
        let hint = match f.kind {
            Kind::List => ctx.t(
                "Adskil med ; (et ; i teksten skrives \\;)",
                "Separate with ; (a ; in the text is written \\;)",
            ),
            Kind::Areas => ctx.t(
                "Område-id'er adskilt af ;, eller * for alle listede områder",
                "Area ids separated by ;, or * for all listed areas",
            ),
            Kind::Decimal => ctx.t("Et tal, fx 17,3", "A number, e.g. 17.3"),
            Kind::Year => ctx.t("Fire cifre, fx 2030", "Four digits, e.g. 2030"),
            Kind::Dkk => ctx.t("Hele kroner", "Whole kroner"),
            Kind::Id if !creating => ctx.t("Id'et kan ikke ændres", "The id cannot change"),
            _ => "",
        };
        let _ = write!(
            s,
            "<p class=\"field{}\">{label}{input}{}{}</p>",
            if err.is_some() { " invalid" } else { "" },
            if hint.is_empty() {
                String::new()
            } else {
                format!("<span class=\"hint\">{}</span>", escape(hint))
            },
            err.map(|e| format!(
                "<span class=\"error\" id=\"{id}-error\">{}</span>",
                escape(ctx.t(&e.da, &e.en))
            ))
            .unwrap_or_default()
        );
    }
    let _ = write!(
        s,
        "<p><button type=\"submit\">{}</button> <a href=\"{}\">{}</a></p></form>",
        if creating {
            ctx.t("Opret", "Create")
        } else {
            ctx.t("Gem", "Save")
        },
        escape(&ctx.href("/plans")),
        ctx.t("Fortryd", "Cancel")
    );
    s
}

fn title_of(ctx: &Ctx, verb_da: &str, verb_en: &str, table: &TableSpec) -> String {
    format!("{} {}", ctx.t(verb_da, verb_en), ctx.t(table.da, table.en))
}

fn unknown_table(ctx: &Ctx, path: &str, name: &str) -> Response {
    framed(
        ctx,
        StatusCode::NOT_FOUND,
        ctx.t("Ikke fundet", "Not found"),
        path,
        &notice(&format!(
            "{} «{name}»; {} {}",
            ctx.t("Ingen tabel", "No table"),
            ctx.t("forventet en af", "expected one of"),
            pe::TABLES
                .iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}

/// Which form: editing a row (with its key), creating one, or deleting one.
#[derive(Clone)]
enum Mode {
    Edit(String),
    New,
    Delete(String),
}

fn action_path(table: &TableSpec, mode: &Mode, scope: Option<&String>) -> String {
    let q = scope
        .map(|s| format!("?in={}", url_encode(s)))
        .unwrap_or_default();
    match mode {
        Mode::Edit(id) => format!("/plans/edit/{}/{}{q}", table.name, url_encode(id)),
        Mode::New => format!("/plans/new/{}{q}", table.name),
        Mode::Delete(id) => format!("/plans/delete/{}/{}{q}", table.name, url_encode(id)),
    }
}

/// The form page (GET) for any mode.
fn form_page(
    api: &Api,
    conn: &Connection,
    ctx: Ctx,
    m: &HashMap<String, String>,
    path: &str,
    table: &str,
    mode: Mode,
) -> Response {
    let _ = api;
    let Some(spec) = pe::table(table) else {
        return unknown_table(&ctx, path, table);
    };
    if let Err(r) = require(&ctx, Role::Editor, path) {
        return r;
    }
    let plans = match stored_plans(conn) {
        Ok(p) => p,
        Err(e) => {
            return framed(
                &ctx,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                path,
                &notice(&e),
            );
        }
    };
    let revision = auth::plan_revision(conn).unwrap_or(0);
    let scope = m.get("in");
    let action = action_path(spec, &mode, scope);
    match &mode {
        Mode::New => {
            let mut row = Row::new();
            if let (Some(p), Some(f)) = (
                m.get("parent"),
                spec.fields
                    .iter()
                    .find(|f| matches!(f.kind, Kind::Parent(_))),
            ) {
                row.insert(f.name.into(), p.clone());
            }
            row.insert("illustrative".into(), "false".into());
            let title = title_of(&ctx, "Ny", "New", spec);
            framed(
                &ctx,
                StatusCode::OK,
                &title,
                path,
                &row_form(
                    &ctx,
                    spec,
                    &ctx.href(&action),
                    true,
                    &row,
                    None,
                    revision,
                    &plans,
                ),
            )
        }
        Mode::Edit(id) | Mode::Delete(id) => {
            let key = key_of(spec, id, scope);
            let Some(row) = pe::row(&plans, spec, &key) else {
                return framed(
                    &ctx,
                    StatusCode::NOT_FOUND,
                    ctx.t("Ikke fundet", "Not found"),
                    path,
                    &notice(&format!(
                        "{} {} «{key}»",
                        ctx.t("Ingen", "No"),
                        ctx.t(spec.da, spec.en)
                    )),
                );
            };
            if let Mode::Delete(_) = mode {
                let title = title_of(&ctx, "Slet", "Delete", spec);
                let body = format!(
                    "<p>{}</p>{}<form class=\"edit\" method=\"post\" action=\"{}\">{}<input type=\"hidden\" name=\"revision\" value=\"{revision}\"><p><button type=\"submit\" class=\"danger\">{}</button> <a href=\"{}\">{}</a></p></form>",
                    ctx.t("Vil du slette denne række? Sletningen skrives i ændringsloggen med rækkens indhold.", "Delete this row? The deletion is written to the audit log with the row's content."),
                    row_table(ctx.t("Rækken", "The row"), spec, &ctx, &row),
                    escape(&ctx.href(&action)),
                    ctx.csrf_field(),
                    ctx.t("Slet", "Delete"),
                    escape(&ctx.href("/plans")),
                    ctx.t("Fortryd", "Cancel")
                );
                return framed(&ctx, StatusCode::OK, &title, path, &body);
            }
            let title = format!("{}: {}", title_of(&ctx, "Rediger", "Edit", spec), key);
            let delete = format!(
                "<p class=\"hint\"><a href=\"{}\">{}</a></p>",
                escape(&ctx.href(&action_path(spec, &Mode::Delete(id.clone()), scope))),
                ctx.t("Slet denne række …", "Delete this row …")
            );
            framed(
                &ctx,
                StatusCode::OK,
                &title,
                path,
                &(row_form(
                    &ctx,
                    spec,
                    &ctx.href(&action),
                    false,
                    &row,
                    None,
                    revision,
                    &plans,
                ) + &delete),
            )
        }
    }
}

/// A row as a two-column table of field and value.
fn row_table(caption: &str, spec: &TableSpec, ctx: &Ctx, row: &Row) -> String {
    let mut s = format!(
        "<table class=\"data\"><caption>{}</caption><tbody>",
        escape(caption)
    );
    for f in spec.fields {
        let _ = write!(
            s,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(ctx.t(f.da, f.en)),
            escape(&shown(
                ctx,
                f.kind,
                row.get(f.name).map_or("", String::as_str)
            ))
        );
    }
    s.push_str("</tbody></table>");
    s
}

/// `GET /plans/edit/{table}/{id}`.
pub(crate) async fn edit_page(
    State(api): State<Shared>,
    UrlPath((table, id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    page_with(
        api,
        headers,
        uri,
        &["in", "lang"],
        move |a, c, ctx, m, p| form_page(a, c, ctx, m, p, &table, Mode::Edit(id)),
    )
    .await
}

/// `GET /plans/new/{table}`.
pub(crate) async fn new_page(
    State(api): State<Shared>,
    UrlPath(table): UrlPath<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    page_with(
        api,
        headers,
        uri,
        &["in", "parent", "lang"],
        move |a, c, ctx, m, p| form_page(a, c, ctx, m, p, &table, Mode::New),
    )
    .await
}

/// `GET /plans/delete/{table}/{id}`.
pub(crate) async fn delete_page(
    State(api): State<Shared>,
    UrlPath((table, id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    page_with(
        api,
        headers,
        uri,
        &["in", "lang"],
        move |a, c, ctx, m, p| form_page(a, c, ctx, m, p, &table, Mode::Delete(id)),
    )
    .await
}

/// A form post (edit, new or delete): checks the session, the CSRF token and the origin,
/// applies the change, and redirects to the plans page, or shows the form again with the error.
async fn form_post(
    api: Shared,
    headers: HeaderMap,
    uri: axum::http::Uri,
    form: HashMap<String, String>,
    table: String,
    mode: Mode,
) -> Response {
    let query = uri.query().map(str::to_string);
    let path = uri.path().to_string();
    tokio::task::spawn_blocking(move || {
        let mut ctx = form_ctx(&api, &form);
        let conn = match api.conn() {
            Ok(c) => c,
            Err(p) => return p.into_response(),
        };
        let session = browser_session(&conn, &headers);
        ctx.signed = session.as_ref().map(|s| Signed { name: s.user.name.clone(), role: s.user.role, csrf: s.csrf.clone() });
        let Some(spec) = pe::table(&table) else {
            return unknown_table(&ctx, &path, &table);
        };
        if let Err(r) = require(&ctx, Role::Editor, &path) {
            return r;
        }
        let Some(session) = session else {
            return redirect("/login");
        };
        if !same_origin(&headers) || !same(form.get("csrf").map_or("", String::as_str), &session.csrf) {
            return framed(&ctx, StatusCode::FORBIDDEN, ctx.t("Ingen adgang", "Forbidden"), &path, &notice(ctx.t(
                "Formularens sikkerhedsnøgle (CSRF) passer ikke til din session. Genindlæs siden og prøv igen.",
                "The form's security token (CSRF) does not match your session. Reload the page and try again.",
            )));
        }
        let q = params(query, &["in"]).unwrap_or_default();
        let scope = q.get("in");
        let Some(read) = form.get("revision").and_then(|r| r.parse::<i64>().ok()) else {
            return framed(&ctx, StatusCode::PRECONDITION_REQUIRED, ctx.t("Formularen mangler sin version", "The form lacks its revision"), &path, &notice(ctx.t(
                "Formularen har ikke den version af planerne, den blev læst ved (feltet revision), så en ændring kunne overskrive en andens. Intet er gemt. Åbn formularen igen fra planerne.",
                "The form does not carry the revision of the plans it was read at (the field revision), so a change could overwrite someone else's. Nothing was saved. Open the form again from the plans.",
            )));
        };
        let read = Some(read);
        let submitted: Row = spec
            .fields
            .iter()
            .map(|f| (f.name.to_string(), form.get(f.name).cloned().unwrap_or_default()))
            .collect();
        let change = match &mode {
            Mode::New => Change::Create { table: spec, row: submitted.clone() },
            Mode::Edit(id) => Change::Update { table: spec, key: key_of(spec, id, scope), row: submitted.clone() },
            Mode::Delete(id) => Change::Delete { table: spec, key: key_of(spec, id, scope) },
        };
        match perform(&api, &session.user.name, &change, read) {
            Ok((revision, _)) => redirect(&ctx.href(&format!("/plans?saved={revision}"))),
            Err(refusal) => {
                let plans = stored_plans(&conn).unwrap_or_default();
                let revision = auth::plan_revision(&conn).unwrap_or(0);
                let action = ctx.href(&action_path(spec, &mode, scope));
                let title = match mode {
                    Mode::New => title_of(&ctx, "Ny", "New", spec),
                    Mode::Edit(_) => title_of(&ctx, "Rediger", "Edit", spec),
                    Mode::Delete(_) => title_of(&ctx, "Slet", "Delete", spec),
                };
                let (status, error) = match refusal {
                    Refusal::Invalid(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
                    Refusal::Stale(by) => (
                        StatusCode::CONFLICT,
                        EditError {
                            field: None,
                            da: format!("Planerne er ændret af {} {} (ændring nr. {}), efter du åbnede formularen. Intet er gemt. Formularen viser nu dine indtastninger; kontrollér dem mod ændringsloggen og gem igen.", by.user, by.at, by.id),
                            en: format!("The plans were changed by {} at {} (change no. {}) after you opened the form. Nothing was saved. The form shows what you entered; check it against the audit log and save again.", by.user, by.at, by.id),
                        },
                    ),
                    Refusal::ReadOnly => (StatusCode::SERVICE_UNAVAILABLE, EditError { field: None, da: "Lageret er skrivebeskyttet; intet er gemt.".into(), en: "The store is read-only; nothing was saved.".into() }),
                    Refusal::Internal(m) => (StatusCode::INTERNAL_SERVER_ERROR, EditError { field: None, da: m.clone(), en: m }),
                };
                let body = if matches!(mode, Mode::Delete(_)) {
                    notice(ctx.t(&error.da, &error.en))
                } else {
                    row_form(&ctx, spec, &action, matches!(mode, Mode::New), &submitted, Some(&error), revision, &plans)
                };
                framed(&ctx, status, &title, &path, &body)
            }
        }
    })
    .await
    .unwrap_or_else(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
}

/// `POST /plans/edit/{table}/{id}`.
pub(crate) async fn edit_post(
    State(api): State<Shared>,
    UrlPath((table, id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    form_post(api, headers, uri, form, table, Mode::Edit(id)).await
}

/// `POST /plans/new/{table}`.
pub(crate) async fn new_post(
    State(api): State<Shared>,
    UrlPath(table): UrlPath<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    form_post(api, headers, uri, form, table, Mode::New).await
}

/// `POST /plans/delete/{table}/{id}`.
pub(crate) async fn delete_post(
    State(api): State<Shared>,
    UrlPath((table, id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    form_post(api, headers, uri, form, table, Mode::Delete(id)).await
}

// ---------------------------------------------------------------------------------------------
// The audit log.

/// What changed between two JSON rows: (field, before, after) for each field that differs.
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<(String, String, String)> {
    let parse = |s: Option<&str>| -> serde_json::Map<String, Value> {
        s.and_then(|s| serde_json::from_str::<Value>(s).ok())
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    };
    let (b, a) = (parse(before), parse(after));
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| ((*k).clone(), text(b.get(k)), text(a.get(k))))
        .collect()
}

/// The audit log as a table.
pub fn audit_table(ctx: &Ctx, entries: &[AuditEntry]) -> String {
    let action = |a: &str| -> String {
        match a {
            "create" => ctx.t("oprettet", "created").into(),
            "update" => ctx.t("ændret", "changed").into(),
            "delete" => ctx.t("slettet", "deleted").into(),
            "replace" => ctx
                .t("erstattet ved indlæsning", "replaced by a load")
                .into(),
            other => other.into(),
        }
    };
    let object = |o: &str| {
        pe::table(o)
            .map(|t| ctx.t(t.da, t.en).to_string())
            .unwrap_or_else(|| match o {
                "users" => ctx.t("bruger", "user").into(),
                "plans" => ctx.t("alle planer", "all plans").into(),
                o => o.into(),
            })
    };
    let rows: Vec<Vec<dash::Td>> = entries
        .iter()
        .map(|e| {
            let list: String = changes(e.before.as_deref(), e.after.as_deref())
                .into_iter()
                .map(|(k, b, a)| {
                    let label = pe::table(&e.object)
                        .and_then(|t| t.field(&k))
                        .map_or(k.clone(), |f| ctx.t(f.da, f.en).to_string());
                    match e.action.as_str() {
                        "create" | "replace" => {
                            format!("<li><b>{}</b>: {}</li>", escape(&label), escape(&a))
                        }
                        "delete" => format!(
                            "<li><b>{}</b>: <del>{}</del></li>",
                            escape(&label),
                            escape(&b)
                        ),
                        _ => format!(
                            "<li><b>{}</b>: <del>{}</del> → <ins>{}</ins></li>",
                            escape(&label),
                            escape(&b),
                            escape(&a)
                        ),
                    }
                })
                .collect();
            vec![
                dash::Td::num(e.id.to_string(), Some(&e.id.to_string())),
                dash::Td::text(&e.at.replace('T', " ").replace('Z', " UTC")),
                dash::Td::text(&e.user),
                dash::Td::text(&action(&e.action)),
                dash::Td::text(&object(&e.object)),
                dash::Td::html(format!("<code>{}</code>", escape(&e.key))),
                dash::Td::html(format!("<ul class=\"changes\">{list}</ul>")),
            ]
        })
        .collect();
    dash::wrapped(dash::table(
        "audit",
        ctx.t("Ændringer, nyeste først", "Changes, newest first"),
        &[
            ctx.t("Nr.", "No.").into(),
            ctx.t("Tidspunkt", "When").into(),
            ctx.t("Hvem", "Who").into(),
            ctx.t("Handling", "Action").into(),
            ctx.t("Hvad", "What").into(),
            ctx.t("Nøgle", "Key").into(),
            ctx.t("Før → efter", "Before → after").into(),
        ],
        &rows,
    ))
}

/// Entries per page of the audit log.
const AUDIT_PAGE: i64 = 100;

/// `GET /plans/audit?object=&page=`.
pub(crate) async fn audit_page(
    State(api): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    page_with(api, headers, uri, &["object", "page", "lang"], |_, conn, ctx, m, path| {
        if let Err(r) = require(&ctx, Role::Viewer, path) {
            return r;
        }
        let page: i64 = match m.get("page").map(|p| p.parse::<i64>()) {
            None => 1,
            Some(Ok(p)) if p >= 1 => p,
            Some(_) => return framed(&ctx, StatusCode::BAD_REQUEST, ctx.t("Forkert forespørgsel", "Bad request"), path, &notice("page: expected a whole number from 1")),
        };
        let object = m.get("object").map(String::as_str);
        let entries = match auth::audit_log(conn, object, AUDIT_PAGE + 1, (page - 1) * AUDIT_PAGE) {
            Ok(e) => e,
            Err(e) => return framed(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "Error", path, &notice(&e.to_string())),
        };
        let more = entries.len() as i64 > AUDIT_PAGE;
        let shown = &entries[..entries.len().min(AUDIT_PAGE as usize)];
        let mut body = format!(
            "<p class=\"lead\">{}</p>",
            ctx.t(
                "Hver ændring af planerne og brugerne: hvem, hvornår, hvad, og rækken før og efter. Loggen kan ikke ændres eller slettes.",
                "Every change to the plans and the users: who, when, what, and the row before and after. The log cannot be changed or deleted."
            )
        );
        if shown.is_empty() {
            body.push_str(&notice(ctx.t("Ingen ændringer endnu.", "No changes yet.")));
        } else {
            body.push_str(&audit_table(&ctx, shown));
        }
        let link = |p: i64, label: &str| {
            let mut q = format!("/plans/audit?page={p}");
            if let Some(o) = object {
                let _ = write!(q, "&object={}", url_encode(o));
            }
            format!("<a href=\"{}\">{}</a>", escape(&ctx.href(&q)), label)
        };
        body.push_str("<p class=\"pager\">");
        if page > 1 {
            body.push_str(&link(page - 1, ctx.t("← Nyere", "← Newer")));
            body.push(' ');
        }
        if more {
            body.push_str(&link(page + 1, ctx.t("Ældre →", "Older →")));
        }
        body.push_str("</p>");
        framed(&ctx, StatusCode::OK, ctx.t("Ændringslog", "Audit log"), path, &body)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Users.

fn users_body(ctx: &Ctx, users: &[auth::User], error: Option<&str>) -> String {
    let role_select = |id: &str, current: Role| {
        let mut s = format!("<select id=\"{id}\" name=\"role\">");
        for r in Role::ALL {
            let _ = write!(
                s,
                "<option value=\"{}\"{}>{}</option>",
                r.as_str(),
                if r == current { " selected" } else { "" },
                ctx.t(r.da(), r.as_str())
            );
        }
        s.push_str("</select>");
        s
    };
    let mut s = error.map(notice).unwrap_or_default();
    let rows: Vec<Vec<dash::Td>> = users
        .iter()
        .map(|u| {
            let id = format!("role-{}", u.name);
            vec![
                dash::Td::text(&u.name),
                dash::Td::html(format!(
                    "<form method=\"post\" action=\"{}\">{}<label class=\"visually-hidden\" for=\"{}\">{}</label>{} <label><input type=\"checkbox\" name=\"disabled\" value=\"true\"{}> {}</label> <button type=\"submit\">{}</button></form>",
                    escape(&ctx.href(&format!("/admin/users/{}", url_encode(&u.name)))),
                    ctx.csrf_field(),
                    escape(&id),
                    ctx.t("Rolle", "Role"),
                    role_select(&id, u.role),
                    if u.disabled { " checked" } else { "" },
                    ctx.t("spærret", "disabled"),
                    ctx.t("Gem", "Save")
                )),
                dash::Td::text(&u.created_at.replace('T', " ").replace('Z', " UTC")),
            ]
        })
        .collect();
    s.push_str(&dash::wrapped(dash::table(
        "users",
        ctx.t("Brugere", "Users"),
        &[
            ctx.t("Navn", "Name").into(),
            ctx.t("Rolle", "Role").into(),
            ctx.t("Oprettet", "Created").into(),
        ],
        &rows,
    )));
    let _ = write!(
        s,
        "<h2>{}</h2><form class=\"edit\" method=\"post\" action=\"{}\">{}\
<p class=\"field\"><label for=\"new-name\">{}</label><input id=\"new-name\" name=\"name\" required autocomplete=\"off\"></p>\
<p class=\"field\"><label for=\"new-role\">{}</label>{}</p>\
<p class=\"field\"><label for=\"new-password\">{}</label><input id=\"new-password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{}\"><span class=\"hint\">{}</span></p>\
<p><button type=\"submit\">{}</button></p></form>",
        ctx.t("Ny bruger", "New user"),
        escape(&ctx.href("/admin/users")),
        ctx.csrf_field(),
        ctx.t("Navn", "Name"),
        ctx.t("Rolle", "Role"),
        role_select("new-role", Role::Viewer),
        ctx.t("Adgangskode", "Password"),
        auth::MIN_PASSWORD,
        escape(&format!(
            "{} {}",
            ctx.t("Mindst", "At least"),
            auth::MIN_PASSWORD
        )),
        ctx.t("Opret", "Create"),
    );
    s
}

/// `GET /admin/users`.
pub(crate) async fn users_page(
    State(api): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    page_with(api, headers, uri, &["lang"], |api, _, ctx, _, path| {
        if let Err(r) = require(&ctx, Role::Administrator, path) {
            return r;
        }
        let users = api
            .writer
            .as_ref()
            .and_then(|w| w.lock().ok()?.users().ok())
            .unwrap_or_default();
        framed(
            &ctx,
            StatusCode::OK,
            ctx.t("Brugere", "Users"),
            path,
            &users_body(&ctx, &users, None),
        )
    })
    .await
}

async fn users_post(
    api: Shared,
    headers: HeaderMap,
    form: HashMap<String, String>,
    who: Option<String>,
) -> Response {
    tokio::task::spawn_blocking(move || {
        let path = "/admin/users";
        let mut ctx = form_ctx(&api, &form);
        let session = api.conn().ok().and_then(|c| browser_session(&c, &headers));
        ctx.signed = session.as_ref().map(|s| Signed {
            name: s.user.name.clone(),
            role: s.user.role,
            csrf: s.csrf.clone(),
        });
        if let Err(r) = require(&ctx, Role::Administrator, path) {
            return r;
        }
        let (Some(session), Some(writer)) = (session, &api.writer) else {
            return redirect("/login");
        };
        if !same_origin(&headers)
            || !same(form.get("csrf").map_or("", String::as_str), &session.csrf)
        {
            return Problem::new(
                StatusCode::FORBIDDEN,
                "the form's CSRF token does not match the session; reload the page and try again",
            )
            .into_response();
        }
        let Ok(mut store) = writer.lock() else {
            return Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the store lock is poisoned",
            )
            .into_response();
        };
        let role = form
            .get("role")
            .map_or("viewer", String::as_str)
            .parse::<Role>();
        let result = match (role, &who) {
            (Err(e), _) => Err(format!("expected {e}")),
            (Ok(role), None) => store
                .add_user(
                    form.get("name").map_or("", |s| s.trim()),
                    role,
                    form.get("password").map_or("", String::as_str),
                    &session.user.name,
                )
                .map(|_| ())
                .map_err(|e| e.message),
            (Ok(role), Some(name))
                if *name == session.user.name
                    && (role != Role::Administrator || form.contains_key("disabled")) =>
            {
                Err(
                    "expected a change to another user: you cannot demote or disable yourself"
                        .into(),
                )
            }
            (Ok(role), Some(name)) => store
                .set_user(
                    name,
                    role,
                    form.get("disabled").is_some_and(|v| v == "true"),
                    &session.user.name,
                )
                .map(|_| ())
                .map_err(|e| e.message),
        };
        let users = store.users().unwrap_or_default();
        match result {
            Ok(()) => redirect(&ctx.href(path)),
            Err(e) => framed(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                ctx.t("Brugere", "Users"),
                path,
                &users_body(&ctx, &users, Some(&e)),
            ),
        }
    })
    .await
    .unwrap_or_else(|e| {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
    })
}

/// `POST /admin/users`: creates a user.
pub(crate) async fn users_create(
    State(api): State<Shared>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    users_post(api, headers, form, None).await
}

/// `POST /admin/users/{name}`: changes a user's role or disables them.
pub(crate) async fn users_update(
    State(api): State<Shared>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    users_post(api, headers, form, Some(name)).await
}

// ---------------------------------------------------------------------------------------------
// The API.

fn problem(status: StatusCode, detail: impl Into<String>) -> Response {
    let mut r = Problem::new(status, detail).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    r
}

/// The API client's session (bearer token) with at least `role`, or the problem to answer.
fn api_user(conn: &Connection, headers: &HeaderMap, role: Role) -> Result<Session, Response> {
    let Some(token) = bearer(headers) else {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "expected `Authorization: Bearer TOKEN` (POST /api/auth/token gives one)",
        ));
    };
    let session = auth::session_of(conn, &token, SessionKind::Api)
        .map_err(|e| problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .ok_or_else(|| {
            problem(
                StatusCode::UNAUTHORIZED,
                "the token is unknown or has expired; expected a token from POST /api/auth/token",
            )
        })?;
    if session.user.role < role {
        return Err(problem(
            StatusCode::FORBIDDEN,
            format!(
                "user {} has the role {}; this needs {}",
                session.user.name, session.user.role, role
            ),
        ));
    }
    Ok(session)
}

async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// `POST /api/auth/token` with `{"name": …, "password": …}`: a bearer token for
/// [`auth::API_TTL`]; throttled as the form is ([`crate::signin`]).
pub(crate) async fn api_token(
    State(api): State<Shared>,
    ext: axum::http::Extensions,
    body: axum::body::Bytes,
) -> Response {
    use crate::signin::Outcome;
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("expected a JSON object {{\"name\": …, \"password\": …}}: {e}"),
            );
        }
    };
    let (Some(name), Some(password)) = (v["name"].as_str(), v["password"].as_str()) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "expected a JSON object with the strings \"name\" and \"password\"",
        );
    };
    let outcome = crate::signin::sign_in(
        api,
        client_of(&ext),
        name.to_string(),
        password.to_string(),
        SessionKind::Api,
    )
    .await;
    match outcome {
        Outcome::Signed(s) => (
            StatusCode::CREATED,
            axum::Json(json!({
                "token": s.token,
                "token_type": "Bearer",
                "expires_at": s.expires_at,
                "expires_in": auth::API_TTL,
                "user": {"name": s.user.name, "role": s.user.role.as_str()},
            })),
        )
            .into_response(),
        Outcome::Refused => problem(StatusCode::UNAUTHORIZED, "wrong user name or password"),
        Outcome::Throttled(seconds) => {
            let mut r = problem(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many failed sign-ins for this name or from this address; try again in {seconds} seconds"
                ),
            );
            r.headers_mut().insert(header::RETRY_AFTER, seconds.into());
            r
        }
        Outcome::ReadOnly => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the store is read-only; nobody can sign in",
        ),
        Outcome::Failed(e) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot sign in: the store failed: {e}"),
        ),
    }
}

/// `DELETE /api/auth/token`: ends the bearer token's session.
pub(crate) async fn api_token_delete(State(api): State<Shared>, headers: HeaderMap) -> Response {
    blocking(move || {
        let conn = match api.conn() {
            Ok(c) => c,
            Err(p) => return p.into_response(),
        };
        let session = match api_user(&conn, &headers, Role::Viewer) {
            Ok(s) => s,
            Err(r) => return r,
        };
        drop(conn);
        if let Some(Ok(mut w)) = api.writer.as_ref().map(|w| w.lock()) {
            let _ = w.sign_out(&session.token);
        }
        StatusCode::NO_CONTENT.into_response()
    })
    .await
}

fn fields_json(spec: &TableSpec) -> Value {
    spec.fields
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "label_da": f.da,
                "label_en": f.en,
                "kind": match f.kind {
                    Kind::Id => "id",
                    Kind::Parent(_) => "parent",
                    Kind::Text => "text",
                    Kind::LongText => "long_text",
                    Kind::Year => "year",
                    Kind::Decimal => "decimal",
                    Kind::Dkk => "dkk",
                    Kind::Bool => "bool",
                    Kind::Choice(_) => "choice",
                    Kind::List => "list",
                    Kind::Areas => "areas",
                },
                "choices": match f.kind {
                    Kind::Choice(o) => o.iter().map(|x| x.0).collect::<Vec<_>>(),
                    _ => Vec::new(),
                },
                "required": f.required,
            })
        })
        .collect()
}

/// `GET /plans/download?format=xlsx` (the whole set as one workbook, a sheet per table) or
/// `?format=csv&table=T` (one table's CSV file, as `kvarter plans export` writes it).
pub(crate) async fn download(State(api): State<Shared>, RawQuery(q): RawQuery) -> Response {
    blocking(move || {
        let q = match params(q, &["format", "table", "lang"]) {
            Ok(q) => q,
            Err(p) => return p.into_response(),
        };
        let conn = match api.conn() {
            Ok(c) => c,
            Err(p) => return p.into_response(),
        };
        let plans = match stored_plans(&conn) {
            Ok(p) => p,
            Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, e),
        };
        let attachment = |name: String, mime: &'static str, bytes: Vec<u8>| {
            (
                [
                    (header::CONTENT_TYPE, mime.to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                bytes,
            )
                .into_response()
        };
        match (q.get("format").map(String::as_str), q.get("table")) {
            (Some("xlsx"), None) => match kvarter_export::plans_xlsx::to_xlsx(&plans) {
                Ok(bytes) => attachment(
                    "kvarter-planer.xlsx".into(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    bytes,
                ),
                Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
            },
            (Some("csv"), Some(t)) => match pe::table(t) {
                Some(spec) => {
                    let files = kvarter_plans::csv::write_safe(&plans);
                    let text = files
                        .into_iter()
                        .find(|(f, _)| f == spec.file)
                        .map(|(_, c)| c)
                        .unwrap_or_default();
                    attachment(
                        spec.file.to_string(),
                        "text/csv; charset=utf-8",
                        text.into_bytes(),
                    )
                }
                None => unknown_api_table(t),
            },
            _ => problem(
                StatusCode::BAD_REQUEST,
                "expected format=xlsx (every table), or format=csv with table=NAME",
            ),
        }
    })
    .await
}

/// `GET /api/plans`: the whole plan set and its revision.
pub(crate) async fn api_plans(State(api): State<Shared>) -> Response {
    blocking(move || {
        let conn = match api.conn() {
            Ok(c) => c,
            Err(p) => return p.into_response(),
        };
        match stored_plans(&conn) {
            Ok(p) => axum::Json(json!({
                "revision": auth::plan_revision(&conn).unwrap_or(0),
                "tables": pe::TABLES.iter().map(|t| t.name).collect::<Vec<_>>(),
                "plans": p,
            }))
            .into_response(),
            Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
        }
    })
    .await
}

/// `GET /api/plans/{table}`: one table's fields and rows.
pub(crate) async fn api_table(
    State(api): State<Shared>,
    UrlPath(table): UrlPath<String>,
) -> Response {
    blocking(move || {
        let Some(spec) = pe::table(&table) else {
            return unknown_api_table(&table);
        };
        let conn = match api.conn() {
            Ok(c) => c,
            Err(p) => return p.into_response(),
        };
        match stored_plans(&conn) {
            Ok(p) => axum::Json(json!({
                "revision": auth::plan_revision(&conn).unwrap_or(0),
                "table": spec.name,
                "fields": fields_json(spec),
                "rows": pe::rows(&p, spec),
            }))
            .into_response(),
            Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
        }
    })
    .await
}

fn unknown_api_table(name: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        format!(
            "no plan table {name:?}; expected one of {}",
            pe::TABLES
                .iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// A JSON body as a row: an object of strings (numbers and booleans are taken as their text).
fn body_row(body: &[u8]) -> Result<Row, Response> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        problem(
            StatusCode::BAD_REQUEST,
            format!("expected a JSON object of field → text: {e}"),
        )
    })?;
    let Value::Object(map) = v else {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            "expected a JSON object of field → text",
        ));
    };
    map.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            Value::Number(n) => Ok((k, n.to_string())),
            Value::Bool(b) => Ok((k, b.to_string())),
            Value::Null => Ok((k, String::new())),
            _ => Err(problem(
                StatusCode::BAD_REQUEST,
                format!("field {k:?}: expected text, a number, true/false or null"),
            )),
        })
        .collect()
}

/// The revision in `If-Match` (`"12"` or `12`), if given.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Response> {
    headers
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| s.trim().trim_matches('"').parse::<i64>().ok())
                .ok_or_else(|| {
                    problem(
                        StatusCode::BAD_REQUEST,
                        "If-Match: expected the plans' revision, e.g. \"12\"",
                    )
                })
        })
        .transpose()
}

async fn api_change(
    api: Shared,
    headers: HeaderMap,
    query: Option<String>,
    table: String,
    id: Option<String>,
    method: &'static str,
    body: axum::body::Bytes,
) -> Response {
    blocking(move || {
        let Some(spec) = pe::table(&table) else {
            return unknown_api_table(&table);
        };
        let q = match params(query, &["in"]) {
            Ok(q) => q,
            Err(p) => return p.into_response(),
        };
        let session = {
            let conn = match api.conn() {
                Ok(c) => c,
                Err(p) => return p.into_response(),
            };
            match api_user(&conn, &headers, Role::Editor) {
                Ok(s) => s,
                Err(r) => return r,
            }
        };
        let read = match if_match(&headers) {
            Ok(None) if method != "POST" => {
                return problem(
                    StatusCode::PRECONDITION_REQUIRED,
                    "expected If-Match naming the plans' revision you read, e.g. If-Match: \"12\" (GET /api/plans gives it); without it this change could overwrite someone else's",
                );
            }
            Ok(r) => r,
            Err(r) => return r,
        };
        let change = match (method, id) {
            ("POST", _) => match body_row(&body) {
                Ok(row) => Change::Create { table: spec, row },
                Err(r) => return r,
            },
            ("PUT", Some(id)) => match body_row(&body) {
                Ok(row) => Change::Update { table: spec, key: key_of(spec, &id, q.get("in")), row },
                Err(r) => return r,
            },
            (_, Some(id)) => Change::Delete { table: spec, key: key_of(spec, &id, q.get("in")) },
            _ => return problem(StatusCode::METHOD_NOT_ALLOWED, "expected POST, PUT or DELETE"),
        };
        match perform(&api, &session.user.name, &change, read) {
            Ok((revision, a)) => (
                if method == "POST" { StatusCode::CREATED } else { StatusCode::OK },
                axum::Json(json!({
                    "revision": revision,
                    "table": spec.name,
                    "key": a.key.to_string(),
                    "before": a.before,
                    "after": a.after,
                })),
            )
                .into_response(),
            Err(Refusal::Invalid(e)) => {
                let body = json!({
                    "type": "about:blank",
                    "title": "Unprocessable Content",
                    "status": 422,
                    "detail": e.en,
                    "detail_da": e.da,
                    "field": e.field,
                });
                (StatusCode::UNPROCESSABLE_ENTITY, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
            }
            Err(Refusal::Stale(by)) => problem(
                StatusCode::PRECONDITION_FAILED,
                format!("the plans are at revision {} (changed by {} at {}); expected If-Match to name the current revision", by.id, by.user, by.at),
            ),
            Err(Refusal::ReadOnly) => problem(StatusCode::SERVICE_UNAVAILABLE, "the store is read-only; nothing was saved"),
            Err(Refusal::Internal(m)) => problem(StatusCode::INTERNAL_SERVER_ERROR, m),
        }
    })
    .await
}

/// `POST /api/plans/{table}`: creates a row.
pub(crate) async fn api_create(
    State(api): State<Shared>,
    UrlPath(table): UrlPath<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    api_change(api, headers, q, table, None, "POST", body).await
}

/// `PUT /api/plans/{table}/{id}`: changes the given fields of a row.
pub(crate) async fn api_update(
    State(api): State<Shared>,
    UrlPath((table, id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    api_change(api, headers, q, table, Some(id), "PUT", body).await
}

/// `DELETE /api/plans/{table}/{id}`: deletes a row.
pub(crate) async fn api_delete(
    State(api): State<Shared>,
    UrlPath((table, id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    api_change(
        api,
        headers,
        q,
        table,
        Some(id),
        "DELETE",
        axum::body::Bytes::new(),
    )
    .await
}

/// `GET /api/audit?object=&limit=&offset=`: the audit log, newest first (viewer or above).
pub(crate) async fn api_audit(
    State(api): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    blocking(move || {
        let q = match params(q, &["object", "limit", "offset"]) {
            Ok(q) => q,
            Err(p) => return p.into_response(),
        };
        let conn = match api.conn() {
            Ok(c) => c,
            Err(p) => return p.into_response(),
        };
        if let Err(r) = api_user(&conn, &headers, Role::Viewer) {
            return r;
        }
        let num = |k: &str, d: i64, max: i64| -> Result<i64, Response> {
            match q.get(k) {
                None => Ok(d),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (0..=max).contains(n))
                    .ok_or_else(|| problem(StatusCode::BAD_REQUEST, format!("{k}={v}: expected a whole number from 0 to {max}"))),
            }
        };
        let (limit, offset) = match (num("limit", 100, 1000), num("offset", 0, i64::MAX)) {
            (Ok(l), Ok(o)) => (l, o),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        match auth::audit_log(&conn, q.get("object").map(String::as_str), limit, offset) {
            Ok(entries) => axum::Json(json!({
                "entries": entries.iter().map(|e| json!({
                    "id": e.id,
                    "at": e.at,
                    "user": e.user,
                    "action": e.action,
                    "object": e.object,
                    "key": e.key,
                    "before": e.before.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
                    "after": e.after.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
                })).collect::<Vec<_>>(),
            }))
            .into_response(),
            Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(
            local(Some(&"/plans/audit?x=1".to_string())),
            "/plans/audit?x=1"
        );
        assert_eq!(local(Some(&"//evil.example/".to_string())), "/plans");
        assert_eq!(local(Some(&"https://evil.example/".to_string())), "/plans");
        assert_eq!(local(None), "/plans");
    }

    #[test]
    fn a_post_from_another_site_is_not_same_origin() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
    }

    #[test]
    fn the_audit_shows_only_what_changed() {
        let c = changes(Some(r#"{"a":"1","b":"x"}"#), Some(r#"{"a":"1","b":"y"}"#));
        assert_eq!(c, [("b".to_string(), "x".to_string(), "y".to_string())]);
        let c = changes(None, Some(r#"{"a":"1"}"#));
        assert_eq!(c, [("a".to_string(), String::new(), "1".to_string())]);
        assert_eq!(url_encode("/plans?a=b c"), "/plans%3Fa%3Db%20c");
    }
}
