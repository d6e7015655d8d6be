//! Settings validation (07-admin-apis.md §2.3, 04-auth.md §9, 06-files.md §7) and the small pure checks it uses: IP/CIDR, cron, email, URL, host.
//!
//! Included from `settings.rs` with `#[path]`; its public items are re-exported there.
//! Codes, messages, params and key order follow the original server (keys of each error object are
//! sorted, list indexes as strings, and each field reports only its first failing rule).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::OnceLock;

use regex::Regex;

use super::{
    BackupsConfig, BatchConfig, LogsConfig, MetaConfig, RateLimitRule, RateLimitsConfig, S3Config,
    Settings, SmtpConfig, AUDIENCE_AUTH, AUDIENCE_GUEST,
};
use crate::model::validation::{Errors, ValidationError};

// ---------------------------------------------------------------------------------------------
// Error tree with sorted keys

enum Node {
    Leaf(ValidationError),
    Tree(Tree),
}

/// Errors of one object, kept sorted by key (byte order, so `"10"` comes before `"2"`).
#[derive(Default)]
struct Tree(BTreeMap<String, Node>);

impl Tree {
    fn field(&mut self, key: &str, err: Option<ValidationError>) {
        if let Some(e) = err {
            self.0.entry(key.to_string()).or_insert(Node::Leaf(e));
        }
    }

    fn nested(&mut self, key: &str, sub: Tree) {
        if !sub.0.is_empty() {
            self.0.insert(key.to_string(), Node::Tree(sub));
        }
    }

    fn into_errors(self) -> Errors {
        let mut out = Errors::new();
        for (k, node) in self.0 {
            match node {
                Node::Leaf(e) => out.add(k, e),
                Node::Tree(t) => out.add_nested(k, t.into_errors()),
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Single rules; each returns the error or None. Like the original, the value checks (min, length,
// format) skip empty/zero values, which only `required` rejects.

fn required_str(s: &str) -> Option<ValidationError> {
    s.is_empty().then(ValidationError::required)
}

fn required_int(n: i64) -> Option<ValidationError> {
    (n == 0).then(ValidationError::required)
}

fn min(n: i64, threshold: i64) -> Option<ValidationError> {
    (n != 0 && n < threshold).then(|| {
        ValidationError::new(
            "validation_min_greater_equal_than_required",
            "Must be no less than {threshold}.",
        )
        .param("threshold", threshold)
    })
}

/// Length in bytes, as the original counts it.
fn length(s: &str, lo: usize, hi: usize) -> Option<ValidationError> {
    if s.is_empty() || (lo..=hi).contains(&s.len()) {
        return None;
    }
    let e = if lo == hi {
        ValidationError::new(
            "validation_length_invalid",
            "The length must be exactly {min}.",
        )
    } else {
        ValidationError::new(
            "validation_length_out_of_range",
            "The length must be between {min} and {max}.",
        )
    };
    Some(e.param("max", hi as i64).param("min", lo as i64))
}

fn check(s: &str, ok: fn(&str) -> bool, code: &str, message: &str) -> Option<ValidationError> {
    (!s.is_empty() && !ok(s)).then(|| ValidationError::new(code, message))
}

fn url(s: &str) -> Option<ValidationError> {
    check(s, is_valid_url, "validation_is_url", "Must be a valid URL.")
}

fn host(s: &str) -> Option<ValidationError> {
    check(
        s,
        is_valid_host,
        "validation_is_host",
        "Must be a valid IP address or DNS name.",
    )
}

fn one_of(s: &str, allowed: &[&str]) -> Option<ValidationError> {
    (!s.is_empty() && !allowed.contains(&s))
        .then(|| ValidationError::new("validation_in_invalid", "Must be a valid value."))
}

fn when(cond: bool, err: Option<ValidationError>) -> Option<ValidationError> {
    if cond {
        err
    } else {
        None
    }
}

fn ip_list(ips: &[String]) -> Tree {
    let mut t = Tree::default();
    for (i, ip) in ips.iter().enumerate() {
        let err = required_str(ip).or_else(|| {
            check(
                ip,
                is_valid_ip_or_cidr,
                "validation_invlaid_ip_or_subnet",
                "Invalid IP or CIDR subnet.",
            )
        });
        t.field(&i.to_string(), err);
    }
    t
}

// ---------------------------------------------------------------------------------------------
// Sections

pub(super) fn validate(s: &Settings) -> Result<(), Errors> {
    let mut t = Tree::default();
    t.nested("backups", backups(&s.backups));
    t.nested("batch", batch(&s.batch));
    t.nested("logs", logs(&s.logs));
    t.nested("meta", meta(&s.meta));
    t.nested("rateLimits", rate_limits(&s.rate_limits));
    t.nested("s3", s3(&s.s3));
    t.nested("smtp", smtp(&s.smtp));
    t.nested("superuserIPs", ip_list(&s.superuser_ips));
    // trustedProxy has no rules.
    t.into_errors().into_result()
}

fn meta(m: &MetaConfig) -> Tree {
    let mut t = Tree::default();
    t.field(
        "accentColor",
        length(&m.accent_color, 7, 7).or_else(|| {
            check(
                &m.accent_color,
                is_hex_color,
                "validation_is_hex_color",
                "Must be a valid hexadecimal color code.",
            )
        }),
    );
    t.field(
        "appName",
        required_str(&m.app_name).or_else(|| length(&m.app_name, 1, 255)),
    );
    t.field(
        "appURL",
        required_str(&m.app_url).or_else(|| url(&m.app_url)),
    );
    t.field(
        "senderAddress",
        required_str(&m.sender_address).or_else(|| {
            check(
                &m.sender_address,
                is_valid_email,
                "validation_is_email",
                "Must be a valid email address.",
            )
        }),
    );
    t.field(
        "senderName",
        required_str(&m.sender_name).or_else(|| length(&m.sender_name, 1, 255)),
    );
    t
}

fn smtp(c: &SmtpConfig) -> Tree {
    let mut t = Tree::default();
    t.field("authMethod", one_of(&c.auth_method, &["PLAIN", "LOGIN"]));
    t.field(
        "host",
        host(&c.host).or_else(|| when(c.enabled, required_str(&c.host))),
    );
    t.field("localName", host(&c.local_name));
    t.field(
        "port",
        when(c.enabled, required_int(c.port)).or_else(|| min(c.port, 0)),
    );
    t
}

fn s3(c: &S3Config) -> Tree {
    let mut t = Tree::default();
    t.field("accessKey", when(c.enabled, required_str(&c.access_key)));
    t.field("bucket", when(c.enabled, required_str(&c.bucket)));
    t.field(
        "endpoint",
        url(&c.endpoint).or_else(|| when(c.enabled, required_str(&c.endpoint))),
    );
    t.field("region", when(c.enabled, required_str(&c.region)));
    t.field("secret", when(c.enabled, required_str(&c.secret)));
    t
}

fn backups(c: &BackupsConfig) -> Tree {
    let mut t = Tree::default();
    let cron = if c.cron.is_empty() {
        None
    } else {
        cron_error(&c.cron).map(|msg| ValidationError::new("validation_invalid_cron", &msg))
    };
    t.field("cron", cron);
    t.field(
        "cronMaxKeep",
        when(!c.cron.is_empty(), required_int(c.cron_max_keep)).or_else(|| min(c.cron_max_keep, 1)),
    );
    t.nested("s3", s3(&c.s3));
    t
}

fn batch(c: &BatchConfig) -> Tree {
    let mut t = Tree::default();
    t.field("maxBodySize", min(c.max_body_size, 0));
    t.field(
        "maxRequests",
        when(c.enabled, required_int(c.max_requests)).or_else(|| min(c.max_requests, 0)),
    );
    t.field(
        "timeout",
        when(c.enabled, required_int(c.timeout)).or_else(|| min(c.timeout, 0)),
    );
    t
}

fn logs(c: &LogsConfig) -> Tree {
    let mut t = Tree::default();
    t.field("maxDataSize", min(c.max_data_size, 0));
    t.field("maxDays", min(c.max_days, 0));
    t
}

fn rate_limits(c: &RateLimitsConfig) -> Tree {
    let mut t = Tree::default();
    t.nested("excludedIPs", ip_list(&c.excluded_ips));
    if c.enabled && c.rules.is_empty() {
        t.field("rules", Some(ValidationError::required()));
        return t;
    }
    // Each rule first; the conflict check only runs when every rule is valid.
    let mut rules = Tree::default();
    for (i, r) in c.rules.iter().enumerate() {
        rules.nested(&i.to_string(), rate_limit_rule(r));
    }
    if rules.0.is_empty() {
        if let Some((i, label)) = first_conflicting_rule(&c.rules) {
            let mut one = Tree::default();
            one.field(
                "label",
                Some(
                    ValidationError::new(
                        "validation_conflicting_rate_limit_rule",
                        "Rate limit rule configuration with label {label} already exists or conflicts with another rule.",
                    )
                    .param("label", label),
                ),
            );
            rules.nested(&i.to_string(), one);
        }
    }
    t.nested("rules", rules);
    t
}

fn rate_limit_rule(r: &RateLimitRule) -> Tree {
    let mut t = Tree::default();
    t.field(
        "audience",
        one_of(&r.audience, &[AUDIENCE_GUEST, AUDIENCE_AUTH]),
    );
    t.field(
        "duration",
        required_int(r.duration).or_else(|| min(r.duration, 1)),
    );
    t.field(
        "label",
        required_str(&r.label).or_else(|| {
            check(
                &r.label,
                is_valid_rule_label,
                "validation_match_invalid",
                "Must be in a valid format.",
            )
        }),
    );
    t.field(
        "maxRequests",
        required_int(r.max_requests).or_else(|| min(r.max_requests, 1)),
    );
    t
}

/// Two rules conflict when one `label@@audience` key is a prefix of the other; returns the index and
/// label of the first rule that conflicts with an earlier one.
fn first_conflicting_rule(rules: &[RateLimitRule]) -> Option<(usize, String)> {
    let mut keys: Vec<String> = Vec::with_capacity(rules.len());
    for (i, r) in rules.iter().enumerate() {
        let key = format!("{}@@{}", r.label, r.audience);
        if keys
            .iter()
            .any(|k| k.starts_with(key.as_str()) || key.starts_with(k.as_str()))
        {
            return Some((i, r.label.clone()));
        }
        keys.push(key);
    }
    None
}

fn cached(cell: &'static OnceLock<Regex>, pattern: impl FnOnce() -> String) -> &'static Regex {
    cell.get_or_init(|| Regex::new(&pattern()).expect("valid built-in regex"))
}

/// `METHOD /path`, `/path`, `collection:tag`, `*:tag` or `tag` (ASCII word characters only).
fn is_valid_rule_label(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    cached(&RE, || {
        r"^(?:[0-9A-Za-z_]+ /[0-9A-Za-z_/-]*|/[0-9A-Za-z_/-]*|[0-9A-Za-z_]+:[0-9A-Za-z_]+|\*:[0-9A-Za-z_]+|[0-9A-Za-z_]+)$"
            .to_string()
    })
    .is_match(s)
}

fn is_hex_color(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or(s);
    (hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

// ---------------------------------------------------------------------------------------------
// IP / CIDR / host

/// An IP address (IPv6 may carry a non-empty `%zone`, which may contain anything) or a CIDR subnet
/// such as `10.0.0.0/8` (host bits may be set; prefix length without leading zeros, at most 32 or 128).
pub fn is_valid_ip_or_cidr(s: &str) -> bool {
    let addr_ok = match s.split_once('%') {
        Some((addr, zone)) => !zone.is_empty() && addr.parse::<Ipv6Addr>().is_ok(),
        None => s.parse::<IpAddr>().is_ok(),
    };
    addr_ok
        || s.rsplit_once('/').is_some_and(|(addr, bits)| {
            let Ok(ip) = addr.parse::<IpAddr>() else {
                return false;
            };
            let max = if ip.is_ipv4() { 32 } else { 128 };
            !bits.is_empty()
                && bits.bytes().all(|b| b.is_ascii_digit())
                && (bits == "0" || !bits.starts_with('0'))
                && bits.parse::<u32>().is_ok_and(|n| n <= max)
        })
}

/// An IP address (no zone) or a DNS name: dot-separated labels of 1-63 characters from
/// `[A-Za-z0-9_-]` not starting with `-`, an optional trailing dot, at most 255 non-dot characters.
pub fn is_valid_host(s: &str) -> bool {
    if s.parse::<IpAddr>().is_ok() {
        return true;
    }
    if s.is_empty() || s.bytes().filter(|b| *b != b'.').count() > 255 {
        return false;
    }
    let name = s.strip_suffix('.').unwrap_or(s);
    !name.is_empty()
        && name.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
        })
}

// ---------------------------------------------------------------------------------------------
// Cron

/// A parsed cron expression: the allowed values of each field (minute 0-59, hour 0-23, day 1-31,
/// month 1-12, day of week 0-6 with 0 = Sunday).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    pub minutes: BTreeSet<u32>,
    pub hours: BTreeSet<u32>,
    pub days: BTreeSet<u32>,
    pub months: BTreeSet<u32>,
    pub days_of_week: BTreeSet<u32>,
}

/// Whether `s` is a valid cron expression: a macro (`@yearly`, `@annually`, `@monthly`, `@weekly`,
/// `@daily`, `@midnight`, `@hourly`) or exactly five single-space separated fields, each a comma list
/// of `*`, `n`, `a-b`, `*/n` or `a-b/n`.
pub fn is_valid_cron(s: &str) -> bool {
    parse_cron(s).is_ok()
}

/// The `validation_invalid_cron` message for an invalid expression, `None` when it is valid.
pub fn cron_error(s: &str) -> Option<String> {
    parse_cron(s).err()
}

/// Parses a cron expression; the error is the message the API reports for it.
pub fn parse_cron(expr: &str) -> Result<CronSchedule, String> {
    let expanded = match expr {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        other => other,
    };
    let fields: Vec<&str> = expanded.split(' ').collect();
    if fields.len() != 5 {
        return Err(sentence(
            "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments",
        ));
    }
    let f = |i: usize, lo: i64, hi: i64| cron_field(fields[i], lo, hi).map_err(|e| sentence(&e));
    Ok(CronSchedule {
        minutes: f(0, 0, 59)?,
        hours: f(1, 0, 23)?,
        days: f(2, 1, 31)?,
        months: f(3, 1, 12)?,
        days_of_week: f(4, 0, 6)?,
    })
}

/// Upper-cases the first letter and ends with a period, as the API does with error messages.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    let mut out: String = match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

fn cron_field(field: &str, lo: i64, hi: i64) -> Result<BTreeSet<u32>, String> {
    let mut out = BTreeSet::new();
    for part in field.split(',') {
        let pieces: Vec<&str> = part.split('/').collect();
        let step = match pieces.len() {
            1 => 1,
            2 => {
                let n = atoi(pieces[1])?;
                if n < 1 || n > hi {
                    return Err(format!(
                        "invalid segment step boundary - the step must be between 1 and the {hi}"
                    ));
                }
                n
            }
            _ => {
                return Err(
                    "invalid segment step format - must be in the format */n or 1-30/n".into(),
                )
            }
        };
        let (from, to) = if pieces[0] == "*" {
            (lo, hi)
        } else {
            let bounds: Vec<&str> = pieces[0].split('-').collect();
            match bounds.len() {
                1 => {
                    if step != 1 {
                        return Err("invalid segment step - step > 1 could be used only with the wildcard or range format".into());
                    }
                    let n = atoi(bounds[0])?;
                    if n < lo || n > hi {
                        return Err(
                            "invalid segment value - must be between the min and max of the segment"
                                .into(),
                        );
                    }
                    (n, n)
                }
                2 => {
                    let a = atoi(bounds[0])?;
                    if a < lo || a > hi {
                        return Err(format!(
                            "invalid segment range minimum - must be between {lo} and {hi}"
                        ));
                    }
                    let b = atoi(bounds[1])?;
                    if b < a || b > hi {
                        return Err(format!(
                            "invalid segment range maximum - must be between {a} and {hi}"
                        ));
                    }
                    (a, b)
                }
                _ => {
                    return Err(
                        "invalid segment range format - the range must have 1 or 2 parts".into(),
                    )
                }
            }
        };
        let mut v = from;
        while v <= to {
            out.insert(v as u32);
            v += step;
        }
    }
    Ok(out)
}

/// A decimal integer with an optional sign; the error text is what the original reports.
fn atoi(s: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(s));
    let range = || format!("strconv.Atoi: parsing {}: value out of range", go_quote(s));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(syntax());
    }
    // Scan left to right: a bad character or an overflow, whichever comes first, decides the error.
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(syntax());
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or_else(range)?;
    }
    let limit = 1u64 << 63;
    match (neg, n) {
        (false, n) if n < limit => Ok(n as i64),
        (true, n) if n <= limit => Ok(-(n as i128) as i64),
        _ => Err(range()),
    }
}

/// A double-quoted string with Go-style escapes.
fn go_quote(s: &str) -> String {
    let mut out = String::from('"');
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
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// Email

/// The email format check behind `validation_is_email`: `local@domain` where the local part is
/// dot-separated runs of letters, digits and ``!#$%&'*+-/=?^_`{|}~`` (or one quoted character),
/// and the domain has at least one dot, labels of letters/digits (inner `-._~` allowed) and a
/// top-level label that starts and ends with a letter; a trailing dot is allowed. Non-ASCII letters
/// of the Basic Multilingual Plane count as letters.
pub fn is_valid_email(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    cached(&RE, || {
        let u = r"\x{A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}";
        let atext = format!(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{{|}}~{u}]");
        let fws = r"(?:(?:[ \t]*\r\n)?[ \t]+)";
        let qchar = format!(
            r"(?:[\x01-\x08\x0B\x0C\x0E-\x1F\x7F!\x23-\x5B\x5D-\x7E{u}]|\([\x01-\x09\x0B\x0C\x0D-\x7F])"
        );
        let quoted = format!(r#""{fws}?{qchar}{fws}?""#);
        let alnum = format!("[A-Za-z0-9{u}]");
        let alpha = format!("[A-Za-z{u}]");
        let inner = format!(r"[A-Za-z0-9\-._~{u}]");
        let tld_inner = format!(r"[A-Za-z0-9\-_~{u}]");
        format!(
            r"^(?:{atext}+(?:\.{atext}+)*|{quoted}(?:\.{quoted})*)@(?:(?:{alnum}|{alnum}{inner}*{alnum})\.)+(?:{alpha}|{alpha}{tld_inner}*{alpha})\.?$"
        )
    })
    .is_match(s)
}

// ---------------------------------------------------------------------------------------------
// URL

/// The URL check behind `validation_is_url` (meta.appURL, s3.endpoint): an optional
/// `http(s)/ws(s)/ftp/tcp/udp://` scheme, optional `user:pass@`, a host (IPv4, `[IPv6]` or a name,
/// where a bare single name needs a scheme), optional `:port` and an optional path/query/fragment
/// without spaces. So `http://localhost:8090`, `example.com` and `ftp://x` pass; `localhost`,
/// `foo://bar.com` and `http://` do not. 4-2082 characters, not starting with a dot.
pub fn is_valid_url(s: &str) -> bool {
    if s.len() <= 3 || s.chars().count() >= 2083 || s.starts_with('.') {
        return false;
    }
    // A colon without "://" is read as `host:port`.
    let full = if s.contains(':') && !s.contains("://") {
        format!("http://{s}")
    } else {
        s.to_string()
    };
    let Some((host, path)) = split_url(&full) else {
        return false;
    };
    if host.starts_with('.') || (host.is_empty() && !path.is_empty() && !path.contains('.')) {
        return false;
    }
    url_regex().is_match(s)
}

fn url_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    cached(&RE, || {
        let scheme = r"(?:(?:ftp|tcp|udp|wss?|https?)://)";
        let user = r"(?:[^\t\n\x0C\r ]+(?::[^\t\n\x0C\r ]*)?@)";
        let ipv4 = r"(?:[1-9][0-9]?|1[0-9][0-9]|2[01][0-9]|22[0-3]|24[0-9]|25[0-5])(?:\.(?:[0-9]{1,2}|1[0-9][0-9]|2[0-4][0-9]|25[0-5])){2}\.(?:[0-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-5])";
        let name = r"[a-zA-Z0-9](?:[a-zA-Z0-9_-]+)?[a-zA-Z0-9](?:[-.][a-zA-Z0-9]+)*";
        let sub = r"(?:www\.|[a-zA-Z0-9]+(?:[-_.]?[a-zA-Z0-9])*[a-zA-Z0-9]\.[a-zA-Z0-9]+)";
        let label = r"[a-zA-Z\x{A1}-\x{FFFF}0-9]";
        let tld = r"[a-zA-Z\x{A1}-\x{FFFF}]";
        let host = format!(
            r"(?:{ipv4}|\[{}\]|(?:{name}|{sub})?(?:{label}+-?-?)*{label}+(?:\.{tld}+)?)",
            ipv6_pattern()
        );
        format!(r"^{scheme}?{user}?{host}\.?(?::[0-9]{{1,5}})?(?:[/?#][^\t\n\x0C\r ]*)?$")
    })
}

/// Every textual IPv6 form (full, `::`-compressed, with a trailing IPv4, link-local with a zone).
fn ipv6_pattern() -> String {
    let h = "[0-9a-fA-F]{1,4}";
    let v4 = r"(?:(?:25[0-5]|(?:2[0-4]|1?[0-9])?[0-9])\.){3}(?:25[0-5]|(?:2[0-4]|1?[0-9])?[0-9])";
    let mut alts = vec![format!("(?:{h}:){{7}}{h}")];
    // `left` groups before the `::`, `right` after it, at most 7 in all.
    for left in 0..=7 {
        for right in 0..=(7 - left) {
            let l = match left {
                0 => String::from(":"),
                n => format!("(?:{h}:){{{n}}}"),
            };
            let r = match right {
                0 => String::from(":"),
                n => format!("(?::{h}){{{n}}}"),
            };
            alts.push(format!("{l}{r}"));
        }
    }
    alts.push("fe80:(?::[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]+".to_string());
    alts.push(format!("::(?:ffff(?::0{{1,4}})?:)?{v4}"));
    alts.push(format!("(?:{h}:){{1,4}}:{v4}"));
    format!("(?:{})", alts.join("|"))
}

/// Splits a URL the way Go's `net/url` parser does, returning `(host, decoded path)`, or `None`
/// where that parser fails (control characters, bad `%` escapes, bad userinfo/host/port, a colon
/// in a scheme-less first path segment).
fn split_url(raw: &str) -> Option<(String, String)> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return None;
    }
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    if let Some(f) = fragment {
        percent_decode(f)?;
    }
    let (scheme, rest) = split_scheme(rest)?;
    let rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        rest.split_once('?').map_or(rest, |(r, _)| r)
    };
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            return Some((String::new(), String::new())); // opaque, like `mailto:x`
        }
        if rest.split('/').next().is_some_and(|seg| seg.contains(':')) {
            return None;
        }
    }
    let mut host = String::new();
    let mut path = rest;
    if rest.starts_with("//") && (!scheme.is_empty() || !rest.starts_with("///")) {
        let authority_and_path = &rest[2..];
        let (authority, p) = match authority_and_path.find('/') {
            Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
            None => (authority_and_path, ""),
        };
        path = p;
        let host_part = match authority.rfind('@') {
            Some(i) => {
                let userinfo = &authority[..i];
                let ok = userinfo
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b));
                if !ok {
                    return None;
                }
                percent_decode(userinfo)?;
                &authority[i + 1..]
            }
            None => authority,
        };
        host = parse_host(host_part)?;
    }
    Some((host, percent_decode(path)?))
}

/// The scheme (if any) and the rest; `None` when the text starts with a colon.
fn split_scheme(raw: &str) -> Option<(&str, &str)> {
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return None,
            b':' => return Some((&raw[..i], &raw[i + 1..])),
            _ => return Some(("", raw)),
        }
    }
    Some(("", raw))
}

fn parse_host(h: &str) -> Option<String> {
    let port_ok = |p: &str| {
        p.is_empty() || (p.starts_with(':') && p[1..].bytes().all(|b| b.is_ascii_digit()))
    };
    if h.starts_with('[') {
        let i = h.rfind(']')?;
        if !port_ok(&h[i + 1..]) {
            return None;
        }
    } else if let Some(i) = h.rfind(':') {
        if !port_ok(&h[i..]) {
            return None;
        }
    }
    let bytes = h.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            if hex[0] < b'8' && &bytes[i..i + 3] != b"%25" {
                return None;
            }
            i += 3;
            continue;
        }
        let allowed =
            b >= 0x80 || b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"".contains(&b);
        if !allowed {
            return None;
        }
        i += 1;
    }
    percent_decode(h)
}

/// Decodes `%XX` escapes; `None` on a malformed one.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// Validation errors of the default settings with `body` applied, as API JSON.
    fn errors_of(body: Value) -> String {
        Settings::default()
            .apply_patch(&body)
            .expect("patch loads")
            .validate()
            .expect_err("invalid")
            .to_json()
            .to_string()
    }

    const BAD_IP: &str =
        r#"{"code":"validation_invlaid_ip_or_subnet","message":"Invalid IP or CIDR subnet."}"#;
    const BLANK: &str = r#"{"code":"validation_required","message":"Cannot be blank."}"#;
    const BAD_HOST: &str =
        r#"{"code":"validation_is_host","message":"Must be a valid IP address or DNS name."}"#;

    fn min_err(n: i64) -> String {
        format!(
            r#"{{"code":"validation_min_greater_equal_than_required","message":"Must be no less than {n}.","params":{{"threshold":{n}}}}}"#
        )
    }

    /// Each case was answered this way by the original server.
    #[test]
    fn section_errors_match_the_original() {
        let cases: Vec<(Value, String)> = vec![
            (
                json!({"meta":{"accentColor":"#12345","appURL":"localhost","senderName":""}}),
                format!(
                    r#"{{"meta":{{"accentColor":{{"code":"validation_length_invalid","message":"The length must be exactly 7.","params":{{"max":7,"min":7}}}},"appURL":{{"code":"validation_is_url","message":"Must be a valid URL."}},"senderName":{BLANK}}}}}"#
                ),
            ),
            (
                json!({"meta":{"accentColor":"1234567","appName":"é".repeat(128)}}),
                r#"{"meta":{"accentColor":{"code":"validation_is_hex_color","message":"Must be a valid hexadecimal color code."},"appName":{"code":"validation_length_out_of_range","message":"The length must be between 1 and 255.","params":{"max":255,"min":1}}}}"#.to_string(),
            ),
            (
                json!({"smtp":{"enabled":true,"host":"","port":0}}),
                format!(r#"{{"smtp":{{"host":{BLANK},"port":{BLANK}}}}}"#),
            ),
            (
                json!({"smtp":{"enabled":true,"host":"bad host","port":-1,"authMethod":"x","localName":"a b"}}),
                format!(
                    r#"{{"smtp":{{"authMethod":{{"code":"validation_in_invalid","message":"Must be a valid value."}},"host":{BAD_HOST},"localName":{BAD_HOST},"port":{}}}}}"#,
                    min_err(0)
                ),
            ),
            (
                json!({"s3":{"enabled":true},"backups":{"s3":{"enabled":true,"endpoint":"bad"}}}),
                format!(
                    r#"{{"backups":{{"s3":{{"accessKey":{BLANK},"bucket":{BLANK},"endpoint":{{"code":"validation_is_url","message":"Must be a valid URL."}},"region":{BLANK},"secret":{BLANK}}}}},"s3":{{"accessKey":{BLANK},"bucket":{BLANK},"endpoint":{BLANK},"region":{BLANK},"secret":{BLANK}}}}}"#
                ),
            ),
            (
                json!({"backups":{"cron":"* * *","cronMaxKeep":0}}),
                format!(
                    r#"{{"backups":{{"cron":{{"code":"validation_invalid_cron","message":"Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."}},"cronMaxKeep":{BLANK}}}}}"#
                ),
            ),
            (
                json!({"backups":{"cron":"61 * * * *","cronMaxKeep":-5}}),
                format!(
                    r#"{{"backups":{{"cron":{{"code":"validation_invalid_cron","message":"Invalid segment value - must be between the min and max of the segment."}},"cronMaxKeep":{}}}}}"#,
                    min_err(1)
                ),
            ),
            (
                json!({"batch":{"enabled":true,"maxRequests":0,"timeout":0,"maxBodySize":-1}}),
                format!(
                    r#"{{"batch":{{"maxBodySize":{},"maxRequests":{BLANK},"timeout":{BLANK}}}}}"#,
                    min_err(0)
                ),
            ),
            (
                json!({"batch":{"maxRequests":-1,"timeout":-1},"logs":{"maxDays":-1,"maxDataSize":-1,"minLevel":-4}}),
                format!(
                    r#"{{"batch":{{"maxRequests":{m},"timeout":{m}}},"logs":{{"maxDataSize":{m},"maxDays":{m}}}}}"#,
                    m = min_err(0)
                ),
            ),
            (
                json!({"rateLimits":{"enabled":true,"rules":null,"excludedIPs":["x","","1.2.3.4"]}}),
                format!(
                    r#"{{"rateLimits":{{"excludedIPs":{{"0":{BAD_IP},"1":{BLANK}}},"rules":{BLANK}}}}}"#
                ),
            ),
            (
                json!({"rateLimits":{"rules":[{"label":"","audience":"@all","duration":-1,"maxRequests":-2},{},null]}}),
                format!(
                    r#"{{"rateLimits":{{"rules":{{"0":{{"audience":{{"code":"validation_in_invalid","message":"Must be a valid value."}},"duration":{m1},"label":{BLANK},"maxRequests":{m1}}},"1":{{"duration":{BLANK},"label":{BLANK},"maxRequests":{BLANK}}},"2":{{"duration":{BLANK},"label":{BLANK},"maxRequests":{BLANK}}}}}}}}}"#,
                    m1 = min_err(1)
                ),
            ),
            (
                json!({"superuserIPs":["127.0.0.1","","::1/200"],"trustedProxy":{"headers":["","bad header"]}}),
                format!(r#"{{"superuserIPs":{{"1":{BLANK},"2":{BAD_IP}}}}}"#),
            ),
        ];
        for (body, want) in cases {
            assert_eq!(errors_of(body.clone()), want, "{body}");
        }
    }

    #[test]
    fn list_indexes_sort_as_strings() {
        let ips: Vec<String> = (1..=12).map(|i| i.to_string()).collect();
        let v: Value = serde_json::from_str(&errors_of(json!({ "superuserIPs": ips }))).unwrap();
        let keys: Vec<&String> = v["superuserIPs"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["0", "1", "10", "11", "2", "3", "4", "5", "6", "7", "8", "9"]
        );
    }

    #[test]
    fn conflicting_rules() {
        let rule = |label: &str, audience: &str| json!({"label": label, "audience": audience, "duration": 1, "maxRequests": 1});
        // `/a@@` is a prefix of `/a@@@guest`; reported on the later rule, even when disabled.
        assert_eq!(
            errors_of(json!({"rateLimits":{"rules":[rule("/a",""), rule("/a","@guest")]}})),
            r#"{"rateLimits":{"rules":{"1":{"label":{"code":"validation_conflicting_rate_limit_rule","message":"Rate limit rule configuration with label /a already exists or conflicts with another rule.","params":{"label":"/a"}}}}}}"#
        );
        // Only the first conflict is reported.
        let errs = errors_of(json!({"rateLimits":{"rules":[
            rule("/a","@auth"), rule("/a","@guest"), rule("/b",""), rule("/b",""), rule("/c",""), rule("/c","")
        ]}}));
        assert!(
            errs.starts_with(r#"{"rateLimits":{"rules":{"3":{"label""#),
            "{errs}"
        );
        assert!(!errs.contains(r#""5""#));
        // Invalid rules hide conflicts.
        assert_eq!(
            errors_of(
                json!({"rateLimits":{"rules":[rule("/a",""), rule("/a",""), rule("bad!","")]}})
            ),
            r#"{"rateLimits":{"rules":{"2":{"label":{"code":"validation_match_invalid","message":"Must be in a valid format."}}}}}"#
        );
        // No conflict: distinct audiences, or labels that are not prefixes of each other's key.
        for rules in [
            json!([rule("/a", "@auth"), rule("/a", "@guest"), rule("/a/", "")]),
            json!([rule("/a", ""), rule("/ab", "")]),
            json!([rule("users:auth", ""), rule("users:authRefresh", "")]),
        ] {
            let s = Settings::default()
                .apply_patch(&json!({"rateLimits":{"enabled":true,"rules":rules}}))
                .unwrap();
            assert!(s.validate().is_ok(), "{rules}");
        }
    }

    #[test]
    fn valid_settings_pass() {
        let s = Settings::default()
            .apply_patch(&json!({
                "smtp":{"enabled":true,"host":"mail.test","port":25,"authMethod":"LOGIN","localName":"me.local"},
                "s3":{"enabled":true,"endpoint":"https://s3.test","bucket":"b","region":"r","accessKey":"k","secret":"s"},
                "backups":{"cron":"0 3 * * 1-5","cronMaxKeep":7},
                "batch":{"enabled":true,"maxRequests":10,"timeout":5,"maxBodySize":1000},
                "rateLimits":{"enabled":true,"excludedIPs":["10.0.0.0/8","::1"]},
                "superuserIPs":["127.0.0.1","fe80::1%eth0"],
                "meta":{"appURL":"http://[::1]:8090","senderAddress":"\"a\".\"b\"@c.co","accentColor":"#ABCDEF"},
                "trustedProxy":{"headers":["", "bad header"]},
                "logs":{"minLevel":-100}
            }))
            .unwrap();
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn rule_labels() {
        for ok in [
            "GET /api/x",
            "get /a",
            "users:auth",
            "*:auth",
            "abc",
            "/",
            "/a-b_c/",
        ] {
            assert!(is_valid_rule_label(ok), "{ok}");
        }
        for bad in [
            "*", "a b", "GET  /a", "GET /a b", "users:", "/api/é", "é", "/a.b", "GET a", "a:b:c",
            "*:*",
        ] {
            assert!(!is_valid_rule_label(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        for ok in [
            "http://localhost:8090",
            "example.com",
            "ftp://x",
            "https://example.com/path?q=1#frag",
            "http://user:pass@example.com",
            "http://[::1]:8090",
            "http://[fe80::1%25eth0]",
            "http://127.0.0.1",
            "http://1.2.3.255",
            "1.2.3.4",
            "https://例子.测试",
            "example.com:8080",
            "localhost:8090",
            "mailto:a@b.com",
            "http://a.com.",
            "http://123",
            "http://a/b@c.com",
            "ws://x.io",
        ] {
            assert!(is_valid_url(ok), "{ok}");
        }
        for bad in [
            "",
            "localhost",
            "foo://bar.com",
            "http://",
            "http://a b.com",
            "http://a_b",
            "HTTP://EXAMPLE.COM",
            "http://999.1.1.1",
            "https://-example.com",
            "https://example.com:123456",
            "http://example.com/%zz",
            "http://example.com#%zz",
            "http://.com",
            "http://x{@a.com",
            "http://0.1.2.3",
            "http://224.1.1.1",
            "http://1.2.3",
            "abc",
            "http:x.com",
            "http://[1::2::3]",
            "http://example.com/\u{1}",
            "file:///etc/passwd",
            "//example.com",
            "http://a:b",
        ] {
            assert!(!is_valid_url(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in [
            "a@b.c",
            "a.b@c.com",
            "a+b@c.com",
            "a!#$%&*+/=?^_`{|}~@b.com",
            "\"a\"@b.co",
            "\"(a\"@b.co",
            "\" a \"@b.co",
            "\"a\".\"b\".\"c\"@c.co",
            "a@b_c.com",
            "é@é.com",
            "a@b.com.",
            "a@b..c.com",
            "a@b.c-d",
            "a@b.cd.-e.f",
            "A@B.COM",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a@b",
            "a..b@c.com",
            ".a@c.com",
            "\"a b\"@c.com",
            "\"ab\"@c.com",
            "\"(é\"@b.co",
            "\"a\".b@c.co",
            "a(b)@c.com",
            "a@-b.com",
            "a@b-.com",
            "a@b.c1",
            "a@1.2.3.4",
            "a@[1.2.3.4]",
            "a@b.c.-d",
            "a@b.c..d",
            "a@b.c._d",
            "a@localhost",
            "😀@b.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn ips_and_subnets() {
        for ok in [
            "1.2.3.4",
            "10.0.0.0/8",
            "::1",
            "fe80::/10",
            "::ffff:1.2.3.4",
            "1.2.3.4/0",
            "::/0",
            "::ffff:1.2.3.4/120",
            "fe80::1%eth0",
            "fe80::1%eth0/129",
            "::1%x/y",
            "1:2:3:4:5:6:1.2.3.4",
        ] {
            assert!(is_valid_ip_or_cidr(ok), "{ok}");
        }
        for bad in [
            "",
            "abc",
            "1.2.3.4/33",
            "1.2.3.4/",
            "1.2.3.4/08",
            "1.2.3.4/+8",
            "01.2.3.4",
            " 1.2.3.4",
            "[::1]",
            "1::2::3",
            "::1/129",
            "1.2.3.4%x/8",
            "fe80::1%",
            "1.2.3.4/24/8",
            "1.2.3.4/32%x",
        ] {
            assert!(!is_valid_ip_or_cidr(bad), "{bad}");
        }
    }

    #[test]
    fn hosts() {
        let long_ok = format!("{}.com", "x".repeat(63));
        let long_bad = format!("{}.com", "x".repeat(64));
        for ok in ["a_b.c-d.", "1.2.3.4", "::1", "a", "a.com.", "a_", &long_ok] {
            assert!(is_valid_host(ok), "{ok}");
        }
        for bad in [
            "",
            "a b",
            "[::1]",
            "-a.com",
            "a..b",
            ".a",
            "é.com",
            &long_bad,
            "fe80::1%eth0",
            "a:80",
            "a.com..",
        ] {
            assert!(!is_valid_host(bad), "{bad}");
        }
    }

    #[test]
    fn cron_expressions() {
        const SEGMENTS: &str = "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments.";
        const VALUE: &str =
            "Invalid segment value - must be between the min and max of the segment.";
        let cases: &[(&str, Option<&str>)] = &[
            ("@daily", None),
            ("@hourly", None),
            ("@yearly", None),
            ("@annually", None),
            ("@monthly", None),
            ("@weekly", None),
            ("@midnight", None),
            ("*/5 * * * *", None),
            ("1-5/2 * * * *", None),
            ("1,2,3 * * * *", None),
            ("+5 * * * *", None),
            ("05 * * * *", None),
            ("*/+2 * * * *", None),
            ("0-0/1 * * * *", None),
            ("59 23 31 12 6", None),
            ("1,2-3,*/4 * * * *", None),
            ("", Some(SEGMENTS)),
            ("@every 5m", Some(SEGMENTS)),
            ("@DAILY", Some(SEGMENTS)),
            (" @daily", Some(SEGMENTS)),
            ("0 0  * * *", Some(SEGMENTS)),
            ("0\t0 * * *", Some(SEGMENTS)),
            ("* * * * * *", Some(SEGMENTS)),
            ("60 * * * *", Some(VALUE)),
            ("* * 0 * *", Some(VALUE)),
            ("* * * * 7", Some(VALUE)),
            ("999999999999999999 * * * *", Some(VALUE)),
            ("*/0 * * * *", Some("Invalid segment step boundary - the step must be between 1 and the 59.")),
            ("* */24 * * *", Some("Invalid segment step boundary - the step must be between 1 and the 23.")),
            ("*/-1 * * * *", Some("Invalid segment step boundary - the step must be between 1 and the 59.")),
            ("5/2 * * * *", Some("Invalid segment step - step > 1 could be used only with the wildcard or range format.")),
            ("x/2 * * * *", Some("Invalid segment step - step > 1 could be used only with the wildcard or range format.")),
            ("5-1 * * * *", Some("Invalid segment range maximum - must be between 5 and 59.")),
            ("* * * * 1-7", Some("Invalid segment range maximum - must be between 1 and 6.")),
            ("60-61 * * * *", Some("Invalid segment range minimum - must be between 0 and 59.")),
            ("* * 0-5 * *", Some("Invalid segment range minimum - must be between 1 and 31.")),
            ("1-2-3 * * * *", Some("Invalid segment range format - the range must have 1 or 2 parts.")),
            ("*/2/3 * * * *", Some("Invalid segment step format - must be in the format */n or 1-30/n.")),
            ("-1 * * * *", Some("Strconv.Atoi: parsing \"\": invalid syntax.")),
            ("1,,3 * * * *", Some("Strconv.Atoi: parsing \"\": invalid syntax.")),
            ("* * * JAN *", Some("Strconv.Atoi: parsing \"JAN\": invalid syntax.")),
            ("*-5 * * * *", Some("Strconv.Atoi: parsing \"*\": invalid syntax.")),
            ("+ * * * *", Some("Strconv.Atoi: parsing \"+\": invalid syntax.")),
            ("*/1-2 * * * *", Some("Strconv.Atoi: parsing \"1-2\": invalid syntax.")),
            ("\" * * * *", Some("Strconv.Atoi: parsing \"\\\"\": invalid syntax.")),
            ("\u{1} * * * *", Some("Strconv.Atoi: parsing \"\\x01\": invalid syntax.")),
            ("\u{85} * * * *", Some("Strconv.Atoi: parsing \"\\u0085\": invalid syntax.")),
            ("9999999999999999999 * * * *", Some("Strconv.Atoi: parsing \"9999999999999999999\": value out of range.")),
            ("18446744073709551616x * * * *", Some("Strconv.Atoi: parsing \"18446744073709551616x\": value out of range.")),
            ("9999999999999999999x * * * *", Some("Strconv.Atoi: parsing \"9999999999999999999x\": invalid syntax.")),
        ];
        for (expr, want) in cases {
            assert_eq!(cron_error(expr).as_deref(), *want, "{expr:?}");
            assert_eq!(is_valid_cron(expr), want.is_none(), "{expr:?}");
        }
        let s = parse_cron("*/20 1-3,5 */15 * 0").unwrap();
        assert_eq!(s.minutes, BTreeSet::from([0, 20, 40]));
        assert_eq!(s.hours, BTreeSet::from([1, 2, 3, 5]));
        assert_eq!(s.days, BTreeSet::from([1, 16, 31]));
        assert_eq!(s.months, (1..=12).collect());
        assert_eq!(s.days_of_week, BTreeSet::from([0]));
        assert_eq!(parse_cron("@weekly"), parse_cron("0 0 * * 0"));
    }
}
