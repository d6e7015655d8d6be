//! The contract with the store layer: [`FieldResolver`], [`ResolvedOperand`], [`SqlValue`],
//! [`NullFallback`], [`MultiMatch`] and the [`ParamSink`] that collects bound parameters.

use chrono::{DateTime, Utc};

use super::FilterError;

/// A value bound to a named SQL parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// SQL `NULL`.
    Null,
    /// An integer.
    Int(i64),
    /// A float (number literals of a filter are always floats).
    Float(f64),
    /// A text.
    Text(String),
}

impl SqlValue {
    /// Converts a JSON value: `null` → `Null`, booleans → `Int(1|0)`, integers → `Int`,
    /// other numbers → `Float`, strings → `Text`, arrays and objects → their JSON text.
    pub fn from_json(value: &serde_json::Value) -> SqlValue {
        use serde_json::Value;
        match value {
            Value::Null => SqlValue::Null,
            Value::Bool(b) => SqlValue::Int(i64::from(*b)),
            Value::Number(n) => match n.as_i64() {
                Some(i) => SqlValue::Int(i),
                None => SqlValue::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => SqlValue::Text(s.clone()),
            other => SqlValue::Text(other.to_string()),
        }
    }

    /// True for `Null` and the empty text (PocketBase's "empty param value").
    pub fn is_empty(&self) -> bool {
        match self {
            SqlValue::Null => true,
            SqlValue::Text(s) => s.is_empty(),
            SqlValue::Int(_) | SqlValue::Float(_) => false,
        }
    }

    /// The value as text, the way Go's `cast.ToString` renders it (`Null` → `""`, `5.0` → `"5"`).
    pub fn to_text(&self) -> String {
        match self {
            SqlValue::Null => String::new(),
            SqlValue::Int(i) => i.to_string(),
            SqlValue::Float(f) => f.to_string(),
            SqlValue::Text(s) => s.clone(),
        }
    }
}

/// How `=`/`!=` treat NULL and `''` for an operand (spec 03 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NullFallback {
    /// Plain fields and literals: `''` and `NULL` are treated as the same "empty" value.
    #[default]
    Auto,
    /// JSON paths, whole JSON fields, `geoDistance`, `:changed`: compared with `IS` / `IS NOT`,
    /// no `COALESCE`.
    Disabled,
    /// `strftime`: never considered known-empty or known-non-empty, so `COALESCE` is used
    /// unless the other side decides.
    Enforced,
}

/// The pieces of PocketBase's "multi-match subquery" for an operand that yields several values
/// per row (multiple relation, back relation, `@collection.*`, `:each` on a multi field,
/// `@request.body.<multiRel>.*`).
///
/// The module renders it as
/// `SELECT {value_sql} AS multiMatchValue FROM {from_sql}` and, for the plain (non-`?`)
/// operators, adds `NOT EXISTS (SELECT 1 FROM (<that>) __smN WHERE NOT (<comparison of
/// __smN.multiMatchValue>))` so that every value must satisfy the comparison.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MultiMatch {
    /// The value of one item inside the subquery, using the subquery's own aliases, e.g.
    /// `__mm_posts_tagrefs.label` or `__je___mm_posts_tags.value`.
    pub value_sql: String,
    /// Everything after `FROM`: the subquery's own base table alias, its joins and the
    /// `WHERE` that ties it to the outer row, e.g. `posts __mm_posts LEFT JOIN json_each(...)
    /// __mm_je LEFT JOIN tags __mm_posts_tagrefs ON ... WHERE __mm_posts.id = posts.id`.
    pub from_sql: String,
    /// Named parameters referenced by `value_sql` / `from_sql`.
    pub params: Vec<(String, SqlValue)>,
}

/// What a [`FieldResolver`] returns for one identifier.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResolvedOperand {
    /// SQL expression. It may reference named parameters listed in `params`.
    pub sql: String,
    /// Named parameters used by `sql`; names are written exactly as in the SQL (e.g. `:r3`).
    /// Request values (`@request.*`) must be returned as parameters, not inlined, so that the
    /// empty/non-empty rules of `=` apply.
    pub params: Vec<(String, SqlValue)>,
    /// Null-fallback mode of this operand.
    pub null_fallback: NullFallback,
    /// Set for multi-valued operands, see [`MultiMatch`].
    pub multi_match: Option<MultiMatch>,
    /// A parameterless SQL condition that must also hold whenever this operand takes part in a
    /// comparison: the comparison (with its multi-match part) becomes `((<cmp>) AND (<cond>))`.
    /// Used for the `emailVisibility` check of auth emails in client filters (spec 03 §7).
    /// Ignored in sorts and function arguments.
    pub and_condition: Option<String>,
}

impl ResolvedOperand {
    /// A plain SQL expression (column) with auto null fallback.
    pub fn sql(sql: impl Into<String>) -> Self {
        ResolvedOperand {
            sql: sql.into(),
            ..Default::default()
        }
    }

    /// A single bound parameter (e.g. an `@request.*` value).
    pub fn param(name: impl Into<String>, value: SqlValue) -> Self {
        let name = name.into();
        ResolvedOperand {
            sql: name.clone(),
            params: vec![(name, value)],
            ..Default::default()
        }
    }

    /// SQL `NULL` (e.g. missing request data).
    pub fn null() -> Self {
        Self::sql("NULL")
    }

    /// Sets the null-fallback mode.
    pub fn with_null_fallback(mut self, mode: NullFallback) -> Self {
        self.null_fallback = mode;
        self
    }

    /// Sets the multi-match subquery.
    pub fn with_multi_match(mut self, multi: MultiMatch) -> Self {
        self.multi_match = Some(multi);
        self
    }

    /// Sets the condition ANDed to every comparison of this operand.
    pub fn with_and_condition(mut self, condition: impl Into<String>) -> Self {
        self.and_condition = Some(condition.into());
        self
    }
}

/// Implemented by the store layer to turn identifiers into SQL.
///
/// It receives identifiers verbatim, modifiers included (`title:lower`, `tags:each`,
/// `@request.body.x:isset`, `@collection.comments:c1.post`, `comments_via_post.msg`).
/// It never receives macros (`@now`…) nor `@request.body.<path>:changed` (both handled by this
/// module; other uses of `:changed` reach it and should be refused). It does
/// receive `null`/`true`/`false` (any case) and must return an error unless such a field exists;
/// the module then falls back to the keyword. It is also used for sort items.
pub trait FieldResolver {
    /// Resolves one identifier, or fails (e.g. "unknown field"), which becomes a 400.
    fn resolve(&mut self, identifier: &str) -> Result<ResolvedOperand, FilterError>;
}

/// Splits `path:modifier` into the path and the modifier of its last segment.
/// A `:` followed by more path segments is not a modifier (`@collection.c:alias.f`).
///
/// `tags:each` → (`tags`, Some(`each`)); `@collection.c:a.f:lower` → (`@collection.c:a.f`,
/// Some(`lower`)); `title` → (`title`, None).
pub fn split_modifier(identifier: &str) -> (&str, Option<&str>) {
    match identifier.rsplit_once(':') {
        Some((path, modifier)) if !modifier.contains('.') => (path, Some(modifier)),
        _ => (identifier, None),
    }
}

/// Collects the named parameters of one SQL statement and hands out unique names.
///
/// Literal values become `:{prefix}{n}`; multi-match aliases become `__sm{prefix}{n}`. Use one
/// sink per statement (building several filters with it never clashes) or distinct prefixes.
#[derive(Debug, Clone)]
pub struct ParamSink {
    prefix: String,
    next_param: usize,
    next_alias: usize,
    params: Vec<(String, SqlValue)>,
    now: DateTime<Utc>,
}

impl ParamSink {
    /// A sink whose parameters are named `:{prefix}0`, `:{prefix}1`… Characters other than
    /// ASCII letters, digits and `_` are dropped from the prefix (empty → `f`).
    /// Datetime macros use the current time.
    pub fn new(prefix: &str) -> Self {
        Self::with_now(prefix, Utc::now())
    }

    /// Like [`ParamSink::new`] but with a fixed "now" for the datetime macros (tests).
    pub fn with_now(prefix: &str, now: DateTime<Utc>) -> Self {
        let mut prefix: String = prefix
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if prefix.is_empty() {
            prefix.push('f');
        }
        ParamSink {
            prefix,
            next_param: 0,
            next_alias: 0,
            params: Vec::new(),
            now,
        }
    }

    /// The "now" used by the datetime macros.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Adds a value under a fresh name and returns that name (`:f0`).
    pub fn add(&mut self, value: SqlValue) -> String {
        let name = self.fresh_name();
        self.params.push((name.clone(), value));
        name
    }

    /// Reserves a fresh parameter name without adding a value.
    pub(crate) fn fresh_name(&mut self) -> String {
        let name = format!(":{}{}", self.prefix, self.next_param);
        self.next_param += 1;
        name
    }

    /// A fresh alias for a multi-match subquery.
    pub(crate) fn fresh_alias(&mut self) -> String {
        let alias = format!("__sm{}{}", self.prefix, self.next_alias);
        self.next_alias += 1;
        alias
    }

    /// Records a named value; an existing entry with the same name is replaced.
    pub fn insert(&mut self, name: String, value: SqlValue) {
        match self.params.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.params.push((name, value)),
        }
    }

    /// The parameters collected so far, names as written in the SQL (with the leading `:`).
    pub fn params(&self) -> &[(String, SqlValue)] {
        &self.params
    }

    /// Consumes the sink and returns its parameters.
    pub fn into_params(self) -> Vec<(String, SqlValue)> {
        self.params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_modifier_cases() {
        assert_eq!(split_modifier("title"), ("title", None));
        assert_eq!(split_modifier("tags:each"), ("tags", Some("each")));
        assert_eq!(split_modifier("a.b:lower"), ("a.b", Some("lower")));
        assert_eq!(
            split_modifier("@collection.c:al.f"),
            ("@collection.c:al.f", None)
        );
        assert_eq!(
            split_modifier("@collection.c:al.f:length"),
            ("@collection.c:al.f", Some("length"))
        );
    }

    #[test]
    fn sink_names_and_insert() {
        let mut s = ParamSink::new("w-1");
        assert_eq!(s.add(SqlValue::Int(1)), ":w10");
        assert_eq!(s.add(SqlValue::Null), ":w11");
        assert_eq!(s.fresh_alias(), "__smw10");
        s.insert(":w10".into(), SqlValue::Int(5));
        s.insert(":r".into(), SqlValue::Text("x".into()));
        assert_eq!(
            s.params(),
            &[
                (":w10".to_string(), SqlValue::Int(5)),
                (":w11".to_string(), SqlValue::Null),
                (":r".to_string(), SqlValue::Text("x".into())),
            ]
        );
        assert_eq!(ParamSink::new("").add(SqlValue::Null), ":f0");
    }

    #[test]
    fn value_helpers() {
        use serde_json::json;
        assert_eq!(SqlValue::from_json(&json!(null)), SqlValue::Null);
        assert_eq!(SqlValue::from_json(&json!(true)), SqlValue::Int(1));
        assert_eq!(SqlValue::from_json(&json!(3)), SqlValue::Int(3));
        assert_eq!(SqlValue::from_json(&json!(1.5)), SqlValue::Float(1.5));
        assert_eq!(SqlValue::from_json(&json!("a")), SqlValue::Text("a".into()));
        assert_eq!(
            SqlValue::from_json(&json!(["a", 1])),
            SqlValue::Text(r#"["a",1]"#.into())
        );
        assert_eq!(SqlValue::Float(5.0).to_text(), "5");
        assert_eq!(SqlValue::Float(0.25).to_text(), "0.25");
        assert_eq!(SqlValue::Null.to_text(), "");
        assert!(SqlValue::Text(String::new()).is_empty());
        assert!(!SqlValue::Int(0).is_empty());
    }
}
