//! The first records of a file with the settings used to read them, for the import screen.

use crate::error::{FormatError, ReadError, RowError};
use crate::record::Record;
use crate::settings::Settings;
use crate::yml::Shop;
use crate::{FileReader, RecordSource};

/// What the import screen shows before an import runs.
#[derive(Debug)]
pub struct Preview {
    /// Format, encoding, delimiter, header... as detected or chosen.
    pub settings: Settings,
    /// The YML shop header with its categories, for YML feeds.
    pub shop: Option<Shop>,
    /// Up to the requested number of records.
    pub records: Vec<Record>,
    /// Rows skipped among them.
    pub row_errors: Vec<RowError>,
    /// A fatal error met while reading them (e.g. the file is cut off early).
    pub error: Option<FormatError>,
    /// Whether the file has more records than were read.
    pub more: bool,
}

/// Reads up to `n` records (row errors do not count towards `n`, but at most `n` of them are
/// kept) and peeks whether there are more.
pub(crate) fn take<R: std::io::Read>(reader: &mut FileReader<R>, n: usize) -> Preview {
    let mut records = Vec::with_capacity(n.min(1000));
    let mut row_errors = Vec::new();
    let mut error = None;
    let mut more = false;
    let mut record = Record::new();
    while let Some(result) = reader.read_into(&mut record) {
        match result {
            Ok(()) if records.len() < n => records.push(std::mem::take(&mut record)),
            Ok(()) => {
                more = true;
                break;
            }
            Err(ReadError::Row(e)) if row_errors.len() < n.max(1) => row_errors.push(e),
            Err(ReadError::Row(_)) => {}
            Err(ReadError::Fatal(e)) => {
                error = Some(e);
                break;
            }
        }
    }
    Preview {
        settings: reader.settings().clone(),
        shop: reader.shop().cloned(),
        records,
        row_errors,
        error,
        more,
    }
}
