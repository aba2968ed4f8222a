//! `kvarter demo`: the whole product on synthetic data in one command. Writes the synthetic
//! capital (or country), loads it with the municipality's screening into a SQLite store, and
//! serves the dashboard and the API, printing the address to open.
//!
//! A second run with the same options reuses the written data and the store (the load is a
//! no-op when nothing changed), so it starts in about a second.

use super::{Failure, Input, progress_bar, serve};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub(crate) struct DemoArgs {
    /// `city`: the synthetic capital (the default, ready in seconds); `country`: the whole
    /// synthetic country (about a minute more).
    #[arg(long, default_value = "city", value_parser = super::parse_scale)]
    scale: kvarter_synth::Scale,
    /// The seed of the synthetic data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to keep the synthetic data and the store; a folder under the system's temp
    /// folder by default.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Where to serve.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: String,
    #[command(flatten)]
    options: serve::ServeOptions,
}

/// The data years the demo writes.
const YEARS: (i16, i16) = (2006, 2024);

/// The file that marks a complete synthetic folder, with what it was written from.
const MARKER: &str = "kvarter-demo.txt";

fn marker_text(a: &DemoArgs) -> String {
    format!(
        "kvarter {} synth --scale {} --seed {} --years {}-{}\n",
        env!("CARGO_PKG_VERSION"),
        a.scale.name(),
        a.seed,
        YEARS.0,
        YEARS.1
    )
}

fn synthesize(a: &DemoArgs, dir: &Path) -> Result<(), Failure> {
    let marker = dir.join(MARKER);
    // A folder from before the map's boundaries were written is written again.
    if std::fs::read_to_string(&marker).is_ok_and(|t| t == marker_text(a))
        && dir.join("boundaries.geojson").is_file()
    {
        eprintln!(
            "demo: reusing the synthetic {} in {}",
            a.scale.name(),
            dir.display()
        );
        return Ok(());
    }
    let _ = std::fs::remove_file(&marker);
    let config = kvarter_synth::Config {
        scale: a.scale,
        seed: a.seed,
        first_year: YEARS.0,
        last_year: YEARS.1,
        format: kvarter_synth::Format::Parquet,
    };
    let mut bar = progress_bar();
    kvarter_synth::generate(&config, dir, &mut |done, total, message| {
        bar(message, done, total)
    })?;
    super::write_atomically(&marker, marker_text(a).as_bytes())?;
    Ok(())
}

pub(crate) fn run_demo(a: &DemoArgs) -> Result<String, Failure> {
    let dir = a.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kvarter-demo-{}-{}", a.scale.name(), a.seed))
    });
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure(format!("{}: cannot create the folder: {e}", dir.display())))?;
    eprintln!(
        "demo: synthetic data (fictional people and areas, not real data) in {}",
        dir.display()
    );
    synthesize(a, &dir)?;
    let db = dir.join("kvarter.db");
    let input = || Input {
        criteria: None,
        registers: Some(dir.clone()),
    };
    // The plans are placed on the store's areas: the first start loads, seeds the plans from
    // the store, and loads again with them; later starts find both unchanged.
    let plans = dir.join("plans");
    if !plans.join("policies.csv").is_file() {
        super::load::run_load(&super::load::LoadArgs::demo(
            input(),
            db.clone(),
            "kbh-2025",
            None,
        ))?;
        super::plans::seed(&db, &plans)?;
    }
    super::load::run_load(&super::load::LoadArgs::demo(
        input(),
        db.clone(),
        "kbh-2025",
        Some(plans),
    ))?;
    let users = super::users::demo_users(&db, &dir.join("demo-users.txt"))?;
    for (name, role, password) in &users {
        eprintln!("demo: sign in as {name} with password {password} ({role})");
    }
    if users.is_empty() {
        eprintln!("demo: the store has users but not the demo's; add one with `kvarter users add`");
    }
    serve::serve_dashboard(&db, &a.addr, &a.options, "demo: open")
}
