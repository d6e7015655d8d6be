//! Keeping a collection's table (or view) in step with its fields and indexes.

use super::sql::ident;
use super::{StoreError, Tx};
use crate::model::field::ColumnKind;
use crate::model::index::{with_table, Index};
use crate::model::{Collection, Field};
use std::collections::HashMap;

/// The column definition of a field.
fn column_def(field: &Field) -> String {
    let ddl = match field.column_kind() {
        ColumnKind::PrimaryKey => {
            "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL"
        }
        ColumnKind::Text => "TEXT DEFAULT '' NOT NULL",
        ColumnKind::Numeric => "NUMERIC DEFAULT 0 NOT NULL",
        ColumnKind::Bool => "BOOLEAN DEFAULT FALSE NOT NULL",
        ColumnKind::Json => "JSON DEFAULT NULL",
        ColumnKind::JsonArray => "JSON DEFAULT '[]' NOT NULL",
        ColumnKind::GeoPoint => "JSON DEFAULT '{\"lon\":0,\"lat\":0}' NOT NULL",
    };
    format!("{} {ddl}", ident(&field.name))
}

fn exec(tx: &Tx, sql: &str) -> Result<(), StoreError> {
    tx.with(|c| c.execute_batch(sql))?;
    Ok(())
}

/// An index statement that SQLite refused, by its position in `indexes`.
#[derive(Debug)]
pub struct IndexFailure {
    pub position: usize,
    pub message: String,
}

/// Creates the table (base/auth) or the view of a new collection. Indexes are created by `create_indexes`.
pub fn create_collection_table(tx: &Tx, c: &Collection) -> Result<(), StoreError> {
    if c.is_view() {
        return create_view(tx, c);
    }
    let cols: Vec<String> = c.fields.iter().map(column_def).collect();
    exec(
        tx,
        &format!("CREATE TABLE {} ({})", ident(&c.name), cols.join(", ")),
    )
}

/// Creates the view of a view collection (dropping an older one).
pub fn create_view(tx: &Tx, c: &Collection) -> Result<(), StoreError> {
    exec(
        tx,
        &format!(
            "DROP VIEW IF EXISTS {name}; CREATE VIEW {name} AS SELECT * FROM ({query})",
            name = ident(&c.name),
            query = c.view_query.trim().trim_end_matches(';')
        ),
    )?;
    Ok(())
}

/// Creates every index of the collection, each with the collection's current table name.
pub fn create_indexes(tx: &Tx, c: &Collection) -> Result<(), IndexFailure> {
    for (position, raw) in c.indexes.iter().enumerate() {
        let sql = with_table(raw, &c.name);
        exec(tx, &sql).map_err(|e| IndexFailure {
            position,
            message: e.sqlite_message(),
        })?;
    }
    Ok(())
}

fn drop_indexes(tx: &Tx, c: &Collection) -> Result<(), StoreError> {
    for raw in &c.indexes {
        if let Some(idx) = Index::parse(raw) {
            exec(tx, &format!("DROP INDEX IF EXISTS {}", ident(&idx.name)))?;
        }
    }
    Ok(())
}

/// Drops a collection's table or view.
pub fn drop_collection_table(tx: &Tx, c: &Collection) -> Result<(), StoreError> {
    let what = if c.is_view() { "VIEW" } else { "TABLE" };
    exec(tx, &format!("DROP {what} IF EXISTS {}", ident(&c.name)))?;
    Ok(())
}

/// Applies the difference between `old` and `new` to the table: rename, columns by field id, indexes.
/// Index failures are reported by position so the caller can turn them into validation errors.
pub fn update_collection_table(
    tx: &Tx,
    old: &Collection,
    new: &Collection,
) -> Result<Result<(), IndexFailure>, StoreError> {
    if new.is_view() {
        exec(tx, &format!("DROP VIEW IF EXISTS {}", ident(&old.name)))?;
        create_view(tx, new)?;
        return Ok(Ok(()));
    }
    drop_indexes(tx, old)?;
    if old.name != new.name {
        exec(
            tx,
            &format!(
                "ALTER TABLE {} RENAME TO {}",
                ident(&old.name),
                ident(&new.name)
            ),
        )?;
    }
    let table = ident(&new.name);
    let new_by_id: HashMap<&str, &Field> = new.fields.iter().map(|f| (f.id.as_str(), f)).collect();
    // 1. drop the columns of removed fields
    for f in &old.fields {
        if !new_by_id.contains_key(f.id.as_str()) {
            exec(
                tx,
                &format!("ALTER TABLE {table} DROP COLUMN {}", ident(&f.name)),
            )?;
        }
    }
    // 2. move kept fields to temporary names, converting single <-> multiple values on the way
    let mut kept = Vec::new();
    for f in &old.fields {
        let Some(nf) = new_by_id.get(f.id.as_str()) else {
            continue;
        };
        if f.is_primary_key() {
            if f.name != nf.name {
                exec(
                    tx,
                    &format!(
                        "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                        ident(&f.name),
                        ident(&nf.name)
                    ),
                )?;
            }
            continue;
        }
        if f.name == nf.name && f.is_multiple() == nf.is_multiple() {
            continue;
        }
        let tmp = format!("_fb_tmp_{}", f.id);
        if f.is_multiple() != nf.is_multiple() {
            let mut tmp_field = (*nf).clone();
            tmp_field.name = tmp.clone();
            exec(
                tx,
                &format!("ALTER TABLE {table} ADD COLUMN {}", column_def(&tmp_field)),
            )?;
            let c = ident(&f.name);
            let expr = if nf.is_multiple() {
                format!("CASE WHEN {c} IS NULL OR {c} = '' THEN '[]' WHEN json_valid({c}) AND json_type({c}) = 'array' THEN {c} ELSE json_array({c}) END")
            } else {
                format!("CASE WHEN {c} IS NULL OR {c} = '' THEN '' WHEN json_valid({c}) AND json_type({c}) = 'array' THEN COALESCE(json_extract({c}, '$[#-1]'), '') ELSE {c} END")
            };
            exec(tx, &format!("UPDATE {table} SET {} = {expr}", ident(&tmp)))?;
            exec(tx, &format!("ALTER TABLE {table} DROP COLUMN {c}"))?;
        } else {
            exec(
                tx,
                &format!(
                    "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                    ident(&f.name),
                    ident(&tmp)
                ),
            )?;
        }
        kept.push((tmp, nf.name.clone()));
    }
    for (tmp, name) in kept {
        exec(
            tx,
            &format!(
                "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                ident(&tmp),
                ident(&name)
            ),
        )?;
    }
    // 3. add the columns of new fields
    let old_ids: HashMap<&str, ()> = old.fields.iter().map(|f| (f.id.as_str(), ())).collect();
    for f in &new.fields {
        if !old_ids.contains_key(f.id.as_str()) {
            exec(
                tx,
                &format!("ALTER TABLE {table} ADD COLUMN {}", column_def(f)),
            )?;
        }
    }
    Ok(create_indexes(tx, new))
}

/// The column names a SELECT returns, by preparing it (used to check view queries).
pub fn query_columns(conn: &rusqlite::Connection, query: &str) -> Result<Vec<String>, StoreError> {
    let stmt = conn.prepare(query)?;
    Ok(stmt.column_names().into_iter().map(String::from).collect())
}
