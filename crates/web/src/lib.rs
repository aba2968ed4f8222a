//! # kvarter-web — the dashboard and the JSON API over the store
//!
//! `kvarter serve --db FILE` serves what a load put in the SQLite store (kvarter-store) over
//! HTTP (axum on a tokio runtime): a server-rendered dashboard in Danish (English with
//! `?lang=en`) and JSON. Everything is readable by anyone without signing in, except the audit
//! log; the plans are changed by signed-in editors ([`edit`]), and nothing else is ever written.
//!
//! ## The dashboard
//!
//! | path | page |
//! |---|---|
//! | `/?year=` | overview: map coloured by list, counts with changes since the year before, who entered and left and why ([`pages::overview`]) |
//! | `/areas/{id}?year=` | area profile: status, criteria with margins in persons, the explanation, list history, charts ([`pages::area`]) |
//! | `/lists?year=&without_origin=` | the lists of a year as sortable tables ([`pages::lists`]) |
//! | `/lists/download?year=&format=csv\|csv-da\|xlsx\|geojson\|geojson-25832\|gpkg\|parquet&without_origin=` | the same as CSV, Danish CSV, XLSX, GeoJSON (WGS 84 or EPSG:25832), GeoPackage or Parquet (kvarter-export) |
//! | `/screening?spec=&year=&without_origin=` | the municipality's screening ([`screening::screening`]) |
//! | `/foresight?list=&top=` | the early warning for the next 1 December, with the backtest ([`foresight::page`]) |
//! | `/areas/download?year=&format=&without_origin=`, `/foresight/download?format=` | every area with its values and lists, and the early warning, in the formats of `/lists/download` ([`tables`]) |
//! | `/boundaries/download?format=` | the map's coast, municipal and district outlines (layer, code, name) for a GIS, in the formats of `/lists/download`, as `kvarter export --what boundaries` writes them; 404 without boundaries |
//! | `/whatif?year=&set=&…` | the rule what-if: the law's figures changed, who enters and leaves ([`whatif::rules_page`]); the area profile has the resident what-if |
//! | `/methodology` | every rule set as the law reads ([`method::methodology`]) |
//! | `/plans?saved=` | the policy's goals with each indicator's progress from the data, the action plans, the helhedsplaner ([`plans::page`]); edit links for editors |
//! | `/plans/report?year=` | the policy status report for a year, printable ([`plan_report::report`]) |
//! | `/plans/compare?from=&to=` | two versions of the action plan side by side ([`plan_report::compare`]) |
//! | `/plans/download?format=xlsx\|csv&table=` | the plans as one workbook ([`kvarter_export::plans_xlsx`]) or one table's CSV |
//! | `/login`, `/logout`, `/plans/edit/…`, `/plans/new/…`, `/plans/delete/…`, `/plans/audit`, `/admin/users` | signing in, the edit forms, the audit log, users ([`edit`]) |
//! | `/static/style.css`, `/static/app.js` | built into the binary; the pages work without the script |
//! | `/favicon.ico` | `204 No Content`: there is no icon |
//!
//! Maps and charts are SVG drawn on the server ([`svg`]) from the stored EPSG:25832 geometry.
//!
//! ## The API
//!
//! | path | what |
//! |---|---|
//! | `/api/rule-sets` | the rule sets of the catalog, with their file hashes |
//! | `/api/rule-sets/{id}` | one rule set, with the list years and lists it decided |
//! | `/api/areas?page=&per_page=` | the areas, paginated (`total`, `links`) |
//! | `/api/areas/{id}` | one area with every area-year's input values |
//! | `/api/areas/{id}/designations?year=&without_origin=` | criterion results and list results, with the reason |
//! | `/api/areas/{id}/explanation?year=&lang=&without_origin=` | the explanation in plain language (the text of `kvarter explain`) |
//! | `/api/lists/{year}?without_origin=` | per list, the areas on it that year |
//! | `/api/screenings` | the municipality's screenings in the store |
//! | `/api/screenings/{spec}/{year}?without_origin=&geometry=` | one screening (publishable units only) |
//! | `/api/manifest` | every load: kvarter's version, input files and hashes, rule sets, options |
//! | `/api/foresight?list=&area=` | the early warning and its backtest |
//! | `/api/whatif?year=&set=&without_origin=`, `/api/areas/{id}/whatif?…` | the rule and the resident what-if |
//! | `/api/plans`, `/api/plans/{table}` | the plans as JSON: the whole set, or one table's fields and rows |
//! | `/api/plans/report?year=` | the status report of a list year ([`kvarter_view::report::StatusReport`]), the figures of `/plans/report` and `kvarter plans report` |
//! | `POST /api/auth/token`, `POST`/`PUT`/`DELETE /api/plans/…`, `/api/audit` | a bearer token; edits (editor); the audit log (viewer) ([`edit`]) |
//! | `/api/openapi.json` | the OpenAPI 3.1 document of exactly these endpoints, generated from the handlers and their response types ([`api::doc`]) |
//!
//! The handlers are in [`api`]. Errors are RFC 9457 problem details (`application/problem+json`:
//! `type`, `title`, `status`, `detail`): 404 for an unknown id or path, 400 for a bad query or
//! path parameter, 500 for anything else. One rule for years everywhere: a year that is not a
//! whole number from 2010 to 9999 is 400, a year in that range the store has no data for is 404.
//!
//! ## Invariants
//!
//! - **No network beyond the listener.** No CDN, no fonts, no script from elsewhere: every
//!   byte a page needs is served from the binary.
//! - **Reads never write.** Pages and GET endpoints use connections opened with
//!   `SQLITE_OPEN_READ_ONLY`. One writing connection serves sign-ins and plan edits, each one
//!   transaction with its audit entry ([`edit`]); a store whose schema version is not the one this
//!   kvarter knows is refused.
//! - **No password or token is kept or logged**: the store has Argon2id hashes and SHA-256 of
//!   session tokens only.
//! - **No person-level data.** The store has none; the API serves area-level values only.
//! - **Suppression** follows `docs/DISCLOSURE.md`: the API's figures that may rest on few
//!   persons are [`kvarter_view::Published`] values made by the policy
//!   ([`Config::min_count`], default 5), served as `{"suppressed": true, "min_count": N}` when
//!   suppressed.
//! - **Only the store speaks SQL** for the API: its handlers read through
//!   [`kvarter_store::read`].
//! - Ids are the store's own (`area_id`, rule-set id, list id, list year): stable across loads.
//! - **Every response carries the security headers** ([`secure`]: a Content-Security-Policy
//!   allowing only the app's own script and style, `nosniff`, no framing, `same-origin`
//!   referrers, `no-store` when signed in), set by one layer around the whole router.
//! - **Connections are limited** ([`listen`]: a header-read timeout, an idle timeout, a cap on
//!   open connections), and **sign-ins are throttled** per account and per address, verified
//!   holding no connection ([`signin`]).

#![recursion_limit = "512"]

/// The dashboard's stylesheet, served as `/static/style.css` and inlined in the standalone
/// report `kvarter plans report` writes.
pub(crate) const STYLE_CSS: &str = include_str!("../assets/style.css");

pub mod api;
pub mod area;
pub mod dash;
pub mod edit;
pub mod foresight;
pub mod listen;
pub use listen::Limits;
pub use plan_report::report_html;
pub mod lists;
pub mod method;
pub mod overview;
pub mod pages;
pub mod plan_report;
pub mod plans;
pub mod policy;
pub mod screening;
pub mod secure;
pub mod signin;
pub mod svg;
pub mod tables;
pub mod whatif;

use axum::Router;
use axum::extract::{Path as UrlPath, Query, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How the API serves the store.
#[derive(Debug, Clone)]
pub struct Config {
    /// Counts of persons under this are suppressed (default 5).
    pub min_count: u64,
    /// Whether the session cookie is marked `Secure` (sent over HTTPS only): for a server
    /// behind an HTTPS proxy (`kvarter serve --secure-cookies`).
    pub secure_cookies: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            min_count: 5,
            secure_cookies: false,
        }
    }
}

/// The default page size of `/api/areas`, and the largest allowed.
pub const PER_PAGE: (u64, u64) = (50, 500);

struct Api {
    /// Read-only connections, one per core, so requests read the store in parallel.
    conns: Vec<Mutex<Connection>>,
    next: std::sync::atomic::AtomicUsize,
    config: Config,
    dash: dash::Dash,
    /// The query parameters of `/whatif` for this catalog (one per threshold and `k`).
    whatif_params: &'static [&'static str],
    /// The one connection that writes (sign-ins and plan edits); `None` when the store cannot
    /// be opened for writing, and then the dashboard is read-only.
    writer: Option<Mutex<kvarter_store::Store>>,
    /// The sign-in throttle ([`signin`]).
    throttle: signin::Throttle,
    /// Password verifications allowed at once (one per core, at most 4).
    verify_slots: Arc<tokio::sync::Semaphore>,
}

impl Api {
    /// A free connection, or (when all are busy) the next one in turn, waited for.
    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, Problem> {
        let poisoned = |_| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the store lock is poisoned",
            )
        };
        for c in &self.conns {
            if let Ok(guard) = c.try_lock() {
                return Ok(guard);
            }
        }
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.conns.len();
        self.conns[i].lock().map_err(poisoned)
    }
}

type Shared = Arc<Api>;

/// Opens the store read-only and checks that its schema is the one this kvarter knows
/// ([`kvarter_store::dashboard::open_read_only`]).
pub fn open(db: &Path) -> Result<Connection, String> {
    kvarter_store::dashboard::open_read_only(db)
}

/// The dashboard and the API over the store at `db`: reads on read-only connections, sign-ins
/// and plan edits on one writing connection (which also applies any pending migration). When
/// the file cannot be written, everything but signing in and editing still works.
pub fn app(db: &Path, config: Config) -> Result<Router, String> {
    if !db.is_file() {
        return Err(format!(
            "{}: no such database; expected a file that `kvarter load --db` filled",
            db.display()
        ));
    }
    let writer = match kvarter_store::Store::open(db) {
        Ok(s) => Some(Mutex::new(s)),
        Err(e) => {
            eprintln!("serve: signing in and editing are off: {e}");
            None
        }
    };
    let conn = open(db)?;
    let dash = dash::Dash::read(&conn, &kvarter_view::Policy::new(config.min_count))
        .map_err(|e| format!("{}: {e}", db.display()))?;
    let readers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8);
    let mut conns = vec![Mutex::new(conn)];
    for _ in 1..readers {
        conns.push(Mutex::new(open(db)?));
    }
    let api = Arc::new(Api {
        conns,
        next: std::sync::atomic::AtomicUsize::new(0),
        config,
        whatif_params: Box::leak(
            whatif::rules_page_params(&dash)
                .into_iter()
                .map(|p| &*Box::leak(p.into_boxed_str()))
                .collect::<Vec<&'static str>>()
                .into_boxed_slice(),
        ),
        dash,
        writer,
        throttle: signin::Throttle::default(),
        verify_slots: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        )),
    });
    Ok(Router::new()
        .route("/", get(overview_page))
        .route("/areas/{id}", get(area_page))
        .route("/lists", get(lists_page))
        .route("/lists/download", get(lists_download))
        .route("/areas/download", get(areas_download))
        .route("/foresight/download", get(foresight_download))
        .route("/boundaries/download", get(boundaries_download))
        .route("/screening", get(screening_page))
        .route("/methodology", get(methodology_page))
        .route("/whatif", get(whatif_page))
        .route("/foresight", get(foresight_page))
        .route("/api/foresight", get(api::foresight))
        .route("/api/whatif", get(api::whatif_rules))
        .route("/api/areas/{id}/whatif", get(api::whatif_area))
        .route("/plans", get(plans_page))
        .route("/plans/report", get(plans_report_page))
        .route("/plans/compare", get(plans_compare_page))
        .route("/plans/audit", get(edit::audit_page))
        .route("/plans/download", get(edit::download))
        .route(
            "/plans/edit/{table}/{id}",
            get(edit::edit_page).post(edit::edit_post),
        )
        .route(
            "/plans/new/{table}",
            get(edit::new_page).post(edit::new_post),
        )
        .route(
            "/plans/delete/{table}/{id}",
            get(edit::delete_page).post(edit::delete_post),
        )
        .route("/login", get(edit::login_page).post(edit::login))
        .route("/logout", post(edit::logout))
        .route(
            "/admin/users",
            get(edit::users_page).post(edit::users_create),
        )
        .route("/admin/users/{name}", post(edit::users_update))
        .route(
            "/api/auth/token",
            post(edit::api_token).delete(edit::api_token_delete),
        )
        .route("/api/plans", get(edit::api_plans))
        .route("/api/plans/report", get(api::plans_report))
        .route(
            "/api/plans/{table}",
            get(edit::api_table).post(edit::api_create),
        )
        .route(
            "/api/plans/{table}/{id}",
            put(edit::api_update).delete(edit::api_delete),
        )
        .route("/api/audit", get(edit::api_audit))
        .route("/static/{file}", get(asset))
        .route("/favicon.ico", get(no_icon))
        .route("/api/areas/{id}/explanation", get(api::explanation))
        .route("/api/screenings", get(screening::api_screenings))
        .route(
            "/api/screenings/{spec}/{year}",
            get(screening::api_screening),
        )
        .route("/api/rule-sets", get(api::rule_sets))
        .route("/api/rule-sets/{id}", get(api::rule_set_detail))
        .route("/api/areas", get(api::areas))
        .route("/api/areas/{id}", get(api::area))
        .route("/api/areas/{id}/designations", get(api::designations))
        .route("/api/lists/{year}", get(api::lists))
        .route("/api/manifest", get(api::manifest))
        .route("/api/openapi.json", get(api::openapi))
        .fallback(not_found_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(secure::headers))
        .with_state(api))
}

/// Serves `app` on `addr` with `limits` ([`listen`]) until the process ends. `listening` is
/// called with the bound address (useful with port 0) before the first request is accepted.
pub fn serve(
    addr: &str,
    app: Router,
    limits: listen::Limits,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("--addr {addr}: cannot listen: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("--addr {addr}: {e}"))?;
        listening(local);
        listen::run(listener, app, limits).await;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Problem details (RFC 9457).

/// An error response: `application/problem+json`.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    detail: String,
}

impl Problem {
    fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            detail: detail.into(),
        }
    }
    fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }
    fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, detail)
    }
}

impl From<rusqlite::Error> for Problem {
    fn from(e: rusqlite::Error) -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("reading the store: {e}"),
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = api::model::ProblemDetails {
            kind: "about:blank".to_string(),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
        };
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            serde_json::to_string(&body).unwrap_or_default(),
        )
            .into_response()
    }
}

async fn not_found_route(uri: axum::http::Uri) -> Problem {
    Problem::not_found(format!("no endpoint at {}", uri.path()))
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this path does not take this method; see /api/openapi.json",
    )
}

type Reply = Result<axum::Json<Value>, Problem>;

/// Runs a query on the connection, off the async threads.
async fn with_db(
    api: Shared,
    f: impl FnOnce(&Connection, &Config) -> Result<Value, Problem> + Send + 'static,
) -> Reply {
    tokio::task::spawn_blocking(move || {
        let conn = api.conn()?;
        f(&conn, &api.config)
    })
    .await
    .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map(axum::Json)
}

// ---------------------------------------------------------------------------------------------
// Query parameters: parsed by hand, so every mistake is a 400 problem.

fn params(raw: Option<String>, allowed: &[&str]) -> Result<HashMap<String, String>, Problem> {
    let Query(map): Query<HashMap<String, String>> = Query::try_from_uri(
        &format!("/?{}", raw.unwrap_or_default())
            .parse()
            .map_err(|_| Problem::bad_request("the query string is not valid"))?,
    )
    .map_err(|e| Problem::bad_request(format!("the query string is not valid: {e}")))?;
    if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Problem::bad_request(format!(
            "unknown query parameter '{k}'; expected {}",
            if allowed.is_empty() {
                "none".to_string()
            } else {
                allowed.join(", ")
            }
        )));
    }
    Ok(map)
}

fn parse_bool(map: &HashMap<String, String>, name: &str) -> Result<bool, Problem> {
    match map.get(name).map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(v) => Err(Problem::bad_request(format!(
            "{name}={v}: expected true or false"
        ))),
    }
}

/// A year under the one rule for years ([`api::YEARS`]): a whole number from 2010 to 9999, or
/// 400. Whether the store has data for it is the caller's question (404 when not).
fn parse_year(v: &str, name: &str) -> Result<i32, Problem> {
    let (first, last) = api::YEARS;
    match v.parse::<i32>() {
        Ok(y) if (first..=last).contains(&y) && !v.starts_with('+') => Ok(y),
        _ => Err(Problem::bad_request(format!(
            "{name} '{v}': expected a list year, a whole number from {first} to {last}"
        ))),
    }
}

fn parse_page(
    map: &HashMap<String, String>,
    name: &str,
    default: u64,
    max: u64,
) -> Result<u64, Problem> {
    match map.get(name) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) && !v.starts_with('+') => Ok(n),
            _ => Err(Problem::bad_request(format!(
                "{name}={v}: expected a whole number from 1 to {max}"
            ))),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The dashboard: HTML pages.

fn lang_of(map: &HashMap<String, String>) -> Result<kvarter_report::Lang, Problem> {
    match map.get("lang").map(String::as_str) {
        None | Some("da") => Ok(kvarter_report::Lang::Da),
        Some("en") => Ok(kvarter_report::Lang::En),
        Some(v) => Err(Problem::bad_request(format!("lang={v}: expected da or en"))),
    }
}

/// Renders a page in the frame, off the async threads; errors become HTML pages too.
async fn html_page(
    api: Shared,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    allowed: &'static [&'static str],
    nav: dash::Nav,
    f: impl FnOnce(
        &Connection,
        &dash::Dash,
        &dash::Ctx,
        &HashMap<String, String>,
    ) -> Result<(String, String), pages::PageError>
    + Send
    + 'static,
) -> Response {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
    let query = uri.query().map(str::to_string);
    let min_count = api.config.min_count;
    let result = tokio::task::spawn_blocking(move || {
        let map = params(query, allowed);
        let lang = map
            .as_ref()
            .ok()
            .and_then(|m| lang_of(m).ok())
            .unwrap_or_default();
        let mut ctx = dash::Ctx::new(lang, min_count);
        let outcome = match map.and_then(|m| lang_of(&m).map(|_| m)) {
            Err(p) => Err(pages::PageError {
                status: p.status.as_u16(),
                message: p.detail,
            }),
            Ok(m) => match api.conn() {
                Ok(conn) => {
                    ctx.signed = edit::signed(&conn, &headers);
                    f(&conn, &api.dash, &ctx, &m)
                }
                Err(p) => Err(pages::PageError {
                    status: 500,
                    message: p.detail,
                }),
            },
        };
        match outcome {
            Ok((title, body)) => (StatusCode::OK, dash::page(&ctx, &title, nav, &path, &body)),
            Err(e) => {
                let status =
                    StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let title = match status.as_u16() {
                    404 => ctx.t("Ikke fundet", "Not found"),
                    400 => ctx.t("Forkert forespørgsel", "Bad request"),
                    _ => ctx.t("Fejl", "Error"),
                };
                let body = format!(
                    "<p class=\"notice\" role=\"alert\">{}</p><p><a href=\"{}\">{}</a></p>",
                    svg::escape(&e.message),
                    svg::escape(&ctx.href("/")),
                    ctx.t("Til overblikket", "To the overview")
                );
                (status, dash::page(&ctx, title, nav, &path, &body))
            }
        }
    })
    .await;
    match result {
        Ok((status, html)) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn page_year(map: &HashMap<String, String>) -> Result<Option<i32>, pages::PageError> {
    map.get("year")
        .map(|y| {
            parse_year(y, "year").map_err(|p| pages::PageError {
                status: 400,
                message: p.detail,
            })
        })
        .transpose()
}

fn page_bool(map: &HashMap<String, String>, name: &str) -> Result<bool, pages::PageError> {
    parse_bool(map, name).map_err(|p| pages::PageError {
        status: 400,
        message: p.detail,
    })
}

async fn overview_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &["year", "lang"],
        dash::Nav::Overview,
        |c, d, ctx, m| pages::overview(c, d, ctx, page_year(m)?),
    )
    .await
}

/// The area page's query parameters: the year, the language and the what-if's levers.
static AREA_PAGE_PARAMS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| [&["year", "lang"][..], whatif::AREA_PARAMS].concat());

/// `/foresight?list=&top=`: the early warning.
async fn foresight_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &["list", "top", "lang"],
        dash::Nav::Foresight,
        |c, d, ctx, m| {
            let top = match m.get("top") {
                None => 25,
                Some(t) => t
                    .parse::<usize>()
                    .ok()
                    .filter(|t| (1..=1000).contains(t))
                    .ok_or_else(|| pages::PageError {
                        status: 400,
                        message: format!("top={t}: expected a whole number from 1 to 1000"),
                    })?,
            };
            foresight::page(c, d, ctx, m.get("list").map(String::as_str), top)
        },
    )
    .await
}

/// `/whatif`: the rule what-if page.
async fn whatif_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let allowed = api.whatif_params;
    html_page(
        api,
        headers,
        uri,
        allowed,
        dash::Nav::WhatIf,
        whatif::rules_page,
    )
    .await
}

async fn area_page(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &AREA_PAGE_PARAMS,
        dash::Nav::Area,
        move |c, d, ctx, m| {
            let year = page_year(m)?;
            let (title, mut body) = pages::area(c, d, ctx, &id, year)?;
            body.push_str(&foresight::area_box(c, d, ctx, &id)?);
            if let Some(y) = year.or_else(|| d.latest()) {
                body.push_str(&whatif::area_section(c, d, ctx, &id, y, m)?);
            }
            Ok((title, body))
        },
    )
    .await
}

async fn lists_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &["year", "lang", "without_origin"],
        dash::Nav::Lists,
        |c, d, ctx, m| pages::lists(c, d, ctx, page_year(m)?, page_bool(m, "without_origin")?),
    )
    .await
}

async fn screening_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &["spec", "year", "lang", "without_origin"],
        dash::Nav::Screening,
        |c, d, ctx, m| {
            screening::screening(
                c,
                d,
                ctx,
                m.get("spec").map(String::as_str),
                page_year(m)?,
                page_bool(m, "without_origin")?,
            )
        },
    )
    .await
}

async fn plans_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &["lang", "saved", "index_from", "index_to", "risk"],
        dash::Nav::Plans,
        |c, _, ctx, m| {
            let saved = m
                .get("saved")
                .map(|v| {
                    v.parse::<i64>().map_err(|_| pages::PageError {
                        status: 400,
                        message: format!("saved={v}: expected the number of a change"),
                    })
                })
                .transpose()?;
            plans::page(c, ctx, saved, m)
        },
    )
    .await
}

async fn plans_report_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &["year", "lang"],
        dash::Nav::Plans,
        |c, d, ctx, m| plan_report::report(c, d, ctx, page_year(m)?),
    )
    .await
}

async fn plans_compare_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &["from", "to", "lang"],
        dash::Nav::Plans,
        |c, _, ctx, m| {
            plan_report::compare(
                c,
                ctx,
                m.get("from").map(String::as_str),
                m.get("to").map(String::as_str),
            )
        },
    )
    .await
}

async fn methodology_page(
    State(api): State<Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    html_page(
        api,
        headers,
        uri,
        &["lang"],
        dash::Nav::Methodology,
        |c, d, ctx, _| {
            let hashes = kvarter_store::read::rule_sets(c)?
                .into_iter()
                .map(|r| (r.id, r.content_hash))
                .collect();
            Ok(method::methodology(d, ctx, &hashes))
        },
    )
    .await
}

/// A year's lists as CSV, Danish CSV or XLSX.
/// The formats of `/lists/download` (and of `kvarter export`).
const FORMATS: &[&str] = &[
    "csv",
    "csv-da",
    "xlsx",
    "geojson",
    "geojson-25832",
    "gpkg",
    "parquet",
];

/// Which table a download is.
#[derive(Debug, Clone, Copy)]
enum Download {
    /// The lists of a year (`/lists/download`).
    Lists,
    /// Every area with its values and lists (`/areas/download`).
    Areas,
    /// The early warning (`/foresight/download`).
    Foresight,
    /// The map's boundary outlines (`/boundaries/download`).
    Boundaries,
}

async fn lists_download(State(api): State<Shared>, RawQuery(q): RawQuery) -> Response {
    table_download(api, q, Download::Lists).await
}

async fn areas_download(State(api): State<Shared>, RawQuery(q): RawQuery) -> Response {
    table_download(api, q, Download::Areas).await
}

async fn foresight_download(State(api): State<Shared>, RawQuery(q): RawQuery) -> Response {
    table_download(api, q, Download::Foresight).await
}

async fn boundaries_download(State(api): State<Shared>, RawQuery(q): RawQuery) -> Response {
    table_download(api, q, Download::Boundaries).await
}

/// A dashboard table as a file in any of [`FORMATS`], built by the same functions as
/// `kvarter export`.
async fn table_download(api: Shared, q: Option<String>, what: Download) -> Response {
    let result = async {
        let allowed: &[&str] = match what {
            Download::Foresight | Download::Boundaries => &["format", "lang"],
            _ => &["year", "format", "without_origin", "lang"],
        };
        let p = params(q, allowed)?;
        let lang = lang_of(&p)?;
        let year = match p.get("year") {
            Some(y) => parse_year(y, "year")?,
            None => api
                .dash
                .latest()
                .ok_or_else(|| Problem::not_found("the store has no list year"))?,
        };
        let without = parse_bool(&p, "without_origin")?;
        let format = p.get("format").map_or("csv", String::as_str).to_string();
        if !FORMATS.contains(&format.as_str()) {
            return Err(Problem::bad_request(format!(
                "format={format}: expected one of {}",
                FORMATS.join(", ")
            )));
        }
        let api = api.clone();
        tokio::task::spawn_blocking(move || {
            let conn = api.conn()?;
            let ctx = dash::Ctx::new(lang, api.config.min_count);
            let mut outlines = None;
            let table = match what {
                Download::Lists => tables::lists_table(&conn, &api.dash, &ctx, year, without)
                    .map_err(|e| {
                        Problem::new(
                            StatusCode::from_u16(e.status)
                                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                            e.message,
                        )
                    })?,
                Download::Areas => {
                    if !api.dash.years.contains(&year) {
                        return Err(Problem::not_found(format!(
                            "year {year}: the store has no values for it"
                        )));
                    }
                    tables::areas_table(&conn, &api.dash, &ctx, year, without)
                        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e))?
                }
                Download::Foresight => {
                    tables::foresight_table(&conn, &api.dash, &ctx).map_err(Problem::not_found)?
                }
                Download::Boundaries => {
                    let (table, geometry) =
                        tables::boundaries_table(&conn, &ctx).map_err(Problem::not_found)?;
                    outlines = Some(geometry);
                    table
                }
            };
            // The boundaries carry their own outlines; the other tables the areas'.
            let geometry = || {
                outlines
                    .clone()
                    .unwrap_or_else(|| tables::table_geometry(&api.dash, &table))
            };
            let suffix = if without { "-uden-oprindelse" } else { "" };
            let stem = match what {
                Download::Lists => format!("kvarter-lister-{year}{suffix}"),
                Download::Areas => format!("kvarter-omraader-{year}{suffix}"),
                Download::Foresight => "kvarter-varsling".to_string(),
                Download::Boundaries => "kvarter-graenser".to_string(),
            };
            let export = |e: kvarter_export::ExportError| {
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            };
            let (bytes, mime, ext) = match format.as_str() {
                "csv" => (
                    kvarter_export::csv(&table, kvarter_export::Dialect::Standard)
                        .map_err(export)?,
                    "text/csv; charset=utf-8",
                    "csv",
                ),
                "csv-da" => (
                    kvarter_export::csv(&table, kvarter_export::Dialect::Danish).map_err(export)?,
                    "text/csv; charset=utf-8",
                    "da.csv",
                ),
                "geojson" => (
                    kvarter_export::geojson(&table, &geometry(), kvarter_export::Crs::Wgs84)
                        .map_err(export)?,
                    "application/geo+json",
                    "geojson",
                ),
                "geojson-25832" => (
                    kvarter_export::geojson(&table, &geometry(), kvarter_export::Crs::Utm32)
                        .map_err(export)?,
                    "application/geo+json",
                    "25832.geojson",
                ),
                "gpkg" => (
                    kvarter_export::gpkg(&table, &geometry(), kvarter_export::Crs::Utm32)
                        .map_err(export)?,
                    "application/geopackage+sqlite3",
                    "gpkg",
                ),
                "parquet" => (
                    kvarter_export::parquet(&table).map_err(export)?,
                    "application/vnd.apache.parquet",
                    "parquet",
                ),
                _ => (
                    kvarter_export::xlsx(
                        &table,
                        match lang {
                            kvarter_report::Lang::Da => kvarter_export::Lang::Da,
                            kvarter_report::Lang::En => kvarter_export::Lang::En,
                        },
                    )
                    .map_err(export)?,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                ),
            };
            Ok::<_, Problem>(
                (
                    [
                        (header::CONTENT_TYPE, mime.to_string()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{stem}.{ext}\""),
                        ),
                    ],
                    bytes,
                )
                    .into_response(),
            )
        })
        .await
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The dashboard's stylesheet and script, built into the binary (no CDN, no build step).
/// `/favicon.ico`: no icon (the pages name an empty one), said without an error, so that a
/// browser that asks anyway, as Chromium does after a redirect, logs none.
async fn no_icon() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::CACHE_CONTROL, "public, max-age=86400")],
    )
        .into_response()
}

async fn asset(UrlPath(file): UrlPath<String>) -> Response {
    let (body, mime) = match file.as_str() {
        "style.css" => (STYLE_CSS, "text/css; charset=utf-8"),
        "app.js" => (
            include_str!("../assets/app.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return Problem::not_found(format!("no file /static/{file}")).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_are_refused() {
        assert!(parse_year("20x2", "year").is_err());
        assert!(parse_year("1999", "year").is_err());
        assert_eq!(parse_year("2022", "year").unwrap(), 2022);
        // The one rule for years: 2010 to 9999 is well-formed (an unknown one is the
        // handler's 404), anything else is 400.
        assert_eq!(parse_year("9999", "year").unwrap(), 9999);
        assert!(parse_year("10000", "year").is_err());
        assert!(parse_year("2009", "year").is_err());
        let m: HashMap<String, String> =
            [("without_origin".to_string(), "maybe".to_string())].into();
        assert!(parse_bool(&m, "without_origin").is_err());
        assert!(params(Some("nope=1".into()), &["page"]).is_err());
    }
}
