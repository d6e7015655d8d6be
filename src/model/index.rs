//! Parsing and re-printing `CREATE [UNIQUE] INDEX` statements as collections store them.

use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq)]
pub struct IndexColumn {
    /// The column name or expression, without quotes.
    pub name: String,
    pub collate: String,
    pub sort: String,
}

/// A parsed index statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub unique: bool,
    pub if_not_exists: bool,
    pub name: String,
    pub table: String,
    pub columns: Vec<IndexColumn>,
    pub where_clause: String,
}

fn index_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?is)^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?([`"'\[]?[\w.]+[`"'\]]?)\s+ON\s+([`"'\[]?\w+[`"'\]]?)\s*\((.+?)\)\s*(?:WHERE\s+(.+?))?\s*;?\s*$"#,
        )
        .expect("static regex")
    })
}

fn unquote(s: &str) -> String {
    s.trim()
        .trim_matches(|c| c == '`' || c == '"' || c == '\'' || c == '[' || c == ']')
        .to_string()
}

/// Splits on commas that are not inside parentheses or quotes.
fn split_columns(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for ch in s.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '\'' | '"' | '`' => quote = Some(ch),
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            },
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

impl Index {
    /// Parses an index statement; `None` when it is not one.
    pub fn parse(sql: &str) -> Option<Index> {
        let caps = index_regex().captures(sql)?;
        let name = unquote(caps.get(3)?.as_str());
        let name = name.rsplit('.').next().unwrap_or_default().to_string();
        let mut columns = Vec::new();
        for raw in split_columns(caps.get(5)?.as_str()) {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            let mut col = IndexColumn {
                name: raw.to_string(),
                collate: String::new(),
                sort: String::new(),
            };
            let upper = raw.to_uppercase();
            let mut body = raw.to_string();
            if upper.ends_with(" ASC") || upper.ends_with(" DESC") {
                let cut = raw.rfind(' ').unwrap_or(raw.len());
                col.sort = raw[cut + 1..].to_uppercase();
                body = raw[..cut].trim().to_string();
            }
            let upper_body = body.to_uppercase();
            if let Some(pos) = upper_body.rfind(" COLLATE ") {
                col.collate = body[pos + 9..].trim().to_string();
                body = body[..pos].trim().to_string();
            }
            col.name = if body.contains('(') {
                body
            } else {
                unquote(&body)
            };
            if col.name.is_empty() {
                return None;
            }
            columns.push(col);
        }
        if name.is_empty() || columns.is_empty() {
            return None;
        }
        Some(Index {
            unique: caps.get(1).is_some(),
            if_not_exists: caps.get(2).is_some(),
            name,
            table: unquote(caps.get(4)?.as_str()),
            columns,
            where_clause: caps
                .get(6)
                .map(|m| m.as_str().trim().to_string())
                .unwrap_or_default(),
        })
    }

    /// Prints the statement in PocketBase's normalised form.
    pub fn build(&self) -> String {
        let mut s = String::from("CREATE ");
        if self.unique {
            s.push_str("UNIQUE ");
        }
        s.push_str("INDEX ");
        if self.if_not_exists {
            s.push_str("IF NOT EXISTS ");
        }
        s.push_str(&format!("`{}` ON `{}` (", self.name, self.table));
        let cols: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                let mut out = if c.name.contains('(') {
                    c.name.clone()
                } else {
                    format!("`{}`", c.name)
                };
                if !c.collate.is_empty() {
                    out.push_str(&format!(" COLLATE {}", c.collate));
                }
                if !c.sort.is_empty() {
                    out.push_str(&format!(" {}", c.sort));
                }
                out
            })
            .collect();
        s.push_str(&cols.join(", "));
        s.push(')');
        if !self.where_clause.is_empty() {
            s.push_str(&format!(" WHERE {}", self.where_clause));
        }
        s
    }

    /// True for a UNIQUE index over exactly this one column (no partial WHERE).
    pub fn is_single_unique_on(&self, column: &str) -> bool {
        self.unique
            && self.where_clause.is_empty()
            && self.columns.len() == 1
            && self.columns[0].name.eq_ignore_ascii_case(column)
    }
}

/// Replaces the table name of a raw index statement, keeping the rest as written.
pub fn with_table(sql: &str, table: &str) -> String {
    match Index::parse(sql) {
        Some(idx) if idx.table == table => sql.to_string(),
        Some(mut idx) => {
            idx.table = table.to_string();
            idx.build()
        }
        None => sql.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let i = Index::parse(
            "CREATE UNIQUE INDEX `idx_email_x` ON `users` (`email`) WHERE `email` != ''",
        )
        .unwrap();
        assert!(i.unique);
        assert_eq!(i.name, "idx_email_x");
        assert_eq!(i.table, "users");
        assert_eq!(i.columns[0].name, "email");
        assert_eq!(i.where_clause, "`email` != ''");
        let i = Index::parse("create index idx_a on t (a collate nocase desc, lower(b))").unwrap();
        assert_eq!(i.columns[0].collate, "nocase");
        assert_eq!(i.columns[0].sort, "DESC");
        assert_eq!(i.columns[1].name, "lower(b)");
        assert!(Index::parse("DROP TABLE x").is_none());
        assert_eq!(
            with_table("CREATE INDEX idx ON old (a)", "new"),
            "CREATE INDEX `idx` ON `new` (`a`)"
        );
    }
}
