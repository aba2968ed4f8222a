//! The methodology page: every rule set of the catalog as the law reads, for a lawyer checking
//! the code against the statute. Each criterion with the paragraph, the law's own words, the
//! comparison exactly as the law writes it (`>` for "overstiger", `≥` for "mindst"), the
//! averaging window and where the words were read; the origin criteria in a separate, marked
//! part that can be switched off; each list with its condition, exclusions, streak and what
//! becomes of it without the origin criterion; and how the criteria are measured.
//!
//! The page lays out [`kvarter_report::law::Reading`], the one model of a rule set as the law
//! reads that `kvarter rules show` prints too; every phrase of a threshold, a window, a run of
//! years or the measurement comes from there. The law's words are Danish on the English page
//! too, and are marked `lang="da"`.

use crate::dash::{Ctx, Dash, Td, table, wrapped};
use crate::svg::escape;
use kvarter_report::law::{CriterionReading, Label, ListReading, ListRef, Reading, years};
use kvarter_rules::RuleSet;
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
            escape(&years(rs))
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
                Td::text(&years(rs)),
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
        Label::WordsFrom.t(ctx.lang),
        escape(source.trim())
    )
}

/// The criteria of one part of a rule set as a table.
fn criteria_table(ctx: &Ctx, id: &str, caption: &str, criteria: &[CriterionReading]) -> String {
    let lang = ctx.lang;
    let rows: Vec<Vec<Td>> = criteria
        .iter()
        .map(|c| {
            let measurement = if c.measurement.is_empty() {
                String::new()
            } else {
                format!(
                    "<br><small lang=\"da\">{}</small>",
                    escape(&c.measurement)
                )
            };
            vec![
                Td::html(format!("<code>{}</code>", escape(&c.id))),
                Td::text(&c.name),
                Td::html(format!(
                    "<span lang=\"da\">{}</span>{measurement}",
                    escape(&c.population)
                )),
                Td::text(&c.paragraph),
                Td::html(format!(
                    "<div class=\"law\" lang=\"da\">»{}«</div>{}",
                    escape(&c.text),
                    source_note(ctx, &c.text_source)
                )),
                Td::html(format!(
                    "<strong class=\"cmp\">{}</strong> <small>(<span lang=\"da\">{}</span>)</small><br><small>{}: <code>{}</code></small>",
                    escape(&c.comparison),
                    escape(c.law_words),
                    Label::Applied.t(lang),
                    escape(&c.applied)
                )),
                Td::text(&c.window),
            ]
        })
        .collect();
    wrapped(table(
        id,
        caption,
        &[
            ctx.t("Id", "Id").to_string(),
            ctx.t("Kriterium", "Criterion").to_string(),
            Label::Population.t(lang).to_string(),
            Label::Paragraph.t(lang).to_string(),
            Label::LawWords.t(lang).to_string(),
            Label::Comparison.t(lang).to_string(),
            Label::Window.t(lang).to_string(),
        ],
        &rows,
    ))
}

/// Lists named by a list, each with its id.
fn list_refs(refs: &[ListRef]) -> String {
    refs.iter()
        .map(|x| format!("{} (<code>{}</code>)", escape(&x.name), escape(&x.id)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One rule set in full.
fn rule_set(b: &mut String, dash: &Dash, ctx: &Ctx, rs: &RuleSet, hash: Option<&str>) {
    let lang = ctx.lang;
    let r = Reading::in_catalog(rs, &dash.catalog, lang);
    let id = escape(&r.id);
    let _ = write!(
        b,
        "<section class=\"rule-set\" id=\"{id}\" aria-labelledby=\"{id}-h\"><h2 id=\"{id}-h\">{id} — {}</h2>",
        escape(&r.title)
    );
    let _ = write!(
        b,
        "<dl class=\"facts\"><dt>{}</dt><dd>{} ({} {})</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd lang=\"da\">{}</dd><dt>{}</dt><dd>{}</dd></dl>",
        Label::Governs.t(lang),
        escape(&r.years),
        Label::Published.t(lang),
        escape(&r.list_date),
        Label::Family.t(lang),
        escape(&r.family),
        Label::Source.t(lang),
        escape(&r.source),
        ctx.t("Indholdshash", "Content hash"),
        hash.map_or("–".to_string(), |h| format!("<code>{}</code>", escape(h))),
    );
    if !r.description.is_empty() {
        let _ = write!(
            b,
            "<p class=\"description\" lang=\"da\">{}</p>",
            escape(&r.description)
        );
    }
    // The criteria that do not concern origin.
    let _ = write!(
        b,
        "<h3 id=\"{id}-criteria-h\">{}</h3>",
        Label::Criteria.t(lang)
    );
    b.push_str(&criteria_table(
        ctx,
        &format!("{}-criteria", r.id),
        &format!("{} {}", ctx.t("Kriterierne i", "The criteria of"), r.id),
        &r.criteria,
    ));
    // The origin criteria, apart.
    let _ = write!(
        b,
        "<section class=\"origin notice\" id=\"{id}-origin\" aria-labelledby=\"{id}-origin-h\"><h3 id=\"{id}-origin-h\">{}</h3>",
        Label::OriginPart.t(lang)
    );
    match &r.origin {
        None => {
            let _ = write!(b, "<p>{}</p>", kvarter_report::law::no_origin(lang));
        }
        Some(o) => {
            if !o.note.is_empty() {
                let _ = write!(b, "<p lang=\"da\">{}</p>", escape(&o.note));
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
                &format!("{}-origin-criteria", r.id),
                &format!(
                    "{} {}",
                    ctx.t("Oprindelseskriterierne i", "The origin criteria of"),
                    r.id
                ),
                &o.criteria,
            ));
        }
    }
    b.push_str("</section>");
    // The lists.
    let _ = write!(b, "<h3 id=\"{id}-lists-h\">{}</h3>", Label::Lists.t(lang));
    for l in &r.lists {
        list(b, ctx, &r.id, l);
    }
    // How the criteria are measured.
    let m = &r.measurement;
    let _ = write!(
        b,
        "<h3 id=\"{id}-measurement-h\">{}</h3><dl class=\"facts\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>",
        Label::Measurement.t(lang),
        Label::Average.t(lang),
        escape(&m.average),
        Label::BasicEducation.t(lang),
        escape(&m.basic_education),
    );
    if !m.note.is_empty() {
        let _ = write!(
            b,
            "<dt>{}</dt><dd lang=\"da\">{}</dd>",
            Label::Note.t(lang),
            escape(&m.note)
        );
    }
    b.push_str("</dl></section>");
}

/// One list of a rule set.
fn list(b: &mut String, ctx: &Ctx, rule_set: &str, l: &ListReading) {
    let lang = ctx.lang;
    let anchor = escape(&format!("{rule_set}-{}", l.id));
    let _ = write!(
        b,
        "<article class=\"list-def\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\"><h4 id=\"{anchor}-h\"><span class=\"badge st-{}\">{}</span> <code>{}</code></h4><dl class=\"facts\">",
        escape(&l.id),
        escape(&l.name),
        escape(&l.id)
    );
    let _ = write!(
        b,
        "<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}{}</dd><dt>{}</dt><dd><code>{}</code></dd>",
        Label::Paragraph.t(lang),
        escape(&l.paragraph),
        Label::LawWords.t(lang),
        quote(&l.text),
        source_note(ctx, &l.text_source),
        Label::Condition.t(lang),
        escape(&l.condition),
    );
    if !l.excludes.is_empty() {
        let _ = write!(
            b,
            "<dt>{} ({})</dt><dd>{}",
            Label::Excludes.t(lang),
            ctx.t(
                "et område på disse lister kan ikke være på denne",
                "an area on these lists cannot be on this one"
            ),
            list_refs(&l.excludes)
        );
        if !l.exclusion_reason.is_empty() {
            let _ = write!(b, "<p lang=\"da\">{}</p>", escape(&l.exclusion_reason));
        }
        b.push_str("</dd>");
    }
    if let Some(s) = &l.streak {
        let _ = write!(
            b,
            "<dt>{}</dt><dd><p>{}. {}: {}. {}: {}</p>{}{}",
            Label::Streak.t(lang),
            escape(&s.phrase),
            Label::CountsAs.t(lang),
            list_refs(&s.counts_as),
            Label::Paragraph.t(lang),
            escape(&s.paragraph),
            quote(&s.text),
            source_note(ctx, &s.text_source)
        );
        for o in &s.overrides {
            let _ = write!(
                b,
                "<div class=\"override\"><p><strong>{} {}:</strong> {}. {}: {}</p>{}{}</div>",
                Label::Exception.t(lang),
                escape(&o.list_years),
                escape(&o.phrase),
                Label::Paragraph.t(lang),
                escape(&o.paragraph),
                quote(&o.text),
                source_note(ctx, &o.text_source)
            );
        }
        b.push_str("</dd>");
    }
    let _ = write!(
        b,
        "<dt>{}</dt><dd>{}.",
        Label::WithoutOrigin.t(lang),
        escape(&l.without_origin_phrase)
    );
    if !l.without_origin_note.is_empty() {
        let _ = write!(
            b,
            " <span lang=\"da\">{}</span>",
            escape(&l.without_origin_note)
        );
    }
    b.push_str("</dd></dl></article>");
}

/// A table in a box that scrolls sideways on a narrow screen.
#[cfg(test)]
mod tests {
    use super::*;
    use kvarter_report::Lang;
    use kvarter_rules::{Catalog, History, Operator};

    fn dash(catalog: Catalog) -> Dash {
        Dash {
            catalog,
            history: History::new(),
            overrides: Vec::new(),
            years: Vec::new(),
            areas: BTreeMap::new(),
            averages: BTreeMap::new(),
            policy: kvarter_view::Policy::default(),
            profiles: BTreeMap::new(),
            screening: None,
            underlay: Default::default(),
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
            let reading = Reading::of(rs, Lang::Da);
            let origin = reading.origin.iter().flat_map(|o| o.criteria.iter());
            for c in reading.criteria.iter().chain(origin) {
                let r = row(s, &c.id);
                let cell = format!("<strong class=\"cmp\">{}</strong>", escape(&c.comparison));
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
        assert!(row(s, "convicted").contains(
            "<strong class=\"cmp\">≥ 3 × landsgennemsnittet (convicted_national_pct)</strong>"
        ));
        assert!(
            row(s, "income")
                .contains("<strong class=\"cmp\">&lt; 55 % af regionens gennemsnit</strong>")
        );
        assert!(row(s, "residents").contains("<strong class=\"cmp\">≥ 1.000 beboere</strong>"));
        // 270 per 10,000 in 2010, with its value in per cent.
        let s = section(&body, "dk-2010");
        assert!(s.contains("270 pr. 10.000 (= 2,7 %)"), "per 10,000");
    }

    /// The text between `>` and `<` of each HTML element, unescaped, joined by spaces.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut inside = false;
        for ch in html.chars() {
            match ch {
                '<' => {
                    inside = true;
                    out.push(' ');
                }
                '>' => inside = false,
                c if !inside => out.push(c),
                _ => {}
            }
        }
        out.replace("&gt;", ">")
            .replace("&lt;", "<")
            .replace("&amp;", "&")
    }

    #[test]
    fn the_page_and_rules_show_read_the_same_thresholds_and_measurement() {
        let d = dash(Catalog::builtin());
        for lang in [Lang::Da, Lang::En] {
            let (_, body) = methodology(&d, &ctx(lang), &BTreeMap::new());
            for rs in d.catalog.rule_sets() {
                let text = kvarter_report::rules::show(rs, &d.catalog, lang);
                let html = section(&body, &rs.id);
                let reading = Reading::in_catalog(rs, &d.catalog, lang);
                let origin = reading.origin.iter().flat_map(|o| o.criteria.iter());
                for c in reading.criteria.iter().chain(origin) {
                    // The applied comparison is one phrase, the same on the terminal and the page.
                    assert!(
                        text.contains(&c.applied),
                        "{}/{}: {}",
                        rs.id,
                        c.id,
                        c.applied
                    );
                    assert!(
                        row(html, &c.id).contains(&escape(&c.applied)),
                        "{}/{}: {}",
                        rs.id,
                        c.id,
                        c.applied
                    );
                }
                // The measurement block is in both.
                let m = &reading.measurement;
                for part in [&m.average, &m.basic_education] {
                    assert!(html.contains(&escape(part)), "{}: {part}", rs.id);
                    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    assert!(flat.contains(part.as_str()), "{}: {part}", rs.id);
                }
                assert!(
                    text.contains(
                        &kvarter_report::law::Label::Measurement
                            .t(lang)
                            .to_uppercase()
                    )
                );
                assert!(html.contains(kvarter_report::law::Label::Measurement.t(lang)));
            }
        }
        // The factor threshold of dk-2021's convicted, concretely, in both languages.
        let rs = d.catalog.get("dk-2021").unwrap();
        for (lang, phrase) in [
            (
                Lang::Da,
                "convicted_pct ≥ 3 × landsgennemsnittet (convicted_national_pct)",
            ),
            (
                Lang::En,
                "convicted_pct ≥ 3 × the national average (convicted_national_pct)",
            ),
        ] {
            let (_, body) = methodology(&d, &ctx(lang), &BTreeMap::new());
            let cell = text_of(row(section(&body, "dk-2021"), "convicted"));
            assert!(cell.contains(phrase), "{cell}");
            assert!(kvarter_report::rules::show(rs, &d.catalog, lang).contains(phrase));
        }
    }
}
