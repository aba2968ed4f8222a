//! The register extract's Parquet person reader, as `kvarter lists --registers` and `kvarter load`
//! read a `persons-YYYY.parquet`: the fast page decoder (`kvarter_data`'s `pages.rs`) and the
//! Arrow path it falls back to. The input is written as `persons-2022.parquet` beside a fixed
//! `areas.csv` (the synthetic tiny town's areas, which the corpus files use) in a scratch folder,
//! and the folder is read with `read_registers`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const AREAS: &str = include_str!("../corpus_areas/register_parquet.csv");

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // The reader turns a panic of the parquet crate's Arrow path into an error (read.rs);
        // libFuzzer's hook would abort on it even so. A silent hook lets the reader's guard
        // work, while a panic nothing catches still reaches fuzz_target!, which aborts.
        std::panic::set_hook(Box::new(|_| {}));
        let dir = std::env::temp_dir().join(format!("kvarter-fuzz-parquet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        std::fs::write(dir.join("areas.csv"), AREAS).expect("areas.csv");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = folder();
    std::fs::write(dir.join("persons-2022.parquet"), data).expect("the person file");
    let _ = kvarter_data::read_registers(dir, None, &mut |_, _, _| {});
});
