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
//! | `/whatif?year=&set=&…` | the rule what-if: the law's figures changed, who enters and leaves ([`whatif::rules_page`]); the area profile has the resident what-if |
//! | `/methodology` | every rule set as the law reads ([`method::methodology`]) |
//! | `/plans?saved=` | the policy's goals with each indicator's progress from the data, the action plans, the helhedsplaner ([`plans::page`]); edit links for editors |
//! | `/plans/report?year=` | the policy status report for a year, printable ([`plan_report::report`]) |
//! | `/plans/compare?from=&to=` | two versions of the action plan side by side ([`plan_report::compare`]) |
//! | `/plans/download?format=xlsx\|csv&table=` | the plans as one workbook ([`kvarter_export::plans_xlsx`]) or one table's CSV |
//! | `/login`, `/logout`, `/plans/edit/…`, `/plans/new/…`, `/plans/delete/…`, `/plans/audit`, `/admin/users` | signing in, the edit forms, the audit log, users ([`edit`]) |
//! | `/static/style.css`, `/static/app.js` | built into the binary; the pages work without the script |
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
//! | `POST /api/auth/token`, `POST`/`PUT`/`DELETE /api/plans/…`, `/api/audit` | a bearer token; edits (editor); the audit log (viewer) ([`edit`]) |
//! | `/api/openapi.json` | the OpenAPI 3.1 document of exactly these endpoints |
//!
//! Errors are RFC 9457 problem details (`application/problem+json`: `type`, `title`, `status`,
//! `detail`): 404 for an unknown id, year or path, 400 for a bad query or path parameter, 500
//! for anything else.
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
//! - **Suppression.** Group sizes (`persons_*`, `group_size`), `residents`, and the margins in
//!   persons derived from them are replaced by `{"suppressed": true, "min_count": N}` when the
//!   count is under the minimum ([`Config::min_count`], default 5), and so is an area's share of
//!   a group under it (a criterion's value and difference, `/api/areas/{id}`'s shares, the area
//!   profile and the areas download). So is the value of the `residents` criterion and its
//!   difference to the threshold.
//! - Ids are the store's own (`area_id`, rule-set id, list id, list year): stable across loads.

#![recursion_limit = "512"]

pub mod area;
pub mod dash;
pub mod edit;
pub mod foresight;
pub mod lists;
pub mod method;
pub mod overview;
pub mod pages;
pub mod plan_report;
pub mod plans;
pub mod screening;
pub mod svg;
pub mod tables;
pub mod whatif;

use axum::Router;
use axum::extract::{Path as UrlPath, Query, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How the API serves the store.
#[derive(Debug, Clone)]
pub struct Config {
    /// Counts of persons under this are suppressed (default 5).
    pub min_count: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config { min_count: 5 }
    }
}

/// The area-year columns that count persons: suppressed under the minimum count.
pub const COUNT_COLUMNS: &[&str] = &[
    "residents",
    "persons_18_64",
    "persons_18_plus",
    "persons_30_59",
    "persons_15_64_taxable",
];

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

/// Opens the store read-only and checks that its schema is the one this kvarter knows.
pub fn open(db: &Path) -> Result<Connection, String> {
    let file = db.display();
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("{file}: cannot open the database read-only: {e}"))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| format!("{file}: expected a kvarter SQLite database: {e}"))?;
    let known = kvarter_store::MIGRATIONS.len() as i64;
    if version != known {
        return Err(format!(
            "{file}: schema version {version}; expected {known} (run `kvarter load --db` to create or migrate it)"
        ));
    }
    Ok(conn)
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
    });
    Ok(Router::new()
        .route("/", get(overview_page))
        .route("/areas/{id}", get(area_page))
        .route("/lists", get(lists_page))
        .route("/lists/download", get(lists_download))
        .route("/areas/download", get(areas_download))
        .route("/foresight/download", get(foresight_download))
        .route("/screening", get(screening_page))
        .route("/methodology", get(methodology_page))
        .route("/whatif", get(whatif_page))
        .route("/foresight", get(foresight_page))
        .route("/api/foresight", get(foresight_api))
        .route("/api/whatif", get(whatif_rules_api))
        .route("/api/areas/{id}/whatif", get(whatif_area_api))
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
        .route("/api/areas/{id}/explanation", get(explanation))
        .route("/api/screenings", get(screening::api_screenings))
        .route(
            "/api/screenings/{spec}/{year}",
            get(screening::api_screening),
        )
        .route("/api/rule-sets", get(rule_sets))
        .route("/api/rule-sets/{id}", get(rule_set))
        .route("/api/areas", get(areas))
        .route("/api/areas/{id}", get(area))
        .route("/api/areas/{id}/designations", get(designations))
        .route("/api/lists/{year}", get(lists))
        .route("/api/manifest", get(manifest))
        .route("/api/openapi.json", get(openapi))
        .fallback(not_found_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(api))
}

/// Serves `app` on `addr` until the process ends. `listening` is called with the bound address
/// (useful with port 0) before the first request is accepted.
pub fn serve(addr: &str, app: Router, listening: impl FnOnce(SocketAddr)) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
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
        axum::serve(listener, app)
            .await
            .map_err(|e| format!("serving on {local}: {e}"))
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
        let body = json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
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

fn parse_year(v: &str, name: &str) -> Result<i64, Problem> {
    match v.parse::<i64>() {
        Ok(y) if (2010..=2200).contains(&y) => Ok(y),
        _ => Err(Problem::bad_request(format!(
            "{name} '{v}': expected a list year, a whole number from 2010"
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
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(Problem::bad_request(format!(
                "{name}={v}: expected a whole number from 1 to {max}"
            ))),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Suppression.

/// The whole-number part of a count stored as decimal text.
fn count(text: &str) -> Option<u64> {
    text.split('.').next().and_then(|n| n.parse::<u64>().ok())
}

fn suppressed(config: &Config) -> Value {
    json!({"suppressed": true, "min_count": config.min_count})
}

/// A count, or the suppression mark when it is under the minimum.
fn guard(text: Option<String>, config: &Config) -> Value {
    match text {
        None => Value::Null,
        Some(t) if count(&t).is_some_and(|n| n < config.min_count) => suppressed(config),
        Some(t) => Value::String(t),
    }
}

fn small(text: &Option<String>, config: &Config) -> bool {
    text.as_deref()
        .and_then(count)
        .is_some_and(|n| n < config.min_count)
}

// ---------------------------------------------------------------------------------------------
// Handlers.

fn text_json(s: Option<String>) -> Value {
    s.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

fn rule_set_row(r: &Row<'_>) -> rusqlite::Result<Value> {
    let id: String = r.get("id")?;
    Ok(json!({
        "id": id,
        "family": r.get::<_, String>("family")?,
        "title": r.get::<_, String>("title")?,
        "title_en": r.get::<_, String>("title_en")?,
        "first_list_year": r.get::<_, i64>("first_list_year")?,
        "last_list_year": r.get::<_, Option<i64>>("last_list_year")?,
        "file": r.get::<_, String>("file")?,
        "content_hash": r.get::<_, String>("content_hash")?,
        "links": {"self": format!("/api/rule-sets/{id}")},
    }))
}

async fn rule_sets(State(api): State<Shared>, RawQuery(q): RawQuery) -> Reply {
    params(q, &[])?;
    with_db(api, |c, _| {
        let mut st = c.prepare("SELECT * FROM rule_sets ORDER BY family, first_list_year, id")?;
        let items = st
            .query_map([], rule_set_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(json!({"items": items}))
    })
    .await
}

async fn rule_set(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    params(q, &[])?;
    with_db(api, move |c, _| {
        let Some(mut rs) = c
            .query_row("SELECT * FROM rule_sets WHERE id = ?1", [&id], rule_set_row)
            .optional()?
        else {
            return Err(Problem::not_found(format!("no rule set '{id}'")));
        };
        let years: Vec<i64> = c
            .prepare("SELECT DISTINCT list_year FROM list_results WHERE rule_set = ?1 ORDER BY 1")?
            .query_map([&id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let lists: Vec<String> = c
            .prepare(
                "SELECT list FROM list_results WHERE rule_set = ?1 GROUP BY list ORDER BY MIN(rowid)",
            )?
            .query_map([&id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        rs["list_years"] = json!(years);
        rs["lists"] = json!(lists);
        Ok(rs)
    })
    .await
}

fn area_row(r: &Row<'_>) -> rusqlite::Result<Map<String, Value>> {
    let id: String = r.get("id")?;
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("name".into(), json!(r.get::<_, String>("name")?));
    m.insert(
        "municipality".into(),
        json!(r.get::<_, String>("municipality")?),
    );
    m.insert(
        "municipality_name".into(),
        json!(r.get::<_, Option<String>>("municipality_name")?),
    );
    m.insert("region".into(), json!(r.get::<_, Option<i64>>("region")?));
    m.insert("kind".into(), json!(r.get::<_, Option<String>>("kind")?));
    m.insert(
        "links".into(),
        json!({
            "self": format!("/api/areas/{id}"),
            "designations": format!("/api/areas/{id}/designations"),
        }),
    );
    Ok(m)
}

async fn areas(State(api): State<Shared>, RawQuery(q): RawQuery) -> Reply {
    let p = params(q, &["page", "per_page"])?;
    let page = parse_page(&p, "page", 1, u64::from(u32::MAX))?;
    let per_page = parse_page(&p, "per_page", PER_PAGE.0, PER_PAGE.1)?;
    with_db(api, move |c, _| {
        let total: u64 = c.query_row("SELECT COUNT(*) FROM areas", [], |r| r.get(0))?;
        let items: Vec<Map<String, Value>> = c
            .prepare("SELECT * FROM areas ORDER BY id LIMIT ?1 OFFSET ?2")?
            .query_map([per_page as i64, ((page - 1) * per_page) as i64], area_row)?
            .collect::<rusqlite::Result<_>>()?;
        let pages = total.div_ceil(per_page).max(1);
        let link = |n: u64| format!("/api/areas?page={n}&per_page={per_page}");
        Ok(json!({
            "items": items,
            "page": page,
            "per_page": per_page,
            "total": total,
            "pages": pages,
            "links": {
                "self": link(page),
                "first": link(1),
                "last": link(pages),
                "prev": (page > 1).then(|| link((page - 1).min(pages))),
                "next": (page < pages).then(|| link(page + 1)),
            },
        }))
    })
    .await
}

fn area_exists(c: &Connection, id: &str) -> Result<Map<String, Value>, Problem> {
    c.query_row("SELECT * FROM areas WHERE id = ?1", [id], area_row)
        .optional()?
        .ok_or_else(|| Problem::not_found(format!("no area '{id}'")))
}

async fn area(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    params(q, &[])?;
    with_db(api, move |c, config| {
        let mut a = area_exists(c, &id)?;
        let geometry: Option<String> =
            c.query_row("SELECT geometry FROM areas WHERE id = ?1", [&id], |r| r.get(0))?;
        a.insert("geometry".into(), text_json(geometry));
        let cols = kvarter_store::VALUE_COLUMNS;
        let mut st = c.prepare(&format!(
            "SELECT list_year, area_name, municipality, {} FROM area_years WHERE area_id = ?1 ORDER BY list_year",
            cols.join(", ")
        ))?;
        let years = st
            .query_map([&id], |r| {
                let mut values = Map::new();
                let raw: Vec<Option<String>> = (0..cols.len())
                    .map(|i| r.get(3 + i))
                    .collect::<rusqlite::Result<_>>()?;
                let of = |name: &str| cols.iter().position(|c| *c == name).and_then(|i| raw[i].clone());
                for (col, v) in cols.iter().zip(&raw) {
                    // A share of a group under the minimum would tell as much as the count.
                    let small_group = dash::MEASURES
                        .iter()
                        .find(|(m, _)| m == col)
                        .is_some_and(|(_, g)| small(&of(g), config));
                    let v = if COUNT_COLUMNS.contains(col) {
                        guard(v.clone(), config)
                    } else if small_group && v.is_some() {
                        suppressed(config)
                    } else {
                        json!(v)
                    };
                    values.insert((*col).to_string(), v);
                }
                Ok(json!({
                    "list_year": r.get::<_, i64>(0)?,
                    "area_name": r.get::<_, String>(1)?,
                    "municipality": r.get::<_, String>(2)?,
                    "values": values,
                }))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        a.insert("years".into(), json!(years));
        Ok(Value::Object(a))
    })
    .await
}

async fn designations(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let p = params(q, &["year", "without_origin"])?;
    let year = p.get("year").map(|y| parse_year(y, "year")).transpose()?;
    let without = parse_bool(&p, "without_origin")?;
    with_db(api, move |c, config| {
        area_exists(c, &id)?;
        let mut years: Vec<i64> = c
            .prepare("SELECT list_year FROM area_years WHERE area_id = ?1 ORDER BY list_year")?
            .query_map([&id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if let Some(y) = year {
            if !years.contains(&y) {
                return Err(Problem::not_found(format!(
                    "area '{id}' has no values for list year {y}"
                )));
            }
            years = vec![y];
        }
        let mut crit = c.prepare(
            "SELECT rule_set, criterion, value, threshold, reference, operator, outcome, missing, \
             difference, group_size, persons, more FROM criterion_results \
             WHERE without_origin = ?1 AND area_id = ?2 AND list_year = ?3 ORDER BY rowid",
        )?;
        let mut list = c.prepare(
            "SELECT rule_set, list, outcome, incomplete, excluded_by, reason, streak \
             FROM list_results WHERE without_origin = ?1 AND area_id = ?2 AND list_year = ?3 \
             ORDER BY rowid",
        )?;
        let mut out = Vec::new();
        for y in years {
            let criteria = crit
                .query_map(rusqlite::params![without, id, y], |r| {
                    let criterion: String = r.get(1)?;
                    let value: Option<String> = r.get(2)?;
                    let group: Option<String> = r.get(9)?;
                    let persons: Option<String> = r.get(10)?;
                    let difference: Option<String> = r.get(8)?;
                    // The residents criterion's value is a count of persons.
                    let residents_small = criterion == "residents" && small(&value, config);
                    let group_small = small(&group, config);
                    let hide =
                        |v: Option<String>, h: bool| if h { suppressed(config) } else { json!(v) };
                    Ok(json!({
                        "rule_set": r.get::<_, String>(0)?,
                        "criterion": criterion,
                        "value": hide(value, residents_small || group_small),
                        "threshold": r.get::<_, Option<String>>(3)?,
                        "reference": r.get::<_, Option<String>>(4)?,
                        "operator": r.get::<_, String>(5)?,
                        "outcome": r.get::<_, String>(6)?,
                        "missing": text_json(r.get(7)?),
                        "difference": hide(difference, residents_small || group_small),
                        "group_size": hide(group, group_small),
                        "persons": hide(persons, group_small || residents_small),
                        "more": r.get::<_, Option<bool>>(11)?,
                    }))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let lists = list
                .query_map(rusqlite::params![without, id, y], |r| {
                    Ok(json!({
                        "rule_set": r.get::<_, String>(0)?,
                        "list": r.get::<_, String>(1)?,
                        "outcome": r.get::<_, String>(2)?,
                        "incomplete": r.get::<_, bool>(3)?,
                        "excluded_by": text_json(r.get(4)?),
                        "reason": text_json(r.get(5)?),
                        "streak": text_json(r.get(6)?),
                    }))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            out.push(json!({"list_year": y, "criteria": criteria, "lists": lists}));
        }
        Ok(json!({
            "area_id": id,
            "without_origin": without,
            "years": out,
            "links": {"area": format!("/api/areas/{id}")},
        }))
    })
    .await
}

async fn lists(
    State(api): State<Shared>,
    UrlPath(year): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let year = parse_year(&year, "list year")?;
    let p = params(q, &["without_origin"])?;
    let without = parse_bool(&p, "without_origin")?;
    with_db(api, move |c, _| {
        let evaluated: i64 = c.query_row(
            "SELECT COUNT(*) FROM area_years WHERE list_year = ?1",
            [year],
            |r| r.get(0),
        )?;
        if evaluated == 0 {
            return Err(Problem::not_found(format!(
                "the store has no values for list year {year}"
            )));
        }
        let defs: Vec<(String, String, bool)> = c
            .prepare(
                "SELECT rule_set, list, MAX(outcome = 'undefined') FROM list_results \
                 WHERE without_origin = ?1 AND list_year = ?2 \
                 GROUP BY rule_set, list ORDER BY rule_set, MIN(rowid)",
            )?
            .query_map(rusqlite::params![without, year], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut members = c.prepare(
            "SELECT l.area_id, y.area_name, y.municipality, l.incomplete FROM list_results l \
             JOIN area_years y ON y.area_id = l.area_id AND y.list_year = l.list_year \
             WHERE l.without_origin = ?1 AND l.list_year = ?2 AND l.rule_set = ?3 \
             AND l.list = ?4 AND l.outcome = 'on' ORDER BY l.area_id",
        )?;
        let mut out = Vec::new();
        for (rule_set, list, undefined) in defs {
            let areas = members
                .query_map(rusqlite::params![without, year, rule_set, list], |r| {
                    let id: String = r.get(0)?;
                    Ok(json!({
                        "id": id,
                        "name": r.get::<_, String>(1)?,
                        "municipality": r.get::<_, String>(2)?,
                        "incomplete": r.get::<_, bool>(3)?,
                        "links": {
                            "self": format!("/api/areas/{id}"),
                            "designations": format!("/api/areas/{id}/designations?year={year}{}", if without { "&without_origin=true" } else { "" }),
                        },
                    }))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            out.push(json!({
                "list": list,
                "rule_set": rule_set,
                "defined": !undefined,
                "count": areas.len(),
                "areas": areas,
            }));
        }
        Ok(json!({
            "list_year": year,
            "without_origin": without,
            "areas_evaluated": evaluated,
            "lists": out,
        }))
    })
    .await
}

async fn manifest(State(api): State<Shared>, RawQuery(q): RawQuery) -> Reply {
    params(q, &[])?;
    with_db(api, |c, _| {
        let loads = c
            .prepare("SELECT * FROM manifest ORDER BY load_id DESC")?
            .query_map([], |r| {
                Ok(json!({
                    "load_id": r.get::<_, i64>("load_id")?,
                    "manifest_hash": r.get::<_, String>("manifest_hash")?,
                    "kvarter_version": r.get::<_, String>("kvarter_version")?,
                    "inputs": text_json(r.get("inputs")?),
                    "rule_sets": text_json(r.get("rule_sets")?),
                    "options": text_json(r.get("options")?),
                    "loaded_at": r.get::<_, String>("loaded_at")?,
                }))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let latest = loads.first().cloned().unwrap_or(Value::Null);
        Ok(json!({"latest": latest, "loads": loads}))
    })
    .await
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
            parse_year(y, "year")
                .map(|y| y as i32)
                .map_err(|p| pages::PageError {
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

/// `/api/foresight?list=&area=`: the stored early warning and its backtest.
async fn foresight_api(State(api): State<Shared>, RawQuery(q): RawQuery) -> Reply {
    let p = params(q, &["list", "area"])?;
    with_db(api, move |c, _| {
        Ok(foresight::api(
            c,
            p.get("list").map(String::as_str),
            p.get("area").map(String::as_str),
        )?)
    })
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

/// Runs a what-if API call off the async threads; `(status, detail)` errors become problems.
async fn whatif_api(
    api: Shared,
    q: Option<String>,
    allowed: &'static [&'static str],
    f: impl FnOnce(&Connection, &Api, &HashMap<String, String>) -> Result<Value, (u16, String)>
    + Send
    + 'static,
) -> Reply {
    tokio::task::spawn_blocking(move || {
        let map = params(q, allowed)?;
        let conn = api.conn()?;
        f(&conn, &api, &map).map_err(|(status, detail)| {
            Problem::new(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                detail,
            )
        })
    })
    .await
    .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map(axum::Json)
}

/// `/api/whatif?year=&set=&without_origin=`: a rule what-if.
async fn whatif_rules_api(State(api): State<Shared>, RawQuery(q): RawQuery) -> Reply {
    whatif_api(api, q, whatif::API_RULES_PARAMS, |c, api, m| {
        whatif::api_rules(c, &api.dash, m)
    })
    .await
}

/// `/api/areas/{id}/whatif?year=&more_in_work=&…`: a resident what-if of one area.
async fn whatif_area_api(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    whatif_api(api, q, whatif::API_AREA_PARAMS, move |c, api, m| {
        let year = match m.get("year") {
            Some(y) => parse_year(y, "year").map_err(|p| (400, p.detail))? as i32,
            None => api
                .dash
                .latest()
                .ok_or((404, "the store has no list year".to_string()))?,
        };
        whatif::api_area(c, &api.dash, &id, year, m, api.config.min_count)
    })
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
        &["lang", "saved"],
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
            plans::page(c, ctx, saved)
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
            let mut st = c.prepare_cached("SELECT id, content_hash FROM rule_sets")?;
            let hashes = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
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

/// A dashboard table as a file in any of [`FORMATS`], built by the same functions as
/// `kvarter export`.
async fn table_download(api: Shared, q: Option<String>, what: Download) -> Response {
    let result = async {
        let allowed: &[&str] = match what {
            Download::Foresight => &["format", "lang"],
            _ => &["year", "format", "without_origin", "lang"],
        };
        let p = params(q, allowed)?;
        let lang = lang_of(&p)?;
        let year = match p.get("year") {
            Some(y) => parse_year(y, "year")? as i32,
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
            let table = match what {
                Download::Lists => pages::download_table(&conn, &api.dash, &ctx, year, without)
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
            };
            let suffix = if without { "-uden-oprindelse" } else { "" };
            let stem = match what {
                Download::Lists => format!("kvarter-lister-{year}{suffix}"),
                Download::Areas => format!("kvarter-omraader-{year}{suffix}"),
                Download::Foresight => "kvarter-varsling".to_string(),
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
                    kvarter_export::geojson(
                        &table,
                        &pages::table_geometry(&api.dash, &table),
                        kvarter_export::Crs::Wgs84,
                    )
                    .map_err(export)?,
                    "application/geo+json",
                    "geojson",
                ),
                "geojson-25832" => (
                    kvarter_export::geojson(
                        &table,
                        &pages::table_geometry(&api.dash, &table),
                        kvarter_export::Crs::Utm32,
                    )
                    .map_err(export)?,
                    "application/geo+json",
                    "25832.geojson",
                ),
                "gpkg" => (
                    kvarter_export::gpkg(
                        &table,
                        &pages::table_geometry(&api.dash, &table),
                        kvarter_export::Crs::Utm32,
                    )
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
async fn asset(UrlPath(file): UrlPath<String>) -> Response {
    let (body, mime) = match file.as_str() {
        "style.css" => (
            include_str!("../assets/style.css"),
            "text/css; charset=utf-8",
        ),
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

// ---------------------------------------------------------------------------------------------
// The API beyond the tables: explanations (the screenings are in `screening`).

async fn explanation(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let p = params(q, &["year", "lang", "without_origin"])?;
    let year = p.get("year").map(|y| parse_year(y, "year")).transpose()?;
    let lang = lang_of(&p)?;
    let without = parse_bool(&p, "without_origin")?;
    let dash_api = api.clone();
    with_db(api, move |c, _| {
        area_exists(c, &id)?;
        let d = &dash_api.dash;
        let text = d
            .explanation(c, &id, year.map(|y| y as i32), lang, without, dash_api.config.min_count)
            .map_err(Problem::not_found)?;
        let (text, suppressed) = match text {
            Ok(t) => (Value::String(t), Value::Null),
            Err(notice) => (Value::Null, json!({"suppressed": true, "min_count": dash_api.config.min_count, "detail": notice})),
        };
        let eval = d
            .evaluate_area(c, &id, without)
            .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
        let list_year = year.map(|y| y as i32).or_else(|| {
            eval.areas
                .iter()
                .filter(|a| a.area_id == id)
                .map(|a| a.list_year)
                .max()
        });
        Ok(json!({
            "area_id": id,
            "list_year": list_year,
            "lang": match lang { kvarter_report::Lang::Da => "da", kvarter_report::Lang::En => "en" },
            "without_origin": without,
            "text": text,
            "suppressed": suppressed,
            "links": {"area": format!("/api/areas/{id}"), "designations": format!("/api/areas/{id}/designations")},
        }))
    })
    .await
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi_document().to_string(),
    )
        .into_response()
}

/// The OpenAPI 3.1 document of the API, written by hand.
pub fn openapi_document() -> Value {
    let problem = json!({"$ref": "#/components/responses/Problem"});
    let ok = |description: &str, schema: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}},
        })
    };
    let path_param = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "path", "required": true, "description": description, "schema": schema});
    let without_origin = json!({
        "name": "without_origin", "in": "query", "required": false,
        "description": "Evaluate without the non-Western origin criterion (C-417/23).",
        "schema": {"type": "boolean", "default": false},
    });
    let year_schema = json!({"type": "integer", "minimum": 2010});
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "kvarter API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read-only JSON over a kvarter store: the Danish state's housing-area lists evaluated as law-as-code. Area-level data only; counts of persons under the minimum count are replaced by {\"suppressed\": true}.",
        },
        "paths": {
            "/api/rule-sets": {"get": {
                "operationId": "listRuleSets", "summary": "The rule sets of the catalog.",
                "responses": {"200": ok("The rule sets.", "RuleSets"), "400": problem, "500": problem},
            }},
            "/api/rule-sets/{id}": {"get": {
                "operationId": "getRuleSet", "summary": "One rule set, with the list years and lists it decided.",
                "parameters": [path_param("id", "Rule-set id, e.g. dk-2021.", json!({"type": "string"}))],
                "responses": {"200": ok("The rule set.", "RuleSet"), "404": problem, "500": problem},
            }},
            "/api/areas": {"get": {
                "operationId": "listAreas", "summary": "The areas, paginated by id.",
                "parameters": [
                    {"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "default": 1}},
                    {"name": "per_page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": PER_PAGE.1, "default": PER_PAGE.0}},
                ],
                "responses": {"200": ok("A page of areas.", "AreaPage"), "400": problem, "500": problem},
            }},
            "/api/areas/{id}": {"get": {
                "operationId": "getArea", "summary": "One area with every area-year's input values.",
                "parameters": [path_param("id", "Area id.", json!({"type": "string"}))],
                "responses": {"200": ok("The area.", "Area"), "404": problem, "500": problem},
            }},
            "/api/areas/{id}/designations": {"get": {
                "operationId": "getDesignations", "summary": "Criterion results and list results, with the reason, per list year.",
                "parameters": [
                    path_param("id", "Area id.", json!({"type": "string"})),
                    {"name": "year", "in": "query", "required": false, "schema": year_schema},
                    without_origin,
                ],
                "responses": {"200": ok("The designations.", "Designations"), "400": problem, "404": problem, "500": problem},
            }},
            "/api/areas/{id}/explanation": {"get": {
                "operationId": "getExplanation", "summary": "The explanation in plain language (the text of `kvarter explain`), Danish or English.",
                "parameters": [
                    path_param("id", "Area id.", json!({"type": "string"})),
                    {"name": "year", "in": "query", "required": false, "description": "List year; the latest by default.", "schema": year_schema},
                    {"name": "lang", "in": "query", "required": false, "schema": {"type": "string", "enum": ["da", "en"], "default": "da"}},
                    without_origin,
                ],
                "responses": {"200": ok("The explanation.", "Explanation"), "400": problem, "404": problem, "500": problem},
            }},
            "/api/screenings": {"get": {
                "operationId": "listScreenings", "summary": "The municipality's screenings in the store.",
                "responses": {"200": ok("The screenings.", "Screenings"), "400": problem, "500": problem},
            }},
            "/api/screenings/{spec}/{year}": {"get": {
                "operationId": "getScreening", "summary": "One screening: designated areas with their criteria and intervals, the city values, and the publishable units (units under the spec's minimum population are never included).",
                "parameters": [
                    path_param("spec", "Screening spec id, e.g. kbh-2025.", json!({"type": "string"})),
                    path_param("year", "Screening year.", year_schema.clone()),
                    without_origin,
                    {"name": "geometry", "in": "query", "required": false, "description": "Include the designated areas and the units as GeoJSON (EPSG:25832).", "schema": {"type": "boolean", "default": false}},
                ],
                "responses": {"200": ok("The screening.", "Screening"), "400": problem, "404": problem, "500": problem},
            }},
            "/api/lists/{year}": {"get": {
                "operationId": "getLists", "summary": "Per list, the areas on it in a list year.",
                "parameters": [path_param("year", "List year.", year_schema), without_origin],
                "responses": {"200": ok("The lists.", "Lists"), "400": problem, "404": problem, "500": problem},
            }},
            "/api/manifest": {"get": {
                "operationId": "getManifest", "summary": "Every load: kvarter's version, the input files and hashes, rule sets and options.",
                "responses": {"200": ok("The manifest.", "Manifest"), "500": problem},
            }},
            "/api/openapi.json": {"get": {
                "operationId": "getOpenApi", "summary": "This document.",
                "responses": {"200": {"description": "The OpenAPI 3.1 document.", "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {
            "responses": {"Problem": {
                "description": "An RFC 9457 problem.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }},
            "schemas": {
                "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"},
                    "status": {"type": "integer"}, "detail": {"type": "string"},
                }},
                "Explanation": {"type": "object", "required": ["area_id", "lang", "without_origin", "text"], "properties": {
                    "area_id": {"type": "string"}, "list_year": {"type": ["integer", "null"]},
                    "lang": {"type": "string", "enum": ["da", "en"]}, "without_origin": {"type": "boolean"},
                    "text": {"type": "string"}, "links": {"$ref": "#/components/schemas/Links"},
                }},
                "Screenings": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["spec", "year", "without_origin", "municipality", "data_year"], "properties": {
                    "spec": {"type": "string"}, "year": {"type": "integer"}, "without_origin": {"type": "boolean"},
                    "municipality": {"type": "string"}, "data_year": {"type": "integer"}, "links": {"$ref": "#/components/schemas/Links"},
                }}}}},
                "Screening": {"type": "object", "required": ["spec", "year", "data_year", "designated_areas", "city", "cells", "cells_suppressed"], "properties": {
                    "spec": {"type": "string"}, "year": {"type": "integer"}, "data_year": {"type": "integer"},
                    "municipality": {"type": "string"},
                    "designated_areas": {"type": "array", "items": {"type": "object"}},
                    "city": {"type": "array", "items": {"type": "object"}},
                    "cells": {"type": "array", "description": "Publishable units only.", "items": {"type": "object"}},
                    "cells_suppressed": {"type": "integer", "description": "How many units were under the minimum population and left out."},
                    "geometry": {"type": "object"}, "units_geometry": {"type": "object"},
                }},
                "Suppressed": {"type": "object", "required": ["suppressed", "min_count"], "properties": {
                    "suppressed": {"const": true}, "min_count": {"type": "integer"},
                }},
                "Count": {"description": "A count of persons as decimal text, null when missing, or the suppression mark under the minimum count.",
                    "oneOf": [{"type": "string"}, {"type": "null"}, {"$ref": "#/components/schemas/Suppressed"}]},
                "Decimal": {"description": "An exact decimal as text.", "type": ["string", "null"]},
                "Links": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
                "RuleSet": {"type": "object", "required": ["id", "family", "title", "title_en", "first_list_year", "file", "content_hash"], "properties": {
                    "id": {"type": "string"}, "family": {"type": "string"}, "title": {"type": "string"},
                    "title_en": {"type": "string"}, "first_list_year": {"type": "integer"},
                    "last_list_year": {"type": ["integer", "null"]}, "file": {"type": "string"},
                    "content_hash": {"type": "string"},
                    "list_years": {"type": "array", "items": {"type": "integer"}},
                    "lists": {"type": "array", "items": {"type": "string"}},
                    "links": {"$ref": "#/components/schemas/Links"},
                }},
                "RuleSets": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/RuleSet"}}}},
                "AreaSummary": {"type": "object", "required": ["id", "name", "municipality"], "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "municipality": {"type": "string"},
                    "municipality_name": {"type": ["string", "null"]}, "region": {"type": ["integer", "null"]},
                    "kind": {"type": ["string", "null"]}, "links": {"$ref": "#/components/schemas/Links"},
                }},
                "AreaPage": {"type": "object", "required": ["items", "page", "per_page", "total", "pages", "links"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/AreaSummary"}},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "total": {"type": "integer"}, "pages": {"type": "integer"},
                    "links": {"$ref": "#/components/schemas/Links"},
                }},
                "Area": {"allOf": [{"$ref": "#/components/schemas/AreaSummary"}, {"type": "object", "properties": {
                    "geometry": {"description": "GeoJSON geometry, EPSG:25832, or null."},
                    "years": {"type": "array", "items": {"type": "object", "properties": {
                        "list_year": {"type": "integer"}, "area_name": {"type": "string"},
                        "municipality": {"type": "string"},
                        "values": {"type": "object", "description": "Every input column; residents and persons_* are Counts, the rest Decimals.",
                            "additionalProperties": {"oneOf": [{"$ref": "#/components/schemas/Decimal"}, {"$ref": "#/components/schemas/Count"}]}},
                    }}},
                }}]},
                "Designations": {"type": "object", "required": ["area_id", "without_origin", "years"], "properties": {
                    "area_id": {"type": "string"}, "without_origin": {"type": "boolean"},
                    "years": {"type": "array", "items": {"type": "object", "properties": {
                        "list_year": {"type": "integer"},
                        "criteria": {"type": "array", "items": {"type": "object", "properties": {
                            "rule_set": {"type": "string"}, "criterion": {"type": "string"},
                            "value": {"$ref": "#/components/schemas/Count"}, "threshold": {"$ref": "#/components/schemas/Decimal"},
                            "reference": {"$ref": "#/components/schemas/Decimal"}, "operator": {"type": "string"},
                            "outcome": {"enum": ["met", "not_met", "not_evaluable", "switched_off"]},
                            "missing": {}, "difference": {"$ref": "#/components/schemas/Count"},
                            "group_size": {"$ref": "#/components/schemas/Count"}, "persons": {"$ref": "#/components/schemas/Count"},
                            "more": {"type": ["boolean", "null"]},
                        }}},
                        "lists": {"type": "array", "items": {"type": "object", "properties": {
                            "rule_set": {"type": "string"}, "list": {"type": "string"},
                            "outcome": {"enum": ["on", "off", "undefined"]}, "incomplete": {"type": "boolean"},
                            "excluded_by": {"type": "array", "items": {"type": "string"}},
                            "reason": {"description": "The condition trace."}, "streak": {"description": "The streak trace, or null."},
                        }}},
                    }}},
                    "links": {"$ref": "#/components/schemas/Links"},
                }},
                "Lists": {"type": "object", "required": ["list_year", "without_origin", "lists"], "properties": {
                    "list_year": {"type": "integer"}, "without_origin": {"type": "boolean"},
                    "areas_evaluated": {"type": "integer"},
                    "lists": {"type": "array", "items": {"type": "object", "properties": {
                        "list": {"type": "string"}, "rule_set": {"type": "string"}, "defined": {"type": "boolean"},
                        "count": {"type": "integer"},
                        "areas": {"type": "array", "items": {"type": "object", "properties": {
                            "id": {"type": "string"}, "name": {"type": "string"}, "municipality": {"type": "string"},
                            "incomplete": {"type": "boolean"}, "links": {"$ref": "#/components/schemas/Links"},
                        }}},
                    }}},
                }},
                "Manifest": {"type": "object", "properties": {
                    "latest": {"type": ["object", "null"]},
                    "loads": {"type": "array", "items": {"type": "object", "properties": {
                        "load_id": {"type": "integer"}, "manifest_hash": {"type": "string"},
                        "kvarter_version": {"type": "string"}, "inputs": {"type": "array"},
                        "rule_sets": {"type": "array"}, "options": {"type": "object"},
                        "loaded_at": {"type": "string"},
                    }}},
                }},
            },
        },
    });
    edit_paths(&mut doc);
    doc
}

/// The plan, sign-in and audit endpoints of [`edit`], added to the OpenAPI document.
fn edit_paths(doc: &mut Value) {
    let problem = json!({"$ref": "#/components/responses/Problem"});
    let object = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"type": "object"}}}});
    let table = json!({"name": "table", "in": "path", "required": true, "description": "A plan table: policies, goals, subgoals, indicators, action_plans, initiatives, helhedsplaner, hp_challenges, hp_goals, hp_actions.", "schema": {"type": "string"}});
    let id = json!({"name": "id", "in": "path", "required": true, "description": "The row's id.", "schema": {"type": "string"}});
    let scope = json!({"name": "in", "in": "query", "required": false, "description": "For initiatives: the action-plan version (action_plan_id).", "schema": {"type": "string"}});
    let if_match = json!({"name": "If-Match", "in": "header", "required": false, "description": "The plans' revision the client read; a later change makes the edit fail with 412.", "schema": {"type": "string"}});
    let bearer = json!([{"bearer": []}]);
    let row = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}}}});
    let edit_errors = json!({"401": problem, "403": problem, "404": problem, "412": problem, "422": problem, "503": problem});
    let with = |base: Value, extra: &Value| {
        let mut b = base;
        for (k, v) in extra.as_object().into_iter().flatten() {
            b[k.as_str()] = v.clone();
        }
        b
    };
    let paths = &mut doc["paths"];
    paths["/api/auth/token"] = json!({
        "post": {"operationId": "createToken", "summary": "Signs in: a bearer token for one hour.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "password"], "properties": {"name": {"type": "string"}, "password": {"type": "string"}}}}}},
            "responses": {"201": object("The token, its type (Bearer), when it expires and the user."), "400": problem, "401": problem}},
        "delete": {"operationId": "deleteToken", "summary": "Signs out: the token ends.", "security": bearer,
            "responses": {"204": {"description": "The token has ended."}, "401": problem}},
    });
    paths["/api/plans"] = json!({"get": {"operationId": "getPlans", "summary": "The whole plan set (policies, action plans, helhedsplaner) and its revision.",
        "responses": {"200": object("The plans."), "500": problem}}});
    paths["/api/plans/{table}"] = json!({
        "get": {"operationId": "getPlanTable", "summary": "One plan table: its fields (labels, kinds, choices) and rows.", "parameters": [table],
            "responses": {"200": object("The table."), "404": problem}},
        "post": {"operationId": "createPlanRow", "summary": "Creates a row (editor). Checked as a CSV import is; nothing is saved when it is refused.",
            "security": bearer, "parameters": [table, if_match], "requestBody": row,
            "responses": with(json!({"201": object("The revision, the key and the row after.")}), &edit_errors)},
    });
    paths["/api/plans/{table}/{id}"] = json!({
        "put": {"operationId": "updatePlanRow", "summary": "Changes the given fields of a row (editor).",
            "security": bearer, "parameters": [table, id, scope, if_match], "requestBody": row,
            "responses": with(json!({"200": object("The revision, the key and the row before and after.")}), &edit_errors)},
        "delete": {"operationId": "deletePlanRow", "summary": "Deletes a row (editor); refused while another row refers to it.",
            "security": bearer, "parameters": [table, id, scope, if_match],
            "responses": with(json!({"200": object("The revision, the key and the row before.")}), &edit_errors)},
    });
    paths["/api/foresight"] = json!({"get": {"operationId": "getForesight", "summary": "The early warning for the next list year (each area's probability of being on each list, from simulated next years) and its backtest against past years.",
        "parameters": [
            {"name": "list", "in": "query", "required": false, "schema": {"type": "string"}},
            {"name": "area", "in": "query", "required": false, "schema": {"type": "string"}},
        ],
        "responses": {"200": object("The outlooks and the backtest."), "400": problem}}});
    paths["/api/whatif"] = json!({"get": {"operationId": "getRulesWhatIf", "summary": "A rule what-if for a year: thresholds, k of n and the origin criterion changed (set=threshold:ID=35,k:LIST=3,without-origin); per list the areas entering and leaving.",
        "parameters": [
            {"name": "year", "in": "query", "required": false, "schema": {"type": "integer"}},
            {"name": "set", "in": "query", "required": false, "schema": {"type": "string"}},
            {"name": "without_origin", "in": "query", "required": false, "schema": {"type": "boolean"}},
        ],
        "responses": {"200": object("The overlay, the changes as the law would read them, and per list who enters and leaves."), "400": problem, "404": problem}}});
    paths["/api/areas/{id}/whatif"] = json!({"get": {"operationId": "getAreaWhatIf", "summary": "A resident what-if for one area: N more in work, fewer convicted, more educated, a letting policy; the lists after, and the smallest change per list and lever.",
        "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "year", "in": "query", "required": false, "schema": {"type": "integer"}},
            {"name": "more_in_work", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}},
            {"name": "fewer_convicted", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}},
            {"name": "more_educated", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}},
            {"name": "letting", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}},
            {"name": "profile", "in": "query", "required": false, "schema": {"type": "string"}},
            {"name": "without_origin", "in": "query", "required": false, "schema": {"type": "boolean"}},
            {"name": "smallest", "in": "query", "required": false, "schema": {"type": "boolean", "default": true}},
        ],
        "responses": {"200": object("Criteria and lists before and after, and the smallest changes."), "400": problem, "403": problem, "404": problem}}});
    paths["/api/audit"] = json!({"get": {"operationId": "getAudit", "summary": "The audit log, newest first (viewer): who, when, what, before and after.",
        "security": bearer,
        "parameters": [
            {"name": "object", "in": "query", "required": false, "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 100}},
            {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "default": 0}},
        ],
        "responses": {"200": object("The entries."), "400": problem, "401": problem, "403": problem}}});
    doc["components"]["securitySchemes"] = json!({"bearer": {"type": "http", "scheme": "bearer", "description": "A token from POST /api/auth/token; it lasts one hour."}});
}

/// The API routes the app serves, as OpenAPI paths (the tests check the document names each).
pub const ROUTES: &[&str] = &[
    "/api/rule-sets",
    "/api/rule-sets/{id}",
    "/api/areas",
    "/api/areas/{id}",
    "/api/areas/{id}/designations",
    "/api/areas/{id}/explanation",
    "/api/screenings",
    "/api/screenings/{spec}/{year}",
    "/api/lists/{year}",
    "/api/manifest",
    "/api/openapi.json",
    "/api/auth/token",
    "/api/plans",
    "/api/plans/{table}",
    "/api/plans/{table}/{id}",
    "/api/audit",
    "/api/whatif",
    "/api/areas/{id}/whatif",
    "/api/foresight",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_names_every_route_and_no_other() {
        let doc = openapi_document();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        let mut routes: Vec<&str> = ROUTES.to_vec();
        routes.sort_unstable();
        let mut paths: Vec<&str> = paths.iter().map(|s| s.as_str()).collect();
        paths.sort_unstable();
        assert_eq!(paths, routes);
    }

    #[test]
    fn counts_under_the_minimum_are_suppressed_and_marked() {
        let c = Config { min_count: 5 };
        assert_eq!(guard(Some("4".into()), &c), suppressed(&c));
        assert_eq!(guard(Some("4.9".into()), &c), suppressed(&c));
        assert_eq!(guard(Some("0".into()), &c), suppressed(&c));
        assert_eq!(guard(Some("5".into()), &c), json!("5"));
        assert_eq!(guard(None, &c), Value::Null);
        assert_eq!(suppressed(&c), json!({"suppressed": true, "min_count": 5}));
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(parse_year("20x2", "year").is_err());
        assert!(parse_year("1999", "year").is_err());
        assert_eq!(parse_year("2022", "year").unwrap(), 2022);
        let m: HashMap<String, String> =
            [("without_origin".to_string(), "maybe".to_string())].into();
        assert!(parse_bool(&m, "without_origin").is_err());
        assert!(params(Some("nope=1".into()), &["page"]).is_err());
    }
}
