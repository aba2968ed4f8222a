//! The plans workbook reader: a cell at the last address a worksheet has does not make the
//! reader allocate the sheet's bounding box, and a zip package that is not a workbook is
//! refused.

use kvarter_export::sparse_xlsx::{Data, SparseRange, open};
use rust_xlsxwriter::Workbook;
use std::io::{Cursor, Read, Write};

/// A workbook with one sheet `policies` holding `cells` (row, column, text).
fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("policies").unwrap();
    for &(r, c, v) in cells {
        ws.write_string(r, c, v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_cell_at_xfd1048576_is_one_cell_not_the_whole_sheet() {
    // Before, the sheet was read as a dense range from A1 to XFD1048576: 2^34 cells, an
    // allocation of 512 GiB that aborted the process.
    let bytes = workbook(&[(0, 0, "id"), (1_048_575, 16_383, "far away")]);
    let mut wb = open(&bytes).unwrap();
    let range = SparseRange::read(&mut wb, "policies").unwrap();
    assert_eq!(range.len(), 2);
    assert_eq!(range.start(), Some((0, 0)));
    assert_eq!(range.end(), Some((1_048_575, 16_383)));
    assert_eq!(range.rows().collect::<Vec<_>>(), [0, 1_048_575]);
    assert_eq!(
        range.get_value((1_048_575, 16_383)),
        Some(&Data::String("far away".into()))
    );
    assert_eq!(range.get_value((5, 5)), None);
    assert_eq!(
        range.row(0).collect::<Vec<_>>(),
        [(0, &Data::String("id".into()))]
    );
}

#[test]
fn a_blank_sheet_reads_as_no_cells() {
    let bytes = workbook(&[]);
    let mut wb = open(&bytes).unwrap();
    let range = SparseRange::read(&mut wb, "policies").unwrap();
    assert!(range.is_empty());
    assert_eq!((range.start(), range.end()), (None, None));
    assert!(SparseRange::read(&mut wb, "nosuch").is_err());
}

/// `bytes` with the zip entry `drop` left out.
fn without(bytes: &[u8], drop: &str) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name == drop {
            continue;
        }
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_package_without_xl_workbook_xml_is_refused() {
    let bytes = without(&workbook(&[(0, 0, "id")]), "xl/workbook.xml");
    let err = open(&bytes).map(|_| ()).unwrap_err();
    assert!(err.contains("no xl/workbook.xml"), "{err}");
    assert!(open(b"not a zip").is_err());
}

/// `bytes` with every `from` in the zip entry `part` replaced by `to`.
fn patched(bytes: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == part {
            let text = String::from_utf8(data).unwrap();
            assert!(text.contains(from), "{part} has no {from}");
            data = text.replace(from, to).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Found by the `plans_xlsx` fuzz target (fuzz/README.md): a header cell whose address names a
/// column past Excel's last (`ZZZZZZ1`, column 321,272,406, which calamine reads as written)
/// made the reader walk every column between the header's first and last cell, 321 million
/// lookups and a list of as many unnamed columns, over ten seconds and a gigabyte for a
/// 6 kB file. The reader walks the header row's cells alone now, and such an address is
/// refused when the workbook is opened (the next test).
#[test]
fn a_header_cell_far_to_the_right_is_refused_without_walking_the_columns_between() {
    let bytes = workbook(&[(0, 0, "id"), (0, 1, "far")]);
    let bytes = patched(
        &bytes,
        "xl/worksheets/sheet1.xml",
        "r=\"B1\"",
        "r=\"ZZZZZZ1\"",
    );
    let started = std::time::Instant::now();
    let err = kvarter_export::plans_xlsx::read_xlsx("plans.xlsx", &bytes).unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(err.file, "plans.xlsx");
    assert!(err.message.contains("\"ZZZZZZ1\""), "{}", err.message);
}

/// Found by the `plans_xlsx` fuzz target: calamine 0.38 adds up a cell address's letters and
/// digits in a `u32` without checking, so `ZZZZZZZZ1` (eight letters) or `B99999999999` panicked
/// with an overflow where overflow is checked, and read as a wrong cell elsewhere. Such a sheet
/// is refused when the workbook is opened, naming the part and the address.
#[test]
fn an_address_longer_than_excel_s_is_refused_before_calamine_reads_it() {
    let good = workbook(&[(0, 0, "id"), (0, 1, "x")]);
    assert!(open(&good).is_ok());
    for bad in ["ZZZZZZZZ1", "B99999999999"] {
        let bytes = patched(
            &good,
            "xl/worksheets/sheet1.xml",
            "r=\"B1\"",
            &format!("r=\"{bad}\""),
        );
        let err = open(&bytes).map(|_| ()).unwrap_err();
        assert!(err.contains("xl/worksheets/sheet1.xml"), "{err}");
        assert!(err.contains(bad), "{err}");
        let e = kvarter_export::plans_xlsx::read_xlsx("plans.xlsx", &bytes).unwrap_err();
        assert_eq!(e.file, "plans.xlsx");
    }
}

/// The fuzz target's input itself: the long address (`Dillustr`) is in a part whose checksum
/// is wrong, which calamine reads up to the address before it checks the sum.
#[test]
fn the_fuzz_input_with_a_long_address_in_a_part_with_a_bad_checksum_is_refused() {
    let bytes = include_bytes!(
        "../../../fuzz/corpus/plans_xlsx/crash-27489f0038a54bca0d2625d03ca52b6533cd9019"
    );
    let err = open(bytes).map(|_| ()).unwrap_err();
    assert!(err.contains("\"Dillustr\""), "{err}");
    assert!(kvarter_export::plans_xlsx::read_xlsx("plans.xlsx", bytes).is_err());
}

/// Found by the `plans_xlsx` fuzz target: a sheet dimension that ends before it starts
/// (`I1:F7`) made calamine 0.38 subtract with an overflow. It is refused when the workbook is
/// opened.
#[test]
fn a_dimension_ending_before_it_starts_is_refused() {
    let good = workbook(&[(0, 0, "id"), (6, 5, "x")]);
    let bytes = patched(
        &good,
        "xl/worksheets/sheet1.xml",
        "ref=\"A1:F7\"",
        "ref=\"I1:F7\"",
    );
    let err = open(&bytes).map(|_| ()).unwrap_err();
    assert!(err.contains("\"I1:F7\""), "{err}");
    assert!(kvarter_export::plans_xlsx::read_xlsx("plans.xlsx", &bytes).is_err());
}
