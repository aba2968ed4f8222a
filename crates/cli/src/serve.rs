//! `kvarter serve`: the dashboard and the read-only JSON API over a store that `kvarter load`
//! filled (kvarter-web). Prints the address it listens on, then serves until stopped.

use super::Failure;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The SQLite database that `kvarter load` filled (opened read-only).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Where to listen; port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Counts of persons under this are suppressed in every response.
    #[arg(long, value_name = "N", default_value_t = 5)]
    min_count: u64,
}

pub(crate) fn run_serve(a: &ServeArgs) -> Result<String, Failure> {
    serve_dashboard(&a.db, &a.addr, a.min_count, "listening on")
}

/// Serves the dashboard and the API over `db`, printing `{what} http://ADDR/` on stdout once
/// listening (tests and scripts read the address from that line).
pub(crate) fn serve_dashboard(
    db: &Path,
    addr: &str,
    min_count: u64,
    what: &str,
) -> Result<String, Failure> {
    if !db.is_file() {
        return Err(Failure(format!(
            "{}: no such database; expected a file that `kvarter load --db` filled",
            db.display()
        )));
    }
    let config = kvarter_web::Config { min_count };
    let app = kvarter_web::app(db, config).map_err(Failure)?;
    kvarter_web::serve(addr, app, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{what} http://{addr}/").and_then(|()| out.flush());
        eprintln!("the API's OpenAPI document: http://{addr}/api/openapi.json; stop with Ctrl-C");
    })
    .map_err(Failure)?;
    Ok(String::new())
}
