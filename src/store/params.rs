//! The `_params` key/value rows (the app settings live under id `settings`).

use super::{StoreError, Tx};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

/// The JSON stored under `id`, if any (`None` also when it is not JSON, e.g. encrypted).
pub fn get(conn: &Connection, id: &str) -> Result<Option<Value>, StoreError> {
    Ok(get_raw(conn, id)?.and_then(|s| serde_json::from_slice(&s).ok()))
}

/// The raw bytes stored under `id`, if any.
pub fn get_raw(conn: &Connection, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    // PocketBase writes the value as a BLOB, Ferrobase as TEXT: accept both.
    let raw: Option<Option<Vec<u8>>> = conn
        .query_row("SELECT value FROM `_params` WHERE id=?1", [id], |r| {
            Ok(match r.get_ref(0)? {
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                    Some(t.to_vec())
                }
                _ => None,
            })
        })
        .optional()?;
    Ok(raw.flatten())
}

/// Inserts or replaces the JSON under `id`.
pub fn set(tx: &Tx, id: &str, value: &Value) -> Result<(), StoreError> {
    set_raw(tx, id, &value.to_string())
}

/// Inserts or replaces the text under `id`.
pub fn set_raw(tx: &Tx, id: &str, value: &str) -> Result<(), StoreError> {
    let now = crate::model::datetime::now();
    tx.with(|conn| {
        conn.execute(
            "INSERT INTO `_params` (id, value, created, updated) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT(id) DO UPDATE SET value=excluded.value, updated=excluded.updated",
            params![id, value, now],
        )
    })?;
    Ok(())
}
