//! The area profile page: status, explanation, criteria with margins, the list history, the
//! screening units inside the area and the charts of its measures.

use crate::dash::{Ctx, Dash, Td, badge, table, year_form};
use crate::pages::{PageError, criteria, not_found, unit_of};
use crate::svg::{self, escape};
use kvarter_rules::Decimal;
use kvarter_view::View;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

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
    b.push_str(&locator(dash, ctx, id));

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

/// Where the area lies: a small map of its municipality (the municipal, district and coast
/// outlines and names) with the area marked; nothing when the store has no boundaries or no
/// geometry for the area.
fn locator(dash: &Dash, ctx: &Ctx, id: &str) -> String {
    let (Some(u), Some(info)) = (dash.underlay(), dash.areas.get(id)) else {
        return String::new();
    };
    let Some(g) = &info.geometry else {
        return String::new();
    };
    let Some(area) = svg::bbox(g) else {
        return String::new();
    };
    let muni = u.outline(svg::Layer::Municipality, &info.municipality);
    // The municipality around the area, or (no such outline) 5 km around it.
    let b = muni.map_or(
        [
            area[0] - 5_000.0,
            area[1] - 5_000.0,
            area[2] + 5_000.0,
            area[3] + 5_000.0,
        ],
        |m| {
            let m = m.bbox();
            [
                m[0].min(area[0]),
                m[1].min(area[1]),
                m[2].max(area[2]),
                m[3].max(area[3]),
            ]
        },
    );
    let pad = 0.04 * (b[2] - b[0]).max(b[3] - b[1]);
    let place = muni.map_or(info.municipality.as_str(), |m| m.name.as_str());
    let label = format!(
        "{} {} {} {place}",
        ctx.t("Kort over, hvor", "Map of where"),
        info.name,
        ctx.t("ligger i", "lies in")
    );
    let svg = svg::map(
        &[svg::Shape {
            id,
            href: None,
            class: "st-here",
            title: &info.name,
            geometry: g,
        }],
        &svg::MapOptions {
            width: 480,
            height: 340,
            label: &label,
            scale_label: "km",
            underlay: Some(u),
            extent: Some([b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]),
        },
    )
    .replacen("<svg ", "<svg id=\"locator\" ", 1);
    format!(
        "<section aria-labelledby=\"locator-h\"><h2 id=\"locator-h\">{}</h2><figure class=\"locator\">{svg}<figcaption>{} {}</figcaption></figure></section>",
        ctx.t("Placering", "Location"),
        escape(&info.name),
        escape(&format!("{} {place}", ctx.t("i", "in")))
    )
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
