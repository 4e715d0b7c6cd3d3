//! Text encodings: detection (byte-order mark, XML declaration, a look at the first bytes) and a
//! streaming transcoder to UTF-8 that also counts lines.
//!
//! Suppliers' files come in UTF-8 (with or without BOM), windows-1251 (1C, Bitrix, old exports),
//! sometimes UTF-16 (Excel's "Unicode text"), and labels lie: a feed declared UTF-8 may be
//! windows-1251 and the reverse. The bytes win over the label; the decision and its reason are
//! reported in [`DetectedEncoding`] so the UI can show it and let the seller override it.

use std::fmt;
use std::io::{self, BufRead, Read};

/// How many bytes are sampled to decide between UTF-8 and windows-1251.
pub(crate) const SAMPLE_LEN: usize = 256 * 1024;
const BUF_LEN: usize = 64 * 1024;

/// A text encoding supported by the readers.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Encoding(&'static encoding_rs::Encoding);

impl Encoding {
    /// UTF-8.
    pub const UTF_8: Encoding = Encoding(encoding_rs::UTF_8);
    /// windows-1251 (Cyrillic).
    pub const WINDOWS_1251: Encoding = Encoding(encoding_rs::WINDOWS_1251);
    /// KOI8-R.
    pub const KOI8_R: Encoding = Encoding(encoding_rs::KOI8_R);
    /// IBM866 (DOS Cyrillic).
    pub const IBM866: Encoding = Encoding(encoding_rs::IBM866);
    /// UTF-16, little endian.
    pub const UTF_16LE: Encoding = Encoding(encoding_rs::UTF_16LE);
    /// UTF-16, big endian.
    pub const UTF_16BE: Encoding = Encoding(encoding_rs::UTF_16BE);

    /// Looks an encoding up by any of its usual labels ("cp1251", "Windows-1251", "utf8").
    pub fn for_label(label: &str) -> Option<Encoding> {
        encoding_rs::Encoding::for_label(label.trim().as_bytes()).map(Encoding)
    }

    /// Canonical name ("UTF-8", "windows-1251").
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub(crate) fn is_utf8(self) -> bool {
        self.0 == encoding_rs::UTF_8
    }

    /// A single-byte, ASCII-compatible encoding (windows-1251, KOI8-R...): delimiters and
    /// markup bytes can be found without decoding.
    pub(crate) fn is_single_byte(self) -> bool {
        self.0.is_single_byte()
    }

    /// A decoder that can be fed piece by piece (single-byte encodings keep no state).
    pub(crate) fn decoder(self) -> encoding_rs::Decoder {
        self.0.new_decoder_without_bom_handling()
    }

    /// The byte → character table of a single-byte encoding, for decoding many short pieces
    /// (CSV fields) without per-call overhead.
    pub(crate) fn byte_table(self) -> Option<ByteTable> {
        if !self.is_single_byte() {
            return None;
        }
        let mut extra = [0u8; 256];
        for (byte, slot) in (0u8..=255).zip(extra.iter_mut()) {
            let bytes = [byte];
            let (decoded, _) = self.0.decode_without_bom_handling(&bytes);
            *slot = u8::try_from(decoded.len().saturating_sub(1)).unwrap_or(u8::MAX);
        }
        Some(ByteTable { encoding: self.0, extra })
    }

    fn is_utf16(self) -> bool {
        self.0 == encoding_rs::UTF_16LE || self.0 == encoding_rs::UTF_16BE
    }

    /// Decodes a short byte string (never fails: bad bytes become U+FFFD).
    pub(crate) fn decode_lossy(self, bytes: &[u8]) -> String {
        self.0.decode_without_bom_handling(bytes).0.into_owned()
    }
}

impl fmt::Debug for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A single-byte encoding's characters, for decoding a CSV row at once and finding where its
/// fields went.
#[derive(Clone)]
pub(crate) struct ByteTable {
    encoding: &'static encoding_rs::Encoding,
    /// UTF-8 length of each byte's character, less one.
    extra: [u8; 256],
}

impl ByteTable {
    /// Appends the text of `raw` to `out` (encoding_rs, vectorised over ASCII runs).
    pub(crate) fn decode_into(&self, raw: &[u8], out: &mut String) {
        let mut decoder = self.encoding.new_decoder_without_bom_handling();
        let mut src = raw;
        loop {
            out.reserve(decoder.max_utf8_buffer_length(src.len()).unwrap_or(src.len() * 3));
            let (result, read, _) = decoder.decode_to_string(src, out, true);
            src = &src[read..];
            if result == encoding_rs::CoderResult::InputEmpty {
                return;
            }
        }
    }

    /// Length in UTF-8 of the text of `raw`.
    pub(crate) fn decoded_len(&self, raw: &[u8]) -> usize {
        raw.len() + raw.iter().map(|&b| usize::from(self.extra[usize::from(b)])).sum::<usize>()
    }
}

/// Why this encoding was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// The caller chose it.
    Forced,
    /// A byte-order mark at the start of the file.
    ByteOrderMark,
    /// The XML declaration, confirmed by the bytes.
    Declared,
    /// Decided from the bytes (no label, or the label contradicted the bytes).
    Guessed,
}

/// The encoding a file is read with, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedEncoding {
    /// The encoding used.
    pub encoding: Encoding,
    /// Whether the file starts with a byte-order mark (it is skipped).
    pub bom: bool,
    /// How it was decided.
    pub source: EncodingSource,
    /// What the file's declaration said, when it said something.
    pub declared: Option<String>,
}

impl DetectedEncoding {
    /// True when the file declared an encoding and the bytes showed another one.
    pub fn contradicts_declaration(&self) -> bool {
        match &self.declared {
            Some(label) => Encoding::for_label(label) != Some(self.encoding),
            None => false,
        }
    }

    fn new(encoding: Encoding, bom: bool, source: EncodingSource, declared: Option<&str>) -> Self {
        Self { encoding, bom, source, declared: declared.map(str::to_owned) }
    }

    pub(crate) fn bom_len(&self) -> usize {
        match (self.bom, self.encoding.is_utf8()) {
            (false, _) => 0,
            (true, true) => 3,
            (true, false) => 2,
        }
    }
}

/// Decides the encoding of a file from its first bytes.
///
/// `declared` is the label of an XML declaration, if any; `forced` is the seller's choice.
pub(crate) fn detect(head: &[u8], declared: Option<&str>, forced: Option<Encoding>) -> DetectedEncoding {
    let bom = bom_of(head);
    if let Some(forced) = forced {
        let bom = bom == Some(forced);
        return DetectedEncoding::new(forced, bom, EncodingSource::Forced, declared);
    }
    if let Some(enc) = bom {
        return DetectedEncoding::new(enc, true, EncodingSource::ByteOrderMark, declared);
    }
    if let Some(enc) = utf16_without_bom(head) {
        return DetectedEncoding::new(enc, false, EncodingSource::Guessed, declared);
    }
    let sample = &head[..head.len().min(SAMPLE_LEN)];
    let (valid_utf8, has_non_ascii) = utf8_sample(sample);
    let label = declared.and_then(Encoding::for_label).filter(|e| !e.is_utf16());
    let guessed = if valid_utf8 { Encoding::UTF_8 } else { Encoding::WINDOWS_1251 };
    match label {
        // The label agrees with the bytes, or the bytes cannot tell (pure ASCII).
        Some(l) if l == guessed || (!has_non_ascii && valid_utf8) => {
            DetectedEncoding::new(l, false, EncodingSource::Declared, declared)
        }
        // A single-byte label on bytes that are not UTF-8: trust the label (KOI8-R, IBM866...).
        Some(l) if !l.is_utf8() && !valid_utf8 => {
            DetectedEncoding::new(l, false, EncodingSource::Declared, declared)
        }
        _ => DetectedEncoding::new(guessed, false, EncodingSource::Guessed, declared),
    }
}

fn bom_of(head: &[u8]) -> Option<Encoding> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some(Encoding::UTF_8)
    } else if head.starts_with(&[0xFF, 0xFE]) {
        Some(Encoding::UTF_16LE)
    } else if head.starts_with(&[0xFE, 0xFF]) {
        Some(Encoding::UTF_16BE)
    } else {
        None
    }
}

/// UTF-16 text without a BOM shows up as ASCII letters interleaved with zero bytes.
fn utf16_without_bom(head: &[u8]) -> Option<Encoding> {
    let pairs: Vec<_> = head.chunks_exact(2).take(16).collect();
    if pairs.len() < 2 {
        return None;
    }
    if pairs.iter().all(|p| p[0] != 0 && p[1] == 0) {
        Some(Encoding::UTF_16LE)
    } else if pairs.iter().all(|p| p[0] == 0 && p[1] != 0) {
        Some(Encoding::UTF_16BE)
    } else {
        None
    }
}

/// (valid UTF-8 apart from a sequence cut at the end of the sample, contains non-ASCII bytes)
fn utf8_sample(sample: &[u8]) -> (bool, bool) {
    let non_ascii = !sample.is_ascii();
    match std::str::from_utf8(sample) {
        Ok(_) => (true, non_ascii),
        Err(e) => (e.error_len().is_none() && sample.len() - e.valid_up_to() < 4, non_ascii),
    }
}

/// The `encoding="..."` label of an XML declaration at the start of `head`, if any.
/// Works on ASCII-compatible bytes (the label itself is ASCII).
pub(crate) fn xml_declared_encoding(head: &[u8]) -> Option<String> {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = memchr::memmem::find(&head[..head.len().min(512)], b"?>")?;
    let decl = &head[..end];
    let at = memchr::memmem::find(decl, b"encoding")?;
    let rest = &decl[at + b"encoding".len()..];
    let rest = rest.trim_ascii_start().strip_prefix(b"=")?.trim_ascii_start();
    let quote = *rest.first().filter(|q| **q == b'"' || **q == b'\'')?;
    let value = &rest[1..];
    let close = value.iter().position(|b| *b == quote)?;
    Some(String::from_utf8_lossy(&value[..close]).into_owned())
}

/// Reads up to `limit` bytes from the start of `reader` (fewer at end of file).
pub(crate) fn read_head<R: Read>(reader: &mut R, limit: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(limit.min(BUF_LEN));
    reader.take(limit as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// A `BufRead` of UTF-8 text over any supported encoding, counting the lines it hands out.
///
/// UTF-8 input passes through untouched (the parsers validate it); other encodings are
/// transcoded chunk by chunk, so memory stays flat.
pub(crate) struct TextReader<R> {
    inner: R,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    raw_pos: usize,
    raw_end: usize,
    inner_eof: bool,
    decoder_done: bool,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Line ends before `counted` in `buf` (and in earlier buffers); counting is lazy so that it
    /// runs over large spans instead of every small `consume`.
    newlines: std::cell::Cell<u64>,
    counted: std::cell::Cell<usize>,
}

/// The head already read for sniffing, followed by the rest of the file.
pub(crate) type Rest<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

impl<R: Read> TextReader<Rest<R>> {
    /// Wraps `head` + `rest`, skipping the BOM that `detected` found.
    pub(crate) fn new(head: Vec<u8>, rest: R, detected: &DetectedEncoding) -> Self {
        Self::with_decoding(head, rest, detected, true)
    }

    /// Like `new`, but hands out the bytes undecoded when the encoding is single-byte: the
    /// caller decodes the pieces it keeps (the CSV reader decodes fields).
    pub(crate) fn undecoded(head: Vec<u8>, rest: R, detected: &DetectedEncoding) -> Self {
        Self::with_decoding(head, rest, detected, !detected.encoding.is_single_byte())
    }

    fn with_decoding(mut head: Vec<u8>, rest: R, detected: &DetectedEncoding, decode: bool) -> Self {
        head.drain(..detected.bom_len().min(head.len()));
        let inner = io::Cursor::new(head).chain(rest);
        let decoder = (decode && !detected.encoding.is_utf8()).then(|| detected.encoding.decoder());
        TextReader {
            inner,
            raw: if decoder.is_some() { vec![0; BUF_LEN] } else { Vec::new() },
            decoder,
            raw_pos: 0,
            raw_end: 0,
            inner_eof: false,
            decoder_done: false,
            buf: vec![0; BUF_LEN],
            pos: 0,
            end: 0,
            newlines: std::cell::Cell::new(0),
            counted: std::cell::Cell::new(0),
        }
    }
}

impl<R> TextReader<R> {
    /// 1-based line of the next byte to be handed out.
    pub(crate) fn line(&self) -> u64 {
        self.count_up_to(self.pos);
        self.newlines.get() + 1
    }

    fn count_up_to(&self, pos: usize) {
        let from = self.counted.get();
        if pos > from {
            let n = memchr::memchr_iter(b'\n', &self.buf[from..pos]).count() as u64;
            self.newlines.set(self.newlines.get() + n);
            self.counted.set(pos);
        }
    }

    /// Puts `bytes`, which start on line `line`, back in front of the unread data.
    pub(crate) fn unread(&mut self, bytes: &[u8], line: u64) {
        self.newlines.set(line.saturating_sub(1));
        let mut buf = Vec::with_capacity((bytes.len() + self.end - self.pos).max(BUF_LEN));
        buf.extend_from_slice(bytes);
        buf.extend_from_slice(&self.buf[self.pos..self.end]);
        self.end = buf.len();
        buf.resize(buf.len().max(BUF_LEN), 0);
        self.buf = buf;
        self.pos = 0;
        self.counted.set(0);
    }
}

impl<R: Read> TextReader<R> {
    /// Appends up to `max` bytes of text to `out`; returns how many (0 at the end). UTF-8 input
    /// is read straight from the source into `out`, without passing through the buffer.
    pub(crate) fn append_to(&mut self, out: &mut Vec<u8>, max: usize) -> io::Result<usize> {
        if self.pos == self.end && self.decoder.is_none() {
            self.count_up_to(self.pos);
            // Lines of these bytes are the caller's to count (see `unread`).
            return (&mut self.inner).take(max as u64).read_to_end(out);
        }
        let available = self.fill_buf()?;
        let n = available.len().min(max);
        out.extend_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }

    fn refill(&mut self) -> io::Result<()> {
        self.count_up_to(self.pos);
        self.counted.set(0);
        self.pos = 0;
        self.end = 0;
        let Some(decoder) = self.decoder.as_mut() else {
            self.end = read_retrying(&mut self.inner, &mut self.buf)?;
            return Ok(());
        };
        while self.end == 0 && !self.decoder_done {
            if self.raw_pos == self.raw_end && !self.inner_eof {
                self.raw_pos = 0;
                self.raw_end = read_retrying(&mut self.inner, &mut self.raw)?;
                self.inner_eof = self.raw_end == 0;
            }
            let src = &self.raw[self.raw_pos..self.raw_end];
            let (result, read, written, _) = decoder.decode_to_utf8(src, &mut self.buf, self.inner_eof);
            self.raw_pos += read;
            self.end = written;
            if self.inner_eof && result == encoding_rs::CoderResult::InputEmpty {
                self.decoder_done = true;
            }
        }
        Ok(())
    }
}

fn read_retrying<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

impl<R: Read> Read for TextReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for TextReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.refill()?;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt.min(self.end - self.pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp1251(s: &str) -> Vec<u8> {
        encoding_rs::WINDOWS_1251.encode(s).0.into_owned()
    }

    #[test]
    fn bytes_beat_labels() {
        let utf8 = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>Привет</a>".as_bytes();
        let d = detect(utf8, xml_declared_encoding(utf8).as_deref(), None);
        assert_eq!((d.encoding, d.source), (Encoding::UTF_8, EncodingSource::Guessed));
        assert!(d.contradicts_declaration());

        let win = cp1251("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>Привет</a>");
        let d = detect(&win, xml_declared_encoding(&win).as_deref(), None);
        assert_eq!(d.encoding, Encoding::WINDOWS_1251);

        let win = cp1251("<?xml version='1.0' encoding='windows-1251'?><a>Привет</a>");
        let d = detect(&win, xml_declared_encoding(&win).as_deref(), None);
        assert_eq!((d.encoding, d.source), (Encoding::WINDOWS_1251, EncodingSource::Declared));
        assert!(!d.contradicts_declaration());

        let ascii = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>Hi</a>";
        assert_eq!(detect(ascii, Some("windows-1251"), None).encoding, Encoding::WINDOWS_1251);
    }

    #[test]
    fn boms_and_utf16() {
        let d = detect(b"\xEF\xBB\xBFa;b", None, None);
        assert_eq!((d.encoding, d.bom, d.bom_len()), (Encoding::UTF_8, true, 3));
        assert_eq!(detect(b"\xFF\xFEa\0;\0", None, None).encoding, Encoding::UTF_16LE);
        assert_eq!(detect(b"a\0;\0b\0", None, None).encoding, Encoding::UTF_16LE);
        assert_eq!(detect("а;б".as_bytes(), None, Some(Encoding::KOI8_R)).encoding, Encoding::KOI8_R);
    }

    #[test]
    fn utf8_cut_at_sample_end_is_still_utf8() {
        let mut s = "ж".repeat(10).into_bytes();
        s.pop();
        assert_eq!(utf8_sample(&s), (true, true));
        assert_eq!(utf8_sample(&cp1251("жжж")), (false, true));
    }

    #[test]
    fn byte_table_matches_encoding_rs() {
        let all: Vec<u8> = (0..=255).collect();
        for encoding in [Encoding::WINDOWS_1251, Encoding::KOI8_R, Encoding::IBM866] {
            let mut out = String::new();
            encoding.byte_table().unwrap().decode_into(&all, &mut out);
            assert_eq!(out, encoding.decode_lossy(&all), "{encoding}");
        }
        assert!(Encoding::UTF_8.byte_table().is_none());
    }

    #[test]
    fn byte_table_knows_decoded_lengths() {
        let all: Vec<u8> = (0..=255).collect();
        for encoding in [
            Encoding::WINDOWS_1251,
            Encoding::KOI8_R,
            Encoding::IBM866,
            Encoding::for_label("x-user-defined").unwrap(),
        ] {
            let table = encoding.byte_table().unwrap();
            let mut out = String::new();
            table.decode_into(&all, &mut out);
            let mut one = String::new();
            for byte in &all {
                one.clear();
                table.decode_into(std::slice::from_ref(byte), &mut one);
                assert_eq!(one.len(), table.decoded_len(&[*byte]), "{encoding} {byte:#x}");
            }
            assert_eq!(out.len(), table.decoded_len(&all));
        }
        assert!(Encoding::UTF_8.byte_table().is_none());
    }

    #[test]
    fn declaration_label() {
        assert_eq!(xml_declared_encoding(b"<?xml version=\"1.0\" encoding = 'cp1251' ?>").unwrap(), "cp1251");
        assert_eq!(xml_declared_encoding(b"<?xml version=\"1.0\"?><a/>"), None);
        assert_eq!(xml_declared_encoding(b"<a/>"), None);
    }

    #[test]
    fn transcodes_and_counts_lines() {
        let bytes = cp1251("строка 1\nстрока 2\r\nстрока 3");
        let d = detect(&bytes, None, None);
        let mut r = TextReader::new(bytes[..4].to_vec(), &bytes[4..], &d);
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "строка 1\nстрока 2\r\nстрока 3");
        assert_eq!(r.line(), 3);

        let bytes = b"\xEF\xBB\xBFa\nb";
        let d = detect(bytes, None, None);
        let mut r = TextReader::new(bytes.to_vec(), io::empty(), &d);
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "a\nb");
    }
}
