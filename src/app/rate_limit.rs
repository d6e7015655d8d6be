//! The rate limiters of a running instance: one fixed window per (limiter key, client), an on/off switch
//! read without a lock, and a reset on every settings change.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Windows idle longer than their duration plus this many seconds are dropped by the sweep.
const IDLE_KEEP_SECS: i64 = 1800;
/// How often (seconds) the windows are swept for idle ones.
const SWEEP_EVERY_SECS: i64 = 3600;

#[derive(Debug, Clone, Copy)]
struct Window {
    /// Unix seconds of the window's first request.
    start: i64,
    used: i64,
    duration: i64,
}

#[derive(Debug, Default)]
struct Windows {
    by_key: HashMap<(String, String), Window>,
    last_sweep: i64,
}

/// Every limiter of the app. Checking is one atomic load while rate limiting is off.
#[derive(Debug, Default)]
pub struct RateLimiters {
    enabled: AtomicBool,
    windows: Mutex<Windows>,
}

impl RateLimiters {
    pub fn new(enabled: bool) -> RateLimiters {
        RateLimiters {
            enabled: AtomicBool::new(enabled),
            windows: Mutex::default(),
        }
    }

    /// True when `settings.rateLimits.enabled` (as of the last settings change).
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Forgets every window (the settings changed) and sets the switch.
    pub fn reset(&self, enabled: bool) {
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        w.by_key.clear();
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    /// Takes one request out of `client`'s window of limiter `key` (`max` per `duration` seconds);
    /// false when the window is used up.
    pub fn allow(&self, key: &str, client: &str, max: i64, duration: i64) -> bool {
        self.allow_at(key, client, max, duration, chrono::Utc::now().timestamp())
    }

    fn allow_at(&self, key: &str, client: &str, max: i64, duration: i64, now: i64) -> bool {
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if now - w.last_sweep >= SWEEP_EVERY_SECS {
            w.by_key
                .retain(|_, win| now - win.start < win.duration + IDLE_KEEP_SECS);
            w.last_sweep = now;
        }
        let id = (key.to_string(), client.to_string());
        let win = w.by_key.entry(id).or_insert(Window {
            start: now,
            used: 0,
            duration,
        });
        if now - win.start >= win.duration || win.duration != duration {
            *win = Window {
                start: now,
                used: 0,
                duration,
            };
        }
        if win.used >= max {
            return false;
        }
        win.used += 1;
        true
    }

    /// Number of live windows (for tests).
    pub fn len(&self) -> usize {
        let w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        w.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_window_per_client() {
        let l = RateLimiters::new(true);
        assert!(l.allow_at("k", "a", 2, 3, 100));
        assert!(l.allow_at("k", "a", 2, 3, 101));
        assert!(!l.allow_at("k", "a", 2, 3, 102));
        // another client and another limiter have their own windows
        assert!(l.allow_at("k", "b", 2, 3, 102));
        assert!(l.allow_at("k2", "a", 2, 3, 102));
        // the window restarts once `duration` seconds passed since its first request
        assert!(l.allow_at("k", "a", 2, 3, 103));
        assert!(l.allow_at("k", "a", 2, 3, 103));
        assert!(!l.allow_at("k", "a", 2, 3, 105));
        assert!(l.allow_at("k", "a", 2, 3, 106));
    }

    #[test]
    fn reset_forgets_windows_and_sets_the_switch() {
        let l = RateLimiters::new(false);
        assert!(!l.enabled());
        assert!(l.allow_at("k", "a", 1, 10, 100));
        assert!(!l.allow_at("k", "a", 1, 10, 101));
        l.reset(true);
        assert!(l.enabled());
        assert!(l.is_empty());
        assert!(l.allow_at("k", "a", 1, 10, 102));
    }

    #[test]
    fn idle_windows_are_swept() {
        let l = RateLimiters::new(true);
        assert!(l.allow_at("k", "a", 1, 10, SWEEP_EVERY_SECS));
        assert!(l.allow_at("k", "b", 1, 10, SWEEP_EVERY_SECS * 2 + 5));
        assert!(l.allow_at("k", "c", 1, 10, SWEEP_EVERY_SECS * 3 + 10));
        assert_eq!(l.len(), 1);
    }
}
