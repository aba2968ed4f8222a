//! The screening-spec loader (`Spec::parse`, as `kvarter screen --spec-file FILE` reads a spec).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = kvarter_screen::Spec::parse("spec.toml", src);
    }
});
