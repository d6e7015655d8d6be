//! The `sort` query parameter (spec 03 §6): parsing `-a,+b,c` and building `ORDER BY` terms.

use super::parser::is_valid_identifier;
use super::resolver::FieldResolver;
use super::FilterError;

/// Maximum number of sort items.
pub const MAX_SORT_ITEMS: usize = 8;
/// Maximum length (bytes) of one sort item.
pub const MAX_SORT_ITEM_LEN: usize = 255;
/// The random-order sort key.
pub const RANDOM_SORT_KEY: &str = "@random";
/// The insertion-order sort key.
pub const ROWID_SORT_KEY: &str = "@rowid";

/// One sort item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortItem {
    /// The identifier (`title`, `rel.name`, `tags:length`, `@random`, `@rowid`), without its
    /// `+`/`-` prefix.
    pub expr: String,
    /// True for a `-` prefix.
    pub desc: bool,
}

/// Parses a sort parameter. `""` gives no items. Items are split on commas and trimmed;
/// a leading `-` means descending and a leading `+` ascending. Each item must be a valid
/// identifier (so nothing but `[A-Za-z0-9_.:@#]` reaches the resolver).
pub fn parse_sort(input: &str) -> Result<Vec<SortItem>, FilterError> {
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let raw: Vec<&str> = input.split(',').collect();
    if raw.len() > MAX_SORT_ITEMS {
        return Err(FilterError::Sort(format!(
            "too many sort fields (max {MAX_SORT_ITEMS})"
        )));
    }
    raw.into_iter()
        .map(|item| {
            let item = item.trim();
            if item.len() > MAX_SORT_ITEM_LEN {
                return Err(FilterError::Sort(format!(
                    "sort field is too long (max {MAX_SORT_ITEM_LEN} characters)"
                )));
            }
            let (expr, desc) = match item.strip_prefix('-') {
                Some(rest) => (rest, true),
                None => (item.strip_prefix('+').unwrap_or(item), false),
            };
            if !is_valid_identifier(expr) {
                return Err(FilterError::Sort(format!("invalid sort field {item:?}")));
            }
            Ok(SortItem {
                expr: expr.to_string(),
                desc,
            })
        })
        .collect()
}

/// Builds the `ORDER BY` terms (joined with `", "`, no keyword; `""` for no items).
///
/// `@random` → `RANDOM()` (direction ignored), `@rowid` → `{rowid_sql} ASC|DESC` (e.g.
/// `posts._rowid_`), anything else goes through the resolver and must resolve to a plain SQL
/// expression: one with parameters, an empty one or `NULL` is refused.
pub fn build_order_by(
    items: &[SortItem],
    resolver: &mut dyn FieldResolver,
    rowid_sql: &str,
) -> Result<String, FilterError> {
    let mut terms = Vec::with_capacity(items.len());
    for item in items {
        let dir = if item.desc { "DESC" } else { "ASC" };
        let term = match item.expr.as_str() {
            RANDOM_SORT_KEY => "RANDOM()".to_string(),
            ROWID_SORT_KEY => format!("{rowid_sql} {dir}"),
            name => {
                let invalid = || FilterError::Sort(format!("invalid sort field {name:?}"));
                let r = resolver.resolve(name).map_err(|_| invalid())?;
                let sql = r.sql.trim();
                if !r.params.is_empty() || sql.is_empty() || sql.eq_ignore_ascii_case("null") {
                    return Err(invalid());
                }
                format!("{sql} {dir}")
            }
        };
        terms.push(term);
    }
    Ok(terms.join(", "))
}

#[cfg(test)]
mod tests {
    use super::super::resolver::{ResolvedOperand, SqlValue};
    use super::*;

    fn item(expr: &str, desc: bool) -> SortItem {
        SortItem {
            expr: expr.to_string(),
            desc,
        }
    }

    #[test]
    fn parse_items() {
        assert_eq!(parse_sort("").unwrap(), vec![]);
        assert_eq!(
            parse_sort("-views,title,+created,@random,-@rowid").unwrap(),
            vec![
                item("views", true),
                item("title", false),
                item("created", false),
                item("@random", false),
                item("@rowid", true),
            ]
        );
        assert_eq!(
            parse_sort(" title , -rel.name , tags:length").unwrap(),
            vec![
                item("title", false),
                item("rel.name", true),
                item("tags:length", false)
            ]
        );
        let eight = ["a"; 8].join(",");
        assert_eq!(parse_sort(&eight).unwrap().len(), 8);
    }

    #[test]
    fn parse_errors() {
        for bad in [
            ",title",
            "title,",
            "-",
            "+",
            " ",
            "--title",
            "+-title",
            "-+title",
            "title desc",
            "a;b",
            "a)",
            "'x'",
        ] {
            assert!(parse_sort(bad).is_err(), "{bad:?}");
        }
        let nine = ["a"; 9].join(",");
        assert!(matches!(parse_sort(&nine), Err(FilterError::Sort(_))));
        let long = "a".repeat(256);
        assert!(parse_sort(&long).is_err());
        assert!(parse_sort(&"a".repeat(255)).is_ok());
    }

    struct R;
    impl FieldResolver for R {
        fn resolve(&mut self, id: &str) -> Result<ResolvedOperand, FilterError> {
            match id {
                "title" => Ok(ResolvedOperand::sql("[[t.title]]")),
                "tags:length" => Ok(ResolvedOperand::sql("json_array_length([[t.tags]])")),
                "@request.auth.id" => Ok(ResolvedOperand::param(":r0", SqlValue::Text("x".into()))),
                "@request.auth.nope" => Ok(ResolvedOperand::null()),
                _ => Err(FilterError::Resolve(format!("unknown field {id:?}"))),
            }
        }
    }

    #[test]
    fn order_by() {
        let items = parse_sort("-title,@random,-@rowid,tags:length,-@random").unwrap();
        assert_eq!(
            build_order_by(&items, &mut R, "[[t]]._rowid_").unwrap(),
            "[[t.title]] DESC, RANDOM(), [[t]]._rowid_ DESC, json_array_length([[t.tags]]) ASC, RANDOM()"
        );
        assert_eq!(build_order_by(&[], &mut R, "x").unwrap(), "");
        for bad in [
            "nope",
            "@request.auth.id",
            "@request.auth.nope",
            "@now",
            "null",
        ] {
            let items = parse_sort(bad).unwrap();
            assert!(build_order_by(&items, &mut R, "x").is_err(), "{bad}");
        }
    }
}
