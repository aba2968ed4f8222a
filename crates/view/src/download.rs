//! The tables people download: the lists of a year, every area with its values and lists, and
//! the early warning. Built here, from the rows the store read, so that the dashboard's
//! `/lists/download`, `/areas/download` and `/foresight/download` and `kvarter export` hold the
//! same [`Table`] and write the same bytes. Every figure that may rest on few persons goes
//! through the disclosure policy ([`Policy::area_year`]) and into the table only through
//! [`Cell::published`].

use crate::Lang;
use crate::disclosure::{Policy, Published};
use crate::rows::{AreaWithLists, ListMemberRow, ListMembers, Outlook, Provenance, Score};
use crate::table::{Cell, Column, Kind, Table};
use kvarter_rules::{Catalog, Decimal};
use std::collections::BTreeMap;

/// The value column and the column of the population it is measured on.
pub const MEASURES: &[(&str, &str)] = &[
    ("outside_labour_pct", "persons_18_64"),
    ("convicted_pct", "persons_18_plus"),
    ("basic_education_pct", "persons_30_59"),
    ("income_pct_of_region", "persons_15_64_taxable"),
    ("non_western_pct", "residents"),
];

/// What a download table is made in: its language, the minimum count it is published under,
/// the catalog its list names come from, and where the store's content comes from (its last
/// note).
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// The language of the headings, list names and yes/no cells.
    pub lang: Lang,
    /// The minimum count of persons shown (`--min-count`).
    pub min_count: u64,
    /// The rule sets, for the lists' names.
    pub catalog: &'a Catalog,
    /// The store's latest load and rule sets.
    pub provenance: &'a Provenance,
}

impl Setting<'_> {
    fn t<'b>(&self, da: &'b str, en: &'b str) -> &'b str {
        self.lang.t(da, en)
    }

    /// The disclosure policy of the table.
    pub fn policy(&self) -> Policy {
        Policy::new(self.min_count)
    }

    fn yes_no(&self, yes: bool) -> Cell {
        Cell::Text(
            if yes {
                self.t("ja", "yes")
            } else {
                self.t("nej", "no")
            }
            .into(),
        )
    }

    fn without_origin(&self, without_origin: bool) -> &'static str {
        if without_origin {
            self.lang.t(
                ", uden kriteriet om ikke-vestlig oprindelse",
                ", without the criterion of non-Western origin",
            )
        } else {
            ""
        }
    }
}

/// The Danish or English name of a list, from the latest rule set that defines it (the id when
/// none does).
pub fn list_name(catalog: &Catalog, list: &str, lang: Lang) -> String {
    for rs in catalog.rule_sets().iter().rev() {
        if let Some(l) = rs.list(list) {
            return lang.t(&l.name, &l.name_en).to_string();
        }
    }
    list.to_string()
}

/// The column headings of a list table after area and municipality: residents, then the
/// measures in [`MEASURES`] order.
pub fn value_heads(lang: Lang) -> Vec<String> {
    vec![
        lang.t("Beboere", "Residents").into(),
        lang.t("Uden for arbejdsmarkedet %", "Outside labour market %")
            .into(),
        lang.t("Dømte %", "Convicted %").into(),
        lang.t("Kun grundskole %", "Basic education only %").into(),
        lang.t("Indkomst % af region", "Income % of region").into(),
        lang.t("Ikke-vestlig oprindelse %", "Non-Western origin %")
            .into(),
    ]
}

/// One row of a list: an area on it with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    /// Area id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipality.
    pub municipality: String,
    /// Whether a missing value could change the outcome.
    pub incomplete: bool,
    /// residents, then the measures' values, in [`MEASURES`] order, as the disclosure policy
    /// lets them be published.
    pub values: Vec<Published<Decimal>>,
}

/// Residents and every measure of an area-year's stored values, as the policy lets them be
/// published (the policy sees every value column, for the nested groups).
fn published_values(policy: &Policy, values: &BTreeMap<String, String>) -> Vec<Published<Decimal>> {
    let raw: BTreeMap<&str, Option<Decimal>> = values
        .iter()
        .map(|(c, v)| (c.as_str(), v.parse::<Decimal>().ok()))
        .collect();
    let year = policy.area_year(|c| raw.get(c).copied().flatten());
    std::iter::once("residents")
        .chain(MEASURES.iter().map(|(c, _)| *c))
        .map(|c| year.get(c))
        .collect()
}

/// An area on a list with its figures after the disclosure policy.
pub fn list_row(policy: &Policy, r: ListMemberRow) -> ListRow {
    let values = published_values(policy, &r.values);
    ListRow {
        id: r.id,
        name: r.name,
        municipality: r.municipality,
        incomplete: r.incomplete,
        values,
    }
}

/// The table every download of a year's lists holds: one row per list and area on it.
pub fn lists_table(s: &Setting, year: i32, without_origin: bool, lists: Vec<ListMembers>) -> Table {
    let policy = s.policy();
    let heads = value_heads(s.lang);
    let mut columns = vec![
        Column::new("list_year", s.t("Listeår", "List year"), Kind::Year),
        Column::new("rule_set", s.t("Regelsæt", "Rule set"), Kind::Text),
        Column::new("list", s.t("Liste (id)", "List (id)"), Kind::Text),
        Column::new("list_name", s.t("Liste", "List"), Kind::Text),
        Column::new("area_id", s.t("Område-id", "Area id"), Kind::Text),
        Column::new("area_name", s.t("Område", "Area"), Kind::Text),
        Column::new("municipality", s.t("Kommune", "Municipality"), Kind::Text),
        Column::new("incomplete", s.t("Usikker", "Uncertain"), Kind::Text),
        Column::new("residents", &heads[0], Kind::Integer),
    ];
    for ((c, _), h) in MEASURES.iter().zip(&heads[1..]) {
        columns.push(Column::new(*c, h, Kind::Decimal { places: 2 }));
    }
    let mut rows = Vec::new();
    for l in lists {
        let name = list_name(s.catalog, &l.list, s.lang);
        for r in l.members {
            let r = list_row(&policy, r);
            let mut row = vec![
                Cell::Integer(i64::from(year)),
                Cell::Text(l.rule_set.clone()),
                Cell::Text(l.list.clone()),
                Cell::Text(name.clone()),
                Cell::Text(r.id),
                Cell::Text(r.name),
                Cell::Text(r.municipality),
                s.yes_no(r.incomplete),
            ];
            row.push(Cell::published(&r.values[0], true));
            for v in &r.values[1..] {
                row.push(Cell::published(v, false));
            }
            rows.push(row);
        }
    }
    Table {
        title: format!("{} {year}", s.t("Lister", "Lists")),
        columns,
        rows,
        notes: vec![
            format!(
                "{} {year}{}",
                s.t(
                    "kvarter: statens lister for listeåret",
                    "kvarter: the state's lists of list year"
                ),
                s.without_origin(without_origin)
            ),
            format!(
                "{} {}",
                s.t(
                    "Antal under mindstetallet er undertrykt og vist som <",
                    "Counts under the minimum are suppressed and shown as <"
                ),
                s.min_count
            ),
            provenance(s.lang, s.provenance),
        ],
    }
}

/// Every area with its values of `year` (or its latest before), the lists it is on that year
/// and whether one of them is uncertain.
pub fn areas_table(
    s: &Setting,
    year: i32,
    without_origin: bool,
    areas: Vec<AreaWithLists>,
) -> Table {
    let policy = s.policy();
    let heads = value_heads(s.lang);
    let mut columns = vec![
        Column::new("area_id", s.t("Område-id", "Area id"), Kind::Text),
        Column::new("area_name", s.t("Område", "Area"), Kind::Text),
        Column::new("municipality", s.t("Kommune", "Municipality"), Kind::Text),
        Column::new("kind", s.t("Type", "Kind"), Kind::Text),
        Column::new(
            "list_year",
            s.t("Listeår (værdier)", "List year (values)"),
            Kind::Year,
        ),
        Column::new("lists", s.t("Lister (id)", "Lists (id)"), Kind::Text),
        Column::new("list_names", s.t("Lister", "Lists"), Kind::Text),
        Column::new("incomplete", s.t("Usikker", "Uncertain"), Kind::Text),
        Column::new("residents", &heads[0], Kind::Integer),
    ];
    for ((c, _), h) in MEASURES.iter().zip(&heads[1..]) {
        columns.push(Column::new(*c, h, Kind::Decimal { places: 2 }));
    }
    let mut rows = Vec::new();
    for AreaWithLists { area: r, outcomes } in areas {
        let mut row = vec![
            Cell::Text(r.id),
            Cell::Text(r.name),
            Cell::Text(r.municipality),
            Cell::from(r.kind),
            r.list_year
                .map_or(Cell::Empty, |y| Cell::Integer(i64::from(y))),
        ];
        // The lists of the year asked for (an area without values that year was not evaluated).
        let on: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.outcome == "on")
            .map(|o| o.list.as_str())
            .collect();
        if outcomes.is_empty() {
            row.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
        } else {
            row.push(Cell::Text(on.join(", ")));
            row.push(Cell::Text(
                on.iter()
                    .map(|l| list_name(s.catalog, l, s.lang))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            row.push(s.yes_no(outcomes.iter().any(|o| o.incomplete)));
        }
        // Residents and every measure as the disclosure policy lets them be published.
        let values = published_values(&policy, &r.values);
        row.push(Cell::published(&values[0], true));
        for v in &values[1..] {
            row.push(Cell::published(v, false));
        }
        rows.push(row);
    }
    Table {
        title: format!("{} {year}", s.t("Områder", "Areas")),
        columns,
        rows,
        notes: vec![
            format!(
                "{} {year}{}",
                s.t(
                    "kvarter: alle områder med seneste værdier og lister for listeåret",
                    "kvarter: every area with its latest values and lists of list year"
                ),
                s.without_origin(without_origin)
            ),
            format!(
                "{} {}",
                s.t(
                    "Antal under mindstetallet, og andele af grupper under det, er undertrykt og vist som <",
                    "Counts under the minimum, and shares of groups under it, are suppressed and shown as <"
                ),
                s.min_count
            ),
            provenance(s.lang, s.provenance),
        ],
    }
}

/// The early warning as a table: per area and list of the next list year, whether the area is
/// on the list now, the draws it is on in, and the probability; with the backtest's summary in
/// the notes. `area` gives an area's name and municipality by id.
///
/// # Errors
///
/// When there is no early warning, or a stored probability is not a decimal.
pub fn foresight_table<'a>(
    s: &Setting,
    outlooks: &[Outlook],
    scores: &[Score],
    area: impl Fn(&str) -> Option<(&'a str, &'a str)>,
) -> Result<Table, String> {
    let Some(year) = outlooks.first().map(|o| o.list_year) else {
        return Err("the store has no early warning; it is computed when `kvarter load` reads register data (--registers DIR)".into());
    };
    let col = |key: &str, da: &str, en: &str, kind| Column::new(key, s.t(da, en), kind);
    let columns = vec![
        col("area_id", "Område-id", "Area id", Kind::Text),
        col("area_name", "Område", "Area", Kind::Text),
        col("municipality", "Kommune", "Municipality", Kind::Text),
        col("list", "Liste", "List", Kind::Text),
        col("list_year", "Listeår", "List year", Kind::Year),
        col("on_now", "På listen nu", "On the list now", Kind::Text),
        col(
            "on_draws",
            "Trækninger på listen",
            "Draws on the list",
            Kind::Integer,
        ),
        col("draws", "Trækninger", "Draws", Kind::Integer),
        col(
            "probability",
            "Sandsynlighed",
            "Probability",
            Kind::Decimal { places: 3 },
        ),
        col("outlook", "Udsigt", "Outlook", Kind::Text),
    ];
    let mut out = Vec::new();
    for o in outlooks {
        let named = area(&o.area_id);
        out.push(vec![
            Cell::Text(o.area_id.clone()),
            Cell::Text(named.map_or_else(String::new, |(n, _)| n.to_string())),
            Cell::Text(named.map_or_else(String::new, |(_, m)| m.to_string())),
            Cell::Text(list_name(s.catalog, &o.list, s.lang)),
            Cell::Integer(i64::from(o.list_year)),
            Cell::Text(match o.on_now {
                Some(true) => s.t("ja", "yes").into(),
                Some(false) => s.t("nej", "no").into(),
                None => String::new(),
            }),
            Cell::Integer(o.on_draws),
            Cell::Integer(o.draws),
            o.probability.parse().map(Cell::Decimal).map_err(|_| {
                format!(
                    "probability {:?} of {}: expected a decimal",
                    o.probability, o.area_id
                )
            })?,
            Cell::Text(o.outlook.clone()),
        ]);
    }
    let mut notes = vec![s
        .t(
            "Varsling fra kvarter: sandsynligheden er andelen af simulerede næste år, hvor området er på listen. Det er en model, ikke listen.",
            "Early warning from kvarter: the probability is the share of simulated next years in which the area is on the list. It is a model, not the list.",
        )
        .to_string()];
    for sc in scores
        .iter()
        .filter(|sc| sc.list_year.is_none() && sc.areas > 0)
    {
        notes.push(format!(
            "{} {}: Brier {} ({} {}), {} {}/{}",
            s.t("Backtest", "Backtest"),
            list_name(s.catalog, &sc.list, s.lang),
            sc.brier.0.as_deref().unwrap_or("–"),
            s.t("som sidste år", "as last year"),
            sc.brier.1.as_deref().unwrap_or("–"),
            s.t("indgange varslet", "entries flagged"),
            sc.entries.1,
            sc.entries.0
        ));
    }
    notes.push(provenance(s.lang, s.provenance));
    Ok(Table {
        title: format!("{} {year}", s.t("Varsling", "Early warning")),
        columns,
        rows: out,
        notes,
    })
}

/// The map's boundary outlines (`kvarter load --boundaries`) as a table of `layer`, `code` and
/// `name`, in the order given, with each row's geometry beside it: what `kvarter export --what
/// boundaries` and the dashboard's `/boundaries/download` write, for a GIS. The caller leaves
/// out the label points.
pub fn boundaries_table<G>(
    lang: Lang,
    outlines: impl IntoIterator<Item = (String, String, String, G)>,
) -> (Table, Vec<Option<G>>) {
    let mut rows = Vec::new();
    let mut geometry = Vec::new();
    for (layer, code, name, g) in outlines {
        rows.push(vec![Cell::Text(layer), Cell::Text(code), Cell::Text(name)]);
        geometry.push(Some(g));
    }
    let table = Table {
        title: lang.t("Grænser", "Boundaries").to_string(),
        columns: vec![
            Column::new("layer", lang.t("Lag", "Layer"), Kind::Text),
            Column::new("code", lang.t("Kode", "Code"), Kind::Text),
            Column::new("name", lang.t("Navn", "Name"), Kind::Text),
        ],
        rows,
        notes: vec![
            lang.t(
                "Kyst, kommune- og distriktsgrænser som indlæst med kvarter load (EPSG:25832).",
                "Coast, municipal and district boundaries as loaded by kvarter load (EPSG:25832).",
            )
            .to_string(),
        ],
    };
    (table, geometry)
}

/// Each row's area outline by the table's `area_id` column (`geometry` gives an area's by id),
/// for the geographic downloads; `None` for a row without one.
pub fn table_geometry<G>(table: &Table, geometry: impl Fn(&str) -> Option<G>) -> Vec<Option<G>> {
    let Some(id) = table.columns.iter().position(|c| c.key == "area_id") else {
        return table.rows.iter().map(|_| None).collect();
    };
    table
        .rows
        .iter()
        .map(|r| match &r[id] {
            Cell::Text(id) => geometry(id),
            _ => None,
        })
        .collect()
}

/// Where a downloaded table comes from, as its last note: kvarter's version, the store's latest
/// load (its manifest hash: the input files, rules and options) and the content hash of each
/// rule set. The same store gives the same text, so downloads stay reproducible.
pub fn provenance(lang: Lang, p: &Provenance) -> String {
    let rules: Vec<String> = p
        .rule_sets
        .iter()
        .map(|(id, hash)| format!("{id} (sha256 {})", &hash[..hash.len().min(12)]))
        .collect();
    format!(
        "{} kvarter {}; {} {}; {}: {}",
        lang.t("Lavet af", "Made by"),
        env!("CARGO_PKG_VERSION"),
        lang.t("indlæsning", "load"),
        p.load.as_ref().map_or_else(
            || "–".to_string(),
            |(id, hash)| format!("{id} (manifest sha256 {})", &hash[..hash.len().min(12)])
        ),
        lang.t("regelsæt", "rule sets"),
        rules.join(", ")
    )
}
