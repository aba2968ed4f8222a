//! Malformed person files that once made the reader panic (found by the fuzz target
//! `register_parquet`; kept in its corpus, so every fuzz run replays them): each is refused with
//! an error that names the file and the row group, not a crash.

use std::path::{Path, PathBuf};

fn refused(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir: PathBuf =
        std::env::temp_dir().join(format!("kvarter-malformed-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        root.join("fuzz/corpus_areas/register_parquet.csv"),
        dir.join("areas.csv"),
    )
    .unwrap();
    std::fs::copy(
        root.join("fuzz/corpus/register_parquet").join(name),
        dir.join("persons-2022.parquet"),
    )
    .unwrap();
    let result = kvarter_data::read_registers(&dir, None, &mut |_, _, _| {});
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(_) => panic!("{name} was read"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_negative_column_chunk_offset_is_refused_with_the_file_and_row_group() {
    let e = refused("crash-negative-chunk-offset.parquet");
    assert!(e.contains("persons-2022.parquet"), "{e}");
    assert!(e.contains("cannot decode row group 0"), "{e}");
}

#[test]
fn a_dictionary_encoded_page_without_its_dictionary_is_refused_not_a_panic() {
    let e = refused("crash-dictionary-page-missing.parquet");
    assert!(e.contains("persons-2022.parquet"), "{e}");
    assert!(e.contains("cannot decode row group 0"), "{e}");
}
