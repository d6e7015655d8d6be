//! Request logs in `auxiliary.db`: a buffered writer that batches inserts off the request path.

use super::{Db, StoreError};
use rusqlite::params;
use std::time::Duration;

/// One `_logs` row.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub id: String,
    pub level: i64,
    pub message: String,
    /// The `data` column: a JSON object's text.
    pub data: String,
    pub created: String,
}

/// A time-ordered id in PocketBase's `[a-z0-9]{15}` shape: 9 base-36 digits of milliseconds and a
/// 6-digit per-process counter. Ordered ids append to the primary-key index instead of landing at
/// random places in it, which makes the batched inserts much cheaper.
pub fn next_log_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let millis = chrono::Utc::now().timestamp_millis().max(0) as u64;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) % 36u64.pow(6);
    let mut out = [b'0'; 15];
    let mut put = |mut v: u64, from: usize, width: usize| {
        for i in (from..from + width).rev() {
            out[i] = DIGITS[(v % 36) as usize];
            v /= 36;
        }
    };
    put(millis, 0, 9);
    put(n, 9, 6);
    String::from_utf8_lossy(&out).into_owned()
}

/// Buffers log rows and writes them to the auxiliary database in batches (every 3 s, or as soon as
/// 16,384 rows wait). Big batches matter: the `message` index takes random inserts, so every batch
/// rewrites a page of it per few rows; more rows per batch share those page writes. Queuing a row is a push under a short mutex: no task wake-up per request.
#[derive(Clone)]
pub struct LogWriter {
    inner: std::sync::Arc<Buffer>,
    aux: Db,
}

struct Buffer {
    rows: parking_lot::Mutex<Vec<LogEntry>>,
    full: tokio::sync::Notify,
}

/// Rows that trigger an early flush.
const BATCH: usize = 16_384;
/// Rows kept at most while the database lags behind; newer rows are dropped.
const MAX_PENDING: usize = 65_536;

impl LogWriter {
    /// Starts the flushing task on the current tokio runtime.
    pub fn start(aux: Db) -> LogWriter {
        let inner = std::sync::Arc::new(Buffer {
            rows: parking_lot::Mutex::new(Vec::new()),
            full: tokio::sync::Notify::new(),
        });
        let buffer = inner.clone();
        let writer = aux.clone();
        tokio::spawn(async move {
            // Log pages are rewritten by every batch (the `message` index takes random inserts):
            // a longer WAL between checkpoints copies each page once instead of many times.
            let tuned = aux
                .write(|tx| {
                    tx.with(|conn| conn.pragma_update(None, "wal_autocheckpoint", 20_000))?;
                    Ok::<(), StoreError>(())
                })
                .await;
            if let Err(e) = tuned {
                tracing::warn!("setting the auxiliary database's checkpoint interval failed: {e}");
            }
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(3)) => {}
                    _ = buffer.full.notified() => {}
                }
                let rows = std::mem::take(&mut *buffer.rows.lock());
                flush(&aux, rows).await;
                if std::sync::Arc::strong_count(&buffer) == 1 {
                    break;
                }
            }
        });
        LogWriter { inner, aux: writer }
    }

    /// Writes the queued rows now (at shutdown: they would otherwise wait for the next flush).
    pub async fn flush_now(&self) {
        let rows = std::mem::take(&mut *self.inner.rows.lock());
        flush(&self.aux, rows).await;
    }

    /// Queues a row; drops it when too many are pending rather than slowing the request.
    pub fn log(&self, entry: LogEntry) {
        let mut rows = self.inner.rows.lock();
        if rows.len() >= MAX_PENDING {
            return;
        }
        rows.push(entry);
        if rows.len() == BATCH {
            self.inner.full.notify_one();
        }
    }
}

async fn flush(aux: &Db, rows: Vec<LogEntry>) {
    if rows.is_empty() {
        return;
    }
    let res = aux
        .write(move |tx| {
            tx.with(|conn| {
                let mut stmt = conn.prepare_cached(
                    "INSERT INTO `_logs` (id, level, message, data, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for r in rows {
                    stmt.execute(params![r.id, r.level, r.message, r.data, r.created])?;
                }
                Ok::<(), StoreError>(())
            })
        })
        .await;
    if let Err(e) = res {
        tracing::warn!("writing request logs failed: {e}");
    }
}

/// Deletes logs older than `max_days` days (0 deletes all) or below `min_level`.
pub async fn prune(aux: &Db, max_days: i64, min_level: i64) -> Result<(), StoreError> {
    let cutoff =
        crate::model::datetime::format(chrono::Utc::now() - chrono::Duration::days(max_days));
    aux.write(move |tx| {
        tx.with(|conn| {
            conn.execute(
                "DELETE FROM `_logs` WHERE created < ?1 OR level < ?2",
                params![cutoff, min_level],
            )
        })?;
        Ok::<(), StoreError>(())
    })
    .await
}
