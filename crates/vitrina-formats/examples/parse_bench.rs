//! Parse throughput: reads a supplier file with format detection and prints records/s, MB/s and
//! peak RSS.
//!
//! ```text
//! cargo run --release -p vitrina-formats --example parse_bench -- /tmp/feed1m.yml
//! cargo run --release -p vitrina-formats --example parse_bench -- /tmp/feed1m.csv --iter
//! ```
//!
//! `--iter` uses the `Iterator` (a fresh `Record` per row) instead of one reused `Record`;
//! `--path P` sets the XML/JSON record path.
#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

use std::path::PathBuf;
use std::time::Instant;

use vitrina_formats::{ReadError, ReadOptions, Record, RecordSource, open_file};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut options = ReadOptions::default();
    let mut iterate = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--iter" => iterate = true,
            "--path" => options.record_path = args.next(),
            _ => path = Some(PathBuf::from(arg)),
        }
    }
    let path = path.ok_or("usage: parse_bench FILE [--iter] [--path P]")?;
    let bytes = std::fs::metadata(&path)?.len();

    let started = Instant::now();
    let mut reader = open_file(&path, &options)?;
    let settings = reader.settings().clone();
    let mut tally = Tally::default();
    if iterate {
        for item in reader {
            tally.add(item.as_ref())?;
        }
    } else {
        let mut record = Record::new();
        while let Some(result) = reader.read_into(&mut record) {
            tally.add(result.as_ref().map(|()| &record))?;
        }
    }
    let Tally { records, row_errors, fields, params } = tally;
    let seconds = started.elapsed().as_secs_f64();

    println!("file        {} ({:.1} MB)", path.display(), bytes as f64 / 1e6);
    println!("format      {} {:?}", settings.format, settings.encoding.as_ref().map(|e| e.encoding));
    if let Some(d) = settings.delimiter {
        println!("delimiter   {d:?}, {} columns", settings.header.len());
    }
    println!(
        "mode        {}",
        if iterate { "iterator (new Record per row)" } else { "read_into (one reused Record)" }
    );
    println!("records     {records} ({row_errors} row errors), {fields} fields, {params} params");
    println!("time        {seconds:.2} s");
    println!("records/s   {:.0}", records as f64 / seconds);
    println!("MB/s        {:.1}", bytes as f64 / 1e6 / seconds);
    println!("peak RSS    {}", peak_rss().unwrap_or_else(|| "unknown".into()));
    Ok(())
}

#[derive(Default)]
struct Tally {
    records: u64,
    row_errors: u64,
    fields: u64,
    params: u64,
}

impl Tally {
    fn add(&mut self, item: Result<&Record, &ReadError>) -> Result<(), String> {
        match item {
            Ok(record) => {
                self.records += 1;
                self.fields += record.field_count() as u64;
                self.params += record.params().len() as u64;
            }
            Err(ReadError::Row(_)) => self.row_errors += 1,
            Err(fatal) => return Err(fatal.to_string()),
        }
        Ok(())
    }
}

/// VmHWM from /proc/self/status (Linux).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_owned())
}
