//! The `$app.db()` query builder of JS hooks (dbx semantics): expressions and select parts arrive as JSON
//! and become SQL with named parameters. `{:name}` placeholders bind parameters; `{{table}}` and
//! `[[column]]` quote identifiers.

use super::sql::ident;
use super::{Connection, StoreError};
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::{Map, Value};

/// SQL text plus its named parameters.
#[derive(Debug, Default, Clone)]
pub struct Built {
    pub sql: String,
    pub params: Vec<(String, Value)>,
}

/// Rewrites dbx placeholders and quoting into SQLite syntax.
pub fn rewrite(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("{:") {
            if let Some(end) = r.find('}') {
                out.push_str(":p_");
                out.push_str(&r[..end]);
                rest = &r[end + 1..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix("{{") {
            if let Some(end) = r.find("}}") {
                out.push_str(&ident(&r[..end]));
                rest = &r[end + 2..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix("[[") {
            if let Some(end) = r.find("]]") {
                out.push_str(&quote_column(&r[..end]));
                rest = &r[end + 2..];
                continue;
            }
        }
        let ch = rest.chars().next().unwrap_or(' ');
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out
}

fn quote_column(c: &str) -> String {
    c.split('.').map(ident).collect::<Vec<_>>().join(".")
}

/// Quotes a column reference unless it already is an expression.
fn column(c: &str) -> String {
    let t = c.trim();
    if t.chars()
        .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '.')
        && !t.is_empty()
    {
        quote_column(t)
    } else {
        rewrite(t)
    }
}

struct Builder {
    params: Vec<(String, Value)>,
    n: usize,
}

impl Builder {
    fn bind(&mut self, v: &Value) -> String {
        self.n += 1;
        let name = format!("dbx{}", self.n);
        self.params.push((name.clone(), v.clone()));
        format!(":p_{name}")
    }

    fn expr(&mut self, e: &Value) -> Result<String, String> {
        let e = e.get("__expr").unwrap_or(e);
        let kind = e.get("kind").and_then(Value::as_str).unwrap_or("");
        let args = e
            .get("args")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let arg_str = |i: usize| {
            args.get(i)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Ok(match kind {
            "exp" => {
                if let Some(Value::Object(p)) = args.get(1) {
                    for (k, v) in p {
                        self.params.push((k.clone(), v.clone()));
                    }
                }
                rewrite(&arg_str(0))
            }
            "hashExp" => {
                let mut parts = Vec::new();
                if let Some(Value::Object(m)) = args.first() {
                    for (k, v) in m {
                        parts.push(match v {
                            Value::Null => format!("{} IS NULL", column(k)),
                            Value::Array(list) if list.is_empty() => "0=1".to_string(),
                            Value::Array(list) => {
                                let ps: Vec<String> = list.iter().map(|x| self.bind(x)).collect();
                                format!("{} IN ({})", column(k), ps.join(", "))
                            }
                            other => format!("{}={}", column(k), self.bind(other)),
                        });
                    }
                }
                parts.join(" AND ")
            }
            "and" | "or" => {
                let mut parts = Vec::new();
                for a in &args {
                    if a.is_null() {
                        continue;
                    }
                    let s = self.expr(a)?;
                    if !s.is_empty() {
                        parts.push(format!("({s})"));
                    }
                }
                parts.join(if kind == "and" { " AND " } else { " OR " })
            }
            "not" => {
                let inner = args.first().map(|a| self.expr(a)).transpose()?;
                inner.map(|s| format!("NOT ({s})")).unwrap_or_default()
            }
            "in" | "notIn" => {
                let vals: Vec<Value> = args.iter().skip(1).flat_map(flatten).collect();
                if vals.is_empty() {
                    return Ok(if kind == "in" { "0=1" } else { "" }.to_string());
                }
                let ps: Vec<String> = vals.iter().map(|x| self.bind(x)).collect();
                let op = if kind == "in" { "IN" } else { "NOT IN" };
                format!("{} {op} ({})", column(&arg_str(0)), ps.join(", "))
            }
            "like" | "notLike" | "orLike" | "orNotLike" => {
                let col = column(&arg_str(0));
                let op = if kind.contains("Not") {
                    "NOT LIKE"
                } else {
                    "LIKE"
                };
                let mut parts = Vec::new();
                for v in args.iter().skip(1).flat_map(flatten) {
                    let text = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    let escaped = text
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_");
                    let p = self.bind(&Value::String(format!("%{escaped}%")));
                    parts.push(format!("{col} {op} {p} ESCAPE '\\'"));
                }
                parts.join(if kind.starts_with("or") {
                    " OR "
                } else {
                    " AND "
                })
            }
            "between" | "notBetween" => {
                let a = self.bind(args.get(1).unwrap_or(&Value::Null));
                let b = self.bind(args.get(2).unwrap_or(&Value::Null));
                let op = if kind == "between" {
                    "BETWEEN"
                } else {
                    "NOT BETWEEN"
                };
                format!("{} {op} {a} AND {b}", column(&arg_str(0)))
            }
            "exists" | "notExists" => {
                let inner = args.first().map(|a| self.expr(a)).transpose()?;
                let op = if kind == "exists" {
                    "EXISTS"
                } else {
                    "NOT EXISTS"
                };
                format!("{op} ({})", inner.unwrap_or_default())
            }
            other => return Err(format!("unknown expression {other:?}")),
        })
    }
}

fn flatten(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

/// Builds one expression on its own (`$dbx.exp(...).build()`, `where` of update/delete).
pub fn build_expr(e: &Value) -> Result<Built, String> {
    let mut b = Builder {
        params: Vec::new(),
        n: 0,
    };
    let sql = if e.is_null() {
        String::new()
    } else {
        b.expr(e)?
    };
    Ok(Built {
        sql,
        params: b.params,
    })
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Builds a query from its JSON spec: either raw `sql` or select parts.
pub fn build_query(spec: &Value, records_table: Option<&str>) -> Result<Built, String> {
    let mut b = Builder {
        params: Vec::new(),
        n: 0,
    };
    if let Some(Value::Object(p)) = spec.get("params") {
        for (k, v) in p {
            b.params.push((k.clone(), v.clone()));
        }
    }
    if let Some(sql) = spec.get("sql").and_then(Value::as_str) {
        return Ok(Built {
            sql: rewrite(sql),
            params: b.params,
        });
    }
    let select = strings(spec.get("select").unwrap_or(&Value::Null));
    let mut from = strings(spec.get("from").unwrap_or(&Value::Null));
    if let (true, Some(t)) = (from.is_empty(), records_table) {
        from.push(t.to_string());
    }
    let cols = if select.is_empty() {
        match records_table {
            Some(t) => format!("{}.*", ident(t)),
            None => "*".to_string(),
        }
    } else {
        select
            .iter()
            .map(|c| column(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let distinct = if spec.get("distinct").and_then(Value::as_bool) == Some(true) {
        "DISTINCT "
    } else {
        ""
    };
    let mut sql = format!("SELECT {distinct}{cols}");
    if !from.is_empty() {
        let tables: Vec<String> = from.iter().map(|t| table_ref(t)).collect();
        sql.push_str(&format!(" FROM {}", tables.join(", ")));
    }
    if let Some(Value::Array(joins)) = spec.get("joins") {
        for j in joins {
            let kind = j.get("kind").and_then(Value::as_str).unwrap_or("JOIN");
            let table = table_ref(j.get("table").and_then(Value::as_str).unwrap_or(""));
            sql.push_str(&format!(" {kind} {table}"));
            if let Some(on) = j.get("on").filter(|v| !v.is_null()) {
                let cond = b.expr(on)?;
                if !cond.is_empty() {
                    sql.push_str(&format!(" ON {cond}"));
                }
            }
        }
    }
    let where_parts = conditions(&mut b, spec.get("where"))?;
    if !where_parts.is_empty() {
        sql.push_str(&format!(" WHERE {where_parts}"));
    }
    let group = strings(spec.get("group").unwrap_or(&Value::Null));
    if !group.is_empty() {
        let g: Vec<String> = group.iter().map(|c| column(c)).collect();
        sql.push_str(&format!(" GROUP BY {}", g.join(", ")));
    }
    let having = conditions(&mut b, spec.get("having"))?;
    if !having.is_empty() {
        sql.push_str(&format!(" HAVING {having}"));
    }
    let order = strings(spec.get("order").unwrap_or(&Value::Null));
    if !order.is_empty() {
        let parts: Vec<String> = order.iter().map(|o| order_term(o)).collect();
        sql.push_str(&format!(" ORDER BY {}", parts.join(", ")));
    }
    let limit = spec.get("limit").and_then(Value::as_i64);
    let offset = spec.get("offset").and_then(Value::as_i64);
    if limit.is_some() || offset.is_some() {
        sql.push_str(&format!(
            " LIMIT {}",
            limit.filter(|l| *l >= 0).unwrap_or(-1)
        ));
        if let Some(o) = offset.filter(|o| *o > 0) {
            sql.push_str(&format!(" OFFSET {o}"));
        }
    }
    Ok(Built {
        sql,
        params: b.params,
    })
}

fn conditions(b: &mut Builder, v: Option<&Value>) -> Result<String, String> {
    let mut parts = Vec::new();
    if let Some(Value::Array(list)) = v {
        for e in list {
            let s = b.expr(e)?;
            if !s.is_empty() {
                parts.push(format!("({s})"));
            }
        }
    }
    Ok(parts.join(" AND "))
}

fn table_ref(t: &str) -> String {
    let t = t.trim();
    match t.split_once(char::is_whitespace) {
        Some((name, alias)) => {
            let alias = alias
                .trim()
                .trim_start_matches("AS ")
                .trim_start_matches("as ");
            format!("{} {}", column(name), ident(alias.trim()))
        }
        None => column(t),
    }
}

fn order_term(o: &str) -> String {
    let t = o.trim();
    let (c, dir) = match t.rsplit_once(char::is_whitespace) {
        Some((c, d)) if d.eq_ignore_ascii_case("asc") || d.eq_ignore_ascii_case("desc") => {
            (c, format!(" {}", d.to_uppercase()))
        }
        _ => (t, String::new()),
    };
    format!("{}{dir}", column(c))
}

/// An INSERT statement for `table` with `params` as the values (`$app.db().insert`).
pub fn insert_sql(table: &str, params: &Map<String, Value>) -> String {
    let cols: Vec<String> = params.keys().map(|k| ident(k)).collect();
    let vals: Vec<String> = params.keys().map(|k| format!("{{:{k}}}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        ident(table),
        cols.join(", "),
        vals.join(", ")
    )
}

/// An UPDATE statement (`$app.db().update`); the where expression is appended already built.
pub fn update_sql(table: &str, params: &Map<String, Value>, where_sql: &str) -> String {
    let sets: Vec<String> = params
        .keys()
        .map(|k| format!("{}={{:{k}}}", ident(k)))
        .collect();
    let mut sql = format!("UPDATE {} SET {}", ident(table), sets.join(", "));
    if !where_sql.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&unrewrite(where_sql));
    }
    sql
}

/// A DELETE statement (`$app.db().delete`).
pub fn delete_sql(table: &str, where_sql: &str) -> String {
    let mut sql = format!("DELETE FROM {}", ident(table));
    if !where_sql.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&unrewrite(where_sql));
    }
    sql
}

/// Turns built `:p_name` parameters back into `{:name}` so the text can pass through `rewrite` again.
fn unrewrite(sql: &str) -> String {
    let mut out = String::new();
    let mut rest = sql;
    while let Some(i) = rest.find(":p_") {
        out.push_str(&rest[..i]);
        let r = &rest[i + 3..];
        let end = r
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(r.len());
        out.push_str(&format!("{{:{}}}", &r[..end]));
        rest = &r[end..];
    }
    out.push_str(rest);
    out
}

fn to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(*b as i64),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

fn bind(stmt: &mut rusqlite::Statement<'_>, params: &[(String, Value)]) -> Result<(), StoreError> {
    for (name, v) in params {
        if let Some(i) = stmt.parameter_index(&format!(":p_{name}"))? {
            stmt.raw_bind_parameter(i, to_sql(v))?;
        }
    }
    Ok(())
}

/// Runs a query and returns its rows as JSON objects (column name → value).
pub fn query(conn: &Connection, b: &Built) -> Result<Vec<Map<String, Value>>, StoreError> {
    mark_if_collections(&b.sql);
    let mut stmt = conn.prepare(&b.sql)?;
    bind(&mut stmt, &b.params)?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut m = Map::new();
        for (i, n) in names.iter().enumerate() {
            let v = match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(x) => Value::from(x),
                ValueRef::Real(x) => serde_json::Number::from_f64(x)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
            };
            m.insert(n.clone(), v);
        }
        out.push(m);
    }
    Ok(out)
}

/// Raw SQL naming `_collections` inside a transaction may change collections: later collection lookups
/// of that transaction then read them from it.
fn mark_if_collections(sql: &str) {
    if let Some(tx) = super::Tx::current() {
        if sql.to_ascii_lowercase().contains("_collections") {
            tx.mark_collections_changed();
        }
    }
}

/// Runs a statement; returns (rows affected, last insert rowid).
pub fn execute(conn: &Connection, b: &Built) -> Result<(usize, i64), StoreError> {
    mark_if_collections(&b.sql);
    let mut stmt = conn.prepare(&b.sql)?;
    bind(&mut stmt, &b.params)?;
    let n = stmt.raw_execute()?;
    Ok((n, conn.last_insert_rowid()))
}

/// The column names of a table.
pub fn table_columns(conn: &Connection, table: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT name FROM pragma_table_info({})",
        quote_lit(table)
    ))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn quote_lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_and_quoting() {
        assert_eq!(
            rewrite("SELECT [[a.b]] FROM {{posts}} WHERE x = {:min}"),
            "SELECT `a`.`b` FROM `posts` WHERE x = :p_min"
        );
    }

    #[test]
    fn select_parts() {
        let spec = json!({"select": ["id", "title"], "from": ["posts"], "where": [{"__expr": {"kind": "exp", "args": ["views >= {:v}", {"v": 5}]}}], "order": ["views DESC"], "limit": 5});
        let b = build_query(&spec, None).unwrap();
        assert_eq!(
            b.sql,
            "SELECT `id`, `title` FROM `posts` WHERE (views >= :p_v) ORDER BY `views` DESC LIMIT 5"
        );
        assert_eq!(b.params, vec![("v".to_string(), json!(5))]);
    }

    #[test]
    fn hash_expressions() {
        let b = build_expr(
            &json!({"kind": "hashExp", "args": [{"status": "draft", "n": null, "t": [1, 2]}]}),
        )
        .unwrap();
        assert_eq!(
            b.sql,
            "`status`=:p_dbx1 AND `n` IS NULL AND `t` IN (:p_dbx2, :p_dbx3)"
        );
    }
}
