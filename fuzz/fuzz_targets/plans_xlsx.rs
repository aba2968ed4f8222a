//! The plans XLSX reader (`kvarter plans import FILE.xlsx`, the dashboard's upload): the
//! workbook's shape and numbers, then the plans.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kvarter_export::plans_xlsx::read_xlsx("plans.xlsx", data);
});
