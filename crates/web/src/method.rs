//! The methodology page: every rule set of the catalog as the law reads, for a lawyer checking
//! the code against the statute. Each criterion with the paragraph, the law's own words, the
//! comparison exactly as the law writes it (`>` for "overstiger", `≥` for "mindst"), the
//! averaging window and where the words were read; the origin criteria in a separate, marked
//! part that can be switched off; each list with its condition, exclusions, streak and what
//! becomes of it without the origin criterion; and how the criteria are measured.
//!
//! The law's words are Danish on the English page too, and are marked `lang="da"`.

use crate::dash::{Ctx, Dash, Td, table, wrapped};
use crate::svg::escape;
use kvarter_report::{Lang, number};
use kvarter_rules::{
    Average, BasicEducation, Criterion, ListDef, RuleSet, Threshold, Unit, WithoutOrigin,
};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The page "Metode og regler" / "Methodology and rules": `(title, body html)`.
///
/// `hashes` maps a rule set's id to the SHA-256 of its rule file's text, as the store holds it
/// (`rule_sets.content_hash`); a rule set without one shows "–".
pub fn methodology(dash: &Dash, ctx: &Ctx, hashes: &BTreeMap<String, String>) -> (String, String) {
    let title = ctx
        .t("Metode og regler", "Methodology and rules")
        .to_string();
    let rule_sets = dash.catalog.rule_sets();
    let mut b = String::new();
    intro(&mut b, ctx);
    contents(&mut b, ctx, rule_sets, hashes);
    for rs in rule_sets {
        rule_set(
            &mut b,
            dash,
            ctx,
            rs,
            hashes.get(&rs.id).map(String::as_str),
        );
    }
    (title, b)
}

/// How to read the page, the exactness of the comparisons, and the legal caveat.
fn intro(b: &mut String, ctx: &Ctx) {
    let _ = write!(
        b,
        "<p class=\"lead\">{}</p>",
        ctx.t(
            "Denne side viser hvert regelsæt, som kvarter anvender det, side om side med lovens egne ord, så man kan kontrollere koden mod loven linje for linje. Hvert regelsæt er en datafil; siden er tegnet ud fra netop de filer, lageret blev indlæst med.",
            "This page shows every rule set as kvarter applies it, side by side with the law's own words, so that the code can be checked against the statute line by line. Each rule set is a data file; the page is drawn from exactly the files the store was loaded with."
        )
    );
    let _ = write!(
        b,
        "<section class=\"notice\" aria-labelledby=\"read-h\"><h2 id=\"read-h\">{}</h2><ul>\
         <li>{}</li><li>{}</li><li>{}</li><li>{}</li><li>{}</li></ul></section>",
        ctx.t("Sådan læses siden", "How to read this page"),
        ctx.t(
            "<strong>&gt;</strong> betyder »overstiger« (strengt større end), <strong>≥</strong> »mindst« eller »udgør mindst« (større end eller lig med), <strong>&lt;</strong> »mindre end« og <strong>≤</strong> »højst«. Hvert kriterium har præcis den sammenligning, som lovens ord bruger: 40,0 % overstiger ikke 40 %, men 2,40 % er »mindst tre gange« 0,80 %.",
            "<strong>&gt;</strong> means “overstiger” (strictly greater than), <strong>≥</strong> “mindst” or “udgør mindst” (greater than or equal to), <strong>&lt;</strong> “mindre end” (less than) and <strong>≤</strong> “højst” (at most). Every criterion has exactly the comparison the law's words use: 40.0 % does not exceed 40 %, but 2.40 % is “at least three times” 0.80 %."
        ),
        ctx.t(
            "Værdier og grænser sammenlignes som eksakte decimaltal, aldrig som afrundede kommatal: en værdi afrundes først, når den vises. Grænser står i regelfilerne som tekst (\"40\", \"0.80\"), netop som loven skriver dem.",
            "Values and thresholds are compared as exact decimals, never as rounded floating-point numbers: a value is rounded only when it is shown. Thresholds are written in the rule files as text (\"40\", \"0.80\"), exactly as the law writes them."
        ),
        ctx.t(
            "Lovens ord citeres ordret og er på dansk også på den engelske side. Under hvert citat står, hvor ordene er læst, og om de er lovens egne eller fx ministeriets gengivelse.",
            "The law's words are quoted verbatim and are in Danish on the English page too. Each quote says where the words were read, and whether they are the statute's own or, for example, the ministry's rendering."
        ),
        ctx.t(
            "»Betingelse« er listens sammensætning i kvarters notation: <code>2 of [a, b, c]</code> betyder mindst to af kriterierne; et navn kan også være en anden liste i samme regelsæt.",
            "“Condition” is the list's composition in kvarter's notation: <code>2 of [a, b, c]</code> means at least two of the criteria; a name may also be another list of the same rule set."
        ),
        ctx.t(
            "Indholdshashen (SHA-256 af regelfilens tekst) identificerer præcis den regelfil, lageret er beregnet med; den står også i lagerets manifest.",
            "The content hash (SHA-256 of the rule file's text) identifies exactly the rule file the store was computed with; it is also in the store's manifest."
        ),
    );
    let _ = write!(
        b,
        "<section class=\"notice\" aria-labelledby=\"caveat-h\"><h2 id=\"caveat-h\">{}</h2><p>{}</p><p><a href=\"{}\">{}</a></p></section>",
        ctx.t(
            "Et juridisk forbehold om oprindelse",
            "A legal caveat about origin"
        ),
        caveat(ctx),
        escape(&ctx.href("/lists?without_origin=1")),
        ctx.t(
            "Se listerne uden oprindelseskriteriet",
            "See the lists without the origin criterion"
        )
    );
}

/// The legal caveat on the origin criterion, as the domain brief states it (§ 2.5).
fn caveat(ctx: &Ctx) -> &'static str {
    ctx.t(
        "Den 18. december 2025 fandt EU-Domstolen (Store Afdeling, sag C-417/23), at den danske ordning udgør direkte forskelsbehandling på grund af etnisk oprindelse, for så vidt udpegningen hviler på andelen af »ikke-vestlige« beboere; sagerne går tilbage til den danske domstol. kvarter anvender loven, som den er vedtaget, men oprindelseskriteriet er en særskilt, dateret del af hvert regelsæt, som kan slås fra; hver liste kan vises med og uden kriteriet; og oprindelse behandles og vises kun som en andel for hele området.",
        "On 18 December 2025 the EU Court of Justice (Grand Chamber, case C-417/23) held that the Danish scheme amounts to direct discrimination on grounds of ethnic origin insofar as designation rests on the share of “non-Western” residents; the cases return to the Danish court. kvarter implements the law as enacted, but the origin criterion is a separate, dated part of each rule set that can be switched off; every list can be shown with and without it; and origin is only ever processed and shown as an area-level aggregate.",
    )
}

/// The table of contents with each rule set's list years and content hash.
fn contents(b: &mut String, ctx: &Ctx, rule_sets: &[RuleSet], hashes: &BTreeMap<String, String>) {
    let _ = write!(
        b,
        "<nav class=\"toc\" aria-labelledby=\"toc-h\"><h2 id=\"toc-h\">{}</h2><ol>",
        ctx.t("Regelsæt", "Rule sets")
    );
    for rs in rule_sets {
        let _ = write!(
            b,
            "<li><a href=\"#{}\">{} — {}</a> ({} {})</li>",
            escape(&rs.id),
            escape(&rs.id),
            escape(ctx.t(&rs.title, &rs.title_en)),
            ctx.t("listerne", "the lists of"),
            escape(&kvarter_report::rules::years(rs))
        );
    }
    b.push_str("</ol></nav>");
    let rows: Vec<Vec<Td>> = rule_sets
        .iter()
        .map(|rs| {
            vec![
                Td::html(format!(
                    "<a href=\"#{}\">{}</a>",
                    escape(&rs.id),
                    escape(&rs.id)
                )),
                Td::text(&rs.family),
                Td::text(&kvarter_report::rules::years(rs)),
                Td::html(
                    hashes
                        .get(&rs.id)
                        .map_or("–".to_string(), |h| format!("<code>{}</code>", escape(h))),
                ),
            ]
        })
        .collect();
    b.push_str(&wrapped(table(
        "rule-files",
        ctx.t(
            "Regelfilerne og deres indholdshash",
            "The rule files and their content hashes",
        ),
        &[
            ctx.t("Regelsæt", "Rule set").to_string(),
            ctx.t("Familie", "Family").to_string(),
            ctx.t("Listeår", "List years").to_string(),
            ctx.t("Indholdshash (SHA-256)", "Content hash (SHA-256)")
                .to_string(),
        ],
        &rows,
    )));
}

/// The law's words, verbatim, marked Danish.
fn quote(text: &str) -> String {
    format!(
        "<blockquote lang=\"da\">{}</blockquote>",
        escape(text.trim())
    )
}

/// "Ordlyden fra: …" under a quote.
fn source_note(ctx: &Ctx, source: &str) -> String {
    if source.trim().is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"muted source\">{}: {}</p>",
        ctx.t("Ordlyden fra", "Words from"),
        escape(source.trim())
    )
}

/// The name of a reference value of a `factor × reference` threshold, as the law says it.
fn reference_name(reference: &str, lang: Lang) -> String {
    if reference.contains("national") {
        lang.t("landsgennemsnittet", "the national average")
            .to_string()
    } else if reference.contains("region") {
        lang.t("regionens gennemsnit", "the regional mean")
            .to_string()
    } else {
        reference.to_string()
    }
}

/// The comparison as the law writes it: the operator and the threshold, e.g. `> 40 %`,
/// `≥ 3 × landsgennemsnittet`, `< 55 % af regionens gennemsnit`. Plain text, not escaped.
pub fn law_comparison(c: &Criterion, lang: Lang) -> String {
    let unit = match c.unit {
        Unit::Percent => " %",
        Unit::PercentOfReference => lang.t(" % af regionens gennemsnit", " % of the regional mean"),
        Unit::Persons => lang.t(" beboere", " residents"),
    };
    let threshold = match &c.threshold {
        Threshold::Value(v) => format!("{}{unit}", number(*v, lang)),
        Threshold::Per { value, per } => {
            let as_pct = c
                .threshold
                .resolve(|_| None)
                .map(|d| format!(" (= {} %)", number(d.normalize(), lang)))
                .unwrap_or_default();
            format!(
                "{} {} {}{as_pct}",
                number(*value, lang),
                lang.t("pr.", "per"),
                number(*per, lang)
            )
        }
        Threshold::FactorOf { factor, reference } => {
            format!(
                "{} × {}",
                number(*factor, lang),
                reference_name(reference, lang)
            )
        }
    };
    format!("{} {threshold}", c.operator.symbol())
}

/// The criteria of one part of a rule set as a table.
fn criteria_table(ctx: &Ctx, id: &str, caption: &str, criteria: &[Criterion]) -> String {
    let rows: Vec<Vec<Td>> = criteria
        .iter()
        .map(|c| {
            let measurement = if c.measurement.trim().is_empty() {
                String::new()
            } else {
                format!(
                    "<br><small lang=\"da\">{}</small>",
                    escape(c.measurement.trim())
                )
            };
            let window = match c.window_years {
                Some(w) => format!(
                    "{w} {}",
                    ctx.t("år (gennemsnit)", "years (average)")
                ),
                None => ctx
                    .t("– (ét tidspunkt)", "– (a single point in time)")
                    .to_string(),
            };
            vec![
                Td::html(format!("<code>{}</code>", escape(&c.id))),
                Td::text(ctx.t(&c.name, &c.name_en)),
                Td::html(format!(
                    "<span lang=\"da\">{}</span>{measurement}",
                    escape(&c.population)
                )),
                Td::text(&c.paragraph),
                Td::html(format!(
                    "<div class=\"law\" lang=\"da\">»{}«</div>{}",
                    escape(c.text.trim()),
                    source_note(ctx, &c.text_source)
                )),
                Td::html(format!(
                    "<strong class=\"cmp\">{}</strong> <small>(<span lang=\"da\">{}</span>)</small><br><small>{}: <code>{}</code></small>",
                    escape(&law_comparison(c, ctx.lang)),
                    escape(c.operator.danish()),
                    ctx.t("kvarter anvender", "kvarter applies"),
                    escape(&kvarter_report::rules::applied(c, ctx.lang))
                )),
                Td::text(&window),
            ]
        })
        .collect();
    wrapped(table(
        id,
        caption,
        &[
            ctx.t("Id", "Id").to_string(),
            ctx.t("Kriterium", "Criterion").to_string(),
            ctx.t("Målt på", "Population measured").to_string(),
            ctx.t("Paragraf", "Paragraph").to_string(),
            ctx.t("Lovens ord", "The law's words").to_string(),
            ctx.t("Sammenligning", "Comparison").to_string(),
            ctx.t("Gennemsnit over", "Averaged over").to_string(),
        ],
        &rows,
    ))
}

/// One rule set in full.
fn rule_set(b: &mut String, dash: &Dash, ctx: &Ctx, rs: &RuleSet, hash: Option<&str>) {
    let id = escape(&rs.id);
    let _ = write!(
        b,
        "<section class=\"rule-set\" id=\"{id}\" aria-labelledby=\"{id}-h\"><h2 id=\"{id}-h\">{id} — {}</h2>",
        escape(ctx.t(&rs.title, &rs.title_en))
    );
    let _ = write!(
        b,
        "<dl class=\"facts\"><dt>{}</dt><dd>{} ({} {})</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd lang=\"da\">{}</dd><dt>{}</dt><dd>{}</dd></dl>",
        ctx.t("Gælder for listerne", "Governs the lists of"),
        escape(&kvarter_report::rules::years(rs)),
        ctx.t("offentliggøres", "published"),
        escape(&rs.in_force.list_date),
        ctx.t("Familie", "Family"),
        escape(&rs.family),
        ctx.t("Kilde", "Source"),
        escape(&rs.source),
        ctx.t("Indholdshash", "Content hash"),
        hash.map_or("–".to_string(), |h| format!("<code>{}</code>", escape(h))),
    );
    if !rs.description.trim().is_empty() {
        let _ = write!(
            b,
            "<p class=\"description\" lang=\"da\">{}</p>",
            escape(rs.description.trim())
        );
    }
    // The criteria that do not concern origin.
    let _ = write!(
        b,
        "<h3 id=\"{id}-criteria-h\">{}</h3>",
        ctx.t("Kriterier", "Criteria")
    );
    b.push_str(&criteria_table(
        ctx,
        &format!("{}-criteria", rs.id),
        &format!("{} {}", ctx.t("Kriterierne i", "The criteria of"), rs.id),
        &rs.criteria,
    ));
    // The origin criteria, apart.
    let _ = write!(
        b,
        "<section class=\"origin notice\" id=\"{id}-origin\" aria-labelledby=\"{id}-origin-h\"><h3 id=\"{id}-origin-h\">{}</h3>",
        ctx.t(
            "Oprindelseskriteriet — en særskilt, frakoblelig del",
            "The origin criterion — a separate part that can be switched off"
        )
    );
    if rs.origin.is_empty() {
        let _ = write!(
            b,
            "<p>{}</p>",
            ctx.t(
                "Dette regelsæt har intet oprindelseskriterium; dets lister er de samme med og uden.",
                "This rule set has no origin criterion; its lists are the same with and without it."
            )
        );
    } else {
        if !rs.origin_note.trim().is_empty() {
            let _ = write!(b, "<p lang=\"da\">{}</p>", escape(rs.origin_note.trim()));
        }
        // The latest list year of the store this rule set governs, for the link.
        let link = match dash.years.iter().rev().find(|y| rs.in_force.covers(**y)) {
            Some(y) => format!("/lists?year={y}&without_origin=1"),
            None => "/lists?without_origin=1".to_string(),
        };
        let _ = write!(
            b,
            "<p>{} <a href=\"{}\">{}</a> <a href=\"#caveat-h\">{}</a></p>",
            ctx.t(
                "EU-Domstolen (Store Afdeling, sag C-417/23, 18. december 2025): ordningen udgør direkte forskelsbehandling på grund af etnisk oprindelse, for så vidt udpegningen hviler på andelen af »ikke-vestlige« beboere; sagerne går tilbage til den danske domstol.",
                "The EU Court of Justice (Grand Chamber, case C-417/23, 18 December 2025): the scheme amounts to direct discrimination on grounds of ethnic origin insofar as designation rests on the share of “non-Western” residents; the cases return to the Danish court."
            ),
            escape(&ctx.href(&link)),
            ctx.t(
                "Se listerne uden oprindelseskriteriet.",
                "See the lists without the origin criterion."
            ),
            ctx.t("Om forbeholdet.", "About the caveat.")
        );
        b.push_str(&criteria_table(
            ctx,
            &format!("{}-origin-criteria", rs.id),
            &format!(
                "{} {}",
                ctx.t("Oprindelseskriterierne i", "The origin criteria of"),
                rs.id
            ),
            &rs.origin,
        ));
    }
    b.push_str("</section>");
    // The lists.
    let _ = write!(
        b,
        "<h3 id=\"{id}-lists-h\">{}</h3>",
        ctx.t("Lister", "Lists")
    );
    for l in &rs.lists {
        list(b, dash, ctx, rs, l);
    }
    // How the criteria are measured.
    let m = &rs.measurement;
    let average = match m.average {
        Average::MeanOfYears => ctx.t(
            "gennemsnittet af de årlige andele",
            "the mean of the yearly shares",
        ),
        Average::Pooled => ctx.t(
            "én andel af alle årenes personer lagt sammen",
            "one share of the persons of all the years pooled",
        ),
    };
    let basic = match m.basic_education {
        BasicEducation::UnknownCountsAsBasic => ctx.t(
            "enhver kendt uddannelse tæller; ukendt uddannelse tæller som grundskole (2013-modellen)",
            "any known education counts; unknown education counts as basic school (the 2013 model)",
        ),
        BasicEducation::DanishOrApprovedOnly => ctx.t(
            "kun uddannelse taget i Danmark eller godkendt her tæller (2018-modellen og senere)",
            "only education taken in Denmark or approved here counts (the 2018 model on)",
        ),
    };
    let _ = write!(
        b,
        "<h3 id=\"{id}-measurement-h\">{}</h3><dl class=\"facts\"><dt>{}</dt><dd>{average}</dd><dt>{}</dt><dd>{basic}</dd>",
        ctx.t(
            "Opgørelse fra registerdata",
            "Measurement from register data"
        ),
        ctx.t("Gennemsnit over flere år", "Average over several years"),
        ctx.t("Mere end grundskole", "More than basic school"),
    );
    if !m.note.trim().is_empty() {
        let _ = write!(
            b,
            "<dt>{}</dt><dd lang=\"da\">{}</dd>",
            ctx.t("Note", "Note"),
            escape(m.note.trim())
        );
    }
    b.push_str("</dl></section>");
}

/// One list of a rule set.
fn list(b: &mut String, dash: &Dash, ctx: &Ctx, rs: &RuleSet, l: &ListDef) {
    let anchor = escape(&format!("{}-{}", rs.id, l.id));
    let _ = write!(
        b,
        "<article class=\"list-def\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\"><h4 id=\"{anchor}-h\"><span class=\"badge st-{}\">{}</span> <code>{}</code></h4><dl class=\"facts\">",
        escape(&l.id),
        escape(kvarter_report::list_name(l, ctx.lang)),
        escape(&l.id)
    );
    let _ = write!(
        b,
        "<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}{}</dd><dt>{}</dt><dd><code>{}</code></dd>",
        ctx.t("Paragraf", "Paragraph"),
        escape(&l.paragraph),
        ctx.t("Lovens ord", "The law's words"),
        quote(&l.text),
        source_note(ctx, &l.text_source),
        ctx.t(
            "Betingelse (kvarters notation)",
            "Condition (kvarter's notation)"
        ),
        escape(&l.condition_source),
    );
    if !l.excludes.is_empty() {
        let names: Vec<String> = l
            .excludes
            .iter()
            .map(|x| {
                format!(
                    "{} (<code>{}</code>)",
                    escape(&dash.list_name(x, ctx.lang)),
                    escape(x)
                )
            })
            .collect();
        let _ = write!(
            b,
            "<dt>{}</dt><dd>{}",
            ctx.t(
                "Udelukker (et område på disse lister kan ikke være på denne)",
                "Excludes (an area on these lists cannot be on this one)"
            ),
            names.join(", ")
        );
        if !l.exclusion_reason.trim().is_empty() {
            let _ = write!(
                b,
                "<p lang=\"da\">{}</p>",
                escape(l.exclusion_reason.trim())
            );
        }
        b.push_str("</dd>");
    }
    if let Some(s) = &l.streak {
        let counts: Vec<String> = s
            .counts_as
            .iter()
            .map(|x| {
                format!(
                    "{} (<code>{}</code>)",
                    escape(&dash.list_name(x, ctx.lang)),
                    escape(x)
                )
            })
            .collect();
        let _ = write!(
            b,
            "<dt>{}</dt><dd><p>{} {} {}: {}. {}: {}</p>{}{}",
            ctx.t("Række af år", "Run of years"),
            s.years,
            ctx.t(
                "år i træk, dette år medregnet, på en af listerne",
                "years in a row, this year included, on one of the lists"
            ),
            ctx.t("som tæller med", "that count"),
            counts.join(", "),
            ctx.t("Paragraf", "Paragraph"),
            escape(&s.paragraph),
            quote(&s.text),
            source_note(ctx, &s.text_source)
        );
        for o in &s.overrides {
            let ys: Vec<String> = o.list_years.iter().map(i32::to_string).collect();
            let _ = write!(
                b,
                "<div class=\"override\"><p><strong>{} {}:</strong> {} {}. {}: {}</p>{}{}</div>",
                ctx.t("Undtagelse for listerne", "Exception for the lists of"),
                escape(&ys.join(", ")),
                o.years,
                ctx.t("år i træk", "years in a row"),
                ctx.t("Paragraf", "Paragraph"),
                escape(&o.paragraph),
                quote(&o.text),
                source_note(ctx, &o.text_source)
            );
        }
        b.push_str("</dd>");
    }
    let wo = match l.without_origin {
        WithoutOrigin::Drop => ctx.t(
            "beregnes uden kriteriet (i »k af [..]« tæller det som ikke opfyldt, k uændret)",
            "computed without the criterion (inside “k of [..]” it counts as not met, k unchanged)",
        ),
        WithoutOrigin::Undefined => ctx.t("ikke defineret", "not defined"),
    };
    let _ = write!(
        b,
        "<dt>{}</dt><dd>{wo}.",
        ctx.t("Uden oprindelseskriteriet", "Without the origin criterion")
    );
    if !l.without_origin_note.trim().is_empty() {
        let _ = write!(
            b,
            " <span lang=\"da\">{}</span>",
            escape(l.without_origin_note.trim())
        );
    }
    b.push_str("</dd></dl></article>");
}

/// A table in a box that scrolls sideways on a narrow screen.
#[cfg(test)]
mod tests {
    use super::*;
    use kvarter_rules::{Catalog, History, Operator};

    fn dash(catalog: Catalog) -> Dash {
        Dash {
            catalog,
            history: History::new(),
            overrides: Vec::new(),
            years: Vec::new(),
            areas: BTreeMap::new(),
            averages: BTreeMap::new(),
            screening: None,
        }
    }

    fn ctx(lang: Lang) -> Ctx {
        Ctx::new(lang, 5)
    }

    /// The HTML of the section of one rule set.
    fn section<'a>(body: &'a str, id: &str) -> &'a str {
        let start = body
            .find(&format!("<section class=\"rule-set\" id=\"{id}\""))
            .expect("the rule set's section");
        let rest = &body[start..];
        let end = rest[1..]
            .find("<section class=\"rule-set\"")
            .map_or(rest.len(), |i| i + 1);
        &rest[..end]
    }

    /// The table row holding a criterion's id.
    fn row<'a>(html: &'a str, id: &str) -> &'a str {
        let at = html
            .find(&format!("<td><code>{id}</code></td>"))
            .expect("the criterion's row");
        let end = html[at..].find("</tr>").expect("end of row");
        &html[at..at + end]
    }

    #[test]
    fn every_criterion_and_the_origin_part_of_dk_2021() {
        let d = dash(Catalog::builtin());
        let mut hashes = BTreeMap::new();
        hashes.insert("dk-2021".to_string(), "abc123".to_string());
        for lang in [Lang::Da, Lang::En] {
            let (title, body) = methodology(&d, &ctx(lang), &hashes);
            assert!(!title.is_empty());
            let rs = d.catalog.get("dk-2021").expect("dk-2021 is built in");
            let s = section(&body, "dk-2021");
            for c in rs.all_criteria() {
                assert!(
                    s.contains(&escape(&c.paragraph)),
                    "paragraph {} of {} missing",
                    c.paragraph,
                    c.id
                );
                assert!(s.contains(&format!("<td><code>{}</code></td>", c.id)));
                assert!(s.contains(&escape(&c.text)), "words of {}", c.id);
            }
            for l in &rs.lists {
                assert!(s.contains(&escape(&l.paragraph)));
                assert!(s.contains(&escape(&l.condition_source)));
            }
            assert!(s.contains("id=\"dk-2021-origin\""));
            assert!(s.contains(lang.t(
                "Oprindelseskriteriet — en særskilt, frakoblelig del",
                "The origin criterion — a separate part that can be switched off"
            )));
            // The origin criteria are in their own part, not among the others.
            let origin_at = s.find("id=\"dk-2021-origin\"").unwrap();
            let nw = s.find("<td><code>non_western</code></td>").unwrap();
            assert!(nw > origin_at);
            assert!(s.contains("C-417/23"));
            assert!(s.contains("<code>abc123</code>"));
            assert!(body.contains("<a href=\"#dk-2021\">"));
            // Without-origin link keeps the language.
            let link = match lang {
                Lang::Da => "href=\"/lists?without_origin=1\"",
                Lang::En => "href=\"/lists?without_origin=1&amp;lang=en\"",
            };
            assert!(s.contains(link), "{link}");
            // Every rule set has its section, and one without origin says so.
            for rs in d.catalog.rule_sets() {
                section(&body, &rs.id);
            }
        }
    }

    #[test]
    fn the_without_origin_link_goes_to_a_year_the_rule_set_governs() {
        let mut d = dash(Catalog::builtin());
        d.years = vec![2012, 2019, 2022];
        let (_, body) = methodology(&d, &ctx(Lang::Da), &BTreeMap::new());
        for (id, link) in [
            ("dk-2021", "/lists?year=2022&amp;without_origin=1"),
            ("dk-2018", "/lists?year=2019&amp;without_origin=1"),
            ("dk-2010", "/lists?year=2012&amp;without_origin=1"),
        ] {
            assert!(section(&body, id).contains(link), "{id}: {link}");
        }
        // dk-2013 governs no year of the store: the link without a year.
        assert!(section(&body, "dk-2013").contains("href=\"/lists?without_origin=1\""));
        // § 51 b has no origin criterion, and says so.
        assert!(section(&body, "dk-51b").contains("intet oprindelseskriterium"));
    }

    #[test]
    fn the_words_of_the_law_are_marked_danish_and_escaped() {
        let d = dash(Catalog::builtin());
        let (_, body) = methodology(&d, &ctx(Lang::En), &BTreeMap::new());
        assert!(body.contains("<blockquote lang=\"da\">"));
        // A hostile rule text is escaped.
        let mut rs = d.catalog.get("dk-2021").unwrap().clone();
        rs.criteria[0].text = "<script>alert('x')</script> & »citat«".into();
        rs.lists[0].text_source = "<b>kilde</b>".into();
        let mut b = String::new();
        rule_set(&mut b, &d, &ctx(Lang::Da), &rs, Some("<hash>"));
        assert!(!b.contains("<script>"));
        assert!(!b.contains("<b>kilde</b>"));
        assert!(!b.contains("<hash>"));
        assert!(b.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; »citat«"));
        assert!(b.contains("&lt;b&gt;kilde&lt;/b&gt;"));
    }

    #[test]
    fn greater_and_greater_or_equal_as_the_rule_file_writes_them() {
        let d = dash(Catalog::builtin());
        let (_, body) = methodology(&d, &ctx(Lang::Da), &BTreeMap::new());
        let mut seen_gt = false;
        let mut seen_ge = false;
        let mut seen_lt = false;
        for rs in d.catalog.rule_sets() {
            let s = section(&body, &rs.id);
            for c in rs.all_criteria() {
                let r = row(s, &c.id);
                let cell = format!(
                    "<strong class=\"cmp\">{}</strong>",
                    escape(&law_comparison(c, Lang::Da))
                );
                assert!(r.contains(&cell), "{}/{}: {cell} in {r}", rs.id, c.id);
                match c.operator {
                    Operator::Greater => {
                        seen_gt = true;
                        assert!(cell.contains(">&gt; "), "{cell}");
                        assert!(!cell.contains('≥'));
                        assert!(r.contains("(<span lang=\"da\">overstiger</span>)"));
                    }
                    Operator::GreaterOrEqual => {
                        seen_ge = true;
                        assert!(cell.contains(">≥ "), "{cell}");
                        assert!(r.contains("(<span lang=\"da\">udgør mindst</span>)"));
                    }
                    Operator::Less => {
                        seen_lt = true;
                        assert!(cell.contains(">&lt; "), "{cell}");
                    }
                    Operator::LessOrEqual => assert!(cell.contains(">≤ ")),
                }
            }
        }
        assert!(seen_gt && seen_ge && seen_lt);
        // The concrete forms of dk-2021.
        let s = section(&body, "dk-2021");
        assert!(row(s, "outside_labour").contains("<strong class=\"cmp\">&gt; 40 %</strong>"));
        assert!(
            row(s, "convicted").contains("<strong class=\"cmp\">≥ 3 × landsgennemsnittet</strong>")
        );
        assert!(
            row(s, "income")
                .contains("<strong class=\"cmp\">&lt; 55 % af regionens gennemsnit</strong>")
        );
        assert!(row(s, "residents").contains("<strong class=\"cmp\">≥ 1.000 beboere</strong>"));
        // 270 per 10,000 in 2010, with its value in per cent.
        let s = section(&body, "dk-2010");
        assert!(s.contains("270 pr. 10.000 (= 2,7 %)"), "per 10,000");
    }
}
