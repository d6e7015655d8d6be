//! LIKE pattern preparation for `~`/`!~` literals (spec 03 §5.2): verbatim when the value holds
//! an unescaped `%`, otherwise escape `\`, `%`, `_` and wrap in `%…%`.

/// True if `s` contains `ch` not preceded by a backslash (a `\\` pair escapes nothing).
pub fn contains_unescaped(s: &str, ch: char) -> bool {
    let mut prev = '\0';
    for c in s.chars() {
        if c == ch && prev != '\\' {
            return true;
        }
        prev = if c == '\\' && prev == '\\' { '\0' } else { c };
    }
    false
}

/// Escapes with `\` every char of `escape` that is not already preceded by `\`.
///
/// This mirrors PocketBase byte for byte, including its quirk of scanning from the end: the
/// character right before an escaped one is never itself inspected, so `a__b` becomes `a_\_b`.
pub fn escape_unescaped(s: &str, escape: &[char]) -> String {
    let rs: Vec<char> = s.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(rs.len() + 4);
    let mut matched = false;
    for i in (0..rs.len()).rev() {
        if matched {
            if rs[i] != '\\' {
                out.push('\\');
            }
            matched = false;
        } else {
            matched = escape.contains(&rs[i]);
        }
        out.push(rs[i]);
        if i == 0 && matched {
            out.push('\\');
        }
    }
    out.into_iter().rev().collect()
}

/// Converts a `~` right-hand literal to its LIKE pattern.
pub fn like_pattern(value: &str) -> String {
    if contains_unescaped(value, '%') {
        value.to_string()
    } else {
        format!("%{}%", escape_unescaped(value, &['\\', '%', '_']))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_pocketbase() {
        // (input text value, pattern) pairs observed on PocketBase 0.40.6.
        let cases = [
            ("hello", "%hello%"),
            ("", "%%"),
            ("100%", "100%"),
            (r"100\%", r"%100\%%"),
            ("Sec%", "Sec%"),
            ("%sale", "%sale"),
            ("off_s", r"%off\_s%"),
            ("a__b", r"%a_\_b%"),
            ("_x", r"%\_x%"),
            (r"\", r"%\\%"),
            (r"\\", r"%\\%"),
            (r"a\\b_", r"%a\\b\_%"),
            (r"\_\_", r"%\_\_%"),
            (r"a\%b%", r"a\%b%"),
            (r"a\%b", r"%a\%b%"),
            ("ä_", r"%ä\_%"),
            ("5", "%5%"),
        ];
        for (input, want) in cases {
            assert_eq!(like_pattern(input), want, "input {input:?}");
        }
    }

    #[test]
    fn unescaped_detection() {
        assert!(contains_unescaped("a%", '%'));
        assert!(!contains_unescaped(r"a\%", '%'));
        assert!(contains_unescaped(r"a\\%", '%'));
        assert!(!contains_unescaped("abc", '%'));
    }
}
