//! Request logs in `auxiliary.db`: a buffered writer that batches inserts off the request path.

use super::{Db, StoreError};
use rusqlite::params;
use serde_json::Value;
use std::time::Duration;
use tokio::sync::mpsc;

/// One `_logs` row.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub id: String,
    pub level: i64,
    pub message: String,
    pub data: Value,
    pub created: String,
}

/// Sends log rows to the auxiliary database in batches (every 3 s or 200 rows).
#[derive(Clone)]
pub struct LogWriter {
    tx: mpsc::Sender<LogEntry>,
}

impl LogWriter {
    /// Starts the batching task on the current tokio runtime.
    pub fn start(aux: Db) -> LogWriter {
        let (tx, mut rx) = mpsc::channel::<LogEntry>(10_000);
        tokio::spawn(async move {
            let mut buf: Vec<LogEntry> = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_secs(3));
            loop {
                tokio::select! {
                    entry = rx.recv() => match entry {
                        Some(e) => {
                            buf.push(e);
                            if buf.len() >= 200 {
                                flush(&aux, std::mem::take(&mut buf)).await;
                            }
                        }
                        None => {
                            flush(&aux, std::mem::take(&mut buf)).await;
                            break;
                        }
                    },
                    _ = tick.tick() => {
                        if !buf.is_empty() {
                            flush(&aux, std::mem::take(&mut buf)).await;
                        }
                    }
                }
            }
        });
        LogWriter { tx }
    }

    /// Queues a row; drops it when the queue is full rather than slowing the request.
    pub fn log(&self, entry: LogEntry) {
        let _ = self.tx.try_send(entry);
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
                    stmt.execute(params![r.id, r.level, r.message, r.data.to_string(), r.created])?;
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
