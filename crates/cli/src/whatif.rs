//! `kvarter whatif`: what if the law changed, or an area's residents did
//! ([`kvarter_whatif`]).
//!
//! - `whatif rules (--criteria FILE | --registers DIR | --db FILE) [--year Y] --set CHANGE…
//!   [--without-origin]` changes the law for the list of one year (a criterion's threshold, a
//!   list's `k of [..]`, the origin criteria switched off) and prints, per list, who enters and
//!   who leaves, after the changes as the law would read them.
//! - `whatif area (--criteria | --registers | --db) --area ID [--year Y] [--more-in-work N]
//!   [--fewer-convicted N] [--more-educated N] [--letting M [--profile P]] [--smallest]` changes
//!   one area's residents and prints its criteria and lists before and after, and with
//!   `--smallest` the smallest change per list the area is on and per lever.
//!
//! The year defaults to the latest the input has. Earlier years' lists stand as the law
//! computed them. `--db` reads a store that `kvarter load` filled: its rule files, history,
//! `--rules` overrides and values, exactly what the dashboard evaluates.

use super::{Failure, LangArg, load_catalog, open, overrides, parse_years, register_observations};
use clap::{Args, Subcommand, ValueEnum};
use kvarter_criteria::read_criteria;
use kvarter_report::{Lang, list_name, number};
use kvarter_rules::{
    AreaEvaluation, Catalog, CriterionOutcome, Decimal, EvalOptions, History, ListOutcome,
    Observation, Unit,
};
use kvarter_whatif::{
    self as whatif, AreaWhatIf, Lever, ListChange, Overlay, Profile, RulesWhatIf, Smallest,
    SmallestResult,
};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct WhatifArgs {
    #[command(subcommand)]
    command: WhatifCommand,
}

#[derive(Subcommand)]
enum WhatifCommand {
    /// Changes the law for one list year (a threshold, k of n, without origin) and prints who
    /// enters and who leaves each list.
    Rules(RulesArgs),
    /// Changes one area's residents (more in work, fewer convicted, more educated, a letting
    /// policy) and prints its criteria and lists before and after.
    Area(AreaArgs),
}

/// Where the values come from.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct WhatifInput {
    /// The criteria CSV: one row per area and list year (see README, "The criteria file").
    #[arg(long, value_name = "FILE")]
    criteria: Option<PathBuf>,
    /// A register folder: areas.csv and persons-YYYY.parquet (see docs/REGISTERS.md).
    #[arg(long, value_name = "DIR")]
    registers: Option<PathBuf>,
    /// A store that `kvarter load` filled (its rules, history and values).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
}

#[derive(Args)]
struct Source {
    #[command(flatten)]
    input: WhatifInput,
    /// The list year; the latest the input has by default.
    #[arg(long, value_name = "Y")]
    year: Option<i32>,
    /// With --registers: read only these data years, e.g. 2022-2023.
    #[arg(long, value_name = "A-B", value_parser = parse_years)]
    data_years: Option<(i16, i16)>,
    /// Published memberships before the data starts: CSV `list_year,area_id,list`.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Use this rule set instead of the one in force by list date.
    #[arg(long = "rules", value_name = "ID")]
    rules: Vec<String>,
    /// Read the rule sets from this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    rules_dir: Option<PathBuf>,
    /// Language of text for people.
    #[arg(long, value_enum, default_value_t = LangArg::Da)]
    lang: LangArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WhatifFormat::Table)]
    format: WhatifFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum WhatifFormat {
    Table,
    Json,
}

#[derive(Args)]
struct RulesArgs {
    #[command(flatten)]
    source: Source,
    /// A change to the law: threshold:CRITERION=NUMBER (e.g. threshold:outside_labour=35),
    /// k:LIST=K (e.g. k:udsat_boligomraade=3) or without-origin; repeat it, or separate changes
    /// by commas. Prefix an id with its rule set where two have it (dk-51b/outside_labour).
    #[arg(long = "set", value_name = "CHANGE")]
    set: Vec<String>,
    /// Switch off the non-Western origin criteria in the what-if (the law keeps them).
    #[arg(long)]
    without_origin: bool,
}

#[derive(Args)]
struct AreaArgs {
    #[command(flatten)]
    source: Source,
    /// The area_id.
    #[arg(long, value_name = "ID")]
    area: String,
    /// N more residents aged 18-64 in work or education (full-time persons).
    #[arg(long, value_name = "N", default_value_t = 0)]
    more_in_work: u64,
    /// N fewer convicted residents aged 18 or over.
    #[arg(long, value_name = "N", default_value_t = 0)]
    fewer_convicted: u64,
    /// N more residents aged 30-59 with more than basic education.
    #[arg(long, value_name = "N", default_value_t = 0)]
    more_educated: u64,
    /// A letting policy: M residents move out and M move in with --profile.
    #[arg(long, value_name = "M", default_value_t = 0)]
    letting: u64,
    /// Who moves in under --letting: `municipality` (the mean of the areas of the area's
    /// municipality that year, weighted by group sizes), `all` (of all areas that year), or
    /// figures such as outside_labour_pct=20,convicted_pct=0.9,basic_education_pct=20.
    #[arg(long, value_name = "PROFILE", default_value = "municipality")]
    profile: String,
    /// Also print, per list the area is on and per lever, the smallest change that takes the
    /// area off the list.
    #[arg(long)]
    smallest: bool,
    /// Evaluate without the non-Western origin criteria, before and after.
    #[arg(long)]
    without_origin: bool,
}

/// The inputs of a what-if: rules, history, values and options.
struct Inputs {
    name: String,
    catalog: Catalog,
    history: History,
    observations: Vec<Observation>,
    overrides: Vec<String>,
}

fn read_inputs(s: &Source) -> Result<Inputs, Failure> {
    if let Some(db) = &s.input.db {
        for (given, flag) in [
            (s.history.is_some(), "--history"),
            (s.rules_dir.is_some(), "--rules-dir"),
            (s.data_years.is_some(), "--data-years"),
        ] {
            if given {
                return Err(Failure(format!(
                    "{flag}: the store brings its own rules, history and values; expected it without --db"
                )));
            }
        }
        if !db.is_file() {
            return Err(Failure(format!(
                "{}: no such database; expected a file that `kvarter load --db` filled",
                db.display()
            )));
        }
        let conn = kvarter_store::dashboard::open_read_only(db)?;
        let dash = kvarter_store::dashboard::stored_law(&conn)?;
        let observations = kvarter_store::dashboard::observations(&conn, None)
            .map_err(|e| Failure(format!("reading the store: {e}")))?;
        let overrides_ = if s.rules.is_empty() {
            dash.overrides.clone()
        } else {
            overrides(&dash.catalog, &s.rules)?;
            s.rules.clone()
        };
        return Ok(Inputs {
            name: db.display().to_string(),
            catalog: dash.catalog,
            history: dash.history,
            observations,
            overrides: overrides_,
        });
    }
    let catalog = load_catalog(s.rules_dir.as_deref())?;
    let (name, observations) = {
        let ov = overrides(&catalog, &s.rules)?;
        match (&s.input.criteria, &s.input.registers) {
            (Some(path), _) => {
                if s.data_years.is_some() {
                    return Err(Failure(
                        "--data-years: applies to --registers; expected it without --criteria"
                            .into(),
                    ));
                }
                let name = path.display().to_string();
                let criteria = read_criteria(&name, open(path)?)?;
                (name, criteria.observations)
            }
            (None, Some(dir)) => (
                dir.display().to_string(),
                register_observations(dir, s.data_years, &catalog, &ov)?,
            ),
            (None, None) => unreachable!("clap requires --criteria, --registers or --db"),
        }
    };
    let history = super::read_history_file(s.history.as_deref(), &catalog)?;
    Ok(Inputs {
        name,
        catalog,
        history,
        observations,
        overrides: s.rules.clone(),
    })
}

/// The year asked for, or the latest; a year without values is refused with the years there are.
fn year_of(s: &Source, inputs: &Inputs) -> Result<i32, Failure> {
    let mut years: Vec<i32> = inputs.observations.iter().map(|o| o.list_year).collect();
    years.sort_unstable();
    years.dedup();
    let Some(&latest) = years.last() else {
        return Err(Failure(format!(
            "{}: no values; expected at least one area and list year",
            inputs.name
        )));
    };
    match s.year {
        None => Ok(latest),
        Some(y) if years.contains(&y) => Ok(y),
        Some(y) => Err(Failure(format!(
            "--year {y}: {} has no values for list year {y}; expected one of: {}",
            inputs.name,
            years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

pub(crate) fn run_whatif(a: &WhatifArgs) -> Result<String, Failure> {
    match &a.command {
        WhatifCommand::Rules(r) => run_rules(r),
        WhatifCommand::Area(r) => run_area(r),
    }
}

fn json(value: serde_json::Value) -> Result<String, Failure> {
    let mut s = serde_json::to_string_pretty(&value)?;
    s.push('\n');
    Ok(s)
}

fn run_rules(a: &RulesArgs) -> Result<String, Failure> {
    let mut overlay = Overlay::parse(a.set.iter().map(String::as_str))
        .map_err(|e| Failure(format!("--set {e}")))?;
    overlay.without_origin |= a.without_origin;
    if overlay.is_empty() {
        return Err(Failure(format!(
            "nothing to change; expected --without-origin or --set CHANGE, where CHANGE is {}",
            whatif::OVERLAY_SYNTAX
        )));
    }
    let inputs = read_inputs(&a.source)?;
    let year = year_of(&a.source, &inputs)?;
    let options = EvalOptions {
        without_origin: false,
        overrides: inputs.overrides.clone(),
    };
    let r = whatif::rules_whatif(
        &inputs.catalog,
        &inputs.observations,
        &inputs.history,
        &options,
        year,
        &overlay,
    )?;
    match a.source.format {
        WhatifFormat::Json => {
            let mut v = serde_json::to_value(&r)?;
            v["changes"] = serde_json::to_value(kvarter_report::whatif::worded(&r.changes))?;
            json(v)
        }
        WhatifFormat::Table => Ok(rules_table(&inputs.catalog, &r, a.source.lang.into())),
    }
}

fn name_of_list(catalog: &Catalog, rule_set: &str, list: &str, lang: Lang) -> String {
    catalog
        .get(rule_set)
        .and_then(|rs| rs.list(list))
        .or_else(|| {
            catalog
                .rule_sets()
                .iter()
                .rev()
                .find_map(|rs| rs.list(list))
        })
        .map_or_else(|| list.to_string(), |l| list_name(l, lang).to_string())
}

/// Aligned columns: every row padded to the widest cell of each column.
fn columns(rows: &[Vec<String>], indent: &str) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = indent.to_string();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                line.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn rules_table(catalog: &Catalog, r: &RulesWhatIf, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} ({}):",
        lang.t("Hvad nu hvis — listen", "What if — the list of"),
        r.year,
        r.rule_sets.join(", ")
    );
    for c in &r.changes {
        let _ = writeln!(s, "  {}", kvarter_report::whatif::change(c, lang));
    }
    let _ = writeln!(
        s,
        "{}\n",
        lang.t(
            "De tidligere års lister står, som loven beregnede dem.",
            "The lists of earlier years stand as the law computed them."
        )
    );
    let (mut entering, mut leaving) = (0, 0);
    for l in &r.lists {
        s.push_str(&list_block(catalog, l, lang));
        entering += l.entering.len();
        leaving += l.leaving.len();
    }
    let _ = writeln!(
        s,
        "\n{}: {entering} {}, {leaving} {}",
        lang.t("I alt", "In all"),
        lang.t("ind", "entering"),
        lang.t("ud", "leaving")
    );
    s
}

fn list_block(catalog: &Catalog, l: &ListChange, lang: Lang) -> String {
    let mut s = format!(
        "{} ({}, {}): ",
        name_of_list(catalog, &l.rule_set, &l.list, lang),
        l.list,
        l.rule_set
    );
    match (l.defined_before, l.defined_after) {
        (true, false) => {
            let _ = writeln!(
                s,
                "{} ({} {} {})",
                lang.t(
                    "ikke defineret uden oprindelseskriterierne",
                    "not defined without the origin criteria"
                ),
                l.on_before,
                if l.on_before == 1 {
                    lang.t("område", "area")
                } else {
                    lang.t("områder", "areas")
                },
                lang.t("efter loven", "under the law")
            );
            return s;
        }
        (false, _) => {
            let _ = writeln!(
                s,
                "{}",
                lang.t(
                    "ikke defineret efter loven i denne visning",
                    "not defined under the law in this view"
                )
            );
            return s;
        }
        (true, true) => {}
    }
    if l.entering.is_empty() && l.leaving.is_empty() {
        let _ = writeln!(
            s,
            "{} ({})",
            l.on_before,
            lang.t("ingen ændring", "no change")
        );
        return s;
    }
    let _ = writeln!(
        s,
        "{} → {} ({} {}, {} {})",
        l.on_before,
        l.on_after,
        l.entering.len(),
        lang.t("ind", "entering"),
        l.leaving.len(),
        lang.t("ud", "leaving")
    );
    let mut rows = Vec::new();
    for (word, areas) in [
        (lang.t("ind", "enters"), &l.entering),
        (lang.t("ud", "leaves"), &l.leaving),
    ] {
        for a in areas {
            rows.push(vec![
                word.to_string(),
                a.area_id.clone(),
                a.area_name.clone(),
                a.municipality.clone(),
            ]);
        }
    }
    s.push_str(&columns(&rows, "  "));
    s
}

/// The profile of those moving in. An empty one is refused only when `letting` is asked for
/// (for `--smallest` alone the letting lever is then reported as not possible to try).
fn profile_of(
    text: &str,
    inputs: &Inputs,
    o: &Observation,
    letting: bool,
) -> Result<Profile, Failure> {
    let same_year = inputs
        .observations
        .iter()
        .filter(|x| x.list_year == o.list_year);
    let p = match text.trim() {
        "municipality" => Profile::mean_of(
            &format!("municipality: {}", o.municipality),
            same_year.filter(|x| x.municipality == o.municipality),
        ),
        "all" => Profile::mean_of("all", same_year),
        other => Profile::parse("own", other)
            .map_err(|e| Failure(format!("--profile {}", lever_message(&e))))?,
    };
    if p.values.is_empty() && letting {
        return Err(Failure(format!(
            "--profile {text}: no values to move in with; expected areas with values and group sizes, or MEASURE=NUMBER,..."
        )));
    }
    Ok(p)
}

/// A lever's error without the lever's id (the flag names it).
fn lever_message(e: &whatif::WhatIfError) -> String {
    match e {
        whatif::WhatIfError::Lever { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

fn run_area(a: &AreaArgs) -> Result<String, Failure> {
    let any = a.more_in_work + a.fewer_convicted + a.more_educated + a.letting > 0;
    if !any && !a.smallest {
        return Err(Failure(
            "nothing to change; expected --more-in-work N, --fewer-convicted N, --more-educated N, --letting M or --smallest".into(),
        ));
    }
    let inputs = read_inputs(&a.source)?;
    let year = year_of(&a.source, &inputs)?;
    let options = EvalOptions {
        without_origin: a.without_origin,
        overrides: inputs.overrides.clone(),
    };
    let Some(obs) = inputs
        .observations
        .iter()
        .find(|o| o.area_id == a.area && o.list_year == year)
    else {
        let mut years: Vec<String> = inputs
            .observations
            .iter()
            .filter(|o| o.area_id == a.area)
            .map(|o| o.list_year.to_string())
            .collect();
        years.dedup();
        return Err(Failure(if years.is_empty() {
            format!(
                "--area {}: no such area in {}; expected an area_id it has",
                a.area, inputs.name
            )
        } else {
            format!(
                "--area {}: no values for list year {year}; expected one of: {}",
                a.area,
                years.join(", ")
            )
        }));
    };
    let letting = Lever::Letting {
        profile: if a.letting > 0 || a.smallest {
            profile_of(&a.profile, &inputs, obs, a.letting > 0)?
        } else {
            Profile {
                name: String::new(),
                values: Default::default(),
            }
        },
    };
    let levers: Vec<(Lever, u64)> = [
        (Lever::MoreInWork, a.more_in_work),
        (Lever::FewerConvicted, a.fewer_convicted),
        (Lever::MoreEducated, a.more_educated),
        (letting.clone(), a.letting),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect();
    let flag = |l: &Lever| match l {
        Lever::MoreInWork => "--more-in-work",
        Lever::FewerConvicted => "--fewer-convicted",
        Lever::MoreEducated => "--more-educated",
        Lever::Letting { .. } => "--letting",
    };
    for (l, n) in &levers {
        l.apply(obs, *n)
            .map_err(|e| Failure(format!("{} {n}: {}", flag(l), lever_message(&e))))?;
    }
    let w = whatif::area_whatif(
        &inputs.catalog,
        &inputs.observations,
        &inputs.history,
        &options,
        &a.area,
        year,
        &levers,
    )?;
    let smallest_profile = match (&letting, a.smallest) {
        (Lever::Letting { profile }, true) => Some(profile.clone()),
        _ => None,
    };
    let smallest = if a.smallest {
        let mut all: Vec<Lever> = Lever::PERSONS.to_vec();
        all.push(letting);
        Some(whatif::smallest_changes(
            &inputs.catalog,
            &inputs.observations,
            &inputs.history,
            &options,
            &a.area,
            year,
            &all,
        )?)
    } else {
        None
    };
    let lang: Lang = a.source.lang.into();
    match a.source.format {
        WhatifFormat::Json => json(serde_json::json!({
            "area": w,
            "smallest": smallest,
            "smallest_letting_profile": smallest_profile,
        })),
        WhatifFormat::Table => Ok(area_table(
            &inputs.catalog,
            &w,
            obs,
            smallest.as_deref(),
            smallest_profile.as_ref(),
            lang,
        )),
    }
}

/// A value with exactly 2 decimals, as the criteria are shown.
fn two(v: Decimal, lang: Lang) -> String {
    let mut v = v.round_dp(2);
    v.rescale(2);
    number(v, lang)
}

fn unit_suffix(catalog: &Catalog, rule_set: &str, id: &str) -> &'static str {
    match catalog
        .get(rule_set)
        .and_then(|rs| rs.criterion(id))
        .map(|c| c.unit)
    {
        Some(Unit::Percent) => " %",
        _ => "",
    }
}

fn outcome_words(o: &CriterionOutcome, lang: Lang) -> &'static str {
    match o {
        CriterionOutcome::Met => lang.t("opfyldt", "met"),
        CriterionOutcome::NotMet => lang.t("ikke opfyldt", "not met"),
        CriterionOutcome::NotEvaluable { .. } => lang.t("kan ikke vurderes", "not evaluable"),
        CriterionOutcome::SwitchedOff => lang.t("slået fra", "switched off"),
    }
}

fn lists_line(catalog: &Catalog, e: &AreaEvaluation, lang: Lang) -> String {
    let names: Vec<String> = e
        .lists
        .iter()
        .filter(|l| l.outcome == ListOutcome::On)
        .map(|l| name_of_list(catalog, &l.rule_set, &l.id, lang))
        .collect();
    if names.is_empty() {
        lang.t("ingen liste", "no list").to_string()
    } else {
        names.join(", ")
    }
}

fn lever_name(l: &str, lang: Lang) -> &'static str {
    match l {
        "more_in_work" => lang.t("flere i arbejde", "more in work"),
        "fewer_convicted" => lang.t("færre dømte", "fewer convicted"),
        "more_educated" => lang.t("flere med uddannelse", "more educated"),
        _ => lang.t("udlejning", "letting"),
    }
}

fn profile_values(p: &Profile, lang: Lang) -> String {
    p.values
        .iter()
        .map(|(k, v)| format!("{k} {}", number(*v, lang)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn area_table(
    catalog: &Catalog,
    w: &AreaWhatIf,
    obs: &Observation,
    smallest: Option<&[Smallest]>,
    profile: Option<&Profile>,
    lang: Lang,
) -> String {
    let mut s = format!(
        "{} ({}), {} — {} {}\n",
        obs.area_name,
        obs.area_id,
        obs.municipality,
        lang.t("listen", "the list of"),
        w.year
    );
    if w.levers.is_empty() {
        let _ = writeln!(s, "{}", lang.t("Ingen ændring.", "No change."));
    }
    for l in &w.levers {
        let group = l
            .lever
            .bound(obs)
            .map(|g| number(Decimal::from(g), lang))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "{}: {} ({} {group})",
            lang.t("Ændring", "Change"),
            l.lever.describe(l.persons, lang == Lang::Da),
            lang.t("af", "of"),
        );
        if let Lever::Letting { profile } = &l.lever {
            let _ = writeln!(
                s,
                "  {}: {}",
                lang.t("Profilen", "The profile"),
                profile_values(profile, lang)
            );
        }
    }
    s.push('\n');
    let mut rows = vec![vec![
        lang.t("Kriterium", "Criterion").to_string(),
        lang.t("Værdi før", "Value before").to_string(),
        lang.t("Værdi efter", "Value after").to_string(),
        lang.t("Grænse", "Threshold").to_string(),
        lang.t("Udfald før", "Outcome before").to_string(),
        lang.t("Udfald efter", "Outcome after").to_string(),
    ]];
    for (b, a) in w.before.criteria.iter().zip(&w.after.criteria) {
        let unit = unit_suffix(catalog, &b.rule_set, &b.id);
        let persons = catalog
            .get(&b.rule_set)
            .and_then(|rs| rs.criterion(&b.id))
            .is_some_and(|c| c.unit == Unit::Persons);
        let value = |v: Option<Decimal>| match v {
            None => lang.t("mangler", "missing").to_string(),
            Some(v) if persons => number(v.normalize(), lang),
            Some(v) => format!("{}{unit}", two(v, lang)),
        };
        rows.push(vec![
            format!("{} {}", b.rule_set, b.id),
            value(b.value),
            value(a.value),
            format!(
                "{} {}",
                b.operator,
                b.threshold.map_or("–".into(), |t| value(Some(t)))
            ),
            outcome_words(&b.outcome, lang).to_string(),
            outcome_words(&a.outcome, lang).to_string(),
        ]);
    }
    s.push_str(&columns(&rows, ""));
    s.push('\n');
    s.push_str(&columns(
        &[
            vec![
                lang.t("Lister før:", "Lists before:").to_string(),
                lists_line(catalog, &w.before, lang),
            ],
            vec![
                lang.t("Lister efter:", "Lists after:").to_string(),
                lists_line(catalog, &w.after, lang),
            ],
        ],
        "",
    ));
    if let Some(smallest) = smallest {
        let _ = writeln!(
            s,
            "\n{}",
            lang.t(
                "Mindste ændring, der tager området af hver liste (én løftestang ad gangen, alt andet uændret):",
                "The smallest change that takes the area off each list (one lever at a time, all else unchanged):"
            )
        );
        if let Some(p) = profile {
            let _ = writeln!(
                s,
                "  ({} '{}': {})",
                lang.t(
                    "udlejning: beboere flytter ud, og lige så mange flytter ind med profilen",
                    "letting: residents move out and as many move in with the profile"
                ),
                p.name,
                profile_values(p, lang)
            );
        }
        if smallest.is_empty() {
            let _ = writeln!(
                s,
                "  {}",
                lang.t("Området er ikke på nogen liste.", "The area is on no list.")
            );
        }
        let mut last: Option<(&str, &str)> = None;
        let mut rows = Vec::new();
        for m in smallest {
            if last != Some((&m.rule_set, &m.list)) {
                if !rows.is_empty() {
                    s.push_str(&columns(&rows, "    "));
                    rows.clear();
                }
                let _ = writeln!(
                    s,
                    "  {} ({}):",
                    name_of_list(catalog, &m.rule_set, &m.list, lang),
                    m.list
                );
                last = Some((&m.rule_set, &m.list));
            }
            let answer = match &m.result {
                SmallestResult::Persons {
                    persons,
                    group,
                    lists_after,
                } => {
                    let after: Vec<String> = lists_after
                        .iter()
                        .map(|l| name_of_list(catalog, &m.rule_set, l, lang))
                        .collect();
                    format!(
                        "{} {} ({} {}); {}: {}",
                        number(Decimal::from(*persons), lang),
                        if *persons == 1 {
                            lang.t("person", "person")
                        } else {
                            lang.t("personer", "persons")
                        },
                        lang.t("af", "of"),
                        number(Decimal::from(*group), lang),
                        lang.t("derefter på", "then on"),
                        if after.is_empty() {
                            lang.t("ingen liste", "no list").to_string()
                        } else {
                            after.join(", ")
                        }
                    )
                }
                SmallestResult::NotPossible { group } => format!(
                    "{} ({} {} {})",
                    lang.t(
                        "ikke muligt med denne løftestang alene",
                        "not possible by this lever alone"
                    ),
                    lang.t("alle", "all"),
                    number(Decimal::from(*group), lang),
                    lang.t("prøvet", "tried")
                ),
                SmallestResult::Unavailable { column } => format!(
                    "{} ({column} {})",
                    lang.t("kan ikke prøves", "cannot be tried"),
                    lang.t("mangler", "is missing")
                ),
            };
            rows.push(vec![format!("{}:", lever_name(&m.lever, lang)), answer]);
        }
        s.push_str(&columns(&rows, "    "));
    }
    s
}
