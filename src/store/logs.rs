//! Request logs in `auxiliary.db`: a buffered writer that batches inserts off the request path.

use super::{Db, StoreError};
use rusqlite::params;
use std::time::Duration;

/// One `_logs` row, as queued: `message` and `data` share one allocation (`text[..split]` is the
/// message); `id` and `created` are written out from `at` and `seq` only when the batch is flushed.
#[derive(Debug, Clone)]
pub struct LogEntry {
    level: i64,
    /// The `message` column's text followed by the `data` column's JSON text.
    text: Box<str>,
    split: u32,
    /// When the row was made: gives its `created` and, with `seq`, its time-ordered `id`.
    at: chrono::DateTime<chrono::Utc>,
    seq: u32,
}

impl LogEntry {
    /// A row made now: `message` is the concatenation of its parts, `data` is serialized as JSON
    /// (`{}` if it cannot be), both into one buffer.
    pub fn new(level: i64, message: &[&str], data: &impl serde::Serialize) -> LogEntry {
        use std::sync::atomic::{AtomicU32, Ordering};
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let message_len: usize = message.iter().map(|p| p.len()).sum();
        let mut buf = Vec::with_capacity(message_len * 2 + 256);
        for part in message {
            buf.extend_from_slice(part.as_bytes());
        }
        if serde_json::to_writer(&mut buf, data).is_err() {
            buf.truncate(message_len);
            buf.extend_from_slice(b"{}");
        }
        // both halves are UTF-8 (a `str` and serde_json's output)
        let text = String::from_utf8(buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        LogEntry {
            level,
            text: text.into_boxed_str(),
            split: message_len as u32,
            at: chrono::Utc::now(),
            seq: SEQ.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// A time-ordered id in PocketBase's `[a-z0-9]{15}` shape: 9 base-36 digits of milliseconds and 6 of a
/// per-process counter. Ordered ids append to the primary-key index instead of landing at random
/// places in it, which makes the batched inserts much cheaper.
fn log_id(millis: i64, seq: u32) -> [u8; 15] {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 15];
    let mut put = |mut v: u64, from: usize, width: usize| {
        for i in (from..from + width).rev() {
            out[i] = DIGITS[(v % 36) as usize];
            v /= 36;
        }
    };
    put(millis.max(0) as u64, 0, 9);
    put(u64::from(seq) % 36u64.pow(6), 9, 6);
    out
}

/// Buffers log rows and writes them to the auxiliary database in batches (every 3 s, or as soon as
/// 65,536 rows wait). Big batches matter: the `message` index takes random inserts, so every batch
/// rewrites a page of it per few rows; more rows per batch share those page writes (4× the rows per
/// batch took the writer from ~13 % to ~9 % of the server's CPU under a view-by-id load). Queuing a row
/// is a push under a short mutex: no task wake-up per request.
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
const BATCH: usize = 65_536;
/// Rows kept at most while the database lags behind; newer rows are dropped.
const MAX_PENDING: usize = 131_072;

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

/// Rows per multi-row `INSERT`: one statement run opens the table's and its four indexes' cursors once
/// for all of them.
const ROWS_PER_INSERT: usize = 64;

/// `INSERT INTO _logs … VALUES (…), (…), …` for `n` rows.
fn insert_sql(n: usize) -> String {
    let mut sql = String::from("INSERT INTO `_logs` (id, level, message, data, created) VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?)");
    }
    sql
}

/// Binds row `r` as the `slot`-th row of a multi-row insert.
fn bind_row(stmt: &mut rusqlite::Statement, slot: usize, r: &LogEntry) -> rusqlite::Result<()> {
    let id = log_id(r.at.timestamp_millis(), r.seq);
    let id = std::str::from_utf8(&id).unwrap_or_default();
    let (message, data) = r.text.split_at(r.split as usize);
    let created = crate::model::datetime::format(r.at);
    let at = slot * 5;
    stmt.raw_bind_parameter(at + 1, id)?;
    stmt.raw_bind_parameter(at + 2, r.level)?;
    stmt.raw_bind_parameter(at + 3, message)?;
    stmt.raw_bind_parameter(at + 4, data)?;
    stmt.raw_bind_parameter(at + 5, created)
}

async fn flush(aux: &Db, rows: Vec<LogEntry>) {
    if rows.is_empty() {
        return;
    }
    let res = aux
        .write(move |tx| {
            tx.with(|conn| {
                // rows go in in the order they were queued, so `rowid` order stays time order
                let mut chunks = rows.chunks_exact(ROWS_PER_INSERT);
                if chunks.len() > 0 {
                    let mut stmt = conn.prepare_cached(&insert_sql(ROWS_PER_INSERT))?;
                    for chunk in chunks.by_ref() {
                        for (slot, r) in chunk.iter().enumerate() {
                            bind_row(&mut stmt, slot, r)?;
                        }
                        stmt.raw_execute()?;
                    }
                }
                let rest = chunks.remainder();
                if !rest.is_empty() {
                    let mut stmt = conn.prepare_cached(&insert_sql(1))?;
                    for r in rest {
                        bind_row(&mut stmt, 0, r)?;
                        stmt.raw_execute()?;
                    }
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

#[cfg(test)]
mod tests {
    use super::{flush, log_id, LogEntry, ROWS_PER_INSERT};
    use crate::store::Db;

    /// A flush of more rows than one multi-row insert takes writes every row once, in queue order
    /// (`rowid` order is `id` order), with its level, message, data and `created`.
    #[tokio::test]
    async fn flush_writes_every_row_in_queue_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let aux = Db::open(&dir.path().join("auxiliary.db"), 1, false).expect("open");
        crate::store::schema::bootstrap_aux(&aux).expect("schema");
        let n = ROWS_PER_INSERT * 2 + 3;
        let rows: Vec<LogEntry> = (0..n)
            .map(|i| {
                let path = format!("/api/x/{i}");
                LogEntry::new(
                    (i % 3) as i64,
                    &["GET ", &path],
                    &serde_json::json!({ "n": i }),
                )
            })
            .collect();
        let first_created = crate::model::datetime::format(rows[0].at);
        flush(&aux, rows).await;
        let got: Vec<(String, i64, String, String, String)> = aux
            .read_blocking(|c| {
                let mut stmt = c.prepare(
                    "SELECT id, level, message, data, created FROM _logs ORDER BY rowid",
                )?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .expect("read");
        assert_eq!(got.len(), n);
        for (i, (id, level, message, data, _)) in got.iter().enumerate() {
            assert_eq!(*level, (i % 3) as i64);
            assert_eq!(message, &format!("GET /api/x/{i}"));
            assert_eq!(data, &format!("{{\"n\":{i}}}"));
            assert_eq!(id.len(), 15);
        }
        assert!(
            got.windows(2).all(|w| w[0].0 < w[1].0),
            "ids follow rowid order"
        );
        assert_eq!(got[0].4, first_created);
    }

    #[test]
    fn log_ids_have_pocketbase_shape_and_follow_time_then_sequence() {
        let text = |millis, seq| String::from_utf8(log_id(millis, seq).to_vec()).unwrap();
        let a = text(1_764_300_000_000, 35);
        assert_eq!(a.len(), 15);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert!(a < text(1_764_300_000_000, 36));
        assert!(text(1_764_300_000_000, 999_999) < text(1_764_300_000_001, 0));
        assert_eq!(&text(0, 1)[9..], "000001");
    }
}
