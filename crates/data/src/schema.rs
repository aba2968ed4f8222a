//! The person-year schema of a register extract (see `docs/REGISTERS.md`).

use arrow_schema::{DataType, Field, Schema};

/// A column of `persons-YYYY.*`.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Header / field name.
    pub name: &'static str,
    /// Whether the aggregation reads it.
    pub read: bool,
    /// Whether it may be empty.
    pub nullable: bool,
    /// The Arrow type (Parquet); CSV cells parse to the same.
    pub kind: Kind,
}

/// The value kind of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// UInt64.
    U64,
    /// Int16.
    I16,
    /// UInt16.
    U16,
    /// UInt8.
    U8,
    /// Float32.
    F32,
    /// Float64.
    F64,
    /// Boolean.
    Bool,
    /// Utf8.
    Text,
}

impl Kind {
    /// The Arrow type.
    pub fn data_type(self) -> DataType {
        match self {
            Kind::U64 => DataType::UInt64,
            Kind::I16 => DataType::Int16,
            Kind::U16 => DataType::UInt16,
            Kind::U8 => DataType::UInt8,
            Kind::F32 => DataType::Float32,
            Kind::F64 => DataType::Float64,
            Kind::Bool => DataType::Boolean,
            Kind::Text => DataType::Utf8,
        }
    }
}

macro_rules! col {
    ($name:literal, $kind:ident, $read:expr, $nullable:expr) => {
        Column {
            name: $name,
            read: $read,
            nullable: $nullable,
            kind: Kind::$kind,
        }
    };
}

/// Every column, in the documented order.
pub const COLUMNS: &[Column] = &[
    col!("person_id", U64, true, false),
    col!("year", I16, true, false),
    col!("area_id", Text, true, true),
    col!("municipality", U16, false, false),
    col!("region", U16, true, false),
    col!("east", F64, false, true),
    col!("north", F64, false, true),
    col!("age", U8, true, false),
    col!("origin", U8, true, false),
    col!("outside_fte", F32, true, false),
    col!("in_education", Bool, true, false),
    col!("education_level", U8, true, false),
    col!("education_source", U8, true, false),
    col!("income", F64, true, false),
    col!("taxable", Bool, true, false),
    col!("convicted", Bool, true, false),
];

/// Optional columns the municipal screening reads (the state's lists do not need them).
pub const SCREENING_COLUMNS: &[Column] = &[
    col!("district", U16, true, false),
    col!("polling_district", U16, true, false),
    col!("low_income", Bool, true, false),
    col!("poor_health", Bool, true, false),
    col!("dwelling_area", F32, true, true),
    col!("dwelling_residents", U8, true, true),
    col!("installation_deficiency", Bool, true, false),
];

/// The Arrow schema of a person-year file.
pub fn arrow_schema() -> Schema {
    Schema::new(
        COLUMNS
            .iter()
            .chain(SCREENING_COLUMNS)
            .map(|c| {
                let dt = if c.name == "area_id" {
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
                } else {
                    c.kind.data_type()
                };
                Field::new(c.name, dt, c.nullable)
            })
            .collect::<Vec<_>>(),
    )
}

/// `origin` codes.
pub mod origin {
    /// Danish origin.
    pub const DANISH: u8 = 0;
    /// Immigrant from a Western country.
    pub const WESTERN_IMMIGRANT: u8 = 1;
    /// Descendant of immigrants from a Western country.
    pub const WESTERN_DESCENDANT: u8 = 2;
    /// Immigrant from a non-Western country.
    pub const NON_WESTERN_IMMIGRANT: u8 = 3;
    /// Descendant of immigrants from a non-Western country.
    pub const NON_WESTERN_DESCENDANT: u8 = 4;
    /// The largest valid code.
    pub const MAX: u8 = 4;
}

/// `education_level` codes: highest completed education.
pub mod education_level {
    /// Unknown.
    pub const UNKNOWN: u8 = 0;
    /// Basic school only (grundskole).
    pub const BASIC: u8 = 1;
    /// Upper secondary or vocational.
    pub const UPPER_SECONDARY: u8 = 2;
    /// Higher education.
    pub const HIGHER: u8 = 3;
    /// The largest valid code.
    pub const MAX: u8 = 3;
}

/// `education_source` codes: where the highest education came from.
pub mod education_source {
    /// Taken in Denmark.
    pub const DANISH: u8 = 0;
    /// Foreign, approved in Denmark.
    pub const APPROVED_FOREIGN: u8 = 1;
    /// Self-reported (survey).
    pub const SELF_REPORTED: u8 = 2;
    /// Imputed by Statistics Denmark.
    pub const IMPUTED: u8 = 3;
    /// Unknown.
    pub const UNKNOWN: u8 = 4;
    /// The largest valid code.
    pub const MAX: u8 = 4;
}

/// The highest valid age.
pub const MAX_AGE: u8 = 120;
