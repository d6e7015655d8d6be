//! Stored file names: PocketBase's normalization of an uploaded file's original name.

use rand::Rng;

const RANDOM_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `n` random characters of `[a-z0-9]`.
pub fn random_suffix(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| RANDOM_ALPHABET[rng.gen_range(0..RANDOM_ALPHABET.len())] as char)
        .collect()
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The extension of `name` with its leading dot: from the second-to-last dot when there are two or
/// more dots (`a.tar.gz` -> `.tar.gz`), otherwise from the last one; "" without a dot.
fn extract_extension(name: &str) -> &str {
    let Some(primary) = name.rfind('.') else {
        return "";
    };
    match name[..primary].rfind('.') {
        Some(secondary) => &name[secondary..],
        None => &name[primary..],
    }
}

/// Splits on non-word characters and `_`, puts `_` before an uppercase letter that follows a
/// non-uppercase one, joins with `_` and lower-cases (`myTestDB` -> `my_test_db`).
pub fn snake_case(s: &str) -> String {
    let mut out = String::new();
    for word in s.split(|c: char| !is_word(c) || c == '_') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('_');
        }
        let mut prev: Option<char> = None;
        for c in word.chars() {
            if c.is_ascii_uppercase() && prev.is_some_and(|p| !p.is_ascii_uppercase()) {
                out.push('_');
            }
            out.push(c);
            prev = Some(c);
        }
    }
    out.to_ascii_lowercase()
}

/// The stored name of an upload: `base + "_" + 10 random [a-z0-9] + ext` (spec 06 §2.1).
/// `content` is used only when the name has no usable extension.
pub fn normalize_name(original: &str, content: &[u8]) -> String {
    let bytes = original.as_bytes();
    let tail = &bytes[bytes.len().saturating_sub(300)..];
    let name = String::from_utf8_lossy(tail);
    let original_ext = extract_extension(&name);
    let cleaned: String = original_ext
        .chars()
        .filter(|&c| is_word(c) || matches!(c, '.' | '*' | '-' | '+' | '=' | '#'))
        .collect();
    let trimmed = cleaned.trim_matches('.');
    let mut ext = if trimmed.is_empty() {
        super::mime::detect_extension(content).to_string()
    } else {
        format!(".{trimmed}")
    };
    if ext.len() > 20 {
        // ASCII only after the filter above, so any byte index is a char boundary
        ext = format!(".{}", &ext[ext.len() - 20..]);
    }
    let base_text = name[..name.len() - original_ext.len()].trim_matches('.');
    let mut base = snake_case(base_text);
    if base.len() < 3 {
        base.push_str(&random_suffix(10));
    } else if base.len() > 100 {
        base.truncate(100);
    }
    format!("{base}_{}{ext}", random_suffix(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks `got` against `want`, where each `?` of `want` stands for one random `[a-z0-9]`.
    fn matches(got: &str, want: &str) -> bool {
        got.len() == want.len()
            && got.chars().zip(want.chars()).all(|(g, w)| {
                if w == '?' {
                    g.is_ascii_lowercase() || g.is_ascii_digit()
                } else {
                    g == w
                }
            })
    }

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn oracle_examples() {
        let r = "??????????";
        let cases: Vec<(&str, &[u8], String)> = vec![
            (
                "My Photo.final.PNG",
                b"x",
                format!("my_photo_{r}.final.PNG"),
            ),
            ("doc.txt", b"x", format!("doc_{r}.txt")),
            ("ab", PNG, format!("ab{r}_{r}.png")),
            ("cover.png", PNG, format!("cover_{r}.png")),
            ("a.png", PNG, format!("a{r}_{r}.png")),
            (
                "a.abcdefghijklmnopqrstuvwxyz",
                b"x",
                format!("a{r}_{r}.ghijklmnopqrstuvwxyz"),
            ),
            ("file.tar.gz", b"x", format!("file_{r}.tar.gz")),
            ("x.y.z.w", b"x", format!("x_y_{r}.z.w")),
            (".hidden", b"x", format!("{r}_{r}.hidden")),
            ("noext", b"hello", format!("noext_{r}.txt")),
            (
                "caf\u{e9} na\u{ef}ve.txt",
                b"x",
                format!("caf_na_ve_{r}.txt"),
            ),
            ("myTestDB.JSON", b"x", format!("my_test_db_{r}.JSON")),
            ("ABc dEF.txt", b"x", format!("abc_d_ef_{r}.txt")),
            ("foo..bar", b"x", format!("foo_{r}.bar")),
            ("trailing.", b"hello", format!("trailing_{r}.txt")),
            ("..", b"hello", format!("{r}_{r}.txt")),
            ("a b.t x t", b"x", format!("a_b_{r}.txt")),
            ("hello_world-2.pdf", b"x", format!("hello_world_2_{r}.pdf")),
            ("\u{c4}\u{d6}\u{dc}.png", b"x", format!("{r}_{r}.png")),
            ("one.two three.four", b"x", format!("one_{r}.twothree.four")),
            ("a.\u{e9}", b"hello", format!("a{r}_{r}.txt")),
            ("Hello__World.txt", b"x", format!("hello_world_{r}.txt")),
            (
                "CamelCaseHTTPServer.go",
                b"x",
                format!("camel_case_httpserver_{r}.go"),
            ),
            ("a%b&c.p(n)g", b"x", format!("a_b_c_{r}.png")),
            (" spaced .txt", b"x", format!("spaced_{r}.txt")),
            ("bin", b"\x00\x01\x02", format!("bin_{r}")),
        ];
        for (name, content, want) in cases {
            let got = normalize_name(name, content);
            assert!(matches(&got, &want), "{name:?}: got {got}, want {want}");
        }
    }

    #[test]
    fn long_names_are_cut() {
        let long = format!("{}.txt", "x".repeat(120));
        let got = normalize_name(&long, b"x");
        assert!(
            matches(&got, &format!("{}_??????????.txt", "x".repeat(100))),
            "{got}"
        );
        // only the last 300 bytes of the original count
        let longer = format!("{}{}.txt", "a".repeat(500), "b".repeat(50));
        let got = normalize_name(&longer, b"x");
        assert!(got.starts_with(&"a".repeat(100)), "{got}");
        // a multi-byte char cut in half by the 300-byte window never panics
        let cut = format!("{}{}", "\u{e9}".repeat(200), ".txt");
        assert!(normalize_name(&cut, b"x").ends_with(".txt"));
    }

    #[test]
    fn snake_cases() {
        assert_eq!(snake_case("myTestDB"), "my_test_db");
        assert_eq!(snake_case("  --a__b  "), "a_b");
        assert_eq!(snake_case(""), "");
    }
}
