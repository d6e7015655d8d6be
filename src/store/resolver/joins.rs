//! Join clauses and the SQL snippets PocketBase uses for multi-valued and JSON columns.

use super::super::sql::ident;

/// One `LEFT JOIN {table} {alias} [ON {on}]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// SQL of the joined table: a quoted table name or a table-valued function.
    pub table: String,
    /// Unquoted alias.
    pub alias: String,
    /// Join condition, if any.
    pub on: Option<String>,
}

impl Join {
    /// A join of a table (collection) by name.
    pub fn table(name: &str, alias: &str, on: Option<String>) -> Join {
        Join {
            table: ident(name),
            alias: alias.to_string(),
            on,
        }
    }

    /// A join of an arbitrary table expression (e.g. `json_each(...)`).
    pub fn expr(table: String, alias: &str) -> Join {
        Join {
            table,
            alias: alias.to_string(),
            on: None,
        }
    }

    pub fn sql(&self) -> String {
        match &self.on {
            Some(on) => format!("LEFT JOIN {} {} ON {on}", self.table, ident(&self.alias)),
            None => format!("LEFT JOIN {} {}", self.table, ident(&self.alias)),
        }
    }
}

/// `alias.column`, both quoted.
pub fn col(alias: &str, column: &str) -> String {
    format!("{}.{}", ident(alias), ident(column))
}

/// `json_each` over a column that holds a JSON array or a single plain value.
pub fn json_each(column: &str) -> String {
    format!(
        "json_each(CASE WHEN iif(json_valid({column}), json_type({column})='array', FALSE) THEN {column} ELSE json_array({column}) END)"
    )
}

/// The number of items of a multi-valued column (a single non-empty value counts as 1).
pub fn json_array_length(column: &str) -> String {
    format!(
        "json_array_length(CASE WHEN iif(json_valid({column}), json_type({column})='array', FALSE) THEN {column} ELSE (CASE WHEN {column} = '' OR {column} IS NULL THEN json_array() ELSE json_array({column}) END) END)"
    )
}

/// `JSON_EXTRACT` of `path` (e.g. `a.b[0]`, `""` for the whole value) that also works on columns that
/// do not hold valid JSON.
pub fn json_extract(column: &str, path: &str) -> String {
    let path = if !path.is_empty() && !path.starts_with('[') {
        format!(".{path}")
    } else {
        path.to_string()
    };
    format!(
        "(CASE WHEN json_valid({column}) THEN JSON_EXTRACT({column}, '${path}') ELSE JSON_EXTRACT(json_object('pb', {column}), '$.pb{path}') END)"
    )
}

/// PocketBase's `inflector.Columnify`: drops every character other than ASCII letters, digits and
/// `_ . * - @ #`.
pub fn columnify(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '-' | '@' | '#'))
        .collect()
}

/// The JSON path of the segments after a JSON field: numeric segments become `[n]`.
pub fn json_path(segments: &[&str]) -> String {
    let mut out = String::new();
    for (i, seg) in segments.iter().enumerate() {
        let clean = columnify(seg);
        if !seg.is_empty() && seg.parse::<i64>().is_ok() {
            out.push('[');
            out.push_str(&clean);
            out.push(']');
        } else {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&clean);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets() {
        assert_eq!(json_path(&["a", "b", "0"]), "a.b[0]");
        assert_eq!(json_path(&["0", "x"]), "[0].x");
        assert_eq!(json_path(&["k:lower"]), "klower");
        assert_eq!(
            json_extract("`t`.`m`", "[1]"),
            "(CASE WHEN json_valid(`t`.`m`) THEN JSON_EXTRACT(`t`.`m`, '$[1]') ELSE JSON_EXTRACT(json_object('pb', `t`.`m`), '$.pb[1]') END)"
        );
        assert_eq!(
            json_extract("c", ""),
            "(CASE WHEN json_valid(c) THEN JSON_EXTRACT(c, '$') ELSE JSON_EXTRACT(json_object('pb', c), '$.pb') END)"
        );
        assert_eq!(
            Join::table("users", "posts_author", Some("x".into())).sql(),
            "LEFT JOIN `users` `posts_author` ON x"
        );
        assert_eq!(columnify("a'b\"c:d"), "abcd");
    }
}
