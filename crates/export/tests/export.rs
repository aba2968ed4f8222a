//! The writers' real output: CSV bytes in both dialects, and XLSX read back with calamine.

use std::io::{Cursor, Read};
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use kvarter_export::{
    Cell, Column, Decimal, Dialect, ExportError, Kind, Lang, MAX_PLACES, Table, csv,
    suppressed_marker, xlsx,
};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test decimal")
}

/// Three columns and two rows: text with the separators and quotes, a decimal with a
/// trailing zero, a percentage, a suppressed count and an empty cell.
fn sample() -> Table {
    Table {
        title: "Udsatte områder 2024".into(),
        columns: vec![
            Column::new("area_name", "Område", Kind::Text),
            Column::new("residents", "Beboere", Kind::Integer),
            Column::new(
                "crime_ratio",
                "Dømte i forhold til landsgennemsnittet",
                Kind::Decimal { places: 2 },
            ),
            Column::new(
                "outside_labour_pct",
                "Uden for arbejdsmarkedet (%)",
                Kind::Percent { places: 2 },
            ),
            Column::new("list_year", "Listeår", Kind::Year),
        ],
        rows: vec![
            vec![
                Cell::from("Gellerup, \"Toveshøj\"; Aarhus"),
                Cell::Integer(1234),
                Cell::Decimal(dec("2.40")),
                Cell::Decimal(dec("41.30")),
                Cell::Integer(2024),
            ],
            vec![
                Cell::from("Mjølnerparken"),
                Cell::Suppressed { min_count: 5 },
                Cell::Decimal(dec("-0.5")),
                Cell::Empty,
                Cell::Integer(2024),
            ],
        ],
        notes: vec![
            "Kilde: syntetiske data".into(),
            "Antal under 5 vises som <5.".into(),
        ],
    }
}

#[test]
fn standard_csv_is_exact_and_quoted() {
    let bytes = csv(&sample(), Dialect::Standard).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text,
        "area_name,residents,crime_ratio,outside_labour_pct,list_year\n\
         \"Gellerup, \"\"Toveshøj\"\"; Aarhus\",1234,2.40,41.30,2024\n\
         Mjølnerparken,<5,-0.5,,2024\n"
    );
}

#[test]
fn danish_csv_has_bom_semicolons_decimal_commas_and_labels() {
    let bytes = csv(&sample(), Dialect::Danish).unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "Danish CSV starts with the UTF-8 BOM"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(
        text,
        "Område;Beboere;Dømte i forhold til landsgennemsnittet;Uden for arbejdsmarkedet (%);Listeår\n\
         \"Gellerup, \"\"Toveshøj\"\"; Aarhus\";1234;2,40;41,30;2024\n\
         Mjølnerparken;<5;-0,5;;2024\n"
    );
}

#[test]
fn standard_csv_has_no_bom_and_keeps_trailing_zeros() {
    let bytes = csv(&sample(), Dialect::Standard).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains(",2.40,"), "{text}");
    assert!(!text.contains("2.4,"), "{text}");
}

#[test]
fn csv_reads_back_with_the_csv_crate() {
    for (dialect, delimiter, skip) in [(Dialect::Standard, b',', 0), (Dialect::Danish, b';', 3)] {
        let bytes = csv(&sample(), dialect).unwrap();
        let mut r = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(&bytes[skip..]);
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], "Gellerup, \"Toveshøj\"; Aarhus");
        assert_eq!(rows[1][1], "<5");
    }
}

#[test]
fn suppressed_marker_is_less_than_min_count() {
    assert_eq!(suppressed_marker(5), "<5");
    assert_eq!(suppressed_marker(10), "<10");
}

#[test]
fn percent_heading_gets_a_percent_sign_once() {
    let plain = Column::new(
        "x_pct",
        "Uden for arbejdsmarkedet",
        Kind::Percent { places: 1 },
    );
    assert_eq!(plain.heading(), "Uden for arbejdsmarkedet (%)");
    let marked = Column::new(
        "x_pct",
        "Uden for arbejdsmarkedet (%)",
        Kind::Percent { places: 1 },
    );
    assert_eq!(marked.heading(), "Uden for arbejdsmarkedet (%)");
    let blank = Column::new("x_pct", " ", Kind::Decimal { places: 1 });
    assert_eq!(blank.heading(), "x_pct");
}

#[test]
fn a_row_of_the_wrong_length_is_an_error_naming_the_row() {
    let mut t = sample();
    t.rows.push(vec![Cell::from("Vollsmose"), Cell::Integer(3)]);
    let expected = ExportError::RowLength {
        row: 2,
        cells: 2,
        columns: 5,
    };
    assert_eq!(csv(&t, Dialect::Standard), Err(expected.clone()));
    assert_eq!(csv(&t, Dialect::Danish), Err(expected.clone()));
    assert_eq!(xlsx(&t, Lang::Da), Err(expected.clone()));
    let message = expected.to_string();
    assert!(message.contains("row 2"), "{message}");
    assert!(
        message.contains("2 cells") && message.contains("5 columns"),
        "{message}"
    );
}

#[test]
fn a_single_empty_field_is_not_an_empty_line() {
    let t = Table {
        title: "t".into(),
        columns: vec![Column::new("a", "A", Kind::Text)],
        rows: vec![vec![Cell::Empty], vec![Cell::from("x")]],
        notes: vec![],
    };
    let text = String::from_utf8(csv(&t, Dialect::Standard).unwrap()).unwrap();
    assert_eq!(text, "a\n\"\"\nx\n");
}

#[test]
fn a_table_without_columns_is_empty_csv() {
    let t = Table {
        title: "t".into(),
        ..Table::default()
    };
    assert_eq!(csv(&t, Dialect::Standard).unwrap(), b"");
    assert_eq!(csv(&t, Dialect::Danish).unwrap(), b"\xEF\xBB\xBF");
}

fn read_back(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook calamine can read")
}

#[test]
fn xlsx_reads_back_typed() {
    let bytes = xlsx(&sample(), Lang::Da).unwrap();
    let mut wb = read_back(&bytes);
    assert_eq!(wb.sheet_names(), vec!["Udsatte områder 2024".to_string()]);
    let range = wb.worksheet_range("Udsatte områder 2024").unwrap();

    let header: Vec<&Data> = (0..5).map(|c| range.get_value((0, c)).unwrap()).collect();
    assert_eq!(
        header,
        [
            &Data::String("Område".into()),
            &Data::String("Beboere".into()),
            &Data::String("Dømte i forhold til landsgennemsnittet".into()),
            &Data::String("Uden for arbejdsmarkedet (%)".into()),
            &Data::String("Listeår".into()),
        ]
    );

    // Row 1: text, integer, decimal, percentage points, year.
    assert_eq!(
        range.get_value((1, 0)),
        Some(&Data::String("Gellerup, \"Toveshøj\"; Aarhus".into()))
    );
    assert_eq!(range.get_value((1, 1)), Some(&Data::Float(1234.0)));
    assert_eq!(range.get_value((1, 2)), Some(&Data::Float(2.4)));
    assert_eq!(range.get_value((1, 3)), Some(&Data::Float(41.3)));
    assert_eq!(range.get_value((1, 4)), Some(&Data::Float(2024.0)));
    // Row 2: the suppressed count is text, the empty cell is empty.
    assert_eq!(range.get_value((2, 1)), Some(&Data::String("<5".into())));
    assert_eq!(range.get_value((2, 2)), Some(&Data::Float(-0.5)));
    assert!(matches!(range.get_value((2, 3)), None | Some(Data::Empty)));

    // The notes follow after one empty row, under a heading.
    assert!(matches!(range.get_value((3, 0)), None | Some(Data::Empty)));
    assert_eq!(range.get_value((4, 0)), Some(&Data::String("Noter".into())));
    assert_eq!(
        range.get_value((5, 0)),
        Some(&Data::String("Kilde: syntetiske data".into()))
    );
    assert_eq!(
        range.get_value((6, 0)),
        Some(&Data::String("Antal under 5 vises som <5.".into()))
    );
}

#[test]
fn xlsx_styles_header_numbers_and_suppressed_cells() {
    let bytes = xlsx(&sample(), Lang::En).unwrap();
    let mut wb = read_back(&bytes);
    let styles = wb.worksheet_style("Udsatte områder 2024").unwrap();

    let header = styles.get((0, 0)).unwrap();
    assert!(
        header.font.as_ref().is_some_and(|f| f.is_bold()),
        "{header:?}"
    );

    let format = |pos| {
        styles
            .get(pos)
            .and_then(|s| s.number_format.as_ref())
            .map(|n| n.format_code.clone())
    };
    assert_eq!(format((1, 1)).as_deref(), Some("0"));
    assert_eq!(format((1, 2)).as_deref(), Some("0.00"));
    assert_eq!(format((1, 3)).as_deref(), Some("0.00"));
    assert_eq!(format((1, 4)).as_deref(), Some("0"));

    let suppressed = styles.get((2, 1)).unwrap();
    let font = suppressed.font.as_ref().unwrap();
    assert!(font.is_italic(), "{suppressed:?}");
    assert!(!font.is_bold(), "{suppressed:?}");
    let grey = font.color.map(|c| c.to_argb() & 0x00FF_FFFF);
    assert_eq!(grey, Some(0x0080_8080), "{suppressed:?}");

    let range = wb.worksheet_range("Udsatte områder 2024").unwrap();
    assert_eq!(range.get_value((4, 0)), Some(&Data::String("Notes".into())));
}

#[test]
fn xlsx_is_byte_identical_run_to_run() {
    let a = xlsx(&sample(), Lang::Da).unwrap();
    let b = xlsx(&sample(), Lang::Da).unwrap();
    assert!(a.starts_with(b"PK"), "a zip file");
    assert_eq!(a, b);
}

/// The worksheet's XML, unzipped (for what calamine does not report: panes, filter, widths).
fn sheet_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("one worksheet")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The widths of the `<col>` elements, as written (Excel adds 0.7109375 of padding to a
/// width in characters).
fn widths(xml: &str) -> Vec<String> {
    xml.split("<col ")
        .skip(1)
        .map(|c| {
            c.split("width=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn xlsx_has_frozen_header_autofilter_and_fitted_widths() {
    let xml = sheet_xml(&xlsx(&sample(), Lang::Da).unwrap());
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"<autoFilter ref="A1:E3"/>"#), "{xml}");
    // Område: the longest text, 28 characters, + 1; Beboere: heading 7 + 2 for the filter
    // button + 1; the long heading 38 + 3; the percent heading 28 + 3; Listeår 7 + 3.
    assert_eq!(
        widths(&xml),
        [
            "29.7109375",
            "10.7109375",
            "41.7109375",
            "31.7109375",
            "10.7109375"
        ]
    );

    let t = Table {
        title: "w".into(),
        columns: vec![
            Column::new("a", "A", Kind::Text),
            Column::new("b", "B", Kind::Text),
        ],
        rows: vec![vec![Cell::from("x"), Cell::from("y".repeat(200).as_str())]],
        notes: vec!["n".repeat(500)],
    };
    let xml = sheet_xml(&xlsx(&t, Lang::Da).unwrap());
    assert_eq!(
        widths(&xml),
        ["8.7109375", "60.7109375"],
        "clamped to 8..=60, notes not counted"
    );
}

#[test]
fn sheet_names_are_cleaned_and_cut() {
    let cases = [
        ("Liste [2024]: a/b\\c*d?e", "Liste -2024-- a-b-c-d-e"),
        ("'Områder'", "Områder"),
        (
            "En meget lang titel på en tabel over udsatte områder",
            "En meget lang titel på en tabel",
        ),
        ("   ", "Tabel"),
        ("History", "Tabel"),
        ("Linje\nto", "Linje to"),
        ("Areas' list", "Areas' list"),
    ];
    for (title, name) in cases {
        let t = Table {
            title: title.into(),
            ..sample()
        };
        let bytes = xlsx(&t, Lang::Da).unwrap_or_else(|e| panic!("{title:?}: {e}"));
        let wb = read_back(&bytes);
        assert_eq!(wb.sheet_names(), vec![name.to_string()], "title {title:?}");
        assert!(name.encode_utf16().count() <= 31);
    }
    let t = Table {
        title: String::new(),
        ..sample()
    };
    assert_eq!(
        read_back(&xlsx(&t, Lang::En).unwrap()).sheet_names(),
        vec!["Table".to_string()]
    );
}

#[test]
fn awkward_user_text_never_panics() {
    let nasty = "\u{0}\u{1}_x0041_ <&>\"'\r\n\t😀 =SUM(A1)";
    let t = Table {
        title: nasty.into(),
        columns: vec![
            Column::new(nasty, nasty, Kind::Text),
            Column::new("p", "", Kind::Percent { places: u32::MAX }),
            Column::new("d", "d", Kind::Decimal { places: 0 }),
        ],
        rows: vec![vec![
            Cell::from(nasty),
            Cell::Decimal(Decimal::MAX),
            Cell::Decimal(dec("0.0000000000000000000000000001")),
        ]],
        notes: vec![nasty.into()],
    };
    csv(&t, Dialect::Standard).unwrap();
    csv(&t, Dialect::Danish).unwrap();
    let bytes = xlsx(&t, Lang::Da).unwrap();
    let mut wb = read_back(&bytes);
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    assert_eq!(range.get_value((1, 0)), Some(&Data::String(nasty.into())));
    assert_eq!(
        range.get_value((1, 1)),
        Some(&Data::Float(7.922816251426434e28))
    );
    let styles = wb.worksheet_style(&name).unwrap();
    let places = styles
        .get((1, 1))
        .and_then(|s| s.number_format.as_ref())
        .unwrap();
    assert_eq!(
        places.format_code,
        format!("0.{}", "0".repeat(MAX_PLACES as usize))
    );
}

#[test]
fn text_longer_than_an_excel_cell_is_an_error_not_a_panic() {
    let mut t = sample();
    t.rows[0][0] = Cell::Text("x".repeat(40_000));
    let err = xlsx(&t, Lang::Da).unwrap_err();
    assert!(
        matches!(&err, ExportError::Xlsx(m) if m.contains("row 0, column 0")),
        "{err}"
    );
    // CSV has no such limit.
    csv(&t, Dialect::Standard).unwrap();
}

#[test]
fn an_empty_table_is_a_header_only_workbook() {
    let t = Table {
        rows: vec![],
        notes: vec![],
        ..sample()
    };
    let mut wb = read_back(&xlsx(&t, Lang::Da).unwrap());
    let range = wb.worksheet_range("Udsatte områder 2024").unwrap();
    assert_eq!(range.height(), 1);
    let t = Table {
        title: "x".into(),
        ..Table::default()
    };
    read_back(&xlsx(&t, Lang::Da).unwrap());
}
