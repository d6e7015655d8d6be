//! Reading and writing `_collections` rows.

use super::{StoreError, Tx};
use crate::model::Collection;
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, system, type, name, fields, indexes, listRule, viewRule, createRule, updateRule, deleteRule, options, created, updated";

fn from_row(r: &Row) -> rusqlite::Result<Result<Collection, String>> {
    let fields: String = r.get(4)?;
    let indexes: String = r
        .get::<_, Option<String>>(5)?
        .unwrap_or_else(|| "[]".into());
    let options: String = r
        .get::<_, Option<String>>(11)?
        .unwrap_or_else(|| "{}".into());
    let kind: String = r.get(2)?;
    Ok(Collection::from_row(
        r.get(0)?,
        r.get(1)?,
        &kind,
        r.get(3)?,
        &fields,
        &indexes,
        [r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?],
        &options,
        r.get(12)?,
        r.get(13)?,
    ))
}

/// Every collection in creation order (`rowid`).
pub fn load_all(conn: &Connection) -> Result<Vec<Collection>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM `_collections` ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?.map_err(StoreError::Corrupt)?);
    }
    Ok(out)
}

fn json_text<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn insert_collection(tx: &Tx, c: &Collection) -> Result<(), StoreError> {
    tx.mark_collections_changed();
    let fields = json_text(&c.fields)?;
    let indexes = json_text(&c.indexes)?;
    let options = json_text(&c.options_json())?;
    tx.with(|conn| conn.execute(
        &format!("INSERT INTO `_collections` ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"),
        params![
            c.id,
            c.system,
            c.kind.as_str(),
            c.name,
            fields,
            indexes,
            c.list_rule,
            c.view_rule,
            c.create_rule,
            c.update_rule,
            c.delete_rule,
            options,
            c.created,
            c.updated
        ],
    ))?;
    Ok(())
}

pub fn update_collection(tx: &Tx, c: &Collection) -> Result<(), StoreError> {
    tx.mark_collections_changed();
    let fields = json_text(&c.fields)?;
    let indexes = json_text(&c.indexes)?;
    let options = json_text(&c.options_json())?;
    tx.with(|conn| conn.execute(
        "UPDATE `_collections` SET system=?2, type=?3, name=?4, fields=?5, indexes=?6, listRule=?7, viewRule=?8, createRule=?9, updateRule=?10, deleteRule=?11, options=?12, updated=?13 WHERE id=?1",
        params![
            c.id,
            c.system,
            c.kind.as_str(),
            c.name,
            fields,
            indexes,
            c.list_rule,
            c.view_rule,
            c.create_rule,
            c.update_rule,
            c.delete_rule,
            options,
            c.updated
        ],
    ))?;
    Ok(())
}

pub fn delete_collection(tx: &Tx, id: &str) -> Result<(), StoreError> {
    tx.mark_collections_changed();
    tx.with(|conn| conn.execute("DELETE FROM `_collections` WHERE id=?1", [id]))?;
    Ok(())
}

/// True when a table, view or index with this name exists in the database (case-insensitive).
pub fn sqlite_object_exists(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE lower(name)=lower(?1)",
        [name],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// The table an index with this name belongs to, if it exists.
pub fn index_owner(conn: &Connection, name: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT tbl_name FROM sqlite_master WHERE type='index' AND lower(name)=lower(?1)",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Ids of the collections matching a built WHERE/ORDER, and the total count when asked for.
pub fn list_ids(
    conn: &Connection,
    where_sql: &str,
    order_sql: &str,
    params: &[super::records::Param],
    limit: i64,
    offset: i64,
    with_total: bool,
) -> Result<(Vec<String>, Option<i64>), StoreError> {
    let order = if order_sql.is_empty() {
        "rowid".to_string()
    } else {
        order_sql.to_string()
    };
    let sql = format!("SELECT id FROM `_collections` WHERE {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
    let mut stmt = conn.prepare(&sql)?;
    super::records::bind_params(&mut stmt, params)?;
    let mut rows = stmt.raw_query();
    let mut ids = Vec::new();
    while let Some(r) = rows.next()? {
        ids.push(r.get(0)?);
    }
    let total = if with_total {
        let mut stmt = conn.prepare(&format!(
            "SELECT COUNT(*) FROM `_collections` WHERE {where_sql}"
        ))?;
        super::records::bind_params(&mut stmt, params)?;
        let mut rows = stmt.raw_query();
        Some(match rows.next()? {
            Some(r) => r.get(0)?,
            None => 0,
        })
    } else {
        None
    };
    Ok((ids, total))
}
