//! The policy status report (printable) and the comparison of two action-plan versions.
//!
//! The report shows, for one list year, every indicator of the policies as it stood then (the
//! series [`crate::plans::track`] builds, cut off after that year), the initiatives of the
//! action plan in force serving each sub-goal, and every area on a state list that year with its
//! numbers, its helhedsplaner and the initiatives working in it. The comparison lists what
//! [`kvarter_plans::compare_versions`] finds between two versions of one action plan.

use crate::dash::{Ctx, Dash, Td, badge, table, wrapped, year_form};
use crate::pages::{PageError, not_found};
use crate::plans::{
    comparator_label, initiative_status, mark, no_plans, population_label, status_badge, stored,
};
use crate::svg::escape;
use kvarter_plans::{
    ActionPlanVersion, Areas, Decimal, Indicator, Initiative, InitiativeChange, Measure, Target,
    compare_versions,
};
use kvarter_view::View;
use kvarter_view::report::{
    HelhedsplanStatus, InForce, IndicatorRow, InitiativeRow, KeyFigure, KeyNumber, ReportError,
    StatusReport, Version,
};
use rusqlite::Connection;
use std::collections::BTreeSet;
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
// The status report: [`kvarter_view::report::StatusReport`], read from the store and laid out.

/// "name (version N, from–to)" of a version as the report holds it.
fn report_version_label(ctx: &Ctx, v: &Version) -> String {
    format!(
        "{} ({} {}, {}–{})",
        v.name,
        ctx.t("version", "version"),
        v.version,
        v.from,
        v.to
    )
}

fn in_force_text(ctx: &Ctx, v: &Version, year: i32) -> String {
    let label = escape(&report_version_label(ctx, v));
    let link = escape(&ctx.href(&format!("/plans#{}", v.id)));
    match v.state {
        InForce::Current => format!(
            "{} {year}: <a href=\"{link}\">{label}</a>{}",
            ctx.t("Handleplan i kraft i", "Action plan in force in"),
            mark(ctx, v.illustrative)
        ),
        InForce::Ended => format!(
            "{} {year}; {}: <a href=\"{link}\">{label}</a>{}",
            ctx.t(
                "Ingen version af handleplanen dækker",
                "No version of the action plan covers"
            ),
            ctx.t(
                "den seneste, der begyndte før, vises",
                "the latest that started before is shown"
            ),
            mark(ctx, v.illustrative)
        ),
        InForce::Upcoming => format!(
            "{} {year}; {}: <a href=\"{link}\">{label}</a>{}",
            ctx.t(
                "Ingen version af handleplanen var begyndt i",
                "No version of the action plan had started in"
            ),
            ctx.t(
                "den første vises (endnu ikke i kraft det år)",
                "the first is shown (not yet in force that year)"
            ),
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
        ctx.t("Forskellens ændring", "Change of the gap").into(),
        format!("{} {year}", ctx.t("Krævet", "Required")),
        ctx.t("Status", "Status").into(),
    ]
}

/// A figure of an indicator: a count of persons whole, anything else to 2 places.
fn dp_of(i: &Indicator) -> u32 {
    if i.measure == Measure::Residents {
        0
    } else {
        2
    }
}

/// A table of indicator rows as of `year`.
fn indicator_table(
    ctx: &Ctx,
    id: &str,
    caption: &str,
    rows: &[IndicatorRow],
    round: Option<&(String, i32)>,
    year: i32,
) -> String {
    let rows: Vec<Vec<Td>> = rows
        .iter()
        .map(|r| {
            let i = &r.indicator;
            let dp = dp_of(i);
            let num = |d: Decimal| ctx.num(&d.to_string(), dp);
            let fig = |p: &kvarter_view::PublishedDecimal| ctx.figure(p, dp);
            let value = match (r.value.view(), r.value_year) {
                (View::Shown(v), Some(y)) => {
                    let shown = if dp == 0 {
                        num(*v)
                    } else {
                        format!("<data class=\"value\" value=\"{v}\">{}</data>", num(*v))
                    };
                    if y == year {
                        shown
                    } else {
                        format!(
                            "{shown} <span class=\"muted\">({} {y})</span>",
                            ctx.t("seneste:", "latest:")
                        )
                    }
                }
                _ => fig(&r.value),
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
                    population_label(ctx, i, round, r.population_name.as_deref()),
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
                        match (r.target_value.view(), r.value_year) {
                            (View::Shown(_), Some(ly)) =>
                                format!("; {ly}: {}", fig(&r.target_value)),
                            _ => String::new(),
                        }
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
                    Td::html(value)
                },
                Td::html(fig(&r.rest)),
                Td::html(match (r.gap.view(), r.gap_from_year) {
                    (View::Shown(_), Some(y)) => format!(
                        "{} <span class=\"muted\">({} {y}: {})</span>",
                        fig(&r.gap),
                        ctx.t("i", "in"),
                        fig(&r.gap_from)
                    ),
                    _ => fig(&r.gap),
                }),
                Td::html(match r.gap_change.view() {
                    View::Shown(c) if !c.is_sign_negative() && !c.is_zero() => {
                        format!("+{}", fig(&r.gap_change))
                    }
                    _ => fig(&r.gap_change),
                }),
                Td::html(fig(&r.required)),
                Td::html(status_badge(ctx, Some(r.status))),
            ]
        })
        .collect();
    wrapped(table(id, caption, &indicator_head(ctx, year), &rows))
}

/// A table of initiatives in force: name, owner, status, budget, areas, period (and the
/// version, when more than one is in force).
fn initiative_table(
    ctx: &Ctx,
    dash: &Dash,
    r: &StatusReport,
    id: &str,
    caption: &str,
    items: &[InitiativeRow],
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
        .map(|row| {
            let i = &row.initiative;
            let mut cells = vec![
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
                cells.push(Td::text(&r.version(&row.version).map_or_else(
                    || row.version.clone(),
                    |v| report_version_label(ctx, v),
                )));
            }
            cells
        })
        .collect();
    wrapped(table(id, caption, &head, &rows))
}

fn key_label<'a>(ctx: &Ctx, c: &'a str) -> &'a str {
    match c {
        "residents" => ctx.t("Beboere", "Residents"),
        "outside_labour_pct" => ctx.t(
            "Uden for arbejdsmarkedet og uddannelse, %",
            "Outside the labour market and education, %",
        ),
        "basic_education_pct" => ctx.t("Kun grundskole, %", "Basic education only, %"),
        "income_pct_of_region" => ctx.t("Indkomst, % af regionens", "Income, % of the region's"),
        "convicted_pct" => ctx.t("Dømte, %", "Convicted, %"),
        other => other,
    }
}

fn key_table(ctx: &Ctx, area: &str, year: i32, numbers: &[KeyNumber]) -> String {
    let rows: Vec<Vec<Td>> = numbers
        .iter()
        .map(|n| {
            let dp = if n.column == "residents" { 0 } else { 2 };
            let value = match n.value.view() {
                View::Missing => Td::html(ctx.t("mangler", "missing")),
                _ => ctx.figure_cell(&n.value, dp),
            };
            vec![
                Td::html(format!(
                    "{} <code>{}</code>",
                    escape(key_label(ctx, &n.column)),
                    escape(&n.column)
                )),
                value,
                ctx.figure_cell(&n.all, dp),
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

/// An udsat byområde's key figures against the rest of the municipality.
fn figures_table(ctx: &Ctx, area: &str, data_year: Option<i32>, figures: &[KeyFigure]) -> String {
    let rows: Vec<Vec<Td>> = figures
        .iter()
        .map(|f| {
            let dp = if f.share { 2 } else { 1 };
            vec![
                Td::html(format!(
                    "{} <code>{}</code>",
                    escape(ctx.t(&f.name, &f.name_en)),
                    escape(&f.indicator)
                )),
                ctx.figure_cell(&f.value, dp),
                ctx.figure_cell(&f.rest, dp),
                ctx.figure_cell(&f.gap, dp),
            ]
        })
        .collect();
    wrapped(table(
        &format!("figures-{area}"),
        &format!(
            "{} {}",
            ctx.t("Nøgletal, dataår", "Key figures, data year"),
            data_year.map_or("–".into(), |y| y.to_string())
        ),
        &[
            ctx.t("Kriterium", "Criterion").into(),
            ctx.t("Byområdet", "The area").into(),
            ctx.t("Resten af kommunen", "The rest of the municipality")
                .into(),
            ctx.t("Forskel", "Gap").into(),
        ],
        &rows,
    ))
}

/// A helhedsplan: its facts and, goal by goal, its indicators' status as of `year`.
fn helhedsplan_block(
    ctx: &Ctx,
    h: &HelhedsplanStatus,
    round: Option<&(String, i32)>,
    year: i32,
) -> String {
    let hp = &h.plan;
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
    for g in &h.goals {
        let _ = write!(
            b,
            "<p><strong>{}:</strong> {} → <strong>{}:</strong> {}</p>",
            ctx.t("Udfordring", "Challenge"),
            escape(&g.challenge),
            ctx.t("Mål", "Goal"),
            escape(&g.goal)
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
                round,
                year,
            ));
        }
    }
    b.push_str("</div>");
    b
}

/// The status report of list year `year` (the latest when `None`), built from the store: the
/// one model the page, `/api/plans/report` and `kvarter plans report` render.
pub(crate) fn build(
    conn: &Connection,
    policy: &kvarter_view::Policy,
    year: Option<i32>,
) -> Result<StatusReport, PageError> {
    let rows = kvarter_store::dashboard::report_rows(conn, year)
        .map_err(|e| PageError::from(format!("reading the store: {e}")))?;
    StatusReport::build(&rows, policy, year).map_err(|e| match e {
        ReportError::NotFound(m) => not_found(m),
        ReportError::Failed(m) => PageError::from(m),
    })
}

/// The policy status report for a list year (the latest when `None`): per goal, its indicators'
/// progress and the initiatives serving it; per udsat byområde its key figures and initiatives;
/// per estate on a state list its plans and its numbers; the overall goals.
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
    let r = build(conn, &ctx.policy(), Some(year))?;
    Ok(render(dash, ctx, &r, true))
}

/// The report as HTML: (title, body). With `interactive`, the year picker and the print
/// button (the page); without, neither (the file `kvarter plans report` writes).
pub fn render(dash: &Dash, ctx: &Ctx, r: &StatusReport, interactive: bool) -> (String, String) {
    let year = r.year;
    let title = format!(
        "{} {year}",
        ctx.t("Statusrapport for politikken,", "Policy status report,")
    );
    let mut b = String::from("<div class=\"plan-report\">");
    if interactive {
        let _ = write!(
            b,
            "<div class=\"report-actions\">{}<p class=\"print-hint\"><button type=\"button\" data-print hidden>{}</button> <span class=\"muted\">{}</span> · <a href=\"{}\">{}</a> · <a href=\"{}\">{}</a></p></div>",
            year_form(ctx, "/plans/report", &r.years, year, ""),
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
    }
    if !r.has_plans {
        b.push_str(&no_plans(ctx));
        b.push_str("</div>");
        return (title, b);
    }
    let round: Option<(String, i32)> = r.round.as_ref().map(|x| (x.spec.clone(), x.year));
    let round = round.as_ref();

    let _ = write!(
        b,
        "<p class=\"lead\">{} {year}. {} {}</p>",
        ctx.t(
            "Status for politikkens mål i listeåret",
            "Status of the policy's goals in list year"
        ),
        ctx.t(
            "Hver indikator er målt på den befolkning, den nævner, og sammenlignet med resten af samme helhed i samme år (de udsatte byområder med resten af kommunen, boligområder med de øvrige boligområder), som på siden Planer og mål. Værdien er den seneste før rapportens år: for statens tabel til og med listeåret, for screeningens tal til og med dataåret før (det, listen bygger på). Forskellens ændring er forskellen nu minus forskellen ved udgangspunktet. Den krævede værdi er den rette linje fra udgangspunktet til målet, aflæst det år. Udgangspunkter, mål, indsatser og helhedsplaner kommer fra planfilerne.",
            "Each indicator is measured on the population it names and compared with the rest of the same whole in the same year (the udsatte byområder with the rest of the municipality, housing estates with the other estates), as on Plans and goals. The value is the latest before the report's year: for the state's table up to the list year, for the screening's counts up to the data year before it (the one the list rests on). The change of the gap is the gap now minus the gap at the baseline. The required value is the straight line from the baseline to the target, read in that year. Baselines, targets, initiatives and helhedsplaner come from the plan files."
        ),
        format_args!(
            "{} {} {} {} {}",
            ctx.t(
                "Dele mærket «illustrativ» er ikke fra en offentliggjort kilde; det gælder",
                "Parts marked “illustrative” are not from a published source; so are"
            ),
            r.indicators.illustrative,
            ctx.t("af", "of"),
            r.indicators.total,
            ctx.t("indikatorer.", "indicators.")
        )
    );
    if let Some(f) = r.baselines_filled {
        let _ = write!(
            b,
            "<p class=\"notice\">{} {} {} {}</p>",
            f.count,
            ctx.t(
                "udgangspunkter, som planerne ikke angiver, er taget fra data for",
                "baselines the plans do not give are taken from the data of"
            ),
            f.year,
            ctx.t("(illustrativt).", "(illustrative).")
        );
    }

    match (&r.round, &r.goals) {
        (None, _) => b.push_str(&crate::policy::no_round(ctx)),
        (Some(_), Some(g)) => b.push_str(&crate::policy::render(ctx, g, false, false)),
        (Some(_), None) => {}
    }

    let n_versions: usize = r.policies.iter().map(|p| p.in_force.len()).sum();
    for policy in &r.policies {
        let _ = write!(
            b,
            "<section class=\"report-policy\" id=\"{}\"><h2>{}: {} {year}{}</h2>",
            escape(&policy.id),
            escape(&{
                let name = ctx.t(&policy.name, &policy.name_en);
                let period = format!("{}–{}", policy.from, policy.to);
                if name.contains(&period) {
                    name.to_string()
                } else {
                    format!("{name} ({period})")
                }
            }),
            ctx.t("status i listeåret", "status in list year"),
            mark(ctx, policy.illustrative)
        );
        if !(policy.from..=policy.to).contains(&year) {
            let _ = write!(
                b,
                "<p class=\"notice\">{} {}–{}.</p>",
                ctx.t(
                    "Listeåret ligger uden for politikkens periode",
                    "The list year lies outside the policy's period"
                ),
                policy.from,
                policy.to
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
        if policy.in_force.is_empty() {
            let _ = write!(
                b,
                "<p class=\"muted\">{}</p>",
                ctx.t(
                    "Ingen handleplan udmønter politikken.",
                    "No action plan carries out the policy."
                )
            );
        }
        for v in &policy.in_force {
            let _ = write!(
                b,
                "<p class=\"report-plan\">{}</p>",
                in_force_text(ctx, v, year)
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
                        round,
                        year,
                    ));
                }
                if sub.initiatives.is_empty() {
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
                        r,
                        &format!("ini-{}", sub.id),
                        ctx.t(
                            "Indsatser, der tjener delmålet",
                            "Initiatives serving the sub-goal",
                        ),
                        &sub.initiatives,
                        policy.in_force.len() > 1,
                    ));
                }
                b.push_str("</section>");
            }
        }
        b.push_str("</section>");
    }

    // The udsatte byområder of the designation round.
    if let Some((spec, round_year)) = round {
        let _ = write!(
            b,
            "<section class=\"report-areas\" id=\"udsatte-byomraader\"><h2>{} ({} {round_year}, <code>{}</code>; {})</h2>",
            ctx.t("Udsatte byområder", "Udsatte byområder"),
            ctx.t("udpegningen", "the designation of"),
            escape(spec),
            r.designated_areas.len()
        );
        for a in &r.designated_areas {
            let _ = write!(
                b,
                "<section class=\"report-area report-block\" id=\"byomraade-{}\" data-byomraade=\"{}\"><h3>{}{}</h3>",
                escape(&a.id),
                escape(&a.id),
                escape(&a.name),
                if a.name == a.id {
                    String::new()
                } else {
                    format!(" <span class=\"muted\">· {}</span>", escape(&a.id))
                }
            );
            if a.figures.is_empty() {
                let _ = write!(
                    b,
                    "<p class=\"muted\">{}</p>",
                    ctx.t(
                        "Ingen tal for byområdet det år.",
                        "No figures for the area that year."
                    )
                );
            } else {
                b.push_str(&figures_table(ctx, &a.id, r.data_year, &a.figures));
            }
            if a.initiatives.is_empty() {
                let _ = write!(
                    b,
                    "<p class=\"muted\">{}</p>",
                    ctx.t(
                        "Ingen indsats i handleplanen arbejder i byområdet.",
                        "No initiative of the action plan works in the area."
                    )
                );
            } else {
                b.push_str(&initiative_table(
                    ctx,
                    dash,
                    r,
                    &format!("ini-byomraade-{}", a.id),
                    ctx.t(
                        "Indsatser i byområdet (navngivet eller alle udsatte områder)",
                        "Initiatives in the area (named, or all designated areas)",
                    ),
                    &a.initiatives,
                    n_versions > 1,
                ));
            }
            b.push_str("</section>");
        }
        b.push_str("</section>");
    }

    // The estates on a state list that year.
    let _ = write!(
        b,
        "<section class=\"report-areas\" id=\"areas\"><h2>{} {year} ({})</h2>",
        ctx.t(
            "Områder på en statslig liste i listeåret",
            "Areas on a state list in list year"
        ),
        r.listed_areas.len()
    );
    if r.listed_areas.is_empty() {
        let _ = write!(
            b,
            "<p class=\"muted\">{}</p>",
            ctx.t(
                "Intet område var på en liste det år.",
                "No area was on a list that year."
            )
        );
    }
    for a in &r.listed_areas {
        let id = &a.id;
        let _ = write!(
            b,
            "<section class=\"report-area report-block\" id=\"area-{}\" data-area=\"{}\"><h3><a href=\"{}\">{}</a> <span class=\"muted\">· {} · {}</span></h3><p>{}: {}</p>",
            escape(id),
            escape(id),
            escape(&ctx.href(&format!("/areas/{id}?year={year}"))),
            escape(&a.name),
            escape(&a.municipality),
            escape(id),
            ctx.t("Lister", "Lists"),
            a.lists
                .iter()
                .map(|l| badge(dash, l, ctx))
                .collect::<Vec<_>>()
                .join(" ")
        );
        match &a.numbers {
            Some(numbers) => b.push_str(&key_table(ctx, id, year, numbers)),
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
        if a.helhedsplaner.is_empty() {
            let _ = write!(
                b,
                "<p class=\"muted\">{}</p>",
                ctx.t(
                    "Ingen boligsocial helhedsplan på området.",
                    "No boligsocial helhedsplan on the area."
                )
            );
        }
        for hp in &a.helhedsplaner {
            b.push_str(&helhedsplan_block(ctx, hp, round, year));
        }
        if a.initiatives.is_empty() {
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
                r,
                &format!("ini-area-{id}"),
                ctx.t(
                    "Indsatser i området (navngivet eller alle udsatte områder)",
                    "Initiatives in the area (named, or all designated areas)",
                ),
                &a.initiatives,
                n_versions > 1,
            ));
        }
        b.push_str("</section>");
    }
    b.push_str("</section>");

    // Helhedsplaner on areas that were on no list that year: their indicators all the same.
    if !r.other_helhedsplaner.is_empty() {
        let _ = write!(
            b,
            "<section class=\"report-areas\" id=\"other-helhedsplaner\"><h2>{} {year}</h2>",
            ctx.t(
                "Helhedsplaner på områder uden for listerne i",
                "Helhedsplaner on areas on no list in"
            )
        );
        for hp in &r.other_helhedsplaner {
            let _ = write!(
                b,
                "<section class=\"report-block\"><h3><a href=\"{}\">{}</a></h3>{}</section>",
                escape(&ctx.href(&format!("/areas/{}?year={year}", hp.plan.area_id))),
                escape(&hp.area_name),
                helhedsplan_block(ctx, hp, round, year)
            );
        }
        b.push_str("</section>");
    }
    b.push_str("</div>");
    (title, b)
}

/// The status report of list year `year` (the latest when `None`) as one standalone HTML file
/// for `kvarter plans report`: the same model and the same layout as `/plans/report`, with the
/// dashboard's stylesheet inlined (A4 print rules included), no script, no navigation and
/// nothing fetched from elsewhere. Errors are the page's, as text.
pub fn report_html(
    conn: &Connection,
    year: Option<i32>,
    lang: kvarter_report::Lang,
    min_count: u64,
) -> Result<String, String> {
    let policy = kvarter_view::Policy::new(min_count);
    let dash = Dash::read(conn, &policy)?;
    let ctx = Ctx::new(lang, min_count);
    let r = build(conn, &policy, year).map_err(|e| e.message)?;
    let (title, body) = render(&dash, &ctx, &r, false);
    let lang = match lang {
        kvarter_report::Lang::Da => "da",
        kvarter_report::Lang::En => "en",
    };
    Ok(format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{t} · kvarter</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n\
<main id=\"main\">\n<h1>{t}</h1>\n{body}\n</main>\n\
<footer class=\"site\"><p>{footer}</p></footer>\n</body>\n</html>\n",
        t = escape(&title),
        css = crate::STYLE_CSS,
        footer = ctx.t(
            "Tal under mindstetallet er undertrykt og vist som «&lt; N». Skrevet af kvarter plans report.",
            "Counts under the minimum are suppressed and shown as “&lt; N”. Written by kvarter plans report."
        ),
    ))
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
