//! Plans and goals: the stored plan files (kvarter-plans) with every indicator's progress
//! computed from the area-year table, and the page that shows them.

use crate::dash::{Ctx, Td, table};
use crate::edit::url_encode;
use crate::pages::PageError;
use crate::svg::escape;
use kvarter_plans::progress::Status;
use kvarter_plans::{
    Areas, Indicator, InitiativeStatus, Measure, Plans, Population, Progress, Target,
};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::fmt::Write;

pub use kvarter_view::plans::Tracked;

/// The areas on a state list in the store's latest list year: what an indicator's `*` means.
pub(crate) fn listed_in_latest(conn: &Connection) -> Result<Vec<String>, String> {
    kvarter_store::dashboard::listed_in_latest(conn).map_err(|e| format!("reading the store: {e}"))
}

/// What the plans are measured from, read from the store: the area-years, the estates listed
/// in the latest list year, and the population counts of the latest designation round.
pub(crate) struct Measured {
    observations: Vec<kvarter_rules::Observation>,
    listed: Vec<String>,
    pub(crate) counted: kvarter_view::population::Counted,
}

impl Measured {
    pub(crate) fn read(conn: &Connection) -> Result<Measured, String> {
        let e = |e: rusqlite::Error| format!("reading the store: {e}");
        Ok(Measured {
            observations: crate::dash::observations(conn, None)?,
            listed: listed_in_latest(conn)?,
            counted: kvarter_view::population::Counted::latest_round(
                &kvarter_store::dashboard::population_counts(conn).map_err(e)?,
            ),
        })
    }

    pub(crate) fn data(&self) -> kvarter_view::plans::Data<'_> {
        kvarter_view::plans::Data {
            observations: &self.observations,
            listed: &self.listed,
            counted: &self.counted,
        }
    }
}

/// Every indicator's progress from the store ([`kvarter_view::plans::progress_up_to`]).
pub(crate) fn progress_up_to(
    conn: &Connection,
    policy: &kvarter_view::Policy,
    plans: &Plans,
    up_to: Option<i32>,
) -> Result<BTreeMap<String, Progress>, String> {
    let m = Measured::read(conn)?;
    kvarter_view::plans::progress_up_to(&m.data(), policy, plans, up_to)
}

/// Computes every indicator's progress from the store ([`kvarter_view::plans::track`]).
pub fn track(
    conn: &Connection,
    policy: &kvarter_view::Policy,
    plans: &mut Plans,
) -> Result<Tracked, String> {
    let e = |e: rusqlite::Error| format!("reading the store: {e}");
    let latest = kvarter_store::dashboard::latest_list_year(conn).map_err(e)?;
    let m = Measured::read(conn)?;
    kvarter_view::plans::track(&m.data(), policy, plans, latest)
}

/// The stored plan files, parsed; `None` when the store has none.
pub fn stored(conn: &Connection) -> Result<Option<Plans>, String> {
    let files = kvarter_store::dashboard::plan_files(conn)
        .map_err(|e| format!("reading the store: {e}"))?;
    kvarter_view::plans::stored(&files)
}

/// The notice of a store without plans (as on `/plans`).
pub(crate) fn no_plans(ctx: &Ctx) -> String {
    format!(
        "<p class=\"notice\" id=\"no-plans\">{}</p>",
        ctx.t(
            "Lageret har ingen planer. Skriv dem med `kvarter plans seed` og indlæs dem med `kvarter load --plans DIR`.",
            "The store has no plans. Write them with `kvarter plans seed` and load them with `kvarter load --plans DIR`."
        )
    )
}

/// The badge of an indicator's verdict (text and colour both say it).
pub(crate) fn status_badge(ctx: &Ctx, p: Option<&Progress>) -> String {
    let (class, da, en) = match p.map(|p| p.status) {
        Some(Status::OnTrack) => ("on-track", "på rette vej", "on track"),
        Some(Status::Reached) => ("on-track", "nået", "reached"),
        Some(Status::OffTrack) => ("off-track", "ikke på rette vej", "off track"),
        Some(Status::NoBaseline) => ("unknown", "intet udgangspunkt", "no baseline"),
        Some(Status::NoData) | None => ("unknown", "ingen data", "no data"),
    };
    format!(
        "<span class=\"badge status-{class}\">{}</span>",
        ctx.t(da, en)
    )
}

/// The mark of an illustrative part.
pub(crate) fn mark(ctx: &Ctx, illustrative: bool) -> &'static str {
    if illustrative {
        ctx.t(
            " <span class=\"badge illustrative\" title=\"Ikke fra en offentliggjort kilde\">illustrativ</span>",
            " <span class=\"badge illustrative\" title=\"Not from a published source\">illustrative</span>",
        )
    } else {
        ""
    }
}

/// An initiative's status in words.
pub(crate) fn initiative_status(ctx: &Ctx, s: InitiativeStatus) -> &'static str {
    match s {
        InitiativeStatus::Planned => ctx.t("planlagt", "planned"),
        InitiativeStatus::Running => ctx.t("i gang", "running"),
        InitiativeStatus::Completed => ctx.t("afsluttet", "completed"),
        InitiativeStatus::Stopped => ctx.t("stoppet", "stopped"),
    }
}

/// A link to the form that edits a row, for editors (empty for everyone else).
fn edit_link(ctx: &Ctx, table: &str, id: &str, scope: Option<&str>) -> String {
    if !ctx.can_edit() {
        return String::new();
    }
    let q = scope.map_or_else(String::new, |s| format!("?in={}", url_encode(s)));
    format!(
        " <a class=\"edit-link\" href=\"{}\" title=\"{} {}\">{}</a>",
        escape(&ctx.href(&format!("/plans/edit/{table}/{}{q}", url_encode(id)))),
        ctx.t("Rediger", "Edit"),
        escape(id),
        ctx.t("Rediger", "Edit")
    )
}

/// A link to the form that adds a row under `parent`, for editors.
fn add_link(ctx: &Ctx, table: &str, parent: &str, da: &str, en: &str) -> String {
    if !ctx.can_edit() {
        return String::new();
    }
    format!(
        " <a class=\"edit-link add\" href=\"{}\">+ {}</a>",
        escape(&ctx.href(&format!("/plans/new/{table}?parent={}", url_encode(parent)))),
        ctx.t(da, en)
    )
}

/// The people an indicator is measured on, in words.
pub(crate) fn population_label(ctx: &Ctx, i: &Indicator, round: Option<&(String, i32)>) -> String {
    match &i.population {
        Population::Designated => match round {
            Some((spec, year)) => format!(
                "{} ({} {year}, <code>{}</code>)",
                ctx.t("de udsatte byområder", "the udsatte byområder"),
                ctx.t("udpegningen", "the designation of"),
                escape(spec)
            ),
            None => ctx
                .t("de udsatte byområder", "the udsatte byområder")
                .into(),
        },
        Population::Area(id) => format!(
            "{} <code>{}</code>",
            ctx.t("byområdet", "the area"),
            escape(id)
        ),
        Population::Municipality => ctx.t("hele kommunen", "the whole municipality").into(),
        Population::StateListed => ctx
            .t(
                "boligområderne på en statslig liste",
                "the housing estates on a state list",
            )
            .into(),
        Population::Estates => match &i.areas {
            Areas::Listed(ids) => format!(
                "{} {}",
                ctx.t("boligområderne", "the housing estates"),
                ids.iter()
                    .map(|a| format!("<code>{}</code>", escape(a)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Areas::All => ctx.t("boligområderne", "the housing estates").into(),
        },
    }
}

/// What an indicator's value is compared with, in words: the rest of the same whole.
pub(crate) fn comparator_label(ctx: &Ctx, i: &Indicator) -> &'static str {
    if i.measure.is_area_year() {
        ctx.t("de øvrige boligområder", "the other housing estates")
    } else if i.population == Population::Municipality || i.measure == Measure::NoSource {
        "–"
    } else {
        ctx.t("resten af kommunen", "the rest of the municipality")
    }
}

fn indicator_rows(ctx: &Ctx, indicators: &[Indicator], tracked: &Tracked) -> Vec<Vec<Td>> {
    let num = |d: kvarter_plans::Decimal| ctx.num(&d.to_string(), 2);
    indicators
        .iter()
        .map(|i| {
            let p = tracked.progress.get(&i.id);
            let no_source = i.measure == Measure::NoSource;
            vec![
                Td::html(format!(
                    "<span id=\"{}\">{}</span>{}{}",
                    escape(&i.id),
                    escape(&i.name),
                    mark(ctx, i.illustrative),
                    edit_link(ctx, "indicators", &i.id, None)
                )),
                Td::html(format!(
                    "{}<br><code>{}</code>",
                    population_label(ctx, i, tracked.round.as_ref()),
                    escape(i.measure.as_str())
                )),
                Td::html(
                    i.baseline
                        .as_ref()
                        .map_or("–".into(), |b| format!("{} ({})", num(b.value), b.year)),
                ),
                Td::html(match &i.target {
                    Some(Target::Value { value, year }) => format!("{} ({year})", num(*value)),
                    Some(Target::CityAverage { year }) => {
                        format!("{} ({year})", comparator_label(ctx, i))
                    }
                    None => "–".into(),
                }),
                Td::html(if no_source {
                    format!(
                        "<span class=\"no-source\">{}</span> {}",
                        ctx.t("ingen datakilde:", "no data source:"),
                        escape(&i.data_source)
                    )
                } else {
                    p.and_then(|p| p.latest)
                        .map_or("–".into(), |(y, v)| format!("{} ({y})", num(v)))
                }),
                Td::html(match p.and_then(|p| p.comparator) {
                    Some(c) => format!(
                        "{} <span class=\"muted\">({})</span>",
                        num(c),
                        comparator_label(ctx, i)
                    ),
                    None => "–".into(),
                }),
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
                Td::html(if no_source {
                    format!(
                        "<span class=\"badge status-unknown\">{}</span>",
                        ctx.t("ingen datakilde", "no data source")
                    )
                } else {
                    status_badge(ctx, p)
                }),
            ]
        })
        .collect()
}

fn indicator_head(ctx: &Ctx) -> Vec<String> {
    [
        ("Indikator", "Indicator"),
        ("Målt på", "Measured on"),
        ("Udgangspunkt", "Baseline"),
        ("Mål", "Target"),
        ("Seneste", "Latest"),
        ("Resten (samme år)", "The rest (same year)"),
        ("Forskel (og tidligere)", "Gap (and earlier)"),
        ("Krævet nu", "Required now"),
        ("Status", "Status"),
    ]
    .iter()
    .map(|(d, e)| ctx.t(d, e).to_string())
    .collect()
}

/// The plans page: goals with their indicators' progress, the action plans' initiatives, and the
/// helhedsplaner, challenge by challenge.
pub fn page(
    conn: &Connection,
    ctx: &Ctx,
    saved: Option<i64>,
    q: &std::collections::HashMap<String, String>,
) -> Result<(String, String), PageError> {
    let title = ctx.t("Planer og mål", "Plans and goals").to_string();
    let Some(mut plans) = stored(conn)? else {
        return Ok((title, no_plans(ctx)));
    };
    let measured = Measured::read(conn)?;
    let latest = kvarter_store::dashboard::latest_list_year(conn)
        .map_err(|e| format!("reading the store: {e}"))?;
    let tracked = kvarter_view::plans::track(&measured.data(), &ctx.policy(), &mut plans, latest)?;
    let mut b = format!(
        "<p class=\"lead\">{}</p>",
        ctx.t(
            "Hver indikator er målt på den befolkning, den nævner, og sammenlignes kun med resten af samme helhed i samme år: de udsatte byområder med resten af kommunen, boligområder med de øvrige boligområder. Tabellen viser den seneste værdi, resten, forskellen (og forskellen ved udgangspunktet), og den værdi en ret linje fra udgangspunktet til målet kræver i dag – beregnet af data, ikke indtastet. Screeningens indikatorer har dataår, statens tabel listeår. Dele mærket «illustrativ» er ikke fra en offentliggjort kilde.",
            "Each indicator is measured on the population it names and compared only with the rest of the same whole in the same year: the udsatte byområder with the rest of the municipality, housing estates with the other estates. The table shows the latest value, the rest, the gap (and the gap at the baseline), and the value a straight line from the baseline to the target requires today: computed from the data, not typed in. The screening's indicators have data years, the state's table list years. Parts marked “illustrative” are not from a published source."
        )
    );
    if let Some(n) = saved {
        let _ = write!(
            b,
            "<p class=\"notice saved\" role=\"status\" id=\"saved\">{} {n}. <a href=\"{}\">{}</a></p>",
            ctx.t("Gemt som ændring nr.", "Saved as change no."),
            escape(&ctx.href("/plans/audit")),
            ctx.t("Se ændringsloggen", "See the audit log")
        );
    }
    let mut tools = vec![
        (
            ctx.href("/plans/report"),
            ctx.t("Statusrapport (til udskrift)", "Status report (printable)"),
        ),
        (
            ctx.href("/plans/compare"),
            ctx.t(
                "Sammenlign handleplanens versioner",
                "Compare action plan versions",
            ),
        ),
        (
            "/plans/download?format=xlsx".to_string(),
            ctx.t("Hent som Excel (XLSX)", "Download as Excel (XLSX)"),
        ),
    ];
    if ctx.signed.is_some() {
        tools.push((ctx.href("/plans/audit"), ctx.t("Ændringslog", "Audit log")));
    }
    if ctx
        .signed
        .as_ref()
        .is_some_and(|s| s.role == kvarter_store::auth::Role::Administrator)
    {
        tools.push((ctx.href("/admin/users"), ctx.t("Brugere", "Users")));
    }
    let _ = write!(
        b,
        "<nav class=\"tools\" aria-label=\"{}\"><ul>{}</ul></nav>",
        ctx.t("Planværktøjer", "Plan tools"),
        tools
            .iter()
            .map(|(h, l)| format!("<li><a href=\"{}\">{}</a></li>", escape(h), l))
            .collect::<String>()
    );
    let _ = write!(
        b,
        "<p class=\"hint\">{}: {}</p>",
        ctx.t(
            "Hver tabel som CSV (som `kvarter plans export` skriver den)",
            "Each table as CSV (as `kvarter plans export` writes it)"
        ),
        kvarter_plans::edit::TABLES
            .iter()
            .map(|t| format!(
                "<a href=\"/plans/download?format=csv&amp;table={}\">{}</a>",
                t.name, t.name
            ))
            .collect::<Vec<_>>()
            .join(" · ")
    );
    b.push_str(&crate::policy::section(
        conn,
        ctx,
        &measured.counted,
        q,
        true,
    )?);
    if !plans.helhedsplaner.is_empty() {
        let _ = write!(
            b,
            "<p class=\"toc\">{}: {}</p>",
            ctx.t("Helhedsplaner", "Helhedsplaner"),
            plans
                .helhedsplaner
                .iter()
                .map(|h| format!("<a href=\"#{}\">{}</a>", escape(&h.id), escape(&h.name)))
                .collect::<Vec<_>>()
                .join(" · ")
        );
    }
    if let Some((year, n)) = tracked.filled_from {
        let _ = write!(
            b,
            "<p class=\"notice\">{n} {} {year} {}</p>",
            ctx.t(
                "udgangspunkter, som planerne ikke angiver, er taget fra data for listeåret",
                "baselines the plans do not give are taken from the data of list year"
            ),
            ctx.t("(illustrativt).", "(illustrative).")
        );
    }
    for policy in &plans.policies {
        let _ = write!(
            b,
            "<section id=\"{}\"><h2>{} ({}–{}){}{}</h2>",
            escape(&policy.id),
            escape(ctx.t(&policy.name, &policy.name_en)),
            policy.period.from,
            policy.period.to,
            mark(ctx, policy.illustrative),
            edit_link(ctx, "policies", &policy.id, None)
        );
        for goal in &policy.goals {
            let _ = write!(
                b,
                "<h3>{}{}{}</h3>",
                escape(ctx.t(&goal.name, &goal.name_en)),
                mark(ctx, goal.illustrative),
                edit_link(ctx, "goals", &goal.id, None)
            );
            for sub in &goal.sub_goals {
                let _ = write!(
                    b,
                    "<h4>{}{}{}{}</h4>",
                    escape(ctx.t(&sub.name, &sub.name_en)),
                    mark(ctx, sub.illustrative),
                    edit_link(ctx, "subgoals", &sub.id, None),
                    add_link(ctx, "indicators", &sub.id, "indikator", "indicator")
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
                    b.push_str(&table(
                        &format!("ind-{}", sub.id),
                        ctx.t("Indikatorer", "Indicators"),
                        &indicator_head(ctx),
                        &indicator_rows(ctx, &sub.indicators, &tracked),
                    ));
                }
            }
        }
        b.push_str("</section>");
    }
    // The action plans, newest version first.
    let mut versions: Vec<&kvarter_plans::ActionPlanVersion> = plans.action_plans.iter().collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    for v in versions {
        let rows: Vec<Vec<Td>> = v
            .initiatives
            .iter()
            .map(|i| {
                vec![
                    Td::html(format!(
                        "<span title=\"{}\">{}</span>{}{}",
                        escape(&i.description),
                        escape(&i.name),
                        mark(ctx, i.illustrative),
                        edit_link(ctx, "initiatives", &i.id, Some(&v.id))
                    )),
                    Td::text(i.owner.name()),
                    Td::text(&i.partners.join(", ")),
                    Td::text(&match &i.areas {
                        Areas::All => ctx
                            .t("alle udsatte områder", "all vulnerable areas")
                            .to_string(),
                        Areas::Listed(a) => a.join(", "),
                    }),
                    Td::text(&i.sub_goals.join(", ")),
                    Td::text(&format!("{}–{}", i.period.from, i.period.to)),
                    Td::text(initiative_status(ctx, i.status)),
                ]
            })
            .collect();
        let _ = write!(
            b,
            "<section id=\"{}\"><h2>{} ({} {}, {}–{}){}{}{}</h2>{}</section>",
            escape(&v.id),
            escape(&v.name),
            ctx.t("version", "version"),
            v.version,
            v.period.from,
            v.period.to,
            mark(ctx, v.illustrative),
            edit_link(ctx, "action_plans", &v.id, None),
            add_link(ctx, "initiatives", &v.id, "indsats", "initiative"),
            table(
                &format!("initiatives-{}", v.id),
                ctx.t("Indsatser", "Initiatives"),
                &[
                    ctx.t("Indsats", "Initiative").into(),
                    ctx.t("Ansvarlig forvaltning", "Owning administration")
                        .into(),
                    ctx.t("Partnere", "Partners").into(),
                    ctx.t("Områder", "Areas").into(),
                    ctx.t("Delmål", "Sub-goals").into(),
                    ctx.t("Periode", "Period").into(),
                    ctx.t("Status", "Status").into(),
                ],
                &rows
            )
        );
    }
    for hp in &plans.helhedsplaner {
        let _ = write!(
            b,
            "<section id=\"{}\" class=\"helhedsplan\"><h2>{}{}{}{}</h2><p>{} <a href=\"{}\">{}</a> · {} · {}–{} · {}: {} DKK · {}: {} DKK</p>",
            escape(&hp.id),
            escape(&hp.name),
            mark(ctx, hp.illustrative),
            edit_link(ctx, "helhedsplaner", &hp.id, None),
            add_link(ctx, "hp_challenges", &hp.id, "udfordring", "challenge"),
            ctx.t("Område", "Area"),
            escape(&ctx.href(&format!("/areas/{}", hp.area_id))),
            escape(&hp.area_id),
            escape(&hp.housing_organisation),
            hp.period.from,
            hp.period.to,
            ctx.t("Landsbyggefonden", "Landsbyggefonden"),
            ctx.num(&hp.lbf_grant_dkk.to_string(), 0),
            ctx.t("kommunal medfinansiering", "municipal co-financing"),
            ctx.num(&hp.municipal_cofinancing_dkk.to_string(), 0),
        );
        for ch in &hp.challenges {
            let _ = write!(
                b,
                "<h3>{}: {}{}{}</h3>",
                ctx.t("Udfordring", "Challenge"),
                escape(&ch.text),
                edit_link(ctx, "hp_challenges", &ch.id, None),
                add_link(ctx, "hp_goals", &ch.id, "mål", "goal")
            );
            for g in &ch.goals {
                let _ = write!(
                    b,
                    "<h4>{}: {}{}{}{}</h4><ul class=\"actions\">{}</ul>",
                    ctx.t("Mål", "Goal"),
                    escape(&g.text),
                    edit_link(ctx, "hp_goals", &g.id, None),
                    add_link(ctx, "hp_actions", &g.id, "handling", "action"),
                    add_link(ctx, "indicators", &g.id, "indikator", "indicator"),
                    g.actions
                        .iter()
                        .map(|a| format!(
                            "<li id=\"{}\"><span class=\"action-name\">{}</span>{}{}{}</li>",
                            escape(&a.id),
                            escape(&a.name),
                            if a.description.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    " – <span class=\"muted\">{}</span>",
                                    escape(&a.description)
                                )
                            },
                            mark(ctx, a.illustrative),
                            edit_link(ctx, "hp_actions", &a.id, None)
                        ))
                        .collect::<String>()
                );
                if !g.indicators.is_empty() {
                    b.push_str(&table(
                        &format!("ind-{}", g.id),
                        ctx.t("Målt ved", "Measured by"),
                        &indicator_head(ctx),
                        &indicator_rows(ctx, &g.indicators, &tracked),
                    ));
                }
            }
        }
        b.push_str("</section>");
    }
    Ok((title, b))
}
