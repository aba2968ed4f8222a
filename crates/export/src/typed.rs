//! The typed view of a [`Table`] that the GeoPackage and Parquet writers share: a storage type
//! per column, a `<key>_suppressed` flag column where counts may be hidden, and every cell
//! converted to its column's type or refused with its row and column.

use crate::{Cell, Column, ExportError, Kind, Table};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeSet;

/// Decimal128's most digits, and so its largest scale.
pub(crate) const MAX_DECIMAL_DIGITS: u32 = 38;

/// How a column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// UTF-8 text.
    Text,
    /// A 64-bit integer ([`Kind::Integer`], [`Kind::Year`]).
    Int,
    /// An exact decimal with this many decimals ([`Kind::Decimal`], [`Kind::Percent`]).
    Dec {
        /// The decimals: the column's places, or more when a cell has more.
        scale: u32,
    },
}

/// One column of the typed view.
#[derive(Debug, Clone)]
pub(crate) struct Typed<'a> {
    /// The table's column.
    pub column: &'a Column,
    /// How it is stored.
    pub ty: Ty,
    /// The name of its `<key>_suppressed` flag column, when it has one.
    pub flag: Option<String>,
}

/// One converted cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// No value (empty, or suppressed in a numeric column).
    Null,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A decimal, exactly as held (the column's scale is never smaller than its scale).
    Dec(Decimal),
}

/// The suffix of the flag column that marks a suppressed count.
pub(crate) const SUPPRESSED_SUFFIX: &str = "_suppressed";

/// The typed columns of `table`, checking that no two names (the columns' keys, their flag
/// columns and the `reserved` names of the format) are the same, compared case-insensitively
/// as SQLite and most GIS tools do.
pub(crate) fn columns<'a>(
    table: &'a Table,
    reserved: &[&str],
) -> Result<Vec<Typed<'a>>, ExportError> {
    table.check()?;
    let mut out = Vec::with_capacity(table.columns.len());
    for (c, column) in table.columns.iter().enumerate() {
        let cells = table.rows.iter().map(|r| &r[c]);
        let suppressed = cells.clone().any(|x| matches!(x, Cell::Suppressed { .. }));
        let (ty, flagged) = match column.kind {
            Kind::Text => (Ty::Text, false),
            Kind::Integer => (Ty::Int, true),
            Kind::Year => (Ty::Int, suppressed),
            Kind::Decimal { places } | Kind::Percent { places } => {
                let widest = cells
                    .filter_map(|x| match x {
                        Cell::Decimal(d) => Some(d.scale()),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0);
                let scale = places.max(widest).min(MAX_DECIMAL_DIGITS);
                (Ty::Dec { scale }, suppressed)
            }
        };
        out.push(Typed {
            column,
            ty,
            flag: flagged.then(|| format!("{}{SUPPRESSED_SUFFIX}", column.key)),
        });
    }
    let mut seen = BTreeSet::new();
    let names = reserved.iter().map(|r| r.to_string()).chain(
        out.iter()
            .flat_map(|t| std::iter::once(t.column.key.clone()).chain(t.flag.clone())),
    );
    for name in names {
        if name.trim().is_empty() {
            return Err(ExportError::DuplicateColumn(String::new()));
        }
        if !seen.insert(name.to_lowercase()) {
            return Err(ExportError::DuplicateColumn(name));
        }
    }
    Ok(out)
}

/// A cell as its column stores it, and whether it was a suppressed count.
pub(crate) fn value(row: usize, t: &Typed<'_>, cell: &Cell) -> Result<(Val, bool), ExportError> {
    let wrong = |what: &str| ExportError::CellType {
        row,
        column: t.column.key.clone(),
        message: what.to_string(),
    };
    Ok(match (t.ty, cell) {
        (_, Cell::Empty) => (Val::Null, false),
        (Ty::Text, Cell::Text(s)) => (Val::Text(s.clone()), false),
        (Ty::Text, Cell::Integer(i)) => (Val::Text(i.to_string()), false),
        (Ty::Text, Cell::Decimal(d)) => (Val::Text(d.to_string()), false),
        (Ty::Text, Cell::Suppressed { min_count }) => {
            (Val::Text(crate::suppressed_marker(*min_count)), false)
        }
        (_, Cell::Suppressed { .. }) => (Val::Null, true),
        (_, Cell::Text(s)) => {
            return Err(wrong(&format!(
                "the text {s:?} in a numeric column; expected a number"
            )));
        }
        (Ty::Int, Cell::Integer(i)) => (Val::Int(*i), false),
        (Ty::Int, Cell::Decimal(d)) => match d.fract().is_zero().then(|| d.to_i64()).flatten() {
            Some(i) => (Val::Int(i), false),
            None => {
                return Err(wrong(&format!(
                    "{d} in a column of whole numbers; expected a whole number"
                )));
            }
        },
        (Ty::Dec { .. }, Cell::Integer(i)) => (Val::Dec(Decimal::from(*i)), false),
        (Ty::Dec { .. }, Cell::Decimal(d)) => (Val::Dec(*d), false),
    })
}

/// The mantissa of `d` at `scale` decimals (`41.30` at scale 2 is 4130), exactly, or `None`
/// when it needs more than [`MAX_DECIMAL_DIGITS`] digits or more decimals than `scale`.
pub(crate) fn mantissa(d: Decimal, scale: u32) -> Option<i128> {
    let have = d.scale();
    if have > scale {
        return None;
    }
    let m = d
        .mantissa()
        .checked_mul(10_i128.checked_pow(scale - have)?)?;
    (m.unsigned_abs() < 10_u128.pow(MAX_DECIMAL_DIGITS)).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: Vec<Column>, rows: Vec<Vec<Cell>>) -> Table {
        Table {
            title: "t".into(),
            columns,
            rows,
            notes: vec![],
        }
    }

    #[test]
    fn columns_get_types_and_flags() {
        let t = table(
            vec![
                Column::new("id", "Id", Kind::Text),
                Column::new("n", "N", Kind::Integer),
                Column::new("pct", "Pct", Kind::Percent { places: 1 }),
                Column::new("d", "D", Kind::Decimal { places: 2 }),
            ],
            vec![vec![
                "a".into(),
                Cell::Integer(7),
                Cell::Decimal("41.305".parse().unwrap()),
                Cell::Suppressed { min_count: 5 },
            ]],
        );
        let c = columns(&t, &[]).unwrap();
        assert_eq!(c[0].ty, Ty::Text);
        assert_eq!(c[1].flag.as_deref(), Some("n_suppressed"));
        assert_eq!(c[2].ty, Ty::Dec { scale: 3 });
        assert_eq!(c[2].flag, None);
        assert_eq!(c[3].flag.as_deref(), Some("d_suppressed"));
        assert_eq!(value(0, &c[3], &t.rows[0][3]).unwrap(), (Val::Null, true));
        let (v, _) = value(0, &c[2], &Cell::Integer(4)).unwrap();
        let Val::Dec(d) = v else { panic!() };
        assert_eq!(mantissa(d, 3), Some(4000));
        let (v, _) = value(0, &c[2], &t.rows[0][2]).unwrap();
        let Val::Dec(d) = v else { panic!() };
        assert_eq!(mantissa(d, 3), Some(41305));
        assert_eq!(mantissa(d, 2), None);
    }

    #[test]
    fn clashing_names_and_wrong_cells_are_refused() {
        let t = table(
            vec![
                Column::new("n", "N", Kind::Integer),
                Column::new("N_suppressed", "", Kind::Text),
            ],
            vec![],
        );
        assert_eq!(
            columns(&t, &[]).unwrap_err(),
            ExportError::DuplicateColumn("N_suppressed".into())
        );
        let t = table(vec![Column::new("fid", "", Kind::Text)], vec![]);
        assert!(columns(&t, &["fid", "geom"]).is_err());
        let t = table(
            vec![Column::new("n", "N", Kind::Integer)],
            vec![
                vec!["x".into()],
                vec![Cell::Decimal("2.5".parse().unwrap())],
            ],
        );
        let c = columns(&t, &[]).unwrap();
        let e = value(0, &c[0], &t.rows[0][0]).unwrap_err();
        assert!(
            e.to_string().contains("row 0") && e.to_string().contains("column n"),
            "{e}"
        );
        assert!(value(1, &c[0], &t.rows[1][0]).is_err());
        assert_eq!(
            value(1, &c[0], &Cell::Decimal("3.00".parse().unwrap()))
                .unwrap()
                .0,
            Val::Int(3)
        );
    }
}
