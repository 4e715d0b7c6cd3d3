//! What the documents' tests share: reading a PDF back with poppler's `pdftotext` and
//! `pdfimages`, a PNG made on the spot, a shop to print.

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex};

use vitrina_formats::write::{FeedCategory, FeedHeader};

/// 2025-06-24 12:00 in Moscow.
pub(crate) const GENERATED_AT_MS: i64 = 1_750_755_600_000;

pub(crate) fn header() -> FeedHeader {
    let category = |id, parent, name: &str| FeedCategory { id, parent, name: name.to_string() };
    FeedHeader {
        shop_name: "ИП Соколова «Бегущий лось»".to_string(),
        currency: "RUB".to_string(),
        generated_at_ms: GENERATED_AT_MS,
        utc_offset_minutes: 180,
        categories: vec![
            category(1, None, "Обувь"),
            category(2, Some(1), "Кроссовки"),
            category(3, Some(1), "Сапоги"),
            category(4, None, "Одежда"),
            category(5, Some(4), "Куртки"),
        ],
        ..FeedHeader::default()
    }
}

/// Runs a poppler tool on `pdf` and returns what it printed.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new(tool).args(args).arg(&path).arg("-").output().unwrap_or_else(|e| {
        panic!("could not run {tool} ({e}): apt install poppler-utils (scripts/test installs it)")
    });
    assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The PDF's text as `pdftotext -layout` reads it, with the no-break and thin spaces made plain
/// spaces.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout", "-enc", "UTF-8"], pdf).replace(['\u{a0}', '\u{202f}', '\u{2009}'], " ")
}

/// The images `pdfimages -list` finds, one line each (the two heading lines dropped).
pub(crate) fn pdf_images(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdfimages").arg("-list").arg(&path).output().unwrap_or_else(|e| {
        panic!("could not run pdfimages ({e}): apt install poppler-utils (scripts/test installs it)")
    });
    assert!(output.status.success(), "pdfimages failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().skip(2).map(str::to_string).collect()
}

/// An RGB PNG of `width` × `height` pixels, a gradient so it is not all one colour.
pub(crate) fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..width * height)
        .flat_map(|i| [(i % width * 255 / width) as u8, (i / width * 255 / height) as u8, 128])
        .collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    bytes
}

/// An [`Output`](vitrina_formats::write::Output) whose bytes the test keeps a handle on.
#[derive(Debug, Clone, Default)]
pub(crate) struct SharedBuf(pub(crate) Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    pub(crate) fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
