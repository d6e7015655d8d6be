//! A small bounded cache of parsed filters and rules, keyed by their text, so hot list filters and API
//! rules are not parsed again on every request.

use crate::filter::{self, Expr, FilterError, Limits};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Entries kept at most; when full, the oldest half is dropped.
const CAPACITY: usize = 1000;

/// Which limits apply to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParseKind {
    /// A client `filter` param: the default limits (3500 bytes, 200 comparisons).
    Filter,
    /// A stored rule: no length limit.
    Rule,
}

type Entry = Result<Arc<Expr>, FilterError>;

struct Cache {
    map: HashMap<(ParseKind, String), (u64, Entry)>,
    tick: u64,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(Cache {
            map: HashMap::new(),
            tick: 0,
        })
    })
}

/// Parses `text` (or returns the cached result of an earlier parse of the same text).
pub fn parse_cached(text: &str, kind: ParseKind) -> Result<Arc<Expr>, FilterError> {
    let key = (kind, text.to_string());
    {
        let mut c = cache().lock();
        c.tick += 1;
        let tick = c.tick;
        if let Some((used, entry)) = c.map.get_mut(&key) {
            *used = tick;
            return entry.clone();
        }
    }
    let limits = match kind {
        ParseKind::Filter => Limits::default(),
        ParseKind::Rule => Limits {
            max_len: None,
            ..Limits::default()
        },
    };
    let entry: Entry = filter::parse_with(text, &limits).map(Arc::new);
    let mut c = cache().lock();
    if c.map.len() >= CAPACITY {
        // drop the least recently used half
        let mut ticks: Vec<u64> = c.map.values().map(|(t, _)| *t).collect();
        ticks.sort_unstable();
        let cut = ticks[ticks.len() / 2];
        c.map.retain(|_, (t, _)| *t > cut);
    }
    let tick = c.tick;
    c.map.insert(key, (tick, entry.clone()));
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_results_and_errors() {
        let a = parse_cached("title = 'cache-test'", ParseKind::Filter).unwrap();
        let b = parse_cached("title = 'cache-test'", ParseKind::Filter).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(parse_cached("title == 'x'", ParseKind::Filter).is_err());
        assert!(parse_cached("title == 'x'", ParseKind::Filter).is_err());
        let long = format!("title = '{}'", "x".repeat(4000));
        assert!(parse_cached(&long, ParseKind::Filter).is_err());
        assert!(parse_cached(&long, ParseKind::Rule).is_ok());
    }

    #[test]
    fn stays_bounded() {
        for i in 0..(CAPACITY + 50) {
            parse_cached(&format!("views = {i}"), ParseKind::Rule).unwrap();
        }
        assert!(cache().lock().map.len() <= CAPACITY);
    }
}
