//! Generic XML: every element at a record path (`"catalog/items/item"`) becomes a [`Record`],
//! its child elements fields (nested ones as `"images/image"`), its attributes `"@attr"`.
//!
//! A path without a leading `/` matches at any depth (`"items/item"` finds
//! `/catalog/items/item`); with a leading `/` it must start at the root. Records do not nest:
//! an `item` inside an `item` is a field of the outer one. When no path is given,
//! [`guess_record_path`] picks the most repeated element that has children.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::events::Event;

use crate::RecordSource;
use crate::encoding::Encoding;
use crate::error::{FormatError, ReadError, RowError};
use crate::record::Record;
use crate::settings::{Notice, Settings};
use crate::sniff::Format;
use crate::xml_input::{self, Collector, NameStack, XmlInput};

/// Streaming reader of records at an element path of any XML file.
pub struct XmlPathReader<R: Read> {
    input: XmlInput<R>,
    collector: Collector,
    stack: NameStack,
    segments: Vec<String>,
    anchored: bool,
    records: u64,
    done: bool,
    settings: Settings,
    /// The record the iterator reads into; each item is a right-sized copy of it.
    spare: Record,
}

impl<R: Read> std::fmt::Debug for XmlPathReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlPathReader")
            .field("settings", &self.settings)
            .field("records", &self.records)
            .finish()
    }
}

impl<R: Read> XmlPathReader<R> {
    /// Reads the elements at `record_path` (see the module docs for the syntax).
    pub fn new(source: R, record_path: &str, encoding: Option<Encoding>) -> Result<Self, FormatError> {
        let input = XmlInput::open(source, encoding)?;
        let anchored = record_path.trim().starts_with('/');
        let segments: Vec<String> =
            record_path.split('/').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        if segments.is_empty() {
            return Err(FormatError::RecordPathNotFound { path: record_path.to_owned() });
        }
        let mut settings = Settings::new(Format::Xml).with_encoding(&input.encoding);
        settings.record_path = Some(record_path.to_owned());
        Ok(XmlPathReader {
            input,
            collector: Collector::new(false),
            stack: NameStack::default(),
            segments,
            anchored,
            records: 0,
            done: false,
            settings,
            spare: Record::new(),
        })
    }

    /// Reads the file's beginning to guess the record path, then reads from the start.
    ///
    /// Needs a source that can be read twice, so it takes the head bytes and the full reader.
    pub fn guessing(head: &[u8], source: R, encoding: Option<Encoding>) -> Result<Self, FormatError> {
        let path = guess_record_path(head)
            .ok_or_else(|| FormatError::RecordPathNotFound { path: "(automatic)".into() })?;
        let mut reader = Self::new(source, &path, encoding)?;
        reader.settings.notices.push(Notice::RecordPathGuessed { path });
        Ok(reader)
    }

    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    fn next_record(&mut self, rec: &mut Record) -> Result<Option<Result<(), RowError>>, FormatError> {
        loop {
            self.input.buf.clear();
            let event = match self.input.reader.read_event_into(&mut self.input.buf) {
                Ok(event) => event,
                Err(quick_xml::Error::IllFormed(_)) => continue,
                Err(e) => return Err(self.input.fatal(e)),
            };
            let (start, empty) = match event {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(e) => {
                    self.stack.close(e.name().as_ref());
                    continue;
                }
                Event::Eof if !self.stack.is_empty() => {
                    return Err(FormatError::Truncated { line: self.input.line() });
                }
                Event::Eof if self.records == 0 => {
                    let path = self.settings.record_path.clone().unwrap_or_default();
                    return Err(FormatError::RecordPathNotFound { path });
                }
                Event::Eof => return Ok(None),
                _ => continue,
            };
            let name = start.name();
            if !self.stack.matches(&self.segments, name.as_ref(), self.anchored) {
                if !empty {
                    self.stack.push(name.as_ref());
                }
                continue;
            }
            let line = xml_input::start_line(&self.input.reader, &start);
            rec.clear();
            self.collector.begin(&start, rec);
            if empty {
                self.collector.finish_empty(rec);
            } else {
                self.collector.run(&mut self.input, rec)?;
            }
            self.records += 1;
            let id = rec.get("@id").map(str::to_owned);
            rec.set_location(line, id.as_deref());
            return Ok(Some(match self.collector.take_problem() {
                None => Ok(()),
                Some(problem) => Err(RowError { line, id, problem }),
            }));
        }
    }
}

impl<R: Read> RecordSource for XmlPathReader<R> {
    fn read_into(&mut self, rec: &mut Record) -> Option<Result<(), ReadError>> {
        if self.done {
            return None;
        }
        match self.next_record(rec) {
            Ok(Some(result)) => Some(result.map_err(ReadError::Row)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(fatal) => {
                self.done = true;
                Some(Err(ReadError::Fatal(fatal)))
            }
        }
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }
}

crate::impl_iterator!(XmlPathReader<R: Read>);

/// Guesses the record path of an XML file from its first bytes: the element path that repeats
/// most among elements with child elements or attributes (ties go to the shallower path).
/// Returns `None` when nothing repeats.
pub fn guess_record_path(head: &[u8]) -> Option<String> {
    let detected =
        crate::encoding::detect(head, crate::encoding::xml_declared_encoding(head).as_deref(), None);
    let text = detected.encoding.decode_lossy(&head[detected.bom_len()..]);
    let mut reader = quick_xml::Reader::from_str(&text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    let mut stack = NameStack::default();
    // Per open element: does it have element children or attributes?
    let mut structured: Vec<bool> = Vec::new();
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    let mut order = 0usize;
    let mut count = |path: String, order: &mut usize| {
        *order += 1;
        counts.entry(path).or_insert((0, *order)).0 += 1;
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if let Some(parent) = structured.last_mut() {
                    *parent = true;
                }
                stack.push(e.name().as_ref());
                structured.push(e.attributes().next().is_some());
            }
            Ok(Event::Empty(e)) => {
                if let Some(parent) = structured.last_mut() {
                    *parent = true;
                }
                if e.attributes().next().is_some() {
                    let mut path = stack.path();
                    if !path.is_empty() {
                        path.push('/');
                    }
                    path.push_str(e.name().as_ref());
                    count(path, &mut order);
                }
            }
            Ok(Event::End(_)) => {
                let had_structure = structured.pop().unwrap_or(false);
                if had_structure && stack.len() > 1 {
                    count(stack.path(), &mut order);
                }
                if let Some(last) = stack.last().map(str::to_owned) {
                    stack.close(&last);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    counts
        .into_iter()
        .filter(|(_, (n, _))| *n >= 2)
        .max_by_key(|(path, (n, first))| {
            (*n, std::cmp::Reverse(path.matches('/').count()), std::cmp::Reverse(*first))
        })
        .map(|(path, _)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0"?>
<catalog>
  <meta><title>Price</title></meta>
  <items>
    <item id="1"><name>A</name><images><image>a1.jpg</image><image>a2.jpg</image></images></item>
    <item id="2" hidden="no"><name>B &amp; C</name><price currency="RUB">10</price></item>
    <item id="3"/>
  </items>
</catalog>"#;

    #[test]
    fn reads_records_at_path() {
        let recs: Vec<Record> = XmlPathReader::new(XML.as_bytes(), "catalog/items/item", None)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].get_all("images/image").collect::<Vec<_>>(), ["a1.jpg", "a2.jpg"]);
        assert_eq!(recs[0].line(), 5);
        assert_eq!(recs[1].get("name"), Some("B & C"));
        assert_eq!(recs[1].get("price@currency"), Some("RUB"));
        assert_eq!(recs[2].id(), Some("3"));
        // relative and anchored paths
        assert_eq!(XmlPathReader::new(XML.as_bytes(), "item", None).unwrap().count(), 3);
        assert_eq!(XmlPathReader::new(XML.as_bytes(), "/catalog/items/item", None).unwrap().count(), 3);
    }

    #[test]
    fn missing_path_is_fatal() {
        let mut r = XmlPathReader::new(XML.as_bytes(), "/items/item", None).unwrap();
        let err = r.next().unwrap().unwrap_err();
        assert!(matches!(err, ReadError::Fatal(FormatError::RecordPathNotFound { .. })), "{err}");
        assert!(r.next().is_none());
    }

    #[test]
    fn guesses_path() {
        assert_eq!(guess_record_path(XML.as_bytes()).as_deref(), Some("catalog/items/item"));
        let yml = "<yml_catalog><shop><offers><offer id=\"1\"><name>x</name></offer><offer id=\"2\"/>\
                   <offer id=\"3\"><name>y</name></offer></offers></shop></yml_catalog>";
        assert_eq!(guess_record_path(yml.as_bytes()).as_deref(), Some("yml_catalog/shop/offers/offer"));
        assert_eq!(guess_record_path(b"<a><b>1</b></a>"), None);
    }
}
