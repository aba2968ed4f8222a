//! The early warning for the next 1 December: every area's probability of being on each list,
//! ranked by the risk of entering and the chance of leaving, with the backtest beside it. The
//! numbers are what `kvarter load --registers` stored (kvarter-foresight); nothing is computed
//! here but ranking and formatting.

use crate::dash::{Ctx, Dash, Td, badge, table, wrapped};
use crate::pages::PageError;
use crate::svg::escape;
use rusqlite::Connection;
use serde_json::{Value, json};
use std::fmt::Write;

pub use kvarter_store::dashboard::{Outlook, Score, outlooks, scores};

/// A probability as a percentage for people (`0.635` → `63,5 %`).
fn percent(ctx: &Ctx, p: &str) -> String {
    let pct = p
        .parse::<kvarter_rules::Decimal>()
        .map(|d| (d * kvarter_rules::Decimal::from(100)).to_string())
        .unwrap_or_else(|_| p.to_string());
    format!("{} %", ctx.num(&pct, 1))
}

fn outlook_text<'a>(ctx: &Ctx, o: &'a str) -> &'a str {
    match o {
        "entering" => ctx.t("risiko for at komme på", "at risk of entering"),
        "leaving" => ctx.t("udsigt til at komme af", "likely to leave"),
        "staying_on" => ctx.t("bliver på", "stays on"),
        "staying_off" => ctx.t("forbliver uden for", "stays off"),
        other => other,
    }
}

fn area_link(dash: &Dash, ctx: &Ctx, id: &str) -> String {
    let name = dash.areas.get(id).map_or(id, |a| a.name.as_str());
    format!(
        "<a href=\"{}\">{}</a>",
        escape(&ctx.href(&format!("/areas/{id}"))),
        escape(name)
    )
}

fn municipality(dash: &Dash, id: &str) -> String {
    dash.areas
        .get(id)
        .map_or_else(String::new, |a| a.municipality.clone())
}

/// The areas most at risk of entering the list, and most likely to leave it, `top` each.
fn ranked(dash: &Dash, ctx: &Ctx, list: &str, rows: &[&Outlook], top: usize) -> String {
    let entering: Vec<&&Outlook> = rows
        .iter()
        .filter(|o| o.on_now != Some(true) && o.on_draws > 0)
        .take(top)
        .collect();
    let mut leaving: Vec<&&Outlook> = rows
        .iter()
        .filter(|o| o.on_now == Some(true) && o.on_draws < o.draws)
        .collect();
    leaving.sort_by_key(|o| (o.on_draws, o.area_id.clone()));
    leaving.truncate(top);
    let head = |p: &str| -> Vec<String> {
        vec![
            ctx.t("Område", "Area").into(),
            ctx.t("Kommune", "Municipality").into(),
            p.into(),
            ctx.t("Udsigt", "Outlook").into(),
        ]
    };
    let row = |o: &Outlook, p: String, raw: String| {
        vec![
            Td::html(area_link(dash, ctx, &o.area_id)),
            Td::text(&municipality(dash, &o.area_id)),
            Td::num(p, Some(&raw)),
            Td::text(outlook_text(ctx, &o.outlook)),
        ]
    };
    let mut s = String::new();
    let none = |s: &mut String, da: &str, en: &str| {
        let _ = write!(s, "<p class=\"muted\">{}</p>", ctx.t(da, en));
    };
    if entering.is_empty() {
        none(
            &mut s,
            "Intet område uden for listen kommer på den i nogen af trækningerne.",
            "No area off the list enters it in any draw.",
        );
    } else {
        s.push_str(&wrapped(table(
            &format!("entering-{list}"),
            ctx.t(
                "Risiko for at komme på listen (ikke på den nu)",
                "Risk of entering (not on it now)",
            ),
            &head(ctx.t("Sandsynlighed for at være på", "Probability of being on")),
            &entering
                .iter()
                .map(|o| row(o, percent(ctx, &o.probability), o.probability.clone()))
                .collect::<Vec<_>>(),
        )));
    }
    if leaving.is_empty() {
        none(
            &mut s,
            "Intet område på listen kommer af den i nogen af trækningerne.",
            "No area on the list leaves it in any draw.",
        );
    } else {
        s.push_str(&wrapped(table(
            &format!("leaving-{list}"),
            ctx.t(
                "Udsigt til at komme af listen (på den nu)",
                "Chance of leaving (on it now)",
            ),
            &head(ctx.t("Sandsynlighed for at komme af", "Probability of leaving")),
            &leaving
                .iter()
                .map(|o| {
                    let off = kvarter_rules::Decimal::ONE
                        - o.probability
                            .parse::<kvarter_rules::Decimal>()
                            .unwrap_or_default();
                    row(o, percent(ctx, &off.to_string()), off.to_string())
                })
                .collect::<Vec<_>>(),
        )));
    }
    s
}

/// The backtest: per list over all years, and each year in a closed section.
fn backtest_tables(dash: &Dash, ctx: &Ctx, scores: &[Score]) -> String {
    if scores.is_empty() {
        return format!(
            "<p id=\"no-backtest\">{}</p>",
            ctx.t(
                "Der er ingen backtest: et listeår kan kun efterprøves med data til og med to år før det og mindst tre dataår i alt, og lageret har færre.",
                "There is no backtest: a list year can only be tested with data up to two years before it and at least three data years in all, and the store has fewer."
            )
        );
    }
    let (all, years): (Vec<Score>, Vec<Score>) =
        scores.iter().cloned().partition(|s| s.list_year.is_none());
    format!(
        "{}<details><summary>{}</summary>{}</details>",
        backtest_table(dash, ctx, "backtest", &all),
        ctx.t("Hvert listeår for sig", "Each list year"),
        backtest_table(dash, ctx, "backtest-years", &years)
    )
}

/// One backtest table.
fn backtest_table(dash: &Dash, ctx: &Ctx, id: &str, scores: &[Score]) -> String {
    let dec = |v: &Option<String>| v.as_deref().map_or("–".into(), |v| ctx.num(v, 3));
    let rows: Vec<Vec<Td>> = scores
        .iter()
        .filter(|s| s.areas > 0)
        .map(|s| {
            vec![
                Td::html(match s.list_year {
                    Some(y) => y.to_string(),
                    None => format!("<b>{}</b>", ctx.t("alle år", "all years")),
                }),
                Td::html(badge(dash, &s.list, ctx)),
                Td::num(ctx.num(&s.areas.to_string(), 0), Some(&s.areas.to_string())),
                Td::num(dec(&s.brier.0), s.brier.0.as_deref()),
                Td::num(dec(&s.brier.1), s.brier.1.as_deref()),
                Td::num(dec(&s.brier.2), s.brier.2.as_deref()),
                Td::text(&format!("{} / {}", s.entries.1, s.entries.0)),
                Td::num(s.entries.2.to_string(), Some(&s.entries.2.to_string())),
                Td::text(&format!("{} / {}", s.exits.1, s.exits.0)),
                Td::num(s.exits.2.to_string(), Some(&s.exits.2.to_string())),
            ]
        })
        .collect();
    wrapped(table(
        id,
        ctx.t(
            "Backtest: varslet ét år før, med data til og med to år før listeåret",
            "Backtest: forecast a year ahead, with data up to two years before the list year",
        ),
        &[
            ctx.t("Listeår", "List year").into(),
            ctx.t("Liste", "List").into(),
            ctx.t("Områder", "Areas").into(),
            ctx.t("Brier-score", "Brier score").into(),
            ctx.t("Brier, «som sidste år»", "Brier, “as last year”")
                .into(),
            ctx.t("Færdighed", "Skill").into(),
            ctx.t("Indgange varslet", "Entries flagged").into(),
            ctx.t("Falske alarmer (ind)", "False alarms (in)").into(),
            ctx.t("Udgange varslet", "Exits flagged").into(),
            ctx.t("Falske alarmer (ud)", "False alarms (out)").into(),
        ],
        &rows,
    ))
}

/// `/foresight?list=&top=`: the next list year's risks per list, and the backtest.
pub fn page(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    list: Option<&str>,
    top: usize,
) -> Result<(String, String), PageError> {
    let all = outlooks(conn, None)?;
    let Some(year) = all.first().map(|o| o.list_year) else {
        return Ok((
            ctx.t("Varsling", "Early warning").into(),
            format!(
                "<p class=\"notice\">{}</p>",
                ctx.t(
                    "Lageret har ingen varsling. Den beregnes, når `kvarter load` læser registerdata (`--registers DIR`).",
                    "The store has no early warning. It is computed when `kvarter load` reads register data (`--registers DIR`)."
                )
            ),
        ));
    };
    let title = format!(
        "{} {year}",
        ctx.t(
            "Varsling for listerne 1. december",
            "Early warning for the lists of 1 December"
        )
    );
    let mut lists: Vec<&str> = all.iter().map(|o| o.list.as_str()).collect();
    lists.dedup();
    if let Some(l) = list.filter(|l| !lists.contains(l)) {
        return Err(PageError {
            status: 404,
            message: format!("list={l}: expected one of {}", lists.join(", ")),
        });
    }
    let draws = all[0].draws;
    let mut b = format!(
        "<p class=\"lead\">{}</p>",
        escape(&match ctx.lang {
            kvarter_report::Lang::Da => format!(
                "Sandsynligheden for, at hvert område er på hver liste 1. december {year}, fra det seneste dataår og områdets egen udvikling: {draws} simulerede næste år, hver vurderet efter loven. Halvdelen af de toårige gennemsnit kendes allerede. Det er en model, ikke listen: listen afgøres af de data, staten bruger."
            ),
            kvarter_report::Lang::En => format!(
                "The probability that each area is on each list on 1 December {year}, from the latest data year and the area's own history: {draws} simulated next years, each evaluated under the law. Half of each two-year average is already known. It is a model, not the list: the list is decided by the data the state uses."
            ),
        })
    );
    b.push_str(&crate::dash::download_links(
        ctx,
        ctx.t(
            "Hent varslingen for alle områder",
            "Download the early warning of every area",
        ),
        "/foresight/download",
        "",
        "download-foresight",
    ));
    let _ = write!(
        b,
        "<nav class=\"tools\" aria-label=\"{}\"><ul>{}</ul></nav>",
        ctx.t("Lister", "Lists"),
        lists
            .iter()
            .map(|l| format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(&ctx.href(&format!("/foresight?list={l}"))),
                escape(&dash.list_name(l, ctx.lang))
            ))
            .collect::<String>()
    );
    for l in lists.iter().filter(|l| list.is_none_or(|x| x == **l)) {
        let rows: Vec<&Outlook> = all.iter().filter(|o| o.list == *l).collect();
        let expected: i64 = rows.iter().map(|o| o.on_draws).sum();
        let now = rows.iter().filter(|o| o.on_now == Some(true)).count();
        let _ = write!(
            b,
            "<section id=\"list-{l}\"><h2>{}</h2><p>{}: {now} · {}: {}</p>{}</section>",
            badge(dash, l, ctx),
            ctx.t("På listen nu", "On the list now"),
            ctx.t("forventet antal næste år", "expected number next year"),
            ctx.num(
                &(kvarter_rules::Decimal::from(expected) / kvarter_rules::Decimal::from(draws))
                    .round_dp(1)
                    .to_string(),
                1
            ),
            ranked(dash, ctx, l, &rows, top)
        );
    }
    let sc = scores(conn)?;
    let _ = write!(
        b,
        "<section id=\"backtest-section\"><h2>{}</h2><p>{}</p>{}</section>",
        ctx.t("Hvor godt ville varslingen have ramt?", "How well would it have predicted?"),
        ctx.t(
            "For hvert tidligere listeår: varslingen lavet med data til og med to år før, sammenlignet med listen. Brier-scoren er den gennemsnitlige kvadrerede fejl (0 er perfekt); «som sidste år» gætter, at hvert område står, hvor det stod; færdighed er 1 − Brier / Brier «som sidste år» (over 0 er bedre). Et område varsles ved mindst 50 %.",
            "For each past list year: the forecast made with data up to two years before, compared with the list. The Brier score is the mean squared error (0 is perfect); “as last year” guesses every area stays where it was; skill is 1 − Brier / Brier “as last year” (above 0 is better). An area is flagged at 50 % or more."
        ),
        backtest_tables(dash, ctx, &sc)
    );
    Ok((title, b))
}

/// The area profile's box: next year's probability per list.
pub fn area_box(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    area: &str,
) -> Result<String, PageError> {
    let rows = outlooks(conn, Some(area))?;
    let Some(year) = rows.first().map(|o| o.list_year) else {
        return Ok(String::new());
    };
    let shown: Vec<&Outlook> = rows
        .iter()
        .filter(|o| o.on_draws > 0 || o.on_now == Some(true))
        .collect();
    let mut s = format!(
        "<section id=\"foresight\"><h2>{} {year}</h2>",
        ctx.t("Næste 1. december:", "Next 1 December:")
    );
    if shown.is_empty() {
        let _ = write!(
            s,
            "<p>{}</p>",
            ctx.t(
                "I ingen af trækningerne kommer området på en liste.",
                "The area is on no list in any of the draws."
            )
        );
    } else {
        s.push_str(&table(
            "foresight-area",
            ctx.t("Sandsynlighed pr. liste", "Probability per list"),
            &[
                ctx.t("Liste", "List").into(),
                ctx.t("På listen nu", "On it now").into(),
                ctx.t("Sandsynlighed for at være på", "Probability of being on")
                    .into(),
                ctx.t("Udsigt", "Outlook").into(),
            ],
            &shown
                .iter()
                .map(|o| {
                    vec![
                        Td::html(badge(dash, &o.list, ctx)),
                        Td::text(match o.on_now {
                            Some(true) => ctx.t("ja", "yes"),
                            Some(false) => ctx.t("nej", "no"),
                            None => "–",
                        }),
                        Td::num(percent(ctx, &o.probability), Some(&o.probability)),
                        Td::text(outlook_text(ctx, &o.outlook)),
                    ]
                })
                .collect::<Vec<_>>(),
        ));
    }
    let _ = write!(
        s,
        "<p class=\"hint\"><a href=\"{}\">{}</a></p></section>",
        escape(&ctx.href("/foresight#backtest-section")),
        ctx.t(
            "Metoden og hvor godt den har ramt tidligere år",
            "The method, and how well it did in past years"
        )
    );
    Ok(s)
}

/// `/api/foresight?list=&area=`: the stored outlooks, and the backtest.
pub fn api(conn: &Connection, list: Option<&str>, area: Option<&str>) -> rusqlite::Result<Value> {
    let rows = outlooks(conn, area)?;
    let sc = scores(conn)?;
    Ok(json!({
        "list_year": rows.first().map(|o| o.list_year),
        "outlooks": rows.iter().filter(|o| list.is_none_or(|l| l == o.list)).map(|o| json!({
            "area_id": o.area_id,
            "list": o.list,
            "on_now": o.on_now,
            "on_draws": o.on_draws,
            "draws": o.draws,
            "probability": o.probability,
            "outlook": o.outlook,
        })).collect::<Vec<_>>(),
        "backtest": sc.iter().map(|s| json!({
            "list_year": s.list_year,
            "list": s.list,
            "areas": s.areas,
            "brier": s.brier.0,
            "brier_persistence": s.brier.1,
            "skill": s.brier.2,
            "entries": s.entries.0,
            "entries_flagged": s.entries.1,
            "entry_false_alarms": s.entries.2,
            "exits": s.exits.0,
            "exits_flagged": s.exits.1,
            "exit_false_alarms": s.exits.2,
        })).collect::<Vec<_>>(),
    }))
}
