//! Prints every item a supplier file reads into — record (line, id, fields, params) or error —
//! one per line, plus the YML shop header: for comparing readers between versions.
//!
//! ```text
//! cargo run --release -p vitrina-formats --example parse_dump -- FILE... | md5sum
//! ```
#![allow(clippy::print_stdout, reason = "the dump is the output")]

use std::io::Write;

use vitrina_formats::{ReadOptions, Record, RecordSource, open_file};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in std::env::args().skip(1) {
        writeln!(out, "== {path}")?;
        let mut reader = match open_file(path.as_ref(), &ReadOptions::default()) {
            Ok(reader) => reader,
            Err(e) => {
                writeln!(out, "open: {e:?}")?;
                continue;
            }
        };
        let mut record = Record::new();
        while let Some(item) = reader.read_into(&mut record) {
            match item {
                Ok(()) => writeln!(out, "{record:?}")?,
                Err(e) => writeln!(out, "{e:?}")?,
            }
        }
        writeln!(out, "shop {:?}", reader.shop())?;
    }
    out.flush()?;
    Ok(())
}
