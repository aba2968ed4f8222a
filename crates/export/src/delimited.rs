//! CSV in the two dialects.

use std::borrow::Cow;

use crate::{Cell, Dialect, ExportError, Table, suppressed_marker};

/// The UTF-8 byte order mark that makes Excel read a CSV file as UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// No further fields: `write_record(END)` ends the record begun by `write_field`.
const END: [&[u8]; 0] = [];

/// Writes `table` as CSV in `dialect`: a header line, then one line per row, each ended by
/// `\n`; fields are quoted only where needed (a separator, a quote or a line break in them),
/// quotes doubled.
///
/// Cells: [`Cell::Empty`] is an empty field; text as-is unless a spreadsheet would take it for
/// a formula (see [`formula_safe`]: a leading `'` is added); integers in plain digits; decimals
/// exactly as held, with their scale (`2.40`, Danish `2,40`); a suppressed cell as `<5`. No
/// thousands separator in either dialect. The notes are not written (CSV stays a plain table).
/// A table without columns gives no lines (only the byte order mark in [`Dialect::Danish`]).
///
/// # Errors
///
/// [`ExportError::RowLength`] for a row whose number of cells is not the number of columns.
pub fn csv(table: &Table, dialect: Dialect) -> Result<Vec<u8>, ExportError> {
    table.check()?;
    let mut out = Vec::new();
    if dialect == Dialect::Danish {
        out.extend_from_slice(BOM);
    }
    if table.columns.is_empty() {
        return Ok(out);
    }
    let delimiter = match dialect {
        Dialect::Standard => b',',
        Dialect::Danish => b';',
    };
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(out);
    let err = |e: ::csv::Error| ExportError::Csv(e.to_string());
    for column in &table.columns {
        match dialect {
            Dialect::Standard => w.write_field(formula_safe(&column.key).as_bytes()),
            Dialect::Danish => w.write_field(formula_safe(&column.heading()).as_bytes()),
        }
        .map_err(err)?;
    }
    w.write_record(END).map_err(err)?;
    for row in &table.rows {
        for cell in row {
            w.write_field(field(cell, dialect).as_bytes())
                .map_err(err)?;
        }
        w.write_record(END).map_err(err)?;
    }
    w.into_inner().map_err(|e| ExportError::Csv(e.to_string()))
}

/// The text of one cell in `dialect`.
fn field(cell: &Cell, dialect: Dialect) -> Cow<'_, str> {
    match cell {
        Cell::Empty => Cow::Borrowed(""),
        Cell::Text(s) => formula_safe(s),
        Cell::Integer(i) => Cow::Owned(i.to_string()),
        Cell::Decimal(d) => {
            let s = d.to_string();
            match dialect {
                Dialect::Standard => Cow::Owned(s),
                Dialect::Danish => Cow::Owned(s.replace('.', ",")),
            }
        }
        Cell::Suppressed { min_count } => Cow::Owned(suppressed_marker(*min_count)),
    }
}

/// A text cell as a spreadsheet may safely open it (OWASP's rule against CSV injection): text
/// beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that
/// Excel and LibreOffice show it as text and never evaluate it as a formula. Text that is a
/// plain number (`-1.5`, `+3`, `-1,5`) is left as it is: a spreadsheet reads it as that number,
/// not as a formula. Any other text is returned unchanged (borrowed).
pub fn formula_safe(text: &str) -> Cow<'_, str> {
    let risky = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && !plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` is a sign, digits and at most one decimal point or comma followed by digits.
fn plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (int, frac) = match body.split_once(['.', ',']) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::formula_safe;

    #[test]
    fn formulas_are_quoted_and_numbers_kept() {
        for (text, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+SUM(A1)", "'+SUM(A1)"),
            ("-2+3", "'-2+3"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-1.5", "-1.5"),
            ("+3", "+3"),
            ("-1,5", "-1,5"),
            ("Gellerup", "Gellerup"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(formula_safe(text), expected, "{text:?}");
        }
    }
}
