//! Format checks matching PocketBase's observed behaviour: email addresses, URLs (plus the URL host used for
//! domain lists) and domain names (for `onlyDomains`/`exceptDomains` options).

use regex::Regex;
use std::net::Ipv6Addr;
use std::sync::OnceLock;

/// Non-ASCII code points accepted in email addresses (the BMP minus surrogates and a few specials).
const UNI: &str = r"\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}";

fn email_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let atom = format!(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{{|}}~{UNI}]+");
        let alnum = format!("[A-Za-z0-9{UNI}]");
        let alpha = format!("[A-Za-z{UNI}]");
        let inner = format!(r"[A-Za-z0-9\-._~{UNI}]*");
        let pattern = format!(
            r"^{atom}(?:\.{atom})*@(?:(?:{alnum}|{alnum}{inner}{alnum})\.)+(?:{alpha}|{alpha}{inner}{alpha})\.?$"
        );
        Regex::new(&pattern).expect("constant pattern compiles")
    })
}

/// An email address: a dot-separated local part of atom characters (no quoted forms), `@`, then dotted
/// labels whose last one starts and ends with a letter; an optional final dot.
pub(crate) fn is_email(s: &str) -> bool {
    email_regex().is_match(s)
}

/// The part after the last `@`.
pub(crate) fn email_domain(s: &str) -> &str {
    s.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

fn url_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let nonspace = r"[^\t\n\f\r ]";
        let ipv4 = r"(?:[1-9][0-9]?|1[0-9][0-9]|2[01][0-9]|22[0-3]|24[0-9]|25[0-5])(?:\.(?:[0-9]{1,2}|1[0-9][0-9]|2[0-4][0-9]|25[0-5])){2}\.(?:[0-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-5])";
        let ipv6 = r"\[[0-9a-fA-F:.]+(?:%[0-9a-zA-Z]+)?\]";
        let host_a = r"[a-zA-Z0-9][a-zA-Z0-9\-_]*[a-zA-Z0-9](?:[\-.][a-zA-Z0-9]+)*";
        let sub = r"(?:www\.|[a-zA-Z0-9]+(?:[\-_.]?[a-zA-Z0-9])*[a-zA-Z0-9]\.[a-zA-Z0-9]+)";
        let ch = r"[a-zA-Z0-9\x{00A1}-\x{FFFF}]";
        let tld = r"[a-zA-Z\x{00A1}-\x{FFFF}]+";
        let pattern = format!(
            r"^(?:(?:ftp|tcp|udp|wss?|https?)://)?(?:{nonspace}+(?::{nonspace}*)?@)?(?:{ipv4}|{ipv6}|(?:{host_a}|{sub})?(?:{ch}+-?-?)*{ch}+(?:\.{tld})?)\.?(?::[0-9]{{1,5}})?(?:[/?#]{nonspace}*)?$"
        );
        Regex::new(&pattern).expect("constant pattern compiles")
    })
}

/// The pieces of a URL that the checks need, split the way Go's `net/url` does.
struct ParsedUrl {
    host: String,
    path: String,
}

/// Splits `s` like Go's `url.Parse`; `None` where that would fail (bad scheme, control characters,
/// bad percent escapes in path or fragment, bad userinfo/host characters, non-numeric port).
fn parse_url(s: &str) -> Option<ParsedUrl> {
    if s.chars().any(|c| (c as u32) < 0x20 || c as u32 == 0x7f) {
        return None;
    }
    let (rest, fragment) = s.split_once('#').unwrap_or((s, ""));
    if !escapes_ok(fragment) {
        return None;
    }
    let (scheme, rest) = split_scheme(rest)?;
    let rest = rest.split_once('?').map(|(r, _)| r).unwrap_or(rest);
    if !scheme.is_empty() && !rest.starts_with('/') {
        // opaque form such as `mailto:x@y`: no host, no path
        return Some(ParsedUrl {
            host: String::new(),
            path: String::new(),
        });
    }
    if scheme.is_empty() {
        let first_segment = rest.split('/').next().unwrap_or("");
        if first_segment.contains(':') {
            return None;
        }
    }
    let (host, path) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            let (authority, path) = after.split_at(end);
            let host = match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    if !userinfo.chars().all(userinfo_char) {
                        return None;
                    }
                    host
                }
                None => authority,
            };
            if !host_ok(host) {
                return None;
            }
            (host.to_string(), path)
        }
        None => (String::new(), rest),
    };
    if !escapes_ok(path) {
        return None;
    }
    Some(ParsedUrl {
        host,
        path: path.to_string(),
    })
}

/// `(scheme, rest)`; the scheme is "" when the text before the first `:` is not a valid scheme.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    for (i, c) in s.char_indices() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if i > 0 && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
            continue;
        }
        if c == ':' {
            if i == 0 {
                return None;
            }
            return Some((&s[..i], &s[i + 1..]));
        }
        break;
    }
    Some(("", s))
}

fn escapes_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

fn userinfo_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | ':'
                | '~'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | ';'
                | '='
                | '%'
                | '@'
        )
        || !c.is_ascii()
}

fn host_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | ';'
                | '='
                | ':'
                | '['
                | ']'
                | '<'
                | '>'
                | '"'
                | '%'
        )
        || !c.is_ascii()
}

/// Go's host rules: `[ipv6]` with an optional numeric port, otherwise allowed characters and a numeric port.
fn host_ok(host: &str) -> bool {
    if !host.chars().all(host_char) || !escapes_ok(host) {
        return false;
    }
    let port_ok = |p: &str| {
        p.is_empty()
            || p.strip_prefix(':')
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    };
    if let Some(inner) = host.strip_prefix('[') {
        let Some((addr, port)) = inner.split_once(']') else {
            return false;
        };
        let addr = addr.split_once('%').map(|(a, _)| a).unwrap_or(addr);
        return addr.parse::<Ipv6Addr>().is_ok() && port_ok(port);
    }
    match host.rfind(':') {
        Some(i) => port_ok(&host[i..]),
        None => true,
    }
}

/// A URL as PocketBase accepts it: a known scheme (http, https, ftp, tcp, udp, ws, wss) or none, optional
/// userinfo, a host name or IP, optional port, path, query and fragment, without spaces.
pub(crate) fn is_url(s: &str) -> bool {
    if s.is_empty() || s.chars().count() >= 2083 || s.len() <= 3 || s.starts_with('.') {
        return false;
    }
    let probe = if s.contains(':') && !s.contains("://") {
        format!("http://{s}")
    } else {
        s.to_string()
    };
    let Some(parsed) = parse_url(&probe) else {
        return false;
    };
    if parsed.host.starts_with('.')
        || (parsed.host.is_empty() && !parsed.path.is_empty() && !parsed.path.contains('.'))
    {
        return false;
    }
    url_regex().is_match(s)
}

/// The host (with port, if any) of `s` as Go's `url.Parse` reports it; "" when there is no `//authority`.
pub(crate) fn url_host(s: &str) -> String {
    parse_url(s).map(|p| p.host).unwrap_or_default()
}

fn domain_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{1,63}$")
            .expect("constant pattern compiles")
    })
}

/// A DNS name: dotted labels of letters, digits and inner hyphens (1–63 chars), an alphabetic TLD, at most 255 chars.
pub(crate) fn is_domain(s: &str) -> bool {
    s.len() <= 255 && domain_regex().is_match(s)
}
