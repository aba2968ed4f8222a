//! Parquet: the table as one Arrow record batch in a Parquet file.

use crate::typed::{self, MAX_DECIMAL_DIGITS, Ty, Val};
use crate::{ExportError, Table};
use arrow_array::builder::{BooleanBuilder, Decimal128Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::collections::HashMap;
use std::sync::Arc;

/// The Parquet (and Arrow schema) metadata key holding the table's notes, as a JSON array of
/// strings.
pub const PARQUET_NOTES_KEY: &str = "kvarter:notes";

/// The Parquet (and Arrow schema) metadata key holding the table's title.
pub const PARQUET_TITLE_KEY: &str = "kvarter:title";

/// The Arrow field metadata key holding a column's label (its name for people).
pub const PARQUET_LABEL_KEY: &str = "kvarter:label";

/// Writes `table` as a Parquet file (Snappy-compressed, one row group, the Arrow schema
/// embedded).
///
/// One column per table column, named by its key, nullable, typed by its kind: text as
/// `Utf8`; whole numbers and years as `Int64`; decimals and percentages as
/// `Decimal128(38, scale)`, where the scale is the column's places, or more when a cell has
/// more decimals: every decimal is stored exactly, never as a float. After each count column
/// (every [`crate::Kind::Integer`] column, and any other numeric column with a suppressed cell)
/// comes a non-null `Boolean` column `<key>_suppressed`: a suppressed count is null with the
/// flag `true`, so that a reader tells a hidden count from a missing one. A suppressed cell in
/// a text column stays the text `<5`.
///
/// The file's key-value metadata holds [`PARQUET_TITLE_KEY`] and [`PARQUET_NOTES_KEY`] (the
/// notes as a JSON array), and each field its label under [`PARQUET_LABEL_KEY`].
///
/// # Errors
///
/// [`ExportError::RowLength`], [`ExportError::DuplicateColumn`],
/// [`ExportError::CellType`] (text in a numeric column, a decimal in a column of whole
/// numbers, a decimal beyond 38 digits), and [`ExportError::Parquet`] if the writer fails.
pub fn parquet(table: &Table) -> Result<Vec<u8>, ExportError> {
    let columns = typed::columns(table, &[])?;
    let pq = |e: &dyn std::fmt::Display| ExportError::Parquet(e.to_string());
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (c, t) in columns.iter().enumerate() {
        let label = HashMap::from([(PARQUET_LABEL_KEY.to_string(), t.column.label.clone())]);
        let mut flags = BooleanBuilder::with_capacity(table.rows.len());
        let cells = table.rows.iter().enumerate().map(|(r, row)| {
            let (v, suppressed) = typed::value(r, t, &row[c])?;
            Ok::<_, ExportError>((r, v, suppressed))
        });
        let (data_type, array): (DataType, ArrayRef) = match t.ty {
            Ty::Text => {
                let mut b = StringBuilder::new();
                for x in cells {
                    let (_, v, s) = x?;
                    flags.append_value(s);
                    match v {
                        Val::Text(s) => b.append_value(s),
                        _ => b.append_null(),
                    }
                }
                (DataType::Utf8, Arc::new(b.finish()))
            }
            Ty::Int => {
                let mut b = Int64Builder::with_capacity(table.rows.len());
                for x in cells {
                    let (_, v, s) = x?;
                    flags.append_value(s);
                    match v {
                        Val::Int(i) => b.append_value(i),
                        _ => b.append_null(),
                    }
                }
                (DataType::Int64, Arc::new(b.finish()))
            }
            Ty::Dec { scale } => {
                let scale_i8 = i8::try_from(scale).unwrap_or(i8::MAX);
                let digits = MAX_DECIMAL_DIGITS as u8;
                let mut b = Decimal128Builder::with_capacity(table.rows.len());
                for x in cells {
                    let (r, v, s) = x?;
                    flags.append_value(s);
                    match v {
                        Val::Dec(d) => {
                            let m = typed::mantissa(d, scale).ok_or_else(|| {
                                ExportError::CellType {
                                    row: r,
                                    column: t.column.key.clone(),
                                    message: format!(
                                        "{d} needs more than {MAX_DECIMAL_DIGITS} digits at {scale} decimals"
                                    ),
                                }
                            })?;
                            b.append_value(m);
                        }
                        _ => b.append_null(),
                    }
                }
                let array = b
                    .finish()
                    .with_precision_and_scale(digits, scale_i8)
                    .map_err(|e| pq(&e))?;
                (DataType::Decimal128(digits, scale_i8), Arc::new(array))
            }
        };
        fields.push(Field::new(&t.column.key, data_type, true).with_metadata(label));
        arrays.push(array);
        if let Some(flag) = &t.flag {
            let label = format!("{} (undertrykt / suppressed)", t.column.heading());
            fields.push(
                Field::new(flag, DataType::Boolean, false)
                    .with_metadata(HashMap::from([(PARQUET_LABEL_KEY.to_string(), label)])),
            );
            arrays.push(Arc::new(flags.finish()));
        }
    }
    let notes = serde_json::Value::from(table.notes.clone()).to_string();
    let metadata = HashMap::from([
        (PARQUET_NOTES_KEY.to_string(), notes),
        (PARQUET_TITLE_KEY.to_string(), table.title.clone()),
    ]);
    let schema = Arc::new(Schema::new(fields).with_metadata(metadata));
    let batch = RecordBatch::try_new_with_options(
        schema.clone(),
        arrays,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(table.rows.len())),
    )
    .map_err(|e| pq(&e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, Some(props)).map_err(|e| pq(&e))?;
    writer.write(&batch).map_err(|e| pq(&e))?;
    writer.close().map_err(|e| pq(&e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cell, Column, Decimal, Kind};
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Decimal128Type, Int64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn table() -> Table {
        Table {
            title: "Lister 2024".into(),
            columns: vec![
                Column::new("area_id", "Område-id", Kind::Text),
                Column::new("list_year", "Listeår", Kind::Year),
                Column::new("residents", "Beboere", Kind::Integer),
                Column::new("pct", "Andel", Kind::Percent { places: 2 }),
            ],
            rows: vec![
                vec![
                    "B1".into(),
                    Cell::Integer(2024),
                    Cell::Integer(1200),
                    Cell::Decimal("41.30".parse().unwrap()),
                ],
                vec![
                    "B2".into(),
                    Cell::Integer(2024),
                    Cell::Suppressed { min_count: 5 },
                    Cell::Decimal("0.125".parse().unwrap()),
                ],
                vec![Cell::Empty, Cell::Integer(2024), Cell::Empty, Cell::Empty],
            ],
            notes: vec!["kvarter: test".into(), "Antal under 5 er undertrykt".into()],
        }
    }

    #[test]
    fn parquet_reads_back_with_exact_decimals_and_flags() {
        let bytes = parquet(&table()).unwrap();
        assert_eq!(&bytes[..4], b"PAR1");
        let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap();
        let schema = builder.schema().clone();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names,
            [
                "area_id",
                "list_year",
                "residents",
                "residents_suppressed",
                "pct"
            ]
        );
        assert_eq!(schema.field(4).data_type(), &DataType::Decimal128(38, 3));
        assert_eq!(schema.field(2).data_type(), &DataType::Int64);
        assert_eq!(
            schema
                .field(0)
                .metadata()
                .get(PARQUET_LABEL_KEY)
                .map(String::as_str),
            Some("Område-id")
        );
        let notes: Vec<String> =
            serde_json::from_str(&schema.metadata()[PARQUET_NOTES_KEY]).unwrap();
        assert_eq!(notes, table().notes);
        assert_eq!(schema.metadata()[PARQUET_TITLE_KEY], "Lister 2024");

        let batches: Vec<RecordBatch> = builder.build().unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(batches.len(), 1);
        let b = &batches[0];
        assert_eq!(b.num_rows(), 3);
        let ids = b.column(0).as_string::<i32>();
        assert_eq!(ids.value(1), "B2");
        assert!(ids.is_null(2));
        let residents = b.column(2).as_primitive::<Int64Type>();
        assert_eq!(residents.value(0), 1200);
        assert!(residents.is_null(1) && residents.is_null(2));
        let flags = b.column(3).as_boolean();
        assert_eq!(
            (flags.value(0), flags.value(1), flags.value(2)),
            (false, true, false)
        );
        let pct = b.column(4).as_primitive::<Decimal128Type>();
        // 41.30 at scale 3 is 41300: exact, and it reads back as the same decimal.
        assert_eq!(pct.value(0), 41300);
        assert_eq!(
            Decimal::from_i128_with_scale(pct.value(0), 3).normalize(),
            "41.3".parse::<Decimal>().unwrap()
        );
        assert_eq!(pct.value(1), 125);
        assert!(pct.is_null(2));
    }

    #[test]
    fn the_same_table_gives_the_same_bytes_and_bad_cells_are_refused() {
        assert_eq!(parquet(&table()).unwrap(), parquet(&table()).unwrap());
        let mut t = table();
        t.rows[0][3] = "many".into();
        let e = parquet(&t).unwrap_err();
        assert!(
            matches!(&e, ExportError::CellType { row: 0, column, .. } if column == "pct"),
            "{e:?}"
        );
        let mut t = table();
        t.rows.pop();
        t.rows[0].pop();
        assert!(matches!(
            parquet(&t).unwrap_err(),
            ExportError::RowLength { row: 0, .. }
        ));
        // No rows: a valid file with the schema.
        let empty = Table {
            rows: vec![],
            ..table()
        };
        let bytes = parquet(&empty).unwrap();
        let r = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap();
        assert_eq!(r.metadata().file_metadata().num_rows(), 0);
    }
}
