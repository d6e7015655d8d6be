//! Binary formats of content sniffing, in the detection library's order (archives, documents,
//! images, audio, video, fonts, executables…).

use super::mime::Detected;

const fn d(mime: &'static str, ext: &'static str) -> Option<Detected> {
    Some(Detected { mime, ext })
}

fn at(raw: &[u8], offset: usize, sig: &[u8]) -> bool {
    raw.len() >= offset + sig.len() && &raw[offset..offset + sig.len()] == sig
}

fn u32_le(raw: &[u8], offset: usize) -> Option<u32> {
    let b = raw.get(offset..offset + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The binary formats, in the library's order (text comes last, in `mime_text`).
pub fn binary(raw: &[u8]) -> Option<Detected> {
    if raw.starts_with(b"7z\xbc\xaf\x27\x1c") {
        return d("application/x-7z-compressed", ".7z");
    }
    if raw.len() > 3
        && raw[0] == b'P'
        && raw[1] == b'K'
        && matches!(raw[2], 3 | 5 | 7)
        && matches!(raw[3], 4 | 6 | 8)
    {
        return zip_kind(raw);
    }
    if raw.starts_with(b"%PDF-") {
        return d("application/pdf", ".pdf");
    }
    if raw.starts_with(b"%FDF") {
        return d("application/vnd.fdf", ".fdf");
    }
    if raw.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return d("application/x-ole-storage", "");
    }
    if raw.starts_with(b"%!PS-Adobe-") {
        return d("application/postscript", ".ps");
    }
    if raw.starts_with(b"8BPS") {
        return d("image/vnd.adobe.photoshop", ".psd");
    }
    if raw.starts_with(b"OggS") {
        return ogg_kind(raw);
    }
    if raw.starts_with(b"\x89PNG\r\n\x1a\n") {
        if at(raw, 37, b"acTL") {
            return d("image/vnd.mozilla.apng", ".png");
        }
        return d("image/png", ".png");
    }
    if raw.starts_with(b"\xff\xd8\xff") {
        return d("image/jpeg", ".jpg");
    }
    if raw.starts_with(b"\xff\x0a") || raw.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return d("image/jxl", ".jxl");
    }
    if raw.starts_with(b"GIF87a") || raw.starts_with(b"GIF89a") {
        return d("image/gif", ".gif");
    }
    if raw.starts_with(b"RIFF") && at(raw, 8, b"WEBP") {
        return d("image/webp", ".webp");
    }
    if raw.starts_with(b"MZ") {
        return d("application/vnd.microsoft.portable-executable", ".exe");
    }
    if raw.starts_with(b"\x7fELF") {
        return elf_kind(raw);
    }
    if raw.starts_with(b"!<arch>\n") {
        if at(raw, 8, b"debian-binary") {
            return d("application/vnd.debian.binary-package", ".deb");
        }
        return d("application/x-archive", ".a");
    }
    if is_tar(raw) {
        return d("application/x-tar", ".tar");
    }
    if raw.starts_with(b"BZh") {
        return d("application/x-bzip2", ".bz2");
    }
    if raw.starts_with(b"II*\0") || raw.starts_with(b"MM\0*") {
        return d("image/tiff", ".tiff");
    }
    if raw.starts_with(b"BM")
        && raw.len() >= 26
        && matches!(
            u32_le(raw, 14),
            Some(12 | 16 | 40 | 52 | 56 | 64 | 108 | 124)
        )
    {
        return d("image/bmp", ".bmp");
    }
    if raw.starts_with(b"\0\0\x01\0") || raw.starts_with(b"\0\0\x02\0") {
        return d("image/x-icon", ".ico");
    }
    if is_mp3(raw) {
        return d("audio/mpeg", ".mp3");
    }
    if raw.starts_with(b"fLaC") {
        return d("audio/flac", ".flac");
    }
    if raw.starts_with(b"MThd") {
        return d("audio/midi", ".midi");
    }
    if raw.starts_with(b"MAC \x96\x0f") {
        return d("audio/ape", ".ape");
    }
    if raw.starts_with(b"#!AMR") {
        return d("audio/amr", ".amr");
    }
    if raw.starts_with(b"RIFF") && at(raw, 8, b"WAVE") {
        return d("audio/wav", ".wav");
    }
    if raw.starts_with(b"FORM") && at(raw, 8, b"AIFF") {
        return d("audio/aiff", ".aiff");
    }
    if raw.starts_with(b".snd") {
        return d("audio/basic", ".au");
    }
    if raw.len() > 3 && raw[..3] == [0, 0, 1] && matches!(raw[3], 0xB3 | 0xBA) {
        return d("video/mpeg", ".mpeg");
    }
    if at(raw, 4, b"ftyp") && raw.len() >= 12 && raw[0] == 0 {
        return ftyp_kind(raw);
    }
    if [&b"moov\0"[..], b"mdat\0", b"free\0", b"skip\0", b"pnot\0"]
        .iter()
        .any(|a| at(raw, 4, a))
        || raw.starts_with(b"\0\0\0\x08wide")
    {
        return d("video/quicktime", ".mov");
    }
    if raw.starts_with(b"\x1a\x45\xdf\xa3") {
        let head = &raw[..raw.len().min(64)];
        if head.windows(4).any(|w| w == b"webm") {
            return d("video/webm", ".webm");
        }
        if head.windows(8).any(|w| w == b"matroska") {
            return d("video/x-matroska", ".mkv");
        }
    }
    if raw.starts_with(b"RIFF") && at(raw, 8, b"AVI LIST") {
        return d("video/x-msvideo", ".avi");
    }
    if raw.starts_with(b"FLV\x01") {
        return d("video/x-flv", ".flv");
    }
    if raw.starts_with(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c") {
        return d("video/x-ms-asf", ".asf");
    }
    if raw.starts_with(b"\xff\xf1") || raw.starts_with(b"\xff\xf9") {
        return d("audio/aac", ".aac");
    }
    if raw.starts_with(b"\x1f\x8b") {
        return d("application/gzip", ".gz");
    }
    if raw.starts_with(b"\xca\xfe\xba\xbe") && raw.len() > 7 && raw[7] > 44 {
        return d("application/x-java-applet", ".class");
    }
    if raw.starts_with(b"CWS") || raw.starts_with(b"FWS") || raw.starts_with(b"ZWS") {
        return d("application/x-shockwave-flash", ".swf");
    }
    if raw.starts_with(b"Cr24") {
        return d("application/x-chrome-extension", ".crx");
    }
    if raw.starts_with(b"wOFF") {
        return d("font/woff", ".woff");
    }
    if raw.starts_with(b"wOF2") {
        return d("font/woff2", ".woff2");
    }
    if raw.starts_with(b"OTTO\0") {
        return d("font/otf", ".otf");
    }
    if raw.starts_with(b"ttcf") {
        return d("font/collection", ".ttc");
    }
    if at(raw, 34, b"LP")
        && [&b"\x02\0\x01"[..], b"\x01\0\0", b"\x02\0\x02"]
            .iter()
            .any(|v| at(raw, 8, v))
    {
        return d("application/vnd.ms-fontobject", ".eot");
    }
    if raw.starts_with(b"\0asm") {
        return d("application/wasm", ".wasm");
    }
    if at(raw, 128, b"DICM") {
        return d("application/dicom", ".dcm");
    }
    if raw.starts_with(b"Rar!\x1a\x07\x00") || raw.starts_with(b"Rar!\x1a\x07\x01\x00") {
        return d("application/vnd.rar", ".rar");
    }
    if raw.starts_with(b"AT&TFORM") {
        return d("image/vnd.djvu", ".djvu");
    }
    if raw.starts_with(b"SQLite format 3\0") {
        return d("application/vnd.sqlite3", ".sqlite");
    }
    if raw.starts_with(b"\x28\xb5\x2f\xfd") {
        return d("application/zstd", ".zst");
    }
    if raw.starts_with(b"MSCF\0\0\0\0") {
        return d("application/vnd.ms-cab-compressed", ".cab");
    }
    if raw.starts_with(b"\xed\xab\xee\xdb") {
        return d("application/x-rpm", ".rpm");
    }
    if raw.starts_with(b"\xfd7zXZ\0") {
        return d("application/x-xz", ".xz");
    }
    if raw.starts_with(b"LZIP") {
        return d("application/lzip", ".lz");
    }
    if raw.starts_with(b"070707") || raw.starts_with(b"070701") || raw.starts_with(b"070702") {
        return d("application/x-cpio", ".cpio");
    }
    if raw.starts_with(b"glTF\x02\0\0\0") || raw.starts_with(b"glTF\x01\0\0\0") {
        return d("model/gltf-binary", ".glb");
    }
    if raw.starts_with(b"PAR1") {
        return d("application/vnd.apache.parquet", ".parquet");
    }
    None
}

fn zip_kind(raw: &[u8]) -> Option<Detected> {
    if at(raw, 30, b"mimetype") {
        const ODF: &[(&str, &str, &str)] = &[
            ("application/epub+zip", "application/epub+zip", ".epub"),
            (
                "application/vnd.oasis.opendocument.text-template",
                "application/vnd.oasis.opendocument.text-template",
                ".ott",
            ),
            (
                "application/vnd.oasis.opendocument.text",
                "application/vnd.oasis.opendocument.text",
                ".odt",
            ),
            (
                "application/vnd.oasis.opendocument.spreadsheet-template",
                "application/vnd.oasis.opendocument.spreadsheet-template",
                ".ots",
            ),
            (
                "application/vnd.oasis.opendocument.spreadsheet",
                "application/vnd.oasis.opendocument.spreadsheet",
                ".ods",
            ),
            (
                "application/vnd.oasis.opendocument.presentation-template",
                "application/vnd.oasis.opendocument.presentation-template",
                ".otp",
            ),
            (
                "application/vnd.oasis.opendocument.presentation",
                "application/vnd.oasis.opendocument.presentation",
                ".odp",
            ),
            (
                "application/vnd.oasis.opendocument.graphics-template",
                "application/vnd.oasis.opendocument.graphics-template",
                ".otg",
            ),
            (
                "application/vnd.oasis.opendocument.graphics",
                "application/vnd.oasis.opendocument.graphics",
                ".odg",
            ),
            (
                "application/vnd.oasis.opendocument.formula",
                "application/vnd.oasis.opendocument.formula",
                ".odf",
            ),
            (
                "application/vnd.oasis.opendocument.chart",
                "application/vnd.oasis.opendocument.chart",
                ".odc",
            ),
        ];
        for (content, mime, ext) in ODF {
            if at(raw, 38, content.as_bytes()) {
                return d(mime, ext);
            }
        }
    }
    let mut i = 0usize;
    let mut entries = 0;
    while entries < 8 && i + 30 <= raw.len() {
        if &raw[i..i + 4] != b"PK\x03\x04" {
            break;
        }
        let compressed = u32_le(raw, i + 18).unwrap_or(0) as usize;
        let name_len = u16::from_le_bytes([raw[i + 26], raw[i + 27]]) as usize;
        let extra_len = u16::from_le_bytes([raw[i + 28], raw[i + 29]]) as usize;
        let name = raw.get(i + 30..i + 30 + name_len).unwrap_or(&[]);
        if name.starts_with(b"word/") {
            return d(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".docx",
            );
        }
        if name.starts_with(b"xl/") {
            return d(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ".xlsx",
            );
        }
        if name.starts_with(b"ppt/") {
            return d(
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                ".pptx",
            );
        }
        if name.starts_with(b"META-INF/MANIFEST.MF") {
            return d("application/java-archive", ".jar");
        }
        i = i
            .saturating_add(30 + name_len + extra_len)
            .saturating_add(compressed);
        entries += 1;
    }
    d("application/zip", ".zip")
}

fn ogg_kind(raw: &[u8]) -> Option<Detected> {
    if raw.len() >= 37 {
        let p = &raw[28..];
        if p.starts_with(b"\x7fFLAC")
            || p.starts_with(b"\x01vorbis")
            || p.starts_with(b"OpusHead")
            || p.starts_with(b"Speex   ")
        {
            return d("audio/ogg", ".oga");
        }
        if p.starts_with(b"\x80theora")
            || p.starts_with(b"fishead\0")
            || p.starts_with(b"\x01video\0\0\0")
        {
            return d("video/ogg", ".ogv");
        }
    }
    d("application/ogg", ".ogg")
}

fn elf_kind(raw: &[u8]) -> Option<Detected> {
    if raw.len() < 18 {
        return d("application/x-elf", "");
    }
    let kind = if raw[5] == 2 {
        u16::from_be_bytes([raw[16], raw[17]])
    } else {
        u16::from_le_bytes([raw[16], raw[17]])
    };
    match kind {
        1 => d("application/x-object", ""),
        2 => d("application/x-executable", ""),
        3 => d("application/x-sharedlib", ".so"),
        4 => d("application/x-coredump", ""),
        _ => d("application/x-elf", ""),
    }
}

fn ftyp_kind(raw: &[u8]) -> Option<Detected> {
    let brand = raw.get(8..12).unwrap_or(&[]);
    let table: &[(&[&[u8]], &str, &str)] = &[
        (&[b"qt  "], "video/quicktime", ".mov"),
        (&[b"avif", b"avis"], "image/avif", ".avif"),
        (
            &[
                b"3gp1", b"3gp2", b"3gp3", b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3gs7", b"3ge6",
                b"3ge7", b"3gg6",
            ],
            "video/3gpp",
            ".3gp",
        ),
        (
            &[
                b"3g24", b"3g25", b"3g26", b"3g2a", b"3g2b", b"3g2c", b"KDDI",
            ],
            "video/3gpp2",
            ".3g2",
        ),
        (&[b"F4A ", b"F4B "], "audio/mp4", ".mp4"),
        (&[b"mqt "], "video/quicktime", ".mqv"),
        (&[b"M4A "], "audio/x-m4a", ".m4a"),
        (&[b"M4V ", b"M4VH", b"M4VP"], "video/x-m4v", ".m4v"),
        (&[b"heic", b"heix"], "image/heic", ".heic"),
        (&[b"hevc", b"hevx"], "image/heic-sequence", ".heic"),
        (&[b"mif1", b"heim", b"heis", b"avic"], "image/heif", ".heif"),
        (
            &[b"msf1", b"hevm", b"hevs", b"avcs"],
            "image/heif-sequence",
            ".heif",
        ),
        (&[b"mj2s", b"mjp2"], "video/mj2", ".mj2"),
        (&[b"dby1"], "video/vnd.dvb.file", ".dvb"),
    ];
    for (brands, mime, ext) in table {
        if brands.contains(&brand) {
            return d(mime, ext);
        }
    }
    d("video/mp4", ".mp4")
}

fn is_tar(raw: &[u8]) -> bool {
    if raw.len() < 512 {
        return false;
    }
    let field = &raw[148..156];
    let digits: String = field
        .iter()
        .map(|&b| b as char)
        .filter(|c| !matches!(c, ' ' | '\0'))
        .collect();
    let Ok(want) = u64::from_str_radix(&digits, 8) else {
        return false;
    };
    let sum: u64 = raw[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u64
            }
        })
        .sum();
    sum == want
}

/// A valid MPEG audio frame header: `(version, layer, fixed bits, frame size)`.
fn mpeg_frame(raw: &[u8]) -> Option<(u8, u8, u32, usize)> {
    const SAMPLE_RATES: [[u32; 3]; 4] = [
        [11025, 12000, 8000],
        [0, 0, 0],
        [22050, 24000, 16000],
        [44100, 48000, 32000],
    ];
    const MPEG2_L23: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    const MPEG2_L1: [u32; 15] = [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ];
    const MPEG1: [[u32; 15]; 3] = [
        [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ],
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ],
        [
            0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ],
    ];
    let h = u32::from_be_bytes(raw.get(..4)?.try_into().ok()?);
    let (version, layer) = (((h >> 19) & 3) as u8, ((h >> 17) & 3) as u8);
    let (rate_idx, bitrate_idx) = (((h >> 10) & 3) as usize, ((h >> 12) & 0xF) as usize);
    if h >> 21 != 0x7FF
        || h & 3 == 2
        || layer == 0
        || version == 1
        || rate_idx == 3
        || bitrate_idx == 0xF
    {
        return None;
    }
    let rate = SAMPLE_RATES[version as usize][rate_idx];
    let kbps = match (version, layer) {
        (3, l) => MPEG1[3 - l as usize][bitrate_idx],
        (_, 3) => MPEG2_L1[bitrate_idx],
        _ => MPEG2_L23[bitrate_idx],
    };
    if kbps == 0 || rate == 0 {
        return None;
    }
    let samples = match (version, layer) {
        (_, 3) => 384,
        (3, _) | (_, 2) => 1152,
        _ => 576,
    };
    let mut size = (samples / 8 * kbps * 1000 / rate) as usize;
    if (h >> 9) & 1 == 1 {
        size += if layer == 3 { 4 } else { 1 };
    }
    // the bits every frame of a stream shares (version, layer, crc, rate, mode, flags, emphasis)
    Some((version, layer, h & 0x001F_0CCF, size))
}

/// Four consecutive MPEG audio frames, the first within 2048 bytes.
fn mpeg_frames(raw: &[u8]) -> bool {
    let mut b = raw;
    let mut frames = 0;
    let mut first = 0u32;
    loop {
        let search = if frames > 0 { 1 } else { 2048 };
        let Some(ff) = b[..b.len().min(search)].iter().position(|&x| x == 0xFF) else {
            return false;
        };
        b = &b[ff..];
        match mpeg_frame(b) {
            Some((_, _, fixed, size)) if frames == 0 || fixed == first => {
                first = fixed;
                frames += 1;
                b = &b[size.clamp(1, b.len())..];
            }
            Some(_) => return false,
            None => {
                if b.len() < 4 {
                    return false;
                }
                b = &b[4..];
                frames = 0;
            }
        }
        if frames >= 4 {
            return true;
        }
    }
}

fn is_mp3(raw: &[u8]) -> bool {
    if raw.starts_with(b"ID3") && raw.len() >= 10 && (2..=4).contains(&raw[3]) {
        let size = raw[6..10]
            .iter()
            .fold(0usize, |acc, &b| (acc << 7) | (b & 0x7F) as usize);
        return match raw.get(10 + size..) {
            Some(rest) => mpeg_frames(rest),
            None => true,
        };
    }
    mpeg_frames(raw)
}
