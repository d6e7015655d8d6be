//! The `_migrations` table: one row per applied migration file, `applied` in unix microseconds.

use super::{StoreError, Tx};
use rusqlite::{params, Connection, OptionalExtension};

/// Creates the table when missing (PocketBase creates it lazily too).
pub fn ensure_table(tx: &Tx) -> Result<(), StoreError> {
    tx.with(|conn| {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS `_migrations` (file VARCHAR(255) PRIMARY KEY NOT NULL, applied INTEGER NOT NULL)",
        )
    })?;
    Ok(())
}

/// True when `file` has a row.
pub fn is_applied(conn: &Connection, file: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM `_migrations` WHERE file = ?1 LIMIT 1",
            [file],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Records `file` as applied at `applied_micros`. Fails on a duplicate name (the primary key).
pub fn insert(tx: &Tx, file: &str, applied_micros: i64) -> Result<(), StoreError> {
    tx.with(|conn| {
        conn.execute(
            "INSERT INTO `_migrations` (file, applied) VALUES (?1, ?2)",
            params![file, applied_micros],
        )
    })?;
    Ok(())
}

/// Forgets `file` (a reverted migration).
pub fn delete(tx: &Tx, file: &str) -> Result<(), StoreError> {
    tx.with(|conn| conn.execute("DELETE FROM `_migrations` WHERE file = ?1", [file]))?;
    Ok(())
}

/// Every recorded file, the most recently applied first. Seconds (very old installs) and microseconds
/// are compared on the same scale, ties go by file name, both descending (PocketBase's order).
pub fn newest_first(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT file FROM `_migrations` WHERE applied IS NOT NULL \
         ORDER BY substr(applied||'0000000000000000', 0, 17) DESC, file DESC",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
