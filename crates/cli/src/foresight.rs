//! `kvarter foresight`: early warning for the next 1 December (kvarter-foresight).
//!
//! - `foresight --registers DIR` reads a register folder, and for the list year after the
//!   latest one the data give prints, per list, the areas ranked by their risk of entering (off
//!   the list now, by probability of being on it) and their chance of leaving (on it now, by
//!   probability of being off it), as a table, CSV or JSON.
//! - `foresight --registers DIR --backtest` forecasts every past list year from the data up to
//!   two years before it and prints, per year and list, the Brier score, the entries and exits
//!   and how many of them were flagged in advance, the false alarms, and a summary over all
//!   years.
//!
//! Output is built in full before anything is printed; progress goes to stderr, only on a
//! terminal.

use super::{Failure, LangArg, load_catalog, overrides, parse_years, progress_bar};
use clap::{Args, ValueEnum};
use kvarter_foresight::{Backtest, Forecast, ListForecast, Method, ModelOptions, Options, Score};
use kvarter_report::{Lang, find_list, list_name, number};
use kvarter_rules::{Catalog, Decimal};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct ForesightArgs {
    /// A register folder: areas.csv and persons-YYYY.parquet (see docs/REGISTERS.md).
    #[arg(long, value_name = "DIR")]
    registers: PathBuf,
    /// Read only these data years, e.g. 2006-2020 (the forecast stands at the last of them).
    #[arg(long, value_name = "A-B", value_parser = parse_years)]
    data_years: Option<(i16, i16)>,
    /// Monte Carlo draws of next year's data.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    draws: u32,
    /// The seed: the same data, options and seed give the same output.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ForesightFormat::Table)]
    format: ForesightFormat,
    /// Only this list (its id, e.g. udsat_boligomraade).
    #[arg(long, value_name = "ID")]
    list: Option<String>,
    /// Per list, only the K areas most at risk of entering and the K most likely to leave.
    #[arg(long, value_name = "K", conflicts_with = "backtest")]
    top: Option<usize>,
    /// Backtest instead: forecast every past list year and compare with the lists of the data.
    #[arg(long)]
    backtest: bool,
    /// With --backtest: data years needed up to the known year (two years before the list).
    #[arg(long, value_name = "N", default_value_t = 3, requires = "backtest")]
    min_data_years: usize,
    /// Flag an area as entering (leaving) when its probability of being on (off) is at least P.
    #[arg(long, value_name = "P", default_value = "0.5", value_parser = parse_probability)]
    flag_at: Decimal,
    /// The model of next year: the latest year plus one of the area's past year-on-year changes
    /// (walk), or a line through each measure's latest years (trend). See docs/FORESIGHT.md.
    #[arg(long, value_enum, default_value_t = ModelArg::Walk)]
    model: ModelArg,
    /// The latest data years the model learns from.
    #[arg(long, value_name = "N", default_value_t = 11, value_parser = clap::value_parser!(u32).range(2..=50))]
    history_years: u32,
    /// Shrinkage: an area with n own deviations draws from all areas' with probability k/(k+n).
    #[arg(long, value_name = "K", default_value_t = 2)]
    prior_changes: u32,
    /// Published memberships before the data start: CSV `list_year,area_id,list`.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Switch off the non-Western origin criterion: the lists as they would be without it.
    #[arg(long)]
    without_origin: bool,
    /// Use this rule set instead of the one in force by list date (repeat for another family).
    #[arg(long = "rules", value_name = "ID")]
    rules: Vec<String>,
    /// Read the rule sets from this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    rules_dir: Option<PathBuf>,
    /// Language of text for people.
    #[arg(long, value_enum, default_value_t = LangArg::Da)]
    lang: LangArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModelArg {
    Walk,
    Trend,
}

#[derive(Clone, Copy, ValueEnum)]
enum ForesightFormat {
    Table,
    Csv,
    Json,
}

fn parse_probability(s: &str) -> Result<Decimal, String> {
    let d: Decimal = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a probability such as 0.5, found '{s}'"))?;
    if d <= Decimal::ZERO || d > Decimal::ONE {
        return Err(format!(
            "expected a probability above 0 and at most 1, found '{s}'"
        ));
    }
    Ok(d)
}

pub(crate) fn run_foresight(a: &ForesightArgs) -> Result<String, Failure> {
    let catalog = load_catalog(a.rules_dir.as_deref())?;
    // Checked here for the message `lists` gives; the crate checks again.
    let chosen = overrides(&catalog, &a.rules)?;
    if let Some(l) = &a.list {
        let known = super::list_ids(&catalog);
        if !known.contains(&l.as_str()) {
            return Err(Failure(format!(
                "--list {l}: no such list; expected one of: {}",
                known.join(", ")
            )));
        }
    }
    let history = super::read_history_file(a.history.as_deref(), &catalog)?;
    let options = Options {
        draws: a.draws,
        seed: a.seed,
        without_origin: a.without_origin,
        overrides: a.rules.clone(),
        model: ModelOptions {
            method: match a.model {
                ModelArg::Trend => Method::Trend,
                ModelArg::Walk => Method::Walk,
            },
            prior_changes: a.prior_changes,
            history_years: a.history_years as usize,
            ..ModelOptions::default()
        },
        flag_at: a.flag_at,
        threads: 0,
    };
    // The forecast reads only the data years it uses (kvarter_foresight::first_data_year):
    // the earlier ones do not change it. The backtest scores every list year, and reads all.
    let mut only = a.data_years;
    if !a.backtest
        && let Some(&latest) = data_years(&a.registers, only).last()
    {
        let first = kvarter_foresight::first_data_year(&catalog, &options, latest)
            .map_err(|e| Failure(format!("{}: {e}", a.registers.display())))?;
        only = Some((only.map_or(first, |(a, _)| a.max(first)), latest));
    }
    let registers = read_registers(&a.registers, only)?;
    let lang: Lang = a.lang.into();
    let dir = a.registers.display();
    if a.backtest {
        let b = kvarter_foresight::backtest(
            &registers,
            &catalog,
            &history,
            &options,
            a.min_data_years,
            &mut progress_bar(),
        )
        .map_err(|e| Failure(format!("{dir}: {e}")))?;
        if let Some(l) = &a.list
            && !b.scores.iter().any(|s| &s.list == l)
        {
            return Err(unknown_list(
                l,
                b.summary.iter().map(|s| s.list.as_str()),
                "the backtested years",
            ));
        }
        return Ok(match a.format {
            ForesightFormat::Table => backtest_table(&b, a.list.as_deref(), lang),
            ForesightFormat::Csv => backtest_csv(&b, a.list.as_deref()),
            ForesightFormat::Json => backtest_json(&b, a.list.as_deref()),
        });
    }
    let f = kvarter_foresight::forecast(
        &registers,
        &catalog,
        &history,
        &options,
        &mut progress_bar(),
    )
    .map_err(|e| Failure(format!("{dir}: {e}")))?;
    if a.without_origin {
        for rs in catalog.select(f.list_year, &chosen) {
            for l in rs
                .lists
                .iter()
                .filter(|l| !f.rows.iter().any(|r| r.list == l.id))
            {
                eprintln!(
                    "note: without the origin criterion, '{}' is not defined ({})",
                    l.id, f.list_year
                );
            }
        }
    }
    let mut lists: Vec<&str> = Vec::new();
    for r in &f.rows {
        if !lists.contains(&r.list.as_str()) {
            lists.push(&r.list);
        }
    }
    if let Some(l) = &a.list {
        if !lists.contains(&l.as_str()) {
            return Err(unknown_list(
                l,
                lists.iter().copied(),
                &format!("the list year {}", f.list_year),
            ));
        }
        lists.retain(|x| x == l);
    }
    let ranked: Vec<(&str, Vec<&ListForecast>, Vec<&ListForecast>)> = lists
        .iter()
        .map(|l| {
            let (entering, leaving) = rank(&f, l, a.top);
            (*l, entering, leaving)
        })
        .collect();
    Ok(match a.format {
        ForesightFormat::Table => forecast_table(&f, &catalog, &ranked, a.without_origin, lang),
        ForesightFormat::Csv => forecast_csv(&f, &ranked),
        ForesightFormat::Json => forecast_json(&f, &ranked, a.without_origin),
    })
}

/// The data years of a register folder's `persons-YYYY` files within `only`, ascending (empty
/// when the folder cannot be read: the reader then says why).
fn data_years(dir: &std::path::Path, only: Option<(i16, i16)>) -> Vec<i16> {
    let mut years: Vec<i16> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let rest = name.strip_prefix("persons-")?;
            let (year, ext) = rest.split_once('.')?;
            (ext == "parquet" || ext == "csv").then(|| year.parse::<i16>().ok())?
        })
        .filter(|y| only.is_none_or(|(a, b)| (a..=b).contains(y)))
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// Reads a register folder with [`kvarter_data::read_registers`], its data years shared
/// between the available cores (each reads a contiguous range of years; the result is the same
/// as one read of them all). A folder whose file names do not give the years (or with one year)
/// is read in one go, which also gives the reader's own errors.
fn read_registers(
    dir: &std::path::Path,
    only: Option<(i16, i16)>,
) -> Result<kvarter_data::Registers, Failure> {
    let years = data_years(dir, only);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(years.len());
    if threads < 2 {
        return Ok(kvarter_data::read_registers(
            dir,
            only,
            &mut progress_bar(),
        )?);
    }
    let ranges: Vec<(i16, i16)> = years
        .chunks(years.len().div_ceil(threads))
        .map(|c| (c[0], c[c.len() - 1]))
        .collect();
    let parts: Vec<Result<kvarter_data::Registers, kvarter_data::DataError>> =
        std::thread::scope(|s| {
            let handles: Vec<_> = ranges
                .iter()
                .map(|r| {
                    s.spawn(move || kvarter_data::read_registers(dir, Some(*r), &mut |_, _, _| {}))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a register reader panicked"))
                .collect()
        });
    let mut out: Option<kvarter_data::Registers> = None;
    for part in parts {
        let part = part?;
        match &mut out {
            None => out = Some(part),
            Some(o) => o.years.extend(part.years),
        }
    }
    Ok(out.expect("at least two ranges"))
}

fn unknown_list<'a>(l: &str, known: impl Iterator<Item = &'a str>, what: &str) -> Failure {
    Failure(format!(
        "--list {l}: no such list in {what}; expected one of: {}",
        known.collect::<Vec<_>>().join(", ")
    ))
}

/// The rows of one list: those off it now by descending probability of being on (risk of
/// entering), and those on it now by ascending probability (chance of leaving); ties by area
/// id. `top` keeps the first K of each.
fn rank<'a>(
    f: &'a Forecast,
    list: &str,
    top: Option<usize>,
) -> (Vec<&'a ListForecast>, Vec<&'a ListForecast>) {
    let rows = f.rows.iter().filter(|r| r.list == list);
    let mut entering: Vec<&ListForecast> =
        rows.clone().filter(|r| r.on_now != Some(true)).collect();
    let mut leaving: Vec<&ListForecast> = rows.filter(|r| r.on_now == Some(true)).collect();
    entering.sort_by(|a, b| {
        b.on_draws
            .cmp(&a.on_draws)
            .then_with(|| a.area_id.cmp(&b.area_id))
    });
    leaving.sort_by(|a, b| {
        a.on_draws
            .cmp(&b.on_draws)
            .then_with(|| a.area_id.cmp(&b.area_id))
    });
    if let Some(k) = top {
        entering.truncate(k);
        leaving.truncate(k);
    }
    (entering, leaving)
}

fn yes_no(on: Option<bool>, lang: Lang) -> &'static str {
    match on {
        Some(true) => lang.t("ja", "yes"),
        Some(false) => lang.t("nej", "no"),
        None => lang.t("ny liste", "new list"),
    }
}

fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

fn forecast_table(
    f: &Forecast,
    catalog: &Catalog,
    ranked: &[(&str, Vec<&ListForecast>, Vec<&ListForecast>)],
    without_origin: bool,
    lang: Lang,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} · {} {} {} · {} {} · seed {}",
        lang.t(
            "Prognose for listerne 1. december",
            "Forecast of the lists of 1 December"
        ),
        f.list_year,
        lang.t("dataår", "data year"),
        f.known_data_year,
        lang.t("kendt", "known"),
        f.known_data_year + 1,
        lang.t(
            &format!("trukket {} gange", f.draws),
            &format!("drawn {} times", f.draws)
        ),
        f.seed
    );
    let _ = writeln!(
        s,
        "{}",
        lang.t(
            "Sandsynligheder fra en model af næste års data, ikke lister: listerne er dem, `kvarter lists` beregner.",
            "Probabilities from a model of next year's data, not lists: the lists are those `kvarter lists` computes."
        )
    );
    if without_origin {
        let _ = writeln!(
            s,
            "{}",
            lang.t(
                "UDEN OPRINDELSESKRITERIET (--without-origin): ikke de lovbestemte lister.",
                "WITHOUT THE ORIGIN CRITERION (--without-origin): not the statutory lists."
            )
        );
    }
    let now = match f.latest_list_year {
        Some(y) => format!("{} {y}", lang.t("på listen", "on the list")),
        None => lang.t("på listen nu", "on the list now").to_string(),
    };
    let next = format!(
        "{} {}",
        lang.t("sandsynlighed for listen", "probability on the list"),
        f.list_year
    );
    let headers = [
        lang.t("område", "area"),
        lang.t("navn", "name"),
        lang.t("kommune", "municipality"),
        &now,
        &next,
    ];
    for (list, entering, leaving) in ranked {
        let all: Vec<&ListForecast> = f.rows.iter().filter(|r| r.list == *list).collect();
        let Some(first) = all.first() else { continue };
        let name = find_list(catalog, &first.rule_set, list)
            .map_or(first.list_name.as_str(), |(_, d)| list_name(d, lang));
        let on_now = all.iter().filter(|r| r.on_now == Some(true)).count();
        let expected: u64 = all.iter().map(|r| u64::from(r.on_draws)).sum();
        let mut expected = (Decimal::from(expected) / Decimal::from(f.draws)).round_dp(1);
        expected.rescale(1);
        let _ = writeln!(
            s,
            "\n{name} ({list}, {}) · {now}: {on_now} · {} {}: {}",
            first.rule_set,
            lang.t("forventet", "expected"),
            f.list_year,
            number(expected, lang),
        );
        let sections = [
            (
                lang.t(
                    "Risiko for at komme på listen (ikke på den nu)",
                    "Risk of entering (off the list now)",
                ),
                entering,
                false,
            ),
            (
                lang.t(
                    "Chance for at komme af listen (på den nu)",
                    "Chance of leaving (on the list now)",
                ),
                leaving,
                true,
            ),
        ];
        for (title, rows, leaving) in sections {
            // Areas with no risk at all are left out of the table (CSV and JSON have them).
            let shown: Vec<&&ListForecast> = rows
                .iter()
                .filter(|r| {
                    if leaving {
                        r.on_draws < r.draws
                    } else {
                        r.on_draws > 0
                    }
                })
                .collect();
            let _ = writeln!(s, "  {title}:");
            if shown.is_empty() {
                let _ = writeln!(
                    s,
                    "    {}",
                    lang.t("ingen områder i nogen trækning", "no area in any draw")
                );
                continue;
            }
            let cells: Vec<[String; 5]> = shown
                .iter()
                .map(|r| {
                    [
                        r.area_id.clone(),
                        r.area_name.clone(),
                        r.municipality.clone(),
                        yes_no(r.on_now, lang).to_string(),
                        number(r.probability, lang),
                    ]
                })
                .collect();
            let mut w = headers.map(|h| h.chars().count());
            for c in &cells {
                for (i, v) in c.iter().enumerate() {
                    w[i] = w[i].max(v.chars().count());
                }
            }
            let line = |c: [&str; 5]| {
                format!(
                    "    {}  {}  {}  {}  {:>w4$}",
                    pad(c[0], w[0]),
                    pad(c[1], w[1]),
                    pad(c[2], w[2]),
                    pad(c[3], w[3]),
                    c[4],
                    w4 = w[4]
                )
            };
            let _ = writeln!(s, "{}", line(headers).trim_end());
            for c in &cells {
                let _ = writeln!(
                    s,
                    "{}",
                    line([&c[0], &c[1], &c[2], &c[3], &c[4]]).trim_end()
                );
            }
            let hidden = rows.len() - shown.len();
            if hidden > 0 {
                let _ = writeln!(
                    s,
                    "    {} {hidden} {}",
                    lang.t("og", "and"),
                    if leaving {
                        lang.t(
                            "områder på listen i hver trækning",
                            "areas on the list in every draw",
                        )
                    } else {
                        lang.t(
                            "områder uden for listen i hver trækning",
                            "areas off the list in every draw",
                        )
                    }
                );
            }
        }
    }
    s
}

const FORECAST_CSV: [&str; 12] = [
    "list_year",
    "list",
    "list_name",
    "rule_set",
    "area_id",
    "area_name",
    "municipality",
    "on_now",
    "probability",
    "on_draws",
    "draws",
    "outlook",
];

fn on_now_text(on: Option<bool>) -> &'static str {
    match on {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// One row per area and list, ranked as the table ranks them (risk of entering, then chance of
/// leaving); `on_now` is empty for a list new in the forecast year.
fn forecast_csv(f: &Forecast, ranked: &[(&str, Vec<&ListForecast>, Vec<&ListForecast>)]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(FORECAST_CSV).expect("writing to memory");
    for (_, entering, leaving) in ranked {
        for r in entering.iter().chain(leaving) {
            w.write_record([
                f.list_year.to_string().as_str(),
                &r.list,
                &r.list_name,
                &r.rule_set,
                &r.area_id,
                &r.area_name,
                &r.municipality,
                on_now_text(r.on_now),
                &r.probability.to_string(),
                &r.on_draws.to_string(),
                &r.draws.to_string(),
                r.outlook.as_str(),
            ])
            .expect("writing to memory");
        }
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("CSV of UTF-8 fields")
}

fn forecast_json(
    f: &Forecast,
    ranked: &[(&str, Vec<&ListForecast>, Vec<&ListForecast>)],
    without_origin: bool,
) -> String {
    use serde_json::{Value, json};
    let row = |r: &ListForecast| {
        json!({
            "area_id": r.area_id,
            "area_name": r.area_name,
            "municipality": r.municipality,
            "on_now": r.on_now,
            "probability": r.probability.to_string(),
            "on_draws": r.on_draws,
            "outlook": r.outlook.as_str(),
        })
    };
    let lists: Vec<Value> = ranked
        .iter()
        .map(|(list, entering, leaving)| {
            let first = entering.first().or(leaving.first());
            json!({
                "list": list,
                "list_name": first.map(|r| r.list_name.as_str()),
                "rule_set": first.map(|r| r.rule_set.as_str()),
                "entering": entering.iter().map(|r| row(r)).collect::<Vec<_>>(),
                "leaving": leaving.iter().map(|r| row(r)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "kvarter_version": env!("CARGO_PKG_VERSION"),
        "note": "probabilities from a model of next year's data, not lists",
        "without_origin": without_origin,
        "list_year": f.list_year,
        "known_data_year": f.known_data_year,
        "latest_list_year": f.latest_list_year,
        "draws": f.draws,
        "seed": f.seed,
        "areas": f.areas,
        "lists": lists,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("serializable");
    s.push('\n');
    s
}

fn opt(d: Option<Decimal>, lang: Lang) -> String {
    d.map_or_else(|| "–".to_string(), |d| number(d, lang))
}

fn backtest_table(b: &Backtest, list: Option<&str>, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({} {}, seed {}; {})",
        lang.t(
            "Backtest: hvert listeår forudsagt fra data til og med to år før, sammenlignet med listerne fra alle data",
            "Backtest: each list year forecast from the data up to two years before it, compared with the lists from all the data"
        ),
        b.draws,
        lang.t("trækninger", "draws"),
        b.seed,
        lang.t(
            "Brier: middel af (p − udfald)², 0 er perfekt; vedvarende: »som sidste år«",
            "Brier: mean of (p − outcome)², 0 is perfect; persistence: \"as last year\""
        )
    );
    let keep = |s: &&Score| list.is_none_or(|l| s.list == l);
    let head = [
        lang.t("år", "year"),
        lang.t("liste", "list"),
        lang.t("områder", "areas"),
        lang.t("før", "before"),
        lang.t("forventet", "expected"),
        lang.t("faktisk", "actual"),
        "Brier",
        lang.t("vedvarende", "persistence"),
        lang.t("skill", "skill"),
        lang.t("tilgange varslet", "entries flagged"),
        lang.t("falske", "false alarms"),
        lang.t("afgange varslet", "exits flagged"),
        lang.t("falske", "false alarms"),
    ];
    let cells = |year: String, sc: &Score| -> Vec<String> {
        let t = &sc.tally;
        vec![
            year,
            sc.list.clone(),
            t.areas.to_string(),
            if t.known > 0 {
                t.on_before.to_string()
            } else {
                "–".into()
            },
            number(t.expected_on(), lang),
            t.on_after.to_string(),
            opt(t.brier(), lang),
            opt(t.brier_persistence(), lang),
            opt(t.skill(), lang),
            format!("{}/{}", t.entries_flagged, t.entries),
            t.entry_false_alarms.to_string(),
            format!("{}/{}", t.exits_flagged, t.exits),
            t.exit_false_alarms.to_string(),
        ]
    };
    let table = |rows: Vec<Vec<String>>, s: &mut String| {
        let mut w: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |r: &[&str]| {
            let mut l = String::from(" ");
            for (i, c) in r.iter().enumerate() {
                l.push(' ');
                if i < 2 {
                    l.push_str(&pad(c, w[i]));
                } else {
                    l.push_str(&format!("{c:>width$}", width = w[i]));
                }
            }
            l.trim_end().to_string()
        };
        let _ = writeln!(s, "{}", line(&head));
        for r in &rows {
            let r: Vec<&str> = r.iter().map(String::as_str).collect();
            let _ = writeln!(s, "{}", line(&r));
        }
    };
    let rows: Vec<Vec<String>> = b
        .scores
        .iter()
        .filter(keep)
        .map(|sc| cells(sc.list_year.map_or_else(String::new, |y| y.to_string()), sc))
        .collect();
    s.push('\n');
    table(rows, &mut s);
    let (first, last) = (
        b.years.first().copied().unwrap_or_default(),
        b.years.last().copied().unwrap_or_default(),
    );
    let _ = writeln!(
        s,
        "\n{} {first}–{last} ({} {}):",
        lang.t("Samlet over", "Summary over"),
        b.years.len(),
        lang.t("listeår", "list years")
    );
    let rows: Vec<Vec<String>> = b
        .summary
        .iter()
        .filter(keep)
        .map(|sc| cells(lang.t("alle", "all").to_string(), sc))
        .collect();
    table(rows, &mut s);
    let _ = writeln!(
        s,
        "\n{}",
        lang.t(
            "Tilgange/afgange: områder der kom på/af listen; varslet: med sandsynlighed for det mindst grænsen (--flag-at). Falske: varslet, men det skete ikke. Tælles kun hvor listen fandtes året før.",
            "Entries/exits: areas that came onto/off the list; flagged: with a probability of it of at least the limit (--flag-at). False alarms: flagged, and it did not happen. Counted only where the list existed the year before."
        )
    );
    s
}

const BACKTEST_CSV: [&str; 21] = [
    "list_year",
    "list",
    "list_name",
    "areas",
    "draws",
    "brier",
    "brier_known",
    "brier_persistence",
    "skill",
    "on_before",
    "expected_on",
    "on_actual",
    "entries",
    "entries_flagged",
    "entry_false_alarms",
    "exits",
    "exits_flagged",
    "exit_false_alarms",
    "known",
    "changes",
    "squared_error",
];

/// One row per year and list, then one per list over all years (`list_year` = `all`).
fn backtest_csv(b: &Backtest, list: Option<&str>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(BACKTEST_CSV).expect("writing to memory");
    let d = |d: Option<Decimal>| d.map_or_else(String::new, |d| d.to_string());
    for sc in b
        .scores
        .iter()
        .chain(&b.summary)
        .filter(|s| list.is_none_or(|l| s.list == l))
    {
        let t = &sc.tally;
        w.write_record([
            sc.list_year.map_or_else(|| "all".into(), |y| y.to_string()),
            sc.list.clone(),
            sc.list_name.clone(),
            t.areas.to_string(),
            t.draws.to_string(),
            d(t.brier()),
            d(t.brier_known()),
            d(t.brier_persistence()),
            d(t.skill()),
            t.on_before.to_string(),
            t.expected_on().to_string(),
            t.on_after.to_string(),
            t.entries.to_string(),
            t.entries_flagged.to_string(),
            t.entry_false_alarms.to_string(),
            t.exits.to_string(),
            t.exits_flagged.to_string(),
            t.exit_false_alarms.to_string(),
            t.known.to_string(),
            t.changes.to_string(),
            t.squared_error.to_string(),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("CSV of UTF-8 fields")
}

fn backtest_json(b: &Backtest, list: Option<&str>) -> String {
    use serde_json::json;
    let d = |d: Option<Decimal>| d.map(|d| d.to_string());
    let score = |sc: &Score| {
        let t = &sc.tally;
        json!({
            "list_year": sc.list_year,
            "list": sc.list,
            "list_name": sc.list_name,
            "areas": t.areas,
            "brier": d(t.brier()),
            "brier_known": d(t.brier_known()),
            "brier_persistence": d(t.brier_persistence()),
            "skill": d(t.skill()),
            "on_before": (t.known > 0).then_some(t.on_before),
            "expected_on": t.expected_on().to_string(),
            "on_actual": t.on_after,
            "entries": t.entries,
            "entries_flagged": t.entries_flagged,
            "entry_false_alarms": t.entry_false_alarms,
            "exits": t.exits,
            "exits_flagged": t.exits_flagged,
            "exit_false_alarms": t.exit_false_alarms,
        })
    };
    let keep = |s: &&Score| list.is_none_or(|l| s.list == l);
    let doc = json!({
        "kvarter_version": env!("CARGO_PKG_VERSION"),
        "draws": b.draws,
        "seed": b.seed,
        "min_data_years": b.min_data_years,
        "years": b.years,
        "scores": b.scores.iter().filter(keep).map(score).collect::<Vec<_>>(),
        "summary": b.summary.iter().filter(keep).map(score).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("serializable");
    s.push('\n');
    s
}
