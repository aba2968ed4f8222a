//! The policy status report (printable) and the comparison of two action-plan versions.
//!
//! The report shows, for one list year, every indicator of the policies as it stood then (the
//! series [`crate::plans::track`] builds, cut off after that year), the initiatives of the
//! action plan in force serving each sub-goal, and every area on a state list that year with its
//! numbers, its helhedsplaner and the initiatives working in it. The comparison lists what
//! [`kvarter_plans::compare_versions`] finds between two versions of one action plan.

use crate::dash::{Ctx, Dash, Td, badge, table, wrapped, year_form};
use crate::pages::{PageError, memberships, not_found};
use crate::plans::{
    comparator_label, initiative_status, mark, no_plans, population_label, status_badge, stored,
    track,
};
use crate::svg::escape;
use kvarter_plans::{
    ActionPlanVersion, Areas, Decimal, Helhedsplan, Indicator, Initiative, InitiativeChange,
    Measure, Plans, Progress, Target, compare_versions,
};
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

// ---------------------------------------------------------------------------------------------
// Shared pieces.

fn budget(ctx: &Ctx, b: Option<i64>) -> Td {
    match b {
        Some(b) => Td::num(
            format!("{} DKK", ctx.num(&b.to_string(), 0)),
            Some(&b.to_string()),
        ),
        None => Td::html(ctx.t("ikke oplyst", "not given")),
    }
}

/// "name (version N, from–to)".
fn version_label(ctx: &Ctx, v: &ActionPlanVersion) -> String {
    format!(
        "{} ({} {}, {}–{})",
        v.name,
        ctx.t("version", "version"),
        v.version,
        v.period.from,
        v.period.to
    )
}

/// The areas of an initiative in words (area names where `dash` knows them).
fn areas_text(ctx: &Ctx, dash: Option<&Dash>, a: &Areas) -> String {
    match a {
        Areas::All => ctx
            .t("alle udsatte områder", "all designated areas")
            .to_string(),
        Areas::Listed(ids) => ids
            .iter()
            .map(|id| match dash.and_then(|d| d.areas.get(id)) {
                Some(info) => format!("{} ({id})", info.name),
                None => id.clone(),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

// ---------------------------------------------------------------------------------------------
// The status report.

/// An area's name, or its id when the store does not know it.
fn area_name<'a>(dash: &'a Dash, id: &'a str) -> &'a str {
    dash.areas.get(id).map_or(id, |a| a.name.as_str())
}

/// How an action-plan version relates to the report's year.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InForce {
    /// Its period contains the year.
    Current,
    /// Its period ended before the year, and no later version started before it.
    Ended,
    /// It starts after the year: no version of the plan had started by then.
    Upcoming,
}

/// For every action plan carrying `policy`, the version in force in `year`: the one whose
/// period contains the year, else the latest starting before it, else (shown as not yet in
/// force) the first one.
fn in_force<'a>(
    plans: &'a Plans,
    policy: &str,
    year: i32,
) -> Vec<(&'a ActionPlanVersion, InForce)> {
    let ids: BTreeSet<&str> = plans
        .action_plans
        .iter()
        .filter(|a| a.policy_id == policy)
        .map(|a| a.plan.as_str())
        .collect();
    ids.into_iter()
        .filter_map(|plan| {
            let vs: Vec<&ActionPlanVersion> = plans
                .versions(plan)
                .into_iter()
                .filter(|v| v.policy_id == policy)
                .collect();
            vs.iter()
                .filter(|v| v.period.from <= year && year <= v.period.to)
                .max_by_key(|v| (v.period.from, v.version))
                .map(|v| (*v, InForce::Current))
                .or_else(|| {
                    vs.iter()
                        .filter(|v| v.period.from <= year)
                        .max_by_key(|v| (v.period.from, v.version))
                        .map(|v| (*v, InForce::Ended))
                })
                .or_else(|| {
                    vs.iter()
                        .min_by_key(|v| (v.period.from, v.version))
                        .map(|v| (*v, InForce::Upcoming))
                })
        })
        .collect()
}

fn in_force_text(ctx: &Ctx, v: &ActionPlanVersion, state: InForce, year: i32) -> String {
    let label = escape(&version_label(ctx, v));
    match state {
        InForce::Current => format!(
            "{} {year}: <a href=\"{}\">{label}</a>{}",
            ctx.t("Handleplan i kraft i", "Action plan in force in"),
            escape(&ctx.href(&format!("/plans#{}", v.id))),
            mark(ctx, v.illustrative)
        ),
        InForce::Ended => format!(
            "{} {year}; {}: <a href=\"{}\">{label}</a>{}",
            ctx.t(
                "Ingen version af handleplanen dækker",
                "No version of the action plan covers"
            ),
            ctx.t(
                "den seneste, der begyndte før, vises",
                "the latest that started before is shown"
            ),
            escape(&ctx.href(&format!("/plans#{}", v.id))),
            mark(ctx, v.illustrative)
        ),
        InForce::Upcoming => format!(
            "{} {year}; {}: <a href=\"{}\">{label}</a>{}",
            ctx.t(
                "Ingen version af handleplanen var begyndt i",
                "No version of the action plan had started in"
            ),
            ctx.t(
                "den første vises (endnu ikke i kraft det år)",
                "the first is shown (not yet in force that year)"
            ),
            escape(&ctx.href(&format!("/plans#{}", v.id))),
            mark(ctx, v.illustrative)
        ),
    }
}

fn indicator_head(ctx: &Ctx, year: i32) -> Vec<String> {
    vec![
        ctx.t("Indikator", "Indicator").into(),
        ctx.t("Målt på", "Measured on").into(),
        ctx.t("Udgangspunkt", "Baseline").into(),
        ctx.t("Mål", "Target").into(),
        format!("{} {year}", ctx.t("Værdi", "Value")),
        ctx.t("Resten (samme år)", "The rest (same year)").into(),
        ctx.t("Forskel (og tidligere)", "Gap (and earlier)").into(),
        format!("{} {year}", ctx.t("Krævet", "Required")),
        ctx.t("Status", "Status").into(),
    ]
}

/// A table of indicators with their progress as of `year`.
fn indicator_table(
    ctx: &Ctx,
    id: &str,
    caption: &str,
    indicators: &[Indicator],
    progress: &BTreeMap<String, Progress>,
    round: Option<&(String, i32)>,
    year: i32,
) -> String {
    let rows: Vec<Vec<Td>> = indicators
        .iter()
        .map(|i| {
            let p = progress.get(&i.id);
            // A count of persons goes through the suppression; its raw value never reaches
            // the page.
            let persons = i.measure == Measure::Residents;
            // The series behind the progress is already the published one
            // (`dash::measure_series`): a year it could not publish is not in it.
            let num = |d: Decimal| {
                if persons {
                    ctx.num(&d.to_string(), 0)
                } else {
                    ctx.num(&d.to_string(), 2)
                }
            };
            let value = match p.and_then(|p| p.latest) {
                Some((y, v)) => {
                    let shown = if persons {
                        num(v)
                    } else {
                        format!("<data class=\"value\" value=\"{v}\">{}</data>", num(v))
                    };
                    if y == year {
                        Td::html(shown)
                    } else {
                        Td::html(format!(
                            "{shown} <span class=\"muted\">({} {y})</span>",
                            ctx.t("seneste:", "latest:")
                        ))
                    }
                }
                None => Td::html("–"),
            };
            vec![
                Td::html(format!(
                    "<span id=\"{}\">{}</span>{}",
                    escape(&i.id),
                    escape(&i.name),
                    mark(ctx, i.illustrative)
                )),
                Td::html(format!(
                    "{}<br><code>{}</code>",
                    population_label(ctx, i, round),
                    escape(i.measure.as_str())
                )),
                Td::html(
                    i.baseline
                        .as_ref()
                        .map_or("–".into(), |b| format!("{} ({})", num(b.value), b.year)),
                ),
                Td::html(match &i.target {
                    Some(Target::Value { value, year }) => format!("{} ({year})", num(*value)),
                    Some(Target::CityAverage { year: ty }) => format!(
                        "{} ({ty}){}",
                        comparator_label(ctx, i),
                        p.and_then(|p| p.target_value.zip(p.latest))
                            .map_or(String::new(), |(t, (ly, _))| format!("; {ly}: {}", num(t)))
                    ),
                    None => "–".into(),
                }),
                if i.measure == Measure::NoSource {
                    Td::html(format!(
                        "{} {}",
                        ctx.t("ingen datakilde:", "no data source:"),
                        escape(&i.data_source)
                    ))
                } else {
                    value
                },
                Td::html(p.and_then(|p| p.comparator).map_or("–".into(), num)),
                Td::html(
                    match (p.and_then(|p| p.gap_to_city), p.and_then(|p| p.gap_from)) {
                        (Some(g), Some((y, from))) => format!(
                            "{} <span class=\"muted\">({} {y}: {})</span>",
                            num(g),
                            ctx.t("i", "in"),
                            num(from)
                        ),
                        (Some(g), None) => num(g),
                        _ => "–".into(),
                    },
                ),
                Td::html(p.and_then(|p| p.required).map_or("–".into(), num)),
                Td::html(status_badge(ctx, p)),
            ]
        })
        .collect();
    wrapped(table(id, caption, &indicator_head(ctx, year), &rows))
}

/// A table of initiatives: name, owner, status, budget, areas, period.
fn initiative_table(
    ctx: &Ctx,
    dash: &Dash,
    id: &str,
    caption: &str,
    items: &[(&ActionPlanVersion, &Initiative)],
    show_version: bool,
) -> String {
    let mut head: Vec<String> = vec![
        ctx.t("Indsats", "Initiative").into(),
        ctx.t("Ansvarlig forvaltning", "Owning administration")
            .into(),
        ctx.t("Status", "Status").into(),
        ctx.t("Budget", "Budget").into(),
        ctx.t("Områder", "Areas").into(),
        ctx.t("Periode", "Period").into(),
    ];
    if show_version {
        head.push(ctx.t("Handleplan", "Action plan").into());
    }
    let rows: Vec<Vec<Td>> = items
        .iter()
        .map(|(v, i)| {
            let mut r = vec![
                Td::html(format!(
                    "<span data-initiative=\"{}\" title=\"{}\">{}</span>{}",
                    escape(&i.id),
                    escape(&i.description),
                    escape(&i.name),
                    mark(ctx, i.illustrative)
                )),
                Td::html(format!(
                    "{} <span class=\"muted\">({})</span>",
                    escape(i.owner.name()),
                    escape(i.owner.abbreviation())
                )),
                Td::text(initiative_status(ctx, i.status)),
                budget(ctx, i.budget_dkk),
                Td::text(&areas_text(ctx, Some(dash), &i.areas)),
                Td::text(&format!("{}–{}", i.period.from, i.period.to)),
            ];
            if show_version {
                r.push(Td::text(&version_label(ctx, v)));
            }
            r
        })
        .collect();
    wrapped(table(id, caption, &head, &rows))
}

/// The key numbers of the report, in order.
const KEY_COLUMNS: [&str; 5] = [
    "residents",
    "outside_labour_pct",
    "basic_education_pct",
    "income_pct_of_region",
    "convicted_pct",
];

/// One area's figures in a year after the disclosure policy, when it has a row that year.
fn key_numbers(
    conn: &Connection,
    ctx: &Ctx,
    area: &str,
    year: i32,
) -> Result<Option<kvarter_view::DisclosedYear>, PageError> {
    let observations = crate::dash::observations(conn, Some(area))?;
    Ok(crate::dash::disclose(&ctx.policy(), &observations).remove(&year))
}

fn key_table(
    ctx: &Ctx,
    dash: &Dash,
    area: &str,
    year: i32,
    numbers: &kvarter_view::DisclosedYear,
) -> String {
    let label = |c: &str| match c {
        "residents" => ctx.t("Beboere", "Residents"),
        "outside_labour_pct" => ctx.t(
            "Uden for arbejdsmarkedet og uddannelse, %",
            "Outside the labour market and education, %",
        ),
        "basic_education_pct" => ctx.t("Kun grundskole, %", "Basic education only, %"),
        "income_pct_of_region" => ctx.t("Indkomst, % af regionens", "Income, % of the region's"),
        "convicted_pct" => ctx.t("Dømte, %", "Convicted, %"),
        _ => "",
    };
    let rows: Vec<Vec<Td>> = KEY_COLUMNS
        .iter()
        .map(|c| {
            let v = numbers.get(c);
            let value = match v.view() {
                kvarter_view::View::Missing => Td::html(ctx.t("mangler", "missing")),
                _ if *c == "residents" => ctx.figure_cell(&v, 0),
                _ => ctx.figure_cell(&v, 2),
            };
            let all = dash
                .averages
                .get(&(String::new(), year, c.to_string()))
                .map_or(Td::html("–"), |a| {
                    let t = format!("{a:.2}");
                    Td::num(ctx.num(&t, 2), Some(&t))
                });
            vec![
                Td::html(format!("{} <code>{}</code>", escape(label(c)), escape(c))),
                value,
                all,
            ]
        })
        .collect();
    wrapped(table(
        &format!("numbers-{area}"),
        &format!("{} {year}", ctx.t("Nøgletal", "Key numbers")),
        &[
            ctx.t("Måling", "Measure").into(),
            ctx.t("Området", "The area").into(),
            ctx.t("Alle områder", "All areas").into(),
        ],
        &rows,
    ))
}

/// A helhedsplan: its facts and, goal by goal, its indicators' status as of `year`.
fn helhedsplan_block(
    ctx: &Ctx,
    hp: &Helhedsplan,
    progress: &BTreeMap<String, Progress>,
    round: Option<&(String, i32)>,
    year: i32,
) -> String {
    let mut b = format!(
        "<div class=\"report-hp\" id=\"{}\"><h4>{}{}</h4><p>{} · {}–{} · {}: {} DKK · {}: {} DKK</p>",
        escape(&hp.id),
        escape(&hp.name),
        mark(ctx, hp.illustrative),
        escape(&hp.housing_organisation),
        hp.period.from,
        hp.period.to,
        ctx.t("Landsbyggefonden", "Landsbyggefonden"),
        ctx.num(&hp.lbf_grant_dkk.to_string(), 0),
        ctx.t("kommunal medfinansiering", "municipal co-financing"),
        ctx.num(&hp.municipal_cofinancing_dkk.to_string(), 0),
    );
    for ch in &hp.challenges {
        for g in &ch.goals {
            let _ = write!(
                b,
                "<p><strong>{}:</strong> {} → <strong>{}:</strong> {}</p>",
                ctx.t("Udfordring", "Challenge"),
                escape(&ch.text),
                ctx.t("Mål", "Goal"),
                escape(&g.text)
            );
            if g.indicators.is_empty() {
                let _ = write!(
                    b,
                    "<p class=\"muted\">{}</p>",
                    ctx.t("Målet har ingen indikator.", "The goal has no indicator.")
                );
            } else {
                b.push_str(&indicator_table(
                    ctx,
                    &format!("ind-{}", g.id),
                    ctx.t("Målt ved", "Measured by"),
                    &g.indicators,
                    progress,
                    round,
                    year,
                ));
            }
        }
    }
    b.push_str("</div>");
    b
}

/// The policy status report for a list year (the latest when `None`): per goal, its indicators'
/// progress and the initiatives serving it; per designated area, its plans and its numbers.
pub fn report(
    conn: &Connection,
    dash: &Dash,
    ctx: &Ctx,
    year: Option<i32>,
) -> Result<(String, String), PageError> {
    let Some(latest) = dash.latest() else {
        return Err(not_found(
            ctx.t("Lageret har ingen listeår.", "The store has no list year.")
                .to_string(),
        ));
    };
    let year = year.unwrap_or(latest);
    if !dash.years.contains(&year) {
        return Err(not_found(format!(
            "{} {year}; {}: {}",
            ctx.t(
                "Lageret har ingen værdier for listeåret",
                "The store has no values for list year"
            ),
            ctx.t("kendte listeår", "known list years"),
            dash.years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let title = format!(
        "{} {year}",
        ctx.t("Statusrapport for politikken,", "Policy status report,")
    );
    let mut b = String::from("<div class=\"plan-report\">");
    let _ = write!(
        b,
        "<div class=\"report-actions\">{}<p class=\"print-hint\"><button type=\"button\" data-print hidden>{}</button> <span class=\"muted\">{}</span> · <a href=\"{}\">{}</a> · <a href=\"{}\">{}</a></p></div>",
        year_form(ctx, "/plans/report", &dash.years, year, ""),
        ctx.t("Udskriv", "Print"),
        ctx.t(
            "eller brug browserens udskrift (Ctrl+P); menu og formularer kommer ikke med.",
            "or use the browser's print (Ctrl+P); menus and forms are left out."
        ),
        escape(&ctx.href("/plans")),
        ctx.t("Planer og mål", "Plans and goals"),
        escape(&ctx.href("/plans/compare")),
        ctx.t("Sammenlign versioner", "Compare versions"),
    );
    let Some(mut plans) = stored(conn)? else {
        b.push_str(&no_plans(ctx));
        b.push_str("</div>");
        return Ok((title, b));
    };
    let tracked = track(conn, &ctx.policy(), &mut plans)?;
    let round = tracked.round.clone();
    // The headline and the goals as of the data the list of `year` rests on (year − 1).
    let counted = crate::plans::Measured::read(conn)?.counted;
    let as_of: std::collections::HashMap<String, String> = counted
        .years("outside_labour_share")
        .into_iter()
        .filter(|y| *y < year)
        .max()
        .map(|y| ("index_to".to_string(), y.to_string()))
        .into_iter()
        .collect();
    let headline = crate::policy::section(conn, ctx, &counted, &as_of, false)?;
    let progress = if year == latest {
        tracked.progress
    } else {
        crate::plans::progress_up_to(conn, &ctx.policy(), &plans, Some(year))?
    };

    // What is illustrative, counted.
    let indicators = plans.indicators();
    let n_ind = indicators.len();
    let n_ind_ill = indicators.iter().filter(|(i, _)| i.illustrative).count();
    let _ = write!(
        b,
        "<p class=\"lead\">{} {year}. {} {}</p>",
        ctx.t(
            "Status for politikkens mål i listeåret",
            "Status of the policy's goals in list year"
        ),
        ctx.t(
            "Hver indikator er målt på den befolkning, den nævner, og sammenlignet med resten af samme helhed i samme år (de udsatte byområder med resten af kommunen, boligområder med de øvrige boligområder), som på siden Planer og mål. Værdien er den seneste før rapportens år: for statens tabel til og med listeåret, for screeningens tal til og med dataåret før (det, listen bygger på). Den krævede værdi er den rette linje fra udgangspunktet til målet, aflæst det år. Udgangspunkter, mål, indsatser og helhedsplaner kommer fra planfilerne.",
            "Each indicator is measured on the population it names and compared with the rest of the same whole in the same year (the udsatte byområder with the rest of the municipality, housing estates with the other estates), as on Plans and goals. The value is the latest before the report's year: for the state's table up to the list year, for the screening's counts up to the data year before it (the one the list rests on). The required value is the straight line from the baseline to the target, read in that year. Baselines, targets, initiatives and helhedsplaner come from the plan files."
        ),
        format_args!(
            "{} {n_ind_ill} {} {n_ind} {}",
            ctx.t(
                "Dele mærket «illustrativ» er ikke fra en offentliggjort kilde; det gælder",
                "Parts marked “illustrative” are not from a published source; so are"
            ),
            ctx.t("af", "of"),
            ctx.t("indikatorer.", "indicators.")
        )
    );
    if let Some((y, n)) = tracked.filled_from {
        let _ = write!(
            b,
            "<p class=\"notice\">{n} {} {y} {}</p>",
            ctx.t(
                "udgangspunkter, som planerne ikke angiver, er taget fra data for",
                "baselines the plans do not give are taken from the data of"
            ),
            ctx.t("(illustrativt).", "(illustrative).")
        );
    }

    b.push_str(&headline);

    let mut all_in_force: Vec<(&ActionPlanVersion, InForce)> = Vec::new();
    for policy in &plans.policies {
        let versions = in_force(&plans, &policy.id, year);
        let _ = write!(
            b,
            "<section class=\"report-policy\" id=\"{}\"><h2>{}: {} {year}{}</h2>",
            escape(&policy.id),
            escape(&{
                let name = ctx.t(&policy.name, &policy.name_en);
                let period = format!("{}–{}", policy.period.from, policy.period.to);
                if name.contains(&period) {
                    name.to_string()
                } else {
                    format!("{name} ({period})")
                }
            }),
            ctx.t("status i listeåret", "status in list year"),
            mark(ctx, policy.illustrative)
        );
        if !(policy.period.from..=policy.period.to).contains(&year) {
            let _ = write!(
                b,
                "<p class=\"notice\">{} {}–{}.</p>",
                ctx.t(
                    "Listeåret ligger uden for politikkens periode",
                    "The list year lies outside the policy's period"
                ),
                policy.period.from,
                policy.period.to
            );
        }
        if !policy.ambitions.is_empty() {
            let _ = write!(
                b,
                "<p>{}:</p><ul class=\"ambitions\">{}</ul>",
                ctx.t("Ambitioner", "Ambitions"),
                policy
                    .ambitions
                    .iter()
                    .map(|a| format!("<li>{}</li>", escape(a)))
                    .collect::<String>()
            );
        }
        if versions.is_empty() {
            let _ = write!(
                b,
                "<p class=\"muted\">{}</p>",
                ctx.t(
                    "Ingen handleplan udmønter politikken.",
                    "No action plan carries out the policy."
                )
            );
        }
        for (v, state) in &versions {
            let _ = write!(
                b,
                "<p class=\"report-plan\">{}</p>",
                in_force_text(ctx, v, *state, year)
            );
        }
        for goal in &policy.goals {
            let _ = write!(
                b,
                "<h3 id=\"{}\">{}{}</h3>",
                escape(&goal.id),
                escape(ctx.t(&goal.name, &goal.name_en)),
                mark(ctx, goal.illustrative)
            );
            for sub in &goal.sub_goals {
                let _ = write!(
                    b,
                    "<section class=\"report-block\" id=\"{}\"><h4>{}{}</h4>",
                    escape(&sub.id),
                    escape(ctx.t(&sub.name, &sub.name_en)),
                    mark(ctx, sub.illustrative)
                );
                if sub.indicators.is_empty() {
                    let _ = write!(
                        b,
                        "<p class=\"muted\">{}</p>",
                        ctx.t(
                            "Ingen indikator i kvarters data.",
                            "No indicator in kvarter's data."
                        )
                    );
                } else {
                    b.push_str(&indicator_table(
                        ctx,
                        &format!("ind-{}", sub.id),
                        ctx.t("Indikatorer", "Indicators"),
                        &sub.indicators,
                        &progress,
                        round.as_ref(),
                        year,
                    ));
                }
                let items: Vec<(&ActionPlanVersion, &Initiative)> = versions
                    .iter()
                    .flat_map(|(v, _)| {
                        v.initiatives
                            .iter()
                            .filter(|i| i.sub_goals.contains(&sub.id))
                            .map(move |i| (*v, i))
                    })
                    .collect();
                if items.is_empty() {
                    let _ = write!(
                        b,
                        "<p class=\"muted\">{}</p>",
                        ctx.t(
                            "Ingen indsats i handleplanen tjener delmålet.",
                            "No initiative of the action plan serves the sub-goal."
                        )
                    );
                } else {
                    b.push_str(&initiative_table(
                        ctx,
                        dash,
                        &format!("ini-{}", sub.id),
                        ctx.t(
                            "Indsatser, der tjener delmålet",
                            "Initiatives serving the sub-goal",
                        ),
                        &items,
                        versions.len() > 1,
                    ));
                }
                b.push_str("</section>");
            }
        }
        b.push_str("</section>");
        all_in_force.extend(versions);
    }

    // The designated areas of the year.
    let members = memberships(conn, year, false)?;
    let mut areas: Vec<(&String, &BTreeSet<String>)> = members.iter().collect();
    areas.sort_by(|a, b| (area_name(dash, a.0), a.0).cmp(&(area_name(dash, b.0), b.0)));
    let _ = write!(
        b,
        "<section class=\"report-areas\" id=\"areas\"><h2>{} {year} ({})</h2>",
        ctx.t(
            "Områder på en statslig liste i listeåret",
            "Areas on a state list in list year"
        ),
        areas.len()
    );
    if areas.is_empty() {
        let _ = write!(
            b,
            "<p class=\"muted\">{}</p>",
            ctx.t(
                "Intet område var på en liste det år.",
                "No area was on a list that year."
            )
        );
    }
    for (id, lists) in &areas {
        let info = dash.areas.get(id.as_str());
        let _ = write!(
            b,
            "<section class=\"report-area report-block\" id=\"area-{}\" data-area=\"{}\"><h3><a href=\"{}\">{}</a>{}</h3><p>{}: {}</p>",
            escape(id),
            escape(id),
            escape(&ctx.href(&format!("/areas/{id}?year={year}"))),
            escape(area_name(dash, id)),
            info.map_or(String::new(), |a| format!(
                " <span class=\"muted\">· {} · {}</span>",
                escape(&a.municipality),
                escape(id)
            )),
            ctx.t("Lister", "Lists"),
            lists
                .iter()
                .map(|l| badge(dash, l, ctx))
                .collect::<Vec<_>>()
                .join(" ")
        );
        match key_numbers(conn, ctx, id, year)? {
            Some(numbers) => b.push_str(&key_table(ctx, dash, id, year, &numbers)),
            None => {
                let _ = write!(
                    b,
                    "<p class=\"muted\">{}</p>",
                    ctx.t(
                        "Ingen værdier for området det år.",
                        "No values for the area that year."
                    )
                );
            }
        }
        let hps: Vec<&Helhedsplan> = plans
            .helhedsplaner
            .iter()
            .filter(|h| &h.area_id == *id)
            .collect();
        if hps.is_empty() {
            let _ = write!(
                b,
                "<p class=\"muted\">{}</p>",
                ctx.t(
                    "Ingen boligsocial helhedsplan på området.",
                    "No boligsocial helhedsplan on the area."
                )
            );
        }
        for hp in hps {
            b.push_str(&helhedsplan_block(ctx, hp, &progress, round.as_ref(), year));
        }
        let items: Vec<(&ActionPlanVersion, &Initiative)> = all_in_force
            .iter()
            .flat_map(|(v, _)| {
                v.initiatives
                    .iter()
                    .filter(|i| match &i.areas {
                        Areas::All => true,
                        Areas::Listed(a) => a.contains(id),
                    })
                    .map(move |i| (*v, i))
            })
            .collect();
        if items.is_empty() {
            let _ = write!(
                b,
                "<p class=\"muted\">{}</p>",
                ctx.t(
                    "Ingen indsats i handleplanen arbejder i området.",
                    "No initiative of the action plan works in the area."
                )
            );
        } else {
            b.push_str(&initiative_table(
                ctx,
                dash,
                &format!("ini-area-{id}"),
                ctx.t(
                    "Indsatser i området (navngivet eller alle udsatte områder)",
                    "Initiatives in the area (named, or all designated areas)",
                ),
                &items,
                all_in_force.len() > 1,
            ));
        }
        b.push_str("</section>");
    }
    b.push_str("</section>");

    // Helhedsplaner on areas that were on no list that year: their indicators all the same.
    let others: Vec<&Helhedsplan> = plans
        .helhedsplaner
        .iter()
        .filter(|h| !members.contains_key(&h.area_id))
        .collect();
    if !others.is_empty() {
        let _ = write!(
            b,
            "<section class=\"report-areas\" id=\"other-helhedsplaner\"><h2>{} {year}</h2>",
            ctx.t(
                "Helhedsplaner på områder uden for listerne i",
                "Helhedsplaner on areas on no list in"
            )
        );
        for hp in others {
            let _ = write!(
                b,
                "<section class=\"report-block\"><h3><a href=\"{}\">{}</a></h3>{}</section>",
                escape(&ctx.href(&format!("/areas/{}?year={year}", hp.area_id))),
                escape(area_name(dash, &hp.area_id)),
                helhedsplan_block(ctx, hp, &progress, round.as_ref(), year)
            );
        }
        b.push_str("</section>");
    }
    b.push_str("</div>");
    Ok((title, b))
}

// ---------------------------------------------------------------------------------------------
// The comparison of two versions.

/// A field of an initiative (as `compare_versions` names it) in words, for people.
fn field_label(ctx: &Ctx, f: &str) -> &'static str {
    match f {
        "name" => ctx.t("navn", "name"),
        "description" => ctx.t("beskrivelse", "description"),
        "owner" => ctx.t("ansvarlig forvaltning", "owning administration"),
        "partners" => ctx.t("partnere", "partners"),
        "areas" => ctx.t("områder", "areas"),
        "sub_goals" => ctx.t("delmål", "sub-goals"),
        "period" => ctx.t("periode", "period"),
        "budget_dkk" => ctx.t("budget", "budget"),
        "status" => ctx.t("status", "status"),
        "illustrative" => ctx.t("illustrativ", "illustrative"),
        "source" => ctx.t("kilde", "source"),
        _ => "",
    }
}

/// A field's value of an initiative, as HTML.
fn field_value(ctx: &Ctx, i: &Initiative, f: &str) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "–".to_string()
        } else {
            escape(&v.join(", "))
        }
    };
    match f {
        "name" => escape(&i.name),
        "description" => escape(&i.description),
        "owner" => escape(i.owner.name()),
        "partners" => list(&i.partners),
        "areas" => escape(&areas_text(ctx, None, &i.areas)),
        "sub_goals" => list(&i.sub_goals),
        "period" => format!("{}–{}", i.period.from, i.period.to),
        "budget_dkk" => i.budget_dkk.map_or_else(
            || ctx.t("ikke oplyst", "not given").to_string(),
            |b| format!("{} DKK", ctx.num(&b.to_string(), 0)),
        ),
        "status" => initiative_status(ctx, i.status).to_string(),
        "illustrative" => ctx
            .t(
                if i.illustrative { "ja" } else { "nej" },
                if i.illustrative { "yes" } else { "no" },
            )
            .to_string(),
        "source" => escape(&i.source),
        _ => String::new(),
    }
}

/// A table of whole initiatives (added, removed or unchanged).
fn whole_table(ctx: &Ctx, id: &str, caption: &str, items: &[&Initiative]) -> String {
    let head: Vec<String> = vec![
        ctx.t("Indsats", "Initiative").into(),
        ctx.t("Ansvarlig forvaltning", "Owning administration")
            .into(),
        ctx.t("Områder", "Areas").into(),
        ctx.t("Delmål", "Sub-goals").into(),
        ctx.t("Periode", "Period").into(),
        ctx.t("Budget", "Budget").into(),
        ctx.t("Status", "Status").into(),
    ];
    let rows: Vec<Vec<Td>> = items
        .iter()
        .map(|i| {
            vec![
                Td::html(format!(
                    "<span data-initiative=\"{}\" title=\"{}\">{}</span> <code>{}</code>{}",
                    escape(&i.id),
                    escape(&i.description),
                    escape(&i.name),
                    escape(&i.id),
                    mark(ctx, i.illustrative)
                )),
                Td::text(i.owner.name()),
                Td::html(field_value(ctx, i, "areas")),
                Td::html(field_value(ctx, i, "sub_goals")),
                Td::html(field_value(ctx, i, "period")),
                budget(ctx, i.budget_dkk),
                Td::text(initiative_status(ctx, i.status)),
            ]
        })
        .collect();
    wrapped(table(id, caption, &head, &rows))
}

/// The version picker: two selects over every version, and the language kept.
fn compare_form(
    ctx: &Ctx,
    versions: &[&ActionPlanVersion],
    from: Option<&str>,
    to: Option<&str>,
) -> String {
    let select = |name: &str, label: &str, chosen: Option<&str>| {
        let mut s =
            format!("<label for=\"{name}\">{label}</label> <select id=\"{name}\" name=\"{name}\">");
        for v in versions {
            let _ = write!(
                s,
                "<option value=\"{}\"{}>{}</option>",
                escape(&v.id),
                if chosen == Some(v.id.as_str()) {
                    " selected"
                } else {
                    ""
                },
                escape(&version_label(ctx, v))
            );
        }
        s.push_str("</select>");
        s
    };
    format!(
        "<form class=\"picker\" method=\"get\" action=\"/plans/compare\">{} {}{} <button type=\"submit\">{}</button></form>",
        select("from", ctx.t("Fra", "From"), from),
        select("to", ctx.t("Til", "To"), to),
        if ctx.lang == kvarter_report::Lang::En {
            "<input type=\"hidden\" name=\"lang\" value=\"en\">"
        } else {
            ""
        },
        ctx.t("Sammenlign", "Compare")
    )
}

/// Two versions of an action plan side by side: initiatives added, removed and changed.
pub fn compare(
    conn: &Connection,
    ctx: &Ctx,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(String, String), PageError> {
    let title = ctx
        .t(
            "Sammenlign versioner af handleplanen",
            "Compare versions of the action plan",
        )
        .to_string();
    let Some(plans) = stored(conn)? else {
        return Ok((title, no_plans(ctx)));
    };
    let mut versions: Vec<&ActionPlanVersion> = plans.action_plans.iter().collect();
    versions.sort_by(|a, b| (a.plan.as_str(), a.version).cmp(&(b.plan.as_str(), b.version)));
    if versions.is_empty() {
        return Ok((
            title,
            format!(
                "<p class=\"notice\">{}</p>",
                ctx.t(
                    "Planerne har ingen handleplan.",
                    "The plans have no action plan."
                )
            ),
        ));
    }
    let find = |id: &str| -> Result<&ActionPlanVersion, PageError> {
        versions
            .iter()
            .copied()
            .find(|v| v.id == id)
            .ok_or_else(|| {
                not_found(format!(
                    "{} '{id}'; {}: {}",
                    ctx.t(
                        "Ingen version af en handleplan med id",
                        "No action-plan version with id"
                    ),
                    ctx.t("kendte id'er", "known ids"),
                    versions
                        .iter()
                        .map(|v| v.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    };
    let from = from.map(find).transpose()?;
    let to = to.map(find).transpose()?;
    let of_plan = |plan: &str| -> Vec<&ActionPlanVersion> {
        versions
            .iter()
            .copied()
            .filter(|v| v.plan == plan)
            .collect()
    };
    let (older, newer) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        // Only one: that version and its neighbour in the plan, the one before it when there
        // is one (for `to`) or the one after it (for `from`), else the other neighbour.
        (Some(one), None) | (None, Some(one)) => {
            let vs = of_plan(&one.plan);
            let k = vs.iter().position(|v| v.id == one.id).unwrap_or(0);
            let before = k.checked_sub(1).and_then(|k| vs.get(k).copied());
            let after = vs.get(k + 1).copied();
            match (from.is_some(), before, after) {
                (true, _, Some(a)) | (false, None, Some(a)) => (one, a),
                (_, Some(b), _) => (b, one),
                (_, None, None) => (one, one),
            }
        }
        // Neither: the two newest versions of the plan with the newest version.
        (None, None) => {
            let newest = versions
                .iter()
                .copied()
                .max_by_key(|v| (v.period.from, v.version))
                .unwrap_or(versions[0]);
            let vs = of_plan(&newest.plan);
            if vs.len() < 2 {
                return Ok((
                    title,
                    format!(
                        "{}<p class=\"notice\">{} «{}» {}</p>",
                        compare_form(ctx, &versions, Some(&newest.id), Some(&newest.id)),
                        ctx.t("Handleplanen", "The action plan"),
                        escape(&newest.plan),
                        ctx.t(
                            "har kun én version; der er intet at sammenligne.",
                            "has only one version; there is nothing to compare."
                        )
                    ),
                ));
            }
            (vs[vs.len() - 2], vs[vs.len() - 1])
        }
    };
    if older.id == newer.id {
        return Err(PageError {
            status: 400,
            message: format!(
                "{} ({}); {}",
                ctx.t(
                    "Fra og til er samme version",
                    "From and to are the same version"
                ),
                older.id,
                ctx.t(
                    "vælg to forskellige versioner af samme handleplan.",
                    "pick two different versions of the same action plan."
                )
            ),
        });
    }
    if older.plan != newer.plan {
        return Err(PageError {
            status: 400,
            message: format!(
                "{} {} «{}», {} {} «{}»; {}",
                older.id,
                ctx.t(
                    "er en version af handleplanen",
                    "is a version of action plan"
                ),
                older.plan,
                newer.id,
                ctx.t("af", "of"),
                newer.plan,
                ctx.t(
                    "kun versioner af samme handleplan kan sammenlignes.",
                    "only versions of the same action plan can be compared."
                )
            ),
        });
    }
    let changes = compare_versions(older, newer);
    let mut added: Vec<&Initiative> = Vec::new();
    let mut removed: Vec<&Initiative> = Vec::new();
    let mut changed: Vec<(&Initiative, &Initiative, &[&'static str])> = Vec::new();
    let touched: BTreeSet<&str> = changes
        .iter()
        .map(|c| match c {
            InitiativeChange::Added(id)
            | InitiativeChange::Removed(id)
            | InitiativeChange::Changed(id, _) => id.as_str(),
        })
        .collect();
    for c in &changes {
        match c {
            InitiativeChange::Added(id) => {
                added.extend(newer.initiatives.iter().find(|i| &i.id == id));
            }
            InitiativeChange::Removed(id) => {
                removed.extend(older.initiatives.iter().find(|i| &i.id == id));
            }
            InitiativeChange::Changed(id, fields) => {
                if let (Some(o), Some(n)) = (
                    older.initiatives.iter().find(|i| &i.id == id),
                    newer.initiatives.iter().find(|i| &i.id == id),
                ) {
                    changed.push((o, n, fields.as_slice()));
                }
            }
        }
    }
    let unchanged: Vec<&Initiative> = older
        .initiatives
        .iter()
        .filter(|i| !touched.contains(i.id.as_str()))
        .collect();

    let mut b = format!(
        "<div class=\"plan-compare\">{}",
        compare_form(ctx, &versions, Some(&older.id), Some(&newer.id))
    );
    let _ = write!(
        b,
        "<p class=\"muted\"><a href=\"{}\">{}</a> · <a href=\"{}\">{}</a></p>",
        escape(&ctx.href("/plans")),
        ctx.t("Planer og mål", "Plans and goals"),
        escape(&ctx.href("/plans/report")),
        ctx.t("Statusrapport", "Status report"),
    );
    let _ = write!(
        b,
        "<h2>{}{} → {}{}</h2>",
        escape(&version_label(ctx, older)),
        mark(ctx, older.illustrative),
        escape(&version_label(ctx, newer)),
        mark(ctx, newer.illustrative)
    );
    if older.version > newer.version {
        let _ = write!(
            b,
            "<p class=\"notice\">{}</p>",
            ctx.t(
                "«Fra» er nyere end «til»: tilføjet og fjernet er set fra «fra» mod «til».",
                "“From” is newer than “to”: added and removed are read from “from” towards “to”."
            )
        );
    }
    let _ = write!(
        b,
        "<ul class=\"counts\" id=\"counts\"><li><strong id=\"n-added\">{}</strong> {}</li><li><strong id=\"n-removed\">{}</strong> {}</li><li><strong id=\"n-changed\">{}</strong> {}</li><li><strong id=\"n-unchanged\">{}</strong> {}</li></ul>",
        added.len(),
        ctx.t("tilføjet", "added"),
        removed.len(),
        ctx.t("fjernet", "removed"),
        changed.len(),
        ctx.t("ændret", "changed"),
        unchanged.len(),
        ctx.t("uændret", "unchanged"),
    );
    let none = |b: &mut String| {
        let _ = write!(b, "<p class=\"muted\">{}</p>", ctx.t("Ingen.", "None."));
    };
    let _ = write!(
        b,
        "<section id=\"added\"><h3>{}</h3>",
        ctx.t("Tilføjede indsatser", "Initiatives added")
    );
    if added.is_empty() {
        none(&mut b);
    } else {
        b.push_str(&whole_table(
            ctx,
            "added-table",
            ctx.t("Kun i den nye version", "In the newer version only"),
            &added,
        ));
    }
    let _ = write!(
        b,
        "</section><section id=\"removed\"><h3>{}</h3>",
        ctx.t("Fjernede indsatser", "Initiatives removed")
    );
    if removed.is_empty() {
        none(&mut b);
    } else {
        b.push_str(&whole_table(
            ctx,
            "removed-table",
            ctx.t("Kun i den gamle version", "In the older version only"),
            &removed,
        ));
    }
    let _ = write!(
        b,
        "</section><section id=\"changed\"><h3>{}</h3>",
        ctx.t("Ændrede indsatser", "Initiatives changed")
    );
    if changed.is_empty() {
        none(&mut b);
    } else {
        let rows: Vec<Vec<Td>> = changed
            .iter()
            .flat_map(|(o, n, fields)| {
                fields.iter().map(move |f| {
                    vec![
                        Td::html(format!(
                            "<span data-initiative=\"{}\">{}</span> <code>{}</code>",
                            escape(&o.id),
                            escape(&n.name),
                            escape(&o.id)
                        )),
                        Td::html(format!(
                            "<span data-field=\"{}\">{}</span> <code>{}</code>",
                            escape(f),
                            escape(field_label(ctx, f)),
                            escape(f)
                        )),
                        Td::html(format!("<del>{}</del>", field_value(ctx, o, f))),
                        Td::html(format!("<ins>{}</ins>", field_value(ctx, n, f))),
                    ]
                })
            })
            .collect();
        b.push_str(&wrapped(table(
            "changed-table",
            ctx.t(
                "Ændrede felter, før → efter",
                "Fields changed, before → after",
            ),
            &[
                ctx.t("Indsats", "Initiative").into(),
                ctx.t("Felt", "Field").into(),
                ctx.t("Før", "Before").into(),
                ctx.t("Efter", "After").into(),
            ],
            &rows,
        )));
    }
    let _ = write!(
        b,
        "</section><section id=\"unchanged\"><details><summary>{} ({})</summary>",
        ctx.t("Uændrede indsatser", "Initiatives unchanged"),
        unchanged.len()
    );
    if unchanged.is_empty() {
        none(&mut b);
    } else {
        b.push_str(&whole_table(
            ctx,
            "unchanged-table",
            ctx.t("I begge versioner, ens", "In both versions, the same"),
            &unchanged,
        ));
    }
    b.push_str("</details></section></div>");
    Ok((title, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_in_force_is_the_current_else_the_last_begun_else_the_first() {
        let plans = kvarter_plans::seed::copenhagen_2025(&[]);
        let at = |year: i32| -> Vec<(String, bool, bool)> {
            in_force(&plans, "policy-2025", year)
                .into_iter()
                .map(|(v, s)| (v.id.clone(), s == InForce::Current, s == InForce::Upcoming))
                .collect()
        };
        assert_eq!(at(2026), [("ap-2025".into(), true, false)]);
        assert_eq!(at(2027), [("ap-2027".into(), true, false)]);
        assert_eq!(at(2031), [("ap-2027".into(), false, false)], "ended");
        assert_eq!(at(2020), [("ap-2025".into(), false, true)], "not begun");
        assert!(in_force(&plans, "no-such-policy", 2026).is_empty());
    }
}
