//! Relation lookups for `?expand=`: records of a collection by a list of ids (optionally filtered by a
//! built rule condition) and the ids of back-related records, each in one statement for a whole batch.

use super::records::{bind_params, Param};
use super::sql::ident;
use super::StoreError;
use crate::model::field::value::from_sql_value;
use crate::model::index::Index;
use crate::model::record::Record;
use crate::model::{Collection, Field};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::collections::HashMap;

/// The name of the parameter that carries the id list (a JSON array), so any number of ids binds as
/// one value and the statement text stays the same for every batch size.
const IDS_PARAM: &str = ":__expand_ids";

/// A condition built by the rule resolver over one collection (its table is referred to by name).
pub struct Condition<'a> {
    /// `LEFT JOIN …` text the condition needs.
    pub joins: &'a str,
    /// The boolean SQL expression.
    pub where_sql: &'a str,
    /// Its named parameters.
    pub params: &'a [Param],
}

use super::records::scalar_from;

fn ids_json(ids: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(ids).map_err(|e| StoreError::Io(e.to_string()))
}

fn bind_ids(stmt: &mut rusqlite::Statement, ids: &str) -> Result<(), StoreError> {
    if let Some(idx) = stmt.parameter_index(IDS_PARAM)? {
        stmt.raw_bind_parameter(idx, ids)?;
    }
    Ok(())
}

/// The records of `c` whose id is one of `ids` and, with `cond`, that satisfy the condition.
/// One statement whatever the number of ids; the rows come back in no particular order.
pub fn find_by_ids(
    conn: &Connection,
    c: &Collection,
    ids: &[String],
    cond: Option<&Condition>,
) -> Result<Vec<Record>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let table = ident(&c.name);
    let columns = c
        .fields
        .iter()
        .map(|f| format!("{table}.{}", ident(&f.name)))
        .collect::<Vec<_>>()
        .join(", ");
    let in_ids = format!("{table}.`id` IN (SELECT value FROM json_each({IDS_PARAM}))");
    let mut sql = format!("SELECT {columns} FROM {table} WHERE {in_ids}");
    match cond {
        // joins may repeat rows, so the rule runs in a subquery and the outer query stays one row per id
        Some(cond) if !cond.joins.trim().is_empty() => sql.push_str(&format!(
            " AND {table}.`id` IN (SELECT {table}.`id` FROM {table} {} WHERE {in_ids} AND ({}))",
            cond.joins, cond.where_sql
        )),
        Some(cond) => sql.push_str(&format!(" AND ({})", cond.where_sql)),
        None => {}
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    if let Some(cond) = cond {
        bind_params(&mut stmt, cond.params)?;
    }
    bind_ids(&mut stmt, &ids_json(ids)?)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut rec = Record::new(&c.id, &c.name);
        for (i, f) in c.fields.iter().enumerate() {
            let v = scalar_from(row.get_ref(i)?);
            rec.data.insert(f.name.clone(), from_sql_value(f, v));
        }
        out.push(rec);
    }
    Ok(out)
}

/// True when an index of `c` starts with `column`, so a lookup by it seeks instead of scanning.
fn has_leading_index(c: &Collection, column: &str) -> bool {
    c.indexes
        .iter()
        .filter_map(|sql| Index::parse(sql))
        .any(|i| {
            i.columns
                .first()
                .is_some_and(|col| col.name.eq_ignore_ascii_case(column))
        })
}

/// For each of `parent_ids`, the ids of the records of `c` whose relation `field` references it, at
/// most `cap` per parent. Parents without back-related records are absent from the map.
///
/// The order is the one PocketBase gets from its per-parent `SELECT id … WHERE field = ? LIMIT cap`:
/// an indexed single relation (or a view) runs that very lookup per parent inside one statement, so
/// SQLite walks the same index; otherwise one scan serves every parent, in row order (what a full
/// scan per parent gives).
pub fn back_relation_ids(
    conn: &Connection,
    c: &Collection,
    field: &Field,
    parent_ids: &[String],
    cap: usize,
) -> Result<HashMap<String, Vec<String>>, StoreError> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if parent_ids.is_empty() || cap == 0 {
        return Ok(out);
    }
    let table = ident(&c.name);
    let col = format!("t.{}", ident(&field.name));
    let each =
        format!("json_each(CASE WHEN json_valid({col}) THEN {col} ELSE json_array({col}) END)");
    let per_parent = c.is_view() || (!field.is_multiple() && has_leading_index(c, &field.name));
    if per_parent {
        let matches = if field.is_multiple() {
            format!("EXISTS (SELECT 1 FROM {each} je WHERE je.value = p.value)")
        } else {
            format!("{col} = p.value")
        };
        let sql = format!(
            "SELECT p.value, (SELECT json_group_array(x.id) FROM \
             (SELECT t.`id` AS id FROM {table} t WHERE {matches} LIMIT {cap}) x) \
             FROM json_each({IDS_PARAM}) p"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        bind_ids(&mut stmt, &ids_json(parent_ids)?)?;
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next()? {
            let (ValueRef::Text(pid), ValueRef::Text(list)) = (row.get_ref(0)?, row.get_ref(1)?)
            else {
                continue;
            };
            let ids: Vec<String> = serde_json::from_slice(list).unwrap_or_default();
            if !ids.is_empty() {
                out.insert(String::from_utf8_lossy(pid).into_owned(), ids);
            }
        }
        return Ok(out);
    }
    let pairs = if field.is_multiple() {
        format!(
            "SELECT DISTINCT je.value AS pid, t.rowid AS ord, t.`id` AS id FROM {table} t, {each} je \
             WHERE je.value IN (SELECT value FROM json_each({IDS_PARAM}))"
        )
    } else {
        format!(
            "SELECT {col} AS pid, t.rowid AS ord, t.`id` AS id FROM {table} t \
             WHERE {col} IN (SELECT value FROM json_each({IDS_PARAM}))"
        )
    };
    let sql = format!(
        "SELECT pid, id FROM (SELECT pid, id, ord, \
         ROW_NUMBER() OVER (PARTITION BY pid ORDER BY ord) AS rn FROM ({pairs})) \
         WHERE rn <= {cap} ORDER BY pid, rn"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    bind_ids(&mut stmt, &ids_json(parent_ids)?)?;
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        let (ValueRef::Text(pid), ValueRef::Text(id)) = (row.get_ref(0)?, row.get_ref(1)?) else {
            continue;
        };
        out.entry(String::from_utf8_lossy(pid).into_owned())
            .or_default()
            .push(String::from_utf8_lossy(id).into_owned());
    }
    Ok(out)
}
