//! The text/plain part of a mail, generated from its HTML: blocks become lines, links `[text](url)`.

/// Tags whose content is dropped entirely.
const SKIPPED: [&str; 4] = ["head", "style", "script", "title"];

/// Tags that end a line.
const BLOCKS: [&str; 16] = [
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "table",
    "ul",
    "ol",
    "hr",
    "blockquote",
];

/// One parsed tag: its lower-cased name, whether it closes, and its raw attribute text.
struct Tag<'a> {
    name: String,
    closing: bool,
    attrs: &'a str,
}

fn parse_tag(inner: &str) -> Tag<'_> {
    let inner = inner.trim();
    let (closing, rest) = match inner.strip_prefix('/') {
        Some(r) => (true, r.trim_start()),
        None => (false, inner),
    };
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(rest.len());
    Tag {
        name: rest[..end].to_ascii_lowercase(),
        closing,
        attrs: &rest[end..],
    }
}

/// The value of `name="…"` (or single-quoted) in a tag's attribute text.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let start = from + pos;
        from = start + name.len();
        let before_ok = start == 0 || lower.as_bytes()[start - 1].is_ascii_whitespace();
        let rest = attrs[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let quote = rest.chars().next()?;
        if quote == '"' || quote == '\'' {
            let body = &rest[1..];
            return body.find(quote).map(|e| decode_entities(&body[..e]));
        }
        let e = rest.find(char::is_whitespace).unwrap_or(rest.len());
        return Some(decode_entities(&rest[..e]));
    }
    None
}

/// Decodes the common named entities and numeric references.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Converts an HTML mail body to readable plain text.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut skip_depth = 0usize;
    let mut links: Vec<Option<String>> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip_depth == 0 {
                push_text(&mut out, rest);
            }
            break;
        };
        if skip_depth == 0 {
            push_text(&mut out, &rest[..lt]);
        }
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            break;
        };
        let tag = parse_tag(&rest[1..gt]);
        rest = &rest[gt + 1..];
        if SKIPPED.contains(&tag.name.as_str()) {
            if tag.closing {
                skip_depth = skip_depth.saturating_sub(1);
            } else if !tag.attrs.trim_end().ends_with('/') {
                skip_depth += 1;
            }
            continue;
        }
        if skip_depth > 0 {
            continue;
        }
        if tag.name == "a" {
            if tag.closing {
                if let Some(href) = links.pop() {
                    let text = out_link_text(&mut out);
                    match href {
                        Some(href) => out.push_str(&format!("[{text}]({href})")),
                        None => out.push_str(&text),
                    }
                }
            } else {
                let href = attr(tag.attrs, "href");
                out.push('\u{1}');
                links.push(href);
            }
            continue;
        }
        if BLOCKS.contains(&tag.name.as_str()) {
            out.push('\n');
        }
    }
    finish(&out)
}

/// Appends text with its whitespace runs collapsed to single spaces.
fn push_text(out: &mut String, raw: &str) {
    let text = decode_entities(raw);
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with([' ', '\n']) && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// Takes the text written since the last link marker out of `out` (the marker goes too).
fn out_link_text(out: &mut String) -> String {
    match out.rfind('\u{1}') {
        Some(pos) => {
            let text = out[pos + 1..].trim().to_string();
            out.truncate(pos);
            text
        }
        None => String::new(),
    }
}

/// Trims every line, drops empty ones and stray link markers.
fn finish(out: &str) -> String {
    out.replace('\u{1}', "")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_links_and_entities() {
        let html = "<html><head><style>p { color: red }</style></head><body>\n<p>Hello,</p>\n<p>Click\n  <a class=\"btn\" href=\"http://x/?a=1&amp;b=2\">Verify &amp; go</a>\n</p><p>Thanks,<br/>  Team</p></body></html>";
        assert_eq!(
            html_to_text(html),
            "Hello,\nClick [Verify & go](http://x/?a=1&b=2)\nThanks,\nTeam"
        );
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "<",
            "<a",
            "<a href=>x",
            "&",
            "&#xZZ;",
            "<!-- x",
            "</a></a>",
            "<p>é&#233;</p>",
        ] {
            let _ = html_to_text(s);
        }
        assert_eq!(html_to_text("<p>é&#233;</p>"), "éé");
        assert_eq!(html_to_text("<a>plain</a>"), "plain");
    }
}
