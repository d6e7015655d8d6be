//! Bootstrap of `data.db` and `auxiliary.db`: PocketBase's internal tables, system collections and migration names.

use super::collections::insert_collection;
use super::table_sync::{create_collection_table, create_indexes};
use super::{Db, StoreError};
use crate::model::system_collections::system_collections;
use rusqlite::{params, Connection};

/// The system migrations PocketBase 0.40 records in a fresh `data.db`; recording them lets PocketBase open our data.
pub const SYSTEM_MIGRATIONS: [&str; 8] = [
    "1640988000_aux_init.go",
    "1640988000_init.go",
    "1717233556_v0.23_migrate.go",
    "1717233557_v0.23_migrate2.go",
    "1717233558_v0.23_migrate3.go",
    "1717233559_v0.23_migrate4.go",
    "1763020353_update_default_auth_alert_templates.go",
    "1778828400_normalize_indexes.go",
];

const INTERNAL_TABLES: &str = "
CREATE TABLE IF NOT EXISTS `_migrations` (file VARCHAR(255) PRIMARY KEY NOT NULL, applied INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS `_params` (
    `id`      TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL,
    `value`   JSON DEFAULT NULL,
    `created` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL,
    `updated` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL
);
CREATE TABLE IF NOT EXISTS `_collections` (
    `id`         TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL,
    `system`     BOOLEAN DEFAULT FALSE NOT NULL,
    `type`       TEXT DEFAULT 'base' NOT NULL,
    `name`       TEXT UNIQUE NOT NULL,
    `fields`     JSON DEFAULT '[]' NOT NULL,
    `indexes`    JSON DEFAULT '[]' NOT NULL,
    `listRule`   TEXT DEFAULT NULL,
    `viewRule`   TEXT DEFAULT NULL,
    `createRule` TEXT DEFAULT NULL,
    `updateRule` TEXT DEFAULT NULL,
    `deleteRule` TEXT DEFAULT NULL,
    `options`    JSON DEFAULT '{}' NOT NULL,
    `created`    TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL,
    `updated`    TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL
);
CREATE INDEX IF NOT EXISTS idx__collections_type on `_collections` (`type`);
";

const LOGS_TABLE: &str = "
CREATE TABLE IF NOT EXISTS `_logs` (
    `id`      TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL,
    `level`   INTEGER DEFAULT 0 NOT NULL,
    `message` TEXT DEFAULT '' NOT NULL,
    `data`    JSON DEFAULT '{}' NOT NULL,
    `created` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_logs_level on `_logs` (`level`);
CREATE INDEX IF NOT EXISTS idx_logs_message on `_logs` (`message`);
CREATE INDEX IF NOT EXISTS idx_logs_created_hour on `_logs` (strftime('%Y-%m-%d %H:00:00', `created`));
";

fn table_exists(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?1",
        [name],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Creates the internal tables and system collections when `data.db` is new. Returns true when it was.
pub fn bootstrap_data(db: &Db) -> Result<bool, StoreError> {
    db.write_blocking(|tx| {
        if tx.with(|conn| table_exists(conn, "_collections"))? {
            return Ok(false);
        }
        tx.with(|conn| conn.execute_batch(INTERNAL_TABLES))?;
        let now = crate::model::datetime::now();
        for mut c in system_collections() {
            c.created = now.clone();
            c.updated = now.clone();
            insert_collection(tx, &c)?;
            create_collection_table(tx, &c)?;
            create_indexes(tx, &c).map_err(|f| StoreError::Corrupt(f.message))?;
        }
        let micros = chrono::Utc::now().timestamp_micros();
        for (i, file) in SYSTEM_MIGRATIONS.iter().enumerate() {
            tx.with(|conn| {
                conn.execute(
                    "INSERT OR IGNORE INTO `_migrations` (file, applied) VALUES (?1, ?2)",
                    params![file, micros + i as i64],
                )
            })?;
        }
        Ok(true)
    })
}

/// Creates the `_logs` table of `auxiliary.db` when missing.
pub fn bootstrap_aux(db: &Db) -> Result<(), StoreError> {
    db.write_blocking(|tx| {
        tx.with(|conn| conn.execute_batch(LOGS_TABLE))?;
        Ok::<(), StoreError>(())
    })
}
