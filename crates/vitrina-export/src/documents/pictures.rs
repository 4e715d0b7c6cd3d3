//! Product pictures from local files, checked before they go into a document: the file is read,
//! recognised by its first bytes (not its name) as PNG or JPEG and decoded once in full. A file
//! that is missing, unreadable, of another kind, too large or broken is left out with a warning
//! in the log; a spec sheet without a picture is still a spec sheet.

use std::io::Cursor;
use std::path::Path;

use krilla::image::Image;

/// Pictures with more pixels than this are left out: decoding one takes hundreds of megabytes,
/// and a document prints it a few centimetres wide.
const MAX_PIXELS: u64 = 40_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Png,
    Jpeg,
}

/// A picture that decodes, with its size in pixels.
pub(crate) struct Picture {
    bytes: Vec<u8>,
    kind: Kind,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Picture")
            .field("kind", &self.kind)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Picture {
    /// The picture at `path`, or `None` (and a warning) if it cannot go into a document.
    pub(crate) fn load(path: &Path) -> Option<Picture> {
        let picture = std::fs::read(path).map_err(|e| e.to_string()).and_then(Picture::from_bytes);
        match picture {
            Ok(picture) => Some(picture),
            Err(reason) => {
                tracing::warn!(path = %path.display(), %reason, "picture left out of the document");
                None
            }
        }
    }

    fn from_bytes(bytes: Vec<u8>) -> Result<Picture, String> {
        let (kind, (width, height)) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            (Kind::Png, check_png(&bytes)?)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            (Kind::Jpeg, check_jpeg(&bytes)?)
        } else {
            return Err("not a PNG or JPEG file".to_string());
        };
        if width == 0 || height == 0 {
            return Err("the picture is empty".to_string());
        }
        Ok(Picture { bytes, kind, width, height })
    }

    /// The picture as krilla embeds it: a JPEG as it is, a PNG's pixels deflated.
    pub(crate) fn into_image(self) -> Result<Image, String> {
        match self.kind {
            Kind::Png => Image::from_png(self.bytes.into(), true),
            Kind::Jpeg => Image::from_jpeg(self.bytes.into(), true),
        }
    }
}

fn too_large(width: u64, height: u64) -> Result<(), String> {
    if width * height > MAX_PIXELS {
        return Err(format!("{width}×{height} pixels is more than a document takes"));
    }
    Ok(())
}

fn check_png(bytes: &[u8]) -> Result<(u32, u32), String> {
    let broken = |e: png::DecodingError| format!("broken PNG: {e}");
    let mut reader = png::Decoder::new(Cursor::new(bytes)).read_info().map_err(broken)?;
    let (width, height) = (reader.info().width, reader.info().height);
    too_large(u64::from(width), u64::from(height))?;
    let size = reader.output_buffer_size().ok_or("the PNG is too large")?;
    let mut pixels = vec![0; size];
    reader.next_frame(&mut pixels).map_err(broken)?;
    Ok((width, height))
}

fn check_jpeg(bytes: &[u8]) -> Result<(u32, u32), String> {
    let broken = |e: zune_jpeg::errors::DecodeErrors| format!("broken JPEG: {e}");
    let mut decoder = zune_jpeg::JpegDecoder::new(Cursor::new(bytes));
    decoder.decode_headers().map_err(broken)?;
    let (width, height) = decoder.dimensions().ok_or("broken JPEG: no size")?;
    too_large(width as u64, height as u64)?;
    decoder.decode().map_err(broken)?;
    Ok((u32::try_from(width).map_err(|e| e.to_string())?, u32::try_from(height).map_err(|e| e.to_string())?))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::png_bytes;
    use super::*;

    #[test]
    fn a_png_is_recognised_by_its_bytes_and_measured() {
        let picture = Picture::from_bytes(png_bytes(30, 20)).unwrap();
        assert_eq!((picture.kind, picture.width, picture.height), (Kind::Png, 30, 20));
        assert!(picture.into_image().is_ok());
    }

    #[test]
    fn files_that_are_not_pictures_or_are_broken_are_refused_with_a_reason() {
        let mut cut = png_bytes(30, 20);
        cut.truncate(cut.len() - 20);
        let cases: [(&str, Vec<u8>, &str); 4] = [
            ("text", b"<html>not a picture</html>".to_vec(), "not a PNG or JPEG"),
            ("cut PNG", cut, "broken PNG"),
            ("JPEG header only", vec![0xff, 0xd8, 0xff, 0xe0, 0, 16, b'J', b'F'], "broken JPEG"),
            ("empty", Vec::new(), "not a PNG or JPEG"),
        ];
        for (what, bytes, reason) in cases {
            let err = Picture::from_bytes(bytes).unwrap_err();
            assert!(err.contains(reason), "{what}: {err}");
        }
    }

    #[test]
    fn pictures_past_forty_megapixels_are_refused() {
        assert!(too_large(6000, 6000).is_ok());
        assert!(too_large(8000, 6000).unwrap_err().contains("8000×6000"));
    }

    #[test]
    fn a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Picture::load(&dir.path().join("нет.png")).is_none());
    }
}
