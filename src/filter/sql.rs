//! AST → SQL `WHERE` expression (spec 03 §5): operand resolution, `=`/`!=` null fallbacks,
//! LIKE, comparisons and the "all of" multi-match `NOT EXISTS` subqueries.

use super::ast::{Chain, Comparison, Expr, Join, Node, Op, Operand};
use super::like::like_pattern;
use super::macros::macro_value;
use super::resolver::{
    FieldResolver, MultiMatch, NullFallback, ParamSink, ResolvedOperand, SqlValue,
};
use super::{functions, FilterError};

/// Builds the SQL condition of `expr` (without the `WHERE` keyword).
///
/// Literals become named parameters added to `params`, as do the parameters returned by the
/// resolver and its multi-match subqueries. The result is self-contained: a chain of several
/// items is wrapped in parentheses, so it can be ANDed with other conditions as is.
/// [`Expr::Empty`] yields `1=1`.
pub fn build_where(
    expr: &Expr,
    resolver: &mut dyn FieldResolver,
    params: &mut ParamSink,
) -> Result<String, FilterError> {
    match expr {
        Expr::Empty => Ok("1=1".to_string()),
        Expr::Chain(chain) => Builder {
            resolver,
            sink: params,
        }
        .chain(chain),
    }
}

/// Walks the tree with the resolver and the parameter sink.
pub(crate) struct Builder<'a> {
    resolver: &'a mut dyn FieldResolver,
    sink: &'a mut ParamSink,
}

impl Builder<'_> {
    fn chain(&mut self, chain: &Chain) -> Result<String, FilterError> {
        let mut out = self.node(&chain.first)?;
        for (join, node) in &chain.rest {
            out.push_str(match join {
                Join::And => " AND ",
                Join::Or => " OR ",
            });
            out.push_str(&self.node(node)?);
        }
        if chain.rest.is_empty() {
            Ok(out)
        } else {
            Ok(format!("({out})"))
        }
    }

    fn node(&mut self, node: &Node) -> Result<String, FilterError> {
        match node {
            Node::Comparison(c) => self.comparison(c),
            Node::Group(g) => self.chain(g),
        }
    }

    /// Resolves an operand; its parameters are returned, not yet pushed to the sink.
    pub(crate) fn operand(&mut self, operand: &Operand) -> Result<ResolvedOperand, FilterError> {
        match operand {
            Operand::Text(s) => Ok(self.literal(SqlValue::Text(s.clone()))),
            Operand::Number(n) => Ok(self.literal(SqlValue::Float(*n))),
            Operand::Identifier(name) => self.identifier(name),
            Operand::Function(f) => functions::build(self, f),
        }
    }

    fn literal(&mut self, value: SqlValue) -> ResolvedOperand {
        ResolvedOperand::param(self.sink.fresh_name(), value)
    }

    fn identifier(&mut self, name: &str) -> Result<ResolvedOperand, FilterError> {
        if let Some(value) = macro_value(name, self.sink.now()) {
            return Ok(self.literal(value));
        }
        if let Some(field) = name
            .strip_prefix("@request.body.")
            .and_then(|rest| rest.strip_suffix(":changed"))
            .filter(|field| !field.is_empty() && !field.contains(':'))
        {
            return self.changed(field);
        }
        let resolved = self.resolver.resolve(name);
        let keyword = match name.to_ascii_lowercase().as_str() {
            "null" => Some("NULL"),
            "true" => Some("1"),
            "false" => Some("0"),
            _ => None,
        };
        match (resolved, keyword) {
            (Ok(r), _) if !r.sql.trim().is_empty() => Ok(r),
            (_, Some(k)) => Ok(ResolvedOperand::sql(k)),
            (Err(e), None) => Err(e),
            (Ok(_), None) => Err(FilterError::Resolve(format!(
                "failed to resolve identifier {name:?}"
            ))),
        }
    }

    /// `@request.body.f:changed` ≡ `(@request.body.f:isset = true && @request.body.f != f)`.
    fn changed(&mut self, field: &str) -> Result<ResolvedOperand, FilterError> {
        let body = format!("@request.body.{field}");
        let isset = Comparison {
            left: Operand::Identifier(format!("{body}:isset")),
            op: Op::Eq,
            right: Operand::Identifier("true".to_string()),
        };
        let differs = Comparison {
            left: Operand::Identifier(body),
            op: Op::Neq,
            right: Operand::Identifier(field.to_string()),
        };
        let a = self.comparison(&isset)?;
        let b = self.comparison(&differs)?;
        Ok(ResolvedOperand::sql(format!("({a} AND {b})"))
            .with_null_fallback(NullFallback::Disabled))
    }

    fn comparison(&mut self, c: &Comparison) -> Result<String, FilterError> {
        let left = self.operand(&c.left)?;
        let mut right = self.operand(&c.right)?;
        let base = c.op.base();
        if matches!(base, Op::Like | Op::NotLike) {
            for (_, value) in right.params.iter_mut() {
                *value = SqlValue::Text(like_pattern(&value.to_text()));
            }
        }
        let mut sql = compare(&left, base, &right);
        let mut candidates: Vec<&(String, SqlValue)> =
            left.params.iter().chain(right.params.iter()).collect();
        if !c.op.is_any() {
            if let Some(mm) = &left.multi_match {
                let alias = self.sink.fresh_alias();
                let value = mm_value(&alias, left.null_fallback);
                let inner = compare(&value, base, &plain(&right));
                sql = all_of(&sql, mm, &alias, &inner);
                candidates.extend(mm.params.iter());
            }
            if let Some(mm) = &right.multi_match {
                let alias = self.sink.fresh_alias();
                let value = mm_value(&alias, right.null_fallback);
                let inner = compare(&plain(&left), base, &value);
                sql = all_of(&sql, mm, &alias, &inner);
                candidates.extend(mm.params.iter());
            }
        }
        for cond in [&left.and_condition, &right.and_condition]
            .into_iter()
            .flatten()
        {
            sql = format!("(({sql}) AND ({cond}))");
        }
        // Only the parameters the final SQL really uses are bound (an empty side may have
        // been replaced by '' and rusqlite refuses unknown names).
        for (name, value) in candidates {
            if references(&sql, name) {
                self.sink.insert(name.clone(), value.clone());
            }
        }
        Ok(sql)
    }
}

/// `(<any-of comparison>) AND NOT EXISTS (<a value that fails it>)`.
fn all_of(sql: &str, mm: &MultiMatch, alias: &str, inner: &str) -> String {
    format!(
        "(({sql}) AND (NOT EXISTS (SELECT 1 FROM (SELECT {} AS multiMatchValue FROM {}) {alias} WHERE NOT ({inner}))))",
        mm.value_sql, mm.from_sql
    )
}

/// True if the named parameter occurs in `sql` as a whole name.
pub(crate) fn references(sql: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = sql[from..].find(name) {
        let end = from + pos + name.len();
        let next = sql[end..].chars().next();
        if !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            return true;
        }
        from = end;
    }
    false
}

/// The single value of a multi-match subquery row.
fn mm_value(alias: &str, null_fallback: NullFallback) -> ResolvedOperand {
    ResolvedOperand::sql(format!("{alias}.multiMatchValue")).with_null_fallback(null_fallback)
}

/// The "other" operand inside a multi-match subquery: same SQL and params, but (as in
/// PocketBase) auto null fallback and no multi-match of its own.
fn plain(o: &ResolvedOperand) -> ResolvedOperand {
    ResolvedOperand {
        sql: o.sql.clone(),
        params: o.params.clone(),
        null_fallback: NullFallback::Auto,
        multi_match: None,
        and_condition: None,
    }
}

/// SQL of `left op right` for a base (non-`?`) operator.
fn compare(left: &ResolvedOperand, op: Op, right: &ResolvedOperand) -> String {
    let (l, r) = (&left.sql, &right.sql);
    match op {
        Op::Eq => equality(true, left, right),
        Op::Neq => equality(false, left, right),
        Op::Like | Op::NotLike => {
            let not = if op == Op::NotLike { "NOT " } else { "" };
            if right.params.is_empty() {
                format!("{l} {not}LIKE ('%' || {r} || '%') ESCAPE '\\'")
            } else {
                format!("{l} {not}LIKE {r} ESCAPE '\\'")
            }
        }
        Op::Lt => format!("{l} < {r}"),
        Op::Lte => format!("{l} <= {r}"),
        Op::Gt => format!("{l} > {r}"),
        Op::Gte => format!("{l} >= {r}"),
        any => compare(left, any.base(), right),
    }
}

fn is_empty_identifier(sql: &str) -> bool {
    matches!(
        sql.to_ascii_lowercase().as_str(),
        "" | "null" | "''" | "\"\"" | "``"
    )
}

fn has_empty_param(o: &ResolvedOperand) -> bool {
    o.params.iter().any(|(_, v)| v.is_empty())
}

/// "Empty" operand: `''`/`NULL`, or a single parameter holding `""`/nil.
fn is_empty(o: &ResolvedOperand) -> bool {
    if o.null_fallback == NullFallback::Enforced {
        return false;
    }
    is_empty_identifier(&o.sql) || (o.params.len() == 1 && has_empty_param(o))
}

/// Operand known to be non-empty: `1`, `0`, `true`, `false` or non-empty parameters.
fn is_known_non_empty(o: &ResolvedOperand) -> bool {
    if o.null_fallback == NullFallback::Enforced {
        return false;
    }
    matches!(
        o.sql.to_ascii_lowercase().as_str(),
        "1" | "0" | "true" | "false"
    ) || (!o.params.is_empty() && !has_empty_param(o) && !is_empty_identifier(&o.sql))
}

/// `=` (`eq`) or `!=` following PocketBase's null-fallback table.
fn equality(eq: bool, left: &ResolvedOperand, right: &ResolvedOperand) -> String {
    let (eq_op, null_eq_op, concat, null_expr) = if eq {
        ("=", "IS", "OR", "IS NULL")
    } else {
        ("IS NOT", "IS NOT", "AND", "IS NOT NULL")
    };
    let (l, r) = (&left.sql, &right.sql);
    if left.null_fallback == NullFallback::Disabled || right.null_fallback == NullFallback::Disabled
    {
        return format!("{l} {null_eq_op} {r}");
    }
    let (left_empty, right_empty) = (is_empty(left), is_empty(right));
    if left_empty && right_empty {
        return format!("'' {eq_op} ''");
    }
    if is_known_non_empty(left) || is_known_non_empty(right) {
        let l = if left_empty { "''" } else { l };
        let r = if right_empty { "''" } else { r };
        return format!("{l} {eq_op} {r}");
    }
    if left_empty {
        return format!("('' {eq_op} {r} {concat} {r} {null_expr})");
    }
    if right_empty {
        return format!("({l} {eq_op} '' {concat} {l} {null_expr})");
    }
    format!("COALESCE({l}, '') {eq_op} COALESCE({r}, '')")
}
