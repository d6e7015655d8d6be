//! Statements built from resolver output: a page of records (ids and sort keys first, then the rows),
//! its count, rule checks on one record, and the create rule's one-row CTE (spec 02 §3, 03 §8).

use super::resolver::{CollectionSet, RecordResolver, RequestInfo, ResolverMode};
use super::sql::ident;
use super::StoreError;
use crate::filter::{self, Expr, FilterError, ParamSink, SqlValue};
use crate::model::field::value::{from_sql_value, to_sql_value, zero_value, SqlScalar};
use crate::model::record::Record;
use crate::model::Collection;
use rusqlite::Connection;
use std::collections::HashMap;

/// A bound parameter (same shape as `store::records::Param`).
pub type Param = (String, SqlScalar);

/// Converts the filter module's parameters to store parameters.
pub fn to_params(params: impl IntoIterator<Item = (String, SqlValue)>) -> Vec<Param> {
    params
        .into_iter()
        .map(|(n, v)| {
            let v = match v {
                SqlValue::Null => SqlScalar::Null,
                SqlValue::Int(i) => SqlScalar::Int(i),
                SqlValue::Float(f) => SqlScalar::Real(f),
                SqlValue::Text(t) => SqlScalar::Text(t),
            };
            (n, v)
        })
        .collect()
}

/// A filtered, sorted page over one collection's table.
#[derive(Debug, Clone, Default)]
pub struct PageQuery {
    /// `LEFT JOIN …` clauses (empty: no joins, no `DISTINCT`).
    pub joins: String,
    /// The condition without `WHERE` (empty: every row).
    pub where_sql: String,
    /// `ORDER BY` terms without the keyword (empty: natural order).
    pub order_sql: String,
    pub params: Vec<Param>,
    pub limit: i64,
    pub offset: i64,
}

fn bind(stmt: &mut rusqlite::Statement, params: &[Param]) -> Result<(), StoreError> {
    for (name, value) in params {
        if let Some(idx) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(idx, value)?;
        }
    }
    Ok(())
}

use super::records::scalar_from as scalar;

fn columns(c: &Collection) -> std::sync::Arc<str> {
    super::sql::column_list(c)
}

/// Reads the collection's fields from `row`, starting at column `first`.
fn read_record(c: &Collection, row: &rusqlite::Row, first: usize) -> rusqlite::Result<Record> {
    let mut rec = Record::new(&c.id, &c.name);
    for (i, f) in c.fields.iter().enumerate() {
        let v = scalar(row.get_ref(first + i)?);
        rec.data.insert(f.name.clone(), from_sql_value(f, v));
    }
    Ok(rec)
}

fn tail(q: &PageQuery, with_order: bool) -> String {
    let mut sql = String::new();
    if !q.where_sql.is_empty() {
        sql.push_str(&format!(" WHERE {}", q.where_sql));
    }
    if with_order && !q.order_sql.is_empty() {
        sql.push_str(&format!(" ORDER BY {}", q.order_sql));
    }
    sql
}

/// The page of records. Unsorted queries and views run PocketBase's own statement
/// (`SELECT [DISTINCT] <columns> …`, `DISTINCT` only with joins), so SQLite picks the same plan and the
/// natural order is the same. Sorted queries first sort and page the (distinct) row ids with the same
/// `ORDER BY` (a narrow sorter instead of whole rows; ties follow the plan exactly as PocketBase's
/// do, e.g. index order) and then read only the page's rows.
pub fn list_page(
    conn: &Connection,
    c: &Collection,
    q: &PageQuery,
) -> Result<Vec<Record>, StoreError> {
    let table = ident(&c.name);
    let page = format!(" LIMIT {} OFFSET {}", q.limit.max(0), q.offset.max(0));
    if q.order_sql.is_empty() || c.is_view() {
        let distinct = if q.joins.is_empty() { "" } else { "DISTINCT " };
        let sql = format!(
            "SELECT {distinct}{} FROM {table} {}{}{page}",
            columns(c),
            q.joins,
            tail(q, true)
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        bind(&mut stmt, &q.params)?;
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(read_record(c, row, 0)?);
        }
        return Ok(out);
    }
    let distinct = if q.joins.is_empty() { "" } else { "DISTINCT " };
    let sql = format!(
        "SELECT {distinct}{table}.`_rowid_` FROM {table} {}{}{page}",
        q.joins,
        tail(q, true)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    bind(&mut stmt, &q.params)?;
    let mut rows = stmt.raw_query();
    let mut ids: Vec<i64> = Vec::new();
    while let Some(row) = rows.next()? {
        ids.push(row.get(0)?);
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT {table}.`_rowid_`, {} FROM {table} WHERE {table}.`_rowid_` IN (SELECT value FROM json_each(?1))",
        columns(c)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([format!("[{list}]")])?;
    let mut by_id: HashMap<i64, Record> = HashMap::with_capacity(ids.len());
    while let Some(row) = rows.next()? {
        by_id.insert(row.get(0)?, read_record(c, row, 1)?);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The number of distinct rows the page query matches (ignoring order and limit).
pub fn count_matches(conn: &Connection, c: &Collection, q: &PageQuery) -> Result<i64, StoreError> {
    let table = ident(&c.name);
    let what = match (c.is_view(), q.joins.is_empty()) {
        (true, _) => format!("COUNT(DISTINCT {table}.`id`)"),
        (false, true) => "COUNT(*)".to_string(),
        (false, false) => format!("COUNT(DISTINCT {table}.`_rowid_`)"),
    };
    let sql = format!("SELECT {what} FROM {table} {}{}", q.joins, tail(q, false));
    let mut stmt = conn.prepare_cached(&sql)?;
    bind(&mut stmt, &q.params)?;
    let mut rows = stmt.raw_query();
    Ok(match rows.next()? {
        Some(r) => r.get(0)?,
        None => 0,
    })
}

/// True when the statement returns at least one row.
pub fn exists_query(conn: &Connection, sql: &str, params: &[Param]) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, params)?;
    let mut rows = stmt.raw_query();
    Ok(rows.next()?.is_some())
}

/// True when record `id` of `c` satisfies the condition (`joins` and `where_sql` from a resolver).
pub fn record_exists_where(
    conn: &Connection,
    c: &Collection,
    id: &str,
    joins: &str,
    where_sql: &str,
    params: &[Param],
) -> Result<bool, StoreError> {
    let table = ident(&c.name);
    let sql = format!(
        "SELECT 1 FROM {table} {joins} WHERE {table}.`id` = :__record_id AND ({where_sql}) LIMIT 1"
    );
    let mut all = params.to_vec();
    all.push((":__record_id".into(), SqlScalar::Text(id.to_string())));
    exists_query(conn, &sql, &all)
}

/// The create rule check (spec 03 §8): the new record's values as a one-row CTE named
/// `<collection>__pb_create__`, record fields referring to the new values and relation paths joining
/// the real tables. Returns the statement and its parameters; run it with [`exists_query`].
pub fn create_rule_statement<'a>(
    c: &'a Collection,
    all: impl Into<CollectionSet<'a>>,
    rule: &Expr,
    record: &Record,
    info: &'a RequestInfo,
) -> Result<(String, Vec<Param>), FilterError> {
    let cte = format!("{}__pb_create__", c.name);
    let mut params: Vec<Param> = Vec::with_capacity(c.fields.len());
    let mut selects = Vec::with_capacity(c.fields.len());
    for (i, f) in c.fields.iter().enumerate() {
        let name = format!(":__pb_create__{i}");
        let value = match f.name.as_str() {
            "id" if record.id().is_empty() => SqlScalar::Text(format!("__temp_id__{cte}")),
            "verified" if c.is_auth() => SqlScalar::Int(0),
            _ => match record.data.get(&f.name) {
                Some(v) => to_sql_value(f, v),
                None => to_sql_value(f, &zero_value(f)),
            },
        };
        selects.push(format!("{name} AS {}", ident(&f.name)));
        params.push((name, value));
    }
    let mut resolver =
        RecordResolver::with_mode(c, all, Some(info), ResolverMode::Rule).with_base_table(&cte);
    let mut sink = ParamSink::new("rule");
    let where_sql = filter::build_where(rule, &mut resolver, &mut sink)?;
    params.extend(to_params(resolver.params().iter().cloned()));
    params.extend(to_params(sink.into_params()));
    let cte_q = ident(&cte);
    let sql = format!(
        "WITH {cte_q} AS (SELECT {}) SELECT 1 FROM {cte_q} {} WHERE {where_sql} LIMIT 1",
        selects.join(", "),
        resolver.joins()
    );
    Ok((sql, params))
}
