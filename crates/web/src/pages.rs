//! The dashboard's pages: overview, area profile and lists by year (the screening and the
//! methodology pages are in their own modules). Each function reads the store and returns the
//! page's body; the handlers in `lib.rs` wrap it in [`crate::dash::page`].

use crate::dash::{Ctx, Dash, Td, badge, status_legend, status_map, table, year_form};
use crate::svg::{self, escape};
use kvarter_rules::Decimal;
use kvarter_view::View;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

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
fn resolve_year(dash: &Dash, ctx: &Ctx, year: Option<i32>) -> Result<i32, PageError> {
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
fn equivalents(dash: &Dash, rule_set: &str, list: &str) -> BTreeSet<String> {
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

fn unit_of(dash: &Dash, rule_set: &str, id: &str) -> &'static str {
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
fn why(
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

/// The overview of a year: map, counts with changes, who entered and left and why.
pub fn overview(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: Option<i32>,
) -> Result<(String, String), PageError> {
    let year = resolve_year(dash, ctx, year)?;
    let now = memberships(conn, year, false)?;
    let before = memberships(conn, year - 1, false)?;
    let evaluated_now = evaluated(conn, year)?;
    let evaluated_before = evaluated(conn, year - 1)?;
    let has_before = dash.years.contains(&(year - 1));
    let defs = lists_of_year(conn, year, false)?;
    let title = format!(
        "{} {year}",
        ctx.t("Listerne 1. december", "The lists of 1 December")
    );
    let mut b = String::new();
    b.push_str(&year_form(ctx, "/", &dash.years, year, ""));
    let _ = write!(
        b,
        "<p class=\"lead\">{} <strong>{}</strong> {} {year}. {}</p>",
        ctx.t("Lageret vurderer", "The store evaluates"),
        evaluated_now.len(),
        ctx.t("boligområder i", "housing areas in"),
        ctx.t(
            "Klik på et område på kortet eller i tabellerne for at se hvorfor det er – eller ikke er – på en liste, og hvor langt det er fra hver grænse.",
            "Click an area on the map or in the tables to see why it is, or is not, on a list, and how far it is from each threshold."
        )
    );
    // Counts with the change since last year.
    b.push_str("<section aria-labelledby=\"counts\"><h2 id=\"counts\">");
    b.push_str(ctx.t("Antal områder pr. liste", "Areas per list"));
    b.push_str("</h2><div class=\"cards\">");
    let mut changes = String::new();
    for (rule_set, list, defined) in &defs {
        if !defined {
            continue;
        }
        let on: BTreeSet<&String> = now
            .iter()
            .filter(|(_, ls)| ls.contains(list))
            .map(|(a, _)| a)
            .collect();
        let eq = equivalents(dash, rule_set, list);
        let was: BTreeSet<&String> = before
            .iter()
            .filter(|(_, ls)| ls.iter().any(|l| eq.contains(l)))
            .map(|(a, _)| a)
            .collect();
        let delta = if has_before {
            let d = on.len() as i64 - was.len() as i64;
            format!(
                "<span class=\"{}\">{}{d} {} {}</span>",
                if d > 0 {
                    "delta-up"
                } else if d < 0 {
                    "delta-down"
                } else {
                    "delta"
                },
                if d > 0 { "+" } else { "" },
                ctx.t("siden", "since"),
                year - 1
            )
        } else {
            String::new()
        };
        let _ = write!(
            b,
            "<a class=\"card st-{list}\" href=\"{}#list-{list}\"><span class=\"n\" data-list=\"{list}\">{}</span> <span class=\"label\">{}</span> <span class=\"rule\">{rule_set}</span> {delta}</a>",
            escape(&ctx.href(&format!("/lists?year={year}"))),
            on.len(),
            escape(&dash.list_name(list, ctx.lang)),
        );
        if !has_before {
            continue;
        }
        let entered: Vec<&&String> = on.iter().filter(|a| !was.contains(**a)).collect();
        let left: Vec<&&String> = was.iter().filter(|a| !on.contains(**a)).collect();
        if entered.is_empty() && left.is_empty() {
            continue;
        }
        let _ = write!(
            changes,
            "<h3>{}</h3><ul class=\"changes\">",
            escape(&dash.list_name(list, ctx.lang))
        );
        for (sign, set, da, en) in [
            ("+", &entered, "kom på", "entered"),
            ("−", &left, "forlod", "left"),
        ] {
            for a in set {
                let c_now = criteria(conn, a, year, false)?;
                let c_before = criteria(conn, a, year - 1, false)?;
                let name = dash.areas.get(**a).map_or(a.as_str(), |i| i.name.as_str());
                let reason = if evaluated_now.contains(**a) {
                    let disclosed = crate::dash::disclose(
                        &ctx.policy(),
                        &crate::dash::observations(conn, Some(a))?,
                    );
                    why(
                        dash,
                        ctx,
                        &disclosed,
                        year,
                        (&c_before, &c_now),
                        evaluated_before.contains(**a),
                    )
                } else {
                    ctx.t(
                        "ikke vurderet i år (for få beboere eller ingen data)",
                        "not evaluated this year (too few residents or no data)",
                    )
                    .to_string()
                };
                let _ = write!(
                    changes,
                    "<li><span class=\"sign\" aria-hidden=\"true\">{sign}</span> <a href=\"{}\">{}</a> {}: {}</li>",
                    escape(&ctx.href(&format!("/areas/{a}?year={year}"))),
                    escape(name),
                    ctx.t(da, en),
                    reason
                );
            }
        }
        changes.push_str("</ul>");
    }
    b.push_str("</div>");
    // The early warning, when the store has one and this is the latest year.
    if Some(year) == dash.latest() {
        let outlooks = crate::foresight::outlooks(conn, None)?;
        if let Some(next) = outlooks.first().map(|o| o.list_year) {
            let count = |o: &str| {
                outlooks
                    .iter()
                    .filter(|x| x.outlook == o)
                    .map(|x| x.area_id.as_str())
                    .collect::<BTreeSet<_>>()
                    .len()
            };
            let _ = write!(
                b,
                "<p class=\"notice\" id=\"warning-summary\"><a href=\"{}\">{} {next}</a>: {} {} · {} {}.</p>",
                escape(&ctx.href("/foresight")),
                ctx.t("Varsling for 1. december", "Early warning for 1 December"),
                count("entering"),
                ctx.t(
                    "områder har mindst 50 % risiko for at komme på en liste",
                    "areas have at least a 50 % risk of entering a list"
                ),
                count("leaving"),
                ctx.t(
                    "har mindst 50 % udsigt til at komme af en",
                    "have at least a 50 % chance of leaving one"
                )
            );
        }
    }
    b.push_str("</section>");
    // The map.
    let _ = write!(
        b,
        "<section aria-labelledby=\"map-h\"><h2 id=\"map-h\">{}</h2>",
        ctx.t("Kort", "Map")
    );
    let listed: Vec<&str> = defs.iter().map(|(_, l, _)| l.as_str()).collect();
    let _ = write!(
        b,
        "<label for=\"map-filter\">{}</label> <select id=\"map-filter\" data-map-filter=\"map\"><option value=\"\">{}</option>",
        ctx.t("Fremhæv", "Highlight"),
        ctx.t("Alle", "All")
    );
    for l in crate::dash::SEVERITY.iter().filter(|l| listed.contains(l)) {
        let _ = write!(
            b,
            "<option value=\"st-{l}\">{}</option>",
            escape(&dash.list_name(l, ctx.lang))
        );
    }
    b.push_str("</select>");
    let label = format!(
        "{} {year}",
        ctx.t(
            "Kort over boligområderne farvet efter liste",
            "Map of the housing areas coloured by list"
        )
    );
    let map = status_map(dash, ctx, &now, &evaluated_now, year, &label);
    b.push_str(&map.replacen("<svg ", "<svg id=\"map\" ", 1));
    b.push_str(&status_legend(dash, ctx, &listed));
    b.push_str("</section>");
    if has_before {
        let _ = write!(
            b,
            "<section aria-labelledby=\"changes-h\"><h2 id=\"changes-h\">{} {} {}</h2>{}</section>",
            ctx.t("Ændringer siden", "Changes since"),
            year - 1,
            ctx.t("og hvorfor", "and why"),
            if changes.is_empty() {
                format!(
                    "<p>{}</p>",
                    ctx.t(
                        "Ingen områder kom på eller forlod en liste.",
                        "No area entered or left a list."
                    )
                )
            } else {
                changes
            }
        );
    }
    // Every listed area, with the link to its profile.
    let mut rows = Vec::new();
    for (a, ls) in &now {
        let info = dash.areas.get(a);
        let badges: Vec<String> = crate::dash::SEVERITY
            .iter()
            .filter(|l| ls.contains(**l))
            .map(|l| badge(dash, l, ctx))
            .chain(
                ls.iter()
                    .filter(|l| !crate::dash::SEVERITY.contains(&l.as_str()))
                    .map(|l| badge(dash, l, ctx)),
            )
            .collect();
        rows.push(vec![
            Td::html(format!(
                "<a href=\"{}\" class=\"area-link\">{}</a>",
                escape(&ctx.href(&format!("/areas/{a}?year={year}"))),
                escape(info.map_or(a.as_str(), |i| i.name.as_str()))
            )),
            Td::text(info.map_or("", |i| i.municipality.as_str())),
            Td::html(badges.join(" ")),
        ]);
    }
    let _ = write!(
        b,
        "<section aria-labelledby=\"listed-h\"><h2 id=\"listed-h\">{}</h2>\
         <label for=\"filter-listed\">{}</label> <input id=\"filter-listed\" type=\"search\" data-filter=\"listed\"> <span data-filter-count=\"listed\"></span>{}</section>",
        ctx.t("Områder på en liste", "Areas on a list"),
        ctx.t("Søg", "Search"),
        table(
            "listed",
            &format!(
                "{} {year}",
                ctx.t("Områder på mindst én liste,", "Areas on at least one list,")
            ),
            &[
                ctx.t("Område", "Area").to_string(),
                ctx.t("Kommune", "Municipality").to_string(),
                ctx.t("Lister", "Lists").to_string()
            ],
            &rows
        )
    );
    Ok((title, b))
}

/// A value of the area-year table as a float, for charts.
fn f(v: &Option<String>) -> Option<f64> {
    v.as_deref().and_then(|s| s.parse::<f64>().ok())
}

/// The area profile: status, explanation, criteria with margins, streaks and charts.
pub fn area(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    id: &str,
    year: Option<i32>,
) -> Result<(String, String), PageError> {
    let Some(info) = dash.areas.get(id) else {
        return Err(not_found(format!(
            "{} '{id}'",
            ctx.t("Intet område med id", "No area with id")
        )));
    };
    let years = kvarter_store::dashboard::years_of_area(conn, id)?;
    let title = format!("{} · {}", info.name, info.municipality);
    let mut b = String::new();
    let Some(&latest) = years.last() else {
        let _ = write!(
            b,
            "<p>{}</p>",
            ctx.t(
                "Området er ikke vurderet i noget listeår (for få beboere eller ingen data).",
                "The area is not evaluated in any list year (too few residents or no data)."
            )
        );
        return Ok((title, b));
    };
    let year = year.unwrap_or(latest);
    if !years.contains(&year) {
        return Err(not_found(format!(
            "{} {year}; {} {}",
            ctx.t(
                "Området har ingen værdier for listeåret",
                "The area has no values for list year"
            ),
            ctx.t("det har", "it has"),
            years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    b.push_str(&year_form(ctx, &format!("/areas/{id}"), &years, year, ""));
    // Status this year, with and without the origin criterion.
    let on = memberships_of(conn, id, year, false)?;
    let on_without = memberships_of(conn, id, year, true)?;
    let _ = write!(
        b,
        "<section aria-labelledby=\"status-h\"><h2 id=\"status-h\">{} {year}</h2><p id=\"status\">{}</p>",
        ctx.t("Status på listen", "Status on the list of"),
        if on.is_empty() {
            format!(
                "<span class=\"badge st-none\">{}</span>",
                ctx.t("Ingen liste", "No list")
            )
        } else {
            on.iter()
                .map(|l| badge(dash, l, ctx))
                .collect::<Vec<_>>()
                .join(" ")
        }
    );
    if on != on_without {
        let _ = write!(
            b,
            "<p class=\"notice\" id=\"status-without-origin\">{}: {}</p>",
            ctx.t(
                "Uden kriteriet om ikke-vestlig oprindelse ville området være på",
                "Without the criterion of non-Western origin the area would be on"
            ),
            if on_without.is_empty() {
                ctx.t("ingen liste", "no list").to_string()
            } else {
                on_without
                    .iter()
                    .map(|l| badge(dash, l, ctx))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        );
    }
    b.push_str("</section>");

    // Criteria and margins, every figure through the disclosure policy.
    let crits = criteria(conn, id, year, false)?;
    let policy = ctx.policy();
    // The area's values are read once, and the law evaluated once (for the explanation).
    let observations = crate::dash::observations(conn, Some(id))?;
    let disclosed = crate::dash::disclose(&policy, &observations);
    let mut rows = Vec::new();
    for c in &crits {
        let unit = unit_of(dash, &c.rule_set, &c.id);
        let is_residents = dash.measure_of(&c.rule_set, &c.id) == Some("residents");
        let fig = dash.figures(
            &policy,
            &disclosed,
            year,
            &c.rule_set,
            &c.id,
            crate::dash::raw_stored(
                c.value.as_deref(),
                c.difference.as_deref(),
                c.group_size.as_deref(),
                c.persons.as_deref(),
            ),
        );
        let value = match fig.value.view() {
            View::Shown(_) if is_residents => ctx.figure(&fig.value, 0),
            View::Shown(_) => format!("{}{unit}", ctx.figure(&fig.value, 2)),
            View::Suppressed { .. } => ctx.suppressed(),
            View::Missing => ctx.t("mangler", "missing").to_string(),
        };
        let margin = match (fig.persons.view(), c.more) {
            (View::Suppressed { .. }, _) => ctx.suppressed(),
            (View::Shown(_), Some(more)) => format!(
                "{} {}",
                ctx.figure(&fig.persons, 0),
                if c.outcome == "met" {
                    ctx.t(
                        if more {
                            "flere før opfyldt"
                        } else {
                            "færre før ikke opfyldt"
                        },
                        if more {
                            "more before met"
                        } else {
                            "fewer before not met"
                        },
                    )
                } else {
                    ctx.t(
                        if more {
                            "flere før opfyldt"
                        } else {
                            "færre før opfyldt"
                        },
                        if more {
                            "more before met"
                        } else {
                            "fewer before met"
                        },
                    )
                }
            ),
            _ => "–".to_string(),
        };
        let outcome = match c.outcome.as_str() {
            "met" => ctx.t("opfyldt", "met"),
            "not_met" => ctx.t("ikke opfyldt", "not met"),
            "not_evaluable" => ctx.t(
                "kan ikke vurderes (mangler data)",
                "not evaluable (missing data)",
            ),
            _ => ctx.t("slået fra", "switched off"),
        };
        rows.push(vec![
            Td::html(format!(
                "{} <span class=\"rule\">{}</span>",
                escape(&dash.criterion_name(&c.rule_set, &c.id, ctx.lang)),
                escape(&c.rule_set)
            )),
            Td::html(format!(
                "<span id=\"value-{}-{}\" data-value=\"{}\">{value}</span>",
                escape(&c.rule_set),
                escape(&c.id),
                fig.value
                    .shown()
                    .map(Decimal::to_string)
                    .unwrap_or_default()
            )),
            Td::html(escape(&c.operator)),
            Td::html(
                c.threshold
                    .as_deref()
                    .map_or("–".into(), |t| format!("{}{unit}", ctx.num(t, 2))),
            ),
            Td::html(format!(
                "<span class=\"outcome-{}\">{outcome}</span>",
                escape(&c.outcome)
            )),
            Td::num(
                format!(
                    "<span id=\"margin-{}-{}\" data-persons=\"{}\">{margin}</span>",
                    escape(&c.rule_set),
                    escape(&c.id),
                    fig.persons
                        .shown()
                        .map(Decimal::to_string)
                        .unwrap_or_default()
                ),
                fig.persons.shown().map(Decimal::to_string).as_deref(),
            ),
        ]);
    }
    let _ = write!(
        b,
        "<section aria-labelledby=\"crit-h\"><h2 id=\"crit-h\">{}</h2><p>{}</p>{}</section>",
        ctx.t("Kriterierne og afstanden til grænsen", "The criteria and the distance to each threshold"),
        ctx.t(
            "Afstanden er i personer: hvor mange flere (eller færre) i den målte gruppe der skal til, før kriteriet skifter, med alt andet uændret.",
            "The margin is in persons: how many more (or fewer) in the measured group it takes for the criterion to change, all else unchanged."
        ),
        table(
            "criteria",
            &format!("{} {year}", ctx.t("Kriterier,", "Criteria,")),
            &[
                ctx.t("Kriterium", "Criterion").to_string(),
                ctx.t("Værdi", "Value").to_string(),
                ctx.t("Regel", "Rule").to_string(),
                ctx.t("Grænse", "Threshold").to_string(),
                ctx.t("Udfald", "Outcome").to_string(),
                ctx.t("Afstand i personer", "Margin in persons").to_string(),
            ],
            &rows
        )
    );

    // The explanation in plain language: the same text as `kvarter explain`.
    let text = dash
        .explanation_of(
            &observations,
            id,
            Some(year),
            ctx.lang,
            false,
            ctx.min_count,
        )?
        .unwrap_or_else(|notice| notice);
    let _ = write!(
        b,
        "<section aria-labelledby=\"explain-h\"><h2 id=\"explain-h\">{}</h2><pre class=\"explain\" id=\"explanation\">{}</pre></section>",
        ctx.t(
            "Forklaringen i klart sprog",
            "The explanation in plain language"
        ),
        escape(&text)
    );

    // The municipality's screening units inside the area.
    b.push_str(&units_inside(dash, ctx, id));

    // Streak history: every list, every year.
    b.push_str(&streaks(conn, dash, ctx, id, &years)?);

    // Charts: each measure over the years against its threshold and the averages.
    b.push_str(&charts(
        conn,
        dash,
        ctx,
        (id, &disclosed),
        &info.municipality,
    )?);
    Ok((title, b))
}

/// The publishable units of the latest screening whose centre lies in the area.
fn units_inside(dash: &Dash, ctx: &Ctx, id: &str) -> String {
    let (Some(s), Some(g)) = (
        &dash.screening,
        dash.areas.get(id).and_then(|a| a.geometry.as_ref()),
    ) else {
        return String::new();
    };
    let inside: Vec<&crate::dash::ScreenUnit> = s
        .units
        .iter()
        .filter(|u| crate::dash::contains(g, u.centre))
        .collect();
    let mut b = format!(
        "<section aria-labelledby=\"units-h\"><h2 id=\"units-h\">{} ({} {})</h2>",
        ctx.t("Kommunens screening", "The municipality's screening"),
        escape(&s.spec),
        s.year
    );
    if inside.is_empty() {
        let _ = write!(
            b,
            "<p id=\"units-inside\">{}</p></section>",
            ctx.t(
                "Ingen offentliggørbar screeningsenhed har sit midtpunkt i området (enheder med få beboere vises aldrig alene).",
                "No publishable screening unit has its centre in the area (units with few residents are never shown alone)."
            )
        );
        return b;
    }
    let designated: BTreeSet<&str> = inside.iter().filter_map(|u| u.area.as_deref()).collect();
    let _ = write!(
        b,
        "<p id=\"units-inside\">{} <strong>{}</strong> {} <strong>{}</strong> {}. {}</p>",
        ctx.t(
            "Af de offentliggørbare enheder med midtpunkt i området opfylder",
            "Of the publishable units with their centre in the area,"
        ),
        inside.iter().filter(|u| u.qualifies).count(),
        ctx.t("af", "of"),
        inside.len(),
        ctx.t(
            "selv screeningens kriterier",
            "meet the screening's criteria themselves"
        ),
        if designated.is_empty() {
            ctx.t(
                "Ingen af dem ligger i et udpeget udsat byområde.",
                "None of them lies in a designated area.",
            )
            .to_string()
        } else {
            format!(
                "{}: {}",
                ctx.t(
                    "De ligger i de udpegede udsatte byområder",
                    "They lie in the designated areas"
                ),
                designated
                    .iter()
                    .map(|a| format!(
                        "<a href=\"{}#{a}\">{a}</a>",
                        escape(&ctx.href("/screening")),
                        a = escape(a)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    b.push_str("</section>");
    b
}

fn memberships_of(
    conn: &Connection,
    id: &str,
    year: i32,
    without_origin: bool,
) -> Result<Vec<String>, PageError> {
    Ok(kvarter_store::dashboard::lists_of_area(
        conn,
        id,
        year,
        without_origin,
    )?)
}

fn streaks(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    id: &str,
    years: &[i32],
) -> Result<String, PageError> {
    let mut lists: Vec<String> = Vec::new();
    let mut cells: BTreeMap<(String, i32), (String, bool)> = BTreeMap::new();
    for row in kvarter_store::dashboard::list_history(conn, id)? {
        if !lists.contains(&row.list) {
            lists.push(row.list.clone());
        }
        cells.insert((row.list, row.list_year), (row.outcome, row.incomplete));
    }
    let mut s = format!(
        "<section aria-labelledby=\"streak-h\"><h2 id=\"streak-h\">{}</h2><div class=\"scroll\"><table class=\"data streaks\" id=\"streaks\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>",
        ctx.t("Listehistorik", "List history"),
        ctx.t(
            "● på listen · ○ ikke på listen · tom: listen fandtes ikke det år · * usikker (manglende data)",
            "● on the list · ○ not on it · empty: the list did not exist that year · * uncertain (missing data)"
        ),
        ctx.t("Liste", "List")
    );
    for y in years {
        let _ = write!(s, "<th scope=\"col\">{y}</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for l in &lists {
        let _ = write!(
            s,
            "<tr><th scope=\"row\">{}</th>",
            escape(&dash.list_name(l, ctx.lang))
        );
        for y in years {
            let cell = match cells.get(&(l.clone(), *y)) {
                Some((o, inc)) => {
                    let mark = match o.as_str() {
                        "on" => "●",
                        "off" => "○",
                        _ => "?",
                    };
                    let label = match o.as_str() {
                        "on" => ctx.t("på listen", "on the list"),
                        "off" => ctx.t("ikke på listen", "not on the list"),
                        _ => ctx.t("ikke defineret", "undefined"),
                    };
                    format!(
                        "<td class=\"mark {o}\" title=\"{label}\"><span aria-label=\"{label}\">{mark}</span>{}</td>",
                        if *inc { "*" } else { "" }
                    )
                }
                None => "<td></td>".to_string(),
            };
            s.push_str(&cell);
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div></section>");
    Ok(s)
}

fn charts(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    (id, disclosed): (&str, &BTreeMap<i32, kvarter_view::DisclosedYear>),
    municipality: &str,
) -> Result<String, PageError> {
    // The area's own series carry exactly the figures its tables would: each year's figure
    // after the disclosure policy, a suppressed year a gap.
    let years: Vec<i32> = disclosed.keys().copied().collect();
    let mut values: BTreeMap<&str, Vec<(i32, Option<f64>)>> = BTreeMap::new();
    let mut gaps: BTreeSet<&str> = BTreeSet::new();
    for (y, d) in disclosed {
        for (c, _) in crate::dash::MEASURES {
            let p = d.get(c);
            if p.is_suppressed() {
                gaps.insert(c);
            }
            let v = p.shown().and_then(|v| v.to_string().parse::<f64>().ok());
            values.entry(c).or_default().push((*y, v));
        }
    }
    // The threshold of each measure per year: the first criterion on that measure in the
    // rule sets that decided the year (the state's lists).
    let mut thresholds: BTreeMap<(String, i32), f64> = BTreeMap::new();
    for row in kvarter_store::dashboard::state_thresholds(conn, id)? {
        let kvarter_store::dashboard::ThresholdRow {
            list_year: y,
            rule_set: rs,
            criterion: c,
            threshold: t,
        } = row;
        let Some(measure) = dash
            .rule_set(&rs)
            .and_then(|r| r.all_criteria().find(|x| x.id == c))
            .map(|x| x.measure.clone())
        else {
            continue;
        };
        if let Some(t) = f(&t) {
            thresholds.entry((measure, y)).or_insert(t);
        }
    }
    let names = [
        (
            "outside_labour_pct",
            "Uden for arbejdsmarkedet (18–64 år)",
            "Outside the labour market (aged 18–64)",
        ),
        (
            "convicted_pct",
            "Dømt for kriminalitet (18 år og derover)",
            "Convicted of crime (aged 18 and over)",
        ),
        (
            "basic_education_pct",
            "Kun grundskole (30–59 år)",
            "Basic education only (aged 30–59)",
        ),
        (
            "income_pct_of_region",
            "Indkomst i % af regionens gennemsnit (15–64 år)",
            "Income as % of the region's average (aged 15–64)",
        ),
        (
            "non_western_pct",
            "Indvandrere og efterkommere fra ikke-vestlige lande",
            "Immigrants and descendants from non-Western countries",
        ),
    ];
    let mut s = format!(
        "<section aria-labelledby=\"charts-h\"><h2 id=\"charts-h\">{}</h2><p>{}</p><div class=\"charts\">",
        ctx.t("Udviklingen over tid", "Over time"),
        ctx.t(
            "Områdets værdi pr. listeår mod grænsen i de regler, der gjaldt det år, og gennemsnittet af boligområderne i kommunen og i alle data (vægtet med den målte gruppe). Gennemsnittene er over de vurderede boligområder, ikke hele befolkningen.",
            "The area's value per list year against the threshold of the rules in force that year, and the average of the housing areas in the municipality and in all data (weighted by the measured group). The averages are over the evaluated housing areas, not the whole population."
        )
    );
    for (col, da, en) in names {
        let Some(points) = values.get(col) else {
            continue;
        };
        if points.iter().all(|(_, v)| v.is_none()) && !gaps.contains(col) {
            continue;
        }
        let note = if gaps.contains(col) {
            format!(
                " <span class=\"muted\">({} {} {})</span>",
                ctx.t(
                    "år, hvor tallet hviler på færre end",
                    "years whose figure rests on fewer than"
                ),
                ctx.min_count,
                ctx.t("personer, er udeladt", "persons are left out")
            )
        } else {
            String::new()
        };
        let avg = |m: &str| -> Vec<(i32, Option<f64>)> {
            years
                .iter()
                .map(|y| {
                    (
                        *y,
                        dash.averages
                            .get(&(m.to_string(), *y, col.to_string()))
                            .copied(),
                    )
                })
                .collect()
        };
        let series = vec![
            svg::Series {
                label: ctx.t("Området", "The area").to_string(),
                class: "s-area".into(),
                points: points.clone(),
                step: false,
                dashed: false,
            },
            svg::Series {
                label: ctx.t("Grænse", "Threshold").to_string(),
                class: "s-threshold".into(),
                points: years
                    .iter()
                    .map(|y| (*y, thresholds.get(&(col.to_string(), *y)).copied()))
                    .collect(),
                step: true,
                dashed: true,
            },
            svg::Series {
                label: format!(
                    "{} ({municipality})",
                    ctx.t("Kommunens boligområder", "The municipality's housing areas")
                ),
                class: "s-city".into(),
                points: avg(municipality),
                step: false,
                dashed: false,
            },
            svg::Series {
                label: ctx
                    .t("Alle boligområder i data", "All housing areas in the data")
                    .to_string(),
                class: "s-national".into(),
                points: avg(""),
                step: false,
                dashed: true,
            },
        ];
        let _ = write!(
            s,
            "<figure class=\"chart\" id=\"chart-{col}\"><figcaption>{}{note}</figcaption>{}</figure>",
            escape(ctx.t(da, en)),
            svg::line_chart(&svg::Chart {
                title: ctx.t(da, en),
                unit: "%",
                series: &series,
                width: 520,
                height: 260,
                decimal_comma: ctx.comma(),
            })
        );
    }
    s.push_str("</div></section>");
    Ok(s)
}

/// One row of a list: an area on it with its values.
pub struct ListRow {
    /// Area id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipality.
    pub municipality: String,
    /// Whether a missing value could change the outcome.
    pub incomplete: bool,
    /// residents, then the measures' values, in [`crate::dash::MEASURES`] order, as the
    /// disclosure policy lets them be published.
    pub values: Vec<kvarter_view::Published<Decimal>>,
}

/// The areas on a list in a year, with their figures after the disclosure policy.
pub fn list_rows(
    conn: &Connection,
    policy: &kvarter_view::Policy,
    year: i32,
    without_origin: bool,
    rule_set: &str,
    list: &str,
) -> Result<Vec<ListRow>, PageError> {
    let shown: Vec<&str> = std::iter::once("residents")
        .chain(crate::dash::MEASURES.iter().map(|(c, _)| *c))
        .collect();
    let rows = kvarter_store::dashboard::list_members(conn, year, without_origin, rule_set, list)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let raw: BTreeMap<&str, Option<Decimal>> = r
                .values
                .iter()
                .map(|(c, v)| (c.as_str(), v.parse::<Decimal>().ok()))
                .collect();
            let year = policy.area_year(|c| raw.get(c).copied().flatten());
            ListRow {
                id: r.id,
                name: r.name,
                municipality: r.municipality,
                incomplete: r.incomplete,
                values: shown.iter().map(|c| year.get(c)).collect(),
            }
        })
        .collect())
}

/// The column headings of a list table after area and municipality.
pub fn value_heads(ctx: &Ctx) -> Vec<String> {
    vec![
        ctx.t("Beboere", "Residents").into(),
        ctx.t("Uden for arbejdsmarkedet %", "Outside labour market %")
            .into(),
        ctx.t("Dømte %", "Convicted %").into(),
        ctx.t("Kun grundskole %", "Basic education only %").into(),
        ctx.t("Indkomst % af region", "Income % of region").into(),
        ctx.t("Ikke-vestlig oprindelse %", "Non-Western origin %")
            .into(),
    ]
}

/// The lists of a year as sortable tables, with downloads.
pub fn lists(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: Option<i32>,
    without_origin: bool,
) -> Result<(String, String), PageError> {
    let year = resolve_year(dash, ctx, year)?;
    let title = format!(
        "{} {year}{}",
        ctx.t("Listerne", "The lists of"),
        if without_origin {
            ctx.t(
                " – uden oprindelseskriteriet",
                " – without the origin criterion",
            )
        } else {
            ""
        }
    );
    let extra = format!(
        " <label><input type=\"checkbox\" name=\"without_origin\" value=\"1\"{}> {}</label>",
        if without_origin { " checked" } else { "" },
        ctx.t(
            "Uden kriteriet om ikke-vestlig oprindelse",
            "Without the criterion of non-Western origin"
        )
    );
    let mut b = year_form(ctx, "/lists", &dash.years, year, &extra);
    if without_origin {
        let _ = write!(
            b,
            "<p class=\"notice\">{}</p>",
            ctx.t(
                "Denne visning slår kriteriet om ikke-vestlig oprindelse fra. Den viser, hvordan listerne ville se ud uden det – ikke de lister, staten offentliggjorde. Hvor en liste ikke er defineret uden kriteriet (parallelsamfund og omdannelsesområder), står den som udefineret.",
                "This view switches off the criterion of non-Western origin. It shows what the lists would be without it, not the lists the state published. Where a list is not defined without it (parallel societies and transformation areas), it is shown as undefined."
            )
        );
    }
    let wo = if without_origin {
        "&without_origin=1"
    } else {
        ""
    };
    let _ = write!(
        b,
        "<p class=\"downloads\">{}: <a id=\"download-csv\" href=\"/lists/download?year={year}&format=csv{wo}\" download>CSV</a> · <a id=\"download-csv-da\" href=\"/lists/download?year={year}&format=csv-da{wo}\" download>{}</a> · <a id=\"download-xlsx\" href=\"/lists/download?year={year}&format=xlsx{wo}{}\" download>Excel (XLSX)</a><br>{}: <a id=\"download-geojson\" href=\"/lists/download?year={year}&format=geojson{wo}\" download>GeoJSON (WGS 84)</a> · <a id=\"download-geojson-25832\" href=\"/lists/download?year={year}&format=geojson-25832{wo}\" download>GeoJSON (EPSG:25832)</a> · <a id=\"download-gpkg\" href=\"/lists/download?year={year}&format=gpkg{wo}\" download>GeoPackage</a> · <a id=\"download-parquet\" href=\"/lists/download?year={year}&format=parquet{wo}\" download>Parquet</a></p>",
        ctx.t("Hent alle lister", "Download every list"),
        ctx.t(
            "CSV (dansk: semikolon og decimalkomma)",
            "CSV (Danish: semicolon and decimal comma)"
        ),
        if ctx.lang == kvarter_report::Lang::En {
            "&lang=en"
        } else {
            ""
        },
        ctx.t("Til GIS og analyse", "For GIS and analysis")
    );
    b.push_str(&crate::dash::download_links(
        ctx,
        ctx.t(
            "Alle områder med deres værdier og lister",
            "Every area with its values and lists",
        ),
        "/areas/download",
        &format!("year={year}{wo}&"),
        "download-areas",
    ));
    for (rule_set, list, defined) in lists_of_year(conn, year, without_origin)? {
        let name = dash.list_name(&list, ctx.lang);
        let (paragraph, rs_title) = match dash.rule_set(&rule_set) {
            Some(rs) => (
                rs.list(&list)
                    .map(|l| l.paragraph.clone())
                    .unwrap_or_default(),
                ctx.t(&rs.title, &rs.title_en).to_string(),
            ),
            None => (String::new(), rule_set.clone()),
        };
        let _ = write!(
            b,
            "<section id=\"list-{list}\" aria-labelledby=\"h-{list}\"><h2 id=\"h-{list}\">{}</h2><p class=\"rule\">{} · {} · <a href=\"{}#{rule_set}\">{rule_set}</a></p>",
            escape(&name),
            escape(&paragraph),
            escape(&rs_title),
            escape(&ctx.href("/methodology"))
        );
        if !defined {
            let _ = write!(
                b,
                "<p>{}</p></section>",
                ctx.t(
                    "Listen er ikke defineret i denne visning (se metoden).",
                    "The list is not defined in this view (see the methodology)."
                )
            );
            continue;
        }
        let rows = list_rows(conn, &ctx.policy(), year, without_origin, &rule_set, &list)?;
        let body: Vec<Vec<Td>> = rows
            .iter()
            .map(|r| {
                let mut cells = vec![
                    Td::html(format!(
                        "<a href=\"{}\">{}</a>{}",
                        escape(&ctx.href(&format!("/areas/{}?year={year}", r.id))),
                        escape(&r.name),
                        if r.incomplete {
                            format!(
                                " <span class=\"incomplete\" title=\"{}\">*</span>",
                                ctx.t(
                                    "Usikker: en manglende værdi kunne ændre udfaldet",
                                    "Uncertain: a missing value could change the outcome"
                                )
                            )
                        } else {
                            String::new()
                        }
                    )),
                    Td::text(&r.municipality),
                ];
                cells.push(ctx.figure_cell(&r.values[0], 0));
                for v in &r.values[1..] {
                    cells.push(ctx.figure_cell(v, 1));
                }
                cells
            })
            .collect();
        let mut head = vec![
            ctx.t("Område", "Area").to_string(),
            ctx.t("Kommune", "Municipality").to_string(),
        ];
        head.extend(value_heads(ctx));
        let _ = write!(
            b,
            "{}</section>",
            table(
                &format!("table-{list}"),
                &format!(
                    "{name} {year}: {} {}",
                    rows.len(),
                    ctx.t("områder", "areas")
                ),
                &head,
                &body
            )
        );
    }
    Ok((title, b))
}

/// The table every download of a year's lists holds: one row per list and area.
pub fn download_table(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: i32,
    without_origin: bool,
) -> Result<kvarter_export::Table, PageError> {
    use kvarter_export::{Cell, Column, Kind, Table};
    let year = resolve_year(dash, ctx, Some(year))?;
    let col = |key: &str, label: &str, kind| Column {
        key: key.into(),
        label: label.into(),
        kind,
    };
    let heads = value_heads(ctx);
    let mut columns = vec![
        col("list_year", ctx.t("Listeår", "List year"), Kind::Year),
        col("rule_set", ctx.t("Regelsæt", "Rule set"), Kind::Text),
        col("list", ctx.t("Liste (id)", "List (id)"), Kind::Text),
        col("list_name", ctx.t("Liste", "List"), Kind::Text),
        col("area_id", ctx.t("Område-id", "Area id"), Kind::Text),
        col("area_name", ctx.t("Område", "Area"), Kind::Text),
        col("municipality", ctx.t("Kommune", "Municipality"), Kind::Text),
        col("incomplete", ctx.t("Usikker", "Uncertain"), Kind::Text),
        col("residents", &heads[0], Kind::Integer),
    ];
    for ((c, _), h) in crate::dash::MEASURES.iter().zip(&heads[1..]) {
        columns.push(col(c, h, Kind::Decimal { places: 2 }));
    }
    let mut rows = Vec::new();
    for (rule_set, list, defined) in lists_of_year(conn, year, without_origin)? {
        if !defined {
            continue;
        }
        for r in list_rows(conn, &ctx.policy(), year, without_origin, &rule_set, &list)? {
            let mut row = vec![
                Cell::Integer(i64::from(year)),
                Cell::Text(rule_set.clone()),
                Cell::Text(list.clone()),
                Cell::Text(dash.list_name(&list, ctx.lang)),
                Cell::Text(r.id.clone()),
                Cell::Text(r.name.clone()),
                Cell::Text(r.municipality.clone()),
                Cell::Text(
                    if r.incomplete {
                        ctx.t("ja", "yes")
                    } else {
                        ctx.t("nej", "no")
                    }
                    .into(),
                ),
            ];
            row.push(Cell::published(&r.values[0], true));
            for v in &r.values[1..] {
                row.push(Cell::published(v, false));
            }
            rows.push(row);
        }
    }
    Ok(Table {
        title: format!("{} {year}", ctx.t("Lister", "Lists")),
        columns,
        rows,
        notes: vec![
            format!(
                "{} {year}{}",
                ctx.t(
                    "kvarter: statens lister for listeåret",
                    "kvarter: the state's lists of list year"
                ),
                if without_origin {
                    ctx.t(
                        ", uden kriteriet om ikke-vestlig oprindelse",
                        ", without the criterion of non-Western origin",
                    )
                } else {
                    ""
                }
            ),
            format!(
                "{} {}",
                ctx.t(
                    "Antal under mindstetallet er undertrykt og vist som <",
                    "Counts under the minimum are suppressed and shown as <"
                ),
                ctx.min_count
            ),
            provenance(conn, ctx)?,
        ],
    })
}

/// Each row's area outline (EPSG:25832 GeoJSON geometry) by the table's `area_id` column, for
/// the geographic downloads; `None` for a row without one.
pub fn table_geometry(
    dash: &Dash,
    table: &kvarter_export::Table,
) -> Vec<Option<serde_json::Value>> {
    let Some(id) = table.columns.iter().position(|c| c.key == "area_id") else {
        return vec![None; table.rows.len()];
    };
    table
        .rows
        .iter()
        .map(|r| match &r[id] {
            kvarter_export::Cell::Text(id) => dash.areas.get(id).and_then(|a| a.geometry.clone()),
            _ => None,
        })
        .collect()
}

/// Where a downloaded table comes from, as its last note: kvarter's version, the store's latest
/// load (its manifest hash: the input files, rules and options) and the content hash of each
/// rule set. The same store gives the same text, so downloads stay reproducible.
pub fn provenance(conn: &Connection, ctx: &Ctx) -> rusqlite::Result<String> {
    let load = kvarter_store::dashboard::latest_manifest(conn);
    let rules: Vec<String> = kvarter_store::dashboard::rule_set_hashes(conn)?
        .into_iter()
        .map(|(id, hash)| format!("{id} (sha256 {})", &hash[..hash.len().min(12)]))
        .collect();
    Ok(format!(
        "{} kvarter {}; {} {}; {}: {}",
        ctx.t("Lavet af", "Made by"),
        env!("CARGO_PKG_VERSION"),
        ctx.t("indlæsning", "load"),
        load.map_or_else(
            || "–".to_string(),
            |(id, hash)| format!("{id} (manifest sha256 {})", &hash[..hash.len().min(12)])
        ),
        ctx.t("regelsæt", "rule sets"),
        rules.join(", ")
    ))
}
