//! Record rows: insert, update, delete and select by id or by a built WHERE clause.

use super::sql::ident;
use super::{StoreError, Tx};
use crate::model::field::value::{from_sql_value, to_sql_value, SqlScalar};
use crate::model::record::Record;
use crate::model::{Collection, Field};
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql};

impl ToSql for SqlScalar {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            SqlScalar::Null => ToSqlOutput::Owned(SqlValue::Null),
            SqlScalar::Int(i) => ToSqlOutput::Owned(SqlValue::Integer(*i)),
            SqlScalar::Real(f) => ToSqlOutput::Owned(SqlValue::Real(*f)),
            SqlScalar::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// A column value as read from SQLite (text and blobs as lossy UTF-8).
pub(crate) fn scalar_from(v: ValueRef) -> SqlScalar {
    match v {
        ValueRef::Null => SqlScalar::Null,
        ValueRef::Integer(i) => SqlScalar::Int(i),
        ValueRef::Real(f) => SqlScalar::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => SqlScalar::Text(match std::str::from_utf8(t) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(t).into_owned(),
        }),
    }
}

fn select_list(c: &Collection) -> std::sync::Arc<str> {
    super::sql::column_list(c)
}

fn row_to_record(c: &Collection, row: &rusqlite::Row) -> rusqlite::Result<Record> {
    let mut rec = Record::new(&c.id, &c.name);
    rec.data = serde_json::Map::with_capacity(c.fields.len());
    for (i, f) in c.fields.iter().enumerate() {
        let v = scalar_from(row.get_ref(i)?);
        rec.data.insert(f.name.clone(), from_sql_value(f, v));
    }
    Ok(rec)
}

/// One record by id, or `None`.
pub fn find_by_id(
    conn: &Connection,
    c: &Collection,
    id: &str,
) -> Result<Option<Record>, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {}.`id` = ?1 LIMIT 1",
        select_list(c),
        ident(&c.name),
        ident(&c.name)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt.query_row([id], |r| row_to_record(c, r)).optional()?)
}

/// The first record whose `field` equals `value` (optionally case-insensitively).
pub fn find_first_by(
    conn: &Connection,
    c: &Collection,
    field: &Field,
    value: &str,
    nocase: bool,
) -> Result<Option<Record>, StoreError> {
    let collate = if nocase { " COLLATE NOCASE" } else { "" };
    let sql = format!(
        "SELECT {} FROM {} WHERE {}.{}{collate} = ?1 LIMIT 1",
        select_list(c),
        ident(&c.name),
        ident(&c.name),
        ident(&field.name)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt
        .query_row([value], |r| row_to_record(c, r))
        .optional()?)
}

/// The records whose fields all equal the given text values (`limit` rows at most), in rowid order.
pub fn find_where(
    conn: &Connection,
    c: &Collection,
    equals: &[(&str, &str)],
    limit: i64,
) -> Result<Vec<Record>, StoreError> {
    let table = ident(&c.name);
    let cond: Vec<String> = equals
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("{table}.{} = ?{}", ident(name), i + 1))
        .collect();
    let where_sql = if cond.is_empty() {
        "1".to_string()
    } else {
        cond.join(" AND ")
    };
    let sql = format!(
        "SELECT {} FROM {table} WHERE {where_sql} ORDER BY {table}.rowid LIMIT {limit}",
        select_list(c)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let values: Vec<&str> = equals.iter().map(|(_, v)| *v).collect();
    let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| row_to_record(c, r))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// A bound parameter of a built query.
pub type Param = (String, SqlScalar);

/// A SELECT over one collection's table.
pub struct ListQuery<'a> {
    pub collection: &'a Collection,
    /// Extra `JOIN …` text produced by the field resolver.
    pub joins: String,
    pub where_sql: String,
    pub order_sql: String,
    pub params: Vec<Param>,
    pub limit: i64,
    pub offset: i64,
}

/// Binds named parameters that the statement uses (others are skipped).
pub fn bind_params(stmt: &mut rusqlite::Statement, params: &[Param]) -> Result<(), StoreError> {
    for (name, value) in params {
        if let Some(idx) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(idx, value)?;
        }
    }
    Ok(())
}

/// Runs a list query; returns the page of records.
pub fn list(conn: &Connection, q: &ListQuery) -> Result<Vec<Record>, StoreError> {
    let c = q.collection;
    // built with pushes, not `format!`: this runs for every record read
    let columns = select_list(c);
    let mut sql = String::with_capacity(
        columns.len() + c.name.len() + q.joins.len() + q.where_sql.len() + q.order_sql.len() + 80,
    );
    sql.push_str("SELECT DISTINCT ");
    sql.push_str(&columns);
    sql.push_str(" FROM ");
    super::sql::push_ident(&mut sql, &c.name);
    sql.push(' ');
    sql.push_str(&q.joins);
    if !q.where_sql.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&q.where_sql);
    }
    if !q.order_sql.is_empty() {
        sql.push_str(" ORDER BY ");
        sql.push_str(&q.order_sql);
    }
    let mut num = itoa::Buffer::new();
    sql.push_str(" LIMIT ");
    sql.push_str(num.format(q.limit));
    sql.push_str(" OFFSET ");
    sql.push_str(num.format(q.offset));
    let mut stmt = conn.prepare_cached(&sql)?;
    bind_params(&mut stmt, &q.params)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(row_to_record(c, row)?);
    }
    Ok(out)
}

/// Counts the rows a list query matches (ignoring limit and order).
pub fn count(conn: &Connection, q: &ListQuery) -> Result<i64, StoreError> {
    let table = ident(&q.collection.name);
    // views have no rowid; their id column is unique instead
    let key = if q.collection.is_view() {
        "`id`"
    } else {
        "rowid"
    };
    let mut sql = format!(
        "SELECT COUNT(DISTINCT {table}.{key}) FROM {table} {}",
        q.joins
    );
    if !q.where_sql.is_empty() {
        sql.push_str(&format!(" WHERE {}", q.where_sql));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    bind_params(&mut stmt, &q.params)?;
    let mut rows = stmt.raw_query();
    Ok(match rows.next()? {
        Some(r) => r.get(0)?,
        None => 0,
    })
}

/// True when a record with this id exists.
pub fn exists(conn: &Connection, c: &Collection, id: &str) -> Result<bool, StoreError> {
    let sql = format!("SELECT 1 FROM {} WHERE `id` = ?1 LIMIT 1", ident(&c.name));
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt.exists([id])?)
}

/// Inserts a record; every field of the collection is written.
pub fn insert(tx: &Tx, c: &Collection, rec: &Record) -> Result<(), StoreError> {
    let names: Vec<String> = c.fields.iter().map(|f| ident(&f.name)).collect();
    let marks: Vec<String> = (1..=c.fields.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        ident(&c.name),
        names.join(", "),
        marks.join(", ")
    );
    let values: Vec<SqlScalar> = c
        .fields
        .iter()
        .map(|f| to_sql_value(f, rec.data.get(&f.name).unwrap_or(&serde_json::Value::Null)))
        .collect();
    tx.with(|conn| {
        conn.prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(values.iter()))
    })?;
    Ok(())
}

/// Updates every column of the record with id `old_id`.
pub fn update(tx: &Tx, c: &Collection, old_id: &str, rec: &Record) -> Result<(), StoreError> {
    let sets: Vec<String> = c
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{} = ?{}", ident(&f.name), i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE `id` = ?{}",
        ident(&c.name),
        sets.join(", "),
        c.fields.len() + 1
    );
    let mut values: Vec<SqlScalar> = c
        .fields
        .iter()
        .map(|f| to_sql_value(f, rec.data.get(&f.name).unwrap_or(&serde_json::Value::Null)))
        .collect();
    values.push(SqlScalar::Text(old_id.to_string()));
    tx.with(|conn| {
        conn.prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(values.iter()))
    })?;
    Ok(())
}

/// Deletes one record.
pub fn delete(tx: &Tx, c: &Collection, id: &str) -> Result<(), StoreError> {
    let sql = format!("DELETE FROM {} WHERE `id` = ?1", ident(&c.name));
    tx.with(|conn| conn.prepare_cached(&sql)?.execute([id]))?;
    Ok(())
}

/// Ids of all records of a collection, in rowid order.
pub fn all_ids(conn: &Connection, c: &Collection) -> Result<Vec<String>, StoreError> {
    let sql = format!("SELECT `id` FROM {} ORDER BY rowid", ident(&c.name));
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// Counts records of `c` whose `field` (single or multiple relation) references `id`.
pub fn count_references(
    conn: &Connection,
    c: &Collection,
    field: &Field,
    id: &str,
) -> Result<i64, StoreError> {
    let col = ident(&field.name);
    let sql = if field.is_multiple() {
        format!(
            "SELECT COUNT(*) FROM {} WHERE EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid({col}) THEN {col} ELSE '[]' END) je WHERE je.value = ?1)",
            ident(&c.name)
        )
    } else {
        format!("SELECT COUNT(*) FROM {} WHERE {col} = ?1", ident(&c.name))
    };
    Ok(conn.query_row(&sql, [id], |r| r.get(0))?)
}

/// Counts every record in a table.
pub fn count_all(conn: &Connection, c: &Collection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        &format!("SELECT COUNT(*) FROM {}", ident(&c.name)),
        [],
        |r| r.get(0),
    )?)
}

/// Records of `c` whose relation `field` holds `id` (single column or JSON array).
pub fn find_referencing(
    conn: &Connection,
    c: &Collection,
    field: &Field,
    id: &str,
) -> Result<Vec<Record>, StoreError> {
    let col = format!("{}.{}", ident(&c.name), ident(&field.name));
    let cond = if field.is_multiple() {
        format!("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid({col}) THEN {col} ELSE '[]' END) je WHERE je.value = ?1)")
    } else {
        format!("{col} = ?1")
    };
    let sql = format!(
        "SELECT {} FROM {} WHERE {cond}",
        select_list(c),
        ident(&c.name)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([id], |r| row_to_record(c, r))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The rows of a system collection (`_otps`, `_mfas`, `_authOrigins`, `_externalAuths`) that belong to
/// one auth record, by their `collectionRef`/`recordRef` columns, oldest first.
pub fn find_owned_by(
    conn: &Connection,
    c: &Collection,
    collection_ref: &str,
    record_ref: &str,
) -> Result<Vec<Record>, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE `collectionRef` = ?1 AND `recordRef` = ?2 ORDER BY `created`, rowid",
        select_list(c),
        ident(&c.name)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([collection_ref, record_ref], |r| row_to_record(c, r))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes the rows of a system collection that belong to auth collection `collection_ref` and were
/// created before `cutoff` (a stored datetime); the number deleted.
pub fn delete_owned_before(
    tx: &Tx,
    c: &Collection,
    collection_ref: &str,
    cutoff: &str,
) -> Result<usize, StoreError> {
    let sql = format!(
        "DELETE FROM {} WHERE `collectionRef` = ?1 AND `created` < ?2",
        ident(&c.name)
    );
    Ok(tx.with(|conn| conn.prepare_cached(&sql)?.execute([collection_ref, cutoff]))?)
}

/// Deletes the rows [`find_owned_by`] would return; the number deleted.
pub fn delete_owned_by(
    tx: &Tx,
    c: &Collection,
    collection_ref: &str,
    record_ref: &str,
) -> Result<usize, StoreError> {
    let sql = format!(
        "DELETE FROM {} WHERE `collectionRef` = ?1 AND `recordRef` = ?2",
        ident(&c.name)
    );
    Ok(tx.with(|conn| {
        conn.prepare_cached(&sql)?
            .execute([collection_ref, record_ref])
    })?)
}
