//! The policy's headline section, on `/plans` and in the status report: the composite index of
//! the udsatte byområder against the rest of the municipality over the years the reader
//! chooses, the 2017 policy's gap goal for the areas together and one by one, and the two 2035
//! goals (fewer udsatte byområder; no housing area at risk of the parallelsamfund list). Every
//! figure is [`kvarter_view::headline`]'s, through the disclosure policy.

use crate::dash::{Ctx, Td, table};
use crate::pages::PageError;
use crate::svg::escape;
use kvarter_rules::Decimal;
use kvarter_view::View;
use kvarter_view::headline::{GoalStatus, Headline, at_risk, gap_goal, headline};
use kvarter_view::population::{Counted, Population};
use rusqlite::Connection;
use std::collections::HashMap;
use std::fmt::Write;

/// The query parameters the section reads: `index_from`, `index_to` (data years) and `risk`
/// (the 2035 goal's threshold, per cent).
pub const PARAMS: [&str; 3] = ["index_from", "index_to", "risk"];

/// kvarter's default threshold of the 2035 goal "no housing area at risk": 10 %.
pub const DEFAULT_RISK_PCT: u32 = 10;

fn bad(message: String) -> PageError {
    PageError {
        status: 400,
        message,
    }
}

/// The section's HTML.
/// With `form`, the reader can choose the index's years (on `/plans`); the status report shows
/// the years its query gives.
pub(crate) fn section(
    conn: &Connection,
    ctx: &Ctx,
    counted: &Counted,
    q: &HashMap<String, String>,
    form: bool,
) -> Result<String, PageError> {
    let read = |e: rusqlite::Error| PageError::from(format!("reading the store: {e}"));
    let Some((spec_id, round)) = counted.round() else {
        return Ok(format!(
            "<section id=\"headline\" aria-labelledby=\"headline-h\"><h2 id=\"headline-h\">{}</h2><p class=\"notice\">{}</p></section>",
            ctx.t("Politikkens overordnede mål", "The policy's overall goals"),
            ctx.t(
                "Lageret har ingen udpegning af udsatte byområder. Indlæs registre med `kvarter load --registers DIR --screen kbh-2025`.",
                "The store has no designation of udsatte byområder. Load registers with `kvarter load --registers DIR --screen kbh-2025`."
            )
        ));
    };
    let spec = kvarter_screen::builtin::spec(spec_id)
        .and_then(Result::ok)
        .ok_or_else(|| PageError::from(format!("the stored round's spec {spec_id} is unknown")))?;
    let policy = ctx.policy();
    let years = counted.years("outside_labour_share");
    let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
        return Ok(String::new());
    };
    let year = |key: &str, default: i32| -> Result<i32, PageError> {
        match q.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<i32>()
                .ok()
                .filter(|y| years.contains(y))
                .ok_or_else(|| {
                    bad(format!(
                        "{key}={v}: expected a data year from {first} to {last}"
                    ))
                }),
        }
    };
    let to = year("index_to", last)?;
    let from = year("index_from", (to - 7).max(first))?;
    if from >= to {
        return Err(bad(format!(
            "index_from={from}, index_to={to}: expected the first year before the last"
        )));
    }
    let risk_pct: Decimal = match q.get("risk") {
        None => Decimal::from(DEFAULT_RISK_PCT),
        Some(v) => v
            .parse::<Decimal>()
            .ok()
            .filter(|p| *p >= Decimal::ZERO && *p <= Decimal::ONE_HUNDRED)
            .ok_or_else(|| bad(format!("risk={v}: expected a per cent from 0 to 100")))?,
    };

    let mut b = format!(
        "<section id=\"headline\" aria-labelledby=\"headline-h\"><h2 id=\"headline-h\">{}</h2>",
        ctx.t("Politikkens overordnede mål", "The policy's overall goals")
    );
    index_part(
        &mut b,
        ctx,
        &headline(counted, &policy, &spec, from, to),
        round,
        form.then_some(years.as_slice()),
    );

    // The 2017 policy's goal, on the areas of this round held fixed.
    if let Some(Ok(spec17)) = kvarter_screen::builtin::spec("kbh-2017") {
        goal_part(&mut b, ctx, counted, &policy, &spec17, round);
    }

    // The 2035 goals.
    let areas_of_round = counted.areas();
    // The municipality's housing estates: those the load counted.
    let estates = counted.estates();
    let outlooks = kvarter_store::dashboard::outlooks(conn, None).map_err(read)?;
    let risk = at_risk(
        &outlooks,
        "parallelsamfund",
        &estates,
        risk_pct / Decimal::ONE_HUNDRED,
    );
    let _ = write!(
        b,
        "<h3 id=\"goals-2035\">{}</h3><ul class=\"goals-2035\"><li id=\"goal-fewer\">{} <strong>{}</strong> {} {round} ({}). {}</li>",
        ctx.t("Målene for 2035", "The goals for 2035"),
        ctx.t(
            "Færre udsatte byområder i 2035:",
            "Fewer udsatte byområder in 2035:"
        ),
        areas_of_round.len(),
        ctx.t(
            "udsatte byområder i udpegningen",
            "udsatte byområder in the designation of"
        ),
        escape(spec_id),
        ctx.t(
            "Kvarter har én udpegning i lageret; udviklingen over udpegningerne kræver flere.",
            "kvarter has one designation in the store; the trend over designations needs more."
        ),
    );
    let over: Vec<&(String, Decimal)> = risk
        .areas
        .iter()
        .filter(|(_, p)| *p > risk.threshold)
        .collect();
    let _ = write!(
        b,
        "<li id=\"goal-no-risk\">{} {} <span class=\"badge {}\">{}</span> ({}: {} %, {}).</li></ul>",
        ctx.t(
            "Ingen boligområder i risiko for statens parallelsamfundsliste:",
            "No housing area at risk of the state's parallelsamfund list:"
        ),
        match risk.list_year {
            Some(y) => format!(
                "{} {} {y}, {} {}.",
                over.len(),
                ctx.t("af kommunens boligområder har en sandsynlighed over tærsklen for at være på listen 1. december", "of the municipality's housing areas have a probability above the threshold of being on the list on 1 December"),
                ctx.t("ud af", "out of"),
                risk.areas.len()
            ),
            None => ctx
                .t("lageret har ingen varsling.", "the store has no early warning.")
                .into(),
        },
        if risk.met { "status-on-track" } else { "status-off-track" },
        if risk.met {
            ctx.t("nået", "met")
        } else {
            ctx.t("ikke nået", "not met")
        },
        ctx.t("tærskel", "threshold"),
        ctx.num(&risk_pct.to_string(), 1),
        if q.contains_key("risk") {
            ctx.t("valgt", "chosen")
        } else {
            ctx.t("kvarters standardværdi", "kvarter's default")
        }
    );
    if !over.is_empty() {
        let rows: Vec<Vec<Td>> = over
            .iter()
            .map(|(a, p)| {
                vec![
                    Td::html(format!(
                        "<a href=\"{}\">{}</a>",
                        escape(&ctx.href(&format!("/areas/{a}"))),
                        escape(a)
                    )),
                    Td::html(ctx.num(&(*p * Decimal::ONE_HUNDRED).round_dp(1).to_string(), 1)),
                ]
            })
            .collect();
        b.push_str(&table(
            "at-risk",
            ctx.t(
                "Boligområder over tærsklen",
                "Housing areas above the threshold",
            ),
            &[
                ctx.t("Område", "Area").into(),
                ctx.t("Sandsynlighed, %", "Probability, %").into(),
            ],
            &rows,
        ));
    }
    b.push_str("</section>");
    Ok(b)
}

fn index_part(b: &mut String, ctx: &Ctx, h: &Headline, round: i32, years: Option<&[i32]>) {
    let change = match h.change_pct.view() {
        View::Shown(c) if c.is_sign_negative() => format!(
            "{} {} % {}",
            ctx.t(
                "De udsatte byområder er blevet",
                "The udsatte byområder became"
            ),
            ctx.num(&(-*c).to_string(), 1),
            ctx.t("mindre udsatte", "less vulnerable")
        ),
        View::Shown(c) => format!(
            "{} {} % {}",
            ctx.t(
                "De udsatte byområder er blevet",
                "The udsatte byområder became"
            ),
            ctx.num(&c.to_string(), 1),
            ctx.t("mere udsatte", "more vulnerable")
        ),
        View::Suppressed { .. } => ctx
            .t(
                "Ændringen er undertrykt (for få personer bag et af tallene)",
                "The change is suppressed (too few persons behind one of the figures)",
            )
            .into(),
        View::Missing => ctx
            .t(
                "Ændringen kan ikke beregnes",
                "The change cannot be computed",
            )
            .into(),
    };
    let _ = write!(
        b,
        "<h3 id=\"index\">{}</h3><p class=\"lead\" id=\"index-change\">{change} {} {} {} {} ({} {} {} {}).</p>",
        ctx.t("Udsathedsindekset", "The vulnerability index"),
        ctx.t("fra", "from"),
        h.from,
        ctx.t("til", "to"),
        h.to,
        ctx.t("indekset gik fra", "the index went from"),
        ctx.figure(&h.index_from, 3),
        ctx.t("til", "to"),
        ctx.figure(&h.index_to, 3),
    );
    if let Some(years) = years {
        let options = |sel: i32| {
            years
                .iter()
                .map(|y| {
                    format!(
                        "<option value=\"{y}\"{}>{y}</option>",
                        if *y == sel { " selected" } else { "" }
                    )
                })
                .collect::<String>()
        };
        let _ = write!(
            b,
            "<form class=\"inline\" method=\"get\" action=\"/plans#index\"><input type=\"hidden\" name=\"lang\" value=\"{}\">\
<label for=\"index_from\">{}</label> <select id=\"index_from\" name=\"index_from\">{}</select> \
<label for=\"index_to\">{}</label> <select id=\"index_to\" name=\"index_to\">{}</select> \
<button type=\"submit\">{}</button></form>",
            if ctx.lang == kvarter_report::Lang::En {
                "en"
            } else {
                "da"
            },
            ctx.t("Fra dataår", "From data year"),
            options(h.from),
            ctx.t("til", "to"),
            options(h.to),
            ctx.t("Vis", "Show"),
        );
    }
    let rows: Vec<Vec<Td>> = h
        .components
        .iter()
        .map(|c| {
            vec![
                Td::html(format!(
                    "{} <code>{}</code>",
                    escape(ctx.t(&c.name, &c.name_en)),
                    escape(&c.indicator)
                )),
                Td::html(ctx.num(&c.weight.to_string(), 1)),
                Td::html(ctx.figure(&c.from, 3)),
                Td::html(ctx.figure(&c.to, 3)),
            ]
        })
        .collect();
    b.push_str(&table(
        "index-components",
        ctx.t(
            "Indeksets dele: byområdernes andel delt med resten af kommunens (omvendt, hvor lavere er værre)",
            "The index's components: the areas' share divided by the rest of the municipality's (inverted where lower is worse)",
        ),
        &[
            ctx.t("Kriterium", "Criterion").into(),
            ctx.t("Vægt", "Weight").into(),
            h.from.to_string(),
            h.to.to_string(),
        ],
        &rows,
    ));
    let _ = write!(
        b,
        "<p class=\"hint\">{} <code>{}</code> {round}, {}{}</p>",
        ctx.t(
            "Indekset er det vægtede gennemsnit af delene; 1 er som resten af kommunen. Ændringen er indekset i sidste år delt med indekset i første år minus 1, regnet eksakt. Byområderne er dem i udpegningen",
            "The index is the weighted mean of the components; 1 is like the rest of the municipality. The change is the last year's index divided by the first year's, minus 1, computed exactly. The areas are those of the designation"
        ),
        escape(&h.spec),
        ctx.t(
            "holdt fast og fulgt gennem dataårene; standardperioden er de seneste syv år.",
            "held fixed and followed through the data years; the default period is the last seven years."
        ),
        if h.left_out.is_empty() {
            String::new()
        } else {
            format!(
                " {} {}.",
                ctx.t(
                    "Udeladt, fordi et af årene ikke har tal:",
                    "Left out, because one of the years has no figure:"
                ),
                escape(&h.left_out.join(", "))
            )
        }
    );
}

fn goal_part(
    b: &mut String,
    ctx: &Ctx,
    counted: &Counted,
    policy: &kvarter_view::Policy,
    spec: &kvarter_screen::Spec,
    round: i32,
) {
    let mut populations = vec![(
        ctx.t("Alle udsatte byområder", "All udsatte byområder")
            .to_string(),
        Population::Designated,
    )];
    for a in counted.areas() {
        populations.push((a.clone(), Population::Area(a)));
    }
    let mut rows: Vec<Vec<Td>> = Vec::new();
    let mut head: Vec<String> = vec![ctx.t("Område", "Area").into()];
    let mut years = None;
    for (label, p) in &populations {
        let Some(g) = gap_goal(counted, policy, spec, p, false) else {
            continue;
        };
        if head.len() == 1 {
            head.extend(
                g.rows
                    .iter()
                    .map(|r| ctx.t(&r.name, &r.name_en).to_string()),
            );
            head.push(ctx.t("Halveret", "Halved").into());
            years = Some((g.baseline_year, g.latest_year, g.target_year));
        }
        let mut row = vec![Td::html(escape(label))];
        for r in &g.rows {
            let mark = match r.status {
                GoalStatus::Closed | GoalStatus::NoGapKept => "✓",
                GoalStatus::NotClosed | GoalStatus::NoGapLost => "✗",
                GoalStatus::Missing => "?",
            };
            row.push(Td::html(format!(
                "{} → {} {mark}",
                ctx.figure(&r.baseline_gap, 2),
                ctx.figure(&r.latest_gap, 2)
            )));
        }
        row.push(Td::html(format!(
            "{} / {} <span class=\"badge {}\">{}</span>",
            g.reached,
            g.rows.len(),
            if g.met {
                "status-on-track"
            } else {
                "status-off-track"
            },
            if g.met {
                ctx.t("nået", "met")
            } else {
                ctx.t("ikke nået", "not met")
            }
        )));
        rows.push(row);
    }
    let Some((base, latest, target)) = years else {
        return;
    };
    let _ = write!(
        b,
        "<h3 id=\"goal-2017\">{}</h3><p>{} {base} {} {latest} ({} {target}). {} {round}.</p>",
        ctx.t("Målet fra 2017", "The 2017 goal"),
        ctx.t(
            "Politikken fra 2017: halvere afstanden til københavnergennemsnittet inden 2025 på mindst halvdelen af kriterierne. Afstanden (positiv er værre, procentpoint; m² for boligareal) fra",
            "The 2017 policy: halve the gap to the Copenhagen average by 2025 on at least half of the criteria. The gap (positive is worse, percentage points; m² for dwelling area) from"
        ),
        ctx.t("til", "to"),
        ctx.t("målår", "target year"),
        ctx.t(
            "En afstand, der er præcis halveret, tæller som halveret. Målt på områderne i udpegningen",
            "A gap exactly halved counts as halved. Measured on the areas of the designation"
        ),
    );
    b.push_str(&table(
        "goal-2017-table",
        ctx.t("Afstand ved udgangspunkt → nu", "Gap at baseline → now"),
        &head,
        &rows,
    ));
}
