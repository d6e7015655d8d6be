//! The editor declarations of the JS API (`js-types/types.d.ts`), embedded and written to `<dataDir>/types.d.ts`.
//!
//! The written file starts with `// ` and a 10-digit fingerprint of the declarations. As in PocketBase, only
//! those first 13 bytes decide whether the file is current: a file that starts with them is left alone (hand
//! edits below survive), anything else is replaced.

use std::io::Read;
use std::path::Path;

/// The declarations as checked in.
pub const DECLARATIONS: &str = include_str!("../../js-types/types.d.ts");

/// The name of the written file inside the data dir.
pub const FILE_NAME: &str = "types.d.ts";

/// `// ` plus the 10-digit fingerprint: the part of the file that is compared.
const HEAD_LEN: usize = 13;

/// The content of the written file: the fingerprint line, a notice, then the declarations.
pub fn contents() -> String {
    format!(
        "// {:010}\n// Written by Ferrobase from its embedded copy. A Ferrobase build with other declarations replaces this file.\n{DECLARATIONS}",
        fingerprint(DECLARATIONS)
    )
}

/// FNV-1a (64 bit) of `text`, cut to 10 decimal digits.
fn fingerprint(text: &str) -> u64 {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    hash % 10_000_000_000
}

/// Writes `<dir>/types.d.ts` unless it already starts with the current fingerprint; `Ok(true)` when written.
pub fn refresh(dir: &Path) -> std::io::Result<bool> {
    let path = dir.join(FILE_NAME);
    let contents = contents();
    if head(&path).is_some_and(|h| h == contents.as_bytes()[..HEAD_LEN]) {
        return Ok(false);
    }
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{FILE_NAME}.tmp"));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, &path)?;
    Ok(true)
}

/// The first `HEAD_LEN` bytes of `path` (fewer when the file is shorter), or `None` when it cannot be read.
fn head(path: &Path) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(HEAD_LEN);
    std::fs::File::open(path)
        .ok()?
        .take(HEAD_LEN as u64)
        .read_to_end(&mut buf)
        .ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_is_a_comment_with_ten_digits() {
        let c = contents();
        let head = &c[..HEAD_LEN];
        assert!(head.starts_with("// "), "{head}");
        assert!(head[3..].bytes().all(|b| b.is_ascii_digit()), "{head}");
        assert_eq!(c.as_bytes()[HEAD_LEN], b'\n');
        assert!(c.ends_with(DECLARATIONS));
    }

    #[test]
    fn other_declarations_get_another_fingerprint() {
        assert_ne!(
            fingerprint(DECLARATIONS),
            fingerprint("declare var x: number\n")
        );
        assert_eq!(fingerprint(DECLARATIONS), fingerprint(DECLARATIONS));
    }

    #[test]
    fn refresh_writes_once_keeps_edits_and_replaces_stale_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pb_data");
        let path = dir.join(FILE_NAME);
        assert!(refresh(&dir).unwrap(), "missing dir and file are created");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), contents());
        assert!(!refresh(&dir).unwrap(), "a current file is left alone");

        let edited = format!("{}// my note\n", contents());
        std::fs::write(&path, &edited).unwrap();
        assert!(!refresh(&dir).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);

        std::fs::write(&path, "// 1790407359\n// another generator\n").unwrap();
        assert!(refresh(&dir).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), contents());

        std::fs::write(&path, "").unwrap();
        assert!(refresh(&dir).unwrap(), "an empty file is replaced");
        assert!(!dir.join(format!(".{FILE_NAME}.tmp")).exists());
    }
}
