//! `kvarter serve`: the dashboard and the read-only JSON API over a store that `kvarter load`
//! filled (kvarter-web). Prints the address it listens on, then serves until stopped.

use super::Failure;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The SQLite database that `kvarter load` filled (opened read-only).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Where to listen; port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: String,
    #[command(flatten)]
    options: ServeOptions,
}

/// How the server answers, shared by `serve` and `demo`.
#[derive(Args, Clone)]
pub(crate) struct ServeOptions {
    /// Counts of persons under this are suppressed in every page and response.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub(crate) min_count: u64,
    /// Mark the session cookie `Secure`, so browsers send it over HTTPS only: use it when
    /// kvarter is served behind an HTTPS proxy (plain-HTTP sign-ins then stop working).
    #[arg(long)]
    secure_cookies: bool,
    /// Close a connection that has not sent a request's whole head this many seconds after it
    /// opened or after the previous response (slow headers, idle keep-alive).
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Close a connection on which no byte moves for this many seconds while a request is
    /// read or answered.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout: u64,
    /// The most connections open at once; the next is answered 503 and closed.
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_connections: u64,
}

pub(crate) fn run_serve(a: &ServeArgs) -> Result<String, Failure> {
    serve_dashboard(&a.db, &a.addr, &a.options, "listening on")
}

/// Serves the dashboard and the API over `db`, printing `{what} http://ADDR/` on stdout once
/// listening (tests and scripts read the address from that line).
pub(crate) fn serve_dashboard(
    db: &Path,
    addr: &str,
    options: &ServeOptions,
    what: &str,
) -> Result<String, Failure> {
    if !db.is_file() {
        return Err(Failure(format!(
            "{}: no such database; expected a file that `kvarter load --db` filled",
            db.display()
        )));
    }
    let config = kvarter_web::Config {
        min_count: options.min_count,
        secure_cookies: options.secure_cookies,
    };
    let limits = kvarter_web::Limits {
        header_timeout: Duration::from_secs(options.header_timeout),
        idle_timeout: Duration::from_secs(options.idle_timeout),
        max_connections: usize::try_from(options.max_connections).unwrap_or(usize::MAX),
    };
    let app = kvarter_web::app(db, config).map_err(Failure)?;
    kvarter_web::serve(addr, app, limits, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{what} http://{addr}/").and_then(|()| out.flush());
        eprintln!("the API's OpenAPI document: http://{addr}/api/openapi.json; stop with Ctrl-C");
    })
    .map_err(Failure)?;
    Ok(String::new())
}
