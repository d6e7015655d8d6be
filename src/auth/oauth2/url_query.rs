//! Query-string encoding as Go's `url.QueryEscape`/`url.Values.Encode` write it (the authorize URL must
//! match PocketBase's byte for byte: sorted keys, `+` for spaces, upper-case `%XX`).

/// Go's `url.QueryEscape`: unreserved bytes stay, space becomes `+`, the rest `%XX`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `key=value&…` with the keys sorted, like `url.Values.Encode`.
pub fn encode_sorted(pairs: &[(&str, String)]) -> String {
    let mut sorted: Vec<&(&str, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Appends an encoded query to `base`, with `&` when it already has one and `?` otherwise.
pub fn append_query(base: &str, query: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        assert_eq!(
            query_escape("read:user user:email"),
            "read%3Auser+user%3Aemail"
        );
        assert_eq!(query_escape("identity[email]"), "identity%5Bemail%5D");
        assert_eq!(
            query_escape("https://www.googleapis.com/a"),
            "https%3A%2F%2Fwww.googleapis.com%2Fa"
        );
        assert_eq!(query_escape("a-b_c.d~é"), "a-b_c.d~%C3%A9");
    }

    #[test]
    fn sorts_keys_and_appends() {
        let q = encode_sorted(&[("state", "s".into()), ("client_id", "c".into())]);
        assert_eq!(q, "client_id=c&state=s");
        assert_eq!(
            append_query("https://x/a?x=1", &q),
            "https://x/a?x=1&client_id=c&state=s"
        );
        assert_eq!(append_query("", "a=b"), "?a=b");
    }
}
