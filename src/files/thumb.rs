//! Thumbs: parsing `WxH[t|b|f]`, resizing like PocketBase's imaging calls (fill/crop by anchor, fit,
//! aspect-preserving resize; linear filter) and encoding in the source's format or PNG.

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageDecoder, ImageReader, RgbaImage};
use std::fmt;
use std::io::Cursor;

/// The sizes every file field allows.
pub const DEFAULT_THUMBS: [&str; 1] = ["100x100"];

/// Stored content types that get thumbs.
pub const THUMB_SOURCE_TYPES: [&str; 5] = [
    "image/png",
    "image/jpg",
    "image/jpeg",
    "image/gif",
    "image/webp",
];

/// The largest side a thumb may ask for (larger sizes serve the original).
const MAX_SIDE: u32 = 8192;

/// How the image is fitted into the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThumbMode {
    /// Fill the box, crop from the center (`WxH`).
    Center,
    /// Fill, crop anchored at the top (`WxHt`).
    Top,
    /// Fill, crop anchored at the bottom (`WxHb`).
    Bottom,
    /// Fit inside the box, keep the aspect ratio (`WxHf`).
    Fit,
}

/// A parsed thumb size; a zero side keeps the aspect ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThumbSize {
    pub width: u32,
    pub height: u32,
    pub mode: ThumbMode,
}

impl ThumbSize {
    /// Parses `^(\d+)x(\d+)(t|b|f)?$` and the aliases of [`canonical_thumb`]; `None` for anything
    /// else and for `0x0*`.
    pub fn parse(s: &str) -> Option<ThumbSize> {
        let canonical = crate::model::field::canonical_thumb(s);
        let s = canonical.as_str();
        let (body, mode) = match s.as_bytes().last()? {
            b't' => (&s[..s.len() - 1], ThumbMode::Top),
            b'b' => (&s[..s.len() - 1], ThumbMode::Bottom),
            b'f' => (&s[..s.len() - 1], ThumbMode::Fit),
            _ => (s, ThumbMode::Center),
        };
        let (w, h) = body.split_once('x')?;
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(w) || !digits(h) {
            return None;
        }
        let width: u32 = w.parse().ok()?;
        let height: u32 = h.parse().ok()?;
        if width == 0 && height == 0 {
            return None;
        }
        Some(ThumbSize {
            width,
            height,
            mode,
        })
    }
}

impl fmt::Display for ThumbSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suffix = match self.mode {
            ThumbMode::Center => "",
            ThumbMode::Top => "t",
            ThumbMode::Bottom => "b",
            ThumbMode::Fit => "f",
        };
        write!(f, "{}x{}{suffix}", self.width, self.height)
    }
}

/// Resizes to `w`×`h`; a zero side follows the aspect ratio (at least 1px).
fn resize(img: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    let (sw, sh) = img.dimensions();
    let (mut w, mut h) = (w, h);
    if w == 0 {
        w = ((h as f64 * sw as f64 / sh as f64) + 0.5).floor().max(1.0) as u32;
    }
    if h == 0 {
        h = ((w as f64 * sh as f64 / sw as f64) + 0.5).floor().max(1.0) as u32;
    }
    if (w, h) == (sw, sh) {
        return img.clone();
    }
    imageops::resize(img, w, h, FilterType::Triangle)
}

/// Crops a `w`×`h` area, horizontally centered, vertically by `mode`.
fn crop_anchor(img: &RgbaImage, w: u32, h: u32, mode: ThumbMode) -> RgbaImage {
    let (sw, sh) = img.dimensions();
    let x = (sw as i64 - w as i64) / 2;
    let y = match mode {
        ThumbMode::Top => 0,
        ThumbMode::Bottom => sh as i64 - h as i64,
        _ => (sh as i64 - h as i64) / 2,
    };
    // intersect with the image bounds
    let x0 = x.clamp(0, sw as i64) as u32;
    let y0 = y.clamp(0, sh as i64) as u32;
    let x1 = (x + w as i64).clamp(0, sw as i64) as u32;
    let y1 = (y + h as i64).clamp(0, sh as i64) as u32;
    imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0).to_image()
}

fn fill(img: &RgbaImage, w: u32, h: u32, mode: ThumbMode) -> RgbaImage {
    let (sw, sh) = img.dimensions();
    if (sw, sh) == (w, h) {
        return img.clone();
    }
    let src_ratio = sw as f64 / sh as f64;
    let dst_ratio = w as f64 / h as f64;
    if sw >= 100 && sh >= 100 {
        // crop to the target aspect ratio first, then scale
        let cropped = if src_ratio < dst_ratio {
            let crop_h = sw as f64 * h as f64 / w as f64;
            crop_anchor(img, sw, (crop_h.max(1.0) + 0.5) as u32, mode)
        } else {
            let crop_w = sh as f64 * w as f64 / h as f64;
            crop_anchor(img, (crop_w.max(1.0) + 0.5) as u32, sh, mode)
        };
        return resize(&cropped, w, h);
    }
    let scaled = if src_ratio < dst_ratio {
        resize(img, w, 0)
    } else {
        resize(img, 0, h)
    };
    crop_anchor(&scaled, w, h, mode)
}

fn fit(img: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    let (sw, sh) = img.dimensions();
    if sw <= w && sh <= h {
        return img.clone();
    }
    let src_ratio = sw as f64 / sh as f64;
    let max_ratio = w as f64 / h as f64;
    if src_ratio > max_ratio {
        resize(img, w, (w as f64 / src_ratio) as u32)
    } else {
        resize(img, (h as f64 * src_ratio) as u32, h)
    }
}

/// Applies a thumb size to a decoded image.
pub fn transform(img: &RgbaImage, size: &ThumbSize) -> RgbaImage {
    if img.width() == 0 || img.height() == 0 {
        return img.clone();
    }
    if size.width == 0 || size.height == 0 {
        return resize(img, size.width, size.height);
    }
    match size.mode {
        ThumbMode::Fit => fit(img, size.width, size.height),
        mode => fill(img, size.width, size.height, mode),
    }
}

/// Decodes the first frame with EXIF auto-orientation.
fn decode(source: &[u8]) -> Result<RgbaImage, String> {
    let reader = ImageReader::new(Cursor::new(source))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let orientation = decoder.orientation().map_err(|e| e.to_string())?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    img.apply_orientation(orientation);
    Ok(img.to_rgba8())
}

/// Encodes like the source type (JPEG, GIF, TIFF, BMP) or as PNG; returns the bytes and their type.
fn encode(img: RgbaImage, source_type: &str) -> Result<(Vec<u8>, &'static str), String> {
    let mut out = Cursor::new(Vec::new());
    let opaque = img.pixels().all(|p| p.0[3] == 255);
    let err = |e: image::ImageError| e.to_string();
    let kind = match source_type {
        "image/jpeg" => {
            let rgb = DynamicImage::ImageRgba8(img).to_rgb8();
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75);
            rgb.write_with_encoder(enc).map_err(err)?;
            "image/jpeg"
        }
        "image/gif" => {
            let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
            enc.encode_frame(image::Frame::new(img)).map_err(err)?;
            drop(enc);
            "image/gif"
        }
        "image/tiff" => {
            img.write_to(&mut out, image::ImageFormat::Tiff)
                .map_err(err)?;
            "image/tiff"
        }
        "image/bmp" => {
            img.write_to(&mut out, image::ImageFormat::Bmp)
                .map_err(err)?;
            "image/bmp"
        }
        _ => {
            if opaque {
                DynamicImage::ImageRgba8(img)
                    .to_rgb8()
                    .write_to(&mut out, image::ImageFormat::Png)
                    .map_err(err)?;
            } else {
                img.write_to(&mut out, image::ImageFormat::Png)
                    .map_err(err)?;
            }
            "image/png"
        }
    };
    Ok((out.into_inner(), kind))
}

/// Builds a thumb from the original bytes (blocking: run it off the async runtime).
pub fn make_thumb(
    source: &[u8],
    source_type: &str,
    size: &ThumbSize,
) -> Result<(Vec<u8>, &'static str), String> {
    if size.width > MAX_SIDE || size.height > MAX_SIDE {
        return Err(format!("thumb size {size} is too large"));
    }
    let img = decode(source)?;
    encode(transform(&img, size), source_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        for ok in [
            "100x100", "0x30", "40x0", "60x30t", "60x30b", "60x30f", "1x0f",
        ] {
            let s = ThumbSize::parse(ok).unwrap_or_else(|| panic!("{ok}"));
            assert_eq!(s.to_string(), ok);
        }
        for (alias, canonical) in [
            ("100x100!", "100x100"),
            ("100x", "100x0"),
            ("x100", "0x100"),
        ] {
            assert_eq!(ThumbSize::parse(alias).unwrap().to_string(), canonical);
        }
        for bad in [
            "",
            "0x0",
            "0x0t",
            "0x0b",
            "0x0f",
            "abc",
            "x",
            "0x",
            "x0",
            "100x100t!",
            "10x10x",
            "-1x5",
            "10 x10",
            "99999999999x1",
        ] {
            assert!(ThumbSize::parse(bad).is_none(), "{bad}");
        }
    }

    fn png_200x100() -> Vec<u8> {
        let img = RgbaImage::from_fn(200, 100, |x, y| image::Rgba([x as u8, y as u8, 0, 255]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn every_form_has_the_oracle_dimensions() {
        let src = png_200x100();
        let cases = [
            ("100x100", 100, 100),
            ("50x50", 50, 50),
            ("60x30t", 60, 30),
            ("60x30b", 60, 30),
            ("60x30f", 60, 30),
            ("0x30", 60, 30),
            ("40x0", 40, 20),
            ("300x300", 300, 300),
            ("100x100f", 100, 50),
            ("300x300f", 200, 100),
            ("30x60", 30, 60),
            ("30x60t", 30, 60),
        ];
        for (size, w, h) in cases {
            let s = ThumbSize::parse(size).unwrap();
            let (bytes, kind) = make_thumb(&src, "image/png", &s).unwrap();
            assert_eq!(kind, "image/png");
            let out = image::load_from_memory(&bytes).unwrap();
            assert_eq!((out.width(), out.height()), (w, h), "{size}");
        }
    }

    #[test]
    fn small_sources_and_anchors() {
        let img = RgbaImage::from_fn(20, 10, |_, y| {
            image::Rgba([0, 0, if y < 5 { 0 } else { 255 }, 255])
        });
        let top = transform(&img, &ThumbSize::parse("10x10t").unwrap());
        assert_eq!(top.dimensions(), (10, 10));
        let bottom = transform(&img, &ThumbSize::parse("5x10b").unwrap());
        assert_eq!(bottom.dimensions(), (5, 10));
        let tall = RgbaImage::from_fn(10, 40, |_, y| {
            image::Rgba([0, 0, if y < 20 { 0 } else { 255 }, 255])
        });
        let t = transform(&tall, &ThumbSize::parse("10x10t").unwrap());
        let b = transform(&tall, &ThumbSize::parse("10x10b").unwrap());
        assert!(t.get_pixel(5, 5).0[2] < 50 && b.get_pixel(5, 5).0[2] > 200);
    }

    #[test]
    fn keeps_jpeg_and_gif_and_falls_back_to_png() {
        let src = png_200x100();
        let s = ThumbSize::parse("50x50").unwrap();
        assert_eq!(make_thumb(&src, "image/jpeg", &s).unwrap().1, "image/jpeg");
        assert_eq!(make_thumb(&src, "image/gif", &s).unwrap().1, "image/gif");
        assert_eq!(make_thumb(&src, "image/webp", &s).unwrap().1, "image/png");
        assert!(make_thumb(b"not an image", "image/png", &s).is_err());
        assert!(make_thumb(&src, "image/png", &ThumbSize::parse("90000x1").unwrap()).is_err());
    }
}
