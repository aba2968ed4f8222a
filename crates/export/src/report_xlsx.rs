//! The status report ([`kvarter_view::report::StatusReport`]) as one workbook, a worksheet per
//! part (indicators, initiatives, udsatte byområder, state-listed estates, overall goals), for
//! `kvarter plans report --format xlsx`. The tables are the view's
//! ([`StatusReport::tables`]): figures are numbers, a suppressed figure is the text `<N`, ids
//! and names are strings.

use crate::{ExportError, Lang};
use kvarter_view::report::StatusReport;

/// The report of `report.year` as XLSX bytes, labelled in `lang`.
///
/// # Errors
///
/// An [`ExportError`] when a table cannot be written.
pub fn to_xlsx(report: &StatusReport, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let view_lang = match lang {
        Lang::Da => kvarter_view::Lang::Da,
        Lang::En => kvarter_view::Lang::En,
    };
    let title = format!(
        "{} {}",
        match lang {
            Lang::Da => "Statusrapport for politikken,",
            Lang::En => "Policy status report,",
        },
        report.year
    );
    crate::book(&title, &report.tables(view_lang), lang)
}
