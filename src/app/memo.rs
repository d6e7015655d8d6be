//! Short-lived in-memory marks and counters of one app (resend blocks, attempt limits); lost on restart.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Entries older than this are dropped when the map grows.
const MAX_AGE: Duration = Duration::from_secs(3600);

/// When the map holds this many entries, stale ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct Memo {
    /// key → (start of the current window / time of the mark, count in the window)
    entries: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Memo {
    /// Remembers that `key` happened now.
    pub fn mark(&self, key: &str) {
        let mut m = self.entries.lock();
        sweep(&mut m);
        m.insert(key.to_string(), (Instant::now(), 1));
    }

    /// Forgets `key`.
    pub fn forget(&self, key: &str) {
        self.entries.lock().remove(key);
    }

    /// True when `key` was marked less than `within` ago.
    pub fn marked_within(&self, key: &str, within: Duration) -> bool {
        self.entries
            .lock()
            .get(key)
            .is_some_and(|(at, _)| at.elapsed() < within)
    }

    /// Counts one attempt for `key` in a fixed window of `window` that starts with its first attempt;
    /// false when this attempt is over `max`.
    pub fn attempt(&self, key: &str, window: Duration, max: u32) -> bool {
        let mut m = self.entries.lock();
        sweep(&mut m);
        let entry = m.entry(key.to_string()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
        entry.1 <= max
    }
}

fn sweep(m: &mut HashMap<String, (Instant, u32)>) {
    if m.len() >= SWEEP_AT {
        m.retain(|_, (at, _)| at.elapsed() < MAX_AGE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_attempts() {
        let m = Memo::default();
        assert!(!m.marked_within("a", Duration::from_secs(60)));
        m.mark("a");
        assert!(m.marked_within("a", Duration::from_secs(60)));
        assert!(!m.marked_within("a", Duration::ZERO));
        m.forget("a");
        assert!(!m.marked_within("a", Duration::from_secs(60)));
        for _ in 0..5 {
            assert!(m.attempt("k", Duration::from_secs(60), 5));
        }
        assert!(!m.attempt("k", Duration::from_secs(60), 5));
        assert!(m.attempt("k", Duration::ZERO, 5), "a new window starts");
    }
}
