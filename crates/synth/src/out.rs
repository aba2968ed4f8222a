//! Writing the register folder: `areas.csv`, `geometry.geojson` and `persons-YYYY.*`.
//!
//! Every file is written under a temporary name in the output folder and renamed into place
//! only when complete, so an interrupted or failed run never leaves a half-written file that a
//! reader could take for data. Rename within one folder is atomic on every platform we target.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float32Array, Float64Array, Int16Array, Int32Array,
    RecordBatch, StringArray, UInt8Array, UInt16Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowColumnWriter, ArrowLeafColumn, compute_leaves,
};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use crate::SynthError;
use crate::screen::Row;
use crate::sim::{NO_AREA, Outcome, Person, Population};
use crate::world::World;

/// Rows per Parquet row group (and per chunk computed at a time).
pub const ROW_GROUP: usize = 1_000_000;

/// A file being written: the temporary path and the final one. Dropping it without `commit`
/// removes the temporary file.
pub struct Pending {
    tmp: PathBuf,
    path: PathBuf,
    done: bool,
}

impl Pending {
    /// Starts a file `name` in `dir`.
    pub fn new(dir: &Path, name: &str) -> Pending {
        Pending {
            tmp: dir.join(format!(".{name}.partial")),
            path: dir.join(name),
            done: false,
        }
    }

    /// Creates the temporary file.
    pub fn create(&self) -> Result<File, SynthError> {
        File::create(&self.tmp).map_err(|e| SynthError::io(&self.tmp, "create", e))
    }

    /// Renames the finished temporary file into place.
    pub fn commit(mut self) -> Result<PathBuf, SynthError> {
        fs::rename(&self.tmp, &self.path)
            .map_err(|e| SynthError::io(&self.path, "rename into", e))?;
        self.done = true;
        Ok(self.path.clone())
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Removes the temporary `.NAME.partial` files an interrupted run left in `dir`.
pub fn remove_partials(dir: &Path) -> Result<(), SynthError> {
    let entries = fs::read_dir(dir).map_err(|e| SynthError::io(dir, "read the folder", e))?;
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".partial") {
            let path = e.path();
            fs::remove_file(&path).map_err(|e| SynthError::io(&path, "remove", e))?;
        }
    }
    Ok(())
}

/// Writes a small text file atomically.
pub fn write_text(dir: &Path, name: &str, text: &str) -> Result<PathBuf, SynthError> {
    let p = Pending::new(dir, name);
    let mut f = p.create()?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| SynthError::io(p.path(), "write", e))?;
    drop(f);
    p.commit()
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `areas.csv`.
pub fn areas_csv(world: &World) -> String {
    let mut s = String::from("area_id,area_name,municipality,municipality_name,region,kind\n");
    for a in &world.areas {
        let m = &world.munis[a.muni];
        let _ = writeln!(
            s,
            "{},{},{},{},{},{}",
            csv_cell(&a.id),
            csv_cell(&a.name),
            m.code,
            csv_cell(&m.name),
            world.regions[m.region].code,
            a.kind.code()
        );
    }
    s
}

/// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
pub(crate) fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// `geometry.geojson`: one Polygon per area, in EPSG:25832, with the legacy named-CRS member
/// that GIS tools still read for projected GeoJSON.
pub fn geojson(world: &World) -> String {
    let mut s = String::from(
        "{\"type\":\"FeatureCollection\",\"name\":\"kvarter synthetic areas (fictional)\",\
         \"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::25832\"}},\
         \"features\":[\n",
    );
    for (i, a) in world.areas.iter().enumerate() {
        let [x0, y0, x1, y1] = a.rect;
        let m = &world.munis[a.muni];
        let _ = writeln!(
            s,
            "{{\"type\":\"Feature\",\"properties\":{{\"area_id\":{},\"area_name\":{},\"kind\":{},\"municipality\":{}}},\
             \"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[[{x0:.1},{y0:.1}],[{x1:.1},{y0:.1}],[{x1:.1},{y1:.1}],[{x0:.1},{y1:.1}],[{x0:.1},{y0:.1}]]]}}}}{}",
            json_str(&a.id),
            json_str(&a.name),
            json_str(a.kind.code()),
            m.code,
            if i + 1 < world.areas.len() { "," } else { "" }
        );
    }
    s.push_str("]}\n");
    s
}

/// The Arrow schema of a person-year file, as docs/REGISTERS.md lists it. `area_id` is
/// dictionary-encoded (Int32 keys, Utf8 values): a few thousand distinct ids over millions of
/// rows, and the reader in `kvarter-data` asks for it as a dictionary anyway.
pub fn persons_schema() -> SchemaRef {
    let f = |n: &str, t: DataType, null: bool| Field::new(n, t, null);
    Arc::new(Schema::new(vec![
        f("person_id", DataType::UInt64, false),
        f("year", DataType::Int16, false),
        f(
            "area_id",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
        f("municipality", DataType::UInt16, false),
        f("region", DataType::UInt16, false),
        f("east", DataType::Float64, true),
        f("north", DataType::Float64, true),
        f("age", DataType::UInt8, false),
        f("origin", DataType::UInt8, false),
        f("outside_fte", DataType::Float32, false),
        f("in_education", DataType::Boolean, false),
        f("education_level", DataType::UInt8, false),
        f("education_source", DataType::UInt8, false),
        f("income", DataType::Float64, false),
        f("taxable", DataType::Boolean, false),
        f("convicted", DataType::Boolean, false),
        f("district", DataType::UInt16, false),
        f("polling_district", DataType::UInt16, false),
        f("low_income", DataType::Boolean, false),
        f("poor_health", DataType::Boolean, false),
        f("dwelling_area", DataType::Float32, true),
        f("dwelling_residents", DataType::UInt8, true),
        f("installation_deficiency", DataType::Boolean, false),
    ]))
}

/// The address point of a person, rounded to 0.1 m, strictly inside the area's rectangle.
fn point(world: &World, p: &Person) -> Option<(f64, f64)> {
    if p.area == NO_AREA {
        return None;
    }
    let [x0, y0, x1, y1] = world.areas[p.area as usize].rect;
    // Keep 5 m from the edge so rounding can never put a point on or past the boundary.
    let fx = (f64::from(p.addr.0) + 0.5) / 65536.0;
    let fy = (f64::from(p.addr.1) + 0.5) / 65536.0;
    let e = x0 + 5.0 + fx * (x1 - x0 - 10.0);
    let n = y0 + 5.0 + fy * (y1 - y0 - 10.0);
    Some(((e * 10.0).round() / 10.0, (n * 10.0).round() / 10.0))
}

/// One chunk of person rows as a record batch; `outcomes` and `screen` hold the same
/// persons' outcomes of the year and screening columns.
pub fn batch(
    world: &World,
    pop: &Population,
    persons: &[Person],
    outcomes: &[Outcome],
    screen: &[Row],
    area_ids: &ArrayRef,
) -> RecordBatch {
    let n = persons.len();
    let year = pop.year;
    let mut id = Vec::with_capacity(n);
    let mut area = Vec::with_capacity(n);
    let mut muni = Vec::with_capacity(n);
    let mut region = Vec::with_capacity(n);
    let mut east = Vec::with_capacity(n);
    let mut north = Vec::with_capacity(n);
    let mut age = Vec::with_capacity(n);
    let mut origin = Vec::with_capacity(n);
    let mut outside = Vec::with_capacity(n);
    let mut in_edu = Vec::with_capacity(n);
    let mut level = Vec::with_capacity(n);
    let mut source = Vec::with_capacity(n);
    let mut income = Vec::with_capacity(n);
    let mut taxable = Vec::with_capacity(n);
    let mut convicted = Vec::with_capacity(n);
    for (p, o) in persons.iter().zip(outcomes) {
        let m = &world.munis[p.muni as usize];
        id.push(p.id);
        area.push((p.area != NO_AREA).then_some(p.area as i32));
        muni.push(m.code);
        region.push(world.regions[m.region].code);
        let pt = point(world, p);
        east.push(pt.map(|x| x.0));
        north.push(pt.map(|x| x.1));
        age.push(o.age);
        origin.push(p.origin);
        outside.push(o.outside_fte);
        in_edu.push(o.in_education);
        level.push(o.education_level);
        source.push(o.education_source);
        income.push(o.income);
        taxable.push(o.taxable);
        convicted.push(o.convicted);
    }
    let keys = Int32Array::from(area);
    let dict = DictionaryArray::<Int32Type>::try_new(keys, area_ids.clone())
        .expect("keys index the area list");
    let cols: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(id)),
        Arc::new(Int16Array::from(vec![year; n])),
        Arc::new(dict),
        Arc::new(UInt16Array::from(muni)),
        Arc::new(UInt16Array::from(region)),
        Arc::new(Float64Array::from(east)),
        Arc::new(Float64Array::from(north)),
        Arc::new(UInt8Array::from(age)),
        Arc::new(UInt8Array::from(origin)),
        Arc::new(Float32Array::from(outside)),
        Arc::new(BooleanArray::from(in_edu)),
        Arc::new(UInt8Array::from(level)),
        Arc::new(UInt8Array::from(source)),
        Arc::new(Float64Array::from(income)),
        Arc::new(BooleanArray::from(taxable)),
        Arc::new(BooleanArray::from(convicted)),
        Arc::new(UInt16Array::from_iter_values(
            screen.iter().map(|r| r.district),
        )),
        Arc::new(UInt16Array::from_iter_values(
            screen.iter().map(|r| r.polling),
        )),
        Arc::new(BooleanArray::from_iter(
            screen.iter().map(|r| Some(r.low_income)),
        )),
        Arc::new(BooleanArray::from_iter(
            screen.iter().map(|r| Some(r.poor_health)),
        )),
        Arc::new(Float32Array::from_iter(
            screen
                .iter()
                .map(|r| (r.area_m2 > 0.0).then_some(r.area_m2)),
        )),
        Arc::new(UInt8Array::from_iter(
            screen
                .iter()
                .map(|r| (r.residents > 0).then_some(r.residents)),
        )),
        Arc::new(BooleanArray::from_iter(
            screen.iter().map(|r| Some(r.deficient)),
        )),
    ];
    RecordBatch::try_new(persons_schema(), cols).expect("columns match the schema")
}

/// The dictionary of area ids, shared by every batch.
pub fn area_dictionary(world: &World) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(
        world.areas.iter().map(|a| a.id.as_str()),
    ))
}

/// The columns the state's lists read (`kvarter-data`'s schema marks them), which are written
/// without compression: reading them is then decoding only, no decompression. The others are
/// Snappy-compressed.
const UNCOMPRESSED: &[&str] = &[
    "person_id",
    "year",
    "area_id",
    "region",
    "age",
    "origin",
    "outside_fte",
    "in_education",
    "education_level",
    "education_source",
    "income",
    "taxable",
    "convicted",
];

/// How a person-year Parquet file is laid out: row groups of [`ROW_GROUP`] rows; Snappy,
/// except the columns the lists read ([`UNCOMPRESSED`]); dictionary encoding, except
/// `person_id` and `income`, whose values hardly repeat (a dictionary would only be filled and
/// abandoned for PLAIN after its first megabyte). `person_id` is `DELTA_BINARY_PACKED`: the
/// ids rise by a few from row to row, so each takes two or three bits instead of eight bytes
/// (`income` stays PLAIN).
pub fn persons_properties() -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .set_created_by("kvarter synth (synthetic data, not real)".to_string());
    for c in UNCOMPRESSED {
        b = b.set_column_compression(ColumnPath::from(*c), Compression::UNCOMPRESSED);
    }
    for c in ["person_id", "income"] {
        b = b.set_column_dictionary_enabled(ColumnPath::from(c), false);
    }
    b = b.set_column_encoding(
        ColumnPath::from("person_id"),
        parquet::basic::Encoding::DELTA_BINARY_PACKED,
    );
    b.build()
}

/// Writes batches received on `rx` to a Parquet file; runs on its own thread so encoding and
/// compression overlap with the simulation. The file is committed only after the last batch.
pub fn parquet_writer(
    rx: std::sync::mpsc::Receiver<RecordBatch>,
    file: Pending,
) -> Result<PathBuf, SynthError> {
    let props = persons_properties();
    let f = file.create()?;
    let perr = |e: parquet::errors::ParquetError| {
        SynthError::io(file.path(), "write", io::Error::other(e.to_string()))
    };
    let schema = persons_schema();
    let w = ArrowWriter::try_new(
        BufWriter::with_capacity(1 << 20, f),
        schema.clone(),
        Some(props),
    )
    .map_err(perr)?;
    // Each chunk is one row group, and its columns are encoded in parallel: the same bytes
    // as `ArrowWriter::write` (which encodes the same columns one after the other), in a
    // fraction of the time.
    let (mut w, factory) = w.into_serialized_writer().map_err(perr)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    for (g, b) in rx.into_iter().enumerate() {
        let mut writers = factory.create_column_writers(g).map_err(perr)?;
        let mut leaves = Vec::new();
        for (field, array) in schema.fields().iter().zip(b.columns()) {
            leaves.extend(compute_leaves(field, array).map_err(perr)?);
        }
        let mut jobs: Vec<Vec<(usize, ArrowColumnWriter, ArrowLeafColumn)>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (k, (cw, leaf)) in writers.drain(..).zip(leaves).enumerate() {
            jobs[k % threads].push((k, cw, leaf));
        }
        let mut chunks: Vec<(usize, ArrowColumnChunk)> = std::thread::scope(|s| {
            let handles: Vec<_> = jobs
                .into_iter()
                .map(|job| {
                    s.spawn(
                        move || -> parquet::errors::Result<Vec<(usize, ArrowColumnChunk)>> {
                            job.into_iter()
                                .map(|(k, mut cw, leaf)| {
                                    cw.write(&leaf)?;
                                    Ok((k, cw.close()?))
                                })
                                .collect()
                        },
                    )
                })
                .collect();
            let mut all = Vec::new();
            for h in handles {
                all.extend(h.join().expect("column encoding does not panic")?);
            }
            Ok::<_, parquet::errors::ParquetError>(all)
        })
        .map_err(perr)?;
        chunks.sort_by_key(|(k, _)| *k);
        let mut rg = w.next_row_group().map_err(perr)?;
        for (_, c) in chunks {
            c.append_to_row_group(&mut rg).map_err(perr)?;
        }
        rg.close().map_err(perr)?;
    }
    let inner = w.into_inner().map_err(perr)?;
    let f = inner
        .into_inner()
        .map_err(|e| SynthError::io(file.path(), "write", e.into_error()))?;
    f.sync_all()
        .map_err(|e| SynthError::io(file.path(), "write", e))?;
    drop(f);
    file.commit()
}

/// Writes a person-year CSV file (same columns; empty cells for no area / no address).
pub fn persons_csv(
    world: &World,
    pop: &Population,
    outcomes: &[Outcome],
    screen: &[Row],
    file: Pending,
    progress: &mut dyn FnMut(usize),
) -> Result<PathBuf, SynthError> {
    let f = file.create()?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    let werr = |e: io::Error| SynthError::io(file.path(), "write", e);
    w.write_all(
        b"person_id,year,area_id,municipality,region,east,north,age,origin,outside_fte,in_education,education_level,education_source,income,taxable,convicted,district,polling_district,low_income,poor_health,dwelling_area,dwelling_residents,installation_deficiency\n",
    )
    .map_err(werr)?;
    let mut line = String::with_capacity(160);
    for (k, p) in pop.persons.iter().enumerate() {
        let o = &outcomes[k];
        let m = &world.munis[p.muni as usize];
        line.clear();
        let area = if p.area == NO_AREA {
            ""
        } else {
            world.areas[p.area as usize].id.as_str()
        };
        let (e, n) = match point(world, p) {
            Some((e, n)) => (format!("{e:.1}"), format!("{n:.1}")),
            None => (String::new(), String::new()),
        };
        let sc = &screen[k];
        let m2 = if sc.area_m2 > 0.0 {
            sc.area_m2.to_string()
        } else {
            String::new()
        };
        let residents = if sc.residents > 0 {
            sc.residents.to_string()
        } else {
            String::new()
        };
        let _ = writeln!(
            line,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            p.id,
            pop.year,
            area,
            m.code,
            world.regions[m.region].code,
            e,
            n,
            o.age,
            p.origin,
            o.outside_fte,
            u8::from(o.in_education),
            o.education_level,
            o.education_source,
            o.income,
            u8::from(o.taxable),
            u8::from(o.convicted),
            sc.district,
            sc.polling,
            u8::from(sc.low_income),
            u8::from(sc.poor_health),
            m2,
            residents,
            u8::from(sc.deficient)
        );
        w.write_all(line.as_bytes()).map_err(werr)?;
        if k % ROW_GROUP == ROW_GROUP - 1 {
            progress(ROW_GROUP);
        }
    }
    let f = w.into_inner().map_err(|e| werr(e.into_error()))?;
    f.sync_all().map_err(werr)?;
    drop(f);
    file.commit()
}
