//! Names and paths of migration files the way PocketBase spells them: snake case, Go-quoted strings,
//! lexically cleaned paths, and the automigrate file names.

/// PocketBase's snake case: split at every character that is not an ASCII letter or digit, break
/// before an upper-case letter that follows a non-upper-case one, lower-case the result
/// (`"Add Index To Posts"` → `add_index_to_posts`, `"testABR"` → `test_abr`).
pub fn snake_case(s: &str) -> String {
    let mut out = String::new();
    for word in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('_');
        }
        let mut prev_upper = true;
        for c in word.chars() {
            if c.is_ascii_uppercase() && !prev_upper {
                out.push('_');
            }
            prev_upper = c.is_ascii_uppercase();
            out.push(c);
        }
    }
    out.to_lowercase()
}

/// A Go-quoted string (`%q`): `"` and `\` escaped, control characters as escapes, printable text as is.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's lexical `path.Clean`: no empty or `.` parts, `..` resolved where possible, no trailing slash.
pub fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `path.Join`: the non-empty parts joined with `/` and cleaned (empty when all are empty).
pub fn join_path(parts: &[&str]) -> String {
    let kept: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if kept.is_empty() {
        return String::new();
    }
    clean_path(&kept.join("/"))
}

/// `<unix>_<action>.js`; an action ending in `test` (any case) gets a trailing `_`, so that the file
/// never looks like a test file.
pub fn automigrate_file_name(unix: i64, action: &str) -> String {
    let suffix = if action.to_lowercase().ends_with("test") {
        "_"
    } else {
        ""
    };
    format!("{unix}_{action}{suffix}.js")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_like_pocketbase() {
        for (input, want) in [
            ("", ""),
            ("  ", ""),
            ("!@#$%^", ""),
            ("_", ""),
            ("John Doe", "john_doe"),
            ("John_Doe", "john_doe"),
            (".a!b@c#d$e%123. ", "a_b_c_d_e_123"),
            ("HelloWorld", "hello_world"),
            ("HelloWorld1HelloWorld2", "hello_world1_hello_world2"),
            ("TEST", "test"),
            ("testABR", "test_abr"),
            ("Add Index To Posts", "add_index_to_posts"),
            // non-ASCII letters are separators (REF: "Ünï cöde-test" → "n_c_de_test")
            ("Ünï cöde-test", "n_c_de_test"),
        ] {
            assert_eq!(snake_case(input), want, "{input:?}");
        }
    }

    #[test]
    fn paths_are_cleaned_like_go() {
        for (input, want) in [
            ("", "."),
            ("pb_data/../pb_migrations", "pb_migrations"),
            ("./mdir/../mdir2//", "mdir2"),
            ("/a/b/pb_data/../pb_migrations", "/a/b/pb_migrations"),
            ("/../x", "/x"),
            ("../../x/./y/", "../../x/y"),
            ("a/..", "."),
        ] {
            assert_eq!(clean_path(input), want, "{input:?}");
        }
        assert_eq!(join_path(&["", "../pb_migrations"]), "../pb_migrations");
        assert_eq!(join_path(&[".", "../pb_migrations"]), "../pb_migrations");
        assert_eq!(join_path(&["", ""]), "");
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("pbc_1125843985"), "\"pbc_1125843985\"");
        assert_eq!(go_quote("a\"b\\c\nü\u{1}"), "\"a\\\"b\\\\c\\nü\\x01\"");
    }

    #[test]
    fn test_suffix_rule() {
        assert_eq!(
            automigrate_file_name(1, "created_ZTest"),
            "1_created_ZTest_.js"
        );
        assert_eq!(automigrate_file_name(1, "deleted_zz"), "1_deleted_zz.js");
        assert_eq!(
            automigrate_file_name(1, "updated_tests"),
            "1_updated_tests.js"
        );
    }
}
