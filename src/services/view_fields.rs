//! Deriving a view collection's fields from its SELECT query.

use crate::model::field::{
    crc32, default_field_id, BoolOptions, JsonOptions, NumberOptions, RelationOptions, TextOptions,
};
use crate::model::{Collection, Errors, Field, FieldKind, ValidationError};
use crate::store::{view_inspect, Tx};

/// Splits the top-level select list of a query and finds the main table; `None` when it is not a SELECT.
fn select_parts(query: &str) -> Option<(Vec<String>, String)> {
    let lower = query.to_lowercase();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = None;
    let mut cols = Vec::new();
    let mut cur_start = 0usize;
    let bytes: Vec<(usize, char)> = lower.char_indices().collect();
    let word_at = |i: usize, w: &str| -> bool {
        lower[i..].starts_with(w)
            && lower[..i]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_')
            && lower[i + w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_')
    };
    for &(i, ch) in &bytes {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '\'' | '"' | '`' => quote = Some(ch),
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => {
                if start.is_none() && word_at(i, "select") {
                    start = Some(i + 6);
                    cur_start = i + 6;
                } else if let Some(_s) = start {
                    if ch == ',' {
                        cols.push(query[cur_start..i].trim().to_string());
                        cur_start = i + 1;
                    } else if word_at(i, "from") {
                        cols.push(query[cur_start..i].trim().to_string());
                        let rest = query[i + 4..].trim_start();
                        let table: String = rest
                            .trim_start_matches(['`', '"', '['])
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        return Some((cols, table));
                    }
                }
            }
            _ => {}
        }
    }
    start.map(|s| {
        cols.push(query[cur_start.max(s)..].trim().to_string());
        (cols, String::new())
    })
}

fn strip_distinct(col: &str) -> &str {
    let l = col.to_lowercase();
    if l.starts_with("distinct ") {
        col[9..].trim()
    } else {
        col
    }
}

/// The expression part of `expr [AS] alias`.
fn expression_of(col: &str) -> String {
    let lower = col.to_lowercase();
    match lower.rfind(" as ") {
        Some(i) => col[..i].trim().to_lowercase(),
        None => lower.trim().to_string(),
    }
}

fn number(only_int: bool) -> FieldKind {
    FieldKind::Number(NumberOptions {
        only_int,
        ..Default::default()
    })
}

/// The field type an expression produces, when its form tells.
fn kind_of_expression(expr: &str) -> Option<FieldKind> {
    let e = expr.replace(' ', "");
    if e.starts_with("count(") {
        return Some(number(true));
    }
    if e.starts_with("total(") {
        return Some(number(false));
    }
    if e.starts_with("cast(") {
        let ty = e.rsplit("as").next().unwrap_or("").trim_end_matches(')');
        return match ty {
            "real" | "decimal" | "numeric" => Some(number(false)),
            "int" | "integer" => Some(number(true)),
            "text" => Some(FieldKind::Text(TextOptions::default())),
            "bool" | "boolean" => Some(FieldKind::Bool(BoolOptions::default())),
            _ => None,
        };
    }
    None
}

fn view_error(message: &str) -> Errors {
    let mut e = Errors::new();
    e.add(
        "viewQuery",
        ValidationError::new("validation_invalid_view_query", message),
    );
    e
}

/// Sets `c.fields` from its `viewQuery`; returns validation errors (empty on success).
pub fn derive_view_fields(
    tx: &Tx,
    c: &mut Collection,
    others: &[Collection],
    old: Option<&Collection>,
) -> Errors {
    let query = c.view_query.trim().trim_end_matches(';').to_string();
    if query.is_empty() {
        let mut e = Errors::new();
        e.add("viewQuery", ValidationError::required());
        return e;
    }
    let Some((cols, main_table)) = select_parts(&query) else {
        return view_error("Invalid query - only SELECT queries are supported.");
    };
    if cols.iter().any(|col| {
        let expr = expression_of(strip_distinct(col));
        expr == "*" || expr.ends_with(".*")
    }) {
        let mut e = view_error("Invalid query - wildcard columns (*) are not supported - manually type the collection field names you want the view query to have.");
        e.add("fields", ValidationError::required());
        return e;
    }
    let columns = match tx.with(|conn| view_inspect::inspect(conn, &query)) {
        Ok(cols) => cols,
        Err(err) => {
            return view_error(&format!(
                "Invalid query - {}.",
                err.sqlite_message().trim_end_matches('.')
            ));
        }
    };
    if !columns.iter().any(|col| col.name == "id") {
        let mut e = view_error("Invalid query - missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one).");
        e.add(
            "fields",
            ValidationError::new(
                "validation_missing_primary_key",
                "Missing or invalid \"id\" PK field.",
            ),
        );
        return e;
    }
    let mut fields = Vec::new();
    for (i, col) in columns.iter().enumerate() {
        let expr = cols
            .get(i)
            .map(|s| expression_of(strip_distinct(s)))
            .unwrap_or_default();
        let mut field = if col.name == "id" {
            let mut f = Field::new(
                "id",
                FieldKind::Text(TextOptions {
                    pattern: "^[a-z0-9]+$".into(),
                    primary_key: true,
                    required: true,
                    ..Default::default()
                }),
            );
            f.system = true;
            f
        } else if let Some(kind) = kind_of_expression(&expr) {
            Field::new(&col.name, kind)
        } else if let Some((table, origin)) = &col.origin {
            let source = others
                .iter()
                .chain(std::iter::once(&*c))
                .find(|o| o.name.eq_ignore_ascii_case(table));
            match source.and_then(|s| s.field(origin).map(|f| (s, f))) {
                Some((s, _)) if origin == "id" && !s.name.eq_ignore_ascii_case(&main_table) => {
                    Field::new(
                        &col.name,
                        FieldKind::Relation(RelationOptions {
                            collection_id: s.id.clone(),
                            max_select: 1,
                            ..Default::default()
                        }),
                    )
                }
                Some((_, f)) => {
                    let mut clone = f.clone();
                    clone.name = col.name.clone();
                    clone.system = false;
                    clone.id = format!(
                        "_clone_{:04x}",
                        crc32(format!("{}{}", table, col.name).as_bytes()) & 0xffff
                    );
                    clone
                }
                None => json_field(&col.name),
            }
        } else {
            json_field(&col.name)
        };
        if let Some(prev) = old.and_then(|o| o.field(&field.name)) {
            if prev.type_name() == field.type_name() && !field.id.starts_with("_clone_") {
                field.id = prev.id.clone();
            }
        }
        fields.push(field);
    }
    c.fields = fields;
    Errors::new()
}

fn json_field(name: &str) -> Field {
    let mut f = Field::new(
        name,
        FieldKind::Json(JsonOptions {
            max_size: 1,
            ..Default::default()
        }),
    );
    f.id = default_field_id("json", name);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_list_and_main_table() {
        let (cols, table) =
            select_parts("SELECT p.id, count(c.id) as n, (1+2) AS x FROM posts p LEFT JOIN c ON 1")
                .unwrap();
        assert_eq!(cols, ["p.id", "count(c.id) as n", "(1+2) AS x"]);
        assert_eq!(table, "posts");
        assert_eq!(expression_of("count(c.id) as n"), "count(c.id)");
        assert!(
            matches!(kind_of_expression("count(c.id)"), Some(FieldKind::Number(o)) if o.only_int)
        );
        assert!(
            matches!(kind_of_expression("cast(x as real)"), Some(FieldKind::Number(o)) if !o.only_int)
        );
    }
}
