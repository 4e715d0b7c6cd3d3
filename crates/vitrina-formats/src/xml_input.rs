//! What the YML and generic XML readers share: a lenient quick-xml setup over decoded text,
//! entity handling, and the collector that turns one element subtree into a [`Record`].
//!
//! Leniency, because suppliers' XML is often not well-formed: a lone `&` in a URL is text,
//! unknown entities (`&nbsp;` without a DTD) are resolved when they are common HTML ones and kept
//! literally otherwise, mismatched closing tags spoil one record instead of the whole file.
//! Nothing is ever fetched or expanded from a DTD, so external entities and "billion laughs"
//! files are harmless: their references stay as text.

use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use crate::encoding::{self, DetectedEncoding, Encoding, Rest, TextReader};
use crate::error::{FormatError, RowProblem};
use crate::record::Record;

/// A quick-xml reader over UTF-8 text decoded from the file, with line tracking.
pub(crate) struct XmlInput<R: Read> {
    pub(crate) reader: quick_xml::Reader<TextReader<Rest<R>>>,
    pub(crate) buf: Vec<u8>,
    pub(crate) encoding: DetectedEncoding,
}

impl<R: Read> XmlInput<R> {
    pub(crate) fn open(mut source: R, forced: Option<Encoding>) -> Result<Self, FormatError> {
        let head = encoding::read_head(&mut source, encoding::SAMPLE_LEN)?;
        if head.trim_ascii().is_empty() || head == [0xEF, 0xBB, 0xBF] {
            return Err(FormatError::Empty);
        }
        let declared = encoding::xml_declared_encoding(&head);
        let detected = encoding::detect(&head, declared.as_deref(), forced);
        let text = TextReader::new(head, source, &detected);
        let mut reader = quick_xml::Reader::from_reader(text);
        configure(reader.config_mut());
        Ok(XmlInput { reader, buf: Vec::with_capacity(4096), encoding: detected })
    }

    /// Line of the next unread byte.
    pub(crate) fn line(&self) -> u64 {
        self.reader.get_ref().line()
    }

    /// The fatal error for a quick-xml failure that it cannot recover from.
    pub(crate) fn fatal(&self, error: quick_xml::Error) -> FormatError {
        fatal_error(error, self.line(), self.encoding.encoding.name())
    }
}

/// The lenient parser settings every XML reader here uses.
pub(crate) fn configure(config: &mut quick_xml::reader::Config) {
    config.trim_text(false);
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.check_comments = false;
    config.expand_empty_elements = false;
}

/// The fatal error for a quick-xml failure at `line`.
pub(crate) fn fatal_error(error: quick_xml::Error, line: u64, encoding: &'static str) -> FormatError {
    use quick_xml::errors::SyntaxError;
    match error {
        quick_xml::Error::Io(e) => FormatError::Io(std::io::Error::new(e.kind(), e.to_string())),
        quick_xml::Error::Syntax(SyntaxError::InvalidBangMarkup) => FormatError::Malformed {
            line,
            reason: "there is a \"<!\" that starts neither a comment nor a CDATA section".into(),
        },
        // Every other syntax error is the end of the data inside a tag, comment or CDATA.
        quick_xml::Error::Syntax(_) => FormatError::Truncated { line },
        quick_xml::Error::Encoding(_) => FormatError::InvalidText { line, encoding },
        other => FormatError::Malformed { line, reason: other.to_string() },
    }
}

/// Where the collector gets its events from: the streaming reader, or a slice of a chunk.
pub(crate) trait EventSource {
    /// The next event.
    fn next_event(&mut self) -> Result<Event<'_>, quick_xml::Error>;
    /// The fatal error for a failure of `next_event`.
    fn fatal(&self, error: quick_xml::Error) -> FormatError;
    /// The error for data ending inside a record.
    fn truncated(&self) -> FormatError;
}

impl<R: Read> EventSource for XmlInput<R> {
    fn next_event(&mut self) -> Result<Event<'_>, quick_xml::Error> {
        self.buf.clear();
        self.reader.read_event_into(&mut self.buf)
    }

    fn fatal(&self, error: quick_xml::Error) -> FormatError {
        XmlInput::fatal(self, error)
    }

    fn truncated(&self) -> FormatError {
        FormatError::Truncated { line: self.line() }
    }
}

/// Events borrowed straight from an in-memory slice (no copying), for the hot loop over offers.
pub(crate) struct SliceEvents<'a> {
    pub(crate) reader: quick_xml::Reader<&'a [u8]>,
    data: &'a [u8],
    /// Line of `data[0]`.
    first_line: u64,
    encoding: &'static str,
}

impl<'a> SliceEvents<'a> {
    pub(crate) fn new(data: &'a [u8], first_line: u64, encoding: &'static str) -> Self {
        let mut reader = quick_xml::Reader::from_reader(data);
        configure(reader.config_mut());
        SliceEvents { reader, data, first_line, encoding }
    }

    /// Bytes of the slice consumed so far.
    pub(crate) fn consumed(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX).min(self.data.len())
    }

    fn line(&self) -> u64 {
        self.first_line + memchr::memchr_iter(b'\n', &self.data[..self.consumed()]).count() as u64
    }
}

impl EventSource for SliceEvents<'_> {
    fn next_event(&mut self) -> Result<Event<'_>, quick_xml::Error> {
        self.reader.read_event()
    }

    fn fatal(&self, error: quick_xml::Error) -> FormatError {
        fatal_error(error, self.line(), self.encoding)
    }

    fn truncated(&self) -> FormatError {
        FormatError::Truncated { line: self.line() }
    }
}

/// A start or self-closing tag: the text between `<` and `>` (without the closing `/`) and the
/// length of its name, as quick-xml gives it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tag<'a> {
    pub(crate) content: &'a str,
    pub(crate) name_len: usize,
}

impl<'a> Tag<'a> {
    pub(crate) fn of(start: &'a BytesStart<'_>) -> Self {
        let content: &'a str = start;
        Tag { content, name_len: start.name().0.len() }
    }

    /// Splits tag text the way quick-xml does: the name ends at the first XML whitespace.
    fn parse(content: &'a str) -> Self {
        let name_len = content.bytes().position(is_xml_space).unwrap_or(content.len());
        Tag { content, name_len }
    }

    pub(crate) fn name(&self) -> &'a str {
        &self.content[..self.name_len]
    }
}

/// The events a record is built from, whichever parser produced them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ev<'a> {
    Start(Tag<'a>),
    Empty(Tag<'a>),
    /// A closing tag's name (trailing whitespace trimmed).
    End(&'a str),
    /// Text or CDATA content.
    Text(&'a str),
    /// The name of an `&name;` reference.
    Ref(&'a str),
}

fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The outcome of [`FastEvents::next`] that is not an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FastStop {
    /// The end of the text, outside any markup.
    End,
    /// Something the fast path leaves to quick-xml (a cut-off tag, a processing instruction, a
    /// DOCTYPE, an unusual `<!`): the caller re-reads the same bytes with quick-xml.
    Unsupported,
}

/// A tokenizer over text that is already known to be UTF-8, giving exactly the events quick-xml
/// gives with [`configure`]'s settings for the common constructs (tags, text, references,
/// CDATA, comments) without its per-event UTF-8 check; anything else stops it so the caller
/// can fall back to quick-xml over the same bytes.
pub(crate) struct FastEvents<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> FastEvents<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        FastEvents { text, pos: 0 }
    }

    /// Bytes consumed so far.
    pub(crate) fn consumed(&self) -> usize {
        self.pos
    }

    /// After a start tag `name`: when plain text (no reference, no `\r`) and then exactly
    /// `</name>` follow, consumes them and returns the text — the events `Text`, `End(name)` in
    /// one step.
    pub(crate) fn leaf_text(&mut self, name: &str) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let rest = &bytes[self.pos..];
        let lt = memchr::memchr3(b'<', b'&', b'\r', rest)?;
        let end = rest[lt..].strip_prefix(b"</")?.strip_prefix(name.as_bytes())?;
        if end.first() != Some(&b'>') {
            return None;
        }
        let text = &self.text[self.pos..self.pos + lt];
        self.pos += lt + 2 + name.len() + 1;
        Some(text)
    }

    /// The next event; comments are skipped.
    pub(crate) fn next(&mut self) -> Result<Ev<'a>, FastStop> {
        let text = self.text;
        let bytes = text.as_bytes();
        loop {
            let pos = self.pos;
            let Some(&first) = bytes.get(pos) else {
                return Err(FastStop::End);
            };
            match first {
                b'<' => match bytes.get(pos + 1) {
                    Some(b'!') => {
                        let rest = &bytes[pos..];
                        if rest.starts_with(b"<![CDATA[") {
                            let Some(end) = memchr::memmem::find(&rest[9..], b"]]>") else {
                                return Err(FastStop::Unsupported);
                            };
                            self.pos = pos + 9 + end + 3;
                            return Ok(Ev::Text(&text[pos + 9..pos + 9 + end]));
                        }
                        if rest.starts_with(b"<!--") {
                            let Some(end) = memchr::memmem::find(&rest[4..], b"-->") else {
                                return Err(FastStop::Unsupported);
                            };
                            self.pos = pos + 4 + end + 3;
                            continue;
                        }
                        return Err(FastStop::Unsupported);
                    }
                    Some(b'?') | None => return Err(FastStop::Unsupported),
                    Some(b'/') => {
                        let end = tag_end(&bytes[pos..]).ok_or(FastStop::Unsupported)?;
                        self.pos = pos + end + 1;
                        let content = &text[pos + 2..pos + end];
                        let trimmed = content.as_bytes().iter().rposition(|b| !is_xml_space(*b));
                        return Ok(Ev::End(trimmed.map_or(content, |last| &content[..=last])));
                    }
                    Some(_) => {
                        let end = tag_end(&bytes[pos..]).ok_or(FastStop::Unsupported)?;
                        self.pos = pos + end + 1;
                        let content = &text[pos + 1..pos + end];
                        return Ok(match content.strip_suffix('/') {
                            Some(content) => Ev::Empty(Tag::parse(content)),
                            None => Ev::Start(Tag::parse(content)),
                        });
                    }
                },
                b'&' => {
                    let after = pos + 1;
                    return Ok(match memchr::memchr3(b';', b'&', b'<', &bytes[after..]) {
                        Some(i) if bytes[after + i] == b';' => {
                            self.pos = after + i + 1;
                            Ev::Ref(&text[after..after + i])
                        }
                        // A lone `&` is text (quick-xml's `allow_dangling_amp`).
                        Some(i) => {
                            self.pos = after + i;
                            Ev::Text(&text[pos..after + i])
                        }
                        None => {
                            self.pos = bytes.len();
                            Ev::Text(&text[pos..])
                        }
                    });
                }
                _ => {
                    let end = memchr::memchr2(b'<', b'&', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
                    self.pos = end;
                    return Ok(Ev::Text(&text[pos..end]));
                }
            }
        }
    }
}

/// Position of the `>` that ends the tag starting at `bytes[0]`, outside quoted values
/// (quick-xml's `ElementParser`). Tags are short: a plain loop beats a vectorised search.
fn tag_end(bytes: &[u8]) -> Option<usize> {
    let mut quote = 0u8;
    for (i, &b) in bytes.iter().enumerate() {
        if quote == 0 {
            match b {
                b'>' => return Some(i),
                b'"' | b'\'' => quote = b,
                _ => {}
            }
        } else if b == quote {
            quote = 0;
        }
    }
    None
}

/// Line where a just-read start tag began (the reader has consumed the whole tag).
pub(crate) fn start_line<R: Read>(
    reader: &quick_xml::Reader<TextReader<Rest<R>>>,
    tag: &BytesStart<'_>,
) -> u64 {
    let inside = memchr::memchr_iter(b'\n', tag.as_ref().as_bytes()).count() as u64;
    reader.get_ref().line().saturating_sub(inside)
}

/// Appends XML text, normalising line ends as XML requires (`\r\n` and `\r` become `\n`).
pub(crate) fn push_text(dst: &mut String, text: &str) {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        dst.push_str(text);
        return;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            dst.push('\n');
        } else {
            dst.push(c);
        }
    }
}

/// Appends the expansion of `&name;`, or the reference itself when it is unknown.
pub(crate) fn push_reference(dst: &mut String, name: &str) {
    match resolve_reference(name) {
        Some(Resolved::Char(c)) => dst.push(c),
        Some(Resolved::Str(s)) => dst.push_str(s),
        None => {
            dst.push('&');
            dst.push_str(name);
            dst.push(';');
        }
    }
}

enum Resolved {
    Char(char),
    Str(&'static str),
}

/// The five XML entities, character references, and HTML entities common in supplier feeds.
fn resolve_reference(name: &str) -> Option<Resolved> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0').map(Resolved::Char);
    }
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "laquo" => '«',
        "raquo" => '»',
        "mdash" => '—',
        "ndash" => '–',
        "minus" => '−',
        "hellip" => return Some(Resolved::Str("…")),
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "plusmn" => '±',
        "times" => '×',
        "middot" => '·',
        "bull" => '•',
        "euro" => '€',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "shy" => '\u{ad}',
        "sup2" => '²',
        "sup3" => '³',
        "frac12" => '½',
        "micro" => 'µ',
        "sect" => '§',
        "numero" => '№',
        _ => return None,
    };
    Some(Resolved::Char(c))
}

/// Unescapes an attribute value leniently: known references resolved, the rest kept as written,
/// whitespace characters turned into spaces as XML attribute normalisation does.
pub(crate) fn push_attribute_value(dst: &mut String, raw: &str) {
    // Most values are short and plain: one pass decides.
    if !raw.bytes().any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r')) {
        dst.push_str(raw);
        return;
    }
    let mut rest = raw;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        push_attr_chars(dst, &rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.as_bytes().iter().take(32).position(|b| *b == b';');
        match semi.and_then(|i| resolve_reference(&after[..i]).map(|r| (i, r))) {
            Some((i, Resolved::Char(c))) => {
                dst.push(c);
                rest = &after[i + 1..];
            }
            Some((i, Resolved::Str(s))) => {
                dst.push_str(s);
                rest = &after[i + 1..];
            }
            None => {
                dst.push('&');
                rest = after;
            }
        }
    }
    push_attr_chars(dst, rest);
}

fn push_attr_chars(dst: &mut String, s: &str) {
    if memchr::memchr3(b'\t', b'\n', b'\r', s.as_bytes()).is_some() {
        dst.extend(s.chars().map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }));
    } else {
        dst.push_str(s);
    }
}

/// Trims XML whitespace (not NBSP, which is content).
pub(crate) fn trim_xml(s: &str) -> &str {
    let bytes = s.as_bytes();
    let Some(start) = bytes.iter().position(|b| !is_xml_space(*b)) else {
        return "";
    };
    let end = bytes.iter().rposition(|b| !is_xml_space(*b)).map_or(start, |i| i + 1);
    // XML whitespace is ASCII, so both ends are character boundaries.
    &s[start..end]
}

/// Names of the open elements outside records, as one string plus offsets.
#[derive(Debug, Default)]
pub(crate) struct NameStack {
    names: String,
    starts: Vec<usize>,
}

impl NameStack {
    pub(crate) fn push(&mut self, name: &str) {
        self.starts.push(self.names.len());
        self.names.push_str(name);
    }

    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    pub(crate) fn get(&self, i: usize) -> &str {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.names.len());
        &self.names[self.starts[i]..end]
    }

    pub(crate) fn last(&self) -> Option<&str> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    /// Closes `name` and anything left open inside it; a closing tag that matches nothing
    /// open is ignored. Returns how many elements were closed.
    pub(crate) fn close(&mut self, name: &str) -> usize {
        let Some(i) = (0..self.len()).rev().find(|&i| self.get(i) == name) else {
            return 0;
        };
        let closed = self.len() - i;
        self.names.truncate(self.starts[i]);
        self.starts.truncate(i);
        closed
    }

    /// Whether the open elements followed by `current` end with `segments`
    /// (or equal them exactly when `anchored`).
    pub(crate) fn matches(&self, segments: &[String], current: &str, anchored: bool) -> bool {
        let Some((last, parents)) = segments.split_last() else {
            return false;
        };
        if last != current || parents.len() > self.len() || (anchored && parents.len() != self.len()) {
            return false;
        }
        let offset = self.len() - parents.len();
        parents.iter().enumerate().all(|(i, p)| p == self.get(offset + i))
    }

    /// The open elements joined with `/`.
    pub(crate) fn path(&self) -> String {
        (0..self.len()).map(|i| self.get(i)).collect::<Vec<_>>().join("/")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    /// The record element itself.
    Root,
    /// A child element: its text becomes a field keyed by its path.
    Field,
    /// A YML `<param>`.
    Param,
    /// A YML `<description>`: markup inside is kept as text (HTML outside CDATA).
    Raw,
}

#[derive(Debug)]
struct Frame {
    kind: FrameKind,
    /// Length of `Collector::path` before this element's name was appended.
    path_before: usize,
    /// Where this element's text starts in `Collector::text`.
    text_start: usize,
    has_children: bool,
    has_attributes: bool,
}

/// Reads one element subtree into a [`Record`]: child elements become fields keyed by their
/// path below the record (`"name"`, `"outlets/outlet"`), attributes become `"@attr"` /
/// `"path@attr"`, text is trimmed when the element closes (never per event, so spaces around
/// entities survive). With `yml` on, direct `<param>` children become params and
/// `<description>` keeps inner markup as text.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    yml: bool,
    root_name: String,
    path: String,
    frames: Vec<Frame>,
    text: String,
    param_name: String,
    /// The unit of the open `<param>`, when `has_unit`.
    param_unit: String,
    has_unit: bool,
    problem: Option<RowProblem>,
}

impl Collector {
    pub(crate) fn new(yml: bool) -> Self {
        Collector { yml, ..Default::default() }
    }

    /// The first problem met in the record, if any.
    pub(crate) fn take_problem(&mut self) -> Option<RowProblem> {
        self.problem.take()
    }

    fn note(&mut self, problem: RowProblem) {
        self.problem.get_or_insert(problem);
    }

    /// Starts a record at its opening (or empty) tag: attributes become `@` fields.
    pub(crate) fn begin(&mut self, start: &BytesStart<'_>, rec: &mut Record) {
        self.begin_tag(Tag::of(start), rec);
    }

    /// [`Collector::begin`] for a tag however it was read.
    pub(crate) fn begin_tag(&mut self, start: Tag<'_>, rec: &mut Record) {
        self.root_name.clear();
        self.root_name.push_str(start.name());
        self.path.clear();
        self.frames.clear();
        self.text.clear();
        self.problem = None;
        let has_attributes = self.push_attributes(start, rec);
        self.frames.push(Frame {
            kind: FrameKind::Root,
            path_before: 0,
            text_start: 0,
            has_children: false,
            has_attributes,
        });
    }

    /// Reads events up to the record's closing tag. `begin` must have been called; call
    /// [`Collector::finish_empty`] instead for a self-closing record element.
    pub(crate) fn run(&mut self, input: &mut impl EventSource, rec: &mut Record) -> Result<(), FormatError> {
        loop {
            let event = match input.next_event() {
                Ok(event) => event,
                Err(quick_xml::Error::IllFormed(e)) => {
                    self.note(RowProblem::BrokenMarkup { reason: e.to_string() });
                    continue;
                }
                Err(e) => return Err(input.fatal(e)),
            };
            let event = match &event {
                Event::Start(e) => Ev::Start(Tag::of(e)),
                Event::Empty(e) => Ev::Empty(Tag::of(e)),
                Event::End(e) => Ev::End(e.name().0),
                Event::Text(t) => Ev::Text(t),
                Event::CData(c) => Ev::Text(c),
                Event::GeneralRef(r) => Ev::Ref(r),
                Event::Eof => return Err(input.truncated()),
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
            };
            if self.handle(event, rec) {
                return Ok(());
            }
        }
    }

    /// Whether a start tag can go through [`Collector::leaf`] (it is not inside a description
    /// and is not one).
    pub(crate) fn takes_leaf(&self, tag: Tag<'_>) -> bool {
        match self.frames.last() {
            None => false,
            Some(top) if top.kind == FrameKind::Raw => false,
            Some(_) => !(self.yml && self.frames.len() == 1 && tag.name() == "description"),
        }
    }

    /// The events `Start(tag)`, `Text(text)`, `End(tag name)` at once, for a child element
    /// that [`Collector::takes_leaf`]; `text` holds no `\r`.
    pub(crate) fn leaf(&mut self, tag: Tag<'_>, text: &str, rec: &mut Record) {
        let name = tag.name();
        let depth = self.frames.len();
        if let Some(parent) = self.frames.last_mut() {
            parent.has_children = true;
        }
        if self.yml && depth == 1 && name == "param" {
            self.read_param_attributes(tag);
            let unit = self.has_unit.then_some(self.param_unit.as_str());
            rec.push_param(&self.param_name, unit, trim_xml(text));
            return;
        }
        let path_before = self.path.len();
        if !self.path.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(name);
        let has_attributes = self.push_attributes(tag, rec);
        let value = trim_xml(text);
        if !value.is_empty() || !has_attributes {
            rec.push_field(&self.path, value);
        }
        self.path.truncate(path_before);
    }

    /// Takes one event of the record; returns true when it closed the record element.
    pub(crate) fn handle(&mut self, event: Ev<'_>, rec: &mut Record) -> bool {
        let raw = self.frames.last().is_some_and(|f| f.kind == FrameKind::Raw);
        match event {
            Ev::Start(tag) if raw => {
                self.text.push('<');
                push_text(&mut self.text, tag.content);
                self.text.push('>');
            }
            Ev::Empty(tag) if raw => {
                self.text.push('<');
                push_text(&mut self.text, tag.content);
                self.text.push_str("/>");
            }
            // Inside a description only its own end (or the record's) closes it.
            Ev::End(name) if raw && name != "description" && name != self.root_name => {
                self.text.push_str("</");
                self.text.push_str(name);
                self.text.push('>');
            }
            Ev::Start(tag) => self.open(tag, rec),
            Ev::Empty(tag) => {
                self.open(tag, rec);
                self.close_top(rec);
            }
            Ev::End(name) => return self.close(name, rec),
            Ev::Text(t) => {
                // Leading whitespace of an element's text is trimmed anyway.
                let leading = self.frames.last().is_none_or(|f| f.text_start == self.text.len());
                if !(leading && t.bytes().all(is_xml_space)) {
                    push_text(&mut self.text, t);
                }
            }
            Ev::Ref(r) => push_reference(&mut self.text, r),
        }
        false
    }

    /// Completes a record whose element was self-closing (`<offer id="1"/>`).
    pub(crate) fn finish_empty(&mut self, rec: &mut Record) {
        self.close_top(rec);
    }

    fn open(&mut self, start: Tag<'_>, rec: &mut Record) {
        let name = start.name();
        let depth = self.frames.len();
        if let Some(parent) = self.frames.last_mut() {
            parent.has_children = true;
        }
        let path_before = self.path.len();
        let kind = match name {
            "param" if self.yml && depth == 1 => {
                self.read_param_attributes(start);
                FrameKind::Param
            }
            "description" if self.yml && depth == 1 => {
                self.path.push_str(name);
                FrameKind::Raw
            }
            _ => {
                if !self.path.is_empty() {
                    self.path.push('/');
                }
                self.path.push_str(name);
                FrameKind::Field
            }
        };
        let has_attributes = kind == FrameKind::Field && self.push_attributes(start, rec);
        self.frames.push(Frame {
            kind,
            path_before,
            text_start: self.text.len(),
            has_children: false,
            has_attributes,
        });
    }

    /// Closes `name`; returns true when it closed the record element.
    fn close(&mut self, name: &str, rec: &mut Record) -> bool {
        let found = (0..self.frames.len()).rev().find(|&i| self.frame_name(i) == name);
        let Some(index) = found else {
            self.note(RowProblem::StrayClosingTag { name: name.to_owned() });
            return false;
        };
        while self.frames.len() > index + 1 {
            let inner = self.frame_name(self.frames.len() - 1).to_owned();
            self.note(RowProblem::UnclosedElement { name: inner });
            self.close_top(rec);
        }
        self.close_top(rec);
        index == 0
    }

    fn frame_name(&self, i: usize) -> &str {
        let frame = &self.frames[i];
        match frame.kind {
            FrameKind::Root => &self.root_name,
            FrameKind::Param => "param",
            FrameKind::Raw | FrameKind::Field => {
                let start = if frame.path_before == 0 { 0 } else { frame.path_before + 1 };
                let end = self.frames.get(i + 1).map_or(self.path.len(), |next| next.path_before);
                self.path.get(start..end).unwrap_or_default()
            }
        }
    }

    fn close_top(&mut self, rec: &mut Record) {
        let Some(frame) = self.frames.pop() else { return };
        let value = trim_xml(&self.text[frame.text_start..]);
        match frame.kind {
            FrameKind::Root => {
                if !value.is_empty() {
                    rec.push_field(&self.root_name, value);
                }
            }
            FrameKind::Param => {
                let unit = self.has_unit.then_some(self.param_unit.as_str());
                rec.push_param(&self.param_name, unit, value);
            }
            FrameKind::Raw | FrameKind::Field => {
                if !value.is_empty() || !(frame.has_children || frame.has_attributes) {
                    rec.push_field(&self.path, value);
                }
            }
        }
        self.text.truncate(frame.text_start);
        self.path.truncate(frame.path_before);
    }

    /// Pushes `path@name` fields; returns whether there were any.
    fn push_attributes(&mut self, start: Tag<'_>, rec: &mut Record) -> bool {
        let mut any = false;
        for attribute in HtmlAttributes::new(start) {
            let Ok((key, value)) = attribute else {
                self.note(RowProblem::BrokenMarkup { reason: attribute_error(start) });
                break;
            };
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            rec.push_field_with(&[&self.path, "@", key], |text| push_attribute_value(text, value));
            any = true;
        }
        any
    }

    fn read_param_attributes(&mut self, start: Tag<'_>) {
        self.param_name.clear();
        self.param_unit.clear();
        self.has_unit = false;
        for attribute in HtmlAttributes::new(start) {
            let Ok((key, value)) = attribute else {
                // What follows a broken attribute is quick-xml's to recover.
                return self.read_param_attributes_slowly(start);
            };
            match key {
                "name" => push_attribute_value(&mut self.param_name, value),
                "unit" => {
                    push_attribute_value(&mut self.param_unit, value);
                    self.has_unit = true;
                }
                _ => {}
            }
        }
    }

    fn read_param_attributes_slowly(&mut self, start: Tag<'_>) {
        self.param_name.clear();
        self.param_unit.clear();
        self.has_unit = false;
        let start = BytesStart::from_content(start.content, start.name_len);
        for attribute in start.html_attributes().with_checks(false).flatten() {
            match attribute.key.as_ref() {
                "name" => push_attribute_value(&mut self.param_name, &attribute.value),
                "unit" => {
                    push_attribute_value(&mut self.param_unit, &attribute.value);
                    self.has_unit = true;
                }
                _ => {}
            }
        }
    }
}

/// quick-xml's message for the first broken attribute of `start`.
fn attribute_error(start: Tag<'_>) -> String {
    let start = BytesStart::from_content(start.content, start.name_len);
    let mut attributes = start.html_attributes();
    attributes.with_checks(false);
    attributes.find_map(Result::err).map_or_else(|| "broken attribute".to_owned(), |e| e.to_string())
}

/// The attributes of a tag read as quick-xml's `html_attributes().with_checks(false)` reads
/// them — `key="v"`, `key='v'`, `key=v`, a bare `key` (empty value) — as (key, raw value); `Err`
/// where quick-xml reports an error (a missing value or closing quote), after which nothing
/// more is read.
struct HtmlAttributes<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> HtmlAttributes<'a> {
    fn new(tag: Tag<'a>) -> Self {
        HtmlAttributes { text: tag.content, pos: tag.name_len }
    }
}

impl<'a> Iterator for HtmlAttributes<'a> {
    type Item = Result<(&'a str, &'a str), ()>;

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.text;
        let bytes = text.as_bytes();
        let len = bytes.len();
        let skip_space = |from: usize| (from..len).find(|&i| !is_xml_space(bytes[i]));
        let Some(key_start) = skip_space(self.pos) else {
            self.pos = len;
            return None;
        };
        // The key's first byte is never its end, even when it is `=`.
        let key_end = (key_start + 1..len).find(|&i| bytes[i] == b'=' || is_xml_space(bytes[i]));
        let eq = match key_end {
            Some(e) if bytes[e] == b'=' => e,
            Some(e) => match skip_space(e) {
                Some(o) if bytes[o] == b'=' => o,
                Some(o) => {
                    self.pos = o;
                    return Some(Ok((&text[key_start..e], "")));
                }
                None => {
                    self.pos = len;
                    return Some(Ok((&text[key_start..e], "")));
                }
            },
            None => {
                self.pos = len;
                return Some(Ok((&text[key_start..], "")));
            }
        };
        let key = &text[key_start..key_end.unwrap_or(len)];
        let Some(value_start) = skip_space(eq + 1) else {
            self.pos = len;
            return Some(Err(()));
        };
        match bytes[value_start] {
            quote @ (b'"' | b'\'') => {
                let Some(close) = memchr::memchr(quote, &bytes[value_start + 1..]) else {
                    self.pos = len;
                    return Some(Err(()));
                };
                let value_end = value_start + 1 + close;
                self.pos = value_end + 1;
                Some(Ok((key, &text[value_start + 1..value_end])))
            }
            _ => {
                let end = (value_start..len).find(|&i| is_xml_space(bytes[i])).unwrap_or(len);
                self.pos = end;
                Some(Ok((key, &text[value_start..end])))
            }
        }
    }
}

/// The value of attribute `key` of a start tag, unescaped.
pub(crate) fn attribute(start: &BytesStart<'_>, key: &str) -> Option<String> {
    let mut attributes = start.html_attributes();
    attributes.with_checks(false);
    attributes.flatten().find(|a| a.key.as_ref() == key).map(|a| {
        let mut value = String::new();
        push_attribute_value(&mut value, &a.value);
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(xml: &str, yml: bool) -> (Record, Option<RowProblem>) {
        let mut input = XmlInput::open(xml.as_bytes(), None).unwrap();
        let mut collector = Collector::new(yml);
        let mut rec = Record::new();
        loop {
            input.buf.clear();
            match input.reader.read_event_into(&mut input.buf).unwrap() {
                Event::Start(e) => {
                    collector.begin(&e, &mut rec);
                    break;
                }
                Event::Empty(e) => {
                    collector.begin(&e, &mut rec);
                    collector.finish_empty(&mut rec);
                    return (rec, collector.take_problem());
                }
                _ => {}
            }
        }
        collector.run(&mut input, &mut rec).unwrap();
        (rec, collector.take_problem())
    }

    #[test]
    fn entities_and_spaces_survive() {
        let (rec, problem) =
            collect("<o><n>  Tom &amp; Jerry &lt;3 &nbsp;x&#x41;&#66;&unknown; </n></o>", false);
        assert_eq!(problem, None);
        assert_eq!(rec.get("n"), Some("Tom & Jerry <3 \u{a0}xAB&unknown;"));
    }

    #[test]
    fn nested_elements_and_attributes() {
        let xml = r#"<offer id="7" available="true"><price from="true"> 10 </price><outlets>
            <outlet id="1" instock="5"/><outlet id="2" instock="0"/></outlets><empty/><e2></e2></offer>"#;
        let (rec, problem) = collect(xml, true);
        assert_eq!(problem, None);
        let pairs = rec.to_pairs();
        let keys: Vec<_> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "@id",
                "@available",
                "price@from",
                "price",
                "outlets/outlet@id",
                "outlets/outlet@instock",
                "outlets/outlet@id",
                "outlets/outlet@instock",
                "empty",
                "e2"
            ]
        );
        assert_eq!(rec.get_all("outlets/outlet@instock").collect::<Vec<_>>(), ["5", "0"]);
        assert_eq!(rec.get("price"), Some("10"));
        assert_eq!(rec.get("empty"), Some(""));
    }

    #[test]
    fn params_and_raw_description() {
        let xml = "<offer><param name=\"Вес\" unit=\"кг\">1.2</param><param name=\"A &amp; B\">x</param>\
                   <description><p>a < b</p><br>text</description></offer>";
        let (rec, problem) = collect(xml, true);
        assert_eq!(problem, None);
        let params: Vec<_> = rec.params().map(|p| (p.name, p.unit, p.value)).collect();
        assert_eq!(params, [("Вес", Some("кг"), "1.2"), ("A & B", None, "x")]);
        assert_eq!(rec.get("description"), Some("<p>a < b</p><br>text"));
    }

    #[test]
    fn broken_markup_is_reported_not_fatal() {
        let (rec, problem) = collect("<offer><name>x</nme><price>1</price></offer>", false);
        assert_eq!(problem, Some(RowProblem::StrayClosingTag { name: "nme".into() }));
        assert_eq!(rec.get("price"), None, "price is inside the unclosed <name>");
        let (_, problem) = collect("<offer><name>x</offer>", false);
        assert_eq!(problem, Some(RowProblem::UnclosedElement { name: "name".into() }));
    }

    #[test]
    fn attributes_read_like_quick_xml() {
        let tags = [
            "a",
            "a ",
            "a x=\"1\"",
            "a x='1' y=\"2\"",
            "a x=\"1\"y='2'",
            "a  x = \"1\" ",
            "a x=1 y",
            "a x y=2",
            "a ==b",
            "a =\"z\"",
            "a x==1",
            "a x=",
            "a x= ",
            "a x=\"open",
            "a x='open",
            "a \"q\"=1",
            "a x=\"a>b\" z",
            "a x=\"1\"\t\ny=\"2\"",
            "a x=\"1\" x=\"2\"",
            "a ключ=\"знач\" é=ü",
            "a x",
            "a x\t",
            "a =",
            "a x=y=z",
        ];
        for content in tags {
            let tag = Tag::parse(content);
            let ours: Vec<_> = HtmlAttributes::new(tag).map(|a| a.map_err(|()| "error")).collect();
            let start = BytesStart::from_content(content, tag.name_len);
            let mut theirs = Vec::new();
            let mut attributes = start.html_attributes();
            attributes.with_checks(false);
            for a in attributes {
                match a {
                    Ok(a) => theirs.push(Ok((a.key.0, a.value.into_owned()))),
                    Err(_) => {
                        theirs.push(Err("error"));
                        break;
                    }
                }
            }
            let theirs: Vec<_> =
                theirs.iter().map(|a| a.as_ref().map(|(k, v)| (*k, v.as_str())).map_err(|e| *e)).collect();
            assert_eq!(ours, theirs, "{content}");
        }
    }

    #[test]
    fn attribute_values() {
        let mut s = String::new();
        push_attribute_value(&mut s, "a&amp;b & c&quot;\td&#1046;&foo;");
        assert_eq!(s, "a&b & c\" dЖ&foo;");
    }

    #[test]
    fn name_stack_paths() {
        let mut st = NameStack::default();
        for n in ["catalog", "items"] {
            st.push(n);
        }
        let segs: Vec<String> = vec!["items".into(), "item".into()];
        assert!(st.matches(&segs, "item", false));
        assert!(!st.matches(&segs, "item", true));
        assert_eq!(st.path(), "catalog/items");
        st.push("x");
        assert_eq!(st.close("items"), 2);
        assert_eq!(st.close("nothing"), 0);
        assert_eq!(st.last(), Some("catalog"));
    }
}
