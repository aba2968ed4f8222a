//! Editing the plan set one row at a time: what the dashboard's forms and the API's
//! `POST`/`PUT`/`DELETE` do.
//!
//! A row is a record of one of the ten CSV files ([`crate::csv::FILES`]), as a map from column
//! name to cell text. An edit ([`Change`]) creates, updates or deletes one row; [`apply`] writes
//! the whole set as CSV, changes that one record, and reads the set back with
//! [`crate::csv::read`], so every edit passes exactly the checks a file import passes (types,
//! references, [`crate::Plans::validate`]). Either the whole edit is valid and a new set comes
//! back, or nothing changes and the error names the field (when it is the edited row's) and what
//! was expected.
//!
//! [`TABLES`] describes each file for a form: its label, its fields' labels in Danish and
//! English, and each field's [`Kind`] (which decides the input and the checks
//! [`Kind::normalize`] does before the set is read: a year is four digits, a decimal may be
//! written with a decimal comma, a choice must be one of its options).
//!
//! Rows are keyed by their `id`; initiatives by their `id` within their action-plan version
//! (`action_plan_id`), since the same initiative keeps its id across versions. The id of an
//! existing row cannot be changed (children and other versions refer to it): create a new row
//! and delete the old one instead.

use crate::PlanError;
use crate::csv::FILES;
use std::collections::BTreeMap;

/// A row: column name → cell text, as in the CSV files.
pub type Row = BTreeMap<String, String>;

/// What a field holds, which decides its input and its first checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The row's own id (fixed once created).
    Id,
    /// The id of the parent row, in the named table.
    Parent(&'static str),
    /// One line of text.
    Text,
    /// Free text of several lines.
    LongText,
    /// A year, four digits.
    Year,
    /// An exact decimal (a decimal point or, in Danish, a decimal comma).
    Decimal,
    /// Whole Danish kroner.
    Dkk,
    /// Yes or no.
    Bool,
    /// One of these values (value, Danish label, English label).
    Choice(&'static [(&'static str, &'static str, &'static str)]),
    /// A `;`-separated list.
    List,
    /// Area ids separated by `;`, or `*` for every area on a state list.
    Areas,
}

/// One field of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The CSV column.
    pub name: &'static str,
    /// Danish label.
    pub da: &'static str,
    /// English label.
    pub en: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether it may be left empty.
    pub required: bool,
}

/// One editable table: a CSV file of [`crate::csv::FILES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSpec {
    /// The name in URLs and the audit log (the file's stem, e.g. `hp_actions`).
    pub name: &'static str,
    /// The CSV file.
    pub file: &'static str,
    /// Danish name of one row (e.g. "handling").
    pub da: &'static str,
    /// English name of one row.
    pub en: &'static str,
    /// The fields, in the file's column order.
    pub fields: &'static [Field],
}

const fn f(name: &'static str, da: &'static str, en: &'static str, kind: Kind) -> Field {
    Field {
        name,
        da,
        en,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, da: &'static str, en: &'static str, kind: Kind) -> Field {
    Field {
        name,
        da,
        en,
        kind,
        required: false,
    }
}

const ILLUSTRATIVE: Field = f("illustrative", "Illustrativ", "Illustrative", Kind::Bool);
const SOURCE: Field = opt("source", "Kilde", "Source", Kind::LongText);
const ID: Field = f("id", "Id", "Id", Kind::Id);

const MEASURES: &[(&str, &str, &str)] = &[
    (
        "outside_labour_pct",
        "Uden for arbejdsmarked og uddannelse, %",
        "Outside the labour market and education, %",
    ),
    (
        "basic_education_pct",
        "Kun grundskoleuddannelse, %",
        "Basic school education only, %",
    ),
    (
        "income_pct_of_region",
        "Indkomst, % af regionens",
        "Income, % of the region's",
    ),
    ("convicted_pct", "Dømte, %", "Convicted, %"),
    (
        "non_western_pct",
        "Ikke-vestlig baggrund, %",
        "Non-Western origin, %",
    ),
    ("residents", "Beboere", "Residents"),
    (
        "outside_labour_share",
        "Screening: uden tilknytning til arbejdsmarkedet, %",
        "Screening: without labour-market attachment, %",
    ),
    (
        "low_income_share",
        "Screening: lavindkomst, %",
        "Screening: low income, %",
    ),
    (
        "basic_education_share",
        "Screening: kun grundskole, %",
        "Screening: basic school only, %",
    ),
    (
        "no_youth_education_at_25_share",
        "Screening: uden ungdomsuddannelse som 25-årig, %",
        "Screening: no youth education at 25, %",
    ),
    (
        "child_poverty_share",
        "Screening: børnefattigdom, %",
        "Screening: child poverty, %",
    ),
    (
        "poor_health_share",
        "Screening: dårligt helbred, %",
        "Screening: poor health, %",
    ),
    (
        "unsafe_share",
        "Screening: utrygge om aftenen, %",
        "Screening: unsafe at night, %",
    ),
    (
        "turnout_share",
        "Screening: valgdeltagelse, %",
        "Screening: turnout, %",
    ),
    (
        "small_dwelling_share",
        "Screening: små boliger, %",
        "Screening: small dwellings, %",
    ),
    (
        "installation_deficiency_share",
        "Screening: installationsmangler, %",
        "Screening: installation deficiencies, %",
    ),
    (
        "crowded_share",
        "Screening: trangbodde, %",
        "Screening: crowded, %",
    ),
    (
        "m2_per_resident",
        "Screening: m² pr. beboer",
        "Screening: m² per resident",
    ),
    (
        "none",
        "Ingen datakilde i kvarter",
        "No data source in kvarter",
    ),
];
const DIRECTIONS: &[(&str, &str, &str)] = &[
    ("down", "ned (lavere er bedre)", "down (lower is better)"),
    ("up", "op (højere er bedre)", "up (higher is better)"),
];
const TARGET_KINDS: &[(&str, &str, &str)] = &[
    ("", "intet mål", "no target"),
    ("value", "en værdi", "a value"),
    ("city_average", "byens gennemsnit", "the city average"),
];
const STATUSES: &[(&str, &str, &str)] = &[
    ("planned", "planlagt", "planned"),
    ("running", "i gang", "running"),
    ("completed", "afsluttet", "completed"),
    ("stopped", "stoppet", "stopped"),
];
const LEVELS: &[(&str, &str, &str)] = &[
    ("city", "by", "city"),
    ("district_forum", "lokaludvalg", "district forum"),
    ("estate", "boligafdeling", "estate"),
];
const OWNERS: &[(&str, &str, &str)] = &[
    ("Økonomiforvaltningen", "Økonomiforvaltningen", "Finance"),
    (
        "Kultur- og Fritidsforvaltningen",
        "Kultur- og Fritidsforvaltningen",
        "Culture and Leisure",
    ),
    (
        "Børne- og Ungdomsforvaltningen",
        "Børne- og Ungdomsforvaltningen",
        "Children and Youth",
    ),
    (
        "Sundheds- og Omsorgsforvaltningen",
        "Sundheds- og Omsorgsforvaltningen",
        "Health and Care",
    ),
    (
        "Socialforvaltningen",
        "Socialforvaltningen",
        "Social Services",
    ),
    (
        "Teknik- og Miljøforvaltningen",
        "Teknik- og Miljøforvaltningen",
        "Technical and Environmental",
    ),
    (
        "Beskæftigelses- og Integrationsforvaltningen",
        "Beskæftigelses- og Integrationsforvaltningen",
        "Employment and Integration",
    ),
];

/// Every editable table, in [`crate::csv::FILES`] order.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "policies",
        file: "policies.csv",
        da: "politik",
        en: "policy",
        fields: &[
            ID,
            f("name", "Navn", "Name (Danish)", Kind::Text),
            f("name_en", "Navn på engelsk", "Name (English)", Kind::Text),
            f("period_from", "Fra år", "From year", Kind::Year),
            f("period_to", "Til år", "To year", Kind::Year),
            opt("ambitions", "Ambitioner", "Ambitions", Kind::List),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "goals",
        file: "goals.csv",
        da: "strategisk mål",
        en: "strategic goal",
        fields: &[
            ID,
            f("policy_id", "Politik", "Policy", Kind::Parent("policies")),
            f("name", "Navn", "Name (Danish)", Kind::Text),
            f("name_en", "Navn på engelsk", "Name (English)", Kind::Text),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "subgoals",
        file: "subgoals.csv",
        da: "delmål",
        en: "sub-goal",
        fields: &[
            ID,
            f(
                "goal_id",
                "Strategisk mål",
                "Strategic goal",
                Kind::Parent("goals"),
            ),
            f("name", "Navn", "Name (Danish)", Kind::Text),
            f("name_en", "Navn på engelsk", "Name (English)", Kind::Text),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "indicators",
        file: "indicators.csv",
        da: "indikator",
        en: "indicator",
        fields: &[
            ID,
            f(
                "parent_id",
                "Delmål eller helhedsplanens mål",
                "Sub-goal or helhedsplan goal",
                Kind::Parent("subgoals|hp_goals"),
            ),
            f("name", "Navn", "Name", Kind::Text),
            f("measure", "Mål i data", "Measure", Kind::Choice(MEASURES)),
            f(
                "areas",
                "Områder (id'er adskilt af ;, eller * for alle listede)",
                "Areas (ids separated by ;, or * for all listed)",
                Kind::Areas,
            ),
            opt(
                "population",
                "Målt på (state_listed, estates, designated, area:ID eller municipality)",
                "Measured on (state_listed, estates, designated, area:ID or municipality)",
                Kind::Text,
            ),
            f(
                "direction",
                "Retning",
                "Direction",
                Kind::Choice(DIRECTIONS),
            ),
            opt(
                "baseline_value",
                "Udgangspunkt",
                "Baseline value",
                Kind::Decimal,
            ),
            opt(
                "baseline_year",
                "Udgangspunkt, år",
                "Baseline year",
                Kind::Year,
            ),
            opt(
                "baseline_source",
                "Udgangspunkt, kilde",
                "Baseline source",
                Kind::Text,
            ),
            opt("target_kind", "Mål", "Target", Kind::Choice(TARGET_KINDS)),
            opt("target_value", "Målværdi", "Target value", Kind::Decimal),
            opt("target_year", "Målår", "Target year", Kind::Year),
            opt(
                "data_source",
                "Datakilde, der kunne levere den (når målet er none)",
                "Data source that could feed it (when the measure is none)",
                Kind::LongText,
            ),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "action_plans",
        file: "action_plans.csv",
        da: "handleplansversion",
        en: "action plan version",
        fields: &[
            ID,
            f("plan", "Handleplan", "Action plan", Kind::Text),
            f("version", "Version", "Version", Kind::Year),
            f("name", "Navn", "Name", Kind::Text),
            f("period_from", "Fra år", "From year", Kind::Year),
            f("period_to", "Til år", "To year", Kind::Year),
            f("policy_id", "Politik", "Policy", Kind::Parent("policies")),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "initiatives",
        file: "initiatives.csv",
        da: "indsats",
        en: "initiative",
        fields: &[
            f(
                "action_plan_id",
                "Handleplansversion",
                "Action plan version",
                Kind::Parent("action_plans"),
            ),
            ID,
            f("name", "Navn", "Name", Kind::Text),
            opt("description", "Beskrivelse", "Description", Kind::LongText),
            f(
                "owner",
                "Ansvarlig forvaltning",
                "Owning administration",
                Kind::Choice(OWNERS),
            ),
            opt("partners", "Partnere", "Partners", Kind::List),
            opt("areas", "Områder", "Areas", Kind::Areas),
            opt("sub_goals", "Delmål", "Sub-goals", Kind::List),
            f("period_from", "Fra år", "From year", Kind::Year),
            f("period_to", "Til år", "To year", Kind::Year),
            opt("budget_dkk", "Budget, kr.", "Budget, DKK", Kind::Dkk),
            f("status", "Status", "Status", Kind::Choice(STATUSES)),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "helhedsplaner",
        file: "helhedsplaner.csv",
        da: "helhedsplan",
        en: "helhedsplan",
        fields: &[
            ID,
            f("area_id", "Område", "Area", Kind::Text),
            f("name", "Navn", "Name", Kind::Text),
            f(
                "housing_organisation",
                "Boligorganisation",
                "Housing organisation",
                Kind::Text,
            ),
            f("level", "Niveau", "Level", Kind::Choice(LEVELS)),
            f("period_from", "Fra år", "From year", Kind::Year),
            f("period_to", "Til år", "To year", Kind::Year),
            f(
                "lbf_grant_dkk",
                "Tilskud fra Landsbyggefonden, kr.",
                "Landsbyggefonden grant, DKK",
                Kind::Dkk,
            ),
            f(
                "municipal_cofinancing_dkk",
                "Kommunal medfinansiering, kr.",
                "Municipal co-financing, DKK",
                Kind::Dkk,
            ),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "hp_challenges",
        file: "hp_challenges.csv",
        da: "udfordring",
        en: "challenge",
        fields: &[
            ID,
            f(
                "helhedsplan_id",
                "Helhedsplan",
                "Helhedsplan",
                Kind::Parent("helhedsplaner"),
            ),
            f("text", "Udfordring", "Challenge", Kind::LongText),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "hp_goals",
        file: "hp_goals.csv",
        da: "mål i helhedsplanen",
        en: "helhedsplan goal",
        fields: &[
            ID,
            f(
                "challenge_id",
                "Udfordring",
                "Challenge",
                Kind::Parent("hp_challenges"),
            ),
            f("text", "Mål", "Goal", Kind::LongText),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
    TableSpec {
        name: "hp_actions",
        file: "hp_actions.csv",
        da: "handling",
        en: "action",
        fields: &[
            ID,
            f("goal_id", "Mål", "Goal", Kind::Parent("hp_goals")),
            f("name", "Navn", "Name", Kind::Text),
            opt("description", "Beskrivelse", "Description", Kind::LongText),
            ILLUSTRATIVE,
            SOURCE,
        ],
    },
];

/// The table of this name (`hp_actions`, …).
pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

impl TableSpec {
    /// The field of this column.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Whether rows are keyed by `id` within their action-plan version (initiatives).
    pub fn scoped(&self) -> bool {
        self.name == "initiatives"
    }

    /// The key of a row of this table.
    pub fn key_of(&self, row: &Row) -> Key {
        Key {
            id: row.get("id").cloned().unwrap_or_default(),
            scope: self
                .scoped()
                .then(|| row.get("action_plan_id").cloned().unwrap_or_default()),
        }
    }
}

/// A row's key: its id, and for an initiative the action-plan version it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Key {
    /// The row's `id`.
    pub id: String,
    /// For initiatives: the `action_plan_id`.
    pub scope: Option<String>,
}

impl std::fmt::Display for Key {
    /// `id`, or `action_plan_id/id` for an initiative.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.scope {
            Some(s) => write!(f, "{s}/{}", self.id),
            None => f.write_str(&self.id),
        }
    }
}

/// One edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new row (every column not given is empty).
    Create {
        /// The table.
        table: &'static TableSpec,
        /// The cells.
        row: Row,
    },
    /// New values for some columns of an existing row (the others are kept).
    Update {
        /// The table.
        table: &'static TableSpec,
        /// Which row.
        key: Key,
        /// The cells that change.
        row: Row,
    },
    /// Removes a row (refused while another row refers to it).
    Delete {
        /// The table.
        table: &'static TableSpec,
        /// Which row.
        key: Key,
    },
}

impl Change {
    /// `create`, `update` or `delete`.
    pub fn action(&self) -> &'static str {
        match self {
            Change::Create { .. } => "create",
            Change::Update { .. } => "update",
            Change::Delete { .. } => "delete",
        }
    }

    /// The table edited.
    pub fn table(&self) -> &'static TableSpec {
        match self {
            Change::Create { table, .. }
            | Change::Update { table, .. }
            | Change::Delete { table, .. } => table,
        }
    }
}

/// Why an edit was refused: the field (when the problem is in the edited row) and what was
/// expected, in Danish and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    /// The column of the edited row at fault, if the problem is there.
    pub field: Option<String>,
    /// What was expected, in Danish.
    pub da: String,
    /// What was expected, in English.
    pub en: String,
}

impl EditError {
    fn both(field: Option<&str>, da: String, en: String) -> EditError {
        EditError {
            field: field.map(str::to_string),
            da,
            en,
        }
    }
}

impl std::fmt::Display for EditError {
    /// `field: message` in English.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(c) => write!(f, "{c}: {}", self.en),
            None => f.write_str(&self.en),
        }
    }
}

impl std::error::Error for EditError {}

/// An applied edit: the new set, its files, and the row before and after (normalized as the
/// files hold it).
#[derive(Debug, Clone)]
pub struct Applied {
    /// The plan set after the edit.
    pub plans: crate::Plans,
    /// The set as its ten files (what the store keeps).
    pub files: Vec<(String, String)>,
    /// The key of the edited row.
    pub key: Key,
    /// The row before (none for a create).
    pub before: Option<Row>,
    /// The row after (none for a delete).
    pub after: Option<Row>,
}

impl Kind {
    /// Trims the text and checks it for this kind; a decimal comma becomes a point and a
    /// checkbox's `on` becomes `true`. `Err` says what was expected, in Danish and English.
    pub fn normalize(self, value: &str, required: bool) -> Result<String, (String, String)> {
        let v = value.trim();
        if v.is_empty() {
            if required && !matches!(self, Kind::Bool) {
                return Err(("skal udfyldes".into(), "is required".into()));
            }
            return Ok(if matches!(self, Kind::Bool) {
                "false".into()
            } else {
                String::new()
            });
        }
        match self {
            Kind::Id | Kind::Parent(_) => {
                if v.chars().any(|c| c.is_whitespace() || c == '/') {
                    return Err((
                        format!("et id uden mellemrum og skråstreg, ikke «{v}»"),
                        format!("an id without spaces or slashes, not {v:?}"),
                    ));
                }
                Ok(v.into())
            }
            Kind::Year => {
                if v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0') {
                    Ok(v.into())
                } else {
                    Err((
                        format!("et årstal med fire cifre, fx 2030, ikke «{v}»"),
                        format!("a year of four digits, e.g. 2030, not {v:?}"),
                    ))
                }
            }
            Kind::Decimal => {
                let d = if v.contains(',') && !v.contains('.') {
                    v.replace(',', ".")
                } else {
                    v.to_string()
                };
                let ok = {
                    let digits = d.strip_prefix('-').unwrap_or(&d);
                    let mut parts = digits.splitn(2, '.');
                    let int = parts.next().unwrap_or("");
                    let frac = parts.next();
                    !int.is_empty()
                        && int.bytes().all(|b| b.is_ascii_digit())
                        && frac
                            .is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
                };
                if ok && d.parse::<rust_decimal::Decimal>().is_ok() {
                    Ok(d)
                } else {
                    Err((
                        format!("et tal, fx 17,3, ikke «{v}»"),
                        format!("a number, e.g. 17.3, not {v:?}"),
                    ))
                }
            }
            Kind::Dkk => {
                let d: String = v.chars().filter(|c| *c != '.' && *c != ' ').collect();
                if !d.is_empty()
                    && d.bytes().all(|b| b.is_ascii_digit())
                    && d.parse::<i64>().is_ok()
                {
                    Ok(d.trim_start_matches('0').to_string())
                        .map(|s| if s.is_empty() { "0".into() } else { s })
                } else {
                    Err((
                        format!("hele kroner, fx 4500000, ikke «{v}»"),
                        format!("whole kroner, e.g. 4500000, not {v:?}"),
                    ))
                }
            }
            Kind::Bool => match v {
                "true" | "on" | "1" | "ja" | "yes" => Ok("true".into()),
                "false" | "off" | "0" | "nej" | "no" => Ok("false".into()),
                _ => Err((
                    format!("ja eller nej, ikke «{v}»"),
                    format!("yes or no, not {v:?}"),
                )),
            },
            Kind::Choice(options) => {
                if options.iter().any(|(o, _, _)| *o == v) {
                    Ok(v.into())
                } else if let Some((o, _, _)) = options
                    .iter()
                    .find(|(_, da, en)| da.eq_ignore_ascii_case(v) || en.eq_ignore_ascii_case(v))
                {
                    Ok((*o).into())
                } else {
                    let list = |i: usize| {
                        options
                            .iter()
                            .filter(|o| !o.0.is_empty())
                            .map(|o| if i == 0 { o.1 } else { o.2 })
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    Err((
                        format!("en af: {}; ikke «{v}»", list(0)),
                        format!("one of: {}; not {v:?}", list(1)),
                    ))
                }
            }
            Kind::Text => {
                if v.contains('\n') {
                    Err(("én linje tekst".into(), "one line of text".into()))
                } else {
                    Ok(v.into())
                }
            }
            Kind::LongText | Kind::List | Kind::Areas => Ok(v.replace("\r\n", "\n")),
        }
    }
}

fn parse_records(file: &str, content: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = ::csv::ReaderBuilder::new().has_headers(true).from_reader(
        content
            .strip_prefix('\u{feff}')
            .unwrap_or(content)
            .as_bytes(),
    );
    let header = r
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_else(|_| cols(file));
    let rows = r
        .records()
        .filter_map(Result::ok)
        .map(|rec| rec.iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn cols(file: &str) -> Vec<String> {
    FILES
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, c)| c.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default()
}

/// The file as text, and the 1-based line each record starts on.
fn write_records(header: &[String], rows: &[Vec<String>]) -> (String, Vec<u64>) {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    let mut rd = ::csv::Reader::from_reader(text.as_bytes());
    let lines = rd
        .records()
        .map(|r| r.map(|r| r.position().map_or(0, |p| p.line())).unwrap_or(0))
        .collect();
    (text, lines)
}

fn to_row(header: &[String], cells: &[String]) -> Row {
    header.iter().cloned().zip(cells.iter().cloned()).collect()
}

/// The rows of one table, in file order.
pub fn rows(plans: &crate::Plans, table: &TableSpec) -> Vec<Row> {
    let files = crate::csv::write(plans);
    let content = files
        .iter()
        .find(|(f, _)| f == table.file)
        .map_or("", |(_, c)| c.as_str());
    let (header, recs) = parse_records(table.file, content);
    recs.iter().map(|r| to_row(&header, r)).collect()
}

/// One row by its key.
pub fn row(plans: &crate::Plans, table: &TableSpec, key: &Key) -> Option<Row> {
    rows(plans, table)
        .into_iter()
        .find(|r| table.key_of(r) == *key)
}

/// Checks and normalizes the given cells for their fields (unknown columns refused). With
/// `all`, every field of the table is checked, missing ones as empty.
fn normalize_row(table: &TableSpec, row: &Row, all: bool) -> Result<Row, EditError> {
    for name in row.keys() {
        if table.field(name).is_none() {
            let known = table
                .fields
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(EditError::both(
                None,
                format!(
                    "felterne i en {} er {known}; «{name}» kendes ikke",
                    table.da
                ),
                format!(
                    "the fields of a {} are {known}; {name:?} is not one",
                    table.en
                ),
            ));
        }
    }
    let mut out = Row::new();
    for field in table.fields {
        let Some(v) = row
            .get(field.name)
            .or(all.then_some(&String::new()))
            .cloned()
        else {
            continue;
        };
        let v = field
            .kind
            .normalize(&v, field.required)
            .map_err(|(da, en)| EditError::both(Some(field.name), da, en))?;
        out.insert(field.name.to_string(), v);
    }
    Ok(out)
}

/// Applies one edit to the set: either the whole set is valid afterwards and comes back with
/// the row before and after, or the error names the field and what was expected and nothing
/// changed.
pub fn apply(plans: &crate::Plans, change: &Change) -> Result<Applied, EditError> {
    let table = change.table();
    let mut files = crate::csv::write(plans);
    let slot = files
        .iter()
        .position(|(f, _)| f == table.file)
        .expect("every table is one of the written files");
    let (header, mut recs) = parse_records(table.file, &files[slot].1);
    let find = |recs: &[Vec<String>], key: &Key| {
        recs.iter()
            .position(|r| table.key_of(&to_row(&header, r)) == *key)
    };
    let missing = |key: &Key| {
        EditError::both(
            None,
            format!(
                "en eksisterende {} «{key}»; den findes ikke (længere)",
                table.da
            ),
            format!("an existing {} {key:?}; there is none (any more)", table.en),
        )
    };
    let cells = |row: &Row| -> Vec<String> {
        header
            .iter()
            .map(|c| row.get(c).cloned().unwrap_or_default())
            .collect()
    };
    let (edited, key, before) = match change {
        Change::Create { row, .. } => {
            let row = normalize_row(table, row, true)?;
            let key = table.key_of(&row);
            if find(&recs, &key).is_some() {
                return Err(EditError::both(
                    Some("id"),
                    format!("et nyt id; «{}» er allerede brugt", key.id),
                    format!("a new id; {:?} is already used", key.id),
                ));
            }
            recs.push(cells(&row));
            (Some(recs.len() - 1), key, None)
        }
        Change::Update { key, row, .. } => {
            let i = find(&recs, key).ok_or_else(|| missing(key))?;
            let before = to_row(&header, &recs[i]);
            let mut merged = before.clone();
            merged.extend(normalize_row(table, row, false)?);
            if table.key_of(&merged) != *key {
                let field = if merged.get("id") != before.get("id") {
                    "id"
                } else {
                    "action_plan_id"
                };
                return Err(EditError::both(
                    Some(field),
                    "det samme som før: id'et kan ikke ændres (opret en ny og slet den gamle)"
                        .into(),
                    "the same as before: the id cannot change (create a new row and delete the old)"
                        .into(),
                ));
            }
            recs[i] = cells(&merged);
            (Some(i), key.clone(), Some(before))
        }
        Change::Delete { key, .. } => {
            let i = find(&recs, key).ok_or_else(|| missing(key))?;
            let before = to_row(&header, &recs.remove(i));
            (None, key.clone(), Some(before))
        }
    };
    if let Some(i) = edited {
        check_parents(plans, table, &to_row(&header, &recs[i]))?;
    }
    let (text, lines) = write_records(&header, &recs);
    files[slot].1 = text;
    let edited_line = edited.and_then(|i| lines.get(i).copied());
    let new = crate::csv::read(&files).map_err(|e| match change {
        Change::Delete { .. } => still_referred(table, &e),
        _ => explain(table, &e, edited_line),
    })?;
    let after = match change {
        Change::Delete { .. } => None,
        _ => row(&new, table, &key),
    };
    Ok(Applied {
        files: crate::csv::write(&new),
        plans: new,
        key,
        before,
        after,
    })
}

/// Each parent field names an existing row of its table(s).
fn check_parents(plans: &crate::Plans, table: &TableSpec, row: &Row) -> Result<(), EditError> {
    for f in table.fields {
        let Kind::Parent(kinds) = f.kind else {
            continue;
        };
        let v = row.get(f.name).map_or("", String::as_str);
        if v.is_empty() {
            continue;
        }
        let specs: Vec<&TableSpec> = kinds.split('|').filter_map(self::table).collect();
        let found = specs.iter().any(|t| {
            rows(plans, t)
                .iter()
                .any(|r| r.get("id").is_some_and(|id| id == v))
        });
        if !found {
            let (da, en): (Vec<&str>, Vec<&str>) = specs.iter().map(|t| (t.da, t.en)).unzip();
            return Err(EditError::both(
                Some(f.name),
                format!(
                    "id'et på en eksisterende {}; «{v}» findes ikke",
                    da.join(" eller ")
                ),
                format!("the id of an existing {}; {v:?} is none", en.join(" or ")),
            ));
        }
    }
    Ok(())
}

/// A delete the set refuses: another row still refers to the deleted one.
fn still_referred(table: &TableSpec, e: &PlanError) -> EditError {
    let other = TABLES.iter().find(|t| t.file == e.file);
    let (da, en) = other.map_or(("række", "row"), |t| (t.da, t.en));
    let line = e.line.map(|l| format!(" {l}")).unwrap_or_default();
    EditError::both(
        None,
        format!(
            "Denne {} kan ikke slettes: en {da} hører stadig under den ({}, linje{line}). Slet eller flyt den først.",
            table.da, e.file
        ),
        format!(
            "This {} cannot be deleted: a {en} still belongs to it ({}, line{line}). Delete or move that first.",
            table.en, e.file
        ),
    )
}

/// The read error as an edit error: on the edited row, the field; elsewhere, where.
fn explain(table: &TableSpec, e: &PlanError, edited_line: Option<u64>) -> EditError {
    let here = e.file == table.file && e.line.is_some() && e.line == edited_line;
    if here {
        let field = e.column.as_ref().map(|(_, n)| n.as_str());
        return EditError::both(
            field,
            format!("forventet {}", e.message),
            format!("expected {}", e.message),
        );
    }
    let other = TABLES.iter().find(|t| t.file == e.file);
    let (da, en) = match other {
        Some(t) => (t.da, t.en),
        None => ("række", "row"),
    };
    EditError::both(
        None,
        format!(
            "ændringen ville gøre planerne ugyldige – en {da} ({e}). Ret eller slet den først."
        ),
        format!(
            "the change would make the plans invalid: a {en} ({e}). Change or delete it first."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> crate::Plans {
        crate::seed::copenhagen_2025(&[("A1", "Område 1"), ("A2", "Område 2"), ("A3", "Område 3")])
    }

    fn first(plans: &crate::Plans, t: &str) -> Row {
        rows(plans, table(t).unwrap()).remove(0)
    }

    #[test]
    fn every_table_names_exactly_the_columns_of_its_file() {
        assert_eq!(TABLES.len(), FILES.len());
        for (t, (file, cols)) in TABLES.iter().zip(FILES) {
            assert_eq!(t.file, *file);
            let names: Vec<&str> = t.fields.iter().map(|f| f.name).collect();
            assert_eq!(names, *cols, "{file}");
        }
    }

    #[test]
    fn the_choices_are_the_models_values() {
        use crate::model::{Administration, Measure};
        let values =
            |o: &[(&str, &str, &str)]| o.iter().map(|o| o.0.to_string()).collect::<Vec<_>>();
        assert_eq!(
            values(MEASURES),
            Measure::ALL.map(|m| m.as_str().to_string())
        );
        assert_eq!(
            values(OWNERS),
            Administration::ALL.map(|a| a.name().to_string())
        );
        for s in values(STATUSES) {
            assert!(s.parse::<crate::model::InitiativeStatus>().is_ok(), "{s}");
        }
        for l in values(LEVELS) {
            assert!(l.parse::<crate::model::Level>().is_ok(), "{l}");
        }
    }

    #[test]
    fn an_update_changes_one_row_and_reports_before_and_after() {
        let plans = seed();
        let t = table("hp_actions").unwrap();
        let old = first(&plans, "hp_actions");
        let key = t.key_of(&old);
        let change = Change::Update {
            table: t,
            key: key.clone(),
            row: Row::from([("name".into(), "  Lektiecafé, to gange om ugen ".into())]),
        };
        let a = apply(&plans, &change).unwrap();
        assert_eq!(a.before.as_ref(), Some(&old));
        let after = a.after.unwrap();
        assert_eq!(after["name"], "Lektiecafé, to gange om ugen");
        let mut expected = old.clone();
        expected.insert("name".into(), "Lektiecafé, to gange om ugen".into());
        assert_eq!(after, expected);
        // Only that file changed, and the set reads back as the new plans.
        let before_files = crate::csv::write(&plans);
        let changed: Vec<&str> = before_files
            .iter()
            .zip(&a.files)
            .filter(|(b, n)| b != n)
            .map(|(b, _)| b.0.as_str())
            .collect();
        assert_eq!(changed, ["hp_actions.csv"]);
        assert_eq!(crate::csv::read(&a.files).unwrap(), a.plans);
    }

    #[test]
    fn a_bad_value_names_its_field_in_both_languages() {
        let plans = seed();
        let t = table("initiatives").unwrap();
        let old = first(&plans, "initiatives");
        let key = t.key_of(&old);
        assert!(key.scope.is_some());
        let bad = |col: &str, v: &str| {
            apply(
                &plans,
                &Change::Update {
                    table: t,
                    key: key.clone(),
                    row: Row::from([(col.into(), v.into())]),
                },
            )
            .unwrap_err()
        };
        let e = bad("period_from", "20x5");
        assert_eq!(e.field.as_deref(), Some("period_from"));
        assert!(e.da.contains("fire cifre"), "{e:?}");
        let e = bad("status", "done");
        assert_eq!(e.field.as_deref(), Some("status"));
        assert!(e.en.contains("planned"), "{e:?}");
        let e = bad("name", "");
        assert_eq!(e.field.as_deref(), Some("name"));
        // A period that ends before it starts passes the field check but not the set's.
        let e = bad("period_to", "1999");
        assert_eq!(e.field.as_deref(), Some("period_to"), "{e:?}");
        // A parent that does not exist.
        let e = bad("action_plan_id", "ap-none");
        assert_eq!(e.field.as_deref(), Some("action_plan_id"), "{e:?}");
        // A sub-goal that does not exist.
        let e = bad("sub_goals", "sub-9.9");
        assert_eq!(e.field.as_deref(), Some("sub_goals"), "{e:?}");
        let e = bad("nonsense", "x");
        assert_eq!(e.field, None);
        assert!(e.en.contains("nonsense"));
        let e = bad("id", "other");
        assert_eq!(e.field.as_deref(), Some("id"));
    }

    #[test]
    fn decimals_take_a_decimal_comma_and_budgets_thousands_points() {
        let plans = seed();
        let t = table("indicators").unwrap();
        let old = first(&plans, "indicators");
        let a = apply(
            &plans,
            &Change::Update {
                table: t,
                key: t.key_of(&old),
                row: Row::from([
                    ("baseline_value".into(), "17,30".into()),
                    ("baseline_year".into(), "2023".into()),
                    ("baseline_source".into(), "Politikken".into()),
                ]),
            },
        )
        .unwrap();
        assert_eq!(a.after.unwrap()["baseline_value"], "17.30");
        assert_eq!(Kind::Dkk.normalize("4.500.000", true).unwrap(), "4500000");
        assert!(Kind::Decimal.normalize("1,2.3", true).is_err());
        assert!(Kind::Decimal.normalize("1e5", true).is_err());
        assert_eq!(Kind::Bool.normalize("", true).unwrap(), "false");
        assert_eq!(Kind::Bool.normalize("on", true).unwrap(), "true");
    }

    #[test]
    fn create_then_delete_gives_the_same_set_back() {
        let plans = seed();
        let t = table("hp_actions").unwrap();
        let goal = first(&plans, "hp_goals")["id"].clone();
        let row = Row::from([
            ("id".into(), "act-new".into()),
            ("goal_id".into(), goal),
            ("name".into(), "Jobcafé".into()),
            ("illustrative".into(), "on".into()),
        ]);
        let a = apply(
            &plans,
            &Change::Create {
                table: t,
                row: row.clone(),
            },
        )
        .unwrap();
        assert_eq!(a.before, None);
        assert_eq!(a.after.as_ref().unwrap()["illustrative"], "true");
        assert_eq!(a.after.as_ref().unwrap()["description"], "");
        let again = apply(&a.plans, &Change::Create { table: t, row }).unwrap_err();
        assert_eq!(again.field.as_deref(), Some("id"));
        let key = Key {
            id: "act-new".into(),
            scope: None,
        };
        let d = apply(
            &a.plans,
            &Change::Delete {
                table: t,
                key: key.clone(),
            },
        )
        .unwrap();
        assert_eq!(d.plans, plans);
        assert_eq!(d.after, None);
        let gone = apply(&d.plans, &Change::Delete { table: t, key }).unwrap_err();
        assert!(gone.en.contains("existing"), "{gone:?}");
    }

    #[test]
    fn a_row_others_refer_to_cannot_be_deleted() {
        let plans = seed();
        let t = table("hp_goals").unwrap();
        let goal = first(&plans, "hp_goals");
        let e = apply(
            &plans,
            &Change::Delete {
                table: t,
                key: t.key_of(&goal),
            },
        )
        .unwrap_err();
        assert_eq!(e.field, None);
        assert!(e.da.contains("kan ikke slettes"), "{e:?}");
        assert!(e.en.contains("hp_actions.csv, line 2"), "{e:?}");
    }
}
