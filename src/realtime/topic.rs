//! A subscription as submitted (`posts/*?options=<url-encoded JSON>`): the exact string (the SSE event
//! name), the collection part, what it targets and the `query`/`headers` of its options (spec 05 §3.1).

use serde_json::Value;
use std::sync::Arc;

/// What a subscription asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `{collection}/*`: every record (list rule).
    All,
    /// `{collection}` with no slash: the deprecated alias of `/*` (list rule).
    Alias,
    /// `{collection}/{id}`: one record (view rule).
    Record(Box<str>),
}

/// The parsed `options` of a subscription: every value as text, header names as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubOptions {
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl SubOptions {
    /// The `query` value of `key` ("" when absent).
    pub fn query_value(&self, key: &str) -> &str {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// One subscription of a client.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// The whole string as submitted: the key and the SSE `event:` name.
    pub raw: Arc<str>,
    /// The part before the first `/` (or the whole topic): a collection name or id for record topics.
    pub collection: Box<str>,
    pub target: Target,
    /// The options (`None` without a valid `options` param). Shared, since equal options shape equal
    /// payloads.
    pub options: Option<Arc<SubOptions>>,
    /// The raw `options` text, the grouping key of identical option sets ("" without options).
    pub options_key: Arc<str>,
    /// The broker's event sequence number when the subscription was added: only events committed
    /// after it (a greater number) reach it.
    pub since: u64,
}

impl Subscription {
    /// Parses a submitted subscription string (never fails: unknown forms simply match no record).
    pub fn parse(raw: &str) -> Subscription {
        let (topic, query) = raw.split_once('?').unwrap_or((raw, ""));
        let (collection, target) = match topic.split_once('/') {
            Some((c, "*")) => (c, Target::All),
            Some((c, id)) => (c, Target::Record(id.into())),
            None => (topic, Target::Alias),
        };
        let options_text = query_param(query, "options");
        let options = options_text
            .as_deref()
            .and_then(parse_options)
            .map(Arc::new);
        let options_key: Arc<str> = match &options {
            Some(_) => options_text.unwrap_or_default().into(),
            None => "".into(),
        };
        Subscription {
            raw: raw.into(),
            collection: collection.into(),
            target,
            options,
            options_key,
            since: 0,
        }
    }

    /// True for the record topics of the collection named `name` or with id `id`.
    pub fn is_for_collection(&self, name: &str, id: &str) -> bool {
        &*self.collection == name || &*self.collection == id
    }
}

/// The first value of `key` in a query string (`+` and `%XX` decoded).
fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == key).then(|| decode(v))
    })
}

/// Decodes `+` and `%XX`; invalid escapes stay as written.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `{"query":{…},"headers":{…}}`; anything that is not a JSON object is ignored.
fn parse_options(text: &str) -> Option<SubOptions> {
    let v: Value = serde_json::from_str(text).ok()?;
    let obj = v.as_object()?;
    Some(SubOptions {
        query: string_pairs(obj.get("query")),
        headers: string_pairs(obj.get("headers")),
    })
}

fn string_pairs(v: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Object(m)) = v else {
        return Vec::new();
    };
    m.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_forms() {
        let s = Subscription::parse("posts/*");
        assert_eq!((&*s.collection, &s.target), ("posts", &Target::All));
        assert!(s.options.is_none());
        let s = Subscription::parse("pbc_1/abc");
        assert_eq!(s.target, Target::Record("abc".into()));
        let s = Subscription::parse("posts");
        assert_eq!(s.target, Target::Alias);
        let s = Subscription::parse("posts/*?x=1");
        assert_eq!((&*s.raw, &*s.collection), ("posts/*?x=1", "posts"));
        assert!(s.options.is_none());
    }

    #[test]
    fn options_are_decoded_and_stringified() {
        let raw = "posts/*?options=%7B%22query%22%3A%20%7B%22expand%22%3A%20%22owner%22%2C%22n%22%3A5%7D%2C%22headers%22%3A%7B%22X-Token%22%3A%22t%22%7D%7D";
        let s = Subscription::parse(raw);
        let o = s.options.expect("options");
        assert_eq!(o.query_value("expand"), "owner");
        assert_eq!(o.query_value("n"), "5");
        assert_eq!(o.headers, vec![("X-Token".to_string(), "t".to_string())]);
        assert!(!s.options_key.is_empty());
        assert!(Subscription::parse("posts/*?options=%7Bbad")
            .options
            .is_none());
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%zz+%41"), "%zz A");
    }
}
