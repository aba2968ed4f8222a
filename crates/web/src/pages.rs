//! What the dashboard's pages share: the error a page fails with, the year a page shows, and the
//! store's rows of a year and an area as the pages use them. The pages themselves are in their
//! own modules ([`crate::overview`], [`crate::area`], [`crate::lists`], the screening, the
//! methodology, …), re-exported here for the handlers in `lib.rs`, which wrap each body in
//! [`crate::dash::page`].

pub use crate::area::area;
pub use crate::lists::{ListRow, list_rows, lists};
pub use crate::overview::overview;

use crate::dash::{Ctx, Dash};
use crate::svg::escape;
use kvarter_view::View;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};

/// A page that could not be made: the status and a message for the reader.
#[derive(Debug)]
pub struct PageError {
    /// HTTP status.
    pub status: u16,
    /// What went wrong, for the reader.
    pub message: String,
}

impl From<rusqlite::Error> for PageError {
    fn from(e: rusqlite::Error) -> PageError {
        PageError {
            status: 500,
            message: format!("reading the store: {e}"),
        }
    }
}

impl From<String> for PageError {
    fn from(message: String) -> PageError {
        PageError {
            status: 500,
            message,
        }
    }
}

/// A 404 page with this message.
pub(crate) fn not_found(message: impl Into<String>) -> PageError {
    PageError {
        status: 404,
        message: message.into(),
    }
}

/// The year asked for, or the latest; a year the store has no values for is a 404.
pub(crate) fn resolve_year(dash: &Dash, ctx: &Ctx, year: Option<i32>) -> Result<i32, PageError> {
    let Some(latest) = dash.latest() else {
        return Err(not_found(
            ctx.t("Lageret har ingen listeår.", "The store has no list year.")
                .to_string(),
        ));
    };
    let year = year.unwrap_or(latest);
    if !dash.years.contains(&year) {
        return Err(not_found(format!(
            "{} {year}",
            ctx.t(
                "Lageret har ingen værdier for listeåret",
                "The store has no values for list year"
            )
        )));
    }
    Ok(year)
}

/// Memberships of a year: area id → the lists it is on.
pub fn memberships(
    conn: &Connection,
    year: i32,
    without_origin: bool,
) -> Result<BTreeMap<String, BTreeSet<String>>, PageError> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, l) in kvarter_store::dashboard::memberships(conn, year, without_origin)? {
        out.entry(a).or_default().insert(l);
    }
    Ok(out)
}

/// The areas evaluated in a year.
pub fn evaluated(conn: &Connection, year: i32) -> Result<BTreeSet<String>, PageError> {
    Ok(kvarter_store::dashboard::evaluated(conn, year)?
        .into_iter()
        .collect())
}

/// The lists a year decides: `(rule set, list, defined)` in the rule sets' order.
pub fn lists_of_year(
    conn: &Connection,
    year: i32,
    without_origin: bool,
) -> Result<Vec<(String, String, bool)>, PageError> {
    Ok(kvarter_store::dashboard::lists_of_year(
        conn,
        year,
        without_origin,
    )?)
}

/// The lists of earlier years that count as `list` (renamed lists: `counts_as` of its streak).
pub(crate) fn equivalents(dash: &Dash, rule_set: &str, list: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::from([list.to_string()]);
    if let Some(l) = dash.rule_set(rule_set).and_then(|rs| rs.list(list))
        && let Some(s) = &l.streak
    {
        out.extend(s.counts_as.iter().cloned());
    }
    out
}

/// A criterion's stored result.
pub use kvarter_store::dashboard::CriterionRow as Crit;

/// The criterion results of one area and year.
pub fn criteria(
    conn: &Connection,
    area: &str,
    year: i32,
    without_origin: bool,
) -> Result<Vec<Crit>, PageError> {
    Ok(kvarter_store::dashboard::criteria(
        conn,
        area,
        year,
        without_origin,
    )?)
}

pub(crate) fn unit_of(dash: &Dash, rule_set: &str, id: &str) -> &'static str {
    match dash
        .rule_set(rule_set)
        .and_then(|rs| rs.all_criteria().find(|c| c.id == id))
        .map(|c| c.unit)
    {
        Some(kvarter_rules::Unit::Percent) => " %",
        _ => "",
    }
}

/// Why an area entered or left: the criteria whose outcome changed between the two years.
pub(crate) fn why(
    dash: &Dash,
    ctx: &Ctx,
    disclosed: &BTreeMap<i32, kvarter_view::DisclosedYear>,
    year: i32,
    (before, now): (&[Crit], &[Crit]),
    evaluated_before: bool,
) -> String {
    if !evaluated_before {
        return ctx
            .t(
                "ikke vurderet året før (for få beboere eller ingen data)",
                "not evaluated the year before (too few residents or no data)",
            )
            .to_string();
    }
    let mut out = Vec::new();
    let rs_now: BTreeSet<&str> = now.iter().map(|c| c.rule_set.as_str()).collect();
    let rs_before: BTreeSet<&str> = before.iter().map(|c| c.rule_set.as_str()).collect();
    if rs_now != rs_before {
        out.push(format!(
            "{} ({})",
            ctx.t("nye regler", "new rules"),
            rs_now.iter().copied().collect::<Vec<_>>().join(", ")
        ));
    }
    for c in now {
        let Some(b) = before
            .iter()
            .find(|b| b.id == c.id && b.rule_set == c.rule_set)
            .or_else(|| before.iter().find(|b| b.id == c.id))
        else {
            continue;
        };
        if (b.outcome == "met") != (c.outcome == "met") {
            let unit = unit_of(dash, &c.rule_set, &c.id);
            let policy = ctx.policy();
            let value = |y: i32, c: &Crit| {
                let fig = dash.figures(
                    &policy,
                    disclosed,
                    y,
                    &c.rule_set,
                    &c.id,
                    crate::dash::raw_stored(c.value.as_deref(), None, None, None),
                );
                match fig.value.view() {
                    View::Missing => ctx.t("mangler", "missing").to_string(),
                    _ => ctx.figure(&fig.value, 1),
                }
            };
            out.push(format!(
                "{}: {}{unit} → {}{unit} ({} {}{unit})",
                dash.criterion_name(&c.rule_set, &c.id, ctx.lang),
                value(year - 1, b),
                value(year, c),
                escape(&c.operator),
                c.threshold.as_deref().map_or("–".into(), |v| ctx.num(v, 2)),
            ));
        }
    }
    if out.is_empty() {
        ctx.t(
            "ingen kriterier skiftede; rækken af år eller en udelukkelse afgjorde det (se profilen)",
            "no criterion changed; the run of years or an exclusion decided it (see the profile)",
        )
        .to_string()
    } else {
        out.join("; ")
    }
}
