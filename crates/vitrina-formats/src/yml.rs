//! Yandex Market Language feeds (`<yml_catalog>`): the shop header, currencies and categories
//! first, then one [`Record`] per `<offer>`, streamed.
//!
//! Every offer type reads the same way (simplified, `vendor.model`, `book`, `audiobook`,
//! `artist.title`, `event-ticket`, `tour`, `medicine`, `alco`...): child elements become fields
//! under their own names (`"name"`, `"typePrefix"`, `"vendor"`, `"model"`, `"author"`, `"ISBN"`),
//! attributes become `"@id"`, `"@available"`, `"@group_id"`, `"@type"`, `<param>` elements become
//! [`Param`](crate::Param)s. Stock is left as the supplier wrote it — `count`, `quantity`,
//! `stock`, `amount`, `outlets/outlet@instock` or only `@available` — and [`stock_hint`] reads it.

use std::io::{self, Read};

use quick_xml::events::Event;

use crate::RecordSource;
use crate::encoding::{Encoding, TextReader};
use crate::error::{FormatError, ReadError, RowError, RowProblem};
use crate::record::Record;
use crate::settings::Settings;
use crate::sniff::Format;
use crate::xml_input::{
    self, Collector, Ev, EventSource, FastEvents, FastStop, NameStack, SliceEvents, XmlInput,
};

/// The `<shop>` header of a YML feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shop {
    /// `yml_catalog@date`, as written.
    pub date: Option<String>,
    /// Short shop name.
    pub name: Option<String>,
    /// Legal name of the company.
    pub company: Option<String>,
    /// Shop home page.
    pub url: Option<String>,
    /// CMS that produced the feed.
    pub platform: Option<String>,
    /// CMS version.
    pub version: Option<String>,
    /// Agency.
    pub agency: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// `<currencies>`.
    pub currencies: Vec<Currency>,
    /// `<categories>`, in file order.
    pub categories: Vec<Category>,
    /// Any other shop-level elements, flattened like offer fields with the element name first
    /// (`"delivery-options/option@cost"`, `"phone"`).
    pub extra: Vec<(String, String)>,
}

/// A `<currency id rate plus>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Currency {
    /// "RUR", "RUB", "USD"...
    pub id: String,
    /// A number ("1", "92.5") or a bank code ("CBRF"), as written.
    pub rate: Option<String>,
    /// Percent added to a bank rate.
    pub plus: Option<String>,
}

/// A `<category id parentId>name</category>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Category {
    /// The supplier's category id, as written.
    pub id: String,
    /// Parent id; `None` for roots (a `parentId="0"` is kept as written).
    pub parent_id: Option<String>,
    /// The category name.
    pub name: String,
    /// Line of the `<category>` tag.
    pub line: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Offers,
    Done,
}

/// Streaming reader of a YML feed.
///
/// [`YmlReader::new`] reads up to `<offers>` so [`shop`](YmlReader::shop) (with its categories)
/// is available before the first offer; iterating yields offers. Categories placed after the
/// offers (non-standard) are appended to the shop when iteration reaches them.
pub struct YmlReader<R: Read> {
    input: XmlInput<R>,
    collector: Collector,
    stack: NameStack,
    scratch: Record,
    chunk: Chunk,
    /// Bytes read per chunk of offers ([`CHUNK_LEN`]; tiny in tests to exercise the seams).
    chunk_len: usize,
    /// Offers are tokenized by [`FastEvents`] where it can (off in tests that compare it with
    /// quick-xml alone).
    fast: bool,
    /// Bytes the last offer took, to find the end of the next one quickly.
    offer_len_hint: usize,
    shop: Shop,
    settings: Settings,
    /// The record the iterator reads into; each item is a right-sized copy of it.
    spare: Record,
    phase: Phase,
}

impl<R: Read> std::fmt::Debug for YmlReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YmlReader").field("settings", &self.settings).field("phase", &self.phase).finish()
    }
}

impl<R: Read> YmlReader<R> {
    /// Opens a feed, detecting its encoding, and reads the header up to `<offers>`.
    pub fn new(source: R) -> Result<Self, FormatError> {
        Self::with_encoding(source, None)
    }

    /// Like [`YmlReader::new`], with the encoding chosen by the caller when `Some`.
    pub fn with_encoding(source: R, encoding: Option<Encoding>) -> Result<Self, FormatError> {
        let input = XmlInput::open(source, encoding)?;
        let settings = Settings::new(Format::Yml).with_encoding(&input.encoding);
        let mut reader = YmlReader {
            input,
            collector: Collector::new(true),
            stack: NameStack::default(),
            scratch: Record::new(),
            chunk: Chunk::default(),
            chunk_len: CHUNK_LEN,
            fast: true,
            offer_len_hint: 0,
            shop: Shop::default(),
            settings,
            spare: Record::new(),
            phase: Phase::Offers,
        };
        if !reader.read_outside_offers(true)? {
            return Err(FormatError::NoOffers);
        }
        reader.chunk = Chunk::starting_at_line(reader.input.line());
        Ok(reader)
    }

    /// The shop header with currencies and categories.
    pub fn shop(&self) -> &Shop {
        &self.shop
    }

    /// The categories (shortcut for `shop().categories`).
    pub fn categories(&self) -> &[Category] {
        &self.shop.categories
    }

    /// What was detected about the file.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// Reads the document outside `<offers>`. With `stop_at_offers`, returns `Ok(true)` on
    /// entering `<offers>`; otherwise reads to the end. `Ok(false)` means the end was reached
    /// without an `<offers>` element.
    fn read_outside_offers(&mut self, stop_at_offers: bool) -> Result<bool, FormatError> {
        let mut seen_root = !self.stack.is_empty() || !stop_at_offers;
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
                Event::Eof if !seen_root => return Err(FormatError::Empty),
                Event::Eof => return Ok(false),
                _ => continue,
            };
            let name = start.name();
            let name = name.as_ref();
            if !seen_root {
                seen_root = true;
                if name != "yml_catalog" {
                    return Err(FormatError::UnexpectedRoot {
                        expected: "YML",
                        root: "yml_catalog",
                        found: name.to_owned(),
                    });
                }
                self.shop.date = xml_input::attribute(&start, "date");
            }
            let parent = self.stack.last().unwrap_or_default();
            match (parent, name) {
                (_, "offers") if stop_at_offers => {
                    if empty {
                        // `<offers/>`: a feed with no offers; nothing to stream.
                        self.phase = Phase::Done;
                    } else {
                        self.stack.push(name);
                    }
                    return Ok(true);
                }
                (_, "yml_catalog" | "shop" | "currencies" | "categories" | "offers") if !empty => {
                    self.stack.push(name);
                }
                ("currencies", "currency") | ("categories", "category") | ("shop", _) => {
                    let line = xml_input::start_line(&self.input.reader, &start);
                    self.scratch.clear();
                    self.collector.begin(&start, &mut self.scratch);
                    let kind = name.to_owned();
                    if empty {
                        self.collector.finish_empty(&mut self.scratch);
                    } else {
                        self.collector.run(&mut self.input, &mut self.scratch)?;
                    }
                    self.collector.take_problem();
                    self.store_header_element(parent == "shop", &kind, line);
                }
                _ if !empty => {
                    // Unknown container: read through it without keeping anything.
                    self.scratch.clear();
                    self.collector.begin(&start, &mut self.scratch);
                    self.collector.run(&mut self.input, &mut self.scratch)?;
                    self.collector.take_problem();
                }
                _ => {}
            }
        }
    }

    fn store_header_element(&mut self, in_shop: bool, name: &str, line: u64) {
        let rec = &self.scratch;
        let owned = |key: &str| rec.get(key).map(str::to_owned);
        match (in_shop, name) {
            (false, "currency") => self.shop.currencies.push(Currency {
                id: owned("@id").unwrap_or_default(),
                rate: owned("@rate"),
                plus: owned("@plus"),
            }),
            (false, "category") => self.shop.categories.push(Category {
                id: owned("@id").unwrap_or_default(),
                parent_id: owned("@parentId").filter(|p| !p.is_empty()),
                name: owned("category").unwrap_or_default(),
                line,
            }),
            (true, _) => {
                let slot = match name {
                    "name" => Some(&mut self.shop.name),
                    "company" => Some(&mut self.shop.company),
                    "url" => Some(&mut self.shop.url),
                    "platform" => Some(&mut self.shop.platform),
                    "version" => Some(&mut self.shop.version),
                    "agency" => Some(&mut self.shop.agency),
                    "email" => Some(&mut self.shop.email),
                    _ => None,
                };
                match slot {
                    Some(slot) if rec.field_count() <= 1 => *slot = owned(name).or(Some(String::new())),
                    _ => {
                        for (key, value) in rec.fields() {
                            let key = if key == name {
                                key.to_owned()
                            } else if key.starts_with('@') {
                                format!("{name}{key}")
                            } else {
                                format!("{name}/{key}")
                            };
                            self.shop.extra.push((key, value.to_owned()));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn next_offer(&mut self, rec: &mut Record) -> Result<Option<Result<(), RowError>>, FormatError> {
        let mut more = self.chunk_len;
        loop {
            if self.chunk.pos >= self.chunk.cut {
                if self.chunk.eof {
                    let line = self.chunk.line_at(self.chunk.data.len());
                    return Err(FormatError::Truncated { line });
                }
                self.chunk.fill(self.input.reader.get_mut(), self.chunk_len)?;
                continue;
            }
            match self.offer_in_chunk(rec)? {
                Step::Offer(result) => return Ok(Some(result)),
                Step::Exhausted => {}
                Step::Incomplete => {
                    // An offer runs past the chunk: read more and parse it again.
                    self.chunk.fill(self.input.reader.get_mut(), more)?;
                    more = more.saturating_mul(2);
                }
                Step::OffersEnd => {
                    let mut chunk = std::mem::take(&mut self.chunk);
                    let line = chunk.line_at(chunk.pos);
                    self.input.reader.get_mut().unread(&chunk.data[chunk.pos..], line);
                    self.stack.close("offers");
                    self.read_outside_offers(false)?;
                    return Ok(None);
                }
            }
        }
    }

    /// Parses from the chunk's unparsed part up to the end of the next offer.
    fn offer_in_chunk(&mut self, rec: &mut Record) -> Result<Step, FormatError> {
        if self.fast
            && let Some(step) = self.offer_fast(rec)
        {
            return Ok(step);
        }
        let start = self.chunk.pos;
        let first_line = self.chunk.line_at(start);
        let eof = self.chunk.eof;
        let slice = &self.chunk.data[start..self.chunk.cut];
        let mut events = SliceEvents::new(slice, first_line, self.input.encoding.encoding.name());
        loop {
            let event = match events.reader.read_event() {
                Ok(event) => event,
                Err(quick_xml::Error::IllFormed(_)) => continue,
                Err(e) if is_cut_off(&e) && !eof => return Ok(Step::Incomplete),
                Err(e) => return Err(events.fatal(e)),
            };
            let (tag, empty) = match event {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(e) if e.name().as_ref() == "offers" => {
                    self.chunk.pos = start + events.consumed();
                    return Ok(Step::OffersEnd);
                }
                Event::Eof => {
                    self.chunk.pos = self.chunk.cut;
                    return Ok(Step::Exhausted);
                }
                _ => continue,
            };
            let tag_offset = events.consumed().saturating_sub(tag.len() + if empty { 3 } else { 2 });
            let is_offer = tag.name().as_ref() == "offer";
            let target = if is_offer { &mut *rec } else { &mut self.scratch };
            target.clear();
            self.collector.begin(&tag, target);
            if empty {
                self.collector.finish_empty(target);
            } else if let Err(e) = self.collector.run(&mut events, target) {
                return match e {
                    FormatError::Truncated { .. } if !eof => Ok(Step::Incomplete),
                    other => Err(other),
                };
            }
            let problem = self.collector.take_problem();
            if !is_offer {
                // Something other than an offer inside <offers>: skipped.
                continue;
            }
            let consumed = events.consumed();
            self.chunk.pos = start + consumed;
            let line = self.chunk.line_at(start + tag_offset);
            return Ok(Step::Offer(finish_offer(rec, line, problem)));
        }
    }

    /// [`YmlReader::offer_in_chunk`] over valid UTF-8 with [`FastEvents`]; `None` when it meets
    /// something it leaves to quick-xml, which then parses the same bytes again.
    fn offer_fast(&mut self, rec: &mut Record) -> Option<Step> {
        let start = self.chunk.pos;
        let bytes = &self.chunk.data[start..self.chunk.cut];
        // The text up to a `</offer…>` near where the last offer's length says this one ends
        // (the search starts a little before), checked as UTF-8 in one go: quick-xml would check
        // every event. A window that ends inside the offer sends it to quick-xml; one that
        // holds more than the offer only costs a longer check.
        let from = (self.offer_len_hint / 4 * 3).min(bytes.len());
        let window = match memchr::memmem::find(&bytes[from..], b"</offer") {
            Some(at) => {
                memchr::memchr(b'>', &bytes[from + at..]).map_or(bytes.len(), |gt| from + at + gt + 1)
            }
            None => bytes.len(),
        };
        let whole = window == bytes.len();
        let text = simdutf8::basic::from_utf8(&bytes[..window]).ok()?;
        // quick-xml would take a byte-order mark (or what looks like UTF-16) at its start.
        if text.starts_with(['\u{feff}', '\0']) {
            return None;
        }
        let mut events = FastEvents::new(text);
        loop {
            let (tag, empty) = match events.next() {
                Ok(Ev::Start(tag)) => (tag, false),
                Ok(Ev::Empty(tag)) => (tag, true),
                Ok(Ev::End("offers")) => {
                    self.chunk.pos = start + events.consumed();
                    return Some(Step::OffersEnd);
                }
                Ok(_) => continue,
                Err(FastStop::End) if whole => {
                    self.chunk.pos = self.chunk.cut;
                    return Some(Step::Exhausted);
                }
                // Past the window (a stray `</offer>` between offers): left to quick-xml.
                Err(FastStop::End | FastStop::Unsupported) => return None,
            };
            let tag_offset = events.consumed() - tag.content.len() - if empty { 3 } else { 2 };
            let is_offer = tag.name() == "offer";
            let target = if is_offer { &mut *rec } else { &mut self.scratch };
            target.clear();
            self.collector.begin_tag(tag, target);
            if empty {
                self.collector.finish_empty(target);
            } else {
                loop {
                    // The end of the text inside an offer: quick-xml tells a cut from a truncation.
                    let event = events.next().ok()?;
                    if let Ev::Start(tag) = event
                        && self.collector.takes_leaf(tag)
                        && let Some(text) = events.leaf_text(tag.name())
                    {
                        self.collector.leaf(tag, text, target);
                        continue;
                    }
                    if self.collector.handle(event, target) {
                        break;
                    }
                }
            }
            let problem = self.collector.take_problem();
            if !is_offer {
                continue;
            }
            self.chunk.pos = start + events.consumed();
            self.offer_len_hint = events.consumed();
            let line = self.chunk.line_at(start + tag_offset);
            return Some(Step::Offer(finish_offer(rec, line, problem)));
        }
    }
}

/// Sets an offer's line and id; its row error when it had a problem.
fn finish_offer(rec: &mut Record, line: u64, problem: Option<RowProblem>) -> Result<(), RowError> {
    rec.set_location_from_field(line, "@id");
    match problem {
        None => Ok(()),
        Some(problem) => Err(RowError { line, id: rec.id().map(str::to_owned), problem }),
    }
}

/// What parsing in the current chunk gave.
enum Step {
    Offer(Result<(), RowError>),
    /// Nothing but whitespace or comments up to the chunk's end.
    Exhausted,
    /// An offer continues past the chunk's end.
    Incomplete,
    /// `</offers>` was reached.
    OffersEnd,
}

/// Bytes of the offers section read at a time.
const CHUNK_LEN: usize = 1 << 20;

/// The offers section, read in chunks that end after an `</offer>` and parsed from memory
/// without copying every event: the hot loop of a YML import.
#[derive(Debug, Default)]
struct Chunk {
    data: Vec<u8>,
    /// Start of the unparsed part.
    pos: usize,
    /// End of the part that holds only complete offers.
    cut: usize,
    /// The source is exhausted: `data` holds the rest of the file.
    eof: bool,
    /// Line number of `data[line_at]`.
    line: u64,
    line_at: usize,
}

impl Chunk {
    fn starting_at_line(line: u64) -> Self {
        Chunk { line, ..Chunk::default() }
    }

    /// Line of `data[offset]`; offsets must not go backwards.
    fn line_at(&mut self, offset: usize) -> u64 {
        if offset > self.line_at {
            self.line += memchr::memchr_iter(b'\n', &self.data[self.line_at..offset]).count() as u64;
            self.line_at = offset;
        }
        self.line
    }

    /// Drops the parsed part, appends up to `more` bytes from `source`, and places the cut
    /// after the last complete `</offer>` (or `</offers>`).
    fn fill<R: Read>(&mut self, source: &mut TextReader<R>, more: usize) -> io::Result<()> {
        self.line_at(self.pos);
        self.data.drain(..self.pos);
        self.line_at -= self.pos;
        self.pos = 0;
        let target = self.data.len().saturating_add(more);
        while self.data.len() < target {
            let want = target - self.data.len();
            if source.append_to(&mut self.data, want)? == 0 {
                self.eof = true;
                break;
            }
        }
        self.cut = if self.eof { self.data.len() } else { last_offer_end(&self.data) };
        Ok(())
    }
}

/// End of the last complete `</offer>` or `</offers>` tag in `data`, or 0.
fn last_offer_end(data: &[u8]) -> usize {
    let mut end = data.len();
    while let Some(at) = memchr::memmem::rfind(&data[..end], b"</offer") {
        if let Some(close) = memchr::memchr(b'>', &data[at..]) {
            return at + close + 1;
        }
        end = at;
    }
    0
}

/// A syntax error that only means the data stopped inside markup.
fn is_cut_off(e: &quick_xml::Error) -> bool {
    matches!(e, quick_xml::Error::Syntax(s) if *s != quick_xml::errors::SyntaxError::InvalidBangMarkup)
}

impl<R: Read> RecordSource for YmlReader<R> {
    fn read_into(&mut self, rec: &mut Record) -> Option<Result<(), ReadError>> {
        if self.phase == Phase::Done {
            return None;
        }
        match self.next_offer(rec) {
            Ok(Some(result)) => Some(result.map_err(ReadError::Row)),
            Ok(None) => {
                self.phase = Phase::Done;
                None
            }
            Err(fatal) => {
                self.phase = Phase::Done;
                Some(Err(ReadError::Fatal(fatal)))
            }
        }
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }
}

crate::impl_iterator!(YmlReader<R: Read>);

/// Stock as a YML offer states it, whichever element the supplier used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockHint {
    /// The quantity as written (summed over `<outlet instock>` when those are used).
    pub quantity: Option<String>,
    /// `@available`, when present: `Some(false)` means out of stock or on order.
    pub available: Option<bool>,
    /// The field the quantity came from (`"count"`, `"outlets/outlet@instock"`...).
    pub source: Option<&'static str>,
}

/// The stock elements seen in the wild, in order of preference.
pub const STOCK_FIELDS: [&str; 5] = ["count", "quantity", "stock", "amount", "outlets/outlet@instock"];

/// Reads the stock of a YML offer from whichever of [`STOCK_FIELDS`] it has, plus `@available`.
///
/// Quantities of several outlets are summed when they are all whole numbers; otherwise the
/// first one is kept as written. Interpreting the text further is the import's job.
pub fn stock_hint(offer: &Record) -> StockHint {
    let available = offer.get("@available").map(|a| a.trim().eq_ignore_ascii_case("true"));
    for source in STOCK_FIELDS {
        let mut values = offer.get_all(source).map(str::trim).filter(|v| !v.is_empty());
        let Some(first) = values.next() else { continue };
        let rest: Vec<&str> = values.collect();
        let quantity = if rest.is_empty() {
            first.to_owned()
        } else {
            let sum: Option<u64> = std::iter::once(first).chain(rest).map(|v| v.parse::<u64>().ok()).sum();
            sum.map_or_else(|| first.to_owned(), |s| s.to_string())
        };
        return StockHint { quantity: Some(quantity), available, source: Some(source) };
    }
    StockHint { quantity: None, available, source: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE yml_catalog SYSTEM "shops.dtd">
<yml_catalog date="2024-05-01 12:00">
<shop>
  <name>Тест</name>
  <company>ООО &laquo;Тест&raquo;</company>
  <currencies><currency id="RUR" rate="1"/><currency id="USD" rate="CBRF" plus="3"/></currencies>
  <categories>
    <category id="1">Обувь</category>
    <category id="10" parentId="1">Кроссовки &amp; кеды</category>
  </categories>
  <delivery-options><option cost="300" days="1-3"/></delivery-options>
  <offers>
    <offer id="A1" available="true"><name>Кеды</name><price>10</price><count>3</count></offer>
    <offer id="B2" type="vendor.model" available="false"><typePrefix>Кроссовки</typePrefix>
      <vendor>Nike</vendor><model>Air</model><outlets><outlet id="1" instock="2"/><outlet id="2" instock="5"/></outlets>
    </offer>
    <offer id="C3"/>
  </offers>
</shop>
</yml_catalog>
"#;

    #[test]
    fn header_then_offers() {
        let mut reader = YmlReader::new(FEED.as_bytes()).unwrap();
        let shop = reader.shop();
        assert_eq!(shop.date.as_deref(), Some("2024-05-01 12:00"));
        assert_eq!(shop.name.as_deref(), Some("Тест"));
        assert_eq!(shop.company.as_deref(), Some("ООО «Тест»"));
        assert_eq!(shop.currencies[1].rate.as_deref(), Some("CBRF"));
        assert_eq!(shop.currencies[1].plus.as_deref(), Some("3"));
        assert_eq!(shop.categories.len(), 2);
        assert_eq!(shop.categories[1].name, "Кроссовки & кеды");
        assert_eq!(shop.categories[1].parent_id.as_deref(), Some("1"));
        assert_eq!(shop.categories[1].line, 10);
        assert_eq!(
            shop.extra,
            [
                ("delivery-options/option@cost".into(), "300".into()),
                ("delivery-options/option@days".into(), "1-3".into())
            ]
        );

        let offers: Vec<Record> = reader.by_ref().map(Result::unwrap).collect();
        assert_eq!(offers.len(), 3);
        assert_eq!((offers[0].id(), offers[0].line()), (Some("A1"), 14));
        assert_eq!(offers[1].get("@type"), Some("vendor.model"));
        assert_eq!(offers[1].get("model"), Some("Air"));
        assert_eq!(offers[2].to_pairs(), [("@id".to_owned(), "C3".to_owned())]);

        assert_eq!(stock_hint(&offers[0]).quantity.as_deref(), Some("3"));
        let hint = stock_hint(&offers[1]);
        assert_eq!(
            (hint.quantity.as_deref(), hint.available, hint.source),
            (Some("7"), Some(false), Some("outlets/outlet@instock"))
        );
        assert_eq!(stock_hint(&offers[2]), StockHint { quantity: None, available: None, source: None });
    }

    #[test]
    fn chunk_seams_change_nothing() {
        let expected: Vec<_> = YmlReader::new(FEED.as_bytes()).unwrap().map(Result::unwrap).collect();
        for chunk_len in [1, 2, 7, 30, 64, 100, 333] {
            let mut reader = YmlReader::new(FEED.as_bytes()).unwrap();
            reader.chunk_len = chunk_len;
            let got: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
            assert_eq!(got, expected, "chunk_len {chunk_len}");
            assert_eq!(reader.shop().categories.len(), 2);
        }
        let cut = &FEED[..FEED.find("<offer id=\"C3\"/>").unwrap() + 5];
        for chunk_len in [3, 50, CHUNK_LEN] {
            let mut reader = YmlReader::new(cut.as_bytes()).unwrap();
            reader.chunk_len = chunk_len;
            let last = reader.by_ref().last().unwrap();
            assert!(matches!(last, Err(ReadError::Fatal(FormatError::Truncated { line: 18 }))), "{last:?}");
        }
    }

    #[test]
    fn after_the_offers() {
        for chunk_len in [5, CHUNK_LEN] {
            let cut = FEED.replace("</yml_catalog>\n", "");
            let mut reader = YmlReader::new(cut.as_bytes()).unwrap();
            reader.chunk_len = chunk_len;
            let items: Vec<_> = reader.collect();
            assert_eq!(items.len(), 4);
            assert!(
                matches!(items[3], Err(ReadError::Fatal(FormatError::Truncated { line: 21 }))),
                "{:?}",
                items[3]
            );

            let late = FEED.replace(
                "</offers>",
                "</offers><categories><category id=\"99\">Поздняя</category></categories>",
            );
            let mut reader = YmlReader::new(late.as_bytes()).unwrap();
            reader.chunk_len = chunk_len;
            assert_eq!(reader.shop().categories.len(), 2);
            assert_eq!(reader.by_ref().filter(Result::is_ok).count(), 3);
            assert_eq!(reader.shop().categories[2].name, "Поздняя");
            assert_eq!(reader.shop().categories[2].line, 19);
        }
    }

    /// Every item (and the shop) as the fast tokenizer and as quick-xml alone read them.
    fn both_ways(xml: &[u8], chunk_len: usize) -> [Result<(String, Vec<String>), String>; 2] {
        [true, false].map(|fast| {
            let mut reader = YmlReader::new(xml).map_err(|e| format!("{e:?}"))?;
            reader.chunk_len = chunk_len;
            reader.fast = fast;
            let mut items = Vec::new();
            let mut rec = Record::new();
            while let Some(item) = reader.read_into(&mut rec) {
                items.push(format!("{item:?} {rec:?}"));
            }
            Ok((format!("{:?}", reader.shop()), items))
        })
    }

    fn assert_same_both_ways(xml: &[u8]) {
        for chunk_len in [1, 5, 64, 1000, CHUNK_LEN] {
            let [fast, slow] = both_ways(xml, chunk_len);
            assert_eq!(fast, slow, "chunk_len {chunk_len}: {}", String::from_utf8_lossy(xml));
        }
    }

    #[test]
    fn fast_tokenizer_reads_fixtures_like_quick_xml() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for name in
            ["feed_utf8.yml", "feed_cp1251.yml", "mislabeled_cp1251.yml", "wild_offers.yml", "truncated.yml"]
        {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert_same_both_ways(&bytes);
        }
        assert_same_both_ways(FEED.as_bytes());
    }

    #[test]
    fn fast_tokenizer_agrees_on_odd_markup() {
        let offers = [
            r#"<offer id="1"><name> a &amp; b &lt;&#1046;&#x41; &nbsp;&unknown; &lone & x&amp</name></offer>"#,
            r#"<offer id='2' available = "true" flag x=y ="z"><price  from="1"/></offer>"#,
            r#"<offer id="3"><!-- c --><!----><!-- a -- b ---><name>x<!-- y -->z</name></offer>"#,
            r#"<offer id="4"><description><p class="a>b">x</p><br/><br /><hr>t &amp; <![CDATA[<i>]]></ p></description></offer>"#,
            r#"<offer id="5"><description>a < b</description><name>n</name></offer>"#,
            r#"<offer id="6"><name>x</nme><price>1</price></offer>"#,
            r#"<offer id="7"><name>x</offer>"#,
            "<offer id=\"8\"><name>a\r\nb\rc</name><x a=\"1\r\n2\t3\"/></offer>",
            r#"<offer id="9"><?pi x?><name>y</name></offer>"#,
            r#"<offer id="10"><!DOCTYPE x><name>y</name></offer>"#,
            r#"<offer id="11"><![CDATA[ root text ]]><name><![CDATA[]]></name><![CDATA[a]]]]><![CDATA[>]]></offer>"#,
            r#"<offer id="12"><param name="Вес" unit="кг">1.2</param><param name="A &amp; B">x<b>y</b></param><param>z</param></offer>"#,
            r#"<offer id="13"><a><b><c>deep</c></b><b/></a><e></e><f x="1"></f><g x="1">v</g></offer>"#,
            r#"<offer id="14" id="dup"><name a="1" a="2">x</name></offer>"#,
            r#"<offer id="15"><name a="unclosed>x</name></offer>"#,
            r#"<offer id="16"><name a=">">x</name  ></offer  >"#,
            r#"<offer id="17"><description>a<!-- hidden -->b</description></offer>"#,
            r#"<offer id="18"><description></description><description/></offer>"#,
            r#"<offer id="19"><name>x</name></offers></offer>"#,
            r#"<offer id="20" xmlns="u" xmlns:a="v"><a:name>x</a:name></offer>"#,
            r#"<other><name>skipped</name></other><offer id="21"/>text<offer id="22">t</offer>"#,
            r#"<offer id="23"><name>x</name></offer><!-x><offer id="24"/>"#,
            "<offer id=\"25\"><name>\u{feff}x</name></offer>",
            r#"<offer id="26"><name>x & y; <z</name></offer>"#,
            r#"<offer id="27"><name>x</name></offer> & <offer id="28">&amp</offer>"#,
            r#"<offer id="29"><name>x</name><name2 a="1" b='2'c="3"/></offer>"#,
            r#"<offer id="30"><description><![CDATA[a </offer> b]]></description></offer>"#,
            r#"<offer id="31"/></offer><offer id="32"/></offer_x><offer id="33"></offer_x></offer>"#,
        ];
        for offer in offers {
            let xml = format!(
                "<yml_catalog><shop><offers>\n  {offer}\n  <offer id=\"last\"/>\n</offers></shop></yml_catalog>"
            );
            assert_same_both_ways(xml.as_bytes());
            let cut = format!("<yml_catalog><shop><offers>\n  {offer}");
            assert_same_both_ways(cut.as_bytes());
            let late = format!("<yml_catalog><shop><offers>\n</offers>{offer}</shop></yml_catalog>");
            assert_same_both_ways(late.as_bytes());
        }
        let invalid = b"<yml_catalog><shop><offers>\n<offer id=\"0\"/><offer id=\"1\"><name>\xff</name></offer></offers></shop></yml_catalog>";
        assert_same_both_ways(invalid);
    }

    /// Reads the feed in `VITRINA_YML` both ways and compares every offer (slow in a debug
    /// build: run with `--release -- --ignored`).
    #[test]
    #[ignore = "needs a large feed in VITRINA_YML"]
    fn fast_tokenizer_agrees_on_a_large_feed() {
        let Ok(path) = std::env::var("VITRINA_YML") else { return };
        let open = |fast| {
            let mut reader = YmlReader::new(std::fs::File::open(&path).unwrap()).unwrap();
            reader.fast = fast;
            reader
        };
        let (mut fast, mut slow) = (open(true), open(false));
        let (mut a, mut b) = (Record::new(), Record::new());
        let mut n = 0u64;
        loop {
            let (x, y) = (fast.read_into(&mut a), slow.read_into(&mut b));
            assert_eq!(format!("{x:?}"), format!("{y:?}"), "item {n}");
            if x.is_none() {
                break;
            }
            assert_eq!(a, b, "item {n}");
            n += 1;
        }
        assert_eq!(fast.shop(), slow.shop());
    }

    #[test]
    fn empty_offers() {
        for xml in [
            "<yml_catalog><shop><offers/></shop></yml_catalog>",
            "<yml_catalog><shop><offers>\n</offers></shop></yml_catalog>",
        ] {
            let mut reader = YmlReader::new(xml.as_bytes()).unwrap();
            assert!(reader.next().is_none(), "{xml}");
        }
    }

    #[test]
    fn not_a_yml_feed() {
        let err = YmlReader::new("<catalog><item/></catalog>".as_bytes()).unwrap_err();
        assert!(matches!(err, FormatError::UnexpectedRoot { .. }), "{err}");
        let err =
            YmlReader::new("<yml_catalog><shop><name>x</name></shop></yml_catalog>".as_bytes()).unwrap_err();
        assert!(matches!(err, FormatError::NoOffers), "{err}");
        let err = YmlReader::new("   ".as_bytes()).unwrap_err();
        assert!(matches!(err, FormatError::Empty), "{err}");
    }
}
