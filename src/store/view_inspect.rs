//! Inspecting a view query: its result columns and where each one comes from.

use super::StoreError;
use rusqlite::Connection;

/// One result column of a SELECT.
#[derive(Debug, Clone)]
pub struct ViewColumn {
    pub name: String,
    /// The table (collection name) and column the value is read from, when it is a plain column.
    pub origin: Option<(String, String)>,
}

/// Prepares (never runs) the query and reports its columns.
pub fn inspect(conn: &Connection, query: &str) -> Result<Vec<ViewColumn>, StoreError> {
    let stmt = conn.prepare(query)?;
    if stmt.readonly() {
        Ok(stmt
            .columns_with_metadata()
            .iter()
            .map(|m| ViewColumn {
                name: m.name().to_string(),
                origin: match (m.table_name(), m.origin_name()) {
                    (Some(t), Some(o)) => Some((t.to_string(), o.to_string())),
                    _ => None,
                },
            })
            .collect())
    } else {
        Err(StoreError::Corrupt(
            "only SELECT queries are allowed".into(),
        ))
    }
}

/// Up to `limit` rows of the query as JSON objects (for the dry-run endpoint).
pub fn sample(
    conn: &Connection,
    query: &str,
    limit: usize,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, StoreError> {
    let mut stmt = conn.prepare(query)?;
    let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        if out.len() >= limit {
            break;
        }
        let mut m = serde_json::Map::new();
        for (i, n) in names.iter().enumerate() {
            let v = match row.get_ref(i)? {
                rusqlite::types::ValueRef::Null => serde_json::Value::Null,
                rusqlite::types::ValueRef::Integer(i) => serde_json::Value::from(i),
                rusqlite::types::ValueRef::Real(f) => crate::model::json_number(f),
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                    serde_json::Value::String(String::from_utf8_lossy(t).into_owned())
                }
            };
            m.insert(n.clone(), v);
        }
        out.push(m);
    }
    Ok(out)
}
